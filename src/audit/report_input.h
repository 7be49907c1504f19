/* report_input.h - what report.html shows, gathered: from the run being
 * published (report_write_run, which also writes the page) or from a
 * published run's files (report_from_published, for `hedui report`).
 *
 * The page lists a sample: when the run compared with a previous one, the
 * new findings (up to 300) and the resolved ones (up to 100), else the
 * findings of high or medium severity (up to 300); the spot-check sample
 * up to 500 rows; every township.
 *
 * Owns: that choice of what is listed.  Never: renders (report.h) or
 * parses a file (rundir.h).
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

/* A report_input and the arrays it points to (owned). */
struct report_build {
    struct report_input ri;
    struct rep_town *towns;
    struct rep_finding *findings;
    struct rep_spot *spot;
};

/* report.html of the run s being published, with what rv marked (into the
 * temporary directory; its manifest.json is written already). */
int report_write_run(const struct run_summary *s, const struct review *rv, struct outdir *od,
                     struct err *e);

/* Fill b from a published run (read with RUN_MANIFEST, RUN_FLAGS,
 * RUN_CHANGES, RUN_QUEUE and RUN_SPOT; b points into rd, which must
 * outlive it).  The trend (ri.hist) and tool_version are the caller's.
 * report_build_free(b) afterwards in every case. */
int report_from_published(struct report_build *b, const struct rundir *rd, struct err *e);
void report_build_free(struct report_build *b);

/* The trend's row of a published run (read with RUN_MANIFEST and
 * RUN_CHANGES): counts from the manifest, changes and verdicts from
 * changes.csv (-1 when the run did not compare). */
void report_history_row(const struct rundir *rd, struct history_row *h);
/* Sort trend rows by as-of date, then run number. */
void report_sort_history(struct history_row *h, size_t n);

#endif
