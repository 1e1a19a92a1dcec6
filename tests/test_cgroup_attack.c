/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attacks on the sandbox's own cgroup, performed from inside: raise the
 * limits through a cgroupfs mounted in a nested user + cgroup namespace or
 * through the host's /sys/fs/cgroup under the default root, hide in a
 * child cgroup from nsbox_kill, leave for the parent cgroup; and nested
 * user namespaces forbidden. Each case runs as root (0), as nobody with a
 * delegated parent (1) and, where it differs, as root keeping every
 * capability but cap_sys_admin (2). The control of each attack is the same
 * attack with the guard off (box->cg_unguarded: the processes in the
 * limited cgroup itself, the cgroup mounts left writable): it must work.
 * The test binary doubles as the attacker run inside. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgdeleg.h"
#include "cgtestlib.h"
#include "internal.h"
#include "testlib.h"

static char self_exe[4096];

/* --------------------------------------------------- the attacker inside */

static const char *res(int r)
{
    return r == 0 ? "ok" : strerrorname_np(errno) ? strerrorname_np(errno) : "?";
}

static int put(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, value, strlen(value));
    int err = errno;
    close(fd);
    errno = err;
    return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* A nested user + mount + cgroup namespace, its own ids mapped to root,
 * and the cgroup file systems mounted over existing directories (an
 * unmapped namespace cannot make any): v2 or v1 memory on /tmp, v1 pids
 * on /mnt. */
static const char *step = "";
static int nest_and_mount(void)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    char map[64];
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
        return step = "unshare", -1;
    /* Linux 5.12+ refuses to map the parent's uid 0 without CAP_SETFCAP
     * (a root caller's capless sandbox): the namespace's capabilities do
     * not need the map, the attack goes on unmapped. */
    snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
    if (put("/proc/self/setgroups", "deny") == 0 && put("/proc/self/uid_map", map) == 0) {
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        put("/proc/self/gid_map", map);
    }
    step = "cgroupfs";
    if (cg_v2())
        return mount("none", "/tmp", "cgroup2", 0, NULL);
    return mount("none", "/tmp", "cgroup", 0, "memory") ||
                   mount("none", "/mnt", "cgroup", 0, "pids")
               ? -1
               : 0;
}

/* Writes "no limit" into the limit files under mem and pids dirs. */
static void raise_limits(const char *mem, const char *pids)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", mem, cg_v2() ? "memory.max" : "memory.limit_in_bytes");
    int a = put(path, cg_v2() ? "max" : "-1");
    const char *ra = res(a);
    snprintf(path, sizeof(path), "%s/pids.max", pids);
    int b = put(path, "max");
    printf("memory:%s pids:%s\n", ra, res(b));
}

static int attack_nested(void)
{
    int nr = nest_and_mount();
    if (nr < 0) {
        printf("nest:%s%s%s\n", res(-1), getenv("ATTACK_DEBUG") ? " " : "",
               getenv("ATTACK_DEBUG") ? step : "");
        return 0;
    }
    if (cg_v2()) {
        /* v2 refuses writes to the files of the writer's own cgroup
         * namespace root: step into a child and a cgroup namespace of its
         * own first, then write the old root's through the mount. */
        if (mkdir("/tmp/x", 0755) < 0 || put("/tmp/x/cgroup.procs", "0") < 0 ||
            unshare(CLONE_NEWCGROUP) < 0) {
            printf("v2-step:%s\n", res(-1));
            return 0;
        }
        raise_limits("/tmp", "/tmp");
    } else {
        raise_limits("/tmp", "/mnt");
    }
    return 0;
}

/* Our cgroup in hierarchy ctl ("" for v2) as /proc/self/cgroup writes it,
 * with the leaf ("/sandbox") cut: the cgroup holding the limits. */
static void own_limited(const char *ctl, char *out, size_t size)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[1024];
    out[0] = '\0';
    while (f && fgets(line, sizeof(line), f)) {
        char *c = strchr(line, ':'), *path = c ? strchr(c + 1, ':') : NULL;
        if (!path)
            continue;
        *path++ = '\0';
        path[strcspn(path, "\n")] = '\0';
        if (strcmp(c + 1, ctl) == 0)
            snprintf(out, size, "%s", strcmp(path, "/") == 0 ? "" : path);
    }
    if (f)
        fclose(f);
    size_t len = strlen(out);
    if (len > 8 && strcmp(out + len - 8, "/sandbox") == 0)
        out[len - 8] = '\0';
}

static int attack_host(void)
{
    char mem[512], pids[512], a[600], b[600];
    own_limited(cg_v2() ? "" : "memory", mem, sizeof(mem));
    own_limited(cg_v2() ? "" : "pids", pids, sizeof(pids));
    snprintf(a, sizeof(a), CG "%s%s", cg_v2() ? "" : "/memory", mem);
    snprintf(b, sizeof(b), CG "%s%s", cg_v2() ? "" : "/pids", pids);
    raise_limits(a, b);
    return 0;
}

/* With cap_sys_admin kept: makes the read-only cgroup mounts writable
 * again, then writes the limits as attack_host does. */
static int attack_remount(void)
{
    static const char *const v1[] = {CG "/memory", CG "/pids", NULL};
    static const char *const v2[] = {CG, NULL};
    for (const char *const *d = cg_v2() ? v2 : v1; *d; d++) {
        /* Only the read-only flag goes: the others the mount has (nosuid,
         * nodev, noexec ...) are locked in a user namespace's copy. */
        static const struct {
            unsigned long st, ms;
        } keep[] = {{ST_NOSUID, MS_NOSUID},         {ST_NODEV, MS_NODEV},
                    {ST_NOEXEC, MS_NOEXEC},         {ST_NOATIME, MS_NOATIME},
                    {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME}};
        struct statvfs sv;
        unsigned long flags = MS_REMOUNT | MS_BIND;
        if (statvfs(*d, &sv) == 0)
            for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
                if (sv.f_flag & keep[i].st)
                    flags |= keep[i].ms;
        if (mount(NULL, *d, NULL, flags, NULL) < 0) {
            printf("remount:%s\n", res(-1));
            return 0;
        }
    }
    return attack_host();
}

/* Moves itself out of its cgroup: on v1 to the cgroup above the limited
 * one; on v2, where that one delegates controllers and so takes no
 * process, to its parent process's (the caller's) cgroup. */
static int attack_leave(void)
{
    char mem[512], path[700];
    if (cg_v2()) {
        char proc[64], line[500];
        snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int)getppid());
        FILE *f = fopen(proc, "re");
        mem[0] = '\0';
        while (f && fgets(line, sizeof(line), f))
            if (strncmp(line, "0::", 3) == 0)
                snprintf(mem, sizeof(mem), "%s", line + 3);
        if (f)
            fclose(f);
        mem[strcspn(mem, "\n")] = '\0';
    } else {
        own_limited("memory", mem, sizeof(mem));
        *strrchr(mem, '/') = '\0';
    }
    snprintf(path, sizeof(path), CG "%s%s/cgroup.procs", cg_v2() ? "" : "/memory", mem);
    printf("leave:%s\n", res(put(path, "0")));
    return 0;
}

/* Starts a daemon in its own session that prints its pid, then waits to
 * be killed with it. */
static _Noreturn void daemon_start(void)
{
    if (fork() == 0) {
        setsid();
        printf("%d\n", (int)getpid());
        fflush(stdout);
        close(1);
    }
    for (;;)
        pause();
}

/* Moves itself into a child cgroup made through its own cgroupfs (the
 * host's with the guard off), then starts a daemon that prints its pid. */
static int attack_hide(void)
{
    static const char *const v1[] = {"/tmp", "/mnt", NULL};
    static const char *const v2[] = {"/tmp", NULL};
    char dirs[2][32];
    const char *const *roots = cg_v2() ? v2 : v1;
    if (nest_and_mount() < 0) {
        printf("nest:%s%s%s\n", res(-1), getenv("ATTACK_DEBUG") ? " " : "",
               getenv("ATTACK_DEBUG") ? step : "");
        return 0;
    }
    for (int i = 0; roots[i]; i++) {
        snprintf(dirs[i], sizeof(dirs[i]), "%s/hide", roots[i]);
        char procs[96];
        snprintf(procs, sizeof(procs), "%s/cgroup.procs", dirs[i]);
        if (mkdir(dirs[i], 0755) < 0 || put(procs, "0") < 0) {
            printf("hide:%s\n", res(-1));
            return 0;
        }
    }
    /* And take the write permission its removal needs. */
    for (int i = 0; roots[i]; i++) {
        chmod(dirs[i], 0555);
        chmod(roots[i], 0555);
    }
    daemon_start();
}

/* Nests DEEP cgroups below its own through its own cgroupfs, moves itself
 * to the bottom and starts a daemon that prints its pid: deeper than any
 * fixed bound of a walk from outside. */
#define DEEP 100
static int attack_deep(void)
{
    static const char *const v1[] = {"/tmp", "/mnt", NULL};
    static const char *const v2[] = {"/tmp", NULL};
    const char *const *roots = cg_v2() ? v2 : v1;
    if (nest_and_mount() < 0) {
        printf("nest:%s\n", res(-1));
        return 0;
    }
    for (int i = 0; roots[i]; i++) {
        int fd = open(roots[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (int k = 0; fd >= 0 && k < DEEP; k++) {
            int sub = mkdirat(fd, "d", 0755) < 0
                          ? -1
                          : openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            close(fd);
            fd = sub;
        }
        int procs = fd < 0 ? -1 : openat(fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (procs < 0 || write(procs, "0", 1) != 1) {
            printf("deep:%s\n", res(-1));
            return 0;
        }
        close(procs);
        close(fd);
    }
    daemon_start();
}

static int attack_userns(void)
{
    /* With capabilities kept, try to lift the limit first. */
    put("/proc/sys/user/max_user_namespaces", "1000");
    printf("userns:%s\n", res(unshare(CLONE_NEWUSER)));
    return 0;
}

/* Inside: one attack, its result on stdout, then wait to be killed. */
static void run_attacker(int argc, char **argv)
{
    if (argc != 2)
        return;
    int (*fn)(void) = strcmp(argv[1], "nested") == 0    ? attack_nested
                      : strcmp(argv[1], "host") == 0    ? attack_host
                      : strcmp(argv[1], "remount") == 0 ? attack_remount
                      : strcmp(argv[1], "leave") == 0   ? attack_leave
                      : strcmp(argv[1], "hide") == 0    ? attack_hide
                      : strcmp(argv[1], "deep") == 0    ? attack_deep
                      : strcmp(argv[1], "userns") == 0  ? attack_userns
                                                        : NULL;
    if (!fn)
        return;
    fn();
    fflush(stdout);
    close(1);
    for (;;)
        pause();
}

/* --------------------------------------------------------- the host side */

/* Case i: 0 root, 1 nobody (delegated parent), 2 root keeping every
 * capability but cap_sys_admin. A user and mount namespace, the default
 * root, memory.max 64M and pids.max 20. */
static nsbox *attack_box(int i, bool guard)
{
    nsbox *box = cg_box(i == 1);
    box->cg_unguarded = !guard;
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "memory.max", "64M"), 0);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "20"), 0);
    if (i == 2) {
        ck_assert_int_eq(nsbox_add_cap(box, "ALL"), 0);
        ck_assert_int_eq(nsbox_drop_cap(box, "cap_sys_admin"), 0);
    }
    return box;
}

/* Starts the attacker; its first line of output in line. */
static nsbox_proc *attack_spawn(nsbox *box, const char *what, char *line, size_t size)
{
    int rd;
    nsbox_proc *p = cg_spawn_out(box, (char *[]){self_exe, (char *)what, NULL}, &rd);
    FILE *f = fdopen(rd, "r");
    line[0] = '\0';
    ck_assert_ptr_nonnull(fgets(line, (int)size, f));
    fclose(f);
    t_chomp(line);
    return p;
}

/* The limit file of the sandbox's limited cgroup, read from outside. */
static void limit_read(nsbox_proc *p, const char *ctl, const char *file, char *out, size_t size)
{
    char path[4200], cgpath[1024];
    ck_assert_int_eq(cgd_cgroup_of(nsbox_proc_pid(p), cg_v2() ? "" : ctl, cgpath, sizeof(cgpath)),
                     0);
    size_t len = strlen(cgpath);
    if (len > 8 && strcmp(cgpath + len - 8, "/sandbox") == 0)
        cgpath[len - 8] = '\0';
    snprintf(path, sizeof(path), CG "%s%s%s/%s", cg_v2() ? "" : "/", cg_v2() ? "" : ctl, cgpath,
             file);
    FILE *f = fopen(path, "re");
    ck_assert_msg(f, "%s: %s", path, strerror(errno));
    ck_assert_ptr_nonnull(fgets(out, (int)size, f));
    fclose(f);
    t_chomp(out);
}

/* The limits as set (guard on), or lifted (the control). */
static void limits_check(nsbox_proc *p, bool intact, const char *what)
{
    char mem[64], pids[64];
    limit_read(p, "memory", cg_v2() ? "memory.max" : "memory.limit_in_bytes", mem, sizeof(mem));
    limit_read(p, "pids", "pids.max", pids, sizeof(pids));
    if (intact) {
        ck_assert_msg(strcmp(mem, "67108864") == 0 && strcmp(pids, "20") == 0,
                      "%s lifted the limits: memory %s pids %s", what, mem, pids);
    } else {
        ck_assert_msg(strcmp(mem, "67108864") != 0 && strcmp(pids, "max") == 0,
                      "control: %s did not lift the limits: memory %s pids %s", what, mem, pids);
    }
}

static void raise_case(int i, bool guard, const char *what)
{
    nsbox *box = attack_box(i, guard);
    char line[256];
    nsbox_proc *p = attack_spawn(box, what, line, sizeof(line));
    limits_check(p, guard, what);
    if (!guard)
        ck_assert_msg(strcmp(line, "memory:ok pids:ok") == 0, "control %s: %s", what, line);
    nsbox_proc_free(p);
    nsbox_free(box);
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
}

START_TEST(test_raise_nested)
{
    raise_case(_i, true, "nested");
}
END_TEST

START_TEST(test_raise_nested_control)
{
    raise_case(_i, false, "nested");
}
END_TEST

START_TEST(test_raise_host)
{
    nsbox *box = attack_box(_i, true);
    char line[256];
    nsbox_proc *p = attack_spawn(box, "host", line, sizeof(line));
    ck_assert_msg(strcmp(line, "memory:EROFS pids:EROFS") == 0, "host attack: %s", line);
    limits_check(p, true, "host");
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

START_TEST(test_raise_host_control)
{
    raise_case(_i, false, "host");
}
END_TEST

/* The /proc/PID/cgroup text of the attacker's daemon. */
static void daemon_cgroup(pid_t daemon, char *cg, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)daemon);
    FILE *f = fopen(path, "re");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(cg, 1, size - 1, f);
    cg[n] = '\0';
    fclose(f);
}

/* The sandbox ends by SIGKILL, its daemon dies too, no cgroup is left. */
static void reaped_all(nsbox_proc *p, nsbox *box, pid_t daemon)
{
    ck_assert_int_eq(nsbox_wait(p, 3000), 128 + SIGKILL);
    nsbox_proc_free(p);
    for (int ms = 0; ms < 3000 && kill(daemon, 0) == 0; ms += 10)
        usleep(10000);
    ck_assert_msg(kill(daemon, 0) < 0, "the hidden daemon %d lives on", (int)daemon);
    nsbox_free(box);
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
}

/* The sandbox's main process (no PID namespace) and a daemon hide in a
 * child cgroup whose write permission they took away: kill and wait
 * still end both, nothing is left. */
static void hide_case(int i, bool guard)
{
    nsbox *box = attack_box(i, guard);
    char line[256], cg[2048] = "";
    nsbox_proc *p = attack_spawn(box, "hide", line, sizeof(line));
    pid_t daemon = (pid_t)atoi(line);
    ck_assert_msg(daemon > 0, "hide: %s", line);
    daemon_cgroup(daemon, cg, sizeof(cg));
    ck_assert_msg(strstr(cg, "/hide\n"), "the daemon did not hide: %s", cg);
    ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
    reaped_all(p, box, daemon);
}

START_TEST(test_hide_child)
{
    hide_case(_i, true);
}
END_TEST

/* The control: the processes in the limited cgroup itself, the attack
 * moves them below it just the same, and the subtree kill still works. */
START_TEST(test_hide_child_control)
{
    hide_case(_i, false);
}
END_TEST

/* The sandbox's main process (no PID namespace) and a daemon hide DEEP
 * cgroups below the leaf (the old walks stopped at 64): nsbox_cgroup_pids
 * lists the daemon, and nsbox_kill (kill 1) or the cleanup at the reap
 * after the main process died alone (kill 0) end it; nothing is left. */
static void deep_case(int i, bool use_kill)
{
    nsbox *box = attack_box(i, true);
    char line[256], cg[8192] = "";
    nsbox_proc *p = attack_spawn(box, "deep", line, sizeof(line));
    pid_t daemon = (pid_t)atoi(line);
    ck_assert_msg(daemon > 0, "deep: %s", line);
    daemon_cgroup(daemon, cg, sizeof(cg));
    /* The control: the daemon sits deeper than the old bound. */
    int depth = 0;
    for (const char *c = strstr(cg, "/sandbox/d/"); c && (c = strstr(c, "/d")); c += 2)
        depth++;
    ck_assert_msg(depth >= DEEP, "the daemon is %d deep: %s", depth, cg);
    pid_t pids[64];
    int np = nsbox_cgroup_pids(box, nsbox_proc_cgroup(p), pids, 64);
    ck_assert_msg(np >= 2 && np <= 64, "pids: %d %s", np, nsbox_errmsg(box));
    bool listed = false;
    for (int k = 0; k < np; k++)
        listed |= pids[k] == daemon;
    ck_assert_msg(listed, "nsbox_cgroup_pids misses the deep daemon %d", (int)daemon);
    if (use_kill)
        ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
    else
        ck_assert_int_eq(kill(nsbox_proc_pid(p), SIGKILL), 0);
    reaped_all(p, box, daemon);
}

START_TEST(test_hide_deep_kill)
{
    deep_case(_i, true);
}
END_TEST

START_TEST(test_hide_deep_reap)
{
    deep_case(_i, false);
}
END_TEST

START_TEST(test_leave)
{
    nsbox *box = attack_box(_i, true);
    char line[256];
    nsbox_proc *p = attack_spawn(box, "leave", line, sizeof(line));
    ck_assert_msg(strcmp(line, "leave:EROFS") == 0, "leave: %s", line);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

START_TEST(test_leave_control)
{
    nsbox *box = attack_box(_i, false);
    char line[256];
    nsbox_proc *p = attack_spawn(box, "leave", line, sizeof(line));
    ck_assert_msg(strcmp(line, "leave:ok") == 0, "control leave: %s", line);
    /* It left: the kill at free cannot reach it. */
    pid_t pid = nsbox_proc_pid(p);
    kill(pid, SIGKILL);
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

/* cap_sys_admin could remount the cgroup file system writable: refused. */
START_TEST(test_sys_admin_refused)
{
    nsbox *box = attack_box(_i == 1, true);
    ck_assert_int_eq(nsbox_add_cap(box, "cap_sys_admin"), 0);
    char *argv[] = {"/bin/true", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), -EPERM);
    ck_assert_msg(strstr(nsbox_errmsg(box), "cap_sys_admin"), "%s", nsbox_errmsg(box));
    nsbox_free(box);
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
}
END_TEST

/* NSBOX_CGROUP_ADVISORY: the same recipe is spawned, and its limits are
 * advisory indeed: the command makes the cgroup mounts writable and lifts
 * them (test_sys_admin_refused is the control, without the flag). */
START_TEST(test_sys_admin_advisory)
{
    nsbox *box = attack_box(_i == 1, true);
    ck_assert_int_eq(nsbox_add_cap(box, "cap_sys_admin"), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_CGROUP_ADVISORY), 0);
    char line[256];
    nsbox_proc *p = attack_spawn(box, "remount", line, sizeof(line));
    ck_assert_str_eq(line, "memory:ok pids:ok");
    limits_check(p, false, "remount");
    nsbox_proc_free(p);
    nsbox_free(box);
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
}
END_TEST

/* NSBOX_DISABLE_USERNS: no user namespace, even with every capability
 * kept; without it (the control) the same attempt works. */
START_TEST(test_disable_userns)
{
    t_as(_i);
    for (int on = 0; on < 2; on++) {
        nsbox *box = nsbox_new();
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_MOUNT), 0);
        ck_assert_int_eq(nsbox_add_cap(box, "ALL"), 0);
        ck_assert_int_eq(nsbox_set_flags(box, on ? NSBOX_DISABLE_USERNS : 0), 0);
        char line[256];
        nsbox_proc *p = attack_spawn(box, "userns", line, sizeof(line));
        ck_assert_str_eq(line, on ? "userns:ENOSPC" : "userns:ok");
        nsbox_proc_free(p);
        nsbox_free(box);
    }
}
END_TEST

/* The nested-namespace attack fails at its first step under the flag. */
START_TEST(test_disable_userns_nested)
{
    nsbox *box = attack_box(_i, true);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_DISABLE_USERNS), 0);
    char line[256];
    nsbox_proc *p = attack_spawn(box, "nested", line, sizeof(line));
    ck_assert_str_eq(line, "nest:ENOSPC");
    limits_check(p, true, "nested");
    nsbox_proc_free(p);
    nsbox_free(box);
}
END_TEST

START_TEST(test_assert_userns)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    char *argv[] = {"/bin/true", NULL};
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_ASSERT_USERNS_DISABLED), 0);
    ck_assert_int_eq(nsbox_run(box, argv), -EEXIST);
    ck_assert_msg(strstr(nsbox_errmsg(box), "not disabled as requested"), "%s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_ASSERT_USERNS_DISABLED | NSBOX_DISABLE_USERNS), 0);
    ck_assert_msg(nsbox_run(box, argv) == 0, "%s", nsbox_errmsg(box));
    nsbox_free(box);
    if (_i == 0) {
        /* Root without a user namespace: nothing to seal. */
        box = nsbox_new();
        ck_assert_int_eq(nsbox_set_flags(box, NSBOX_DISABLE_USERNS), 0);
        ck_assert_int_eq(nsbox_run(box, argv), -EINVAL);
        ck_assert_msg(strstr(nsbox_errmsg(box), "needs a new user namespace"), "%s",
                      nsbox_errmsg(box));
        nsbox_free(box);
    }
    ck_assert_int_eq(t_count_children(), 0);
}
END_TEST

int main(int argc, char **argv)
{
    run_attacker(argc, argv);
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
    if (n <= 0)
        return 99;
    self_exe[n] = '\0';
    if (geteuid() != 0) {
        printf("SKIP: the cgroup attack suite runs as root (it attacks as root and nobody)\n");
        return 77;
    }
    Suite *s = suite_create("cgroup-attack");
    TCase *tc = tcase_create("attacks");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_raise_nested, 0, 3);
    tcase_add_loop_test(tc, test_raise_nested_control, 0, 2);
    tcase_add_loop_test(tc, test_raise_host, 0, 3);
    tcase_add_loop_test(tc, test_raise_host_control, 0, 3);
    tcase_add_loop_test(tc, test_hide_child, 0, 3);
    tcase_add_loop_test(tc, test_hide_child_control, 0, 2);
    tcase_add_loop_test(tc, test_leave, 0, 3);
    tcase_add_loop_test(tc, test_leave_control, 0, 2);
    tcase_add_loop_test(tc, test_sys_admin_refused, 0, 2);
    tcase_add_loop_test(tc, test_sys_admin_advisory, 0, 2);
    tcase_add_loop_test(tc, test_disable_userns, 0, 2);
    tcase_add_loop_test(tc, test_disable_userns_nested, 0, 2);
    tcase_add_loop_test(tc, test_assert_userns, 0, 2);
    suite_add_tcase(s, tc);
    /* Deeper than any fixed bound: a case of its own (CK_RUN_CASE=deep). */
    TCase *deep = tcase_create("deep");
    tcase_set_timeout(deep, 120);
    tcase_add_loop_test(deep, test_hide_deep_kill, 0, 3);
    tcase_add_loop_test(deep, test_hide_deep_reap, 0, 3);
    suite_add_tcase(s, deep);
    int r = t_run_suite(s);
    cg_test_dirs_remove();
    return r;
}
