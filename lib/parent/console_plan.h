/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console, the parent's side (console_plan.c). */
#ifndef NSBOX_CONSOLE_PLAN_H
#define NSBOX_CONSOLE_PLAN_H

#include "console.h"

/* Fills p->console from box->console (after the ids are planned). */
int console_plan_build(nsbox *box, struct plan *p);

/* Parent, once every stage has exec'd: receives the master the command's
 * stage sent and checks that it is a pty master; *fd owned by the caller.
 * 0, or a negative errno with the message set. */
int console_receive(nsbox *box, int sync, int *fd);

/* Parent: the message of a failed STEP_CONSOLE. */
int console_report(struct errbuf *e, const struct plan *p, const struct child_report *rep);

#endif
