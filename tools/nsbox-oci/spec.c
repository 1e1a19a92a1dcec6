/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json -> recipe: the top level. Each part lives in its own file
 * (spec_process.c, spec_mounts.c, spec_linux.c, spec_cgroup.c,
 * seccomp.c). A field the spec defines and nsbox-oci does not support is an
 * error naming it, never ignored; fields the spec does not define are
 * ignored, as config.md requires of runtimes. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

int spec_lib_err(nsbox *box, const char *field, int ret)
{
    (void)ret;
    return oci_err("config.json: %s: %s", field, nsbox_errmsg(box));
}

/* ociVersion: any 1.x (engines write 1.0.2-dev, 1.1.0...). */
static int check_version(json_t *config)
{
    const char *v = NULL;
    if (cfg_str(config, "", "ociVersion", &v) < 0)
        return -1;
    if (!v)
        return oci_err("config.json: ociVersion: missing");
    if (strncmp(v, "1.", 2) != 0)
        return oci_err("config.json: ociVersion: %s is not a 1.x version", v);
    return 0;
}

static int apply_names(struct oci_spec *spec, nsbox *box)
{
    const char *host = NULL, *domain = NULL;
    if (cfg_str(spec->config, "", "hostname", &host) < 0 ||
        cfg_str(spec->config, "", "domainname", &domain) < 0)
        return -1;
    /* The spec lets a runtime refuse a hostname without a UTS namespace of
     * its own; setting it would change the host's. In a joined one (a pod's
     * shared UTS namespace) it is set there, as runc does, through the
     * library's kernel.hostname sysctl, which refuses the caller's own
     * namespace at spawn. */
    bool joined = spec->ns_joined & NSBOX_NS_UTS;
    if ((host && *host) || (domain && *domain)) {
        if (!(spec->ns_new & NSBOX_NS_UTS) && !joined)
            return oci_err("config.json: %s: needs a uts namespace in linux.namespaces (new, or "
                           "joined by path)",
                           host && *host ? "hostname" : "domainname");
    }
    if (host && *host) {
        int ret =
            joined ? nsbox_set_sysctl(box, "kernel.hostname", host) : nsbox_set_hostname(box, host);
        if (ret < 0)
            return spec_lib_err(box, "hostname", ret);
    }
    if (domain && *domain) {
        int ret = joined ? nsbox_set_sysctl(box, "kernel.domainname", domain)
                         : nsbox_set_domainname(box, domain);
        if (ret < 0)
            return spec_lib_err(box, "domainname", ret);
    }
    return 0;
}

static int check_annotations(json_t *config)
{
    return cfg_string_map(config, "", "annotations", NULL, NULL);
}

int oci_spec_apply(struct oci_spec *spec, nsbox *box)
{
    static const char *const top_unsupported[] = {"solaris", "windows", "vm", "zos", NULL};
    json_t *config = spec->config, *process = NULL, *linux_ = NULL;
    spec->flags = NSBOX_AS_PID1;
    if (check_version(config) < 0 || cfg_refuse(config, "", top_unsupported) < 0 ||
        cfg_obj(config, "", "process", &process) < 0 || cfg_obj(config, "", "linux", &linux_) < 0 ||
        check_annotations(config) < 0 || hooks_check(config) < 0)
        return -1;
    if (!process)
        return oci_err("config.json: process: missing (nsbox-oci starts a process)");
    if (spec_namespaces(spec, box, linux_) < 0 || spec_idmaps(spec, box, linux_) < 0 ||
        spec_process(spec, box, process) < 0 || apply_names(spec, box) < 0 ||
        spec_root_mounts(spec, box) < 0 || spec_linux_fs(spec, box, linux_) < 0)
        return -1;
    /* the cgroup before seccomp: its device rules add to the filter */
    json_t *seccomp = NULL;
    if (spec_cgroup(spec, box, linux_) < 0 ||
        (linux_ && cfg_obj(linux_, "linux", "seccomp", &seccomp) < 0))
        return -1;
    if ((seccomp || spec->deny_mknod) && spec_seccomp(spec, box, seccomp) < 0)
        return -1;
    if (spec_caps(spec, box) < 0)
        return -1;
    int ret = nsbox_set_flags(box, spec->flags);
    if (ret < 0)
        return spec_lib_err(box, "process", ret);
    return 0;
}

void oci_spec_free(struct oci_spec *spec)
{
    for (size_t i = 0; i < spec->n_ns_fds; i++)
        close(spec->ns_fds[i]);
    spec->n_ns_fds = 0;
    free(spec->argv);
    spec->argv = NULL;
    free(spec->rootfs);
    spec->rootfs = NULL;
    free(spec->cgroup_path);
    spec->cgroup_path = NULL;
}
