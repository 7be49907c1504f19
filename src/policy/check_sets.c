/* check_sets.c - sets, aggregates and calls of the rules language's checker.
 *
 * Owns: what a set is (a person feed, h.members, h.counted, a group's
 * persons, a person's households, the window, a list from distinct() or
 * latest() or sorted(), each of these filtered by `where`, `S.FEED` over a set of
 * persons), the aggregates' types, the built-in functions, `define`
 * expansion (the body checked again with the caller's values for its
 * arguments, no recursion) and parameter tables (`factor[h.program]`).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "contract/model.h"
#include "policy/check_int.h"

/* ---------- sets ---------- */

/* The element type of a set or list value; TY_ERR (reported) if x is none. */
struct ty chk_elem_of(struct chk *k, struct ir *x, const struct node *n)
{
    if (x->t.b == TY_ERR)
        return x->t;
    if (x->t.b == TY_SET)
        return x->t.eb == TY_MONTH ? T(TY_MONTH, 0, 0) : T(TY_ROW, x->t.e, 0);
    if (x->t.b == TY_LIST)
        return T(x->t.eb, x->t.e, 0);
    char b[48];
    chk_error(k, n->pos, span(n), "expected a set (m.vehicles, h.counted, ...), found %s",
              ty_name(x->t, b, sizeof b));
    return T(TY_ERR, 0, 0);
}

/* latest(S by K1, K2...: O1, O2...): per distinct key, the element with the
 * greatest order (compared in turn; a full tie keeps the first in file
 * order); a list of rows.  x->v = keys then orders, x->b = number of keys. */
static struct ir *latest(struct chk *k, const struct node *n, struct ir *x, struct env *el,
                         struct ty et)
{
    char b[48];
    if (et.b != TY_ROW) {
        if (et.b != TY_ERR)
            chk_error(k, n->pos, 6, "latest() takes a set of rows");
        return chk_bad(k, n->pos);
    }
    int no = n->c ? n->c->nv : 0;
    x->v = lang_alloc(k->L, (size_t)(n->nv + no + 1) * sizeof *x->v);
    if (!x->v)
        return NULL;
    for (int i = 0; i < n->nv + no; i++) {
        const struct node *e = i < n->nv ? n->v[i] : n->c->v[i - n->nv];
        struct ir *v = cx(k, el, e);
        if (!v)
            return NULL;
        if (v->t.b != TY_ERR && (!printable(v->t) || v->t.b == TY_BOOL ||
                                 (i >= n->nv && v->t.b == TY_TEXT))) {
            chk_error(k, e->pos, span(e), "latest(): %s cannot be %s", ty_name(v->t, b, sizeof b),
                      i < n->nv ? "a key (text, a number, a date, a value of a set)"
                                : "an order (a date or a number)");
            return chk_bad(k, n->pos);
        }
        x->v[x->nv++] = v;
    }
    if (n->nv < 1 || no < 1 || n->nv + no > 8) {
        chk_error(k, n->pos, 6, "latest(SET by KEY: ORDER) needs a key and an order (at most "
                  "8 in all)");
        return chk_bad(k, n->pos);
    }
    x->b = n->nv;
    x->t = T(TY_LIST, et.e, TY_ROW);
    return x;
}

/* sorted(S by K1 [desc], K2...): the elements of S (a set or list of rows)
 * in the order of the keys, compared in turn (text byte by byte, numbers by
 * value, a missing value first; `desc` reverses one key); elements whose
 * keys all tie keep their order in S.  A list of rows; x->v = the keys,
 * x->b = their number, x->num = bit i: key i descending. */
static struct ir *sorted(struct chk *k, const struct node *n, struct ir *x, struct env *el,
                         struct ty et)
{
    char b[48];
    if (et.b != TY_ROW) {
        if (et.b != TY_ERR)
            chk_error(k, n->pos, 6, "sorted() takes a set of rows");
        return chk_bad(k, n->pos);
    }
    x->v = lang_alloc(k->L, (size_t)(n->nv + 1) * sizeof *x->v);
    if (!x->v)
        return NULL;
    for (int i = 0; i < n->nv; i++) {
        struct ir *v = cx(k, el, n->v[i]);
        if (!v)
            return NULL;
        if (v->t.b != TY_ERR && (!printable(v->t) || v->t.b == TY_BOOL)) {
            chk_error(k, n->v[i]->pos, span(n->v[i]), "sorted(): %s cannot be a key (text, a "
                      "number, a date, a value of a set)", ty_name(v->t, b, sizeof b));
            return chk_bad(k, n->pos);
        }
        x->v[x->nv++] = v;
    }
    if (n->nv < 1 || n->nv > 8) {
        chk_error(k, n->pos, 6, "sorted(SET by KEY) needs 1 to 8 keys");
        return chk_bad(k, n->pos);
    }
    x->b = n->nv;
    x->num = n->num;
    x->t = T(TY_LIST, et.e, TY_ROW);
    return x;
}

struct ir *chk_aggregate(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *s = cx(k, env, n->a);
    if (!s)
        return NULL;
    struct ty et = chk_elem_of(k, s, n->a);
    struct ir *x = ir_new(k, I_AGG, n->pos);
    if (!x)
        return NULL;
    x->sub = n->op;
    x->x = s;
    x->a = k->cur->nslots++;
    struct env el = {env, ENV_ELEM, n->bind, n->blen, x->a, et, NULL, NULL, NULL, 0, NULL};
    const char *what = n->op == K_ANY ? "any" : n->op == K_COUNT ? "count" :
                       n->op == K_SUM ? "sum" : n->op == K_FIRST ? "first" : "distinct";
    if (n->op == K_LATEST)
        return latest(k, n, x, &el, et);
    if (n->op == K_SORTED)
        return sorted(k, n, x, &el, et);
    if (n->b) {
        if (n->op == K_SUM || n->op == K_DISTINCT)
            x->y = cx(k, &el, n->b);
        else
            x->y = cx_bool(k, &el, n->b, "the condition after ':'");
    } else if (n->op == K_SUM || n->op == K_DISTINCT) {
        chk_error(k, n->pos, 1, "%s(SET: value) needs the value after ':'", what);
        return chk_bad(k, n->pos);
    }
    char b[48];
    switch (n->op) {
    case K_ANY:
        x->t = T(TY_BOOL, 0, 0);
        break;
    case K_COUNT:
        x->t = T(TY_COUNT, 0, 0);
        break;
    case K_FIRST:
        if (et.b != TY_ROW && et.b != TY_ERR) {
            chk_error(k, n->pos, 5, "first() takes a set of rows");
            return chk_bad(k, n->pos);
        }
        x->t = et;
        break;
    case K_SUM:
        if (!x->y || (x->y->t.b != TY_ERR && !ty_is_num(x->y->t))) {
            if (x->y)
                chk_error(k, n->b->pos, span(n->b), "sum() adds numbers, not %s",
                          ty_name(x->y->t, b, sizeof b));
            return chk_bad(k, n->pos);
        }
        x->t = x->y->t.b == TY_NUM ? T(TY_COUNT, 0, 0) : x->y->t;
        break;
    case K_DISTINCT:
        if (!x->y || !printable(x->y->t) || x->y->t.b == TY_BOOL) {
            if (x->y)
                chk_error(k, n->b->pos, span(n->b), "distinct() collects values (text, "
                          "numbers, dates), not %s", ty_name(x->y->t, b, sizeof b));
            return chk_bad(k, n->pos);
        }
        x->t = T(TY_LIST, x->y->t.e, x->y->t.b);
        break;
    }
    return x;
}

struct ir *chk_where(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *s = cx(k, env, n->a);
    if (!s)
        return NULL;
    struct ty et = chk_elem_of(k, s, n->a);
    if (et.b == TY_ERR) {
        /* still read the condition: its names count as used */
        struct env el = {env, ENV_ELEM, NULL, 0, k->cur->nslots++, et, NULL, NULL, NULL, 0, NULL};
        cx(k, &el, n->b);
        return chk_bad(k, n->pos);
    }
    if (s->t.b == TY_LIST && s->t.eb != TY_ROW) {
        chk_error(k, n->pos, 5, "filter the set before distinct(), not after");
        return chk_bad(k, n->pos);
    }
    struct ir *x = ir_new(k, I_WHERE, n->pos);
    if (!x)
        return NULL;
    x->x = s;
    x->a = k->cur->nslots++;
    x->t = s->t;
    struct env el = {env, ENV_ELEM, NULL, 0, x->a, et, NULL, NULL, NULL, 0, NULL};
    x->y = cx_bool(k, &el, n->b, "the condition after 'where'");
    return x;
}

struct ir *chk_field(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *a = cx(k, env, n->a);
    if (!a || a->t.b == TY_ERR)
        return a;
    char b[48];
    if (a->t.b == TY_ROW) {
        const struct col *c = schema_col(a->t.e, n->s, n->slen);
        if (c)
            return chk_col(k, a, c, n->pos);
        chk_error(k, n->pos, n->slen, "unknown column '%.*s' of %s", (int)n->slen, n->s,
                  row_kind_names[a->t.e]);
        const char *names[64];
        int m = 0;
        for (const struct col *cc = schema_cols(a->t.e); cc && cc->name && m < 64; cc++)
            names[m++] = cc->name;
        lang_suggest(k->L, n->s, n->slen, names, m);
        return chk_bad(k, n->pos);
    }
    if (a->t.b == TY_SET && a->t.eb == TY_ROW) {
        const struct col *c = schema_col(a->t.e, n->s, n->slen);
        if (c && c->t.b == TY_SET) {
            struct ir *x = ir_new(k, I_FLAT, n->pos);
            if (!x)
                return NULL;
            x->x = a;
            x->col = c;
            x->a = k->cur->nslots++;
            x->t = c->t;
            return x;
        }
        if (c)
            chk_error(k, n->pos, n->slen, "'%.*s' of a set (of %s): take it of each element "
                      "with sum(), any(), count() or distinct()", (int)n->slen, n->s,
                      row_kind_names[a->t.e]);
        else
            chk_error(k, n->pos, n->slen, "unknown column '%.*s' of %s", (int)n->slen, n->s,
                      row_kind_names[a->t.e]);
        return chk_bad(k, n->pos);
    }
    chk_error(k, n->pos, n->slen, "%s has no columns", ty_name(a->t, b, sizeof b));
    return chk_bad(k, n->pos);
}

/* ---------- calls ---------- */

static const char *const fn_names[N_FNS] = {"left", "working_days", "age", "years_before",
                                            "max", "min", "standard_of", "yuan", "masked"};

struct ir *chk_call(struct chk *k, struct env *env, const struct node *n)
{
    if (samez(n->s, n->slen, "on"))
        return chk_rule_on(k, n);
    int fn = -1;
    for (int i = 0; i < N_FNS; i++)
        if (samez(n->s, n->slen, fn_names[i]))
            fn = i;
    if (fn < 0) {
        struct define_ast *d = NULL;
        for (int i = 0; i < k->ndefines; i++)
            if (same(k->defines[i]->name, k->defines[i]->nlen, n->s, n->slen))
                d = k->defines[i];
        if (!d) {
            chk_error(k, n->pos, n->slen, "unknown function '%.*s'", (int)n->slen, n->s);
            const char *names[64];
            int m = 0;
            for (int i = 0; i < N_FNS; i++)
                names[m++] = fn_names[i];
            for (int i = 0; i < k->ndefines && m < 64; i++)
                names[m++] = chk_cstr(k, k->defines[i]->name, k->defines[i]->nlen);
            lang_suggest(k->L, n->s, n->slen, names, m);
            return chk_bad(k, n->pos);
        }
        if (d->nargs != n->nv) {
            chk_error(k, n->pos, n->slen, "%.*s takes %d argument%s, not %d", (int)n->slen,
                      n->s, d->nargs, d->nargs == 1 ? "" : "s", n->nv);
            return chk_bad(k, n->pos);
        }
        for (int i = 0; i < k->depth; i++)
            if (k->stack[i] == d) {
                chk_error(k, n->pos, n->slen, "%.*s refers to itself: definitions cannot "
                          "recurse", (int)n->slen, n->s);
                return chk_bad(k, n->pos);
            }
        if (k->depth >= 32) {
            chk_error(k, n->pos, n->slen, "definitions nested too deep");
            return chk_bad(k, n->pos);
        }
        struct ir **vals = lang_alloc(k->L, (size_t)(n->nv + 1) * sizeof *vals);
        if (!vals)
            return NULL;
        for (int i = 0; i < n->nv; i++)
            if (!(vals[i] = cx(k, env, n->v[i])))
                return NULL;
        d->used = 1;
        struct env al = {NULL, ENV_ALIAS, NULL, 0, 0, T(0, 0, 0), d->args, d->arglen, vals,
                         d->nargs, NULL};
        struct pos save = k->via;
        int budget = k->budget;
        if (!k->expanding)
            k->budget = 1;
        k->stack[k->depth++] = d;
        k->expanding++;
        if (!k->via.line)
            k->via = n->pos;
        struct ir *x = cx(k, &al, d->body);
        k->expanding--;
        k->depth--;
        k->via = save;
        k->budget = budget;
        int shared = x && x->op == I_CONST && x->sub == 1;   /* a parameter's value */
        for (int i = 0; x && i < n->nv; i++)
            shared |= x == vals[i];                            /* an argument as given */
        if (x && !shared)
            x->call = n->pos;   /* explain names it as called */
        return x;
    }
    if (fn == FN_YUAN || fn == FN_MASKED) {
        chk_error(k, n->pos, n->slen, "%s() only prints a value in evidence or a key: "
                  "\"{%s(...)}\"; compute with the value itself", fn_names[fn], fn_names[fn]);
        return chk_bad(k, n->pos);
    }
    static const int nargs[N_FNS] = {2, 2, 2, 2, 2, 2, 2, 1, 1};
    if (n->nv != nargs[fn]) {
        chk_error(k, n->pos, n->slen, "%s() takes %d arguments", fn_names[fn], nargs[fn]);
        return chk_bad(k, n->pos);
    }
    struct ir *a = cx(k, env, n->v[0]);
    /* standard_of(region, urban): the second is an area_type, named bare */
    struct ir *b = fn == FN_STANDARD_OF ? chk_enum_side(k, env, n->v[1], EN_AREA)
                                        : cx(k, env, n->v[1]);
    if (!a || !b)
        return NULL;
    struct ir *x = ir_new(k, I_FN, n->pos);
    if (!x)
        return NULL;
    x->sub = (uint8_t)fn;
    x->x = a;
    x->y = b;
    if (a->t.b == TY_ERR || b->t.b == TY_ERR) {
        x->t.b = TY_ERR;
        return x;
    }
    char b1[48], b2[48];
    switch (fn) {
    case FN_LEFT:
        if (a->t.b != TY_TEXT || (b->t.b != TY_NUM && b->t.b != TY_COUNT) || b->op != I_CONST)
            goto wrong;
        x->t = T(TY_TEXT, 0, 0);
        break;
    case FN_WORKING_DAYS:
    case FN_AGE:
        if (a->t.b != TY_DATE || b->t.b != TY_DATE)
            goto wrong;
        x->t = T(TY_COUNT, 0, 0);
        break;
    case FN_YEARS_BEFORE:
        if (a->t.b != TY_DATE || (b->t.b != TY_NUM && b->t.b != TY_COUNT))
            goto wrong;
        x->t = T(TY_DATE, 0, 0);
        break;
    case FN_STANDARD_OF:
        if (a->t.b != TY_TEXT || b->t.b != TY_ENUM || b->t.e != EN_AREA)
            goto wrong;
        x->t = T(TY_ROW, RK_STANDARD, 0);
        break;
    default:
        if (a->t.b == TY_DATE && b->t.b == TY_DATE) {
            x->t = a->t;
            break;
        }
        x->t = chk_arith_type(k, FN_MAX + 100, a->t, b->t, n->pos);
        if (x->t.b == TY_NUM)
            x->t = T(TY_RATIO, 0, 0);
        break;
    }
    return x;
wrong:
    chk_error(k, n->pos, n->slen, "%s(%s, %s): expected %s", fn_names[fn],
              ty_name(a->t, b1, sizeof b1), ty_name(b->t, b2, sizeof b2),
              fn == FN_LEFT ? "left(text, a whole number written in the rule)" :
              fn == FN_YEARS_BEFORE ? "years_before(date, a number of years)" :
              fn == FN_STANDARD_OF ? "standard_of(region_code, urban or rural)" :
              "two dates");
    x->t.b = TY_ERR;
    return x;
}

struct ir *chk_pick(struct chk *k, struct env *env, const struct node *n)
{
    if (n->a->kind != N_NAME) {
        chk_error(k, n->pos, 1, "only a parameter table can be indexed: factor[h.program]");
        return chk_bad(k, n->pos);
    }
    struct eparam *p = chk_find_param(k, n->a->s, n->a->slen);
    if (!p || !p->table) {
        if (!p && chk_lookup(k, env, n->a->s, n->a->slen, n->pos) == NULL)
            return chk_name(k, env, n->a);
        chk_error(k, n->a->pos, n->a->slen, "'%.*s' is not a parameter table (param NAME: "
                  "TYPE by ENUM = {...})", (int)n->a->slen, n->a->s);
        return chk_bad(k, n->pos);
    }
    p->used = 1;
    struct ir *ix = chk_enum_side(k, env, n->b, p->by_enum);
    if (!ix)
        return NULL;
    struct ir *x = ir_new(k, I_PICK, n->pos);
    if (!x)
        return NULL;
    x->x = ix;
    x->t = p->t;
    x->v = p->vals;
    x->nv = enum_defs[p->by_enum].n;
    x->sub = 1;   /* a parameter: not in a key */
    char b[48];
    if (ix->t.b != TY_ERR && (ix->t.b != TY_ENUM || ix->t.e != p->by_enum)) {
        chk_error(k, n->b->pos, span(n->b), "%.*s is indexed by %s, not %s", (int)n->a->slen,
                  n->a->s, enum_defs[p->by_enum].type_name, ty_name(ix->t, b, sizeof b));
        x->t.b = TY_ERR;
    }
    if (!p->vals)
        x->t.b = TY_ERR;
    return x;
}

