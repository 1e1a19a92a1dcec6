/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the privilege and escape suites: run priv-helper (a
 * program that makes one attempt inside the sandbox and prints "ok" or the
 * errno's name) and read its "status" line. */
#ifndef NSBOX_PRIVTEST_H
#define NSBOX_PRIVTEST_H

#include <linux/filter.h>
#include <stdint.h>

#include "testlib.h"

#ifndef BIT /* lib/base/internal.h has the same, for the tests that include both */
#define BIT(cap) ((uint64_t)1 << (cap))
#endif

/* The unprivileged uid (and gid) a sandbox runs as in p_box(i, true):
 * 1000 for the root caller (i == 0), the caller's own 65534 for nobody. */
#define P_UNPRIV(i) ((i) == 0 ? 1000u : (unsigned)NOBODY)

/* A recipe with a new user namespace. Root's (i == 0) maps 0 and 1000 to
 * themselves; nobody's (i == 1) maps its own ids. unpriv: the command runs
 * as P_UNPRIV(i) instead of uid 0 (root) or the caller's own (nobody). */
nsbox *p_box(int i, bool unpriv);

/* Runs priv-helper with the NULL-terminated arguments in box and stores its
 * one line of output (chomped) in out. Returns the shell-form status. */
int p_helper(nsbox *box, char *out, size_t size, ...) __attribute__((sentinel));

/* Runs prog (a copy of priv-helper) instead, same contract. */
int p_run(nsbox *box, const char *prog, char *out, size_t size, ...) __attribute__((sentinel));

/* A field of a "status" line: hex for capability sets, decimal else;
 * the first id for uid=/gid= (real). Fails the test if missing. */
uint64_t p_field(const char *status, const char *key);

/* Attempts of this test case whose blocked outcome was asserted. */
extern int p_blocked;
#define ATTEMPT_BLOCKED() (p_blocked++)

/* Asserts an attempt's outcome (its errno's name) and counts it. */
#define BLOCKED(out, err_name)                                                                     \
    do {                                                                                           \
        ck_assert_str_eq(out, err_name);                                                           \
        ATTEMPT_BLOCKED();                                                                         \
    } while (0)

/* Prints "escape <what> as root|nobody: N attempts, all blocked". */
void p_report(const char *what, int i);

/* Every capability bit this kernel has. */
uint64_t p_all_caps(void);

/* This process's own set from /proc/self/status ("CapBnd"). */
uint64_t p_own_caps(const char *key);

/* Writes into out a seccomp filter that makes system call nr (SYS_*) fail
 * with err and allows the rest (another architecture is killed); returns
 * its size in bytes. */
#define P_DENY_INSNS 7
size_t p_deny(long nr, int err, struct sock_filter *out);

#endif
