/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.terminal: the library opens a pty inside the container's own
 * devpts after its mounts (nsbox_set_console), as runc and crun do, and
 * makes its slave the process's stdio and controlling terminal (and, for
 * the container's first process, /dev/console); its master goes to
 * --console-socket with SCM_RIGHTS, as runc sends it (the data is the
 * master's name). No host pty enters the container. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "oci.h"

static int send_fd(const char *socket_path, int fd)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof(addr.sun_path))
        return oci_err("--console-socket %s: path too long", socket_path);
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return oci_err("--console-socket: socket: %s", strerror(errno));
    if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int e = errno;
        close(s);
        return oci_err("--console-socket %s: connect: %s", socket_path, strerror(e));
    }
    char name[] = "/dev/ptmx";
    struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof(u));
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(s, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    int e = errno;
    close(s);
    if (n < 0)
        return oci_err("--console-socket %s: sendmsg: %s", socket_path, strerror(e));
    return 0;
}

int console_recipe(nsbox *box, const struct oci_spec *spec, const char *socket_path,
                   bool dev_console)
{
    if (!socket_path)
        return oci_err("cannot allocate tty if nsbox-oci will detach without setting console "
                       "socket");
    unsigned flags = NSBOX_CONSOLE_PTY | (dev_console ? NSBOX_CONSOLE_DEV_CONSOLE : 0);
    if (nsbox_set_console(box, flags, (uint16_t)spec->console_rows, (uint16_t)spec->console_cols) <
        0)
        return oci_err("process.terminal: %s", nsbox_errmsg(box));
    return 0;
}

int console_send(nsbox_proc *proc, const char *socket_path)
{
    int master = nsbox_proc_take_console(proc);
    if (master < 0)
        return oci_err("process.terminal: no pty master: %s", strerror(-master));
    int ret = send_fd(socket_path, master);
    close(master);
    return ret;
}
