/* cmd_rules.c - `hedui rules check`: check a policy written in the rules
 * language (rules/README.md) without running it.
 *
 * Owns: this command's options and output.  Every error and warning of the
 * policy goes to stderr (file:line:col, the line, a caret, a suggestion);
 * on success a summary goes to stdout, and with --program the compiled
 * program, one op a line.  It also reads policy.rules (the run settings:
 * the income window).
 * Exit: 0 checked (warnings allowed), 5 errors in the policy, 2 usage.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "contract/policy.h"
#include "policy/compile.h"
#include "policy/lang.h"

static const char usage_rules[] =
    "Usage: hedui rules check [--rules DIR] [--as-of YYYY-MM-DD] [--program]\n"
    "\n"
    "Checks the policy of a rules directory: its one *.policy file (and the\n"
    "policies it extends), against the data contract's columns, value sets and\n"
    "rule catalogue. Every error is listed with file:line:col, the line and a\n"
    "caret; then nothing else happens (exit 5). A clean policy prints a\n"
    "summary (exit 0).\n"
    "\n"
    "Options:\n"
    "  --rules DIR          policy directory (default: the shipped rules/)\n"
    "  --as-of YYYY-MM-DD   resolve dated parameters on this day (default: today)\n"
    "  --program            also print the compiled program\n"
    "  -h, --help           show this help\n";

int cmd_rules(int argc, char **argv, struct err *e)
{
    const char *rules = NULL, *as_of_s = NULL;
    int program = 0, help = 0;
    const struct cli_opt opts[] = {
        {"--rules", NULL, CLI_STR, &rules},
        {"--as-of", NULL, CLI_STR, &as_of_s},
        {"--program", NULL, CLI_FLAG, &program},
        {"--help", "-h", CLI_FLAG, &help},
    };
    const char *pos[1];
    int npos = 0;
    int st = cli_parse("rules", argc, argv, opts, sizeof opts / sizeof opts[0], pos, 1, &npos, e);
    if (st != E_OK)
        return st;
    if (help) {
        fputs(usage_rules, stdout);
        return E_OK;
    }
    if (npos != 1 || strcmp(pos[0], "check") != 0)
        return ERR(e, E_USAGE, "'rules' takes a subcommand: hedui rules check [--rules DIR]");
    char dflt[4096];
    if (!rules) {
        cli_default_rules_dir(dflt, sizeof dflt);
        rules = dflt;
    }
    int as_of;
    if (as_of_s) {
        if (date_parse(as_of_s, strlen(as_of_s), &as_of) != 0)
            return ERR(e, E_USAGE, "--as-of '%s' is not a date (want YYYY-MM-DD)", as_of_s);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        as_of = date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
    struct policy *pol = calloc(1, sizeof *pol);
    if (!pol)
        return ERR(e, E_NOMEM, "out of memory");
    char path[4200];
    /* a pack directory (rules/packs/NAME) has no policy.rules: the run
     * settings are the directory's above it that has one (pipeline.c) */
    static const char *const up[3] = {"", "/..", "/../.."};
    struct stat sb;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s/policy.rules", rules, up[i]);
        if (stat(path, &sb) == 0)
            break;
        if (i == 2)
            snprintf(path, sizeof path, "%s/policy.rules", rules);
    }
    st = policy_load(pol, path, e);
    if (st == E_OK)   /* the rules a policy may write (catalogue.rules) */
        st = catalogue_load_dir(rules, 1, e);
    if (st != E_OK) {
        free(pol);
        return st;
    }
    struct lang_opts lo = {as_of, pol->income_months, NULL, 0};
    struct lang_prog *lp = NULL;
    st = lang_load_dir(&lp, rules, &lo, e);
    if (lp && lp->diagnostics)
        fputs(lp->diagnostics, stderr);
    if (st == E_OK) {
        int off = 0;
        for (int i = 0; i < lp->cp.nrules; i++)
            off += lp->cp.rules[i].severity == SEV_OFF;
        printf("%s: %d rules (%d off), %d parameters, %d file%s; hash %s\n", lp->entry,
               lp->cp.nrules, off, lp->cp.nparams, lp->cp.files, lp->cp.files == 1 ? "" : "s",
               lp->hash);
        printf("program: %d ops, %d registers\n", lp->P.nops, lp->P.nregs);
        printf("policy %s, policy hash %s (what runs, snapshots and checks record: a comment "
               "or layout change keeps it, a rule or parameter change does not)\n",
               lp->cp.name, lp->policy_hash);
        if (program) {
            char *l = prog_listing(&lp->P);
            if (!l)
                st = ERR(e, E_NOMEM, "out of memory");
            else
                fputs(l, stdout);
            free(l);
        }
    }
    if (st == E_CONFIG && lp && lp->nerrors) {
        /* every error is listed above: the summary says so instead of the first */
        err_init(e);
        st = ERR(e, E_CONFIG, "%d error%s in %s (listed above); fix %s and check again",
                 lp->nerrors, lp->nerrors == 1 ? "" : "s", lp->entry,
                 lp->nerrors == 1 ? "it" : "them");
    }
    lang_prog_free(lp);
    free(pol);
    return st;
}
