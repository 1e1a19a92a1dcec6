/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recipe handle: lifecycle and the builder calls of the process and
 * its namespaces. Builders validate what they can at once (the messages
 * through base/error.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "caps.h"
#include "cgroup_recipe.h"
#include "console.h"
#include "internal.h"
#include "lock.h"
#include "mount.h"
#include "oci.h"
#include "box.h"

#define NSBOX_FLAGS_ALL                                                                            \
    (NSBOX_DIE_WITH_PARENT | NSBOX_NEW_SESSION | NSBOX_AS_PID1 | NSBOX_ALLOW_NEW_PRIVS |           \
     NSBOX_DISABLE_USERNS | NSBOX_ASSERT_USERNS_DISABLED | NSBOX_CONTROLLING_TTY |                 \
     NSBOX_ENTER_FORK | NSBOX_CGROUP_ADVISORY)

static const struct {
    unsigned ns;
    const char *name;
    unsigned long clone_flag;
} ns_table[] = {
    {NSBOX_NS_USER, "user", CLONE_NEWUSER},       {NSBOX_NS_PID, "pid", CLONE_NEWPID},
    {NSBOX_NS_MOUNT, "mnt", CLONE_NEWNS},         {NSBOX_NS_UTS, "uts", CLONE_NEWUTS},
    {NSBOX_NS_IPC, "ipc", CLONE_NEWIPC},          {NSBOX_NS_NET, "net", CLONE_NEWNET},
    {NSBOX_NS_CGROUP, "cgroup", CLONE_NEWCGROUP}, {NSBOX_NS_TIME, "time", CLONE_NEWTIME},
};

const char *ns_name(unsigned one_ns)
{
    for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
        if (ns_table[i].ns == one_ns)
            return ns_table[i].name;
    return "?";
}

unsigned long ns_clone_flags(unsigned ns)
{
    unsigned long flags = 0;
    for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
        if (ns & ns_table[i].ns)
            flags |= ns_table[i].clone_flag;
    return flags;
}

NSBOX_EXPORT const char *nsbox_version(void)
{
    return NSBOX_VERSION;
}

NSBOX_EXPORT nsbox *nsbox_new(void)
{
    nsbox *box = calloc(1, sizeof(*box));
    if (!box)
        return NULL;
    box->stdio[0].fd = box->stdio[1].fd = box->stdio[2].fd = box->gate.fd = -1;
    return box;
}

NSBOX_EXPORT void nsbox_free(nsbox *box)
{
    if (!box)
        return;
    for (size_t i = 0; i < box->n_joins; i++)
        if (box->joins[i].fd >= 0) /* -1: closed by nsbox_enter */
            close(box->joins[i].fd);
    free(box->joins);
    free(box->uid_map.r);
    free(box->gid_map.r);
    free(box->hostname);
    free(box->cwd);
    free(box->exec_path);
    lock_files_free(box);
    for (size_t i = 0; i < box->n_env; i++) {
        free(box->env[i].name);
        free(box->env[i].value);
    }
    free(box->env);
    free(box->fds);
    free(box->rlimits);
    mount_recipe_free(box->mnt);
    cgroup_recipe_free(box->cg);
    caps_recipe_free(box->caps);
    oci_recipe_free(box->oci);
    console_recipe_free(box->console);
    stacks_release(box);
    free(box);
}

NSBOX_EXPORT const char *nsbox_errmsg(const nsbox *box)
{
    return box ? box->err.msg : "";
}

NSBOX_EXPORT int nsbox_add_namespace(nsbox *box, unsigned ns_mask)
{
    if (!box)
        return -EINVAL;
    if (ns_mask & ~(unsigned)NSBOX_NS_ALL)
        return box_invalid(box, "namespace mask 0x%x: unknown bits 0x%x", ns_mask,
                           ns_mask & ~(unsigned)NSBOX_NS_ALL);
    for (size_t i = 0; i < box->n_joins; i++)
        if (box->joins[i].ns & ns_mask)
            return box_invalid(box, "namespace %s: already joined, cannot also create it",
                               ns_name(box->joins[i].ns & ns_mask & -(box->joins[i].ns & ns_mask)));
    box->ns |= ns_mask;
    return 0;
}

/* The namespace kind an fd refers to, from /proc/self/fd's link target
 * "<kind>:[inode]"; 0 for a pidfd, -1 for neither. */
static int fd_ns_kind(int fd, unsigned *kind)
{
    char path[64], target[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t len = readlink(path, target, sizeof(target) - 1);
    if (len < 0)
        return -errno;
    target[len] = '\0';
    *kind = 0;
    if (strcmp(target, "anon_inode:[pidfd]") == 0)
        return 0;
    char *colon = strchr(target, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
        if (strcmp(target, ns_table[i].name) == 0)
            *kind = ns_table[i].ns;
    return *kind ? 0 : -1;
}

NSBOX_EXPORT int nsbox_join_namespace(nsbox *box, unsigned ns, int fd)
{
    if (!box)
        return -EINVAL;
    if (ns == 0 || (ns & ~(unsigned)NSBOX_NS_ALL))
        return box_invalid(box, "join namespace mask 0x%x: not a set of NSBOX_NS_* kinds", ns);
    if (fcntl(fd, F_GETFD) < 0)
        return box_fail(box, EBADF, "join namespace fd %d", fd);
    unsigned kind = 0;
    int r = fd_ns_kind(fd, &kind);
    if (r < 0)
        return box_invalid(box, "join namespace fd %d: neither a /proc/PID/ns file nor a pidfd",
                           fd);
    if (kind && kind != ns)
        return box_invalid(box, "join namespace fd %d: it is a %s namespace, not %s%s", fd,
                           ns_name(kind), (ns & (ns - 1)) ? "several kinds" : ns_name(ns),
                           (ns & (ns - 1)) ? " (a mask needs a pidfd)" : "");
    unsigned taken = box->ns;
    for (size_t i = 0; i < box->n_joins; i++)
        taken |= box->joins[i].ns;
    if (taken & ns)
        return box_invalid(box, "join namespace %s: already added or joined",
                           ns_name((taken & ns) & -(taken & ns)));
    int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (dup < 0)
        return box_fail(box, errno, "join namespace: duplicate fd %d", fd);
    struct ns_join *j = vec_push(&box->joins, &box->n_joins, sizeof(*j));
    if (!j) {
        close(dup);
        return box_fail(box, ENOMEM, "join namespace");
    }
    *j = (struct ns_join){.ns = ns, .fd = dup, .pidfd = kind == 0};
    return 0;
}

static int idmap_add(nsbox *box, struct idmap *map, const char *what, uint32_t inside,
                     uint32_t outside, uint32_t count)
{
    if (count == 0 || (uint64_t)inside + count > UINT32_MAX ||
        (uint64_t)outside + count > UINT32_MAX)
        return box_invalid(box, "%s map %u %u %u: empty or past the id range", what, inside,
                           outside, count);
    for (size_t i = 0; i < map->n; i++) {
        struct idmap_range *o = &map->r[i];
        bool in = inside < o->inside + o->count && o->inside < inside + count;
        bool out = outside < o->outside + o->count && o->outside < outside + count;
        if (in || out)
            return box_invalid(box, "%s map %u %u %u: overlaps %u %u %u %s", what, inside, outside,
                               count, o->inside, o->outside, o->count, in ? "inside" : "outside");
    }
    if (map->n >= 340) /* the kernel's limit of lines in one map */
        return box_invalid(box, "%s map: more than 340 ranges", what);
    struct idmap_range *r = vec_push(&map->r, &map->n, sizeof(*r));
    if (!r)
        return box_fail(box, ENOMEM, "%s map", what);
    *r = (struct idmap_range){inside, outside, count};
    box->ns |= NSBOX_NS_USER;
    return 0;
}

NSBOX_EXPORT int nsbox_add_uid_map(nsbox *box, uint32_t inside, uint32_t outside, uint32_t count)
{
    return box ? idmap_add(box, &box->uid_map, "uid", inside, outside, count) : -EINVAL;
}

NSBOX_EXPORT int nsbox_add_gid_map(nsbox *box, uint32_t inside, uint32_t outside, uint32_t count)
{
    return box ? idmap_add(box, &box->gid_map, "gid", inside, outside, count) : -EINVAL;
}

NSBOX_EXPORT int nsbox_set_user(nsbox *box, uint32_t uid, uint32_t gid)
{
    if (!box)
        return -EINVAL;
    if (uid == UINT32_MAX || gid == UINT32_MAX)
        return box_invalid(box, "user %u:%u: -1 is not an id", uid, gid);
    box->user_set = true;
    box->uid = uid;
    box->gid = gid;
    return 0;
}

/* Replaces *slot with a copy of value (NULL clears it). */
static int set_string(nsbox *box, char **slot, const char *value, const char *what)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return box_fail(box, ENOMEM, "%s", what);
    free(*slot);
    *slot = copy;
    return 0;
}

NSBOX_EXPORT int nsbox_set_hostname(nsbox *box, const char *name)
{
    if (!box)
        return -EINVAL;
    if (!name || !*name || strlen(name) > 64)
        return box_invalid(box, "hostname \"%s\": must be 1 to 64 bytes", name ? name : "");
    box->ns |= NSBOX_NS_UTS;
    return set_string(box, &box->hostname, name, "hostname");
}

NSBOX_EXPORT int nsbox_set_cwd(nsbox *box, const char *dir)
{
    if (!box)
        return -EINVAL;
    if (!dir || dir[0] != '/')
        return box_invalid(box, "cwd \"%s\": not an absolute path", dir ? dir : "");
    return set_string(box, &box->cwd, dir, "cwd");
}

NSBOX_EXPORT int nsbox_set_exec_path(nsbox *box, const char *path)
{
    if (!box)
        return -EINVAL;
    if (!path)
        return set_string(box, &box->exec_path, NULL, "exec path");
    if (!*path)
        return box_invalid(box, "exec path \"\": empty");
    return set_string(box, &box->exec_path, path, "exec path");
}

NSBOX_EXPORT int nsbox_set_env(nsbox *box, const char *name, const char *value)
{
    if (!box)
        return -EINVAL;
    if (!name || !*name || strchr(name, '='))
        return box_invalid(box, "environment variable \"%s\": empty or contains '='",
                           name ? name : "");
    char *n = strdup(name);
    char *v = value ? strdup(value) : NULL;
    struct env_op *op = (n && (v || !value)) ? vec_push(&box->env, &box->n_env, sizeof(*op)) : NULL;
    if (!op) {
        free(n);
        free(v);
        return box_fail(box, ENOMEM, "environment variable %s", name);
    }
    *op = (struct env_op){n, v};
    return 0;
}

NSBOX_EXPORT int nsbox_clear_env(nsbox *box)
{
    if (!box)
        return -EINVAL;
    box->clear_env = true;
    return 0;
}

static const char *const stdio_names[3] = {"stdin", "stdout", "stderr"};

/* Records a caller's fd by number and identity; nothing is duplicated. */
static int fd_ref_take(nsbox *box, int fd, struct fd_ref *ref, const char *what)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return box_fail(box, fd < 0 ? EBADF : errno, "%s fd %d", what, fd);
    *ref = (struct fd_ref){fd, st.st_dev, st.st_ino};
    return 0;
}

/* what names the fd in the message: "stdout fd 5", "pass fd 5 as 7". */
static int fd_ref_check(nsbox *box, const struct fd_ref *ref, const char *what)
{
    struct stat st;
    if (fstat(ref->fd, &st) < 0)
        return box_fail(box, errno,
                        "%s: closed since it was set (the caller keeps it open until "
                        "nsbox_spawn returns)",
                        what);
    if (st.st_dev != ref->dev || st.st_ino != ref->ino)
        return box_fail(box, EBADF, "%s: another file than when it was set (closed and reused)",
                        what);
    return 0;
}

int box_check_fds(nsbox *box)
{
    char what[64];
    for (int i = 0; i < 3; i++) {
        if (box->stdio[i].fd < 0)
            continue;
        snprintf(what, sizeof(what), "%s fd %d", stdio_names[i], box->stdio[i].fd);
        int r = fd_ref_check(box, &box->stdio[i], what);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < box->n_fds; i++) {
        snprintf(what, sizeof(what), "pass fd %d as %d", box->fds[i].src.fd, box->fds[i].target);
        int r = fd_ref_check(box, &box->fds[i].src, what);
        if (r < 0)
            return r;
    }
    if (box->gate.fd >= 0) {
        snprintf(what, sizeof(what), "exec gate fd %d", box->gate.fd);
        return fd_ref_check(box, &box->gate, what);
    }
    return 0;
}

NSBOX_EXPORT int nsbox_set_stdio(nsbox *box, int in_fd, int out_fd, int err_fd)
{
    if (!box)
        return -EINVAL;
    int in[3] = {in_fd, out_fd, err_fd};
    struct fd_ref refs[3] = {{.fd = -1}, {.fd = -1}, {.fd = -1}};
    for (int i = 0; i < 3; i++) {
        int r = 0;
        if (in[i] < -1)
            r = box_invalid(box, "%s fd %d: neither an fd nor -1", stdio_names[i], in[i]);
        else if (in[i] >= 0)
            r = fd_ref_take(box, in[i], &refs[i], stdio_names[i]);
        if (r < 0)
            return r;
    }
    memcpy(box->stdio, refs, sizeof(refs));
    return 0;
}

/* Drops the pass to target, if any. */
static void fd_pass_drop(nsbox *box, int target)
{
    for (size_t i = 0; i < box->n_fds; i++)
        if (box->fds[i].target == target) {
            box->fds[i] = box->fds[--box->n_fds];
            return;
        }
}

NSBOX_EXPORT int nsbox_pass_fd(nsbox *box, int fd, int target_fd)
{
    if (!box)
        return -EINVAL;
    if (target_fd < 3)
        return box_invalid(box,
                           "pass fd %d as %d: the target must be 3 or more (stdio has "
                           "nsbox_set_stdio)",
                           fd, target_fd);
    if (target_fd > FD_TARGET_MAX)
        return box_invalid(box, "pass fd %d as %d: the target must be at most %d", fd, target_fd,
                           FD_TARGET_MAX);
    if (fd < -1)
        return box_invalid(box, "pass fd %d as %d: neither an fd nor -1", fd, target_fd);
    struct fd_ref ref = {.fd = -1};
    if (fd >= 0) {
        int r = fd_ref_take(box, fd, &ref, "pass");
        if (r < 0)
            return r;
    }
    fd_pass_drop(box, target_fd);
    if (fd < 0)
        return 0;
    struct fd_pass *p = vec_push(&box->fds, &box->n_fds, sizeof(*p));
    if (!p)
        return box_fail(box, ENOMEM, "pass fd %d", fd);
    *p = (struct fd_pass){ref, target_fd};
    return 0;
}

NSBOX_EXPORT int nsbox_set_exec_gate(nsbox *box, int fd)
{
    if (!box)
        return -EINVAL;
    if (fd < -1)
        return box_invalid(box, "exec gate fd %d: neither an fd nor -1", fd);
    struct fd_ref ref = {.fd = -1};
    if (fd >= 0) {
        int r = fd_ref_take(box, fd, &ref, "exec gate");
        if (r < 0)
            return r;
    }
    box->gate = ref;
    return 0;
}

NSBOX_EXPORT int nsbox_set_rlimit(nsbox *box, int resource, uint64_t soft, uint64_t hard)
{
    if (!box)
        return -EINVAL;
    if (resource < 0 || resource >= RLIM_NLIMITS)
        return box_invalid(box, "rlimit %d: unknown resource", resource);
    if (soft > hard)
        return box_invalid(box, "rlimit %d: soft %llu above hard %llu", resource,
                           (unsigned long long)soft, (unsigned long long)hard);
    for (size_t i = 0; i < box->n_rlimits; i++)
        if (box->rlimits[i].resource == resource) {
            box->rlimits[i].soft = soft;
            box->rlimits[i].hard = hard;
            return 0;
        }
    struct rlimit_set *r = vec_push(&box->rlimits, &box->n_rlimits, sizeof(*r));
    if (!r)
        return box_fail(box, ENOMEM, "rlimit %d", resource);
    *r = (struct rlimit_set){resource, soft, hard};
    return 0;
}

NSBOX_EXPORT int nsbox_set_flags(nsbox *box, unsigned flags)
{
    if (!box)
        return -EINVAL;
    if (flags & ~(unsigned)NSBOX_FLAGS_ALL)
        return box_invalid(box, "flags 0x%x: unknown bits 0x%x", flags,
                           flags & ~(unsigned)NSBOX_FLAGS_ALL);
    box->flags = flags;
    return 0;
}
