/* write.h - stage 7: the output files, published atomically.
 *
 * Every list is written into a private temporary directory inside the
 * output directory, flushed and fsync'd; then the old manifest is removed,
 * the lists are renamed into place one by one, and the new manifest is
 * renamed last.  The manifest is the commit marker: a directory whose
 * manifest.json is present holds one complete run; a crash before the last
 * rename leaves no manifest (or the previous one with the previous lists),
 * never a half-written list under its final name.  Files are mode 0600:
 * they carry full ID numbers for the bureau only.
 */
#ifndef ENGINE_WRITE_H
#define ENGINE_WRITE_H

#include <stdio.h>

#include "err.h"
#include "evaluate.h"
#include "model.h"
#include "rank.h"
#include "rules.h"

struct outdir {
    char dir[512];
    char tmp[600];
    int open;
};

/* Create dir if needed and a fresh temporary directory inside it. */
int out_begin(struct outdir *o, const char *dir, struct err *e);
/* Remove the temporary directory and whatever is in it (on failure). */
void out_abort(struct outdir *o);
/* Publish (see above).  names[] are the files written, manifest last. */
int out_commit(struct outdir *o, const char *const *names, int n, struct err *e);

/* One CSV field, quoted only where RFC 4180 needs it. */
void csv_put(FILE *f, const char *s, int last);

int write_flags(struct outdir *o, const struct eval_result *r, struct err *e);
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
