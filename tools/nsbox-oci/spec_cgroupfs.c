/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A mounts[] entry of type "cgroup" (what podman, containerd and runc spec
 * put at /sys/fs/cgroup). On a v1 or hybrid host a bare mount(2) of type
 * cgroup asks for every controller in one hierarchy, which the kernel
 * refuses with EBUSY where they are mounted apart; so, as runc and crun do,
 * it becomes a tmpfs with one mount per host hierarchy in it, each with the
 * options that name that hierarchy (e.g. "cpu", "name=systemd"), and the
 * cgroup2 one of a hybrid host. On a cgroup2 host it is a cgroup2 mount.
 * The library mounts every cgroup file system read-only (cgroup_guard.c);
 * with "ro" the tmpfs becomes read-only after them. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "oci.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* The super options of a v1 hierarchy less the generic ones: what names
 * it to mount(2). */
static void hierarchy_opts(const char *super, char *out, size_t size)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", super);
    out[0] = '\0';
    for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        if (!strcmp(o, "rw") || !strcmp(o, "ro") || !strncmp(o, "release_agent=", 14) ||
            !strcmp(o, "clone_children"))
            continue;
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", len ? "," : "", o);
    }
}

/* One mountinfo line: "id parent major:minor root mountpoint opts ... -
 * fstype source superopts". A hierarchy mounted right under /sys/fs/cgroup
 * gets its mount at dst/NAME. */
static int add_hierarchy(nsbox *box, const char *field, const char *line, const char *dst,
                         unsigned long flags)
{
    char mnt[256], fstype[32], super[512];
    const char *sep = strstr(line, " - ");
    if (!sep || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
        sscanf(sep + 3, "%31s %*s %511s", fstype, super) != 2)
        return 0;
    if (strncmp(mnt, "/sys/fs/cgroup/", 15) != 0 || strchr(mnt + 15, '/'))
        return 0;
    bool v2 = strcmp(fstype, "cgroup2") == 0;
    if (!v2 && strcmp(fstype, "cgroup") != 0)
        return 0;
    char sub[512], opts[512];
    snprintf(sub, sizeof(sub), "%s/%s", dst, mnt + 15);
    hierarchy_opts(super, opts, sizeof(opts));
    int ret = nsbox_add_mount(box, v2 ? "cgroup2" : "cgroup", v2 ? "cgroup2" : "cgroup", sub, flags,
                              v2 || !opts[0] ? NULL : opts);
    return ret < 0 ? spec_lib_err(box, field, ret) : 0;
}

int spec_cgroup_mount(nsbox *box, const char *field, const char *dst, unsigned long flags)
{
    struct statfs sf;
    if (statfs("/sys/fs/cgroup", &sf) < 0)
        return oci_err("config.json: %s: statfs /sys/fs/cgroup: %s", field, strerror(errno));
    int ret;
    if (sf.f_type == CGROUP2_SUPER_MAGIC) {
        ret = nsbox_add_mount(box, "cgroup2", "cgroup2", dst, flags, NULL);
        return ret < 0 ? spec_lib_err(box, field, ret) : 0;
    }
    /* rw: the hierarchies' mount points are made in it */
    ret = nsbox_add_mount(box, "tmpfs", "cgroup", dst, flags & ~(unsigned long)MS_RDONLY,
                          "mode=755,size=64k");
    if (ret < 0)
        return spec_lib_err(box, field, ret);
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return oci_err("config.json: %s: /proc/self/mountinfo: %s", field, strerror(errno));
    char *line = NULL;
    size_t size = 0;
    ret = 0;
    while (ret == 0 && getline(&line, &size, f) > 0)
        ret = add_hierarchy(box, field, line, dst, flags | MS_RDONLY);
    free(line);
    fclose(f);
    /* "ro" (what the engines send): the tmpfs too, once the mounts are in */
    if (ret == 0 && (flags & MS_RDONLY) && (ret = nsbox_add_readonly(box, dst)) < 0)
        return spec_lib_err(box, field, ret);
    return ret;
}
