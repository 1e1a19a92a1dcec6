/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Steps of the child between clone and exec (raw system calls only). */
#ifndef NSBOX_CHILD_H
#define NSBOX_CHILD_H

#include "internal.h"

/* Child entry (stage 0), run by clone3 on its own stack. */
int child_main(void *plan);

/* Reports a failed step to the parent; returns the exit code of the
 * failing stage. */
int child_fail(struct plan *p, int step, long err, int index);

/* Sends {step, 0, index} with fd (SCM_RIGHTS) on the sync socket; 0 or
 * a negative errno. */
long child_send_fd(int sync, int step, int index, long fd);

/* The command's own stage: filesystem, identity, fds, exec. Returns only
 * on failure, with the stage's exit code. */
int child_command(struct plan_stage *s);

/* Re-arms the parent-death signal after a credential change cleared it
 * (stage 0: only with NSBOX_DIE_WITH_PARENT) and fails if the parent died
 * meanwhile. Returns 0, or the exit code after child_fail. */
int child_pdeath_rearm(struct plan_stage *s);

/* Puts the signals of set (bit sig - 1) back to their default disposition
 * (SIGKILL and SIGSTOP have no other); 0 or the first error, skipping the
 * numbers this kernel lacks. */
long child_signals_default(uint64_t set);

/* Writes v in decimal at buf; returns the end (the NUL). */
char *child_utoa(char *buf, unsigned long v);

/* Waits until the stages above the command's have exec'd or exited. */
void child_wait_stages(struct plan *p);

/* What helper_run (parent/helper.c) hands its child. */
struct helper_args {
    char *const *argv;
    int out_fd; /* its stdout and stderr */
};

/* The helper's child: runs argv with its output on out_fd (helper_child.c). */
int helper_child(void *arg);

/* The command's view, in the order of DESIGN.md: cgroup mounts read-only,
 * user namespace limit, mounts, hostname, lo, cwd, setsid, rlimits.
 * 0, or the exit code after child_fail. */
int child_setup_view(struct plan *p);

/* Its identity: ids, capabilities, parent-death re-arm, lock files,
 * no_new_privs. 0, or the exit code after child_fail. */
int child_setup_identity(struct plan_stage *s);

/* Puts stdio and passed fds at their targets and marks every other fd
 * close-on-exec; 0, or the exit code after child_fail. */
int child_fds(struct plan *p);

/* Replaces this stage with the init helper watching pid (init_args[slot],
 * stages[slot]'s parent pidfd); returns only on failure. */
int child_exec_init(struct plan *p, int slot, long pid);

/* Brings "lo" up in the new network namespace. */
long net_loopback_up(void);

/* Child: makes every cgroup mount of the new mount namespace read-only
 * (p->cgroupfs_ro); 0, or the exit code after child_fail. */
int child_cgroupfs_ro(struct plan *p);

#endif
