/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run options of the filesystem view, with bwrap's spelling and
 * meaning: when any of them is given, the root is an empty tmpfs that they
 * fill. --size and --perms apply to the option right after them. */
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
static uint64_t next_size = 0; /* --size, for the next --tmpfs; 0: none */

static int lib(struct run_ctx *ctx, int r)
{
    ctx->fs_used = true;
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

static bool name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

/* bwrap: --perms and --size apply to the option right after them (either
 * may come first); another option in between is an error. Pending ones
 * at the command are ignored, as bwrap does. */
int run_fs_before(const char *name)
{
    /* --args stands for the options it reads, checked one by one. */
    static const char *const takes_perms[] = {"--tmpfs",     "--dir",          "--file",
                                              "--bind-data", "--ro-bind-data", "--size",
                                              "--perms",     "--args",         NULL};
    static const char *const takes_size[] = {"--tmpfs", "--perms", "--size", "--args", NULL};
    if (next_perms >= 0 && !name_in(name, takes_perms))
        return run_error("--perms must be followed by an option that creates a file");
    if (next_size && !name_in(name, takes_size))
        return run_error("--size must be followed by --tmpfs");
    return 0;
}

/* bwrap's mode for the parents it makes of a destination with explicit
 * permissions: rwx for the owner, r-x for group and others where the
 * file's mode gives them any bit. */
static uint32_t parent_mode(uint32_t mode)
{
    return 0700 | (mode & 070 ? 050 : 0) | (mode & 07 ? 05 : 0);
}

/* Makes the missing parents of dst with mode, before the step that needs
 * them (existing ones are kept, as nsbox_add_dir does). */
static int add_parents(struct run_ctx *ctx, const char *dst, uint32_t mode)
{
    char path[4096];
    size_t len = 0;
    for (const char *c = dst; *c;) {
        while (*c == '/')
            c++;
        size_t n = strcspn(c, "/");
        if (n == 0 || !c[n])
            break; /* the last component is dst itself */
        if (n == 2 && c[0] == '.' && c[1] == '.') {
            while (len > 0 && path[--len] != '/')
                ;
        } else if (!(n == 1 && c[0] == '.')) {
            if (len + n + 2 > sizeof(path))
                return run_error("%s: path too long", dst);
            path[len++] = '/';
            memcpy(path + len, c, n);
            len += n;
            path[len] = '\0';
            int r = lib(ctx, nsbox_add_dir(ctx->box, path, mode));
            if (r < 0)
                return r;
        }
        c += n;
    }
    return 0;
}

/* The pending --perms (or def), consumed by the step that takes it; with
 * explicit permissions (or when parents_too), the missing parents of dst
 * are made with parent_mode first, as bwrap makes them. */
static int take_perms(struct run_ctx *ctx, const char *dst, uint32_t def, bool parents_too,
                      uint32_t *mode)
{
    bool given = next_perms >= 0;
    *mode = given ? (uint32_t)next_perms : def;
    next_perms = -1;
    return given || parents_too ? add_parents(ctx, dst, parent_mode(*mode)) : 0;
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
    uint32_t mode;
    int r = take_perms(ctx, args[0], 0755, false, &mode);
    return r < 0 ? r : lib(ctx, nsbox_add_tmpfs(ctx->box, args[0], size, mode));
}

static int opt_size(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    if (next_size)
        return run_error("--size given twice for the same action");
    char *end;
    errno = 0;
    unsigned long long v = strtoull(args[0], &end, 0);
    if (errno || end == args[0] || *end || v == 0 || strchr(args[0], '-'))
        return run_error("--size takes a non-zero number of bytes");
    next_size = v;
    return 0;
}

/* An octal mode up to 07777, or -1 after printing "<option> takes ...". */
static long parse_mode(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 8);
    if (errno || end == s || *end || v < 0 || v > 07777 || s[0] == '-' || s[0] == '+')
        return run_error("%s takes an octal argument <= 07777", opt), -1;
    return v;
}

static int opt_perms(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    if (next_perms >= 0)
        return run_error("--perms given twice for the same action");
    long mode = parse_mode("--perms", args[0]);
    if (mode < 0)
        return -EINVAL;
    next_perms = mode;
    return 0;
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
    uint32_t mode;
    int r = take_perms(ctx, args[0], 0755, false, &mode);
    return r < 0 ? r : lib(ctx, nsbox_add_dir(ctx->box, args[0], mode));
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
    uint32_t mode;
    int r = read_fd(args[0], &data, &len);
    if (r < 0)
        return r;
    r = take_perms(ctx, args[1], 0666, false, &mode);
    if (r == 0)
        r = lib(ctx, nsbox_add_file(ctx->box, args[1], data, len, mode));
    free(data);
    return r;
}

/* The bytes go to a file on the sandbox's private staging tmpfs, bound at
 * DEST (nsbox_add_bind_data): never a file of the host. Mode 0600 unless
 * --perms, and the parents made from it, as bwrap does. */
static int bind_data(struct run_ctx *ctx, char **args, unsigned flags)
{
    char *data;
    size_t len;
    uint32_t mode;
    int r = read_fd(args[0], &data, &len);
    if (r < 0)
        return r;
    r = take_perms(ctx, args[1], 0600, true, &mode);
    if (r == 0)
        r = lib(ctx, nsbox_add_bind_data(ctx->box, args[1], data, len, mode, flags));
    free(data);
    return r;
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
    long mode = parse_mode("--chmod", args[0]);
    if (mode < 0)
        return -EINVAL;
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
    next_perms = -1;
    next_size = 0;
}

const struct run_module run_module_fs = {fs_opts, fs_finish, fs_reset};
