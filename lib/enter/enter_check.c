/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_enter's checks before the point of no return (enter.h): what the
 * caller cannot get by entering, and what would otherwise fail only after
 * the process has changed for good. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "caps.h"
#include "enter.h"
#include "mount.h"
#include "box.h"

/* Lists the tids of /proc/self/task other than the caller's into buf. */
static int threads_list(int *n, char *buf, size_t size)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -errno;
    pid_t self = gettid();
    size_t len = 0;
    *n = 0;
    buf[0] = '\0';
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        (*n)++;
        if (strtol(e->d_name, NULL, 10) != self && len + 16 < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", e->d_name);
    }
    closedir(d);
    return 0;
}

int enter_check_threads(nsbox *box)
{
    char tids[256];
    int n = 0;
    int r = threads_list(&n, tids, sizeof(tids));
    if (r < 0)
        return box_fail(box, -r, "enter: count the threads in /proc/self/task");
    if (n <= 1)
        return 0;
    return box_invalid(box,
                       "enter: the process has %d threads (other tids: %s; the caller is %d): "
                       "the kernel refuses a new user namespace to a multi-threaded process, "
                       "and every other thread would stay outside the sandbox with access to "
                       "its memory; call nsbox_enter() before starting threads",
                       n, tids, (int)gettid());
}

/* Namespaces that apply to children only: unshare(2) and setns(2) leave
 * the caller's own PID and time namespace as they were. */
static int check_children_only(nsbox *box, const struct enter_ctx *c)
{
    unsigned joined = 0;
    for (size_t i = 0; i < box->n_joins; i++)
        joined |= box->joins[i].ns;
    unsigned kinds = (box->ns | joined) & (NSBOX_NS_PID | NSBOX_NS_TIME);
    if (!kinds || c->fork)
        return 0;
    return box_invalid(box,
                       "enter: a %s %s namespace applies to the caller's children only (its own "
                       "pid and clocks cannot change): set NSBOX_ENTER_FORK, so that the call "
                       "forks and returns in the child (PID 1 of a new PID namespace)",
                       box->ns & kinds ? "new" : "joined", ns_name(kinds & -kinds));
}

/* An unprivileged caller's new user namespace is made by a fork of it
 * (enter_userns.c), whose /proc files the caller must write: they belong
 * to root when the memory is not dumpable (a fork inherits the flag), and
 * newuidmap checks that owner too (SECURITY-NOTES). Making the fork
 * dumpable would open a copy of the caller's memory to its uid. */
static int check_dumpable(nsbox *box, const struct plan *p)
{
    if (geteuid() == 0 || !plan_new_userns(p) || prctl(PR_GET_DUMPABLE) == 1)
        return 0;
    return box_fail(box, EPERM,
                    "enter: the process is not dumpable, so the /proc/PID/uid_map of its new "
                    "user namespace's maker belongs to root and neither it nor newuidmap may "
                    "write the maps (prctl(PR_SET_DUMPABLE, 1) first, or enter as root)");
}

static int check_sources(nsbox *box)
{
    if (!box->mnt)
        return 0;
    for (size_t i = 0; i < box->mnt->n; i++) {
        const struct mount_step *s = &box->mnt->steps[i];
        if (s->kind != MK_BIND)
            continue;
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, s->src, &how, sizeof(how));
        if (fd < 0 && errno == ENOENT && (s->flags & NSBOX_MOUNT_TRY))
            continue;
        if (fd < 0)
            return box_fail(box, errno, "bind mount %s -> %s%s", s->src, s->dst,
                            errno == ELOOP ? " (a symlink on the way to the source)" : "");
        close(fd);
    }
    return 0;
}

static bool has_cap_sys_resource(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0)
        return false;
    return d[0].effective & CAP_TO_MASK(CAP_SYS_RESOURCE);
}

/* Raising a hard limit needs CAP_SYS_RESOURCE in the initial user
 * namespace, which a new user namespace does not give. */
static int check_rlimits(nsbox *box, const struct plan *p)
{
    bool may_raise = !plan_new_userns(p) && !p->ids_joined && has_cap_sys_resource();
    for (size_t i = 0; i < box->n_rlimits; i++) {
        const struct rlimit_set *l = &box->rlimits[i];
        struct rlimit64 cur;
        if (prlimit64(0, l->resource, NULL, &cur) < 0)
            return box_fail(box, errno, "enter: read rlimit %d", l->resource);
        if (l->hard <= cur.rlim_max || may_raise)
            continue;
        return box_fail(box, EPERM,
                        "enter: rlimit %d: raising the hard limit from %llu to %llu needs "
                        "CAP_SYS_RESOURCE in the initial user namespace",
                        l->resource, (unsigned long long)cur.rlim_max, (unsigned long long)l->hard);
    }
    return 0;
}

/* The kernel checks a seccomp program only when it installs it, the last
 * step: a throw-away fork installs it first (with no_new_privs, so that
 * only the program itself is judged) and reports the errno. */
static int check_seccomp(nsbox *box, const struct plan *p)
{
    const struct sock_fprog *prog = &p->caps->prog;
    if (!prog->len)
        return 0;
    int pidfd = -1;
    long pid = enter_quiet_fork(&pidfd);
    if (pid == 0) {
        long r = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (r == 0)
            r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
        _exit(r == 0 ? 0 : errno & 0x7f);
    }
    if (pid < 0)
        return box_fail(box, errno, "enter: fork to check the seccomp filter");
    int status = enter_quiet_wait(pidfd);
    close(pidfd);
    if (status == 0)
        return 0;
    return box_fail(box, status > 0 && status < 128 ? status : EPROTO,
                    "enter: the kernel refuses the seccomp filter (%u instructions)",
                    (unsigned)prog->len);
}

int enter_check(nsbox *box, const struct enter_ctx *c)
{
    int r = check_children_only(box, c);
    if (r < 0)
        return r;
    if (box->n_lock_files)
        return box_invalid(box, "enter: lock files are held by a spawned sandbox's handle "
                                "(nsbox_spawn only): open and lock the file yourself");
    if (box->console)
        return box_invalid(box, "enter: a console's master goes to a spawned sandbox's handle "
                                "(nsbox_spawn only): open a pty in the sandbox yourself");
    if ((box->flags & NSBOX_NEW_SESSION) && !c->fork && getpgrp() == getpid())
        return box_invalid(box, "enter: NSBOX_NEW_SESSION in a process group leader (setsid "
                                "fails): set NSBOX_ENTER_FORK too, or fork first");
    r = check_dumpable(box, c->p);
    if (r == 0)
        r = check_sources(box);
    if (r == 0)
        r = check_rlimits(box, c->p);
    if (r == 0)
        r = check_seccomp(box, c->p);
    return r;
}
