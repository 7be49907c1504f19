/* check_lists.c - unit tests for out/lists.c: CSV quoting and the list
 * renderers.
 *
 * Owns: the lists suite.  Tests through lists.h only: csv_put_value and
 * csv_put on every kind of value RFC 4180 treats differently; the lists of
 * the fixtures run rendered into memory (open_memstream) equal the golden
 * files byte for byte; extra flag columns.  The output directory's tests
 * are in check_outdir.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/lists.h"
#include "testkit.h"
#include "tests.h"

/* csv_put_value(s, guard) as a string (malloc'd) */
static char *put(const char *s, int guard)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    csv_put_value(f, s, guard);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

static const struct {
    const char *in;
    int guard;
    const char *out;
} cases[] = {
    {"", 0, ""},
    {"plain", 0, "plain"},
    {"张三 610102", 0, "张三 610102"},
    {"a,b", 0, "\"a,b\""},
    {"\"", 0, "\"\"\"\""},
    {"\"start", 0, "\"\"\"start\""},
    {"end\"", 0, "\"end\"\"\""},
    {"in\"\"side", 0, "\"in\"\"\"\"side\""},
    {"line\nbreak", 0, "\"line\nbreak\""},
    {"cr\rhere", 0, "\"cr\rhere\""},
    {"semi;colon 'apos'", 0, "semi;colon 'apos'"},
    {"=1+1", 1, "\"'=1+1\""},
    {"", 1, "\"'\""},
    {"a\"b,c", 1, "\"'a\"\"b,c\""},
    /* past the first 16 bytes (csv_put_value looks at 16 a step) */
    {"成员 110105********0021 人均收入 1234.56 元，超过标准 ok", 0,
     "成员 110105********0021 人均收入 1234.56 元，超过标准 ok"},
    {"a long field of more than sixteen bytes, then a quote \" at the end", 0,
     "\"a long field of more than sixteen bytes, then a quote \"\" at the end\""},
    {"a long field of more than sixteen bytes, then a line\nbreak", 0,
     "\"a long field of more than sixteen bytes, then a line\nbreak\""},
};

START_TEST(test_csv_put_value)
{
    char *got = put(cases[_i].in, cases[_i].guard);
    ck_assert_msg(strcmp(got, cases[_i].out) == 0, "case %d: [%s], want [%s]", _i, got,
                  cases[_i].out);
    free(got);
}
END_TEST

START_TEST(test_csv_put_separators)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    csv_put(f, "a", 0);
    csv_put(f, "b,c", 0);
    csv_put(f, "", 1);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_str_eq(buf, "a,\"b,c\",\n");
    free(buf);
}
END_TEST

/* The lists rendered into memory (open_memstream) equal the golden
 * files of the CLI run on fixtures/: the FILE * renderers are what the
 * output directory gets. */
static void same_as_file(const char *buf, size_t len, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/fixtures/expected/%s", test_root(), name);
    FILE *r = fopen(path, "rb");
    ck_assert_msg(r != NULL, "%s", path);
    char *want = malloc(len + 2);
    ck_assert_ptr_nonnull(want);
    size_t got = fread(want, 1, len + 1, r);
    fclose(r);
    ck_assert_msg(got == len && memcmp(want, buf, len) == 0, "%s differs (%zu vs %zu bytes)",
                  name, len, got);
    free(want);
}

START_TEST(test_render_in_memory)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/fixtures", test_root());
    struct tk_opts o = {.as_of = "2026-06-15", .seed_set = 1, .seed = 20260615};
    struct tk *tk = tk_run(dir, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    lists_flags(f, &tk->er, NULL, NULL, NULL);
    ck_assert_int_eq(fclose(f), 0);
    same_as_file(buf, len, "flags.csv");
    free(buf);
    f = open_memstream(&buf, &len);
    lists_queue(f, &tk->rk);
    ck_assert_int_eq(fclose(f), 0);
    same_as_file(buf, len, "review_queue.csv");
    free(buf);
    f = open_memstream(&buf, &len);
    lists_spot(f, &tk->rk);
    ck_assert_int_eq(fclose(f), 0);
    same_as_file(buf, len, "spotcheck.csv");
    free(buf);
    f = open_memstream(&buf, &len);
    lists_rejects(f, &tk->d);
    ck_assert_int_eq(fclose(f), 0);
    same_as_file(buf, len, "rejects.csv");
    free(buf);
    tk_free(tk);
}
END_TEST

static void extra_cols(FILE *f, size_t i, void *ctx)
{
    (void)ctx;
    char v[32];
    snprintf(v, sizeof v, "x%zu", i);
    csv_put(f, v, 1);
}

/* flags.csv with extra columns: the header gets them, every row ends in
 * its own. */
START_TEST(test_flags_extra)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/fixtures", test_root());
    struct tk_opts o = {.as_of = "2026-06-15", .seed_set = 1, .seed = 20260615};
    struct tk *tk = tk_run(dir, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    ck_assert_uint_gt(tk->er.n_flags, 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    lists_flags(f, &tk->er, ",extra", extra_cols, NULL);
    ck_assert_int_eq(fclose(f), 0);
    const char *head = "rule_id,kind,severity,household_id,hukou_no,id_no,region_code,"
                       "evidence,extra\n";
    ck_assert_int_eq(strncmp(buf, head, strlen(head)), 0);
    size_t lines = 0;
    for (char *p = buf; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    ck_assert_uint_eq(lines, tk->er.n_flags + 1);
    ck_assert_ptr_nonnull(strstr(buf, ",x0\n"));
    ck_assert_ptr_nonnull(strstr(buf, ",x1\n"));
    free(buf);
    tk_free(tk);
}
END_TEST

Suite *lists_suite(void)
{
    Suite *s = suite_create("lists");
    TCase *tc = tcase_create("csv");
    tcase_add_loop_test(tc, test_csv_put_value, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_csv_put_separators);
    tcase_add_test(tc, test_render_in_memory);
    tcase_add_test(tc, test_flags_extra);
    suite_add_tcase(s, tc);
    return s;
}
