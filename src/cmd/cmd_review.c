/* cmd_review.c - `hedui review import|list`: auditors' verdicts into a
 * state directory (or a PostgreSQL schema), and the verdicts in force.
 *
 * Owns: the command's usage text, options and stdout.  Never: checks a
 * verdict itself (audit/review_import.c) or touches the state's files
 * (audit/statedir.c).
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/review.h"
#include "base/textout.h"
#include "cmd/cli.h"
#include "pg/pg_review.h"
#include "pg/pg_schema.h"

static const char usage_review[] =
    "Usage: hedui review import FILE --state DIR [--create-state] [--dry-run]\n"
    "       hedui review import FILE --pg CONNINFO [--schema S] [--create-state] [--dry-run]\n"
    "       hedui review list --state DIR\n"
    "\n"
    "With --pg the verdicts go, validated the same way and in one\n"
    "transaction, into the table S.dispositions (S defaults to hedui).\n"
    "\n"
    "import: reads the auditors' verdicts from FILE and adds them to\n"
    "  DIR/dispositions.csv.  FILE is a CSV with the columns fingerprint,\n"
    "  outcome, reviewer, reviewed_on[, note] (any order; other columns are\n"
    "  ignored), UTF-8 (a BOM is fine) or GB18030; or a township pack filled\n"
    "  in, as written by 'hedui export --state DIR' (township_*.xlsx, also\n"
    "  re-saved by Excel, WPS or LibreOffice, or the CSV pack), whose columns\n"
    "  核查键, 核查结论, 核查人, 核查日期, 备注 are read.\n"
    "  outcome: confirmed, cleared or referred (确认, 排除, 移交).  Dates:\n"
    "  YYYY-MM-DD, YYYY/M/D, YYYY年M月D日 or a spreadsheet date, not after\n"
    "  today.  A row whose outcome, reviewer and date are all empty is\n"
    "  skipped (no verdict yet).  Every other\n"
    "  row must be valid: a bad row is listed with FILE:LINE and the reason,\n"
    "  and then nothing at all is imported (exit status 1).\n"
    "  The verdict in force on a fingerprint is the one with the latest\n"
    "  reviewed_on (of several that day, the one imported last).  A verdict\n"
    "  already stored (same fingerprint, outcome, reviewer, date and note) is\n"
    "  not stored again: importing a file twice changes nothing.  'hedui run\n"
    "  --state DIR' leaves findings with a verdict in force out of the review\n"
    "  queue while their fingerprint is unchanged.\n"
    "  --create-state  make DIR (or the schema S) when it does not exist;\n"
    "                  without it a missing one is refused (a typo would\n"
    "                  start a new, empty state)\n"
    "  --dry-run       check FILE, change nothing\n"
    "\n"
    "list: prints the verdicts in force as CSV.\n";

static int review_list(const char *state, struct err *e)
{
    struct review *rv = NULL;
    int st = statedir_exists(state, e);
    if (st != E_OK)
        return st;
    st = review_open(&rv, NULL, state, e);
    if (st == E_OK) {
        fputs("fingerprint,outcome,reviewer,reviewed_on,note,rule_id,household_id,hukou_no,"
              "id_no\n", stdout);
        char hex[17];
        for (size_t i = 0; i < rv->n_disp; i++) {
            const struct disposition *d = &rv->disp[i];
            const struct prev_flag *k = review_known(rv, d->fp);
            review_fp_hex(d->fp, hex);
            csv_put(stdout, hex, 0);
            csv_put(stdout, outcome_names[d->outcome], 0);
            csv_put(stdout, d->reviewer, 0);
            csv_put(stdout, d->reviewed_on, 0);
            csv_put(stdout, d->note, 0);
            csv_put(stdout, k ? k->rule_id : "", 0);
            csv_put(stdout, k ? k->household_id : "", 0);
            csv_put(stdout, k ? k->hukou_no : "", 0);
            csv_put(stdout, k ? k->id_no : "", 1);
        }
        if (fflush(stdout) != 0)
            st = ERR(e, E_WRITE, "cannot write to standard output: %s", strerror(errno));
    }
    review_free(rv);
    return st;
}

struct review_opts {
    const char *sub, *file;          /* import FILE | list */
    const char *state, *pg, *schema;
    int dry_run, create_state, help;
};

static int parse_review(int argc, char **argv, struct review_opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    o->schema = PG_DEFAULT_SCHEMA;
    const struct cli_opt opts[] = {
        {"--state", NULL, CLI_STR, &o->state},
        {"--pg", NULL, CLI_STR, &o->pg},
        {"--schema", NULL, CLI_STR, &o->schema},
        {"--dry-run", NULL, CLI_FLAG, &o->dry_run},
        {"--create-state", NULL, CLI_FLAG, &o->create_state},
        {"--help", "-h", CLI_FLAG, &o->help},
    };
    const char *pos[2] = {NULL, NULL};
    int npos = 0;
    int st = cli_parse("review", argc, argv, opts, sizeof opts / sizeof opts[0], pos, 2, &npos,
                       e);
    if (st != E_OK || o->help)
        return st;
    o->sub = pos[0];
    o->file = pos[1];
    const char *sub = o->sub;
    if (!sub)
        return ERR(e, E_USAGE, "'review' needs a subcommand: import or list");
    if (o->pg && o->state)
        return ERR(e, E_USAGE, "'review %s': give --state DIR or --pg CONNINFO, not both", sub);
    if (o->pg && strcmp(sub, "import") != 0)
        return ERR(e, E_USAGE, "'review %s' works with --state DIR; with --pg query the "
                               "dispositions table", sub);
    if (!o->state && !o->pg)
        return ERR(e, E_USAGE, "'review %s' needs --state DIR (or --pg CONNINFO)", sub);
    if (strcmp(sub, "import") == 0) {
        if (!o->file)
            return ERR(e, E_USAGE, "'review import' needs the auditors' CSV file");
    } else if (strcmp(sub, "list") == 0) {
        if (o->file)
            return ERR(e, E_USAGE, "unexpected argument '%s' for 'review list'", o->file);
    } else {
        return ERR(e, E_USAGE, "unknown 'review' subcommand '%s' (import, list)", sub);
    }
    return E_OK;
}

int cmd_review(int argc, char **argv, struct err *e)
{
    struct review_opts o;
    int st = parse_review(argc, argv, &o, e);
    if (st != E_OK)
        return st;
    if (o.help) {
        fputs(usage_review, stdout);
        return E_OK;
    }
    if ((st = cli_default_catalogue(e)) != E_OK)   /* the rules' names */
        return st;
    if (strcmp(o.sub, "list") == 0)
        return review_list(o.state, e);
    if (o.pg)   /* the PostgreSQL store: pg/ checks the file the same way */
        return pg_review_import(o.file, o.pg, o.schema, o.dry_run, o.create_state, e);
    return review_import(o.file, o.state, NULL, o.dry_run, o.create_state, e);
}
