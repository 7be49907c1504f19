/* cmd_check.c - `hedui check`: households checked now against a snapshot
 * (issue 5; the snapshot is snapshot/, `hedui index build` makes it).
 *
 * Owns: the options of `check`, the wiring of its stages (snapshot open,
 * policy, the given files through the normaliser, snap_materialise, join,
 * calendar, evaluate), the verdict per household and the caseworker's
 * output (text with Chinese labels, JSON, or flags.csv rows).  The
 * findings come from evaluate.c run on the dataset snap_materialise()
 * builds, so they are the nightly run's.  Never prints an error (main.c
 * does) or exits.
 *
 * Verdict per household (the contract leaves it to the engine):
 *   疑似不符合条件 looks_ineligible - a cuobao finding of severity high;
 *   需复核 needs_review             - any other finding, or no standard for
 *                                    the household's region (E09 could not
 *                                    be judged: never a silent pass);
 *   无发现 no_finding               - nothing fired.
 */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "out/lists.h"
#include "pipeline.h"
#include "snapshot/snapshot.h"

/* ---------- labels ---------- */

static const char *const kind_zh[4] = {"错保", "漏保", "数据质量", "办理流程"};
static const char *const sev_zh[N_SEV] = {"高", "中", "低"};
static const char *const status_zh[N_HS] = {"在保", "暂停", "已注销", "申请中"};
static const char *const program_zh[N_PROG] = {"低保", "特困", "低收入"};
static const char *const area_zh[N_AREA] = {"城市", "农村"};

enum verdict { V_NONE, V_REVIEW, V_INELIGIBLE };
static const char *const verdict_id[3] = {"no_finding", "needs_review", "looks_ineligible"};
static const char *const verdict_zh[3] = {"无发现", "需复核", "疑似不符合条件"};

/* ---------- check ---------- */

static const char usage_check[] =
    "Usage: hedui check --index FILE --households F --members F [OPTIONS]\n"
    "\n"
    "Checks the households in F (the contract's households.csv and members.csv\n"
    "columns, any status) against a snapshot from 'hedui index build', with the\n"
    "rules and reference policy of the nightly run: the findings for a household\n"
    "are what 'hedui run' would flag for it on the same data.  A household whose\n"
    "household_id is already on the rolls is judged as given here (its rows\n"
    "replace the registry's); E10 looks at every other household of the rolls.\n"
    "Prints, per household, each finding with its rule, severity and evidence\n"
    "and a verdict: 无发现 (no finding), 需复核 (needs review: any finding, or no\n"
    "standard for the region), 疑似不符合条件 (looks ineligible: a high-severity\n"
    "错保 finding).  Read-only: any number of checks may run at once.\n"
    "\n"
    "Options:\n"
    "  --index FILE         the snapshot (required)\n"
    "  --households F       households to check (required)\n"
    "  --members F          their members (required)\n"
    "  --as-of YYYY-MM-DD   judge as of this date (default: today)\n"
    "  --rules DIR          take policy.rules from DIR instead of the snapshot's\n"
    "                       copy (standards and holidays stay the snapshot's)\n"
    "  --json               the same as JSON\n"
    "  --csv                the findings as flags.csv rows (same columns)\n"
    "  --threads N          worker threads (default: 1 below 20000 households)\n"
    "  --timing             print the time of each step to stderr\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 when the check ran (whatever it found); 2 usage; 3 a\n"
    "missing or malformed input, or a snapshot of another version or damaged\n"
    "(never read); 5 bad rules; 6 the result cannot be written; 7 out of memory.\n";

struct check_opts {
    const char *index, *households, *members, *rules;
    int as_of, json, csv, threads, timing;
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
    if (!as_of)
        o->as_of = cli_today();
    return E_OK;
}

/* ---------- output ---------- */

struct hh_out {
    uint32_t fd_index;         /* in the materialised dataset */
    size_t first_flag, n_flags;   /* range in the per-household flag list */
    int no_std;
    int no_members;
    int verdict;
    int n_sev[N_SEV];
    const char *head_hukou_no;
    int in_registry;
};

static const char *unit_hukou(const struct dataset *d, const struct join *jn,
                              const struct household *h)
{
    const struct member *ms = &VEC_AT(d->members, struct member, h->first_member);
    for (uint32_t i = 0; i < h->n_members; i++)
        if (ms[i].relation == REL_HEAD) {
            const struct hukou *hk = join_member_hukou(jn, d, &ms[i]);
            return hk ? hk->hukou_no : "";
        }
    return "";
}

static void print_text(FILE *f, const struct check_opts *o, struct snap *s,
                       const struct policy *pol, const struct dataset *gd,
                       const struct dataset *fd, const struct hh_out *ho, size_t n_hh,
                       const struct flag *const *fl, const char *const *skipped)
{
    char asof[11], built[11];
    struct snap_info si;
    snap_get_info(s, &si);
    date_format(o->as_of, asof);
    date_format(si.as_of, built);
    fprintf(f, "核对 hedui check  快照 %s (数据截至 %s)  政策 %s (%s%s)  核对日期 %s\n",
            o->index, built, pol->version, pol->hash, o->rules ? ", --rules" : "", asof);
    for (int i = 0; skipped[i]; i++)
        fprintf(f, "注意: 未评估 %s\n", skipped[i]);
    for (int fi = IN_HOUSEHOLDS; fi <= IN_MEMBERS; fi++) {
        const struct filestat *fs = &gd->files[fi];
        for (size_t k = 0; k < fs->rejects.n; k++) {
            const struct reject *rj = &VEC_AT(fs->rejects, struct reject, k);
            fprintf(f, "注意: 输入行未使用 %s:%lld: %s\n",
                    fi == IN_HOUSEHOLDS ? o->households : o->members, rj->line, rj->reason);
        }
    }
    if (n_hh == 0)
        fprintf(f, "\n(没有可核对的户 / no household to check)\n");
    for (size_t i = 0; i < n_hh; i++) {
        const struct hh_out *x = &ho[i];
        const struct household *h = &VEC_AT(fd->households, struct household, x->fd_index);
        fprintf(f, "\n户 %s  %s · %s · %s · 区划 %s · 户主户号 %s%s\n", h->id,
                status_zh[h->status], program_zh[h->program], area_zh[h->area], h->region,
                x->head_hukou_no[0] ? x->head_hukou_no : "(无)",
                x->in_registry ? " · 已在名册 (以本次提供的信息核对)" : "");
        fprintf(f, "  结论: %s (%s)", verdict_zh[x->verdict], verdict_id[x->verdict]);
        if (x->n_flags)
            fprintf(f, " — %zu 项发现: 高 %d, 中 %d, 低 %d", x->n_flags, x->n_sev[SEV_HIGH],
                    x->n_sev[SEV_MEDIUM], x->n_sev[SEV_LOW]);
        fputc('\n', f);
        if (x->no_std)
            fprintf(f, "  注意: 区划 %s (%s) 在核对日没有适用的低保标准, 未评估 E09_INCOME, E13%s\n",
                    h->region, area_zh[h->area],
                    h->status == HS_CANCELLED ? " 和 L02_CANCELLED_ELIGIBLE" : "");
        if (x->no_members)
            fprintf(f, "  注意: 没有该户的成员行 (members 文件中没有或全部未使用), 无法核对\n");
        for (size_t k = 0; k < x->n_flags; k++) {
            const struct flag *g = fl[x->first_flag + k];
            fprintf(f, "  %zu. [%s] %s %s (%s)", k + 1, sev_zh[g->severity], rule_names[g->rule],
                    rule_label_zh(g->rule), kind_zh[rule_kinds[g->rule]]);
            if (g->id_no[0])
                fprintf(f, "  身份证号 %s", g->id_no);
            if (g->hukou_no[0])
                fprintf(f, "  户号 %s", g->hukou_no);
            fprintf(f, "\n     证据: %s\n", g->evidence);
        }
    }
}

static void print_json(FILE *f, const struct check_opts *o, struct snap *s,
                       const struct policy *pol, const struct dataset *gd,
                       const struct dataset *fd, const struct hh_out *ho, size_t n_hh,
                       const struct flag *const *fl, const char *const *skipped)
{
    char asof[11], built[11];
    struct snap_info si;
    snap_get_info(s, &si);
    date_format(o->as_of, asof);
    date_format(si.as_of, built);
    fputs("{\"tool\":\"hedui\",\"tool_version\":", f);
    json_put_str(f, HEDUI_VERSION);
    fputs(",\"as_of\":", f);
    json_put_str(f, asof);
    fputs(",\"snapshot\":{\"path\":", f);
    json_put_str(f, o->index);
    fprintf(f, ",\"format_version\":%u,\"feeds_as_of\":", si.format_version);
    json_put_str(f, built);
    fprintf(f, ",\"built_unix\":%lld}", si.built_unix);
    fputs(",\"policy\":{\"version\":", f);
    json_put_str(f, pol->version);
    fputs(",\"xxh64\":", f);
    json_put_str(f, pol->hash);
    fputs(",\"source\":", f);
    json_put_str(f, o->rules ? o->rules : "snapshot");
    fputs("},\"rules_skipped\":[", f);
    for (int i = 0; skipped[i]; i++) {
        if (i)
            fputc(',', f);
        json_put_str(f, skipped[i]);
    }
    fputs("],\"rejects\":[", f);
    int first = 1;
    for (int fi = IN_HOUSEHOLDS; fi <= IN_MEMBERS; fi++) {
        const struct filestat *fs = &gd->files[fi];
        for (size_t k = 0; k < fs->rejects.n; k++) {
            const struct reject *rj = &VEC_AT(fs->rejects, struct reject, k);
            fputs(first ? "{\"file\":" : ",{\"file\":", f);
            first = 0;
            json_put_str(f, fi == IN_HOUSEHOLDS ? o->households : o->members);
            fprintf(f, ",\"line\":%lld,\"reason\":", rj->line);
            json_put_str(f, rj->reason);
            fputc('}', f);
        }
    }
    fputs("],\"households\":[", f);
    for (size_t i = 0; i < n_hh; i++) {
        const struct hh_out *x = &ho[i];
        const struct household *h = &VEC_AT(fd->households, struct household, x->fd_index);
        fputs(i ? ",\n{\"household_id\":" : "\n{\"household_id\":", f);
        json_put_str(f, h->id);
        fputs(",\"status\":", f);
        json_put_str(f, hh_status_names[h->status]);
        fputs(",\"program\":", f);
        json_put_str(f, program_names[h->program]);
        fputs(",\"area_type\":", f);
        json_put_str(f, area_names[h->area]);
        fputs(",\"region_code\":", f);
        json_put_str(f, h->region);
        fputs(",\"hukou_no\":", f);
        json_put_str(f, x->head_hukou_no);
        fprintf(f, ",\"in_registry\":%s,\"no_standard\":%s,\"no_members\":%s,\"verdict\":",
                x->in_registry ? "true" : "false", x->no_std ? "true" : "false",
                x->no_members ? "true" : "false");
        json_put_str(f, verdict_id[x->verdict]);
        fputs(",\"verdict_zh\":", f);
        json_put_str(f, verdict_zh[x->verdict]);
        fputs(",\"findings\":[", f);
        for (size_t k = 0; k < x->n_flags; k++) {
            const struct flag *g = fl[x->first_flag + k];
            fputs(k ? ",{\"rule_id\":" : "{\"rule_id\":", f);
            json_put_str(f, rule_names[g->rule]);
            fputs(",\"rule_zh\":", f);
            json_put_str(f, rule_label_zh(g->rule));
            fputs(",\"kind\":", f);
            json_put_str(f, kind_names[rule_kinds[g->rule]]);
            fputs(",\"kind_zh\":", f);
            json_put_str(f, kind_zh[rule_kinds[g->rule]]);
            fputs(",\"severity\":", f);
            json_put_str(f, severity_names[g->severity]);
            fputs(",\"severity_zh\":", f);
            json_put_str(f, sev_zh[g->severity]);
            fputs(",\"hukou_no\":", f);
            json_put_str(f, g->hukou_no);
            fputs(",\"id_no\":", f);
            json_put_str(f, g->id_no);
            fputs(",\"evidence\":", f);
            json_put_str(f, g->evidence);
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs("\n]}\n", f);
}

static void print_csv(FILE *f, const struct hh_out *ho, size_t n_hh,
                      const struct flag *const *fl)
{
    lists_flag_header(f, NULL);   /* flags.csv's columns and spellings */
    for (size_t i = 0; i < n_hh; i++)
        for (size_t k = 0; k < ho[i].n_flags; k++)
            lists_flag_row(f, fl[ho[i].first_flag + k], 1);
}

/* Each given household's flags (in the given file's order, *fl, ranges
 * in *ho), verdict and notes.  *ho and *fl are malloc'd (also on error). */
static int group_by_household(struct snap *s, const struct dataset *gd,
                              const struct dataset *fd, const struct join *jn,
                              const struct eval_result *er, const int32_t *given_of,
                              struct hh_out **ho_out, const struct flag ***fl_out,
                              struct err *e)
{
    const size_t n_given = gd->households.n, nfd = fd->households.n;
    int64_t *pos_of = malloc((nfd ? nfd : 1) * sizeof *pos_of);
    struct hh_out *ho = *ho_out = calloc(n_given ? n_given : 1, sizeof *ho);
    const struct flag **fl = *fl_out = malloc((er->n_flags ? er->n_flags : 1) * sizeof *fl);
    if (!pos_of || !ho || !fl) {
        free(pos_of);
        return ERR(e, E_NOMEM, "out of memory while printing the check");
    }
    for (size_t k = 0; k < nfd; k++) {
        pos_of[k] = given_of[k];
        if (given_of[k] >= 0) {
            struct hh_out *x = &ho[given_of[k]];
            x->fd_index = (uint32_t)k;
            x->head_hukou_no = unit_hukou(fd, jn, &VEC_AT(fd->households, struct household, k));
        }
    }
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        if (g->hh == HH_NONE || g->hh >= nfd || pos_of[g->hh] < 0)
            continue;
        ho[pos_of[g->hh]].n_flags++;
    }
    size_t acc = 0;
    for (size_t i = 0; i < n_given; i++) {
        ho[i].first_flag = acc;
        acc += ho[i].n_flags;
        ho[i].n_flags = 0;
    }
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        if (g->hh == HH_NONE || g->hh >= nfd || pos_of[g->hh] < 0)
            continue;
        struct hh_out *x = &ho[pos_of[g->hh]];
        fl[x->first_flag + x->n_flags++] = g;
        x->n_sev[g->severity]++;
        if (rule_kinds[g->rule] == KIND_CUOBAO && g->severity == SEV_HIGH)
            x->verdict = V_INELIGIBLE;
        else if (x->verdict == V_NONE)
            x->verdict = V_REVIEW;
    }
    for (size_t i = 0; i < er->n_no_std_households; i++) {
        uint32_t k = er->no_std_households[i];
        if (k < nfd && pos_of[k] >= 0) {
            ho[pos_of[k]].no_std = 1;
            if (ho[pos_of[k]].verdict == V_NONE)
                ho[pos_of[k]].verdict = V_REVIEW;
        }
    }
    int st = E_OK;
    for (size_t i = 0; i < n_given && st == E_OK; i++) {
        if (VEC_AT(gd->households, struct household, i).n_members == 0) {
            ho[i].no_members = 1;   /* nothing to judge: never a silent pass */
            if (ho[i].verdict == V_NONE)
                ho[i].verdict = V_REVIEW;
        }
        uint32_t reg;
        st = snap_find_household(s, VEC_AT(gd->households, struct household, i).id, &reg, e);
        ho[i].in_registry = reg != SNAP_NONE;
    }
    free(pos_of);
    return st;
}

/* The answer on stdout in the chosen format (--csv: the unused input rows
 * as warnings on stderr). */
static int print_result(const struct check_opts *o, struct snap *s, const struct policy *pol,
                        const struct dataset *gd, const struct dataset *fd,
                        const struct hh_out *ho, size_t n_given, const struct flag *const *fl,
                        const char *const *skipped, struct err *e)
{
    int st = E_OK;
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    if (o->json) {
        print_json(stdout, o, s, pol, gd, fd, ho, n_given, fl, skipped);
    } else if (o->csv) {
        for (int fi = IN_HOUSEHOLDS; fi <= IN_MEMBERS; fi++)
            for (size_t k = 0; k < gd->files[fi].rejects.n; k++) {
                const struct reject *rj = &VEC_AT(gd->files[fi].rejects, struct reject, k);
                fprintf(stderr, "hedui: warning: %s:%lld: row not used: %s\n",
                        fi == IN_HOUSEHOLDS ? o->households : o->members, rj->line,
                        rj->reason);
            }
        print_csv(stdout, ho, n_given, fl);
    } else {
        print_text(stdout, o, s, pol, gd, fd, ho, n_given, fl, skipped);
    }
    if (fflush(stdout) != 0)
        st = ERR(e, E_WRITE, "cannot write the result: %s", strerror(errno));
    setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
    return st;
}

/* The stages of a check, wired by hand as pipeline.c wires a run's
 * (pipeline_judge, on another branch, is to replace the join + calendar +
 * evaluate part). */
int cmd_check(int argc, char **argv, struct err *e)
{
    struct check_opts o;
    int st = parse_check(argc, argv, &o, e);
    if (st == -1)
        return E_OK;
    if (st != E_OK)
        return st;
    double t0 = pipeline_now_ms(), t = t0;
    double tm[6] = {0};

    struct snap s;
    struct policy pol;
    struct dataset gd, fd;
    struct normaliser nz;
    struct join jn;
    struct calendar cal;
    struct eval_result er;
    int32_t *given_of = NULL;
    struct hh_out *ho = NULL;
    const struct flag **fl = NULL;
    int inited = 0;
    memset(&jn, 0, sizeof jn);
    memset(&cal, 0, sizeof cal);
    memset(&er, 0, sizeof er);
    memset(&nz, 0, sizeof nz);

    /* one thread unless the batch is large: a check is mostly lookups, and
     * idle OpenMP workers would only spin */
    omp_set_num_threads(o.threads ? o.threads : 1);
    if ((st = snap_open(&s, o.index, e)) != E_OK)
        return st;
    if (o.rules) {
        char path[4600];
        snprintf(path, sizeof path, "%s/policy.rules", o.rules);
        st = policy_load(&pol, path, e);
    } else {
        st = snap_policy_load(&s, &pol, e);
    }
    tm[0] = pipeline_now_ms() - t;
    t = pipeline_now_ms();
    dataset_init(&gd);
    dataset_init(&fd);
    inited = 1;
    if (st == E_OK)
        st = normaliser_init(&nz, &gd, o.as_of, e);
    if (st == E_OK) {
        st = normalise_file(&nz, IN_HOUSEHOLDS, o.households, ENC_AUTO, e);
        if (st == E_NOINPUT) {
            err_init(e);
            st = ERR(e, E_NOINPUT, "--households %s: no such file", o.households);
        }
    }
    if (st == E_OK) {
        st = normalise_file(&nz, IN_MEMBERS, o.members, ENC_AUTO, e);
        if (st == E_NOINPUT) {
            err_init(e);
            st = ERR(e, E_NOINPUT, "--members %s: no such file", o.members);
        }
    }
    if (st == E_OK)
        st = normalise_finish(&nz, e);
    tm[1] = pipeline_now_ms() - t;
    t = pipeline_now_ms();

    int have[N_INPUT];
    if (st == E_OK)
        st = snap_materialise(&s, &gd, &fd, &given_of, have, e);
    tm[2] = pipeline_now_ms() - t;
    t = pipeline_now_ms();

    size_t n_given = gd.households.n;
    if (!o.threads && n_given >= 20000)
        omp_set_num_threads(omp_get_num_procs());
    struct skip_notes skip;
    skip.list[0] = NULL;
    if (st == E_OK) {
        /* L01 is the nightly run's search, not a check: no note for it */
        struct judge jg = {.d = &fd, .pol = &pol, .as_of = o.as_of, .jn = &jn, .cal = &cal,
                           .er = &er};
        const char *why[N_INPUT];
        for (int f = 0; f < N_INPUT; f++) {
            jg.have[f] = have[f] && f != IN_CANDIDATES;
            why[f] = have[f] || f == IN_CANDIDATES ? NULL
                     : f < SNAP_INPUTS ? "absent when the snapshot was built"
                                       : "not carried by the snapshot (format 1)";
        }
        rule_skip_notes(&skip, why);
        st = pipeline_judge(&jg, e);
    }
    tm[3] = pipeline_now_ms() - t;
    t = pipeline_now_ms();

    if (st == E_OK)
        st = group_by_household(&s, &gd, &fd, &jn, &er, given_of, &ho, &fl, e);
    if (st == E_OK)
        st = print_result(&o, &s, &pol, &gd, &fd, ho, n_given, fl, skip.list, e);
    tm[4] = pipeline_now_ms() - t;
    struct snap_info si;
    snap_get_info(&s, &si);
    if (o.timing)
        fprintf(stderr,
                "hedui: check timing: open+policy %.2f ms, read input %.2f ms, snapshot "
                "lookups %.2f ms, join+evaluate %.2f ms, output %.2f ms, total %.2f ms; "
                "%zu households, %zu flags, %llu of %llu blocks verified\n",
                tm[0], tm[1], tm[2], tm[3], tm[4], pipeline_now_ms() - t0, n_given,
                er.n_flags, si.n_verified, si.n_blocks);
    free(ho);
    free(fl);
    free(given_of);
    eval_result_free(&er);
    calendar_free(&cal);
    join_free(&jn);
    if (inited) {
        normaliser_free(&nz);
        dataset_free(&fd);
        dataset_free(&gd);
    }
    snap_close(&s);
    return st;
}
