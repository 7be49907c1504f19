/* pg_load.h - `hedui load`'s work: a data directory into the input tables
 * of a PostgreSQL schema (the options are cmd/cmd_load.c's).
 *
 * Owns: the entry point of the load (pg_load.c).  Never: parses options.
 */
#ifndef ENGINE_PG_LOAD_H
#define ENGINE_PG_LOAD_H

#include "base/err.h"
#include "pipeline.h"

/* Read cfg->data_dir exactly as a CSV run does (pipeline_load_dir: same
 * normalisation, rejects and reject limit), then, in one transaction,
 * replace the input tables of `schema` (created if missing) with its
 * accepted records and put its rejects in load_rejects.  On any error the
 * previous load stays in place.  Progress lines on stderr when
 * cfg->progress.  Errors: those of pipeline_load_dir (E_DATA over the
 * reject limit, E_NOINPUT, E_PARSE, E_CONFIG, ...), E_PG, E_NOMEM. */
int pg_load(const struct run_config *cfg, const char *conninfo, const char *schema,
            struct err *e);

#endif
