/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filesystem view: each case looks from inside the sandbox, as root and as
 * nobody, and checks that the host's mount table is left as it was. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

/* ------------------------------------------------------------ helpers */

static char *mountinfo_read(void)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    ck_assert_ptr_nonnull(f);
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            ck_assert_ptr_nonnull(grown);
            buf = grown;
        }
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* What a spawn may leave behind: fds, children, host mounts. */
struct trace {
    int fds, children;
    char *mounts;
};

static void trace_begin(struct trace *t)
{
    t->fds = t_count_fds();
    t->children = t_count_children();
    t->mounts = mountinfo_read();
}

static void trace_end(struct trace *t)
{
    ck_assert_int_eq(t_count_fds(), t->fds);
    ck_assert_int_eq(t_count_children(), t->children);
    char *now = mountinfo_read();
    ck_assert_str_eq(now, t->mounts);
    free(now);
    free(t->mounts);
}

/* An empty tmpfs root with the host's /usr read-only and the usual links
 * (or read-only binds) for /bin, /lib... so that /bin/sh runs. */
static void base_root(nsbox *box)
{
    static const char *const tops[] = {"/bin", "/sbin", "/lib", "/lib64", "/lib32"};
    ck_assert_int_eq(nsbox_set_root(box, NULL), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY), 0);
    for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
        char target[256];
        ssize_t n = readlink(tops[i], target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = '\0';
            ck_assert_int_eq(nsbox_add_symlink(box, target, tops[i]), 0);
        } else if (access(tops[i], F_OK) == 0) {
            ck_assert_int_eq(nsbox_add_bind_mount(box, tops[i], tops[i], NSBOX_MOUNT_RDONLY), 0);
        }
    }
}

/* A fresh directory of the current user under /tmp. */
static char *tmpdir_new(void)
{
    char *d = strdup("/tmp/nsbox-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void tmpdir_remove(char *d)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
    ck_assert_int_eq(system(cmd), 0);
    free(d);
}

/* The mount options (field 6) and super options of the mount at path, from
 * a mountinfo text; "" if there is none. */
static void mount_opts(const char *info, const char *path, char *opts, char *super, size_t size)
{
    opts[0] = super[0] = '\0';
    char *copy = strdup(info), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char mp[256], o[256];
        if (sscanf(line, "%*s %*s %*s %*s %255s %255s", mp, o) != 2 || strcmp(mp, path) != 0)
            continue;
        snprintf(opts, size, "%s", o);
        const char *dash = strstr(line, " - ");
        char s[512] = "";
        if (dash)
            sscanf(dash + 3, "%*s %*s %511s", s);
        snprintf(super, size, "%s", s);
    }
    free(copy);
}

/* True when the comma-separated list holds exactly the option opt. */
static bool has_opt(const char *list, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *c = list; c && *c; c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL)
        if (strncmp(c, opt, n) == 0 && (c[n] == ',' || c[n] == '\0'))
            return true;
    return false;
}

/* ------------------------------------------------------------- cases */

START_TEST(test_mountinfo_options)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/t", 1 << 20, 0750), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr/bin", "/nx", NSBOX_MOUNT_NOEXEC), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/dev/null", "/devnull", NSBOX_MOUNT_DEV), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    char out[16384], opts[256], super[256];
    int r = t_sh(box, "cat /proc/self/mountinfo", out, sizeof(out));
    ck_assert_msg(r == 0, "%d %s", r, nsbox_errmsg(box));

    mount_opts(out, "/usr", opts, super, sizeof(opts));
    ck_assert_msg(has_opt(opts, "ro") && has_opt(opts, "nosuid") && has_opt(opts, "nodev"),
                  "/usr: %s", opts);
    mount_opts(out, "/t", opts, super, sizeof(opts));
    ck_assert_msg(has_opt(opts, "rw") && has_opt(opts, "nosuid") && has_opt(opts, "nodev"),
                  "/t: %s", opts);
    ck_assert_msg(has_opt(super, "size=1024k") && has_opt(super, "mode=750"), "/t: %s", super);
    mount_opts(out, "/nx", opts, super, sizeof(opts));
    ck_assert_msg(has_opt(opts, "rw") && has_opt(opts, "noexec") && has_opt(opts, "nodev"),
                  "/nx: %s", opts);
    mount_opts(out, "/devnull", opts, super, sizeof(opts));
    ck_assert_msg(has_opt(opts, "nosuid") && !has_opt(opts, "nodev"), "/devnull: %s", opts);
    mount_opts(out, "/proc", opts, super, sizeof(opts));
    ck_assert_msg(has_opt(opts, "noexec") && has_opt(opts, "nosuid"), "/proc: %s", opts);
    mount_opts(out, "/", opts, super, sizeof(opts));
    ck_assert_msg(has_opt(super, "mode=755"), "/: %s", super);
    nsbox_free(box);
}
END_TEST

/* A mount namespace of this test process (made before dropping to nobody)
 * with a tmpfs on /tmp holding "/tmp/d" and a tmpfs on "/tmp/d/sub", so
 * that a bind of /tmp/d has a sub-mount. All of it ends with the process. */
static const char *submount_make(void)
{
    ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
    ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    ck_assert_int_eq(mount("tmpfs", "/tmp", "tmpfs", 0, "mode=01777"), 0);
    ck_assert_int_eq(mkdir("/tmp/d", 0777), 0);
    ck_assert_int_eq(mkdir("/tmp/d/sub", 0777), 0);
    ck_assert_int_eq(mount("tmpfs", "/tmp/d/sub", "tmpfs", 0, "mode=0777"), 0);
    ck_assert_int_eq(chmod("/tmp/d", 0777), 0);
    return "/tmp/d";
}

START_TEST(test_ro_bind_erofs)
{
    const char *dir = submount_make();
    t_as(_i);
    nsbox *box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_bind_mount(box, dir, "/data", NSBOX_MOUNT_RDONLY), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, dir, "/rw", 0), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/rw/t", 0, 0777), 0);
    ck_assert_int_eq(nsbox_remount_ro(box, "/rw"), 0);
    char out[4096];
    const char *script = "for f in /data/x /data/sub/x /rw/x /rw/t/x /rw/sub/x; do "
                         "  { true > $f; } 2>/dev/null && echo $f writable; done; "
                         "touch /data/sub/y 2>&1; echo done";
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    ck_assert_msg(strstr(out, "writable") == NULL, "%s", out);
    ck_assert_msg(strstr(out, "Read-only file system"), "%s", out);
    /* The host's sub-mount itself is still writable. */
    char path[256];
    snprintf(path, sizeof(path), "%s/sub/host", dir);
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ck_assert_int_ge(fd, 0);
    close(fd);
    nsbox_free(box);
}
END_TEST

START_TEST(test_tmpfs_root_hides_host)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    base_root(box);
    char out[4096];
    ck_assert_int_eq(t_sh(box,
                          "ls -A /; [ -e /etc/passwd ] || echo no-etc; "
                          "[ -e /work ] || echo no-work; [ -e /tmp ] || echo no-tmp",
                          out, sizeof(out)),
                     0);
    ck_assert_msg(strncmp(out, "etc\n", 4) != 0 && !strstr(out, "\netc\n"), "%s", out);
    ck_assert_msg(strncmp(out, "work\n", 4) != 0 && !strstr(out, "\nwork\n"), "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "usr\n"));
    ck_assert_ptr_nonnull(strstr(out, "no-etc\nno-work\nno-tmp\n"));
    nsbox_free(box);
}
END_TEST

START_TEST(test_dev)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_dev(box, "/dev"), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    char out[4096];
    ck_assert_int_eq(t_sh(box,
                          "cd /dev && echo *; echo hi > /dev/null && echo null-ok; "
                          "head -c 3 /dev/zero | od -An -tx1; "
                          "[ -c /dev/pts/ptmx ] && echo ptmx-ok; [ -c /dev/urandom ] && "
                          "echo urandom-ok; readlink /dev/stdout; stat -c %a /dev/shm",
                          out, sizeof(out)),
                     0);
    ck_assert_str_eq(out, "core fd full null ptmx pts random shm stderr stdin stdout tty urandom "
                          "zero\nnull-ok\n 00 00 00\nptmx-ok\nurandom-ok\n/proc/self/fd/1\n1777\n");
    nsbox_free(box);
}
END_TEST

START_TEST(test_proc_pidns)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    base_root(box);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    char out[256];
    /* The glob runs inside the shell: no extra process. */
    ck_assert_int_eq(t_sh(box, "cd /proc && echo [0-9]*", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "1 2\n");
    nsbox_free(box);
}
END_TEST

START_TEST(test_file_dir_symlink)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    base_root(box);
    static const char data[] = "line one\n\001\377 binary\n";
    ck_assert_int_eq(nsbox_add_file(box, "/etc/conf/a.txt", data, sizeof(data) - 1, 0640), 0);
    ck_assert_int_eq(nsbox_add_file(box, "/empty", NULL, 0, 0400), 0);
    ck_assert_int_eq(nsbox_add_dir(box, "/d/e", 0700), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "conf/a.txt", "/etc/link"), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "conf/a.txt", "/etc/link"), 0); /* same: fine */
    ck_assert_int_eq(nsbox_add_chmod(box, "/d", 0711), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/tm", 0, 0), 0);
    char out[4096];
    ck_assert_int_eq(t_sh(box,
                          "cat /etc/link; stat -c '%a %s' /etc/conf/a.txt /empty /d /d/e "
                          "/etc/conf /tm",
                          out, sizeof(out)),
                     0);
    /* The bytes, then the modes (directory sizes differ by filesystem). */
    ck_assert_msg(strncmp(out, data, sizeof(data) - 1) == 0, "%s", out);
    char want[64];
    snprintf(want, sizeof(want), "640 %zu\n400 0\n711 ", sizeof(data) - 1);
    const char *s = out + sizeof(data) - 1;
    ck_assert_msg(strncmp(s, want, strlen(want)) == 0, "%s", s);
    ck_assert_msg(strstr(s, "\n700 ") && strstr(s, "\n755 "), "%s", s);
    nsbox_free(box);
}
END_TEST

START_TEST(test_escapes_stay_inside)
{
    t_as(_i);
    char *dir = tmpdir_new();
    char path[512], name[64], host[128];
    snprintf(name, sizeof(name), "nsbox-escape-%d", (int)getpid());
    snprintf(host, sizeof(host), "/tmp/%s", name);
    /* The links' targets exist inside the new root and on the host: a
     * resolution that escaped would write to the host's /tmp. */
    snprintf(path, sizeof(path), "%s/tmp", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/abs", dir);
    ck_assert_int_eq(symlink("/tmp", path), 0);
    snprintf(path, sizeof(path), "%s/up", dir);
    ck_assert_int_eq(symlink("../../../../../../tmp", path), 0);

    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_root(box, dir), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "usr/bin", "/bin"), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "usr/lib", "/lib"), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "usr/lib64", "/lib64"), 0);
    snprintf(path, sizeof(path), "/abs/%s/f1", name);
    ck_assert_int_eq(nsbox_add_file(box, path, "x", 1, 0644), 0);
    snprintf(path, sizeof(path), "/up/%s/d2", name);
    ck_assert_int_eq(nsbox_add_dir(box, path, 0755), 0);
    snprintf(path, sizeof(path), "/../../../tmp/%s/t3", name);
    ck_assert_int_eq(nsbox_add_tmpfs(box, path, 0, 0), 0);
    char out[1024];
    ck_assert_int_eq(t_sh(box, "ls /tmp/*/", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "d2\nf1\nt3\n");
    ck_assert_int_eq(access(host, F_OK), -1);
    snprintf(path, sizeof(path), "%s/tmp/%s/f1", dir, name);
    ck_assert_int_eq(access(path, F_OK), 0);
    nsbox_free(box);
    tmpdir_remove(dir);
}
END_TEST

START_TEST(test_cwd_default)
{
    t_as(_i);
    char *dir = tmpdir_new();
    ck_assert_int_eq(chdir(dir), 0);
    nsbox *box = nsbox_new();
    base_root(box);
    char out[512];
    ck_assert_int_eq(t_sh(box, "pwd", out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), "/");
    ck_assert_int_eq(nsbox_add_bind_mount(box, dir, dir, 0), 0);
    ck_assert_int_eq(t_sh(box, "pwd", out, sizeof(out)), 0);
    ck_assert_str_eq(t_chomp(out), dir);
    ck_assert_int_eq(chdir("/"), 0);
    nsbox_free(box);
    tmpdir_remove(dir);
}
END_TEST

START_TEST(test_try_and_host_root)
{
    t_as(_i);
    char *dir = tmpdir_new();
    struct trace t;
    trace_begin(&t);
    nsbox *box = nsbox_new();
    /* Host root: the tmpfs covers dir only inside; the skipped bind makes
     * no mount point on the caller's root. */
    ck_assert_int_eq(nsbox_add_tmpfs(box, dir, 0, 0), 0);
    ck_assert_int_eq(
        nsbox_add_bind_mount(box, "/nonexistent/src", "/nonexistent/dst", NSBOX_MOUNT_TRY), 0);
    char script[512], out[512];
    snprintf(script, sizeof(script),
             "grep -c ' %s ' /proc/self/mountinfo; [ -e /nonexistent ] || echo skipped", dir);
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "1\nskipped\n");
    nsbox_free(box);
    trace_end(&t);
    tmpdir_remove(dir);
}
END_TEST

START_TEST(test_host_table_after_100)
{
    t_as(_i);
    struct trace t;
    trace_begin(&t);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    base_root(box);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    ck_assert_int_eq(nsbox_add_dev(box, "/dev"), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/tmp", 0, 01777), 0);
    ck_assert_int_eq(nsbox_remount_ro(box, "/"), 0);
    char *argv[] = {"/bin/true", NULL};
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(nsbox_run(box, argv), 0);
    nsbox_free(box);
    trace_end(&t);
}
END_TEST

/* One failing recipe: the spawn's error, message, and nothing left. */
static void expect_failure(nsbox *box, int err, const char *msg)
{
    struct trace t;
    trace_begin(&t);
    char out[64];
    int r = t_sh(box, "exit 0", out, sizeof(out));
    ck_assert_msg(r == -err, "status %d, expected %d: %s", r, -err, nsbox_errmsg(box));
    ck_assert_str_eq(nsbox_errmsg(box), msg);
    trace_end(&t);
    nsbox_free(box);
}

START_TEST(test_spawn_errors)
{
    t_as(_i);
    nsbox *box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/nonexistent/data", "/data", 0), 0);
    expect_failure(box, ENOENT, "bind mount /nonexistent/data -> /data: No such file or directory");

    box = nsbox_new();
    ck_assert_int_eq(nsbox_set_root(box, "/nonexistent/root"), 0);
    expect_failure(box, ENOENT, "new root /nonexistent/root: No such file or directory");

    box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_dir(box, "/d", 0755), 0);
    ck_assert_int_eq(nsbox_remount_ro(box, "/d"), 0);
    expect_failure(box, EINVAL, "remount read-only /d: Invalid argument");

    box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_symlink(box, "/a", "/l"), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "/b", "/l"), 0);
    expect_failure(box, EEXIST, "symlink /l -> /b: File exists");

    box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_symlink(box, "/x", "/f"), 0);
    ck_assert_int_eq(nsbox_add_file(box, "/f", "x", 1, 0644), 0);
    expect_failure(box, ELOOP, "file /f: Too many levels of symbolic links");

    box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_file(box, "/f", "x", 1, 0644), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/f/sub", 0, 0), 0);
    expect_failure(box, ENOTDIR, "tmpfs /f/sub: mount point: Not a directory");

    box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_chmod(box, "/missing", 0700), 0);
    expect_failure(box, ENOENT, "chmod 0700 /missing: No such file or directory");

    box = nsbox_new();
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/", 0, 0), 0);
    expect_failure(box, EINVAL, "tmpfs /: mounting on / needs a new root (nsbox_set_root)");

    /* Issue 11.3: no symlink followed on the caller's side, nothing made
     * on the caller's root. */
    char *dir = tmpdir_new(), link[256], msg[512];
    snprintf(link, sizeof(link), "%s/link", dir);
    ck_assert_int_eq(symlink("/usr", link), 0);
    box = nsbox_new();
    base_root(box);
    ck_assert_int_eq(nsbox_add_bind_mount(box, link, "/x", 0), 0);
    snprintf(msg, sizeof(msg),
             "bind mount %s -> /x: source: a symlink on the way, which is not followed on the "
             "caller's side (name the path it points to): Too many levels of symbolic links",
             link);
    expect_failure(box, ELOOP, msg);

    static const struct {
        const char *below, *why;
        int err;
    } host[] = {
        {"link",
         "a symlink on the way, which is not followed on the caller's root (name the "
         "path it points to, or use nsbox_set_root): Too many levels of symbolic links",
         ELOOP},
        {"missing",
         "not found on the caller's root, where steps create nothing (give the "
         "sandbox a root of its own: nsbox_set_root): No such file or directory",
         ENOENT},
    };
    for (size_t k = 0; k < 2; k++) {
        box = nsbox_new();
        snprintf(link, sizeof(link), "%s/%s/t", dir, host[k].below);
        ck_assert_int_eq(nsbox_add_tmpfs(box, link, 0, 0), 0);
        snprintf(msg, sizeof(msg), "tmpfs %s: %s", link, host[k].why);
        expect_failure(box, host[k].err, msg);
    }
    snprintf(link, sizeof(link), "%s/missing", dir);
    ck_assert_int_eq(access(link, F_OK), -1);
    tmpdir_remove(dir);
}
END_TEST

START_TEST(test_builder_errors)
{
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/a", "rel", 0), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "bind mount /a -> rel: destination is not absolute");
    ck_assert_int_eq(nsbox_add_bind_mount(box, "", "/b", 0), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "bind mount  -> /b: empty source");
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/a", "/b", 0x100), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "bind mount /a -> /b: unknown flags 0x100");
    ck_assert_int_eq(nsbox_add_tmpfs(box, "t", 0, 0), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "tmpfs \"t\": not an absolute path");
    ck_assert_int_eq(nsbox_add_dir(box, "/d", 010000), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "dir /d: mode 010000 has bits beyond 07777");
    ck_assert_int_eq(nsbox_add_file(box, "/f", NULL, 3, 0644), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "file /f: no data for a non-zero length");
    ck_assert_int_eq(nsbox_add_symlink(box, "", "/l"), -EINVAL);
    ck_assert_int_eq(nsbox_add_symlink(box, "/t", "/"), -EINVAL);
    /* found by tests/fuzz/fuzz_path: "/" once normalized */
    ck_assert_int_eq(nsbox_add_symlink(box, "/t", "/a/.."), -EINVAL);
    ck_assert_int_eq(nsbox_add_file(box, "//.", "x", 1, 0644), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "file //.: the path must be absolute, not /");
    ck_assert_int_eq(nsbox_set_root(box, "rel"), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "root \"rel\": not an absolute path");
    ck_assert_int_eq(nsbox_add_proc(box, NULL), -EINVAL);
    ck_assert_int_eq(nsbox_add_dev(box, ""), -EINVAL);
    ck_assert_int_eq(nsbox_remount_ro(NULL, "/"), -EINVAL);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mount");
    TCase *tc = tcase_create("view");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_mountinfo_options, 0, 2);
    tcase_add_loop_test(tc, test_ro_bind_erofs, 0, 2);
    tcase_add_loop_test(tc, test_tmpfs_root_hides_host, 0, 2);
    tcase_add_loop_test(tc, test_dev, 0, 2);
    tcase_add_loop_test(tc, test_proc_pidns, 0, 2);
    tcase_add_loop_test(tc, test_file_dir_symlink, 0, 2);
    tcase_add_loop_test(tc, test_escapes_stay_inside, 0, 2);
    tcase_add_loop_test(tc, test_cwd_default, 0, 2);
    tcase_add_loop_test(tc, test_try_and_host_root, 0, 2);
    tcase_add_loop_test(tc, test_host_table_after_100, 0, 2);
    tcase_add_loop_test(tc, test_spawn_errors, 0, 2);
    tcase_add_test(tc, test_builder_errors);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
