/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PID namespace joined through a pidfd (join_pid.c). */
#ifndef NSBOX_JOIN_PID_H
#define NSBOX_JOIN_PID_H

#include "internal.h"

/* The pid of a pidfd's process in the caller's /proc, or -errno. */
long pidfd_pid(int pidfd);

/* When a pidfd join includes NSBOX_NS_PID, joins that PID namespace
 * through the process's /proc/PID/ns/pid_for_children instead, opened into
 * p->pid_join_fd (the caller closes it after the child has joined). */
int join_pid_open(nsbox *box, struct plan *p);

#endif
