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
/* "/a//b/./c/../d" -> "/a/b/d" (malloc'd, NULL on ENOMEM). */
char *path_normalize(const char *in);
bool path_names_root(const char *s);
bool path_absolute(const char *s);
/* A bind source made absolute from the cwd (malloc'd). */
char *source_absolute(const char *src);
int step_add(nsbox *box, const char *what, struct mount_step st);
/* A step that takes only a destination (and a mode, a size). */
int dst_step(nsbox *box, enum mount_kind kind, const char *what, const char *dst, uint32_t mode,
             uint64_t size);

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
    OP_MKNOD,      /* a device node or FIFO at dst (mode with S_IF*, rdev, uid, gid) */
    OP_MASK,       /* dst, if it exists, masked (mount_kernel.c's child_mask) */
    OP_READONLY,   /* dst, if it exists, bound on itself read-only */
};

struct mount_entry {
    enum mount_op op;
    bool try_;       /* OP_BIND: a missing source skips the entry */
    bool tmpfs;      /* OP_FS: a tmpfs, where steps may create files */
    const char *src; /* as the child sees it: under /oldroot with a new root */
    char *dst;       /* relative to the root ("." for itself); scratch: the child
                        cuts it at a '/' while it walks and puts the '/' back */
    int name_off;    /* offset of dst's last component */
    int pre;         /* OP_BIND / OP_OPEN_TREE: slot in pre_fds, -1 if none */
    uint64_t attr;   /* MOUNT_ATTR_* set on the new mount */
    const char *fstype;
    const char **opts;         /* OP_FS: key, value pairs (value NULL: a flag), key NULL ends */
    int kernel;                /* OP_FS: enum kernel_kind of the new file system (covers) */
    bool nolinks;              /* no symlink on the way to dst, not even inside the root */
    bool no_proc_dst;          /* dst must not be on a procfs */
    bool norec;                /* OP_BIND: the top mount only (default: every mount below) */
    bool devcheck;             /* OP_BIND: the source must be the device rdev of type mode */
    uint64_t rdev;             /* OP_MKNOD, devcheck */
    uint32_t uid, gid;         /* OP_MKNOD */
    unsigned long propagation; /* MS_PRIVATE ... (| MS_REC) once attached, 0: none */
    int bad_opt;               /* scratch: the option fsconfig refused (OP_FS) */
    uint32_t mode;
    const void *data;
    size_t len;
    const char *desc; /* "bind mount /srv/data -> /data", for the report */
};

/* Phases of one entry, reported in the index as entry * MOUNT_PHASES + phase. */
enum mount_phase {
    PHASE_MAIN = 0,    /* the step itself */
    PHASE_MKPOINT,     /* resolving or creating the mount point */
    PHASE_ATTR,        /* setting the mount's flags */
    PHASE_WRITE,       /* writing a file's bytes */
    PHASE_NOPOINT,     /* default root: a missing path, which steps do not create */
    PHASE_HOST,        /* default root: a step would change the caller's files */
    PHASE_LINK,        /* default root: a symlink on the way to the destination */
    PHASE_SRC_LINK,    /* a symlink on the way to a source on the caller's side */
    PHASE_COVER,       /* covering /proc's or /sys's kernel files */
    PHASE_OPTION,      /* an option of a new file system (e->bad_opt) */
    PHASE_PROPAGATION, /* the mount's propagation type */
    PHASE_PROC_DST,    /* a destination on a procfs */
    PHASE_DEVICE,      /* a bound device node that is not the device asked for */
    PHASE_DST_LINK,    /* a symlink on the way to a proc or sysfs destination */
    PHASE_NOREC,       /* a bind without MS_REC that the kernel refuses */
    MOUNT_PHASES = 16,
};

/* Steps of the root switch, reported as negative indexes. */
enum mount_root_phase {
    ROOT_PRIVATE = -1,      /* make / rprivate */
    ROOT_STAGING = -2,      /* the staging tmpfs on /tmp and its two dirs */
    ROOT_PIVOT1 = -3,       /* pivot_root into the staging tmpfs */
    ROOT_NEW = -4,          /* the new root on /newroot */
    ROOT_DETACH = -5,       /* detach /oldroot */
    ROOT_PIVOT2 = -6,       /* pivot_root into the new root */
    ROOT_OPEN = -7,         /* open the root for resolving destinations */
    ROOT_HOST_PROC = -8,    /* cover the kernel files of the caller's /proc */
    ROOT_LINK = -9,         /* a symlink on the way to the root directory */
    ROOT_PROPAGATION = -10, /* nsbox_set_root_propagation on "/" */
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
    /* Covers and masks on every procfs and sysfs (see mount_kernel.c). */
    bool masks;
    bool naive;          /* mount_test_naive() */
    const char *devnull; /* the caller's /dev/null as the child sees it */
    /* Default root: the devices of the tmpfs mounts the steps made, the only
     * places where steps create or change files (scratch, one per entry). */
    uint64_t *own_devs;
    int n_own;
    unsigned long propagation; /* of "/" after the steps, 0: none (MS_SLAVE: before) */
};

/* The plan entries of MK_MOUNT, MK_DEVICE, MK_MASK, MK_READONLY
 * (mount_oci_plan.c); 0, -ENOMEM, or another errno with the message set. */
struct mount_builder {
    nsbox *box;
    struct plan *p;
    struct mount_plan *mp;
    const char *host; /* prefix of host paths as the child sees them */
};
int plan_oci_step(struct mount_builder *b, const struct mount_step *st);
/* Helpers of mount_plan.c for it. */
struct mount_entry *plan_entry_new(struct mount_builder *b, enum mount_op op, const char *dst,
                                   const char *desc);
char *plan_printf(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fills p->mounts from box->mnt (and the cwd default under a new root). */
int mount_plan_build(nsbox *box, struct plan *p);

/* Child: applies p->mounts; returns 0, or the exit code after child_fail. */
int child_mounts(struct plan *p);

/* ------------------------------------------- child helpers (mount*.c) */

void child_close(long fd);
/* openat2 with O_PATH | O_CLOEXEC | flags. */
long child_openat2(long dirfd, const char *path, unsigned long flags, unsigned long long resolve);
/* A clone of the tree at src (a path of the caller's tree), no symlink followed. */
long child_open_source(const struct mount_plan *mp, const char *src);
long child_setattr(long fd, unsigned flags, uint64_t attr);
/* The remount of fd's mount with attr, before Linux 5.12 (no mount_setattr). */
long child_remount_fallback(const struct mount_plan *mp, long fd, uint64_t attr);
/* A clone of the tree at src; recursive: with every mount below it. */
long child_open_source_rec(const struct mount_plan *mp, const char *src, bool recursive);
/* An O_PATH fd of path inside the root (see mount.c). */
long child_open_in(const struct mount_plan *mp, long dirfd, const char *path, unsigned long flags);
/* May a step create or change files at fd? */
bool child_may_change(const struct mount_plan *mp, long fd);
/* The phase that explains a failed resolution. */
int child_path_phase(const struct mount_plan *mp, long err, int phase);
/* The directory holding e->dst's last component, or the exit code in *code. */
long child_parent_or_fail(struct plan *p, long rootfd, struct mount_entry *e, int index, int *code);
/* The report of a step that would change the caller's files. */
int child_host_fail(struct plan *p, int index);
/* child_parent_or_fail, and the report of child_host_fail when the steps
 * may not change files there. */
long child_parent_to_change(struct plan *p, long rootfd, struct mount_entry *e, int index,
                            int *code);
/* Whether the node stx is the one e asks for: type and device number. */
struct statx;
bool child_same_node(const struct statx *stx, const struct mount_entry *e);
/* Puts the detached tree on fd with attr (mount_kernel.c). */
long child_put(const struct mount_plan *mp, long tree, long fd, uint64_t attr);
/* Masks what fd refers to: an empty read-only tmpfs, or the null device. */
long child_mask(const struct mount_plan *mp, long fd);
/* The propagation of the mount at fd (e->propagation); 0 or -errno. */
long child_propagate(const struct mount_plan *mp, long fd, unsigned long propagation);
/* OP_MKNOD, OP_MASK, OP_READONLY (mount_oci.c). */
int child_mknod(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_mask_path(struct plan *p, long rootfd, struct mount_entry *e, int index);
int child_readonly(struct plan *p, long rootfd, struct mount_entry *e, int index);

/* "/proc/self/fd/<fd>" as the child sees it. */
char *child_fd_path(const struct mount_plan *mp, long fd, char path[48]);

/* What a bound tree of the kernel's files needs (mount_kernel.c). */
enum kernel_kind {
    KERNEL_NONE = 0,
    KERNEL_RDONLY = 1,              /* read-only as a whole */
    KERNEL_PROC = 2,                /* a procfs root: covers and masks */
    KERNEL_SYS = 4 | KERNEL_RDONLY, /* a sysfs: read-only, masks */
};
int child_kernel_kind(long tree, unsigned long long ino);
/* Covers and masks below the mount at dirfd; 0 or the exit code. */
int child_cover(struct plan *p, long dirfd, int kind, int index);
/* The same on the kernel's files mounted on "proc" and "sys" below dirfd. */
int child_cover_below(struct plan *p, long dirfd, int index);
/* The same on the caller's /proc, with the caller's root. */
int child_cover_host_proc(struct plan *p, long rootfd);

/* Parent: the message of a failed STEP_MOUNT. */
int mount_report(nsbox *box, const struct plan *p, const struct child_report *rep);

#endif
