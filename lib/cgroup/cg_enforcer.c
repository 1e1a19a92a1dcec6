/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The init's own CPU share: with time limits the init (PID 1) enforces
 * them while the command runs, and must wake up on time however many busy
 * processes the command forks. In one cgroup with them it competes with
 * each (bench_judge: 70 ms late and worse under a fork bomb of 16); in a
 * leaf of its own beside the command's, "init", with the cpu controller,
 * its group weighs as much as the command's whole group.
 *
 * The one fallback: where the cpu controller is unavailable to the
 * sandbox, the init stays in the command's leaf (the limits hold, its
 * wakeups may be late under load) and the report says so (init_shared,
 * nsbox_limits(3)). Unavailable means: v2, "cpu" is not in the parent's
 * cgroup.controllers, or the parent refuses "+cpu" in its
 * cgroup.subtree_control (EBUSY: it holds processes, the "no internal
 * processes" rule; EACCES/EPERM: not the caller's); v1, no cpu hierarchy
 * holds the parent or the caller may not make cgroups there (v1_dir_add
 * gives cg->cpu -1). Any other failure fails the spawn. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup_impl.h"

static int shared(struct cgroup_sandbox *cg)
{
    cg->init_shared = true;
    return 0;
}

/* v2: the cpu controller for the sandbox's children, so that the two
 * leaves are two scheduling groups (the parent's, where it lacks it). */
static int v2_cpu_enable(struct errbuf *e, struct cgroup_sandbox *cg, struct cg_dir *d)
{
    char list[512];
    int r = (int)cg_read(d->parent_fd, "cgroup.controllers", list, sizeof(list));
    if (r < 0)
        return err_fail(e, -r, "read %s/../cgroup.controllers", d->path);
    if (!cg_list_has(list, "cpu"))
        return shared(cg);
    r = (int)cg_read(d->parent_fd, "cgroup.subtree_control", list, sizeof(list));
    if (r >= 0 && !cg_list_has(list, "cpu"))
        r = cg_write(d->parent_fd, "cgroup.subtree_control", "+cpu");
    if (r == -EBUSY || r == -EACCES || r == -EPERM)
        return shared(cg);
    if (r < 0)
        return err_fail(e, -r, "enable cpu in %s/../cgroup.subtree_control for the init's leaf",
                        d->path);
    r = cg_write(d->fd, "cgroup.subtree_control", "+cpu");
    if (r < 0)
        return err_fail(e, -r, "enable cpu in %s/cgroup.subtree_control for the init's leaf",
                        d->path);
    return 0;
}

int cg_enforcer_prepare(struct errbuf *e, struct cgroup_sandbox *cg)
{
    if (!cg->enforcer)
        return 0;
    int k = cg->v2 ? 0 : cg->cpu;
    if (k < 0)
        return shared(cg);
    struct cg_dir *d = &cg->dirs[k];
    if (cg->v2) {
        int r = v2_cpu_enable(e, cg, d);
        if (r < 0 || cg->init_shared)
            return r;
    }
    if (CG_RETRY(mkdirat(d->fd, CG_INIT_LEAF, 0755)) < 0)
        return err_fail(e, errno, "create cgroup %s/" CG_INIT_LEAF, d->path);
    cg->init_leaf_fd =
        (int)CG_RETRY(openat(d->fd, CG_INIT_LEAF, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (cg->init_leaf_fd < 0) {
        int err = errno;
        /* made here: removed here (a shared sandbox's finish keeps C) */
        CG_RETRY(unlinkat(d->fd, CG_INIT_LEAF, AT_REMOVEDIR));
        return err_fail(e, err, "open cgroup %s/" CG_INIT_LEAF, d->path);
    }
    cg->init_dir = k;
    return 0;
}

bool cgroup_init_shared(const struct cgroup_sandbox *cg)
{
    return cg && cg->init_shared;
}

int cgroup_enforcer_place(struct errbuf *e, struct cgroup_sandbox *cg, pid_t pid)
{
    if (!cg || cg->init_leaf_fd < 0)
        return 0;
    char num[24];
    snprintf(num, sizeof(num), "%d", (int)pid);
    int r = cg_write(cg->init_leaf_fd, cg->v2 ? "cgroup.procs" : "tasks", num);
    if (r < 0)
        return err_fail(e, -r, "move the init (pid %d) into cgroup %s/" CG_INIT_LEAF, (int)pid,
                        cg->dirs[cg->init_dir].path);
    return 0;
}
