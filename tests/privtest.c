/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "privtest.h"

int p_blocked;

void p_report(const char *what, int i)
{
    printf("escape %-28s as %-6s: %d attempts, all blocked\n", what, i ? "nobody" : "root",
           p_blocked);
    fflush(stdout);
}

nsbox *p_box(int i, bool unpriv)
{
    nsbox *box = nsbox_new();
    ck_assert_ptr_nonnull(box);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER), 0);
    if (i == 0) {
        ck_assert_int_eq(nsbox_add_uid_map(box, 0, 0, 1), 0);
        ck_assert_int_eq(nsbox_add_uid_map(box, 1000, 1000, 1), 0);
        ck_assert_int_eq(nsbox_add_gid_map(box, 0, 0, 1), 0);
        ck_assert_int_eq(nsbox_add_gid_map(box, 1000, 1000, 1), 0);
    }
    if (unpriv)
        ck_assert_int_eq(nsbox_set_user(box, P_UNPRIV(i), P_UNPRIV(i)), 0);
    return box;
}

static int p_vrun(nsbox *box, const char *prog, char *out, size_t size, va_list ap)
{
    char *argv[16] = {(char *)prog};
    int n = 1;
    for (char *a; n < 15 && (a = va_arg(ap, char *));)
        argv[n++] = a;
    argv[n] = NULL;
    int r = t_run_capture(box, argv, out, size);
    t_chomp(out);
    return r;
}

int p_helper(nsbox *box, char *out, size_t size, ...)
{
    va_list ap;
    va_start(ap, size);
    int r = p_vrun(box, PRIV_HELPER, out, size, ap);
    va_end(ap);
    return r;
}

int p_run(nsbox *box, const char *prog, char *out, size_t size, ...)
{
    va_list ap;
    va_start(ap, size);
    int r = p_vrun(box, prog, out, size, ap);
    va_end(ap);
    return r;
}

uint64_t p_field(const char *status, const char *key)
{
    char pat[32];
    size_t len = (size_t)snprintf(pat, sizeof(pat), "%s=", key);
    bool dec = !strcmp(key, "uid") || !strcmp(key, "gid") || !strcmp(key, "nnp") ||
               !strcmp(key, "seccomp");
    for (const char *at = status; at; at = strchr(at, ' ')) {
        at += *at == ' ';
        if (strncmp(at, pat, len) == 0)
            return strtoull(at + len, NULL, dec ? 10 : 16);
    }
    ck_abort_msg("no %s in \"%s\"", key, status);
    return 0;
}

uint64_t p_all_caps(void)
{
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
    ck_assert_ptr_nonnull(f);
    int last = 0;
    ck_assert_int_eq(fscanf(f, "%d", &last), 1);
    fclose(f);
    return last >= 63 ? ~(uint64_t)0 : BIT(last + 1) - 1;
}

uint64_t p_own_caps(const char *key)
{
    FILE *f = fopen("/proc/self/status", "re");
    ck_assert_ptr_nonnull(f);
    char line[256];
    uint64_t v = 0;
    size_t len = strlen(key);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, len) == 0 && line[len] == ':')
            v = strtoull(line + len + 1, NULL, 16);
    fclose(f);
    return v;
}

#if defined(__x86_64__)
#define P_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define P_ARCH AUDIT_ARCH_AARCH64
#endif

size_t p_deny(long nr, int err, struct sock_filter *out)
{
    struct sock_filter f[P_DENY_INSNS] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, P_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    memcpy(out, f, sizeof(f));
    return sizeof(f);
}
