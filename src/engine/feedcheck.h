/* feedcheck.h - feeds that look incomplete: the checks that stop a run
 * after loading and before judging (data contract, "Feeds that look
 * incomplete").
 *
 * Rejected rows are not the only way a feed goes wrong: an export cut
 * short, a file with only its header, or a social-insurance feed that lags
 * the income window turns into false 漏保 leads and silently missed 错保.
 * A run stops (E_DATA: exit 1, nothing published) when
 *   1. a required feed (households, members, hukou, vehicles, property,
 *      social_insurance) has no accepted data rows;
 *   2. social_insurance.csv has no accepted row for some month of the
 *      income window (the policy's window_months calendar months before the
 *      as-of month);
 *   3. a previous run is known (--previous, --state, the schema's run
 *      history) and a department feed's data rows fell by more than the
 *      rules' [input] feed_drop_limit since that run, unless the operator
 *      accepted that feed's drop for this run (--accept-drop FEED).
 * The checks run in that order; the message names the first check that
 * fails, every feed that fails it (as many as fit), the figures and the way
 * out.  An absent optional feed is allowed (its rules are skipped); a
 * present optional feed is a feed: its drop counts, and a header-only one
 * is present and empty (no stop of its own).  standards.csv and holidays.csv
 * are policy tables, not feeds: never compared.
 *
 * Pure: no I/O, no allocation, no globals; thread-safe.  The previous
 * counts are read elsewhere (audit/prevcounts.h, pg/pg_run.c).
 */
#ifndef ENGINE_FEEDCHECK_H
#define ENGINE_FEEDCHECK_H

#include <stddef.h>

#include "base/err.h"
#include "contract/model.h"
#include "contract/policy.h"

/* The per-file data-row counts of an earlier run. */
struct feed_rows {
    int known;                      /* 0: no previous run, or it kept no counts */
    long long data_rows[N_INPUT];   /* -1: not recorded (absent, or a policy table) */
    char from[300];                 /* which run, for messages ("the run in DIR") */
    char note[400];                 /* why there are no counts, for stderr; "" if none */
};

/* Mark every count unknown. */
void feed_rows_init(struct feed_rows *r);

/* A drop accepted with --accept-drop (recorded in the manifest). */
struct feed_drop {
    int file;                       /* enum input_file */
    long long data_rows, prev_rows;
};

struct feedcheck_in {
    const struct filestat *files;   /* [N_INPUT]: present, data_rows, accepted */
    int window_first, window_last;  /* the income window, month numbers (date.h) */
    const unsigned char *si_month_seen; /* [window_last - window_first + 1]: nonzero
                                     * when social_insurance has an accepted row then */
    const struct feed_rows *prev;   /* NULL or !known: no drop check */
    struct rational drop_limit;     /* [input] feed_drop_limit: fell by more stops */
    unsigned accept_drop;           /* bit (1u << f) per feed whose drop is accepted */
};

struct feedcheck_out {
    struct feed_drop accepted[N_INPUT]; /* drops over the limit, accepted, in file order */
    int n_accepted;
};

/* Run the three checks.  E_OK (out filled) or E_DATA with e's message
 * naming the feed(s), the figures and the way out; never an ID number. */
int feedcheck_run(const struct feedcheck_in *in, struct feedcheck_out *out, struct err *e);

/* seen[m - first] = 1 for every month m in [first, last] that one of the
 * n rows has; the others 0.  This can't fail. */
void feedcheck_si_months(const struct si_row *rows, size_t n, int first, int last,
                         unsigned char *seen);

/* The feed named `name` ("property" or "property.csv"): its enum
 * input_file, or -1 when it is no department feed of the contract
 * (standards and holidays are policy tables: -1). */
int feedcheck_feed_index(const char *name);

/* 1 for the feeds checked for drops (every input but the policy tables). */
int feedcheck_is_feed(int f);

/* The names --accept-drop takes, for a usage message:
 * "households, members, ..., candidates". */
extern const char feedcheck_feed_list[];

#endif
