/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Turns a child's report {step, errno, index} into the handle's message. */
#ifndef NSBOX_REPORT_H
#define NSBOX_REPORT_H

#include "internal.h"

/* Formats the failed step of rep into box->errmsg; returns -rep->err. */
int report_error(nsbox *box, const struct plan *p, const struct child_report *rep);

/* Formats a failed clone3 (the namespaces could not be made). */
int report_clone_error(nsbox *box, const struct plan *p, int err);

#endif
