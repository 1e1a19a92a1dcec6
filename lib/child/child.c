/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's side of a spawn: the stages between clone and exec.
 *
 * Everything here runs on a stack of its own while sharing the caller's
 * memory (CLONE_VM), so it uses raw system calls only: no errno, no
 * allocation, no locks. A failing step reports {step, errno, index} on the
 * report pipe and exits.
 *
 * Stage 0 is the clone3 child. It joins namespaces. When the target PID
 * namespace applies to children only (joined, or unshared after a join), it
 * forks stage 1 into it as the caller's child (CLONE_PARENT), hands stage
 * 1's pidfd to the parent and exits: the sandbox's first process is inside
 * its PID namespace, and nothing of the spawn stays outside. A stage that
 * is not PID 1 but whose status the kernel cannot keep for us (before Linux
 * 6.15, see plan.c) forks the command and becomes a monitor running the
 * init helper. The process that is PID 1 of a new PID namespace forks the
 * command and runs the init helper, unless NSBOX_AS_PID1. The command's
 * stage sets up the filesystem, identity and fds, and execs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "caps_child.h"
#include "child.h"
#include "sys.h"

/* The report channel: a pipe made here, in stage 0's own copy of the fd
 * table (CLONE_VM without CLONE_FILES), so that its write end is held by
 * the stages alone: no fork of another thread of the caller inherits it,
 * and end-of-file on the read end means that every stage has exec'd or
 * died. The read end goes to the parent over the sync socket. */
CHILD static long child_report_channel(struct plan *p)
{
    int fds[2];
    long r = sys2(SYS_pipe2, fds, O_CLOEXEC);
    if (r < 0)
        return r;
    /* above every fd the command receives, like the sync socket */
    long wr = sys3(SYS_fcntl, fds[1], F_DUPFD_CLOEXEC, p->max_fd + 1);
    sys1(SYS_close, fds[1]);
    if (wr < 0) {
        sys1(SYS_close, fds[0]);
        return wr;
    }
    struct child_report hello = {.step = STEP_NONE, .index = 1};
    struct iovec iov = {.iov_base = &hello, .iov_len = sizeof(hello)};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } c;
    for (unsigned long i = 0; i < sizeof(c); i++)
        c.buf[i] = 0;
    c.h.cmsg_len = CMSG_LEN(sizeof(int));
    c.h.cmsg_level = SOL_SOCKET;
    c.h.cmsg_type = SCM_RIGHTS;
    *(int *)CMSG_DATA(&c.h) = fds[0];
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf)};
    r = sys_retry(sys3(SYS_sendmsg, p->sync_fd, &msg, MSG_NOSIGNAL));
    sys1(SYS_close, fds[0]);
    if (r < 0) {
        sys1(SYS_close, wr);
        return r;
    }
    p->report_fd = (int)wr;
    return 0;
}

/* The init keeps CAP_KILL across exec, and CAP_SETUID, CAP_SETGID and
 * CAP_SETPCAP to take the command's ids and empty its bounding set, also
 * when it runs as a uid other than 0 of its user namespace (a shifted map,
 * where it still has the caller's host uid): as ambient capabilities,
 * which it clears at once (nsbox-init.c). Only capabilities this stage
 * holds are raised; a bounding set without them leaves the init without
 * them (it then ends with 125 if it needed them for the ids). */
CHILD static void child_init_ambient(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    static const int caps[] = {CAP_KILL, CAP_SETUID, CAP_SETGID, CAP_SETPCAP};
    if (sys2(SYS_capget, &h, d) < 0)
        return;
    const int n = (int)ARRAY_SIZE(caps);
    unsigned want = 0;
    for (int i = 0; i < n; i++)
        want |= d[0].permitted & CAP_TO_MASK(caps[i]);
    d[0].inheritable |= want;
    if (sys2(SYS_capset, &h, d) < 0)
        return;
    for (int i = 0; i < n; i++)
        if (want & CAP_TO_MASK(caps[i]))
            sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0, 0);
}

/* Replaces this stage with the init helper, which waits for pid (its
 * child), forwards signals to it and reports its status. It gets the
 * command's ids when the command switches: no id of the caller's stays in
 * the sandbox. */
CHILD int child_exec_init(struct plan *p, int slot, long pid)
{
    struct init_args *a = &p->init_args[slot];
    child_utoa(a->pid, (unsigned long)pid);
    child_utoa(a->status_fd, (unsigned long)p->status_fd);
    a->argv[0] = "nsbox-init";
    a->argv[1] = a->pid;
    a->argv[2] = a->status_fd;
    /* The time limits: the init enforces them only as PID 1. */
    a->argv[3] = p->time_limits ? p->time_limits : "-";
    a->argv[4] = 0;
    if (p->set_ids) {
        child_utoa(a->uid, p->uid);
        child_utoa(a->gid, p->gid);
        a->argv[4] = a->uid;
        a->argv[5] = a->gid;
        a->argv[6] = p->drop_groups ? "1" : "0";
        a->argv[7] = 0;
        if (p->stages[slot].parent_pidfd >= 0) {
            child_utoa(a->parent_pidfd, (unsigned long)p->stages[slot].parent_pidfd);
            a->argv[7] = a->parent_pidfd;
            a->argv[8] = 0;
        }
    }
    if (!p->init_unhardened)
        child_init_ambient();
    /* Only the status pipe (and the CPU usage file) reach the init: not the
     * caller's fds. */
    long r = sys3(SYS_close_range, 0, ~0U, CLOSE_RANGE_CLOEXEC);
    if (r == 0)
        r = sys3(SYS_fcntl, p->status_fd, F_SETFD, 0);
    if (r == 0 && a->argv[4] && a->argv[7])
        r = sys3(SYS_fcntl, p->stages[slot].parent_pidfd, F_SETFD, 0);
    if (r == 0 && p->cpu_fd >= 0)
        r = sys3(SYS_fcntl, p->cpu_fd, F_SETFD, 0);
    if (r == 0)
        r = sys5(SYS_execveat, p->init_fd, "", a->argv, p->init_envp, AT_EMPTY_PATH);
    child_fail(p, STEP_INIT_EXEC, r, 0);
    sys2(SYS_kill, pid, SIGKILL);
    siginfo_t si;
    sys5(SYS_waitid, P_PID, pid, &si, WEXITED | __WALL, 0);
    return 127;
}

/* The init's cwd must be its root, so that the command stage's pivot_root
 * moves both into the new root (it moves every cwd and root of the mount
 * namespace that is the old root) and /proc/1/cwd never leads to the
 * caller's tree. This stage goes to "/" before the fork, not after: a
 * chdir racing the pivot_root could land on the old root once pivot_root
 * has moved the rest. The command stage gets the cwd back from the
 * returned O_PATH fd (child_cwd_restore). */
CHILD static long child_cwd_to_root(struct plan *p)
{
    p->stage_cwd_fd = -1;
    if (p->init_unhardened)
        return 0;
    long fd = sys4(SYS_openat, AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    long r = sys1(SYS_chdir, "/");
    if (r < 0) {
        sys1(SYS_close, fd);
        return r;
    }
    p->stage_cwd_fd = (int)fd;
    return 0;
}

CHILD static long child_cwd_restore(struct plan *p)
{
    if (p->stage_cwd_fd < 0)
        return 0;
    long r = sys1(SYS_fchdir, p->stage_cwd_fd);
    sys1(SYS_close, p->stage_cwd_fd);
    return r;
}

/* fn runs on stack slot `level` in our memory while this stage, at the
 * same time, becomes the init helper watching it: the init's exec overlaps
 * the command's setup instead of following it (no CLONE_VFORK). A failure
 * of fn is reported by fn; the init then reaps it and exits. */
CHILD static int child_fork_stage(struct plan *p, int level, int (*fn)(void *))
{
    __atomic_store_n(&p->exec_words[level], 1, __ATOMIC_RELEASE);
    p->cmd_level = level; /* the deepest fork is the command's */
    /* The new stage polls this one after arming its parent-death signal
     * and after an id change of its own; a pidfd of oneself needs Linux
     * 5.3 (as clone3 does: only the clone() fallback on 5.2 goes without
     * the check). */
    long fd = sys2(SYS_pidfd_open, sys0(SYS_getpid), 0);
    p->stages[level].parent_pidfd = fd < 0 ? -1 : (int)fd;
    struct clone_args args = {
        .flags = CLONE_VM | CLONE_CHILD_CLEARTID,
        .child_tid = (unsigned long)&p->exec_words[level],
        .exit_signal = SIGCHLD,
        .stack = (unsigned long)(p->stack + (size_t)level * p->stack_stride),
        .stack_size = p->stack_size,
    };
    long r = child_cwd_to_root(p);
    if (r < 0)
        return child_fail(p, STEP_INIT_CWD, r, 0);
    long pid = nsbox_clone3(&args, sizeof(args), fn, &p->stages[level]);
    if (pid < 0)
        return child_fail(p, STEP_FORK, pid, level);
    return child_exec_init(p, level - 1, pid);
}

/* A forked stage's parent is an init helper of ours: when it dies, so
 * must the stage (also when it died before the signal was armed). */
CHILD static int child_stage_command(void *arg)
{
    struct plan_stage *s = arg;
    if (child_pdeath_rearm(s))
        return 127;
    long r = child_cwd_restore(s->p);
    if (r < 0)
        return child_fail(s->p, STEP_INIT_CWD, r, 1);
    return child_command(s);
}

/* Stage 1 after a hand-over waits for stage 0 to exit, so that stage 0's
 * message with its pidfd is on the sync socket before any of this stage's
 * (the parent takes them in that order), and nothing of the spawn is left
 * outside the PID namespace once this stage runs on. Without the message
 * (stage 0 was killed before it was sure to have sent it) this stage may be
 * unknown to the parent: it reports and exits, and the parent reaps it by
 * its pidfd or its pid. */
CHILD static bool child_handoff_wait(struct plan *p)
{
    int v;
    while ((v = __atomic_load_n(&p->exec_words[0], __ATOMIC_ACQUIRE)) != 0)
        sys4(SYS_futex, &p->exec_words[0], FUTEX_WAIT, v, 0);
    return __atomic_load_n(&p->handoff_sent, __ATOMIC_ACQUIRE) != 0;
}

/* Stage 1 after a join or unshare of a PID namespace: inside it now. */
CHILD static int child_stage_pid1(void *arg)
{
    struct plan_stage *s = arg;
    struct plan *p = s->p;
    if (p->pid_handoff && !child_handoff_wait(p))
        return child_fail(p, STEP_FORK, -ESRCH, 3);
    if (child_pdeath_rearm(s))
        return 127;
    long r = child_cwd_restore(p);
    if (r < 0)
        return child_fail(p, STEP_INIT_CWD, r, 1);
    if (p->use_init && sys0(SYS_getpid) == 1)
        return child_fork_stage(p, 2, child_stage_command);
    /* A joined PID namespace on a kernel without PIDFD_INFO_EXIT: the
     * monitor, inside it. */
    if (p->pid_handoff && p->monitor)
        return child_fork_stage(p, 2, child_stage_command);
    return child_command(s);
}

/* Stage 0 in a pid_handoff plan: forks stage 1 into the target PID
 * namespace as the caller's child, sends its pidfd to the parent (stage 0
 * has its own fd table) and exits. CLONE_PARENT gives stage 1 stage 0's
 * exit signal (0, see spawn_clone) and stage 0's parent: its parent-death
 * signal follows the caller's thread, as stage 0's does. Stage 0 is never
 * a PID namespace's init here (the namespaces were unshared, not cloned),
 * which CLONE_PARENT would refuse. */
CHILD static int child_handoff(struct plan *p)
{
    __atomic_store_n(&p->exec_words[1], 1, __ATOMIC_RELEASE);
    p->cmd_level = 1;
    p->stage_cwd_fd = -1;
    p->stages[1].parent_pidfd = p->stages[0].parent_pidfd;
    int pidfd = -1;
    struct clone_args args = {
        .flags = CLONE_VM | CLONE_PARENT | CLONE_PIDFD | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
        .pidfd = (unsigned long)&pidfd,
        .parent_tid = (unsigned long)&p->handoff_pid,
        .child_tid = (unsigned long)&p->exec_words[1],
        .exit_signal = 0,
        .stack = (unsigned long)(p->stack + p->stack_stride),
        .stack_size = p->stack_size,
    };
    long pid = nsbox_clone3(&args, sizeof(args), child_stage_pid1, &p->stages[1]);
    if (pid < 0)
        return child_fail(p, STEP_FORK, pid, 1);
    long r = child_send_fd(p->sync_fd, STEP_FORK, 1, pidfd);
    if (r < 0) {
        sys4(SYS_pidfd_send_signal, pidfd, SIGKILL, 0, 0);
        return child_fail(p, STEP_FORK, r, 2);
    }
    __atomic_store_n(&p->handoff_sent, 1, __ATOMIC_RELEASE);
    return 0;
}

/* Joins the recipe's namespaces, then unshares the new ones inside them;
 * 0, or the exit code after child_fail (like every step that reports). */
CHILD static int child_join(struct plan *p)
{
    for (int i = 0; i < p->n_joins; i++) {
        long r = sys2(SYS_setns, p->joins[i].fd, p->joins[i].nstype);
        if (r < 0)
            return child_fail(p, STEP_SETNS, r, i);
    }
    if (p->unshare_ns) {
        long r = sys1(SYS_unshare, p->unshare_ns);
        if (r < 0)
            return child_fail(p, STEP_UNSHARE, r, 0);
    }
    return 0;
}

/* Tells the parent we are ready for maps and cgroup placement, and waits
 * for its go: 0, a negative errno, or 1 at EOF, when the parent gave up
 * (the stage exits without a report). */
CHILD static long child_sync(struct plan *p)
{
    char c = 0;
    long r;
    if (p->send_ready) {
        struct child_report ready = {.step = STEP_NONE};
        r = sys3(SYS_write, p->report_fd, &ready, sizeof(ready));
        if (r < 0)
            return r;
    }
    r = sys_retry(sys3(SYS_read, p->sync_fd, &c, 1));
    return r == 1 ? 0 : r == 0 ? 1 : r;
}

/* Whether the caller died before child_pdeathsig armed the signal (it
 * then never comes): its end of the sync socket is closed, which reads as
 * EOF once the go byte, if any, was taken. */
CHILD static bool child_parent_gone(const struct plan *p)
{
    char c;
    return sys6(SYS_recvfrom, p->sync_fd, (long)&c, 1, MSG_PEEK | MSG_DONTWAIT, 0, 0) == 0;
}

CHILD int child_main(void *arg)
{
    struct plan *p = arg;
    /* Our copy of the caller's fd table holds the caller's end too: without
     * it, the caller's death is not EOF here (child_sync, child_parent_gone). */
    sys1(SYS_close, p->parent_sync_fd);
    long r = child_report_channel(p);
    if (r < 0)
        return child_fail(p, STEP_REPORT, r, 0);
    /* No disposition of the caller may leak into the command. The caller's
     * handlers cannot run here (every signal stays blocked until exec,
     * which resets them to default); SIG_IGN survives exec, so the signals
     * the caller ignores go back to default. */
    r = child_signals_default(p->ignored_signals);
    if (r < 0)
        return child_fail(p, STEP_SIGNALS, r, 0);
    /* The caller may have died already, before the signal was armed. */
    if (child_pdeath_rearm(&p->stages[0]))
        return 127;
    /* v1: "0" in "tasks" moves this single-threaded process without the
     * global lock that a pid written to cgroup.procs takes (milliseconds).
     * With a memory limit the command's exec helper moves instead: its
     * files go above every fd the command receives, out of the shuffle. */
    for (int i = 0; i < p->n_cgroup_moves; i++) {
        if (p->cgroup_late) {
            r = sys3(SYS_fcntl, p->cgroup_moves[i].fd, F_DUPFD_CLOEXEC, p->max_fd + 1);
            if (r >= 0) {
                sys1(SYS_close, p->cgroup_moves[i].fd);
                p->cgroup_moves[i].fd = (int)r;
            }
        } else {
            r = sys3(SYS_write, p->cgroup_moves[i].fd, "0", 1);
        }
        if (r < 0)
            return child_fail(p, STEP_CGROUP, r, i);
    }
    if (p->n_joins && child_join(p))
        return 127;
    if (p->send_ready || p->wait_go) {
        r = child_sync(p);
        if (r > 0)
            return 1;
        if (r < 0)
            return child_fail(p, STEP_SYNC, r, 0);
    }
    if (p->ids_early && child_ids_early(p))
        return 127;
    if ((p->n_joins || p->ids_early) && child_pdeath_rearm(&p->stages[0]))
        return 127;
    if ((p->flags & NSBOX_DIE_WITH_PARENT) && child_parent_gone(p))
        return 1;
    if (p->cgroupns_late) {
        r = sys1(SYS_unshare, CLONE_NEWCGROUP);
        if (r < 0)
            return child_fail(p, STEP_CGROUPNS, r, 0);
    }
    if (p->pid_handoff)
        return child_handoff(p);
    if (p->monitor)
        return child_fork_stage(p, 1, child_stage_pid1);
    if (p->use_init && sys0(SYS_getpid) == 1)
        return child_fork_stage(p, 1, child_stage_command);
    return child_command(&p->stages[0]);
}
