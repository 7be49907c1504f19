/* main.c - the command line: options, stage wiring, messages, exit codes.
 *
 * Owns: argument parsing, progress lines, the single place where errors are
 * printed, and the exit status table (the only file that calls exit()).
 * The pipeline, one file per stage:
 *   load.c -> normalise.c -> index.c/join.c -> evaluate.c -> rank.c -> write.c
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/cmd_rules.h"
#include "base/date.h"
#include "base/encoding.h"
#include "base/err.h"
#include "pipeline.h"
#include "pg/cmd_pg.h"
#include "snapshot/snapshot.h"
#include "audit/export.h"
#include "audit/report.h"
#include "audit/review.h"


/* Exit status table (also in --help and README.md). */
enum exit_status {
    EXIT_OK = 0,
    EXIT_DATA = 1,      /* a feed over its reject limit, or data that stops the run */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_INPUT = 3,     /* missing, unreadable or malformed input file */
    EXIT_DB = 4,        /* database error */
    EXIT_RULES = 5,     /* bad rules file */
    EXIT_OUTPUT = 6,    /* cannot write the outputs */
    EXIT_NOMEM = 7,     /* out of memory */
    EXIT_INTERNAL = 70  /* a bug */
};

static const char *prog = "hedui";
static int verbose = 0;

static const char usage_main[] =
    "Usage: hedui COMMAND [OPTIONS]\n"
    "\n"
    "Cross-checks the economic status of households on the social-assistance\n"
    "rolls against department feeds and lists cases for review.\n"
    "\n"
    "Commands:\n"
    "  run        the nightly cross-check over CSV feeds (hedui run --help)\n"
    "  load       load CSV feeds into PostgreSQL for 'run --pg' (hedui load --help)\n"
    "  index      build/verify the snapshot for pre-approval checks (hedui index --help)\n"
    "  check      check households against a snapshot now (hedui check --help)\n"
    "  review     import auditors' verdicts into a state directory (hedui review --help)\n"
    "  export     township packs for people outside the bureau (hedui export --help)\n"
    "  report     report.html of a published run (hedui report --help)\n"
    "  rules      check a policy written in the rules language (hedui rules --help)\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help\n"
    "  --version      show the version\n"
    "\n"
    "Exit status:\n"
    "  0  success (rejected rows, if any, are in rejects.csv)\n"
    "  1  a feed's rejected rows exceed the reject limit; nothing published\n"
    "  2  usage error\n"
    "  3  an input file is missing, unreadable or malformed\n"
    "  4  database error\n"
    "  5  the rules are malformed\n"
    "  6  the outputs cannot be written\n"
    "  7  out of memory\n"
    "  70 internal error (a bug: please report it)\n";

static const char usage_run[] =
    "Usage: hedui run --data DIR --out DIR [OPTIONS]\n"
    "       hedui run --pg CONNINFO [--schema S] [--out DIR] [OPTIONS]\n"
    "\n"
    "Reads the rolls and feeds of the data contract from DIR, evaluates every\n"
    "rule (E01-E12, P01, Q01-Q03, L01, L02) and writes flags.csv,\n"
    "review_queue.csv, spotcheck.csv, rejects.csv and manifest.json to the\n"
    "output directory, atomically (manifest.json last), with\n"
    "fingerprints.csv, report.html (for auditors; IDs masked) and, with\n"
    "--previous or --state, changes.csv.\n"
    "\n"
    "Required files in DIR: households.csv members.csv hukou.csv vehicles.csv\n"
    "  property.csv social_insurance.csv\n"
    "Optional: business.csv public_servants.csv staff_relatives.csv\n"
    "  candidates.csv (rules needing an absent one are skipped; the manifest\n"
    "  says so); standards.csv and holidays.csv replace the rules' copies.\n"
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
    "  --rules DIR          policy directory (default: the shipped rules/)\n"
    "  --as-of YYYY-MM-DD   judge as of this date (default: today)\n"
    "  --seed N             spot-check seed (default: the as-of date as YYYYMMDD)\n"
    "  --threads N          worker threads (default: all cores)\n"
    "  --encoding [FILE=]ENC  read FILE (or every file) as utf-8 or gb18030\n"
    "                       instead of detecting it; repeatable\n"
    "  --previous DIR       compare with the run published in DIR: flags.csv gets\n"
    "                       fingerprint,change columns; changes.csv lists new,\n"
    "                       persisting and resolved findings\n"
    "  --state DIR          auditors' state (created if missing): compare with the\n"
    "                       last run recorded there (unless --previous), leave\n"
    "                       findings with a verdict ('hedui review import') out of\n"
    "                       review_queue.csv, then record this run there\n"
    "  -q, --quiet          no progress lines even on a terminal\n"
    "  -v, --verbose        more detail in error messages\n"
    "  -h, --help           show this help\n";

static int exit_for(enum ecode c)
{
    switch (c) {
    case E_OK: return EXIT_OK;
    case E_DATA: return EXIT_DATA;
    case E_USAGE: return EXIT_USAGE;
    case E_NOINPUT:
    case E_PARSE: return EXIT_INPUT;
    case E_IO: return EXIT_INPUT;
    case E_WRITE: return EXIT_OUTPUT;
    case E_PG: return EXIT_DB;
    case E_CONFIG: return EXIT_RULES;
    case E_NOMEM: return EXIT_NOMEM;
    case E_INTERNAL: return EXIT_INTERNAL;
    }
    return EXIT_INTERNAL;
}

/* The one place errors are printed. */
static void print_err(const struct err *e)
{
    fprintf(stderr, "%s: ", prog);
    if (e->in_path[0]) {
        fprintf(stderr, "%s", e->in_path);
        if (e->in_line)
            fprintf(stderr, ":%lld", e->in_line);
        if (e->in_col)
            fprintf(stderr, ":%d", e->in_col);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s\n", e->msg);
    if (verbose || e->code == E_INTERNAL)
        fprintf(stderr, "%s: (%s, at %s:%d)\n", prog, err_code_text(e->code),
                e->src_file ? e->src_file : "?", e->src_line);
    if (e->code == E_USAGE)
        fprintf(stderr, "%s: try '%s --help' for more information\n", prog, prog);
}

/* ---------- run ---------- */

struct run_opts {
    const char *data, *out, *rules;
    const char *pg, *schema;
    char rules_buf[4096];
    int as_of;
    int as_of_set;
    unsigned long long seed;
    int seed_set;
    int threads;
    enum enc enc_all;
    enum enc enc_file[N_INPUT];
    int quiet;
    const char *previous, *state;
};

static int parse_run(int argc, char **argv, struct run_opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        const char *a = argv[i];
        int r;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_run, stdout);
            return -1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbose = 1;
        } else if ((r = cli_opt_value(argc, argv, &i, "--data", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->data = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--out", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->out = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--previous", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->previous = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--state", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->state = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--rules", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->rules = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--pg", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->pg = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--schema", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->schema = v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--as-of", &v, e)) != 0) {
            if (r < 0) return e->code;
            if (date_parse(v, strlen(v), &o->as_of) != 0)
                return ERR(e, E_USAGE, "--as-of '%s' is not a date (want YYYY-MM-DD)", v);
            o->as_of_set = 1;
        } else if ((r = cli_opt_value(argc, argv, &i, "--seed", &v, e)) != 0) {
            if (r < 0) return e->code;
            if (cli_parse_uint(v, ULLONG_MAX, &o->seed) != 0)
                return ERR(e, E_USAGE, "--seed '%s' is not a non-negative integer", v);
            o->seed_set = 1;
        } else if ((r = cli_opt_value(argc, argv, &i, "--threads", &v, e)) != 0) {
            if (r < 0) return e->code;
            if (cli_parse_threads(v, &o->threads, e) != E_OK)
                return e->code;
        } else if ((r = cli_opt_value(argc, argv, &i, "--encoding", &v, e)) != 0) {
            if (r < 0) return e->code;
            if (cli_parse_encoding(v, &o->enc_all, o->enc_file, e) != E_OK)
                return e->code;
        } else {
            return ERR(e, E_USAGE, "unknown option '%s' for 'run'", a);
        }
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
    if (!o->as_of_set) {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        o->as_of = date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
    if (!o->seed_set)
        o->seed = (unsigned long long)date_to_ymd_int(o->as_of);
    return E_OK;
}

static int cmd_run(int argc, char **argv, struct err *e)
{
    struct run_opts o;
    int st = parse_run(argc, argv, &o, e);
    if (st == -1)
        return E_OK;   /* --help */
    if (st != E_OK)
        return st;
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = o.data;
    cfg.rules_dir = o.rules;
    cfg.as_of = o.as_of;
    cfg.seed = o.seed;
    cfg.threads = o.threads;
    cfg.enc_all = o.enc_all;
    memcpy(cfg.enc_file, o.enc_file, sizeof cfg.enc_file);
    cfg.progress = !o.quiet && isatty(STDERR_FILENO);
    cfg.si_window_only = 1;

    if (o.pg && (o.previous || o.state))
        return ERR(e, E_USAGE, "--previous and --state work with CSV runs (--data); a --pg "
                               "run compares with the previous run in its schema and applies "
                               "the verdicts in its dispositions table");
    if (o.pg)
        return pg_run(&cfg, o.pg, o.schema, o.out, e);
    cfg.auditor_outputs = 1;   /* fingerprints.csv, report.html (review.h, report.h) */
    cfg.previous_dir = o.previous;
    cfg.state_dir = o.state;

    struct pipeline p;
    st = pipeline_init(&p, &cfg, e);
    if (st == E_OK)
        st = pipeline_load_dir(&p, e);
    if (st == E_OK)
        st = pipeline_evaluate(&p, e);
    if (st == E_OK)
        st = pipeline_publish_dir(&p, o.out, e);
    if (st == E_OK && cfg.progress) {
        size_t n_rej = 0;
        for (int f = 0; f < N_INPUT; f++)
            n_rej += p.d.files[f].rejects.n;
        fprintf(stderr, "%s: %zu flags, %zu in the review queue, %zu sampled, %zu rejected rows"
                        " -> %s (%.0f ms, peak %lld MB)\n",
                prog, p.er.n_flags, p.rk.n_queue, p.rk.n_spot, n_rej, o.out,
                pipeline_now_ms() - p.t_start, pipeline_peak_rss_kb() / 1024);
    }
    pipeline_free(&p);
    return st;
}

/* ---------- commands ---------- */

struct command {
    const char *name;
    int (*fn)(int argc, char **argv, struct err *e);
};

static int cmd_load_main(int argc, char **argv, struct err *e)
{
    char rules[4096];
    cli_default_rules_dir(rules, sizeof rules);
    return cmd_load(argc, argv, rules, e);
}

static const struct command commands[] = {
    {"run", cmd_run},
    {"load", cmd_load_main},
    {"index", cmd_index},
    {"check", cmd_check},
    {"review", cmd_review},
    {"export", cmd_export},
    {"report", cmd_report},
    {"rules", cmd_rules},
};

int main(int argc, char **argv)
{
    struct err e;
    err_init(&e);
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    int st;
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    } else if (strcmp(cmd, "--version") == 0) {
        printf("hedui %s\n", HEDUI_VERSION);
        return EXIT_OK;
    } else {
        st = -1;
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(cmd, commands[i].name) == 0)
                st = commands[i].fn(argc - 2, argv + 2, &e);
        if (st == -1)
            st = ERR(&e, E_USAGE, "unknown command '%s'", cmd);
    }
    if (st != E_OK)
        print_err(&e);
    return exit_for((enum ecode)st);
}
