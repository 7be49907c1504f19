/* evaluate.c - stage 5: apply the rule catalogue (see evaluate.h).
 *
 * Owns: the meaning of every rule, exactly as the data contract's
 * "Reference policy" and "Edge cases, settled" state it, with every number
 * taken from struct policy.  Must never read files, never print, and never
 * use floating point: money is fen, areas hundredths of m2, shares
 * billionths, and every comparison is a cross-multiplication in 128 bits.
 *
 * Thread model: households and candidates are split over OpenMP threads;
 * each thread appends flags to its own vector and evidence to its own
 * arena.  Nothing shared is written.  The flags are sorted by a total order
 * at the end, so the output is identical at any thread count.
 */
#include "engine/evaluate.h"

#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "contract/idcard.h"
#include "base/num.h"

typedef __int128 i128;

/* ---------- evidence text ---------- */

struct sbuf {
    char b[2048];
    size_t n;
    int truncated;
    /* the evidence's key values for the fingerprint (review.h): one item per
     * sk_add, items ended by 0x1e, fields inside an item split by 0x1f; no
     * line numbers, limits or as-of date */
    char k[2048];
    size_t kn;
};

static void sb_reset(struct sbuf *s)
{
    s->n = 0;
    s->b[0] = '\0';
    s->truncated = 0;
    s->kn = 0;
    s->k[0] = '\0';
}

/* One key item (see struct sbuf); items that do not fit are dropped. */
__attribute__((format(printf, 2, 3))) static void sk_add(struct sbuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(s->k + s->kn, sizeof s->k - s->kn, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k + 1 >= sizeof s->k - s->kn) {
        s->k[s->kn] = '\0';
        return;
    }
    s->kn += (size_t)k;
    s->k[s->kn++] = '\x1e';
    s->k[s->kn] = '\0';
}

__attribute__((format(printf, 2, 3))) static void sb_add(struct sbuf *s, const char *fmt, ...)
{
    if (s->truncated)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(s->b + s->n, sizeof s->b - s->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof s->b - s->n) {
        /* keep the text whole up to the last item and say more follow */
        s->b[s->n] = '\0';
        if (s->n + 8 < sizeof s->b)
            memcpy(s->b + s->n, "; ...", 6), s->n += 5;
        s->truncated = 1;
        return;
    }
    s->n += (size_t)k;
}

static const char *money_txt(int64_t fen, char buf[48])
{
    num_format(fen, 2, buf);
    return buf;
}

/* ---------- per-thread output ---------- */

struct tout {
    struct vec flags;        /* struct flag */
    struct arena *arena;
    int status;
    struct err e;
    struct vec no_std_hh;    /* uint32_t */
    struct vec no_std_cand;  /* uint32_t */
    long long cand_skipped;
};

static int emit(struct tout *t, const struct eval_ctx *c, int rule, uint32_t hh,
                const char *hid, const char *hukou_no, const char *id, const char *region,
                const char *unit_hukou, const struct sbuf *ev)
{
    if (c->p->severity[rule] == SEV_OFF)
        return E_OK;
    struct flag *f = vec_push(&t->flags, sizeof *f);
    const char *evs = arena_strndup(t->arena, ev->b, ev->n);
    const char *key = arena_strndup(t->arena, ev->k, ev->kn);
    if (!f || !evs || !key)
        return ERR(&t->e, E_NOMEM, "out of memory while evaluating rules");
    f->rule = rule;
    f->severity = c->p->severity[rule];
    f->hh = hh;
    f->household_id = hid;
    f->hukou_no = hukou_no;
    f->id_no = id;
    f->region = region;
    f->unit_hukou_no = unit_hukou;
    f->evidence = evs;
    f->evkey = key;
    f->fp = 0;
    f->held = 0;
    return E_OK;
}

/* Is the optional feed the rule needs (catalogue.h) present?  When it is
 * not, the rule neither fires nor blocks L01/L02. */
static int feed_ok(const struct eval_ctx *c, int rule)
{
    int f = rule_catalogue[rule].feed;
    return f == RULE_NO_FEED || c->have[f];
}

/* Is the rule judged in this run: not off in the policy, its feed present. */
static int on(const struct eval_ctx *c, int rule)
{
    return c->p->severity[rule] != SEV_OFF && feed_ok(c, rule);
}

/* ---------- person-level facts (shared by E rules, L01 and L02) ---------- */

int64_t evaluate_evidenced_sum(const struct eval_ctx *c, uint64_t key)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_SI], key);
    if (!s.count)
        return 0;
    const struct si_row *rows = &VEC_AT(c->d->si, struct si_row, s.first);
    int last = date_month(c->as_of) - 1;
    int first = last - c->p->income_months + 1;
    int64_t total = 0;
    /* rows of one person are in file order; bucket by month */
    for (int mo = first; mo <= last; mo++) {
        int64_t emp = 0, epc = 0, other = 0;
        for (uint32_t i = 0; i < s.count; i++) {
            if (rows[i].month != mo)
                continue;
            switch (rows[i].kind) {
            case SI_EMPLOYMENT: emp += rows[i].amount_fen; break;
            case SI_EMPLOYEE_PENSION_CONTRIB: epc += rows[i].amount_fen; break;
            case SI_PENSION_BENEFIT:
            case SI_UNEMPLOYMENT_BENEFIT: other += rows[i].amount_fen; break;
            default: break;   /* resident_pension_contrib is not income */
            }
        }
        total += (emp > epc ? emp : epc) + other;
    }
    return total;
}

/* ---------- financial assets (E13, L01) ---------- */

/* Latest balance first within an account: (institution, account_no) then
 * balance_date descending, balance descending, file line (a total order,
 * so the counted row never depends on qsort). */
static int cmp_account_row(const void *a, const void *b)
{
    const struct finasset *x = *(const struct finasset *const *)a,
                          *y = *(const struct finasset *const *)b;
    int r = strcmp(x->institution, y->institution);
    if (!r)
        r = strcmp(x->account_no, y->account_no);
    if (r)
        return r;
    if (x->balance_date != y->balance_date)
        return x->balance_date > y->balance_date ? -1 : 1;
    if (x->balance_fen != y->balance_fen)
        return x->balance_fen > y->balance_fen ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int same_account(const struct finasset *x, const struct finasset *y)
{
    return strcmp(x->institution, y->institution) == 0 &&
           strcmp(x->account_no, y->account_no) == 0;
}

/* The counted row of each account of `key` into *out (sorted by account;
 * *out is buf when it holds them, else malloc'd: free it if != buf). */
static int account_rows(const struct eval_ctx *c, uint64_t key, const struct finasset **buf,
                        size_t cap, const struct finasset ***out, size_t *n_out, struct err *e)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_FINASSETS], key);
    const struct finasset *rows = s.count ? &VEC_AT(c->d->finassets, struct finasset, s.first)
                                          : NULL;
    const struct finasset **v = buf;
    if (s.count > cap && !(v = malloc(s.count * sizeof *v)))
        return ERR(e, E_NOMEM, "out of memory while summing financial assets");
    size_t n = 0;
    for (uint32_t i = 0; i < s.count; i++)
        if (rows[i].balance_date <= c->as_of)
            v[n++] = &rows[i];
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_account_row);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || !same_account(v[k - 1], v[i]))
            v[k++] = v[i];
    *out = v;
    *n_out = k;
    return E_OK;
}

/* The sum of a person's counted balances, exact (i128: no sum of int64
 * balances can overflow it). */
static int assets_sum(const struct eval_ctx *c, uint64_t key, i128 *sum, int *n_accounts,
                      struct err *e)
{
    const struct finasset *buf[32], **v = NULL;
    size_t n = 0;
    *sum = 0;
    *n_accounts = 0;
    int st = account_rows(c, key, buf, 32, &v, &n, e);
    if (st != E_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        *sum += v[i]->balance_fen;
    *n_accounts = (int)n;
    if (v != buf)
        free(v);
    return E_OK;
}

int evaluate_assets(const struct eval_ctx *c, uint64_t key, int64_t *sum, int *n_accounts,
                    struct err *e)
{
    i128 total;
    int st = assets_sum(c, key, &total, n_accounts, e);
    *sum = 0;
    if (st == E_OK && total > INT64_MAX)
        return ERR(e, E_DATA, "financial assets of one person exceed %lld fen",
                   (long long)INT64_MAX);
    if (st == E_OK)
        *sum = (int64_t)total;
    return st;
}

/* E03: vehicles that count.  Appends evidence; returns the number. */
static int vehicle_hits(const struct eval_ctx *c, uint64_t key, struct sbuf *ev)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_VEHICLES], key);
    int n = 0;
    char b1[48], b2[48];
    for (uint32_t i = 0; i < s.count; i++) {
        const struct vehicle *v = &VEC_AT(c->d->vehicles, struct vehicle, s.first + i);
        if (v->status != VS_VALID || !(c->p->vehicle_classes & (1u << v->vclass)))
            continue;
        int exempt_use = (c->p->vehicle_exempt_uses & (1u << v->use)) != 0;
        if (exempt_use && v->value_fen <= c->p->vehicle_exempt_max_fen)
            continue;
        if (ev) {
            if (exempt_use)
                sb_add(ev, "%svehicles: %s %s %s value %s > %s (line %lld)", n ? "; " : "",
                       vclass_names[v->vclass], v->plate, vuse_names[v->use],
                       money_txt(v->value_fen, b1), money_txt(c->p->vehicle_exempt_max_fen, b2),
                       v->line);
            else
                sb_add(ev, "%svehicles: %s %s %s value %s (line %lld)", n ? "; " : "",
                       vclass_names[v->vclass], v->plate, vuse_names[v->use],
                       money_txt(v->value_fen, b1), v->line);
            sk_add(ev, "%s\x1f%s\x1f%s\x1f%s", vclass_names[v->vclass], v->plate,
                   vuse_names[v->use], b1);
        }
        n++;
    }
    return n;
}

static int commercial_property_hits(const struct eval_ctx *c, uint64_t key, struct sbuf *ev)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_PROPERTY], key);
    int n = 0;
    char b1[48], b2[48];
    for (uint32_t i = 0; i < s.count; i++) {
        const struct property *p = &VEC_AT(c->d->property, struct property, s.first + i);
        if (p->status != PS_HELD || !(c->p->commercial_usages & (1u << p->usage)))
            continue;
        if (ev) {
            num_format(p->share_nano, 9, b2);
            sb_add(ev, "%sproperty: %s %s held, %s m2 x share %s (line %lld)", n ? "; " : "",
                   usage_names[p->usage], p->property_id, money_txt(p->area_h, b1), b2, p->line);
            sk_add(ev, "%s\x1f%s\x1f%s\x1f%s", usage_names[p->usage], p->property_id, b1, b2);
        }
        n++;
    }
    return n;
}

static int business_hits(const struct eval_ctx *c, uint64_t key, struct sbuf *ev)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_BUSINESS], key);
    int n = 0;
    for (uint32_t i = 0; i < s.count; i++) {
        const struct business *b = &VEC_AT(c->d->business, struct business, s.first + i);
        if (!(c->p->business_roles & (1u << b->role)) ||
            !(c->p->business_statuses & (1u << b->status)))
            continue;
        if (ev) {
            sb_add(ev, "%sbusiness: %s of %s (%s, line %lld)", n ? "; " : "",
                   brole_names[b->role], b->entity, bstatus_names[b->status], b->line);
            sk_add(ev, "%s\x1f%s\x1f%s", brole_names[b->role], b->entity,
                   bstatus_names[b->status]);
        }
        n++;
    }
    return n;
}

static int pubservant_hits(const struct eval_ctx *c, uint64_t key, struct sbuf *ev)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_PUBSERV], key);
    for (uint32_t i = 0; ev && i < s.count; i++) {
        const struct pubservant *p = &VEC_AT(c->d->pubservants, struct pubservant, s.first + i);
        char since[11] = "unknown";
        if (p->since != DATE_NONE)
            date_format(p->since, since);
        sb_add(ev, "%spublic_servants: employer %s since %s (line %lld)", i ? "; " : "",
               p->employer, since, p->line);
        sk_add(ev, "%s\x1f%s", p->employer, since);
    }
    return (int)s.count;
}

/* Held residential titles of one person: adds area x share to *area and
 * distinct property ids to the set (a small array owned by the caller). */
struct idset {
    const char *v[64];
    int n;
    int overflow;     /* more than 64 distinct: count only */
    long long n_total;
};

static void idset_add(struct idset *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->v[i], id) == 0)
            return;
    if (s->n < 64)
        s->v[s->n++] = id;
    else
        s->overflow = 1;   /* beyond 64 we may overcount duplicates; the rule
                              already fired long before that */
    s->n_total++;
}

static void residential(const struct eval_ctx *c, uint64_t key, i128 *area_x_share,
                        struct idset *ids)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_PROPERTY], key);
    for (uint32_t i = 0; i < s.count; i++) {
        const struct property *p = &VEC_AT(c->d->property, struct property, s.first + i);
        if (p->status != PS_HELD || p->usage != US_RESIDENTIAL)
            continue;
        *area_x_share += (i128)p->area_h * p->share_nano;
        idset_add(ids, p->property_id);
    }
}

/* Is the person a member of a registry household that is not cancelled? */
static const struct household *noncancelled_membership(const struct eval_ctx *c, uint64_t key,
                                                       uint32_t except_hh, int *n_out)
{
    struct keyidx_slot s = keyidx_get(&c->j->members, key);
    const struct household *found = NULL;
    int n = 0;
    uint32_t last = HH_NONE;
    for (uint32_t i = 0; i < s.count; i++) {
        const struct member *m =
            &VEC_AT(c->d->members, struct member, c->j->members_by_key[s.first + i].member);
        const struct household *h = &VEC_AT(c->d->households, struct household, m->hh);
        if (h->status == HS_CANCELLED || m->hh == last)
            continue;
        last = m->hh;
        n++;
        if (m->hh != except_hh && !found)
            found = h;
    }
    if (n_out)
        *n_out = n;
    return found;
}

/* 18-char ID text for a valid key (for hukou persons) */
static const char *fmt_area(i128 v_h_nano, char buf[64])
{
    /* v is in (hundredths of m2) x billionths: print exactly with 11 decimals,
     * trimmed. */
    i128 scale = (i128)100 * SHARE_ONE;
    long long ip = (long long)(v_h_nano / scale);
    long long fp = (long long)(v_h_nano % scale);
    if (fp == 0) {
        snprintf(buf, 64, "%lld", ip);
        return buf;
    }
    char frac[16];
    snprintf(frac, sizeof frac, "%011lld", fp);
    size_t n = strlen(frac);
    while (n > 0 && frac[n - 1] == '0')
        frac[--n] = '\0';
    snprintf(buf, 64, "%lld.%s", ip, frac);
    return buf;
}

/* ---------- household judgement ---------- */

struct hh_facts {
    int size;                 /* counted members */
    const struct member *head;
    const struct hukou *head_hk;
    const char *head_hukou_no;
    i128 area;                /* counted members' residential area x share */
    struct idset res_ids;
    i128 income_sum;          /* sum over counted of max(declared*W, evidenced) */
    const struct standard *std;
};

static void household_facts(const struct eval_ctx *c, const struct household *h,
                            struct hh_facts *f)
{
    memset(f, 0, sizeof *f);
    f->head_hukou_no = "";
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    int W = c->p->income_months;
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct member *m = &ms[i];
        const struct hukou *hk = join_member_hukou(c->j, c->d, m);
        if (!f->head && m->relation == REL_HEAD) {
            f->head = m;
            f->head_hk = hk;
            f->head_hukou_no = hk ? hk->hukou_no : "";
        }
        int counted = !hk || hk->status == HK_NORMAL;
        if (!counted)
            continue;
        f->size++;
        int64_t decl = m->declared_fen * W;
        int64_t evid = m->key ? evaluate_evidenced_sum(c, m->key) : 0;
        f->income_sum += decl > evid ? decl : evid;
        if (m->key)
            residential(c, m->key, &f->area, &f->res_ids);
    }
    f->std = standard_lookup(c->d->standards.v, c->d->standards.n, h->region, h->area, c->as_of);
}

/* E06 and E09 comparisons, shared by the household rules and L02. */
static int e04_fires(const struct eval_ctx *c, const struct hh_facts *f)
{
    return f->res_ids.n_total >= c->p->min_residential;
}

static int e06_fires(const struct eval_ctx *c, const struct hh_facts *f)
{
    return f->size > 0 && f->area > (i128)c->p->max_area_h * SHARE_ONE * f->size;
}

static int e09_fires(const struct eval_ctx *c, const struct household *h, const struct hh_facts *f)
{
    if (f->size == 0 || !f->std)
        return 0;
    const struct rational *fa = &c->p->factor[h->program];
    /* income_sum / (W * size) > std * num / den */
    return f->income_sum * fa->den >
           (i128)f->std->monthly_fen * fa->num * c->p->income_months * f->size;
}

static void e09_evidence(const struct eval_ctx *c, const struct household *h,
                         const struct hh_facts *f, struct sbuf *ev)
{
    char b1[48], b2[48], b3[48];
    const struct rational *fa = &c->p->factor[h->program];
    num_format((int64_t)f->income_sum, 2, b1);
    num_format(f->std->monthly_fen, 2, b2);
    num_format(fa->num * 1000000 / fa->den, 6, b3);
    sb_add(ev, "income: %d-month total %s over %d counted members (per month %s / %d / %d) "
               "> standard %s x factor %s (%s %s from prefix %s, standards line %lld)",
           c->p->income_months, b1, f->size, b1, c->p->income_months, f->size, b2, b3,
           area_names[h->area], program_names[h->program], f->std->prefix, f->std->line);
    sk_add(ev, "%s\x1f%d\x1f%s\x1f%s", b1, f->size, b2, program_names[h->program]);
}

/* Member-level E01/E02 tests, shared with L02. */
static int e01_fires(const struct eval_ctx *c, const struct hukou *hk)
{
    return hk && hk->status == HK_DECEASED && hk->status_date != DATE_NONE &&
           hk->status_date <= c->as_of;
}

static int e02_fires(const struct hukou *hk, const struct household *h)
{
    return hk && (hk->status == HK_MOVED_OUT || hk->status == HK_CANCELLED ||
                  strncmp(hk->region, h->region, 6) != 0);
}

/* Would any of E01-E09 fire for household h?  (L02) */
static int any_e01_e09(const struct eval_ctx *c, const struct household *h,
                       const struct hh_facts *f)
{
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct member *m = &ms[i];
        if (!m->key)
            continue;
        const struct hukou *hk = join_member_hukou(c->j, c->d, m);
        if (on(c, R_E01) && e01_fires(c, hk))
            return 1;
        if (on(c, R_E02) && e02_fires(hk, h))
            return 1;
        if (on(c, R_E03) && vehicle_hits(c, m->key, NULL))
            return 1;
        if (on(c, R_E05) && commercial_property_hits(c, m->key, NULL))
            return 1;
        if (on(c, R_E07) && business_hits(c, m->key, NULL))
            return 1;
        if (on(c, R_E08) && pubservant_hits(c, m->key, NULL))
            return 1;
    }
    if (on(c, R_E04) && e04_fires(c, f))
        return 1;
    if (on(c, R_E06) && e06_fires(c, f))
        return 1;
    if (on(c, R_E09) && e09_fires(c, h, f))
        return 1;
    return 0;
}

static int judge_cancelled(const struct eval_ctx *c, struct tout *t, uint32_t hi)
{
    const struct household *h = &VEC_AT(c->d->households, struct household, hi);
    struct hh_facts f;
    household_facts(c, h, &f);
    if (!f.std) {
        uint32_t *p = vec_push(&t->no_std_hh, sizeof *p);
        if (!p)
            return ERR(&t->e, E_NOMEM, "out of memory while evaluating rules");
        *p = hi;
        return E_OK;
    }
    if (any_e01_e09(c, h, &f))
        return E_OK;
    struct sbuf ev;
    sb_reset(&ev);
    char b1[48], b2[48], ad[11];
    date_format(c->as_of, ad);
    num_format((int64_t)f.income_sum, 2, b1);
    num_format(f.std->monthly_fen, 2, b2);
    sb_add(&ev, "cancelled household fires none of E01-E09 as of %s: %d counted members, "
                "%d-month income %s, standard %s (prefix %s); check the cancellation",
           ad, f.size, c->p->income_months, b1, b2, f.std->prefix);
    sk_add(&ev, "%d\x1f%s\x1f%s", f.size, b1, b2);
    return emit(t, c, R_L02, hi, h->id, f.head_hukou_no, "", h->region, f.head_hukou_no, &ev);
}

static int judge_household(const struct eval_ctx *c, struct tout *t, uint32_t hi)
{
    const struct household *h = &VEC_AT(c->d->households, struct household, hi);
    if (h->status == HS_CANCELLED)
        return judge_cancelled(c, t, hi);
    struct hh_facts f;
    household_facts(c, h, &f);
    const char *uh = f.head_hukou_no;
    struct sbuf ev;
    char b1[48], b2[48], d1[11], d2[11];
    int st = E_OK;
#define EMIT(RULE, HNO, PID)                                                        \
    do {                                                                           \
        st = emit(t, c, RULE, hi, h->id, HNO, PID, h->region, uh, &ev);            \
        if (st != E_OK)                                                            \
            return st;                                                             \
    } while (0)

    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct member *m = &ms[i];
        const struct hukou *hk = join_member_hukou(c->j, c->d, m);   /* NULL if key 0 */
        const char *mh = hk ? hk->hukou_no : "";
        if (m->bad_cols && on(c, R_Q05)) {
            /* one flag per row, but one row per key: members of this
             * household with the same invalid id_no (two empty ones; any
             * other repeat was rejected) share one Q05 flag */
            int first = 1;
            for (uint32_t q = 0; q < i && !m->key; q++)
                if (!ms[q].key && ms[q].bad_cols && strcmp(ms[q].id, m->id) == 0)
                    first = 0;
            if (first) {
                sb_reset(&ev);
                sb_add(&ev, "members: %s (members line %lld)", m->bad_text, m->line);
                sk_add(&ev, "%s", m->bad_text);
                for (uint32_t q = i + 1; q < h->n_members && !m->key; q++)
                    if (!ms[q].key && ms[q].bad_cols && strcmp(ms[q].id, m->id) == 0) {
                        sb_add(&ev, "; %s (members line %lld)", ms[q].bad_text, ms[q].line);
                        sk_add(&ev, "%s", ms[q].bad_text);
                    }
                EMIT(R_Q05, mh, m->id);
            }
        }
        if (!m->key) {
            /* one row per key: members of this household with the same
             * invalid text (e.g. two empty ID numbers) share one Q01 row */
            int n_same = 0, first = 1;
            for (uint32_t q = 0; q < h->n_members; q++) {
                if (ms[q].key || strcmp(ms[q].id, m->id) != 0)
                    continue;
                if (q < i)
                    first = 0;
                n_same++;
            }
            if (!first)
                continue;
            sb_reset(&ev);
            sb_add(&ev, "members: id_no '%s' is invalid: %s (members line %lld", m->id,
                   id_status_text((enum id_status)m->id_status), m->line);
            if (n_same > 1)
                sb_add(&ev, " and %d more members with the same id_no", n_same - 1);
            sb_add(&ev, ")");
            sk_add(&ev, "%s", id_status_text((enum id_status)m->id_status));
            EMIT(R_Q01, "", m->id);
            continue;
        }
        if (on(c, R_E01) && e01_fires(c, hk)) {
            sb_reset(&ev);
            date_format(hk->status_date, d1);
            date_format(c->as_of, d2);
            sb_add(&ev, "hukou: status deceased, status_date %s <= as-of %s (hukou line %lld)",
                   d1, d2, hk->line);
            sk_add(&ev, "%s", d1);
            EMIT(R_E01, mh, m->id);
        }
        if (on(c, R_E02) && e02_fires(hk, h)) {
            sb_reset(&ev);
            if (hk->status == HK_MOVED_OUT || hk->status == HK_CANCELLED) {
                date_format(hk->status_date, d1);
                sb_add(&ev, "hukou: status %s since %s", hk_status_names[hk->status], d1);
                if (strncmp(hk->region, h->region, 6) != 0)
                    sb_add(&ev, ", registered in county %.6s", hk->region);
                sb_add(&ev, " (hukou line %lld)", hk->line);
            } else {
                sb_add(&ev, "hukou: registered in county %.6s (region %s), enrolled in county "
                            "%.6s (hukou line %lld)", hk->region, hk->region, h->region, hk->line);
            }
            if (hk->status != HK_NORMAL)
                date_format(hk->status_date, d1);
            sk_add(&ev, "%s\x1f%s\x1f%.6s\x1f%.6s", hk_status_names[hk->status],
                   hk->status != HK_NORMAL ? d1 : "", hk->region, h->region);
            EMIT(R_E02, mh, m->id);
        }
        sb_reset(&ev);
        if (on(c, R_E03) && vehicle_hits(c, m->key, &ev))
            EMIT(R_E03, mh, m->id);
        sb_reset(&ev);
        if (on(c, R_E05) && commercial_property_hits(c, m->key, &ev))
            EMIT(R_E05, mh, m->id);
        sb_reset(&ev);
        if (on(c, R_E07) && business_hits(c, m->key, &ev))
            EMIT(R_E07, mh, m->id);
        sb_reset(&ev);
        if (on(c, R_E08) && pubservant_hits(c, m->key, &ev))
            EMIT(R_E08, mh, m->id);
        int n_hh = 0;
        const struct household *other =
            on(c, R_E10) ? noncancelled_membership(c, m->key, hi, &n_hh) : NULL;
        if (n_hh >= 2 && other) {
            sb_reset(&ev);
            sb_add(&ev, "members: also a member of household %s (%s), %d non-cancelled "
                        "households in all", other->id, hh_status_names[other->status], n_hh);
            sk_add(&ev, "%s\x1f%d", other->id, n_hh);
            EMIT(R_E10, mh, m->id);
        }
        if (on(c, R_E12) && h->caseworker[0]) {
            struct keyidx_slot s = keyidx_get(&c->j->feed[IN_STAFFREL], m->key);
            sb_reset(&ev);
            int hit = 0;
            for (uint32_t k = 0; k < s.count; k++) {
                const struct staffrel *r = &VEC_AT(c->d->staffrels, struct staffrel, s.first + k);
                if (strcmp(r->caseworker, h->caseworker) != 0)
                    continue;
                sb_add(&ev, "%sstaff_relatives: relative (%s) of caseworker %s (line %lld)",
                       hit ? "; " : "", r->relation, r->caseworker, r->line);
                sk_add(&ev, "%s\x1f%s", r->relation, r->caseworker);
                hit++;
            }
            if (hit)
                EMIT(R_E12, mh, m->id);
        }
        if (!hk) {
            sb_reset(&ev);
            sb_add(&ev, "hukou: no registration for this id_no (members line %lld)", m->line);
            EMIT(R_Q02, "", m->id);
        } else if (strcmp(m->name, hk->name) != 0) {
            sb_reset(&ev);
            sb_add(&ev, "members: name '%s' (line %lld) differs from hukou name '%s' "
                        "(hukou line %lld)", m->name, m->line, hk->name, hk->line);
            sk_add(&ev, "%s\x1f%s", m->name, hk->name);
            EMIT(R_Q03, mh, m->id);
        }
    }

    /* household-level rules */
    if (e04_fires(c, &f)) {
        sb_reset(&ev);
        sb_add(&ev, "property: counted members hold %lld distinct held residential titles "
                    ">= %d:", f.res_ids.n_total, c->p->min_residential);
        for (int k = 0; k < f.res_ids.n; k++) {
            sb_add(&ev, " %s", f.res_ids.v[k]);
            sk_add(&ev, "%s", f.res_ids.v[k]);
        }
        sk_add(&ev, "#%lld", f.res_ids.n_total);
        EMIT(R_E04, uh, "");
    }
    if (e06_fires(c, &f)) {
        sb_reset(&ev);
        char ab[64];
        sb_add(&ev, "property: held residential area x share %s m2 over %d counted members "
                    "> %s m2 per person", fmt_area(f.area, ab), f.size,
               money_txt(c->p->max_area_h, b1));
        sk_add(&ev, "%s\x1f%d", ab, f.size);
        EMIT(R_E06, uh, "");
    }
    if (!f.std) {
        /* never a silent pass: listed in the manifest, and Q04 whatever the
         * household's size */
        uint32_t *p = vec_push(&t->no_std_hh, sizeof *p);
        if (!p)
            return ERR(&t->e, E_NOMEM, "out of memory while evaluating rules");
        *p = hi;
        sb_reset(&ev);
        date_format(c->as_of, d1);
        sb_add(&ev, "standards: no %s row for region %s (prefix %.6s, %.9s or %s) in force "
                    "on %s; E09 and E13 cannot be judged (households line %lld)",
               area_names[h->area], h->region, h->region, h->region, h->region, d1, h->line);
        sk_add(&ev, "%s\x1f%s", area_names[h->area], h->region);
        EMIT(R_Q04, uh, "");
    } else if (on(c, R_E09) && e09_fires(c, h, &f)) {
        sb_reset(&ev);
        e09_evidence(c, h, &f, &ev);
        EMIT(R_E09, uh, "");
    }
    if (h->approved_on != DATE_NONE) {
        int wd = calendar_working_days(c->cal, h->applied_on, h->approved_on);
        if (wd > c->p->max_working_days) {
            sb_reset(&ev);
            date_format(h->applied_on, d1);
            date_format(h->approved_on, d2);
            sb_add(&ev, "households: approved %s after applying %s: %d working days > %d "
                        "(households line %lld)", d2, d1, wd, c->p->max_working_days, h->line);
            sk_add(&ev, "%s\x1f%s", d1, d2);
            EMIT(R_P01, uh, "");
        }
    }
    /* E11: the head's hukou household holds a spouse or minor child who is
     * not a member of this household. */
    if (f.head && f.head_hk) {
        size_t pos;
        if (join_hukou_group(c->j, f.head_hk, &pos)) {
            for (size_t k = pos; k < c->j->n_hukou_by_no; k++) {
                const struct hukou *p = &VEC_AT(c->d->hukou, struct hukou, c->j->hukou_by_no[k]);
                if (!hukou_same_no(p, f.head_hk))
                    break;
                if (p->status != HK_NORMAL)
                    continue;
                int minor = 0;
                if (p->relation == REL_CHILD) {
                    char idtxt[19];
                    memcpy(idtxt, p->id, 18);
                    idtxt[18] = '\0';
                    int y = (idtxt[6] - '0') * 1000 + (idtxt[7] - '0') * 100 +
                            (idtxt[8] - '0') * 10 + (idtxt[9] - '0');
                    int mo = (idtxt[10] - '0') * 10 + (idtxt[11] - '0');
                    int dd = (idtxt[12] - '0') * 10 + (idtxt[13] - '0');
                    int birth = date_from_ymd(y, mo, dd);
                    minor = date_age_years(birth, c->as_of) < c->p->adult_age;
                }
                if (p->relation != REL_SPOUSE && !minor)
                    continue;
                int is_member = 0;
                for (uint32_t q = 0; q < h->n_members; q++)
                    if (ms[q].key == p->key)
                        is_member = 1;
                if (is_member)
                    continue;
                sb_reset(&ev);
                sb_add(&ev, "hukou: %s %s in the head's hukou_no %s is not a member "
                            "(hukou line %lld)",
                       p->relation == REL_SPOUSE ? "spouse" : "child under 18", p->name,
                       p->hukou_no, p->line);
                sk_add(&ev, "%s", p->relation == REL_SPOUSE ? "spouse" : "child");
                EMIT(R_E11, uh, p->id);
            }
        }
    }
#undef EMIT
    (void)b2;
    return st;
}

/* ---------- candidates (L01) ---------- */

static int judge_candidate(const struct eval_ctx *c, struct tout *t, uint32_t ci)
{
    const struct candidate *cd = &VEC_AT(c->d->candidates, struct candidate, ci);
    const struct hukou *hk = join_candidate_hukou(c->j, c->d, ci);
    if (!hk || hk->status != HK_NORMAL) {
        t->cand_skipped++;
        return E_OK;
    }
    const struct standard *std =
        standard_lookup(c->d->standards.v, c->d->standards.n, cd->region, cd->area, c->as_of);
    if (!std) {
        uint32_t *p = vec_push(&t->no_std_cand, sizeof *p);
        if (!p)
            return ERR(&t->e, E_NOMEM, "out of memory while evaluating rules");
        *p = ci;
        return E_OK;
    }
    size_t pos;
    if (!join_hukou_group(c->j, hk, &pos))
        return ERR(&t->e, E_INTERNAL, "hukou_no index is missing a registered hukou_no");
    int size = 0;
    i128 area = 0, income = 0;
    struct idset ids;
    memset(&ids, 0, sizeof ids);
    for (size_t k = pos; k < c->j->n_hukou_by_no; k++) {
        const struct hukou *p = &VEC_AT(c->d->hukou, struct hukou, c->j->hukou_by_no[k]);
        if (!hukou_same_no(p, hk))
            break;
        if (p->status != HK_NORMAL)
            continue;
        size++;
        if (noncancelled_membership(c, p->key, HH_NONE, NULL))
            return E_OK;
        if ((on(c, R_E03) && vehicle_hits(c, p->key, NULL)) ||
            (on(c, R_E05) && commercial_property_hits(c, p->key, NULL)) ||
            (on(c, R_E07) && business_hits(c, p->key, NULL)) ||
            (on(c, R_E08) && pubservant_hits(c, p->key, NULL)))
            return E_OK;
        residential(c, p->key, &area, &ids);
        income += evaluate_evidenced_sum(c, p->key);
    }
    if (ids.n_total >= c->p->min_residential)
        return E_OK;
    if (area > (i128)c->p->max_area_h * SHARE_ONE * size)
        return E_OK;
    /* income / (W * size) <= standard */
    if (income > (i128)std->monthly_fen * c->p->income_months * size)
        return E_OK;
    struct sbuf ev;
    sb_reset(&ev);
    char b1[48], b2[48];
    num_format((int64_t)income, 2, b1);
    num_format(std->monthly_fen, 2, b2);
    sb_add(&ev, "candidates: %s; hukou household %s has %d normal persons, none on the rolls, "
                "no vehicle/commercial property/business/public-servant finding; "
                "%d-month evidenced income %s over %d persons <= standard %s (%s, prefix %s) "
                "(candidates line %lld)",
           cd->source, hk->hukou_no, size, c->p->income_months, b1, size, b2,
           area_names[cd->area], std->prefix, cd->line);
    sk_add(&ev, "%s\x1f%d\x1f%s\x1f%s", cd->source, size, b1, b2);
    return emit(t, c, R_L01, HH_NONE, "", hk->hukou_no, cd->id, cd->region, hk->hukou_no, &ev);
}

/* ---------- driver ---------- */

/* ---------- prefetch ---------- */

/* A household's members each take a dozen probes at random places in the
 * indexes and the sorted feeds, and judging waits on each miss in turn.
 * So while household i is judged, the slots of household i+2's members
 * are fetched (stage 0) and, those now in cache, the first feed rows they
 * point at for household i+1 (stage 1).  Only hints: no result depends on
 * them. */
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

static void prefetch_household(const struct eval_ctx *c, uint32_t hi, int stage)
{
    const struct household *h = &VEC_AT(c->d->households, struct household, hi);
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    const struct join *j = c->j;
    for (uint32_t i = 0; i < h->n_members; i++) {
        uint64_t k = ms[i].key;
        if (!k)
            continue;
        if (stage == 0) {
            pf_slot(&j->feed[IN_SI], k);
            pf_slot(&j->feed[IN_PROPERTY], k);
            pf_slot(&j->feed[IN_VEHICLES], k);
            pf_slot(&j->members, k);
            pf_slot(&j->feed[IN_BUSINESS], k);
            pf_slot(&j->feed[IN_PUBSERV], k);
        } else {
            const struct hukou *hk = join_member_hukou(j, c->d, &ms[i]);
            if (hk)
                __builtin_prefetch(hk);
            pf_rows(&j->feed[IN_SI], c->d->si.v, sizeof(struct si_row), k);
            pf_rows(&j->feed[IN_PROPERTY], c->d->property.v, sizeof(struct property), k);
            pf_rows(&j->feed[IN_VEHICLES], c->d->vehicles.v, sizeof(struct vehicle), k);
            pf_rows(&j->members, j->members_by_key, sizeof(struct member_ref), k);
        }
    }
}

int flag_cmp(const void *a, const void *b)
{
    const struct flag *x = a, *y = b;
    int r = strcmp(x->household_id, y->household_id);
    if (r)
        return r;
    if ((r = strcmp(x->hukou_no, y->hukou_no)))
        return r;
    if ((r = strcmp(rule_names[x->rule], rule_names[y->rule])))
        return r;
    return strcmp(x->id_no, y->id_no);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int evaluate_run(const struct eval_ctx *c, struct eval_result *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    int nt = omp_get_max_threads();
    struct tout *t = calloc((size_t)nt, sizeof *t);
    r->arenas = calloc((size_t)nt, sizeof *r->arenas);
    if (!t || !r->arenas) {
        free(t);
        return ERR(e, E_NOMEM, "out of memory while starting rule evaluation");
    }
    r->n_arenas = nt;
    for (int i = 0; i < nt; i++) {
        arena_init(&r->arenas[i], (size_t)1 << 20);
        t[i].arena = &r->arenas[i];
        err_init(&t[i].e);
    }
    const long long n_hh = (long long)c->d->households.n;
    const long long n_cand = feed_ok(c, R_L01) ? (long long)c->d->candidates.n : 0;
#pragma omp parallel num_threads(nt)
    {
        struct tout *me = &t[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 256)
        for (long long i = 0; i < n_hh; i++) {
            if (i + 2 < n_hh)
                prefetch_household(c, (uint32_t)(i + 2), 0);
            if (i + 1 < n_hh)
                prefetch_household(c, (uint32_t)(i + 1), 1);
            if (me->status == E_OK)
                me->status = judge_household(c, me, (uint32_t)i);
        }
#pragma omp for schedule(dynamic, 256)
        for (long long i = 0; i < n_cand; i++)
            if (me->status == E_OK)
                me->status = judge_candidate(c, me, (uint32_t)i);
    }
    int st = E_OK;
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
    }
    free(t);
    return st;
}

void eval_result_free(struct eval_result *r)
{
    free(r->flags);
    free(r->no_std_households);
    free(r->no_std_candidates);
    for (int i = 0; i < r->n_arenas; i++)
        arena_free(&r->arenas[i]);
    free(r->arenas);
    memset(r, 0, sizeof *r);
}
