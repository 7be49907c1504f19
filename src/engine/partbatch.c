/* partbatch.c - the batches of a run under --memory-limit (see
 * partrun.h): the buckets grouped by what the limit leaves, each batch
 * read back into a dataset as normalise_finish leaves one, and the flags
 * of every batch kept and sorted as evaluate_run() returns them.
 *
 * Owns: the batch boundaries, the household and candidate places of the
 * batch being judged, the gathered flags.  Never judges a rule.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sort.h"
#include "engine/partrun.h"
#include "engine/partrun_int.h"

/* ---------- batches ---------- */

/* Bytes a row of file f takes in a batch besides its own struct and
 * strings: the indexes join.c builds over it (a keyidx slot and a half per
 * person at most; members by key and their hukou link; hukou by hukou_no
 * and its hash maps). */
static double index_cost(enum input_file f)
{
    switch (f) {
    case IN_MEMBERS: return 28;
    case IN_HUKOU: return 44;
    default: return 24;
    }
}

/* The estimated peak of judging bucket b alone: its rows, their strings
 * (the records' bytes, an over-estimate), the indexes, the largest sort's
 * scratch, its households and candidates (copied) and their flags. */
static double bucket_cost(const struct partrun *pr, int b, const uint32_t *units)
{
    double total = 0, largest = 0;
    for (int f = 0; f < N_INPUT; f++) {
        double rows = (double)spill_set_rows(&pr->bs, b, (enum input_file)f);
        if (rows == 0)
            continue;
        double own = rows * (double)feed_decls[f].row_size;
        total += own + rows * index_cost((enum input_file)f) +
                 (double)spill_set_bytes(&pr->bs, b, (enum input_file)f);
        if (own > largest)
            largest = own;
    }
    double hh = units[2 * b], cand = units[2 * b + 1];
    total += largest + hh * (double)(sizeof(struct household) + 8) +
             cand * (double)(sizeof(struct candidate) + 8);
    return total + hh * 0.6 * 400.0;   /* flags and their evidence, while judged */
}

int partrun_batches(struct partrun *pr, int *n_batches, struct err *e)
{
    int st = spill_set_flush(&pr->bs, e);
    spill_set_close(&pr->bs);
    if (st != E_OK)
        return st;
    size_t nh = pr->d->households.n, nc = pr->d->candidates.n;
    uint32_t *units = calloc((size_t)pr->nb * 2, sizeof *units);
    pr->bucket_est = calloc((size_t)pr->nb, sizeof *pr->bucket_est);
    pr->batch_first = calloc((size_t)pr->nb + 1, sizeof *pr->batch_first);
    pr->loc = malloc((nh ? nh : 1) * sizeof *pr->loc);
    if (!units || !pr->bucket_est || !pr->batch_first || !pr->loc) {
        free(units);
        return ERR(e, E_NOMEM, "out of memory while planning the batches");
    }
    for (size_t u = 0; u < nh + nc; u++)
        units[2 * part_unit_bucket(&pr->plan, (uint32_t)u) + (u >= nh)]++;
    pr->max_bucket = 0;
    for (int b = 0; b < pr->nb; b++) {
        pr->bucket_est[b] = bucket_cost(pr, b, units);
        if (pr->bucket_est[b] > pr->max_bucket)
            pr->max_bucket = pr->bucket_est[b];
    }
    free(units);
    /* what the limit leaves for a batch: the rest is measured now (the
     * routing tables are no longer needed), the flags gathered by the end
     * and the threads' scratch are set aside (partrun.c, memory model) */
    keytab_free(&pr->plan.keys);
    keytab_free(&pr->plan.groups);
    double now = (double)partrun_rss_now();
    double later = (double)nh * PR_FLAG_BYTES + (double)pr->nt * PR_THREAD_SCRATCH + PR_MARGIN;
    pr->budget = (double)pr->limit - now - later;
    if (!pr->force_batch && pr->max_bucket > pr->budget) {
        char want[32], have[32];
        partrun_fmt_size(1.05 * (now + later + pr->max_bucket), want, sizeof want);
        partrun_fmt_limit(pr->limit, have, sizeof have);
        return ERR(e, E_USAGE, "--memory-limit %s is too small for these inputs: their largest "
                               "part needs about %s (%d parts; a person in many households "
                               "joins them into one part); give --memory-limit %s or more",
                   have, want, pr->nb, want);
    }
    int n = 0;
    for (int b = 0; b < pr->nb;) {
        pr->batch_first[n++] = b;
        double sum = pr->bucket_est[b++];
        while (b < pr->nb && (pr->force_batch ? b - pr->batch_first[n - 1] < pr->force_batch
                                              : sum + pr->bucket_est[b] <= pr->budget))
            sum += pr->bucket_est[b++];
    }
    pr->batch_first[n] = pr->nb;
    pr->n_batches = n;
    *n_batches = n;
    return E_OK;
}

static int in_batch(const struct partrun *pr, int k, uint32_t u)
{
    int b = part_unit_bucket(&pr->plan, u);
    return b >= pr->batch_first[k] && b < pr->batch_first[k + 1];
}

/* A dataset's rows of file f made room for (the count over the batch's
 * buckets, exact but for rows kept once). */
static int reserve(struct dataset *d, enum input_file f, size_t n, struct err *e)
{
    size_t size;
    struct vec *v = dataset_rows(d, f, &size);
    if (n <= v->cap)
        return E_OK;
    void *p = realloc(v->v, n * size);
    if (!p)
        return ERR(e, E_NOMEM, "out of memory while reading back %s", input_file_names[f]);
    v->v = p;
    v->cap = n;
    return E_OK;
}

/* The registry units of batch k, copied from the run's dataset (their
 * strings stay there), with their places both ways. */
static int batch_units(struct partrun *pr, int k, struct dataset *dp, struct err *e)
{
    const struct dataset *d = pr->d;
    uint32_t nh = (uint32_t)d->households.n, nc = (uint32_t)d->candidates.n, n = 0, m = 0;
    for (uint32_t g = 0; g < nh; g++)
        n += (uint32_t)in_batch(pr, k, g);
    for (uint32_t c = 0; c < nc; c++)
        m += (uint32_t)in_batch(pr, k, nh + c);
    free(pr->glob_hh);
    free(pr->glob_cand);
    pr->glob_hh = malloc((n ? n : 1) * sizeof *pr->glob_hh);
    pr->glob_cand = malloc((m ? m : 1) * sizeof *pr->glob_cand);
    if (!pr->glob_hh || !pr->glob_cand || reserve(dp, IN_HOUSEHOLDS, n, e) != E_OK ||
        reserve(dp, IN_CANDIDATES, m, e) != E_OK)
        return ERR(e, E_NOMEM, "out of memory while reading back the registry");
    for (uint32_t g = 0; g < nh; g++) {
        if (!in_batch(pr, k, g))
            continue;
        pr->loc[g] = (uint32_t)dp->households.n;
        pr->glob_hh[dp->households.n] = g;
        VEC_AT(dp->households, struct household, dp->households.n++) =
            VEC_AT(d->households, struct household, g);
    }
    for (uint32_t c = 0; c < nc; c++) {
        if (!in_batch(pr, k, nh + c))
            continue;
        pr->glob_cand[dp->candidates.n] = c;
        VEC_AT(dp->candidates, struct candidate, dp->candidates.n++) =
            VEC_AT(d->candidates, struct candidate, c);
    }
    return E_OK;
}

/* Read bucket b's file into the batch [b0, b1): a row listed for several
 * buckets is kept from the first of them in the batch. */
static int batch_read(struct partrun *pr, int b, int b0, int b1, struct dataset *dp,
                      struct err *e)
{
    struct spill_reader r;
    int st = spill_reader_open(&r, pr->dir, "b", b, e);
    if (st != E_OK)
        return st;
    struct spill_rec rec;
    int got;
    while ((got = spill_reader_next(&r, &rec, e)) == 1) {
        if (rec.gen != pr->gen[rec.f])
            continue;
        if (rec.ndest > 1) {
            int first = -1;
            for (int i = 0; i < rec.ndest && first < 0; i++) {
                int d = (int)spill_rec_dest(&rec, i);
                if (d >= b0 && d < b1)
                    first = d;
            }
            if (first != b)
                continue;
        }
        size_t size;
        struct vec *v = dataset_rows(dp, rec.f, &size);
        void *row = vec_push(v, size);
        if (!row) {
            st = ERR(e, E_NOMEM, "out of memory while reading back %s", input_file_names[rec.f]);
            break;
        }
        if ((st = spill_rec_decode(&rec, row, &dp->arena, e)) != E_OK)
            break;
        if (rec.f == IN_MEMBERS)
            ((struct member *)row)->hh = pr->loc[((struct member *)row)->hh];
    }
    if (st == E_OK && got < 0)
        st = e->code;
    spill_reader_close(&r);
    return st;
}

int partrun_batch_load(struct partrun *pr, int k, struct dataset *dp, struct err *e)
{
    dataset_init(dp);
    const struct dataset *d = pr->d;
    int b0 = pr->batch_first[k], b1 = pr->batch_first[k + 1];
    int st = batch_units(pr, k, dp, e);
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        long long n = 0;
        for (int b = b0; b < b1; b++)
            n += spill_set_rows(&pr->bs, b, (enum input_file)f);
        if (n)
            st = reserve(dp, (enum input_file)f, (size_t)n, e);
    }
    for (int b = b0; b < b1 && st == E_OK; b++)
        st = batch_read(pr, b, b0, b1, dp, e);
    /* file order again (partition.h), hukou by person as its merge left it */
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        size_t size;
        struct vec *v = dataset_rows(dp, (enum input_file)f, &size);
        if (f == IN_HUKOU)
            st = radix_sort_u64(v->v, v->n, size, offsetof(struct hukou, key), e);
        else if (f == IN_MEMBERS || feed_decls[f].by_person)
            st = radix_sort_u64(v->v, v->n, size, (size_t)feed_decls[f].line_off, e);
    }
    dp->standards = (struct vec){d->standards.v, d->standards.n, d->standards.n, 1};
    dp->holidays = (struct vec){d->holidays.v, d->holidays.n, d->holidays.n, 1};
    for (int f = 0; f < N_INPUT; f++)
        dp->files[f].present = d->files[f].present;
    if (st == E_OK) {
        struct normaliser tn;
        st = normaliser_init(&tn, dp, pr->nz->as_of, e);
        tn.hukou_merged = 1;
        if (st == E_OK)
            st = normalise_finish(&tn, e);
        normaliser_free(&tn);
    }
    if (st == E_OK && dp->files[IN_MEMBERS].rejects.n)
        st = ERR(e, E_INTERNAL, "a member repeat was found in part %d after the plan", k);
    return st;
}

void partrun_batch_free(struct partrun *pr, struct dataset *d)
{
    (void)pr;
    dataset_free(d);
    malloc_trim(0);
}

/* ---------- the flags ---------- */

static const char *keep_str(struct partrun *pr, const char *s, int *nomem)
{
    if (!s || !*s)
        return "";
    char *c = arena_strndup(&pr->farena, s, strlen(s));
    if (!c)
        *nomem = 1;
    return c ? c : "";
}

int partrun_gather(struct partrun *pr, const struct eval_result *er, struct err *e)
{
    int nomem = 0;
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *f = &er->flags[i];
        struct flag *g = vec_push(&pr->flags, sizeof *g);
        if (!g)
            return ERR(e, E_NOMEM, "out of memory while keeping the flags");
        *g = *f;
        /* household_id and region point into the run's households and
         * candidates, which outlive the batch; the rest is the batch's */
        if (f->hh != HH_NONE)
            g->hh = pr->glob_hh[f->hh];
        g->hukou_no = keep_str(pr, f->hukou_no, &nomem);
        g->unit_hukou_no = f->unit_hukou_no == f->hukou_no ? g->hukou_no
                                                           : keep_str(pr, f->unit_hukou_no, &nomem);
        g->id_no = keep_str(pr, f->id_no, &nomem);
        g->evidence = keep_str(pr, f->evidence, &nomem);
        g->evkey = keep_str(pr, f->evkey, &nomem);
    }
    for (size_t i = 0; i < er->n_no_std_households; i++) {
        uint32_t *p = vec_push(&pr->nsh, sizeof *p);
        if (!p)
            return ERR(e, E_NOMEM, "out of memory while keeping the flags");
        *p = pr->glob_hh[er->no_std_households[i]];
    }
    for (size_t i = 0; i < er->n_no_std_candidates; i++) {
        uint32_t *p = vec_push(&pr->nsc, sizeof *p);
        if (!p)
            return ERR(e, E_NOMEM, "out of memory while keeping the flags");
        *p = pr->glob_cand[er->no_std_candidates[i]];
    }
    pr->cand_skipped += er->candidates_skipped_not_in_hukou;
    if (nomem)
        return ERR(e, E_NOMEM, "out of memory while keeping the flags");
    return E_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int partrun_result(struct partrun *pr, struct eval_result *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    r->arenas = malloc(sizeof *r->arenas);
    if (!r->arenas)
        return ERR(e, E_NOMEM, "out of memory while collecting flags");
    r->arenas[0] = pr->farena;   /* ownership moves to the result */
    r->n_arenas = 1;
    memset(&pr->farena, 0, sizeof pr->farena);
    r->flags = pr->flags.v;
    r->n_flags = pr->flags.n;
    memset(&pr->flags, 0, sizeof pr->flags);
    if (!r->flags && !(r->flags = malloc(sizeof *r->flags)))
        return ERR(e, E_NOMEM, "out of memory while collecting flags");
    qsort(r->flags, r->n_flags, sizeof *r->flags, flag_cmp);
    for (size_t i = 0; i < r->n_flags; i++)
        r->rule_count[r->flags[i].rule]++;
    r->no_std_households = pr->nsh.v;
    r->n_no_std_households = pr->nsh.n;
    r->no_std_candidates = pr->nsc.v;
    r->n_no_std_candidates = pr->nsc.n;
    memset(&pr->nsh, 0, sizeof pr->nsh);
    memset(&pr->nsc, 0, sizeof pr->nsc);
    if (!r->no_std_households && !(r->no_std_households = malloc(sizeof(uint32_t))))
        return ERR(e, E_NOMEM, "out of memory while collecting flags");
    if (!r->no_std_candidates && !(r->no_std_candidates = malloc(sizeof(uint32_t))))
        return ERR(e, E_NOMEM, "out of memory while collecting flags");
    qsort(r->no_std_households, r->n_no_std_households, sizeof(uint32_t), cmp_u32);
    qsort(r->no_std_candidates, r->n_no_std_candidates, sizeof(uint32_t), cmp_u32);
    r->candidates_skipped_not_in_hukou = pr->cand_skipped;
    return E_OK;
}

void partrun_describe(const struct partrun *pr, char *buf, size_t cap)
{
    char lim[32], big[32], bud[32];
    partrun_fmt_size((double)pr->limit, lim, sizeof lim);
    partrun_fmt_size(pr->max_bucket, big, sizeof big);
    partrun_fmt_size(pr->budget, bud, sizeof bud);
    snprintf(buf, cap, "limit %s: %d parts in %d batches (largest part ~%s, %s per batch)", lim,
             pr->nb, pr->n_batches, big, bud);
}
