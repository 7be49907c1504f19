/* check_load.c - unit tests for engine/load.c: CSV bytes to records.
 *
 * Owns: the load suite.  Every test writes its input under a fresh
 * directory in /tmp (created and removed by the fixture) and reads it back
 * through load_csv() with a recording row callback.  Expected values
 * follow the data contract (doc/data-contract.md): lines are physical
 * lines where a record starts, the header is line 1.  The "fastpath" case
 * checks that load_split_simple() (lines without quotes) splits exactly as
 * libcsv: random lines over an alphabet rich in separators, spaces, tabs,
 * CRs and quotes are split both ways; whenever the fast path accepts a
 * line, the fields must be byte-identical to libcsv's (strict mode, the
 * options the loader uses).  Deterministic: a fixed xorshift seed.
 */
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/load.h"
#include "testkit.h"
#include "tests.h"

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

#define assert_reject tk_assert_reject

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

/* ---------- the fast path against libcsv ---------- */

struct ref {
    char f[64][64];
    size_t len[64];
    int nf, rows;
};

static void cb1(void *s, size_t len, void *data)
{
    struct ref *r = data;
    if (r->nf < 64 && len < 64) {
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
    static const char alphabet[] = "ab,, \t\t\r\"x9张";
    int accepted = 0, compared = 0;
    for (int iter = 0; iter < 200000; iter++) {
        char line[48];
        size_t n = next() % 24;
        for (size_t i = 0; i < n; i++)
            line[i] = alphabet[next() % (sizeof alphabet - 1)];
        size_t starts[64], lens[64];
        int k = load_split_simple(line, n, starts, lens, 64);
        if (k < 0)
            continue;
        accepted++;
        struct csv_parser p;
        ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
        struct ref r;
        memset(&r, 0, sizeof r);
        char buf[50];
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
    }
    /* the alphabet must exercise both outcomes */
    ck_assert_int_gt(accepted, 10000);
    ck_assert_int_gt(compared, 10000);
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
    suite_add_tcase(s, tl);
    TCase *tf = tcase_create("fastpath");
    tcase_set_timeout(tf, 60);
    tcase_add_test(tf, test_fastpath_matches_libcsv);
    tcase_add_test(tf, test_fastpath_declines_quotes_and_inner_cr);
    suite_add_tcase(s, tf);
    return s;
}
