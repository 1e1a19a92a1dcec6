/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's mounts: the entry point (mount_steps.c), the helpers every
 * mount file shares (mount.c, mount_fd.c, mount_kernel.c), and the steps
 * of child/mount.c that mount_steps.c runs in the plan's order (the
 * dispatcher sits above the steps, so that the OCI steps of
 * mount_oci_child.c can use mount.c's helpers without a circle). */
#pragma once

#include "mount_plan.h"

/* Child: applies p->mounts; returns 0, or the exit code after child_fail. */
int child_mounts(struct plan *p);

/* ------------------------------------------- child helpers (mount*.c) */

void child_close(long fd);
/* openat2 with O_PATH | O_CLOEXEC | flags. */
long child_openat2(long dirfd, const char *path, unsigned long flags, unsigned long long resolve);
/* A clone of the tree at src (a path of the caller's tree), no symlink followed. */
long child_open_source(const struct mount_plan *mp, const char *src);
long child_setattr(long fd, unsigned flags, uint64_t attr);
/* The remount of fd's mount with attr, before Linux 5.12 (no mount_setattr). */
long child_remount_fallback(const struct mount_plan *mp, long fd, uint64_t attr);
/* A clone of the tree at src; recursive: with every mount below it. */
long child_open_source_rec(const struct mount_plan *mp, const char *src, bool recursive);
/* An O_PATH fd of path inside the root (see mount.c). */
long child_open_in(const struct mount_plan *mp, long dirfd, const char *path, unsigned long flags);
/* May a step create or change files at fd? */
bool child_may_change(const struct mount_plan *mp, long fd);
/* The phase that explains a failed resolution. */
int child_path_phase(const struct mount_plan *mp, long err, int phase);
/* The directory holding e->dst's last component, or the exit code in *code. */
long child_parent_or_fail(struct plan *p, long rootfd, struct mount_entry *e, int index, int *code);
/* The report of a step that would change the caller's files. */
int child_host_fail(struct plan *p, int index);
/* child_parent_or_fail, and the report of child_host_fail when the steps
 * may not change files there. */
long child_parent_to_change(struct plan *p, long rootfd, struct mount_entry *e, int index,
                            int *code);
/* Whether the node stx is the one e asks for: type and device number. */
struct statx;
bool child_same_node(const struct statx *stx, const struct mount_entry *e);
/* Puts the detached tree on fd with attr (mount_kernel.c). */
long child_put(const struct mount_plan *mp, long tree, long fd, uint64_t attr);
/* Masks what fd refers to: an empty read-only tmpfs, or the null device. */
long child_mask(const struct mount_plan *mp, long fd);
/* The propagation of the mount at fd (e->propagation); 0 or -errno. */
long child_propagate(const struct mount_plan *mp, long fd, unsigned long propagation);
/* OP_MKNOD, OP_MASK, OP_READONLY (mount_oci.c). */
int child_mknod(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_mask_path(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_readonly(struct plan *p, long rootfd, struct mount_entry *e, int index);

/* "/proc/self/fd/<fd>" as the child sees it. */
char *child_fd_path(const struct mount_plan *mp, long fd, char path[48]);

int child_kernel_kind(long tree, unsigned long long ino);
/* Covers and masks below the mount at dirfd; 0 or the exit code. */
int child_cover(struct plan *p, long dirfd, int kind, int index);
/* The same on the kernel's files mounted on "proc" and "sys" below dirfd. */
int child_cover_below(struct plan *p, long dirfd, int index);
/* The same on the caller's /proc, with the caller's root. */
int child_cover_host_proc(struct plan *p, long rootfd);

/* ------------------------------------------------ the steps (mount.c) */

int child_bind(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_source_fail(struct plan *p, long err, int index);
int child_fs(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_dir(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_symlink(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_file(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_remount_ro(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_chmod(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_bind_data(struct plan *p, long rootfd, struct mount_entry *e, int index);
