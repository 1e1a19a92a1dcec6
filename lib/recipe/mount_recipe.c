/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The filesystem builder calls: each validates its paths at once and
 * records one step; nothing touches the host until nsbox_spawn(). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mount.h"

#define MOUNT_FLAGS_ALL                                                                            \
    (NSBOX_MOUNT_RDONLY | NSBOX_MOUNT_TRY | NSBOX_MOUNT_DEV | NSBOX_MOUNT_NOEXEC)

void mount_recipe_free(struct mount_recipe *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->steps[i].src);
        free(m->steps[i].dst);
        free(m->steps[i].data);
        free(m->steps[i].fstype);
        free(m->steps[i].opts);
    }
    free(m->steps);
    free(m->root);
    free(m);
}

/* "/a//b/./c/../d" -> "/a/b/d": destinations are taken lexically, so that
 * ".." can never climb above "/" (symlinks are resolved at spawn, inside the
 * root). Returns a malloc'd string or NULL. */
char *path_normalize(const char *in)
{
    size_t cap = strlen(in) + 2;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t len = 0;
    for (const char *c = in; *c;) {
        while (*c == '/')
            c++;
        size_t n = strcspn(c, "/");
        if (n == 0)
            break;
        if (n == 2 && c[0] == '.' && c[1] == '.') {
            while (len > 0 && out[--len] != '/')
                ;
        } else if (!(n == 1 && c[0] == '.')) {
            out[len++] = '/';
            memcpy(out + len, c, n);
            len += n;
        }
        c += n;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return out;
}

/* Whether s names "/" once normalized ("/", "/.", "/a/.." ...): no file or
 * symlink can be made there. */
bool path_names_root(const char *s)
{
    char *n = path_normalize(s);
    bool root = n && strcmp(n, "/") == 0;
    free(n);
    return root;
}

struct mount_recipe *recipe_get(nsbox *box)
{
    if (!box->mnt)
        box->mnt = calloc(1, sizeof(*box->mnt));
    return box->mnt;
}

bool path_absolute(const char *s)
{
    return s && s[0] == '/';
}

/* Appends a step; takes ownership of src/dst/data/fstype/opts (freed on
 * failure, a NULL one where a value was expected being ENOMEM). */
int step_add(nsbox *box, const char *what, struct mount_step st)
{
    struct mount_recipe *m = recipe_get(box);
    struct mount_step *slot = m ? vec_push(&m->steps, &m->n, sizeof(*slot)) : NULL;
    if (!slot || !st.dst || (st.kind == MK_BIND && !st.src) || (st.kind == MK_SYMLINK && !st.src) ||
        (st.len && !st.data) || ((st.kind == MK_MOUNT || st.kind == MK_DEVICE) && !st.fstype)) {
        if (slot)
            m->n--;
        free(st.src);
        free(st.dst);
        free(st.data);
        free(st.fstype);
        free(st.opts);
        return box_fail(box, ENOMEM, "%s", what);
    }
    *slot = st;
    box->ns |= NSBOX_NS_MOUNT;
    return 0;
}

/* A bind source as an absolute path: a relative one is taken from the cwd
 * of this call. */
char *source_absolute(const char *src)
{
    if (src[0] == '/')
        return strdup(src);
    char *cwd = getcwd(NULL, 0);
    char *out = NULL;
    if (cwd && asprintf(&out, "%s/%s", strcmp(cwd, "/") ? cwd : "", src) < 0)
        out = NULL;
    free(cwd);
    return out;
}

NSBOX_EXPORT int nsbox_set_root(nsbox *box, const char *dir)
{
    if (!box)
        return -EINVAL;
    if (dir && !path_absolute(dir))
        return box_invalid(box, "root \"%s\": not an absolute path", dir);
    struct mount_recipe *m = recipe_get(box);
    char *copy = dir ? path_normalize(dir) : NULL;
    if (!m || (dir && !copy)) {
        free(copy);
        return box_fail(box, ENOMEM, "root %s", dir ? dir : "(tmpfs)");
    }
    free(m->root);
    m->root = copy;
    m->new_root = true;
    box->ns |= NSBOX_NS_MOUNT;
    return 0;
}

void mount_test_naive(nsbox *box)
{
    struct mount_recipe *m = recipe_get(box);
    if (m)
        m->naive = true;
}

NSBOX_EXPORT int nsbox_unmask_kernel_files(nsbox *box)
{
    if (!box)
        return -EINVAL;
    struct mount_recipe *m = recipe_get(box);
    if (!m)
        return box_fail(box, ENOMEM, "unmask kernel files");
    m->kernel_unmasked = true;
    return 0;
}

NSBOX_EXPORT int nsbox_add_bind_mount(nsbox *box, const char *src, const char *dst, unsigned flags)
{
    if (!box)
        return -EINVAL;
    if (!src || !*src || !path_absolute(dst))
        return box_invalid(box, "bind mount %s -> %s: %s", src ? src : "(null)",
                           dst ? dst : "(null)",
                           (!src || !*src) ? "empty source" : "destination is not absolute");
    if (flags & ~(unsigned)MOUNT_FLAGS_ALL)
        return box_invalid(box, "bind mount %s -> %s: unknown flags 0x%x", src, dst,
                           flags & ~(unsigned)MOUNT_FLAGS_ALL);
    return step_add(box, "bind mount",
                    (struct mount_step){.kind = MK_BIND,
                                        .src = source_absolute(src),
                                        .dst = path_normalize(dst),
                                        .flags = flags});
}

/* The calls that take only a destination (and a mode). */
int dst_step(nsbox *box, enum mount_kind kind, const char *what, const char *dst, uint32_t mode,
             uint64_t size)
{
    if (!box)
        return -EINVAL;
    if (!path_absolute(dst))
        return box_invalid(box, "%s \"%s\": not an absolute path", what, dst ? dst : "");
    if (mode & ~07777u)
        return box_invalid(box, "%s %s: mode 0%o has bits beyond 07777", what, dst, mode);
    return step_add(
        box, what,
        (struct mount_step){.kind = kind, .dst = path_normalize(dst), .mode = mode, .size = size});
}

NSBOX_EXPORT int nsbox_add_tmpfs(nsbox *box, const char *dst, uint64_t size_bytes, uint32_t mode)
{
    return dst_step(box, MK_TMPFS, "tmpfs", dst, mode ? mode : 0755, size_bytes);
}

NSBOX_EXPORT int nsbox_add_proc(nsbox *box, const char *dst)
{
    return dst_step(box, MK_PROC, "proc", dst, 0, 0);
}

NSBOX_EXPORT int nsbox_add_dev(nsbox *box, const char *dst)
{
    return dst_step(box, MK_DEV, "dev", dst, 0, 0);
}

NSBOX_EXPORT int nsbox_add_dir(nsbox *box, const char *dst, uint32_t mode)
{
    return dst_step(box, MK_DIR, "dir", dst, mode, 0);
}

NSBOX_EXPORT int nsbox_remount_ro(nsbox *box, const char *dst)
{
    return dst_step(box, MK_REMOUNT_RO, "remount read-only", dst, 0, 0);
}

NSBOX_EXPORT int nsbox_add_chmod(nsbox *box, const char *path, uint32_t mode)
{
    return dst_step(box, MK_CHMOD, "chmod", path, mode, 0);
}

NSBOX_EXPORT int nsbox_add_symlink(nsbox *box, const char *target, const char *linkpath)
{
    if (!box)
        return -EINVAL;
    if (!target || !*target || !path_absolute(linkpath) || path_names_root(linkpath))
        return box_invalid(
            box, "symlink %s -> %s: %s", linkpath ? linkpath : "(null)", target ? target : "(null)",
            (!target || !*target) ? "empty target" : "the link path must be absolute, not /");
    if (strlen(target) >= 4096)
        return box_invalid(box, "symlink %s: target longer than 4095 bytes", linkpath);
    return step_add(box, "symlink",
                    (struct mount_step){.kind = MK_SYMLINK,
                                        .src = strdup(target),
                                        .dst = path_normalize(linkpath)});
}

/* The calls that copy bytes into the recipe: a file written at dst, or
 * one bound there (flags: those allowed for the kind). */
static int data_step(nsbox *box, enum mount_kind kind, const char *what, const char *dst,
                     const void *data, size_t len, uint32_t mode, unsigned flags, unsigned allowed)
{
    if (!box)
        return -EINVAL;
    if (!path_absolute(dst) || path_names_root(dst) || (len && !data))
        return box_invalid(box, "%s %s: %s", what, dst ? dst : "(null)",
                           (len && !data) ? "no data for a non-zero length"
                                          : "the path must be absolute, not /");
    if (mode & ~07777u)
        return box_invalid(box, "%s %s: mode 0%o has bits beyond 07777", what, dst, mode);
    if (flags & ~allowed)
        return box_invalid(box, "%s %s: unknown flags 0x%x", what, dst, flags & ~allowed);
    void *copy = len ? malloc(len) : NULL;
    if (copy)
        memcpy(copy, data, len);
    return step_add(box, what,
                    (struct mount_step){.kind = kind,
                                        .dst = path_normalize(dst),
                                        .mode = mode,
                                        .flags = flags,
                                        .data = copy,
                                        .len = len});
}

NSBOX_EXPORT int nsbox_add_bind_data(nsbox *box, const char *dst, const void *data, size_t len,
                                     uint32_t mode, unsigned flags)
{
    return data_step(box, MK_BIND_DATA, "bind data", dst, data, len, mode, flags,
                     NSBOX_MOUNT_RDONLY | NSBOX_MOUNT_NOEXEC);
}

NSBOX_EXPORT int nsbox_add_file(nsbox *box, const char *dst, const void *data, size_t len,
                                uint32_t mode)
{
    return data_step(box, MK_FILE, "file", dst, data, len, mode, 0, 0);
}
