/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: nsbox-oci's config.json parser and spec -> recipe mapping
 * (tools/nsbox-oci: config.c, spec*.c, seccomp.c, hooks.c's checks),
 * compiled in from its sources. Input: a config.json. Each is parsed and
 * mapped onto a fresh recipe, as `create` does before anything exists;
 * nothing is spawned. Checks that a failure always comes with a message;
 * ASan/UBSan catch the rest. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../tools/nsbox-oci/oci.h" /* by path: lib/recipe has an oci.h too */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    oci_err_clear();
    json_t *config = oci_config_parse((const char *)data, size);
    if (!config) {
        assert(oci_errmsg()[0]);
        return 0;
    }
    nsbox *box = nsbox_new();
    assert(box);
    /* a bundle that does not exist: relative paths resolve nowhere */
    struct oci_spec spec = {
        .config = config, .bundle = "/nonexistent-nsbox-oci-bundle", .id = "fuzz"};
    if (oci_spec_apply(&spec, box) < 0)
        assert(oci_errmsg()[0]);
    oci_spec_free(&spec);
    nsbox_free(box);
    json_decref(config);
    return 0;
}
