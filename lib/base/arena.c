/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan's memory: one block list that the recipe's, the cgroup's and the
 * parent's planning steps allocate from, freed with one call, and the one
 * question about the plan that they all ask (parent side only; the child
 * only reads the plan). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A bump allocator over one growing list of blocks, so that the plan is
 * freed with one call and the child sees plain pointers. */
struct plan_block {
    struct plan_block *next;
    size_t used, size;
    _Alignas(16) char data[];
};

struct plan_mem {
    struct plan plan;
    struct plan_block *blocks;
};

void *plan_alloc(struct plan *p, size_t size)
{
    struct plan_mem *m = (struct plan_mem *)p;
    size = (size + 15) & ~(size_t)15;
    struct plan_block *b = m->blocks;
    if (!b || b->size - b->used < size) {
        size_t cap = size > 16384 ? size : 16384;
        b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->next = m->blocks;
        b->used = 0;
        b->size = cap;
        m->blocks = b;
    }
    void *r = b->data + b->used;
    b->used += size;
    memset(r, 0, size);
    return r;
}

char *plan_strdup(struct plan *p, const char *s)
{
    size_t len = strlen(s) + 1;
    char *r = plan_alloc(p, len);
    if (r)
        memcpy(r, s, len);
    return r;
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    struct plan_mem *m = (struct plan_mem *)p;
    for (struct plan_block *b = m->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(m);
}

struct plan *plan_new(void)
{
    struct plan_mem *m = calloc(1, sizeof(*m));
    return m ? &m->plan : NULL;
}

bool plan_new_userns(const struct plan *p)
{
    return (p->clone_ns | p->unshare_ns) & CLONE_NEWUSER;
}
