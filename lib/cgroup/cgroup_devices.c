/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recipe's device rules (nsbox_add_device_rule) on cgroup v1: the
 * sandbox's directory in the devices hierarchy, written before its leaf
 * exists (the kernel refuses "a" in a cgroup with children, and a new
 * child copies its parent's list), so that the leaf starts with them.
 * Also the check both backends share: only a caller with CAP_SYS_ADMIN may
 * program the controller (v2's BPF program: cgroup_dev_bpf.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_impl.h"

int cg_dev_fail_perm(struct errbuf *e, int err, const char *path)
{
    return err_fail(e, err,
                    "device rules: the devices controller of cgroup %s cannot be programmed "
                    "(it needs CAP_SYS_ADMIN in the initial user namespace: device rules are "
                    "for a root caller)",
                    path);
}

int cg_dev_check_caps(struct errbuf *e, const struct cgroup_recipe *r)
{
    if (!r->n_dev_rules)
        return 0;
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2] = {{0}};
    if (syscall(SYS_capget, &hdr, data) < 0)
        return err_fail(e, errno, "capget");
    if (data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32)))
        return 0;
    return cg_dev_fail_perm(e, EPERM, "(the sandbox's)");
}

/* One v1 line: "c 1:3 rwm", "*" for any number. */
static void v1_line(char *buf, size_t size, char type, int64_t major, int64_t minor,
                    unsigned access)
{
    char maj[24] = "*", min[24] = "*";
    if (major >= 0)
        snprintf(maj, sizeof(maj), "%" PRId64, major);
    if (minor >= 0)
        snprintf(min, sizeof(min), "%" PRId64, minor);
    snprintf(buf, size, "%c %s:%s %s%s%s", type, maj, min, access & CG_DEV_READ ? "r" : "",
             access & CG_DEV_WRITE ? "w" : "", access & CG_DEV_MKNOD ? "m" : "");
}

static bool rule_is_everything(const struct cg_dev_rule *x)
{
    return x->type == 'a' && x->major < 0 && x->minor < 0 && x->access == CG_DEV_ALL;
}

/* True when an exception x (type t: 'b' or 'c') and a rule y of type t
 * name some device in common but not exactly the same ones. */
static bool overlap_inexact(const struct cg_dev_rule *x, char t, const struct cg_dev_rule *y)
{
    if (x->type != 'a' && x->type != t)
        return false;
    bool maj = x->major < 0 || y->major < 0 || x->major == y->major;
    bool min = x->minor < 0 || y->minor < 0 || x->minor == y->minor;
    return maj && min && (x->type == 'a' || x->major != y->major || x->minor != y->minor) &&
           (x->access & y->access);
}

/* A rule of the default's sign removes, in v1, only the access of an
 * earlier exception of the same type, major and minor. Where a deny meets
 * another allow (a deny of 1:5 after an allow of c *:*), v1 would allow
 * what the list denies: refused. (An allow that meets a narrower deny
 * leaves it: v1 denies more than the list, which errs on the safe side.) */
static int v1_expressible(struct errbuf *e, const struct cgroup_recipe *r, size_t from, size_t i,
                          char t)
{
    const struct cg_dev_rule *y = &r->dev_rules[i];
    for (size_t k = from; k < i; k++) {
        const struct cg_dev_rule *x = &r->dev_rules[k];
        if (x->allow != y->allow && overlap_inexact(x, t, y))
            return err_fail(e, EOPNOTSUPP,
                            "device rule %zu (%s %c %" PRId64 ":%" PRId64
                            "): cgroup v1's devices controller cannot narrow rule %zu with it "
                            "(it removes only a rule of the same type, major and minor)",
                            i, y->allow ? "allow" : "deny", t, y->major, y->minor, k);
    }
    return 0;
}

int cg_dev_v1_apply(struct errbuf *e, const struct cgroup_recipe *r, const struct cg_dir *d)
{
    /* What comes before the last "everything" rule is overridden by it. */
    size_t from = 0;
    bool allow_all = false;
    for (size_t i = 0; i < r->n_dev_rules; i++)
        if (rule_is_everything(&r->dev_rules[i])) {
            from = i + 1;
            allow_all = r->dev_rules[i].allow;
        }
    const char *reset = allow_all ? "devices.allow" : "devices.deny";
    int rc = cg_write(d->fd, reset, "a");
    for (size_t i = from; rc == 0 && i < r->n_dev_rules; i++) {
        const struct cg_dev_rule *y = &r->dev_rules[i];
        /* v1 takes "a" only as "everything": a narrower one is both types. */
        const char *types = y->type == 'a' ? "bc" : &y->type;
        size_t n_types = y->type == 'a' ? 2 : 1;
        for (size_t k = 0; rc == 0 && k < n_types; k++) {
            char t = types[k];
            char line[80];
            v1_line(line, sizeof(line), t, y->major, y->minor, y->access);
            if (!y->allow && !allow_all) {
                rc = v1_expressible(e, r, from, i, t);
                if (rc < 0)
                    return rc;
            }
            rc = cg_write(d->fd, y->allow ? "devices.allow" : "devices.deny", line);
            if (rc < 0)
                return err_fail(e, -rc, "device rule %zu: write \"%s\" to %s/%s%s", i, line,
                                d->path, y->allow ? "devices.allow" : "devices.deny",
                                rc == -EPERM ? " (a cgroup gets no device its parent denies)" : "");
        }
    }
    if (rc == -EPERM)
        return cg_dev_fail_perm(e, EPERM, d->path);
    if (rc == -EINVAL)
        return err_fail(e, EINVAL,
                        "device rules: write \"a\" to %s/%s (the cgroup already has child "
                        "cgroups, whose device lists v1 cannot reset)",
                        d->path, reset);
    if (rc < 0)
        return err_fail(e, -rc, "device rules: write \"a\" to %s/%s", d->path, reset);
    return 0;
}
