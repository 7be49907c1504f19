/* check_expr.c - names and types of expressions, evidence and keys.
 *
 * Owns: the type rules (rules/LANGUAGE.md "Types"): units of arithmetic
 * (money + money, money * count, area * share, money / count, money / money
 * is a ratio; money + area, money * money and money > area are errors), what
 * compares with what, what prints in evidence, the enum literal rule (a bare
 * name compared with an enumerated value is one of that enumeration's
 * values: `status = valid`), sets and aggregates.  Every error is reported
 * and checking goes on with an erroneous type (TY_ERR) that no later check
 * complains about, so one mistake gives one message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "contract/model.h"
#include "policy/check_int.h"

struct ir *ir_new(struct chk *k, int op, struct pos pos)
{
    struct ir *x = lang_alloc(k->L, sizeof *x);
    if (!x)
        return NULL;
    x->op = (uint8_t)op;
    x->pos = pos;
    x->den = 1;
    return x;
}

static struct ir *bad(struct chk *k, struct pos pos)
{
    struct ir *x = ir_new(k, I_CONST, pos);
    if (x)
        x->t.b = TY_ERR;
    return x;
}

struct ir *ir_const_bool(struct chk *k, int v, struct pos pos)
{
    struct ir *x = ir_new(k, I_CONST, pos);
    if (x) {
        x->t.b = TY_BOOL;
        x->num = v;
    }
    return x;
}

void chk_error(struct chk *k, struct pos pos, uint32_t span, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (k->expanding && k->budget <= 0) {
        k->L->mute = 1;
        return;
    }
    if (k->expanding) {
        k->budget--;
        /* a body checked again where it is used: what its own check found
         * is not repeated for every use */
        for (int i = 0; i < k->L->ndiags; i++)
            if (k->L->diags[i].pos.file == pos.file && k->L->diags[i].pos.off == pos.off) {
                k->L->mute = 1;
                return;
            }
    }
    if (k->expanding && k->via.line)
        lang_error(k->L, pos, span, "%s (as used at line %u)", msg, k->via.line);
    else
        lang_error(k->L, pos, span, "%s", msg);
}

int ty_is_num(struct ty t)
{
    return t.b == TY_NUM || t.b == TY_COUNT || t.b == TY_RATIO || t.b == TY_MONEY ||
           t.b == TY_AREA;
}

/* unit of a number: 0 none, 1 money, 2 area */
static int dim(struct ty t)
{
    return t.b == TY_MONEY ? 1 : t.b == TY_AREA ? 2 : 0;
}

static int printable(struct ty t)
{
    return t.b == TY_ERR || t.b == TY_BOOL || ty_is_num(t) || t.b == TY_DATE ||
           t.b == TY_MONTH || t.b == TY_TEXT || t.b == TY_ENUM;
}

static uint32_t span(const struct node *n)
{
    return n && (n->kind == N_NAME || n->kind == N_FIELD || n->kind == N_CALL) ? n->slen : 1;
}

static struct ty T(int b, int e, int eb)
{
    struct ty t = {(uint8_t)b, (uint8_t)e, (uint8_t)eb};
    return t;
}

/* NUL-terminated copy of a name from the source (messages). */
static const char *cstr(struct chk *k, const char *s, size_t len)
{
    char *c = lang_alloc(k->L, len + 1);
    if (!c)
        return "";
    memcpy(c, s, len);
    return c;
}

static int same(const char *a, size_t alen, const char *b, size_t blen)
{
    return a && alen == blen && memcmp(a, b, alen) == 0;
}

static int samez(const char *a, size_t alen, const char *z)
{
    return same(a, alen, z, strlen(z));
}

/* ---------- names ---------- */

static struct ir *var(struct chk *k, int slot, struct ty t, struct pos pos)
{
    struct ir *x = ir_new(k, I_VAR, pos);
    if (x) {
        x->a = slot;
        x->t = t;
    }
    return x;
}

static struct ir *col_ir(struct chk *k, struct ir *row, const struct col *c, struct pos pos)
{
    struct ir *x = ir_new(k, I_COL, pos);
    if (x) {
        x->x = row;
        x->col = c;
        x->t = c->t;
    }
    return x;
}

static struct ir *global(struct chk *k, const char *s, uint32_t len, struct pos pos)
{
    struct eparam *p = chk_find_param(k, s, len);
    if (p) {
        p->used = 1;
        if (p->table) {
            chk_error(k, pos, len, "'%.*s' is a table by %s: pick one value, e.g. %.*s[h.%s]",
                      (int)len, s, enum_defs[p->by_enum].type_name, (int)len, s,
                      enum_defs[p->by_enum].type_name);
            return bad(k, pos);
        }
        return p->value ? p->value : bad(k, pos);
    }
    if (samez(s, len, "as_of")) {
        struct ir *x = ir_new(k, I_CONST, pos);
        if (x) {
            x->t = T(TY_DATE, 0, 0);
            x->num = k->as_of;
            x->sub = 1;   /* not in a key */
        }
        return x;
    }
    if (samez(s, len, "window_months")) {
        struct ir *x = ir_new(k, I_CONST, pos);
        if (x) {
            x->t = T(TY_COUNT, 0, 0);
            x->num = k->window_months;
            x->sub = 1;
        }
        return x;
    }
    if (samez(s, len, "window")) {
        struct ir *x = ir_new(k, I_WINDOW, pos);
        if (x)
            x->t = T(TY_SET, 0, TY_MONTH);
        return x;
    }
    return NULL;
}

/* The value a bare name stands for, or NULL (nothing reported). */
static struct ir *lookup(struct chk *k, struct env *env, const char *s, uint32_t len,
                         struct pos pos)
{
    int unknown_elem = 0;   /* an element of an erroneous set: its columns are unknown */
    for (struct env *e = env; e; e = e->up) {
        if (e->kind == ENV_ELEM) {
            if (same(e->name, e->nlen, s, len))
                return var(k, e->slot, e->t, pos);
            if (e->t.b == TY_ERR)
                unknown_elem = 1;
            if (e->t.b == TY_ROW) {
                const struct col *c = schema_col(e->t.e, s, len);
                if (c)
                    return col_ir(k, var(k, e->slot, e->t, pos), c, pos);
            }
        } else if (e->kind == ENV_ALIAS) {
            for (int i = 0; i < e->n; i++)
                if (same(e->names[i], e->lens[i], s, len))
                    return e->vals[i];
        } else if (e->kind == ENV_RULE) {
            struct rctx *rc = e->rc;
            const struct rule_ast *r = rc->r;
            if (same(r->var, r->varlen, s, len))
                return rc->unit;
            if (rc->each && same(r->each_var, r->each_len, s, len))
                return rc->each;
            for (int i = r->nlets - 1; i >= 0; i--)
                if (same(r->lets[i].name, r->lets[i].nlen, s, len))
                    return chk_let(k, rc, i);
            if (r->unit == U_MEMBER && samez(s, len, "h")) {
                struct ty ut = rc->unit ? rc->unit->t : T(TY_ERR, 0, 0);
                if (ut.b == TY_ERR)
                    return bad(k, pos);
                const struct col *c = ut.b == TY_ROW ? schema_col(ut.e, "household", 9) : NULL;
                if (!c) {
                    char b[48];
                    chk_error(k, pos, 1, "%.*s uses h, the member's household, but is applied to "
                              "%s, which has none", (int)r->idlen, r->id, ty_name(ut, b, sizeof b));
                    return bad(k, pos);
                }
                return col_ir(k, rc->unit, c, pos);
            }
        } else if (e->kind == ENV_BARRIER) {
            break;
        }
    }
    struct ir *g = global(k, s, len, pos);
    return g || !unknown_elem ? g : bad(k, pos);
}

/* Every name visible from env (for "did you mean"). */
static int visible(struct chk *k, struct env *env, const char **out, int max)
{
    int n = 0;
#define ADD(s_, l_)                                  \
    do {                                             \
        if (n < max)                                 \
            out[n++] = cstr(k, (s_), (l_));          \
    } while (0)
    for (struct env *e = env; e; e = e->up) {
        if (e->kind == ENV_ELEM) {
            if (e->name)
                ADD(e->name, e->nlen);
            if (e->t.b == TY_ROW)
                for (const struct col *c = schema_cols(e->t.e); c && c->name; c++)
                    ADD(c->name, strlen(c->name));
        } else if (e->kind == ENV_ALIAS) {
            for (int i = 0; i < e->n; i++)
                ADD(e->names[i], e->lens[i]);
        } else if (e->kind == ENV_RULE) {
            const struct rule_ast *r = e->rc->r;
            if (r->var)
                ADD(r->var, r->varlen);
            if (r->each_var)
                ADD(r->each_var, r->each_len);
            for (int i = 0; i < r->nlets; i++)
                ADD(r->lets[i].name, r->lets[i].nlen);
            if (r->unit == U_MEMBER)
                ADD("h", 1);
        } else if (e->kind == ENV_BARRIER) {
            break;
        }
    }
    for (int i = 0; i < k->nparams; i++)
        ADD(k->params[i].ast->name, k->params[i].ast->nlen);
    ADD("as_of", 5);
    ADD("window_months", 13);
    ADD("window", 6);
#undef ADD
    return n;
}

static struct ir *name(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *x = lookup(k, env, n->s, n->slen, n->pos);
    if (x)
        return x;
    chk_error(k, n->pos, n->slen, "unknown name '%.*s'", (int)n->slen, n->s);
    const char *names[256];
    int c = visible(k, env, names, 256);
    lang_suggest(k->L, n->s, n->slen, names, c);
    return bad(k, n->pos);
}

/* A bare name next to a value of enum e: that enum's value if it is one. */
static struct ir *enum_side(struct chk *k, struct env *env, const struct node *n, int e)
{
    if (n->kind != N_NAME)
        return cx(k, env, n);
    int i = enum_lookup(enum_defs[e].names, enum_defs[e].n, n->s, n->slen);
    if (i >= 0) {
        struct ir *x = ir_new(k, I_CONST, n->pos);
        if (x) {
            x->t = T(TY_ENUM, e, 0);
            x->num = i;
        }
        return x;
    }
    struct ir *x = lookup(k, env, n->s, n->slen, n->pos);
    if (x)
        return x;
    char vals[200] = "";
    for (int j = 0; j < enum_defs[e].n; j++)
        snprintf(vals + strlen(vals), sizeof vals - strlen(vals), "%s%s", j ? ", " : "",
                 enum_defs[e].names[j]);
    chk_error(k, n->pos, n->slen, "'%.*s' is not a %s (%s)", (int)n->slen, n->s,
              enum_defs[e].type_name, vals);
    lang_suggest(k->L, n->s, n->slen, enum_defs[e].names, enum_defs[e].n);
    return bad(k, n->pos);
}

/* {a, b} or a set parameter, as bits of enum e; -1 on error (reported). */
static int64_t enum_bits(struct chk *k, struct env *env, const struct node *n, int e)
{
    if (n->kind == N_SETLIT) {
        int64_t bits = 0;
        for (int i = 0; i < n->nv; i++) {
            struct ir *x = enum_side(k, env, n->v[i], e);
            if (!x || x->t.b == TY_ERR)
                continue;
            if (x->op != I_CONST || x->t.b != TY_ENUM || x->t.e != e) {
                chk_error(k, n->v[i]->pos, span(n->v[i]), "a set holds values of %s",
                          enum_defs[e].type_name);
                continue;
            }
            bits |= (int64_t)1 << x->num;
        }
        return bits;
    }
    struct ir *x = cx(k, env, n);
    if (!x || x->t.b == TY_ERR)
        return -1;
    if (x->t.b != TY_ENUMSET || x->op != I_CONST) {
        char b[48];
        chk_error(k, n->pos, span(n), "'in' takes a set of %s ({a, b} or a set parameter), "
                  "not %s", enum_defs[e].type_name, ty_name(x->t, b, sizeof b));
        return -1;
    }
    if (x->t.e != e) {
        chk_error(k, n->pos, span(n), "this is a set of %s; the value is a %s",
                  enum_defs[x->t.e].type_name, enum_defs[e].type_name);
        return -1;
    }
    return x->num;
}

/* ---------- numbers ---------- */

/* The type of a op b for numbers, or TY_ERR after reporting. */
static struct ty arith_type(struct chk *k, int op, struct ty a, struct ty b, struct pos pos)
{
    char b1[48], b2[48];
    if (a.b == TY_ERR || b.b == TY_ERR)
        return T(TY_ERR, 0, 0);
    if (!ty_is_num(a) || !ty_is_num(b)) {
        if (a.b == TY_DATE || b.b == TY_DATE)
            chk_error(k, pos, 1, "dates are compared, not computed with; use working_days(), "
                      "age() or years_before()");
        else
            chk_error(k, pos, 1, "arithmetic on %s and %s", ty_name(a, b1, sizeof b1),
                      ty_name(b, b2, sizeof b2));
        return T(TY_ERR, 0, 0);
    }
    int da = dim(a), db = dim(b);
    if (op == T_PLUS || op == T_MINUS || op == FN_MAX + 100) {
        if (da != db && a.b != TY_NUM && b.b != TY_NUM) {
            chk_error(k, pos, 1, "%s %s %s does not compile: the units differ",
                      ty_name(a, b1, sizeof b1), op == T_MINUS ? "-" : "+",
                      ty_name(b, b2, sizeof b2));
            return T(TY_ERR, 0, 0);
        }
        if (da || db)
            return T(da ? a.b : b.b, 0, 0);
        if (a.b == TY_NUM && b.b == TY_NUM)
            return T(TY_NUM, 0, 0);
        if ((a.b == TY_COUNT || a.b == TY_NUM) && (b.b == TY_COUNT || b.b == TY_NUM))
            return T(TY_COUNT, 0, 0);
        return T(TY_RATIO, 0, 0);
    }
    if (op == T_STAR) {
        if (da && db) {
            chk_error(k, pos, 1, "%s * %s has no unit here; multiply by a count or a ratio",
                      ty_name(a, b1, sizeof b1), ty_name(b, b2, sizeof b2));
            return T(TY_ERR, 0, 0);
        }
        if (da || db)
            return T(da ? a.b : b.b, 0, 0);
        if (a.b == TY_NUM && b.b == TY_NUM)
            return T(TY_NUM, 0, 0);
        if ((a.b == TY_COUNT || a.b == TY_NUM) && (b.b == TY_COUNT || b.b == TY_NUM))
            return T(TY_COUNT, 0, 0);
        return T(TY_RATIO, 0, 0);
    }
    /* division */
    if (da && db) {
        if (da != db) {
            chk_error(k, pos, 1, "%s / %s does not compile: the units differ",
                      ty_name(a, b1, sizeof b1), ty_name(b, b2, sizeof b2));
            return T(TY_ERR, 0, 0);
        }
        return T(TY_RATIO, 0, 0);
    }
    if (db) {
        chk_error(k, pos, 1, "dividing by %s gives no unit the language knows",
                  ty_name(b, b2, sizeof b2));
        return T(TY_ERR, 0, 0);
    }
    if (da)
        return T(a.b, 0, 0);
    if (a.b == TY_NUM && b.b == TY_NUM)
        return T(TY_NUM, 0, 0);
    return T(TY_RATIO, 0, 0);
}

/* Can a and b be compared (ordered: < <= > >=)?  Reports when not. */
static int comparable(struct chk *k, struct ty a, struct ty b, int ordered, struct pos pos)
{
    char b1[48], b2[48];
    if (a.b == TY_ERR || b.b == TY_ERR)
        return 1;
    if (ty_is_num(a) && ty_is_num(b)) {
        if (dim(a) == dim(b) || a.b == TY_NUM || b.b == TY_NUM)
            return 1;
    } else if (a.b == b.b && (a.b == TY_DATE || a.b == TY_MONTH)) {
        return 1;
    } else if (a.b == b.b && (a.b == TY_TEXT || a.b == TY_BOOL) && !ordered) {
        return 1;
    } else if (a.b == TY_ENUM && b.b == TY_ENUM && a.e == b.e && !ordered) {
        return 1;
    }
    if ((a.b == TY_TEXT || a.b == TY_ENUM || a.b == TY_BOOL) && a.b == b.b && ordered)
        chk_error(k, pos, 1, "%s values are equal or not; they have no order",
                  ty_name(a, b1, sizeof b1));
    else
        chk_error(k, pos, 1, "cannot compare %s with %s", ty_name(a, b1, sizeof b1),
                  ty_name(b, b2, sizeof b2));
    return 0;
}

/* ---------- sets ---------- */

/* The element type of a set or list value; TY_ERR (reported) if x is none. */
static struct ty elem_of(struct chk *k, struct ir *x, const struct node *n)
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
        return bad(k, n->pos);
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
            return bad(k, n->pos);
        }
        x->v[x->nv++] = v;
    }
    if (n->nv < 1 || no < 1 || n->nv + no > 8) {
        chk_error(k, n->pos, 6, "latest(SET by KEY: ORDER) needs a key and an order (at most "
                  "8 in all)");
        return bad(k, n->pos);
    }
    x->b = n->nv;
    x->t = T(TY_LIST, et.e, TY_ROW);
    return x;
}

static struct ir *aggregate(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *s = cx(k, env, n->a);
    if (!s)
        return NULL;
    struct ty et = elem_of(k, s, n->a);
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
    if (n->b) {
        if (n->op == K_SUM || n->op == K_DISTINCT)
            x->y = cx(k, &el, n->b);
        else
            x->y = cx_bool(k, &el, n->b, "the condition after ':'");
    } else if (n->op == K_SUM || n->op == K_DISTINCT) {
        chk_error(k, n->pos, 1, "%s(SET: value) needs the value after ':'", what);
        return bad(k, n->pos);
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
            return bad(k, n->pos);
        }
        x->t = et;
        break;
    case K_SUM:
        if (!x->y || (x->y->t.b != TY_ERR && !ty_is_num(x->y->t))) {
            if (x->y)
                chk_error(k, n->b->pos, span(n->b), "sum() adds numbers, not %s",
                          ty_name(x->y->t, b, sizeof b));
            return bad(k, n->pos);
        }
        x->t = x->y->t.b == TY_NUM ? T(TY_COUNT, 0, 0) : x->y->t;
        break;
    case K_DISTINCT:
        if (!x->y || !printable(x->y->t) || x->y->t.b == TY_BOOL) {
            if (x->y)
                chk_error(k, n->b->pos, span(n->b), "distinct() collects values (text, "
                          "numbers, dates), not %s", ty_name(x->y->t, b, sizeof b));
            return bad(k, n->pos);
        }
        x->t = T(TY_LIST, x->y->t.e, x->y->t.b);
        break;
    }
    return x;
}

static struct ir *where(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *s = cx(k, env, n->a);
    if (!s)
        return NULL;
    struct ty et = elem_of(k, s, n->a);
    if (et.b == TY_ERR) {
        /* still read the condition: its names count as used */
        struct env el = {env, ENV_ELEM, NULL, 0, k->cur->nslots++, et, NULL, NULL, NULL, 0, NULL};
        cx(k, &el, n->b);
        return bad(k, n->pos);
    }
    if (s->t.b == TY_LIST && s->t.eb != TY_ROW) {
        chk_error(k, n->pos, 5, "filter the set before distinct(), not after");
        return bad(k, n->pos);
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

static struct ir *field(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *a = cx(k, env, n->a);
    if (!a || a->t.b == TY_ERR)
        return a;
    char b[48];
    if (a->t.b == TY_ROW) {
        const struct col *c = schema_col(a->t.e, n->s, n->slen);
        if (c)
            return col_ir(k, a, c, n->pos);
        chk_error(k, n->pos, n->slen, "unknown column '%.*s' of %s", (int)n->slen, n->s,
                  row_kind_names[a->t.e]);
        const char *names[64];
        int m = 0;
        for (const struct col *cc = schema_cols(a->t.e); cc && cc->name && m < 64; cc++)
            names[m++] = cc->name;
        lang_suggest(k->L, n->s, n->slen, names, m);
        return bad(k, n->pos);
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
        return bad(k, n->pos);
    }
    chk_error(k, n->pos, n->slen, "%s has no columns", ty_name(a->t, b, sizeof b));
    return bad(k, n->pos);
}

/* ---------- calls ---------- */

static const char *const fn_names[N_FNS] = {"left", "working_days", "age", "years_before",
                                            "max", "min"};

static struct ir *call(struct chk *k, struct env *env, const struct node *n)
{
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
                names[m++] = cstr(k, k->defines[i]->name, k->defines[i]->nlen);
            lang_suggest(k->L, n->s, n->slen, names, m);
            return bad(k, n->pos);
        }
        if (d->nargs != n->nv) {
            chk_error(k, n->pos, n->slen, "%.*s takes %d argument%s, not %d", (int)n->slen,
                      n->s, d->nargs, d->nargs == 1 ? "" : "s", n->nv);
            return bad(k, n->pos);
        }
        for (int i = 0; i < k->depth; i++)
            if (k->stack[i] == d) {
                chk_error(k, n->pos, n->slen, "%.*s refers to itself: definitions cannot "
                          "recurse", (int)n->slen, n->s);
                return bad(k, n->pos);
            }
        if (k->depth >= 32) {
            chk_error(k, n->pos, n->slen, "definitions nested too deep");
            return bad(k, n->pos);
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
        return x;
    }
    static const int nargs[N_FNS] = {2, 2, 2, 2, 2, 2};
    if (n->nv != nargs[fn]) {
        chk_error(k, n->pos, n->slen, "%s() takes %d arguments", fn_names[fn], nargs[fn]);
        return bad(k, n->pos);
    }
    struct ir *a = cx(k, env, n->v[0]), *b = cx(k, env, n->v[1]);
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
    default:
        if (a->t.b == TY_DATE && b->t.b == TY_DATE) {
            x->t = a->t;
            break;
        }
        x->t = arith_type(k, FN_MAX + 100, a->t, b->t, n->pos);
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
              "two dates");
    x->t.b = TY_ERR;
    return x;
}

static struct ir *pick(struct chk *k, struct env *env, const struct node *n)
{
    if (n->a->kind != N_NAME) {
        chk_error(k, n->pos, 1, "only a parameter table can be indexed: factor[h.program]");
        return bad(k, n->pos);
    }
    struct eparam *p = chk_find_param(k, n->a->s, n->a->slen);
    if (!p || !p->table) {
        if (!p && lookup(k, env, n->a->s, n->a->slen, n->pos) == NULL)
            return name(k, env, n->a);
        chk_error(k, n->a->pos, n->a->slen, "'%.*s' is not a parameter table (param NAME: "
                  "TYPE by ENUM = {...})", (int)n->a->slen, n->a->s);
        return bad(k, n->pos);
    }
    p->used = 1;
    struct ir *ix = enum_side(k, env, n->b, p->by_enum);
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

/* ---------- expressions ---------- */

static struct ir *un(struct chk *k, int op, struct ir *a, struct pos pos, struct ty t)
{
    struct ir *x = ir_new(k, op, pos);
    if (x) {
        x->x = a;
        x->t = t;
    }
    return x;
}

static struct ir *template_ir(struct chk *k, struct env *env, const struct node *n, int holes)
{
    struct ir *x = ir_new(k, I_TEMPLATE, n->pos);
    if (!x)
        return NULL;
    x->t = T(TY_TEXT, 0, 0);
    int plain = 1;
    x->v = lang_alloc(k->L, (size_t)(n->nv + 1) * sizeof *x->v);
    if (!x->v)
        return NULL;
    for (int i = 0; i < n->nv; i++) {
        const struct node *p = n->v[i];
        if (p->kind == N_TEXT) {
            struct ir *t = ir_new(k, I_TEXT, p->pos);
            if (!t)
                return NULL;
            t->s = p->s;
            t->len = p->slen;
            t->t = T(TY_TEXT, 0, 0);
            x->v[x->nv++] = t;
        } else {
            plain = 0;
            if (!holes) {
                chk_error(k, p->pos, span(p), "a string with {holes} belongs in evidence or "
                          "key; here a plain string is expected");
                continue;
            }
            struct ir *h = cx_hole(k, env, p);
            if (!h)
                return NULL;
            x->v[x->nv++] = h;
        }
    }
    if (plain && !holes) {
        /* a constant text */
        struct ir *c = ir_new(k, I_CONST, n->pos);
        if (!c)
            return NULL;
        c->t = T(TY_TEXT, 0, 0);
        c->s = x->nv ? x->v[0]->s : "";
        c->len = x->nv ? x->v[0]->len : 0;
        return c;
    }
    return x;
}

struct ir *cx_bool(struct chk *k, struct env *env, const struct node *n, const char *what)
{
    struct ir *x = cx(k, env, n);
    if (x && x->t.b != TY_BOOL && x->t.b != TY_ERR) {
        char b[48];
        chk_error(k, n->pos, span(n), "%s must be a condition (true/false), not %s", what,
                  ty_name(x->t, b, sizeof b));
        x = bad(k, n->pos);
    }
    return x;
}

struct ir *cx(struct chk *k, struct env *env, const struct node *n)
{
    if (!n || k->L->oom)
        return NULL;
    struct ir *a, *b, *x;
    char b1[48];
    switch (n->kind) {
    case N_NUM:
        if (!(x = ir_new(k, I_CONST, n->pos)))
            return NULL;
        x->t = T(TY_NUM, 0, 0);
        x->num = n->num;
        x->den = n->den;
        return x;
    case N_DATE:
        if (!(x = ir_new(k, I_CONST, n->pos)))
            return NULL;
        x->t = T(TY_DATE, 0, 0);
        x->num = n->num;
        return x;
    case N_BOOL:
        return ir_const_bool(k, (int)n->num, n->pos);
    case N_TEMPLATE:
        return template_ir(k, env, n, 0);
    case N_NAME:
        return name(k, env, n);
    case N_FIELD:
        return field(k, env, n);
    case N_INDEX:
        return pick(k, env, n);
    case N_CALL:
        return call(k, env, n);
    case N_FIRES:
        return chk_fires(k, env, n);
    case N_NEG:
        if (!(a = cx(k, env, n->a)))
            return NULL;
        if (a->t.b != TY_ERR && !ty_is_num(a->t)) {
            chk_error(k, n->pos, 1, "'-' before %s", ty_name(a->t, b1, sizeof b1));
            return bad(k, n->pos);
        }
        return un(k, I_NEG, a, n->pos, a->t);
    case N_BIN: {
        if (!(a = cx(k, env, n->a)) || !(b = cx(k, env, n->b)))
            return NULL;
        struct ty t = arith_type(k, n->op, a->t, b->t, n->pos);
        if (!(x = ir_new(k, I_ARITH, n->pos)))
            return NULL;
        x->sub = n->op == T_PLUS ? '+' : n->op == T_MINUS ? '-' : n->op == T_STAR ? '*' : '/';
        x->x = a;
        x->y = b;
        x->t = t;
        return x;
    }
    case N_CMP: {
        if (!(a = cx(k, env, n->a)))
            return NULL;
        if (a->t.b == TY_ERR && n->b->kind == N_NAME &&
            !lookup(k, env, n->b->s, n->b->slen, n->b->pos))
            return bad(k, n->pos);   /* likely a value of the enum we could not tell */
        b = a->t.b == TY_ENUM ? enum_side(k, env, n->b, a->t.e) : cx(k, env, n->b);
        if (!b)
            return NULL;
        int ordered = n->op != T_EQ && n->op != T_NE;
        if (!(x = ir_new(k, I_CMP, n->pos)))
            return NULL;
        x->sub = n->op;
        x->x = a;
        x->y = b;
        x->t = comparable(k, a->t, b->t, ordered, n->pos) ? T(TY_BOOL, 0, 0) : T(TY_ERR, 0, 0);
        return x;
    }
    case N_IN: {
        if (!(a = cx(k, env, n->a)))
            return NULL;
        if (!(x = ir_new(k, I_IN, n->pos)))
            return NULL;
        x->x = a;
        x->sub = n->op;
        x->t = T(TY_BOOL, 0, 0);
        if (a->t.b == TY_ERR) {
            if (n->b->kind == N_NAME)   /* a set parameter named here is used */
                lookup(k, env, n->b->s, n->b->slen, n->b->pos);
            x->t.b = TY_ERR;
            return x;
        }
        if (a->t.b != TY_ENUM) {
            chk_error(k, n->pos, 2, "'in' asks whether an enumerated value (a status, a class, "
                      "a usage...) is in a set; this is %s", ty_name(a->t, b1, sizeof b1));
            x->t.b = TY_ERR;
            return x;
        }
        int64_t bits = enum_bits(k, env, n->b, a->t.e);
        if (bits < 0)
            x->t.b = TY_ERR;
        x->num = bits;
        return x;
    }
    case N_AND:
    case N_OR:
        if (!(a = cx_bool(k, env, n->a, n->kind == N_AND ? "each side of 'and'" :
                          "each side of 'or'")) ||
            !(b = cx_bool(k, env, n->b, n->kind == N_AND ? "each side of 'and'" :
                          "each side of 'or'")))
            return NULL;
        if (!(x = ir_new(k, n->kind == N_AND ? I_AND : I_OR, n->pos)))
            return NULL;
        x->x = a;
        x->y = b;
        x->t = T(a->t.b == TY_ERR || b->t.b == TY_ERR ? TY_ERR : TY_BOOL, 0, 0);
        return x;
    case N_NOT:
        if (!(a = cx_bool(k, env, n->a, "what follows 'not'")))
            return NULL;
        return un(k, I_NOT, a, n->pos, a->t);
    case N_IF: {
        struct ir *c = cx_bool(k, env, n->a, "the condition of 'if'");
        if (!c || !(a = cx(k, env, n->b)))
            return NULL;
        if (!n->c) {
            chk_error(k, n->pos, 2, "'if' without 'else' has no value here (it may in "
                      "evidence and key)");
            return bad(k, n->pos);
        }
        if (!(b = cx(k, env, n->c)))
            return NULL;
        if (!(x = ir_new(k, I_IF, n->pos)))
            return NULL;
        x->x = c;
        x->y = a;
        x->z = b;
        x->t = a->t.b == TY_NUM ? b->t : a->t;
        if (a->t.b != TY_ERR && b->t.b != TY_ERR &&
            !(a->t.b == b->t.b && a->t.e == b->t.e) &&
            !(ty_is_num(a->t) && ty_is_num(b->t) && (dim(a->t) == dim(b->t)))) {
            char b2[48];
            chk_error(k, n->pos, 2, "'if' gives %s on one side and %s on the other",
                      ty_name(a->t, b1, sizeof b1), ty_name(b->t, b2, sizeof b2));
            x->t.b = TY_ERR;
        }
        return x;
    }
    case N_EXISTS:
        if (!(a = cx(k, env, n->a)))
            return NULL;
        if (a->t.b != TY_ERR && a->t.b != TY_ROW && a->t.b != TY_DATE) {
            chk_error(k, n->pos, 6, "exists asks whether a row or a date is there; %s is "
                      "always there", ty_name(a->t, b1, sizeof b1));
            return bad(k, n->pos);
        }
        return un(k, I_EXISTS, a, n->pos, T(TY_BOOL, 0, 0));
    case N_COALESCE:
        chk_error(k, n->pos, 2, "'?" "?' gives a text for a missing value, in evidence and key "
                  "only");
        return bad(k, n->pos);
    case N_AGG:
        return aggregate(k, env, n);
    case N_WHERE:
        return where(k, env, n);
    case N_SETLIT:
    case N_MAPLIT:
        chk_error(k, n->pos, 1, "a set {...} is used after 'in' or as a parameter's value");
        return bad(k, n->pos);
    case N_ERROR:
        return bad(k, n->pos);
    default:
        chk_error(k, n->pos, 1, "this cannot be used as a value");
        return bad(k, n->pos);
    }
}

/* ---------- evidence and keys ---------- */

struct ir *cx_hole(struct chk *k, struct env *env, const struct node *n)
{
    if (!n)
        return NULL;
    char b[48];
    struct ir *x;
    switch (n->kind) {
    case N_IF: {
        struct ir *c = cx_bool(k, env, n->a, "the condition of 'if'");
        if (!c || !(x = ir_new(k, I_IF, n->pos)))
            return NULL;
        x->sub = 1;   /* each branch printed on its own */
        x->x = c;
        x->y = cx_hole(k, env, n->b);
        x->z = n->c ? cx_hole(k, env, n->c) : NULL;
        x->t = T(TY_TEXT, 0, 0);
        return x;
    }
    case N_COALESCE: {
        struct ir *a = cx(k, env, n->a);
        if (!a || !(x = ir_new(k, I_COALESCE, n->pos)))
            return NULL;
        if (a->t.b != TY_ERR && a->t.b != TY_DATE && (a->t.b == TY_ROW || !printable(a->t))) {
            chk_error(k, n->pos, 2, "'?" "?' follows a value that may be missing (a date, a "
                      "column of a missing row); this is %s", ty_name(a->t, b, sizeof b));
        }
        x->x = a;
        x->y = cx_hole(k, env, n->b);
        x->t = T(TY_TEXT, 0, 0);
        return x;
    }
    case N_TEMPLATE:
        return template_ir(k, env, n, 1);
    default:
        x = cx(k, env, n);
        if (x && !printable(x->t)) {
            if (x->t.b == TY_ROW)
                chk_error(k, n->pos, span(n), "%s cannot be printed; name one of its columns "
                          "(e.g. {v.plate_no})", ty_name(x->t, b, sizeof b));
            else
                chk_error(k, n->pos, span(n), "%s cannot be printed; count(), sum() or each "
                          "turn a set into text", ty_name(x->t, b, sizeof b));
            return bad(k, n->pos);
        }
        return x;
    }
}

static struct ir *each_head(struct chk *k, struct env *env, const struct node *n,
                            struct env *el)
{
    struct ir *s = cx(k, env, n->a);
    if (!s)
        return NULL;
    struct ty et = elem_of(k, s, n->a);
    struct ir *x = ir_new(k, I_EACH, n->pos);
    if (!x)
        return NULL;
    x->x = s;
    x->a = k->cur->nslots++;
    struct env e = {env, ENV_ELEM, n->bind, n->blen, x->a, et, NULL, NULL, NULL, 0, NULL};
    *el = e;
    x->t = T(TY_TEXT, 0, 0);
    return x;
}

struct ir *cx_piece(struct chk *k, struct env *env, const struct node *n)
{
    if (!n)
        return NULL;
    switch (n->kind) {
    case N_TEMPLATE:
        return template_ir(k, env, n, 1);
    case N_IF: {
        struct ir *c = cx_bool(k, env, n->a, "the condition of 'if'");
        struct ir *x = ir_new(k, I_IF, n->pos);
        if (!c || !x)
            return NULL;
        x->sub = 1;
        x->x = c;
        x->y = cx_piece(k, env, n->b);
        x->z = n->c ? cx_piece(k, env, n->c) : NULL;
        x->t = T(TY_TEXT, 0, 0);
        return x;
    }
    case N_EACH: {
        struct env el;
        struct ir *x = each_head(k, env, n, &el);
        if (!x)
            return NULL;
        x->y = cx_piece(k, &el, n->b);
        x->z = n->c ? template_ir(k, env, n->c, 1) : NULL;
        return x;
    }
    case N_ERROR:
        return bad(k, n->pos);
    default:
        chk_error(k, n->pos, 1, "evidence is made of strings, 'if ... then ...' and 'each'");
        return bad(k, n->pos);
    }
}

struct ir *cx_kitem(struct chk *k, struct env *env, const struct node *n)
{
    struct env el;
    struct env *fe = env;
    struct ir *x;
    if (n->kind == N_EACH) {
        if (!(x = each_head(k, env, n, &el)))
            return NULL;
        x->sub = 1;
        fe = &el;
    } else {
        if (!(x = ir_new(k, I_KITEM, n->pos)))
            return NULL;
        x->t = T(TY_TEXT, 0, 0);
    }
    x->v = lang_alloc(k->L, (size_t)(n->nv + 1) * sizeof *x->v);
    if (!x->v)
        return NULL;
    for (int i = 0; i < n->nv; i++) {
        struct ir *f = cx_hole(k, fe, n->v[i]);
        if (!f)
            return NULL;
        x->v[x->nv++] = f;
    }
    return x;
}
