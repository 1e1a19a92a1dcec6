/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's mounts in the plan's order: the staging root, each entry
 * dispatched to its step (mount.c, mount_kernel.c, mount_oci_child.c), and
 * the pivot into the new root. Raw system calls only (see child.c and the
 * order explained at the top of mount.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>

#include "child.h"
#include "mount_child.h"
#include "sys.h"

#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif

CHILD static int child_entry(struct plan *p, long rootfd, int i)
{
    struct mount_entry *e = &p->mounts->e[i];
    int index = REPORT_INDEX(i, PHASE_MAIN); /* + PHASE_*: the other parts */
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
    unsigned long cut = (mp->propagation & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE;
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
