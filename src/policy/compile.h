/* compile.h - checked rules (ir.h) into a program (prog.h); see compile.c.
 *
 * Owns: nothing beyond the program it fills.  Never: evaluates.
 */
#ifndef POLICY_COMPILE_H
#define POLICY_COMPILE_H

#include "policy/ir.h"
#include "policy/prog.h"

/* Compile the effective policy into *P (malloc'd arrays; prog_free).
 * window_first/last: the months of the income window; have: per enum
 * input_file, is the optional feed present in this run (then `requires
 * feed` is decided here), or NULL (decided when run).  trace: also put
 * trace points (prog.h TRACE; for explain, never for a run: the same
 * tests and values, recorded).  0, or -1 with an error in L (out of
 * memory, or an internal error). */
int compile_policy(struct lang *L, const struct cpolicy *cp, int window_first,
                   int window_last, const int *have, int trace, struct prog *P);
void prog_free(struct prog *P);

/* The program as text, one op a line (hedui rules check --program);
 * malloc'd, NULL on no memory. */
char *prog_listing(const struct prog *P);

/* The TVAL format (prog.h enum tfmt) of a value of type t. */
int prog_value_format(struct ty t);

/* Is P well formed (verify.c)?  0, or -1 with the reason in why. */
int prog_verify(const struct prog *P, char *why, size_t n);

#endif
