/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fd helpers of the child's mount steps (mount.c) and kernel-file
 * covers (mount_kernel.c): open without following links, clone a source
 * tree, set a mount's flags (with the fallback before Linux 5.12). They
 * call no mount step, so the two files above them form no circle. Raw
 * system calls only (see child.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/statfs.h>

#include "child.h"
#include "mount.h"
#include "sys.h"

CHILD void child_close(long fd)
{
    if (fd >= 0)
        sys1(SYS_close, fd);
}

CHILD long child_openat2(long dirfd, const char *path, unsigned long flags,
                         unsigned long long resolve)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC | flags, .resolve = resolve};
    return sys4(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* "/proc/self/fd/<fd>" (under /oldroot while a new root is built): the
 * path of what an O_PATH fd refers to, for calls that take no fd. */
CHILD char *child_fd_path(const struct mount_plan *mp, long fd, char path[48])
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
CHILD long child_remount_fallback(const struct mount_plan *mp, long fd, uint64_t attr)
{
    struct statfs sfs;
    long r = sys2(SYS_fstatfs, fd, &sfs);
    if (r < 0)
        return r;
    unsigned long keep =
        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME;
    unsigned long flags = ((unsigned long)sfs.f_flags & keep) | MS_REMOUNT | MS_BIND;
    flags |= (attr & MOUNT_ATTR_RDONLY) ? MS_RDONLY : 0;
    flags |= (attr & MOUNT_ATTR_NOSUID) ? MS_NOSUID : 0;
    flags |= (attr & MOUNT_ATTR_NODEV) ? MS_NODEV : 0;
    flags |= (attr & MOUNT_ATTR_NOEXEC) ? MS_NOEXEC : 0;
    char path[48];
    return sys5(SYS_mount, 0, child_fd_path(mp, fd, path), 0, flags, 0);
}

CHILD long child_setattr(long fd, unsigned flags, uint64_t attr)
{
    /* An atime mode replaces the one there (the kernel wants it cleared). */
    struct mount_attr a = {.attr_set = attr,
                           .attr_clr = (attr & MOUNT_ATTR__ATIME) ? MOUNT_ATTR__ATIME : 0};
    return sys5(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | flags, &a, sizeof(a));
}

/* A clone of the tree at src, a path of the caller's tree (under /oldroot
 * while a new root is built), in which no symlink is followed; recursive:
 * with every mount below it. */
CHILD long child_open_source_rec(const struct mount_plan *mp, const char *src, bool recursive)
{
    unsigned rec = recursive ? AT_RECURSIVE : 0;
    if (mp->naive)
        return sys3(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
    long fd = child_openat2(AT_FDCWD, src, 0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd < 0)
        return fd;
    long tree =
        sys3(SYS_open_tree, fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
    child_close(fd);
    return tree;
}

CHILD long child_open_source(const struct mount_plan *mp, const char *src)
{
    return child_open_source_rec(mp, src, true);
}

/* mount_setattr's propagation field needs Linux 5.12; before it, mount(2)
 * through the fd's /proc link. */
CHILD long child_propagate(const struct mount_plan *mp, long fd, unsigned long propagation)
{
    unsigned flags = AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0);
    struct mount_attr a = {.propagation = propagation & ~(unsigned long)MS_REC};
    long r = sys5(SYS_mount_setattr, fd, "", flags, &a, sizeof(a));
    if (r != -ENOSYS)
        return r;
    char path[48];
    return sys5(SYS_mount, 0, child_fd_path(mp, fd, path), 0, propagation, 0);
}
