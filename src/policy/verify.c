/* verify.c - a compiled program's shape, checked (the fuzz target and the
 * tests run it on every program the compiler makes).
 *
 * Owns: what a well-formed program is: every op known; every register,
 * constant, memo slot, list and rule index in range; every jump forward and
 * inside the innermost loop body or entry that holds it; every loop body
 * inside its enclosing body; BREAK never leaving more loops than hold it;
 * entries in order and inside the program.  So the VM cannot read outside
 * its arrays or loop for ever on any program that passes.  Never: changes
 * the program.
 */
#include <stdio.h>
#include <string.h>

#include "contract/model.h"
#include "contract/policy.h"
#include "policy/compile.h"

struct ver {
    const struct prog *P;
    char *why;
    size_t n;
};

static int bad(struct ver *v, int pc, const char *what)
{
    snprintf(v->why, v->n, "op %d (%s): %s", pc,
             pc >= 0 && pc < v->P->nops && v->P->ops[pc].code < N_OPCODES
                 ? opcode_names[v->P->ops[pc].code] : "?",
             what);
    return -1;
}

/* a register read: constant registers -1.. -ncregs too */
static int reg(const struct ver *v, int r)
{
    return r >= -v->P->ncregs && r < v->P->nregs;
}

/* a register written (and its n-1 neighbours) */
static int dst(const struct ver *v, int r, int n)
{
    return r >= 0 && n >= 1 && r + n <= v->P->nregs;
}

static int konst(const struct ver *v, int k)
{
    return k >= 0 && k < v->P->nconsts;
}

/* Operands of one op. */
static int operands(struct ver *v, int pc)
{
    const struct prog *P = v->P;
    const struct op *o = &P->ops[pc];
    switch (o->code) {
    case OP_CONST:
        return dst(v, o->a, 1) && konst(v, o->b) ? 0 : bad(v, pc, "register or constant");
    case OP_MOVE: case OP_NEG: case OP_NOT: case OP_EXISTS: case OP_IN:
        return dst(v, o->a, 1) && reg(v, o->b) ? 0 : bad(v, pc, "register");
    case OP_LIST_ADD:
        return reg(v, o->a) && reg(v, o->b) ? 0 : bad(v, pc, "register");
    case OP_ZERO:
        return dst(v, o->a, o->b) ? 0 : bad(v, pc, "registers");
    case OP_BUCKET:
        return dst(v, o->a, 1) && reg(v, o->b) && o->y > 0 ? 0 : bad(v, pc, "register");
    case OP_ADD_AT:
        return dst(v, o->a, o->y) && reg(v, o->b) && reg(v, o->c) ? 0 : bad(v, pc, "registers");
    case OP_LOAD_AT:
        return dst(v, o->a, 1) && o->y > 0 && o->b >= 0 && o->b + o->y <= v->P->nregs &&
                       reg(v, o->c)
                   ? 0 : bad(v, pc, "registers");
    case OP_COL:
        return dst(v, o->a, 1) && reg(v, o->b) && o->x <= CK_SCALED && o->c >= 0 && o->c < 512 &&
                       o->d > 0
                   ? 0 : bad(v, pc, "register, column or scale");
    case OP_BUILTIN:
        return dst(v, o->a, 1) && reg(v, o->b) && o->x < N_BUILTINS && o->y < N_ROWKINDS
                   ? 0 : bad(v, pc, "register or builtin");
    case OP_ARITH:
        return dst(v, o->a, 1) && reg(v, o->b) && reg(v, o->c) && strchr("+-*/", o->x) && o->x
                   ? 0 : bad(v, pc, "register or operator");
    case OP_CMP:
        return dst(v, o->a, 1) && reg(v, o->b) && reg(v, o->c) && o->y <= CC_TEXT
                   ? 0 : bad(v, pc, "register or class");
    case OP_FN:
        return dst(v, o->a, 1) && reg(v, o->b) && reg(v, o->c) && o->x < N_FNS
                   ? 0 : bad(v, pc, "register or function");
    case OP_PICK:
        return dst(v, o->a, 1) && reg(v, o->b) && konst(v, o->c) && o->y > 0 && o->c + o->y <= P->nconsts
                   ? 0 : bad(v, pc, "register or table");
    case OP_INC:
        return dst(v, o->a, 1) ? 0 : bad(v, pc, "register");
    case OP_JF: case OP_JT: case OP_JM:
        return reg(v, o->a) ? 0 : bad(v, pc, "register");
    case OP_FOR:
        return reg(v, o->a) && dst(v, o->b, 1) && o->x <= SRC_LIST && o->y < N_FEEDS
                   ? 0 : bad(v, pc, "register or source");
    case OP_LIST_NEW:
        return dst(v, o->a, 1) && o->b >= 0 && o->b < P->nlists ? 0 : bad(v, pc, "list");
    case OP_MEMO: case OP_MEMO_SET:
        return o->a >= 0 && o->a < P->nmemo ? 0 : bad(v, pc, "memo slot");
    case OP_RESET:
        return o->a >= 0 && o->b >= 0 && o->a + o->b <= P->nmemo ? 0 : bad(v, pc, "memo slots");
    case OP_HAVE:
        return dst(v, o->a, 1) && o->b >= 0 && o->b < N_INPUT ? 0 : bad(v, pc, "input file");
    case OP_TLIT:
        return konst(v, o->b) && P->consts[o->b].p ? 0 : bad(v, pc, "text constant");
    case OP_TVAL:
        return reg(v, o->b) && o->x < N_FMTS && (o->x != FMT_ENUM || o->y < N_ENUMS)
                   ? 0 : bad(v, pc, "register or format");
    case OP_EMIT:
        return o->a >= 0 && o->a < P->nrules && reg(v, o->b) && o->x < N_UNIT
                   ? 0 : bad(v, pc, "rule or unit");
    case OP_LATEST:
        return reg(v, o->a) && reg(v, o->b) && o->x >= 1 && o->d >= 0 && o->c >= 0 &&
                       o->c + o->x + o->d <= P->nregs && o->x + o->d <= 8 &&
                       (o->d == 0 || o->y < 256)
                   ? 0 : bad(v, pc, "registers of latest()");
    case OP_TRACE:
        return reg(v, o->a) && o->b >= 0 && o->b < v->P->ntp && v->P->tp[o->b].rule >= 0 &&
                       v->P->tp[o->b].rule < v->P->nrules
                   ? 0 : bad(v, pc, "register or trace point");
    case OP_JCOL: case OP_JCOLIN:
        return reg(v, o->a) && o->c >= 0 && o->c <= 508 ? 0 : bad(v, pc, "register or column");
    case OP_JMP: case OP_BREAK: case OP_EV_BEGIN: case OP_PIECE_BEGIN: case OP_PIECE_END:
    case OP_KEY_BEGIN: case OP_KEY_END:
        return 0;
    }
    return bad(v, pc, "unknown op");
}

/* Ops [from, to) at loop depth `depth`: jumps stay inside, bodies nest. */
static int range(struct ver *v, int from, int to, int depth)
{
    for (int pc = from; pc < to; pc++) {
        const struct op *o = &v->P->ops[pc];
        if (operands(v, pc) != 0)
            return -1;
        switch (o->code) {
        case OP_JF: case OP_JT: case OP_JM: case OP_JMP: case OP_MEMO: case OP_BUCKET:
        case OP_JCOL: case OP_JCOLIN:
            if (o->d < 0 || pc + 1 + o->d > to)
                return bad(v, pc, "jump backward or out of its body");
            break;
        case OP_BREAK:
            if (o->a < 1 || o->a > depth)
                return bad(v, pc, "BREAK leaves more loops than hold it");
            break;
        case OP_FOR:
            if (o->d < 0 || pc + 1 + o->d > to)
                return bad(v, pc, "loop body out of its enclosing body");
            if (range(v, pc + 1, pc + 1 + o->d, depth + 1) != 0)
                return -1;
            pc += o->d;
            break;
        }
    }
    return 0;
}

int prog_verify(const struct prog *P, char *why, size_t n)
{
    struct ver v = {P, why, n};
    snprintf(why, n, "ok");
    int at = 0;
    for (int e = 0; e < N_ENTRIES; e++) {
        if (P->entry[e][0] != at || P->entry[e][1] < at || P->entry[e][1] > P->nops)
            return snprintf(why, n, "entry %d out of order", e), -1;
        if (range(&v, P->entry[e][0], P->entry[e][1], 0) != 0)
            return -1;
        at = P->entry[e][1];
    }
    if (at != P->nops)
        return snprintf(why, n, "ops after the last entry"), -1;
    if (P->reg_unit < 0 || P->reg_unit >= P->nregs)
        return snprintf(why, n, "unit register"), -1;
    for (int i = 0; i < P->nrules; i++)
        if (P->rules[i].cat < 0 || P->rules[i].cat >= 32 || P->rules[i].severity < 0 ||
            P->rules[i].severity >= SEV_OFF)
            return snprintf(why, n, "rule %d", i), -1;
    return 0;
}
