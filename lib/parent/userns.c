/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Nested user namespaces (userns.h): the parent's checks and messages. */
#define _GNU_SOURCE
#include <errno.h>

#include "userns.h"

int userns_plan(nsbox *box, struct plan *p)
{
    if ((p->flags & NSBOX_DISABLE_USERNS) && !plan_new_userns(p))
        return box_invalid(box, "NSBOX_DISABLE_USERNS needs a new user namespace "
                                "(NSBOX_NS_USER; it cannot change a joined one: check it with "
                                "NSBOX_ASSERT_USERNS_DISABLED instead)");
    return 0;
}

int userns_report(nsbox *box, const struct plan *p, const struct child_report *rep)
{
    (void)p;
    switch (rep->index) {
    case USERNS_PROC:
        return box_fail(box, rep->err, "disable user namespaces: open /proc");
    case USERNS_SYSCTL:
        return box_fail(box, rep->err,
                        "disable user namespaces: write 1 to /proc/sys/user/max_user_namespaces");
    case USERNS_NEST:
        return box_fail(box, rep->err, "disable user namespaces: create the nested user namespace");
    case USERNS_NEST_MAP:
        return box_fail(box, rep->err,
                        "disable user namespaces: map the nested user namespace's ids");
    default:
        return box_fail(box, rep->err,
                        "creation of new user namespaces was not disabled as requested (the "
                        "sandbox could create one)");
    }
}
