/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Turns a child's report {step, errno, index} into the handle's message. */
#ifndef NSBOX_REPORT_H
#define NSBOX_REPORT_H

#include "internal.h"

/* Formats the failed step of rep into box->errmsg; returns -rep->err
 * (-EPROTO for a record whose errno is not positive). The only caller of
 * the concerns' formatters (caps_report, mount_report, userns_report,
 * cgroup_report), which so always get rep->err > 0; each checks the index
 * before it looks anything up by it. */
int report_error(struct errbuf *e, const struct plan *p, const struct child_report *rep);

/* Formats a failed clone3 (the namespaces could not be made). */
int report_clone_error(struct errbuf *e, const struct plan *p, int err);

#endif
