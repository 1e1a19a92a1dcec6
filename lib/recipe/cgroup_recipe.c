/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recipe's cgroup builder calls: limits (checked against the key table
 * of cgroup_limits.c), the parent cgroup and the sandbox's own path. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_recipe.h"

void cgroup_recipe_free(struct cgroup_recipe *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_limits; i++) {
        free(c->limits[i].key);
        free(c->limits[i].value);
    }
    free(c->limits);
    free(c->dev_rules);
    free(c->parent);
    free(c->path);
    free(c);
}

struct cgroup_recipe *cgroup_recipe_get(nsbox *box)
{
    if (!box->cg)
        box->cg = calloc(1, sizeof(*box->cg));
    return box->cg;
}

static void limit_remove(struct cgroup_recipe *c, const char *key)
{
    for (size_t i = 0; i < c->n_limits; i++)
        if (strcmp(c->limits[i].key, key) == 0) {
            free(c->limits[i].key);
            free(c->limits[i].value);
            c->limits[i] = c->limits[--c->n_limits];
            return;
        }
}

NSBOX_EXPORT int nsbox_set_cgroup_limit(nsbox *box, const char *key, const char *value)
{
    if (!box)
        return -EINVAL;
    if (!key || !*key)
        return box_invalid(box, "cgroup limit: empty key");
    _cleanup_free_ char *norm = NULL;
    if (value) {
        int r = cg_limit_normalize(box, key, value, &norm);
        if (r < 0)
            return r;
    }
    struct cgroup_recipe *c = cgroup_recipe_get(box);
    if (!c)
        return box_fail(box, ENOMEM, "cgroup limit %s", key);
    limit_remove(c, key);
    if (!value)
        return 0;
    _cleanup_free_ char *k = strdup(key);
    struct cg_limit *l = k ? vec_push(&c->limits, &c->n_limits, sizeof(*l)) : NULL;
    if (!l)
        return box_fail(box, ENOMEM, "cgroup limit %s", key);
    l->key = take_ptr(&k);
    l->value = take_ptr(&norm);
    return 0;
}

bool cg_path_valid(const char *path)
{
    const char *c = path[0] == '/' ? path + 1 : path;
    if (path[0] == '/' && !*c)
        return true;
    for (;;) {
        size_t len = strcspn(c, "/");
        if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        if (!c[len])
            return true;
        c += len + 1;
    }
}

/* Stores a copy of path (NULL: none) as the recipe's parent or, with own,
 * the sandbox's own path. */
static int path_set(nsbox *box, const char *path, bool own)
{
    struct cgroup_recipe *c = cgroup_recipe_get(box);
    char *copy = path ? strdup(path) : NULL;
    if (!c || (path && !copy)) {
        free(copy);
        return box_fail(box, ENOMEM, "cgroup %s %s", own ? "path" : "parent", path);
    }
    char **field = own ? &c->path : &c->parent;
    free(*field);
    *field = copy;
    return 0;
}

NSBOX_EXPORT int nsbox_set_cgroup_parent(nsbox *box, const char *path)
{
    if (!box)
        return -EINVAL;
    if (path && (!*path || !cg_path_valid(path) || strchr(path, '\n')))
        return box_invalid(box,
                           "cgroup parent %s: not a cgroup path (\"/a/b\", or \"a/b\" under "
                           "the caller's own cgroup; no empty, \".\" or \"..\" component)",
                           path);
    return path_set(box, path, false);
}

NSBOX_EXPORT int nsbox_set_cgroup_path(nsbox *box, const char *path)
{
    if (!box)
        return -EINVAL;
    if (path && (!*path || strcmp(path, "/") == 0 || !cg_path_valid(path) || strchr(path, '\n') ||
                 strlen(strrchr(path, '/') ? strrchr(path, '/') + 1 : path) > 255))
        return box_invalid(box,
                           "cgroup path %s: not a sandbox cgroup path (\"/a/b\" from the "
                           "hierarchy's root, or \"a/b\" under the parent; no empty, \".\" or "
                           "\"..\" component, names of at most 255 bytes)",
                           path);
    return path_set(box, path, true);
}
