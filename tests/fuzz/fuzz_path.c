/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: destination paths (path_normalize behind every mount
 * builder call). Input: NUL-separated paths; the byte before each picks
 * the call. Each accepted destination must equal a reference
 * normalization written here another way (a stack of components): absolute,
 * no "//", ".", "..", never above "/"; a file or symlink never at "/". */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mount.h"

/* The reference: split on '/', push names, pop on "..", join. */
static char *reference(const char *in)
{
    size_t n = strlen(in);
    char *copy = strdup(in), *out = malloc(n + 2);
    const char **stack = malloc((n / 2 + 1) * sizeof(*stack));
    assert(copy && out && stack);
    size_t depth = 0;
    for (char *save = NULL, *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, "..") == 0)
            depth -= depth > 0;
        else if (strcmp(c, ".") != 0)
            stack[depth++] = c;
    }
    size_t len = 0;
    for (size_t i = 0; i < depth; i++) {
        out[len++] = '/';
        memcpy(out + len, stack[i], strlen(stack[i]));
        len += strlen(stack[i]);
    }
    if (!len)
        out[len++] = '/';
    out[len] = '\0';
    free(stack);
    free(copy);
    return out;
}

/* Applies one builder call; *kind is its step kind, -1 for the root. */
static int apply(nsbox *box, unsigned op, const char *path, int *kind)
{
    switch (op % 8) {
    case 0:
        *kind = MK_DIR;
        return nsbox_add_dir(box, path, 0755);
    case 1:
        *kind = MK_TMPFS;
        return nsbox_add_tmpfs(box, path, 0, 0);
    case 2:
        *kind = MK_BIND;
        return nsbox_add_bind_mount(box, "/src", path, NSBOX_MOUNT_TRY);
    case 3:
        *kind = MK_SYMLINK;
        return nsbox_add_symlink(box, "target", path);
    case 4:
        *kind = MK_FILE;
        return nsbox_add_file(box, path, "x", 1, 0644);
    case 5:
        *kind = MK_REMOUNT_RO;
        return nsbox_remount_ro(box, path);
    case 6:
        *kind = MK_PROC;
        return nsbox_add_proc(box, path);
    default:
        *kind = -1;
        return nsbox_set_root(box, path);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *buf = malloc(size + 1);
    assert(buf);
    memcpy(buf, data, size);
    buf[size] = '\0';
    nsbox *box = nsbox_new();
    assert(box);
    for (char *c = buf; c < buf + size;) {
        unsigned op = (unsigned char)*c++;
        char *path = c;
        c += strlen(c) + 1;
        int kind;
        int r = apply(box, op, path, &kind);
        assert(r == 0 || r == -EINVAL);
        if (r < 0) {
            assert(nsbox_errmsg(box)[0]);
            continue;
        }
        const struct mount_recipe *m = box->mnt;
        const char *got = kind == -1 ? m->root : m->steps[m->n - 1].dst;
        char *want = reference(path);
        assert(strcmp(got, want) == 0);
        if (kind == MK_SYMLINK || kind == MK_FILE)
            assert(strcmp(got, "/") != 0);
        free(want);
    }
    nsbox_free(box);
    free(buf);
    return 0;
}
