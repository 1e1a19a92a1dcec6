/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bad input: each gives -errno, a message naming what was wrong, and
 * leaves no process and no fd behind. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "testlib.h"

#define ck_assert_msg_has(box, text)                                                               \
    ck_assert_msg(strstr(nsbox_errmsg(box), text), "message \"%s\" lacks \"%s\"",                  \
                  nsbox_errmsg(box), text)

START_TEST(test_builder_validation)
{
    nsbox *box = nsbox_new();
    ck_assert_str_eq(nsbox_errmsg(box), "");
    ck_assert_int_eq(nsbox_add_namespace(box, 0x100), -EINVAL);
    ck_assert_msg_has(box, "namespace mask 0x100");
    ck_assert_int_eq(nsbox_set_hostname(box, ""), -EINVAL);
    ck_assert_msg_has(box, "hostname");
    char longname[80];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[79] = '\0';
    ck_assert_int_eq(nsbox_set_hostname(box, longname), -EINVAL);
    ck_assert_int_eq(nsbox_set_cwd(box, "relative/dir"), -EINVAL);
    ck_assert_msg_has(box, "cwd \"relative/dir\": not an absolute path");
    ck_assert_int_eq(nsbox_set_env(box, "A=B", "x"), -EINVAL);
    ck_assert_msg_has(box, "\"A=B\"");
    ck_assert_int_eq(nsbox_set_env(box, "", "x"), -EINVAL);
    ck_assert_int_eq(nsbox_pass_fd(box, 0, 2), -EINVAL);
    ck_assert_msg_has(box, "target must be 3 or more");
    ck_assert_int_eq(nsbox_pass_fd(box, 9999, 5), -EBADF);
    ck_assert_msg_has(box, "fd 9999");
    ck_assert_int_eq(nsbox_pass_fd(box, 0, 5), 0);
    ck_assert_int_eq(nsbox_pass_fd(box, -2, 5), -EINVAL);
    ck_assert_msg_has(box, "pass fd -2 as 5: neither an fd nor -1");
    ck_assert_int_eq(nsbox_set_stdio(box, -2, -1, -1), -EINVAL);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, 9999, -1), -EBADF);
    ck_assert_msg_has(box, "stdout fd 9999");
    ck_assert_int_eq(nsbox_set_rlimit(box, RLIMIT_NOFILE, 10, 5), -EINVAL);
    ck_assert_msg_has(box, "soft 10 above hard 5");
    ck_assert_int_eq(nsbox_set_rlimit(box, 999, 1, 1), -EINVAL);
    ck_assert_int_eq(nsbox_set_flags(box, 1u << 20), -EINVAL);
    ck_assert_msg_has(box, "unknown bits");
    ck_assert_int_eq(nsbox_set_user(box, (uint32_t)-1, 0), -EINVAL);
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, 1000, 0), -EINVAL);
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, 1000, 10), 0);
    ck_assert_int_eq(nsbox_add_uid_map(box, 5, 2000, 10), -EINVAL);
    ck_assert_msg_has(box, "uid map 5 2000 10: overlaps 0 1000 10 inside");
    ck_assert_int_eq(nsbox_add_uid_map(box, 100, 1005, 1), -EINVAL);
    ck_assert_msg_has(box, "outside");
    ck_assert_int_eq(nsbox_add_gid_map(box, UINT32_MAX - 1, 0, 5), -EINVAL);
    char *empty[] = {NULL};
    nsbox_proc *p = (nsbox_proc *)box;
    ck_assert_int_eq(nsbox_spawn(box, empty, &p), -EINVAL);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(nsbox_spawn(box, NULL, NULL), -EINVAL);
    /* NULL handles are refused, not crashed on */
    ck_assert_int_eq(nsbox_add_namespace(NULL, 0), -EINVAL);
    ck_assert_int_eq(nsbox_wait(NULL, 0), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(NULL), "");
    nsbox_free(NULL);
    nsbox_proc_free(NULL);
    nsbox_free(box);
}
END_TEST

START_TEST(test_join_validation)
{
    nsbox *box = nsbox_new();
    int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ck_assert_int_eq(nsbox_join_namespace(box, NSBOX_NS_UTS, fd), -EINVAL);
    ck_assert_msg_has(box, "it is a net namespace, not uts");
    ck_assert_int_eq(nsbox_join_namespace(box, NSBOX_NS_NET | NSBOX_NS_UTS, fd), -EINVAL);
    ck_assert_msg_has(box, "a mask needs a pidfd");
    int file = open("/dev/null", O_RDONLY | O_CLOEXEC);
    ck_assert_int_eq(nsbox_join_namespace(box, NSBOX_NS_NET, file), -EINVAL);
    ck_assert_msg_has(box, "neither a /proc/PID/ns file nor a pidfd");
    ck_assert_int_eq(nsbox_join_namespace(box, NSBOX_NS_NET, 9999), -EBADF);
    ck_assert_int_eq(nsbox_join_namespace(box, NSBOX_NS_NET, fd), 0);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_NET), -EINVAL);
    ck_assert_msg_has(box, "namespace net: already joined");
    close(fd);
    close(file);
    nsbox_free(box);
}
END_TEST

/* Runs argv expecting failure err with the message; checks nothing is
 * left: no child, no new fd. */
static void expect_spawn_error(nsbox *box, char *const argv[], int err, const char *text)
{
    ck_assert_int_eq(nsbox_run(box, argv), -err);
    int fds = t_count_fds();
    nsbox_proc *p = NULL;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), -err);
    ck_assert_ptr_null(p);
    ck_assert_msg_has(box, text);
    ck_assert_int_eq(t_count_children(), 0);
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(nsbox_run(box, argv), -err);
}

START_TEST(test_spawn_errors)
{
    t_as(_i);
    for (int pidns = 0; pidns < 2; pidns++) {
        nsbox *box = nsbox_new();
        ck_assert_int_eq(nsbox_set_env(box, "PATH", "/usr/bin:/bin"), 0);
        if (pidns)
            ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_ALL), 0);
        char *missing[] = {"/no/such", NULL};
        expect_spawn_error(box, missing, ENOENT, "exec /no/such: No such file or directory");
        char *bare[] = {"no-such-program-xyz", NULL};
        expect_spawn_error(box, bare, ENOENT, "exec no-such-program-xyz: No such file");
        char *notexec[] = {"/etc/passwd", NULL};
        expect_spawn_error(box, notexec, EACCES, "exec /etc/passwd: Permission denied");
        char *ok[] = {"true", NULL};
        ck_assert_int_eq(nsbox_set_cwd(box, "/no/such/dir"), 0);
        expect_spawn_error(box, ok, ENOENT, "chdir /no/such/dir: No such file or directory");
        nsbox_free(box);
    }
}
END_TEST

START_TEST(test_refused_maps)
{
    t_as(1);
    nsbox *box = nsbox_new();
    char *ok[] = {"true", NULL};
    /* nobody may map only itself; root needs newuidmap and /etc/subuid */
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, 0, 1), 0);
    expect_spawn_error(box, ok, EPERM, "uid map \"0 0 1\"");
    nsbox_free(box);
    /* a uid that is not mapped */
    box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER), 0);
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, NOBODY, 1), 0);
    ck_assert_int_eq(nsbox_set_user(box, 5, NOBODY), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, NOBODY, NOBODY, 1), 0);
    /* found at spawn, before the clone, with the map in the message */
    expect_spawn_error(box, ok, EINVAL, "uid 5 is not mapped by the uid map \"0 65534 1\"");
    nsbox_free(box);
}
END_TEST

START_TEST(test_refused_setns)
{
    /* nobody cannot enter the host's network namespace */
    int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    t_as(1);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_join_namespace(box, NSBOX_NS_NET, fd), 0);
    char *ok[] = {"true", NULL};
    expect_spawn_error(box, ok, EPERM, "join namespace net (fd ");
    close(fd);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("errors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_builder_validation);
    tcase_add_test(tc, test_join_validation);
    tcase_add_loop_test(tc, test_spawn_errors, 0, 2);
    tcase_add_test(tc, test_refused_maps);
    tcase_add_test(tc, test_refused_setns);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
