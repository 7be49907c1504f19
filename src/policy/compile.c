/* compile.c - checked expressions (ir.h) into ops (prog.h): values,
 * conditions, sets and aggregates.  compile_rules.c lays out the program,
 * compile_text.c the evidence and keys.
 *
 * Owns: how a value is computed.  A constant lives in a constant register
 * (no op).  A `let` is computed where it is first needed, guarded by MEMO
 * (so a let used in `when` and in the evidence is computed once per unit).
 * A condition (where, requires, when, the test of `if`, any(S: C)) becomes
 * jumps, not a value: `a and b` falls through both or jumps out at the
 * first false one.  A set is never materialised but read again where it is
 * used; an aggregate over a set is a FOR whose body tests the set's `where`
 * and updates one register; `any` and `first` leave the loop with BREAK.
 * `fires R(x)` is R's condition compiled in place, after a RESET of the lets
 * it brought.
 *
 * Per-month sums: `sum(mo in window: ... sum(p.social_insurance where
 * period = mo and C: amount) ...)` is the contract's evidenced income, read
 * for every counted member.  Each inner sum whose only tie to `mo` is
 * `period = mo` is filled in one pass over the person's rows into one
 * register per month (ADD_AT); the window loop is then unrolled, month m
 * reading those registers directly: one pass instead of one per month and
 * per inner sum, the same sums.
 * Never: evaluates, reads data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract/policy.h"
#include "policy/compile.h"
#include "policy/compile_int.h"

_Static_assert(RULES_MAX <= 32, "struct prog.severity holds 32 rules");

const char *const opcode_names[N_OPCODES] = {
    "CONST", "MOVE", "COL", "BUILTIN", "NEG", "ARITH", "CMP", "IN", "NOT", "EXISTS", "FN",
    "PICK", "INC", "JF", "JT", "JM", "JMP", "FOR", "BREAK", "LIST_NEW", "LIST_ADD", "MEMO",
    "MEMO_SET", "RESET", "HAVE", "EV_BEGIN", "PIECE_BEGIN", "PIECE_END", "KEY_BEGIN",
    "KEY_END", "TLIT", "TVAL", "EMIT", "ZERO", "BUCKET", "ADD_AT", "LOAD_AT", "JCOL",
    "JCOLIN", "LATEST", "TRACE"};

/* ---------- emitting ---------- */

static int oom(struct comp *c)
{
    c->fail = 1;
    c->L->oom = 1;
    return 0;
}

int cc_internal_oom(struct comp *c)
{
    oom(c);
    return -1;
}

int cc_emit(struct comp *c, int code, int x, int y, int a, int b, int cc, int d)
{
    struct prog *P = c->P;
    if (c->fail)
        return 0;
    if (P->nops == c->cap_ops) {
        int cap = c->cap_ops ? c->cap_ops * 2 : 256;
        struct op *n = realloc(P->ops, (size_t)cap * sizeof *n);
        if (!n)
            return oom(c);
        P->ops = n;
        c->cap_ops = cap;
    }
    struct op *o = &P->ops[P->nops];
    o->code = (uint8_t)code;
    o->x = (uint8_t)x;
    o->y = (uint16_t)y;
    o->a = a;
    o->b = b;
    o->c = cc;
    o->d = d;
    o->line = c->line;
    return P->nops++;
}

/* Point the jump at `at` to the next op to be emitted. */
void cc_patch(struct comp *c, int at)
{
    if (!c->fail)
        c->P->ops[at].d = c->P->nops - at - 1;
}

void cc_jl_add(struct comp *c, struct jlist *jl, int at)
{
    if (jl->n == jl->cap) {
        int cap = jl->cap ? jl->cap * 2 : 8;
        int *n = realloc(jl->at, (size_t)cap * sizeof *n);
        if (!n) {
            oom(c);
            return;
        }
        jl->at = n;
        jl->cap = cap;
    }
    jl->at[jl->n++] = at;
}

void cc_patch_all(struct comp *c, struct jlist *jl)
{
    for (int i = 0; i < jl->n; i++)
        cc_patch(c, jl->at[i]);
    free(jl->at);
    memset(jl, 0, sizeof *jl);
}

int cc_const(struct comp *c, struct vval v)
{
    struct prog *P = c->P;
    if (c->fail)
        return 0;
    if (P->nconsts == c->cap_consts) {
        int cap = c->cap_consts ? c->cap_consts * 2 : 64;
        struct vval *n = realloc(P->consts, (size_t)cap * sizeof *n);
        if (!n)
            return oom(c);
        P->consts = n;
        c->cap_consts = cap;
    }
    P->consts[P->nconsts] = v;
    return P->nconsts++;
}

int cc_const_num(struct comp *c, __int128 n, __int128 d)
{
    struct vval v;
    memset(&v, 0, sizeof v);
    v.n = n;
    v.d = d;
    return cc_const(c, v);
}

int cc_const_text(struct comp *c, const char *s, uint32_t len)
{
    struct vval v;
    memset(&v, 0, sizeof v);
    v.p = s;
    v.n = len;
    v.d = 1;
    return cc_const(c, v);
}

/* The constant register (-1, -2, ...) holding v, shared by equal values. */
int cc_creg(struct comp *c, struct vval v)
{
    struct prog *P = c->P;
    for (int j = 0; j < P->ncregs; j++) {
        const struct vval *w = &P->cregs[j];
        if (w->n == v.n && w->d == v.d && w->p == v.p && w->miss == v.miss)
            return -(j + 1);
    }
    if (c->fail)
        return 0;
    if (P->ncregs == c->cap_cregs) {
        int cap = c->cap_cregs ? c->cap_cregs * 2 : 64;
        struct vval *n = realloc(P->cregs, (size_t)cap * sizeof *n);
        if (!n)
            return oom(c);
        P->cregs = n;
        c->cap_cregs = cap;
    }
    P->cregs[P->ncregs++] = v;
    return -P->ncregs;
}

int cc_newreg(struct comp *c)
{
    int r = c->nreg++;
    if (c->nreg > c->P->nregs)
        c->P->nregs = c->nreg;
    return r;
}

void cc_internal(struct comp *c, const struct ir *x, const char *what)
{
    lang_error(c->L, x->pos, 1, "internal error: cannot compile %s (op %d); please report it",
               what, x->op);
    c->fail = 1;
}

int prog_value_format(struct ty t)
{
    return cc_fmt(t);
}

int cc_fmt(struct ty t)
{
    switch (t.b) {
    case TY_MONEY:
    case TY_AREA: return FMT_MONEY;
    case TY_COUNT: return FMT_INT;
    case TY_NUM:
    case TY_RATIO: return FMT_RATIO;
    case TY_DATE: return FMT_DATE;
    case TY_MONTH: return FMT_MONTH;
    case TY_ENUM: return FMT_ENUM;
    case TY_BOOL: return FMT_BOOL;
    default: return FMT_TEXT;
    }
}

int cc_cmp_class(struct ty a, struct ty b)
{
    if (ty_is_num(a) && ty_is_num(b))
        return CC_NUM;
    if (a.b == TY_TEXT)
        return CC_TEXT;
    return CC_INT;
}

/* ---------- aggregates ---------- */

struct aggctx {
    const struct ir *x;
    int r;
    int depth0;
    int traced;          /* explain: trace each element (a let's aggregate) */
};

static void agg_body(struct comp *c, int elem, const void *ctx)
{
    const struct aggctx *g = ctx;
    const struct ir *x = g->x;
    int save = c->slot_reg[x->a];
    c->slot_reg[x->a] = elem;
    struct jlist skip = {0};
    if (x->y && x->sub != K_SUM && x->sub != K_DISTINCT && x->sub != K_LATEST &&
        x->sub != K_SORTED)
        cc_false(c, x->y, &skip);
    if (g->traced)
        tc_elem(c, x, elem);
    switch (x->sub) {
    case K_ANY:
        cc_emit(c, OP_CONST, 0, 0, g->r, cc_const_num(c, 1, 1), 0, 0);
        cc_emit(c, OP_BREAK, 0, 0, c->loop_depth - g->depth0, 0, 0, 0);
        break;
    case K_COUNT:
        cc_emit(c, OP_INC, 0, 0, g->r, 0, 0, 0);
        break;
    case K_FIRST:
        cc_emit(c, OP_MOVE, 0, 0, g->r, elem, 0, 0);
        cc_emit(c, OP_BREAK, 0, 0, c->loop_depth - g->depth0, 0, 0, 0);
        break;
    case K_SUM: {
        int t = g->traced ? tc_part(c, x->y) : cc_expr(c, x->y);
        cc_emit(c, OP_ARITH, '+', 0, g->r, g->r, t, 0);
        break;
    }
    case K_DISTINCT: {
        int t = cc_expr(c, x->y);
        cc_emit(c, OP_LIST_ADD, 0, (uint16_t)cc_cmp_class(x->y->t, x->y->t), g->r, t, 0, 0);
        break;
    }
    case K_LATEST:
    case K_SORTED: {
        /* keys and orders into consecutive registers, then one op (sorted():
         * LATEST with no order, d = 0, and the descending keys in y's high
         * byte; prog.h) */
        int first = c->nreg;
        for (int i = 0; i < x->nv; i++)
            cc_newreg(c);
        for (int i = 0; i < x->nv; i++) {
            int t = cc_expr(c, x->v[i]);
            cc_emit(c, OP_MOVE, 0, 0, first + i, t, 0, 0);
        }
        int classes = 0;   /* bit i: value i compares as a number */
        for (int i = 0; i < x->nv && i < 8; i++)
            classes |= (cc_cmp_class(x->v[i]->t, x->v[i]->t) == CC_NUM) << i;
        if (x->sub == K_SORTED)
            classes |= (int)(x->num & 0xff) << 8;
        cc_emit(c, OP_LATEST, x->b, (uint16_t)classes, g->r, elem, first, x->nv - x->b);
        break;
    }
    }
    cc_patch_all(c, &skip);
    c->slot_reg[x->a] = save;
}

static int aggregate(struct comp *c, const struct ir *x)
{
    if (c->buckets)
        for (int k = 0; k < c->buckets->n; k++)
            if (c->buckets->agg[k] == x) {
                return c->buckets->base[k] + c->buckets->month;
            }
    if (x->sub == K_SUM && x->x->op == I_WINDOW) {
        int r = cc_window_sum(c, x);
        if (r >= 0 || c->fail)
            return r;
    }
    int r = cc_newreg(c);
    switch (x->sub) {
    case K_ANY:
    case K_COUNT:
    case K_SUM:
        cc_emit(c, OP_CONST, 0, 0, r, cc_const_num(c, 0, 1), 0, 0);
        break;
    case K_FIRST: {
        struct vval v;
        memset(&v, 0, sizeof v);
        v.d = 1;
        v.miss = 1;
        cc_emit(c, OP_CONST, 0, 0, r, cc_const(c, v), 0, 0);
        break;
    }
    case K_DISTINCT:
    case K_LATEST:
    case K_SORTED:
        cc_emit(c, OP_LIST_NEW, 0, 0, r, c->P->nlists++, 0, 0);
        break;
    }
    struct aggctx g = {x, r, c->loop_depth, c->trace && c->trace_agg == x};
    if (g.traced && (x->sub == K_DISTINCT || x->sub == K_LATEST))
        g.traced = 0;   /* the list itself is traced */
    const struct ir *save = c->trace_agg;
    c->trace_agg = NULL;
    struct body b = {agg_body, &g};
    cc_iter(c, x->x, b);
    c->trace_agg = save;
    return r;
}

/* ---------- values ---------- */

static int const_reg(struct comp *c, const struct ir *x)
{
    struct vval v;
    memset(&v, 0, sizeof v);
    v.d = 1;
    if (x->t.b == TY_TEXT) {
        v.p = x->s;
        v.n = x->len;
    } else {
        v.n = x->num;
        v.d = x->den ? x->den : 1;
    }
    return cc_creg(c, v);
}

static int builtin(struct comp *c, const struct ir *x)
{
    int a = cc_expr(c, x->x);
    for (int i = 0; i < c->nbcache; i++)
        if (c->bcache[i].src == a && c->bcache[i].which == x->col->which)
            return c->bcache[i].reg;
    int r = cc_newreg(c);
    cc_emit(c, OP_BUILTIN, x->col->which, x->x->t.e, r, a, 0, 0);
    return r;
}

int cc_expr(struct comp *c, const struct ir *x)
{
    if (c->fail || !x)
        return 0;
    uint32_t save_line = c->line;
    c->line = x->pos.line;
    int r = 0, a, b;
    switch (x->op) {
    case I_CONST:
        r = const_reg(c, x);
        break;
    case I_VAR:
        r = c->slot_reg[x->a];
        break;
    case I_LET: {
        /* the value lives in the rule's let table; computed here unless done */
        r = c->let_reg[x->a];
        int m = cc_emit(c, OP_MEMO, 0, 0, c->memo_base + x->a, 0, 0, 0);
        const struct clet *l = &c->rule->lets[x->a];
        const struct ir *save = c->trace_agg;
        if (c->trace)   /* explain: the elements of a let's aggregate */
            c->trace_agg = !l->nested && l->value && l->value->op == I_AGG ? l->value : NULL;
        a = cc_expr(c, l->value);
        c->trace_agg = save;
        cc_emit(c, OP_MOVE, 0, 0, r, a, 0, 0);
        if (c->trace && !l->nested)
            tc_let(c, x->a, r);
        cc_emit(c, OP_MEMO_SET, 0, 0, c->memo_base + x->a, 0, 0, 0);
        cc_patch(c, m);
        break;
    }
    case I_COL:
        if (x->col->how == CK_BUILTIN) {
            r = builtin(c, x);
            break;
        }
        a = cc_expr(c, x->x);
        r = cc_newreg(c);
        if (x->col->how == CK_FEED)
            cc_internal(c, x, "a set as a value");
        else
            cc_emit(c, OP_COL, x->col->how, 0, r, a, x->col->off, (int)x->col->den);
        break;
    case I_NEG:
    case I_NOT:
    case I_EXISTS:
        a = cc_expr(c, x->x);
        r = cc_newreg(c);
        cc_emit(c, x->op == I_NEG ? OP_NEG : x->op == I_NOT ? OP_NOT : OP_EXISTS, 0, 0, r, a, 0,
                0);
        break;
    case I_ARITH:
    case I_FN:
        a = cc_expr(c, x->x);
        b = cc_expr(c, x->y);
        r = cc_newreg(c);
        cc_emit(c, x->op == I_ARITH ? OP_ARITH : OP_FN, x->sub, 0, r, a, b, 0);
        break;
    case I_CMP:
        a = cc_expr(c, x->x);
        b = cc_expr(c, x->y);
        r = cc_newreg(c);
        cc_emit(c, OP_CMP, x->sub, (uint16_t)cc_cmp_class(x->x->t, x->y->t), r, a, b, 0);
        break;
    case I_IN:
        a = cc_expr(c, x->x);
        r = cc_newreg(c);
        cc_emit(c, OP_IN, x->sub, 0, r, a, (int)x->num, 0);
        break;
    case I_AND:
    case I_OR: {
        /* as a value (a missing operand stays missing): r = a; skip b when decided */
        r = cc_newreg(c);
        a = cc_expr(c, x->x);
        cc_emit(c, OP_MOVE, 0, 0, r, a, 0, 0);
        int j = cc_emit(c, x->op == I_AND ? OP_JF : OP_JT, 0, 0, r, 0, 0, 0);
        b = cc_expr(c, x->y);
        cc_emit(c, OP_MOVE, 0, 0, r, b, 0, 0);
        cc_patch(c, j);
        break;
    }
    case I_IF: {
        r = cc_newreg(c);
        struct jlist f = {0};
        cc_false(c, x->x, &f);
        a = cc_expr(c, x->y);
        cc_emit(c, OP_MOVE, 0, 0, r, a, 0, 0);
        int end = cc_emit(c, OP_JMP, 0, 0, 0, 0, 0, 0);
        cc_patch_all(c, &f);
        b = cc_expr(c, x->z);
        cc_emit(c, OP_MOVE, 0, 0, r, b, 0, 0);
        cc_patch(c, end);
        break;
    }
    case I_PICK: {
        int base = c->P->nconsts;
        for (int i = 0; i < x->nv; i++)
            cc_const_num(c, x->v[i]->num, x->v[i]->den ? x->v[i]->den : 1);
        a = cc_expr(c, x->x);
        r = cc_newreg(c);
        cc_emit(c, OP_PICK, 0, (uint16_t)x->nv, r, a, base, 0);
        break;
    }
    case I_AGG:
        r = aggregate(c, x);
        break;
    case I_FIRES:
        if (x->b > 0)
            cc_emit(c, OP_RESET, 0, 0, c->memo_base + x->a, x->b, 0, 0);
        r = cc_expr(c, x->x);
        break;
    case I_HAVE:
        if (c->have) {   /* known for this run: a constant */
            struct vval v;
            memset(&v, 0, sizeof v);
            v.n = c->have[x->a] != 0;
            v.d = 1;
            r = cc_creg(c, v);
            break;
        }
        r = cc_newreg(c);
        cc_emit(c, OP_HAVE, 0, 0, r, x->a, 0, 0);
        break;
    default:
        cc_internal(c, x, "this value");
    }
    c->line = save_line;
    return r;
}

/* ---------- conditions ---------- */

static void cc_true(struct comp *c, const struct ir *x, struct jlist *jl);

void cc_false(struct comp *c, const struct ir *x, struct jlist *jl)
{
    if (c->fail || !x)
        return;
    switch (x->op) {
    case I_AND:
        cc_false(c, x->x, jl);
        cc_false(c, x->y, jl);
        return;
    case I_OR: {
        struct jlist t = {0};
        cc_true(c, x->x, &t);
        cc_false(c, x->y, jl);
        cc_patch_all(c, &t);
        return;
    }
    case I_FIRES:
        if (x->b > 0)
            cc_emit(c, OP_RESET, 0, 0, c->memo_base + x->a, x->b, 0, 0);
        cc_false(c, x->x, jl);
        return;
    case I_CONST:
        if (!x->num)
            cc_jl_add(c, jl, cc_emit(c, OP_JMP, 0, 0, 0, 0, 0, 0));
        return;
    case I_HAVE:
        if (c->have) {
            if (!c->have[x->a])
                cc_jl_add(c, jl, cc_emit(c, OP_JMP, 0, 0, 0, 0, 0, 0));
            return;
        }
        cc_jl_add(c, jl, cc_emit(c, OP_JF, 0, 0, cc_expr(c, x), 0, 0, 0));
        return;
    case I_CMP:
    case I_IN: {
        /* an int column against a constant: one op (JCOL, JCOLIN) */
        const struct ir *col = x->x, *k = x->y;
        if (x->op == I_CMP && col->op == I_CONST) {
            col = x->y;
            k = x->x;
        }
        if (col->op == I_COL && col->col->how == CK_INT &&
            (x->op == I_IN || ((x->sub == T_EQ || x->sub == T_NE) && k->op == I_CONST &&
                               k->den == 1 && k->num >= -2147483647 && k->num <= 2147483647))) {
            int row = cc_expr(c, col->x);
            if (x->op == I_IN)
                cc_jl_add(c, jl, cc_emit(c, OP_JCOLIN, x->sub, 0, row, (int)x->num, col->col->off,
                                      0));
            else
                cc_jl_add(c, jl, cc_emit(c, OP_JCOL, x->sub, 0, row, (int)k->num, col->col->off, 0));
            return;
        }
    }
        __attribute__((fallthrough));
    default:
        cc_jl_add(c, jl, cc_emit(c, OP_JF, 0, 0, cc_expr(c, x), 0, 0, 0));
    }
}

/* Jump (to a place added to *jl) when x is true; fall through otherwise. */
static void cc_true(struct comp *c, const struct ir *x, struct jlist *jl)
{
    if (c->fail || !x)
        return;
    switch (x->op) {
    case I_OR:
        cc_true(c, x->x, jl);
        cc_true(c, x->y, jl);
        return;
    case I_AND: {
        struct jlist f = {0};
        cc_false(c, x->x, &f);
        cc_true(c, x->y, jl);
        cc_patch_all(c, &f);
        return;
    }
    case I_FIRES:
        if (x->b > 0)
            cc_emit(c, OP_RESET, 0, 0, c->memo_base + x->a, x->b, 0, 0);
        cc_true(c, x->x, jl);
        return;
    case I_CONST:
        if (x->num)
            cc_jl_add(c, jl, cc_emit(c, OP_JMP, 0, 0, 0, 0, 0, 0));
        return;
    default:
        cc_jl_add(c, jl, cc_emit(c, OP_JT, 0, 0, cc_expr(c, x), 0, 0, 0));
    }
}

/* ---------- sets ---------- */

struct wherectx {
    const struct ir *s;
    struct body inner;
};

static void where_body(struct comp *c, int elem, const void *ctx)
{
    const struct wherectx *w = ctx;
    int save = c->slot_reg[w->s->a];
    c->slot_reg[w->s->a] = elem;
    struct jlist jl = {0};
    cc_false(c, w->s->y, &jl);
    w->inner.fn(c, elem, w->inner.ctx);
    cc_patch_all(c, &jl);
    c->slot_reg[w->s->a] = save;
}

void cc_for(struct comp *c, int source, int y, int cc, int src, struct body b)
{
    int elem = cc_newreg(c);
    int at = cc_emit(c, OP_FOR, source, y, src, elem, cc, 0);
    c->loop_depth++;
    b.fn(c, elem, b.ctx);
    c->loop_depth--;
    cc_patch(c, at);
}

/* FOR over a set-valued column of the row in register src. */
static void col_loop(struct comp *c, const struct col *col, int row_kind, int src,
                     struct body b)
{
    if (col->how == CK_FEED) {
        cc_for(c, SRC_FEED, col->which, row_kind, src, b);
        return;
    }
    switch (col->which) {
    case B_MEMBERS: cc_for(c, SRC_MEMBERS, 0, row_kind, src, b); return;
    case B_COUNTED_SET: cc_for(c, SRC_COUNTED, 0, row_kind, src, b); return;
    case B_PERSONS: cc_for(c, SRC_PERSONS, 0, row_kind, src, b); return;
    case B_HOUSEHOLDS: cc_for(c, SRC_HOUSEHOLDS, 0, row_kind, src, b); return;
    }
    c->fail = 1;
}

struct flatctx {
    const struct ir *s;
    struct body inner;
};

static void flat_body(struct comp *c, int elem, const void *ctx)
{
    const struct flatctx *f = ctx;
    int save = c->slot_reg[f->s->a];
    c->slot_reg[f->s->a] = elem;
    col_loop(c, f->s->col, f->s->x->t.e, elem, f->inner);
    c->slot_reg[f->s->a] = save;
}

void cc_iter(struct comp *c, const struct ir *s, struct body b)
{
    if (c->fail || !s)
        return;
    switch (s->op) {
    case I_WHERE: {
        struct wherectx w = {s, b};
        struct body wb = {where_body, &w};
        cc_iter(c, s->x, wb);
        return;
    }
    case I_FLAT: {
        struct flatctx f = {s, b};
        struct body fb = {flat_body, &f};
        cc_iter(c, s->x, fb);
        return;
    }
    case I_COL:
        if (s->t.b == TY_SET) {
            int src = cc_expr(c, s->x);
            col_loop(c, s->col, s->x->t.e, src, b);
            return;
        }
        break;
    case I_WINDOW:
        cc_for(c, SRC_WINDOW, 0, 0, 0, b);
        return;
    default:
        break;
    }
    if (s->t.b == TY_LIST) {
        int src = cc_expr(c, s);
        cc_for(c, SRC_LIST, 0, 0, src, b);
        return;
    }
    cc_internal(c, s, "this set");
}
