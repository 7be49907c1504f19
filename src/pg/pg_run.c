/* pg_run.c - `hedui run --pg` (pg_run.h): fetch the inputs from the
 * tables, run the pipeline, publish the results.
 *
 * Owns: the run's two transactions (the read snapshot and the publish),
 * the runs row, the COPY of each list, what its summary line names (the
 * run id, schema and database; the line is cmd_run.c's).  Never:
 * interprets a value or spells a list itself (the normaliser, out/lists.c
 * and audit/review.c do, as for a CSV run), writes a file but for --out,
 * parses options, prints an error.
 *
 * Fetching.  In one REPEATABLE READ snapshot each input table is fetched
 * with COPY (SELECT line, ... WHERE load_id = current ORDER BY line) TO
 * STDOUT and turned into CSV (quoted only where needed, so the loader's
 * fast path applies), with blank lines inserted so that every record
 * starts on its original line: the normaliser then sees the same records
 * on the same lines as in the file (blank lines are not records), so
 * evidence and rejects name the file's lines.  The load's rejects are
 * added back to each file's accounting, so row counts, the reject limit
 * and rejects.csv are those of a CSV run.
 *
 * Publishing.  The lists are rendered into memory (open_memstream) by the
 * same writers that fill an output directory, and sent with COPY into
 * flags, review_queue, spotcheck, rejects and changes under a new runs
 * row (the manifest into runs.manifest), all in one transaction.  No list
 * touches the disk unless --out asks for a copy.
 */
#include "pg/pg_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/review.h"
#include "base/date.h"
#include "base/textout.h"
#include "out/lists.h"
#include "out/summary.h"
#include "pg/pg.h"
#include "pg/pg_review.h"
#include "pg/pg_schema.h"

/* ---------- run: fetching the inputs ---------- */

struct fetch {
    struct strbuf b, val;
    long long cur_line;        /* physical line the next byte of b starts */
    long long rows;
    const char *file;
};

static long long count_nl(const char *s, size_t n)
{
    long long k = 0;
    for (const char *q = s; (q = memchr(q, '\n', n - (size_t)(q - s))) != NULL; q++)
        k++;
    return k;
}

/* One row of COPY TO (text format): "line<TAB>v1<TAB>...\n", backslash
 * escapes.  Appended as a CSV record, after blank lines so that it starts
 * on its original line. */
static int fetch_row(void *ctx, const char *row, size_t len, struct err *e)
{
    struct fetch *x = ctx;
    long long line = 0;
    size_t i = 0;
    while (i < len && row[i] >= '0' && row[i] <= '9' && line < (1LL << 50))
        line = line * 10 + (row[i++] - '0');
    if (i == 0 || i >= len || row[i] != '\t' || row[len - 1] != '\n')
        return ERR(e, E_INTERNAL, "%s: unexpected COPY row", x->file);
    if (line > x->cur_line) {
        long long gap = line - x->cur_line;
        if (gap > 100000000LL)
            return ERR(e, E_DATA, "%s: implausible line %lld in the input table (edited by "
                                  "hand?); load the file again", x->file, line);
        static const char nl[4096] = {[0 ... 4095] = '\n'};
        while (gap > 0) {
            size_t k = gap > 4096 ? 4096 : (size_t)gap;
            strbuf_put(&x->b, nl, k);
            gap -= (long long)k;
        }
        x->cur_line = line;
    }
    /* Fast path: no escape, nothing to quote: tabs become commas. */
    int plain = 1;
    for (size_t k = i; k < len - 1 && plain; k++) {
        char c = row[k];
        if (c == '\\' || c == ',' || c == '"' || c == '\r')
            plain = 0;
        else if (c == '\t' && (row[k + 1] == ' ' || (k > i && row[k - 1] == ' ')))
            plain = 0;
    }
    if (plain && row[len - 2] != ' ') {
        size_t at = x->b.n;
        strbuf_put(&x->b, row, len);
        if (!x->b.oom)
            for (char *c = x->b.p + at; (c = memchr(c, '\t', x->b.p + x->b.n - c)) != NULL;)
                *c++ = ',';
        x->cur_line++;
        x->rows++;
        return strbuf_check(&x->b, "fetching an input table", e);
    }
    /* Decode each field into x->val, then write it as CSV. */
    strbuf_put(&x->b, row, i);   /* the line column itself */
    size_t p = i + 1, end = len - 1;
    for (;;) {
        strbuf_reset(&x->val);
        size_t q = p;
        while (q < end && row[q] != '\t') {
            size_t r = q;
            while (r < end && row[r] != '\t' && row[r] != '\\')
                r++;
            strbuf_put(&x->val, row + q, r - q);
            q = r;
            if (q < end && row[q] == '\\' && q + 1 < end) {
                char c = row[q + 1];
                char d = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == 'b' ? '\b'
                       : c == 'f' ? '\f' : c == 'v' ? '\v' : c;
                strbuf_put(&x->val, &d, 1);
                q += 2;
            } else if (q < end && row[q] == '\\') {
                return ERR(e, E_INTERNAL, "%s: unexpected COPY row", x->file);
            }
        }
        strbuf_put(&x->b, ",", 1);
        /* quoted where load.c needs it: a comma, quote or line end
         * inside, or white space at either end (which an unquoted field
         * would lose) */
        strbuf_csv(&x->b, x->val.p ? x->val.p : "", x->val.n, CSV_QUOTE_EDGES);
        x->cur_line += count_nl(x->val.p ? x->val.p : "", x->val.n);
        if (q >= end)
            break;
        p = q + 1;
    }
    strbuf_put(&x->b, "\n", 1);
    x->cur_line++;
    x->rows++;
    int st = strbuf_check(&x->b, "fetching an input table", e);
    return st == E_OK ? strbuf_check(&x->val, "fetching an input table", e) : st;
}

struct in_info {
    int known, present;
    long long load_id, stored, bytes;
    char xxh[40];
};

static int read_inputs(struct pg *db, const char *schema, const char *sq, struct pipeline *p,
                       struct in_info *info, long long *load_id, struct err *e)
{
    struct strbuf sql = {0};
    PGresult *r = NULL;
    char reg[300];
    snprintf(reg, sizeof reg, "%s.input_files", sq);
    const char *pv[] = {reg};
    int st = pg_query(db, "SELECT to_regclass($1) IS NOT NULL", 1, pv, &r,
                      "looking for the input tables", e);
    if (st == E_OK && strcmp(PQgetvalue(r, 0, 0), "t") != 0)
        st = ERR(e, E_NOINPUT, "schema %s holds no loaded inputs: run 'hedui load --pg "
                               "CONNINFO --data DIR --schema %s' first", schema, schema);
    PQclear(r);
    r = NULL;
    if (st == E_OK) {
        strbuf_printf(&sql, "SELECT file, present, load_id, coalesce(xxh128, ''), stored_rows, "
                        "coalesce(bytes, 0) FROM %s.input_files", sq);
        st = strbuf_check(&sql, "building a statement", e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 0, NULL, &r, "reading input_files", e);
        strbuf_reset(&sql);
    }
    *load_id = 0;
    for (int i = 0; st == E_OK && i < PQntuples(r); i++) {
        int f = input_file_index(PQgetvalue(r, i, 0));
        if (f < 0)
            continue;
        info[f].known = 1;
        info[f].present = strcmp(PQgetvalue(r, i, 1), "t") == 0;
        info[f].load_id = atoll(PQgetvalue(r, i, 2));
        snprintf(info[f].xxh, sizeof info[f].xxh, "%s", PQgetvalue(r, i, 3));
        info[f].stored = atoll(PQgetvalue(r, i, 4));
        info[f].bytes = atoll(PQgetvalue(r, i, 5));
        if (info[f].load_id > *load_id)
            *load_id = info[f].load_id;
    }
    PQclear(r);
    r = NULL;

    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        if (!info[f].present) {
            if (feed_decls[f].need == IN_OPTIONAL_FEED)
                continue;
            if (feed_decls[f].need == IN_POLICY_TABLE) {
                char path[4600];
                /* a pack's tables are its settings directory's (pipeline.h) */
                snprintf(path, sizeof path, "%s/%s", p->settings_dir, input_file_names[f]);
                st = pipeline_load_file(p, (enum input_file)f, path, 1, e);
                continue;
            }
            st = ERR(e, E_NOINPUT, "required input %s is not loaded in schema %s: run "
                                   "'hedui load' with a data directory that has it",
                     input_file_names[f], schema);
            break;
        }
        char t[64], what[128], label[400];
        pg_table_name(f, t);
        snprintf(what, sizeof what, "reading table %s", t);
        snprintf(label, sizeof label, "postgresql:%s.%s", schema, t);
        strbuf_printf(&sql, "COPY (SELECT line");
        const struct feed_decl *fd = &feed_decls[f];
        for (int i = 0; i < fd->n_cols; i++)
            strbuf_printf(&sql, ", %s", fd->cols[i].name);
        strbuf_printf(&sql, " FROM %s.%s WHERE load_id = %lld ORDER BY line) TO STDOUT", sq, t,
                  info[f].load_id);
        struct fetch x;
        memset(&x, 0, sizeof x);
        x.file = input_file_names[f];
        strbuf_puts(&x.b, "line");
        for (int i = 0; i < fd->n_cols; i++)
            strbuf_printf(&x.b, ",%s", fd->cols[i].name);
        strbuf_puts(&x.b, "\n");
        x.cur_line = 2;
        st = strbuf_check(&sql, "building a statement", e);
        if (st == E_OK)
            st = pg_copy_out(db, sql.p, fetch_row, &x, what, e);
        strbuf_reset(&sql);
        if (st == E_OK && x.rows != info[f].stored)
            st = ERR(e, E_DATA, "table %s.%s has %lld rows, the load stored %lld: it was "
                                "changed outside hedui; load the data again",
                     schema, t, x.rows, info[f].stored);
        if (st == E_OK)
            st = pipeline_load_buffer(p, (enum input_file)f, label,
                                      (const unsigned char *)(x.b.p ? x.b.p : ""), x.b.n, e);
        strbuf_free(&x.b);
        strbuf_free(&x.val);
    }

    /* The load's rejects: the same rows a CSV run would reject. */
    if (st == E_OK) {
        char lid[32];
        snprintf(lid, sizeof lid, "%lld", *load_id);
        const char *pv2[] = {lid};
        strbuf_printf(&sql, "SELECT file, line, reason FROM %s.load_rejects WHERE load_id = "
                        "$1::bigint ORDER BY seq", sq);
        st = strbuf_check(&sql, "building a statement", e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 1, pv2, &r, "reading load_rejects", e);
        for (int i = 0; st == E_OK && i < PQntuples(r); i++) {
            int f = input_file_index(PQgetvalue(r, i, 0));
            if (f < 0 || !info[f].present || !p->d.files[f].present)
                continue;
            st = dataset_reject(&p->d, (enum input_file)f, atoll(PQgetvalue(r, i, 1)), e, "%s",
                                PQgetvalue(r, i, 2));
            p->d.files[f].data_rows++;
        }
        PQclear(r);
    }
    strbuf_free(&sql);
    return st;
}

/* ---------- run: publishing ---------- */

/* The feed sizes of the schema's last published run (the "inputs" of its
 * manifest), read in the run's snapshot, for the drop check (feedcheck.h).
 * No runs table (or one without manifests) or no published run: nothing to
 * compare with. */
static int read_prev_counts(struct pg *db, const char *schema, const char *sq,
                            struct feed_rows *out, struct err *e)
{
    feed_rows_init(out);
    const char *pv[] = {schema};
    PGresult *r = NULL;
    int st = pg_query(db, "SELECT count(*) FROM information_schema.columns WHERE table_schema "
                          "= $1 AND table_name = 'runs' AND column_name = 'manifest'",
                      1, pv, &r, "looking for the run history", e);
    int have_runs = st == E_OK && atoi(PQgetvalue(r, 0, 0)) > 0;
    PQclear(r);
    r = NULL;
    if (st != E_OK || !have_runs)
        return st;
    struct strbuf sql = {0};
    strbuf_printf(&sql, "SELECT r.run_id, x.f->>'file', x.f->>'data_rows' FROM (SELECT run_id, "
                    "manifest FROM %s.runs WHERE status = 'published' ORDER BY run_id DESC "
                    "LIMIT 1) r LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN "
                    "jsonb_typeof(r.manifest->'inputs') = 'array' THEN r.manifest->'inputs' "
                    "ELSE '[]'::jsonb END) x(f) ON x.f->>'present' = 'true' AND "
                    "coalesce(x.f->>'from_rules_dir', 'false') = 'false' AND "
                    "jsonb_typeof(x.f->'data_rows') = 'number'", sq);
    st = strbuf_check(&sql, "building a statement", e);
    if (st == E_OK)
        st = pg_query(db, sql.p, 0, NULL, &r, "reading the previous run's feed sizes", e);
    strbuf_free(&sql);
    for (int i = 0; st == E_OK && i < PQntuples(r); i++) {
        if (i == 0)
            snprintf(out->from, sizeof out->from, "run %s of schema %s", PQgetvalue(r, 0, 0),
                     schema);
        int f = PQgetisnull(r, i, 1) ? -1 : input_file_index(PQgetvalue(r, i, 1));
        if (f < 0 || !feedcheck_is_feed(f))
            continue;
        out->data_rows[f] = atoll(PQgetvalue(r, i, 2));
        out->known = 1;
    }
    if (st == E_OK && PQntuples(r) > 0 && !out->known)
        snprintf(out->note, sizeof out->note, "%s has no data-row counts of the feeds in its "
                 "manifest, so feed sizes are not compared with it", out->from);
    PQclear(r);
    return st;
}

/* The lists a run publishes into tables, and the manifest (runs.manifest),
 * in this order. */
enum { L_FLAGS, L_QUEUE, L_SPOT, L_REJECTS, L_CHANGES, N_TABLE_LISTS, L_MANIFEST = N_TABLE_LISTS,
       N_LISTS };

struct outlist {
    enum output_file file;
    const char *table, *cols, *notnull;
};
static const struct outlist outlists[N_TABLE_LISTS] = {
    [L_FLAGS] = {OF_FLAGS, "flags",
                 "rule_id, kind, severity, household_id, hukou_no, id_no, region_code, "
                 "evidence, fingerprint, change",
                 "rule_id, kind, severity, household_id, hukou_no, id_no, region_code, "
                 "evidence"},
    [L_QUEUE] = {OF_QUEUE, "review_queue",
                 "township_code, rank, household_id, hukou_no, score, rule_ids",
                 "township_code, household_id, hukou_no, rule_ids"},
    [L_SPOT] = {OF_SPOT, "spotcheck", "township_code, program, household_id, reason",
                "township_code, program, household_id, reason"},
    [L_REJECTS] = {OF_REJECTS, "rejects", "file, line, reason", "file, reason"},
    [L_CHANGES] = {OF_CHANGES, "changes",
                   "change, fingerprint, rule_id, severity, household_id, hukou_no, id_no, "
                   "region_code, disposition, evidence",
                   "change, fingerprint, rule_id, severity, household_id, hukou_no, id_no, "
                   "region_code, disposition, evidence"},
};

/* A list rendered into memory (open_memstream: NUL-terminated). */
struct text {
    char *p;
    size_t n;
};

/* COPY a CSV list (header, then records), each record prefixed
 * "run_id,seq,". */
static int copy_list(struct pg *db, const char *sq, const struct outlist *ol,
                     const struct text *csv, long long run_id, long long want, struct err *e)
{
    struct strbuf sql = {0};
    strbuf_printf(&sql, "COPY %s.%s (run_id, seq, %s) FROM STDIN WITH (FORMAT csv, "
                    "FORCE_NOT_NULL (%s))", sq, ol->table, ol->cols, ol->notnull);
    char what[80];
    snprintf(what, sizeof what, "publishing %s", ol->table);
    struct pg_copy cp;
    int st = strbuf_check(&sql, "building a statement", e);
    if (st == E_OK)
        st = pg_copy_begin(db, &cp, sql.p, what, e);
    strbuf_free(&sql);
    if (st != E_OK)
        return st;
    long long seq = 0;
    int in_q = 0, header = 1;
    size_t start = 0;
    const char *s = csv->p ? csv->p : "";
    for (size_t i = 0; i < csv->n && st == E_OK; i++) {
        if (s[i] == '"') {
            in_q = !in_q;
        } else if (s[i] == '\n' && !in_q) {
            if (header) {
                header = 0;
            } else {
                char pre[48];
                int k = snprintf(pre, sizeof pre, "%lld,%lld,", run_id, ++seq);
                st = pg_copy_put(&cp, pre, (size_t)k, e);
                if (st == E_OK)
                    st = pg_copy_put(&cp, s + start, i + 1 - start, e);
            }
            start = i + 1;
        }
    }
    if (st == E_OK && start < csv->n)
        st = ERR(e, E_INTERNAL, "%s does not end with a line end", output_file_names[ol->file]);
    if (st != E_OK) {
        pg_copy_abort(&cp, "hedui stopped the run");
        return st;
    }
    long long rows = -1;
    st = pg_copy_end(&cp, &rows, e);
    if (st == E_OK && (rows != seq || seq != want))
        st = ERR(e, E_INTERNAL, "%s: %lld rows in the list, %lld sent, %lld stored",
                 ol->table, want, seq, rows);
    return st;
}

static void json_counts(struct strbuf *b, const struct pipeline *p)
{
    strbuf_puts(b, "{");
    for (int r = 0; r < n_rules; r++)
        strbuf_printf(b, "%s\"%s\": %zu", r ? ", " : "", rule_names[r], p->er.rule_count[r]);
    strbuf_puts(b, "}");
}

static void json_timings(struct strbuf *b, const struct pipeline *p, double pg_read_ms)
{
    strbuf_puts(b, "{");
    for (int i = 0; i < N_STAGES; i++)
        strbuf_printf(b, "\"%s\": %.1f, ", stage_names[i], p->stage_ms[i]);
    strbuf_printf(b, "\"pg_read_ms\": %.1f, \"peak_rss_kb\": %lld}", pg_read_ms,
              pipeline_peak_rss_kb());
}

static void json_inputs(struct strbuf *b, const struct pipeline *p, const struct in_info *info)
{
    strbuf_puts(b, "{");
    int first = 1;
    for (int f = 0; f < N_INPUT; f++) {
        const struct filestat *fs = &p->d.files[f];
        if (!fs->present)
            continue;
        strbuf_printf(b, "%s\"%s\": {", first ? "" : ", ", input_file_names[f]);
        first = 0;
        if (fs->from_rules)
            strbuf_printf(b, "\"from_rules_dir\": true, \"xxh128\": \"%s\", \"bytes\": %lld}",
                      fs->checksum, fs->bytes);
        else
            strbuf_printf(b, "\"load_id\": %lld, \"source_xxh128\": \"%s\", \"source_bytes\": %lld, "
                         "\"fetched_xxh128\": \"%s\", \"fetched_bytes\": %lld}",
                      info[f].load_id, info[f].xxh, info[f].bytes, fs->checksum, fs->bytes);
    }
    strbuf_puts(b, "}");
}

/* Insert the runs row; *run_id receives its id. */
static int insert_run(struct pg *db, const char *sq, const struct pipeline *p, time_t started,
                      const char *status, long long load_id, const struct in_info *info,
                      const char *manifest, double pg_read_ms, const char *error,
                      long long *run_id, struct err *e)
{
    char st_at[32], asof[11], seed[32], lid[32], nf[32], nq[32], ns[32], nr[32];
    snprintf(st_at, sizeof st_at, "%lld", (long long)started);
    date_format(p->cfg.as_of, asof);
    snprintf(seed, sizeof seed, "%llu", p->cfg.seed);
    snprintf(lid, sizeof lid, "%lld", load_id);
    size_t n_rej = 0;
    for (int f = 0; f < N_INPUT; f++)
        n_rej += p->d.files[f].rejects.n;
    int ok = strcmp(status, "published") == 0;
    snprintf(nf, sizeof nf, "%zu", p->er.n_flags);
    snprintf(nq, sizeof nq, "%zu", p->rk.n_queue);
    snprintf(ns, sizeof ns, "%zu", p->rk.n_spot);
    snprintf(nr, sizeof nr, "%zu", n_rej);
    struct strbuf ck = {0}, rc = {0}, tm = {0}, sql = {0};
    json_inputs(&ck, p, info);
    json_counts(&rc, p);
    json_timings(&tm, p, pg_read_ms);
    const char *pack = p->er.by.policy_hash[0] ? p->er.by.policy_name : NULL;
    const char *phash = p->er.by.policy_hash[0] ? p->er.by.policy_hash : NULL;
    const char *pv[] = {status, st_at, asof, seed, HEDUI_VERSION, p->cfg.rules_dir,
                        p->pol.version, p->pol.hash, load_id ? lid : NULL, ck.p,
                        ok ? rc.p : NULL, tm.p, ok ? nf : NULL, ok ? nq : NULL,
                        ok ? ns : NULL, ok ? nr : NULL, manifest, error, pack, phash};
    strbuf_printf(&sql,
              "INSERT INTO %s.runs (status, started_at, as_of, seed, tool_version, rules_dir, "
              "rules_version, rules_hash, load_id, input_checksums, rule_counts, timings, "
              "n_flags, n_review, n_spotcheck, n_rejects, manifest, error, pack, policy_hash) "
              "VALUES ($1, to_timestamp($2::double precision), $3::date, $4::numeric, $5, $6, "
              "$7, $8, $9::bigint, $10::jsonb, $11::jsonb, $12::jsonb, $13::bigint, "
              "$14::bigint, $15::bigint, $16::bigint, $17::jsonb, $18, $19, $20) "
              "RETURNING run_id", sq);
    int st = E_OK;
    if (ck.oom || rc.oom || tm.oom || sql.oom)
        st = ERR(e, E_NOMEM, "out of memory");
    PGresult *r = NULL;
    if (st == E_OK)
        st = pg_query(db, sql.p, 20, pv, &r, "recording the run", e);
    if (st == E_OK)
        *run_id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    strbuf_free(&ck);
    strbuf_free(&rc);
    strbuf_free(&tm);
    strbuf_free(&sql);
    return st;
}

/* One list of the run into f, by the renderers that write the output
 * directory (audit/review.h for the auditors' flags and changes,
 * out/lists.h for the rest). */
static void render_list(struct pipeline *p, int l, const struct run_summary *sum, FILE *f)
{
    switch (l) {
    case L_FLAGS:
        review_flags(f, p->rv, &p->er);   /* with fingerprint,change: pg always compares */
        break;
    case L_QUEUE:
        lists_queue(f, &p->rk);
        break;
    case L_SPOT:
        lists_spot(f, &p->rk);
        break;
    case L_REJECTS:
        lists_rejects(f, &p->d);
        break;
    case L_CHANGES:
        review_changes(f, p->rv, &p->er);
        break;
    case L_MANIFEST:
        lists_manifest(f, sum, p->fc.accepted, p->fc.n_accepted);
        break;
    }
}

/* Every list into memory (the manifest last, with the time the others
 * took as its write_ms). */
static int render_lists(struct pipeline *p, struct text lists[N_LISTS], struct err *e)
{
    double t = pipeline_now_ms();
    struct run_summary sum;
    for (int l = 0; l < N_LISTS; l++) {
        if (l == L_MANIFEST) {
            p->stage_ms[ST_WRITE] = pipeline_now_ms() - t;
            p->stage_ms[ST_TOTAL] = pipeline_now_ms() - p->t_start;
            pipeline_summary(p, &sum);
        }
        const char *name = output_file_names[l == L_MANIFEST ? OF_MANIFEST : outlists[l].file];
        FILE *f = open_memstream(&lists[l].p, &lists[l].n);
        if (!f)
            return ERR(e, E_NOMEM, "out of memory while rendering %s", name);
        render_list(p, l, &sum, f);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad)
            return ERR(e, E_NOMEM, "out of memory while rendering %s", name);
    }
    return E_OK;
}

static int publish_run(struct pg *db, const char *schema, const char *sq, struct pipeline *p,
                       time_t started,
                       long long load_id, const struct in_info *info, double pg_read_ms,
                       long long *run_id, struct err *e)
{
    struct text lists[N_LISTS];
    memset(lists, 0, sizeof lists);
    int st = render_lists(p, lists, e);
    double t = pipeline_now_ms();
    if (st == E_OK)
        st = pg_begin_write(db, schema, sq, PG_OUTPUT_TABLES, e);
    if (st == E_OK)
        st = insert_run(db, sq, p, started, "published", load_id, info, lists[L_MANIFEST].p,
                        pg_read_ms, NULL, run_id, e);
    if (st == E_OK) {
        char app[64];
        snprintf(app, sizeof app, "hedui run %lld", *run_id);
        const char *pv[] = {app};
        st = pg_query(db, "SELECT set_config('application_name', $1, false) "
                          "WHERE current_setting('application_name') LIKE 'hedui%'",
                      1, pv, NULL, "naming the session", e);
    }
    size_t n_rej = 0;
    for (int f = 0; f < N_INPUT; f++)
        n_rej += p->d.files[f].rejects.n;
    const long long want[N_TABLE_LISTS] = {
        [L_FLAGS] = (long long)p->er.n_flags, [L_QUEUE] = (long long)p->rk.n_queue,
        [L_SPOT] = (long long)p->rk.n_spot, [L_REJECTS] = (long long)n_rej,
        [L_CHANGES] = (long long)(p->er.n_flags + p->rv->n_resolved)};
    for (int l = 0; l < N_TABLE_LISTS && st == E_OK; l++)
        st = copy_list(db, sq, &outlists[l], &lists[l], *run_id, want[l], e);
    if (st == E_OK) {
        char id[32], ms[32];
        snprintf(id, sizeof id, "%lld", *run_id);
        snprintf(ms, sizeof ms, "%.1f", pipeline_now_ms() - t);
        const char *pv[] = {id, ms};
        struct strbuf sql = {0};
        strbuf_printf(&sql, "UPDATE %s.runs SET timings = timings || jsonb_build_object("
                        "'pg_write_ms', $2::double precision), published_at = "
                        "clock_timestamp() WHERE run_id = $1::bigint", sq);
        st = strbuf_check(&sql, "building a statement", e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 2, pv, NULL, "finishing the run", e);
        strbuf_free(&sql);
    }
    st = pg_end_write(db, st, e);
    for (int l = 0; l < N_LISTS; l++)
        free(lists[l].p);
    return st;
}

/* Best effort: a runs row saying why a run stopped (not for database
 * errors: the connection may be gone). */
static void record_failure(struct pg *db, const char *schema, const char *sq,
                           const struct pipeline *p,
                           time_t started, long long load_id, const struct in_info *info,
                           const struct err *cause)
{
    struct err e2;
    err_init(&e2);
    char msg[900];
    snprintf(msg, sizeof msg, "%s%s%s", cause->in_path, cause->in_path[0] ? ": " : "",
             cause->msg);
    long long id = 0;
    int st = pg_begin_write(db, schema, sq, PG_OUTPUT_TABLES, &e2);
    if (st == E_OK)
        st = insert_run(db, sq, p, started, "failed", load_id, info, NULL, 0, msg, &id, &e2);
    if (st == E_OK)
        st = pg_commit(db, &e2);
    if (st != E_OK)
        pg_rollback(db);
}

int pg_run(const struct run_config *cfg, const char *conninfo, const char *schema,
           const char *out_dir, void (*summary)(const struct pipeline *p, const char *dest),
           struct err *e)
{
    if (pg_check_schema_name(schema, e) != E_OK)
        return e->code;
    time_t started = time(NULL);
    struct pipeline *p = calloc(1, sizeof *p);
    struct in_info *info = calloc(N_INPUT, sizeof *info);
    if (!p || !info) {
        free(p);
        free(info);
        return ERR(e, E_NOMEM, "out of memory");
    }
    struct pg db;
    memset(&db, 0, sizeof db);
    char *sq = NULL;
    long long load_id = 0, run_id = 0;
    int connected = 0;
    double pg_read_ms = 0;
    struct run_config c2 = *cfg;
    c2.auditor_outputs = 1;   /* fingerprints, changes (pg_review_read), report.html */
    int st = pipeline_init(p, &c2, e);
    if (st == E_OK)
        st = pg_open(&db, conninfo, "hedui run", e);
    if (st == E_OK) {
        connected = 1;
        sq = pg_ident(&db, schema, e);
        if (!sq)
            st = e->code;
    }
    if (st == E_OK) {
        double t = pipeline_now_ms();
        st = pg_begin(&db, "ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
        if (st == E_OK)
            st = read_inputs(&db, schema, sq, p, info, &load_id, e);
        if (st == E_OK)
            st = pg_review_read(&db, schema, sq, p->rv, e);
        if (st == E_OK)
            st = read_prev_counts(&db, schema, sq, &p->prev_rows, e);
        if (st == E_OK)
            st = pg_commit(&db, e);
        else
            pg_rollback(&db);
        pg_read_ms = pipeline_now_ms() - t;
    }
    int failed_before_publish = 0;
    if (st == E_OK) {
        st = pipeline_finish_load(p, e);
        if (st == E_OK)
            st = pipeline_evaluate(p, e);
        failed_before_publish = st != E_OK;
    }
    if (st == E_OK)
        st = publish_run(&db, schema, sq, p, started, load_id, info, pg_read_ms, &run_id, e);
    if (failed_before_publish && connected && st != E_PG && st != E_NOMEM)
        record_failure(&db, schema, sq, p, started, load_id, info, e);
    /* the summary line's destination: the run, its schema and database
     * (pg_describe: no password), and the CSV copy */
    char dest[900] = "";
    if (st == E_OK) {
        char where[300];
        pg_describe(&db, where, sizeof where);
        snprintf(dest, sizeof dest, "run %lld in schema %s at %s%s%s", run_id, schema, where,
                 out_dir ? ", " : "", out_dir ? out_dir : "");
    }
    pg_close(&db);
    if (st == E_OK && out_dir) {
        st = pipeline_publish_dir(p, out_dir, e);
        if (st != E_OK)
            snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
                     " (run %lld is published in PostgreSQL; only the CSV copy failed)",
                     run_id);
    }
    if (st == E_OK && summary)
        summary(p, dest);
    free(sq);
    pipeline_free(p);
    free(p);
    free(info);
    return st;
}
