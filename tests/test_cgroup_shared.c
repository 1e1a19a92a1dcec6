/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A spawn into a cgroup it did not make (nsbox_set_cgroup_path naming an
 * existing one: nsbox-oci exec into a running container's) undoes only
 * what it did itself (issue 16). A long-running sandbox owns the cgroup;
 * spawns into the same cgroup that fail (a missing command, a mount the
 * kernel refuses, a missing cwd), that succeed and are reaped, and that
 * are killed or freed while running, leave it running in its cgroup, with
 * no cgroup, fd or zombie of theirs left. As root and as nobody with a
 * delegated parent, on the host's cgroup v1 and in the v2 guest. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgtestlib.h"
#include "testlib.h"

/* The suite's own cgroups, apart from the delegated parents
 * (cg_test_dirs_remove removes those at the end of the run). */
#define SH_PREFIX "nsbox-sh-"

/* The owner: a sandbox in the named cgroup "<parent>/<prefix><tag>-<pid>"
 * (made by this spawn), PID 1 of its namespaces, as an OCI container. */
struct owner {
    char path[700]; /* as given to nsbox_set_cgroup_path */
    char cg[700];   /* as nsbox_proc_cgroup names it */
    nsbox *box;
    nsbox_proc *p;
    int n_pids; /* its processes in the cgroup */
};

static void owner_start(struct owner *o, int i, const char *tag)
{
    char parent[512];
    abs_parent(i, SH_PREFIX, parent, sizeof(parent));
    snprintf(o->path, sizeof(o->path), "%s/" SH_PREFIX "%s-%d", parent, tag, (int)getpid());
    o->box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(o->box, NSBOX_NS_PID | NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_set_flags(o->box, NSBOX_AS_PID1), 0);
    ck_assert_msg(nsbox_set_cgroup_path(o->box, o->path) == 0, "%s", nsbox_errmsg(o->box));
    ck_assert_int_eq(nsbox_set_cgroup_limit(o->box, "pids.max", "64"), 0);
    char *argv[] = {"sleep", "1000", NULL};
    ck_assert_msg(nsbox_spawn(o->box, argv, &o->p) == 0, "%s", nsbox_errmsg(o->box));
    snprintf(o->cg, sizeof(o->cg), "%s", nsbox_proc_cgroup(o->p));
    o->n_pids = nsbox_cgroup_pids(o->box, o->cg, NULL, 0);
    ck_assert_int_ge(o->n_pids, 1);
}

/* A recipe that names the owner's cgroup and nothing else of it, as
 * nsbox-oci exec's does (the limits are the container's). */
static nsbox *guest_box(const struct owner *o)
{
    nsbox *box = nsbox_new();
    ck_assert_msg(nsbox_set_cgroup_path(box, o->path) == 0, "%s", nsbox_errmsg(box));
    return box;
}

/* The sub-cgroups of the owner's cgroup in hierarchy k, space-separated
 * and sorted into out. */
static void subdirs(const struct owner *o, int k, char *out, size_t size)
{
    char dir[1024];
    cg_fs_path(o->cg, k, dir, sizeof(dir));
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    ck_assert_msg(n >= 0, "%s: %s", dir, strerror(errno));
    out[0] = '\0';
    for (int j = 0; j < n; j++) {
        size_t len = strlen(out), add = strlen(list[j]->d_name);
        if (list[j]->d_type == DT_DIR && list[j]->d_name[0] != '.' && len + add + 2 <= size) {
            memcpy(out + len, list[j]->d_name, add);
            memcpy(out + len + add, " ", 2);
        }
        free(list[j]);
    }
    free(list);
}

/* The processes of the owner's cgroup: its own alone again within 5 s
 * (the stages of a failed spawn die with its first one, at once). */
static void owner_alone(const struct owner *o, const char *after)
{
    int n = -1;
    for (int ms = 0; ms < 5000; ms += 10) {
        n = nsbox_cgroup_pids(o->box, o->cg, NULL, 0);
        if (n == o->n_pids)
            return;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    ck_abort_msg("%s: %d processes in %s, the owner's %d", after, n, o->cg, o->n_pids);
}

/* After a spawn into the owner's cgroup: the owner still runs (its pidfd
 * not readable, nsbox_wait times out), its cgroup is there in every
 * hierarchy with nothing but its leaf below it, it holds the owner's
 * processes alone, and the spawn left no fd and no child. */
static void owner_intact(const struct owner *o, int fds, const char *after)
{
    struct pollfd pfd = {.fd = nsbox_proc_pidfd(o->p), .events = POLLIN};
    ck_assert_msg(poll(&pfd, 1, 0) == 0, "%s: the owner (pid %d) ended", after,
                  (int)nsbox_proc_pid(o->p));
    ck_assert_int_eq(nsbox_wait(o->p, 0), -ETIMEDOUT);
    ck_assert_msg(cg_present(o->cg) == ALL_HIERARCHIES, "%s: cgroup %s in %d hierarchies", after,
                  o->cg, cg_present(o->cg));
    for (int k = 0; k < ALL_HIERARCHIES; k++) {
        char below[256];
        subdirs(o, k, below, sizeof(below));
        ck_assert_msg(strcmp(below, "sandbox ") == 0, "%s: below %s (hierarchy %d): %s", after,
                      o->cg, k, below);
    }
    owner_alone(o, after);
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    ck_assert_msg(t_count_fds() == fds, "%s: %d fds, %d before", after, t_count_fds(), fds);
    ck_assert_msg(t_count_children() == 1, "%s: %d children (the owner alone)", after,
                  t_count_children());
}

/* The owner's end: killed through its own cgroup, which it made and so
 * removes at the reap. */
static void owner_end(struct owner *o)
{
    ck_assert_int_eq(nsbox_kill(o->p, SIGKILL), 0);
    ck_assert_int_eq(nsbox_wait(o->p, -1), 128 + SIGKILL);
    nsbox_proc_free(o->p);
    ck_assert_int_eq(cg_present(o->cg), 0);
    nsbox_free(o->box);
}

/* Spawns into the owner's cgroup that fail: before exec (a mount the
 * kernel refuses, a missing cwd) and at exec (a missing command). */
START_TEST(test_failed_spawns_keep_owner)
{
    struct owner o;
    owner_start(&o, _i, "fail");
    int fds = t_count_fds();
    owner_intact(&o, fds, "start");

    nsbox *box = guest_box(&o);
    char *missing[] = {"/no/such/command", NULL};
    nsbox_proc *p = NULL;
    ck_assert_int_eq(nsbox_spawn(box, missing, &p), -ENOENT);
    ck_assert_msg(strstr(nsbox_errmsg(box), "/no/such/command"), "%s", nsbox_errmsg(box));
    ck_assert_ptr_null(p);
    owner_intact(&o, fds, "a missing command");
    nsbox_free(box);

    box = guest_box(&o);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_MOUNT), 0);
    ck_assert_int_eq(nsbox_add_mount(box, "tmpfs", "tmpfs", "/tmp", 0, "size=bogus"), 0);
    char *true_argv[] = {"true", NULL};
    int r = nsbox_spawn(box, true_argv, &p);
    ck_assert_msg(r == -EINVAL && strstr(nsbox_errmsg(box), "size=bogus"), "%d: %s", r,
                  nsbox_errmsg(box));
    owner_intact(&o, fds, "a refused mount");
    nsbox_free(box);

    box = guest_box(&o);
    ck_assert_int_eq(nsbox_set_cwd(box, "/no/such/dir"), 0);
    r = nsbox_spawn(box, true_argv, &p);
    ck_assert_msg(r == -ENOENT && strstr(nsbox_errmsg(box), "/no/such/dir"), "%d: %s", r,
                  nsbox_errmsg(box));
    owner_intact(&o, fds, "a missing cwd");
    nsbox_free(box);
    owner_end(&o);
}
END_TEST

/* A spawn into the owner's cgroup that runs there (its /proc/PID/cgroup
 * names the owner's leaf), exits and is reaped; then ones killed with
 * nsbox_kill() and freed running with nsbox_proc_free(): each ends alone. */
START_TEST(test_reaped_spawns_keep_owner)
{
    struct owner o;
    owner_start(&o, _i, "reap");
    int fds = t_count_fds();

    nsbox *box = guest_box(&o);
    int rd;
    char *argv[] = {"cat", "/proc/self/cgroup", NULL};
    nsbox_proc *p = cg_spawn_out(box, argv, &rd);
    char buf[4096] = "";
    size_t len = 0;
    ssize_t n;
    while ((n = read(rd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(rd);
    ck_assert_int_eq(nsbox_wait(p, -1), 0);
    char leaf[800];
    snprintf(leaf, sizeof(leaf), "%s/sandbox\n", o.cg);
    ck_assert_msg(strstr(buf, leaf), "not in %s:\n%s", leaf, buf);
    nsbox_proc_free(p);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, -1, -1), 0);
    owner_intact(&o, fds, "a reaped spawn");

    char *sleeper[] = {"sleep", "1000", NULL};
    p = cg_spawn_out(box, sleeper, NULL);
    ck_assert_int_eq(nsbox_kill(p, SIGKILL), 0);
    ck_assert_int_eq(nsbox_wait(p, -1), 128 + SIGKILL);
    nsbox_proc_free(p);
    owner_intact(&o, fds, "a spawn killed with nsbox_kill");

    p = cg_spawn_out(box, sleeper, NULL);
    nsbox_proc_free(p);
    owner_intact(&o, fds, "a running spawn freed");
    nsbox_free(box);
    owner_end(&o);
}
END_TEST

/* A cgroup made by hand, without a leaf: a failed spawn and a reaped one
 * remove the leaf each made, and keep the cgroup. */
START_TEST(test_existing_cgroup_kept)
{
    char parent[512], path[700], dir[1024], leaf[1100];
    abs_parent(_i, SH_PREFIX, parent, sizeof(parent));
    snprintf(path, sizeof(path), "%s/" SH_PREFIX "hand-%d", parent, (int)getpid());
    for (int k = 0; k < ALL_HIERARCHIES; k++) {
        cg_fs_path(path, k, dir, sizeof(dir));
        ck_assert_int_eq(mkdir(dir, 0755), 0);
    }
    int fds = t_count_fds();
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_set_cgroup_path(box, path), 0);
    char *missing[] = {"/no/such/command", NULL};
    char *true_argv[] = {"true", NULL};
    ck_assert_int_eq(nsbox_run(box, missing), -ENOENT);
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(cg_present(path), ALL_HIERARCHIES);
        for (int k = 0; k < ALL_HIERARCHIES; k++) {
            cg_fs_path(path, k, dir, sizeof(dir));
            snprintf(leaf, sizeof(leaf), "%s/sandbox", dir);
            ck_assert_msg(access(leaf, F_OK) < 0 && errno == ENOENT, "%s left", leaf);
        }
        ck_assert_int_eq(t_count_fds(), fds);
        ck_assert_int_eq(t_count_children(), 0);
        ck_assert_int_eq(count_sandbox_cgroups(), 0);
        if (round == 0)
            ck_assert_msg(nsbox_run(box, true_argv) == 0, "%s", nsbox_errmsg(box));
    }
    for (int k = 0; k < ALL_HIERARCHIES; k++) {
        cg_fs_path(path, k, dir, sizeof(dir));
        ck_assert_int_eq(rmdir(dir), 0);
    }
    nsbox_free(box);
}
END_TEST

static void cleanup(void)
{
    cg_dirs_remove_named(SH_PREFIX);
    cg_test_dirs_remove();
}

int main(void)
{
    Suite *s = suite_create("cgroup_shared");
    TCase *tc = tcase_create("cgroup_shared");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, NULL, cleanup);
    tcase_add_loop_test(tc, test_failed_spawns_keep_owner, 0, 2);
    tcase_add_loop_test(tc, test_reaped_spawns_keep_owner, 0, 2);
    tcase_add_loop_test(tc, test_existing_cgroup_kept, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
