/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-tour: the Quick start demo. main.c runs the tour, probe.c is what
 * runs on each side, limits.c the cgroup part. */
#ifndef NSBOX_TOUR_H
#define NSBOX_TOUR_H

#include <stdbool.h>
#include <nsbox.h>

#define TOUR_NS_KINDS 8
/* /proc/self/ns file names, in NSBOX_NS_* bit order. */
extern const char *const tour_ns_files[TOUR_NS_KINDS];

/* Prints what this process sees as "key value" lines; touches alloc_mib
 * MiB of memory after that. Returns the exit status. */
int tour_probe(long alloc_mib);

/* Puts the recipe under a memory limit; returns false (after saying why
 * on stdout) when this libnsbox or this host cannot. */
bool tour_limit_memory(nsbox *box, const char *size);

/* Prints the usage report of a process that was waited for. */
void tour_report_usage(nsbox_proc *proc, const char *indent);

#endif
