/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The filesystem calls an OCI runtime needs (nsbox_add_mount,
 * nsbox_add_device, nsbox_add_mask, nsbox_add_readonly,
 * nsbox_set_root_propagation): the builder calls, which check what they
 * can at once, and the plan entries of their steps. The child's side is
 * lib/child/mount_oci_child.c and mount.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "mount.h"

#define MS_PROPAGATION (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE)
#define MS_ATIME (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
#define MS_ALLOWED                                                                                 \
    (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | MS_ATIME | MS_REC |            \
     MS_PROPAGATION)
#define OPTS_MAX 4095

static const char *const fs_types[] = {"bind",   "proc",  "sysfs",  "devpts",
                                       "mqueue", "tmpfs", "cgroup", "cgroup2"};

static bool fs_type_known(const char *type)
{
    for (size_t i = 0; i < sizeof(fs_types) / sizeof(fs_types[0]); i++)
        if (strcmp(type, fs_types[i]) == 0)
            return true;
    return false;
}

/* At most one bit of mask set. */
static bool at_most_one(unsigned long mask)
{
    return (mask & (mask - 1)) == 0;
}

static int mount_check(nsbox *box, const char *type, const char *src, const char *dst,
                       unsigned long flags, const char *data)
{
    const char *t = type ? type : "(null)";
    if (!type || !fs_type_known(type))
        return box_invalid(box,
                           "mount %s -> %s: unknown type \"%s\" (bind, proc, sysfs, devpts, "
                           "mqueue, tmpfs, cgroup, cgroup2)",
                           src ? src : "", dst ? dst : "(null)", t);
    if (!path_absolute(dst))
        return box_invalid(box, "mount %s %s: the destination \"%s\" is not absolute", t,
                           src ? src : "", dst ? dst : "");
    bool bind = strcmp(type, "bind") == 0;
    if (bind && (!src || !*src))
        return box_invalid(box, "mount bind -> %s: a bind needs a source", dst);
    if (bind && data && *data)
        return box_invalid(box, "mount bind %s -> %s: a bind takes no options (\"%s\")", src, dst,
                           data);
    if (flags & ~(unsigned long)MS_ALLOWED)
        return box_invalid(box, "mount %s -> %s: unknown or unsupported flags 0x%lx", t, dst,
                           flags & ~(unsigned long)MS_ALLOWED);
    if (!at_most_one(flags & MS_PROPAGATION))
        return box_invalid(box, "mount %s -> %s: several propagation types in flags 0x%lx", t, dst,
                           flags);
    if (!at_most_one(flags & MS_ATIME))
        return box_invalid(box, "mount %s -> %s: several atime modes in flags 0x%lx", t, dst,
                           flags);
    if (data && strlen(data) > OPTS_MAX)
        return box_invalid(box, "mount %s -> %s: options longer than %d bytes", t, dst, OPTS_MAX);
    return 0;
}

NSBOX_EXPORT int nsbox_add_mount(nsbox *box, const char *type, const char *src, const char *dst,
                                 unsigned long flags, const char *data)
{
    if (!box)
        return -EINVAL;
    int r = mount_check(box, type, src, dst, flags, data);
    if (r < 0)
        return r;
    bool bind = strcmp(type, "bind") == 0;
    char *what = bind ? "bind mount" : "mount";
    struct mount_step st = {
        .kind = MK_MOUNT, .dst = path_normalize(dst), .fstype = strdup(type), .msflags = flags};
    if (src && *src && !(st.src = bind ? source_absolute(src) : strdup(src)))
        st.dst = (free(st.dst), NULL); /* ENOMEM, reported by step_add */
    if (data && *data && !(st.opts = strdup(data)))
        st.dst = (free(st.dst), NULL);
    return step_add(box, what, st);
}

NSBOX_EXPORT int nsbox_add_device(nsbox *box, const char *path, char type, uint32_t major,
                                  uint32_t minor, uint32_t mode, uid_t uid, gid_t gid)
{
    if (!box)
        return -EINVAL;
    const char *p = path ? path : "(null)";
    if (!path_absolute(path) || path_names_root(path))
        return box_invalid(box, "device %s: the path must be absolute, not /", p);
    if (type != 'c' && type != 'u' && type != 'b' && type != 'p')
        return box_invalid(box, "device %s: type '%c' is none of c, u, b, p", p,
                           type >= ' ' && type < 127 ? type : '?');
    if (mode & ~07777u)
        return box_invalid(box, "device %s: mode 0%o has bits beyond 07777", p, mode);
    if (type == 'p' && (major || minor))
        return box_invalid(box, "device %s: a FIFO has no device number (%u:%u)", p, major, minor);
    /* The kernel's encoding of a device number for mknod has 12 bits of
     * major and 20 of minor. */
    if (major > 0xfff || minor > 0xfffff)
        return box_invalid(box, "device %s: number %u:%u beyond 4095:1048575", p, major, minor);
    if (uid == (uid_t)-1 || gid == (gid_t)-1)
        return box_invalid(box, "device %s: owner %d:%d: -1 is not an id", p, (int)uid, (int)gid);
    char name[2] = {type == 'u' ? 'c' : type, '\0'};
    return step_add(box, "device",
                    (struct mount_step){.kind = MK_DEVICE,
                                        .dst = path_normalize(path),
                                        .fstype = strdup(name),
                                        .mode = mode,
                                        .rdev = (uint64_t)(minor & 0xff) | (uint64_t)major << 8 |
                                                (uint64_t)(minor & ~0xffu) << 12,
                                        .uid = uid,
                                        .gid = gid});
}

/* mask and read-only paths: nothing to mask or bind at "/". */
static int path_step(nsbox *box, enum mount_kind kind, const char *what, const char *path)
{
    if (box && path_absolute(path) && path_names_root(path))
        return box_invalid(box, "%s /: the path must name a file below /", what);
    return dst_step(box, kind, what, path, 0, 0);
}

NSBOX_EXPORT int nsbox_add_mask(nsbox *box, const char *path)
{
    return path_step(box, MK_MASK, "mask", path);
}

NSBOX_EXPORT int nsbox_add_readonly(nsbox *box, const char *path)
{
    return path_step(box, MK_READONLY, "read-only path", path);
}

NSBOX_EXPORT int nsbox_set_root_propagation(nsbox *box, unsigned long flag)
{
    if (!box)
        return -EINVAL;
    unsigned long type = flag & ~(unsigned long)MS_REC;
    if (!type || (type & ~(unsigned long)MS_PROPAGATION) || !at_most_one(type))
        return box_invalid(box,
                           "root propagation 0x%lx: not one of MS_PRIVATE, MS_SLAVE, MS_SHARED, "
                           "MS_UNBINDABLE (with or without MS_REC)",
                           flag);
    struct mount_recipe *m = recipe_get(box);
    if (!m)
        return box_fail(box, ENOMEM, "root propagation");
    m->propagation = flag;
    box->ns |= NSBOX_NS_MOUNT;
    return 0;
}

/* ------------------------------------------------------------------- plan */

static uint64_t ms_to_attr(unsigned long flags)
{
    uint64_t attr = 0;
    attr |= flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0;
    attr |= flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0;
    attr |= flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0;
    attr |= flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0;
    attr |= flags & MS_NODIRATIME ? MOUNT_ATTR_NODIRATIME : 0;
    attr |= flags & MS_NOATIME ? MOUNT_ATTR_NOATIME : 0;
    attr |= flags & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME : 0;
    return attr; /* MS_RELATIME: the default, MOUNT_ATTR_RELATIME is 0 */
}

/* "mode=755,size=64k,newinstance" -> key, value (NULL for a flag), ...,
 * NULL; "source" first when src names one. */
static const char **plan_opts(struct plan *p, const char *src, const char *data)
{
    size_t n = 2;
    for (const char *c = data ? data : ""; *c; c++)
        n += *c == ',';
    const char **opts = plan_alloc(p, (2 * n + 1) * sizeof(*opts));
    char *copy = data ? plan_strdup(p, data) : NULL;
    if (!opts || (data && !copy))
        return NULL;
    size_t k = 0;
    if (src && *src) {
        opts[k++] = "source";
        opts[k++] = src;
    }
    for (char *save = NULL, *item = copy ? strtok_r(copy, ",", &save) : NULL; item;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (eq)
            *eq = '\0';
        opts[k++] = item;
        opts[k++] = eq ? eq + 1 : NULL;
    }
    opts[k] = NULL;
    return opts;
}

static int plan_mount(struct mount_builder *b, const struct mount_step *st)
{
    const char *type = st->fstype;
    bool bind = strcmp(type, "bind") == 0;
    if (strcmp(st->dst, "/") == 0 && !b->mp->new_root)
        return box_invalid(b->box, "mount %s /: mounting on / needs a new root (nsbox_set_root)",
                           type);
    const char *desc = bind ? plan_printf(b->p, "bind mount %s -> %s", st->src, st->dst)
                            : plan_printf(b->p, "%s %s", type, st->dst);
    struct mount_entry *e = plan_entry_new(b, bind ? OP_BIND : OP_FS, st->dst, desc);
    if (!e)
        return -ENOMEM;
    e->attr = ms_to_attr(st->msflags);
    e->propagation = st->msflags & (MS_PROPAGATION | MS_REC);
    if (!(st->msflags & MS_PROPAGATION))
        e->propagation = 0;
    /* runc's rule: nothing but a procfs goes onto a procfs, where it would
     * hide or replace the covers of its kernel files. */
    e->no_proc_dst = strcmp(type, "proc") != 0;
    e->bad_opt = -1;
    if (bind) {
        e->norec = !(st->msflags & MS_REC);
        return (e->src = plan_printf(b->p, "%s%s", b->host, st->src)) ? 0 : -ENOMEM;
    }
    e->fstype = plan_strdup(b->p, type);
    if (!e->fstype || !(e->opts = plan_opts(b->p, st->src, st->opts)))
        return -ENOMEM;
    if (strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0) {
        bool proc = type[0] == 'p';
        e->kernel = proc ? KERNEL_PROC : KERNEL_SYS;
        e->nolinks = true;
        /* as a bind of a sysfs is: host uid 0 could write it otherwise */
        if (!proc && b->mp->masks)
            e->attr |= MOUNT_ATTR_RDONLY;
        /* the fallback when the kernel refuses a new one (see mount.c) */
        if (!(e->src = plan_printf(b->p, "%s/%s", b->host, proc ? "proc" : "sys")))
            return -ENOMEM;
    } else if (strncmp(type, "cgroup", 6) == 0 && !b->box->cg_unguarded) {
        e->attr |= MOUNT_ATTR_RDONLY; /* see cgroup_guard.c */
    }
    e->tmpfs = strcmp(type, "tmpfs") == 0;
    return 0;
}

/* mknod where the sandbox may; in a user namespace (which may make no
 * device node) a bind of the caller's node at the same path, as crun
 * does. A FIFO needs no privilege. */
static int plan_device(struct mount_builder *b, const struct mount_step *st)
{
    char t = st->fstype[0];
    mode_t fmt = t == 'p' ? S_IFIFO : t == 'b' ? S_IFBLK : S_IFCHR;
    bool userns = plan_new_userns(b->p) || b->p->ids_joined;
    bool bind = t != 'p' && userns;
    unsigned major = (unsigned)(st->rdev >> 8) & 0xfff;
    unsigned minor = (unsigned)(st->rdev & 0xff) | (unsigned)(st->rdev >> 12 & 0xfff00);
    const char *desc = bind ? plan_printf(b->p, "device %s (%c %u:%u, bound from the caller's)",
                                          st->dst, t, major, minor)
                            : plan_printf(b->p, "device %s (%c %u:%u)", st->dst, t, major, minor);
    struct mount_entry *e = plan_entry_new(b, bind ? OP_BIND : OP_MKNOD, st->dst, desc);
    if (!e)
        return -ENOMEM;
    e->mode = fmt | st->mode;
    e->rdev = st->rdev;
    e->uid = st->uid;
    e->gid = st->gid;
    if (bind) {
        e->devcheck = e->norec = true;
        e->attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
        return (e->src = plan_printf(b->p, "%s%s", b->host, st->dst)) ? 0 : -ENOMEM;
    }
    return 0;
}

int plan_oci_step(struct mount_builder *b, const struct mount_step *st)
{
    switch (st->kind) {
    case MK_MOUNT:
        return plan_mount(b, st);
    case MK_DEVICE:
        return plan_device(b, st);
    case MK_MASK:
        return plan_entry_new(b, OP_MASK, st->dst, plan_printf(b->p, "mask %s", st->dst)) ? 0
                                                                                          : -ENOMEM;
    case MK_READONLY:
        return plan_entry_new(b, OP_READONLY, st->dst,
                              plan_printf(b->p, "read-only path %s", st->dst))
                   ? 0
                   : -ENOMEM;
    default:
        return -EINVAL;
    }
}
