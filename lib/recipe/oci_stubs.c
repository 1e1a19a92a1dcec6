/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Temporary: the calls of OCI-API.md part B, declared before they work. */
#define _GNU_SOURCE
#include <errno.h>

#include "internal.h"

#define STUB(what) box ? box_fail(box, ENOSYS, "%s: not implemented yet", what) : -EINVAL

NSBOX_EXPORT int nsbox_set_groups(nsbox *box, const gid_t *gids, size_t n)
{
    (void)gids, (void)n;
    return STUB("groups");
}

NSBOX_EXPORT int nsbox_set_domainname(nsbox *box, const char *name)
{
    (void)name;
    return STUB("domainname");
}

NSBOX_EXPORT int nsbox_set_sysctl(nsbox *box, const char *key, const char *value)
{
    (void)key, (void)value;
    return STUB("sysctl");
}

NSBOX_EXPORT int nsbox_set_umask(nsbox *box, uint32_t mask)
{
    (void)mask;
    return STUB("umask");
}

NSBOX_EXPORT int nsbox_set_oom_score_adj(nsbox *box, int adj)
{
    (void)adj;
    return STUB("oom_score_adj");
}
