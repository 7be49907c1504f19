/* join.c - stage 4: sort feeds by person and index them (see join.h).
 *
 * Owns: the index structures in struct join.  Reorders the feed arrays of
 * the dataset in place (by key, then file line) but never changes a row,
 * never rejects and never evaluates a rule.
 */
#include "join.h"

#include <stdlib.h>
#include <string.h>

#define CMP_KEY_LINE(name, type)                                  \
    static int name(const void *a, const void *b)                 \
    {                                                             \
        const type *x = a, *y = b;                                \
        if (x->key != y->key)                                     \
            return x->key < y->key ? -1 : 1;                      \
        return x->line < y->line ? -1 : x->line > y->line;        \
    }
CMP_KEY_LINE(cmp_vehicle, struct vehicle)
CMP_KEY_LINE(cmp_property, struct property)
CMP_KEY_LINE(cmp_si, struct si_row)
CMP_KEY_LINE(cmp_business, struct business)
CMP_KEY_LINE(cmp_pubserv, struct pubservant)
CMP_KEY_LINE(cmp_staffrel, struct staffrel)

static int cmp_member_ref(const void *a, const void *b)
{
    const struct member_ref *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->member < y->member ? -1 : x->member > y->member;
}

static const struct dataset *sort_ds;   /* only for cmp_hukou_no, set before the sort */
static int cmp_hukou_no(const void *a, const void *b)
{
    const struct hukou *h = sort_ds->hukou.v;
    const struct hukou *x = &h[*(const uint32_t *)a], *y = &h[*(const uint32_t *)b];
    int c = strcmp(x->hukou_no, y->hukou_no);
    if (c)
        return c;
    return x->key < y->key ? -1 : x->key > y->key;
}

struct sortjob {
    struct vec *v;
    size_t size;
    int (*cmp)(const void *, const void *);
};

int join_build(struct join *j, struct dataset *d, struct err *e)
{
    memset(j, 0, sizeof *j);
    struct sortjob jobs[] = {
        {&d->vehicles, sizeof(struct vehicle), cmp_vehicle},
        {&d->property, sizeof(struct property), cmp_property},
        {&d->si, sizeof(struct si_row), cmp_si},
        {&d->business, sizeof(struct business), cmp_business},
        {&d->pubservants, sizeof(struct pubservant), cmp_pubserv},
        {&d->staffrels, sizeof(struct staffrel), cmp_staffrel},
    };
    const int n_jobs = (int)(sizeof jobs / sizeof jobs[0]);
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n_jobs; i++)
        if (jobs[i].v->n > 1)
            qsort(jobs[i].v->v, jobs[i].v->n, jobs[i].size, jobs[i].cmp);

    int st;
    /* hukou was sorted by key in normalise_finish(). */
#define BUILD(ix, vecname, type)                                                     \
    st = keyidx_build(&j->ix, d->vecname.v ? &((type *)d->vecname.v)->key : NULL,    \
                      sizeof(type), d->vecname.n, e);                                \
    if (st != E_OK)                                                                  \
        return st
    BUILD(hukou, hukou, struct hukou);
    BUILD(vehicles, vehicles, struct vehicle);
    BUILD(property, property, struct property);
    BUILD(si, si, struct si_row);
    BUILD(business, business, struct business);
    BUILD(pubserv, pubservants, struct pubservant);
    BUILD(staffrel, staffrels, struct staffrel);
#undef BUILD

    size_t nm = d->members.n;
    j->members_by_key = malloc((nm ? nm : 1) * sizeof *j->members_by_key);
    if (!j->members_by_key)
        return ERR(e, E_NOMEM, "out of memory while indexing members");
    const struct member *m = d->members.v;
    for (size_t i = 0; i < nm; i++) {
        j->members_by_key[i].key = m[i].key;
        j->members_by_key[i].member = (uint32_t)i;
    }
    if (nm > 1)
        qsort(j->members_by_key, nm, sizeof *j->members_by_key, cmp_member_ref);
    st = keyidx_build(&j->members, &j->members_by_key[0].key, sizeof(struct member_ref), nm, e);
    if (st != E_OK)
        return st;

    size_t nh = d->hukou.n;
    j->hukou_by_no = malloc((nh ? nh : 1) * sizeof *j->hukou_by_no);
    if (!j->hukou_by_no)
        return ERR(e, E_NOMEM, "out of memory while indexing hukou households");
    for (size_t i = 0; i < nh; i++)
        j->hukou_by_no[i] = (uint32_t)i;
    sort_ds = d;
    if (nh > 1)
        qsort(j->hukou_by_no, nh, sizeof *j->hukou_by_no, cmp_hukou_no);
    sort_ds = NULL;
    j->n_hukou_by_no = nh;
    st = stridx_init(&j->hukou_no, nh / 2 + 16, e);
    if (st != E_OK)
        return st;
    const struct hukou *hk = d->hukou.v;
    for (size_t i = 0; i < nh; i++) {
        if (i > 0 && strcmp(hk[j->hukou_by_no[i]].hukou_no, hk[j->hukou_by_no[i - 1]].hukou_no) == 0)
            continue;
        if (stridx_put(&j->hukou_no, hk[j->hukou_by_no[i]].hukou_no, (uint32_t)i, NULL) < 0)
            return ERR(e, E_NOMEM, "out of memory while indexing hukou households");
    }
    return E_OK;
}

void join_free(struct join *j)
{
    keyidx_free(&j->hukou);
    keyidx_free(&j->vehicles);
    keyidx_free(&j->property);
    keyidx_free(&j->si);
    keyidx_free(&j->business);
    keyidx_free(&j->pubserv);
    keyidx_free(&j->staffrel);
    keyidx_free(&j->members);
    free(j->members_by_key);
    free(j->hukou_by_no);
    stridx_free(&j->hukou_no);
    memset(j, 0, sizeof *j);
}

const struct hukou *join_hukou(const struct join *j, const struct dataset *d, uint64_t key)
{
    struct keyidx_slot s = keyidx_get(&j->hukou, key);
    return s.count ? &VEC_AT(d->hukou, struct hukou, s.first) : NULL;
}
