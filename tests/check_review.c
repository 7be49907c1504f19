/* check_review.c - unit tests for review.c and export.c's pure parts:
 * fingerprints, ID masking, spreadsheet-safe cells.
 *
 * Owns: the review suite.  Files only in a private temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/export.h"
#include "audit/review.h"
#include "tests.h"

static struct flag mk(int rule, const char *hh, const char *hk, const char *id, const char *key)
{
    struct flag f;
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.household_id = hh;
    f.hukou_no = hk;
    f.id_no = id;
    f.region = "610102001001";
    f.unit_hukou_no = hk;
    f.evidence = "text that is not hashed (line 7)";
    f.evkey = key;
    return f;
}

START_TEST(test_fp_stable_and_order_free)
{
    struct flag a = mk(R_E03, "HH006", "HK0006", "61010219800105101X",
                       "car\x1f" "A1\x1fprivate\x1f" "86000\x1e" "truck\x1f" "B2\x1fprivate\x1f" "5000\x1e");
    struct flag b = mk(R_E03, "HH006", "HK0006", "61010219800105101X",
                       "truck\x1f" "B2\x1fprivate\x1f" "5000\x1e" "car\x1f" "A1\x1fprivate\x1f" "86000\x1e");
    ck_assert_uint_eq(review_fingerprint(&a), review_fingerprint(&b));
    b.evidence = "other text, other line numbers (line 900)";
    ck_assert_uint_eq(review_fingerprint(&a), review_fingerprint(&b));
    ck_assert_uint_ne(review_fingerprint(&a), 0);
}
END_TEST

START_TEST(test_fp_changes_with_every_part)
{
    const char *key = "car\x1f" "A1\x1fprivate\x1f" "86000\x1e";
    struct flag base = mk(R_E03, "HH006", "HK0006", "61010219800105101X", key);
    uint64_t f0 = review_fingerprint(&base);
    struct flag v[6];
    for (int i = 0; i < 6; i++)
        v[i] = base;
    v[0].rule = R_E05;
    v[1].household_id = "HH007";
    v[2].hukou_no = "HK0007";
    v[3].id_no = "610102198001051011";
    v[4].evkey = "car\x1f" "A1\x1fprivate\x1f" "96000\x1e";      /* dearer */
    v[5].evkey = "car\x1f" "A1\x1fprivate\x1f" "86000\x1e" "car\x1f" "C3\x1fprivate\x1f" "1\x1e";
    for (int i = 0; i < 6; i++)
        ck_assert_msg(review_fingerprint(&v[i]) != f0, "part %d does not change the fingerprint", i);
    /* field boundaries matter: "ab"+"c" is not "a"+"bc" */
    struct flag x = mk(R_E03, "ab", "c", "", ""), y = mk(R_E03, "a", "bc", "", "");
    ck_assert_uint_ne(review_fingerprint(&x), review_fingerprint(&y));
}
END_TEST

START_TEST(test_fp_hex_roundtrip)
{
    char hex[17];
    uint64_t v;
    review_fp_hex(0x00c0ffee12345678ull, hex);
    ck_assert_str_eq(hex, "00c0ffee12345678");
    ck_assert_int_eq(review_fp_parse(hex, &v), 0);
    ck_assert_uint_eq(v, 0x00c0ffee12345678ull);
    ck_assert_int_eq(review_fp_parse("00C0FFEE12345678", &v), 0);
    ck_assert_uint_eq(v, 0x00c0ffee12345678ull);
    ck_assert_int_eq(review_fp_parse("00c0ffee1234567", &v), -1);
    ck_assert_int_eq(review_fp_parse("00c0ffee123456789", &v), -1);
    ck_assert_int_eq(review_fp_parse("00c0ffee1234567g", &v), -1);
    ck_assert_int_eq(review_fp_parse("0000000000000000", &v), -1);
    ck_assert_int_eq(review_fp_parse("", &v), -1);
}
END_TEST

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

static char *render(void (*fn)(FILE *), size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    fn(f);
    fclose(f);
    return buf;
}

static void cells(FILE *f)
{
    xl_put(f, "=HYPERLINK(\"x\")", 1, 0);
    xl_put(f, "+1", 1, 0);
    xl_put(f, "-2", 1, 0);
    xl_put(f, "@SUM(A1)", 1, 0);
    xl_put(f, "\tx", 1, 0);
    xl_put(f, "\rx", 1, 0);
    xl_put(f, "a,b", 1, 0);
    xl_put(f, "plain", 1, 0);
    xl_put(f, "-5", 0, 1);
}

START_TEST(test_xl_put)
{
    size_t n;
    char *s = render(cells, &n);
    ck_assert_str_eq(s, "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-2\",\"'@SUM(A1)\",\"'\tx\","
                        "\"'\rx\",\"a,b\",plain,-5\r\n");
    free(s);
}
END_TEST

Suite *review_suite(void)
{
    Suite *s = suite_create("review");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fp_stable_and_order_free);
    tcase_add_test(tc, test_fp_changes_with_every_part);
    tcase_add_test(tc, test_fp_hex_roundtrip);
    tcase_add_test(tc, test_mask_id);
    tcase_add_test(tc, test_mask_in_text);
    tcase_add_test(tc, test_xl_put);
    suite_add_tcase(s, tc);
    return s;
}
