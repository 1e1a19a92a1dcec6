/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device rules (nsbox_add_device_rule, issue 16): the devices controller
 * decides which device nodes the command may open or make, whatever nodes
 * its mounts hold. From inside a sandbox that runs as host root with
 * CAP_MKNOD kept (no user namespace, no seccomp): a node the rules deny
 * (the host's /dev/zero, 1:5, and one the library made at spawn) cannot
 * be opened, an allowed one (/dev/null, 1:3) can, and mknod needs 'm';
 * the control, the same sandbox without rules, opens and makes them all.
 * As nobody, who cannot program the controller, the spawn fails with
 * -EPERM naming it, leaving nothing. On the host's cgroup v1 and in the
 * v2 guest (a BPF program). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cgtestlib.h"
#include "privtest.h"
#include "testlib.h"

/* The named cgroups of test_named_cgroup_joined. */
#define DEVTEST_PREFIX "nsbox-devtest-"

/* Host root, in a mount namespace with a tmpfs on /mnt that allows device
 * nodes, keeping CAP_MKNOD and CAP_DAC_OVERRIDE alone (cap_sys_admin would
 * need advisory limits), and a node 1:5 the spawn makes there. */
static nsbox *dev_box(void)
{
    nsbox *box = cg_box(0);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/mnt", MS_NOSUID, "mode=755"), 0);
    ck_assert_int_eq(nsbox_add_device(box, "/mnt/zero", 'c', 1, 5, 0666, 0, 0), 0);
    uint64_t caps = BIT(CAP_MKNOD) | BIT(CAP_DAC_OVERRIDE);
    for (int set = NSBOX_CAPS_BOUNDING; set <= NSBOX_CAPS_PERMITTED; set++)
        ck_assert_int_eq(nsbox_set_caps(box, set, caps), 0);
    return box;
}

/* One attempt inside box: priv-helper's output ("ok", "EPERM"). */
static const char *attempt(nsbox *box, char *out, size_t size, const char *cmd, const char *path,
                           const char *major, const char *minor)
{
    int st = p_helper(box, out, size, cmd, path, major, minor, NULL);
    ck_assert_msg(st == 0, "%s %s: status %d (%s)", cmd, path, st, nsbox_errmsg(box));
    return out;
}

/* Allow /dev/null (read and write, no mknod) and the making of 1:5 (the
 * spawn makes /mnt/zero inside the sandbox's cgroup, where the rules
 * apply, as an OCI runtime's list allows its linux.devices): /dev/zero and
 * the node made at spawn cannot be opened, and 1:3 cannot be made.
 * Control: no rules, all work. */
START_TEST(test_deny_open_and_mknod)
{
    char out[128];
    for (int rules = 0; rules < 2; rules++) {
        nsbox *box = dev_box();
        if (rules) {
            ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'c', 1, 3, "rw"), 0);
            ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'c', 1, 5, "m"), 0);
        }
        const char *want = rules ? "EPERM" : "ok";
        ck_assert_str_eq(attempt(box, out, sizeof(out), "rw", "/dev/null", NULL, NULL), "ok");
        ck_assert_str_eq(attempt(box, out, sizeof(out), "read", "/dev/zero", NULL, NULL), want);
        ck_assert_str_eq(attempt(box, out, sizeof(out), "rw", "/dev/zero", NULL, NULL), want);
        ck_assert_str_eq(attempt(box, out, sizeof(out), "read", "/mnt/zero", NULL, NULL), want);
        ck_assert_str_eq(attempt(box, out, sizeof(out), "mknod", "/mnt/null", "1", "3"), want);
        nsbox_free(box);
    }
}
END_TEST

/* 'm' for 1:3 and 1:5 alone: the sandbox makes a null node but no full
 * one (1:7), and can open neither null nor zero for reading (no 'r'). */
START_TEST(test_mknod_access)
{
    char out[128];
    nsbox *box = dev_box();
    ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'c', 1, 3, "m"), 0);
    ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'c', 1, 5, "m"), 0);
    ck_assert_str_eq(attempt(box, out, sizeof(out), "mknod", "/mnt/null", "1", "3"), "ok");
    ck_assert_str_eq(attempt(box, out, sizeof(out), "mknod", "/mnt/full", "1", "7"), "EPERM");
    ck_assert_str_eq(attempt(box, out, sizeof(out), "read", "/dev/null", NULL, NULL), "EPERM");
    ck_assert_str_eq(attempt(box, out, sizeof(out), "read", "/mnt/zero", NULL, NULL), "EPERM");
    nsbox_free(box);
}
END_TEST

/* Rules apply in order, the last match deciding: everything allowed, then
 * 1:5 denied for reading; /dev/zero cannot be read, /dev/null can; a
 * later allow of 1:5 read gives it back. */
START_TEST(test_rule_order)
{
    char out[128];
    for (int again = 0; again < 2; again++) {
        nsbox *box = dev_box();
        ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'a', -1, -1, "rwm"), 0);
        ck_assert_int_eq(nsbox_add_device_rule(box, 0, 'c', 1, 5, "r"), 0);
        if (again)
            ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'c', 1, 5, "r"), 0);
        ck_assert_str_eq(attempt(box, out, sizeof(out), "read", "/dev/zero", NULL, NULL),
                         again ? "ok" : "EPERM");
        ck_assert_str_eq(attempt(box, out, sizeof(out), "read", "/dev/null", NULL, NULL), "ok");
        nsbox_free(box);
    }
}
END_TEST

/* A rule of type 'a' with numbers (v1: written as a 'b' and a 'c' rule):
 * allow any type 1:3 read and write; 1:5 stays denied. */
START_TEST(test_any_type_rule)
{
    char out[128];
    nsbox *box = dev_box();
    ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'a', 1, 3, "rw"), 0);
    ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'c', 1, 5, "m"), 0);
    ck_assert_str_eq(attempt(box, out, sizeof(out), "rw", "/dev/null", NULL, NULL), "ok");
    ck_assert_str_eq(attempt(box, out, sizeof(out), "read", "/dev/zero", NULL, NULL), "EPERM");
    nsbox_free(box);
}
END_TEST

/* A sandbox that joins a named cgroup holding rules (nsbox-oci exec into
 * a running container) is bound by them: it makes no devices directory
 * of its own, it joins the owner's. */
START_TEST(test_named_cgroup_joined)
{
    char out[128], path[64];
    snprintf(path, sizeof(path), DEVTEST_PREFIX "%d", (int)getpid());
    nsbox *owner = dev_box();
    ck_assert_int_eq(nsbox_set_cgroup_path(owner, path), 0);
    ck_assert_int_eq(nsbox_add_device_rule(owner, 1, 'c', 1, 3, "rw"), 0);
    ck_assert_int_eq(nsbox_add_device_rule(owner, 1, 'c', 1, 5, "m"), 0);
    nsbox_proc *p;
    char *argv[] = {"sleep", "1000", NULL};
    ck_assert_msg(nsbox_spawn(owner, argv, &p) == 0, "%s", nsbox_errmsg(owner));
    nsbox *guest = dev_box();
    ck_assert_int_eq(nsbox_set_cgroup_path(guest, path), 0);
    ck_assert_str_eq(attempt(guest, out, sizeof(out), "read", "/dev/zero", NULL, NULL), "EPERM");
    ck_assert_str_eq(attempt(guest, out, sizeof(out), "rw", "/dev/null", NULL, NULL), "ok");
    nsbox_free(guest);
    ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
    ck_assert_int_eq(nsbox_wait(p, -1), 128 + SIGKILL);
    nsbox_proc_free(p);
    nsbox_free(owner);
    ck_assert_int_eq(count_cgroups_named(path), 0);
}
END_TEST

/* A caller without CAP_SYS_ADMIN (nobody with a delegated parent): the
 * spawn fails with -EPERM naming the devices controller, and leaves no
 * cgroup, fd or child. Control: the same recipe without rules runs. */
START_TEST(test_nobody_refused)
{
    int rules = _i;
    {
        nsbox *box = cg_box(1);
        int fds = t_count_fds();
        if (rules)
            ck_assert_int_eq(nsbox_add_device_rule(box, 1, 'c', 1, 3, "rwm"), 0);
        char *argv[] = {"true", NULL};
        int rc = nsbox_run(box, argv);
        if (rules) {
            ck_assert_int_eq(rc, -EPERM);
            ck_assert_msg(strstr(nsbox_errmsg(box), "devices controller"), "%s", nsbox_errmsg(box));
        } else {
            ck_assert_msg(rc == 0, "%s", nsbox_errmsg(box));
        }
        assert_nothing_left(fds);
        nsbox_free(box);
    }
}
END_TEST

/* Bad rules are refused at the call, naming the value, and leave no rule:
 * the sandbox then runs without a devices cgroup (it opens /dev/zero). */
START_TEST(test_bad_rules)
{
    nsbox *box = dev_box();
    static const struct {
        char type;
        int64_t major, minor;
        const char *access, *named;
    } bad[] = {
        {'x', 1, 3, "rw", "'x'"},          {'c', 4096, 3, "rw", "4096"}, {'c', -2, 3, "rw", "-2"},
        {'b', 1, 1048576, "r", "1048576"}, {'c', 1, 3, "rwx", "rwx"},    {'c', 1, 3, "", "\"\""},
        {'c', 1, 3, NULL, "(null)"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        ck_assert_int_eq(
            nsbox_add_device_rule(box, 1, bad[k].type, bad[k].major, bad[k].minor, bad[k].access),
            -EINVAL);
        ck_assert_msg(strstr(nsbox_errmsg(box), bad[k].named), "%zu: %s", k, nsbox_errmsg(box));
    }
    char out[128];
    ck_assert_str_eq(attempt(box, out, sizeof(out), "read", "/dev/zero", NULL, NULL), "ok");
    nsbox_free(box);
}
END_TEST

static void cleanup(void)
{
    /* a failed test_named_cgroup_joined leaves its named cgroup */
    cg_dirs_remove_named(DEVTEST_PREFIX);
    cg_test_dirs_remove();
}

int main(void)
{
    if (geteuid() != 0) {
        printf("devices: needs root (host root with CAP_MKNOD inside, and nobody)\n");
        return 77;
    }
    Suite *s = suite_create("devices");
    TCase *tc = tcase_create("devices");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, NULL, cleanup);
    tcase_add_test(tc, test_deny_open_and_mknod);
    tcase_add_test(tc, test_mknod_access);
    tcase_add_test(tc, test_rule_order);
    tcase_add_test(tc, test_any_type_rule);
    tcase_add_test(tc, test_named_cgroup_joined);
    tcase_add_loop_test(tc, test_nobody_refused, 0, 2);
    tcase_add_test(tc, test_bad_rules);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
