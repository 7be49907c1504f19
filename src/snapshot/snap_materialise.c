/* snap_materialise.c - the dataset of the households to check, built from
 * the given households and what the snapshot knows about their members
 * (snap_materialise() in snapshot.h).
 *
 * Owns: which snapshot rows a check needs and their conversion back into
 * typed rows (struct dataset), in the order a nightly run would hold them,
 * so join.c and the rules see what they would see in the nightly run.
 * Never: evaluates a rule, reads a byte of the file except through the
 * checked readers of snapshot.c (snap_rows, snap_str, the lookups), trusts
 * a stored value before its range check, prints or exits.
 *
 * The steps, in order (each a function below, sharing struct mat):
 *   1. place_given      the given households' place in the registry
 *   2. find_others      the given members' persons, and the registry
 *                       households (not replaced) they also belong to
 *   3. add_households   households and members, in registry order
 *   4. add_feeds        the feed rows of the members' persons (financial
 *                       assets and funerals too: every date)
 *   5. add_head_hukou   every person of each head's hukou_no
 *   6. add_hukou        the hukou rows, one per person, sorted by key
 *   7. add_policy       standards and holidays, whole; have[] of the inputs
 * Every step returns at its first error; snap_materialise() frees what the
 * steps allocated.
 */
#include "snapshot/snapshot.h"
#include "snapshot/snap_format.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/num.h"
#include "base/sort.h"
#include "contract/idcard.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

struct other {                 /* a registry household (not replaced) of a given member */
    uint32_t hh;
    uint64_t key;
};

static int cmp_other(const void *a, const void *b)
{
    const struct other *x = a, *y = b;
    if (x->hh != y->hh)
        return x->hh < y->hh ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

struct hent {                  /* a household of the materialised dataset */
    uint64_t ord;              /* registry position, or after the registry */
    int32_t given;             /* index in the given dataset, or -1 */
    uint32_t reg;
    size_t o_first, o_n;       /* range in the others array */
};

static int cmp_hent(const void *a, const void *b)
{
    const struct hent *x = a, *y = b;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* What the steps share: the inputs, the output and the work arrays (all
 * malloc'd, freed by snap_materialise). */
struct mat {
    struct snap *s;
    const struct dataset *g;
    struct dataset *out;
    struct err *e;
    uint64_t nreg;             /* households in the registry */
    uint32_t *replaced;        /* registry households replaced by given ones, sorted */
    size_t n_rep;
    uint32_t *mp;              /* given member -> snapshot person, or SNAP_NONE */
    uint32_t *persons;         /* snapshot persons of the given members */
    size_t n_pers;
    struct other *others;
    size_t n_oth, cap_oth;
    struct hent *ents;
    size_t n_ent;
    int32_t *given_of;
    uint32_t *hrows;           /* SEC_HUKOU rows to add */
    size_t n_hrows, cap_hrows;
};

static int oom(struct mat *m)
{
    return ERR(m->e, E_NOMEM, "out of memory while reading the snapshot");
}

/* The step-local helpers: each returns from the step on failure. */
#define PUSH(vecname, type, var)                                                         \
    type *var = vec_push(&m->out->vecname, sizeof(type));                                \
    if (!var)                                                                            \
        return oom(m);

#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        if (!(cond))                                                                     \
            return snap_damaged(m->s, m->e, __VA_ARGS__);                                \
    } while (0)

#define STR(dst, off)                                                                    \
    do {                                                                                 \
        if (!((dst) = snap_str(m->s, (off), m->e)))                                      \
            return m->e->code;                                                           \
    } while (0)

#define ROWS(dst, sec, first, n)                                                         \
    do {                                                                                 \
        if (!((dst) = snap_rows(m->s, (sec), (first), (n), m->e)))                       \
            return m->e->code;                                                           \
    } while (0)

#define TRY(call)                                                                        \
    do {                                                                                 \
        int r_ = (call);                                                                 \
        if (r_ != E_OK)                                                                  \
            return r_;                                                                   \
    } while (0)

/* Room for `more` rows beyond v->n, so the pushes below never move rows. */
static int reserve(struct vec *v, size_t more, size_t size)
{
    if (v->borrowed || v->n + more <= v->cap)
        return 0;
    void *p = realloc(v->v, (v->n + more) * size);
    if (!p)
        return -1;
    v->v = p;
    v->cap = v->n + more;
    return 0;
}

static char *id_text(struct dataset *out, uint64_t key)
{
    char *id = arena_alloc(&out->arena, 19);
    if (id)
        id_from_key(key, id);
    return id;
}

/* 1. given households: their place in the registry */
static int place_given(struct mat *m)
{
    const struct household *gh = m->g->households.v;
    for (size_t i = 0; i < m->g->households.n; i++) {
        uint32_t reg;
        TRY(snap_find_household(m->s, gh[i].id, &reg, m->e));
        CHECK(reg == SNAP_NONE || reg < m->nreg, "household index %u out of range", reg);
        m->ents[m->n_ent++] =
            (struct hent){reg != SNAP_NONE ? reg : m->nreg + i, (int32_t)i, reg, 0, 0};
        if (reg != SNAP_NONE)
            m->replaced[m->n_rep++] = reg;
    }
    qsort(m->replaced, m->n_rep, sizeof *m->replaced, cmp_u32);
    return E_OK;
}

static int add_other(struct mat *m, uint32_t hh, uint64_t key)
{
    if (m->n_oth == m->cap_oth) {
        size_t nc = m->cap_oth ? m->cap_oth * 2 : 64;
        struct other *no = realloc(m->others, nc * sizeof *no);
        if (!no)
            return oom(m);
        m->others = no;
        m->cap_oth = nc;
    }
    m->others[m->n_oth++] = (struct other){hh, key};
    return E_OK;
}

/* 2. given members: their person in the snapshot, and the registry
 * households (other than those replaced) they belong to, one entry per
 * such household after the given ones */
static int find_others(struct mat *m)
{
    const struct member *gm = m->g->members.v;
    for (size_t j = 0; j < m->g->members.n; j++) {
        m->mp[j] = SNAP_NONE;
        if (!gm[j].key)
            continue;
        TRY(snap_find_person(m->s, gm[j].key, &m->mp[j], m->e));
        if (m->mp[j] == SNAP_NONE)
            continue;
        m->persons[m->n_pers++] = m->mp[j];
        uint32_t first, n;
        TRY(snap_person_range(m->s, m->mp[j], PF_MEMBERSHIPS, &first, &n, m->e));
        const uint32_t *hhs;
        ROWS(hhs, SEC_MEMBERSHIPS, first, n);
        for (uint32_t k = 0; k < n; k++) {
            CHECK(hhs[k] < m->nreg, "membership of household %u out of range", hhs[k]);
            if (bsearch(&hhs[k], m->replaced, m->n_rep, sizeof *m->replaced, cmp_u32))
                continue;
            TRY(add_other(m, hhs[k], gm[j].key));
        }
    }
    if (m->n_oth)
        qsort(m->others, m->n_oth, sizeof *m->others, cmp_other);
    size_t w = 0;
    for (size_t i = 0; i < m->n_oth; i++)
        if (w == 0 || cmp_other(&m->others[w - 1], &m->others[i]) != 0)
            m->others[w++] = m->others[i];
    m->n_oth = w;
    if (m->n_oth) {
        struct hent *ne =
            realloc(m->ents, (m->g->households.n + m->n_oth + 1) * sizeof *ne);
        if (!ne)
            return oom(m);
        m->ents = ne;
    }
    for (size_t i = 0; i < m->n_oth;) {
        size_t k = i;
        while (k < m->n_oth && m->others[k].hh == m->others[i].hh)
            k++;
        m->ents[m->n_ent++] = (struct hent){m->others[i].hh, -1, m->others[i].hh, i, k - i};
        i = k;
    }
    qsort(m->ents, m->n_ent, sizeof *m->ents, cmp_hent);
    return E_OK;
}

/* A registry household (id, status) of a given member, with a member row
 * for each given person in it: not judged, only there to show the person's
 * other households. */
static int add_registry_household(struct mat *m, const struct hent *en, size_t k)
{
    const struct sp_household *sh;
    const char *hid;
    ROWS(sh, SEC_HOUSEHOLDS, en->reg, 1);
    CHECK(sh->status < N_HS, "household %u: status out of range", en->reg);
    STR(hid, sh->id);
    PUSH(households, struct household, hh);
    hh->id = hid;
    hh->region = "000000000000";   /* not judged: only here as another household */
    hh->status = sh->status;
    hh->approved_on = DATE_NONE;
    hh->caseworker = "";
    for (size_t q = 0; q < en->o_n; q++) {
        const struct other *o = &m->others[en->o_first + q];
        char *id = id_text(m->out, o->key);
        if (!id)
            return oom(m);
        PUSH(members, struct member, mb);
        mb->hh = (uint32_t)k;
        mb->key = o->key;
        mb->id = id;
        mb->name = "";
        mb->relation = REL_OTHER;
        mb->work_ability = WA_NONE;
        mb->id_status = ID_OK;
    }
    return E_OK;
}

/* 3. households and members, in registry order */
static int add_households(struct mat *m)
{
    const struct household *gh = m->g->households.v;
    const struct member *gm = m->g->members.v;
    struct dataset *out = m->out;
    /* members get room for one at least: households with no member row at
     * all still point at members.v + 0 (the rules VM takes that address, and
     * NULL + 0 is undefined) */
    if (reserve(&out->households, m->n_ent, sizeof(struct household)) ||
        reserve(&out->members, m->g->members.n + m->n_oth + 1, sizeof(struct member)))
        return oom(m);
    m->given_of = malloc((m->n_ent ? m->n_ent : 1) * sizeof *m->given_of);
    if (!m->given_of)
        return oom(m);
    for (size_t k = 0; k < m->n_ent; k++) {
        const struct hent *en = &m->ents[k];
        size_t first_member = out->members.n;
        m->given_of[k] = en->given;
        if (en->given >= 0) {
            const struct household *src = &gh[en->given];
            PUSH(households, struct household, hh);
            *hh = *src;
            for (uint32_t q = 0; q < src->n_members; q++) {
                PUSH(members, struct member, mb);
                *mb = gm[src->first_member + q];
                mb->hh = (uint32_t)k;
            }
        } else {
            TRY(add_registry_household(m, en, k));
        }
        struct household *hh = &VEC_AT(out->households, struct household, k);
        hh->first_member = (uint32_t)first_member;
        hh->n_members = (uint32_t)(out->members.n - first_member);
    }
    return E_OK;
}

/* Size the feed row arrays once for the persons' rows. */
static int reserve_feeds(struct mat *m)
{
    size_t need[N_PF] = {0};
    for (size_t i = 0; i < m->n_pers; i++)
        for (int f = 0; f < PF_MEMBERSHIPS; f++) {
            uint32_t first, n;
            TRY(snap_person_range(m->s, m->persons[i], f, &first, &n, m->e));
            need[f] += n;
        }
    struct dataset *out = m->out;
    if (reserve(&out->vehicles, need[PF_VEHICLES], sizeof(struct vehicle)) ||
        reserve(&out->property, need[PF_PROPERTY], sizeof(struct property)) ||
        reserve(&out->si, need[PF_SI], sizeof(struct si_row)) ||
        reserve(&out->business, need[PF_BUSINESS], sizeof(struct business)) ||
        reserve(&out->pubservants, need[PF_PUBSERV], sizeof(struct pubservant)) ||
        reserve(&out->staffrels, need[PF_STAFFREL], sizeof(struct staffrel)) ||
        reserve(&out->finassets, need[PF_FINASSETS], sizeof(struct finasset)) ||
        reserve(&out->funerals, need[PF_FUNERAL], sizeof(struct funeral)))
        return oom(m);
    return E_OK;
}

/* One person's rows of each feed, as typed rows with the person's key. */
static int add_person_feeds(struct mat *m, uint32_t pi, uint64_t key)
{
    uint32_t first, n;

    TRY(snap_person_range(m->s, pi, PF_VEHICLES, &first, &n, m->e));
    const struct sp_vehicle *v;
    ROWS(v, SEC_VEHICLES, first, n);
    for (uint32_t k = 0; k < n; k++) {
        CHECK(v[k].vclass < N_VC && v[k].use < N_VU && v[k].status < N_VS,
              "vehicle row %u: value out of range", first + k);
        PUSH(vehicles, struct vehicle, o);
        o->key = key;
        STR(o->plate, v[k].plate);
        o->vclass = v[k].vclass;
        o->use = v[k].use;
        o->status = v[k].status;
        o->registered_on = v[k].registered_on;
        o->value_fen = v[k].value_fen;
        o->line = v[k].line;
    }

    TRY(snap_person_range(m->s, pi, PF_PROPERTY, &first, &n, m->e));
    const struct sp_property *pr;
    ROWS(pr, SEC_PROPERTY, first, n);
    for (uint32_t k = 0; k < n; k++) {
        CHECK(pr[k].usage < N_US && pr[k].status < N_PS && pr[k].share_nano > 0 &&
                  pr[k].share_nano <= SHARE_ONE && pr[k].area_h >= 0,
              "property row %u: value out of range", first + k);
        PUSH(property, struct property, o);
        o->key = key;
        STR(o->property_id, pr[k].property_id);
        o->usage = pr[k].usage;
        o->status = pr[k].status;
        o->registered_on = pr[k].registered_on;
        o->area_h = pr[k].area_h;
        o->share_nano = pr[k].share_nano;
        o->line = pr[k].line;
    }

    TRY(snap_person_range(m->s, pi, PF_SI, &first, &n, m->e));
    const struct sp_si *si;
    ROWS(si, SEC_SI, first, n);
    for (uint32_t k = 0; k < n; k++) {
        CHECK(si[k].kind < N_SI, "social insurance row %u: kind out of range", first + k);
        PUSH(si, struct si_row, o);
        o->key = key;
        o->month = si[k].month;
        o->kind = si[k].kind;
        o->amount_fen = si[k].amount_fen;
        o->line = si[k].line;
    }

    TRY(snap_person_range(m->s, pi, PF_BUSINESS, &first, &n, m->e));
    const struct sp_business *b;
    ROWS(b, SEC_BUSINESS, first, n);
    for (uint32_t k = 0; k < n; k++) {
        CHECK(b[k].role < N_BR && b[k].status < N_BS, "business row %u: value out of range",
              first + k);
        PUSH(business, struct business, o);
        o->key = key;
        STR(o->entity, b[k].entity);
        o->role = b[k].role;
        o->status = b[k].status;
        o->capital_fen = b[k].capital_fen;
        o->line = b[k].line;
    }

    TRY(snap_person_range(m->s, pi, PF_PUBSERV, &first, &n, m->e));
    const struct sp_pubserv *ps;
    ROWS(ps, SEC_PUBSERV, first, n);
    for (uint32_t k = 0; k < n; k++) {
        PUSH(pubservants, struct pubservant, o);
        o->key = key;
        STR(o->employer, ps[k].employer);
        o->since = ps[k].since;
        o->line = ps[k].line;
    }

    TRY(snap_person_range(m->s, pi, PF_STAFFREL, &first, &n, m->e));
    const struct sp_staffrel *sr;
    ROWS(sr, SEC_STAFFREL, first, n);
    for (uint32_t k = 0; k < n; k++) {
        PUSH(staffrels, struct staffrel, o);
        o->key = key;
        STR(o->caseworker, sr[k].caseworker);
        STR(o->relation, sr[k].relation);
        o->line = sr[k].line;
    }
    return E_OK;
}

/* One person's rows of the dated feeds (financial assets, funerals),
 * every date (the rules pick by the check's as-of date). */
static int add_person_dated(struct mat *m, uint32_t pi, uint64_t key)
{
    uint32_t first, n;

    TRY(snap_person_range(m->s, pi, PF_FINASSETS, &first, &n, m->e));
    const struct sp_finasset *fa;
    ROWS(fa, SEC_FINASSETS, first, n);
    for (uint32_t k = 0; k < n; k++) {
        CHECK(fa[k].asset_type < N_AT && fa[k].balance_fen >= 0,
              "financial assets row %u: value out of range", first + k);
        PUSH(finassets, struct finasset, o);
        o->key = key;
        STR(o->institution, fa[k].institution);
        STR(o->account_no, fa[k].account_no);
        o->asset_type = fa[k].asset_type;
        o->balance_date = fa[k].balance_date;
        o->balance_fen = fa[k].balance_fen;
        o->line = fa[k].line;
    }

    TRY(snap_person_range(m->s, pi, PF_FUNERAL, &first, &n, m->e));
    const struct sp_funeral *fu;
    ROWS(fu, SEC_FUNERAL, first, n);
    for (uint32_t k = 0; k < n; k++) {
        CHECK(fu[k].kind < N_FK, "funeral row %u: kind out of range", first + k);
        PUSH(funerals, struct funeral, o);
        o->key = key;
        STR(o->name, fu[k].name);
        o->event_date = fu[k].event_date;
        o->kind = fu[k].kind;
        o->line = fu[k].line;
    }
    return E_OK;
}

/* 4. the feed rows of the members' persons (each person once, in person
 * order, i.e. key order); their hukou rows go to hrows for step 6 */
static int add_feeds(struct mat *m)
{
    qsort(m->persons, m->n_pers, sizeof *m->persons, cmp_u32);
    size_t w = 0;
    for (size_t i = 0; i < m->n_pers; i++)
        if (w == 0 || m->persons[w - 1] != m->persons[i])
            m->persons[w++] = m->persons[i];
    m->n_pers = w;
    TRY(reserve_feeds(m));
    m->cap_hrows = m->n_pers + 16;
    m->hrows = malloc(m->cap_hrows * sizeof *m->hrows);
    if (!m->hrows)
        return oom(m);
    for (size_t i = 0; i < m->n_pers; i++) {
        uint32_t pi = m->persons[i];
        const struct sp_person *sp;
        ROWS(sp, SEC_PERSONS, pi, 1);
        const uint64_t key = sp->key;
        CHECK(key != 0, "person %u has no key", pi);
        if (sp->hukou != SNAP_NONE) {
            CHECK(sp->hukou < m->s->h->sec[SEC_HUKOU].count,
                  "person %u: hukou row out of range", pi);
            m->hrows[m->n_hrows++] = sp->hukou;
        }
        TRY(add_person_feeds(m, pi, key));
        TRY(add_person_dated(m, pi, key));
    }
    return E_OK;
}

static int add_hrow(struct mat *m, uint32_t row)
{
    if (m->n_hrows == m->cap_hrows) {
        size_t nc = m->cap_hrows * 2;
        uint32_t *nr = realloc(m->hrows, nc * sizeof *nr);
        if (!nr)
            return oom(m);
        m->hrows = nr;
        m->cap_hrows = nc;
    }
    m->hrows[m->n_hrows++] = row;
    return E_OK;
}

/* 5. every person of each head's hukou_no (the head's hukou household) */
static int add_head_hukou(struct mat *m)
{
    const struct household *gh = m->g->households.v;
    const struct member *gm = m->g->members.v;
    for (size_t i = 0; i < m->g->households.n; i++) {
        const struct member *head = NULL;
        uint32_t hp = SNAP_NONE;
        for (uint32_t q = 0; q < gh[i].n_members; q++)
            if (gm[gh[i].first_member + q].relation == REL_HEAD) {
                head = &gm[gh[i].first_member + q];
                hp = m->mp[gh[i].first_member + q];
                break;
            }
        if (!head || hp == SNAP_NONE)
            continue;
        const struct sp_person *sp;
        ROWS(sp, SEC_PERSONS, hp, 1);
        if (sp->hukou == SNAP_NONE)
            continue;
        const struct sp_hukou *hr;
        ROWS(hr, SEC_HUKOU, sp->hukou, 1);
        const uint32_t no_off = hr->hukou_no;
        const char *no;
        STR(no, no_off);
        uint32_t pos;
        TRY(snap_find_hukou_group(m->s, no, no_off, &pos, m->e));
        CHECK(pos != SNAP_NONE, "hukou_no index is missing a hukou household");
        const uint64_t nh = m->s->h->sec[SEC_HUKOU].count;
        for (uint64_t k = pos; k < nh; k++) {
            ROWS(hr, SEC_HUKOU, k, 1);
            if (hr->hukou_no != no_off)
                break;
            TRY(add_hrow(m, (uint32_t)k));
        }
    }
    return E_OK;
}

/* 6. the hukou rows, one per person, sorted by key (as normalise_finish
 * leaves them) */
static int add_hukou(struct mat *m)
{
    struct snap *s = m->s;
    qsort(m->hrows, m->n_hrows, sizeof *m->hrows, cmp_u32);
    for (size_t i = 0; i < m->n_hrows; i++) {
        const uint32_t row = m->hrows[i];
        if (i > 0 && row == m->hrows[i - 1])
            continue;
        const struct sp_hukou *hr;
        ROWS(hr, SEC_HUKOU, row, 1);
        CHECK(hr->person < s->h->n_persons && hr->relation < N_REL && hr->status < N_HK,
              "hukou row %u: value out of range", row);
        const struct sp_person *sp;
        ROWS(sp, SEC_PERSONS, hr->person, 1);
        CHECK(sp->key != 0 && sp->hukou == row, "hukou row %u: person mismatch", row);
        char *id = id_text(m->out, sp->key);
        if (!id)
            return oom(m);
        PUSH(hukou, struct hukou, o);
        o->key = sp->key;
        o->id = id;
        STR(o->name, hr->name);
        STR(o->hukou_no, hr->hukou_no);
        o->no_code = hukou_no_code(o->hukou_no);
        STR(o->region, hr->region);
        CHECK(strlen(o->region) == 12, "hukou row %u: region out of range", row);
        o->relation = hr->relation;
        o->status = hr->status;
        o->status_date = hr->status_date;
        o->line = hr->line;
    }
    return radix_sort_u64(m->out->hukou.v, m->out->hukou.n, sizeof(struct hukou),
                          offsetof(struct hukou, key), m->e);
}

/* 7. policy tables, whole, and the presence of each input at build time */
static int add_policy(struct mat *m, int have[N_INPUT])
{
    struct snap *s = m->s;
    const uint64_t nstd = s->h->sec[SEC_STANDARDS].count;
    const struct sp_standard *sd;
    ROWS(sd, SEC_STANDARDS, 0, nstd);
    for (uint64_t k = 0; k < nstd; k++) {
        PUSH(standards, struct standard, o);
        STR(o->prefix, sd[k].prefix);
        CHECK((sd[k].prefix_len == 6 || sd[k].prefix_len == 9 || sd[k].prefix_len == 12) &&
                  strlen(o->prefix) == (size_t)sd[k].prefix_len && sd[k].area >= 0 &&
                  sd[k].area < N_AREA,
              "standards row %llu: value out of range", (unsigned long long)k);
        o->prefix_len = sd[k].prefix_len;
        o->area = sd[k].area;
        o->effective_from = sd[k].effective_from;
        o->monthly_fen = sd[k].monthly_fen;
        o->line = sd[k].line;
    }
    const uint64_t nhol = s->h->sec[SEC_HOLIDAYS].count;
    const struct sp_holiday *hd;
    ROWS(hd, SEC_HOLIDAYS, 0, nhol);
    for (uint64_t k = 0; k < nhol; k++) {
        CHECK(hd[k].kind >= 0 && hd[k].kind < N_HOL, "holidays row %llu: kind out of range",
              (unsigned long long)k);
        PUSH(holidays, struct holiday, o);
        o->date = hd[k].date;
        o->kind = hd[k].kind;
    }

    const struct sp_input *in;
    TRY(snap_input_rows(s, &in, m->e));
    for (int f = 0; f < N_INPUT; f++) {
        have[f] = in[f].present != 0;
        m->out->files[f].present = have[f];
    }
    return E_OK;
}

int snap_materialise(struct snap *s, const struct dataset *g, struct dataset *out,
                     int32_t **given_of_out, int have[N_INPUT], struct err *e)
{
    const size_t ng = g->households.n, ngm = g->members.n;
    struct mat m;
    memset(&m, 0, sizeof m);
    m.s = s;
    m.g = g;
    m.out = out;
    m.e = e;
    m.nreg = s->h->n_households;
    *given_of_out = NULL;

    int r = E_OK;
    m.replaced = malloc((ng ? ng : 1) * sizeof *m.replaced);
    m.mp = malloc((ngm ? ngm : 1) * sizeof *m.mp);
    m.persons = malloc((ngm ? ngm : 1) * sizeof *m.persons);
    m.ents = malloc((ng + ngm + 1) * sizeof *m.ents);
    if (!m.replaced || !m.mp || !m.persons || !m.ents)
        r = oom(&m);
    if (r == E_OK && (r = place_given(&m)) == E_OK && (r = find_others(&m)) == E_OK &&
        (r = add_households(&m)) == E_OK && (r = add_feeds(&m)) == E_OK &&
        (r = add_head_hukou(&m)) == E_OK && (r = add_hukou(&m)) == E_OK &&
        (r = add_policy(&m, have)) == E_OK) {
        *given_of_out = m.given_of;
        m.given_of = NULL;
    }
    free(m.replaced);
    free(m.mp);
    free(m.persons);
    free(m.hrows);
    free(m.others);
    free(m.ents);
    free(m.given_of);
    return r;
}
