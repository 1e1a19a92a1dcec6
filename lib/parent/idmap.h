/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's id maps (idmap.c) and the setuid helpers it runs for them
 * (helper.c). */
#ifndef NSBOX_IDMAP_H
#define NSBOX_IDMAP_H

#include "internal.h"

/* The /proc/PID files of the maps the parent writes itself, -1 if none. */
struct idmap_fds {
    int setgroups, uid, gid;
};
/* Opens the files of the maps written directly: all for root; a map of the
 * caller's own id alone only when own_direct (a kind-D spawn). */
int idmap_open(nsbox *box, pid_t pid, bool own_direct, struct idmap_fds *f);
/* Writes setgroups and the uid/gid maps of the child pid's new user
 * namespace: through the open files, else with newuidmap/newgidmap. */
int idmap_write(nsbox *box, pid_t pid, struct idmap_fds *f);
void idmap_close(struct idmap_fds *f);
/* True when the uid and gid maps are the caller's own ids alone. */
bool idmap_own_only(nsbox *box);
/* The uid and gid the command runs as in a new user namespace: the user
 * set, which the maps must map; by default the ids the caller's own map
 * to, else 0 inside; -EINVAL naming the map when there is none. Fills the
 * plan's uid, gid, setup_uid and setup_gid. */
int idmap_choose_ids(nsbox *box, struct plan *p);
/* The same choice against the maps of the user namespace the child pid
 * joined, read from /proc/PID; fills p's ids before the child's go. */
int idmap_choose_joined(nsbox *box, struct plan *p, pid_t pid);
/* Reads a /proc/PID/uid_map text ("inside outside count" lines) into r, at
 * most max ranges; a line that is not three 32-bit numbers is skipped.
 * Returns the number read. */
size_t idmap_parse(const char *text, struct idmap_range *r, size_t max);
/* True when the maps are written so that setgroups must be denied. */
bool idmap_setgroups_denied(nsbox *box);

/* Runs a helper program (newuidmap …) outside any sandbox and waits for it,
 * with what it printed in out (one line); returns its shell-form status or
 * a negative errno. */
int helper_run(char *const argv[], char *out, size_t size);

#endif
