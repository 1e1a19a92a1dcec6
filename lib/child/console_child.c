/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console (nsbox_set_console), in the command's stage after the
 * mounts and the root switch: raw system calls only (see child.c).
 * Everything is opened inside the sandbox's view, so that its terminal is
 * a pty of its own devpts and no fd of a host pty reaches it; a symlink
 * the sandbox planted resolves inside its root, and no magic link
 * (/proc/self/fd/N of an fd this stage holds) is followed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#include "child.h"
#include "console_child.h"
#include "sys.h"

/* The pty multiplexer's device number, 5:2, as st_rdev encodes it. */
#define PTMX_RDEV 0x502

CHILD static long child_open_in(const char *path, long flags, long mode, long resolve)
{
    struct open_how how = {.flags = (unsigned long)flags | O_CLOEXEC,
                           .mode = (unsigned long)mode,
                           .resolve = (unsigned long)resolve | RESOLVE_NO_MAGICLINKS};
    return sys_retry(sys4(SYS_openat2, AT_FDCWD, path, &how, sizeof(how)));
}

/* A pty master: the multiplexer's device, and TIOCGPTN answers (only a
 * master's does). Anything else the sandbox put at /dev/ptmx is refused. */
CHILD static long child_is_master(long fd)
{
    struct stat st;
    unsigned int n;
    long r = sys2(SYS_fstat, fd, &st);
    if (r < 0)
        return r;
    if (!S_ISCHR(st.st_mode) || st.st_rdev != PTMX_RDEV)
        return -ENOTTY;
    return sys3(SYS_ioctl, fd, TIOCGPTN, &n);
}

/* The mount point /dev/console: an existing non-directory reached through
 * no symlink, or an empty file made there (a fresh /dev has none). */
CHILD static long child_console_point(void)
{
    long fd = child_open_in("/dev/console", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
    if (fd != -ENOENT)
        return fd;
    fd = child_open_in("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0,
                       RESOLVE_NO_SYMLINKS);
    if (fd < 0)
        return fd;
    sys1(SYS_close, fd);
    return child_open_in("/dev/console", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
}

/* Binds the slave (a file of the sandbox's devpts) on /dev/console. */
CHILD static long child_console_bind(long slave, enum console_part *part)
{
    *part = CONSOLE_MOUNTPOINT;
    long dst = child_console_point();
    if (dst < 0)
        return dst;
    *part = CONSOLE_BIND;
    long tree = sys3(SYS_open_tree, slave, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    long r = tree;
    if (tree >= 0) {
        r = sys5(SYS_move_mount, tree, "", dst, "",
                 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        sys1(SYS_close, tree);
    }
    sys1(SYS_close, dst);
    return r;
}

/* The slave's set-up; the master stays with the caller of this. */
CHILD static long child_console_slave(struct plan *p, long master, long slave,
                                      enum console_part *part)
{
    const struct console_plan *c = p->console;
    struct stat st;
    long r;
    *part = CONSOLE_CALLERS;
    if ((r = sys2(SYS_fstat, slave, &st)) < 0)
        return r;
    if (c->caller_pts_dev && st.st_dev == c->caller_pts_dev)
        return -EXDEV;
    *part = CONSOLE_WINSIZE;
    struct winsize ws = {.ws_row = c->rows, .ws_col = c->cols};
    if ((c->rows || c->cols) && (r = sys3(SYS_ioctl, master, TIOCSWINSZ, &ws)) < 0)
        return r;
    /* the command owns its terminal, its group stays (runc's
     * fixStdioPermissions); set_ids is read now: for a joined user
     * namespace the parent chooses the ids after clone */
    *part = CONSOLE_CHOWN;
    if (p->set_ids && (r = sys3(SYS_fchown, slave, p->uid, -1)) < 0)
        return r;
    if ((c->flags & NSBOX_CONSOLE_DEV_CONSOLE) && (r = child_console_bind(slave, part)) < 0)
        return r;
    *part = CONSOLE_CTTY;
    return sys3(SYS_ioctl, slave, TIOCSCTTY, 0);
}

CHILD int child_console(struct plan *p)
{
    enum console_part part = CONSOLE_OPEN;
    long slave = -1;
    /* O_NONBLOCK: whatever device the sandbox put there cannot block the
     * open; the master gets its blocking mode back below. */
    long master = child_open_in("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK, 0, 0);
    long r = master;
    if (r >= 0) {
        part = CONSOLE_NOT_MASTER;
        r = child_is_master(master);
    }
    if (r >= 0) {
        part = CONSOLE_UNLOCK;
        int unlock = 0;
        r = sys3(SYS_ioctl, master, TIOCSPTLCK, &unlock);
    }
    if (r >= 0)
        r = sys3(SYS_fcntl, master, F_SETFL, 0);
    if (r >= 0) {
        part = CONSOLE_PEER;
        r = slave = sys3(SYS_ioctl, master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    }
    if (r >= 0)
        r = child_console_slave(p, master, slave, &part);
    if (r >= 0) {
        part = CONSOLE_SEND;
        r = child_send_fd(p->sync_fd, STEP_CONSOLE, CONSOLE_SEND, master);
    }
    if (master >= 0)
        sys1(SYS_close, master);
    if (r < 0) {
        if (slave >= 0)
            sys1(SYS_close, slave);
        return child_fail(p, STEP_CONSOLE, r, part);
    }
    p->console->slave = (int)slave;
    return 0;
}
