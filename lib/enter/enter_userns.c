/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The caller's new user namespace, made and mapped before the point of no
 * return.
 *
 * After unshare(CLONE_NEWUSER) a process's capabilities are those of the
 * new namespace, and /proc/self/uid_map opened then carries them: only a
 * map of its own id alone would be taken (user_namespaces(7): any other
 * needs CAP_SETUID in the parent namespace), and a refused map would leave
 * the process in an unmapped namespace for good. So a helper process, a
 * fork of the caller (its own copy of the memory, without the caller's
 * atfork handlers, exit_signal 0 so that the caller's SIGCHLD handling
 * never sees it), makes the user namespace; the caller, still outside with
 * its own credentials, writes its maps as the parent of a spawn writes a
 * child's (idmap.c: directly, or through newuidmap/newgidmap), and keeps
 * an fd of it. The helper then tries the caller's other new namespaces in
 * it, so that a namespace limit or a kernel that refuses one is found
 * before the point of no return too. At that point the caller joins the
 * user namespace with setns(2) (its owner may) and unshares the rest. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "dump_guard.h"
#include "enter.h"
#include "report.h"
#include "idmap.h"

static ssize_t read_full(int fd, void *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, (char *)buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : (ssize_t)got;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static void write_int(int fd, int v)
{
    ssize_t n;
    do
        n = write(fd, &v, sizeof(v));
    while (n < 0 && errno == EINTR);
}

/* The helper: the user namespace, then (after go) the trial of the rest;
 * each result (0 or an errno) goes to the caller; exits at end-of-file. */
__attribute__((noreturn)) static void userns_helper(unsigned long rest, int go, int result)
{
    char c;
    write_int(result, unshare(CLONE_NEWUSER) < 0 ? errno : 0);
    if (read_full(go, &c, 1) != 1)
        _exit(0);
    write_int(result, rest && unshare((int)rest) < 0 ? errno : 0);
    read_full(go, &c, 1);
    _exit(0);
}

int enter_userns_start(nsbox *box, struct enter_userns *u, unsigned long rest)
{
    int go[2], result[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return box_fail(box, errno, "enter: create the user namespace helper's pipe");
    if (pipe2(result, O_CLOEXEC) < 0) {
        int err = errno;
        close(go[0]);
        close(go[1]);
        return box_fail(box, err, "enter: create the user namespace helper's pipe");
    }
    int pidfd = -1;
    long pid = enter_quiet_fork(&pidfd);
    if (pid == 0) {
        close(go[1]);
        close(result[0]);
        userns_helper(rest, go[0], result[1]);
    }
    int err = errno;
    close(go[0]);
    close(result[1]);
    if (pid < 0) {
        close(go[1]);
        close(result[0]);
        return box_fail(box, err, "enter: fork the user namespace helper");
    }
    *u = (struct enter_userns){
        .pid = (pid_t)pid, .pidfd = pidfd, .go = go[1], .result = result[0], .fd = -1};
    return 0;
}

/* One result of the helper: 0, or its errno (EPROTO if it died). */
static int helper_result(struct enter_userns *u)
{
    int v;
    return read_full(u->result, &v, sizeof(v)) == (ssize_t)sizeof(v) ? v : EPROTO;
}

static int ns_fail(nsbox *box, const struct plan *p, unsigned long flags, int err)
{
    struct plan copy = *p;
    copy.clone_ns = flags;
    return report_clone_error(&box->err, &copy, err);
}

int enter_userns_map(nsbox *box, const struct plan *p, struct enter_userns *u, unsigned long rest)
{
    int err = helper_result(u);
    if (err)
        return ns_fail(box, p, CLONE_NEWUSER, err);
    /* The caller's own ids go through the files directly when it is plain
     * (dumpable, no capability, equal ids), as a kind-D spawn's do. */
    struct idmap_fds f = {-1, -1, -1};
    int r = idmap_open(box, u->pid, dump_guard_caller_plain(), &f);
    if (r == 0)
        r = idmap_write(box, u->pid, &f);
    idmap_close(&f);
    if (r < 0)
        return r;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)u->pid);
    u->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (u->fd < 0)
        return box_fail(box, errno, "enter: open %s", path);
    ssize_t n;
    do
        n = write(u->go, "g", 1);
    while (n < 0 && errno == EINTR);
    err = n == 1 ? helper_result(u) : errno;
    if (err)
        return ns_fail(box, p, rest, err);
    return 0;
}

long enter_quiet_fork(int *pidfd)
{
    return syscall(SYS_clone, CLONE_PIDFD, 0, pidfd, NULL, 0);
}

int enter_quiet_wait(int pidfd)
{
    siginfo_t si = {0};
    while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL) < 0)
        if (errno != EINTR)
            return -errno;
    return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

void enter_userns_stop(struct enter_userns *u)
{
    closep(&u->go);
    if (u->pid > 0) {
        syscall(SYS_pidfd_send_signal, u->pidfd, SIGKILL, NULL, 0);
        enter_quiet_wait(u->pidfd);
        u->pid = 0;
    }
    closep(&u->pidfd);
    closep(&u->result);
}
