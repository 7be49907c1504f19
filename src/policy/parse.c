/* parse.c - the rules language's parser: tokens -> syntax tree (ast.h).
 *
 * Owns: the grammar (rules/LANGUAGE.md has it for users):
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
#include "contract/policy.h"
#include "policy/ast.h"

struct parser {
    struct lang *L;
    int f;
    const char *text;
    struct token *t;
    int n, i;
    int panic;          /* an error in this clause: stop until a sync point */
};

static struct token *cur(struct parser *p)
{
    return &p->t[p->i < p->n ? p->i : p->n - 1];
}

static int peek(struct parser *p)
{
    return cur(p)->kind;
}

static int peek2(struct parser *p)
{
    return p->i + 1 < p->n ? p->t[p->i + 1].kind : T_EOF;
}

static struct pos tpos(struct parser *p, const struct token *k)
{
    struct pos ps = {(uint16_t)p->f, k->off, k->line};
    return ps;
}

static struct token *next(struct parser *p)
{
    struct token *k = cur(p);
    if (p->i < p->n - 1)
        p->i++;
    return k;
}

static int accept(struct parser *p, int kind)
{
    if (peek(p) == kind) {
        next(p);
        return 1;
    }
    return 0;
}

static int is_word(struct parser *p, const struct token *k, const char *w)
{
    return k->kind == T_IDENT && k->len == strlen(w) && memcmp(p->text + k->off, w, k->len) == 0;
}

/* "found 'xyz'" text for the current token */
static void found(struct parser *p, char *buf, size_t n)
{
    struct token *k = cur(p);
    if (k->kind == T_EOF)
        snprintf(buf, n, "the end of the file");
    else
        snprintf(buf, n, "'%.*s'", (int)(k->len > 40 ? 40 : k->len), p->text + k->off);
}

static void syntax(struct parser *p, const char *what)
{
    if (p->panic)
        return;
    char f[64];
    found(p, f, sizeof f);
    struct token *k = cur(p);
    lang_error(p->L, tpos(p, k), k->len ? k->len : 1, "expected %s, found %s", what, f);
    p->panic = 1;
}

static int expect(struct parser *p, int kind, const char *what)
{
    if (accept(p, kind))
        return 1;
    syntax(p, what);
    return 0;
}

static struct node *mk(struct parser *p, int kind, const struct token *at)
{
    struct node *n = lang_alloc(p->L, sizeof *n);
    if (!n)
        return NULL;
    n->kind = (uint8_t)kind;
    n->pos = tpos(p, at);
    n->den = 1;
    return n;
}

static struct node *err_node(struct parser *p)
{
    return mk(p, N_ERROR, cur(p));
}

static int push(struct parser *p, struct node ***v, int *n, struct node *x)
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

static struct node *parse_expr(struct parser *p);
static struct node *parse_or(struct parser *p);

/* A string token's template: text parts and holes.  Holes are lexed from
 * the file's own bytes, so every position in them is exact. */
static struct node *parse_template(struct parser *p, const struct token *k)
{
    struct node *n = mk(p, N_TEMPLATE, k);
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
                struct pos ps = {(uint16_t)p->f, i, k->line};
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
            struct pos ps = {(uint16_t)p->f, i, k->line};
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
            struct node *tx = mk(p, N_TEXT, k);
            if (!tx)
                return n;
            tx->pos.off = lit_off;
            tx->s = lit;
            tx->slen = (uint32_t)ln;
            push(p, &n->v, &n->nv, tx);
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
                    if (t[j] == '\\')
                        j++;
                    j++;
                }
                j++;
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
            struct pos ps = {(uint16_t)p->f, i, k->line};
            lang_error(p->L, ps, 2, "an empty {} in a string");
            lang_hint(p->L, "put a value in it, or write {{}} for braces");
        } else {
            struct node *e = parse_expr(&sub);
            if (!sub.panic && peek(&sub) != T_EOF)
                syntax(&sub, "the end of the {hole}");
            if (e)
                push(p, &n->v, &n->nv, e);
        }
        i = j + 1;
        lit_off = i;
    }
    if (ln || n->nv == 0) {
        struct node *tx = mk(p, N_TEXT, k);
        if (!tx)
            return n;
        tx->pos.off = lit_off;
        tx->s = lit;
        tx->slen = (uint32_t)ln;
        push(p, &n->v, &n->nv, tx);
    }
    return n;
}

/* ---------- expressions ---------- */

static struct node *bin(struct parser *p, int kind, int op, const struct token *at,
                        struct node *a, struct node *b)
{
    struct node *n = mk(p, kind, at);
    if (!n)
        return NULL;
    n->op = (uint8_t)op;
    n->a = a;
    n->b = b;
    if (a)
        n->pos = a->pos;
    return n;
}

static int parse_args(struct parser *p, struct node *n)
{
    if (accept(p, T_RPAREN))
        return 0;
    for (;;) {
        struct node *a = parse_expr(p);
        if (!a || push(p, &n->v, &n->nv, a) != 0 || p->panic)
            return -1;
        if (accept(p, T_COMMA))
            continue;
        return expect(p, T_RPAREN, "',' or ')' after an argument") ? 0 : -1;
    }
}

/* [NAME 'in'] expr: the set of an aggregate or an each */
static struct node *parse_set(struct parser *p, struct node *owner)
{
    if (peek(p) == T_IDENT && peek2(p) == K_IN) {
        struct token *b = next(p);
        owner->bind = p->text + b->off;
        owner->blen = b->len;
        owner->bpos = tpos(p, b);
        next(p);
    }
    return parse_expr(p);
}

static struct node *parse_primary(struct parser *p)
{
    struct token *k = cur(p);
    struct node *n;
    switch (k->kind) {
    case T_NUMBER:
        next(p);
        if (!(n = mk(p, N_NUM, k)))
            return NULL;
        parse_number(p, k, n);
        return n;
    case T_DATE: {
        next(p);
        if (!(n = mk(p, N_DATE, k)))
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
        return parse_template(p, k);
    case K_TRUE:
    case K_FALSE:
        next(p);
        if (!(n = mk(p, N_BOOL, k)))
            return NULL;
        n->num = k->kind == K_TRUE;
        return n;
    case T_LPAREN: {
        next(p);
        n = parse_expr(p);
        expect(p, T_RPAREN, "')'");
        return n;
    }
    case T_LBRACE: {
        next(p);
        if (!(n = mk(p, N_SETLIT, k)))
            return NULL;
        if (accept(p, T_RBRACE))
            return n;
        for (;;) {
            struct node *e;
            if (peek(p) == T_IDENT && peek2(p) == T_COLON) {
                struct token *nm = next(p);
                next(p);
                n->kind = N_MAPLIT;
                if (!(e = mk(p, N_PAIR, nm)))
                    return NULL;
                e->s = p->text + nm->off;
                e->slen = nm->len;
                e->a = parse_or(p);
            } else {
                e = parse_or(p);
            }
            if (!e || push(p, &n->v, &n->nv, e) != 0 || p->panic)
                return n;
            if (accept(p, T_COMMA))
                continue;
            expect(p, T_RBRACE, "',' or '}' in a set");
            return n;
        }
    }
    case T_IDENT:
        next(p);
        if (peek(p) == T_LPAREN) {
            next(p);
            if (!(n = mk(p, N_CALL, k)))
                return NULL;
            n->s = p->text + k->off;
            n->slen = k->len;
            parse_args(p, n);
            return n;
        }
        if (!(n = mk(p, N_NAME, k)))
            return NULL;
        n->s = p->text + k->off;
        n->slen = k->len;
        return n;
    case K_EXISTS:
        next(p);
        if (!(n = mk(p, N_EXISTS, k)))
            return NULL;
        n->a = parse_primary(p);
        while (n->a && !p->panic && (peek(p) == T_DOT || peek(p) == T_LBRACK)) {
            struct token *d = next(p);
            if (d->kind == T_DOT) {
                struct token *nm = cur(p);
                if (!expect(p, T_IDENT, "a field name after '.'"))
                    break;
                struct node *f = mk(p, N_FIELD, nm);
                if (!f)
                    return NULL;
                f->a = n->a;
                f->s = p->text + nm->off;
                f->slen = nm->len;
                n->a = f;
            } else {
                struct node *x = bin(p, N_INDEX, 0, d, n->a, parse_expr(p));
                expect(p, T_RBRACK, "']'");
                n->a = x;
            }
        }
        return n;
    case K_IF:
        next(p);
        if (!(n = mk(p, N_IF, k)))
            return NULL;
        n->a = parse_or(p);
        expect(p, K_THEN, "'then' after the condition of 'if'");
        n->b = parse_or(p);
        if (accept(p, K_ELSE))
            n->c = parse_or(p);
        return n;
    case K_ANY:
    case K_COUNT:
    case K_SUM:
    case K_FIRST:
    case K_DISTINCT:
    case K_LATEST:
        next(p);
        if (!(n = mk(p, N_AGG, k)))
            return NULL;
        n->op = k->kind;
        if (!expect(p, T_LPAREN, "'(' after an aggregate: any(SET), sum(SET: value)"))
            return n;
        n->a = parse_set(p, n);
        if (k->kind == K_LATEST) {
            /* latest(SET by KEY, ...: ORDER, ...) */
            if (!is_word(p, cur(p), "by")) {
                syntax(p, "'by' and what makes rows the same thing: latest(SET by KEY: DATE)");
                return n;
            }
            next(p);
            for (;;) {
                struct node *e = parse_or(p);
                if (!e || push(p, &n->v, &n->nv, e) != 0 || p->panic)
                    return n;
                if (!accept(p, T_COMMA))
                    break;
            }
            if (!expect(p, T_COLON, "':' and the order (a date first): latest(SET by KEY: DATE)"))
                return n;
            if (!(n->c = mk(p, N_KITEM, cur(p))))
                return NULL;
            for (;;) {
                struct node *e = parse_or(p);
                if (!e || push(p, &n->c->v, &n->c->nv, e) != 0 || p->panic)
                    return n;
                if (!accept(p, T_COMMA))
                    break;
            }
        } else if (accept(p, T_COLON)) {
            n->b = parse_expr(p);
        }
        expect(p, T_RPAREN, "')' to close the aggregate");
        return n;
    case K_FIRES: {
        next(p);
        if (!(n = mk(p, N_FIRES, k)))
            return NULL;
        struct token *id = cur(p);
        if (!expect(p, T_IDENT, "a rule id after 'fires'"))
            return n;
        n->s = p->text + id->off;
        n->slen = id->len;
        n->pos = tpos(p, id);
        if (expect(p, T_LPAREN, "'(' and the unit: fires E03_VEHICLE(p)"))
            parse_args(p, n);
        return n;
    }
    default:
        syntax(p, "a value");
        return err_node(p);
    }
}

static struct node *parse_postfix(struct parser *p)
{
    struct node *n = parse_primary(p);
    while (n && !p->panic) {
        if (peek(p) == T_DOT) {
            next(p);
            struct token *nm = cur(p);
            if (!expect(p, T_IDENT, "a field name after '.'"))
                return n;
            struct node *f = mk(p, N_FIELD, nm);
            if (!f)
                return NULL;
            f->a = n;
            f->s = p->text + nm->off;
            f->slen = nm->len;
            n = f;
        } else if (peek(p) == T_LBRACK) {
            struct token *b = next(p);
            struct node *x = bin(p, N_INDEX, 0, b, n, parse_expr(p));
            expect(p, T_RBRACK, "']'");
            n = x;
        } else {
            break;
        }
    }
    return n;
}

static struct node *parse_unary(struct parser *p)
{
    if (peek(p) == T_MINUS) {
        struct token *k = next(p);
        struct node *n = mk(p, N_NEG, k);
        if (n)
            n->a = parse_unary(p);
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
        struct node *n = mk(p, N_NOT, k);
        if (n)
            n->a = parse_not(p);
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

static struct node *parse_or(struct parser *p)
{
    struct node *a = parse_and(p);
    while (!p->panic && peek(p) == K_OR) {
        struct token *k = next(p);
        a = bin(p, N_OR, 0, k, a, parse_and(p));
    }
    return a;
}

static struct node *parse_expr(struct parser *p)
{
    struct node *a = parse_or(p);
    if (!p->panic && peek(p) == K_WHERE) {
        struct token *k = next(p);
        a = bin(p, N_WHERE, 0, k, a, parse_or(p));
    }
    return a;
}

/* ---------- evidence and keys ---------- */

static struct node *parse_piece(struct parser *p)
{
    struct token *k = cur(p);
    if (k->kind == T_STRING) {
        next(p);
        return parse_template(p, k);
    }
    if (k->kind == K_IF) {
        next(p);
        struct node *n = mk(p, N_IF, k);
        if (!n)
            return NULL;
        n->a = parse_or(p);
        expect(p, K_THEN, "'then' after the condition of 'if'");
        n->b = parse_piece(p);
        if (accept(p, K_ELSE))
            n->c = parse_piece(p);
        return n;
    }
    if (k->kind == K_EACH) {
        next(p);
        struct node *n = mk(p, N_EACH, k);
        if (!n)
            return NULL;
        n->a = parse_set(p, n);
        if (accept(p, K_JOINED)) {
            struct token *s = cur(p);
            if (expect(p, T_STRING, "a string after 'joined'"))
                n->c = parse_template(p, s);
        }
        expect(p, T_COLON, "':' before the text of each element");
        n->b = parse_piece(p);
        return n;
    }
    syntax(p, "a string, 'if' or 'each' in the evidence");
    return err_node(p);
}

static struct node *parse_kitem(struct parser *p)
{
    struct token *k = cur(p);
    struct node *n;
    if (k->kind == K_EACH) {
        next(p);
        if (!(n = mk(p, N_EACH, k)))
            return NULL;
        n->a = parse_set(p, n);
        expect(p, T_COLON, "':' before the key fields of each element");
    } else if (!(n = mk(p, N_KITEM, k))) {
        return NULL;
    }
    for (;;) {
        struct node *f = parse_or(p);
        if (!f || push(p, &n->v, &n->nv, f) != 0 || p->panic)
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
        syntax(p, "a severity: high, medium, low or off");
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
        pa->values[n] = parse_or(p);
        pa->nvalues = ++n;
        if (p->panic || !is_word(p, cur(p), "from"))
            return 0;
        next(p);
        struct token *d = cur(p);
        if (!expect(p, T_DATE, "a date (YYYY-MM-DD) after 'from'"))
            return 0;
        dp = tpos(p, d);
        if (date_parse(p->text + d->off, 10, &day) != 0) {
            lang_error(p->L, dp, 10, "%.10s is not a real date", p->text + d->off);
            day = 0;
        }
        if (!expect(p, T_COLON, "':' after the date, then the value in force from it"))
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
    if (!expect(p, T_IDENT, "the parameter's name"))
        return pa;
    pa->name = p->text + nm->off;
    pa->nlen = nm->len;
    pa->pos = tpos(p, nm);
    if (!is_override || peek(p) == T_COLON) {
        if (!expect(p, T_COLON, "':' and the parameter's type (money, count, set of usage...)"))
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
        else if (!expect(p, T_IDENT, "a type name"))
            return pa;
        pa->type = mk(p, N_NAME, ty);
        if (!pa->type)
            return pa;
        pa->type->s = p->text + ty->off;
        pa->type->slen = ty->len;
        if (is_word(p, cur(p), "by")) {
            next(p);
            struct token *by = cur(p);
            if (!expect(p, T_IDENT, "an enumeration after 'by' (program, area_type...)"))
                return pa;
            pa->by = p->text + by->off;
            pa->bylen = by->len;
            pa->bypos = tpos(p, by);
        }
    }
    if (!expect(p, T_EQ, "'=' and the parameter's value"))
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
    if (!expect(p, T_IDENT, "the name of the definition"))
        return d;
    d->name = p->text + nm->off;
    d->nlen = nm->len;
    d->pos = tpos(p, nm);
    if (!expect(p, T_LPAREN, "'(' and its arguments: define name(p) = ..."))
        return d;
    if (!accept(p, T_RPAREN)) {
        for (;;) {
            struct token *a = cur(p);
            if (!expect(p, T_IDENT, "an argument name"))
                return d;
            if (!(d->args = lang_grow(p->L, d->args, d->nargs, sizeof *d->args)) ||
                !(d->arglen = lang_grow(p->L, d->arglen, d->nargs, sizeof *d->arglen)))
                return d;
            d->args[d->nargs] = p->text + a->off;
            d->arglen[d->nargs++] = a->len;
            if (accept(p, T_COMMA))
                continue;
            if (!expect(p, T_RPAREN, "',' or ')'"))
                return d;
            break;
        }
    }
    if (expect(p, T_EQ, "'=' and the definition"))
        d->body = parse_expr(p);
    return d;
}

static const char *const unit_words[] = {"household", "member", "cancelled", "candidate"};

static void parse_for(struct parser *p, struct rule_ast *r)
{
    struct token *k = cur(p);
    r->unit_pos = tpos(p, k);
    int u = name_in(p, k, unit_words, 4);
    if (k->kind != T_IDENT || u < 0) {
        syntax(p, "the unit: household, member, cancelled household or candidate");
        lang_suggest(p->L, p->text + k->off, k->len, unit_words, 4);
        return;
    }
    next(p);
    if (u == 2) {
        if (!is_word(p, cur(p), "household")) {
            syntax(p, "'household' after 'cancelled'");
            return;
        }
        next(p);
        u = U_CANCELLED;
    } else {
        u = u == 0 ? U_HOUSEHOLD : u == 1 ? U_MEMBER : U_CANDIDATE;
    }
    r->unit = u;
    struct token *v = cur(p);
    if (!expect(p, T_IDENT, "a name for the unit (for member m)"))
        return;
    r->var = p->text + v->off;
    r->varlen = v->len;
    if (accept(p, K_WHERE))
        r->where = parse_or(p);
}

/* The current token starts no clause: say so, with the close clause word. */
static void not_a_clause(struct parser *p)
{
    static const char *const clauses[] = {"for", "each", "requires", "let", "when",
                                          "evidence", "key"};
    struct token *k = cur(p);
    char f[64];
    found(p, f, sizeof f);
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
        if (!expect(p, T_IDENT, "a name for each element (each p in SET)"))
            return;
        r->each_var = p->text + v->off;
        r->each_len = v->len;
        r->each_pos = tpos(p, v);
        if (expect(p, K_IN, "'in' and the set"))
            r->each_set = parse_expr(p);
        break;
    }
    case K_REQUIRES:
        for (;;) {
            struct node *q;
            if (is_word(p, cur(p), "feed") && peek2(p) == T_IDENT) {
                struct token *f = next(p);
                struct token *nm = next(p);
                if (!(q = mk(p, N_FEED, f)))
                    return;
                q->s = p->text + nm->off;
                q->slen = nm->len;
                q->bpos = tpos(p, nm);
            } else {
                q = parse_or(p);
            }
            if (!q || push(p, &r->requires, &r->nreq, q) != 0 || p->panic)
                return;
            if (!accept(p, T_COMMA))
                break;
        }
        break;
    case K_LET: {
        struct token *nm = cur(p);
        if (!expect(p, T_IDENT, "the let's name"))
            return;
        if (!expect(p, T_EQ, "'=' after the let's name"))
            return;
        struct let_ast *nl = lang_grow(p->L, r->lets, r->nlets, sizeof *nl);
        if (!nl)
            return;
        r->lets = nl;
        struct let_ast *l = &r->lets[r->nlets++];
        l->name = p->text + nm->off;
        l->nlen = nm->len;
        l->pos = tpos(p, nm);
        l->value = parse_expr(p);
        break;
    }
    case K_WHEN:
        if (r->when) {
            lang_error(p->L, tpos(p, k), k->len, "a second 'when' in rule %.*s", (int)r->idlen,
                       r->id);
            lang_hint(p->L, "join the conditions with 'and' or 'or'");
        }
        r->when = parse_expr(p);
        break;
    case K_EVIDENCE:
        for (;;) {
            struct node *x = parse_piece(p);
            if (!x || push(p, &r->evidence, &r->nev, x) != 0 || p->panic)
                return;
            if (!accept(p, T_COMMA))
                break;
        }
        break;
    case K_KEY:
        for (;;) {
            struct node *x = parse_kitem(p);
            if (!x || push(p, &r->key, &r->nkey, x) != 0 || p->panic)
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
    if (!expect(p, T_IDENT, "the rule id (rule E03_VEHICLE cuobao high)")) {
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
        syntax(p, "the rule's kind: cuobao, loubao, quality or process");
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
    if (!expect(p, T_IDENT, "a rule id or 'param' after 'override'"))
        return o;
    o->rule = p->text + id->off;
    o->rlen = id->len;
    o->pos = tpos(p, id);
    if (!expect(p, T_DOT, "'.' and what to replace (override E03_VEHICLE.v = ...)"))
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
        syntax(p, "a let's name, when, where, evidence, key or severity");
        return o;
    }
    if (!expect(p, T_EQ, "'=' and the replacement"))
        return o;
    switch (o->what) {
    case OV_EVIDENCE:
        for (;;) {
            struct node *x = parse_piece(p);
            if (!x || push(p, &o->list, &o->nlist, x) != 0 || p->panic)
                break;
            if (!accept(p, T_COMMA))
                break;
        }
        break;
    case OV_KEY:
        for (;;) {
            struct node *x = parse_kitem(p);
            if (!x || push(p, &o->list, &o->nlist, x) != 0 || p->panic)
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
        o->value = parse_expr(p);
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
            if (expect(p, T_IDENT, "the base policy's name (extends reference)")) {
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
            if (expect(p, T_IDENT, "a rule id after 'off'")) {
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
            syntax(p, "rule, param, define, override, off or extends");
            lang_suggest(L, p->text + k->off, k->len, items, 6);
            next(p);
        }
        }
        if (p->panic || !is_item_start(peek(p))) {
            if (!p->panic)
                syntax(p, "the next item (rule, param, define...)");
            sync_item(p);
        }
    }
    return a;
}
