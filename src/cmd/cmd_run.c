/* cmd_run.c - `hedui run`: the nightly cross-check, over CSV feeds
 * (--data) or over the tables of a PostgreSQL schema (--pg).
 *
 * Owns: the options and usage of `run`, their defaults (rules directory,
 * as-of date, seed), the run configuration, the wiring of a CSV run's
 * stages (pipeline.h) and its closing summary line (on stderr, terminal or
 * not, unless --quiet; a --pg run's too).  A --pg run is pg_run() (pg/).
 * Never prints an error (main.c does) or exits.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/encoding.h"
#include "base/err.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "cmd/cmd_run.h"
#include "audit/review.h"
#include "engine/feedcheck.h"
#include "engine/partrun.h"
#include "pg/pg_run.h"
#include "pg/pg_schema.h"
#include "pipeline.h"

static const char usage_run[] =
    "Usage: hedui run --data DIR --out DIR [OPTIONS]\n"
    "       hedui run --pg CONNINFO [--schema S] [--out DIR] [OPTIONS]\n"
    "\n"
    "Reads the rolls and feeds of the data contract from DIR, evaluates every\n"
    "rule of the policy (rules/catalogue.rules lists them) and writes flags.csv,\n"
    "review_queue.csv, spotcheck.csv, rejects.csv and manifest.json to the\n"
    "output directory, atomically (manifest.json last), with\n"
    "fingerprints.csv, report.html (for auditors; IDs masked) and, with\n"
    "--previous or --state, changes.csv.\n"
    "\n"
    "Required files in DIR: households.csv members.csv hukou.csv vehicles.csv\n"
    "  property.csv social_insurance.csv\n"
    "Optional: business.csv public_servants.csv staff_relatives.csv\n"
    "  candidates.csv financial_assets.csv funeral.csv (rules needing an absent\n"
    "  one are skipped; the manifest says so); standards.csv and holidays.csv\n"
    "  replace the rules' copies.\n"
    "\n"
    "Options:\n"
    "  --data DIR           input directory (required)\n"
    "  --out DIR            output directory, created if missing (required)\n"
    "  --pg CONNINFO        read the inputs from PostgreSQL (loaded with 'hedui load')\n"
    "                       and publish the results there, in one transaction;\n"
    "                       '' uses the PG* environment; --out then also writes CSV;\n"
    "                       compares with the schema's previous run (changes table)\n"
    "                       and applies its dispositions (hedui review import --pg)\n"
    "  --schema S           PostgreSQL schema (default: hedui)\n"
    "  --rules DIR          policy directory (default: see Rules below)\n"
    "  --as-of YYYY-MM-DD   judge as of this date (default: today)\n"
    "  --seed N             spot-check seed (default: the as-of date as YYYYMMDD)\n"
    "  --threads N          worker threads (default: all cores)\n"
    "  --memory-limit SIZE  keep the run's memory under SIZE (e.g. 4G, 512M): rows\n"
    "                       wait in temporary files inside --out and are judged a\n"
    "                       part at a time; the outputs are the same.  A SIZE too\n"
    "                       small for the registry is refused, naming the least\n"
    "                       that would do\n"
    "  --encoding [FILE=]ENC  read FILE (or every file) as utf-8 or gb18030\n"
    "                       instead of detecting it; repeatable\n"
    "  --previous DIR       compare with the run published in DIR: flags.csv gets\n"
    "                       fingerprint,change columns; changes.csv lists new,\n"
    "                       persisting and resolved findings\n"
    "  --state DIR          auditors' state (created if missing): compare with the\n"
    "                       last run recorded there (unless --previous), leave\n"
    "                       findings with a verdict ('hedui review import') out of\n"
    "                       review_queue.csv, then record this run there\n"
    "  --accept-drop FEED   a feed (e.g. property) whose data rows fell by more than\n"
    "                       the rules' feed_drop_limit since the previous run\n"
    "                       (--previous, --state, the --pg schema) is accepted for\n"
    "                       this run, and the manifest says so; repeatable\n"
    "  -q, --quiet          no progress lines even on a terminal\n"
    "  -v, --verbose        more detail in error messages\n"
    "  -h, --help           show this help\n"
    "\n"
    CLI_RULES_PLACES
    "\n"
    "On a terminal each stage prints a progress line to stderr; otherwise (a\n"
    "log, a pipe) the run prints one summary line at its end: flags, review\n"
    "queue, sample, rejected rows, households without a standard, output\n"
    "directory (with --pg: the run id, schema and database, and --out if given).\n"
    "--quiet prints neither.  Exit status: see 'hedui --help'.\n";

struct run_opts {
    const char *data, *out, *rules;
    const char *pg, *schema;
    char rules_buf[4096];
    int as_of;
    unsigned long long seed;
    int threads;
    enum enc enc_all;
    enum enc enc_file[N_INPUT];
    int quiet;
    const char *previous, *state;
    unsigned accept_drop;       /* --accept-drop FEED, repeatable (feedcheck.h) */
    size_t memory_limit;        /* --memory-limit, bytes; 0 = none */
};

/* E_OK, E_USAGE, or -1 when --help was printed. */
static int parse_run(int argc, char **argv, struct run_opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    const char *as_of = NULL, *seed = NULL, *threads = NULL, *mem = NULL;
    int help = 0;
    struct cli_list enc = {0}, drops = {0};
    const struct cli_opt opts[] = {
        {"--help", "-h", CLI_FLAG, &help},
        {"--quiet", "-q", CLI_FLAG, &o->quiet},
        {"--verbose", "-v", CLI_FLAG, &cli_verbose},
        {"--data", NULL, CLI_STR, &o->data},
        {"--out", NULL, CLI_STR, &o->out},
        {"--previous", NULL, CLI_STR, &o->previous},
        {"--state", NULL, CLI_STR, &o->state},
        {"--rules", NULL, CLI_STR, &o->rules},
        {"--pg", NULL, CLI_STR, &o->pg},
        {"--schema", NULL, CLI_STR, &o->schema},
        {"--as-of", NULL, CLI_STR, &as_of},
        {"--seed", NULL, CLI_STR, &seed},
        {"--threads", NULL, CLI_STR, &threads},
        {"--memory-limit", NULL, CLI_STR, &mem},
        {"--encoding", NULL, CLI_LIST, &enc},
        {"--accept-drop", NULL, CLI_LIST, &drops},
    };
    int st = cli_parse("run", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL, e);
    if (st != E_OK)
        return st;
    if (help) {
        fputs(usage_run, stdout);
        return -1;
    }
    if (as_of && cli_parse_as_of(as_of, &o->as_of, e) != E_OK)
        return e->code;
    if (seed && cli_parse_uint(seed, ULLONG_MAX, &o->seed) != 0)
        return ERR(e, E_USAGE, "--seed '%s' is not a non-negative integer", seed);
    if (threads && cli_parse_threads(threads, &o->threads, e) != E_OK)
        return e->code;
    if (mem && partrun_parse_size(mem, &o->memory_limit) != 0)
        return ERR(e, E_USAGE, "--memory-limit '%s' is not a size (e.g. 4G, 512M, 2048M)", mem);
    if (mem && o->pg)
        return ERR(e, E_USAGE, "--memory-limit works with CSV runs (--data)");
    for (int i = 0; i < enc.n; i++)
        if (cli_parse_encoding(enc.v[i], &o->enc_all, o->enc_file, e) != E_OK)
            return e->code;
    for (int i = 0; i < drops.n; i++) {
        int f = feedcheck_feed_index(drops.v[i]);
        if (f < 0)
            return ERR(e, E_USAGE, "--accept-drop '%s' is not a feed; want one of %s",
                       drops.v[i], feedcheck_feed_list);
        o->accept_drop |= 1u << f;
    }
    if (o->pg && o->data)
        return ERR(e, E_USAGE, "--pg and --data exclude each other: load the data directory "
                               "with 'hedui load --pg CONNINFO --data DIR' first");
    if (o->schema && !o->pg)
        return ERR(e, E_USAGE, "--schema needs --pg");
    if (!o->schema)
        o->schema = PG_DEFAULT_SCHEMA;
    if (!o->data && !o->pg)
        return ERR(e, E_USAGE, "'run' needs --data DIR (or --pg CONNINFO)");
    if (!o->out && !o->pg)
        return ERR(e, E_USAGE, "'run' needs --out DIR");
    if (!o->rules) {
        cli_default_rules_dir(o->rules_buf, sizeof o->rules_buf);
        o->rules = o->rules_buf;
    }
    if (!as_of)
        o->as_of = cli_today();
    if (!seed)
        o->seed = (unsigned long long)date_to_ymd_int(o->as_of);
    return E_OK;
}

/* The run's last line on stderr, on a terminal (after the progress lines)
 * and off one (alone: what a nightly job's log keeps):
 *   hedui: run as of 2026-06-15: 46 flags (1 new, 45 persisting, 1 resolved),
 *   33 in the review queue, 6 sampled, 5 rejected rows, no standard for 2
 *   households and 1 candidates -> out (812 ms, peak 41 MB)
 * The part in parentheses after "flags" only when the run compared; a
 * hedui-mpi run (ranks > 0) says "(812 ms, 4 ranks, rank 0 peak 41 MB)".  A
 * --pg run's `out` names its run, schema and database (pg_run calls
 * pg_summary_line). */
void cmd_run_summary(const struct pipeline *p, const char *out, int ranks)
{
    size_t n_rej = 0;
    for (int f = 0; f < N_INPUT; f++)
        n_rej += p->d.files[f].rejects.n;
    char asof[11], cmp[96] = "", ranks_s[32] = "";
    date_format(p->cfg.as_of, asof);
    if (ranks > 0)
        snprintf(ranks_s, sizeof ranks_s, "%d ranks, rank 0 ", ranks);
    if (p->rv && p->rv->compare)
        snprintf(cmp, sizeof cmp, " (%lld new, %lld persisting, %zu resolved)", p->rv->n_new,
                 p->rv->n_persisting, p->rv->n_resolved);
    fprintf(stderr, "hedui: run as of %s: %zu flags%s, %zu in the review queue, %zu sampled, "
                    "%zu rejected rows, no standard for %zu households and %zu candidates "
                    "-> %s (%.0f ms, %speak %lld MB)\n",
            asof, p->er.n_flags, cmp, p->rk.n_queue, p->rk.n_spot, n_rej,
            p->er.n_no_std_households, p->er.n_no_std_candidates, out,
            pipeline_now_ms() - p->t_start, ranks_s, pipeline_peak_rss_kb() / 1024);
}

/* The summary line of a --pg run (pg_run calls it after publishing). */
static void pg_summary_line(const struct pipeline *p, const char *out)
{
    cmd_run_summary(p, out, 0);
}

int cmd_run_parse(int argc, char **argv, struct run_cmdline *rc, struct err *e)
{
    struct run_opts o;
    memset(rc, 0, sizeof *rc);
    int st = parse_run(argc, argv, &o, e);
    if (st != E_OK)
        return st;   /* -1: --help */
    struct run_config *cfg = &rc->cfg;
    snprintf(rc->rules_buf, sizeof rc->rules_buf, "%s", o.rules);
    cfg->data_dir = o.data;
    cfg->rules_dir = rc->rules_buf;
    cfg->out_dir = o.out;   /* checked and locked first (outdir.h) */
    cfg->as_of = o.as_of;
    cfg->seed = o.seed;
    cfg->threads = o.threads;
    cfg->enc_all = o.enc_all;
    memcpy(cfg->enc_file, o.enc_file, sizeof cfg->enc_file);
    cfg->progress = !o.quiet && isatty(STDERR_FILENO);
    cfg->si_window_only = 1;
    cfg->hukou_reached_only = 1;
    cfg->accept_drop = o.accept_drop;
    cfg->memory_limit = o.memory_limit;
    rc->pg = o.pg;
    rc->schema = o.schema;
    rc->out = o.out;
    rc->quiet = o.quiet;
    if (o.pg && (o.previous || o.state))
        return ERR(e, E_USAGE, "--previous and --state work with CSV runs (--data); a --pg "
                               "run compares with the previous run in its schema and applies "
                               "the verdicts in its dispositions table");
    if (!o.pg) {
        cfg->auditor_outputs = 1;   /* fingerprints.csv, report.html (review.h, report.h) */
        cfg->previous_dir = o.previous;
        cfg->state_dir = o.state;
    }
    return E_OK;
}

int cmd_run(int argc, char **argv, struct err *e)
{
    struct run_cmdline rc;
    int st = cmd_run_parse(argc, argv, &rc, e);
    if (st == -1)
        return E_OK;   /* --help */
    if (st != E_OK)
        return st;
    struct run_config cfg = rc.cfg;
    if (rc.pg)
        return pg_run(&cfg, rc.pg, rc.schema, rc.out, rc.quiet ? NULL : pg_summary_line, e);

    struct pipeline p;
    st = pipeline_init(&p, &cfg, e);
    if (st == E_OK)
        st = pipeline_load_dir(&p, e);
    if (st == E_OK)
        st = pipeline_evaluate(&p, e);
    if (st == E_OK)
        st = pipeline_publish_dir(&p, rc.out, e);
    if (st == E_OK && !rc.quiet)
        cmd_run_summary(&p, rc.out, 0);
    pipeline_free(&p);
    return st;
}
