/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup limits: OOM, pids, cpu, whole-sandbox kill, cleanup, the cgroup
 * namespace, delegation to an unprivileged caller, errors. Each case runs
 * as root and as nobody (nobody gets a parent cgroup that root chowned to
 * it first). The test binary doubles as the helper run inside sandboxes:
 * "alloc MB", "forkloop N", "spin MS". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgtestlib.h"
#include "testlib.h"

static char self_exe[4096];

/* ------------------------------------------------------- helpers inside */

static int helper_alloc(long mb)
{
    for (long i = 0; i < mb; i++) {
        char *p = malloc(1 << 20);
        if (!p)
            return 3;
        memset(p, 1, 1 << 20);
    }
    return 0;
}

static int helper_forkloop(int n)
{
    int ok = 0, err = 0;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(1); /* the caller reads our stdout until EOF */
            pause();
            _exit(0);
        }
        if (pid < 0) {
            err = errno;
            break;
        }
        ok++;
    }
    printf("%d %s\n", ok, err == EAGAIN ? "EAGAIN" : err ? strerror(err) : "none");
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int helper_spin(int ms)
{
    double end = now_s() + ms / 1000.0;
    volatile unsigned long x = 0;
    while (now_s() < end)
        x++;
    return 0;
}

static void spawn_piped(nsbox *box, char *const argv[], nsbox_proc **p, int *rd)
{
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, fds[1], -1), 0);
    int r = nsbox_spawn(box, argv, p);
    ck_assert_msg(r == 0, "spawn: %s", nsbox_errmsg(box));
    close(fds[1]);
    *rd = fds[0];
}

/* ----------------------------------------------------------------- cases */

START_TEST(test_oom_kill)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "32M"), 0);
    char *argv[] = {self_exe, "alloc", "256", NULL};
    nsbox_proc *p;
    ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_wait(p, -1), 137);
    ck_assert_int_eq(nsbox_proc_oom_killed(p), 1);
    uint64_t peak = nsbox_proc_memory_peak(p);
    ck_assert_msg(peak >= 16u << 20 && peak <= 40u << 20, "peak %llu", (unsigned long long)peak);
    nsbox_proc_free(p);
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    nsbox_free(box);
}
END_TEST

START_TEST(test_pids_max)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "16"), 0);
    char *argv[] = {self_exe, "forkloop", "40", NULL};
    char out[128];
    ck_assert_int_eq(t_run_capture(box, argv, out, sizeof(out)), 0);
    int n = -1;
    char err[32] = "";
    ck_assert_int_eq(sscanf(out, "%d %31s", &n, err), 2);
    ck_assert_msg(n >= 10 && n < 16, "forked %d", n);
    ck_assert_str_eq(err, "EAGAIN");
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    nsbox_free(box);
}
END_TEST

START_TEST(test_cpu_max)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "cpu.max", "20000 100000"), 0);
    char *argv[] = {self_exe, "spin", "1000", NULL};
    nsbox_proc *p;
    double t0 = now_s();
    ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_wait(p, -1), 0);
    double wall_us = (now_s() - t0) * 1e6;
    uint64_t cpu = nsbox_proc_cpu_usec(p);
    ck_assert_msg(cpu > 0 && cpu <= 0.25 * wall_us, "cpu %llu us over %.0f us wall",
                  (unsigned long long)cpu, wall_us);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

static bool pid_gone(pid_t pid)
{
    char path[64], stat[512] = "";
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return true;
    bool ok = fgets(stat, sizeof(stat), f) && strstr(stat, ") Z ");
    fclose(f);
    return ok;
}

/* pid_gone() within 5 s: v2 reports a cgroup empty once its last task
 * passed cgroup_exit() in do_exit(), a moment before that task turns
 * zombie, which a loaded emulated guest stretches. */
static bool pid_ends(pid_t pid)
{
    for (int ms = 0; ms < 5000; ms += 5) {
        if (pid_gone(pid))
            return true;
        usleep(5000);
    }
    return false;
}

/* A daemon (double fork, setsid) left the process tree: the cgroup still
 * holds it. */
static const char daemon_script[] = "(setsid sh -c 'sleep 1000 & echo $!' &); exec sleep 1000";

static pid_t spawn_daemon(nsbox *box, nsbox_proc **p)
{
    char *argv[] = {"/bin/sh", "-c", (char *)daemon_script, NULL};
    int rd;
    spawn_piped(box, argv, p, &rd);
    char line[32] = "";
    FILE *f = fdopen(rd, "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
    fclose(f);
    pid_t pid = (pid_t)atoi(line);
    ck_assert_int_gt(pid, 0);
    ck_assert(!pid_gone(pid));
    return pid;
}

START_TEST(test_kill_daemon)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "64"), 0);
    nsbox_proc *p;
    pid_t daemon = spawn_daemon(box, &p);
    ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
    ck_assert_int_eq(nsbox_wait(p, -1), 137);
    ck_assert(pid_ends(daemon));
    nsbox_proc_free(p);
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    nsbox_free(box);
}
END_TEST

START_TEST(test_free_running)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "64M"), 0);
    nsbox_proc *p;
    pid_t daemon = spawn_daemon(box, &p);
    ck_assert_ptr_nonnull(strstr(nsbox_proc_cgroup(p), "/nsbox-"));
    /* v1: the memory and the cpuacct hierarchy (for the report) */
    ck_assert_int_eq(count_sandbox_cgroups(), cg_v2() ? 1 : 2);
    nsbox_proc_free(p);
    ck_assert(pid_ends(daemon));
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    nsbox_free(box);
}
END_TEST

START_TEST(test_hundred_spawns)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "64M"), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "32"), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "cpu.max", "50000"), 0);
    int fds = t_count_fds();
    char *argv[] = {"/bin/true", NULL};
    for (int k = 0; k < 100; k++)
        ck_assert_msg(nsbox_run(box, argv) == 0, "run %d: %s", k, nsbox_errmsg(box));
    assert_nothing_left(fds);
    nsbox_free(box);
}
END_TEST

START_TEST(test_failed_spawn)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "64M"), 0);
    int fds = t_count_fds();
    char *argv[] = {"/no/such", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), -ENOENT);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "exec /no/such"));
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    /* A key the host cannot take fails at spawn, naming the key. */
    const char *key = cg_v2() ? "memory.bogus" : "memory.high";
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, key, "1M"), 0);
    char *ok_argv[] = {"/bin/true", NULL};
    int r = nsbox_spawn(box, ok_argv, &p);
    ck_assert_int_eq(r, cg_v2() ? -ENOENT : -EINVAL);
    ck_assert_msg(strstr(nsbox_errmsg(box), key), "%s", nsbox_errmsg(box));
    assert_nothing_left(fds);
    nsbox_free(box);
}
END_TEST

START_TEST(test_cgroup_ns)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "32"), 0);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_CGROUP), 0);
    char out[1024];
    ck_assert_int_eq(t_sh(box, "cat /proc/self/cgroup", out, sizeof(out)), 0);
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        size_t len = strlen(line);
        ck_assert_msg(len > 2 && strcmp(line + len - 2, ":/") == 0, "inside: %s", line);
    }
    nsbox_free(box);
}
END_TEST

START_TEST(test_report)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "max"), 0);
    char *argv[] = {self_exe, "alloc", "8", NULL};
    nsbox_proc *p;
    ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
    ck_assert_ptr_nonnull(strstr(nsbox_proc_cgroup(p), "/nsbox-"));
    ck_assert_int_eq(nsbox_wait(p, -1), 0);
    ck_assert_int_eq(nsbox_proc_oom_killed(p), 0);
    ck_assert_uint_ge(nsbox_proc_memory_peak(p), 8u << 20);
    ck_assert_uint_gt(nsbox_proc_cpu_usec(p), 0);
    ck_assert_ptr_nonnull(nsbox_proc_cgroup(p));
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

START_TEST(test_unprivileged_no_parent)
{
    ck_assert(t_drop_to_nobody());
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "8"), 0);
    char *argv[] = {"/bin/true", NULL};
    nsbox_proc *p;
    int r = nsbox_spawn(box, argv, &p);
    ck_assert_msg(r == -EACCES || r == -EPERM, "%d %s", r, nsbox_errmsg(box));
    ck_assert_msg(strstr(nsbox_errmsg(box), "no writable cgroup for uid 65534"), "%s",
                  nsbox_errmsg(box));
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    nsbox_free(box);
}
END_TEST

START_TEST(test_builder_errors)
{
    nsbox *box = nsbox_new();
    static const char *const bad[][3] = {
        {"memory", "1M", "not a cgroup v2 interface file"},
        {"cgroup.procs", "1", "managed by the library"},
        {"memory.max", "12Q", "bytes, K/M/G/T suffix, or max"},
        {"memory.max", "", "empty"},
        {"pids.max", "-1", "a number or max"},
        {"cpu.max", "20000 abc", "QUOTA [PERIOD]"},
        {"cpu.weight", "0", "1 to 10000"},
        {"cpuset.cpus", "a", "CPU or node list"},
        /* issue 12.5: promised at once, not at spawn */
        {"cpu.max", "max 0", "period 1000 to 1000000"},
        {"cpu.max", "500 100000", "quota >= 1000"},
        {"cpu.max", "max 2000000", "period 1000 to 1000000"},
        {"cpuset.cpus", ",,-,", "CPU or node list"},
        {"cpuset.mems", "3-1", "CPU or node list"},
        {"cpuset.cpus", "1,", "CPU or node list"},
        {"io.weight", "1\n2", "multi-line"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        ck_assert_int_eq(nsbox_set_cgroup_limit(box, bad[k][0], bad[k][1]), -EINVAL);
        ck_assert_msg(strstr(nsbox_errmsg(box), bad[k][0]) && strstr(nsbox_errmsg(box), bad[k][2]),
                      "%s", nsbox_errmsg(box));
    }
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, "/a/../b"), -EINVAL);
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, ""), -EINVAL);
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, "a//b"), -EINVAL);
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, "/a/b"), 0);
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, NULL), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "1G"), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", NULL), 0);
    ck_assert_ptr_null(nsbox_proc_cgroup(NULL));
    nsbox_free(box);
}
END_TEST

/* Issue 12.2: a SIGALRM handler without SA_RESTART every 300 us, 1,500
 * spawns with memory and pids limits: none fails. */
static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

START_TEST(test_eintr)
{
    nsbox *box = cg_box(0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "64M"), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "32"), 0);
    struct sigaction sa = {.sa_handler = on_alarm};
    ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
    /* Under the v2 guest's software emulation a spawn takes ~100x longer
     * and a 300 us timer starves it: fewer spawns, slower alarms there. */
    bool vm = getenv("NSBOX_VM") != NULL;
    int spawns = vm ? 150 : 1500;
    long us = vm ? 2000 : 300;
    struct itimerval it = {{0, us}, {0, us}};
    ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    char *argv[] = {"/bin/true", NULL};
    int failed = 0;
    char first[1024] = "";
    for (int i = 0; i < spawns; i++) {
        int r = nsbox_run(box, argv);
        if (r != 0 && !failed++)
            snprintf(first, sizeof(first), "%d: %s", r, nsbox_errmsg(box));
    }
    it = (struct itimerval){0};
    setitimer(ITIMER_REAL, &it, NULL);
    ck_assert_msg(failed == 0, "%d of %d spawns failed (%d alarms), first: %s", failed, spawns,
                  (int)alarms, first);
    ck_assert_int_gt(alarms, vm ? 10 : 100);
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    nsbox_free(box);
}
END_TEST

/* Issue 12.6: a caller SIGKILLed while its sandboxes run (with
 * NSBOX_DIE_WITH_PARENT) leaves no nsbox-<its pid>-* cgroup once a spawn
 * under the same parent ran after its sandboxes died. */
START_TEST(test_dead_caller)
{
    const char *parent = _i == 1 ? delegated_parent() : getenv("NSBOX_TEST_CGROUP_PARENT");
    t_as(_i);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t caller = fork();
    if (caller == 0) {
        close(fds[0]);
        nsbox *box = nsbox_new();
        if (parent)
            nsbox_set_cgroup_parent(box, parent);
        nsbox_set_cgroup_limit(box, "pids.max", "16");
        nsbox_set_flags(box, NSBOX_DIE_WITH_PARENT);
        char *argv[] = {"/bin/sleep", "1000", NULL};
        for (int i = 0; i < 3; i++) {
            nsbox_proc *p;
            if (nsbox_spawn(box, argv, &p) < 0)
                _exit(1);
            dprintf(fds[1], "%d\n", (int)nsbox_proc_pid(p));
        }
        close(fds[1]);
        pause();
        _exit(0);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    pid_t pids[3];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(fscanf(f, "%d", &pids[i]), 1);
    fclose(f);
    kill(caller, SIGKILL);
    ck_assert_int_eq(waitpid(caller, NULL, 0), caller);
    for (int i = 0; i < 3; i++)
        for (int ms = 0; ms < 5000 && kill(pids[i], 0) == 0; ms += 10)
            usleep(10000);
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "nsbox-%d-", (int)caller);
    ck_assert_int_gt(count_cgroups_named(prefix), 0);
    nsbox *box = nsbox_new();
    if (parent)
        ck_assert_int_eq(nsbox_set_cgroup_parent(box, parent), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "16"), 0);
    char *argv[] = {"/bin/true", NULL};
    ck_assert_msg(nsbox_run(box, argv) == 0, "%s", nsbox_errmsg(box));
    ck_assert_int_eq(count_cgroups_named(prefix), 0);
    nsbox_free(box);
}
END_TEST

/* Issue 12.7 (v1): a parent that exists only in the pids hierarchy takes
 * a pids limit; the report has no memory figure (0); messages carry no
 * "//". */
START_TEST(test_v1_pids_only_parent)
{
    char own[256], dir[1024], parent[512];
    own_cgroup("pids", own, sizeof(own));
    snprintf(parent, sizeof(parent), "%s/" TEST_PREFIX "pids-only-%d", own, (int)getpid());
    snprintf(dir, sizeof(dir), CG "/pids%s", parent);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, parent), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "5"), 0);
    char out[256];
    int r = t_run_capture(box, (char *[]){self_exe, "forkloop", "10", NULL}, out, sizeof(out));
    ck_assert_msg(r == 0, "%d %s", r, nsbox_errmsg(box));
    int n = -1;
    char err[32] = "";
    ck_assert_int_eq(sscanf(out, "%d %31s", &n, err), 2);
    ck_assert_msg(n >= 1 && n < 5 && strcmp(err, "EAGAIN") == 0, "%s", out);
    /* An error names the paths without a doubled slash. */
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, "/" TEST_PREFIX "none"), 0);
    r = nsbox_run(box, (char *[]){"/bin/true", NULL});
    ck_assert_int_eq(r, -ENOENT);
    ck_assert_msg(strstr(nsbox_errmsg(box), CG "/pids/" TEST_PREFIX "none") &&
                      !strstr(nsbox_errmsg(box), "//"),
                  "%s", nsbox_errmsg(box));
    nsbox_free(box);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* v2: a parent holding a process cannot delegate controllers. */
START_TEST(test_v2_internal_process)
{
    char own[512], dir[1024], path[1100];
    const char *base = getenv("NSBOX_TEST_CGROUP_PARENT");
    own_cgroup("", own, sizeof(own));
    snprintf(dir, sizeof(dir), CG "%s/" TEST_PREFIX "busy-%d", base ? base : own, (int)getpid());
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    char pid[24];
    snprintf(pid, sizeof(pid), "%d", (int)child);
    write_file(path, pid);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, dir + strlen(CG)), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "64M"), 0);
    char *argv[] = {"/bin/true", NULL};
    nsbox_proc *p;
    int r = nsbox_spawn(box, argv, &p);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    rmdir(dir);
    ck_assert_int_eq(r, -EBUSY);
    ck_assert_msg(strstr(nsbox_errmsg(box), "no internal processes"), "%s", nsbox_errmsg(box));
    nsbox_free(box);
}
END_TEST

/* v2: any interface file passes through. */
START_TEST(test_v2_io_weight)
{
    nsbox *box = cg_box(0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "io.weight", "default 200"), 0);
    char *argv[] = {"/bin/sleep", "100", NULL};
    nsbox_proc *p;
    ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
    char path[4200], buf[256] = "";
    snprintf(path, sizeof(path), CG "%s/io.weight", nsbox_proc_cgroup(p));
    FILE *f = fopen(path, "re");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
    fclose(f);
    ck_assert_msg(strstr(buf, "default 200"), "%s", buf);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

/* Inside a sandbox: one helper, then _exit (the allocations are the point,
 * not leaks for a sanitizer's exit check). */
static void run_helper(int argc, char **argv)
{
    int r = -1;
    if (argc == 3 && strcmp(argv[1], "alloc") == 0)
        r = helper_alloc(atol(argv[2]));
    else if (argc == 3 && strcmp(argv[1], "forkloop") == 0)
        r = helper_forkloop(atoi(argv[2]));
    else if (argc == 3 && strcmp(argv[1], "spin") == 0)
        r = helper_spin(atoi(argv[2]));
    if (r >= 0) {
        fflush(stdout);
        _exit(r);
    }
}

static int run_eintr_suite(void)
{
    Suite *s = suite_create("cgroup-eintr");
    TCase *tc = tcase_create("eintr");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, test_eintr);
    suite_add_tcase(s, tc);
    int r = t_run_suite(s);
    cg_test_dirs_remove();
    return r;
}

int main(int argc, char **argv)
{
    run_helper(argc, argv);
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
    if (n <= 0)
        return 99;
    self_exe[n] = '\0';
    if (geteuid() != 0) {
        printf("SKIP: the cgroup suite runs as root (it tests as root and as nobody)\n");
        return 77;
    }
    /* 1,500 spawns under a signal storm: a test of its own (meson test
     * cgroup-eintr), so that its time does not count against the others'. */
    if (getenv("NSBOX_TEST_EINTR"))
        return run_eintr_suite();
    Suite *s = suite_create("cgroup");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_oom_kill, 0, 2);
    tcase_add_loop_test(tc, test_pids_max, 0, 2);
    tcase_add_loop_test(tc, test_cpu_max, 0, 2);
    tcase_add_loop_test(tc, test_kill_daemon, 0, 2);
    tcase_add_loop_test(tc, test_free_running, 0, 2);
    tcase_add_loop_test(tc, test_hundred_spawns, 0, 2);
    tcase_add_loop_test(tc, test_failed_spawn, 0, 2);
    tcase_add_loop_test(tc, test_cgroup_ns, 0, 2);
    tcase_add_loop_test(tc, test_report, 0, 2);
    tcase_add_test(tc, test_unprivileged_no_parent);
    tcase_add_test(tc, test_builder_errors);
    tcase_add_loop_test(tc, test_dead_caller, 0, 2);
    if (!cg_v2())
        tcase_add_test(tc, test_v1_pids_only_parent);
    if (cg_v2()) {
        tcase_add_test(tc, test_v2_internal_process);
        tcase_add_test(tc, test_v2_io_weight);
    }
    suite_add_tcase(s, tc);
    int r = t_run_suite(s);
    cg_test_dirs_remove();
    return r;
}
