/* pg_packkey.c - the township packs' secret in PostgreSQL (see
 * pg_packkey.h).
 *
 * Owns: S.pack_secret.  Never: computes a key (audit/packkey.c), shows the
 * secret in a message.
 */
#include "pg/pg_packkey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/pg_schema.h"

int pg_pack_secret(struct pg *db, const char *schema, const char *sq, int create,
                   struct packkey *k, struct err *e)
{
    char sql[600];
    PGresult *r = NULL;
    const char *pv[] = {schema};
    int st = pg_query(db, "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND "
                          "tablename = 'pack_secret'",
                      1, pv, &r, "looking for the pack secret", e);
    int have = st == E_OK && atoi(PQgetvalue(r, 0, 0)) > 0;
    PQclear(r);
    r = NULL;
    if (st != E_OK)
        return st;
    if (!have && !create)
        return E_NOINPUT;
    if (!have) {
        snprintf(sql, sizeof sql, "CREATE TABLE %s.pack_secret (secret text NOT NULL, "
                                  "created_at timestamptz NOT NULL DEFAULT now())", sq);
        if ((st = pg_exec(db, sql, "creating table pack_secret", e)) != E_OK)
            return st;
    }
    snprintf(sql, sizeof sql, "SELECT secret FROM %s.pack_secret ORDER BY created_at LIMIT 1",
             sq);
    st = pg_query(db, sql, 0, NULL, &r, "reading the pack secret", e);
    int rows = st == E_OK ? PQntuples(r) : 0;
    if (st == E_OK && rows && packkey_parse_hex(PQgetvalue(r, 0, 0), k) != 0)
        st = ERR(e, E_CONFIG, "%s.pack_secret holds no pack secret (64 hex digits): it was "
                              "changed by hand?", schema);
    PQclear(r);
    if (st != E_OK || rows)
        return st;
    if (!create)
        return E_NOINPUT;
    if (packkey_random(k) != 0)
        return ERR(e, E_WRITE, "cannot draw a random pack secret: %s", strerror(errno));
    char hex[2 * PACKKEY_SECRET_BYTES + 1];
    packkey_hex(k, hex);
    const char *hv[] = {hex};
    snprintf(sql, sizeof sql, "INSERT INTO %s.pack_secret (secret) VALUES ($1)", sq);
    st = pg_query(db, sql, 1, hv, &r, "storing the pack secret", e);
    PQclear(r);
    memset(hex, 0, sizeof hex);
    return st;
}

int pg_export_secret(const char *conninfo, const char *schema, int create_state,
                     struct packkey *k, struct err *e)
{
    int st = pg_check_schema_name(schema, e);
    if (st != E_OK)
        return st;
    struct pg db;
    memset(&db, 0, sizeof db);
    st = pg_open(&db, conninfo, "hedui export", e);
    char *sq = NULL;
    if (st == E_OK && !(sq = pg_ident(&db, schema, e)))
        st = e->code;
    PGresult *r = NULL;
    const char *pv[] = {schema};
    if (st == E_OK)
        st = pg_query(&db, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", 1, pv, &r,
                      "looking for the schema", e);
    int exists = st == E_OK && atoi(PQgetvalue(r, 0, 0)) > 0;
    PQclear(r);
    if (st == E_OK && !exists && !create_state)
        st = ERR(e, E_NOINPUT, "schema %s does not exist in the database: check --schema (the "
                               "verdicts of these packs must go back to the schema of the "
                               "runs), or give --create-state to create it", schema);
    if (st == E_OK)
        st = pg_begin(&db, "", e);
    if (st == E_OK)
        st = pg_lock_schema(&db, schema, e);
    if (st == E_OK && !exists) {
        char sql[300];
        snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS %s", sq);
        st = pg_exec(&db, sql, "creating the schema", e);
    }
    if (st == E_OK)
        st = pg_pack_secret(&db, schema, sq, 1, k, e);
    if (st == E_OK)
        st = pg_commit(&db, e);
    if (st != E_OK)
        pg_rollback(&db);
    free(sq);
    pg_close(&db);
    return st;
}
