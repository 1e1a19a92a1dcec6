/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Covers and masks on the kernel's files, in the child (raw system calls
 * only, see child.c).
 *
 * A sandbox that runs as host uid 0 passes the file-mode checks of procfs
 * and sysfs without any capability (sysctl's test_perm in
 * fs/proc/proc_sysctl.c gives the owner bits to kuid 0): it could write
 * /proc/sys/kernel/core_pattern (a program the kernel then runs as root),
 * /proc/sysrq-trigger (reboot), or sysfs attributes. So, as crun's default
 * OCI configuration does, every procfs the steps mount or bind has /proc/sys,
 * sysrq-trigger, irq, bus and fs read-only (bound on themselves) and the
 * files that leak kernel memory, addresses or timings masked: /dev/null
 * bound on a file, an empty read-only tmpfs on a directory. A bind of a
 * sysfs is read-only, its firmware tables and power counters masked; a
 * bind of a part of a procfs is read-only. Entries this kernel does not
 * have are skipped. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "child.h"
#include "mount.h"
#include "sys.h"

#define PROC_ROOT_INO 1

static const char *const proc_rdonly[] = {"bus", "fs", "irq", "sys", "sysrq-trigger"};
static const char *const proc_masked[] = {
    "acpi",       "asound",      "kcore",       "keys", "latency_stats",
    "timer_list", "timer_stats", "sched_debug", "scsi",
};
static const char *const sys_masked[] = {"firmware", "devices/virtual/powercap"};

#define COVER_ATTR (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

CHILD int child_kernel_kind(long tree, unsigned long long ino)
{
    struct statfs sfs;
    if (sys2(SYS_fstatfs, tree, &sfs) < 0)
        return KERNEL_RDONLY; /* unknown: the safe side */
    if (sfs.f_type == PROC_SUPER_MAGIC)
        return ino == PROC_ROOT_INO ? KERNEL_PROC : KERNEL_RDONLY;
    return sfs.f_type == SYSFS_MAGIC ? KERNEL_SYS : KERNEL_NONE;
}

/* Puts the detached tree on fd with attr (fsmount trees have it already). */
CHILD long child_put(const struct mount_plan *mp, long tree, long fd, uint64_t attr)
{
    long r = attr ? child_setattr(tree, AT_RECURSIVE, attr) : 0;
    bool fallback = r == -ENOSYS;
    if (r < 0 && !fallback)
        return r;
    r = sys5(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    if (r == 0 && fallback)
        r = child_remount_fallback(mp, tree, attr);
    return r;
}

/* The entry name of the mount at dirfd, read-only on itself. */
CHILD static long child_cover_rdonly(const struct mount_plan *mp, long fd)
{
    long tree = sys3(SYS_open_tree, fd, "",
                     AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0)
        return tree;
    long r = child_put(mp, tree, fd, COVER_ATTR);
    child_close(tree);
    return r;
}

/* An empty read-only tmpfs on a directory, /dev/null on anything else. */
CHILD long child_mask(const struct mount_plan *mp, long fd)
{
    struct statx stx;
    long r = sys5(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx);
    if (r < 0)
        return r;
    long tree;
    uint64_t attr = 0;
    if (S_ISDIR(stx.stx_mode)) {
        long fs = sys2(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
        r = fs < 0 ? fs : sys5(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0555", 0);
        if (r >= 0)
            r = sys5(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, 0, 0, 0);
        tree = r < 0 ? r : sys3(SYS_fsmount, fs, FSMOUNT_CLOEXEC, COVER_ATTR);
        child_close(fs);
    } else {
        tree = child_open_source(mp, mp->devnull);
        attr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
        if (tree >= 0 &&
            (sys5(SYS_statx, tree, "", AT_EMPTY_PATH, STATX_TYPE, &stx) < 0 ||
             !S_ISCHR(stx.stx_mode) || stx.stx_rdev_major != 1 || stx.stx_rdev_minor != 3)) {
            child_close(tree);
            tree = -ENODEV; /* the caller's /dev/null is not the null device */
        }
    }
    if (tree < 0)
        return tree;
    r = child_put(mp, tree, fd, attr);
    child_close(tree);
    return r;
}

/* Applies one cover (mask or read-only) to each name below dirfd. */
CHILD static long child_cover_names(const struct mount_plan *mp, long dirfd,
                                    const char *const *names, int n, bool mask)
{
    for (int i = 0; i < n; i++) {
        long fd = child_openat2(dirfd, names[i], 0,
                                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (fd == -ENOENT)
            continue;
        if (fd < 0)
            return fd;
        long r = mask ? child_mask(mp, fd) : child_cover_rdonly(mp, fd);
        child_close(fd);
        if (r < 0)
            return r;
    }
    return 0;
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

CHILD int child_cover(struct plan *p, long dirfd, int kind, int index)
{
    const struct mount_plan *mp = p->mounts;
    long r = 0;
    if (kind == KERNEL_PROC) {
        r = child_cover_names(mp, dirfd, proc_rdonly, N(proc_rdonly), false);
        if (r == 0)
            r = child_cover_names(mp, dirfd, proc_masked, N(proc_masked), true);
    } else if (kind == KERNEL_SYS) {
        r = child_cover_names(mp, dirfd, sys_masked, N(sys_masked), true);
    }
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
}

/* A directory bind may hold the kernel's files one level down (a bind of
 * "/" holds /proc and /sys): they get the same treatment. Deeper ones keep
 * their flags (finding them would need /proc/self/mountinfo). */
CHILD int child_cover_below(struct plan *p, long dirfd, int index)
{
    static const char *const names[] = {"proc", "sys"};
    for (int i = 0; i < N(names); i++) {
        long fd = child_openat2(dirfd, names[i], O_DIRECTORY,
                                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (fd < 0)
            continue;
        struct statx stx;
        long r = sys5(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_INO, &stx);
        int kind = r < 0 ? KERNEL_NONE : child_kernel_kind(fd, stx.stx_ino);
        if (kind & KERNEL_RDONLY) {
            r = child_setattr(fd, AT_RECURSIVE, MOUNT_ATTR_RDONLY);
            if (r == -ENOSYS)
                r = child_remount_fallback(p->mounts, fd, MOUNT_ATTR_RDONLY);
        }
        int code = r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
        if (!code && (kind & ~KERNEL_RDONLY))
            code = child_cover(p, fd, kind, index);
        child_close(fd);
        if (code)
            return code;
    }
    return 0;
}

CHILD int child_cover_host_proc(struct plan *p, long rootfd)
{
    long fd =
        child_openat2(rootfd, "proc", O_DIRECTORY, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
        return 0; /* no /proc to cover */
    if (fd < 0)
        return child_fail(p, STEP_MOUNT, fd, ROOT_HOST_PROC);
    struct statx stx;
    long r = sys5(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_INO, &stx);
    int kind = r < 0 ? KERNEL_NONE : child_kernel_kind(fd, stx.stx_ino);
    int code = kind == KERNEL_PROC ? child_cover(p, fd, kind, ROOT_HOST_PROC) : 0;
    child_close(fd);
    return code;
}
