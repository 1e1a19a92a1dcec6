/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_set_console (issue 16): the command's terminal is a pty of the
 * sandbox's own devpts, opened inside it, and the caller gets only the
 * master. Looked at from inside real sandboxes, as root and as nobody:
 * the terminal's device, its devpts, the controlling terminal,
 * /dev/console, the window size, every fd of the command, and a round
 * trip through the master. The control runs the same look with the older
 * way (a host pty passed as stdin with NSBOX_CONTROLLING_TTY), where the
 * devpts check fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "testlib.h"

/* What the command reports, one "key=value" line each: its terminal's
 * name, the st_dev of stdin's file and of the sandbox's /dev/pts, tty_nr,
 * sid and tpgid of /proc/self/stat, /dev/console's and stdin's inode,
 * the window size, the st_dev of each open fd's file, then the line it
 * reads from the terminal. */
static const char look[] =
    "echo tty=$(tty); "
    "echo fd0dev=$(stat -L -c %d /proc/self/fd/0) ptsdev=$(stat -c %d /dev/pts); "
    "echo rdev=$(stat -L -c %t:%T /proc/self/fd/0) owner=$(stat -L -c %u /proc/self/fd/0) "
    "uid=$(id -u); "
    "set -- $(sed 's/.*) //' /proc/self/stat); echo tty_nr=$5 sid=$4 tpgid=$6 pid=$$; "
    "echo console=$(stat -L -c %d:%i /dev/console 2>/dev/null) fd0=$(stat -L -c %d:%i "
    "/proc/self/fd/0); "
    "echo size=$(stty size | tr ' ' x); "
    "devs=; for f in /proc/self/fd/*; do devs=\"$devs $(stat -L -c %d $f 2>/dev/null)\"; done; "
    "echo fddevs=$devs; "
    "read line; echo got=$line";

static long field(const char *buf, const char *key)
{
    const char *at = strstr(buf, key);
    ck_assert_msg(at, "no %s in %s", key, buf);
    return strtol(at + strlen(key), NULL, 0);
}

static const char *text(const char *buf, const char *key, char *out, size_t size)
{
    const char *at = strstr(buf, key);
    ck_assert_msg(at, "no %s in %s", key, buf);
    at += strlen(key);
    size_t n = strcspn(at, "\r\n ");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), at);
    return out;
}

static dev_t caller_pts_dev(void)
{
    struct stat st;
    ck_assert_int_eq(stat("/dev/pts", &st), 0);
    return st.st_dev;
}

/* Reads the master until the slave's last holder closes it (EIO). */
static void read_master(int fd, char *buf, size_t size)
{
    size_t len = 0;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ck_assert_msg(poll(&pfd, 1, 60000) == 1, "nothing within 60 s (read \"%.*s\")", (int)len,
                      buf);
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
}

/* A sandbox with a /dev of its own (its own devpts); nobody's gets a user
 * namespace along. */
static nsbox *console_box(int i)
{
    t_as(i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    ck_assert_int_eq(nsbox_add_dev(box, "/dev"), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1), 0);
    return box;
}

/* Runs the look; with master -1 through the console, else with the host
 * pty whose master that is (slave: stdin, stdout, stderr). */
static void look_run(nsbox *box, int master, char *buf, size_t size)
{
    char *argv[] = {"sh", "-c", (char *)look, NULL};
    nsbox_proc *p;
    ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
    int m = master;
    if (m < 0) {
        m = nsbox_proc_take_console(p);
        ck_assert_int_ge(m, 0);
        ck_assert_int_eq(nsbox_proc_take_console(p), -ENOENT);
        unsigned n;
        ck_assert_int_eq(ioctl(m, TIOCGPTN, &n), 0);
    }
    ck_assert_int_eq(write(m, "hello\n", 6), 6);
    read_master(m, buf, size);
    ck_assert_int_eq(nsbox_wait(p, -1), 0);
    nsbox_proc_free(p);
    if (master < 0)
        close(m);
}

/* What must hold of a console seen from inside. */
static void check_inside(const char *buf, dev_t host_pts)
{
    char s[64];
    ck_assert_msg(strstr(buf, "got=hello"), "%s", buf);
    long fd0dev = field(buf, "fd0dev="), ptsdev = field(buf, "ptsdev=");
    /* the terminal is a file of the sandbox's own devpts ... */
    ck_assert_msg(fd0dev == ptsdev, "stdin on dev %ld, the sandbox's /dev/pts is %ld: %s", fd0dev,
                  ptsdev, buf);
    /* ... which is not the caller's */
    ck_assert_msg((dev_t)ptsdev != host_pts, "the sandbox's devpts is the caller's: %s", buf);
    ck_assert_str_eq(text(buf, "tty=", s, sizeof(s)), "/dev/pts/0");
    /* the controlling terminal: tty_nr is stdin's device (136:0), the
     * command leads its session and its group is in the foreground */
    ck_assert_str_eq(text(buf, "rdev=", s, sizeof(s)), "88:0");
    ck_assert_int_eq(field(buf, "tty_nr="), 136 << 8);
    /* the command owns its terminal */
    ck_assert_int_eq(field(buf, "owner="), field(buf, " uid="));
    ck_assert_int_eq(field(buf, "sid="), field(buf, "pid="));
    ck_assert_int_eq(field(buf, "tpgid="), field(buf, "pid="));
    /* no fd of the command is on the caller's devpts */
    const char *devs = strstr(buf, "fddevs=");
    ck_assert_ptr_nonnull(devs);
    for (const char *d = devs + 7; *d && *d != '\n';) {
        char *end;
        long v = strtol(d, &end, 10);
        if (end == d) {
            d++;
            continue;
        }
        ck_assert_msg((dev_t)v != host_pts, "an fd of the command is on the caller's devpts: %s",
                      buf);
        d = end;
    }
}

START_TEST(test_console_inside)
{
    char buf[4096], s[64], want[64];
    dev_t host = caller_pts_dev();
    nsbox *box = console_box(_i);
    ck_assert_int_eq(nsbox_set_console(box, NSBOX_CONSOLE_PTY | NSBOX_CONSOLE_DEV_CONSOLE, 33, 111),
                     0);
    int before = t_count_fds();
    look_run(box, -1, buf, sizeof(buf));
    ck_assert_int_eq(t_count_fds(), before);
    check_inside(buf, host);
    ck_assert_str_eq(text(buf, "size=", s, sizeof(s)), "33x111");
    /* /dev/console is the terminal itself */
    ck_assert_str_eq(text(buf, "console=", s, sizeof(s)), text(buf, "fd0=", want, sizeof(want)));
    nsbox_free(box);
}
END_TEST

/* Without NSBOX_CONSOLE_DEV_CONSOLE /dev/console is not made, and the
 * window size stays the kernel's (0x0). As nsbox-oci exec uses it. */
START_TEST(test_console_no_dev_console)
{
    char buf[4096], s[64];
    nsbox *box = console_box(_i);
    ck_assert_int_eq(nsbox_set_console(box, NSBOX_CONSOLE_PTY, 0, 0), 0);
    look_run(box, -1, buf, sizeof(buf));
    check_inside(buf, caller_pts_dev());
    ck_assert_str_eq(text(buf, "console=", s, sizeof(s)), "");
    ck_assert_str_eq(text(buf, "size=", s, sizeof(s)), "0x0");
    nsbox_free(box);
}
END_TEST

/* The control: a host pty as the terminal (NSBOX_CONTROLLING_TTY, the way
 * nsbox-oci did it before). The same look sees a controlling terminal,
 * but on the caller's devpts: the devpts check fails. */
START_TEST(test_console_host_pty_control)
{
    char buf[4096];
    dev_t host = caller_pts_dev();
    nsbox *box = console_box(_i);
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    ck_assert_int_ge(slave, 0);
    ck_assert_int_eq(nsbox_set_stdio(box, slave, slave, slave), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1 | NSBOX_CONTROLLING_TTY), 0);
    char *argv[] = {"sh", "-c", (char *)look, NULL};
    nsbox_proc *p;
    ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
    close(slave);
    ck_assert_int_eq(write(master, "hello\n", 6), 6);
    read_master(master, buf, sizeof(buf));
    ck_assert_int_eq(nsbox_wait(p, -1), 0);
    nsbox_proc_free(p);
    close(master);
    ck_assert_msg(strstr(buf, "got=hello"), "%s", buf);
    long fd0dev = field(buf, "fd0dev="), ptsdev = field(buf, "ptsdev=");
    ck_assert_msg(fd0dev != ptsdev && (dev_t)fd0dev == host,
                  "the control's terminal should be the caller's pty: %s", buf);
    nsbox_free(box);
}
END_TEST

/* A sandbox without a devpts of its own (here: no mount namespace, so
 * its /dev/ptmx is the caller's) is refused: the pty would be the
 * caller's. Nothing is left behind. */
START_TEST(test_console_callers_devpts)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_console(box, NSBOX_CONSOLE_PTY, 0, 0), 0);
    int before = t_count_fds();
    char *argv[] = {"true", NULL};
    nsbox_proc *p = NULL;
    int r = nsbox_spawn(box, argv, &p);
    ck_assert_msg(r == -EXDEV, "%d %s", r, nsbox_errmsg(box));
    ck_assert_msg(strstr(nsbox_errmsg(box), "console: the sandbox's /dev/ptmx leads to the "
                                            "caller's devpts"),
                  "%s", nsbox_errmsg(box));
    ck_assert_ptr_null(p);
    ck_assert_int_eq(t_count_fds(), before);
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
}
END_TEST

/* A hostile /dev/ptmx: a magic link to an fd the child stage holds (the
 * caller's host pty master, left inheritable) is not followed; a symlink
 * that climbs out of the root lands inside it; a plain file there is no
 * pty master. */
START_TEST(test_console_hostile_ptmx)
{
    t_as(_i);
    int host = posix_openpt(O_RDWR | O_NOCTTY); /* inheritable on purpose */
    ck_assert_int_ge(host, 0);
    char magic[64];
    snprintf(magic, sizeof(magic), "/proc/self/fd/%d", host);
    static const struct {
        const char *target;
        int err;
        const char *msg;
    } cases[] = {
        {NULL, -ELOOP, "console: open /dev/ptmx inside the sandbox"},
        {"../../../../../dev/pts/ptmx", -ENOENT, "console: open /dev/ptmx inside the sandbox"},
        {"/etc/file", -ENOTTY, "console: /dev/ptmx inside the sandbox is no pty master"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        nsbox *box = nsbox_new();
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_MOUNT), 0);
        ck_assert_int_eq(nsbox_set_root(box, NULL), 0);
        ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
        ck_assert_int_eq(nsbox_add_tmpfs(box, "/dev", 0, 0755), 0);
        ck_assert_int_eq(nsbox_add_file(box, "/etc/file", "x", 1, 0666), 0);
        ck_assert_int_eq(
            nsbox_add_symlink(box, cases[k].target ? cases[k].target : magic, "/dev/ptmx"), 0);
        ck_assert_int_eq(
            nsbox_set_console(box, NSBOX_CONSOLE_PTY | NSBOX_CONSOLE_DEV_CONSOLE, 0, 0), 0);
        int before = t_count_fds();
        char *argv[] = {"/bin/true", NULL};
        int r = nsbox_run(box, argv);
        ck_assert_msg(r == cases[k].err, "%s: %d %s", cases[k].target ? cases[k].target : magic, r,
                      nsbox_errmsg(box));
        ck_assert_msg(strstr(nsbox_errmsg(box), cases[k].msg), "%s", nsbox_errmsg(box));
        ck_assert_int_eq(t_count_fds(), before);
        ck_assert_int_eq(t_count_children(), 0);
        nsbox_free(box);
    }
    /* the control: the climbing link, resolved outside the sandbox's
     * root, would reach the caller's devpts */
    ck_assert_int_eq(access("/dev/pts/../../../../../dev/pts/ptmx", F_OK), 0);
    close(host);
}
END_TEST

/* A sandbox process races the console step: it swaps the sandbox's
 * /dev/ptmx between the devpts link, /dev/null and a regular file while
 * the caller joins the sandbox (as nsbox-oci exec does) with a console,
 * again and again. Each spawn either fails naming the console step, or
 * hands over a real pty master (device 5:2, TIOCGPTN): never the file or
 * device the racer put there. */
START_TEST(test_console_race)
{
    nsbox *host = console_box(_i);
    ck_assert_int_eq(nsbox_add_tmpfs(host, "/var/tmp", 0, 0755), 0);
    char *racer[] = {"sh", "-c",
                     "echo x > /var/tmp/file; while :; do "
                     "ln -sfn pts/ptmx /dev/.a; mv -Tf /dev/.a /dev/ptmx; "
                     "ln -sfn null /dev/.b; mv -Tf /dev/.b /dev/ptmx; "
                     "ln -sfn /var/tmp/file /dev/.c; mv -Tf /dev/.c /dev/ptmx; done",
                     NULL};
    nsbox_proc *rp;
    ck_assert_msg(nsbox_spawn(host, racer, &rp) == 0, "%s", nsbox_errmsg(host));
    int ok = 0, refused = 0;
    for (int k = 0; k < 40; k++) {
        nsbox *box = nsbox_new();
        unsigned ns = NSBOX_NS_MOUNT | NSBOX_NS_PID | (_i ? NSBOX_NS_USER : 0);
        ck_assert_msg(nsbox_join_namespace(box, ns, nsbox_proc_pidfd(rp)) == 0, "%s",
                      nsbox_errmsg(box));
        ck_assert_int_eq(nsbox_set_console(box, NSBOX_CONSOLE_PTY, 0, 0), 0);
        char *argv[] = {"true", NULL};
        nsbox_proc *p = NULL;
        int r = nsbox_spawn(box, argv, &p);
        if (r == 0) {
            int m = nsbox_proc_take_console(p);
            struct stat st;
            unsigned n;
            ck_assert_int_ge(m, 0);
            ck_assert_int_eq(fstat(m, &st), 0);
            ck_assert_msg(S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 2), "not ptmx");
            ck_assert_int_eq(ioctl(m, TIOCGPTN, &n), 0);
            ck_assert_int_eq(nsbox_wait(p, -1), 0);
            close(m); /* before the end, the hangup would be its SIGHUP */
            nsbox_proc_free(p);
            ok++;
        } else {
            ck_assert_msg(strstr(nsbox_errmsg(box), "console: "), "%d %s", r, nsbox_errmsg(box));
            ck_assert_msg(r == -ENOTTY || r == -ENOENT, "%d %s", r, nsbox_errmsg(box));
            refused++;
        }
        nsbox_free(box);
    }
    ck_assert_int_eq(nsbox_kill(rp, SIGKILL), 0);
    nsbox_wait(rp, -1);
    nsbox_proc_free(rp);
    nsbox_free(host);
    printf("console race as %s: %d masters, all pty masters; %d spawns refused\n",
           _i ? "nobody" : "root", ok, refused);
    ck_assert_int_gt(ok + refused, 0);
}
END_TEST

START_TEST(test_console_builder)
{
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_console(NULL, NSBOX_CONSOLE_PTY, 0, 0), -EINVAL);
    ck_assert_int_eq(nsbox_set_console(box, 1u << 5, 0, 0), -EINVAL);
    ck_assert_msg(strstr(nsbox_errmsg(box), "unknown flags 0x20"), "%s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_set_console(box, NSBOX_CONSOLE_DEV_CONSOLE, 0, 0), -EINVAL);
    ck_assert_int_eq(nsbox_proc_take_console(NULL), -EINVAL);
    /* the console is the command's stdio: stdio fds set too are refused */
    ck_assert_int_eq(nsbox_set_console(box, NSBOX_CONSOLE_PTY, 0, 0), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, 2, -1), 0);
    char *argv[] = {"true", NULL};
    ck_assert_int_eq(nsbox_run(box, argv), -EINVAL);
    ck_assert_msg(strstr(nsbox_errmsg(box), "console: nsbox_set_stdio() gave fd 2 as the "
                                            "command's stdout"),
                  "%s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_set_stdio(box, -1, -1, -1), 0);
    ck_assert_int_eq(nsbox_enter(box), -EINVAL);
    ck_assert_msg(strstr(nsbox_errmsg(box), "enter: a console"), "%s", nsbox_errmsg(box));
    /* flags 0 removes it: a process without a console has no master */
    ck_assert_int_eq(nsbox_set_console(box, 0, 0, 0), 0);
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), 0);
    ck_assert_int_eq(nsbox_proc_take_console(p), -ENOENT);
    ck_assert_int_eq(nsbox_wait(p, -1), 0);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("console");
    TCase *tc = tcase_create("console");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_console_inside, 0, 2);
    tcase_add_loop_test(tc, test_console_no_dev_console, 0, 2);
    tcase_add_loop_test(tc, test_console_host_pty_control, 0, 2);
    tcase_add_loop_test(tc, test_console_callers_devpts, 0, 2);
    tcase_add_loop_test(tc, test_console_hostile_ptmx, 0, 2);
    tcase_add_loop_test(tc, test_console_race, 0, 2);
    tcase_add_test(tc, test_console_builder);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
