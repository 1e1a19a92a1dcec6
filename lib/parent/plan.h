/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's plan of one spawn (plan.c) and the init helper it runs
 * (init.c). */
#ifndef NSBOX_PLAN_H
#define NSBOX_PLAN_H

#include "internal.h"

/* Builds the plan of one spawn. The plan and all it points to live in one
 * allocation freed with plan_free(). */
int plan_build(nsbox *box, char *const argv[], struct plan **out);

/* Returns a new memfd holding the init helper, sealed. */
int init_memfd_open(nsbox *box);

#endif
