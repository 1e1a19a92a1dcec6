/* nsbox-init: PID 1 of a sandbox's PID namespace (or the monitor of a
 * joined one). Built freestanding (no libc: it starts in a few dozen
 * microseconds) and embedded in libnsbox, which execs it from a memfd.
 *
 * usage: nsbox-init CHILD_PID STATUS_FD
 * Reaps every child, forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and
 * SIGUSR2 to CHILD_PID, and when it ends writes {si_code, si_status} of it to
 * STATUS_FD and exits with its status in shell form (a PID 1 cannot die of
 * the command's signal, hence the record). */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../sys.h"

void *memset(void *s, int c, unsigned long n);
void *memset(void *s, int c, unsigned long n)
{
    unsigned char *p = s;
    while (n--)
        *p++ = (unsigned char)c;
    return s;
}

static long parse_long(const char *s)
{
    long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

__attribute__((noreturn)) static void init_exit(int code)
{
    for (;;)
        sys1(SYS_exit_group, code);
}

#define BIT(sig) (1UL << ((sig)-1))
static const unsigned long forwarded =
    BIT(SIGTERM) | BIT(SIGINT) | BIT(SIGHUP) | BIT(SIGQUIT) | BIT(SIGUSR1) | BIT(SIGUSR2);

/* Reaps every ended child; returns 1 when `child` was among them. */
static int reap_all(long child, int rec[2])
{
    int found = 0;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        long r = sys5(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG | __WALL, 0);
        if (r < 0 || si.si_pid == 0)
            return found;
        if (si.si_pid == child) {
            rec[0] = si.si_code;
            rec[1] = si.si_status;
            found = 1;
        }
    }
}

static int init_main(int argc, char **argv)
{
    if (argc < 3)
        return 125;
    long child = parse_long(argv[1]);
    long status_fd = parse_long(argv[2]);
    sys2(SYS_prctl, PR_SET_NAME, "nsbox-init");
    unsigned long all = ~0UL;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, 8);
    unsigned long wanted = forwarded | BIT(SIGCHLD);
    int rec[2] = {0, 0};
    for (;;) {
        if (reap_all(child, rec)) {
            sys3(SYS_write, status_fd, rec, sizeof(rec));
            return rec[0] == CLD_EXITED ? rec[1] : 128 + rec[1];
        }
        siginfo_t si;
        long sig = sys4(SYS_rt_sigtimedwait, &wanted, &si, 0, 8);
        if (sig > 0 && (forwarded & BIT(sig)))
            sys2(SYS_kill, child, sig);
    }
}

__attribute__((used)) void init_start(long *sp)
{
    init_exit(init_main((int)sp[0], (char **)(sp + 1)));
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
        "  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call init_start\n  hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n"
        "  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n  bl init_start\n");
#endif
