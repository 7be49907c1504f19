/* uses.c - which parameters a rule reads, for `hedui explain`.
 *
 * Owns: the list of parameters a rule depends on, found in its syntax tree
 * (the effective one: a pack's overrides applied): every bare name that is
 * a parameter and not hidden by a name the rule binds (its unit, its each
 * element, its lets, an aggregate's `p in`, a define's arguments), followed
 * into the defines it calls and the rules it asks with `fires` (their
 * where, requires, lets and when: what `fires` applies).  Set parameters
 * (`vehicle_class in vehicle_classes`) are folded into bit sets by the
 * checker and parameter values are shared constants, so the typed tree
 * cannot say which parameter a value came from; the names can.
 * Never: reports errors (check.c has), evaluates.
 */
#include <string.h>

#include "policy/check_int.h"

#define MAX_BOUND 64
#define MAX_DEPTH 16

struct uses {
    struct chk *k;
    struct crule *cr;
    const char *bound[MAX_BOUND];   /* names in scope that hide a parameter */
    uint32_t blen[MAX_BOUND];
    int nb;
    const void *stack[MAX_DEPTH];   /* defines and rules being followed */
    int depth;
};

static int is_bound(const struct uses *u, const char *s, uint32_t len)
{
    for (int i = u->nb - 1; i >= 0; i--)
        if (same(u->bound[i], u->blen[i], s, len))
            return 1;
    return 0;
}

static void bind(struct uses *u, const char *s, uint32_t len)
{
    if (s && u->nb < MAX_BOUND) {
        u->bound[u->nb] = s;
        u->blen[u->nb++] = len;
    }
}

static void add_param(struct uses *u, int pi)
{
    struct crule *cr = u->cr;
    for (int i = 0; i < cr->nparams; i++)
        if (cr->params[i] == pi)
            return;
    int *np = lang_grow(u->k->L, cr->params, cr->nparams, sizeof *np);
    if (!np)
        return;
    cr->params = np;
    cr->params[cr->nparams++] = pi;
}

static int on_stack(const struct uses *u, const void *p)
{
    for (int i = 0; i < u->depth; i++)
        if (u->stack[i] == p)
            return 1;
    return 0;
}

static void rule_clauses(struct uses *u, const struct rule_ast *r, int with_text);

static void walk(struct uses *u, const struct node *n)
{
    if (!n)
        return;
    int nb = u->nb;
    switch (n->kind) {
    case N_NAME:
        if (!is_bound(u, n->s, n->slen))
            for (int i = 0; i < u->k->nparams; i++)
                if (same(u->k->params[i].ast->name, u->k->params[i].ast->nlen, n->s, n->slen))
                    add_param(u, i);
        return;
    case N_FIELD:   /* a.s: s is a field, not a name */
        walk(u, n->a);
        return;
    case N_CALL:
        for (int i = 0; i < u->k->ndefines; i++) {
            const struct define_ast *d = u->k->defines[i];
            if (!same(d->name, d->nlen, n->s, n->slen) || on_stack(u, d) ||
                u->depth >= MAX_DEPTH)
                continue;
            u->stack[u->depth++] = d;
            int save = u->nb;
            u->nb = 0;   /* a define sees nothing of its caller but its arguments */
            for (int j = 0; j < d->nargs; j++)
                bind(u, d->args[j], d->arglen[j]);
            walk(u, d->body);
            u->nb = save;
            u->depth--;
        }
        break;
    case N_FIRES: {
        const struct rule_ast *r = chk_find_rule(u->k, n->s, n->slen);
        if (r && !on_stack(u, r) && u->depth < MAX_DEPTH) {
            u->stack[u->depth++] = r;
            int save = u->nb;
            u->nb = 0;
            rule_clauses(u, r, 0);
            u->nb = save;
            u->depth--;
        }
        break;
    }
    case N_AGG:
    case N_EACH:
        walk(u, n->a);   /* the set is outside the binding */
        bind(u, n->bind, n->blen);
        walk(u, n->b);
        walk(u, n->c);
        for (int i = 0; i < n->nv; i++)
            walk(u, n->v[i]);
        u->nb = nb;
        return;
    case N_PAIR:
        walk(u, n->a);
        return;
    default:
        break;
    }
    walk(u, n->a);
    walk(u, n->b);
    walk(u, n->c);
    for (int i = 0; i < n->nv; i++)
        walk(u, n->v[i]);
}

/* What a rule reads: with_text adds its evidence and key (its own use;
 * `fires` applies only where, requires, lets and when). */
static void rule_clauses(struct uses *u, const struct rule_ast *r, int with_text)
{
    bind(u, r->var, r->varlen);
    if (r->unit == U_MEMBER)
        bind(u, "h", 1);
    bind(u, r->each_var, r->each_len);
    for (int i = 0; i < r->nlets; i++)
        bind(u, r->lets[i].name, r->lets[i].nlen);
    walk(u, r->where);
    walk(u, r->each_set);
    for (int i = 0; i < r->nreq; i++)
        if (r->requires[i] && r->requires[i]->kind != N_FEED)
            walk(u, r->requires[i]);
    for (int i = 0; i < r->nlets; i++)
        walk(u, r->lets[i].value);
    walk(u, r->when);
    if (!with_text)
        return;
    for (int i = 0; i < r->nev; i++)
        walk(u, r->evidence[i]);
    for (int i = 0; i < r->nkey; i++)
        walk(u, r->key[i]);
}

void chk_rule_params(struct chk *k, const struct rule_ast *r, struct crule *cr)
{
    struct uses u;
    memset(&u, 0, sizeof u);
    u.k = k;
    u.cr = cr;
    u.stack[u.depth++] = r;
    rule_clauses(&u, r, 1);
}
