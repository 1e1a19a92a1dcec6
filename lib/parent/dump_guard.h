/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process-wide dumpable guard around spawns (see dump_guard.c). */
#ifndef NSBOX_DUMP_GUARD_H
#define NSBOX_DUMP_GUARD_H

#include <stdbool.h>

enum dump_kind {
    DUMP_FREE, /* an unprivileged caller without a new user namespace: no guard */
    DUMP_D,    /* dumpable while the parent opens the map files */
    DUMP_N,    /* not dumpable while any stage lives */
};

/* True when the caller is dumpable, holds no permitted capability and has
 * equal real, effective and saved uids and gids. */
bool dump_guard_caller_plain(void);

/* N: waits until no kind-D spawn is opening its map files, then clears
 * dumpable (the first saves it). D: waits until no kind-N spawn runs. */
void dump_guard_enter(enum dump_kind kind);
/* N: after every stage has exec'd or exited (the last restores dumpable).
 * D: once the map files are open. */
void dump_guard_leave(enum dump_kind kind);

/* Tests: when set, no spawn takes the guard. */
extern bool nsbox_test_dump_guard_off;

#endif
