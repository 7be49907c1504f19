/* evaluate.c - stage 5: apply the rule catalogue (see evaluate.h).
 *
 * Owns: the meaning of every rule, exactly as the data contract's
 * "Reference policy" and "Edge cases, settled" state it, with every number
 * taken from struct policy; what one person's feed rows say is person.c's.
 * A rule is judged only when on(): not off in the policy and its optional
 * feed (catalogue.h) present; a rule that is not judged neither fires nor
 * blocks L01/L02.  Must never read files, never print, and never use
 * floating point: money is fen, areas hundredths of m2, shares billionths,
 * and every comparison is a cross-multiplication in 128 bits.
 *
 * Per household: judge_member_rows (Q05, Q01), judge_person (the member
 * rules), then E04, E06, Q04 or E09 and E13, P01, judge_e11; a cancelled
 * household only L02 (judge_cancelled).  Per candidate: L01.
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
#include "base/num.h"
#include "contract/idcard.h"
#include "engine/person.h"

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
                const char *unit_hukou, const struct evbuf *ev)
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

/* Counted members: hukou status normal, or absent from hukou (an invalid
 * ID is absent). */
static int is_counted(const struct hukou *hk)
{
    return !hk || hk->status == HK_NORMAL;
}

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
        if (!is_counted(hk))
            continue;
        f->size++;
        int64_t decl = m->declared_fen * W;
        int64_t evid = m->key ? evaluate_evidenced_sum(c, m->key) : 0;
        f->income_sum += decl > evid ? decl : evid;
        if (m->key)
            person_residential(c, m->key, &f->area, &f->res_ids);
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

/* E09's key, and its evidence (person.c's ev_income_household). */
static int e09_evidence(const struct eval_ctx *c, const struct household *h,
                        const struct hh_facts *f, struct evbuf *ev, struct err *e)
{
    char b1[48], b2[48];
    num_format((int64_t)f->income_sum, 2, b1);
    num_format(f->std->monthly_fen, 2, b2);
    ev_key(ev, "%s\x1f%d\x1f%s\x1f%s", b1, f->size, b2, program_names[h->program]);
    return ev_income_household(c, h, f->size, f->income_sum, f->std, ev, e);
}

/* E13: the counted members' financial assets (the latest balance of each
 * account, person.c) > months x standard x household size, exact.  Not
 * judged for size 0 or without a standard (Q04), nor when E13 is off or
 * financial_assets.csv absent.  Sets *fires; with ev, writes the evidence
 * (a second pass over the accounts, only when it fires). */
static int e13_judge(const struct eval_ctx *c, const struct household *h,
                     const struct hh_facts *f, int *fires, struct evbuf *ev, struct err *e)
{
    *fires = 0;
    if (f->size == 0 || !f->std || !on(c, R_E13))
        return E_OK;
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    i128 assets = 0;
    int n = 0, st = E_OK;
    for (uint32_t i = 0; i < h->n_members && st == E_OK; i++)
        if (ms[i].key && is_counted(join_member_hukou(c->j, c->d, &ms[i])))
            st = person_assets(c, ms[i].key, &assets, &n, NULL, e);
    i128 limit = (i128)c->p->assets_months * f->std->monthly_fen * f->size;
    if (st != E_OK || assets <= limit)
        return st;
    *fires = 1;
    if (!ev)
        return E_OK;
    char b1[64], b2[64], b3[64];
    ev_add(ev, "financial_assets: %d accounts of counted members total %s > %d months x "
               "standard %s x %d counted members = %s; by owner, largest first: ", n,
           ev_yuan(assets, 1, b1), c->p->assets_months, ev_yuan(f->std->monthly_fen, 1, b2),
           f->size, ev_yuan(limit, 1, b3));
    ev_key(ev, "%s\x1f%d", ev_money128(assets, b1), f->size);
    i128 again = 0;   /* the key items of the accounts, in member order */
    n = 0;
    for (uint32_t i = 0; i < h->n_members && st == E_OK; i++)
        if (ms[i].key && is_counted(join_member_hukou(c->j, c->d, &ms[i])))
            st = person_assets(c, ms[i].key, &again, &n, ev, e);
    return st == E_OK ? ev_asset_accounts(c, h, ev, e) : st;
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

/* Would any rule L02 is judged on fire for household h today: E01-E09,
 * E13, E14, each only where it is judged (on(): not off, feed present)? */
static int l02_blocked(const struct eval_ctx *c, const struct household *h,
                       const struct hh_facts *f, int *blocked, struct err *e)
{
    *blocked = 1;
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct member *m = &ms[i];
        if (!m->key)
            continue;
        const struct hukou *hk = join_member_hukou(c->j, c->d, m);
        if ((on(c, R_E01) && e01_fires(c, hk)) || (on(c, R_E02) && e02_fires(hk, h)) ||
            (on(c, R_E03) && person_vehicles(c, m->key, NULL)) ||
            (on(c, R_E05) && person_commercial_property(c, m->key, NULL)) ||
            (on(c, R_E07) && person_business(c, m->key, NULL)) ||
            (on(c, R_E08) && person_pubservant(c, m->key, NULL)) ||
            (on(c, R_E14) && person_funerals(c, m->key, NULL)))
            return E_OK;
    }
    if ((on(c, R_E04) && e04_fires(c, f)) || (on(c, R_E06) && e06_fires(c, f)) ||
        (on(c, R_E09) && e09_fires(c, h, f)))
        return E_OK;
    int e13;
    int st = e13_judge(c, h, f, &e13, NULL, e);
    *blocked = st == E_OK && e13;
    return st;
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
    int blocked;
    int st = l02_blocked(c, h, &f, &blocked, &t->e);
    if (st != E_OK || blocked)
        return st;
    struct evbuf ev;
    ev_reset(&ev);
    char b1[48], b2[48], ad[11];
    date_format(c->as_of, ad);
    num_format((int64_t)f.income_sum, 2, b1);
    num_format(f.std->monthly_fen, 2, b2);
    ev_add(&ev, "cancelled household fires none of E01-E09%s%s as of %s: %d counted members, "
                "%d-month income %s, standard %s (prefix %s); check the cancellation",
           on(c, R_E13) ? ", E13" : "", on(c, R_E14) ? ", E14" : "", ad, f.size,
           c->p->income_months, b1, b2, f.std->prefix);
    ev_key(&ev, "%d\x1f%s\x1f%s", f.size, b1, b2);
    return emit(t, c, R_L02, hi, h->id, f.head_hukou_no, "", h->region, f.head_hukou_no, &ev);
}

/* The flag of RULE for household h (hi), keyed HNO / PID; evidence in ev. */
#define EMIT(RULE, HNO, PID)                                                        \
    do {                                                                           \
        int st_ = emit(t, c, RULE, hi, h->id, HNO, PID, h->region, uh, ev);        \
        if (st_ != E_OK)                                                           \
            return st_;                                                            \
    } while (0)

/* Q05 and Q01 of member i, whose id_no (if invalid) may be shared by other
 * members of the household: one flag per key. */
static int judge_member_rows(const struct eval_ctx *c, struct tout *t, const struct household *h,
                             uint32_t hi, const char *uh, uint32_t i, struct evbuf *ev)
{
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    const struct member *m = &ms[i];
    const struct hukou *hk = join_member_hukou(c->j, c->d, m);   /* NULL if key 0 */
    if (m->bad_cols && on(c, R_Q05)) {
        /* one flag per row, but one row per key: members of this
         * household with the same invalid id_no (two empty ones; any
         * other repeat was rejected) share one Q05 flag */
        int first = 1;
        for (uint32_t q = 0; q < i && !m->key; q++)
            if (!ms[q].key && ms[q].bad_cols && strcmp(ms[q].id, m->id) == 0)
                first = 0;
        if (first) {
            ev_reset(ev);
            ev_add(ev, "members: %s (members line %lld)", m->bad_text, m->line);
            ev_key(ev, "%s", m->bad_text);
            for (uint32_t q = i + 1; q < h->n_members && !m->key; q++)
                if (!ms[q].key && ms[q].bad_cols && strcmp(ms[q].id, m->id) == 0) {
                    ev_add(ev, "; %s (members line %lld)", ms[q].bad_text, ms[q].line);
                    ev_key(ev, "%s", ms[q].bad_text);
                }
            EMIT(R_Q05, hk ? hk->hukou_no : "", m->id);
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
            return E_OK;
        ev_reset(ev);
        ev_add(ev, "members: id_no '%s' is invalid: %s (members line %lld", m->id,
               id_status_text((enum id_status)m->id_status), m->line);
        if (n_same > 1)
            ev_add(ev, " and %d more members with the same id_no", n_same - 1);
        ev_add(ev, ")");
        ev_key(ev, "%s", id_status_text((enum id_status)m->id_status));
        EMIT(R_Q01, "", m->id);
    }
    return E_OK;
}

/* The rules about one member with a valid ID: E01-E03, E05, E07, E08,
 * E10, E12, E14, Q02, Q03 (each looks at every member, counted or not). */
static int judge_person(const struct eval_ctx *c, struct tout *t, const struct household *h,
                        uint32_t hi, const char *uh, const struct member *m, struct evbuf *ev)
{
    const struct hukou *hk = join_member_hukou(c->j, c->d, m);
    const char *mh = hk ? hk->hukou_no : "";
    char d1[11], d2[11];
    if (on(c, R_E01) && e01_fires(c, hk)) {
        ev_reset(ev);
        date_format(hk->status_date, d1);
        date_format(c->as_of, d2);
        ev_add(ev, "hukou: status deceased, status_date %s <= as-of %s (hukou line %lld)", d1,
               d2, hk->line);
        ev_key(ev, "%s", d1);
        EMIT(R_E01, mh, m->id);
    }
    if (on(c, R_E02) && e02_fires(hk, h)) {
        ev_reset(ev);
        if (hk->status == HK_MOVED_OUT || hk->status == HK_CANCELLED) {
            date_format(hk->status_date, d1);
            ev_add(ev, "hukou: status %s since %s", hk_status_names[hk->status], d1);
            if (strncmp(hk->region, h->region, 6) != 0)
                ev_add(ev, ", registered in county %.6s", hk->region);
            ev_add(ev, " (hukou line %lld)", hk->line);
        } else {
            ev_add(ev, "hukou: registered in county %.6s (region %s), enrolled in county "
                       "%.6s (hukou line %lld)", hk->region, hk->region, h->region, hk->line);
        }
        if (hk->status != HK_NORMAL)
            date_format(hk->status_date, d1);
        ev_key(ev, "%s\x1f%s\x1f%.6s\x1f%.6s", hk_status_names[hk->status],
               hk->status != HK_NORMAL ? d1 : "", hk->region, h->region);
        EMIT(R_E02, mh, m->id);
    }
    ev_reset(ev);
    if (on(c, R_E03) && person_vehicles(c, m->key, ev))
        EMIT(R_E03, mh, m->id);
    ev_reset(ev);
    if (on(c, R_E05) && person_commercial_property(c, m->key, ev))
        EMIT(R_E05, mh, m->id);
    ev_reset(ev);
    if (on(c, R_E07) && person_business(c, m->key, ev))
        EMIT(R_E07, mh, m->id);
    ev_reset(ev);
    if (on(c, R_E08) && person_pubservant(c, m->key, ev))
        EMIT(R_E08, mh, m->id);
    int n_hh = 0;
    const struct household *other =
        on(c, R_E10) ? person_membership(c, m->key, hi, &n_hh) : NULL;
    if (n_hh >= 2 && other) {
        ev_reset(ev);
        ev_add(ev, "members: also a member of household %s (%s), %d non-cancelled "
                   "households in all", other->id, hh_status_names[other->status], n_hh);
        ev_key(ev, "%s\x1f%d", other->id, n_hh);
        EMIT(R_E10, mh, m->id);
    }
    if (on(c, R_E12) && h->caseworker[0]) {
        struct keyidx_slot s = keyidx_get(&c->j->feed[IN_STAFFREL], m->key);
        ev_reset(ev);
        int hit = 0;
        for (uint32_t k = 0; k < s.count; k++) {
            const struct staffrel *r = &VEC_AT(c->d->staffrels, struct staffrel, s.first + k);
            if (strcmp(r->caseworker, h->caseworker) != 0)
                continue;
            ev_add(ev, "%sstaff_relatives: relative (%s) of caseworker %s (line %lld)",
                   hit ? "; " : "", r->relation, r->caseworker, r->line);
            ev_key(ev, "%s\x1f%s", r->relation, r->caseworker);
            hit++;
        }
        if (hit)
            EMIT(R_E12, mh, m->id);
    }
    ev_reset(ev);
    if (on(c, R_E14) && person_funerals(c, m->key, ev))
        EMIT(R_E14, mh, m->id);
    if (!hk) {
        ev_reset(ev);
        ev_add(ev, "hukou: no registration for this id_no (members line %lld)", m->line);
        EMIT(R_Q02, "", m->id);
    } else if (strcmp(m->name, hk->name) != 0) {
        ev_reset(ev);
        ev_add(ev, "members: name '%s' (line %lld) differs from hukou name '%s' "
                   "(hukou line %lld)", m->name, m->line, hk->name, hk->line);
        ev_key(ev, "%s\x1f%s", m->name, hk->name);
        EMIT(R_Q03, mh, m->id);
    }
    return E_OK;
}

/* E11: the head's hukou household holds a spouse or minor child who is
 * not a member of this household. */
static int judge_e11(const struct eval_ctx *c, struct tout *t, const struct household *h,
                     uint32_t hi, const struct hh_facts *f, struct evbuf *ev)
{
    const char *uh = f->head_hukou_no;
    size_t pos;
    if (!f->head || !f->head_hk || !join_hukou_group(c->j, f->head_hk, &pos))
        return E_OK;
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    for (size_t k = pos; k < c->j->n_hukou_by_no; k++) {
        const struct hukou *p = &VEC_AT(c->d->hukou, struct hukou, c->j->hukou_by_no[k]);
        if (!hukou_same_no(p, f->head_hk))
            break;
        if (p->status != HK_NORMAL)
            continue;
        int minor = 0;
        if (p->relation == REL_CHILD) {
            char idtxt[19];
            memcpy(idtxt, p->id, 18);
            idtxt[18] = '\0';
            int y = (idtxt[6] - '0') * 1000 + (idtxt[7] - '0') * 100 + (idtxt[8] - '0') * 10 +
                    (idtxt[9] - '0');
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
        ev_reset(ev);
        ev_add(ev, "hukou: %s %s in the head's hukou_no %s is not a member (hukou line %lld)",
               p->relation == REL_SPOUSE ? "spouse" : "child under 18", p->name, p->hukou_no,
               p->line);
        ev_key(ev, "%s", p->relation == REL_SPOUSE ? "spouse" : "child");
        EMIT(R_E11, uh, p->id);
    }
    return E_OK;
}

/* A non-cancelled household: the member rules, then the household rules
 * (E04, E06, Q04 or E09 and E13, P01, E11). */
static int judge_household(const struct eval_ctx *c, struct tout *t, uint32_t hi)
{
    const struct household *h = &VEC_AT(c->d->households, struct household, hi);
    if (h->status == HS_CANCELLED)
        return judge_cancelled(c, t, hi);
    struct hh_facts f;
    household_facts(c, h, &f);
    const char *uh = f.head_hukou_no;
    struct evbuf evb, *ev = &evb;
    char b1[48], d1[11], d2[11];
    int st;
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    for (uint32_t i = 0; i < h->n_members; i++) {
        st = judge_member_rows(c, t, h, hi, uh, i, ev);
        if (st == E_OK && ms[i].key)
            st = judge_person(c, t, h, hi, uh, &ms[i], ev);
        if (st != E_OK)
            return st;
    }

    if (e04_fires(c, &f)) {
        ev_reset(ev);
        ev_add(ev, "property: counted members hold %lld distinct held residential titles "
                   ">= %d:", f.res_ids.n_total, c->p->min_residential);
        for (int k = 0; k < f.res_ids.n; k++) {
            ev_add(ev, " %s", f.res_ids.v[k]);
            ev_key(ev, "%s", f.res_ids.v[k]);
        }
        ev_key(ev, "#%lld", f.res_ids.n_total);
        EMIT(R_E04, uh, "");
    }
    if (e06_fires(c, &f)) {
        ev_reset(ev);
        char ab[64];
        ev_add(ev, "property: held residential area x share %s m2 over %d counted members "
                   "> %s m2 per person", ev_area(f.area, ab), f.size,
               ev_money(c->p->max_area_h, b1));
        ev_key(ev, "%s\x1f%d", ab, f.size);
        EMIT(R_E06, uh, "");
    }
    if (!f.std) {
        /* never a silent pass: listed in the manifest, and Q04 whatever the
         * household's size */
        uint32_t *p = vec_push(&t->no_std_hh, sizeof *p);
        if (!p)
            return ERR(&t->e, E_NOMEM, "out of memory while evaluating rules");
        *p = hi;
        ev_reset(ev);
        date_format(c->as_of, d1);
        ev_add(ev, "standards: no %s row for region %s (prefix %.6s, %.9s or %s) in force "
                   "on %s; E09 and E13 cannot be judged (households line %lld)",
               area_names[h->area], h->region, h->region, h->region, h->region, d1, h->line);
        ev_key(ev, "%s\x1f%s", area_names[h->area], h->region);
        EMIT(R_Q04, uh, "");
    } else {
        if (on(c, R_E09) && e09_fires(c, h, &f)) {
            ev_reset(ev);
            if ((st = e09_evidence(c, h, &f, ev, &t->e)) != E_OK)
                return st;
            EMIT(R_E09, uh, "");
        }
        int e13;
        ev_reset(ev);
        if ((st = e13_judge(c, h, &f, &e13, ev, &t->e)) != E_OK)
            return st;
        if (e13)
            EMIT(R_E13, uh, "");
    }
    if (h->approved_on != DATE_NONE) {
        int wd = calendar_working_days(c->cal, h->applied_on, h->approved_on);
        if (wd > c->p->max_working_days) {
            ev_reset(ev);
            date_format(h->applied_on, d1);
            date_format(h->approved_on, d2);
            ev_add(ev, "households: approved %s after applying %s: %d working days > %d "
                       "(households line %lld)", d2, d1, wd, c->p->max_working_days, h->line);
            ev_key(ev, "%s\x1f%s", d1, d2);
            EMIT(R_P01, uh, "");
        }
    }
    return judge_e11(c, t, h, hi, &f, ev);
}
#undef EMIT

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
    int size = 0, n_accounts = 0, st = E_OK;
    i128 area = 0, income = 0, assets = 0;
    struct idset ids;
    memset(&ids, 0, sizeof ids);
    for (size_t k = pos; k < c->j->n_hukou_by_no; k++) {
        const struct hukou *p = &VEC_AT(c->d->hukou, struct hukou, c->j->hukou_by_no[k]);
        if (!hukou_same_no(p, hk))
            break;
        if (p->status != HK_NORMAL)
            continue;
        size++;
        if (person_membership(c, p->key, HH_NONE, NULL))
            return E_OK;
        if ((on(c, R_E03) && person_vehicles(c, p->key, NULL)) ||
            (on(c, R_E05) && person_commercial_property(c, p->key, NULL)) ||
            (on(c, R_E07) && person_business(c, p->key, NULL)) ||
            (on(c, R_E08) && person_pubservant(c, p->key, NULL)))
            return E_OK;
        person_residential(c, p->key, &area, &ids);
        income += evaluate_evidenced_sum(c, p->key);
        if (on(c, R_E13) &&
            (st = person_assets(c, p->key, &assets, &n_accounts, NULL, &t->e)) != E_OK)
            return st;
    }
    if (ids.n_total >= c->p->min_residential)
        return E_OK;
    if (area > (i128)c->p->max_area_h * SHARE_ONE * size)
        return E_OK;
    /* income / (W * size) <= standard */
    if (income > (i128)std->monthly_fen * c->p->income_months * size)
        return E_OK;
    /* E13 blocks as it would fire for this hukou household */
    i128 asset_limit = (i128)c->p->assets_months * std->monthly_fen * size;
    if (on(c, R_E13) && assets > asset_limit)
        return E_OK;
    struct evbuf ev;
    ev_reset(&ev);
    char b1[64], b2[64], b3[64], b4[64];
    int W = c->p->income_months;
    ev_add(&ev, "candidates: %s; hukou household %s has %d normal persons, none on the rolls, "
                "no vehicle/commercial property/business/public-servant finding; %d-month "
                "evidenced income %s / %d persons / %d months = %s per person per month <= "
                "standard %s (%s, prefix %s)", cd->source, hk->hukou_no, size, W,
           ev_yuan(income, 1, b1), size, W, ev_yuan(income, (i128)W * size, b3),
           ev_yuan(std->monthly_fen, 1, b2), area_names[cd->area], std->prefix);
    if (on(c, R_E13))
        ev_add(&ev, "; financial assets %s in %d accounts <= %d months x %s x %d persons = %s",
               ev_yuan(assets, 1, b3), n_accounts, c->p->assets_months, b2, size,
               ev_yuan(asset_limit, 1, b4));
    ev_add(&ev, " (candidates line %lld); persons, largest first: ", cd->line);
    if ((st = ev_income_persons(c, hk, &ev, &t->e)) != E_OK)
        return st;
    ev_key(&ev, "%s\x1f%d\x1f%s\x1f%s", cd->source, size, ev_money128(income, b1),
           ev_money(std->monthly_fen, b2));
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
            pf_slot(&j->feed[IN_FUNERAL], k);
            pf_slot(&j->feed[IN_FINASSETS], k);
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
