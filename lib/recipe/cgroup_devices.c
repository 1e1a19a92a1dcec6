/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox_add_device_rule: the rules of the devices controller, checked
 * here and kept in the caller's order; the cgroup code applies them
 * (cgroup_devices.c: v1 devices.allow/deny, v2 a BPF program). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>

#include "cgroup_recipe.h"

/* The largest major and minor a Linux dev_t holds (MINORBITS 20, 12 bits
 * of major): no device has others, and a rule naming one is a mistake. */
#define DEV_MAJOR_MAX 0xfffLL
#define DEV_MINOR_MAX 0xfffffLL
/* Enough for any engine's list (podman sends about fifteen); each rule is
 * at most nine BPF instructions. */
#define DEV_RULES_MAX 1024

/* The CG_DEV_* bits of an access string, 0 when it is empty or holds
 * anything but r, w and m. */
static unsigned access_bits(const char *access)
{
    unsigned bits = 0;
    for (const char *c = access; *c; c++) {
        if (*c == 'r')
            bits |= CG_DEV_READ;
        else if (*c == 'w')
            bits |= CG_DEV_WRITE;
        else if (*c == 'm')
            bits |= CG_DEV_MKNOD;
        else
            return 0;
    }
    return bits;
}

NSBOX_EXPORT int nsbox_add_device_rule(nsbox *box, int allow, char type, int64_t major,
                                       int64_t minor, const char *access)
{
    if (!box)
        return -EINVAL;
    if (type != 'a' && type != 'b' && type != 'c')
        return box_invalid(box, "device rule: type '%c' (0x%02x) is not 'a', 'b' or 'c'",
                           type >= 0x20 && type < 0x7f ? type : '?', (unsigned char)type);
    if (major < -1 || major > DEV_MAJOR_MAX)
        return box_invalid(
            box, "device rule: major %" PRId64 " is out of range (-1 for any, or 0 to %lld)", major,
            DEV_MAJOR_MAX);
    if (minor < -1 || minor > DEV_MINOR_MAX)
        return box_invalid(
            box, "device rule: minor %" PRId64 " is out of range (-1 for any, or 0 to %lld)", minor,
            DEV_MINOR_MAX);
    unsigned bits = access ? access_bits(access) : 0;
    if (!bits)
        return box_invalid(box, "device rule: access \"%s\" is not a non-empty subset of \"rwm\"",
                           access ? access : "(null)");
    struct cgroup_recipe *c = cgroup_recipe_get(box);
    if (!c)
        return box_fail(box, ENOMEM, "device rule");
    if (c->n_dev_rules >= DEV_RULES_MAX)
        return box_fail(box, E2BIG, "device rule: more than %d rules", DEV_RULES_MAX);
    struct cg_dev_rule *r = vec_push(&c->dev_rules, &c->n_dev_rules, sizeof(*r));
    if (!r)
        return box_fail(box, ENOMEM, "device rule");
    *r = (struct cg_dev_rule){
        .allow = allow != 0, .type = type, .major = major, .minor = minor, .access = bits};
    return 0;
}
