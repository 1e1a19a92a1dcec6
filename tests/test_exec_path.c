/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_set_exec_path: the program run apart from the argv[0] it sees. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "testlib.h"

START_TEST(test_exec_path_argv0)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    ck_assert_int_eq(nsbox_set_exec_path(box, "/bin/sh"), 0);
    char *argv[] = {"my-name", "-c", "echo $0 $$", NULL};
    char out[256];
    ck_assert_int_eq(t_run_capture(box, argv, out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "my-name 2");
    nsbox_free(box);
}
END_TEST

START_TEST(test_exec_path_lookup)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_exec_path(box, "sh"), 0); /* looked up in PATH */
    char *argv[] = {"other", "-c", "echo $0", NULL};
    char out[256];
    ck_assert_int_eq(t_run_capture(box, argv, out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "other");
    /* NULL goes back to argv[0]. */
    ck_assert_int_eq(nsbox_set_exec_path(box, NULL), 0);
    char *argv2[] = {"sh", "-c", "echo back", NULL};
    ck_assert_int_eq(t_run_capture(box, argv2, out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "back");
    nsbox_free(box);
}
END_TEST

START_TEST(test_exec_path_errors)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_exec_path(box, ""), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "exec path"));
    ck_assert_int_eq(nsbox_set_exec_path(NULL, "/bin/sh"), -EINVAL);
    int fds = t_count_fds(), children = t_count_children();
    ck_assert_int_eq(nsbox_set_exec_path(box, "/no/such/program"), 0);
    char *argv[] = {"sh", "-c", "true", NULL};
    char out[64];
    ck_assert_int_eq(t_run_capture(box, argv, out, sizeof(out)), -ENOENT);
    ck_assert_str_eq(nsbox_errmsg(box), "exec /no/such/program: No such file or directory");
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), children);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exec_path");
    TCase *tc = tcase_create("exec_path");
    tcase_add_loop_test(tc, test_exec_path_argv0, 0, 2);
    tcase_add_loop_test(tc, test_exec_path_lookup, 0, 2);
    tcase_add_loop_test(tc, test_exec_path_errors, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
