/* cmd_load.c - `hedui load`: load the CSV feeds of a data directory into
 * PostgreSQL for `hedui run --pg`.
 *
 * Owns: the options and usage of `load`.  The work is pg_load() (pg/).
 * Never prints an error (main.c does) or exits.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "pg/pg_load.h"
#include "pg/pg_schema.h"

static const char usage_load[] =
    "Usage: hedui load --pg CONNINFO --data DIR [OPTIONS]\n"
    "\n"
    "Loads the rolls and feeds of the data contract from DIR into PostgreSQL\n"
    "(one table per file, created if missing), with the same normalisation\n"
    "and rejects as 'hedui run': rejected rows go to load_rejects, never into\n"
    "the input tables.  One transaction: the tables then hold exactly this\n"
    "load, or, if anything fails, what they held before.  Then run\n"
    "'hedui run --pg CONNINFO'.\n"
    "\n"
    "Options:\n"
    "  --pg CONNINFO        libpq connection string or postgresql:// URI; '' uses\n"
    "                       the PG* environment variables and ~/.pg_service.conf\n"
    "                       (keep passwords in ~/.pgpass, not on the command line)\n"
    "  --data DIR           input directory (required)\n"
    "  --schema S           schema of the tables (default: hedui)\n"
    "  --rules DIR          policy directory, for the reject limit (default: see\n"
    "                       Rules below)\n"
    "  --encoding [FILE=]ENC  read FILE (or every file) as utf-8 or gb18030\n"
    "  -q, --quiet          no progress lines even on a terminal\n"
    "  -h, --help           show this help\n"
    "\n"
    CLI_RULES_PLACES
    "\n"
    "Exit status: 0 loaded; 1 a feed over its reject limit (nothing loaded);\n"
    "2 usage; 3 bad input file; 4 database error; 5 bad rules; 7 out of memory.\n";

int cmd_load(int argc, char **argv, struct err *e)
{
    const char *conninfo = NULL, *data = NULL, *schema = PG_DEFAULT_SCHEMA, *rules = NULL;
    int help = 0, quiet = 0;
    struct cli_list enc = {0};
    const struct cli_opt opts[] = {
        {"--help", "-h", CLI_FLAG, &help},
        {"--quiet", "-q", CLI_FLAG, &quiet},
        {"--pg", NULL, CLI_STR, &conninfo},
        {"--data", NULL, CLI_STR, &data},
        {"--schema", NULL, CLI_STR, &schema},
        {"--rules", NULL, CLI_STR, &rules},
        {"--encoding", NULL, CLI_LIST, &enc},
    };
    int st = cli_parse("load", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL, e);
    if (st != E_OK)
        return st;
    if (help) {
        fputs(usage_load, stdout);
        return E_OK;
    }
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    for (int i = 0; i < enc.n; i++)
        if ((st = cli_parse_encoding(enc.v[i], &cfg.enc_all, cfg.enc_file, e)) != E_OK)
            return st;
    if (!conninfo)
        return ERR(e, E_USAGE, "'load' needs --pg CONNINFO ('' for the PG* environment)");
    if (!data)
        return ERR(e, E_USAGE, "'load' needs --data DIR");
    if ((st = pg_check_schema_name(schema, e)) != E_OK)
        return st;
    char rules_buf[4096];
    if (!rules) {
        cli_default_rules_dir(rules_buf, sizeof rules_buf);
        rules = rules_buf;
    }
    cfg.data_dir = data;
    cfg.rules_dir = rules;
    /* No as-of limit on birth dates: the run judges them against its own. */
    cfg.as_of = date_from_ymd(9999, 12, 31);
    cfg.progress = !quiet && isatty(STDERR_FILENO);
    return pg_load(&cfg, conninfo, schema, e);
}
