/* review.h - the auditors' side of a run: fingerprints, what changed since
 * the previous run, and the auditors' verdicts (dispositions).
 *
 * Fingerprint: XXH3-64 (16 lower-case hex digits) of the rule, the flag's
 * key (household_id, hukou_no, id_no) and the evidence's key values
 * (struct flag.evkey: plates and values, dates, income totals and
 * standards, ...; never record line numbers, limits or the as-of date).
 * Key items are sorted before hashing, so the same finding has the same
 * fingerprint in every run wherever its rows sit in the feeds, and a
 * changed finding (a new car, a higher value, a higher wage) gets a new one.
 *
 * The previous run is an output directory (`run --previous DIR`: its
 * flags.csv, with fingerprints in a `fingerprint` column or in
 * fingerprints.csv) or the last run recorded in a state directory
 * (`run --state DIR`).  A state directory holds:
 *   dispositions.csv  every imported verdict, in import order; the last one
 *                     of a fingerprint is in force
 *   findings.csv      every finding a run recorded, with the runs and dates
 *                     it was first and last seen
 *   history.csv       one row per run: counts for the report's trend
 * Each file is replaced atomically (temporary file, fsync, rename, fsync of
 * the directory) under an exclusive flock of DIR/.lock.
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

#include "base/arena.h"
#include "base/csvread.h"
#include "base/err.h"
#include "engine/evaluate.h"
#include "contract/policy.h"

struct pipeline;
struct outdir;

enum change { CH_NEW = 0, CH_PERSISTING, CH_RESOLVED };
enum outcome { OC_NONE = 0, OC_CONFIRMED, OC_CLEARED, OC_REFERRED, N_OUTCOMES };
extern const char *const change_names[3];
extern const char *const outcome_names[N_OUTCOMES];

/* ---------- fingerprints ---------- */

uint64_t review_fingerprint(const struct flag *f);
/* 16 lower-case hex digits and a NUL. */
void review_fp_hex(uint64_t fp, char out[17]);
/* 16 hex digits (either case) -> fp; 0 on success, -1 if malformed. */
int review_fp_parse(const char *s, uint64_t *out);

/* ---------- a run's review state ---------- */

struct prev_flag {
    uint64_t fp;
    const char *rule_id, *severity, *household_id, *hukou_no, *id_no, *region, *evidence;
    int first_run, last_run;          /* state findings only */
    const char *first_seen, *last_seen;
};

struct disposition {
    uint64_t fp;
    int outcome;
    const char *reviewer, *reviewed_on, *note;
};

struct history_row {
    int run;
    char as_of[11];
    char finished_at[21];
    long long flags, new_, persisting, resolved, queue, held;
    long long rule_count[N_RULES];    /* by enum rule_id, -1 unknown */
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
/* flags.csv (with fingerprint,change when comparing), fingerprints.csv and
 * changes.csv (when comparing) into the temporary output directory. */
int review_write(struct review *rv, struct outdir *od, const struct eval_result *er,
                 struct err *e);
/* After a successful publish: record the run in the state directory. */
int review_record_run(struct review *rv, const struct pipeline *p, const char *out_dir,
                      struct err *e);
/* The history row of the current run (for the report). */
void review_current_row(const struct review *rv, const struct pipeline *p,
                        struct history_row *h);
void review_free(struct review *rv);

/* ---------- a review state kept elsewhere (PostgreSQL: cmd_pg.c) ---------- */

/* One validated row of an auditors' import. */
struct review_verdict {
    uint64_t fp;
    int outcome;
    char reviewed_on[11];
    char *reviewer, *note;
    long long line;   /* in the import file */
};

/* Where `review import` puts verdicts instead of a state directory:
 * open() fills rv->known (review_add_prev(rv, 1, ...), review_sort_added)
 * with the findings of the recorded runs; write() stores the validated
 * rows, all or nothing.  name is used in messages. */
struct review_store {
    const char *name;
    int (*open)(void *ctx, struct review *rv, struct err *e);
    int (*write)(void *ctx, const struct review_verdict *v, size_t n, const char *source,
                 struct err *e);
    void *ctx;
};

/* Validate FILE exactly as `review import` does and store its rows in
 * the state directory (store NULL) or in store. */
int review_import(const char *file, const char *state, const struct review_store *store,
                  int dry_run, struct err *e);
/* Add a finding of the previous run (known = 0) or of any recorded run
 * (known = 1); cols: rule_id severity household_id hukou_no id_no
 * region_code evidence (NULL: all empty). */
int review_add_prev(struct review *rv, int known, const char *fp_hex,
                    const char *const cols[7], struct err *e);
/* Add the verdict in force on a fingerprint (one per fingerprint). */
int review_add_disp(struct review *rv, const char *fp_hex, const char *outcome,
                    const char *reviewer, const char *reviewed_on, const char *note,
                    struct err *e);
/* Sort what was added; compare = 1: mark new/persisting/resolved. */
void review_sort_added(struct review *rv, int compare);

/* E_NOINPUT unless state is an existing directory. */
int review_state_exists(const char *state, struct err *e);
/* `hedui review ...` (import, list). */
int cmd_review(int argc, char **argv, struct err *e);

/* ---------- shared helpers (export.c, report.c) ---------- */

/* Mask an ID number for people outside the bureau: keep the first 6 and
 * last 4 characters (UTF-8 characters), '*' between; shorter than 15
 * characters: every character masked. */
void mask_id(const char *id, char *out, size_t n);
/* Mask every run of 15 or more ID characters (digits, then an optional X)
 * inside free text. */
void mask_ids_in_text(const char *s, char *out, size_t n);

#endif
