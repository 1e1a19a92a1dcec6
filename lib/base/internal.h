/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal types shared by the library's files. Not installed. */
#ifndef NSBOX_INTERNAL_H
#define NSBOX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "nsbox.h"

#define NSBOX_EXPORT __attribute__((visibility("default")))

/* The number of elements of an array (not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* Bit n of a 64-bit mask (capability sets, signal sets). */
#define BIT(n) ((uint64_t)1 << (n))

/* Code that runs between clone and exec: it shares the caller's memory, so
 * no sanitizer runtime may poison shadow memory or allocate on its behalf. */
#define CHILD __attribute__((no_sanitize("address", "undefined")))

/* ------------------------------------------------------------ cleanup helpers */

static inline void freep(void *p)
{
    free(*(void **)p);
}
static inline void closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Hands ownership out of a cleanup variable. */
static inline int take_fd(int *fd)
{
    int r = *fd;
    *fd = -1;
    return r;
}
static inline void *take_ptr(void *pp)
{
    void **p = pp;
    void *r = *p;
    *p = NULL;
    return r;
}

/* Grows *arr (of *n elements of size elem) by one zeroed element, doubling
 * the capacity at powers of two; returns a pointer to it, NULL on ENOMEM. */
void *vec_push(void *arr, size_t *n, size_t elem);

/* ----------------------------------------------------------------- errors */

/* Where a failure's one-line message goes (lib/base/error.c): the recipe's
 * (nsbox_errmsg) or a process's (nsbox_proc_errmsg). A function that takes
 * a struct errbuf * instead of the handle can report a failure and nothing
 * else: it cannot read or change the recipe. */
struct errbuf {
    char msg[1024];
};

/* Formats "<what>: <errno text>" into e and returns -err. */
int err_fail(struct errbuf *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Formats "<what>" into e and returns -EINVAL. */
int err_invalid(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a hint to the message. */
void err_append(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the message (a call that succeeds after one that failed). */
void err_clear(struct errbuf *e);

/* The same on a recipe's own message. */
#define box_fail(box, ...) err_fail(&(box)->err, __VA_ARGS__)
#define box_invalid(box, ...) err_invalid(&(box)->err, __VA_ARGS__)
#define box_append(box, ...) err_append(&(box)->err, __VA_ARGS__)

/* ----------------------------------------------------------------- recipe */

struct idmap_range {
    uint32_t inside, outside, count;
};

struct idmap {
    struct idmap_range *r;
    size_t n;
};

struct ns_join {
    unsigned ns; /* NSBOX_NS_* mask */
    int fd;      /* owned dup of the caller's fd */
    bool pidfd;
};

struct env_op {
    char *name;
    char *value; /* NULL: unset */
};

/* A caller's fd as the recipe records it: the number, not a dup (like
 * posix_spawn_file_actions_adddup2), so that a reader of a pipe gets EOF
 * once the caller closes its end after spawn. The identity taken at the
 * builder call lets spawn refuse a number closed and reused since. */
struct fd_ref {
    int fd; /* -1: none */
    dev_t dev;
    ino_t ino;
};

/* Highest target fd nsbox_pass_fd takes: below the kernel's default
 * fs.nr_open, far from INT_MAX (the child computes target + 1). */
#define FD_TARGET_MAX ((1 << 20) - 1)

struct fd_pass {
    struct fd_ref src;
    int target;
};

struct rlimit_set {
    int resource;
    uint64_t soft, hard;
};

struct nsbox {
    unsigned ns; /* NSBOX_NS_* to create */
    struct ns_join *joins;
    size_t n_joins;
    struct idmap uid_map, gid_map;
    bool user_set;
    uint32_t uid, gid;
    char *hostname;
    char *cwd;
    bool clear_env;
    struct env_op *env;
    size_t n_env;
    struct fd_ref stdio[3]; /* fd -1: inherit */
    struct fd_pass *fds;
    size_t n_fds;
    struct fd_ref gate; /* nsbox_set_exec_gate, fd -1: none */
    struct rlimit_set *rlimits;
    size_t n_rlimits;
    unsigned flags;
    char *exec_path;   /* program to exec instead of argv[0], NULL: argv[0] */
    char **lock_files; /* lock.c */
    size_t n_lock_files;
    struct mount_recipe *mnt;       /* mount.c */
    struct cgroup_recipe *cg;       /* cgroup.c */
    struct caps_recipe *caps;       /* caps.c */
    uint64_t cpu_limit_usec;        /* 0: none (time_limit.c) */
    uint64_t wall_limit_usec;       /* 0: none */
    uint64_t extra_usec;            /* grace past the CPU limit before the kill */
    struct oci_recipe *oci;         /* recipe/process_oci.c */
    struct console_recipe *console; /* recipe/console.c, NULL: none */
    char *stacks;                   /* the child stages' stacks, mapped at the first spawn */
    bool force_monitor;             /* tests: the pre-6.15 status path on any kernel */
    bool test_monitor_outside;      /* tests: no hand-over (plan.pid_handoff): the first process
                                       stays outside the sandbox's PID namespace (attack controls) */
    bool test_no_exit_info;         /* tests: nsbox_wait without PIDFD_INFO_EXIT (pre-6.15) */
    bool test_cgroup_early;         /* tests: memory-limited recipes placed at clone (unsafe) */
    bool cg_unguarded;              /* tests: no read-only cgroupfs, no cap_sys_admin refusal */
    bool init_unhardened;           /* tests: the init as before its hardening (attack controls) */
    struct errbuf err;              /* nsbox_errmsg */
};

/* ------------------------------------------------------------------- plan */

/* Everything the child needs, prepared by the parent in memory the child
 * can use as is (it shares the caller's memory and allocates nothing). */

enum child_step {
    STEP_NONE = 0,
    STEP_SIGNALS,
    STEP_PDEATHSIG,
    STEP_SYNC,
    STEP_SETNS,
    STEP_UNSHARE,
    STEP_FORK,
    STEP_INIT_EXEC,
    STEP_MOUNT,
    STEP_HOSTNAME,
    STEP_LOOPBACK,
    STEP_CWD, /* chdir the cwd (index 0), "/" (1); the cwd outside the root (2) */
    STEP_SETSID,
    STEP_RLIMIT,
    STEP_SETGROUPS,
    STEP_SETGID,
    STEP_SETUID,
    STEP_CAPS,
    STEP_NO_NEW_PRIVS,
    STEP_FDS,
    STEP_SECCOMP,
    STEP_EXEC,
    STEP_CGROUPNS, /* the cgroup namespace made after the v1 cgroup move */
    STEP_CGROUP,   /* the v1 cgroup move (index: which hierarchy) */
    STEP_REPORT,   /* stage 0's report pipe */
    STEP_CGROUPFS, /* the cgroup mounts made read-only (cgroup_child.c) */
    STEP_USERNS,   /* NSBOX_DISABLE_USERNS / NSBOX_ASSERT_USERNS_DISABLED (index: which) */
    STEP_INIT_CWD, /* the init's cwd to "/" (index 0), the command's back (1) */
    STEP_LOCK,     /* a lock file: err 0 carries its fd; else index 2i open, 2i+1 lock */
    STEP_CTTY,     /* NSBOX_CONTROLLING_TTY: TIOCSCTTY on stdin */
    STEP_OCI,      /* sysctl, oom_score_adj, domain name, groups (recipe/oci.h) */
    STEP_CONSOLE,  /* nsbox_set_console (index: enum console_part, recipe/console.h) */
    STEP_COUNT,    /* keep last: the unit_report test gives each step below a message */
};

/* What a failing child sends on the sync socket before it exits. */
/* A report's index where a step has both an item of the plan (a mount
 * entry, a capability, a lock file) and a part of its work that failed:
 * item * REPORT_PARTS + part. A step with only one of them reports it as
 * is; the root switch of the mounts reports negative numbers. */
#define REPORT_PARTS 16
#define REPORT_INDEX(item, part) ((int)(item)*REPORT_PARTS + (int)(part))
#define REPORT_ITEM(index) ((index) / REPORT_PARTS)
#define REPORT_PART(index) ((index) % REPORT_PARTS)

struct child_report {
    int step;  /* enum child_step */
    int err;   /* positive errno */
    int index; /* which join, mount, rlimit, fd, exec path …; see REPORT_INDEX */
};

struct plan_join {
    int fd;
    int nstype; /* CLONE_NEW* for setns */
    unsigned ns;
};

struct plan_fd {
    int src; /* caller's fd, valid in the child's copied table */
    int dst;
};

/* A v1 hierarchy's "tasks" file of the sandbox's cgroup, opened by the
 * parent (whose credentials the kernel checks). */
struct plan_cgroup_move {
    int fd;
    const char *path; /* the cgroup directory, for the message */
};

/* One stage's buffers for the init helper's argv (two stages may each
 * exec an init: a monitor outside a joined PID namespace, and PID 1). */
struct init_args {
    char pid[24];
    char status_fd[24];
    char uid[12], gid[12]; /* the command's ids, which the init takes too */
    char parent_pidfd[12]; /* its parent, checked after the id switch */
    char *argv[9];
};

/* What one child stage gets: the plan, its depth (0: the clone3 child;
 * 1, 2: stages it forks) and a pidfd of its parent, polled after the
 * parent-death signal is re-armed (-1: none). */
struct plan_stage {
    struct plan *p;
    int level;
    int parent_pidfd;
};

struct plan {
    unsigned long clone_ns;   /* CLONE_NEW* given to clone3 */
    unsigned long unshare_ns; /* CLONE_NEW* unshared after the joins */
    struct plan_join joins[8];
    int n_joins;
    int pid_join_fd;  /* a pidfd join's PID namespace (pid_for_children), or -1 */
    bool pid_stage;   /* stage 0 is outside the target PID namespace (joins or unshares it) */
    bool pid_handoff; /* pid_stage: stage 0 forks stage 1 into it as a sibling (CLONE_PARENT),
                         hands its pidfd over and exits; stage 1 is the sandbox's first process */
    bool monitor;     /* a stage forks the command and watches it (init helper): stage 0, or
                         stage 1 after a hand-over; pid_stage without pid_handoff, or a kernel
                         without PIDFD_INFO_EXIT, where only the init's status record survives
                         a reap by the caller */
    bool use_init;    /* PID 1 runs the init helper */
    bool send_ready;  /* the child tells when its user namespace exists */
    bool wait_go;     /* the child waits for the parent's maps/placement */
    unsigned flags;
    uint64_t ignored_signals; /* bit sig-1: SIG_IGN in the caller, reset in the child */

    int sync_fd;        /* child's end of the sync socket, close-on-exec */
    int parent_sync_fd; /* the parent's end: the child closes its copy first, so that
                           the caller's death reads as EOF on sync_fd */
    int report_fd;      /* where stages report: the sync socket until stage 0 has
                           made the report pipe (then its write end, in the
                           stages' own fd tables only) */
    /* Futex words cleared by the kernel (CLONE_CHILD_CLEARTID) when stage
     * i execs or exits; the command's stage waits on those of the stages
     * above it before its own exec. */
    int exec_words[3];
    int cmd_level; /* the command's stage: 0, 1 or 2 */
    /* The hand-over: stage 1's pid in the caller's PID namespace, written by
     * the kernel at clone (CLONE_PARENT_SETTID), so that the parent can reap
     * a stage 1 whose pidfd never came; and whether stage 0 sent the pidfd
     * (stage 1 exits without it). */
    int handoff_pid;
    int handoff_sent;
    int status_fd; /* write end of the init's status pipe, -1 if none */
    /* The time limits for the init (its LIMITS argument), NULL if none,
     * written by the parent just before clone; cpu_fd the sandbox
     * cgroup's CPU usage file it reads, -1 if none. */
    char *time_limits;
    char time_limits_buf[96];
    int cpu_fd;
    bool cpu_v2; /* cpu_fd is v2 cpu.stat (else v1 cpuacct.usage) */
    int init_fd; /* memfd of the init helper, -1 if none */
    struct init_args init_args[2];
    char *const *init_envp;
    int stage_cwd_fd;     /* the forking stage's cwd, for the command stage (O_PATH) */
    bool init_unhardened; /* tests: the init keeps the caller's cwd and its privileges */

    char *stack;         /* lowest byte of stage 0's stack; stage i's is i strides up */
    size_t stack_size;   /* usable bytes of each stage's stack */
    size_t stack_stride; /* stack and guard page */

    const char *hostname;
    bool loopback;
    const char *cwd;   /* NULL: keep */
    bool cwd_required; /* the caller named it: missing is an error */

    int stdio[3];
    struct plan_fd *fds; /* sorted by dst */
    int n_fds;
    int *fd_tmp; /* scratch, 3 + n_fds slots, written by the child */
    int max_fd;  /* highest fd the command receives */

    struct rlimit_set *rlimits;
    int n_rlimits;

    bool set_ids;
    bool drop_groups;
    uint32_t uid, gid;
    bool ids_early; /* switch ids right after the maps or the joined user namespace */
    uint32_t setup_uid, setup_gid; /* with ids_early, ids of the filesystem steps: 0
                                      inside when mapped (what they make is root's),
                                      else uid, gid */
    bool ids_joined;               /* ids chosen by the parent once the child joined (before go) */
    struct plan_stage stages[3];

    bool no_new_privs;

    char *const *lock_files; /* absolute paths inside the sandbox */
    int n_lock_files;

    struct mount_plan *mounts;    /* mount.c; NULL: no mount steps */
    struct caps_plan *caps;       /* caps.c */
    struct oci_plan *oci;         /* recipe/process_oci.c, NULL: nothing set */
    struct console_plan *console; /* recipe/console.h, NULL: no console */
    int cgroup_fd;                /* v2: the sandbox's cgroup for CLONE_INTO_CGROUP, else -1 */
    bool cgroupns_late;           /* unshare the cgroup namespace after the joins (v1) */
    struct plan_cgroup_move *cgroup_moves; /* v1: "tasks" files the child writes "0" to */
    int n_cgroup_moves;
    /* A memory limit: no stage enters the cgroup; the command's stage execs
     * the init helper's placement mode (cgroup_moves are then its files,
     * moved above max_fd by stage 0), which moves itself and execs the
     * command. */
    bool cgroup_late;
    /* The exec goes through the init helper's "exec" mode: cgroup_late, or
     * an exec gate (gate_fd: the caller's gate fd, moved above max_fd by
     * the parent; the helper waits on it in memory of its own). */
    bool exec_helper;
    int gate_fd;
    char **placed_argv;      /* the helper's argv, filled by the stage */
    char (*placed_nums)[24]; /* its numbers */
    bool cgroupfs_ro;        /* make every cgroup mount read-only before the mount steps */
    char *cgroupfs_buf;      /* the child's scratch for /proc/self/mountinfo */
    size_t cgroupfs_buf_size;
    int proc_fd; /* NSBOX_DISABLE_USERNS: the child's /proc, opened before the mounts */

    char *const *argv;
    char *const *envp;
    const char *exec_name; /* the program: argv[0] or nsbox_set_exec_path's */
    char **exec_paths;     /* candidate paths for exec_name, NULL-terminated */
};

/* An empty plan (base/arena.c), NULL when out of memory. */
struct plan *plan_new(void);
void plan_free(struct plan *p);
/* Zeroed memory (or a copy of s) that lives as long as the plan. */
void *plan_alloc(struct plan *p, size_t size);
char *plan_strdup(struct plan *p, const char *s);
/* True when the sandbox gets a new user namespace. */
bool plan_new_userns(const struct plan *p);

/* Points p->stack at the handle's stage stacks, mapping them once. */
int stacks_get(nsbox *box, struct plan *p);
void stacks_release(nsbox *box);

long nsbox_clone3(void *args, size_t size, int (*fn)(void *), void *arg);

/* --------------------------------------------------------------- process */

struct nsbox_proc {
    pid_t pid;
    int pidfd;
    int status_fd; /* read end of the init's status pipe, -1 if none */
    bool reaped;
    int status; /* shell form */
    int exit_code;
    int signal;
    struct cgroup_sandbox *cg; /* NULL without limits */
    int *lock_fds;             /* the locked files, closed at the reap */
    int console_fd;            /* the console's master until taken, -1: none */
    int n_lock_fds;
    char *cgroup_path; /* as /proc/self/cgroup writes it, NULL if none */
    bool oom_killed;
    uint64_t memory_peak; /* bytes, 0 if unknown */
    uint64_t cpu_usec;
    uint64_t user_usec, sys_usec;
    /* The time limits (lib/parent/time_watch.c): as the recipe had them at
     * spawn, and what became of them. */
    uint64_t cpu_limit_usec, wall_limit_usec, extra_usec;
    uint64_t start_ns;  /* CLOCK_MONOTONIC just before clone */
    uint64_t end_ns;    /* when the command ended (the init's record or our
                           own observation), 0 before the reap */
    uint64_t kill_ns;   /* when an enforcer killed it for a limit, 0 if none */
    bool init_shared;   /* the enforcing init shares the command's cgroup leaf */
    int fired;          /* enum time_limit_fired: the limit an enforcer killed for */
    bool caller_killed; /* nsbox_kill() sent a signal */
    bool no_exit_info;  /* tests (box->test_no_exit_info): no PIDFD_INFO_EXIT, as before 6.15 */
    struct errbuf err;  /* nsbox_proc_errmsg: the last nsbox_wait/nsbox_kill failure */
};

#endif
