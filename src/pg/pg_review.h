/* pg_review.h - the auditors' review state kept in PostgreSQL: the
 * previous published run's findings and the verdicts in force, for
 * `hedui run --pg`, and `hedui review import FILE --pg`.
 *
 * Owns: the two entry points (pg_review.c).  Never: validates verdicts
 * (audit/review.c's review_import does, through a struct review_store).
 */
#ifndef ENGINE_PG_REVIEW_H
#define ENGINE_PG_REVIEW_H

#include "audit/review.h"
#include "base/err.h"
#include "pg/pg.h"

/* hedui review import FILE --pg CONNINFO [--schema S] [--dry-run]: the
 * verdicts validated as for --state (review.c) into S.dispositions, in one
 * transaction (rolled back with dry_run); verdicts already stored are not
 * stored again.  A schema that does not exist is refused (E_NOINPUT)
 * unless create_state. */
int pg_review_import(const char *file, const char *conninfo, const char *schema, int dry_run,
                     int create_state, struct err *e);

/* The previous published run's findings (with fingerprints) and the
 * verdicts in force (per fingerprint the latest reviewed_on, of those the
 * latest imported), read inside the
 * caller's transaction into rv (review_add_prev, review_add_disp): flags
 * are then marked new/persisting, resolved ones listed in changes, held
 * ones left out of the review queue, as for --previous/--state.  A schema
 * without fingerprints or dispositions yet adds nothing.  sq is the schema
 * quoted (pg_ident). */
int pg_review_read(struct pg *db, const char *schema, const char *sq, struct review *rv,
                   struct err *e);

#endif
