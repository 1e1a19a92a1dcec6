/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CPU-time and wall-time limits from the caller's side: nsbox_wait()
 * enforces them while it waits (the one enforcer a command cannot reach:
 * it runs in the caller's thread), the end time is settled after the
 * reap, and nsbox_proc_report() says what ended the sandbox. The init
 * (PID 1, lib/init/nsbox-init.c) enforces the same limits while the caller
 * is elsewhere. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "cgroup.h"
#include "internal.h"
#include "time_limit.h"
#include "time_watch.h"

uint64_t time_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool has_limits(const nsbox_proc *p)
{
    return p->cpu_limit_usec || p->wall_limit_usec;
}

static void time_kill(nsbox_proc *p, int fired)
{
    if (!p->fired) {
        p->fired = fired;
        p->kill_ns = time_now_ns();
    }
    if (p->cg && !cgroup_shared(p->cg))
        cgroup_kill(p->cg, SIGKILL);
    syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
}

/* Checks the limits now: kills on a crossing (again at each later check,
 * until the pidfd says the sandbox ended). Returns the ns until the next
 * check, UINT64_MAX when none is due. */
static uint64_t time_check(nsbox_proc *p)
{
    if (!has_limits(p))
        return UINT64_MAX;
    if (p->fired) {
        time_kill(p, p->fired);
        return CPU_POLL_MIN_NS;
    }
    uint64_t now = time_now_ns(), next = UINT64_MAX;
    if (p->wall_limit_usec) {
        uint64_t deadline = p->start_ns + p->wall_limit_usec * 1000;
        if (now >= deadline) {
            time_kill(p, FIRED_WALL);
            return CPU_POLL_MIN_NS;
        }
        next = deadline - now;
    }
    if (p->cpu_limit_usec && p->cg) {
        uint64_t kill_at = (p->cpu_limit_usec + p->extra_usec) * 1000;
        uint64_t used = cgroup_cpu_usec(p->cg);
        used = used == UINT64_MAX ? UINT64_MAX : used * 1000;
        if (used >= kill_at) {
            time_kill(p, FIRED_CPU);
            return CPU_POLL_MIN_NS;
        }
        long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
        uint64_t pause = cpu_poll_ns(kill_at - used, ncpus > 0 ? (uint64_t)ncpus : 1);
        if (pause < next)
            next = pause;
    }
    return next;
}

void time_watch(nsbox_proc *p, int timeout_ms)
{
    uint64_t end = timeout_ms < 0 ? UINT64_MAX : time_now_ns() + (uint64_t)timeout_ms * 1000000;
    struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
    for (;;) {
        uint64_t next = time_check(p), now = time_now_ns();
        if (now >= end)
            next = 0;
        else if (end - now < next)
            next = end - now;
        /* Rounded up to whole ms: poll's unit. */
        int ms = next == UINT64_MAX ? -1 : (int)((next + 999999) / 1000000);
        int r = poll(&pfd, 1, ms);
        if (r > 0 || (r < 0 && errno != EINTR) || (r == 0 && time_now_ns() >= end))
            return;
    }
}

/* A time of the init's record we can believe: the init's clock cannot be
 * wound (a time namespace the command makes moves its own clocks only),
 * but a command that can ptrace the init can write a record: a time
 * outside [start, now] is ignored. */
static bool time_plausible(const nsbox_proc *p, uint64_t t, uint64_t now)
{
    return t >= p->start_ns && t <= now;
}

void time_watch_settle(nsbox_proc *p, const struct init_record *rec)
{
    uint64_t now = time_now_ns();
    if (rec && !p->end_ns && time_plausible(p, rec->end_ns, now))
        p->end_ns = rec->end_ns;
    if (!rec && !p->end_ns)
        p->end_ns = now;
    if (!rec || (rec->fired != FIRED_CPU && rec->fired != FIRED_WALL))
        return;
    /* The earlier of the two enforcers' kills. */
    if (time_plausible(p, rec->kill_ns, now) && (!p->kill_ns || rec->kill_ns < p->kill_ns)) {
        p->kill_ns = rec->kill_ns;
        p->fired = rec->fired;
    }
    if (!p->fired)
        p->fired = rec->fired;
}

/* The verdict, by the precedence the header states. */
static uint32_t time_verdict(const nsbox_proc *p, uint64_t wall_usec)
{
    if (!p->reaped)
        return NSBOX_END_RUNNING;
    if (p->cpu_limit_usec && (p->cpu_usec > p->cpu_limit_usec || p->fired == FIRED_CPU))
        return NSBOX_END_CPU_LIMIT;
    if (p->wall_limit_usec && (wall_usec > p->wall_limit_usec || p->fired == FIRED_WALL))
        return NSBOX_END_WALL_LIMIT;
    if (p->signal && p->oom_killed)
        return NSBOX_END_OOM;
    if (p->signal && p->caller_killed)
        return NSBOX_END_KILLED;
    return p->signal ? NSBOX_END_SIGNALED : NSBOX_END_EXITED;
}

NSBOX_EXPORT int nsbox_proc_report(const nsbox_proc *p, struct nsbox_report *r)
{
    if (!p || !r || r->size < 2 * sizeof(uint32_t))
        return -EINVAL;
    struct nsbox_report full = {.size = r->size};
    uint64_t end = p->reaped ? p->end_ns : time_now_ns();
    full.wall_usec = end > p->start_ns ? (end - p->start_ns) / 1000 : 0;
    full.end = time_verdict(p, full.wall_usec);
    full.exit_code = p->reaped ? p->exit_code : -1;
    full.signal = p->reaped ? p->signal : 0;
    full.cpu_usec = p->cpu_usec;
    if (!p->reaped && p->cg) {
        uint64_t used = cgroup_cpu_usec(p->cg);
        full.cpu_usec = used == UINT64_MAX ? 0 : used;
    }
    full.user_usec = p->user_usec;
    full.sys_usec = p->sys_usec;
    full.memory_peak = p->memory_peak;
    full.oom_killed = p->oom_killed;
    full.cpu_limit_usec = p->cpu_limit_usec;
    full.wall_limit_usec = p->wall_limit_usec;
    full.kill_usec = p->kill_ns > p->start_ns ? (p->kill_ns - p->start_ns) / 1000 : 0;
    full.init_shared = p->init_shared;
    memcpy(r, &full, r->size < sizeof(full) ? r->size : sizeof(full));
    return 0;
}
