/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Added cost of cgroup limits per spawn: the same spawn + wait of
 * /bin/true with and without memory.max + pids.max + cpu.max, measured
 * alternately in this process. Prints the figures and the ratio. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <nsbox.h>

#define ROUNDS 5
#define SPAWNS 40

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Mean ms per spawn+wait over SPAWNS runs. */
static double run(nsbox *box)
{
    char *argv[] = {"/bin/true", NULL};
    double t0 = now_ms();
    for (int i = 0; i < SPAWNS; i++)
        if (nsbox_run(box, argv) != 0) {
            fprintf(stderr, "bench-cgroup: %s\n", nsbox_errmsg(box));
            exit(1);
        }
    return (now_ms() - t0) / SPAWNS;
}

int main(void)
{
    nsbox *plain = nsbox_new(), *limited = nsbox_new();
    const char *parent = getenv("NSBOX_TEST_CGROUP_PARENT");
    if (parent)
        nsbox_set_cgroup_parent(limited, parent);
    if (nsbox_set_cgroup_limit(limited, "memory.max", "256M") < 0 ||
        nsbox_set_cgroup_limit(limited, "pids.max", "64") < 0 ||
        nsbox_set_cgroup_limit(limited, "cpu.max", "50000 100000") < 0)
        return 1;
    double best_plain = 1e9, best_limited = 1e9;
    run(plain);
    run(limited);
    /* Alternating rounds; the best round of each is least disturbed by
     * the other users of the machine. */
    for (int r = 0; r < ROUNDS; r++) {
        double a = run(plain), b = run(limited);
        best_plain = a < best_plain ? a : best_plain;
        best_limited = b < best_limited ? b : best_limited;
    }
    printf("spawn+wait /bin/true without limits: %.3f ms\n", best_plain);
    printf("spawn+wait /bin/true with memory+pids+cpu limits: %.3f ms\n", best_limited);
    printf("added cost per spawn: %.3f ms (ratio %.2fx)\n", best_limited - best_plain,
           best_limited / best_plain);
    nsbox_free(plain);
    nsbox_free(limited);
    return 0;
}
