/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities, no_new_privs and seccomp: recipe, plan, child steps.
 *
 * The parent (caps.c) parses names with libcap and prepares masks; the
 * child (caps_child.c) applies them with raw system calls only. */
#ifndef NSBOX_CAPS_H
#define NSBOX_CAPS_H

#include <linux/capability.h>
#include <linux/filter.h>

#include "internal.h"

struct caps_recipe;

/* What the command's stage applies. Filled by caps_plan_build(), read by
 * the child; hdr and data are the child's scratch for capget/capset. */
struct caps_plan {
    uint64_t keep;          /* every capability any set keeps (after "ALL": every valid bit) */
    uint64_t named;         /* kept ones named one by one, or permitted by nsbox_set_caps:
                               missing is an error */
    uint64_t set[5];        /* NSBOX_CAPS_BOUNDING ...: what each set keeps */
    int last_cap;           /* the kernel's highest capability number */
    struct sock_fprog prog; /* len 0: no seccomp filter */
    struct __user_cap_header_struct hdr;
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
};

/* What failed inside STEP_CAPS: the child reports CAPS_INDEX(sub, cap). */
enum caps_sub {
    CAPS_GET,      /* capget */
    CAPS_MISSING,  /* a named capability the process does not hold */
    CAPS_BOUND,    /* PR_CAPBSET_DROP of cap */
    CAPS_KEEPCAPS, /* PR_SET_KEEPCAPS before the uid change */
    CAPS_SET,      /* capset */
    CAPS_AMBIENT_CLEAR,
    CAPS_AMBIENT_RAISE, /* of cap */
};
#define CAPS_INDEX(sub, cap) ((int)(sub) << 8 | (int)(cap))

void caps_recipe_free(struct caps_recipe *c);

/* Fills p->caps from box->caps (always: the default drops everything). */
int caps_plan_build(nsbox *box, struct plan *p);

/* Child: the id switch right after the maps of a new user namespace are
 * written, or after joining one (ids chosen by the parent in both cases),
 * before any filesystem step: to the setup ids (0 inside if mapped, else
 * the command's); capabilities stay for the setup (PR_SET_KEEPCAPS,
 * effective restored). Returns 0, or the exit code after child_fail. */
int child_ids_early(struct plan *p);

/* Child: bounding set, identity (groups, gid, uid; after an early switch
 * only from the setup ids to the command's), then capabilities and the
 * ambient set, after the mounts; returns 0, or the exit code after
 * child_fail. */
int child_ids_caps(struct plan *p);

/* Child: the seccomp filter, the very last step before exec. */
int child_seccomp(struct plan *p);

/* Parent: the message of a failed STEP_CAPS or STEP_SECCOMP. */
int caps_report(nsbox *box, const struct plan *p, const struct child_report *rep);

#endif
