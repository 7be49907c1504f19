/* report_input.h - what report.html shows, gathered: from the run being
 * published (report_write_run, which also writes the page) or from a
 * published run's files (report_from_published, for `hedui report`).
 *
 * What the page lists:
 *   the review queue  every household of it with all its flags (any
 *                     severity, with change and verdict), unless the queue
 *                     has more than queue_max households (REPORT_QUEUE_MAX
 *                     by default): then the households ranked 1..k in each
 *                     township, k the largest rank that keeps the count
 *                     within queue_max (at least 1), so every township
 *                     keeps its most urgent households and the page says
 *                     where the rest are.  The page holds one JSON row per
 *                     listed household (report_queue.c), about 290 bytes
 *                     with its flags, two thirds of it evidence: SF 0.1
 *                     (9,522 households) gives a page of 2.8 MB, SF 1
 *                     (95,591 households, 110,158 flags) 27.8 MB, which
 *                     Chromium opens in about 2 s on a busy 2-core VM and
 *                     filters in under 0.1 s; the default cap keeps SF 1
 *                     whole.
 *   resolved          the first 300 findings resolved since the previous run
 *   spot check        the first 500 rows of the sample
 *   townships         every one
 *
 * Owns: that choice of what is listed, and the match of a queue row to its
 * flags (flags.csv is sorted by household_id, then hukou_no: a household's
 * flags, or for a candidate a hukou household's, are one run of it).  Never:
 * renders (report.h) or parses a file (rundir.h).
 */
#ifndef ENGINE_REPORT_INPUT_H
#define ENGINE_REPORT_INPUT_H

#include <stddef.h>

#include "audit/report.h"
#include "audit/review.h"
#include "audit/rundir.h"
#include "base/err.h"
#include "out/summary.h"

struct outdir;

/* Households of the review queue listed on the page at most (see above). */
#define REPORT_QUEUE_MAX 100000
#define REPORT_QUEUE_MAX_TEXT "100000"

/* A report_input and the arrays it points to (owned). */
struct report_build {
    struct report_input ri;
    struct rep_town *towns;
    struct rep_finding *findings;
    struct rep_spot *spot;
    struct rep_queue_row *queue;
    struct rep_flag *flags;
    const char **nostd_ids;      /* ri.no_std_hh, when built from a run in memory */
    long long *nostd_lines;      /* ri.no_std_cand_lines, likewise */
};

/* report.html of the run s being published, with what rv marked (into the
 * temporary directory), embedding manifest_json: the manifest's bytes as
 * write_manifest published them (NULL: the page says there is none). */
int report_write_run(const struct run_summary *s, const char *manifest_json,
                     const struct review *rv, struct outdir *od,
                     struct err *e);

/* Fill b from a published run (read with RUN_MANIFEST, RUN_FLAGS,
 * RUN_CHANGES, RUN_QUEUE and RUN_SPOT; b points into rd, which must
 * outlive it), listing at most queue_max queued households (0: no cap).
 * The trend (ri.hist) and tool_version are the caller's.
 * report_build_free(b) afterwards in every case. */
int report_from_published(struct report_build *b, const struct rundir *rd, size_t queue_max,
                          struct err *e);
void report_build_free(struct report_build *b);

/* The trend's row of a published run (read with RUN_MANIFEST and
 * RUN_CHANGES): counts from the manifest, changes and verdicts from
 * changes.csv (-1 when the run did not compare). */
void report_history_row(const struct rundir *rd, struct history_row *h);
/* Sort trend rows by as-of date, then run number. */
void report_sort_history(struct history_row *h, size_t n);

#endif
