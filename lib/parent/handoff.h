/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's side of the hand-over (plan.pid_handoff, handoff.c). */
#ifndef NSBOX_HANDOFF_H
#define NSBOX_HANDOFF_H

#include <sys/types.h>

#include "internal.h"

/* Once stage 0 may have forked stage 1 (it was released, or never waits):
 * reaps stage 0 through *pidfd, receives stage 1's pidfd from the sync
 * socket and puts it and stage 1's pid into *pidfd and *pid (stage 0's
 * pidfd closed). On failure a stage 1 without a pidfd has been reaped by
 * its pid, *pidfd and *pid are stage 0's, and the message is on box. */
int handoff_take(nsbox *box, const struct plan *p, int sync, int *pidfd, pid_t *pid);

#endif
