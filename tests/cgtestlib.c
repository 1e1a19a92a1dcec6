/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-side helpers of the cgroup suites: the mode, our own cgroups, a
 * parent delegated to nobody, and the count of sandbox cgroups left. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgdeleg.h"
#include "cgtestlib.h"
#include "testlib.h"

/* -------------------------------------------------------------- host side */

bool cg_v2(void)
{
    struct statfs sf;
    return statfs(CG, &sf) == 0 && sf.f_type == 0x63677270;
}

/* Our cgroup in the hierarchy of ctl ("" for v2), from /proc/self/cgroup. */
void own_cgroup(const char *ctl, char *out, size_t size)
{
    ck_assert_int_eq(cgd_cgroup_of(0, ctl, out, size), 0);
}

nsbox_proc *cg_spawn_out(nsbox *box, char *const argv[], int *rd)
{
    int fds[2] = {-1, -1};
    if (rd) {
        ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
        ck_assert_int_eq(nsbox_set_stdio(box, -1, fds[1], -1), 0);
    }
    nsbox_proc *p;
    int r = nsbox_spawn(box, argv, &p);
    if (rd)
        close(fds[1]);
    ck_assert_msg(r == 0, "spawn %s: %s", argv[0], nsbox_errmsg(box));
    if (rd)
        *rd = fds[0];
    return p;
}

/* freezer: nsbox_set_cgroup_path's cgroups are also there (test_detach). */
static const char *const v1_ctls[] = {"memory", "pids", "cpu", "cpuacct", "freezer", NULL};

void write_file(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
    ck_assert_msg(write(fd, value, strlen(value)) == (ssize_t)strlen(value), "write %s to %s: %s",
                  value, path, strerror(errno));
    close(fd);
}

void chown_cgroup(const char *dir)
{
    const char *const files[] = {
        "", "/cgroup.procs", "/cgroup.subtree_control", "/cgroup.threads", "/tasks", NULL};
    for (int i = 0; files[i]; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s%s", dir, files[i]);
        if (chown(path, NOBODY, NOBODY) < 0)
            ck_assert_int_eq(errno, ENOENT);
    }
}

unsigned long long proc_start(pid_t pid)
{
    char path[32], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields 3 to 22 follow "pid (comm)"; the start time is the last. */
    const char *c = strrchr(buf, ')');
    unsigned long long start = 0;
    if (c && sscanf(c + 2,
                    "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
                    "%llu",
                    &start) != 1)
        start = 0;
    return start;
}

/* This run's key, "nsbox-test-<pid>-<start>" of the test binary's main
 * process (the constructor runs there, before Check forks the cases):
 * every cgroup the suite makes is named "<key>-...", and only those are
 * removed at the end, not those of a parallel run by another user or
 * checkout. */
static char test_key[64];
__attribute__((constructor)) static void note_key(void)
{
    snprintf(test_key, sizeof(test_key), TEST_PREFIX "%d-%llu", (int)getpid(),
             proc_start(getpid()));
}

const char *cg_test_key(void)
{
    return test_key;
}

/* The hierarchies where a named cgroup must be (v1), or the one (v2). */
static const char *const named_dirs[] = {"memory", "pids", "freezer", "cpuacct", NULL};

void cg_fs_path(const char *cg, int k, char *out, size_t size)
{
    if (cg_v2())
        snprintf(out, size, CG "%s", cg);
    else
        snprintf(out, size, CG "/%s%s", named_dirs[k], cg);
}

int cg_present(const char *cg)
{
    int n = 0;
    for (int k = 0; named_dirs[k] && (k == 0 || !cg_v2()); k++) {
        char path[1024];
        cg_fs_path(cg, k, path, sizeof(path));
        n += access(path, F_OK) == 0;
    }
    return n;
}

void abs_parent(int i, const char *prefix, char *out, size_t size)
{
    if (cg_v2()) {
        const char *base = i == 1 ? delegated_parent() : getenv("NSBOX_TEST_CGROUP_PARENT");
        snprintf(out, size, "%s", base ? base : "");
    } else {
        /* Private even for root: other test runs on the host sweep the
         * hierarchies' roots with libraries of their own. */
        snprintf(out, size, "/%sdlg-%d", prefix, (int)getpid());
        for (int k = 0; named_dirs[k]; k++) {
            char dir[1024];
            cg_fs_path(out, k, dir, sizeof(dir));
            ck_assert_int_eq(mkdir(dir, 0755), 0);
            if (i == 1)
                chown_cgroup(dir);
        }
    }
    t_as(i);
}

/* As root: a parent cgroup chowned to nobody; returns the path for
 * nsbox_set_cgroup_parent. On v2 the test process moves into a leaf below
 * it, since the kernel checks the common ancestor when it places a child. */
const char *delegated_parent(void)
{
    static char parent[512];
    char own[256], dir[1024];
    if (cg_v2()) {
        const char *base = getenv("NSBOX_TEST_CGROUP_PARENT");
        own_cgroup("", own, sizeof(own));
        snprintf(parent, sizeof(parent), "%s/%s-%d", base ? base : own, test_key, (int)getpid());
        snprintf(dir, sizeof(dir), CG "%s", parent);
        ck_assert_int_eq(mkdir(dir, 0755), 0);
        char path[1200];
        snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
        write_file(path, "+memory +pids +cpu");
        chown_cgroup(dir);
        snprintf(path, sizeof(path), "%s/leaf", dir);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        chown_cgroup(path);
        snprintf(path, sizeof(path), "%s/leaf/cgroup.procs", dir);
        write_file(path, "0");
        return parent;
    }
    snprintf(parent, sizeof(parent), "%s-%d", test_key, (int)getpid());
    for (int i = 0; v1_ctls[i]; i++) {
        own_cgroup(v1_ctls[i], own, sizeof(own));
        snprintf(dir, sizeof(dir), CG "/%s%s/%s", v1_ctls[i], own, parent);
        ck_assert_int_eq(mkdir(dir, 0755), 0);
        chown_cgroup(dir);
    }
    return parent;
}

/* Runs the case as root (i 0) or as nobody with a delegated parent (i 1).
 * In the v2 guest, root uses the runner's parent cgroup. */
nsbox *cg_box(int i)
{
    const char *parent = i == 1 ? delegated_parent() : getenv("NSBOX_TEST_CGROUP_PARENT");
    t_as(i);
    nsbox *box = nsbox_new();
    ck_assert_ptr_nonnull(box);
    if (parent)
        ck_assert_int_eq(nsbox_set_cgroup_parent(box, parent), 0);
    return box;
}

/* Directories named nsbox-<our pid>-* anywhere under /sys/fs/cgroup. */
/* Directories older than the test binary belong to others' runs whose
 * pid ours happens to reuse (other suites' killed callers): not ours. */
static time_t started;
__attribute__((constructor)) static void note_start(void)
{
    started = time(NULL) - 1;
}

static int found;
static char count_prefix[32];
static int count_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    if (type == FTW_D && strncmp(path + ftw->base, count_prefix, strlen(count_prefix)) == 0 &&
        st->st_mtime >= started)
        found++;
    return 0;
}

int count_cgroups_named(const char *prefix)
{
    found = 0;
    snprintf(count_prefix, sizeof(count_prefix), "%s", prefix);
    nftw(CG, count_one, 32, FTW_PHYS);
    return found;
}

int count_sandbox_cgroups(void)
{
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "nsbox-%d-", (int)getpid());
    return count_cgroups_named(prefix);
}

/* No sandbox cgroup, no fd beyond the fds open before, no child. */
void assert_nothing_left(int fds)
{
    ck_assert_int_eq(count_sandbox_cgroups(), 0);
    ck_assert_int_eq(t_count_fds(), fds);
    ck_assert_int_eq(t_count_children(), 0);
}

/* Removes this run's cgroups (named "<key>-..."), empty once each case's
 * sandboxes and processes are gone. */
static int rm_test_dir(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    char own[sizeof(test_key) + 2];
    snprintf(own, sizeof(own), "/%s-", test_key);
    if (type == FTW_DP && strstr(path, own))
        rmdir(path);
    (void)ftw;
    return 0;
}

void cg_test_dirs_remove(void)
{
    nftw(CG, rm_test_dir, 32, FTW_PHYS | FTW_DEPTH);
}

static char named_prefix[64];
static int rm_named_dir(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP && strstr(path, named_prefix))
        rmdir(path);
    return 0;
}

void cg_dirs_remove_named(const char *prefix)
{
    snprintf(named_prefix, sizeof(named_prefix), "/%s", prefix);
    nftw(CG, rm_named_dir, 32, FTW_PHYS | FTW_DEPTH);
}

double cg_clock_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cg_helper_spin(clockid_t clock, int ms)
{
    double end = cg_clock_s(clock) + ms / 1000.0;
    volatile unsigned long x = 0;
    while (cg_clock_s(clock) < end)
        x++;
    return 0;
}

int cg_helper_alloc(long mb)
{
    for (long i = 0; i < mb; i++) {
        char *p = malloc(1 << 20);
        if (!p)
            return 3;
        memset(p, 1, 1 << 20);
    }
    return 0;
}
