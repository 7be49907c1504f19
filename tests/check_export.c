/* check_export.c - unit tests for audit/export.c: spreadsheet-safe cells.
 *
 * Owns: the export suite.  (The packs end to end: tests/review_test.sh.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/export.h"
#include "audit/packkey.h"
#include "base/date.h"
#include "base/xlsx_read.h"
#include "tests.h"

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

START_TEST(test_pack_keys)
{
    struct packkey k1, k2;
    memset(&k1, 1, sizeof k1);
    memset(&k2, 2, sizeof k2);
    char a[PACKKEY_CHARS + 1], b[PACKKEY_CHARS + 1], c[PACKKEY_CHARS + 1];
    packkey_of(&k1, 0x1111111111111111ull, a);
    packkey_of(&k1, 0x1111111111111111ull, b);
    packkey_of(&k2, 0x1111111111111111ull, c);
    ck_assert_int_eq((int)strlen(a), PACKKEY_CHARS);
    ck_assert_int_eq(a[0], 'K');
    ck_assert_str_eq(a, b);        /* the same finding, the same key */
    ck_assert_str_ne(a, c);        /* another secret, another key */
    ck_assert_ptr_null(strstr(a, "1111111111111111"));
    uint64_t fps[3] = {0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull};
    struct packkey_map m;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(packkey_map_build(&m, &k1, fps, 3, &e), E_OK);
    uint64_t fp = 0;
    packkey_of(&k1, fps[2], b);
    ck_assert_int_eq(packkey_map_find(&m, &k1, b, &fp), 1);
    ck_assert_uint_eq(fp, fps[2]);
    b[3] = b[3] == '0' ? '1' : '0';
    ck_assert_int_eq(packkey_map_find(&m, &k1, b, &fp), 0);   /* one digit changed */
    ck_assert_int_eq(packkey_map_find(&m, &k1, c, &fp), 0);   /* another secret's key */
    char up[PACKKEY_CHARS + 3];
    snprintf(up, sizeof up, " %s ", a);
    for (char *q = up; *q; q++)
        *q = (char)(*q >= 'a' && *q <= 'f' ? *q - 32 : *q);
    ck_assert_int_eq(packkey_map_find(&m, &k1, up, &fp), 1);  /* case, spaces */
    ck_assert_uint_eq(fp, fps[0]);
    packkey_map_free(&m);
}
END_TEST

START_TEST(test_serial_dates)
{
    ck_assert_int_eq(xlsx_serial_date("46185", 0), date_from_ymd(2026, 6, 12));
    ck_assert_int_eq(xlsx_serial_date("46185.75", 0), date_from_ymd(2026, 6, 12));
    ck_assert_int_eq(xlsx_serial_date("44723", 1), date_from_ymd(2026, 6, 12));
    ck_assert_int_eq(xlsx_serial_date("1", 0), date_from_ymd(1900, 1, 1));
    ck_assert_int_eq(xlsx_serial_date("59", 0), date_from_ymd(1900, 2, 28));
    ck_assert_int_eq(xlsx_serial_date("61", 0), date_from_ymd(1900, 3, 1));
    ck_assert_int_eq(xlsx_serial_date("0", 0), -1);
    ck_assert_int_eq(xlsx_serial_date("2026-06-12", 0), -1);
    ck_assert_int_eq(xlsx_serial_date("", 0), -1);
}
END_TEST

Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_xl_put);
    tcase_add_test(tc, test_pack_keys);
    tcase_add_test(tc, test_serial_dates);
    suite_add_tcase(s, tc);
    return s;
}
