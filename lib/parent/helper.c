/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running a helper program (newuidmap, newgidmap) from the parent: a
 * CLONE_VM|CLONE_VFORK child with exit_signal 0 and signals reset, so that
 * neither the caller's handlers nor its waitpid(-1) see it, and with its
 * output captured for the error message instead of printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "internal.h"
#include "sys.h"

static char *const empty_env[] = {NULL};

struct helper_args {
    char *const *argv;
    int out_fd; /* its stdout and stderr */
};

/* The helper child: signals back to default, output to our pipe, no other
 * fd of the caller. */
CHILD static int helper_child(void *arg)
{
    struct helper_args *h = arg;
    struct {
        unsigned long handler, flags, restorer, mask;
    } dfl = {0, 0, 0, 0};
    for (int sig = 1; sig < 65; sig++)
        sys4(SYS_rt_sigaction, sig, &dfl, 0, 8);
    sys3(SYS_dup3, h->out_fd, 1, 0);
    sys3(SYS_dup3, h->out_fd, 2, 0);
    sys3(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    unsigned long none = 0;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
    sys3(SYS_execve, h->argv[0], h->argv, empty_env);
    return 127;
}

/* Reads what the helper printed, up to size-1 bytes, as one line. The
 * pipe's write end sat in the caller's fd table, where a fork of another
 * thread may have inherited it: end-of-file is not waited for, the
 * helper's exit is (its output is in the pipe by then). */
static void helper_output(int fd, int pidfd, char *out, size_t size)
{
    size_t len = 0;
    bool exited = false;
    while (len + 1 < size) {
        ssize_t n = read(fd, out + len, size - 1 - len);
        if (n > 0) {
            len += (size_t)n;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR) || exited)
            break;
        struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        if (poll(pfd, 2, -1) > 0 && pfd[1].revents)
            exited = true;
    }
    while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
        len--;
    out[len] = '\0';
    for (char *c = out; *c; c++)
        if (*c == '\n')
            *c = ' ';
}

int helper_run(char *const argv[], char *out, size_t size)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -errno;
    _cleanup_close_ int rd = pipefd[0], wr = pipefd[1];
    if (fcntl(rd, F_SETFL, O_NONBLOCK) < 0)
        return -errno;
    size_t stack_size = 64 * 1024;
    char *stack =
        mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED)
        return -errno;
    struct helper_args h = {argv, wr};
    _cleanup_close_ int pidfd = -1;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    struct clone_args args = {
        .flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD,
        .pidfd = (uintptr_t)&pidfd,
        .exit_signal = 0,
        .stack = (uintptr_t)stack,
        .stack_size = stack_size,
    };
    long pid = nsbox_clone3(&args, sizeof(args), helper_child, &h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    munmap(stack, stack_size);
    if (pid < 0)
        return (int)pid;
    closep(&wr);
    helper_output(rd, pidfd, out, size);
    siginfo_t si = {0};
    int r;
    while ((r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL)) < 0 &&
           errno == EINTR)
        ;
    if (r < 0)
        return -errno;
    return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}
