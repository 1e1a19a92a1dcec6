/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for a sandbox: pidfd poll with a timeout, the status in shell
 * form, kill, and the handle's end. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup.h"
#include "internal.h"
#include "lock.h"

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
    int rec[2];
    ssize_t n = -1;
    if (p->status_fd >= 0)
        do
            n = read(p->status_fd, rec, sizeof(rec));
        while (n < 0 && errno == EINTR);
    bool have = n == sizeof(rec);
    bool killed =
        have && (rec[0] == CLD_KILLED || rec[0] == CLD_DUMPED) && rec[1] >= 1 && rec[1] <= 64;
    if (!kernel) {
        if (!killed && !(have && rec[0] == CLD_EXITED && rec[1] >= 0 && rec[1] <= 255))
            return -ECHILD;
        *code = rec[0];
        *status = rec[1];
    } else if (killed && *code == CLD_EXITED && *status == 128 + rec[1]) {
        *code = rec[0];
        *status = rec[1];
    }
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

/* Reaps the sandbox if it has ended: 0 when reaped, -ETIMEDOUT if not. */
static int proc_reap(nsbox_proc *p, bool block)
{
    siginfo_t si = {0};
    int r;
    do
        r = waitid((idtype_t)P_PIDFD, (id_t)p->pidfd, &si,
                   WEXITED | __WALL | (block ? 0 : WNOHANG));
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
        return -errno;
    } else if (si.si_pid == 0) {
        return -ETIMEDOUT;
    }
    r = proc_status_pick(p, kernel, &code, &status);
    if (r < 0)
        return r;
    proc_set_status(p, code, status);
    lock_fds_close(p->lock_fds, p->n_lock_fds);
    if (p->cg) {
        cgroup_finish(p->cg, p);
        p->cg = NULL;
    }
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls the pidfd for up to timeout_ms; a signal of the caller does not
 * shorten the wait. */
static void proc_poll(nsbox_proc *p, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left < 0)
            left = 0;
        int r = poll(&pfd, 1, (int)left);
        if (r >= 0 || errno != EINTR)
            return;
    }
}

NSBOX_EXPORT int nsbox_wait(nsbox_proc *p, int timeout_ms)
{
    if (!p)
        return -EINVAL;
    if (p->reaped)
        return p->status;
    if (timeout_ms > 0)
        proc_poll(p, timeout_ms);
    int r = proc_reap(p, timeout_ms < 0);
    return r < 0 ? r : p->status;
}

NSBOX_EXPORT int nsbox_kill(nsbox_proc *p, int sig)
{
    if (!p)
        return -EINVAL;
    if (p->reaped)
        return -ESRCH;
    if (p->cg)
        return cgroup_kill(p->cg, sig);
    if (syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0) < 0)
        return -errno;
    return 0;
}

/* The handle's own fds and memory; the sandbox is reaped, or detached. */
static void proc_release(nsbox_proc *p)
{
    closep(&p->pidfd);
    closep(&p->status_fd);
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
