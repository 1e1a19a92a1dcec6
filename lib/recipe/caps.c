/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Privileges of the command, parent side: the builder calls for
 * capabilities and the seccomp filter, their plan, and the messages of the
 * child's failures. Names are parsed here with libcap; the child
 * (caps_child.c) only applies the prepared masks. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "caps.h"

#define BIT(cap) ((uint64_t)1 << (cap))

struct caps_recipe {
    uint64_t keep;   /* "ALL" sets every bit; the plan trims to the kernel's */
    uint64_t named;  /* added by name: must be held and known to the kernel */
    uint64_t set[5]; /* nsbox_set_caps, for the sets in given */
    unsigned given;  /* bit NSBOX_CAPS_*: that set is set[i], not keep */
    struct sock_filter *bpf;
    size_t n_bpf;
};

void caps_recipe_free(struct caps_recipe *c)
{
    if (!c)
        return;
    free(c->bpf);
    free(c);
}

static struct caps_recipe *caps_recipe(nsbox *box)
{
    if (!box->caps)
        box->caps = calloc(1, sizeof(*box->caps));
    return box->caps;
}

/* One capability number from a name as libcap spells it, any case, with
 * or without "cap_"; "ALL" gives every bit. */
static int cap_parse(nsbox *box, const char *what, const char *name, uint64_t *mask)
{
    if (!name || !*name)
        return box_invalid(box, "%s capability \"\": empty name", what);
    if (strcasecmp(name, "all") == 0) {
        *mask = ~(uint64_t)0;
        return 0;
    }
    cap_value_t cap;
    char prefixed[64];
    int r = cap_from_name(name, &cap);
    if (r < 0 && strncasecmp(name, "cap_", 4) != 0 && strlen(name) < sizeof(prefixed) - 4) {
        snprintf(prefixed, sizeof(prefixed), "cap_%s", name);
        r = cap_from_name(prefixed, &cap);
    }
    if (r < 0 || cap < 0 || cap > 63)
        return box_invalid(box, "%s capability \"%s\": unknown name", what, name);
    *mask = BIT(cap);
    return 0;
}

/* Adds name to the kept capabilities, or removes it. */
static int cap_edit(nsbox *box, const char *name, bool add)
{
    if (!box)
        return -EINVAL;
    uint64_t mask = 0;
    int r = cap_parse(box, add ? "add" : "drop", name, &mask);
    if (r < 0)
        return r;
    struct caps_recipe *c = caps_recipe(box);
    if (!c)
        return box_fail(box, ENOMEM, "%s capability %s", add ? "add" : "drop", name);
    if (add) {
        c->keep |= mask;
        c->named |= mask == ~(uint64_t)0 ? 0 : mask;
    } else {
        c->keep &= ~mask;
        c->named &= ~mask;
    }
    return 0;
}

NSBOX_EXPORT int nsbox_add_cap(nsbox *box, const char *name)
{
    return cap_edit(box, name, true);
}

NSBOX_EXPORT int nsbox_drop_cap(nsbox *box, const char *name)
{
    return cap_edit(box, name, false);
}

static const char *const set_names[] = {"bounding", "effective", "permitted", "inheritable",
                                        "ambient"};

NSBOX_EXPORT int nsbox_set_caps(nsbox *box, int set, uint64_t mask)
{
    if (!box)
        return -EINVAL;
    if (set < NSBOX_CAPS_BOUNDING || set > NSBOX_CAPS_AMBIENT)
        return box_invalid(box, "capability set %d: not one of NSBOX_CAPS_BOUNDING ... _AMBIENT",
                           set);
    struct caps_recipe *c = caps_recipe(box);
    if (!c)
        return box_fail(box, ENOMEM, "%s capabilities", set_names[set]);
    c->set[set] = mask;
    c->given |= 1u << set;
    return 0;
}

NSBOX_EXPORT int nsbox_set_seccomp_filter(nsbox *box, const void *bpf, size_t len)
{
    if (!box)
        return -EINVAL;
    if (!bpf && len == 0) {
        if (box->caps) {
            free(take_ptr(&box->caps->bpf));
            box->caps->n_bpf = 0;
        }
        return 0;
    }
    size_t n = len / sizeof(struct sock_filter);
    if (!bpf || len % sizeof(struct sock_filter) != 0 || n == 0 || n > BPF_MAXINSNS)
        return box_invalid(box,
                           "seccomp filter of %zu bytes: must be 1 to %d instructions of %zu "
                           "bytes (struct sock_filter)%s",
                           len, BPF_MAXINSNS, sizeof(struct sock_filter), bpf ? "" : ", not NULL");
    struct caps_recipe *c = caps_recipe(box);
    struct sock_filter *copy = malloc(len);
    if (!c || !copy) {
        free(copy);
        return box_fail(box, ENOMEM, "seccomp filter of %zu bytes", len);
    }
    memcpy(copy, bpf, len);
    free(c->bpf);
    c->bpf = copy;
    c->n_bpf = n;
    return 0;
}

/* The kernel's highest capability number; libcap reads it from
 * /proc/sys/kernel/cap_last_cap (or probes the bounding set without /proc). */
static int cap_last(void)
{
    int bits = cap_max_bits();
    return bits > 64 ? 63 : bits - 1;
}

/* "cap_chown,cap_kill" for a mask, into buf. */
static void cap_names(uint64_t mask, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int cap = 0; cap < 64 && len < size; cap++) {
        if (!(mask & BIT(cap)))
            continue;
        char *name = cap_to_name(cap);
        len += snprintf(buf + len, size - len, "%s%s", len ? "," : "", name ? name : "?");
        cap_free(name);
    }
}

/* The five sets: nsbox_set_caps's where given, else the kept ones; the
 * kernel's rules between them checked here, where the message can name
 * the capabilities. */
static int caps_plan_sets(nsbox *box, const struct caps_recipe *r, struct caps_plan *c,
                          uint64_t valid)
{
    char names[512];
    for (int i = 0; i < 5; i++) {
        bool given = r && (r->given & (1u << i));
        c->set[i] = given ? r->set[i] : c->keep;
        if (c->set[i] & ~valid) {
            cap_names(c->set[i] & ~valid, names, sizeof(names));
            return box_invalid(box, "%s capabilities %s: not known to this kernel (its last is %d)",
                               set_names[i], names, c->last_cap);
        }
    }
    static const struct {
        int set, within;
    } rules[] = {{NSBOX_CAPS_EFFECTIVE, NSBOX_CAPS_PERMITTED},
                 {NSBOX_CAPS_AMBIENT, NSBOX_CAPS_PERMITTED},
                 {NSBOX_CAPS_AMBIENT, NSBOX_CAPS_INHERITABLE},
                 {NSBOX_CAPS_INHERITABLE, NSBOX_CAPS_BOUNDING}};
    for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
        uint64_t extra = c->set[rules[k].set] & ~c->set[rules[k].within];
        if (!extra)
            continue;
        cap_names(extra, names, sizeof(names));
        return box_invalid(box, "%s capabilities %s: not in the %s set, as the kernel requires",
                           set_names[rules[k].set], names, set_names[rules[k].within]);
    }
    if (r && (r->given & (1u << NSBOX_CAPS_PERMITTED)))
        c->named |= c->set[NSBOX_CAPS_PERMITTED];
    for (int i = 0; i < 5; i++)
        c->keep |= c->set[i];
    return 0;
}

int caps_plan_build(nsbox *box, struct plan *p)
{
    const struct caps_recipe *r = box->caps;
    struct caps_plan *c = plan_alloc(p, sizeof(*c));
    if (!c)
        return box_fail(box, ENOMEM, "plan");
    c->last_cap = cap_last();
    if (c->last_cap < 0)
        return box_fail(box, EOPNOTSUPP, "read the kernel's last capability");
    uint64_t valid = c->last_cap == 63 ? ~(uint64_t)0 : BIT(c->last_cap + 1) - 1;
    if (r && (r->named & ~valid)) {
        char names[256];
        cap_names(r->named & ~valid, names, sizeof(names));
        return box_invalid(box, "keep capability %s: not known to this kernel (its last is %d)",
                           names, c->last_cap);
    }
    if (r) {
        c->keep = r->keep & valid;
        c->named = r->named;
    }
    int ret = caps_plan_sets(box, r, c, valid);
    if (ret < 0)
        return ret;
    if (r && r->n_bpf) {
        struct sock_filter *f = plan_alloc(p, r->n_bpf * sizeof(*f));
        if (!f)
            return box_fail(box, ENOMEM, "plan");
        memcpy(f, r->bpf, r->n_bpf * sizeof(*f));
        c->prog = (struct sock_fprog){.len = (unsigned short)r->n_bpf, .filter = f};
    }
    p->caps = c;
    return 0;
}

static int caps_report_seccomp(nsbox *box, const struct plan *p, int err)
{
    const char *hint = "";
    if (err == EACCES && !p->no_new_privs)
        hint = " (NSBOX_ALLOW_NEW_PRIVS is set: without no_new_privs the filter needs "
               "CAP_SYS_ADMIN, add it with nsbox_add_cap or drop the flag)";
    else if (err == EINVAL)
        hint = " (the kernel rejected the BPF program, or lacks CONFIG_SECCOMP_FILTER)";
    return box_fail(box, err, "install seccomp filter of %u instructions%s", p->caps->prog.len,
                    hint);
}

int caps_report(nsbox *box, const struct plan *p, const struct child_report *rep)
{
    int err = rep->err > 0 ? rep->err : EPROTO;
    if (rep->step == STEP_SECCOMP)
        return caps_report_seccomp(box, p, err);
    int cap = rep->index & 0xff;
    char name[32], kept[512];
    char *n = cap_to_name(cap);
    snprintf(name, sizeof(name), "%s", n ? n : "?");
    cap_free(n);
    cap_names(p->caps->keep, kept, sizeof(kept));
    switch (rep->index >> 8) {
    case CAPS_GET:
        return box_fail(box, err, "read capabilities");
    case CAPS_MISSING:
        return box_fail(box, err, "keep capability %s (the sandbox's process does not hold it%s)",
                        name, plan_new_userns(p) ? "" : "; a new user namespace would grant it");
    case CAPS_BOUND:
        return box_fail(box, err, "drop %s from the bounding set%s", name,
                        err == EPERM ? " (needs CAP_SETPCAP; without capabilities, only with "
                                       "no_new_privs set: drop NSBOX_ALLOW_NEW_PRIVS or add "
                                       "NSBOX_NS_USER)"
                                     : "");
    case CAPS_KEEPCAPS:
        return box_fail(box, err, "keep capabilities across the uid change");
    case CAPS_SET:
        return box_fail(box, err, "set capabilities to {%s}", kept);
    case CAPS_AMBIENT_CLEAR:
        return box_fail(box, err, "clear the ambient capabilities");
    case CAPS_AMBIENT_RAISE:
        return box_fail(box, err, "raise ambient capability %s", name);
    default:
        return box_fail(box, err, "set capabilities");
    }
}
