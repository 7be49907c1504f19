/* export.h - township packs for people outside the bureau (see export.c). */
#ifndef ENGINE_EXPORT_H
#define ENGINE_EXPORT_H

#include <stdio.h>

#include "audit/packkey.h"
#include "audit/rundir.h"
#include "base/err.h"

/* One spreadsheet-safe CSV field: RFC 4180 quoting; a text cell beginning
 * with = + - @ TAB or CR is prefixed with an apostrophe; CRLF after the
 * last field of a row. */
void xl_put(FILE *f, const char *s, int text, int last);

/* 1 if s is a township code: 9 digits. */
int township_code_ok(const char *s);
/* 1 if s selects townships: "all", a county (6 digits) or a township (9). */
int export_area_ok(const char *s);

enum pack_format { PACK_XLSX, PACK_CSV };

struct export_opts {
    const char *out;           /* the directory (created, mode 0700, if missing) */
    const char *area;          /* "all", a county or a township (export_area_ok) */
    enum pack_format format;
    const struct packkey *key; /* NULL: rows carry no 核查键 (the run must have
                                * been read with RUN_FLAG_FPS otherwise) */
};

/* Write the packs of the townships of o->area that have households in the
 * review queue of the run rd (read with RUN_MANIFEST, RUN_FLAGS,
 * RUN_CHANGES, RUN_QUEUE and RUN_SPOT) into o->out: one file per township,
 * OUT/township_CODE_ASOF.xlsx (or .csv), replaced atomically; done() is
 * called after each with its path and number of households.  A single
 * township asked for with nothing queued still gets a pack (no rows).
 * *n_packs: how many were written. */
int export_packs(const struct rundir *rd, const struct export_opts *o,
                 void (*done)(void *ctx, const char *path, size_t households), void *ctx,
                 size_t *n_packs, struct err *e);

#endif
