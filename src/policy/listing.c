/* listing.c - a compiled program as text, one op a line (EXPLAIN-like).
 *
 * Owns: the listing format:  "  12  FOR      x=1 y=0 a=0 b=3 c=0 d=7   ; line 40".
 * Used by `hedui rules check --program`.  Never: changes the program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/compile.h"

static const char *const entry_names[N_ENTRIES] = {"households on the rolls",
                                                   "cancelled households", "candidates"};

char *prog_listing(const struct prog *P)
{
    size_t cap = (size_t)P->nops * 96 + 1024, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    n += (size_t)snprintf(out + n, cap - n, "; %d ops, %d registers, %d lets, %d lists, "
                          "%d constants, %d rules\n", P->nops, P->nregs, P->nmemo, P->nlists,
                          P->nconsts, P->nrules);
    for (int i = 0; i < P->nops; i++) {
        for (int e = 0; e < N_ENTRIES; e++)
            if (P->entry[e][0] == i && n + 80 < cap)
                n += (size_t)snprintf(out + n, cap - n, "; entry: %s (ops %d-%d)\n",
                                      entry_names[e], P->entry[e][0], P->entry[e][1] - 1);
        const struct op *o = &P->ops[i];
        if (n + 96 >= cap)
            break;
        if (o->code == OP_EMIT)
            n += (size_t)snprintf(out + n, cap - n, "%5d  %-11s rule=%s unit=%d b=%d  ; line %u\n",
                                  i, opcode_names[o->code], P->rules[o->a].name, o->x, o->b,
                                  o->line);
        else
            n += (size_t)snprintf(out + n, cap - n,
                                  "%5d  %-11s x=%d y=%d a=%d b=%d c=%d d=%d  ; line %u\n", i,
                                  opcode_names[o->code], o->x, o->y, o->a, o->b, o->c, o->d,
                                  o->line);
    }
    return out;
}
