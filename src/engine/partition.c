/* partition.c - the partition plan (see partition.h for the design).
 *
 * Owns: the need pairs, the union-find over units, the bucket of every
 * unit and the two lookup tables the rows are routed by.  Never reads a
 * file, never judges a rule.  Everything is deterministic: the union-find
 * roots are the smallest unit ids whatever order the unions come in, and
 * a bucket is a hash of its root.
 */
#include "engine/partition.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/arena.h"
#include "base/index.h"
#include "base/sort.h"

/* ---------- the hash-sorted table ---------- */

void keytab_free(struct keytab *t)
{
    free(t->h);
    free(t->val);
    free(t->dir);
    memset(t, 0, sizeof *t);
}

int keytab_build(struct keytab *t, struct kv *kv, size_t n, int dedupe, struct err *e)
{
    memset(t, 0, sizeof *t);
    int st = radix_sort_u64(kv, n, sizeof *kv, offsetof(struct kv, h), e);
    if (st != E_OK) {
        free(kv);
        return st;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (dedupe && m > 0 && kv[m - 1].h == kv[i].h && kv[m - 1].val == kv[i].val)
            continue;
        kv[m++] = kv[i];
    }
    int bits = 0;
    while (bits < 30 && ((size_t)2 << bits) <= m)
        bits++;
    t->h = malloc((m ? m : 1) * sizeof *t->h);
    t->val = malloc((m ? m : 1) * sizeof *t->val);
    t->dir = malloc((((size_t)1 << bits) + 1) * sizeof *t->dir);
    if (!t->h || !t->val || !t->dir) {
        free(kv);
        keytab_free(t);
        return ERR(e, E_NOMEM, "out of memory while planning the partitions");
    }
    /* probed at random, one row of a feed after another: huge pages
     * save a TLB miss per probe (arena.h) */
    mem_hugepages(t->h, m * sizeof *t->h);
    mem_hugepages(t->val, m * sizeof *t->val);
    mem_hugepages(t->dir, (((size_t)1 << bits) + 1) * sizeof *t->dir);
    for (size_t i = 0; i < m; i++) {
        t->h[i] = kv[i].h;
        t->val[i] = kv[i].val;
    }
    free(kv);
    t->n = m;
    t->bits = bits;
    size_t slots = (size_t)1 << bits, at = 0;
    for (size_t s = 0; s <= slots; s++) {
        while (at < m && (bits ? (size_t)(t->h[at] >> (64 - bits)) : 0) < s)
            at++;
        t->dir[s] = (uint32_t)at;
    }
    t->dir[slots] = (uint32_t)m;
    return E_OK;
}

size_t keytab_find(const struct keytab *t, uint64_t h, size_t *first)
{
    if (!t->n) {
        *first = 0;
        return 0;
    }
    size_t top = t->bits ? (size_t)(h >> (64 - t->bits)) : 0;
    size_t i = t->dir[top], end = t->dir[top + 1];
    while (i < end && t->h[i] < h)
        i++;
    *first = i;
    while (i < end && t->h[i] == h)
        i++;
    return i;
}

uint64_t part_hukou_no_code(const struct hukou *hk)
{
    if (hk->no_code)
        return hk->no_code;
    return XXH3_64bits(hk->hukou_no, strlen(hk->hukou_no)) | (UINT64_C(1) << 63);
}

/* ---------- union-find ---------- */

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* The smaller root stays the root, so a component's root is its smallest
 * unit whatever the order of the unions. */
static void uf_union(uint32_t *p, uint32_t a, uint32_t b)
{
    a = uf_find(p, a);
    b = uf_find(p, b);
    if (a < b)
        p[b] = a;
    else if (b < a)
        p[a] = b;
}

/* ---------- the plan ---------- */

int part_plan_init(struct part_plan *pl, uint32_t n_hh, uint32_t n_cand, int n_buckets,
                   struct err *e)
{
    memset(pl, 0, sizeof *pl);
    if (n_buckets < 1 || n_buckets > PART_MAX_BUCKETS)
        return ERR(e, E_INTERNAL, "%d buckets (1 to %d)", n_buckets, PART_MAX_BUCKETS);
    pl->n_hh = n_hh;
    pl->n_cand = n_cand;
    pl->n_buckets = n_buckets;
    size_t nu = (size_t)n_hh + n_cand;
    pl->parent = malloc((nu ? nu : 1) * sizeof *pl->parent);
    if (!pl->parent)
        return ERR(e, E_NOMEM, "out of memory while planning the partitions");
    for (size_t u = 0; u < nu; u++)
        pl->parent[u] = (uint32_t)u;
    return E_OK;
}

void part_plan_free(struct part_plan *pl)
{
    vec_free(&pl->pairs);
    vec_free(&pl->facts);
    vec_free(&pl->unions);
    keytab_free(&pl->need);
    keytab_free(&pl->cand_groups);
    keytab_free(&pl->keys);
    keytab_free(&pl->groups);
    free(pl->parent);
    free(pl->bucket);
    memset(pl, 0, sizeof *pl);
}

static int push_kv(struct vec *v, uint64_t h, uint32_t val, uint32_t aux, struct err *e)
{
    struct kv *p = vec_push(v, sizeof *p);
    if (!p)
        return ERR(e, E_NOMEM, "out of memory while planning the partitions");
    p->h = h;
    p->val = val;
    p->aux = aux;
    return E_OK;
}

/* A need is kept as (hash, unit << 2 | kind) so the table's one value
 * carries both. */
int part_plan_need(struct part_plan *pl, uint64_t key, uint32_t unit, int need, struct err *e)
{
    return push_kv(&pl->pairs, idx_hash64(key), unit << 2 | (uint32_t)need, 0, e);
}

/* The vec's array handed to keytab_build (which frees it). */
static int build_from(struct keytab *t, struct vec *v, int dedupe, struct err *e)
{
    struct kv *kv = v->v;
    size_t n = v->n;
    memset(v, 0, sizeof *v);
    if (!kv && !(kv = malloc(sizeof *kv)))
        return ERR(e, E_NOMEM, "out of memory while planning the partitions");
    return keytab_build(t, kv, n, dedupe, e);
}

int part_plan_need_done(struct part_plan *pl, struct err *e)
{
    int st = build_from(&pl->need, &pl->pairs, 0, e);
    if (st != E_OK)
        return st;
    /* units that need one person are joined */
    const struct keytab *t = &pl->need;
    for (size_t i = 1; i < t->n; i++)
        if (t->h[i] == t->h[i - 1])
            uf_union(pl->parent, t->val[i] >> 2, t->val[i - 1] >> 2);
    return E_OK;
}

int part_plan_hukou(struct part_plan *pl, const struct hukou *hk, struct err *e)
{
    size_t i, end = keytab_find(&pl->need, idx_hash64(hk->key), &i);
    uint64_t code = 0;
    for (; i < end; i++) {
        uint32_t v = pl->need.val[i], kind = v & 3;
        if (kind == NEED_HEAD || (kind == NEED_CANDIDATE && hk->status == HK_NORMAL)) {
            if (!code)
                code = part_hukou_no_code(hk);
            int st = push_kv(&pl->facts, code, v >> 2, kind, e);
            if (st != E_OK)
                return st;
        }
    }
    return E_OK;
}

int part_plan_groups_done(struct part_plan *pl, struct err *e)
{
    struct vec cg = {0};
    for (size_t i = 0; i < pl->facts.n; i++) {
        const struct kv *f = &VEC_AT(pl->facts, struct kv, i);
        if (f->aux != NEED_CANDIDATE)
            continue;
        int st = push_kv(&cg, idx_hash64(f->h), f->val, 0, e);
        if (st != E_OK) {
            vec_free(&cg);
            return st;
        }
    }
    return build_from(&pl->cand_groups, &cg, 1, e);
}

int part_plan_hukou_again(struct part_plan *pl, const struct hukou *hk, struct err *e)
{
    if (hk->status != HK_NORMAL || !pl->cand_groups.n)
        return E_OK;
    size_t i, end = keytab_find(&pl->cand_groups, idx_hash64(part_hukou_no_code(hk)), &i);
    if (i == end)
        return E_OK;
    /* the candidates of this hukou_no read this person's rows: one
     * component with each other and with the person's other needs */
    uint32_t c0 = pl->cand_groups.val[i];
    int st = E_OK;
    for (size_t k = i + 1; k < end && st == E_OK; k++)
        st = push_kv(&pl->unions, 0, c0, pl->cand_groups.val[k], e);
    uint64_t h = idx_hash64(hk->key);
    size_t j, jend = keytab_find(&pl->need, h, &j);
    if (st != E_OK)
        return st;
    if (j < jend)
        return push_kv(&pl->unions, 0, c0, pl->need.val[j] >> 2, e);
    /* a person only the candidates need: routed by key too */
    return push_kv(&pl->pairs, h, c0, 0, e);
}

int part_plan_assign(struct part_plan *pl, struct err *e)
{
    size_t nu = (size_t)pl->n_hh + pl->n_cand;
    pl->bucket = malloc((nu ? nu : 1) * sizeof *pl->bucket);
    if (!pl->bucket)
        return ERR(e, E_NOMEM, "out of memory while planning the partitions");
    for (size_t i = 0; i < pl->unions.n; i++) {
        const struct kv *u = &VEC_AT(pl->unions, struct kv, i);
        uf_union(pl->parent, u->val, u->aux);
    }
    vec_free(&pl->unions);
    for (size_t u = 0; u < nu; u++)
        pl->bucket[u] =
            (uint16_t)(idx_hash64(uf_find(pl->parent, (uint32_t)u) + 1) % (uint64_t)pl->n_buckets);
    free(pl->parent);
    pl->parent = NULL;
    /* person key -> bucket: every need, one entry per person (the units of
     * a person are in one component, so in one bucket) */
    struct vec kv = {0};
    int st = E_OK;
    const struct keytab *t = &pl->need;
    for (size_t i = 0; i < t->n && st == E_OK; i++)
        if (i == 0 || t->h[i] != t->h[i - 1])
            st = push_kv(&kv, t->h[i], pl->bucket[t->val[i] >> 2], 0, e);
    for (size_t i = 0; i < pl->pairs.n && st == E_OK; i++) {
        const struct kv *p = &VEC_AT(pl->pairs, struct kv, i);
        st = push_kv(&kv, p->h, pl->bucket[p->val], 0, e);
    }
    vec_free(&pl->pairs);
    keytab_free(&pl->need);
    keytab_free(&pl->cand_groups);
    if (st == E_OK)
        st = build_from(&pl->keys, &kv, 1, e);
    vec_free(&kv);
    /* hukou_no -> the buckets of its heads and candidates */
    for (size_t i = 0; i < pl->facts.n && st == E_OK; i++) {
        const struct kv *f = &VEC_AT(pl->facts, struct kv, i);
        st = push_kv(&kv, idx_hash64(f->h), pl->bucket[f->val], 0, e);
    }
    vec_free(&pl->facts);
    if (st == E_OK)
        st = build_from(&pl->groups, &kv, 1, e);
    vec_free(&kv);
    return st;
}

int part_key_bucket(const struct part_plan *pl, uint64_t key)
{
    size_t i, end = keytab_find(&pl->keys, idx_hash64(key), &i);
    return i < end ? (int)pl->keys.val[i] : -1;
}

int part_hukou_dests(const struct part_plan *pl, const struct hukou *hk, uint16_t *dest)
{
    int n = 0;
    int b = part_key_bucket(pl, hk->key);
    if (b >= 0)
        dest[n++] = (uint16_t)b;
    size_t i, end = keytab_find(&pl->groups, idx_hash64(part_hukou_no_code(hk)), &i);
    for (; i < end; i++) {
        uint16_t g = (uint16_t)pl->groups.val[i];
        int k = n;
        while (k > 0 && dest[k - 1] > g)
            k--;
        if (k > 0 && dest[k - 1] == g)
            continue;
        memmove(dest + k + 1, dest + k, (size_t)(n - k) * sizeof *dest);
        dest[k] = g;
        n++;
    }
    return n;
}
