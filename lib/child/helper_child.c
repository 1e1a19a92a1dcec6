/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child of helper_run (parent/helper.c), which runs newuidmap or
 * newgidmap: a CLONE_VM|CLONE_VFORK child like the sandbox's stages, so it
 * makes raw system calls only, and is checked with them (child-symbols). */
#define _GNU_SOURCE
#include <linux/close_range.h>
#include <signal.h>

#include "child.h"
#include "sys.h"

static char *const empty_env[] = {NULL};

/* Signals back to default, output to the parent's pipe, no other fd of the
 * caller, then the helper. */
CHILD int helper_child(void *arg)
{
    struct helper_args *h = arg;
    child_signals_default(~(uint64_t)0);
    sys3(SYS_dup3, h->out_fd, 1, 0);
    sys3(SYS_dup3, h->out_fd, 2, 0);
    sys3(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    unsigned long none = 0;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
    sys3(SYS_execve, h->argv[0], h->argv, empty_env);
    return 127;
}
