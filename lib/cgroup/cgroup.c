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
#include <sys/stat.h>
#include <time.h>

#include "cgroup_impl.h"

/* How long removal waits for killed processes to leave the cgroup. */
#define EMPTY_WAIT_MS 10000

/* ------------------------------------------------------------ lifecycle */

/* The file each directory's process is moved with: v1 "tasks" (stage 0's
 * own move), or for a memory-limited recipe v2 "cgroup.procs" / v1 "tasks"
 * (the command's exec helper's move, see cgroup_memory_limited). */
int cgroup_open_moves(struct errbuf *e, struct plan *p, struct cgroup_sandbox *cg)
{
    const char *file = cg->v2 ? "cgroup.procs" : "tasks";
    p->cgroup_moves = plan_alloc(p, (size_t)cg->n_dirs * sizeof(*p->cgroup_moves));
    if (!p->cgroup_moves)
        return err_fail(e, ENOMEM, "plan");
    for (int i = 0; i < cg->n_dirs; i++) {
        struct cg_dir *d = &cg->dirs[i];
        d->tasks_fd = (int)CG_RETRY(openat(d->leaf_fd, file, O_WRONLY | O_CLOEXEC));
        if (d->tasks_fd < 0) {
            if (errno == EACCES || errno == EPERM)
                return cg_fail_access(e, errno, "open the tasks file of cgroup", d->path);
            return err_fail(e, errno, "open %s/%s", d->path, file);
        }
        p->cgroup_moves[i].fd = d->tasks_fd;
        _cleanup_free_ char *leaf = cg_join(d->path, CG_LEAF);
        p->cgroup_moves[i].path = leaf ? plan_strdup(p, leaf) : NULL;
        if (!p->cgroup_moves[i].path)
            return err_fail(e, ENOMEM, "plan");
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

/* The sandbox cgroup's CPU usage file, above every fd the command
 * receives, for the init (PID 1) to read: v2 cpu.stat, v1 cpuacct.usage. */
static int cpu_usage_open(struct errbuf *e, struct plan *p, struct cgroup_sandbox *cg)
{
    if (!cg->need_cpu || !p->use_init)
        return 0;
    const struct cg_dir *d = &cg->dirs[cg->v2 ? 0 : cg->cpuacct];
    const char *name = cg->v2 ? "cpu.stat" : "cpuacct.usage";
    _cleanup_close_ int fd = (int)CG_RETRY(openat(d->fd, name, O_RDONLY | O_CLOEXEC));
    if (fd < 0)
        return err_fail(e, errno, "open %s/%s for the CPU-time limit", d->path, name);
    p->cpu_v2 = cg->v2;
    p->cpu_fd = fcntl(fd, F_DUPFD_CLOEXEC, p->max_fd + 1);
    if (p->cpu_fd < 0)
        return err_fail(e, errno, "move the CPU usage file above fd %d", p->max_fd);
    return 0;
}

int cgroup_prepare(const nsbox *box, struct errbuf *e, struct plan *p, struct cgroup_sandbox **out)
{
    *out = NULL;
    /* A CPU-time limit counts the usage of a cgroup of the sandbox's own. */
    static const struct cgroup_recipe no_limits;
    const struct cgroup_recipe *r = box->cg;
    if (!box->cpu_limit_usec && (!r || (!r->n_limits && !r->n_dev_rules && !r->parent && !r->path)))
        return 0;
    if (!r)
        r = &no_limits;
    struct cgroup_sandbox *cg = calloc(1, sizeof(*cg));
    if (!cg)
        return err_fail(e, ENOMEM, "cgroup");
    cg->mem = cg->cpuacct = cg->cpu = cg->init_leaf_fd = -1;
    cg->need_cpu = box->cpu_limit_usec > 0;
    cg->leaf_shared = box->cg_unguarded || box->test_cgroup_early;
    /* The init enforces the limits as PID 1 of a PID namespace clone3
     * made (the parent knows its pid). */
    cg->enforcer = (box->cpu_limit_usec || box->wall_limit_usec) && p->use_init &&
                   (p->clone_ns & CLONE_NEWPID);
    for (int i = 0; i < CG_MAX_DIRS; i++)
        cg->dirs[i].fd = cg->dirs[i].leaf_fd = cg->dirs[i].parent_fd = cg->dirs[i].tasks_fd = -1;
    char root[256];
    int rc = cg_dev_check_caps(e, r);
    if (rc == 0)
        rc = cg_sandbox_name(e, r, cg);
    if (rc == 0 && !box->cg_unguarded)
        rc = cg_caps_check(e, p);
    if (rc < 0) {
        free(cg);
        return rc;
    }
    if (cg_v2_usable(r, root, sizeof(root))) {
        cg->v2 = true;
        rc = cg_v2_prepare(e, r, root, cg);
    } else {
        rc = cg_v1_prepare(e, r, cg);
    }
    if (rc < 0) {
        cgroup_finish(cg, NULL);
        return rc;
    }
    p->cgroup_late = cgroup_memory_limited(r) && !box->test_cgroup_early;
    if (cg->v2 && !p->cgroup_late) {
        p->cgroup_fd = cg->dirs[0].leaf_fd;
    } else {
        rc = cgroup_open_moves(e, p, cg);
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
    rc = cg_enforcer_prepare(e, cg);
    if (rc == 0)
        rc = box->cg_unguarded ? 0 : cg_plan_cgroupfs_ro(e, p);
    if (rc == 0)
        rc = cpu_usage_open(e, p, cg);
    if (rc < 0) {
        cgroup_finish(cg, NULL);
        return rc;
    }
    *out = cg;
    return 0;
}

void cgroup_attach(struct cgroup_sandbox *cg)
{
    for (int i = 0; i < cg->n_dirs; i++)
        closep(&cg->dirs[i].tasks_fd);
}

int cgroup_adopt(struct errbuf *e, struct cgroup_sandbox *cg, pid_t pid)
{
    char num[24];
    snprintf(num, sizeof(num), "%d", (int)pid);
    for (int i = 0; i < cg->n_dirs; i++) {
        int r = cg_write(cg->dirs[i].leaf_fd, cg->v2 ? "cgroup.procs" : "tasks", num);
        if (r < 0)
            return err_fail(e, -r, "move pid %d into cgroup %s", (int)pid, cg->dirs[i].path);
    }
    return 0;
}

int cgroup_report(struct errbuf *e, const struct plan *p, const struct child_report *rep)
{
    if (rep->step == STEP_CGROUPFS)
        return err_fail(e, rep->err, "make the cgroup mounts read-only (%s)",
                        rep->index ? "mount_setattr on a cgroup mount of /proc/self/mountinfo"
                                   : "read /proc/self/mountinfo");
    if (rep->index < 0 || rep->index >= p->n_cgroup_moves)
        return err_fail(e, rep->err, "move the sandbox into cgroup %d", rep->index);
    const char *path = p->cgroup_moves[rep->index].path;
    if (rep->err == EACCES || rep->err == EPERM)
        return cg_fail_access(e, rep->err, "move the sandbox into cgroup", path);
    return err_fail(e, rep->err, "move the sandbox into cgroup %s", path);
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

/* Removes the cgroup name under dfd and what is below it; a process may
 * still be on its way out (its exit empties it): EBUSY is retried for a
 * second. */
static void tree_remove_wait(int dfd, const char *name)
{
    for (int i = 0; i < 1000 && cg_tree_remove(dfd, name) == EBUSY; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
}

/* Removes what the spawn made of one hierarchy's directories: all of
 * them, or in a shared sandbox the leaf when the spawn made it (the
 * directory too, where it made that: another hierarchy had C). */
static void dir_remove(const char *name, struct cg_dir *d, bool shared)
{
    closep(&d->tasks_fd);
    closep(&d->leaf_fd);
    bool opened = d->fd >= 0;
    if (opened && shared && !d->made && d->leaf_made)
        tree_remove_wait(d->fd, CG_LEAF);
    closep(&d->fd);
    if (opened && (!shared || d->made))
        tree_remove_wait(d->parent_fd, name);
    closep(&d->parent_fd);
    free(d->path);
    free(d->cgpath);
}

void cgroup_keep(struct cgroup_sandbox *cg)
{
    if (!cg)
        return;
    closep(&cg->init_leaf_fd);
    for (int i = 0; i < CG_MAX_DIRS; i++) {
        struct cg_dir *d = &cg->dirs[i];
        closep(&d->tasks_fd);
        closep(&d->leaf_fd);
        closep(&d->fd);
        closep(&d->parent_fd);
        free(d->path);
        free(d->cgpath);
    }
    free(cg);
}

const char *cgroup_path(const struct cgroup_sandbox *cg)
{
    return cg && cg->n_dirs ? cg->dirs[0].path : NULL;
}

bool cgroup_shared(const struct cgroup_sandbox *cg)
{
    for (int i = 0; cg && i < cg->n_dirs; i++)
        if (cg->dirs[i].fd >= 0 && !cg->dirs[i].made)
            return true;
    return false;
}

void cgroup_finish(struct cgroup_sandbox *cg, nsbox_proc *p)
{
    if (!cg)
        return;
    /* A cgroup that was there before the spawn (a running container's)
     * holds others' processes: nothing in it is killed. The processes the
     * spawn started were ended by the caller (the failed spawn killed and
     * reaped its first stage, whose stages below die with it) or reaped. */
    bool shared = cgroup_shared(cg);
    if (!shared)
        sandbox_empty(cg);
    if (p && cg->n_dirs && cg->dirs[0].fd >= 0) {
        if (cg->v2)
            cg_v2_report(cg, p);
        else
            cg_v1_report(cg, p);
        free(p->cgroup_path);
        p->cgroup_path = take_ptr(&cg->dirs[0].cgpath);
    }
    /* The init's leaf is always the spawn's own (cg_enforcer.c). */
    if (cg->init_leaf_fd >= 0 && shared)
        tree_remove_wait(cg->dirs[cg->init_dir].fd, CG_INIT_LEAF);
    closep(&cg->init_leaf_fd);
    for (int i = 0; i < CG_MAX_DIRS; i++)
        dir_remove(cg->name, &cg->dirs[i], shared);
    free(cg);
}

void cgroup_detach(struct cgroup_sandbox *cg)
{
    if (!cg)
        return;
    for (int i = 0; i < CG_MAX_DIRS; i++) {
        struct cg_dir *d = &cg->dirs[i];
        struct stat st;
        /* An existing named cgroup is its owner's to mark. */
        if (d->fd >= 0 && d->made && fstat(d->fd, &st) == 0)
            fchmod(d->fd, (st.st_mode & 07777) | S_ISVTX);
    }
    cgroup_keep(cg);
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

uint64_t cgroup_cpu_usec(struct cgroup_sandbox *cg)
{
    char buf[512];
    if (cg->v2)
        return cg_read(cg->dirs[0].fd, "cpu.stat", buf, sizeof(buf)) > 0
                   ? cg_keyed(buf, "usage_usec")
                   : UINT64_MAX;
    if (cg->cpuacct < 0 ||
        cg_read(cg->dirs[cg->cpuacct].fd, "cpuacct.usage", buf, sizeof(buf)) <= 0)
        return UINT64_MAX;
    return strtoull(buf, NULL, 10) / 1000;
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
