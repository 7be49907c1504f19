/* cmd_index.c - `hedui index build|verify|info`: the snapshot for
 * pre-approval checks (issue 5; the file itself is snapshot/).
 *
 * Owns: the options and usage of `index`, the wiring of a build (the
 * nightly run's load, then join_build by person and snapshot_write), and
 * what verify and info print.  Never prints an error (main.c does) or
 * exits.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "pipeline.h"
#include "policy/lang.h"
#include "snapshot/snapshot.h"

static const char usage_index[] =
    "Usage: hedui index build --data DIR --out FILE [OPTIONS]\n"
    "       hedui index verify FILE\n"
    "       hedui index info FILE\n"
    "\n"
    "build: reads the rolls and feeds of DIR exactly as 'hedui run' does (same\n"
    "  checks, rejects and reject limit) and writes a snapshot of what the rules\n"
    "  need from them, keyed by person and by hukou household, for 'hedui check'.\n"
    "  The file is written beside FILE under a temporary name, flushed, read back\n"
    "  and verified, then renamed over FILE: checks running meanwhile keep\n"
    "  reading the old snapshot.  Mode 0600 (it carries full ID numbers).\n"
    "verify: checks every checksum of a snapshot (exit 0 if whole, 3 if not).\n"
    "info: prints a snapshot's header, sections and inputs.\n"
    "\n"
    "Options of build:\n"
    "  --data DIR           input directory, as for 'hedui run' (required)\n"
    "  --out FILE           the snapshot to write (required)\n"
    "  --rules DIR          policy directory (default: see Rules below); its\n"
    "                       policy.rules is stored in the snapshot\n"
    "  --as-of YYYY-MM-DD   read ID numbers as of this date (default: today)\n"
    "  --threads N          worker threads (default: all cores)\n"
    "  --encoding [FILE=]ENC  as for 'hedui run'\n"
    "  -q, --quiet          no progress lines\n"
    "  -h, --help           show this help\n"
    "\n"
    CLI_RULES_PLACES
    "\n"
    "Exit status: 0 done; 1 a feed over its reject limit (nothing written);\n"
    "2 usage; 3 missing or malformed input, or (verify, info) a snapshot of\n"
    "another version or damaged; 5 bad rules; 6 the snapshot cannot be written\n"
    "(the old one is left as it was); 7 out of memory.\n";

/* The rules language's policy of the build's rules directory, compiled as
 * a run would (its as-of date, its feeds): its name and hash go into the
 * snapshot's header (format 3 on).  A directory without a *.policy file
 * has none here, and the build then stops where the rules are stored
 * (snap_write.c); a policy with errors stops the build as it would stop a
 * run. */
static int policy_identity(struct pipeline *p, struct err *e)
{
    int have[N_INPUT];
    for (int f = 0; f < N_INPUT; f++)
        have[f] = p->d.files[f].present;
    struct lang_opts lo = {p->cfg.as_of, p->pol.income_months, have, 0};
    struct lang_prog *lp = NULL;
    int st = lang_load_dir(&lp, p->cfg.rules_dir, &lo, e);
    if (st == E_OK) {
        snprintf(p->pol.lang_name, sizeof p->pol.lang_name, "%s", lp->cp.name);
        snprintf(p->pol.lang_hash, sizeof p->pol.lang_hash, "%s", lp->policy_hash);
    } else if (st == E_NOINPUT) {
        err_init(e);
        st = E_OK;
    }
    lang_prog_free(lp);
    return st;
}

static int index_build(int argc, char **argv, struct err *e)
{
    const char *data = NULL, *out = NULL, *rules = NULL, *as_of = NULL, *threads = NULL;
    char rules_buf[4096];
    int help = 0, quiet = 0;
    struct cli_list enc = {0};
    const struct cli_opt opts[] = {
        {"--help", "-h", CLI_FLAG, &help},
        {"--quiet", "-q", CLI_FLAG, &quiet},
        {"--data", NULL, CLI_STR, &data},
        {"--out", NULL, CLI_STR, &out},
        {"--rules", NULL, CLI_STR, &rules},
        {"--as-of", NULL, CLI_STR, &as_of},
        {"--threads", NULL, CLI_STR, &threads},
        {"--encoding", NULL, CLI_LIST, &enc},
    };
    int st = cli_parse("index build", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0,
                       NULL, e);
    if (st != E_OK)
        return st;
    if (help) {
        fputs(usage_index, stdout);
        return E_OK;
    }
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (as_of && cli_parse_as_of(as_of, &cfg.as_of, e) != E_OK)
        return e->code;
    if (threads && cli_parse_threads(threads, &cfg.threads, e) != E_OK)
        return e->code;
    for (int i = 0; i < enc.n; i++)
        if (cli_parse_encoding(enc.v[i], &cfg.enc_all, cfg.enc_file, e) != E_OK)
            return e->code;
    if (!data)
        return ERR(e, E_USAGE, "'index build' needs --data DIR");
    if (!out)
        return ERR(e, E_USAGE, "'index build' needs --out FILE");
    if (!rules) {
        cli_default_rules_dir(rules_buf, sizeof rules_buf);
        rules = rules_buf;
    }
    if (!as_of)
        cfg.as_of = cli_today();
    cfg.data_dir = data;
    cfg.rules_dir = rules;
    cfg.seed = (unsigned long long)date_to_ymd_int(cfg.as_of);
    cfg.progress = !quiet && isatty(STDERR_FILENO);

    struct pipeline p;
    st = pipeline_init(&p, &cfg, e);
    if (st == E_OK)
        st = pipeline_load_dir(&p, e);
    double t = pipeline_now_ms();
    if (st == E_OK)
        st = join_build(&p.jn, &p.d, JOIN_SORTED, e);
    if (st == E_OK && cfg.progress)
        fprintf(stderr, "hedui: %-30s %8.0f ms\n", "index by person", pipeline_now_ms() - t);
    t = pipeline_now_ms();
    if (st == E_OK)
        st = policy_identity(&p, e);
    if (st == E_OK)
        st = snapshot_write(&p.d, &p.jn, &p.pol, cfg.as_of, out, e);
    if (st == E_OK && cfg.progress) {
        fprintf(stderr, "hedui: %-30s %8.0f ms\n", "write and verify snapshot",
                pipeline_now_ms() - t);
        long long in_bytes = 0;
        for (int f = 0; f < N_INPUT; f++)
            if (p.d.files[f].present && !p.d.files[f].from_rules)
                in_bytes += p.d.files[f].bytes;
        struct snap s;
        struct err e2;
        err_init(&e2);
        if (snap_open(&s, out, &e2) == E_OK) {
            struct snap_info si;
            snap_get_info(&s, &si);
            fprintf(stderr, "hedui: snapshot %s: %llu persons, %llu households, %.1f MB "
                            "(inputs %.1f MB) (%.0f ms, peak %lld MB)\n",
                    out, si.n_persons, si.n_households, (double)si.file_bytes / 1e6,
                    (double)in_bytes / 1e6, pipeline_now_ms() - p.t_start,
                    pipeline_peak_rss_kb() / 1024);
            snap_close(&s);
        }
    }
    pipeline_free(&p);
    return st;
}

static int index_verify(const char *path, struct err *e)
{
    struct snap s;
    double t = pipeline_now_ms();
    int st = snap_open(&s, path, e);
    if (st != E_OK)
        return st;
    st = snap_verify_all(&s, e);
    struct snap_info si;
    snap_get_info(&s, &si);
    if (st == E_OK)
        printf("snapshot %s: whole (%zu bytes, %llu blocks and the body checksum verified in "
               "%.0f ms)\n", path, si.file_bytes, si.n_blocks, pipeline_now_ms() - t);
    snap_close(&s);
    return st;
}

static int index_info(const char *path, struct err *e)
{
    struct snap s;
    int st = snap_open(&s, path, e);
    if (st != E_OK)
        return st;
    struct snap_info h;
    snap_get_info(&s, &h);
    char asof[11], built[32];
    date_format(h.as_of, asof);
    time_t bt = (time_t)h.built_unix;
    struct tm tm;
    gmtime_r(&bt, &tm);
    strftime(built, sizeof built, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("snapshot        %s\n", path);
    printf("format version  %u (engine %s)\n", h.format_version, h.engine_version);
    printf("built           %s, feeds read as of %s\n", built, asof);
    printf("policy          %s (xxh64 %s)\n", h.policy_version, h.policy_hash);
    if (h.policy_compiled[0])
        printf("rules policy    %s (policy hash %s)\n", h.policy_pack, h.policy_compiled);
    if (h.si_last_month == SNAP_NO_MONTH) {
        printf("social ins.     no accepted rows\n");
    } else {
        char m0[8], m1[8], mt[8] = "none";
        month_format(h.si_first_month, m0);
        month_format(h.si_last_month, m1);
        if (snap_si_through(&h) != SNAP_NO_MONTH)
            month_format(snap_si_through(&h), mt);
        printf("social ins.     rows %s..%s, complete months through %s\n", m0, m1, mt);
    }
    printf("persons         %llu\n", h.n_persons);
    printf("households      %llu (%llu members)\n", h.n_households, h.n_members);
    printf("size            %zu bytes, %llu blocks of %u bytes\n", h.file_bytes, h.n_blocks,
           h.block_size);
    printf("body xxh3-128   %016llx%016llx\n", h.body_hash_hi, h.body_hash_lo);
    printf("\nsection              offset        bytes        rows\n");
    for (int i = 0; i < h.n_sec; i++)
        printf("%-16s %10llu %12llu %11llu\n", h.sec[i].name, h.sec[i].offset, h.sec[i].bytes,
               h.sec[i].rows);
    struct snap_input in[N_INPUT];
    if ((st = snap_inputs(&s, in, e)) == E_OK) {
        printf("\ninput                    bytes    data rows     accepted  rejected   merged"
               "  xxh3-128\n");
        for (int f = 0; f < SNAP_INPUTS; f++) {
            if (!in[f].present) {
                printf("%-20s  (absent)\n", input_file_names[f]);
                continue;
            }
            printf("%-20s %10lld %12lld %12lld %9lld %8lld  %.32s%s\n", input_file_names[f],
                   in[f].bytes, in[f].data_rows, in[f].accepted, in[f].rejected, in[f].merged,
                   in[f].checksum, in[f].from_rules ? " (rules dir)" : "");
        }
    }
    snap_close(&s);
    return st;
}

/* `hedui index SUBCOMMAND ...`: build, verify or info. */
int cmd_index(int argc, char **argv, struct err *e)
{
    if (argc < 1)
        return ERR(e, E_USAGE, "'index' needs a subcommand: build, verify or info");
    if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
        fputs(usage_index, stdout);
        return E_OK;
    }
    if (strcmp(argv[0], "build") == 0)
        return index_build(argc - 1, argv + 1, e);
    if (strcmp(argv[0], "verify") == 0 || strcmp(argv[0], "info") == 0) {
        char name[16];
        snprintf(name, sizeof name, "index %s", argv[0]);
        const char *file = NULL;
        int n = 0, st = cli_parse(name, argc - 1, argv + 1, NULL, 0, &file, 1, &n, e);
        if (st != E_OK)
            return st;
        if (n != 1)
            return ERR(e, E_USAGE, "'index %s' needs exactly one FILE", argv[0]);
        return argv[0][0] == 'v' ? index_verify(file, e) : index_info(file, e);
    }
    return ERR(e, E_USAGE, "unknown subcommand 'index %s' (build, verify or info)", argv[0]);
}
