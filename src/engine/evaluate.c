/* evaluate.c - the judging's result (see evaluate.h): the contract's order
 * of flags, and releasing a result.
 *
 * Owns: flag_cmp and eval_result_free.  The rules are the policy's
 * (rules/ *.policy), run by vm.c.  Never judges, reads files or prints.
 */
#include "engine/evaluate.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

int flag_cmp(const void *a, const void *b)
{
    const struct flag *x = a, *y = b;
    int r = strcmp(x->household_id, y->household_id);
    if (r)
        return r;
    if ((r = strcmp(x->hukou_no, y->hukou_no)))
        return r;
    if ((r = strcmp(rule_names[x->rule], rule_names[y->rule])))
        return r;
    return strcmp(x->id_no, y->id_no);
}

void eval_result_free(struct eval_result *r)
{
    free(r->flags);
    free(r->no_std_households);
    free(r->no_std_candidates);
    for (int i = 0; i < r->n_arenas; i++)
        arena_free(&r->arenas[i]);
    free(r->arenas);
    memset(r, 0, sizeof *r);
}
