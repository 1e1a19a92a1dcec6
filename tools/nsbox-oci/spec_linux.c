/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "linux" -> recipe: namespaces (new or joined by path),
 * uid/gid mappings, devices, maskedPaths, readonlyPaths, sysctl,
 * rootfsPropagation; the fields nsbox-oci refuses. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "oci.h"

static const struct {
    const char *type;
    unsigned ns;
} ns_types[] = {
    {"pid", NSBOX_NS_PID},       {"network", NSBOX_NS_NET}, {"mount", NSBOX_NS_MOUNT},
    {"ipc", NSBOX_NS_IPC},       {"uts", NSBOX_NS_UTS},     {"user", NSBOX_NS_USER},
    {"cgroup", NSBOX_NS_CGROUP}, {"time", NSBOX_NS_TIME},
};

static int join_ns(struct oci_spec *spec, nsbox *box, unsigned ns, const char *path,
                   const char *field)
{
    /* O_NONBLOCK: a FIFO named there must not hang create */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return oci_err("config.json: %s.path: open %s: %s", field, path, strerror(errno));
    int ret = nsbox_join_namespace(box, ns, fd);
    close(fd);
    if (ret < 0)
        return spec_lib_err(box, field, ret);
    (void)spec;
    return 0;
}

int spec_namespaces(struct oci_spec *spec, nsbox *box, json_t *linux_)
{
    json_t *list = NULL;
    if (linux_ && cfg_arr(linux_, "linux", "namespaces", &list) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(list); i++) {
        char field[64];
        json_t *e;
        const char *type = NULL, *path = NULL;
        snprintf(field, sizeof(field), "linux.namespaces[%zu]", i);
        if (cfg_elem_obj(list, "linux.namespaces", i, &e) < 0 ||
            cfg_str(e, field, "type", &type) < 0 || cfg_str(e, field, "path", &path) < 0)
            return -1;
        size_t k = 0, n = sizeof(ns_types) / sizeof(ns_types[0]);
        while (k < n && (!type || strcmp(type, ns_types[k].type) != 0))
            k++;
        if (k == n)
            return oci_err("config.json: %s.type: unknown namespace type %s", field,
                           type ? type : "(missing)");
        unsigned ns = ns_types[k].ns;
        if ((spec->ns_new | spec->ns_joined) & ns)
            return oci_err("config.json: %s: the %s namespace is listed twice", field, type);
        /* Joining a mount namespace by path: runc builds the root in it, and
         * so pivots the root of every process already there, with privileged
         * steps on a mount table whoever holds it may rearrange meanwhile.
         * libnsbox builds a root only in a namespace it has just made. */
        if (ns == NSBOX_NS_MOUNT && path && *path)
            return oci_err(
                "config.json: %s.path: joining a mount namespace by path is not "
                "supported: the container's root would be built in a namespace other "
                "processes hold (its pivot_root changes theirs, and they could rearrange "
                "its mounts during the setup); use a new mount namespace",
                field);
        if (path && *path) {
            if (path[0] != '/')
                return oci_err("config.json: %s.path: %s is not absolute", field, path);
            if (spec->for_exec)
                continue;
            if (join_ns(spec, box, ns, path, field) < 0)
                return -1;
            spec->ns_joined |= ns;
        } else {
            spec->ns_new |= ns;
        }
    }
    if (spec->for_exec)
        return 0;
    if (!(spec->ns_new & NSBOX_NS_MOUNT))
        return oci_err("config.json: linux.namespaces: nsbox-oci needs a new mount namespace "
                       "(a \"mount\" entry without a path)");
    /* The mount namespace is made by the filesystem steps themselves. */
    int ret = nsbox_add_namespace(box, spec->ns_new);
    return ret < 0 ? spec_lib_err(box, "linux.namespaces", ret) : 0;
}

static int add_maps(nsbox *box, json_t *linux_, const char *key, bool uid)
{
    json_t *maps = NULL;
    char path[64];
    snprintf(path, sizeof(path), "linux.%s", key);
    if (cfg_arr(linux_, "linux", key, &maps) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(maps); i++) {
        char field[160];
        json_t *m;
        int64_t in = -1, out = -1, count = -1;
        snprintf(field, sizeof(field), "%s[%zu]", path, i);
        if (cfg_elem_obj(maps, path, i, &m) < 0 ||
            cfg_int(m, field, "containerID", 0, UINT32_MAX, &in) < 0 ||
            cfg_int(m, field, "hostID", 0, UINT32_MAX, &out) < 0 ||
            cfg_int(m, field, "size", 1, UINT32_MAX, &count) < 0)
            return -1;
        if (in < 0 || out < 0 || count < 0)
            return oci_err("config.json: %s: needs containerID, hostID and size", field);
        int ret = uid ? nsbox_add_uid_map(box, (uint32_t)in, (uint32_t)out, (uint32_t)count)
                      : nsbox_add_gid_map(box, (uint32_t)in, (uint32_t)out, (uint32_t)count);
        if (ret < 0)
            return spec_lib_err(box, field, ret);
    }
    return 0;
}

int spec_idmaps(struct oci_spec *spec, nsbox *box, json_t *linux_)
{
    if (!linux_ || spec->for_exec)
        return 0;
    bool has = json_array_size(json_object_get(linux_, "uidMappings")) ||
               json_array_size(json_object_get(linux_, "gidMappings"));
    if (has && !(spec->ns_new & NSBOX_NS_USER))
        return oci_err("config.json: linux.uidMappings: mappings need a new user namespace in "
                       "linux.namespaces");
    return add_maps(box, linux_, "uidMappings", true) < 0 ||
                   add_maps(box, linux_, "gidMappings", false) < 0
               ? -1
               : 0;
}

static int add_paths(nsbox *box, json_t *linux_, const char *key, bool mask)
{
    json_t *list = NULL;
    char path[64];
    snprintf(path, sizeof(path), "linux.%s", key);
    if (cfg_arr(linux_, "linux", key, &list) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *p;
        char field[160];
        snprintf(field, sizeof(field), "%s[%zu]", path, i);
        if (cfg_elem_str(list, path, i, &p) < 0)
            return -1;
        if (p[0] != '/')
            return oci_err("config.json: %s: %s is not absolute", field, p);
        int ret;
        if (mask) {
            ret = nsbox_add_mask(box, p);
        } else {
            ret = nsbox_add_readonly(box, p);
        }
        if (ret < 0)
            return spec_lib_err(box, field, ret);
    }
    return 0;
}

static int set_sysctl(void *box, const char *field, const char *key, const char *value)
{
    int ret = nsbox_set_sysctl(box, key, value);
    return ret < 0 ? spec_lib_err(box, field, ret) : 0;
}

static int add_sysctls(nsbox *box, json_t *linux_)
{
    return cfg_string_map(linux_, "linux", "sysctl", set_sysctl, box);
}

static int set_propagation(nsbox *box, json_t *linux_)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } props[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    const char *p = NULL;
    if (cfg_str(linux_, "linux", "rootfsPropagation", &p) < 0)
        return -1;
    if (!p || !*p)
        return 0;
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
        if (strcmp(p, props[i].name) == 0) {
            int ret = nsbox_set_root_propagation(box, props[i].flag);
            return ret < 0 ? spec_lib_err(box, "linux.rootfsPropagation", ret) : 0;
        }
    }
    return oci_err("config.json: linux.rootfsPropagation: unknown propagation %s", p);
}

int spec_linux_fs(struct oci_spec *spec, nsbox *box, json_t *linux_)
{
    static const char *const unsupported[] = {"intelRdt", "personality", "timeOffsets", NULL};
    if (!linux_)
        return 0;
    if (cfg_refuse(linux_, "linux", unsupported) < 0 ||
        cfg_refuse_nonempty(linux_, "linux", "mountLabel") < 0)
        return -1;
    if (spec->for_exec)
        return 0;
    if (add_paths(box, linux_, "maskedPaths", true) < 0 ||
        add_paths(box, linux_, "readonlyPaths", false) < 0 || add_sysctls(box, linux_) < 0 ||
        set_propagation(box, linux_) < 0)
        return -1;
    return 0;
}
