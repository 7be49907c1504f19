/* parse.c - the rules language's parser: tokens -> syntax tree (ast.h).
 *
 * Owns: the grammar (rules/README.md has it for users):
 *
 *   file    := item*
 *   item    := 'extends' NAME
 *            | 'param' NAME ':' TYPE ['by' ENUM] '=' value ('from' DATE ':' value)*
 *            | 'override' 'param' NAME '=' value ('from' DATE ':' value)*
 *            | 'override' RULE '.' (NAME | when | where | evidence | key | severity) '=' ...
 *            | 'off' RULE
 *            | 'define' NAME '(' [NAME (',' NAME)*] ')' '=' expr
 *            | 'rule' RULE KIND SEVERITY clause*
 *   TYPE    := NAME | 'set' 'of' NAME
 *   clause  := 'for' ['cancelled'] ('household'|'member'|'candidate') NAME ['where' expr]
 *            | 'each' NAME 'in' expr | 'requires' req (',' req)* | 'let' NAME '=' expr
 *            | 'when' expr | 'evidence' piece (',' piece)* | 'key' kitem (';' kitem)*
 *   req     := 'feed' NAME | expr
 *   piece   := STRING | 'if' expr 'then' piece ['else' piece]
 *            | 'each' [NAME 'in'] expr ['joined' STRING] ':' piece
 *   kitem   := 'each' [NAME 'in'] expr ':' expr (',' expr)* | expr (',' expr)*
 *   expr    := or ['where' or]
 *   or      := and ('or' and)*          and := not ('and' not)*
 *   not     := 'not' not | cmp          cmp := coal [(= != < <= > >=) coal | ['not'] 'in' coal]
 *   coal    := add ['??' add]           add := mul (('+'|'-') mul)*
 *   mul     := unary (('*'|'/') unary)* unary := '-' unary | postfix
 *   postfix := primary ('.' NAME | '[' expr ']')*
 *   primary := NUMBER | DATE | STRING | true | false | '(' expr ')' | '{' items '}'
 *            | NAME ['(' args ')'] | 'exists' postfix | 'if' or 'then' or ['else' or]
 *            | (any|count|sum|first|distinct) '(' [NAME 'in'] expr [':' expr] ')'
 *            | 'latest' '(' [NAME 'in'] expr 'by' or (',' or)* ':' or (',' or)* ')'
 *            | 'sorted' '(' [NAME 'in'] expr 'by' or ['desc'] (',' or ['desc'])* ')'
 *            | 'fires' RULE '(' args ')'
 *
 * Newlines mean nothing: a clause ends where a clause keyword or an item
 * keyword starts.  A string's {holes} are parsed as expressions in place
 * (their tokens lexed from the string's own bytes, so positions stay
 * exact).  After a syntax error the parser skips to the next clause or item
 * and goes on, so one pass reports every error of the file.  Never:
 * resolves names (check.c does).
 */
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "policy/parse_int.h"

/* ---------- helpers ---------- */

void ps_found(struct parser *p, char *buf, size_t n)
{
    struct token *k = cur(p);
    if (k->kind == T_EOF)
        snprintf(buf, n, "the end of the file");
    else
        snprintf(buf, n, "'%.*s'", (int)(k->len > 40 ? 40 : k->len), p->text + k->off);
}

void ps_syntax(struct parser *p, const char *what)
{
    if (p->panic)
        return;
    char f[64];
    ps_found(p, f, sizeof f);
    struct token *k = cur(p);
    lang_error(p->L, tpos(p, k), k->len ? k->len : 1, "expected %s, found %s", what, f);
    p->panic = 1;
}

int ps_expect(struct parser *p, int kind, const char *what)
{
    if (accept(p, kind))
        return 1;
    ps_syntax(p, what);
    return 0;
}

struct node *ps_mk(struct parser *p, int kind, const struct token *at)
{
    struct node *n = lang_alloc(p->L, sizeof *n);
    if (!n)
        return NULL;
    n->kind = (uint8_t)kind;
    n->pos = tpos(p, at);
    n->den = 1;
    return n;
}

struct node *ps_err_node(struct parser *p)
{
    return ps_mk(p, N_ERROR, cur(p));
}

int ps_push(struct parser *p, struct node ***v, int *n, struct node *x)
{
    struct node **nv = lang_grow(p->L, *v, *n, sizeof **v);
    if (!nv)
        return -1;
    nv[(*n)++] = x;
    *v = nv;
    return 0;
}

/* ---------- literals ---------- */

static void parse_number(struct parser *p, const struct token *k, struct node *n)
{
    const char *s = p->text + k->off;
    int64_t num = 0, den = 1;
    int digits = 0, dot = 0;
    for (uint32_t i = 0; i < k->len; i++) {
        char c = s[i];
        if (c == '.') {
            dot = 1;
        } else if (c == '%') {
            den *= 100;
            n->op = 1;
        } else {
            if (++digits > 17) {
                lang_error(p->L, tpos(p, k), k->len, "number too long (at most 17 digits)");
                return;
            }
            num = num * 10 + (c - '0');
            if (dot)
                den *= 10;
        }
    }
    n->num = num;
    n->den = den;
}


/* A string token's template: text parts and holes.  Holes are lexed from
 * the file's own bytes, so every position in them is exact. */
struct node *ps_template(struct parser *p, const struct token *k)
{
    struct node *n = ps_mk(p, N_TEMPLATE, k);
    if (!n)
        return NULL;
    const char *t = p->text;
    char q = t[k->off];
    uint32_t i = k->off + 1, end = k->off + k->len;
    if (end > i && t[end - 1] == q)
        end--;   /* closing quote (absent when unterminated: reported) */
    char *lit = lang_alloc(p->L, k->len + 1);
    if (!lit)
        return n;
    size_t ln = 0;
    uint32_t lit_off = i;
    while (i < end) {
        char c = t[i];
        if (c == '\\' && i + 1 < end) {
            char e = t[i + 1];
            if (e == '\\' || e == '"' || e == '\'') {
                lit[ln++] = e;
            } else {
                struct pos ps = {(uint16_t)p->f, i, k->line, i, i + 1};
                lang_error(p->L, ps, 2, "unknown escape '\\%c' in a string", e);
                lang_hint(p->L, "write \\\\ for a backslash, \\\" or \\' for a quote, {{ and }} "
                                "for braces");
            }
            i += 2;
            continue;
        }
        if ((c == '{' || c == '}') && i + 1 < end && t[i + 1] == c) {
            lit[ln++] = c;
            i += 2;
            continue;
        }
        if (c == '}') {
            struct pos ps = {(uint16_t)p->f, i, k->line, i, i + 1};
            lang_error(p->L, ps, 1, "a '}' in a string closes no hole");
            lang_hint(p->L, "write }} for a brace in the text");
            i++;
            continue;
        }
        if (c != '{') {
            lit[ln++] = c;
            i++;
            continue;
        }
        /* a hole: find its matching brace, skipping strings inside */
        if (ln) {
            struct node *tx = ps_mk(p, N_TEXT, k);
            if (!tx)
                return n;
            tx->pos.off = lit_off;
            tx->s = lit;
            tx->slen = (uint32_t)ln;
            ps_push(p, &n->v, &n->nv, tx);
            lit = lang_alloc(p->L, k->len + 1);
            if (!lit)
                return n;
            ln = 0;
        }
        uint32_t hs = i + 1, j = hs;
        int depth = 1;
        while (j < end && depth > 0) {
            if (t[j] == '"' || t[j] == '\'') {
                char qq = t[j++];
                while (j < end && t[j] != qq) {
                    if (t[j] == '\\' && j + 1 < end)
                        j++;
                    j++;
                }
                if (j < end)
                    j++;   /* its closing quote (an unclosed one was reported) */
                continue;
            }
            if (t[j] == '{')
                depth++;
            else if (t[j] == '}' && --depth == 0)
                break;
            j++;
        }
        struct parser sub = *p;
        int nt;
        sub.t = lex_range(p->L, p->f, hs, j, k->line, &nt);
        sub.n = nt;
        sub.i = 0;
        sub.panic = 0;
        if (!sub.t)
            return n;
        if (nt == 1) {
            struct pos ps = {(uint16_t)p->f, i, k->line, i, i + 1};
            lang_error(p->L, ps, 2, "an empty {} in a string");
            lang_hint(p->L, "put a value in it, or write {{}} for braces");
        } else {
            struct node *e = ps_expr(&sub);
            if (!sub.panic && peek(&sub) != T_EOF)
                ps_syntax(&sub, "the end of the {hole}");
            if (e)
                ps_push(p, &n->v, &n->nv, e);
        }
        i = j < end ? j + 1 : end;
        lit_off = i;
    }
    if (ln || n->nv == 0) {
        struct node *tx = ps_mk(p, N_TEXT, k);
        if (!tx)
            return n;
        tx->pos.off = lit_off;
        tx->s = lit;
        tx->slen = (uint32_t)ln;
        ps_push(p, &n->v, &n->nv, tx);
    }
    return n;
}

/* ---------- expressions ---------- */

static struct node *bin(struct parser *p, int kind, int op, const struct token *at,
                        struct node *a, struct node *b)
{
    struct node *n = ps_mk(p, kind, at);
    if (!n)
        return NULL;
    n->op = (uint8_t)op;
    n->a = a;
    n->b = b;
    if (a)
        n->pos = a->pos;
    ps_span(p, n, a ? a->pos.from : at->off);
    return n;
}

static int parse_args(struct parser *p, struct node *n)
{
    if (accept(p, T_RPAREN))
        return 0;
    for (;;) {
        struct node *a = ps_expr(p);
        if (!a || ps_push(p, &n->v, &n->nv, a) != 0 || p->panic)
            return -1;
        if (accept(p, T_COMMA))
            continue;
        return ps_expect(p, T_RPAREN, "',' or ')' after an argument") ? 0 : -1;
    }
}

/* [NAME 'in'] expr: the set of an aggregate or an each */
struct node *ps_set(struct parser *p, struct node *owner)
{
    if (peek(p) == T_IDENT && peek2(p) == K_IN) {
        struct token *b = next(p);
        owner->bind = p->text + b->off;
        owner->blen = b->len;
        owner->bpos = tpos(p, b);
        next(p);
    }
    return ps_expr(p);
}

/* 'by' KEY, ... of latest() and sorted() into n->v; with desc, a key may
 * end with 'desc' (bit i of n->num: key i).  0, or -1 after an error. */
static int by_keys(struct parser *p, struct node *n, const char *usage, int desc)
{
    if (!is_word(p, cur(p), "by")) {
        ps_syntax(p, usage);
        return -1;
    }
    next(p);
    for (;;) {
        struct node *e = ps_or(p);
        if (!e || ps_push(p, &n->v, &n->nv, e) != 0 || p->panic)
            return -1;
        if (desc && is_word(p, cur(p), "desc")) {
            next(p);
            if (n->nv <= 16)
                n->num |= (int64_t)1 << (n->nv - 1);
        }
        if (!accept(p, T_COMMA))
            return 0;
    }
}

static struct node *primary(struct parser *p);

/* A primary with its span: from its first token (an opening parenthesis
 * too) to the last one taken (the closing one). */
static struct node *parse_primary(struct parser *p)
{
    uint32_t from = cur(p)->off;
    struct node *n = primary(p);
    ps_span(p, n, from);
    return n;
}

/* primary: one case per token that can start a value.  Long because it is
 * kept in one switch (over 150 lines) as the grammar's own table of them. */
static struct node *primary(struct parser *p)
{
    struct token *k = cur(p);
    struct node *n;
    if (is_word(p, k, "feed") && peek2(p) == T_IDENT) {
        /* feed NAME: whether an optional feed is present (as in requires) */
        next(p);
        struct token *nm = next(p);
        if (!(n = ps_mk(p, N_FEED, k)))
            return NULL;
        n->s = p->text + nm->off;
        n->slen = nm->len;
        n->bpos = tpos(p, nm);
        return n;
    }
    switch (k->kind) {
    case T_NUMBER:
        next(p);
        if (!(n = ps_mk(p, N_NUM, k)))
            return NULL;
        parse_number(p, k, n);
        return n;
    case T_DATE: {
        next(p);
        if (!(n = ps_mk(p, N_DATE, k)))
            return NULL;
        int d;
        if (date_parse(p->text + k->off, 10, &d) != 0) {
            lang_error(p->L, n->pos, 10, "%.10s is not a real date", p->text + k->off);
            d = 0;
        }
        n->num = d;
        return n;
    }
    case T_STRING:
        next(p);
        return ps_template(p, k);
    case K_TRUE:
    case K_FALSE:
        next(p);
        if (!(n = ps_mk(p, N_BOOL, k)))
            return NULL;
        n->num = k->kind == K_TRUE;
        return n;
    case T_LPAREN: {
        next(p);
        n = ps_expr(p);
        ps_expect(p, T_RPAREN, "')'");
        return n;
    }
    case T_LBRACE: {
        next(p);
        if (!(n = ps_mk(p, N_SETLIT, k)))
            return NULL;
        if (accept(p, T_RBRACE))
            return n;
        for (;;) {
            struct node *e;
            if (peek(p) == T_IDENT && peek2(p) == T_COLON) {
                struct token *nm = next(p);
                next(p);
                n->kind = N_MAPLIT;
                if (!(e = ps_mk(p, N_PAIR, nm)))
                    return NULL;
                e->s = p->text + nm->off;
                e->slen = nm->len;
                e->a = ps_or(p);
            } else {
                e = ps_or(p);
            }
            if (!e || ps_push(p, &n->v, &n->nv, e) != 0 || p->panic)
                return n;
            if (accept(p, T_COMMA))
                continue;
            ps_expect(p, T_RBRACE, "',' or '}' in a set");
            return n;
        }
    }
    case T_IDENT:
        next(p);
        if (peek(p) == T_LPAREN) {
            next(p);
            if (!(n = ps_mk(p, N_CALL, k)))
                return NULL;
            n->s = p->text + k->off;
            n->slen = k->len;
            parse_args(p, n);
            return n;
        }
        if (!(n = ps_mk(p, N_NAME, k)))
            return NULL;
        n->s = p->text + k->off;
        n->slen = k->len;
        return n;
    case K_EXISTS:
        next(p);
        if (!(n = ps_mk(p, N_EXISTS, k)))
            return NULL;
        n->a = parse_primary(p);
        while (n->a && !p->panic && (peek(p) == T_DOT || peek(p) == T_LBRACK)) {
            struct token *d = next(p);
            if (d->kind == T_DOT) {
                struct token *nm = cur(p);
                if (!ps_expect(p, T_IDENT, "a field name after '.'"))
                    break;
                struct node *f = ps_mk(p, N_FIELD, nm);
                if (!f)
                    return NULL;
                f->a = n->a;
                f->s = p->text + nm->off;
                f->slen = nm->len;
                n->a = f;
            } else {
                struct node *x = bin(p, N_INDEX, 0, d, n->a, ps_expr(p));
                ps_expect(p, T_RBRACK, "']'");
                n->a = x;
            }
        }
        return n;
    case K_IF:
        next(p);
        if (!(n = ps_mk(p, N_IF, k)))
            return NULL;
        n->a = ps_or(p);
        ps_expect(p, K_THEN, "'then' after the condition of 'if'");
        n->b = ps_or(p);
        if (accept(p, K_ELSE))
            n->c = ps_or(p);
        return n;
    case K_ANY:
    case K_COUNT:
    case K_SUM:
    case K_FIRST:
    case K_DISTINCT:
    case K_LATEST:
    case K_SORTED:
        next(p);
        if (!(n = ps_mk(p, N_AGG, k)))
            return NULL;
        n->op = k->kind;
        if (!ps_expect(p, T_LPAREN, "'(' after an aggregate: any(SET), sum(SET: value)"))
            return n;
        n->a = ps_set(p, n);
        if (k->kind == K_SORTED) {
            /* sorted(SET by KEY [desc], ...) */
            if (by_keys(p, n, "'by' and the order: sorted(SET by KEY desc, KEY)", 1) != 0)
                return n;
        } else if (k->kind == K_LATEST) {
            /* latest(SET by KEY, ...: ORDER, ...) */
            if (by_keys(p, n, "'by' and what makes rows the same thing: latest(SET by KEY: DATE)",
                        0) != 0)
                return n;
            if (!ps_expect(p, T_COLON, "':' and the order (a date first): latest(SET by KEY: DATE)"))
                return n;
            if (!(n->c = ps_mk(p, N_KITEM, cur(p))))
                return NULL;
            for (;;) {
                struct node *e = ps_or(p);
                if (!e || ps_push(p, &n->c->v, &n->c->nv, e) != 0 || p->panic)
                    return n;
                if (!accept(p, T_COMMA))
                    break;
            }
        } else if (accept(p, T_COLON)) {
            n->b = ps_expr(p);
        }
        ps_expect(p, T_RPAREN, "')' to close the aggregate");
        return n;
    case K_FIRES: {
        next(p);
        if (!(n = ps_mk(p, N_FIRES, k)))
            return NULL;
        struct token *id = cur(p);
        if (!ps_expect(p, T_IDENT, "a rule id after 'fires'"))
            return n;
        n->s = p->text + id->off;
        n->slen = id->len;
        n->pos = tpos(p, id);
        if (ps_expect(p, T_LPAREN, "'(' and the unit: fires RULE(p)"))
            parse_args(p, n);
        return n;
    }
    default:
        ps_syntax(p, "a value");
        return ps_err_node(p);
    }
}

static struct node *parse_postfix(struct parser *p)
{
    struct node *n = parse_primary(p);
    while (n && !p->panic) {
        if (peek(p) == T_DOT) {
            next(p);
            struct token *nm = cur(p);
            if (!ps_expect(p, T_IDENT, "a field name after '.'"))
                return n;
            struct node *f = ps_mk(p, N_FIELD, nm);
            if (!f)
                return NULL;
            f->a = n;
            f->s = p->text + nm->off;
            f->slen = nm->len;
            n = f;
        } else if (peek(p) == T_LBRACK) {
            struct token *b = next(p);
            struct node *x = bin(p, N_INDEX, 0, b, n, ps_expr(p));
            ps_expect(p, T_RBRACK, "']'");
            n = x;
        } else {
            break;
        }
        if (!n)   /* out of memory in bin() (p->L->oom says so) */
            return NULL;
        ps_span(p, n, n->a ? n->a->pos.from : n->pos.from);
    }
    return n;
}

static struct node *parse_unary(struct parser *p)
{
    if (peek(p) == T_MINUS) {
        struct token *k = next(p);
        struct node *n = ps_mk(p, N_NEG, k);
        if (n)
            n->a = parse_unary(p);
        ps_span(p, n, k->off);
        return n;
    }
    return parse_postfix(p);
}

static struct node *parse_mul(struct parser *p)
{
    struct node *a = parse_unary(p);
    while (!p->panic && (peek(p) == T_STAR || peek(p) == T_SLASH)) {
        struct token *k = next(p);
        a = bin(p, N_BIN, k->kind, k, a, parse_unary(p));
    }
    return a;
}

static struct node *parse_add(struct parser *p)
{
    struct node *a = parse_mul(p);
    while (!p->panic && (peek(p) == T_PLUS || peek(p) == T_MINUS)) {
        struct token *k = next(p);
        a = bin(p, N_BIN, k->kind, k, a, parse_mul(p));
    }
    return a;
}

static struct node *parse_coal(struct parser *p)
{
    struct node *a = parse_add(p);
    if (!p->panic && peek(p) == T_QQ) {
        struct token *k = next(p);
        a = bin(p, N_COALESCE, 0, k, a, parse_add(p));
    }
    return a;
}

static int is_cmp(int k)
{
    return k == T_EQ || k == T_NE || k == T_LT || k == T_LE || k == T_GT || k == T_GE;
}

static struct node *parse_cmp(struct parser *p)
{
    struct node *a = parse_coal(p);
    if (p->panic)
        return a;
    if (is_cmp(peek(p))) {
        struct token *k = next(p);
        a = bin(p, N_CMP, k->kind, k, a, parse_coal(p));
        if (!p->panic && is_cmp(peek(p))) {
            struct token *k2 = cur(p);
            lang_error(p->L, tpos(p, k2), k2->len, "comparisons do not chain");
            lang_hint(p->L, "write 'a < b and b < c', or put an aggregate with 'where' in "
                            "parentheses");
            p->panic = 1;
        }
    } else if (peek(p) == K_IN || (peek(p) == K_NOT && peek2(p) == K_IN)) {
        int neg = peek(p) == K_NOT;
        if (neg)
            next(p);
        struct token *k = next(p);
        a = bin(p, N_IN, neg, k, a, parse_coal(p));
    }
    return a;
}

static struct node *parse_not(struct parser *p)
{
    if (peek(p) == K_NOT) {
        struct token *k = next(p);
        struct node *n = ps_mk(p, N_NOT, k);
        if (n)
            n->a = parse_not(p);
        ps_span(p, n, k->off);
        return n;
    }
    return parse_cmp(p);
}

static struct node *parse_and(struct parser *p)
{
    struct node *a = parse_not(p);
    while (!p->panic && peek(p) == K_AND) {
        struct token *k = next(p);
        a = bin(p, N_AND, 0, k, a, parse_not(p));
    }
    return a;
}

struct node *ps_or(struct parser *p)
{
    struct node *a = parse_and(p);
    while (!p->panic && peek(p) == K_OR) {
        struct token *k = next(p);
        a = bin(p, N_OR, 0, k, a, parse_and(p));
    }
    return a;
}

struct node *ps_expr(struct parser *p)
{
    struct node *a = ps_or(p);
    if (!p->panic && peek(p) == K_WHERE) {
        struct token *k = next(p);
        a = bin(p, N_WHERE, 0, k, a, ps_or(p));
    }
    return a;
}

