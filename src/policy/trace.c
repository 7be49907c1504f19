/* trace.c - the trace points of a program compiled for `hedui explain`
 * (prog.h TRACE and enum tp_kind).
 *
 * Owns: where a rule's block records what it looked at, and the label each
 * record carries.  compile_rules.c calls tc_unit, tc_cond, tc_sets and
 * tc_fired in place of the plain tests of a block; compile.c calls tc_let
 * when a let is computed and tc_elem/tc_part in the body of a let's
 * aggregate.  A traced block tests the same conditions as a plain one, in
 * the same order, with the same short cuts (the first condition of a
 * `where`, `requires` or `when` found false ends the block, so nothing after
 * it is computed: `h.size > 0 and income / h.size > x` never divides by
 * zero); it only computes each top-level condition as a value first, and
 * the two sides of a comparison, so they can be recorded.  A program for a
 * run is compiled without any of this (c->trace == 0): the run pays nothing.
 *
 * Labels are the policy's own text: the tokens of the expression's span
 * (ast.h struct pos from/end, set by the parser; for a define's expansion
 * the call's, `evidenced_income(m)`), comments dropped, white space made
 * one space.  A let is labelled with its name, a parameter with its name.
 * Never: evaluates, changes what a program decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/compile.h"
#include "policy/compile_int.h"

#define LABEL_MAX 240

/* ---------- tokens and labels ---------- */

const struct token *tc_tokens(struct comp *c, int f, int *n)
{
    *n = 0;
    if (f < 0 || f >= c->L->nfiles || f >= LANG_MAX_FILES)
        return NULL;
    if (!c->ftok[f]) {
        /* the file was lexed cleanly before: no diagnostic can come, but
         * none may be added twice either */
        int nd = c->L->ndiags, ne = c->L->nerrors;
        c->ftok[f] = lex_range(c->L, f, 0, (uint32_t)c->L->files[f].len, 1, &c->nftok[f]);
        c->L->ndiags = nd;
        c->L->nerrors = ne;
    }
    *n = c->nftok[f];
    return c->ftok[f];
}

/* The label of x: the policy's own text of it, [from, end) of its
 * position (a define's expansion: of the call), its tokens joined by one
 * space where the text had any; NULL when the span is not known. */
static const char *span_label(struct comp *c, const struct ir *x)
{
    struct pos at = x->call.end ? x->call : x->pos;
    int n;
    const struct token *t = tc_tokens(c, at.file, &n);
    if (!t || at.end <= at.from)
        return NULL;
    int i = 0;
    while (i < n && t[i].off < at.from)
        i++;
    const char *text = c->L->files[at.file].text;
    char buf[LABEL_MAX + 8];
    size_t m = 0;
    for (int k = i; k < n && t[k].kind != T_EOF && t[k].off + t[k].len <= at.end; k++) {
        if (k > i && t[k].off > t[k - 1].off + t[k - 1].len)
            buf[m++] = ' ';
        size_t len = t[k].len;
        if (m + len > LABEL_MAX) {
            len = LABEL_MAX - m;
            while (len > 0 && ((unsigned char)text[t[k].off + len] & 0xc0) == 0x80)
                len--;   /* cut at a character */
            memcpy(buf + m, text + t[k].off, len);
            m += len;
            memcpy(buf + m, " ...", 4);
            m += 4;
            break;
        }
        memcpy(buf + m, text + t[k].off, len);
        m += len;
    }
    if (m == 0)
        return NULL;
    char *s = lang_alloc(c->L, m + 1);
    if (!s)
        return NULL;
    memcpy(s, buf, m);
    s[m] = '\0';
    return s;
}

static const char *name_label(struct comp *c, const char *name, uint32_t len)
{
    char *s = lang_alloc(c->L, (size_t)len + 1);
    if (s) {
        memcpy(s, name, len);
        s[len] = '\0';
    }
    return s;
}

static const char *label_of(struct comp *c, const struct ir *x)
{
    if (x->op == I_LET && c->rule && x->a >= 0 && x->a < c->rule->nlets)
        return name_label(c, c->rule->lets[x->a].name, c->rule->lets[x->a].nlen);
    if (x->op == I_CONST && x->sub == 1 && c->cp)
        for (int i = 0; i < c->cp->nparams; i++)
            if (c->cp->params[i].value == x)
                return name_label(c, c->cp->params[i].name, c->cp->params[i].nlen);
    return span_label(c, x);
}

/* ---------- trace points ---------- */

static void value_format(struct tpoint *p, struct ty t)
{
    if (t.b == TY_ROW) {
        p->fmt = TF_ROW;
        p->en = t.e;
    } else if (t.b == TY_LIST) {
        p->fmt = TF_LIST;
        struct ty el = {t.eb, t.e, 0};
        p->el_fmt = t.eb == TY_ROW ? TF_ROW : (uint8_t)prog_value_format(el);
        p->en = t.e;
    } else {
        p->fmt = (uint8_t)prog_value_format(t);
        p->en = t.b == TY_ENUM ? t.e : 0;
    }
}

/* A trace point of kind at x (its type and place; NULL: the rule's),
 * recording register reg. */
static void point(struct comp *c, int kind, struct ty t, const struct ir *x, const char *label,
                  int depth, int reg)
{
    struct prog *P = c->P;
    if (c->fail)
        return;
    if (P->ntp == c->cap_tp) {
        int cap = c->cap_tp ? c->cap_tp * 2 : 64;
        struct tpoint *n = realloc(P->tp, (size_t)cap * sizeof *n);
        if (!n) {
            cc_internal_oom(c);
            return;
        }
        P->tp = n;
        c->cap_tp = cap;
    }
    struct tpoint *p = &P->tp[P->ntp];
    memset(p, 0, sizeof *p);
    p->kind = (uint8_t)kind;
    value_format(p, t);
    p->rule = c->rule_index;
    p->label = label;
    struct pos at = x ? x->pos : c->rule->pos;
    p->line = at.line;
    p->file = at.file;
    p->depth = (int16_t)depth;
    cc_emit(c, OP_TRACE, 0, 0, reg, P->ntp++, 0, 0);
}

static struct ty row_ty(int kind)
{
    struct ty t = {TY_ROW, (uint8_t)kind, 0};
    return t;
}

void tc_unit(struct comp *c, const struct crule *r, int reg)
{
    static const int unit_rows[N_UNIT] = {RK_HOUSEHOLD, RK_MEMBER, RK_HOUSEHOLD, RK_CANDIDATE};
    int kind = r->each ? r->each_kind : r->unit >= 0 && r->unit < N_UNIT ? unit_rows[r->unit]
                                                                        : RK_HOUSEHOLD;
    point(c, TP_UNIT, row_ty(kind), NULL, NULL, 0, reg);
}

/* One side of a comparison: its value, recorded unless a number written
 * in the rule. */
static int side(struct comp *c, const struct ir *x)
{
    int r = cc_expr(c, x);
    if (!(x->op == I_CONST && x->sub == 0))
        point(c, TP_SIDE, x->t, x, label_of(c, x), 1, r);
    return r;
}

void tc_cond(struct comp *c, const struct ir *x, int kind, struct jlist *jl)
{
    if (c->fail || !x)
        return;
    if (x->op == I_AND) {
        tc_cond(c, x->x, kind, jl);
        tc_cond(c, x->y, kind, jl);
        return;
    }
    uint32_t save = c->line;
    c->line = x->pos.line;
    int r;
    if (x->op == I_CMP) {
        int a = side(c, x->x), b = side(c, x->y);
        r = cc_newreg(c);
        cc_emit(c, OP_CMP, x->sub, (uint16_t)cc_cmp_class(x->x->t, x->y->t), r, a, b, 0);
    } else {
        r = cc_expr(c, x);
    }
    struct ty tb = {TY_BOOL, 0, 0};
    point(c, kind, tb, x, label_of(c, x), 0, r);
    if (!c->fail && x->op == I_EXISTS && x->x && x->pos.from == x->x->pos.from)
        c->P->tp[c->P->ntp - 1].bare = 1;   /* `requires h.standard` */
    cc_jl_add(c, jl, cc_emit(c, OP_JF, 0, 0, r, 0, 0, 0));
    c->line = save;
}

struct setctx {
    int count;
    struct ty el;
};

static void set_body(struct comp *c, int elem, const void *ctx)
{
    const struct setctx *s = ctx;
    point(c, TP_ROW, s->el, NULL, NULL, 2, elem);
    cc_emit(c, OP_INC, 0, 0, s->count, 0, 0, 0);
}

void tc_sets(struct comp *c, const struct crule *r)
{
    for (int i = 0; i < r->nsets && !c->fail; i++) {
        const struct cset *s = &r->sets[i];
        if (s->value->t.b != TY_SET && s->value->t.b != TY_LIST)
            continue;
        struct setctx sc;
        sc.count = cc_newreg(c);
        sc.el.b = s->value->t.eb;
        sc.el.e = s->value->t.e;
        sc.el.eb = 0;
        c->line = s->value->pos.line;
        cc_emit(c, OP_CONST, 0, 0, sc.count, cc_const_num(c, 0, 1), 0, 0);
        struct body b = {set_body, &sc};
        cc_iter(c, s->value, b);
        struct ty tc = {TY_COUNT, 0, 0};
        point(c, TP_SET, tc, s->value, name_label(c, s->name, s->nlen), 1, sc.count);
    }
}

void tc_let(struct comp *c, int let, int reg)
{
    const struct clet *l = &c->rule->lets[let];
    point(c, TP_LET, l->t, l->value, name_label(c, l->name, l->nlen), 1, reg);
}

void tc_fired(struct comp *c)
{
    struct ty tb = {TY_BOOL, 0, 0};
    point(c, TP_FIRED, tb, NULL, NULL, 0, c->P->reg_unit);
}

void tc_elem(struct comp *c, const struct ir *agg, int elem)
{
    struct ty s = agg->x->t, el = {s.eb, s.e, 0};
    point(c, TP_ELEM, el, NULL, NULL, 2, elem);
}

/* The part an element adds to a traced sum; max(a, b) and min(a, b) show
 * both sides. */
int tc_part(struct comp *c, const struct ir *body)
{
    int r;
    if (body->op == I_FN && (body->sub == FN_MAX || body->sub == FN_MIN)) {
        int a = cc_expr(c, body->x);
        point(c, TP_PART, body->x->t, body->x, label_of(c, body->x), 4, a);
        int b = cc_expr(c, body->y);
        point(c, TP_PART, body->y->t, body->y, label_of(c, body->y), 4, b);
        r = cc_newreg(c);
        cc_emit(c, OP_FN, body->sub, 0, r, a, b, 0);
    } else {
        r = cc_expr(c, body);
    }
    point(c, TP_PART, body->t, body, label_of(c, body), 3, r);
    return r;
}
