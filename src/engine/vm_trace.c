/* vm_trace.c - the rules VM's trace, for `hedui explain` (vm.h).
 *
 * Owns: what is recorded at a TRACE op (policy/prog.h; the compiler puts
 * them only into a program compiled for explain, so a run never comes
 * here): the value of the register as evidence would print it (a list
 * element by element), a row by reference (the dataset outlives the
 * trace), the fired flag's evidence and key; and how a row is described,
 * IDs masked 6+4.  vm_judge_one (vm_run.c) runs one unit with a recorder.
 * Never: decides anything (the program's ops do, as in a run), prints.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/idmask.h"
#include "engine/vm.h"
#include "engine/vm_int.h"
#include "policy/compile.h"
#include "policy/ir.h"

void vm_trace_init(struct vm_trace *t)
{
    memset(t, 0, sizeof *t);
    arena_init(&t->ar, (size_t)64 << 10);
}

void vm_trace_free(struct vm_trace *t)
{
    vec_free(&t->recs);
    arena_free(&t->ar);
}

/* ---------- values as text ---------- */

/* A scratch frame: vm_put_val and vm_col write into its tmp. */
struct scratch {
    struct frame f;
    struct vval r[2];
};

static void scratch_init(struct scratch *s, const struct eval_ctx *c)
{
    memset(&s->f, 0, offsetof(struct frame, b));
    s->f.c = c;
    s->f.r = s->r;
    s->f.tn = 0;
    s->f.tover = 0;
}

static void put_s(struct frame *f, const char *s)
{
    vm_put(f, s, strlen(s));
}

/* One column of a row, printed as evidence prints it. */
static void put_col(struct scratch *s, const struct col *cl, const void *row)
{
    struct op o;
    memset(&o, 0, sizeof o);
    o.a = 0;
    o.b = 1;
    o.x = cl->how;
    o.c = cl->off;
    o.d = (int32_t)cl->den;
    s->r[1].p = row;
    s->r[1].miss = 0;
    s->r[1].n = 0;
    s->r[1].d = 1;
    vm_col(s->f.r, &o);
    int fmt = prog_value_format(cl->t);
    if (s->r[0].miss) {
        put_s(&s->f, "(empty)");
        return;
    }
    if (strcmp(cl->name, "id_no") == 0 && cl->how == CK_TEXT) {
        char m[96];
        idmask_value(s->r[0].p, m, sizeof m);
        put_s(&s->f, m);
        return;
    }
    vm_put_val(&s->f, &s->r[0], fmt, cl->t.e);
}

static const struct col *col_named(int kind, const char *name)
{
    return schema_col(kind, name, strlen(name));
}

static long long row_line(int kind, const void *row)
{
    const struct col *cl = col_named(kind, "line");
    return cl ? *(const long long *)((const char *)row + cl->off) : 0;
}

static const char *const line_of[N_ROWKINDS] = {
    "households", "members", "hukou", "candidates", "hukou", "vehicles", "property",
    "social_insurance", "business", "public_servants", "staff_relatives", "standards",
    "financial_assets", "funeral"};

char *vm_describe_row(const struct eval_ctx *c, int kind, const void *row, int brief,
                      char *buf, size_t n)
{
    struct scratch s;
    scratch_init(&s, c);
    struct frame *f = &s.f;
    if (!row || kind < 0 || kind >= N_ROWKINDS) {
        snprintf(buf, n, "(none)");
        return buf;
    }
    char tmp[64];
    switch (kind) {
    case RK_GROUP:   /* a hukou household: the hukou row it was reached from */
        put_s(f, "hukou household ");
        put_col(&s, col_named(RK_HUKOU, "hukou_no"), row);
        break;
    case RK_MEMBER:
    case RK_HUKOU:
    case RK_CANDIDATE:
        put_s(f, kind == RK_MEMBER ? "member " : kind == RK_HUKOU ? "hukou person "
                                                                  : "candidate ");
        if (kind != RK_CANDIDATE) {
            put_col(&s, col_named(kind, "name"), row);
            put_s(f, " ");
        }
        put_col(&s, col_named(kind, "id_no"), row);
        if (brief) {
            put_s(f, " (");
            if (kind == RK_MEMBER)
                put_col(&s, col_named(kind, "relation"), row);
            else if (kind == RK_HUKOU)
                put_col(&s, col_named(kind, "relation_to_head"), row), put_s(f, ", "),
                    put_col(&s, col_named(kind, "status"), row);
            else
                put_col(&s, col_named(kind, "source"), row);
            snprintf(tmp, sizeof tmp, ", %s line %lld)", line_of[kind], row_line(kind, row));
            put_s(f, tmp);
            break;
        }
        /* fall through to every column */
        __attribute__((fallthrough));
    default: {
        if (kind != RK_MEMBER && kind != RK_HUKOU && kind != RK_CANDIDATE) {
            snprintf(tmp, sizeof tmp, "%s line %lld:", line_of[kind], row_line(kind, row));
            put_s(f, tmp);
        } else {
            put_s(f, ":");
        }
        int first = 1;
        for (const struct col *cl = schema_cols(kind); cl && cl->name; cl++) {
            if (cl->how == CK_BUILTIN || cl->how == CK_FEED || cl->how == CK_LINE)
                continue;
            if (cl->optional && cl->how == CK_TEXT &&
                !*(const char *const *)((const char *)row + cl->off))
                continue;   /* a member's unusable columns, when there are none */
            put_s(f, first ? " " : ", ");
            first = 0;
            put_s(f, cl->name);
            put_s(f, " ");
            put_col(&s, cl, row);
        }
        if (kind == RK_MEMBER || kind == RK_HUKOU || kind == RK_CANDIDATE) {
            snprintf(tmp, sizeof tmp, " (%s line %lld)", line_of[kind], row_line(kind, row));
            put_s(f, tmp);
        }
    }
    }
    size_t len = f->tn < n ? f->tn : n - 1;
    memcpy(buf, f->tmp, len);
    buf[len] = '\0';
    idmask_text(buf, buf, n);   /* an ID in a free-text column */
    return buf;
}

static __int128 gcd(__int128 a, __int128 b)
{
    if (a < 0)
        a = -a;
    while (b) {
        __int128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* A number exactly: its decimals when they end within 18 digits (as
 * evidence prints it), else the fraction and a rounded-down decimal
 * ("7200.01/6 (~1200.001666)"), never a value that only looks equal. */
static void put_number(struct frame *f, const struct vval *v, int fmt)
{
    __int128 n = v->n, d = v->d, g = gcd(n, d);
    if (g > 1) {
        n /= g;
        d /= g;
    }
    __int128 r = d;
    int k = 0;
    while (r % 2 == 0)
        r /= 2, k++;
    while (r % 5 == 0)
        r /= 5, k++;
    if (d == 1 || (r == 1 && k <= 18)) {
        vm_put_val(f, v, fmt == FMT_INT ? FMT_RATIO : fmt, 0);
        return;
    }
    struct vval a = {n, 1, NULL, 0}, b = {d, 1, NULL, 0};
    vm_put_val(f, &a, FMT_RATIO, 0);
    put_s(f, "/");
    vm_put_val(f, &b, FMT_RATIO, 0);
    put_s(f, " (~");
    vm_put_val(f, v, FMT_RATIO, 0);
    put_s(f, ")");
}

char *vm_format_value(const struct vval *v, int fmt, int en, char *buf, size_t n)
{
    struct scratch s;
    scratch_init(&s, NULL);
    if (fmt == FMT_MONEY || fmt == FMT_RATIO || fmt == FMT_INT)
        put_number(&s.f, v, fmt);
    else
        vm_put_val(&s.f, v, fmt, en);
    size_t len = s.f.tn < n ? s.f.tn : n - 1;
    memcpy(buf, s.f.tmp, len);
    buf[len] = '\0';
    return buf;
}

/* A list's elements, "a, b, c" (rows briefly). */
static void put_list(struct frame *f, const struct tpoint *tp, const struct vval *v)
{
    const struct vlist *l = v->p;
    int stride = l->stride ? l->stride : 1;
    put_s(f, "{");
    for (int i = 0; i < l->n; i++) {
        const struct vval *e = &l->v[(size_t)i * (size_t)stride];
        if (i)
            put_s(f, "; ");
        if (tp->el_fmt == TF_ROW) {
            char row[600];
            vm_describe_row(f->c, tp->en, e->p, 1, row, sizeof row);
            put_s(f, row);
        } else {
            vm_put_val(f, e, tp->el_fmt, tp->en);
        }
    }
    put_s(f, "}");
}

int vm_trace_op(struct frame *f, const struct op *o)
{
    const struct tpoint *tp = &f->P->tp[o->b];
    const struct vval *v = &f->r[o->a];
    struct vm_trec *rec = vec_push(&f->trace->recs, sizeof *rec);
    if (!rec) {
        ERR(&f->t->e, E_NOMEM, "out of memory while explaining");
        return -1;
    }
    memset(rec, 0, sizeof *rec);
    rec->tp = o->b;
    rec->miss = v->miss;
    if (tp->kind == TP_FIRED) {
        /* the flag about to be emitted: its evidence and key (vm.c's buffers) */
        char *s = arena_alloc(&f->trace->ar, f->n + f->kn + 2);
        if (!s) {
            ERR(&f->t->e, E_NOMEM, "out of memory while explaining");
            return -1;
        }
        memcpy(s, f->b, f->n);
        s[f->n] = '\x1d';
        memcpy(s + f->n + 1, f->k, f->kn);
        s[f->n + 1 + f->kn] = '\0';
        rec->text = s;
        return 0;
    }
    if (tp->fmt == TF_ROW || tp->kind == TP_UNIT) {
        rec->row = v->miss ? NULL : v->p;
        return 0;
    }
    if (v->miss)
        return 0;
    /* a value: printed in a scratch frame (a piece of evidence may be open in f) */
    struct scratch s;
    scratch_init(&s, f->c);
    if (tp->fmt == TF_LIST)
        put_list(&s.f, tp, v);
    else if (tp->fmt == FMT_MONEY || tp->fmt == FMT_RATIO || tp->fmt == FMT_INT)
        put_number(&s.f, v, tp->fmt);
    else
        vm_put_val(&s.f, v, tp->fmt, tp->en);
    rec->text = arena_strndup(&f->trace->ar, s.f.tmp, s.f.tn);
    if (!rec->text) {
        ERR(&f->t->e, E_NOMEM, "out of memory while explaining");
        return -1;
    }
    return 0;
}
