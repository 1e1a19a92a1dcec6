/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI process calls (nsbox_set_caps, nsbox_set_groups,
 * nsbox_set_umask, nsbox_set_oom_score_adj, nsbox_set_domainname,
 * nsbox_set_sysctl), seen from inside real sandboxes as root and as
 * nobody; sysctl keys that would reach the caller or the host are refused,
 * with a control that writes the same key where it is the sandbox's own. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privtest.h"

#define NET_BIND BIT(10)
#define NET_RAW BIT(13)
#define CHOWN BIT(0)

/* The five sets apart: bounding, permitted, inheritable, ambient, and
 * what a non-zero uid and uid 0 get from them through exec (with
 * no_new_privs, uid 0 keeps its permitted set, no more). */
START_TEST(test_caps_sets)
{
    t_as(_i);
    for (int unpriv = 0; unpriv < 2; unpriv++) {
        nsbox *box = p_box(_i, unpriv);
        /* a network namespace of the user namespace's, where its
         * capabilities count */
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_NET), 0);
        ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_BOUNDING, NET_BIND | NET_RAW | CHOWN), 0);
        ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_PERMITTED, NET_BIND | CHOWN), 0);
        ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_EFFECTIVE, NET_BIND), 0);
        ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_INHERITABLE, NET_BIND | CHOWN), 0);
        ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_AMBIENT, NET_BIND), 0);
        char st[512];
        ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
        ck_assert_msg(p_field(st, "bnd") == (NET_BIND | NET_RAW | CHOWN), "%s", st);
        ck_assert_msg(p_field(st, "inh") == (NET_BIND | CHOWN), "%s", st);
        ck_assert_msg(p_field(st, "amb") == NET_BIND, "%s", st);
        unsigned uid = unpriv ? P_UNPRIV(_i) : (_i ? NOBODY : 0);
        uint64_t prm = uid ? NET_BIND : NET_BIND | CHOWN;
        ck_assert_msg(p_field(st, "prm") == prm && p_field(st, "eff") == prm, "%s", st);
        ck_assert_int_eq(p_field(st, "uid"), uid);
        /* the ambient capability works: a port below 1024 */
        ck_assert_int_eq(p_helper(box, st, sizeof(st), "bind", "80", NULL), 0);
        ck_assert_str_eq(st, "ok");
        nsbox_free(box);
    }
}
END_TEST

/* Sets not given keep what nsbox_add_cap says; the default is nothing. */
START_TEST(test_caps_mixed)
{
    t_as(_i);
    nsbox *box = p_box(_i, true);
    ck_assert_int_eq(nsbox_add_cap(box, "cap_net_bind_service"), 0);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_BOUNDING, NET_BIND | NET_RAW), 0);
    char st[512];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
    ck_assert_msg(p_field(st, "bnd") == (NET_BIND | NET_RAW), "%s", st);
    ck_assert_msg(p_field(st, "prm") == NET_BIND && p_field(st, "amb") == NET_BIND, "%s", st);
    nsbox_free(box);
}
END_TEST

static void expect_spawn_error(nsbox *box, int err, const char *msg)
{
    int fds = t_count_fds();
    char st[256];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), -err);
    ck_assert_str_eq(nsbox_errmsg(box), msg);
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
}

START_TEST(test_caps_errors)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_set_caps(box, 5, 0), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box),
                     "capability set 5: not one of NSBOX_CAPS_BOUNDING ... _AMBIENT");
    ck_assert_int_eq(nsbox_set_caps(box, -1, 0), -EINVAL);
    ck_assert_int_eq(nsbox_set_caps(NULL, 0, 0), -EINVAL);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_PERMITTED, NET_BIND), 0);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_EFFECTIVE, NET_BIND | CHOWN), 0);
    expect_spawn_error(box, EINVAL,
                       "effective capabilities cap_chown: not in the permitted set, as the kernel "
                       "requires");
    box = p_box(_i, false);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_AMBIENT, NET_BIND), 0);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_PERMITTED, NET_BIND), 0);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_INHERITABLE, 0), 0);
    expect_spawn_error(box, EINVAL,
                       "ambient capabilities cap_net_bind_service: not in the inheritable set, as "
                       "the kernel requires");
    box = p_box(_i, false);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_BOUNDING, BIT(63)), 0);
    char msg[256];
    char *name = NULL;
    ck_assert_int_ge(asprintf(&name, "%d", 63), 0);
    snprintf(msg, sizeof(msg),
             "bounding capabilities %s: not known to this kernel (its last is %d)", name,
             __builtin_ctzll(~p_all_caps()) - 1);
    free(name);
    expect_spawn_error(box, EINVAL, msg);
    /* the control of the rules: the same sets, consistent, spawn */
    box = p_box(_i, false);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_PERMITTED, NET_BIND), 0);
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_EFFECTIVE, NET_BIND), 0);
    char st[512];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
    nsbox_free(box);
}
END_TEST

/* nobody without a user namespace holds nothing: a permitted set is
 * refused (EPERM, as nsbox_add_cap), an empty one is fine. */
START_TEST(test_caps_not_held)
{
    t_as(1);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_PERMITTED, NET_BIND), 0);
    expect_spawn_error(box, EPERM,
                       "keep capability cap_net_bind_service (the sandbox's process does not hold "
                       "it; a new user namespace would grant it): Operation not permitted");
    box = nsbox_new();
    ck_assert_int_eq(nsbox_set_caps(box, NSBOX_CAPS_PERMITTED, 0), 0);
    char st[512];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("oci_process");
    TCase *tc = tcase_create("process");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_caps_sets, 0, 2);
    tcase_add_loop_test(tc, test_caps_mixed, 0, 2);
    tcase_add_loop_test(tc, test_caps_errors, 0, 2);
    tcase_add_test(tc, test_caps_not_held);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
