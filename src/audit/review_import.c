/* review_import.c - checking an auditors' file of verdicts (see
 * review_import.h).
 *
 * Owns: the forms a verdict may take (a fingerprint as a spreadsheet saves
 * it, YYYY/M/D dates, spaces around cells) and every reason a row is
 * refused.  Never: writes a state or a store; takes a file with a bad row.
 */
#include "audit/review_import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/fingerprint.h"
#include "base/csvread.h"
#include "base/date.h"
#include "base/encoding.h"

const char *const outcome_names[N_OUTCOMES] = {"", "confirmed", "cleared", "referred"};

int outcome_parse(const char *s)
{
    for (int i = 1; i < N_OUTCOMES; i++)
        if (strcmp(s, outcome_names[i]) == 0)
            return i;
    return -1;
}

/* YYYY-MM-DD, YYYY-M-D or YYYY/M/D -> day number */
static int parse_review_date(const char *s, int *out)
{
    int y, m, d;
    char s1, s2, tail;
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

/* Why row r (of a file whose header has n_header fields) is refused, into
 * why[0..nwhy) ("" when it is a verdict: *out filled) ; 1 when it holds no
 * verdict yet; -1 out of memory. */
static int check_row(struct csvr *r, const int col[5], int n_header,
                     const struct import_check *chk, struct fpset *seen, char *why,
                     size_t nwhy, struct review_verdict *out, char **who_out, char **note_out)
{
    why[0] = '\0';
    if (r->n_field != n_header) {
        snprintf(why, nwhy, "has %d fields, the header has %d", r->n_field, n_header);
    } else {
        for (int i = 0; i < r->n_field; i++)
            if (utf8_valid_prefix((const unsigned char *)r->field[i], strlen(r->field[i])) !=
                strlen(r->field[i]))
                snprintf(why, nwhy, "field %d is neither UTF-8 nor GB18030", i + 1);
    }
    char *fp_s = "", *oc_s = "", *who = "", *on_s = "", *note = "";
    if (!why[0]) {
        fp_s = unwrap_fp(r->field[col[0]]);
        oc_s = trim(r->field[col[1]]);
        who = trim(r->field[col[2]]);
        on_s = trim(r->field[col[3]]);
        note = col[4] >= 0 ? trim(r->field[col[4]]) : "";
        if (!*oc_s && !*who && !*on_s)
            return 1;   /* no verdict yet (an export pack row) */
    }
    uint64_t fp = 0;
    int oc = -1, on = 0;
    if (why[0]) {
    } else if (!*fp_s) {
        snprintf(why, nwhy, "fingerprint is empty");
    } else if (review_fp_parse(fp_s, &fp) != 0) {
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
        snprintf(why, nwhy, "outcome '%.40s' is not confirmed, cleared or referred", oc_s);
    } else if (!*who) {
        snprintf(why, nwhy, "reviewer is empty");
    } else if (parse_review_date(on_s, &on) != 0) {
        snprintf(why, nwhy, "reviewed_on '%.40s' is not a date (YYYY-MM-DD)", on_s);
    } else if (on > chk->today) {
        snprintf(why, nwhy, "reviewed_on %s is after today", on_s);
    } else {
        long long first = fpset_add(seen, fp, r->rec_line);
        if (first < 0)
            return -1;
        if (first != r->rec_line)
            snprintf(why, nwhy, "fingerprint %.16s is also on line %lld", fp_s, first);
    }
    out->fp = fp;
    out->outcome = oc;
    if (!why[0])
        date_format(on, out->reviewed_on);
    out->line = r->rec_line;
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
    struct csvr r;
    int st = csvr_open(&r, file, e);
    if (st != E_OK)
        return st;
    static const char *const names[] = {"fingerprint", "outcome", "reviewer", "reviewed_on",
                                        "note"};
    int col[5];
    st = csvr_header(&r, names, 5, 4, col, e);
    int n_header = r.n_field;
    struct review_verdict *rows = NULL;
    size_t n = 0, cap = 0, n_bad = 0;
    struct fpset seen = {0};
    while (csvr_more(&r, &st, e)) {
        char why[600];
        struct review_verdict v;
        char *who = "", *note = "";
        int c = check_row(&r, col, n_header, chk, &seen, why, sizeof why, &v, &who, &note);
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
                fprintf(stderr, "hedui: %s:%lld: %s\n", file, r.rec_line, why);
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
        v.reviewer = arena_keep(a, who, "reading the review state", e);
        v.note = arena_keep(a, note, "reading the review state", e);
        rows[n++] = v;
        if (!v.reviewer || !v.note)
            st = e->code;
    }
    csvr_close(&r);
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
