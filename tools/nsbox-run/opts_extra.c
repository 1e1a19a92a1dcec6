/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run options of bwrap's plumbing: the *-try namespaces, --args,
 * --argv0, --info-fd, --lock-file, --sync-fd, --level-prefix. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

/* Options whose effect comes after parsing, kept until then. Globals are
 * still reachable at exit, so the leak checker does not count them. */
static const char *argv0_arg;
static char *args_data;  /* --args: the bytes read, which the new argv points into */
static char **args_argv; /* --args: the command line with the args inserted */

static int lib(struct run_ctx *ctx, int r)
{
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

static int unshare_user_try(struct run_ctx *ctx, char **args)
{
    (void)args;
    ctx->ns |= NSBOX_NS_USER;
    ctx->ns_try |= NSBOX_NS_USER;
    return 0;
}

static int unshare_cgroup_try(struct run_ctx *ctx, char **args)
{
    (void)args;
    ctx->ns |= NSBOX_NS_CGROUP;
    ctx->ns_try |= NSBOX_NS_CGROUP;
    return 0;
}

static int parse_fd(const char *s, int *fd)
{
    long v = run_parse_num(s);
    if (v < 0)
        return run_error("Invalid fd: %s", s);
    *fd = (int)v;
    return 0;
}

/* Reads all of fd into a NUL-terminated buffer; *len excludes the NUL. */
static char *read_all(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (cap - n < 2) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                break;
            buf = grown;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (r == 0) {
            buf[n] = '\0';
            *len = n;
            return buf;
        }
        n += (size_t)r;
    }
    free(buf);
    return NULL;
}

/* --args FD: the NUL-separated arguments read from FD stand where the flag
 * stood, as bwrap does; they are parsed next. */
static int opt_args(struct run_ctx *ctx, char **args)
{
    int fd = -1;
    if (parse_fd(args[0], &fd) < 0)
        return -EINVAL;
    if (args_data)
        return run_error("--args may be given once");
    size_t len;
    args_data = read_all(fd, &len);
    if (!args_data)
        return run_error("Can't read --args data: %s", strerror(errno));
    close(fd);
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += args_data[i] == '\0' || i + 1 == len;
    int at = (int)(args - ctx->argv) - 1; /* where "--args" stands */
    args_argv = calloc((size_t)(ctx->argc - 2 + n + 1), sizeof(char *));
    if (!args_argv)
        return run_error("out of memory");
    int k = 0;
    for (int i = 0; i < at; i++)
        args_argv[k++] = ctx->argv[i];
    for (size_t i = 0; i < len; i += strlen(args_data + i) + 1)
        args_argv[k++] = args_data + i;
    for (int i = at + 2; i < ctx->argc; i++)
        args_argv[k++] = ctx->argv[i];
    ctx->argv = args_argv;
    ctx->argc = k;
    return 0;
}

static int opt_argv0(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    argv0_arg = args[0];
    return 0;
}

static int opt_info_fd(struct run_ctx *ctx, char **args)
{
    int r = parse_fd(args[0], &ctx->info_fd);
    if (r == 0)
        run_reserve_fd(ctx->info_fd);
    return r;
}

/* Taken inside the sandbox by the library, with the command's ids and
 * view, before exec (nsbox_add_lock_file): nsbox-run never resolves the
 * path itself, so a symlink or FIFO the sandbox planted there steers
 * nothing outside it. */
static int opt_lock_file(struct run_ctx *ctx, char **args)
{
    if (args[0][0] != '/')
        return run_error("--lock-file %s: not an absolute path", args[0]);
    return lib(ctx, nsbox_add_lock_file(ctx->box, args[0]));
}

/* --sync-fd FD: the command keeps FD open, so that it closes when the last
 * process of the sandbox ends. */
static int opt_sync_fd(struct run_ctx *ctx, char **args)
{
    int fd = -1;
    if (parse_fd(args[0], &fd) < 0)
        return -EINVAL;
    if (fd < 3)
        return run_error("Invalid fd: %s (stdio cannot be a sync fd)", args[0]);
    return lib(ctx, nsbox_pass_fd(ctx->box, fd, fd));
}

static int opt_level_prefix(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    (void)args;
    run_prefix = "<3>nsbox-run: ";
    return 0;
}

static const struct run_opt extra_opts[] = {
    {"--unshare-user-try", 0, unshare_user_try, "", "Create a new user namespace if possible"},
    {"--unshare-cgroup-try", 0, unshare_cgroup_try, "",
     "Create a new cgroup namespace if possible"},
    {"--args", 1, opt_args, "FD", "Parse NUL-separated args from FD"},
    {"--argv0", 1, opt_argv0, "VALUE", "Set argv[0] to VALUE (the program is still COMMAND)"},
    {"--info-fd", 1, opt_info_fd, "FD", "Write JSON information about the sandbox to FD"},
    {"--lock-file", 1, opt_lock_file, "DEST", "Take a lock on DEST while sandbox is running"},
    {"--sync-fd", 1, opt_sync_fd, "FD", "Keep this fd open while the sandbox is running"},
    {"--level-prefix", 0, opt_level_prefix, "", "Prepend <3> to diagnostic messages"},
    {NULL, 0, NULL, NULL, NULL},
};

/* Whether the kernel lets this process make a namespace of that kind: it
 * knows the kind, and for user namespaces, does not forbid them. */
static bool ns_possible(unsigned kind)
{
    const char *name = kind == NSBOX_NS_USER ? "user" : "cgroup";
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
    if (access(path, F_OK) < 0)
        return false;
    if (kind != NSBOX_NS_USER)
        return true;
    FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");
    long max = 1;
    if (f) {
        if (fscanf(f, "%ld", &max) != 1)
            max = 1;
        fclose(f);
    }
    return max > 0;
}

static int extra_finish(struct run_ctx *ctx)
{
    static const unsigned try_kinds[] = {NSBOX_NS_USER, NSBOX_NS_CGROUP};
    for (size_t i = 0; i < sizeof(try_kinds) / sizeof(try_kinds[0]); i++)
        if ((ctx->ns_try & try_kinds[i]) && !ns_possible(try_kinds[i]))
            ctx->ns &= ~try_kinds[i];
    if (argv0_arg) {
        int r = lib(ctx, nsbox_set_exec_path(ctx->box, ctx->command[0]));
        if (r < 0)
            return r;
        ctx->command[0] = (char *)argv0_arg;
    }
    return 0;
}

/* The namespaces nsbox-run made, as bwrap lists them in --info-fd and
 * --json-status-fd: "child-pid" then "<kind>-namespace" inode numbers of
 * the kinds created (never a joined one, never the user namespace), each
 * item after sep. Returns the length written into doc. */
int run_status_doc(struct run_ctx *ctx, nsbox_proc *proc, const char *sep, char *doc, size_t size)
{
    static const struct {
        unsigned ns;
        const char *name, *file;
    } kinds[] = {
        {NSBOX_NS_CGROUP, "cgroup", "cgroup"},
        {NSBOX_NS_IPC, "ipc", "ipc"},
        {NSBOX_NS_MOUNT, "mnt", "mnt"},
        {NSBOX_NS_NET, "net", "net"},
        {NSBOX_NS_PID, "pid", "pid_for_children"},
        {NSBOX_NS_UTS, "uts", "uts"},
    };
    pid_t pid = nsbox_proc_pid(proc);
    size_t len = (size_t)snprintf(doc, size, "\"child-pid\": %d", (int)pid);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && len < size; i++) {
        if (!(ctx->ns_created & kinds[i].ns))
            continue;
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i].file);
        if (stat(path, &st) == 0)
            len += (size_t)snprintf(doc + len, size - len, "%s\"%s-namespace\": %llu", sep,
                                    kinds[i].name, (unsigned long long)st.st_ino);
    }
    return len < size ? (int)len : (int)size - 1;
}

int run_write_all(int fd, const char *what, const char *data, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return run_error("Write to %s: %s", what, strerror(n < 0 ? errno : EIO));
        off += (size_t)n;
    }
    return 0;
}

/* bwrap's --info-fd document, written once the command started. */
static int write_info(struct run_ctx *ctx, nsbox_proc *proc)
{
    char doc[1024], body[900];
    run_status_doc(ctx, proc, ",\n    ", body, sizeof(body));
    int len = snprintf(doc, sizeof(doc), "{\n    %s\n}\n", body);
    int r = run_write_all(ctx->info_fd, "info_fd", doc, (size_t)len);
    close(ctx->info_fd);
    ctx->info_fd = -1;
    return r;
}

static int extra_started(struct run_ctx *ctx, nsbox_proc *proc)
{
    return ctx->info_fd >= 0 ? write_info(ctx, proc) : 0;
}

static void extra_reset(void)
{
    free(args_data);
    free(args_argv);
    args_data = NULL;
    args_argv = NULL;
    argv0_arg = NULL;
}

const struct run_module run_module_extra = {extra_opts, extra_finish, extra_reset};
const struct run_hooks run_hooks_extra = {extra_started, NULL};
