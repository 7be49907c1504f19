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
 * (join_merge_hukou); the hukou_no of every row so reached goes into a set
 * (its integer code, model.h, or the text); the team marks the rows whose
 * hukou_no is in the set, and one pass slides them down over the others
 * before the array is shrunk to them.  About 0.1 s at SF 1.
 */
#include "engine/hukou_prune.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/index.h"
#include "base/sort.h"
#include "engine/join.h"

/* The hukou households of the rows at[0..n) (JOIN_NONE: none) into the
 * sets.  E_OK or E_NOMEM. */
static int reach(const struct hukou *hk, const uint32_t *at, size_t n, struct u64map *codes,
                 struct stridx *texts, struct err *e)
{
    enum { AHEAD = 16 };
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n && at[i + AHEAD] != JOIN_NONE)
            u64map_prefetch(codes, hk[at[i + AHEAD]].no_code);
        if (at[i] == JOIN_NONE)
            continue;
        const struct hukou *h = &hk[at[i]];
        uint32_t old;
        int r = h->no_code ? u64map_put(codes, h->no_code, 0, &old)
                           : stridx_put(texts, h->hukou_no, 0, &old);
        if (r < 0)
            return ERR(e, E_NOMEM, "out of memory while choosing the hukou rows to join");
    }
    return E_OK;
}

/* Is the hukou household of h in the sets? */
static int kept(const struct hukou *h, const struct u64map *codes, const struct stridx *texts)
{
    uint32_t v;
    return h->no_code ? u64map_get(codes, h->no_code, &v) : stridx_get(texts, h->hukou_no, &v);
}

/* Slide the rows of the households in the sets down, in order; returns
 * how many are left.  Which rows stay is asked by the team (the sets are
 * only read), a byte per row in keep[]; the rows move on one thread. */
static size_t slide(struct hukou *hk, size_t nh, const struct u64map *codes,
                    const struct stridx *texts, unsigned char *keep)
{
    enum { AHEAD = 16 };
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < nh; i++) {
        if (i + AHEAD < nh && hk[i + AHEAD].no_code)
            u64map_prefetch(codes, hk[i + AHEAD].no_code);
        keep[i] = (unsigned char)kept(&hk[i], codes, texts);
    }
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
    /* the persons: members and candidates, their keys sorted */
    uint64_t *keys = malloc((np ? np : 1) * sizeof *keys);
    uint32_t *at = malloc((np ? np : 1) * sizeof *at);
    unsigned char *keep = malloc(nh);
    struct u64map codes = {0};
    struct stridx texts = {0};
    int st = keys && at && keep
                 ? E_OK
                 : ERR(e, E_NOMEM, "out of memory while choosing the hukou rows to join");
    if (st == E_OK) {
        const struct member *m = d->members.v;
        const struct candidate *c = d->candidates.v;
        for (size_t i = 0; i < nm; i++)
            keys[i] = m[i].key;
        for (size_t i = 0; i < nc; i++)
            keys[nm + i] = c[i].key;
        st = radix_sort_u64(keys, np, sizeof *keys, 0, e);
    }
    if (st == E_OK)
        st = u64map_init(&codes, np / 2 + 16, e);
    if (st == E_OK)
        st = stridx_init(&texts, 16, e);
    if (st == E_OK) {
        join_merge_hukou(d, keys, sizeof *keys, np, NULL, at);
        st = reach(hk, at, np, &codes, &texts, e);
    }
    if (st == E_OK) {
        size_t left = slide(hk, nh, &codes, &texts, keep);
        d->hukou.n = left;
        if (!d->hukou.borrowed && left < d->hukou.cap) {
            /* give the rest back now, before the join allocates */
            void *p = realloc(d->hukou.v, (left ? left : 1) * sizeof *hk);
            if (p) {
                d->hukou.v = p;
                d->hukou.cap = left;
            }
        }
        if (out)
            out->after = left;
    }
    free(keys);
    free(at);
    free(keep);
    u64map_free(&codes);
    stridx_free(&texts);
    return st;
}
