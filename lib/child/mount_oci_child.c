/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's side of the OCI filesystem steps (nsbox_add_device,
 * nsbox_add_mask, nsbox_add_readonly, the propagation of
 * nsbox_add_mount): raw system calls only (see child.c), paths resolved
 * as mount.c resolves them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "child.h"
#include "mount.h"
#include "sys.h"

/* mount_setattr's propagation field needs Linux 5.12; before it, mount(2)
 * through the fd's /proc link. */
CHILD long child_propagate(const struct mount_plan *mp, long fd, unsigned long propagation)
{
    unsigned flags = AT_EMPTY_PATH | (propagation & MS_REC ? AT_RECURSIVE : 0);
    struct mount_attr a = {.propagation = propagation & ~(unsigned long)MS_REC};
    long r = sys5(SYS_mount_setattr, fd, "", flags, &a, sizeof(a));
    if (r != -ENOSYS)
        return r;
    char path[48];
    return sys5(SYS_mount, 0, child_fd_path(mp, fd, path), 0, propagation, 0);
}

/* A device node or FIFO with exactly e->mode and owner uid:gid. One that
 * is already there is kept when it is the same node (the rootfs's own
 * /dev/null, as runc keeps it), and gets the mode and owner asked for. */
CHILD int child_mknod(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    int code = 0;
    long parent = child_parent_to_change(p, rootfd, e, index, &code);
    if (parent < 0)
        return code;
    const char *name = e->dst + e->name_off;
    long r = sys4(SYS_mknodat, parent, name, e->mode, e->rdev);
    if (r == -EEXIST) {
        struct statx stx;
        r = sys5(SYS_statx, parent, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx);
        if (r == 0 && !child_same_node(&stx, e))
            r = -EEXIST;
    }
    if (r == 0)
        r = sys5(SYS_fchownat, parent, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW);
    /* mknod masks the mode with the umask (0 here) and drops nothing, but
     * a kept node has its own mode: set it, never through a symlink. */
    if (r == 0)
        r = sys4(SYS_fchmodat, parent, name, e->mode & 07777, 0);
    child_close(parent);
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
}

/* OCI's maskedPaths (mask) and readonlyPaths: e->dst, resolved inside
 * the root, is masked or bound on itself read-only with every mount
 * below it; a path that is not there is skipped. */
CHILD static int child_cover_path(struct plan *p, long rootfd, struct mount_entry *e, int index,
                                  bool mask)
{
    long fd = child_open_in(p->mounts, rootfd, e->dst, 0);
    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return child_fail(p, STEP_MOUNT, fd, index + child_path_phase(p->mounts, fd, 0));
    long r;
    if (mask) {
        r = child_mask(p->mounts, fd);
    } else {
        long tree = sys3(SYS_open_tree, fd, "",
                         AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        r = tree < 0 ? tree : child_put(p->mounts, tree, fd, MOUNT_ATTR_RDONLY);
        child_close(tree);
    }
    child_close(fd);
    return r < 0 ? child_fail(p, STEP_MOUNT, r, index) : 0;
}

CHILD int child_mask_path(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    return child_cover_path(p, rootfd, e, index, true);
}

CHILD int child_readonly(struct plan *p, long rootfd, struct mount_entry *e, int index)
{
    return child_cover_path(p, rootfd, e, index, false);
}
