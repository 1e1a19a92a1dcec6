/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exec gate (nsbox_set_exec_gate) and NSBOX_CONTROLLING_TTY, the
 * calls behind an OCI runtime's create/start and process.terminal (issue
 * 16), looked at from inside real sandboxes, as root and as nobody. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "testlib.h"

/* A sandbox as an OCI runtime makes it: the command is PID 1 of its own
 * PID namespace (so nsbox_proc_pid is what waits at the gate); nobody's
 * gets a user namespace along. */
static nsbox *gate_box(int i, int gate)
{
    t_as(i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_MOUNT | NSBOX_NS_IPC), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1), 0);
    if (gate >= 0)
        ck_assert_msg(nsbox_set_exec_gate(box, gate) == 0, "%s", nsbox_errmsg(box));
    return box;
}

/* Reads fd to EOF into buf within 60 s (the TCG guest is slow). */
static void read_all(int fd, char *buf, size_t size)
{
    size_t len = 0;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ck_assert_msg(poll(&pfd, 1, 60000) == 1, "no EOF within 60 s (read \"%.*s\")", (int)len,
                      buf);
        ssize_t n = read(fd, buf + len, size - 1 - len);
        ck_assert_int_ge(n, 0);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
}

/* True when something can be read from fd within ms. */
static bool readable(int fd, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, ms) == 1;
}

/* "pipe:[INODE]" of fd, as /proc/PID/fd shows it. */
static void pipe_name(int fd, char *out, size_t size)
{
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    snprintf(out, size, "pipe:[%lu]", (unsigned long)st.st_ino);
}

/* What the command sees of its fds: every /proc/self/fd entry's target. */
#define LIST_FDS "for f in /proc/self/fd/*; do readlink $f; done; echo ran"

/* One gated sandbox with its stdout on a pipe: the gate's two ends, the
 * reader of stdout, the recipe and the process. */
struct gated {
    int gate[2];
    int out;
    nsbox *box;
    nsbox_proc *p;
};

/* Spawns script behind a gate (passed: the gate's read end is also
 * passed as fd 7, the control of the fd checks; no gate then). */
static void gated_spawn(struct gated *g, int i, const char *script, bool passed)
{
    int out[2];
    ck_assert_int_eq(pipe2(g->gate, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    g->box = gate_box(i, passed ? -1 : g->gate[0]);
    ck_assert_int_eq(nsbox_set_stdio(g->box, -1, out[1], -1), 0);
    if (passed)
        ck_assert_int_eq(nsbox_pass_fd(g->box, g->gate[0], 7), 0);
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    ck_assert_msg(nsbox_spawn(g->box, argv, &g->p) == 0, "%s", nsbox_errmsg(g->box));
    close(out[1]);
    g->out = out[0];
}

static void gated_free(struct gated *g)
{
    nsbox_proc_free(g->p);
    nsbox_free(g->box);
    close(g->gate[0]);
    if (g->gate[1] >= 0)
        close(g->gate[1]);
    close(g->out);
}

/* spawn returns while the command waits; what waits shares no memory with
 * the caller (kcmp KCMP_VM), the caller is dumpable again, and the command
 * runs only after the byte. */
START_TEST(test_gate_waits)
{
    int dumpable = prctl(PR_GET_DUMPABLE);
    struct gated g;
    gated_spawn(&g, _i, LIST_FDS, false);
    ck_assert_int_eq(prctl(PR_GET_DUMPABLE), dumpable);
    ck_assert_msg(!readable(g.out, 300), "the command ran before the gate opened");
    pid_t waiter = nsbox_proc_pid(g.p);
    char status[64], line[256] = "";
    snprintf(status, sizeof(status), "/proc/%d/status", (int)waiter);
    FILE *f = fopen(status, "re");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
    fclose(f);
    ck_assert_msg(strstr(line, "nsbox-gate"), "what waits: %s", line);
    /* The control: kcmp tells a shared mm (the caller against itself). */
    ck_assert_int_eq(syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0), 0);
    long k = syscall(SYS_kcmp, getpid(), waiter, KCMP_VM, 0, 0);
    ck_assert_msg(k > 0, "kcmp VM of the caller and what waits: %ld (%s)", k, strerror(errno));
    ck_assert_int_eq(write(g.gate[1], "x", 1), 1);
    char buf[4096], name[64];
    read_all(g.out, buf, sizeof(buf));
    ck_assert_msg(strstr(buf, "ran\n"), "%s", buf);
    pipe_name(g.gate[0], name, sizeof(name));
    ck_assert_msg(!strstr(buf, name), "the command holds the gate %s:\n%s", name, buf);
    ck_assert_int_eq(nsbox_wait(g.p, -1), 0);
    gated_free(&g);
}
END_TEST

/* The control of the fd check above: the same listing shows the gate's
 * pipe when it is passed on purpose. */
START_TEST(test_gate_fd_control)
{
    struct gated g;
    gated_spawn(&g, _i, LIST_FDS, true);
    char buf[4096], name[64];
    read_all(g.out, buf, sizeof(buf));
    pipe_name(g.gate[0], name, sizeof(name));
    ck_assert_msg(strstr(buf, name), "the listing misses a passed %s:\n%s", name, buf);
    ck_assert_int_eq(nsbox_wait(g.p, -1), 0);
    gated_free(&g);
}
END_TEST

/* A hostile command can neither find the gate fd nor read from it: it
 * tries a read of each fd it has (each in /proc/self/fd). */
START_TEST(test_gate_hostile)
{
    /* Two bytes: one opens the gate, the other is what the command would
     * steal if it held the gate's read end. */
    struct gated g;
    gated_spawn(&g, _i,
                "for f in /proc/self/fd/*; do fd=${f##*/}; "
                "  if (exec 2>/dev/null; timeout 1 dd bs=1 count=1 <&$fd) | grep -q y; then "
                "    echo stolen $fd; fi; done; echo done",
                false);
    ck_assert_int_eq(write(g.gate[1], "xy", 2), 2);
    char buf[4096];
    read_all(g.out, buf, sizeof(buf));
    ck_assert_str_eq(buf, "done\n");
    ck_assert_int_eq(nsbox_wait(g.p, -1), 0);
    char left;
    ck_assert_int_eq(read(g.gate[0], &left, 1), 1);
    ck_assert_int_eq(left, 'y');
    gated_free(&g);
}
END_TEST

/* End-of-file at the gate: the sandbox ends with 127 and the command
 * never ran (it would write to out). */
START_TEST(test_gate_eof)
{
    struct gated g;
    gated_spawn(&g, _i, "echo ran", false);
    close(g.gate[1]);
    g.gate[1] = -1;
    ck_assert_int_eq(nsbox_wait(g.p, -1), 127);
    char buf[64];
    read_all(g.out, buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
    gated_free(&g);
}
END_TEST

/* A program exec cannot run fails the spawn itself (as runc's create),
 * naming it, with nothing left behind. */
START_TEST(test_gate_missing_program)
{
    int gate[2];
    ck_assert_int_eq(pipe2(gate, O_CLOEXEC), 0);
    nsbox *box = gate_box(_i, gate[0]);
    int fds = t_count_fds();
    char *missing[] = {"/no/such/program", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, missing, &p), -ENOENT);
    ck_assert_msg(strstr(nsbox_errmsg(box), "exec /no/such/program"), "%s", nsbox_errmsg(box));
    char *dir[] = {"/tmp", NULL};
    ck_assert_int_eq(nsbox_spawn(box, dir, &p), -EACCES);
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
    close(gate[0]);
    close(gate[1]);
}
END_TEST

/* The gate's fd is checked like stdio's: closed since it was set fails the
 * spawn; -1 removes the gate; bad numbers are refused at once. */
START_TEST(test_gate_builder)
{
    int gate[2];
    ck_assert_int_eq(pipe2(gate, O_CLOEXEC), 0);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_exec_gate(box, -2), -EINVAL);
    ck_assert_int_eq(nsbox_set_exec_gate(box, 1000), -EBADF);
    ck_assert_int_eq(nsbox_set_exec_gate(box, gate[0]), 0);
    close(gate[0]);
    close(gate[1]);
    char *argv[] = {"true", NULL};
    ck_assert_int_eq(nsbox_run(box, argv), -EBADF);
    ck_assert_msg(strstr(nsbox_errmsg(box), "exec gate fd"), "%s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_set_exec_gate(box, -1), 0);
    ck_assert_int_eq(nsbox_run(box, argv), 0);
    nsbox_free(box);
}
END_TEST

/* ---------------------------------------------------- controlling terminal */

/* The pty's slave as stdin; the command reports whether /dev/tty opens
 * (only with a controlling terminal), tty_nr of /proc/self/stat, and
 * whether its process group is the terminal's foreground group. */
static void tty_run(int i, unsigned flags, char *buf, size_t size, dev_t *rdev)
{
    t_as(i);
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    ck_assert_int_ge(slave, 0);
    struct stat st;
    ck_assert_int_eq(fstat(slave, &st), 0);
    *rdev = st.st_rdev;
    int out[2];
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1 | flags), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, slave, out[1], -1), 0);
    char *argv[] = {"sh", "-c",
                    "if (exec 3</dev/tty) 2>/dev/null; then echo ctty; else echo none; fi; "
                    "set -- $(sed 's/.*) //' /proc/self/stat); echo tty_nr=$5 pgrp=$3 tpgid=$6",
                    NULL};
    nsbox_proc *p;
    ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
    close(out[1]);
    read_all(out[0], buf, size);
    ck_assert_int_eq(nsbox_wait(p, -1), 0);
    nsbox_proc_free(p);
    nsbox_free(box);
    close(out[0]);
    close(slave);
    close(master);
}

/* tty_nr as /proc/PID/stat encodes a device number. */
static unsigned long tty_nr(dev_t d)
{
    return (minor(d) & 0xff) | (major(d) << 8) | ((minor(d) & ~0xffu) << 12);
}

START_TEST(test_controlling_tty)
{
    char buf[256], want[128];
    dev_t rdev;
    tty_run(_i, NSBOX_CONTROLLING_TTY, buf, sizeof(buf), &rdev);
    ck_assert_msg(strncmp(buf, "ctty\n", 5) == 0, "%s", buf);
    snprintf(want, sizeof(want), "tty_nr=%lu ", tty_nr(rdev));
    ck_assert_msg(strstr(buf, want), "want %s in %s", want, buf);
    /* The foreground group of the terminal is the command's own. */
    long pgrp = -1, tpgid = -2;
    ck_assert_int_eq(sscanf(strstr(buf, "pgrp="), "pgrp=%ld tpgid=%ld", &pgrp, &tpgid), 2);
    ck_assert_int_eq(pgrp, tpgid);
}
END_TEST

/* The control: the same sandbox in a new session without the flag has no
 * controlling terminal, though its stdin is the same kind of pty. */
START_TEST(test_controlling_tty_control)
{
    char buf[256];
    dev_t rdev;
    tty_run(_i, NSBOX_NEW_SESSION, buf, sizeof(buf), &rdev);
    ck_assert_msg(strncmp(buf, "none\n", 5) == 0, "%s", buf);
    ck_assert_msg(strstr(buf, "tty_nr=0 "), "%s", buf);
}
END_TEST

/* A stdin that is no terminal fails the spawn, naming the step. */
START_TEST(test_controlling_tty_not_a_tty)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    ck_assert_int_eq(nsbox_set_stdio(box, null, -1, -1), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_CONTROLLING_TTY), 0);
    char *argv[] = {"true", NULL};
    ck_assert_int_eq(nsbox_run(box, argv), -ENOTTY);
    ck_assert_msg(strstr(nsbox_errmsg(box), "controlling terminal"), "%s", nsbox_errmsg(box));
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
    close(null);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gate");
    TCase *tc = tcase_create("gate");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_gate_waits, 0, 2);
    tcase_add_loop_test(tc, test_gate_fd_control, 0, 2);
    tcase_add_loop_test(tc, test_gate_hostile, 0, 2);
    tcase_add_loop_test(tc, test_gate_eof, 0, 2);
    tcase_add_loop_test(tc, test_gate_missing_program, 0, 2);
    tcase_add_test(tc, test_gate_builder);
    tcase_add_loop_test(tc, test_controlling_tty, 0, 2);
    tcase_add_loop_test(tc, test_controlling_tty_control, 0, 2);
    tcase_add_loop_test(tc, test_controlling_tty_not_a_tty, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
