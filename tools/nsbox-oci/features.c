/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* features: what this build implements, as features.md and
 * features-linux.md shape it (fixed at build time, not probed). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>

#include "oci.h"

static json_t *strings(const char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

int cmd_features(const struct oci_global *g, int argc, char **argv)
{
    (void)g;
    static const char *const hooks[] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
        NULL};
    static const char *const mount_options[] = {
        "async",         "atime",       "bind",        "defaults",
        "dev",           "diratime",    "dirsync",     "exec",
        "iversion",      "lazytime",    "loud",        "mand",
        "noatime",       "nodev",       "nodiratime",  "noexec",
        "noiversion",    "nolazytime",  "nomand",      "norelatime",
        "nostrictatime", "nosuid",      "private",     "rbind",
        "relatime",      "ro",          "rprivate",    "rshared",
        "rslave",        "runbindable", "rw",          "shared",
        "silent",        "slave",       "strictatime", "suid",
        "sync",          "unbindable",  NULL};
    static const char *const namespaces[] = {"cgroup", "ipc", "mount", "network", "pid",
                                             "user",   "uts", "time",  NULL};
    const struct cli_opt opts[] = {{NULL, 0, false, NULL, NULL, NULL}};
    int first = cli_parse("features", argc, argv, opts);
    if (first < 0 || cli_nargs("features", argc, first, 0, 0) < 0)
        return -1;
    json_t *linux_ =
        json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:{s:b}, s:{s:b}, s:{s:b}}", "namespaces",
                  strings(namespaces), "capabilities", json_array(), "cgroup", "v1", 1, "v2", 1,
                  "systemd", 0, "systemdUser", 0, "apparmor", "enabled", 0, "selinux", "enabled", 0,
                  "intelRdt", "enabled", 0);
    /* every capability libcap knows by name */
    json_t *caps = json_object_get(linux_, "capabilities");
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
        char *name = cap_to_name(c);
        if (name && name[0] == 'c' && name[1] == 'a' && name[2] == 'p' && name[3] == '_') {
            char up[64];
            size_t k = 0;
            for (; k < sizeof(up) - 1 && name[k]; k++)
                up[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
            up[k] = '\0';
            json_array_append_new(caps, json_string(up));
        }
        cap_free(name);
    }
#ifdef HAVE_LIBSECCOMP
    json_object_set_new(linux_, "seccomp",
                        json_pack("{s:b, s:[sssssss], s:[s], s:[ssssss]}", "enabled", 1, "actions",
                                  "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
                                  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                                  "SCMP_ACT_TRAP", "operators", "SCMP_CMP_EQ", "archs",
                                  "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
                                  "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_S390X"));
    json_t *ops = json_object_get(json_object_get(linux_, "seccomp"), "operators");
    static const char *const more_ops[] = {"SCMP_CMP_GE", "SCMP_CMP_GT",        "SCMP_CMP_LE",
                                           "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
                                           NULL};
    for (size_t i = 0; more_ops[i]; i++)
        json_array_append_new(ops, json_string(more_ops[i]));
#else
    json_object_set_new(linux_, "seccomp", json_pack("{s:b}", "enabled", 0));
#endif
    json_t *f =
        json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s}}", "ociVersionMin", "1.0.0", "ociVersionMax",
                  OCI_VERSION, "hooks", strings(hooks), "mountOptions", strings(mount_options),
                  "linux", linux_, "annotations", "org.nsbox.version", nsbox_version());
    char *s = f ? json_dumps(f, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(f);
    if (!s)
        return oci_err("out of memory");
    printf("%s\n", s);
    free(s);
    return 0;
}
