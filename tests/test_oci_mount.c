/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI filesystem calls (nsbox_add_mount, nsbox_add_mask,
 * nsbox_add_readonly, nsbox_add_device, nsbox_set_root_propagation), seen
 * from inside real sandboxes as root and as nobody, and the attacks a
 * hostile bundle makes on them: a symlink in its rootfs that points at a
 * host path used as a mount destination or a mask, a symlink in place of
 * /proc (CVE-2019-16884, CVE-2019-19921), a mount onto a procfs, a
 * writable sysfs or cgroup mount. Each attack has its control: the same
 * recipe done the naive way (mount(2) on the path from the host's side,
 * which follows the link) or with the guard's internal knob off, which
 * shows that the check sees the attack. */
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

#include "internal.h"
#include "testlib.h"

/* Everything lives in a tmpfs on /tmp of the test process's own mount
 * namespace (made before the drop to nobody), which ends with it. */
#define TOP "/tmp/oci"
#define ROOTFS TOP "/rootfs"
#define HOST TOP "/host"

static void mkdir_p(const char *path, mode_t mode)
{
    char parent[256];
    snprintf(parent, sizeof(parent), "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (access(parent, F_OK) != 0)
            mkdir_p(parent, 0755);
    }
    ck_assert_msg(mkdir(path, mode) == 0 || errno == EEXIST, "mkdir %s: %m", path);
    ck_assert_int_eq(chmod(path, mode), 0);
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    ck_assert_msg(fd >= 0, "open %s: %m", path);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* The tree: a rootfs (nobody's) with usr/bin, lib... links to the host's
 * /usr bound at spawn, and a host directory holding a marker file. Still
 * root after it (see tree_make). */
static void tree_build(void)
{
    ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
    ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    ck_assert_int_eq(mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID, "mode=0755"), 0);
    mkdir_p(TOP, 0755);
    mkdir_p(ROOTFS, 0755);
    mkdir_p(ROOTFS "/usr", 0755);
    mkdir_p(HOST, 0755);
    write_file(HOST "/marker", "host\n");
    static const char *const tops[] = {"bin", "sbin", "lib", "lib64", "lib32"};
    for (size_t k = 0; k < sizeof(tops) / sizeof(tops[0]); k++) {
        char link[64], target[256], path[128];
        snprintf(link, sizeof(link), "/%s", tops[k]);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        snprintf(path, sizeof(path), ROOTFS "/%s", tops[k]);
        ck_assert_int_eq(symlink(target, path), 0);
    }
    ck_assert_int_eq(chown(ROOTFS, NOBODY, NOBODY), 0);
}

/* The tree, then t_as(i). */
static void tree_make(int i)
{
    tree_build();
    t_as(i);
}

/* A recipe on the rootfs with /usr bound: as root without a user
 * namespace, as nobody in one (the loop index). */
static nsbox *box_bare(int i, unsigned ns)
{
    nsbox *box = nsbox_new();
    ck_assert_ptr_nonnull(box);
    ck_assert_int_eq(nsbox_add_namespace(box, ns | (i ? NSBOX_NS_USER : 0)), 0);
    ck_assert_int_eq(nsbox_set_root(box, ROOTFS), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY), 0);
    return box;
}

/* The same with a PID namespace and its /proc, which the checks read. */
static nsbox *box_new(int i, unsigned ns)
{
    nsbox *box = box_bare(i, ns | NSBOX_NS_PID);
    ck_assert_int_eq(nsbox_add_mount(box, "proc", NULL, "/proc", 0, NULL), 0);
    return box;
}

/* Runs script; fails the test unless it exits 0. */
static void run_ok(nsbox *box, const char *script, char *out, size_t size)
{
    int r = t_sh(box, script, out, size);
    ck_assert_msg(r == 0, "status %d: %s: %s", r, nsbox_errmsg(box), out);
}

/* The mount options and the file system type of the mount at path, as
 * the sandbox's mountinfo says: "ro,nosuid... tmpfs". */
#define MOUNT_OF(path)                                                                             \
    "mawk '$5 == \"" path "\" { for (i = 7; $i != \"-\"; i++); print $6, $(i+1) }' "               \
    "/proc/self/mountinfo | tail -n 1"

START_TEST(test_fs_types)
{
    tree_make(_i);
    nsbox *box =
        box_bare(_i, NSBOX_NS_MOUNT | NSBOX_NS_PID | NSBOX_NS_NET | NSBOX_NS_IPC | NSBOX_NS_CGROUP);
    unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    ck_assert_int_eq(nsbox_add_mount(box, "proc", "proc", "/proc", safe, NULL), 0);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", "tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME,
                                     "mode=755,size=65536k"),
                     0);
    ck_assert_int_eq(nsbox_add_mount(box, "devpts", "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC,
                                     "newinstance,ptmxmode=0666,mode=0620"),
                     0);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", "shm", "/dev/shm", safe, "mode=1777,size=1m"),
                     0);
    ck_assert_int_eq(nsbox_add_mount(box, "mqueue", "mqueue", "/dev/mqueue", safe, NULL), 0);
    /* no MS_RDONLY asked: the sysfs and the cgroup2 are read-only anyway */
    ck_assert_int_eq(nsbox_add_mount(box, "sysfs", "sysfs", "/sys", safe, NULL), 0);
    ck_assert_int_eq(nsbox_add_mount(box, "cgroup2", "cgroup", "/sys/fs/cgroup", safe, NULL), 0);
    char out[1024];
    run_ok(box,
           "for p in /proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup; do "
           "mawk -v p=$p '$5 == p { for (i = 7; $i != \"-\"; i++); print p, $6, $(i+1), $(i+3) }' "
           "/proc/self/mountinfo | tail -n 1; done; ls /sys/class/net; stat -c %a /dev/shm",
           out, sizeof(out));
    ck_assert_msg(strstr(out, "/proc rw,nosuid,nodev,noexec,relatime proc"), "%s", out);
    ck_assert_msg(strstr(out, "/dev rw,nosuid tmpfs rw,size=65536k,mode=755"), "%s", out);
    ck_assert_msg(strstr(out, "/dev/pts rw,nosuid,noexec,relatime devpts"), "%s", out);
    ck_assert_msg(strstr(out, "mode=620,ptmxmode=666"), "%s", out);
    ck_assert_msg(strstr(out, "/dev/shm rw,nosuid,nodev,noexec,relatime tmpfs"), "%s", out);
    ck_assert_msg(strstr(out, "/dev/mqueue rw,nosuid,nodev,noexec,relatime mqueue"), "%s", out);
    ck_assert_msg(strstr(out, "/sys ro,nosuid,nodev,noexec,relatime sysfs"), "%s", out);
    ck_assert_msg(strstr(out, "/sys/fs/cgroup ro,nosuid,nodev,noexec,relatime cgroup2"), "%s", out);
    /* the sysfs of the sandbox's own network namespace: "lo" alone */
    ck_assert_msg(strstr(out, "\nlo\n1777\n"), "%s", out);
    nsbox_free(box);
}
END_TEST

/* The kernel's files stay covered: proc's masks, sysfs read-only also
 * with flags that ask for rw; the control unmasks them. */
START_TEST(test_kernel_files_covered)
{
    tree_make(_i);
    for (int unmask = 0; unmask < 2; unmask++) {
        nsbox *box = box_new(_i, NSBOX_NS_MOUNT | NSBOX_NS_NET);
        ck_assert_int_eq(nsbox_add_mount(box, "sysfs", NULL, "/sys", 0, NULL), 0);
        if (unmask)
            ck_assert_int_eq(nsbox_unmask_kernel_files(box), 0);
        char out[512];
        run_ok(
            box,
            MOUNT_OF("/sys") "; " MOUNT_OF("/proc/sys") "; (wc -c < /proc/timer_list) 2>&1 || true",
            out, sizeof(out));
        if (!unmask)
            ck_assert_msg(strcmp(out, "ro,relatime sysfs\nro,nosuid,nodev,noexec,relatime proc\n"
                                      "0\n") == 0,
                          "%s", out);
        else /* the control: without the guard both are writable */
            ck_assert_msg(strncmp(out, "rw,relatime sysfs\n", 18) == 0 &&
                              !strstr(out, "relatime proc"),
                          "%s", out);
        nsbox_free(box);
    }
}
END_TEST

/* Without a network namespace of its own, nobody's user namespace may not
 * make a sysfs: the caller's /sys is bound, read-only. */
START_TEST(test_sysfs_without_netns)
{
    tree_make(_i);
    nsbox *box = box_new(_i, NSBOX_NS_MOUNT);
    ck_assert_int_eq(nsbox_add_mount(box, "sysfs", "sysfs", "/sys", MS_NOSUID, NULL), 0);
    char out[512];
    run_ok(box, MOUNT_OF("/sys") "; ls /sys/class/net | grep -c .", out, sizeof(out));
    ck_assert_msg(strncmp(out, "ro,nosuid", 9) == 0 && strstr(out, " sysfs\n"), "%s", out);
    nsbox_free(box);
}
END_TEST

START_TEST(test_bind_flags)
{
    tree_build();
    mkdir_p(HOST "/sub", 0755);
    ck_assert_int_eq(mount("tmpfs", HOST "/sub", "tmpfs", 0, "mode=0755"), 0);
    write_file(HOST "/sub/inner", "inner\n");
    t_as(_i);
    nsbox *box = box_new(_i, NSBOX_NS_MOUNT);
    ck_assert_int_eq(
        nsbox_add_mount(box, "bind", HOST, "/rbind", MS_REC | MS_RDONLY | MS_NOSUID, NULL), 0);
    ck_assert_int_eq(
        nsbox_add_mount(box, "bind", HOST "/marker", "/file", MS_RDONLY | MS_SHARED, NULL), 0);
    /* the top mount alone: a user namespace may not uncover HOST/sub */
    if (_i == 0)
        ck_assert_int_eq(nsbox_add_mount(box, "bind", HOST, "/bind", MS_NOEXEC, NULL), 0);
    char out[1024];
    run_ok(box,
           "cat /rbind/sub/inner; " MOUNT_OF("/rbind") "; " MOUNT_OF(
               "/rbind/sub") "; "
                             "(echo x > /rbind/y) 2>&1 | grep -c Read-only; "
                             "grep -c ' /file .*shared:' /proc/self/mountinfo; cat /file; "
                             "test -d /bind || exit 0; ls /bind/sub | wc -l; " MOUNT_OF("/bind"),
           out, sizeof(out));
    const char *want = "inner\nro,nosuid,relatime tmpfs\nro,nosuid,relatime tmpfs\n1\n1\nhost\n";
    ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s", out);
    ck_assert_str_eq(out + strlen(want), _i ? "" : "0\nrw,nosuid,noexec,relatime tmpfs\n");
    nsbox_free(box);
    if (_i == 0)
        return;
    box = box_new(_i, NSBOX_NS_MOUNT);
    ck_assert_int_eq(nsbox_add_mount(box, "bind", HOST, "/bind", MS_NOEXEC, NULL), 0);
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box),
                     "bind mount " HOST " -> /bind: a bind without MS_REC of a tree with mounts "
                     "below it, which a user namespace may not uncover (add MS_REC): Invalid "
                     "argument");
    nsbox_free(box);
}
END_TEST

/* A symlink in the rootfs pointing at a host path, used as a mount
 * destination: the mount lands inside the rootfs, never on the host path
 * (the sandbox sees the host path through a bind made after it). The
 * control mounts the naive way, mount(2) on the rootfs path from the
 * host's side, which follows the link and covers the host directory. */
START_TEST(test_attack_dst_symlink)
{
    tree_build();
    mkdir_p(ROOTFS HOST, 0755); /* what the link names, inside the rootfs */
    ck_assert_int_eq(symlink(HOST, ROOTFS "/evil"), 0);
    ck_assert_int_eq(symlink("../../../../../../.." HOST, ROOTFS "/evil2"), 0);
    static const char *const dsts[] = {"/evil", "/evil2", "/evil/../evil"};
    char out[256];
    /* the control, as root: a runtime that mounts on the rootfs path from
     * the host's side follows the link and covers the host directory */
    for (size_t k = 0; k < 2; k++) {
        char path[256];
        snprintf(path, sizeof(path), ROOTFS "%s", dsts[k]);
        ck_assert_int_eq(mount("tmpfs", path, "tmpfs", 0, NULL), 0);
        nsbox *box = box_new(0, NSBOX_NS_MOUNT);
        ck_assert_int_eq(nsbox_add_bind_mount(box, HOST, "/hostview", 0), 0);
        run_ok(box, "cat /hostview/marker 2>&1; true", out, sizeof(out));
        ck_assert_msg(strstr(out, "No such file"), "control %s: %s", dsts[k], out);
        nsbox_free(box);
        ck_assert_int_eq(umount2(HOST, MNT_DETACH), 0);
    }
    t_as(_i);
    for (size_t k = 0; k < sizeof(dsts) / sizeof(dsts[0]); k++) {
        nsbox *box = box_new(_i, NSBOX_NS_MOUNT);
        ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, dsts[k], MS_NOSUID, NULL), 0);
        ck_assert_int_eq(nsbox_add_bind_mount(box, HOST, "/hostview", 0), 0);
        run_ok(box, "cat /hostview/marker 2>&1; " MOUNT_OF(HOST), out, sizeof(out));
        ck_assert_msg(strcmp(out, "host\nrw,nosuid,relatime tmpfs\n") == 0, "%s: %s", dsts[k], out);
        nsbox_free(box);
    }
}
END_TEST

/* /proc replaced by a symlink to a directory the bundle controls: a proc
 * or sysfs mount refuses it (CVE-2019-16884, CVE-2019-19921); the control
 * shows that a mount that follows links inside the root lands there. */
START_TEST(test_attack_proc_symlink)
{
    tree_make(_i);
    mkdir_p(ROOTFS "/fake", 0755);
    ck_assert_int_eq(symlink("/fake", ROOTFS "/proc"), 0);
    ck_assert_int_eq(symlink("fake", ROOTFS "/sys"), 0);
    static const char *const types[] = {"proc", "sysfs"};
    for (size_t k = 0; k < 2; k++) {
        nsbox *box = box_bare(_i, NSBOX_NS_MOUNT | NSBOX_NS_PID | NSBOX_NS_NET);
        ck_assert_int_eq(nsbox_add_mount(box, types[k], NULL, k ? "/sys" : "/proc", 0, NULL), 0);
        char out[256], msg[256];
        int r = t_sh(box, "true", out, sizeof(out));
        snprintf(msg, sizeof(msg),
                 "%s %s: a symlink on the way to the destination, which a proc or sysfs mount "
                 "never follows: Too many levels of symbolic links",
                 types[k], k ? "/sys" : "/proc");
        ck_assert_msg(r == -ELOOP, "%d %s", r, nsbox_errmsg(box));
        ck_assert_str_eq(nsbox_errmsg(box), msg);
        nsbox_free(box);
    }
    nsbox *box = box_bare(_i, NSBOX_NS_MOUNT | NSBOX_NS_PID);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/proc", 0, NULL), 0);
    ck_assert_int_eq(nsbox_add_mount(box, "proc", NULL, "/realproc", 0, NULL), 0);
    char out[256];
    run_ok(box, "mawk '$5 == \"/fake\" { print $6 }' /realproc/self/mountinfo", out, sizeof(out));
    ck_assert_msg(strcmp(out, "rw,relatime\n") == 0, "control: %s", out);
    nsbox_free(box);
}
END_TEST

/* A mount onto the procfs (here over /proc/sys, which it would make
 * writable again) is refused; the control, the same tmpfs through the
 * older call that has no such rule, lands there. */
START_TEST(test_attack_proc_dst)
{
    tree_make(_i);
    for (int control = 0; control < 2; control++) {
        nsbox *box = box_new(_i, NSBOX_NS_MOUNT);
        if (control)
            ck_assert_int_eq(nsbox_add_tmpfs(box, "/proc/sys", 0, 0), 0);
        else
            ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/proc/sys", 0, NULL), 0);
        char out[256];
        int r = t_sh(box, MOUNT_OF("/proc/sys"), out, sizeof(out));
        if (control) {
            ck_assert_msg(r == 0 && strstr(out, " tmpfs\n"), "%d %s", r, out);
        } else {
            ck_assert_int_eq(r, -EPERM);
            ck_assert_str_eq(nsbox_errmsg(box),
                             "tmpfs /proc/sys: the destination is on a procfs, where only a proc "
                             "mount may go: Operation not permitted");
        }
        nsbox_free(box);
    }
}
END_TEST

/* cgroup mounts are read-only under the guard whatever flags say; the
 * control turns the guard off through its internal knob. */
START_TEST(test_cgroup_ro)
{
    tree_make(_i);
    for (int control = 0; control < 2; control++) {
        nsbox *box = box_new(_i, NSBOX_NS_MOUNT | NSBOX_NS_CGROUP);
        ck_assert_int_eq(nsbox_add_mount(box, "cgroup2", NULL, "/cg", MS_NOSUID, NULL), 0);
        box->cg_unguarded = control;
        char out[256];
        run_ok(box, MOUNT_OF("/cg"), out, sizeof(out));
        ck_assert_msg(strcmp(out, control ? "rw,nosuid,relatime cgroup2\n"
                                          : "ro,nosuid,relatime cgroup2\n") == 0,
                      "%s", out);
        nsbox_free(box);
    }
}
END_TEST

/* maskedPaths and readonlyPaths, and a mask path that is a symlink to a
 * host path: it masks inside the rootfs (there: nothing, skipped), never
 * the host file; the control masks the naive way. */
static nsbox *mask_box(int i)
{
    nsbox *box = box_new(i, NSBOX_NS_MOUNT);
    ck_assert_int_eq(nsbox_add_bind_mount(box, HOST, "/hostview", 0), 0);
    static const char *const masks[] = {"/secrets", "/passwd", "/nonexistent", "/m",
                                        "/proc/cpuinfo"};
    for (size_t k = 0; k < sizeof(masks) / sizeof(masks[0]); k++)
        ck_assert_int_eq(nsbox_add_mask(box, masks[k]), 0);
    ck_assert_int_eq(nsbox_add_readonly(box, "/data"), 0);
    ck_assert_int_eq(nsbox_add_readonly(box, "/missing/too"), 0);
    return box;
}

#define MASK_SCRIPT                                                                                \
    "ls /secrets | wc -l; wc -c < /passwd; wc -c < /proc/cpuinfo; cat /hostview/marker; "          \
    "(echo x > /data/x) 2>&1 | grep -c Read-only; (echo > /secrets/x) 2>&1 | grep -c "             \
    "Read-only; test -e /nonexistent || echo skipped"

START_TEST(test_mask_readonly)
{
    tree_build();
    mkdir_p(ROOTFS "/secrets", 0755);
    write_file(ROOTFS "/secrets/key", "key\n");
    write_file(ROOTFS "/passwd", "passwd\n");
    mkdir_p(ROOTFS "/data", 0777);
    ck_assert_int_eq(symlink(HOST "/marker", ROOTFS "/m"), 0);
    char out[512];
    /* the control, as root: masking the naive way covers the host file */
    ck_assert_int_eq(mount("/dev/null", ROOTFS "/m", NULL, MS_BIND, NULL), 0);
    nsbox *box = mask_box(0);
    run_ok(box, MASK_SCRIPT, out, sizeof(out));
    ck_assert_msg(strcmp(out, "0\n0\n0\n1\n1\nskipped\n") == 0, "control: %s", out);
    nsbox_free(box);
    ck_assert_int_eq(umount2(HOST "/marker", MNT_DETACH), 0);
    t_as(_i);
    box = mask_box(_i);
    run_ok(box, MASK_SCRIPT, out, sizeof(out));
    ck_assert_str_eq(out, "0\n0\n0\nhost\n1\n1\nskipped\n");
    nsbox_free(box);
}
END_TEST

/* The propagation of "/" as mountinfo shows it (the caller's tree is
 * shared, so that a slave has a master); with MS_SHARED, a mount the
 * command makes (root keeps cap_sys_admin) never reaches the caller; with
 * MS_SLAVE, a mount the caller makes later reaches the sandbox. */
START_TEST(test_root_propagation)
{
    tree_build();
    ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL), 0);
    mkdir_p(HOST "/late", 0755);
    mkdir_p(HOST "/x", 0755);
    t_as(_i);
    static const struct {
        unsigned long flag;
        const char *tag;
    } cases[] = {{MS_SHARED | MS_REC, "shared:"},
                 {MS_SLAVE | MS_REC, "master:"},
                 {MS_PRIVATE, ""},
                 {MS_UNBINDABLE, "unbindable"}};
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        nsbox *box = box_new(_i, NSBOX_NS_MOUNT);
        ck_assert_int_eq(nsbox_set_root_propagation(box, cases[k].flag), 0);
        char out[256];
        run_ok(box, "mawk '$5 == \"/\" { print $7 }' /proc/self/mountinfo", out, sizeof(out));
        if (*cases[k].tag)
            ck_assert_msg(strstr(out, cases[k].tag), "0x%lx: %s", cases[k].flag, out);
        else
            ck_assert_msg(strncmp(out, "-", 1) == 0, "0x%lx: %s", cases[k].flag, out);
        nsbox_free(box);
    }
    if (_i)
        return; /* nobody may not mount on the host's side */
    nsbox *box = box_new(0, NSBOX_NS_MOUNT);
    ck_assert_int_eq(nsbox_set_root_propagation(box, MS_SHARED | MS_REC), 0);
    ck_assert_int_eq(nsbox_add_mount(box, "bind", HOST, "/hv", MS_REC, NULL), 0);
    ck_assert_int_eq(nsbox_add_cap(box, "cap_sys_admin"), 0);
    char out[256];
    run_ok(box, "mount -t tmpfs none /hv/x && echo mounted", out, sizeof(out));
    ck_assert_str_eq(out, "mounted\n");
    struct stat top, x;
    ck_assert_int_eq(stat(HOST, &top), 0);
    ck_assert_int_eq(stat(HOST "/x", &x), 0);
    ck_assert_msg(top.st_dev == x.st_dev, "the sandbox's mount reached the caller");
    nsbox_free(box);
    box = box_new(0, NSBOX_NS_MOUNT);
    ck_assert_int_eq(nsbox_set_root_propagation(box, MS_SLAVE | MS_REC), 0);
    ck_assert_int_eq(nsbox_add_mount(box, "bind", HOST, "/hv", MS_REC, NULL), 0);
    int pipefd[2];
    ck_assert_int_eq(pipe(pipefd), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, pipefd[1], -1), 0);
    char *argv[] = {"/bin/sh", "-c",
                    "for i in $(seq 100); do test -e /hv/late/m && echo seen && exit; sleep 0.05; "
                    "done; echo unseen",
                    NULL};
    nsbox_proc *proc;
    ck_assert_int_eq(nsbox_spawn(box, argv, &proc), 0);
    close(pipefd[1]);
    ck_assert_int_eq(mount("tmpfs", HOST "/late", "tmpfs", 0, NULL), 0);
    write_file(HOST "/late/m", "m\n");
    ck_assert_int_eq(nsbox_wait(proc, -1), 0);
    ssize_t n = read(pipefd[0], out, sizeof(out) - 1);
    out[n > 0 ? n : 0] = '\0';
    ck_assert_str_eq(out, "seen\n");
    close(pipefd[0]);
    nsbox_proc_free(proc);
    nsbox_free(box);
}
END_TEST

/* Devices: mknod as root (no user namespace), a bind of the caller's
 * node in a user namespace (which may make none); a FIFO everywhere. */
START_TEST(test_devices)
{
    tree_make(_i);
    nsbox *box = box_new(_i, NSBOX_NS_MOUNT);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/dev", MS_NOSUID, "mode=755"), 0);
    ck_assert_int_eq(nsbox_add_device(box, "/dev/null", 'c', 1, 3, 0666, 0, 0), 0);
    uid_t own = _i ? NOBODY : 0; /* the ids the user namespace maps */
    ck_assert_int_eq(nsbox_add_device(box, "/dev/fifo", 'p', 0, 0, 0620, own, own), 0);
    if (!_i)
        ck_assert_int_eq(nsbox_add_device(box, "/dev/zero2", 'c', 1, 5, 0640, 0, 1001), 0);
    char out[512];
    run_ok(box,
           "echo hi > /dev/null && stat -c '%n %F %t:%T %a' /dev/null /dev/fifo; "
           "if test -e /dev/zero2; then stat -c '%n %t:%T %a %u:%g' /dev/zero2 && "
           "head -c 3 /dev/zero2 | od -An -tx1; fi",
           out, sizeof(out));
    const char *want = _i ? "/dev/null character special file 1:3 666\n/dev/fifo fifo 0:0 620\n"
                          : "/dev/null character special file 1:3 666\n/dev/fifo fifo 0:0 620\n"
                            "/dev/zero2 1:5 640 0:1001\n 00 00 00\n";
    ck_assert_str_eq(out, want);
    nsbox_free(box);
}
END_TEST

/* In a user namespace the bound node must be the device asked for. */
START_TEST(test_device_mismatch)
{
    tree_make(1);
    nsbox *box = box_bare(1, NSBOX_NS_MOUNT);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/dev", 0, NULL), 0);
    ck_assert_int_eq(nsbox_add_device(box, "/dev/null", 'c', 1, 5, 0666, 0, 0), 0);
    int before = t_count_fds();
    char out[64];
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -ENODEV);
    ck_assert_str_eq(nsbox_errmsg(box),
                     "device /dev/null (c 1:5, bound from the caller's): the caller's node at "
                     "that path is another device (or none), and a user namespace may not make "
                     "one: No such device");
    ck_assert_int_eq(t_count_fds(), before);
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
}
END_TEST

/* A refused option is named; nothing is left behind. */
START_TEST(test_spawn_errors)
{
    tree_make(_i);
    nsbox *box = box_bare(_i, NSBOX_NS_MOUNT);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/t", 0, "mode=755,nosuchoption=1"), 0);
    int before = t_count_fds();
    char out[64];
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "tmpfs /t: option nosuchoption=1: Invalid argument");
    ck_assert_int_eq(t_count_fds(), before);
    ck_assert_int_eq(t_count_children(), 0);
    nsbox_free(box);
}
END_TEST

START_TEST(test_builder_errors)
{
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_mount(box, "ext4", "/dev/sda", "/m", 0, NULL), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "mount /dev/sda -> /m: unknown type \"ext4\" (bind, proc, "
                                        "sysfs, devpts, mqueue, tmpfs, cgroup, cgroup2)");
    ck_assert_int_eq(nsbox_add_mount(box, NULL, NULL, "/m", 0, NULL), -EINVAL);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "m", 0, NULL), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "mount tmpfs : the destination \"m\" is not absolute");
    ck_assert_int_eq(nsbox_add_mount(box, "bind", "", "/m", 0, NULL), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "mount bind -> /m: a bind needs a source");
    ck_assert_int_eq(nsbox_add_mount(box, "bind", "/a", "/m", 0, "mode=1"), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box),
                     "mount bind /a -> /m: a bind takes no options (\"mode=1\")");
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/m", MS_REMOUNT, NULL), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "mount tmpfs -> /m: unknown or unsupported flags 0x20");
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/m", MS_SHARED | MS_PRIVATE, NULL),
                     -EINVAL);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/m", MS_NOATIME | MS_STRICTATIME, NULL),
                     -EINVAL);
    char big[5000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", NULL, "/m", 0, big), -EINVAL);
    ck_assert_int_eq(nsbox_add_mount(box, "cgroup", NULL, "/m", 0, "none,name=x,release_agent=/x"),
                     -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "mount cgroup -> /m: option release_agent refused (a "
                                        "program the kernel would run as root)");
    ck_assert_int_eq(nsbox_add_device(box, "/dev/x", 'x', 1, 3, 0666, 0, 0), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "device /dev/x: type 'x' is none of c, u, b, p");
    ck_assert_int_eq(nsbox_add_device(box, "dev/x", 'c', 1, 3, 0666, 0, 0), -EINVAL);
    ck_assert_int_eq(nsbox_add_device(box, "/", 'c', 1, 3, 0666, 0, 0), -EINVAL);
    ck_assert_int_eq(nsbox_add_device(box, "/dev/x", 'c', 1, 3, 010000, 0, 0), -EINVAL);
    ck_assert_int_eq(nsbox_add_device(box, "/dev/x", 'p', 1, 3, 0666, 0, 0), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "device /dev/x: a FIFO has no device number (1:3)");
    ck_assert_int_eq(nsbox_add_device(box, "/dev/x", 'b', 4096, 0, 0666, 0, 0), -EINVAL);
    ck_assert_int_eq(nsbox_add_device(box, "/dev/x", 'c', 1, 3, 0666, (uid_t)-1, 0), -EINVAL);
    ck_assert_int_eq(nsbox_add_mask(box, "rel"), -EINVAL);
    ck_assert_int_eq(nsbox_add_mask(box, "/"), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "mask /: the path must name a file below /");
    ck_assert_int_eq(nsbox_add_readonly(box, NULL), -EINVAL);
    ck_assert_int_eq(nsbox_set_root_propagation(box, 0), -EINVAL);
    ck_assert_int_eq(nsbox_set_root_propagation(box, MS_SHARED | MS_SLAVE), -EINVAL);
    ck_assert_int_eq(nsbox_set_root_propagation(box, MS_RDONLY | MS_PRIVATE), -EINVAL);
    ck_assert_int_eq(nsbox_add_mount(NULL, "tmpfs", NULL, "/m", 0, NULL), -EINVAL);
    ck_assert_int_eq(nsbox_add_device(NULL, "/d", 'c', 1, 3, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(nsbox_add_mask(NULL, "/m"), -EINVAL);
    ck_assert_int_eq(nsbox_set_root_propagation(NULL, MS_PRIVATE), -EINVAL);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("oci_mount");
    TCase *tc = tcase_create("mount");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_fs_types, 0, 2);
    tcase_add_loop_test(tc, test_kernel_files_covered, 0, 2);
    tcase_add_loop_test(tc, test_sysfs_without_netns, 0, 2);
    tcase_add_loop_test(tc, test_bind_flags, 0, 2);
    tcase_add_loop_test(tc, test_attack_dst_symlink, 0, 2);
    tcase_add_loop_test(tc, test_attack_proc_symlink, 0, 2);
    tcase_add_loop_test(tc, test_attack_proc_dst, 0, 2);
    tcase_add_loop_test(tc, test_cgroup_ro, 0, 2);
    tcase_add_loop_test(tc, test_mask_readonly, 0, 2);
    tcase_add_loop_test(tc, test_root_propagation, 0, 2);
    tcase_add_loop_test(tc, test_devices, 0, 2);
    tcase_add_test(tc, test_device_mismatch);
    tcase_add_loop_test(tc, test_spawn_errors, 0, 2);
    tcase_add_test(tc, test_builder_errors);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
