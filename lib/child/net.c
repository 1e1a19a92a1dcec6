/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loopback up in a new network namespace, as `ip link set lo up` does.
 * Runs in the child: raw system calls only. */
#define _GNU_SOURCE
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "child.h"
#include "sys.h"

CHILD long net_loopback_up(void)
{
    long fd = sys3(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    struct ifreq ifr = {.ifr_name = "lo"};
    long r = sys3(SYS_ioctl, fd, SIOCGIFFLAGS, &ifr);
    if (r == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        r = sys3(SYS_ioctl, fd, SIOCSIFFLAGS, &ifr);
    }
    sys1(SYS_close, fd);
    return r;
}
