/* parse_int.h - shared by parse.c (expressions, strings) and parse_items.c
 * (rules, parameters, packs, the file).  Not for other files.
 */
#ifndef POLICY_PARSE_INT_H
#define POLICY_PARSE_INT_H

#include <string.h>

#include "policy/ast.h"

struct parser {
    struct lang *L;
    int f;
    const char *text;
    struct token *t;
    int n, i;
    int panic;          /* an error in this clause: stop until a sync point */
};

static inline struct token *cur(struct parser *p)
{
    return &p->t[p->i < p->n ? p->i : p->n - 1];
}

static inline int peek(struct parser *p)
{
    return cur(p)->kind;
}

static inline int peek2(struct parser *p)
{
    return p->i + 1 < p->n ? p->t[p->i + 1].kind : T_EOF;
}

static inline struct pos tpos(struct parser *p, const struct token *k)
{
    struct pos ps = {(uint16_t)p->f, k->off, k->line, k->off, k->off + k->len};
    return ps;
}

/* n's span (pos.from, pos.end) widened to [from, the last token taken). */
static inline void ps_span(struct parser *p, struct node *n, uint32_t from)
{
    if (!n)
        return;
    if (from < n->pos.from || n->pos.end == 0)
        n->pos.from = from;
    if (p->i > 0) {
        const struct token *last = &p->t[p->i - 1];
        if (last->off + last->len > n->pos.end)
            n->pos.end = last->off + last->len;
    }
}

static inline struct token *next(struct parser *p)
{
    struct token *k = cur(p);
    if (p->i < p->n - 1)
        p->i++;
    return k;
}

static inline int accept(struct parser *p, int kind)
{
    if (peek(p) == kind) {
        next(p);
        return 1;
    }
    return 0;
}

static inline int is_word(struct parser *p, const struct token *k, const char *w)
{
    return k->kind == T_IDENT && k->len == strlen(w) && memcmp(p->text + k->off, w, k->len) == 0;
}

/* "found 'xyz'" text for the current token */

/* parse.c */
void ps_found(struct parser *p, char *buf, size_t n);       /* "'xyz'" for the current token */
void ps_syntax(struct parser *p, const char *what);         /* "expected WHAT, found X" */
int ps_expect(struct parser *p, int kind, const char *what);
struct node *ps_mk(struct parser *p, int kind, const struct token *at);
struct node *ps_err_node(struct parser *p);
int ps_push(struct parser *p, struct node ***v, int *n, struct node *x);
struct node *ps_template(struct parser *p, const struct token *k);
struct node *ps_expr(struct parser *p);                      /* or ['where' or] */
struct node *ps_or(struct parser *p);
struct node *ps_set(struct parser *p, struct node *owner);  /* [NAME 'in'] expr */

#endif
