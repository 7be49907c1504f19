/* report_input.c - a struct report_input (report.h) filled from the run
 * being published or from a published run's files (see report_input.h).
 *
 * Owns: what the page lists (a sample of findings: new and resolved ones
 * when the run compared, else those of high or medium severity), the
 * township table, the history rows of published runs.  Never: renders
 * HTML (report.c) or reads a file itself (rundir.c).
 */
#include "audit/report_input.h"

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

/* ---------- a run in memory ---------- */

#define MAX_FINDINGS 300
#define MAX_RESOLVED 100
#define MAX_SPOT 500

int report_write_run(const struct run_summary *s, const struct review *rv, struct outdir *od,
                     struct err *e)
{
    const struct eval_result *er = s->er;
    const struct ranked *rk = s->rk;
    struct report_input ri;
    memset(&ri, 0, sizeof ri);
    ri.tool_version = s->version;
    date_format(s->as_of, ri.as_of);
    snprintf(ri.seed, sizeof ri.seed, "%llu", s->seed);
    ri.rules_version = s->policy->version;
    char path[1300];
    snprintf(path, sizeof path, "%s/manifest.json", od->tmp);
    char *manifest = NULL;
    size_t manifest_len;
    int st0 = fileio_read_all(path, &manifest, &manifest_len, e);   /* written a moment ago */
    if (st0 != E_OK)
        return st0;
    ri.manifest_json = manifest;
    ri.n_flags = (long long)er->n_flags;
    ri.n_queue = (long long)rk->n_queue;
    ri.n_spot = (long long)rk->n_spot;
    ri.compare = rv->compare;
    for (int r = 0; r < N_RULES; r++) {
        ri.rule_count[r] = (long long)er->rule_count[r];
        ri.rule_new[r] = rv->compare ? 0 : -1;
        int sv = s->policy->severity[r];
        ri.rule_severity[r] = sv == SEV_OFF ? "off" : severity_names[sv];
    }
    ri.n_new = rv->n_new;
    ri.n_persisting = rv->n_persisting;
    ri.n_resolved = (long long)rv->n_resolved;
    ri.have_held = rv->state_dir != NULL;
    memcpy(ri.held, rv->n_held, sizeof ri.held);

    int st = E_OK;
    struct town_map tm = {0};
    struct rep_finding *fs = calloc(MAX_FINDINGS + MAX_RESOLVED, sizeof *fs);
    struct rep_spot *sp = calloc(MAX_SPOT, sizeof *sp);
    struct history_row *hist = malloc((rv->n_hist + 1) * sizeof *hist);
    if (!fs || !sp || !hist)
        st = ERR(e, E_NOMEM, "out of memory while writing the report");
    size_t nf = 0;
    for (size_t i = 0; st == E_OK && i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        struct rep_town *t = town_get(&tm, g->region);
        if (!t) {
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
            break;
        }
        t->flags++;
        int serious = g->severity == SEV_HIGH || g->severity == SEV_MEDIUM;
        t->serious += serious;
        int is_new = rv->compare && rv->change[i] == CH_NEW;
        if (is_new)
            ri.rule_new[g->rule]++;
        int list = rv->compare ? is_new : serious;
        if (list) {
            ri.findings_total++;
            if (nf < MAX_FINDINGS) {
                struct rep_finding *x = &fs[nf++];
                x->change = rv->compare ? change_names[rv->change[i]] : "";
                x->rule_id = rule_names[g->rule];
                x->severity = severity_names[g->severity];
                x->household_id = g->household_id;
                x->hukou_no = g->hukou_no;
                x->id_no = g->id_no;
                x->region = g->region;
                x->evidence = g->evidence;
                x->disposition = outcome_names[rv->outcome[i]];
            }
        }
    }
    ri.findings_title = rv->compare ? "New findings since the previous run, and resolved ones"
                                    : "Findings of high or medium severity";
    for (size_t j = 0; st == E_OK && rv->compare && j < rv->n_resolved && j < MAX_RESOLVED; j++) {
        const struct prev_flag *pf = &rv->prev[rv->resolved[j]];
        struct rep_finding *x = &fs[nf++];
        x->change = "resolved";
        x->rule_id = pf->rule_id;
        x->severity = pf->severity;
        x->household_id = pf->household_id;
        x->hukou_no = pf->hukou_no;
        x->id_no = pf->id_no;
        x->region = pf->region;
        x->evidence = pf->evidence;
        x->disposition = "";
    }
    if (rv->compare)
        ri.findings_total += (long long)rv->n_resolved;
    /* queue per township (the queue is sorted by township) */
    for (size_t i = 0; st == E_OK && i < rk->n_queue; i++) {
        struct rep_town *t = town_get(&tm, rk->queue[i].township);
        if (!t)
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
        else
            t->queue++;
    }
    size_t ns = 0;
    for (size_t i = 0; st == E_OK && i < rk->n_spot && ns < MAX_SPOT; i++) {
        const struct spot_row *row = &rk->spot[i];
        sp[ns].township = row->township;
        sp[ns].program = program_names[row->program];
        sp[ns].household_id = row->household_id;
        sp[ns].reason = row->reason;
        ns++;
    }
    if (st == E_OK) {
        town_list(&tm);
        ri.towns = tm.v;
        ri.n_towns = tm.n;
        ri.findings = fs;
        ri.n_findings = nf;
        ri.spot = sp;
        ri.n_spot_rows = ns;
        size_t nh = 0;
        if (rv->state_dir) {
            if (rv->n_hist)
                memcpy(hist, rv->hist, rv->n_hist * sizeof *hist);
            nh = rv->n_hist;
        }
        review_current_row(rv, s, &hist[nh++]);
        ri.hist = hist;
        ri.n_hist = nh;
        FILE *f = out_open(od, output_file_names[OF_REPORT], e);
        if (!f)
            st = e->code;
        else {
            report_html(f, &ri);
            st = out_close(f, od, output_file_names[OF_REPORT], e);
        }
    }
    free(manifest);
    free(tm.v);
    free(fs);
    free(sp);
    free(hist);
    return st;
}

/* ---------- a published run ---------- */

static int rule_index(const char *name)
{
    for (int r = 0; r < N_RULES; r++)
        if (strcmp(rule_names[r], name) == 0)
            return r;
    return -1;
}

static int is_serious(const char *severity)
{
    return strcmp(severity, "high") == 0 || strcmp(severity, "medium") == 0;
}

static void finding_of(struct rep_finding *x, const char *change, const char *rule_id,
                       const char *severity, const char *household_id, const char *hukou_no,
                       const char *id_no, const char *region, const char *evidence,
                       const char *disposition)
{
    *x = (struct rep_finding){change, rule_id, severity, household_id, hukou_no, id_no,
                              region, evidence, disposition};
}

int report_from_published(struct report_build *b, const struct rundir *rd, struct err *e)
{
    memset(b, 0, sizeof *b);
    struct report_input *ri = &b->ri;
    struct town_map tm = {0};
    b->findings = calloc(MAX_FINDINGS + MAX_RESOLVED, sizeof *b->findings);
    b->spot = calloc(MAX_SPOT, sizeof *b->spot);
    if (!b->findings || !b->spot)
        return ERR(e, E_NOMEM, "out of memory while writing the report");
    ri->manifest_json = rd->m.text;
    snprintf(ri->as_of, sizeof ri->as_of, "%s", rd->m.as_of);
    snprintf(ri->seed, sizeof ri->seed, "%s", rd->m.seed);
    ri->rules_version = rd->m.rules_version[0] ? rd->m.rules_version : "?";
    ri->compare = rd->flags_have_change;
    for (int r = 0; r < N_RULES; r++) {
        ri->rule_new[r] = ri->compare ? 0 : -1;
        ri->rule_severity[r] = "";
    }
    int st = E_OK;
    size_t nf = 0;
    for (size_t i = 0; st == E_OK && i < rd->n_flags; i++) {
        const struct run_flag *g = &rd->flags[i];
        int r = rule_index(g->rule_id);
        int serious = is_serious(g->severity);
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
        t->serious += serious;
        int is_new = ri->compare && strcmp(g->change, "new") == 0;
        if (ri->compare) {
            if (is_new) {
                ri->n_new++;
                if (r >= 0)
                    ri->rule_new[r]++;
            } else {
                ri->n_persisting++;
            }
        }
        if (ri->compare ? is_new : serious) {
            ri->findings_total++;
            if (nf < MAX_FINDINGS)
                finding_of(&b->findings[nf++], ri->compare ? "new" : "", g->rule_id,
                           g->severity, g->household_id, g->hukou_no, g->id_no, g->region,
                           g->evidence, "");
        }
    }
    /* changes.csv: the resolved findings and the verdicts in force */
    if (ri->compare && rd->have_changes) {
        ri->have_held = 1;
        size_t nres = 0;
        for (size_t i = 0; i < rd->n_changes; i++) {
            const struct run_change *c = &rd->changes[i];
            if (strcmp(c->change, "resolved") != 0) {
                int oc = outcome_parse(c->disposition);
                ri->held[oc < 0 ? OC_NONE : oc]++;
                continue;
            }
            ri->n_resolved++;
            ri->findings_total++;
            if (nres < MAX_RESOLVED) {
                nres++;
                finding_of(&b->findings[nf++], "resolved", c->rule_id, c->severity,
                           c->household_id, c->hukou_no, c->id_no, c->region, c->evidence,
                           c->disposition);
            }
        }
    }
    ri->findings_title = ri->compare ? "New findings since the previous run, and resolved ones"
                                     : "Findings of high or medium severity";
    for (size_t i = 0; st == E_OK && i < rd->n_queue; i++) {
        struct rep_town *t = town_get(&tm, rd->queue[i].township);
        if (!t)
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
        else
            t->queue++;
    }
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
    for (int r = 0; r < N_RULES; r++)
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
    free(b->towns);
    free(b->findings);
    free(b->spot);
    memset(b, 0, sizeof *b);
}
