/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "root", "mounts" and "linux.devices" -> recipe, and the
 * default devices and /dev links that runtime-linux.md asks for. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "oci.h"

/* Mount options that are flags (clear: the option turns flag off). */
static const struct {
    const char *name;
    unsigned long flag;
    bool clear;
} mount_flags[] = {
    {"ro", MS_RDONLY, false},
    {"rw", MS_RDONLY, true},
    {"nosuid", MS_NOSUID, false},
    {"suid", MS_NOSUID, true},
    {"nodev", MS_NODEV, false},
    {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},
    {"exec", MS_NOEXEC, true},
    {"sync", MS_SYNCHRONOUS, false},
    {"async", MS_SYNCHRONOUS, true},
    {"dirsync", MS_DIRSYNC, false},
    {"mand", MS_MANDLOCK, false},
    {"nomand", MS_MANDLOCK, true},
    {"noatime", MS_NOATIME, false},
    {"atime", MS_NOATIME, true},
    {"nodiratime", MS_NODIRATIME, false},
    {"diratime", MS_NODIRATIME, true},
    {"relatime", MS_RELATIME, false},
    {"norelatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, false},
    {"nostrictatime", MS_STRICTATIME, true},
    {"silent", MS_SILENT, false},
    {"loud", MS_SILENT, true},
    {"iversion", MS_I_VERSION, false},
    {"noiversion", MS_I_VERSION, true},
    {"lazytime", MS_LAZYTIME, false},
    {"nolazytime", MS_LAZYTIME, true},
    {"defaults", 0, false},
    {"bind", 0, false},
    {"rbind", MS_REC, false},
    {"private", MS_PRIVATE, false},
    {"rprivate", MS_PRIVATE | MS_REC, false},
    {"slave", MS_SLAVE, false},
    {"rslave", MS_SLAVE | MS_REC, false},
    {"shared", MS_SHARED, false},
    {"rshared", MS_SHARED | MS_REC, false},
    {"unbindable", MS_UNBINDABLE, false},
    {"runbindable", MS_UNBINDABLE | MS_REC, false},
};

/* Options the spec lists that nsbox-oci does not implement: refused by
 * name (recursive mount_setattr flags, tmpcopyup, idmap). */
static const char *const refused_options[] = {
    "rro",         "rrw",         "rnosuid",      "rsuid",          "rnodev",       "rdev",
    "rnoexec",     "rexec",       "rnoatime",     "ratime",         "rnodiratime",  "rdiratime",
    "rrelatime",   "rnorelatime", "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow",
    "nosymfollow", "symfollow",   "tmpcopyup",    "remount",        "idmap",        "ridmap",
    "noacl",       "acl",         NULL,
};

struct mount_req {
    unsigned long flags;
    bool bind;
    char data[1024];
};

static int parse_options(json_t *m, const char *field, struct mount_req *req)
{
    json_t *opts = NULL;
    char path[80];
    snprintf(path, sizeof(path), "%s.options", field);
    if (cfg_arr(m, field, "options", &opts) < 0)
        return -1;
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(opts); i++) {
        const char *o;
        if (cfg_elem_str(opts, path, i, &o) < 0)
            return -1;
        size_t k = 0, n = sizeof(mount_flags) / sizeof(mount_flags[0]);
        while (k < n && strcmp(o, mount_flags[k].name) != 0)
            k++;
        if (k < n) {
            if (mount_flags[k].clear)
                req->flags &= ~mount_flags[k].flag;
            else
                req->flags |= mount_flags[k].flag;
            if (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0)
                req->bind = true;
            continue;
        }
        for (size_t r = 0; refused_options[r]; r++)
            if (strcmp(o, refused_options[r]) == 0)
                return oci_err("config.json: %s[%zu]: mount option %s is not supported by "
                               "nsbox-oci",
                               path, i, o);
        /* anything else is the file system's own: the data string */
        size_t len = strlen(o);
        if (used + len + 2 > sizeof(req->data))
            return oci_err("config.json: %s: too long", path);
        if (used)
            req->data[used++] = ',';
        memcpy(req->data + used, o, len + 1);
        used += len;
    }
    return 0;
}

/* A bind source: absolute, or relative to the bundle. */
static char *bind_source(struct oci_spec *spec, const char *src)
{
    char *out = NULL;
    if (src[0] == '/')
        out = strdup(src);
    else if (asprintf(&out, "%s/%s", spec->bundle, src) < 0)
        out = NULL;
    if (!out)
        oci_err("out of memory");
    return out;
}

static int add_one_mount(struct oci_spec *spec, nsbox *box, json_t *mounts, size_t i, bool *dev,
                         bool *pts)
{
    char field[64];
    json_t *m;
    const char *dst = NULL, *type = NULL, *src = NULL;
    struct mount_req req = {0};
    snprintf(field, sizeof(field), "mounts[%zu]", i);
    if (cfg_elem_obj(mounts, "mounts", i, &m) < 0 || cfg_str(m, field, "destination", &dst) < 0 ||
        cfg_str(m, field, "type", &type) < 0 || cfg_str(m, field, "source", &src) < 0 ||
        cfg_refuse_nonempty(m, field, "uidMappings") < 0 ||
        cfg_refuse_nonempty(m, field, "gidMappings") < 0 || parse_options(m, field, &req) < 0)
        return -1;
    if (!dst || dst[0] != '/')
        return oci_err("config.json: %s.destination: %s", field,
                       dst ? "not an absolute path" : "missing");
    if (type && strcmp(type, "bind") == 0)
        req.bind = true;
    if (!req.bind && (!type || !*type))
        return oci_err("config.json: %s.type: missing (and no bind option)", field);
    int ret;
    if (req.bind) {
        if (!src || !*src)
            return oci_err("config.json: %s.source: a bind mount needs a source", field);
        char *abs = bind_source(spec, src);
        if (!abs)
            return -1;
        /* file system options mean nothing to a bind: runc passes them to
         * mount(2), which ignores them; the library refuses them */
        if (req.data[0])
            oci_debug("%s: ignoring \"%s\" on a bind mount", field, req.data);
        ret = nsbox_add_mount(box, "bind", abs, dst, req.flags, NULL);
        free(abs);
    } else if (strcmp(type, "cgroup") == 0) {
        return spec_cgroup_mount(box, field, dst, req.flags); /* spec_cgroupfs.c */
    } else {
        ret = nsbox_add_mount(box, type, src, dst, req.flags, req.data[0] ? req.data : NULL);
    }
    if (ret < 0)
        return spec_lib_err(box, field, ret);
    if (strcmp(dst, "/dev") == 0)
        *dev = true;
    if (strcmp(dst, "/dev/pts") == 0)
        *pts = true;
    return 0;
}

/* linux.devices; the paths listed go in listed (for the defaults). */
static int add_devices(nsbox *box, json_t *linux_, json_t *listed)
{
    json_t *devs = NULL;
    if (linux_ && cfg_arr(linux_, "linux", "devices", &devs) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(devs); i++) {
        char field[64];
        json_t *d;
        const char *path = NULL, *type = NULL;
        int64_t major = -1, minor = -1, mode = 0666, uid = 0, gid = 0;
        snprintf(field, sizeof(field), "linux.devices[%zu]", i);
        if (cfg_elem_obj(devs, "linux.devices", i, &d) < 0 ||
            cfg_str(d, field, "path", &path) < 0 || cfg_str(d, field, "type", &type) < 0 ||
            cfg_int(d, field, "major", 0, UINT32_MAX, &major) < 0 ||
            cfg_int(d, field, "minor", 0, UINT32_MAX, &minor) < 0 ||
            cfg_int(d, field, "fileMode", 0, 07777, &mode) < 0 ||
            cfg_int(d, field, "uid", 0, UINT32_MAX - 1, &uid) < 0 ||
            cfg_int(d, field, "gid", 0, UINT32_MAX - 1, &gid) < 0)
            return -1;
        if (!path || path[0] != '/')
            return oci_err("config.json: %s.path: %s", field, path ? "not absolute" : "missing");
        if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
            return oci_err("config.json: %s.type: %s is not c, b, u or p", field,
                           type ? type : "(missing)");
        if (type[0] == 'p')
            major = minor = 0; /* mknod ignores a FIFO's numbers, as runc passes them */
        if (major < 0 || minor < 0)
            return oci_err("config.json: %s: needs major and minor", field);
        int ret =
            nsbox_add_device(box, path, (char)(type[0] == 'u' ? 'c' : type[0]), (uint32_t)major,
                             (uint32_t)minor, (uint32_t)mode, (uid_t)uid, (gid_t)gid);
        if (ret < 0)
            return spec_lib_err(box, field, ret);
        json_object_set_new(listed, path, json_true());
    }
    return 0;
}

/* runtime-linux.md's default devices and links, after the mounts so that
 * they land on the /dev a mount made. Without a mount at /dev nothing is
 * added: the nodes would be made in the bundle's rootfs on disk (and the
 * next container of the same bundle would find them there). */
static int add_default_devices(nsbox *box, json_t *listed, bool dev, bool pts)
{
    static const struct {
        const char *path;
        uint32_t major, minor;
    } defaults[] = {
        {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
    };
    static const char *const links[][2] = {
        {"/proc/self/fd", "/dev/fd"},
        {"/proc/self/fd/0", "/dev/stdin"},
        {"/proc/self/fd/1", "/dev/stdout"},
        {"/proc/self/fd/2", "/dev/stderr"},
    };
    if (!dev)
        return 0;
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        if (json_object_get(listed, defaults[i].path))
            continue;
        int ret = nsbox_add_device(box, defaults[i].path, 'c', defaults[i].major, defaults[i].minor,
                                   0666, 0, 0);
        if (ret < 0)
            return oci_err("default device %s: %s", defaults[i].path, nsbox_errmsg(box));
    }
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        int ret = nsbox_add_symlink(box, links[i][0], links[i][1]);
        if (ret < 0)
            return oci_err("default link %s: %s", links[i][1], nsbox_errmsg(box));
    }
    if (pts && !json_object_get(listed, "/dev/ptmx")) {
        int ret = nsbox_add_symlink(box, "pts/ptmx", "/dev/ptmx");
        if (ret < 0)
            return oci_err("default link /dev/ptmx: %s", nsbox_errmsg(box));
    }
    return 0;
}

static int apply_root(struct oci_spec *spec, nsbox *box)
{
    json_t *root = NULL;
    const char *path = NULL;
    bool ro = false;
    if (cfg_obj(spec->config, "", "root", &root) < 0)
        return -1;
    if (!root)
        return oci_err("config.json: root: missing");
    if (cfg_str(root, "root", "path", &path) < 0 || cfg_bool(root, "root", "readonly", &ro) < 0)
        return -1;
    if (!path || !*path)
        return oci_err("config.json: root.path: missing");
    char *joined = NULL;
    if (path[0] == '/')
        joined = strdup(path);
    else if (asprintf(&joined, "%s/%s", spec->bundle, path) < 0)
        joined = NULL;
    if (!joined)
        return oci_err("out of memory");
    spec->rootfs = realpath(joined, NULL);
    int e = errno;
    free(joined);
    if (!spec->rootfs)
        return oci_err("config.json: root.path: %s: %s", path, strerror(e));
    int ret = nsbox_set_root(box, spec->rootfs);
    if (ret < 0)
        return spec_lib_err(box, "root.path", ret);
    /* Read-only before the mounts: they then stay as their options say
     * (the root's ro would reach every mount below it otherwise). Mount
     * points must exist in the root, as an image has them. */
    if (ro) {
        ret = nsbox_remount_ro(box, "/");
        if (ret < 0)
            return spec_lib_err(box, "root.readonly", ret);
    }
    return 0;
}

int spec_root_mounts(struct oci_spec *spec, nsbox *box)
{
    if (spec->for_exec)
        return 0;
    json_t *mounts = NULL, *linux_ = json_object_get(spec->config, "linux");
    bool dev = false, pts = false;
    if (apply_root(spec, box) < 0 || cfg_arr(spec->config, "", "mounts", &mounts) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(mounts); i++)
        if (add_one_mount(spec, box, mounts, i, &dev, &pts) < 0)
            return -1;
    json_t *listed = json_object();
    int ret = listed ? add_devices(box, json_is_object(linux_) ? linux_ : NULL, listed) : -1;
    if (ret == 0)
        ret = add_default_devices(box, listed, dev, pts);
    json_decref(listed);
    return ret;
}
