/* pg_review.c - the auditors' review state in PostgreSQL (pg_review.h):
 * what `hedui run --pg` compares with, and `hedui review import --pg`.
 *
 * Owns: the reads of the previous run's fingerprints and of the verdicts
 * in force, and the PostgreSQL `struct review_store` (review.h): the file
 * import's validation (review_import) writes through it into
 * dispositions.  Never: validates a verdict itself (review.c does), prints
 * or exits.
 */
#include "pg/pg_review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/pg_packkey.h"
#include "base/textout.h"
#include "pg/pg_schema.h"

/* ---------- for run --pg ---------- */

int pg_review_read(struct pg *db, const char *schema, const char *sq, struct review *rv,
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
    struct strbuf sql = {0};
    if (st == E_OK && have_fp) {
        strbuf_printf(&sql, "SELECT fingerprint, rule_id, severity, household_id, hukou_no, id_no, "
                        "region_code, evidence FROM %s.flags WHERE run_id = (SELECT "
                        "max(run_id) FROM %s.runs WHERE status = 'published') AND "
                        "fingerprint IS NOT NULL", sq, sq);
        st = strbuf_check(&sql, "building a statement", e);
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
        strbuf_reset(&sql);
    }
    if (st == E_OK && have_disp) {
        strbuf_printf(&sql, "SELECT DISTINCT ON (fingerprint) fingerprint, outcome, reviewer, "
                        "reviewed_on::text, note FROM %s.dispositions "
                        "ORDER BY fingerprint, reviewed_on DESC, seq DESC", sq);
        st = strbuf_check(&sql, "building a statement", e);
        if (st == E_OK)
            st = pg_query(db, sql.p, 0, NULL, &r, "reading the dispositions", e);
        for (int i = 0; st == E_OK && i < PQntuples(r); i++)
            st = review_add_disp(rv, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                                 PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
                                 PQgetvalue(r, i, 4), e);
        PQclear(r);
    }
    strbuf_free(&sql);
    if (st == E_OK)
        review_sort_added(rv, 1);
    return st;
}

/* ---------- review import FILE --pg: the store ---------- */

struct pg_store {
    struct pg *db;
    const char *schema, *sq;
};

static int store_open(void *ctx, struct review *rv, struct err *e)
{
    struct pg_store *s = ctx;
    int st = pg_begin(s->db, "", e);
    if (st == E_OK)
        st = pg_lock_schema(s->db, s->schema, e);
    if (st == E_OK)
        st = pg_ensure_tables(s->db, s->schema, s->sq, PG_OUTPUT_TABLES, e);
    struct strbuf sql = {0};
    strbuf_printf(&sql, "SELECT DISTINCT fingerprint FROM %s.flags WHERE fingerprint IS NOT NULL",
              s->sq);
    PGresult *r = NULL;
    if (st == E_OK)
        st = strbuf_check(&sql, "building a statement", e);
    if (st == E_OK)
        st = pg_query(s->db, sql.p, 0, NULL, &r, "reading the recorded fingerprints", e);
    for (int i = 0; st == E_OK && i < PQntuples(r); i++)
        st = review_add_prev(rv, 1, PQgetvalue(r, i, 0), NULL, e);
    PQclear(r);
    r = NULL;
    /* every stored verdict: one already there is not stored again */
    strbuf_reset(&sql);
    strbuf_printf(&sql, "SELECT fingerprint, outcome, reviewer, reviewed_on::text, note FROM "
                    "%s.dispositions", s->sq);
    if (st == E_OK)
        st = strbuf_check(&sql, "building a statement", e);
    if (st == E_OK)
        st = pg_query(s->db, sql.p, 0, NULL, &r, "reading the dispositions", e);
    for (int i = 0; st == E_OK && i < PQntuples(r); i++)
        st = review_add_stored(rv, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                               PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), e);
    PQclear(r);
    strbuf_free(&sql);
    if (st == E_OK)
        review_sort_added(rv, 0);
    return st;
}

static int store_write(void *ctx, const struct review_verdict *v, size_t n, const char *source,
                       struct err *e)
{
    struct pg_store *s = ctx;
    struct strbuf b = {0};
    strbuf_printf(&b, "COPY %s.dispositions (fingerprint, outcome, reviewer, reviewed_on, note, "
                  "source) FROM STDIN WITH (FORMAT csv)", s->sq);
    struct pg_copy cp;
    int st = strbuf_check(&b, "building a statement", e);
    if (st == E_OK)
        st = pg_copy_begin(s->db, &cp, b.p, "importing the dispositions", e);
    strbuf_reset(&b);
    if (st != E_OK) {
        strbuf_free(&b);
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
                strbuf_put(&b, ",", 1);
            strbuf_csv(&b, f[k], strlen(f[k]), CSV_QUOTE_ALWAYS);
        }
        strbuf_put(&b, "\n", 1);
    }
    st = strbuf_check(&b, "building a statement", e);
    if (st == E_OK)
        st = pg_copy_put(&cp, b.p ? b.p : "", b.n, e);
    strbuf_free(&b);
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

/* The township packs' secret, inside store_open()'s transaction. */
static int store_secret(void *ctx, struct packkey *k, struct err *e)
{
    struct pg_store *s = ctx;
    return pg_pack_secret(s->db, s->schema, s->sq, 0, k, e);
}

int pg_review_import(const char *file, const char *conninfo, const char *schema, int dry_run,
                     int create_state, struct err *e)
{
    int st = pg_check_schema_name(schema, e);
    if (st != E_OK)
        return st;
    struct pg db;
    memset(&db, 0, sizeof db);
    st = pg_open(&db, conninfo, "hedui review import", e);
    char *sq = NULL;
    if (st == E_OK && !(sq = pg_ident(&db, schema, e)))
        st = e->code;
    char name[120];
    snprintf(name, sizeof name, "PostgreSQL schema %s", schema);
    struct pg_store ps = {&db, schema, sq};
    struct review_store store = {name, store_open, store_write, &ps, store_secret};
    if (st == E_OK && !create_state) {
        /* as for a state directory: a mistyped --schema must not start an empty one */
        PGresult *r = NULL;
        const char *pv[] = {schema};
        st = pg_query(&db, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", 1, pv, &r,
                      "looking for the schema", e);
        if (st == E_OK && atoi(PQgetvalue(r, 0, 0)) == 0)
            st = ERR(e, E_NOINPUT, "schema %s does not exist in the database: check --schema "
                                   "(a mistyped one would start a new, empty state), or give "
                                   "--create-state to create it", schema);
        PQclear(r);
    }
    if (st == E_OK)
        st = review_import(file, NULL, &store, dry_run, 0, e);
    if (st == E_OK && !dry_run)
        st = pg_commit(&db, e);
    if (st != E_OK || dry_run)
        pg_rollback(&db);
    free(sq);
    pg_close(&db);
    return st;
}
