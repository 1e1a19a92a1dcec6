/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command's identity and privileges, applied between clone and exec
 * with raw system calls only (see child.c): bounding set, groups, gid, uid,
 * capability sets, ambient set; and, last of all, the seccomp filter. */
#define _GNU_SOURCE
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "caps.h"
#include "child.h"
#include "oci.h"
#include "sys.h"
#include "userns.h"

#define BIT(cap) ((uint64_t)1 << (cap))

/* index tells the report which ids failed: 0 the command's, 1 those of
 * the filesystem steps. */
CHILD static int child_ids(struct plan *p, bool groups, uint32_t uid, uint32_t gid, int index)
{
    long r;
    if (groups) {
        r = sys2(SYS_setgroups, 0, 0);
        if (r < 0)
            return child_fail(p, STEP_SETGROUPS, r, 0);
    }
    r = sys3(SYS_setresgid, gid, gid, gid);
    if (r < 0)
        return child_fail(p, STEP_SETGID, r, index);
    r = sys3(SYS_setresuid, uid, uid, uid);
    if (r < 0)
        return child_fail(p, STEP_SETUID, r, index);
    return 0;
}

/* The permitted set this process holds now. */
CHILD static long child_caps_held(struct caps_plan *c, uint64_t *held)
{
    c->hdr.version = _LINUX_CAPABILITY_VERSION_3;
    c->hdr.pid = 0;
    long r = sys2(SYS_capget, &c->hdr, c->data);
    if (r < 0)
        return r;
    *held = (uint64_t)c->data[1].permitted << 32 | c->data[0].permitted;
    return 0;
}

/* Drops from the bounding set every capability not kept, so that no exec
 * (setuid-root, file capabilities, uid 0's implicit full set) can bring
 * one back. Dropping needs CAP_SETPCAP. A process that holds no capability
 * at all (an unprivileged caller without a user namespace) cannot drop and
 * need not: with no_new_privs set, exec can grant nothing, so the step is
 * skipped exactly then (documented at nsbox_add_cap). Without no_new_privs
 * it fails with EPERM: a setuid binary would regain the bounding set. */
CHILD static int child_caps_bound(struct plan *p, uint64_t held, uint64_t keep)
{
    const struct caps_plan *c = p->caps;
    if (held == 0 && p->no_new_privs)
        return 0;
    for (int cap = 0; cap <= c->last_cap; cap++) {
        if (keep & BIT(cap))
            continue;
        /* one call per capability: dropping an absent one succeeds; only on
         * EPERM does it matter whether it was there at all */
        long r = sys2(SYS_prctl, PR_CAPBSET_DROP, cap);
        if (r == -1 /* EPERM */ && sys2(SYS_prctl, PR_CAPBSET_READ, cap) == 0)
            r = 0;
        if (r < 0)
            return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_BOUND, cap));
    }
    return 0;
}

/* Permitted, effective and inheritable become exactly their sets; the
 * ambient set by default gets the kept ones too, so that the capabilities
 * survive exec also for a non-zero uid. s: the five sets, trimmed to
 * those held. */
CHILD static int child_caps_set(struct plan *p, const uint64_t *s)
{
    struct caps_plan *c = p->caps;
    uint64_t keep = s[NSBOX_CAPS_AMBIENT];
    for (int i = 0; i < 2; i++) {
        c->data[i].permitted = (uint32_t)(s[NSBOX_CAPS_PERMITTED] >> (32 * i));
        c->data[i].effective = (uint32_t)(s[NSBOX_CAPS_EFFECTIVE] >> (32 * i));
        c->data[i].inheritable = (uint32_t)(s[NSBOX_CAPS_INHERITABLE] >> (32 * i));
    }
    c->hdr.version = _LINUX_CAPABILITY_VERSION_3;
    c->hdr.pid = 0;
    long r = sys2(SYS_capset, &c->hdr, c->data);
    if (r < 0)
        return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_SET, 0));
    r = sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    /* Linux < 4.3 has no ambient set: nothing to clear (a raise fails). */
    if (r < 0 && !(r == -22 /* EINVAL */ && keep == 0))
        return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_AMBIENT_CLEAR, 0));
    for (int cap = 0; cap <= c->last_cap; cap++) {
        if (!(keep & BIT(cap)))
            continue;
        r = sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
        if (r < 0)
            return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_AMBIENT_RAISE, cap));
    }
    return 0;
}

CHILD int child_ids_early(struct plan *p)
{
    if (!p->set_ids)
        return 0;
    /* Groups go here already: the filesystem steps must not use them. */
    /* A uid change away from 0 (inside) clears the permitted set unless
     * asked to keep it, and always the effective set: both are needed
     * for the filesystem steps and the final capability drop. */
    long r = sys2(SYS_prctl, PR_SET_KEEPCAPS, 1);
    if (r < 0)
        return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_KEEPCAPS, 0));
    if (child_ids(p, p->drop_groups, p->setup_uid, p->setup_gid, 1))
        return 127;
    struct caps_plan *c = p->caps;
    uint64_t held;
    r = child_caps_held(c, &held);
    if (r < 0)
        return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_GET, 0));
    for (int i = 0; i < 2; i++)
        c->data[i].effective = c->data[i].permitted;
    r = sys2(SYS_capset, &c->hdr, c->data);
    if (r < 0)
        return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_SET, 0));
    return 0;
}

CHILD int child_ids_caps(struct plan *p)
{
    struct caps_plan *c = p->caps;
    uint64_t held;
    long r = child_caps_held(c, &held);
    if (r < 0)
        return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_GET, 0));
    /* "ALL" means all this process holds; a name asked for by itself must
     * be held. */
    uint64_t missing = c->named & ~held;
    if (missing) {
        int cap = __builtin_ctzll(missing);
        return child_fail(p, STEP_CAPS, -1 /* EPERM */, CAPS_INDEX(CAPS_MISSING, cap));
    }
    /* "ALL" means all this process holds: every set is trimmed to it. */
    uint64_t s[5];
    for (int i = 0; i < 5; i++)
        s[i] = c->set[i] & held;
    uint64_t keep = s[NSBOX_CAPS_PERMITTED];
    if (child_caps_bound(p, held, s[NSBOX_CAPS_BOUNDING]))
        return 127;
    /* After an early switch, only from the setup ids to the command's. */
    bool late = !p->ids_early || p->uid != p->setup_uid || p->gid != p->setup_gid;
    /* nsbox_set_groups: instead of none, before the ids drop CAP_SETGID */
    bool groups = p->oci && p->oci->n_groups;
    if (groups && child_oci_groups(p))
        return 127;
    if (p->set_ids && late) {
        /* A uid change away from 0 clears the permitted set unless asked
         * to keep it. */
        if (keep && (r = sys2(SYS_prctl, PR_SET_KEEPCAPS, 1)) < 0)
            return child_fail(p, STEP_CAPS, r, CAPS_INDEX(CAPS_KEEPCAPS, 0));
        if (child_ids(p, p->drop_groups && !p->ids_early && !groups, p->uid, p->gid, 0))
            return 127;
    }
    if (p->flags & (NSBOX_DISABLE_USERNS | NSBOX_ASSERT_USERNS_DISABLED)) {
        if (child_userns_seal(p))
            return 127;
        if ((p->flags & NSBOX_DISABLE_USERNS) && child_caps_bound(p, ~0ULL, s[NSBOX_CAPS_BOUNDING]))
            return 127;
    }
    return child_caps_set(p, s);
}

/* seccomp(2) needs Linux 3.17; before it, prctl(PR_SET_SECCOMP) does the
 * same. Without no_new_privs the kernel wants CAP_SYS_ADMIN (EACCES). */
CHILD int child_seccomp(struct plan *p)
{
    struct caps_plan *c = p->caps;
    if (!c->prog.len)
        return 0;
    long r = sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &c->prog);
    if (r == -38 /* ENOSYS */)
        r = sys3(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &c->prog);
    if (r < 0)
        return child_fail(p, STEP_SECCOMP, r, 0);
    return 0;
}
