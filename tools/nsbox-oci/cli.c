/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A command's options as runc's CLI library takes them: "--name value",
 * "--name=value", "-name value", "-b value" for short names; options end at
 * the first operand or at "--". */
#define _GNU_SOURCE
#include <string.h>

#include "oci.h"

static const struct cli_opt *find(const struct cli_opt *opts, const char *a, size_t len)
{
    for (const struct cli_opt *o = opts; o->name; o++) {
        if (strlen(o->name) == len && strncmp(o->name, a, len) == 0)
            return o;
        if (len == 1 && o->short_name && o->short_name == a[0])
            return o;
    }
    return NULL;
}

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return i + 1;
        if (a[0] != '-' || a[1] == '\0')
            return i;
        a += a[1] == '-' ? 2 : 1;
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const struct cli_opt *o = find(opts, a, len);
        if (!o)
            return oci_err("%s: flag provided but not defined: -%.*s", cmd, (int)len, a);
        if (!o->has_arg) {
            if (eq && strcmp(eq + 1, "true") != 0 && strcmp(eq + 1, "false") != 0)
                return oci_err("%s: invalid boolean value \"%s\" for -%s", cmd, eq + 1, o->name);
            *o->flag = !eq || strcmp(eq + 1, "true") == 0;
            continue;
        }
        const char *v;
        if (eq) {
            v = eq + 1;
        } else {
            if (i + 1 >= argc)
                return oci_err("%s: flag needs an argument: -%s", cmd, o->name);
            v = argv[++i];
        }
        if (o->multi)
            json_array_append_new(o->multi, json_string(v));
        else
            *o->value = v;
    }
    return i;
}

int cli_nargs(const char *cmd, int argc, int first, int min, int max)
{
    int n = argc - first;
    if (n >= min && n <= max)
        return 0;
    if (min == max)
        return oci_err("nsbox-oci: \"%s\" requires exactly %d argument(s)", cmd, min);
    if (n < min)
        return oci_err("nsbox-oci: \"%s\" requires a minimum of %d argument(s)", cmd, min);
    return oci_err("nsbox-oci: \"%s\" requires a maximum of %d argument(s)", cmd, max);
}
