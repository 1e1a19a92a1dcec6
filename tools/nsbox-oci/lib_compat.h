/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calls of /work/wt/OCI-API.md that nsbox-oci uses, declared weak: the
 * program builds and runs against a libnsbox with or without them, and a
 * config that needs a missing one fails naming the field and the call
 * (LIB_HAS). meson probes the header (HAVE_NSBOX_*); this file goes away
 * once every call is in the installed header. */
#ifndef NSBOX_OCI_LIB_COMPAT_H
#define NSBOX_OCI_LIB_COMPAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <nsbox.h>

#define WEAK __attribute__((weak))
WEAK int nsbox_set_exec_gate(nsbox *box, int fd);
WEAK void nsbox_proc_detach(nsbox_proc *p);
WEAK int nsbox_set_cgroup_path(nsbox *box, const char *path);
WEAK int nsbox_cgroup_kill(nsbox *box, const char *cgroup, int sig);
WEAK int nsbox_cgroup_freeze(nsbox *box, const char *cgroup, int frozen);
WEAK int nsbox_cgroup_pids(nsbox *box, const char *cgroup, pid_t *pids, size_t n);
WEAK int nsbox_cgroup_destroy(nsbox *box, const char *cgroup);
WEAK int nsbox_add_mount(nsbox *box, const char *type, const char *src, const char *dst,
                         unsigned long flags, const char *data);
WEAK int nsbox_add_device(nsbox *box, const char *path, char type, uint32_t major, uint32_t minor,
                          uint32_t mode, uid_t uid, gid_t gid);
WEAK int nsbox_add_mask(nsbox *box, const char *path);
WEAK int nsbox_set_sysctl(nsbox *box, const char *key, const char *value);
WEAK int nsbox_set_groups(nsbox *box, const gid_t *gids, size_t n);
WEAK int nsbox_set_umask(nsbox *box, uint32_t mask);
WEAK int nsbox_set_oom_score_adj(nsbox *box, int adj);
WEAK int nsbox_set_domainname(nsbox *box, const char *name);
WEAK int nsbox_set_root_propagation(nsbox *box, unsigned long flag);
WEAK int nsbox_set_caps(nsbox *box, int set, uint64_t mask);
#undef WEAK

#ifndef HAVE_NSBOX_CONTROLLING_TTY
#define NSBOX_CONTROLLING_TTY (1u << 6)
#endif
#ifndef HAVE_NSBOX_CAPS_BOUNDING
enum {
    NSBOX_CAPS_BOUNDING,
    NSBOX_CAPS_EFFECTIVE,
    NSBOX_CAPS_PERMITTED,
    NSBOX_CAPS_INHERITABLE,
    NSBOX_CAPS_AMBIENT
};
#endif

/* Whether the library offers fn; fails naming what needs it otherwise. */
#define LIB_NEED(fn, what)                                                                         \
    ((fn) ? 0 : oci_err("%s: needs %s(), which this libnsbox lacks", (what), #fn))

#endif
