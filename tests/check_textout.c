/* check_textout.c - unit tests for base/textout.c: JSON strings, the
 * growable string, and CSV fields into it under each quoting (csv_put's
 * quoting is also tested in check_lists.c, through the writers that use
 * it).
 *
 * Owns: the textout suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textout.h"
#include "tests.h"

static char *json(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    json_put_str(f, s);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

START_TEST(test_json_put_str)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", "\"\""},
        {"plain", "\"plain\""},
        {"q\"b\\s", "\"q\\\"b\\\\s\""},
        {"tab\tnl\ncr\r\x01\x1f", "\"tab\\u0009nl\\u000acr\\u000d\\u0001\\u001f\""},
        {"张三 \x7f", "\"张三 \x7f\""},   /* UTF-8 and DEL pass through */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = json(cases[i].in);
        ck_assert_str_eq(got, cases[i].out);
        free(got);
    }
}
END_TEST

START_TEST(test_strbuf)
{
    struct strbuf b = {0};
    struct err e;
    err_init(&e);
    strbuf_puts(&b, "");
    ck_assert_ptr_nonnull(b.p);
    ck_assert_str_eq(b.p, "");
    strbuf_puts(&b, "ab");
    strbuf_put(&b, "c\0d", 3);        /* bytes, NUL included */
    ck_assert_uint_eq(b.n, 5);
    ck_assert_int_eq(memcmp(b.p, "abc\0d", 6), 0);
    /* grows far past its first capacity, one byte at a time */
    strbuf_reset(&b);
    ck_assert_uint_eq(b.n, 0);
    ck_assert_str_eq(b.p, "");
    for (int i = 0; i < 100000; i++)
        strbuf_put(&b, i % 2 ? "y" : "x", 1);
    ck_assert_uint_eq(b.n, 100000);
    ck_assert_uint_eq(strlen(b.p), 100000);
    ck_assert_int_eq(b.p[99998], 'x');
    ck_assert_int_eq(b.p[99999], 'y');
    /* printf, short and longer than its stack buffer */
    strbuf_reset(&b);
    strbuf_printf(&b, "%d-%s", 42, "z");
    ck_assert_str_eq(b.p, "42-z");
    char long_s[2000];
    memset(long_s, 'L', sizeof long_s - 1);
    long_s[sizeof long_s - 1] = '\0';
    strbuf_printf(&b, "[%s]", long_s);
    ck_assert_uint_eq(b.n, 4 + 2 + 1999);
    ck_assert_int_eq(b.p[b.n - 1], ']');
    ck_assert_int_eq(strbuf_check(&b, "testing", &e), E_OK);
    /* out of memory is sticky and reported once, with what was going on */
    b.oom = 1;
    size_t before = b.n;
    strbuf_puts(&b, "more");
    ck_assert_uint_eq(b.n, before);
    ck_assert_int_eq(strbuf_check(&b, "testing", &e), E_NOMEM);
    ck_assert_str_eq(e.msg, "out of memory while testing");
    strbuf_free(&b);
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(b.n, 0);
}
END_TEST

START_TEST(test_strbuf_csv)
{
    static const struct {
        const char *in;
        size_t n;
        const char *needed, *edges, *always;
    } cases[] = {
        {"", 0, "", "", "\"\""},
        {"plain", 5, "plain", "plain", "\"plain\""},
        {"a,b", 3, "\"a,b\"", "\"a,b\"", "\"a,b\""},
        {"say \"hi\"", 8, "\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\""},
        {"\"", 1, "\"\"\"\"", "\"\"\"\"", "\"\"\"\""},
        {"l1\nl2", 5, "\"l1\nl2\"", "\"l1\nl2\"", "\"l1\nl2\""},
        {"cr\r", 3, "\"cr\r\"", "\"cr\r\"", "\"cr\r\""},
        {" lead", 5, " lead", "\" lead\"", "\" lead\""},
        {"trail\t", 6, "trail\t", "\"trail\t\"", "\"trail\t\""},
        {"in side", 7, "in side", "in side", "\"in side\""},
        {"张三", 6, "张三", "张三", "\"张三\""},
        {"cut,here", 3, "cut", "cut", "\"cut\""},   /* n bytes only */
    };
    struct strbuf b = {0};
    struct err e;
    err_init(&e);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *want[3] = {cases[i].needed, cases[i].edges, cases[i].always};
        for (int how = CSV_QUOTE_NEEDED; how <= CSV_QUOTE_ALWAYS; how++) {
            strbuf_reset(&b);
            strbuf_csv(&b, cases[i].in, cases[i].n, (enum csv_quoting)how);
            ck_assert_msg(b.p && strcmp(b.p, want[how]) == 0, "case %zu how %d: got [%s]", i,
                          how, b.p ? b.p : "(null)");
            /* quoted exactly when the field comes out starting with '"' */
            ck_assert_int_eq(csv_needs_quotes(cases[i].in, cases[i].n, (enum csv_quoting)how),
                             want[how][0] == '"');
        }
    }
    ck_assert_int_eq(strbuf_check(&b, "testing", &e), E_OK);
    strbuf_free(&b);
}
END_TEST

Suite *textout_suite(void)
{
    Suite *s = suite_create("textout");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_json_put_str);
    tcase_add_test(tc, test_strbuf);
    tcase_add_test(tc, test_strbuf_csv);
    suite_add_tcase(s, tc);
    return s;
}
