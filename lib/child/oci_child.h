/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI process settings, the child's steps (process_oci_child.c). */
#ifndef NSBOX_OCI_CHILD_H
#define NSBOX_OCI_CHILD_H

#include "oci.h"

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

#endif
