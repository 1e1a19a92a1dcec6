/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Turns a recipe into the flat plan that the child runs: namespaces to
 * create and join, the environment and exec candidates, the fd table. All
 * of it lives in one block of memory that the child only reads. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <string.h>

#include "caps.h"
#include "console_plan.h"
#include "userns_plan.h"
#include "internal.h"
#include "mount_build.h"
#include "oci_plan.h"
#include "box.h"
#include "idmap.h"
#include "plan.h"

extern char **environ;

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* The namespaces to create, after the unprivileged rule: any new namespace
 * without a joined user namespace brings a new user namespace along. */
static unsigned plan_namespaces(const nsbox *box, unsigned *joined)
{
    *joined = 0;
    for (size_t i = 0; i < box->n_joins; i++)
        *joined |= box->joins[i].ns;
    unsigned ns = box->ns;
    if (ns && geteuid() != 0 && !(*joined & NSBOX_NS_USER))
        ns |= NSBOX_NS_USER;
    return ns;
}

/* Joins in setns order: a joined user namespace first, so that the caller
 * gains the capabilities needed to enter the namespaces it owns. */
static void plan_joins(struct plan *p, const nsbox *box)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < box->n_joins; i++) {
            const struct ns_join *j = &box->joins[i];
            bool user = j->ns & NSBOX_NS_USER;
            if ((pass == 0) != user)
                continue;
            p->joins[p->n_joins++] = (struct plan_join){
                .fd = j->fd,
                .nstype = j->pidfd ? (int)ns_clone_flags(j->ns) : 0,
                .ns = j->ns,
            };
        }
}

static int plan_env(struct plan *p, const nsbox *box, const char **path)
{
    size_t n_base = 0;
    char **base = box->clear_env ? NULL : environ;
    while (base && base[n_base])
        n_base++;
    char **envp = plan_alloc(p, (n_base + box->n_env + 1) * sizeof(char *));
    if (!envp)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < n_base; i++)
        if (strchr(base[i], '='))
            envp[n++] = base[i];
    for (size_t k = 0; k < box->n_env; k++) {
        const struct env_op *op = &box->env[k];
        size_t len = strlen(op->name);
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (strncmp(envp[i], op->name, len) != 0 || envp[i][len] != '=')
                envp[w++] = envp[i];
        n = w;
        if (!op->value)
            continue;
        size_t size = len + strlen(op->value) + 2;
        char *entry = plan_alloc(p, size);
        if (!entry)
            return -ENOMEM;
        snprintf(entry, size, "%s=%s", op->name, op->value);
        envp[n++] = entry;
    }
    /* The caller's own strings may change after spawn returns; the child
     * reads them before that, so copying the base entries is not needed. */
    envp[n] = NULL;
    *path = DEFAULT_PATH;
    for (size_t i = 0; i < n; i++)
        if (strncmp(envp[i], "PATH=", 5) == 0)
            *path = envp[i] + 5;
    p->envp = envp;
    return 0;
}

/* The paths exec tries for argv[0], in order: itself when it has a '/',
 * else each PATH entry joined with it ("" meaning the cwd). */
static int plan_exec_paths(struct plan *p, const char *name, const char *path)
{
    size_t n = 1;
    if (!strchr(name, '/'))
        for (const char *c = path; *c; c++)
            n += *c == ':';
    char **paths = plan_alloc(p, (n + 1) * sizeof(char *));
    if (!paths)
        return -ENOMEM;
    if (strchr(name, '/')) {
        paths[0] = plan_strdup(p, name);
        if (!paths[0])
            return -ENOMEM;
        p->exec_paths = paths;
        return 0;
    }
    size_t k = 0;
    for (const char *dir = path;; dir = strchr(dir, ':') + 1) {
        size_t dlen = strcspn(dir, ":");
        size_t size = dlen + strlen(name) + 3;
        char *full = plan_alloc(p, size);
        if (!full)
            return -ENOMEM;
        if (dlen == 0)
            snprintf(full, size, "./%s", name);
        else
            snprintf(full, size, "%.*s/%s", (int)dlen, dir, name);
        paths[k++] = full;
        if (!dir[dlen])
            break;
    }
    paths[k] = NULL;
    p->exec_paths = paths;
    return 0;
}

static int plan_fd_cmp(const void *a, const void *b)
{
    return ((const struct plan_fd *)a)->dst - ((const struct plan_fd *)b)->dst;
}

static int plan_fds(struct plan *p, const nsbox *box)
{
    p->max_fd = 2;
    for (int i = 0; i < 3; i++)
        p->stdio[i] = box->stdio[i].fd;
    p->fds = plan_alloc(p, (box->n_fds + 1) * sizeof(*p->fds));
    if (!p->fds)
        return -ENOMEM;
    for (size_t i = 0; i < box->n_fds; i++) {
        p->fds[i] = (struct plan_fd){box->fds[i].src.fd, box->fds[i].target};
        if (box->fds[i].target > p->max_fd)
            p->max_fd = box->fds[i].target;
    }
    p->n_fds = (int)box->n_fds;
    qsort(p->fds, box->n_fds, sizeof(*p->fds), plan_fd_cmp);
    p->fd_tmp = plan_alloc(p, (3 + box->n_fds) * sizeof(int));
    return p->fd_tmp ? 0 : -ENOMEM;
}

/* exec resets exit_signal to SIGCHLD, so the caller's waitpid(-1), SIGCHLD
 * handler or SIG_IGN can reap the sandbox before nsbox_wait does. Linux
 * 6.15's PIDFD_INFO_EXIT keeps the status on the pidfd for us; before it,
 * a monitor (the init helper) writes the status where only we read it. */
static bool plan_status_needs_monitor(void)
{
    struct utsname u;
    if (uname(&u) < 0)
        return true;
    char *end;
    unsigned long major = strtoul(u.release, &end, 10);
    if (end == u.release || *end != '.')
        return true;
    const char *min = end + 1;
    unsigned long minor = strtoul(min, &end, 10);
    if (end == min)
        return true;
    return major < 6 || (major == 6 && minor < 15);
}

/* The signals the caller ignores: SIG_IGN is the only disposition that
 * survives exec (handlers reset to default, and the child blocks every
 * signal until then), so these are the ones the child must reset. Read from
 * /proc/self/status: one read instead of 64 sigaction calls; all signals
 * when /proc cannot tell. */
static uint64_t plan_ignored_signals(void)
{
    char buf[4096];
    _cleanup_close_ int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (n <= 0)
        return ~0ULL;
    buf[n] = '\0';
    const char *line = strstr(buf, "\nSigIgn:\t");
    return line ? strtoull(line + 9, NULL, 16) : ~0ULL;
}

/* Which ids the command runs as, and when the child switches. With a user
 * namespace the command never keeps an unmapped host id, and the switch
 * comes before the filesystem steps so that they run as a mapped id (a
 * tmpfs or file made by an unmapped id fails with EOVERFLOW): for a new
 * one, ids chosen here against the maps, and the steps run as 0 inside
 * when it is mapped (as before: what they make is root's, not the
 * command's to change); for a joined one, chosen in the same way against
 * its maps once the child is in it (idmap_choose_joined). */
static int plan_ids(struct plan *p, nsbox *box, unsigned joined)
{
    p->set_ids = box->user_set;
    p->uid = box->uid;
    p->gid = box->gid;
    p->stages[0] = (struct plan_stage){p, 0, -1};
    p->stages[1] = (struct plan_stage){p, 1, -1};
    p->stages[2] = (struct plan_stage){p, 2, -1};
    if (plan_new_userns(p)) {
        p->set_ids = p->ids_early = true;
        return idmap_choose_ids(box, p);
    }
    p->ids_early = p->ids_joined = joined & NSBOX_NS_USER;
    return 0;
}

int plan_build(nsbox *box, char *const argv[], struct plan **out)
{
    int r = box_check_fds(box);
    if (r < 0)
        return r;
    struct plan *p = plan_new();
    if (!p)
        return box_fail(box, ENOMEM, "plan");
    p->sync_fd = p->parent_sync_fd = p->status_fd = p->init_fd = p->cgroup_fd = p->proc_fd = -1;
    p->gate_fd = -1;
    p->pid_join_fd = -1;
    p->cpu_fd = -1;

    unsigned joined;
    unsigned ns = plan_namespaces(box, &joined);
    plan_joins(p, box);
    /* With joins, new namespaces are unshared after setns, so that they
     * belong to the joined user namespace; else clone3 makes them. */
    if (p->n_joins)
        p->unshare_ns = ns_clone_flags(ns);
    else
        p->clone_ns = ns_clone_flags(ns);
    /* Stage 0 joins or unshares a PID namespace that only its children
     * enter. It forks stage 1 as the caller's child (CLONE_PARENT) and
     * exits, so that the first process, the one nsbox_proc_pid() names, is
     * inside the sandbox's PID namespace, as runc's is: a monitor left
     * outside would be what nsenter -t PID -p and /proc/PID/ns/pid lead to. */
    p->pid_stage = (joined & NSBOX_NS_PID) || (p->unshare_ns & CLONE_NEWPID);
    p->pid_handoff = p->pid_stage && !box->test_monitor_outside;
    unsigned long first_ns = p->clone_ns | (p->pid_handoff ? p->unshare_ns : 0);
    /* As PID 1 the command itself must be the first process: no monitor. */
    bool pid1_command = (first_ns & CLONE_NEWPID) && (box->flags & NSBOX_AS_PID1);
    p->monitor = (p->pid_stage && !p->pid_handoff) ||
                 (!pid1_command && (box->force_monitor || plan_status_needs_monitor()));
    p->use_init = (ns & NSBOX_NS_PID) && !(box->flags & NSBOX_AS_PID1);
    p->flags = box->flags;
    p->init_unhardened = box->init_unhardened;
    p->ignored_signals = plan_ignored_signals();
    p->hostname = box->hostname;
    p->loopback = ns & NSBOX_NS_NET;
    p->cwd = box->cwd;
    p->cwd_required = box->cwd != NULL;
    p->rlimits = box->rlimits;
    p->n_rlimits = (int)box->n_rlimits;
    p->no_new_privs = !(box->flags & NSBOX_ALLOW_NEW_PRIVS);
    p->lock_files = box->lock_files;
    p->n_lock_files = (int)box->n_lock_files;
    r = plan_ids(p, box, joined);
    if (r < 0) {
        plan_free(p);
        return r;
    }
    /* An unprivileged user namespace has setgroups denied (written so
     * before gid_map, as the kernel requires); there is nothing to drop. */
    p->drop_groups = !(plan_new_userns(p) && idmap_setgroups_denied(box));
    p->argv = argv;
    p->exec_name = box->exec_path ? box->exec_path : argv[0];

    const char *path;
    r = plan_env(p, box, &path);
    if (r == 0)
        r = plan_exec_paths(p, p->exec_name, path);
    if (r == 0)
        r = plan_fds(p, box);
    if (r < 0) {
        plan_free(p);
        return box_fail(box, -r, "plan");
    }
    r = mount_plan_build(box, p);
    if (r == 0)
        r = caps_plan_build(box, p);
    if (r == 0)
        r = userns_plan(box, p);
    if (r == 0)
        r = oci_plan_build(box, p);
    if (r == 0)
        r = console_plan_build(box, p);
    if (r < 0) {
        plan_free(p);
        return r;
    }
    *out = p;
    return 0;
}
