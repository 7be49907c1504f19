/* xlsx_read.c - one worksheet of an .xlsx read with libzip and expat (see
 * xlsx_read.h).
 *
 * Each part is streamed from the zip into an expat parser in 64 KiB
 * pieces; the callbacks keep only what the caller gets (the rows' text)
 * and the shared strings.
 *
 * Owns: the walk workbook -> rels -> shared strings -> sheet.  Never:
 * prints, writes, knows what a column means.
 */
#include "base/xlsx_read.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "base/date.h"
#include "base/textout.h"

#define PART_MAX ((zip_uint64_t)256 << 20)
#define MAX_COLS 1024
#define MAX_ROWS (1 << 20)
#define MAX_STRINGS (1 << 24)
#define NS_SEP '\x01'

/* The local part of an expat name "uri\x01local" (or "local"). */
static const char *local(const char *name)
{
    const char *p = strrchr(name, NS_SEP);
    return p ? p + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), name) == 0)
            return atts[i + 1];
    return NULL;
}

/* What every callback sees. */
struct rd {
    struct xlsx_sheet *s;
    int failed;            /* a limit or out of memory: stop */
    char why[200];
    struct strbuf text;    /* text of the element being collected */
    int collect;           /* inside a <t> or <v> whose text counts */
    int depth_rph;         /* inside <rPh> (phonetic): not text */
    /* workbook */
    char sheet_rid[64], first_rid[64];
    int found_sheet;
    /* rels */
    const char *want_rid;
    char target[512], sst_target[512];
    /* shared strings */
    char **sst;
    size_t n_sst, cap_sst;
    /* sheet */
    long long row_r;
    int col, cell_kind;    /* current cell: column, t= kind */
    int in_cell, in_is;
    const char **cells;    /* the current row, MAX_COLS */
    char *kinds;
    int row_n;
    size_t cap_rows;
};

static void fail(struct rd *r, const char *why)
{
    if (!r->failed)
        snprintf(r->why, sizeof r->why, "%s", why);
    r->failed = 1;
}

static void XMLCALL on_text(void *u, const XML_Char *s, int len)
{
    struct rd *r = u;
    if (r->collect && !r->depth_rph)
        strbuf_put(&r->text, s, (size_t)len);
}

/* ---------- workbook.xml ---------- */

static void XMLCALL wb_start(void *u, const XML_Char *name, const XML_Char **atts)
{
    struct rd *r = u;
    const char *n = local(name);
    if (strcmp(n, "workbookPr") == 0) {
        const char *d = attr(atts, "date1904");
        r->s->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
    } else if (strcmp(n, "sheet") == 0) {
        const char *nm = attr(atts, "name"), *id = attr(atts, "id");
        if (!nm || !id)
            return;
        if (!r->first_rid[0]) {
            snprintf(r->first_rid, sizeof r->first_rid, "%s", id);
            snprintf(r->s->name, sizeof r->s->name, "%s", nm);
        }
        if (r->want_rid && !r->found_sheet && strcmp(nm, r->want_rid) == 0) {
            snprintf(r->sheet_rid, sizeof r->sheet_rid, "%s", id);
            snprintf(r->s->name, sizeof r->s->name, "%s", nm);
            r->found_sheet = 1;
        }
    }
}

/* ---------- workbook.xml.rels ---------- */

static void XMLCALL rels_start(void *u, const XML_Char *name, const XML_Char **atts)
{
    struct rd *r = u;
    if (strcmp(local(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *tg = attr(atts, "Target");
    if (!id || !type || !tg)
        return;
    size_t tl = strlen(type);
    if (tl >= 13 && strcmp(type + tl - 13, "sharedStrings") == 0)
        snprintf(r->sst_target, sizeof r->sst_target, "%s", tg);
    if (strcmp(id, r->sheet_rid) == 0)
        snprintf(r->target, sizeof r->target, "%s", tg);
}

/* ---------- sharedStrings.xml ---------- */

static void XMLCALL sst_start(void *u, const XML_Char *name, const XML_Char **atts)
{
    struct rd *r = u;
    const char *n = local(name);
    if (strcmp(n, "si") == 0)
        strbuf_reset(&r->text);
    else if (strcmp(n, "rPh") == 0)
        r->depth_rph++;
    else if (strcmp(n, "t") == 0)
        r->collect = 1;
}

static void XMLCALL sst_end(void *u, const XML_Char *name)
{
    struct rd *r = u;
    const char *n = local(name);
    if (strcmp(n, "rPh") == 0) {
        r->depth_rph--;
    } else if (strcmp(n, "t") == 0) {
        r->collect = 0;
    } else if (strcmp(n, "si") == 0) {
        if (r->n_sst == r->cap_sst) {
            size_t nc = r->cap_sst ? 2 * r->cap_sst : 1024;
            char **nv = nc <= MAX_STRINGS ? realloc(r->sst, nc * sizeof *nv) : NULL;
            if (!nv) {
                fail(r, nc > MAX_STRINGS ? "more shared strings than hedui reads" : "");
                return;
            }
            r->sst = nv;
            r->cap_sst = nc;
        }
        char *p = arena_strndup(&r->s->a, r->text.p ? r->text.p : "", r->text.n);
        if (!p || r->text.oom)
            fail(r, "");
        r->sst[r->n_sst++] = p;
    }
}

/* ---------- the sheet ---------- */

static int col_of(const char *ref)
{
    int c = 0, n = 0;
    for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++)
        c = c * 26 + (*ref - 'A' + 1);
    return n ? c - 1 : -1;
}

static void XMLCALL sh_start(void *u, const XML_Char *name, const XML_Char **atts)
{
    struct rd *r = u;
    const char *n = local(name);
    if (strcmp(n, "row") == 0) {
        const char *rr = attr(atts, "r");
        r->row_r = rr ? atoll(rr) : r->row_r + 1;
        r->row_n = 0;
        r->col = -1;
    } else if (strcmp(n, "c") == 0) {
        const char *ref = attr(atts, "r"), *t = attr(atts, "t");
        int c = ref ? col_of(ref) : r->col + 1;
        r->col = c < 0 ? r->col + 1 : c;
        r->cell_kind = !t || strcmp(t, "n") == 0   ? 'n'
                       : strcmp(t, "s") == 0       ? 'S'
                       : strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0 ? 's'
                       : strcmp(t, "b") == 0       ? 'b'
                       : strcmp(t, "e") == 0       ? 'e'
                       : strcmp(t, "d") == 0       ? 'd'
                                                   : 's';
        r->in_cell = 1;
        strbuf_reset(&r->text);
    } else if (r->in_cell && strcmp(n, "is") == 0) {
        r->in_is = 1;
    } else if (r->in_cell && strcmp(n, "rPh") == 0) {
        r->depth_rph++;
    } else if (r->in_cell && (strcmp(n, "v") == 0 || (r->in_is && strcmp(n, "t") == 0))) {
        r->collect = 1;
    }
}

static void end_cell(struct rd *r)
{
    r->in_cell = 0;
    r->in_is = 0;
    if (r->text.oom)
        return fail(r, "");
    if (r->col >= MAX_COLS)
        return fail(r, "a row has more than 1024 columns");
    const char *t = r->text.p ? r->text.p : "";
    int kind = r->cell_kind;
    if (kind == 'S') {
        char *end;
        unsigned long long i = strtoull(t, &end, 10);
        if (!*t || *end || i >= r->n_sst)
            return fail(r, "a cell names a shared string that is not there");
        t = r->sst[i];
        kind = 's';
    } else if (!(t = arena_strndup(&r->s->a, t, strlen(t)))) {
        return fail(r, "");
    }
    if (!*t)
        return;
    for (int i = r->row_n; i < r->col; i++) {
        r->cells[i] = "";
        r->kinds[i] = 0;
    }
    r->cells[r->col] = t;
    r->kinds[r->col] = (char)kind;
    if (r->col >= r->row_n)
        r->row_n = r->col + 1;
}

static void end_row(struct rd *r)
{
    struct xlsx_sheet *s = r->s;
    if (!r->row_n)
        return;
    if (s->n_rows >= MAX_ROWS)
        return fail(r, "more rows than a spreadsheet holds");
    if (s->n_rows == r->cap_rows) {
        size_t nc = r->cap_rows ? 2 * r->cap_rows : 256;
        struct xlsx_row *nv = realloc(s->rows, nc * sizeof *nv);
        if (!nv)
            return fail(r, "");
        s->rows = nv;
        r->cap_rows = nc;
    }
    struct xlsx_row *row = &s->rows[s->n_rows];
    row->r = r->row_r;
    row->n = r->row_n;
    row->v = arena_alloc(&s->a, (size_t)r->row_n * sizeof *row->v);
    row->kind = arena_alloc(&s->a, (size_t)r->row_n);
    if (!row->v || !row->kind)
        return fail(r, "");
    memcpy(row->v, r->cells, (size_t)r->row_n * sizeof *row->v);
    memcpy(row->kind, r->kinds, (size_t)r->row_n);
    s->n_rows++;
}

static void XMLCALL sh_end(void *u, const XML_Char *name)
{
    struct rd *r = u;
    const char *n = local(name);
    if (strcmp(n, "c") == 0 && r->in_cell)
        end_cell(r);
    else if (strcmp(n, "row") == 0)
        end_row(r);
    else if (strcmp(n, "rPh") == 0 && r->depth_rph)
        r->depth_rph--;
    else if (strcmp(n, "v") == 0 || strcmp(n, "t") == 0)
        r->collect = 0;
}

/* ---------- parts ---------- */

/* Stream the part called name into a parser with these callbacks.
 * E_NOINPUT (no error set) when the part is missing. */
static int parse_part(zip_t *z, const char *path, const char *name, struct rd *r,
                      XML_StartElementHandler start, XML_EndElementHandler end, struct err *e)
{
    zip_stat_t zs;
    zip_stat_init(&zs);
    if (zip_stat(z, name, 0, &zs) != 0)
        return E_NOINPUT;
    char where[600];
    snprintf(where, sizeof where, "%s(%s)", path, name);
    if ((zs.valid & ZIP_STAT_SIZE) && zs.size > PART_MAX) {
        err_where(e, where, 0, 0);
        return ERR(e, E_PARSE, "the part is larger than 256 MiB: not a pack hedui wrote or a "
                               "spreadsheet re-saved");
    }
    zip_file_t *zf = zip_fopen(z, name, 0);
    XML_Parser p = XML_ParserCreateNS(NULL, NS_SEP);
    if (!zf || !p) {
        if (zf)
            zip_fclose(zf);
        if (p)
            XML_ParserFree(p);
        err_where(e, where, 0, 0);
        return ERR(e, zf ? E_NOMEM : E_PARSE, "cannot open the part: %s",
                   zf ? "out of memory" : zip_strerror(z));
    }
    XML_SetUserData(p, r);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, on_text);
    char buf[65536];
    zip_uint64_t total = 0;
    int st = E_OK;
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf, sizeof buf);
        if (n < 0) {
            err_where(e, where, 0, 0);
            st = ERR(e, E_PARSE, "cannot unpack the part: %s", zip_file_strerror(zf));
            break;
        }
        total += (zip_uint64_t)n;
        if (total > PART_MAX) {
            err_where(e, where, 0, 0);
            st = ERR(e, E_PARSE, "the part unpacks to more than 256 MiB");
            break;
        }
        if (XML_Parse(p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
            err_where(e, where, (long long)XML_GetCurrentLineNumber(p),
                      (int)XML_GetCurrentColumnNumber(p) + 1);
            st = ERR(e, E_PARSE, "not XML: %s", XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (r->failed) {
            err_where(e, where, (long long)XML_GetCurrentLineNumber(p), 0);
            st = r->why[0] ? ERR(e, E_PARSE, "%s", r->why)
                           : ERR(e, E_NOMEM, "out of memory while reading the workbook");
            break;
        }
        if (n == 0)
            break;
    }
    XML_ParserFree(p);
    zip_fclose(zf);
    return st;
}

/* A rels Target, relative to xl/ or absolute, as a part name. */
static void part_name(const char *target, char *out, size_t n)
{
    if (target[0] == '/')
        snprintf(out, n, "%s", target + 1);
    else
        snprintf(out, n, "xl/%s", target);
}

int xlsx_looks_like(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char b[4] = {0};
    size_t n = f ? fread(b, 1, 4, f) : 0;
    if (f)
        fclose(f);
    return n == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
}

int xlsx_read_sheet(const char *path, const char *want, struct xlsx_sheet *s, struct err *e)
{
    memset(s, 0, sizeof *s);
    arena_init(&s->a, (size_t)1 << 16);
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        if (zerr == ZIP_ER_NOENT)
            return ERR(e, E_NOINPUT, "%s does not exist", path);
        err_where(e, path, 0, 0);
        return ERR(e, zerr == ZIP_ER_MEMORY ? E_NOMEM : E_PARSE,
                   "not an .xlsx workbook (not a zip archive)");
    }
    struct rd r;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.want_rid = want;
    r.cells = malloc(MAX_COLS * sizeof *r.cells);
    r.kinds = malloc(MAX_COLS);
    int st = r.cells && r.kinds ? E_OK : ERR(e, E_NOMEM, "out of memory while reading %s", path);
    const char *missing = "xl/workbook.xml";
    if (st == E_OK)
        st = parse_part(z, path, missing, &r, wb_start, NULL, e);
    if (st == E_OK && !r.found_sheet)
        snprintf(r.sheet_rid, sizeof r.sheet_rid, "%s", r.first_rid);
    if (st == E_OK)
        st = parse_part(z, path, missing = "xl/_rels/workbook.xml.rels", &r, rels_start, NULL,
                        e);
    if (st == E_OK && (!r.sheet_rid[0] || !r.target[0])) {
        err_where(e, path, 0, 0);
        st = ERR(e, E_PARSE, "the workbook names no worksheet");
    }
    char part[1200];
    if (st == E_OK) {
        part_name(r.sst_target[0] ? r.sst_target : "sharedStrings.xml", part, sizeof part);
        st = parse_part(z, path, part, &r, sst_start, sst_end, e);
        if (st == E_NOINPUT)
            st = E_OK;   /* a workbook with inline strings only */
    }
    if (st == E_OK) {
        strbuf_reset(&r.text);
        r.collect = 0;
        r.depth_rph = 0;
        part_name(r.target, part, sizeof part);
        st = parse_part(z, path, missing = part, &r, sh_start, sh_end, e);
    }
    if (st == E_NOINPUT && !e->code) {
        err_where(e, path, 0, 0);
        st = ERR(e, E_PARSE, "not an .xlsx workbook (it has no part %s)", missing);
    }
    free(r.cells);
    free(r.kinds);
    free(r.sst);
    strbuf_free(&r.text);
    zip_close(z);   /* read only: discards */
    return st;
}

void xlsx_sheet_free(struct xlsx_sheet *s)
{
    free(s->rows);
    s->rows = NULL;
    s->n_rows = 0;
    arena_free(&s->a);
}

int xlsx_serial_date(const char *s, int date1904)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= 1 && v < 2958466))   /* up to 9999-12-31 */
        return -1;
    long whole = (long)v;
    /* Excel's 1900 system counts a 29 February 1900 that never was, so
     * from serial 61 on, day 0 is 1899-12-30 (and 1 is 1900-01-01). */
    if (date1904)
        return date_from_ymd(1904, 1, 1) + (int)whole;
    if (whole < 60)
        return date_from_ymd(1899, 12, 31) + (int)whole;
    return date_from_ymd(1899, 12, 30) + (int)whole;
}
