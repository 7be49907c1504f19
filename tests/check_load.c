/* check_load.c - unit tests for load.c (CSV in, rows out), with a few
 * through normalise.c (typed rows).
 *
 * Owns: the load suite: cases "load", "normalise" and "fastpath" (the
 * loader's fast path splits lines exactly as libcsv, on 200k random lines).
 * Every test writes its input into testkit's scratch directory (created and
 * removed by the fixture) and reads it back
 * through load_csv() with a recording row callback, or through
 * normalise_file() into a struct dataset.  Expected values follow the data
 * contract (doc/data-contract.md): lines are physical lines where
 * a record starts, the header is line 1.
 */
#include <csv.h>
#include <dirent.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "contract/idcard.h"
#include "engine/load.h"
#include "engine/normalise.h"
#include "base/num.h"
#include "tests.h"
#include "testkit.h"
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#define LIT(s) (s), (sizeof(s) - 1)

/* Each test writes its files into testkit's scratch directory. */
#define tmp_write tk_scratch_write
#define tmpdir tk_scratch

/* ---------- a recording row callback ---------- */

#define MAXR 16
#define MAXC 4

struct got {
    int n;
    long long line[MAXR];
    char val[MAXR][MAXC][256];
    int fail_at;   /* return E_DATA on this call (1-based); 0 never */
    int ncols;
};

static int record(void *ctx, const char *const *vals, const size_t *lens, long long line,
                  struct err *e)
{
    struct got *g = ctx;
    ck_assert_int_lt(g->n, MAXR);
    g->line[g->n] = line;
    for (int i = 0; i < g->ncols; i++) {
        ck_assert_uint_eq(strlen(vals[i]), lens[i]);   /* NUL-terminated, lens agree */
        ck_assert_uint_lt(lens[i], 256);
        memcpy(g->val[g->n][i], vals[i], lens[i] + 1);
    }
    g->n++;
    if (g->fail_at && g->n == g->fail_at)
        return ERR(e, E_DATA, "callback stops at row %d", g->n);
    return E_OK;
}

#define TFILE IN_HUKOU   /* any input file slot will do for load_csv() tests */

static const char *const cols_ab[] = {"a", "b"};
static const char *const cols_abc[] = {"a", "b", "c"};

/* Load bytes as tmpdir/in.csv with columns cols into d (initialised here). */
static int load(const void *bytes, size_t n, enum enc want, const char *const *cols,
                int ncols, struct dataset *d, struct got *g, struct err *e)
{
    const char *path = tmp_write("in.csv", bytes, n);
    dataset_init(d);
    err_init(e);
    g->ncols = ncols;
    struct load_spec sp = {.file = TFILE, .cols = cols, .n_cols = ncols, .row = record, .ctx = g};
    return load_csv(d, path, want, &sp, e);
}

static size_t n_rejects(const struct dataset *d, enum input_file f)
{
    return d->files[f].rejects.n;
}

static const struct reject *rej(const struct dataset *d, enum input_file f, size_t i)
{
    ck_assert_uint_lt(i, d->files[f].rejects.n);
    return &((const struct reject *)d->files[f].rejects.v)[i];
}

/* reject i of file f is at `line` and its reason contains `needle` */
static void assert_reject(const struct dataset *d, enum input_file f, size_t i, long long line,
                          const char *needle)
{
    const struct reject *r = rej(d, f, i);
    ck_assert_msg(r->line == line, "reject %zu at line %lld, want %lld (%s)", i, r->line, line,
                  r->reason);
    ck_assert_msg(strstr(r->reason, needle) != NULL, "reject %zu reason '%s' lacks '%s'", i,
                  r->reason, needle);
}

/* ---------- load_csv ---------- */

START_TEST(test_header_order_extra_column)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    static const char csv[] = "c,extra,a,b\n3,x,1,2\n";
    int rc = load(LIT(csv), ENC_AUTO, cols_abc, 3, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.line[0], 2);
    ck_assert_str_eq(g.val[0][0], "1");
    ck_assert_str_eq(g.val[0][1], "2");
    ck_assert_str_eq(g.val[0][2], "3");
    const struct filestat *fs = &d.files[TFILE];
    ck_assert_int_eq(fs->present, 1);
    ck_assert_int_eq(fs->bytes, (long long)sizeof csv - 1);
    /* XXH3-128 of the raw bytes, as `xxhsum -H2` prints it */
    ck_assert_str_eq(fs->checksum, "3018339b7b420370188eac431a418fad");
    ck_assert_str_eq(fs->encoding, "utf-8");
    ck_assert_int_eq(fs->had_bom, 0);
    ck_assert_int_eq(fs->data_rows, 1);
    ck_assert_uint_eq(n_rejects(&d, TFILE), 0);
    ck_assert_ptr_nonnull(strstr(fs->path, "in.csv"));
    dataset_free(&d);
}
END_TEST

START_TEST(test_bom)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    /* the BOM must not become part of the first column's name */
    int rc = load(LIT("\xEF\xBB\xBF" "a,b\n1,2\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.line[0], 2);
    ck_assert_str_eq(g.val[0][0], "1");
    ck_assert_str_eq(g.val[0][1], "2");
    ck_assert_int_eq(d.files[TFILE].had_bom, 1);
    ck_assert_str_eq(d.files[TFILE].encoding, "utf-8");
    dataset_free(&d);
}
END_TEST

START_TEST(test_crlf)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    int rc = load(LIT("a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n4,5\r\n"), ENC_AUTO, cols_ab, 2, &d,
                  &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 3);
    ck_assert_int_eq(g.line[0], 2);
    ck_assert_str_eq(g.val[0][0], "1");
    ck_assert_str_eq(g.val[0][1], "2");   /* no stray CR */
    ck_assert_int_eq(g.line[1], 4);
    ck_assert_str_eq(g.val[1][0], "3");
    ck_assert_str_eq(g.val[1][1], "x\r\ny");   /* quoted bytes kept as they are */
    ck_assert_int_eq(g.line[2], 6);
    ck_assert_str_eq(g.val[2][1], "5");
    ck_assert_int_eq(d.files[TFILE].data_rows, 3);
    ck_assert_uint_eq(n_rejects(&d, TFILE), 0);
    dataset_free(&d);
}
END_TEST

START_TEST(test_quoted_field)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    /* comma, doubled quote and an embedded LF in one field */
    int rc = load(LIT("a,b\n1,\"x, \"\"y\"\"\nz\"\n2,w\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 2);
    ck_assert_int_eq(g.line[0], 2);
    ck_assert_str_eq(g.val[0][0], "1");
    ck_assert_str_eq(g.val[0][1], "x, \"y\"\nz");
    ck_assert_int_eq(g.line[1], 4);   /* the embedded newline counts */
    ck_assert_str_eq(g.val[1][0], "2");
    ck_assert_str_eq(g.val[1][1], "w");
    ck_assert_int_eq(d.files[TFILE].data_rows, 2);
    dataset_free(&d);
}
END_TEST

START_TEST(test_multiline_line_numbers)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    /* records start on lines 2, 6 and 9; line 5 is blank; line 7 is an
     * empty line inside a quoted field and must be kept */
    int rc = load(LIT("a,b\n\"x\ny\nz\",1\n\n2,\"p\n\nq\"\n3,4"), ENC_AUTO, cols_ab, 2, &d,
                  &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 3);
    ck_assert_int_eq(g.line[0], 2);
    ck_assert_str_eq(g.val[0][0], "x\ny\nz");
    ck_assert_int_eq(g.line[1], 6);
    ck_assert_str_eq(g.val[1][1], "p\n\nq");
    ck_assert_int_eq(g.line[2], 9);   /* last line has no LF */
    ck_assert_str_eq(g.val[2][0], "3");
    ck_assert_str_eq(g.val[2][1], "4");
    ck_assert_int_eq(d.files[TFILE].data_rows, 3);
    dataset_free(&d);
}
END_TEST

START_TEST(test_blank_lines)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    int rc = load(LIT("a,b\n\n1,2\n\n\n3,4\n\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 2);
    ck_assert_int_eq(g.line[0], 3);
    ck_assert_int_eq(g.line[1], 6);
    ck_assert_uint_eq(n_rejects(&d, TFILE), 0);
    ck_assert_int_eq(d.files[TFILE].data_rows, 2);
    ck_assert_int_eq(d.files[TFILE].data_rows - (long long)n_rejects(&d, TFILE), g.n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_spaces_and_empty_fields)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    /* unquoted fields lose surrounding spaces and tabs; quoted ones keep
     * them; a line of blanks is a blank line; empty fields count */
    int rc = load(LIT("a,b\n 1 ,\t2\t\n\" 3 \", 4\n   \n\t\n,\n5,\n5,6,\n"), ENC_AUTO, cols_ab,
                  2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 4);
    ck_assert_int_eq(g.line[0], 2);
    ck_assert_str_eq(g.val[0][0], "1");
    ck_assert_str_eq(g.val[0][1], "2");
    ck_assert_int_eq(g.line[1], 3);
    ck_assert_str_eq(g.val[1][0], " 3 ");
    ck_assert_str_eq(g.val[1][1], "4");
    ck_assert_int_eq(g.line[2], 6);
    ck_assert_str_eq(g.val[2][0], "");
    ck_assert_str_eq(g.val[2][1], "");
    ck_assert_int_eq(g.line[3], 7);
    ck_assert_str_eq(g.val[3][0], "5");
    ck_assert_str_eq(g.val[3][1], "");
    ck_assert_uint_eq(n_rejects(&d, TFILE), 1);   /* "5,6," has three fields */
    assert_reject(&d, TFILE, 0, 8, "wrong column count");
    ck_assert_int_eq(d.files[TFILE].data_rows, 5);
    dataset_free(&d);
}
END_TEST

START_TEST(test_ragged_rows)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    int rc = load(LIT("a,b,c\n1,2\n1,2,3\n1,2,3,4\n5,6,7\n"), ENC_AUTO, cols_abc, 3, &d, &g,
                  &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 2);
    ck_assert_int_eq(g.line[0], 3);
    ck_assert_int_eq(g.line[1], 5);
    ck_assert_str_eq(g.val[1][2], "7");
    ck_assert_uint_eq(n_rejects(&d, TFILE), 2);
    assert_reject(&d, TFILE, 0, 2, "wrong column count");
    assert_reject(&d, TFILE, 1, 4, "wrong column count");
    ck_assert_int_eq(d.files[TFILE].data_rows, 4);
    ck_assert_int_eq(d.files[TFILE].data_rows - (long long)n_rejects(&d, TFILE), g.n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_stray_quote)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    int rc = load(LIT("a,b\n1,x\"y\n2,3\n\"4\"z,5\n6,7\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 2);
    ck_assert_int_eq(g.line[0], 3);
    ck_assert_str_eq(g.val[0][0], "2");
    ck_assert_str_eq(g.val[0][1], "3");
    ck_assert_int_eq(g.line[1], 5);
    ck_assert_str_eq(g.val[1][0], "6");
    ck_assert_uint_eq(n_rejects(&d, TFILE), 2);
    assert_reject(&d, TFILE, 0, 2, "quot");
    assert_reject(&d, TFILE, 1, 4, "quot");
    ck_assert_int_eq(d.files[TFILE].data_rows, 4);
    ck_assert_int_eq(d.files[TFILE].data_rows - (long long)n_rejects(&d, TFILE), g.n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_stray_quote_after_multiline)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    /* the record starts on line 2; the bad quote is on line 3 */
    int rc = load(LIT("a,b\n1,\"x\ny\"z\n2,3\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.line[0], 4);
    ck_assert_str_eq(g.val[0][0], "2");
    ck_assert_uint_eq(n_rejects(&d, TFILE), 1);
    assert_reject(&d, TFILE, 0, 2, "malformed quoting");
    dataset_free(&d);
}
END_TEST

START_TEST(test_unterminated_quote)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    int rc = load(LIT("a,b\n1,2\n3,\"open\n4,5\n6,7\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_int_eq(rc, E_PARSE);
    ck_assert_int_eq(e.code, E_PARSE);
    ck_assert_int_eq(e.in_line, 3);
    ck_assert_ptr_nonnull(strstr(e.in_path, "in.csv"));
    ck_assert_int_eq(g.n, 1);   /* line 2 was delivered before */
    ck_assert_int_eq(g.line[0], 2);
    dataset_free(&d);

    /* opened on the last line, no LF at the end */
    g = (struct got){0};
    rc = load(LIT("a,b\n1,2\n\n3,\"open"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_int_eq(rc, E_PARSE);
    ck_assert_int_eq(e.in_line, 4);
    dataset_free(&d);
}
END_TEST

START_TEST(test_missing_column)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    static const char *const cols[] = {"household_id", "region_code", "program"};
    int rc = load(LIT("program,household_id,region\nH1,x,y\n"), ENC_AUTO, cols, 3, &d, &g, &e);
    ck_assert_int_eq(rc, E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "region_code"));
    ck_assert_ptr_null(strstr(e.msg, "missing column(s): household_id"));
    ck_assert_int_eq(e.in_line, 1);
    ck_assert_int_eq(g.n, 0);
    dataset_free(&d);

    /* names are exact: case and surrounding text matter */
    g = (struct got){0};
    rc = load(LIT("A,b\n1,2\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_int_eq(rc, E_PARSE);
    ck_assert_int_eq(g.n, 0);
    dataset_free(&d);
}
END_TEST

START_TEST(test_empty_and_header_only)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    int rc = load("", 0, ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_int_eq(rc, E_PARSE);
    ck_assert_int_eq(g.n, 0);
    ck_assert_int_eq(d.files[TFILE].present, 1);
    dataset_free(&d);

    rc = load(LIT("\n\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_int_eq(rc, E_PARSE);
    dataset_free(&d);

    rc = load(LIT("\xEF\xBB\xBF"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_int_eq(rc, E_PARSE);
    dataset_free(&d);

    rc = load(LIT("a,b\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 0);
    ck_assert_int_eq(d.files[TFILE].data_rows, 0);
    ck_assert_uint_eq(n_rejects(&d, TFILE), 0);
    dataset_free(&d);

    rc = load(LIT("a,b"), ENC_AUTO, cols_ab, 2, &d, &g, &e);   /* no LF */
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 0);
    ck_assert_int_eq(d.files[TFILE].data_rows, 0);
    dataset_free(&d);
}
END_TEST

START_TEST(test_bad_bytes_line)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    int rc = load(LIT("a,b\n1,\xE5\xBC\xA0\n2,\xFF\n3,z\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_str_eq(d.files[TFILE].encoding, "utf-8");
    ck_assert_int_eq(g.n, 2);
    ck_assert_int_eq(g.line[0], 2);
    ck_assert_str_eq(g.val[0][1], "张");
    ck_assert_int_eq(g.line[1], 4);
    ck_assert_str_eq(g.val[1][1], "z");
    ck_assert_uint_eq(n_rejects(&d, TFILE), 1);
    assert_reject(&d, TFILE, 0, 3, "encoding");
    ck_assert_int_eq(d.files[TFILE].data_rows, 3);
    ck_assert_int_eq(d.files[TFILE].data_rows - (long long)n_rejects(&d, TFILE), g.n);
    dataset_free(&d);

    /* a bad line inside a multi-line record rejects the record where it starts */
    g = (struct got){0};
    rc = load(LIT("a,b\n1,\"x\n\xFFy\"\n2,3\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.line[0], 4);
    ck_assert_uint_eq(n_rejects(&d, TFILE), 1);
    assert_reject(&d, TFILE, 0, 2, "encoding");
    dataset_free(&d);
}
END_TEST

START_TEST(test_gb18030)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    /* 张三 in GB18030 is D5 C5 C8 FD */
    static const char gb[] = "a,b\n1,\xD5\xC5\xC8\xFD\n2,abc\n";
    int rc = load(LIT(gb), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_str_eq(d.files[TFILE].encoding, "gb18030");
    ck_assert_int_eq(g.n, 2);
    ck_assert_str_eq(g.val[0][1], "张三");
    ck_assert_int_eq(g.line[1], 3);
    ck_assert_str_eq(g.val[1][1], "abc");
    ck_assert_int_eq(d.files[TFILE].bytes, (long long)sizeof gb - 1);   /* size of the raw file */
    dataset_free(&d);

    /* declared */
    g = (struct got){0};
    rc = load(LIT(gb), ENC_GB18030, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_str_eq(d.files[TFILE].encoding, "gb18030");
    ck_assert_str_eq(g.val[0][1], "张三");
    dataset_free(&d);

    /* declared wrongly as UTF-8: the undecodable row is rejected, not garbled */
    g = (struct got){0};
    rc = load(LIT(gb), ENC_UTF8, cols_ab, 2, &d, &g, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_str_eq(d.files[TFILE].encoding, "utf-8");
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.line[0], 3);
    ck_assert_uint_eq(n_rejects(&d, TFILE), 1);
    assert_reject(&d, TFILE, 0, 2, "encoding");
    dataset_free(&d);
}
END_TEST

/* ---------- the prescan's 64 KiB blocks (load.c, PRESCAN_BLOCK) ---------- */

/* Rows counted; the one whose b holds a non-ASCII byte is kept. */
struct wide {
    int n;
    long long line;
    char b[64];
};

static int wide_row(void *ctx, const char *const *vals, const size_t *lens, long long line,
                    struct err *e)
{
    (void)e;
    struct wide *w = ctx;
    w->n++;
    for (size_t k = 0; k < lens[1]; k++)
        if ((unsigned char)vals[1][k] >= 0x80) {
            ck_assert_uint_lt(lens[1], sizeof w->b);
            memcpy(w->b, vals[1], lens[1] + 1);
            w->line = line;
            break;
        }
    return E_OK;
}

/* "a,b", short ASCII rows, then a row "x," ending exactly at byte `lead`:
 * the caller appends what must start there.  *x_line gets that row's line. */
static size_t rows_up_to(char *buf, size_t cap, size_t lead, long long *x_line)
{
    size_t n = (size_t)snprintf(buf, cap, "a,b\n");
    long long line = 2;
    while (n + 14 + 8 <= lead) {
        n += (size_t)snprintf(buf + n, cap - n, "1,abcdefghijk\n");   /* 14 bytes */
        line++;
    }
    size_t pad = lead - 2 - n;   /* a row "1,pp..p\n" of this many bytes */
    ck_assert_uint_ge(pad, 4);
    buf[n++] = '1';
    buf[n++] = ',';
    memset(buf + n, 'p', pad - 3);
    n += pad - 3;
    buf[n++] = '\n';
    line++;
    buf[n++] = 'x';
    buf[n++] = ',';
    ck_assert_uint_eq(n, lead);
    *x_line = line;
    return n;
}

static int load_wide(const char *buf, size_t n, enum enc want, struct dataset *d,
                     struct wide *w, struct err *e)
{
    const char *path = tmp_write("in.csv", buf, n);
    dataset_init(d);
    err_init(e);
    *w = (struct wide){0};
    struct load_spec sp = {.file = TFILE, .cols = cols_ab, .n_cols = 2, .row = wide_row, .ctx = w};
    return load_csv(d, path, want, &sp, e);
}

/* The prescan checks UTF-8 in 64 KiB blocks: a sequence cut by a block's
 * end is valid, the same sequence broken is caught at its row, whichever
 * of its bytes the block ends after; also with the file in many chunks. */
START_TEST(test_utf8_across_blocks)
{
    static const char *const seqs[] = {"\xE5\xBC\xA0", "\xF0\x9F\x98\x80", "\xC3\xA9"};
    static const char tail[] = "\n2,z\n3,y\n";
    size_t cap = 80000;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    if (_i == 1)
        ck_assert_int_eq(setenv("HEDUI_CHUNK_BYTES", "20000", 1), 0);
    for (size_t s = 0; s < sizeof seqs / sizeof *seqs; s++) {
        size_t len = strlen(seqs[s]);
        for (size_t cut = 0; cut <= len; cut++) {
            /* `cut` bytes of the sequence before the block boundary */
            long long x_line;
            size_t n = rows_up_to(buf, cap, (size_t)65536 - cut, &x_line);
            memcpy(buf + n, seqs[s], len);
            size_t m = n + len;
            m += (size_t)snprintf(buf + m, cap - m, "%s", tail);
            struct wide w;
            struct dataset d;
            struct err e;
            int rc = load_wide(buf, m, ENC_AUTO, &d, &w, &e);
            ck_assert_msg(rc == E_OK, "%s", e.msg);
            ck_assert_msg(strcmp(d.files[TFILE].encoding, "utf-8") == 0,
                          "seq %zu cut %zu: encoding %s", s, cut, d.files[TFILE].encoding);
            ck_assert_uint_eq(n_rejects(&d, TFILE), 0);
            ck_assert_str_eq(w.b, seqs[s]);
            ck_assert_int_eq(w.line, x_line);
            ck_assert_int_eq(w.n, x_line + 1);
            dataset_free(&d);

            /* broken: the sequence without its last byte, or with its lead
             * byte replaced by 0xFF */
            for (int kind = 0; kind < 2; kind++) {
                m = n;
                if (kind == 0) {
                    memcpy(buf + m, seqs[s], len - 1);
                    m += len - 1;
                } else {
                    buf[m] = (char)0xFF;
                    memcpy(buf + m + 1, seqs[s] + 1, len - 1);
                    m += len;
                }
                m += (size_t)snprintf(buf + m, cap - m, "%s", tail);
                rc = load_wide(buf, m, ENC_UTF8, &d, &w, &e);
                ck_assert_msg(rc == E_OK, "%s", e.msg);
                ck_assert_msg(n_rejects(&d, TFILE) == 1, "seq %zu cut %zu kind %d: %zu rejects",
                              s, cut, kind, n_rejects(&d, TFILE));
                assert_reject(&d, TFILE, 0, x_line, "encoding");
                ck_assert_int_eq(w.n, x_line);   /* the other rows, all of them */
                dataset_free(&d);
            }
        }
    }
    free(buf);
}
END_TEST

START_TEST(test_missing_file)
{
    struct dataset d;
    struct err e;
    struct got g = {0};
    g.ncols = 2;
    dataset_init(&d);
    err_init(&e);
    char path[600];
    snprintf(path, sizeof path, "%s/no-such.csv", tmpdir);
    struct load_spec sp = {.file = TFILE, .cols = cols_ab, .n_cols = 2, .row = record, .ctx = &g};
    ck_assert_int_eq(load_csv(&d, path, ENC_AUTO, &sp, &e), E_NOINPUT);
    ck_assert_int_eq(e.code, E_NOINPUT);
    ck_assert_int_eq(d.files[TFILE].present, 0);
    ck_assert_int_eq(g.n, 0);
    dataset_free(&d);
}
END_TEST

START_TEST(test_from_memory)
{
    /* load_csv_mem: same records, lines, counts and checksum as from a file */
    static const char csv[] = "c,extra,a,b\n3,x,1,2\n\n\"4\n\",y,5,6\n7,8\n";
    struct dataset d;
    struct got g = {0};
    struct err e;
    dataset_init(&d);
    err_init(&e);
    g.ncols = 3;
    struct load_spec sp = {.file = TFILE, .cols = cols_abc, .n_cols = 3, .row = record, .ctx = &g};
    int rc = load_csv_mem(&d, "pg:hukou", (const unsigned char *)csv, sizeof csv - 1, ENC_AUTO,
                          &sp, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 2);
    ck_assert_int_eq(g.line[0], 2);
    ck_assert_int_eq(g.line[1], 4);
    ck_assert_str_eq(g.val[1][2], "4\n");
    ck_assert_str_eq(d.files[TFILE].path, "pg:hukou");
    ck_assert_int_eq(d.files[TFILE].bytes, (long long)sizeof csv - 1);
    ck_assert_uint_eq(n_rejects(&d, TFILE), 1);
    assert_reject(&d, TFILE, 0, 6, "wrong column count");
    char mem_sum[sizeof d.files[TFILE].checksum];
    memcpy(mem_sum, d.files[TFILE].checksum, sizeof mem_sum);
    dataset_free(&d);

    struct got g2 = {0};
    rc = load(LIT(csv), ENC_AUTO, cols_abc, 3, &d, &g2, &e);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g2.n, 2);
    ck_assert_int_eq(g2.line[1], 4);
    ck_assert_str_eq(d.files[TFILE].checksum, mem_sum);
    ck_assert_uint_eq(strlen(mem_sum), 32);
    dataset_free(&d);

    /* an empty buffer is an empty file */
    dataset_init(&d);
    err_init(&e);
    ck_assert_int_eq(load_csv_mem(&d, "pg:empty", (const unsigned char *)"", 0, ENC_AUTO, &sp, &e),
                     E_PARSE);
    dataset_free(&d);
}
END_TEST

START_TEST(test_callback_error_stops)
{
    struct dataset d;
    struct got g = {0};
    struct err e;
    g.fail_at = 2;
    int rc = load(LIT("a,b\n1,2\n3,4\n5,6\n7,8\n"), ENC_AUTO, cols_ab, 2, &d, &g, &e);
    ck_assert_int_eq(rc, E_DATA);
    ck_assert_int_eq(e.code, E_DATA);
    ck_assert_int_eq(g.n, 2);   /* no call after the failing one */
    dataset_free(&d);
}
END_TEST

START_TEST(test_long_field)
{
    size_t big = LOAD_MAX_FIELD + 100;
    size_t cap = big + 64;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t n = (size_t)snprintf(buf, cap, "a,b\n1,");
    memset(buf + n, 'z', big);
    n += big;
    n += (size_t)snprintf(buf + n, cap - n, "\n2,3\n");
    struct dataset d;
    struct got g = {0};
    struct err e;
    int rc = load(buf, n, ENC_AUTO, cols_ab, 2, &d, &g, &e);
    free(buf);
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.line[0], 3);
    ck_assert_uint_eq(n_rejects(&d, TFILE), 1);
    assert_reject(&d, TFILE, 0, 2, "longer");
    dataset_free(&d);
}
END_TEST

/* ---------- normalise_file ---------- */

/* Loop index 1 of the normalise tests: split even tiny files into chunks of
 * a few records (load.h, HEDUI_CHUNK_BYTES), which must not change anything.
 * check forks each test, so the variable does not leak into other tests. */
static void chunked(int i)
{
    if (i == 1)
        ck_assert_int_eq(setenv("HEDUI_CHUNK_BYTES", "16", 1), 0);
}

static int as_of(void)
{
    return date_from_ymd(2026, 6, 15);
}

static uint64_t key_of(const char *id)
{
    struct id_norm nm;
    ck_assert_int_eq(id_normalise(id, strlen(id), 20260615, &nm), ID_OK);
    return nm.key;
}

static int norm(struct normaliser *n, enum input_file f, const char *name, const char *text)
{
    const char *path = tmp_write(name, text, strlen(text));
    struct err e;
    err_init(&e);
    int rc = normalise_file(n, f, path, ENC_AUTO, &e);
    ck_assert_msg(rc == E_OK, "%s: %s", name, e.msg);
    return rc;
}

/* valid IDs (computed independently; see check_idcard.c) */
#define ID_A "11010519491231002X"
#define ID_B "360426199101010071"
#define ID_C "440301198506071238"

START_TEST(test_norm_vehicles)
{
    chunked(_i);
    struct dataset d;
    struct normaliser n;
    struct err e;
    dataset_init(&d);
    err_init(&e);
    ck_assert_int_eq(normaliser_init(&n, &d, as_of(), &e), E_OK);

    /* a valid ID born after the as-of date */
    char future[19] = "11010520260701001";
    future[17] = id_check_char(future);
    future[18] = '\0';

    char text[2048];
    snprintf(text, sizeof text,
             "id_no,plate_no,vehicle_class,use,registered_on,value_yuan,status\n"
             ID_B ",陕A12345,car,private,2020-01-01,86000,valid\n"         /* 2 ok */
             ID_C ",陕A00001,car,private,2020-01-01,-5,valid\n"            /* 3 negative */
             ID_C ",陕A00002,truck,commercial,,1000.005,valid\n"           /* 4 3 decimals */
             ID_C ",陕A00003,boat,private,,100,valid\n"                    /* 5 enum */
             "360426199101010072,陕A00004,bus,private,,100,valid\n"        /* 6 checksum */
             "11010519491231002x,陕A00005,truck,commercial,,25000.5,scrapped\n" /* 7 ok */
             "%s,陕A00006,car,private,,1,valid\n"                          /* 8 born later */
             ID_C ",陕A00007,car,private,2020-02-30,1,valid\n"             /* 9 bad date */
             ID_C ",陕A00008,car,Private,,1,valid\n"                       /* 10 case */
             ID_C ",陕A00009,car,private,,,valid\n",                       /* 11 empty value */
             future);
    norm(&n, IN_VEHICLES, "vehicles.csv", text);

    ck_assert_uint_eq(d.vehicles.n, 2);
    const struct vehicle *v = d.vehicles.v;
    ck_assert(v[0].key == key_of(ID_B));
    ck_assert_str_eq(v[0].plate, "陕A12345");
    ck_assert_int_eq(v[0].vclass, VC_CAR);
    ck_assert_int_eq(v[0].use, VU_PRIVATE);
    ck_assert_int_eq(v[0].registered_on, date_from_ymd(2020, 1, 1));
    ck_assert(v[0].value_fen == 8600000);
    ck_assert_int_eq(v[0].status, VS_VALID);
    ck_assert_int_eq(v[0].line, 2);

    ck_assert(v[1].key == key_of(ID_A));   /* lower-case x folds to X */
    ck_assert(v[1].key != 0);
    ck_assert_int_eq(v[1].vclass, VC_TRUCK);
    ck_assert_int_eq(v[1].use, VU_COMMERCIAL);
    ck_assert_int_eq(v[1].registered_on, DATE_NONE);
    ck_assert(v[1].value_fen == 2500050);
    ck_assert_int_eq(v[1].status, VS_SCRAPPED);
    ck_assert_int_eq(v[1].line, 7);

    const struct filestat *fs = &d.files[IN_VEHICLES];
    ck_assert_int_eq(fs->data_rows, 10);
    ck_assert_int_eq(fs->data_rows - (long long)fs->rejects.n, (long long)d.vehicles.n);
    ck_assert_uint_eq(fs->rejects.n, 8);
    assert_reject(&d, IN_VEHICLES, 0, 3, "value_yuan");
    assert_reject(&d, IN_VEHICLES, 0, 3, num_status_text(NUM_NEGATIVE));
    assert_reject(&d, IN_VEHICLES, 1, 4, "value_yuan");
    assert_reject(&d, IN_VEHICLES, 1, 4, num_status_text(NUM_TOO_PRECISE));
    assert_reject(&d, IN_VEHICLES, 2, 5, "vehicle_class");
    assert_reject(&d, IN_VEHICLES, 2, 5, "boat");
    assert_reject(&d, IN_VEHICLES, 3, 6, "id_no");
    assert_reject(&d, IN_VEHICLES, 3, 6, id_status_text(ID_BAD_CHECKSUM));
    assert_reject(&d, IN_VEHICLES, 4, 8, "id_no");
    assert_reject(&d, IN_VEHICLES, 4, 8, id_status_text(ID_FUTURE_DATE));
    assert_reject(&d, IN_VEHICLES, 5, 9, "registered_on");
    assert_reject(&d, IN_VEHICLES, 6, 10, "use");
    assert_reject(&d, IN_VEHICLES, 7, 11, "value_yuan");
    ck_assert_uint_eq(fs->id_flags_seen[2], 1);   /* one lower-case x folded */
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_norm_property)
{
    chunked(_i);
    struct dataset d;
    struct normaliser n;
    struct err e;
    dataset_init(&d);
    err_init(&e);
    ck_assert_int_eq(normaliser_init(&n, &d, as_of(), &e), E_OK);
    norm(&n, IN_PROPERTY, "property.csv",
         "id_no,property_id,usage,area_m2,share,registered_on,status\n"
         ID_B ",P1,residential,80,0,,held\n"                    /* 2 share 0 */
         ID_B ",P2,residential,80,1.5,,held\n"                  /* 3 share > 1 */
         ID_B ",P3,residential,120.5,1,2019-05-01,held\n"       /* 4 ok */
         ID_C ",P4,commercial,90.25,0.333333333,,sold\n"        /* 5 ok */
         ID_C ",P5,residential,80,0.3333333333,,held\n"         /* 6 10 decimals */
         ID_C ",P6,parking,-1,0.5,,held\n"                      /* 7 negative area */
         ID_C ",P7,residential,80,,,held\n"                     /* 8 empty share */
         ID_C ",P8,residential,80.001,1,,held\n"                /* 9 area 3 decimals */
         ID_C ",P9,residential,80,1.000000000,,held\n");        /* 10 ok */

    ck_assert_uint_eq(d.property.n, 3);
    const struct property *p = d.property.v;
    ck_assert_str_eq(p[0].property_id, "P3");
    ck_assert(p[0].share_nano == SHARE_ONE);
    ck_assert(p[0].area_h == 12050);
    ck_assert_int_eq(p[0].usage, US_RESIDENTIAL);
    ck_assert_int_eq(p[0].status, PS_HELD);
    ck_assert_int_eq(p[0].registered_on, date_from_ymd(2019, 5, 1));
    ck_assert(p[0].key == key_of(ID_B));
    ck_assert_int_eq(p[0].line, 4);
    ck_assert_str_eq(p[1].property_id, "P4");
    ck_assert(p[1].share_nano == 333333333);
    ck_assert(p[1].area_h == 9025);
    ck_assert_int_eq(p[1].usage, US_COMMERCIAL);
    ck_assert_int_eq(p[1].status, PS_SOLD);
    ck_assert_int_eq(p[1].line, 5);
    ck_assert(p[2].share_nano == SHARE_ONE);
    ck_assert_int_eq(p[2].line, 10);

    ck_assert_uint_eq(d.files[IN_PROPERTY].rejects.n, 6);
    assert_reject(&d, IN_PROPERTY, 0, 2, "share");
    assert_reject(&d, IN_PROPERTY, 1, 3, "share");
    assert_reject(&d, IN_PROPERTY, 2, 6, "share");
    assert_reject(&d, IN_PROPERTY, 3, 7, "area_m2");
    assert_reject(&d, IN_PROPERTY, 4, 8, "share");
    assert_reject(&d, IN_PROPERTY, 5, 9, "area_m2");
    ck_assert_int_eq(d.files[IN_PROPERTY].data_rows, 9);
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

/* "\u3000" (ideographic space) around a name is trimmed */
#define IDSP "\xE3\x80\x80"

static void load_registry(struct normaliser *n)
{
    norm(n, IN_HOUSEHOLDS, "households.csv",
         "household_id,region_code,program,area_type,status,applied_on,approved_on,"
         "monthly_benefit,caseworker_id\n"
         "H1,610102001002,dibao,urban,active,2026-01-05,2026-01-20,500,CW1\n"
         "H2,610102001003,tekun,rural,applying,2026-06-01,,0,\n");
    norm(n, IN_MEMBERS, "members.csv",
         "household_id,id_no,name,relation,declared_monthly_income,work_ability,"
         "disability_grade\n"
         "H1," ID_B "," IDSP "张三" IDSP ",head,0,full,0\n"     /* 2 */
         "H1,12345,李四,spouse,100.5,partial,0\n"               /* 3 invalid id: kept */
         "H9," ID_C ",王五,child,0,none,0\n"                    /* 4 no such household */
         "H1,\"360426 199101010071\",张三,other,0,full,0\n"     /* 5 repeat of line 2 */
         "H2," ID_B ",张三,head,0,full,0\n"                     /* 6 other household: kept */
         "H1,,无名,child,0,none,0\n"                            /* 7 empty id: kept */
         "H1,,无名二,child,0,none,0\n"                          /* 8 another empty id: kept */
         "H2," ID_C ",赵六,spouse,0,full,5\n");                 /* 9 grade 5: kept (Q05) */
}

START_TEST(test_norm_members)
{
    chunked(_i);
    struct dataset d;
    struct normaliser n;
    struct err e;
    dataset_init(&d);
    err_init(&e);
    ck_assert_int_eq(normaliser_init(&n, &d, as_of(), &e), E_OK);
    load_registry(&n);

    ck_assert_uint_eq(d.households.n, 2);
    const struct household *h = d.households.v;
    ck_assert_str_eq(h[0].id, "H1");
    ck_assert_str_eq(h[0].region, "610102001002");
    ck_assert_int_eq(h[0].program, PROG_DIBAO);
    ck_assert_int_eq(h[0].area, AREA_URBAN);
    ck_assert_int_eq(h[0].status, HS_ACTIVE);
    ck_assert_int_eq(h[0].applied_on, date_from_ymd(2026, 1, 5));
    ck_assert_int_eq(h[0].approved_on, date_from_ymd(2026, 1, 20));
    ck_assert(h[0].benefit_fen == 50000);
    ck_assert_str_eq(h[0].caseworker, "CW1");
    ck_assert_int_eq(h[1].program, PROG_TEKUN);
    ck_assert_int_eq(h[1].status, HS_APPLYING);
    ck_assert_int_eq(h[1].approved_on, DATE_NONE);
    ck_assert_str_eq(h[1].caseworker, "");

    /* before the merge: 7 rows kept, 1 rejected while loading; the bad
     * disability_grade of line 9 is not a reject (contract: member rows
     * are kept, with Q05) */
    ck_assert_uint_eq(d.members.n, 7);
    ck_assert_uint_eq(d.files[IN_MEMBERS].rejects.n, 1);
    assert_reject(&d, IN_MEMBERS, 0, 4, "household_id");

    const struct member *m = d.members.v;
    /* the invalid id_no is not a reject: the member stays with key 0 */
    const struct member *li = NULL;
    for (size_t i = 0; i < d.members.n; i++)
        if (m[i].line == 3)
            li = &m[i];
    ck_assert_ptr_nonnull(li);
    ck_assert(li->key == 0);
    ck_assert_str_eq(li->id, "12345");
    ck_assert_int_ne(li->id_status, ID_OK);
    ck_assert_str_eq(li->name, "李四");
    ck_assert_int_eq(li->relation, REL_SPOUSE);
    ck_assert_int_eq(li->work_ability, WA_PARTIAL);
    ck_assert(li->declared_fen == 10050);
    ck_assert_uint_eq(li->hh, 0);

    ck_assert_int_eq(normalise_finish(&n, &e), E_OK);

    /* after: the repeat on line 5 is rejected, everything else kept */
    ck_assert_uint_eq(d.members.n, 6);
    ck_assert_uint_eq(d.files[IN_MEMBERS].rejects.n, 2);
    assert_reject(&d, IN_MEMBERS, 1, 5, "repeated");
    assert_reject(&d, IN_MEMBERS, 1, 5, "H1");
    assert_reject(&d, IN_MEMBERS, 1, 5, "line 2");

    m = d.members.v;
    h = d.households.v;
    ck_assert_uint_eq(h[0].n_members, 4);
    ck_assert_uint_eq(h[1].n_members, 2);
    static const long long h1_lines[] = {2, 3, 7, 8};
    for (uint32_t i = 0; i < 4; i++) {
        const struct member *x = &m[h[0].first_member + i];
        ck_assert_uint_eq(x->hh, 0);
        ck_assert_int_eq(x->line, h1_lines[i]);   /* file order within the household */
    }
    const struct member *head = &m[h[0].first_member];
    ck_assert(head->key == key_of(ID_B));
    ck_assert_str_eq(head->id, ID_B);
    ck_assert_str_eq(head->name, "张三");   /* U+3000 trimmed */
    ck_assert_int_eq(head->relation, REL_HEAD);
    ck_assert(m[h[0].first_member + 2].key == 0);
    ck_assert_str_eq(m[h[0].first_member + 2].id, "");
    ck_assert_str_eq(m[h[0].first_member + 3].name, "无名二");
    const struct member *other = &m[h[1].first_member];
    ck_assert_int_eq(other->line, 6);
    ck_assert(other->key == key_of(ID_B));   /* same person, other household: kept (E10) */
    ck_assert_uint_eq(other->bad_cols, 0);
    ck_assert_ptr_null(other->bad_text);
    /* grade 5: kept as grade 0, the column and value recorded for Q05 */
    const struct member *g5 = &m[h[1].first_member + 1];
    ck_assert_int_eq(g5->line, 9);
    ck_assert(g5->key == key_of(ID_C));
    ck_assert_int_eq(g5->disability_grade, 0);
    ck_assert_int_eq(g5->relation, REL_SPOUSE);
    ck_assert_uint_eq(g5->bad_cols, MB_GRADE);
    ck_assert_str_eq(g5->bad_text, "disability_grade '5': not 0-4, taken as 0");
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_norm_households)
{
    chunked(_i);
    struct dataset d;
    struct normaliser n;
    struct err e;
    dataset_init(&d);
    err_init(&e);
    ck_assert_int_eq(normaliser_init(&n, &d, as_of(), &e), E_OK);
    norm(&n, IN_HOUSEHOLDS, "households.csv",
         "caseworker_id,household_id,region_code,program,area_type,status,applied_on,"
         "approved_on,monthly_benefit\n"
         "CW1,H1,610102001002,dishouru,rural,suspended,2025-12-01,2025-12-20,300.5\n" /* 2 ok */
         "CW1,H1,610102001002,dibao,urban,active,2026-01-05,,0\n"           /* 3 duplicate */
         "CW1,H3,61010200100,dibao,urban,active,2026-01-05,,0\n"            /* 4 11 digits */
         "CW1,H4,610102001002,dibao,urban,active,,,0\n"                     /* 5 no applied_on */
         "CW1,H5,610102001002,wubao,urban,active,2026-01-05,,0\n"           /* 6 program */
         "CW1,,610102001002,dibao,urban,active,2026-01-05,,0\n"             /* 7 empty id */
         "CW1,H7,610102001002,dibao,urban,closed,2026-01-05,,0\n"           /* 8 status */
         "CW1,H8,610102001002,dibao,urban,active,2026-01-05,2026-02-30,0\n" /* 9 approved_on */
         ",H9,610102001002,tekun,urban,cancelled,2026-01-05,,0\n");         /* 10 ok */
    ck_assert_uint_eq(d.households.n, 2);
    const struct household *h = d.households.v;
    ck_assert_str_eq(h[0].id, "H1");
    ck_assert_int_eq(h[0].program, PROG_DISHOURU);
    ck_assert_int_eq(h[0].area, AREA_RURAL);
    ck_assert_int_eq(h[0].status, HS_SUSPENDED);
    ck_assert(h[0].benefit_fen == 30050);
    ck_assert_int_eq(h[0].line, 2);
    ck_assert_str_eq(h[1].id, "H9");
    ck_assert_int_eq(h[1].status, HS_CANCELLED);
    ck_assert_str_eq(h[1].caseworker, "");
    ck_assert_uint_eq(d.files[IN_HOUSEHOLDS].rejects.n, 7);
    assert_reject(&d, IN_HOUSEHOLDS, 0, 3, "household_id");
    assert_reject(&d, IN_HOUSEHOLDS, 0, 3, "line 2");
    assert_reject(&d, IN_HOUSEHOLDS, 1, 4, "region_code");
    assert_reject(&d, IN_HOUSEHOLDS, 2, 5, "applied_on");
    assert_reject(&d, IN_HOUSEHOLDS, 3, 6, "program");
    assert_reject(&d, IN_HOUSEHOLDS, 4, 7, "household_id");
    assert_reject(&d, IN_HOUSEHOLDS, 5, 8, "status");
    assert_reject(&d, IN_HOUSEHOLDS, 6, 9, "approved_on");
    /* members join the kept rows by their final positions */
    norm(&n, IN_MEMBERS, "members.csv",
         "household_id,id_no,name,relation,declared_monthly_income,work_ability,disability_grade\n"
         "H9," ID_A ",A,head,0,none,0\n"
         "H1," ID_B ",B,head,0,none,0\n"
         "H3," ID_C ",C,head,0,none,0\n");   /* H3 was rejected: unknown */
    ck_assert_uint_eq(d.members.n, 2);
    const struct member *m = d.members.v;
    ck_assert_uint_eq(m[0].hh, 1);
    ck_assert_uint_eq(m[1].hh, 0);
    ck_assert_uint_eq(d.files[IN_MEMBERS].rejects.n, 1);
    assert_reject(&d, IN_MEMBERS, 0, 4, "household_id");
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_norm_holidays_gb_and_limits)
{
    chunked(_i);
    /* a GB18030 households.csv: the decoded name survives normalisation */
    struct dataset d;
    struct normaliser n;
    struct err e;
    dataset_init(&d);
    err_init(&e);
    ck_assert_int_eq(normaliser_init(&n, &d, as_of(), &e), E_OK);
    norm(&n, IN_HOUSEHOLDS, "households.csv",
         "household_id,region_code,program,area_type,status,applied_on,approved_on,"
         "monthly_benefit,caseworker_id\n"
         "\xD5\xC5\xC8\xFD-1,610102001002,dibao,urban,active,2026-01-05,2026-01-20,500,CW1\n");
    ck_assert_str_eq(d.files[IN_HOUSEHOLDS].encoding, "gb18030");
    ck_assert_uint_eq(d.households.n, 1);
    ck_assert_str_eq(((const struct household *)d.households.v)[0].id, "张三-1");

    norm(&n, IN_HOLIDAYS, "holidays.csv",
         "date,kind\n2026-05-01,holiday\n2026-05-09,workday\n2026-05-10,weekend\n2026-5-1,holiday\n");
    ck_assert_uint_eq(d.holidays.n, 2);
    const struct holiday *hl = d.holidays.v;
    ck_assert_int_eq(hl[0].date, date_from_ymd(2026, 5, 1));
    ck_assert_int_eq(hl[0].kind, HOL_HOLIDAY);
    ck_assert_int_eq(hl[1].kind, HOL_WORKDAY);
    ck_assert_uint_eq(d.files[IN_HOLIDAYS].rejects.n, 2);
    assert_reject(&d, IN_HOLIDAYS, 0, 4, "kind");
    assert_reject(&d, IN_HOLIDAYS, 1, 5, "date");
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

/* A larger generated vehicles.csv mixing every structural case: the result
 * must be the same whether the loader works in one piece or (loop index 1)
 * in small chunks (HEDUI_CHUNK_BYTES; check forks each test, so setenv here
 * does not leak into other tests). */
enum { GEN_ROWS = 400 };

enum gen_kind { G_OK, G_MULTILINE, G_NEGATIVE, G_RAGGED, G_STRAY, G_BADBYTES };

static enum gen_kind gen_kind(int i)
{
    if (i % 23 == 9)
        return G_BADBYTES;
    if (i % 19 == 5)
        return G_STRAY;
    if (i % 17 == 3)
        return G_RAGGED;
    if (i % 11 == 7)
        return G_NEGATIVE;
    if (i % 7 == 2)
        return G_MULTILINE;
    return G_OK;
}

START_TEST(test_norm_generated)
{
    if (_i == 1)
        ck_assert_int_eq(setenv("HEDUI_CHUNK_BYTES", "200", 1), 0);   /* ~100 chunks */
    static const char *const ids[] = {ID_A, ID_B, ID_C};
    size_t cap = (size_t)GEN_ROWS * 160 + 256;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    static long long line_of[GEN_ROWS];
    size_t n = (size_t)snprintf(text, cap,
                                "status,id_no,plate_no,vehicle_class,use,registered_on,value_yuan\n");
    long long line = 2;
    for (int i = 0; i < GEN_ROWS; i++) {
        if (i % 13 == 0) {   /* a blank line before this record */
            n += (size_t)snprintf(text + n, cap - n, i % 2 ? "\r\n" : "\n");
            line++;
        }
        line_of[i] = line;
        const char *eol = i % 5 == 0 ? "\r\n" : "\n";
        const char *id = ids[i % 3];
        switch (gen_kind(i)) {
        case G_OK:
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P%05d,car,private,,%d.%02d%s", id,
                                  i, i, i % 100, eol);
            break;
        case G_MULTILINE:
            n += (size_t)snprintf(text + n, cap - n,
                                  "valid,%s,\"P\n%05d, \"\"x\"\"\",truck,private,,%d.%02d%s", id, i,
                                  i, i % 100, eol);
            line++;
            break;
        case G_NEGATIVE:
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P%05d,car,private,,-%d%s", id, i, i,
                                  eol);
            break;
        case G_RAGGED:
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P%05d,car,private,%d%s", id, i, i,
                                  eol);
            break;
        case G_STRAY:
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P\"%05d,car,private,,1%s", id, i,
                                  eol);
            break;
        case G_BADBYTES:   /* 0xFF: neither UTF-8 nor GB18030 */
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P\xFF%05d,car,private,,1%s", id, i,
                                  eol);
            break;
        }
        line++;
        ck_assert_uint_lt(n, cap - 200);
    }

    struct dataset d;
    struct normaliser nz;
    struct err e;
    dataset_init(&d);
    err_init(&e);
    ck_assert_int_eq(normaliser_init(&nz, &d, as_of(), &e), E_OK);
    norm(&nz, IN_VEHICLES, "vehicles.csv", text);
    free(text);

    const struct vehicle *v = d.vehicles.v;
    const struct filestat *fs = &d.files[IN_VEHICLES];
    size_t nv = 0, nr = 0;
    for (int i = 0; i < GEN_ROWS; i++) {
        enum gen_kind k = gen_kind(i);
        if (k == G_OK || k == G_MULTILINE) {
            ck_assert_uint_lt(nv, d.vehicles.n);
            const struct vehicle *x = &v[nv++];
            ck_assert_msg(x->line == line_of[i], "row %d at line %lld, want %lld", i, x->line,
                          line_of[i]);
            char plate[32];
            if (k == G_OK)
                snprintf(plate, sizeof plate, "P%05d", i);
            else
                snprintf(plate, sizeof plate, "P\n%05d, \"x\"", i);
            ck_assert_str_eq(x->plate, plate);
            ck_assert(x->key == key_of(ids[i % 3]));
            ck_assert(x->value_fen == (int64_t)i * 100 + i % 100);
            ck_assert_int_eq(x->vclass, k == G_OK ? VC_CAR : VC_TRUCK);
            ck_assert_int_eq(x->status, VS_VALID);
        } else {
            ck_assert_uint_lt(nr, fs->rejects.n);
            const char *want = k == G_NEGATIVE ? "value_yuan"
                               : k == G_RAGGED ? "wrong column count"
                               : k == G_BADBYTES ? "encoding"
                                                 : "quot";
            assert_reject(&d, IN_VEHICLES, nr++, line_of[i], want);
        }
    }
    ck_assert_uint_eq(d.vehicles.n, nv);
    ck_assert_uint_eq(fs->rejects.n, nr);
    ck_assert_int_eq(fs->data_rows, GEN_ROWS);
    ck_assert_str_eq(fs->encoding, "utf-8");
    normaliser_free(&nz);
    dataset_free(&d);
}
END_TEST


/* ---------- the single read (load.c) against the classic path ----------
 *
 * A file is read once where it can be (load_csv: pread in waves of
 * segments, checksum and counts on the blocks as they arrive), bytes in
 * memory the classic way (load_csv_mem: prescan, then the chunks).  Both
 * must deliver the same records and rejects with the same lines, in the
 * same order, and the same checksum: XXH3-128 of the file's bytes.  The
 * recorder below keeps each chunk's events, and the order of the
 * chunks_begin calls, which tells the paths apart: the classic path begins
 * a file's chunks at once (first = 0), the single read a wave at a time
 * (first > 0 after the first wave), and a file it hands back to the
 * classic path is begun again at first = 0. */

struct sr_ev {
    long long line;
    uint64_t h;        /* FNV-1a of the values, or of the reject's reason */
    int rej;
};

struct sr_chunk {
    struct sr_ev *ev;
    size_t n, cap, max_rows;
};

struct sr_rec {
    struct sr_chunk *c;
    int n;
    int begins, appends, restarts;   /* chunks_begin calls, with first > 0, first = 0 again */
};

static uint64_t sr_fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void sr_push(struct sr_chunk *c, long long line, uint64_t h, int rej)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->ev = realloc(c->ev, c->cap * sizeof *c->ev);
        ck_assert_ptr_nonnull(c->ev);
    }
    c->ev[c->n++] = (struct sr_ev){line, h, rej};
    ck_assert_uint_le(c->n, c->max_rows);   /* the row bound holds */
}

static int sr_begin(void *ctx, int first, int n, const size_t *max_rows, struct err *e)
{
    struct sr_rec *r = ctx;
    (void)e;
    ck_assert_int_ge(n, 1);
    if (first == 0) {
        if (r->begins)
            r->restarts++;
        for (int i = 0; i < r->n; i++)
            free(r->c[i].ev);
        r->n = 0;
    } else {
        ck_assert_int_eq(first, r->n);
        r->appends++;
    }
    r->begins++;
    r->c = realloc(r->c, (size_t)(first + n) * sizeof *r->c);
    ck_assert_ptr_nonnull(r->c);
    for (int i = 0; i < n; i++)
        r->c[first + i] = (struct sr_chunk){NULL, 0, 0, max_rows[i]};
    r->n = first + n;
    return E_OK;
}

static void *sr_ctx(void *ctx, int i)
{
    struct sr_rec *r = ctx;
    ck_assert_int_lt(i, r->n);
    return &r->c[i];
}

static int sr_row(void *cctx, const char *const *vals, const size_t *lens, long long line,
                  struct err *e)
{
    (void)e;
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 3; i++)
        h = sr_fnv(sr_fnv(h, vals[i], lens[i]), "|", 1);
    sr_push(cctx, line, h, 0);
    return E_OK;
}

static int sr_reject(void *cctx, long long line, const char *reason, struct err *e)
{
    (void)e;
    sr_push(cctx, line, sr_fnv(1469598103934665603ULL, reason, strlen(reason)), 1);
    return E_OK;
}

static void sr_free(struct sr_rec *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->c[i].ev);
    free(r->c);
    memset(r, 0, sizeof *r);
}

/* load text (from the file, or from memory) into r and d; the read buffers
 * kept in *keep if it is not NULL */
static int sr_load(const char *text, size_t len, int from_file, struct load_bufs **keep,
                   struct sr_rec *r, struct dataset *d, struct err *e)
{
    memset(r, 0, sizeof *r);
    dataset_init(d);
    err_init(e);
    struct load_spec sp = {TFILE, cols_abc, 3, sr_row, r, 64, sr_begin, sr_ctx, sr_reject, keep,
                          NULL};
    if (from_file)
        return load_csv(d, tmp_write("sr.csv", text, len), ENC_AUTO, &sp, e);
    return load_csv_mem(d, "sr.csv", (const unsigned char *)text, len, ENC_AUTO, &sp, e);
}

/* Loop index: 0 clean UTF-8 (with multi-line quoted fields, CRLF, bare
 * CRs, blank lines, ragged rows, names in Chinese), 1 the same after a
 * BOM, 2 a quoted field of some 3 KB and 60 lines, 3 a byte that is not
 * UTF-8 in the middle, 4 a stray quote in the middle. */
START_TEST(test_single_read)
{
    size_t cap = 64 << 10, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    if (_i == 1)
        n += (size_t)snprintf(text + n, cap - n, "\xEF\xBB\xBF");
    n += (size_t)snprintf(text + n, cap - n, "b,c,a\n");
    for (int i = 0; n < cap - 4096; i++) {
        switch (i % 9) {
        case 0:   /* a quoted field holding LFs, a CRLF, commas and quotes */
            n += (size_t)snprintf(text + n, cap - n, "\"x\n%d,\r\n\"\"y\"\"\",z%d,%d\n", i, i, i);
            break;
        case 1:
            n += (size_t)snprintf(text + n, cap - n, "张三%d,李四,%d\r\n", i, i);
            break;
        case 2:   /* a bare CR ends a record */
            n += (size_t)snprintf(text + n, cap - n, "p%d,q,r\rs%d,t,u\n", i, i);
            break;
        case 3:
            n += (size_t)snprintf(text + n, cap - n, "\n%d,too,many,fields\n", i);
            break;
        case 4:   /* a bare CR inside quotes is data */
            n += (size_t)snprintf(text + n, cap - n, "\"m\r%d\",\"\",n\n", i);
            break;
        default:
            n += (size_t)snprintf(text + n, cap - n, "%d,%d.%02d,ok%d\n", i, i, i % 100, i);
        }
        if (_i == 3 && i == 300)
            n += (size_t)snprintf(text + n, cap - n, "\xFF,bad,byte\n");
        if (_i == 4 && i == 300)
            n += (size_t)snprintf(text + n, cap - n, "st\"ray,quote,here\n");
        if (_i == 2 && i == 200) {   /* some 3 KB across many cuts */
            n += (size_t)snprintf(text + n, cap - n, "\"");
            for (int k = 0; k < 60; k++)
                n += (size_t)snprintf(text + n, cap - n, "line %d of a long field,\n", k);
            n += (size_t)snprintf(text + n, cap - n, "\",long,end\n");
        }
    }
    n += (size_t)snprintf(text + n, cap - n, "last,row,no-LF");
    XXH128_hash_t want = XXH3_128bits(text, n);
    char want_sum[33];
    snprintf(want_sum, sizeof want_sum, "%016llx%016llx", (unsigned long long)want.high64,
             (unsigned long long)want.low64);

    static const char *const sizes[] = {"16", "100", "999", "4096", "20000"};
    int used_single = 0;
    struct load_bufs *kept = NULL;
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        ck_assert_int_eq(setenv("HEDUI_CHUNK_BYTES", sizes[z], 1), 0);
        struct sr_rec m;
        struct dataset dm;
        struct err e;
        int rc = sr_load(text, n, 0, NULL, &m, &dm, &e);
        ck_assert_msg(rc == E_OK, "%s", e.msg);
        ck_assert_int_eq(m.appends, 0);   /* memory: the classic path */
        for (int threads = 1; threads <= 3; threads++) {
            omp_set_num_threads(threads);
            struct sr_rec f;
            struct dataset df;
            /* the buffers kept from load to load (as normalise keeps them
             * from file to file, through sizes and thread counts), or not */
            rc = sr_load(text, n, 1, threads > 1 ? &kept : NULL, &f, &df, &e);
            ck_assert_msg(rc == E_OK, "%s", e.msg);
            const struct filestat *a = &dm.files[TFILE], *b = &df.files[TFILE];
            ck_assert_str_eq(b->checksum, want_sum);
            ck_assert_str_eq(a->checksum, want_sum);
            ck_assert_str_eq(b->encoding, a->encoding);
            ck_assert_int_eq(b->had_bom, a->had_bom);
            ck_assert_int_eq(b->data_rows, a->data_rows);
            ck_assert_uint_eq(b->rejects.n, a->rejects.n);   /* the header's, if any */
            /* the same events in the same order, however the chunks fall */
            size_t im = 0, jm = 0, jf = 0;
            int cf = 0, cm = 0;
            for (;;) {
                while (cm < m.n && jm == m.c[cm].n) {
                    cm++;
                    jm = 0;
                }
                while (cf < f.n && jf == f.c[cf].n) {
                    cf++;
                    jf = 0;
                }
                if (cm == m.n || cf == f.n) {
                    ck_assert_msg(cm == m.n && cf == f.n, "size %s threads %d: event %zu only in "
                                  "one", sizes[z], threads, im);
                    break;
                }
                const struct sr_ev *x = &m.c[cm].ev[jm++], *y = &f.c[cf].ev[jf++];
                ck_assert_msg(x->line == y->line && x->h == y->h && x->rej == y->rej,
                              "size %s threads %d: event %zu: line %lld/%lld reject %d/%d",
                              sizes[z], threads, im, x->line, y->line, x->rej, y->rej);
                im++;
            }
            ck_assert_uint_gt(im, 100);
            /* clean files are read once; the others go back to the classic
             * path (begun again at first = 0) */
            if (_i <= 2 && f.appends > 0)
                used_single = 1;
            if (_i <= 1)   /* no quoted field runs on through a segment */
                ck_assert_int_eq(f.restarts, 0);
            if (_i >= 3 && f.n > 1)
                ck_assert_int_ge(f.restarts, f.appends > 0);
            sr_free(&f);
            dataset_free(&df);
        }
        sr_free(&m);
        dataset_free(&dm);
    }
    if (_i <= 1)
        ck_assert_msg(used_single, "the single read never ran");
    load_bufs_free(kept);
    free(text);
}
END_TEST

/* ---------- the fast path against libcsv ---------- */

struct ref {
    char f[64][128];
    size_t len[64];
    int nf, rows;
};

static void cb1(void *s, size_t len, void *data)
{
    struct ref *r = data;
    if (r->nf < 64 && len < 128) {
        memcpy(r->f[r->nf], s, len);
        r->len[r->nf] = len;
    }
    r->nf++;
}

static void cb2(int c, void *data)
{
    (void)c;
    ((struct ref *)data)->rows++;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)rng;
}

START_TEST(test_fastpath_matches_libcsv)
{
    /* short lines of everything, and lines up to 99 bytes (the scanner's
     * 32- and 16-byte blocks and its tail): a quarter without any space
     * or tab (the split that trims nothing), a quarter with them, both
     * only rarely with a quote or CR (which decline the line) */
    static const char alphabet[] = "ab,, \t\t\r\"x9张";
    static const char no_ws[] = "ab,,,xyz9张\r\"";
    static const char ws[] = "ab,, \t\tx9张\r\"";
    int accepted = 0, compared = 0, compared_no_ws = 0, compared_long_ws = 0;
    for (int iter = 0; iter < 200000; iter++) {
        char line[128];
        size_t n = iter % 2 ? next() % 24 : next() % 100;
        const char *abc = iter % 4 == 0 ? no_ws : iter % 4 == 2 ? ws : alphabet;
        size_t n_abc = iter % 4 == 0 ? sizeof no_ws - 1 : iter % 4 == 2 ? sizeof ws - 1
                                                                        : sizeof alphabet - 1;
        if (iter % 2 == 0 && next() % 50)
            n_abc -= 2;   /* no CR, no quote */
        for (size_t i = 0; i < n; i++)
            line[i] = abc[next() % n_abc];
        size_t starts[64], lens[64];
        int k = load_split_simple(line, n, starts, lens, 64);
        if (k < 0)
            continue;
        accepted++;
        struct csv_parser p;
        ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
        struct ref r;
        memset(&r, 0, sizeof r);
        char buf[130];
        memcpy(buf, line, n);
        buf[n] = '\n';
        size_t used = csv_parse(&p, buf, n + 1, cb1, cb2, &r);
        ck_assert_uint_eq(used, n + 1);
        csv_fini(&p, cb1, cb2, &r);
        csv_free(&p);
        if (k == 0) {
            ck_assert_msg(r.rows == 0, "blank line '%.*s': libcsv made %d rows", (int)n, line,
                          r.rows);
            continue;
        }
        ck_assert_msg(r.rows == 1, "line '%.*s': libcsv made %d rows", (int)n, line, r.rows);
        ck_assert_int_eq(r.nf, k);
        for (int i = 0; i < k; i++) {
            ck_assert_uint_eq(r.len[i], lens[i]);
            ck_assert_msg(memcmp(r.f[i], line + starts[i], lens[i]) == 0,
                          "line '%.*s' field %d differs", (int)n, line, i);
        }
        compared++;
        if (n >= 32 && !memchr(line, ' ', n) && !memchr(line, '\t', n))
            compared_no_ws++;
        else if (n >= 32)
            compared_long_ws++;
    }
    /* the alphabets must exercise both outcomes and both splits */
    ck_assert_int_gt(accepted, 10000);
    ck_assert_int_gt(compared, 10000);
    ck_assert_int_gt(compared_no_ws, 10000);
    ck_assert_int_gt(compared_long_ws, 10000);
}
END_TEST

/* count_qlc (chunk placement: line numbers and quote parity) against a byte
 * loop, on random texts of every length to 600 at every start offset mod 32
 * (the 32-byte AVX2 blocks, the 16-byte SSE2 blocks and the byte tail),
 * and on texts of one byte repeated 20000 times, long enough to fill the
 * byte counters (255 blocks) more than twice. */
static void qlc_ref(const char *s, size_t n, long long c[3])
{
    c[0] = c[1] = c[2] = 0;
    for (size_t i = 0; i < n; i++) {
        c[0] += s[i] == '"';
        c[1] += s[i] == '\n';
        c[2] += s[i] == '\r';
    }
}

START_TEST(test_count_qlc_matches_bytes)
{
    static char buf[20000 + 64];
    static const char abc[] = "\"\n\ra,\"\n";
    long long want[3], q, lf, cr;
    int cases = 0;
    for (size_t n = 0; n <= 600; n++)
        for (size_t off = 0; off < 32; off += n % 7 + 1) {
            for (size_t i = 0; i < n; i++)
                buf[off + i] = abc[next() % (sizeof abc - 1)];
            qlc_ref(buf + off, n, want);
            q = lf = cr = -1;
            load_count_qlc(buf + off, n, &q, &lf, &cr);
            ck_assert_msg(q == want[0] && lf == want[1] && cr == want[2],
                          "n %zu off %zu: %lld %lld %lld, want %lld %lld %lld", n, off, q, lf,
                          cr, want[0], want[1], want[2]);
            cases++;
        }
    const char full[] = {'"', '\n', '\r'};
    for (int c = 0; c < 3; c++) {
        memset(buf, full[c], 20000);
        load_count_qlc(buf + 3, 19997, &q, &lf, &cr);
        ck_assert_int_eq(q, c == 0 ? 19997 : 0);
        ck_assert_int_eq(lf, c == 1 ? 19997 : 0);
        ck_assert_int_eq(cr, c == 2 ? 19997 : 0);
    }
    ck_assert_int_gt(cases, 4000);
}
END_TEST

START_TEST(test_fastpath_declines_quotes_and_inner_cr)
{
    size_t s[8], l[8];
    ck_assert_int_eq(load_split_simple("a,\"b\"", 5, s, l, 8), -1);
    ck_assert_int_eq(load_split_simple("a\rb", 3, s, l, 8), -1);
    ck_assert_int_eq(load_split_simple("a,b\r", 4, s, l, 8), 2);
    ck_assert_int_eq(load_split_simple(" \t ", 3, s, l, 8), 0);
    ck_assert_int_eq(load_split_simple(" a , b ,", 8, s, l, 8), 3);
    ck_assert_uint_eq(l[0], 1);
    ck_assert_uint_eq(l[2], 0);
}
END_TEST

Suite *load_suite(void)
{
    Suite *s = suite_create("load");
    TCase *tl = tcase_create("load");
    tcase_add_checked_fixture(tl, tk_scratch_setup, tk_scratch_teardown);
    tcase_add_test(tl, test_header_order_extra_column);
    tcase_add_test(tl, test_bom);
    tcase_add_test(tl, test_crlf);
    tcase_add_test(tl, test_quoted_field);
    tcase_add_test(tl, test_multiline_line_numbers);
    tcase_add_test(tl, test_blank_lines);
    tcase_add_test(tl, test_spaces_and_empty_fields);
    tcase_add_test(tl, test_ragged_rows);
    tcase_add_test(tl, test_stray_quote);
    tcase_add_test(tl, test_stray_quote_after_multiline);
    tcase_add_test(tl, test_unterminated_quote);
    tcase_add_test(tl, test_missing_column);
    tcase_add_test(tl, test_empty_and_header_only);
    tcase_add_test(tl, test_bad_bytes_line);
    tcase_add_test(tl, test_gb18030);
    tcase_add_test(tl, test_missing_file);
    tcase_add_test(tl, test_from_memory);
    tcase_add_test(tl, test_callback_error_stops);
    tcase_add_test(tl, test_long_field);
    tcase_add_loop_test(tl, test_utf8_across_blocks, 0, 2);
    tcase_add_loop_test(tl, test_single_read, 0, 5);
    suite_add_tcase(s, tl);
    TCase *tn = tcase_create("normalise");
    tcase_add_checked_fixture(tn, tk_scratch_setup, tk_scratch_teardown);
    tcase_add_loop_test(tn, test_norm_vehicles, 0, 2);
    tcase_add_loop_test(tn, test_norm_property, 0, 2);
    tcase_add_loop_test(tn, test_norm_members, 0, 2);
    tcase_add_loop_test(tn, test_norm_households, 0, 2);
    tcase_add_loop_test(tn, test_norm_holidays_gb_and_limits, 0, 2);
    tcase_add_loop_test(tn, test_norm_generated, 0, 2);
    suite_add_tcase(s, tn);
    TCase *tf = tcase_create("fastpath");
    tcase_set_timeout(tf, 60);
    tcase_add_test(tf, test_fastpath_matches_libcsv);
    tcase_add_test(tf, test_count_qlc_matches_bytes);
    tcase_add_test(tf, test_fastpath_declines_quotes_and_inner_cr);
    suite_add_tcase(s, tf);
    return s;
}
