/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recipe's device rules on cgroup v2, which has no devices files: a
 * BPF_PROG_TYPE_CGROUP_DEVICE program built from the rules (Linux 4.15),
 * attached to the sandbox's cgroup with BPF_F_ALLOW_MULTI so that the
 * parent's programs keep applying (every attached program must allow).
 * The attachment holds the program; it goes with the cgroup. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_impl.h"

/* The registers the program keeps the request in. */
#define R_ACCESS BPF_REG_2
#define R_TYPE BPF_REG_3
#define R_MAJOR BPF_REG_4
#define R_MINOR BPF_REG_5
#define R_TMP BPF_REG_1

/* The most instructions one rule takes (rule_emit). */
#define RULE_INSNS 9

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* Loads the request from struct bpf_cgroup_dev_ctx: access_type is
 * (access << 16) | type, then major and minor. */
static size_t prologue_emit(struct bpf_insn *p)
{
    size_t n = 0;
    p[n++] = insn(BPF_LDX | BPF_W | BPF_MEM, R_ACCESS, BPF_REG_1,
                  offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
    p[n++] = insn(BPF_LDX | BPF_W | BPF_MEM, R_MAJOR, BPF_REG_1,
                  offsetof(struct bpf_cgroup_dev_ctx, major), 0);
    p[n++] = insn(BPF_LDX | BPF_W | BPF_MEM, R_MINOR, BPF_REG_1,
                  offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
    p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, R_TYPE, R_ACCESS, 0, 0);
    p[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
    p[n++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
    return n;
}

/* One rule: each test that fails jumps past the block (its offsets are
 * patched once the block's length is known); a match returns the rule's
 * verdict. An allow rule matches a request it covers entirely, a deny rule
 * one that asks any access it names (cgroup v1's matching). */
static size_t rule_emit(struct bpf_insn *p, const struct cg_dev_rule *r, bool *always)
{
    size_t n = 0, jumps[4], n_jumps = 0;
    if (r->type != 'a') {
        int t = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
        jumps[n_jumps++] = n;
        p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, R_TYPE, 0, 0, t);
    }
    if (r->major >= 0) {
        jumps[n_jumps++] = n;
        p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, R_MAJOR, 0, 0, (int32_t)r->major);
    }
    if (r->minor >= 0) {
        jumps[n_jumps++] = n;
        p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, R_MINOR, 0, 0, (int32_t)r->minor);
    }
    if (r->allow && r->access != CG_DEV_ALL) {
        /* any access asked beyond the rule's: no match */
        p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, R_TMP, R_ACCESS, 0, 0);
        p[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, R_TMP, 0, 0, (int32_t)(~r->access & CG_DEV_ALL));
        jumps[n_jumps++] = n;
        p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, R_TMP, 0, 0, 0);
    } else if (!r->allow && r->access != CG_DEV_ALL) {
        /* no access of the rule's asked: no match */
        p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, R_TMP, R_ACCESS, 0, 0);
        p[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, R_TMP, 0, 0, (int32_t)r->access);
        jumps[n_jumps++] = n;
        p[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, R_TMP, 0, 0, 0);
    }
    p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
    p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    for (size_t j = 0; j < n_jumps; j++)
        p[jumps[j]].off = (int16_t)(n - jumps[j] - 1);
    *always = n_jumps == 0;
    return n;
}

/* The program: the rules from the last to the first, so that the last
 * match decides; none matching, deny. A rule that matches everything ends
 * it (the verifier refuses code no path reaches). */
static size_t program_build(const struct cgroup_recipe *r, struct bpf_insn *p)
{
    size_t n = prologue_emit(p);
    bool always = false;
    for (size_t i = r->n_dev_rules; i-- > 0 && !always;)
        n += rule_emit(p + n, &r->dev_rules[i], &always);
    if (always)
        return n;
    p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
    p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    return n;
}

static int prog_load(const struct bpf_insn *p, size_t n)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)p;
    attr.insn_cnt = (uint32_t)n;
    /* No helper is called: any license will do. */
    attr.license = (uint64_t)(uintptr_t) "LGPL";
    int fd;
    do
        fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
    while (fd < 0 && errno == EAGAIN);
    return fd < 0 ? -errno : fd;
}

int cg_dev_v2_apply(struct errbuf *e, const struct cgroup_recipe *r, const struct cg_dir *d)
{
    size_t max = 8 + r->n_dev_rules * RULE_INSNS;
    _cleanup_free_ struct bpf_insn *p = calloc(max, sizeof(*p));
    if (!p)
        return err_fail(e, ENOMEM, "device rules");
    size_t n = program_build(r, p);
    _cleanup_close_ int prog = prog_load(p, n);
    if (prog == -EPERM || prog == -EACCES)
        return cg_dev_fail_perm(e, -prog, d->path);
    if (prog < 0)
        return err_fail(e, -prog, "device rules: load the BPF device program for cgroup %s",
                        d->path);
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)d->fd;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0) {
        if (errno == EPERM || errno == EACCES)
            return cg_dev_fail_perm(e, errno, d->path);
        return err_fail(e, errno, "device rules: attach the BPF device program to cgroup %s",
                        d->path);
    }
    return 0;
}
