/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp-demo: runs a command in a sandbox (new user and PID namespaces)
 * under a small deny-list built with libseccomp: namespace, mount, module,
 * kexec, keyring, BPF and ptrace calls, and TIOCSTI, fail with EPERM.
 *
 *     seccomp-demo COMMAND [ARGS...]
 *
 * The filter is exported as classic BPF with seccomp_export_bpf() into a
 * memfd and handed to nsbox_set_seccomp_filter(), which installs it as the
 * last step before exec. Exits with the command's status. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nsbox.h>

static const char *const denied[] = {
    "mount",       "umount2",      "pivot_root",    "unshare",         "setns",           "ptrace",
    "init_module", "finit_module", "delete_module", "kexec_load",      "kexec_file_load", "keyctl",
    "add_key",     "request_key",  "bpf",           "perf_event_open", "userfaultfd",
};

/* The deny-list as a classic BPF program in *bpf (malloc'd). */
static int build_filter(void **bpf, size_t *len)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return -ENOMEM;
    int r = 0;
    for (size_t i = 0; r == 0 && i < sizeof(denied) / sizeof(denied[0]); i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr != __NR_SCMP_ERROR)
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    }
    /* TIOCSTI pushes input into a terminal (bwrap's CVE-2017-5226). */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
    int fd = r == 0 ? memfd_create("seccomp-bpf", MFD_CLOEXEC) : -1;
    if (r == 0 && fd < 0)
        r = -errno;
    if (r == 0)
        r = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    struct stat st;
    if (r == 0 && fstat(fd, &st) < 0)
        r = -errno;
    if (r == 0) {
        *len = (size_t)st.st_size;
        *bpf = malloc(*len);
        if (!*bpf)
            r = -ENOMEM;
        else if (pread(fd, *bpf, *len, 0) != (ssize_t)*len)
            r = -EIO;
    }
    if (fd >= 0)
        close(fd);
    return r;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: seccomp-demo COMMAND [ARGS...]\n");
        return 2;
    }
    void *bpf = NULL;
    size_t len = 0;
    int r = build_filter(&bpf, &len);
    if (r < 0) {
        fprintf(stderr, "seccomp-demo: build the filter: %s\n", strerror(-r));
        return 1;
    }
    nsbox *box = nsbox_new();
    if (!box)
        return 1;
    r = nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_PID);
    if (r == 0)
        r = nsbox_set_seccomp_filter(box, bpf, len);
    free(bpf);
    if (r == 0)
        r = nsbox_run(box, argv + 1);
    if (r < 0) {
        fprintf(stderr, "seccomp-demo: %s\n", nsbox_errmsg(box));
        r = 1;
    }
    nsbox_free(box);
    return r;
}
