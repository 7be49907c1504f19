/* pg_load.c - `hedui load`: a data directory into the input tables of a
 * PostgreSQL schema (pg_load.h).
 *
 * Owns: the load transaction: the loads row, the input tables' contents,
 * load_rejects, input_files.  Never: interprets a value (the normaliser
 * decides what is rejected), parses options, prints an error.
 *
 * The data directory goes through the normaliser exactly as for a CSV run
 * (pipeline_load_dir), which yields every reject with its line.  Each file
 * is then parsed a second time (load_csv with emit_row) and its records
 * that were not rejected are sent with COPY FROM STDIN, as text (values as
 * delivered, decoded to UTF-8) plus `line`, the physical line where the
 * record starts in the file, and load_id.  Rejects go to load_rejects.  One
 * transaction: previous inputs are replaced (DELETE, MVCC-safe, not
 * TRUNCATE; the new rows have new keys (load_id, line), so no unique check
 * meets a deleted row) or, on any error, left as they were.  Birth dates
 * in IDs are judged at run time against the run's as-of date, so the load
 * normalises with no as-of limit (cmd_load.c sets it).
 */
#include "pg/pg_load.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textout.h"
#include "engine/load.h"
#include "pg/pg.h"
#include "pg/pg_schema.h"


static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

struct emit_ctx {
    struct pg_copy *cp;
    long long load_id;
    const long long *rej;      /* sorted reject lines of this file */
    size_t n_rej, ri;
    long long stored;
    const char *file;
    int n_cols;                /* the file's contract columns (feed_decls) */
    struct strbuf row;
};

/* Second pass over a file: every record the normaliser did not reject. */
static int emit_row(void *ctx, const char *const *vals, const size_t *lens, long long line,
                    struct err *e)
{
    struct emit_ctx *x = ctx;
    while (x->ri < x->n_rej && x->rej[x->ri] < line)
        x->ri++;
    if (x->ri < x->n_rej && x->rej[x->ri] == line)
        return E_OK;
    strbuf_reset(&x->row);
    strbuf_printf(&x->row, "%lld,%lld", x->load_id, line);
    for (int i = 0; i < x->n_cols; i++) {
        if (memchr(vals[i], '\0', lens[i])) {
            err_where(e, x->file, line, i + 1);
            return ERR(e, E_DATA, "a NUL byte in a field cannot be stored in PostgreSQL: "
                                  "remove it from the file and load again");
        }
        strbuf_put(&x->row, ",", 1);
        strbuf_csv(&x->row, vals[i], lens[i], CSV_QUOTE_ALWAYS);
    }
    strbuf_put(&x->row, "\n", 1);
    int st = strbuf_check(&x->row, "building a COPY row", e);
    if (st == E_OK)
        st = pg_copy_put(x->cp, x->row.p, x->row.n, e);
    x->stored++;
    return st;
}

/* The most columns an input file declares (model.c's feed_decls). */
#define PG_MAX_COLS 32

/* COPY the accepted records of file f (path) into its table. */
static int load_table(struct pg *db, const char *sq, struct pipeline *p, int f,
                      long long load_id, long long *stored, struct err *e)
{
    if (feed_decls[f].n_cols > PG_MAX_COLS)
        return ERR(e, E_INTERNAL, "%s declares %d columns, more than %d", input_file_names[f],
                   feed_decls[f].n_cols, PG_MAX_COLS);
    const struct filestat *fs = &p->d.files[f];
    size_t nr = fs->rejects.n;
    long long *rej = malloc((nr ? nr : 1) * sizeof *rej);
    if (!rej)
        return ERR(e, E_NOMEM, "out of memory");
    for (size_t i = 0; i < nr; i++)
        rej[i] = VEC_AT(fs->rejects, struct reject, i).line;
    qsort(rej, nr, sizeof *rej, cmp_ll);

    char t[64];
    pg_table_name(f, t);
    struct strbuf sql = {0};
    strbuf_printf(&sql, "COPY %s.%s (load_id, line", sq, t);
    const struct feed_decl *fd = &feed_decls[f];
    for (int i = 0; i < fd->n_cols; i++)
        strbuf_printf(&sql, ", %s", fd->cols[i].name);
    strbuf_puts(&sql, ") FROM STDIN WITH (FORMAT csv)");
    char what[128];
    snprintf(what, sizeof what, "loading %s into %s", input_file_names[f], t);
    struct pg_copy cp;
    int st = strbuf_check(&sql, "building a statement", e);
    if (st == E_OK)
        st = pg_copy_begin(db, &cp, sql.p, what, e);
    strbuf_free(&sql);
    if (st != E_OK) {
        free(rej);
        return st;
    }
    struct emit_ctx x = {&cp, load_id, rej, nr, 0, 0, input_file_names[f], fd->n_cols, {0}};
    const char *names[PG_MAX_COLS];
    for (int i = 0; i < fd->n_cols && i < PG_MAX_COLS; i++)
        names[i] = fd->cols[i].name;
    struct load_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.file = (enum input_file)f;
    spec.cols = names;
    spec.n_cols = fd->n_cols;
    spec.row = emit_row;
    spec.ctx = &x;
    struct dataset *scratch = calloc(1, sizeof *scratch);
    if (!scratch) {
        st = ERR(e, E_NOMEM, "out of memory");
    } else {
        dataset_init(scratch);
        enum enc want = p->cfg.enc_file[f] ? p->cfg.enc_file[f] : p->cfg.enc_all;
        st = load_csv(scratch, fs->path, want, &spec, e);
        if (st == E_OK && strcmp(scratch->files[f].checksum, fs->checksum) != 0) {
            err_where(e, fs->path, 0, 0);
            st = ERR(e, E_IO, "the file changed while it was being loaded: load again once "
                              "it is complete");
        }
        dataset_free(scratch);
        free(scratch);
    }
    strbuf_free(&x.row);
    free(rej);
    long long rows = -1;
    if (st == E_OK) {
        st = pg_copy_end(&cp, &rows, e);
    } else {
        pg_copy_abort(&cp, "hedui stopped the load");
    }
    if (st == E_OK && rows != x.stored)
        st = ERR(e, E_INTERNAL, "%s: the server stored %lld rows, %lld were sent",
                 input_file_names[f], rows, x.stored);
    if (st == E_OK && x.stored != fs->data_rows - (long long)nr)
        st = ERR(e, E_INTERNAL, "%s: %lld rows stored + %zu rejected != %lld data rows "
                                "(the file changed during the load?)",
                 input_file_names[f], x.stored, nr, fs->data_rows);
    *stored = x.stored;
    return st;
}

static int load_rejects_copy(struct pg *db, const char *sq, const struct pipeline *p,
                             long long load_id, long long *n_out, struct err *e)
{
    struct strbuf sql = {0};
    strbuf_printf(&sql, "COPY %s.load_rejects (load_id, seq, file, line, reason) FROM STDIN "
                    "WITH (FORMAT csv)", sq);
    struct pg_copy cp;
    int st = strbuf_check(&sql, "building a statement", e);
    if (st == E_OK)
        st = pg_copy_begin(db, &cp, sql.p, "storing the load's rejects", e);
    strbuf_free(&sql);
    if (st != E_OK)
        return st;
    struct strbuf row = {0};
    long long seq = 0;
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        const struct filestat *fs = &p->d.files[f];
        if (!fs->present || fs->from_rules)
            continue;
        for (size_t i = 0; i < fs->rejects.n && st == E_OK; i++) {
            const struct reject *r = &VEC_AT(fs->rejects, struct reject, i);
            strbuf_reset(&row);
            strbuf_printf(&row, "%lld,%lld,%s,%lld,", load_id, ++seq, fs->name, r->line);
            strbuf_csv(&row, r->reason, strlen(r->reason), CSV_QUOTE_ALWAYS);
            strbuf_put(&row, "\n", 1);
            st = strbuf_check(&row, "building a COPY row", e);
            if (st == E_OK)
                st = pg_copy_put(&cp, row.p, row.n, e);
        }
    }
    strbuf_free(&row);
    long long rows = -1;
    if (st != E_OK) {
        pg_copy_abort(&cp, "hedui stopped the load");
        return st;
    }
    st = pg_copy_end(&cp, &rows, e);
    if (st == E_OK && rows != seq)
        st = ERR(e, E_INTERNAL, "load_rejects: the server stored %lld rows, %lld were sent",
                 rows, seq);
    *n_out = seq;
    return st;
}

static int record_input_file(struct pg *db, const char *sq, const struct pipeline *p, int f,
                             long long load_id, long long stored, struct err *e)
{
    const struct filestat *fs = &p->d.files[f];
    int present = fs->present && !fs->from_rules;
    char lid[32], bytes[32], dr[32], sr[32], rj[32], md[32];
    snprintf(lid, sizeof lid, "%lld", load_id);
    snprintf(bytes, sizeof bytes, "%lld", fs->bytes);
    snprintf(dr, sizeof dr, "%lld", present ? fs->data_rows : 0);
    snprintf(sr, sizeof sr, "%lld", stored);
    snprintf(rj, sizeof rj, "%zu", present ? fs->rejects.n : 0);
    snprintf(md, sizeof md, "%lld", present ? fs->dropped_dupes : 0);
    const char *pv[] = {input_file_names[f], lid, present ? "true" : "false",
                        present ? fs->path : NULL, present ? bytes : NULL,
                        present ? fs->checksum : NULL, present ? fs->encoding : NULL,
                        dr, sr, rj, md};
    struct strbuf sql = {0};
    strbuf_printf(&sql,
              "INSERT INTO %s.input_files (file, load_id, present, source_path, bytes, "
              "xxh128, encoding, data_rows, stored_rows, rejected, merged_duplicates) "
              "VALUES ($1, $2::bigint, $3::boolean, $4, $5::bigint, $6, $7, $8::bigint, "
              "$9::bigint, $10::bigint, $11::bigint) "
              "ON CONFLICT (file) DO UPDATE SET load_id = EXCLUDED.load_id, "
              "present = EXCLUDED.present, source_path = EXCLUDED.source_path, "
              "bytes = EXCLUDED.bytes, xxh128 = EXCLUDED.xxh128, encoding = EXCLUDED.encoding, "
              "data_rows = EXCLUDED.data_rows, stored_rows = EXCLUDED.stored_rows, "
              "rejected = EXCLUDED.rejected, merged_duplicates = EXCLUDED.merged_duplicates",
              sq);
    int st = strbuf_check(&sql, "building a statement", e);
    if (st == E_OK)
        st = pg_query(db, sql.p, 11, pv, NULL, "recording the input files", e);
    strbuf_free(&sql);
    return st;
}

static int load_into_pg(struct pg *db, const char *schema, struct pipeline *p,
                        const char *data_dir, long long *load_id_out, long long *stored_out,
                        long long *rejected_out, struct err *e)
{
    char *sq = pg_ident(db, schema, e);
    if (!sq)
        return e->code;
    struct strbuf sql = {0};
    PGresult *r = NULL;
    long long load_id = 0, stored_all = 0, n_rej = 0;
    int st = pg_begin_write(db, schema, sq, PG_INPUT_TABLES, e);
    if (st == E_OK) {
        strbuf_printf(&sql, "INSERT INTO %s.loads (data_dir, tool_version, rules_version) "
                        "VALUES ($1, $2, $3) RETURNING load_id", sq);
        const char *pv[] = {data_dir, HEDUI_VERSION, p->pol.version};
        st = strbuf_check(&sql, "building a statement", e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 3, pv, &r, "starting the load", e);
        if (st == E_OK)
            load_id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        strbuf_reset(&sql);
    }
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        char t[64];
        pg_table_name(f, t);
        double t0 = pipeline_now_ms();
        strbuf_printf(&sql, "DELETE FROM %s.%s", sq, t);
        st = pg_exec_sb(db, &sql, "replacing the previous inputs", e);
        double t1 = pipeline_now_ms();
        long long stored = 0;
        const struct filestat *fs = &p->d.files[f];
        if (st == E_OK && fs->present && !fs->from_rules)
            st = load_table(db, sq, p, f, load_id, &stored, e);
        if (st == E_OK) {
            /* Fresh statistics for the planner (a warning, not an error,
             * when the role does not own the table). */
            strbuf_printf(&sql, "ANALYZE %s.%s", sq, t);
            st = pg_exec_sb(db, &sql, "analysing the new inputs", e);
        }
        if (st == E_OK)
            st = record_input_file(db, sq, p, f, load_id, stored, e);
        stored_all += stored;
        if (st == E_OK && p->cfg.progress)
            fprintf(stderr, "hedui: %-30s %11lld rows %8.0f ms (delete %.0f ms)\n", t, stored,
                    pipeline_now_ms() - t0, t1 - t0);
    }
    if (st == E_OK)
        st = load_rejects_copy(db, sq, p, load_id, &n_rej, e);
    if (st == E_OK) {
        char a[32], b[32], c[32];
        snprintf(a, sizeof a, "%lld", load_id);
        snprintf(b, sizeof b, "%lld", stored_all);
        snprintf(c, sizeof c, "%lld", n_rej);
        const char *pv[] = {a, b, c};
        strbuf_printf(&sql, "UPDATE %s.loads SET rows_stored = $2::bigint, rows_rejected = "
                        "$3::bigint WHERE load_id = $1::bigint", sq);
        st = strbuf_check(&sql, "building a statement", e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 3, pv, NULL, "finishing the load", e);
        strbuf_reset(&sql);
    }
    st = pg_end_write(db, st, e);
    strbuf_free(&sql);
    free(sq);
    *load_id_out = load_id;
    *stored_out = stored_all;
    *rejected_out = n_rej;
    return st;
}

int pg_load(const struct run_config *cfg, const char *conninfo, const char *schema,
            struct err *e)
{
    double t0 = pipeline_now_ms();
    struct pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return ERR(e, E_NOMEM, "out of memory");
    struct pg db;
    memset(&db, 0, sizeof db);
    long long load_id = 0, stored = 0, rejected = 0;
    int st = pipeline_init(p, cfg, e);
    if (st == E_OK)
        st = pg_open(&db, conninfo, "hedui load", e);   /* fail fast on credentials */
    if (st == E_OK)
        st = pipeline_load_dir(p, e);
    char abs[4096];
    const char *data = cfg->data_dir;
    if (st == E_OK)
        st = load_into_pg(&db, schema, p, realpath(data, abs) ? abs : data, &load_id, &stored,
                          &rejected, e);
    if (st == E_OK && cfg->progress) {
        char where[300];
        pg_describe(&db, where, sizeof where);
        fprintf(stderr, "hedui: load %lld into schema %s at %s: %lld rows stored, %lld "
                        "rejected (in %s.load_rejects) (%.0f ms)\n",
                load_id, schema, where, stored, rejected, schema, pipeline_now_ms() - t0);
    }
    pg_close(&db);
    pipeline_free(p);
    free(p);
    return st;
}
