/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recipe's CPU-time and wall-time limits and their grace (the builder
 * calls; lib/parent/time_watch.c and the init enforce them). */
#include <errno.h>

#include "internal.h"

/* Above this (about 31 years) the deadlines in ns would near overflow. */
#define TIME_LIMIT_MAX_USEC 1000000000000000ULL

static int time_limit_set(nsbox *box, uint64_t *field, uint64_t usec, const char *what)
{
    if (!box)
        return -EINVAL;
    if (usec > TIME_LIMIT_MAX_USEC)
        return box_invalid(box, "%s %llu us: above the most this library takes (%llu us)", what,
                           (unsigned long long)usec, TIME_LIMIT_MAX_USEC);
    *field = usec;
    return 0;
}

NSBOX_EXPORT int nsbox_set_cpu_time_limit(nsbox *box, uint64_t usec)
{
    return time_limit_set(box, box ? &box->cpu_limit_usec : NULL, usec, "CPU-time limit");
}

NSBOX_EXPORT int nsbox_set_wall_time_limit(nsbox *box, uint64_t usec)
{
    return time_limit_set(box, box ? &box->wall_limit_usec : NULL, usec, "wall-time limit");
}

NSBOX_EXPORT int nsbox_set_extra_time(nsbox *box, uint64_t usec)
{
    return time_limit_set(box, box ? &box->extra_usec : NULL, usec, "extra time");
}
