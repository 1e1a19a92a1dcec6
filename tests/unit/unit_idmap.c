/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the id maps: idmap_parse (parent/idmap.c), which reads a
 * joined user namespace's /proc/PID/uid_map, and the checks of
 * nsbox_add_uid_map/nsbox_add_gid_map (recipe/box.c) on the ranges kept. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "idmap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(parse_kernel_format)
{
    /* as the kernel prints it: "%10u %10u %10u\n" */
    const char *text = "         0       1000          1\n"
                       "         1     100000      65536\n"
                       "     65537 4294967295          1\n";
    struct idmap_range r[4];
    ck_assert_uint_eq(idmap_parse(text, r, N(r)), 3);
    ck_assert_uint_eq(r[0].inside, 0);
    ck_assert_uint_eq(r[0].outside, 1000);
    ck_assert_uint_eq(r[0].count, 1);
    ck_assert_uint_eq(r[1].inside, 1);
    ck_assert_uint_eq(r[1].outside, 100000);
    ck_assert_uint_eq(r[1].count, 65536);
    /* an outside id the reader cannot see reads as 4294967295 */
    ck_assert_uint_eq(r[2].outside, 4294967295u);
}
END_TEST

START_TEST(parse_skips_bad_lines)
{
    const char *text = "0 1000 1\n"
                       "garbage\n"
                       "1 2\n"            /* two fields */
                       "2 4294967296 1\n" /* past 32 bits */
                       "3 -5 1\n"         /* sscanf's %u took this as 4294967291 */
                       "4 99999999999999999999 1\n"
                       "5 5000 2 extra\n" /* trailing text */
                       "\n"
                       "6 6000 3"; /* no newline at the end */
    struct idmap_range r[8];
    ck_assert_uint_eq(idmap_parse(text, r, N(r)), 2);
    ck_assert_uint_eq(r[0].inside, 0);
    ck_assert_uint_eq(r[1].inside, 6);
    ck_assert_uint_eq(r[1].outside, 6000);
    ck_assert_uint_eq(r[1].count, 3);
}
END_TEST

START_TEST(parse_stops_at_max)
{
    struct idmap_range r[2];
    ck_assert_uint_eq(idmap_parse("0 0 1\n1 1 1\n2 2 1\n", r, N(r)), 2);
    ck_assert_uint_eq(idmap_parse("", r, N(r)), 0);
}
END_TEST

/* nsbox_add_uid_map: what a map may hold. inside, outside, count, and
 * whether it is accepted after the range {1000, 100000, 10} is in. */
static const struct {
    uint32_t in, out, count;
    bool ok;
} adds[] = {
    {0, 0, 1, true},
    {1010, 100010, 5, true},    /* adjacent both sides */
    {990, 99990, 10, true},     /* adjacent below */
    {1009, 200000, 1, false},   /* overlaps inside */
    {0, 100009, 1, false},      /* overlaps outside */
    {500, 99995, 10, false},    /* outside range straddles */
    {0, 0, 0, false},           /* empty */
    {4294967295u, 0, 1, false}, /* -1 is not an id */
    {0, 4294967294u, 2, false}, /* past the id range */
    {4294967294u, 5, 1, true},  /* the last id */
    {2000, 3000, 4294967295u, false},
};

START_TEST(add_map_checks)
{
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_uid_map(box, 1000, 100000, 10), 0);
    int r = nsbox_add_uid_map(box, adds[_i].in, adds[_i].out, adds[_i].count);
    if (adds[_i].ok) {
        ck_assert_msg(r == 0, "%u %u %u: %s", adds[_i].in, adds[_i].out, adds[_i].count,
                      nsbox_errmsg(box));
        ck_assert_uint_eq(box->uid_map.n, 2);
    } else {
        ck_assert_int_eq(r, -EINVAL);
        ck_assert_uint_eq(box->uid_map.n, 1);
        /* the message names the map and the range */
        char want[64];
        snprintf(want, sizeof(want), "uid map %u %u %u", adds[_i].in, adds[_i].out, adds[_i].count);
        ck_assert_msg(strstr(nsbox_errmsg(box), want), "%s", nsbox_errmsg(box));
    }
    /* the gid map is apart */
    ck_assert_uint_eq(box->gid_map.n, 0);
    nsbox_free(box);
}
END_TEST

START_TEST(add_map_limit)
{
    nsbox *box = nsbox_new();
    for (uint32_t i = 0; i < 340; i++)
        ck_assert_int_eq(nsbox_add_gid_map(box, i, i, 1), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, 340, 340, 1), -EINVAL);
    ck_assert_ptr_nonnull(strstr(nsbox_errmsg(box), "340"));
    ck_assert_uint_eq(box->gid_map.n, 340);
    nsbox_free(box);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit_idmap");
    TCase *tc = tcase_create("idmap");
    tcase_add_test(tc, parse_kernel_format);
    tcase_add_test(tc, parse_skips_bad_lines);
    tcase_add_test(tc, parse_stops_at_max);
    tcase_add_loop_test(tc, add_map_checks, 0, (int)N(adds));
    tcase_add_test(tc, add_map_limit);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
