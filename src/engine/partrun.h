/* partrun.h - a run under --memory-limit on one machine: the rows go to
 * temporary files by the partition plan (partition.h) and are judged one
 * batch of buckets at a time, so the peak memory is the registry-wide
 * facts plus one batch, whatever the size of the feeds.
 *
 * The stages, in the order pipeline.c calls them:
 *   partrun_open     the spill directory (inside the output directory), the
 *                    number of buckets (from the inputs' sizes and the
 *                    limit), or a refusal naming the smallest limit that
 *                    would do
 *   (households.csv, candidates.csv, standards.csv and holidays.csv are
 *    loaded into the run's dataset as usual, and normalise_finish()ed)
 *   partrun_members  members.csv: (key, household, head?) kept, rows spilled
 *   partrun_hukou    hukou.csv: rows spilled into buckets by person key
 *   partrun_plan     member repeats (rejected as normalise.c does), the
 *                    hukou merge bucket by bucket, the plan, the hukou and
 *                    member rows into their partition buckets
 *   partrun_feed     every other feed, each row into its person's bucket
 *   partrun_batches  the buckets grouped into batches that fit the limit
 *   then per batch:  partrun_batch_load (a dataset as normalise_finish
 *                    leaves one, for pipeline_judge), partrun_gather (its
 *                    flags, kept), partrun_batch_free
 *   partrun_result   every flag, sorted, as vm_run() returns them
 *
 * Owns: the spill directory and everything in it, the compact member
 * list, the plan, the gathered flags until partrun_result hands them over.
 * Never judges a rule itself (pipeline_judge does, per batch), never
 * writes an output.
 */
#ifndef ENGINE_PARTRUN_H
#define ENGINE_PARTRUN_H

#include <stddef.h>

#include "base/encoding.h"
#include "base/err.h"
#include "contract/model.h"
#include "engine/evaluate.h"
#include "engine/normalise.h"

struct partrun;

/* The inputs as the run will read them: path (NULL when absent). */
struct partrun_inputs {
    const char *path[N_INPUT];
};

/* Prepare a run of nz's dataset under `limit` bytes with its temporary
 * directory inside out_dir; first/last: the income window's months (the
 * social-insurance months a run keeps).  Refuses (E_USAGE, nothing
 * touched but the directory it checked) a limit below what the registry
 * alone needs, naming the smallest that would do.  *out is NULL on error. */
int partrun_open(struct partrun **out, struct normaliser *nz, size_t limit, const char *out_dir,
                 const struct partrun_inputs *in, int si_first, int si_last, struct err *e);
/* Remove the temporary directory and free everything (also after an
 * error; NULL is fine). */
void partrun_free(struct partrun *pr);

int partrun_members(struct partrun *pr, const char *path, enum enc want, struct err *e);
int partrun_hukou(struct partrun *pr, const char *path, enum enc want, struct err *e);
/* After households, candidates, members and hukou (candidates merged). */
int partrun_plan(struct partrun *pr, struct err *e);
int partrun_feed(struct partrun *pr, enum input_file f, const char *path, enum enc want,
                 struct err *e);

/* Months of the income window with a social-insurance row: seen[m -
 * si_first] (feedcheck_si_months's answer). */
void partrun_si_months(const struct partrun *pr, unsigned char *seen);

/* Group the buckets into batches; their number.  E_USAGE when one bucket
 * alone does not fit (the message names the smallest limit that would). */
int partrun_batches(struct partrun *pr, int *n_batches, struct err *e);
/* Batch k as a dataset ready for pipeline_judge (standards and holidays
 * borrowed from the run's dataset). */
int partrun_batch_load(struct partrun *pr, int k, struct dataset *d, struct err *e);
/* Keep batch k's flags (er from judging d); the strings they need are
 * copied. */
int partrun_gather(struct partrun *pr, const struct eval_result *er, struct err *e);
void partrun_batch_free(struct partrun *pr, struct dataset *d);
/* Every flag gathered, as vm_run() would have returned them for
 * the whole registry (sorted, counted, no-standard lists). */
int partrun_result(struct partrun *pr, struct eval_result *r, struct err *e);
/* A line about the plan for progress output ("12 buckets in 3 batches,
 * ..."), in buf. */
void partrun_describe(const struct partrun *pr, char *buf, size_t cap);

/* Resident memory now, in bytes (after giving freed memory back). */
size_t partrun_rss_now(void);

/* Parse a size: digits with an optional K, M, G or T (powers of 1024; a
 * trailing B or iB is allowed).  0 and *bytes, or -1. */
int partrun_parse_size(const char *s, size_t *bytes);

#endif
