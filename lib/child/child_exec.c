/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command's stage: everything from the filesystem view to exec, in
 * the order child_command() lists. Raw system calls only (see child.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/ioctl.h>

#include "caps_child.h"
#include "child.h"
#include "console_child.h"
#include "lock_child.h"
#include "mount_child.h"
#include "oci_child.h"
#include "sys.h"
#include "userns.h"

CHILD static long child_rlimits(struct plan *p, int *index)
{
    for (int i = 0; i < p->n_rlimits; i++) {
        struct rlimit64 lim = {p->rlimits[i].soft, p->rlimits[i].hard};
        long r = sys4(SYS_prlimit64, 0, p->rlimits[i].resource, &lim, 0);
        if (r < 0) {
            *index = i;
            return r;
        }
    }
    return 0;
}

/* Marks every fd in [lo, hi] close-on-exec. close_range's CLOEXEC flag needs
 * Linux 5.11; before it, each fd up to RLIMIT_NOFILE is marked one by one.
 * So too when a seccomp filter installed early (without no_new_privs)
 * denies close_range (EPERM, or the ENOSYS many OCI profiles return). */
CHILD static long child_cloexec_range(unsigned lo, unsigned hi)
{
    long r = sys3(SYS_close_range, lo, hi, CLOSE_RANGE_CLOEXEC);
    if (r != -EINVAL && r != -ENOSYS && r != -EPERM)
        return r;
    struct rlimit64 lim;
    r = sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &lim);
    if (r < 0)
        return r;
    for (unsigned long fd = lo; fd <= hi && fd < lim.rlim_cur; fd++)
        sys3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
    return 0;
}

/* Puts stdio and passed fds at their targets and marks every other fd
 * close-on-exec (the sync socket must live until exec). Sources move above
 * every target first, so that a source sitting on another's target is not
 * lost. */
CHILD int child_fds(struct plan *p)
{
    int n = 0;
    long r;
    for (int i = 0; i < 3 + p->n_fds; i++) {
        int src = i >= 3 ? p->fds[i - 3].src : p->console ? p->console->slave : p->stdio[i];
        p->fd_tmp[i] = -1;
        if (src < 0)
            continue;
        r = sys3(SYS_fcntl, src, F_DUPFD_CLOEXEC, p->max_fd + 1);
        if (r < 0)
            return child_fail(p, STEP_FDS, r, i);
        p->fd_tmp[i] = (int)r;
    }
    for (int i = 0; i < 3 + p->n_fds; i++) {
        int dst = i < 3 ? i : p->fds[i - 3].dst;
        if (p->fd_tmp[i] < 0)
            continue;
        r = sys3(SYS_dup3, p->fd_tmp[i], dst, 0);
        if (r < 0)
            return child_fail(p, STEP_FDS, r, i);
    }
    unsigned next = 3;
    for (int i = 0; i < p->n_fds; i++, n++) {
        unsigned dst = (unsigned)p->fds[i].dst;
        if (dst > next && (r = child_cloexec_range(next, dst - 1)) < 0)
            return child_fail(p, STEP_FDS, r, i + 3);
        next = dst + 1;
    }
    r = child_cloexec_range(next, ~0U);
    if (r < 0)
        return child_fail(p, STEP_FDS, r, n + 3);
    return 0;
}

/* The enum of lib/base/internal.h as the placement helper (lib/child/init) knows it. */
_Static_assert(STEP_EXEC == 21 && STEP_CGROUP == 23, "lib/child/init/nsbox-init.c exec_main");

/* Tries each candidate path; like execvpe, a missing or non-executable
 * entry moves on to the next, and EACCES wins over ENOENT in the report. */
CHILD static int child_exec(struct plan *p)
{
    long err = -ENOENT;
    int index = 0;
    for (int i = 0; p->exec_paths[i]; i++) {
        long r = sys3(SYS_execve, p->exec_paths[i], p->argv, p->envp);
        if (r == -EACCES || (r != -ENOENT && r != -ENOTDIR)) {
            err = r;
            index = i;
        }
        if (r != -ENOENT && r != -ENOTDIR && r != -EACCES)
            break;
    }
    return child_fail(p, STEP_EXEC, err, index);
}

/* What execve would say of path before trying it: search permission on
 * the way, exec permission (noexec mounts included) and a regular file. */
CHILD static long child_exec_check(const char *path)
{
    long r = sys3(SYS_faccessat, AT_FDCWD, path, X_OK);
    if (r < 0)
        return r;
    struct stat st;
    r = sys4(SYS_newfstatat, AT_FDCWD, path, &st, 0);
    if (r < 0)
        return r;
    return S_ISREG(st.st_mode) ? 0 : -EACCES;
}

/* A memory-limited recipe or an exec gate: the same search, then the exec
 * goes through the init helper's exec mode, which enters the limited cgroup
 * and waits at the gate in memory of its own (this stage shares the
 * caller's: an OOM kill in that cgroup would take the caller along, and a
 * stage that waits must not hold the caller's memory) and execs the path
 * found here. Prepared before the seccomp filter, so that the filter sees
 * only execveat and the helper's write, close, fcntl and execve (with a
 * gate also its prctl and read). */
CHILD static int child_placed_prepare(struct plan *p)
{
    long err = -ENOENT;
    int index = -1, err_index = 0;
    for (int i = 0; p->exec_paths[i]; i++) {
        long r = child_exec_check(p->exec_paths[i]);
        if (r == 0) {
            index = i;
            break;
        }
        if (r == -EACCES || (r != -ENOENT && r != -ENOTDIR)) {
            err = r;
            err_index = i;
        }
        if (r != -ENOENT && r != -ENOTDIR && r != -EACCES)
            break;
    }
    if (index < 0)
        return child_fail(p, STEP_EXEC, err, err_index);
    char **a = p->placed_argv;
    char(*num)[24] = p->placed_nums;
    int n = 0, k = 0;
    long r = 0;
    a[n++] = "nsbox-init";
    if (p->gate_fd >= 0) {
        a[n++] = "gate";
        child_utoa(num[k], (unsigned long)p->gate_fd);
        a[n++] = num[k++];
        r = sys3(SYS_fcntl, p->gate_fd, F_SETFD, 0);
    }
    a[n++] = "exec";
    child_utoa(num[k], (unsigned long)p->report_fd);
    a[n++] = num[k++];
    child_utoa(num[k], (unsigned long)index);
    a[n++] = num[k++];
    /* the init above us, exec'd by now, when this stage is the third */
    child_utoa(num[k], p->cmd_level == 2 ? (unsigned long)sys0(SYS_getppid) : 0);
    a[n++] = num[k++];
    /* Without a memory limit stage 0 has moved itself already (v1) or
     * clone3 placed it (v2): nothing for the helper to write. */
    int moves = p->cgroup_late ? p->n_cgroup_moves : 0;
    child_utoa(num[k], (unsigned long)moves);
    a[n++] = num[k++];
    if (r == 0)
        r = sys3(SYS_fcntl, p->report_fd, F_SETFD, 0);
    for (int i = 0; i < moves && r == 0; i++) {
        child_utoa(num[k], (unsigned long)p->cgroup_moves[i].fd);
        a[n++] = num[k++];
        r = sys3(SYS_fcntl, p->cgroup_moves[i].fd, F_SETFD, 0);
    }
    a[n++] = p->exec_paths[index];
    for (int i = 0; p->argv[i]; i++)
        a[n++] = p->argv[i];
    a[n] = 0;
    if (r < 0)
        return child_fail(p, STEP_INIT_EXEC, r, 1);
    return 0;
}

CHILD static int child_exec_placed(struct plan *p)
{
    long r = sys5(SYS_execveat, p->init_fd, "", p->placed_argv, p->envp, AT_EMPTY_PATH);
    return child_fail(p, STEP_INIT_EXEC, r, 1);
}

/* runc's CVE-2024-21626: a cwd that goes through a magic link
 * (/proc/self/fd/N of an fd this stage still holds, close-on-exec, on a host
 * directory) lands outside the root, and the command starts there. The
 * kernel's getcwd then does not start with '/' ("(unreachable)"). */
CHILD static long child_cwd_inside(void)
{
    char buf[4096];
    long r = sys2(SYS_getcwd, buf, sizeof(buf));
    if (r < 0)
        return r;
    return buf[0] == '/' ? 0 : -EPERM;
}

CHILD int child_setup_view(struct plan *p)
{
    long r;
    int index = 0;
    if (p->cgroupfs_ro && child_cgroupfs_ro(p))
        return 127;
    if ((p->flags & NSBOX_DISABLE_USERNS) && child_userns_limit(p))
        return 127;
    if (child_oci_early(p))
        return 127;
    if (child_mounts(p))
        return 127;
    if (p->hostname) {
        int len = 0;
        while (p->hostname[len])
            len++;
        r = sys2(SYS_sethostname, p->hostname, len);
        if (r < 0)
            return child_fail(p, STEP_HOSTNAME, r, 0);
    }
    if (child_oci_domainname(p))
        return 127;
    if (p->loopback && (r = net_loopback_up()) < 0)
        return child_fail(p, STEP_LOOPBACK, r, 0);
    if (p->cwd) {
        r = sys1(SYS_chdir, p->cwd);
        if (r < 0 && p->cwd_required)
            return child_fail(p, STEP_CWD, r, 0);
        if (r < 0 && (r = sys1(SYS_chdir, "/")) < 0)
            return child_fail(p, STEP_CWD, r, 1);
        if ((r = child_cwd_inside()) < 0)
            return child_fail(p, STEP_CWD, r, 2);
    }
    if (((p->flags & (NSBOX_NEW_SESSION | NSBOX_CONTROLLING_TTY)) || p->console) &&
        (r = sys0(SYS_setsid)) < 0)
        return child_fail(p, STEP_SETSID, r, 0);
    /* Before the id switch (the bind on /dev/console needs the stage's
     * capabilities) and the fd shuffle: stdin is still the caller's fd
     * number (or 0 when inherited). The console's slave is the terminal
     * instead when there is one. */
    if (p->console && child_console(p))
        return 127;
    if ((p->flags & NSBOX_CONTROLLING_TTY) && !p->console &&
        (r = sys3(SYS_ioctl, p->stdio[0] >= 0 ? p->stdio[0] : 0, TIOCSCTTY, 0)) < 0)
        return child_fail(p, STEP_CTTY, r, 0);
    if ((r = child_rlimits(p, &index)) < 0)
        return child_fail(p, STEP_RLIMIT, r, index);
    return 0;
}

CHILD int child_setup_identity(struct plan_stage *s)
{
    struct plan *p = s->p;
    long r;
    /* Without no_new_privs the kernel takes a filter only from a holder of
     * CAP_SYS_ADMIN, which the command seldom keeps (OCI configs with
     * noNewPrivileges false and a seccomp profile): the filter goes in now,
     * while this stage still holds every capability, as runc does; the id
     * switch, capabilities, fds and exec then pass through it. */
    if (!p->no_new_privs && child_seccomp(p))
        return 127;
    if (child_ids_caps(p) || child_pdeath_rearm(s))
        return 127;
    if (child_lock_files(p))
        return 127;
    if (p->no_new_privs && (r = sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0)
        return child_fail(p, STEP_NO_NEW_PRIVS, r, 0);
    return 0;
}

CHILD int child_command(struct plan_stage *s)
{
    struct plan *p = s->p;
    if (child_setup_view(p) || child_setup_identity(s))
        return 127;
    if (child_fds(p))
        return 127;
    child_oci_umask(p);
    child_wait_stages(p);
    unsigned long none = 0;
    long r = sys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
    if (r < 0)
        return child_fail(p, STEP_SIGNALS, r, 1);
    if (p->exec_helper && child_placed_prepare(p))
        return 127;
    if (p->no_new_privs && child_seccomp(p))
        return 127;
    return p->exec_helper ? child_exec_placed(p) : child_exec(p);
}
