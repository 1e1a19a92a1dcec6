/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "process" -> recipe: args, env, cwd, user, capabilities,
 * rlimits, noNewPrivileges, oomScoreAdj, terminal and consoleSize. Also
 * the process of `exec --process`. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "oci.h"

static int apply_args(struct oci_spec *spec, json_t *process)
{
    json_t *args = NULL;
    if (cfg_arr(process, "process", "args", &args) < 0)
        return -1;
    size_t n = json_array_size(args);
    if (n == 0)
        return oci_err("config.json: process.args: missing or empty");
    spec->argv = calloc(n + 1, sizeof(char *));
    if (!spec->argv)
        return oci_err("out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *s;
        if (cfg_elem_str(args, "process.args", i, &s) < 0)
            return -1;
        spec->argv[i] = (char *)s;
    }
    if (!*spec->argv[0])
        return oci_err("config.json: process.args[0]: empty");
    spec->argc = n;
    return 0;
}

/* The environment is exactly process.env: nothing of nsbox-oci's own. */
static int apply_env(nsbox *box, json_t *process)
{
    json_t *env = NULL;
    if (cfg_arr(process, "process", "env", &env) < 0)
        return -1;
    int ret = nsbox_clear_env(box);
    if (ret < 0)
        return spec_lib_err(box, "process.env", ret);
    for (size_t i = 0; i < json_array_size(env); i++) {
        const char *s;
        if (cfg_elem_str(env, "process.env", i, &s) < 0)
            return -1;
        const char *eq = strchr(s, '=');
        if (!eq || eq == s)
            return oci_err("config.json: process.env[%zu]: \"%s\" is not NAME=VALUE", i, s);
        char *name = strndup(s, (size_t)(eq - s));
        if (!name)
            return oci_err("out of memory");
        ret = nsbox_set_env(box, name, eq + 1);
        free(name);
        if (ret < 0) {
            char field[64];
            snprintf(field, sizeof(field), "process.env[%zu]", i);
            return spec_lib_err(box, field, ret);
        }
    }
    return 0;
}

static int apply_cwd(nsbox *box, json_t *process)
{
    const char *cwd = NULL;
    if (cfg_str(process, "process", "cwd", &cwd) < 0)
        return -1;
    if (!cwd)
        return oci_err("config.json: process.cwd: missing");
    if (cwd[0] != '/')
        return oci_err("config.json: process.cwd: %s is not an absolute path", cwd);
    int ret = nsbox_set_cwd(box, cwd);
    return ret < 0 ? spec_lib_err(box, "process.cwd", ret) : 0;
}

static int apply_groups(nsbox *box, json_t *user)
{
    json_t *add = NULL;
    if (cfg_arr(user, "process.user", "additionalGids", &add) < 0)
        return -1;
    size_t n = json_array_size(add);
    if (n == 0)
        return 0;
    gid_t *gids = calloc(n, sizeof(gid_t));
    if (!gids)
        return oci_err("out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(add, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) >= UINT32_MAX) {
            free(gids);
            return oci_err("config.json: process.user.additionalGids[%zu]: expected a gid", i);
        }
        gids[i] = (gid_t)json_integer_value(v);
    }
    int ret = nsbox_set_groups(box, gids, n);
    free(gids);
    return ret < 0 ? spec_lib_err(box, "process.user.additionalGids", ret) : 0;
}

static int apply_user(nsbox *box, json_t *process)
{
    json_t *user = NULL;
    if (cfg_obj(process, "process", "user", &user) < 0)
        return -1;
    if (!user)
        return oci_err("config.json: process.user: missing");
    int64_t uid = 0, gid = 0, umask_ = -1;
    if (cfg_int(user, "process.user", "uid", 0, UINT32_MAX - 1, &uid) < 0 ||
        cfg_int(user, "process.user", "gid", 0, UINT32_MAX - 1, &gid) < 0 ||
        cfg_int(user, "process.user", "umask", 0, 0777, &umask_) < 0)
        return -1;
    int ret = nsbox_set_user(box, (uint32_t)uid, (uint32_t)gid);
    if (ret < 0)
        return spec_lib_err(box, "process.user", ret);
    if (umask_ >= 0) {
        ret = nsbox_set_umask(box, (uint32_t)umask_);
        if (ret < 0)
            return spec_lib_err(box, "process.user.umask", ret);
    }
    return apply_groups(box, user);
}

/* One capability set as a mask of CAP_* bits. */
static int cap_set_mask(json_t *caps, const char *key, uint64_t *mask)
{
    json_t *arr = NULL;
    char path[64];
    snprintf(path, sizeof(path), "process.capabilities.%s", key);
    if (cfg_arr(caps, "process.capabilities", key, &arr) < 0)
        return -1;
    *mask = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *name;
        cap_value_t v;
        if (cfg_elem_str(arr, path, i, &name) < 0)
            return -1;
        if (strncasecmp(name, "CAP_", 4) != 0 || cap_from_name(name, &v) < 0 || v < 0 || v > 63)
            return oci_err("config.json: %s[%zu]: unknown capability %s", path, i, name);
        *mask |= 1ull << v;
    }
    return 0;
}

/* The five sets as given, kept in spec until spec_caps applies them
 * (after the device rules, which may take CAP_MKNOD away). */
static int parse_caps(struct oci_spec *spec, json_t *process)
{
    static const char *const keys[] = {"bounding", "effective", "permitted", "inheritable",
                                       "ambient"};
    json_t *caps = NULL;
    if (cfg_obj(process, "process", "capabilities", &caps) < 0)
        return -1;
    if (!caps)
        return 0;
    spec->caps_given = true;
    for (size_t i = 0; i < 5; i++)
        if (cap_set_mask(caps, keys[i], &spec->caps[i]) < 0)
            return -1;
    return 0;
}

/* Without process.capabilities: none at all (the library's default: every
 * set empty, the bounding set dropped). */
int spec_caps(struct oci_spec *spec, nsbox *box)
{
    static const char *const fields[] = {
        "process.capabilities.bounding", "process.capabilities.effective",
        "process.capabilities.permitted", "process.capabilities.inheritable",
        "process.capabilities.ambient"};
    static const int sets[] = {NSBOX_CAPS_BOUNDING, NSBOX_CAPS_EFFECTIVE, NSBOX_CAPS_PERMITTED,
                               NSBOX_CAPS_INHERITABLE, NSBOX_CAPS_AMBIENT};
    if (!spec->caps_given)
        return 0;
    /* The kernel raises an ambient capability only if it is inheritable and
     * permitted; runc skips the others (its default config lists ambient
     * ones without an inheritable set): so does nsbox-oci, with a debug
     * line, rather than refusing that config. */
    uint64_t ambient = spec->caps[4] & spec->caps[3] & spec->caps[2];
    if (ambient != spec->caps[4])
        oci_debug("process.capabilities.ambient: skipping 0x%llx (not inheritable and "
                  "permitted)",
                  (unsigned long long)(spec->caps[4] & ~ambient));
    spec->caps[4] = ambient;
    for (size_t i = 0; i < 5; i++) {
        uint64_t mask = spec->caps[i];
        int ret = nsbox_set_caps(box, sets[i], mask);
        if (ret < 0)
            return spec_lib_err(box, fields[i], ret);
    }
    return 0;
}

static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

/* A limit as JSON gives it: uint64, where jansson's largest integer
 * (int64) is too small for "unlimited" a config may write as
 * 18446744073709551615; jansson gives a real then. */
static int rlimit_value(json_t *rl, const char *path, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(rl, key);
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_real(v) && json_real_value(v) >= 18446744073709551615.0) {
        *out = RLIM_INFINITY;
        return 0;
    }
    return oci_err("config.json: %s.%s: expected an unsigned integer", path, key);
}

static int apply_rlimits(nsbox *box, json_t *process)
{
    json_t *rls = NULL;
    if (cfg_arr(process, "process", "rlimits", &rls) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(rls); i++) {
        char path[64];
        json_t *rl;
        const char *type = NULL;
        snprintf(path, sizeof(path), "process.rlimits[%zu]", i);
        if (cfg_elem_obj(rls, "process.rlimits", i, &rl) < 0 ||
            cfg_str(rl, path, "type", &type) < 0)
            return -1;
        size_t k = 0, n = sizeof(rlimit_names) / sizeof(rlimit_names[0]);
        while (k < n && (!type || strcmp(type, rlimit_names[k].name) != 0))
            k++;
        if (k == n)
            return oci_err("config.json: %s.type: unknown rlimit %s", path,
                           type ? type : "(missing)");
        uint64_t soft = 0, hard = 0;
        if (rlimit_value(rl, path, "soft", &soft) < 0 || rlimit_value(rl, path, "hard", &hard) < 0)
            return -1;
        int ret = nsbox_set_rlimit(box, rlimit_names[k].resource, soft, hard);
        if (ret < 0)
            return spec_lib_err(box, path, ret);
    }
    return 0;
}

static int apply_misc(struct oci_spec *spec, nsbox *box, json_t *process)
{
    static const char *const unsupported[] = {"commandLine", "ioPriority", "scheduler",
                                              "execCPUAffinity", NULL};
    bool nnp = false;
    int64_t oom = 0;
    json_t *size = NULL;
    if (cfg_refuse(process, "process", unsupported) < 0 ||
        cfg_refuse_nonempty(process, "process", "apparmorProfile") < 0 ||
        cfg_refuse_nonempty(process, "process", "selinuxLabel") < 0 ||
        cfg_bool(process, "process", "noNewPrivileges", &nnp) < 0 ||
        cfg_bool(process, "process", "terminal", &spec->terminal) < 0 ||
        cfg_obj(process, "process", "consoleSize", &size) < 0)
        return -1;
    if (!nnp)
        spec->flags |= NSBOX_ALLOW_NEW_PRIVS;
    if (size) {
        int64_t h = 0, w = 0;
        if (cfg_int(size, "process.consoleSize", "height", 0, UINT16_MAX, &h) < 0 ||
            cfg_int(size, "process.consoleSize", "width", 0, UINT16_MAX, &w) < 0)
            return -1;
        spec->console_rows = (int)h;
        spec->console_cols = (int)w;
    }
    if (json_object_get(process, "oomScoreAdj")) {
        if (cfg_int(process, "process", "oomScoreAdj", -1000, 1000, &oom) < 0)
            return -1;
        int ret = nsbox_set_oom_score_adj(box, (int)oom);
        if (ret < 0)
            return spec_lib_err(box, "process.oomScoreAdj", ret);
    }
    return 0;
}

int spec_process(struct oci_spec *spec, nsbox *box, json_t *process)
{
    if (apply_args(spec, process) < 0 || apply_env(box, process) < 0 ||
        apply_cwd(box, process) < 0 || apply_user(box, process) < 0 ||
        parse_caps(spec, process) < 0 || apply_rlimits(box, process) < 0 ||
        apply_misc(spec, box, process) < 0)
        return -1;
    return 0;
}
