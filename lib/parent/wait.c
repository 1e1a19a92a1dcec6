/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for a sandbox: pidfd poll with a timeout, the status in shell
 * form, kill, and the handle's end. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "internal.h"
#include "lock.h"
#include "time_limit.h"
#include "time_watch.h"

/* PIDFD_GET_INFO with PIDFD_INFO_EXIT (Linux 6.15) tells the wait status
 * of a process that someone else reaped: here, the kernel, after the
 * caller set SIGCHLD to SIG_IGN once the sandbox was running. */
struct pidfd_exit_info {
    uint64_t mask;
    uint64_t cgroupid;
    uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
    int32_t exit_code;
    uint32_t coredump_mask, spare;
};
#define PIDFD_GET_INFO_IOCTL _IOWR(0xFF, 11, struct pidfd_exit_info)
#define PIDFD_INFO_EXIT_BIT (1UL << 3)

static int proc_status_from_pidfd(nsbox_proc *p, int *code, int *status)
{
    struct pidfd_exit_info info = {.mask = PIDFD_INFO_EXIT_BIT};
    int r;
    if (p->no_exit_info)
        return -ECHILD;
    do
        r = ioctl(p->pidfd, PIDFD_GET_INFO_IOCTL, &info);
    while (r < 0 && errno == EINTR);
    if (r < 0 || !(info.mask & PIDFD_INFO_EXIT_BIT))
        return -ECHILD;
    if (WIFEXITED(info.exit_code)) {
        *code = CLD_EXITED;
        *status = WEXITSTATUS(info.exit_code);
    } else {
        *code = CLD_KILLED;
        *status = WTERMSIG(info.exit_code);
    }
    return 0;
}

/* The sandbox's status from the kernel's {si_code, si_status} of its first
 * process (kernel: false when no one can tell it any more) and the init's
 * record. The init exits with the command's status in shell form, so the
 * kernel's word stands; the record only tells "killed by N" from "exit
 * 128+N", and only where it agrees: a command that holds CAP_SYS_PTRACE
 * over the init can write records of its own into the pipe. Without the
 * kernel's status (the caller reaped the init before Linux 6.15) the first
 * record is all there is, forged or not. */
static int proc_status_pick(nsbox_proc *p, bool kernel, int *code, int *status)
{
    struct init_record rec = {0}; /* read only when the whole record came (have) */
    ssize_t n = -1;
    if (p->status_fd >= 0)
        do
            n = read(p->status_fd, &rec, sizeof(rec));
        while (n < 0 && errno == EINTR);
    bool have = n == sizeof(rec);
    bool killed = have && (rec.code == CLD_KILLED || rec.code == CLD_DUMPED) && rec.status >= 1 &&
                  rec.status <= 64;
    if (!kernel) {
        if (!killed && !(have && rec.code == CLD_EXITED && rec.status >= 0 && rec.status <= 255))
            return -ECHILD;
        *code = rec.code;
        *status = rec.status;
    } else if (killed && *code == CLD_EXITED && *status == 128 + rec.status) {
        *code = rec.code;
        *status = rec.status;
    }
    /* The end time and the limit the init killed for (time_watch.c
     * checks the first against our own clock). */
    if (have)
        time_watch_settle(p, &rec);
    return 0;
}

static void proc_set_status(nsbox_proc *p, int code, int status)
{
    p->reaped = true;
    if (code == CLD_EXITED) {
        p->exit_code = status;
        p->status = status;
    } else {
        p->signal = status;
        p->status = 128 + status;
    }
}

/* Reaps the sandbox if it has ended: 0 when reaped, -ETIMEDOUT if not
 * (no message: nsbox_wait words the timeout), another negative errno with
 * the message on p->err. */
static int proc_reap(nsbox_proc *p, bool block)
{
    siginfo_t si = {0};
    /* The raw call's rusage: the first process and every process it
     * reaped, the CPU time where no cgroup counts it. */
    struct rusage ru = {0};
    int r;
    do
        r = (int)syscall(SYS_waitid, P_PIDFD, p->pidfd, &si,
                         WEXITED | __WALL | (block ? 0 : WNOHANG), &ru);
    while (r < 0 && errno == EINTR);
    int code = si.si_code, status = si.si_status;
    bool kernel = true;
    if (r < 0 && errno == ECHILD) {
        /* Reaped by the kernel (SIGCHLD ignored) or by the caller: the
         * pidfd's exit info (Linux 6.15) still tells the status. */
        struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
        int n;
        do
            n = poll(&pfd, 1, block ? -1 : 0);
        while (n < 0 && errno == EINTR);
        if (n == 0)
            return -ETIMEDOUT;
        kernel = proc_status_from_pidfd(p, &code, &status) == 0;
    } else if (r < 0) {
        return err_fail(&p->err, errno, "wait for pid %d (waitid on its pidfd)", (int)p->pid);
    } else if (si.si_pid == 0) {
        return -ETIMEDOUT;
    }
    r = proc_status_pick(p, kernel, &code, &status);
    if (r < 0)
        return err_fail(&p->err, -r,
                        "wait for pid %d: the caller reaped it, and no status is left (no "
                        "exit record on its pidfd before Linux 6.15, no init helper's record)",
                        (int)p->pid);
    time_watch_settle(p, NULL);
    proc_set_status(p, code, status);
    lock_fds_close(p->lock_fds, p->n_lock_fds);
    p->user_usec = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec;
    p->sys_usec = (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
    if (p->cg) {
        cgroup_finish(p->cg, p);
        p->cg = NULL;
    } else {
        p->cpu_usec = p->user_usec + p->sys_usec;
    }
    return 0;
}

NSBOX_EXPORT int nsbox_wait(nsbox_proc *p, int timeout_ms)
{
    if (!p)
        return -EINVAL;
    err_clear(&p->err);
    if (p->reaped)
        return p->status;
    time_watch(p, timeout_ms);
    int r = proc_reap(p, timeout_ms < 0);
    if (r == -ETIMEDOUT)
        return err_fail(&p->err, ETIMEDOUT, "wait for pid %d: still running after %d ms",
                        (int)p->pid, timeout_ms);
    return r < 0 ? r : p->status;
}

NSBOX_EXPORT int nsbox_kill(nsbox_proc *p, int sig)
{
    if (!p)
        return -EINVAL;
    err_clear(&p->err);
    if (sig < 0 || sig >= NSIG)
        return err_invalid(&p->err, "kill pid %d: signal %d out of range (0 to %d)", (int)p->pid,
                           sig, NSIG - 1);
    if (p->reaped)
        return err_fail(&p->err, ESRCH, "kill pid %d: the sandbox ended (status %d) and was reaped",
                        (int)p->pid, p->status);
    p->caller_killed = true;
    /* A shared cgroup (a container's, joined) holds others' processes:
     * the signal goes to the sandbox's own first process then. */
    if (p->cg && !cgroup_shared(p->cg)) {
        int r = cgroup_kill(p->cg, sig);
        if (r < 0)
            return err_fail(&p->err, -r, "send signal %d to the processes of cgroup %s", sig,
                            cgroup_path(p->cg));
        return 0;
    }
    if (syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0) < 0)
        return err_fail(&p->err, errno, "send signal %d to pid %d", sig, (int)p->pid);
    return 0;
}

NSBOX_EXPORT const char *nsbox_proc_errmsg(const nsbox_proc *p)
{
    return p ? p->err.msg : "";
}

/* The handle's own fds and memory; the sandbox is reaped, or detached. */
static void proc_release(nsbox_proc *p)
{
    closep(&p->pidfd);
    closep(&p->status_fd);
    closep(&p->console_fd);
    lock_fds_close(p->lock_fds, p->n_lock_fds);
    free(p->lock_fds);
    free(p->cgroup_path);
    free(p);
}

NSBOX_EXPORT void nsbox_proc_free(nsbox_proc *p)
{
    if (!p)
        return;
    if (!p->reaped) {
        nsbox_kill(p, SIGKILL);
        proc_reap(p, true);
    }
    proc_release(p);
}

NSBOX_EXPORT void nsbox_proc_detach(nsbox_proc *p)
{
    if (!p)
        return;
    cgroup_detach(take_ptr(&p->cg));
    proc_release(p);
}

NSBOX_EXPORT int nsbox_run(nsbox *box, char *const argv[])
{
    nsbox_proc *p;
    int r = nsbox_spawn(box, argv, &p);
    if (r < 0)
        return r;
    r = nsbox_wait(p, -1);
    nsbox_proc_free(p);
    return r;
}

NSBOX_EXPORT pid_t nsbox_proc_pid(const nsbox_proc *p)
{
    return p ? p->pid : -1;
}

NSBOX_EXPORT int nsbox_proc_pidfd(const nsbox_proc *p)
{
    return p ? p->pidfd : -1;
}

NSBOX_EXPORT int nsbox_proc_exit_code(const nsbox_proc *p)
{
    return p && p->reaped ? p->exit_code : -1;
}

NSBOX_EXPORT int nsbox_proc_signal(const nsbox_proc *p)
{
    return p && p->reaped ? p->signal : 0;
}
