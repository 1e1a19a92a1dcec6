/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Steps of the child between clone and exec (raw system calls only). */
#ifndef NSBOX_CHILD_H
#define NSBOX_CHILD_H

#include "internal.h"

/* Reports a failed step to the parent; returns the exit code of the
 * failing stage. */
int child_fail(struct plan *p, int step, long err, int index);

/* The command's own stage: filesystem, identity, fds, exec. Returns only
 * on failure, with the stage's exit code. */
int child_command(struct plan_stage *s);

/* Re-arms the parent-death signal after a credential change cleared it
 * (stage 0: only with NSBOX_DIE_WITH_PARENT) and fails if the parent died
 * meanwhile. Returns 0, or the exit code after child_fail. */
int child_pdeath_rearm(struct plan_stage *s);

/* Writes v in decimal at buf; returns the end (the NUL). */
char *child_utoa(char *buf, unsigned long v);

/* Waits until the stages above the command's have exec'd or exited. */
void child_wait_stages(struct plan *p);

/* Brings "lo" up in the new network namespace. */
long net_loopback_up(void);

/* Child: makes every cgroup mount of the new mount namespace read-only
 * (p->cgroupfs_ro); 0, or the exit code after child_fail. */
int child_cgroupfs_ro(struct plan *p);

#endif
