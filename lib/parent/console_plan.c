/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console (nsbox_set_console), the parent's side: the plan, the
 * master's receipt and check, nsbox_proc_take_console(), and the messages
 * of the child's failures (the child's step: lib/child/console_child.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "console_plan.h"
#include "lock.h"

/* The caller's devpts: a slave there would be a pty of the caller's (the
 * host's) in the sandbox, which the console exists to avoid. 0 when the
 * caller has none at /dev/pts. */
static uint64_t caller_pts_dev(void)
{
    struct statfs sfs;
    struct stat st;
    if (statfs("/dev/pts", &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC ||
        stat("/dev/pts", &st) < 0)
        return 0;
    return (uint64_t)st.st_dev;
}

int console_plan_build(nsbox *box, struct plan *p)
{
    const struct console_recipe *r = box->console;
    if (!r)
        return 0;
    for (int i = 0; i < 3; i++)
        if (box->stdio[i].fd >= 0)
            return box_invalid(box,
                               "console: nsbox_set_stdio() gave fd %d as the command's %s, but "
                               "the console's slave is its stdin, stdout and stderr",
                               box->stdio[i].fd,
                               i == 0   ? "stdin"
                               : i == 1 ? "stdout"
                                        : "stderr");
    struct console_plan *c = plan_alloc(p, sizeof(*c));
    if (!c)
        return box_fail(box, ENOMEM, "plan");
    c->flags = r->flags;
    c->rows = r->rows;
    c->cols = r->cols;
    c->caller_pts_dev = caller_pts_dev();
    c->slave = -1;
    p->console = c;
    return 0;
}

/* What the stage sent must be a pty master, whatever a process of the
 * sandbox did meanwhile: the device 5:2, and TIOCGPTN answers. */
static int console_check(int fd)
{
    struct stat st;
    unsigned int n;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2) || ioctl(fd, TIOCGPTN, &n) < 0)
        return -ENOTTY;
    return 0;
}

int console_receive(nsbox *box, int sync, int *fd)
{
    int index = -1;
    _cleanup_close_ int m = fd_report_recv(sync, STEP_CONSOLE, &index);
    if (m < 0)
        return box_fail(box, -m, "console: receive the pty master from the sandbox");
    int r = index == CONSOLE_SEND ? console_check(m) : -EPROTO;
    if (r < 0)
        return box_fail(box, -r, "console: what the sandbox sent is no pty master");
    *fd = take_fd(&m);
    return 0;
}

NSBOX_EXPORT int nsbox_proc_take_console(nsbox_proc *p)
{
    if (!p)
        return -EINVAL;
    if (p->console_fd < 0)
        return -ENOENT;
    return take_fd(&p->console_fd);
}

int console_report(struct errbuf *e, const struct plan *p, const struct child_report *rep)
{
    int err = rep->err; /* positive: report_error checked it */
    switch ((enum console_part)rep->index) {
    case CONSOLE_OPEN:
        return err_fail(e, err, "console: open /dev/ptmx inside the sandbox");
    case CONSOLE_NOT_MASTER:
        return err_fail(e, err, "console: /dev/ptmx inside the sandbox is no pty master");
    case CONSOLE_UNLOCK:
        return err_fail(e, err, "console: unlock the pty (TIOCSPTLCK)");
    case CONSOLE_PEER:
        return err_fail(e, err, "console: open the pty's slave (TIOCGPTPEER)");
    case CONSOLE_CALLERS:
        err_fail(e, err, "console: the sandbox's /dev/ptmx leads to the caller's devpts");
        err_append(e, " (give the sandbox a devpts of its own: nsbox_add_dev, or a \"devpts\" "
                      "mount at /dev/pts with newinstance,ptmxmode=0666 and a /dev/ptmx link "
                      "to pts/ptmx)");
        return -err;
    case CONSOLE_WINSIZE:
        return err_fail(e, err, "console: set the window size (TIOCSWINSZ)");
    case CONSOLE_CHOWN:
        return err_fail(e, err, "console: give the pty to uid %u", p->uid);
    case CONSOLE_MOUNTPOINT:
        return err_fail(e, err, "console: /dev/console inside the sandbox, the bind's mount point");
    case CONSOLE_BIND:
        return err_fail(e, err, "console: bind the pty on /dev/console");
    case CONSOLE_CTTY:
        return err_fail(e, err, "console: make the pty the controlling terminal (TIOCSCTTY)");
    case CONSOLE_SEND:
        return err_fail(e, err, "console: send the pty master to the caller");
    case CONSOLE_PARTS:
        break;
    }
    return err_fail(e, err, "child step %d.%d", rep->step, rep->index);
}
