/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark: OCI runtimes on the same bundle in the same process, runs
 * interleaved (so that machine noise hits them alike), medians and ratios
 * against a reference runtime.
 *
 *   bench-oci [-n RUNS] [-r REF] [-p POD IMAGE] BUNDLE STATEDIR NAME=PATH...
 *
 * direct: `PATH --root STATEDIR/NAME create --bundle BUNDLE --pid-file F ID`,
 *         `start ID`, wait for the container's process (this program is a
 *         child subreaper, so it is re-parented here), `delete ID`.
 * podman: `POD --runtime PATH run --rm IMAGE true` (POD: a podman command
 *         with its storage options, see lib.sh), when -p is given.
 * The bundle's command must be /bin/true (exit 0). tests/oci/bench.sh makes
 * the bundle, the state directory and the podman image, and runs this. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RT 8
#define WARMUP 2

struct rt {
    const char *name, *path;
    char root[4096];
    double *direct, *podman;
};

static const char *bundle, *statedir, *pod, *image;
static char logpath[4096];

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reaps what was re-parented here and is not waited for by name (a runtime's
 * helper that outlived it). */
static void reap_strays(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* Runs argv with stdin /dev/null and stdout+stderr to the log; dies with the
 * log on a non-zero status: a benchmark of a failing runtime means nothing. */
static void run(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int log = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench-oci: failed (status 0x%x):", st);
        for (int i = 0; argv[i]; i++)
            fprintf(stderr, " %s", argv[i]);
        fprintf(stderr, "\n--- its output (%s):\n", logpath);
        char buf[4096];
        int fd = open(logpath, O_RDONLY | O_CLOEXEC);
        ssize_t n;
        while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
            fwrite(buf, 1, (size_t)n, stderr);
        exit(1);
    }
}

static double direct_once(struct rt *r, int i)
{
    char id[64], pidfile[4200];
    snprintf(id, sizeof id, "bench-%d-%d", (int)getpid(), i);
    snprintf(pidfile, sizeof pidfile, "%s/%s.pid", r->root, id);
    double t0 = now_ms();
    run((char *const[]){(char *)r->path, "--root", r->root, "create", "--bundle", (char *)bundle,
                        "--pid-file", pidfile, id, NULL});
    FILE *f = fopen(pidfile, "re");
    int cpid = 0;
    if (!f || fscanf(f, "%d", &cpid) != 1 || cpid <= 0) {
        fprintf(stderr, "bench-oci: %s create wrote no pid to %s\n", r->name, pidfile);
        exit(1);
    }
    fclose(f);
    run((char *const[]){(char *)r->path, "--root", r->root, "start", id, NULL});
    int st;
    if (waitpid(cpid, &st, 0) != cpid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr,
                "bench-oci: %s: the container's /bin/true (pid %d) did not exit 0: 0x%x %s\n",
                r->name, cpid, st, strerror(errno));
        exit(1);
    }
    run((char *const[]){(char *)r->path, "--root", r->root, "delete", id, NULL});
    double t = now_ms() - t0;
    unlink(pidfile);
    reap_strays();
    return t;
}

static double podman_once(struct rt *r)
{
    double t0 = now_ms();
    run((char *const[]){(char *)pod, "--runtime", (char *)r->path, "run", "--rm", (char *)image,
                        "true", NULL});
    double t = now_ms() - t0;
    reap_strays();
    return t;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *what, struct rt *rts, int nrt, int ref, int runs, int podman)
{
    double med[MAX_RT];
    for (int k = 0; k < nrt; k++) {
        double *v = podman ? rts[k].podman : rts[k].direct;
        med[k] = median(v, runs);
    }
    printf("%s (median of %d runs, ms; min..max)\n", what, runs);
    for (int k = 0; k < nrt; k++) {
        double *v = podman ? rts[k].podman : rts[k].direct;
        printf("  %-12s %8.1f ms  (%.1f..%.1f)  %s/%s %.2f\n", rts[k].name, med[k], v[0],
               v[runs - 1], rts[k].name, rts[ref].name, med[k] / med[ref]);
    }
}

int main(int argc, char **argv)
{
    int runs = 21, opt;
    const char *refname = "crun";
    while ((opt = getopt(argc, argv, "n:r:p:")) != -1) {
        switch (opt) {
        case 'n':
            runs = atoi(optarg);
            break;
        case 'r':
            refname = optarg;
            break;
        case 'p':
            pod = optarg;
            if (optind >= argc) {
                fprintf(stderr, "bench-oci: -p wants POD IMAGE\n");
                return 2;
            }
            image = argv[optind++];
            break;
        default:
            return 2;
        }
    }
    if (runs < 1 || argc - optind < 3 || argc - optind - 2 > MAX_RT) {
        fprintf(stderr, "usage: bench-oci [-n RUNS] [-r REF] [-p POD IMAGE] BUNDLE STATEDIR "
                        "NAME=PATH...\n");
        return 2;
    }
    bundle = argv[optind];
    statedir = argv[optind + 1];
    snprintf(logpath, sizeof logpath, "%s/run.log", statedir);
    struct rt rts[MAX_RT];
    int nrt = 0, ref = 0;
    for (int a = optind + 2; a < argc; a++, nrt++) {
        char *eq = strchr(argv[a], '=');
        if (!eq || eq[1] != '/') {
            fprintf(stderr, "bench-oci: want NAME=/abs/path: %s\n", argv[a]);
            return 2;
        }
        *eq = '\0';
        rts[nrt].name = argv[a];
        rts[nrt].path = eq + 1;
        snprintf(rts[nrt].root, sizeof rts[nrt].root, "%s/%s", statedir, argv[a]);
        rts[nrt].direct = calloc((size_t)runs, sizeof(double));
        rts[nrt].podman = calloc((size_t)runs, sizeof(double));
        if (!rts[nrt].direct || !rts[nrt].podman)
            return 1;
        if (strcmp(argv[a], refname) == 0)
            ref = nrt;
    }
    /* The containers' processes outlive `create`: they come back here. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        perror("PR_SET_CHILD_SUBREAPER");
        return 1;
    }
    for (int i = -WARMUP; i < runs; i++)
        for (int k = 0; k < nrt; k++) {
            double t = direct_once(&rts[k], i + WARMUP);
            if (i >= 0)
                rts[k].direct[i] = t;
        }
    report("create+start+wait+delete of /bin/true", rts, nrt, ref, runs, 0);
    fflush(stdout);
    if (!pod)
        return 0;
    for (int i = -WARMUP; i < runs; i++)
        for (int k = 0; k < nrt; k++) {
            double t = podman_once(&rts[k]);
            if (i >= 0)
                rts[k].podman[i] = t;
        }
    report("podman run --rm IMAGE true", rts, nrt, ref, runs, 1);
    return 0;
}
