/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PID namespace joined through a pidfd: the one the process makes its
 * children in, not the one it is in. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "join_pid.h"
#include "box.h"

long pidfd_pid(int pidfd)
{
    char path[64], line[128];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    long pid = -ESRCH;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "Pid:", 4) == 0) {
            pid = strtol(line + 4, NULL, 10);
            break;
        }
    fclose(f);
    return pid > 0 ? pid : -ESRCH;
}

/* setns(pidfd, CLONE_NEWPID) enters the process's own PID namespace; the
 * namespace it makes its children in is the one a join means (nsenter's
 * "children of the joined namespace"). For a sandbox's first process,
 * inside its PID namespace since the hand-over (plan.pid_handoff), both
 * are the same unless it unshared one later (which is below it); for a
 * process of the caller's that stays outside the namespace it forks into
 * (a monitor, as the library's first process was before), only
 * pid_for_children keeps the command out of the caller's PID namespace,
 * where it could signal every process of its uid on the host. */
static int join_pid_split(nsbox *box, struct plan *p, struct plan_join *j)
{
    long pid = pidfd_pid(j->fd);
    if (pid < 0)
        return box_fail(box, (int)-pid, "join the PID namespace of pidfd %d: its pid", j->fd);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/ns/pid_for_children", pid);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return box_fail(box, errno, "join the PID namespace of pidfd %d: open %s", j->fd, path);
    /* The pid could have been reused if the process ended before the open. */
    struct pollfd pfd = {.fd = j->fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) != 0)
        return box_fail(box, ESRCH, "join the PID namespace of pidfd %d: the process ended", j->fd);
    /* Above every fd the command receives, as the gate's copy is. */
    p->pid_join_fd = fcntl(fd, F_DUPFD_CLOEXEC, p->max_fd + 1);
    if (p->pid_join_fd < 0)
        return box_fail(box, errno, "move the fd of %s above fd %d", path, p->max_fd);
    struct plan_join pid_join = {.fd = p->pid_join_fd, .nstype = CLONE_NEWPID, .ns = NSBOX_NS_PID};
    if (j->ns == NSBOX_NS_PID) {
        *j = pid_join;
        return 0;
    }
    j->ns &= ~(unsigned)NSBOX_NS_PID;
    j->nstype &= ~CLONE_NEWPID;
    p->joins[p->n_joins++] = pid_join;
    return 0;
}

int join_pid_open(nsbox *box, struct plan *p)
{
    for (int i = 0; i < p->n_joins; i++) {
        struct plan_join *j = &p->joins[i];
        if (j->fd == p->pid_join_fd || !(j->ns & NSBOX_NS_PID) || !(j->nstype & CLONE_NEWPID))
            continue;
        return join_pid_split(box, p, j);
    }
    return 0;
}
