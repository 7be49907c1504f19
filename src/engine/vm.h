/* vm.h - stage 5, the rules language's way: run a compiled policy
 * (policy/prog.h) over the joined dataset.
 *
 * vm_run() gives a struct eval_result (evaluate.h: flags sorted by the
 * contract's order, counts and severities per rule, households and
 * candidates without a standard, candidates skipped); pipeline_judge
 * (pipeline.h) is the way in.
 */
#ifndef ENGINE_VM_H
#define ENGINE_VM_H

#include "engine/evaluate.h"
#include "policy/prog.h"

/* Judge every household and candidate of c with program P, on OpenMP
 * threads.  E_OK, E_NOMEM, or E_DATA for an arithmetic overflow or a
 * division by zero (the message names the policy line and the household). */
int vm_run(const struct eval_ctx *c, const struct prog *P, struct eval_result *r,
           struct err *e);

/* Read, check and compile the policy of rules_dir (its one *.policy file);
 * rules_dir NULL: c->p's (its texts, else its rules_dir, else the
 * directory of its policy.rules).  Parameters in force on c->as_of, the
 * income window of c->p, `requires feed` against c->have; then vm_run()
 * it.  E_CONFIG names the first error of the policy. */
int vm_run_dir(const struct eval_ctx *c, const char *rules_dir, struct eval_result *r,
               struct err *e);

#endif
