/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mount steps of child/mount.c that child/mount_steps.c runs in the
 * plan's order (the dispatcher sits above the steps, so that the OCI steps
 * of mount_oci_child.c can use mount.c's helpers without a circle). */
#pragma once

#include "mount.h"

int child_bind(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_source_fail(struct plan *p, long err, int index);
int child_fs(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_dir(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_symlink(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_file(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_remount_ro(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_chmod(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_bind_data(struct plan *p, long rootfd, struct mount_entry *e, int index);
