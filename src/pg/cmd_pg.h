/* cmd_pg.h - PostgreSQL as the system of record: `hedui load --pg` and
 * `hedui run --pg` (see cmd_pg.c and README.md, "PostgreSQL").
 */
#ifndef ENGINE_CMD_PG_H
#define ENGINE_CMD_PG_H

#include "base/err.h"
#include "pipeline.h"

#define PG_DEFAULT_SCHEMA "hedui"

/* hedui load --pg CONNINFO --data DIR [--schema S] [--rules DIR] ...
 * (argv without the command name); default_rules is the shipped rules/. */
int cmd_load(int argc, char **argv, const char *default_rules, struct err *e);

/* hedui run --pg: inputs from the tables of `schema`, results published
 * there in one transaction; also into out_dir when it is not NULL. */
int pg_run(const struct run_config *cfg, const char *conninfo, const char *schema,
           const char *out_dir, struct err *e);

/* hedui review import FILE --pg CONNINFO [--schema S] [--dry-run]: the
 * verdicts validated as for --state (review.c) into S.dispositions, in one
 * transaction. */
int pg_review_import(const char *file, const char *conninfo, const char *schema, int dry_run,
                     struct err *e);

#endif
