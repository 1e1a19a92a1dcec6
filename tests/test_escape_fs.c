/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filesystem escapes, as root in a user namespace (i == 0, host uid 0 by
 * the map "0 0 1") and as nobody (i == 1), made from inside by priv-helper:
 * write through a read-only bind, remount it read-write, unmount it to
 * reach what is below, see a host process in the /proc of a PID namespace;
 * write kernel settings (/proc/sys, sysrq-trigger, a bound /sys), read
 * masked /proc files, and undo the covers from a nested user namespace.
 * Each must fail with the errno asserted here; the kernel-file cases run
 * the same attempt with nsbox_unmask_kernel_files() first, as the control
 * that shows it works without the covers. */
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

/* ------------------------------------------------ kernel files (issue 11.2) */

static const char core_pattern[] = "/proc/sys/kernel/core_pattern";

/* A recipe of p_box(i) with its own PID namespace and /proc, on the
 * caller's root; unmasked: the control, with nsbox_unmask_kernel_files.
 * Without userns (root only): no user namespace, uid 0 with no capability. */
static nsbox *proc_box_as(int i, bool unmasked, bool userns)
{
    nsbox *box = userns ? p_box(i, false) : nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    if (unmasked)
        ck_assert_int_eq(nsbox_unmask_kernel_files(box), 0);
    return box;
}

static nsbox *proc_box(int i, bool unmasked)
{
    return proc_box_as(i, unmasked, true);
}

/* What opening path for writing gives (nothing is written). Root's sandbox
 * runs as host uid 0, which sysctl's permission check lets write with no
 * capability: the control says "ok"; nobody is refused by the kernel. */
static void expect_write(nsbox *box, int i, const char *path, const char *defended, bool control)
{
    char out[64];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "append", path, NULL), 0);
    if (control)
        ck_assert_msg(strcmp(out, i == 0 ? "ok" : "EACCES") == 0, "control %s: %s", path, out);
    else
        BLOCKED(out, i == 0 ? defended : "EACCES");
}

START_TEST(test_proc_sysctl_readonly)
{
    t_as(_i);
    const char *paths[] = {core_pattern, "/proc/sysrq-trigger"};
    /* Root's second round: no user namespace, uid 0 with no capability. */
    for (int userns = 1; userns >= (_i == 0 ? 0 : 1); userns--)
        for (int unmasked = 1; unmasked >= 0; unmasked--) {
            nsbox *box = proc_box_as(_i, unmasked, userns);
            for (size_t k = 0; k < 2; k++)
                if (access(paths[k], F_OK) == 0) /* this kernel may have no sysrq */
                    expect_write(box, _i, paths[k], "EROFS", unmasked);
            nsbox_free(box);
        }
    p_report("write /proc/sys, sysrq-trigger", _i);
}
END_TEST

/* The caller's /proc under the caller's root: covered as soon as the
 * sandbox has a mount namespace of its own. */
START_TEST(test_host_proc_readonly)
{
    t_as(_i);
    for (int unmasked = 1; unmasked >= 0; unmasked--) {
        nsbox *box = p_box(_i, false);
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_MOUNT), 0);
        if (unmasked)
            ck_assert_int_eq(nsbox_unmask_kernel_files(box), 0);
        expect_write(box, _i, core_pattern, "EROFS", unmasked);
        nsbox_free(box);
    }
    p_report("write the caller's /proc/sys", _i);
}
END_TEST

/* Masked files read as empty; the control reads the kernel's text (root)
 * or is refused (nobody: timer_list is 0400 root). */
START_TEST(test_proc_masked)
{
    t_as(_i);
    const char *script =
        "for f in /proc/timer_list /proc/kcore /proc/keys; do "
        "[ -e $f ] && { c=$( (wc -c < $f) 2>/dev/null) || c=denied; echo $f $c; }; "
        "done; ls -A /proc/acpi 2>/dev/null | wc -l";
    char out[512], ctl[512];
    nsbox *box = proc_box(_i, true);
    ck_assert_int_eq(t_sh(box, script, ctl, sizeof(ctl)), 0);
    nsbox_free(box);
    box = proc_box(_i, false);
    ck_assert_int_eq(t_sh(box, script, out, sizeof(out)), 0);
    nsbox_free(box);
    ck_assert_ptr_nonnull(strstr(out, "/proc/timer_list 0\n"));
    ck_assert_ptr_nonnull(strstr(out, "/proc/keys 0\n"));
    ck_assert_msg(!strstr(out, "/proc/kcore") || strstr(out, "/proc/kcore 0\n"), "%s", out);
    ck_assert_msg(strcmp(out + strlen(out) - 2, "0\n") == 0, "%s", out); /* acpi empty */
    ATTEMPT_BLOCKED();
    ck_assert_msg(strstr(ctl, _i == 0 ? "/proc/timer_list " : "/proc/timer_list denied") &&
                      !strstr(ctl, "/proc/timer_list 0\n"),
                  "control: %s", ctl);
    p_report("read masked /proc files", _i);
}
END_TEST

/* A writable sysfs attribute of root's, as a bound /sys shows it. */
static const char *sys_attr(void)
{
    static const char *const cands[] = {"/sys/kernel/mm/transparent_hugepage/enabled",
                                        "/sys/kernel/profiling", "/sys/kernel/mm/ksm/run"};
    for (size_t k = 0; k < sizeof(cands) / sizeof(cands[0]); k++)
        if (access(cands[k], F_OK) == 0)
            return cands[k];
    return NULL;
}

START_TEST(test_sys_bind_readonly)
{
    const char *attr = sys_attr();
    if (!attr) {
        printf("SKIP: no known writable sysfs attribute on this kernel\n");
        return;
    }
    t_as(_i);
    char out[64];
    for (int unmasked = 1; unmasked >= 0; unmasked--) {
        nsbox *box = p_box(_i, false);
        ck_assert_int_eq(nsbox_add_bind_mount(box, "/sys", "/sys", 0), 0);
        if (unmasked)
            ck_assert_int_eq(nsbox_unmask_kernel_files(box), 0);
        expect_write(box, _i, attr, "EROFS", unmasked);
        ck_assert_int_eq(t_sh(box, "ls -A /sys/firmware | wc -l", out, sizeof(out)), 0);
        ck_assert_msg(unmasked == (strcmp(out, "0\n") != 0), "firmware: %s", out);
        nsbox_free(box);
    }
    /* A bind of "/" holds the kernel's files one level down. */
    char dir[64], path[192];
    dir_make(dir, sizeof(dir));
    for (int unmasked = 1; unmasked >= 0; unmasked--) {
        nsbox *box = p_box(_i, false);
        ck_assert_int_eq(nsbox_add_bind_mount(box, "/", dir, 0), 0);
        if (unmasked)
            ck_assert_int_eq(nsbox_unmask_kernel_files(box), 0);
        snprintf(path, sizeof(path), "%s%s", dir, attr);
        expect_write(box, _i, path, "EROFS", unmasked);
        snprintf(path, sizeof(path), "%s%s", dir, core_pattern);
        expect_write(box, _i, path, "EROFS", unmasked);
        nsbox_free(box);
    }
    dir_remove(dir);
    p_report("write a bound /sys", _i);
}
END_TEST

/* From a nested user namespace (all capabilities again): a fresh procfs
 * (refused while every procfs of the mount namespace has locked covers)
 * and unmounting a cover (locked). The control mounts the procfs. */
START_TEST(test_nested_undo)
{
    t_as(_i);
    char out[64];
    nsbox *box = proc_box(_i, true);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "nested", "proc", NULL), 0);
    nsbox_free(box);
    if (strcmp(out, "EPERM") == 0 || strcmp(out, "ENOSPC") == 0) {
        printf("SKIP: no nested procfs even without covers here (%s)\n", out);
        return;
    }
    ck_assert_msg(strcmp(out, "ok") == 0, "control: %s", out);
    box = proc_box(_i, false);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "nested", "proc", NULL), 0);
    BLOCKED(out, "EPERM");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "nested", "/proc/sys", NULL), 0);
    BLOCKED(out, "EINVAL");
    nsbox_free(box);
    p_report("undo the covers, nested userns", _i);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("escape_fs");
    TCase *tc = tcase_create("escape_fs");
    tcase_add_loop_test(tc, test_ro_bind, 0, 2);
    tcase_add_loop_test(tc, test_remount_ro, 0, 2);
    tcase_add_loop_test(tc, test_proc_hides_host, 0, 2);
    tcase_add_loop_test(tc, test_proc_sysctl_readonly, 0, 2);
    tcase_add_loop_test(tc, test_host_proc_readonly, 0, 2);
    tcase_add_loop_test(tc, test_proc_masked, 0, 2);
    tcase_add_loop_test(tc, test_sys_bind_readonly, 0, 2);
    tcase_add_loop_test(tc, test_nested_undo, 0, 2);
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
