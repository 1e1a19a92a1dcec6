/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan's mount entries: what the parent writes (parent/mount_plan.c,
 * mount_oci_plan.c) and the child reads (child/mount*.c), and the phases
 * the child reports a failed entry with. */
#ifndef NSBOX_MOUNT_PLAN_H
#define NSBOX_MOUNT_PLAN_H

#include "internal.h"

/* What a bound tree of the kernel's files needs (mount_kernel.c). */
enum kernel_kind {
    KERNEL_NONE = 0,
    KERNEL_RDONLY = 1,              /* read-only as a whole */
    KERNEL_PROC = 2,                /* a procfs root: covers and masks */
    KERNEL_SYS = 4 | KERNEL_RDONLY, /* a sysfs: read-only, masks */
};

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

/* Phases of one entry, reported as REPORT_INDEX(entry, phase). */
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
_Static_assert(MOUNT_PHASES <= REPORT_PARTS, "a mount phase must fit REPORT_INDEX");

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

#endif
