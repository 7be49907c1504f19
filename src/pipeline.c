/* pipeline.c - wiring of the stages for one run (see pipeline.h).
 *
 * Owns: the order of the stages, the per-file row accounting, the reject
 * limit check, the wiring of the feed checks (engine/feedcheck.h: after
 * loading, before judging), progress lines, the warning when a previous run
 * kept no feed sizes, and stage timings.  Never interprets a value or a
 * rule itself; never prints errors (main.c does) and never exits.
 */
#include "pipeline.h"

#include <omp.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "base/date.h"
#include "base/idmask.h"
#include "audit/prevcounts.h"
#include "engine/hukou_prune.h"
#include "audit/report_input.h"
#include "audit/review.h"
#include "out/nostd.h"
#include "engine/partrun.h"
#include "out/lists.h"
#include "out/outdir.h"
#include "out/summary.h"
#include "engine/vm.h"

const char *const stage_names[N_STAGES] = {"load_ms", "index_join_ms", "evaluate_ms",
                                           "rank_ms", "write_ms", "total_ms"};

double pipeline_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

long long pipeline_peak_rss_kb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (long long)ru.ru_maxrss;
}

static void progress(const struct pipeline *p, const char *stage, long long rows, double ms)
{
    if (!p->cfg.progress)
        return;
    if (rows >= 0 && ms > 0)
        fprintf(stderr, "hedui: %-30s %11lld rows %8.0f ms %11.0f rows/s\n", stage, rows, ms,
                (double)rows / (ms / 1000.0));
    else
        fprintf(stderr, "hedui: %-30s %8.0f ms\n", stage, ms);
}

static int check_thread_stacks(int n, struct err *e)
{
    if (n <= 1)
        return E_OK;
    size_t stack = (size_t)8 << 20;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 0)
        stack = (size_t)rl.rlim_cur;
    size_t total = (size_t)(n - 1) * (stack + ((size_t)64 << 10));
    void *p = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return ERR(e, E_NOMEM, "out of memory while starting %d worker threads (%zu MB of "
                               "stack); try --threads 1 or a higher memory limit",
                   n - 1, total >> 20);
    munmap(p, total);
    return E_OK;
}

/* --out and --state, before anything else: refused, or ours alone for the
 * run (outdir.h).  The same directory for both is locked once. */
static int lock_dirs(struct pipeline *p, struct err *e)
{
    if (p->cfg.out_dir) {
        p->out = calloc(1, sizeof *p->out);
        if (!p->out)
            return ERR(e, E_NOMEM, "out of memory while preparing the output directory");
        int st = out_prepare(p->out, p->cfg.out_dir, p->cfg.data_dir, e);
        if (st != E_OK)
            return st;
    }
    if (p->cfg.state_dir) {
        char *rs = realpath(p->cfg.state_dir, NULL);
        int same = rs && p->out && strcmp(rs, p->out->dir) == 0;
        free(rs);
        if (same)
            return E_OK;
        p->state_lock = calloc(1, sizeof *p->state_lock);
        if (!p->state_lock)
            return ERR(e, E_NOMEM, "out of memory while locking the state directory");
        return run_lock_take(p->state_lock, p->cfg.state_dir, "--state", e);
    }
    return E_OK;
}

static int find_settings(struct pipeline *p, const char *dir, struct err *e);
int pipeline_init(struct pipeline *p, const struct run_config *cfg, struct err *e)
{
    memset(p, 0, sizeof *p);
    p->cfg = *cfg;
    p->t_start = pipeline_now_ms();
    dataset_init(&p->d);
    int stl = lock_dirs(p, e);
    if (stl != E_OK)
        return stl;
    if (cfg->threads)
        omp_set_num_threads(cfg->threads);
    /* Start the worker threads now, while memory is plentiful: libgomp
     * cannot report a failed thread creation except by exiting (status 1,
     * which means something else here).  So first reserve address space for
     * their stacks; if even that fails, say so the usual way. */
    int st0 = check_thread_stacks(omp_get_max_threads(), e);
    if (st0 != E_OK)
        return st0;
    int started = 0;
#pragma omp parallel reduction(+ : started)
    started += 1;
    (void)started;
    char path[4600];
    int st = find_settings(p, cfg->rules_dir, e);
    snprintf(path, sizeof path, "%s/policy.rules", p->settings_dir);
    if (st == E_OK)
        st = policy_load(&p->pol, path, e);
    if (st == E_OK)   /* the rules' names, kinds, labels: catalogue.rules beside policy.rules */
        st = catalogue_load_dir(p->settings_dir, 1, e);
    if (st == E_OK)   /* the rules: the .policy file of the directory named */
        snprintf(p->pol.rules_dir, sizeof p->pol.rules_dir, "%s", cfg->rules_dir);
    if (st == E_OK && cfg->auditor_outputs)
        st = review_open(&p->rv, cfg->previous_dir, cfg->state_dir, e);
    feed_rows_init(&p->prev_rows);   /* run --pg fills it from the schema instead */
    if (st == E_OK && cfg->auditor_outputs)
        st = prevcounts_read(cfg->previous_dir, p->rv, &p->prev_rows, e);
    if (st != E_OK)
        return st;
    st = normaliser_init(&p->nz, &p->d, cfg->as_of, e);
    if (st == E_OK && cfg->si_window_only) {
        /* the months of the income window */
        int last = date_month(cfg->as_of) - 1;
        normaliser_keep_months(&p->nz, last - p->pol.income_months + 1, last);
    }
    return st;
}

/* Anything at path (a FIFO or a directory too: load.c then says what it
 * is, rather than the run calling it missing or skipping it). */
static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A rules directory with policy.rules is its own settings directory.  One
 * without it is a pack (rules/packs/NAME: its .policy `extends reference`):
 * the settings and tables are those of the first of its parent and
 * grandparent that has a policy.rules (where reference.policy lives). */
static int find_settings(struct pipeline *p, const char *dir, struct err *e)
{
    static const char *const up[3] = {"", "/..", "/../.."};
    char path[4600];
    for (int i = 0; i < 3; i++) {
        snprintf(p->settings_dir, sizeof p->settings_dir, "%s%s", dir, up[i]);
        snprintf(path, sizeof path, "%s/policy.rules", p->settings_dir);
        if (file_exists(path)) {
            p->pack = i > 0;
            return E_OK;
        }
    }
    snprintf(p->settings_dir, sizeof p->settings_dir, "%s", dir);
    (void)e;   /* policy_load names the missing policy.rules */
    return E_OK;
}

static int after_file(struct pipeline *p, enum input_file f, double t1, struct err *e)
{
    const struct filestat *fs = &p->d.files[f];
    if (fs->from_rules && fs->rejects.n > 0) {
        const struct reject *r0 = fs->rejects.v;
        char why[512];
        idmask_text(r0[0].reason, why, sizeof why);
        err_where(e, fs->path, r0[0].line, 0);
        return ERR(e, E_CONFIG, "the policy table has a bad row: %s", why);
    }
    char label[64];
    snprintf(label, sizeof label, "load %s", input_file_names[f]);
    progress(p, label, fs->data_rows, pipeline_now_ms() - t1);
    return E_OK;
}

/* Where input f is read from: DIR/FILE, or the rules' copy of a policy
 * table; 0 for an optional feed that is absent (not read at all). */
int pipeline_input_path(const struct pipeline *p, int f, char *path, size_t cap, int *from_rules)
{
    snprintf(path, cap, "%s/%s", p->cfg.data_dir, input_file_names[f]);
    *from_rules = 0;
    if (!file_exists(path)) {
        if (feed_decls[f].need == IN_OPTIONAL_FEED)
            return 0;
        if (feed_decls[f].need == IN_POLICY_TABLE) {
            snprintf(path, cap, "%s/%s", p->settings_dir, input_file_names[f]);
            *from_rules = 1;
        }
    }
    return 1;
}

int pipeline_input_missing(int f, const char *path, struct err *e)
{
    err_init(e);
    return ERR(e, E_NOINPUT,
               "required input %s is missing (looked for %s); see 'hedui run --help' "
               "for the files a run needs", input_file_names[f], path);
}

/* Read input f: into the dataset, or (stream) through the partitioned
 * run's reader for it (engine/partrun.h). */
static int load_input(struct pipeline *p, int f, const char *path, int from_rules, int stream,
                      struct err *e)
{
    enum enc want = p->cfg.enc_file[f] ? p->cfg.enc_file[f] : p->cfg.enc_all;
    double t1 = pipeline_now_ms();
    int st;
    if (!stream)
        st = normalise_file(&p->nz, (enum input_file)f, path, want, e);
    else if (f == IN_MEMBERS)
        st = partrun_members(p->pr, path, want, e);
    else if (f == IN_HUKOU)
        st = partrun_hukou(p->pr, path, want, e);
    else
        st = partrun_feed(p->pr, (enum input_file)f, path, want, e);
    p->d.files[f].from_rules = from_rules;
    if (st == E_NOINPUT)
        return pipeline_input_missing(f, path, e);
    if (st != E_OK)
        return st;
    return after_file(p, (enum input_file)f, t1, e);
}

/* --memory-limit (engine/partrun.h): the registry and the policy tables
 * into the dataset, merged; members and hukou to disk and the plan; then
 * every other feed straight to its partitions.  The same files, checks,
 * rejects and statistics as below; only the order of reading differs. */
static int load_dir_partitioned(struct pipeline *p, struct err *e)
{
    double t = pipeline_now_ms();
    char path[N_INPUT][4600];
    int use[N_INPUT], from_rules[N_INPUT];
    struct partrun_inputs in;
    for (int f = 0; f < N_INPUT; f++) {
        use[f] = pipeline_input_path(p, f, path[f], sizeof path[f], &from_rules[f]);
        in.path[f] = use[f] ? path[f] : NULL;
    }
    int last = date_month(p->cfg.as_of) - 1;   /* the rules' income window */
    int st = partrun_open(&p->pr, &p->nz, p->cfg.memory_limit, p->out->dir, &in,
                          last - p->pol.income_months + 1, last, e);
    static const int whole[] = {IN_HOUSEHOLDS, IN_CANDIDATES, IN_STANDARDS, IN_HOLIDAYS};
    for (size_t i = 0; i < sizeof whole / sizeof whole[0] && st == E_OK; i++)
        if (use[whole[i]])
            st = load_input(p, whole[i], path[whole[i]], from_rules[whole[i]], 0, e);
    if (st == E_OK)
        st = normalise_finish(&p->nz, e);   /* the candidates, once each */
    if (st == E_OK)
        st = load_input(p, IN_MEMBERS, path[IN_MEMBERS], 0, 1, e);
    if (st == E_OK)
        st = load_input(p, IN_HUKOU, path[IN_HUKOU], 0, 1, e);
    if (st == E_OK) {
        double t1 = pipeline_now_ms();
        st = partrun_plan(p->pr, e);
        progress(p, "plan the partitions", -1, pipeline_now_ms() - t1);
    }
    for (int f = 0; f < N_INPUT && st == E_OK; f++)
        if (use[f] && feed_decls[f].by_person)
            st = load_input(p, f, path[f], 0, 1, e);
    p->stage_ms[ST_LOAD] += pipeline_now_ms() - t;
    return st == E_OK ? pipeline_finish_load(p, e) : st;
}

/* cfg.hukou_reached_only: the hukou rows no rule reads go (hukou_prune.h),
 * once the hukou rows, the members and the candidates are all loaded;
 * before_feeds: and the feeds joined to people read after this keep the
 * rows of the persons left (personset.h). */
static int prune_hukou(struct pipeline *p, int before_feeds, struct err *e)
{
    if (!p->cfg.hukou_reached_only || p->pr || p->hukou_pruned)
        return E_OK;
    double t = pipeline_now_ms();
    struct hukou_pruned n;
    int st = before_feeds ? hukou_prune_keep_persons(&p->nz, &p->persons, &n, e)
                          : hukou_prune(&p->d, &n, e);
    if (st != E_OK)
        return st;
    p->hukou_pruned = 1;
    char what[120];
    snprintf(what, sizeof what,
             "hukou: %zu of %zu rows in no household of a member or candidate, not kept",
             n.before - n.after, n.before);
    progress(p, what, -1, pipeline_now_ms() - t);
    return E_OK;
}

int pipeline_load_dir(struct pipeline *p, struct err *e)
{
    if (p->cfg.memory_limit)
        return load_dir_partitioned(p, e);
    double t = pipeline_now_ms();
    char path[4600];
    /* the candidates before hukou.csv: then the hukou rows no rule reads
     * can go (prune_hukou) before the large feeds are read into the memory
     * they leave */
    int order[N_INPUT], n_order = hukou_prune_order(order);
    for (int i = 0; i < n_order; i++) {
        int f = order[i], from_rules;
        if (!pipeline_input_path(p, f, path, sizeof path, &from_rules))
            continue;
        int st = load_input(p, f, path, from_rules, 0, e);
        if (st == E_OK && f == IN_HUKOU)
            st = prune_hukou(p, 1, e);
        if (st != E_OK)
            return st;
    }
    p->stage_ms[ST_LOAD] += pipeline_now_ms() - t;
    return pipeline_finish_load(p, e);
}

int pipeline_load_buffer(struct pipeline *p, enum input_file f, const char *label,
                         const unsigned char *buf, size_t len, struct err *e)
{
    double t1 = pipeline_now_ms();
    enum enc want = p->cfg.enc_file[f] ? p->cfg.enc_file[f] : p->cfg.enc_all;
    int st = normalise_buffer(&p->nz, f, label, buf, len, want, e);
    if (st == E_OK)
        st = after_file(p, f, t1, e);
    p->stage_ms[ST_LOAD] += pipeline_now_ms() - t1;
    return st;
}

int pipeline_load_file(struct pipeline *p, enum input_file f, const char *path, int from_rules,
                       struct err *e)
{
    double t1 = pipeline_now_ms();
    int st = load_input(p, f, path, from_rules, 0, e);
    p->stage_ms[ST_LOAD] += pipeline_now_ms() - t1;
    return st;
}

/* The first file whose rejected / data_rows > num / den, or -1. */
static int over_reject_limit(const struct dataset *d, const struct policy *p)
{
    for (int i = 0; i < N_INPUT; i++) {
        const struct filestat *fs = &d->files[i];
        long long rej = (long long)fs->rejects.n;
        if (!fs->present || rej == 0)
            continue;
        if ((__int128)rej * p->reject_limit.den > (__int128)p->reject_limit.num * fs->data_rows)
            return i;
    }
    return -1;
}

/* A run stopped by the reject limit: its rejects go to a file for the
 * bureau (rejects-stopped.csv in --out, beside the previous run, which
 * stays as it was); the message names it and quotes the first reason
 * with ID numbers masked. */
static int stop_for_rejects(struct pipeline *p, int fi, struct err *e)
{
    const struct filestat *fs = &p->d.files[fi];
    const struct reject *r0 = fs->rejects.v;
    long long rej = (long long)fs->rejects.n;
    char first[512], where[1200] = "";
    idmask_text(r0[0].reason, first, sizeof first);
    long long line0 = r0[0].line;
    if (p->out) {
        struct err we;
        err_init(&we);
        int st = out_begin(p->out, &we);
        if (st == E_OK)
            st = write_rejects_as(p->out, output_file_names[OF_REJECTS_STOPPED], &p->d, &we);
        if (st == E_OK)
            st = out_place(p->out, output_file_names[OF_REJECTS_STOPPED], &we);
        out_abort(p->out);
        if (st == E_OK)
            snprintf(where, sizeof where, "; all rejected rows are in %s/rejects-stopped.csv "
                                          "(for the bureau only: it holds full ID numbers)",
                     p->out->dir);
        else
            snprintf(where, sizeof where, "; the rejected rows could not be kept (%s)",
                     we.msg);
    }
    err_where(e, fs->path, 0, 0);
    return ERR(e, E_DATA,
               "%lld of %lld data rows rejected (%.2f%%), over the limit of %.2f%% set in the "
               "rules; first: line %lld: %s. Nothing was published%s. Fix the feed or raise "
               "[input] reject_limit",
               rej, fs->data_rows, 100.0 * (double)rej / (double)fs->data_rows,
               100.0 * (double)p->pol.reject_limit.num / (double)p->pol.reject_limit.den,
               line0, first, where);
}

int pipeline_finish_load(struct pipeline *p, struct err *e)
{
    double t = pipeline_now_ms();
    int st = normalise_finish(&p->nz, e);
    if (st == E_OK)   /* when hukou.csv came before the candidates (run --pg) */
        st = prune_hukou(p, 0, e);
    if (st != E_OK)
        return st;
    for (int f = 0; f < N_INPUT; f++) {
        struct filestat *fs = &p->d.files[f];
        fs->accepted = fs->data_rows - (long long)fs->rejects.n - fs->dropped_dupes;
    }
    p->stage_ms[ST_LOAD] += pipeline_now_ms() - t;
    progress(p, "sort and merge repeated rows", -1, pipeline_now_ms() - t);
    int fi = over_reject_limit(&p->d, &p->pol);
    return fi < 0 ? E_OK : stop_for_rejects(p, fi, e);
}

/* Feeds that look incomplete stop the run before anything is judged. */
int pipeline_check_feeds(struct pipeline *p, const unsigned char *si_seen, struct err *e)
{
    if (p->prev_rows.note[0])
        fprintf(stderr, "hedui: warning: %s\n", p->prev_rows.note);
    int last = date_month(p->cfg.as_of) - 1;   /* the income window */
    int first = last - p->pol.income_months + 1;
    unsigned char seen[NORMALISE_MAX_MONTHS];     /* window_months is 1..120 (policy.c) */
    if (si_seen)
        memcpy(seen, si_seen, sizeof seen);
    else if (p->pr)
        partrun_si_months(p->pr, seen);
    else if (p->nz.keep_months)   /* as read, not as kept (keep_persons leaves rows out) */
        memcpy(seen, p->nz.si_seen, sizeof seen);
    else
        feedcheck_si_months(p->d.si.v, p->d.si.n, first, last, seen);
    struct feedcheck_in in = {p->d.files, first, last, seen, &p->prev_rows,
                              p->pol.feed_drop_limit, p->cfg.accept_drop};
    return feedcheck_run(&in, &p->fc, e);
}

int pipeline_judge(struct judge *jg, struct err *e)
{
    double t = pipeline_now_ms();
    memset(&jg->ec, 0, sizeof jg->ec);
    jg->join_ms = jg->eval_ms = 0;
    int st = join_build(jg->jn, jg->d, JOIN_GROUPED, e);
    if (st == E_OK)
        st = calendar_build(jg->cal, jg->d->holidays.v, jg->d->holidays.n, e);
    jg->join_ms = pipeline_now_ms() - t;
    if (st != E_OK)
        return st;
    t = pipeline_now_ms();
    jg->ec.d = jg->d;
    jg->ec.j = jg->jn;
    jg->ec.p = jg->pol;
    jg->ec.cal = jg->cal;
    jg->ec.as_of = jg->as_of;
    memcpy(jg->ec.have, jg->have, sizeof jg->ec.have);
    st = jg->ex && jg->ex->only ? E_OK
         : jg->prog ? vm_run(&jg->ec, jg->prog, jg->er, e)
                    : vm_run_dir(&jg->ec, jg->rules_dir, jg->er, e);
    if (st == E_OK && jg->ex) {   /* explain: the same context, traced (explain.h) */
        if (!jg->ex->rules_dir)
            jg->ex->rules_dir = jg->rules_dir;   /* NULL: pol's, as vm_run_dir */
        st = explain_run(&jg->ec, jg->ex, e);
    }
    jg->eval_ms = pipeline_now_ms() - t;
    return st;
}

/* --memory-limit: pipeline_judge on one batch of partitions at a time,
 * their flags gathered and sorted as vm_run() sorts them
 * (engine/partrun.h); the temporary files go before anything is written. */
static int judge_partitioned(struct pipeline *p, struct judge *jg0, struct err *e)
{
    int nb = 0;
    int st = partrun_batches(p->pr, &nb, e);
    if (st == E_OK && p->cfg.progress) {
        char what[200];
        partrun_describe(p->pr, what, sizeof what);
        fprintf(stderr, "hedui: %s\n", what);
    }
    struct judged_by by;
    memset(&by, 0, sizeof by);
    for (int k = 0; k < nb && st == E_OK; k++) {
        struct dataset dp;
        struct join jn;
        struct calendar cal;
        struct eval_result er;
        memset(&jn, 0, sizeof jn);
        memset(&cal, 0, sizeof cal);
        memset(&er, 0, sizeof er);
        st = partrun_batch_load(p->pr, k, &dp, e);
        struct judge jg = *jg0;
        jg.d = &dp;
        jg.jn = &jn;
        jg.cal = &cal;
        jg.er = &er;
        if (st == E_OK)
            st = pipeline_judge(&jg, e);
        if (st == E_OK && k == 0)
            by = er.by;   /* which policy judged (the same for every batch) */
        if (st == E_OK)
            st = partrun_gather(p->pr, &er, e);
        if (st == E_OK && p->cfg.progress)
            fprintf(stderr, "hedui: judge batch %d of %d: %zu households, %zu flags, %.0f ms, "
                            "resident %zu MB, peak %lld MB\n", k + 1, nb, dp.households.n,
                    er.n_flags, jg.join_ms + jg.eval_ms, partrun_rss_now() >> 20,
                    pipeline_peak_rss_kb() >> 10);
        jg0->join_ms += jg.join_ms;
        jg0->eval_ms += jg.eval_ms;
        eval_result_free(&er);
        calendar_free(&cal);
        join_free(&jn);
        partrun_batch_free(p->pr, &dp);
    }
    if (st == E_OK)
        st = partrun_result(p->pr, jg0->er, e);
    if (st == E_OK)
        jg0->er->by = by;
    partrun_free(p->pr);
    p->pr = NULL;
    return st;
}

int pipeline_evaluate(struct pipeline *p, struct err *e)
{
    int st = pipeline_check_feeds(p, NULL, e);   /* feeds that look incomplete: nothing judged */
    if (st != E_OK)
        return st;
    struct judge jg;
    memset(&jg, 0, sizeof jg);
    jg.d = &p->d;
    jg.pol = &p->pol;
    jg.rules_dir = p->cfg.rules_dir;
    jg.as_of = p->cfg.as_of;
    jg.jn = &p->jn;
    jg.cal = &p->cal;
    jg.er = &p->er;
    for (int f = 0; f < N_INPUT; f++)
        jg.have[f] = p->d.files[f].present;
    st = p->pr ? judge_partitioned(p, &jg, e) : pipeline_judge(&jg, e);
    p->stage_ms[ST_JOIN] = jg.join_ms;
    p->stage_ms[ST_EVAL] = jg.eval_ms;
    return st == E_OK ? pipeline_rank(p, e) : st;
}

int pipeline_rank(struct pipeline *p, struct err *e)
{
    const char *why[N_INPUT];
    for (int f = 0; f < N_INPUT; f++)
        why[f] = p->d.files[f].present ? NULL : "absent";
    rule_skip_notes(&p->skip, why);
    progress(p, "index and join", -1, p->stage_ms[ST_JOIN]);
    progress(p, "evaluate rules (households)", (long long)p->d.households.n,
             p->stage_ms[ST_EVAL]);
    /* never a silent pass: said even with --quiet when there are any */
    if (p->cfg.progress || p->er.n_no_std_households || p->er.n_no_std_candidates) {
        char asof[11];
        date_format(p->cfg.as_of, asof);
        fprintf(stderr, "hedui: no standard in force on %s for %zu households and %zu "
                        "candidates: the rules that need a standard are not judged for them "
                        "(listed in manifest.json, no_standard)\n",
                asof, p->er.n_no_std_households, p->er.n_no_std_candidates);
    }
    free(p->nostd);
    if (nostd_by_region(&p->d, &p->er, &p->nostd, &p->n_nostd) != 0)
        return ERR(e, E_NOMEM, "out of memory while grouping the households without a standard");

    double t = pipeline_now_ms();
    int st = E_OK;
    if (p->rv && (st = review_mark(p->rv, &p->er, e)) != E_OK)
        return st;
    st = rank_build(&p->d, &p->pol, &p->er, p->cfg.as_of, p->cfg.seed, &p->rk, e);
    p->stage_ms[ST_RANK] = pipeline_now_ms() - t;
    return st;
}

void pipeline_summary(const struct pipeline *p, struct run_summary *s)
{
    *s = (struct run_summary){
        .version = HEDUI_VERSION,
        .as_of = p->cfg.as_of,
        .seed = p->cfg.seed,
        .threads = omp_get_max_threads(),
        .policy = &p->pol,
        .rules_dir = p->cfg.rules_dir,
        .d = &p->d,
        .er = &p->er,
        .rk = &p->rk,
        .skipped = p->skip.list,
        .stage_ms = p->stage_ms,
        .stage_names = stage_names,
        .n_stages = N_STAGES,
        .peak_rss_kb = pipeline_peak_rss_kb(),
        .no_std_regions = p->nostd,
        .n_no_std_regions = p->n_nostd,
    };
}

int pipeline_publish_dir(struct pipeline *p, const char *dir, struct err *e)
{
    double t = pipeline_now_ms();
    /* the run's own --out was prepared and locked by pipeline_init; any
     * other directory (a caller without --out: the tests) is prepared here */
    struct outdir local;
    struct outdir *od = p->out;
    int st = E_OK;
    if (!od || !p->cfg.out_dir || strcmp(dir, p->cfg.out_dir) != 0) {
        od = &local;
        st = out_prepare(od, dir, p->cfg.data_dir, e);
    }
    if (st == E_OK)
        st = out_begin(od, e);
    if (st == E_OK) {
        /* the flags (with changes), the fingerprints and the ranked lists
         * are different files from different data: written at the same
         * time, each file by one thread, so every file has the same bytes
         * at any thread count (flags.csv is the largest: the other two
         * sections share the second thread); the first error in this
         * fixed order is reported */
        int sst[3] = {E_OK, E_OK, E_OK};
        struct err se[3];
        for (int i = 0; i < 3; i++)
            err_init(&se[i]);
#pragma omp parallel sections
        {
#pragma omp section
            sst[0] = p->rv ? review_write(p->rv, od, &p->er, &se[0])
                           : write_flags(od, &p->er, &se[0]);
#pragma omp section
            if (p->rv)
                sst[1] = review_write_fingerprints(p->rv, od, &p->er, &se[1]);
#pragma omp section
            {
                sst[2] = write_queue(od, &p->rk, &se[2]);
                if (sst[2] == E_OK)
                    sst[2] = write_spot(od, &p->rk, &se[2]);
                if (sst[2] == E_OK)
                    sst[2] = write_rejects(od, &p->d, &se[2]);
            }
        }
        for (int i = 0; i < 3 && st == E_OK; i++)
            if (sst[i] != E_OK) {
                *e = se[i];
                st = sst[i];
            }
    }
    p->stage_ms[ST_WRITE] = pipeline_now_ms() - t;
    p->stage_ms[ST_TOTAL] = pipeline_now_ms() - p->t_start;
    struct run_summary sum;
    pipeline_summary(p, &sum);
    if (st == E_OK) {
        char *manifest = NULL;
        st = write_manifest(od, &sum, p->fc.accepted, p->fc.n_accepted,
                            p->rv ? &manifest : NULL, e);
        if (st == E_OK && p->rv)
            st = report_write_run(&sum, manifest, p->rv, od, e);
        free(manifest);
    }
    if (st == E_OK) {
        st = out_commit(od, e);
        if (st == E_OK && p->rv)
            st = review_record_run(p->rv, &sum, dir, e);
    }
    if (st != E_OK)
        out_abort(od);
    if (od == &local)
        out_release(od);
    if (st == E_OK)
        progress(p, "write outputs", -1, pipeline_now_ms() - t);
    return st;
}

void pipeline_free(struct pipeline *p)
{
    free(p->nostd);
    p->nostd = NULL;
    p->n_nostd = 0;
    partrun_free(p->pr);   /* its temporary files, if the run stopped early */
    p->pr = NULL;
    if (p->out)
        out_release(p->out);
    free(p->out);
    p->out = NULL;
    if (p->state_lock)
        run_lock_release(p->state_lock);
    free(p->state_lock);
    p->state_lock = NULL;
    review_free(p->rv);
    p->rv = NULL;
    ranked_free(&p->rk);
    eval_result_free(&p->er);
    calendar_free(&p->cal);
    join_free(&p->jn);
    normaliser_free(&p->nz);
    personset_free(&p->persons);
    dataset_free(&p->d);
}
