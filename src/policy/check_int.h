/* check_int.h - shared by check.c (policies, parameters, rules, packs) and
 * check_expr.c (expressions, evidence, keys).  Not for other layers.
 *
 * Scopes: a name is looked up from the innermost scope out:
 *   ENV_ELEM   an aggregate's element: its name (`p in S`), and its columns
 *              bare (`status` inside `m.vehicles where status = valid`);
 *   ENV_ALIAS  a define's arguments, bound to the caller's checked values;
 *   ENV_RULE   a rule's unit (m, h, c), `h` of a member rule, the each
 *              element, the rule's lets;
 *   ENV_BARRIER a define's body sees nothing of its caller but its arguments;
 * then the parameters and the built-in names (as_of, window_months, window).
 */
#ifndef POLICY_CHECK_INT_H
#define POLICY_CHECK_INT_H

#include "policy/ir.h"

/* An effective parameter, resolved on the as-of date. */
struct eparam {
    const struct param_ast *ast;    /* the declaration that set its type */
    const struct param_ast *val;    /* the one whose values are in force (an override) */
    struct ty t;                    /* element type for tables */
    int table;                      /* "by ENUM": vals[] per enum value */
    int by_enum;
    struct ir *value;               /* I_CONST in force, or NULL (table / error) */
    struct ir **vals;               /* table: one I_CONST per enum value */
    int file;                       /* file that declared it */
    int used;
    int pick;                       /* index of the value in force in val->values */
};

/* A rule being checked, or being applied by `fires` to another unit. */
struct rctx {
    const struct rule_ast *r;
    struct ir *unit;                /* the unit's value */
    struct ir *each;                /* the each element (slot 1), or NULL */
    struct ir **let_ref;            /* per r->lets[i]: what a use returns; NULL unchecked */
    uint8_t *let_state;             /* 0 unchecked, 1 in progress, 2 done */
    struct pos via;                 /* where `fires` applied it (via.line 0: its own) */
};

enum env_kind { ENV_ELEM, ENV_ALIAS, ENV_RULE, ENV_BARRIER };

struct env {
    struct env *up;
    int kind;
    /* ENV_ELEM */
    const char *name;
    uint32_t nlen;
    int slot;
    struct ty t;
    /* ENV_ALIAS */
    const char *const *names;
    const uint32_t *lens;
    struct ir **vals;
    int n;
    /* ENV_RULE */
    struct rctx *rc;
};

struct chk {
    struct lang *L;
    int as_of, window_months;
    struct eparam *params;
    int nparams;
    struct define_ast **defines;
    int ndefines;
    const struct rule_ast **rules;  /* effective rules, catalogue order of first appearance */
    int nrules;
    int top_file;                   /* the entry file (unused parameters are errors there) */
    struct crule *cur;              /* the rule whose lets and slots grow */
    /* what is being expanded, for cycles and messages */
    const void *stack[32];
    int depth;
    struct pos via;                 /* innermost fires/define use, for messages */
    int expanding;
    int budget;                     /* errors still reported in this expansion (one:
                                       the rest follow from it) */
    int unknown_ids;                /* rules with an id the catalogue lacks */
};

/* ---------- small helpers ---------- */

#include <string.h>

static inline struct ty T(int b, int e, int eb)
{
    struct ty t = {(uint8_t)b, (uint8_t)e, (uint8_t)eb};
    return t;
}

static inline int same(const char *a, size_t alen, const char *b, size_t blen)
{
    return a && alen == blen && memcmp(a, b, alen) == 0;
}

static inline int samez(const char *a, size_t alen, const char *z)
{
    return same(a, alen, z, strlen(z));
}

/* unit of a number: 0 none, 1 money, 2 area */
static inline int dim(struct ty t)
{
    return t.b == TY_MONEY ? 1 : t.b == TY_AREA ? 2 : 0;
}

static inline int printable(struct ty t)
{
    return t.b == TY_ERR || t.b == TY_BOOL || ty_is_num(t) || t.b == TY_DATE ||
           t.b == TY_MONTH || t.b == TY_TEXT || t.b == TY_ENUM;
}

/* bytes to underline for a node */
static inline uint32_t span(const struct node *n)
{
    return n && (n->kind == N_NAME || n->kind == N_FIELD || n->kind == N_CALL) ? n->slen : 1;
}

/* check_expr.c */
struct ir *chk_bad(struct chk *k, struct pos pos);              /* TY_ERR: reported already */
const char *chk_cstr(struct chk *k, const char *s, size_t len); /* NUL-terminated copy */
struct ir *chk_var(struct chk *k, int slot, struct ty t, struct pos pos);
struct ir *chk_col(struct chk *k, struct ir *row, const struct col *c, struct pos pos);
/* what a bare name stands for, or NULL (nothing reported) */
struct ir *chk_lookup(struct chk *k, struct env *env, const char *s, uint32_t len,
                      struct pos pos);
struct ir *chk_name(struct chk *k, struct env *env, const struct node *n);   /* reports */
struct ir *chk_enum_side(struct chk *k, struct env *env, const struct node *n, int e);
struct ty chk_arith_type(struct chk *k, int op, struct ty a, struct ty b, struct pos pos);
struct ir *chk_template(struct chk *k, struct env *env, const struct node *n, int holes);
struct ir *ir_new(struct chk *k, int op, struct pos pos);
struct ir *ir_const_bool(struct chk *k, int v, struct pos pos);
struct ir *cx(struct chk *k, struct env *env, const struct node *n);
/* `feed NAME` (check.c): an optional feed's presence, or NULL after an error. */
struct ir *chk_feed(struct chk *k, const struct node *q);
struct ir *cx_bool(struct chk *k, struct env *env, const struct node *n, const char *what);
/* a template hole or key field: if without else, ??, printable */
struct ir *cx_hole(struct chk *k, struct env *env, const struct node *n);
struct ir *cx_piece(struct chk *k, struct env *env, const struct node *n);
struct ir *cx_kitem(struct chk *k, struct env *env, const struct node *n);
void chk_error(struct chk *k, struct pos pos, uint32_t span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* check_sets.c */
/* the element type of a set or list; TY_ERR (reported) if x is neither */
struct ty chk_elem_of(struct chk *k, struct ir *x, const struct node *n);
struct ir *chk_aggregate(struct chk *k, struct env *env, const struct node *n);
struct ir *chk_where(struct chk *k, struct env *env, const struct node *n);
struct ir *chk_field(struct chk *k, struct env *env, const struct node *n);
struct ir *chk_call(struct chk *k, struct env *env, const struct node *n);
struct ir *chk_pick(struct chk *k, struct env *env, const struct node *n);

/* check_param.c: type, values and the value in force on the as-of date */
void chk_resolve_param(struct chk *k, struct eparam *p);

/* uses.c: the parameters rule r reads, into cr->params (indexes of k->params) */
void chk_rule_params(struct chk *k, const struct rule_ast *r, struct crule *cr);

/* check.c */
struct ir *chk_let(struct chk *k, struct rctx *rc, int i);
struct ir *chk_fires(struct chk *k, struct env *env, const struct node *n);
/* on(RULE): whether RULE is judged (written, not off, its feeds present). */
struct ir *chk_rule_on(struct chk *k, const struct node *n);
const struct rule_ast *chk_find_rule(struct chk *k, const char *s, size_t len);
struct eparam *chk_find_param(struct chk *k, const char *s, size_t len);

#endif
