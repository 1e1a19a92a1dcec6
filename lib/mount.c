/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's mounts: runs the plan's entries in order, raw system calls
 * only (see child.c).
 *
 * Order: "/" becomes recursively private before anything is mounted, so
 * that nothing propagates back to the host. With a new root, a staging
 * tmpfs is mounted on /tmp and pivoted into, which hangs the host's tree at
 * /oldroot (so sources stay reachable) and the new root at /newroot; once
 * the entries ran, /oldroot is detached and /newroot pivoted into. procfs
 * is mounted while /oldroot/proc is still visible: the kernel refuses a new
 * procfs in a user namespace that does not see a full one.
 *
 * Mounts use the fd-based mount API: a tree is cloned (open_tree, Linux
 * 5.2) or made (fsopen/fsmount, 5.2), its flags set recursively while it is
 * still detached (mount_setattr, 5.12), and attached to an fd of the
 * destination (move_mount). Destinations are opened with openat2
 * RESOLVE_IN_ROOT (5.6) relative to the root, so that ".." and symlinks,
 * absolute ones included, never lead out of it. No step reads
 * /proc/self/mountinfo: the cost of an entry does not grow with the number
 * of mounts already made. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "child.h"
#include "mount.h"
#include "sys.h"

#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif

CHILD static void child_close(long fd)
{
    if (fd >= 0)
        sys1(SYS_close, fd);
}

/* An O_PATH fd of path, resolved with dirfd as its root. */
CHILD static long child_open_in(long dirfd, const char *path, unsigned long flags)
{
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC | flags,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    return sys4(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* Opens the directory rel inside the root, making missing components as
 * 0755 directories, each created in its resolved parent (so a symlink on
 * the way is followed inside the root, never out of it). */
CHILD static long child_walk(long rootfd, char *rel)
{
    long fd = child_open_in(rootfd, rel, O_DIRECTORY);
    if (fd != -ENOENT)
        return fd;
    long parent = child_open_in(rootfd, ".", O_DIRECTORY);
    for (int i = 0, start = 0; parent >= 0; i++) {
        char c = rel[i];
        if (c != '/' && c != '\0')
            continue;
        rel[i] = '\0';
        fd = child_open_in(rootfd, rel, O_DIRECTORY);
        if (fd == -ENOENT) {
            long r = sys3(SYS_mkdirat, parent, rel + start, 0755);
            fd = r < 0 && r != -EEXIST ? r : child_open_in(rootfd, rel, O_DIRECTORY);
        }
        rel[i] = c;
        child_close(parent);
        parent = fd;
        if (c == '\0')
            break;
        start = i + 1;
    }
    return parent;
}

/* The directory holding dst's last component. */
CHILD static long child_parent(long rootfd, struct mount_entry *e)
{
    if (e->name_off == 0)
        return child_open_in(rootfd, ".", O_DIRECTORY);
    e->dst[e->name_off - 1] = '\0';
    long fd = child_walk(rootfd, e->dst);
    e->dst[e->name_off - 1] = '/';
    return fd;
}

/* An O_PATH fd of the mount point dst, made when missing: a directory, or
 * an empty file (mode 0444, as bwrap makes them) for a non-directory. */
CHILD static long child_mount_point(long rootfd, struct mount_entry *e, bool dir)
{
    long fd = child_open_in(rootfd, e->dst, 0);
    if (fd != -ENOENT)
        return fd;
    long parent = child_parent(rootfd, e);
    if (parent < 0)
        return parent;
    const char *name = e->dst + e->name_off;
    long r = dir ? sys3(SYS_mkdirat, parent, name, 0755)
                 : sys4(SYS_openat, parent, name,
                        O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);
    if (!dir && r >= 0)
        child_close(r);
    child_close(parent);
    if (r < 0 && r != -EEXIST)
        return r;
    return child_open_in(rootfd, e->dst, 0);
}

/* "/proc/self/fd/<fd>" (under /oldroot while a new root is built): the
 * path of what an O_PATH fd refers to, for calls that take no fd. */
CHILD static char *child_fd_path(const struct mount_plan *mp, long fd, char path[48])
{
    char digits[12], *end = path;
    for (const char *c = mp->new_root ? "/oldroot/proc/self/fd/" : "/proc/self/fd/"; *c; c++)
        *end++ = *c;
    int n = 0;
    for (unsigned long v = (unsigned long)fd; n == 0 || v; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    while (n)
        *end++ = digits[--n];
    *end = '\0';
    return path;
}

/* Before Linux 5.12 (no mount_setattr): a bind remount of the top mount
 * only, keeping the flags the kernel locked on the source (nosuid, nodev,
 * noexec, atime: ST_* and MS_* share their values), through the fd's
 * /proc/self/fd link. Sub-mounts keep their flags on such kernels. */
CHILD static long child_remount_fallback(const struct mount_plan *mp, long fd, uint64_t attr)
{
    struct statfs sfs;
    long r = sys2(SYS_fstatfs, fd, &sfs);
    if (r < 0)
        return r;
    unsigned long keep =
        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME;
    unsigned long flags = ((unsigned long)sfs.f_flags & keep) | MS_REMOUNT | MS_BIND;
    flags |= attr & MOUNT_ATTR_RDONLY ? MS_RDONLY : 0;
    flags |= attr & MOUNT_ATTR_NOSUID ? MS_NOSUID : 0;
    flags |= attr & MOUNT_ATTR_NODEV ? MS_NODEV : 0;
    flags |= attr & MOUNT_ATTR_NOEXEC ? MS_NOEXEC : 0;
    char path[48];
    return sys5(SYS_mount, 0, child_fd_path(mp, fd, path), 0, flags, 0);
}

CHILD static long child_setattr(long fd, unsigned flags, uint64_t attr)
{
    struct mount_attr a = {.attr_set = attr};
    return sys5(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | flags, &a, sizeof(a));
}

/* Attaches the detached tree at dst. A tree whose flags could not be set
 * while detached (no mount_setattr) gets them by the remount fallback. */
CHILD static int child_attach(struct plan *p, long rootfd, struct mount_entry *e, int index,
                              long tree, uint64_t attr, bool dir)
{
    struct mount_plan *mp = p->mounts;
    long r = attr ? child_setattr(tree, AT_RECURSIVE, attr) : 0;
    bool fallback = r == -ENOSYS;
    if (r < 0 && !fallback)
        return child_fail(p, STEP_MOUNT, r, index + PHASE_ATTR);
    long dst = child_mount_point(rootfd, e, dir);
    if (dst < 0)
        return child_fail(p, STEP_MOUNT, dst, index + PHASE_MKPOINT);
    r = sys5(SYS_move_mount, tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    child_close(dst);
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, index);
    if (fallback && (r = child_remount_fallback(mp, tree, attr)) < 0)
        return child_fail(p, STEP_MOUNT, r, index + PHASE_ATTR);
    return 0;
}

CHILD static long child_open_tree(const char *src)
{
    return sys3(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
}

CHILD static int child_bind(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long tree = e->pre >= 0 ? p->mounts->pre_fds[e->pre] : child_open_tree(e->src);
    if (tree == -ENOENT && e->try_)
        return 0;
    if (tree < 0)
        return child_fail(p, STEP_MOUNT, tree, index);
    struct statx stx;
    long r = sys5(SYS_statx, tree, "", AT_EMPTY_PATH, STATX_TYPE, &stx);
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, index);
    r = child_attach(p, rootfd, e, index, tree, e->attr, S_ISDIR(stx.stx_mode));
    child_close(tree);
    return (int)r;
}

CHILD static int child_fs(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long fs = sys2(SYS_fsopen, e->fstype, FSOPEN_CLOEXEC);
    long r = fs;
    for (int i = 0; r >= 0 && e->opts[i]; i += 2)
        r = sys5(SYS_fsconfig, fs, FSCONFIG_SET_STRING, e->opts[i], e->opts[i + 1], 0);
    if (r >= 0)
        r = sys5(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, 0, 0, 0);
    long tree = r >= 0 ? sys3(SYS_fsmount, fs, FSMOUNT_CLOEXEC, e->attr) : r;
    child_close(fs);
    uint64_t attr = 0; /* fsmount set the flags already */
    /* A user namespace may not make a procfs for a PID namespace it does
     * not own (none of its own): the host's /proc is bound instead. */
    if (tree == -EPERM && e->src) {
        tree = child_open_tree(e->src);
        attr = e->attr;
    }
    if (tree < 0)
        return child_fail(p, STEP_MOUNT, tree, index);
    r = child_attach(p, rootfd, e, index, tree, attr, true);
    child_close(tree);
    return (int)r;
}

CHILD static int child_dir(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long parent = child_parent(rootfd, e);
    if (parent < 0)
        return child_fail(p, STEP_MOUNT, parent, index + PHASE_MKPOINT);
    long r = sys3(SYS_mkdirat, parent, e->dst + e->name_off, e->mode);
    child_close(parent);
    if (r == -EEXIST) {
        r = child_open_in(rootfd, e->dst, O_DIRECTORY);
        child_close(r);
    }
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
}

CHILD static bool child_streq(const char *a, const char *b, long blen)
{
    long i = 0;
    for (; i < blen; i++)
        if (a[i] != b[i])
            return false;
    return a[i] == '\0';
}

/* An existing link with the same target is fine; anything else is EEXIST. */
CHILD static int child_symlink(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long parent = child_parent(rootfd, e);
    if (parent < 0)
        return child_fail(p, STEP_MOUNT, parent, index + PHASE_MKPOINT);
    const char *name = e->dst + e->name_off;
    long r = sys3(SYS_symlinkat, e->src, parent, name);
    if (r == -EEXIST) {
        long n = sys4(SYS_readlinkat, parent, name, p->mounts->linkbuf, PATH_MAX);
        if (n >= 0 && n < PATH_MAX && child_streq(e->src, p->mounts->linkbuf, n))
            r = 0;
    }
    child_close(parent);
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
}

/* Like bwrap's --file: created or truncated, never through a symlink. */
CHILD static int child_file(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long parent = child_parent(rootfd, e);
    if (parent < 0)
        return child_fail(p, STEP_MOUNT, parent, index + PHASE_MKPOINT);
    long fd = sys4(SYS_openat, parent, e->dst + e->name_off,
                   O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, e->mode);
    child_close(parent);
    if (fd < 0)
        return child_fail(p, STEP_MOUNT, fd, index);
    long r = sys2(SYS_fchmod, fd, e->mode);
    for (size_t off = 0; r >= 0 && off < e->len; off += (size_t)r)
        r = sys_retry(sys3(SYS_write, fd, (const char *)e->data + off, e->len - off));
    child_close(fd);
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index + PHASE_WRITE) : 0;
}

/* bwrap's --bind-data: the file is made on the staging tmpfs, bound at
 * dst, and unlinked, so that only the bind mount reaches it. */
CHILD static int child_bind_data(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long fd = sys4(SYS_openat, AT_FDCWD, e->src,
                   O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return child_fail(p, STEP_MOUNT, fd, index + PHASE_WRITE);
    long r = sys2(SYS_fchmod, fd, e->mode);
    for (size_t off = 0; r >= 0 && off < e->len; off += (size_t)r)
        r = sys_retry(sys3(SYS_write, fd, (const char *)e->data + off, e->len - off));
    child_close(fd);
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, index + PHASE_WRITE);
    long tree = child_open_tree(e->src);
    if (tree < 0)
        return child_fail(p, STEP_MOUNT, tree, index);
    /* Attached before the unlink: the kernel does not attach a tree whose
     * root is unlinked. The staging tmpfs goes away with the old root. */
    r = child_attach(p, rootfd, e, index, tree, e->attr, false);
    child_close(tree);
    if (r == 0)
        sys3(SYS_unlinkat, AT_FDCWD, e->src, 0);
    return (int)r;
}

CHILD static int child_remount_ro(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long fd = child_open_in(rootfd, e->dst, 0);
    if (fd < 0)
        return child_fail(p, STEP_MOUNT, fd, index + PHASE_MKPOINT);
    long r = child_setattr(fd, AT_RECURSIVE, MOUNT_ATTR_RDONLY);
    if (r == -ENOSYS)
        r = child_remount_fallback(p->mounts, fd, MOUNT_ATTR_RDONLY);
    child_close(fd);
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
}

/* chmod has no fd form for an O_PATH fd before fchmodat2 (Linux 6.6): it
 * goes through the fd's /proc link, which names exactly the resolved file. */
CHILD static int child_chmod(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long fd = child_open_in(rootfd, e->dst, 0);
    if (fd < 0)
        return child_fail(p, STEP_MOUNT, fd, index);
    char path[48];
    long r = sys2(SYS_chmod, child_fd_path(p->mounts, fd, path), e->mode);
    child_close(fd);
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
}

CHILD static int child_entry(struct plan *p, long rootfd, int i)
{
    struct mount_entry *e = &p->mounts->e[i];
    int index = i * MOUNT_PHASES;
    long fd;
    switch (e->op) {
    case OP_BIND:
        return child_bind(p, rootfd, e, index);
    case OP_OPEN_TREE:
        fd = child_open_tree(e->src);
        if (fd < 0)
            return child_fail(p, STEP_MOUNT, fd, index);
        p->mounts->pre_fds[e->pre] = (int)fd;
        return 0;
    case OP_FS:
        return child_fs(p, rootfd, e, index);
    case OP_DIR:
        return child_dir(p, rootfd, e, index);
    case OP_SYMLINK:
        return child_symlink(p, rootfd, e, index);
    case OP_FILE:
        return child_file(p, rootfd, e, index);
    case OP_REMOUNT_RO:
        return child_remount_ro(p, rootfd, e, index);
    case OP_CHMOD:
        return child_chmod(p, rootfd, e, index);
    case OP_BIND_DATA:
        return child_bind_data(p, rootfd, e, index);
    }
    return child_fail(p, STEP_MOUNT, -EINVAL, index);
}

/* Hangs the host's tree at /oldroot under a staging tmpfs and puts the new
 * root (a tmpfs, or the recursive bind of the named directory) at
 * /newroot. The staging tmpfs covers /tmp only in this mount namespace. */
CHILD static int child_root_stage(struct plan *p)
{
    const struct mount_plan *mp = p->mounts;
    long r = sys5(SYS_mount, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
    if (r == 0 && (r = sys2(SYS_mkdir, "/tmp/newroot", 0755)) == 0)
        r = sys2(SYS_mkdir, "/tmp/oldroot", 0755);
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, ROOT_STAGING);
    r = sys2(SYS_pivot_root, "/tmp", "/tmp/oldroot");
    if (r == 0)
        r = sys1(SYS_chdir, "/");
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, ROOT_PIVOT1);
    if (mp->root_src)
        r = sys5(SYS_mount, mp->root_src, "/newroot", 0, MS_BIND | MS_REC, 0);
    else
        r = sys5(SYS_mount, "tmpfs", "/newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
    return r < 0 ? child_fail(p, STEP_MOUNT, r, ROOT_NEW) : 0;
}

/* Drops the host's tree and makes /newroot "/": pivot_root(".", ".") stacks
 * the staging root on the new one, and detaching "." removes it. */
CHILD static int child_root_enter(struct plan *p)
{
    long r = sys2(SYS_umount2, "/oldroot", MNT_DETACH);
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, ROOT_DETACH);
    r = sys1(SYS_chdir, "/newroot");
    if (r == 0)
        r = sys2(SYS_pivot_root, ".", ".");
    if (r == 0)
        r = sys2(SYS_umount2, ".", MNT_DETACH);
    if (r == 0)
        r = sys1(SYS_chdir, "/");
    return r < 0 ? child_fail(p, STEP_MOUNT, r, ROOT_PIVOT2) : 0;
}

CHILD static long child_root_open(const struct mount_plan *mp)
{
    return sys2(SYS_open, mp->new_root ? "/newroot" : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

CHILD static int child_entries(struct plan *p)
{
    struct mount_plan *mp = p->mounts;
    long rootfd = child_root_open(mp);
    if (rootfd < 0)
        return child_fail(p, STEP_MOUNT, rootfd, ROOT_OPEN);
    for (int i = 0; i < mp->n; i++) {
        int r = child_entry(p, rootfd, i);
        if (r) {
            child_close(rootfd);
            return r;
        }
        /* A mount on the root itself is only seen through a fresh fd. */
        if (mp->e[i].dst[0] == '.' && !mp->e[i].dst[1]) {
            child_close(rootfd);
            rootfd = child_root_open(mp);
            if (rootfd < 0)
                return child_fail(p, STEP_MOUNT, rootfd, ROOT_OPEN);
        }
    }
    child_close(rootfd);
    return 0;
}

CHILD int child_mounts(struct plan *p)
{
    struct mount_plan *mp = p->mounts;
    if (!mp)
        return 0;
    /* Modes are exact: the caller's umask applies to the command only. */
    long umask = sys1(SYS_umask, 0);
    long r = sys5(SYS_mount, 0, "/", 0, MS_REC | MS_PRIVATE, 0);
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, ROOT_PRIVATE);
    if (mp->new_root && child_root_stage(p))
        return 127;
    if (child_entries(p))
        return 127;
    if (mp->new_root && child_root_enter(p))
        return 127;
    sys1(SYS_umask, umask);
    return 0;
}
