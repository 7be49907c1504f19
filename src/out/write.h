/* write.h - stage 7: the output files, published atomically.
 *
 * Every list is written into a private temporary directory beside the
 * output directory (same parent, so the same file system), flushed and
 * fsync'd.  Publishing is then one atomic step: the new directory and the
 * old output directory are swapped with renameat2(RENAME_EXCHANGE) (or the
 * new one renamed into place when there was none), and the parent is
 * fsync'd.  A reader, or a crash at any instant, sees either the previous
 * complete run or the new complete run, never a mix.  Afterwards entries of
 * the old directory that hedui did not write are moved into the new one,
 * and the old outputs are deleted.  Files are mode 0600: they carry full ID
 * numbers for the bureau only.
 */
#ifndef ENGINE_WRITE_H
#define ENGINE_WRITE_H

#include <stdio.h>

#include "base/err.h"
#include "base/textout.h"   /* csv_put, json_put_str: the lists' spellings */
#include "engine/evaluate.h"
#include "contract/model.h"
#include "engine/rank.h"
#include "contract/policy.h"

#define OUT_MAX_BUFS 4

struct outdir {
    char dir[1024];     /* the output directory, absolute */
    char tmp[1100];     /* the new run, beside it until published */
    int open;
    /* stdio buffers of the files open for writing, freed when each closes */
    FILE *buf_file[OUT_MAX_BUFS];
    char *buf[OUT_MAX_BUFS];
};

/* Create dir if needed and a fresh temporary directory inside it. */
int out_begin(struct outdir *o, const char *dir, struct err *e);
/* fsync() a directory, so a rename in it is durable.  0 or -1 (errno). */
int out_fsync_dir(const char *dir);

/* Remove the temporary directory and whatever is in it (on failure). */
void out_abort(struct outdir *o);
/* Publish (see above).  names[] are the files written, manifest last. */
int out_commit(struct outdir *o, const char *const *names, int n, struct err *e);

int write_flags(struct outdir *o, const struct eval_result *r, struct err *e);
/* flags.csv with extra columns after the contract's eight: extra_header
 * (",a,b") and, per flag i, extra() writing its fields with csv_put (the
 * last one with last = 1). */
int write_flags_ext(struct outdir *o, const struct eval_result *r, const char *extra_header,
                    void (*extra)(FILE *f, size_t i, void *ctx), void *ctx, struct err *e);
/* Any other file of the run: created mode 0600 in the temporary directory;
 * out_close flushes, fsyncs and closes it. */
FILE *out_open(struct outdir *o, const char *name, struct err *e);
int out_close(FILE *f, struct outdir *o, const char *name, struct err *e);
int write_queue(struct outdir *o, const struct ranked *r, struct err *e);
int write_spot(struct outdir *o, const struct ranked *r, struct err *e);
int write_rejects(struct outdir *o, const struct dataset *d, struct err *e);

struct manifest_info {
    const char *version;
    const char *as_of;
    unsigned long long seed;
    int threads;
    const struct policy *policy;
    const char *rules_dir;
    const struct dataset *d;
    const struct eval_result *er;
    const struct ranked *rk;
    const char *const *skipped;      /* notes on rules skipped, NULL-terminated */
    double stage_ms[8];
    const char *const *stage_names;  /* n_stages names */
    int n_stages;
    long long peak_rss_kb;
};
int write_manifest(struct outdir *o, const struct manifest_info *m, struct err *e);

#endif
