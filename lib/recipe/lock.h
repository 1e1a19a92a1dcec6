/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lock files, the recipe's side (lock.c): the paths, the fds the parent
 * receives, and the parts of STEP_LOCK. The child's: lock_child.h. */
#ifndef NSBOX_LOCK_H
#define NSBOX_LOCK_H

#include "internal.h"

/* Which part of STEP_LOCK failed: REPORT_INDEX(file, part). */
enum lock_part {
    LOCK_OPEN, /* opening the file */
    LOCK_TAKE, /* locking it, or sending its fd to the parent */
};

void lock_files_free(nsbox *box);

/* Parent, after every stage has exec'd: receives the n_fds lock reports
 * ({STEP_LOCK, 0, i} with the fd, sent on the sync socket before exec)
 * into fds[i]; 0, or a negative errno with the message set. */
int lock_fds_receive(nsbox *box, int sync, int *fds, int n_fds);
void lock_fds_close(int *fds, int n);

/* Parent: receives one {step, 0, index} record with its fd (SCM_RIGHTS,
 * close-on-exec) from the sync socket without waiting (the child sent it
 * before exec): the fd, *index set; -EPROTO for anything else (nothing
 * there, another step, an error record, no fd). */
int fd_report_recv(int sync, int step, int *index);

#endif
