/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_proc_detach, nsbox_set_cgroup_path and the by-path cgroup calls
 * (issue 16): a sandbox spawned and let go by one process (an OCI
 * runtime's create) is managed from others (kill, pause, resume, ps,
 * delete), as root and as nobody with a delegated parent, on the host's
 * cgroup v1 and in the v2 guest. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgtestlib.h"
#include "testlib.h"

/* The suite's own cgroups, apart from the delegated parents
 * (cg_test_dirs_remove removes those at the end of the run). */
#define LT_PREFIX "nsbox-lt-"

/* A recipe for loop index i with its own named cgroup "<parent>/name"
 * whose command is PID 1 of a PID namespace. */
static nsbox *named_box(int i, const char *name)
{
    char parent[512], path[700];
    abs_parent(i, LT_PREFIX, parent, sizeof(parent));
    snprintf(path, sizeof(path), "%s/%s", parent, name);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_AS_PID1), 0);
    ck_assert_msg(nsbox_set_cgroup_path(box, path) == 0, "%s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "64"), 0);
    return box;
}

/* In a child process (an OCI runtime's create): spawns script, sends back
 * the sandbox's pid and cgroup, detaches and exits; the caller of this
 * function is the child subreaper that inherits the sandbox. The child
 * also checks that detach leaves it no fd more than before the spawn. */
static pid_t spawn_detached(nsbox *box, const char *script, char *cg, size_t size)
{
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int info[2];
    ck_assert_int_eq(pipe2(info, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t a = fork();
    ck_assert_int_ge(a, 0);
    if (a == 0) {
        close(info[0]);
        int fds = t_count_fds();
        char *argv[] = {"sh", "-c", (char *)script, NULL};
        nsbox_proc *p;
        if (nsbox_spawn(box, argv, &p) < 0) {
            fprintf(stderr, "spawn: %s\n", nsbox_errmsg(box));
            _exit(2);
        }
        dprintf(info[1], "%d %s\n", (int)nsbox_proc_pid(p),
                nsbox_proc_cgroup(p) ? nsbox_proc_cgroup(p) : "-");
        nsbox_proc_detach(p);
        nsbox_free(box);
        /* exit, not _exit: under ASan, LeakSanitizer checks this process
         * (the handle and all it held must be freed; exit status 23). */
        exit(t_count_fds() == fds ? 0 : 3);
    }
    close(info[1]);
    int st;
    ck_assert_int_eq(waitpid(a, &st, 0), a);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "spawner status %#x", st);
    char line[1024] = "";
    ssize_t n = read(info[0], line, sizeof(line) - 1);
    close(info[0]);
    ck_assert_int_gt(n, 0);
    line[n] = '\0';
    int pid = 0;
    ck_assert_int_eq(sscanf(line, "%d %511s", &pid, cg), 2);
    (void)size;
    return pid;
}

/* Runs one by-path call in a process of its own (another invocation of
 * the runtime); returns its result. */
enum op { OP_KILL, OP_FREEZE, OP_DESTROY, OP_PIDS };
static int op(enum op what, const char *cg, int arg)
{
    pid_t c = fork();
    ck_assert_int_ge(c, 0);
    if (c == 0) {
        nsbox *box = nsbox_new();
        int r = what == OP_KILL     ? nsbox_cgroup_kill(box, cg, arg)
                : what == OP_FREEZE ? nsbox_cgroup_freeze(box, cg, arg)
                : what == OP_PIDS   ? nsbox_cgroup_pids(box, cg, NULL, 0)
                                    : nsbox_cgroup_destroy(box, cg);
        if (r < 0)
            fprintf(stderr, "op %d: %s\n", (int)what, nsbox_errmsg(box));
        nsbox_free(box);
        _exit(r < 0 ? 100 + (-r > 99 ? 99 : -r) : r > 99 ? 99 : r);
    }
    int st;
    ck_assert_int_eq(waitpid(c, &st, 0), c);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st) >= 100 ? -(WEXITSTATUS(st) - 100) : WEXITSTATUS(st);
}

/* The text of a file (a /proc or cgroup file) into buf, or fails. */
static void read_text(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "re");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    size_t len = fread(buf, 1, size - 1, f);
    buf[len] = '\0';
    fclose(f);
}

/* Reaps the sandbox (our child now) and returns its wait status. */
static int reap_sandbox(pid_t pid)
{
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return st;
}

/* The sandbox outlives its spawner, re-parented to us (the subreaper); a
 * third process lists it and destroys it, and nothing is left. */
START_TEST(test_detach_outlives)
{
    char name[64], cg[512];
    snprintf(name, sizeof(name), LT_PREFIX "ctr-%d", (int)getpid());
    nsbox *box = named_box(_i, name);
    pid_t pid = spawn_detached(box, "exec sleep 1000", cg, sizeof(cg));
    ck_assert_msg(strstr(cg, name), "cgroup %s", cg);
    ck_assert_int_eq(kill(pid, 0), 0);
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    read_text(path, buf, sizeof(buf));
    char want[32];
    snprintf(want, sizeof(want), "\nPPid:\t%d\n", (int)getpid());
    ck_assert_msg(strstr(buf, want), "not re-parented to the subreaper:\n%s", buf);
    ck_assert_int_eq(cg_present(cg), ALL_HIERARCHIES);
    ck_assert_int_eq(op(OP_PIDS, cg, 0), 1);
    ck_assert_int_eq(op(OP_DESTROY, cg, 0), 0);
    int st = reap_sandbox(pid);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
    ck_assert_int_eq(cg_present(cg), 0);
    ck_assert_int_eq(op(OP_DESTROY, cg, 0), 0); /* gone already: fine */
    ck_assert_int_eq(op(OP_KILL, cg, SIGKILL), -ENOENT);
    nsbox_free(box);
}
END_TEST

/* True when something can be read from fd within ms; drains it. */
static bool output_within(int fd, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, ms) != 1)
        return false;
    char buf[4096];
    return read(fd, buf, sizeof(buf)) > 0;
}

/* The kernel's word on the freezer: v2 cgroup.events "frozen 1", v1
 * freezer.state "FROZEN". */
static bool kernel_frozen(const char *cg)
{
    char path[1024], buf[512] = "";
    if (cg_v2())
        snprintf(path, sizeof(path), CG "%s/cgroup.events", cg);
    else
        snprintf(path, sizeof(path), CG "/freezer%s/freezer.state", cg);
    read_text(path, buf, sizeof(buf));
    return cg_v2() ? strstr(buf, "frozen 1") != NULL : strncmp(buf, "FROZEN", 6) == 0;
}

/* Freeze stops the processes: a command that writes every 50 ms writes
 * nothing while frozen (the control: it writes before and after). */
START_TEST(test_freeze)
{
    char name[64], cg[512];
    snprintf(name, sizeof(name), LT_PREFIX "frz-%d", (int)getpid());
    nsbox *box = named_box(_i, name);
    int out[2];
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, out[1], -1), 0);
    pid_t pid = spawn_detached(box, "while :; do echo x; sleep 0.05; done", cg, sizeof(cg));
    close(out[1]);
    ck_assert_msg(output_within(out[0], 5000), "no output before the freeze");
    ck_assert_int_eq(op(OP_FREEZE, cg, 1), 0);
    ck_assert(kernel_frozen(cg));
    while (output_within(out[0], 0))
        ;
    ck_assert_msg(!output_within(out[0], 500), "output while frozen");
    ck_assert_int_eq(op(OP_FREEZE, cg, 0), 0);
    ck_assert(!kernel_frozen(cg));
    ck_assert_msg(output_within(out[0], 5000), "no output after the thaw");
    /* A frozen sandbox is destroyed all the same. */
    ck_assert_int_eq(op(OP_FREEZE, cg, 1), 0);
    ck_assert_int_eq(op(OP_DESTROY, cg, 0), 0);
    ck_assert(WIFSIGNALED(reap_sandbox(pid)));
    ck_assert_int_eq(cg_present(cg), 0);
    close(out[0]);
    nsbox_free(box);
}
END_TEST

/* Reads the pids of a cgroup.procs file. */
static int procs_read(const char *path, pid_t *pids, int max)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    int n = 0, pid;
    while (n < max && fscanf(f, "%d", &pid) == 1)
        pids[n++] = pid;
    fclose(f);
    return n;
}

/* Kill reaches a process that moved into a child cgroup below the
 * sandbox's leaf (the control: it is listed there, not in the leaf). */
START_TEST(test_kill_subtree)
{
    char name[64], cg[512];
    snprintf(name, sizeof(name), LT_PREFIX "kil-%d", (int)getpid());
    nsbox *box = named_box(_i, name);
    pid_t pid = spawn_detached(box, "sleep 1000 & sleep 1000 & wait", cg, sizeof(cg));
    nsbox *q = nsbox_new();
    pid_t pids[8];
    int n = 0;
    for (int ms = 0; ms < 5000 && (n = nsbox_cgroup_pids(q, cg, pids, 8)) < 3; ms += 10)
        usleep(10000);
    ck_assert_msg(n == 3, "%d processes: %s", n, nsbox_errmsg(q));
    pid_t mover = pids[0] == pid ? pids[1] : pids[0];
    char dir[1024], file[1100], num[16];
    cg_fs_path(cg, 0, dir, sizeof(dir));
    snprintf(file, sizeof(file), "%s/sandbox/sub", dir);
    ck_assert_int_eq(mkdir(file, 0755), 0);
    snprintf(file, sizeof(file), "%s/sandbox/sub/cgroup.procs", dir);
    snprintf(num, sizeof(num), "%d", (int)mover);
    write_file(file, num);
    pid_t listed[8] = {0};
    ck_assert_int_eq(procs_read(file, listed, 8), 1);
    ck_assert_int_eq(listed[0], mover);
    ck_assert_int_eq(nsbox_cgroup_pids(q, cg, pids, 8), 3);
    ck_assert_int_eq(op(OP_KILL, cg, SIGKILL), 0);
    ck_assert(WIFSIGNALED(reap_sandbox(pid)));
    for (int ms = 0; ms < 5000 && nsbox_cgroup_pids(q, cg, pids, 8) > 0; ms += 10)
        usleep(10000);
    ck_assert_int_eq(nsbox_cgroup_pids(q, cg, pids, 8), 0);
    ck_assert_int_eq(kill(mover, 0), -1);
    ck_assert_int_eq(op(OP_DESTROY, cg, 0), 0);
    ck_assert_int_eq(cg_present(cg), 0);
    nsbox_free(q);
    nsbox_free(box);
}
END_TEST

/* A signal other than SIGKILL reaches the command once: its trap counts. */
START_TEST(test_kill_signal)
{
    char name[64], cg[512];
    snprintf(name, sizeof(name), LT_PREFIX "sig-%d", (int)getpid());
    nsbox *box = named_box(_i, name);
    int out[2];
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, out[1], -1), 0);
    pid_t pid =
        spawn_detached(box, "trap 'echo usr1; exit 7' USR1; echo up; while :; do sleep 0.05; done",
                       cg, sizeof(cg));
    close(out[1]);
    ck_assert(output_within(out[0], 5000));
    ck_assert_int_eq(op(OP_KILL, cg, SIGUSR1), 0);
    int st = reap_sandbox(pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
    ck_assert_int_eq(op(OP_DESTROY, cg, 0), 0);
    close(out[0]);
    nsbox_free(box);
}
END_TEST

/* nobody can neither kill, freeze nor destroy root's sandbox; root can
 * (the control). */
START_TEST(test_nobody_cannot)
{
    char name[64], cg[512];
    snprintf(name, sizeof(name), LT_PREFIX "root-%d", (int)getpid());
    nsbox *box = named_box(0, name);
    pid_t pid = spawn_detached(box, "exec sleep 1000", cg, sizeof(cg));
    pid_t c = fork();
    ck_assert_int_ge(c, 0);
    if (c == 0) {
        if (!t_drop_to_nobody())
            _exit(10);
        nsbox *q = nsbox_new();
        int k = nsbox_cgroup_kill(q, cg, SIGKILL);
        int t = nsbox_cgroup_kill(q, cg, SIGTERM);
        int f = nsbox_cgroup_freeze(q, cg, 1);
        int d = nsbox_cgroup_destroy(q, cg);
        printf("nobody: kill %d term %d freeze %d destroy %d (%s)\n", k, t, f, d, nsbox_errmsg(q));
        _exit(k < 0 && t < 0 && f < 0 && d < 0 ? 0 : 11);
    }
    int st;
    ck_assert_int_eq(waitpid(c, &st, 0), c);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "nobody's attempt: %#x", st);
    ck_assert_int_eq(kill(pid, 0), 0);
    ck_assert(!kernel_frozen(cg));
    ck_assert_int_eq(cg_present(cg), ALL_HIERARCHIES);
    ck_assert_int_eq(op(OP_DESTROY, cg, 0), 0);
    ck_assert(WIFSIGNALED(reap_sandbox(pid)));
    ck_assert_int_eq(cg_present(cg), 0);
    nsbox_free(box);
}
END_TEST

/* Exactly the path: missing levels made, the processes in its "sandbox"
 * leaf, the limits out of the command's reach (the control: the caller
 * may write the same file), the cgroup removed at the reap. */
START_TEST(test_path_exact)
{
    char name[96], cg[512], dir[1024];
    snprintf(name, sizeof(name), LT_PREFIX "lvl-%d/a/b", (int)getpid());
    nsbox *box = named_box(_i, name);
    int out[2];
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, out[1], -1), 0);
    int in[2];
    ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, in[0], out[1], -1), 0);
    /* The command learns its cgroup's directory on stdin and tries to
     * lift its own limit there. */
    char *argv[] = {"sh", "-c",
                    "read d; if echo 1000 2>/dev/null >$d/pids.max; then echo wrote; "
                    "else echo refused; fi; cat /proc/self/cgroup",
                    NULL};
    nsbox_proc *p;
    ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
    close(out[1]);
    close(in[0]);
    const char *cg_path = nsbox_proc_cgroup(p);
    ck_assert_ptr_nonnull(cg_path);
    snprintf(cg, sizeof(cg), "%s", cg_path);
    size_t nl = strlen(name), cl = strlen(cg);
    ck_assert_msg(cl > nl && strcmp(cg + cl - nl, name) == 0 && cg[cl - nl - 1] == '/',
                  "cgroup %s for path %s", cg, name);
    ck_assert_int_eq(cg_present(cg), ALL_HIERARCHIES);
    cg_fs_path(cg, cg_v2() ? 0 : 1, dir, sizeof(dir));
    dprintf(in[1], "%s\n", dir);
    close(in[1]);
    char buf[4096] = "";
    size_t len = 0;
    ssize_t n;
    while ((n = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    ck_assert_int_eq(nsbox_wait(p, -1), 0);
    ck_assert_msg(strncmp(buf, "refused\n", 8) == 0, "%s", buf);
    char leaf[1100];
    snprintf(leaf, sizeof(leaf), "%s/sandbox\n", cg);
    ck_assert_msg(strstr(buf, leaf), "not in %s:\n%s", leaf, buf);
    nsbox_proc_free(p);
    ck_assert_int_eq(cg_present(cg), 0);
    /* The control: the caller itself may write the limit (the refusal
     * above is the guard's), on a cgroup made for it by hand. */
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    char file[1100];
    snprintf(file, sizeof(file), "%s/pids.max", dir);
    write_file(file, "1000");
    ck_assert_int_eq(rmdir(dir), 0);
    close(out[0]);
    nsbox_free(box);
}
END_TEST

/* A named cgroup's limits are also on its leaf, the command's own cgroup
 * (what /proc/PID/cgroup names, where OCI tools read them), and the
 * sandbox's cgroup keeps binding when the leaf's copy is raised (as the
 * command could, through a cgroup namespace rooted at the leaf). Control:
 * with the sandbox's own limit lifted too, the raised copy lets the
 * command past 64 processes, so the count below is the bound's. Loop
 * index: root/nobody, then the same two as controls. */
START_TEST(test_path_leaf_copies)
{
    int control = _i / 2;
    {
        char name[64], cg[512], dir[1024], file[1100], buf[256];
        snprintf(name, sizeof(name), LT_PREFIX "copy-%d-%d", (int)getpid(), control);
        nsbox *box = named_box(_i % 2, name); /* pids.max 64 */
        ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "256M"), 0);
        int in[2], out[2];
        ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
        ck_assert_int_eq(nsbox_set_stdio(box, in[0], out[1], -1), 0);
        /* forks up to 90 sleepers (a shell dies at its first failed fork) */
        char *argv[] = {"python3", "-c",
                        "import os, sys, time\n"
                        "sys.stdin.readline()\n"
                        "n = 0\n"
                        "for i in range(90):\n"
                        "    try:\n"
                        "        if os.fork() == 0:\n"
                        "            time.sleep(30)\n"
                        "            os._exit(0)\n"
                        "        n += 1\n"
                        "    except OSError:\n"
                        "        pass\n"
                        "print(n, flush=True)\n"
                        "sys.stdin.readline()\n",
                        NULL};
        nsbox_proc *p;
        ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
        close(in[0]);
        close(out[1]);
        snprintf(cg, sizeof(cg), "%s", nsbox_proc_cgroup(p));
        /* pids: hierarchy 1 of cg_fs_path on v1 (memory is 0), the one on v2 */
        cg_fs_path(cg, cg_v2() ? 0 : 1, dir, sizeof(dir));
        snprintf(file, sizeof(file), "%s/sandbox/pids.max", dir);
        read_text(file, buf, sizeof(buf));
        ck_assert_str_eq(buf, "64\n");
        cg_fs_path(cg, 0, file, sizeof(file));
        snprintf(file + strlen(file), sizeof(file) - strlen(file), "/sandbox/%s",
                 cg_v2() ? "memory.max" : "memory.limit_in_bytes");
        read_text(file, buf, sizeof(buf));
        ck_assert_str_eq(buf, "268435456\n");
        /* The command's copy raised; in the control the bound too. */
        snprintf(file, sizeof(file), "%s/sandbox/pids.max", dir);
        write_file(file, "1000");
        if (control) {
            snprintf(file, sizeof(file), "%s/pids.max", dir);
            write_file(file, "max");
        }
        ck_assert_int_eq(write(in[1], "go\n", 3), 3);
        char line[16] = "";
        ck_assert_int_gt(read(out[0], line, sizeof(line) - 1), 0);
        long n = strtol(line, NULL, 10);
        if (control)
            ck_assert_msg(n == 90, "control: %ld children with both limits lifted", n);
        else
            ck_assert_msg(n < 64, "%ld children under pids.max 64", n);
        close(in[1]);
        nsbox_kill(p, SIGKILL);
        nsbox_wait(p, -1);
        nsbox_proc_free(p);
        ck_assert_int_eq(cg_present(cg), 0);
        close(out[0]);
        nsbox_free(box);
    }
}
END_TEST

/* An existing cgroup at the path is used, and kept at the reap (not the
 * spawn's to remove: only the leaf it made goes); the exec gate works
 * with a memory limit (the exec helper's placement mode and the gate at
 * once): what waits is already in the leaf. */
START_TEST(test_path_existing_gate_memory)
{
    char name[64], cg[512], dir[1024];
    snprintf(name, sizeof(name), LT_PREFIX "mem-%d", (int)getpid());
    nsbox *box = named_box(_i, name);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "64M"), 0);
    int gate[2], out[2];
    ck_assert_int_eq(pipe2(gate, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_exec_gate(box, gate[0]), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, out[1], -1), 0);
    char *argv[] = {"sh", "-c", "echo ran", NULL};
    nsbox_proc *p;
    for (int round = 0; round < 2; round++) {
        ck_assert_msg(nsbox_spawn(box, argv, &p) == 0, "%s", nsbox_errmsg(box));
        snprintf(cg, sizeof(cg), "%s", nsbox_proc_cgroup(p));
        char path[64], buf[2048] = "";
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)nsbox_proc_pid(p));
        read_text(path, buf, sizeof(buf));
        char leaf[1100];
        snprintf(leaf, sizeof(leaf), "%s/sandbox\n", cg);
        ck_assert_msg(strstr(buf, leaf), "what waits is not in %s:\n%s", leaf, buf);
        ck_assert_int_eq(write(gate[1], "x", 1), 1);
        ck_assert_int_eq(nsbox_wait(p, -1), 0);
        nsbox_proc_free(p);
        /* The second round finds the cgroup made by hand. */
        cg_fs_path(cg, 0, dir, sizeof(dir));
        if (round == 0)
            ck_assert_int_eq(mkdir(dir, 0755), 0);
    }
    close(out[1]);
    char buf[64] = "";
    ck_assert_int_eq(read(out[0], buf, sizeof(buf) - 1), 8);
    ck_assert_str_eq(buf, "ran\nran\n");
    /* v1: the hierarchies where C was missing lost it again */
    ck_assert_int_eq(cg_present(cg), 1);
    char leaf[1100];
    snprintf(leaf, sizeof(leaf), "%s/sandbox", dir);
    ck_assert_int_eq(access(leaf, F_OK), -1);
    ck_assert_int_eq(rmdir(dir), 0);
    ck_assert_int_eq(cg_present(cg), 0);
    close(gate[0]);
    close(gate[1]);
    close(out[0]);
    nsbox_free(box);
}
END_TEST

/* The removal of dead callers' cgroups keeps a detached sandbox's, even
 * once it has ended; the control: a dead caller's that was not detached
 * goes. */
START_TEST(test_sweep_keeps_detached)
{
    char parent[512], kept[512], swept[512];
    abs_parent(_i, LT_PREFIX, parent, sizeof(parent));
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_cgroup_parent(box, *parent ? parent : "/"), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "64"), 0);
    pid_t pid = spawn_detached(box, "true", kept, sizeof(kept));
    reap_sandbox(pid);
    /* The control: a caller that dies holding its handle. */
    int info[2];
    ck_assert_int_eq(pipe2(info, O_CLOEXEC), 0);
    pid_t a = fork();
    ck_assert_int_ge(a, 0);
    if (a == 0) {
        char *argv[] = {"true", NULL};
        nsbox_proc *p;
        if (nsbox_spawn(box, argv, &p) < 0)
            _exit(2);
        dprintf(info[1], "%d %s\n", (int)nsbox_proc_pid(p), nsbox_proc_cgroup(p));
        _exit(0);
    }
    close(info[1]);
    ck_assert_int_eq(waitpid(a, NULL, 0), a);
    char line[1100] = "";
    ssize_t n = read(info[0], line, sizeof(line) - 1);
    close(info[0]);
    ck_assert_int_gt(n, 0);
    int orphan = 0;
    ck_assert_int_eq(sscanf(line, "%d %511s", &orphan, swept), 2);
    reap_sandbox(orphan);
    ck_assert_int_ge(cg_present(kept), 1);
    ck_assert_int_ge(cg_present(swept), 1);
    char *argv[] = {"true", NULL};
    ck_assert_msg(nsbox_run(box, argv) == 0, "%s", nsbox_errmsg(box));
    ck_assert_int_eq(cg_present(swept), 0);
    ck_assert_int_ge(cg_present(kept), 1);
    ck_assert_int_eq(op(OP_DESTROY, kept, 0), 0);
    ck_assert_int_eq(cg_present(kept), 0);
    nsbox_free(box);
}
END_TEST

/* Bad paths are refused at once with the path in the message. */
START_TEST(test_path_errors)
{
    nsbox *box = nsbox_new();
    const char *bad[] = {"", "/", "a/../b", "/a//b", "./a", "a/", "/a/.", NULL};
    for (int i = 0; bad[i]; i++) {
        ck_assert_int_eq(nsbox_set_cgroup_path(box, bad[i]), -EINVAL);
        ck_assert_msg(strstr(nsbox_errmsg(box), "cgroup path"), "%s", nsbox_errmsg(box));
    }
    char longname[300];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ck_assert_int_eq(nsbox_set_cgroup_path(box, longname), -EINVAL);
    ck_assert_int_eq(nsbox_set_cgroup_path(box, NULL), 0);
    const char *bad_cg[] = {"relative", "/a/../b", "/", NULL};
    for (int i = 0; bad_cg[i]; i++) {
        ck_assert_int_eq(nsbox_cgroup_kill(box, bad_cg[i], SIGKILL), -EINVAL);
        ck_assert_msg(strstr(nsbox_errmsg(box), bad_cg[i]), "%s", nsbox_errmsg(box));
        ck_assert_int_eq(nsbox_cgroup_destroy(box, bad_cg[i]), -EINVAL);
    }
    ck_assert_int_eq(nsbox_cgroup_kill(box, "/" LT_PREFIX "none", SIGKILL), -ENOENT);
    ck_assert_msg(strstr(nsbox_errmsg(box), LT_PREFIX "none"), "%s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_cgroup_freeze(box, "/" LT_PREFIX "none", 1), -ENOENT);
    ck_assert_int_eq(nsbox_cgroup_pids(box, "/" LT_PREFIX "none", NULL, 0), -ENOENT);
    ck_assert_int_eq(nsbox_cgroup_destroy(box, "/" LT_PREFIX "none"), 0);
    ck_assert_int_eq(nsbox_cgroup_kill(box, "/x", 1000), -EINVAL);
    nsbox_free(box);
}
END_TEST

/* A path the caller may not create under fails the spawn naming it, and
 * leaves nothing (nobody under the hierarchies' root). */
START_TEST(test_path_refused)
{
    char path[64];
    snprintf(path, sizeof(path), "/" LT_PREFIX "deny-%d/ctr", (int)getpid());
    t_as(1);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_cgroup_path(box, path), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "64"), 0);
    int fds = t_count_fds();
    char *argv[] = {"true", NULL};
    int r = nsbox_run(box, argv);
    ck_assert_msg(r == -EACCES || r == -EPERM, "%d: %s", r, nsbox_errmsg(box));
    ck_assert_msg(strstr(nsbox_errmsg(box), LT_PREFIX "deny-"), "%s", nsbox_errmsg(box));
    char top[64];
    snprintf(top, sizeof(top), "/" LT_PREFIX "deny-%d", (int)getpid());
    ck_assert_int_eq(cg_present(top), 0);
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
}
END_TEST

static void cleanup(void)
{
    cg_dirs_remove_named(LT_PREFIX);
    cg_test_dirs_remove();
}

int main(void)
{
    Suite *s = suite_create("detach");
    TCase *tc = tcase_create("detach");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, NULL, cleanup);
    tcase_add_loop_test(tc, test_detach_outlives, 0, 2);
    tcase_add_loop_test(tc, test_freeze, 0, 2);
    tcase_add_loop_test(tc, test_kill_subtree, 0, 2);
    tcase_add_loop_test(tc, test_kill_signal, 0, 2);
    tcase_add_test(tc, test_nobody_cannot);
    tcase_add_loop_test(tc, test_path_exact, 0, 2);
    tcase_add_loop_test(tc, test_path_existing_gate_memory, 0, 2);
    tcase_add_loop_test(tc, test_path_leaf_copies, 0, 4);
    tcase_add_loop_test(tc, test_sweep_keeps_detached, 0, 2);
    tcase_add_test(tc, test_path_errors);
    tcase_add_test(tc, test_path_refused);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
