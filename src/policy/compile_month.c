/* compile_month.c - the income window's per-month sums in one pass.
 *
 * Owns: the one optimisation the compiler makes of a pattern.  The
 * contract's evidenced income is `sum(mo in window: ... sum(p.social_insurance
 * where period = mo and C: amount) ...)`, read for every counted member.
 * Each inner sum whose only tie to `mo` is `period = mo` is filled in one
 * pass over the person's rows into one register per month (BUCKET, ADD_AT);
 * the window loop is then unrolled, month m reading those registers
 * directly.  The sums are the same (exact fractions); the rows are read once
 * instead of once per month and inner sum.  Anything else is compiled as
 * written.  Never: evaluates.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/compile.h"
#include "policy/compile_int.h"

/* ---------- per-month sums ---------- */


static int refs_slot(const struct ir *x, int slot)
{
    if (!x)
        return 0;
    if (x->op == I_VAR)
        return x->a == slot;
    if (x->op == I_LET || x->op == I_CONST)
        return 0;
    if (refs_slot(x->x, slot) || refs_slot(x->y, slot) || refs_slot(x->z, slot))
        return 1;
    for (int i = 0; i < x->nv; i++)
        if (refs_slot(x->v[i], slot))
            return 1;
    return 0;
}

/* period = mo (either side) where period is the where-element's column */
static int is_period_eq(const struct ir *x, int elem_slot, int mo_slot)
{
    if (x->op != I_CMP || x->sub != T_EQ)
        return 0;
    for (int k = 0; k < 2; k++) {
        const struct ir *p = k ? x->y : x->x, *m = k ? x->x : x->y;
        if (p->op == I_COL && p->col && strcmp(p->col->name, "period") == 0 &&
            p->x->op == I_VAR && p->x->a == elem_slot && m->op == I_VAR && m->a == mo_slot)
            return 1;
    }
    return 0;
}

static int conjuncts(const struct ir *x, const struct ir **out, int n, int max)
{
    if (x->op == I_AND) {
        n = conjuncts(x->x, out, n, max);
        return n < 0 ? n : conjuncts(x->y, out, n, max);
    }
    if (n >= max)
        return -1;
    out[n] = x;
    return n + 1;
}

/* Record x if it is sum(P.social_insurance where period = mo and ...: v). */
static void find_sums(const struct ir *x, int mo, struct bucket *bk)
{
    if (!x || bk->n >= MAX_BUCKETS)
        return;
    if (x->op == I_AGG && x->sub == K_SUM && x->x->op == I_WHERE) {
        const struct ir *w = x->x, *src = w->x;
        const struct ir *cj[10];
        int n = conjuncts(w->y, cj, 0, 9);
        if (src->op == I_COL && src->col->how == CK_FEED && src->col->which == F_SI &&
            !refs_slot(src->x, mo) && (!bk->person || bk->person == src->x) && n > 0 &&
            !refs_slot(x->y, mo)) {
            int at = -1, ok = 1;
            for (int i = 0; i < n; i++) {
                if (at < 0 && is_period_eq(cj[i], w->a, mo))
                    at = i;
                else if (refs_slot(cj[i], mo))
                    ok = 0;
            }
            if (at >= 0 && ok) {
                int k = bk->n++;
                bk->person = src->x;
                bk->agg[k] = x;
                bk->nrest[k] = 0;
                for (int i = 0; i < n; i++)
                    if (i != at)
                        bk->rest[k][bk->nrest[k]++] = cj[i];
                return;
            }
        }
    }
    if (x->op == I_LET || x->op == I_CONST)
        return;
    find_sums(x->x, mo, bk);
    find_sums(x->y, mo, bk);
    find_sums(x->z, mo, bk);
    for (int i = 0; i < x->nv; i++)
        find_sums(x->v[i], mo, bk);
}

struct fillctx {
    struct bucket *bk;
    int W;
};

static void fill_body(struct comp *c, int elem, const void *ctx)
{
    const struct fillctx *fc = ctx;
    struct bucket *bk = fc->bk;
    const struct col *period = schema_col(RK_SI, "period", 6);
    int pr = cc_newreg(c), idx = cc_newreg(c);
    cc_emit(c, OP_COL, period->how, 0, pr, elem, period->off, (int)period->den);
    int out = cc_emit(c, OP_BUCKET, 0, fc->W, idx, pr, c->P->window_first, 0);
    for (int k = 0; k < bk->n; k++) {
        const struct ir *x = bk->agg[k];
        int s1 = c->slot_reg[x->x->a], s2 = c->slot_reg[x->a];
        c->slot_reg[x->x->a] = c->slot_reg[x->a] = elem;
        struct jlist jl = {0};
        for (int i = 0; i < bk->nrest[k]; i++)
            cc_false(c, bk->rest[k][i], &jl);
        int v = cc_expr(c, x->y);
        cc_emit(c, OP_ADD_AT, 0, fc->W, bk->base[k], idx, v, 0);
        cc_patch_all(c, &jl);
        c->slot_reg[x->x->a] = s1;
        c->slot_reg[x->a] = s2;
    }
    cc_patch(c, out);
}


/* sum over the window with per-month inner sums; -1 if x is not one */
int cc_window_sum(struct comp *c, const struct ir *x)
{
    struct bucket *bk = calloc(1, sizeof *bk);
    if (!bk)
        return cc_internal_oom(c);
    find_sums(x->y, x->a, bk);
    if (bk->n == 0 || !bk->person) {
        free(bk);
        return -1;
    }
    int W = c->P->window_last - c->P->window_first + 1;
    int person = cc_expr(c, bk->person);
    for (int k = 0; k < bk->n; k++) {
        bk->base[k] = c->nreg;
        for (int m = 0; m < W; m++)
            cc_newreg(c);
    }
    cc_emit(c, OP_ZERO, 0, 0, bk->base[0], bk->n * W, 0, 0);
    struct fillctx fc = {bk, W};
    struct body fb = {fill_body, &fc};
    cc_for(c, SRC_FEED, F_SI, bk->person->t.e, person, fb);
    /* the window loop unrolled: month m's sums are registers base + m */
    int r = cc_newreg(c);
    cc_emit(c, OP_CONST, 0, 0, r, cc_const_num(c, 0, 1), 0, 0);
    const struct bucket *prev = c->buckets;
    int save = c->slot_reg[x->a];
    for (int m = 0; m < W && !c->fail; m++) {
        struct vval mv;
        memset(&mv, 0, sizeof mv);
        mv.n = c->P->window_first + m;
        mv.d = 1;
        c->slot_reg[x->a] = cc_creg(c, mv);
        bk->month = m;
        c->buckets = bk;
        int t = cc_expr(c, x->y);
        cc_emit(c, OP_ARITH, '+', 0, r, r, t, 0);
        c->buckets = prev;
    }
    c->slot_reg[x->a] = save;
    free(bk);
    return r;
}

