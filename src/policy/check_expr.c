/* check_expr.c - names and types of expressions, evidence and keys.
 *
 * Owns: the type rules (rules/README.md "Types"): units of arithmetic
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

struct ir *chk_bad(struct chk *k, struct pos pos)
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




/* NUL-terminated copy of a name from the source (messages). */
const char *chk_cstr(struct chk *k, const char *s, size_t len)
{
    char *c = lang_alloc(k->L, len + 1);
    if (!c)
        return "";
    memcpy(c, s, len);
    return c;
}



/* ---------- names ---------- */

struct ir *chk_var(struct chk *k, int slot, struct ty t, struct pos pos)
{
    struct ir *x = ir_new(k, I_VAR, pos);
    if (x) {
        x->a = slot;
        x->t = t;
    }
    return x;
}

struct ir *chk_col(struct chk *k, struct ir *row, const struct col *c, struct pos pos)
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
            return chk_bad(k, pos);
        }
        return p->value ? p->value : chk_bad(k, pos);
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
struct ir *chk_lookup(struct chk *k, struct env *env, const char *s, uint32_t len,
                         struct pos pos)
{
    int unknown_elem = 0;   /* an element of an erroneous set: its columns are unknown */
    for (struct env *e = env; e; e = e->up) {
        if (e->kind == ENV_ELEM) {
            if (same(e->name, e->nlen, s, len))
                return chk_var(k, e->slot, e->t, pos);
            if (e->t.b == TY_ERR)
                unknown_elem = 1;
            if (e->t.b == TY_ROW) {
                const struct col *c = schema_col(e->t.e, s, len);
                if (c)
                    return chk_col(k, chk_var(k, e->slot, e->t, pos), c, pos);
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
                    return chk_bad(k, pos);
                const struct col *c = ut.b == TY_ROW ? schema_col(ut.e, "household", 9) : NULL;
                if (!c) {
                    char b[48];
                    chk_error(k, pos, 1, "%.*s uses h, the member's household, but is applied to "
                              "%s, which has none", (int)r->idlen, r->id, ty_name(ut, b, sizeof b));
                    return chk_bad(k, pos);
                }
                return chk_col(k, rc->unit, c, pos);
            }
        } else if (e->kind == ENV_BARRIER) {
            break;
        }
    }
    struct ir *g = global(k, s, len, pos);
    return g || !unknown_elem ? g : chk_bad(k, pos);
}

/* Every name visible from env (for "did you mean"). */
static int visible(struct chk *k, struct env *env, const char **out, int max)
{
    int n = 0;
#define ADD(s_, l_)                                  \
    do {                                             \
        if (n < max)                                 \
            out[n++] = chk_cstr(k, (s_), (l_));          \
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

struct ir *chk_name(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *x = chk_lookup(k, env, n->s, n->slen, n->pos);
    if (x)
        return x;
    chk_error(k, n->pos, n->slen, "unknown name '%.*s'", (int)n->slen, n->s);
    const char *names[256];
    int c = visible(k, env, names, 256);
    lang_suggest(k->L, n->s, n->slen, names, c);
    return chk_bad(k, n->pos);
}

/* A bare name next to a value of enum e: that enum's value if it is one. */
struct ir *chk_enum_side(struct chk *k, struct env *env, const struct node *n, int e)
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
    struct ir *x = chk_lookup(k, env, n->s, n->slen, n->pos);
    if (x)
        return x;
    char vals[200] = "";
    for (int j = 0; j < enum_defs[e].n; j++)
        snprintf(vals + strlen(vals), sizeof vals - strlen(vals), "%s%s", j ? ", " : "",
                 enum_defs[e].names[j]);
    chk_error(k, n->pos, n->slen, "'%.*s' is not a %s (%s)", (int)n->slen, n->s,
              enum_defs[e].type_name, vals);
    lang_suggest(k->L, n->s, n->slen, enum_defs[e].names, enum_defs[e].n);
    return chk_bad(k, n->pos);
}

/* {a, b} or a set parameter, as bits of enum e; -1 on error (reported). */
static int64_t enum_bits(struct chk *k, struct env *env, const struct node *n, int e)
{
    if (n->kind == N_SETLIT) {
        int64_t bits = 0;
        for (int i = 0; i < n->nv; i++) {
            struct ir *x = chk_enum_side(k, env, n->v[i], e);
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
struct ty chk_arith_type(struct chk *k, int op, struct ty a, struct ty b, struct pos pos)
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

struct ir *chk_template(struct chk *k, struct env *env, const struct node *n, int holes)
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
        x = chk_bad(k, n->pos);
    }
    return x;
}

/* The typed form of an expression.  One case per node kind, most of them a
 * few lines.  Long because it is one switch over every node kind: kept whole
 * so that every kind's type rule is found in one place. */
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
        return chk_template(k, env, n, 0);
    case N_NAME:
        return chk_name(k, env, n);
    case N_FIELD:
        return chk_field(k, env, n);
    case N_INDEX:
        return chk_pick(k, env, n);
    case N_CALL:
        return chk_call(k, env, n);
    case N_FIRES:
        return chk_fires(k, env, n);
    case N_NEG:
        if (!(a = cx(k, env, n->a)))
            return NULL;
        if (a->t.b != TY_ERR && !ty_is_num(a->t)) {
            chk_error(k, n->pos, 1, "'-' before %s", ty_name(a->t, b1, sizeof b1));
            return chk_bad(k, n->pos);
        }
        return un(k, I_NEG, a, n->pos, a->t);
    case N_BIN: {
        if (!(a = cx(k, env, n->a)) || !(b = cx(k, env, n->b)))
            return NULL;
        struct ty t = chk_arith_type(k, n->op, a->t, b->t, n->pos);
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
            !chk_lookup(k, env, n->b->s, n->b->slen, n->b->pos))
            return chk_bad(k, n->pos);   /* likely a value of the enum we could not tell */
        b = a->t.b == TY_ENUM ? chk_enum_side(k, env, n->b, a->t.e) : cx(k, env, n->b);
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
                chk_lookup(k, env, n->b->s, n->b->slen, n->b->pos);
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
            return chk_bad(k, n->pos);
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
        if (a->t.b != TY_ERR && a->t.b != TY_ROW && a->t.b != TY_DATE &&
            !(a->t.b == TY_TEXT && a->op == I_COL && a->col && a->col->optional)) {
            chk_error(k, n->pos, 6, "exists asks whether a row or a date is there; %s is "
                      "always there", ty_name(a->t, b1, sizeof b1));
            return chk_bad(k, n->pos);
        }
        return un(k, I_EXISTS, a, n->pos, T(TY_BOOL, 0, 0));
    case N_COALESCE:
        chk_error(k, n->pos, 2, "'?" "?' gives a text for a missing value, in evidence and key "
                  "only");
        return chk_bad(k, n->pos);
    case N_FEED: {
        struct ir *hv = chk_feed(k, n);
        return hv ? hv : chk_bad(k, n->pos);
    }
    case N_AGG:
        return chk_aggregate(k, env, n);
    case N_WHERE:
        return chk_where(k, env, n);
    case N_SETLIT:
    case N_MAPLIT:
        chk_error(k, n->pos, 1, "a set {...} is used after 'in' or as a parameter's value");
        return chk_bad(k, n->pos);
    case N_ERROR:
        return chk_bad(k, n->pos);
    default:
        chk_error(k, n->pos, 1, "this cannot be used as a value");
        return chk_bad(k, n->pos);
    }
}

