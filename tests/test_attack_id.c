/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host identity (issue 10, items 3 and 5). Item 3: with a user namespace
 * the command never keeps the caller's unmapped host ids. A shifted map
 * ("0 100000 65536") without nsbox_set_user used to leave the command with
 * the caller's kuid: it showed as 65534 inside but opened the caller's 0600
 * files. Each case runs as root (i == 0, shifted to 100000) and as nobody
 * (i == 1, shifted to 300000 through newuidmap and ranges this suite adds
 * to /etc/subuid and /etc/subgid). The control is a plain process with the
 * unmapped creds the command used to have (a user namespace with no maps):
 * it reads the file.
 * Shifted maps must also work with every filesystem step.
 * Item 5: NSBOX_DIE_WITH_PARENT holds across the id change (which clears
 * the parent-death signal): a caller that is SIGKILLed takes the command
 * along; the control, without the flag, shows the command outliving it. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privtest.h"

#define SHIFT_ROOT 100000u
#define SHIFT_NOBODY 300000u
#define SHIFT_COUNT 65536u
#define SHIFT(i) ((i) ? SHIFT_NOBODY : SHIFT_ROOT)

static const char sub_line[] = "nobody:300000:65536\n";
static const char *const sub_files[2] = {"/etc/subuid", "/etc/subgid"};
static bool sub_made[2];

/* Made by the unchecked fixture, as root, before the cases fork. */
static char dir[64], root_secret[128], nobody_secret[128], shared[128], private_data[128];

static void write_file(const char *path, const char *text, mode_t mode, uid_t uid)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    ck_assert_int_eq(fchmod(fd, mode), 0);
    ck_assert_int_eq(fchown(fd, uid, uid), 0);
    close(fd);
}

/* Appends nobody's range; remembers whether the file was new. */
static void sub_add(int k)
{
    sub_made[k] = access(sub_files[k], F_OK) < 0;
    int fd = open(sub_files[k], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, sub_line, strlen(sub_line)), (ssize_t)strlen(sub_line));
    close(fd);
}

/* Removes the line sub_add wrote (and the file if it made it). */
static void sub_remove(int k)
{
    char buf[65536];
    int fd = open(sub_files[k], O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    char *at = strstr(buf, sub_line);
    if (at)
        memmove(at, at + strlen(sub_line), strlen(at + strlen(sub_line)) + 1);
    if (sub_made[k] && !buf[0]) {
        unlink(sub_files[k]);
        return;
    }
    fd = open(sub_files[k], O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd >= 0) {
        ck_assert_int_eq(write(fd, buf, strlen(buf)), (ssize_t)strlen(buf));
        close(fd);
    }
}

static void fixture_make(void)
{
    snprintf(dir, sizeof(dir), "/tmp/nsbox-attack-id-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    snprintf(root_secret, sizeof(root_secret), "%s/root-secret", dir);
    snprintf(nobody_secret, sizeof(nobody_secret), "%s/nobody-secret", dir);
    write_file(root_secret, "root's\n", 0600, 0);
    write_file(nobody_secret, "nobody's\n", 0600, NOBODY);
    snprintf(shared, sizeof(shared), "%s/shared", dir);
    ck_assert_int_eq(mkdir(shared, 0755), 0);
    char path[192];
    snprintf(path, sizeof(path), "%s/hello", shared);
    write_file(path, "hello\n", 0644, 0);
    snprintf(path, sizeof(path), "%s/private", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(private_data, sizeof(private_data), "%s/private/data", dir);
    ck_assert_int_eq(mkdir(private_data, 0755), 0);
    sub_add(0);
    sub_add(1);
}

static void fixture_remove(void)
{
    sub_remove(0);
    sub_remove(1);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static nsbox *shifted_box(int i)
{
    nsbox *box = nsbox_new();
    ck_assert_ptr_nonnull(box);
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, SHIFT(i), SHIFT_COUNT), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, 0, SHIFT(i), SHIFT_COUNT), 0);
    return box;
}

/* A new tmpfs root with /usr, the build tree (priv-helper) and the
 * suite's directory at /host. */
static void tmpfs_root(nsbox *box)
{
    ck_assert_int_eq(nsbox_set_root(box, NULL), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "usr/bin", "/bin"), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "usr/lib", "/lib"), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "usr/lib64", "/lib64"), 0);
    /* the directory of priv-helper at its own path, wherever the checkout is */
    char tests_dir[PATH_MAX];
    snprintf(tests_dir, sizeof(tests_dir), "%s", PRIV_HELPER);
    *strrchr(tests_dir, '/') = '\0';
    ck_assert_int_eq(nsbox_add_bind_mount(box, tests_dir, tests_dir, NSBOX_MOUNT_RDONLY), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, dir, "/host", 0), 0);
}

/* The control: a process in a user namespace with no maps keeps its kuid,
 * shows as the overflow uid and opens its host uid's files. */
static void control_unmapped_reads(const char *secret)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (unshare(CLONE_NEWUSER) < 0)
            _exit(2);
        if (getuid() != NOBODY)
            _exit(3);
        int fd = open(secret, O_RDWR | O_APPEND | O_CLOEXEC);
        _exit(fd >= 0 ? 0 : 1);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "control: an unmapped process could not open %s (status %#x)", secret, st);
}

/* The attack from a sandbox that must run as 0 inside (a mapped id): the
 * command reads and appends to the caller's 0600 file. */
static void attack_as_mapped_root(nsbox *box, const char *secret)
{
    char out[256];
    int r = p_helper(box, out, sizeof(out), "status", NULL);
    ck_assert_msg(r == 0, "spawn: %d %s", r, nsbox_errmsg(box));
    ck_assert_uint_eq(p_field(out, "uid"), 0);
    ck_assert_uint_eq(p_field(out, "gid"), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "read", secret, NULL), 0);
    BLOCKED(out, "EACCES");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "append", secret, NULL), 0);
    BLOCKED(out, "EACCES");
}

/* A map that does not map the caller, no nsbox_set_user. */
START_TEST(test_unmapped_host_file)
{
    t_as(_i);
    const char *secret = _i ? nobody_secret : root_secret;
    control_unmapped_reads(secret);
    char out[256], inside[192];
    nsbox *box = shifted_box(_i);
    attack_as_mapped_root(box, secret);
    /* the same file bound into a new root */
    tmpfs_root(box);
    snprintf(inside, sizeof(inside), "/host/%s", strrchr(secret, '/') + 1);
    int r = p_helper(box, out, sizeof(out), "read", inside, NULL);
    ck_assert_msg(r == 0, "spawn: %d %s", r, nsbox_errmsg(box));
    BLOCKED(out, "EACCES");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "append", inside, NULL), 0);
    BLOCKED(out, "EACCES");
    nsbox_free(box);
    p_report("unmapped host file", _i);
}
END_TEST

/* Every filesystem step under a shifted map, without set_user, as 0 and
 * as 1000: what the steps make is root's (0 inside) either way. */
START_TEST(test_shifted_fs_steps)
{
    t_as(_i % 2);
    int i = _i % 2;
    unsigned user = _i / 2 == 2 ? 1000 : 0;
    nsbox *box = shifted_box(i);
    if (_i >= 2)
        ck_assert_int_eq(nsbox_set_user(box, user, user), 0);
    tmpfs_root(box);
    ck_assert_int_eq(nsbox_add_bind_mount(box, shared, "/ro", NSBOX_MOUNT_RDONLY), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/tmp", 0, 01777), 0);
    ck_assert_int_eq(nsbox_add_dir(box, "/d", 0700), 0);
    ck_assert_int_eq(nsbox_add_file(box, "/d/f", "hello\n", 6, 0644), 0);
    ck_assert_int_eq(nsbox_add_symlink(box, "/d/f", "/l"), 0);
    ck_assert_int_eq(nsbox_add_chmod(box, "/d", 0755), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    ck_assert_int_eq(nsbox_add_dev(box, "/dev"), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, "/m", 0, 0755), 0);
    ck_assert_int_eq(nsbox_remount_ro(box, "/m"), 0);
    char out[512], want[512];
    int r = t_sh(box,
                 "echo uid=$(id -u) gid=$(id -g); cat /l; stat -c '%u %a' /d /d/f; "
                 "echo x > /tmp/x && echo tmp-ok; echo > /dev/null && echo dev-ok; "
                 "tr -s ' ' < /proc/self/uid_map; cat /ro/hello; "
                 "touch /ro/x 2>/dev/null || echo ro-ok; touch /m/x 2>/dev/null || echo m-ok",
                 out, sizeof(out));
    ck_assert_msg(r == 0, "spawn: %d %s", r, nsbox_errmsg(box));
    snprintf(want, sizeof(want),
             "uid=%u gid=%u\nhello\n0 755\n0 644\ntmp-ok\ndev-ok\n 0 %u %u\nhello\nro-ok\nm-ok\n",
             user, user, SHIFT(i), SHIFT_COUNT);
    ck_assert_str_eq(out, want);
    nsbox_free(box);
}
END_TEST

/* The choice of ids, and the messages when there is none. */
START_TEST(test_id_choice)
{
    t_as(_i);
    char out[256], want[192];
    int children = t_count_children();
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_uid_map(box, 1000, SHIFT(_i), 10), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, 1000, SHIFT(_i), 10), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), -EINVAL);
    snprintf(want, sizeof(want), "uid map \"1000 %u 10\" maps neither the caller's uid", SHIFT(_i));
    ck_assert_msg(strstr(nsbox_errmsg(box), want), "message: %s", nsbox_errmsg(box));
    ck_assert_msg(strstr(nsbox_errmsg(box), "nsbox_set_user"), "no fix in: %s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_set_user(box, 5, 1000), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), -EINVAL);
    snprintf(want, sizeof(want), "uid 5 is not mapped by the uid map \"1000 %u 10\"", SHIFT(_i));
    ck_assert_msg(strstr(nsbox_errmsg(box), want), "message: %s", nsbox_errmsg(box));
    ck_assert_int_eq(nsbox_set_user(box, 1003, 1004), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), 0);
    ck_assert_uint_eq(p_field(out, "uid"), 1003);
    ck_assert_uint_eq(p_field(out, "gid"), 1004);
    nsbox_free(box);

    /* A step the mapped id may not do names the step. */
    box = shifted_box(_i);
    tmpfs_root(box);
    ck_assert_int_eq(nsbox_add_bind_mount(box, private_data, "/data", 0), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), -EACCES);
    snprintf(want, sizeof(want), "bind mount %s -> /data", private_data);
    ck_assert_msg(strstr(nsbox_errmsg(box), want), "message: %s", nsbox_errmsg(box));
    nsbox_free(box);
    ck_assert_int_eq(t_count_children(), children);

    if (_i == 0) {
        /* the caller's own id, mapped to 65536: kept */
        box = shifted_box(0);
        ck_assert_int_eq(nsbox_add_uid_map(box, SHIFT_COUNT, 0, 1), 0);
        ck_assert_int_eq(nsbox_add_gid_map(box, SHIFT_COUNT, 0, 1), 0);
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "status", NULL), 0);
        ck_assert_uint_eq(p_field(out, "uid"), SHIFT_COUNT);
        ck_assert_uint_eq(p_field(out, "gid"), SHIFT_COUNT);
        nsbox_free(box);
    }
}
END_TEST

/* A running sandbox the caller then joins, without nsbox_set_user. */
static nsbox_proc *sleeper(nsbox *box)
{
    char *argv[] = {"/bin/sleep", "100", NULL};
    nsbox_proc *p;
    int r = nsbox_spawn(box, argv, &p);
    ck_assert_msg(r == 0, "spawn: %d %s", r, nsbox_errmsg(box));
    return p;
}

static void sleeper_stop(nsbox_proc *p, nsbox *box)
{
    nsbox_kill(p, SIGKILL);
    nsbox_wait(p, -1);
    nsbox_proc_free(p);
    nsbox_free(box);
}

START_TEST(test_joined_unmapped)
{
    t_as(_i);
    const char *secret = _i ? nobody_secret : root_secret;
    char out[256];
    nsbox *a = shifted_box(_i);
    nsbox_proc *pa = sleeper(a);
    nsbox *b = nsbox_new();
    ck_assert_int_eq(nsbox_join_namespace(b, NSBOX_NS_USER, nsbox_proc_pidfd(pa)), 0);
    attack_as_mapped_root(b, secret);
    nsbox_free(b);
    sleeper_stop(pa, a);

    /* neither the caller nor 0 mapped: the spawn fails and says so */
    a = nsbox_new();
    ck_assert_int_eq(nsbox_add_uid_map(a, 1000, SHIFT(_i), 10), 0);
    ck_assert_int_eq(nsbox_add_gid_map(a, 1000, SHIFT(_i), 10), 0);
    ck_assert_int_eq(nsbox_set_user(a, 1000, 1000), 0);
    pa = sleeper(a);
    b = nsbox_new();
    ck_assert_int_eq(nsbox_join_namespace(b, NSBOX_NS_USER, nsbox_proc_pidfd(pa)), 0);
    ck_assert_int_lt(p_helper(b, out, sizeof(out), "status", NULL), 0);
    ck_assert_msg(strstr(nsbox_errmsg(b), "of the joined user namespace maps neither"),
                  "message: %s", nsbox_errmsg(b));
    nsbox_free(b);
    sleeper_stop(pa, a);
    p_report("joined, unmapped host file", _i);
}
END_TEST

/* ------------------------------------------------- die with the parent */

enum { V_NO_USERNS, V_SHIFTED }; /* set_user(1000) without a user namespace, or shifted */

/* The caller, a forked process: spawns "sleep 100 <marker>" as uid 1000,
 * tells "s" before the spawn and the command's pid after it, then waits
 * to be killed. */
static void caller_main(int variant, int i, bool flag, const char *marker, int wfd)
{
    nsbox *box = variant == V_SHIFTED ? shifted_box(i) : nsbox_new();
    nsbox_set_user(box, 1000, 1000);
    if (flag)
        nsbox_set_flags(box, NSBOX_DIE_WITH_PARENT);
    char *argv[] = {"/bin/sleep", "100", (char *)marker, NULL};
    nsbox_proc *p;
    if (write(wfd, "s", 1) != 1)
        _exit(1);
    if (nsbox_spawn(box, argv, &p) < 0) {
        dprintf(2, "caller: %s\n", nsbox_errmsg(box));
        _exit(1);
    }
    pid_t pid = nsbox_proc_pid(p);
    if (write(wfd, &pid, sizeof(pid)) != sizeof(pid))
        _exit(1);
    for (;;)
        pause();
}

static pid_t caller_start(int variant, int i, bool flag, const char *marker, int *rfd)
{
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        caller_main(variant, i, flag, marker, fds[1]);
    }
    close(fds[1]);
    char c;
    ck_assert_int_eq(read(fds[0], &c, 1), 1);
    *rfd = fds[0];
    return pid;
}

static void caller_kill(pid_t caller)
{
    ck_assert_int_eq(kill(caller, SIGKILL), 0);
    ck_assert_int_eq(waitpid(caller, NULL, 0), caller);
}

/* Pids of live processes whose argv[2] is marker (zombies have none). */
static int marked(const char *marker, pid_t *pids, int max)
{
    DIR *d = opendir("/proc");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        char path[300], buf[256];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (len <= 0)
            continue;
        buf[len] = '\0';
        const char *a2 = buf + strlen(buf) + 1;
        if (a2 < buf + len && (a2 += strlen(a2) + 1) < buf + len && !strcmp(a2, marker))
            pids[n++] = (pid_t)atoi(e->d_name);
    }
    closedir(d);
    return n;
}

/* Waits up to ms for the marked processes to go; kills and counts the
 * ones left. The test process is the subreaper that reaps them. */
static int survivors(const char *marker, int ms)
{
    pid_t pids[8];
    int n = 0;
    for (int t = 0; t <= ms; t += 10) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if ((n = marked(marker, pids, 8)) == 0)
            return 0;
        usleep(10000);
    }
    for (int k = 0; k < n; k++)
        kill(pids[k], SIGKILL);
    for (int t = 0; t < 300 && marked(marker, pids, 8); t++) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        usleep(10000);
    }
    return n;
}

START_TEST(test_die_with_parent)
{
    t_as(_i);
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    for (int variant = _i ? V_SHIFTED : V_NO_USERNS; variant <= V_SHIFTED; variant++)
        for (int flag = 1; flag >= 0; flag--) {
            char marker[32];
            snprintf(marker, sizeof(marker), "0.%07d%d%d", (int)getpid(), variant, flag);
            int rfd;
            pid_t caller = caller_start(variant, _i, flag, marker, &rfd);
            pid_t cmd;
            ck_assert_int_eq(read(rfd, &cmd, sizeof(cmd)), sizeof(cmd));
            close(rfd);
            int pidfd = (int)syscall(SYS_pidfd_open, cmd, 0);
            ck_assert_int_ge(pidfd, 0);
            caller_kill(caller);
            struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
            int gone = poll(&pfd, 1, flag ? 3000 : 500);
            if (flag) {
                ck_assert_msg(gone == 1, "variant %d: the command outlived its caller", variant);
                ATTEMPT_BLOCKED();
            } else {
                /* the control: without the flag it lives on */
                ck_assert_msg(gone == 0, "variant %d: control: the command died", variant);
                ck_assert_int_eq(syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0), 0);
            }
            close(pidfd);
            ck_assert_int_eq(survivors(marker, 3000), 0);
        }
    p_report("die with parent after setuid", _i);
}
END_TEST

/* The caller is killed at varied points: right after the command
 * appears, or 0 to 1.4 ms into the spawn; no command may survive it. */
START_TEST(test_die_with_parent_race)
{
    t_as(_i);
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int left = 0, appeared = 0;
    for (int k = 0; k < 60; k++) {
        int variant = _i || k % 4 >= 2 ? V_SHIFTED : V_NO_USERNS;
        char marker[32];
        snprintf(marker, sizeof(marker), "0.%07d%02d", (int)getpid(), k);
        int rfd;
        pid_t caller = caller_start(variant, _i, true, marker, &rfd);
        if (k % 2 == 0) {
            pid_t cmd;
            ck_assert_int_eq(read(rfd, &cmd, sizeof(cmd)), sizeof(cmd));
            appeared++;
        } else {
            usleep((useconds_t)(k / 2 % 15) * 100);
        }
        caller_kill(caller);
        close(rfd);
        left += survivors(marker, 3000);
    }
    printf("die with parent race as %s: 60 kills (%d after the command appeared), %d "
           "survivors\n",
           _i ? "nobody" : "root", appeared, left);
    ck_assert_int_eq(left, 0);
}
END_TEST

int main(void)
{
    if (geteuid() != 0) {
        printf("skip: the suite starts as root (it drops to nobody per case and writes "
               "/etc/subuid for nobody's shifted map)\n");
        return 77;
    }
    if (access("/usr/bin/newuidmap", X_OK) < 0 || access("/usr/bin/newgidmap", X_OK) < 0) {
        printf("skip: nobody's shifted map needs newuidmap and newgidmap (package uidmap)\n");
        return 77;
    }
    Suite *s = suite_create("attack_id");
    TCase *tc = tcase_create("attack_id");
    tcase_add_unchecked_fixture(tc, fixture_make, fixture_remove);
    tcase_add_loop_test(tc, test_unmapped_host_file, 0, 2);
    tcase_add_loop_test(tc, test_shifted_fs_steps, 0, 6);
    tcase_add_loop_test(tc, test_id_choice, 0, 2);
    tcase_add_loop_test(tc, test_joined_unmapped, 0, 2);
    tcase_add_loop_test(tc, test_die_with_parent, 0, 2);
    tcase_add_loop_test(tc, test_die_with_parent_race, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
