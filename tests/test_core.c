/* Core: namespaces, maps, spawn/wait, errors. */
#define _GNU_SOURCE
#include <string.h>

#include "testlib.h"

START_TEST(test_pid_ns)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    char out[256];
    ck_assert_int_eq(t_sh(box, "echo $$", out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "2");
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("namespaces");
    tcase_add_loop_test(tc, test_pid_ns, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
