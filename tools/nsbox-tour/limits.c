/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-tour's cgroup part: a memory limit and the usage report. */
#include <stdint.h>
#include <stdio.h>

#include "tour.h"

bool tour_limit_memory(nsbox *box, const char *size)
{
    if (nsbox_set_cgroup_limit(box, "memory.max", size) < 0) {
        printf("  (memory limit skipped: %s)\n", nsbox_errmsg(box));
        return false;
    }
    return true;
}

void tour_report_usage(nsbox_proc *proc, const char *indent)
{
    const char *cg = nsbox_proc_cgroup(proc);
    printf("%s%-20s %s\n", indent, "cgroup", cg ? cg : "(none)");
    printf("%s%-20s %.1f MiB\n", indent, "memory peak",
           (double)nsbox_proc_memory_peak(proc) / (1024 * 1024));
    printf("%s%-20s %llu us\n", indent, "cpu time", (unsigned long long)nsbox_proc_cpu_usec(proc));
    printf("%s%-20s %s\n", indent, "oom killed", nsbox_proc_oom_killed(proc) ? "yes" : "no");
}
