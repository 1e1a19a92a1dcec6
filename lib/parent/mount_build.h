/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's side of the filesystem view: the recipe's steps turned
 * into plan entries (mount_plan.c, mount_entry.c, mount_oci_plan.c), and
 * the message of a failed entry. */
#ifndef NSBOX_MOUNT_BUILD_H
#define NSBOX_MOUNT_BUILD_H

#include "mount.h"
#include "mount_plan.h"

/* The plan entries of MK_MOUNT, MK_DEVICE, MK_MASK, MK_READONLY
 * (mount_oci_plan.c); 0, -ENOMEM, or another errno with the message set. */
struct mount_builder {
    nsbox *box;
    struct plan *p;
    struct mount_plan *mp;
    const char *host; /* prefix of host paths as the child sees them */
};
int plan_oci_step(struct mount_builder *b, const struct mount_step *st);
/* Helpers of mount_plan.c for it. */
struct mount_entry *plan_entry_new(struct mount_builder *b, enum mount_op op, const char *dst,
                                   const char *desc);
char *plan_printf(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fills p->mounts from box->mnt (and the cwd default under a new root). */
int mount_plan_build(nsbox *box, struct plan *p);

/* Parent: the message of a failed STEP_MOUNT. */
int mount_report(struct errbuf *e, const struct plan *p, const struct child_report *rep);

#endif
