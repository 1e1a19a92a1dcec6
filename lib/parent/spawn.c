/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's side of a spawn: clone3 into the namespaces, user maps,
 * the go signal, and the child's report of exec or of the failed step.
 * The sync socket carries "go" to the child and the read end of stage 0's
 * report pipe to us (and, after a hand-over, stage 1's pidfd: handoff.c);
 * the pipe carries reports and, by its end-of-file, the news that every
 * stage has exec'd or exited. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* linux/pidfd.h of Linux 6.9 */
#endif

#include "cgroup.h"
#include "console_plan.h"
#include "dump_guard.h"
#include "handoff.h"
#include "internal.h"
#include "lock.h"
#include "join_pid.h"
#include "oci_plan.h"
#include "report.h"
#include "sys.h"
#include "child.h"
#include "idmap.h"
#include "plan.h"
#include "time_watch.h"

static char *const empty_env[] = {NULL};
static char *const unhardened_env[] = {"NSBOX_INIT_UNHARDENED=1", NULL};

struct spawn_fds {
    int sync;      /* parent's end of the sync socket */
    int status_rd; /* read end of the init's status pipe */
};

/* The sync socket. The child's end sits above every fd the command
 * receives, so that the fd shuffle before exec cannot overwrite it. */
static int sync_open(nsbox *box, struct plan *p, struct spawn_fds *fds)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return box_fail(box, errno, "create the sync socket");
    fds->sync = p->parent_sync_fd = sv[0];
    p->sync_fd = fcntl(sv[1], F_DUPFD_CLOEXEC, p->max_fd + 1);
    int err = errno;
    close(sv[1]);
    if (p->sync_fd < 0)
        return box_fail(box, err, "move the sync socket above fd %d", p->max_fd);
    return 0;
}

/* The init helper's memfd, above every fd the command receives (the
 * command's stage execs it after the fd shuffle when placing itself). */
static int init_fd_open(nsbox *box, struct plan *p)
{
    _cleanup_close_ int fd = init_memfd_open(box);
    if (fd < 0)
        return fd;
    p->init_fd = fcntl(fd, F_DUPFD_CLOEXEC, p->max_fd + 1);
    if (p->init_fd < 0)
        return box_fail(box, errno, "move the init helper's memfd above fd %d", p->max_fd);
    return 0;
}

/* With NSBOX_DIE_WITH_PARENT, a pidfd of the spawning thread, the one
 * whose exit fires the parent-death signal: stage 0 polls it after
 * re-arming the signal (child_pdeath_rearm). A thread pidfd needs Linux
 * 6.9; before it, the process's pidfd sees only the whole caller exit. */
static int pdeath_open(nsbox *box, struct plan *p)
{
    if (!(p->flags & NSBOX_DIE_WITH_PARENT))
        return 0;
    int fd = (int)syscall(SYS_pidfd_open, gettid(), PIDFD_THREAD);
    if (fd < 0 && errno == EINVAL)
        fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (fd < 0)
        return box_fail(box, errno, "open a pidfd of the caller for the parent-death check");
    p->stages[0].parent_pidfd = fd;
    return 0;
}

/* The exec gate (nsbox_set_exec_gate): a copy of the caller's fd above
 * every fd the command receives, which the command's stage hands to the
 * init helper's exec mode (the only one to leave it open across exec). */
static int gate_open(nsbox *box, struct plan *p)
{
    if (box->gate.fd < 0)
        return 0;
    p->gate_fd = fcntl(box->gate.fd, F_DUPFD_CLOEXEC, p->max_fd + 1);
    if (p->gate_fd < 0)
        return box_fail(box, errno, "move the exec gate fd %d above fd %d", box->gate.fd,
                        p->max_fd);
    return 0;
}

static int status_pipe_open(nsbox *box, struct plan *p, struct spawn_fds *fds)
{
    if (!p->use_init && !p->monitor && !p->exec_helper)
        return 0;
    int r = init_fd_open(box, p);
    if (r < 0 || (!p->use_init && !p->monitor))
        return r;
    p->init_envp = p->init_unhardened ? unhardened_env : empty_env;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return box_fail(box, errno, "create the status pipe");
    fds->status_rd = pipefd[0];
    p->status_fd = pipefd[1];
    if (fcntl(fds->status_rd, F_SETFL, O_NONBLOCK) < 0)
        return box_fail(box, errno, "make the status pipe non-blocking");
    return 0;
}

/* Every command is exec'd by the init helper's exec mode, from its sealed
 * memfd ("nsbox-init [gate GATE_FD] exec REPORT INDEX PID NFDS FD... PATH
 * ARGV..."): an execve from the command's stage would resolve the
 * command's "#!" interpreter while the stage still shares the caller's
 * memory and holds its fds, so "#!/proc/self/exe" would run the caller's
 * binary in the sandbox and hand it /proc/PID/exe to write (runc's
 * CVE-2019-5736), and "#!/proc/self/fd/N/..." would reach a host directory
 * (CVE-2024-21626). Room for the helper's argv and numbers. */
static int placed_plan(nsbox *box, struct plan *p)
{
    p->exec_helper = true;
    size_t argc = 0;
    while (p->argv[argc])
        argc++;
    p->placed_argv = plan_alloc(p, (10 + (size_t)p->n_cgroup_moves + argc) * sizeof(char *));
    p->placed_nums = plan_alloc(p, (5 + (size_t)p->n_cgroup_moves) * sizeof(*p->placed_nums));
    if (!p->placed_argv || !p->placed_nums)
        return box_fail(box, ENOMEM, "plan");
    return 0;
}

/* clone3 with all signals blocked, so that no handler of the caller runs
 * on the child's stack before the child resets them; the caller's mask is
 * restored at once. exit_signal 0 keeps the child from the caller's
 * waitpid(-1) and SIGCHLD handling until exec, which resets it to SIGCHLD
 * (see plan_status_needs_monitor for how the status survives after); a
 * stage 1 forked with CLONE_PARENT (handoff.c) gets the same 0. The
 * kernel clears exec_words[0] when stage 0 execs or exits (the command's
 * stage waits for it: child_wait_stages). */
static pid_t spawn_clone(struct plan *p, int *pidfd)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    p->exec_words[0] = 1;
    struct clone_args args = {
        .flags = CLONE_VM | CLONE_PIDFD | CLONE_CHILD_CLEARTID | p->clone_ns,
        .pidfd = (uintptr_t)pidfd,
        .child_tid = (uintptr_t)&p->exec_words[0],
        .exit_signal = 0,
        .stack = (uintptr_t)p->stack,
        .stack_size = p->stack_size,
    };
    if (p->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)p->cgroup_fd;
    }
    long pid = nsbox_clone3(&args, sizeof(args), child_main, p);
    /* clone3 needs Linux 5.3; clone() with CLONE_PIDFD works from 5.2, but
     * cannot place the child in a cgroup: only where clone3 would not
     * either (no v2 cgroup fd; on v1 the child moves itself). */
    if (pid == -ENOSYS && p->cgroup_fd < 0) {
        pid = clone(child_main, p->stack + args.stack_size,
                    (int)(CLONE_VM | CLONE_PIDFD | CLONE_CHILD_CLEARTID | p->clone_ns), p, pidfd,
                    NULL, &p->exec_words[0]);
        if (pid < 0)
            pid = -errno;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return (pid_t)pid;
}

/* Reads one report from the report pipe; 0 with rep->step STEP_NONE for
 * "ready", 1 for end-of-file (every stage exec'd or exited), or a negative
 * errno. */
static int report_read(int fd, struct child_report *rep)
{
    size_t got = 0;
    while (got < sizeof(*rep)) {
        ssize_t n = read(fd, (char *)rep + got, sizeof(*rep) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return got ? -EPROTO : 1;
        got += (size_t)n;
    }
    return 0;
}

static void reap(int pidfd)
{
    siginfo_t si;
    while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
        ;
}

/* Receives the read end of stage 0's report pipe (or stage 0's failure to
 * make it) over the sync socket. The socket's other end may have been
 * inherited by a fork of another thread, so its end-of-file proves nothing:
 * the pidfd tells when stage 0 died without a word. */
static int channel_receive(nsbox *box, const struct plan *p, int sync, int pidfd, int *report)
{
    struct pollfd pfd[2] = {{.fd = sync, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    for (;;) {
        int n = poll(pfd, 2, -1);
        if (n < 0 && errno != EINTR)
            return box_fail(box, errno, "wait for the child's report pipe");
        if (n <= 0)
            continue;
        if (pfd[0].revents)
            break;
        if (pfd[1].revents)
            return box_fail(box, ECHILD, "wait for the child's report pipe (the child died)");
    }
    struct child_report rep = {0}; /* recvmsg fills it; a short one is refused below */
    struct iovec iov = {.iov_base = &rep, .iov_len = sizeof(rep)};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } c;
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf)};
    ssize_t n;
    do
        n = recvmsg(sync, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return box_fail(box, errno, "receive the child's report pipe");
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
        cm->cmsg_len == CMSG_LEN(sizeof(int))) {
        memcpy(report, CMSG_DATA(cm), sizeof(int));
        if (n == sizeof(rep) && rep.step == STEP_NONE)
            return 0;
        closep(report);
    }
    if (n == sizeof(rep) && rep.step != STEP_NONE)
        return report_error(&box->err, p, &rep);
    return box_fail(box, n == 0 ? ECHILD : EPROTO, "receive the child's report pipe");
}

/* Reads the child's one report before the final end-of-file: a failed
 * step, or (expect_ready) the "ready" of its new user namespace. */
static int spawn_report(nsbox *box, const struct plan *p, int report, bool expect_ready)
{
    struct child_report rep;
    int r = report_read(report, &rep);
    if (r < 0)
        return box_fail(box, -r, "read the child's report");
    if (r > 0)
        return expect_ready ? box_fail(box, ECHILD, "wait for the child's user namespace") : 0;
    if (rep.step != STEP_NONE)
        return report_error(&box->err, p, &rep);
    return expect_ready ? 0 : box_fail(box, EPROTO, "read the child's report");
}

static void pidfd_kill_reap(int pidfd)
{
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    reap(pidfd);
}

struct spawn_ctx {
    int sync, pidfd;
    uint64_t start_ns; /* CLOCK_MONOTONIC at clone: the wall time counts from here */
    pid_t pid;
    enum dump_kind kind;
    struct cgroup_sandbox *cg;
    int *lock_fds;  /* the locked files the command's stage sent, p->n_lock_files */
    int console_fd; /* the console's master the command's stage sent, -1: none */
};

/* After clone: maps, go, then the report. Returns 0 once every stage has
 * exec'd; on failure the child has been reaped. A kind-D spawn leaves the
 * guard here, once its map files are open. */
static int spawn_sync(nsbox *box, struct plan *p, struct spawn_ctx *c)
{
    struct idmap_fds maps = {-1, -1, -1};
    int r = 0;
    if (plan_new_userns(p) && !p->send_ready)
        r = idmap_open(box, c->pid, c->kind == DUMP_D, &maps);
    if (c->kind == DUMP_D)
        dump_guard_leave(DUMP_D);
    _cleanup_close_ int report = -1;
    if (r == 0)
        r = channel_receive(box, p, c->sync, c->pidfd, &report);
    if (r == 0 && p->send_ready) {
        r = spawn_report(box, p, report, true);
        /* The only plan fields written after clone: the child reads its
         * ids after the go below. */
        if (r == 0 && p->ids_joined)
            r = idmap_choose_joined(box, p, c->pid);
        if (r == 0 && plan_new_userns(p))
            r = idmap_open(box, c->pid, false, &maps);
    }
    if (r == 0 && plan_new_userns(p))
        r = idmap_write(box, c->pid, &maps);
    idmap_close(&maps);
    if (r == 0 && c->cg)
        cgroup_attach(c->cg);
    if (r == 0 && p->wait_go) {
        ssize_t n;
        do
            n = send(c->sync, "g", 1, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n != 1)
            r = box_fail(box, errno, "release the child");
    }
    /* From here on stage 0 runs to its end without waiting for us. */
    bool released = r == 0 || !p->wait_go;
    if (r == 0)
        r = spawn_report(box, p, report, false);
    /* Every stage has exec'd: the lock fds sent before wait on the socket,
     * and the init above the command may join it. */
    bool execd = r == 0;
    /* The first process is stage 1 from here on, a failed spawn's too. */
    bool handed = false;
    if (p->pid_handoff && released) {
        int h = handoff_take(box, p, c->sync, &c->pidfd, &c->pid);
        handed = h == 0;
        if (r == 0)
            r = h;
    }
    /* the console's master went first: the console step precedes the
     * identity step, which sends the lock files */
    if (r == 0 && p->console)
        r = console_receive(box, c->sync, &c->console_fd);
    if (r == 0 && p->n_lock_files)
        r = lock_fds_receive(box, c->sync, c->lock_fds, p->n_lock_files);
    if (r == 0 && p->cgroup_late && p->cmd_level > 0)
        r = cgroup_adopt(&box->err, c->cg, c->pid);
    if (r == 0)
        r = cgroup_enforcer_place(&box->err, c->cg, c->pid);
    if (r == 0)
        r = oci_after_exec(box, p, c->pid);
    if (r < 0 && (execd || handed))
        pidfd_kill_reap(c->pidfd);
    else if (r < 0) {
        /* The child exits on its own: after its report, or when the sync
         * socket shuts down while it waits for go. */
        shutdown(c->sync, SHUT_RDWR);
        reap(c->pidfd);
    }
    return r;
}

/* Which guard the spawn takes (see dump_guard.c): D only for a plain
 * unprivileged caller whose maps are its own ids; no guard for one that
 * makes no user namespace (its stages are as reachable as itself). */
static enum dump_kind spawn_dump_kind(nsbox *box, const struct plan *p)
{
    if (geteuid() == 0 || p->n_joins || !dump_guard_caller_plain())
        return DUMP_N;
    if (!plan_new_userns(p))
        return DUMP_FREE;
    return idmap_own_only(box) ? DUMP_D : DUMP_N;
}

static int proc_new(nsbox *box, pid_t pid, int pidfd, int status_rd, struct cgroup_sandbox *cg,
                    int **lock_fds, int n_locks, nsbox_proc **out)
{
    nsbox_proc *proc = calloc(1, sizeof(*proc));
    if (!proc)
        return box_fail(box, ENOMEM, "process handle");
    proc->console_fd = -1;
    proc->lock_fds = take_ptr(lock_fds);
    proc->n_lock_fds = n_locks;
    proc->pid = pid;
    proc->pidfd = pidfd;
    proc->status_fd = status_rd;
    proc->exit_code = -1;
    proc->cg = cg;
    proc->init_shared = cgroup_init_shared(cg);
    proc->no_exit_info = box->test_no_exit_info;
    *out = proc;
    return 0;
}

/* The init's LIMITS argument (nsbox-init.c), written into the plan just
 * before clone, when the wall time starts; returns that start. With no
 * limit, or no init to enforce them, the argument stays NULL. */
static uint64_t time_limits_arg(nsbox *box, struct plan *p)
{
    uint64_t start = time_now_ns();
    if (!p->use_init || (!box->cpu_limit_usec && !box->wall_limit_usec))
        return start;
    long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t wall = box->wall_limit_usec ? start + box->wall_limit_usec * 1000 : 0;
    snprintf(p->time_limits_buf, sizeof(p->time_limits_buf), "%d,%d,%llu,%llu,%ld",
             p->cpu_fd >= 0 ? p->cpu_fd : 0,
             p->cpu_fd < 0 ? 0
             : p->cpu_v2   ? 2
                           : 1,
             (unsigned long long)box->cpu_limit_usec + box->extra_usec, (unsigned long long)wall,
             ncpus > 0 ? ncpus : 1);
    p->time_limits = p->time_limits_buf;
    return start;
}

static int spawn_plan(nsbox *box, struct plan *p, nsbox_proc **out)
{
    struct spawn_ctx c = {.pidfd = -1, .console_fd = -1};
    int r = cgroup_prepare(box, &box->err, p, &c.cg);
    if (r < 0)
        return r;
    struct spawn_fds fds = {-1, -1};
    r = gate_open(box, p);
    if (r == 0)
        r = join_pid_open(box, p);
    if (r == 0)
        r = placed_plan(box, p);
    if (r == 0)
        r = sync_open(box, p, &fds);
    if (r == 0)
        r = status_pipe_open(box, p, &fds);
    if (r == 0)
        r = pdeath_open(box, p);
    /* The plan is shared with the child: from clone on, the parent changes
     * nothing in it and closes its copies of the child's ends through these
     * locals. */
    _cleanup_close_ int sync_fd = fds.sync, status_rd = fds.status_rd, pidfd = -1;
    _cleanup_close_ int child_sync = p->sync_fd, child_status = p->status_fd;
    _cleanup_close_ int child_init = p->init_fd, child_pdeath = p->stages[0].parent_pidfd;
    _cleanup_close_ int child_gate = p->gate_fd, child_pidns = p->pid_join_fd;
    _cleanup_close_ int child_cpu = p->cpu_fd;
    if (r == 0)
        r = stacks_get(box, p);
    /* The fds of the lock files, held from the child's report to the reap. */
    _cleanup_free_ int *lock_fds = NULL;
    if (r == 0 && p->n_lock_files) {
        lock_fds = malloc((size_t)p->n_lock_files * sizeof(int));
        if (!lock_fds)
            r = box_fail(box, ENOMEM, "lock files");
        for (int i = 0; lock_fds && i < p->n_lock_files; i++)
            lock_fds[i] = -1;
    }
    if (r < 0) {
        cgroup_finish(c.cg, NULL);
        return r;
    }
    c.lock_fds = lock_fds;
    p->report_fd = p->sync_fd;
    p->send_ready = p->n_joins && ((p->unshare_ns & CLONE_NEWUSER) || p->ids_joined);
    p->wait_go = plan_new_userns(p) || p->ids_joined;
    c.sync = sync_fd;
    c.kind = spawn_dump_kind(box, p);
    dump_guard_enter(c.kind);
    c.start_ns = time_limits_arg(box, p);
    c.pid = spawn_clone(p, &pidfd);
    c.pidfd = pidfd;
    closep(&child_sync);
    closep(&child_status);
    closep(&child_init);
    closep(&child_pdeath);
    closep(&child_gate);
    closep(&child_pidns);
    closep(&child_cpu);
    if (c.pid < 0) {
        dump_guard_leave(c.kind);
        r = cgroup_clone_error(&box->err, c.cg, p->cgroup_fd, -c.pid);
        if (r == 0)
            r = report_clone_error(&box->err, p, -c.pid);
        cgroup_finish(c.cg, NULL);
        return r;
    }
    /* A failed sync has reaped the child already (it exits on its own);
     * a failed handle must kill the running sandbox first. */
    r = spawn_sync(box, p, &c);
    /* After a hand-over c.pidfd is stage 1's (stage 0's closed). */
    take_fd(&pidfd);
    pidfd = c.pidfd;
    if (c.kind == DUMP_N)
        dump_guard_leave(DUMP_N);
    if (r == 0 &&
        (r = proc_new(box, c.pid, pidfd, status_rd, c.cg, &lock_fds, p->n_lock_files, out)) < 0)
        pidfd_kill_reap(pidfd);
    if (r == 0 && *out) {
        (*out)->console_fd = take_fd(&c.console_fd);
        (*out)->cpu_limit_usec = box->cpu_limit_usec;
        (*out)->wall_limit_usec = box->wall_limit_usec;
        (*out)->extra_usec = box->extra_usec;
        (*out)->start_ns = c.start_ns;
    }
    if (r < 0) {
        closep(&c.console_fd);
        lock_fds_close(lock_fds, p->n_lock_files);
        cgroup_finish(c.cg, NULL);
        return r;
    }
    take_fd(&pidfd);
    take_fd(&status_rd);
    return 0;
}

NSBOX_EXPORT int nsbox_spawn(nsbox *box, char *const argv[], nsbox_proc **out)
{
    if (!box)
        return -EINVAL;
    if (!out)
        return box_invalid(box, "spawn: no place for the process handle (out is NULL)");
    *out = NULL;
    if (!argv || !argv[0] || !argv[0][0])
        return box_invalid(box, "spawn: argv must hold a program name");
    struct plan *p;
    int r = plan_build(box, argv, &p);
    if (r < 0)
        return r;
    r = spawn_plan(box, p, out);
    plan_free(p);
    return r;
}
