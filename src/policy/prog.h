/* prog.h - a compiled policy: a flat array of coarse ops over registers.
 *
 * Owns: the op set and the meaning of each op (the VM, engine/vm.c,
 * implements exactly this; compile.c emits it).  In SQLite's manner each op
 * is listed with its operands:
 *
 *   op          operands                    effect
 *   CONST       a=dst b=k                   r[a] = K[b]
 *   MOVE        a=dst b=src                 r[a] = r[b]
 *   COL         a=dst b=row x=how c=off d=den   r[a] = column of the row at r[b]
 *                                           (missing row: missing value)
 *   BUILTIN     a=dst b=src x=builtin y=row kind   r[a] = computed value (ir.h enum builtin)
 *   NEG         a=dst b                     r[a] = -r[b]
 *   ARITH       a=dst b c x='+','-','*','/' r[a] = r[b] x r[c], exact fractions; an
 *                                           overflow or a division by 0 stops the run
 *   CMP         a=dst b c x=T_EQ..T_GE y=class   r[a] = r[b] x r[c]; false when
 *                                           either is missing
 *   IN          a=dst b c=bits x=neg        r[a] = enum r[b] in bits (missing: false)
 *   NOT         a=dst b                     r[a] = !r[b]
 *   EXISTS      a=dst b                     r[a] = r[b] is not missing
 *   FN          a=dst b c x=fn              left, working_days, age, years_before, max, min
 *   PICK        a=dst b c=k y=n             r[a] = K[c + enum r[b]] (a parameter table of n)
 *   INC         a                           r[a] += 1
 *   JF          a d                         if !r[a]: pc += d   (a missing value is false)
 *   JT          a d                         if r[a]:  pc += d
 *   JM          a d                         if r[a] is missing: pc += d
 *   JMP         d                           pc += d
 *   FOR         a=src b=elem x=source y=arg d=len   for each element of the set
 *                                           given by r[a]: r[b] = it, run the d ops
 *                                           that follow; then go on after them
 *   BREAK       a=levels                    leave that many enclosing FOR loops
 *   LIST_NEW    a=dst b=list slot           r[a] = the empty list b
 *   LIST_ADD    a=list b=value              add r[b] unless already there
 *   MEMO        a=memo slot d               if let a is computed: pc += d
 *   MEMO_SET    a=memo slot                 let a is computed
 *   RESET       a=first memo slot b=n       lets a..a+n-1 are not computed
 *   HAVE        a=dst b=input file          r[a] = the optional feed is present
 *   EV_BEGIN                                start a flag's evidence and key
 *   PIECE_BEGIN / PIECE_END                 one piece of evidence (kept whole or
 *                                           replaced by "; ..." when 2 KiB is full)
 *   KEY_BEGIN / KEY_END                     one key item (dropped when 2 KiB is full)
 *   TLIT        b=k                         append the text K[b]
 *   TVAL        b=reg x=format y=enum       append r[b] printed (missing: nothing;
 *                                           enum tfmt below)
 *   EMIT        a=rule b=unit reg x=unit kind y=row kind   a flag (one per key)
 *   ZERO        a=first b=n                 r[a..a+n) = 0
 *   BUCKET      a=dst b=month c=first y=n d   r[a] = month r[b] - c; if it is not
 *                                           in 0..n-1: pc += d
 *   ADD_AT      a=first b=index c y=n       r[a + r[b]] += r[c]   (per-month sums:
 *   LOAD_AT     a=dst b=first c=index y=n   r[a] = r[b + r[c]]     one pass over a
 *                                           person's rows for the whole window)
 *   JCOL        a=row c=off b=value x=T_EQ/T_NE d   unless the row at r[a] is there
 *                                           and its int column at c x b: pc += d
 *   JCOLIN      a=row c=off b=bits x=neg d  unless the row is there and its int
 *                                           column is in (not in) bits: pc += d
 *                                           (a filter test in one op: `status = valid`)
 *   LATEST      a=list b=row c=first x=nk d=no y=classes   latest(): the keys are
 *                                           r[c..c+nk), the order r[c+nk..c+nk+no);
 *                                           the list keeps per key the row with the
 *                                           greatest order (the first on a tie);
 *                                           bit i of y: value i is a number
 *                                           d = 0 (sorted()): no order and no
 *                                           merging: the list keeps every row
 *                                           in key order, a tie after the rows
 *                                           it ties with; bit 8+i of y: key i
 *                                           descending
 *   TRACE       a=reg b=trace point         explain only: record r[a] at trace point
 *                                           b (P->tp[b]); a program compiled for a
 *                                           run has none, so a run pays nothing
 *
 * Registers -1, -2, ... hold the constants cregs[0], cregs[1], ... (set once
 * per thread; no op writes them), so a constant in an expression costs no op.
 *
 * Jumps go forward only (d >= 0, counted from the op after the jump); a FOR's
 * body is the d ops after it, and nothing jumps out of a body but BREAK.  So
 * every program halts, in time linear in the rows it reads.
 */
#ifndef POLICY_PROG_H
#define POLICY_PROG_H

#include <stdint.h>

enum opcode {
    OP_CONST, OP_MOVE, OP_COL, OP_BUILTIN, OP_NEG, OP_ARITH, OP_CMP, OP_IN, OP_NOT,
    OP_EXISTS, OP_FN, OP_PICK, OP_INC, OP_JF, OP_JT, OP_JM, OP_JMP, OP_FOR, OP_BREAK,
    OP_LIST_NEW, OP_LIST_ADD, OP_MEMO, OP_MEMO_SET, OP_RESET, OP_HAVE, OP_EV_BEGIN,
    OP_PIECE_BEGIN, OP_PIECE_END, OP_KEY_BEGIN, OP_KEY_END, OP_TLIT, OP_TVAL, OP_EMIT,
    OP_ZERO, OP_BUCKET, OP_ADD_AT, OP_LOAD_AT, OP_JCOL, OP_JCOLIN, OP_LATEST, OP_TRACE,
    N_OPCODES
};
extern const char *const opcode_names[N_OPCODES];

/* CMP classes */
enum cmp_class { CC_NUM, CC_INT, CC_TEXT };

/* FOR sources */
enum for_source {
    SRC_FEED,        /* y = feed id; r[a] a person (x's row kind in the op's c) */
    SRC_MEMBERS,     /* r[a] a household */
    SRC_COUNTED,     /* r[a] a household (c = RK_HOUSEHOLD) or a group */
    SRC_PERSONS,     /* r[a] a group */
    SRC_HOUSEHOLDS,  /* r[a] a person: its distinct registry households */
    SRC_WINDOW,      /* the months of the income window */
    SRC_LIST         /* r[a] a list */
};

/* TVAL formats */
enum tfmt { FMT_INT, FMT_MONEY, FMT_RATIO, FMT_DATE, FMT_MONTH, FMT_TEXT, FMT_ENUM, FMT_BOOL,
            FMT_YUAN,     /* yuan(): money with two decimals, "..." when not whole fen */
            FMT_MASKED,   /* masked(): an ID-like text, first 6 and last 4 kept */
            N_FMTS };

struct op {
    uint8_t code;        /* enum opcode */
    uint8_t x;
    uint16_t y;
    int32_t a, b, c, d;
    uint32_t line;       /* source line (listing, explain) */
};

/* A value: numbers are exact fractions n/d (d > 0); dates, months, enums,
 * bools and counts from columns are n with d = 1; text is p with length n;
 * rows are p; lists are p (struct vlist). */
struct vval {
    __int128 n, d;
    const void *p;
    uint8_t miss;        /* missing (a column of a missing row, an empty date) */
};

struct vlist {
    struct vval *v;
    int n, cap;          /* entries, each `stride` values: the element first */
    int stride;
};

struct prule {
    int cat;             /* enum rule_id */
    int severity;        /* enum severity */
    const char *name;
};

enum entry { ENTRY_ROLLS, ENTRY_CANCELLED, ENTRY_CANDIDATE, N_ENTRIES };

/* Trace points of a program compiled for explain (policy/trace.c puts
 * them; engine/explain.c reads what the VM recorded at them).  A rule's
 * block traces, in order: TP_UNIT (what it judges now), each condition of
 * its `where` (TP_FILTER), `requires` (TP_REQUIRE) and `when` (TP_WHEN)
 * split at `and`, a comparison's two sides first (TP_SIDE), the rows of
 * its set lets (TP_ROW each, then TP_SET the count), its lets when first
 * computed (TP_LET; a let summed over a set also each element, TP_ELEM,
 * and its part, TP_PART), and TP_FIRED just before the flag (the evidence
 * and key).  The first condition found false ends the block. */
enum tp_kind { TP_UNIT, TP_FILTER, TP_REQUIRE, TP_WHEN, TP_SIDE, TP_SET, TP_ROW, TP_LET,
               TP_ELEM, TP_PART, TP_FIRED, N_TP };

struct tpoint {
    uint8_t kind;        /* enum tp_kind */
    uint8_t fmt;         /* enum tfmt of the value, or TF_ROW / TF_LIST */
    uint8_t en;          /* FMT_ENUM: enum id; TF_ROW: row kind; TF_LIST: see el */
    uint8_t el_fmt;      /* TF_LIST: the elements' format (TF_ROW: rows of kind en) */
    int rule;            /* index in P->rules */
    const char *label;   /* the source text (a let's name), NUL-terminated, or NULL */
    uint32_t line;       /* source line */
    uint16_t file;       /* source file (struct lang.files) */
    int16_t depth;       /* nesting for display: 0 a clause, 1 a part of it */
    uint8_t bare;        /* a condition that is a value written bare (`requires
                            h.standard`): false means the value is missing */
};
#define TF_ROW 100       /* a row (household, member, a feed's row...) */
#define TF_LIST 101      /* a list (distinct, latest) */

struct prog {
    struct op *ops;
    int nops;
    struct vval *consts;         /* constants of TLIT, PICK and CONST */
    int nconsts;
    struct vval *cregs;          /* constant registers -1, -2, ... */
    int ncregs;
    struct prule *rules;
    int nrules;
    int entry[N_ENTRIES][2];     /* [start, end) of each entry's ops */
    int nregs, nmemo, nlists;
    int reg_unit;                /* the household or candidate judged */
    int window_first, window_last;   /* months of the income window */
    int severity[32];            /* per enum rule_id: SEV_OFF when not in the policy */
    struct tpoint *tp;           /* trace points (compiled for explain), or NULL */
    int ntp;
};

#endif
