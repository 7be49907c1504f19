/* check_text.c - evidence and keys in the rules language's checker.
 *
 * Owns: what may be printed (numbers, dates, months, text, enumerations,
 * bools; not rows or sets), `if` without `else`, `X ?? 'text'`, `yuan(X)`
 * and `masked(X)` (only in evidence and key), each's element scope.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "contract/model.h"
#include "policy/check_int.h"

/* ---------- evidence and keys ---------- */

/* yuan(MONEY): two decimals, "..." after a value that is not whole fen;
 * masked(TEXT): an ID-like value with its first 6 and last 4 characters
 * kept (idmask_value).  Print formats, so only in a hole: an I_FN the
 * compiler turns into a TVAL (compile_text.c), never into a value. */
static struct ir *print_fn(struct chk *k, struct env *env, const struct node *n, int fn)
{
    char b[48];
    if (n->nv != 1) {
        chk_error(k, n->pos, n->slen, "%s() takes 1 argument", fn == FN_YUAN ? "yuan" : "masked");
        return chk_bad(k, n->pos);
    }
    struct ir *a = cx(k, env, n->v[0]);
    struct ir *x = a ? ir_new(k, I_FN, n->pos) : NULL;
    if (!x)
        return NULL;
    x->sub = (uint8_t)fn;
    x->x = a;
    x->t = T(TY_TEXT, 0, 0);
    if (a->t.b != TY_ERR && a->t.b != (fn == FN_YUAN ? TY_MONEY : TY_TEXT)) {
        chk_error(k, n->v[0]->pos, span(n->v[0]), "%s(%s): expected %s",
                  fn == FN_YUAN ? "yuan" : "masked", ty_name(a->t, b, sizeof b),
                  fn == FN_YUAN ? "an amount of money" : "a text (an id_no, an account_no)");
        return chk_bad(k, n->pos);
    }
    return x;
}

struct ir *cx_hole(struct chk *k, struct env *env, const struct node *n)
{
    if (!n)
        return NULL;
    char b[48];
    struct ir *x;
    if (n->kind == N_CALL && (samez(n->s, n->slen, "yuan") || samez(n->s, n->slen, "masked")))
        return print_fn(k, env, n, samez(n->s, n->slen, "yuan") ? FN_YUAN : FN_MASKED);
    switch (n->kind) {
    case N_IF: {
        struct ir *c = cx_bool(k, env, n->a, "the condition of 'if'");
        if (!c || !(x = ir_new(k, I_IF, n->pos)))
            return NULL;
        x->sub = 1;   /* each branch printed on its own */
        x->x = c;
        x->y = cx_hole(k, env, n->b);
        x->z = n->c ? cx_hole(k, env, n->c) : NULL;
        x->t = T(TY_TEXT, 0, 0);
        return x;
    }
    case N_COALESCE: {
        struct ir *a = cx(k, env, n->a);
        if (!a || !(x = ir_new(k, I_COALESCE, n->pos)))
            return NULL;
        if (a->t.b != TY_ERR && a->t.b != TY_DATE && (a->t.b == TY_ROW || !printable(a->t))) {
            chk_error(k, n->pos, 2, "'?" "?' follows a value that may be missing (a date, a "
                      "column of a missing row); this is %s", ty_name(a->t, b, sizeof b));
        }
        x->x = a;
        x->y = cx_hole(k, env, n->b);
        x->t = T(TY_TEXT, 0, 0);
        return x;
    }
    case N_TEMPLATE:
        return chk_template(k, env, n, 1);
    default:
        x = cx(k, env, n);
        if (x && !printable(x->t)) {
            if (x->t.b == TY_ROW)
                chk_error(k, n->pos, span(n), "%s cannot be printed; name one of its columns "
                          "(e.g. {v.plate_no})", ty_name(x->t, b, sizeof b));
            else
                chk_error(k, n->pos, span(n), "%s cannot be printed; count(), sum() or each "
                          "turn a set into text", ty_name(x->t, b, sizeof b));
            return chk_bad(k, n->pos);
        }
        return x;
    }
}

static struct ir *each_head(struct chk *k, struct env *env, const struct node *n,
                            struct env *el)
{
    struct ir *s = cx(k, env, n->a);
    if (!s)
        return NULL;
    struct ty et = chk_elem_of(k, s, n->a);
    struct ir *x = ir_new(k, I_EACH, n->pos);
    if (!x)
        return NULL;
    x->x = s;
    x->a = k->cur->nslots++;
    struct env e = {env, ENV_ELEM, n->bind, n->blen, x->a, et, NULL, NULL, NULL, 0, NULL};
    *el = e;
    x->t = T(TY_TEXT, 0, 0);
    return x;
}

struct ir *cx_piece(struct chk *k, struct env *env, const struct node *n)
{
    if (!n)
        return NULL;
    switch (n->kind) {
    case N_TEMPLATE:
        return chk_template(k, env, n, 1);
    case N_IF: {
        struct ir *c = cx_bool(k, env, n->a, "the condition of 'if'");
        struct ir *x = ir_new(k, I_IF, n->pos);
        if (!c || !x)
            return NULL;
        x->sub = 1;
        x->x = c;
        x->y = cx_piece(k, env, n->b);
        x->z = n->c ? cx_piece(k, env, n->c) : NULL;
        x->t = T(TY_TEXT, 0, 0);
        return x;
    }
    case N_EACH: {
        struct env el;
        struct ir *x = each_head(k, env, n, &el);
        if (!x)
            return NULL;
        x->y = cx_piece(k, &el, n->b);
        x->z = n->c ? chk_template(k, env, n->c, 1) : NULL;
        return x;
    }
    case N_ERROR:
        return chk_bad(k, n->pos);
    default:
        chk_error(k, n->pos, 1, "evidence is made of strings, 'if ... then ...' and 'each'");
        return chk_bad(k, n->pos);
    }
}

struct ir *cx_kitem(struct chk *k, struct env *env, const struct node *n)
{
    struct env el;
    struct env *fe = env;
    struct ir *x;
    if (n->kind == N_EACH) {
        if (!(x = each_head(k, env, n, &el)))
            return NULL;
        x->sub = 1;
        fe = &el;
        if (n->b) {   /* a nested each: its key items per pair (compile_text.c) */
            x->y = cx_kitem(k, fe, n->b);
            return x->y ? x : NULL;
        }
    } else {
        if (!(x = ir_new(k, I_KITEM, n->pos)))
            return NULL;
        x->t = T(TY_TEXT, 0, 0);
    }
    x->v = lang_alloc(k->L, (size_t)(n->nv + 1) * sizeof *x->v);
    if (!x->v)
        return NULL;
    for (int i = 0; i < n->nv; i++) {
        struct ir *f = cx_hole(k, fe, n->v[i]);
        if (!f)
            return NULL;
        x->v[x->nv++] = f;
    }
    return x;
}
