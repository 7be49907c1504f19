/* check_csvread.c - unit tests for base/csvread.c.
 *
 * Owns: the csvread suite: quotes, doubled quotes and line breaks inside
 * quotes, CRLF and LF, a BOM, blank lines, line numbers, an unterminated
 * quote, GB18030 decoding, headers.  Files only in a private temporary
 * directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/csvread.h"
#include "tests.h"

static char dir[64], path[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hedui-check-csvread-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a.csv", dir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
}

static void put(const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_records)
{
    put("\xEF\xBB\xBF" "a,b,c\r\n\r\n1,\"x,\"\"y\"\"\nz\",3\r\nlast,,\n");
    struct csvr r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(r.had_bom, 1);
    ck_assert_int_eq(r.encoding_gb18030, 0);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(r.n_field, 3);
    ck_assert_str_eq(r.field[0], "a");   /* the BOM is not part of the first name */
    ck_assert_int_eq(csvr_col(&r, "c"), 2);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(r.rec_line, 3);       /* the blank line 2 is no record */
    ck_assert_str_eq(r.field[0], "1");
    ck_assert_str_eq(r.field[1], "x,\"y\"\nz");
    ck_assert_str_eq(r.field[2], "3");
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(r.rec_line, 5);       /* the quoted line break counted */
    ck_assert_int_eq(r.n_field, 3);
    ck_assert_str_eq(r.field[1], "");
    ck_assert_str_eq(r.field[2], "");
    ck_assert_str_eq(csvr_field(&r, 0), "last");
    ck_assert_str_eq(csvr_field(&r, 3), "");    /* past the record */
    ck_assert_str_eq(csvr_field(&r, -1), "");
    ck_assert_int_eq(csvr_next(&r, &e), 0);
    ck_assert_int_eq(csvr_next(&r, &e), 0);
    ck_assert_int_eq(e.code, E_OK);
    csvr_close(&r);
}
END_TEST

START_TEST(test_cr_and_last_line)
{
    /* a CR not followed by LF is data; no line end after the last record */
    put("a,b\nx\ry,\"q\"tail\n\"\",z");
    struct csvr r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(r.had_bom, 0);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_str_eq(r.field[0], "x\ry");
    ck_assert_str_eq(r.field[1], "qtail");   /* text after a closing quote is kept */
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(r.rec_line, 3);
    ck_assert_str_eq(r.field[0], "");
    ck_assert_str_eq(r.field[1], "z");
    ck_assert_int_eq(csvr_next(&r, &e), 0);
    csvr_close(&r);
}
END_TEST

START_TEST(test_unterminated_quote)
{
    put("a\n\"open\nmore\n");
    struct csvr r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(csvr_next(&r, &e), -1);
    ck_assert_int_eq(e.code, E_PARSE);
    ck_assert_int_eq(e.in_line, 2);
    ck_assert_str_eq(e.in_path, path);
    ck_assert_ptr_nonnull(strstr(e.msg, "opened on line 2"));
    csvr_close(&r);
}
END_TEST

START_TEST(test_encodings)
{
    /* GB18030 text is decoded */
    put("n\n\xd5\xc5\xc8\xfd\n");   /* 张三 */
    struct csvr r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(r.encoding_gb18030, 1);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_str_eq(r.field[0], "\xe5\xbc\xa0\xe4\xb8\x89");
    csvr_close(&r);
    /* UTF-8 stays as it is */
    put("n\n\xe5\xbc\xa0\xe4\xb8\x89\n");
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(r.encoding_gb18030, 0);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_str_eq(r.field[0], "\xe5\xbc\xa0\xe4\xb8\x89");
    csvr_close(&r);
    /* neither: kept as read, no error (the caller checks each field) */
    put("n\nab\xff\n");
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(e.code, E_OK);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_str_eq(r.field[0], "ab\xff");
    csvr_close(&r);
}
END_TEST

START_TEST(test_open_errors)
{
    struct csvr r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_NOINPUT);   /* not written yet */
    ck_assert_ptr_nonnull(strstr(e.msg, "does not exist"));
}
END_TEST

START_TEST(test_header)
{
    put(" b ,a,extra\n1,2,3\n");
    struct csvr r;
    struct err e;
    err_init(&e);
    static const char *const names[] = {"a", "b", "c", "d"};
    int col[4];
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(csvr_header(&r, names, 4, 2, col, &e), E_OK);
    ck_assert_int_eq(col[0], 1);
    ck_assert_int_eq(col[1], 0);   /* spaces around a header cell do not count */
    ck_assert_int_eq(col[2], -1);
    ck_assert_int_eq(col[3], -1);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_str_eq(csvr_field(&r, col[0]), "2");
    ck_assert_str_eq(csvr_field(&r, col[2]), "");
    csvr_close(&r);
    /* required names missing: all of them named, at line 1 */
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(csvr_header(&r, names, 4, 4, col, &e), E_PARSE);
    ck_assert_str_eq(e.msg, "missing column(s): c, d");
    ck_assert_int_eq(e.in_line, 1);
    csvr_close(&r);
    /* an empty file has no header */
    put("\n\n");
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(csvr_header(&r, names, 4, 0, col, &e), E_PARSE);
    ck_assert_str_eq(e.msg, "empty file: no header row");
    csvr_close(&r);
}
END_TEST

START_TEST(test_many_fields)
{
    /* more than 1024 fields: the first 1024 are kept */
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 1100; i++)
        fprintf(f, "%s%d", i ? "," : "", i);
    fputc('\n', f);
    ck_assert_int_eq(fclose(f), 0);
    struct csvr r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    ck_assert_int_eq(csvr_next(&r, &e), 1);
    ck_assert_int_eq(r.n_field, 1024);
    ck_assert_str_eq(r.field[1023], "1023");
    csvr_close(&r);
}
END_TEST

/* csvr_more: every record once, then 0 with E_OK at the end; an error
 * ends the loop with its code; a status already set reads nothing. */
START_TEST(test_more_loop)
{
    put("h\n1\n2\n\"3\n");
    struct csvr r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    int st = E_OK, n = 0;
    while (csvr_more(&r, &st, &e))
        n++;
    ck_assert_int_eq(n, 3);                  /* h, 1, 2 */
    ck_assert_int_eq(st, E_PARSE);           /* the unterminated quote of line 4 */
    ck_assert_int_eq(e.code, E_PARSE);
    csvr_close(&r);
    put("h\n1\n");
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    st = E_OK;
    n = 0;
    while (csvr_more(&r, &st, &e))
        n++;
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(st, E_OK);
    ck_assert_int_eq(csvr_more(&r, &st, &e), 0);   /* stays at the end */
    csvr_close(&r);
    err_init(&e);
    ck_assert_int_eq(csvr_open(&r, path, &e), E_OK);
    st = E_NOMEM;                                  /* stopped before: nothing read */
    ck_assert_int_eq(csvr_more(&r, &st, &e), 0);
    ck_assert_int_eq(st, E_NOMEM);
    ck_assert_int_eq(csvr_next(&r, &e), 1);        /* the first record is still there */
    ck_assert_str_eq(r.field[0], "h");
    csvr_close(&r);
}
END_TEST

Suite *csvread_suite(void)
{
    Suite *s = suite_create("csvread");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_records);
    tcase_add_test(tc, test_cr_and_last_line);
    tcase_add_test(tc, test_unterminated_quote);
    tcase_add_test(tc, test_encodings);
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_header);
    tcase_add_test(tc, test_many_fields);
    tcase_add_test(tc, test_more_loop);
    suite_add_tcase(s, tc);
    return s;
}
