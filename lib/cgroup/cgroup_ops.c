/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Operations on a sandbox's cgroup by its path (nsbox_cgroup_kill, _freeze,
 * _pids, _destroy), for a process other than the spawner: an OCI runtime's
 * kill, pause, resume, ps and delete run as invocations of their own,
 * after nsbox_proc_detach(). The path is looked up in every hierarchy: the
 * cgroup2 one (unified, or a hybrid host's) and each v1 one with
 * controllers. The kernel's permission checks are the only ones: the
 * cgroup files' modes and kill(2)'s. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgroup_impl.h"

/* How long freeze and destroy wait for the kernel. */
#define OPS_WAIT_MS 10000

/* The sandbox's cgroup in each hierarchy that holds the path. */
struct cg_target {
    const char *cgroup; /* as given, for messages */
    const char *name;   /* its last component */
    int n;
    struct {
        bool v2;
        char ctl[64];
        int fd, parent_fd;
        char *path;
    } d[CG_MAX_DIRS + 1];
};

static void target_close(struct cg_target *t)
{
    for (int i = 0; i < t->n; i++) {
        closep(&t->d[i].fd);
        closep(&t->d[i].parent_fd);
        free(t->d[i].path);
    }
    t->n = 0;
}

/* Adds the path in the hierarchy mounted at dir, when it is there. */
static int target_add(struct errbuf *e, struct cg_target *t, const char *dir, bool v2,
                      const char *ctl)
{
    if (t->n == CG_MAX_DIRS + 1)
        return 0;
    _cleanup_free_ char *path = cg_join(dir, t->cgroup);
    if (!path)
        return err_fail(e, ENOMEM, "cgroup %s", t->cgroup);
    int fd = (int)CG_RETRY(open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0)
        return err_fail(e, errno, "open cgroup %s", path);
    int parent_fd = (int)CG_RETRY(openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (parent_fd < 0) {
        int err = errno;
        close(fd);
        return err_fail(e, err, "open the parent of cgroup %s", path);
    }
    t->d[t->n].v2 = v2;
    snprintf(t->d[t->n].ctl, sizeof(t->d[t->n].ctl), "%s", ctl);
    t->d[t->n].fd = fd;
    t->d[t->n].parent_fd = parent_fd;
    t->d[t->n].path = take_ptr(&path);
    t->n++;
    return 0;
}

/* Opens the cgroup in every hierarchy that holds it; -ENOENT when none
 * does, unless missing_ok. The cgroup2 one, if any, comes first. */
static int target_open(struct errbuf *e, const char *cgroup, struct cg_target *t, bool missing_ok)
{
    *t = (struct cg_target){.cgroup = cgroup};
    if (!cgroup || cgroup[0] != '/' || !cgroup[1] || !cg_path_valid(cgroup) || strchr(cgroup, '\n'))
        return err_invalid(e,
                           "cgroup %s: not a sandbox's cgroup path (absolute, as "
                           "nsbox_proc_cgroup returns it; no empty, \".\" or \"..\" component)",
                           cgroup ? cgroup : "(null)");
    t->name = strrchr(cgroup, '/') + 1;
    int r = 0, n = 0;
    struct v1_mount m[V1_MOUNTS];
    if (cg_is_v2(CG_ROOT)) {
        r = target_add(e, t, CG_ROOT, true, "");
    } else {
        if (cg_is_v2(CG_ROOT "/unified"))
            r = target_add(e, t, CG_ROOT "/unified", true, "");
        if (r == 0 && (n = cg_v1_mounts(m, V1_MOUNTS)) < 0)
            r = err_fail(e, -n, "read /proc/self/mountinfo");
    }
    for (int i = 0; r == 0 && i < n; i++)
        if (m[i].ctl[0])
            r = target_add(e, t, m[i].dir, false, m[i].ctl);
    if (r == 0 && !t->n && !missing_ok)
        r = err_fail(e, ENOENT, "cgroup %s: in no cgroup hierarchy", cgroup);
    if (r < 0)
        target_close(t);
    return r;
}

#define CLEANUP_TARGET __attribute__((cleanup(target_close)))

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

struct kill_arg {
    int sig, err;
};

static void pid_kill(pid_t pid, void *arg)
{
    struct kill_arg *k = arg;
    if (kill(pid, k->sig) < 0 && errno != ESRCH && !k->err)
        k->err = errno;
}

/* One pass of signals over the subtree in hierarchy i; returns how many
 * processes it listed. */
static int dir_signal(struct errbuf *e, struct cg_target *t, int i, int sig)
{
    struct kill_arg k = {sig, 0};
    int n = cg_walk_procs(t->d[i].fd, pid_kill, &k);
    if (n < 0)
        return err_fail(e, -n, "list the processes of cgroup %s", t->d[i].path);
    if (k.err)
        return err_fail(e, k.err, "send signal %d to the processes of cgroup %s", sig,
                        t->d[i].path);
    return n;
}

/* True when the v1 freezer holds the subtree (its tasks die only once
 * thawed). */
static bool v1_frozen(const struct cg_target *t)
{
    char buf[32];
    for (int i = 0; i < t->n; i++)
        if (cg_list_has(t->d[i].ctl, "freezer") &&
            cg_read(t->d[i].fd, "freezer.state", buf, sizeof(buf)) > 0 &&
            strncmp(buf, "THAWED", 6) != 0)
            return true;
    return false;
}

/* SIGKILL in hierarchy i: v2's cgroup.kill (Linux 5.14), else passes
 * until nothing is listed (a process with SIGKILL pending cannot fork),
 * for at most a second; one pass when frozen. *empty: the last pass listed
 * no process (what a second listing would say, one walk of the tree less
 * per hierarchy; not known after cgroup.kill or a frozen pass). */
static int dir_kill_all(struct errbuf *e, struct cg_target *t, int i, bool *empty)
{
    *empty = false;
    if (t->d[i].v2) {
        int r = cg_write(t->d[i].fd, "cgroup.kill", "1");
        if (r == 0)
            return 0;
        if (r != -ENOENT)
            return err_fail(e, -r, "kill cgroup %s (cgroup.kill)", t->d[i].path);
    }
    for (int pass = 0; pass < 1000; pass++) {
        int n = dir_signal(e, t, i, SIGKILL);
        if (n <= 0) {
            *empty = n == 0;
            return n;
        }
        /* asked only once there is a process to kill: reading
         * freezer.state costs more than an empty listing */
        if (pass == 0 && v1_frozen(t))
            return 0;
        sleep_ms(1);
    }
    return 0;
}

NSBOX_EXPORT int nsbox_cgroup_kill(nsbox *box, const char *cgroup, int sig)
{
    if (!box)
        return -EINVAL;
    struct errbuf *e = &box->err;
    if (sig < 0 || sig >= NSIG)
        return err_invalid(e, "cgroup %s: signal %d out of range", cgroup, sig);
    CLEANUP_TARGET struct cg_target t;
    int r = target_open(e, cgroup, &t, false);
    if (r < 0)
        return r;
    /* Every process is in the subtree of each hierarchy: one is enough,
     * and signals other than SIGKILL must come once. */
    if (sig != SIGKILL)
        return (r = dir_signal(e, &t, 0, sig)) < 0 ? r : 0;
    bool empty;
    for (int i = 0; i < t.n && r == 0; i++)
        r = dir_kill_all(e, &t, i, &empty);
    return r < 0 ? r : 0;
}

/* The freezer of the sandbox: v2's cgroup.freeze, or the v1 freezer
 * hierarchy's freezer.state. -1 (and a message) when it has none. */
static int freezer_find(struct errbuf *e, const struct cg_target *t)
{
    for (int i = 0; i < t->n; i++)
        if (t->d[i].v2 || cg_list_has(t->d[i].ctl, "freezer"))
            return i;
    err_fail(e, EOPNOTSUPP, "freeze cgroup %s: it is in no freezer hierarchy", t->cgroup);
    return -1;
}

/* True once the kernel reports the state asked for. */
static bool freeze_done(const struct cg_target *t, int i, int frozen)
{
    char buf[512];
    if (t->d[i].v2)
        return cg_read(t->d[i].fd, "cgroup.events", buf, sizeof(buf)) > 0 &&
               cg_keyed(buf, "frozen") == (uint64_t)(frozen != 0);
    return cg_read(t->d[i].fd, "freezer.state", buf, sizeof(buf)) > 0 &&
           strncmp(buf, frozen ? "FROZEN" : "THAWED", 6) == 0;
}

static int freeze_write(struct errbuf *e, const struct cg_target *t, int i, int frozen)
{
    const char *file = t->d[i].v2 ? "cgroup.freeze" : "freezer.state";
    const char *value = t->d[i].v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
    int r = cg_write(t->d[i].fd, file, value);
    if (r == -ENOENT)
        return err_fail(e, EOPNOTSUPP, "freeze cgroup %s: no %s (cgroup v2 freezer: Linux 5.2)",
                        t->d[i].path, file);
    if (r < 0)
        return err_fail(e, -r, "%s cgroup %s (%s=%s)", frozen ? "freeze" : "thaw", t->d[i].path,
                        file, value);
    return 0;
}

NSBOX_EXPORT int nsbox_cgroup_freeze(nsbox *box, const char *cgroup, int frozen)
{
    if (!box)
        return -EINVAL;
    struct errbuf *e = &box->err;
    CLEANUP_TARGET struct cg_target t;
    int r = target_open(e, cgroup, &t, false);
    if (r < 0)
        return r;
    int i = freezer_find(e, &t);
    if (i < 0)
        return -EOPNOTSUPP;
    /* v1 may stay FREEZING while a task is busy: the write is repeated, as
     * runc does. */
    for (int ms = 0; ms < OPS_WAIT_MS; ms++) {
        if ((ms == 0 || !t.d[i].v2) && (r = freeze_write(e, &t, i, frozen)) < 0)
            return r;
        if (freeze_done(&t, i, frozen))
            return 0;
        sleep_ms(1);
    }
    return err_fail(e, ETIMEDOUT, "%s cgroup %s: not %s after %d ms", frozen ? "freeze" : "thaw",
                    t.d[i].path, frozen ? "frozen" : "thawed", OPS_WAIT_MS);
}

struct pid_list {
    pid_t *pids;
    size_t n, count;
};

static void pid_collect(pid_t pid, void *arg)
{
    struct pid_list *l = arg;
    if (l->count < l->n)
        l->pids[l->count] = pid;
    l->count++;
}

NSBOX_EXPORT int nsbox_cgroup_pids(nsbox *box, const char *cgroup, pid_t *pids, size_t n)
{
    if (!box)
        return -EINVAL;
    struct errbuf *e = &box->err;
    if (!pids && n)
        return err_invalid(e, "cgroup %s: pids is NULL with n %zu", cgroup, n);
    CLEANUP_TARGET struct cg_target t;
    int r = target_open(e, cgroup, &t, false);
    if (r < 0)
        return r;
    struct pid_list l = {pids, n, 0};
    r = cg_walk_procs(t.d[0].fd, pid_collect, &l);
    if (r < 0)
        return err_fail(e, -r, "list the processes of cgroup %s", t.d[0].path);
    return (int)l.count;
}

/* Kills and waits until no process is listed in hierarchy i. */
static int dir_empty(struct errbuf *e, struct cg_target *t, int i)
{
    for (int ms = 0; ms < OPS_WAIT_MS; ms++) {
        bool empty;
        int r = dir_kill_all(e, t, i, &empty);
        if (r < 0 || empty)
            return r;
        struct kill_arg k = {0, 0};
        if (cg_walk_procs(t->d[i].fd, pid_kill, &k) == 0)
            return 0;
        sleep_ms(1);
    }
    return err_fail(e, EBUSY, "destroy cgroup %s: processes left after %d ms", t->d[i].path,
                    OPS_WAIT_MS);
}

NSBOX_EXPORT int nsbox_cgroup_destroy(nsbox *box, const char *cgroup)
{
    if (!box)
        return -EINVAL;
    struct errbuf *e = &box->err;
    CLEANUP_TARGET struct cg_target t;
    int r = target_open(e, cgroup, &t, true);
    /* A v1 frozen task does not die: thawed first (v2's die frozen). */
    for (int i = 0; r == 0 && i < t.n; i++)
        if (cg_list_has(t.d[i].ctl, "freezer") &&
            (r = cg_write(t.d[i].fd, "freezer.state", "THAWED")) < 0)
            r = err_fail(e, -r, "thaw cgroup %s", t.d[i].path);
    for (int i = 0; r == 0 && i < t.n; i++)
        r = dir_empty(e, &t, i);
    for (int i = 0; r == 0 && i < t.n; i++) {
        closep(&t.d[i].fd);
        int err = cg_tree_remove(t.d[i].parent_fd, t.name);
        /* A process may still be on its way out: its exit removes it. */
        for (int ms = 0; err == EBUSY && ms < 1000; ms++) {
            sleep_ms(1);
            err = cg_tree_remove(t.d[i].parent_fd, t.name);
        }
        if (err)
            r = err_fail(e, err, "remove cgroup %s", t.d[i].path);
    }
    return r;
}
