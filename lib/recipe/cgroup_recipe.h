/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recipe's cgroup limits and parent (cgroup_recipe.c), and the table of
 * limit keys: their check, and their v1 form (cgroup_limits.c). */
#ifndef NSBOX_CGROUP_RECIPE_H
#define NSBOX_CGROUP_RECIPE_H

#include "internal.h"

struct cg_limit {
    char *key;   /* a cgroup v2 file name, "memory.max" */
    char *value; /* as written to the kernel: sizes in bytes */
};

/* Access bits of a device rule, as the BPF device context numbers them
 * (BPF_DEVCG_ACC_*). */
#define CG_DEV_MKNOD 1u
#define CG_DEV_READ 2u
#define CG_DEV_WRITE 4u
#define CG_DEV_ALL 7u
/* One rule of the devices controller (nsbox_add_device_rule). */
struct cg_dev_rule {
    bool allow;
    char type;            /* 'a', 'b' or 'c' */
    int64_t major, minor; /* -1: any */
    unsigned access;      /* CG_DEV_* bits, at least one */
};

struct cgroup_recipe {
    struct cg_limit *limits;
    size_t n_limits;
    struct cg_dev_rule *dev_rules; /* in the caller's order: the last match decides */
    size_t n_dev_rules;
    char *parent; /* NULL: the caller's own cgroup; relative: under it */
    char *path;   /* nsbox_set_cgroup_path: the sandbox's own; relative: under parent */
};

void cgroup_recipe_free(struct cgroup_recipe *c);
/* The recipe's cgroup part, made on first use (NULL when out of memory). */
struct cgroup_recipe *cgroup_recipe_get(nsbox *box);
/* A cgroup path: no empty, "." or ".." component, no trailing slash. */
bool cg_path_valid(const char *path);

/* ----------------------------------------------------- cgroup_limits.c */

/* Checks a key and its value, and turns a size into bytes. Returns 0 with
 * *out allocated, or -EINVAL with a message. */
int cg_limit_normalize(nsbox *box, const char *key, const char *value, char **out);
/* The controller a v2 key needs ("memory" for "memory.max"): its length
 * before the dot, 0 for core files (cgroup.*). */
size_t cg_key_controller(const char *key);
/* One write of a limit's v1 form: file of the hierarchy with ctl. */
struct cg_v1_write {
    const char *ctl, *file;
    char value[64];
};
/* The v1 writes of a v2 limit, in order; returns their number, or -EINVAL
 * with a message naming a key that has no v1 twin. */
int cg_v1_translate(struct errbuf *e, const struct cgroup_recipe *r, const struct cg_limit *l,
                    struct cg_v1_write w[2]);
/* The v1 controller a v2 key maps to, NULL when it has no v1 twin. */
const char *cg_v1_controller(const char *key);

#endif
