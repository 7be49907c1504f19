/* partbatch.c - the batches of a run under --memory-limit (see
 * partrun.h): the buckets grouped by what the limit leaves, each batch
 * read back into a dataset as normalise_finish leaves one, and the flags
 * of every batch kept and sorted as vm_run() returns them.
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
        if ((st = partdata_add(dp, &rec, pr->loc, e)) != E_OK)
            break;
    }
    if (st == E_OK && got < 0)
        st = e->code;
    spill_reader_close(&r);
    return st;
}

int partrun_batch_load(struct partrun *pr, int k, struct dataset *dp, struct err *e)
{
    dataset_init(dp);
    int b0 = pr->batch_first[k], b1 = pr->batch_first[k + 1];
    int st = partdata_units(pr->d, &pr->plan, b0, b1, dp, pr->loc, &pr->glob_hh, &pr->glob_cand,
                            e);
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        long long n = 0;
        for (int b = b0; b < b1; b++)
            n += spill_set_rows(&pr->bs, b, (enum input_file)f);
        if (n)
            st = partdata_reserve(dp, (enum input_file)f, (size_t)n, e);
    }
    for (int b = b0; b < b1 && st == E_OK; b++)
        st = batch_read(pr, b, b0, b1, dp, e);
    return st == E_OK ? partdata_finish(dp, pr->d, pr->nz->as_of, e) : st;
}

void partrun_batch_free(struct partrun *pr, struct dataset *d)
{
    (void)pr;
    dataset_free(d);
    malloc_trim(0);
}

/* ---------- the flags ---------- */

int partrun_gather(struct partrun *pr, const struct eval_result *er, struct err *e)
{
    return flagstore_add(&pr->fs, er, pr->glob_hh, pr->glob_cand, e);
}

int partrun_result(struct partrun *pr, struct eval_result *r, struct err *e)
{
    return flagstore_result(&pr->fs, r, e);
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
