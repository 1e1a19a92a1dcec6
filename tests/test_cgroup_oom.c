/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Issue 10.4: a memory limit never kills the caller. The stages share the
 * caller's memory and the OOM killer kills every process that shares the
 * victim's, so with a memory limit no stage enters the sandbox's cgroup:
 * the command's exec helper does, in memory of its own. Tiny limits either
 * fail the spawn with a message or get the sandbox OOM-killed; the caller
 * lives and nothing is left behind. The control (the old placement, through
 * the internal knob) kills the caller, in a forked child of the test.
 * Root only: the cgroup suite covers limits as nobody. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "testlib.h"

#define CG "/sys/fs/cgroup"

static pid_t owner;
static int found;

static int count_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "nsbox-%d-", (int)owner);
    if (type == FTW_D && strncmp(path + ftw->base, prefix, strlen(prefix)) == 0)
        found++;
    return 0;
}

/* Directories named nsbox-<pid>-* anywhere under /sys/fs/cgroup. */
static int count_sandbox_cgroups(pid_t pid)
{
    owner = pid;
    found = 0;
    nftw(CG, count_one, 32, FTW_PHYS);
    return found;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "nsbox-%d-", (int)owner);
    if (type == FTW_DP && strncmp(path + ftw->base, prefix, strlen(prefix)) == 0)
        rmdir(path);
    return 0;
}

static nsbox *limited(const char *bytes, unsigned ns)
{
    nsbox *box = nsbox_new();
    const char *parent = getenv("NSBOX_TEST_CGROUP_PARENT");
    if (parent)
        ck_assert_int_eq(nsbox_set_cgroup_parent(box, parent), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", bytes), 0);
    if (ns)
        ck_assert_int_eq(nsbox_add_namespace(box, ns), 0);
    return box;
}

static const char *const sizes[] = {"1", "4096", "65536"};
static const unsigned recipes[] = {
    0,
    NSBOX_NS_PID,
    NSBOX_NS_USER | NSBOX_NS_PID | NSBOX_NS_MOUNT,
};

/* Every tiny limit, each recipe (no namespace, PID 1 init, user+pid): the
 * caller survives; the spawn fails with a message, or the sandbox dies of
 * SIGKILL with the OOM kill reported. */
START_TEST(test_tiny_limits)
{
    ck_assert_int_eq(geteuid(), 0);
    int fds = t_count_fds();
    for (size_t s = 0; s < 3; s++)
        for (size_t k = 0; k < 3; k++) {
            nsbox *box = limited(sizes[s], recipes[k]);
            char *argv[] = {"/bin/true", NULL};
            nsbox_proc *p;
            int r = nsbox_spawn(box, argv, &p);
            if (r < 0) {
                ck_assert_msg(strlen(nsbox_errmsg(box)) > 0, "no message");
            } else {
                int st = nsbox_wait(p, -1);
                ck_assert_msg(st == 0 || st == 128 + SIGKILL, "memory.max=%s: status %d", sizes[s],
                              st);
                if (st)
                    ck_assert_int_eq(nsbox_proc_oom_killed(p), 1);
                nsbox_proc_free(p);
            }
            nsbox_free(box);
            ck_assert_int_eq(count_sandbox_cgroups(getpid()), 0);
        }
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), 0);
}
END_TEST

/* The same recipes under a limit the command fits in: it runs, and its
 * init (PID 1, or the monitor of the test knob) is in the cgroup too. */
START_TEST(test_placed)
{
    for (size_t k = 0; k < 3; k++)
        for (int monitor = 0; monitor < 2; monitor++) {
            nsbox *box = limited("64M", recipes[k]);
            box->force_monitor = monitor;
            char out[1024];
            int r = t_sh(box, "cat /proc/self/cgroup; exit 3", out, sizeof(out));
            ck_assert_msg(r == 3, "%d %s", r, nsbox_errmsg(box));
            ck_assert_msg(strstr(out, "nsbox-"), "not placed: %s", out);
            nsbox_proc *p;
            char *argv[] = {"sleep", "10", NULL};
            ck_assert_int_eq(nsbox_spawn(box, argv, &p), 0);
            char path[128], buf[4096] = "";
            snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)nsbox_proc_pid(p));
            FILE *f = fopen(path, "re");
            ck_assert_ptr_nonnull(f);
            size_t n = fread(buf, 1, sizeof(buf) - 1, f);
            buf[n] = '\0';
            fclose(f);
            ck_assert_msg(strstr(buf, "nsbox-") || (recipes[k] == 0 && !monitor),
                          "first process not placed: %s", buf);
            ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
            ck_assert_int_eq(nsbox_wait(p, -1), 128 + SIGKILL);
            nsbox_proc_free(p);
            nsbox_free(box);
        }
    ck_assert_int_eq(count_sandbox_cgroups(getpid()), 0);
}
END_TEST

/* A failed exec is reported by the stage as before. */
START_TEST(test_placed_exec_error)
{
    nsbox *box = limited("64M", NSBOX_NS_PID);
    char *argv[] = {"/nonexistent/cmd", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), -ENOENT);
    ck_assert_str_eq(nsbox_errmsg(box), "exec /nonexistent/cmd: No such file or directory");
    char *dir[] = {"/tmp", NULL};
    ck_assert_int_eq(nsbox_spawn(box, dir, &p), -EACCES);
    nsbox_free(box);
    ck_assert_int_eq(count_sandbox_cgroups(getpid()), 0);
}
END_TEST

/* nsbox-run, the tool of the report. */
START_TEST(test_nsbox_run_memory_1)
{
    const char *run = getenv("NSBOX_RUN");
    ck_assert_ptr_nonnull(run);
    /* The pid may have had an earlier holder whose sandboxes still exist
     * (pid_max is 32768 here and other suites run at once): count before
     * the exec, while the child holds the pid, and compare. */
    int go[2];
    ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            _exit(125);
        execl(run, run, "--memory", "1", "--unshare-pid", "/bin/true", (char *)NULL);
        _exit(126);
    }
    close(go[0]);
    int before = count_sandbox_cgroups(pid);
    ck_assert_int_eq(write(go[1], "g", 1), 1);
    close(go[1]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st), "nsbox-run died of signal %d", WTERMSIG(st));
    ck_assert_int_le(count_sandbox_cgroups(pid), before);
}
END_TEST

/* Control: with the old placement (stage 0 in the limited cgroup from
 * clone on) the OOM killer takes the caller, a forked child here. */
START_TEST(test_control_old_placement)
{
    pid_t pid = fork();
    if (pid == 0) {
        nsbox *box = limited("4096", NSBOX_NS_PID);
        box->test_cgroup_early = true;
        char *argv[] = {"/bin/true", NULL};
        nsbox_run(box, argv);
        _exit(0);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the caller was not killed: %#x", st);
    owner = pid;
    for (int i = 0; i < 100 && count_sandbox_cgroups(pid); i++) {
        nftw(CG, remove_one, 32, FTW_PHYS | FTW_DEPTH);
        usleep(10000);
    }
}
END_TEST

/* Each case runs in a fork of its own: sandboxes named after that pid by
 * an earlier holder of the pid (pid_max is 32768 here) are stale; remove
 * them so that the cases' counts start at 0. */
static void stale_remove(void)
{
    owner = getpid();
    nftw(CG, remove_one, 32, FTW_PHYS | FTW_DEPTH);
}

int main(void)
{
    Suite *s = suite_create("cgroup_oom");
    TCase *tc = tcase_create("cgroup_oom");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, stale_remove, NULL);
    tcase_add_test(tc, test_tiny_limits);
    tcase_add_test(tc, test_placed);
    tcase_add_test(tc, test_placed_exec_error);
    tcase_add_test(tc, test_nsbox_run_memory_1);
    tcase_add_test(tc, test_control_old_placement);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
