/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the init helper (freestanding: no libc) and the library share about
 * the CPU-time and wall-time limits: the init's status record and the
 * pace at which an enforcer reads the sandbox's CPU usage. Only types and
 * arithmetic: it is included by lib/init/nsbox-init.c as well. */
#ifndef NSBOX_TIME_LIMIT_H
#define NSBOX_TIME_LIMIT_H

/* Which limit an enforcer (the init, or nsbox_wait) killed the sandbox for. */
enum time_limit_fired {
    FIRED_NONE = 0,
    FIRED_CPU = 1,
    FIRED_WALL = 2,
};

/* The init's status record on the status pipe, one write (below PIPE_BUF,
 * so atomic): {si_code, si_status} of the command, the limit the init
 * killed for, when it killed and when the command ended (CLOCK_MONOTONIC,
 * ns). */
struct init_record {
    int code, status;
    int fired; /* enum time_limit_fired */
    int pad;
    unsigned long long end_ns;
    unsigned long long kill_ns; /* when it killed for the limit, 0 if it did not */
};

/* The shortest and longest pause between two reads of the CPU usage. */
#define CPU_POLL_MIN_NS 2000000ULL   /* 2 ms */
#define CPU_POLL_MAX_NS 100000000ULL /* 100 ms */

/* How long an enforcer may sleep before the sandbox can have used `left`
 * more ns of CPU: its processes run on at most ncpus CPUs at once, so not
 * before left / ncpus of wall time. Halved, so that the read that finds
 * the limit crossed comes at most one short pause late: the overrun stays
 * below ncpus * (CPU_POLL_MIN_NS + the kill's latency). */
static inline unsigned long long cpu_poll_ns(unsigned long long left, unsigned long long ncpus)
{
    unsigned long long ns = left / (2 * (ncpus ? ncpus : 1));
    if (ns < CPU_POLL_MIN_NS)
        return CPU_POLL_MIN_NS;
    return ns > CPU_POLL_MAX_NS ? CPU_POLL_MAX_NS : ns;
}

#endif
