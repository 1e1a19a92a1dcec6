/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-init: PID 1 of a sandbox's PID namespace (or the monitor inside a
 * joined one). Built freestanding (no libc: it starts in a few dozen
 * microseconds) and embedded in libnsbox, which execs it from a memfd.
 *
 * usage: nsbox-init CHILD_PID STATUS_FD LIMITS [UID GID DROP_GROUPS [PARENT_PIDFD]]
 * First it gives up what it does not need (init_harden): its memory
 * becomes non-dumpable, no_new_privs is set, it takes the command's ids
 * when given, and it keeps CAP_KILL alone. Then it reaps every child,
 * forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to
 * CHILD_PID, and when it ends writes its record (struct init_record:
 * {si_code, si_status} of it, the limit that fired, the end time) to
 * STATUS_FD and exits with its status in shell form (a PID 1 cannot die of
 * the command's signal, hence the record; the library trusts the record
 * only where it agrees with this exit status).
 *
 * LIMITS is "-" or "CPU_FD,KIND,CPU_KILL_US,WALL_DEADLINE_NS,NCPUS": as
 * PID 1 of the sandbox's PID namespace the init enforces the CPU-time and
 * wall-time limits (see time_limit_check) while the caller does anything
 * else. CPU_FD (-1: no CPU limit) is the sandbox cgroup's usage file the
 * parent opened, KIND 2 for v2 cpu.stat (usage_usec first), 1 for v1
 * cpuacct.usage (ns); CPU_KILL_US the usage at which it kills;
 * WALL_DEADLINE_NS (0: none) the CLOCK_MONOTONIC time at which it kills;
 * NCPUS how many CPUs the sandbox's processes can run on at once.
 *
 * usage: nsbox-init exec REPORT_FD INDEX PID NFDS FD... PATH ARGV...
 * The last step of a sandbox with a memory limit (spawn.c): the command's
 * stage, which shared the caller's memory and so stayed out of the limited
 * cgroup, execs this in memory of its own; it writes "0" (itself), and PID
 * when not 0 (the init above it, exec'd by now), to each of the NFDS
 * cgroup.procs or v1 "tasks" files the parent opened, closes them, and
 * execs PATH (candidate INDEX of the command's) with ARGV and its own
 * environment. A failure goes to REPORT_FD as the stages' report record.
 *
 * usage: nsbox-init gate GATE_FD exec REPORT_FD ...
 * The same with an exec gate (nsbox_set_exec_gate): after the cgroup
 * writes it becomes non-dumpable (it waits with GATE_FD open, where a
 * process joining the sandbox could otherwise reach it), closes REPORT_FD
 * (the spawn returns: every step is done), reads one byte from GATE_FD,
 * closes it and execs; end-of-file or an error there exits 127 without
 * exec, and so does a failed exec after the wait (nobody hears a report). */
#include <errno.h> /* the names only: errno itself is not used */
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../../base/sys.h"
#include "../../base/time_limit.h"

/* The stages' report record and step numbers (lib/base/internal.h). */
struct child_report {
    int step, err, index;
};

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

/* The id switch cleared the parent-death signal (NSBOX_DIE_WITH_PARENT):
 * armed again, then the parent (ppfd, a pidfd) must still live, as bwrap
 * and the stages check (child_pdeath_rearm); else -ESRCH. */
static long init_pdeath_rearm(int sig, long ppfd)
{
    long r = sys2(SYS_prctl, PR_SET_PDEATHSIG, sig);
    if (r < 0 || ppfd < 0)
        return r;
    struct {
        int fd;
        short events, revents;
    } pfd = {(int)ppfd, 1 /* POLLIN */, 0};
    struct {
        long sec, nsec;
    } now = {0, 0};
    r = sys5(SYS_ppoll, &pfd, 1, &now, 0, 8);
    return r < 0 ? r : r > 0 ? -ESRCH : 0;
}

/* Takes the command's ids, so that an init started with the caller's host
 * ids (unmapped in a shifted map) holds none of them. KEEPCAPS keeps
 * CAP_KILL through the uid change. */
static long init_set_ids(int argc, char **argv)
{
    long uid = parse_long(argv[4]), gid = parse_long(argv[5]);
    int sig = 0;
    long r = sys2(SYS_prctl, PR_GET_PDEATHSIG, &sig);
    if (r == 0)
        r = sys2(SYS_prctl, PR_SET_KEEPCAPS, 1);
    if (r == 0 && argv[6][0] == '1')
        r = sys2(SYS_setgroups, 0, 0);
    if (r == 0)
        r = sys3(SYS_setresgid, gid, gid, gid);
    if (r == 0)
        r = sys3(SYS_setresuid, uid, uid, uid);
    if (r == 0 && sig)
        r = init_pdeath_rearm(sig, argc >= 8 ? parse_long(argv[7]) : -1);
    if (argc >= 8)
        sys1(SYS_close, parse_long(argv[7]));
    return r;
}

/* Empties the bounding set while CAP_SETPCAP is effective (before the uid
 * change): the init never execs, and no_new_privs is set, but it keeps
 * nothing it does not use. Without CAP_SETPCAP (a bounding set of the
 * caller's without it) the set stays as it is. */
static void init_drop_bounding(void)
{
    for (long cap = 0; cap < 64; cap++)
        if (sys2(SYS_prctl, PR_CAPBSET_DROP, cap) < 0)
            break; /* EINVAL past the last capability, EPERM without CAP_SETPCAP */
}

/* Keeps CAP_KILL alone (permitted and effective), if held: the command may
 * run as another uid, and a permitted set the command's does not contain
 * also keeps a capless command of the same user namespace from ptrace. */
static long init_keep_kill(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    long r = sys2(SYS_capget, &h, d);
    if (r < 0)
        return r;
    unsigned kill = d[0].permitted & CAP_TO_MASK(CAP_KILL);
    d[0].permitted = d[0].effective = kill;
    d[0].inheritable = d[1].permitted = d[1].effective = d[1].inheritable = 0;
    r = sys2(SYS_capset, &h, d);
    if (r == 0)
        r = sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    return r;
}

/* Non-dumpable first of all (runc's CVE-2016-9962): from then on only a
 * holder of CAP_SYS_PTRACE in the sandbox's user namespace can ptrace this
 * process or open its /proc files (mem, fd/, cwd, root); until then it
 * still holds every capability it was exec'd with. */
static long init_harden(int argc, char **argv)
{
    long r = sys2(SYS_prctl, PR_SET_DUMPABLE, 0);
    if (r == 0)
        r = sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (r == 0)
        init_drop_bounding();
    if (r == 0 && argc >= 7)
        r = init_set_ids(argc, argv);
    if (r == 0)
        r = init_keep_kill();
    return r;
}

/* The test suite's control runs (an internal knob of the library) exec the
 * init with this one environment entry: it then skips init_harden. */
static int init_unhardened(char **envp)
{
    static const char knob[] = "NSBOX_INIT_UNHARDENED=1";
    if (!envp[0])
        return 0;
    for (unsigned long i = 0; i < sizeof(knob); i++)
        if (envp[0][i] != knob[i])
            return 0;
    return 1;
}

#define SIG_BIT(sig) (1UL << ((sig)-1))
static const unsigned long forwarded = SIG_BIT(SIGTERM) | SIG_BIT(SIGINT) | SIG_BIT(SIGHUP) |
                                       SIG_BIT(SIGQUIT) | SIG_BIT(SIGUSR1) | SIG_BIT(SIGUSR2);

/* Reaps every ended child; returns 1 when `child` was among them. */
static int reap_all(long child, struct init_record *rec)
{
    int found = 0;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        long r = sys5(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG | __WALL, 0);
        if (r < 0 || si.si_pid == 0)
            return found;
        if (si.si_pid == child) {
            rec->code = si.si_code;
            rec->status = si.si_status;
            found = 1;
        }
    }
}

/* ------------------------------------------------------ the time limits */

struct time_limits {
    long cpu_fd;
    int kind;                  /* 0: no CPU limit; 1: v1 cpuacct.usage; 2: v2 cpu.stat */
    unsigned long long cpu_ns; /* kill at this usage */
    unsigned long long wall;   /* kill at this CLOCK_MONOTONIC time, 0: never */
    unsigned long long ncpus;
    int fired;                  /* enum time_limit_fired, once it did */
    unsigned long long kill_ns; /* when it fired */
    long prio, policy;          /* getpriority's 20 - nice and the policy at the start, which the
                                   command may not change */
};

static unsigned long long parse_u64(const char **s)
{
    unsigned long long v = 0;
    while (**s >= '0' && **s <= '9')
        v = v * 10 + (unsigned long long)(*(*s)++ - '0');
    if (**s == ',')
        (*s)++;
    return v;
}

static unsigned long long now_ns(void)
{
    struct {
        long sec, nsec;
    } ts = {0, 0};
    sys2(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, &ts);
    return (unsigned long long)ts.sec * 1000000000ULL + (unsigned long long)ts.nsec;
}

/* Only PID 1 enforces: its kill(-1) reaches exactly the sandbox's PID
 * namespace (a monitor in a joined one would hit that namespace's other
 * processes). */
static void time_limits_parse(const char *arg, struct time_limits *t)
{
    memset(t, 0, sizeof(*t));
    if (arg[0] == '-' || sys0(SYS_getpid) != 1)
        return;
    t->cpu_fd = (long)parse_u64(&arg);
    t->kind = (int)parse_u64(&arg);
    t->cpu_ns = parse_u64(&arg) * 1000ULL;
    t->wall = parse_u64(&arg);
    t->ncpus = parse_u64(&arg);
    t->prio = sys2(SYS_getpriority, 0 /* PRIO_PROCESS */, 0);
    t->policy = sys1(SYS_sched_getscheduler, 0);
}

/* The sandbox's CPU usage in ns from the pre-opened file; ~0 when it
 * cannot be read (the limit then fires: an unreadable counter is no
 * reason to let the command run on). */
static unsigned long long cpu_usage_ns(const struct time_limits *t)
{
    char buf[64];
    long n = sys4(SYS_pread64, t->cpu_fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0)
        return ~0ULL;
    buf[n] = '\0';
    const char *c = buf;
    while (*c && (*c < '0' || *c > '9'))
        c++;
    unsigned long long v = parse_u64(&c);
    return t->kind == 2 ? v * 1000ULL : v;
}

/* True when the command changed the init's scheduling (same uid: the
 * kernel lets it renice or SCHED_IDLE the init to slow the enforcer). */
static int time_limits_tampered(const struct time_limits *t)
{
    return sys2(SYS_getpriority, 0, 0) != t->prio || sys1(SYS_sched_getscheduler, 0) != t->policy;
}

/* Checks the limits: on a crossing (or tampering) kills every process of
 * the namespace, again at each later check until the command is reaped.
 * Returns how long to sleep before the next check, in ns (0: no limit). */
static unsigned long long time_limit_check(struct time_limits *t)
{
    if (!t->kind && !t->wall)
        return 0;
    if (t->fired || time_limits_tampered(t)) {
        sys2(SYS_kill, -1, SIGKILL);
        return CPU_POLL_MIN_NS;
    }
    unsigned long long now = now_ns(), sleep = ~0ULL;
    if (t->wall && now >= t->wall)
        t->fired = FIRED_WALL;
    else if (t->wall)
        sleep = t->wall - now;
    if (!t->fired && t->kind) {
        unsigned long long used = cpu_usage_ns(t);
        if (used >= t->cpu_ns)
            t->fired = FIRED_CPU;
        else if (cpu_poll_ns(t->cpu_ns - used, t->ncpus) < sleep)
            sleep = cpu_poll_ns(t->cpu_ns - used, t->ncpus);
    }
    if (t->fired) {
        t->kill_ns = now;
        sys2(SYS_kill, -1, SIGKILL);
        return CPU_POLL_MIN_NS;
    }
    return sleep;
}

static int init_main(int argc, char **argv, char **envp)
{
    if (argc < 4)
        return 125;
    long child = parse_long(argv[1]);
    long status_fd = parse_long(argv[2]);
    struct time_limits limits;
    time_limits_parse(argv[3], &limits);
    /* A step that fails (the id switch: the command's stage fails the same
     * one and reports it, which killing it here would race with) still
     * leaves no capability but CAP_KILL, and the sandbox ends with 125. */
    int failed = 0;
    long r = init_unhardened(envp) ? 0 : init_harden(argc, argv);
    if (r == -ESRCH /* the parent died during the id switch */) {
        sys2(SYS_kill, child, SIGKILL);
        return 125;
    }
    if (r < 0) {
        init_keep_kill();
        failed = 1;
    }
    sys2(SYS_prctl, PR_SET_NAME, "nsbox-init");
    unsigned long all = ~0UL;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, 8);
    unsigned long wanted = forwarded | SIG_BIT(SIGCHLD);
    struct init_record rec;
    memset(&rec, 0, sizeof(rec));
    for (;;) {
        if (reap_all(child, &rec)) {
            if (failed)
                return 125;
            rec.end_ns = now_ns();
            rec.fired = limits.fired;
            rec.kill_ns = limits.kill_ns;
            sys3(SYS_write, status_fd, &rec, sizeof(rec));
            return rec.code == CLD_EXITED ? rec.status : 128 + rec.status;
        }
        unsigned long long pause = time_limit_check(&limits);
        struct {
            long sec, nsec;
        } ts = {(long)(pause / 1000000000ULL), (long)(pause % 1000000000ULL)};
        siginfo_t si;
        long sig = sys4(SYS_rt_sigtimedwait, &wanted, &si, pause ? &ts : 0, 8);
        if (sig > 0 && (forwarded & SIG_BIT(sig)))
            sys2(SYS_kill, child, sig);
    }
}

static int exec_fail(long report_fd, int step, long err, int index)
{
    struct child_report rep = {step, (int)-err, index};
    sys3(SYS_write, report_fd, &rep, sizeof(rep));
    return 127;
}

/* The gate: 0 once a byte came, else the exit code. */
static int gate_wait(long gate_fd, long report_fd)
{
    sys2(SYS_prctl, PR_SET_NAME, "nsbox-gate");
    sys1(SYS_close, report_fd);
    char byte;
    long n = sys_retry(sys3(SYS_read, gate_fd, &byte, 1));
    sys1(SYS_close, gate_fd);
    return n == 1 ? 0 : 127;
}

static int exec_main(int argc, char **argv, char **envp, long gate_fd)
{
    /* Non-dumpable first of all, as the init (init_harden): this process
     * already runs in the sandbox, and until the command's exec it holds
     * the report pipe and the cgroup files; from its own exec to here only
     * a few instructions run, while the cgroup writes below can take
     * milliseconds. The command's exec sets dumpable again by its own rules. */
    sys2(SYS_prctl, PR_SET_DUMPABLE, 0);
    /* enum child_step of lib/base/internal.h, checked there by a static assert */
    enum { STEP_EXEC_ = 21, STEP_CGROUP_ = 23 };
    if (argc < 8)
        return 125;
    long report_fd = parse_long(argv[2]);
    int index = (int)parse_long(argv[3]);
    const char *pid = argv[4];
    int nfds = (int)parse_long(argv[5]);
    if (argc < 8 + nfds)
        return 125;
    for (int i = 0; i < nfds; i++) {
        long fd = parse_long(argv[6 + i]);
        long r = sys_retry(sys3(SYS_write, fd, "0", 1));
        if (r >= 0 && pid[0] != '0') {
            long len = 0;
            while (pid[len])
                len++;
            r = sys_retry(sys3(SYS_write, fd, pid, len));
        }
        if (r < 0)
            return exec_fail(report_fd, STEP_CGROUP_, r, i);
        sys1(SYS_close, fd);
    }
    if (gate_fd >= 0) {
        int code = gate_wait(gate_fd, report_fd);
        if (code == 0)
            sys3(SYS_execve, argv[6 + nfds], argv + 7 + nfds, envp);
        return 127;
    }
    long r = sys3(SYS_fcntl, report_fd, F_SETFD, FD_CLOEXEC);
    if (r == 0)
        r = sys3(SYS_execve, argv[6 + nfds], argv + 7 + nfds, envp);
    return exec_fail(report_fd, STEP_EXEC_, r, index);
}

__attribute__((used)) void init_start(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    if (argc > 1 && argv[1][0] == 'e')
        init_exit(exec_main(argc, argv, argv + argc + 1, -1));
    /* "gate GATE_FD exec ...": the exec mode's argv starts at GATE_FD */
    if (argc > 3 && argv[1][0] == 'g')
        init_exit(exec_main(argc - 2, argv + 2, argv + argc + 1, parse_long(argv[2])));
    init_exit(init_main(argc, argv, argv + argc + 1));
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
        "  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call init_start\n  hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n"
        "  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n  bl init_start\n");
#endif
