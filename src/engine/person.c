/* person.c - what the feeds say about one person (see person.h), and the
 * evidence text every flag carries.
 *
 * Owns: the per-person reading of vehicles, property, business, public
 * servants, funerals and financial assets (the latest balance per account),
 * the evidenced income (evaluate.h), and the evidence/fingerprint-key
 * buffer.  Never decides a flag (evaluate.c does), never reads files,
 * never uses floating point.
 */
#include "engine/person.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/idmask.h"
#include "base/num.h"

/* ---------- evidence text ---------- */

void ev_reset(struct evbuf *s)
{
    s->n = 0;
    s->b[0] = '\0';
    s->truncated = 0;
    s->kn = 0;
    s->k[0] = '\0';
}

/* One key item (see struct evbuf); items that do not fit are dropped. */
void ev_key(struct evbuf *s, const char *fmt, ...)
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

void ev_add(struct evbuf *s, const char *fmt, ...)
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

const char *ev_money(int64_t fen, char buf[48])
{
    num_format(fen, 2, buf);
    return buf;
}

const char *ev_area(i128 v_h_nano, char buf[64])
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

const char *ev_money128(i128 fen, char buf[48])
{
    if (fen >= INT64_MIN && fen <= INT64_MAX)
        return ev_money((int64_t)fen, buf);
    char digits[48];
    int n = 0;
    unsigned __int128 u = fen < 0 ? (unsigned __int128)-fen : (unsigned __int128)fen;
    while (u && n < 46) {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    }
    int k = 0;
    if (fen < 0)
        buf[k++] = '-';
    for (int i = n - 1; i >= 2; i--)
        buf[k++] = digits[i];
    if (digits[1] != '0' || digits[0] != '0') {
        buf[k++] = '.';
        buf[k++] = digits[1];
        if (digits[0] != '0')
            buf[k++] = digits[0];
    }
    buf[k] = '\0';
    return buf;
}

/* ---------- registry ---------- */

const struct household *person_membership(const struct eval_ctx *c, uint64_t key,
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

int person_assets(const struct eval_ctx *c, uint64_t key, i128 *sum, int *n_accounts,
                  struct evbuf *ev, struct err *e)
{
    const struct finasset *buf[32], **v = NULL;
    size_t n = 0;
    int st = account_rows(c, key, buf, 32, &v, &n, e);
    if (st != E_OK)
        return st;
    char b1[48], d1[11];
    for (size_t i = 0; i < n; i++) {
        *sum += v[i]->balance_fen;
        if (!ev)
            continue;
        date_format(v[i]->balance_date, d1);
        ev_key(ev, "%s\x1f%s\x1f%s\x1f%s", v[i]->institution, v[i]->account_no,
               ev_money(v[i]->balance_fen, b1), d1);
    }
    *n_accounts += (int)n;
    if (v != buf)
        free(v);
    return E_OK;
}

int evaluate_assets(const struct eval_ctx *c, uint64_t key, int64_t *sum, int *n_accounts,
                    struct err *e)
{
    i128 total = 0;
    *n_accounts = 0;
    int st = person_assets(c, key, &total, n_accounts, NULL, e);
    *sum = 0;
    if (st == E_OK && total > INT64_MAX)
        return ERR(e, E_DATA, "financial assets of one person exceed %lld fen",
                   (long long)INT64_MAX);
    if (st == E_OK)
        *sum = (int64_t)total;
    return st;
}

/* E03: vehicles that count.  Appends evidence; returns the number. */
int person_vehicles(const struct eval_ctx *c, uint64_t key, struct evbuf *ev)
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
                ev_add(ev, "%svehicles: %s %s %s value %s > %s (line %lld)", n ? "; " : "",
                       vclass_names[v->vclass], v->plate, vuse_names[v->use],
                       ev_money(v->value_fen, b1), ev_money(c->p->vehicle_exempt_max_fen, b2),
                       v->line);
            else
                ev_add(ev, "%svehicles: %s %s %s value %s (line %lld)", n ? "; " : "",
                       vclass_names[v->vclass], v->plate, vuse_names[v->use],
                       ev_money(v->value_fen, b1), v->line);
            ev_key(ev, "%s\x1f%s\x1f%s\x1f%s", vclass_names[v->vclass], v->plate,
                   vuse_names[v->use], b1);
        }
        n++;
    }
    return n;
}

int person_commercial_property(const struct eval_ctx *c, uint64_t key, struct evbuf *ev)
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
            ev_add(ev, "%sproperty: %s %s held, %s m2 x share %s (line %lld)", n ? "; " : "",
                   usage_names[p->usage], p->property_id, ev_money(p->area_h, b1), b2, p->line);
            ev_key(ev, "%s\x1f%s\x1f%s\x1f%s", usage_names[p->usage], p->property_id, b1, b2);
        }
        n++;
    }
    return n;
}

int person_business(const struct eval_ctx *c, uint64_t key, struct evbuf *ev)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_BUSINESS], key);
    int n = 0;
    for (uint32_t i = 0; i < s.count; i++) {
        const struct business *b = &VEC_AT(c->d->business, struct business, s.first + i);
        if (!(c->p->business_roles & (1u << b->role)) ||
            !(c->p->business_statuses & (1u << b->status)))
            continue;
        if (ev) {
            ev_add(ev, "%sbusiness: %s of %s (%s, line %lld)", n ? "; " : "",
                   brole_names[b->role], b->entity, bstatus_names[b->status], b->line);
            ev_key(ev, "%s\x1f%s\x1f%s", brole_names[b->role], b->entity,
                   bstatus_names[b->status]);
        }
        n++;
    }
    return n;
}

int person_pubservant(const struct eval_ctx *c, uint64_t key, struct evbuf *ev)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_PUBSERV], key);
    for (uint32_t i = 0; ev && i < s.count; i++) {
        const struct pubservant *p = &VEC_AT(c->d->pubservants, struct pubservant, s.first + i);
        char since[11] = "unknown";
        if (p->since != DATE_NONE)
            date_format(p->since, since);
        ev_add(ev, "%spublic_servants: employer %s since %s (line %lld)", i ? "; " : "",
               p->employer, since, p->line);
        ev_key(ev, "%s\x1f%s", p->employer, since);
    }
    return (int)s.count;
}

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

void person_residential(const struct eval_ctx *c, uint64_t key, i128 *area_x_share,
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

int person_funerals(const struct eval_ctx *c, uint64_t key, struct evbuf *ev)
{
    struct keyidx_slot s = keyidx_get(&c->j->feed[IN_FUNERAL], key);
    int n = 0;
    char d1[11], d2[11];
    for (uint32_t i = 0; i < s.count; i++) {
        const struct funeral *f = &VEC_AT(c->d->funerals, struct funeral, s.first + i);
        if (f->event_date > c->as_of)
            continue;
        if (ev) {
            date_format(f->event_date, d1);
            date_format(c->as_of, d2);
            ev_add(ev, "%sfuneral: %s of %s on %s <= as-of %s (line %lld)", n ? "; " : "",
                   funeral_kind_names[f->kind], f->name[0] ? f->name : "(no name)", d1, d2,
                   f->line);
            ev_key(ev, "%s\x1f%s", funeral_kind_names[f->kind], d1);
        }
        n++;
    }
    return n;
}

/* ---------- figures a reader can check (E09, L01, E13) ---------- */

const char *ev_yuan(i128 num, i128 den, char buf[64])
{
    num_format_yuan(num, den, buf);
    return buf;
}

const char *ev_masked(const char *s, char buf[128])
{
    char in[128];
    size_t len = strlen(s);
    if (len >= sizeof in)
        len = sizeof in - 1;   /* as the rules VM's masked() */
    memcpy(in, s, len);
    in[len] = '\0';
    idmask_value(in, buf, 128);
    return buf;
}

/* One person's part of a figure.  The lists are ordered as the policy's
 * sorted(... by PART desc, id_no, line): largest first, ties by id_no (byte
 * order), then by file line, a total order. */
struct part {
    i128 v;                  /* the part, fen */
    const char *id;
    long long line;
    int64_t declared;        /* E09: declared monthly income, fen */
    int64_t evid;            /* E09, L01: evidenced income over the window */
    uint64_t key;            /* E13: whose accounts */
};

static int cmp_part(const void *a, const void *b)
{
    const struct part *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    int r = strcmp(x->id, y->id);
    if (r)
        return r < 0 ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Room for n parts: buf when it holds them, else malloc'd (free if != buf). */
static struct part *parts_alloc(struct part *buf, size_t cap, size_t n, struct err *e)
{
    struct part *v = n <= cap ? buf : malloc(n * sizeof *v);
    if (!v)
        ERR(e, E_NOMEM, "out of memory while writing evidence");
    return v;
}

/* The counted members of h as parts: E09's income (assets 0) or E13's
 * financial assets (assets 1).  *n_out parts in *out (parts_alloc). */
static int counted_parts(const struct eval_ctx *c, const struct household *h, int assets,
                         struct part *buf, size_t cap, struct part **out, size_t *n_out,
                         struct err *e)
{
    const struct member *ms = &VEC_AT(c->d->members, struct member, h->first_member);
    struct part *v = parts_alloc(buf, cap, h->n_members, e);
    if (!v)
        return E_NOMEM;
    size_t n = 0;
    int W = c->p->income_months, st = E_OK;
    for (uint32_t i = 0; i < h->n_members && st == E_OK; i++) {
        const struct hukou *hk = join_member_hukou(c->j, c->d, &ms[i]);
        if (hk && hk->status != HK_NORMAL)
            continue;
        struct part *p = &v[n++];
        memset(p, 0, sizeof *p);
        p->id = ms[i].id;
        p->line = ms[i].line;
        p->key = ms[i].key;
        if (assets) {
            int k = 0;
            if (ms[i].key)
                st = person_assets(c, ms[i].key, &p->v, &k, NULL, e);
            continue;
        }
        p->declared = ms[i].declared_fen;
        p->evid = ms[i].key ? evaluate_evidenced_sum(c, ms[i].key) : 0;
        p->v = (i128)p->declared * W > p->evid ? (i128)p->declared * W : p->evid;
    }
    if (st != E_OK) {
        if (v != buf)
            free(v);
        return st;
    }
    qsort(v, n, sizeof *v, cmp_part);
    *out = v;
    *n_out = n;
    return E_OK;
}

int ev_income_household(const struct eval_ctx *c, const struct household *h, int size,
                        i128 income, const struct standard *std, struct evbuf *ev,
                        struct err *e)
{
    char id[128], b1[64], b2[64], b3[64], b4[64], b5[48];
    const struct rational *fa = &c->p->factor[h->program];
    int W = c->p->income_months;
    num_format(fa->num * 1000000 / fa->den, 6, b5);
    ev_add(ev, "income: %d-month total %s / %d counted members / %d months = %s per person "
               "per month > standard %s x factor %s = %s (%s %s from prefix %s, standards "
               "line %lld); members, largest first: ", W, ev_yuan(income, 1, b1), size, W,
           ev_yuan(income, (i128)W * size, b2), ev_yuan(std->monthly_fen, 1, b3), b5,
           ev_yuan((i128)std->monthly_fen * fa->num, fa->den, b4), area_names[h->area],
           program_names[h->program], std->prefix, std->line);
    struct part buf[32], *v;
    size_t n;
    int st = counted_parts(c, h, 0, buf, 32, &v, &n, e);
    if (st != E_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        ev_add(ev, "%s%s max(declared %s x %d, social_insurance %s) = %s", i ? "; " : "",
               ev_masked(v[i].id, id), ev_yuan(v[i].declared, 1, b1), c->p->income_months,
               ev_yuan(v[i].evid, 1, b2), ev_yuan(v[i].v, 1, b3));
    if (v != buf)
        free(v);
    return E_OK;
}

int ev_income_persons(const struct eval_ctx *c, const struct hukou *hk, struct evbuf *ev,
                      struct err *e)
{
    size_t pos, n = 0;
    if (!join_hukou_group(c->j, hk, &pos))
        return E_OK;
    for (size_t k = pos; k < c->j->n_hukou_by_no; k++) {
        const struct hukou *p = &VEC_AT(c->d->hukou, struct hukou, c->j->hukou_by_no[k]);
        if (!hukou_same_no(p, hk))
            break;
        n += p->status == HK_NORMAL;
    }
    struct part buf[32], *v = parts_alloc(buf, 32, n, e);
    if (!v)
        return E_NOMEM;
    n = 0;
    for (size_t k = pos; k < c->j->n_hukou_by_no; k++) {
        const struct hukou *p = &VEC_AT(c->d->hukou, struct hukou, c->j->hukou_by_no[k]);
        if (!hukou_same_no(p, hk))
            break;
        if (p->status != HK_NORMAL)
            continue;
        memset(&v[n], 0, sizeof v[n]);
        v[n].id = p->id;
        v[n].line = p->line;
        v[n].v = v[n].evid = evaluate_evidenced_sum(c, p->key);
        n++;
    }
    qsort(v, n, sizeof *v, cmp_part);
    char id[128], b1[64];
    for (size_t i = 0; i < n; i++)
        ev_add(ev, "%s%s social_insurance %s", i ? "; " : "", ev_masked(v[i].id, id),
               ev_yuan(v[i].evid, 1, b1));
    if (v != buf)
        free(v);
    return E_OK;
}

/* An owner's accounts, largest balance first, ties by institution then
 * account_no (one row per account, so a total order). */
static int cmp_balance(const void *a, const void *b)
{
    const struct finasset *x = *(const struct finasset *const *)a,
                          *y = *(const struct finasset *const *)b;
    if (x->balance_fen != y->balance_fen)
        return x->balance_fen > y->balance_fen ? -1 : 1;
    int r = strcmp(x->institution, y->institution);
    if (!r)
        r = strcmp(x->account_no, y->account_no);
    return r < 0 ? -1 : r > 0;
}

int ev_asset_accounts(const struct eval_ctx *c, const struct household *h, struct evbuf *ev,
                      struct err *e)
{
    struct part pbuf[32], *v;
    size_t n;
    int st = counted_parts(c, h, 1, pbuf, 32, &v, &n, e);
    if (st != E_OK)
        return st;
    char id[128], acc[128], b1[64], d1[11];
    int k = 0;
    for (size_t i = 0; i < n && st == E_OK; i++) {
        const struct finasset *abuf[32], **a = NULL;
        size_t na = 0;
        if (!v[i].key || (st = account_rows(c, v[i].key, abuf, 32, &a, &na, e)) != E_OK)
            continue;
        if (na > 1)
            qsort(a, na, sizeof *a, cmp_balance);
        ev_masked(v[i].id, id);
        for (size_t j = 0; j < na; j++, k++) {
            date_format(a[j]->balance_date, d1);
            ev_add(ev, "%s%s: %s %s %s %s on %s (line %lld)", k ? "; " : "", id,
                   a[j]->institution, ev_masked(a[j]->account_no, acc),
                   asset_type_names[a[j]->asset_type], ev_yuan(a[j]->balance_fen, 1, b1), d1,
                   a[j]->line);
        }
        if (a != abuf)
            free(a);
    }
    if (v != pbuf)
        free(v);
    return st;
}
