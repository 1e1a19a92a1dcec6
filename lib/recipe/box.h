/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handle's own helpers (box.c): the fds it recorded, namespace names. */
#ifndef NSBOX_BOX_H
#define NSBOX_BOX_H

#include "internal.h"

/* At spawn: -EBADF when a recorded stdio or passed fd was closed, or now
 * names another file, since its builder call. */
int box_check_fds(nsbox *box);

/* Name of one namespace kind ("user", "pid", …) as /proc/PID/ns spells it. */
const char *ns_name(unsigned one_ns);
/* CLONE_NEW* flags of an NSBOX_NS_* mask. */
unsigned long ns_clone_flags(unsigned ns);

#endif
