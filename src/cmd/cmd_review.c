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
#include "pg/cmd_pg.h"

static const char usage_review[] =
    "Usage: hedui review import FILE --state DIR [--dry-run]\n"
    "       hedui review import FILE --pg CONNINFO [--schema S] [--dry-run]\n"
    "       hedui review list --state DIR\n"
    "\n"
    "With --pg the verdicts go, validated the same way and in one\n"
    "transaction, into the table S.dispositions (S defaults to hedui).\n"
    "\n"
    "import: reads the auditors' verdicts from FILE, a CSV with the columns\n"
    "  fingerprint, outcome, reviewer, reviewed_on[, note] (any order; other\n"
    "  columns, e.g. those of an export pack, are ignored), UTF-8 (a BOM is\n"
    "  fine) or GB18030, and adds them to DIR/dispositions.csv.\n"
    "  outcome: confirmed, cleared or referred.  reviewed_on: YYYY-MM-DD (or\n"
    "  YYYY/M/D), not after today.  A row whose outcome, reviewer and\n"
    "  reviewed_on are all empty is skipped (no verdict yet).  Every other\n"
    "  row must be valid: a bad row is listed with FILE:LINE and the reason,\n"
    "  and then nothing at all is imported (exit status 1).\n"
    "  The latest verdict on a fingerprint is in force.  'hedui run --state\n"
    "  DIR' leaves findings with a verdict in force out of the review queue\n"
    "  while their fingerprint is unchanged.\n"
    "  --dry-run  check FILE, change nothing\n"
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

int cmd_review(int argc, char **argv, struct err *e)
{
    const char *sub = NULL, *file = NULL, *state = NULL, *pg = NULL, *schema = "hedui";
    int dry_run = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_review, stdout);
            return E_OK;
        } else if (strcmp(a, "--dry-run") == 0) {
            dry_run = 1;
        } else if (strncmp(a, "--state=", 8) == 0) {
            state = a + 8;
        } else if (strcmp(a, "--state") == 0) {
            if (i + 1 >= argc)
                return ERR(e, E_USAGE, "option --state needs a value");
            state = argv[++i];
        } else if (strcmp(a, "--pg") == 0 || strcmp(a, "--schema") == 0) {
            if (i + 1 >= argc)
                return ERR(e, E_USAGE, "option %s needs a value", a);
            *(a[2] == 'p' ? &pg : &schema) = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return ERR(e, E_USAGE, "unknown option '%s' for 'review'", a);
        } else if (!sub) {
            sub = a;
        } else if (!file) {
            file = a;
        } else {
            return ERR(e, E_USAGE, "unexpected argument '%s' for 'review'", a);
        }
    }
    if (!sub)
        return ERR(e, E_USAGE, "'review' needs a subcommand: import or list");
    if (pg && state)
        return ERR(e, E_USAGE, "'review %s': give --state DIR or --pg CONNINFO, not both", sub);
    if (pg && strcmp(sub, "import") != 0)
        return ERR(e, E_USAGE, "'review %s' works with --state DIR; with --pg query the "
                               "dispositions table", sub);
    if (!state && !pg)
        return ERR(e, E_USAGE, "'review %s' needs --state DIR (or --pg CONNINFO)", sub);
    if (strcmp(sub, "import") == 0) {
        if (!file)
            return ERR(e, E_USAGE, "'review import' needs the auditors' CSV file");
        if (pg)
            return pg_review_import(file, pg, schema, dry_run, e);
        return review_import(file, state, NULL, dry_run, e);
    }
    if (strcmp(sub, "list") == 0) {
        if (file)
            return ERR(e, E_USAGE, "unexpected argument '%s' for 'review list'", file);
        return review_list(state, e);
    }
    return ERR(e, E_USAGE, "unknown 'review' subcommand '%s' (import, list)", sub);
}
