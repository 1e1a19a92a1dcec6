/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the test suite: run a sandbox and capture what it prints,
 * drop to nobody, count fds and children. */
#ifndef NSBOX_TESTLIB_H
#define NSBOX_TESTLIB_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <nsbox.h>

#define NOBODY 65534

/* Runs argv in box with stdout captured into out (NUL-terminated, at most
 * size-1 bytes) and stderr inherited. Returns the shell-form status or the
 * negative errno of nsbox_spawn. */
int t_run_capture(nsbox *box, char *const argv[], char *out, size_t size);

/* t_run_capture of "/bin/sh -c script". */
int t_sh(nsbox *box, const char *script, char *out, size_t size);

/* In the forked Check test process: become nobody (groups, gid, uid) so
 * the rest of the test runs unprivileged. Returns false if not root. */
bool t_drop_to_nobody(void);

/* The loop index of tcase_add_loop_test: 0 runs as root, 1 as nobody. */
void t_as(int i);

/* Number of open fds of this process. */
int t_count_fds(void);

/* Number of children of this process (zombies included). */
int t_count_children(void);

/* The inode of /proc/self/ns/<kind> of this process. */
unsigned long t_ns_inode(const char *kind);

/* The inode of /proc/PID/ns/pid, and the PPid line of /proc/PID/status. */
unsigned long t_pid_ns_of(pid_t pid);
pid_t t_ppid_of(pid_t pid);

/* Strips one trailing newline. */
char *t_chomp(char *s);

/* Runs the suite in forked mode and returns the process exit status. */
int t_run_suite(Suite *s);

#endif
