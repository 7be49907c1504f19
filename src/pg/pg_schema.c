/* pg_schema.c - hedui's tables in PostgreSQL (pg_schema.h).
 *
 * Owns: the DDL of every table as one table per side (struct ddl), the
 * constraints an input table adds to the contract's columns, and the
 * schema lock.  Never: touches a row, names an input column (the
 * contract's, contract/model.c's feed_decls, are the tables' columns).
 *
 * Both sides are created the same way (pg_ensure_tables): look up which
 * of the schema's tables exist, create the schema if missing, then walk
 * the side's list in order and create each missing table.  A list entry is
 * a plain table, a run list (rows of a runs row), all the input tables at
 * once, or columns added to a table an older hedui made (fingerprints to
 * flags; the policy's pack and hash to runs).
 */
#include "pg/pg_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

void pg_table_name(int f, char out[64])
{
    snprintf(out, 64, "%s", input_file_names[f]);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = '\0';
}

int pg_check_schema_name(const char *schema, struct err *e)
{
    if (!*schema || strlen(schema) > 63)
        return ERR(e, E_USAGE, "--schema '%s': want 1 to 63 characters", schema);
    return E_OK;
}

int pg_exec_sb(struct pg *db, struct strbuf *b, const char *what, struct err *e)
{
    int st = strbuf_check(b, "building a statement", e);
    if (st == E_OK)
        st = pg_exec(db, b->p, what, e);
    strbuf_reset(b);
    return st;
}

int pg_lock_schema(struct pg *db, const char *schema, struct err *e)
{
    char key[300], num[32];
    snprintf(key, sizeof key, "hedui schema %s", schema);
    snprintf(num, sizeof num, "%lld", (long long)XXH64(key, strlen(key), 0));
    const char *pv[] = {num};
    return pg_query(db, "SELECT pg_advisory_xact_lock($1::bigint)", 1, pv, NULL,
                    "waiting for other hedui sessions on this schema", e);
}

static int pg_pause_before_commit(struct pg *db, struct err *e)
{
    const char *v = getenv("HEDUI_TEST_PAUSE_BEFORE_COMMIT");
    if (!v || atoi(v) <= 0)
        return E_OK;
    int st = pg_exec(db, "SELECT set_config('application_name', 'hedui paused before commit', "
                         "false)", "naming the session", e);
    pg_test_pause("HEDUI_TEST_PAUSE_BEFORE_COMMIT");
    return st;
}

int pg_begin_write(struct pg *db, const char *schema, const char *sq, enum pg_tables which,
                   struct err *e)
{
    int st = pg_begin(db, "", e);
    if (st == E_OK)
        st = pg_lock_schema(db, schema, e);
    if (st == E_OK)
        st = pg_ensure_tables(db, schema, sq, which, e);
    return st;
}

int pg_end_write(struct pg *db, int st, struct err *e)
{
    if (st == E_OK)
        st = pg_pause_before_commit(db, e);
    if (st == E_OK)
        st = pg_commit(db, e);
    if (st != E_OK)
        pg_rollback(db);
    return st;
}


/* ---------- the tables of each side ---------- */

enum ddl_kind {
    DDL_TABLE,             /* CREATE TABLE @.table (cols) */
    DDL_RUN_LIST,          /* the same, its rows keyed (run_id -> runs, seq) */
    DDL_INPUT_TABLES,      /* one table per contract file (feed_decls) */
    DDL_ADD_COLUMNS,       /* columns a table made by an older hedui lacks: `cols` is the
                              ALTER TABLE, `then` the column whose absence says so */
};

/* In cols and then, '@' stands for the quoted schema. */
struct ddl {
    enum ddl_kind kind;
    const char *table;
    const char *cols;
    const char *then;      /* a second statement (an index), or NULL */
    const char *what;      /* for the message */
};

static const struct ddl input_ddl[] = {
    {DDL_TABLE, "loads",
     "load_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
     "loaded_at timestamptz NOT NULL DEFAULT now(), "
     "data_dir text NOT NULL, tool_version text NOT NULL, "
     "rules_version text NOT NULL, "
     "rows_stored bigint NOT NULL DEFAULT 0, "
     "rows_rejected bigint NOT NULL DEFAULT 0",
     NULL, "creating table loads"},
    {DDL_TABLE, "input_files",
     "file text PRIMARY KEY, "
     "load_id bigint NOT NULL REFERENCES @.loads, "
     "present boolean NOT NULL, source_path text, bytes bigint, "
     "xxh128 text, encoding text, "
     "data_rows bigint NOT NULL DEFAULT 0, stored_rows bigint NOT NULL DEFAULT 0, "
     "rejected bigint NOT NULL DEFAULT 0, "
     "merged_duplicates bigint NOT NULL DEFAULT 0",
     NULL, "creating table input_files"},
    {DDL_TABLE, "load_rejects",
     "load_id bigint NOT NULL REFERENCES @.loads ON DELETE CASCADE, "
     "seq integer NOT NULL, file text NOT NULL, line bigint NOT NULL, "
     "reason text NOT NULL, PRIMARY KEY (load_id, seq)",
     NULL, "creating table load_rejects"},
    {DDL_INPUT_TABLES, NULL, NULL, NULL, "creating the input tables"},
};

static const struct ddl output_ddl[] = {
    {DDL_TABLE, "runs",
     "run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
     "status text NOT NULL CHECK (status IN ('published', 'failed')), "
     "started_at timestamptz NOT NULL, "
     "published_at timestamptz NOT NULL DEFAULT now(), "
     "as_of date NOT NULL, seed numeric(20,0) NOT NULL, "
     "tool_version text NOT NULL, rules_dir text, rules_version text, "
     "rules_hash text, load_id bigint, input_checksums jsonb, "
     "rule_counts jsonb, timings jsonb, n_flags bigint, n_review bigint, "
     "n_spotcheck bigint, n_rejects bigint, error text, manifest jsonb, "
     "pack text, policy_hash text",
     NULL, "creating table runs"},
    {DDL_ADD_COLUMNS, "runs",
     "ALTER TABLE @.runs ADD COLUMN IF NOT EXISTS pack text, "
     "ADD COLUMN IF NOT EXISTS policy_hash text",
     "policy_hash", "adding the policy's pack and hash to runs"},
    {DDL_ADD_COLUMNS, "flags",
     "ALTER TABLE @.flags ADD COLUMN IF NOT EXISTS fingerprint text, "
     "ADD COLUMN IF NOT EXISTS change text",
     "fingerprint", "adding fingerprints to flags"},
    {DDL_TABLE, "dispositions",
     "seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
     "fingerprint text NOT NULL, outcome text NOT NULL CHECK (outcome IN "
     "('confirmed', 'cleared', 'referred')), reviewer text NOT NULL, "
     "reviewed_on date NOT NULL, note text NOT NULL, "
     "imported_at timestamptz NOT NULL DEFAULT now(), source text NOT NULL",
     "CREATE INDEX IF NOT EXISTS dispositions_fingerprint ON @.dispositions "
     "(fingerprint, seq)",
     "creating table dispositions"},
    {DDL_RUN_LIST, "flags",
     "rule_id text NOT NULL, kind text NOT NULL, severity text NOT NULL, "
     "household_id text NOT NULL, hukou_no text NOT NULL, id_no text NOT NULL, "
     "region_code text NOT NULL, evidence text NOT NULL, fingerprint text, "
     "change text",
     NULL, "creating the output tables"},
    {DDL_RUN_LIST, "review_queue",
     "township_code text NOT NULL, rank integer NOT NULL, "
     "household_id text NOT NULL, hukou_no text NOT NULL, "
     "score integer NOT NULL, rule_ids text NOT NULL",
     NULL, "creating the output tables"},
    {DDL_RUN_LIST, "spotcheck",
     "township_code text NOT NULL, program text NOT NULL, "
     "household_id text NOT NULL, reason text NOT NULL",
     NULL, "creating the output tables"},
    {DDL_RUN_LIST, "rejects", "file text NOT NULL, line bigint NOT NULL, reason text NOT NULL",
     NULL, "creating the output tables"},
    {DDL_RUN_LIST, "changes",
     "change text NOT NULL, fingerprint text NOT NULL, rule_id text NOT NULL, "
     "severity text NOT NULL, household_id text NOT NULL, "
     "hukou_no text NOT NULL, id_no text NOT NULL, region_code text NOT NULL, "
     "disposition text NOT NULL, evidence text NOT NULL",
     NULL, "creating the output tables"},
};

/* Which of the schema and its tables exist. */
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

/* Append text with each '@' replaced by the quoted schema. */
static void put_sql(struct strbuf *b, const char *text, const char *sq)
{
    for (const char *at; (at = strchr(text, '@')) != NULL; text = at + 1) {
        strbuf_put(b, text, (size_t)(at - text));
        strbuf_puts(b, sq);
    }
    strbuf_puts(b, text);
}

/* What an input table has beyond load_id, line and the contract's columns
 * of its file (feed_decls[f].cols, each `text NOT NULL`). */
static const char *const input_extra[N_INPUT] = {
    [IN_HOUSEHOLDS] = ", UNIQUE (load_id, household_id)",
};

/* The input tables that are missing.  No foreign key to loads: a per-row
 * check would triple the COPY time. */
static int create_input_tables(struct pg *db, const char *sq, const struct existing *x,
                               struct strbuf *b, const char *what, struct err *e)
{
    int st = E_OK;
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        char t[64];
        pg_table_name(f, t);
        if (exists(x, t))
            continue;
        strbuf_printf(b, "CREATE TABLE IF NOT EXISTS %s.%s (load_id bigint NOT NULL, "
                     "line bigint NOT NULL", sq, t);
        for (int i = 0; i < feed_decls[f].n_cols; i++)
            strbuf_printf(b, ", %s text NOT NULL", feed_decls[f].cols[i].name);
        strbuf_printf(b, ", PRIMARY KEY (load_id, line)%s)",
                      input_extra[f] ? input_extra[f] : "");
        st = pg_exec_sb(db, b, what, e);
    }
    return st;
}

/* A table made by an older hedui gets the columns it lacks (flags: the
 * fingerprints; runs: the policy's pack and hash). */
static int add_columns(struct pg *db, const char *schema, const char *sq,
                       const struct ddl *d, struct strbuf *b, struct err *e)
{
    PGresult *r = NULL;
    const char *pv[] = {schema, d->table, d->then};
    int st = pg_query(db, "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 "
                          "AND table_name = $2 AND column_name = $3",
                      3, pv, &r, d->what, e);
    int have = st == E_OK && PQntuples(r) > 0;
    PQclear(r);
    if (st == E_OK && !have) {
        put_sql(b, d->cols, sq);
        st = pg_exec_sb(db, b, d->what, e);
    }
    return st;
}

int pg_ensure_tables(struct pg *db, const char *schema, const char *sq, enum pg_tables which,
                     struct err *e)
{
    const struct ddl *list = which == PG_INPUT_TABLES ? input_ddl : output_ddl;
    size_t n = which == PG_INPUT_TABLES ? sizeof input_ddl / sizeof input_ddl[0]
                                        : sizeof output_ddl / sizeof output_ddl[0];
    struct strbuf b = {0};
    struct existing x;
    int st = find_existing(db, schema, &x, e);
    if (st == E_OK && !x.schema) {
        strbuf_printf(&b, "CREATE SCHEMA %s", sq);
        st = pg_exec_sb(db, &b, "creating the schema", e);
    }
    for (size_t i = 0; i < n && st == E_OK; i++) {
        const struct ddl *d = &list[i];
        switch (d->kind) {
        case DDL_INPUT_TABLES:
            st = create_input_tables(db, sq, &x, &b, d->what, e);
            continue;
        case DDL_ADD_COLUMNS:
            if (exists(&x, d->table))
                st = add_columns(db, schema, sq, d, &b, e);
            continue;
        case DDL_TABLE:
        case DDL_RUN_LIST:
            break;
        }
        if (exists(&x, d->table))
            continue;
        strbuf_printf(&b, "CREATE TABLE IF NOT EXISTS %s.%s (", sq, d->table);
        if (d->kind == DDL_RUN_LIST)
            strbuf_printf(&b, "run_id bigint NOT NULL REFERENCES %s.runs ON DELETE CASCADE, "
                          "seq integer NOT NULL, ", sq);
        put_sql(&b, d->cols, sq);
        strbuf_puts(&b, d->kind == DDL_RUN_LIST ? ", PRIMARY KEY (run_id, seq))" : ")");
        st = pg_exec_sb(db, &b, d->what, e);
        if (st == E_OK && d->then) {
            put_sql(&b, d->then, sq);
            st = pg_exec_sb(db, &b, d->what, e);
        }
    }
    strbuf_free(&b);
    return st;
}
