/* compile.c - checked rules (ir.h) into a program (prog.h).
 *
 * Owns: the layout of a program.  Three entries: households on the rolls
 * (one loop over the members runs every member rule of a member while its
 * rows are in cache, then the household rules), cancelled households, and
 * candidates.  A rule is a block:
 *
 *     RESET its lets;  [FOR each element:]  where, requires, when: JF -> end;
 *     EV_BEGIN; evidence pieces; key items; EMIT;  end:
 *
 * A `let` is computed where it is first needed, guarded by MEMO (so a let
 * used in `when` and in the evidence is computed once per unit); a set is
 * never materialised but read again where it is used (`any(v)` in when,
 * `each v` in the evidence); an aggregate over a set is a FOR whose body
 * tests the set's `where` and updates one register; `any` and `first` leave
 * the loop with BREAK as soon as they know.  `fires R(x)` is R's condition
 * compiled in place, after a RESET of the lets it brought.  Registers of a
 * block are reused by the next block; lets keep theirs for the block.
 * Never: evaluates, reads data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract/policy.h"
#include "policy/compile.h"

_Static_assert(N_RULES <= 32, "struct prog.severity holds 32 rules");

const char *const opcode_names[N_OPCODES] = {
    "CONST", "MOVE", "COL", "BUILTIN", "NEG", "ARITH", "CMP", "IN", "NOT", "EXISTS", "FN",
    "PICK", "INC", "JF", "JT", "JM", "JMP", "FOR", "BREAK", "LIST_NEW", "LIST_ADD", "MEMO",
    "MEMO_SET", "RESET", "HAVE", "EV_BEGIN", "PIECE_BEGIN", "PIECE_END", "KEY_BEGIN",
    "KEY_END", "TLIT", "TVAL", "EMIT"};

struct comp {
    struct lang *L;
    struct prog *P;
    int cap_ops, cap_consts;
    int nreg;
    int *let_reg;            /* per let of the rule */
    int memo_base;
    int *slot_reg;           /* element slot -> register bound now */
    int nslots;
    int loop_depth;
    int fail;
    uint32_t line;
    const struct crule *rule;    /* the rule being compiled (its let table) */
};

struct body {
    void (*fn)(struct comp *c, int elem, const void *ctx);
    const void *ctx;
};

/* ---------- emitting ---------- */

static int emit(struct comp *c, int code, int x, int y, int a, int b, int cc, int d)
{
    struct prog *P = c->P;
    if (c->fail)
        return 0;
    if (P->nops == c->cap_ops) {
        int cap = c->cap_ops ? c->cap_ops * 2 : 256;
        struct op *n = realloc(P->ops, (size_t)cap * sizeof *n);
        if (!n) {
            c->fail = 1;
            c->L->oom = 1;
            return 0;
        }
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
static void patch(struct comp *c, int at)
{
    if (!c->fail)
        c->P->ops[at].d = c->P->nops - at - 1;
}

static int add_const(struct comp *c, struct vval v)
{
    struct prog *P = c->P;
    if (c->fail)
        return 0;
    if (P->nconsts == c->cap_consts) {
        int cap = c->cap_consts ? c->cap_consts * 2 : 64;
        struct vval *n = realloc(P->consts, (size_t)cap * sizeof *n);
        if (!n) {
            c->fail = 1;
            c->L->oom = 1;
            return 0;
        }
        P->consts = n;
        c->cap_consts = cap;
    }
    P->consts[P->nconsts] = v;
    return P->nconsts++;
}

static int const_num(struct comp *c, __int128 n, __int128 d)
{
    struct vval v;
    memset(&v, 0, sizeof v);
    v.n = n;
    v.d = d;
    return add_const(c, v);
}

static int const_text(struct comp *c, const char *s, uint32_t len)
{
    struct vval v;
    memset(&v, 0, sizeof v);
    v.p = s;
    v.n = len;
    v.d = 1;
    return add_const(c, v);
}

static int newreg(struct comp *c)
{
    int r = c->nreg++;
    if (c->nreg > c->P->nregs)
        c->P->nregs = c->nreg;
    return r;
}

static void internal(struct comp *c, const struct ir *x, const char *what)
{
    lang_error(c->L, x->pos, 1, "internal error: cannot compile %s (op %d); please report it",
               what, x->op);
    c->fail = 1;
}

/* ---------- values ---------- */

static int cexpr(struct comp *c, const struct ir *x);
static void iter(struct comp *c, const struct ir *s, struct body b);

static int fmt_of(struct ty t)
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

static int cmp_class(struct ty a, struct ty b)
{
    if (ty_is_num(a) && ty_is_num(b))
        return CC_NUM;
    if (a.b == TY_TEXT)
        return CC_TEXT;
    return CC_INT;
}

struct aggctx {
    const struct ir *x;
    int r;
    int depth0;
};

static void agg_body(struct comp *c, int elem, const void *ctx)
{
    const struct aggctx *g = ctx;
    const struct ir *x = g->x;
    int save = c->slot_reg[x->a];
    c->slot_reg[x->a] = elem;
    int skip = -1;
    if (x->y && x->sub != K_SUM && x->sub != K_DISTINCT) {
        int t = cexpr(c, x->y);
        skip = emit(c, OP_JF, 0, 0, t, 0, 0, 0);
    }
    switch (x->sub) {
    case K_ANY:
        emit(c, OP_CONST, 0, 0, g->r, const_num(c, 1, 1), 0, 0);
        emit(c, OP_BREAK, 0, 0, c->loop_depth - g->depth0, 0, 0, 0);
        break;
    case K_COUNT:
        emit(c, OP_INC, 0, 0, g->r, 0, 0, 0);
        break;
    case K_FIRST:
        emit(c, OP_MOVE, 0, 0, g->r, elem, 0, 0);
        emit(c, OP_BREAK, 0, 0, c->loop_depth - g->depth0, 0, 0, 0);
        break;
    case K_SUM: {
        int t = cexpr(c, x->y);
        emit(c, OP_ARITH, '+', 0, g->r, g->r, t, 0);
        break;
    }
    case K_DISTINCT: {
        int t = cexpr(c, x->y);
        emit(c, OP_LIST_ADD, 0, (uint16_t)cmp_class(x->y->t, x->y->t), g->r, t, 0, 0);
        break;
    }
    }
    if (skip >= 0)
        patch(c, skip);
    c->slot_reg[x->a] = save;
}

static int aggregate(struct comp *c, const struct ir *x)
{
    int r = newreg(c);
    switch (x->sub) {
    case K_ANY:
    case K_COUNT:
    case K_SUM:
        emit(c, OP_CONST, 0, 0, r, const_num(c, 0, 1), 0, 0);
        break;
    case K_FIRST: {
        struct vval v;
        memset(&v, 0, sizeof v);
        v.d = 1;
        v.miss = 1;
        emit(c, OP_CONST, 0, 0, r, add_const(c, v), 0, 0);
        break;
    }
    case K_DISTINCT:
        emit(c, OP_LIST_NEW, 0, 0, r, c->P->nlists++, 0, 0);
        break;
    }
    struct aggctx g = {x, r, c->loop_depth};
    struct body b = {agg_body, &g};
    iter(c, x->x, b);
    return r;
}

static int cexpr(struct comp *c, const struct ir *x)
{
    if (c->fail || !x)
        return 0;
    uint32_t save_line = c->line;
    c->line = x->pos.line;
    int r = 0, a, b, j;
    switch (x->op) {
    case I_CONST: {
        r = newreg(c);
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
        emit(c, OP_CONST, 0, 0, r, add_const(c, v), 0, 0);
        break;
    }
    case I_VAR:
        r = c->slot_reg[x->a];
        break;
    case I_LET: {
        /* the value lives in the rule's let table; computed here unless done */
        r = c->let_reg[x->a];
        int m = emit(c, OP_MEMO, 0, 0, c->memo_base + x->a, 0, 0, 0);
        a = cexpr(c, c->rule->lets[x->a].value);
        emit(c, OP_MOVE, 0, 0, r, a, 0, 0);
        emit(c, OP_MEMO_SET, 0, 0, c->memo_base + x->a, 0, 0, 0);
        patch(c, m);
        break;
    }
    case I_COL:
        a = cexpr(c, x->x);
        r = newreg(c);
        if (x->col->how == CK_BUILTIN)
            emit(c, OP_BUILTIN, x->col->which, x->x->t.e, r, a, 0, 0);
        else if (x->col->how == CK_FEED)
            internal(c, x, "a set as a value");
        else
            emit(c, OP_COL, x->col->how, 0, r, a, x->col->off, (int)x->col->den);
        break;
    case I_NEG:
        a = cexpr(c, x->x);
        r = newreg(c);
        emit(c, OP_NEG, 0, 0, r, a, 0, 0);
        break;
    case I_ARITH:
        a = cexpr(c, x->x);
        b = cexpr(c, x->y);
        r = newreg(c);
        emit(c, OP_ARITH, x->sub, 0, r, a, b, 0);
        break;
    case I_CMP:
        a = cexpr(c, x->x);
        b = cexpr(c, x->y);
        r = newreg(c);
        emit(c, OP_CMP, x->sub, (uint16_t)cmp_class(x->x->t, x->y->t), r, a, b, 0);
        break;
    case I_IN:
        a = cexpr(c, x->x);
        r = newreg(c);
        emit(c, OP_IN, x->sub, 0, r, a, (int)x->num, 0);
        break;
    case I_NOT:
        a = cexpr(c, x->x);
        r = newreg(c);
        emit(c, OP_NOT, 0, 0, r, a, 0, 0);
        break;
    case I_EXISTS:
        a = cexpr(c, x->x);
        r = newreg(c);
        emit(c, OP_EXISTS, 0, 0, r, a, 0, 0);
        break;
    case I_AND:
    case I_OR:
        r = newreg(c);
        a = cexpr(c, x->x);
        emit(c, OP_MOVE, 0, 0, r, a, 0, 0);
        j = emit(c, x->op == I_AND ? OP_JF : OP_JT, 0, 0, r, 0, 0, 0);
        b = cexpr(c, x->y);
        emit(c, OP_MOVE, 0, 0, r, b, 0, 0);
        patch(c, j);
        break;
    case I_IF: {
        r = newreg(c);
        int t = cexpr(c, x->x);
        j = emit(c, OP_JF, 0, 0, t, 0, 0, 0);
        a = cexpr(c, x->y);
        emit(c, OP_MOVE, 0, 0, r, a, 0, 0);
        int end = emit(c, OP_JMP, 0, 0, 0, 0, 0, 0);
        patch(c, j);
        b = cexpr(c, x->z);
        emit(c, OP_MOVE, 0, 0, r, b, 0, 0);
        patch(c, end);
        break;
    }
    case I_FN:
        a = cexpr(c, x->x);
        b = cexpr(c, x->y);
        r = newreg(c);
        emit(c, OP_FN, x->sub, 0, r, a, b, 0);
        break;
    case I_PICK: {
        int base = c->P->nconsts;
        for (int i = 0; i < x->nv; i++) {
            struct vval v;
            memset(&v, 0, sizeof v);
            v.n = x->v[i]->num;
            v.d = x->v[i]->den ? x->v[i]->den : 1;
            add_const(c, v);
        }
        a = cexpr(c, x->x);
        r = newreg(c);
        emit(c, OP_PICK, 0, (uint16_t)x->nv, r, a, base, 0);
        break;
    }
    case I_AGG:
        r = aggregate(c, x);
        break;
    case I_FIRES:
        if (x->b > 0)
            emit(c, OP_RESET, 0, 0, c->memo_base + x->a, x->b, 0, 0);
        r = cexpr(c, x->x);
        break;
    case I_HAVE:
        r = newreg(c);
        emit(c, OP_HAVE, 0, 0, r, x->a, 0, 0);
        break;
    default:
        internal(c, x, "this value");
    }
    c->line = save_line;
    return r;
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
    int t = cexpr(c, w->s->y);
    int j = emit(c, OP_JF, 0, 0, t, 0, 0, 0);
    w->inner.fn(c, elem, w->inner.ctx);
    patch(c, j);
    c->slot_reg[w->s->a] = save;
}

static void for_loop(struct comp *c, int source, int y, int cc, int src, struct body b)
{
    int elem = newreg(c);
    int at = emit(c, OP_FOR, source, y, src, elem, cc, 0);
    c->loop_depth++;
    b.fn(c, elem, b.ctx);
    c->loop_depth--;
    patch(c, at);
}

/* FOR over a set-valued column of the row in register src. */
static void col_loop(struct comp *c, const struct col *col, int row_kind, int src,
                     struct body b)
{
    if (col->how == CK_FEED) {
        for_loop(c, SRC_FEED, col->which, row_kind, src, b);
        return;
    }
    switch (col->which) {
    case B_MEMBERS: for_loop(c, SRC_MEMBERS, 0, row_kind, src, b); return;
    case B_COUNTED_SET: for_loop(c, SRC_COUNTED, 0, row_kind, src, b); return;
    case B_PERSONS: for_loop(c, SRC_PERSONS, 0, row_kind, src, b); return;
    case B_HOUSEHOLDS: for_loop(c, SRC_HOUSEHOLDS, 0, row_kind, src, b); return;
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

static void iter(struct comp *c, const struct ir *s, struct body b)
{
    if (c->fail || !s)
        return;
    switch (s->op) {
    case I_WHERE: {
        struct wherectx w = {s, b};
        struct body wb = {where_body, &w};
        iter(c, s->x, wb);
        return;
    }
    case I_FLAT: {
        struct flatctx f = {s, b};
        struct body fb = {flat_body, &f};
        iter(c, s->x, fb);
        return;
    }
    case I_COL:
        if (s->t.b == TY_SET) {
            int src = cexpr(c, s->x);
            col_loop(c, s->col, s->x->t.e, src, b);
            return;
        }
        break;
    case I_WINDOW:
        for_loop(c, SRC_WINDOW, 0, 0, 0, b);
        return;
    default:
        break;
    }
    if (s->t.b == TY_LIST) {
        int src = cexpr(c, s);
        for_loop(c, SRC_LIST, 0, 0, src, b);
        return;
    }
    internal(c, s, "this set");
}

/* ---------- evidence and keys ---------- */

static void content(struct comp *c, const struct ir *x);

static void hole(struct comp *c, const struct ir *x)
{
    if (x->op == I_IF || x->op == I_TEMPLATE || x->op == I_TEXT) {
        content(c, x);
        return;
    }
    if (x->op == I_COALESCE) {
        int r = cexpr(c, x->x);
        int j = emit(c, OP_JM, 0, 0, r, 0, 0, 0);
        emit(c, OP_TVAL, fmt_of(x->x->t), x->x->t.e, 0, r, 0, 0);
        int end = emit(c, OP_JMP, 0, 0, 0, 0, 0, 0);
        patch(c, j);
        content(c, x->y);
        patch(c, end);
        return;
    }
    int r = cexpr(c, x);
    emit(c, OP_TVAL, fmt_of(x->t), x->t.e, 0, r, 0, 0);
}

struct eachctx {
    const struct ir *x;
    int counter;
    int key;
};

static void key_fields(struct comp *c, const struct ir *x)
{
    emit(c, OP_KEY_BEGIN, 0, 0, 0, 0, 0, 0);
    for (int i = 0; i < x->nv; i++) {
        if (i)
            emit(c, OP_TLIT, 0, 0, 0, const_text(c, "\x1f", 1), 0, 0);
        hole(c, x->v[i]);
    }
    emit(c, OP_KEY_END, 0, 0, 0, 0, 0, 0);
}

static void each_body(struct comp *c, int elem, const void *ctx)
{
    const struct eachctx *e = ctx;
    int save = c->slot_reg[e->x->a];
    c->slot_reg[e->x->a] = elem;
    if (e->key) {
        key_fields(c, e->x);
    } else {
        emit(c, OP_PIECE_BEGIN, 0, 0, 0, 0, 0, 0);
        int j = emit(c, OP_JF, 0, 0, e->counter, 0, 0, 0);
        if (e->x->z)
            content(c, e->x->z);
        else
            emit(c, OP_TLIT, 0, 0, 0, const_text(c, "; ", 2), 0, 0);
        patch(c, j);
        content(c, e->x->y);
        emit(c, OP_PIECE_END, 0, 0, 0, 0, 0, 0);
        emit(c, OP_INC, 0, 0, e->counter, 0, 0, 0);
    }
    c->slot_reg[e->x->a] = save;
}

static void each(struct comp *c, const struct ir *x, int key)
{
    struct eachctx e = {x, 0, key};
    if (!key) {
        e.counter = newreg(c);
        emit(c, OP_CONST, 0, 0, e.counter, const_num(c, 0, 1), 0, 0);
    }
    struct body b = {each_body, &e};
    iter(c, x->x, b);
}

/* Text of x appended to the open piece or key item. */
static void content(struct comp *c, const struct ir *x)
{
    if (!x || c->fail)
        return;
    switch (x->op) {
    case I_TEMPLATE:
        for (int i = 0; i < x->nv; i++)
            hole(c, x->v[i]);
        return;
    case I_TEXT:
        if (x->len)
            emit(c, OP_TLIT, 0, 0, 0, const_text(c, x->s, x->len), 0, 0);
        return;
    case I_IF: {
        int t = cexpr(c, x->x);
        int j = emit(c, OP_JF, 0, 0, t, 0, 0, 0);
        content(c, x->y);
        if (x->z) {
            int end = emit(c, OP_JMP, 0, 0, 0, 0, 0, 0);
            patch(c, j);
            content(c, x->z);
            patch(c, end);
        } else {
            patch(c, j);
        }
        return;
    }
    case I_EACH:
        internal(c, x, "'each' inside a piece of evidence");
        return;
    default:
        hole(c, x);
    }
}

static void piece(struct comp *c, const struct ir *x)
{
    if (!x)
        return;
    if (x->op == I_EACH) {
        each(c, x, 0);
        return;
    }
    if (x->op == I_IF) {
        int t = cexpr(c, x->x);
        int j = emit(c, OP_JF, 0, 0, t, 0, 0, 0);
        piece(c, x->y);
        if (x->z) {
            int end = emit(c, OP_JMP, 0, 0, 0, 0, 0, 0);
            patch(c, j);
            piece(c, x->z);
            patch(c, end);
        } else {
            patch(c, j);
        }
        return;
    }
    emit(c, OP_PIECE_BEGIN, 0, 0, 0, 0, 0, 0);
    content(c, x);
    emit(c, OP_PIECE_END, 0, 0, 0, 0, 0, 0);
}

/* ---------- rules ---------- */

struct blockctx {
    const struct crule *r;
    int rule_index;
    int unit_reg;
};

static void block_body(struct comp *c, int elem, const void *ctx)
{
    const struct blockctx *bc = ctx;
    const struct crule *r = bc->r;
    if (r->each)
        c->slot_reg[1] = elem;
    c->line = r->pos.line;
    if (r->nlets)
        emit(c, OP_RESET, 0, 0, c->memo_base, r->nlets, 0, 0);
    int jumps[64], nj = 0;
    const struct ir *conds[66];
    int nc = 0;
    if (r->filter)
        conds[nc++] = r->filter;
    for (int i = 0; i < r->nreq && nc < 65; i++)
        conds[nc++] = r->req[i];
    if (r->when)
        conds[nc++] = r->when;
    for (int i = 0; i < nc && nj < 64; i++) {
        int t = cexpr(c, conds[i]);
        jumps[nj++] = emit(c, OP_JF, 0, 0, t, 0, 0, 0);
    }
    c->line = r->pos.line;
    emit(c, OP_EV_BEGIN, 0, 0, 0, 0, 0, 0);
    for (int i = 0; i < r->nev; i++)
        piece(c, r->ev[i]);
    for (int i = 0; i < r->nkey; i++) {
        const struct ir *k = r->key[i];
        if (k->op == I_EACH)
            each(c, k, 1);
        else
            key_fields(c, k);
    }
    c->line = r->pos.line;
    int unit = r->each ? c->slot_reg[1] : c->slot_reg[0];
    emit(c, OP_EMIT, r->unit, r->each ? r->each_kind : 0, bc->rule_index, unit, r->each, 0);
    for (int i = 0; i < nj; i++)
        patch(c, jumps[i]);
}

static void dummy_unit(struct comp *c, int elem, const void *ctx)
{
    block_body(c, elem, ctx);
}

static void rule_block(struct comp *c, const struct crule *r, int rule_index, int unit_reg)
{
    int mark = c->nreg;
    c->rule = r;
    c->let_reg = calloc((size_t)r->nlets + 1, sizeof *c->let_reg);
    c->slot_reg = calloc((size_t)r->nslots + 2, sizeof *c->slot_reg);
    if (!c->let_reg || !c->slot_reg) {
        c->fail = 1;
        c->L->oom = 1;
        free(c->let_reg);
        free(c->slot_reg);
        return;
    }
    for (int i = 0; i < r->nlets; i++)
        c->let_reg[i] = newreg(c);
    c->memo_base = c->P->nmemo;
    c->P->nmemo += r->nlets;
    c->slot_reg[0] = unit_reg;
    struct blockctx bc = {r, rule_index, unit_reg};
    if (r->each) {
        struct body b = {dummy_unit, &bc};
        iter(c, r->each_set, b);
    } else {
        block_body(c, unit_reg, &bc);
    }
    free(c->let_reg);
    free(c->slot_reg);
    c->let_reg = c->slot_reg = NULL;
    c->nreg = mark;
}

struct membersctx {
    const struct cpolicy *cp;
    const int *index;
};

static void members_body(struct comp *c, int elem, const void *ctx)
{
    const struct membersctx *m = ctx;
    for (int i = 0; i < m->cp->nrules; i++) {
        const struct crule *r = &m->cp->rules[i];
        if (r->unit != U_MEMBER || m->index[i] < 0)
            continue;
        rule_block(c, r, m->index[i], elem);
    }
}

int compile_policy(struct lang *L, const struct cpolicy *cp, int window_first,
                   int window_last, struct prog *P)
{
    memset(P, 0, sizeof *P);
    struct comp c;
    memset(&c, 0, sizeof c);
    c.L = L;
    c.P = P;
    P->window_first = window_first;
    P->window_last = window_last;
    for (int i = 0; i < 32; i++)
        P->severity[i] = SEV_OFF;
    int *index = calloc((size_t)cp->nrules + 1, sizeof *index);
    P->rules = calloc((size_t)cp->nrules + 1, sizeof *P->rules);
    if (!index || !P->rules) {
        free(index);
        L->oom = 1;
        return -1;
    }
    for (int i = 0; i < cp->nrules; i++) {
        const struct crule *r = &cp->rules[i];
        index[i] = -1;
        if (r->severity == SEV_OFF || r->cat < 0)
            continue;
        index[i] = P->nrules;
        P->rules[P->nrules].cat = r->cat;
        P->rules[P->nrules].severity = r->severity;
        P->rules[P->nrules].name = rule_names[r->cat];
        P->nrules++;
        P->severity[r->cat] = r->severity;
    }
    P->reg_unit = newreg(&c);
    for (int e = 0; e < N_ENTRIES; e++) {
        P->entry[e][0] = P->nops;
        if (e == ENTRY_ROLLS) {
            int any_member = 0;
            for (int i = 0; i < cp->nrules; i++)
                any_member |= cp->rules[i].unit == U_MEMBER && index[i] >= 0;
            if (any_member) {
                struct membersctx m = {cp, index};
                struct body b = {members_body, &m};
                for_loop(&c, SRC_MEMBERS, 0, RK_HOUSEHOLD, P->reg_unit, b);
            }
        }
        int want = e == ENTRY_ROLLS ? U_HOUSEHOLD : e == ENTRY_CANCELLED ? U_CANCELLED
                                                                         : U_CANDIDATE;
        for (int i = 0; i < cp->nrules; i++) {
            const struct crule *r = &cp->rules[i];
            if (r->unit != want || index[i] < 0)
                continue;
            rule_block(&c, r, index[i], P->reg_unit);
        }
        P->entry[e][1] = P->nops;
    }
    free(index);
    return c.fail ? -1 : 0;
}

void prog_free(struct prog *P)
{
    free(P->ops);
    free(P->consts);
    free(P->rules);
    memset(P, 0, sizeof *P);
}
