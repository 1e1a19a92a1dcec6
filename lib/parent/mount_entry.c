/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan's mount entries and their strings, for mount_plan.c and
 * mount_oci_plan.c (both build entries; neither calls the other's steps
 * back). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mount_build.h"

char *plan_printf(struct plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = len >= 0 ? plan_alloc(p, (size_t)len + 1) : NULL;
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* A new entry for destination dst (absolute, normalized), or NULL. */
struct mount_entry *plan_entry_new(struct mount_builder *b, enum mount_op op, const char *dst,
                                   const char *desc)
{
    struct mount_entry *e = &b->mp->e[b->mp->n];
    *e = (struct mount_entry){.op = op, .pre = -1, .desc = desc};
    e->dst = plan_strdup(b->p, dst[1] ? dst + 1 : ".");
    if (!e->dst || !desc)
        return NULL;
    const char *slash = strrchr(e->dst, '/');
    e->name_off = slash ? (int)(slash - e->dst) + 1 : 0;
    b->mp->n++;
    return e;
}
