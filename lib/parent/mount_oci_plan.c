/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan entries of the OCI filesystem steps (nsbox_add_mount,
 * nsbox_add_device, nsbox_add_mask, nsbox_add_readonly); the builder calls
 * are lib/recipe/mount_oci.c, the child's side lib/child/mount_oci_child.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "mount.h"

static uint64_t ms_to_attr(unsigned long flags)
{
    uint64_t attr = 0;
    attr |= (flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0;
    attr |= (flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0;
    attr |= (flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0;
    attr |= (flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0;
    attr |= (flags & MS_NODIRATIME) ? MOUNT_ATTR_NODIRATIME : 0;
    attr |= (flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME : 0;
    attr |= (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME : 0;
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
