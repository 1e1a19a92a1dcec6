/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's half of cgroup_guard.c: before the mount steps, every cgroup
 * and cgroup2 mount of the sandbox's new mount namespace becomes
 * read-only, so that neither the default root nor a bind (which copies
 * the flag) gives the command a writable view of the cgroups above its
 * leaf. Raw system calls only (see child.c). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>

#include "child.h"
#include "sys.h"

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif

CHILD static int child_streq(const char *a, const char *b, int len)
{
    for (int i = 0; i < len; i++)
        if (a[i] != b[i] || !b[i])
            return 0;
    return b[len] == '\0';
}

/* Start of field n (0-based) of a space-separated line, and its length. */
CHILD static const char *child_field(const char *line, int n, int *len)
{
    const char *c = line;
    for (int i = 0; i < n && *c; i++) {
        while (*c && *c != ' ')
            c++;
        if (*c)
            c++;
    }
    int l = 0;
    while (c[l] && c[l] != ' ')
        l++;
    *len = l;
    return c;
}

/* The flags a remount must keep on a mount copied into a user namespace:
 * those of mountinfo's per-mount options. */
CHILD static unsigned long child_locked_flags(const char *opts, int len)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } names[] = {{"nosuid", MS_NOSUID},   {"nodev", MS_NODEV},           {"noexec", MS_NOEXEC},
                 {"noatime", MS_NOATIME}, {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME}};
    unsigned long flags = 0;
    for (int start = 0, i = 0; i <= len; i++) {
        if (i < len && opts[i] != ',')
            continue;
        for (unsigned k = 0; k < sizeof(names) / sizeof(names[0]); k++)
            if (child_streq(opts + start, names[k].name, i - start))
                flags |= names[k].flag;
        start = i + 1;
    }
    return flags;
}

/* One mountinfo line: a cgroup mount becomes read-only. mount_setattr
 * needs Linux 5.12; before it, a bind remount with the locked flags. A
 * mount point hidden under another mount is out of reach anyway. */
CHILD static long child_cgroupfs_line(char *line, char *path, int size)
{
    const char *sep = line;
    while (*sep && !(sep[0] == ' ' && sep[1] == '-' && sep[2] == ' '))
        sep++;
    if (!*sep)
        return 0;
    int len;
    const char *fstype = child_field(sep + 3, 0, &len);
    if (!child_streq(fstype, "cgroup", len) && !child_streq(fstype, "cgroup2", len))
        return 0;
    const char *mp = child_field(line, 4, &len);
    int n = 0;
    for (int i = 0; i < len; i++) {
        if (n + 1 >= size)
            return -36; /* ENAMETOOLONG */
        if (mp[i] == '\\' && i + 3 < len) {
            path[n++] = (char)((mp[i + 1] - '0') * 64 + (mp[i + 2] - '0') * 8 + (mp[i + 3] - '0'));
            i += 3;
        } else {
            path[n++] = mp[i];
        }
    }
    path[n] = '\0';
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    long r = sys5(SYS_mount_setattr, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, &attr, sizeof(attr));
    if (r == -38 /* ENOSYS */) {
        const char *opts = child_field(line, 5, &len);
        r = sys5(SYS_mount, 0, path, 0,
                 MS_REMOUNT | MS_BIND | MS_RDONLY | child_locked_flags(opts, len), 0);
    }
    return r == -2 /* ENOENT */ || r == -20 /* ENOTDIR */ ? 0 : r;
}

CHILD int child_cgroupfs_ro(struct plan *p)
{
    char *buf = p->cgroupfs_buf;
    int size = (int)p->cgroupfs_buf_size / 2, have = 0;
    char *path = buf + size;
    long fd =
        sys_retry(sys4(SYS_openat, AT_FDCWD, "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC, 0));
    if (fd < 0)
        return child_fail(p, STEP_CGROUPFS, fd, 0);
    for (;;) {
        long n = sys_retry(sys3(SYS_read, fd, buf + have, size - 1 - have));
        if (n < 0) {
            sys1(SYS_close, fd);
            return child_fail(p, STEP_CGROUPFS, n, 0);
        }
        have += (int)n;
        buf[have] = '\0';
        int start = 0;
        for (int i = 0; i < have; i++) {
            if (buf[i] != '\n')
                continue;
            buf[i] = '\0';
            long r = child_cgroupfs_line(buf + start, path, size);
            if (r < 0) {
                sys1(SYS_close, fd);
                return child_fail(p, STEP_CGROUPFS, r, 1);
            }
            start = i + 1;
        }
        /* A line longer than the buffer cannot be checked: refuse. */
        if (start == 0 && have == size - 1) {
            sys1(SYS_close, fd);
            return child_fail(p, STEP_CGROUPFS, -36 /* ENAMETOOLONG */, 0);
        }
        for (int i = start; i < have; i++)
            buf[i - start] = buf[i];
        have -= start;
        if (n == 0)
            break;
    }
    sys1(SYS_close, fd);
    return 0;
}
