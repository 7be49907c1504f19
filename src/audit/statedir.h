/* statedir.h - the files of an auditors' state directory (`--state DIR`).
 *
 *   dispositions.csv  every imported verdict, in import order; of a
 *                     fingerprint's, the one with the latest reviewed_on
 *                     is in force (of those, the last imported)
 *   findings.csv      every finding a run recorded, with the runs and dates
 *                     it was first and last seen
 *   history.csv       one row per run: counts for the report's trend, and
 *                     each feed's data rows (the drop check, prevcounts.h)
 *   .lock             flock()ed (exclusive) while any of them is read or
 *                     replaced
 * Each file is replaced atomically (base/fileio.h: temporary file, fsync,
 * rename, fsync of the directory).  What the files mean for a run (which
 * findings are held, what changed) is review.c's; this module only reads
 * and writes them.
 *
 * Owns: the three files' columns and the lock.  Never: judges a finding.
 */
#ifndef ENGINE_STATEDIR_H
#define ENGINE_STATEDIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/review_import.h"
#include "base/arena.h"
#include "base/err.h"
#include "contract/policy.h"
#include "engine/evaluate.h"

/* A finding of an earlier run: a row of findings.csv (or a flag of the
 * previous run's flags.csv, review.c).  Strings live in the reader's
 * arena. */
struct prev_flag {
    uint64_t fp;
    const char *rule_id, *severity, *household_id, *hukou_no, *id_no, *region, *evidence;
    int first_run, last_run;          /* findings.csv only (else 0) */
    const char *first_seen, *last_seen;
};

/* A row of history.csv; -1 for a count not known. */
struct history_row {
    int run;
    char as_of[11];
    char finished_at[21];
    long long flags, new_, persisting, resolved, queue, held;
    long long rule_count[RULES_MAX];    /* by enum rule_id, -1 unknown */
    long long data_rows[N_INPUT];     /* per feed, -1 unknown (audit/prevcounts.h) */
};

/* A row of dispositions.csv as read. */
struct disp_row {
    uint64_t fp;
    int outcome;
    const char *fields[7];   /* fingerprint outcome reviewer reviewed_on note imported_at source */
    size_t seq;              /* row number in the file, from 0 */
};

/* E_NOINPUT unless state is an existing directory. */
int statedir_exists(const char *state, struct err *e);
/* Create the directory if needed (mode 0700) and take its lock; *fd then
 * holds it until statedir_unlock(*fd). */
int statedir_lock(const char *dir, int *fd, struct err *e);
void statedir_unlock(int fd);

/* dir/findings.csv sorted by fingerprint; none when there is no file. */
int statedir_read_findings(const char *dir, struct arena *a, struct prev_flag **out,
                           size_t *n, struct err *e);
/* dir/history.csv in file order; none when there is no file. */
int statedir_read_history(const char *dir, struct history_row **out, size_t *n,
                          struct err *e);
/* dir/dispositions.csv in file order; none when there is no file. */
int statedir_read_dispositions(const char *dir, struct arena *a, struct disp_row **out,
                               size_t *n, struct err *e);
/* The number of the last run recorded: findings are written before the
 * history row, so a crash between the two still names the right run. */
int statedir_last_run(const struct prev_flag *known, size_t n_known,
                      const struct history_row *h, size_t n_h);

/* A finding's identity as seven CSV fields, each followed by ',':
 * fingerprint, rule_id, severity, household_id, hukou_no, id_no,
 * region_code (the order of findings.csv and, after its change column, of
 * changes.csv). */
void statedir_put_finding(FILE *f, uint64_t fp, const char *rule, const char *sev,
                          const char *hh, const char *hk, const char *id, const char *region);

/* findings.csv anew: old (sorted by fp) merged with the current flags
 * (order[]: their indexes sorted by fp), run number and as-of date of this
 * run for the current ones. */
int statedir_write_findings(const char *dir, const struct prev_flag *old, size_t n_old,
                            const struct eval_result *er, const size_t *order, int run,
                            const char *as_of, struct err *e);
int statedir_write_history(const char *dir, const struct history_row *rows, size_t n,
                           struct err *e);
/* dispositions.csv anew: the old rows (in file order) and then add[],
 * each with imported_at and source "SOURCE:LINE". */
int statedir_write_dispositions(const char *dir, const struct disp_row *old, size_t n_old,
                                const struct review_verdict *add, size_t n_add,
                                const char *imported_at, const char *source, struct err *e);

#endif
