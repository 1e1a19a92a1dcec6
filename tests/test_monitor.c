/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The status path of kernels before 6.15 (no PIDFD_INFO_EXIT), forced on
 * this one through the internal handle: the command runs under the init
 * helper as a monitor, whose record carries the status even when the
 * caller reaps the sandbox itself. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "internal.h"
#include "testlib.h"

static nsbox *monitored(unsigned ns)
{
    nsbox *box = nsbox_new();
    box->force_monitor = true;
    ck_assert_int_eq(nsbox_add_namespace(box, ns), 0);
    return box;
}

START_TEST(test_monitor_status)
{
    t_as(_i);
    for (unsigned ns = 0; ns <= NSBOX_NS_PID; ns += NSBOX_NS_PID) {
        nsbox *box = monitored(ns);
        char out[64];
        ck_assert_int_eq(t_sh(box, "echo $$ $PPID; exit 5", out, sizeof(out)), 5);
        if (ns)
            ck_assert_str_eq(out, "2 1\n");
        char *sig[] = {"sh", "-c", "kill -USR1 $$", NULL};
        nsbox_proc *p;
        ck_assert_int_eq(nsbox_spawn(box, sig, &p), 0);
        ck_assert_int_eq(nsbox_wait(p, -1), 128 + SIGUSR1);
        ck_assert_int_eq(nsbox_proc_signal(p), SIGUSR1);
        nsbox_proc_free(p);
        nsbox_free(box);
    }
}
END_TEST

/* SIGCHLD ignored: the kernel reaps the monitor; its record survives. */
START_TEST(test_monitor_caller_reaps)
{
    t_as(_i);
    nsbox *box = monitored(0);
    char *argv[] = {"sh", "-c", "exit 7", NULL};
    signal(SIGCHLD, SIG_IGN);
    ck_assert_int_eq(nsbox_run(box, argv), 7);
    signal(SIGCHLD, SIG_DFL);
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), 0);
    siginfo_t si;
    ck_assert_int_eq(waitid(P_ALL, 0, &si, WEXITED), 0); /* the caller steals it */
    ck_assert_int_eq(nsbox_wait(p, -1), 7);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

START_TEST(test_monitor_as_pid1)
{
    t_as(_i);
    nsbox *box = monitored(NSBOX_NS_PID);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1), 0);
    char out[64];
    ck_assert_int_eq(t_sh(box, "echo $$", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "1\n");
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("monitor");
    tcase_add_loop_test(tc, test_monitor_status, 0, 2);
    tcase_add_loop_test(tc, test_monitor_caller_reaps, 0, 2);
    tcase_add_loop_test(tc, test_monitor_as_pid1, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
