/* cgroup backends (see cgroup.h). */
#define _GNU_SOURCE
#include <errno.h>

#include "cgroup.h"

void cgroup_recipe_free(struct cgroup_recipe *c)
{
    (void)c;
}

int cgroup_prepare(nsbox *box, struct plan *p, struct cgroup_sandbox **out)
{
    (void)box;
    (void)p;
    *out = NULL;
    return 0;
}

int cgroup_attach(nsbox *box, struct cgroup_sandbox *cg, pid_t pid)
{
    (void)box;
    (void)cg;
    (void)pid;
    return 0;
}

int cgroup_kill(struct cgroup_sandbox *cg, int sig)
{
    (void)cg;
    (void)sig;
    return -ENOSYS;
}

void cgroup_finish(struct cgroup_sandbox *cg, nsbox_proc *p)
{
    (void)cg;
    (void)p;
}
