/* compile_text.c - evidence and key items into ops (see prog.h).
 *
 * Owns: how evidence is assembled.  A piece (a string, or each element's
 * text with its separator) opens with PIECE_BEGIN and closes with PIECE_END,
 * where the VM keeps it whole or ends the text with "; ..." (the evidence's
 * 2 KiB rule).  `if` chooses between pieces or texts with jumps; a value prints
 * with the format of its type (TVAL); `X ?? 'text'` prints the text when X
 * is missing (JM).  A key item is KEY_BEGIN, its fields split by 0x1f,
 * KEY_END.  Never: evaluates.
 */
#include <string.h>

#include "policy/compile.h"
#include "policy/compile_int.h"

static void content(struct comp *c, const struct ir *x);

static void hole(struct comp *c, const struct ir *x)
{
    if (x->op == I_IF || x->op == I_TEMPLATE || x->op == I_TEXT) {
        content(c, x);
        return;
    }
    if (x->op == I_FN && (x->sub == FN_YUAN || x->sub == FN_MASKED)) {
        /* print formats (check_text.c): the argument printed another way */
        int r = cc_expr(c, x->x);
        cc_emit(c, OP_TVAL, x->sub == FN_YUAN ? FMT_YUAN : FMT_MASKED, 0, 0, r, 0, 0);
        return;
    }
    if (x->op == I_COALESCE) {
        int r = cc_expr(c, x->x);
        int j = cc_emit(c, OP_JM, 0, 0, r, 0, 0, 0);
        cc_emit(c, OP_TVAL, cc_fmt(x->x->t), x->x->t.e, 0, r, 0, 0);
        int end = cc_emit(c, OP_JMP, 0, 0, 0, 0, 0, 0);
        cc_patch(c, j);
        content(c, x->y);
        cc_patch(c, end);
        return;
    }
    int r = cc_expr(c, x);
    cc_emit(c, OP_TVAL, cc_fmt(x->t), x->t.e, 0, r, 0, 0);
}

struct eachctx {
    const struct ir *x;
    int counter;
    int key;
};

static void key_fields(struct comp *c, const struct ir *x)
{
    cc_emit(c, OP_KEY_BEGIN, 0, 0, 0, 0, 0, 0);
    for (int i = 0; i < x->nv; i++) {
        if (i)
            cc_emit(c, OP_TLIT, 0, 0, 0, cc_const_text(c, "\x1f", 1), 0, 0);
        hole(c, x->v[i]);
    }
    cc_emit(c, OP_KEY_END, 0, 0, 0, 0, 0, 0);
}

static void each_body(struct comp *c, int elem, const void *ctx)
{
    const struct eachctx *e = ctx;
    int save = c->slot_reg[e->x->a];
    c->slot_reg[e->x->a] = elem;
    if (e->x->y && e->x->y->op == I_EACH) {
        /* each a in A: each b in B(a): one piece (key item) per pair, in
         * turn, joined as one list (the inner each's separator) */
        struct eachctx in = {e->x->y, e->counter, e->key};
        struct body b = {each_body, &in};
        cc_iter(c, e->x->y->x, b);
    } else if (e->key) {
        key_fields(c, e->x);
    } else {
        cc_emit(c, OP_PIECE_BEGIN, 0, 0, 0, 0, 0, 0);
        int j = cc_emit(c, OP_JF, 0, 0, e->counter, 0, 0, 0);
        if (e->x->z)
            content(c, e->x->z);
        else
            cc_emit(c, OP_TLIT, 0, 0, 0, cc_const_text(c, "; ", 2), 0, 0);
        cc_patch(c, j);
        content(c, e->x->y);
        cc_emit(c, OP_PIECE_END, 0, 0, 0, 0, 0, 0);
        cc_emit(c, OP_INC, 0, 0, e->counter, 0, 0, 0);
    }
    c->slot_reg[e->x->a] = save;
}

static void each(struct comp *c, const struct ir *x, int key)
{
    struct eachctx e = {x, 0, key};
    if (!key) {
        e.counter = cc_newreg(c);
        cc_emit(c, OP_CONST, 0, 0, e.counter, cc_const_num(c, 0, 1), 0, 0);
    }
    struct body b = {each_body, &e};
    cc_iter(c, x->x, b);
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
            cc_emit(c, OP_TLIT, 0, 0, 0, cc_const_text(c, x->s, x->len), 0, 0);
        return;
    case I_IF: {
        struct jlist f = {0};
        cc_false(c, x->x, &f);
        content(c, x->y);
        if (x->z) {
            int end = cc_emit(c, OP_JMP, 0, 0, 0, 0, 0, 0);
            cc_patch_all(c, &f);
            content(c, x->z);
            cc_patch(c, end);
        } else {
            cc_patch_all(c, &f);
        }
        return;
    }
    case I_EACH:
        cc_internal(c, x, "'each' inside a piece of evidence");
        return;
    default:
        hole(c, x);
    }
}

void cc_piece(struct comp *c, const struct ir *x)
{
    if (!x)
        return;
    if (x->op == I_EACH) {
        each(c, x, 0);
        return;
    }
    if (x->op == I_IF) {
        struct jlist f = {0};
        cc_false(c, x->x, &f);
        cc_piece(c, x->y);
        if (x->z) {
            int end = cc_emit(c, OP_JMP, 0, 0, 0, 0, 0, 0);
            cc_patch_all(c, &f);
            cc_piece(c, x->z);
            cc_patch(c, end);
        } else {
            cc_patch_all(c, &f);
        }
        return;
    }
    cc_emit(c, OP_PIECE_BEGIN, 0, 0, 0, 0, 0, 0);
    content(c, x);
    cc_emit(c, OP_PIECE_END, 0, 0, 0, 0, 0, 0);
}

void cc_key_item(struct comp *c, const struct ir *x)
{
    if (x->op == I_EACH)
        each(c, x, 1);
    else
        key_fields(c, x);
}
