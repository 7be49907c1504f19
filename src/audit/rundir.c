/* rundir.c - reading a published run back (see rundir.h).
 *
 * Owns: which columns of each list are read and required, and the JSON
 * paths of the manifest fields.  Never: writes, prints; keeps no string
 * outside the caller's arena.
 */
#include "audit/rundir.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/fingerprint.h"
#include "base/csvread.h"
#include "base/encoding.h"
#include "base/fileio.h"
#include "base/utf8.h"
#include "contract/model.h"

#define PATH_BYTES 4200

/* ---------- manifest.json ---------- */

/* obj[key] as a count: a non-negative integer (or, in a manifest decoded
 * with integers as reals, a whole real), else -1. */
static long long count_of(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (json_is_integer(v))
        return json_integer_value(v) >= 0 ? (long long)json_integer_value(v) : -1;
    if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 9.2e18)
        return (long long)json_real_value(v);
    return -1;
}

static void str_of(json_t *obj, const char *key, char *out, size_t n)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    snprintf(out, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* The text for the JSON parser: as read when it is UTF-8, else a copy with
 * each byte that is not ('?'): out/lists.c copies paths into the manifest as
 * they are, and a path in a legacy encoding must not make the run
 * unreadable (the one path read here, rules.dir, names the policy in the
 * township packs' legend, where a '?' does no harm).  NULL when out of memory. */
static char *utf8_for_parser(const char *text, size_t len, char **copy)
{
    *copy = NULL;
    const unsigned char *u = (const unsigned char *)text;
    if (utf8_valid_prefix(u, len) == len)
        return (char *)text;
    char *c = malloc(len + 1);
    if (!c)
        return NULL;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode(u + i, len - i, &cp);
        if (k == 0) {
            c[i++] = '?';
            continue;
        }
        memcpy(c + i, text + i, k);
        i += k;
    }
    c[len] = '\0';
    *copy = c;
    return c;
}

/* "inputs": [{"file": F, "present": true, "from_rules_dir": false,
 * "data_rows": N, ...}, ...]: the data rows of each input file the run
 * read from its data (a policy table from the rules directory, an absent
 * file or an unknown name: none). */
static void read_inputs(json_t *inputs, struct run_manifest *m)
{
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in) {
        char file[64];
        str_of(in, "file", file, sizeof file);
        int f = input_file_index(file);
        if (f < 0 || !json_is_true(json_object_get(in, "present")) ||
            json_is_true(json_object_get(in, "from_rules_dir")))
            continue;
        m->data_rows[f] = count_of(in, "data_rows");
    }
}

/* Copy v (NULL: "") to *s, move *s past it; returns the copy. */
static char *keep_str(char **s, const char *v)
{
    char *at = *s;
    size_t n = strlen(v ? v : "");
    memcpy(at, v ? v : "", n + 1);
    *s += n + 1;
    return at;
}

/* The manifest's no_standard (lists.c writes it): counts, the first ids
 * and lines, the groups by region.  Absent (an older manifest): counts -1.
 * Returns -1 when out of memory, else 0. */
static int read_no_standard(json_t *ns, struct run_manifest *m)
{
    m->n_no_std_hh = m->n_no_std_cand = -1;
    json_t *hh = json_object_get(ns, "households");
    json_t *cl = json_object_get(ns, "candidates_lines");
    json_t *br = json_object_get(ns, "by_region");
    if (!json_is_array(hh) || !json_is_array(cl))
        return 0;
    m->n_no_std_hh = (long long)json_array_size(hh);
    m->n_no_std_cand = (long long)json_array_size(cl);
    size_t nh = json_array_size(hh) < NOSTD_SHOWN ? json_array_size(hh) : NOSTD_SHOWN;
    size_t nc = json_array_size(cl) < NOSTD_SHOWN ? json_array_size(cl) : NOSTD_SHOWN;
    size_t nr = json_is_array(br) ? json_array_size(br) : 0;
    size_t bytes = 1;
    for (size_t i = 0; i < nh; i++)
        bytes += strlen(json_string_value(json_array_get(hh, i)) ?: "") + 1;
    for (size_t i = 0; i < nr; i++) {
        json_t *g = json_array_get(br, i);
        bytes += strlen(json_string_value(json_object_get(g, "region_code")) ?: "") + 1;
        bytes += strlen(json_string_value(json_object_get(g, "area_type")) ?: "") + 1;
    }
    m->no_std_hh = malloc((nh ? nh : 1) * sizeof *m->no_std_hh);
    m->no_std_cand_lines = malloc((nc ? nc : 1) * sizeof *m->no_std_cand_lines);
    m->no_std_regions = malloc((nr ? nr : 1) * sizeof *m->no_std_regions);
    m->no_std_strings = malloc(bytes);
    if (!m->no_std_hh || !m->no_std_cand_lines || !m->no_std_regions || !m->no_std_strings)
        return -1;
    char *s = m->no_std_strings;
    for (size_t i = 0; i < nh; i++)
        m->no_std_hh[i] = keep_str(&s, json_string_value(json_array_get(hh, i)));
    for (size_t i = 0; i < nc; i++)
        m->no_std_cand_lines[i] = json_integer_value(json_array_get(cl, i));
    for (size_t i = 0; i < nr; i++) {
        json_t *g = json_array_get(br, i);
        struct nostd_region *r = &m->no_std_regions[i];
        r->region = keep_str(&s, json_string_value(json_object_get(g, "region_code")));
        r->area = keep_str(&s, json_string_value(json_object_get(g, "area_type")));
        r->households = json_integer_value(json_object_get(g, "households"));
        r->candidates = json_integer_value(json_object_get(g, "candidates"));
    }
    m->n_no_std_hh_shown = nh;
    m->n_no_std_cand_shown = nc;
    m->n_no_std_regions = nr;
    return 0;
}

static int read_manifest(struct rundir *rd, const char *path, struct err *e)
{
    struct run_manifest *m = &rd->m;
    int st = fileio_read_all(path, &m->text, &m->len, e);
    if (st != E_OK)
        return st;
    char *copy;
    const char *text = utf8_for_parser(m->text, m->len, &copy);
    if (!text)
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    json_error_t je;
    json_t *root = json_loadb(text, m->len, 0, &je);
    if (!root && json_error_code(&je) == json_error_numeric_overflow)
        /* a seed above 2^63 - 1 (--seed takes any 64-bit value): read the
         * numbers as reals rather than refuse the manifest */
        root = json_loadb(text, m->len, JSON_DECODE_INT_AS_REAL, &je);
    free(copy);
    if (!root) {
        err_where(e, path, je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0);
        if (json_error_code(&je) == json_error_out_of_memory)
            return ERR(e, E_NOMEM, "out of memory while reading %s", path);
        return ERR(e, E_PARSE, "not JSON (%s): not a manifest of hedui", je.text);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        err_where(e, path, 1, 0);
        return ERR(e, E_PARSE, "not a JSON object: not a manifest of hedui");
    }
    str_of(root, "as_of", m->as_of, sizeof m->as_of);
    json_t *seed = json_object_get(root, "seed");
    if (json_is_integer(seed))
        snprintf(m->seed, sizeof m->seed, "%" JSON_INTEGER_FORMAT, json_integer_value(seed));
    else if (json_is_real(seed))
        snprintf(m->seed, sizeof m->seed, "%.0f", json_real_value(seed));
    else
        snprintf(m->seed, sizeof m->seed, "-1");
    str_of(json_object_get(root, "rules"), "version", m->rules_version,
           sizeof m->rules_version);
    str_of(json_object_get(root, "rules"), "pack", m->rules_pack, sizeof m->rules_pack);
    str_of(json_object_get(root, "rules"), "dir", m->rules_dir, sizeof m->rules_dir);
    json_t *outputs = json_object_get(root, "outputs");
    m->n_flags = count_of(outputs, output_file_names[OF_FLAGS]);
    m->n_queue = count_of(outputs, output_file_names[OF_QUEUE]);
    m->n_spot = count_of(outputs, output_file_names[OF_SPOT]);
    json_t *counts = json_object_get(root, "counts");
    for (int r = 0; r < n_rules; r++)
        m->rule_count[r] = count_of(counts, rule_names[r]);
    read_inputs(json_object_get(root, "inputs"), m);
    st = read_no_standard(json_object_get(root, "no_standard"), m);
    json_decref(root);
    if (st != 0)
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    return E_OK;
}

/* ---------- the lists ---------- */

struct table {
    enum output_file file;            /* OF_FLAGS: flags.csv */
    unsigned part;
    const char *const *names;         /* the columns read */
    int n_names, n_required;
};

/* What one table's rows go into. */
struct reader {
    struct rundir *rd;
    struct arena *a;
    struct vec rows;                  /* of the table's row struct */
    size_t seen;                      /* fingerprints.csv: rows matched so far */
};

/* One record: E_OK or an error set in e. */
typedef int (*row_fn)(struct reader *x, const struct csvr *r, const int *col, struct err *e);

static const char *keep(struct reader *x, const struct csvr *r, int col, struct err *e)
{
    return arena_keep(x->a, csvr_field(r, col), "reading a published run", e);
}

/* A row of size bytes appended to x->rows (zeroed), or NULL with e set. */
static void *push(struct reader *x, size_t size, const struct csvr *r, struct err *e)
{
    void *p = vec_push(&x->rows, size);
    if (!p)
        ERR(e, E_NOMEM, "out of memory while reading %s", r->path);
    return p;
}

/* Fields col[0..n) of r into *dst[0..n) (a NULL dst skips the column). */
static int keep_all(struct reader *x, const struct csvr *r, const int *col, const char **dst[],
                    int n, struct err *e)
{
    for (int i = 0; i < n; i++)
        if (dst[i] && !(*dst[i] = keep(x, r, col[i], e)))
            return e->code;
    return E_OK;
}

/* A fingerprint cell: 16 hex digits, else E_PARSE at the record. */
static int fp_cell(const struct csvr *r, int col, uint64_t *fp, struct err *e)
{
    if (review_fp_parse(csvr_field(r, col), fp) == 0)
        return E_OK;
    err_where(e, r->path, r->rec_line, 0);
    return ERR(e, E_PARSE, "'%s' is not a fingerprint (16 hex digits)", csvr_field(r, col));
}

/* Every record of the file t names through fn; col[] gets the header's columns
 * (-1 for an optional one that is not there). */
static int read_table(struct reader *x, const struct table *t, row_fn fn, int *col,
                      struct err *e)
{
    char path[PATH_BYTES];
    snprintf(path, sizeof path, "%s/%s", x->rd->dir, output_file_names[t->file]);
    struct csvr r;
    int st = csvr_open(&r, path, e);
    if (st == E_NOINPUT)
        x->rd->missing = t->part;
    if (st != E_OK)
        return st;
    st = csvr_header(&r, t->names, t->n_names, t->n_required, col, e);
    int n_header = r.n_field;
    while (csvr_more(&r, &st, e)) {
        if (r.n_field != n_header) {
            err_where(e, path, r.rec_line, 0);
            st = ERR(e, E_PARSE, "has %d fields, the header has %d: not a list of hedui as "
                                 "written", r.n_field, n_header);
            break;
        }
        st = fn(x, &r, col, e);
    }
    csvr_close(&r);
    return st;
}

/* flags.csv */
static const char *const flag_cols[] = {"rule_id", "severity", "household_id", "hukou_no",
                                        "id_no", "region_code", "evidence", "change",
                                        "fingerprint"};
enum { FC_CHANGE = 7, FC_FP = 8, N_FC = 9 };

static int flag_row(struct reader *x, const struct csvr *r, const int *col, struct err *e)
{
    struct run_flag *f = push(x, sizeof *f, r, e);
    if (!f)
        return e->code;
    const char **dst[] = {&f->rule_id, &f->severity, &f->household_id, &f->hukou_no,
                          &f->id_no, &f->region, &f->evidence, &f->change};
    f->line = r->rec_line;
    int st = keep_all(x, r, col, dst, 8, e);
    if (st == E_OK && col[FC_FP] >= 0)
        st = fp_cell(r, col[FC_FP], &f->fp, e);
    return st;
}

/* fingerprints.csv: the same rows as flags.csv, in the same order */
static const char *const fps_cols[] = {"fingerprint", "rule_id", "household_id", "hukou_no",
                                       "id_no"};

static int fps_row(struct reader *x, const struct csvr *r, const int *col, struct err *e)
{
    struct rundir *rd = x->rd;
    struct run_flag *f = x->seen < rd->n_flags ? &rd->flags[x->seen] : NULL;
    if (!f || strcmp(f->rule_id, csvr_field(r, col[1])) != 0 ||
        strcmp(f->household_id, csvr_field(r, col[2])) != 0 ||
        strcmp(f->hukou_no, csvr_field(r, col[3])) != 0 ||
        strcmp(f->id_no, csvr_field(r, col[4])) != 0) {
        err_where(e, r->path, r->rec_line, 0);
        return ERR(e, E_PARSE, "does not match row %zu of flags.csv: the two files are not "
                               "from the same run", x->seen + 1);
    }
    x->seen++;
    return fp_cell(r, col[0], &f->fp, e);
}

/* changes.csv */
static const char *const change_cols[] = {"change", "fingerprint", "rule_id", "severity",
                                          "household_id", "hukou_no", "id_no", "region_code",
                                          "disposition", "evidence"};

static int change_row(struct reader *x, const struct csvr *r, const int *col, struct err *e)
{
    struct run_change *c = push(x, sizeof *c, r, e);
    if (!c)
        return e->code;
    const char **dst[] = {&c->change, NULL, &c->rule_id, &c->severity, &c->household_id,
                          &c->hukou_no, &c->id_no, &c->region, &c->disposition, &c->evidence};
    int st = keep_all(x, r, col, dst, 10, e);
    return st == E_OK ? fp_cell(r, col[1], &c->fp, e) : st;
}

/* review_queue.csv */
static const char *const queue_cols[] = {"township_code", "rank", "household_id", "hukou_no",
                                         "score", "rule_ids"};

static int queue_row(struct reader *x, const struct csvr *r, const int *col, struct err *e)
{
    struct run_queue_row *q = push(x, sizeof *q, r, e);
    if (!q)
        return e->code;
    const char **dst[] = {&q->township, &q->rank, &q->household_id, &q->hukou_no, &q->score,
                          &q->rule_ids};
    return keep_all(x, r, col, dst, 6, e);
}

/* spotcheck.csv */
static const char *const spot_cols[] = {"township_code", "program", "household_id", "reason"};

static int spot_row(struct reader *x, const struct csvr *r, const int *col, struct err *e)
{
    struct run_spot_row *s = push(x, sizeof *s, r, e);
    if (!s)
        return e->code;
    const char **dst[] = {&s->township, &s->program, &s->household_id, &s->reason};
    return keep_all(x, r, col, dst, 4, e);
}

/* ---------- the run ---------- */

/* Every row of the list t into a new array: *rows_out (a pointer to the
 * row type's pointer; malloc'd, also after an error) and *n. */
static int read_list(struct rundir *rd, struct arena *a, const struct table *t, row_fn fn,
                     void *rows_out, size_t *n, struct err *e)
{
    struct reader x = {rd, a, {NULL, 0, 0, 0}, 0};
    int col[16];   /* no list has more than 10 columns */
    int st = read_table(&x, t, fn, col, e);
    memcpy(rows_out, &x.rows.v, sizeof x.rows.v);
    *n = x.rows.n;
    return st;
}

/* The flags, and their fingerprints from fingerprints.csv if need be. */
static int read_flags(struct rundir *rd, unsigned parts, struct arena *a, struct err *e)
{
    static const struct table t = {OF_FLAGS, RUN_FLAGS, flag_cols, N_FC, 7};
    struct reader x = {rd, a, {NULL, 0, 0, 0}, 0};
    int col[N_FC];
    int st = read_table(&x, &t, flag_row, col, e);
    rd->flags = x.rows.v;
    rd->n_flags = x.rows.n;
    if (st != E_OK)
        return st;
    rd->flags_have_fp = col[FC_FP] >= 0;
    rd->flags_have_change = col[FC_CHANGE] >= 0;
    if (!(parts & RUN_FLAG_FPS) || rd->flags_have_fp)
        return E_OK;
    static const struct table ft = {OF_FINGERPRINTS, RUN_FLAG_FPS, fps_cols, 5, 5};
    struct reader y = {rd, a, {NULL, 0, 0, 0}, 0};
    int fcol[5];
    st = read_table(&y, &ft, fps_row, fcol, e);
    if (st == E_OK && y.seen != rd->n_flags) {
        char path[PATH_BYTES];
        snprintf(path, sizeof path, "%s/fingerprints.csv", rd->dir);
        err_where(e, path, 0, 0);
        st = ERR(e, E_PARSE, "has %zu rows, flags.csv %zu: the two files are not from the "
                             "same run", y.seen, rd->n_flags);
    }
    if (st == E_OK)
        rd->flags_have_fp = 1;
    return st;
}

int rundir_read(struct rundir *rd, const char *dir, unsigned parts, struct arena *a,
                struct err *e)
{
    memset(rd, 0, sizeof *rd);
    rd->dir = dir;
    for (int r = 0; r < n_rules; r++)
        rd->m.rule_count[r] = -1;
    for (int f = 0; f < N_INPUT; f++)
        rd->m.data_rows[f] = -1;
    rd->m.n_flags = rd->m.n_queue = rd->m.n_spot = -1;
    snprintf(rd->m.seed, sizeof rd->m.seed, "-1");
    char path[PATH_BYTES];
    int st = E_OK;
    if (parts & RUN_MANIFEST) {
        snprintf(path, sizeof path, "%s/%s", dir, output_file_names[OF_MANIFEST]);
        st = read_manifest(rd, path, e);
        if (st == E_NOINPUT)
            rd->missing = RUN_MANIFEST;
    }
    if (st == E_OK && (parts & (RUN_FLAGS | RUN_FLAG_FPS)))
        st = read_flags(rd, parts, a, e);
    if (st == E_OK && (parts & RUN_CHANGES)) {
        static const struct table t = {OF_CHANGES, RUN_CHANGES, change_cols, 10, 10};
        st = read_list(rd, a, &t, change_row, &rd->changes, &rd->n_changes, e);
        rd->have_changes = st == E_OK;
        if (st == E_NOINPUT) {   /* the run did not compare */
            err_init(e);
            rd->missing = 0;
            st = E_OK;
        }
    }
    if (st == E_OK && (parts & RUN_QUEUE)) {
        static const struct table t = {OF_QUEUE, RUN_QUEUE, queue_cols, 6, 6};
        st = read_list(rd, a, &t, queue_row, &rd->queue, &rd->n_queue, e);
    }
    if (st == E_OK && (parts & RUN_SPOT)) {
        static const struct table t = {OF_SPOT, RUN_SPOT, spot_cols, 4, 4};
        st = read_list(rd, a, &t, spot_row, &rd->spot, &rd->n_spot, e);
    }
    if (st == E_OK)
        rd->parts = parts;
    return st;
}

void rundir_free(struct rundir *rd)
{
    free(rd->m.text);
    free(rd->m.no_std_hh);
    free(rd->m.no_std_cand_lines);
    free(rd->m.no_std_regions);
    free(rd->m.no_std_strings);
    free(rd->flags);
    free(rd->changes);
    free(rd->queue);
    free(rd->spot);
    memset(rd, 0, sizeof *rd);
}
