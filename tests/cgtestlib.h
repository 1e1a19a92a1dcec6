/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-side helpers of the cgroup suites (cgtestlib.c). */
#ifndef NSBOX_CGTESTLIB_H
#define NSBOX_CGTESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>
#include <nsbox.h>

#define CG "/sys/fs/cgroup"
#define TEST_PREFIX "nsbox-test-"

/* True when /sys/fs/cgroup is cgroup2. */
bool cg_v2(void);
/* Our cgroup in the hierarchy of ctl ("" for v2), "" for the root. */
void own_cgroup(const char *ctl, char *out, size_t size);
/* Spawns argv with its stdout on a pipe whose read end goes to *rd (rd
 * NULL: stdout as set), or fails the test naming the error. */
nsbox_proc *cg_spawn_out(nsbox *box, char *const argv[], int *rd);
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
/* Seconds on clock (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID ...). */
double cg_clock_s(clockid_t clock);
/* Inside a sandbox: busy until ms have passed on clock (wall time:
 * CLOCK_MONOTONIC; CPU time: CLOCK_PROCESS_CPUTIME_ID), then 0. */
int cg_helper_spin(clockid_t clock, int ms);
/* Inside a sandbox: allocates and touches mb MiB (an OOM kill's
 * workload); 3 when malloc fails, else 0. */
int cg_helper_alloc(long mb);
/* The start time of process pid (/proc/PID/stat field 22), 0 if unknown. */
unsigned long long proc_start(pid_t pid);
/* The hierarchies where a named cgroup (nsbox_set_cgroup_path) with a
 * pids limit is made on v1: memory, pids, freezer, cpuacct. */
#define ALL_HIERARCHIES (cg_v2() ? 1 : 4)
/* The cgroup cg (as nsbox_proc_cgroup writes it) in the file system: in
 * hierarchy k of those (k 0: memory, 1: pids), or the v2 one. */
void cg_fs_path(const char *cg, int k, char *out, size_t size);
/* How many of those hierarchies hold cg. */
int cg_present(const char *cg);
/* Where a case's named cgroups go, as an absolute path: on v1
 * "/<prefix>dlg-<pid>" made in each of those hierarchies (our own cgroups
 * may differ between them), for nobody (i 1) chowned to it; on v2 the
 * runner's parent ("" for the root), for nobody the delegated one. Then
 * runs as i (t_as). */
void abs_parent(int i, const char *prefix, char *out, size_t size);
/* This run's key, "nsbox-test-<pid>-<start>": the cgroups the suite
 * makes are named "<key>-...". */
const char *cg_test_key(void);
/* Removes this run's cgroups ("<key>-..."), no one else's. */
void cg_test_dirs_remove(void);
/* Removes the cgroups a suite named "<prefix>..." and all below them. */
void cg_dirs_remove_named(const char *prefix);

#endif
