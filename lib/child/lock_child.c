/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's side of the lock files: raw system calls only (see
 * child.c). Runs after the identity step, so the open has exactly the
 * command's ids, capabilities and root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>

#include "child.h"
#include "lock.h"
#include "sys.h"

/* Sends {STEP_LOCK, 0, index} with fd attached (SCM_RIGHTS). */
CHILD static long child_send_fd(int sync, long fd, int index)
{
    struct child_report rep = {.step = STEP_LOCK, .err = 0, .index = index};
    struct iovec iov = {.iov_base = &rep, .iov_len = sizeof(rep)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct cmsghdr *c = &u.align;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    *(int *)CMSG_DATA(c) = (int)fd;
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    long r = sys_retry(sys3(SYS_sendmsg, sync, &msg, MSG_NOSIGNAL));
    return r == (long)sizeof(rep) ? 0 : r < 0 ? r : -5 /* EIO */;
}

/* O_NONBLOCK: a FIFO opens at once instead of waiting for a writer;
 * O_NOCTTY: a terminal does not become ours. The lock belongs to the open
 * file description, which lives on in the parent's copy after exec closes
 * ours. */
CHILD int child_lock_files(struct plan *p)
{
    for (int i = 0; i < p->n_lock_files; i++) {
        long fd = sys_retry(sys4(SYS_openat, AT_FDCWD, p->lock_files[i],
                                 O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0));
        if (fd < 0)
            return child_fail(p, STEP_LOCK, fd, 2 * i);
        struct flock lk = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
        long r = sys3(SYS_fcntl, fd, F_OFD_SETLK, &lk);
        if (r == 0)
            r = child_send_fd(p->sync_fd, fd, i);
        sys1(SYS_close, fd);
        if (r < 0)
            return child_fail(p, STEP_LOCK, r, 2 * i + 1);
    }
    return 0;
}
