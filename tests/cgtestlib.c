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
    FILE *f = fopen("/proc/self/cgroup", "re");
    ck_assert_ptr_nonnull(f);
    char line[1024];
    out[0] = '\0';
    while (fgets(line, sizeof(line), f)) {
        char *c = strchr(line, ':'), *path = c ? strchr(c + 1, ':') : NULL;
        if (!path)
            continue;
        *path++ = '\0';
        path[strcspn(path, "\n")] = '\0';
        if (strcmp(c + 1, ctl) == 0)
            snprintf(out, size, "%s", strcmp(path, "/") == 0 ? "" : path);
    }
    fclose(f);
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
        snprintf(parent, sizeof(parent), "%s/" TEST_PREFIX "%d", base ? base : own, (int)getpid());
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
    snprintf(parent, sizeof(parent), TEST_PREFIX "%d", (int)getpid());
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

/* Removes the parents delegated_parent() made (empty once each case's
 * sandboxes and processes are gone). */
static int rm_test_dir(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    if (type == FTW_DP && strstr(path, "/" TEST_PREFIX))
        rmdir(path);
    (void)ftw;
    return 0;
}

void cg_test_dirs_remove(void)
{
    nftw(CG, rm_test_dir, 32, FTW_PHYS | FTW_DEPTH);
}
