/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one error sink: a handle's message, built once where the failure is
 * known, with the errno's description appended (parent side only). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int vfail(struct errbuf *e, int err, const char *fmt, va_list ap)
{
    int len = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    if (err && len >= 0 && (size_t)len < sizeof(e->msg)) {
        const char *text = strerrordesc_np(err);
        snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", text ? text : "Unknown error");
    }
    return -err;
}

int err_fail(struct errbuf *e, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfail(e, err, fmt, ap);
    va_end(ap);
    return r;
}

void err_append(struct errbuf *e, const char *fmt, ...)
{
    size_t len = strlen(e->msg);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + len, sizeof(e->msg) - len, fmt, ap);
    va_end(ap);
}

int err_invalid(struct errbuf *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(e, 0, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

void err_clear(struct errbuf *e)
{
    e->msg[0] = '\0';
}
