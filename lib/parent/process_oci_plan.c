/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan of the OCI process settings (groups, umask, oom_score_adj,
 * domain name, sysctl), what the caller does after exec, and the messages
 * of the child's failures; the builder calls are lib/recipe/process_oci.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci_plan.h"
#include "box.h"
#include "idmap.h"
#include "join_pid.h"

/* The inode of the namespace of kind a joined fd names (a namespace file,
 * or a pidfd's process's), and of the caller's own. */
static int joined_ns_ino(const struct ns_join *j, unsigned kind, struct stat *st)
{
    if (!j->pidfd)
        return fstat(j->fd, st) < 0 ? -errno : 0;
    long pid = pidfd_pid(j->fd);
    if (pid < 0)
        return (int)pid;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid, ns_name(kind));
    return stat(path, st) < 0 ? -errno : 0;
}

/* -EINVAL with the message unless the sandbox has a namespace of kind
 * of its own: new, or joined and not the caller's. */
static int sysctl_ns_check(nsbox *box, const struct oci_sysctl *s)
{
    if (box->ns & s->ns)
        return 0;
    for (size_t i = 0; i < box->n_joins; i++) {
        if (!(box->joins[i].ns & s->ns))
            continue;
        char own[64];
        struct stat a = {0}, b = {0};
        snprintf(own, sizeof(own), "/proc/self/ns/%s", ns_name(s->ns));
        int r = joined_ns_ino(&box->joins[i], s->ns, &a);
        if (r == 0 && stat(own, &b) < 0)
            r = -errno;
        if (r < 0)
            return box_fail(box, -r,
                            "sysctl %s: compare the joined %s namespace with the "
                            "caller's",
                            s->key, ns_name(s->ns));
        if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            return box_invalid(box,
                               "sysctl %s: the joined %s namespace is the caller's own, whose "
                               "setting it would change",
                               s->key, ns_name(s->ns));
        return 0;
    }
    return box_invalid(box,
                       "sysctl %s: needs a %s namespace of the sandbox's own (new, or joined), "
                       "else it would change the caller's setting",
                       s->key, ns_name(s->ns));
}

int oci_plan_build(nsbox *box, struct plan *p)
{
    const struct oci_recipe *o = box->oci;
    if (!o)
        return 0;
    struct oci_plan *op = plan_alloc(p, sizeof(*op));
    if (!op)
        return box_fail(box, ENOMEM, "plan");
    for (size_t i = 0; i < o->n_sysctls; i++) {
        int r = sysctl_ns_check(box, &o->sysctls[i]);
        if (r < 0)
            return r;
    }
    if (o->n_groups && plan_new_userns(p) && idmap_setgroups_denied(box))
        return box_fail(box, EPERM,
                        "groups: the user namespace denies setgroups (an unprivileged caller's "
                        "maps are written so unless newgidmap writes them: add a gid map range "
                        "beyond the caller's own gid, from /etc/subgid)");
    op->groups = o->groups;
    op->n_groups = (int)o->n_groups;
    op->umask = o->umask_set ? (long)o->umask : -1;
    /* The caller writes it once the command has exec'd: a write before,
     * while the child shares the caller's memory, goes to every process
     * sharing it (the kernel's __set_oom_adj), the caller included. The
     * command must be the process the caller knows. */
    if (o->oom_set && (p->use_init || p->monitor))
        return box_invalid(box,
                           "oom_score_adj %d: the command must be the sandbox's first "
                           "process (NSBOX_AS_PID1 with a new PID namespace, or none; and "
                           "a kernel with PIDFD_INFO_EXIT, Linux 6.15)",
                           o->oom_score_adj);
    if (o->oom_set) {
        char num[16];
        snprintf(num, sizeof(num), "%d", o->oom_score_adj);
        if (!(op->oom = plan_strdup(p, num)))
            return box_fail(box, ENOMEM, "plan");
    }
    op->domainname = o->domainname;
    op->sysctls = o->sysctls;
    op->n_sysctls = (int)o->n_sysctls;
    p->oci = op;
    return 0;
}

int oci_after_exec(nsbox *box, const struct plan *p, pid_t pid)
{
    if (!p->oci || !p->oci->oom)
        return 0;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(p->oci->oom);
    if (fd >= 0 && write(fd, p->oci->oom, len) == (ssize_t)len)
        return 0;
    int r = box_fail(box, errno, "oom_score_adj %s", p->oci->oom);
    if (r == -EACCES)
        box_append(box, " (lowering it needs CAP_SYS_RESOURCE of the host)");
    return r;
}

int oci_report(struct errbuf *e, const struct plan *p, const struct child_report *rep)
{
    const struct oci_plan *op = p->oci;
    int err = rep->err; /* positive: report_error checked it */
    int i = REPORT_ITEM(rep->index);
    const struct oci_sysctl *s = op && i >= 0 && i < op->n_sysctls ? &op->sysctls[i] : NULL;
    switch (REPORT_PART(rep->index)) {
    case OCI_SYSCTL_PROC:
        return err_fail(e, err, "sysctl: open /proc/sys of the caller's tree (a procfs)");
    case OCI_SYSCTL_OPEN:
    case OCI_SYSCTL_WRITE:
        if (!s)
            break;
        err_fail(e, err, "sysctl %s=%s", s->key, s->value);
        if (err == EROFS)
            err_append(e, " (the caller's /proc/sys is read-only)");
        else if (err == EACCES && s->ns == NSBOX_NS_IPC)
            err_append(e, " (the kernel lets only uid 0 of the sandbox's user namespace "
                          "write it: map 0)");
        return -err;
    case OCI_DOMAINNAME:
        return err_fail(e, err, "set domain name %s", op ? op->domainname : "?");
    case OCI_GROUPS:
        err_fail(e, err, "set %d supplementary groups", op ? op->n_groups : 0);
        if (err == EINVAL)
            err_append(e, " (a gid is not mapped in the user namespace)");
        else if (err == EPERM)
            err_append(e, " (the user namespace denies setgroups, or CAP_SETGID is missing)");
        return -err;
    }
    return err_fail(e, err, "child step %d.%d", rep->step, rep->index);
}
