/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Growable arrays of the recipe and the plan (parent side only). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *vec_push(void *arr, size_t *n, size_t elem)
{
    void **p = arr;
    if (*n == 0 || (*n >= 4 && (*n & (*n - 1)) == 0)) {
        size_t cap = *n < 4 ? 4 : *n * 2;
        void *grown = realloc(*p, cap * elem);
        if (!grown)
            return NULL;
        *p = grown;
    }
    char *slot = (char *)*p + *n * elem;
    memset(slot, 0, elem);
    (*n)++;
    return slot;
}
