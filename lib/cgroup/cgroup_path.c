/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's cgroup at the path nsbox_set_cgroup_path names (OCI's
 * cgroupsPath) instead of a new "nsbox-<pid>-<random>" under the parent.
 * The backends make it like any sandbox cgroup; this file turns the path
 * into their parent and name, and makes the missing levels above. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup_impl.h"

char *cg_sandbox_parent(const struct cgroup_recipe *r, const char *own)
{
    if (!r->path)
        return cg_parent_path(own, r->parent);
    char *full;
    if (r->path[0] == '/') {
        full = strdup(r->path);
    } else {
        _cleanup_free_ char *parent = cg_parent_path(own, r->parent);
        full = parent ? cg_join(parent, r->path) : NULL;
    }
    if (!full)
        return NULL;
    char *slash = strrchr(full, '/');
    slash[slash == full ? 1 : 0] = '\0';
    return full;
}

/* One level X of the path: made when missing, then the backend's step for
 * a new level. */
static int level_make(nsbox *box, const struct cgroup_recipe *r, const struct cg_dir *d,
                      const char *parent, const char *x,
                      int (*made)(nsbox *, const struct cgroup_recipe *, struct cg_dir *))
{
    if (mkdir(x, 0755) < 0) {
        if (errno == EEXIST)
            return 0;
        if (errno == EACCES || errno == EPERM || errno == EROFS)
            return cg_fail_access(box, errno, "create cgroup", x);
        return box_fail(box, errno, "create cgroup %s", x);
    }
    struct cg_dir level = {.parent_fd = -1, .fd = -1, .leaf_fd = -1, .tasks_fd = -1};
    memcpy(level.ctl, d->ctl, sizeof(level.ctl));
    level.parent_fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
    level.fd = open(x, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    level.path = (char *)parent;
    level.cgpath = (char *)parent;
    int rc = level.parent_fd < 0 || level.fd < 0 ? box_fail(box, errno, "open cgroup %s", x)
                                                 : made(box, r, &level);
    closep(&level.parent_fd);
    closep(&level.fd);
    return rc;
}

int cg_path_make(nsbox *box, const struct cgroup_recipe *r, struct cg_dir *d,
                 int (*made)(nsbox *, const struct cgroup_recipe *, struct cg_dir *))
{
    if (!r->path || strcmp(d->cgpath, "/") == 0)
        return 0;
    size_t plen = strlen(d->path), clen = strlen(d->cgpath);
    if (clen > plen || strcmp(d->path + plen - clen, d->cgpath) != 0)
        return box_fail(box, EINVAL, "cgroup %s: not below its hierarchy", d->path);
    _cleanup_free_ char *x = strdup(d->path), *parent = strdup(d->path);
    if (!x || !parent)
        return box_fail(box, ENOMEM, "cgroup path");
    size_t mount_len = plen - clen;
    parent[mount_len] = '\0';
    for (size_t i = mount_len + 1; i <= plen; i++) {
        if (d->path[i] != '/' && d->path[i] != '\0')
            continue;
        x[i] = '\0';
        int rc = level_make(box, r, d, parent, x, made);
        if (rc < 0)
            return rc;
        memcpy(parent, x, i + 1);
        x[i] = d->path[i];
    }
    return 0;
}
