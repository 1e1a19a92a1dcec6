/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why a clone3(CLONE_INTO_CGROUP) failed: the namespaces or the cgroup.
 * The kernel gives one errno for both, and some of its cgroup refusals
 * (EOPNOTSUPP for a threaded or domain-invalid cgroup) read like a
 * namespace's: "create namespaces pid: Operation not supported". A probe
 * child cloned into the cgroup alone tells them apart. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_impl.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif

/* clone3's arguments up to the cgroup fd (Linux 5.7, CLONE_ARGS_SIZE_VER2). */
struct probe_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

/* A child cloned into the leaf alone, as fork() does, which exits at
 * once; 0 when the kernel took it, else its errno. */
static int probe(int leaf_fd)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pidfd = -1;
    struct probe_args a = {
        .flags = CLONE_PIDFD | CLONE_INTO_CGROUP,
        .pidfd = (uintptr_t)&pidfd,
        .cgroup = (uint64_t)leaf_fd,
    };
    long pid = syscall(__NR_clone3, &a, sizeof(a));
    if (pid == 0)
        _exit(0);
    int err = pid < 0 ? errno : 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid > 0) {
        siginfo_t si;
        while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
            ;
        close(pidfd);
    }
    return err;
}

static const char *refusal(int err)
{
    switch (err) {
    case EOPNOTSUPP:
        return " (the kernel takes no new process there: a threaded cgroup, see its cgroup.type, "
               "or one whose domain is invalid)";
    case EBUSY:
        return " (it delegates controllers to its children: no internal processes)";
    case ENODEV:
    case ENOENT:
        return " (it was removed meanwhile)";
    case EAGAIN:
        return " (its pids.max or a parent's is reached)";
    default:
        return "";
    }
}

int cgroup_clone_error(struct errbuf *e, const struct cgroup_sandbox *cg, int leaf_fd, int err)
{
    if (!cg || leaf_fd < 0 || probe(leaf_fd) != err)
        return 0;
    if (err == EACCES || err == EPERM)
        return cg_fail_access(e, err, "clone the sandbox into cgroup", cg->dirs[0].path);
    int r = err_fail(e, err, "clone the sandbox into cgroup %s/" CG_LEAF, cg->dirs[0].path);
    err_append(e, "%s", refusal(err));
    return r;
}
