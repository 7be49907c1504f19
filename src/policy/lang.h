/* lang.h - the rules language from the outside: read a policy, check it,
 * compile it (rules/README.md; the pipeline is in ast.h's comment).
 *
 * Owns: struct lang_prog, everything one compiled policy holds (sources,
 * diagnostics, the checked rules, the program).  Never prints: the
 * diagnostics come back as text for the command to print.
 */
#ifndef POLICY_LANG_H
#define POLICY_LANG_H

#include <stddef.h>

#include "base/err.h"
#include "contract/policy.h"
#include "policy/ast.h"
#include "policy/ir.h"
#include "policy/prog.h"

struct lang_opts {
    int as_of;              /* dated parameters: the value in force on this day */
    int window_months;      /* policy.rules' income window */
    const int *have;        /* optional feeds present (per enum input_file), or NULL */
    int trace;              /* compile trace points too (explain; prog.h TRACE) */
};

struct lang_prog {
    struct lang L;
    struct cpolicy cp;
    struct prog P;
    int compiled;           /* P holds a program */
    char *diagnostics;      /* every error and warning as text (malloc'd), or NULL */
    int nerrors, nwarnings;
    char entry[512];        /* the policy file read */
    char hash[17];          /* XXH64 of the files read, in extends order, hex */
    char policy_hash[17];   /* the compiled policy's hash (policy_hash below), hex */
};

/* The compiled policy's hash: XXH3-64 of a canonical serialisation of what
 * the policy decides, the same for every as-of date, run and feed set:
 * the program compiled for a fixed day (2000-01-01, no feed decided, no
 * trace points), op by op without source lines, its constants by value
 * (texts by their bytes), rules, severities, entries and register counts;
 * then every effective parameter's declaration as tokens (every dated
 * value, so a value that starts next month changes it today).  A comment,
 * white space or a blank line changes nothing; a changed rule, parameter,
 * severity, set or evidence text changes it.  policy.rules (run settings)
 * enters through the income window only: its own hash is struct policy's.
 * hex: 16 hex digits and a NUL. */
int policy_hash(struct lang *L, const struct cpolicy *cp, const struct prog *P, char hex[17]);

/* Read the one *.policy file of dir and the files it extends, check and
 * compile.  *out is set whenever it could be allocated (also on E_CONFIG,
 * with the diagnostics); free it with lang_prog_free.
 * E_OK, E_CONFIG (errors in the policy: e names the first, at
 * file:line:col), E_NOINPUT (no .policy file), E_IO, E_NOMEM. */
int lang_load_dir(struct lang_prog **out, const char *dir, const struct lang_opts *o,
                  struct err *e);
/* The same for a policy given as text (tests, fuzzing); path names it in
 * messages and anchors `extends`. */
int lang_load_text(struct lang_prog **out, const char *path, const char *text, size_t len,
                   const struct lang_opts *o, struct err *e);
/* The same for a policy held in memory as the files lp->L.files of an
 * earlier load (a snapshot's copy): t[0] is the policy judged, `extends
 * NAME` names the t[i] whose file name is NAME.policy. */
int lang_load_texts(struct lang_prog **out, const struct policy_text *t, int n,
                    const struct lang_opts *o, struct err *e);
void lang_prog_free(struct lang_prog *lp);

#endif
