/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child stages' stacks: one mapping per handle, made at its first
 * spawn and reused, since mapping and unmapping them at every spawn costs
 * page faults and TLB shootdowns across CPUs. Reuse is safe: nsbox_spawn
 * returns only once every stage has exec'd or exited. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>

#include "internal.h"

/* Each stage runs on 256 KiB (untouched pages cost nothing) above a guard
 * page. Three stages at most: the joining stage or a monitor, PID 1, command. */
/* sizes in size_t: they are multiplied into mmap lengths */
#define STAGE_STACK ((size_t)256 * 1024)
#define STAGE_GUARD ((size_t)4096)
#define STAGES 3
#define STACKS_SIZE (STAGES * (STAGE_STACK + STAGE_GUARD))

void stacks_release(nsbox *box)
{
    if (box->stacks)
        munmap(box->stacks, STACKS_SIZE);
    box->stacks = NULL;
}

static int stacks_map(nsbox *box)
{
    char *base =
        mmap(NULL, STACKS_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return box_fail(box, errno, "map %zu bytes of child stacks", STACKS_SIZE);
    for (int i = 0; i < STAGES; i++) {
        char *stack = base + STAGE_GUARD + (size_t)i * (STAGE_STACK + STAGE_GUARD);
        if (mprotect(stack, STAGE_STACK, PROT_READ | PROT_WRITE) < 0) {
            int err = errno;
            munmap(base, STACKS_SIZE);
            return box_fail(box, err, "protect child stacks");
        }
    }
    box->stacks = base;
    return 0;
}

int stacks_get(nsbox *box, struct plan *p)
{
    if (!box->stacks) {
        int r = stacks_map(box);
        if (r < 0)
            return r;
    }
    p->stack = box->stacks + STAGE_GUARD;
    p->stack_size = STAGE_STACK;
    p->stack_stride = STAGE_STACK + STAGE_GUARD;
    return 0;
}
