/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The filesystem view: recipe steps (mount_recipe.c), their plan
 * (mount_plan.c), and the child's mounts (mount.c). */
#ifndef NSBOX_MOUNT_H
#define NSBOX_MOUNT_H

#include "internal.h"

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
};

struct mount_recipe {
    struct mount_step *steps;
    size_t n;
    bool new_root;
    char *root; /* with new_root: the directory, NULL for an empty tmpfs */
};

void mount_recipe_free(struct mount_recipe *m);

/* --------------------------------------------------------------- plan */

/* What the child does for one plan entry. A recipe step becomes one entry,
 * /dev several. */
enum mount_op {
    OP_BIND,       /* clone the tree at src (or a pre-opened one), attach at dst */
    OP_OPEN_TREE,  /* clone the tree at src into pre_fds[pre] for a later OP_BIND */
    OP_FS,         /* a new fstype mount with opts, attached at dst */
    OP_DIR,        /* mkdir dst (mode) */
    OP_SYMLINK,    /* dst -> src */
    OP_FILE,       /* dst (mode) holding data */
    OP_REMOUNT_RO, /* the mount at dst and below read-only */
    OP_CHMOD,      /* chmod dst (mode) */
    OP_BIND_DATA,  /* src (a staging file) made holding data (mode), bound at dst, unlinked */
};

struct mount_entry {
    enum mount_op op;
    bool try_;       /* OP_BIND: a missing source skips the entry */
    const char *src; /* as the child sees it: under /oldroot with a new root */
    char *dst;       /* relative to the root ("." for itself); scratch: the child
                        cuts it at a '/' while it walks and puts the '/' back */
    int name_off;    /* offset of dst's last component */
    int pre;         /* OP_BIND / OP_OPEN_TREE: slot in pre_fds, -1 if none */
    uint64_t attr;   /* MOUNT_ATTR_* set on the new mount */
    const char *fstype;
    const char *opts[6]; /* OP_FS: key, value pairs, NULL-terminated */
    uint32_t mode;
    const void *data;
    size_t len;
    const char *desc; /* "bind mount /srv/data -> /data", for the report */
};

/* Phases of one entry, reported in the index as entry * MOUNT_PHASES + phase. */
enum mount_phase {
    PHASE_MAIN = 0, /* the step itself */
    PHASE_MKPOINT,  /* resolving or creating the mount point */
    PHASE_ATTR,     /* setting the mount's flags */
    PHASE_WRITE,    /* writing a file's bytes */
    MOUNT_PHASES = 8,
};

/* Steps of the root switch, reported as negative indexes. */
enum mount_root_phase {
    ROOT_PRIVATE = -1, /* make / rprivate */
    ROOT_STAGING = -2, /* the staging tmpfs on /tmp and its two dirs */
    ROOT_PIVOT1 = -3,  /* pivot_root into the staging tmpfs */
    ROOT_NEW = -4,     /* the new root on /newroot */
    ROOT_DETACH = -5,  /* detach /oldroot */
    ROOT_PIVOT2 = -6,  /* pivot_root into the new root */
    ROOT_OPEN = -7,    /* open the root for resolving destinations */
};

struct mount_plan {
    struct mount_entry *e;
    int n;
    bool new_root;
    const char *root_src;  /* "/oldroot/<dir>", NULL for a tmpfs root */
    const char *root_desc; /* "new root /srv/root" or "new root (tmpfs)" */
    int *pre_fds;          /* scratch, written by the child */
    int n_pre;
    char *linkbuf; /* scratch for readlinkat, PATH_MAX bytes */
};

/* Fills p->mounts from box->mnt (and the cwd default under a new root). */
int mount_plan_build(nsbox *box, struct plan *p);

/* Child: applies p->mounts; returns 0, or the exit code after child_fail. */
int child_mounts(struct plan *p);

/* Parent: the message of a failed STEP_MOUNT. */
int mount_report(nsbox *box, const struct plan *p, const struct child_report *rep);

#endif
