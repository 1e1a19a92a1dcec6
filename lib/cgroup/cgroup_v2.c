/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v2 backend: the sandbox's cgroup under the parent, the parent's
 * controllers delegated to it, the limits written as named, the child
 * placed by clone3(CLONE_INTO_CGROUP) (Linux 5.7). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>

#include "cgroup_impl.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

bool cg_is_v2(const char *dir)
{
    struct statfs sf;
    return statfs(dir, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* True when every controller the limits name is in the list. */
static bool controllers_cover(const struct cgroup_recipe *r, const char *list)
{
    for (size_t i = 0; i < r->n_limits; i++) {
        char ctl[64];
        size_t len = cg_key_controller(r->limits[i].key);
        snprintf(ctl, sizeof(ctl), "%.*s", (int)len, r->limits[i].key);
        if (len && !cg_list_has(list, ctl))
            return false;
    }
    return true;
}

/* v2 when /sys/fs/cgroup is cgroup2 (unified mode), or when a hybrid
 * host's cgroup2 mount has the memory controller and every one the limits
 * need; else v1. */
bool cg_v2_usable(const struct cgroup_recipe *r, char *root, size_t size)
{
    if (cg_is_v2(CG_ROOT)) {
        snprintf(root, size, "%s", CG_ROOT);
        return true;
    }
    char list[512];
    int fd = open(CG_ROOT "/unified", O_PATH | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && cg_is_v2(CG_ROOT "/unified") &&
              cg_read(fd, "cgroup.controllers", list, sizeof(list)) >= 0 &&
              cg_list_has(list, "memory") && controllers_cover(r, list);
    if (fd >= 0)
        close(fd);
    snprintf(root, size, "%s", CG_ROOT "/unified");
    return ok;
}

static int v2_own_path(char *out, size_t size)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return -errno;
    char line[1024];
    int r = -ENOENT;
    while (r < 0 && fgets(line, sizeof(line), f))
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, size, "%.*s", (int)(size - 1), line + 3);
            r = 0;
        }
    fclose(f);
    return r;
}

static int v2_enable_fail(struct errbuf *e, int err, const struct cg_dir *d, const char *ctl)
{
    if (err == EACCES || err == EPERM)
        return cg_fail_access(e, err, "enable controllers in", d->path);
    int r = err_fail(e, err, "enable controller %s in %s/cgroup.subtree_control", ctl, d->path);
    /* Threaded controllers (pids, cpu) are refused with EOPNOTSUPP there. */
    char procs[8];
    if (err == EBUSY ||
        (err == EOPNOTSUPP && cg_read(d->parent_fd, "cgroup.procs", procs, sizeof(procs)) > 0)) {
        err_append(e,
                   " (cgroup v2 \"no internal processes\" rule: %s holds processes, so it cannot "
                   "hand controllers to a child cgroup; name an empty parent cgroup, e.g. a "
                   "delegated one the caller does not run in, with nsbox_set_cgroup_parent)",
                   d->cgpath);
    }
    return r;
}

/* Delegates the controllers of the cgroup dfd that the limits (required)
 * and the report (memory, optional) use to its children; d names the
 * child in messages. */
static int v2_enable_in(struct errbuf *e, const struct cgroup_recipe *r, const struct cg_dir *d,
                        int dfd)
{
    char enabled[512], avail[512];
    if (cg_read(dfd, "cgroup.subtree_control", enabled, sizeof(enabled)) < 0 ||
        cg_read(dfd, "cgroup.controllers", avail, sizeof(avail)) < 0)
        return err_fail(e, errno, "read the controllers of cgroup %s", d->path);
    for (size_t i = 0; i <= r->n_limits; i++) {
        bool report = i == r->n_limits;
        char ctl[64];
        const char *key = report ? "memory.peak" : r->limits[i].key;
        snprintf(ctl, sizeof(ctl), "%.*s", (int)cg_key_controller(key), key);
        if (!*ctl || cg_list_has(enabled, ctl))
            continue;
        if (!cg_list_has(avail, ctl)) {
            if (report)
                continue;
            return err_fail(e, ENOENT,
                            "cgroup limit %s: controller %s is not available in %s "
                            "(enable it in its parent's cgroup.subtree_control)",
                            key, ctl, d->path);
        }
        char plus[72];
        snprintf(plus, sizeof(plus), "+%s", ctl);
        int rc = cg_write(dfd, "cgroup.subtree_control", plus);
        if (rc < 0 && !report)
            return v2_enable_fail(e, -rc, d, ctl);
        if (rc == 0)
            snprintf(enabled + strlen(enabled), sizeof(enabled) - strlen(enabled), " %s", ctl);
    }
    return 0;
}

/* The parent hands its controllers down to the sandbox's cgroup. */
static int v2_enable(struct errbuf *e, const struct cgroup_recipe *r, const struct cg_dir *d)
{
    return v2_enable_in(e, r, d, d->parent_fd);
}

/* A level of nsbox_set_cgroup_path's path that was missing: its parent
 * hands it the controllers, as the sandbox's own parent does. */
static int v2_level_made(struct errbuf *e, const struct cgroup_recipe *r, struct cg_dir *level)
{
    return v2_enable(e, r, level);
}

/* Writes the limits into the cgroup dfd: the sandbox's (d->fd), or its
 * leaf for the copies (see cg_leaf_copies). */
static int v2_limits(struct errbuf *e, const struct cgroup_recipe *r, const struct cg_dir *d,
                     int dfd)
{
    for (size_t i = 0; i < r->n_limits; i++) {
        const struct cg_limit *l = &r->limits[i];
        int rc = cg_write(dfd, l->key, l->value);
        if (rc == -ENOENT)
            return err_fail(e, ENOENT,
                            "cgroup limit %s: no such file in %s (unknown key, or "
                            "its controller is not enabled there)",
                            l->key, d->path);
        if (rc == -EACCES || rc == -EPERM)
            return cg_fail_access(e, -rc, "write cgroup limit in", d->path);
        if (rc < 0)
            return err_fail(e, -rc, "cgroup limit %s=%s in %s%s", l->key, l->value, d->path,
                            dfd == d->fd ? "" : "/" CG_LEAF);
    }
    return 0;
}

int cg_v2_prepare(struct errbuf *e, const struct cgroup_recipe *r, const char *root,
                  struct cgroup_sandbox *cg)
{
    char own[512];
    int rc = v2_own_path(own, sizeof(own));
    if (rc < 0)
        return err_fail(e, -rc, "find our own cgroup in /proc/self/cgroup");
    struct cg_dir *d = &cg->dirs[cg->n_dirs++];
    d->cgpath = cg_sandbox_parent(r, own);
    d->path = d->cgpath ? cg_join(root, d->cgpath) : NULL;
    if (!d->path)
        return err_fail(e, ENOMEM, "cgroup path");
    rc = cg_path_make(e, r, d, v2_level_made);
    if (rc == 0)
        rc = cg_parent_open(e, d);
    if (rc == 0)
        rc = v2_enable(e, r, d);
    if (rc == 0)
        rc = cg_dir_make(e, cg, d);
    /* The leaf first: a tiny memory limit would refuse its creation. */
    if (rc == 0)
        rc = cg_leaf_make(e, cg, d);
    if (rc == 0)
        rc = v2_limits(e, r, d, d->fd);
    /* The copies on the leaf: the sandbox's cgroup hands it the
     * controllers first (it holds no process itself). */
    if (rc == 0 && cg_leaf_copies(cg) && r->n_limits)
        rc = v2_enable_in(e, r, d, d->fd);
    if (rc == 0 && cg_leaf_copies(cg))
        rc = v2_limits(e, r, d, d->leaf_fd);
    if (rc == 0 && r->n_dev_rules)
        rc = cg_dev_v2_apply(e, r, d);
    return rc;
}

/* cgroup.kill and cgroup.freeze of the sandbox's cgroup act on the whole
 * subtree: the leaf and whatever the sandbox made below it. */
int cg_v2_kill(struct cgroup_sandbox *cg, int sig)
{
    int fd = cg->dirs[0].fd;
    if (sig == SIGKILL) {
        int r = cg_write(fd, "cgroup.kill", "1");
        if (r != -ENOENT)
            return r;
    }
    /* Before Linux 5.14 (no cgroup.kill), or another signal: freeze
     * (5.2+) so that nothing forks or moves while the subtree is walked. */
    bool frozen = cg_write(fd, "cgroup.freeze", "1") == 0;
    int n;
    for (int i = 0; i < 5000; i++) {
        n = cg_signal_tree(fd, sig);
        if (n <= 0 || sig != SIGKILL)
            break;
        nanosleep(&(struct timespec){0, 200000}, NULL);
    }
    if (frozen)
        cg_write(fd, "cgroup.freeze", "0");
    return n < 0 ? n : 0;
}

/* memory.peak needs Linux 5.19: before, the peak is unknown (0). */
void cg_v2_report(struct cgroup_sandbox *cg, nsbox_proc *p)
{
    char buf[1024];
    int fd = cg->dirs[0].fd;
    if (cg_read(fd, "memory.events", buf, sizeof(buf)) > 0)
        p->oom_killed = cg_keyed(buf, "oom_kill") > 0;
    if (cg_read(fd, "memory.peak", buf, sizeof(buf)) > 0)
        p->memory_peak = strtoull(buf, NULL, 10);
    if (cg_read(fd, "cpu.stat", buf, sizeof(buf)) > 0) {
        p->cpu_usec = cg_keyed(buf, "usage_usec");
        p->user_usec = cg_keyed(buf, "user_usec");
        p->sys_usec = cg_keyed(buf, "system_usec");
    }
}
