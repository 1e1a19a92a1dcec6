/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Privileges: capabilities kept and dropped, no_new_privs, the seccomp
 * filter; each seen from inside through priv-helper's status line. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "privtest.h"

#define CAP_NET_BIND_SERVICE_BIT BIT(10)
#define CAP_SYS_ADMIN_BIT BIT(21)

static void assert_no_caps(const char *st, uint64_t bnd)
{
    ck_assert_msg(p_field(st, "inh") == 0 && p_field(st, "prm") == 0 && p_field(st, "eff") == 0 &&
                      p_field(st, "amb") == 0,
                  "capabilities left: %s", st);
    ck_assert_msg(p_field(st, "bnd") == bnd, "bounding set: %s", st);
}

START_TEST(test_default_userns)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    char st[512];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
    assert_no_caps(st, 0);
    ck_assert_int_eq(p_field(st, "nnp"), 1);
    ck_assert_int_eq(p_field(st, "seccomp"), 0);
    /* Again as a non-zero uid, through a second exec. */
    nsbox_free(box);
    box = p_box(_i, true);
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "exec", PRIV_HELPER, "status", NULL), 0);
    assert_no_caps(st, 0);
    ck_assert_int_eq(p_field(st, "uid"), P_UNPRIV(_i));
    nsbox_free(box);
}
END_TEST

/* Without any namespace: root's command has nothing; nobody holds nothing
 * to drop, and its bounding set stays (the documented exception). */
START_TEST(test_default_no_namespace)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char st[512];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
    assert_no_caps(st, _i == 0 ? 0 : p_own_caps("CapBnd"));
    ck_assert_int_eq(p_field(st, "nnp"), 1);
    ck_assert_int_eq(p_field(st, "uid"), _i == 0 ? 0 : NOBODY);
    nsbox_free(box);
}
END_TEST

/* A kept capability is in every set, also for a non-zero uid and after a
 * second exec (the ambient set). */
START_TEST(test_keep_one_nonzero_uid)
{
    t_as(_i);
    nsbox *box = p_box(_i, true);
    ck_assert_int_eq(nsbox_add_cap(box, "cap_net_bind_service"), 0);
    char st[512];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "exec", PRIV_HELPER, "status", NULL), 0);
    ck_assert_int_eq(p_field(st, "uid"), P_UNPRIV(_i));
    static const char *const sets[] = {"inh", "prm", "eff", "amb", "bnd"};
    for (int k = 0; k < 5; k++)
        ck_assert_msg(p_field(st, sets[k]) == CAP_NET_BIND_SERVICE_BIT, "%s: %s", sets[k], st);
    nsbox_free(box);
}
END_TEST

START_TEST(test_all_but_one)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_cap(box, "ALL"), 0);
    ck_assert_int_eq(nsbox_drop_cap(box, "SYS_ADMIN"), 0);
    char st[512];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
    uint64_t want = p_all_caps() & ~CAP_SYS_ADMIN_BIT;
    ck_assert_msg(p_field(st, "eff") == want && p_field(st, "bnd") == want, "%s", st);
    /* Order matters: a later ALL drop empties the set again. */
    ck_assert_int_eq(nsbox_drop_cap(box, "all"), 0);
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
    assert_no_caps(st, 0);
    nsbox_free(box);
}
END_TEST

START_TEST(test_names)
{
    nsbox *box = nsbox_new();
    static const char *const good[] = {"cap_net_raw", "CAP_NET_RAW", "net_raw", "Net_Raw",
                                       "all",         "ALL",         "13"};
    for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
        ck_assert_msg(nsbox_add_cap(box, good[k]) == 0, "%s: %s", good[k], nsbox_errmsg(box));
        ck_assert_int_eq(nsbox_drop_cap(box, good[k]), 0);
    }
    static const char *const bad[] = {"cap_bogus", "bogus", "cap_", "net raw"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        ck_assert_int_eq(nsbox_add_cap(box, bad[k]), -EINVAL);
        ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), bad[k]));
        ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "unknown name"));
        ck_assert_int_eq(nsbox_drop_cap(box, bad[k]), -EINVAL);
        ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), bad[k]));
    }
    ck_assert_int_eq(nsbox_add_cap(box, NULL), -EINVAL);
    ck_assert_int_eq(nsbox_add_cap(box, ""), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "empty name"));
    ck_assert_int_eq(nsbox_add_cap(NULL, "all"), -EINVAL);
    nsbox_free(box);
}
END_TEST

/* A number libcap accepts but this kernel does not know: refused at spawn,
 * nothing left behind. */
START_TEST(test_unknown_to_kernel)
{
    t_as(_i);
    ck_assert_msg(p_all_caps() != ~(uint64_t)0, "a kernel with 64 capabilities: update the test");
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_cap(box, "63"), 0);
    int fds = t_count_fds(), children = t_count_children();
    char out[64];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "not known to this kernel"));
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), children);
    nsbox_free(box);
}
END_TEST

/* Nobody without a user namespace holds no capability: one asked for by
 * name fails the spawn, "ALL" means what is held (nothing). */
START_TEST(test_named_not_held)
{
    t_as(1);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_cap(box, "net_bind_service"), 0);
    int fds = t_count_fds(), children = t_count_children();
    char st[512];
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), -EPERM);
    const char *msg = nsbox_errmsg(box);
    ck_assert_ptr_nonnull(strstr(msg, "keep capability cap_net_bind_service"));
    ck_assert_ptr_nonnull(strstr(msg, "does not hold it"));
    ck_assert_ptr_nonnull(strstr(msg, "Operation not permitted"));
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), children);
    ck_assert_int_eq(nsbox_drop_cap(box, "all"), 0);
    ck_assert_int_eq(nsbox_add_cap(box, "all"), 0);
    ck_assert_int_eq(p_helper(box, st, sizeof(st), "status", NULL), 0);
    assert_no_caps(st, p_own_caps("CapBnd"));
    nsbox_free(box);
}
END_TEST

/* Without no_new_privs, a process without capabilities cannot drop its
 * bounding set: the spawn fails rather than let a setuid binary regain it.
 * Root (no namespace either) drops it and runs. */
START_TEST(test_new_privs_without_caps)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_ALLOW_NEW_PRIVS), 0);
    char st[512];
    int r = p_helper(box, st, sizeof(st), "status", NULL);
    if (_i == 1) {
        ck_assert_int_eq(r, -EPERM);
        ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "from the bounding set"));
        ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "NSBOX_ALLOW_NEW_PRIVS"));
    } else {
        ck_assert_int_eq(r, 0);
        assert_no_caps(st, 0);
        ck_assert_int_eq(p_field(st, "nnp"), 0);
    }
    nsbox_free(box);
}
END_TEST

START_TEST(test_seccomp_validation)
{
    nsbox *box = nsbox_new();
    struct sock_filter f[P_DENY_INSNS];
    size_t len = p_deny(SYS_uname, EXFULL, f);
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, NULL, 8), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "not NULL"));
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, f, len - 1), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "seccomp filter of 55 bytes"));
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, f, 0), -EINVAL);
    size_t big = 4097 * sizeof(struct sock_filter);
    struct sock_filter *huge = calloc(4097, sizeof(*huge));
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, huge, big), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "1 to 4096 instructions"));
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, huge, big - sizeof(*huge)), 0);
    free(huge);
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, NULL, 0), 0);
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, NULL, 0), 0);
    ck_assert_int_eq(nsbox_set_seccomp_filter(NULL, f, len), -EINVAL);
    nsbox_free(box);
}
END_TEST

/* The filter is a copy, installed last: uname fails with its errno, the
 * rest works. */
START_TEST(test_seccomp_errno)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    struct sock_filter f[P_DENY_INSNS];
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, f, p_deny(SYS_uname, EXFULL, f)), 0);
    memset(f, 0xff, sizeof(f));
    char out[512];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "uname", NULL), 0);
    ck_assert_str_eq(out, "EXFULL");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), 0);
    ck_assert_int_eq(p_field(out, "seccomp"), SECCOMP_MODE_FILTER);
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, NULL, 0), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "uname", NULL), 0);
    ck_assert_str_eq(out, "ok");
    nsbox_free(box);
}
END_TEST

/* Without no_new_privs the kernel wants CAP_SYS_ADMIN for a filter: it
 * goes in before the capabilities are dropped (OCI's noNewPrivileges
 * false, as runc does), so the command filtered holds none and runs
 * without no_new_privs; and with the capability kept as well. */
START_TEST(test_seccomp_without_nnp)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    struct sock_filter f[P_DENY_INSNS];
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, f, p_deny(SYS_uname, EXFULL, f)), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_ALLOW_NEW_PRIVS), 0);
    char out[512];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "uname", NULL), 0);
    ck_assert_str_eq(out, "EXFULL");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), 0);
    ck_assert_int_eq(p_field(out, "seccomp"), SECCOMP_MODE_FILTER);
    ck_assert_int_eq(p_field(out, "nnp"), 0);
    ck_assert_int_eq(p_field(out, "eff"), 0);
    ck_assert_int_eq(nsbox_add_cap(box, "cap_sys_admin"), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "uname", NULL), 0);
    ck_assert_str_eq(out, "EXFULL");
    nsbox_free(box);
}
END_TEST

/* A program the kernel rejects (no return at the end) fails the spawn. */
START_TEST(test_seccomp_rejected)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    struct sock_filter f[1] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, f, sizeof(f)), 0);
    int fds = t_count_fds(), children = t_count_children();
    char out[64];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "the kernel rejected the BPF program"));
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), children);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    if (prctl(PR_GET_SECCOMP) < 0) {
        printf("skip: this kernel has no seccomp (prctl PR_GET_SECCOMP: %m)\n");
        return 77;
    }
    Suite *s = suite_create("caps");
    TCase *tc = tcase_create("capabilities");
    tcase_add_loop_test(tc, test_default_userns, 0, 2);
    tcase_add_loop_test(tc, test_default_no_namespace, 0, 2);
    tcase_add_loop_test(tc, test_keep_one_nonzero_uid, 0, 2);
    tcase_add_loop_test(tc, test_all_but_one, 0, 2);
    tcase_add_test(tc, test_names);
    tcase_add_loop_test(tc, test_unknown_to_kernel, 0, 2);
    tcase_add_test(tc, test_named_not_held);
    tcase_add_loop_test(tc, test_new_privs_without_caps, 0, 2);
    suite_add_tcase(s, tc);
    tc = tcase_create("seccomp");
    tcase_add_test(tc, test_seccomp_validation);
    tcase_add_loop_test(tc, test_seccomp_errno, 0, 2);
    tcase_add_loop_test(tc, test_seccomp_without_nnp, 0, 2);
    tcase_add_loop_test(tc, test_seccomp_rejected, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
