/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_set_console: the builder call. The pty is opened by the command's
 * stage inside the sandbox, after its mounts (lib/child/console_child.c):
 * runc and crun do the same, so that the command's terminal is a pty of
 * the sandbox's own devpts, never a host pty, and the caller gets only
 * the master (lib/parent/console_plan.c). */
#define _GNU_SOURCE
#include <errno.h>

#include "console.h"

#define CONSOLE_FLAGS (NSBOX_CONSOLE_PTY | NSBOX_CONSOLE_DEV_CONSOLE)

void console_recipe_free(struct console_recipe *c)
{
    free(c);
}

NSBOX_EXPORT int nsbox_set_console(nsbox *box, unsigned flags, uint16_t rows, uint16_t cols)
{
    if (!box)
        return -EINVAL;
    if (flags & ~(unsigned)CONSOLE_FLAGS)
        return box_invalid(box, "console: unknown flags 0x%x", flags & ~(unsigned)CONSOLE_FLAGS);
    if (flags && !(flags & NSBOX_CONSOLE_PTY))
        return box_invalid(box, "console: NSBOX_CONSOLE_DEV_CONSOLE without NSBOX_CONSOLE_PTY");
    if (!flags) {
        console_recipe_free(box->console);
        box->console = NULL;
        return 0;
    }
    if (!box->console && !(box->console = calloc(1, sizeof(*box->console))))
        return box_fail(box, ENOMEM, "console");
    *box->console = (struct console_recipe){flags, rows, cols};
    /* the bind on /dev/console must stay in the sandbox's mount table */
    if (flags & NSBOX_CONSOLE_DEV_CONSOLE)
        box->ns |= NSBOX_NS_MOUNT;
    return 0;
}
