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
 * it; r->by says which policy it was.  E_CONFIG
 * names the first error of the policy. */
int vm_run_dir(const struct eval_ctx *c, const char *rules_dir, struct eval_result *r,
               struct err *e);

/* Read, check and compile the policy vm_run_dir would run (rules_dir, else
 * c->p's texts, rules_dir or policy.rules' directory), with trace points
 * when trace (explain).  *out is set also on an error (its diagnostics);
 * lang_prog_free it. */
struct lang_prog;
int vm_load_policy(const struct eval_ctx *c, const char *rules_dir, int trace,
                   struct lang_prog **out, struct err *e);

/* ---------- explain: one unit, traced (engine/explain.c renders it) ---------- */

/* What the VM recorded at one trace point (policy/prog.h TRACE). */
struct vm_trec {
    int tp;              /* index in P->tp */
    const void *row;     /* a row value (TF_ROW, TP_UNIT, TP_ROW, TP_ELEM), else NULL */
    const char *text;    /* a value as evidence would print it, or the fired flag's
                            evidence and key ("evidence\x1dkey"); NULL for a row */
    uint8_t miss;        /* the value was missing */
};

struct vm_trace {
    struct vec recs;     /* struct vm_trec, in the order the program ran */
    struct arena ar;     /* their texts */
};

void vm_trace_init(struct vm_trace *t);
void vm_trace_free(struct vm_trace *t);

/* Judge household `index` (candidate == 0) or candidate `index` of c with
 * P (compiled with trace points: lang_opts.trace), recording into tr; the
 * unit's flags go into r exactly as vm_run gives them.  *skipped: 0, or why
 * a candidate was not judged (1 absent from hukou or not normal there, 2
 * no standard in force).  E_OK, E_NOMEM, E_DATA (vm_run's). */
int vm_judge_one(const struct eval_ctx *c, const struct prog *P, int candidate, uint32_t index,
                 struct vm_trace *tr, struct eval_result *r, int *skipped, struct err *e);

/* A value printed as evidence prints it (enum tfmt; en: FMT_ENUM's enum);
 * returns buf. */
char *vm_format_value(const struct vval *v, int fmt, int en, char *buf, size_t n);

/* A row as explain shows it, IDs masked 6+4 (base/idmask.h): short
 * (`brief`: a person's name, ID and line) or every column.  Row kinds are
 * policy/ir.h's.  Writes at most n bytes (NUL included); returns buf. */
char *vm_describe_row(const struct eval_ctx *c, int kind, const void *row, int brief,
                      char *buf, size_t n);

#endif
