/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
 *    call on that handle. The calls on a process (nsbox_wait, nsbox_kill)
 *    write theirs on the process: nsbox_proc_errmsg().
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

/* The library's version, "MAJOR.MINOR.PATCH". A static string: the
 * library loaded at run time, which may be newer than this header. */
const char *nsbox_version(void);

/* The version of this header (the library's when it was installed). */
#define NSBOX_VERSION_MAJOR 0
#define NSBOX_VERSION_MINOR 1
#define NSBOX_VERSION_MICRO 0

/* True when this header is version major.minor.micro or later, e.g.
 * "#if NSBOX_CHECK_VERSION(0, 2, 0)" around a call added in 0.2. */
#define NSBOX_CHECK_VERSION(major, minor, micro)                                                   \
    (NSBOX_VERSION_MAJOR > (major) ||                                                              \
     (NSBOX_VERSION_MAJOR == (major) && NSBOX_VERSION_MINOR > (minor)) ||                          \
     (NSBOX_VERSION_MAJOR == (major) && NSBOX_VERSION_MINOR == (minor) &&                          \
      NSBOX_VERSION_MICRO >= (micro)))

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
 * sandbox works; the command then runs as ids that user namespace maps,
 * chosen as nsbox_set_user() says. Through a pidfd, NSBOX_NS_PID is the
 * namespace the process makes its children in (/proc/PID/ns/
 * pid_for_children, opened at spawn; nsbox_spawn() fails with -ESRCH if
 * the process ended): for a sandbox's first process, which is inside the
 * sandbox's PID namespace (see nsbox_proc_pid()), that is its own, unless
 * it unshared another later (that one is below it).
 * Errors: -EINVAL for an empty or unknown mask, several kinds with a
 * non-pidfd, a kind also added as new, or an fd that is not a namespace of
 * kind ns; -EBADF for a closed fd. setns() itself runs at spawn; its
 * failure comes back from nsbox_spawn(). */
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
 * groups are dropped where the user namespace allows it (a joined one that
 * denies setgroups: an unprivileged caller keeps its groups, as the
 * processes already in it did; a root caller's spawn fails). Without maps, a new
 * user namespace then maps uid (gid) inside to the caller's own.
 * With a user namespace (new or joined) the command always runs as ids it
 * maps, never with the caller's unmapped host ids (which show as 65534
 * inside but still open the caller's files). Without this call, the uid
 * (gid) is the one the caller's own maps to if the map maps it, else 0 if
 * mapped; if neither, nsbox_spawn() fails with -EINVAL naming the map and
 * this call as the fix. The filesystem steps already run as mapped ids (0
 * inside when mapped, else these), so a bind source must be reachable by
 * them (the nsbox_identity man page says more). Errors: -EINVAL for
 * (uid_t)-1 or (gid_t)-1; at spawn, -EINVAL for a uid or gid the map does
 * not map. */
int nsbox_set_user(nsbox *box, uint32_t uid, uint32_t gid);

/* The command's supplementary groups (OCI's additionalGids), n gids of the
 * sandbox, instead of none; n 0 goes back to none. Set right before the
 * command's gid and uid. The sandbox's user namespace must map each gid
 * and allow setgroups: the maps of an unprivileged caller deny it unless
 * written by newgidmap (nsbox_spawn() fails with -EPERM naming
 * /proc/PID/setgroups then). Errors: -EINVAL for NULL gids with n > 0,
 * (gid_t)-1 or more than 65536 gids; at spawn -EINVAL for an unmapped gid. */
int nsbox_set_groups(nsbox *box, const gid_t *gids, size_t n);

/* --------------------------------------------------------------- filesystem */

/* The sandbox's filesystem is described by steps applied at spawn in the
 * order they were added, in a private mount namespace: every call below
 * adds NSBOX_NS_MOUNT, and nothing they do reaches the caller's mount
 * table. Destinations (dst) are absolute paths inside the sandbox, taken
 * lexically ("//", "." and ".." folded, ".." never above "/").
 * Under a root of its own (nsbox_set_root) they are resolved inside it: a
 * symlink on the way, absolute or not, never leads out of it; missing
 * parents are made as 0755 directories, a missing mount point as a
 * directory (0755) for a directory source or an empty file (0444) for any
 * other. With the default root (the caller's "/"), no step follows a
 * symlink (-ELOOP: a sandbox may have planted it) and steps create or
 * change nothing on the caller's filesystem: a missing mount point or
 * parent is -ENOENT; nsbox_add_dir, _symlink, _file and _chmod work only
 * on a tmpfs an earlier step mounted (else -EPERM). Bind sources and a root
 * dir are the caller's paths, taken with no symlink followed either:
 * resolve your own links (realpath(3)) where you trust them.
 * Every procfs the steps make or bind has /proc/sys, sysrq-trigger, irq,
 * bus and fs read-only and kcore, keys, timer_list, sched_debug,
 * latency_stats, timer_stats, acpi, asound and scsi masked; with the
 * default root the caller's /proc too; a bind of a sysfs is read-only, see
 * nsbox_unmask_kernel_files().
 * A step that fails at spawn fails nsbox_spawn() with its errno and a
 * message naming the step and both paths, e.g.
 * "bind mount /srv/data -> /data: No such file or directory".
 * Needs Linux 5.6 (open_tree, fsopen/fsmount, openat2); before 5.12 (no
 * mount_setattr) a read-only bind or nsbox_remount_ro() makes only the top
 * mount read-only, not the mounts below it. */

enum {
    NSBOX_MOUNT_RDONLY = 1u << 0, /* read-only, the whole subtree */
    NSBOX_MOUNT_TRY = 1u << 1,    /* skip the step when the source does not exist */
    NSBOX_MOUNT_DEV = 1u << 2,    /* device nodes usable (default: nodev) */
    NSBOX_MOUNT_NOEXEC = 1u << 3, /* no exec from the mount */
};

/* The sandbox's root. Default: the caller's "/", the steps mounted on top
 * of it. dir: that directory (with its sub-mounts) becomes "/" (pivot_root;
 * the caller's tree is detached, only what the steps bind stays visible).
 * NULL: an empty tmpfs (mode 0755) that only the steps fill, as bubblewrap
 * does. Bind sources stay paths of the caller's tree either way. Under a
 * new root the command starts in the caller's cwd when it exists there,
 * else in "/" (unless nsbox_set_cwd). The last call wins. The staging of a
 * new root uses /tmp, which must be a directory of the caller's tree (it is
 * covered only inside the sandbox's mount namespace).
 * Errors: -EINVAL for a relative dir. At spawn: -ENOENT / -ENOTDIR for a
 * dir that is not a directory, -ELOOP for a symlink on the way to it. */
int nsbox_set_root(nsbox *box, const char *dir);

/* Binds the caller's src (file or directory, with every mount below it) at
 * dst. Always nosuid; nodev unless NSBOX_MOUNT_DEV; NSBOX_MOUNT_RDONLY makes
 * the whole subtree read-only, also in a user namespace (the flags the
 * kernel locked on the source are kept). A relative src is taken from the
 * cwd at the time of this call. Errors: -EINVAL for an empty src, a relative
 * dst or unknown flags. At spawn: the errno of a missing or unreadable src
 * (unless NSBOX_MOUNT_TRY, which skips the step when src does not exist),
 * -ELOOP for a symlink on the way to src (none is followed). A src on a
 * sysfs is bound read-only; a part of a procfs too (see above). */
int nsbox_add_bind_mount(nsbox *box, const char *src, const char *dst, unsigned flags);

/* A new tmpfs at dst (nosuid, nodev). size_bytes 0: the kernel's default
 * (half of RAM); mode 0: 0755. Errors: -EINVAL for a relative dst or a mode
 * beyond 07777. */
int nsbox_add_tmpfs(nsbox *box, const char *dst, uint64_t size_bytes, uint32_t mode);

/* A new procfs at dst (nosuid, nodev, noexec), mounted from inside the
 * sandbox's PID namespace: with NSBOX_NS_PID it lists only the sandbox's
 * processes. In a user namespace without a PID namespace of its own the
 * kernel refuses a new procfs: the caller's /proc is bound there instead
 * (it shows the caller's processes, as the sandbox's own PID namespace is
 * the caller's). Errors: -EINVAL for a relative dst. */
int nsbox_add_proc(nsbox *box, const char *dst);

/* A minimal /dev at dst, as bubblewrap makes it: a tmpfs holding null,
 * zero, full, random, urandom and tty (bound from the caller's /dev: a user
 * namespace may not mknod), a private devpts at pts with the ptmx link, a
 * tmpfs shm (1777), and the links fd, stdin, stdout, stderr (to
 * /proc/self/fd...) and core (to /proc/kcore). Errors: -EINVAL for a
 * relative dst. */
int nsbox_add_dev(nsbox *box, const char *dst);

/* A directory at dst with exactly mode (the umask does not apply); an
 * existing directory is kept as it is. Errors: -EINVAL for a relative dst or
 * a mode beyond 07777; at spawn -EEXIST when dst is not a directory. */
int nsbox_add_dir(nsbox *box, const char *dst, uint32_t mode);

/* A symlink at linkpath pointing to target (stored as given, resolved when
 * used inside the sandbox). A link already there with the same target is
 * fine; anything else there fails the spawn with -EEXIST. Errors: -EINVAL
 * for an empty target or a linkpath that is relative or "/". */
int nsbox_add_symlink(nsbox *box, const char *target, const char *linkpath);

/* A regular file at dst holding a copy of the len bytes at data (taken at
 * this call), with exactly mode. An existing file is truncated first, as
 * bubblewrap's --file does; a symlink at dst is not followed (-ELOOP at
 * spawn). With the default root, only on a tmpfs an earlier step mounted.
 * Errors: -EINVAL for a relative dst, "/", NULL data with a non-zero len or
 * a mode beyond 07777; -ENOMEM. */
int nsbox_add_file(nsbox *box, const char *dst, const void *data, size_t len, uint32_t mode);

/* A file holding a copy of the len bytes at data (taken at this call),
 * with exactly mode, bind mounted at dst (bubblewrap's --bind-data; with
 * NSBOX_MOUNT_RDONLY its --ro-bind-data). The file is made at spawn on the
 * sandbox's private staging tmpfs, which nothing outside the sandbox's
 * mount namespace sees and which goes away with it: the bytes never sit
 * in a file of the caller's tree. flags: NSBOX_MOUNT_RDONLY and
 * NSBOX_MOUNT_NOEXEC. Needs a new root (nsbox_set_root): without one the
 * spawn fails with -EINVAL. Errors: -EINVAL for a relative dst, "/", NULL
 * data with a non-zero len, a mode beyond 07777 or other flags; -ENOMEM. */
int nsbox_add_bind_data(nsbox *box, const char *dst, const void *data, size_t len, uint32_t mode,
                        unsigned flags);

/* Changes the permissions of path, which an earlier step or the root
 * provides, to exactly mode (bubblewrap's --chmod). A symlink at path is
 * followed inside a new root; with the default root it is -ELOOP, and path
 * must be on a tmpfs an earlier step mounted (-EPERM). Errors: -EINVAL for
 * a relative path or a mode beyond 07777; at spawn the errno of chmod
 * (-ENOENT for a missing path). */
int nsbox_add_chmod(nsbox *box, const char *path, uint32_t mode);

/* Makes the mount at dst, and every mount below it, read-only. dst must be
 * a mount point (a step before it mounted there): -EINVAL at spawn
 * otherwise. Errors: -EINVAL for a relative dst. */
int nsbox_remount_ro(nsbox *box, const char *dst);

/* Keeps the kernel's files as the kernel makes them: no read-only covers
 * and no masks on the recipe's procfs mounts (nor on the caller's /proc
 * with the default root), and a sysfs bind as its flags ask. Without this
 * call a sandbox that runs as host uid 0 (a root caller without a user
 * namespace, or with the map "0 0 1") could, with no capability at all,
 * write kernel settings such as /proc/sys/kernel/core_pattern or reboot
 * through /proc/sysrq-trigger. Errors: -EINVAL for a NULL box. */
int nsbox_unmask_kernel_files(nsbox *box);

/* A mount(2) of a file system at dst, in recipe order with the other
 * filesystem steps (OCI's "mounts"), dst resolved as above. type is one of
 * "proc", "sysfs", "devpts", "mqueue", "tmpfs", "cgroup", "cgroup2" (a new
 * file system; src, if not NULL or empty, is its source name) or "bind"
 * (src required, a path of the caller's tree taken as for
 * nsbox_add_bind_mount; MS_REC binds every mount below it too, as OCI's
 * "rbind"). flags are MS_* of <sys/mount.h>: MS_RDONLY, MS_NOSUID,
 * MS_NODEV, MS_NOEXEC, MS_NOATIME, MS_NODIRATIME, MS_RELATIME,
 * MS_STRICTATIME, MS_REC, and at most one propagation type (MS_PRIVATE,
 * MS_SLAVE, MS_SHARED, MS_UNBINDABLE; with MS_REC for the whole subtree)
 * applied once mounted; nothing is implied (unlike the calls above, which
 * add nosuid and nodev). data is the file system's options as mount(8)
 * spells them ("mode=755,size=65536k"; "key" alone sets a flag), NULL or
 * "" for none; a bind takes none. A missing dst is made as for the other
 * steps (a directory; for a bind of a non-directory, an empty file).
 * What the kernel's files need is kept whatever flags say (see
 * nsbox_unmask_kernel_files): a "proc" gets the covers and masks above,
 * a "sysfs" is read-only with its masks, and both need a dst that is a
 * directory reached through no symlink (-ELOOP at spawn otherwise: a
 * planted link must not move them, CVE-2019-16884, CVE-2019-19921). In a
 * user namespace that the kernel does not let make a procfs or sysfs (no
 * PID or network namespace of its own), the caller's /proc or /sys is
 * bound instead, read-only for /sys. A sysfs shows the network interfaces
 * of the sandbox's network namespace: the caller's when it has none of
 * its own. "cgroup" and "cgroup2" mounts are read-only whenever the
 * sandbox has a mount namespace of its own (nsbox_cgroup(3)). A dst on a
 * procfs ("/proc/sys" ...) is refused at spawn (-EPERM) for every type
 * but "proc" (runc's rule): it would hide or replace the covers.
 * Errors: -EINVAL for an unknown type, a relative dst, a bind without src
 * or with data, unknown flags or several propagation types, data longer
 * than 4095 bytes, and cgroup v1's release_agent option; at spawn, the errno of the kernel naming
 * the option it refused ("devpts /dev/pts: option gid=5: Invalid argument"). */
int nsbox_add_mount(nsbox *box, const char *type, const char *src, const char *dst,
                    unsigned long flags, const char *data);

/* A device node at path (OCI's linux.devices): type 'c' (or 'u') for a
 * character device, 'b' for a block device, 'p' for a FIFO (major and
 * minor 0), with exactly the permission bits mode and owned by uid:gid
 * (ids of the sandbox, which its user namespace must map). Made with mknod
 * where the sandbox may (host root without a user namespace; a FIFO
 * anywhere); in a user namespace, where the kernel allows no device node,
 * the caller's node at the same path is bound there instead, as crun does,
 * and must be that device (-ENODEV naming both otherwise); its mode and
 * owner then stay the caller's. The mount holding it must not be nodev:
 * under a new root that is up to the steps before. With the default root,
 * only on a tmpfs an earlier step mounted. The node is made inside the
 * sandbox's cgroup: device rules (nsbox_add_device_rule) must allow its
 * 'm'. Errors: -EINVAL for a relative
 * path or "/", another type, mode beyond 07777, a FIFO with a major or
 * minor, (uid_t)-1 or (gid_t)-1; at spawn -EEXIST when path exists. */
int nsbox_add_device(nsbox *box, const char *path, char type, uint32_t major, uint32_t minor,
                     uint32_t mode, uid_t uid, gid_t gid);

/* Masks path (OCI's maskedPaths): an empty read-only tmpfs on a directory,
 * the null device (read-only) on anything else, so that the command can
 * read nothing there. A path that does not exist is skipped, as runc
 * does. The path is resolved as destinations are: a symlink on the way,
 * the last component included, leads only to a path inside the new root
 * (with the default root it is -ELOOP at spawn). Errors: -EINVAL for a
 * relative path or "/". */
int nsbox_add_mask(nsbox *box, const char *path);

/* Makes path read-only (OCI's readonlyPaths): it is bound on itself and
 * the bind, with every mount below it, made read-only; unlike
 * nsbox_remount_ro() path need not be a mount point. A path that does not
 * exist is skipped, as runc does. Resolved as nsbox_add_mask() resolves.
 * Errors: -EINVAL for a relative path. */
int nsbox_add_readonly(nsbox *box, const char *path);

/* The propagation of the sandbox's "/" (OCI's rootfsPropagation): exactly
 * one of MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, optionally with
 * MS_REC. Default: MS_PRIVATE | MS_REC. With MS_SLAVE the mount tree is
 * made a slave of the caller's before any step, so that mounts the caller
 * makes later appear in the sandbox; the others are set on "/" after the
 * steps. Whatever the flag, no mount of the sandbox propagates to the
 * caller's tree. Adds NSBOX_NS_MOUNT. Errors: -EINVAL for other flags. */
int nsbox_set_root_propagation(nsbox *box, unsigned long flag);

/* ------------------------------------------------------------------- cgroup */

/* A limit of the sandbox's cgroup. key is a cgroup v2 interface file name,
 * value what the kernel takes there: "memory.max" "512M", "pids.max" "64",
 * "cpu.max" "20000 100000" (20% of one CPU), "cpu.weight" "50",
 * "cpuset.cpus" "0-1", "io.weight" "default 200"... Sizes (memory.max,
 * .high, .low, .min, .swap.max, .swap.high, .zswap.max) take "max" or
 * bytes with an optional K, M, G or T suffix (powers of 1024). Setting a
 * key again replaces its value; value NULL removes it.
 *
 * A recipe with a limit (or a parent, see below, or a CPU-time limit) puts every process it
 * spawns in a cgroup of its own, "nsbox-<pid>-<random>" under the parent,
 * made before clone and entered before any of the command's code runs
 * (clone3 CLONE_INTO_CGROUP on cgroup v2, Linux 5.7+; on v1 the child's
 * first step writes itself into each hierarchy's "tasks" file, which the
 * parent opened, so the kernel checks the caller's permission). The limits
 * sit on that cgroup, the processes in its child "sandbox". The cgroup
 * holds everything the command starts, daemons and cgroups it makes
 * included; kill and cleanup walk all of it. It is removed when the
 * process is reaped (whatever is left in it is killed then) and after a
 * failed spawn (not one the spawn found: see nsbox_set_cgroup_path); a
 * later spawn under the same parent removes the empty ones of callers
 * that no longer exist (a caller killed).
 *
 * With a new mount namespace the command can neither lift its limits nor
 * leave its cgroup: every cgroup mount there is made read-only, and a
 * cgroup file system it mounts itself is rooted below the limits. Without
 * one it shares the caller's view and uid, and the limits bound only a
 * cooperative command. The manual page nsbox_cgroup.3 has the guarantee
 * per caller and mode.
 *
 * The host's mode is chosen at each spawn: v2 when /sys/fs/cgroup is
 * cgroup2, or when a hybrid host's cgroup2 mount offers memory and every
 * controller the limits need; else v1. On v2 any interface file is
 * written as named, and the parent's cgroup.subtree_control gets the
 * controllers the limits use. On v1 these keys are translated:
 * memory.max (memory.limit_in_bytes), memory.swap.max (memsw, written as
 * memory.max + swap: it needs memory.max too), pids.max, cpu.max
 * (cpu.cfs_period_us and cpu.cfs_quota_us), cpu.weight (cpu.shares, 100 =
 * 1024), cpuset.cpus and cpuset.mems (the parent's are copied when one is
 * unset); any other key fails nsbox_spawn() with -EINVAL naming it.
 *
 * Errors: -EINVAL (at once) for a key that is not "controller.file", a
 * cgroup.* file the library manages (procs, kill, freeze, subtree_control
 * ...), an empty or multi-line value, or a malformed size, pids.max,
 * cpu.max (quota >= 1000 or max, period 1000..1000000), cpu.weight
 * (1..10000) or cpuset list ("N" or "N-M", N <= M, comma-separated). At
 * spawn: the kernel's refusal of a value; -EPERM when the command keeps
 * cap_sys_admin (it could make the cgroup mounts writable); on v2 -EBUSY when the parent holds
 * processes and so cannot delegate controllers ("no internal processes": name an empty parent);
 * -EACCES when the caller may not create cgroups there (the message says so: run as root or name a
 * cgroup delegated to the caller). */
int nsbox_set_cgroup_limit(nsbox *box, const char *key, const char *value);

/* The cgroup under which sandbox cgroups are made, as /proc/self/cgroup
 * writes paths: "/a/b" from the hierarchy's root (on v1 the same path in
 * each controller's hierarchy), or "a/b" under the caller's own cgroup.
 * Default (also after path NULL): the caller's own cgroup, so that a
 * sandbox never escapes its caller's limits. A parent alone (no limit)
 * also gives each sandbox a cgroup of its own. An unprivileged caller
 * needs a parent it may write: a cgroup delegated (chowned) to it; on v2
 * the caller must also sit below the parent's parent's delegation, as
 * the kernel requires to move a process. Errors: -EINVAL for an empty
 * path or one with an empty, "." or ".." component. */
int nsbox_set_cgroup_parent(nsbox *box, const char *path);

/* A rule of the devices controller (OCI's linux.resources.devices): the
 * command may open (access 'r', 'w') or create with mknod ('m') the device
 * nodes the rules allow, whatever nodes its mounts hold. type is 'a' (any),
 * 'b' (block) or 'c' (character); major and minor a number, or -1 for any;
 * access a non-empty subset of "rwm". Once a rule is added the sandbox
 * starts from "every device denied" and the rules apply in the order
 * added, the last one that matches a device deciding: an allow rule
 * matches an access it covers entirely, a deny rule any access it names
 * part of. A rule allowing "a" -1 -1 "rwm" starts over from "every device
 * allowed". The rules bind the sandbox's cgroup (so they give it one, as a
 * limit does), before the command runs: on cgroup v1 its directory in the
 * devices hierarchy gets "a" in devices.deny then each rule in
 * devices.allow or devices.deny (a v1 rule of the default's sign only
 * removes an earlier one of the same type, major and minor: a deny that
 * would narrow a wider allow is refused at spawn with -EOPNOTSUPP naming
 * both; see nsbox_cgroup(3)); on v2 a BPF_PROG_TYPE_CGROUP_DEVICE program
 * is attached to it
 * (BPF_F_ALLOW_MULTI, Linux 4.15), removed with the cgroup. Both need
 * CAP_SYS_ADMIN in the initial user namespace: without it the spawn fails
 * with -EPERM naming the devices controller (a rootless caller cannot use
 * device rules; its user namespace already forbids new device nodes).
 * Errors: -EINVAL naming the value for another type, an access with other
 * letters or none, a major beyond 4095 or a minor beyond 1048575 (what a
 * Linux dev_t holds), or below -1; -E2BIG past 1024 rules. */
int nsbox_add_device_rule(nsbox *box, int allow, char type, int64_t major, int64_t minor,
                          const char *access);

/* Uses exactly this cgroup for the sandbox instead of a new
 * "nsbox-<pid>-<random>" one (OCI's cgroupsPath): "/a/b" from the
 * hierarchy's root (on v1 the same path in each hierarchy used), or "a/b"
 * under the parent (nsbox_set_cgroup_parent, default the caller's own
 * cgroup). It is created when missing, with any missing parent (mode 0755);
 * an existing one is used as it is, and left as it is: it may hold others'
 * processes (a running container's, which an OCI runtime's exec names), so
 * a failed spawn, the reap, nsbox_kill() and nsbox_proc_free() kill only
 * the sandbox's own first process (whose stages die with it; what the
 * command started and left there stays) and remove only what the spawn
 * made (the leaf "sandbox" when it was missing; the limits it wrote stay
 * written). The limits sit on it and the processes
 * in its child "sandbox", as for any sandbox cgroup, with the same guard
 * (nsbox_set_cgroup_limit). The limits are also copied onto "sandbox",
 * the command's own cgroup (what /proc/PID/cgroup names and OCI tools
 * read): the copies are in the command's reach (a cgroup namespace it
 * makes is rooted there), the named cgroup's are the bound. On v1 the freezer hierarchy is used too
 * where it is mounted, for nsbox_cgroup_freeze(). One the spawn made is
 * removed at the reap like the others (not the parents it created), but
 * kept by nsbox_proc_detach(). The usage report of an existing one is the
 * whole cgroup's. On v1 a relative path lies under the
 * caller's own cgroup of each hierarchy, which may differ from one to the other: the by-path calls
 * below then reach only the hierarchies where nsbox_proc_cgroup()'s path
 * is the sandbox's (an OCI runtime names absolute paths).
 * NULL goes back to the default. Errors: -EINVAL for an empty path or one
 * with an empty, "." or ".." component (the path is in the message). At
 * spawn: the errno of the mkdir, naming the path (-EACCES: not writable by
 * the caller). */
int nsbox_set_cgroup_path(nsbox *box, const char *path);

/* Operations on a sandbox's cgroup by its path, from any process (e.g. the
 * later invocations of an OCI runtime, after nsbox_proc_detach()). cgroup
 * is the path nsbox_proc_cgroup() returned, as /proc/self/cgroup writes
 * it: on v2 (and a hybrid host's unified hierarchy) it names one cgroup;
 * on v1 the same path is used in every hierarchy where it exists (exact
 * for a sandbox made with an absolute nsbox_set_cgroup_path() or parent).
 * Each acts on the whole subtree: the sandbox's leaf and whatever cgroups
 * its processes made below it. The kernel's permission checks apply: a
 * caller that may not write the cgroup's files or signal its processes
 * gets -EACCES or -EPERM. box only carries the error message. Common
 * errors: -EINVAL for a path that is not absolute or has an empty, "." or
 * ".." component; -ENOENT when no hierarchy holds the path. */

/* Sends sig to every process of the subtree (v2 SIGKILL: cgroup.kill,
 * Linux 5.14; else each listed process). Returns 0; -EPERM when a process
 * could not be signalled. */
int nsbox_cgroup_kill(nsbox *box, const char *cgroup, int sig);

/* frozen 1 stops every process of the subtree, 0 lets them run again (v2
 * cgroup.freeze, Linux 5.2; v1 the freezer hierarchy's freezer.state).
 * Returns once the kernel reports the subtree frozen (thawed). Errors:
 * -EOPNOTSUPP when the cgroup has no freezer (v1: not in the freezer
 * hierarchy; v2 before 5.2); -ETIMEDOUT when it did not freeze in 10 s. */
int nsbox_cgroup_freeze(nsbox *box, const char *cgroup, int frozen);

/* The processes of the subtree (pids in the caller's PID namespace): stores
 * up to n of them in pids and returns how many there are (more than n: call
 * again with a larger array). pids may be NULL with n 0. */
int nsbox_cgroup_pids(nsbox *box, const char *cgroup, pid_t *pids, size_t n);

/* Kills every process of the subtree (thawing a frozen one), waits until it
 * is empty and removes the cgroup and every cgroup below it, in each
 * hierarchy. A path that no longer exists is fine (0). Errors: -EBUSY when
 * processes are left after 10 s; the errno of a failed rmdir. */
int nsbox_cgroup_destroy(nsbox *box, const char *cgroup);

/* -------------------------------------------------------------- time limits */

/* A CPU-time limit over every process of the sandbox together, a wall-time
 * limit, and a grace before the CPU limit's kill, as ioi/isolate's --time,
 * --wall-time and --extra-time (an online judge's limits). Microseconds;
 * 0 removes the limit (the default). The last call wins; the values are
 * taken at each spawn.
 *
 * The CPU time is the usage of the sandbox's cgroup (v2 cpu.stat
 * usage_usec, v1 cpuacct.usage): a CPU-time limit gives the sandbox a
 * cgroup of its own as a cgroup limit does (nsbox_set_cgroup_limit; the
 * same parent, delegation and errors apply, and on v1 the cpuacct
 * controller must be mounted: -ENOENT at spawn otherwise). It counts every
 * process the command starts, forked or not, which RLIMIT_CPU (per
 * process) does not; there is no CPU-time limit without a cgroup.
 * The wall time counts from the clone in nsbox_spawn() to the end of the
 * sandbox's first process.
 *
 * Enforcement: the sandbox is killed (SIGKILL, every process) when its CPU
 * time reaches the limit plus the extra time, or its wall time the wall
 * limit (the extra time applies to the CPU limit only, as in isolate).
 *  - With a PID namespace of its own (NSBOX_NS_PID, without
 *    NSBOX_AS_PID1) the init helper, PID 1, enforces both while the caller
 *    does anything else: it sleeps until the wall deadline and reads the
 *    cgroup's CPU usage through a file the library opened for it, at a
 *    pace that shortens as the limit nears (at most 100 ms apart, at least
 *    2 ms). The command cannot reach it: ptrace and its /proc files are
 *    closed (NSBOX_AS_PID1 says when they are not: a command that keeps
 *    cap_sys_ptrace), its fds are its own, signals from inside the
 *    namespace do not reach a PID 1, and it reads the counter, not the
 *    number of processes. A command of the init's uid can renice it or make
 *    it SCHED_IDLE, which would slow it down: the init checks its own
 *    priority and policy at each wakeup and kills the sandbox at once when
 *    they changed.
 *  - nsbox_wait() enforces both while it waits, from the caller's thread,
 *    out of the command's reach: with or without a PID namespace.
 *  - Without a PID namespace (or with NSBOX_AS_PID1) only nsbox_wait()
 *    enforces them: a caller that does not wait lets the sandbox run on.
 * Measured on a 2-CPU host with a fork bomb of 16 busy processes (tests/
 * bench_judge.c; the figures are in nsbox_limits(3)): the CPU time ended
 * within 100 ms past the limit plus the extra time in every run (p50 19
 * ms, max 65 ms); the kill came within 50 ms past the wall limit at the
 * median (13 ms), its tail set by the host's load (max 370 ms at a load
 * average of 25): an enforcer waits for a CPU like any task. The init
 * runs in a cgroup leaf of its own (C/init beside C/sandbox, with the cpu
 * controller, where the sandbox can have it) so that a fork bomb does not
 * outweigh its wakeups; the sandbox as a whole then weighs as one process
 * of its parent cgroup against the caller's others. A cpu.max limit throttles the init with the
 * sandbox: the wall kill may then wait for the next quota period.
 *
 * Errors: -EINVAL for a NULL box or a value above 10^15 us. */
int nsbox_set_cpu_time_limit(nsbox *box, uint64_t usec);
int nsbox_set_wall_time_limit(nsbox *box, uint64_t usec);
int nsbox_set_extra_time(nsbox *box, uint64_t usec);

/* -------------------------------------------------------------- the process */

/* The sandbox's hostname (adds NSBOX_NS_UTS). Errors: -EINVAL if empty or
 * longer than 64 bytes. */
int nsbox_set_hostname(nsbox *box, const char *name);

/* The sandbox's NIS domain name (adds NSBOX_NS_UTS). Errors: -EINVAL if
 * empty or longer than 64 bytes. */
int nsbox_set_domainname(nsbox *box, const char *name);

/* A kernel setting of the sandbox, written to /proc/sys before the
 * filesystem steps (OCI's linux.sysctl). key as sysctl(8) takes it:
 * "net.ipv4.ip_forward" or "net/ipv4/conf/eth0.1/forwarding". Only keys
 * that the kernel keeps per namespace are taken, and only when the sandbox
 * has that namespace, new or joined, other than the caller's own, so that
 * no setting reaches the caller or the host: the IPC keys kernel.msgmax,
 * kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax,
 * kernel.shmmni, kernel.shm_rmid_forced and fs.mqueue.* (NSBOX_NS_IPC),
 * kernel.hostname and kernel.domainname (NSBOX_NS_UTS) and net.*
 * (NSBOX_NS_NET; the kernel shows a new network namespace only its own
 * settings). A later call for the same key replaces the value. Errors:
 * -EINVAL for a key outside that list (the message says why), an empty or
 * malformed key ("..", empty components) or a value with a newline; at
 * spawn, -EINVAL when the key's namespace is not the sandbox's own, and
 * the errno of the write ("sysctl net.ipv4.ip_forward=1: No such file or
 * directory" for a key this kernel lacks). */
int nsbox_set_sysctl(nsbox *box, const char *key, const char *value);

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
 * to inherit the caller's. Like posix_spawn_file_actions_adddup2(), the
 * recipe records the fd numbers and holds no copy: the caller keeps each fd
 * open until nsbox_spawn() returns and may close it then (a reader of a
 * pipe gets EOF once the sandbox and the caller have closed their ends).
 * Each spawn checks that the fds are still open and name the same files as
 * when set (-EBADF otherwise, so a number closed and reused by another file
 * never reaches the sandbox); set them again, or to -1, before reusing the
 * recipe after closing them. Errors: -EBADF for a closed fd, -EINVAL below
 * -1. */
int nsbox_set_stdio(nsbox *box, int in_fd, int out_fd, int err_fd);

/* Passes the caller's fd to the command as target_fd (3 to 1048575, the
 * kernel's default fs.nr_open minus one). Recorded by number like
 * nsbox_set_stdio(), with the same rule: open until nsbox_spawn() returns,
 * checked at each spawn. A later call for the same target replaces the
 * earlier one; fd -1 drops the target. Only stdio and passed fds reach the
 * command; every other fd is closed, including fds the caller opened
 * without close-on-exec. Errors: -EBADF for a closed fd, -EINVAL for
 * target_fd out of range or fd below -1. */
int nsbox_pass_fd(nsbox *box, int fd, int target_fd);

/* Makes the command wait just before exec, after every other step, until
 * one byte can be read from fd (a pipe or FIFO of the caller's; recorded
 * by number like nsbox_set_stdio(): open until nsbox_spawn() returns,
 * checked at each spawn). nsbox_spawn() then returns once the command
 * waits there, so it reports every setup error, also a program that exec
 * could not run (missing, not executable, not a regular file: checked
 * before the wait, as the command's ids). What waits is the library's
 * helper (nsbox-init), exec'd in memory of its own, not dumpable, holding
 * nothing of the caller's but fd; it reads the byte, closes fd and execs
 * the command, which never sees fd. At end-of-file instead of a byte (every
 * writer closed) it exits with 127 without exec, as it does when the exec
 * fails after the wait. With a seccomp filter, the helper's read, close,
 * prctl and execve pass through it. fd -1 removes the gate. Errors:
 * -EBADF for a closed fd, -EINVAL below -1. */
int nsbox_set_exec_gate(nsbox *box, int fd);

/* A resource limit (RLIMIT_*) of the command; RLIM_INFINITY as usual.
 * Errors: -EINVAL for an unknown resource or soft > hard. */
int nsbox_set_rlimit(nsbox *box, int resource, uint64_t soft, uint64_t hard);

/* The command's umask (OCI's process.user.umask), set right before exec.
 * Default: the caller's. The filesystem steps never use it (their modes
 * are exact). Errors: -EINVAL for bits beyond 0777. */
int nsbox_set_umask(nsbox *box, uint32_t mask);

/* The command's oom_score_adj, -1000 (never killed by the OOM killer) to
 * 1000 (killed first), inherited by its children. The caller writes it to
 * /proc/PID/oom_score_adj once the command has exec'd (a write before,
 * while the child shares the caller's memory, would change the caller's
 * too): the command may run for a moment with the caller's value, unless
 * it waits at an exec gate. Lowering it below the caller's own needs
 * CAP_SYS_RESOURCE of the host: without it nsbox_spawn() fails with
 * -EACCES (the sandbox is killed). The command must be the sandbox's first
 * process: no PID namespace of its own (a joined one is fine), or
 * NSBOX_AS_PID1 with one, and a kernel that needs no monitor (Linux 6.15);
 * else nsbox_spawn() fails with -EINVAL.
 * Errors: -EINVAL outside -1000..1000. */
int nsbox_set_oom_score_adj(nsbox *box, int adj);

enum {
    /* SIGKILL the sandbox when the calling thread dies (PR_SET_PDEATHSIG
     * fires when the *thread* that spawned it exits: spawn from a thread
     * that lives as long as the sandbox should). The kernel clears the
     * signal on every id change; the child re-arms it after each one and
     * then checks through a pidfd of the spawning thread (of the process
     * before Linux 6.9) that the caller still lives, exiting if not. The
     * command's own exec of a setuid or file-capability binary clears it
     * for good. */
    NSBOX_DIE_WITH_PARENT = 1u << 0,
    /* setsid(): the command has no controlling terminal, so it cannot push
     * input into the caller's with TIOCSTI. */
    NSBOX_NEW_SESSION = 1u << 1,
    /* In a PID namespace the command itself is PID 1 (default: a small init
     * is PID 1, reaps orphans, forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT,
     * SIGUSR1 and SIGUSR2 to the command and exits with its status). The
     * init holds nothing of the caller's: its cwd and root are the
     * sandbox's "/", it runs as the command's ids with CAP_KILL alone and
     * no_new_privs, and its memory is not dumpable, so a command without
     * CAP_SYS_PTRACE in the sandbox's user namespace can neither ptrace it
     * nor open its /proc files; one with it can (nsbox_spawn(3)). */
    NSBOX_AS_PID1 = 1u << 2,
    /* Do not set no_new_privs (default: set): setuid binaries and file
     * capabilities then take effect in the sandbox, still within the
     * dropped bounding set (see "privileges" below). */
    NSBOX_ALLOW_NEW_PRIVS = 1u << 3,
    /* The command cannot create user namespaces (bwrap's --disable-userns):
     * user.max_user_namespaces is set to 1 in the sandbox's user namespace
     * and the command runs in a nested one made just before the
     * capabilities are applied (its own uid and gid mapped to themselves,
     * setgroups denied), so that every further one is refused (unshare and
     * clone fail with ENOSPC) and the command holds no capability in the
     * sandbox's user namespace to lift the limit. Kept capabilities are
     * held in the nested user namespace only: they act on no namespace of
     * the sandbox (its mount, network, UTS ... namespaces belong to the
     * outer one). Needs a new user namespace (nsbox_spawn() fails with
     * -EINVAL otherwise) and /proc in the caller's tree. */
    NSBOX_DISABLE_USERNS = 1u << 4,
    /* Checks, as the last step before the capabilities, that the command
     * cannot create a user namespace, and fails nsbox_spawn() with -EEXIST
     * ("user namespaces are not disabled") if it can (bwrap's
     * --assert-userns-disabled, e.g. for a joined user namespace that was
     * sealed before). Implied by NSBOX_DISABLE_USERNS. */
    NSBOX_ASSERT_USERNS_DISABLED = 1u << 5,
    /* The command's stdin, a terminal (e.g. the slave of a pty pair the
     * caller opened), becomes its controlling terminal: setsid() and
     * TIOCSCTTY, so that the command is the terminal's session and
     * foreground process group (OCI's process.terminal). Implies
     * NSBOX_NEW_SESSION. At spawn: -ENOTTY for a stdin that is no
     * terminal, -EPERM for one that is another session's controlling
     * terminal (the caller's own, for instance). */
    NSBOX_CONTROLLING_TTY = 1u << 6,

    /* nsbox_enter() only (nsbox_spawn() ignores it): after the namespaces
     * and the cgroup, the calling process forks; nsbox_enter() returns in
     * the child, which applies the rest of the recipe, and the parent
     * never returns: it becomes the init helper (no_new_privs, CAP_KILL
     * alone, not dumpable), waits for the child, forwards SIGTERM, SIGINT,
     * SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to it, and exits with its
     * status. Needed for a new or joined PID namespace (which the caller
     * itself cannot enter: the child is its PID 1, or a member of the
     * joined one); allowed without one. */
    NSBOX_ENTER_FORK = 1u << 7,
    /* Cgroup limits (nsbox_set_cgroup_limit) with cap_sys_admin kept: by
     * default nsbox_spawn() refuses them (-EPERM), as that command could
     * make the cgroup mounts writable and lift its limits or leave its
     * cgroup. With this flag they are set all the same, ADVISORY against
     * that command: they hold while it does not undo them (as for an OCI
     * privileged container, which keeps cap_sys_admin and whose limits
     * runc sets). Everything else stays: the cgroup mounts are made
     * read-only, the processes start in the leaf, kill and cleanup walk the
     * sandbox's cgroup; a command that moved itself out of it escapes
     * nsbox_kill() and the cleanup too. Without cap_sys_admin kept the flag
     * changes nothing. */
    NSBOX_CGROUP_ADVISORY = 1u << 8,
};

/* Sets the NSBOX_* flags above, replacing earlier ones. Errors: -EINVAL for
 * unknown bits. */
int nsbox_set_flags(nsbox *box, unsigned flags);

/* The command's terminal: a pty of the sandbox's own devpts (OCI's
 * process.terminal, as runc and crun make it). flags: NSBOX_CONSOLE_PTY,
 * optionally with NSBOX_CONSOLE_DEV_CONSOLE; 0 removes the console.
 * After the filesystem steps, hostname and cwd, the command's stage opens
 * /dev/ptmx inside the sandbox (after its root switch, so a symlink there
 * resolves inside it; no magic link is followed), checks that it is a pty
 * master, unlocks it, opens the slave through the master (TIOCGPTPEER: no
 * path in between), gives the slave to the command's uid (the group is
 * kept, as runc does) when nsbox_set_user or a map chose the ids, sets the
 * window size when rows and cols are not both 0, binds the slave on
 * /dev/console with NSBOX_CONSOLE_DEV_CONSOLE (made as an empty file when
 * missing; adds NSBOX_NS_MOUNT), makes it the controlling terminal
 * (setsid, TIOCSCTTY: NSBOX_CONTROLLING_TTY implied) and the command's
 * stdin, stdout and stderr, and sends the master to the caller, who takes
 * it with nsbox_proc_take_console(). The sandbox needs a devpts of its own
 * at /dev/pts whose ptmx it may open and a /dev/ptmx leading to it
 * (nsbox_add_dev makes both; or nsbox_add_mount "devpts" with
 * "newinstance,ptmxmode=0666" and nsbox_add_symlink "pts/ptmx"). No fd of
 * the caller's terminal or devpts reaches the sandbox.
 * Errors: -EINVAL for unknown flags or NSBOX_CONSOLE_DEV_CONSOLE alone.
 * At spawn, each naming the step ("console: open /dev/ptmx inside the
 * sandbox: No such file or directory"): -EINVAL with nsbox_set_stdio() fds
 * (the console is the command's stdio); -EXDEV when the pty is one of the
 * caller's devpts (the sandbox has none of its own); -ENOTTY when
 * /dev/ptmx is no pty master; the errno of the open, the ioctls, the bind
 * or TIOCSCTTY. nsbox_enter() refuses a console (-EINVAL). */
enum {
    NSBOX_CONSOLE_PTY = 1u << 0,         /* a pty of the sandbox as the command's terminal */
    NSBOX_CONSOLE_DEV_CONSOLE = 1u << 1, /* its slave bound on /dev/console too */
};
int nsbox_set_console(nsbox *box, unsigned flags, uint16_t rows, uint16_t cols);

/* Holds a read lock on path, a file inside the sandbox, while the sandbox
 * runs (bubblewrap's --lock-file). At spawn, after the identity step (with
 * the command's ids and capabilities, in its filesystem view: a symlink
 * resolves inside the sandbox's root, never on the caller's tree) and
 * before exec, the file is opened read-only (never created; O_NONBLOCK, so
 * that a FIFO cannot block the spawn) and an open file description lock
 * (fcntl F_OFD_SETLK, F_RDLCK: it conflicts with F_SETLK write locks of
 * other processes) is taken on it. The fd goes to the nsbox_proc, never to
 * the command; the lock is released when the process is reaped or freed.
 * Errors: -EINVAL for a relative path. At spawn: "open lock file PATH" or
 * "lock file PATH" with the errno (-EAGAIN when a write lock is held). */
int nsbox_add_lock_file(nsbox *box, const char *path);

/* --------------------------------------------------------------- privileges */

/* By default the command runs with no capabilities at all: the effective,
 * permitted, inheritable and ambient sets are empty and the bounding set is
 * dropped, so that no exec (a setuid-root binary, file capabilities, uid 0
 * inside) brings one back; and with no_new_privs set (see
 * NSBOX_ALLOW_NEW_PRIVS). Capabilities are those of the sandbox's user
 * namespace: with a new one the process holds them all there before the
 * drop; without one it holds the caller's.
 *
 * One exception, stated rather than hidden: a process that holds no
 * capability at all (an unprivileged caller without a user namespace)
 * cannot drop its bounding set, and need not while no_new_privs is set
 * (exec can then grant nothing): the bounding set is left as is in exactly
 * that case. With NSBOX_ALLOW_NEW_PRIVS such a spawn fails with -EPERM
 * ("drop cap_chown from the bounding set: ...") instead of letting a
 * setuid binary regain it. */

/* Keeps one capability in the command: name as libcap spells it
 * ("cap_net_bind_service"), in any case, with or without the "cap_" prefix;
 * or "ALL" for every capability the sandbox's process holds. Kept
 * capabilities are in the permitted, effective, inheritable, ambient and
 * bounding sets, so that they survive exec also when the command runs as a
 * non-zero uid (nsbox_set_user). Calls apply in order with nsbox_drop_cap().
 * Errors: -EINVAL for NULL, an empty or unknown name (the name is in the
 * message). At spawn: -EINVAL for a name this kernel does not know; -EPERM
 * when a capability added by name is not held by the sandbox's process
 * (e.g. an unprivileged caller without a user namespace). */
int nsbox_add_cap(nsbox *box, const char *name);

/* Removes one capability (or "ALL": every one) from those kept, e.g. after
 * nsbox_add_cap(box, "ALL"). Dropping one never kept is fine. Errors as
 * nsbox_add_cap(). */
int nsbox_drop_cap(nsbox *box, const char *name);

/* A seccomp filter for the command: a classic BPF program, an array of
 * struct sock_filter (<linux/filter.h>) of len bytes, as made by
 * libseccomp's seccomp_export_bpf() or by hand. The program is copied; a
 * later call replaces it; bpf NULL with len 0 removes it. With
 * no_new_privs (the default) it is installed as the very last step before
 * exec (after the fds are set up), so it filters exec itself and everything
 * the command does, but no step of the library. The kernel checks the
 * program at spawn: a bad one fails nsbox_spawn() with -EINVAL. Without
 * no_new_privs (NSBOX_ALLOW_NEW_PRIVS) the kernel takes a filter only from
 * a holder of CAP_SYS_ADMIN, so it is installed earlier, just before the
 * id switch and the capabilities (as runc does for OCI's noNewPrivileges
 * false): those steps, the fd set-up and exec then pass through it, and a
 * filter that denies them fails nsbox_spawn() naming the step. Errors: -EINVAL when len is not a
 * multiple of sizeof(struct sock_filter) (8), or the program has 0 or more
 * than 4096 instructions, or bpf is NULL with a non-zero len. */
int nsbox_set_seccomp_filter(nsbox *box, const void *bpf, size_t len);

/* The five capability sets as OCI gives them (process.capabilities). */
enum {
    NSBOX_CAPS_BOUNDING,
    NSBOX_CAPS_EFFECTIVE,
    NSBOX_CAPS_PERMITTED,
    NSBOX_CAPS_INHERITABLE,
    NSBOX_CAPS_AMBIENT,
};

/* Sets one of the command's capability sets to exactly mask (bit n is
 * capability n, e.g. (uint64_t)1 << CAP_NET_BIND_SERVICE), instead of the
 * kept capabilities of nsbox_add_cap() and nsbox_drop_cap(), which still
 * give every set not set here. The bounding set is dropped first, then the
 * permitted, effective and inheritable sets are set and the ambient set
 * raised. At spawn the kernel's rules are checked, each failure naming the
 * capabilities: effective and ambient within permitted, ambient within
 * inheritable, inheritable within bounding (-EINVAL);
 * a permitted capability the sandbox's process does not hold (-EPERM, as
 * for nsbox_add_cap). Errors: -EINVAL for an unknown set, or bits beyond
 * 63; at spawn, -EINVAL for bits beyond the kernel's last capability. */
int nsbox_set_caps(nsbox *box, int set, uint64_t mask);

/* ------------------------------------------------------------------ running */

/* Starts argv (NULL-terminated, argv[0] the program) in a sandbox made from
 * the recipe and stores the process in *out, which the caller frees with
 * nsbox_proc_free(). argv[0] without '/' is looked up in the sandbox's PATH
 * (the command's environment, default "/usr/local/bin:/usr/bin:/bin").
 * Returns only after exec succeeded or failed: a failure of any step before
 * exec (a namespace, a map, setns, a mount, cwd, exec itself) is returned as
 * a negative errno with nsbox_errmsg() naming the step, e.g.
 * "exec /no/such: No such file or directory", and leaves nothing behind: no
 * process, no fd, no cgroup, no mount. -EBADF when a stdio or passed fd was
 * closed, or reused by another file, since it was set. Safe to call from
 * several threads at once with different handles: the child allocates
 * nothing. The caller's waitpid(-1), SIGCHLD handler or SIGCHLD set to
 * SIG_IGN may reap the sandbox (exec makes every process a SIGCHLD child);
 * nsbox_wait() still returns its status, from the pidfd's exit record
 * (Linux 6.15+) or from the init helper that watches the command on older
 * kernels. */
int nsbox_spawn(nsbox *box, char *const argv[], nsbox_proc **out);

/* Waits for the sandbox to end: timeout_ms -1 waits forever, 0 polls.
 * While it waits it enforces the time limits (nsbox_set_cpu_time_limit).
 * Returns its status in shell form (the exit code, or 128 + the signal
 * number), or -ETIMEDOUT if it still runs. The status is the kernel's
 * (waitid on the pidfd, or its exit record after the caller reaped it);
 * the init helper's record only tells a signal N from an exit 128+N where
 * it agrees with it, and stands alone only before Linux 6.15 after a reap
 * by the caller (nsbox_spawn(3), "Where the status comes from"). Once it returned a status, later
 * calls return the same status. Other errors: -EINVAL for a NULL p;
 * -ECHILD when the caller reaped the sandbox itself and no status is left
 * (only with NSBOX_AS_PID1 in a new PID namespace before Linux 6.15, where no
 * init helper watches the command). After -ETIMEDOUT or another error,
 * nsbox_proc_errmsg(p) says what failed, e.g. "wait for pid 4242: still
 * running after 50 ms: Connection timed out"; a status empties it. */
int nsbox_wait(nsbox_proc *p, int timeout_ms);

/* Sends sig to the sandbox: with a cgroup the spawn made, to every
 * process in it (an existing one, nsbox_set_cgroup_path, is not the
 * sandbox's alone: then as without a cgroup); with a PID namespace, to its
 * PID 1 (SIGKILL then ends every process of the namespace; the init
 * forwards the signals listed at NSBOX_AS_PID1 to the command); else to
 * the process. A sandbox that then dies of a signal is reported as
 * NSBOX_END_KILLED. sig 0 checks that it can be signalled. Returns 0, or a
 * negative errno with nsbox_proc_errmsg(p) naming the
 * signal and the pid or cgroup: -EINVAL for a NULL p or a sig outside 0 to
 * 64, -ESRCH once it was reaped, else the errno of the signal's delivery
 * (kill(2), pidfd_send_signal(2), cgroup.kill). */
int nsbox_kill(nsbox_proc *p, int sig);

/* The last failure of nsbox_wait() or nsbox_kill() on p as one line, "" if
 * the last of them succeeded (or none was called) and for a NULL p. The
 * string belongs to p and lives until the next nsbox_wait(), nsbox_kill()
 * or nsbox_proc_free() on it; like every call on p, not concurrently with
 * another call on p (nsbox_errmsg() is the recipe's, and stays as it was). */
const char *nsbox_proc_errmsg(const nsbox_proc *p);

/* nsbox_spawn() + nsbox_wait(-1) + nsbox_proc_free(): returns the status in
 * shell form or a negative errno (with nsbox_errmsg() set). */
int nsbox_run(nsbox *box, char *const argv[]);

/* --------------------------------------------------------------- entering */

/* Applies the recipe to the calling process itself, as unshare(1) and
 * minijail_enter() do, instead of starting a new one: the namespaces
 * (new ones by unshare(2), joined ones by setns(2)), the id maps (written
 * by a helper process outside the new user namespace, as the kernel
 * requires), the cgroup and its limits, the filesystem steps and new root,
 * hostname, cwd, rlimits, the uid and gid, capabilities, no_new_privs,
 * stdio and passed fds, environment, and the seccomp filter, in the order
 * and with the defaults of nsbox_spawn(). On success the process keeps
 * running the caller's code inside the sandbox, for good; it holds the
 * same privileges a spawned command would right after exec:
 *  - no capability (unless kept), no_new_privs;
 *  - only stdio and the fds passed with nsbox_pass_fd() (target numbers
 *    as given; nsbox_pass_fd(box, fd, fd) keeps one where it is): every
 *    other fd is closed, also those the caller's own libraries hold;
 *  - its cwd and root inside the sandbox's view (a mount over the cwd is
 *    entered, a new root moves both).
 * The caller's signal handlers, mask and the rest of its memory stay.
 * The process must be single-threaded: -EINVAL, naming the threads, when
 * it is not (the kernel refuses a new user namespace to a multi-threaded
 * process, and any other thread would stay outside the sandbox with
 * access to its memory). A new or joined PID namespace needs
 * NSBOX_ENTER_FORK (-EINVAL otherwise): the caller's own pid cannot
 * change. The cgroup stays after the call (the process lives in it); the
 * next nsbox_spawn() or nsbox_enter() under the same parent removes it
 * once the process has exited and the cgroup is empty.
 * All or nothing up to the point of no return, the first namespace
 * change: everything is checked and opened before it (threads, flags,
 * a new user namespace made and mapped by a helper process, bind sources,
 * a new root, rlimits, the seccomp program, stdio and passed fds, the
 * cgroup), and a failure there leaves the process as it was (no
 * namespace, cgroup, mount, fd or capability changed) with nsbox_errmsg()
 * naming the step. A failure after it (e.g. a bind source removed in
 * between) returns the step's errno with a message that names the step
 * and says that the process is now partly sandboxed: exit then.
 * Errors: -EINVAL for a NULL box, a multi-threaded caller, a PID
 * namespace without NSBOX_ENTER_FORK, lock files (nsbox_spawn() only) or
 * NSBOX_NEW_SESSION in a process group leader; else those of
 * nsbox_spawn(). The nsbox_enter(3) man page has the details. */
int nsbox_enter(nsbox *box);

/* Frees the process handle. A sandbox still running is killed (SIGKILL) and
 * reaped first. NULL is fine. */
void nsbox_proc_free(nsbox_proc *p);

/* Frees the process handle WITHOUT killing, waiting for or removing
 * anything: the sandbox outlives the handle and the caller (an OCI
 * runtime's "create"). Its first process stays the caller's child while the
 * caller lives (reap it with waitpid(2), or it stays a zombie once it
 * ends); when the caller exits, the kernel re-parents it to the caller's
 * child subreaper (PR_SET_CHILD_SUBREAPER) or to init. The lock files
 * (nsbox_add_lock_file) are released. The sandbox's cgroup stays, marked
 * (sticky bit, when the spawn made it) so that the cleanup of dead
 * callers' cgroups never takes it: manage it with nsbox_cgroup_kill(),
 * _freeze(), _pids() and _destroy() by the path nsbox_proc_cgroup()
 * returned before this call.
 * NULL is fine. */
void nsbox_proc_detach(nsbox_proc *p);

/* The master of the sandbox's console (nsbox_set_console), handed to the
 * caller: it owns the fd from then on (close-on-exec; it closes it). The
 * library checked that it is a pty master (TIOCGPTN) before keeping it.
 * Until taken the handle holds it; nsbox_proc_free() and
 * nsbox_proc_detach() close it then. Returns the fd; -ENOENT without a
 * console or once taken; -EINVAL for a NULL p. */
int nsbox_proc_take_console(nsbox_proc *p);

/* The pid of the sandbox's first process, in the caller's PID namespace
 * (with a PID namespace, its init). It is always inside the sandbox's PID
 * namespace and a child of the caller, also with a namespace joined and a
 * new PID namespace, or a joined PID namespace: the stage that joined
 * forks it there as the caller's child (CLONE_PARENT) and exits, as runc's
 * does, so /proc/PID/ns/pid and nsenter -t PID -p lead into the sandbox.
 * In a joined PID namespace it is the command, or on kernels before Linux
 * 6.15 the init helper watching it (nsbox_spawn(3)). */
pid_t nsbox_proc_pid(const nsbox_proc *p);

/* A pidfd of that process (the one nsbox_proc_pid() names, nsbox_wait()
 * reaps and nsbox_kill() signals), owned by the handle: pollable, readable
 * once it exits. -1 if the kernel has none. Do not close it; do not
 * waitid() on it. */
int nsbox_proc_pidfd(const nsbox_proc *p);

/* After nsbox_wait() returned a status: the command's exit code, or -1
 * unless it exited normally. */
int nsbox_proc_exit_code(const nsbox_proc *p);

/* After nsbox_wait() returned a status: the signal that killed the command,
 * 0 if none. */
int nsbox_proc_signal(const nsbox_proc *p);

/* The usage report of the sandbox's cgroup, read when nsbox_wait() reaped
 * it (before the cgroup is removed); 0 before that and without a cgroup. */

/* 1 if the cgroup's OOM killer killed a process of the sandbox (v2
 * memory.events oom_kill, v1 memory.oom_control oom_kill), else 0. */
int nsbox_proc_oom_killed(const nsbox_proc *p);

/* The peak memory use of the sandbox in bytes (v2 memory.peak, Linux
 * 5.19+; v1 memory.max_usage_in_bytes); 0 if unknown. */
uint64_t nsbox_proc_memory_peak(const nsbox_proc *p);

/* User + system CPU time of every process of the sandbox in microseconds
 * (v2 cpu.stat usage_usec, v1 cpuacct.usage); 0 if unknown. */
uint64_t nsbox_proc_cpu_usec(const nsbox_proc *p);

/* The path of the sandbox's cgroup (its limits; the processes are in its
 * child "sandbox") as /proc/self/cgroup writes it (on v1 its path in the
 * hierarchy of the first limit, or memory), NULL without a cgroup. Owned by the handle. After the
 * reap the cgroup is gone; the path stays as a record. */
const char *nsbox_proc_cgroup(const nsbox_proc *p);

/* What ended the sandbox (struct nsbox_report's end). When several apply,
 * the first in this order is reported:
 *   NSBOX_END_CPU_LIMIT   its CPU time exceeded the CPU-time limit, or an
 *                         enforcer killed it for that limit: also when it
 *                         then ended on its own within the extra time
 *   NSBOX_END_WALL_LIMIT  its wall time exceeded the wall-time limit, or
 *                         an enforcer killed it for that limit
 *   NSBOX_END_OOM         killed by a signal, and the cgroup's OOM killer
 *                         killed a process of it
 *   NSBOX_END_KILLED      killed by a signal after nsbox_kill()
 *   NSBOX_END_SIGNALED    killed by a signal (signal says which)
 *   NSBOX_END_EXITED      exited (exit_code says how)
 * NSBOX_END_RUNNING until nsbox_wait() returned its status. */
enum nsbox_end {
    NSBOX_END_RUNNING = 0,
    NSBOX_END_EXITED = 1,
    NSBOX_END_SIGNALED = 2,
    NSBOX_END_CPU_LIMIT = 3,
    NSBOX_END_WALL_LIMIT = 4,
    NSBOX_END_OOM = 5,
    NSBOX_END_KILLED = 6,
};

/* The sandbox's end and usage, filled by nsbox_proc_report(). The caller
 * sets size to sizeof(struct nsbox_report) as its header knows it; fields
 * added later go at the end, so a program built against an older header
 * keeps working. */
struct nsbox_report {
    uint32_t size;           /* in: sizeof(struct nsbox_report) */
    uint32_t end;            /* enum nsbox_end */
    int32_t exit_code;       /* the command's exit code, -1 unless it exited */
    int32_t signal;          /* the signal that killed it, 0 if none */
    uint64_t wall_usec;      /* from the clone to the end (so far, while running) */
    uint64_t cpu_usec;       /* user + system of every process (nsbox_proc_cpu_usec) */
    uint64_t user_usec;      /* user time: v2 cpu.stat user_usec, v1 cpuacct.stat */
    uint64_t sys_usec;       /* system time, the same way */
    uint64_t memory_peak;    /* bytes (nsbox_proc_memory_peak), 0 if unknown */
    uint32_t oom_killed;     /* 1 if the OOM killer killed a process of it */
    uint32_t reserved;       /* 0 */
    uint64_t cpu_limit_usec; /* the limits it ran under, 0: none */
    uint64_t wall_limit_usec;
    uint64_t kill_usec;   /* when an enforcer killed it for a limit, from the clone; 0: none.
                             From then on no code of the command runs (SIGKILL is pending
                             in every process); wall_usec adds the time its processes
                             took to die and be reaped */
    uint32_t init_shared; /* 1: the init enforcing the time limits shared the command's
                             cgroup leaf, the cpu controller being unavailable to the
                             sandbox (nsbox_limits(3)); 0: a leaf of its own, or none */
    uint32_t reserved2;   /* 0 */
};

/* Fills r with the first r->size bytes of the sandbox's report (the rest
 * of a larger struct is left as it is). Before nsbox_wait() returned its
 * status, end is NSBOX_END_RUNNING and the times are those so far. The
 * CPU times come from the cgroup; without one, from the rusage of the
 * sandbox's first process (its init with a PID namespace), which counts
 * itself and the processes it reaped: an approximation, 0 when the caller
 * reaped it. user + sys may differ from cpu_usec by a few scheduler ticks
 * on v1 (cpuacct.stat counts ticks). The wall time's end is the init's
 * record with a PID namespace, else the moment nsbox_wait() saw the end.
 * Errors: -EINVAL for a NULL p or r, or r->size below 8. */
int nsbox_proc_report(const nsbox_proc *p, struct nsbox_report *r);

#ifdef __cplusplus
}
#endif

#endif
