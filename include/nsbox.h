/* libnsbox: run a command in Linux namespaces under cgroup limits.
 *
 * A recipe (nsbox) says what to isolate and how; nsbox_spawn() starts a
 * process (nsbox_proc) from it, and one recipe may start many. The manual
 * page nsbox(3) walks through the model; this header documents each call.
 *
 * Conventions for every call:
 *  - int results are 0 (or a documented non-negative value) on success and
 *    a negative errno on failure. After a failure nsbox_errmsg() names the
 *    step, the path or value and the errno text; it lives until the next
 *    call on that handle.
 *  - Strings, arrays and buffers passed in are copied; the caller keeps
 *    ownership of every pointer and fd it passes. Every fd the library opens
 *    is close-on-exec.
 *  - Nothing aborts, exits, prints, installs a signal handler or changes the
 *    caller's signal mask, rlimits, cwd, environment or umask.
 *  - There is no global state: two handles in two threads never interfere.
 *    One handle is used by one thread at a time.
 *  - Builder calls check what can be checked at once and return -EINVAL;
 *    what depends on the host is checked by nsbox_spawn().
 */
#ifndef NSBOX_H
#define NSBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nsbox nsbox;
typedef struct nsbox_proc nsbox_proc;

/* ---------------------------------------------------------------- lifecycle */

/* A new, empty recipe: no namespaces, the caller's environment, stdio
 * inherited. Returns NULL only when out of memory. Free with nsbox_free(). */
nsbox *nsbox_new(void);

/* Frees the recipe. NULL is fine. Processes spawned from it live on and are
 * still waited for and freed through their own nsbox_proc. */
void nsbox_free(nsbox *box);

/* The last error on this handle as one line, "" if none. The string belongs
 * to the handle and lives until the next call on it. */
const char *nsbox_errmsg(const nsbox *box);

/* The library's version, "MAJOR.MINOR.PATCH". A static string. */
const char *nsbox_version(void);

/* --------------------------------------------------------------- namespaces */

enum {
    NSBOX_NS_USER = 1u << 0,
    NSBOX_NS_PID = 1u << 1,
    NSBOX_NS_MOUNT = 1u << 2,
    NSBOX_NS_UTS = 1u << 3,
    NSBOX_NS_IPC = 1u << 4,
    NSBOX_NS_NET = 1u << 5,
    NSBOX_NS_CGROUP = 1u << 6,
    NSBOX_NS_TIME = 1u << 7,
    NSBOX_NS_ALL = 0xffu,
};

/* Adds new namespaces of the kinds in ns_mask (ORed NSBOX_NS_*). Repeated
 * calls add up. An unprivileged caller that asks for any namespace gets a
 * user namespace too, its own uid and gid mapped to themselves unless maps
 * say otherwise. A new network namespace has "lo" up and nothing else.
 * Errors: -EINVAL for bits outside NSBOX_NS_ALL or a kind also joined. */
int nsbox_add_namespace(nsbox *box, unsigned ns_mask);

/* Enters an existing namespace instead of making one. fd is either an open
 * /proc/PID/ns/<kind> file (then ns is exactly that one kind) or a pidfd
 * (then ns may be a mask of several kinds, entered together). The fd is
 * duplicated: the caller may close its own. A joined user namespace is
 * entered first, so that joining the other namespaces of an unprivileged
 * sandbox works. Errors: -EINVAL for an empty or unknown mask, several kinds
 * with a non-pidfd, a kind also added as new, or an fd that is not a
 * namespace of kind ns; -EBADF for a closed fd. setns() itself runs at
 * spawn; its failure comes back from nsbox_spawn(). */
int nsbox_join_namespace(nsbox *box, unsigned ns, int fd);

/* ----------------------------------------------------------------- identity */

/* Adds one range to the uid (gid) map of the new user namespace: ids
 * inside..inside+count-1 in the sandbox are outside..outside+count-1 outside.
 * Several ranges are allowed; they must not overlap inside or outside.
 * Adds NSBOX_NS_USER. Root writes the maps itself; an unprivileged caller
 * gets its own id mapped directly and anything more through newuidmap /
 * newgidmap (package uidmap, ranges in /etc/subuid and /etc/subgid).
 * Errors: -EINVAL for count 0, overflow or overlap; at spawn, -EPERM when a
 * map needs newuidmap and it is missing or refuses. */
int nsbox_add_uid_map(nsbox *box, uint32_t inside, uint32_t outside, uint32_t count);
int nsbox_add_gid_map(nsbox *box, uint32_t inside, uint32_t outside, uint32_t count);

/* The uid and gid the command runs as, inside the sandbox; supplementary
 * groups are dropped where the user namespace allows it. Without maps, a new
 * user namespace then maps uid (gid) inside to the caller's own.
 * Errors: -EINVAL for (uid_t)-1 or (gid_t)-1. */
int nsbox_set_user(nsbox *box, uint32_t uid, uint32_t gid);

/* -------------------------------------------------------------- the process */

/* The sandbox's hostname (adds NSBOX_NS_UTS). Errors: -EINVAL if empty or
 * longer than 64 bytes. */
int nsbox_set_hostname(nsbox *box, const char *name);

/* The command's working directory, a path inside the sandbox. Default: the
 * caller's cwd when it exists in the sandbox, else "/". Errors: -EINVAL if
 * not absolute. A missing directory fails nsbox_spawn() with -ENOENT. */
int nsbox_set_cwd(nsbox *box, const char *dir);

/* The program to execute, instead of argv[0]: argv[0] is then only what
 * the command sees as its name (bwrap's --argv0). A path without '/' is
 * looked up in the sandbox's PATH like argv[0]. NULL goes back to argv[0].
 * The path is copied. Errors: -EINVAL for an empty path; a missing program
 * fails nsbox_spawn() with "exec PATH: No such file or directory". */
int nsbox_set_exec_path(nsbox *box, const char *path);

/* Sets (value non-NULL) or unsets (value NULL) one environment variable of
 * the command. The starting point is the caller's environment at spawn, or
 * an empty one after nsbox_clear_env(). Later calls win. Errors: -EINVAL for
 * an empty name or one containing '='. */
int nsbox_set_env(nsbox *box, const char *name, const char *value);

/* Starts the command's environment empty; variables set before or after
 * with nsbox_set_env() are kept. */
int nsbox_clear_env(nsbox *box);

/* The command's stdin, stdout, stderr: each an open fd of the caller, or -1
 * to inherit the caller's. The fds are duplicated at nsbox_spawn(); the
 * caller keeps its own. Errors: -EBADF for a closed fd, -EINVAL below -1. */
int nsbox_set_stdio(nsbox *box, int in_fd, int out_fd, int err_fd);

/* Passes the caller's fd to the command as target_fd (>= 3). Only stdio and
 * passed fds reach the command; every other fd is closed, including fds the
 * caller opened without close-on-exec. Errors: -EBADF for a closed fd,
 * -EINVAL for target_fd < 3 or a target already used. */
int nsbox_pass_fd(nsbox *box, int fd, int target_fd);

/* A resource limit (RLIMIT_*) of the command; RLIM_INFINITY as usual.
 * Errors: -EINVAL for an unknown resource or soft > hard. */
int nsbox_set_rlimit(nsbox *box, int resource, uint64_t soft, uint64_t hard);

enum {
    /* SIGKILL the sandbox when the calling thread dies (PR_SET_PDEATHSIG
     * fires when the *thread* that spawned it exits: spawn from a thread
     * that lives as long as the sandbox should). */
    NSBOX_DIE_WITH_PARENT = 1u << 0,
    /* setsid(): the command has no controlling terminal, so it cannot push
     * input into the caller's with TIOCSTI. */
    NSBOX_NEW_SESSION = 1u << 1,
    /* In a PID namespace the command itself is PID 1 (default: a small init
     * is PID 1, reaps orphans, forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT,
     * SIGUSR1 and SIGUSR2 to the command and exits with its status). */
    NSBOX_AS_PID1 = 1u << 2,
    /* Do not set no_new_privs (default: set). */
    NSBOX_ALLOW_NEW_PRIVS = 1u << 3,
};

/* Sets the NSBOX_* flags above, replacing earlier ones. Errors: -EINVAL for
 * unknown bits. */
int nsbox_set_flags(nsbox *box, unsigned flags);

/* ------------------------------------------------------------------ running */

/* Starts argv (NULL-terminated, argv[0] the program) in a sandbox made from
 * the recipe and stores the process in *out, which the caller frees with
 * nsbox_proc_free(). argv[0] without '/' is looked up in the sandbox's PATH
 * (the command's environment, default "/usr/local/bin:/usr/bin:/bin").
 * Returns only after exec succeeded or failed: a failure of any step before
 * exec (a namespace, a map, setns, a mount, cwd, exec itself) is returned as
 * a negative errno with nsbox_errmsg() naming the step, e.g.
 * "exec /no/such: No such file or directory", and leaves nothing behind: no
 * process, no fd, no cgroup, no mount. Safe to call from several threads at
 * once with different handles: the child allocates nothing. The child is not
 * a SIGCHLD child: the caller's waitpid(-1), SIGCHLD handler or SIG_IGN do
 * not see or reap it; use nsbox_wait(). */
int nsbox_spawn(nsbox *box, char *const argv[], nsbox_proc **out);

/* Waits for the sandbox to end: timeout_ms -1 waits forever, 0 polls.
 * Returns its status in shell form (the exit code, or 128 + the signal
 * number), or -ETIMEDOUT if it still runs. Once it returned a status, later
 * calls return the same status. Other errors: -EINVAL for a NULL p. */
int nsbox_wait(nsbox_proc *p, int timeout_ms);

/* Sends sig to the sandbox: with a cgroup, to every process in it; with a
 * PID namespace, to its PID 1 (SIGKILL then ends every process of the
 * namespace; the init forwards the signals listed at NSBOX_AS_PID1 to the
 * command); else to the process. Returns 0, or -ESRCH once it was reaped. */
int nsbox_kill(nsbox_proc *p, int sig);

/* nsbox_spawn() + nsbox_wait(-1) + nsbox_proc_free(): returns the status in
 * shell form or a negative errno (with nsbox_errmsg() set). */
int nsbox_run(nsbox *box, char *const argv[]);

/* Frees the process handle. A sandbox still running is killed (SIGKILL) and
 * reaped first. NULL is fine. */
void nsbox_proc_free(nsbox_proc *p);

/* The pid of the sandbox's first process, in the caller's PID namespace
 * (with a PID namespace, its init). */
pid_t nsbox_proc_pid(const nsbox_proc *p);

/* A pidfd of that process, owned by the handle: pollable, readable once it
 * exits. -1 if the kernel has none. Do not close it; do not waitid() on it. */
int nsbox_proc_pidfd(const nsbox_proc *p);

/* After nsbox_wait() returned a status: the command's exit code, or -1
 * unless it exited normally. */
int nsbox_proc_exit_code(const nsbox_proc *p);

/* After nsbox_wait() returned a status: the signal that killed the command,
 * 0 if none. */
int nsbox_proc_signal(const nsbox_proc *p);

#ifdef __cplusplus
}
#endif

#endif
