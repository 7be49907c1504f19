/* main.c - the command line: options, stage wiring, messages, exit codes.
 *
 * Owns: argument parsing, progress lines, the single place where errors are
 * printed, and the exit status table (the only file that calls exit()).
 * The pipeline, one file per stage:
 *   load.c -> normalise.c -> index.c/join.c -> evaluate.c -> rank.c -> write.c
 */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "date.h"
#include "encoding.h"
#include "err.h"
#include "evaluate.h"
#include "join.h"
#include "model.h"
#include "normalise.h"
#include "rank.h"
#include "rules.h"
#include "write.h"

#define HEDUI_VERSION "0.1.0"

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
    "\n"
    "Reads the rolls and feeds of the data contract from DIR, evaluates every\n"
    "rule (E01-E12, P01, Q01-Q03, L01, L02) and writes flags.csv,\n"
    "review_queue.csv, spotcheck.csv, rejects.csv and manifest.json to the\n"
    "output directory, atomically (manifest.json last).\n"
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
    "  --rules DIR          policy directory (default: the shipped rules/)\n"
    "  --as-of YYYY-MM-DD   judge as of this date (default: today)\n"
    "  --seed N             spot-check seed (default: the as-of date as YYYYMMDD)\n"
    "  --threads N          worker threads (default: all cores)\n"
    "  --encoding [FILE=]ENC  read FILE (or every file) as utf-8 or gb18030\n"
    "                       instead of detecting it; repeatable\n"
    "  -q, --quiet          no progress lines even on a terminal\n"
    "  -v, --verbose        more detail in error messages\n"
    "  -h, --help           show this help\n";

static long long peak_rss_kb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (long long)ru.ru_maxrss;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int exit_for(enum ecode c)
{
    switch (c) {
    case E_OK: return EXIT_OK;
    case E_DATA: return EXIT_DATA;
    case E_USAGE: return EXIT_USAGE;
    case E_NOINPUT:
    case E_PARSE: return EXIT_INPUT;
    case E_IO: return EXIT_INPUT;
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

/* ---------- progress ---------- */

struct progress {
    int on;
    double t0;
};

static void progress(struct progress *p, const char *stage, long long rows, double ms)
{
    if (!p->on)
        return;
    if (rows >= 0 && ms > 0)
        fprintf(stderr, "%s: %-28s %12lld rows %8.0f ms %10.0f rows/s\n", prog, stage, rows, ms,
                (double)rows / (ms / 1000.0));
    else
        fprintf(stderr, "%s: %-28s %8.0f ms\n", prog, stage, ms);
}

/* ---------- run ---------- */

struct run_opts {
    const char *data, *out, *rules;
    char rules_buf[4096];
    int as_of;
    int as_of_set;
    unsigned long long seed;
    int seed_set;
    int threads;
    enum enc enc_all;
    enum enc enc_file[N_INPUT];
    int quiet;
};

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* The shipped rules/ beside the executable, else ./rules. */
static void default_rules_dir(char *buf, size_t n)
{
    char exe[1024];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = '\0';
        for (int up = 0; up < 4; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
            snprintf(buf, n, "%s/rules/policy.rules", exe);
            if (access(buf, R_OK) == 0) {
                snprintf(buf, n, "%s/rules", exe);
                return;
            }
        }
    }
    snprintf(buf, n, "rules");
}

static int opt_value(int argc, char **argv, int *i, const char *name, const char **val,
                     struct err *e)
{
    const char *a = argv[*i];
    size_t nl = strlen(name);
    if (strncmp(a, name, nl) == 0 && a[nl] == '=') {
        *val = a + nl + 1;
        return 1;
    }
    if (strcmp(a, name) != 0)
        return 0;
    if (*i + 1 >= argc) {
        ERR(e, E_USAGE, "option %s needs a value", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

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
        } else if ((r = opt_value(argc, argv, &i, "--data", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->data = v;
        } else if ((r = opt_value(argc, argv, &i, "--out", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->out = v;
        } else if ((r = opt_value(argc, argv, &i, "--rules", &v, e)) != 0) {
            if (r < 0) return e->code;
            o->rules = v;
        } else if ((r = opt_value(argc, argv, &i, "--as-of", &v, e)) != 0) {
            if (r < 0) return e->code;
            if (date_parse(v, strlen(v), &o->as_of) != 0)
                return ERR(e, E_USAGE, "--as-of '%s' is not a date (want YYYY-MM-DD)", v);
            o->as_of_set = 1;
        } else if ((r = opt_value(argc, argv, &i, "--seed", &v, e)) != 0) {
            if (r < 0) return e->code;
            if (parse_uint(v, ULLONG_MAX, &o->seed) != 0)
                return ERR(e, E_USAGE, "--seed '%s' is not a non-negative integer", v);
            o->seed_set = 1;
        } else if ((r = opt_value(argc, argv, &i, "--threads", &v, e)) != 0) {
            if (r < 0) return e->code;
            unsigned long long t;
            if (parse_uint(v, 1024, &t) != 0 || t == 0)
                return ERR(e, E_USAGE, "--threads '%s' is not a number from 1 to 1024", v);
            o->threads = (int)t;
        } else if ((r = opt_value(argc, argv, &i, "--encoding", &v, e)) != 0) {
            if (r < 0) return e->code;
            const char *eq = strchr(v, '=');
            enum enc en;
            if (enc_parse(eq ? eq + 1 : v, &en) != 0)
                return ERR(e, E_USAGE, "--encoding '%s': unknown encoding (utf-8, gb18030, auto)",
                           v);
            if (!eq) {
                o->enc_all = en;
            } else {
                int f;
                for (f = 0; f < N_INPUT; f++)
                    if (strlen(input_file_names[f]) == (size_t)(eq - v) &&
                        strncmp(input_file_names[f], v, (size_t)(eq - v)) == 0)
                        break;
                if (f == N_INPUT)
                    return ERR(e, E_USAGE, "--encoding '%s': unknown input file", v);
                o->enc_file[f] = en;
            }
        } else {
            return ERR(e, E_USAGE, "unknown option '%s' for 'run'", a);
        }
    }
    if (!o->data)
        return ERR(e, E_USAGE, "'run' needs --data DIR");
    if (!o->out)
        return ERR(e, E_USAGE, "'run' needs --out DIR");
    if (!o->rules) {
        default_rules_dir(o->rules_buf, sizeof o->rules_buf);
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

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reject share over the limit?  rejected / data_rows > num / den */
static int check_reject_limit(const struct dataset *d, const struct policy *p, struct err *e)
{
    for (int i = 0; i < N_INPUT; i++) {
        const struct filestat *fs = &d->files[i];
        long long rej = (long long)fs->rejects.n;
        if (!fs->present || rej == 0)
            continue;
        if ((__int128)rej * p->reject_limit.den > (__int128)p->reject_limit.num * fs->data_rows) {
            const struct reject *r0 = fs->rejects.v;
            err_where(e, fs->path, 0, 0);
            return ERR(e, E_DATA,
                       "%lld of %lld data rows rejected (%.2f%%), over the limit of %.2f%% "
                       "set in the rules; first: line %lld: %s. Nothing was published: fix "
                       "the feed or raise [input] reject_limit",
                       rej, fs->data_rows, 100.0 * (double)rej / (double)fs->data_rows,
                       100.0 * (double)p->reject_limit.num / (double)p->reject_limit.den,
                       r0[0].line, r0[0].reason);
        }
    }
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
    if (o.threads)
        omp_set_num_threads(o.threads);
    struct progress pg = {!o.quiet && isatty(STDERR_FILENO), now_ms()};

    static const char *const stage_names[] = {"load_ms", "index_join_ms", "evaluate_ms",
                                              "rank_ms", "write_ms", "total_ms"};
    double stage_ms[6] = {0};
    double t_start = now_ms(), t;

    struct policy pol;
    char path[4600];
    snprintf(path, sizeof path, "%s/policy.rules", o.rules);
    st = policy_load(&pol, path, e);
    if (st != E_OK)
        return st;

    struct dataset d;
    dataset_init(&d);
    struct normaliser nz;
    struct join jn;
    memset(&jn, 0, sizeof jn);
    struct calendar cal = {NULL, 0};
    struct eval_result er;
    memset(&er, 0, sizeof er);
    struct ranked rk;
    memset(&rk, 0, sizeof rk);
    struct outdir od;
    memset(&od, 0, sizeof od);
    const char *skipped[8];
    int n_skipped = 0;

    st = normaliser_init(&nz, &d, o.as_of, e);
    if (st != E_OK)
        goto out;

    /* ---- stage 1+2: load and normalise ---- */
    t = now_ms();
    static const int optional[N_INPUT] = {[IN_BUSINESS] = 1, [IN_PUBSERV] = 1,
                                          [IN_STAFFREL] = 1, [IN_CANDIDATES] = 1,
                                          [IN_STANDARDS] = 2, [IN_HOLIDAYS] = 2};
    for (int f = 0; f < N_INPUT; f++) {
        snprintf(path, sizeof path, "%s/%s", o.data, input_file_names[f]);
        int from_rules = 0;
        if (!file_exists(path)) {
            if (optional[f] == 1) {
                continue;
            } else if (optional[f] == 2) {
                snprintf(path, sizeof path, "%s/%s", o.rules, input_file_names[f]);
                from_rules = 1;
            }
        }
        enum enc want = o.enc_file[f] ? o.enc_file[f] : o.enc_all;
        double t1 = now_ms();
        st = normalise_file(&nz, (enum input_file)f, path, want, e);
        d.files[f].from_rules = from_rules;
        if (st != E_OK) {
            if (st == E_NOINPUT)
                e->msg[0] = '\0', e->code = E_OK,
                ERR(e, E_NOINPUT, "required input %s is missing (looked for %s); "
                                  "see 'hedui run --help' for the files a run needs",
                    input_file_names[f], path);
            goto out;
        }
        if (from_rules && d.files[f].rejects.n > 0) {
            const struct reject *r0 = d.files[f].rejects.v;
            err_where(e, path, r0[0].line, 0);
            st = ERR(e, E_CONFIG, "shipped policy table has a bad row: %s", r0[0].reason);
            goto out;
        }
        char label[64];
        snprintf(label, sizeof label, "load %s", input_file_names[f]);
        progress(&pg, label, d.files[f].data_rows, now_ms() - t1);
    }
    st = normalise_finish(&nz, e);
    if (st != E_OK)
        goto out;
    for (int f = 0; f < N_INPUT; f++) {
        struct filestat *fs = &d.files[f];
        fs->accepted = fs->data_rows - (long long)fs->rejects.n - fs->dropped_dupes;
    }
    st = check_reject_limit(&d, &pol, e);
    if (st != E_OK)
        goto out;
    stage_ms[0] = now_ms() - t;

    /* ---- stage 3+4: index and join ---- */
    t = now_ms();
    st = join_build(&jn, &d, e);
    if (st == E_OK)
        st = calendar_build(&cal, d.holidays.v, d.holidays.n, e);
    if (st != E_OK)
        goto out;
    stage_ms[1] = now_ms() - t;
    progress(&pg, "index and join", -1, stage_ms[1]);

    /* ---- stage 5: evaluate ---- */
    t = now_ms();
    struct eval_ctx ec = {&d, &jn, &pol, &cal, o.as_of, {0}};
    for (int f = 0; f < N_INPUT; f++)
        ec.have[f] = d.files[f].present;
    if (!ec.have[IN_BUSINESS])
        skipped[n_skipped++] = "E07_BUSINESS: business.csv absent";
    if (!ec.have[IN_PUBSERV])
        skipped[n_skipped++] = "E08_PUBLIC_SERVANT: public_servants.csv absent";
    if (!ec.have[IN_STAFFREL])
        skipped[n_skipped++] = "E12_STAFF_RELATIVE: staff_relatives.csv absent";
    if (!ec.have[IN_CANDIDATES])
        skipped[n_skipped++] = "L01_CANDIDATE_ELIGIBLE: candidates.csv absent";
    skipped[n_skipped] = NULL;
    st = evaluate_run(&ec, &er, e);
    if (st != E_OK)
        goto out;
    stage_ms[2] = now_ms() - t;
    progress(&pg, "evaluate rules", (long long)d.households.n, stage_ms[2]);

    /* ---- stage 6: rank and sample ---- */
    t = now_ms();
    st = rank_build(&d, &pol, &er, o.as_of, o.seed, &rk, e);
    if (st != E_OK)
        goto out;
    stage_ms[3] = now_ms() - t;

    /* ---- stage 7: write ---- */
    t = now_ms();
    st = out_begin(&od, o.out, e);
    if (st == E_OK)
        st = write_flags(&od, &er, e);
    if (st == E_OK)
        st = write_queue(&od, &rk, e);
    if (st == E_OK)
        st = write_spot(&od, &rk, e);
    if (st == E_OK)
        st = write_rejects(&od, &d, e);
    stage_ms[4] = now_ms() - t;
    stage_ms[5] = now_ms() - t_start;
    if (st == E_OK) {
        char asof[11];
        date_format(o.as_of, asof);
        struct manifest_info mi = {HEDUI_VERSION, asof, o.seed, omp_get_max_threads(), &pol,
                                   o.rules, &d, &er, &rk, skipped, {0}, stage_names, 6,
                                   peak_rss_kb()};
        memcpy(mi.stage_ms, stage_ms, sizeof stage_ms);
        st = write_manifest(&od, &mi, e);
    }
    if (st == E_OK) {
        static const char *const names[] = {"flags.csv", "review_queue.csv", "spotcheck.csv",
                                            "rejects.csv", "manifest.json"};
        st = out_commit(&od, names, 5, e);
    }
    if (st == E_OK && pg.on) {
        size_t n_rej = 0;
        for (int f = 0; f < N_INPUT; f++)
            n_rej += d.files[f].rejects.n;
        fprintf(stderr, "%s: %zu flags, %zu in the review queue, %zu sampled, %zu rejected rows"
                        " -> %s (%.0f ms, peak %lld MB)\n",
                prog, er.n_flags, rk.n_queue, rk.n_spot, n_rej, o.out, now_ms() - t_start,
                peak_rss_kb() / 1024);
    }
out:
    if (st != E_OK && st != E_USAGE)
        out_abort(&od);
    ranked_free(&rk);
    eval_result_free(&er);
    calendar_free(&cal);
    join_free(&jn);
    normaliser_free(&nz);
    dataset_free(&d);
    return st;
}

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
    } else if (strcmp(cmd, "run") == 0) {
        st = cmd_run(argc - 2, argv + 2, &e);
    } else {
        st = ERR(&e, E_USAGE, "unknown command '%s'", cmd);
    }
    if (st != E_OK)
        print_err(&e);
    return exit_for((enum ecode)st);
}
