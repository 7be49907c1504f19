/* vm.c - runs a compiled policy (policy/prog.h) per household and candidate.
 *
 * Owns: what each op does to the dataset (prog.h lists them): reading
 * columns of typed rows, walking a person's feed rows through the join
 * indexes, exact arithmetic on fractions in 128 bits (checked: an overflow
 * stops the run, never wraps), printing values into evidence (vm_text.c:
 * money and areas without trailing zeros, shares to 9 decimals, fractions
 * exactly), and one flag per rule and key.
 *
 * The dispatch is one switch over ops; a FOR runs its body by a nested
 * call, BREAK returns the number of loops to leave.  Thread model:
 * households and candidates split over OpenMP threads, each
 * thread with its own registers, flags and evidence arena; the flags are
 * sorted by a total order at the end, so the output is identical at any
 * thread count.  Never: reads files, prints, uses floating point.
 */
#include "engine/vm.h"
#include "engine/vm_int.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/num.h"
#include "contract/idcard.h"
#include "policy/ir.h"

/* ---------- flags ---------- */

static int emit(struct frame *f, const struct op *o)
{
    const struct prule *pr = &f->P->rules[o->a];
    const struct vval *u = &f->r[o->b];
    const char *hid = "", *hno = "", *id = "", *region, *unit_hno;
    uint32_t hh = HH_NONE;
    if (o->x == U_CANDIDATE) {
        const struct candidate *cd = u->p;
        const struct hukou *hk = vm_person_hukou(f, cd, RK_CANDIDATE);
        hno = unit_hno = hk ? hk->hukou_no : "";
        id = cd->id;
        region = cd->region;
    } else {
        hid = f->hh->id;
        hh = f->hi;
        region = f->hh->region;
        unit_hno = hno = f->head_hukou_no;
        if (o->c) {   /* each p: the person's id, the head's hukou_no */
            id = *(const char *const *)((const char *)u->p + schema_id_off(o->y));
        } else if (o->x == U_MEMBER) {
            const struct member *m = u->p;
            const struct hukou *hk = join_member_hukou(f->c->j, f->c->d, m);
            hno = hk ? hk->hukou_no : "";
            id = m->id;
        }
    }
    /* one flag per rule and key: the first firing is kept */
    struct tout *t = f->t;
    for (size_t i = f->unit_first; i < t->flags.n; i++) {
        const struct flag *g = &VEC_AT(t->flags, struct flag, i);
        if (g->rule == pr->cat && strcmp(g->hukou_no, hno) == 0 && strcmp(g->id_no, id) == 0)
            return 0;
    }
    struct flag *g = vec_push(&t->flags, sizeof *g);
    const char *evs = arena_strndup(t->arena, f->b, f->n);
    const char *key = arena_strndup(t->arena, f->k, f->kn);
    if (!g || !evs || !key) {
        ERR(&t->e, E_NOMEM, "out of memory while evaluating rules");
        return -1;
    }
    g->rule = pr->cat;
    g->severity = pr->severity;
    g->hh = hh;
    g->household_id = hid;
    g->hukou_no = hno;
    g->id_no = id;
    g->region = region;
    g->unit_hukou_no = unit_hno;
    g->evidence = evs;
    g->evkey = key;
    g->fp = 0;
    g->held = 0;
    return 0;
}

/* ---------- loops ---------- */


/* Run the body [pc+1, pc+1+d) with r[b] = each element; 0, or the number
 * of loops still to leave, or -1. */
static int body(struct frame *f, const struct op *o, int pc)
{
    int rc = vm_exec(f, pc + 1, pc + 1 + o->d);
    return rc;
}

#define RUN_BODY()                           \
    do {                                     \
        int rc_ = body(f, o, pc);            \
        if (rc_ < 0)                         \
            return rc_;                      \
        if (rc_ > 0)                         \
            return rc_ - 1;                  \
    } while (0)

static int loop(struct frame *f, const struct op *o, int pc)
{
    const struct eval_ctx *c = f->c;
    const struct dataset *d = c->d;
    const struct join *j = c->j;
    struct vval *el = &f->r[o->b];
    const struct vval *src = &f->r[o->a];
    if (o->x != SRC_WINDOW && (src->miss || !src->p))
        return 0;
    switch (o->x) {
    case SRC_FEED: {
        if (o->c == RK_MEMBER && f->pmask &&
            !(f->pmask[(const struct member *)src->p - (const struct member *)d->members.v] &
              (1u << o->y)))
            return 0;   /* no rows: the index is not read (a cache and TLB miss) */
        uint64_t key = vm_person_key(src->p, o->c);
        if (!key)
            return 0;
        const struct vm_feed *fd = &f->feed[o->y];
        struct keyidx_slot s = keyidx_get(fd->ix, key);
        for (uint32_t i = 0; i < s.count; i++) {
            set_row(el, fd->rows + (size_t)(s.first + i) * fd->size);
            RUN_BODY();
        }
        return 0;
    }
    case SRC_MEMBERS:
    case SRC_COUNTED:
        if (o->c == RK_HOUSEHOLD) {
            const struct household *h = src->p;
            const struct member *ms = &VEC_AT(d->members, struct member, h->first_member);
            for (uint32_t i = 0; i < h->n_members; i++) {
                if (o->x == SRC_COUNTED) {
                    const struct hukou *hk = join_member_hukou(j, d, &ms[i]);
                    if (hk && hk->status != HK_NORMAL)
                        continue;
                }
                set_row(el, &ms[i]);
                RUN_BODY();
            }
            return 0;
        }
        /* the counted persons of a group are its persons */
        __attribute__((fallthrough));
    case SRC_PERSONS: {
        const struct hukou *hk = src->p;
        size_t p0;
        if (!join_hukou_group(j, hk, &p0))
            return 0;
        for (size_t k = p0; k < j->n_hukou_by_no; k++) {
            const struct hukou *p = &VEC_AT(d->hukou, struct hukou, j->hukou_by_no[k]);
            if (!hukou_same_no(p, hk))
                break;
            if (p->status != HK_NORMAL)
                continue;
            set_row(el, p);
            RUN_BODY();
        }
        return 0;
    }
    case SRC_HOUSEHOLDS: {
        if (o->c == RK_MEMBER && f->pmask &&
            (f->pmask[(const struct member *)src->p - (const struct member *)d->members.v] &
             PM_ONE_HH)) {
            /* the key's one registry row is this member's */
            set_row(el, &VEC_AT(d->households, struct household,
                                ((const struct member *)src->p)->hh));
            RUN_BODY();
            return 0;
        }
        uint64_t key = vm_person_key(src->p, o->c);
        struct keyidx_slot s = keyidx_get(&j->members, key);
        uint32_t last = HH_NONE;
        for (uint32_t i = 0; i < s.count; i++) {
            const struct member *m =
                &VEC_AT(d->members, struct member, j->members_by_key[s.first + i].member);
            if (m->hh == last)
                continue;
            last = m->hh;
            set_row(el, &VEC_AT(d->households, struct household, m->hh));
            RUN_BODY();
        }
        return 0;
    }
    case SRC_WINDOW:
        for (int mo = f->P->window_first; mo <= f->P->window_last; mo++) {
            set_int(el, mo);
            RUN_BODY();
        }
        return 0;
    case SRC_LIST: {
        const struct vlist *l = src->p;
        for (int i = 0; i < l->n; i++) {
            *el = l->v[(size_t)i * (size_t)(l->stride ? l->stride : 1)];
            RUN_BODY();
        }
        return 0;
    }
    }
    return 0;
}

/* ---------- the dispatch ---------- */

static int cmp_result(int op, int s)
{
    switch (op) {
    case T_EQ: return s == 0;
    case T_NE: return s != 0;
    case T_LT: return s < 0;
    case T_LE: return s <= 0;
    case T_GT: return s > 0;
    default: return s >= 0;
    }
}

/* Run ops [pc, end).  Dispatch by computed goto (GCC's labels as values):
 * each op jumps straight to the next op's code, so the branch predictor
 * sees one indirect jump per op kind rather than one for all.  NEXT goes to
 * the op after, JUMP(d) skips d ops forward.  Over 150 lines on purpose:
 * one label per op (prog.h's table), and a call per op would cost more than
 * most ops do. */
int vm_exec(struct frame *f, int pc, int end)
{
    static const void *const labels[N_OPCODES] = {
        [OP_CONST] = &&L_CONST, [OP_MOVE] = &&L_MOVE, [OP_COL] = &&L_COL,
        [OP_BUILTIN] = &&L_BUILTIN, [OP_NEG] = &&L_NEG, [OP_ARITH] = &&L_ARITH,
        [OP_CMP] = &&L_CMP, [OP_IN] = &&L_IN, [OP_NOT] = &&L_NOT, [OP_EXISTS] = &&L_EXISTS,
        [OP_FN] = &&L_FN, [OP_PICK] = &&L_PICK, [OP_INC] = &&L_INC, [OP_JF] = &&L_JF,
        [OP_JT] = &&L_JT, [OP_JM] = &&L_JM, [OP_JMP] = &&L_JMP, [OP_FOR] = &&L_FOR,
        [OP_BREAK] = &&L_BREAK, [OP_LIST_NEW] = &&L_LIST_NEW, [OP_LIST_ADD] = &&L_LIST_ADD,
        [OP_MEMO] = &&L_MEMO, [OP_MEMO_SET] = &&L_MEMO_SET, [OP_RESET] = &&L_RESET,
        [OP_HAVE] = &&L_HAVE, [OP_EV_BEGIN] = &&L_EV_BEGIN, [OP_PIECE_BEGIN] = &&L_TBEGIN,
        [OP_PIECE_END] = &&L_PIECE_END, [OP_KEY_BEGIN] = &&L_TBEGIN,
        [OP_KEY_END] = &&L_KEY_END, [OP_TLIT] = &&L_TLIT, [OP_TVAL] = &&L_TVAL,
        [OP_EMIT] = &&L_EMIT, [OP_ZERO] = &&L_ZERO, [OP_BUCKET] = &&L_BUCKET,
        [OP_ADD_AT] = &&L_ADD_AT, [OP_LOAD_AT] = &&L_LOAD_AT, [OP_JCOL] = &&L_JCOL,
        [OP_JCOLIN] = &&L_JCOLIN, [OP_LATEST] = &&L_LATEST, [OP_TRACE] = &&L_TRACE};
    const struct op *ops = f->P->ops;
    struct vval *R = f->r;
    const struct op *o;
#define DISPATCH()                  \
    do {                            \
        if (pc >= end)              \
            return 0;               \
        o = &ops[pc];               \
        goto *labels[o->code];      \
    } while (0)
#define NEXT()                      \
    do {                            \
        pc++;                       \
        DISPATCH();                 \
    } while (0)
#define JUMP(dd)                    \
    do {                            \
        pc += 1 + (dd);             \
        DISPATCH();                 \
    } while (0)
    DISPATCH();
L_CONST:
    R[o->a] = f->P->consts[o->b];
    NEXT();
L_MOVE:
    R[o->a] = R[o->b];
    NEXT();
L_COL:
    vm_col(R, o);
    NEXT();
L_BUILTIN:
    vm_builtin(f, o);
    NEXT();
L_NEG:
    R[o->a] = R[o->b];
    R[o->a].n = -R[o->a].n;
    NEXT();
L_ARITH: {
    if (R[o->b].miss || R[o->c].miss) {
        set_missing(&R[o->a]);
        NEXT();
    }
    struct vval v;
    const struct vval *x = &R[o->b], *y = &R[o->c];
    if ((o->x == '+' || o->x == '-') && x->d == y->d) {
        /* vm_arith's first case, written in place (r[a] may be r[b] or r[c]:
         * both are read first) */
        i128 n, d = x->d;
        if (o->x == '+' ? __builtin_add_overflow(x->n, y->n, &n)
                        : __builtin_sub_overflow(x->n, y->n, &n))
            return vm_fail(f, o, "arithmetic overflow");
        set_int(&R[o->a], n);
        R[o->a].d = d;
        NEXT();
    }
    int rc = vm_arith(o->x, x, y, &v);
    if (rc)
        return vm_fail(f, o, rc == -2 ? "a division by zero" : "arithmetic overflow");
    R[o->a] = v;
    NEXT();
}
L_CMP: {
    const struct vval *a = &R[o->b], *b = &R[o->c];
    if (a->miss || b->miss) {
        set_int(&R[o->a], 0);
        NEXT();
    }
    int s = o->y == CC_NUM ? vm_cmp_num(a, b) : o->y == CC_TEXT ? vm_cmp_text(a, b)
                                                              : (a->n < b->n ? -1 : a->n > b->n);
    if (s == 2)
        return vm_fail(f, o, "arithmetic overflow");
    set_int(&R[o->a], cmp_result(o->x, s));
    NEXT();
}
L_IN: {
    const struct vval *a = &R[o->b];
    int in = !a->miss && a->n >= 0 && a->n < 62 && ((int64_t)o->c >> (int)a->n) & 1;
    set_int(&R[o->a], a->miss ? 0 : (o->x ? !in : in));
    NEXT();
}
L_NOT:
    if (R[o->b].miss)
        set_missing(&R[o->a]);
    else
        set_int(&R[o->a], R[o->b].n == 0);
    NEXT();
L_EXISTS:
    set_int(&R[o->a], !R[o->b].miss);
    NEXT();
L_FN: {
    const struct vval *x = &R[o->b], *y = &R[o->c];
    if ((o->x == FN_MAX || o->x == FN_MIN) && !x->miss && !y->miss && x->d == y->d) {
        /* vm_fn's max/min when the denominators agree: no cross product */
        int s = x->n < y->n ? -1 : x->n > y->n;
        R[o->a] = (o->x == FN_MAX) == (s >= 0) ? *x : *y;
        NEXT();
    }
    if (vm_fn(f, o) < 0)
        return -1;
    NEXT();
}
L_PICK: {
    const struct vval *a = &R[o->b];
    if (a->miss || a->n < 0 || a->n >= o->y)
        set_missing(&R[o->a]);
    else
        R[o->a] = f->P->consts[o->c + (int)a->n];
    NEXT();
}
L_INC:
    R[o->a].n += R[o->a].d;
    NEXT();
L_JF:
    if (!truthy(&R[o->a]))
        JUMP(o->d);
    NEXT();
L_JT:
    if (truthy(&R[o->a]))
        JUMP(o->d);
    NEXT();
L_JM:
    if (R[o->a].miss)
        JUMP(o->d);
    NEXT();
L_JMP:
    JUMP(o->d);
L_FOR: {
    int rc = loop(f, o, pc);
    if (rc != 0)
        return rc;
    JUMP(o->d);
}
L_BREAK:
    return o->a;
L_LIST_NEW:
    f->lists[o->b].n = 0;
    f->lists[o->b].stride = 1;
    R[o->a].p = &f->lists[o->b];
    R[o->a].miss = 0;
    R[o->a].n = 0;
    R[o->a].d = 1;
    NEXT();
L_LIST_ADD:
    if (vm_list_add(f, o) < 0)
        return -1;
    NEXT();
L_MEMO:
    if (f->memo[o->a])
        JUMP(o->d);
    NEXT();
L_MEMO_SET:
    f->memo[o->a] = 1;
    NEXT();
L_RESET:
    memset(f->memo + o->a, 0, (size_t)o->b);
    NEXT();
L_HAVE:
    set_int(&R[o->a], f->c->have[o->b] != 0);
    NEXT();
L_EV_BEGIN:
    f->n = f->kn = 0;
    f->b[0] = f->k[0] = '\0';
    f->truncated = 0;
    NEXT();
L_TBEGIN:
    f->tn = 0;
    f->tover = 0;
    NEXT();
L_PIECE_END:
    vm_piece_end(f);
    NEXT();
L_KEY_END:
    vm_key_end(f);
    NEXT();
L_TLIT: {
    const struct vval *k = &f->P->consts[o->b];
    vm_put(f, k->p, (size_t)k->n);
    NEXT();
}
L_TVAL:
    vm_put_val(f, &R[o->b], o->x, o->y);
    NEXT();
L_EMIT:
    if (emit(f, o) < 0)
        return -1;
    NEXT();
L_ZERO:
    for (int i = 0; i < o->b; i++)
        set_int(&R[o->a + i], 0);
    NEXT();
L_BUCKET: {
    const struct vval *m = &R[o->b];
    i128 k = m->n - o->c;
    if (m->miss || k < 0 || k >= o->y)
        JUMP(o->d);
    set_int(&R[o->a], k);
    NEXT();
}
L_ADD_AT: {
    i128 k = R[o->b].n;
    if (k < 0 || k >= o->y)
        return vm_fail(f, o, "a month outside the window (internal error)");
    struct vval *t = &R[o->a + (int)k];
    if (R[o->c].miss)
        NEXT();
    struct vval v;
    if (vm_arith('+', t, &R[o->c], &v))
        return vm_fail(f, o, "arithmetic overflow");
    *t = v;
    NEXT();
}
L_LOAD_AT: {
    i128 k = R[o->c].n;
    if (k < 0 || k >= o->y)
        return vm_fail(f, o, "a month outside the window (internal error)");
    R[o->a] = R[o->b + (int)k];
    NEXT();
}
L_JCOL: {
    /* fall through when the row is there and its int column (x) b; else jump */
    const struct vval *row = &R[o->a];
    if (row->miss || !row->p)
        JUMP(o->d);
    int v = *(const int *)((const char *)row->p + o->c);
    if (o->x == T_EQ ? v != o->b : v == o->b)
        JUMP(o->d);
    NEXT();
}
L_JCOLIN: {
    const struct vval *row = &R[o->a];
    if (row->miss || !row->p)
        JUMP(o->d);
    int v = *(const int *)((const char *)row->p + o->c);
    int in = v >= 0 && v < 31 && ((o->b >> v) & 1);
    if (o->x ? in : !in)
        JUMP(o->d);
    NEXT();
}
L_LATEST:
    if (vm_latest_add(f, o) < 0)
        return -1;
    NEXT();
L_TRACE:   /* explain only: a run's program has no TRACE op (policy/trace.c) */
    if (f->trace && vm_trace_op(f, o) < 0)
        return -1;
    NEXT();
#undef DISPATCH
#undef NEXT
#undef JUMP
}
