/* prevcounts.h - the previous run's per-feed data-row counts, for the drop
 * check of engine/feedcheck.h.
 *
 * Where they come from:
 *   --previous DIR  DIR/manifest.json: "inputs" lists every file with its
 *                   "data_rows" (and "present", "from_rules_dir");
 *   --state DIR     the state's history.csv: one row per recorded run, with
 *                   a column rows_FEED (rows_households, ..., rows_candidates)
 *                   per feed; the run with the highest number is the last;
 *   run --pg        the schema's last published run (pg/pg_run.c reads its
 *                   manifest from the runs table).
 * A previous run that kept no counts (a manifest or a history of an older
 * hedui, an unreadable manifest) gives known = 0 and a note for stderr: the
 * run goes on without the drop check.  No previous run at all gives
 * known = 0 and no note.
 *
 * The manifest is read by audit/rundir.h, the one reader of a published
 * run (parsed as JSON).
 */
#ifndef ENGINE_PREVCOUNTS_H
#define ENGINE_PREVCOUNTS_H

#include <stddef.h>

#include "base/err.h"
#include "engine/feedcheck.h"

struct history_row;
struct review;

/* Counts from DIR/manifest.json.  E_OK (known or not, see above), or
 * E_NOMEM. */
int prevcounts_from_dir(const char *dir, struct feed_rows *out, struct err *e);

/* Counts from the last of the n history rows of state_dir.  Can't fail. */
void prevcounts_from_history(const struct history_row *h, size_t n, const char *state_dir,
                             struct feed_rows *out);

/* The previous run of a CSV run: --previous DIR when given (as the flag
 * comparison does), else the state rv has read (rv may be NULL).  E_OK or
 * E_NOMEM. */
int prevcounts_read(const char *previous_dir, const struct review *rv, struct feed_rows *out,
                    struct err *e);

#endif
