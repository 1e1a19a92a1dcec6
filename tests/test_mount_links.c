/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Setup steps steered by an earlier sandbox (issue 11.3): a service runs
 * code as nobody with steps under nobody's own directory; that code
 * replaces the paths with symlinks to a private directory (the vault), and
 * the next spawn of the same steps must not follow them. Each attack runs
 * twice: with mount_test_naive() (the steps resolve as they did before:
 * the control, which shows the attack works) and as shipped (refused).
 * As root (i == 0: the vault is root's 0700, the sandbox runs as host
 * nobody) and as nobody (i == 1: the vault is nobody's own, never named by
 * the recipe). Everything lives in a tmpfs on /tmp of the test process's
 * own mount namespace, which ends with it. */
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
#include "mount.h"
#include "testlib.h"

#define HOME "/tmp/links/home"
#define VAULT "/tmp/links/vault"

static void mkdir_as(const char *path, mode_t mode, uid_t owner)
{
    ck_assert_int_eq(mkdir(path, mode), 0);
    ck_assert_int_eq(chmod(path, mode), 0);
    ck_assert_int_eq(chown(path, owner, owner), 0);
}

static void file_as(const char *path, mode_t mode, uid_t owner)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "secret\n", 7), 7);
    ck_assert_int_eq(fchown(fd, owner, owner), 0);
    ck_assert_int_eq(fchmod(fd, mode), 0);
    close(fd);
}

/* The tree, then t_as(i): home (nobody's) holds t, sub, data (dirs) and
 * conf (a file); the vault holds secret (0600). */
static void tree_make(int i)
{
    ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
    ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    ck_assert_int_eq(mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"), 0);
    uid_t vault_owner = i == 0 ? 0 : NOBODY;
    mkdir_as("/tmp/links", 0755, vault_owner);
    mkdir_as(HOME, 0755, NOBODY);
    mkdir_as(VAULT, 0700, vault_owner);
    file_as(VAULT "/secret", 0600, vault_owner);
    mkdir_as(HOME "/t", 0755, NOBODY);
    mkdir_as(HOME "/sub", 0755, NOBODY);
    mkdir_as(HOME "/data", 0755, NOBODY);
    file_as(HOME "/conf", 0600, NOBODY);
    t_as(i);
}

/* A recipe whose command runs as host nobody: root's sets the user (no
 * user namespace), nobody's is its own uid in a user namespace. */
static nsbox *box_new(int i)
{
    nsbox *box = nsbox_new();
    ck_assert_ptr_nonnull(box);
    if (i == 0)
        ck_assert_int_eq(nsbox_set_user(box, NOBODY, NOBODY), 0);
    else
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER), 0);
    return box;
}

/* Spawn 1: the sandbox, as nobody in its own directory, plants the links. */
static void plant(int i)
{
    nsbox *box = box_new(i);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_MOUNT), 0);
    char out[256];
    int r = t_sh(box,
                 "cd " HOME " && rm -rf t sub data conf && ln -s " VAULT " t && ln -s " VAULT
                 " sub && ln -s ../vault data && ln -s " VAULT "/secret conf && echo planted",
                 out, sizeof(out));
    ck_assert_msg(r == 0 && strcmp(out, "planted\n") == 0, "%d %s %s", r, out, nsbox_errmsg(box));
    nsbox_free(box);
}

/* Spawn 2 of the recipe: returns the status; naive: the control. */
static int attacked(nsbox *box, bool naive, char *out, size_t size)
{
    if (naive)
        mount_test_naive(box);
    return t_sh(box, "true", out, size);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void expect_eloop(nsbox *box, int r, const char *what)
{
    ck_assert_msg(r == -ELOOP, "%s: %d %s", what, r, nsbox_errmsg(box));
    ck_assert_msg(strstr(nsbox_errmsg(box), "a symlink on the way"), "%s", nsbox_errmsg(box));
    nsbox_free(box);
}

/* The three steps an earlier sandbox steers on the caller's root, each
 * with what the naive spawn did in the vault. */
enum { STEER_TMPFS, STEER_CHMOD, STEER_FILE, N_STEER };

static void steer_step(nsbox *box, int k)
{
    if (k == STEER_TMPFS) /* a missing mount point below a link: made in the vault */
        ck_assert_int_eq(nsbox_add_tmpfs(box, HOME "/t/cache", 0, 0), 0);
    else if (k == STEER_CHMOD) /* a path replaced by a link to the secret */
        ck_assert_int_eq(nsbox_add_chmod(box, HOME "/conf", 0644), 0);
    else /* a file below a link: written into the vault */
        ck_assert_int_eq(nsbox_add_file(box, HOME "/sub/out", "x", 1, 0644), 0);
}

/* Did the step reach the vault? Undoes it when it did. */
static bool steer_reached(int k)
{
    if (k == STEER_CHMOD)
        return mode_of(VAULT "/secret") == 0644 && chmod(VAULT "/secret", 0600) == 0;
    const char *path = k == STEER_TMPFS ? VAULT "/cache" : VAULT "/out";
    return exists(path) && remove(path) == 0;
}

START_TEST(test_steered_steps)
{
    tree_make(_i);
    plant(_i);
    static const char *const names[] = {"tmpfs", "chmod", "file"};
    char out[64];
    for (int k = 0; k < N_STEER; k++) {
        nsbox *box = box_new(_i);
        steer_step(box, k);
        ck_assert_int_eq(attacked(box, true, out, sizeof(out)), 0);
        nsbox_free(box);
        ck_assert_msg(steer_reached(k), "control %s: the attack did not work", names[k]);

        box = box_new(_i);
        steer_step(box, k);
        expect_eloop(box, attacked(box, false, out, sizeof(out)), names[k]);
        ck_assert_msg(!steer_reached(k), "%s reached the vault", names[k]);
    }
}
END_TEST

/* Under a new root: a bind source replaced by a link to the vault would
 * show the vault inside (its inode at /data). The link is relative: an
 * absolute one never resolved there, as the sources are reached through
 * /oldroot while the new root is built. */
START_TEST(test_bind_source)
{
    tree_make(_i);
    plant(_i);
    struct stat vault;
    ck_assert_int_eq(stat(VAULT, &vault), 0);
    char out[64], want[32];
    snprintf(want, sizeof(want), "%lu\n", (unsigned long)vault.st_ino);
    for (int naive = 1; naive >= 0; naive--) {
        nsbox *box = box_new(_i);
        ck_assert_int_eq(nsbox_set_root(box, NULL), 0);
        ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY), 0);
        ck_assert_int_eq(nsbox_add_symlink(box, "usr/bin", "/bin"), 0);
        ck_assert_int_eq(nsbox_add_symlink(box, "usr/lib", "/lib"), 0);
        ck_assert_int_eq(nsbox_add_symlink(box, "usr/lib64", "/lib64"), 0);
        ck_assert_int_eq(nsbox_add_bind_mount(box, HOME "/data", "/data", NSBOX_MOUNT_RDONLY), 0);
        if (naive)
            mount_test_naive(box);
        int r = t_sh(box, "stat -c %i /data", out, sizeof(out));
        if (naive) {
            ck_assert_msg(r == 0 && strcmp(out, want) == 0, "control: %d %s", r, out);
            nsbox_free(box);
        } else {
            ck_assert_msg(strstr(nsbox_errmsg(box), "source: a symlink"), "%s", nsbox_errmsg(box));
            expect_eloop(box, r, "bind");
        }
    }
}
END_TEST

/* With the caller's root, steps make nothing on the caller's filesystem:
 * a missing mount point names nsbox_set_root; a dir there is refused. */
START_TEST(test_nothing_created)
{
    tree_make(_i);
    char out[64];
    nsbox *box = box_new(_i);
    ck_assert_int_eq(nsbox_add_tmpfs(box, HOME "/new/t", 0, 0), 0);
    ck_assert_int_eq(attacked(box, false, out, sizeof(out)), -ENOENT);
    ck_assert_msg(strstr(nsbox_errmsg(box), "nsbox_set_root"), "%s", nsbox_errmsg(box));
    nsbox_free(box);
    box = box_new(_i);
    ck_assert_int_eq(nsbox_add_dir(box, HOME "/d", 0700), 0);
    ck_assert_int_eq(attacked(box, false, out, sizeof(out)), -EPERM);
    nsbox_free(box);
    ck_assert(!exists(HOME "/new") && !exists(HOME "/d"));
    /* On a tmpfs of the steps they work. */
    box = box_new(_i);
    ck_assert_int_eq(nsbox_add_tmpfs(box, HOME "/t", 0, 0), 0);
    ck_assert_int_eq(nsbox_add_dir(box, HOME "/t/a/b", 0700), 0);
    ck_assert_int_eq(nsbox_add_file(box, HOME "/t/a/f", "x", 1, 0600), 0);
    ck_assert_int_eq(nsbox_add_chmod(box, HOME "/t/a", 0711), 0);
    ck_assert_int_eq(nsbox_add_tmpfs(box, HOME "/t/a/b/m", 0, 0), 0);
    ck_assert_int_eq(
        t_sh(box, "stat -c %a " HOME "/t/a " HOME "/t/a/b " HOME "/t/a/f", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "711\n700\n600\n");
    nsbox_free(box);
    ck_assert(!exists(HOME "/t/a"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mount_links");
    TCase *tc = tcase_create("links");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_steered_steps, 0, 2);
    tcase_add_loop_test(tc, test_bind_source, 0, 2);
    tcase_add_loop_test(tc, test_nothing_created, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
