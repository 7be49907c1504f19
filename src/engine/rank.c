/* rank.c - stage 6: review queue and spot-check sample (see rank.h).
 *
 * Owns: scores, ranks and the sample draw.  Reads flags, never changes
 * them, never does I/O.  Everything here is sequential and sorted by total
 * orders, so it is deterministic by construction.
 */
#include "engine/rank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/date.h"

/* ---------- review queue ---------- */

/* Order flags by their review unit: (household_id, unit hukou_no), then
 * region and rule; ties keep the flags' own order (a total order, so the
 * result does not depend on how qsort treats equal elements). */
static int cmp_unit(const void *a, const void *b)
{
    const struct flag *x = *(const struct flag *const *)a, *y = *(const struct flag *const *)b;
    int r = strcmp(x->household_id, y->household_id);
    if (r)
        return r;
    if ((r = strcmp(x->unit_hukou_no, y->unit_hukou_no)))
        return r;
    if ((r = strcmp(x->region, y->region)))
        return r;
    if ((r = strcmp(rule_names[x->rule], rule_names[y->rule])))
        return r;
    return x < y ? -1 : x > y;   /* both point into one flags array */
}

/* Sort v[0..n) by cmp_unit.  The flags arrive sorted by household_id
 * (flag_cmp's order, evaluate.h), so only the runs of one household need
 * sorting: small, and their strings in cache.  Anything else gets the
 * whole sort. */
static void sort_units(const struct flag **v, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        int r = 0;
        while (j < n && (r = strcmp(v[j]->household_id, v[i]->household_id)) == 0)
            j++;
        if (r < 0) {   /* not in household_id order after all */
            qsort(v, n, sizeof *v, cmp_unit);
            return;
        }
        if (j - i > 1)
            qsort(v + i, j - i, sizeof *v, cmp_unit);
        i = j;
    }
}

static int cmp_queue(const void *a, const void *b)
{
    const struct queue_row *x = a, *y = b;
    int r = strcmp(x->township, y->township);
    if (r)
        return r;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if ((r = strcmp(x->household_id, y->household_id)))
        return r;
    return strcmp(x->hukou_no, y->hukou_no);
}

static int build_queue(const struct policy *p, const struct eval_result *er,
                       struct ranked *out, struct err *e)
{
    size_t n = er->n_flags;
    const struct flag **v = malloc((n ? n : 1) * sizeof *v);
    out->queue = malloc((n ? n : 1) * sizeof *out->queue);
    /* a unit's rule_ids name each of its rules once, and each rule came
     * with a flag: at most one name and a ';' (or the NUL) per flag */
    size_t longest = 0;
    for (int r = 0; r < n_rules; r++)
        if (strlen(rule_names[r]) > longest)
            longest = strlen(rule_names[r]);
    size_t text_cap = n * (longest + 1) + 1;
    out->queue_text = malloc(text_cap);
    if (!v || !out->queue || !out->queue_text) {
        free(v);
        return ERR(e, E_NOMEM, "out of memory while building the review queue");
    }
    size_t text_used = 0;
    size_t nv = 0;
    for (size_t i = 0; i < n; i++)
        if (!er->flags[i].held)   /* an auditor's verdict is in force (review.h) */
            v[nv++] = &er->flags[i];
    n = nv;
    sort_units(v, n);
    size_t nq = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(v[j]->household_id, v[i]->household_id) == 0 &&
               strcmp(v[j]->unit_hukou_no, v[i]->unit_hukou_no) == 0)
            j++;
        /* v[i..j) is one unit; rules within it are sorted by name */
        int serious = 0, score = 0;
        struct queue_row *q = &out->queue[nq];
        memset(q, 0, sizeof *q);
        char *text = out->queue_text + text_used;
        size_t rl = 0;
        int last_rule = -1;
        for (size_t k = i; k < j; k++) {
            int sev = v[k]->severity;
            if (sev == SEV_HIGH || sev == SEV_MEDIUM)
                serious = 1;
            if (v[k]->rule == last_rule)
                continue;
            last_rule = v[k]->rule;
            score += p->weight[sev];
            if (rl)
                text[rl++] = ';';
            size_t len = strlen(rule_names[v[k]->rule]);
            memcpy(text + rl, rule_names[v[k]->rule], len);
            rl += len;
        }
        text[rl] = '\0';
        if (serious) {
            /* township of the unit: the smallest region among its flags
             * (all flags of a registry household share its region) */
            snprintf(q->township, sizeof q->township, "%.9s", v[i]->region);
            q->household_id = v[i]->household_id;
            q->hukou_no = v[i]->unit_hukou_no;
            q->score = score;
            q->rule_ids = text;
            text_used += rl + 1;
            nq++;
        }
        i = j;
    }
    free(v);
    qsort(out->queue, nq, sizeof *out->queue, cmp_queue);
    for (size_t i = 0; i < nq; i++)
        out->queue[i].rank =
            (i > 0 && strcmp(out->queue[i].township, out->queue[i - 1].township) == 0)
                ? out->queue[i - 1].rank + 1
                : 1;
    out->n_queue = nq;
    return E_OK;
}

/* ---------- spot-check sample ---------- */

uint64_t rank_draw_key(const char *household_id, uint64_t seed)
{
    return XXH3_64bits_withSeed(household_id, strlen(household_id), seed);
}

struct cand {
    char township[10];
    int program;
    uint64_t draw;
    const struct household *h;
};

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    int r = strcmp(x->township, y->township);
    if (r)
        return r;
    if (x->program != y->program)
        return strcmp(program_names[x->program], program_names[y->program]);
    if (x->draw != y->draw)
        return x->draw < y->draw ? -1 : 1;
    return strcmp(x->h->id, y->h->id);
}

static int cmp_spot(const void *a, const void *b)
{
    const struct spot_row *x = a, *y = b;
    int r = strcmp(x->township, y->township);
    if (r)
        return r;
    if ((r = strcmp(program_names[x->program], program_names[y->program])))
        return r;
    return strcmp(x->household_id, y->household_id);
}

static int build_spot(const struct dataset *d, const struct policy *p, int as_of,
                      uint64_t seed, struct ranked *out, struct err *e)
{
    size_t nh = d->households.n;
    struct cand *c = malloc((nh ? nh : 1) * sizeof *c);
    out->spot = malloc((nh ? nh : 1) * sizeof *out->spot);
    if (!c || !out->spot) {
        free(c);
        return ERR(e, E_NOMEM, "out of memory while drawing the spot-check sample");
    }
    int month = date_month(as_of);
    size_t n = 0;
    for (size_t i = 0; i < nh; i++) {
        const struct household *h = &VEC_AT(d->households, struct household, i);
        if (h->status != HS_ACTIVE && h->status != HS_SUSPENDED)
            continue;
        if (h->approved_on == DATE_NONE || h->approved_on > as_of ||
            date_month(h->approved_on) != month)
            continue;
        snprintf(c[n].township, sizeof c[n].township, "%.9s", h->region);
        c[n].program = h->program;
        c[n].draw = rank_draw_key(h->id, seed);
        c[n].h = h;
        n++;
    }
    qsort(c, n, sizeof *c, cmp_cand);
    char mtxt[8];
    month_format(month, mtxt);
    size_t ns = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(c[j].township, c[i].township) == 0 && c[j].program == c[i].program)
            j++;
        long long approved = (long long)(j - i);
        const struct rational *r = &p->spot_ratio[c[i].program];
        long long take = (long long)(((__int128)r->num * approved + r->den - 1) / r->den);
        if (take > approved)
            take = approved;
        for (long long k = 0; k < take; k++) {
            struct spot_row *s = &out->spot[ns++];
            memcpy(s->township, c[i].township, sizeof s->township);
            s->program = c[i].program;
            s->household_id = c[i + (size_t)k].h->id;
            snprintf(s->reason, sizeof s->reason,
                     "random draw %lld of %lld from %lld %s approvals in %s (seed %llu)",
                     k + 1, take, approved, program_names[c[i].program], mtxt,
                     (unsigned long long)seed);
        }
        i = j;
    }
    free(c);
    qsort(out->spot, ns, sizeof *out->spot, cmp_spot);
    out->n_spot = ns;
    return E_OK;
}

int rank_build(const struct dataset *d, const struct policy *p, const struct eval_result *er,
               int as_of, uint64_t seed, struct ranked *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    int st = build_queue(p, er, out, e);
    if (st == E_OK)
        st = build_spot(d, p, as_of, seed, out, e);
    return st;
}

void ranked_free(struct ranked *r)
{
    free(r->queue);
    free(r->queue_text);
    free(r->spot);
    memset(r, 0, sizeof *r);
}
