/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors and the log, as runc writes them: without --log, one logrus line
 * on stderr (time="..." level=error msg="..."); with --log FILE the line
 * goes to FILE (text, or JSON with level, msg and time) and the bare
 * message to stderr, which is what engines show their users. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

static char err_buf[4096];
static int log_fd = -1;
static int log_format = LOG_TEXT;
static bool log_debug;

int oci_log_open(const char *path, int format, bool debug)
{
    log_format = format;
    log_debug = debug;
    if (!path)
        return 0;
    log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0)
        return oci_err("open log file %s: %s", path, strerror(errno));
    return 0;
}

int oci_err(const char *fmt, ...)
{
    char tmp[sizeof(err_buf)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    memcpy(err_buf, tmp, sizeof(err_buf));
    return -1;
}

const char *oci_errmsg(void)
{
    return err_buf;
}

void oci_err_clear(void)
{
    err_buf[0] = '\0';
}

/* The message as a logrus text value: quoted, with " \ and controls
 * escaped. */
static void put_text_value(FILE *f, const char *msg)
{
    fputc('"', f);
    for (const char *p = msg; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if ((unsigned char)*p < 0x20)
            fprintf(f, "\\x%02x", (unsigned char)*p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* One line at level to fd: text or JSON (jansson escapes the message). */
static void log_line(int fd, const char *level, const char *msg)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f)
        return;
    if (log_format == LOG_JSON) {
        json_t *j = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", stamp);
        char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (s)
            fputs(s, f);
        free(s);
        json_decref(j);
    } else {
        fprintf(f, "time=\"%s\" level=%s msg=", stamp, level);
        put_text_value(f, msg);
    }
    fputc('\n', f);
    fclose(f);
    /* One write, so that lines of several processes never interleave. */
    if (write(fd, line, len) < 0) {
        /* nothing better to do: the log is where errors would go */
    }
    free(line);
}

void oci_log_error(void)
{
    const char *msg = err_buf[0] ? err_buf : "unknown error";
    if (log_fd >= 0) {
        log_line(log_fd, "error", msg);
        fprintf(stderr, "%s\n", msg);
    } else {
        log_line(STDERR_FILENO, "error", msg);
    }
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
    char msg[4096];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    log_line(log_fd >= 0 ? log_fd : STDERR_FILENO, level, msg);
}

void oci_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("warning", fmt, ap);
    va_end(ap);
}

void oci_debug(const char *fmt, ...)
{
    if (!log_debug)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog("debug", fmt, ap);
    va_end(ap);
}
