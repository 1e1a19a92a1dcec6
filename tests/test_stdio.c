/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stdio and passed fds are recorded by number (issue 12.3): a reader of a
 * pipe gets EOF once the caller closes its end after spawn, while the recipe
 * lives; a number closed or reused before spawn never reaches the sandbox;
 * targets are bounded (12.4). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "testlib.h"

#define ck_assert_msg_has(box, text)                                                               \
    ck_assert_msg(strstr(nsbox_errmsg(box), text), "errmsg \"%s\" lacks \"%s\"",                   \
                  nsbox_errmsg(box), text)

/* Reads fd to EOF into buf; fails the test (instead of hanging) when no EOF
 * comes within 10 s. */
static void read_to_eof(int fd, char *buf, size_t size)
{
    size_t len = 0;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n = poll(&pfd, 1, 10000);
        ck_assert_msg(n == 1, "no EOF within 10 s: the write end is still held (read \"%.*s\")",
                      (int)len, buf);
        ssize_t got = read(fd, buf + len, size - 1 - len);
        ck_assert_int_ge(got, 0);
        if (got == 0)
            break;
        len += (size_t)got;
    }
    buf[len] = '\0';
}

/* The recipe lives on (and spawns again, the pass to 5 replaced) while
 * the reader reads to EOF. */
START_TEST(test_eof_after_spawn)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    for (int round = 0; round < 2; round++) {
        int out[2], side[2];
        ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(side, O_CLOEXEC), 0);
        ck_assert_int_eq(nsbox_set_stdio(box, -1, out[1], -1), 0);
        ck_assert_int_eq(nsbox_pass_fd(box, side[1], 5), 0);
        char script[64];
        snprintf(script, sizeof(script), "echo out %d; echo side >&5", round);
        char *argv[] = {"sh", "-c", script, NULL};
        nsbox_proc *p;
        ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
        close(out[1]);
        close(side[1]);
        char buf[64], want[16];
        read_to_eof(out[0], buf, sizeof(buf));
        snprintf(want, sizeof(want), "out %d\n", round);
        ck_assert_str_eq(buf, want);
        read_to_eof(side[0], buf, sizeof(buf));
        ck_assert_str_eq(buf, "side\n");
        ck_assert_int_eq(nsbox_wait(p, -1), 0);
        nsbox_proc_free(p);
        close(out[0]);
        close(side[0]);
    }
    nsbox_free(box);
}
END_TEST

/* A recorded fd closed before spawn fails it with -EBADF; so does one whose
 * number now names another file (the control: the number is the same, so
 * without the identity check the sandbox would get the new file). */
START_TEST(test_closed_or_reused_fd)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char *argv[] = {"true", NULL};
    nsbox_proc *p = NULL;
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, fds[1], -1), 0);
    close(fds[1]);
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), -EBADF);
    ck_assert_ptr_null(p);
    char want[64];
    snprintf(want, sizeof(want), "stdout fd %d: closed since it was set", fds[1]);
    ck_assert_msg_has(box, want);

    int secret = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    ck_assert_int_eq(secret, fds[1]);
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), -EBADF);
    snprintf(want, sizeof(want), "stdout fd %d: another file", fds[1]);
    ck_assert_msg_has(box, want);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, -1, -1), 0);

    ck_assert_int_eq(nsbox_pass_fd(box, fds[0], 7), 0);
    close(fds[0]);
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), -EBADF);
    snprintf(want, sizeof(want), "pass fd %d as 7: closed", fds[0]);
    ck_assert_msg_has(box, want);
    ck_assert_int_eq(t_count_children(), 0);
    close(secret);
    nsbox_free(box);
}
END_TEST

/* 12.4: a target near INT_MAX overflowed "max_fd + 1" at spawn (UBSan). */
START_TEST(test_target_bound)
{
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_pass_fd(box, 0, INT_MAX), -EINVAL);
    ck_assert_msg_has(box, "pass fd 0 as 2147483647: the target must be at most 1048575");
    ck_assert_int_eq(nsbox_pass_fd(box, 0, 1 << 20), -EINVAL);
    ck_assert_int_eq(nsbox_pass_fd(box, 0, (1 << 20) - 1), 0);
    /* spawn: fails cleanly (the command's RLIMIT_NOFILE is lower), no
     * overflow */
    char *argv[] = {"true", NULL};
    nsbox_proc *p = NULL;
    ck_assert_int_eq(nsbox_set_rlimit(box, RLIMIT_NOFILE, 1024, 1024), 0);
    int r = nsbox_spawn(box, argv, &p);
    ck_assert_msg(r == -EBADF || r == -EMFILE || r == -EINVAL, "spawn: %d %s", r,
                  nsbox_errmsg(box));
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stdio");
    TCase *tc = tcase_create("stdio");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_eof_after_spawn, 0, 2);
    tcase_add_loop_test(tc, test_closed_or_reused_fd, 0, 2);
    tcase_add_test(tc, test_target_bound);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
