/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cost of bind mounts: spawns /bin/true under a tmpfs root with 0, 10, 100
 * and 1,000 extra bind mounts and prints the cost per mount against the
 * 0-mount baseline of the same run. The per-mount cost should stay flat
 * (bubblewrap's grows with the count: its issue #384). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <nsbox.h>

#define RUNS 9

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(nsbox *box, const char *what)
{
    fprintf(stderr, "bench-mounts: %s: %s\n", what, nsbox_errmsg(box));
    exit(1);
}

/* The best of RUNS spawns of a recipe with n bind mounts of dir/<i>. */
static double time_recipe(const char *dir, int n, unsigned ns)
{
    nsbox *box = nsbox_new();
    if (nsbox_add_namespace(box, ns) < 0 || nsbox_set_root(box, NULL) < 0 ||
        nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY) < 0 ||
        nsbox_add_symlink(box, "usr/bin", "/bin") < 0 ||
        nsbox_add_symlink(box, "usr/lib", "/lib") < 0 ||
        nsbox_add_symlink(box, "usr/lib64", "/lib64") < 0)
        die(box, "recipe");
    for (int i = 0; i < n; i++) {
        char src[256], dst[64];
        snprintf(src, sizeof(src), "%s/%d", dir, i);
        snprintf(dst, sizeof(dst), "/m/%d", i);
        if (nsbox_add_bind_mount(box, src, dst, i % 2 ? NSBOX_MOUNT_RDONLY : 0) < 0)
            die(box, "bind");
    }
    char *argv[] = {"/bin/true", NULL};
    double best = 1e9;
    for (int r = 0; r < RUNS; r++) {
        double t = now();
        int status = nsbox_run(box, argv);
        t = now() - t;
        if (status != 0)
            die(box, "run");
        if (t < best)
            best = t;
    }
    nsbox_free(box);
    return best;
}

/* Per-mount cost for each count, and its ratio to the 100-mount figure
 * (about 1 when the cost is linear; bubblewrap's grows with the count). */
static void series(const char *dir, unsigned ns, const char *label)
{
    static const int counts[] = {10, 100, 1000};
    double t[3];
    time_recipe(dir, 0, ns); /* warm-up: page cache, first namespace of the kind */
    double base = time_recipe(dir, 0, ns);
    for (int k = 0; k < 3; k++)
        t[k] = time_recipe(dir, counts[k], ns);
    double per100 = (t[1] - base) / counts[1];
    printf("%s: baseline (0 extra mounts) %.2f ms (10 mounts are within its jitter)\n", label,
           base * 1e3);
    for (int k = 0; k < 3; k++) {
        double per = (t[k] - base) / counts[k];
        printf("%s: %5d mounts %8.2f ms  %6.1f us/mount  (x%.2f the 100-mount cost per mount)\n",
               label, counts[k], t[k] * 1e3, per * 1e6, per100 > 0 ? per / per100 : 0.0);
    }
}

int main(void)
{
    char dir[] = "/tmp/nsbox-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    for (int i = 0; i < 1000; i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%d", dir, i);
        mkdir(path, 0755);
    }
    series(dir, NSBOX_NS_MOUNT, "mount ns");
    series(dir, NSBOX_NS_MOUNT | NSBOX_NS_USER, "user+mount ns");
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
