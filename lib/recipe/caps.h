/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities, no_new_privs and seccomp, the recipe's side (caps.c):
 * the builder calls' record, its plan (names parsed with libcap into the
 * masks of caps_plan.h), and the message of a failed step. The child
 * applies the plan with raw system calls only: caps_child.h. */
#ifndef NSBOX_CAPS_H
#define NSBOX_CAPS_H

#include "caps_plan.h"

struct caps_recipe;

void caps_recipe_free(struct caps_recipe *c);

/* Fills p->caps from box->caps (always: the default drops everything). */
int caps_plan_build(nsbox *box, struct plan *p);

/* Parent: the message of a failed STEP_CAPS or STEP_SECCOMP. */
int caps_report(struct errbuf *e, const struct plan *p, const struct child_report *rep);

#endif
