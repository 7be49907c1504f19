/* csvread.h - a small RFC 4180 reader for hedui's own CSV files (a
 * published run, a state directory) and for auditors' imports.
 *
 * The whole file is read into memory and decoded once: valid UTF-8 is used
 * as it is (a leading BOM skipped), anything else is decoded from GB18030
 * when the whole file decodes so, and otherwise kept as it is (callers that
 * care check each field, as `review import` does).  Records end at LF or
 * CRLF; quoted fields may hold commas, doubled quotes and line breaks;
 * blank lines are not records.  Physical line numbers are kept for
 * messages.  For the large input feeds see engine/load.c, which streams.
 *
 * Owns: struct csvr and its buffers.  Never: prints, knows a column's
 * meaning.
 */
#ifndef ENGINE_CSVREAD_H
#define ENGINE_CSVREAD_H

#include <stddef.h>

#include "base/err.h"

struct csvr {
    char *buf;          /* whole file, UTF-8 */
    size_t len, pos;
    long long line;     /* physical line of the next record */
    char **field;       /* the current record's fields (point into rec) */
    int n_field, cap_field;
    char *rec;
    size_t cap_rec;
    long long rec_line; /* physical line where the current record starts */
    int had_bom;
    int encoding_gb18030; /* the file was decoded from GB18030 */
    char path[256];     /* for error messages */
};

/* Open path (ENOENT -> E_NOINPUT "PATH does not exist"; see
 * fileio_read_all) and decode it (see above). */
int csvr_open(struct csvr *r, const char *path, struct err *e);
/* Next record: 1, 0 at the end, -1 on an unterminated quote (E_PARSE with
 * the line where the quote opened) or out of memory (e set).  A record
 * keeps at most 1024 fields. */
int csvr_next(struct csvr *r, struct err *e);
/* csvr_next for a loop that stops at the end or at an error:
 *     int st = E_OK;
 *     while (csvr_more(&r, &st, e)) { ... set st and break on an error ... }
 * 1 with a record; 0 when *st was not E_OK, at the end (*st E_OK), or on
 * an error (*st its code). */
int csvr_more(struct csvr *r, int *st, struct err *e);
void csvr_close(struct csvr *r);
/* Index of column name in the current record (the header), or -1; spaces
 * around a header cell are ignored. */
int csvr_col(const struct csvr *r, const char *name);
/* Field col of the current record, "" when col < 0 or the record is
 * shorter. */
const char *csvr_field(const struct csvr *r, int col);

/* Read the header record and find names[0..n) in it: col[i] is each one's
 * index or -1.  The first n_required names must be there: E_PARSE at
 * PATH:1 "missing column(s): a, b" otherwise; an empty file is E_PARSE
 * "empty file: no header row".  E_OK or the error. */
int csvr_header(struct csvr *r, const char *const *names, int n, int n_required, int *col,
                struct err *e);

#endif
