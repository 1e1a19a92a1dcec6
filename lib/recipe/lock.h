/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lock files: the parent's side (lock.c) and the child's (lock_child.c). */
#ifndef NSBOX_LOCK_H
#define NSBOX_LOCK_H

#include "internal.h"

void lock_files_free(nsbox *box);

/* Parent, after every stage has exec'd: receives the n_fds lock reports
 * ({STEP_LOCK, 0, i} with the fd, sent on the sync socket before exec)
 * into fds[i]; 0, or a negative errno with the message set. */
int lock_fds_receive(nsbox *box, int sync, int *fds, int n_fds);
void lock_fds_close(int *fds, int n);

/* Child: opens and locks each lock file, sends its fd to the parent.
 * Returns 0, or the exit code after child_fail. */
int child_lock_files(struct plan *p);

#endif
