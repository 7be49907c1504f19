/* export.h - township packs for people outside the bureau (see export.c). */
#ifndef ENGINE_EXPORT_H
#define ENGINE_EXPORT_H

#include <stdio.h>

#include "audit/rundir.h"
#include "base/err.h"

/* One spreadsheet-safe CSV field: RFC 4180 quoting; a text cell beginning
 * with = + - @ TAB or CR is prefixed with an apostrophe; CRLF after the
 * last field of a row. */
void xl_put(FILE *f, const char *s, int text, int last);

/* 1 if s is a township code: 9 digits. */
int township_code_ok(const char *s);

/* Write the packs of township town ("all": of every township in the review
 * queue) of the run rd (read with RUN_MANIFEST, RUN_FLAGS, RUN_CHANGES and
 * RUN_QUEUE) into the directory out (created, mode 0700, if missing): one
 * file per township, DIR/township_CODE_ASOF.csv, replaced atomically;
 * done() is called after each with its path and number of households.  A
 * single township with nothing queued still gets a pack (header only).
 * *n_packs: how many were written. */
int export_packs(const struct rundir *rd, const char *out, const char *town,
                 void (*done)(void *ctx, const char *path, size_t households), void *ctx,
                 size_t *n_packs, struct err *e);

#endif
