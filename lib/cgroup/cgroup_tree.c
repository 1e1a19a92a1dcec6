/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup file system as the parent uses it: reads and writes that
 * retry EINTR, the sandbox's two directories (its cgroup with the limits
 * and the CG_LEAF child holding its processes), walks over the subtree the
 * sandbox may have grown below the leaf (signals, removal), and the removal
 * of what dead callers left under a parent; and the helpers the backends
 * share to parse the files and to word a refused access. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_impl.h"

/* Deeper cgroups than this below a sandbox are not walked: the kernel's
 * own nesting of cgroupfs dentries is the real bound, this one keeps the
 * recursion's fds in check. */
#define TREE_DEPTH 64

/* A cgroup below e: any directory but "." and "..", whatever its name. */
static bool sub_cgroup(const struct dirent *e)
{
    return e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
}

ssize_t cg_read(int dfd, const char *name, char *buf, size_t size)
{
    buf[0] = '\0'; /* a string on every path, the failed ones too */
    _cleanup_close_ int fd = (int)CG_RETRY(openat(dfd, name, O_RDONLY | O_CLOEXEC));
    if (fd < 0)
        return -errno;
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = CG_RETRY(read(fd, buf + len, size - 1 - len))) != 0) {
        if (n < 0)
            return -errno;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return (ssize_t)len;
}

int cg_write(int dfd, const char *name, const char *value)
{
    _cleanup_close_ int fd = (int)CG_RETRY(openat(dfd, name, O_WRONLY | O_CLOEXEC));
    if (fd < 0)
        return -errno;
    size_t len = strlen(value);
    ssize_t n = CG_RETRY(write(fd, value, len));
    return n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
}

char *cg_join(const char *dir, const char *name)
{
    size_t len = strlen(dir);
    char *r;
    if (asprintf(&r, "%.*s/%s", (int)(len && dir[len - 1] == '/' ? len - 1 : len), dir,
                 name[0] == '/' ? name + 1 : name) < 0)
        return NULL;
    return r;
}

/* "nsbox-<pid>-<hex>" of a pid that no longer exists. A pid reused since
 * keeps its directories until that process is gone too. */
static bool stale_name(const char *name)
{
    if (strncmp(name, "nsbox-", 6) != 0)
        return false;
    char *end;
    long pid = strtol(name + 6, &end, 10);
    if (end == name + 6 || *end != '-' || pid <= 0 || pid == (long)getpid())
        return false;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* A detached sandbox's cgroup (nsbox_proc_detach sets the sticky bit):
 * it outlives its caller on purpose, until nsbox_cgroup_destroy. */
static bool detached(int parent_fd, const char *name)
{
    struct stat st;
    return fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || (st.st_mode & S_ISVTX);
}

/* A caller killed while its sandboxes ran leaves their cgroups behind:
 * each spawn under the same parent removes those that are empty by now
 * (a sandbox still running keeps its cgroup until a spawn after its end). */
static void stale_remove(int parent_fd)
{
    int fd = (int)CG_RETRY(openat(parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd < 0)
        return;
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(dir));)
        if (e->d_type == DT_DIR && stale_name(e->d_name) && !detached(fd, e->d_name))
            cg_tree_remove(fd, e->d_name);
    closedir(dir);
}

int cg_parent_open(nsbox *box, struct cg_dir *d)
{
    d->parent_fd = (int)CG_RETRY(open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (d->parent_fd < 0)
        return box_fail(box, errno, "open cgroup parent %s", d->path);
    stale_remove(d->parent_fd);
    return 0;
}

static int dir_open(int dfd, const char *name)
{
    return (int)CG_RETRY(openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

int cg_dir_make(nsbox *box, struct cgroup_sandbox *cg, struct cg_dir *d)
{
    char *path = cg_join(d->path, cg->name), *cgpath = cg_join(d->cgpath, cg->name);
    free(d->path);
    free(d->cgpath);
    d->path = path;
    d->cgpath = cgpath;
    if (!path || !cgpath)
        return box_fail(box, ENOMEM, "cgroup path");
    /* A named cgroup (nsbox_set_cgroup_path) may exist: it is used. */
    if (CG_RETRY(mkdirat(d->parent_fd, cg->name, 0755)) < 0 && !(errno == EEXIST && cg->named)) {
        if (errno == EACCES || errno == EPERM || errno == EROFS)
            return cg_fail_access(box, errno, "create cgroup", d->path);
        return box_fail(box, errno, "create cgroup %s", d->path);
    }
    d->fd = dir_open(d->parent_fd, cg->name);
    if (d->fd < 0) {
        int err = errno;
        cg_tree_remove(d->parent_fd, cg->name);
        return box_fail(box, err, "open cgroup %s", d->path);
    }
    return 0;
}

int cg_leaf_make(nsbox *box, struct cg_dir *d)
{
    /* Tests' controls: the processes in the limited cgroup itself (as
     * before the leaf, also for the old placement's). */
    if (box->cg_unguarded || box->test_cgroup_early) {
        d->leaf_fd = (int)fcntl(d->fd, F_DUPFD_CLOEXEC, 3);
        return d->leaf_fd < 0 ? box_fail(box, errno, "dup") : 0;
    }
    if ((CG_RETRY(mkdirat(d->fd, CG_LEAF, 0755)) < 0 && errno != EEXIST) ||
        (d->leaf_fd = dir_open(d->fd, CG_LEAF)) < 0)
        return box_fail(box, errno, "create cgroup %s/" CG_LEAF, d->path);
    return 0;
}

bool cg_leaf_copies(const nsbox *box, const struct cgroup_sandbox *cg)
{
    /* The tests' controls put the processes in the sandbox's cgroup. */
    return cg->named && !box->cg_unguarded && !box->test_cgroup_early;
}

/* Calls fn for each pid of dfd's cgroup.procs, read in chunks (a pid cut
 * at a chunk's end continues in the next); returns how many. */
static int procs_each(int dfd, cg_pid_fn fn, void *arg)
{
    _cleanup_close_ int fd = (int)CG_RETRY(openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC));
    if (fd < 0)
        return -errno;
    char buf[4096];
    long pid = 0;
    int n = 0;
    for (;;) {
        ssize_t len = CG_RETRY(read(fd, buf, sizeof(buf)));
        if (len < 0)
            return -errno;
        for (ssize_t i = 0; i < len; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                pid = pid * 10 + (buf[i] - '0');
                continue;
            }
            if (pid > 0) {
                fn((pid_t)pid, arg);
                n++;
            }
            pid = 0;
        }
        if (len == 0)
            break;
    }
    if (pid > 0) {
        fn((pid_t)pid, arg);
        n++;
    }
    return n;
}

/* NOLINTNEXTLINE(misc-no-recursion): depth is capped at TREE_DEPTH */
static int walk_tree(int dfd, cg_pid_fn fn, void *arg, int depth)
{
    int n = procs_each(dfd, fn, arg);
    if (n < 0 || depth >= TREE_DEPTH)
        return n;
    int fd = (int)CG_RETRY(openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0)
            close(fd);
        return n;
    }
    for (struct dirent *e; (e = readdir(dir));) {
        if (!sub_cgroup(e))
            continue;
        _cleanup_close_ int sub = dir_open(fd, e->d_name);
        int k = sub >= 0 ? walk_tree(sub, fn, arg, depth + 1) : 0;
        n += k > 0 ? k : 0;
    }
    closedir(dir);
    return n;
}

int cg_walk_procs(int dfd, cg_pid_fn fn, void *arg)
{
    return walk_tree(dfd, fn, arg, 0);
}

/* A pid read from cgroup.procs may have been reaped and reused before the
 * kill: cgroup v1 offers nothing better (v2 has cgroup.kill). */
static void pid_signal(pid_t pid, void *sig)
{
    kill(pid, *(int *)sig);
}

int cg_signal_tree(int dfd, int sig)
{
    return walk_tree(dfd, pid_signal, &sig, 0);
}

/* NOLINTNEXTLINE(misc-no-recursion): depth is capped at TREE_DEPTH */
static int tree_remove(int dfd, const char *name, int depth)
{
    if (CG_RETRY(unlinkat(dfd, name, AT_REMOVEDIR)) == 0 || errno == ENOENT)
        return 0;
    int err = errno;
    if ((err != EBUSY && err != ENOTEMPTY && err != EACCES && err != EPERM) || depth >= TREE_DEPTH)
        return err;
    int fd = dir_open(dfd, name);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0)
            close(fd);
        return err;
    }
    for (struct dirent *e; (e = readdir(dir));) {
        if (!sub_cgroup(e))
            continue;
        int r = tree_remove(fd, e->d_name, depth + 1);
        /* A sandbox of the caller's own uid may have taken away the write
         * permission that removing below needs: the owner gives it back. */
        if ((r == EACCES || r == EPERM) && fchmod(fd, 0755) == 0)
            tree_remove(fd, e->d_name, depth + 1);
    }
    closedir(dir);
    if (CG_RETRY(unlinkat(dfd, name, AT_REMOVEDIR)) == 0 || errno == ENOENT)
        return 0;
    return errno;
}

int cg_tree_remove(int dfd, const char *name)
{
    return tree_remove(dfd, name, 0);
}

/* ------------------------------------------------------------ file helpers */

uint64_t cg_keyed(const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL)
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
            return strtoull(line + klen + 1, NULL, 10);
    return 0;
}

bool cg_list_has(const char *list, const char *word)
{
    size_t wlen = strlen(word);
    for (const char *c = list; *c;) {
        size_t len = strcspn(c, ", \n");
        if (len == wlen && strncmp(c, word, len) == 0)
            return true;
        c += len;
        c += strspn(c, ", \n");
    }
    return false;
}

char *cg_parent_path(const char *own, const char *parent)
{
    if (!parent)
        return strdup(own);
    if (parent[0] == '/')
        return strdup(parent);
    return cg_join(own, parent);
}

int cg_fail_access(nsbox *box, int err, const char *what, const char *path)
{
    int r = box_fail(box, err, "%s %s", what, path);
    if (geteuid() != 0)
        box_append(box,
                   " (no writable cgroup for uid %u: run as root, or name a cgroup delegated to "
                   "this user, e.g. chowned to it, with nsbox_set_cgroup_parent)",
                   (unsigned)geteuid());
    return r;
}
