/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* long nsbox_clone3(struct clone_args *args, size_t size, int (*fn)(void *), void *arg)
 *
 * clone3() with a caller-provided stack: the child starts on that stack, so
 * it cannot return through the C wrapper; it calls fn(arg) and exits with its
 * result. Returns the child's pid, or a negative errno, in the parent. glibc
 * 2.36 has no public clone3 wrapper, and its clone() cannot pass
 * CLONE_INTO_CGROUP. */

#if defined(__x86_64__)
    .text
    .globl nsbox_clone3
    .hidden nsbox_clone3
    .type nsbox_clone3, @function
nsbox_clone3:
#ifdef __CET__
    endbr64
#endif
    mov %rdx, %r8          /* fn: r8/r9 survive the syscall */
    mov %rcx, %r9          /* arg */
    mov $435, %eax         /* __NR_clone3 */
    syscall
    test %rax, %rax
    jnz 1f
    xor %ebp, %ebp         /* child: outermost frame */
    mov %r9, %rdi
    call *%r8
    mov %eax, %edi
    mov $231, %eax         /* __NR_exit_group */
    syscall
    hlt
1:  ret
    .size nsbox_clone3, .-nsbox_clone3
#elif defined(__aarch64__)
    .text
    .globl nsbox_clone3
    .hidden nsbox_clone3
    .type nsbox_clone3, %function
nsbox_clone3:
    mov x10, x2            /* fn */
    mov x11, x3            /* arg */
    mov x8, #435           /* __NR_clone3 */
    svc #0
    cbnz x0, 1f
    mov x29, #0            /* child: outermost frame */
    mov x30, #0
    mov x0, x11
    blr x10
    mov x8, #94            /* __NR_exit_group */
    svc #0
1:  ret
    .size nsbox_clone3, .-nsbox_clone3
#else
#error "libnsbox: clone3 trampoline is written for x86_64 and aarch64 only"
#endif
    .section .note.GNU-stack, "", %progbits
