/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Nested user namespaces forbidden or checked, the parent's side
 * (userns.c); the child's: child/userns.h. */
#ifndef NSBOX_USERNS_PLAN_H
#define NSBOX_USERNS_PLAN_H

#include "userns.h"

/* Checks the flags against the plan: NSBOX_DISABLE_USERNS needs a new user
 * namespace (-EINVAL otherwise, as bubblewrap's --disable-userns). */
int userns_plan(nsbox *box, struct plan *p);
int userns_report(struct errbuf *e, const struct plan *p, const struct child_report *rep);

#endif
