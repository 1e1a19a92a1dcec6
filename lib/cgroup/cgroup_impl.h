/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the cgroup files: one sandbox's cgroup directories, the
 * file helpers and the two backends (the recipe's limits: cgroup_recipe.h). */
#ifndef NSBOX_CGROUP_IMPL_H
#define NSBOX_CGROUP_IMPL_H

#include "cgroup.h"
#include "cgroup_recipe.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_MAX_DIRS 8
/* The sandbox's processes live in this child of its cgroup: the limits sit
 * one level up, out of reach of any cgroupfs mounted from inside (a cgroup
 * namespace made there is rooted at the leaf or below). */
#define CG_LEAF "sandbox"
/* With time limits, the init's leaf beside CG_LEAF (cg_enforcer.c). */
#define CG_INIT_LEAF "init"

/* Retries a libc call that failed with EINTR (parent code only). */
#define CG_RETRY(expr)                                                                             \
    ({                                                                                             \
        long _r;                                                                                   \
        do                                                                                         \
            _r = (long)(expr);                                                                     \
        while (_r < 0 && errno == EINTR);                                                          \
        _r;                                                                                        \
    })

/* One directory of the sandbox's cgroup: the only one on v2, one per
 * controller hierarchy on v1. */
struct cg_dir {
    char ctl[64];   /* v1: the hierarchy's controllers ("memory", "cpu,cpuacct"); v2: "" */
    int parent_fd;  /* the parent cgroup's directory */
    int fd;         /* the sandbox's directory (the limits), -1 until made */
    int leaf_fd;    /* its CG_LEAF child (the processes), -1 until made */
    int tasks_fd;   /* v1: the leaf's "tasks" file, open until the child moved */
    bool made;      /* fd's directory was made by this spawn, not found (a named one) */
    bool leaf_made; /* so was leaf_fd's */
    char *path;     /* the sandbox's directory in the file system, for messages */
    char *cgpath;   /* its path as /proc/self/cgroup writes it */
};

struct cgroup_sandbox {
    bool v2;
    char name[256]; /* "nsbox-<pid>-<start>-<random>", or the last component of the recipe's path */
    bool named;     /* the recipe's path: an existing directory is used */
    struct cg_dir dirs[CG_MAX_DIRS];
    int n_dirs;
    int mem, cpuacct; /* v1: index of the memory / cpuacct dir, -1 if none */
    bool need_cpu;    /* a CPU-time limit: the usage must be readable (v1 cpuacct) */
    bool enforcer;    /* time limits the init enforces: it gets a leaf of its own */
    bool leaf_shared; /* tests' controls: the processes in the limited cgroup itself */
    int cpu;          /* v1: index of the cpu dir, -1 if none */
    int init_dir;     /* the dir of init_leaf_fd */
    int init_leaf_fd; /* the init's leaf (cg_enforcer.c), -1 if none */
    bool init_shared; /* an enforcer without a leaf: no cpu controller (cg_enforcer.c) */
};

/* ------------------------------------------------------------ cgroup.c */

/* Reads the file name of directory dfd into buf (NUL-terminated); returns
 * the length or a negative errno. */
ssize_t cg_read(int dfd, const char *name, char *buf, size_t size);
/* Writes value to file name of directory dfd in one write. */
int cg_write(int dfd, const char *name, const char *value);
/* The number after "key " in a flat-keyed file ("oom_kill 3"), 0 if none. */
uint64_t cg_keyed(const char *text, const char *key);
/* True when a comma or space separated list holds word. */
bool cg_list_has(const char *list, const char *word);
/* "dir/name" without a doubled slash when dir is "/" or ends in one. */
char *cg_join(const char *dir, const char *name);
/* Makes the sandbox's directory under d->parent_fd. */
int cg_dir_make(struct errbuf *e, struct cgroup_sandbox *cg, struct cg_dir *d);
/* Makes the CG_LEAF child of the sandbox's directory. */
int cg_leaf_make(struct errbuf *e, const struct cgroup_sandbox *cg, struct cg_dir *d);
/* True when the limits are also written on the leaf: a named cgroup
 * (nsbox_set_cgroup_path), so that the command's own cgroup, the one
 * /proc/PID/cgroup names and OCI tools read, shows them. The sandbox's
 * cgroup keeps its own: those bind (the leaf's are in the command's reach
 * through a cgroup namespace of its own, rooted there). */
bool cg_leaf_copies(const struct cgroup_sandbox *cg);
/* Sends sig to each process listed in cgroup.procs of dfd and of every
 * cgroup below it; returns the number listed or a negative errno. */
int cg_signal_tree(int dfd, int sig);
/* Calls fn(pid, arg) for each process of dfd's cgroup and every cgroup
 * below it; returns their number or a negative errno. */
typedef void (*cg_pid_fn)(pid_t pid, void *arg);
int cg_walk_procs(int dfd, cg_pid_fn fn, void *arg);
/* Removes the cgroup name under dfd and every cgroup below it, bottom up;
 * 0, or the errno of the first rmdir that failed (EBUSY: not empty). */
int cg_tree_remove(int dfd, const char *name);
/* Formats the refusal of an unprivileged caller's mkdir/write. */
int cg_fail_access(struct errbuf *e, int err, const char *what, const char *path);
/* The parent cgroup path of one hierarchy: own is the caller's cgroup in
 * it, parent the recipe's (NULL, absolute, or relative to own). */
char *cg_parent_path(const char *own, const char *parent);

/* ------------------------------------------------- cgroup/cgroup_path.c */

/* The cgroup path (as /proc/self/cgroup writes it) under which the
 * sandbox's directory is made in a hierarchy where the caller is in own:
 * the parent, or the dirname of the recipe's path. */
char *cg_sandbox_parent(const struct cgroup_recipe *r, const char *own);
/* The sandbox's directory name: the last component of the recipe's path,
 * or a new "nsbox-<pid>-<start>-<random>" (cgroup_stale.c). */
int cg_sandbox_name(struct errbuf *e, const struct cgroup_recipe *r, struct cgroup_sandbox *cg);
/* With a recipe's path: makes the missing directories of d->path (the
 * sandbox's parent in the file system), calling the backend's made() for
 * each new one (level: parent_fd and path its parent's, fd its own): on v2
 * its parent hands down the controllers the limits need, on v1 a cpuset
 * level gets its parent's CPUs and nodes. */
int cg_path_make(struct errbuf *e, const struct cgroup_recipe *r, struct cg_dir *d,
                 int (*made)(struct errbuf *, const struct cgroup_recipe *, struct cg_dir *level));

/* ---------------------------------------------------- cgroup_stale.c */

/* The start time of process pid (/proc/PID/stat field 22). */
int cg_proc_start(pid_t pid, unsigned long long *start);
/* Removes under parent_fd the cgroups of callers that are gone, once no
 * process is left in them (not the detached ones). */
void cg_stale_remove(int parent_fd);
/* Opens the parent cgroup d->path (O_PATH) and removes what dead callers
 * left there (cg_stale_remove). */
int cg_parent_open(struct errbuf *e, struct cg_dir *d);

/* ----------------------------------------------------- cgroup_guard.c */

/* Refuses a sandbox cgroup when the command keeps CAP_SYS_ADMIN. */
int cg_caps_check(struct errbuf *e, const struct plan *p);
/* Plans the child's read-only cgroup mounts (a new mount namespace only). */
int cg_plan_cgroupfs_ro(struct errbuf *e, struct plan *p);

/* -------------------------------------------------- cgroup_v2.c / v1.c */

/* The cgroup v1 mounts: mountinfo lines of fstype "cgroup". */
struct v1_mount {
    char dir[256];  /* mount point */
    char root[256]; /* the hierarchy's path mounted there */
    char ctl[64];   /* its controllers, comma-separated */
};
#define V1_MOUNTS 16
int cg_v1_mounts(struct v1_mount *m, int max);
/* True when dir is a cgroup2 mount. */
bool cg_is_v2(const char *dir);

bool cg_v2_usable(const struct cgroup_recipe *r, char *root, size_t size);
int cg_v2_prepare(struct errbuf *e, const struct cgroup_recipe *r, const char *root,
                  struct cgroup_sandbox *cg);
int cg_v2_kill(struct cgroup_sandbox *cg, int sig);
void cg_v2_report(struct cgroup_sandbox *cg, nsbox_proc *p);

int cg_v1_prepare(struct errbuf *e, const struct cgroup_recipe *r, struct cgroup_sandbox *cg);

/* ------------------------------------ cgroup_devices.c / cgroup_dev_bpf.c */

/* With device rules: -EPERM naming the devices controller unless the
 * caller has CAP_SYS_ADMIN, which programming it needs (v1 and v2). */
int cg_dev_check_caps(struct errbuf *e, const struct cgroup_recipe *r);
/* The message of a refused write or attach to cgroup path. */
int cg_dev_fail_perm(struct errbuf *e, int err, const char *path);
/* v1: the rules into d's devices.deny/allow; before its leaf is made. */
int cg_dev_v1_apply(struct errbuf *e, const struct cgroup_recipe *r, const struct cg_dir *d);
/* v2: a BPF device program of the rules attached to d. */
int cg_dev_v2_apply(struct errbuf *e, const struct cgroup_recipe *r, const struct cg_dir *d);

/* ------------------------------------------------------ cg_enforcer.c */

/* With cg->enforcer: the init's leaf beside the command's, with the cpu
 * controller; where the controller is unavailable, cg->init_shared. */
int cg_enforcer_prepare(struct errbuf *e, struct cgroup_sandbox *cg);
int cg_v1_kill(struct cgroup_sandbox *cg, int sig);
void cg_v1_report(struct cgroup_sandbox *cg, nsbox_proc *p);

#endif
