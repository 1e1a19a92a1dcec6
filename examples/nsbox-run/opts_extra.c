/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run options of bwrap's plumbing: the *-try namespaces, --args,
 * --argv0, --info-fd, --lock-file, --sync-fd, --level-prefix. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

/* Options whose effect comes after parsing, kept until then. Globals are
 * still reachable at exit, so the leak checker does not count them. */
static const char *argv0_arg;
static const char *lock_files[64];
static int n_lock_files;
static int lock_fds[64];
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
    return parse_fd(args[0], &ctx->info_fd);
}

static int opt_lock_file(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    if (n_lock_files == (int)(sizeof(lock_files) / sizeof(lock_files[0])))
        return run_error("Too many --lock-file options");
    if (args[0][0] != '/')
        return run_error("--lock-file %s: not an absolute path", args[0]);
    lock_files[n_lock_files++] = args[0];
    return 0;
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
    {"--lock-file", 1, opt_lock_file, "DEST",
     "Hold a read lock on DEST while the sandbox runs (differs from bwrap: "
     "nsbox-run takes it through /proc/PID/root once the command started)"},
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

/* bwrap's --info-fd document: the child's pid and the inode numbers of the
 * namespaces it runs in. */
static int write_info(struct run_ctx *ctx, nsbox_proc *proc)
{
    static const char *const kinds[][2] = {
        {"cgroup", "cgroup"},        {"ipc", "ipc"}, {"mnt", "mnt"}, {"net", "net"},
        {"pid", "pid_for_children"}, {"uts", "uts"},
    };
    pid_t pid = nsbox_proc_pid(proc);
    char doc[1024];
    int len = snprintf(doc, sizeof(doc), "{\n    \"child-pid\": %d", (int)pid);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        char path[64], target[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i][1]);
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
            continue;
        target[n] = '\0';
        const char *ino = strchr(target, '[');
        if (ino)
            len += snprintf(doc + len, sizeof(doc) - (size_t)len, ",\n    \"%s-namespace\": %lu",
                            kinds[i][0], strtoul(ino + 1, NULL, 10));
    }
    len += snprintf(doc + len, sizeof(doc) - (size_t)len, "\n}\n");
    ssize_t w = write(ctx->info_fd, doc, (size_t)len);
    close(ctx->info_fd);
    ctx->info_fd = -1;
    return w == len ? 0 : run_error("Write to info_fd: %s", strerror(w < 0 ? errno : EIO));
}

/* Takes the lock files: the sandbox's DEST is the host's /proc/PID/root/DEST.
 * The fds stay open (and the locks held) until nsbox-run exits. */
static int take_locks(nsbox_proc *proc)
{
    for (int i = 0; i < n_lock_files; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "/proc/%d/root%s", (int)nsbox_proc_pid(proc), lock_files[i]);
        lock_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (lock_fds[i] < 0)
            return run_error("Can't create lockfile %s: %s", lock_files[i], strerror(errno));
        struct flock lock = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
        if (fcntl(lock_fds[i], F_SETLK, &lock) < 0)
            return run_error("Can't lock file %s: %s", lock_files[i], strerror(errno));
    }
    return 0;
}

static int extra_started(struct run_ctx *ctx, nsbox_proc *proc)
{
    int r = take_locks(proc);
    if (r == 0 && ctx->info_fd >= 0)
        r = write_info(ctx, proc);
    return r;
}

static void extra_reset(void)
{
    free(args_data);
    free(args_argv);
    args_data = NULL;
    args_argv = NULL;
    argv0_arg = NULL;
    n_lock_files = 0;
}

const struct run_module run_module_extra = {extra_opts, extra_finish, extra_reset};
const struct run_hooks run_hooks_extra = {extra_started, NULL};
