/* cmd_run.h - `run`'s command line as a run configuration, for a driver
 * that takes the same options as `hedui run` (the MPI run, src/mpi/).
 *
 * Owns: nothing; cmd_run.c parses.  Never: runs anything.
 */
#ifndef ENGINE_CMD_RUN_H
#define ENGINE_CMD_RUN_H

#include "base/err.h"
#include "pipeline.h"

struct run_cmdline {
    struct run_config cfg;      /* as cmd_run sets it (auditor outputs for a CSV run) */
    const char *pg, *schema;    /* --pg CONNINFO (NULL: a CSV run), --schema */
    const char *out;            /* --out */
    int quiet;                  /* -q, --quiet */
    char rules_buf[4096];       /* cfg.rules_dir points here */
};

/* Parse `run`'s options: E_OK, E_USAGE (e says why), or -1 after --help
 * was printed to stdout. */
int cmd_run_parse(int argc, char **argv, struct run_cmdline *rc, struct err *e);

/* The run's summary line on stderr (cmd_run.c; unless --quiet): ranks 0
 * for `hedui run`, the number of ranks for hedui-mpi's rank 0. */
void cmd_run_summary(const struct pipeline *p, const char *out, int ranks);

#endif
