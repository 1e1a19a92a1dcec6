/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "linux.cgroupsPath" and "linux.resources" -> the library's
 * cgroup calls, which write v1 or v2 files as the host has them (cgroup
 * v2 names here; the library translates memory, pids, cpu and cpuset to
 * v1). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

static int set_limit(nsbox *box, const char *field, const char *key, const char *value)
{
    int ret = nsbox_set_cgroup_limit(box, key, value);
    return ret < 0 ? spec_lib_err(box, field, ret) : 0;
}

static int set_num(nsbox *box, const char *field, const char *key, int64_t v)
{
    char buf[32];
    if (v < 0)
        snprintf(buf, sizeof(buf), "max");
    else
        snprintf(buf, sizeof(buf), "%" PRId64, v);
    return set_limit(box, field, key, buf);
}

static int apply_memory(nsbox *box, json_t *res)
{
    static const char *const unsupported[] = {"kernel", "kernelTCP", "swappiness", NULL};
    json_t *mem = NULL;
    if (cfg_obj(res, "linux.resources", "memory", &mem) < 0 || !mem)
        return mem ? -1 : 0;
    const char *p = "linux.resources.memory";
    int64_t limit = 0, reservation = 0, swap = 0;
    bool no_oom = false, hier = false;
    bool has_limit = json_object_get(mem, "limit") != NULL,
         has_res = json_object_get(mem, "reservation") != NULL,
         has_swap = json_object_get(mem, "swap") != NULL;
    if (cfg_refuse(mem, p, unsupported) < 0 ||
        cfg_int(mem, p, "limit", -1, INT64_MAX, &limit) < 0 ||
        cfg_int(mem, p, "reservation", -1, INT64_MAX, &reservation) < 0 ||
        cfg_int(mem, p, "swap", -1, INT64_MAX, &swap) < 0 ||
        cfg_bool(mem, p, "disableOOMKiller", &no_oom) < 0 ||
        cfg_bool(mem, p, "useHierarchy", &hier) < 0)
        return -1;
    if (no_oom)
        return oci_err("config.json: %s.disableOOMKiller: not supported by nsbox-oci", p);
    /* 0 means unset for these, as runc takes them */
    if (has_limit && limit != 0 &&
        set_num(box, "linux.resources.memory.limit", "memory.max", limit) < 0)
        return -1;
    if (has_res && reservation != 0 &&
        set_num(box, "linux.resources.memory.reservation", "memory.low", reservation) < 0)
        return -1;
    if (has_swap && swap != 0) {
        /* OCI's swap is memory + swap (v1's memsw); the library takes swap
         * alone, as v2's memory.swap.max. */
        if (swap > 0 && (limit <= 0 || swap < limit))
            return oci_err("config.json: %s.swap: %" PRId64 " needs a memory limit no larger "
                           "than it",
                           p, swap);
        if (set_num(box, "linux.resources.memory.swap", "memory.swap.max",
                    swap < 0 ? -1 : swap - limit) < 0)
            return -1;
    }
    return 0;
}

/* v1 shares (2..262144) as the library's cpu.weight, whose v1 translation
 * is shares = weight * 1024 / 100: the inverse, so that the shares a v1
 * host gets are those asked for (to 1%), and the defaults agree (1024 ->
 * 100). runc's formula (1 + (shares - 2) * 9999 / 262142) would be
 * translated back to other shares. */
static int64_t shares_to_weight(int64_t shares)
{
    int64_t w = (shares * 100 + 512) / 1024;
    return w < 1 ? 1 : w > 10000 ? 10000 : w;
}

static int apply_cpu(nsbox *box, json_t *res)
{
    static const char *const unsupported[] = {"realtimeRuntime", "realtimePeriod", "idle", "burst",
                                              NULL};
    json_t *cpu = NULL;
    if (cfg_obj(res, "linux.resources", "cpu", &cpu) < 0 || !cpu)
        return cpu ? -1 : 0;
    const char *p = "linux.resources.cpu";
    int64_t shares = 0, quota = 0, period = 0;
    const char *cpus = NULL, *mems = NULL;
    if (cfg_refuse(cpu, p, unsupported) < 0 || cfg_int(cpu, p, "shares", 0, 262144, &shares) < 0 ||
        cfg_int(cpu, p, "quota", -1, INT64_MAX, &quota) < 0 ||
        cfg_int(cpu, p, "period", 0, 1000000, &period) < 0 || cfg_str(cpu, p, "cpus", &cpus) < 0 ||
        cfg_str(cpu, p, "mems", &mems) < 0)
        return -1;
    if (shares) {
        if (shares < 2)
            return oci_err("config.json: %s.shares: %" PRId64 " is below 2", p, shares);
        if (set_num(box, "linux.resources.cpu.shares", "cpu.weight", shares_to_weight(shares)) < 0)
            return -1;
    }
    if (quota != 0 || period != 0) {
        char buf[64];
        if (quota > 0)
            snprintf(buf, sizeof(buf), "%" PRId64 " %" PRId64, quota, period ? period : 100000);
        else
            snprintf(buf, sizeof(buf), "max %" PRId64, period ? period : 100000);
        if (set_limit(box, "linux.resources.cpu.quota", "cpu.max", buf) < 0)
            return -1;
    }
    if (cpus && *cpus && set_limit(box, "linux.resources.cpu.cpus", "cpuset.cpus", cpus) < 0)
        return -1;
    if (mems && *mems && set_limit(box, "linux.resources.cpu.mems", "cpuset.mems", mems) < 0)
        return -1;
    return 0;
}

static int apply_pids(nsbox *box, json_t *res)
{
    json_t *pids = NULL;
    int64_t limit = 0;
    if (cfg_obj(res, "linux.resources", "pids", &pids) < 0 || !pids)
        return pids ? -1 : 0;
    if (cfg_int(pids, "linux.resources.pids", "limit", INT64_MIN, INT64_MAX, &limit) < 0)
        return -1;
    if (!json_object_get(pids, "limit"))
        return 0;
    return set_num(box, "linux.resources.pids.limit", "pids.max", limit > 0 ? limit : -1);
}

static int set_unified(void *box, const char *field, const char *key, const char *value)
{
    return set_limit(box, field, key, value);
}

static int apply_unified(nsbox *box, json_t *res)
{
    return cfg_string_map(res, "linux.resources", "unified", set_unified, box);
}

/* runc's default rules (libcontainer/specconv's AllowedDevices), after
 * the config's, as runtime-linux.md asks the default devices to be
 * allowed: making any node (the runtime makes linux.devices inside the
 * container's cgroup; the process lacks CAP_MKNOD unless the config gives
 * it), and using the default devices, /dev/ptmx and the ptys. */
static const struct {
    char type;
    int64_t major, minor;
    const char *access;
} default_rules[] = {
    {'c', -1, -1, "m"}, {'b', -1, -1, "m"},    {'c', 1, 3, "rwm"}, {'c', 1, 5, "rwm"},
    {'c', 1, 7, "rwm"}, {'c', 1, 8, "rwm"},    {'c', 1, 9, "rwm"}, {'c', 5, 0, "rwm"},
    {'c', 5, 2, "rwm"}, {'c', 136, -1, "rwm"},
};

/* True when this process may program the devices controller: root with
 * the host's ids (the initial user namespace's, whose CAP_SYS_ADMIN the
 * kernel asks for). */
static bool devices_programmable(void)
{
    if (geteuid() != 0)
        return false;
    char buf[128] = "";
    FILE *f = fopen("/proc/self/uid_map", "re");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    unsigned long inside, outside, count;
    /* one line, "0 0 4294967295" */
    const char *nl = strchr(buf, '\n');
    return sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
           outside == 0 && count == 4294967295UL && nl && !nl[1];
}

static int add_rule(nsbox *box, const char *field, bool allow, char type, int64_t major,
                    int64_t minor, const char *access)
{
    int ret = nsbox_add_device_rule(box, allow, type, major, minor, access);
    return ret < 0 ? spec_lib_err(box, field, ret) : 0;
}

/* linux.resources.devices: as root, the library's device rules (the
 * devices controller: v1 files or a v2 BPF program), the config's in
 * order then the defaults. Where the controller cannot be programmed
 * (rootless: no CAP_SYS_ADMIN in the initial user namespace, as runc and
 * crun skip them there), rules that do not allow every device become a
 * seccomp stand-in instead: mknod of character and block nodes fails
 * (seccomp.c), so that only the nodes the runtime made exist; a node
 * bind-mounted in stays openable by its permissions (nsbox-oci(1)). */
static int apply_device_rules(struct oci_spec *spec, nsbox *box, json_t *res)
{
    json_t *rules = NULL;
    if (cfg_arr(res, "linux.resources", "devices", &rules) < 0)
        return -1;
    bool programmable = devices_programmable();
    bool allow_all = false, program = programmable && !spec->for_exec;
    for (size_t i = 0; i < json_array_size(rules); i++) {
        char field[64];
        json_t *r;
        bool allow = false;
        const char *type = NULL, *access = NULL;
        int64_t major = -1, minor = -1;
        snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
        if (cfg_elem_obj(rules, "linux.resources.devices", i, &r) < 0 ||
            cfg_bool(r, field, "allow", &allow) < 0 || cfg_str(r, field, "type", &type) < 0 ||
            cfg_str(r, field, "access", &access) < 0 ||
            cfg_int(r, field, "major", -1, UINT32_MAX, &major) < 0 ||
            cfg_int(r, field, "minor", -1, UINT32_MAX, &minor) < 0)
            return -1;
        if (!json_is_boolean(json_object_get(r, "allow")))
            return oci_err("config.json: %s.allow: missing", field);
        if (type && strcmp(type, "a") != 0 && strcmp(type, "b") != 0 && strcmp(type, "c") != 0)
            return oci_err("config.json: %s.type: %s is not a, b or c", field, type);
        /* the spec's defaults: any type, any number, all access */
        if (!type || !*type)
            type = "a";
        if (!access || !*access)
            access = "rwm";
        if (program && add_rule(box, field, allow, type[0], major, minor, access) < 0)
            return -1;
        bool everything = type[0] == 'a' && major < 0 && minor < 0;
        if (everything)
            allow_all = allow;
    }
    for (size_t i = 0;
         program && json_array_size(rules) && i < sizeof(default_rules) / sizeof(default_rules[0]);
         i++)
        if (add_rule(box, "linux.resources.devices (the default devices)", true,
                     default_rules[i].type, default_rules[i].major, default_rules[i].minor,
                     default_rules[i].access) < 0)
            return -1;
    /* As root the controller decides (and an exec joins the container's
     * devices cgroup); rootless, the stand-in. */
    spec->deny_mknod = !programmable && json_array_size(rules) > 0 && !allow_all;
    return 0;
}

static int apply_path(struct oci_spec *spec, nsbox *box, json_t *linux_, bool has_limits)
{
    const char *path = NULL;
    if (linux_ && cfg_str(linux_, "linux", "cgroupsPath", &path) < 0)
        return -1;
    if (path && strchr(path, ':'))
        return oci_err("config.json: linux.cgroupsPath: %s is a systemd slice path; nsbox-oci "
                       "manages cgroupfs paths only (no --systemd-cgroup)",
                       path);
    if (path && *path) {
        spec->cgroup_path = strdup(path);
    } else if (geteuid() == 0 || has_limits) {
        /* runc's default: a cgroup named for the container */
        if (asprintf(&spec->cgroup_path, "/nsbox-oci/%s", spec->id) < 0)
            spec->cgroup_path = NULL;
    } else {
        return 0; /* rootless without a cgroup: kill --all, pause, ps need one */
    }
    if (!spec->cgroup_path)
        return oci_err("out of memory");
    int ret = nsbox_set_cgroup_path(box, spec->cgroup_path);
    return ret < 0 ? spec_lib_err(box, "linux.cgroupsPath", ret) : 0;
}

int spec_cgroup(struct oci_spec *spec, nsbox *box, json_t *linux_)
{
    static const char *const unsupported[] = {"hugepageLimits", "network", "rdma", "blockIO", NULL};
    json_t *res = NULL;
    if (linux_ && cfg_obj(linux_, "linux", "resources", &res) < 0)
        return -1;
    if (res && apply_device_rules(spec, box, res) < 0)
        return -1;
    if (spec->caps_given && ((spec->caps[0] | spec->caps[2]) & (1ull << 21 /* CAP_SYS_ADMIN */))) {
        /* A privileged container keeps CAP_SYS_ADMIN, with which it could
         * remount the cgroup file system writable: the library refuses its
         * limits unless told they are advisory (runc sets them all the
         * same). nsbox_cgroup(3), NSBOX_CGROUP_ADVISORY. */
        oci_debug("cgroup limits: advisory, as the process keeps CAP_SYS_ADMIN");
        spec->flags |= NSBOX_CGROUP_ADVISORY;
    }
    if (spec->for_exec)
        return 0;
    for (size_t i = 0; res && unsupported[i]; i++)
        if (cfg_refuse_nonempty(res, "linux.resources", unsupported[i]) < 0)
            return -1;
    bool limits =
        res && (json_object_get(res, "memory") || json_object_get(res, "cpu") ||
                json_object_get(res, "pids") || json_object_size(json_object_get(res, "unified")));
    if (res && (apply_memory(box, res) < 0 || apply_cpu(box, res) < 0 || apply_pids(box, res) < 0 ||
                apply_unified(box, res) < 0))
        return -1;
    return apply_path(spec, box, linux_, limits);
}
