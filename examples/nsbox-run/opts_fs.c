/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run options of the filesystem view, with bwrap's spelling and
 * meaning: when any of them is given, the root is an empty tmpfs that they
 * fill. --size and --perms apply to the next option that takes them. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

static long next_perms = -1;   /* --perms, for the next step; -1: its default */
static uint64_t next_size = 0; /* --size, for the next --tmpfs */

static int lib(struct run_ctx *ctx, int r)
{
    ctx->fs_used = true;
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

/* The pending --perms (or def), consumed by the step that takes it. */
static uint32_t take_perms(uint32_t def)
{
    uint32_t mode = next_perms >= 0 ? (uint32_t)next_perms : def;
    next_perms = -1;
    return mode;
}

/* bwrap's wording for a missing source, checked here as bwrap does before
 * it builds the sandbox; the library would say "bind mount SRC -> DEST".
 * The library follows no symlink in a source (an earlier sandbox may have
 * planted it): the command line's own links are resolved here, once, as
 * bwrap resolves them when it mounts. */
static int bind(struct run_ctx *ctx, char **args, unsigned flags)
{
    char *real = realpath(args[0], NULL);
    if (!real && !(flags & NSBOX_MOUNT_TRY))
        return run_error("Can't find source path %s: %s", args[0], strerror(errno));
    int r = lib(ctx, nsbox_add_bind_mount(ctx->box, real ? real : args[0], args[1], flags));
    free(real);
    return r;
}

#define BIND(fn, flags)                                                                            \
    static int fn(struct run_ctx *ctx, char **args)                                                \
    {                                                                                              \
        return bind(ctx, args, (flags));                                                           \
    }
BIND(opt_bind, 0)
BIND(opt_bind_try, NSBOX_MOUNT_TRY)
BIND(opt_ro_bind, NSBOX_MOUNT_RDONLY)
BIND(opt_ro_bind_try, NSBOX_MOUNT_RDONLY | NSBOX_MOUNT_TRY)
BIND(opt_dev_bind, NSBOX_MOUNT_DEV)
BIND(opt_dev_bind_try, NSBOX_MOUNT_DEV | NSBOX_MOUNT_TRY)

static int opt_tmpfs(struct run_ctx *ctx, char **args)
{
    uint64_t size = next_size;
    next_size = 0;
    return lib(ctx, nsbox_add_tmpfs(ctx->box, args[0], size, take_perms(0755)));
}

static int opt_size(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(args[0], &end, 10);
    if (errno || end == args[0] || *end || v == 0 || args[0][0] == '-')
        return run_error("Invalid size %s", args[0]);
    next_size = v;
    return 0;
}

static int parse_mode(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 8);
    if (errno || end == s || *end || v < 0 || v > 07777)
        return run_error("Permissions %s are not valid", s);
    *out = v;
    return 0;
}

static int opt_perms(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    return parse_mode(args[0], &next_perms);
}

static int opt_proc(struct run_ctx *ctx, char **args)
{
    return lib(ctx, nsbox_add_proc(ctx->box, args[0]));
}

static int opt_dev(struct run_ctx *ctx, char **args)
{
    return lib(ctx, nsbox_add_dev(ctx->box, args[0]));
}

static int opt_dir(struct run_ctx *ctx, char **args)
{
    return lib(ctx, nsbox_add_dir(ctx->box, args[0], take_perms(0755)));
}

static int opt_symlink(struct run_ctx *ctx, char **args)
{
    return lib(ctx, nsbox_add_symlink(ctx->box, args[0], args[1]));
}

static int opt_remount_ro(struct run_ctx *ctx, char **args)
{
    return lib(ctx, nsbox_remount_ro(ctx->box, args[0]));
}

/* Reads all of fd (then closes it, as bwrap does) into a malloc'd buffer. */
static int read_fd(const char *arg, char **data, size_t *len)
{
    long fd = run_parse_num(arg);
    if (fd < 0)
        return run_error("Invalid fd: %s", arg);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ssize_t got = 0;
    while (buf && (got = read((int)fd, buf + n, cap - n)) > 0) {
        n += (size_t)got;
        if (n == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    int err = errno;
    close((int)fd);
    if (!buf || got < 0) {
        free(buf);
        return run_error("Can't read fd %s: %s", arg, strerror(buf ? err : ENOMEM));
    }
    *data = buf;
    *len = n;
    return 0;
}

static int opt_file(struct run_ctx *ctx, char **args)
{
    char *data;
    size_t len;
    int r = read_fd(args[0], &data, &len);
    if (r < 0)
        return r;
    r = lib(ctx, nsbox_add_file(ctx->box, args[1], data, len, take_perms(0666)));
    free(data);
    return r;
}

/* --bind-data files: a mount needs a path in the sandbox's mount
 * namespace (an fd of ours belongs to the caller's namespace, which
 * open_tree refuses), so the bytes go into a host temporary file that is
 * removed when nsbox-run exits. */
static char *data_files[64];
static int n_data_files;

static void data_files_remove(void)
{
    for (int i = 0; i < n_data_files; i++) {
        unlink(data_files[i]);
        free(data_files[i]);
    }
}

static int write_all(int fd, const char *data, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

static int bind_data(struct run_ctx *ctx, char **args, unsigned flags)
{
    if (n_data_files == (int)(sizeof(data_files) / sizeof(data_files[0])))
        return run_error("Too many --bind-data options");
    char *data;
    size_t len;
    int r = read_fd(args[0], &data, &len);
    if (r < 0)
        return r;
    const char *tmp = getenv("TMPDIR");
    char *path = NULL;
    if (asprintf(&path, "%s/nsbox-run-data-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
        path = NULL;
    int fd = path ? mkostemp(path, O_CLOEXEC) : -1;
    if (fd >= 0) {
        static bool registered;
        if (!registered)
            registered = atexit(data_files_remove) == 0;
        data_files[n_data_files++] = path;
    }
    if (fd < 0 || write_all(fd, data, len) < 0 || fchmod(fd, take_perms(0666)) < 0)
        r = run_error("Can't write the data for %s: %s", args[1], strerror(errno));
    free(data);
    if (fd >= 0)
        close(fd);
    else
        free(path);
    if (r < 0)
        return r;
    return lib(ctx, nsbox_add_bind_mount(ctx->box, path, args[1], flags));
}

static int opt_bind_data(struct run_ctx *ctx, char **args)
{
    return bind_data(ctx, args, 0);
}

static int opt_ro_bind_data(struct run_ctx *ctx, char **args)
{
    return bind_data(ctx, args, NSBOX_MOUNT_RDONLY);
}

static int opt_chmod(struct run_ctx *ctx, char **args)
{
    long mode = 0; /* gcc 12 -O3 cannot see that parse_mode sets it on success */
    int r = parse_mode(args[0], &mode);
    if (r < 0)
        return r;
    return lib(ctx, nsbox_add_chmod(ctx->box, args[1], (uint32_t)mode));
}

static const struct run_opt fs_opts[] = {
    {"--bind", 2, opt_bind, "SRC DEST", "Bind mount the host path SRC on DEST"},
    {"--bind-try", 2, opt_bind_try, "SRC DEST", "Equal to --bind but ignores non-existent SRC"},
    {"--ro-bind", 2, opt_ro_bind, "SRC DEST", "Bind mount the host path SRC readonly on DEST"},
    {"--ro-bind-try", 2, opt_ro_bind_try, "SRC DEST",
     "Equal to --ro-bind but ignores non-existent SRC"},
    {"--dev-bind", 2, opt_dev_bind, "SRC DEST",
     "Bind mount the host path SRC on DEST, allowing device access"},
    {"--dev-bind-try", 2, opt_dev_bind_try, "SRC DEST",
     "Equal to --dev-bind but ignores non-existent SRC"},
    {"--tmpfs", 1, opt_tmpfs, "DEST", "Mount new tmpfs on DEST"},
    {"--size", 1, opt_size, "BYTES", "Set size in bytes for the next --tmpfs"},
    {"--perms", 1, opt_perms, "OCTAL",
     "Set permissions of the next --tmpfs, --dir, --file, --bind-data, --ro-bind-data"},
    {"--chmod", 2, opt_chmod, "OCTAL PATH", "Change permissions of PATH (must already exist)"},
    {"--proc", 1, opt_proc, "DEST", "Mount new procfs on DEST"},
    {"--dev", 1, opt_dev, "DEST", "Mount new dev on DEST"},
    {"--dir", 1, opt_dir, "DEST", "Create dir at DEST"},
    {"--symlink", 2, opt_symlink, "SRC DEST", "Create symlink at DEST with target SRC"},
    {"--file", 2, opt_file, "FD DEST", "Copy from FD to file DEST"},
    {"--bind-data", 2, opt_bind_data, "FD DEST",
     "Copy from FD to file which is bind-mounted on DEST"},
    {"--ro-bind-data", 2, opt_ro_bind_data, "FD DEST",
     "Copy from FD to file which is readonly bind-mounted on DEST"},
    {"--remount-ro", 1, opt_remount_ro, "DEST", "Remount DEST (and the mounts below it) read-only"},
    {NULL, 0, NULL, NULL, NULL},
};

/* As bwrap: any filesystem option means an empty tmpfs root. */
static int fs_finish(struct run_ctx *ctx)
{
    if (!ctx->fs_used)
        return 0;
    int r = nsbox_set_root(ctx->box, NULL);
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

static void fs_reset(void)
{
    data_files_remove();
    n_data_files = 0;
    next_perms = -1;
    next_size = 0;
}

const struct run_module run_module_fs = {fs_opts, fs_finish, fs_reset};
