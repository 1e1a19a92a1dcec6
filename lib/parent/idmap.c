/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* uid/gid maps of a new user namespace, written by the parent while the
 * child waits: directly when the kernel lets the caller (root, or an
 * unprivileged caller mapping only its own id from dumpable memory, see
 * dump_guard.c), else through newuidmap / newgidmap from the uidmap
 * package. The direct files are opened first and written after, so that
 * the caller's memory needs to be dumpable only for the opens. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "idmap.h"

#define MAP_TEXT_MAX ((size_t)340 * 36)

struct map_view {
    const char *what;   /* "uid" or "gid" */
    const char *file;   /* "uid_map" or "gid_map" */
    const char *helper; /* "newuidmap" or "newgidmap" */
    struct idmap_range *r;
    size_t n;
    struct idmap_range self; /* the default: one id mapped to the caller's */
    const char *whose;       /* "" or " of the joined user namespace", for messages */
};

/* The map to write: the recipe's ranges, or the caller's own id inside as
 * the chosen user (or as itself). */
static void map_view(nsbox *box, bool uid, struct map_view *v)
{
    *v = (struct map_view){
        .what = uid ? "uid" : "gid",
        .file = uid ? "uid_map" : "gid_map",
        .helper = uid ? "newuidmap" : "newgidmap",
        .whose = "",
    };
    struct idmap *m = uid ? &box->uid_map : &box->gid_map;
    uint32_t own = uid ? geteuid() : getegid();
    uint32_t inside = box->user_set ? (uid ? box->uid : box->gid) : own;
    v->self = (struct idmap_range){inside, own, 1};
    v->r = m->n ? m->r : &v->self;
    v->n = m->n ? m->n : 1;
}

static bool map_own_only(const struct map_view *v, bool uid)
{
    uint32_t own = uid ? geteuid() : getegid();
    return v->n == 1 && v->r[0].outside == own && v->r[0].count == 1;
}

/* Only root, or a map of the caller's own id alone (when the spawn may
 * open the files: own_direct), is written as is. */
static bool map_direct(const struct map_view *v, bool uid, bool own_direct)
{
    return geteuid() == 0 || (own_direct && map_own_only(v, uid));
}

bool idmap_own_only(nsbox *box)
{
    struct map_view uid, gid;
    map_view(box, true, &uid);
    map_view(box, false, &gid);
    return map_own_only(&uid, true) && map_own_only(&gid, false);
}

bool idmap_setgroups_denied(nsbox *box)
{
    struct map_view v;
    map_view(box, false, &v);
    return geteuid() != 0 && map_own_only(&v, false);
}

static void map_describe(const struct map_view *v, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->n && len < size; i++)
        len += snprintf(buf + len, size - len, "%s%u %u %u", i ? ", " : "", v->r[i].inside,
                        v->r[i].outside, v->r[i].count);
}

static bool map_has_inside(const struct map_view *v, uint32_t id)
{
    for (size_t i = 0; i < v->n; i++)
        if (id >= v->r[i].inside && id - v->r[i].inside < v->r[i].count)
            return true;
    return false;
}

/* The inside id of one kind the command runs as in a user namespace, so
 * that it never keeps an unmapped host id (which shows as the overflow id
 * inside but still opens files as the host id): the chosen user, which
 * must be mapped; else the id the caller's own maps to; else 0 (returns 1
 * then). */
static int map_choose(nsbox *box, const struct map_view *v, uint32_t own, uint32_t *id)
{
    char desc[128];
    map_describe(v, desc, sizeof(desc));
    if (box->user_set) {
        if (map_has_inside(v, *id))
            return 0;
        return box_invalid(box,
                           "user %u:%u: %s %u is not mapped by the %s map \"%s\"%s (add a "
                           "range with nsbox_add_%s_map or choose a mapped %s with "
                           "nsbox_set_user)",
                           box->uid, box->gid, v->what, *id, v->what, desc, v->whose, v->what,
                           v->what);
    }
    for (size_t i = 0; i < v->n; i++)
        if (own >= v->r[i].outside && own - v->r[i].outside < v->r[i].count) {
            *id = v->r[i].inside + (own - v->r[i].outside);
            return 0;
        }
    if (map_has_inside(v, 0)) {
        *id = 0;
        return 1;
    }
    return box_invalid(box,
                       "%s map \"%s\"%s maps neither the caller's %s %u nor %s 0 inside, and "
                       "the command must not run with an unmapped %s: choose a mapped one with "
                       "nsbox_set_user%s",
                       v->what, desc, v->whose, v->what, own, v->what, v->what,
                       *v->whose ? "" : " or add a range to the map");
}

int idmap_choose_ids(nsbox *box, struct plan *p)
{
    struct map_view v;
    p->uid = box->uid;
    p->gid = box->gid;
    map_view(box, true, &v);
    int r = map_choose(box, &v, (uint32_t)geteuid(), &p->uid);
    if (r < 0)
        return r;
    p->setup_uid = map_has_inside(&v, 0) ? 0 : p->uid;
    map_view(box, false, &v);
    r = map_choose(box, &v, (uint32_t)getegid(), &p->gid);
    if (r < 0)
        return r;
    p->setup_gid = map_has_inside(&v, 0) ? 0 : p->gid;
    return 0;
}

/* Reads /proc/PID/uid_map (gid_map) into v, over ranges (340 slots):
 * opened by the caller, it shows the outside ids as the caller's namespace
 * sees them (4294967295 for one it cannot see), which is what the choice
 * compares with. */
static int map_read_joined(nsbox *box, pid_t pid, bool uid, struct map_view *v,
                           struct idmap_range *ranges, char *text, size_t size)
{
    char path[64];
    map_view(box, uid, v);
    v->whose = " of the joined user namespace";
    v->r = ranges;
    v->n = 0;
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, v->file);
    _cleanup_close_ int fd = -1;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return box_fail(box, errno, "read the %s map of the joined user namespace (%s)", v->what,
                        path);
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size &&
           ((n = read(fd, text + len, size - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
        len += n > 0 ? (size_t)n : 0;
    text[len] = '\0';
    v->n = idmap_parse(text, v->r, 340);
    return 0;
}

/* Blanks, then a decimal number of 32 bits; NULL when there is none. */
static const char *parse_u32(const char *s, uint32_t *v)
{
    s += strspn(s, " \t");
    uint64_t r = 0;
    const char *start = s;
    for (; *s >= '0' && *s <= '9' && r <= UINT32_MAX; s++)
        r = r * 10 + (uint64_t)(*s - '0');
    if (s == start || r > UINT32_MAX)
        return NULL;
    *v = (uint32_t)r;
    return s;
}

size_t idmap_parse(const char *text, struct idmap_range *r, size_t max)
{
    size_t n = 0;
    for (const char *line = text; *line && n < max;) {
        struct idmap_range x;
        const char *c = parse_u32(line, &x.inside);
        c = c ? parse_u32(c, &x.outside) : NULL;
        c = c ? parse_u32(c, &x.count) : NULL;
        if (c && (*c == '\n' || *c == '\0'))
            r[n++] = x;
        const char *next = strchr(line, '\n');
        if (!next)
            break;
        line = next + 1;
    }
    return n;
}

/* True when the user namespace process pid is in denies setgroups(2)
 * (its /proc/PID/setgroups says "deny"). */
static bool joined_setgroups_denied(pid_t pid)
{
    char path[64], buf[16] = "";
    snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
    _cleanup_close_ int fd = -1;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    ssize_t n = -1;
    if (fd >= 0)
        do
            n = read(fd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
    return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

int idmap_choose_joined(nsbox *box, struct plan *p, pid_t pid)
{
    _cleanup_free_ char *text = malloc(MAP_TEXT_MAX);
    _cleanup_free_ struct idmap_range *ranges = calloc(340, sizeof(*ranges));
    if (!text || !ranges)
        return box_fail(box, ENOMEM, "the maps of the joined user namespace");
    uint32_t ids[2];
    bool fallback = false;
    for (int k = 0; k < 2; k++) {
        struct map_view v;
        int r = map_read_joined(box, pid, k == 0, &v, ranges, text, MAP_TEXT_MAX);
        if (r < 0)
            return r;
        ids[k] = k == 0 ? box->uid : box->gid;
        r = map_choose(box, &v, k == 0 ? (uint32_t)geteuid() : (uint32_t)getegid(), &ids[k]);
        if (r < 0)
            return r;
        fallback |= r > 0;
    }
    p->uid = p->setup_uid = ids[0];
    p->gid = p->setup_gid = ids[1];
    p->set_ids = true;
    /* The caller's own ids, mapped, are kept with its groups (as in a new
     * user namespace made unprivileged); a switch away from unmapped ids
     * drops the host groups too, if there are any. */
    p->drop_groups = box->user_set || (fallback && getgroups(0, NULL) > 0);
    /* A user namespace an unprivileged caller made (an unprivileged OCI
     * container's, joined by its exec) denies setgroups: the kernel keeps
     * the caller's groups there, as it kept them for the processes already
     * in it (nsbox_set_user(3)). A privileged caller's groups are never
     * carried in: the drop then fails the spawn. */
    if (p->drop_groups && geteuid() != 0 && joined_setgroups_denied(pid))
        p->drop_groups = false;
    return 0;
}

static int proc_open(pid_t pid, const char *file)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    int fd;
    do
        fd = open(path, O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
}

/* One write: the kernel takes a map in a single write only. */
static int fd_write(int fd, const char *text)
{
    size_t len = strlen(text);
    ssize_t n;
    do
        n = write(fd, text, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    return (size_t)n == len ? 0 : -EIO;
}

static int map_write_direct(nsbox *box, pid_t pid, int fd, const struct map_view *v)
{
    _cleanup_free_ char *text = malloc(MAP_TEXT_MAX);
    if (!text)
        return box_fail(box, ENOMEM, "%s map", v->what);
    size_t len = 0;
    for (size_t i = 0; i < v->n; i++)
        len += snprintf(text + len, MAP_TEXT_MAX - len, "%u %u %u\n", v->r[i].inside,
                        v->r[i].outside, v->r[i].count);
    int r = fd_write(fd, text);
    if (r < 0) {
        char desc[128];
        map_describe(v, desc, sizeof(desc));
        box_fail(box, -r, "write %s map \"%s\" of pid %d", v->what, desc, (int)pid);
        return r;
    }
    return 0;
}

static const char *helper_find(const char *name, char *buf, size_t size)
{
    static const char *const dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        snprintf(buf, size, "%s/%s", dirs[i], name);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

static int map_write_helper(nsbox *box, pid_t pid, const struct map_view *v, bool uid)
{
    char desc[128], path[64], pidstr[16];
    map_describe(v, desc, sizeof(desc));
    if (!helper_find(v->helper, path, sizeof(path)) && map_own_only(v, uid))
        return box_fail(box, EPERM,
                        "%s map \"%s\": the caller is not dumpable (or holds capabilities, or "
                        "has unequal real, effective and saved ids), so even its own id is "
                        "mapped through %s: install the uidmap package",
                        v->what, desc, v->helper);
    if (!helper_find(v->helper, path, sizeof(path)))
        return box_fail(box, EPERM,
                        "%s map \"%s\": an unprivileged caller can map only its own id; more "
                        "needs %s (install the uidmap package and give the user ranges in "
                        "/etc/sub%s)",
                        v->what, desc, v->helper, v->what);
    _cleanup_free_ char **argv = calloc(3 + 3 * v->n, sizeof(char *));
    _cleanup_free_ char *nums = malloc(v->n * 3 * 12);
    if (!argv || !nums)
        return box_fail(box, ENOMEM, "%s map", v->what);
    snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
    size_t k = 0;
    argv[k++] = path;
    argv[k++] = pidstr;
    for (size_t i = 0; i < v->n; i++) {
        uint32_t vals[3] = {v->r[i].inside, v->r[i].outside, v->r[i].count};
        for (int j = 0; j < 3; j++) {
            char *slot = nums + (i * 3 + j) * 12;
            snprintf(slot, 12, "%u", vals[j]);
            argv[k++] = slot;
        }
    }
    char said[256];
    int status = helper_run(argv, said, sizeof(said));
    if (status < 0)
        return box_fail(box, -status, "%s map \"%s\": run %s", v->what, desc, path);
    if (status != 0)
        return box_fail(box, EPERM,
                        "%s map \"%s\": %s refused (status %d: \"%s\"; are the ranges in "
                        "/etc/sub%s?)",
                        v->what, desc, path, status, said, v->what);
    return 0;
}

static int map_open(nsbox *box, pid_t pid, const char *file, int *fd)
{
    *fd = proc_open(pid, file);
    if (*fd < 0)
        return box_fail(box, -*fd, "open /proc/%d/%s", (int)pid, file);
    return 0;
}

int idmap_open(nsbox *box, pid_t pid, bool own_direct, struct idmap_fds *f)
{
    struct map_view uid, gid;
    map_view(box, true, &uid);
    map_view(box, false, &gid);
    int r = 0;
    /* An unprivileged process may write gid_map only after denying
     * setgroups (Linux 3.19), so that it cannot drop groups it has. */
    if (map_direct(&gid, false, own_direct) && geteuid() != 0)
        r = map_open(box, pid, "setgroups", &f->setgroups);
    if (r == 0 && map_direct(&uid, true, own_direct))
        r = map_open(box, pid, uid.file, &f->uid);
    if (r == 0 && map_direct(&gid, false, own_direct))
        r = map_open(box, pid, gid.file, &f->gid);
    return r;
}

void idmap_close(struct idmap_fds *f)
{
    closep(&f->setgroups);
    closep(&f->uid);
    closep(&f->gid);
}

int idmap_write(nsbox *box, pid_t pid, struct idmap_fds *f)
{
    struct map_view uid, gid;
    map_view(box, true, &uid);
    map_view(box, false, &gid);
    int r;
    if (f->setgroups >= 0 && (r = fd_write(f->setgroups, "deny")) < 0)
        return box_fail(box, -r, "write setgroups \"deny\" of pid %d", (int)pid);
    r = f->uid >= 0 ? map_write_direct(box, pid, f->uid, &uid)
                    : map_write_helper(box, pid, &uid, true);
    if (r < 0)
        return r;
    return f->gid >= 0 ? map_write_direct(box, pid, f->gid, &gid)
                       : map_write_helper(box, pid, &gid, false);
}
