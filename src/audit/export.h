/* export.h - township packs for people outside the bureau (see export.c). */
#ifndef ENGINE_EXPORT_H
#define ENGINE_EXPORT_H

#include <stdio.h>

#include "base/err.h"

/* One spreadsheet-safe CSV field: RFC 4180 quoting; a text cell beginning
 * with = + - @ TAB or CR is prefixed with an apostrophe; CRLF after the
 * last field of a row. */
void xl_put(FILE *f, const char *s, int text, int last);

/* `hedui export --out DIR --township CODE|all [--from RUN_DIR]` */
int cmd_export(int argc, char **argv, struct err *e);

#endif
