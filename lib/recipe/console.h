/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_set_console: a pty of the sandbox's own devpts as the command's
 * terminal. The recipe (lib/recipe/console.c), the plan's type and the
 * parts of STEP_CONSOLE. The plan, the report and the master's receipt:
 * parent/console_plan.h (lib/parent/console_plan.c); the child's step:
 * child/console_child.h (lib/child/console_child.c). */
#ifndef NSBOX_CONSOLE_H
#define NSBOX_CONSOLE_H

#include "internal.h"

struct console_recipe {
    unsigned flags; /* NSBOX_CONSOLE_* */
    uint16_t rows, cols;
};

/* What the child reads; NULL in the plan without a console. */
struct console_plan {
    unsigned flags;
    uint16_t rows, cols;
    uint64_t caller_pts_dev; /* st_dev of the caller's /dev/pts, 0: none */
    int slave;               /* written by the command's stage: the slave's fd */
};

/* What failed in STEP_CONSOLE (the index). */
enum console_part {
    CONSOLE_OPEN,       /* open /dev/ptmx inside the sandbox */
    CONSOLE_NOT_MASTER, /* what it opened is no pty master */
    CONSOLE_UNLOCK,     /* TIOCSPTLCK */
    CONSOLE_PEER,       /* open the slave (TIOCGPTPEER) */
    CONSOLE_CALLERS,    /* the slave is in the caller's devpts */
    CONSOLE_WINSIZE,    /* TIOCSWINSZ */
    CONSOLE_CHOWN,      /* the slave to the command's uid */
    CONSOLE_MOUNTPOINT, /* /dev/console to bind on */
    CONSOLE_BIND,       /* the bind itself */
    CONSOLE_CTTY,       /* TIOCSCTTY */
    CONSOLE_SEND,       /* the master to the parent; also the success record */
    CONSOLE_PARTS
};

void console_recipe_free(struct console_recipe *c);

#endif
