/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's side of the OCI process settings (lib/recipe/oci.h): raw
 * system calls only (see child.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/statfs.h>

#include "child.h"
#include "oci.h"
#include "sys.h"

CHILD static long child_strlen(const char *s)
{
    long len = 0;
    while (s[len])
        len++;
    return len;
}

/* Opens path below dirfd for writing, never through a symlink nor out of
 * dirfd; writes value; 0 or -errno (*what: the failing call). */
CHILD static long child_write_beneath(long dirfd, const char *path, const char *value,
                                      enum oci_sub *what)
{
    struct open_how how = {.flags = O_WRONLY | O_CLOEXEC,
                           .resolve =
                               RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    *what = OCI_SYSCTL_OPEN;
    long fd = sys4(SYS_openat2, dirfd, path, &how, sizeof(how));
    if (fd < 0)
        return fd;
    *what = OCI_SYSCTL_WRITE;
    long r = sys_retry(sys3(SYS_write, fd, value, child_strlen(value)));
    sys1(SYS_close, fd);
    return r < 0 ? r : 0;
}

/* Whether fd is on a procfs: a /proc of the caller's tree that is
 * something else (a tmpfs a sandbox left there) is not written to. */
CHILD static long child_on_proc(long fd)
{
    struct statfs sfs;
    long r = sys2(SYS_fstatfs, fd, &sfs);
    if (r < 0)
        return r;
    return sfs.f_type == PROC_SUPER_MAGIC ? 0 : -ENODEV;
}

/* The sysctls go through the caller's /proc/sys: the kernel shows there
 * the settings of the writing process's namespaces (network, IPC, UTS),
 * which are the sandbox's by now. */
CHILD static int child_sysctls(struct plan *p)
{
    const struct oci_plan *op = p->oci;
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                           .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    long dir = sys4(SYS_openat2, AT_FDCWD, "/proc/sys", &how, sizeof(how));
    long r = dir < 0 ? dir : child_on_proc(dir);
    if (r < 0) {
        if (dir >= 0)
            sys1(SYS_close, dir);
        return child_fail(p, STEP_OCI, r, OCI_INDEX(OCI_SYSCTL_PROC, 0));
    }
    for (int i = 0; i < op->n_sysctls; i++) {
        enum oci_sub what = OCI_SYSCTL_WRITE;
        const struct oci_sysctl *s = &op->sysctls[i];
        /* kernel.hostname and kernel.domainname: the kernel gives their
         * files to the host's root alone, the system calls to whoever
         * holds CAP_SYS_ADMIN in the UTS namespace's user namespace */
        if (s->ns == NSBOX_NS_UTS)
            r = sys2(s->path[7] == 'h' ? SYS_sethostname : SYS_setdomainname, s->value,
                     child_strlen(s->value));
        else
            r = child_write_beneath(dir, s->path, s->value, &what);
        if (r < 0) {
            sys1(SYS_close, dir);
            return child_fail(p, STEP_OCI, r, OCI_INDEX(what, i));
        }
    }
    sys1(SYS_close, dir);
    return 0;
}

CHILD int child_oci_early(struct plan *p)
{
    if (!p->oci)
        return 0;
    if (p->oci->n_sysctls && child_sysctls(p))
        return 127;
    return 0;
}

CHILD int child_oci_domainname(struct plan *p)
{
    if (!p->oci || !p->oci->domainname)
        return 0;
    long r = sys2(SYS_setdomainname, p->oci->domainname, child_strlen(p->oci->domainname));
    return r < 0 ? child_fail(p, STEP_OCI, r, OCI_INDEX(OCI_DOMAINNAME, 0)) : 0;
}

CHILD int child_oci_groups(struct plan *p)
{
    if (!p->oci || !p->oci->n_groups)
        return 0;
    long r = sys2(SYS_setgroups, p->oci->n_groups, p->oci->groups);
    return r < 0 ? child_fail(p, STEP_OCI, r, OCI_INDEX(OCI_GROUPS, 0)) : 0;
}

CHILD void child_oci_umask(struct plan *p)
{
    if (p->oci && p->oci->umask >= 0)
        sys1(SYS_umask, p->oci->umask);
}
