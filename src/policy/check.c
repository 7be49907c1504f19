/* check.c - a policy and its packs into the effective, checked rules.
 *
 * Owns: the merge of a pack with what it extends (rules/README.md
 * "Packs"): a parameter or rule that exists is changed only by `override`,
 * an override must replace something, `off` turns a rule off; the
 * parameters' types, values and dates (the value in force on the as-of date
 * becomes a constant); the rule catalogue (every id known to
 * contract/policy.h, its kind the catalogue's, written once); each rule's
 * clauses; `fires` (another rule's where, requires, lets and when applied to
 * a unit given here, without emitting; an off rule is false; no cycles);
 * unused parameters and definitions.  Expressions are check_expr.c's.
 */
#include <stdio.h>
#include <string.h>

#include "contract/model.h"
#include "contract/policy.h"
#include "policy/check_int.h"

const struct rule_ast *chk_find_rule(struct chk *k, const char *s, size_t len)
{
    for (int i = 0; i < k->nrules; i++)
        if (same(k->rules[i]->id, k->rules[i]->idlen, s, len))
            return k->rules[i];
    return NULL;
}

struct eparam *chk_find_param(struct chk *k, const char *s, size_t len)
{
    for (int i = 0; i < k->nparams; i++)
        if (same(k->params[i].ast->name, k->params[i].ast->nlen, s, len))
            return &k->params[i];
    return NULL;
}

static const char *where_txt(struct chk *k, struct pos p, char *buf, size_t n)
{
    const char *path = k->L->files[p.file].path;
    const char *slash = strrchr(path, '/');
    snprintf(buf, n, "%s:%u", slash ? slash + 1 : path, p.line);
    return buf;
}

/* ---------- lets and fires ---------- */

struct ir *chk_let(struct chk *k, struct rctx *rc, int i)
{
    const struct let_ast *l = &rc->r->lets[i];
    if (rc->let_state[i] == 2)
        return rc->let_ref[i];
    if (rc->let_state[i] == 1) {
        chk_error(k, l->pos, l->nlen, "let %.*s refers to itself", (int)l->nlen, l->name);
        struct ir *x = ir_new(k, I_CONST, l->pos);
        if (x)
            x->t.b = TY_ERR;
        return x;
    }
    rc->let_state[i] = 1;
    struct env env = {NULL, ENV_RULE, NULL, 0, 0, T(0, 0, 0), NULL, NULL, NULL, 0, rc};
    struct ir *v = cx(k, &env, l->value);
    if (!v) {
        rc->let_state[i] = 0;
        return NULL;
    }
    if (v->t.b == TY_SET || v->t.b == TY_ERR || v->op == I_WHERE) {
        rc->let_ref[i] = v;   /* a set (or a filtered list) is re-read where it is used */
        struct crule *cr = k->cur;
        if (v->t.b != TY_ERR && !k->expanding && cr) {   /* explain lists its rows */
            struct cset *ns = lang_grow(k->L, cr->sets, cr->nsets, sizeof *ns);
            if (!ns)
                return NULL;
            cr->sets = ns;
            cr->sets[cr->nsets++] = (struct cset){v, l->name, l->nlen};
        }
    } else {
        struct crule *cr = k->cur;
        struct clet *nl = lang_grow(k->L, cr->lets, cr->nlets, sizeof *nl);
        struct ir *x = ir_new(k, I_LET, l->pos);
        if (!nl || !x)
            return NULL;
        cr->lets = nl;
        cr->lets[cr->nlets].value = v;
        cr->lets[cr->nlets].t = v->t;
        cr->lets[cr->nlets].name = l->name;
        cr->lets[cr->nlets].nlen = l->nlen;
        cr->lets[cr->nlets].nested = k->expanding > 0;
        x->a = cr->nlets++;
        x->t = v->t;
        rc->let_ref[i] = x;
    }
    rc->let_state[i] = 2;
    return rc->let_ref[i];
}

static int init_rctx(struct chk *k, struct rctx *rc, const struct rule_ast *r, struct ir *unit)
{
    memset(rc, 0, sizeof *rc);
    rc->r = r;
    rc->unit = unit;
    rc->let_ref = lang_alloc(k->L, (size_t)(r->nlets + 1) * sizeof *rc->let_ref);
    rc->let_state = lang_alloc(k->L, (size_t)(r->nlets + 1));
    return rc->let_ref && rc->let_state ? 0 : -1;
}

static struct ir *and_ir(struct chk *k, struct ir *a, struct ir *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    struct ir *x = ir_new(k, I_AND, b->pos);
    if (x) {
        x->x = a;
        x->y = b;
        x->t = T(a->t.b == TY_ERR || b->t.b == TY_ERR ? TY_ERR : TY_BOOL, 0, 0);
    }
    return x;
}

/* `feed NAME`: whether an optional feed is present (I_HAVE). */
struct ir *chk_feed(struct chk *k, const struct node *q)
{
    {
        static const char *const feeds[] = {"business", "public_servants", "staff_relatives",
                                            "candidates", "financial_assets", "funeral"};
        static const int files[] = {IN_BUSINESS, IN_PUBSERV, IN_STAFFREL, IN_CANDIDATES,
                                    IN_FINASSETS, IN_FUNERAL};
        for (int i = 0; i < 6; i++)
            if (same(feeds[i], strlen(feeds[i]), q->s, q->slen)) {
                struct ir *x = ir_new(k, I_HAVE, q->pos);
                if (x) {
                    x->a = files[i];
                    x->t = T(TY_BOOL, 0, 0);
                }
                return x;
            }
        chk_error(k, q->bpos, q->slen, "'%.*s' is not an optional feed (business, "
                  "public_servants, staff_relatives, candidates, financial_assets, funeral)",
                  (int)q->slen, q->s);
        lang_suggest(k->L, q->s, q->slen, feeds, 6);
        return NULL;
    }
}

static struct ir *requirement(struct chk *k, struct env *env, const struct node *q)
{
    if (q->kind == N_FEED)
        return chk_feed(k, q);
    struct ir *v = cx(k, env, q);
    if (!v || v->t.b == TY_BOOL || v->t.b == TY_ERR)
        return v;
    if (v->t.b == TY_ROW || v->t.b == TY_DATE) {
        struct ir *x = ir_new(k, I_EXISTS, q->pos);
        if (x) {
            x->x = v;
            x->t = T(TY_BOOL, 0, 0);
        }
        return x;
    }
    char b[48];
    chk_error(k, q->pos, 1, "requires takes 'feed NAME', a value that must exist, or a "
              "condition; not %s", ty_name(v->t, b, sizeof b));
    return NULL;
}

/* The rule's where, requires and when, in env. */
static struct ir *condition(struct chk *k, struct env *env, const struct rule_ast *r)
{
    struct ir *c = NULL;
    if (r->where)
        c = cx_bool(k, env, r->where, "the unit's 'where'");
    for (int i = 0; i < r->nreq; i++)
        c = and_ir(k, c, requirement(k, env, r->requires[i]));
    if (r->when)
        c = and_ir(k, c, cx_bool(k, env, r->when, "'when'"));
    return c;
}

struct ir *chk_fires(struct chk *k, struct env *env, const struct node *n)
{
    struct ir *bad = ir_new(k, I_CONST, n->pos);
    if (!bad)
        return NULL;
    bad->t.b = TY_ERR;
    const struct rule_ast *r = chk_find_rule(k, n->s, n->slen);
    if (!r) {
        for (int i = 0; i < n_rules && k->unknown_ids; i++)
            if (same(rule_names[i], strlen(rule_names[i]), n->s, n->slen))
                return bad;   /* its rule's id is misspelt: reported there */
        chk_error(k, n->pos, n->slen, "fires: no rule '%.*s' in this policy", (int)n->slen,
                  n->s);
        const char *names[64];
        int m = 0;
        for (int i = 0; i < k->nrules && m < 64; i++)
            names[m++] = chk_cstr(k, k->rules[i]->id, k->rules[i]->idlen);
        lang_suggest(k->L, n->s, n->slen, names, m);
        return bad;
    }
    if (n->nv != 1) {
        chk_error(k, n->pos, n->slen, "fires %.*s(X) takes the unit to judge, one value",
                  (int)n->slen, n->s);
        return bad;
    }
    struct ir *arg = cx(k, env, n->v[0]);
    if (!arg || arg->t.b == TY_ERR)
        return arg ? bad : NULL;
    char b[48];
    if (arg->t.b != TY_ROW) {
        chk_error(k, n->v[0]->pos, 1, "fires %.*s(X): X is a unit (a member, a person, a "
                  "household), not %s", (int)n->slen, n->s, ty_name(arg->t, b, sizeof b));
        return bad;
    }
    if (r->each_var) {
        chk_error(k, n->pos, n->slen, "%.*s flags each element of a set; fires cannot ask it",
                  (int)n->slen, n->s);
        return bad;
    }
    for (int i = 0; i < k->depth; i++)
        if (k->stack[i] == r) {
            chk_error(k, n->pos, n->slen, "fires %.*s leads back to itself (rules cannot "
                      "depend on each other in a circle)", (int)n->slen, n->s);
            return bad;
        }
    if (k->depth >= 32) {
        chk_error(k, n->pos, n->slen, "fires nested too deep");
        return bad;
    }
    if (r->severity == SEV_OFF)
        return ir_const_bool(k, 0, n->pos);   /* a rule that is off never fires */
    struct rctx rc;
    if (init_rctx(k, &rc, r, arg) != 0)
        return NULL;
    rc.via = n->pos;
    struct env e2 = {NULL, ENV_RULE, NULL, 0, 0, T(0, 0, 0), NULL, NULL, NULL, 0, &rc};
    int first = k->cur->nlets;
    struct pos save = k->via;
    int budget = k->budget;
    if (!k->expanding)
        k->budget = 1;
    k->stack[k->depth++] = r;
    k->expanding++;
    k->via = n->pos;
    struct ir *c = condition(k, &e2, r);
    k->expanding--;
    k->depth--;
    k->via = save;
    k->budget = budget;
    struct ir *x = ir_new(k, I_FIRES, n->pos);
    if (!x)
        return NULL;
    x->x = c ? c : ir_const_bool(k, 1, n->pos);
    x->a = first;
    x->b = k->cur->nlets - first;
    x->t = T(c && c->t.b == TY_ERR ? TY_ERR : TY_BOOL, 0, 0);
    return x;
}

/* on(RULE): RULE is written in the effective policy, is not off, and
 * every optional feed it requires is present: whether it is judged at all
 * (the candidates' rule may share the limit of the assets rule: a pack that
 * turns that rule off lifts it too). */
struct ir *chk_rule_on(struct chk *k, const struct node *n)
{
    if (n->nv != 1 || n->v[0]->kind != N_NAME) {
        chk_error(k, n->pos, n->slen, "on(RULE) takes one rule id");
        return chk_bad(k, n->pos);
    }
    const struct node *a = n->v[0];
    const struct rule_ast *r = chk_find_rule(k, a->s, a->slen);
    if (!r) {
        chk_error(k, a->pos, a->slen, "on: no rule '%.*s' in this policy", (int)a->slen, a->s);
        const char *names[64];
        int m = 0;
        for (int i = 0; i < k->nrules && m < 64; i++)
            names[m++] = chk_cstr(k, k->rules[i]->id, k->rules[i]->idlen);
        lang_suggest(k->L, a->s, a->slen, names, m);
        return chk_bad(k, n->pos);
    }
    struct ir *c = ir_const_bool(k, r->severity != SEV_OFF, n->pos);
    for (int i = 0; i < r->nreq && r->severity != SEV_OFF && c; i++)
        if (r->requires[i]->kind == N_FEED)
            c = and_ir(k, c, chk_feed(k, r->requires[i]));
    return c;
}

/* ---------- rules ---------- */

static const int unit_rows[N_UNIT] = {RK_HOUSEHOLD, RK_MEMBER, RK_HOUSEHOLD, RK_CANDIDATE};

/* A key names no line number, parameter or as-of date directly (it would
 * change the fingerprint when only the policy or the file order changes). */
static void key_plain(struct chk *k, const struct ir *x)
{
    if (!x)
        return;
    if ((x->op == I_CONST && x->sub == 1) || x->op == I_PICK ||
        (x->op == I_COL && x->col && x->col->how == CK_LINE)) {
        chk_error(k, x->pos, 1, "a key holds the finding's own values, never a line number, "
                  "a parameter or the as-of date (the fingerprint must not change with them)");
        return;
    }
    if (x->op == I_LET || x->op == I_AGG || x->op == I_FIRES)
        return;
    key_plain(k, x->x);
    key_plain(k, x->y);
    key_plain(k, x->z);
    for (int i = 0; i < x->nv; i++)
        key_plain(k, x->v[i]);
}

static void check_rule(struct chk *k, const struct rule_ast *r, struct crule *cr)
{
    memset(cr, 0, sizeof *cr);
    cr->cat = -1;
    for (int i = 0; i < n_rules; i++)
        if (same(rule_names[i], strlen(rule_names[i]), r->id, r->idlen))
            cr->cat = i;
    cr->kind = r->kind;
    cr->severity = r->severity;
    cr->unit = r->unit;
    cr->pos = r->pos;
    cr->nslots = 2;
    k->cur = cr;
    if (r->unit < 0) {
        lang_error(k->L, r->pos, r->idlen, "rule %.*s says nothing of what it judges: add 'for "
                   "household h', 'for member m', 'for cancelled household h' or 'for "
                   "candidate c'", (int)r->idlen, r->id);
        return;
    }
    struct ir *unit = ir_new(k, I_VAR, r->pos);
    if (!unit)
        return;
    unit->a = 0;
    unit->t = T(TY_ROW, unit_rows[r->unit], 0);
    struct rctx rc;
    if (init_rctx(k, &rc, r, unit) != 0)
        return;
    struct env env = {NULL, ENV_RULE, NULL, 0, 0, T(0, 0, 0), NULL, NULL, NULL, 0, &rc};
    for (int i = 0; i < r->nlets; i++)
        for (int j = 0; j < i; j++)
            if (same(r->lets[i].name, r->lets[i].nlen, r->lets[j].name, r->lets[j].nlen))
                lang_error(k->L, r->lets[i].pos, r->lets[i].nlen, "let %.*s is written twice "
                           "in this rule (first on line %u)", (int)r->lets[i].nlen,
                           r->lets[i].name, r->lets[j].pos.line);
    if (r->each_var) {
        if (r->unit != U_HOUSEHOLD && r->unit != U_CANCELLED)
            lang_error(k->L, r->each_pos, r->each_len, "'each' goes with 'for household h'");
        struct ir *s = r->each_set ? cx(k, &env, r->each_set) : NULL;
        if (s && s->t.b != TY_ERR) {
            int rk = s->t.b == TY_SET && s->t.eb == TY_ROW ? s->t.e : -1;
            if (schema_id_off(rk) < 0) {
                char b[48];
                lang_error(k->L, r->each_pos, r->each_len, "each needs a set of persons "
                           "(members, hukou rows, candidates), not %s",
                           ty_name(s->t, b, sizeof b));
            } else {
                cr->each = 1;
                cr->each_set = s;
                cr->each_kind = rk;
                rc.each = ir_new(k, I_VAR, r->each_pos);
                if (!rc.each)
                    return;
                rc.each->a = 1;
                rc.each->t = T(TY_ROW, rk, 0);
            }
        }
    }
    for (int i = 0; i < r->nlets; i++)
        chk_let(k, &rc, i);
    if (r->where)
        cr->filter = cx_bool(k, &env, r->where, "the unit's 'where'");
    cr->req = lang_alloc(k->L, (size_t)(r->nreq + 1) * sizeof *cr->req);
    if (!cr->req)
        return;
    for (int i = 0; i < r->nreq; i++) {
        struct ir *q = requirement(k, &env, r->requires[i]);
        if (q)
            cr->req[cr->nreq++] = q;
    }
    if (!r->when)
        lang_error(k->L, r->pos, r->idlen, "rule %.*s has no 'when': say when it fires",
                   (int)r->idlen, r->id);
    else
        cr->when = cx_bool(k, &env, r->when, "'when'");
    if (r->nev == 0)
        lang_error(k->L, r->pos, r->idlen, "rule %.*s has no evidence: every flag must say "
                   "what it found", (int)r->idlen, r->id);
    cr->ev = lang_alloc(k->L, (size_t)(r->nev + 1) * sizeof *cr->ev);
    cr->key = lang_alloc(k->L, (size_t)(r->nkey + 1) * sizeof *cr->key);
    if (!cr->ev || !cr->key)
        return;
    for (int i = 0; i < r->nev; i++) {
        struct ir *p = cx_piece(k, &env, r->evidence[i]);
        if (p)
            cr->ev[cr->nev++] = p;
    }
    for (int i = 0; i < r->nkey; i++) {
        struct ir *p = cx_kitem(k, &env, r->key[i]);
        if (p) {
            for (int j = 0; j < p->nv; j++)
                key_plain(k, p->v[j]);
            cr->key[cr->nkey++] = p;
        }
    }
}

/* ---------- the effective policy ---------- */

static struct rule_ast *copy_rule(struct chk *k, const struct rule_ast *r)
{
    struct rule_ast *c = lang_alloc(k->L, sizeof *c);
    if (c)
        *c = *r;
    return c;
}

static void apply_override(struct chk *k, const struct override_ast *o)
{
    struct rule_ast *r = NULL;
    int at = -1;
    for (int i = 0; i < k->nrules; i++)
        if (same(k->rules[i]->id, k->rules[i]->idlen, o->rule, o->rlen))
            at = i;
    if (at < 0) {
        lang_error(k->L, o->pos, o->rlen, "override %.*s: no such rule in the policy it extends",
                   (int)o->rlen, o->rule);
        return;
    }
    if (!(r = copy_rule(k, k->rules[at])))
        return;
    k->rules[at] = r;
    if (r->nov < 4)
        r->ov[r->nov++] = o->pos;   /* explain names where a pack changed it */
    switch (o->what) {
    case OV_WHEN:
        r->when = o->value;
        break;
    case OV_WHERE:
        r->where = o->value;
        break;
    case OV_EVIDENCE:
        r->evidence = o->list;
        r->nev = o->nlist;
        break;
    case OV_KEY:
        r->key = o->list;
        r->nkey = o->nlist;
        break;
    case OV_SEVERITY:
        r->severity = o->severity;
        break;
    case OV_LET: {
        int li = -1;
        for (int i = 0; i < r->nlets; i++)
            if (same(r->lets[i].name, r->lets[i].nlen, o->name, o->nlen))
                li = i;
        if (li < 0) {
            lang_error(k->L, o->pos, o->rlen + 1 + o->nlen, "override %.*s.%.*s: the rule has "
                       "no let %.*s", (int)o->rlen, o->rule, (int)o->nlen, o->name,
                       (int)o->nlen, o->name);
            const char *names[32];
            int m = 0;
            for (int i = 0; i < r->nlets && m < 32; i++)
                names[m++] = chk_cstr(k, r->lets[i].name, r->lets[i].nlen);
            lang_suggest(k->L, o->name, o->nlen, names, m);
            return;
        }
        struct let_ast *nl = lang_alloc(k->L, (size_t)r->nlets * sizeof *nl);
        if (!nl)
            return;
        memcpy(nl, r->lets, (size_t)r->nlets * sizeof *nl);
        nl[li].value = o->value;
        r->lets = nl;
        break;
    }
    }
}

static int merge(struct chk *k, struct policy_ast **files, int nfiles)
{
    char b[600];
    for (int fi = nfiles - 1; fi >= 0; fi--) {
        const struct policy_ast *f = files[fi];
        for (int i = 0; i < f->nparams; i++) {
            const struct param_ast *pa = f->params[i];
            struct eparam *p = chk_find_param(k, pa->name, pa->nlen);
            if (pa->is_override) {
                if (!p) {
                    lang_error(k->L, pa->pos, pa->nlen, "override param %.*s: no such parameter "
                               "to override", (int)pa->nlen, pa->name);
                    continue;
                }
                if (pa->type && (!p->ast->type || p->ast->set_of != pa->set_of ||
                                 !same(p->ast->type->s, p->ast->type->slen, pa->type->s,
                                       pa->type->slen)))
                    lang_error(k->L, pa->type->pos, pa->type->slen, "parameter %.*s is %s%.*s "
                               "(%s); an override keeps its type", (int)pa->nlen, pa->name,
                               p->ast->set_of ? "set of " : "", (int)p->ast->type->slen,
                               p->ast->type->s, where_txt(k, p->ast->pos, b, sizeof b));
                p->val = pa;
                continue;
            }
            if (p) {
                if (p->file == fi)
                    lang_error(k->L, pa->pos, pa->nlen, "parameter %.*s is declared twice "
                               "(first on line %u)", (int)pa->nlen, pa->name, p->ast->pos.line);
                else
                    lang_error(k->L, pa->pos, pa->nlen, "parameter %.*s is already declared "
                               "at %s: write 'override param %.*s = ...' to change it",
                               (int)pa->nlen, pa->name, where_txt(k, p->ast->pos, b, sizeof b),
                               (int)pa->nlen, pa->name);
                continue;
            }
            struct eparam *np = lang_grow(k->L, k->params, k->nparams, sizeof *np);
            if (!np)
                return -1;
            k->params = np;
            memset(&np[k->nparams], 0, sizeof *np);
            np[k->nparams].ast = np[k->nparams].val = pa;
            np[k->nparams].file = fi;
            k->nparams++;
        }
        for (int i = 0; i < f->ndefines; i++) {
            struct define_ast *d = f->defines[i];
            int dup = 0;
            for (int j = 0; j < k->ndefines; j++)
                if (same(k->defines[j]->name, k->defines[j]->nlen, d->name, d->nlen)) {
                    lang_error(k->L, d->pos, d->nlen, "%.*s is already defined at %s",
                               (int)d->nlen, d->name, where_txt(k, k->defines[j]->pos, b,
                                                                sizeof b));
                    dup = 1;
                }
            if (dup)
                continue;
            struct define_ast **nd = lang_grow(k->L, k->defines, k->ndefines, sizeof *nd);
            if (!nd)
                return -1;
            k->defines = nd;
            k->defines[k->ndefines++] = d;
        }
        for (int i = 0; i < f->nrules; i++) {
            const struct rule_ast *r = f->rules[i];
            const struct rule_ast *old = chk_find_rule(k, r->id, r->idlen);
            if (old) {
                if (old->from_file == r->from_file)
                    lang_error(k->L, r->pos, r->idlen, "rule %.*s is written twice (first on "
                               "line %u)", (int)r->idlen, r->id, old->pos.line);
                else
                    lang_error(k->L, r->pos, r->idlen, "rule %.*s is already in %s: a pack "
                               "changes it with 'override %.*s.when = ...' (or .evidence, .key, "
                               "a let) or turns it off with 'off %.*s'", (int)r->idlen, r->id,
                               where_txt(k, old->pos, b, sizeof b), (int)r->idlen, r->id,
                               (int)r->idlen, r->id);
                continue;
            }
            int cat = -1;
            for (int c = 0; c < n_rules; c++)
                if (same(rule_names[c], strlen(rule_names[c]), r->id, r->idlen))
                    cat = c;
            if (cat < 0) {
                lang_error(k->L, r->pos, r->idlen, "unknown rule id '%.*s' (the catalogue of "
                           "the data contract names every rule)", (int)r->idlen, r->id);
                lang_suggest(k->L, r->id, r->idlen, rule_names, n_rules);
                k->unknown_ids++;
                /* still checked, for the errors in its clauses; never compiled */
            }
            if (cat >= 0 && r->kind >= 0 && r->kind != (int)rule_kinds[cat])
                lang_error(k->L, r->kind_pos, (uint32_t)strlen(kind_names[r->kind]),
                           "%s is a %s rule in the catalogue, not %s", rule_names[cat],
                           kind_names[rule_kinds[cat]], kind_names[r->kind]);
            /* what a flag is about decides its key columns: the catalogue's
             * scope and the rule's unit must agree */
            static const int unit_of_scope[N_SCOPES] = {
                [SCOPE_PERSON] = U_MEMBER, [SCOPE_HOUSEHOLD] = U_HOUSEHOLD,
                [SCOPE_CANDIDATE] = U_CANDIDATE, [SCOPE_CANCELLED] = U_CANCELLED};
            static const char *const unit_words[N_UNIT] = {
                [U_HOUSEHOLD] = "for household h", [U_MEMBER] = "for member m",
                [U_CANCELLED] = "for cancelled household h", [U_CANDIDATE] = "for candidate c"};
            int want = cat >= 0 ? unit_of_scope[rule_catalogue[cat].scope] : -1;
            if (want >= 0 && r->unit >= 0 && r->unit != want)
                lang_error(k->L, r->unit_pos, 3, "%s is about a %s in the catalogue (scope %s): "
                           "write '%s'", rule_names[cat], scope_names[rule_catalogue[cat].scope],
                           scope_names[rule_catalogue[cat].scope], unit_words[want]);
            struct rule_ast *c = copy_rule(k, r);
            const struct rule_ast **nr = lang_grow(k->L, k->rules, k->nrules, sizeof *nr);
            if (!c || !nr)
                return -1;
            k->rules = nr;
            k->rules[k->nrules++] = c;
        }
        for (int i = 0; i < f->noverrides; i++)
            apply_override(k, f->overrides[i]);
        for (int i = 0; i < f->noffs; i++) {
            const struct off_ast *o = &f->offs[i];
            int at = -1;
            for (int j = 0; j < k->nrules; j++)
                if (same(k->rules[j]->id, k->rules[j]->idlen, o->rule, o->rlen))
                    at = j;
            if (at < 0) {
                lang_error(k->L, o->pos, o->rlen, "off %.*s: no such rule", (int)o->rlen,
                           o->rule);
                continue;
            }
            struct rule_ast *c = copy_rule(k, k->rules[at]);
            if (!c)
                return -1;
            c->severity = SEV_OFF;
            k->rules[at] = c;
        }
    }
    return 0;
}

int check_policy(struct lang *L, struct policy_ast **files, int nfiles, int as_of,
                 int window_months, struct cpolicy *out)
{
    memset(out, 0, sizeof *out);
    struct chk k;
    memset(&k, 0, sizeof k);
    k.L = L;
    k.as_of = as_of;
    k.window_months = window_months;
    k.top_file = files[0]->file;
    if (merge(&k, files, nfiles) != 0)
        return -1;
    for (int i = 0; i < k.nparams; i++)
        chk_resolve_param(&k, &k.params[i]);
    out->rules = lang_alloc(L, (size_t)(k.nrules + 1) * sizeof *out->rules);
    if (!out->rules)
        return -1;
    for (int i = 0; i < k.nrules && !L->oom; i++) {
        check_rule(&k, k.rules[i], &out->rules[out->nrules]);
        chk_rule_params(&k, k.rules[i], &out->rules[out->nrules]);
        out->rules[out->nrules].ast = k.rules[i];
        out->nrules++;
    }
    /* definitions nobody calls are still checked (arguments of unknown type) */
    for (int i = 0; i < k.ndefines && !L->oom; i++) {
        struct define_ast *d = k.defines[i];
        if (d->used)
            continue;
        struct crule scratch;
        memset(&scratch, 0, sizeof scratch);
        k.cur = &scratch;
        struct ir **vals = lang_alloc(L, (size_t)(d->nargs + 1) * sizeof *vals);
        if (!vals)
            return -1;
        for (int j = 0; j < d->nargs; j++) {
            if (!(vals[j] = ir_new(&k, I_CONST, d->pos)))
                return -1;
            vals[j]->t.b = TY_ERR;
        }
        struct env al = {NULL, ENV_ALIAS, NULL, 0, 0, T(0, 0, 0), d->args, d->arglen, vals,
                         d->nargs, NULL};
        cx(&k, &al, d->body);
        lang_warning(L, d->pos, d->nlen, "%.*s is defined but never used", (int)d->nlen,
                     d->name);
    }
    for (int i = 0; i < k.nparams; i++) {
        const struct param_ast *a = k.params[i].ast;
        if (k.params[i].used)
            continue;
        if (k.params[i].file == 0)
            lang_error(L, a->pos, a->nlen, "parameter %.*s is never used", (int)a->nlen,
                       a->name);
        else
            lang_warning(L, a->pos, a->nlen, "parameter %.*s is no longer used", (int)a->nlen,
                         a->name);
    }
    out->nparams = k.nparams;
    out->params = lang_alloc(L, (size_t)(k.nparams + 1) * sizeof *out->params);
    if (!out->params)
        return -1;
    for (int i = 0; i < k.nparams; i++) {
        const struct eparam *p = &k.params[i];
        out->params[i] = (struct cparam){p->ast->name, p->ast->nlen, p->ast, p->val, p->pick,
                                         p->value, p->vals, p->table ? p->by_enum : -1, p->t};
    }
    out->files = nfiles;
    return L->oom ? -1 : 0;
}
