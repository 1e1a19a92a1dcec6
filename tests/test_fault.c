/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault injection (issue 12): a caller SIGKILLed in the middle of
 * nsbox_spawn or of nsbox_wait, 25 times each at random delays, leaves no
 * sandbox process (NSBOX_DIE_WITH_PARENT) and, once the next spawn under
 * the same cgroup parent has run, no sandbox cgroup. As root and as nobody
 * (under a parent delegated to it). The test process is a child subreaper,
 * so that the killed callers' orphans come to it and are counted, not
 * lost to init. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgdeleg.h"
#include "testlib.h"

#define ROUNDS 25
/* The sandboxes' command: an argument no other process here has. */
#define MARK "31173.5"

enum { MID_SPAWN, MID_WAIT };

static nsbox *fault_box(const char *parent)
{
    nsbox *box = nsbox_new();
    if (nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_PID) < 0 ||
        nsbox_set_flags(box, NSBOX_DIE_WITH_PARENT) < 0 ||
        nsbox_set_cgroup_limit(box, "memory.max", "32M") < 0 ||
        nsbox_set_cgroup_limit(box, "pids.max", "8") < 0 ||
        nsbox_set_cgroup_parent(box, parent) < 0) {
        printf("recipe: %s\n", nsbox_errmsg(box));
        _exit(2);
    }
    return box;
}

/* In a forked caller: into the parent's leaf (v2), then as nobody (an
 * ordinary user: dumpable again after the uid change) if asked. */
static void become_caller(int as_nobody)
{
    if (cgd_enter_leaf() < 0)
        _exit(3);
    if (as_nobody && (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                      setresuid(NOBODY, NOBODY, NOBODY) < 0 || prctl(PR_SET_DUMPABLE, 1) < 0))
        _exit(4);
}

/* In the forked caller: spawn in a loop (MID_SPAWN) or spawn once, say so on ready and
 * wait (MID_WAIT) until killed. */
static void caller(int mode, int as_nobody, const char *parent, int ready)
{
    become_caller(as_nobody);
    nsbox *box = fault_box(parent);
    char *argv[] = {"sleep", MARK, NULL};
    for (int i = 0;; i++) {
        nsbox_proc *p;
        int r = nsbox_spawn(box, argv, &p);
        if (r < 0) {
            printf("spawn %d: %s\n", i, nsbox_errmsg(box));
            _exit(5);
        }
        if (mode == MID_WAIT) {
            if (write(ready, "r", 1) != 1)
                _exit(6);
            nsbox_wait(p, -1);
            _exit(7);
        }
        if (i == 0 && write(ready, "r", 1) != 1)
            _exit(6);
        if (i % 4 == 3) /* keep at most a few alive: pids and memory */
            nsbox_proc_free(p);
    }
}

/* Processes running the sandboxes' command. */
static int count_marked(void)
{
    DIR *d = opendir("/proc");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[300], buf[256];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (len > 0) {
            buf[len] = '\0';
            n += strcmp(buf, "sleep") == 0 && (size_t)len > 6 && strcmp(buf + 6, MARK) == 0;
        }
    }
    if (d)
        closedir(d);
    return n;
}

/* Reaps the orphans that came to us; waits up to 5 s for the marked
 * processes to go. Returns how many are left. */
static int settle(void)
{
    int left = 0;
    for (int tries = 0; tries < 250; tries++) {
        while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
            ;
        left = count_marked();
        if (left == 0 && t_count_children() == 0)
            return 0;
        usleep(20000);
    }
    return left ? left : t_count_children();
}

static void kill_rounds(int mode, int as_nobody, const char *parent)
{
    for (int round = 0; round < ROUNDS; round++) {
        int ready[2];
        ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(ready[0]);
            caller(mode, as_nobody, parent, ready[1]);
        }
        close(ready[1]);
        char c;
        /* after the first spawn: MID_SPAWN kills within the next ones */
        ck_assert_msg(read(ready[0], &c, 1) == 1, "caller %d died before it was ready", round);
        close(ready[0]);
        usleep((useconds_t)(rand() % (mode == MID_SPAWN ? 60000 : 5000)));
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        int st;
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert_msg(WIFSIGNALED(st), "caller %d: status 0x%x, not killed", round, st);
        int left = settle();
        if (left) /* for the log: who is left, under whom */
            ck_assert_int_ge(system("ps -eo pid,ppid,stat,user,args | grep -E 'sleep " MARK
                                    "|nsbox-init|defunct' | grep -v grep"),
                             0);
        ck_assert_msg(left == 0, "%s round %d: %d sandbox processes (or zombies) left",
                      mode == MID_SPAWN ? "mid-spawn" : "mid-wait", round, left);
    }
}

/* The next spawn under the same parent, as the same user. */
static int next_spawn(int as_nobody, const char *parent)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        become_caller(as_nobody);
        nsbox *box = fault_box(parent);
        char *argv[] = {"true", NULL};
        int r = nsbox_run(box, argv);
        if (r != 0)
            printf("next spawn: %d %s\n", r, nsbox_errmsg(box));
        _exit(r == 0 ? 0 : 1);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(test_sigkill_caller)
{
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    setvbuf(stdout, NULL, _IONBF, 0);
    ck_assert_int_eq(geteuid(), 0);
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    const char *parent = cgd_delegate("nsbox-fault", _i ? NOBODY : 0);
    ck_assert_msg(parent, "delegate a cgroup parent: %s", strerror(errno));
    kill_rounds(MID_SPAWN, _i, parent);
    kill_rounds(MID_WAIT, _i, parent);
    ck_assert_int_eq(next_spawn(_i, parent), 0);
    int left = cgd_count_sandboxes();
    cgd_remove_sandboxes();
    ck_assert_int_eq(cgd_undelegate(), 0);
    ck_assert_msg(left == 0,
                  "%d sandbox cgroups of killed callers left after the next spawn under the "
                  "parent",
                  left);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fault");
    TCase *tc = tcase_create("fault");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_sigkill_caller, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
