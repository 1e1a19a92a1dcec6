/* The parent's side of a spawn: clone3 into the namespaces, user maps,
 * the go signal, and the child's report of exec or of the failed step. */
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

#include "cgroup.h"
#include "internal.h"
#include "report.h"
#include "sys.h"

static char *const empty_env[] = {NULL};

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
    fds->sync = sv[0];
    p->sync_fd = fcntl(sv[1], F_DUPFD_CLOEXEC, p->max_fd + 1);
    int err = errno;
    close(sv[1]);
    if (p->sync_fd < 0)
        return box_fail(box, err, "move the sync socket above fd %d", p->max_fd);
    return 0;
}

static int status_pipe_open(nsbox *box, struct plan *p, struct spawn_fds *fds)
{
    if (!p->use_init && !p->monitor)
        return 0;
    int r = init_memfd_open(box);
    if (r < 0)
        return r;
    p->init_fd = r;
    p->init_envp = empty_env;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return box_fail(box, errno, "create the status pipe");
    fds->status_rd = pipefd[0];
    p->status_fd = pipefd[1];
    if (fcntl(fds->status_rd, F_SETFL, O_NONBLOCK) < 0)
        return box_fail(box, errno, "make the status pipe non-blocking");
    return 0;
}

/* clone3 with all signals blocked, so that no handler of the caller runs
 * on the child's stack before the child resets them; the caller's mask is
 * restored at once. exit_signal 0 keeps the child from the caller's
 * waitpid(-1) and SIGCHLD handling until exec, which resets it to SIGCHLD
 * (see plan_status_needs_monitor for how the status survives after). */
static pid_t spawn_clone(struct plan *p, int *pidfd)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    struct clone_args args = {
        .flags = CLONE_VM | CLONE_PIDFD | p->clone_ns,
        .pidfd = (uintptr_t)pidfd,
        .exit_signal = 0,
        .stack = (uintptr_t)p->stack,
        .stack_size = p->stack_size,
    };
    if (p->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)p->cgroup_fd;
    }
    long pid = nsbox_clone3(&args, sizeof(args), child_main, p);
    /* clone3 needs Linux 5.3; clone() with CLONE_PIDFD works from 5.2 (and
     * cannot place the child: cgroup_attach() then writes its pid). */
    if (pid == -ENOSYS && p->cgroup_fd < 0) {
        pid = clone(child_main, p->stack + args.stack_size,
                    (int)(CLONE_VM | CLONE_PIDFD | p->clone_ns), p, pidfd);
        if (pid < 0)
            pid = -errno;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return (pid_t)pid;
}

/* Reads one report; 0 with rep->step STEP_NONE for "ready", 1 for EOF
 * (exec happened), or a negative errno. */
static int report_read(int fd, struct child_report *rep)
{
    ssize_t n;
    do
        n = recv(fd, rep, sizeof(*rep), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if (n == 0)
        return 1;
    return n == sizeof(*rep) ? 0 : -EPROTO;
}

static void reap(int pidfd)
{
    siginfo_t si;
    while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
        ;
}

/* After clone: maps, go, then the report. Returns 0 once exec happened;
 * on failure the child has been reaped. */
static int spawn_sync(nsbox *box, struct plan *p, int sync, struct cgroup_sandbox *cg, pid_t pid,
                      int pidfd)
{
    struct child_report rep;
    int r = 0;
    if (p->send_ready) {
        r = report_read(sync, &rep);
        if (r == 0 && rep.step != STEP_NONE)
            r = report_error(box, p, &rep);
        else if (r != 0)
            r = box_fail(box, r > 0 ? ECHILD : -r, "wait for the child's user namespace");
    }
    if (r == 0 && plan_new_userns(p))
        r = idmap_apply(box, pid);
    if (r == 0 && cg)
        r = cgroup_attach(box, cg, pid);
    if (r == 0 && p->wait_go && send(sync, "g", 1, MSG_NOSIGNAL) != 1)
        r = box_fail(box, errno, "release the child");
    if (r == 0) {
        r = report_read(sync, &rep);
        if (r == 0)
            r = report_error(box, p, &rep);
        else if (r < 0)
            r = box_fail(box, -r, "read the child's report");
        else
            r = 0;
    }
    if (r < 0) {
        /* The child exits on its own: after its report, or on EOF of the
         * sync socket while it waits for go. */
        shutdown(sync, SHUT_RDWR);
        reap(pidfd);
    }
    return r;
}

static void pidfd_kill_reap(int pidfd)
{
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    reap(pidfd);
}

static int proc_new(nsbox *box, pid_t pid, int pidfd, int status_rd, struct cgroup_sandbox *cg,
                    nsbox_proc **out)
{
    nsbox_proc *proc = calloc(1, sizeof(*proc));
    if (!proc)
        return box_fail(box, ENOMEM, "process handle");
    proc->pid = pid;
    proc->pidfd = pidfd;
    proc->status_fd = status_rd;
    proc->exit_code = -1;
    proc->cg = cg;
    *out = proc;
    return 0;
}

static int spawn_plan(nsbox *box, struct plan *p, nsbox_proc **out)
{
    struct spawn_fds fds = {-1, -1};
    int r = sync_open(box, p, &fds);
    if (r == 0)
        r = status_pipe_open(box, p, &fds);
    /* The plan is shared with the child: from clone on, the parent changes
     * nothing in it and closes its copies of the child's ends through these
     * locals (only the child may hold them: EOF on the socket means exec). */
    _cleanup_close_ int sync_fd = fds.sync, status_rd = fds.status_rd, pidfd = -1;
    _cleanup_close_ int child_sync = p->sync_fd, child_status = p->status_fd;
    _cleanup_close_ int child_init = p->init_fd;
    if (r == 0)
        r = stacks_get(box, p);
    if (r < 0)
        return r;
    p->send_ready = p->n_joins && (p->unshare_ns & CLONE_NEWUSER);
    p->wait_go = plan_new_userns(p);
    struct cgroup_sandbox *cg = NULL;
    r = cgroup_prepare(box, p, &cg);
    if (r < 0)
        return r;
    pid_t pid = spawn_clone(p, &pidfd);
    closep(&child_sync);
    closep(&child_status);
    closep(&child_init);
    if (pid < 0) {
        cgroup_finish(cg, NULL);
        return report_clone_error(box, p, -pid);
    }
    /* A failed sync has reaped the child already (it exits on its own);
     * a failed handle must kill the running sandbox first. */
    r = spawn_sync(box, p, sync_fd, cg, pid, pidfd);
    if (r == 0 && (r = proc_new(box, pid, pidfd, status_rd, cg, out)) < 0)
        pidfd_kill_reap(pidfd);
    if (r < 0) {
        cgroup_finish(cg, NULL);
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
