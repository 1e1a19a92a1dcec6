/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's lock files step (lock_child.c). */
#ifndef NSBOX_LOCK_CHILD_H
#define NSBOX_LOCK_CHILD_H

#include "lock.h"

/* Child: opens and locks each lock file, sends its fd to the parent.
 * Returns 0, or the exit code after child_fail. */
int child_lock_files(struct plan *p);

#endif
