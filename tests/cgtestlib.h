/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-side helpers of the cgroup suites (cgtestlib.c). */
#ifndef NSBOX_CGTESTLIB_H
#define NSBOX_CGTESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <nsbox.h>

#define CG "/sys/fs/cgroup"
#define TEST_PREFIX "nsbox-test-"

/* True when /sys/fs/cgroup is cgroup2. */
bool cg_v2(void);
/* Our cgroup in the hierarchy of ctl ("" for v2), "" for the root. */
void own_cgroup(const char *ctl, char *out, size_t size);
/* Gives the cgroup directory dir and its process files to nobody. */
void chown_cgroup(const char *dir);
/* Writes value to path, or fails the test. */
void write_file(const char *path, const char *value);
/* As root: a parent cgroup chowned to nobody (every v1 hierarchy the
 * suites use); returns the path for nsbox_set_cgroup_parent. On v2 the
 * test process moves into a leaf below it. */
const char *delegated_parent(void);
/* A recipe for loop index i: root (0) or nobody with a delegated parent (1). */
nsbox *cg_box(int i);
/* Directories named nsbox-<our pid>-* anywhere under /sys/fs/cgroup. */
int count_sandbox_cgroups(void);
/* Directories whose name starts with prefix anywhere under /sys/fs/cgroup. */
int count_cgroups_named(const char *prefix);
/* No sandbox cgroup, no fd beyond fds, no child. */
void assert_nothing_left(int fds);
/* Removes the parents delegated_parent() made. */
void cg_test_dirs_remove(void);

#endif
