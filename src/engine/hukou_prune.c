/* hukou_prune.c - before the join of a run, the hukou rows no rule can
 * read are let go (see hukou_prune.h).
 *
 * Owns: the choice of the rows kept, and nothing after it returns.  Never
 * changes a count that is reported (rows, rejects and repeats per file are
 * taken at load, before this), never reorders the rows it keeps, never
 * runs where the dataset outlives the run (an index build's snapshot, a
 * household's pre-approval check, explain): those keep every row.
 *
 * Why.  The hukou feed is the registry of the whole area: at SF 1, 2.95 M
 * rows, of which the 1.0 M people on the rolls, the 51 K candidates and
 * those who share a hukou household with them are 1.19 M.  A rule reaches
 * a hukou row in two ways only (policy/schema.c, engine/vm_rows.c): a
 * member's or a candidate's own row, by ID key (vm_person_hukou), and the
 * rows of that row's hukou household, by hukou_no (join_hukou_group).  So a
 * row whose hukou household holds no member's and no candidate's row is
 * read by no rule, and keeping it costs its 72 bytes, its share of the
 * join's hukou-household index and, most of all, memory made resident
 * before the join and the rules allocate theirs: the run's peak, which on
 * a virtual machine whose host takes freed memory back costs about 2 s of
 * CPU per GiB to make resident again.
 *
 * How.  The keys of the members and candidates, sorted, are merged with
 * the hukou rows (sorted by key) as the join merges them
 * (join_merge_hukou), a slice of the keys to each thread; the hukou_no of
 * every row so reached (its integer code, model.h, or a hash of the text)
 * sets a bit of a bitmap (base/hashbits.h) of 16 to 32 bits for each
 * person who may reach a household; the team then marks
 * the rows whose hukou_no's bit is set, and one pass slides them down over
 * the others before the array is shrunk to them.  A bit set by another
 * household keeps a household no rule reads (1 in 16 or fewer of them):
 * as before, every row was kept, so nothing a rule reads can change.
 */
#include "engine/hukou_prune.h"

#include <omp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/hashbits.h"
#include "base/index.h"
#include "base/sort.h"
#include "engine/join.h"

/* The hash of h's hukou household: its integer code, or its text. */
static inline uint64_t hh_hash(const struct hukou *h)
{
    return h->no_code ? idx_hash64(h->no_code) : XXH3_64bits(h->hukou_no, strlen(h->hukou_no));
}

/* The households of the rows at[0..n) (JOIN_NONE: none) into the bitmap,
 * by the team (the bits are set atomically). */
static void reach(struct hashbits *b, const struct hukou *hk, const uint32_t *at, size_t n)
{
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        if (at[i] != JOIN_NONE)
            hashbits_put_atomic(b, hh_hash(&hk[at[i]]));
}

/* Slide the rows of the marked households down, in order; returns how many
 * are left.  Which rows stay is asked by the team, a byte per row in
 * keep[]; the rows move on one thread. */
static size_t slide(struct hukou *hk, size_t nh, const struct hashbits *b, unsigned char *keep)
{
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < nh; i++)
        keep[i] = (unsigned char)hashbits_may_have(b, hh_hash(&hk[i]));
    size_t out = 0;
    for (size_t i = 0; i < nh; i++) {
        if (!keep[i])
            continue;
        if (out != i)
            hk[out] = hk[i];
        out++;
    }
    return out;
}

int hukou_prune(struct dataset *d, struct hukou_pruned *out, struct err *e)
{
    size_t nh = d->hukou.n, nm = d->members.n, nc = d->candidates.n, np = nm + nc;
    if (out) {
        out->before = nh;
        out->after = nh;
    }
    if (nh == 0)
        return E_OK;
    struct hukou *hk = d->hukou.v;
    /* a household for each person who may reach one, at most */
    struct hashbits b;
    int st = hashbits_init(&b, np, "choosing the hukou rows to join", e);
    /* the persons: members and candidates, their keys sorted */
    uint64_t *keys = malloc((np ? np : 1) * sizeof *keys);
    uint32_t *at = malloc((np ? np : 1) * sizeof *at);
    unsigned char *keep = malloc(nh);
    if (st == E_OK && !(keys && at && keep))
        st = ERR(e, E_NOMEM, "out of memory while choosing the hukou rows to join");
    if (st == E_OK) {
        const struct member *m = d->members.v;
        const struct candidate *c = d->candidates.v;
        for (size_t i = 0; i < nm; i++)
            keys[i] = m[i].key;
        for (size_t i = 0; i < nc; i++)
            keys[nm + i] = c[i].key;
        st = radix_sort_u64(keys, np, sizeof *keys, 0, e);
    }
    if (st == E_OK) {
        /* a slice of the keys to each thread: each merge finds its start */
#pragma omp parallel
        {
            int t = omp_get_thread_num(), T = omp_get_num_threads();
            size_t lo = np * (size_t)t / (size_t)T, hi = np * (size_t)(t + 1) / (size_t)T;
            join_merge_hukou(d, keys + lo, sizeof *keys, hi - lo, NULL, at + lo);
        }
        reach(&b, hk, at, np);
        size_t left = slide(hk, nh, &b, keep);
        d->hukou.n = left;
        if (!d->hukou.borrowed && left < d->hukou.cap) {
            /* give the rest back now, before the next feeds are read */
            void *p = realloc(d->hukou.v, (left ? left : 1) * sizeof *hk);
            if (p) {
                d->hukou.v = p;
                d->hukou.cap = left;
            }
        }
        if (out)
            out->after = left;
    }
    hashbits_free(&b);
    free(keys);
    free(at);
    free(keep);
    return st;
}

int hukou_prune_order(int order[N_INPUT])
{
    int n = 0;
    for (int f = 0; f < N_INPUT; f++) {
        if (f == IN_HUKOU)
            order[n++] = IN_CANDIDATES;
        if (f != IN_CANDIDATES)
            order[n++] = f;
    }
    return n;
}

int hukou_prune_keep_persons(struct normaliser *nz, struct personset *ps,
                             struct hukou_pruned *out, struct err *e)
{
    int st = hukou_prune(nz->d, out, e);
    if (st == E_OK)
        st = personset_build(ps, nz->d, e);
    if (st == E_OK)
        normaliser_keep_persons(nz, ps);
    return st;
}
