/* vm_int.h - shared by vm.c (the ops) and vm_text.c (evidence text) and
 * vm_run.c (the driver).  Not for other files.
 */
#ifndef ENGINE_VM_INT_H
#define ENGINE_VM_INT_H

#include "engine/evaluate.h"
#include "base/date.h"
#include "policy/ir.h"
#include "policy/prog.h"

typedef __int128 i128;

#define EV_MAX 2048   /* evidence and key buffers: 2 KiB each */

struct tout {
    struct vec flags;        /* struct flag */
    struct arena *arena;
    int status;
    struct err e;
    struct vec no_std_hh;    /* uint32_t */
    struct vec no_std_cand;  /* uint32_t */
    long long cand_skipped;
};

/* A feed as loop() walks it (policy/ir.h enum feed_id): its person index,
 * rows and row size; set once per frame (vm_run.c frame_init). */
struct vm_feed {
    const struct keyidx *ix;
    const char *rows;
    size_t size;
};

/* Per registry member (vm_run.c person_masks): bit f (enum feed_id) set
 * if the member's key has rows in feed f; PM_ONE_HH if the key is in
 * exactly one registry household row (the member's own). */
#define PM_ONE_HH (1u << N_FEEDS)
_Static_assert(N_FEEDS < 16, "a member's feed mask is 16 bits");

struct frame {
    const struct eval_ctx *c;
    struct vm_feed feed[N_FEEDS];
    const uint16_t *pmask;   /* per member, or NULL: look every person up */
    const struct prog *P;
    struct vval *r;          /* registers; r[-1], r[-2], ... the constant registers */
    struct vval *rbase;      /* the allocation r points into */
    uint8_t *memo;
    struct vlist *lists;
    struct tout *t;
    struct vm_trace *trace;  /* explain's recorder (vm_trace.c), or NULL */
    /* evidence and key, of the flag being written */
    char b[EV_MAX];
    size_t n;
    int truncated;
    char k[EV_MAX];
    size_t kn;
    char tmp[EV_MAX];        /* the open piece or key item */
    size_t tn;
    int tover;
    /* the unit judged */
    const struct household *hh;
    uint32_t hi;
    int size;
    const struct member *head;
    const char *head_hukou_no;
    const struct standard *std;
    const struct candidate *cand;
    uint32_t ci;
    const struct standard *cstd;
    /* standards in force by (region, area): households and candidates are
     * many, regions few (vm_run.c std_for) */
    struct std_memo {
        const char *region;  /* NULL: empty */
        int area;
        const struct standard *std;
    } smemo[256];
    size_t unit_first;       /* this unit's first flag in t->flags */
    const char *unit_name;   /* for messages */
};

/* ---------- values ---------- */

static inline void set_missing(struct vval *v)
{
    memset(v, 0, sizeof *v);
    v->d = 1;
    v->miss = 1;
}

static inline void set_int(struct vval *v, i128 n)
{
    v->n = n;
    v->d = 1;
    v->p = NULL;
    v->miss = 0;
}

static inline void set_row(struct vval *v, const void *p)
{
    v->n = 0;
    v->d = 1;
    v->p = p;
    v->miss = p == NULL;
}

static inline int truthy(const struct vval *v)
{
    return !v->miss && v->n != 0;
}

/* COL: r[a] = the column (how x, offset c, denominator d) of the row at
 * r[b]; a missing row gives a missing value.  Inline: the commonest op. */
static inline void vm_col(struct vval *R, const struct op *o)
{
    struct vval *dst = &R[o->a];
    const struct vval *src = &R[o->b];
    if (src->miss || !src->p) {
        set_missing(dst);
        return;
    }
    const char *at = (const char *)src->p + o->c;
    switch (o->x) {
    case CK_TEXT: {
        const char *s = *(const char *const *)at;
        if (!s) {   /* an optional text (a member's unusable columns) */
            set_missing(dst);
            return;
        }
        dst->p = s;
        dst->n = -1;   /* measured when needed (text_len) */
        dst->d = 1;
        dst->miss = 0;
        return;
    }
    case CK_INT:
    case CK_MONTH:
        set_int(dst, *(const int *)at);
        return;
    case CK_DATE: {
        int d = *(const int *)at;
        if (d == DATE_NONE)
            set_missing(dst);
        else
            set_int(dst, d);
        return;
    }
    case CK_LINE:
        set_int(dst, *(const long long *)at);
        return;
    case CK_SCALED:
        set_int(dst, *(const int64_t *)at);
        dst->d = o->d;
        return;
    }
    set_missing(dst);
}

/* The person key of a row of kind `kind` (policy/ir.h RK_*; schema.c's
 * schema_key_off), 0 for a kind without one.  Inline: every feed loop
 * takes one. */
static inline uint64_t vm_person_key(const void *row, int kind)
{
    switch (kind) {
    case RK_MEMBER: return ((const struct member *)row)->key;
    case RK_HUKOU: return ((const struct hukou *)row)->key;
    case RK_CANDIDATE: return ((const struct candidate *)row)->key;
    }
    return 0;
}

/* vm_rows.c */
int vm_fail(struct frame *f, const struct op *o, const char *what);   /* -1, E_DATA in f */
/* r = a op b ('+' '-' '*' '/') on exact fractions: 0, -1 overflow, -2 division by 0 */
int vm_arith(int op, const struct vval *a, const struct vval *b, struct vval *r);
int vm_cmp_num(const struct vval *a, const struct vval *b);    /* -1 0 1, 2 on overflow */
int vm_cmp_text(const struct vval *a, const struct vval *b);   /* -1 0 1 */
size_t vm_text_len(const struct vval *v);
const struct hukou *vm_person_hukou(const struct frame *f, const void *row, int kind);
void vm_builtin(struct frame *f, const struct op *o);          /* BUILTIN */
int vm_fn(struct frame *f, const struct op *o);                /* FN; -1 on error */
int vm_list_add(struct frame *f, const struct op *o);          /* LIST_ADD; -1 on error */
int vm_latest_add(struct frame *f, const struct op *o);        /* LATEST; -1 on error */

/* vm_text.c: append to the open piece or key item; close it */
void vm_put(struct frame *f, const char *s, size_t n);
void vm_put_val(struct frame *f, const struct vval *v, int fmt, int en);
void vm_piece_end(struct frame *f);
void vm_key_end(struct frame *f);

/* vm_trace.c: record the TRACE op o (explain); -1 out of memory */
int vm_trace_op(struct frame *f, const struct op *o);

/* vm.c: run ops [pc, end) of f's program; 0, or -1 with f->t->e set */
int vm_exec(struct frame *f, int pc, int end);

#endif
