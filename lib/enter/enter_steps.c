/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_enter's steps after the namespaces and maps (enter.h): the
 * cgroup, the early id switch, the fork of NSBOX_ENTER_FORK, then the
 * spawn's own child steps (child_exec.c, caps_child.c, mount.c ...) on
 * the calling process, the fds, the environment and the seccomp filter.
 * A child step reports its failure as {step, errno, index} on the report
 * pipe; the message is built from it as for a spawn (report.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "caps_child.h"
#include "cgroup.h"
#include "child.h"
#include "enter.h"
#include "report.h"

int enter_step_failed(struct enter_ctx *c)
{
    struct child_report rep;
    ssize_t n;
    do
        n = read(c->report_rd, &rep, sizeof(rep));
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(rep))
        return box_fail(c->box, EPROTO, "enter: a step failed without a report");
    return report_error(&c->box->err, c->p, &rep);
}

/* Into the sandbox's cgroup (the leaf below the limits) through the files
 * opened before the point of no return with the caller's credentials,
 * which the kernel checks (Linux 5.16: the opener's, not the writer's);
 * then the cgroup namespace, rooted there. */
static int enter_cgroup(struct enter_ctx *c)
{
    struct plan *p = c->p;
    for (int i = 0; i < p->n_cgroup_moves; i++) {
        ssize_t n;
        do
            n = write(p->cgroup_moves[i].fd, "0", 1);
        while (n < 0 && errno == EINTR);
        c->moved = c->moved || n == 1;
        if (n != 1)
            return box_fail(c->box, n < 0 ? errno : EIO, "enter: move into cgroup %s",
                            p->cgroup_moves[i].path);
    }
    c->moved = true;
    cgroup_attach(c->cg);
    if (c->cgroupns_after && unshare(CLONE_NEWCGROUP) < 0)
        return box_fail(c->box, errno, "enter: create namespaces cgroup");
    return 0;
}

/* NSBOX_ENTER_FORK: the child returns as the sandbox (PID 1 of a new PID
 * namespace), the parent becomes the init helper that waits for it and
 * exits with its status. The child dies with it (parent-death signal,
 * checked through a pidfd since the parent may be gone already). */
static int enter_fork(struct enter_ctx *c, struct plan_stage **stage)
{
    struct plan *p = c->p;
    int ppfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (ppfd < 0)
        return box_fail(c->box, errno, "enter: open a pidfd of the caller");
    /* Signals stay blocked in the parent until the init helper waits for
     * them (it forwards what was pending across the exec); none of the
     * caller's handlers runs there. The child gets the caller's mask back. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid > 0) {
        close(ppfd);
        p->report_fd = -1; /* the child's: nobody reads this one's report */
        child_exec_init(p, 0, pid);
        _exit(127);
    }
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        close(ppfd);
        return box_fail(c->box, err, "enter: fork");
    }
    p->stages[1].parent_pidfd = ppfd;
    *stage = &p->stages[1];
    return child_pdeath_rearm(*stage) ? enter_step_failed(c) : 0;
}

/* Closes every fd but stdio, the passed targets and the report pipe
 * (closed last): what the recipe does not pass never reaches the sandbox,
 * as exec's close-on-exec does for a spawn. close_range needs Linux 5.9;
 * before it, each fd below RLIMIT_NOFILE is closed. */
static void close_from(unsigned lo, unsigned hi)
{
    if (lo > hi)
        return;
    if (syscall(SYS_close_range, lo, hi, 0) == 0)
        return;
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
        return;
    for (unsigned long fd = lo; fd <= hi && fd < lim.rlim_cur; fd++)
        close((int)fd);
}

static int keep_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int enter_fds(struct enter_ctx *c)
{
    struct plan *p = c->p;
    /* The cgroup's own fds go first, so that nothing closes them twice. */
    cgroup_keep(c->cg);
    c->cg = NULL;
    if (child_fds(p))
        return enter_step_failed(c);
    int *keep = calloc((size_t)p->n_fds + 3, sizeof(int));
    if (!keep)
        return box_fail(c->box, ENOMEM, "enter: close the other fds");
    int n = 0;
    for (int i = 0; i < p->n_fds; i++)
        keep[n++] = p->fds[i].dst;
    keep[n++] = c->report_rd;
    keep[n++] = p->report_fd;
    qsort(keep, (size_t)n, sizeof(int), keep_cmp);
    unsigned next = 3;
    for (int i = 0; i < n; i++) {
        if (keep[i] >= (int)next)
            close_from(next, (unsigned)keep[i] - 1);
        next = (unsigned)keep[i] + 1 > next ? (unsigned)keep[i] + 1 : next;
    }
    close_from(next, ~0U);
    free(keep);
    /* Closed above: none of them is closed again, by enter_close or by
     * nsbox_free (the numbers may name the process's own files by then). */
    p->init_fd = p->status_fd = p->stages[0].parent_pidfd = p->stages[1].parent_pidfd = -1;
    c->userns.fd = -1;
    for (size_t i = 0; i < c->box->n_joins; i++)
        c->box->joins[i].fd = -1;
    return 0;
}

static int enter_env(struct enter_ctx *c)
{
    nsbox *box = c->box;
    if (box->clear_env && clearenv() != 0)
        return box_fail(box, ENOMEM, "enter: clear the environment");
    for (size_t i = 0; i < box->n_env; i++) {
        const struct env_op *op = &box->env[i];
        int r = op->value ? setenv(op->name, op->value, 1) : unsetenv(op->name);
        if (r < 0)
            return box_fail(box, errno, "enter: set %s in the environment", op->name);
    }
    return 0;
}

int enter_steps(struct enter_ctx *c)
{
    struct plan *p = c->p;
    struct plan_stage *stage = &p->stages[0];
    int r = c->cg ? enter_cgroup(c) : 0;
    if (r < 0)
        return r;
    if (p->ids_early && child_ids_early(p))
        return enter_step_failed(c);
    if ((p->n_joins || p->ids_early) && child_pdeath_rearm(stage))
        return enter_step_failed(c);
    if (c->fork && (r = enter_fork(c, &stage)) < 0)
        return r;
    if (child_setup_view(p) || child_setup_identity(stage))
        return enter_step_failed(c);
    r = enter_fds(c);
    if (r == 0)
        r = enter_env(c);
    /* without no_new_privs child_setup_identity() installed it already */
    if (r == 0 && p->no_new_privs && child_seccomp(p))
        r = enter_step_failed(c);
    return r;
}
