/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-sandbox cgroups: made before clone, filled with the limits, the
 * child placed in it (CLONE_INTO_CGROUP on v2; on v1 the child's first
 * step writes "0" to "tasks" files the parent opened), read for the usage
 * report after the reap, then removed. */
#ifndef NSBOX_CGROUP_H
#define NSBOX_CGROUP_H

#include "internal.h"

struct cgroup_recipe;
struct cgroup_sandbox;

/* Makes the sandbox's cgroup when the recipe has limits (else *out NULL).
 * Sets p->cgroup_fd (v2: clone3 CLONE_INTO_CGROUP) or p->cgroup_moves (v1:
 * the child moves itself first thing). Reads the recipe, writes only its
 * message e (box->err). Everything below takes the message alone. */
int cgroup_prepare(const nsbox *box, struct errbuf *e, struct plan *p, struct cgroup_sandbox **out);

/* After a failed clone3 with CLONE_INTO_CGROUP into leaf_fd (errno
 * err): when a probe child cloned into the cgroup alone fails the same
 * way, the cgroup is the cause: a message naming it and the reason, and
 * -err; else 0 (the namespaces are, report_clone_error). */
int cgroup_clone_error(struct errbuf *e, const struct cgroup_sandbox *cg, int leaf_fd, int err);

/* Formats the child's failed STEP_CGROUP (its v1 cgroup move). */
int cgroup_report(struct errbuf *e, const struct plan *p, const struct child_report *rep);

/* Before the go: closes the parent's copies of the v1 "tasks" fds the
 * child moved itself with. It places nothing: clone3 placed the child
 * (v2, CLONE_INTO_CGROUP) or the child's first step did (v1). */
void cgroup_attach(struct cgroup_sandbox *cg);

/* Memory-limited recipes: moves pid (the first stage, an init by now)
 * into the sandbox's cgroup once every stage has exec'd. */
int cgroup_adopt(struct errbuf *e, struct cgroup_sandbox *cg, pid_t pid);

/* The sandbox's CPU usage so far in us (v2 cpu.stat usage_usec, v1
 * cpuacct.usage), UINT64_MAX when it cannot be read. */
uint64_t cgroup_cpu_usec(struct cgroup_sandbox *cg);

/* With time limits: moves pid (the init, PID 1) into its own leaf, where
 * cg_enforcer_prepare made one; once every stage has exec'd. */
int cgroup_enforcer_place(struct errbuf *e, struct cgroup_sandbox *cg, pid_t pid);

/* True when the sandbox has an enforcing init but no leaf for it: the
 * cpu controller is unavailable (cg_enforcer.c); for the report. */
bool cgroup_init_shared(const struct cgroup_sandbox *cg);

/* Opens the leaf's cgroup.procs (v2) or "tasks" files (v1) into
 * p->cgroup_moves, where a process moves itself by writing "0". */
int cgroup_open_moves(struct errbuf *e, struct plan *p, struct cgroup_sandbox *cg);

/* Frees cg and closes its fds, leaving its directories in place (a
 * process that entered it lives on there: nsbox_enter). */
void cgroup_keep(struct cgroup_sandbox *cg);

/* The sandbox's directory of the first hierarchy, for messages. */
const char *cgroup_path(const struct cgroup_sandbox *cg);

/* True when the sandbox's cgroup existed before the spawn (a named one,
 * nsbox_set_cgroup_path: e.g. the running container's that nsbox-oci exec
 * names), in any hierarchy: other processes may live in it, so it is not
 * the sandbox's to signal (cgroup_kill), empty or remove. */
bool cgroup_shared(const struct cgroup_sandbox *cg);

/* Sends sig to every process of the cgroup: only for one that is not
 * shared (cgroup_shared). */
int cgroup_kill(struct cgroup_sandbox *cg, int sig);

/* After the reap: reads the usage report into p, kills what is left,
 * removes the cgroup and frees cg. Also the cleanup of a failed spawn.
 * A shared cgroup (cgroup_shared) is left as it was: nothing in it is
 * killed, and only the directories the spawn made are removed (the leaf,
 * the init's leaf, C in a hierarchy where it was missing). */
void cgroup_finish(struct cgroup_sandbox *cg, nsbox_proc *p);

/* nsbox_proc_detach: marks the directories the spawn made as detached
 * (the sticky bit, which the removal of dead callers' cgroups skips),
 * closes them and frees cg, removing nothing. */
void cgroup_detach(struct cgroup_sandbox *cg);

#endif
