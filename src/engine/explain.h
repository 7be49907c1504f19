/* explain.h - why a rule fired or did not, for one household or candidate
 * (`hedui explain`, `hedui check --explain`; issue 18 item 5).
 *
 * explain_run() compiles the policy (rules_dir's, else the run's) with trace points
 * (policy/trace.c: the same tests as a run, each recorded), judges only the
 * units asked for (vm_judge_one: the run's frame, unit facts and flags) and
 * renders, per unit, every rule of the policy that applies to it: its
 * Chinese label, kind, severity and place; the parameters it reads with the
 * value in force on the as-of date; per person or row it judged, the rows
 * of its set lets, its lets (a sum also per element), each condition of its
 * where / requires / when with the two sides of a comparison, and the
 * outcome:
 *   命中 fires            the flag, with its evidence and key;
 *   未命中 does not fire  and which condition of `when` was false;
 *   未评估 not evaluated  a `requires` was false: an absent optional feed, no
 *                        standard in force, size 0 ...;
 *   不适用 not applicable the unit's `where` was false (a member whose ID is
 *                        not valid, for a rule on valid members);
 *   关闭 off             the rule is off in this policy.
 * Then the flags a run gives for the unit (the same ops decided them).
 * Text for a person: full ID numbers masked 6+4 (base/idmask.h).
 *
 * Owns: the request, the rendering.  Never: reads files other than the
 * policy, decides a rule (the program does), prints (the text is returned).
 */
#ifndef ENGINE_EXPLAIN_H
#define ENGINE_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "engine/evaluate.h"

struct explain_req {
    /* in */
    const char *rules_dir;         /* the policy (its one *.policy file); NULL:
                                      the eval_ctx's policy's (vm_load_policy) */
    const uint32_t *households;    /* dataset indexes to explain */
    size_t n_households;
    const uint32_t *candidates;    /* candidates.csv indexes to explain */
    size_t n_candidates;
    int only;                      /* judge nothing else (pipeline_judge leaves er empty) */
    /* out */
    char *text;                    /* malloc'd, NUL-terminated */
    size_t len;
    size_t n_fired;                /* flags of the explained units */
};

/* Explain the units of x on c's dataset.  E_OK with x->text set, or
 * E_CONFIG (the policy), E_NOMEM, E_DATA (an overflow, as a run's). */
int explain_run(const struct eval_ctx *c, struct explain_req *x, struct err *e);
void explain_free(struct explain_req *x);

#endif
