/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Turns the filesystem steps into plan entries the child executes as they
 * are: every path, option string and description is made here, and /dev is
 * spelled out into its parts. Also the messages of failed mount steps. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mount.h"

/* Where the old root hangs while the new one is built (see mount.c). */
#define OLDROOT "/oldroot"
#define STAGING "/tmp"

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
#define N_DEV_NODES (sizeof(dev_nodes) / sizeof(dev_nodes[0]))
static const char *const dev_links[][2] = {
    {"ptmx", "pts/ptmx"},          {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"},
};
#define N_DEV_LINKS (sizeof(dev_links) / sizeof(dev_links[0]))
/* tmpfs, the pre-opened nodes and their binds, shm, pts, the links. */
#define DEV_ENTRIES (1 + 2 * N_DEV_NODES + 2 + N_DEV_LINKS)

#define builder mount_builder
#define entry_new plan_entry_new

char *plan_printf(struct plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = len >= 0 ? plan_alloc(p, (size_t)len + 1) : NULL;
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* A new entry for destination dst (absolute, normalized), or NULL. */
struct mount_entry *entry_new(struct builder *b, enum mount_op op, const char *dst,
                              const char *desc)
{
    struct mount_entry *e = &b->mp->e[b->mp->n];
    *e = (struct mount_entry){.op = op, .pre = -1, .desc = desc};
    e->dst = plan_strdup(b->p, dst[1] ? dst + 1 : ".");
    if (!e->dst || !desc)
        return NULL;
    const char *slash = strrchr(e->dst, '/');
    e->name_off = slash ? (int)(slash - e->dst) + 1 : 0;
    b->mp->n++;
    return e;
}

static int plan_bind(struct builder *b, const struct mount_step *st)
{
    struct mount_entry *e =
        entry_new(b, OP_BIND, st->dst, plan_printf(b->p, "bind mount %s -> %s", st->src, st->dst));
    if (!e || !(e->src = plan_printf(b->p, "%s%s", b->host, st->src)))
        return -ENOMEM;
    e->try_ = st->flags & NSBOX_MOUNT_TRY;
    /* bwrap's binds: always nosuid, nodev unless asked for devices. */
    e->attr = MOUNT_ATTR_NOSUID;
    if (!(st->flags & NSBOX_MOUNT_DEV))
        e->attr |= MOUNT_ATTR_NODEV;
    if (st->flags & NSBOX_MOUNT_RDONLY)
        e->attr |= MOUNT_ATTR_RDONLY;
    if (st->flags & NSBOX_MOUNT_NOEXEC)
        e->attr |= MOUNT_ATTR_NOEXEC;
    return 0;
}

/* An OP_FS entry; opts are key, value, ..., NULL (copied into the plan). */
static struct mount_entry *plan_fs(struct builder *b, const char *fstype, const char *dst,
                                   uint64_t attr, const char *desc, ...)
{
    struct mount_entry *e = entry_new(b, OP_FS, dst, desc);
    if (!e)
        return NULL;
    e->fstype = fstype;
    e->attr = attr;
    if (!(e->opts = plan_alloc(b->p, 5 * sizeof(*e->opts))))
        return NULL;
    va_list ap;
    va_start(ap, desc);
    for (int i = 0; i < 4; i++) {
        const char *s = va_arg(ap, const char *);
        if (!s)
            break;
        if (!(e->opts[i] = plan_strdup(b->p, s))) {
            e = NULL;
            break;
        }
    }
    va_end(ap);
    return e;
}

static int plan_tmpfs(struct builder *b, const struct mount_step *st)
{
    char mode[16], size[32];
    snprintf(mode, sizeof(mode), "%o", (unsigned)st->mode);
    snprintf(size, sizeof(size), "%llu", (unsigned long long)st->size);
    const char *desc = plan_printf(b->p, "tmpfs %s", st->dst);
    struct mount_entry *e = st->size
                                ? plan_fs(b, "tmpfs", st->dst, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                          desc, "mode", mode, "size", size, NULL)
                                : plan_fs(b, "tmpfs", st->dst, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                          desc, "mode", mode, NULL);
    if (e)
        e->tmpfs = true;
    return e ? 0 : -ENOMEM;
}

static int plan_proc(struct builder *b, const struct mount_step *st)
{
    uint64_t attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    struct mount_entry *e =
        plan_fs(b, "proc", st->dst, attr, plan_printf(b->p, "proc %s", st->dst), NULL);
    if (e)
        e->kernel = KERNEL_PROC;
    /* The fallback when the kernel refuses a new procfs (see mount.c). */
    if (e && !(e->src = plan_printf(b->p, "%s/proc", b->host)))
        return -ENOMEM;
    return e ? 0 : -ENOMEM;
}

static struct mount_entry *plan_link(struct builder *b, const char *target, const char *dst,
                                     const char *desc)
{
    struct mount_entry *e = entry_new(b, OP_SYMLINK, dst, desc);
    if (e && !(e->src = plan_strdup(b->p, target)))
        return NULL;
    return e;
}

/* "/dev" + "null" -> "/dev/null" (dst "/" gives "/null"). */
static char *dev_path(struct builder *b, const char *dst, const char *name)
{
    size_t len = strcmp(dst, "/") ? strlen(dst) : 0;
    return plan_printf(b->p, "%.*s/%s", (int)len, dst, name);
}

/* A minimal /dev as bwrap makes it. The device nodes are bound from the
 * host's (mknod is never allowed in a user namespace); their trees are
 * cloned before the tmpfs goes on, which may cover the host's /dev. */
static int plan_dev(struct builder *b, const struct mount_step *st)
{
    const char *d = st->dst;
    struct plan *p = b->p;
    for (size_t i = 0; i < N_DEV_NODES; i++) {
        struct mount_entry *e =
            entry_new(b, OP_OPEN_TREE, d, plan_printf(p, "dev %s: open /dev/%s", d, dev_nodes[i]));
        if (!e || !(e->src = plan_printf(p, "%s/dev/%s", b->host, dev_nodes[i])))
            return -ENOMEM;
        e->pre = b->mp->n_pre + (int)i;
    }
    uint64_t nodev = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    struct mount_entry *tmpfs =
        plan_fs(b, "tmpfs", d, nodev, plan_printf(p, "dev %s: tmpfs", d), "mode", "755", NULL);
    if (!tmpfs)
        return -ENOMEM;
    tmpfs->tmpfs = true;
    for (size_t i = 0; i < N_DEV_NODES; i++) {
        char *node = dev_path(b, d, dev_nodes[i]);
        struct mount_entry *e = node ? entry_new(b, OP_BIND, node,
                                                 plan_printf(p, "dev %s: bind mount /dev/%s -> %s",
                                                             d, dev_nodes[i], node))
                                     : NULL;
        if (!e)
            return -ENOMEM;
        e->pre = b->mp->n_pre + (int)i;
        e->attr = MOUNT_ATTR_NOSUID;
    }
    b->mp->n_pre += (int)N_DEV_NODES;
    char *shm = dev_path(b, d, "shm"), *pts = dev_path(b, d, "pts");
    if (!shm || !pts ||
        !plan_fs(b, "tmpfs", shm, nodev, plan_printf(p, "dev %s: tmpfs %s", d, shm), "mode", "1777",
                 NULL) ||
        !plan_fs(b, "devpts", pts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
                 plan_printf(p, "dev %s: devpts %s", d, pts), "ptmxmode", "0666", "mode", "620",
                 NULL))
        return -ENOMEM;
    for (size_t i = 0; i < N_DEV_LINKS; i++) {
        char *link = dev_path(b, d, dev_links[i][0]);
        if (!link ||
            !plan_link(b, dev_links[i][1], link,
                       plan_printf(p, "dev %s: symlink %s -> %s", d, link, dev_links[i][1])))
            return -ENOMEM;
    }
    return 0;
}

/* The bytes go to a file of the staging tmpfs (the child's "/" while the
 * new root is built, private to its mount namespace), as bwrap does, so
 * that no file of the caller's tree ever holds them. */
static int plan_bind_data(struct builder *b, const struct mount_step *st)
{
    if (!b->mp->new_root)
        return box_invalid(b->box, "bind data %s: needs a new root (nsbox_set_root)", st->dst);
    struct mount_entry *e =
        entry_new(b, OP_BIND_DATA, st->dst, plan_printf(b->p, "bind data -> %s", st->dst));
    if (!e || !(e->src = plan_printf(b->p, "/nsbox-data-%d", b->mp->n)))
        return -ENOMEM;
    e->data = st->data;
    e->len = st->len;
    e->mode = st->mode;
    e->attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (st->flags & NSBOX_MOUNT_RDONLY)
        e->attr |= MOUNT_ATTR_RDONLY;
    if (st->flags & NSBOX_MOUNT_NOEXEC)
        e->attr |= MOUNT_ATTR_NOEXEC;
    return 0;
}

static const char *const kind_names[] = {
    [MK_BIND] = "bind mount", [MK_TMPFS] = "tmpfs",
    [MK_PROC] = "proc",       [MK_DEV] = "dev",
    [MK_DIR] = "dir",         [MK_SYMLINK] = "symlink",
    [MK_FILE] = "file",       [MK_REMOUNT_RO] = "remount read-only",
    [MK_CHMOD] = "chmod",     [MK_BIND_DATA] = "bind data",
    [MK_MOUNT] = "mount",     [MK_DEVICE] = "device",
    [MK_MASK] = "mask",       [MK_READONLY] = "read-only path",
};

static int plan_step(struct builder *b, const struct mount_step *st)
{
    struct plan *p = b->p;
    struct mount_entry *e;
    bool needs_name = st->kind == MK_SYMLINK || st->kind == MK_FILE || st->kind == MK_BIND_DATA;
    bool mounts_root =
        st->kind == MK_BIND || st->kind == MK_TMPFS || st->kind == MK_PROC || st->kind == MK_DEV;
    if (strcmp(st->dst, "/") == 0 && (needs_name || (mounts_root && !b->mp->new_root)))
        return box_invalid(b->box, "%s /: %s", kind_names[st->kind],
                           needs_name ? "the path must name a file below /"
                                      : "mounting on / needs a new root (nsbox_set_root)");
    switch (st->kind) {
    case MK_BIND:
        return plan_bind(b, st);
    case MK_TMPFS:
        return plan_tmpfs(b, st);
    case MK_PROC:
        return plan_proc(b, st);
    case MK_DEV:
        return plan_dev(b, st);
    case MK_DIR:
        e = entry_new(b, OP_DIR, st->dst, plan_printf(p, "dir %s", st->dst));
        break;
    case MK_SYMLINK:
        e = plan_link(b, st->src, st->dst, plan_printf(p, "symlink %s -> %s", st->dst, st->src));
        break;
    case MK_FILE:
        e = entry_new(b, OP_FILE, st->dst, plan_printf(p, "file %s", st->dst));
        if (e) {
            /* The recipe outlives the spawn: the child reads the bytes there. */
            e->data = st->data;
            e->len = st->len;
        }
        break;
    case MK_BIND_DATA:
        return plan_bind_data(b, st);
    case MK_MOUNT:
    case MK_DEVICE:
    case MK_MASK:
    case MK_READONLY:
        return plan_oci_step(b, st);
    case MK_REMOUNT_RO:
        e = entry_new(b, OP_REMOUNT_RO, st->dst, plan_printf(p, "remount read-only %s", st->dst));
        break;
    case MK_CHMOD:
        e = entry_new(b, OP_CHMOD, st->dst, plan_printf(p, "chmod %04o %s", st->mode, st->dst));
        break;
    default:
        return -EINVAL;
    }
    if (!e)
        return -ENOMEM;
    e->mode = st->mode;
    return 0;
}

/* The new root is checked here, where a failure leaves nothing behind. */
static int plan_root(struct builder *b, const struct mount_recipe *m)
{
    struct mount_plan *mp = b->mp;
    struct stat st;
    if (stat(STAGING, &st) < 0 || !S_ISDIR(st.st_mode))
        return box_fail(b->box, errno ? errno : ENOTDIR,
                        "new root: the staging mount point " STAGING " must be a directory");
    if (m->root && stat(m->root, &st) < 0)
        return box_fail(b->box, errno, "new root %s", m->root);
    if (m->root && !S_ISDIR(st.st_mode))
        return box_fail(b->box, ENOTDIR, "new root %s", m->root);
    b->host = OLDROOT;
    mp->new_root = true;
    mp->root_src = m->root ? plan_printf(b->p, OLDROOT "%s", m->root) : NULL;
    mp->root_desc =
        m->root ? plan_printf(b->p, "new root %s", m->root) : plan_strdup(b->p, "new root (tmpfs)");
    if ((m->root && !mp->root_src) || !mp->root_desc)
        return box_fail(b->box, ENOMEM, "mount plan");
    return 0;
}

/* Under a new root the command starts in the caller's cwd when it exists
 * there, else in "/" (plan->cwd_required false). */
static int plan_cwd(struct plan *p)
{
    if (p->cwd)
        return 0;
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return errno == ENOMEM ? -ENOMEM : 0;
    p->cwd = plan_strdup(p, cwd);
    free(cwd);
    p->cwd_required = false;
    return p->cwd ? 0 : -ENOMEM;
}

/* A mount namespace of its own gets a plan even without steps: its /proc
 * is covered (see mount_kernel.c). */
int mount_plan_build(nsbox *box, struct plan *p)
{
    static const struct mount_recipe none;
    const struct mount_recipe *m = box->mnt ? box->mnt : &none;
    if (!(box->ns & NSBOX_NS_MOUNT))
        return 0;
    struct mount_plan *mp = plan_alloc(p, sizeof(*mp));
    if (!mp)
        return box_fail(box, ENOMEM, "mount plan");
    struct builder b = {box, p, mp, ""};
    size_t max = 0;
    for (size_t i = 0; i < m->n; i++)
        max += m->steps[i].kind == MK_DEV ? DEV_ENTRIES : 1;
    mp->e = plan_alloc(p, (max + 1) * sizeof(*mp->e));
    mp->own_devs = plan_alloc(p, (max + 1) * sizeof(*mp->own_devs));
    mp->linkbuf = plan_alloc(p, PATH_MAX);
    if (!mp->e || !mp->own_devs || !mp->linkbuf)
        return box_fail(box, ENOMEM, "mount plan");
    int r = m->new_root ? plan_root(&b, m) : 0;
    if (r < 0)
        return r;
    mp->masks = !m->kernel_unmasked;
    mp->propagation = m->propagation;
    mp->naive = m->naive;
    if (!(mp->devnull = plan_printf(p, "%s/dev/null", b.host)))
        return box_fail(box, ENOMEM, "mount plan");
    if (m->new_root && plan_cwd(p) < 0)
        return box_fail(box, ENOMEM, "mount plan");
    for (size_t i = 0; i < m->n; i++) {
        r = plan_step(&b, &m->steps[i]);
        if (r == -ENOMEM)
            return box_fail(box, ENOMEM, "mount plan");
        if (r < 0)
            return r;
    }
    mp->pre_fds = plan_alloc(p, ((size_t)mp->n_pre + 1) * sizeof(int));
    if (!mp->pre_fds)
        return box_fail(box, ENOMEM, "mount plan");
    p->mounts = mp;
    return 0;
}

static const char *const root_phases[] = {
    [-ROOT_PRIVATE] = "make the mount tree private",
    [-ROOT_STAGING] = "mount the staging tmpfs on " STAGING,
    [-ROOT_PIVOT1] = "pivot_root into the staging tmpfs",
    [-ROOT_NEW] = "mount it",
    [-ROOT_DETACH] = "detach the old root",
    [-ROOT_PIVOT2] = "pivot_root into it",
    [-ROOT_OPEN] = "open it",
    [-ROOT_HOST_PROC] = "cover the kernel files of /proc",
    [-ROOT_LINK] = "a symlink on the way, which is not followed on the caller's side "
                   "(name the directory it points to)",
    [-ROOT_PROPAGATION] = "set the propagation of /",
};

static const char *const entry_phases[] = {
    [PHASE_MAIN] = NULL,
    [PHASE_MKPOINT] = "mount point",
    [PHASE_ATTR] = "set mount flags",
    [PHASE_WRITE] = "write",
    [PHASE_NOPOINT] = "not found on the caller's root, where steps create nothing "
                      "(give the sandbox a root of its own: nsbox_set_root)",
    [PHASE_HOST] = "would change the caller's files: with the caller's root, steps create "
                   "and change files only on a tmpfs they mounted (or use nsbox_set_root)",
    [PHASE_LINK] = "a symlink on the way, which is not followed on the caller's root "
                   "(name the path it points to, or use nsbox_set_root)",
    [PHASE_SRC_LINK] = "source: a symlink on the way, which is not followed on the caller's "
                       "side (name the path it points to)",
    [PHASE_COVER] = "cover the kernel files",
    [PHASE_OPTION] = NULL, /* names the option: see mount_report */
    [PHASE_PROPAGATION] = "set the propagation",
    [PHASE_PROC_DST] = "the destination is on a procfs, where only a proc mount may go",
    [PHASE_DEVICE] = "the caller's node at that path is another device (or none), and a "
                     "user namespace may not make one",
    [PHASE_DST_LINK] = "a symlink on the way to the destination, which a proc or sysfs "
                       "mount never follows",
    [PHASE_NOREC] = "a bind without MS_REC of a tree with mounts below it, which a user "
                    "namespace may not uncover (add MS_REC)",
};

int mount_report(nsbox *box, const struct plan *p, const struct child_report *rep)
{
    const struct mount_plan *mp = p->mounts;
    int e = rep->err > 0 ? rep->err : EPROTO;
    if (rep->index < 0) {
        int ph = -rep->index;
        const char *what =
            ph < (int)(sizeof(root_phases) / sizeof(root_phases[0])) ? root_phases[ph] : "?";
        if (!mp || !mp->new_root || rep->index == ROOT_PRIVATE || rep->index == ROOT_HOST_PROC)
            return box_fail(box, e, "mounts: %s", what);
        return box_fail(box, e, "%s: %s", mp->root_desc, what);
    }
    int i = rep->index / MOUNT_PHASES, ph = rep->index % MOUNT_PHASES;
    if (!mp || i >= mp->n)
        return box_fail(box, e, "mount step %d", i);
    const struct mount_entry *ent = &mp->e[i];
    if (ph == PHASE_OPTION && ent->opts && ent->bad_opt >= 0 && ent->opts[ent->bad_opt])
        return box_fail(box, e, "%s: option %s%s%s", ent->desc, ent->opts[ent->bad_opt],
                        ent->opts[ent->bad_opt + 1] ? "=" : "",
                        ent->opts[ent->bad_opt + 1] ? ent->opts[ent->bad_opt + 1] : "");
    const char *phase =
        ph < (int)(sizeof(entry_phases) / sizeof(entry_phases[0])) ? entry_phases[ph] : NULL;
    if (phase)
        return box_fail(box, e, "%s: %s", ent->desc, phase);
    return box_fail(box, e, "%s", ent->desc);
}
