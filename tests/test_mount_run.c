/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run's filesystem flags (bwrap's spelling), run as a program from
 * the path in $NSBOX_RUN, as root and as nobody. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

/* Runs nsbox-run with args; stdout and stderr into out. data[i] (if any)
 * is readable on fd 3 + i. Returns the exit status. */
static int run_tool(const char *const args[], const char *const data[], char *out, size_t size)
{
    const char *tool = getenv("NSBOX_RUN");
    ck_assert_ptr_nonnull(tool);
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)tool;
    for (int i = 0; args[i]; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    int o[2];
    ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, o[1], 1);
    posix_spawn_file_actions_adddup2(&fa, o[1], 2);
    int fds[4][2], nd = 0;
    for (; data && data[nd]; nd++) {
        ck_assert_int_eq(pipe2(fds[nd], O_CLOEXEC), 0);
        ck_assert_int_eq(write(fds[nd][1], data[nd], strlen(data[nd])), (ssize_t)strlen(data[nd]));
        close(fds[nd][1]);
        posix_spawn_file_actions_adddup2(&fa, fds[nd][0], 3 + nd);
    }
    pid_t pid;
    extern char **environ;
    ck_assert_int_eq(posix_spawn(&pid, tool, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(o[1]);
    for (int i = 0; i < nd; i++)
        close(fds[i][0]);
    size_t len = 0;
    ssize_t got;
    while (len + 1 < size && (got = read(o[0], out + len, size - 1 - len)) > 0)
        len += (size_t)got;
    out[len] = '\0';
    close(o[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define BASE                                                                                       \
    "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",   \
        "--symlink", "usr/lib64", "/lib64"

START_TEST(test_run_fs_flags)
{
    t_as(_i);
    const char *args[] = {BASE,
                          "--unshare-pid",
                          "--proc",
                          "/proc",
                          "--dev",
                          "/dev",
                          "--size",
                          "1048576",
                          "--perms",
                          "1777",
                          "--tmpfs",
                          "/t",
                          "--perms",
                          "0700",
                          "--dir",
                          "/d",
                          "--perms",
                          "0640",
                          "--file",
                          "3",
                          "/etc/f",
                          "--bind-data",
                          "4",
                          "/etc/bd",
                          "--ro-bind-data",
                          "5",
                          "/etc/rbd",
                          "--chmod",
                          "0600",
                          "/etc/bd",
                          "--dir",
                          "/r",
                          "--tmpfs",
                          "/r/s",
                          "--remount-ro",
                          "/r/s",
                          "--bind-try",
                          "/nonexistent",
                          "/nx",
                          "--",
                          "/bin/sh",
                          "-c",
                          "ls -A /; stat -c '%a' /t /d /etc/f /etc/bd; cat /etc/f /etc/bd "
                          "/etc/rbd; { true > /etc/rbd; } 2>/dev/null || echo rbd-ro; "
                          "{ true > /r/s/x; } 2>/dev/null || echo s-ro; "
                          "cd /proc && echo [0-9]*; ls /dev | wc -l",
                          NULL};
    const char *data[] = {"file-data\n", "bind-data\n", "ro-data\n", NULL};
    char out[4096];
    ck_assert_int_eq(run_tool(args, data, out, sizeof(out)), 0);
    ck_assert_msg(strstr(out, "1777\n700\n640\n600\nfile-data\nbind-data\nro-data\n"), "%s", out);
    ck_assert_msg(strstr(out, "rbd-ro\n") && strstr(out, "s-ro\n"), "%s", out);
    ck_assert_msg(strstr(out, "\n1 2\n14\n"), "%s", out);
    /* A tmpfs root: only what the flags made. */
    const char *root = "bin\nd\ndev\netc\nlib\nlib64\nproc\nr\nt\nusr\n";
    ck_assert_msg(strncmp(out, root, strlen(root)) == 0, "%s", out);
}
END_TEST

START_TEST(test_run_fs_errors)
{
    t_as(_i);
    char out[1024];
    const char *missing[] = {BASE, "--bind", "/nonexistent/src", "/x", "/bin/true", NULL};
    ck_assert_int_eq(run_tool(missing, NULL, out, sizeof(out)), 1);
    ck_assert_str_eq(out, "nsbox-run: Can't find source path /nonexistent/src: No such file or "
                          "directory\n");
    const char *perms[] = {"--perms", "9", "--dir", "/d", "/bin/true", NULL};
    ck_assert_int_eq(run_tool(perms, NULL, out, sizeof(out)), 1);
    ck_assert_str_eq(out, "nsbox-run: --perms takes an octal argument <= 07777\n");
    const char *rel[] = {"--tmpfs", "t", "/bin/true", NULL};
    ck_assert_int_eq(run_tool(rel, NULL, out, sizeof(out)), 1);
    ck_assert_str_eq(out, "nsbox-run: tmpfs \"t\": not an absolute path\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mount_run");
    TCase *tc = tcase_create("nsbox-run");
    tcase_add_loop_test(tc, test_run_fs_flags, 0, 2);
    tcase_add_loop_test(tc, test_run_fs_errors, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
