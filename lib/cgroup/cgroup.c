/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-sandbox cgroups (see cgroup.h): the choice of backend at spawn,
 * placement, kill, removal and the usage report. cgroup_v2.c and
 * cgroup_v1.c make the directories; this file owns their lifecycle. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup_impl.h"

/* How long removal waits for killed processes to leave the cgroup. */
#define EMPTY_WAIT_MS 10000

/* ------------------------------------------------------------ lifecycle */

void cg_sandbox_name(const struct cgroup_recipe *r, struct cgroup_sandbox *cg)
{
    cg->named = r->path != NULL;
    if (r->path) {
        const char *slash = strrchr(r->path, '/');
        snprintf(cg->name, sizeof(cg->name), "%s", slash ? slash + 1 : r->path);
        return;
    }
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rnd = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
    }
    snprintf(cg->name, sizeof(cg->name), "nsbox-%d-%08x", (int)getpid(), rnd);
}

/* The file each directory's process is moved with: v1 "tasks" (stage 0's
 * own move), or for a memory-limited recipe v2 "cgroup.procs" / v1 "tasks"
 * (the command's exec helper's move, see cgroup_memory_limited). */
static int open_moves(nsbox *box, struct plan *p, struct cgroup_sandbox *cg)
{
    const char *file = cg->v2 ? "cgroup.procs" : "tasks";
    p->cgroup_moves = plan_alloc(p, (size_t)cg->n_dirs * sizeof(*p->cgroup_moves));
    if (!p->cgroup_moves)
        return box_fail(box, ENOMEM, "plan");
    for (int i = 0; i < cg->n_dirs; i++) {
        struct cg_dir *d = &cg->dirs[i];
        d->tasks_fd = (int)CG_RETRY(openat(d->leaf_fd, file, O_WRONLY | O_CLOEXEC));
        if (d->tasks_fd < 0) {
            if (errno == EACCES || errno == EPERM)
                return cg_fail_access(box, errno, "open the tasks file of cgroup", d->path);
            return box_fail(box, errno, "open %s/%s", d->path, file);
        }
        p->cgroup_moves[i].fd = d->tasks_fd;
        _cleanup_free_ char *leaf = cg_join(d->path, CG_LEAF);
        p->cgroup_moves[i].path = leaf ? plan_strdup(p, leaf) : NULL;
        if (!p->cgroup_moves[i].path)
            return box_fail(box, ENOMEM, "plan");
    }
    p->n_cgroup_moves = cg->n_dirs;
    return 0;
}

/* Any memory.* limit: the OOM killer kills every process that shares the
 * victim's memory (mm/oom_kill.c, __oom_kill_process), so no stage, which
 * shares the caller's, may sit in that cgroup. */
static bool cgroup_memory_limited(const struct cgroup_recipe *r)
{
    for (size_t i = 0; i < r->n_limits; i++)
        if (strncmp(r->limits[i].key, "memory.", 7) == 0)
            return true;
    return false;
}

int cgroup_prepare(nsbox *box, struct plan *p, struct cgroup_sandbox **out)
{
    *out = NULL;
    const struct cgroup_recipe *r = box->cg;
    if (!r || (!r->n_limits && !r->parent && !r->path))
        return 0;
    struct cgroup_sandbox *cg = calloc(1, sizeof(*cg));
    if (!cg)
        return box_fail(box, ENOMEM, "cgroup");
    cg->mem = cg->cpuacct = -1;
    for (int i = 0; i < CG_MAX_DIRS; i++)
        cg->dirs[i].fd = cg->dirs[i].leaf_fd = cg->dirs[i].parent_fd = cg->dirs[i].tasks_fd = -1;
    cg_sandbox_name(r, cg);
    char root[256];
    int rc = cg_caps_check(box, r, p);
    if (rc < 0) {
        free(cg);
        return rc;
    }
    if (cg_v2_usable(r, root, sizeof(root))) {
        cg->v2 = true;
        rc = cg_v2_prepare(box, r, root, cg);
    } else {
        rc = cg_v1_prepare(box, r, cg);
    }
    if (rc < 0) {
        cgroup_finish(cg, NULL);
        return rc;
    }
    p->cgroup_late = cgroup_memory_limited(r) && !box->test_cgroup_early;
    if (cg->v2 && !p->cgroup_late) {
        p->cgroup_fd = cg->dirs[0].leaf_fd;
    } else {
        rc = open_moves(box, p, cg);
        if (rc < 0) {
            cgroup_finish(cg, NULL);
            return rc;
        }
        /* A cgroup namespace made at clone would be rooted at the caller's
         * cgroup: the child makes it after the move instead. (With a
         * memory limit it is rooted there all the same: see nsbox(3).) */
        if (!cg->v2 && ((p->clone_ns | p->unshare_ns) & CLONE_NEWCGROUP)) {
            p->clone_ns &= ~(unsigned long)CLONE_NEWCGROUP;
            p->unshare_ns &= ~(unsigned long)CLONE_NEWCGROUP;
            p->cgroupns_late = true;
        }
    }
    rc = cg_plan_cgroupfs_ro(box, p);
    if (rc < 0) {
        cgroup_finish(cg, NULL);
        return rc;
    }
    *out = cg;
    return 0;
}

int cgroup_attach(nsbox *box, struct cgroup_sandbox *cg, pid_t pid)
{
    (void)box;
    (void)pid;
    for (int i = 0; i < cg->n_dirs; i++)
        closep(&cg->dirs[i].tasks_fd);
    return 0;
}

int cgroup_adopt(nsbox *box, struct cgroup_sandbox *cg, pid_t pid)
{
    char num[24];
    snprintf(num, sizeof(num), "%d", (int)pid);
    for (int i = 0; i < cg->n_dirs; i++) {
        int r = cg_write(cg->dirs[i].leaf_fd, cg->v2 ? "cgroup.procs" : "tasks", num);
        if (r < 0)
            return box_fail(box, -r, "move pid %d into cgroup %s", (int)pid, cg->dirs[i].path);
    }
    return 0;
}

int cgroup_report(nsbox *box, const struct plan *p, const struct child_report *rep)
{
    if (rep->step == STEP_CGROUPFS)
        return box_fail(box, rep->err, "make the cgroup mounts read-only (%s)",
                        rep->index ? "mount_setattr on a cgroup mount of /proc/self/mountinfo"
                                   : "read /proc/self/mountinfo");
    const char *path = p->cgroup_moves[rep->index].path;
    if (rep->err == EACCES || rep->err == EPERM)
        return cg_fail_access(box, rep->err, "move the sandbox into cgroup", path);
    return box_fail(box, rep->err, "move the sandbox into cgroup %s", path);
}

int cgroup_kill(struct cgroup_sandbox *cg, int sig)
{
    return cg->v2 ? cg_v2_kill(cg, sig) : cg_v1_kill(cg, sig);
}

/* True when no process is left anywhere in the sandbox's subtree (v2:
 * cgroup.events says "populated 0"; v1: every cgroup.procs is empty). */
static bool sandbox_is_empty(struct cgroup_sandbox *cg)
{
    int fd = cg->dirs[0].fd;
    if (cg->v2) {
        char buf[256];
        return cg_read(fd, "cgroup.events", buf, sizeof(buf)) < 0 ||
               cg_keyed(buf, "populated") == 0;
    }
    return cg_signal_tree(fd, 0) <= 0;
}

/* Kills what is left (daemons that left the process tree, processes that
 * moved to cgroups below the leaf) and waits until the subtree is empty,
 * so that it can be removed. */
static void sandbox_empty(struct cgroup_sandbox *cg)
{
    if (cg->n_dirs == 0 || cg->dirs[0].fd < 0)
        return;
    for (int ms = 0; ms < EMPTY_WAIT_MS && !sandbox_is_empty(cg); ms++) {
        cgroup_kill(cg, SIGKILL);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
}

static void dir_remove(const char *name, struct cg_dir *d)
{
    closep(&d->tasks_fd);
    closep(&d->leaf_fd);
    if (d->fd >= 0) {
        close(d->fd);
        /* A process may still be on its way out: its exit removes it. */
        for (int i = 0; i < 1000 && cg_tree_remove(d->parent_fd, name) == EBUSY; i++)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    closep(&d->parent_fd);
    free(d->path);
    free(d->cgpath);
}

void cgroup_finish(struct cgroup_sandbox *cg, nsbox_proc *p)
{
    if (!cg)
        return;
    sandbox_empty(cg);
    if (p && cg->n_dirs && cg->dirs[0].fd >= 0) {
        if (cg->v2)
            cg_v2_report(cg, p);
        else
            cg_v1_report(cg, p);
        free(p->cgroup_path);
        p->cgroup_path = take_ptr(&cg->dirs[0].cgpath);
    }
    for (int i = 0; i < CG_MAX_DIRS; i++)
        dir_remove(cg->name, &cg->dirs[i]);
    free(cg);
}

void cgroup_detach(struct cgroup_sandbox *cg)
{
    if (!cg)
        return;
    for (int i = 0; i < CG_MAX_DIRS; i++) {
        struct cg_dir *d = &cg->dirs[i];
        struct stat st;
        if (d->fd >= 0 && fstat(d->fd, &st) == 0)
            fchmod(d->fd, (st.st_mode & 07777) | S_ISVTX);
        closep(&d->tasks_fd);
        closep(&d->leaf_fd);
        closep(&d->fd);
        closep(&d->parent_fd);
        free(d->path);
        free(d->cgpath);
    }
    free(cg);
}

/* ------------------------------------------------------------ the report */

NSBOX_EXPORT int nsbox_proc_oom_killed(const nsbox_proc *p)
{
    return p && p->oom_killed ? 1 : 0;
}

NSBOX_EXPORT uint64_t nsbox_proc_memory_peak(const nsbox_proc *p)
{
    return p ? p->memory_peak : 0;
}

NSBOX_EXPORT uint64_t nsbox_proc_cpu_usec(const nsbox_proc *p)
{
    return p ? p->cpu_usec : 0;
}

NSBOX_EXPORT const char *nsbox_proc_cgroup(const nsbox_proc *p)
{
    if (!p)
        return NULL;
    if (p->cg && p->cg->n_dirs)
        return p->cg->dirs[0].cgpath;
    return p->cgroup_path;
}
