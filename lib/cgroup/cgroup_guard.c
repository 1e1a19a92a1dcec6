/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What keeps a sandbox under its cgroup (see nsbox_cgroup(3), "What the
 * sandbox can do to its cgroup"): the parent's half. The limits sit one
 * level above the sandbox's processes (cgroup_tree.c), every cgroup mount
 * of its mount namespace is made read-only before the mount steps
 * (cgroup_child.c), and a command that keeps CAP_SYS_ADMIN, which could
 * make them writable again, is refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>

#include "caps.h"
#include "cgroup_impl.h"

/* Room for one line of /proc/self/mountinfo in the child. */
#define MOUNTINFO_LINE 8192

int cg_caps_check(struct errbuf *e, const struct plan *p)
{
    bool holds = plan_new_userns(p) || geteuid() == 0;
    if (!holds || !(p->caps->keep & BIT(CAP_SYS_ADMIN)))
        return 0;
    /* The caller's choice: limits that bind only a command that keeps
     * them (nsbox_cgroup(3), NSBOX_CGROUP_ADVISORY). */
    if (p->flags & NSBOX_CGROUP_ADVISORY)
        return 0;
    return err_fail(e, EPERM,
                    "cgroup limits with cap_sys_admin kept: the command could remount the "
                    "cgroup file system writable and lift its limits or leave its cgroup "
                    "(drop cap_sys_admin, e.g. nsbox_drop_cap(box, \"cap_sys_admin\"), or "
                    "accept advisory limits with NSBOX_CGROUP_ADVISORY)");
}

int cg_plan_cgroupfs_ro(struct errbuf *e, struct plan *p)
{
    if (!((p->clone_ns | p->unshare_ns) & CLONE_NEWNS))
        return 0;
    p->cgroupfs_buf = plan_alloc(p, MOUNTINFO_LINE);
    if (!p->cgroupfs_buf)
        return err_fail(e, ENOMEM, "plan");
    p->cgroupfs_buf_size = MOUNTINFO_LINE;
    p->cgroupfs_ro = true;
    return 0;
}
