/* review_import.c - checking an auditors' file of verdicts (see
 * review_import.h).
 *
 * Owns: the forms a verdict may take (a fingerprint as a spreadsheet saves
 * it, a pack's key, Chinese verdict words, YYYY/M/D and YYYY年M月D日 dates
 * and date serials, spaces around cells), the two headers a file may have
 * (ours, a pack's) and every reason a row is refused.  Never: writes a
 * state or a store; takes a file with a bad row.
 */
#include "audit/review_import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/fingerprint.h"
#include "audit/pack.h"
#include "base/csvread.h"
#include "base/date.h"
#include "base/encoding.h"
#include "base/xlsx_read.h"

const char *const outcome_names[N_OUTCOMES] = {"", "confirmed", "cleared", "referred"};

int outcome_parse(const char *s)
{
    static const char *const zh[N_OUTCOMES] = {"", "确认", "排除", "移交"};
    for (int i = 1; i < N_OUTCOMES; i++)
        if (strcmp(s, outcome_names[i]) == 0 || strcmp(s, zh[i]) == 0)
            return i;
    return -1;
}

/* YYYY-MM-DD, YYYY-M-D, YYYY/M/D or YYYY年M月D日 -> day number */
static int parse_review_date(const char *s, int *out)
{
    int y, m, d, used = 0;
    char s1, s2, tail;
    if (sscanf(s, "%4d年%2d月%2d日%n", &y, &m, &d, &used) == 3 && !s[used]) {
        char norm[16];
        snprintf(norm, sizeof norm, "%04d-%02d-%02d", y, m, d);
        return date_parse(norm, 10, out);
    }
    if (sscanf(s, "%4d%c%2d%c%2d%c", &y, &s1, &m, &s2, &d, &tail) != 5)
        return -1;
    if (s1 != s2 || (s1 != '-' && s1 != '/'))
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != s1)
            return -1;
    char norm[16];
    snprintf(norm, sizeof norm, "%04d-%02d-%02d", y, m, d);
    return date_parse(norm, 10, out);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* A fingerprint cell as a spreadsheet may have saved it: '…, ="…". */
static char *unwrap_fp(char *s)
{
    s = trim(s);
    if (s[0] == '\'')
        s++;
    size_t n = strlen(s);
    if (n >= 3 && s[0] == '=' && s[1] == '"' && s[n - 1] == '"') {
        s[n - 1] = '\0';
        s += 2;
    }
    return s;
}

static int looks_numeric(const char *s)
{
    int digits = 0;
    for (; *s; s++) {
        if (isdigit((unsigned char)*s))
            digits++;
        else if (!strchr(".eE+-,", *s))
            return 0;
    }
    return digits > 0;
}

/* Fingerprints of an import file -> the line where each was first seen. */
struct fpset {
    uint64_t *k;
    long long *line;
    size_t n, cap;    /* cap a power of two */
};

/* The line fp was first seen on (line itself when new); -1 when out of memory. */
static long long fpset_add(struct fpset *s, uint64_t fp, long long line)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        uint64_t *k = calloc(nc, sizeof *k);
        long long *l = calloc(nc, sizeof *l);
        if (!k || !l) {
            free(k);
            free(l);
            return -1;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->k[i])
                continue;
            size_t h = (size_t)(s->k[i] * 0x9E3779B97F4A7C15ull) & (nc - 1);
            while (k[h])
                h = (h + 1) & (nc - 1);
            k[h] = s->k[i];
            l[h] = s->line[i];
        }
        free(s->k);
        free(s->line);
        s->k = k;
        s->line = l;
        s->cap = nc;
    }
    size_t h = (size_t)(fp * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    while (s->k[h] && s->k[h] != fp)
        h = (h + 1) & (s->cap - 1);
    if (s->k[h])
        return s->line[h];
    s->k[h] = fp;   /* fingerprints are never 0 */
    s->line[h] = line;
    s->n++;
    return line;
}

static char *keep(struct arena *a, const char *s, struct err *e)
{
    char *p = arena_strndup(a, s, strlen(s));
    if (!p)
        ERR(e, E_NOMEM, "out of memory while reading the review state");
    return p;
}

/* The rows of an import: a CSV (csvr) or a workbook's sheet (xlsx_read). */
struct src {
    int xlsx;
    struct csvr r;
    struct xlsx_sheet x;
    size_t next;        /* xlsx: the next row */
    char **field;       /* the current row */
    int n_field;
    const char *kind;   /* xlsx: each cell's kind (xlsx_read.h); NULL for a CSV */
    long long line;     /* CSV: physical line; xlsx: the sheet's row number */
    int date1904;
};

static int src_open(struct src *s, const char *file, struct err *e)
{
    memset(s, 0, sizeof *s);
    s->xlsx = xlsx_looks_like(file);
    if (!s->xlsx)
        return csvr_open(&s->r, file, e);
    int st = xlsx_read_sheet(file, PACK_SHEET_LIST, &s->x, e);
    s->date1904 = s->x.date1904;
    return st;
}

/* 1 and the next row, 0 at the end, -1 with e set. */
static int src_next(struct src *s, struct err *e)
{
    if (!s->xlsx) {
        int k = csvr_next(&s->r, e);
        s->field = s->r.field;
        s->n_field = s->r.n_field;
        s->line = s->r.rec_line;
        return k;
    }
    if (s->next >= s->x.n_rows)
        return 0;
    const struct xlsx_row *row = &s->x.rows[s->next++];
    s->field = (char **)row->v;   /* the sheet's own copies: trimmed in place */
    s->n_field = row->n;
    s->kind = row->kind;
    s->line = row->r;
    return 1;
}

static void src_close(struct src *s)
{
    if (s->xlsx)
        xlsx_sheet_free(&s->x);
    else
        csvr_close(&s->r);
}

/* Field c of the current row ("" when the row is shorter: a workbook's
 * rows end at their last cell). */
static char *src_field(const struct src *s, int c)
{
    static char empty[1];
    empty[0] = '\0';
    return c >= 0 && c < s->n_field ? s->field[c] : empty;
}

enum { F_FP, F_OUTCOME, F_REVIEWER, F_DATE, F_NOTE, N_F };

/* Find the columns in the header row: ours (fingerprint ...) or a pack's
 * (核查键 ...); *by_key for a pack's. */
static int find_cols(const struct src *s, const char *file, int col[N_F], int *by_key,
                     struct err *e)
{
    static const char *const ours[N_F] = {"fingerprint", "outcome", "reviewer", "reviewed_on",
                                          "note"};
    static const char *const pack[N_F] = {PACK_H_KEY, PACK_H_VERDICT, PACK_H_REVIEWER,
                                          PACK_H_DATE, PACK_H_NOTE};
    int pack_cols_seen = 0;
    for (int set = 0; set < 2; set++) {
        const char *const *names = set ? pack : ours;
        int found = 0;
        for (int k = 0; k < N_F; k++) {
            col[k] = -1;
            for (int i = 0; i < s->n_field && col[k] < 0; i++)
                if (strcmp(trim(s->field[i]), names[k]) == 0)
                    col[k] = i;
            found += col[k] >= 0 && k < F_NOTE;
        }
        if (found == 4) {
            *by_key = set;
            return E_OK;
        }
        if (set)
            pack_cols_seen = col[F_OUTCOME] >= 0;
    }
    err_where(e, file, s->line, 0);
    if (pack_cols_seen)
        return ERR(e, E_PARSE, "this township pack has no %s column: it was exported without "
                               "--state, so its verdicts cannot be traced to their findings; "
                               "export it again with 'hedui export --state DIR' and copy the "
                               "verdicts over", PACK_H_KEY);
    char missing[200] = "";
    for (int k = 0; k < F_NOTE; k++) {
        int there = 0;
        for (int i = 0; i < s->n_field && !there; i++)
            there = strcmp(s->field[i], ours[k]) == 0;
        size_t m = strlen(missing);
        if (!there)
            snprintf(missing + m, sizeof missing - m, "%s%s", m ? ", " : "", ours[k]);
    }
    return ERR(e, E_PARSE, "missing column(s): %s (a township pack has %s, %s, %s, %s "
                           "instead)", missing, PACK_H_KEY, PACK_H_VERDICT, PACK_H_REVIEWER,
               PACK_H_DATE);
}

/* The date cell: text as written, or a spreadsheet's date serial. */
static int review_date(const struct src *s, int c, const char *text, int *out)
{
    if (s->kind && c >= 0 && c < s->n_field && s->kind[c] == 'n') {
        int d = xlsx_serial_date(text, s->date1904);
        if (d < 0)
            return -1;
        *out = d;
        return 0;
    }
    if (s->kind && c >= 0 && c < s->n_field && s->kind[c] == 'd' && strlen(text) > 10 &&
        text[10] == 'T')
        return date_parse(text, 10, out);   /* an ISO date cell: 2026-06-12T00:00:00 */
    return parse_review_date(text, out);
}

/* Why the current row is refused, into why[0..nwhy) ("" when it is a
 * verdict: *out filled); 1 when it holds no verdict yet; -1 out of memory. */
static int check_row(const struct src *s, const int col[N_F], int by_key, int n_header,
                     const struct import_check *chk, struct fpset *seen, char *why,
                     size_t nwhy, struct review_verdict *out, char **who_out, char **note_out)
{
    why[0] = '\0';
    if (!s->xlsx && s->n_field != n_header) {
        snprintf(why, nwhy, "has %d fields, the header has %d", s->n_field, n_header);
    } else {
        for (int i = 0; i < s->n_field; i++)
            if (utf8_valid_prefix((const unsigned char *)s->field[i], strlen(s->field[i])) !=
                strlen(s->field[i]))
                snprintf(why, nwhy, "field %d is neither UTF-8 nor GB18030", i + 1);
    }
    char *fp_s = "", *oc_s = "", *who = "", *on_s = "", *note = "";
    if (!why[0]) {
        fp_s = by_key ? trim(src_field(s, col[F_FP])) : unwrap_fp(src_field(s, col[F_FP]));
        oc_s = trim(src_field(s, col[F_OUTCOME]));
        who = trim(src_field(s, col[F_REVIEWER]));
        on_s = trim(src_field(s, col[F_DATE]));
        note = col[F_NOTE] >= 0 ? trim(src_field(s, col[F_NOTE])) : "";
        if (!*oc_s && !*who && !*on_s)
            return 1;   /* no verdict yet (an export pack row) */
    }
    const char *fp_name = by_key ? PACK_H_KEY : "fingerprint";
    const char *oc_name = by_key ? PACK_H_VERDICT : "outcome";
    const char *on_name = by_key ? PACK_H_DATE : "reviewed_on";
    uint64_t fp = 0;
    int oc = -1, on = 0;
    if (why[0]) {
    } else if (!*fp_s) {
        snprintf(why, nwhy, "%s is empty", fp_name);
    } else if (by_key && !chk->from_key) {
        snprintf(why, nwhy, "%s '%.40s' cannot be traced: %s", fp_name, fp_s, chk->no_keys);
    } else if (by_key && !chk->from_key(chk->key_ctx, fp_s, &fp)) {
        snprintf(why, nwhy, "%s '%.40s' is not the key of any finding recorded in %s (a pack "
                            "exported with another --state, or the key was changed?)",
                 fp_name, fp_s, chk->where);
    } else if (!by_key && review_fp_parse(fp_s, &fp) != 0) {
        if (looks_numeric(fp_s))
            snprintf(why, nwhy, "fingerprint '%.40s' looks converted to a number by a "
                                "spreadsheet: format that column as text and copy the "
                                "fingerprint again", fp_s);
        else
            snprintf(why, nwhy, "'%.40s' is not a fingerprint (16 hex digits)", fp_s);
    } else if (chk->known && !chk->known(chk->ctx, fp)) {
        snprintf(why, nwhy, "fingerprint %.16s is not a finding of any run recorded in %s",
                 fp_s, chk->where);
    } else if ((oc = outcome_parse(oc_s)) < 0) {
        snprintf(why, nwhy, "%s '%.40s' is not confirmed, cleared or referred (确认, 排除, "
                            "移交)", oc_name, oc_s);
    } else if (!*who) {
        snprintf(why, nwhy, "%s is empty", by_key ? PACK_H_REVIEWER : "reviewer");
    } else if (review_date(s, col[F_DATE], on_s, &on) != 0) {
        snprintf(why, nwhy, "%s '%.40s' is not a date (YYYY-MM-DD)", on_name, on_s);
    } else if (on > chk->today) {
        snprintf(why, nwhy, "%s %s is after today", on_name, on_s);
    } else {
        long long first = fpset_add(seen, fp, s->line);
        if (first < 0)
            return -1;
        if (first != s->line)
            snprintf(why, nwhy, "%s %.40s is also on line %lld", fp_name, fp_s, first);
    }
    out->fp = fp;
    out->outcome = oc;
    if (!why[0])
        date_format(on, out->reviewed_on);
    out->line = s->line;
    *who_out = who;
    *note_out = note;
    return 0;
}

int review_import_read(const char *file, const struct import_check *chk, struct arena *a,
                       struct review_verdict **rows_out, size_t *n_out, size_t *n_skipped,
                       struct err *e)
{
    *rows_out = NULL;
    *n_out = 0;
    *n_skipped = 0;
    struct src src;
    int st = src_open(&src, file, e);
    if (st != E_OK) {
        if (src.xlsx)
            xlsx_sheet_free(&src.x);
        return st;
    }
    int col[N_F], by_key = 0;
    int k = src_next(&src, e);
    if (k < 0)
        st = e->code;
    else if (k == 0) {
        err_where(e, file, 1, 0);
        st = ERR(e, E_PARSE, "empty file: no header row");
    } else
        st = find_cols(&src, file, col, &by_key, e);
    int n_header = src.n_field;
    struct review_verdict *rows = NULL;
    size_t n = 0, cap = 0, n_bad = 0;
    struct fpset seen = {0};
    while (st == E_OK) {
        k = src_next(&src, e);
        if (k < 0) {
            st = e->code;
            break;
        }
        if (k == 0)
            break;
        char why[600];
        struct review_verdict v;
        char *who = "", *note = "";
        int c = check_row(&src, col, by_key, n_header, chk, &seen, why, sizeof why, &v, &who,
                          &note);
        if (c < 0) {
            st = ERR(e, E_NOMEM, "out of memory while reading the verdicts");
            break;
        }
        if (c > 0) {
            (*n_skipped)++;
            continue;
        }
        if (why[0]) {
            n_bad++;
            if (n_bad <= 200)
                fprintf(stderr, "hedui: %s:%lld: %s\n", file, src.line, why);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct review_verdict *nr = realloc(rows, cap * sizeof *rows);
            if (!nr) {
                st = ERR(e, E_NOMEM, "out of memory while reading the verdicts");
                break;
            }
            rows = nr;
        }
        v.reviewer = keep(a, who, e);
        v.note = keep(a, note, e);
        rows[n++] = v;
        if (!v.reviewer || !v.note)
            st = e->code;
    }
    src_close(&src);
    free(seen.k);
    free(seen.line);
    if (st == E_OK && n_bad) {
        if (n_bad > 200)
            fprintf(stderr, "hedui: ... and %zu more bad rows\n", n_bad - 200);
        err_where(e, file, 0, 0);
        st = ERR(e, E_DATA, "%zu bad row%s (listed above); nothing was imported: fix %s and "
                            "import it again", n_bad, n_bad == 1 ? "" : "s",
                 n_bad == 1 ? "it" : "them");
    }
    if (st != E_OK) {
        free(rows);
        return st;
    }
    *rows_out = rows;
    *n_out = n;
    return E_OK;
}
