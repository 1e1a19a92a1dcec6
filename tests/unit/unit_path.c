/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of path_normalize (recipe/mount_recipe.c), behind every mount
 * destination and the root: lexical, so ".." never climbs above "/". */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mount.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *in, *want;
} cases[] = {
    {"/", "/"},
    {"//", "/"},
    {"", "/"},
    {"/a", "/a"},
    {"/a/", "/a"},
    {"/a//b", "/a/b"},
    {"/a/./b", "/a/b"},
    {"/a/b/.", "/a/b"},
    {"/./", "/"},
    {"/a//b/./c/../d", "/a/b/d"},
    {"/..", "/"},
    {"/../..", "/"},
    {"/../../etc", "/etc"},
    {"/a/../..", "/"},
    {"/a/b/../../../c", "/c"},
    {"/a/b/..", "/a"},
    {"/a/..b", "/a/..b"}, /* a name that starts with ".." */
    {"/a/b..", "/a/b.."},
    {"/a/...", "/a/..."}, /* "..." is a name */
    {"/.hidden/.x", "/.hidden/.x"},
    {"a/b", "/a/b"}, /* relative: the builder refuses it before */
    {"/a/b/c/d/../../../../..", "/"},
    {"///usr///lib//", "/usr/lib"},
};

START_TEST(normalize)
{
    char *got = path_normalize(cases[_i].in);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(strcmp(got, cases[_i].want) == 0, "\"%s\" -> \"%s\", want \"%s\"", cases[_i].in,
                  got, cases[_i].want);
    free(got);
}
END_TEST

/* The result never holds "//", "/./", "/../" or a trailing "/", and fits
 * in the input's length + 1, for every short path of '/', '.' and 'a'. */
START_TEST(normalize_exhaustive)
{
    static const char alphabet[] = "/.a";
    char in[9];
    for (size_t len = 0; len < sizeof(in); len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= 3;
        for (size_t k = 0; k < total; k++) {
            size_t v = k;
            for (size_t i = 0; i < len; i++, v /= 3)
                in[i] = alphabet[v % 3];
            in[len] = '\0';
            char *got = path_normalize(in);
            ck_assert_ptr_nonnull(got);
            size_t n = strlen(got);
            ck_assert_msg(got[0] == '/' && n <= len + 1, "\"%s\" -> \"%s\"", in, got);
            ck_assert_msg(!strstr(got, "//") && !strstr(got, "/./") && !strstr(got, "/../") &&
                              (n == 1 || got[n - 1] != '/'),
                          "\"%s\" -> \"%s\"", in, got);
            ck_assert_msg(strcmp(got, "/..") != 0 && strcmp(got, "/.") != 0 &&
                              (n < 3 || strcmp(got + n - 3, "/..") != 0) &&
                              (n < 2 || strcmp(got + n - 2, "/.") != 0),
                          "\"%s\" -> \"%s\"", in, got);
            /* idempotent */
            char *again = path_normalize(got);
            ck_assert_str_eq(again, got);
            free(again);
            free(got);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit_path");
    TCase *tc = tcase_create("path_normalize");
    tcase_add_loop_test(tc, normalize, 0, (int)N(cases));
    tcase_add_test(tc, normalize_exhaustive);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
