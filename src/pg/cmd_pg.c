/* cmd_pg.c - PostgreSQL as the system of record (see cmd_pg.h).
 *
 * Owns: the database schema (input tables, load history, runs and their
 * lists), `hedui load --pg` and the PostgreSQL side of `hedui run --pg`.
 * Never interprets a value: the same normaliser as a CSV run decides what
 * is rejected, and the same writers produce the lists.
 *
 * load.  The data directory goes through the normaliser exactly as for a
 * CSV run (pipeline_load_dir), which yields every reject with its line.
 * Each file is then parsed a second time and its records that were not
 * rejected are sent with COPY FROM STDIN, as text (values as delivered,
 * decoded to UTF-8) plus `line`, the physical line where the record starts
 * in the file, and load_id.  Rejects go to load_rejects.  One transaction:
 * previous inputs are replaced (DELETE, MVCC-safe, not TRUNCATE; the new
 * rows have new keys (load_id, line), so no unique check meets a deleted
 * row) or, on any error, left as they were.  Birth dates in IDs are judged at run time against
 * the run's as-of date, so the load normalises with no as-of limit.
 *
 * run.  In one REPEATABLE READ snapshot each input table is fetched with
 * COPY (SELECT line, ... WHERE load_id = current ORDER BY line) TO STDOUT
 * and turned into CSV (quoted only where needed, so the loader's fast path
 * applies), with blank lines inserted so that every record starts on its
 * original line: the
 * normaliser then sees the same records on the same lines as in the file
 * (blank lines are not records), so evidence and rejects name the file's
 * lines.  The load's rejects are added back to each file's accounting, so
 * row counts, the reject limit and rejects.csv are those of a CSV run.
 * The lists are written by write.c into a private temporary directory and
 * sent with COPY into flags, review_queue, spotcheck and rejects under a
 * new runs row, all in one transaction.
 */
#include "cmd/cli.h"
#include "pg/cmd_pg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "base/date.h"
#include "engine/load.h"
#include "pg/pg.h"
#include "audit/review.h"

/* ---------- the contract's columns (as normalise.c reads them) ---------- */

static const char *const c_households[] = {
    "household_id", "region_code", "program", "area_type", "status",
    "applied_on", "approved_on", "monthly_benefit", "caseworker_id"};
static const char *const c_members[] = {
    "household_id", "id_no", "name", "relation", "declared_monthly_income",
    "work_ability", "disability_grade"};
static const char *const c_hukou[] = {
    "id_no", "name", "hukou_no", "relation_to_head", "region_code", "status", "status_date"};
static const char *const c_vehicles[] = {
    "id_no", "plate_no", "vehicle_class", "use", "registered_on", "value_yuan", "status"};
static const char *const c_property[] = {
    "id_no", "property_id", "usage", "area_m2", "share", "registered_on", "status"};
static const char *const c_si[] = {"id_no", "period", "kind", "employer", "amount"};
static const char *const c_business[] = {
    "id_no", "entity_name", "role", "registered_capital_yuan", "status"};
static const char *const c_pubserv[] = {"id_no", "employer", "since"};
static const char *const c_staffrel[] = {"caseworker_id", "relative_id_no", "relation"};
static const char *const c_candidates[] = {"id_no", "source", "region_code", "area_type"};
static const char *const c_standards[] = {
    "region_prefix", "area_type", "effective_from", "monthly_yuan"};
static const char *const c_holidays[] = {"date", "kind"};
/* TODO(lead): these lists are contract/model.c's feed_decls[f].cols; read them there */
static const char *const c_finassets[] = {
    "id_no", "institution", "account_no", "asset_type", "balance_yuan", "balance_date"};
static const char *const c_funeral[] = {"id_no", "name", "event_date", "kind"};

struct table_spec {
    const char *const *cols;
    int n;
    const char *extra;     /* table constraints and indexes */
};
#define TS(c, x) {c, (int)(sizeof c / sizeof c[0]), x}
static const struct table_spec tables[N_INPUT] = {
    [IN_HOUSEHOLDS] = TS(c_households, ", UNIQUE (load_id, household_id)"),
    [IN_MEMBERS] = TS(c_members, ""),
    [IN_HUKOU] = TS(c_hukou, ""),
    [IN_VEHICLES] = TS(c_vehicles, ""),
    [IN_PROPERTY] = TS(c_property, ""),
    [IN_SI] = TS(c_si, ""),
    [IN_BUSINESS] = TS(c_business, ""),
    [IN_PUBSERV] = TS(c_pubserv, ""),
    [IN_STAFFREL] = TS(c_staffrel, ""),
    [IN_CANDIDATES] = TS(c_candidates, ""),
    [IN_STANDARDS] = TS(c_standards, ""),
    [IN_HOLIDAYS] = TS(c_holidays, ""),
    [IN_FINASSETS] = TS(c_finassets, ""),
    [IN_FUNERAL] = TS(c_funeral, ""),
};

/* "households.csv" -> "households" */
static void table_name(int f, char out[64])
{
    snprintf(out, 64, "%s", input_file_names[f]);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = '\0';
}

static int file_index(const char *name)
{
    for (int f = 0; f < N_INPUT; f++)
        if (strcmp(input_file_names[f], name) == 0)
            return f;
    return -1;
}

/* ---------- a growable string ---------- */

struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if ((size_t)k < sizeof tmp) {
        sb_put(b, tmp, (size_t)k);
        return;
    }
    char *big = malloc((size_t)k + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)k + 1, fmt, ap);
    va_end(ap);
    sb_put(b, big, (size_t)k);
    free(big);
}

static void sb_reset(struct sbuf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

static void sb_free(struct sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* "s" as a quoted CSV field (always quoted: empty is '' not NULL). */
static void sb_csv(struct sbuf *b, const char *s, size_t n)
{
    sb_put(b, "\"", 1);
    const char *q;
    while (n > 0 && (q = memchr(s, '"', n)) != NULL) {
        sb_put(b, s, (size_t)(q - s) + 1);
        sb_put(b, "\"", 1);
        n -= (size_t)(q - s) + 1;
        s = q + 1;
    }
    sb_put(b, s, n);
    sb_put(b, "\"", 1);
}

static int sb_check(const struct sbuf *b, struct err *e)
{
    return b->oom ? ERR(e, E_NOMEM, "out of memory") : E_OK;
}

/* ---------- schema ---------- */

static int exec_sb(struct pg *db, struct sbuf *b, const char *what, struct err *e)
{
    int st = sb_check(b, e);
    if (st == E_OK)
        st = pg_exec(db, b->p, what, e);
    sb_reset(b);
    return st;
}

/* Serialise loads, runs and table creation in one schema. */
static int lock_schema(struct pg *db, const char *schema, struct err *e)
{
    char key[300], num[32];
    snprintf(key, sizeof key, "hedui schema %s", schema);
    snprintf(num, sizeof num, "%lld", (long long)XXH64(key, strlen(key), 0));
    const char *pv[] = {num};
    return pg_query(db, "SELECT pg_advisory_xact_lock($1::bigint)", 1, pv, NULL,
                    "waiting for other hedui sessions on this schema", e);
}

/* Which of the schema and its tables exist.  Only missing ones are
 * created, so a role with just the privileges on existing tables works. */
struct existing {
    int schema;
    char names[40][64];
    int n;
};

static int find_existing(struct pg *db, const char *schema, struct existing *x, struct err *e)
{
    memset(x, 0, sizeof *x);
    PGresult *r = NULL;
    const char *pv[] = {schema};
    int st = pg_query(db, "SELECT c.relname::text FROM pg_class c JOIN "
                          "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 "
                          "AND c.relkind IN ('r', 'p', 'v') UNION ALL SELECT '' FROM "
                          "pg_namespace WHERE nspname = $1",
                      1, pv, &r, "looking for the schema", e);
    for (int i = 0; st == E_OK && i < PQntuples(r); i++) {
        if (PQgetisnull(r, i, 0))
            continue;
        const char *v = PQgetvalue(r, i, 0);
        if (!*v)
            x->schema = 1;
        else if (x->n < 40)
            snprintf(x->names[x->n++], 64, "%s", v);
    }
    PQclear(r);
    return st;
}

static int exists(const struct existing *x, const char *name)
{
    for (int i = 0; i < x->n; i++)
        if (strcmp(x->names[i], name) == 0)
            return 1;
    return 0;
}

static int ensure_schema(struct pg *db, const char *sq, const struct existing *x, struct err *e)
{
    if (x->schema)
        return E_OK;
    struct sbuf b = {0};
    sb_printf(&b, "CREATE SCHEMA %s", sq);
    int st = exec_sb(db, &b, "creating the schema", e);
    sb_free(&b);
    return st;
}

static int ensure_input_tables(struct pg *db, const char *schema, const char *sq,
                               struct err *e)
{
    struct sbuf b = {0};
    struct existing x;
    int st = find_existing(db, schema, &x, e);
    if (st == E_OK)
        st = ensure_schema(db, sq, &x, e);
    if (st == E_OK && !exists(&x, "loads")) {
        sb_printf(&b,
                  "CREATE TABLE IF NOT EXISTS %s.loads ("
                  "load_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                  "loaded_at timestamptz NOT NULL DEFAULT now(), "
                  "data_dir text NOT NULL, tool_version text NOT NULL, "
                  "rules_version text NOT NULL, "
                  "rows_stored bigint NOT NULL DEFAULT 0, "
                  "rows_rejected bigint NOT NULL DEFAULT 0)", sq);
        st = exec_sb(db, &b, "creating table loads", e);
    }
    if (st == E_OK && !exists(&x, "input_files")) {
        sb_printf(&b,
                  "CREATE TABLE IF NOT EXISTS %s.input_files ("
                  "file text PRIMARY KEY, "
                  "load_id bigint NOT NULL REFERENCES %s.loads, "
                  "present boolean NOT NULL, source_path text, bytes bigint, "
                  "xxh128 text, encoding text, "
                  "data_rows bigint NOT NULL DEFAULT 0, stored_rows bigint NOT NULL DEFAULT 0, "
                  "rejected bigint NOT NULL DEFAULT 0, "
                  "merged_duplicates bigint NOT NULL DEFAULT 0)", sq, sq);
        st = exec_sb(db, &b, "creating table input_files", e);
    }
    if (st == E_OK && !exists(&x, "load_rejects")) {
        sb_printf(&b,
                  "CREATE TABLE IF NOT EXISTS %s.load_rejects ("
                  "load_id bigint NOT NULL REFERENCES %s.loads ON DELETE CASCADE, "
                  "seq integer NOT NULL, file text NOT NULL, line bigint NOT NULL, "
                  "reason text NOT NULL, PRIMARY KEY (load_id, seq))", sq, sq);
        st = exec_sb(db, &b, "creating table load_rejects", e);
    }
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        char t[64];
        table_name(f, t);
        if (exists(&x, t))
            continue;
        /* No foreign key to loads: a per-row check would triple the COPY time. */
        sb_printf(&b, "CREATE TABLE IF NOT EXISTS %s.%s (load_id bigint NOT NULL, "
                      "line bigint NOT NULL", sq, t);
        for (int i = 0; i < tables[f].n; i++)
            sb_printf(&b, ", %s text NOT NULL", tables[f].cols[i]);
        sb_printf(&b, ", PRIMARY KEY (load_id, line)%s)", tables[f].extra);
        st = exec_sb(db, &b, "creating the input tables", e);
    }
    sb_free(&b);
    return st;
}

static int ensure_output_tables(struct pg *db, const char *schema, const char *sq,
                                struct err *e)
{
    struct sbuf b = {0};
    struct existing x;
    int st = find_existing(db, schema, &x, e);
    if (st == E_OK)
        st = ensure_schema(db, sq, &x, e);
    if (st == E_OK && !exists(&x, "runs")) {
        sb_printf(&b,
                  "CREATE TABLE IF NOT EXISTS %s.runs ("
                  "run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                  "status text NOT NULL CHECK (status IN ('published', 'failed')), "
                  "started_at timestamptz NOT NULL, "
                  "published_at timestamptz NOT NULL DEFAULT now(), "
                  "as_of date NOT NULL, seed numeric(20,0) NOT NULL, "
                  "tool_version text NOT NULL, rules_dir text, rules_version text, "
                  "rules_hash text, load_id bigint, input_checksums jsonb, "
                  "rule_counts jsonb, timings jsonb, n_flags bigint, n_review bigint, "
                  "n_spotcheck bigint, n_rejects bigint, error text, manifest jsonb)", sq);
        st = exec_sb(db, &b, "creating table runs", e);
    }
    static const char *const defs[][2] = {
        {"flags", "rule_id text NOT NULL, kind text NOT NULL, severity text NOT NULL, "
                  "household_id text NOT NULL, hukou_no text NOT NULL, id_no text NOT NULL, "
                  "region_code text NOT NULL, evidence text NOT NULL, fingerprint text, "
                  "change text"},
        {"review_queue", "township_code text NOT NULL, rank integer NOT NULL, "
                         "household_id text NOT NULL, hukou_no text NOT NULL, "
                         "score integer NOT NULL, rule_ids text NOT NULL"},
        {"spotcheck", "township_code text NOT NULL, program text NOT NULL, "
                      "household_id text NOT NULL, reason text NOT NULL"},
        {"rejects", "file text NOT NULL, line bigint NOT NULL, reason text NOT NULL"},
        {"changes", "change text NOT NULL, fingerprint text NOT NULL, rule_id text NOT NULL, "
                    "severity text NOT NULL, household_id text NOT NULL, "
                    "hukou_no text NOT NULL, id_no text NOT NULL, region_code text NOT NULL, "
                    "disposition text NOT NULL, evidence text NOT NULL"},
    };
    /* flags of a schema made before fingerprints were stored */
    if (st == E_OK && exists(&x, "flags")) {
        PGresult *r = NULL;
        const char *pv[] = {schema};
        st = pg_query(db, "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 "
                          "AND table_name = 'flags' AND column_name = 'fingerprint'",
                      1, pv, &r, "looking for flags.fingerprint", e);
        int have = st == E_OK && PQntuples(r) > 0;
        PQclear(r);
        if (st == E_OK && !have) {
            sb_printf(&b, "ALTER TABLE %s.flags ADD COLUMN IF NOT EXISTS fingerprint text, "
                          "ADD COLUMN IF NOT EXISTS change text", sq);
            st = exec_sb(db, &b, "adding fingerprints to flags", e);
        }
    }
    if (st == E_OK && !exists(&x, "dispositions")) {
        sb_printf(&b,
                  "CREATE TABLE IF NOT EXISTS %s.dispositions ("
                  "seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                  "fingerprint text NOT NULL, outcome text NOT NULL CHECK (outcome IN "
                  "('confirmed', 'cleared', 'referred')), reviewer text NOT NULL, "
                  "reviewed_on date NOT NULL, note text NOT NULL, "
                  "imported_at timestamptz NOT NULL DEFAULT now(), source text NOT NULL)", sq);
        st = exec_sb(db, &b, "creating table dispositions", e);
        sb_printf(&b, "CREATE INDEX IF NOT EXISTS dispositions_fingerprint ON %s.dispositions "
                      "(fingerprint, seq)", sq);
        if (st == E_OK)
            st = exec_sb(db, &b, "creating table dispositions", e);
    }
    for (int i = 0; i < 5 && st == E_OK; i++) {
        if (exists(&x, defs[i][0]))
            continue;
        sb_printf(&b,
                  "CREATE TABLE IF NOT EXISTS %s.%s (run_id bigint NOT NULL REFERENCES "
                  "%s.runs ON DELETE CASCADE, seq integer NOT NULL, %s, "
                  "PRIMARY KEY (run_id, seq))", sq, defs[i][0], sq, defs[i][1]);
        st = exec_sb(db, &b, "creating the output tables", e);
    }
    sb_free(&b);
    return st;
}

/* Test hook: sleep HEDUI_TEST_PAUSE_BEFORE_COMMIT seconds with everything
 * sent and the transaction open, under a name the tests can find. */
static int pause_before_commit(struct pg *db, struct err *e)
{
    const char *v = getenv("HEDUI_TEST_PAUSE_BEFORE_COMMIT");
    if (!v || atoi(v) <= 0)
        return E_OK;
    int st = pg_exec(db, "SELECT set_config('application_name', 'hedui paused before commit', "
                         "false)", "naming the session", e);
    pg_test_pause("HEDUI_TEST_PAUSE_BEFORE_COMMIT");
    return st;
}

/* ---------- option parsing (load) ---------- */

static const char usage_load[] =
    "Usage: hedui load --pg CONNINFO --data DIR [OPTIONS]\n"
    "\n"
    "Loads the rolls and feeds of the data contract from DIR into PostgreSQL\n"
    "(one table per file, created if missing), with the same normalisation\n"
    "and rejects as 'hedui run': rejected rows go to load_rejects, never into\n"
    "the input tables.  One transaction: the tables then hold exactly this\n"
    "load, or, if anything fails, what they held before.  Then run\n"
    "'hedui run --pg CONNINFO'.\n"
    "\n"
    "Options:\n"
    "  --pg CONNINFO        libpq connection string or postgresql:// URI; '' uses\n"
    "                       the PG* environment variables and ~/.pg_service.conf\n"
    "                       (keep passwords in ~/.pgpass, not on the command line)\n"
    "  --data DIR           input directory (required)\n"
    "  --schema S           schema of the tables (default: hedui)\n"
    "  --rules DIR          policy directory, for the reject limit (default: shipped)\n"
    "  --encoding [FILE=]ENC  read FILE (or every file) as utf-8 or gb18030\n"
    "  -q, --quiet          no progress lines even on a terminal\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 loaded; 1 a feed over its reject limit (nothing loaded);\n"
    "2 usage; 3 bad input file; 4 database error; 5 bad rules; 7 out of memory.\n";

/* ---------- load ---------- */

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
    struct sbuf row;
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
    sb_reset(&x->row);
    sb_printf(&x->row, "%lld,%lld", x->load_id, line);
    int n = tables[file_index(x->file)].n;
    for (int i = 0; i < n; i++) {
        if (memchr(vals[i], '\0', lens[i])) {
            err_where(e, x->file, line, i + 1);
            return ERR(e, E_DATA, "a NUL byte in a field cannot be stored in PostgreSQL: "
                                  "remove it from the file and load again");
        }
        sb_put(&x->row, ",", 1);
        sb_csv(&x->row, vals[i], lens[i]);
    }
    sb_put(&x->row, "\n", 1);
    int st = sb_check(&x->row, e);
    if (st == E_OK)
        st = pg_copy_put(x->cp, x->row.p, x->row.n, e);
    x->stored++;
    return st;
}

/* COPY the accepted records of file f (path) into its table. */
static int load_table(struct pg *db, const char *sq, struct pipeline *p, int f,
                      long long load_id, long long *stored, struct err *e)
{
    const struct filestat *fs = &p->d.files[f];
    size_t nr = fs->rejects.n;
    long long *rej = malloc((nr ? nr : 1) * sizeof *rej);
    if (!rej)
        return ERR(e, E_NOMEM, "out of memory");
    for (size_t i = 0; i < nr; i++)
        rej[i] = VEC_AT(fs->rejects, struct reject, i).line;
    qsort(rej, nr, sizeof *rej, cmp_ll);

    char t[64];
    table_name(f, t);
    struct sbuf sql = {0};
    sb_printf(&sql, "COPY %s.%s (load_id, line", sq, t);
    for (int i = 0; i < tables[f].n; i++)
        sb_printf(&sql, ", %s", tables[f].cols[i]);
    sb_puts(&sql, ") FROM STDIN WITH (FORMAT csv)");
    char what[128];
    snprintf(what, sizeof what, "loading %s into %s", input_file_names[f], t);
    struct pg_copy cp;
    int st = sb_check(&sql, e);
    if (st == E_OK)
        st = pg_copy_begin(db, &cp, sql.p, what, e);
    sb_free(&sql);
    if (st != E_OK) {
        free(rej);
        return st;
    }
    struct emit_ctx x = {&cp, load_id, rej, nr, 0, 0, input_file_names[f], {0}};
    struct load_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.file = (enum input_file)f;
    spec.cols = tables[f].cols;
    spec.n_cols = tables[f].n;
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
    sb_free(&x.row);
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
    struct sbuf sql = {0};
    sb_printf(&sql, "COPY %s.load_rejects (load_id, seq, file, line, reason) FROM STDIN "
                    "WITH (FORMAT csv)", sq);
    struct pg_copy cp;
    int st = sb_check(&sql, e);
    if (st == E_OK)
        st = pg_copy_begin(db, &cp, sql.p, "storing the load's rejects", e);
    sb_free(&sql);
    if (st != E_OK)
        return st;
    struct sbuf row = {0};
    long long seq = 0;
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        const struct filestat *fs = &p->d.files[f];
        if (!fs->present || fs->from_rules)
            continue;
        for (size_t i = 0; i < fs->rejects.n && st == E_OK; i++) {
            const struct reject *r = &VEC_AT(fs->rejects, struct reject, i);
            sb_reset(&row);
            sb_printf(&row, "%lld,%lld,%s,%lld,", load_id, ++seq, fs->name, r->line);
            sb_csv(&row, r->reason, strlen(r->reason));
            sb_put(&row, "\n", 1);
            st = sb_check(&row, e);
            if (st == E_OK)
                st = pg_copy_put(&cp, row.p, row.n, e);
        }
    }
    sb_free(&row);
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
    struct sbuf sql = {0};
    sb_printf(&sql,
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
    int st = sb_check(&sql, e);
    if (st == E_OK)
        st = pg_query(db, sql.p, 11, pv, NULL, "recording the input files", e);
    sb_free(&sql);
    return st;
}

static int load_into_pg(struct pg *db, const char *schema, struct pipeline *p,
                        const char *data_dir, long long *load_id_out, long long *stored_out,
                        long long *rejected_out, struct err *e)
{
    char *sq = pg_ident(db, schema, e);
    if (!sq)
        return e->code;
    struct sbuf sql = {0};
    PGresult *r = NULL;
    long long load_id = 0, stored_all = 0, n_rej = 0;
    int st = pg_begin(db, "", e);
    if (st == E_OK)
        st = lock_schema(db, schema, e);
    if (st == E_OK)
        st = ensure_input_tables(db, schema, sq, e);
    if (st == E_OK) {
        sb_printf(&sql, "INSERT INTO %s.loads (data_dir, tool_version, rules_version) "
                        "VALUES ($1, $2, $3) RETURNING load_id", sq);
        const char *pv[] = {data_dir, HEDUI_VERSION, p->pol.version};
        st = sb_check(&sql, e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 3, pv, &r, "starting the load", e);
        if (st == E_OK)
            load_id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        sb_reset(&sql);
    }
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        char t[64];
        table_name(f, t);
        double t0 = pipeline_now_ms();
        sb_printf(&sql, "DELETE FROM %s.%s", sq, t);
        st = exec_sb(db, &sql, "replacing the previous inputs", e);
        double t1 = pipeline_now_ms();
        long long stored = 0;
        const struct filestat *fs = &p->d.files[f];
        if (st == E_OK && fs->present && !fs->from_rules)
            st = load_table(db, sq, p, f, load_id, &stored, e);
        if (st == E_OK) {
            /* Fresh statistics for the planner (a warning, not an error,
             * when the role does not own the table). */
            sb_printf(&sql, "ANALYZE %s.%s", sq, t);
            st = exec_sb(db, &sql, "analysing the new inputs", e);
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
        sb_printf(&sql, "UPDATE %s.loads SET rows_stored = $2::bigint, rows_rejected = "
                        "$3::bigint WHERE load_id = $1::bigint", sq);
        st = sb_check(&sql, e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 3, pv, NULL, "finishing the load", e);
        sb_reset(&sql);
    }
    if (st == E_OK) {
        st = pause_before_commit(db, e);
        if (st == E_OK)
            st = pg_commit(db, e);
    }
    if (st != E_OK)
        pg_rollback(db);
    sb_free(&sql);
    free(sq);
    *load_id_out = load_id;
    *stored_out = stored_all;
    *rejected_out = n_rej;
    return st;
}

int cmd_load(int argc, char **argv, const char *default_rules, struct err *e)
{
    const char *conninfo = NULL, *data = NULL, *schema = PG_DEFAULT_SCHEMA, *rules = NULL;
    int quiet = 0;
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    for (int i = 0; i < argc; i++) {
        const char *v = NULL, *a = argv[i];
        int r;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_load, stdout);
            return E_OK;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if ((r = cli_opt_value(argc, argv, &i, "--pg", &v, e)) != 0) {
            if (r < 0) return e->code;
            conninfo = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--data", &v, e)) != 0) {
            if (r < 0) return e->code;
            data = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--schema", &v, e)) != 0) {
            if (r < 0) return e->code;
            schema = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--rules", &v, e)) != 0) {
            if (r < 0) return e->code;
            rules = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--encoding", &v, e)) != 0) {
            if (r < 0) return e->code;
            int st = cli_parse_encoding(v, &cfg.enc_all, cfg.enc_file, e);
            if (st != E_OK)
                return st;
        } else {
            return ERR(e, E_USAGE, "unknown option '%s' for 'load'", a);
        }
    }
    if (!conninfo)
        return ERR(e, E_USAGE, "'load' needs --pg CONNINFO ('' for the PG* environment)");
    if (!data)
        return ERR(e, E_USAGE, "'load' needs --data DIR");
    if (!*schema || strlen(schema) > 63)
        return ERR(e, E_USAGE, "--schema '%s': want 1 to 63 characters", schema);
    cfg.data_dir = data;
    cfg.rules_dir = rules ? rules : default_rules;
    /* No as-of limit on birth dates: the run judges them against its own. */
    cfg.as_of = date_from_ymd(9999, 12, 31);
    cfg.progress = !quiet && isatty(STDERR_FILENO);

    double t0 = pipeline_now_ms();
    struct pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return ERR(e, E_NOMEM, "out of memory");
    struct pg db;
    memset(&db, 0, sizeof db);
    long long load_id = 0, stored = 0, rejected = 0;
    int st = pipeline_init(p, &cfg, e);
    if (st == E_OK)
        st = pg_open(&db, conninfo, "hedui load", e);   /* fail fast on credentials */
    if (st == E_OK)
        st = pipeline_load_dir(p, e);
    char abs[4096];
    if (st == E_OK)
        st = load_into_pg(&db, schema, p, realpath(data, abs) ? abs : data, &load_id, &stored,
                          &rejected, e);
    if (st == E_OK && cfg.progress) {
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

/* ---------- run: fetching the inputs ---------- */

struct fetch {
    struct sbuf b, val;
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

/* Append one value as a CSV field, quoted only where libcsv needs it: a
 * comma, quote or line end inside, or white space at either end (which an
 * unquoted field would lose). */
static void put_field(struct sbuf *b, const char *v, size_t n)
{
    int q = n > 0 && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t');
    for (size_t i = 0; i < n && !q; i++)
        q = v[i] == ',' || v[i] == '"' || v[i] == '\n' || v[i] == '\r';
    if (q)
        sb_csv(b, v, n);
    else
        sb_put(b, v, n);
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
            sb_put(&x->b, nl, k);
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
        sb_put(&x->b, row, len);
        if (!x->b.oom)
            for (char *c = x->b.p + at; (c = memchr(c, '\t', x->b.p + x->b.n - c)) != NULL;)
                *c++ = ',';
        x->cur_line++;
        x->rows++;
        return sb_check(&x->b, e);
    }
    /* Decode each field into x->val, then write it as CSV. */
    sb_put(&x->b, row, i);   /* the line column itself */
    size_t p = i + 1, end = len - 1;
    for (;;) {
        sb_reset(&x->val);
        size_t q = p;
        while (q < end && row[q] != '\t') {
            size_t r = q;
            while (r < end && row[r] != '\t' && row[r] != '\\')
                r++;
            sb_put(&x->val, row + q, r - q);
            q = r;
            if (q < end && row[q] == '\\' && q + 1 < end) {
                char c = row[q + 1];
                char d = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == 'b' ? '\b'
                       : c == 'f' ? '\f' : c == 'v' ? '\v' : c;
                sb_put(&x->val, &d, 1);
                q += 2;
            } else if (q < end && row[q] == '\\') {
                return ERR(e, E_INTERNAL, "%s: unexpected COPY row", x->file);
            }
        }
        sb_put(&x->b, ",", 1);
        put_field(&x->b, x->val.p ? x->val.p : "", x->val.n);
        x->cur_line += count_nl(x->val.p ? x->val.p : "", x->val.n);
        if (q >= end)
            break;
        p = q + 1;
    }
    sb_put(&x->b, "\n", 1);
    x->cur_line++;
    x->rows++;
    int st = sb_check(&x->b, e);
    return st == E_OK ? sb_check(&x->val, e) : st;
}

struct in_info {
    int known, present;
    long long load_id, stored, bytes;
    char xxh[40];
};

static int read_inputs(struct pg *db, const char *schema, const char *sq, struct pipeline *p,
                       struct in_info *info, long long *load_id, struct err *e)
{
    struct sbuf sql = {0};
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
        sb_printf(&sql, "SELECT file, present, load_id, coalesce(xxh128, ''), stored_rows, "
                        "coalesce(bytes, 0) FROM %s.input_files", sq);
        st = sb_check(&sql, e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 0, NULL, &r, "reading input_files", e);
        sb_reset(&sql);
    }
    *load_id = 0;
    for (int i = 0; st == E_OK && i < PQntuples(r); i++) {
        int f = file_index(PQgetvalue(r, i, 0));
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
                snprintf(path, sizeof path, "%s/%s", p->cfg.rules_dir, input_file_names[f]);
                st = pipeline_load_file(p, (enum input_file)f, path, 1, e);
                continue;
            }
            st = ERR(e, E_NOINPUT, "required input %s is not loaded in schema %s: run "
                                   "'hedui load' with a data directory that has it",
                     input_file_names[f], schema);
            break;
        }
        char t[64], what[128], label[400];
        table_name(f, t);
        snprintf(what, sizeof what, "reading table %s", t);
        snprintf(label, sizeof label, "postgresql:%s.%s", schema, t);
        sb_printf(&sql, "COPY (SELECT line");
        for (int i = 0; i < tables[f].n; i++)
            sb_printf(&sql, ", %s", tables[f].cols[i]);
        sb_printf(&sql, " FROM %s.%s WHERE load_id = %lld ORDER BY line) TO STDOUT", sq, t,
                  info[f].load_id);
        struct fetch x;
        memset(&x, 0, sizeof x);
        x.file = input_file_names[f];
        sb_puts(&x.b, "line");
        for (int i = 0; i < tables[f].n; i++)
            sb_printf(&x.b, ",%s", tables[f].cols[i]);
        sb_puts(&x.b, "\n");
        x.cur_line = 2;
        st = sb_check(&sql, e);
        if (st == E_OK)
            st = pg_copy_out(db, sql.p, fetch_row, &x, what, e);
        sb_reset(&sql);
        if (st == E_OK && x.rows != info[f].stored)
            st = ERR(e, E_DATA, "table %s.%s has %lld rows, the load stored %lld: it was "
                                "changed outside hedui; load the data again",
                     schema, t, x.rows, info[f].stored);
        if (st == E_OK)
            st = pipeline_load_buffer(p, (enum input_file)f, label,
                                      (const unsigned char *)(x.b.p ? x.b.p : ""), x.b.n, e);
        sb_free(&x.b);
        sb_free(&x.val);
    }

    /* The load's rejects: the same rows a CSV run would reject. */
    if (st == E_OK) {
        char lid[32];
        snprintf(lid, sizeof lid, "%lld", *load_id);
        const char *pv2[] = {lid};
        sb_printf(&sql, "SELECT file, line, reason FROM %s.load_rejects WHERE load_id = "
                        "$1::bigint ORDER BY seq", sq);
        st = sb_check(&sql, e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 1, pv2, &r, "reading load_rejects", e);
        for (int i = 0; st == E_OK && i < PQntuples(r); i++) {
            int f = file_index(PQgetvalue(r, i, 0));
            if (f < 0 || !info[f].present || !p->d.files[f].present)
                continue;
            st = dataset_reject(&p->d, (enum input_file)f, atoll(PQgetvalue(r, i, 1)), e, "%s",
                                PQgetvalue(r, i, 2));
            p->d.files[f].data_rows++;
        }
        PQclear(r);
    }
    sb_free(&sql);
    return st;
}

/* ---------- run: publishing ---------- */

static int read_whole(const char *path, struct sbuf *b, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR(e, E_IO, "cannot open %s: %s", path, strerror(errno));
    char buf[65536];
    for (;;) {
        ssize_t k = read(fd, buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int er = errno;
            close(fd);
            return ERR(e, E_IO, "cannot read %s: %s", path, strerror(er));
        }
        if (k == 0)
            break;
        sb_put(b, buf, (size_t)k);
    }
    close(fd);
    return sb_check(b, e);
}

struct outlist {
    const char *file, *table, *cols, *notnull;
};
static const struct outlist outlists[5] = {
    {"flags.csv", "flags",
     "rule_id, kind, severity, household_id, hukou_no, id_no, region_code, evidence, "
     "fingerprint, change",
     "rule_id, kind, severity, household_id, hukou_no, id_no, region_code, evidence"},
    {"review_queue.csv", "review_queue",
     "township_code, rank, household_id, hukou_no, score, rule_ids",
     "township_code, household_id, hukou_no, rule_ids"},
    {"spotcheck.csv", "spotcheck", "township_code, program, household_id, reason",
     "township_code, program, household_id, reason"},
    {"rejects.csv", "rejects", "file, line, reason", "file, reason"},
    {"changes.csv", "changes",
     "change, fingerprint, rule_id, severity, household_id, hukou_no, id_no, region_code, "
     "disposition, evidence",
     "change, fingerprint, rule_id, severity, household_id, hukou_no, id_no, region_code, "
     "disposition, evidence"},
};

/* COPY a CSV list written by write.c, each record prefixed "run_id,seq,". */
static int copy_list(struct pg *db, const char *sq, const struct outlist *ol,
                     const struct sbuf *csv, long long run_id, long long want, struct err *e)
{
    struct sbuf sql = {0};
    sb_printf(&sql, "COPY %s.%s (run_id, seq, %s) FROM STDIN WITH (FORMAT csv, "
                    "FORCE_NOT_NULL (%s))", sq, ol->table, ol->cols, ol->notnull);
    char what[80];
    snprintf(what, sizeof what, "publishing %s", ol->table);
    struct pg_copy cp;
    int st = sb_check(&sql, e);
    if (st == E_OK)
        st = pg_copy_begin(db, &cp, sql.p, what, e);
    sb_free(&sql);
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
        st = ERR(e, E_INTERNAL, "%s does not end with a line end", ol->file);
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

static void json_counts(struct sbuf *b, const struct pipeline *p)
{
    sb_puts(b, "{");
    for (int r = 0; r < N_RULES; r++)
        sb_printf(b, "%s\"%s\": %zu", r ? ", " : "", rule_names[r], p->er.rule_count[r]);
    sb_puts(b, "}");
}

static void json_timings(struct sbuf *b, const struct pipeline *p, double pg_read_ms)
{
    sb_puts(b, "{");
    for (int i = 0; i < N_STAGES; i++)
        sb_printf(b, "\"%s\": %.1f, ", stage_names[i], p->stage_ms[i]);
    sb_printf(b, "\"pg_read_ms\": %.1f, \"peak_rss_kb\": %lld}", pg_read_ms,
              pipeline_peak_rss_kb());
}

static void json_inputs(struct sbuf *b, const struct pipeline *p, const struct in_info *info)
{
    sb_puts(b, "{");
    int first = 1;
    for (int f = 0; f < N_INPUT; f++) {
        const struct filestat *fs = &p->d.files[f];
        if (!fs->present)
            continue;
        sb_printf(b, "%s\"%s\": {", first ? "" : ", ", input_file_names[f]);
        first = 0;
        if (fs->from_rules)
            sb_printf(b, "\"from_rules_dir\": true, \"xxh128\": \"%s\", \"bytes\": %lld}",
                      fs->checksum, fs->bytes);
        else
            sb_printf(b, "\"load_id\": %lld, \"source_xxh128\": \"%s\", \"source_bytes\": %lld, "
                         "\"fetched_xxh128\": \"%s\", \"fetched_bytes\": %lld}",
                      info[f].load_id, info[f].xxh, info[f].bytes, fs->checksum, fs->bytes);
    }
    sb_puts(b, "}");
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
    struct sbuf ck = {0}, rc = {0}, tm = {0}, sql = {0};
    json_inputs(&ck, p, info);
    json_counts(&rc, p);
    json_timings(&tm, p, pg_read_ms);
    const char *pv[] = {status, st_at, asof, seed, HEDUI_VERSION, p->cfg.rules_dir,
                        p->pol.version, p->pol.hash, load_id ? lid : NULL, ck.p,
                        ok ? rc.p : NULL, tm.p, ok ? nf : NULL, ok ? nq : NULL,
                        ok ? ns : NULL, ok ? nr : NULL, manifest, error};
    sb_printf(&sql,
              "INSERT INTO %s.runs (status, started_at, as_of, seed, tool_version, rules_dir, "
              "rules_version, rules_hash, load_id, input_checksums, rule_counts, timings, "
              "n_flags, n_review, n_spotcheck, n_rejects, manifest, error) VALUES ($1, "
              "to_timestamp($2::double precision), $3::date, $4::numeric, $5, $6, $7, $8, "
              "$9::bigint, $10::jsonb, $11::jsonb, $12::jsonb, $13::bigint, $14::bigint, "
              "$15::bigint, $16::bigint, $17::jsonb, $18) RETURNING run_id", sq);
    int st = E_OK;
    if (ck.oom || rc.oom || tm.oom || sql.oom)
        st = ERR(e, E_NOMEM, "out of memory");
    PGresult *r = NULL;
    if (st == E_OK)
        st = pg_query(db, sql.p, 18, pv, &r, "recording the run", e);
    if (st == E_OK)
        *run_id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    sb_free(&ck);
    sb_free(&rc);
    sb_free(&tm);
    sb_free(&sql);
    return st;
}

/* Write the lists with write.c into a private directory and read them. */
static int render_lists(struct pipeline *p, struct sbuf lists[6], struct err *e)
{
    const char *tmp = getenv("TMPDIR");
    char dir[600];
    snprintf(dir, sizeof dir, "%s/hedui-pg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return ERR(e, E_IO, "cannot create a temporary directory %s: %s", dir, strerror(errno));
    int st = pipeline_publish_dir(p, dir, e);
    static const char *const names[6] = {"flags.csv", "review_queue.csv", "spotcheck.csv",
                                          "rejects.csv", "manifest.json", "changes.csv"};
    char path[1200];
    for (int i = 0; i < 6 && st == E_OK; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        st = read_whole(path, &lists[i], e);
    }
    /* Remove whatever was written (the lists carry full ID numbers). */
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *de;
        while ((de = readdir(dp)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            unlink(path);
        }
        closedir(dp);
    }
    rmdir(dir);
    return st;
}

static int publish_run(struct pg *db, const char *schema, const char *sq, struct pipeline *p,
                       time_t started,
                       long long load_id, const struct in_info *info, double pg_read_ms,
                       long long *run_id, struct err *e)
{
    struct sbuf lists[6];
    memset(lists, 0, sizeof lists);
    int st = render_lists(p, lists, e);
    double t = pipeline_now_ms();
    if (st == E_OK)
        st = pg_begin(db, "", e);
    if (st == E_OK)
        st = lock_schema(db, schema, e);
    if (st == E_OK)
        st = ensure_output_tables(db, schema, sq, e);
    if (st == E_OK)
        st = insert_run(db, sq, p, started, "published", load_id, info, lists[4].p, pg_read_ms,
                        NULL, run_id, e);
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
    const long long want[5] = {(long long)p->er.n_flags, (long long)p->rk.n_queue,
                               (long long)p->rk.n_spot, (long long)n_rej,
                               (long long)(p->er.n_flags + p->rv->n_resolved)};
    static const int list_of[5] = {0, 1, 2, 3, 5};   /* lists[4] is the manifest */
    for (int i = 0; i < 5 && st == E_OK; i++)
        st = copy_list(db, sq, &outlists[i], &lists[list_of[i]], *run_id, want[i], e);
    if (st == E_OK) {
        char id[32], ms[32];
        snprintf(id, sizeof id, "%lld", *run_id);
        snprintf(ms, sizeof ms, "%.1f", pipeline_now_ms() - t);
        const char *pv[] = {id, ms};
        struct sbuf sql = {0};
        sb_printf(&sql, "UPDATE %s.runs SET timings = timings || jsonb_build_object("
                        "'pg_write_ms', $2::double precision), published_at = "
                        "clock_timestamp() WHERE run_id = $1::bigint", sq);
        st = sb_check(&sql, e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 2, pv, NULL, "finishing the run", e);
        sb_free(&sql);
    }
    if (st == E_OK) {
        st = pause_before_commit(db, e);
        if (st == E_OK)
            st = pg_commit(db, e);
    }
    if (st != E_OK)
        pg_rollback(db);
    for (int i = 0; i < 6; i++)
        sb_free(&lists[i]);
    return st;
}

/* The previous published run's findings (with fingerprints) and the
 * verdicts in force, read in the run's snapshot: flags are then marked
 * new/persisting, resolved ones listed in changes, held ones left out of
 * the review queue (review.c, as for --previous/--state). */
static int read_review(struct pg *db, const char *schema, const char *sq, struct review *rv,
                       struct err *e)
{
    PGresult *r = NULL;
    const char *pv[] = {schema};
    int st = pg_query(db, "SELECT (SELECT count(*) FROM information_schema.columns WHERE "
                          "table_schema = $1 AND table_name = 'flags' AND column_name = "
                          "'fingerprint'), (SELECT count(*) FROM pg_tables WHERE schemaname = "
                          "$1 AND tablename = 'dispositions')",
                      1, pv, &r, "looking for fingerprints and dispositions", e);
    int have_fp = st == E_OK && atoi(PQgetvalue(r, 0, 0)) > 0;
    int have_disp = st == E_OK && atoi(PQgetvalue(r, 0, 1)) > 0;
    PQclear(r);
    r = NULL;
    struct sbuf sql = {0};
    if (st == E_OK && have_fp) {
        sb_printf(&sql, "SELECT fingerprint, rule_id, severity, household_id, hukou_no, id_no, "
                        "region_code, evidence FROM %s.flags WHERE run_id = (SELECT "
                        "max(run_id) FROM %s.runs WHERE status = 'published') AND "
                        "fingerprint IS NOT NULL", sq, sq);
        st = sb_check(&sql, e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 0, NULL, &r, "reading the previous run", e);
        for (int i = 0; st == E_OK && i < PQntuples(r); i++) {
            const char *c[7];
            for (int k = 0; k < 7; k++)
                c[k] = PQgetvalue(r, i, k + 1);
            st = review_add_prev(rv, 0, PQgetvalue(r, i, 0), c, e);
        }
        PQclear(r);
        r = NULL;
        sb_reset(&sql);
    }
    if (st == E_OK && have_disp) {
        sb_printf(&sql, "SELECT DISTINCT ON (fingerprint) fingerprint, outcome, reviewer, "
                        "reviewed_on::text, note FROM %s.dispositions "
                        "ORDER BY fingerprint, seq DESC", sq);
        st = sb_check(&sql, e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 0, NULL, &r, "reading the dispositions", e);
        for (int i = 0; st == E_OK && i < PQntuples(r); i++)
            st = review_add_disp(rv, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                                 PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
                                 PQgetvalue(r, i, 4), e);
        PQclear(r);
    }
    sb_free(&sql);
    if (st == E_OK)
        review_sort_added(rv, 1);
    return st;
}

/* ---------- hedui review import FILE --pg ---------- */

struct pg_store {
    struct pg *db;
    const char *schema, *sq;
};

static int store_open(void *ctx, struct review *rv, struct err *e)
{
    struct pg_store *s = ctx;
    int st = pg_begin(s->db, "", e);
    if (st == E_OK)
        st = lock_schema(s->db, s->schema, e);
    if (st == E_OK)
        st = ensure_output_tables(s->db, s->schema, s->sq, e);
    struct sbuf sql = {0};
    sb_printf(&sql, "SELECT DISTINCT fingerprint FROM %s.flags WHERE fingerprint IS NOT NULL",
              s->sq);
    PGresult *r = NULL;
    if (st == E_OK)
        st = sb_check(&sql, e);
    if (st == E_OK)
        st = pg_query(s->db, sql.p, 0, NULL, &r, "reading the recorded fingerprints", e);
    for (int i = 0; st == E_OK && i < PQntuples(r); i++)
        st = review_add_prev(rv, 1, PQgetvalue(r, i, 0), NULL, e);
    PQclear(r);
    sb_free(&sql);
    if (st == E_OK)
        review_sort_added(rv, 0);
    return st;
}

static int store_write(void *ctx, const struct review_verdict *v, size_t n, const char *source,
                       struct err *e)
{
    struct pg_store *s = ctx;
    struct sbuf b = {0};
    sb_printf(&b, "COPY %s.dispositions (fingerprint, outcome, reviewer, reviewed_on, note, "
                  "source) FROM STDIN WITH (FORMAT csv)", s->sq);
    struct pg_copy cp;
    int st = sb_check(&b, e);
    if (st == E_OK)
        st = pg_copy_begin(s->db, &cp, b.p, "importing the dispositions", e);
    sb_reset(&b);
    if (st != E_OK) {
        sb_free(&b);
        return st;
    }
    char hex[17], src[600];
    for (size_t i = 0; i < n; i++) {
        review_fp_hex(v[i].fp, hex);
        snprintf(src, sizeof src, "%s:%lld", source, v[i].line);
        const char *f[6] = {hex, outcome_names[v[i].outcome], v[i].reviewer,
                            v[i].reviewed_on, v[i].note, src};
        for (int k = 0; k < 6; k++) {
            if (k)
                sb_put(&b, ",", 1);
            sb_csv(&b, f[k], strlen(f[k]));
        }
        sb_put(&b, "\n", 1);
    }
    st = sb_check(&b, e);
    if (st == E_OK)
        st = pg_copy_put(&cp, b.p ? b.p : "", b.n, e);
    sb_free(&b);
    if (st != E_OK) {
        pg_copy_abort(&cp, "hedui stopped the import");
        return st;
    }
    long long rows = -1;
    st = pg_copy_end(&cp, &rows, e);
    if (st == E_OK && rows != (long long)n)
        st = ERR(e, E_INTERNAL, "dispositions: %zu rows sent, %lld stored", n, rows);
    return st;
}

int pg_review_import(const char *file, const char *conninfo, const char *schema, int dry_run,
                     struct err *e)
{
    if (!*schema || strlen(schema) > 63)
        return ERR(e, E_USAGE, "--schema '%s': want 1 to 63 characters", schema);
    struct pg db;
    memset(&db, 0, sizeof db);
    int st = pg_open(&db, conninfo, "hedui review import", e);
    char *sq = NULL;
    if (st == E_OK && !(sq = pg_ident(&db, schema, e)))
        st = e->code;
    char name[120];
    snprintf(name, sizeof name, "PostgreSQL schema %s", schema);
    struct pg_store ps = {&db, schema, sq};
    struct review_store store = {name, store_open, store_write, &ps};
    if (st == E_OK)
        st = review_import(file, NULL, &store, dry_run, e);
    if (st == E_OK && !dry_run)
        st = pg_commit(&db, e);
    if (st != E_OK || dry_run)
        pg_rollback(&db);
    free(sq);
    pg_close(&db);
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
    int st = pg_begin(db, "", &e2);
    if (st == E_OK)
        st = lock_schema(db, schema, &e2);
    if (st == E_OK)
        st = ensure_output_tables(db, schema, sq, &e2);
    if (st == E_OK)
        st = insert_run(db, sq, p, started, "failed", load_id, info, NULL, 0, msg, &id, &e2);
    if (st == E_OK)
        st = pg_commit(db, &e2);
    if (st != E_OK)
        pg_rollback(db);
}

int pg_run(const struct run_config *cfg, const char *conninfo, const char *schema,
           const char *out_dir, struct err *e)
{
    if (!*schema || strlen(schema) > 63)
        return ERR(e, E_USAGE, "--schema '%s': want 1 to 63 characters", schema);
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
    c2.auditor_outputs = 1;   /* fingerprints, changes (read_review), report.html */
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
            st = read_review(&db, schema, sq, p->rv, e);
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
    if (st == E_OK && cfg->progress) {
        char where[300];
        pg_describe(&db, where, sizeof where);
        size_t n_rej = 0;
        for (int f = 0; f < N_INPUT; f++)
            n_rej += p->d.files[f].rejects.n;
        fprintf(stderr, "hedui: run %lld published in schema %s at %s: %zu flags, %zu in the "
                        "review queue, %zu sampled, %zu rejected rows (%.0f ms)\n",
                run_id, schema, where, p->er.n_flags, p->rk.n_queue, p->rk.n_spot, n_rej,
                pipeline_now_ms() - p->t_start);
    }
    pg_close(&db);
    if (st == E_OK && out_dir) {
        st = pipeline_publish_dir(p, out_dir, e);
        if (st != E_OK)
            snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
                     " (run %lld is published in PostgreSQL; only the CSV copy failed)",
                     run_id);
    }
    free(sq);
    pipeline_free(p);
    free(p);
    free(info);
    return st;
}
