/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's identity, capabilities and seccomp steps (caps_child.c). */
#ifndef NSBOX_CAPS_CHILD_H
#define NSBOX_CAPS_CHILD_H

#include "caps_plan.h"

/* Child: the id switch right after the maps of a new user namespace are
 * written, or after joining one (ids chosen by the parent in both cases),
 * before any filesystem step: to the setup ids (0 inside if mapped, else
 * the command's); capabilities stay for the setup (PR_SET_KEEPCAPS,
 * effective restored). Returns 0, or the exit code after child_fail. */
int child_ids_early(struct plan *p);

/* Child: bounding set, identity (groups, gid, uid; after an early switch
 * only from the setup ids to the command's), then capabilities and the
 * ambient set, after the mounts; returns 0, or the exit code after
 * child_fail. */
int child_ids_caps(struct plan *p);

/* Child: the seccomp filter, the very last step before exec. */
int child_seccomp(struct plan *p);

#endif
