/* compile_int.h - shared by the compiler's files: compile.c (values,
 * conditions, sets, aggregates), compile_text.c (evidence and keys) and
 * compile_rules.c (rule blocks and the program's layout).  Not for other
 * layers.
 */
#ifndef POLICY_COMPILE_INT_H
#define POLICY_COMPILE_INT_H

#include "policy/ir.h"
#include "policy/prog.h"

/* per-month sums of the income window (compile_month.c) */
#define MAX_BUCKETS 8

struct bucket {
    const struct ir *agg[MAX_BUCKETS];    /* the inner sums read from buckets */
    const struct ir *rest[MAX_BUCKETS][8];/* their other conjuncts */
    int nrest[MAX_BUCKETS];
    int base[MAX_BUCKETS];                /* first of W registers, one per month */
    int n;
    const struct ir *person;
    int month;                            /* the month being compiled: 0 .. W-1 */
};

struct comp {
    struct lang *L;
    struct prog *P;
    int cap_ops, cap_consts, cap_cregs;
    int nreg;
    int *let_reg;                /* per let of the rule */
    int memo_base;
    int *slot_reg;               /* element slot -> register bound now */
    int nslots;
    int loop_depth;
    int fail;
    uint32_t line;
    const struct crule *rule;    /* the rule being compiled (its let table) */
    /* builtins computed once at the top of the members loop: (register of
     * the member, builtin) -> register */
    struct {
        int src, which, reg;
    } bcache[8];
    int nbcache;
    /* per-month sums being read from buckets (compile.c, window_sum) */
    const struct bucket *buckets;
    const int *have;             /* optional feeds present (enum input_file), or NULL */
    /* explain (trace.c): trace points wanted, the policy, the rule's index,
     * the aggregate whose elements are traced, the tokens of each file */
    int trace;
    const struct cpolicy *cp;
    int rule_index;
    const struct ir *trace_agg;
    int cap_tp;
    struct token *ftok[LANG_MAX_FILES];
    int nftok[LANG_MAX_FILES];
};

/* A FOR body: called with the element's register. */
struct body {
    void (*fn)(struct comp *c, int elem, const void *ctx);
    const void *ctx;
};

/* Jumps to patch to one place. */
struct jlist {
    int *at;
    int n, cap;
};

/* compile.c */
int cc_emit(struct comp *c, int code, int x, int y, int a, int b, int cc, int d);
void cc_patch(struct comp *c, int at);
void cc_patch_all(struct comp *c, struct jlist *jl);
int cc_const(struct comp *c, struct vval v);            /* an entry of P->consts */
int cc_const_text(struct comp *c, const char *s, uint32_t len);
int cc_const_num(struct comp *c, __int128 n, __int128 d);
int cc_newreg(struct comp *c);
void cc_internal(struct comp *c, const struct ir *x, const char *what);
int cc_expr(struct comp *c, const struct ir *x);        /* the register holding x */
/* Fall through when x is true; otherwise jump to a place added to *jl. */
void cc_false(struct comp *c, const struct ir *x, struct jlist *jl);
void cc_iter(struct comp *c, const struct ir *s, struct body b);
void cc_for(struct comp *c, int source, int y, int cc, int src, struct body b);
int cc_fmt(struct ty t);

int cc_creg(struct comp *c, struct vval v);             /* constant register of v */
int cc_cmp_class(struct ty a, struct ty b);             /* CMP class (prog.h) */
void cc_jl_add(struct comp *c, struct jlist *jl, int at);
int cc_internal_oom(struct comp *c);                     /* out of memory: -1 */

/* compile_month.c: sum over the window with per-month inner sums, or -1 */
int cc_window_sum(struct comp *c, const struct ir *x);

/* trace.c: trace points for explain (only when c->trace; prog.h enum tp_kind) */
void tc_unit(struct comp *c, const struct crule *r, int reg);
/* Like cc_false, one conjunct at a time, each traced (kind TP_FILTER ...). */
void tc_cond(struct comp *c, const struct ir *x, int kind, struct jlist *jl);
void tc_sets(struct comp *c, const struct crule *r);
void tc_let(struct comp *c, int let, int reg);
void tc_fired(struct comp *c);
/* inside the traced aggregate's body: the element, then its part's value */
void tc_elem(struct comp *c, const struct ir *agg, int elem);
int tc_part(struct comp *c, const struct ir *body);
/* the tokens of file f (lexed once per compile), or NULL */
const struct token *tc_tokens(struct comp *c, int f, int *n);

/* compile_text.c */
void cc_piece(struct comp *c, const struct ir *x);
void cc_key_item(struct comp *c, const struct ir *x);

#endif
