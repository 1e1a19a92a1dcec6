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
    /* cgroup v1's release_agent: a program the kernel runs as root */
    if (data && strncmp(type, "cgroup", 6) == 0 && strstr(data, "release_agent"))
        return box_invalid(box,
                           "mount %s -> %s: option release_agent refused (a program the "
                           "kernel would run as root)",
                           t, dst);
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
    /* Out of memory: a NULL dst, which step_add reports (ENOMEM). */
    if (src && *src && !(st.src = bind ? source_absolute(src) : strdup(src))) {
        free(st.dst);
        st.dst = NULL;
    }
    if (st.dst && data && *data && !(st.opts = strdup(data))) {
        free(st.dst);
        st.dst = NULL;
    }
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
    char name[2] = {(char)(type == 'u' ? 'c' : type), '\0'};
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
