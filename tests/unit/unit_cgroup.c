/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the cgroup limit tables and parsers (cgroup_limits.c,
 * cgroup.c): what nsbox_set_cgroup_limit accepts and how it normalizes it,
 * the cgroup v1 twin of each v2 limit, and the readers of cgroup files.
 * No cgroup is touched: these run anywhere, as any user. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_impl.h"
#include "cgroup_recipe.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* key, value, the normalized value (NULL: refused with -EINVAL). */
static const struct limit_case {
    const char *key, *value, *want;
} limits[] = {
    /* sizes: bytes, K/M/G/T in powers of 1024, either case, or max */
    {"memory.max", "0", "0"},
    {"memory.max", "1K", "1024"},
    {"memory.max", "1k", "1024"},
    {"memory.high", "2M", "2097152"},
    {"memory.low", "3G", "3221225472"},
    {"memory.swap.max", "1T", "1099511627776"},
    {"memory.max", "max", "max"},
    {"memory.max", "18446744073709551615", "18446744073709551615"},
    {"memory.max", "18446744073709551616", NULL}, /* 2^64 */
    {"memory.max", "16777216T", NULL},            /* 2^64 bytes */
    {"memory.max", "16777215T", "18446742974197923840"},
    {"memory.max", "1KB", NULL},
    {"memory.max", "1P", NULL},
    {"memory.max", "-1", NULL},
    {"memory.max", " 1", NULL},
    {"memory.max", "1 ", NULL},
    {"memory.max", "MAX", NULL},
    {"memory.max", "K", NULL},
    /* pids.max: a number or max */
    {"pids.max", "max", "max"},
    {"pids.max", "64", "64"},
    {"pids.max", "1.5", NULL},
    {"pids.max", "-1", NULL},
    /* cpu.max: "QUOTA [PERIOD]", quota >= 1000 or max, period 1000..1000000 */
    {"cpu.max", "max", "max"},
    {"cpu.max", "max 100000", "max 100000"},
    {"cpu.max", "1000", "1000"},
    {"cpu.max", "50000 100000", "50000 100000"},
    {"cpu.max", "1000 1000000", "1000 1000000"},
    {"cpu.max", "999", NULL},
    {"cpu.max", "1000 999", NULL},
    {"cpu.max", "1000 1000001", NULL},
    {"cpu.max", "1000  1000", NULL},
    {"cpu.max", "1000 ", NULL},
    {"cpu.max", "maxx", NULL},
    /* cpu.weight: 1 to 10000 */
    {"cpu.weight", "1", "1"},
    {"cpu.weight", "10000", "10000"},
    {"cpu.weight", "0", NULL},
    {"cpu.weight", "10001", NULL},
    {"cpu.weight", "4294967297", NULL}, /* 2^32 + 1: not 1 */
    {"cpu.weight", "+5", NULL},
    {"cpu.weight", "00100", "00100"}, /* the kernel reads it as 100 */
    /* cpuset lists */
    {"cpuset.cpus", "0", "0"},
    {"cpuset.cpus", "0-2,4", "0-2,4"},
    {"cpuset.mems", "1-1", "1-1"},
    {"cpuset.cpus", "3-1", NULL},
    {"cpuset.cpus", "0,", NULL},
    {"cpuset.cpus", ",0", NULL},
    {"cpuset.cpus", "0--1", NULL},
    {"cpuset.cpus.exclusive", "a", NULL},
    /* other files: any one-line value, the kernel checks it */
    {"io.max", "8:0 rbps=1048576", "8:0 rbps=1048576"},
    {"cgroup.max.depth", "2", "2"},
    {"cgroup.max.descendants", "10", "10"},
    {"io.max", "", NULL},
    {"io.max", "a\nb", NULL},
    /* keys: "controller.file" in [a-z0-9_.], at most 64 bytes, not a core file */
    {"memory", "1", NULL},
    {".max", "1", NULL},
    {"memory.", "1", NULL},
    {"Memory.max", "1", NULL},
    {"memory/../x.max", "1", NULL},
    {"cgroup.procs", "1", NULL},
    {"cgroup.subtree_control", "+memory", NULL},
    {"cgroup.kill", "1", NULL},
    {"abcdefghij.abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd", "1", NULL}, /* 65 */
    {"abcdefghij.abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc", "1", "1"},   /* 64 */
};

START_TEST(limit_normalize)
{
    const struct limit_case *c = &limits[_i];
    nsbox *box = nsbox_new();
    ck_assert_ptr_nonnull(box);
    char *out = NULL;
    int r = cg_limit_normalize(box, c->key, c->value, &out);
    if (c->want) {
        ck_assert_msg(r == 0, "%s=%s refused: %s", c->key, c->value, nsbox_errmsg(box));
        ck_assert_str_eq(out, c->want);
    } else {
        ck_assert_msg(r == -EINVAL, "%s=%s: %d (%s), want -EINVAL", c->key, c->value, r,
                      out ? out : "");
        ck_assert_ptr_null(out);
        /* the message names the key */
        ck_assert_msg(strstr(nsbox_errmsg(box), c->key), "%s", nsbox_errmsg(box));
    }
    free(out);
    nsbox_free(box);
}
END_TEST

/* The refused value appears in the message too (where it fits). */
START_TEST(limit_message_names_value)
{
    nsbox *box = nsbox_new();
    char *out = NULL;
    ck_assert_int_eq(cg_limit_normalize(box, "memory.max", "12Q", &out), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "memory.max=12Q"));
    nsbox_free(box);
}
END_TEST

START_TEST(key_controller)
{
    ck_assert_uint_eq(cg_key_controller("memory.max"), 6);
    ck_assert_uint_eq(cg_key_controller("memory.swap.max"), 6);
    ck_assert_uint_eq(cg_key_controller("cpuset.cpus"), 6);
    ck_assert_uint_eq(cg_key_controller("io.max"), 2);
    /* core files need no controller */
    ck_assert_uint_eq(cg_key_controller("cgroup.max.depth"), 0);
}
END_TEST

/* v2 key and value, the v1 writes (controller, file, value) expected. */
static const struct v1_case {
    const char *key, *value, *memory_max; /* memory.max in the same recipe */
    int n;
    const char *ctl, *file0, *value0, *file1, *value1;
} v1_cases[] = {
    {"memory.max", "1048576", NULL, 1, "memory", "memory.limit_in_bytes", "1048576", 0, 0},
    {"memory.max", "max", NULL, 1, "memory", "memory.limit_in_bytes", "-1", 0, 0},
    {"memory.swap.max", "1024", "2048", 1, "memory", "memory.memsw.limit_in_bytes", "3072", 0, 0},
    {"memory.swap.max", "max", NULL, 1, "memory", "memory.memsw.limit_in_bytes", "-1", 0, 0},
    {"memory.swap.max", "1", "18446744073709551615", 1, "memory", "memory.memsw.limit_in_bytes",
     "18446744073709551615", 0, 0}, /* saturates */
    {"memory.swap.max", "1024", NULL, -EINVAL, 0, 0, 0, 0, 0},
    {"memory.swap.max", "1024", "max", -EINVAL, 0, 0, 0, 0, 0},
    {"pids.max", "max", NULL, 1, "pids", "pids.max", "max", 0, 0},
    {"pids.max", "12", NULL, 1, "pids", "pids.max", "12", 0, 0},
    {"cpuset.cpus", "0-1", NULL, 1, "cpuset", "cpuset.cpus", "0-1", 0, 0},
    {"cpuset.mems", "0", NULL, 1, "cpuset", "cpuset.mems", "0", 0, 0},
    /* systemd's mapping: weight 100 is 1024 shares, at least 2 */
    {"cpu.weight", "100", NULL, 1, "cpu", "cpu.shares", "1024", 0, 0},
    {"cpu.weight", "1", NULL, 1, "cpu", "cpu.shares", "10", 0, 0},
    {"cpu.weight", "10000", NULL, 1, "cpu", "cpu.shares", "102400", 0, 0},
    /* the period first, then the quota checked against it */
    {"cpu.max", "50000 200000", NULL, 2, "cpu", "cpu.cfs_period_us", "200000", "cpu.cfs_quota_us",
     "50000"},
    {"cpu.max", "50000", NULL, 2, "cpu", "cpu.cfs_period_us", "100000", "cpu.cfs_quota_us",
     "50000"},
    {"cpu.max", "max", NULL, 2, "cpu", "cpu.cfs_period_us", "100000", "cpu.cfs_quota_us", "-1"},
    {"cpu.max", "max 10000", NULL, 2, "cpu", "cpu.cfs_period_us", "10000", "cpu.cfs_quota_us",
     "-1"},
    /* no v1 twin */
    {"io.max", "8:0 rbps=1", NULL, -EINVAL, 0, 0, 0, 0, 0},
    {"memory.high", "1024", NULL, -EINVAL, 0, 0, 0, 0, 0},
};

START_TEST(v1_translate)
{
    const struct v1_case *c = &v1_cases[_i];
    nsbox *box = nsbox_new();
    struct cg_limit lim[2] = {{(char *)c->key, (char *)c->value}};
    struct cgroup_recipe r = {.limits = lim, .n_limits = 1};
    if (c->memory_max)
        lim[r.n_limits++] = (struct cg_limit){"memory.max", (char *)c->memory_max};
    struct cg_v1_write w[2];
    memset(w, 0, sizeof(w));
    int n = cg_v1_translate(&box->err, &r, &lim[0], w);
    ck_assert_msg(n == c->n, "%s=%s: %d writes (%s), want %d", c->key, c->value, n,
                  nsbox_errmsg(box), c->n);
    if (n < 0) {
        ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), c->key));
    } else {
        ck_assert_str_eq(w[0].ctl, c->ctl);
        ck_assert_str_eq(w[0].file, c->file0);
        ck_assert_str_eq(w[0].value, c->value0);
        ck_assert_str_eq(cg_v1_controller(c->key), c->ctl);
    }
    if (n == 2) {
        ck_assert_str_eq(w[1].ctl, c->ctl);
        ck_assert_str_eq(w[1].file, c->file1);
        ck_assert_str_eq(w[1].value, c->value1);
    }
    nsbox_free(box);
}
END_TEST

/* Every limit v1 can take is one the builder accepts, and translates. */
START_TEST(v1_twins_accepted)
{
    static const char *const keys[] = {"memory.max", "memory.swap.max", "pids.max",   "cpu.max",
                                       "cpu.weight", "cpuset.cpus",     "cpuset.mems"};
    static const char *const values[] = {"4096", "max", "8", "max", "100", "0", "0"};
    for (size_t i = 0; i < N(keys); i++) {
        nsbox *box = nsbox_new();
        char *out = NULL;
        ck_assert_int_eq(cg_limit_normalize(box, keys[i], values[i], &out), 0);
        ck_assert_ptr_nonnull(cg_v1_controller(keys[i]));
        struct cg_limit l = {(char *)keys[i], out};
        struct cgroup_recipe r = {.limits = &l, .n_limits = 1};
        struct cg_v1_write w[2];
        ck_assert_int_gt(cg_v1_translate(&box->err, &r, &l, w), 0);
        free(out);
        nsbox_free(box);
    }
}
END_TEST

START_TEST(keyed)
{
    const char *text = "populated 1\nfrozen 0\nlow 3\nhigh 4\nmax 18446744073709551615\noom 7\n";
    ck_assert_uint_eq(cg_keyed(text, "populated"), 1);
    ck_assert_uint_eq(cg_keyed(text, "frozen"), 0);
    ck_assert_uint_eq(cg_keyed(text, "oom"), 7);
    ck_assert_uint_eq(cg_keyed(text, "max"), UINT64_MAX);
    /* a whole key only: "oom_kill" is not "oom", "pop" is not "populated" */
    ck_assert_uint_eq(cg_keyed("oom_kill 5\noom 2", "oom"), 2);
    ck_assert_uint_eq(cg_keyed(text, "pop"), 0);
    ck_assert_uint_eq(cg_keyed("", "oom"), 0);
    ck_assert_uint_eq(cg_keyed("oom 9", "oom"), 9); /* no trailing newline */
}
END_TEST

START_TEST(list_has)
{
    ck_assert(cg_list_has("cpu io memory pids\n", "memory"));
    ck_assert(cg_list_has("cpu,cpuacct", "cpuacct"));
    ck_assert(cg_list_has("cpu,cpuacct", "cpu"));
    ck_assert(!cg_list_has("cpuset io", "cpu"));
    ck_assert(!cg_list_has("cpu io", "cpuset"));
    ck_assert(!cg_list_has("", "cpu"));
}
END_TEST

START_TEST(parent_path)
{
    char *p = cg_parent_path("/user.slice/a", NULL);
    ck_assert_str_eq(p, "/user.slice/a");
    free(p);
    p = cg_parent_path("/user.slice/a", "/abs/b");
    ck_assert_str_eq(p, "/abs/b");
    free(p);
    p = cg_parent_path("/user.slice/a", "b/c");
    ck_assert_str_eq(p, "/user.slice/a/b/c");
    free(p);
    p = cg_parent_path("/", "b");
    ck_assert_str_eq(p, "/b");
    free(p);
    p = cg_join("/sys/fs/cgroup/", "/x");
    ck_assert_str_eq(p, "/sys/fs/cgroup/x");
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit_cgroup");
    TCase *tc = tcase_create("limits");
    tcase_add_loop_test(tc, limit_normalize, 0, (int)N(limits));
    tcase_add_test(tc, limit_message_names_value);
    tcase_add_test(tc, key_controller);
    tcase_add_loop_test(tc, v1_translate, 0, (int)N(v1_cases));
    tcase_add_test(tc, v1_twins_accepted);
    tcase_add_test(tc, keyed);
    tcase_add_test(tc, list_has);
    tcase_add_test(tc, parent_path);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
