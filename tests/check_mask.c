/* check_mask.c - unit tests for audit/mask.c.
 *
 * Owns: the mask suite: the first 6 and last 4 characters kept, short IDs
 * masked whole, full-width characters, IDs inside free text, bytes that
 * are not UTF-8, and a short output buffer that never shows more.
 */
#include <stdio.h>
#include <string.h>

#include "audit/mask.h"
#include "tests.h"

START_TEST(test_mask_id)
{
    char m[64];
    mask_id("610102198001051234", m, sizeof m);
    ck_assert_str_eq(m, "610102********1234");
    mask_id("61010219800105123X", m, sizeof m);
    ck_assert_str_eq(m, "610102********123X");
    mask_id("610102800105123", m, sizeof m);       /* 15 digits */
    ck_assert_str_eq(m, "610102*****5123");
    mask_id("12345", m, sizeof m);                 /* short: all masked */
    ck_assert_str_eq(m, "*****");
    mask_id("", m, sizeof m);
    ck_assert_str_eq(m, "");
    /* full-width characters count as one each */
    mask_id("\xef\xbc\x96\xef\xbc\x91" "0102198001051234", m, sizeof m);
    ck_assert_str_eq(m, "\xef\xbc\x96\xef\xbc\x91" "0102********1234");
}
END_TEST

START_TEST(test_mask_in_text)
{
    char m[256];
    mask_ids_in_text("members: id_no '610102198001051239' is invalid (line 12345678)", m,
                     sizeof m);
    ck_assert_str_eq(m, "members: id_no '610102********1239' is invalid (line 12345678)");
    mask_ids_in_text("x 61010219800105123x y", m, sizeof m);
    ck_assert_str_eq(m, "x 610102********123x y");
    mask_ids_in_text("value 86000.00 > 30000 on 2026-06-15", m, sizeof m);
    ck_assert_str_eq(m, "value 86000.00 > 30000 on 2026-06-15");
}
END_TEST

START_TEST(test_mask_edges)
{
    char m[64];
    /* 14 characters: all masked; 15: masked as an ID */
    mask_id("61010219800105", m, sizeof m);
    ck_assert_str_eq(m, "**************");
    /* a byte that is not UTF-8 is one character (here the 8th of 18) */
    mask_id("6101021\xff" "8001051234", m, sizeof m);
    ck_assert_str_eq(m, "610102********1234");
    mask_id("\xe5\xbc" "0102198001051234", m, sizeof m);   /* a truncated lead: 2 characters */
    ck_assert_str_eq(m, "\xe5\xbc" "0102********1234");
    /* a short buffer cuts the tail, never keeps a masked character */
    char small[10];
    mask_id("610102198001051234", small, sizeof small);
    ck_assert_str_eq(small, "61010");   /* room kept for a 4-byte character */
    mask_id("610102198001051234", small, 1);
    ck_assert_str_eq(small, "");
    /* text: full-width digits and X form a run; 14 digits stay; two IDs */
    mask_ids_in_text("a \xef\xbc\x96\xef\xbc\x91" "010219800105123\xef\xbc\xb8 b", m, sizeof m);
    ck_assert_str_eq(m, "a \xef\xbc\x96\xef\xbc\x91" "0102********123\xef\xbc\xb8 b");
    mask_ids_in_text("12345678901234 and 610102198001051234,610102198001051235", m, sizeof m);
    ck_assert_str_eq(m, "12345678901234 and 610102********1234,610102********1235");
    /* a cut text never ends with an unmasked part of an ID */
    mask_ids_in_text("id 610102198001051234", small, sizeof small);
    ck_assert_str_eq(small, "id 610102");
}
END_TEST

Suite *mask_suite(void)
{
    Suite *s = suite_create("mask");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mask_id);
    tcase_add_test(tc, test_mask_in_text);
    tcase_add_test(tc, test_mask_edges);
    suite_add_tcase(s, tc);
    return s;
}
