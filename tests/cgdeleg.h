/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A cgroup parent delegated to a user, for tests and benchmarks that run
 * sandboxes with limits as nobody: made by root below its own cgroup,
 * chowned, removed at the end (failing if a sandbox cgroup is left in it).
 * Uses no Check, so that benchmarks link it too. */
#ifndef NSBOX_CGDELEG_H
#define NSBOX_CGDELEG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The cgroup of process pid (0: ourselves) in the hierarchy of ctl ("" for
 * v2), as /proc/PID/cgroup writes it, "" for the root; -1 if unreadable. */
int cgd_cgroup_of(pid_t pid, const char *ctl, char *out, size_t size);

/* Whether /sys/fs/cgroup is cgroup v2. */
bool cgd_v2(void);

/* As root: makes the parent "<tag>-<pid>" and chowns it to uid (v1: in the
 * hierarchies the limits and the usage report use; v2: with a leaf that a
 * caller enters, as the kernel requires to move processes below it).
 * Returns the path for nsbox_set_cgroup_parent, NULL on failure (errno). */
const char *cgd_delegate(const char *tag, uid_t uid);

/* In a caller below the parent (v2 only; v1: nothing): moves the calling
 * process into the leaf. Returns 0 or -1. */
int cgd_enter_leaf(void);

/* Sandbox cgroups (nsbox-*) directly in the delegated directories. */
int cgd_count_sandboxes(void);

/* rmdir the sandbox cgroups left in the delegated directories (their
 * processes gone); returns how many there were. */
int cgd_remove_sandboxes(void);

/* Removes the delegated directories; returns the number that could not be
 * removed (printed: a sandbox cgroup left inside). */
int cgd_undelegate(void);

/* Sandbox cgroups of process pid (nsbox-<pid>-*) anywhere in /sys/fs/cgroup. */
int cgd_count_of_pid(pid_t pid);

#endif
