/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run options of privileges: capabilities and the seccomp filter,
 * with bubblewrap's meaning. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

/* bwrap: run by root (not setuid) without --cap-add/--cap-drop, the
 * command keeps root's capabilities; else it has only those added. */
static int cap_option_used;

static int opt_cap_add(struct run_ctx *ctx, char **args)
{
    cap_option_used = 1;
    int r = nsbox_add_cap(ctx->box, args[0]);
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

static int opt_cap_drop(struct run_ctx *ctx, char **args)
{
    cap_option_used = 1;
    int r = nsbox_drop_cap(ctx->box, args[0]);
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

/* Reads the whole of fd, then closes it (as bwrap does). */
static int read_all(int fd, char **data, size_t *len)
{
    size_t size = 0, n = 0;
    char *buf = NULL;
    int err = 0;
    for (;;) {
        if (n == size) {
            char *grown = realloc(buf, size = size ? size * 2 : 4096);
            if (!grown) {
                err = ENOMEM;
                break;
            }
            buf = grown;
        }
        ssize_t got = read(fd, buf + n, size - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            err = got < 0 ? errno : 0;
            break;
        }
        n += (size_t)got;
    }
    close(fd);
    if (err) {
        free(buf);
        return -err;
    }
    *data = buf;
    *len = n;
    return 0;
}

static int opt_seccomp(struct run_ctx *ctx, char **args)
{
    long fd = run_parse_num(args[0]);
    if (fd < 0)
        return run_error("Invalid fd: %s", args[0]);
    char *data = NULL;
    size_t len = 0;
    int r = read_all((int)fd, &data, &len);
    if (r < 0)
        return run_error("Can't read seccomp data from fd %ld: %s", fd, strerror(-r));
    r = nsbox_set_seccomp_filter(ctx->box, data, len);
    free(data);
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

static const struct run_opt priv_opts[] = {
    {"--cap-add", 1, opt_cap_add, "CAP", "Add cap CAP (or ALL) to those the command keeps"},
    {"--cap-drop", 1, opt_cap_drop, "CAP", "Drop cap CAP (or ALL) from those kept"},
    {"--seccomp", 1, opt_seccomp, "FD", "Load and use a seccomp BPF program from FD"},
    {NULL, 0, NULL, NULL, NULL},
};

static int priv_finish(struct run_ctx *ctx)
{
    if (cap_option_used || getuid() != 0)
        return 0;
    int r = nsbox_add_cap(ctx->box, "ALL");
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

static void priv_reset(void)
{
    cap_option_used = 0;
}

const struct run_module run_module_priv = {priv_opts, priv_finish, priv_reset};
