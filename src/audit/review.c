/* review.c - new, persisting and resolved findings, and the verdicts in
 * force (see review.h).
 *
 * Owns: the comparison with the previous run, the held mark, the formats
 * of fingerprints.csv and changes.csv and of flags.csv's two extra
 * columns, what a run records in the state, and `review import`'s steps.
 * Never changes a flag except its fp and held fields; never decides a
 * rule; reads and writes the state's files only through statedir.h.
 */
#include "audit/review.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/rundir.h"
#include "base/date.h"
#include "base/textout.h"
#include "engine/rank.h"
#include "out/lists.h"

const char *const change_names[3] = {"new", "persisting", "resolved"};

static const char *dup_field(struct review *rv, const char *s, struct err *e)
{
    return arena_keep(&rv->arena, s, "reading the review state", e);
}

static int cmp_prev_fp(const void *a, const void *b)
{
    const struct prev_flag *x = a, *y = b;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static const struct disposition *find_disp(const struct review *rv, uint64_t fp)
{
    size_t lo = 0, hi = rv->n_disp;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rv->disp[mid].fp < fp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < rv->n_disp && rv->disp[lo].fp == fp ? &rv->disp[lo] : NULL;
}

static const struct prev_flag *find_prev(const struct prev_flag *v, size_t n, uint64_t fp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].fp < fp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].fp == fp ? &v[lo] : NULL;
}

const struct prev_flag *review_known(const struct review *rv, uint64_t fp)
{
    return find_prev(rv->known, rv->n_known, fp);
}

/* ---------- opening: the previous run and the state ---------- */

/* --previous DIR: its flags.csv, fingerprints from the flags' own column
 * or from fingerprints.csv (rundir.h). */
static int load_previous_dir(struct review *rv, const char *dir, struct err *e)
{
    struct rundir rd;
    int st = rundir_read(&rd, dir, RUN_FLAG_FPS, &rv->arena, e);
    if (st == E_NOINPUT) {
        unsigned missing = rd.missing;
        err_init(e);
        if (missing == RUN_FLAGS)
            st = ERR(e, E_NOINPUT, "--previous %s: no flags.csv there; give the output "
                                   "directory of an earlier 'hedui run' (or leave out "
                                   "--previous on a first run)", dir);
        else
            st = ERR(e, E_NOINPUT, "--previous %s: flags.csv has no fingerprints and there "
                                   "is no fingerprints.csv (a run of an older hedui?)", dir);
    }
    if (st == E_OK) {
        rv->prev = malloc((rd.n_flags ? rd.n_flags : 1) * sizeof *rv->prev);
        if (!rv->prev)
            st = ERR(e, E_NOMEM, "out of memory while reading the previous run");
    }
    for (size_t i = 0; st == E_OK && i < rd.n_flags; i++) {
        const struct run_flag *f = &rd.flags[i];
        rv->prev[i] = (struct prev_flag){f->fp, f->rule_id, f->severity, f->household_id,
                                         f->hukou_no, f->id_no, f->region, f->evidence,
                                         0, 0, "", ""};
    }
    if (st == E_OK) {
        rv->n_prev = rd.n_flags;
        if (rv->n_prev > 1)
            qsort(rv->prev, rv->n_prev, sizeof *rv->prev, cmp_prev_fp);
    }
    rundir_free(&rd);
    return st;
}

/* By fingerprint, then reviewed_on (stored as YYYY-MM-DD, so the bytes
 * compare as the dates do), then import order: the last row of a
 * fingerprint is its verdict in force. */
static int cmp_disp_in_force(const void *a, const void *b)
{
    const struct disp_row *x = a, *y = b;
    if (x->fp != y->fp)
        return x->fp < y->fp ? -1 : 1;
    int r = strcmp(x->fields[3] ? x->fields[3] : "", y->fields[3] ? y->fields[3] : "");
    if (r)
        return r;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The verdict in force for each fingerprint: the one reviewed last
 * (reviewed_on), and of several reviewed that day the one imported last.
 * Import order alone would let an old pack imported late overturn a newer
 * verdict. */
static int dispositions_in_force(struct review *rv, struct disp_row *v, size_t n,
                                 struct err *e)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_disp_in_force);
    rv->disp = malloc((n ? n : 1) * sizeof *rv->disp);
    if (!rv->disp)
        return ERR(e, E_NOMEM, "out of memory while reading dispositions");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && v[i + 1].fp == v[i].fp)
            continue;
        struct disposition *d = &rv->disp[m++];
        d->fp = v[i].fp;
        d->outcome = v[i].outcome;
        d->reviewer = v[i].fields[2];
        d->reviewed_on = v[i].fields[3];
        d->note = v[i].fields[4];
    }
    rv->n_disp = m;
    /* every row, for `review import`'s test of a verdict already stored
     * (capacity a power of two from 64, as push_disp() expects) */
    size_t cap = 64;
    while (cap < n)
        cap *= 2;
    rv->stored = malloc(cap * sizeof *rv->stored);
    if (!rv->stored)
        return ERR(e, E_NOMEM, "out of memory while reading dispositions");
    for (size_t i = 0; i < n; i++)
        rv->stored[i] = (struct disposition){v[i].fp, v[i].outcome, v[i].fields[2],
                                             v[i].fields[3], v[i].fields[4]};
    rv->n_stored = n;
    return E_OK;
}

static int load_state(struct review *rv, const char *dir, struct err *e)
{
    int fd = -1;
    int st = statedir_lock(dir, &fd, e);
    struct disp_row *dv = NULL;
    size_t dn = 0;
    if (st == E_OK)
        st = statedir_read_dispositions(dir, &rv->arena, &dv, &dn, e);
    if (st == E_OK)
        st = dispositions_in_force(rv, dv, dn, e);
    free(dv);
    if (st == E_OK)
        st = statedir_read_findings(dir, &rv->arena, &rv->known, &rv->n_known, e);
    if (st == E_OK)
        st = statedir_read_history(dir, &rv->hist, &rv->n_hist, e);
    statedir_unlock(fd);
    if (st != E_OK)
        return st;
    rv->prev_run = statedir_last_run(rv->known, rv->n_known, rv->hist, rv->n_hist);
    return E_OK;
}

/* ---------- the run ---------- */

int review_open(struct review **out, const char *previous_dir, const char *state_dir,
                struct err *e)
{
    struct review *rv = calloc(1, sizeof *rv);
    if (!rv)
        return ERR(e, E_NOMEM, "out of memory while opening the review state");
    arena_init(&rv->arena, (size_t)1 << 20);
    rv->previous_dir = previous_dir;
    rv->state_dir = state_dir;
    *out = rv;
    int st = E_OK;
    if (state_dir)
        st = load_state(rv, state_dir, e);
    if (st == E_OK && previous_dir) {
        st = load_previous_dir(rv, previous_dir, e);
        rv->compare = 1;
    } else if (st == E_OK && state_dir) {
        /* the previous run is the last run recorded in the state */
        rv->compare = 1;
        rv->prev = malloc((rv->n_known ? rv->n_known : 1) * sizeof *rv->prev);
        if (!rv->prev)
            return ERR(e, E_NOMEM, "out of memory while reading the review state");
        for (size_t i = 0; i < rv->n_known; i++)
            if (rv->known[i].last_run == rv->prev_run)
                rv->prev[rv->n_prev++] = rv->known[i];
    }
    return st;
}

static int cmp_flag_keys(const char *h1, const char *k1, const char *r1, const char *i1,
                         const char *h2, const char *k2, const char *r2, const char *i2)
{
    int r = strcmp(h1, h2);
    if (r)
        return r;
    if ((r = strcmp(k1, k2)))
        return r;
    if ((r = strcmp(r1, r2)))
        return r;
    return strcmp(i1, i2);
}

/* qsort_r: indexes into prev (ctx) by the flags' order, then fingerprint */
static int cmp_resolved(const void *a, const void *b, void *ctx)
{
    const struct prev_flag *prev = ctx;
    const struct prev_flag *x = &prev[*(const size_t *)a];
    const struct prev_flag *y = &prev[*(const size_t *)b];
    int r = cmp_flag_keys(x->household_id, x->hukou_no, x->rule_id, x->id_no, y->household_id,
                          y->hukou_no, y->rule_id, y->id_no);
    if (r)
        return r;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int review_mark(struct review *rv, struct eval_result *er, struct err *e)
{
    size_t n = er->n_flags;
    struct flag *fl = er->flags;
#pragma omp parallel for schedule(static)
    for (long long i = 0; i < (long long)n; i++)
        fl[i].fp = review_fingerprint(&fl[i]);
    rv->n_flags = n;
    rv->change = calloc(n ? n : 1, 1);
    rv->outcome = calloc(n ? n : 1, 1);
    uint64_t *cur = malloc((n ? n : 1) * sizeof *cur);
    rv->resolved = malloc((rv->n_prev ? rv->n_prev : 1) * sizeof *rv->resolved);
    if (!rv->change || !rv->outcome || !cur || !rv->resolved) {
        free(cur);
        return ERR(e, E_NOMEM, "out of memory while comparing with the previous run");
    }
    for (size_t i = 0; i < n; i++) {
        cur[i] = fl[i].fp;
        rv->change[i] = find_prev(rv->prev, rv->n_prev, fl[i].fp) ? CH_PERSISTING : CH_NEW;
        if (rv->change[i] == CH_NEW)
            rv->n_new++;
        else
            rv->n_persisting++;
        const struct disposition *d = find_disp(rv, fl[i].fp);
        rv->outcome[i] = d ? (unsigned char)d->outcome : OC_NONE;
        fl[i].held = d != NULL;
        rv->n_held[rv->outcome[i]]++;
    }
    if (n > 1)
        qsort(cur, n, sizeof *cur, cmp_u64);
    rv->n_resolved = 0;
    for (size_t i = 0; i < rv->n_prev; i++)
        if (!n || !bsearch(&rv->prev[i].fp, cur, n, sizeof *cur, cmp_u64))
            rv->resolved[rv->n_resolved++] = i;
    free(cur);
    if (rv->n_resolved > 1)
        qsort_r(rv->resolved, rv->n_resolved, sizeof *rv->resolved, cmp_resolved, rv->prev);
    return E_OK;
}

struct extra_ctx {
    const struct review *rv;
    const struct eval_result *er;
};

/* flags.csv's two extra columns */
static void flag_extra_cols(FILE *f, size_t i, void *ctx)
{
    const struct extra_ctx *x = ctx;
    char hex[17];
    review_fp_hex(x->er->flags[i].fp, hex);
    csv_put(f, hex, 0);
    csv_put(f, change_names[x->rv->change[i]], 1);
}

void review_fingerprints(FILE *f, const struct eval_result *er)
{
    fputs("fingerprint,rule_id,household_id,hukou_no,id_no\n", f);
    char hex[17];
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        review_fp_hex(g->fp, hex);
        csv_put(f, hex, 0);
        csv_put(f, rule_names[g->rule], 0);
        csv_put(f, g->household_id, 0);
        csv_put(f, g->hukou_no, 0);
        csv_put(f, g->id_no, 1);
    }
}

static void change_row(FILE *f, const char *change, uint64_t fp, const char *rule,
                       const char *sev, const char *hh, const char *hk, const char *id,
                       const char *region, int outcome, const char *evidence)
{
    csv_put(f, change, 0);
    statedir_put_finding(f, fp, rule, sev, hh, hk, id, region);
    csv_put(f, outcome_names[outcome], 0);
    csv_put(f, evidence, 1);
}

void review_changes(FILE *f, const struct review *rv, const struct eval_result *er)
{
    fputs("change,fingerprint,rule_id,severity,household_id,hukou_no,id_no,region_code,"
          "disposition,evidence\n", f);
    /* merge the current flags (sorted) with the resolved ones (sorted the
     * same way); a resolved finding comes before a current one of the same
     * key (the old evidence, then the new) */
    size_t i = 0, j = 0;
    while (i < er->n_flags || j < rv->n_resolved) {
        const struct flag *g = i < er->n_flags ? &er->flags[i] : NULL;
        const struct prev_flag *p = j < rv->n_resolved ? &rv->prev[rv->resolved[j]] : NULL;
        int take_prev = !g;
        if (g && p)
            take_prev = cmp_flag_keys(p->household_id, p->hukou_no, p->rule_id, p->id_no,
                                      g->household_id, g->hukou_no, rule_names[g->rule],
                                      g->id_no) <= 0;
        if (take_prev) {
            const struct disposition *d = find_disp(rv, p->fp);
            change_row(f, "resolved", p->fp, p->rule_id, p->severity, p->household_id,
                       p->hukou_no, p->id_no, p->region, d ? d->outcome : OC_NONE, p->evidence);
            j++;
        } else {
            change_row(f, change_names[rv->change[i]], g->fp, rule_names[g->rule],
                       severity_names[g->severity], g->household_id, g->hukou_no, g->id_no,
                       g->region, rv->outcome[i], g->evidence);
            i++;
        }
    }
}

void review_flags(FILE *f, const struct review *rv, const struct eval_result *er)
{
    struct extra_ctx x = {rv, er};
    if (rv->compare)
        lists_flags(f, er, ",fingerprint,change", flag_extra_cols, &x);
    else
        lists_flags(f, er, NULL, NULL, NULL);
}

/* One of review_write's files into od. */
static int write_file(const struct review *rv, struct outdir *od, const struct eval_result *er,
                      const char *name, void (*render)(FILE *f, const struct review *rv,
                                                       const struct eval_result *er),
                      struct err *e)
{
    FILE *f = out_open(od, name, e);
    if (!f)
        return e->code;
    render(f, rv, er);
    return out_close(f, od, name, e);
}

static void fingerprints_of(FILE *f, const struct review *rv, const struct eval_result *er)
{
    (void)rv;
    review_fingerprints(f, er);
}

int review_write(struct review *rv, struct outdir *od, const struct eval_result *er,
                 struct err *e)
{
    int st = write_file(rv, od, er, output_file_names[OF_FLAGS], review_flags, e);
    if (st == E_OK && rv->compare)
        st = write_file(rv, od, er, output_file_names[OF_CHANGES], review_changes, e);
    return st;
}

int review_write_fingerprints(struct review *rv, struct outdir *od,
                              const struct eval_result *er, struct err *e)
{
    return write_file(rv, od, er, output_file_names[OF_FINGERPRINTS], fingerprints_of, e);
}

void review_current_row(const struct review *rv, const struct run_summary *s,
                        struct history_row *h)
{
    memset(h, 0, sizeof *h);
    h->run = rv->state_dir ? rv->prev_run + 1 : 0;   /* numbered by the state only */
    date_format(s->as_of, h->as_of);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(h->finished_at, sizeof h->finished_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    h->flags = (long long)s->er->n_flags;
    h->new_ = rv->compare ? rv->n_new : -1;
    h->persisting = rv->compare ? rv->n_persisting : -1;
    h->resolved = rv->compare ? (long long)rv->n_resolved : -1;
    h->queue = (long long)s->rk->n_queue;
    h->held = rv->state_dir ? 0 : -1;
    for (int i = 1; i < N_OUTCOMES && rv->state_dir; i++)
        h->held += rv->n_held[i];
    for (int i = 0; i < n_rules; i++)
        h->rule_count[i] = (long long)s->er->rule_count[i];
    for (int f = 0; f < N_INPUT; f++) {
        const struct filestat *fs = &s->d->files[f];
        h->data_rows[f] = fs->present && !fs->from_rules ? fs->data_rows : -1;
    }
}

/* ---------- recording a run in the state ---------- */

/* qsort_r: flag indexes by the fingerprint of ctx's flags */
static int cmp_flag_idx_fp(const void *a, const void *b, void *ctx)
{
    const struct flag *fl = ctx;
    uint64_t x = fl[*(const size_t *)a].fp, y = fl[*(const size_t *)b].fp;
    return x < y ? -1 : x > y;
}

int review_record_run(struct review *rv, const struct run_summary *s, const char *out_dir,
                      struct err *e)
{
    if (!rv->state_dir)
        return E_OK;
    int fd = -1;
    int st = statedir_lock(rv->state_dir, &fd, e);
    if (st != E_OK)
        return st;
    /* re-read under the lock: the state as it is now */
    struct review now;
    memset(&now, 0, sizeof now);
    arena_init(&now.arena, (size_t)1 << 20);
    st = statedir_read_findings(rv->state_dir, &now.arena, &now.known, &now.n_known, e);
    if (st == E_OK)
        st = statedir_read_history(rv->state_dir, &now.hist, &now.n_hist, e);
    size_t *order = NULL;
    struct history_row *rows = NULL;
    if (st == E_OK) {
        int run = statedir_last_run(now.known, now.n_known, now.hist, now.n_hist) + 1;
        size_t n = s->er->n_flags;
        order = malloc((n ? n : 1) * sizeof *order);
        rows = malloc((now.n_hist + 1) * sizeof *rows);
        if (!order || !rows) {
            st = ERR(e, E_NOMEM, "out of memory while recording the run");
        } else {
            for (size_t i = 0; i < n; i++)
                order[i] = i;
            if (n > 1)
                qsort_r(order, n, sizeof *order, cmp_flag_idx_fp, s->er->flags);
            char as_of[11];
            date_format(s->as_of, as_of);
            st = statedir_write_findings(rv->state_dir, now.known, now.n_known, s->er, order,
                                         run, as_of, e);
            if (st == E_OK) {
                if (now.n_hist)
                    memcpy(rows, now.hist, now.n_hist * sizeof *rows);
                review_current_row(rv, s, &rows[now.n_hist]);
                rows[now.n_hist].run = run;
                st = statedir_write_history(rv->state_dir, rows, now.n_hist + 1, e);
            }
        }
    }
    free(order);
    free(rows);
    free(now.known);
    free(now.hist);
    arena_free(&now.arena);
    statedir_unlock(fd);
    if (st != E_OK) {
        size_t m = strlen(e->msg);
        snprintf(e->msg + m, sizeof e->msg - m, " (the run's outputs are published in %s; "
                 "the state %s was not updated)", out_dir, rv->state_dir);
    }
    return st;
}

void review_free(struct review *rv)
{
    if (!rv)
        return;
    free(rv->prev);
    free(rv->known);
    free(rv->disp);
    free(rv->stored);
    free(rv->hist);
    free(rv->change);
    free(rv->outcome);
    free(rv->resolved);
    arena_free(&rv->arena);
    free(rv);
}

/* ---------- filled from elsewhere (PostgreSQL: pg/) ---------- */

static int grow_prev(struct prev_flag **v, size_t n, struct err *e)
{
    if (n & (n - 1) || (n && n < 64))
        return E_OK;   /* room left: capacities are 64, 128, 256, ... */
    struct prev_flag *nv = realloc(*v, (n ? 2 * n : 64) * sizeof **v);
    if (!nv)
        return ERR(e, E_NOMEM, "out of memory while reading the previous run");
    *v = nv;
    return E_OK;
}

int review_add_prev(struct review *rv, int known, const char *fp_hex,
                    const char *const cols[7], struct err *e)
{
    struct prev_flag **v = known ? &rv->known : &rv->prev;
    size_t *n = known ? &rv->n_known : &rv->n_prev;
    int st = grow_prev(v, *n, e);
    if (st != E_OK)
        return st;
    struct prev_flag *p = &(*v)[*n];
    memset(p, 0, sizeof *p);
    if (review_fp_parse(fp_hex, &p->fp) != 0)
        return ERR(e, E_PARSE, "'%s' in the previous run is not a fingerprint", fp_hex);
    const char **f[7] = {&p->rule_id, &p->severity, &p->household_id, &p->hukou_no, &p->id_no,
                         &p->region, &p->evidence};
    for (int i = 0; i < 7; i++)
        if (!(*f[i] = dup_field(rv, cols ? cols[i] : "", e)))
            return e->code;
    (*n)++;
    return E_OK;
}

/* Append a verdict to *v (*n of them; capacities 64, 128, 256, ...). */
static int push_disp(struct review *rv, struct disposition **v, size_t *n, const char *fp_hex,
                     const char *outcome, const char *reviewer, const char *reviewed_on,
                     const char *note, struct err *e)
{
    if ((*n & (*n - 1)) == 0 && (*n == 0 || *n >= 64)) {
        struct disposition *nv = realloc(*v, (*n ? 2 * *n : 64) * sizeof *nv);
        if (!nv)
            return ERR(e, E_NOMEM, "out of memory while reading the dispositions");
        *v = nv;
    }
    struct disposition *d = &(*v)[*n];
    if (review_fp_parse(fp_hex, &d->fp) != 0 || (d->outcome = outcome_parse(outcome)) < 0)
        return ERR(e, E_PARSE, "not a disposition (fingerprint '%s', outcome '%s')", fp_hex,
                   outcome);
    if (!(d->reviewer = dup_field(rv, reviewer, e)) ||
        !(d->reviewed_on = dup_field(rv, reviewed_on, e)) || !(d->note = dup_field(rv, note, e)))
        return e->code;
    (*n)++;
    return E_OK;
}

int review_add_disp(struct review *rv, const char *fp_hex, const char *outcome,
                    const char *reviewer, const char *reviewed_on, const char *note,
                    struct err *e)
{
    return push_disp(rv, &rv->disp, &rv->n_disp, fp_hex, outcome, reviewer, reviewed_on, note,
                     e);
}

int review_add_stored(struct review *rv, const char *fp_hex, const char *outcome,
                      const char *reviewer, const char *reviewed_on, const char *note,
                      struct err *e)
{
    return push_disp(rv, &rv->stored, &rv->n_stored, fp_hex, outcome, reviewer, reviewed_on,
                     note, e);
}

static int cmp_disp_fp(const void *a, const void *b)
{
    const struct disposition *x = a, *y = b;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

void review_sort_added(struct review *rv, int compare)
{
    if (rv->n_prev > 1)
        qsort(rv->prev, rv->n_prev, sizeof *rv->prev, cmp_prev_fp);
    if (rv->n_known > 1)
        qsort(rv->known, rv->n_known, sizeof *rv->known, cmp_prev_fp);
    if (rv->n_disp > 1)
        qsort(rv->disp, rv->n_disp, sizeof *rv->disp, cmp_disp_fp);
    if (rv->n_stored > 1)
        qsort(rv->stored, rv->n_stored, sizeof *rv->stored, cmp_disp_fp);
    if (compare)
        rv->compare = 1;
}
