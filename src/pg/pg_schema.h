/* pg_schema.h - hedui's tables in PostgreSQL: their columns, their
 * creation, and the lock that serialises hedui sessions on a schema.
 *
 * A schema (default "hedui") holds the inputs of the last `hedui load`
 * (one table per contract file, every value text as delivered, plus load_id
 * and the file line), its history (loads, input_files, load_rejects), and
 * the results of `hedui run --pg` (runs and its lists flags, review_queue,
 * spotcheck, rejects, changes) with the auditors' verdicts (dispositions).
 *
 * An input table's columns are the contract's columns of its file, in
 * order, as contract/model.c declares them (feed_decls[f].cols[].name).
 *
 * Owns: the DDL.  Never: reads or writes rows (pg_load.c, pg_run.c,
 * pg_review.c do), spells an input column.
 */
#ifndef ENGINE_PG_SCHEMA_H
#define ENGINE_PG_SCHEMA_H

#include "base/err.h"
#include "base/textout.h"
#include "contract/model.h"
#include "pg/pg.h"

#define PG_DEFAULT_SCHEMA "hedui"

/* "households.csv" -> "households" */
void pg_table_name(int f, char out[64]);

/* E_USAGE unless 1 to 63 characters (PostgreSQL's identifier limit). */
int pg_check_schema_name(const char *schema, struct err *e);

/* Serialise loads, runs and table creation in one schema (a transaction
 * advisory lock: held until COMMIT or ROLLBACK). */
int pg_lock_schema(struct pg *db, const char *schema, struct err *e);

/* Create what is missing of the schema and of one side's tables (only
 * missing ones, so a role with just the privileges on existing tables
 * works).  sq is the schema quoted (pg_ident).  Inside a transaction. */
enum pg_tables { PG_INPUT_TABLES, PG_OUTPUT_TABLES };
int pg_ensure_tables(struct pg *db, const char *schema, const char *sq, enum pg_tables which,
                     struct err *e);

/* A write transaction on one side of the schema: BEGIN, the schema lock,
 * and that side's tables created where missing.  E_OK or the error (then
 * call pg_end_write or pg_rollback). */
int pg_begin_write(struct pg *db, const char *schema, const char *sq, enum pg_tables which,
                   struct err *e);
/* End it: with st E_OK the test pause below, then
 * COMMIT; otherwise, or if that fails, ROLLBACK.  Returns the outcome.
 * Test hook: HEDUI_TEST_PAUSE_BEFORE_COMMIT=N sleeps N seconds with
 * everything sent and the transaction open, under a name the tests find. */
int pg_end_write(struct pg *db, int st, struct err *e);

/* Run the statement in b (after strbuf_check), then empty b. */
int pg_exec_sb(struct pg *db, struct strbuf *b, const char *what, struct err *e);


#endif
