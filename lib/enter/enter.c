/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_enter(): the recipe applied to the calling process (enter.h).
 *
 * Up to the point of no return everything is checked and opened: the plan
 * (as a spawn's), the threads, what entering cannot give, the cgroup and
 * its files, the report pipe, the init helper of NSBOX_ENTER_FORK and the
 * map helper. A failure there undoes exactly what was made (the cgroup,
 * the helper, the fds) and leaves the process as it was.
 *
 * The point of no return is the first namespace change: the joins in
 * setns order, the new user namespace joined, then one unshare(2) of the
 * other new namespaces (the kernel makes all or none, so a refused first
 * change still leaves the process as it was). From there on a failure is
 * reported with the step and "partly sandboxed". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>

#include "cgroup.h"
#include "enter.h"
#include "report.h"
#include "idmap.h"
#include "join_pid.h"
#include "plan.h"

static char *const enter_argv[] = {"nsbox_enter", NULL};
static char *const empty_env[] = {NULL};

/* The spawn's plan, turned to the caller: no exec, every new namespace
 * unshared; the caller's cwd is taken again after the mounts (a mount
 * over it is entered, as the command's would be). */
static int enter_plan(nsbox *box, struct enter_ctx *c)
{
    int r = plan_build(box, enter_argv, &c->p);
    if (r < 0)
        return r;
    struct plan *p = c->p;
    p->report_fd = -1;
    c->ns_first = p->clone_ns | p->unshare_ns;
    p->clone_ns = c->ns_first;
    p->unshare_ns = 0;
    p->monitor = p->use_init = p->pid_handoff = false;
    r = join_pid_open(box, p);
    if (r < 0)
        return r;
    if (p->mounts && !p->cwd) {
        char *cwd = getcwd(NULL, 0);
        p->cwd = cwd ? plan_strdup(p, cwd) : NULL;
        free(cwd);
        p->cwd_required = false;
    }
    return stacks_get(box, p);
}

/* The report pipe of the child steps, above every fd the recipe passes,
 * so that the fd step leaves it alone. */
static int report_open(nsbox *box, struct enter_ctx *c)
{
    struct plan *p = c->p;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
        return box_fail(box, errno, "enter: create the report pipe");
    c->report_rd = fcntl(fds[0], F_DUPFD_CLOEXEC, p->max_fd + 1);
    p->report_fd = fcntl(fds[1], F_DUPFD_CLOEXEC, p->max_fd + 1);
    int err = errno;
    close(fds[0]);
    close(fds[1]);
    if (c->report_rd < 0 || p->report_fd < 0)
        return box_fail(box, err, "enter: move the report pipe above fd %d", p->max_fd);
    return 0;
}

/* NSBOX_ENTER_FORK: the init helper's memfd and its status fd (no one
 * reads the record: the process's exit status carries it). */
static int fork_open(nsbox *box, struct enter_ctx *c)
{
    struct plan *p = c->p;
    if (!c->fork)
        return 0;
    p->init_fd = init_memfd_open(box);
    if (p->init_fd < 0)
        return p->init_fd;
    p->init_envp = empty_env;
    p->status_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (p->status_fd < 0)
        return box_fail(box, errno, "enter: open /dev/null for the init helper");
    return 0;
}

static int pdeath_open(nsbox *box, struct plan *p)
{
    if (!(p->flags & NSBOX_DIE_WITH_PARENT))
        return 0;
    int fd = (int)syscall(SYS_pidfd_open, getppid(), 0);
    if (fd < 0)
        return box_fail(box, errno, "enter: open a pidfd of the parent for the parent-death check");
    p->stages[0].parent_pidfd = fd;
    return 0;
}

/* The cgroup (made, limits written) and the files to move into it; its
 * namespace comes after the move, so that it is rooted at the leaf. */
static int cgroup_open(nsbox *box, struct enter_ctx *c)
{
    struct plan *p = c->p;
    int r = cgroup_prepare(box, &box->err, p, &c->cg);
    if (r < 0 || !c->cg)
        return r;
    if (!p->n_cgroup_moves && (r = cgroup_open_moves(&box->err, p, c->cg)) < 0)
        return r;
    c->cgroupns_after = c->ns_first & CLONE_NEWCGROUP;
    c->ns_first &= ~(unsigned long)CLONE_NEWCGROUP;
    p->cgroupns_late = false;
    return 0;
}

static int enter_prepare(nsbox *box, struct enter_ctx *c)
{
    int r = enter_plan(box, c);
    if (r == 0)
        r = enter_check_threads(box);
    if (r == 0)
        r = enter_check(box, c);
    if (r == 0)
        r = report_open(box, c);
    if (r == 0)
        r = fork_open(box, c);
    if (r == 0)
        r = pdeath_open(box, c->p);
    if (r == 0)
        r = cgroup_open(box, c);
    if (r == 0 && plan_new_userns(c->p)) {
        unsigned long rest = c->ns_first & ~(unsigned long)CLONE_NEWUSER;
        rest |= c->cgroupns_after ? CLONE_NEWCGROUP : 0;
        r = enter_userns_start(box, &c->userns, rest);
        if (r == 0)
            r = enter_userns_map(box, c->p, &c->userns, rest);
        enter_userns_stop(&c->userns);
    }
    return r;
}

/* The point of no return: joins, then the new namespaces at once. */
static int enter_namespaces(nsbox *box, struct enter_ctx *c)
{
    struct plan *p = c->p;
    for (int i = 0; i < p->n_joins; i++) {
        if (setns(p->joins[i].fd, p->joins[i].nstype) < 0) {
            struct child_report rep = {STEP_SETNS, errno, i};
            return report_error(&box->err, p, &rep);
        }
        c->changed = true;
    }
    if (c->userns.fd >= 0) {
        if (setns(c->userns.fd, CLONE_NEWUSER) < 0)
            return box_fail(box, errno, "enter: join the new user namespace");
        c->changed = true;
    }
    unsigned long rest = c->ns_first & ~(unsigned long)CLONE_NEWUSER;
    if (rest && unshare((int)rest) < 0) {
        unsigned long all = p->clone_ns;
        p->clone_ns = rest;
        int r = report_clone_error(&box->err, p, errno);
        p->clone_ns = all;
        return r;
    }
    c->changed = c->changed || rest;
    if (p->ids_joined)
        return idmap_choose_joined(box, p, getpid());
    return 0;
}

static void enter_close(struct enter_ctx *c)
{
    struct plan *p = c->p;
    enter_userns_stop(&c->userns);
    closep(&c->userns.fd);
    if (c->cg && c->moved)
        cgroup_keep(c->cg);
    else
        cgroup_finish(c->cg, NULL);
    if (!p)
        return;
    closep(&c->report_rd);
    closep(&p->report_fd);
    closep(&p->init_fd);
    closep(&p->pid_join_fd);
    closep(&p->status_fd);
    closep(&p->stages[0].parent_pidfd);
    closep(&p->stages[1].parent_pidfd);
    for (int i = 0; i < p->n_cgroup_moves; i++)
        p->cgroup_moves[i].fd = -1; /* the cgroup's own, closed with it */
    plan_free(p);
}

NSBOX_EXPORT int nsbox_enter(nsbox *box)
{
    if (!box)
        return -EINVAL;
    struct enter_ctx c = {
        .box = box,
        .userns = {.pidfd = -1, .go = -1, .result = -1, .fd = -1},
        .report_rd = -1,
        .fork = box->flags & NSBOX_ENTER_FORK,
    };
    err_clear(&box->err);
    int r = enter_prepare(box, &c);
    if (r == 0)
        r = enter_namespaces(box, &c);
    if (r == 0) {
        c.changed = true;
        r = enter_steps(&c);
    }
    if (r < 0 && c.changed)
        box_append(box, " (nsbox_enter: past the point of no return, the process is now "
                        "partly sandboxed: exit it)");
    enter_close(&c);
    return r;
}
