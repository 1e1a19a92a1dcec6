/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process settings an OCI runtime needs: nsbox_set_groups,
 * nsbox_set_umask, nsbox_set_oom_score_adj, nsbox_set_domainname and
 * nsbox_set_sysctl. Builder calls, their plan, and the messages of the
 * child's failures (the child's side is lib/child/process_oci_child.c).
 *
 * A sysctl is taken only when the kernel keeps it per namespace and the
 * sandbox has that namespace of its own (new, or joined and not the
 * caller's): the list is runc's. Anything else would change the
 * caller's, usually the host's, setting. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "oci.h"

#define GROUPS_MAX 65536 /* the kernel's NGROUPS_MAX */

static struct oci_recipe *oci_get(nsbox *box)
{
    if (!box->oci)
        box->oci = calloc(1, sizeof(*box->oci));
    return box->oci;
}

void oci_recipe_free(struct oci_recipe *o)
{
    if (!o)
        return;
    free(o->groups);
    free(o->domainname);
    for (size_t i = 0; i < o->n_sysctls; i++) {
        free(o->sysctls[i].key);
        free(o->sysctls[i].path);
        free(o->sysctls[i].value);
    }
    free(o->sysctls);
    free(o);
}

NSBOX_EXPORT int nsbox_set_groups(nsbox *box, const gid_t *gids, size_t n)
{
    if (!box)
        return -EINVAL;
    if (n && !gids)
        return box_invalid(box, "groups: NULL for %zu gids", n);
    if (n > GROUPS_MAX)
        return box_invalid(box, "groups: %zu gids, more than %d", n, GROUPS_MAX);
    for (size_t i = 0; i < n; i++)
        if (gids[i] == (gid_t)-1)
            return box_invalid(box, "groups: gid %zu is -1, not an id", i);
    struct oci_recipe *o = oci_get(box);
    gid_t *copy = n ? malloc(n * sizeof(*copy)) : NULL;
    if (!o || (n && !copy)) {
        free(copy);
        return box_fail(box, ENOMEM, "groups");
    }
    if (n)
        memcpy(copy, gids, n * sizeof(*copy));
    free(o->groups);
    o->groups = copy;
    o->n_groups = n;
    return 0;
}

NSBOX_EXPORT int nsbox_set_umask(nsbox *box, uint32_t mask)
{
    if (!box)
        return -EINVAL;
    if (mask & ~0777u)
        return box_invalid(box, "umask 0%o: bits beyond 0777", mask);
    struct oci_recipe *o = oci_get(box);
    if (!o)
        return box_fail(box, ENOMEM, "umask");
    o->umask_set = true;
    o->umask = mask;
    return 0;
}

NSBOX_EXPORT int nsbox_set_oom_score_adj(nsbox *box, int adj)
{
    if (!box)
        return -EINVAL;
    if (adj < -1000 || adj > 1000)
        return box_invalid(box, "oom_score_adj %d: outside -1000..1000", adj);
    struct oci_recipe *o = oci_get(box);
    if (!o)
        return box_fail(box, ENOMEM, "oom_score_adj");
    o->oom_set = true;
    o->oom_score_adj = adj;
    return 0;
}

NSBOX_EXPORT int nsbox_set_domainname(nsbox *box, const char *name)
{
    if (!box)
        return -EINVAL;
    if (!name || !*name || strlen(name) > 64)
        return box_invalid(box, "domain name \"%s\": must be 1 to 64 bytes", name ? name : "");
    struct oci_recipe *o = oci_get(box);
    char *copy = strdup(name);
    if (!o || !copy) {
        free(copy);
        return box_fail(box, ENOMEM, "domain name");
    }
    free(o->domainname);
    o->domainname = copy;
    box->ns |= NSBOX_NS_UTS;
    return 0;
}

/* The path below /proc/sys of key ("net.ipv4.ip_forward" or
 * "net/ipv4/conf/eth0.1/forwarding"), NULL for a malformed key. */
static char *sysctl_path(const char *key)
{
    char sep = strchr(key, '/') ? '/' : '.';
    char *path = strdup(key);
    if (!path)
        return NULL;
    for (char *c = path, *start = path;; c++) {
        if (*c != sep && *c != '\0') {
            if (*c <= ' ' || *c == 127 || (sep == '.' && *c == '/'))
                break;
            continue;
        }
        size_t len = (size_t)(c - start);
        if (len == 0 || (len == 1 && start[0] == '.') || (len == 2 && !strncmp(start, "..", 2)))
            break;
        if (*c == '\0')
            return path;
        *c = '/';
        start = c + 1;
    }
    free(path);
    errno = EINVAL;
    return NULL;
}

/* The namespace that keeps key (its path below /proc/sys), 0 if none. */
static unsigned sysctl_ns(const char *path)
{
    static const char *const ipc[] = {"kernel/msgmax", "kernel/msgmnb",         "kernel/msgmni",
                                      "kernel/sem",    "kernel/shmall",         "kernel/shmmax",
                                      "kernel/shmmni", "kernel/shm_rmid_forced"};
    for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
        if (strcmp(path, ipc[i]) == 0)
            return NSBOX_NS_IPC;
    if (strncmp(path, "fs/mqueue/", 10) == 0)
        return NSBOX_NS_IPC;
    if (strcmp(path, "kernel/hostname") == 0 || strcmp(path, "kernel/domainname") == 0)
        return NSBOX_NS_UTS;
    if (strncmp(path, "net/", 4) == 0)
        return NSBOX_NS_NET;
    return 0;
}

NSBOX_EXPORT int nsbox_set_sysctl(nsbox *box, const char *key, const char *value)
{
    if (!box)
        return -EINVAL;
    if (!key || !*key || !value)
        return box_invalid(box, "sysctl \"%s\": %s", key ? key : "",
                           value ? "empty key" : "no value");
    if (strchr(value, '\n'))
        return box_invalid(box, "sysctl %s: the value has a newline", key);
    char *path = sysctl_path(key);
    if (!path && errno == ENOMEM)
        return box_fail(box, ENOMEM, "sysctl %s", key);
    if (!path)
        return box_invalid(box,
                           "sysctl \"%s\": not a key (empty, \".\" or \"..\" components, or "
                           "spaces)",
                           key);
    unsigned ns = sysctl_ns(path);
    if (!ns) {
        free(path);
        return box_invalid(box,
                           "sysctl %s: not kept per namespace, so it would change the host's "
                           "setting (taken: kernel.msgmax, msgmnb, msgmni, sem, shmall, shmmax, "
                           "shmmni, shm_rmid_forced, fs.mqueue.*, kernel.hostname, "
                           "kernel.domainname, net.*)",
                           key);
    }
    struct oci_recipe *o = oci_get(box);
    struct oci_sysctl *slot = NULL;
    for (size_t i = 0; o && i < o->n_sysctls; i++)
        if (strcmp(o->sysctls[i].path, path) == 0)
            slot = &o->sysctls[i];
    char *k = strdup(key), *v = strdup(value);
    if (!slot && o && k && v)
        slot = vec_push(&o->sysctls, &o->n_sysctls, sizeof(*slot));
    if (!slot || !k || !v) {
        free(path);
        free(k);
        free(v);
        return box_fail(box, ENOMEM, "sysctl %s", key);
    }
    free(slot->key);
    free(slot->path);
    free(slot->value);
    *slot = (struct oci_sysctl){k, path, v, ns};
    return 0;
}

/* ------------------------------------------------------------------- plan */

/* The inode of the namespace of kind a joined fd names (a namespace file,
 * or a pidfd's process's), and of the caller's own. */
static int joined_ns_ino(const struct ns_join *j, unsigned kind, struct stat *st)
{
    if (!j->pidfd)
        return fstat(j->fd, st) < 0 ? -errno : 0;
    char path[64], line[128];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", j->fd);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    long pid = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Pid: %ld", &pid) == 1)
            break;
    fclose(f);
    if (pid <= 0)
        return -ESRCH;
    snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid, ns_name(kind));
    return stat(path, st) < 0 ? -errno : 0;
}

/* -EINVAL with the message unless the sandbox has a namespace of kind
 * of its own: new, or joined and not the caller's. */
static int sysctl_ns_check(nsbox *box, const struct oci_sysctl *s)
{
    if (box->ns & s->ns)
        return 0;
    for (size_t i = 0; i < box->n_joins; i++) {
        if (!(box->joins[i].ns & s->ns))
            continue;
        char own[64];
        struct stat a, b;
        snprintf(own, sizeof(own), "/proc/self/ns/%s", ns_name(s->ns));
        int r = joined_ns_ino(&box->joins[i], s->ns, &a);
        if (r == 0 && stat(own, &b) < 0)
            r = -errno;
        if (r < 0)
            return box_fail(box, -r,
                            "sysctl %s: compare the joined %s namespace with the "
                            "caller's",
                            s->key, ns_name(s->ns));
        if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            return box_invalid(box,
                               "sysctl %s: the joined %s namespace is the caller's own, whose "
                               "setting it would change",
                               s->key, ns_name(s->ns));
        return 0;
    }
    return box_invalid(box,
                       "sysctl %s: needs a %s namespace of the sandbox's own (new, or joined), "
                       "else it would change the caller's setting",
                       s->key, ns_name(s->ns));
}

int oci_plan_build(nsbox *box, struct plan *p)
{
    const struct oci_recipe *o = box->oci;
    if (!o)
        return 0;
    struct oci_plan *op = plan_alloc(p, sizeof(*op));
    if (!op)
        return box_fail(box, ENOMEM, "plan");
    for (size_t i = 0; i < o->n_sysctls; i++) {
        int r = sysctl_ns_check(box, &o->sysctls[i]);
        if (r < 0)
            return r;
    }
    if (o->n_groups && plan_new_userns(p) && idmap_setgroups_denied(box))
        return box_fail(box, EPERM,
                        "groups: the user namespace denies setgroups (an unprivileged caller's "
                        "maps are written so unless newgidmap writes them: add a gid map range "
                        "beyond the caller's own gid, from /etc/subgid)");
    op->groups = o->groups;
    op->n_groups = (int)o->n_groups;
    op->umask = o->umask_set ? (long)o->umask : -1;
    /* The caller writes it once the command has exec'd: a write before,
     * while the child shares the caller's memory, goes to every process
     * sharing it (the kernel's __set_oom_adj), the caller included. The
     * command must be the process the caller knows. */
    if (o->oom_set && (p->use_init || p->monitor))
        return box_invalid(box,
                           "oom_score_adj %d: the command must be the sandbox's first "
                           "process (NSBOX_AS_PID1 with a new PID namespace, or none; and "
                           "a kernel with PIDFD_INFO_EXIT, Linux 6.15)",
                           o->oom_score_adj);
    if (o->oom_set) {
        char num[16];
        snprintf(num, sizeof(num), "%d", o->oom_score_adj);
        if (!(op->oom = plan_strdup(p, num)))
            return box_fail(box, ENOMEM, "plan");
    }
    op->domainname = o->domainname;
    op->sysctls = o->sysctls;
    op->n_sysctls = (int)o->n_sysctls;
    p->oci = op;
    return 0;
}

int oci_after_exec(nsbox *box, const struct plan *p, pid_t pid)
{
    if (!p->oci || !p->oci->oom)
        return 0;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(p->oci->oom);
    if (fd >= 0 && write(fd, p->oci->oom, len) == (ssize_t)len)
        return 0;
    int r = box_fail(box, errno, "oom_score_adj %s", p->oci->oom);
    if (r == -EACCES)
        box_append(box, " (lowering it needs CAP_SYS_RESOURCE of the host)");
    return r;
}

int oci_report(nsbox *box, const struct plan *p, const struct child_report *rep)
{
    const struct oci_plan *op = p->oci;
    int e = rep->err > 0 ? rep->err : EPROTO;
    int sub = rep->index >> 16, i = rep->index & 0xffff;
    const struct oci_sysctl *s = op && i < op->n_sysctls ? &op->sysctls[i] : NULL;
    switch (sub) {
    case OCI_SYSCTL_PROC:
        return box_fail(box, e, "sysctl: open /proc/sys of the caller's tree (a procfs)");
    case OCI_SYSCTL_OPEN:
    case OCI_SYSCTL_WRITE:
        if (!s)
            break;
        box_fail(box, e, "sysctl %s=%s", s->key, s->value);
        if (e == EROFS)
            box_append(box, " (the caller's /proc/sys is read-only)");
        else if (e == EACCES && s->ns == NSBOX_NS_IPC)
            box_append(box, " (the kernel lets only uid 0 of the sandbox's user namespace "
                            "write it: map 0)");
        return -e;
    case OCI_DOMAINNAME:
        return box_fail(box, e, "set domain name %s", op ? op->domainname : "?");
    case OCI_GROUPS:
        box_fail(box, e, "set %d supplementary groups", op ? op->n_groups : 0);
        if (e == EINVAL)
            box_append(box, " (a gid is not mapped in the user namespace)");
        else if (e == EPERM)
            box_append(box, " (the user namespace denies setgroups, or CAP_SETGID is missing)");
        return -e;
    }
    return box_fail(box, e, "child step %d.%d", rep->step, rep->index);
}
