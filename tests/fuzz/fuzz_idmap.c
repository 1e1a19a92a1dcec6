/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: uid/gid map ranges (nsbox_add_uid_map, nsbox_add_gid_map,
 * nsbox_set_user). Input: 13-byte records {op, inside, outside, count}.
 * Checks that every accepted range stays inside the id range and overlaps
 * no other range of its map, inside or outside, and that a refused one
 * changes nothing and says why. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

static uint32_t take_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static void check_map(const struct idmap *m)
{
    assert(m->n <= 340);
    for (size_t i = 0; i < m->n; i++) {
        const struct idmap_range *a = &m->r[i];
        assert(a->count > 0);
        assert((uint64_t)a->inside + a->count <= UINT32_MAX);
        assert((uint64_t)a->outside + a->count <= UINT32_MAX);
        for (size_t j = 0; j < i; j++) {
            const struct idmap_range *b = &m->r[j];
            assert(a->inside + a->count <= b->inside || b->inside + b->count <= a->inside);
            assert(a->outside + a->count <= b->outside || b->outside + b->count <= a->outside);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nsbox *box = nsbox_new();
    assert(box);
    for (; size >= 13; data += 13, size -= 13) {
        uint32_t in = take_u32(data + 1), out = take_u32(data + 5), count = take_u32(data + 9);
        /* small counts and ids are where overlaps happen: the low bits of
         * op pick a scale */
        unsigned shift = (data[0] >> 2) & 0x1f;
        if (data[0] & 2)
            count >>= shift, in >>= shift, out >>= shift;
        struct idmap *m = data[0] & 1 ? &box->gid_map : &box->uid_map;
        size_t before = m->n;
        int r;
        if ((data[0] & 0xc0) == 0xc0)
            r = nsbox_set_user(box, in, out);
        else if (data[0] & 1)
            r = nsbox_add_gid_map(box, in, out, count);
        else
            r = nsbox_add_uid_map(box, in, out, count);
        assert(r == 0 || r == -EINVAL);
        if (r < 0) {
            assert(m->n == before);
            assert(nsbox_errmsg(box)[0]);
        }
        check_map(m);
    }
    nsbox_free(box);
    return 0;
}
