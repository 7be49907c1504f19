/* vm_run.c - the driver of the rules VM: every household and candidate,
 * on OpenMP threads, through the compiled program (vm.h).
 *
 * Owns: the units and the run's facts that do not depend on the policy
 * (the contract's data model): a household's counted members,
 * head and standard (computed once, read by the program through BUILTIN);
 * households without a standard and candidates without one, or absent from
 * hukou / not `normal` (skipped), for the manifest; which feeds hold each
 * member (person_masks, so the VM reads no index for a person it lacks);
 * the prefetch of the next households' index slots (only a hint); the
 * final sort.  Which rules
 * fire and what they say is the program's.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/vm.h"
#include "engine/vm_int.h"
#include "policy/lang.h"

static void pf_slot(const struct keyidx *ix, uint64_t key)
{
    if (ix->slots)
        __builtin_prefetch(&ix->slots[keyidx_home(ix, key)]);
}

static void pf_rows(const struct keyidx *ix, const void *rows, size_t size, uint64_t key)
{
    struct keyidx_slot s = keyidx_get(ix, key);
    if (s.count)
        __builtin_prefetch((const char *)rows + (size_t)s.first * size);
}

/* household i+2's slots, then household i+1's first rows: only of the
 * feeds that hold the member (pmask), and the member's hukou row */
static void prefetch_household(const struct frame *f, uint32_t hi, int stage)
{
    const struct eval_ctx *c = f->c;
    const struct household *h = &VEC_AT(c->d->households, struct household, hi);
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    const struct join *j = c->j;
    static const int feeds[] = {F_SI, F_PROPERTY, F_VEHICLES, F_FINASSETS, F_BUSINESS,
                                F_PUBSERV};
    for (uint32_t i = 0; i < h->n_members; i++) {
        uint64_t k = ms[i].key;
        if (!k)
            continue;
        unsigned m = f->pmask[h->first_member + i];
        if (stage == 0) {
            for (size_t q = 0; q < sizeof feeds / sizeof *feeds; q++)
                if (m & (1u << feeds[q]))
                    pf_slot(f->feed[feeds[q]].ix, k);
            if (!(m & PM_ONE_HH))
                pf_slot(&j->members, k);
        } else {
            const struct hukou *hk = join_member_hukou(j, c->d, &ms[i]);
            if (hk)
                __builtin_prefetch(hk);
            for (size_t q = 0; q < sizeof feeds / sizeof *feeds; q++)
                if (m & (1u << feeds[q]))
                    pf_rows(f->feed[feeds[q]].ix, f->feed[feeds[q]].rows, f->feed[feeds[q]].size,
                            k);
            if (!(m & PM_ONE_HH))
                pf_rows(&j->members, j->members_by_key, sizeof(struct member_ref), k);
        }
    }
}

/* Which feeds have rows for each registry member (vm_int.h struct frame
 * pmask).  Most members have no rows in most feeds, and a miss in a
 * linear-probing index reads ~5 slots at a random place: a cache miss and,
 * on this size of table, a TLB miss, for nothing.  Here every member is
 * looked up once per feed in the order of its key's hash, which is the
 * order of its home slot in every index (keyidx_home scales the hash), so
 * each index is read from start to end like an array; the VM then reads
 * an index only for a person it holds.  Only an optimisation: the masks
 * say what keyidx_get says. */
static int person_masks(const struct eval_ctx *c, const struct vm_feed *feed, uint16_t **out,
                        struct err *e)
{
    const struct member *ms = c->d->members.v;
    const size_t n = c->d->members.n;
    enum { BITS = 16 };
    uint16_t *mask = calloc(n ? n : 1, sizeof *mask);
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint64_t *okey = malloc((n ? n : 1) * sizeof *okey);   /* the keys in that order: no
                                                              random read of a member */
    size_t *start = calloc(((size_t)1 << BITS) + 1, sizeof *start);
    if (!mask || !order || !okey || !start) {
        free(mask);
        free(order);
        free(okey);
        free(start);
        return ERR(e, E_NOMEM, "out of memory while starting rule evaluation");
    }
    size_t nk = 0;
    for (size_t i = 0; i < n; i++)
        if (ms[i].key) {
            start[(idx_hash64(ms[i].key) >> (64 - BITS)) + 1]++;
            nk++;
        }
    for (size_t b = 1; b <= (size_t)1 << BITS; b++)
        start[b] += start[b - 1];
    for (size_t i = 0; i < n; i++)
        if (ms[i].key) {
            size_t at = start[idx_hash64(ms[i].key) >> (64 - BITS)]++;
            order[at] = (uint32_t)i;
            okey[at] = ms[i].key;
        }
    const struct keyidx *mx = &c->j->members;
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < nk; k++) {
        uint64_t key = okey[k];
        unsigned m = 0;
        for (int f = 0; f < N_FEEDS; f++)
            if (keyidx_get(feed[f].ix, key).count)
                m |= 1u << f;
        if (keyidx_get(mx, key).count == 1)
            m |= PM_ONE_HH;
        mask[order[k]] = (uint16_t)m;
    }
    free(okey);
    free(order);
    free(start);
    *out = mask;
    return E_OK;
}

static int push_u32(struct vec *v, uint32_t x, struct err *e)
{
    uint32_t *p = vec_push(v, sizeof *p);
    if (!p)
        return ERR(e, E_NOMEM, "out of memory while evaluating rules");
    *p = x;
    return E_OK;
}

/* standard_lookup(region, area, as-of) through f's memo: the same row (the
 * lookup depends on nothing else during a run), one hash and one strcmp
 * instead of a prefix compare per standard. */
static const struct standard *std_for(struct frame *f, const char *region, int area)
{
    const struct eval_ctx *c = f->c;
    uint32_t h = 2166136261u ^ (uint32_t)area;
    for (const unsigned char *s = (const unsigned char *)region; *s; s++)
        h = (h ^ *s) * 16777619u;
    struct std_memo *m = &f->smemo[(h ^ (h >> 16)) & 255];
    if (m->region && m->area == area && strcmp(m->region, region) == 0)
        return m->std;
    m->std = standard_lookup(c->d->standards.v, c->d->standards.n, region, area, c->as_of);
    m->region = region;
    m->area = area;
    return m->std;
}

static int judge_household(struct frame *f, uint32_t hi)
{
    const struct eval_ctx *c = f->c;
    const struct household *h = &VEC_AT(c->d->households, struct household, hi);
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    f->hh = h;
    f->hi = hi;
    f->cand = NULL;
    f->size = 0;
    f->head = NULL;
    f->head_hukou_no = "";
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct hukou *hk = join_member_hukou(c->j, c->d, &ms[i]);
        if (!f->head && ms[i].relation == REL_HEAD) {
            f->head = &ms[i];
            f->head_hukou_no = hk ? hk->hukou_no : "";
        }
        f->size += !hk || hk->status == HK_NORMAL;
    }
    f->std = std_for(f, h->region, h->area);
    if (!f->std && push_u32(&f->t->no_std_hh, hi, &f->t->e) != E_OK)
        return E_NOMEM;
    f->unit_first = f->t->flags.n;
    f->unit_name = h->id;
    int e = h->status == HS_CANCELLED ? ENTRY_CANCELLED : ENTRY_ROLLS;
    f->r[f->P->reg_unit].p = h;
    f->r[f->P->reg_unit].miss = 0;
    return vm_exec(f, f->P->entry[e][0], f->P->entry[e][1]) < 0 ? f->t->e.code : E_OK;
}

static int judge_candidate(struct frame *f, uint32_t ci)
{
    const struct eval_ctx *c = f->c;
    const struct candidate *cd = &VEC_AT(c->d->candidates, struct candidate, ci);
    const struct hukou *hk = join_candidate_hukou(c->j, c->d, ci);
    if (!hk || hk->status != HK_NORMAL) {
        f->t->cand_skipped++;
        return E_OK;
    }
    f->hh = NULL;
    f->cand = cd;
    f->ci = ci;
    f->cstd = std_for(f, cd->region, cd->area);
    if (!f->cstd)
        return push_u32(&f->t->no_std_cand, ci, &f->t->e);
    f->unit_first = f->t->flags.n;
    f->unit_name = cd->id;
    f->r[f->P->reg_unit].p = cd;
    f->r[f->P->reg_unit].miss = 0;
    return vm_exec(f, f->P->entry[ENTRY_CANDIDATE][0], f->P->entry[ENTRY_CANDIDATE][1]) < 0
               ? f->t->e.code
               : E_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int frame_init(struct frame *f, const struct eval_ctx *c, const struct prog *P,
                      struct tout *t)
{
    memset(f, 0, offsetof(struct frame, b));
    memset(f->smemo, 0, sizeof f->smemo);
    f->c = c;
    f->P = P;
    f->t = t;
    const struct dataset *d = c->d;
    const struct join *jn = c->j;
    const struct vm_feed feeds[N_FEEDS] = {
        [F_VEHICLES] = {&jn->feed[IN_VEHICLES], d->vehicles.v, sizeof(struct vehicle)},
        [F_PROPERTY] = {&jn->feed[IN_PROPERTY], d->property.v, sizeof(struct property)},
        [F_SI] = {&jn->feed[IN_SI], d->si.v, sizeof(struct si_row)},
        [F_BUSINESS] = {&jn->feed[IN_BUSINESS], d->business.v, sizeof(struct business)},
        [F_PUBSERV] = {&jn->feed[IN_PUBSERV], d->pubservants.v, sizeof(struct pubservant)},
        [F_STAFFREL] = {&jn->feed[IN_STAFFREL], d->staffrels.v, sizeof(struct staffrel)},
        [F_FINASSETS] = {&jn->feed[IN_FINASSETS], d->finassets.v, sizeof(struct finasset)},
        [F_FUNERAL] = {&jn->feed[IN_FUNERAL], d->funerals.v, sizeof(struct funeral)},
    };
    memcpy(f->feed, feeds, sizeof feeds);
    f->rbase = calloc((size_t)P->ncregs + (size_t)P->nregs + 1, sizeof *f->rbase);
    f->memo = calloc((size_t)P->nmemo + 1, 1);
    f->lists = calloc((size_t)P->nlists + 1, sizeof *f->lists);
    if (!f->rbase || !f->memo || !f->lists)
        return -1;
    f->r = f->rbase + P->ncregs;
    for (int j = 0; j < P->ncregs; j++)
        f->r[-(j + 1)] = P->cregs[j];
    return 0;
}

static void frame_free(struct frame *f)
{
    if (f->lists)
        for (int i = 0; i < f->P->nlists; i++)
            free(f->lists[i].v);
    free(f->lists);
    free(f->memo);
    free(f->rbase);
}

int vm_run(const struct eval_ctx *c, const struct prog *P, struct eval_result *r,
           struct err *e)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < n_rules; i++)
        r->by.severity[i] = P->severity[i];
    int nt = omp_get_max_threads();
    struct tout *t = calloc((size_t)nt, sizeof *t);
    struct frame *fr = calloc((size_t)nt, sizeof *fr);
    r->arenas = calloc((size_t)nt, sizeof *r->arenas);
    if (!t || !fr || !r->arenas) {
        free(t);
        free(fr);
        free(r->arenas);
        r->arenas = NULL;
        return ERR(e, E_NOMEM, "out of memory while starting rule evaluation");
    }
    r->n_arenas = nt;
    int st = E_OK;
    for (int i = 0; i < nt; i++) {
        arena_init(&r->arenas[i], (size_t)1 << 20);
        t[i].arena = &r->arenas[i];
        err_init(&t[i].e);
        if (frame_init(&fr[i], c, P, &t[i]) != 0 && st == E_OK)
            st = ERR(e, E_NOMEM, "out of memory while starting rule evaluation");
    }
    uint16_t *pmask = NULL;
    if (st == E_OK)
        st = person_masks(c, fr[0].feed, &pmask, e);
    for (int i = 0; i < nt && st == E_OK; i++)
        fr[i].pmask = pmask;
    const long long n_hh = (long long)c->d->households.n;
    const long long n_cand = c->have[IN_CANDIDATES] ? (long long)c->d->candidates.n : 0;
    if (st == E_OK) {
#pragma omp parallel num_threads(nt)
        {
            int me = omp_get_thread_num();
            struct tout *mt = &t[me];
#pragma omp for schedule(dynamic, 256)
            for (long long i = 0; i < n_hh; i++) {
                if (i + 2 < n_hh)
                    prefetch_household(&fr[me], (uint32_t)(i + 2), 0);
                if (i + 1 < n_hh)
                    prefetch_household(&fr[me], (uint32_t)(i + 1), 1);
                if (mt->status == E_OK)
                    mt->status = judge_household(&fr[me], (uint32_t)i);
            }
#pragma omp for schedule(dynamic, 256)
            for (long long i = 0; i < n_cand; i++)
                if (mt->status == E_OK)
                    mt->status = judge_candidate(&fr[me], (uint32_t)i);
        }
    }
    size_t total = 0, total_nh = 0, total_nc = 0;
    for (int i = 0; i < nt; i++) {
        if (t[i].status != E_OK && st == E_OK) {
            *e = t[i].e;
            st = t[i].status;
        }
        total += t[i].flags.n;
        total_nh += t[i].no_std_hh.n;
        total_nc += t[i].no_std_cand.n;
        r->candidates_skipped_not_in_hukou += t[i].cand_skipped;
    }
    if (st == E_OK) {
        r->flags = malloc((total ? total : 1) * sizeof *r->flags);
        r->no_std_households = malloc((total_nh ? total_nh : 1) * sizeof(uint32_t));
        r->no_std_candidates = malloc((total_nc ? total_nc : 1) * sizeof(uint32_t));
        if (!r->flags || !r->no_std_households || !r->no_std_candidates)
            st = ERR(e, E_NOMEM, "out of memory while collecting flags");
    }
    if (st == E_OK) {
        for (int i = 0; i < nt; i++) {
            if (t[i].flags.n)
                memcpy(r->flags + r->n_flags, t[i].flags.v, t[i].flags.n * sizeof *r->flags);
            r->n_flags += t[i].flags.n;
            if (t[i].no_std_hh.n)
                memcpy(r->no_std_households + r->n_no_std_households, t[i].no_std_hh.v,
                       t[i].no_std_hh.n * sizeof(uint32_t));
            r->n_no_std_households += t[i].no_std_hh.n;
            if (t[i].no_std_cand.n)
                memcpy(r->no_std_candidates + r->n_no_std_candidates, t[i].no_std_cand.v,
                       t[i].no_std_cand.n * sizeof(uint32_t));
            r->n_no_std_candidates += t[i].no_std_cand.n;
        }
        qsort(r->flags, r->n_flags, sizeof *r->flags, flag_cmp);
        qsort(r->no_std_households, r->n_no_std_households, sizeof(uint32_t), cmp_u32);
        qsort(r->no_std_candidates, r->n_no_std_candidates, sizeof(uint32_t), cmp_u32);
        for (size_t i = 0; i < r->n_flags; i++)
            r->rule_count[r->flags[i].rule]++;
    }
    for (int i = 0; i < nt; i++) {
        vec_free(&t[i].flags);
        vec_free(&t[i].no_std_hh);
        vec_free(&t[i].no_std_cand);
        if (fr[i].P)
            frame_free(&fr[i]);
    }
    free(pmask);
    free(t);
    free(fr);
    return st;
}

/* One unit on this thread, with explain's recorder: the same frame, unit
 * facts and collection as vm_run, for one household or candidate. */
int vm_judge_one(const struct eval_ctx *c, const struct prog *P, int candidate, uint32_t index,
                 struct vm_trace *tr, struct eval_result *r, int *skipped, struct err *e)
{
    memset(r, 0, sizeof *r);
    *skipped = 0;
    struct tout t;
    memset(&t, 0, sizeof t);
    struct frame *f = calloc(1, sizeof *f);
    r->arenas = calloc(1, sizeof *r->arenas);
    if (!f || !r->arenas) {
        free(f);
        free(r->arenas);
        r->arenas = NULL;
        return ERR(e, E_NOMEM, "out of memory while explaining");
    }
    r->n_arenas = 1;
    arena_init(&r->arenas[0], (size_t)64 << 10);
    t.arena = &r->arenas[0];
    err_init(&t.e);
    int st = E_OK;
    if (frame_init(f, c, P, &t) != 0)
        st = ERR(e, E_NOMEM, "out of memory while explaining");
    f->trace = tr;
    if (st == E_OK) {
        st = candidate ? judge_candidate(f, index) : judge_household(f, index);
        if (st != E_OK)
            *e = t.e;
        if (candidate && t.cand_skipped)
            *skipped = 1;
        else if (candidate && t.no_std_cand.n)
            *skipped = 2;
    }
    if (st == E_OK && t.flags.n) {
        r->flags = malloc(t.flags.n * sizeof *r->flags);
        if (!r->flags) {
            st = ERR(e, E_NOMEM, "out of memory while explaining");
        } else {
            memcpy(r->flags, t.flags.v, t.flags.n * sizeof *r->flags);
            r->n_flags = t.flags.n;
            qsort(r->flags, r->n_flags, sizeof *r->flags, flag_cmp);
            for (size_t i = 0; i < r->n_flags; i++)
                r->rule_count[r->flags[i].rule]++;
        }
    }
    vec_free(&t.flags);
    vec_free(&t.no_std_hh);
    vec_free(&t.no_std_cand);
    if (f->P)
        frame_free(f);
    free(f);
    return st;
}

int vm_load_policy(const struct eval_ctx *c, const char *rules_dir, int trace,
                   struct lang_prog **out, struct err *e)
{
    struct lang_opts o = {c->as_of, c->p->income_months, c->have, trace};
    const struct policy *p = c->p;
    char here[600];
    *out = NULL;
    if (!rules_dir && p->n_texts > 0)
        return lang_load_texts(out, p->texts, p->n_texts, &o, e);
    if (!rules_dir && p->rules_dir[0])
        rules_dir = p->rules_dir;
    if (!rules_dir) {   /* the directory of policy.rules */
        const char *slash = strrchr(p->path, '/');
        snprintf(here, sizeof here, "%.*s", slash ? (int)(slash - p->path) : 1,
                 slash ? p->path : ".");
        rules_dir = here;
    }
    return lang_load_dir(out, rules_dir, &o, e);
}

int vm_run_dir(const struct eval_ctx *c, const char *rules_dir, struct eval_result *r,
               struct err *e)
{
    struct lang_prog *lp = NULL;
    int st = vm_load_policy(c, rules_dir, 0, &lp, e);
    if (st == E_OK)
        st = vm_run(c, &lp->P, r, e);
    if (st == E_OK) {   /* which policy judged: the manifest, check, pg record it */
        snprintf(r->by.policy_name, sizeof r->by.policy_name, "%s", lp->cp.name);
        snprintf(r->by.policy_hash, sizeof r->by.policy_hash, "%s", lp->policy_hash);
    }
    lang_prog_free(lp);
    return st;
}
