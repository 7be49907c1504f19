/* parse_items.c - the rules language's items: rules and their clauses,
 * parameters, definitions, pack overrides, and the file (grammar: parse.c).
 *
 * Owns: recovery.  After a syntax error the parser skips to the next clause
 * (for each requires let when evidence key) or item (rule param define
 * override off extends) and goes on, so one pass reports every error of the
 * file.  Never: resolves names (check.c does).
 */
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "contract/policy.h"
#include "policy/parse_int.h"

/* ---------- evidence and keys ---------- */

static struct node *parse_piece(struct parser *p)
{
    struct token *k = cur(p);
    if (k->kind == T_STRING) {
        next(p);
        return ps_template(p, k);
    }
    if (k->kind == K_IF) {
        next(p);
        struct node *n = ps_mk(p, N_IF, k);
        if (!n)
            return NULL;
        n->a = ps_or(p);
        ps_expect(p, K_THEN, "'then' after the condition of 'if'");
        n->b = parse_piece(p);
        if (accept(p, K_ELSE))
            n->c = parse_piece(p);
        return n;
    }
    if (k->kind == K_EACH) {
        next(p);
        struct node *n = ps_mk(p, N_EACH, k);
        if (!n)
            return NULL;
        n->a = ps_set(p, n);
        if (accept(p, K_JOINED)) {
            struct token *s = cur(p);
            if (ps_expect(p, T_STRING, "a string after 'joined'"))
                n->c = ps_template(p, s);
        }
        ps_expect(p, T_COLON, "':' before the text of each element");
        n->b = parse_piece(p);
        return n;
    }
    ps_syntax(p, "a string, 'if' or 'each' in the evidence");
    return ps_err_node(p);
}

static struct node *parse_kitem(struct parser *p)
{
    struct token *k = cur(p);
    struct node *n;
    if (k->kind == K_EACH) {
        next(p);
        if (!(n = ps_mk(p, N_EACH, k)))
            return NULL;
        n->a = ps_set(p, n);
        ps_expect(p, T_COLON, "':' before the key fields of each element");
        if (cur(p)->kind == K_EACH) {   /* each a in A: each b in B: fields */
            n->b = parse_kitem(p);
            return n;
        }
    } else if (!(n = ps_mk(p, N_KITEM, k))) {
        return NULL;
    }
    for (;;) {
        struct node *f = ps_or(p);
        if (!f || ps_push(p, &n->v, &n->nv, f) != 0 || p->panic)
            return n;
        if (!accept(p, T_COMMA))
            return n;
    }
}

/* ---------- items ---------- */

static int is_item_start(int k)
{
    return k == K_RULE || k == K_PARAM || k == K_DEFINE || k == K_OFF || k == K_OVERRIDE ||
           k == K_EXTENDS || k == T_EOF;
}

static int is_clause_start(int k)
{
    return k == K_FOR || k == K_EACH || k == K_REQUIRES || k == K_LET || k == K_WHEN ||
           k == K_EVIDENCE || k == K_KEY;
}

static void sync_item(struct parser *p)
{
    while (!is_item_start(peek(p)))
        next(p);
    p->panic = 0;
}

static void sync_clause(struct parser *p)
{
    while (!is_item_start(peek(p)) && !is_clause_start(peek(p)))
        next(p);
    p->panic = 0;
}

static int name_in(struct parser *p, const struct token *k, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == k->len && memcmp(names[i], p->text + k->off, k->len) == 0)
            return i;
    return -1;
}

static const char *const sev_words[] = {"high", "medium", "low", "off"};

static int parse_severity(struct parser *p, struct pos *where)
{
    struct token *k = cur(p);
    *where = tpos(p, k);
    int s = k->kind == K_OFF ? SEV_OFF : name_in(p, k, sev_words, 4);
    if (s < 0 || (k->kind != T_IDENT && k->kind != K_OFF)) {
        ps_syntax(p, "a severity: high, medium, low or off");
        lang_suggest(p->L, p->text + k->off, k->len, sev_words, 4);
        return -1;
    }
    next(p);
    return s == 3 ? SEV_OFF : s;
}

static int parse_values(struct parser *p, struct param_ast *pa)
{
    int n = 0;
    int day = 0;
    struct pos dp = pa->pos;
    for (;;) {
        if (!(pa->values = lang_grow(p->L, pa->values, n, sizeof *pa->values)) ||
            !(pa->dates = lang_grow(p->L, pa->dates, n, sizeof *pa->dates)) ||
            !(pa->date_pos = lang_grow(p->L, pa->date_pos, n, sizeof *pa->date_pos)))
            return -1;
        pa->dates[n] = day;
        pa->date_pos[n] = dp;
        pa->values[n] = ps_or(p);
        pa->nvalues = ++n;
        if (p->panic || !is_word(p, cur(p), "from"))
            return 0;
        next(p);
        struct token *d = cur(p);
        if (!ps_expect(p, T_DATE, "a date (YYYY-MM-DD) after 'from'"))
            return 0;
        dp = tpos(p, d);
        if (date_parse(p->text + d->off, 10, &day) != 0) {
            lang_error(p->L, dp, 10, "%.10s is not a real date", p->text + d->off);
            day = 0;
        }
        if (!ps_expect(p, T_COLON, "':' after the date, then the value in force from it"))
            return 0;
    }
}

static struct param_ast *parse_param(struct parser *p, int is_override)
{
    struct param_ast *pa = lang_alloc(p->L, sizeof *pa);
    if (!pa)
        return NULL;
    pa->is_override = is_override;
    struct token *nm = cur(p);
    if (!ps_expect(p, T_IDENT, "the parameter's name"))
        return pa;
    pa->name = p->text + nm->off;
    pa->nlen = nm->len;
    pa->pos = tpos(p, nm);
    if (!is_override || peek(p) == T_COLON) {
        if (!ps_expect(p, T_COLON, "':' and the parameter's type (money, count, set of usage...)"))
            return pa;
        struct token *ty = cur(p);
        if (is_word(p, ty, "set") && peek2(p) == T_IDENT && is_word(p, &p->t[p->i + 1], "of")) {
            next(p);
            next(p);
            pa->set_of = 1;
            ty = cur(p);
        }
        if (ty->kind == K_COUNT)
            next(p);   /* "count" is also the aggregate */
        else if (!ps_expect(p, T_IDENT, "a type name"))
            return pa;
        pa->type = ps_mk(p, N_NAME, ty);
        if (!pa->type)
            return pa;
        pa->type->s = p->text + ty->off;
        pa->type->slen = ty->len;
        if (is_word(p, cur(p), "by")) {
            next(p);
            struct token *by = cur(p);
            if (!ps_expect(p, T_IDENT, "an enumeration after 'by' (program, area_type...)"))
                return pa;
            pa->by = p->text + by->off;
            pa->bylen = by->len;
            pa->bypos = tpos(p, by);
        }
    }
    if (!ps_expect(p, T_EQ, "'=' and the parameter's value"))
        return pa;
    parse_values(p, pa);
    return pa;
}

static struct define_ast *parse_define(struct parser *p)
{
    struct define_ast *d = lang_alloc(p->L, sizeof *d);
    if (!d)
        return NULL;
    struct token *nm = cur(p);
    if (!ps_expect(p, T_IDENT, "the name of the definition"))
        return d;
    d->name = p->text + nm->off;
    d->nlen = nm->len;
    d->pos = tpos(p, nm);
    if (!ps_expect(p, T_LPAREN, "'(' and its arguments: define name(p) = ..."))
        return d;
    if (!accept(p, T_RPAREN)) {
        for (;;) {
            struct token *a = cur(p);
            if (!ps_expect(p, T_IDENT, "an argument name"))
                return d;
            if (!(d->args = lang_grow(p->L, d->args, d->nargs, sizeof *d->args)) ||
                !(d->arglen = lang_grow(p->L, d->arglen, d->nargs, sizeof *d->arglen)))
                return d;
            d->args[d->nargs] = p->text + a->off;
            d->arglen[d->nargs++] = a->len;
            if (accept(p, T_COMMA))
                continue;
            if (!ps_expect(p, T_RPAREN, "',' or ')'"))
                return d;
            break;
        }
    }
    if (ps_expect(p, T_EQ, "'=' and the definition"))
        d->body = ps_expr(p);
    return d;
}

static const char *const unit_words[] = {"household", "member", "cancelled", "candidate"};

static void parse_for(struct parser *p, struct rule_ast *r)
{
    struct token *k = cur(p);
    r->unit_pos = tpos(p, k);
    int u = name_in(p, k, unit_words, 4);
    if (k->kind != T_IDENT || u < 0) {
        ps_syntax(p, "the unit: household, member, cancelled household or candidate");
        lang_suggest(p->L, p->text + k->off, k->len, unit_words, 4);
        return;
    }
    next(p);
    if (u == 2) {
        if (!is_word(p, cur(p), "household")) {
            ps_syntax(p, "'household' after 'cancelled'");
            return;
        }
        next(p);
        u = U_CANCELLED;
    } else {
        u = u == 0 ? U_HOUSEHOLD : u == 1 ? U_MEMBER : U_CANDIDATE;
    }
    r->unit = u;
    struct token *v = cur(p);
    if (!ps_expect(p, T_IDENT, "a name for the unit (for member m)"))
        return;
    r->var = p->text + v->off;
    r->varlen = v->len;
    if (accept(p, K_WHERE))
        r->where = ps_or(p);
}

/* The current token starts no clause: say so, with the close clause word. */
static void not_a_clause(struct parser *p)
{
    static const char *const clauses[] = {"for", "each", "requires", "let", "when",
                                          "evidence", "key"};
    struct token *k = cur(p);
    char f[64];
    ps_found(p, f, sizeof f);
    lang_error(p->L, tpos(p, k), k->len ? k->len : 1,
               "%s is not a clause of a rule (for, each, requires, let, when, evidence, key)", f);
    if (k->kind == T_IDENT)
        lang_suggest(p->L, p->text + k->off, k->len, clauses, 7);
    p->panic = 1;
}

static void parse_clause(struct parser *p, struct rule_ast *r)
{
    struct token *k = next(p);
    switch (k->kind) {
    case K_FOR:
        parse_for(p, r);
        break;
    case K_EACH: {
        struct token *v = cur(p);
        if (!ps_expect(p, T_IDENT, "a name for each element (each p in SET)"))
            return;
        r->each_var = p->text + v->off;
        r->each_len = v->len;
        r->each_pos = tpos(p, v);
        if (ps_expect(p, K_IN, "'in' and the set"))
            r->each_set = ps_expr(p);
        break;
    }
    case K_REQUIRES:
        for (;;) {
            struct node *q;
            if (is_word(p, cur(p), "feed") && peek2(p) == T_IDENT) {
                struct token *f = next(p);
                struct token *nm = next(p);
                if (!(q = ps_mk(p, N_FEED, f)))
                    return;
                q->s = p->text + nm->off;
                q->slen = nm->len;
                q->bpos = tpos(p, nm);
                ps_span(p, q, f->off);
            } else {
                q = ps_or(p);
            }
            if (!q || ps_push(p, &r->requires, &r->nreq, q) != 0 || p->panic)
                return;
            if (!accept(p, T_COMMA))
                break;
        }
        break;
    case K_LET: {
        struct token *nm = cur(p);
        if (!ps_expect(p, T_IDENT, "the let's name"))
            return;
        if (!ps_expect(p, T_EQ, "'=' after the let's name"))
            return;
        struct let_ast *nl = lang_grow(p->L, r->lets, r->nlets, sizeof *nl);
        if (!nl)
            return;
        r->lets = nl;
        struct let_ast *l = &r->lets[r->nlets++];
        l->name = p->text + nm->off;
        l->nlen = nm->len;
        l->pos = tpos(p, nm);
        l->value = ps_expr(p);
        break;
    }
    case K_WHEN:
        if (r->when) {
            lang_error(p->L, tpos(p, k), k->len, "a second 'when' in rule %.*s", (int)r->idlen,
                       r->id);
            lang_hint(p->L, "join the conditions with 'and' or 'or'");
        }
        r->when = ps_expr(p);
        break;
    case K_EVIDENCE:
        for (;;) {
            struct node *x = parse_piece(p);
            if (!x || ps_push(p, &r->evidence, &r->nev, x) != 0 || p->panic)
                return;
            if (!accept(p, T_COMMA))
                break;
        }
        break;
    case K_KEY:
        for (;;) {
            struct node *x = parse_kitem(p);
            if (!x || ps_push(p, &r->key, &r->nkey, x) != 0 || p->panic)
                return;
            if (!accept(p, T_SEMI))
                break;
        }
        break;
    default:
        p->i--;
        not_a_clause(p);
    }
}

static struct rule_ast *parse_rule(struct parser *p)
{
    struct rule_ast *r = lang_alloc(p->L, sizeof *r);
    if (!r)
        return NULL;
    r->from_file = p->f;
    r->unit = -1;
    r->kind = r->severity = -1;
    struct token *id = cur(p);
    if (!ps_expect(p, T_IDENT, "the rule id (rule ID KIND SEVERITY)")) {
        sync_item(p);
        return NULL;
    }
    r->id = p->text + id->off;
    r->idlen = id->len;
    r->pos = tpos(p, id);
    struct token *kd = cur(p);
    r->kind_pos = tpos(p, kd);
    int kind = kd->kind == T_IDENT ? name_in(p, kd, kind_names, 4) : -1;
    if (kind < 0) {
        ps_syntax(p, "the rule's kind: cuobao, loubao, quality or process");
        lang_suggest(p->L, p->text + kd->off, kd->len, kind_names, 4);
    } else {
        next(p);
        r->kind = kind;
        r->severity = parse_severity(p, &r->sev_pos);
    }
    if (p->panic)
        sync_clause(p);
    while (!is_item_start(peek(p))) {
        parse_clause(p, r);   /* a word that starts no clause is reported there */
        if (!p->panic && !is_item_start(peek(p)) && !is_clause_start(peek(p)))
            not_a_clause(p);
        if (p->panic)
            sync_clause(p);
    }
    return r;
}

static struct override_ast *parse_override(struct parser *p)
{
    struct override_ast *o = lang_alloc(p->L, sizeof *o);
    if (!o)
        return NULL;
    struct token *id = cur(p);
    if (!ps_expect(p, T_IDENT, "a rule id or 'param' after 'override'"))
        return o;
    o->rule = p->text + id->off;
    o->rlen = id->len;
    o->pos = tpos(p, id);
    if (!ps_expect(p, T_DOT, "'.' and what to replace (override RULE.v = ...)"))
        return o;
    struct token *w = next(p);
    o->name = p->text + w->off;
    o->nlen = w->len;
    if (w->kind == K_WHEN)
        o->what = OV_WHEN;
    else if (w->kind == K_WHERE)
        o->what = OV_WHERE;
    else if (w->kind == K_EVIDENCE)
        o->what = OV_EVIDENCE;
    else if (w->kind == K_KEY)
        o->what = OV_KEY;
    else if (is_word(p, w, "severity"))
        o->what = OV_SEVERITY;
    else if (w->kind == T_IDENT)
        o->what = OV_LET;
    else {
        p->i--;
        ps_syntax(p, "a let's name, when, where, evidence, key or severity");
        return o;
    }
    if (!ps_expect(p, T_EQ, "'=' and the replacement"))
        return o;
    switch (o->what) {
    case OV_EVIDENCE:
        for (;;) {
            struct node *x = parse_piece(p);
            if (!x || ps_push(p, &o->list, &o->nlist, x) != 0 || p->panic)
                break;
            if (!accept(p, T_COMMA))
                break;
        }
        break;
    case OV_KEY:
        for (;;) {
            struct node *x = parse_kitem(p);
            if (!x || ps_push(p, &o->list, &o->nlist, x) != 0 || p->panic)
                break;
            if (!accept(p, T_SEMI))
                break;
        }
        break;
    case OV_SEVERITY: {
        struct pos sp;
        o->severity = parse_severity(p, &sp);
        break;
    }
    default:
        o->value = ps_expr(p);
    }
    return o;
}

#define PUSH_ITEM(arr, n, x)                                                 \
    do {                                                                     \
        void *nv_ = lang_grow(p->L, (arr), (n), sizeof *(arr));              \
        if (!nv_)                                                            \
            return a;                                                        \
        (arr) = nv_;                                                         \
        (arr)[(n)++] = (x);                                                  \
    } while (0)

struct policy_ast *parse_file(struct lang *L, int f)
{
    struct parser pp = {L, f, L->files[f].text, NULL, 0, 0, 0};
    struct parser *p = &pp;
    struct policy_ast *a = lang_alloc(L, sizeof *a);
    if (!a)
        return NULL;
    a->file = f;
    p->t = lex_range(L, f, 0, (uint32_t)L->files[f].len, 1, &p->n);
    if (!p->t)
        return a;
    while (peek(p) != T_EOF && !L->oom) {
        struct token *k = next(p);
        switch (k->kind) {
        case K_EXTENDS: {
            struct token *nm = cur(p);
            if (a->extends || a->nrules || a->nparams || a->ndefines) {
                lang_error(L, tpos(p, k), k->len, "'extends' must come first in the file, once");
            }
            if (ps_expect(p, T_IDENT, "the base policy's name (extends reference)")) {
                a->extends = p->text + nm->off;
                a->extlen = nm->len;
                a->extpos = tpos(p, nm);
            }
            break;
        }
        case K_PARAM: {
            struct param_ast *pa = parse_param(p, 0);
            if (pa && pa->name)
                PUSH_ITEM(a->params, a->nparams, pa);
            break;
        }
        case K_DEFINE: {
            struct define_ast *d = parse_define(p);
            if (d && d->name)
                PUSH_ITEM(a->defines, a->ndefines, d);
            break;
        }
        case K_RULE: {
            struct rule_ast *r = parse_rule(p);
            if (r)
                PUSH_ITEM(a->rules, a->nrules, r);
            break;
        }
        case K_OFF: {
            struct token *id = cur(p);
            if (ps_expect(p, T_IDENT, "a rule id after 'off'")) {
                struct off_ast o = {p->text + id->off, id->len, tpos(p, id)};
                PUSH_ITEM(a->offs, a->noffs, o);
            }
            break;
        }
        case K_OVERRIDE:
            if (peek(p) == K_PARAM) {
                next(p);
                struct param_ast *pa = parse_param(p, 1);
                if (pa && pa->name)
                    PUSH_ITEM(a->params, a->nparams, pa);
            } else {
                struct override_ast *o = parse_override(p);
                if (o && o->rule)
                    PUSH_ITEM(a->overrides, a->noverrides, o);
            }
            break;
        default: {
            static const char *const items[] = {"rule", "param", "define", "override", "off",
                                                "extends"};
            p->i--;
            ps_syntax(p, "rule, param, define, override, off or extends");
            lang_suggest(L, p->text + k->off, k->len, items, 6);
            next(p);
        }
        }
        if (p->panic || !is_item_start(peek(p))) {
            if (!p->panic)
                ps_syntax(p, "the next item (rule, param, define...)");
            sync_item(p);
        }
    }
    return a;
}
