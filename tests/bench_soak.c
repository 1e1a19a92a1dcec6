/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Soak benchmark (issue 12): N sandboxes in a row as root, N as nobody (in
 * a forked child, under a cgroup parent delegated to it), then 8 threads
 * sharing N. Each sandbox: user+pid+mnt+uts+ipc+net namespaces, a tmpfs
 * root with read-only binds, memory.max and pids.max. Prints spawn+wait
 * latency p50/p99 per 1,000 and fails on a wrong status or anything left:
 * fds, sandbox cgroups, mounts, children (zombies), entries in /tmp (the
 * staging mount point), or RSS growth past RSS_SLACK_KIB after warm-up.
 * NSBOX_SOAK_N sets N (default 10000; CI can run a short one). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nsbox.h>

#include "cgdeleg.h"

#define NOBODY 65534
#define THREADS 8
#define CHUNK 1000
#define RSS_SLACK_KIB 4096 /* allocator and stack noise; a leak per spawn is far more */

static char *const true_argv[] = {"/bin/true", NULL};
static int n_total;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0);
    closedir(d);
    return n;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int n = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    return n;
}

/* Children of every thread of ours, zombies included. */
static int count_children(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[300], buf[4096];
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
            close(fd);
        for (ssize_t i = 0; i < len; i++)
            n += buf[i] == ' ';
    }
    if (d)
        closedir(d);
    return n;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

/* The staging tmpfs's directories, if they ever land in the host's /tmp. */
static int count_staging(void)
{
    return (access("/tmp/newroot", F_OK) == 0) + (access("/tmp/oldroot", F_OK) == 0);
}

struct census {
    int fds, children, cgroups, mounts, staging;
};

static struct census census(void)
{
    return (struct census){count_dir("/proc/self/fd"), count_children(), cgd_count_of_pid(getpid()),
                           count_lines("/proc/self/mountinfo"), count_staging()};
}

/* Prints what differs; returns the number of differences. */
static int census_diff(const char *phase, struct census a, struct census b)
{
    static const char *const names[] = {"fds", "children", "sandbox cgroups", "mounts",
                                        "staging dirs in /tmp"};
    int x[] = {a.fds, a.children, a.cgroups, a.mounts, a.staging};
    int y[] = {b.fds, b.children, b.cgroups, b.mounts, b.staging};
    int bad = 0;
    for (int i = 0; i < 5; i++)
        if (x[i] != y[i]) {
            printf("%s: LEAK: %s %d before, %d after\n", phase, names[i], x[i], y[i]);
            bad++;
        }
    return bad;
}

static nsbox *soak_box(const char *cg_parent)
{
    nsbox *box = nsbox_new();
    int r = nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_PID | NSBOX_NS_MOUNT | NSBOX_NS_UTS |
                                         NSBOX_NS_IPC | NSBOX_NS_NET);
    if (r == 0)
        r = nsbox_set_root(box, NULL);
    if (r == 0)
        r = nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY);
    if (r == 0)
        r = nsbox_add_bind_mount(box, "/etc", "/etc", NSBOX_MOUNT_RDONLY);
    static const char *const links[][2] = {
        {"usr/bin", "/bin"}, {"usr/lib", "/lib"}, {"usr/lib64", "/lib64"}};
    for (int i = 0; r == 0 && i < 3; i++)
        r = nsbox_add_symlink(box, links[i][0], links[i][1]);
    if (r == 0)
        r = nsbox_set_cgroup_limit(box, "memory.max", "64M");
    if (r == 0)
        r = nsbox_set_cgroup_limit(box, "pids.max", "16");
    if (r == 0 && cg_parent)
        r = nsbox_set_cgroup_parent(box, cg_parent);
    if (r < 0) {
        printf("recipe: %s\n", nsbox_errmsg(box));
        exit(1);
    }
    return box;
}

static atomic_int failures;

/* One sandbox; the first few failures are printed. */
static int run_one(nsbox *box, double *ms)
{
    double t0 = now_ms();
    int r = nsbox_run(box, true_argv);
    *ms = now_ms() - t0;
    if (r != 0 && atomic_fetch_add(&failures, 1) < 5)
        printf("run: status %d: %s\n", r, nsbox_errmsg(box));
    return r != 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *phase, double *lat, int n)
{
    for (int k = 0; k < n; k += CHUNK) {
        int m = n - k < CHUNK ? n - k : CHUNK;
        qsort(lat + k, (size_t)m, sizeof(double), cmp_double);
        printf("%s %5d-%5d: p50 %6.2f ms  p99 %6.2f ms\n", phase, k + 1, k + m, lat[k + m / 2],
               lat[k + (m * 99) / 100]);
    }
}

/* n sandboxes in a row; RSS is taken after the first chunk (warm-up). */
static int soak_serial(const char *phase, const char *cg_parent, int n)
{
    double *lat = calloc((size_t)n, sizeof(double));
    nsbox *box = soak_box(cg_parent);
    struct census before = census();
    long rss0 = 0;
    int bad = 0;
    for (int i = 0; i < n; i++) {
        bad += run_one(box, &lat[i]);
        if (i + 1 == (n < CHUNK ? 1 : CHUNK))
            rss0 = rss_kib();
    }
    nsbox_free(box);
    long rss1 = rss_kib();
    report(phase, lat, n);
    printf("%s: %d failed runs; RSS %ld KiB after warm-up, %ld KiB at the end\n", phase, bad, rss0,
           rss1);
    if (rss1 - rss0 > RSS_SLACK_KIB) {
        printf("%s: LEAK: RSS grew by %ld KiB\n", phase, rss1 - rss0);
        bad++;
    }
    free(lat);
    return bad + census_diff(phase, before, census());
}

static double *thread_lat;
static atomic_int thread_next, thread_bad;

static void *thread_main(void *arg)
{
    nsbox *box = soak_box(arg);
    for (int i; (i = atomic_fetch_add(&thread_next, 1)) < n_total;)
        atomic_fetch_add(&thread_bad, run_one(box, &thread_lat[i]));
    nsbox_free(box);
    return NULL;
}

static int soak_threads(int n)
{
    struct census before = census();
    thread_lat = calloc((size_t)n, sizeof(double));
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, thread_main, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    report("threads", thread_lat, n);
    printf("threads: %d failed runs (%d threads)\n", atomic_load(&thread_bad), THREADS);
    free(thread_lat);
    return atomic_load(&thread_bad) + census_diff("threads", before, census());
}

/* ------------------------------------------------------------ as nobody */

static int soak_nobody(int n)
{
    const char *parent = cgd_delegate("nsbox-soak", NOBODY);
    if (!parent) {
        printf("nobody: cannot delegate a cgroup parent: %s\n", strerror(errno));
        cgd_undelegate();
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* as an ordinary user: dumpable again after the uid change */
        if (cgd_enter_leaf() < 0 || setgroups(0, NULL) < 0 ||
            setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0 ||
            prctl(PR_SET_DUMPABLE, 1) < 0)
            _exit(3);
        int bad = soak_serial("nobody", parent, n);
        fflush(stdout);
        _exit(bad ? 1 : 0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    int bad = !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    if (bad)
        printf("nobody: child status 0x%x\n", st);
    int left = cgd_count_of_pid(pid);
    if (left)
        printf("nobody: LEAK: %d sandbox cgroups of the child\n", left);
    return bad + left + cgd_undelegate();
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *env = getenv("NSBOX_SOAK_N");
    n_total = env ? atoi(env) : 10000;
    if (n_total < 1) {
        printf("NSBOX_SOAK_N=%s: not a positive count\n", env);
        return 1;
    }
    double t0 = now_ms();
    int bad = soak_serial("root", NULL, n_total);
    if (geteuid() == 0)
        bad += soak_nobody(n_total);
    else
        printf("nobody: skipped (not root)\n");
    bad += soak_threads(n_total);
    printf("soak: %d sandboxes x 3 in %.0f s: %s\n", n_total, (now_ms() - t0) / 1e3,
           bad ? "FAILED" : "ok");
    return bad ? 1 : 0;
}
