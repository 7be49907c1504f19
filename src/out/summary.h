/* summary.h - what one run was, for the files written about it: the
 * manifest's facts in one plain struct that pipeline.c fills
 * (pipeline_summary) and the writers below it read (out/lists.c: the
 * manifest; audit/: report.html, the state's history).
 *
 * Pointers borrow from the run (struct pipeline) and live as long as it.
 *
 * Owns: nothing.  Never: points back into pipeline.h (lower layers take
 * this, not the whole run).
 */
#ifndef ENGINE_SUMMARY_H
#define ENGINE_SUMMARY_H

struct policy;
struct dataset;
struct eval_result;
struct ranked;

struct run_summary {
    const char *version;                /* hedui's (HEDUI_VERSION) */
    int as_of;                          /* day number */
    unsigned long long seed;
    int threads;
    const struct policy *policy;        /* version, hash, severities */
    const char *rules_dir;
    const struct dataset *d;            /* inputs: files, rows, rejects */
    const struct eval_result *er;       /* the flags, sorted */
    const struct ranked *rk;            /* review queue, spot-check sample */
    const char *const *skipped;         /* notes on rules skipped, NULL-terminated */
    const double *stage_ms;             /* n_stages timings ... */
    const char *const *stage_names;     /* ... and their names */
    int n_stages;
    long long peak_rss_kb;
};

#endif
