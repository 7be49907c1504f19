/* compile_rules.c - the layout of a compiled policy (prog.h).
 *
 * Owns: the three entries (households on the rolls, cancelled households,
 * candidates) and the rule block.  On the rolls one loop over the members
 * runs every member rule of a member while its rows are in cache (its
 * `valid`, `hukou` and household computed once at the top of the loop), then
 * the household rules run.  A rule is a block:
 *
 *     RESET its lets;  [FOR each element:]  where, requires, when: jump to
 *     end when false;  EV_BEGIN; evidence pieces; key items; EMIT;  end:
 *
 * Registers of a block are reused by the next block; lets keep theirs for
 * the block.  Never: evaluates, reads data.
 */
#include <stdlib.h>
#include <string.h>

#include "contract/policy.h"
#include "policy/compile.h"
#include "policy/compile_int.h"

struct blockctx {
    const struct crule *r;
    int rule_index;
};

static void block_body(struct comp *c, int elem, const void *ctx)
{
    const struct blockctx *bc = ctx;
    const struct crule *r = bc->r;
    if (r->each)
        c->slot_reg[1] = elem;
    c->line = r->pos.line;
    if (r->nlets)
        cc_emit(c, OP_RESET, 0, 0, c->memo_base, r->nlets, 0, 0);
    int unit = r->each ? c->slot_reg[1] : c->slot_reg[0];
    struct jlist end = {0};
    if (c->trace) {   /* explain (trace.c): the same tests, each one recorded */
        tc_unit(c, r, unit);
        tc_cond(c, r->filter, TP_FILTER, &end);
        for (int i = 0; i < r->nreq; i++)
            tc_cond(c, r->req[i], TP_REQUIRE, &end);
        tc_sets(c, r);
        tc_cond(c, r->when, TP_WHEN, &end);
    } else {
        if (r->filter)
            cc_false(c, r->filter, &end);
        for (int i = 0; i < r->nreq; i++)
            cc_false(c, r->req[i], &end);
        if (r->when)
            cc_false(c, r->when, &end);
    }
    c->line = r->pos.line;
    cc_emit(c, OP_EV_BEGIN, 0, 0, 0, 0, 0, 0);
    for (int i = 0; i < r->nev; i++)
        cc_piece(c, r->ev[i]);
    for (int i = 0; i < r->nkey; i++)
        cc_key_item(c, r->key[i]);
    c->line = r->pos.line;
    if (c->trace)
        tc_fired(c);
    cc_emit(c, OP_EMIT, r->unit, r->each ? r->each_kind : 0, bc->rule_index, unit, r->each, 0);
    cc_patch_all(c, &end);
}

static void rule_block(struct comp *c, const struct crule *r, int rule_index, int unit_reg)
{
    int mark = c->nreg;
    c->rule = r;
    c->rule_index = rule_index;
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
        c->let_reg[i] = cc_newreg(c);
    c->memo_base = c->P->nmemo;
    c->P->nmemo += r->nlets;
    c->slot_reg[0] = unit_reg;
    struct blockctx bc = {r, rule_index};
    if (r->each) {
        struct body b = {block_body, &bc};
        cc_iter(c, r->each_set, b);
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
    /* what every member rule asks of the member, once */
    static const int once[] = {B_VALID, B_HUKOU};
    c->nbcache = 0;
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++) {
        int r = cc_newreg(c);
        cc_emit(c, OP_BUILTIN, once[i], RK_MEMBER, r, elem, 0, 0);
        c->bcache[c->nbcache].src = elem;
        c->bcache[c->nbcache].which = once[i];
        c->bcache[c->nbcache++].reg = r;
    }
    /* a member's household is the household judged */
    c->bcache[c->nbcache].src = elem;
    c->bcache[c->nbcache].which = B_HOUSEHOLD;
    c->bcache[c->nbcache++].reg = c->P->reg_unit;
    for (int i = 0; i < m->cp->nrules; i++) {
        const struct crule *r = &m->cp->rules[i];
        if (r->unit != U_MEMBER || m->index[i] < 0)
            continue;
        rule_block(c, r, m->index[i], elem);
    }
    c->nbcache = 0;
}

int compile_policy(struct lang *L, const struct cpolicy *cp, int window_first,
                   int window_last, const int *have, int trace, struct prog *P)
{
    memset(P, 0, sizeof *P);
    struct comp c;
    memset(&c, 0, sizeof c);
    c.L = L;
    c.P = P;
    c.have = have;
    c.trace = trace;
    c.cp = cp;
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
    P->reg_unit = cc_newreg(&c);
    for (int e = 0; e < N_ENTRIES; e++) {
        P->entry[e][0] = P->nops;
        if (e == ENTRY_ROLLS) {
            int any_member = 0;
            for (int i = 0; i < cp->nrules; i++)
                any_member |= cp->rules[i].unit == U_MEMBER && index[i] >= 0;
            if (any_member) {
                struct membersctx m = {cp, index};
                struct body b = {members_body, &m};
                cc_for(&c, SRC_MEMBERS, 0, RK_HOUSEHOLD, P->reg_unit, b);
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
    free(P->cregs);
    free(P->rules);
    free(P->tp);
    memset(P, 0, sizeof *P);
}
