/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_enter(): a recipe applied to the calling process (unshare-style).
 * enter.c runs it; enter_check.c checks everything that can be checked
 * before the point of no return; enter_userns.c makes the new user
 * namespace in a helper process and maps it from outside; enter_steps.c applies
 * the rest with the spawn's child steps. Uses the plan, cgroup and child
 * code; nothing there uses this folder. */
#ifndef NSBOX_ENTER_H
#define NSBOX_ENTER_H

#include "internal.h"

/* The caller's new user namespace, made and mapped by a helper. */
struct enter_userns {
    pid_t pid; /* the helper's, 0 once reaped */
    int pidfd;
    int go;     /* write end: the maps are written; end-of-file: exit */
    int result; /* read end: the helper's results, an errno each */
    int fd;     /* /proc/HELPER/ns/user, joined at the point of no return */
};

struct enter_ctx {
    nsbox *box;
    struct plan *p;
    struct cgroup_sandbox *cg;
    struct enter_userns userns;
    int report_rd;          /* the child steps' reports (p->report_fd is the write end) */
    unsigned long ns_first; /* CLONE_NEW* unshared at the point of no return */
    bool cgroupns_after;    /* CLONE_NEWCGROUP once in the sandbox's cgroup */
    bool fork;              /* NSBOX_ENTER_FORK */
    bool changed;           /* past the point of no return */
    bool moved;             /* in the sandbox's cgroup: it stays */
};

/* ------------------------------------------------------------ enter_check.c */

/* -EINVAL naming the other threads when the process has more than one. */
int enter_check_threads(nsbox *box);
/* What the caller cannot get by entering (PID and time namespaces without
 * NSBOX_ENTER_FORK, lock files, setsid in a group leader) and what would
 * fail only after the point of no return where it can be told before it:
 * the dumpable rule of the maps, bind sources, a new root's directory,
 * raised hard rlimits. */
int enter_check(nsbox *box, const struct enter_ctx *c);

/* ----------------------------------------------------------- enter_userns.c */

/* Forks the helper, which makes the user namespace. */
int enter_userns_start(nsbox *box, struct enter_userns *u, unsigned long rest);
/* Writes its maps, opens it into u->fd and lets the helper try the other
 * new namespaces (rest, CLONE_NEW*) in it; 0, or a negative errno with the
 * message set. */
int enter_userns_map(nsbox *box, const struct plan *p, struct enter_userns *u, unsigned long rest);
/* Ends the helper and closes its pipes (u->fd stays). */
void enter_userns_stop(struct enter_userns *u);

/* fork(2) without the caller's atfork handlers and with exit_signal 0, so
 * that the caller's SIGCHLD handling and waitpid(-1) never see the child;
 * for helpers that make system calls only, in a single-threaded copy
 * (enter_check_threads). Returns as fork does; the pidfd in *pidfd. */
long enter_quiet_fork(int *pidfd);
/* Reaps it: its shell-form status, or a negative errno. */
int enter_quiet_wait(int pidfd);

/* ------------------------------------------------------------ enter_steps.c */

/* Everything after the namespaces and maps: cgroup, ids, the fork, the
 * view, identity, fds, environment, seccomp. 0, or a negative errno with
 * the message set. In NSBOX_ENTER_FORK's parent it does not return. */
int enter_steps(struct enter_ctx *c);
/* The message of a failed child step, read from c->report_rd. */
int enter_step_failed(struct enter_ctx *c);

#endif
