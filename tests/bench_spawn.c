/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark: nsbox_run of /bin/true against a raw clone(CLONE_VM)+execve
 * with the same namespace flags, measured in the same process, medians of
 * interleaved runs (so that machine noise hits both alike). */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nsbox.h>

#define RUNS 201

static char *const true_argv[] = {"/bin/true", NULL};
extern char **environ;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int raw_child(void *arg)
{
    (void)arg;
    execve(true_argv[0], true_argv, environ);
    _exit(127);
}

static double raw_once(int flags, char *stack_top)
{
    double t0 = now_us();
    pid_t pid = clone(raw_child, stack_top, CLONE_VM | CLONE_VFORK | flags | SIGCHLD, NULL);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0) {
        perror("raw clone");
        exit(1);
    }
    return now_us() - t0;
}

static double lib_once(nsbox *box)
{
    double t0 = now_us();
    int r = nsbox_run(box, true_argv);
    if (r != 0) {
        fprintf(stderr, "nsbox_run: %d %s\n", r, nsbox_errmsg(box));
        exit(1);
    }
    return now_us() - t0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench(const char *name, unsigned ns, unsigned box_flags, int flags)
{
    static double raw[RUNS], lib[RUNS];
    size_t size = (size_t)256 * 1024;
    char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    nsbox *box = nsbox_new();
    nsbox_add_namespace(box, ns);
    nsbox_set_flags(box, box_flags);
    for (int i = 0; i < 5; i++) { /* warm up both paths */
        raw_once(flags, stack + size);
        lib_once(box);
    }
    for (int i = 0; i < RUNS; i++) {
        raw[i] = raw_once(flags, stack + size);
        lib[i] = lib_once(box);
    }
    qsort(raw, RUNS, sizeof(double), cmp);
    qsort(lib, RUNS, sizeof(double), cmp);
    double r = raw[RUNS / 2], l = lib[RUNS / 2];
    printf("%-24s raw clone+execve %8.1f us   nsbox_run %8.1f us   library/raw %.2f\n", name, r, l,
           l / r);
    nsbox_free(box);
    munmap(stack, size);
}

int main(void)
{
    if (geteuid() != 0) {
        printf("the spawn benchmark runs as root (the raw baseline needs no maps)\n");
        return 77;
    }
    int all = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
              CLONE_NEWCGROUP | CLONE_NEWTIME;
    printf("median of %d runs of /bin/true\n", RUNS);
    /* The raw baseline runs the command as PID 1; the library's default puts
     * its init there (one more exec), NSBOX_AS_PID1 does what the baseline does. */
    bench("no namespaces", 0, 0, 0);
    bench("all but net", NSBOX_NS_ALL & ~(unsigned)NSBOX_NS_NET, 0, all);
    bench("all but net, as PID 1", NSBOX_NS_ALL & ~(unsigned)NSBOX_NS_NET, NSBOX_AS_PID1, all);
    bench("all eight", NSBOX_NS_ALL, 0, all | CLONE_NEWNET);
    bench("all eight, as PID 1", NSBOX_NS_ALL, NSBOX_AS_PID1, all | CLONE_NEWNET);
    return 0;
}
