/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Raw system calls for code that runs between clone and exec.
 *
 * The child shares the caller's memory (CLONE_VM) and its thread pointer,
 * so it must not touch errno, the allocator or any lock: these wrappers
 * return the kernel's result (a negative errno on failure) and write no
 * memory of their own. The init helper (no libc at all) uses them too. */
#ifndef NSBOX_SYS_H
#define NSBOX_SYS_H

#include <sys/syscall.h>

#if defined(__x86_64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}
#else
#error "libnsbox: raw system calls are written for x86_64 and aarch64 only"
#endif

#define SYS_ARG(x) ((long)(x))
#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, SYS_ARG(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, SYS_ARG(a), SYS_ARG(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, SYS_ARG(a), SYS_ARG(b), SYS_ARG(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, SYS_ARG(a), SYS_ARG(b), SYS_ARG(c), SYS_ARG(d), 0, 0)
#define sys5(n, a, b, c, d, e)                                                                     \
    sys6(n, SYS_ARG(a), SYS_ARG(b), SYS_ARG(c), SYS_ARG(d), SYS_ARG(e), 0)

/* Retry a call interrupted by a signal (the child runs with signals blocked,
 * the init helper does not). */
#define sys_retry(expr)                                                                            \
    ({                                                                                             \
        long r_;                                                                                   \
        do                                                                                         \
            r_ = (expr);                                                                           \
        while (r_ == -4 /* EINTR */);                                                              \
        r_;                                                                                        \
    })

#endif
