/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: cgroup limit keys and values (nsbox_set_cgroup_limit, the
 * parsers of cgroup_limits.c). Input: NUL-separated key, value, key,
 * value... applied to one recipe. Checks the result is 0 or -EINVAL with a
 * message; ASan/UBSan catch the rest. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nsbox.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2);
    assert(buf);
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = '\0';
    nsbox *box = nsbox_new();
    assert(box);
    for (char *key = buf; key < buf + size;) {
        char *value = key + strlen(key) + 1;
        if (value > buf + size)
            value = buf + size; /* the last key without a value: "" */
        int r = nsbox_set_cgroup_limit(box, key, value);
        assert(r == 0 || r == -EINVAL);
        if (r < 0)
            assert(nsbox_errmsg(box)[0]);
        key = value + strlen(value) + 1;
    }
    nsbox_free(box);
    free(buf);
    return 0;
}
