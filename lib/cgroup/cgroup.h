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
 * the child moves itself first thing). */
int cgroup_prepare(nsbox *box, struct plan *p, struct cgroup_sandbox **out);

/* Formats the child's failed STEP_CGROUP (its v1 cgroup move). */
int cgroup_report(nsbox *box, const struct plan *p, const struct child_report *rep);

/* Places pid in the cgroup where neither clone3 nor the child did; before
 * go. Also closes the parent's copies of the fds the child used. */
int cgroup_attach(nsbox *box, struct cgroup_sandbox *cg, pid_t pid);

/* Memory-limited recipes: moves pid (the first stage, an init by now)
 * into the sandbox's cgroup once every stage has exec'd. */
int cgroup_adopt(nsbox *box, struct cgroup_sandbox *cg, pid_t pid);

/* Sends sig to every process of the cgroup. */
int cgroup_kill(struct cgroup_sandbox *cg, int sig);

/* After the reap: reads the usage report into p, kills what is left,
 * removes the cgroup and frees cg. Also the cleanup of a failed spawn. */
void cgroup_finish(struct cgroup_sandbox *cg, nsbox_proc *p);

/* nsbox_proc_detach: marks the sandbox's directories as detached (the
 * sticky bit, which the removal of dead callers' cgroups skips), closes
 * them and frees cg, removing nothing. */
void cgroup_detach(struct cgroup_sandbox *cg);

#endif
