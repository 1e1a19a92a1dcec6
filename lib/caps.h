/* Capabilities, no_new_privs and seccomp: recipe, plan, child steps. */
#ifndef NSBOX_CAPS_H
#define NSBOX_CAPS_H

#include "internal.h"

struct caps_recipe;

void caps_recipe_free(struct caps_recipe *c);

/* Fills p->caps from box->caps. */
int caps_plan_build(nsbox *box, struct plan *p);

/* Child: identity (groups, gid, uid) and capabilities, after the mounts;
 * returns 0, or the exit code after child_fail. */
int child_ids_caps(struct plan *p);

/* Child: the seccomp filter, the very last step before exec. */
int child_seccomp(struct plan *p);

/* Parent: the message of a failed STEP_CAPS or STEP_SECCOMP. */
int caps_report(nsbox *box, const struct plan *p, const struct child_report *rep);

#endif
