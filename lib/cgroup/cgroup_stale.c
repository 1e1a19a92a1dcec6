/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of the sandboxes' cgroups, "nsbox-<pid>-<start>-<random>",
 * and the removal of those a dead caller left under a parent. <start> is
 * the caller's start time (/proc/PID/stat field 22, clock ticks since
 * boot): a pid alone was reused within minutes (pid_max 32768), so a
 * stale cgroup waited for the new holder of its pid to end. A cgroup is
 * stale when its caller's pid is gone, or held by a process that started
 * at another time; it is removed only once no process is left in its
 * subtree. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_impl.h"

int cg_proc_start(pid_t pid, unsigned long long *start)
{
    char path[32], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    _cleanup_close_ int fd = (int)CG_RETRY(open(path, O_RDONLY | O_CLOEXEC));
    if (fd < 0)
        return -errno;
    ssize_t n = CG_RETRY(read(fd, buf, sizeof(buf) - 1));
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    /* After "pid (comm)" (comm may hold spaces and parentheses): field 3
     * on; the start time is field 22. */
    char *f = strrchr(buf, ')');
    for (int i = 2; f && i < 22; i++)
        f = strchr(f + 1, ' ');
    if (!f)
        return -EIO;
    char *end;
    *start = strtoull(f + 1, &end, 10);
    return end == f + 1 ? -EIO : 0;
}

int cg_sandbox_name(struct errbuf *e, const struct cgroup_recipe *r, struct cgroup_sandbox *cg)
{
    cg->named = r->path != NULL;
    if (r->path) {
        const char *slash = strrchr(r->path, '/');
        snprintf(cg->name, sizeof(cg->name), "%s", slash ? slash + 1 : r->path);
        return 0;
    }
    unsigned long long start;
    int rc = cg_proc_start(getpid(), &start);
    if (rc < 0)
        return err_fail(e, -rc, "read our start time from /proc/%d/stat (the cgroup's name)",
                        (int)getpid());
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rnd = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
    }
    snprintf(cg->name, sizeof(cg->name), "nsbox-%d-%llu-%08x", (int)getpid(), start, rnd);
    return 0;
}

/* True when name is a sandbox cgroup whose caller is gone: its pid no
 * longer exists, or its holder started at another time than the name
 * says. A name without a start time (an older libnsbox's,
 * "nsbox-<pid>-<hex>") goes by the pid alone. A caller whose start time
 * cannot be read (/proc hides it) counts as alive. */
static bool stale_name(const char *name)
{
    if (strncmp(name, "nsbox-", 6) != 0)
        return false;
    char *end;
    long pid = strtol(name + 6, &end, 10);
    if (end == name + 6 || *end != '-' || pid <= 0 || pid == (long)getpid())
        return false;
    if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return true;
    const char *field = end + 1;
    unsigned long long named = strtoull(field, &end, 10), start = 0;
    if (end == field || *end != '-')
        return false; /* no start time: the pid exists */
    return cg_proc_start((pid_t)pid, &start) == 0 && start != named;
}

/* A detached sandbox's cgroup (nsbox_proc_detach sets the sticky bit):
 * it outlives its caller on purpose, until nsbox_cgroup_destroy. */
static bool detached(int parent_fd, const char *name)
{
    struct stat st;
    return fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || (st.st_mode & S_ISVTX);
}

static void pid_none(pid_t pid, void *arg)
{
    (void)pid;
    (void)arg;
}

/* No process anywhere in the subtree of name: a sandbox still running
 * keeps its cgroup, every level of it, until a spawn after its end. */
static bool subtree_empty(int parent_fd, const char *name)
{
    _cleanup_close_ int fd =
        (int)CG_RETRY(openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    return fd >= 0 && cg_walk_procs(fd, pid_none, NULL) == 0;
}

void cg_stale_remove(int parent_fd)
{
    int fd = (int)CG_RETRY(openat(parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd < 0)
        return;
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(dir));)
        if (e->d_type == DT_DIR && stale_name(e->d_name) && !detached(fd, e->d_name) &&
            subtree_empty(fd, e->d_name))
            cg_tree_remove(fd, e->d_name);
    closedir(dir);
}

int cg_parent_open(struct errbuf *e, struct cg_dir *d)
{
    d->parent_fd = (int)CG_RETRY(open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (d->parent_fd < 0)
        return err_fail(e, errno, "open cgroup parent %s", d->path);
    cg_stale_remove(d->parent_fd);
    return 0;
}
