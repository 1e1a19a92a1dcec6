/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit test of the report's message table (parent/report.c): every step
 * the child can report failing (enum child_step, up to STEP_COUNT) has its
 * own message, which names the step's object where it has one, never the
 * generic "child step N" of an unknown number. The control: STEP_COUNT
 * itself, a number no child sends, gets the generic text, so the check
 * can fail. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "report.h"

/* A plan whose every table has one entry, so that index 0 of any step
 * names something. */
static struct plan *plan_fake(void)
{
    static struct plan p;
    static struct plan_fd fds[1] = {{5, 7}};
    static struct rlimit_set rl[1] = {{7 /* RLIMIT_NOFILE */, 64, 128}};
    static char *const locks[1] = {"/run/lock-a"};
    static struct plan_cgroup_move moves[1] = {{-1, "/sys/fs/cgroup/memory/nsbox-1"}};
    static char *paths[2] = {"/usr/bin/cmd", NULL};
    static struct caps_plan caps;
    memset(&p, 0, sizeof(p));
    p.joins[0] = (struct plan_join){.fd = 9, .ns = NSBOX_NS_NET};
    p.n_joins = 1;
    p.hostname = "box";
    p.cwd = "/work";
    p.stdio[0] = p.stdio[1] = p.stdio[2] = -1;
    p.fds = fds;
    p.n_fds = 1;
    p.rlimits = rl;
    p.n_rlimits = 1;
    p.uid = 1000;
    p.gid = 1000;
    p.lock_files = locks;
    p.n_lock_files = 1;
    p.caps = &caps;
    p.cgroup_moves = moves;
    p.n_cgroup_moves = 1;
    p.exec_name = "cmd";
    p.exec_paths = paths;
    return &p;
}

static const char *report_at(int step, int err, int index)
{
    static char msg[1024];
    nsbox *box = nsbox_new();
    ck_assert_ptr_nonnull(box);
    struct child_report rep = {.step = step, .err = err, .index = index};
    int r = report_error(&box->err, plan_fake(), &rep);
    ck_assert_msg(r == -err, "step %d: %d, want %d", step, r, -err);
    snprintf(msg, sizeof(msg), "%s", nsbox_errmsg(box));
    nsbox_free(box);
    return msg;
}

static const char *report(int step, int err)
{
    return report_at(step, err, 0);
}

START_TEST(every_step_has_a_message)
{
    int step = _i;
    const char *msg = report(step, EPERM);
    ck_assert_msg(msg[0], "step %d: no message", step);
    ck_assert_msg(!strstr(msg, "child step"), "step %d has no entry in the table: \"%s\"", step,
                  msg);
    ck_assert_msg(!strstr(msg, "(null)"), "step %d: \"%s\"", step, msg);
    /* the errno's text follows */
    ck_assert_msg(strstr(msg, strerror(EPERM)), "step %d: \"%s\"", step, msg);
}
END_TEST

/* Where the step has an object, the message names it. */
START_TEST(messages_name_the_object)
{
    ck_assert_ptr_nonnull(strstr(report(STEP_HOSTNAME, EINVAL), "box"));
    ck_assert_ptr_nonnull(strstr(report(STEP_CWD, ENOENT), "/work"));
    ck_assert_ptr_nonnull(strstr(report(STEP_EXEC, EACCES), "cmd"));
    ck_assert_ptr_nonnull(strstr(report(STEP_LOCK, EAGAIN), "/run/lock-a"));
    ck_assert_ptr_nonnull(strstr(report(STEP_CGROUP, EBUSY), "/sys/fs/cgroup/memory/nsbox-1"));
    ck_assert_ptr_nonnull(strstr(report(STEP_SETUID, EINVAL), "1000"));
    ck_assert_ptr_nonnull(strstr(report(STEP_SETNS, EINVAL), "net"));
}
END_TEST

/* An index past every table of the plan (a child that broke the protocol)
 * still gets a message: each formatter checks the index before it looks
 * anything up by it (ASan, in CI's lane, sees a read past a table). */
START_TEST(every_step_checks_its_index)
{
    static const int bad[] = {REPORT_INDEX(4096, 0), REPORT_INDEX(4096, REPORT_PARTS - 1), -4096,
                              -1};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        const char *msg = report_at(_i, EIO, bad[k]);
        ck_assert_msg(strstr(msg, strerror(EIO)), "step %d index %d: \"%s\"", _i, bad[k], msg);
        ck_assert_msg(!strstr(msg, "(null)"), "step %d index %d: \"%s\"", _i, bad[k], msg);
    }
}
END_TEST

/* The control: a number past the table gets the generic text. */
START_TEST(unknown_step_is_generic)
{
    ck_assert_ptr_nonnull(strstr(report(STEP_COUNT, EPERM), "child step"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit_report");
    TCase *tc = tcase_create("report");
    tcase_add_loop_test(tc, every_step_has_a_message, STEP_NONE + 1, STEP_COUNT);
    tcase_add_loop_test(tc, every_step_checks_its_index, STEP_NONE + 1, STEP_COUNT);
    tcase_add_test(tc, messages_name_the_object);
    tcase_add_test(tc, unknown_step_is_generic);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
