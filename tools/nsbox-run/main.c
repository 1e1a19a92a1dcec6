/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run: parses bwrap's command line into a recipe, runs the command,
 * exits with its status. Errors are one line: "nsbox-run: <message>". */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

static const struct run_module *const modules[] = {
    &run_module_core, &run_module_fs, &run_module_priv, &run_module_cgroup, &run_module_extra,
};
#define N_MODULES (sizeof(modules) / sizeof(modules[0]))

static const struct run_hooks *const hooks[] = {
    &run_hooks_extra,
    &run_hooks_cgroup,
};
#define N_HOOKS (sizeof(hooks) / sizeof(hooks[0]))

const char *run_prefix = "nsbox-run: ";
pid_t run_parent_pid;

int run_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(run_prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -EINVAL;
}

int run_lib_error(struct run_ctx *ctx, int r)
{
    fprintf(stderr, "%s%s\n", run_prefix, nsbox_errmsg(ctx->box));
    return r;
}

long run_parse_num(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > INT_MAX)
        return -1;
    return v;
}

void run_reserve_fd(int fd)
{
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
        return;
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nul >= 0 && nul != fd) {
        if (dup2(nul, fd) == fd)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        close(nul);
    }
}

static void usage(FILE *out)
{
    fprintf(out, "usage: nsbox-run [OPTIONS...] [--] COMMAND [ARGS...]\n\n");
    for (size_t m = 0; m < N_MODULES; m++)
        for (const struct run_opt *o = modules[m]->opts; o->name; o++) {
            char left[64];
            snprintf(left, sizeof(left), "%s %s", o->name, o->args_help);
            fprintf(out, "    %-28s %s\n", left, o->help);
        }
}

static const struct run_opt *find_opt(const char *name)
{
    for (size_t m = 0; m < N_MODULES; m++)
        for (const struct run_opt *o = modules[m]->opts; o->name; o++)
            if (strcmp(o->name, name) == 0)
                return o;
    return NULL;
}

/* Applies the options of ctx->argv (an option may replace it: --args);
 * returns the index of the command, or a negative errno. */
static int parse(struct run_ctx *ctx)
{
    int i = 1;
    while (i < ctx->argc &&
           (strncmp(ctx->argv[i], "--", 2) == 0 || strcmp(ctx->argv[i], "-h") == 0)) {
        char **argv = ctx->argv;
        if (strcmp(argv[i], "--") == 0)
            return i + 1;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("nsbox-run (libnsbox %s)\n", nsbox_version());
            exit(0);
        }
        const struct run_opt *o = find_opt(argv[i]);
        if (!o)
            return run_error("Unknown option %s", argv[i]);
        if (i + o->nargs >= ctx->argc)
            return run_error("%s takes %d argument%s", argv[i], o->nargs, o->nargs == 1 ? "" : "s");
        int r = run_fs_before(o->name);
        if (r == 0)
            r = o->apply(ctx, argv + i + 1);
        if (r < 0)
            return r;
        if (ctx->argv == argv) /* else the option stands replaced by others */
            i += 1 + o->nargs;
    }
    return i;
}

/* Spawns the command, lets the modules report it, waits: the status in
 * shell form, or a negative errno after printing the error. */
static int run_command(struct run_ctx *ctx)
{
    nsbox_proc *proc;
    int r = nsbox_spawn(ctx->box, ctx->command, &proc);
    if (r < 0)
        return run_lib_error(ctx, r);
    for (size_t h = 0; r >= 0 && h < N_HOOKS; h++)
        r = hooks[h]->started(ctx, proc);
    if (r >= 0)
        r = nsbox_wait(proc, -1);
    for (size_t h = 0; r >= 0 && h < N_HOOKS; h++)
        if (hooks[h]->ended && hooks[h]->ended(ctx, proc, r) < 0)
            r = -1;
    nsbox_proc_free(proc);
    return r;
}

int main(int argc, char **argv)
{
    run_parent_pid = getppid();
    struct run_ctx ctx = {.json_status_fd = -1, .info_fd = -1, .argc = argc, .argv = argv};
    /* A write to a closed --json-status-fd pipe fails with EPIPE and is
     * reported; the library resets the disposition in the sandbox. */
    signal(SIGPIPE, SIG_IGN);
    ctx.box = nsbox_new();
    if (!ctx.box) {
        run_error("out of memory");
        return 1;
    }
    int cmd = parse(&ctx);
    if (cmd >= 0 && cmd >= ctx.argc)
        cmd = run_error("No command specified");
    if (cmd >= 0)
        ctx.command = ctx.argv + cmd;
    for (size_t m = 0; cmd >= 0 && m < N_MODULES; m++)
        if (modules[m]->finish && modules[m]->finish(&ctx) < 0)
            cmd = -1;
    if (cmd >= 0 && nsbox_add_namespace(ctx.box, ctx.ns) < 0)
        cmd = run_lib_error(&ctx, -1);
    ctx.ns_created = ctx.ns | (ctx.fs_used ? NSBOX_NS_MOUNT : 0);
    if (cmd < 0) {
        nsbox_free(ctx.box);
        return 1;
    }
    int status = run_command(&ctx);
    nsbox_free(ctx.box);
    return status < 0 ? 1 : status;
}
