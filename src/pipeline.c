/* pipeline.c - wiring of the stages for one run (see pipeline.h).
 *
 * Owns: the order of the stages, the per-file row accounting, the reject
 * limit check, progress lines and stage timings.  Never interprets a value
 * or a rule itself; never prints errors (main.c does) and never exits.
 */
#include "pipeline.h"

#include <omp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "base/date.h"
#include "audit/report.h"
#include "audit/review.h"
#include "engine/vm.h"
#include "out/write.h"

const char *const stage_names[N_STAGES] = {"load_ms", "index_join_ms", "evaluate_ms",
                                           "rank_ms", "write_ms", "total_ms"};

const int input_optional[N_INPUT] = {[IN_BUSINESS] = 1, [IN_PUBSERV] = 1, [IN_STAFFREL] = 1,
                                     [IN_CANDIDATES] = 1, [IN_STANDARDS] = 2,
                                     [IN_HOLIDAYS] = 2};

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

int pipeline_init(struct pipeline *p, const struct run_config *cfg, struct err *e)
{
    memset(p, 0, sizeof *p);
    p->cfg = *cfg;
    p->t_start = pipeline_now_ms();
    dataset_init(&p->d);
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
    snprintf(path, sizeof path, "%s/policy.rules", cfg->rules_dir);
    int st = policy_load(&p->pol, path, e);
    if (st == E_OK && cfg->auditor_outputs)
        st = review_open(&p->rv, cfg->previous_dir, cfg->state_dir, e);
    if (st != E_OK)
        return st;
    st = normaliser_init(&p->nz, &p->d, cfg->as_of, e);
    if (st == E_OK && cfg->si_window_only) {
        /* the months evaluate_evidenced_sum() reads */
        int last = date_month(cfg->as_of) - 1;
        normaliser_keep_months(&p->nz, last - p->pol.income_months + 1, last);
    }
    return st;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int after_file(struct pipeline *p, enum input_file f, double t1, struct err *e)
{
    const struct filestat *fs = &p->d.files[f];
    if (fs->from_rules && fs->rejects.n > 0) {
        const struct reject *r0 = fs->rejects.v;
        err_where(e, fs->path, r0[0].line, 0);
        return ERR(e, E_CONFIG, "the policy table has a bad row: %s", r0[0].reason);
    }
    char label[64];
    snprintf(label, sizeof label, "load %s", input_file_names[f]);
    progress(p, label, fs->data_rows, pipeline_now_ms() - t1);
    return E_OK;
}

int pipeline_load_dir(struct pipeline *p, struct err *e)
{
    double t = pipeline_now_ms();
    char path[4600];
    for (int f = 0; f < N_INPUT; f++) {
        snprintf(path, sizeof path, "%s/%s", p->cfg.data_dir, input_file_names[f]);
        int from_rules = 0;
        if (!file_exists(path)) {
            if (input_optional[f] == 1)
                continue;
            if (input_optional[f] == 2) {
                snprintf(path, sizeof path, "%s/%s", p->cfg.rules_dir, input_file_names[f]);
                from_rules = 1;
            }
        }
        enum enc want = p->cfg.enc_file[f] ? p->cfg.enc_file[f] : p->cfg.enc_all;
        double t1 = pipeline_now_ms();
        int st = normalise_file(&p->nz, (enum input_file)f, path, want, e);
        p->d.files[f].from_rules = from_rules;
        if (st == E_NOINPUT) {
            err_init(e);
            return ERR(e, E_NOINPUT,
                       "required input %s is missing (looked for %s); see 'hedui run --help' "
                       "for the files a run needs", input_file_names[f], path);
        }
        if (st != E_OK)
            return st;
        if ((st = after_file(p, (enum input_file)f, t1, e)) != E_OK)
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
    enum enc want = p->cfg.enc_file[f] ? p->cfg.enc_file[f] : p->cfg.enc_all;
    int st = normalise_file(&p->nz, f, path, want, e);
    p->d.files[f].from_rules = from_rules;
    if (st == E_OK)
        st = after_file(p, f, t1, e);
    p->stage_ms[ST_LOAD] += pipeline_now_ms() - t1;
    return st;
}

/* rejected / data_rows > num / den for some file? */
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

int pipeline_finish_load(struct pipeline *p, struct err *e)
{
    double t = pipeline_now_ms();
    int st = normalise_finish(&p->nz, e);
    if (st != E_OK)
        return st;
    for (int f = 0; f < N_INPUT; f++) {
        struct filestat *fs = &p->d.files[f];
        fs->accepted = fs->data_rows - (long long)fs->rejects.n - fs->dropped_dupes;
    }
    p->stage_ms[ST_LOAD] += pipeline_now_ms() - t;
    progress(p, "sort and merge repeated rows", -1, pipeline_now_ms() - t);
    return check_reject_limit(&p->d, &p->pol, e);
}

int pipeline_evaluate(struct pipeline *p, struct err *e)
{
    double t = pipeline_now_ms();
    int st = join_build(&p->jn, &p->d, JOIN_GROUPED, e);
    if (st == E_OK)
        st = calendar_build(&p->cal, p->d.holidays.v, p->d.holidays.n, e);
    if (st != E_OK)
        return st;
    p->stage_ms[ST_JOIN] = pipeline_now_ms() - t;
    progress(p, "index and join", -1, p->stage_ms[ST_JOIN]);

    t = pipeline_now_ms();
    struct eval_ctx ec = {&p->d, &p->jn, &p->pol, &p->cal, p->cfg.as_of, {0}};
    int n_skipped = 0;
    for (int f = 0; f < N_INPUT; f++)
        ec.have[f] = p->d.files[f].present;
    if (!ec.have[IN_BUSINESS])
        p->skipped[n_skipped++] = "E07_BUSINESS: business.csv absent";
    if (!ec.have[IN_PUBSERV])
        p->skipped[n_skipped++] = "E08_PUBLIC_SERVANT: public_servants.csv absent";
    if (!ec.have[IN_STAFFREL])
        p->skipped[n_skipped++] = "E12_STAFF_RELATIVE: staff_relatives.csv absent";
    if (!ec.have[IN_CANDIDATES])
        p->skipped[n_skipped++] = "L01_CANDIDATE_ELIGIBLE: candidates.csv absent";
    p->skipped[n_skipped] = NULL;
    const char *ev = getenv("HEDUI_EVAL");   /* hidden: the rules language (engine/vm.h) */
    st = ev && strcmp(ev, "lang") == 0 ? vm_run_dir(&ec, p->cfg.rules_dir, &p->er, e)
                                       : evaluate_run(&ec, &p->er, e);
    if (st != E_OK)
        return st;
    p->stage_ms[ST_EVAL] = pipeline_now_ms() - t;
    progress(p, "evaluate rules (households)", (long long)p->d.households.n,
             p->stage_ms[ST_EVAL]);

    t = pipeline_now_ms();
    if (p->rv && (st = review_mark(p->rv, &p->er, e)) != E_OK)
        return st;
    st = rank_build(&p->d, &p->pol, &p->er, p->cfg.as_of, p->cfg.seed, &p->rk, e);
    p->stage_ms[ST_RANK] = pipeline_now_ms() - t;
    return st;
}

int pipeline_publish_dir(struct pipeline *p, const char *dir, struct err *e)
{
    double t = pipeline_now_ms();
    struct outdir od;
    int st = out_begin(&od, dir, e);
    if (st == E_OK) {
        /* the flags (with fingerprints and changes) and the ranked lists are
         * different files from different data: written at the same time,
         * each file by one thread, so every file has the same bytes at any
         * thread count; the first error in this fixed order is reported */
        int sst[2] = {E_OK, E_OK};
        struct err se[2];
        err_init(&se[0]);
        err_init(&se[1]);
#pragma omp parallel sections
        {
#pragma omp section
            sst[0] = p->rv ? review_write(p->rv, &od, &p->er, &se[0])
                           : write_flags(&od, &p->er, &se[0]);
#pragma omp section
            {
                sst[1] = write_queue(&od, &p->rk, &se[1]);
                if (sst[1] == E_OK)
                    sst[1] = write_spot(&od, &p->rk, &se[1]);
                if (sst[1] == E_OK)
                    sst[1] = write_rejects(&od, &p->d, &se[1]);
            }
        }
        for (int i = 0; i < 2 && st == E_OK; i++)
            if (sst[i] != E_OK) {
                *e = se[i];
                st = sst[i];
            }
    }
    p->stage_ms[ST_WRITE] = pipeline_now_ms() - t;
    p->stage_ms[ST_TOTAL] = pipeline_now_ms() - p->t_start;
    if (st == E_OK) {
        char asof[11];
        date_format(p->cfg.as_of, asof);
        struct manifest_info mi = {HEDUI_VERSION, asof, p->cfg.seed, omp_get_max_threads(),
                                   &p->pol, p->cfg.rules_dir, &p->d, &p->er, &p->rk,
                                   p->skipped, {0}, stage_names, N_STAGES,
                                   pipeline_peak_rss_kb()};
        memcpy(mi.stage_ms, p->stage_ms, sizeof p->stage_ms);
        st = write_manifest(&od, &mi, e);
        if (st == E_OK && p->rv)
            st = report_write_run(p, &od, e);
    }
    if (st == E_OK) {
        static const char *const names[] = {"flags.csv", "review_queue.csv", "spotcheck.csv",
                                            "rejects.csv", "manifest.json"};
        st = out_commit(&od, names, 5, e);
        if (st == E_OK && p->rv)
            st = review_record_run(p->rv, p, dir, e);
    }
    if (st != E_OK)
        out_abort(&od);
    else
        progress(p, "write outputs", -1, pipeline_now_ms() - t);
    return st;
}

void pipeline_free(struct pipeline *p)
{
    review_free(p->rv);
    p->rv = NULL;
    ranked_free(&p->rk);
    eval_result_free(&p->er);
    calendar_free(&p->cal);
    join_free(&p->jn);
    normaliser_free(&p->nz);
    dataset_free(&p->d);
}
