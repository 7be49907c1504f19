/* cmd_check.c - `hedui check`: households checked now against a snapshot
 * (issue 5; the snapshot is snapshot/, `hedui index build` makes it).
 *
 * Owns: the options and usage of `check` and where its answer goes
 * (stdout; warnings on stderr).  The check itself, its verdicts and its
 * renderings are snapshot/precheck.[ch], shared with `hedui serve`.  Never
 * prints an error (main.c does) or exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "pipeline.h"
#include "snapshot/precheck.h"

/* ---------- check ---------- */

static const char usage_check[] =
    "Usage: hedui check --index FILE --households F --members F [OPTIONS]\n"
    "\n"
    "Checks the households in F (the contract's households.csv and members.csv\n"
    "columns, any status) against a snapshot from 'hedui index build', with the\n"
    "rules and reference policy of the nightly run: the findings for a household\n"
    "are what 'hedui run' would flag for it on the same data.  A household whose\n"
    "household_id is already on the rolls is judged as given here (its rows\n"
    "replace the registry's); its members' other households on the rolls count.\n"
    "Prints, per household, each finding with its rule, severity and evidence\n"
    "and a verdict: 无发现 (no finding), 需复核 (needs review: any finding, no\n"
    "standard for the region, a member row with an unusable value or not used,\n"
    "or a snapshot whose social insurance ends before the income window of the\n"
    "as-of date does; the answer says why), 疑似不符合条件 (looks ineligible: a\n"
    "high-severity 错保 finding).  Warns when the snapshot's feeds are older than\n"
    "the rules' [check] snapshot_max_age_days.  Read-only: any number of checks\n"
    "may run at once.\n"
    "\n"
    "Options:\n"
    "  --index FILE         the snapshot (required)\n"
    "  --households F       households to check (required)\n"
    "  --members F          their members (required)\n"
    "  --as-of YYYY-MM-DD   judge as of this date (default: today)\n"
    "  --rules DIR          take the rules (policy.rules and the .policy file)\n"
    "                       from DIR instead of the snapshot's copy (standards\n"
    "                       and holidays stay the snapshot's)\n"
    "  --json               the same as JSON\n"
    "  --csv                the findings as flags.csv rows (same columns)\n"
    "  --explain            after the answer, why each rule fired or not for each\n"
    "                       household (as 'hedui explain'), with the rules that judge\n"
    "                       it (the snapshot's, or --rules DIR's)\n"
    "  --threads N          worker threads (default: 1 below 20000 households)\n"
    "  --timing             print the time of each step to stderr\n"
    "  -h, --help           show this help\n"
    "\n"
    "Rules: policy.rules and the .policy file of --rules DIR, else the\n"
    "snapshot's own copies, which 'hedui index build' stored from its rules\n"
    "directory (its --rules, else the first of the places 'hedui index --help'\n"
    "lists).\n"
    "\n"
    "Exit status: 0 when the check ran (whatever it found); 2 usage; 3 a\n"
    "missing or malformed input, or a snapshot of another version or damaged\n"
    "(never read); 5 bad rules; 6 the result cannot be written; 7 out of memory.\n";

struct check_opts {
    const char *index, *households, *members, *rules;
    int as_of, json, csv, threads, timing, explain;
};

/* E_OK, E_USAGE, or -1 when --help was printed. */
static int parse_check(int argc, char **argv, struct check_opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    const char *as_of = NULL, *threads = NULL;
    int help = 0, quiet = 0;   /* -q: nothing to silence, the output is the answer */
    const struct cli_opt opts[] = {
        {"--help", "-h", CLI_FLAG, &help},
        {"--json", NULL, CLI_FLAG, &o->json},
        {"--csv", NULL, CLI_FLAG, &o->csv},
        {"--timing", NULL, CLI_FLAG, &o->timing},
        {"--explain", NULL, CLI_FLAG, &o->explain},
        {"--quiet", "-q", CLI_FLAG, &quiet},
        {"--index", NULL, CLI_STR, &o->index},
        {"--households", NULL, CLI_STR, &o->households},
        {"--members", NULL, CLI_STR, &o->members},
        {"--rules", NULL, CLI_STR, &o->rules},
        {"--as-of", NULL, CLI_STR, &as_of},
        {"--threads", NULL, CLI_STR, &threads},
    };
    int st = cli_parse("check", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL,
                       e);
    if (st != E_OK)
        return st;
    if (help) {
        fputs(usage_check, stdout);
        return -1;
    }
    if (as_of && cli_parse_as_of(as_of, &o->as_of, e) != E_OK)
        return e->code;
    if (threads && cli_parse_threads(threads, &o->threads, e) != E_OK)
        return e->code;
    if (!o->index)
        return ERR(e, E_USAGE, "'check' needs --index FILE (from 'hedui index build')");
    if (!o->households || !o->members)
        return ERR(e, E_USAGE, "'check' needs --households F and --members F");
    if (o->json && o->csv)
        return ERR(e, E_USAGE, "--json and --csv exclude each other");
    if (o->explain && (o->json || o->csv))
        return ERR(e, E_USAGE, "--explain is text for a person: it excludes --json and --csv");
    if (!as_of)
        o->as_of = cli_today();
    return E_OK;
}

/* The answer on stdout in the chosen format (--csv: the unused input rows
 * as warnings on stderr). */
static int print_result(const struct check_opts *o, const struct precheck_base *b,
                        const struct precheck_result *r, struct err *e)
{
    int st = E_OK;
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    precheck_print_warnings(stderr, b, r);
    if (o->json) {
        precheck_print_json(stdout, b, r, o->index);
    } else if (o->csv) {
        for (int fi = IN_HOUSEHOLDS; fi <= IN_MEMBERS; fi++)
            for (size_t k = 0; k < r->gd.files[fi].rejects.n; k++) {
                const struct reject *rj = &VEC_AT(r->gd.files[fi].rejects, struct reject, k);
                fprintf(stderr, "hedui: warning: %s:%lld: row not used: %s\n",
                        fi == IN_HOUSEHOLDS ? o->households : o->members, rj->line,
                        rj->reason);
            }
        for (size_t i = 0; i < r->n_hh; i++)
            if (r->hh[i].reasons & (1u << PR_FEEDS_SHORT)) {
                fprintf(stderr, "hedui: warning: the snapshot's social insurance does not "
                                "cover the income window of the as-of date: every household "
                                "needs review (see --json or the text answer)\n");
                break;
            }
        precheck_print_csv(stdout, r);
    } else {
        precheck_print_text(stdout, b, r, o->index);
        if (r->explain)
            fwrite(r->explain, 1, r->explain_len, stdout);
    }
    if (fflush(stdout) != 0)
        st = ERR(e, E_WRITE, "cannot write the result: %s", strerror(errno));
    setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
    return st;
}

int cmd_check(int argc, char **argv, struct err *e)
{
    struct check_opts o;
    int st = parse_check(argc, argv, &o, e);
    if (st == -1)
        return E_OK;
    if (st != E_OK)
        return st;
    double t0 = pipeline_now_ms();
    struct precheck_base b;
    if ((st = precheck_open(&b, o.index, o.rules, 0, e)) != E_OK)
        return st;
    double t_open = pipeline_now_ms() - t0;
    struct precheck_in in = {o.households, o.members, NULL, NULL, 0, 0,
                             o.households, o.members, o.as_of, o.threads, o.explain};
    struct precheck_result r;
    st = precheck_run(&b, &in, &r, e);
    double t = pipeline_now_ms();
    if (st == E_OK)
        st = print_result(&o, &b, &r, e);
    if (o.timing) {
        struct snap_info si;
        snap_get_info(&b.s, &si);
        fprintf(stderr,
                "hedui: check timing: open+policy %.2f ms, read input %.2f ms, snapshot "
                "lookups %.2f ms, join+evaluate %.2f ms, verdicts %.2f ms, output %.2f ms, "
                "total %.2f ms; %zu households, %zu flags, %llu of %llu blocks verified\n",
                t_open, r.ms[0], r.ms[1], r.ms[2], r.ms[3], pipeline_now_ms() - t,
                pipeline_now_ms() - t0, r.n_hh, r.er.n_flags, si.n_verified, si.n_blocks);
    }
    precheck_result_free(&r);
    precheck_close(&b);
    return st;
}
