/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_add_lock_file and nsbox_add_bind_data, as root and as nobody: the
 * lock is held from before exec until the reap and resolved inside the
 * sandbox; the bound data never sits in a file of the caller's tree. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

static const char *const usr_links[][2] = {
    {"usr/bin", "/bin"}, {"usr/lib", "/lib"}, {"usr/lib64", "/lib64"}};

/* A tmpfs root with /usr and its links, and dir bound at /data. */
static nsbox *box_with(const char *dir)
{
    nsbox *box = nsbox_new();
    ck_assert_ptr_nonnull(box);
    ck_assert_int_eq(nsbox_set_root(box, NULL), 0);
    ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY), 0);
    for (size_t i = 0; i < sizeof(usr_links) / sizeof(usr_links[0]); i++)
        ck_assert_int_eq(nsbox_add_symlink(box, usr_links[i][0], usr_links[i][1]), 0);
    if (dir)
        ck_assert_int_eq(nsbox_add_bind_mount(box, dir, "/data", 0), 0);
    return box;
}

/* Whether another process holds a lock that conflicts with a write lock. */
static bool write_locked(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    ck_assert_int_eq(fcntl(fd, F_GETLK, &lk), 0);
    close(fd);
    return lk.l_type != F_UNLCK;
}

static void make_dir(char *tmpl)
{
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
}

START_TEST(test_lock_held_from_exec_to_reap)
{
    t_as(_i);
    char dir[] = "/tmp/nsbox-lock-XXXXXX", path[64];
    make_dir(dir);
    snprintf(path, sizeof(path), "%s/lock", dir);
    close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    nsbox *box = box_with(dir);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    ck_assert_int_eq(nsbox_add_lock_file(box, "/data/lock"), 0);
    int fds = t_count_fds();
    char out[256];
    /* The command's fds: stdio and the one ls opens, not the lock's. */
    ck_assert_int_eq(t_sh(box, "ls /proc/self/fd | wc -l", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "4\n");
    nsbox_proc *proc;
    char *const argv[] = {"sleep", "30", NULL};
    ck_assert_int_eq(nsbox_spawn(box, argv, &proc), 0);
    ck_assert(write_locked(path));
    ck_assert_int_eq(nsbox_kill(proc, SIGKILL), 0);
    ck_assert_int_eq(nsbox_wait(proc, -1), 128 + SIGKILL);
    ck_assert(!write_locked(path)); /* released at the reap */
    nsbox_proc_free(proc);
    ck_assert_int_eq(t_count_fds(), fds);
    nsbox_free(box);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_lock_resolved_inside)
{
    t_as(_i);
    char dir[] = "/tmp/nsbox-lock-XXXXXX", secret_dir[] = "/tmp/nsbox-secret-XXXXXX";
    char link[64], secret[64], fifo[64];
    make_dir(dir);
    make_dir(secret_dir);
    snprintf(secret, sizeof(secret), "%s/secret", secret_dir);
    close(open(secret, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
    snprintf(link, sizeof(link), "%s/link", dir);
    ck_assert_int_eq(symlink(secret, link), 0);
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(fifo, 0644), 0);
    char out[256];
    /* An absolute symlink resolves in the sandbox's root: not found. */
    nsbox *box = box_with(dir);
    ck_assert_int_eq(nsbox_add_lock_file(box, "/data/link"), 0);
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -ENOENT);
    ck_assert_str_eq(nsbox_errmsg(box), "open lock file /data/link: No such file or directory");
    nsbox_free(box);
    /* A FIFO opens without waiting for a writer. */
    box = box_with(dir);
    ck_assert_int_eq(nsbox_add_lock_file(box, "/data/fifo"), 0);
    ck_assert_int_eq(t_sh(box, "echo ran", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "ran\n");
    nsbox_free(box);
    ck_assert_int_eq(nsbox_add_lock_file(box = nsbox_new(), "relative"), -EINVAL);
    nsbox_free(box);
    unlink(link);
    unlink(fifo);
    unlink(secret);
    rmdir(dir);
    rmdir(secret_dir);
}
END_TEST

START_TEST(test_bind_data)
{
    t_as(_i);
    nsbox *box = box_with(NULL);
    ck_assert_int_eq(nsbox_add_bind_data(box, "/etc/conf", "abc\n", 4, 0640, 0), 0);
    ck_assert_int_eq(nsbox_add_bind_data(box, "/etc/ro", "ro\n", 3, 0600, NSBOX_MOUNT_RDONLY), 0);
    char out[512];
    ck_assert_int_eq(t_sh(box,
                          "stat -c %a /etc/conf /etc/ro; cat /etc/conf /etc/ro;"
                          " echo x >> /etc/conf && echo rw; echo x >> /etc/ro || echo ro",
                          out, sizeof(out)),
                     0);
    ck_assert_str_eq(out, "640\n600\nabc\nro\nrw\nro\n");
    nsbox_free(box);
    /* Without a new root there is no private staging tmpfs: refused. */
    box = nsbox_new();
    ck_assert_int_eq(nsbox_add_bind_data(box, "/x", "a", 1, 0600, 0), 0);
    ck_assert_int_eq(t_sh(box, "true", out, sizeof(out)), -EINVAL);
    ck_assert_str_eq(nsbox_errmsg(box), "bind data /x: needs a new root (nsbox_set_root)");
    ck_assert_int_eq(nsbox_add_bind_data(box, "/x", "a", 1, 0600, NSBOX_MOUNT_TRY), -EINVAL);
    ck_assert_int_eq(nsbox_add_bind_data(box, "/", "a", 1, 0600, 0), -EINVAL);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lock_data");
    TCase *tc = tcase_create("lock_data");
    tcase_add_loop_test(tc, test_lock_held_from_exec_to_reap, 0, 2);
    tcase_add_loop_test(tc, test_lock_resolved_inside, 0, 2);
    tcase_add_loop_test(tc, test_bind_data, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
