/* join.c - stage 4: sort feeds by person and index them (see join.h).
 *
 * Owns: the index structures in struct join.  Reorders the feed arrays of
 * the dataset in place (grouped by key, each key's rows in file order;
 * JOIN_SORTED by key, then file line) but never changes a row,
 * never rejects and never evaluates a rule.
 */
#include "engine/join.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/sort.h"

struct sortjob {
    struct vec *v;
    size_t size;
    size_t key_off;
    struct keyidx *ix;
    int sort;            /* 1 a feed (grouped or sorted, then indexed), JOB_*: the registry indexes */
};

/* n elements of `size` bytes from malloc (at least one), made resident
 * now (mem_populate): every array here is written end to end at once, and
 * a first touch page by page costs more than filling it (~7 K faults for
 * the two hukou arrays at SF 1).  NULL if out of memory. */
static void *resident(size_t n, size_t size)
{
    void *p = malloc((n ? n : 1) * size);
    if (p)
        mem_populate(p, n * size);
    return p;
}

/* The first hukou row at or after `from` whose key is >= key (nh if
 * none): a galloping search, so walking keys in ascending order costs
 * about log(gap) per step whether the steps are dense (members) or sparse
 * (candidates). */
static size_t hukou_lower_bound(const struct hukou *hk, size_t nh, size_t from, uint64_t key)
{
    if (from >= nh || hk[from].key >= key)
        return from;
    size_t lo = from, step = 1;   /* hk[lo].key < key */
    while (lo + step < nh && hk[lo + step].key < key) {
        lo += step;
        step *= 2;
    }
    size_t hi = lo + step < nh ? lo + step : nh;   /* hk[hi].key >= key or hi = nh */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (hk[mid].key < key)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* A merge of two sorted lists, not a hash probe per key (join.h). */
void join_merge_hukou(const struct dataset *d, const uint64_t *keys, size_t stride, size_t n,
                      const uint32_t *pos, uint32_t *out)
{
    const struct hukou *hk = d->hukou.v;
    size_t nh = d->hukou.n, h = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = *(const uint64_t *)((const char *)keys + i * stride);
        uint32_t at = JOIN_NONE;
        if (k != 0) {
            h = hukou_lower_bound(hk, nh, h, k);
            if (h < nh && hk[h].key == k)
                at = (uint32_t)h;
        }
        out[pos ? *(const uint32_t *)((const char *)pos + i * stride) : i] = at;
    }
}

/* Registry members by person key (a person's households), and each member's
 * hukou row. */
static int index_members(struct join *j, const struct dataset *d, struct err *e)
{
    size_t nm = d->members.n;
    j->members_by_key = resident(nm, sizeof *j->members_by_key);
    if (!j->members_by_key)
        return ERR(e, E_NOMEM, "out of memory while indexing members");
    const struct member *m = d->members.v;
    for (size_t i = 0; i < nm; i++) {
        j->members_by_key[i].key = m[i].key;
        j->members_by_key[i].member = (uint32_t)i;
    }
    /* built in member order, so a stable sort keeps (key, member) order */
    int st = radix_sort_u64(j->members_by_key, nm, sizeof *j->members_by_key,
                            offsetof(struct member_ref, key), e);
    if (st != E_OK)
        return st;
    j->member_hukou = resident(nm, sizeof *j->member_hukou);
    if (!j->member_hukou)
        return ERR(e, E_NOMEM, "out of memory while joining members to hukou");
    join_merge_hukou(d, &j->members_by_key[0].key, sizeof(struct member_ref), nm,
                     &j->members_by_key[0].member, j->member_hukou);
    return keyidx_build(&j->members, &j->members_by_key[0].key, sizeof(struct member_ref), nm, e);
}

/* Each candidate's hukou row; candidates are sorted by key. */
static int index_candidates(struct join *j, const struct dataset *d, struct err *e)
{
    size_t nc = d->candidates.n;
    j->candidate_hukou = resident(nc, sizeof *j->candidate_hukou);
    if (!j->candidate_hukou)
        return ERR(e, E_NOMEM, "out of memory while joining candidates to hukou");
    if (nc)
        join_merge_hukou(d, &((const struct candidate *)d->candidates.v)[0].key,
                         sizeof(struct candidate), nc, NULL, j->candidate_hukou);
    return E_OK;
}

/* Hukou households: group rows by hukou_no with a hash (first-seen
 * order), then a counting sort by group keeps each group's rows in key
 * order.  The index maps a hukou_no to its group's first position: by its
 * integer code (model.h) when it has one, else by the string.  Reading
 * codes from the rows, which are in key order, and prefetching the slot a
 * few rows ahead leaves no string to chase in the usual case. */
static int index_hukou_no(struct join *j, const struct dataset *d, struct err *e)
{
    size_t nh = d->hukou.n;
    const struct hukou *hk = d->hukou.v;
    j->hukou_by_no = resident(nh, sizeof *j->hukou_by_no);
    uint32_t *group = resident(nh, sizeof *group);
    uint32_t *start = NULL;
    if (!j->hukou_by_no || !group)
        goto nomem;
    /* about three people to a hukou household; the indexes grow if not */
    int st = u64map_init(&j->hukou_code, nh / 3 + 16, e);
    if (st == E_OK)
        st = stridx_init(&j->hukou_no, 16, e);
    if (st != E_OK) {
        free(group);
        return st;
    }
    enum { AHEAD = 16 };
    uint32_t n_groups = 0;
    for (size_t i = 0; i < nh; i++) {
        if (i + AHEAD < nh && hk[i + AHEAD].no_code)
            u64map_prefetch(&j->hukou_code, hk[i + AHEAD].no_code);
        uint32_t g;
        int r = hk[i].no_code ? u64map_put(&j->hukou_code, hk[i].no_code, n_groups, &g)
                              : stridx_put(&j->hukou_no, hk[i].hukou_no, n_groups, &g);
        if (r < 0)
            goto nomem;
        group[i] = r == 0 ? n_groups++ : g;
    }
    start = calloc((size_t)n_groups + 1, sizeof *start);
    if (!start)
        goto nomem;
    mem_populate(start, ((size_t)n_groups + 1) * sizeof *start);
    for (size_t i = 0; i < nh; i++)
        start[group[i] + 1]++;
    for (uint32_t g = 0; g < n_groups; g++)
        start[g + 1] += start[g];
    /* slot values: group id -> first position of the group */
    for (size_t s = 0; s <= j->hukou_code.mask; s++)
        if (j->hukou_code.slots[s].key)
            j->hukou_code.slots[s].val = start[j->hukou_code.slots[s].val];
    for (size_t s = 0; s <= j->hukou_no.mask; s++)
        if (j->hukou_no.slots[s].s)
            j->hukou_no.slots[s].val = start[j->hukou_no.slots[s].val];
    for (size_t i = 0; i < nh; i++)
        j->hukou_by_no[start[group[i]]++] = (uint32_t)i;
    j->n_hukou_by_no = nh;
    free(start);
    free(group);
    return E_OK;
nomem:
    free(start);
    free(group);
    return ERR(e, E_NOMEM, "out of memory while indexing hukou households");
}

int join_build(struct join *j, struct dataset *d, enum join_order order, struct err *e)
{
    memset(j, 0, sizeof *j);
    /* Feeds arrive in file order; a stable sort by key (JOIN_SORTED) keeps
     * each person's rows in file order, and so does grouping them where
     * they lie (JOIN_GROUPED, keyidx_group), which moves no row of a feed
     * grouped by person already and only the split persons' rows of one
     * that is nearly so (financial assets) or not (property). */
    /* hukou was sorted by key (and merged) in normalise_finish(); members
     * and candidates are joined to it by merging (index_members) */
    enum { JOB_MEMBERS = -1, JOB_HUKOU_NO = -2, JOB_CANDIDATES = -3 };
    /* the largest first (social insurance, property, hukou, members,
     * vehicles), then every other feed declared by_person */
    static const int first[] = {IN_SI, IN_PROPERTY, JOB_HUKOU_NO, JOB_MEMBERS, IN_VEHICLES,
                                JOB_CANDIDATES};
    enum { N_FIRST = sizeof first / sizeof first[0], MAX_JOBS = N_INPUT + 3 };
    struct sortjob jobs[MAX_JOBS];
    int n_jobs = 0, queued[N_INPUT] = {0};
    for (int i = 0; i < N_FIRST + N_INPUT; i++) {
        int f = i < N_FIRST ? first[i] : i - N_FIRST;
        struct sortjob *jb = &jobs[n_jobs];
        memset(jb, 0, sizeof *jb);
        if (f < 0) {
            jb->sort = f;
            n_jobs++;
            continue;
        }
        if (!feed_decls[f].by_person || queued[f])
            continue;
        queued[f] = 1;
        jb->v = dataset_rows(d, (enum input_file)f, &jb->size);
        jb->key_off = feed_decls[f].key_off;
        jb->ix = &j->feed[f];
        jb->sort = 1;
        n_jobs++;
    }
    int job_st[MAX_JOBS];
    struct err job_err[MAX_JOBS];
    /* independent tables: sort and index each on its own thread, the
     * largest first; each job writes only its own index */
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n_jobs; i++) {
        struct sortjob *jb = &jobs[i];
        err_init(&job_err[i]);
        if (jb->sort == JOB_MEMBERS) {
            job_st[i] = index_members(j, d, &job_err[i]);
            continue;
        }
        if (jb->sort == JOB_HUKOU_NO) {
            job_st[i] = index_hukou_no(j, d, &job_err[i]);
            continue;
        }
        if (jb->sort == JOB_CANDIDATES) {
            job_st[i] = index_candidates(j, d, &job_err[i]);
            continue;
        }
        if (order == JOIN_GROUPED) {
            job_st[i] =
                keyidx_group(jb->ix, jb->v->v, jb->size, jb->key_off, jb->v->n, &job_err[i]);
            continue;
        }
        job_st[i] = vec_sort(jb->v, jb->size, jb->key_off, 1, &job_err[i]);
        const uint64_t *keys =
            jb->v->v ? (const uint64_t *)((char *)jb->v->v + jb->key_off) : NULL;
        if (job_st[i] == E_OK)
            job_st[i] = keyidx_build(jb->ix, keys, jb->size, jb->v->n, &job_err[i]);
    }
    for (int i = 0; i < n_jobs; i++)
        if (job_st[i] != E_OK) {
            *e = job_err[i];
            return job_st[i];
        }
    return E_OK;
}

void join_free(struct join *j)
{
    free(j->member_hukou);
    free(j->candidate_hukou);
    for (int f = 0; f < N_INPUT; f++)
        keyidx_free(&j->feed[f]);
    keyidx_free(&j->members);
    free(j->members_by_key);
    free(j->hukou_by_no);
    stridx_free(&j->hukou_no);
    u64map_free(&j->hukou_code);
    memset(j, 0, sizeof *j);
}

int join_hukou_group(const struct join *j, const struct hukou *hk, size_t *pos)
{
    uint32_t v;
    int found = hk->no_code ? u64map_get(&j->hukou_code, hk->no_code, &v)
                            : stridx_get(&j->hukou_no, hk->hukou_no, &v);
    if (found)
        *pos = v;
    return found;
}
