/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See cgdeleg.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgdeleg.h"

#define CG "/sys/fs/cgroup"

/* v1: the limits' hierarchies and those the usage report reads. */
static const char *const v1_ctls[] = {"memory", "pids", "cpu", "cpuacct"};
#define N_DIRS (int)(sizeof(v1_ctls) / sizeof(v1_ctls[0]))

/* The delegated directories (v2: the parent and its leaf). */
static char dirs[N_DIRS][1100];

bool cgd_v2(void)
{
    struct statfs sf;
    return statfs(CG, &sf) == 0 && sf.f_type == 0x63677270;
}

int cgd_cgroup_of(pid_t pid, const char *ctl, char *out, size_t size)
{
    char file[32];
    if (pid)
        snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
    else
        snprintf(file, sizeof(file), "/proc/self/cgroup");
    FILE *f = fopen(file, "re");
    char line[1024];
    out[0] = '\0';
    if (!f)
        return -1;
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
    return 0;
}

static int put(const char *dir, const char *file, const char *value)
{
    char path[1200];
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
        return -1;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    int ok = fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

static int give(const char *dir, uid_t uid)
{
    static const char *const files[] = {"", "/cgroup.procs", "/cgroup.subtree_control", "/tasks"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[1200];
        if (snprintf(path, sizeof(path), "%s%s", dir, files[i]) >= (int)sizeof(path))
            return -1;
        if (chown(path, uid, uid) < 0 && errno != ENOENT)
            return -1;
    }
    return 0;
}

const char *cgd_delegate(const char *tag, uid_t uid)
{
    static char parent[1100];
    char own[512], name[64];
    snprintf(name, sizeof(name), "%s-%d", tag, (int)getpid());
    if (cgd_v2()) {
        /* The v2 guest lane names where tests may make cgroups: our own
         * cgroup holds processes, so it cannot delegate controllers. */
        const char *base = getenv("NSBOX_TEST_CGROUP_PARENT");
        cgd_cgroup_of(0, "", own, sizeof(own));
        if (snprintf(parent, sizeof(parent), "%s/%s", base ? base : own, name) >=
                (int)sizeof(parent) ||
            snprintf(dirs[0], sizeof(dirs[0]), CG "%s", parent) >= (int)sizeof(dirs[0]) ||
            snprintf(dirs[1], sizeof(dirs[1]), "%s/leaf", dirs[0]) >= (int)sizeof(dirs[1]))
            return NULL;
        if (mkdir(dirs[0], 0755) < 0 || put(dirs[0], "cgroup.subtree_control", "+memory +pids") ||
            mkdir(dirs[1], 0755) < 0 || give(dirs[0], uid) < 0 || give(dirs[1], uid) < 0)
            return NULL;
        return parent;
    }
    for (int i = 0; i < N_DIRS; i++) {
        cgd_cgroup_of(0, v1_ctls[i], own, sizeof(own));
        if (snprintf(dirs[i], sizeof(dirs[i]), CG "/%s%s/%s", v1_ctls[i], own, name) >=
            (int)sizeof(dirs[i]))
            return NULL;
        if (mkdir(dirs[i], 0755) < 0 || give(dirs[i], uid) < 0)
            return NULL;
    }
    snprintf(parent, sizeof(parent), "%s", name);
    return parent;
}

int cgd_enter_leaf(void)
{
    return cgd_v2() ? put(dirs[1], "cgroup.procs", "0") : 0;
}

/* Counts (and with rm, removes) nsbox-* directories in the delegated ones. */
static int sandboxes(bool rm)
{
    int n = 0;
    for (int i = 0; i < N_DIRS; i++) {
        DIR *d = dirs[i][0] ? opendir(dirs[i]) : NULL;
        for (struct dirent *e; d && (e = readdir(d));) {
            if (strncmp(e->d_name, "nsbox-", 6) != 0 || e->d_type != DT_DIR)
                continue;
            n++;
            if (rm && unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
                printf("rmdir %s/%s: %s\n", dirs[i], e->d_name, strerror(errno));
        }
        if (d)
            closedir(d);
    }
    return n;
}

int cgd_count_sandboxes(void)
{
    return sandboxes(false);
}

int cgd_remove_sandboxes(void)
{
    return sandboxes(true);
}

int cgd_undelegate(void)
{
    int bad = 0;
    for (int i = N_DIRS - 1; i >= 0; i--) {
        if (dirs[i][0] && rmdir(dirs[i]) < 0) {
            printf("rmdir %s: %s\n", dirs[i], strerror(errno));
            bad++;
        }
        dirs[i][0] = '\0';
    }
    return bad;
}

static char pid_prefix[32];
static int pid_found;
static int pid_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    if (type == FTW_D && strncmp(path + ftw->base, pid_prefix, strlen(pid_prefix)) == 0)
        pid_found++;
    return 0;
}

int cgd_count_of_pid(pid_t pid)
{
    snprintf(pid_prefix, sizeof(pid_prefix), "nsbox-%d-", (int)pid);
    pid_found = 0;
    nftw(CG, pid_one, 32, FTW_PHYS);
    return pid_found;
}
