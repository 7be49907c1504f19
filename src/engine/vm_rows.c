/* vm_rows.c - what the rules VM reads of the dataset: columns of typed
 * rows, computed values (a member's hukou row, a household's size, head and
 * standard, a hukou person's birth date and hukou household), functions
 * (left, working_days, age, years_before, max, min), and exact arithmetic on
 * fractions in 128 bits (checked: an overflow is an error, never a wrap).
 *
 * Owns: the meaning of each builtin (ir.h enum builtin) on each row kind,
 * as the data contract defines it.  Never: writes the dataset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "contract/idcard.h"
#include "engine/vm_int.h"
#include "policy/ir.h"

/* ---------- values ---------- */





int vm_fail(struct frame *f, const struct op *o, const char *what)
{
    ERR(&f->t->e, E_DATA, "policy line %u: %s while judging %s; the rule cannot be decided "
        "exactly: check the data or the rule", o->line, what, f->unit_name);
    return -1;
}

static int fits64(i128 x)
{
    return x >= INT64_MIN && x <= INT64_MAX;
}

static i128 gcd128(i128 a, i128 b)
{
    if (a < 0)
        a = -a;
    /* the usual case, both within 64 bits: the same gcd without 128-bit
     * division (__modti3) */
    if (a >= 0 && (unsigned __int128)a <= UINT64_MAX && b >= 0 &&
        (unsigned __int128)b <= UINT64_MAX) {
        uint64_t x = (uint64_t)a, y = (uint64_t)b;
        while (y) {
            uint64_t t = x % y;
            x = y;
            y = t;
        }
        return (i128)x;
    }
    while (b) {
        i128 t = a % b;
        a = b;
        b = t < 0 ? -t : t;
    }
    return a;
}

/* r = a op b on exact fractions; -1 on overflow or division by zero. */
int vm_arith(int op, const struct vval *a, const struct vval *b, struct vval *r)
{
    i128 n, d, t1, t2;
    r->p = NULL;
    r->miss = 0;
    switch (op) {
    case '+':
    case '-':
        if (a->d == b->d) {
            if (op == '+' ? __builtin_add_overflow(a->n, b->n, &n)
                          : __builtin_sub_overflow(a->n, b->n, &n))
                return -1;
            d = a->d;
        } else {
            if (fits64(a->n) && fits64(b->n) && fits64(a->d) && fits64(b->d)) {
                /* each product within 126 bits, their sum within 127: no
                 * overflow, and no checked 128-bit multiplication */
                t1 = (i128)(int64_t)a->n * (int64_t)b->d;
                t2 = (i128)(int64_t)b->n * (int64_t)a->d;
                n = op == '+' ? t1 + t2 : t1 - t2;
                d = (i128)(int64_t)a->d * (int64_t)b->d;
            } else if (__builtin_mul_overflow(a->n, b->d, &t1) ||
                       __builtin_mul_overflow(b->n, a->d, &t2) ||
                       (op == '+' ? __builtin_add_overflow(t1, t2, &n)
                                  : __builtin_sub_overflow(t1, t2, &n)) ||
                       __builtin_mul_overflow(a->d, b->d, &d)) {
                return -1;
            }
            i128 g = gcd128(n, d);
            if (g > 1) {
                n /= g;
                d /= g;
            }
        }
        break;
    case '*':
        if (fits64(a->n) && fits64(b->n) && fits64(a->d) && fits64(b->d)) {
            n = (i128)(int64_t)a->n * (int64_t)b->n;   /* within 126 bits */
            d = (i128)(int64_t)a->d * (int64_t)b->d;
        } else if (__builtin_mul_overflow(a->n, b->n, &n) ||
                   __builtin_mul_overflow(a->d, b->d, &d)) {
            return -1;
        }
        break;
    default:   /* '/' */
        if (b->n == 0)
            return -2;
        if (__builtin_mul_overflow(a->n, b->d, &n) || __builtin_mul_overflow(a->d, b->n, &d))
            return -1;
        if (d < 0) {
            n = -n;
            d = -d;
        }
        break;
    }
    r->n = n;
    r->d = d;
    return 0;
}

/* Sign of a - b for fractions; 2 on overflow. */
int vm_cmp_num(const struct vval *a, const struct vval *b)
{
    if (a->d == b->d)
        return a->n < b->n ? -1 : a->n > b->n;
    i128 x, y;
    if (__builtin_mul_overflow(a->n, b->d, &x) || __builtin_mul_overflow(b->n, a->d, &y))
        return 2;
    return x < y ? -1 : x > y;
}

/* A text's length: n, or -1 for "NUL-terminated, not measured yet" (a
 * column's text is measured only if it must be: most are compared whole). */
size_t vm_text_len(const struct vval *v)
{
    return v->n >= 0 ? (size_t)v->n : strlen(v->p);
}

int vm_cmp_text(const struct vval *a, const struct vval *b)
{
    if (a->n < 0 && b->n < 0) {
        int r = strcmp(a->p, b->p);
        return r < 0 ? -1 : r > 0;
    }
    if (a->n < 0 || b->n < 0) {
        /* one measured (a constant, a left()): compare up to its length */
        int flip = a->n < 0;
        const struct vval *k = flip ? b : a, *u = flip ? a : b;
        size_t kl = (size_t)k->n;
        int r = strncmp(k->p, u->p, kl);
        if (r == 0)   /* equal so far (k holds no NUL): u is longer unless it ends here */
            r = ((const char *)u->p)[kl] ? -1 : 0;
        r = r < 0 ? -1 : r > 0;
        return flip ? -r : r;
    }
    size_t la = vm_text_len(a), lb = vm_text_len(b);
    int r = memcmp(a->p, b->p, la < lb ? la : lb);
    return r ? (r < 0 ? -1 : 1) : la < lb ? -1 : la > lb;
}

/* ---------- rows ---------- */

const struct hukou *vm_person_hukou(const struct frame *f, const void *row, int kind)
{
    const struct eval_ctx *c = f->c;
    if (kind == RK_MEMBER)
        return join_member_hukou(c->j, c->d, row);
    if (kind == RK_CANDIDATE)
        return join_candidate_hukou(c->j, c->d,
                                    (uint32_t)((const struct candidate *)row -
                                               (const struct candidate *)c->d->candidates.v));
    if (kind == RK_HUKOU)
        return row;
    return NULL;
}

static int hh_size(const struct frame *f, const struct household *h)
{
    if (h == f->hh)
        return f->size;
    const struct member *ms = &VEC_AT(f->c->d->members, struct member, h->first_member);
    int n = 0;
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct hukou *hk = join_member_hukou(f->c->j, f->c->d, &ms[i]);
        n += !hk || hk->status == HK_NORMAL;
    }
    return n;
}

static const struct member *hh_head(const struct frame *f, const struct household *h)
{
    if (h == f->hh)
        return f->head;
    const struct member *ms = &VEC_AT(f->c->d->members, struct member, h->first_member);
    for (uint32_t i = 0; i < h->n_members; i++)
        if (ms[i].relation == REL_HEAD)
            return &ms[i];
    return NULL;
}

static int group_size(const struct frame *f, const struct hukou *hk)
{
    size_t pos;
    const struct join *j = f->c->j;
    if (!join_hukou_group(j, hk, &pos))
        return 0;
    int n = 0;
    for (size_t k = pos; k < j->n_hukou_by_no; k++) {
        const struct hukou *p = &VEC_AT(f->c->d->hukou, struct hukou, j->hukou_by_no[k]);
        if (!hukou_same_no(p, hk))
            break;
        n += p->status == HK_NORMAL;
    }
    return n;
}

static int birth_date(const struct hukou *p)
{
    const char *s = p->id;
    int y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    int mo = (s[10] - '0') * 10 + (s[11] - '0');
    int dd = (s[12] - '0') * 10 + (s[13] - '0');
    return date_from_ymd(y, mo, dd);
}

void vm_builtin(struct frame *f, const struct op *o)
{
    struct vval *dst = &f->r[o->a];
    const struct vval *src = &f->r[o->b];
    if (src->miss || !src->p) {
        set_missing(dst);
        return;
    }
    const void *row = src->p;
    const struct eval_ctx *c = f->c;
    switch (o->x) {
    case B_VALID:
        set_int(dst, vm_person_key(row, o->y) != 0);
        return;
    case B_ID_STATUS: {
        const char *s = id_status_text((enum id_status)((const struct member *)row)->id_status);
        dst->p = s;
        dst->n = (i128)strlen(s);
        dst->d = 1;
        dst->miss = 0;
        return;
    }
    case B_COUNTED: {
        const struct hukou *hk = join_member_hukou(c->j, c->d, row);
        set_int(dst, !hk || hk->status == HK_NORMAL);
        return;
    }
    case B_HOUSEHOLD:
        set_row(dst, &VEC_AT(c->d->households, struct household,
                             ((const struct member *)row)->hh));
        return;
    case B_HUKOU:
        set_row(dst, vm_person_hukou(f, row, o->y));
        return;
    case B_BIRTH: {
        int d = birth_date(row);
        if (d == DATE_INVALID)
            set_missing(dst);
        else
            set_int(dst, d);
        return;
    }
    case B_HUKOU_HOUSEHOLD:
        set_row(dst, row);
        return;
    case B_STANDARD:
        if (o->y == RK_HOUSEHOLD) {
            const struct household *h = row;
            set_row(dst, h == f->hh ? f->std
                                    : standard_lookup(c->d->standards.v, c->d->standards.n,
                                                      h->region, h->area, c->as_of));
        } else {
            const struct candidate *cd = row;
            set_row(dst, cd == f->cand ? f->cstd
                                       : standard_lookup(c->d->standards.v, c->d->standards.n,
                                                         cd->region, cd->area, c->as_of));
        }
        return;
    case B_SIZE:
        set_int(dst, o->y == RK_HOUSEHOLD ? hh_size(f, row) : group_size(f, row));
        return;
    case B_HEAD:
        set_row(dst, hh_head(f, row));
        return;
    }
    set_missing(dst);
}

static int years_before(int day, int n)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    y -= n;
    if (m == 2 && d == 29 && date_from_ymd(y, 2, 29) == DATE_INVALID)
        d = 28;
    return date_from_ymd(y, m, d);
}

int vm_fn(struct frame *f, const struct op *o)
{
    struct vval *dst = &f->r[o->a];
    const struct vval *a = &f->r[o->b], *b = &f->r[o->c];
    if (a->miss || b->miss) {
        set_missing(dst);
        return 0;
    }
    switch (o->x) {
    case FN_LEFT:
        *dst = *a;
        if (dst->n < 0)
            dst->n = (i128)strnlen(a->p, b->n < 0 ? 0 : (size_t)b->n);
        else if (dst->n > b->n)
            dst->n = b->n;
        return 0;
    case FN_WORKING_DAYS:
        set_int(dst, calendar_working_days(f->c->cal, (int)a->n, (int)b->n));
        return 0;
    case FN_AGE:
        set_int(dst, date_age_years((int)a->n, (int)b->n));
        return 0;
    case FN_YEARS_BEFORE:
        set_int(dst, years_before((int)a->n, (int)(b->n / b->d)));
        return 0;
    case FN_STANDARD_OF:   /* the standard in force on the as-of date (calendar.h) */
        set_row(dst, standard_lookup(f->c->d->standards.v, f->c->d->standards.n, a->p,
                                     (int)b->n, f->c->as_of));
        return 0;
    default: {
        int s = a->d == 1 && b->d == 1 ? (a->n < b->n ? -1 : a->n > b->n) : vm_cmp_num(a, b);
        if (s == 2)
            return vm_fail(f, o, "arithmetic overflow");
        *dst = (o->x == FN_MAX) == (s >= 0) ? *a : *b;
        return 0;
    }
    }
}

int vm_list_add(struct frame *f, const struct op *o)
{
    struct vlist *l = (struct vlist *)f->r[o->a].p;
    const struct vval *v = &f->r[o->b];
    if (v->miss)
        return 0;
    for (int i = 0; i < l->n; i++) {
        const struct vval *w = &l->v[i];
        int eq = o->y == CC_TEXT ? vm_cmp_text(v, w) == 0
                 : o->y == CC_NUM ? vm_cmp_num(v, w) == 0 : v->n == w->n;
        if (eq)
            return 0;
    }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        struct vval *nv = realloc(l->v, (size_t)cap * sizeof *nv);
        if (!nv) {
            ERR(&f->t->e, E_NOMEM, "out of memory while evaluating rules");
            return -1;
        }
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = *v;
    return 0;
}

/* Compare two values of latest(): -1, 0, 1 (missing first); num: fractions. */
static int cmp_any(const struct vval *a, const struct vval *b, int num)
{
    if (a->miss || b->miss)
        return a->miss == b->miss ? 0 : a->miss ? -1 : 1;
    if (a->p && b->p)
        return vm_cmp_text(a, b);
    if (num) {
        int s = vm_cmp_num(a, b);
        return s == 2 ? 0 : s;
    }
    return a->n < b->n ? -1 : a->n > b->n;
}

/* latest(): keep per key the row with the greatest order (prog.h LATEST).
 * The list is kept in key order (text byte by byte, numbers by value), so
 * what latest() gives never depends on the rows' file order.  sorted() is
 * the same op with no order (o->d == 0): every row is kept, in key order
 * (bit 8+k of o->y: key k descending), a tie after the rows it ties with,
 * so rows whose keys all tie stay in the order they came. */
int vm_latest_add(struct frame *f, const struct op *o)
{
    struct vlist *l = (struct vlist *)f->r[o->a].p;
    const struct vval *vals = &f->r[o->c];
    int nk = o->x, no = o->d, w = 1 + nk + no;
    int at = l->n;   /* where a new key goes */
    l->stride = w;
    for (int i = 0; i < l->n; i++) {
        struct vval *e = &l->v[(size_t)i * (size_t)w];
        int s = 0;
        for (int k = 0; k < nk && !s; k++) {
            s = cmp_any(&e[1 + k], &vals[k], (o->y >> k) & 1);
            if (no == 0 && (o->y >> (8 + k)) & 1)
                s = -s;
        }
        if (s > 0) {
            at = i;
            break;
        }
        if (s < 0 || no == 0)
            continue;
        for (int k = 0; k < no; k++) {
            s = cmp_any(&vals[nk + k], &e[1 + nk + k], (o->y >> (nk + k)) & 1);
            if (s < 0)
                return 0;
            if (s > 0) {
                e[0] = f->r[o->b];
                memcpy(&e[1], vals, (size_t)(nk + no) * sizeof *vals);
                return 0;
            }
        }
        return 0;   /* a full tie: the first stays */
    }
    if ((size_t)(l->n + 1) * (size_t)w > (size_t)l->cap) {
        size_t cap = l->cap ? (size_t)l->cap * 2 : (size_t)16 * (size_t)w;
        while (cap < (size_t)(l->n + 1) * (size_t)w)
            cap *= 2;
        struct vval *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) {
            ERR(&f->t->e, E_NOMEM, "out of memory while evaluating rules");
            return -1;
        }
        l->v = nv;
        l->cap = (int)cap;
    }
    struct vval *e = &l->v[(size_t)at * (size_t)w];
    if (at < l->n)
        memmove(e + w, e, (size_t)(l->n - at) * (size_t)w * sizeof *e);
    e[0] = f->r[o->b];
    memcpy(&e[1], vals, (size_t)(nk + no) * sizeof *vals);
    l->n++;
    return 0;
}

