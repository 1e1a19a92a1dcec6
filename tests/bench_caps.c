/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark: the cost of the privilege steps in a spawn. nsbox_run of
 * /bin/true in a new user namespace with every capability kept (bounding
 * set untouched, no filter: the baseline) against the default (every
 * capability dropped: bounding set, capset, ambient) and the default plus
 * a small seccomp filter. Prints each ratio to the baseline. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>

#include "privtest.h"

#define RUNS 200

static double run_ms(nsbox *box)
{
    char *argv[] = {"/bin/true", NULL};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int k = 0; k < RUNS; k++)
        if (nsbox_run(box, argv) != 0) {
            fprintf(stderr, "bench-caps: %s\n", nsbox_errmsg(box));
            return -1;
        }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / RUNS;
}

int main(void)
{
    nsbox *all = nsbox_new(), *none = nsbox_new(), *filtered = nsbox_new();
    struct sock_filter f[P_DENY_INSNS];
    size_t len = p_deny(SYS_uname, 1, f);
    nsbox_add_namespace(all, NSBOX_NS_USER);
    nsbox_add_namespace(none, NSBOX_NS_USER);
    nsbox_add_namespace(filtered, NSBOX_NS_USER);
    nsbox_add_cap(all, "ALL");
    nsbox_set_seccomp_filter(filtered, f, len);
    run_ms(all); /* warm up */
    double base = run_ms(all), drop = run_ms(none), filt = run_ms(filtered);
    if (base < 0 || drop < 0 || filt < 0)
        return 1;
    printf("spawn+wait /bin/true, user namespace, %d runs each:\n", RUNS);
    printf("  all capabilities kept (baseline) %.3f ms\n", base);
    printf("  default: all dropped             %.3f ms  ratio %.3f\n", drop, drop / base);
    printf("  dropped + 7-instruction filter   %.3f ms  ratio %.3f\n", filt, filt / base);
    nsbox_free(all);
    nsbox_free(none);
    nsbox_free(filtered);
    return 0;
}
