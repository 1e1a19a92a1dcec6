/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Operations on a sandbox's cgroup by its path (nsbox_cgroup_kill, _freeze,
 * _pids, _destroy), for a process other than the spawner. */
#define _GNU_SOURCE
#include <errno.h>

#include "cgroup_impl.h"

NSBOX_EXPORT int nsbox_set_cgroup_path(nsbox *box, const char *path)
{
    (void)path;
    return box ? box_fail(box, ENOSYS, "nsbox_set_cgroup_path: not yet") : -EINVAL;
}

NSBOX_EXPORT int nsbox_cgroup_kill(nsbox *box, const char *cgroup, int sig)
{
    (void)sig;
    return box ? box_fail(box, ENOSYS, "cgroup %s: not yet", cgroup) : -EINVAL;
}

NSBOX_EXPORT int nsbox_cgroup_freeze(nsbox *box, const char *cgroup, int frozen)
{
    (void)frozen;
    return box ? box_fail(box, ENOSYS, "cgroup %s: not yet", cgroup) : -EINVAL;
}

NSBOX_EXPORT int nsbox_cgroup_pids(nsbox *box, const char *cgroup, pid_t *pids, size_t n)
{
    (void)pids;
    (void)n;
    return box ? box_fail(box, ENOSYS, "cgroup %s: not yet", cgroup) : -EINVAL;
}

NSBOX_EXPORT int nsbox_cgroup_destroy(nsbox *box, const char *cgroup)
{
    return box ? box_fail(box, ENOSYS, "cgroup %s: not yet", cgroup) : -EINVAL;
}
