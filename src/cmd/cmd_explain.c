/* cmd_explain.c - `hedui explain`: why each rule fired or did not for one
 * household (or one candidate), in plain text for a caseworker (issue 18
 * item 5; the explanation itself is engine/explain.h).
 *
 * Owns: the options and usage of `explain`, finding the household or
 * candidate asked for, and where the answer goes (stdout).  The data
 * directory is read exactly as `run` reads it (pipeline_init,
 * pipeline_load_dir: the same normalisation, rejects and reject limit) and
 * judged through pipeline_judge (the same joins, calendar and context),
 * which explains only the unit asked for.  Never prints an error (main.c
 * does) or exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "contract/idcard.h"
#include "pipeline.h"

static const char usage_explain[] =
    "Usage: hedui explain --data DIR --household ID [OPTIONS]\n"
    "       hedui explain --data DIR --candidate ID_NO [OPTIONS]\n"
    "\n"
    "Judges one household of DIR's households.csv (or one candidate of its\n"
    "candidates.csv) with the policy of a run, and prints for every rule that\n"
    "applies to it: its label, the parameters it reads (the value in force on\n"
    "the as-of date), and per person or row it judged, the rows it looked at,\n"
    "its values, each condition with its value and the outcome: 命中 fires\n"
    "(with the evidence and key of the flag), 未命中 does not fire (and which\n"
    "condition was false), 未评估 not evaluated (an absent feed, no standard),\n"
    "不适用 not applicable, or 关闭 off.  Then the flags 'hedui run' gives for it.\n"
    "DIR is read as 'hedui run' reads it (same checks, rejects, reject limit).\n"
    "Full ID numbers are masked (first 6 and last 4 characters).\n"
    "\n"
    "Options:\n"
    "  --data DIR           input directory, as for 'hedui run' (required)\n"
    "  --household ID       the household_id to explain\n"
    "  --candidate ID_NO    the candidate (by id_no) to explain instead\n"
    "  --rules DIR          policy directory (default: see Rules below)\n"
    "  --as-of YYYY-MM-DD   judge as of this date (default: today)\n"
    "  --encoding [FILE=]ENC  as for 'hedui run'\n"
    "  -h, --help           show this help\n"
    "\n"
    CLI_RULES_PLACES
    "\n"
    "Exit status: 0 explained; 2 usage, or no such household or candidate;\n"
    "1, 3, 5, 7 as for 'hedui run'.\n";

struct explain_opts {
    const char *data, *rules, *household, *candidate;
    char rules_buf[4096];
    int as_of;
    enum enc enc_all;
    enum enc enc_file[N_INPUT];
};

/* E_OK, E_USAGE, or -1 when --help was printed. */
static int parse_explain(int argc, char **argv, struct explain_opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    const char *as_of = NULL;
    int help = 0, quiet = 0;
    struct cli_list enc = {0};
    const struct cli_opt opts[] = {
        {"--help", "-h", CLI_FLAG, &help},
        {"--quiet", "-q", CLI_FLAG, &quiet},
        {"--data", NULL, CLI_STR, &o->data},
        {"--household", NULL, CLI_STR, &o->household},
        {"--candidate", NULL, CLI_STR, &o->candidate},
        {"--rules", NULL, CLI_STR, &o->rules},
        {"--as-of", NULL, CLI_STR, &as_of},
        {"--encoding", NULL, CLI_LIST, &enc},
    };
    int st = cli_parse("explain", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL,
                       e);
    if (st != E_OK)
        return st;
    if (help) {
        fputs(usage_explain, stdout);
        return -1;
    }
    if (as_of && cli_parse_as_of(as_of, &o->as_of, e) != E_OK)
        return e->code;
    for (int i = 0; i < enc.n; i++)
        if (cli_parse_encoding(enc.v[i], &o->enc_all, o->enc_file, e) != E_OK)
            return e->code;
    if (!o->data)
        return ERR(e, E_USAGE, "'explain' needs --data DIR");
    if (!o->household == !o->candidate)
        return ERR(e, E_USAGE, "'explain' needs one of --household ID and --candidate ID_NO");
    if (!o->rules) {
        cli_default_rules_dir(o->rules_buf, sizeof o->rules_buf);
        o->rules = o->rules_buf;
    }
    if (!as_of)
        o->as_of = cli_today();
    return E_OK;
}

/* The household or candidate asked for: its index, or E_USAGE. */
static int find_unit(const struct pipeline *p, const struct explain_opts *o, uint32_t *at,
                     struct err *e)
{
    const struct dataset *d = &p->d;
    if (o->household) {
        for (size_t i = 0; i < d->households.n; i++)
            if (strcmp(VEC_AT(d->households, struct household, i).id, o->household) == 0) {
                *at = (uint32_t)i;
                return E_OK;
            }
        return ERR(e, E_USAGE, "no household '%s' in %s/households.csv (%zu households were "
                               "read; a rejected row is listed by 'hedui run' in rejects.csv)",
                   o->household, o->data, d->households.n);
    }
    if (!d->files[IN_CANDIDATES].present)
        return ERR(e, E_USAGE, "%s has no candidates.csv: no candidate to explain", o->data);
    /* the candidate's id as the normaliser writes it (full-width digits, x...) */
    struct id_norm nm;
    id_normalise(o->candidate, strlen(o->candidate), date_to_ymd_int(o->as_of), &nm);
    for (size_t i = 0; i < d->candidates.n; i++) {
        const struct candidate *cd = &VEC_AT(d->candidates, struct candidate, i);
        if (strcmp(cd->id, nm.id) == 0 || strcmp(cd->id, o->candidate) == 0) {
            *at = (uint32_t)i;
            return E_OK;
        }
    }
    return ERR(e, E_USAGE, "no candidate with id_no %s in %s/candidates.csv", o->candidate,
               o->data);
}

int cmd_explain(int argc, char **argv, struct err *e)
{
    struct explain_opts o;
    int st = parse_explain(argc, argv, &o, e);
    if (st == -1)
        return E_OK;
    if (st != E_OK)
        return st;
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = o.data;
    cfg.rules_dir = o.rules;
    cfg.as_of = o.as_of;
    cfg.threads = 1;
    cfg.enc_all = o.enc_all;
    memcpy(cfg.enc_file, o.enc_file, sizeof cfg.enc_file);
    cfg.si_window_only = 1;   /* as a run: the income window of the as-of date */
    struct pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return ERR(e, E_NOMEM, "out of memory");
    st = pipeline_init(p, &cfg, e);
    if (st == E_OK)
        st = pipeline_load_dir(p, e);
    uint32_t at = 0;
    if (st == E_OK)
        st = find_unit(p, &o, &at, e);
    struct explain_req ex;
    memset(&ex, 0, sizeof ex);
    if (st == E_OK) {
        struct judge jg;
        memset(&jg, 0, sizeof jg);
        jg.d = &p->d;
        jg.pol = &p->pol;
        jg.rules_dir = p->cfg.rules_dir;
        jg.as_of = o.as_of;
        jg.jn = &p->jn;
        jg.cal = &p->cal;
        jg.er = &p->er;
        for (int f = 0; f < N_INPUT; f++)
            jg.have[f] = p->d.files[f].present;
        ex.only = 1;
        if (o.household) {
            ex.households = &at;
            ex.n_households = 1;
        } else {
            ex.candidates = &at;
            ex.n_candidates = 1;
        }
        jg.ex = &ex;
        st = pipeline_judge(&jg, e);
    }
    if (st == E_OK && (fwrite(ex.text, 1, ex.len, stdout) != ex.len || fflush(stdout) != 0))
        st = ERR(e, E_WRITE, "cannot write the explanation");
    explain_free(&ex);
    pipeline_free(p);
    free(p);
    return st;
}
