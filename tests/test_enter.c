/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_enter(): the recipe applied to the calling process. It changes the
 * process for good, so each case enters in a forked child of the test
 * process, which reports what it sees from inside, as "key=value" lines,
 * on a pipe it passes to itself (every other fd is closed by the call).
 * Each case runs as root and again as nobody. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "cgtestlib.h"
#include "privtest.h"

static const char *const kinds[] = {"user", "mnt", "uts", "ipc", "net", "pid", "cgroup", "time"};
#define N_KINDS 8

typedef void (*probe_fn)(int out, void *arg);

static void say(int out, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    ck_assert_int_eq(write(out, buf, (size_t)n), n);
}

/* The file's first size-1 bytes, "" if it cannot be read. */
static void slurp(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fd);
}

/* "ns_user=4026531837 ns_mnt=... " */
static void say_ns(int out, const char *prefix)
{
    for (int i = 0; i < N_KINDS; i++)
        say(out, "%s%s=%lu\n", prefix, kinds[i], t_ns_inode(kinds[i]));
}

/* The capability sets, no_new_privs and seccomp from /proc/self/status. */
static void say_status(int out)
{
    char buf[4096];
    slurp("/proc/self/status", buf, sizeof(buf));
    static const char *const keys[] = {"CapInh", "CapPrm",     "CapEff", "CapBnd",
                                       "CapAmb", "NoNewPrivs", "Seccomp"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *at = strstr(buf, keys[i]);
        ck_assert_ptr_nonnull(at);
        say(out, "%s=%s\n", keys[i], at + strlen(keys[i]) + 2);
        /* (the value runs to the end of its line) */
    }
}

/* The whole process as far as a failed call could change it. */
static void say_all(int out, const char *prefix)
{
    char buf[16384], path[4096];
    say_ns(out, prefix);
    slurp("/proc/self/status", buf, sizeof(buf));
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) ||
            !strncmp(line, "Seccomp:", 8) || !strncmp(line, "Uid", 3) || !strncmp(line, "Gid", 3))
            say(out, "%s%s\n", prefix, line);
    ck_assert_ptr_nonnull(getcwd(path, sizeof(path)));
    say(out, "%scwd=%s\n", prefix, path);
    slurp("/proc/self/cgroup", buf, sizeof(buf));
    for (char *c = buf; *c; c++)
        *c = *c == '\n' ? ' ' : *c;
    say(out, "%scgpath=%s\n", prefix, buf);
    slurp("/proc/self/mountinfo", buf, sizeof(buf));
    unsigned long sum = 0;
    for (char *c = buf; *c; c++)
        sum = sum * 31 + (unsigned char)*c;
    say(out, "%smounts=%lu\n", prefix, sum);
    say(out, "%sfds=%d\n", prefix, t_count_fds());
    say(out, "%schildren=%d\n", prefix, t_count_children());
    struct utsname u;
    uname(&u);
    say(out, "%shost=%s\n", prefix, u.nodename);
}

/* Forks; the child runs before(), nsbox_enter(box), then after() (also
 * after a failure) and exits 0 (after's exit code if it exits itself). What they
 * say is in out; the line "enter=R MSG" holds the call's result. Returns
 * the child's status in shell form. */
static int enter_child(nsbox *box, probe_fn before, probe_fn after, void *arg, char *out,
                       size_t size)
{
    int pfd[2];
    ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(pfd[0]);
        int w = pfd[1];
        nsbox_pass_fd(box, w, w);
        if (before)
            before(w, arg);
        int r = nsbox_enter(box);
        say(w, "enter=%d %s\n", r, nsbox_errmsg(box));
        if (after)
            after(w, arg);
        _exit(0);
    }
    close(pfd[1]);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(pfd[0], out + len, size - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(pfd[0]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The value of key in the child's report ("" if missing), copied. */
static const char *val(const char *out, const char *key)
{
    static char buf[8][4096];
    static int slot;
    char *v = buf[slot++ % 8];
    v[0] = '\0';
    size_t klen = strlen(key);
    for (const char *line = out; line && *line; line = strchr(line, '\n'), line += !!line)
        if (!strncmp(line, key, klen) && line[klen] == '=') {
            size_t len = strcspn(line + klen + 1, "\n");
            memcpy(v, line + klen + 1, len < 4095 ? len : 4095);
            v[len < 4095 ? len : 4095] = '\0';
            break;
        }
    return v;
}

static int enter_result(const char *out)
{
    return atoi(val(out, "enter"));
}

static void probe_ns(int out, void *arg)
{
    (void)arg;
    say_ns(out, "after_");
    char buf[4096];
    slurp("/proc/self/uid_map", buf, sizeof(buf));
    say(out, "uid_map=%s", buf);
    slurp("/proc/self/gid_map", buf, sizeof(buf));
    say(out, "gid_map=%s", buf);
    slurp("/proc/self/setgroups", buf, sizeof(buf));
    say(out, "setgroups=%s", buf);
    struct utsname u;
    uname(&u);
    say(out, "host=%s\nuid=%d\ngid=%d\n", u.nodename, (int)getuid(), (int)getgid());
    say_status(out);
    struct statfs fs;
    say(out, "mnt_tmpfs=%d\n", statfs("/mnt", &fs) == 0 && fs.f_type == TMPFS_MAGIC);
}

static void probe_before_ns(int out, void *arg)
{
    (void)arg;
    say_ns(out, "before_");
}

/* New namespaces through unshare, maps written from outside, and the
 * ids and capabilities of a spawned command. */
START_TEST(test_enter_namespaces)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_MOUNT | NSBOX_NS_UTS | NSBOX_NS_IPC |
                                                  NSBOX_NS_NET | NSBOX_NS_CGROUP),
                     0);
    ck_assert_int_eq(nsbox_set_hostname(box, "entered"), 0);
    /* A mount seen inside only. */
    struct statfs fs;
    ck_assert_int_eq(statfs("/mnt", &fs), 0);
    ck_assert_int_ne(fs.f_type, TMPFS_MAGIC);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/mnt", 0, 0), 0);
    char out[16384];
    ck_assert_int_eq(enter_child(box, probe_before_ns, probe_ns, NULL, out, sizeof(out)), 0);
    ck_assert_msg(enter_result(out) == 0, "%s", out);
    ck_assert_str_eq(val(out, "mnt_tmpfs"), "1");
    ck_assert_int_eq(statfs("/mnt", &fs), 0);
    ck_assert_int_ne(fs.f_type, TMPFS_MAGIC);
    for (int i = 0; i < N_KINDS; i++) {
        char b[32], a[32];
        snprintf(b, sizeof(b), "before_%s", kinds[i]);
        snprintf(a, sizeof(a), "after_%s", kinds[i]);
        bool fresh = i < 5 || !strcmp(kinds[i], "cgroup");
        ck_assert_msg(fresh == !!strcmp(val(out, b), val(out, a)), "%s: %s -> %s", kinds[i],
                      val(out, b), val(out, a));
    }
    ck_assert_str_eq(val(out, "host"), "entered");
    if (_i == 0) {
        ck_assert_msg(strstr(out, "uid_map=         0          0          1"), "%s", out);
        ck_assert_msg(strstr(out, "      1000       1000          1"), "%s", out);
        ck_assert_str_eq(val(out, "setgroups"), "allow");
        ck_assert_str_eq(val(out, "uid"), "0");
    } else {
        ck_assert_msg(strstr(out, "uid_map=     65534      65534          1"), "%s", out);
        ck_assert_str_eq(val(out, "setgroups"), "deny");
        ck_assert_str_eq(val(out, "uid"), "65534");
    }
    ck_assert_str_eq(val(out, "CapEff"), "0000000000000000");
    ck_assert_str_eq(val(out, "CapPrm"), "0000000000000000");
    ck_assert_str_eq(val(out, "CapInh"), "0000000000000000");
    ck_assert_str_eq(val(out, "CapAmb"), "0000000000000000");
    ck_assert_str_eq(val(out, "CapBnd"), "0000000000000000");
    ck_assert_str_eq(val(out, "NoNewPrivs"), "1");
    nsbox_free(box);
}
END_TEST

/* A uid map beyond the caller's own id: root writes it, nobody's goes
 * through newuidmap, with a range this case adds to /etc/subuid and
 * /etc/subgid (a line of its own: other suites add and remove theirs). */
static const char sub_line[] = "nobody:400000:2000\n";
static const char *const sub_files[2] = {"/etc/subuid", "/etc/subgid"};

static void sub_edit(bool add)
{
    for (int k = 0; k < 2; k++) {
        char buf[65536] = "";
        int fd = open(sub_files[k], O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;
        if (fd >= 0)
            close(fd);
        buf[n > 0 ? n : 0] = '\0';
        char *at = strstr(buf, sub_line);
        if (add == !!at)
            continue;
        if (at)
            memmove(at, at + strlen(sub_line), strlen(at + strlen(sub_line)) + 1);
        else
            snprintf(buf, sizeof(buf), "%s", sub_line); /* appended below */
        fd = open(sub_files[k],
                  add ? O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC : O_WRONLY | O_TRUNC | O_CLOEXEC,
                  0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, buf, strlen(buf)), (ssize_t)strlen(buf));
        close(fd);
    }
}

static nsbox *subid_box(int i)
{
    nsbox *box = nsbox_new();
    uint32_t own = i == 0 ? 0 : NOBODY, sub = i == 0 ? 200000 : 400000;
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, own, 1), 0);
    ck_assert_int_eq(nsbox_add_uid_map(box, 1, sub, 1000), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, 0, own, 1), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, 1, sub, 1000), 0);
    ck_assert_int_eq(nsbox_set_user(box, 5, 5), 0);
    return box;
}

START_TEST(test_enter_subid_map)
{
    if (access("/usr/bin/newuidmap", X_OK) != 0 || access("/usr/bin/newgidmap", X_OK) != 0) {
        printf("skip: nobody's range needs newuidmap and newgidmap (package uidmap)\n");
        return;
    }
    if (_i == 1)
        sub_edit(true);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        t_as(_i);
        nsbox *box = subid_box(_i);
        char out[16384];
        enter_child(box, NULL, probe_ns, NULL, out, sizeof(out));
        ck_assert_msg(enter_result(out) == 0, "%s", out);
        ck_assert_msg(strstr(out, "         1     ") && strstr(out, "       1000\n"), "%s", out);
        ck_assert_str_eq(val(out, "uid"), "5");
        ck_assert_str_eq(val(out, "gid"), "5");
        nsbox_free(box);
        _exit(0);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    if (_i == 1)
        sub_edit(false);
    ck_assert_int_eq(st, 0);
}
END_TEST

static void probe_join(int out, void *arg)
{
    probe_ns(out, NULL);
    /* Every free number up to 63 is taken again, the recipe's old ones too. */
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    bool taken[64] = {false};
    for (int fd = 3; fd < 64; fd++)
        if (fcntl(fd, F_GETFD) < 0 && dup2(null, fd) == fd)
            taken[fd] = true;
    nsbox_free(arg);
    const char *state = "open";
    for (int fd = 3; fd < 64; fd++)
        if (taken[fd] && fcntl(fd, F_GETFD) < 0)
            state = "closed by nsbox_free";
    say(out, "reused_fd=%s\n", state);
}

/* Joins through setns: the network namespace (root: with the user
 * namespace too; nobody: both, through a pidfd) of a running sandbox. */
START_TEST(test_enter_join)
{
    t_as(_i);
    nsbox *sb = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(sb, NSBOX_NS_NET), 0);
    char *argv[] = {"/bin/sleep", "60", NULL};
    nsbox_proc *proc;
    ck_assert_int_eq(nsbox_spawn(sb, argv, &proc), 0);
    char path[64];
    struct stat net, user;
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)nsbox_proc_pid(proc));
    ck_assert_int_eq(stat(path, &net), 0);
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)nsbox_proc_pid(proc));
    ck_assert_int_eq(stat(path, &user), 0);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(
        nsbox_join_namespace(box, NSBOX_NS_USER | NSBOX_NS_NET, nsbox_proc_pidfd(proc)), 0);
    char out[16384];
    enter_child(box, NULL, probe_join, box, out, sizeof(out));
    ck_assert_msg(enter_result(out) == 0, "%s", out);
    /* The recipe's dup of the pidfd was closed by the call: nsbox_free
     * afterwards leaves the number, reused by the process, alone. */
    ck_assert_str_eq(val(out, "reused_fd"), "open");
    ck_assert_uint_eq(strtoul(val(out, "after_net"), NULL, 10), net.st_ino);
    ck_assert_uint_eq(strtoul(val(out, "after_user"), NULL, 10), user.st_ino);
    ck_assert_str_eq(val(out, "uid"), _i == 0 ? "0" : "65534");
    ck_assert_str_eq(val(out, "CapEff"), "0000000000000000");
    nsbox_proc_free(proc);
    nsbox_free(box);
    nsbox_free(sb);
}
END_TEST

/* ------------------------------------------------ failures before the point */

static void probe_before_all(int out, void *arg)
{
    (void)arg;
    say_all(out, "before_");
}

static void probe_after_fail(int out, void *arg)
{
    (void)arg;
    say_all(out, "after_");
}

/* Runs a recipe that must fail before the point of no return, in a child
 * that says everything before and after the call; asserts the errno, a
 * part of the message, and that nothing changed. */
static void assert_unchanged_failure(nsbox *box, int err, const char *msg_part)
{
    static char out[65536];
    ck_assert_int_eq(enter_child(box, probe_before_all, probe_after_fail, NULL, out, sizeof(out)),
                     0);
    ck_assert_msg(enter_result(out) == -err, "want %d: %s", -err, out);
    ck_assert_msg(strstr(val(out, "enter"), msg_part), "message: %s", val(out, "enter"));
    ck_assert_msg(!strstr(val(out, "enter"), "partly sandboxed"), "%s", val(out, "enter"));
    /* Every "before_X" line has its twin "after_X" with the same value. */
    int lines = 0;
    for (char *line = strstr(out, "before_"); line; line = strstr(line + 1, "\nbefore_")) {
        line += *line == '\n';
        char key[256];
        size_t k = strcspn(line + 7, "=:\n");
        snprintf(key, sizeof(key), "\nafter_%.*s%c", (int)k, line + 7, line[7 + k]);
        char *twin = strstr(out, key);
        ck_assert_msg(twin, "no %s in %s", key, out);
        twin++;
        size_t l1 = strcspn(line + 7, "\n"), l2 = strcspn(twin + 6, "\n");
        ck_assert_msg(l1 == l2 && !strncmp(line + 7, twin + 6, l1), "changed: %.*s -> %.*s",
                      (int)l1, line + 7, (int)l2, twin + 6);
        lines++;
    }
    ck_assert_int_ge(lines, N_KINDS + 10);
}

START_TEST(test_enter_fail_unchanged)
{
    t_as(_i);
    ck_assert_int_eq(nsbox_enter(NULL), -EINVAL);
    /* A bind source that does not exist, behind every other step. */
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_set_hostname(box, "never"), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/mnt", 0, 0), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/no/such/source", "/mnt/x", 0), 0);
    assert_unchanged_failure(box, ENOENT, "bind mount /no/such/source -> /mnt/x");
    nsbox_free(box);
    /* A PID namespace without NSBOX_ENTER_FORK. */
    box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    assert_unchanged_failure(box, EINVAL, "NSBOX_ENTER_FORK");
    nsbox_free(box);
    /* A hard rlimit above the current one, in a new user namespace. */
    box = p_box(_i, false);
    struct rlimit cur;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &cur), 0);
    ck_assert_int_eq(nsbox_set_rlimit(box, RLIMIT_NOFILE, 64, cur.rlim_max + 1), 0);
    assert_unchanged_failure(box, EPERM, "raising the hard limit");
    nsbox_free(box);
    /* A stdio fd closed since it was set. */
    box = p_box(_i, false);
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, fd, -1), 0);
    close(fd);
    assert_unchanged_failure(box, EBADF, "");
    nsbox_free(box);
    /* A map newuidmap refuses (nobody has no range): found before the
     * point of no return, since the maps are written from outside. */
    if (_i == 1) {
        box = subid_box(_i);
        assert_unchanged_failure(box, EPERM, "newuidmap");
        nsbox_free(box);
    }
    /* A seccomp program the kernel refuses (an unknown opcode): the
     * kernel checks it only at install, the last step, so the call tries
     * it in a throw-away fork first. */
    box = p_box(_i, false);
    struct sock_filter bad[1] = {{0xffff, 0, 0, 0}};
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, bad, sizeof(bad)), 0);
    assert_unchanged_failure(box, EINVAL, "the kernel refuses the seccomp filter");
    nsbox_free(box);
    /* Lock files belong to spawned sandboxes. */
    box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_lock_file(box, "/etc/hostname"), 0);
    assert_unchanged_failure(box, EINVAL, "lock files");
    nsbox_free(box);
}
END_TEST

/* With a cgroup: the failure removes the cgroup it made. */
START_TEST(test_enter_fail_cgroup)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "50"), 0);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/no/such/source", "/mnt", 0), 0);
    assert_unchanged_failure(box, ENOENT, "bind mount /no/such/source");
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    nsbox_free(box);
    cg_test_dirs_remove();
}
END_TEST

/* ------------------------------------------------ after the point of no return */

START_TEST(test_enter_fail_partly)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_UTS), 0);
    ck_assert_int_eq(nsbox_set_cwd(box, "/no/such/dir"), 0);
    char out[16384];
    enter_child(box, NULL, NULL, NULL, out, sizeof(out));
    ck_assert_msg(enter_result(out) == -ENOENT, "%s", out);
    ck_assert_msg(strstr(out, "chdir /no/such/dir") && strstr(out, "partly sandboxed"), "%s", out);
    nsbox_free(box);
}
END_TEST

/* ------------------------------------------------------------------ threads */

static void *sleeper(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

static void probe_threaded(int out, void *arg)
{
    pthread_t *t = arg;
    ck_assert_int_eq(pthread_create(t, NULL, sleeper, NULL), 0);
    say_all(out, "before_");
}

START_TEST(test_enter_threads)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_UTS), 0);
    char out[65536];
    pthread_t t;
    enter_child(box, probe_threaded, NULL, &t, out, sizeof(out));
    ck_assert_msg(enter_result(out) == -EINVAL, "%s", out);
    ck_assert_msg(strstr(out, "has 2 threads (other tids: "), "%s", out);
    ck_assert_msg(strstr(out, "new user namespace to a multi-threaded process"), "%s", out);
    /* The control: the same recipe single-threaded. */
    enter_child(box, NULL, NULL, NULL, out, sizeof(out));
    ck_assert_msg(enter_result(out) == 0, "%s", out);
    nsbox_free(box);
}
END_TEST

/* ------------------------------------------------------- the security model */

struct host_refs {
    int dirfd;    /* a host directory, O_PATH, not close-on-exec */
    char dir[64]; /* a host directory holding "secret" */
    bool pass;    /* the control: pass dirfd through the recipe */
};

static void probe_host_before(int out, void *arg)
{
    struct host_refs *h = arg;
    (void)out;
    h->dirfd = open(h->dir, O_PATH | O_DIRECTORY);
    ck_assert_int_ge(h->dirfd, 0);
    ck_assert_int_eq(chdir(h->dir), 0);
}

/* From inside: the secret through the inherited fd, the cwd, the path. */
static void probe_host_after(int out, void *arg)
{
    struct host_refs *h = arg;
    char path[4096] = "";
    int fd = openat(h->dirfd, "secret", O_RDONLY);
    say(out, "via_fd=%s\n", fd >= 0 ? "ok" : strerror(errno));
    fd = openat(AT_FDCWD, "secret", O_RDONLY);
    say(out, "via_cwd=%s\n", fd >= 0 ? "ok" : strerror(errno));
    char full[128];
    snprintf(full, sizeof(full), "%s/secret", h->dir);
    fd = open(full, O_RDONLY);
    say(out, "via_path=%s\n", fd >= 0 ? "ok" : strerror(errno));
    say(out, "cwd=%s\n", getcwd(path, sizeof(path)) ? path : strerror(errno));
    /* No capability comes back: not by capset, ambient or a new user
     * namespace's bounding set within this one's. */
    struct __user_cap_header_struct hd = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{0}};
    d[0].effective = d[0].permitted = CAP_TO_MASK(CAP_SYS_ADMIN);
    say(out, "capset=%s\n", syscall(SYS_capset, &hd, d) == 0 ? "ok" : strerror(errno));
    say(out, "ambient=%s\n",
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) == 0 ? "ok"
                                                                              : strerror(errno));
    say(out, "setuid0=%s\n", setuid(0) == 0 && getuid() != 0 ? "odd" : "done");
}

/* A new root of its own (tmpfs, /usr, /proc) as the sandbox's view. */
static nsbox *root_box(int i)
{
    nsbox *box = p_box(i, true);
    ck_assert_int_eq(nsbox_set_root(box, NULL), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    return box;
}

/* The attack: before the call the process opens a host directory and moves
 * its cwd there; after it, it looks for the file in it through the fd, the
 * cwd, the path and /proc/self/cwd, and tries to get capabilities back.
 * The control passes the fd on purpose and keeps the caller's root: the
 * same attempts then reach the file, so each check can fail. */
START_TEST(test_enter_host_refs)
{
    struct host_refs h = {.dirfd = -1};
    snprintf(h.dir, sizeof(h.dir), "/tmp/nsbox-enter-%d", (int)getpid());
    ck_assert_int_eq(mkdir(h.dir, 0755), 0);
    char secret[128];
    snprintf(secret, sizeof(secret), "%s/secret", h.dir);
    int fd = open(secret, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ck_assert_int_ge(fd, 0);
    close(fd);
    for (int control = 0; control < 2; control++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid != 0) {
            int st;
            ck_assert_int_eq(waitpid(pid, &st, 0), pid);
            ck_assert_int_eq(st, 0);
            continue;
        }
        t_as(_i);
        char out[16384];
        nsbox *box = control ? p_box(_i, true) : root_box(_i);
        probe_host_before(-1, &h);
        if (control)
            ck_assert_int_eq(nsbox_pass_fd(box, h.dirfd, h.dirfd), 0);
        enter_child(box, NULL, probe_host_after, &h, out, sizeof(out));
        ck_assert_msg(enter_result(out) == 0, "%s", out);
        const char *gone = control ? "ok" : strerror(ENOENT);
        ck_assert_msg(!strcmp(val(out, "via_fd"), control ? "ok" : strerror(EBADF)), "%s", out);
        ck_assert_msg(!strcmp(val(out, "via_cwd"), gone), "%s", out);
        ck_assert_msg(!strcmp(val(out, "via_path"), gone), "%s", out);
        ck_assert_str_eq(val(out, "cwd"), control ? h.dir : "/");
        ck_assert_str_eq(val(out, "capset"), strerror(EPERM));
        ck_assert_str_eq(val(out, "ambient"), strerror(EPERM));
        ck_assert_str_eq(val(out, "setuid0"), "done");
        nsbox_free(box);
        _exit(0);
    }
    unlink(secret);
    rmdir(h.dir);
}
END_TEST

/* ------------------------------------------------------------------ seccomp */

static void probe_seccomp(int out, void *arg)
{
    (void)arg;
    say_status(out);
    long r = syscall(SYS_getppid);
    say(out, "getppid=%s\n", r < 0 ? strerror(errno) : "ok");
}

START_TEST(test_enter_seccomp)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    struct sock_filter prog[P_DENY_INSNS];
    size_t len = p_deny(SYS_getppid, EACCES, prog);
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, prog, len), 0);
    char out[16384];
    enter_child(box, NULL, probe_seccomp, NULL, out, sizeof(out));
    ck_assert_msg(enter_result(out) == 0, "%s", out);
    ck_assert_str_eq(val(out, "Seccomp"), "2");
    ck_assert_str_eq(val(out, "getppid"), strerror(EACCES));
    /* The control: no filter, getppid works. */
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, NULL, 0), 0);
    enter_child(box, NULL, probe_seccomp, NULL, out, sizeof(out));
    ck_assert_str_eq(val(out, "Seccomp"), "0");
    ck_assert_str_eq(val(out, "getppid"), "ok");
    nsbox_free(box);
}
END_TEST

/* ------------------------------------------------------------------- cgroup */

static void probe_cgroup(int out, void *arg)
{
    (void)arg;
    char buf[4096];
    slurp("/proc/self/cgroup", buf, sizeof(buf));
    for (char *c = buf; *c; c++)
        *c = *c == '\n' ? ' ' : *c;
    say(out, "cgroup=%s\npid=%d\n", buf, (int)getpid());
    /* Many children: pids.max stops them. */
    pid_t kids[40];
    int made = 0;
    for (int i = 0; i < 40; i++) {
        pid_t c = fork();
        if (c == 0) {
            pause();
            _exit(0);
        }
        if (c < 0)
            break;
        kids[made++] = c;
    }
    say(out, "forks=%d\n", made);
    for (int i = 0; i < made; i++) {
        kill(kids[i], SIGKILL);
        waitpid(kids[i], NULL, 0);
    }
}

START_TEST(test_enter_cgroup)
{
    nsbox *box = cg_box(_i);
    ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "10"), 0);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_CGROUP), 0);
    char out[16384];
    enter_child(box, NULL, probe_cgroup, NULL, out, sizeof(out));
    ck_assert_msg(enter_result(out) == 0, "%s", out);
    /* In its own cgroup namespace, rooted at the sandbox's leaf. */
    ck_assert_msg(strstr(val(out, "cgroup"), ":/ "), "%s", out);
    int forks = atoi(val(out, "forks"));
    ck_assert_msg(forks >= 1 && forks < 10, "pids.max 10 let %d forks through", forks);
    /* The cgroup stays after the process; the next spawn under the same
     * parent removes it. */
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "nsbox-%s-", val(out, "pid"));
    ck_assert_int_ge(count_cgroups_named(prefix), 1);
    char *argv[] = {"/bin/true", NULL};
    ck_assert_int_eq(nsbox_run(box, argv), 0);
    ck_assert_int_eq(count_cgroups_named(prefix), 0);
    nsbox_free(box);
    cg_test_dirs_remove();
}
END_TEST

/* The cgroup guard of spawn.c holds for an entered process: in a new
 * mount namespace every cgroup mount is read-only, so the process can
 * neither raise its limit nor leave its cgroup. The control, without a
 * mount namespace, shows that the same writes work there. */
static char cg_prefix[32], cg_found[1024];

static int cg_find(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    char probe[1200];
    snprintf(probe, sizeof(probe), "%s/pids.max", path);
    if (type == FTW_D && !strncmp(path + ftw->base, cg_prefix, strlen(cg_prefix)) &&
        access(probe, F_OK) == 0) {
        snprintf(cg_found, sizeof(cg_found), "%s", path);
        return 1;
    }
    return 0;
}

static const char *try_write(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return strerror(errno);
    ssize_t n = write(fd, value, strlen(value));
    int err = errno;
    close(fd);
    return n == (ssize_t)strlen(value) ? "ok" : strerror(err);
}

static void probe_cg_attack(int out, void *arg)
{
    (void)arg;
    snprintf(cg_prefix, sizeof(cg_prefix), "nsbox-%d-", (int)getpid());
    cg_found[0] = '\0';
    nftw("/sys/fs/cgroup", cg_find, 16, FTW_PHYS);
    say(out, "found=%s\n", cg_found);
    char path[1200];
    snprintf(path, sizeof(path), "%s/pids.max", cg_found);
    say(out, "raise=%s\n", try_write(path, "max"));
    *strrchr(cg_found, '/') = '\0';
    snprintf(path, sizeof(path), "%s/cgroup.procs", cg_found);
    if (access(path, F_OK) != 0)
        snprintf(path, sizeof(path), "%s/tasks", cg_found);
    say(out, "leave=%s\n", try_write(path, "0"));
}

START_TEST(test_enter_cgroup_guard)
{
    for (int control = 0; control < 2; control++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            nsbox *box = cg_box(_i);
            ck_assert_int_eq(nsbox_set_cgroup_limit(box, "pids.max", "20"), 0);
            if (!control)
                ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_MOUNT), 0);
            char out[16384];
            enter_child(box, NULL, probe_cg_attack, NULL, out, sizeof(out));
            ck_assert_msg(enter_result(out) == 0, "%s", out);
            ck_assert_msg(*val(out, "found"), "%s", out);
            const char *want = control ? "ok" : strerror(EROFS);
            ck_assert_msg(!strcmp(val(out, "raise"), want), "%s: %s", want, out);
            /* v2 refuses the control's move into a cgroup with children
             * of its own (EBUSY, no internal processes): not the guard. */
            if (control)
                ck_assert_msg(strcmp(val(out, "leave"), strerror(EROFS)), "%s", out);
            else
                ck_assert_msg(!strcmp(val(out, "leave"), want), "%s: %s", want, out);
            /* The next spawn removes the dead process's cgroup. */
            char *argv[] = {"/bin/true", NULL};
            ck_assert_int_eq(nsbox_run(box, argv), 0);
            nsbox_free(box);
            _exit(0);
        }
        int st;
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert_int_eq(st, 0);
        cg_test_dirs_remove();
    }
}
END_TEST

/* ---------------------------------------------------- PID namespace, forked */

static void probe_pid1(int out, void *arg)
{
    (void)arg;
    say(out, "pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
    int n = 0;
    DIR *d = opendir("/proc");
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] >= '1' && e->d_name[0] <= '9';
    if (d)
        closedir(d);
    say(out, "procs=%d\n", n);
    say_status(out);
    _exit(7);
}

START_TEST(test_enter_fork_pid1)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_ENTER_FORK), 0);
    char out[16384];
    int st = enter_child(box, NULL, probe_pid1, NULL, out, sizeof(out));
    ck_assert_msg(enter_result(out) == 0, "%s", out);
    ck_assert_str_eq(val(out, "pid"), "1");
    ck_assert_str_eq(val(out, "ppid"), "0");
    ck_assert_str_eq(val(out, "procs"), "1");
    ck_assert_str_eq(val(out, "CapEff"), "0000000000000000");
    /* The parent, the init helper, exits with the child's status. */
    ck_assert_int_eq(st, 7);
    nsbox_free(box);
}
END_TEST

/* The parent forwards SIGTERM to the sandbox's PID 1, which handles it
 * (PID 1 ignores signals it has no handler for) and exits 42: the status
 * the caller's own pid exits with. */
static void on_term(int sig)
{
    (void)sig;
    _exit(42);
}

START_TEST(test_enter_fork_signal)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    ck_assert_int_eq(nsbox_set_flags(box, NSBOX_ENTER_FORK), 0);
    int pfd[2];
    ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(pfd[0]);
        nsbox_pass_fd(box, pfd[1], pfd[1]);
        int r = nsbox_enter(box);
        signal(SIGTERM, on_term);
        say(pfd[1], "enter=%d pid=%d %s\n", r, (int)getpid(), nsbox_errmsg(box));
        for (;;)
            pause();
    }
    close(pfd[1]);
    char out[4096];
    ssize_t n = read(pfd[0], out, sizeof(out) - 1);
    ck_assert_int_gt(n, 0);
    out[n] = '\0';
    ck_assert_msg(!strncmp(out, "enter=0 pid=1 ", 14), "%s", out);
    /* the init helper: no_new_privs, CAP_KILL at most, our signal reaches it */
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 42, "status 0x%x", st);
    close(pfd[0]);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("enter");
    TCase *tc = tcase_create("enter");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_enter_namespaces, 0, 2);
    tcase_add_loop_test(tc, test_enter_subid_map, 0, 2);
    tcase_add_loop_test(tc, test_enter_join, 0, 2);
    tcase_add_loop_test(tc, test_enter_fail_unchanged, 0, 2);
    tcase_add_loop_test(tc, test_enter_fail_cgroup, 0, 2);
    tcase_add_loop_test(tc, test_enter_fail_partly, 0, 2);
    tcase_add_loop_test(tc, test_enter_threads, 0, 2);
    tcase_add_loop_test(tc, test_enter_host_refs, 0, 2);
    tcase_add_loop_test(tc, test_enter_seccomp, 0, 2);
    tcase_add_loop_test(tc, test_enter_cgroup, 0, 2);
    tcase_add_loop_test(tc, test_enter_cgroup_guard, 0, 2);
    tcase_add_loop_test(tc, test_enter_fork_pid1, 0, 2);
    tcase_add_loop_test(tc, test_enter_fork_signal, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
