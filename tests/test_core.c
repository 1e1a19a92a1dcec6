/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core: each namespace kind alone and together, maps, joining; looked at
 * from inside the sandbox, as root (loop index 0) and as nobody (1). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "testlib.h"

static const struct {
    unsigned ns;
    const char *name;
} kinds[] = {
    {NSBOX_NS_USER, "user"},     {NSBOX_NS_PID, "pid_for_children"},
    {NSBOX_NS_MOUNT, "mnt"},     {NSBOX_NS_UTS, "uts"},
    {NSBOX_NS_IPC, "ipc"},       {NSBOX_NS_NET, "net"},
    {NSBOX_NS_CGROUP, "cgroup"}, {NSBOX_NS_TIME, "time_for_children"},
};

/* The inode of /proc/self/ns/<kind> as the sandboxed command sees it. */
static unsigned long inside_inode(nsbox *box, const char *kind)
{
    char script[128], out[64];
    /* pid and time apply to children: the command itself is such a child */
    const char *own = strcmp(kind, "pid_for_children") == 0    ? "pid"
                      : strcmp(kind, "time_for_children") == 0 ? "time"
                                                               : kind;
    snprintf(script, sizeof(script), "stat -L -c %%i /proc/self/ns/%s", own);
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    return strtoul(out, NULL, 10);
}

/* Each kind alone: only its inode differs from the caller's (an
 * unprivileged caller gets a user namespace too). */
START_TEST(test_each_namespace_alone)
{
    t_as(_i / 8);
    int k = _i % 8;
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, kinds[k].ns), 0);
    for (size_t j = 0; j < 8; j++) {
        unsigned long outside = t_ns_inode(kinds[j].name);
        unsigned long inside = inside_inode(box, kinds[j].name);
        bool expect_new = j == (size_t)k || (kinds[j].ns == NSBOX_NS_USER && geteuid() != 0);
        if (expect_new)
            ck_assert_msg(inside != outside, "%s: namespace %s not new", kinds[k].name,
                          kinds[j].name);
        else
            ck_assert_msg(inside == outside, "%s: namespace %s changed", kinds[k].name,
                          kinds[j].name);
    }
    nsbox_free(box);
}
END_TEST

START_TEST(test_all_namespaces)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_ALL), 0);
    for (size_t j = 0; j < 8; j++)
        ck_assert_uint_ne(inside_inode(box, kinds[j].name), t_ns_inode(kinds[j].name));
    nsbox_free(box);
}
END_TEST

START_TEST(test_pid1)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[256];
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    /* default: init is PID 1, the command PID 2, its parent the init */
    ck_assert_int_eq(t_sh(box, "echo $$ $PPID", out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "2 1");
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1), 0);
    ck_assert_int_eq(t_sh(box, "echo $$ $PPID", out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "1 0");
    nsbox_free(box);
}
END_TEST

START_TEST(test_hostname)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[256], host[256];
    ck_assert_int_eq(nsbox_set_hostname(box, "sandbox-1"), 0);
    ck_assert_int_eq(t_sh(box, "hostname; cat /proc/sys/kernel/hostname", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "sandbox-1\nsandbox-1\n");
    gethostname(host, sizeof(host));
    ck_assert_str_ne(host, "sandbox-1");
    nsbox_free(box);
}
END_TEST

START_TEST(test_default_maps)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[256], want[256];
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER), 0);
    ck_assert_int_eq(
        t_sh(box, "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g", out, sizeof(out)), 0);
    unsigned u = geteuid(), g = getegid();
    snprintf(want, sizeof(want), "%10u %10u %10u\n%10u %10u %10u\n%u\n%u\n", u, u, 1u, g, g, 1u, u,
             g);
    ck_assert_str_eq(out, want);
    /* nsbox_set_user without maps maps the chosen ids to the caller's */
    ck_assert_int_eq(nsbox_set_user(box, 0, 0), 0);
    ck_assert_int_eq(t_sh(box, "cat /proc/self/uid_map; id -u; id -g", out, sizeof(out)), 0);
    snprintf(want, sizeof(want), "%10u %10u %10u\n0\n0\n", 0u, u, 1u);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(t_sh(box, "cat /proc/self/setgroups", out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), geteuid() == 0 ? "allow" : "deny");
    nsbox_free(box);
}
END_TEST

START_TEST(test_multi_range_maps_root)
{
    nsbox *box = nsbox_new();
    char out[512];
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, 100000, 1000), 0);
    ck_assert_int_eq(nsbox_add_uid_map(box, 1000, 0, 1), 0);
    ck_assert_int_eq(nsbox_add_uid_map(box, 1001, 101001, 64535), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, 0, 200000, 65536), 0);
    ck_assert_int_eq(nsbox_set_user(box, 1000, 5), 0);
    ck_assert_int_eq(
        t_sh(box, "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "         0     100000       1000\n"
                          "      1000          0          1\n"
                          "      1001     101001      64535\n"
                          "         0     200000      65536\n"
                          "1000\n5\n");
    nsbox_free(box);
}
END_TEST

START_TEST(test_net_only_lo)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[1024];
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_NET), 0);
    ck_assert_int_eq(
        t_sh(box, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "lo\n");
    ck_assert_int_eq(t_sh(box, "ip -o link show lo", out, sizeof(out)), 0);
    ck_assert_msg(strstr(out, "<LOOPBACK,UP,LOWER_UP>"), "lo not up: %s", out);
    nsbox_free(box);
}
END_TEST

START_TEST(test_ipc_isolated)
{
    t_as(_i);
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    ck_assert_int_ge(id, 0);
    char script[128], out[256];
    snprintf(script, sizeof(script), "awk '$2 == %d' /proc/sysvipc/shm | wc -l", id);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "1"); /* visible without an IPC namespace */
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_IPC), 0);
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "0");
    shmctl(id, IPC_RMID, NULL);
    nsbox_free(box);
}
END_TEST

START_TEST(test_cgroup_ns_root)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[1024];
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_CGROUP), 0);
    ck_assert_int_eq(t_sh(box,
                          "grep -v ':/$' /proc/self/cgroup | wc -l; grep -c . "
                          "/proc/self/cgroup",
                          out, sizeof(out)),
                     0);
    ck_assert_msg(strncmp(out, "0\n", 2) == 0, "a cgroup path other than /: %s", out);
    ck_assert_int_gt(atoi(out + 2), 0);
    nsbox_free(box);
}
END_TEST

/* A first sandbox sleeps with its hostname; a second joins its net and uts
 * namespaces (and user, as an unprivileged caller must) by pidfd and by
 * /proc path, and sees the same hostname and network namespace. */
START_TEST(test_join)
{
    t_as(_i);
    bool root = geteuid() == 0;
    nsbox *first = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(first, NSBOX_NS_NET), 0);
    ck_assert_int_eq(nsbox_set_hostname(first, "first"), 0);
    char *sleep_argv[] = {"sleep", "30", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(first, sleep_argv, &p), 0);
    char path[64], out[256], want[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", nsbox_proc_pid(p));
    int netfd = open(path, O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(netfd, 0);
    struct stat st;
    ck_assert_int_eq(fstat(netfd, &st), 0);
    snprintf(want, sizeof(want), "first %lu\n", (unsigned long)st.st_ino);

    nsbox *by_pidfd = nsbox_new();
    unsigned mask = NSBOX_NS_NET | NSBOX_NS_UTS | (root ? 0 : NSBOX_NS_USER);
    ck_assert_int_eq(nsbox_join_namespace(by_pidfd, mask, nsbox_proc_pidfd(p)), 0);
    ck_assert_int_eq(
        t_sh(by_pidfd, "echo $(hostname) $(stat -L -c %i /proc/self/ns/net)", out, sizeof(out)), 0);
    ck_assert_str_eq(out, want);

    nsbox *by_path = nsbox_new();
    const char *kinds_to_join[] = {"user", "uts", "net"};
    unsigned masks[] = {NSBOX_NS_USER, NSBOX_NS_UTS, NSBOX_NS_NET};
    for (int k = root ? 1 : 0; k < 3; k++) {
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", nsbox_proc_pid(p), kinds_to_join[k]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(nsbox_join_namespace(by_path, masks[k], fd), 0);
        close(fd); /* the recipe keeps its own copy */
    }
    ck_assert_int_eq(
        t_sh(by_path, "echo $(hostname) $(stat -L -c %i /proc/self/ns/net)", out, sizeof(out)), 0);
    ck_assert_str_eq(out, want);
    close(netfd);
    nsbox_free(by_path);
    nsbox_free(by_pidfd);
    nsbox_proc_free(p);
    nsbox_free(first);
}
END_TEST

/* Joining a PID namespace: the command is a member of it (not PID 1). */
START_TEST(test_join_pid)
{
    t_as(_i);
    nsbox *first = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(first, NSBOX_NS_PID), 0);
    char *sleep_argv[] = {"sleep", "30", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(first, sleep_argv, &p), 0);
    nsbox *second = nsbox_new();
    unsigned mask = NSBOX_NS_PID | (geteuid() == 0 ? 0 : NSBOX_NS_USER);
    ck_assert_int_eq(nsbox_join_namespace(second, mask, nsbox_proc_pidfd(p)), 0);
    char out[64], want[64];
    snprintf(want, sizeof(want), "%lu\n", t_ns_inode("pid"));
    ck_assert_int_eq(t_sh(second, "echo $$; stat -L -c %i /proc/self/ns/pid", out, sizeof(out)), 0);
    int inner_pid = atoi(out);
    ck_assert_int_gt(inner_pid, 2);
    ck_assert_str_ne(strchr(out, '\n') + 1, want);
    nsbox_free(second);
    nsbox_proc_free(p);
    nsbox_free(first);
}
END_TEST

/* How many of the caller's children other than skip are in PID namespace
 * ns, and how many in any other. */
static void children_by_ns(pid_t skip, unsigned long ns, int *in, int *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    FILE *f = fopen(path, "re");
    ck_assert_ptr_nonnull(f);
    *in = *out = 0;
    int pid;
    while (fscanf(f, "%d", &pid) == 1)
        if (pid != skip)
            (t_pid_ns_of(pid) == ns ? in : out)[0]++;
    fclose(f);
}

/* A pod's container (a namespace joined and a new PID namespace): the
 * sandbox's first process, the one nsbox_proc_pid() names and the one an
 * engine's subreaper waits on, is its PID 1, inside its PID namespace and
 * a direct child of the caller; no process of the spawn stays in the
 * caller's PID namespace; /proc/PID/ns/pid (what nsenter -t PID -p and a
 * path join take) leads inside, where the caller is out of reach (kill -0
 * below), and so does a pidfd join. Control (_i 2, 3: test_monitor_outside,
 * the spawn before the hand-over): the first process is a monitor in the
 * caller's PID namespace, and a join of its ns/pid lands there (root) or
 * is refused (nobody: the caller's PID namespace is not its to enter). */
START_TEST(test_join_pid_monitor)
{
    t_as(_i % 2);
    bool root = geteuid() == 0, control = _i >= 2;
    char *sleep_argv[] = {"sleep", "30", NULL};
    nsbox *holder = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(holder, NSBOX_NS_UTS), 0);
    nsbox_proc *h;
    ck_assert_int_eq(nsbox_spawn(holder, sleep_argv, &h), 0);
    nsbox *pod = nsbox_new();
    pod->test_monitor_outside = control;
    unsigned user = root ? 0 : NSBOX_NS_USER;
    ck_assert_int_eq(nsbox_join_namespace(pod, NSBOX_NS_UTS | user, nsbox_proc_pidfd(h)), 0);
    ck_assert_int_eq(nsbox_add_namespace(pod, NSBOX_NS_PID), 0);
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(pod, sleep_argv, &p), 0);
    pid_t first = nsbox_proc_pid(p);
    unsigned long caller_ns = t_ns_inode("pid"), first_ns = t_pid_ns_of(first);
    ck_assert_int_eq(t_ppid_of(first), getpid());
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children", (int)first);
    ck_assert_int_eq(stat(path, &st), 0);
    unsigned long sandbox_ns = (unsigned long)st.st_ino;
    ck_assert_uint_ne(sandbox_ns, caller_ns);
    int in, out;
    children_by_ns(nsbox_proc_pid(h), sandbox_ns, &in, &out);
    if (control) {
        ck_assert_uint_eq(first_ns, caller_ns);
        ck_assert_int_eq(in, 0);
        ck_assert_int_eq(out, 1);
    } else {
        ck_assert_uint_eq(first_ns, sandbox_ns);
        ck_assert_int_eq(in, 1);
        ck_assert_int_eq(out, 0);
    }

    char script[128], out_buf[128], want[64];
    snprintf(script, sizeof(script),
             "stat -L -c %%i /proc/self/ns/pid; kill -0 %d 2>/dev/null && echo REACHED; true",
             (int)getpid());
    snprintf(want, sizeof(want), "%lu\n", sandbox_ns);
    nsbox *by_pidfd = nsbox_new();
    ck_assert_int_eq(nsbox_join_namespace(by_pidfd, NSBOX_NS_PID | user, nsbox_proc_pidfd(p)), 0);
    ck_assert_int_eq(t_sh(by_pidfd, script, out_buf, sizeof(out_buf)), 0);
    ck_assert_str_eq(out_buf, want);

    nsbox *by_path = nsbox_new();
    if (!root) {
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)nsbox_proc_pid(h));
        int ufd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(ufd, 0);
        ck_assert_int_eq(nsbox_join_namespace(by_path, NSBOX_NS_USER, ufd), 0);
        close(ufd);
    }
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)first);
    int pfd = open(path, O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(pfd, 0);
    ck_assert_int_eq(nsbox_join_namespace(by_path, NSBOX_NS_PID, pfd), 0);
    close(pfd);
    int r = t_sh(by_path, script, out_buf, sizeof(out_buf));
    if (!control) {
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(out_buf, want);
    } else if (root) {
        ck_assert_int_eq(r, 0);
        snprintf(want, sizeof(want), "%lu\nREACHED\n", caller_ns);
        ck_assert_str_eq(out_buf, want);
    } else {
        ck_assert_int_eq(r, -EPERM);
    }

    ck_assert_int_eq(nsbox_kill(p, SIGTERM), 0);
    ck_assert_int_eq(nsbox_wait(p, -1), 128 + SIGTERM);
    ck_assert_int_eq(t_count_children(), 1); /* the holder's */
    nsbox_free(by_path);
    nsbox_free(by_pidfd);
    nsbox_proc_free(p);
    nsbox_free(pod);
    nsbox_proc_free(h);
    nsbox_free(holder);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("namespaces");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_each_namespace_alone, 0, 16);
    tcase_add_loop_test(tc, test_all_namespaces, 0, 2);
    tcase_add_loop_test(tc, test_pid1, 0, 2);
    tcase_add_loop_test(tc, test_hostname, 0, 2);
    tcase_add_loop_test(tc, test_default_maps, 0, 2);
    tcase_add_test(tc, test_multi_range_maps_root);
    tcase_add_loop_test(tc, test_net_only_lo, 0, 2);
    tcase_add_loop_test(tc, test_ipc_isolated, 0, 2);
    tcase_add_loop_test(tc, test_cgroup_ns_root, 0, 2);
    tcase_add_loop_test(tc, test_join, 0, 2);
    tcase_add_loop_test(tc, test_join_pid, 0, 2);
    tcase_add_loop_test(tc, test_join_pid_monitor, 0, 4);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
