/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recipe's cgroup builder calls: limits (checked against the key table
 * of cgroup_limits.c) and the parent cgroup. */
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
    free(c->parent);
    free(c);
}

static struct cgroup_recipe *recipe_get(nsbox *box)
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
    struct cgroup_recipe *c = recipe_get(box);
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

/* A cgroup path: no empty, "." or ".." component, no trailing slash. */
static bool parent_path_valid(const char *path)
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

NSBOX_EXPORT int nsbox_set_cgroup_parent(nsbox *box, const char *path)
{
    if (!box)
        return -EINVAL;
    if (path && (!*path || !parent_path_valid(path) || strchr(path, '\n')))
        return box_invalid(box,
                           "cgroup parent %s: not a cgroup path (\"/a/b\", or \"a/b\" under "
                           "the caller's own cgroup; no empty, \".\" or \"..\" component)",
                           path);
    struct cgroup_recipe *c = recipe_get(box);
    char *copy = path ? strdup(path) : NULL;
    if (!c || (path && !copy))
        return box_fail(box, ENOMEM, "cgroup parent %s", path);
    free(c->parent);
    c->parent = copy;
    return 0;
}
