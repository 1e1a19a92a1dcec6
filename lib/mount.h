/* The filesystem view: recipe steps, their plan, and the child's mounts. */
#ifndef NSBOX_MOUNT_H
#define NSBOX_MOUNT_H

#include "internal.h"

struct mount_recipe;

void mount_recipe_free(struct mount_recipe *m);

/* Fills p->mounts from box->mnt (and the cwd default under a new root). */
int mount_plan_build(nsbox *box, struct plan *p);

/* Child: applies p->mounts; returns 0, or the exit code after child_fail. */
int child_mounts(struct plan *p);

/* Parent: the message of a failed STEP_MOUNT. */
int mount_report(nsbox *box, const struct plan *p, const struct child_report *rep);

#endif
