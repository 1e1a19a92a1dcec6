/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process settings an OCI runtime needs (nsbox_set_groups,
 * nsbox_set_umask, nsbox_set_oom_score_adj, nsbox_set_domainname,
 * nsbox_set_sysctl): the recipe (lib/recipe/process_oci.c), the plan's
 * types and the parts of STEP_OCI. The plan and report: parent/oci_plan.h
 * (lib/parent/process_oci_plan.c); the child steps: child/oci_child.h
 * (lib/child/process_oci_child.c). */
#ifndef NSBOX_OCI_H
#define NSBOX_OCI_H

#include "internal.h"

struct oci_sysctl {
    char *key;   /* as given, for the message */
    char *path;  /* below /proc/sys: "net/ipv4/ip_forward" */
    char *value; /* what is written */
    unsigned ns; /* the NSBOX_NS_* kind that keeps it */
};

struct oci_recipe {
    gid_t *groups;
    size_t n_groups;
    bool umask_set;
    uint32_t umask;
    bool oom_set;
    int oom_score_adj;
    char *domainname;
    struct oci_sysctl *sysctls;
    size_t n_sysctls;
};

/* What the child reads; NULL in the plan when nothing is set. */
struct oci_plan {
    const gid_t *groups; /* n_groups > 0: setgroups before the command's ids */
    int n_groups;
    long umask;             /* -1: keep the caller's */
    const char *oom;        /* decimal, NULL: keep */
    const char *domainname; /* NULL: keep */
    const struct oci_sysctl *sysctls;
    int n_sysctls;
};

/* What failed in STEP_OCI: index REPORT_INDEX(which, sub). */
enum oci_sub {
    OCI_SYSCTL_PROC,  /* /proc/sys of the caller's tree */
    OCI_SYSCTL_OPEN,  /* one key's file */
    OCI_SYSCTL_WRITE, /* its value */
    OCI_DOMAINNAME,
    OCI_GROUPS,
    OCI_PARTS
};
_Static_assert(OCI_PARTS <= REPORT_PARTS, "an OCI part must fit REPORT_INDEX");

void oci_recipe_free(struct oci_recipe *o);

#endif
