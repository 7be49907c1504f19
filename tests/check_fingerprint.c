/* check_fingerprint.c - unit tests for audit/fingerprint.c.
 *
 * Owns: the fingerprint suite: stable under row order and evidence text,
 * changed by every part of the key, field boundaries, the hex form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/fingerprint.h"
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
    struct flag a = mk(RID("E03_VEHICLE"), "HH006", "HK0006", "61010219800105101X",
                       "car\x1f" "A1\x1fprivate\x1f" "86000\x1e" "truck\x1f" "B2\x1fprivate\x1f" "5000\x1e");
    struct flag b = mk(RID("E03_VEHICLE"), "HH006", "HK0006", "61010219800105101X",
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
    struct flag base = mk(RID("E03_VEHICLE"), "HH006", "HK0006", "61010219800105101X", key);
    uint64_t f0 = review_fingerprint(&base);
    struct flag v[6];
    for (int i = 0; i < 6; i++)
        v[i] = base;
    v[0].rule = RID("E05_COMMERCIAL_PROPERTY");
    v[1].household_id = "HH007";
    v[2].hukou_no = "HK0007";
    v[3].id_no = "610102198001051011";
    v[4].evkey = "car\x1f" "A1\x1fprivate\x1f" "96000\x1e";      /* dearer */
    v[5].evkey = "car\x1f" "A1\x1fprivate\x1f" "86000\x1e" "car\x1f" "C3\x1fprivate\x1f" "1\x1e";
    for (int i = 0; i < 6; i++)
        ck_assert_msg(review_fingerprint(&v[i]) != f0, "part %d does not change the fingerprint", i);
    /* field boundaries matter: "ab"+"c" is not "a"+"bc" */
    struct flag x = mk(RID("E03_VEHICLE"), "ab", "c", "", ""), y = mk(RID("E03_VEHICLE"), "a", "bc", "", "");
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

START_TEST(test_fp_many_items)
{
    /* more than 128 key items: still deterministic, and every item counts */
    static char key[200 * 8 + 1], key2[200 * 8 + 1];
    char *p = key;
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "it%04d\x1e", i);
    memcpy(key2, key, sizeof key);
    key2[190 * 7 + 2] = 'X';   /* an item beyond the 128th */
    struct flag a = mk(RID("E04_MULTI_HOUSING"), "HH1", "HK1", "", key), b = mk(RID("E04_MULTI_HOUSING"), "HH1", "HK1", "", key);
    struct flag c = mk(RID("E04_MULTI_HOUSING"), "HH1", "HK1", "", key2);
    ck_assert_uint_eq(review_fingerprint(&a), review_fingerprint(&b));
    ck_assert_uint_ne(review_fingerprint(&a), review_fingerprint(&c));
    /* no evidence key at all is a key too */
    struct flag d = mk(RID("E04_MULTI_HOUSING"), "HH1", "HK1", "", NULL), f = mk(RID("E04_MULTI_HOUSING"), "HH1", "HK1", "", "");
    ck_assert_uint_eq(review_fingerprint(&d), review_fingerprint(&f));
    ck_assert_uint_ne(review_fingerprint(&d), 0);
}
END_TEST

Suite *fingerprint_suite(void)
{
    Suite *s = suite_create("fingerprint");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fp_stable_and_order_free);
    tcase_add_test(tc, test_fp_changes_with_every_part);
    tcase_add_test(tc, test_fp_hex_roundtrip);
    tcase_add_test(tc, test_fp_many_items);
    suite_add_tcase(s, tc);
    return s;
}
