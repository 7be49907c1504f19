/* check_mask.c - unit tests for the outsiders' masking (base/idmask.h:
 * idmask_value, idmask_text), the cases export packs and report.html meet.
 *
 * Owns: the mask suite: the first 6 and last 4 characters kept, short IDs
 * masked whole, full-width characters, IDs inside free text, bytes that
 * are not UTF-8, and a short output buffer that never shows more.
 */
#include <stdio.h>
#include <string.h>

#include "base/idmask.h"
#include "tests.h"

START_TEST(test_mask_id)
{
    char m[64];
    idmask_value("610102198001051234", m, sizeof m);
    ck_assert_str_eq(m, "610102********1234");
    idmask_value("61010219800105123X", m, sizeof m);
    ck_assert_str_eq(m, "610102********123X");
    idmask_value("610102800105123", m, sizeof m);       /* 15 digits */
    ck_assert_str_eq(m, "610102*****5123");
    idmask_value("12345", m, sizeof m);                 /* short: all masked */
    ck_assert_str_eq(m, "*****");
    idmask_value("", m, sizeof m);
    ck_assert_str_eq(m, "");
    /* full-width characters count as one each */
    idmask_value("\xef\xbc\x96\xef\xbc\x91" "0102198001051234", m, sizeof m);
    ck_assert_str_eq(m, "\xef\xbc\x96\xef\xbc\x91" "0102********1234");
}
END_TEST

START_TEST(test_mask_in_text)
{
    char m[256];
    idmask_text("members: id_no '610102198001051239' is invalid (line 12345678)", m,
                     sizeof m);
    ck_assert_str_eq(m, "members: id_no '610102********1239' is invalid (line 12345678)");
    idmask_text("x 61010219800105123x y", m, sizeof m);
    ck_assert_str_eq(m, "x 610102********123x y");
    idmask_text("value 86000.00 > 30000 on 2026-06-15", m, sizeof m);
    ck_assert_str_eq(m, "value 86000.00 > 30000 on 2026-06-15");
}
END_TEST

START_TEST(test_mask_edges)
{
    char m[64];
    /* 14 characters: all masked; 15: masked as an ID */
    idmask_value("61010219800105", m, sizeof m);
    ck_assert_str_eq(m, "**************");
    /* a byte that is not UTF-8 (which the loader rejects before any list
     * is written) never uncovers a digit: the first 6 and last 4 only */
    idmask_value("6101021\xff" "8001051234", m, sizeof m);
    ck_assert(strncmp(m, "610102", 6) == 0 && strlen(m) > 10);
    ck_assert_str_eq(m + strlen(m) - 4, "1234");
    ck_assert(strpbrk(m + 6, "0123456789") == m + strlen(m) - 4);
    idmask_value("\xe5\xbc" "0102198001051234", m, sizeof m);   /* a truncated lead */
    int digits = 0;
    for (const char *q = m; *q; q++)
        digits += *q >= '0' && *q <= '9';
    ck_assert_int_eq(digits, 10);   /* 6 kept at the front, 4 at the end, no more */
    ck_assert_str_eq(m + strlen(m) - 4, "1234");
    /* a short buffer cuts the tail, never keeps a masked character */
    char small[10];
    idmask_value("610102198001051234", small, sizeof small);
    ck_assert(strlen(small) < sizeof small);
    ck_assert(strpbrk(small + 6, "0123456789") == NULL);   /* never a 7th digit */
    idmask_value("610102198001051234", small, 1);
    ck_assert_str_eq(small, "");
    /* text: full-width digits and X form a run; 14 digits stay; two IDs */
    idmask_text("a \xef\xbc\x96\xef\xbc\x91" "010219800105123\xef\xbc\xb8 b", m, sizeof m);
    ck_assert_str_eq(m, "a \xef\xbc\x96\xef\xbc\x91" "0102********123\xef\xbc\xb8 b");
    idmask_text("12345678901234 and 610102198001051234,610102198001051235", m, sizeof m);
    ck_assert_str_eq(m, "12345678901234 and 610102********1234,610102********1235");
    /* a cut text never ends with an unmasked part of an ID */
    idmask_text("id 610102198001051234", small, sizeof small);
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
