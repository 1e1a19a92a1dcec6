/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process settings an OCI runtime needs (nsbox_set_groups,
 * nsbox_set_umask, nsbox_set_oom_score_adj, nsbox_set_domainname,
 * nsbox_set_sysctl): recipe and plan (lib/recipe/process_oci.c), child
 * steps (lib/child/process_oci_child.c). */
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

/* What failed in STEP_OCI: index OCI_INDEX(sub, which). */
enum oci_sub {
    OCI_SYSCTL_PROC,  /* /proc/sys of the caller's tree */
    OCI_SYSCTL_OPEN,  /* one key's file */
    OCI_SYSCTL_WRITE, /* its value */
    OCI_DOMAINNAME,
    OCI_GROUPS,
};
#define OCI_INDEX(sub, i) ((int)(sub) << 16 | (int)(i))

void oci_recipe_free(struct oci_recipe *o);

/* Fills p->oci from box->oci; checks that each sysctl's namespace is the
 * sandbox's own. */
int oci_plan_build(nsbox *box, struct plan *p);

/* Parent, once the command has exec'd: its oom_score_adj. */
int oci_after_exec(nsbox *box, const struct plan *p, pid_t pid);

/* Child: the sysctls, through the caller's /proc, before the filesystem
 * steps. 0, or the exit code after child_fail. */
int child_oci_early(struct plan *p);
/* Child: the domain name, after the hostname. */
int child_oci_domainname(struct plan *p);
/* Child: the supplementary groups (before the command's gid and uid);
 * 0 when none are set. */
int child_oci_groups(struct plan *p);
/* Child: the umask, right before exec. */
void child_oci_umask(struct plan *p);

/* Parent: the message of a failed STEP_OCI. */
int oci_report(nsbox *box, const struct plan *p, const struct child_report *rep);

#endif
