/* lists.h - the lists of a run: flags, review queue, spot check, rejects,
 * manifest; and the CSV/JSON primitives they are written with.
 *
 * Each list has a renderer taking a FILE * (lists_*), so a caller can
 * render into memory with open_memstream(3), and a write_* that renders it
 * into a file of an output directory (outdir.h: out_open, out_close).
 * Formats: UTF-8, no BOM, LF, a header row, RFC 4180 quoting only where
 * needed; the column lists are the data contract's and never change.
 * Renderers never fail: a write error shows in ferror()/fclose() of the
 * stream (out_close reports it).
 */
#ifndef ENGINE_LISTS_H
#define ENGINE_LISTS_H

#include <stdio.h>

#include "base/err.h"
#include "base/textout.h"   /* csv_put, json_put_str: the lists' spellings */
#include "engine/evaluate.h"
#include "engine/feedcheck.h"
#include "contract/model.h"
#include "engine/rank.h"
#include "contract/policy.h"
#include "out/outdir.h"
#include "out/summary.h"

/* flags.csv's header row: the contract's eight columns, then extra_header
 * (",a,b"; NULL: none), and one flag's eight fields (last: the row ends
 * after them, else the caller writes more fields).  lists_flags uses them;
 * `hedui check --format csv` writes its flags with them too. */
void lists_flag_header(FILE *f, const char *extra_header);
void lists_flag_row(FILE *f, const struct flag *g, int last);
/* flags.csv with extra columns after the contract's eight: extra_header
 * (",a,b") and, per flag i, extra() writing its fields with csv_put (the
 * last one with last = 1).  extra NULL: the eight columns only. */
void lists_flags(FILE *f, const struct eval_result *r, const char *extra_header,
                 void (*extra)(FILE *f, size_t i, void *ctx), void *ctx);
void lists_queue(FILE *f, const struct ranked *r);
void lists_spot(FILE *f, const struct ranked *r);
/* rejects.csv: every file's rejects, files by name, rows by line (sorts
 * the reject vectors of d in place). */
void lists_rejects(FILE *f, const struct dataset *d);

/* The same, each into its file of o (flags.csv, review_queue.csv,
 * spotcheck.csv, rejects.csv), flushed and synced. */
int write_flags(struct outdir *o, const struct eval_result *r, struct err *e);
int write_flags_ext(struct outdir *o, const struct eval_result *r, const char *extra_header,
                    void (*extra)(FILE *f, size_t i, void *ctx), void *ctx, struct err *e);
int write_queue(struct outdir *o, const struct ranked *r, struct err *e);
int write_spot(struct outdir *o, const struct ranked *r, struct err *e);
int write_rejects(struct outdir *o, const struct dataset *d, struct err *e);
/* rejects.csv's rows under another name (rejects-stopped.csv). */
int write_rejects_as(struct outdir *o, const char *name, const struct dataset *d,
                     struct err *e);

/* manifest.json of the run s (summary.h), with the feed drops accepted by
 * --accept-drop this run (n_drops of them; feedcheck.h). */
void lists_manifest(FILE *f, const struct run_summary *s, const struct feed_drop *drops,
                    int n_drops);
int write_manifest(struct outdir *o, const struct run_summary *s, const struct feed_drop *drops,
                   int n_drops, struct err *e);

#endif
