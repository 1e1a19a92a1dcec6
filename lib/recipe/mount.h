/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The filesystem view, the recipe's side: the steps as the builder calls
 * (mount_recipe.c, mount_oci.c) recorded them. Their plan entries:
 * mount_plan.h; the parent's planning: mount_build.h; the child's mounts:
 * mount_child.h. */
#ifndef NSBOX_MOUNT_H
#define NSBOX_MOUNT_H

#include "internal.h"

/* The mount propagation flags (nsbox_add_mount, nsbox_set_root_propagation). */
#define MS_PROPAGATION (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE)

/* ------------------------------------------------------------- recipe */

enum mount_kind {
    MK_BIND,
    MK_TMPFS,
    MK_PROC,
    MK_DEV,
    MK_DIR,
    MK_SYMLINK,
    MK_FILE,
    MK_REMOUNT_RO,
    MK_CHMOD,
    MK_BIND_DATA,
    MK_MOUNT,    /* nsbox_add_mount (mount_oci.c) */
    MK_DEVICE,   /* nsbox_add_device */
    MK_MASK,     /* nsbox_add_mask */
    MK_READONLY, /* nsbox_add_readonly */
};

/* One builder call, as given (paths normalized). */
struct mount_step {
    enum mount_kind kind;
    char *src;      /* bind: host path; symlink: the link's target */
    char *dst;      /* absolute, normalized: no "//", "." or ".." */
    unsigned flags; /* NSBOX_MOUNT_* */
    uint64_t size;
    uint32_t mode;
    void *data; /* nsbox_add_file's and nsbox_add_bind_data's bytes */
    size_t len;
    char *fstype;          /* MK_MOUNT: "bind", "proc", ...; MK_DEVICE: "c", "b", "p" */
    char *opts;            /* MK_MOUNT: the file system's options, NULL if none */
    unsigned long msflags; /* MK_MOUNT: MS_* */
    uint64_t rdev;         /* MK_DEVICE: makedev(major, minor) */
    uint32_t uid, gid;     /* MK_DEVICE: the node's owner */
};

struct mount_recipe {
    struct mount_step *steps;
    size_t n;
    bool new_root;
    char *root;                /* with new_root: the directory, NULL for an empty tmpfs */
    bool kernel_unmasked;      /* nsbox_unmask_kernel_files(): no covers, no masks */
    bool naive;                /* tests: resolve and create as before issue 11 */
    unsigned long propagation; /* nsbox_set_root_propagation, 0: MS_PRIVATE | MS_REC */
};

/* Tests only (the control of the planted-symlink attacks): the recipe's
 * steps follow symlinks on the caller's side and create mount points
 * there, as they did before, so that the attack is seen to work. */
void mount_test_naive(nsbox *box);

void mount_recipe_free(struct mount_recipe *m);

/* Builder helpers of mount_recipe.c, for mount_oci.c. */
struct mount_recipe *recipe_get(nsbox *box);
/* "/a//b/./c/../d" -> "/a/b/d", lexically: ".." never climbs above "/".
 * A malloc'd string, or NULL (ENOMEM). */
char *path_normalize(const char *in);
bool path_names_root(const char *s);
bool path_absolute(const char *s);
/* A bind source made absolute from the cwd (malloc'd). */
char *source_absolute(const char *src);
int step_add(nsbox *box, const char *what, struct mount_step st);
/* A step that takes only a destination (and a mode, a size). */
int dst_step(nsbox *box, enum mount_kind kind, const char *what, const char *dst, uint32_t mode,
             uint64_t size);

#endif
