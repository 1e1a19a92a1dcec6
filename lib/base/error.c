/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handle's error message: built once, where the failure is known, with
 * the errno's description appended (parent side only). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int vfail(nsbox *box, int err, const char *fmt, va_list ap)
{
    int len = vsnprintf(box->errmsg, sizeof(box->errmsg), fmt, ap);
    if (err && len >= 0 && (size_t)len < sizeof(box->errmsg)) {
        const char *text = strerrordesc_np(err);
        snprintf(box->errmsg + len, sizeof(box->errmsg) - len, ": %s",
                 text ? text : "Unknown error");
    }
    return -err;
}

int box_fail(nsbox *box, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfail(box, err, fmt, ap);
    va_end(ap);
    return r;
}

void box_append(nsbox *box, const char *fmt, ...)
{
    size_t len = strlen(box->errmsg);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(box->errmsg + len, sizeof(box->errmsg) - len, fmt, ap);
    va_end(ap);
}

int box_invalid(nsbox *box, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(box, 0, fmt, ap);
    va_end(ap);
    return -EINVAL;
}
