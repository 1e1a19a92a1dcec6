/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The init helper's memfd, made at each spawn that needs it from the copy
 * embedded in the library (1.5 KiB: cheaper than keeping an fd on the
 * handle), so that PID 1 runs in memory of its own instead of pinning the
 * caller's (the stages before exec share the caller's memory). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "internal.h"

extern const unsigned char nsbox_init_blob[];
extern const size_t nsbox_init_blob_size;

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

int init_memfd_open(nsbox *box)
{
    /* MFD_EXEC (Linux 6.3) keeps the memfd executable where vm.memfd_noexec
     * makes memfds non-executable by default; older kernels reject it. */
    _cleanup_close_ int fd = memfd_create("nsbox-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL)
        fd = memfd_create("nsbox-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return box_fail(box, errno, "create the init helper's memfd");
    size_t off = 0;
    while (off < nsbox_init_blob_size) {
        ssize_t n = write(fd, nsbox_init_blob + off, nsbox_init_blob_size - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return box_fail(box, errno, "write the init helper's memfd");
        off += (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
        return box_fail(box, errno, "seal the init helper's memfd");
    return take_fd(&fd);
}
