/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "linux.seccomp" -> classic BPF with libseccomp, handed to
 * nsbox_set_seccomp_filter(). Syscall names this libseccomp does not know
 * are skipped (a debug line), as runc and crun do: profiles list calls of
 * newer kernels and other architectures. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

#ifndef HAVE_LIBSECCOMP
#include <linux/capability.h>
#endif

#ifdef HAVE_LIBSECCOMP
#include <seccomp.h>

static int parse_action(const char *field, const char *name, int64_t errno_ret, uint32_t *out)
{
    if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
        *out = SCMP_ACT_KILL_THREAD;
    else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
        *out = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
        *out = SCMP_ACT_TRAP;
    else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
        *out = SCMP_ACT_ERRNO((uint16_t)errno_ret);
    else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
        *out = SCMP_ACT_TRACE((uint16_t)errno_ret);
    else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
        *out = SCMP_ACT_ALLOW;
    else if (strcmp(name, "SCMP_ACT_LOG") == 0)
        *out = SCMP_ACT_LOG;
    else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
        return oci_err("config.json: %s: SCMP_ACT_NOTIFY is not supported by nsbox-oci", field);
    else
        return oci_err("config.json: %s: unknown action %s", field, name);
    return 0;
}

static int add_arches(scmp_filter_ctx ctx, json_t *sc)
{
    json_t *arches = NULL;
    if (cfg_arr(sc, "linux.seccomp", "architectures", &arches) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(arches); i++) {
        const char *a;
        if (cfg_elem_str(arches, "linux.seccomp.architectures", i, &a) < 0)
            return -1;
        char name[32];
        size_t n = 0;
        if (strncmp(a, "SCMP_ARCH_", 10) == 0)
            for (const char *p = a + 10; *p && n < sizeof(name) - 1; p++)
                name[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        name[n] = '\0';
        uint32_t arch = n ? seccomp_arch_resolve_name(name) : 0;
        if (!arch)
            return oci_err("config.json: linux.seccomp.architectures[%zu]: unknown architecture "
                           "%s",
                           i, a);
        int ret = seccomp_arch_add(ctx, arch);
        if (ret < 0 && ret != -EEXIST)
            return oci_err("config.json: linux.seccomp.architectures[%zu]: %s: %s", i, a,
                           strerror(-ret));
    }
    return 0;
}

static int parse_op(const char *field, const char *op, enum scmp_compare *out)
{
    static const struct {
        const char *name;
        enum scmp_compare op;
    } ops[] = {
        {"SCMP_CMP_NE", SCMP_CMP_NE},
        {"SCMP_CMP_LT", SCMP_CMP_LT},
        {"SCMP_CMP_LE", SCMP_CMP_LE},
        {"SCMP_CMP_EQ", SCMP_CMP_EQ},
        {"SCMP_CMP_GE", SCMP_CMP_GE},
        {"SCMP_CMP_GT", SCMP_CMP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
    };
    for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(op, ops[i].name) == 0) {
            *out = ops[i].op;
            return 0;
        }
    return oci_err("config.json: %s.op: unknown operator %s", field, op ? op : "(missing)");
}

/* A uint64 argument value: jansson holds int64, larger ones come as reals
 * (and lose precision): refused. */
static int arg_value(json_t *a, const char *field, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(a, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return oci_err("config.json: %s.%s: expected an unsigned integer below 2^63", field, key);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int parse_args(json_t *rule, const char *field, struct scmp_arg_cmp *cmp, unsigned *n)
{
    json_t *args = NULL;
    char path[96];
    snprintf(path, sizeof(path), "%s.args", field);
    if (cfg_arr(rule, field, "args", &args) < 0)
        return -1;
    if (json_array_size(args) > 6)
        return oci_err("config.json: %s: more than 6 conditions", path);
    *n = 0;
    for (size_t i = 0; i < json_array_size(args); i++) {
        char afield[128];
        json_t *a;
        int64_t index = -1;
        const char *op = NULL;
        snprintf(afield, sizeof(afield), "%s[%zu]", path, i);
        if (cfg_elem_obj(args, path, i, &a) < 0 || cfg_int(a, afield, "index", 0, 5, &index) < 0 ||
            cfg_str(a, afield, "op", &op) < 0)
            return -1;
        if (index < 0)
            return oci_err("config.json: %s.index: missing", afield);
        struct scmp_arg_cmp *c = &cmp[(*n)++];
        c->arg = (unsigned)index;
        if (parse_op(afield, op, &c->op) < 0 || arg_value(a, afield, "value", &c->datum_a) < 0 ||
            arg_value(a, afield, "valueTwo", &c->datum_b) < 0)
            return -1;
    }
    return 0;
}

/* Conditions on one argument index twice cannot share a rule in
 * libseccomp: each then gets a rule of its own (runc does the same). */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, struct scmp_arg_cmp *cmp,
                    unsigned n)
{
    bool repeated = false;
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = i + 1; k < n; k++)
            repeated |= cmp[i].arg == cmp[k].arg;
    if (!repeated)
        return seccomp_rule_add_array(ctx, action, nr, n, cmp);
    for (unsigned i = 0; i < n; i++) {
        int ret = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* Whether a syscall rule names mknod or mknodat (the device rules then
 * replace it). */
static bool names_mknod(json_t *names)
{
    for (size_t k = 0; k < json_array_size(names); k++) {
        const char *n = json_string_value(json_array_get(names, k));
        if (n && (strcmp(n, "mknod") == 0 || strcmp(n, "mknodat") == 0))
            return true;
    }
    return false;
}

static int add_syscalls(scmp_filter_ctx ctx, json_t *sc, uint32_t def, bool skip_mknod)
{
    json_t *list = NULL;
    if (cfg_arr(sc, "linux.seccomp", "syscalls", &list) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(list); i++) {
        char field[64];
        json_t *rule, *names = NULL;
        const char *act = NULL;
        int64_t eret = EPERM; /* a rule's own errnoRet, else EPERM as runc */
        struct scmp_arg_cmp cmp[6];
        unsigned ncmp = 0;
        uint32_t action = 0;
        snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu]", i);
        if (cfg_elem_obj(list, "linux.seccomp.syscalls", i, &rule) < 0 ||
            cfg_arr(rule, field, "names", &names) < 0 || cfg_str(rule, field, "action", &act) < 0 ||
            cfg_int(rule, field, "errnoRet", 0, 4095, &eret) < 0)
            return -1;
        if (!act)
            return oci_err("config.json: %s.action: missing", field);
        char afield[80];
        snprintf(afield, sizeof(afield), "%s.action", field);
        if (parse_action(afield, act, eret, &action) < 0 || parse_args(rule, field, cmp, &ncmp) < 0)
            return -1;
        if (action == def)
            continue; /* libseccomp refuses rules that repeat the default */
        if (skip_mknod && names_mknod(names)) {
            /* the device rules decide mknod; the other names keep this rule */
            json_t *rest = json_array();
            for (size_t k = 0; k < json_array_size(names); k++) {
                json_t *n = json_array_get(names, k);
                const char *ns = json_string_value(n);
                if (!ns || (strcmp(ns, "mknod") != 0 && strcmp(ns, "mknodat") != 0))
                    json_array_append(rest, n);
            }
            json_object_set_new(rule, "names", rest);
            names = rest;
        }
        for (size_t k = 0; k < json_array_size(names); k++) {
            const char *name;
            char nfield[96];
            snprintf(nfield, sizeof(nfield), "%s.names", field);
            if (cfg_elem_str(names, nfield, k, &name) < 0)
                return -1;
            int nr = seccomp_syscall_resolve_name(name);
            if (nr == __NR_SCMP_ERROR) {
                oci_debug("seccomp: skipping unknown syscall %s", name);
                continue;
            }
            int ret = add_rule(ctx, action, nr, cmp, ncmp);
            if (ret < 0)
                return oci_err("config.json: %s: rule for %s: %s", field, name, strerror(-ret));
        }
    }
    return 0;
}

static int check_flags(json_t *sc)
{
    json_t *flags = NULL;
    if (cfg_arr(sc, "linux.seccomp", "flags", &flags) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(flags); i++) {
        const char *f;
        if (cfg_elem_str(flags, "linux.seccomp.flags", i, &f) < 0)
            return -1;
        /* TSYNC changes nothing for a single-threaded exec */
        if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") != 0)
            return oci_err("config.json: linux.seccomp.flags[%zu]: %s is not supported by "
                           "nsbox-oci",
                           i, f);
    }
    return 0;
}

/* The filter as BPF bytes (malloc'd) through a memfd. */
static int export_bpf(scmp_filter_ctx ctx, void **bpf, size_t *len)
{
    int fd = memfd_create("nsbox-oci-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return oci_err("memfd_create: %s", strerror(errno));
    int ret = seccomp_export_bpf(ctx, fd);
    off_t size = ret == 0 ? lseek(fd, 0, SEEK_END) : -1;
    *bpf = size > 0 ? malloc((size_t)size) : NULL;
    if (!*bpf || pread(fd, *bpf, (size_t)size, 0) != size) {
        close(fd);
        free(*bpf);
        *bpf = NULL;
        return oci_err("linux.seccomp: exporting the filter failed: %s",
                       strerror(ret < 0 ? -ret : EIO));
    }
    close(fd);
    *len = (size_t)size;
    return 0;
}

/* The device rules' stand-in (spec_cgroup.c): mknod and mknodat of a
 * character or block device fail with EPERM, whatever the profile says
 * (rules added before the profile's take precedence in libseccomp only if
 * the profile has none for the call: a profile's own rule for mknod is
 * replaced here). */
static int deny_device_nodes(scmp_filter_ctx ctx, uint32_t def)
{
    static const unsigned types[] = {S_IFCHR, S_IFBLK};
    if (def == SCMP_ACT_ERRNO(EPERM))
        return 0; /* the default denies them already */
    for (size_t i = 0; i < 2; i++) {
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknod), 1,
                                 SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, types[i]));
        if (r == 0)
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknodat), 1,
                                 SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, types[i]));
        if (r < 0)
            return oci_err("linux.resources.devices: the mknod rule: %s", strerror(-r));
    }
    return 0;
}

int spec_seccomp(struct oci_spec *spec, nsbox *box, json_t *sc)
{
    if (!sc) {
        /* no profile: a filter of the device rules alone */
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        void *bpf = NULL;
        size_t len = 0;
        int ret = ctx ? deny_device_nodes(ctx, SCMP_ACT_ALLOW) : oci_err("seccomp_init failed");
        if (ret == 0)
            ret = export_bpf(ctx, &bpf, &len);
        if (ctx)
            seccomp_release(ctx);
        if (ret == 0 && nsbox_set_seccomp_filter(box, bpf, len) < 0)
            ret = spec_lib_err(box, "linux.resources.devices", -1);
        free(bpf);
        return ret;
    }
    const char *def = NULL;
    int64_t def_errno = 1; /* EPERM, as runc */
    uint32_t def_action = 0;
    if (cfg_refuse_nonempty(sc, "linux.seccomp", "listenerPath") < 0 ||
        cfg_refuse_nonempty(sc, "linux.seccomp", "listenerMetadata") < 0 || check_flags(sc) < 0 ||
        cfg_str(sc, "linux.seccomp", "defaultAction", &def) < 0 ||
        cfg_int(sc, "linux.seccomp", "defaultErrnoRet", 0, 4095, &def_errno) < 0)
        return -1;
    if (!def)
        return oci_err("config.json: linux.seccomp.defaultAction: missing");
    if (parse_action("linux.seccomp.defaultAction", def, def_errno, &def_action) < 0)
        return -1;
    scmp_filter_ctx ctx = seccomp_init(def_action);
    if (!ctx)
        return oci_err("linux.seccomp: seccomp_init failed");
    void *bpf = NULL;
    size_t len = 0;
    int ret = add_arches(ctx, sc);
    if (ret == 0)
        ret = add_syscalls(ctx, sc, def_action, spec->deny_mknod);
    if (ret == 0 && spec->deny_mknod)
        ret = deny_device_nodes(ctx, def_action);
    if (ret == 0)
        ret = export_bpf(ctx, &bpf, &len);
    seccomp_release(ctx);
    if (ret < 0)
        return -1;
    ret = nsbox_set_seccomp_filter(box, bpf, len);
    free(bpf);
    return ret < 0 ? spec_lib_err(box, "linux.seccomp", ret) : 0;
}

#else

int spec_seccomp(struct oci_spec *spec, nsbox *box, json_t *sc)
{
    (void)box;
    if (sc)
        return oci_err("config.json: linux.seccomp: nsbox-oci was built without libseccomp");
    /* the device rules' stand-in without seccomp: no CAP_MKNOD */
    for (size_t i = 0; i < 5; i++)
        spec->caps[i] &= ~(1ull << CAP_MKNOD);
    return 0;
}

#endif
