/* pg_packkey.h - the township packs' secret (audit/packkey.h) kept in
 * PostgreSQL: the one row of S.pack_secret (secret: 64 hex digits), for
 * `hedui export --pg` and `hedui review import PACK --pg`.  Whoever may
 * read the schema may read the secret, as whoever may read a state
 * directory may read its pack.key.
 *
 * Owns: the table pack_secret.  Never: computes a key, prints.
 */
#ifndef ENGINE_PG_PACKKEY_H
#define ENGINE_PG_PACKKEY_H

#include "audit/packkey.h"
#include "base/err.h"
#include "pg/pg.h"

/* The secret of schema S (sq quoted), inside the caller's transaction with
 * the schema locked: read it, or with create make the table and the
 * secret when missing.  E_NOINPUT (no error set) when there is none and
 * !create. */
int pg_pack_secret(struct pg *db, const char *schema, const char *sq, int create,
                   struct packkey *k, struct err *e);

/* `hedui export --pg CONNINFO [--schema S]`: connect, and read or make the
 * secret of S in one transaction.  A schema that does not exist is refused
 * (E_NOINPUT) unless create_state. */
int pg_export_secret(const char *conninfo, const char *schema, int create_state,
                     struct packkey *k, struct err *e);

#endif
