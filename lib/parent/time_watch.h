/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The time limits from the caller's side (time_watch.c). */
#ifndef NSBOX_TIME_WATCH_H
#define NSBOX_TIME_WATCH_H

#include "internal.h"

/* nsbox_wait's side of the time limits: polls the pidfd for up to
 * timeout_ms (-1: until the sandbox ends, 0: once), killing the sandbox
 * when a limit is crossed. Without limits, a plain poll. */
void time_watch(nsbox_proc *p, int timeout_ms);
/* After the reap: settles the end and kill times from the init's record
 * (NULL: none) and our own clock. */
struct init_record;
void time_watch_settle(nsbox_proc *p, const struct init_record *rec);
/* CLOCK_MONOTONIC in ns. */
uint64_t time_now_ns(void);

#endif
