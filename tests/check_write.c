/* check_write.c - unit tests for write.c's CSV quoting and file buffers.
 *
 * Owns: the write suite.  Tests through write.h only: csv_put_value and
 * csv_put on every kind of value RFC 4180 treats differently, and more
 * files open at once than out_open keeps buffers for, each read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out/write.h"
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

/* An outdir in a fresh temporary directory (*dir, and out for its path). */
static void begin_out(char **dir, char *out, size_t out_size, struct outdir *od)
{
    *dir = tk_tmpdir();
    ck_assert_ptr_nonnull(*dir);
    snprintf(out, out_size, "%s/out", *dir);
    struct err e;
    err_init(&e);
    ck_assert_int_eq(out_begin(od, out, &e), E_OK);
}

static void end_out(char *dir, const char *out, struct outdir *od)
{
    out_abort(od);
    ck_assert_int_eq(rmdir(out), 0);
    tk_rmdir(dir);
}

/* od's file `name` holds exactly the lines "i-0" .. "i-(lines-1)". */
static void check_lines(const struct outdir *od, const char *name, int i, int lines)
{
    char path[1300], line[64], want[64];
    snprintf(path, sizeof path, "%s/%s", od->tmp, name);
    FILE *r = fopen(path, "r");
    ck_assert_ptr_nonnull(r);
    int l = 0;
    while (fgets(line, sizeof line, r)) {
        snprintf(want, sizeof want, "%d-%d\n", i, l);
        ck_assert_str_eq(line, want);
        l++;
    }
    ck_assert_int_eq(l, lines);
    fclose(r);
}

/* Six files open at once (out_open keeps buffers for four; the others
 * use stdio's own), written interleaved, each larger than one buffer. */
START_TEST(test_out_files_beyond_buffers)
{
    char *dir, out[1200];
    struct outdir od;
    begin_out(&dir, out, sizeof out, &od);
    struct err e;
    err_init(&e);
    enum { NF = 6, LINES = 120000 };
    FILE *f[NF];
    char name[NF][24];
    for (int i = 0; i < NF; i++) {
        snprintf(name[i], sizeof name[i], "f%d.csv", i);
        f[i] = out_open(&od, name[i], &e);
        ck_assert_ptr_nonnull(f[i]);
    }
    char v[32];
    for (int l = 0; l < LINES; l++)
        for (int i = 0; i < NF; i++) {
            snprintf(v, sizeof v, "%d-%d", i, l);
            csv_put(f[i], v, 1);
        }
    for (int i = NF - 1; i >= 0; i--)
        ck_assert_int_eq(out_close(f[i], &od, name[i], &e), E_OK);
    for (int i = 0; i < NF; i++)
        check_lines(&od, name[i], i, LINES);
    end_out(dir, out, &od);
}
END_TEST

/* Two threads opening, writing and closing files of one outdir at once
 * (as pipeline_publish_dir does): every file whole and its own. */
START_TEST(test_out_files_two_threads)
{
    char *dir, out[1200];
    struct outdir od;
    begin_out(&dir, out, sizeof out, &od);
    enum { NF = 12, LINES = 30000 };
    int ok[NF] = {0};
#pragma omp parallel for num_threads(2) schedule(dynamic, 1)
    for (int i = 0; i < NF; i++) {
        char name[24], v[32];
        struct err te;
        err_init(&te);
        snprintf(name, sizeof name, "t%d.csv", i);
        FILE *f = out_open(&od, name, &te);
        if (!f)
            continue;
        for (int l = 0; l < LINES; l++) {
            snprintf(v, sizeof v, "%d-%d", i, l);
            csv_put(f, v, 1);
        }
        ok[i] = out_close(f, &od, name, &te) == E_OK;
    }
    for (int i = 0; i < NF; i++) {
        ck_assert_msg(ok[i], "file %d", i);
        char name[24];
        snprintf(name, sizeof name, "t%d.csv", i);
        check_lines(&od, name, i, LINES);
    }
    for (int i = 0; i < OUT_MAX_BUFS; i++)
        ck_assert_ptr_null(od.buf_file[i]);   /* every buffer given back */
    end_out(dir, out, &od);
}
END_TEST

Suite *write_suite(void)
{
    Suite *s = suite_create("write");
    TCase *tc = tcase_create("csv");
    tcase_add_loop_test(tc, test_csv_put_value, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_csv_put_separators);
    tcase_add_test(tc, test_out_files_beyond_buffers);
    tcase_add_test(tc, test_out_files_two_threads);
    suite_add_tcase(s, tc);
    return s;
}
