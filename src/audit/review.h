/* review.h - the auditors' side of a run: what changed since the previous
 * run, and the auditors' verdicts in force (dispositions).
 *
 * Every flag gets a fingerprint (fingerprint.h).  The previous run is an
 * output directory (`run --previous DIR`: its flags.csv, with fingerprints
 * in a `fingerprint` column or in fingerprints.csv) or the last run
 * recorded in a state directory (`run --state DIR`, statedir.h).  Against
 * it each flag is new or persisting, and findings that no longer fire are
 * resolved (changes.csv).
 *
 * A flag whose fingerprint has a verdict in force (cleared, confirmed or
 * referred) is `held`: rank.c leaves it out of the review queue.  A finding
 * whose evidence changes has a new fingerprint and is queued again.
 */
#ifndef ENGINE_REVIEW_H
#define ENGINE_REVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/fingerprint.h"
#include "audit/review_import.h"
#include "audit/statedir.h"
#include "base/arena.h"
#include "base/err.h"
#include "contract/policy.h"
#include "engine/evaluate.h"
#include "out/summary.h"

struct outdir;

enum change { CH_NEW = 0, CH_PERSISTING, CH_RESOLVED };
extern const char *const change_names[3];

/* A verdict in force on a fingerprint. */
struct disposition {
    uint64_t fp;
    int outcome;
    const char *reviewer, *reviewed_on, *note;
};

struct review {
    const char *previous_dir, *state_dir;
    int compare;                      /* flags get new/persisting, changes.csv */
    struct prev_flag *prev;           /* the previous run, sorted by fp */
    size_t n_prev;
    struct prev_flag *known;          /* state findings.csv, sorted by fp */
    size_t n_known;
    struct disposition *disp;         /* in force, sorted by fp */
    size_t n_disp;
    struct disposition *stored;       /* every verdict stored (state or store), by fp */
    size_t n_stored;
    struct history_row *hist;         /* state history.csv, by run */
    size_t n_hist;
    int prev_run;                     /* run number of the previous state run */
    /* per flag of the current run */
    unsigned char *change, *outcome;
    size_t n_flags;
    size_t *resolved;                 /* indexes into prev, sorted like flags */
    size_t n_resolved;
    long long n_new, n_persisting, n_held[N_OUTCOMES];
    struct arena arena;               /* strings read from files */
};

/* Read --previous DIR and/or the state DIR (either may be NULL). */
int review_open(struct review **out, const char *previous_dir, const char *state_dir,
                struct err *e);
/* Fingerprint every flag; mark new/persisting, resolved, and held flags
 * (before rank_build). */
int review_mark(struct review *rv, struct eval_result *er, struct err *e);
/* The auditors' lists, each rendered into f (a file of the output
 * directory, or memory for `run --pg`): flags.csv with the columns
 * fingerprint,change after the contract's eight when comparing (else
 * out/lists.h's plain flags.csv), fingerprints.csv, and changes.csv (when
 * comparing: every current flag and every resolved finding). */
void review_flags(FILE *f, const struct review *rv, const struct eval_result *er);
void review_fingerprints(FILE *f, const struct eval_result *er);
void review_changes(FILE *f, const struct review *rv, const struct eval_result *er);
/* flags.csv and (when comparing) changes.csv, rendered as above into the
 * temporary output directory; review_write_fingerprints fingerprints.csv
 * (separate, so that the two can be written at the same time). */
int review_write(struct review *rv, struct outdir *od, const struct eval_result *er,
                 struct err *e);
int review_write_fingerprints(struct review *rv, struct outdir *od,
                              const struct eval_result *er, struct err *e);
/* After a successful publish: record the run in the state directory. */
int review_record_run(struct review *rv, const struct run_summary *s, const char *out_dir,
                      struct err *e);
/* The history row of the current run (for the report). */
void review_current_row(const struct review *rv, const struct run_summary *s,
                        struct history_row *h);
void review_free(struct review *rv);

/* The finding of a fingerprint among the recorded ones (rv->known), or
 * NULL. */
const struct prev_flag *review_known(const struct review *rv, uint64_t fp);

/* ---------- filled from elsewhere (PostgreSQL: pg/) ---------- */

/* Add a finding of the previous run (known = 0) or of any recorded run
 * (known = 1); cols: rule_id severity household_id hukou_no id_no
 * region_code evidence (NULL: all empty). */
int review_add_prev(struct review *rv, int known, const char *fp_hex,
                    const char *const cols[7], struct err *e);
/* Add the verdict in force on a fingerprint (one per fingerprint). */
int review_add_disp(struct review *rv, const char *fp_hex, const char *outcome,
                    const char *reviewer, const char *reviewed_on, const char *note,
                    struct err *e);
/* Add a verdict as stored, whether in force or not (a row of
 * dispositions), for `review import`'s test of a verdict already there. */
int review_add_stored(struct review *rv, const char *fp_hex, const char *outcome,
                      const char *reviewer, const char *reviewed_on, const char *note,
                      struct err *e);
/* Sort what was added; compare = 1: mark new/persisting/resolved. */
void review_sort_added(struct review *rv, int compare);

/* ---------- `review import` ---------- */

/* Check FILE (review_import_read) against the findings recorded in the
 * state directory (store NULL) or in store, and add its verdicts there,
 * all or nothing (dry_run: check only).  A verdict already stored (same
 * fingerprint, outcome, reviewer, reviewed_on and note) is not added again,
 * so importing a file twice changes nothing the second time (a note says
 * so).  A state directory that does not exist is refused (E_NOINPUT: a
 * mistyped path would start an empty state) unless create_state.  Says on
 * stdout what it did.  (verdicts.c) */
int review_import(const char *file, const char *state, const struct review_store *store,
                  int dry_run, int create_state, struct err *e);

#endif
