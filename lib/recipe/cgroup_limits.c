/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup limit keys: checks at the builder call, sizes with K/M/G/T
 * suffixes, and the cgroup v1 twin of each v2 key that has one. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_recipe.h"

static const char *const size_keys[] = {
    "memory.max",      "memory.high",      "memory.low",       "memory.min",
    "memory.swap.max", "memory.swap.high", "memory.zswap.max", NULL,
};

/* Core files a sandbox must not set: the library owns placement, kill,
 * freeze and controller delegation. */
static bool key_reserved(const char *key)
{
    return strncmp(key, "cgroup.", 7) == 0 && strcmp(key, "cgroup.max.depth") != 0 &&
           strcmp(key, "cgroup.max.descendants") != 0;
}

static bool key_is_size(const char *key)
{
    for (int i = 0; size_keys[i]; i++)
        if (strcmp(key, size_keys[i]) == 0)
            return true;
    return false;
}

static bool parse_u64(const char *s, uint64_t *v, const char **end)
{
    if (*s < '0' || *s > '9')
        return false;
    uint64_t r = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (r > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return false;
        r = r * 10 + (uint64_t)(*s - '0');
    }
    *v = r;
    *end = s;
    return true;
}

/* "max", or bytes with an optional K, M, G or T (powers of 1024). */
static bool parse_size(const char *s, char *out, size_t size)
{
    if (strcmp(s, "max") == 0) {
        snprintf(out, size, "max");
        return true;
    }
    uint64_t v;
    const char *end;
    if (!parse_u64(s, &v, &end))
        return false;
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end & ~0x20) : NULL;
    if (*end && (!u || !*u || end[1]))
        return false;
    for (int shift = u ? (int)(u - units) + 1 : 0; shift > 0; shift--) {
        if (v > UINT64_MAX / 1024)
            return false;
        v *= 1024;
    }
    snprintf(out, size, "%" PRIu64, v);
    return true;
}

static bool is_number(const char *s)
{
    uint64_t v;
    const char *end;
    return parse_u64(s, &v, &end) && !*end;
}

/* "max" or a quota, optionally followed by " PERIOD", in microseconds:
 * the kernel takes a period of 1 ms to 1 s and a quota of at least 1 ms. */
static bool cpu_max_valid(const char *s)
{
    uint64_t quota = 1000, period = 100000;
    const char *end = s + 3;
    if (strncmp(s, "max", 3) != 0 && !parse_u64(s, &quota, &end))
        return false;
    if (*end && (*end != ' ' || !parse_u64(end + 1, &period, &end) || *end))
        return false;
    return quota >= 1000 && period >= 1000 && period <= 1000000;
}

/* A CPU or memory node list: "N" or "N-M" (N <= M), comma-separated. */
static bool cpuset_list_valid(const char *s)
{
    for (;;) {
        uint64_t lo, hi;
        const char *end;
        if (!parse_u64(s, &lo, &end))
            return false;
        hi = lo;
        if (*end == '-' && (!parse_u64(end + 1, &hi, &end) || hi < lo))
            return false;
        if (!*end)
            return true;
        if (*end != ',')
            return false;
        s = end + 1;
    }
}

static bool key_valid(const char *key)
{
    const char *dot = strchr(key, '.');
    if (!dot || dot == key || !dot[1] || strlen(key) > 64)
        return false;
    for (const char *c = key; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.'))
            return false;
    return true;
}

int cg_limit_normalize(nsbox *box, const char *key, const char *value, char **out)
{
    if (!key_valid(key))
        return box_invalid(box,
                           "cgroup limit %s: not a cgroup v2 interface file name "
                           "(\"controller.file\", e.g. memory.max)",
                           key);
    if (key_reserved(key))
        return box_invalid(box, "cgroup limit %s: managed by the library, not a limit", key);
    if (!*value || strlen(value) > 255 || strchr(value, '\n'))
        return box_invalid(box, "cgroup limit %s=%s: empty, multi-line or too long", key, value);
    char buf[32];
    const char *norm = value;
    bool ok = true;
    if (key_is_size(key)) {
        ok = parse_size(value, buf, sizeof(buf));
        norm = buf;
    } else if (strcmp(key, "pids.max") == 0) {
        ok = strcmp(value, "max") == 0 || is_number(value);
    } else if (strcmp(key, "cpu.max") == 0) {
        ok = cpu_max_valid(value);
    } else if (strcmp(key, "cpu.weight") == 0) {
        ok = is_number(value) && atoi(value) >= 1 && atoi(value) <= 10000 && strlen(value) < 6;
    } else if (strcmp(key, "cpuset.cpus") == 0 || strcmp(key, "cpuset.mems") == 0 ||
               strcmp(key, "cpuset.cpus.exclusive") == 0) {
        ok = cpuset_list_valid(value);
    }
    if (!ok)
        return box_invalid(box, "cgroup limit %s=%s: invalid value (%s)", key, value,
                           key_is_size(key) ? "bytes, K/M/G/T suffix, or max"
                           : strcmp(key, "cpu.max") == 0
                               ? "\"QUOTA [PERIOD]\" in us, quota >= 1000 or max, period "
                                 "1000 to 1000000"
                           : strcmp(key, "cpu.weight") == 0 ? "1 to 10000"
                           : strcmp(key, "pids.max") == 0   ? "a number or max"
                                                            : "a CPU or node list like 0-2,4");
    *out = strdup(norm);
    return *out ? 0 : box_fail(box, ENOMEM, "cgroup limit %s", key);
}

size_t cg_key_controller(const char *key)
{
    if (strncmp(key, "cgroup.", 7) == 0)
        return 0;
    return strcspn(key, ".");
}

static const struct cgroup_v1_twin {
    const char *key, *ctl;
} v1_twins[] = {
    {"memory.max", "memory"},  {"memory.swap.max", "memory"}, {"pids.max", "pids"},
    {"cpu.max", "cpu"},        {"cpu.weight", "cpu"},         {"cpuset.cpus", "cpuset"},
    {"cpuset.mems", "cpuset"},
};

const char *cg_v1_controller(const char *key)
{
    for (size_t i = 0; i < sizeof(v1_twins) / sizeof(v1_twins[0]); i++)
        if (strcmp(key, v1_twins[i].key) == 0)
            return v1_twins[i].ctl;
    return NULL;
}

static const char *recipe_value(const struct cgroup_recipe *r, const char *key)
{
    for (size_t i = 0; i < r->n_limits; i++)
        if (strcmp(r->limits[i].key, key) == 0)
            return r->limits[i].value;
    return NULL;
}

/* v1 limits memory+swap together: memsw = memory.max + memory.swap.max. */
static int v1_memsw(nsbox *box, const struct cgroup_recipe *r, const char *swap, char *out,
                    size_t size)
{
    const char *mem = recipe_value(r, "memory.max");
    if (strcmp(swap, "max") == 0) {
        snprintf(out, size, "-1");
        return 0;
    }
    if (!mem || strcmp(mem, "max") == 0)
        return box_invalid(box,
                           "cgroup limit memory.swap.max=%s: on cgroup v1 it needs a "
                           "memory.max limit too (v1 limits memory+swap together)",
                           swap);
    uint64_t m = strtoull(mem, NULL, 10), s = strtoull(swap, NULL, 10);
    snprintf(out, size, "%" PRIu64, m + s < m ? UINT64_MAX : m + s);
    return 0;
}

int cg_v1_translate(nsbox *box, const struct cgroup_recipe *r, const struct cg_limit *l,
                    struct cg_v1_write w[2])
{
    const char *k = l->key, *v = l->value;
    w[0].ctl = w[1].ctl = cg_v1_controller(k);
    if (!w[0].ctl)
        return box_invalid(box,
                           "cgroup limit %s: no cgroup v1 equivalent on this host (it has "
                           "cgroup v1 controllers; v1 takes memory.max, memory.swap.max, "
                           "pids.max, cpu.max, cpu.weight, cpuset.cpus, cpuset.mems)",
                           k);
    w[0].file = k;
    snprintf(w[0].value, sizeof(w[0].value), "%s", strcmp(v, "max") == 0 ? "-1" : v);
    if (strcmp(k, "pids.max") == 0 || strncmp(k, "cpuset.", 7) == 0) {
        snprintf(w[0].value, sizeof(w[0].value), "%s", v);
        return 1;
    }
    if (strcmp(k, "memory.max") == 0) {
        w[0].file = "memory.limit_in_bytes";
        return 1;
    }
    if (strcmp(k, "memory.swap.max") == 0) {
        w[0].file = "memory.memsw.limit_in_bytes";
        return v1_memsw(box, r, v, w[0].value, sizeof(w[0].value)) < 0 ? -EINVAL : 1;
    }
    if (strcmp(k, "cpu.weight") == 0) {
        /* systemd's mapping: weight 100 (the default) is 1024 shares. */
        unsigned long shares = strtoul(v, NULL, 10) * 1024 / 100;
        w[0].file = "cpu.shares";
        snprintf(w[0].value, sizeof(w[0].value), "%lu", shares < 2 ? 2 : shares);
        return 1;
    }
    /* cpu.max "QUOTA PERIOD": the period first, so that the quota is
     * checked against it. */
    const char *sp = strchr(v, ' ');
    w[0].file = "cpu.cfs_period_us";
    snprintf(w[0].value, sizeof(w[0].value), "%s", sp ? sp + 1 : "100000");
    w[1].file = "cpu.cfs_quota_us";
    snprintf(w[1].value, sizeof(w[1].value), "%.*s", (int)(sp ? sp - v : (long)strlen(v)), v);
    if (strcmp(w[1].value, "max") == 0)
        snprintf(w[1].value, sizeof(w[1].value), "-1");
    return 2;
}
