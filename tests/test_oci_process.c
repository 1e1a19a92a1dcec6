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
#include <sys/utsname.h>
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

/* Reads one line of a file of this process. */
static void read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "re");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(buf, (int)size, f));
    fclose(f);
}

#define GROUPS "set -- $(sed -n 's/^Groups://p' /proc/self/status); echo \"$@\""

/* additionalGids: root's maps (0 and 1000) and root without a user
 * namespace take them; nobody's own map denies setgroups (refused with
 * the reason before anything starts). */
START_TEST(test_groups)
{
    t_as(_i);
    nsbox *box = p_box(_i, true);
    gid_t gids[] = {1000, 0};
    ck_assert_int_eq(nsbox_set_groups(box, gids, 2), 0);
    char out[256];
    int r = t_sh(box, GROUPS, out, sizeof(out));
    if (_i == 0) {
        ck_assert_msg(r == 0, "%s", nsbox_errmsg(box));
        ck_assert_str_eq(out, "0 1000\n");
    } else {
        ck_assert_int_eq(r, -EPERM);
        ck_assert_msg(strstr(nsbox_errmsg(box), "groups: the user namespace denies setgroups"),
                      "%s", nsbox_errmsg(box));
        ck_assert_int_eq(t_count_children(), 0);
    }
    nsbox_free(box);
    if (_i)
        return;
    box = nsbox_new(); /* root, no user namespace: host ids */
    ck_assert_int_eq(nsbox_set_user(box, 1000, 1000), 0);
    gid_t more[] = {5, 100, 4};
    ck_assert_int_eq(nsbox_set_groups(box, more, 3), 0);
    ck_assert_int_eq(t_sh(box, GROUPS, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "4 5 100\n");
    /* n 0 goes back to none */
    ck_assert_int_eq(nsbox_set_groups(box, NULL, 0), 0);
    ck_assert_int_eq(t_sh(box, GROUPS, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "\n");
    nsbox_free(box);
    /* an unmapped gid fails the spawn, naming why */
    box = p_box(0, true);
    gid_t unmapped[] = {4242};
    ck_assert_int_eq(nsbox_set_groups(box, unmapped, 1), 0);
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "set 1 supplementary groups: Invalid argument (a gid is "
                                        "not mapped in the user namespace)");
    nsbox_free(box);
}
END_TEST

START_TEST(test_umask)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/tmp", 0, 01777), 0);
    ck_assert_int_eq(nsbox_set_umask(box, 027), 0);
    char out[256];
    ck_assert_int_eq(
        t_sh(box, "umask; touch /tmp/f; mkdir /tmp/d; stat -c %a /tmp/f /tmp/d", out, sizeof(out)),
        0);
    ck_assert_str_eq(out, "0027\n640\n750\n");
    nsbox_free(box);
}
END_TEST

/* Raising is allowed to everyone; lowering needs CAP_SYS_RESOURCE of the
 * host: root has it, nobody gets EACCES with the reason. */
/* Before Linux 6.15 a monitor watches a command without a PID namespace
 * of its own: it is not the first process then. */
static bool kernel_before_6_15(void)
{
    struct utsname u;
    unsigned major = 0, minor = 0;
    ck_assert_int_eq(uname(&u), 0);
    ck_assert_int_eq(sscanf(u.release, "%u.%u", &major, &minor), 2);
    return major < 6 || (major == 6 && minor < 15);
}

/* The shell reads its own value through /proc/self: as PID 1 of a new PID
 * namespace without a /proc of its own, /proc/$$ would be the host's init. */
#define OOM_WAIT(v)                                                                                \
    "i=0; while read o </proc/self/oom_score_adj; [ \"$o\" != " v " ] && [ $i -lt 200 ]; do "      \
    "sleep 0.01; i=$((i+1)); done; echo \"$o\""

START_TEST(test_oom_score_adj)
{
    t_as(_i);
    char own[32];
    read_line("/proc/self/oom_score_adj", own, sizeof(own));
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_oom_score_adj(box, 500), 0);
    char out[256];
    if (kernel_before_6_15()) {
        ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EINVAL);
        ck_assert_msg(strstr(nsbox_errmsg(box), "the command must be the sandbox's first process"),
                      "%s", nsbox_errmsg(box));
        nsbox_free(box);
        box = p_box(_i, false); /* as PID 1 of its own PID namespace it is */
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
        ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1), 0);
        ck_assert_int_eq(nsbox_set_oom_score_adj(box, 500), 0);
    }
    /* The caller writes the value just after the exec (nsbox_set_oom_score_adj(3)):
     * the shell waits for it up to 2 s, then prints its own. */
    ck_assert_int_eq(t_sh(box, OOM_WAIT("500"), out, sizeof(out)), 0);
    ck_assert_str_eq(out, "500\n");
    ck_assert_int_eq(nsbox_set_oom_score_adj(box, -500), 0);
    int r = t_sh(box, OOM_WAIT("-500"), out, sizeof(out));
    if (p_own_caps("CapEff") & BIT(24)) { /* CAP_SYS_RESOURCE */
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(out, "-500\n");
    } else { /* nobody, or a root without it (in a container) */
        ck_assert_int_eq(r, -EACCES);
        ck_assert_str_eq(nsbox_errmsg(box), "oom_score_adj -500: Permission denied (lowering it "
                                            "needs CAP_SYS_RESOURCE of the host)");
        ck_assert_int_eq(t_count_children(), 0);
    }
    char after[32];
    read_line("/proc/self/oom_score_adj", after, sizeof(after));
    ck_assert_str_eq(own, after); /* the caller's own is untouched */
    ck_assert_int_eq(nsbox_set_oom_score_adj(box, 1001), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "oom_score_adj 1001: outside -1000..1000");
    nsbox_free(box);
    /* as PID 1 of its PID namespace the command is still the first process */
    box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1), 0);
    ck_assert_int_eq(nsbox_set_oom_score_adj(box, 300), 0);
    ck_assert_int_eq(t_sh(box, "echo $$; " OOM_WAIT("300"), out, sizeof(out)), 0);
    ck_assert_str_eq(out, "1\n300\n");
    /* with the init helper as PID 1 it is not: refused */
    ck_assert_int_eq(nsbox_set_flags(box, 0), 0);
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EINVAL);
    ck_assert_msg(strstr(nsbox_errmsg(box), "the command must be the sandbox's first process"),
                  "%s", nsbox_errmsg(box));
    nsbox_free(box);
}
END_TEST

START_TEST(test_domainname)
{
    t_as(_i);
    char host[128];
    read_line("/proc/sys/kernel/domainname", host, sizeof(host));
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_set_domainname(box, "example.org"), 0);
    char out[256];
    ck_assert_int_eq(t_sh(box, "cat /proc/sys/kernel/domainname", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "example.org\n");
    char after[128];
    read_line("/proc/sys/kernel/domainname", after, sizeof(after));
    ck_assert_str_eq(host, after);
    ck_assert_int_eq(nsbox_set_domainname(box, ""), -EINVAL);
    ck_assert_int_eq(
        nsbox_set_domainname(box, "0123456789012345678901234567890123456789012345678901234567890123"
                                  "4"),
        -EINVAL);
    nsbox_free(box);
}
END_TEST

#define SYSCTL_READ                                                                                \
    "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max "       \
    "/proc/sys/kernel/domainname /proc/sys/net/ipv4/conf/lo/forwarding"

/* Namespaced keys land in the sandbox's own namespaces; the caller's
 * (the host's) settings stay as they were. */
START_TEST(test_sysctl)
{
    t_as(_i);
    char fwd[32], shm[32];
    read_line("/proc/sys/net/ipv4/ip_forward", fwd, sizeof(fwd));
    read_line("/proc/sys/kernel/shmmni", shm, sizeof(shm));
    nsbox *box = nsbox_new();
    /* the IPC keys' files belong to uid 0 of the user namespace: mapped */
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, _i ? NOBODY : 0, 1), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, 0, _i ? NOBODY : 0, 1), 0);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_NET | NSBOX_NS_IPC | NSBOX_NS_UTS), 0);
    ck_assert_int_eq(nsbox_set_sysctl(box, "net.ipv4.ip_forward", "0"), 0);
    ck_assert_int_eq(nsbox_set_sysctl(box, "net.ipv4.ip_forward", "1"), 0); /* replaces */
    ck_assert_int_eq(nsbox_set_sysctl(box, "kernel.shmmni", "1234"), 0);
    ck_assert_int_eq(nsbox_set_sysctl(box, "fs.mqueue.msg_max", "20"), 0);
    ck_assert_int_eq(nsbox_set_sysctl(box, "kernel.domainname", "sysctl.example"), 0);
    ck_assert_int_eq(nsbox_set_sysctl(box, "net/ipv4/conf/lo/forwarding", "1"), 0);
    char out[256];
    int r = t_sh(box, SYSCTL_READ, out, sizeof(out));
    ck_assert_msg(r == 0, "%d %s", r, nsbox_errmsg(box));
    ck_assert_str_eq(out, "1\n1234\n20\nsysctl.example\n1\n");
    char after[32];
    read_line("/proc/sys/net/ipv4/ip_forward", after, sizeof(after));
    ck_assert_str_eq(fwd, after);
    read_line("/proc/sys/kernel/shmmni", after, sizeof(after));
    ck_assert_str_eq(shm, after);
    /* a key this kernel does not keep in a new network namespace */
    ck_assert_int_eq(nsbox_set_sysctl(box, "net.core.no_such_key", "1"), 0);
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -ENOENT);
    ck_assert_str_eq(nsbox_errmsg(box), "sysctl net.core.no_such_key=1: No such file or directory");
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
    if (!_i)
        return;
    /* nobody's own map alone: the kernel refuses the IPC keys (said why) */
    box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_IPC), 0);
    ck_assert_int_eq(nsbox_set_sysctl(box, "kernel.shmmni", "1234"), 0);
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EACCES);
    ck_assert_str_eq(nsbox_errmsg(box), "sysctl kernel.shmmni=1234: Permission denied (the kernel "
                                        "lets only uid 0 of the sandbox's user namespace write "
                                        "it: map 0)");
    nsbox_free(box);
}
END_TEST

/* Keys that would reach the caller's or the host's settings. */
START_TEST(test_sysctl_refused)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    static const char *const host_keys[] = {"kernel.core_pattern", "vm.overcommit_memory",
                                            "kernel/modprobe", "user.max_user_namespaces",
                                            "kernel.shmmni.x"};
    for (size_t k = 0; k < sizeof(host_keys) / sizeof(host_keys[0]); k++) {
        ck_assert_int_eq(nsbox_set_sysctl(box, host_keys[k], "1"), -EINVAL);
        ck_assert_msg(strstr(nsbox_errmsg(box), "not kept per namespace"), "%s", nsbox_errmsg(box));
    }
    /* a way out of net/: refused as a key before any lookup */
    static const char *const bad[] = {
        "net/../kernel/core_pattern", "net..ipv4", "net.ipv4.", "net/ipv4//x", "net.ipv4 .x", ""};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
        ck_assert_msg(nsbox_set_sysctl(box, bad[k], "1") == -EINVAL, "%s", bad[k]);
    ck_assert_int_eq(nsbox_set_sysctl(box, "net.ipv4.ip_forward", "1\n2"), -EINVAL);
    ck_assert_int_eq(nsbox_set_sysctl(box, "net.ipv4.ip_forward", NULL), -EINVAL);
    /* net.* without a network namespace of the sandbox's own */
    ck_assert_int_eq(nsbox_set_sysctl(box, "net.ipv4.ip_forward", "1"), 0);
    char out[64];
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box),
                     "sysctl net.ipv4.ip_forward: needs a net namespace of the sandbox's own (new, "
                     "or joined), else it would change the caller's setting");
    nsbox_free(box);
    /* joining the caller's own network namespace: refused */
    box = p_box(_i, false);
    int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(own, 0);
    ck_assert_int_eq(nsbox_join_namespace(box, NSBOX_NS_NET, own), 0);
    close(own);
    ck_assert_int_eq(nsbox_set_sysctl(box, "net.ipv4.ip_forward", "1"), 0);
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "sysctl net.ipv4.ip_forward: the joined net namespace is "
                                        "the caller's own, whose setting it would change");
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
}
END_TEST

/* The control of the joined check: a network namespace of another
 * sandbox (joined by pidfd, with its user namespace) takes the key, and
 * that sandbox sees it. */
START_TEST(test_sysctl_joined_other)
{
    t_as(_i);
    nsbox *first = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(first, NSBOX_NS_NET), 0);
    int pipefd[2];
    ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(first, pipefd[0], -1, -1), 0);
    char *argv[] = {"/bin/sh", "-c", "read x; cat /proc/sys/net/ipv4/ip_forward", NULL};
    nsbox_proc *proc;
    ck_assert_int_eq(nsbox_spawn(first, argv, &proc), 0);
    close(pipefd[0]);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(
        nsbox_join_namespace(box, NSBOX_NS_USER | NSBOX_NS_NET, nsbox_proc_pidfd(proc)), 0);
    ck_assert_int_eq(nsbox_set_sysctl(box, "net.ipv4.ip_forward", "1"), 0);
    char out[64];
    int r = t_sh(box, "cat /proc/sys/net/ipv4/ip_forward", out, sizeof(out));
    ck_assert_msg(r == 0, "%d %s", r, nsbox_errmsg(box));
    ck_assert_str_eq(out, "1\n");
    ck_assert_int_eq(write(pipefd[1], "\n", 1), 1);
    close(pipefd[1]);
    ck_assert_int_eq(nsbox_wait(proc, -1), 0);
    nsbox_proc_free(proc);
    nsbox_free(box);
    nsbox_free(first);
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
    tcase_add_loop_test(tc, test_groups, 0, 2);
    tcase_add_loop_test(tc, test_umask, 0, 2);
    tcase_add_loop_test(tc, test_oom_score_adj, 0, 2);
    tcase_add_loop_test(tc, test_domainname, 0, 2);
    tcase_add_loop_test(tc, test_sysctl, 0, 2);
    tcase_add_loop_test(tc, test_sysctl_refused, 0, 2);
    tcase_add_loop_test(tc, test_sysctl_joined_other, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
