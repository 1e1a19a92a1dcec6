/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI process settings, the parent's side (process_oci_plan.c). */
#ifndef NSBOX_OCI_PLAN_H
#define NSBOX_OCI_PLAN_H

#include "oci.h"

/* Fills p->oci from box->oci; checks that each sysctl's namespace is the
 * sandbox's own. */
int oci_plan_build(nsbox *box, struct plan *p);

/* Parent, once the command has exec'd: its oom_score_adj. */
int oci_after_exec(nsbox *box, const struct plan *p, pid_t pid);

/* Parent: the message of a failed STEP_OCI. */
int oci_report(struct errbuf *e, const struct plan *p, const struct child_report *rep);

#endif
