/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's side of the lock files: raw system calls only (see
 * child.c). Runs after the identity step, so the open has exactly the
 * command's ids, capabilities and root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "child.h"
#include "lock_child.h"
#include "sys.h"

/* O_NONBLOCK: a FIFO opens at once instead of waiting for a writer;
 * O_NOCTTY: a terminal does not become ours. The lock belongs to the open
 * file description, which lives on in the parent's copy after exec closes
 * ours. */
CHILD int child_lock_files(struct plan *p)
{
    for (int i = 0; i < p->n_lock_files; i++) {
        long fd = sys_retry(sys4(SYS_openat, AT_FDCWD, p->lock_files[i],
                                 O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0));
        if (fd < 0)
            return child_fail(p, STEP_LOCK, fd, REPORT_INDEX(i, LOCK_OPEN));
        struct flock lk = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
        long r = sys3(SYS_fcntl, fd, F_OFD_SETLK, &lk);
        if (r == 0)
            r = child_send_fd(p->sync_fd, STEP_LOCK, i, fd);
        sys1(SYS_close, fd);
        if (r < 0)
            return child_fail(p, STEP_LOCK, r, REPORT_INDEX(i, LOCK_TAKE));
    }
    return 0;
}
