/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup file system as the parent uses it: reads and writes that
 * retry EINTR, the sandbox's two directories (its cgroup with the limits
 * and the CG_LEAF child holding its processes), walks over the subtree the
 * sandbox may have grown below the leaf (signals, removal), however deep;
 * and the helpers the backends share to parse the files and to word a
 * refused access. */
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

/* A cgroup below e: any directory but "." and "..", whatever its name. */
static bool sub_cgroup(const struct dirent64 *e)
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

static int dir_open(int dfd, const char *name)
{
    return (int)CG_RETRY(openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

int cg_dir_make(struct errbuf *e, struct cgroup_sandbox *cg, struct cg_dir *d)
{
    char *path = cg_join(d->path, cg->name), *cgpath = cg_join(d->cgpath, cg->name);
    free(d->path);
    free(d->cgpath);
    d->path = path;
    d->cgpath = cgpath;
    if (!path || !cgpath)
        return err_fail(e, ENOMEM, "cgroup path");
    /* A named cgroup (nsbox_set_cgroup_path) may exist: it is used, and
     * is not ours to remove (cgroup_shared). */
    d->made = CG_RETRY(mkdirat(d->parent_fd, cg->name, 0755)) == 0;
    if (!d->made && !(errno == EEXIST && cg->named)) {
        if (errno == EACCES || errno == EPERM || errno == EROFS)
            return cg_fail_access(e, errno, "create cgroup", d->path);
        return err_fail(e, errno, "create cgroup %s", d->path);
    }
    d->fd = dir_open(d->parent_fd, cg->name);
    if (d->fd < 0) {
        int err = errno;
        if (d->made)
            cg_tree_remove(d->parent_fd, cg->name);
        return err_fail(e, err, "open cgroup %s", d->path);
    }
    return 0;
}

int cg_leaf_make(struct errbuf *e, const struct cgroup_sandbox *cg, struct cg_dir *d)
{
    /* Tests' controls: the processes in the limited cgroup itself (as
     * before the leaf, also for the old placement's). */
    if (cg->leaf_shared) {
        d->leaf_fd = (int)fcntl(d->fd, F_DUPFD_CLOEXEC, 3);
        return d->leaf_fd < 0 ? err_fail(e, errno, "dup") : 0;
    }
    /* An existing named cgroup may have its leaf (a running container's,
     * which nsbox-oci exec joins). */
    d->leaf_made = CG_RETRY(mkdirat(d->fd, CG_LEAF, 0755)) == 0;
    if ((!d->leaf_made && errno != EEXIST) || (d->leaf_fd = dir_open(d->fd, CG_LEAF)) < 0)
        return err_fail(e, errno, "create cgroup %s/" CG_LEAF, d->path);
    return 0;
}

bool cg_leaf_copies(const struct cgroup_sandbox *cg)
{
    /* The tests' controls put the processes in the sandbox's cgroup. */
    return cg->named && !cg->leaf_shared;
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

/* ------------------------------------------------------------ tree walks */

/* The subtree below a sandbox is the command's to shape: as deep and as
 * wide as the kernel lets it make cgroups (v1 sets no bound; v2's
 * cgroup.max.depth is unlimited by default). The walks below therefore
 * have no depth bound and no recursion: one level's sub-cgroups are read
 * in one pass when the walk enters it, kept on a heap stack, and the walk
 * holds one directory fd at a time, going back up through "..". */
struct level {
    char **names; /* the sub-cgroups, read when the walk entered the level */
    size_t n;
    size_t next; /* the next one to enter; names[next - 1] is the one below */
};

static void level_free(struct level *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    *l = (struct level){0};
}

/* Adds name to l's names. */
static int level_add(struct level *l, size_t *cap, const char *name)
{
    if (l->n == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        char **names = realloc(l->names, *cap * sizeof(*names));
        if (!names)
            return -ENOMEM;
        l->names = names;
    }
    if (!(l->names[l->n] = strdup(name)))
        return -ENOMEM;
    l->n++;
    return 0;
}

/* Reads the names of the sub-cgroups of fd into l, with getdents64 on a
 * fresh fd: a walk reads every level of every hierarchy, and opendir's
 * fstat and two fcntl calls would be a third of its system calls. */
static int level_read(int fd, struct level *l)
{
    *l = (struct level){0};
    _cleanup_close_ int dfd = (int)CG_RETRY(openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd < 0)
        return -errno;
    char buf[8192] __attribute__((aligned(8)));
    size_t cap = 0;
    int r = 0;
    for (ssize_t len; r == 0 && (len = CG_RETRY(getdents64(dfd, buf, sizeof(buf)))) != 0;) {
        if (len < 0) {
            r = -errno;
            break;
        }
        for (ssize_t off = 0; r == 0 && off < len;) {
            const struct dirent64 *e = (const struct dirent64 *)(buf + off);
            off += e->d_reclen;
            if (sub_cgroup(e))
                r = level_add(l, &cap, e->d_name);
        }
    }
    if (r < 0)
        level_free(l);
    return r;
}

/* What a walk does: enter(fd) at each cgroup before those below it (its
 * result, when positive, is summed; the root's error ends the walk),
 * leave(parent_fd, name) after the subtree of name. Either may be NULL. */
struct walk_ops {
    int (*enter)(int fd, void *arg);
    void (*leave)(int parent_fd, const char *name, void *arg);
    void *arg;
};

struct walk {
    int fd; /* the cgroup visited now */
    struct level *lv;
    size_t depth, cap;
};

static void walk_free(struct walk *w)
{
    for (size_t i = 0; i < w->cap && w->lv; i++)
        level_free(&w->lv[i]);
    free(w->lv);
    closep(&w->fd);
}

/* Room for the level below w->depth. */
static int walk_grow(struct walk *w)
{
    if (w->depth + 1 >= w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        struct level *lv = realloc(w->lv, cap * sizeof(*lv));
        if (!lv)
            return -ENOMEM;
        memset(lv + w->cap, 0, (cap - w->cap) * sizeof(*lv));
        w->lv = lv;
        w->cap = cap;
    }
    return 0;
}

/* Enters sub, a sub-cgroup of w->fd: reads its level. */
static int walk_down(struct walk *w, int sub)
{
    int r = walk_grow(w);
    if (r == 0)
        r = level_read(sub, &w->lv[w->depth + 1]);
    if (r < 0)
        return r;
    close(w->fd);
    w->fd = sub;
    w->depth++;
    return 0;
}

/* Back to the parent of w->fd: ".." (a v1 rename keeps a cgroup under
 * its parent, v2 has none), else the names from the root again. */
static int walk_up(struct walk *w, int root)
{
    level_free(&w->lv[w->depth]);
    w->depth--;
    int up = (int)CG_RETRY(openat(w->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (up < 0) {
        up = (int)fcntl(root, F_DUPFD_CLOEXEC, 3);
        for (size_t k = 0; up >= 0 && k < w->depth; k++) {
            int sub = (int)CG_RETRY(openat(up, w->lv[k].names[w->lv[k].next - 1],
                                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            close(up);
            up = sub;
        }
    }
    if (up < 0)
        return -errno;
    close(w->fd);
    w->fd = up;
    return 0;
}

static int tree_walk(int root, const struct walk_ops *ops)
{
    struct walk w = {.fd = (int)fcntl(root, F_DUPFD_CLOEXEC, 3)};
    if (w.fd < 0)
        return -errno;
    int n = ops->enter ? ops->enter(w.fd, ops->arg) : 0;
    int r = n < 0 ? n : walk_grow(&w);
    if (r == 0)
        r = level_read(w.fd, &w.lv[0]);
    while (r == 0) {
        struct level *l = &w.lv[w.depth];
        if (l->next < l->n) {
            const char *name = l->names[l->next++];
            int sub =
                (int)CG_RETRY(openat(w.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (sub < 0)
                continue; /* removed meanwhile */
            int k = ops->enter ? ops->enter(sub, ops->arg) : 0;
            n += k > 0 ? k : 0;
            /* A level that cannot be read is being removed (it is empty
             * then): its processes were listed, it has none below. */
            int d = walk_down(&w, sub);
            if (d < 0) {
                close(sub);
                if (d == -ENOMEM)
                    r = d;
            }
            continue;
        }
        if (w.depth == 0)
            break;
        r = walk_up(&w, root);
        if (r == 0 && ops->leave)
            ops->leave(w.fd, w.lv[w.depth].names[w.lv[w.depth].next - 1], ops->arg);
    }
    walk_free(&w);
    return r < 0 ? r : n;
}

struct procs_arg {
    cg_pid_fn fn;
    void *arg;
};

static int procs_enter(int fd, void *arg)
{
    struct procs_arg *a = arg;
    return procs_each(fd, a->fn, a->arg);
}

int cg_walk_procs(int dfd, cg_pid_fn fn, void *arg)
{
    struct procs_arg a = {fn, arg};
    return tree_walk(dfd, &(struct walk_ops){.enter = procs_enter, .arg = &a});
}

/* A pid read from cgroup.procs may have been reaped and reused before the
 * kill: cgroup v1 offers nothing better (v2 has cgroup.kill). */
static void pid_signal(pid_t pid, void *sig)
{
    kill(pid, *(int *)sig);
}

int cg_signal_tree(int dfd, int sig)
{
    return cg_walk_procs(dfd, pid_signal, &sig);
}

/* Removes one cgroup below parent_fd whose subtree the walk removed. */
static void remove_leave(int parent_fd, const char *name, void *arg)
{
    (void)arg;
    if (CG_RETRY(unlinkat(parent_fd, name, AT_REMOVEDIR)) == 0 ||
        (errno != EACCES && errno != EPERM))
        return;
    /* A sandbox of the caller's own uid may have taken away the write
     * permission that removing below needs: the owner gives it back. */
    if (fchmod(parent_fd, 0755) == 0)
        CG_RETRY(unlinkat(parent_fd, name, AT_REMOVEDIR));
}

int cg_tree_remove(int dfd, const char *name)
{
    if (CG_RETRY(unlinkat(dfd, name, AT_REMOVEDIR)) == 0 || errno == ENOENT)
        return 0;
    int err = errno;
    if (err != EBUSY && err != ENOTEMPTY && err != EACCES && err != EPERM)
        return err;
    _cleanup_close_ int fd = dir_open(dfd, name);
    if (fd < 0)
        return err;
    tree_walk(fd, &(struct walk_ops){.leave = remove_leave});
    if (CG_RETRY(unlinkat(dfd, name, AT_REMOVEDIR)) == 0 || errno == ENOENT)
        return 0;
    return errno;
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

int cg_fail_access(struct errbuf *e, int err, const char *what, const char *path)
{
    int r = err_fail(e, err, "%s %s", what, path);
    if (geteuid() != 0)
        err_append(e,
                   " (no writable cgroup for uid %u: run as root, or name a cgroup delegated to "
                   "this user, e.g. chowned to it, with nsbox_set_cgroup_parent)",
                   (unsigned)geteuid());
    return r;
}
