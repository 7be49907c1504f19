/* check_param.c - a parameter's type, values and dates (rules/README.md
 * "Parameters").
 *
 * Owns: the literal values each type takes (money and areas with at most
 * two decimals and no %, counts whole, ratios and shares as decimals or %,
 * dates, plain text, enumeration values with "did you mean", sets without
 * repeats, tables with exactly one value per member of their enumeration),
 * and the value in force on the as-of date: the last `from` date on or
 * before it (dates strictly increasing, checked), else the first value.
 */
#include <stdio.h>
#include <string.h>

#include "contract/model.h"
#include "policy/check_int.h"

/* ---------- parameters ---------- */

static const char *const base_types[] = {"money", "area", "share", "ratio", "count", "date",
                                         "text"};
static const int base_tys[] = {TY_MONEY, TY_AREA, TY_RATIO, TY_RATIO, TY_COUNT, TY_DATE,
                               TY_TEXT};

static int enum_by_name(const char *s, size_t len)
{
    for (int i = 0; i < N_ENUMS; i++)
        if (same(enum_defs[i].type_name, strlen(enum_defs[i].type_name), s, len))
            return i;
    return -1;
}

/* One literal value of type t (element type for sets and tables). */
static struct ir *param_value(struct chk *k, const struct param_ast *pa, struct ty t,
                              const struct node *n)
{
    if (!n || n->kind == N_ERROR)
        return NULL;
    struct ir *x = ir_new(k, I_CONST, n->pos);
    if (!x)
        return NULL;
    x->t = t;
    x->sub = 1;
    char b[48];
    switch (t.b) {
    case TY_MONEY:
    case TY_AREA:
    case TY_COUNT:
    case TY_RATIO:
        if (n->kind != N_NUM)
            break;
        if ((t.b == TY_MONEY || t.b == TY_AREA) && (n->op || n->den > 100)) {
            lang_error(k->L, n->pos, 1, "%s takes at most two decimals and no %%",
                       ty_name(t, b, sizeof b));
            return NULL;
        }
        if (t.b == TY_COUNT && n->den != 1) {
            lang_error(k->L, n->pos, 1, "a count is a whole number");
            return NULL;
        }
        x->num = n->num;
        x->den = n->den;
        return x;
    case TY_DATE:
        if (n->kind != N_DATE)
            break;
        x->num = n->num;
        return x;
    case TY_TEXT:
        if (n->kind != N_TEMPLATE || n->nv > 1 || (n->nv == 1 && n->v[0]->kind != N_TEXT))
            break;
        x->s = n->nv ? n->v[0]->s : "";
        x->len = n->nv ? n->v[0]->slen : 0;
        return x;
    case TY_ENUM: {
        if (n->kind != N_NAME)
            break;
        int i = enum_lookup(enum_defs[t.e].names, enum_defs[t.e].n, n->s, n->slen);
        if (i < 0) {
            lang_error(k->L, n->pos, n->slen, "'%.*s' is not a %s", (int)n->slen, n->s,
                       enum_defs[t.e].type_name);
            lang_suggest(k->L, n->s, n->slen, enum_defs[t.e].names, enum_defs[t.e].n);
            return NULL;
        }
        x->num = i;
        return x;
    }
    case TY_ENUMSET: {
        if (n->kind != N_SETLIT)
            break;
        int64_t bits = 0;
        for (int j = 0; j < n->nv; j++) {
            const struct node *v = n->v[j];
            int i = v->kind == N_NAME ? enum_lookup(enum_defs[t.e].names, enum_defs[t.e].n,
                                                    v->s, v->slen) : -1;
            if (i < 0) {
                lang_error(k->L, v->pos, v->kind == N_NAME ? v->slen : 1,
                           "'%.*s' is not a %s", v->kind == N_NAME ? (int)v->slen : 1,
                           v->kind == N_NAME ? v->s : "?", enum_defs[t.e].type_name);
                if (v->kind == N_NAME)
                    lang_suggest(k->L, v->s, v->slen, enum_defs[t.e].names, enum_defs[t.e].n);
                continue;
            }
            if (bits & ((int64_t)1 << i))
                lang_error(k->L, v->pos, v->slen, "'%.*s' is in the set twice", (int)v->slen,
                           v->s);
            bits |= (int64_t)1 << i;
        }
        x->num = bits;
        return x;
    }
    }
    lang_error(k->L, n->pos, 1, "parameter %.*s is %s: this value is not one", (int)pa->nlen,
               pa->name, ty_name(t, b, sizeof b));
    return NULL;
}

void chk_resolve_param(struct chk *k, struct eparam *p)
{
    const struct param_ast *a = p->ast, *v = p->val;
    const struct node *tn = a->type;
    if (!tn)
        return;
    int base = -1;
    for (int i = 0; i < 7; i++)
        if (same(base_types[i], strlen(base_types[i]), tn->s, tn->slen))
            base = i;
    int en = enum_by_name(tn->s, tn->slen);
    if (a->set_of) {
        if (en < 0) {
            lang_error(k->L, tn->pos, tn->slen, "'set of' takes an enumeration (vehicle_class, "
                       "usage, business_role...), not '%.*s'", (int)tn->slen, tn->s);
            return;
        }
        p->t = T(TY_ENUMSET, en, 0);
    } else if (base >= 0) {
        p->t = T(base_tys[base], 0, 0);
    } else if (en >= 0) {
        p->t = T(TY_ENUM, en, 0);
    } else {
        lang_error(k->L, tn->pos, tn->slen, "unknown type '%.*s'", (int)tn->slen, tn->s);
        const char *names[7 + N_ENUMS];
        int m = 0;
        for (int i = 0; i < 7; i++)
            names[m++] = base_types[i];
        for (int i = 0; i < N_ENUMS; i++)
            names[m++] = enum_defs[i].type_name;
        lang_suggest(k->L, tn->s, tn->slen, names, m);
        return;
    }
    if (a->by) {
        p->by_enum = enum_by_name(a->by, a->bylen);
        if (p->by_enum < 0) {
            lang_error(k->L, a->bypos, a->bylen, "'by' takes an enumeration (program, "
                       "area_type...), not '%.*s'", (int)a->bylen, a->by);
            return;
        }
        p->table = 1;
    }
    /* dates strictly increasing; the value in force is the last one from on or before as-of */
    int pick = 0;
    for (int i = 1; i < v->nvalues; i++) {
        if (v->dates[i] <= v->dates[i - 1] && i > 1)
            lang_error(k->L, v->date_pos[i], 10, "dates of a parameter must increase");
        if (v->dates[i] <= k->as_of)
            pick = i;
    }
    p->pick = pick;
    if (!p->table) {
        for (int i = 0; i < v->nvalues; i++) {
            struct ir *x = param_value(k, a, p->t, v->values[i]);
            if (i == pick)
                p->value = x;
        }
        return;
    }
    const struct enum_def *ed = &enum_defs[p->by_enum];
    for (int i = 0; i < v->nvalues; i++) {
        const struct node *m = v->values[i];
        if (!m || m->kind != N_MAPLIT) {
            if (m)
                lang_error(k->L, m->pos, 1, "a table by %s is written {%s: value, ...}",
                           ed->type_name, ed->names[0]);
            continue;
        }
        struct ir **vals = lang_alloc(k->L, (size_t)ed->n * sizeof *vals);
        if (!vals)
            return;
        for (int j = 0; j < m->nv; j++) {
            const struct node *pr = m->v[j];
            int e = enum_lookup(ed->names, ed->n, pr->s, pr->slen);
            if (e < 0) {
                lang_error(k->L, pr->pos, pr->slen, "'%.*s' is not a %s", (int)pr->slen, pr->s,
                           ed->type_name);
                lang_suggest(k->L, pr->s, pr->slen, ed->names, ed->n);
                continue;
            }
            if (vals[e])
                lang_error(k->L, pr->pos, pr->slen, "'%.*s' is given twice", (int)pr->slen,
                           pr->s);
            vals[e] = param_value(k, a, p->t, pr->a);
        }
        int complete = 1;
        for (int e = 0; e < ed->n; e++)
            if (!vals[e]) {
                lang_error(k->L, m->pos, 1, "the table has no value for %s", ed->names[e]);
                complete = 0;
                break;
            }
        if (i == pick && complete)
            p->vals = vals;
    }
}

