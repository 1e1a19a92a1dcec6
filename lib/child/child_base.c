/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every step of the child calls: the failure report, the wait for the
 * stages above, the parent-death re-arm, the signal reset and decimal
 * formatting. They call
 * nothing else of the child's, so the stages (child.c, child_exec.c,
 * mount.c, ...) that call them form no circle. Raw system calls only. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "child.h"
#include "sys.h"

CHILD int child_fail(struct plan *p, int step, long err, int index)
{
    struct child_report rep = {.step = step, .err = (int)-err, .index = index};
    sys3(SYS_write, p->report_fd, &rep, sizeof(rep));
    return 127;
}

/* Sends {step, 0, index} with fd attached (SCM_RIGHTS) on the sync socket:
 * a lock file's fd, the console's master. The parent receives them once
 * every stage has exec'd (they wait on the socket until then). */
CHILD long child_send_fd(int sync, int step, int index, long fd)
{
    struct child_report rep = {.step = step, .err = 0, .index = index};
    struct iovec iov = {.iov_base = &rep, .iov_len = sizeof(rep)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct cmsghdr *c = &u.align;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    *(int *)CMSG_DATA(c) = (int)fd;
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    long r = sys_retry(sys3(SYS_sendmsg, sync, &msg, MSG_NOSIGNAL));
    return r == (long)sizeof(rep) ? 0 : r < 0 ? r : -EIO;
}

/* The command's stage: waits until every stage above it has exec'd or
 * exited (the kernel clears their words then), so that the command never
 * runs while a process that shares the caller's memory lives in its
 * namespaces. A shared futex: the kernel's wake at exec is not private. */
CHILD void child_wait_stages(struct plan *p)
{
    for (int i = 0; i < p->cmd_level; i++) {
        int v;
        while ((v = __atomic_load_n(&p->exec_words[i], __ATOMIC_ACQUIRE)) != 0)
            sys4(SYS_futex, &p->exec_words[i], FUTEX_WAIT, v, 0);
    }
}

CHILD static long child_pdeathsig(void)
{
    return sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
}

/* The kernel clears the parent-death signal on every change of the
 * effective or filesystem ids and on a setns into a user namespace the
 * process does not own (commit_creds). Like bwrap, the stage re-arms it
 * and then checks that the parent still lives, since it may have died in
 * between with no signal sent. The parent is polled through a pidfd, which
 * works where getppid() cannot tell (0 for a parent outside the PID
 * namespace): the caller's spawning thread for stage 0 and for stage 1
 * after a hand-over (CLONE_PARENT: it is the caller's child, and must
 * outlive the caller unless NSBOX_DIE_WITH_PARENT), the forking stage for
 * the others (whose signal is always armed: their parent is ours). */
CHILD int child_pdeath_rearm(struct plan_stage *s)
{
    struct plan *p = s->p;
    bool callers_child = s->level == 0 || (s->level == 1 && p->pid_handoff);
    if (callers_child && !(p->flags & NSBOX_DIE_WITH_PARENT))
        return 0;
    long r = child_pdeathsig();
    if (r < 0)
        return child_fail(p, STEP_PDEATHSIG, r, 0);
    if (s->parent_pidfd < 0)
        return 0;
    struct pollfd pfd = {.fd = s->parent_pidfd, .events = POLLIN};
    struct timespec now = {0, 0};
    r = sys5(SYS_ppoll, &pfd, 1, &now, 0, 8);
    if (r < 0)
        return child_fail(p, STEP_PDEATHSIG, r, 1);
    if (r > 0)
        return child_fail(p, STEP_PDEATHSIG, -ESRCH, 2);
    return 0;
}

CHILD long child_signals_default(uint64_t set)
{
    struct {
        unsigned long handler, flags, restorer, mask;
    } dfl = {0, 0, 0, 0};
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || !(set & BIT(sig - 1)))
            continue;
        long r = sys4(SYS_rt_sigaction, sig, &dfl, 0, 8);
        if (r < 0 && r != -EINVAL /* a number this kernel lacks */)
            return r;
    }
    return 0;
}

CHILD char *child_utoa(char *buf, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        *buf++ = tmp[--n];
    *buf = '\0';
    return buf;
}
