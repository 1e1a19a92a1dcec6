/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hand-over of a spawn that joins or unshares a PID namespace only its
 * children enter (plan.pid_handoff): stage 0 forks stage 1 into it as the
 * caller's child (CLONE_PARENT), sends stage 1's pidfd on the sync socket
 * and exits. The sandbox's first process, the one the handle names, is
 * then inside the sandbox's PID namespace and a direct child of the
 * caller, as runc's container init is of "runc create": the process an
 * engine's subreaper waits on once the caller exits, the one nsenter -t
 * PID -p enters. Stage 1 waits for stage 0's exit before it sends anything
 * of its own, so the pidfd is the first message after the report pipe's. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handoff.h"
#include "lock.h"

/* A stage 1 whose pidfd did not come: it exits on its own before exec
 * (handoff_sent unset) or was killed by stage 0; with exit signal 0 only a
 * __WALL wait of ours reaps it, so its pid cannot have been reused. */
static void handoff_reap_orphan(const struct plan *p)
{
    pid_t pid = __atomic_load_n(&p->handoff_pid, __ATOMIC_ACQUIRE);
    if (pid <= 0)
        return;
    if (__atomic_load_n(&p->handoff_sent, __ATOMIC_ACQUIRE))
        kill(pid, SIGKILL);
    siginfo_t si;
    while (waitid(P_PID, (id_t)pid, &si, WEXITED | __WALL) < 0 && errno == EINTR)
        ;
}

int handoff_take(nsbox *box, const struct plan *p, int sync, int *pidfd, pid_t *pid)
{
    siginfo_t si;
    while (waitid((idtype_t)P_PIDFD, (id_t)*pidfd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
        ;
    int index = -1;
    int fd = fd_report_recv(sync, STEP_FORK, &index);
    pid_t first = __atomic_load_n(&p->handoff_pid, __ATOMIC_ACQUIRE);
    if (fd >= 0 && index == 1 && first > 0) {
        close(*pidfd);
        *pidfd = fd;
        *pid = first;
        return 0;
    }
    if (fd >= 0) {
        syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
        while (waitid((idtype_t)P_PIDFD, (id_t)fd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
            ;
        close(fd);
    } else {
        handoff_reap_orphan(p);
    }
    return box_fail(box, EPROTO,
                    "take over the sandbox's first process from the stage that forked it into "
                    "the PID namespace (no pidfd came)");
}
