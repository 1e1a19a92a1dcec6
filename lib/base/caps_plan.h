/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan's capabilities and seccomp filter: what recipe/caps.c prepares
 * and child/caps_child.c applies, and the parts the child reports a failed
 * STEP_CAPS with. */
#ifndef NSBOX_CAPS_PLAN_H
#define NSBOX_CAPS_PLAN_H

#include <linux/capability.h>
#include <linux/filter.h>

#include "internal.h"

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

/* What failed inside STEP_CAPS: the child reports REPORT_INDEX(cap, sub)
 * (cap 0 where none applies). */
enum caps_sub {
    CAPS_GET,      /* capget */
    CAPS_MISSING,  /* a named capability the process does not hold */
    CAPS_BOUND,    /* PR_CAPBSET_DROP of cap */
    CAPS_KEEPCAPS, /* PR_SET_KEEPCAPS before the uid change */
    CAPS_SET,      /* capset */
    CAPS_AMBIENT_CLEAR,
    CAPS_AMBIENT_RAISE, /* of cap */
    CAPS_PARTS,
};
_Static_assert(CAPS_PARTS <= REPORT_PARTS, "a caps part must fit REPORT_INDEX");

#endif
