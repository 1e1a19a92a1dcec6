/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filesystem escapes, as root in a user namespace (i == 0) and as nobody
 * (i == 1), made from inside by priv-helper: write through a read-only
 * bind, remount it read-write, unmount it to reach what is below, and see
 * a host process in the /proc of a PID namespace. Each must fail with the
 * errno asserted here.
 *
 * NOT registered in tests/meson.build yet: it uses the mount API
 * (nsbox_add_bind_mount, nsbox_remount_ro, nsbox_add_proc, see
 * /work/shared/API.md) that is being written in parallel; add
 * 'escape_fs' : ['test_escape_fs.c'] to the suites once it is merged. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privtest.h"

/* The directories of the cases live in one made by main(), which removes
 * it after the suite: a failed case exits before its dir_remove(). */
static char base[] = "/tmp/nsbox-escape-fs-XXXXXX";

/* A directory of the acting user (so that only the mount flag forbids
 * writing), removed by the caller with dir_remove(). */
static void dir_make(char *dir, size_t size)
{
    snprintf(dir, size, "%s/XXXXXX", base);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
}

static void dir_remove(const char *dir)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/new", dir);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
}

/* The three attempts on a read-only mount at dir: write, remount it
 * read-write, unmount it. The control shows the directory is writable
 * without the mount. */
static void attempt_ro(nsbox *box, const char *dir)
{
    char path[128], out[64];
    snprintf(path, sizeof(path), "%s/new", dir);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "create", path, NULL), 0);
    BLOCKED(out, "EROFS");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "remount-rw", dir, NULL), 0);
    BLOCKED(out, "EPERM");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "umount", dir, NULL), 0);
    BLOCKED(out, "EPERM");
    ck_assert_int_eq(access(path, F_OK), -1);
}

START_TEST(test_ro_bind)
{
    t_as(_i);
    char dir[64], path[128], out[64];
    dir_make(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/new", dir);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "create", path, NULL), 0);
    ck_assert_str_eq(out, "ok"); /* control */
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, dir, dir, NSBOX_MOUNT_RDONLY), 0);
    attempt_ro(box, dir);
    nsbox_free(box);
    dir_remove(dir);
    p_report("write a read-only bind", _i);
}
END_TEST

START_TEST(test_remount_ro)
{
    t_as(_i);
    char dir[64];
    dir_make(dir, sizeof(dir));
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_bind_mount(box, dir, dir, 0), 0);
    ck_assert_int_eq(nsbox_remount_ro(box, dir), 0);
    attempt_ro(box, dir);
    nsbox_free(box);
    dir_remove(dir);
    p_report("write after nsbox_remount_ro", _i);
}
END_TEST

/* With its own /proc, a PID namespace shows no host process. */
START_TEST(test_proc_hides_host)
{
    t_as(_i);
    pid_t victim = fork();
    ck_assert_int_ge(victim, 0);
    if (victim == 0)
        for (;;)
            pause();
    char path[64], out[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)victim);
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "read", path, NULL), 0);
    BLOCKED(out, "ENOENT");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "umount", "/proc", NULL), 0);
    BLOCKED(out, "EPERM");
    int st;
    ck_assert_int_eq(waitpid(victim, &st, WNOHANG), 0);
    kill(victim, SIGKILL);
    waitpid(victim, &st, 0);
    nsbox_free(box);
    p_report("see a host process in /proc", _i);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("escape_fs");
    TCase *tc = tcase_create("escape_fs");
    tcase_add_loop_test(tc, test_ro_bind, 0, 2);
    tcase_add_loop_test(tc, test_remount_ro, 0, 2);
    tcase_add_loop_test(tc, test_proc_hides_host, 0, 2);
    suite_add_tcase(s, tc);
    if (!mkdtemp(base) || chmod(base, 01777) < 0) {
        perror(base);
        return 1;
    }
    int r = t_run_suite(s);
    /* What failed cases left: their directory and the "new" file in it. */
    DIR *d = opendir(base);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s/new", base, e->d_name);
            unlink(path);
            snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
            rmdir(path);
        }
    if (d)
        closedir(d);
    if (rmdir(base) < 0) {
        perror(base);
        return 1;
    }
    return r;
}
