/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Nested user namespaces forbidden (NSBOX_DISABLE_USERNS) or checked
 * (NSBOX_ASSERT_USERNS_DISABLED): userns.c plans and reports,
 * userns_child.c acts in the command's stage. */
#ifndef NSBOX_USERNS_H
#define NSBOX_USERNS_H

#include "internal.h"

/* Which part of STEP_USERNS failed (the report's index). */
enum userns_sub {
    USERNS_PROC,     /* open /proc before the mount steps */
    USERNS_SYSCTL,   /* user.max_user_namespaces = 1 */
    USERNS_NEST,     /* unshare the nested user namespace */
    USERNS_NEST_MAP, /* its setgroups, uid_map, gid_map */
    USERNS_ASSERT,   /* a user namespace could still be made */
};

/* Checks the flags against the plan: NSBOX_DISABLE_USERNS needs a new user
 * namespace (-EINVAL otherwise, as bubblewrap's --disable-userns). */
int userns_plan(nsbox *box, struct plan *p);
int userns_report(nsbox *box, const struct plan *p, const struct child_report *rep);

/* Child, before the mount steps (NSBOX_DISABLE_USERNS): keeps /proc open
 * and sets the sandbox's user.max_user_namespaces to 1. */
int child_userns_limit(struct plan *p);
/* Child, after the uid change and before the capabilities: moves into the
 * nested user namespace (NSBOX_DISABLE_USERNS), then checks that no
 * further one can be made. The caller drops the bounding set again: a new
 * user namespace hands it back full. */
int child_userns_seal(struct plan *p);

#endif
