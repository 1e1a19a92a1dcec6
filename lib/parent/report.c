/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages for the child's failed steps, built in the parent from the plan
 * (the child only sends numbers). Each names the step and what it was
 * applied to; the errno text follows. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "cgroup.h"
#include "console_plan.h"
#include "lock.h"
#include "userns_plan.h"
#include "mount_build.h"
#include "oci_plan.h"
#include "report.h"
#include "box.h"

/* "user+pid+net" for a set of CLONE_NEW* flags. */
static void clone_ns_names(unsigned long flags, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned ns = 1; ns <= NSBOX_NS_TIME; ns <<= 1)
        if ((flags & ns_clone_flags(ns)) && len < size)
            len += snprintf(buf + len, size - len, "%s%s", len ? "+" : "", ns_name(ns));
}

static void mask_ns_names(unsigned mask, char *buf, size_t size)
{
    clone_ns_names(ns_clone_flags(mask), buf, size);
}

int report_clone_error(struct errbuf *e, const struct plan *p, int err)
{
    char names[96];
    clone_ns_names(p->clone_ns, names, sizeof(names));
    const char *hint = "";
    if ((err == EPERM || err == EACCES) && geteuid() != 0)
        hint = " (are unprivileged user namespaces disabled? see "
               "/proc/sys/kernel/unprivileged_userns_clone and /proc/sys/user/max_user_namespaces)";
    else if (err == ENOSPC)
        hint = " (a namespace limit in /proc/sys/user/ was reached)";
    int r = err_fail(e, err, "create namespaces %s", *names ? names : "(none)");
    err_append(e, "%s", hint);
    return r;
}

static int report_exec(struct errbuf *e, const struct plan *p, const struct child_report *rep)
{
    const char *name = p->exec_name;
    int n = 0;
    while (p->exec_paths && p->exec_paths[n])
        n++;
    if (strchr(name, '/') || rep->err == ENOENT || rep->index < 0 || rep->index >= n)
        return err_fail(e, rep->err, "exec %s", name);
    return err_fail(e, rep->err, "exec %s (as %s)", name, p->exec_paths[rep->index]);
}

static int report_fds(struct errbuf *e, const struct plan *p, const struct child_report *rep)
{
    static const char *const names[3] = {"stdin", "stdout", "stderr"};
    int i = rep->index;
    if (i >= 0 && i < 3 && p->console)
        return err_fail(e, rep->err, "set up %s from the console's pty", names[i]);
    if (i >= 0 && i < 3)
        return err_fail(e, rep->err, "set up %s from fd %d", names[i], p->stdio[i]);
    if (i >= 3 && i - 3 < p->n_fds)
        return err_fail(e, rep->err, "pass fd %d as %d", p->fds[i - 3].src, p->fds[i - 3].dst);
    return err_fail(e, rep->err, "close the caller's other fds");
}

static int report_setns(struct errbuf *e, const struct plan *p, const struct child_report *rep)
{
    if (rep->index < 0 || rep->index >= p->n_joins)
        return err_fail(e, rep->err, "join namespace %d", rep->index);
    const struct plan_join *j = &p->joins[rep->index];
    char names[96];
    mask_ns_names(j->ns, names, sizeof(names));
    int r = err_fail(e, rep->err, "join namespace %s (fd %d)", names, j->fd);
    if (rep->err == EPERM && !(j->ns & NSBOX_NS_USER))
        err_append(e, " (it belongs to another user namespace: join that one too)");
    return r;
}

static int report_id(struct errbuf *e, const char *what, uint32_t id, int err)
{
    int r = err_fail(e, err, "set %s %u", what, id);
    if (err == EINVAL)
        err_append(e, " (%s %u is not mapped in the user namespace)", what, id);
    return r;
}

int report_error(struct errbuf *e, const struct plan *p, const struct child_report *raw)
{
    /* The one guard on the record: every formatter below, here and in the
     * other files, gets a positive errno (a record without one says the
     * child broke the protocol). */
    struct child_report checked = *raw;
    if (checked.err <= 0)
        checked.err = EPROTO;
    const struct child_report *rep = &checked;
    char names[96];
    int err = rep->err;
    switch (rep->step) {
    case STEP_SIGNALS:
        return err_fail(e, err, "reset signals in the child");
    case STEP_PDEATHSIG:
        if (rep->index == 2)
            return err_fail(e, err, "re-arm the parent-death signal: the parent died");
        return err_fail(e, err, "%s the parent-death signal",
                        rep->index ? "check the parent after re-arming" : "set");
    case STEP_SYNC:
        return err_fail(e, err, "wait for the parent");
    case STEP_SETNS:
        return report_setns(e, p, rep);
    case STEP_UNSHARE:
        clone_ns_names(p->unshare_ns, names, sizeof(names));
        return err_fail(e, err, "create namespaces %s", names);
    case STEP_FORK:
        if (rep->index == 2)
            return err_fail(e, err,
                            "send the pidfd of the process forked into the PID "
                            "namespace to the caller");
        if (rep->index == 3)
            return err_fail(e, err,
                            "hand the process forked into the PID namespace over to the "
                            "caller (the forking stage died)");
        return err_fail(e, err, "fork into the PID namespace");
    case STEP_INIT_EXEC:
        return err_fail(e, err, "exec the init helper (memfd)%s",
                        !rep->index       ? ""
                        : p->gate_fd >= 0 ? " to wait at the exec gate"
                                          : " to place the command in its memory-limited cgroup");
    case STEP_INIT_CWD:
        return err_fail(e, err,
                        rep->index ? "return to the cwd after the init's fork"
                                   : "move the init helper's cwd to its root");
    case STEP_HOSTNAME:
        return err_fail(e, err, "set hostname %s", p->hostname);
    case STEP_LOOPBACK:
        return err_fail(e, err, "bring up lo");
    case STEP_CWD:
        if (rep->index == 2)
            return err_fail(e, err, "cwd %s: outside the sandbox's root (through a magic link?)",
                            p->cwd);
        return err_fail(e, err, "chdir %s", rep->index ? "/" : p->cwd);
    case STEP_SETSID:
        return err_fail(e, err, "setsid");
    case STEP_CTTY:
        return err_fail(e, err, "make stdin (fd %d) the controlling terminal (TIOCSCTTY)",
                        p->stdio[0] >= 0 ? p->stdio[0] : 0);
    case STEP_RLIMIT:
        if (rep->index < 0 || rep->index >= p->n_rlimits)
            return err_fail(e, err, "set rlimit %d", rep->index);
        return err_fail(e, err, "set rlimit %d to %llu/%llu", p->rlimits[rep->index].resource,
                        (unsigned long long)p->rlimits[rep->index].soft,
                        (unsigned long long)p->rlimits[rep->index].hard);
    case STEP_SETGROUPS:
        return err_fail(e, err, "drop supplementary groups");
    case STEP_SETGID:
        return report_id(e, "gid", rep->index ? p->setup_gid : p->gid, err);
    case STEP_SETUID:
        return report_id(e, "uid", rep->index ? p->setup_uid : p->uid, err);
    case STEP_NO_NEW_PRIVS:
        return err_fail(e, err, "set no_new_privs");
    case STEP_MOUNT:
        return mount_report(e, p, rep);
    case STEP_CAPS:
    case STEP_SECCOMP:
        return caps_report(e, p, rep);
    case STEP_FDS:
        return report_fds(e, p, rep);
    case STEP_EXEC:
        return report_exec(e, p, rep);
    case STEP_CGROUPNS:
        return err_fail(e, err, "create namespaces cgroup");
    case STEP_USERNS:
        return userns_report(e, p, rep);
    case STEP_CGROUP:
    case STEP_CGROUPFS:
        return cgroup_report(e, p, rep);
    case STEP_REPORT:
        return err_fail(e, err, "make the child's report pipe");
    case STEP_OCI:
        return oci_report(e, p, rep);
    case STEP_CONSOLE:
        return console_report(e, p, rep);
    case STEP_LOCK:
        if (rep->index >= 0 && REPORT_ITEM(rep->index) < p->n_lock_files)
            return err_fail(e, err, "%s %s",
                            REPORT_PART(rep->index) == LOCK_TAKE ? "lock file" : "open lock file",
                            p->lock_files[REPORT_ITEM(rep->index)]);
        return err_fail(e, err, "lock file %d", REPORT_ITEM(rep->index));
    default:
        return err_fail(e, err, "child step %d", rep->step);
    }
}
