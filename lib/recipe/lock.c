/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lock files (bubblewrap's --lock-file): the builder call, and the
 * parent's side, which receives each locked fd from the child over the
 * sync socket once every stage has exec'd (they were sent before, so they
 * wait there) and keeps them in the nsbox_proc until the reap. The child
 * opens and locks them inside the sandbox (lock_child.c): a path the
 * sandbox may have planted symlinks or FIFOs on is never resolved or
 * opened by the caller. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"
#include "lock.h"

NSBOX_EXPORT int nsbox_add_lock_file(nsbox *box, const char *path)
{
    if (!box)
        return -EINVAL;
    if (!path || path[0] != '/')
        return box_invalid(box, "lock file \"%s\": not an absolute path", path ? path : "");
    char *copy = strdup(path);
    char **slot = copy ? vec_push(&box->lock_files, &box->n_lock_files, sizeof(*slot)) : NULL;
    if (!slot) {
        free(copy);
        return box_fail(box, ENOMEM, "lock file %s", path);
    }
    *slot = copy;
    return 0;
}

void lock_files_free(nsbox *box)
{
    for (size_t i = 0; i < box->n_lock_files; i++)
        free(box->lock_files[i]);
    free(box->lock_files);
}

int fd_report_recv(int sync, int step, int *index)
{
    struct child_report rep = {0}; /* recvmsg fills it; a short one is refused below */
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = &rep, .iov_len = sizeof(rep)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do
        n = recvmsg(sync, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN ? -EPROTO : -errno;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    int fd = -1;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(&fd, CMSG_DATA(c), sizeof(fd));
    if (fd >= 0 && n == sizeof(rep) && rep.step == step && rep.err == 0 &&
        !(msg.msg_flags & MSG_CTRUNC)) {
        *index = rep.index;
        return fd;
    }
    if (fd >= 0)
        close(fd);
    return -EPROTO;
}

/* Receives one lock report, {STEP_LOCK, 0, i} with the fd, into fds[i]. */
static int lock_fd_recv(int sync, int *fds, int n_fds)
{
    int i = -1;
    int fd = fd_report_recv(sync, STEP_LOCK, &i);
    if (fd < 0)
        return fd;
    if (i >= 0 && i < n_fds && fds[i] < 0) {
        fds[i] = fd;
        return 0;
    }
    close(fd);
    return -EPROTO;
}

int lock_fds_receive(nsbox *box, int sync, int *fds, int n_fds)
{
    for (int i = 0; i < n_fds; i++) {
        int r = lock_fd_recv(sync, fds, n_fds);
        if (r < 0)
            return box_fail(box, -r, "receive the lock file fds");
    }
    return 0;
}

void lock_fds_close(int *fds, int n)
{
    for (int i = 0; fds && i < n; i++)
        closep(&fds[i]);
}
