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
 * destination (move_mount). No step reads /proc/self/mountinfo: the cost of
 * an entry does not grow with the number of mounts already made.
 *
 * Paths are resolved with openat2 (5.6), as earlier sandboxes may have
 * planted symlinks in any directory they could write. Under a new root,
 * destinations are resolved with RESOLVE_IN_ROOT, so that ".." and
 * symlinks, absolute ones included, never lead out of it. On the caller's
 * root (the host's) and for sources (paths of the caller's tree), no
 * symlink is followed at all (RESOLVE_NO_SYMLINKS): nothing tells a link
 * the caller meant from one a sandbox planted. On the caller's root the
 * steps also create and change nothing outside the tmpfs mounts they made
 * (mp->own_devs): a missing mount point is an error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h> /* PATH_MAX: the freestanding <limits.h> has none */
#include <linux/magic.h>
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

/* An O_PATH fd of path, resolved with dirfd as its root: inside a new root
 * symlinks are followed but never out of it; on the caller's root none is. */
CHILD long child_open_in(const struct mount_plan *mp, long dirfd, const char *path,
                         unsigned long flags)
{
    return child_openat2(dirfd, path, flags,
                         mp->new_root || mp->naive ? RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS
                                                   : RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

CHILD static long child_dev(long fd, uint64_t *dev)
{
    struct statx stx;
    long r = sys5(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx);
    if (r == 0)
        *dev = (uint64_t)stx.stx_dev_major << 32 | stx.stx_dev_minor;
    return r;
}

/* May a step create or change files in the directory (or file) fd? Always
 * in a new root; on the caller's root only on a tmpfs the steps made. */
CHILD bool child_may_change(const struct mount_plan *mp, long fd)
{
    if (mp->new_root || mp->naive)
        return true;
    uint64_t dev = 0;
    if (child_dev(fd, &dev) < 0)
        return false;
    for (int i = 0; i < mp->n_own; i++)
        if (mp->own_devs[i] == dev)
            return true;
    return false;
}

/* Remembers the tmpfs mounted by a step (the caller's root only). */
CHILD static void child_own(struct mount_plan *mp, long tree)
{
    uint64_t dev = 0;
    if (!mp->new_root && child_dev(tree, &dev) == 0)
        mp->own_devs[mp->n_own++] = dev;
}

/* The phase that explains a failed resolution on the caller's root. */
CHILD int child_path_phase(const struct mount_plan *mp, long err, int phase)
{
    if (mp->new_root)
        return phase;
    return err == -ELOOP ? PHASE_LINK : err == -ENOENT ? PHASE_NOPOINT : phase;
}

/* The same for a path that exists or not: only a symlink is explained. */
CHILD static int child_link_phase(const struct mount_plan *mp, long err)
{
    return !mp->new_root && err == -ELOOP ? PHASE_LINK : PHASE_MAIN;
}

/* Opens the directory rel inside the root, making missing components as
 * 0755 directories, each created in its resolved parent (so a symlink on
 * the way is followed inside the root, never out of it). On the caller's
 * root a missing component is -ENOENT unless it is on a tmpfs of ours. */
CHILD static long child_walk(const struct mount_plan *mp, long rootfd, char *rel)
{
    long fd = child_open_in(mp, rootfd, rel, O_DIRECTORY);
    if (fd != -ENOENT)
        return fd;
    long parent = child_open_in(mp, rootfd, ".", O_DIRECTORY);
    for (int i = 0, start = 0; parent >= 0; i++) {
        char c = rel[i];
        if (c != '/' && c != '\0')
            continue;
        rel[i] = '\0';
        fd = child_open_in(mp, rootfd, rel, O_DIRECTORY);
        if (fd == -ENOENT && child_may_change(mp, parent)) {
            long r = sys3(SYS_mkdirat, parent, rel + start, 0755);
            fd = r < 0 && r != -EEXIST ? r : child_open_in(mp, rootfd, rel, O_DIRECTORY);
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
CHILD static long child_parent(const struct mount_plan *mp, long rootfd, struct mount_entry *e)
{
    if (e->name_off == 0)
        return child_open_in(mp, rootfd, ".", O_DIRECTORY);
    e->dst[e->name_off - 1] = '\0';
    long fd = child_walk(mp, rootfd, e->dst);
    e->dst[e->name_off - 1] = '/';
    return fd;
}

/* An O_PATH fd of the mount point dst, made when missing: a directory, or
 * an empty file (mode 0444, as bwrap makes them) for a non-directory. */
/* e->dst, resolved as child_open_in does; for a proc or sysfs mount
 * (e->nolinks) through no symlink at all, not even one inside the root:
 * a link planted there must not move the kernel's files elsewhere. */
CHILD static long child_open_dst(const struct mount_plan *mp, long rootfd,
                                 const struct mount_entry *e)
{
    if (!e->nolinks)
        return child_open_in(mp, rootfd, e->dst, 0);
    return child_openat2(rootfd, e->dst, 0,
                         (mp->new_root ? RESOLVE_IN_ROOT : 0) | RESOLVE_NO_SYMLINKS |
                             RESOLVE_NO_MAGICLINKS);
}

CHILD static long child_mount_point(const struct mount_plan *mp, long rootfd, struct mount_entry *e,
                                    bool dir)
{
    long fd = child_open_dst(mp, rootfd, e);
    if (fd != -ENOENT)
        return fd;
    long parent = child_parent(mp, rootfd, e);
    if (parent >= 0 && !child_may_change(mp, parent)) {
        child_close(parent);
        return -ENOENT;
    }
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
    return child_open_dst(mp, rootfd, e);
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
    long dst = child_mount_point(mp, rootfd, e, dir);
    if (dst == -ELOOP && e->nolinks && mp->new_root)
        return child_fail(p, STEP_MOUNT, dst, index + PHASE_DST_LINK);
    if (dst < 0)
        return child_fail(p, STEP_MOUNT, dst, index + child_path_phase(mp, dst, PHASE_MKPOINT));
    struct statfs sfs;
    if (e->no_proc_dst && (r = sys2(SYS_fstatfs, dst, &sfs)) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
        r = -EPERM;
    if (r < 0) {
        child_close(dst);
        return child_fail(p, STEP_MOUNT, r, index + PHASE_PROC_DST);
    }
    r = sys5(SYS_move_mount, tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    child_close(dst);
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, index);
    if (fallback && (r = child_remount_fallback(mp, tree, attr)) < 0)
        return child_fail(p, STEP_MOUNT, r, index + PHASE_ATTR);
    if (e->propagation && (r = child_propagate(mp, tree, e->propagation)) < 0)
        return child_fail(p, STEP_MOUNT, r, index + PHASE_PROPAGATION);
    return 0;
}

CHILD static int child_source_fail(struct plan *p, long err, int index)
{
    return child_fail(p, STEP_MOUNT, err, index + (err == -ELOOP ? PHASE_SRC_LINK : PHASE_MAIN));
}

CHILD bool child_same_node(const struct statx *stx, const struct mount_entry *e)
{
    /* the kernel's encoding of a device number, as mknod takes it */
    uint64_t rdev = (uint64_t)(stx->stx_rdev_minor & 0xff) | (uint64_t)stx->stx_rdev_major << 8 |
                    (uint64_t)(stx->stx_rdev_minor & ~0xffu) << 12;
    return (stx->stx_mode & S_IFMT) == (e->mode & S_IFMT) && rdev == e->rdev;
}

CHILD static int child_bind(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long tree = e->pre >= 0 ? p->mounts->pre_fds[e->pre]
                            : child_open_source_rec(p->mounts, e->src, !e->norec);
    if (tree == -ENOENT && e->try_)
        return 0;
    if (tree == -EINVAL && e->norec)
        return child_fail(p, STEP_MOUNT, tree, index + PHASE_NOREC);
    if (tree < 0)
        return child_source_fail(p, tree, index + (e->devcheck ? PHASE_DEVICE : 0));
    struct statx stx;
    long r = sys5(SYS_statx, tree, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO, &stx);
    /* A device bound in place of a node a user namespace may not make:
     * exactly the one asked for. */
    if (r == 0 && e->devcheck && !child_same_node(&stx, e))
        r = -ENODEV;
    if (r < 0) {
        child_close(tree);
        return child_fail(p, STEP_MOUNT, r, index + (r == -ENODEV ? PHASE_DEVICE : 0));
    }
    /* A bind of the kernel's files is covered as a new procfs would be. */
    uint64_t attr = e->attr;
    int kind = p->mounts->masks ? child_kernel_kind(tree, stx.stx_ino) : KERNEL_NONE;
    if (kind & KERNEL_RDONLY)
        attr |= MOUNT_ATTR_RDONLY;
    r = child_attach(p, rootfd, e, index, tree, attr, S_ISDIR(stx.stx_mode));
    if (r == 0 && (kind & ~KERNEL_RDONLY))
        r = child_cover(p, tree, kind, index + PHASE_COVER);
    else if (r == 0 && kind == KERNEL_NONE && p->mounts->masks && S_ISDIR(stx.stx_mode))
        r = child_cover_below(p, tree, index + PHASE_COVER);
    child_close(tree);
    return (int)r;
}

CHILD static int child_fs(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    /* The kernel may refuse a user namespace a file system at fsopen
     * (sysfs without a network namespace of its own) or at its creation
     * (procfs without a PID namespace): tree is -EPERM then. */
    long fs = sys2(SYS_fsopen, e->fstype, FSOPEN_CLOEXEC);
    long r = fs;
    int i = 0;
    for (; r >= 0 && e->opts[i]; i += 2)
        r = e->opts[i + 1]
                ? sys5(SYS_fsconfig, fs, FSCONFIG_SET_STRING, e->opts[i], e->opts[i + 1], 0)
                : sys5(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, e->opts[i], 0, 0);
    if (fs >= 0 && r < 0) {
        child_close(fs);
        e->bad_opt = i - 2;
        return child_fail(p, STEP_MOUNT, r, index + PHASE_OPTION);
    }
    if (r >= 0)
        r = sys5(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, 0, 0, 0);
    long tree = r >= 0 ? sys3(SYS_fsmount, fs, FSMOUNT_CLOEXEC, e->attr) : r;
    child_close(fs);
    uint64_t attr = 0; /* fsmount set the flags already */
    /* A user namespace may not make a procfs (sysfs) for a PID (network)
     * namespace it does not own (none of its own): the host's /proc
     * (/sys) is bound instead. */
    if (tree == -EPERM && e->src) {
        tree = child_open_source(p->mounts, e->src);
        attr = e->attr;
    }
    if (tree < 0)
        return child_source_fail(p, tree, index);
    r = child_attach(p, rootfd, e, index, tree, attr, true);
    if (r == 0 && e->kernel && p->mounts->masks)
        r = child_cover(p, tree, e->kernel, index + PHASE_COVER);
    else if (r == 0 && e->tmpfs)
        child_own(p->mounts, tree);
    child_close(tree);
    return (int)r;
}

/* The parent directory of e, or the exit code after child_fail. */
CHILD long child_parent_or_fail(struct plan *p, long rootfd, struct mount_entry *e, int index,
                                int *code)
{
    long parent = child_parent(p->mounts, rootfd, e);
    if (parent < 0)
        *code = child_fail(p, STEP_MOUNT, parent,
                           index + child_path_phase(p->mounts, parent, PHASE_MKPOINT));
    return parent;
}

CHILD int child_host_fail(struct plan *p, int index)
{
    return child_fail(p, STEP_MOUNT, -EPERM, index + PHASE_HOST);
}

CHILD static int child_dir(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    long r = child_open_in(p->mounts, rootfd, e->dst, O_DIRECTORY);
    if (r != -ENOENT) { /* an existing directory is kept as it is */
        child_close(r);
        return r < 0 ? child_fail(p, STEP_MOUNT, r, index + child_link_phase(p->mounts, r)) : 0;
    }
    int code = 0;
    long parent = child_parent_or_fail(p, rootfd, e, index, &code);
    if (parent < 0)
        return code;
    bool may = child_may_change(p->mounts, parent);
    r = may ? sys3(SYS_mkdirat, parent, e->dst + e->name_off, e->mode) : 0;
    child_close(parent);
    if (!may)
        return child_host_fail(p, index);
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
    int code = 0;
    long parent = child_parent_or_fail(p, rootfd, e, index, &code);
    if (parent < 0)
        return code;
    const char *name = e->dst + e->name_off;
    bool may = child_may_change(p->mounts, parent);
    long r = may ? sys3(SYS_symlinkat, e->src, parent, name) : -EEXIST;
    if (r == -EEXIST) {
        long n = sys4(SYS_readlinkat, parent, name, p->mounts->linkbuf, PATH_MAX);
        if (n >= 0 && n < PATH_MAX && child_streq(e->src, p->mounts->linkbuf, n))
            r = 0;
    }
    child_close(parent);
    if (r < 0 && !may)
        return child_host_fail(p, index);
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
}

CHILD long child_parent_to_change(struct plan *p, long rootfd, struct mount_entry *e, int index,
                                  int *code)
{
    long parent = child_parent_or_fail(p, rootfd, e, index, code);
    if (parent >= 0 && !child_may_change(p->mounts, parent)) {
        child_close(parent);
        *code = child_host_fail(p, index);
        return -EPERM;
    }
    return parent;
}

/* Like bwrap's --file: created or truncated, never through a symlink. */
CHILD static int child_file(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    int code = 0;
    long parent = child_parent_to_change(p, rootfd, e, index, &code);
    if (parent < 0)
        return code;
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
    long tree = child_open_source(p->mounts, e->src);
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
    long fd = child_open_in(p->mounts, rootfd, e->dst, 0);
    if (fd < 0)
        return child_fail(p, STEP_MOUNT, fd,
                          index + child_path_phase(p->mounts, fd, PHASE_MKPOINT));
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
    long fd = child_open_in(p->mounts, rootfd, e->dst, 0);
    if (fd < 0)
        return child_fail(p, STEP_MOUNT, fd, index + child_link_phase(p->mounts, fd));
    if (!child_may_change(p->mounts, fd)) {
        child_close(fd);
        return child_host_fail(p, index);
    }
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
        fd = child_open_source(p->mounts, e->src);
        if (fd < 0)
            return child_source_fail(p, fd, index);
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
    case OP_MKNOD:
        return child_mknod(p, rootfd, e, index);
    case OP_MASK:
        return child_mask_path(p, rootfd, e, index);
    case OP_READONLY:
        return child_readonly(p, rootfd, e, index);
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
    if (!mp->root_src) {
        r = sys5(SYS_mount, "tmpfs", "/newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
        return r < 0 ? child_fail(p, STEP_MOUNT, r, ROOT_NEW) : 0;
    }
    long tree = child_open_source(mp, mp->root_src);
    if (tree < 0)
        return child_fail(p, STEP_MOUNT, tree, tree == -ELOOP ? ROOT_LINK : ROOT_NEW);
    r = sys5(SYS_move_mount, tree, "", AT_FDCWD, "/newroot", MOVE_MOUNT_F_EMPTY_PATH);
    child_close(tree);
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
    int code = !mp->new_root && mp->masks ? child_cover_host_proc(p, rootfd) : 0;
    if (code) {
        child_close(rootfd);
        return code;
    }
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
    /* rslave, when asked, keeps receiving the caller's mounts: a slave
     * sends nothing back either. */
    unsigned long cut = mp->propagation & MS_SLAVE ? MS_SLAVE : MS_PRIVATE;
    long r = sys5(SYS_mount, 0, "/", 0, MS_REC | cut, 0);
    if (r < 0)
        return child_fail(p, STEP_MOUNT, r, ROOT_PRIVATE);
    if (mp->new_root && child_root_stage(p))
        return 127;
    if (child_entries(p))
        return 127;
    if (mp->new_root && child_root_enter(p))
        return 127;
    if (mp->propagation && !(mp->propagation & MS_SLAVE) &&
        (r = sys5(SYS_mount, 0, "/", 0, mp->propagation, 0)) < 0)
        return child_fail(p, STEP_MOUNT, r, ROOT_PROPAGATION);
    sys1(SYS_umask, umask);
    return 0;
}
