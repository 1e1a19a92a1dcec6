/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v1 backend: one directory per controller hierarchy the limits
 * and the report need, with the v1 twin of each limit written into it.
 * The parent writes no pid: the child moves itself into each leaf through
 * the "tasks" files cgroup.c opens for it (cgroup.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgroup_impl.h"

int cg_v1_mounts(struct v1_mount *m, int max)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return -errno;
    char line[1024];
    int n = 0;
    while (n < max && fgets(line, sizeof(line), f)) {
        char root[256], dir[256], fstype[32], opts[512];
        const char *sep = strstr(line, " - ");
        if (!sep || sscanf(sep, " - %31s %*s %511s", fstype, opts) != 2 ||
            strcmp(fstype, "cgroup") != 0 ||
            sscanf(line, "%*s %*s %*s %255s %255s", root, dir) != 2)
            continue;
        snprintf(m[n].dir, sizeof(m[n].dir), "%s", dir);
        snprintf(m[n].root, sizeof(m[n].root), "%s", root);
        /* Super options are "rw,cpu,cpuacct": keep the controller names. */
        m[n].ctl[0] = '\0';
        for (char *save, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
            if (strcmp(o, "rw") != 0 && strcmp(o, "ro") != 0 && !strchr(o, '='))
                snprintf(m[n].ctl + strlen(m[n].ctl), sizeof(m[n].ctl) - strlen(m[n].ctl), "%s%s",
                         m[n].ctl[0] ? "," : "", o);
        n++;
    }
    fclose(f);
    return n;
}

/* The caller's own cgroup in the hierarchy of controller ctl, relative to
 * the mount's root. */
static int v1_own_path(const char *ctl, const char *mount_root, char *out, size_t size)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return -errno;
    char line[1024];
    int r = -ENOENT;
    while (r < 0 && fgets(line, sizeof(line), f)) {
        char *ctls = strchr(line, ':'), *path = ctls ? strchr(ctls + 1, ':') : NULL;
        if (!path)
            continue;
        *path++ = '\0';
        path[strcspn(path, "\n")] = '\0';
        if (!cg_list_has(ctls + 1, ctl))
            continue;
        size_t rlen = strcmp(mount_root, "/") == 0 ? 0 : strlen(mount_root);
        if (rlen && strncmp(path, mount_root, rlen) == 0)
            path += rlen;
        snprintf(out, size, "%s", *path ? path : "/");
        r = 0;
    }
    fclose(f);
    return r;
}

static const struct v1_mount *v1_mount_find(const struct v1_mount *m, int n, const char *ctl)
{
    for (int i = 0; i < n; i++)
        if (cg_list_has(m[i].ctl, ctl))
            return &m[i];
    return NULL;
}

static int v1_cpuset_fill(struct errbuf *e, const struct cg_dir *d, int from, int to);

/* A level of nsbox_set_cgroup_path's path that was missing: a cpuset one
 * takes no process (nor child with CPUs) until it has its parent's. */
static int v1_level_made(struct errbuf *e, const struct cgroup_recipe *r, struct cg_dir *level)
{
    (void)r;
    if (!cg_list_has(level->ctl, "cpuset"))
        return 0;
    return v1_cpuset_fill(e, level, level->parent_fd, level->fd);
}

/* Adds the hierarchy mt of controller ctl to the sandbox (once per
 * hierarchy); returns its index. With existing, only where the sandbox's
 * directory is there already (else -ENOENT). */
static int v1_dir_add(struct errbuf *e, const struct cgroup_recipe *r, struct cgroup_sandbox *cg,
                      const struct v1_mount *mt, const char *ctl, bool required, bool existing)
{
    for (int i = 0; i < cg->n_dirs; i++)
        if (cg_list_has(cg->dirs[i].ctl, ctl))
            return i;
    if (cg->n_dirs == CG_MAX_DIRS)
        return err_fail(e, E2BIG, "cgroup v1 hierarchies");
    char own[512];
    int rc = v1_own_path(ctl, mt->root, own, sizeof(own));
    if (rc < 0 && !required)
        return -ENOENT;
    if (rc < 0)
        return err_fail(e, -rc, "find our own %s cgroup in /proc/self/cgroup", ctl);
    _cleanup_free_ char *cgpath = cg_sandbox_parent(r, own);
    _cleanup_free_ char *path = cgpath ? cg_join(mt->dir, cgpath) : NULL;
    if (!path)
        return err_fail(e, ENOMEM, "cgroup path");
    /* A hierarchy only the report reads is used where the parent exists
     * (nsbox_set_cgroup_path's is made where it may be). */
    if (!required && !r->path && access(path, F_OK) < 0 && errno == ENOENT)
        return -ENOENT;
    _cleanup_free_ char *own_dir = existing ? cg_join(path, cg->name) : NULL;
    if (existing && (!own_dir || access(own_dir, F_OK) < 0))
        return -ENOENT;
    struct cg_dir *d = &cg->dirs[cg->n_dirs++];
    snprintf(d->ctl, sizeof(d->ctl), "%s", mt->ctl);
    d->cgpath = take_ptr(&cgpath);
    d->path = take_ptr(&path);
    rc = cg_path_make(e, r, d, v1_level_made);
    if (rc == 0)
        rc = cg_parent_open(e, d);
    if (rc == 0)
        rc = cg_dir_make(e, cg, d);
    /* The device rules before the leaf, which copies them (cgroup_devices.c). */
    if (rc == 0 && r->n_dev_rules && cg_list_has(d->ctl, "devices"))
        rc = cg_dev_v1_apply(e, r, d);
    /* The leaf before the limits: a tiny memory limit refuses its creation. */
    if (rc == 0)
        rc = cg_leaf_make(e, cg, d);
    if (rc < 0 && !required && d->fd < 0) {
        /* Not ours to write: the report goes without it. */
        closep(&d->parent_fd);
        free(d->path);
        free(d->cgpath);
        *d = (struct cg_dir){.fd = -1, .leaf_fd = -1, .parent_fd = -1, .tasks_fd = -1};
        cg->n_dirs--;
        err_clear(e);
        return -ENOENT;
    }
    return rc < 0 ? rc : cg->n_dirs - 1;
}

/* A v1 cpuset cgroup starts with no CPUs and no memory nodes and takes no
 * process: the parent's are copied where the recipe sets none, and the
 * sandbox's into its leaf. */
static int v1_cpuset_fill(struct errbuf *e, const struct cg_dir *d, int from, int to)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    for (int i = 0; i < 2; i++) {
        char buf[256];
        ssize_t n = cg_read(from, files[i], buf, sizeof(buf));
        int r = n < 0 ? (int)n : cg_write(to, files[i], buf);
        if (r < 0)
            return err_fail(e, -r, "copy %s into %s%s", files[i], d->path,
                            to == d->leaf_fd ? "/" CG_LEAF : "");
    }
    return 0;
}

/* Writes one limit into the sandbox's cgroup of its hierarchy, or into
 * its leaf for the copies (cg_leaf_copies). */
static int v1_limit_write(struct errbuf *e, const struct cgroup_recipe *r,
                          struct cgroup_sandbox *cg, const struct cg_limit *l, bool leaf)
{
    struct cg_v1_write w[2];
    int n = cg_v1_translate(e, r, l, w);
    for (int i = 0; i < n; i++) {
        const struct cg_dir *d = NULL;
        for (int k = 0; k < cg->n_dirs && !d; k++)
            if (cg_list_has(cg->dirs[k].ctl, w[i].ctl))
                d = &cg->dirs[k];
        /* v1_dirs added each limit's hierarchy; this holds if it did not */
        if (!d)
            return err_fail(e, ENOENT, "cgroup limit %s: no cgroup v1 %s hierarchy", l->key,
                            w[i].ctl);
        int rc = cg_write(leaf ? d->leaf_fd : d->fd, w[i].file, w[i].value);
        if (rc == -ENOENT && strstr(w[i].file, "memsw"))
            return err_fail(e, ENOENT,
                            "cgroup limit %s: this kernel has no swap accounting "
                            "(%s/%s; boot with swapaccount=1)",
                            l->key, d->path, w[i].file);
        if (rc < 0)
            return err_fail(e, -rc, "cgroup limit %s=%s (v1: %s%s/%s=%s)", l->key, l->value,
                            d->path, leaf ? "/" CG_LEAF : "", w[i].file, w[i].value);
    }
    return n < 0 ? n : 0;
}

/* The hierarchies: each limit's controller, plus memory and cpuacct for
 * the report where they are mounted. */
static int v1_dirs(struct errbuf *e, const struct cgroup_recipe *r, struct cgroup_sandbox *cg)
{
    struct v1_mount m[V1_MOUNTS];
    int n = cg_v1_mounts(m, V1_MOUNTS);
    if (n < 0)
        return err_fail(e, -n, "read /proc/self/mountinfo");
    for (size_t i = 0; i < r->n_limits; i++) {
        const char *ctl = cg_v1_controller(r->limits[i].key);
        if (!ctl) {
            struct cg_v1_write w[2];
            return cg_v1_translate(e, r, &r->limits[i], w);
        }
        const struct v1_mount *mt = v1_mount_find(m, n, ctl);
        if (!mt)
            return err_fail(e, ENOENT, "cgroup limit %s: no cgroup v1 %s controller is mounted",
                            r->limits[i].key, ctl);
        int k = v1_dir_add(e, r, cg, mt, ctl, true, false);
        if (k < 0)
            return k;
    }
    if (r->n_dev_rules) {
        const struct v1_mount *mt = v1_mount_find(m, n, "devices");
        if (!mt)
            return err_fail(e, ENOENT, "device rules: no cgroup v1 devices controller is mounted");
        int k = v1_dir_add(e, r, cg, mt, "devices", true, false);
        if (k < 0)
            return k;
    }
    /* The report's hierarchies: 0 (unknown) where absent; cpu for the
     * init's own leaf (cg_enforcer.c); a named cgroup (nsbox_set_cgroup_path,
     * an OCI runtime's) is also in the freezer and pids hierarchies, for
     * nsbox_cgroup_freeze(). */
    /* A named cgroup that has a devices directory already (a container's,
     * whose rules it holds) is joined there too: a process nsbox-oci exec
     * adds must not escape the rules. */
    static const char *const report[] = {"memory", "cpuacct", "cpu", "freezer", "pids", "devices"};
    int other = -1;
    int *slot[] = {&cg->mem, &cg->cpuacct, &cg->cpu, &other, &other, &other};
    const bool wanted[] = {true,           true, cg->enforcer, r->path != NULL, r->path != NULL,
                           r->path != NULL};
    for (size_t i = 0; i < ARRAY_SIZE(report); i++) {
        if (!wanted[i])
            continue;
        /* A CPU-time limit reads cpuacct: then it is required. */
        bool required = i == 1 && cg->need_cpu;
        const struct v1_mount *mt = v1_mount_find(m, n, report[i]);
        if (!mt && required)
            return err_fail(e, ENOENT,
                            "CPU-time limit: no cgroup v1 cpuacct controller is mounted");
        /* devices: joined where it exists, never made for a report */
        bool existing = strcmp(report[i], "devices") == 0;
        int k = mt ? v1_dir_add(e, r, cg, mt, report[i], required, existing) : -ENOENT;
        if (k < 0 && k != -ENOENT)
            return k;
        *slot[i] = k < 0 ? -1 : k;
    }
    if (cg->n_dirs == 0)
        return err_fail(e, ENOENT,
                        "no cgroup v1 memory or cpuacct hierarchy holds the parent cgroup %s",
                        r->parent ? r->parent : "(the caller's own)");
    return 0;
}

int cg_v1_prepare(struct errbuf *e, const struct cgroup_recipe *r, struct cgroup_sandbox *cg)
{
    int rc = v1_dirs(e, r, cg);
    for (int i = 0; rc == 0 && i < cg->n_dirs; i++)
        if (cg_list_has(cg->dirs[i].ctl, "cpuset"))
            rc = v1_cpuset_fill(e, &cg->dirs[i], cg->dirs[i].parent_fd, cg->dirs[i].fd);
    /* memory.swap.max last: v1 wants memory+swap >= memory. Passes 2 and
     * 3 write the leaf's copies. */
    int passes = cg_leaf_copies(cg) ? 4 : 2;
    for (int pass = 0; pass < passes; pass++)
        for (size_t i = 0; rc == 0 && i < r->n_limits; i++)
            if ((strcmp(r->limits[i].key, "memory.swap.max") == 0) == (pass % 2 == 1))
                rc = v1_limit_write(e, r, cg, &r->limits[i], pass >= 2);
    /* The leaf's CPUs and nodes: the sandbox's, once they are set. */
    for (int i = 0; rc == 0 && i < cg->n_dirs; i++)
        if (cg_list_has(cg->dirs[i].ctl, "cpuset"))
            rc = v1_cpuset_fill(e, &cg->dirs[i], cg->dirs[i].fd, cg->dirs[i].leaf_fd);
    return rc;
}

/* The subtree of one hierarchy holds every process of the sandbox: each
 * started in the leaf of every hierarchy used, and a process can move only
 * to cgroups it can see, those below the leaf (the host's cgroupfs is
 * read-only in the sandbox's mount namespace, see cgroup_child.c). */
int cg_v1_kill(struct cgroup_sandbox *cg, int sig)
{
    if (cg->n_dirs == 0)
        return -ESRCH;
    int fd = cg->dirs[0].fd;
    if (sig != SIGKILL) {
        int n = cg_signal_tree(fd, sig);
        return n < 0 ? n : 0;
    }
    /* v1 has no cgroup.kill: a process with SIGKILL pending cannot fork,
     * so listing and killing until the subtree is empty ends. */
    for (int i = 0; i < 5000; i++) {
        int n = cg_signal_tree(fd, SIGKILL);
        if (n <= 0)
            return n;
        nanosleep(&(struct timespec){0, 200000}, NULL);
    }
    return -EBUSY;
}

void cg_v1_report(struct cgroup_sandbox *cg, nsbox_proc *p)
{
    char buf[512];
    if (cg->mem >= 0) {
        int fd = cg->dirs[cg->mem].fd;
        /* v1 counts an OOM kill in the victim's own cgroup: the leaf. */
        int leaf = cg->dirs[cg->mem].leaf_fd;
        if (cg_read(fd, "memory.oom_control", buf, sizeof(buf)) > 0)
            p->oom_killed = cg_keyed(buf, "oom_kill") > 0;
        if (leaf >= 0 && cg_read(leaf, "memory.oom_control", buf, sizeof(buf)) > 0)
            p->oom_killed |= cg_keyed(buf, "oom_kill") > 0;
        if (cg_read(fd, "memory.max_usage_in_bytes", buf, sizeof(buf)) > 0)
            p->memory_peak = strtoull(buf, NULL, 10);
    }
    if (cg->cpuacct < 0)
        return;
    int fd = cg->dirs[cg->cpuacct].fd;
    if (cg_read(fd, "cpuacct.usage", buf, sizeof(buf)) > 0)
        p->cpu_usec = strtoull(buf, NULL, 10) / 1000;
    /* cpuacct.stat counts in USER_HZ ticks. */
    long hz = sysconf(_SC_CLK_TCK);
    if (hz > 0 && cg_read(fd, "cpuacct.stat", buf, sizeof(buf)) > 0) {
        p->user_usec = cg_keyed(buf, "user") * 1000000 / (uint64_t)hz;
        p->sys_usec = cg_keyed(buf, "system") * 1000000 / (uint64_t)hz;
    }
}
