/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NSBOX_DISABLE_USERNS and NSBOX_ASSERT_USERNS_DISABLED in the command's
 * stage, the way bubblewrap does it: user.max_user_namespaces is set to 1
 * in the sandbox's user namespace, then the command moves into a nested
 * user namespace of its own (the one allowed). Every user namespace made
 * below counts against the sandbox's, which is full, and the command has
 * no capability there to raise the limit again. Raw system calls only
 * (see child.c). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>

#include "child.h"
#include "sys.h"
#include "userns.h"

CHILD static long child_write_at(int dfd, const char *name, const char *text, int len)
{
    long fd = sys_retry(sys4(SYS_openat, dfd, name, O_WRONLY | O_CLOEXEC, 0));
    if (fd < 0)
        return fd;
    long r = sys_retry(sys3(SYS_write, fd, text, len));
    sys1(SYS_close, fd);
    return r < 0 ? r : r == len ? 0 : -5 /* EIO */;
}

CHILD int child_userns_limit(struct plan *p)
{
    long fd = sys4(SYS_openat, AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0)
        return child_fail(p, STEP_USERNS, fd, USERNS_PROC);
    p->proc_fd = (int)fd;
    long r = child_write_at(p->proc_fd, "sys/user/max_user_namespaces", "1", 1);
    if (r < 0)
        return child_fail(p, STEP_USERNS, r, USERNS_SYSCTL);
    return 0;
}

/* "ID ID 1\n" into buf; returns its length. */
CHILD static int child_map_line(char *buf, unsigned long id)
{
    char num[24];
    int n = 0, len = 0;
    do
        num[n++] = (char)('0' + id % 10);
    while (id /= 10);
    for (int k = 0; k < 2; k++) {
        for (int i = n - 1; i >= 0; i--)
            buf[len++] = num[i];
        buf[len++] = ' ';
    }
    buf[len++] = '1';
    buf[len++] = '\n';
    return len;
}

CHILD static int child_userns_nest(struct plan *p)
{
    long uid = sys0(SYS_geteuid), gid = sys0(SYS_getegid);
    long r = sys1(SYS_unshare, CLONE_NEWUSER);
    if (r < 0)
        return child_fail(p, STEP_USERNS, r, USERNS_NEST);
    /* Our own ids, one line each: what a process may map for itself. */
    char line[64];
    r = child_write_at(p->proc_fd, "self/setgroups", "deny", 4);
    if (r == 0)
        r = child_write_at(p->proc_fd, "self/uid_map", line,
                           child_map_line(line, (unsigned long)uid));
    if (r == 0)
        r = child_write_at(p->proc_fd, "self/gid_map", line,
                           child_map_line(line, (unsigned long)gid));
    if (r < 0)
        return child_fail(p, STEP_USERNS, r, USERNS_NEST_MAP);
    return 0;
}

CHILD int child_userns_seal(struct plan *p)
{
    if ((p->flags & NSBOX_DISABLE_USERNS) && child_userns_nest(p))
        return 127;
    if (p->proc_fd >= 0)
        sys1(SYS_close, p->proc_fd);
    long r = sys1(SYS_unshare, CLONE_NEWUSER);
    if (r == 0)
        return child_fail(p, STEP_USERNS, -17 /* EEXIST */, USERNS_ASSERT);
    return 0;
}
