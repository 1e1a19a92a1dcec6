/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process: environment, cwd, stdio and fds, rlimits, flags, wait,
 * kill, init's reaping and forwarding, and what the caller keeps. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

START_TEST(test_env)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[4096];
    setenv("NSBOX_TEST_KEEP", "kept", 1);
    setenv("NSBOX_TEST_DROP", "dropped", 1);
    ck_assert_int_eq(nsbox_set_env(box, "NSBOX_TEST_NEW", "a=b c"), 0);
    ck_assert_int_eq(nsbox_set_env(box, "NSBOX_TEST_DROP", NULL), 0);
    ck_assert_int_eq(t_sh(box, "echo \"$NSBOX_TEST_KEEP|$NSBOX_TEST_NEW|${NSBOX_TEST_DROP-unset}\"",
                          out, sizeof(out)),
                     0);
    ck_assert_str_eq(out, "kept|a=b c|unset\n");
    ck_assert_int_eq(nsbox_clear_env(box), 0);
    ck_assert_int_eq(nsbox_set_env(box, "PATH", "/usr/bin:/bin"), 0);
    char *argv[] = {"env", NULL};
    ck_assert_int_eq(t_run_capture(box, argv, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "NSBOX_TEST_NEW=a=b c\nPATH=/usr/bin:/bin\n");
    /* the caller's environment is untouched */
    ck_assert_str_eq(getenv("NSBOX_TEST_DROP"), "dropped");
    nsbox_free(box);
}
END_TEST

START_TEST(test_cwd)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[256], before[4096], after[4096];
    ck_assert_ptr_nonnull(getcwd(before, sizeof(before)));
    ck_assert_int_eq(nsbox_set_cwd(box, "/usr/bin"), 0);
    ck_assert_int_eq(t_sh(box, "pwd", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "/usr/bin\n");
    ck_assert_ptr_nonnull(getcwd(after, sizeof(after)));
    ck_assert_str_eq(before, after);
    nsbox_free(box);
}
END_TEST

/* Only stdio and passed fds reach the command, also fds the caller
 * opened without close-on-exec; a passed fd works at its target. */
START_TEST(test_fds)
{
    t_as(_i);
    int leaked = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */
    ck_assert_int_ge(leaked, 0);
    int msg[2];
    ck_assert_int_eq(pipe(msg), 0);
    ck_assert_int_eq(write(msg[1], "hello", 5), 5);
    close(msg[1]);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_pass_fd(box, msg[0], 7), 0);
    ck_assert_int_eq(nsbox_pass_fd(box, leaked, 9), 0);
    char script[256], out[256];
    snprintf(script, sizeof(script),
             "cat <&7; echo; ls /proc/self/fd | sort -n | tr '\\n' ' '; "
             "if test -e /proc/self/fd/%d; then echo leaked; fi",
             leaked);
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    /* 3 is ls's own directory fd */
    ck_assert_str_eq(out, "hello\n0 1 2 3 7 9 ");
    close(msg[0]);
    close(leaked);
    nsbox_free(box);
}
END_TEST

START_TEST(test_stdio)
{
    t_as(_i);
    int in[2];
    ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
    ck_assert_int_eq(write(in[1], "from stdin\n", 11), 11);
    close(in[1]);
    nsbox *box = nsbox_new();
    int out[2];
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, in[0], out[1], -1), 0);
    char *argv[] = {"cat", NULL}, buf[64] = "";
    ck_assert_int_eq(nsbox_run(box, argv), 0);
    close(in[0]);
    close(out[1]);
    ck_assert_int_eq(read(out[0], buf, sizeof(buf)), 11);
    ck_assert_str_eq(buf, "from stdin\n");
    close(out[0]);
    nsbox_free(box);
}
END_TEST

START_TEST(test_rlimit)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[64];
    ck_assert_int_eq(nsbox_set_rlimit(box, RLIMIT_NOFILE, 64, 128), 0);
    ck_assert_int_eq(t_sh(box, "ulimit -Sn; ulimit -Hn", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "64\n128\n");
    nsbox_free(box);
}
END_TEST

START_TEST(test_new_session_and_nnp)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char out[256];
    const char *script = "echo $$ $(cut -d' ' -f6 /proc/$$/stat) $(grep NoNewPrivs /proc/$$/status "
                         "| cut -f2)";
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    int pid, sid, nnp;
    ck_assert_int_eq(sscanf(out, "%d %d %d", &pid, &sid, &nnp), 3);
    ck_assert_int_ne(pid, sid);
    ck_assert_int_eq(nnp, 1);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_NEW_SESSION | NSBOX_ALLOW_NEW_PRIVS), 0);
    if (geteuid() != 0) {
        /* without capabilities the bounding set cannot be cleared: refused */
        ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), -EPERM);
        ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "bounding"));
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER), 0);
    }
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    ck_assert_int_eq(sscanf(out, "%d %d %d", &pid, &sid, &nnp), 3);
    ck_assert_int_eq(pid, sid);
    ck_assert_int_eq(nnp, 0);
    nsbox_free(box);
}
END_TEST

/* "sleep 30" in a new PID namespace of a new recipe *box. */
static nsbox_proc *sleeper(nsbox **box)
{
    *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(*box, NSBOX_NS_PID), 0);
    char *argv[] = {"sleep", "30", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(*box, argv, &p), 0);
    return p;
}

START_TEST(test_wait_timeout_kill)
{
    t_as(_i);
    nsbox *box;
    nsbox_proc *p = sleeper(&box);
    ck_assert_int_eq(nsbox_wait(p, 0), -ETIMEDOUT);
    ck_assert_int_eq(nsbox_wait(p, 50), -ETIMEDOUT);
    struct pollfd pfd = {.fd = nsbox_proc_pidfd(p), .events = POLLIN};
    ck_assert_int_eq(poll(&pfd, 1, 0), 0);
    ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
    ck_assert_int_eq(nsbox_wait(p, -1), 137);
    ck_assert_int_eq(nsbox_wait(p, -1), 137);
    ck_assert_int_eq(nsbox_proc_signal(p), SIGKILL);
    ck_assert_int_eq(nsbox_proc_exit_code(p), -1);
    ck_assert_int_eq(nsbox_kill(p, SIGKILL), -ESRCH);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

/* Each failure of nsbox_wait and nsbox_kill leaves one line on the
 * process (nsbox_proc_errmsg) naming the pid, the signal or the timeout; a
 * call that succeeds empties it; the recipe's message is not touched. */
static void check_msg(nsbox_proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_msg(nsbox_proc *p, const char *fmt, ...)
{
    char want[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    ck_assert_str_eq(nsbox_proc_errmsg(p), want);
}

START_TEST(test_wait_kill_errmsg)
{
    t_as(_i);
    {
        nsbox *box;
        nsbox_proc *p = sleeper(&box);
        int pid = nsbox_proc_pid(p);
        ck_assert_str_eq(nsbox_proc_errmsg(p), "");
        ck_assert_int_eq(nsbox_wait(p, 0), -ETIMEDOUT);
        check_msg(p, "wait for pid %d: still running after 0 ms: Connection timed out", pid);
        ck_assert_int_eq(nsbox_wait(p, 30), -ETIMEDOUT);
        check_msg(p, "wait for pid %d: still running after 30 ms: Connection timed out", pid);
        ck_assert_int_eq(nsbox_kill(p, 65), -EINVAL);
        check_msg(p, "kill pid %d: signal 65 out of range (0 to 64)", pid);
        ck_assert_int_eq(nsbox_kill(p, -1), -EINVAL);
        check_msg(p, "kill pid %d: signal -1 out of range (0 to 64)", pid);
        ck_assert_int_eq(nsbox_kill(p, 0), 0); /* a probe: it is there */
        ck_assert_str_eq(nsbox_proc_errmsg(p), "");

        /* waitid fails (its pidfd swapped for /dev/null behind the
         * library's back), then the pidfd is put back. */
        int fd = nsbox_proc_pidfd(p), saved = dup(fd), null = open("/dev/null", O_RDONLY);
        ck_assert_int_ge(saved, 0);
        ck_assert_int_eq(dup2(null, fd), fd);
        ck_assert_int_eq(nsbox_wait(p, -1), -EBADF);
        check_msg(p, "wait for pid %d (waitid on its pidfd): Bad file descriptor", pid);
        ck_assert_int_eq(dup2(saved, fd), fd);
        close(saved);
        close(null);

        ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
        ck_assert_str_eq(nsbox_proc_errmsg(p), "");
        ck_assert_int_eq(nsbox_wait(p, -1), 137);
        ck_assert_str_eq(nsbox_proc_errmsg(p), "");
        ck_assert_int_eq(nsbox_kill(p, SIGTERM), -ESRCH);
        check_msg(p, "kill pid %d: the sandbox ended (status 137) and was reaped: No such process",
                  pid);
        ck_assert_int_eq(nsbox_wait(p, -1), 137); /* a status empties it again */
        ck_assert_str_eq(nsbox_proc_errmsg(p), "");
        ck_assert_str_eq(nsbox_errmsg(box), ""); /* the recipe's stays */
        nsbox_proc_free(p);
        nsbox_free(box);
    }
    ck_assert_int_eq(nsbox_wait(NULL, 0), -EINVAL);
    ck_assert_int_eq(nsbox_kill(NULL, SIGKILL), -EINVAL);
    ck_assert_str_eq(nsbox_proc_errmsg(NULL), "");
}
END_TEST

START_TEST(test_exit_status_forms)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    for (int pidns = 0; pidns < 2; pidns++) {
        if (pidns)
            ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
        char *code_argv[] = {"sh", "-c", "exit 42", NULL};
        nsbox_proc *p;
        ck_assert_int_eq(nsbox_spawn(box, code_argv, &p), 0);
        ck_assert_int_eq(nsbox_wait(p, -1), 42);
        ck_assert_int_eq(nsbox_proc_exit_code(p), 42);
        ck_assert_int_eq(nsbox_proc_signal(p), 0);
        nsbox_proc_free(p);
        /* a command killed by a signal: 128+N, also behind the init */
        char *sig_argv[] = {"sh", "-c", "kill -SEGV $$", NULL};
        ck_assert_int_eq(nsbox_spawn(box, sig_argv, &p), 0);
        ck_assert_int_eq(nsbox_wait(p, -1), 128 + SIGSEGV);
        ck_assert_int_eq(nsbox_proc_signal(p), SIGSEGV);
        ck_assert_int_eq(nsbox_proc_exit_code(p), -1);
        nsbox_proc_free(p);
    }
    nsbox_free(box);
}
END_TEST

/* Processes of this host whose PID namespace has the given inode, and
 * how many of them are zombies. */
static int pidns_members(unsigned long ino, int *zombies)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    *zombies = 0;
    while ((e = readdir(d))) {
        char path[300], stat_line[512];
        struct stat st;
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/ns/pid", e->d_name);
        if (stat(path, &st) < 0 || st.st_ino != ino)
            continue;
        n++;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "re");
        if (f && fgets(stat_line, sizeof(stat_line), f) && strstr(stat_line, ") Z "))
            (*zombies)++;
        if (f)
            fclose(f);
    }
    closedir(d);
    return n;
}

static unsigned long proc_pidns_inode(pid_t pid)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
    ck_assert_int_eq(stat(path, &st), 0);
    return (unsigned long)st.st_ino;
}

/* nsbox_kill(SIGKILL) reaches every process of the PID namespace, and the
 * init reaps orphans meanwhile. */
START_TEST(test_kill_whole_pidns_and_reap_orphans)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    /* two orphans that exit at once, two that stay */
    char *argv[] = {"sh", "-c",
                    "sh -c 'true & true & sleep 30 & sleep 30 & exit 0'; echo ready; sleep 30",
                    NULL};
    int out[2];
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, out[1], -1), 0);
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), 0);
    close(out[1]);
    char buf[16] = "";
    ck_assert_int_gt(read(out[0], buf, sizeof(buf)), 0);
    unsigned long ino = proc_pidns_inode(nsbox_proc_pid(p));
    int zombies = -1, members = 0;
    for (int tries = 0; tries < 100; tries++) {
        members = pidns_members(ino, &zombies);
        if (members == 5 && zombies == 0) /* init, sh, sleep, 2 orphans */
            break;
        usleep(20000);
    }
    ck_assert_int_eq(zombies, 0);
    ck_assert_int_eq(members, 5);
    ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
    ck_assert_int_eq(nsbox_wait(p, -1), 137);
    ck_assert_int_eq(pidns_members(ino, &zombies), 0);
    close(out[0]);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

START_TEST(test_init_forwards_signals)
{
    t_as(_i);
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++) {
        char script[256];
        snprintf(script, sizeof(script),
                 "trap 'echo got; exit 3' %d; echo ready; while :; do sleep 0.02; done", sigs[k]);
        char *argv[] = {"sh", "-c", script, NULL};
        int out[2];
        ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
        ck_assert_int_eq(nsbox_set_stdio(box, -1, out[1], -1), 0);
        nsbox_proc *p;
        ck_assert_int_eq(nsbox_spawn(box, argv, &p), 0);
        close(out[1]);
        char buf[64] = "";
        ck_assert_int_eq(read(out[0], buf, 6), 6);
        ck_assert_int_eq(nsbox_kill(p, sigs[k]), 0);
        ck_assert_int_eq(nsbox_wait(p, -1), 3);
        ck_assert_int_eq(read(out[0], buf, sizeof(buf)), 4);
        close(out[0]);
        nsbox_proc_free(p);
    }
    nsbox_free(box);
}
END_TEST

/* The sandbox dies with the thread that spawned it (_i 0, 1), also a pod's
 * container (_i 2, 3: a holder's UTS namespace joined, a new PID
 * namespace), whose first process is forked by the joining stage as the
 * caller's child (CLONE_PARENT) and must carry the flag as that stage
 * does. Without the flag (_i 4, 5) that first process outlives the caller,
 * as nsbox-oci's container outlives "create". */
START_TEST(test_die_with_parent)
{
    t_as(_i % 2);
    bool pod = _i >= 2, flag = _i < 4;
    int pids[2];
    ck_assert_int_eq(pipe(pids), 0);
    pid_t mid = fork();
    ck_assert_int_ge(mid, 0);
    if (mid == 0) {
        char *argv[] = {"sleep", "30", NULL};
        nsbox *box = nsbox_new();
        nsbox_add_namespace(box, NSBOX_NS_PID);
        if (flag)
            nsbox_set_flags(box, NSBOX_DIE_WITH_PARENT);
        if (pod) {
            nsbox *holder = nsbox_new();
            nsbox_add_namespace(holder, NSBOX_NS_UTS);
            nsbox_set_flags(holder, NSBOX_DIE_WITH_PARENT);
            nsbox_proc *h;
            if (nsbox_spawn(holder, argv, &h) < 0)
                _exit(1);
            unsigned user = geteuid() == 0 ? 0 : NSBOX_NS_USER;
            if (nsbox_join_namespace(box, NSBOX_NS_UTS | user, nsbox_proc_pidfd(h)) < 0)
                _exit(1);
        }
        nsbox_proc *p;
        if (nsbox_spawn(box, argv, &p) < 0)
            _exit(1);
        pid_t pid = nsbox_proc_pid(p);
        if (write(pids[1], &pid, sizeof(pid)) != sizeof(pid))
            _exit(1);
        _exit(0); /* without waiting */
    }
    pid_t sandbox;
    ck_assert_int_eq(read(pids[0], &sandbox, sizeof(sandbox)), sizeof(sandbox));
    int pidfd = (int)syscall(SYS_pidfd_open, sandbox, 0);
    int st;
    ck_assert_int_eq(waitpid(mid, &st, 0), mid);
    ck_assert_int_eq(st, 0);
    if (!flag) {
        ck_assert_int_ge(pidfd, 0);
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        ck_assert_int_eq(poll(&pfd, 1, 300), 0); /* it lives on */
        ck_assert_int_eq(syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0), 0);
        ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
        close(pidfd);
    } else if (pidfd >= 0) {
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
        close(pidfd);
    } else {
        ck_assert_int_eq(errno, ESRCH); /* already gone */
    }
}
END_TEST

static volatile sig_atomic_t handler_reaped;
static void reap_all_handler(int sig)
{
    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        handler_reaped++;
}

/* The caller's SIGCHLD handling does not lose the status, and its signal
 * mask and handlers are what they were. */
START_TEST(test_caller_sigchld)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char *argv[] = {"sh", "-c", "exit 7", NULL};
    signal(SIGCHLD, SIG_IGN);
    ck_assert_int_eq(nsbox_run(box, argv), 7);
    /* ignored only after spawn: the kernel reaps it, the status survives */
    signal(SIGCHLD, SIG_DFL);
    nsbox_proc *late;
    ck_assert_int_eq(nsbox_spawn(box, argv, &late), 0);
    signal(SIGCHLD, SIG_IGN);
    ck_assert_int_eq(nsbox_wait(late, -1), 7);
    nsbox_proc_free(late);
    struct sigaction sa = {.sa_handler = reap_all_handler};
    ck_assert_int_eq(sigaction(SIGCHLD, &sa, NULL), 0);
    sigset_t mask, now;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    ck_assert_int_eq(sigprocmask(SIG_SETMASK, &mask, NULL), 0);
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), 0);
    for (int i = 0; handler_reaped == 0 && i < 500; i++) /* the caller's handler reaps it */
        usleep(10000);
    ck_assert_int_eq(handler_reaped, 1);
    ck_assert_int_eq(nsbox_wait(p, -1), 7);
    ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &now), 0);
    ck_assert(sigismember(&now, SIGUSR2) && !sigismember(&now, SIGUSR1));
    struct sigaction cur;
    sigaction(SIGCHLD, NULL, &cur);
    ck_assert_ptr_eq(cur.sa_handler, reap_all_handler);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

/* A running sandbox freed is killed and reaped: no child, no fd left. */
/* Dispositions of the caller do not reach the command: an ignored SIGPIPE
 * (as Python sets it) and a handled SIGUSR1 are default inside (seen by
 * cat, which sets none of its own), nothing is blocked. */
START_TEST(test_signal_dispositions_reset)
{
    t_as(_i);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = reap_all_handler};
    sigaction(SIGUSR1, &sa, NULL);
    nsbox *box = nsbox_new();
    char out[256];
    for (int pidns = 0; pidns < 2; pidns++) {
        if (pidns)
            ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
        ck_assert_int_eq(
            t_sh(box, "cat /proc/self/status | grep -E '^Sig(Blk|Ign|Cgt)'", out, sizeof(out)), 0);
        ck_assert_str_eq(out, "SigBlk:\t0000000000000000\n"
                              "SigIgn:\t0000000000000000\n"
                              "SigCgt:\t0000000000000000\n");
    }
    nsbox_free(box);
}
END_TEST

START_TEST(test_free_running)
{
    t_as(_i);
    int fds = t_count_fds();
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_NET), 0);
    char *argv[] = {"sleep", "30", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), 0);
    ck_assert_int_eq(t_count_children(), 1);
    nsbox_proc_free(p);
    nsbox_free(box);
    ck_assert_int_eq(t_count_children(), 0);
    ck_assert_int_eq(t_count_fds(), fds);
}
END_TEST

START_TEST(test_version)
{
    unsigned a, b, c;
    char tail;
    ck_assert_int_eq(sscanf(nsbox_version(), "%u.%u.%u%c", &a, &b, &c, &tail), 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("process");
    TCase *tc = tcase_create("process");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_env, 0, 2);
    tcase_add_loop_test(tc, test_cwd, 0, 2);
    tcase_add_loop_test(tc, test_fds, 0, 2);
    tcase_add_loop_test(tc, test_stdio, 0, 2);
    tcase_add_loop_test(tc, test_rlimit, 0, 2);
    tcase_add_loop_test(tc, test_new_session_and_nnp, 0, 2);
    tcase_add_loop_test(tc, test_wait_timeout_kill, 0, 2);
    tcase_add_loop_test(tc, test_wait_kill_errmsg, 0, 2);
    tcase_add_loop_test(tc, test_exit_status_forms, 0, 2);
    tcase_add_loop_test(tc, test_kill_whole_pidns_and_reap_orphans, 0, 2);
    tcase_add_loop_test(tc, test_init_forwards_signals, 0, 2);
    tcase_add_loop_test(tc, test_die_with_parent, 0, 6);
    tcase_add_loop_test(tc, test_caller_sigchld, 0, 2);
    tcase_add_loop_test(tc, test_signal_dispositions_reset, 0, 2);
    tcase_add_loop_test(tc, test_free_running, 0, 2);
    tcase_add_test(tc, test_version);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
