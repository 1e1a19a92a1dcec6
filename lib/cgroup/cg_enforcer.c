/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The init's own CPU share: with time limits the init (PID 1) enforces
 * them while the command runs, and must wake up on time however many busy
 * processes the command forks. In one cgroup with them it competes with
 * each (bench_judge: 70 ms late and worse under a fork bomb of 16); in a
 * leaf of its own beside the command's, "init", with the cpu controller,
 * its group weighs as much as the command's whole group. Where the cpu
 * controller is not available to the sandbox (v2: not in the parent's
 * cgroup.controllers; v1: no cpu hierarchy the caller may write), the
 * init stays in the command's leaf: the limits hold, its wakeups may be
 * late under load (nsbox_set_cpu_time_limit(3) says so). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup_impl.h"

#define CG_INIT_LEAF "init"

void cg_enforcer_prepare(struct cgroup_sandbox *cg)
{
    if (!cg->enforcer)
        return;
    int k = cg->v2 ? 0 : cg->cpu;
    if (k < 0 || cg->dirs[k].fd < 0)
        return;
    struct cg_dir *d = &cg->dirs[k];
    char list[512];
    /* v2: the cpu controller for the sandbox's children, so that the two
     * leaves are two scheduling groups (the parent's, where it lacks it). */
    if (cg->v2) {
        if (cg_read(d->parent_fd, "cgroup.subtree_control", list, sizeof(list)) < 0)
            return;
        if (!cg_list_has(list, "cpu") &&
            cg_write(d->parent_fd, "cgroup.subtree_control", "+cpu") < 0)
            return;
        if (cg_write(d->fd, "cgroup.subtree_control", "+cpu") < 0)
            return;
    }
    if (CG_RETRY(mkdirat(d->fd, CG_INIT_LEAF, 0755)) < 0)
        return;
    cg->init_leaf_fd =
        (int)CG_RETRY(openat(d->fd, CG_INIT_LEAF, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    cg->init_dir = k;
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
