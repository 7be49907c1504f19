/* pg_run.h - `hedui run --pg`: inputs from the tables of a schema, results
 * published there in one transaction (the options are cmd/cmd_run.c's).
 *
 * Owns: the entry point of a --pg run (pg_run.c).  Never: parses options.
 */
#ifndef ENGINE_PG_RUN_H
#define ENGINE_PG_RUN_H

#include "base/err.h"
#include "pipeline.h"

/* Read every input table of `schema` (loaded by pg_load) in one REPEATABLE
 * READ snapshot, with the previous run's findings and the verdicts in force
 * (pg_review_read); evaluate as a CSV run with cfg; publish a runs row and
 * its lists in one transaction; then, when out_dir is not NULL, write the
 * CSV lists there too.  A run that stops before publishing for a reason
 * other than the database leaves a runs row with status 'failed'.
 * Progress lines on stderr when cfg->progress.  When all went well and
 * summary is not NULL, summary(p, dest) ends the run (cmd_run.c's summary
 * line, the same as a CSV run's), dest naming where the results are:
 * "run 7 in schema hedui at user@host:5432/db" (pg_describe: no password),
 * then ", OUT" for the --out copy.  Errors: E_USAGE (schema name),
 * E_NOINPUT (nothing loaded), E_DATA, E_PG, E_WRITE, E_NOMEM, and those of
 * the pipeline. */
int pg_run(const struct run_config *cfg, const char *conninfo, const char *schema,
           const char *out_dir, void (*summary)(const struct pipeline *p, const char *dest),
           struct err *e);

#endif
