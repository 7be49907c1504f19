/* report_input.c - a struct report_input (report.h) filled from the run
 * being published or from a published run's files (see report_input.h).
 *
 * Owns: what the page lists (the review queue with each household's flags,
 * capped as report_input.h says; the first resolved findings; the first
 * rows of the sample), the township table, the history rows of published
 * runs.  Never: renders
 * HTML (report.c) or reads a file itself (rundir.c).
 */
#include "audit/report_input.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/date.h"
#include "base/fileio.h"
#include "engine/rank.h"
#include "out/lists.h"

/* ---------- townships ---------- */

static uint64_t town_hash(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

struct town_map {
    struct rep_town *v;
    size_t n, cap;     /* open addressing over v[], cap a power of two */
};

static struct rep_town *town_get(struct town_map *m, const char *region)
{
    if (m->n * 2 >= m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        struct rep_town *nv = calloc(nc, sizeof *nv);
        if (!nv)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->v[i].code[0])
                continue;
            size_t h = (size_t)town_hash(m->v[i].code) & (nc - 1);
            while (nv[h].code[0])
                h = (h + 1) & (nc - 1);
            nv[h] = m->v[i];
        }
        free(m->v);
        m->v = nv;
        m->cap = nc;
    }
    char code[10];
    snprintf(code, sizeof code, "%.9s", region);
    size_t h = (size_t)town_hash(code) & (m->cap - 1);
    while (m->v[h].code[0] && strcmp(m->v[h].code, code) != 0)
        h = (h + 1) & (m->cap - 1);
    if (!m->v[h].code[0]) {
        memcpy(m->v[h].code, code, sizeof code);
        m->n++;
    }
    return &m->v[h];
}

static int cmp_town(const void *a, const void *b)
{
    const struct rep_town *x = a, *y = b;
    if (x->flags != y->flags)
        return x->flags > y->flags ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* Compact the map into a list sorted by flags (descending), then code. */
static void town_list(struct town_map *m)
{
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].code[0])
            m->v[k++] = m->v[i];
    m->n = k;
    if (k > 1)
        qsort(m->v, k, sizeof *m->v, cmp_town);
}

/* ---------- the review queue ---------- */

/* A flag's place against a queue row's key: the household_id, or for a
 * row without one (a candidate) the empty household_id and the hukou_no. */
static int key_cmp(const struct rep_flag *g, const char *hh, const char *hk)
{
    int c = strcmp(g->household_id, hh);
    if (c || hh[0])
        return c;
    return strcmp(g->hukou_no, hk);
}

static int cmp_flag(const void *a, const void *b)
{
    const struct rep_flag *x = a, *y = b;
    int c = strcmp(x->household_id, y->household_id);
    if (!c)
        c = strcmp(x->hukou_no, y->hukou_no);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The rank k that lists at most max of the n rows (ranks 1..k of every
 * township), at least 1; 0 when all n fit. */
static long rank_cap(const struct rep_queue_row *q, size_t n, size_t max, struct err *e,
                     int *st)
{
    if (max == 0 || n <= max)
        return 0;
    size_t *cnt = calloc(n + 2, sizeof *cnt);
    if (!cnt) {
        *st = ERR(e, E_NOMEM, "out of memory while writing the report");
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        cnt[q[i].rank >= 1 && (size_t)q[i].rank <= n ? (size_t)q[i].rank : n + 1]++;
    size_t sum = 0;
    long k = 0;
    for (size_t r = 1; r <= n; r++) {
        if (sum + cnt[r] > max)
            break;
        sum += cnt[r];
        k = (long)r;
    }
    free(cnt);
    return k ? k : 1;
}

/* b->queue holds the whole queue (n rows, queue order) and b->flags every
 * flag of the run (nf, flags.csv order): keep the rows to list (see
 * report_input.h) and point each at its run of flags. */
static int queue_attach(struct report_build *b, size_t n, size_t nf, size_t max, struct err *e)
{
    struct report_input *ri = &b->ri;
    int st = E_OK;
    for (size_t i = 1; i < nf; i++)
        if (cmp_flag(&b->flags[i - 1], &b->flags[i]) > 0) {
            /* not in flags.csv's order (a file sorted by hand?): sort it */
            qsort(b->flags, nf, sizeof *b->flags, cmp_flag);
            break;
        }
    long cap = rank_cap(b->queue, n, max, e, &st);
    if (st != E_OK)
        return st;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct rep_queue_row q = b->queue[i];
        if (cap > 0 && !(q.rank >= 1 && q.rank <= cap))
            continue;
        size_t lo = 0, hi = nf;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (key_cmp(&b->flags[mid], q.household_id, q.hukou_no) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        q.flag0 = lo;
        while (hi < nf && key_cmp(&b->flags[hi], q.household_id, q.hukou_no) == 0)
            hi++;
        q.n_flag = hi - lo;
        b->queue[k++] = q;
    }
    ri->queue.rows = b->queue;
    ri->queue.n_rows = k;
    ri->queue.rank_cap = cap;
    ri->queue.max = max;
    ri->queue.flags = b->flags;
    ri->queue.n_flags = nf;
    ri->queue.n_total = (long long)n;
    return E_OK;
}

static int sev_index(const char *s)
{
    for (int i = 0; i < N_SEV; i++)
        if (strcmp(severity_names[i], s) == 0)
            return i;
    return -1;
}

/* ---------- a run in memory ---------- */

#define MAX_RESOLVED 300
#define MAX_SPOT 500

int report_write_run(const struct run_summary *s, const char *manifest_json,
                     const struct review *rv, struct outdir *od, struct err *e)
{
    const struct eval_result *er = s->er;
    const struct ranked *rk = s->rk;
    struct report_build b;
    memset(&b, 0, sizeof b);
    struct report_input *ri = &b.ri;
    ri->tool_version = s->version;
    date_format(s->as_of, ri->as_of);
    snprintf(ri->seed, sizeof ri->seed, "%llu", s->seed);
    ri->rules_version = s->policy->version;
    int st = E_OK;
    ri->manifest_json = manifest_json;   /* the bytes just published, not read back */
    ri->n_flags = (long long)er->n_flags;
    ri->n_queue = (long long)rk->n_queue;
    ri->n_spot = (long long)rk->n_spot;
    ri->compare = rv->compare;
    for (int r = 0; r < n_rules; r++) {
        ri->rule_count[r] = (long long)er->rule_count[r];
        ri->rule_new[r] = rv->compare ? 0 : -1;
        int sv = er->by.severity[r];   /* the policy judged (off: not written or off) */
        ri->rule_severity[r] = sv == SEV_OFF ? "off" : severity_names[sv];
    }
    /* the households and candidates without a standard */
    ri->n_no_std_hh = (long long)er->n_no_std_households;
    ri->n_no_std_cand = (long long)er->n_no_std_candidates;
    ri->no_std_regions = s->no_std_regions;
    ri->n_no_std_regions = s->n_no_std_regions;
    size_t hh_shown = er->n_no_std_households < NOSTD_SHOWN ? er->n_no_std_households
                                                             : NOSTD_SHOWN;
    size_t cand_shown = er->n_no_std_candidates < NOSTD_SHOWN ? er->n_no_std_candidates
                                                             : NOSTD_SHOWN;
    b.nostd_ids = malloc((hh_shown ? hh_shown : 1) * sizeof *b.nostd_ids);
    b.nostd_lines = malloc((cand_shown ? cand_shown : 1) * sizeof *b.nostd_lines);
    if (!b.nostd_ids || !b.nostd_lines) {
        report_build_free(&b);
        return ERR(e, E_NOMEM, "out of memory while writing the report");
    }
    for (size_t i = 0; i < hh_shown; i++)
        b.nostd_ids[i] =
            VEC_AT(s->d->households, struct household, er->no_std_households[i]).id;
    for (size_t i = 0; i < cand_shown; i++)
        b.nostd_lines[i] =
            VEC_AT(s->d->candidates, struct candidate, er->no_std_candidates[i]).line;
    ri->no_std_hh = b.nostd_ids;
    ri->n_no_std_hh_shown = hh_shown;
    ri->no_std_cand_lines = b.nostd_lines;
    ri->n_no_std_cand_shown = cand_shown;
    ri->n_new = rv->n_new;
    ri->n_persisting = rv->n_persisting;
    ri->n_resolved = (long long)rv->n_resolved;
    ri->have_held = rv->state_dir != NULL;
    memcpy(ri->held, rv->n_held, sizeof ri->held);

    struct town_map tm = {0};
    b.findings = calloc(MAX_RESOLVED, sizeof *b.findings);
    b.spot = calloc(MAX_SPOT, sizeof *b.spot);
    b.flags = malloc((er->n_flags ? er->n_flags : 1) * sizeof *b.flags);
    b.queue = malloc((rk->n_queue ? rk->n_queue : 1) * sizeof *b.queue);
    struct history_row *hist = malloc((rv->n_hist + 1) * sizeof *hist);
    if (!b.findings || !b.spot || !b.flags || !b.queue || !hist)
        st = ERR(e, E_NOMEM, "out of memory while writing the report");
    for (size_t i = 0; st == E_OK && i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        struct rep_town *t = town_get(&tm, g->region);
        if (!t) {
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
            break;
        }
        t->flags++;
        t->serious += g->severity == SEV_HIGH || g->severity == SEV_MEDIUM;
        if (rv->compare && rv->change[i] == CH_NEW)
            ri->rule_new[g->rule]++;
        b.flags[i] = (struct rep_flag){
            .rule = g->rule, .rule_id = rule_names[g->rule], .severity = g->severity,
            .change = rv->compare ? rv->change[i] : -1, .outcome = rv->outcome[i],
            .household_id = g->household_id, .hukou_no = g->hukou_no, .id_no = g->id_no,
            .evidence = g->evidence, .seq = i};
    }
    size_t nf = 0;
    for (size_t j = 0; st == E_OK && rv->compare && j < rv->n_resolved && j < MAX_RESOLVED; j++) {
        const struct prev_flag *pf = &rv->prev[rv->resolved[j]];
        b.findings[nf++] = (struct rep_finding){"resolved", pf->rule_id, pf->severity,
                                                pf->household_id, pf->hukou_no, pf->id_no,
                                                pf->region, pf->evidence, ""};
    }
    ri->findings_total = rv->compare ? (long long)rv->n_resolved : 0;
    /* the queue (sorted by township, then rank), and its count per township */
    for (size_t i = 0; st == E_OK && i < rk->n_queue; i++) {
        const struct queue_row *q = &rk->queue[i];
        struct rep_town *t = town_get(&tm, q->township);
        if (!t) {
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
            break;
        }
        t->queue++;
        struct rep_queue_row *x = &b.queue[i];
        memset(x, 0, sizeof *x);
        memcpy(x->township, q->township, sizeof x->township);
        x->rank = q->rank;
        x->score = q->score;
        x->household_id = q->household_id;
        x->hukou_no = q->hukou_no;
    }
    if (st == E_OK)
        st = queue_attach(&b, rk->n_queue, er->n_flags, REPORT_QUEUE_MAX, e);
    size_t ns = 0;
    for (size_t i = 0; st == E_OK && i < rk->n_spot && ns < MAX_SPOT; i++) {
        const struct spot_row *row = &rk->spot[i];
        b.spot[ns++] = (struct rep_spot){row->township, program_names[row->program],
                                         row->household_id, row->reason};
    }
    if (st == E_OK) {
        town_list(&tm);
        b.towns = tm.v;
        tm.v = NULL;
        ri->towns = b.towns;
        ri->n_towns = tm.n;
        ri->findings = b.findings;
        ri->n_findings = nf;
        ri->spot = b.spot;
        ri->n_spot_rows = ns;
        size_t nh = 0;
        if (rv->state_dir) {
            if (rv->n_hist)
                memcpy(hist, rv->hist, rv->n_hist * sizeof *hist);
            nh = rv->n_hist;
        }
        review_current_row(rv, s, &hist[nh++]);
        ri->hist = hist;
        ri->n_hist = nh;
        FILE *f = out_open(od, "report.html", e);
        if (!f)
            st = e->code;
        else {
            report_html(f, ri);
            st = out_close(f, od, "report.html", e);
        }
    }
    free(tm.v);
    free(hist);
    report_build_free(&b);
    return st;
}

/* ---------- a published run ---------- */

static int rule_index(const char *name)
{
    for (int r = 0; r < n_rules; r++)
        if (strcmp(rule_names[r], name) == 0)
            return r;
    return -1;
}

static int is_serious(const char *severity)
{
    return strcmp(severity, "high") == 0 || strcmp(severity, "medium") == 0;
}

/* The verdict in force on each fingerprint, from changes.csv. */
struct fp_outcome {
    uint64_t fp;
    int outcome;
};

static int cmp_fp_outcome(const void *a, const void *b)
{
    const struct fp_outcome *x = a, *y = b;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static int outcome_of(const struct fp_outcome *v, size_t n, uint64_t fp)
{
    if (!fp || !n)
        return OC_NONE;
    struct fp_outcome key = {fp, 0};
    const struct fp_outcome *h = bsearch(&key, v, n, sizeof *v, cmp_fp_outcome);
    return h ? h->outcome : OC_NONE;
}

static long parse_long(const char *s, long bad)
{
    char *end;
    long v = strtol(s, &end, 10);
    return end != s && *end == '\0' ? v : bad;
}

int report_from_published(struct report_build *b, const struct rundir *rd, size_t queue_max,
                          struct err *e)
{
    memset(b, 0, sizeof *b);
    struct report_input *ri = &b->ri;
    struct town_map tm = {0};
    struct fp_outcome *fo = NULL;
    size_t nfo = 0;
    b->findings = calloc(MAX_RESOLVED, sizeof *b->findings);
    b->spot = calloc(MAX_SPOT, sizeof *b->spot);
    b->flags = malloc((rd->n_flags ? rd->n_flags : 1) * sizeof *b->flags);
    b->queue = malloc((rd->n_queue ? rd->n_queue : 1) * sizeof *b->queue);
    if (rd->have_changes)
        fo = malloc((rd->n_changes ? rd->n_changes : 1) * sizeof *fo);
    if (!b->findings || !b->spot || !b->flags || !b->queue || (rd->have_changes && !fo)) {
        free(fo);
        return ERR(e, E_NOMEM, "out of memory while writing the report");
    }
    ri->manifest_json = rd->m.text;
    ri->n_no_std_hh = rd->m.n_no_std_hh;
    ri->n_no_std_cand = rd->m.n_no_std_cand;
    ri->no_std_hh = (const char *const *)rd->m.no_std_hh;
    ri->n_no_std_hh_shown = rd->m.n_no_std_hh_shown;
    ri->no_std_cand_lines = rd->m.no_std_cand_lines;
    ri->n_no_std_cand_shown = rd->m.n_no_std_cand_shown;
    ri->no_std_regions = rd->m.no_std_regions;
    ri->n_no_std_regions = rd->m.n_no_std_regions;
    snprintf(ri->as_of, sizeof ri->as_of, "%s", rd->m.as_of);
    snprintf(ri->seed, sizeof ri->seed, "%s", rd->m.seed);
    ri->rules_version = rd->m.rules_version[0] ? rd->m.rules_version : "?";
    ri->compare = rd->flags_have_change;
    for (int r = 0; r < n_rules; r++) {
        ri->rule_new[r] = ri->compare ? 0 : -1;
        ri->rule_severity[r] = "";
    }
    /* changes.csv: the resolved findings and the verdicts in force */
    size_t nf = 0;
    if (rd->have_changes) {
        ri->have_held = ri->compare;
        for (size_t i = 0; i < rd->n_changes; i++) {
            const struct run_change *c = &rd->changes[i];
            if (strcmp(c->change, "resolved") != 0) {
                int oc = outcome_parse(c->disposition);
                if (oc < 0)
                    oc = OC_NONE;
                ri->held[oc]++;
                fo[nfo++] = (struct fp_outcome){c->fp, oc};
                continue;
            }
            if (!ri->compare)
                continue;
            ri->n_resolved++;
            ri->findings_total++;
            if (nf < MAX_RESOLVED)
                b->findings[nf++] = (struct rep_finding){
                    "resolved", c->rule_id, c->severity, c->household_id, c->hukou_no,
                    c->id_no, c->region, c->evidence, c->disposition};
        }
        if (nfo > 1)
            qsort(fo, nfo, sizeof *fo, cmp_fp_outcome);
    }
    int st = E_OK;
    for (size_t i = 0; st == E_OK && i < rd->n_flags; i++) {
        const struct run_flag *g = &rd->flags[i];
        int r = rule_index(g->rule_id);
        ri->n_flags++;
        if (r >= 0) {
            ri->rule_count[r]++;
            if (!ri->rule_severity[r][0])
                ri->rule_severity[r] = g->severity;
        }
        struct rep_town *t = town_get(&tm, g->region);
        if (!t) {
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
            break;
        }
        t->flags++;
        t->serious += is_serious(g->severity);
        int change = -1;
        if (ri->compare) {
            change = strcmp(g->change, "new") == 0 ? CH_NEW : CH_PERSISTING;
            if (change == CH_NEW) {
                ri->n_new++;
                if (r >= 0)
                    ri->rule_new[r]++;
            } else {
                ri->n_persisting++;
            }
        }
        b->flags[i] = (struct rep_flag){
            .rule = r, .rule_id = g->rule_id, .severity = sev_index(g->severity),
            .change = change, .outcome = outcome_of(fo, nfo, g->fp),
            .household_id = g->household_id, .hukou_no = g->hukou_no, .id_no = g->id_no,
            .evidence = g->evidence, .seq = i};
    }
    free(fo);
    for (size_t i = 0; st == E_OK && i < rd->n_queue; i++) {
        const struct run_queue_row *q = &rd->queue[i];
        struct rep_town *t = town_get(&tm, q->township);
        if (!t) {
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
            break;
        }
        t->queue++;
        struct rep_queue_row *x = &b->queue[i];
        memset(x, 0, sizeof *x);
        snprintf(x->township, sizeof x->township, "%s", q->township);
        x->rank = parse_long(q->rank, LONG_MAX);
        x->score = (int)parse_long(q->score, 0);
        x->household_id = q->household_id;
        x->hukou_no = q->hukou_no;
    }
    if (st == E_OK)
        st = queue_attach(b, rd->n_queue, rd->n_flags, queue_max, e);
    ri->n_queue = (long long)rd->n_queue;
    ri->n_spot = (long long)rd->n_spot;
    size_t ns = 0;
    for (size_t i = 0; i < rd->n_spot && ns < MAX_SPOT; i++, ns++)
        b->spot[ns] = (struct rep_spot){rd->spot[i].township, rd->spot[i].program,
                                        rd->spot[i].household_id, rd->spot[i].reason};
    town_list(&tm);
    b->towns = tm.v;
    ri->towns = tm.v;
    ri->n_towns = tm.n;
    ri->findings = b->findings;
    ri->n_findings = nf;
    ri->spot = b->spot;
    ri->n_spot_rows = ns;
    return st;
}

void report_history_row(const struct rundir *rd, struct history_row *h)
{
    memset(h, 0, sizeof *h);
    snprintf(h->as_of, sizeof h->as_of, "%s", rd->m.as_of);
    h->flags = rd->m.n_flags;
    h->queue = rd->m.n_queue;
    for (int r = 0; r < n_rules; r++)
        h->rule_count[r] = rd->m.rule_count[r];
    h->new_ = h->persisting = h->resolved = h->held = -1;
    if (!rd->have_changes)
        return;
    h->new_ = h->persisting = h->resolved = h->held = 0;
    for (size_t i = 0; i < rd->n_changes; i++) {
        const struct run_change *c = &rd->changes[i];
        int resolved = strcmp(c->change, "resolved") == 0;
        h->new_ += strcmp(c->change, "new") == 0;
        h->persisting += strcmp(c->change, "persisting") == 0;
        h->resolved += resolved;
        h->held += !resolved && c->disposition[0];
    }
}

static int cmp_hist(const void *a, const void *b)
{
    const struct history_row *x = a, *y = b;
    int r = strcmp(x->as_of, y->as_of);
    if (r)
        return r;
    return x->run - y->run;
}

void report_sort_history(struct history_row *h, size_t n)
{
    if (n > 1)
        qsort(h, n, sizeof *h, cmp_hist);
}

void report_build_free(struct report_build *b)
{
    free(b->nostd_ids);
    free(b->nostd_lines);
    free(b->towns);
    free(b->findings);
    free(b->spot);
    free(b->queue);
    free(b->flags);
    memset(b, 0, sizeof *b);
}
