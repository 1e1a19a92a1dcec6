/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console's step in the command's stage (console_child.c). */
#ifndef NSBOX_CONSOLE_CHILD_H
#define NSBOX_CONSOLE_CHILD_H

#include "console.h"

/* Child, after the mounts, cwd and setsid: opens the pty inside the
 * sandbox, makes its slave the controlling terminal (p->console->slave,
 * which child_fds puts on stdio), binds it on /dev/console if asked and
 * sends the master to the parent. 0, or the exit code after child_fail. */
int child_console(struct plan *p);

#endif
