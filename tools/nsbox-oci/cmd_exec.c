/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec: a new process in a running container. */
#define _GNU_SOURCE
#include "oci.h"

int cmd_exec(const struct oci_global *g, int argc, char **argv)
{
    (void)g;
    (void)argc;
    (void)argv;
    return oci_err("exec: not implemented yet");
}
