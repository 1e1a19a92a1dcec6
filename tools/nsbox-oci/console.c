/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.terminal: a pty pair whose slave becomes the container's stdio
 * and controlling terminal, and whose master goes to --console-socket
 * with SCM_RIGHTS, as runc sends it (the data is the master's name). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
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

int console_setup(const char *socket_path, int rows, int cols, int *slave, char **slave_path)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return oci_err("open /dev/ptmx: %s", strerror(errno));
    char *name = NULL;
    if (grantpt(master) < 0 || unlockpt(master) < 0 || !(name = ptsname(master))) {
        int e = errno;
        close(master);
        return oci_err("pty: %s", strerror(e));
    }
    *slave_path = strdup(name);
    *slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (*slave < 0 || !*slave_path) {
        int e = errno;
        close(master);
        free(*slave_path);
        *slave_path = NULL;
        return oci_err("open %s: %s", name, strerror(e));
    }
    if (rows > 0 && cols > 0) {
        struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
        ioctl(master, TIOCSWINSZ, &ws);
    }
    int ret = send_fd(socket_path, master);
    close(master);
    if (ret < 0) {
        close(*slave);
        *slave = -1;
        free(*slave_path);
        *slave_path = NULL;
    }
    return ret;
}
