/* textout.h - text we write: CSV fields, JSON strings, a growable string.
 *
 * CSV (RFC 4180): a field is quoted only when it holds a comma, a quote, CR
 * or LF, and a quote inside is doubled; UTF-8 passes through.  hedui's own
 * lists end rows with LF (csv_put); export packs for spreadsheets use
 * csv_put_value's formula guard and CRLF (audit/export.c).  Into a strbuf
 * (strbuf_csv) a field can also be quoted when it starts or ends with white
 * space (CSV that engine/load.c reads again: it trims unquoted fields) or
 * always (PostgreSQL's COPY csv, where an unquoted empty field is NULL).
 * JSON: a string literal with quotes, backslashes and control characters
 * escaped.
 *
 * Owns: those spellings.  Never: opens files, decides which columns exist.
 */
#ifndef ENGINE_TEXTOUT_H
#define ENGINE_TEXTOUT_H

#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

/* A CSV value without its separator, quoted only where RFC 4180 needs it;
 * with formula_guard, quoted and prefixed with ' so that a spreadsheet
 * shows it as text (export packs). */
void csv_put_value(FILE *f, const char *s, int formula_guard);

/* One CSV field, quoted only where RFC 4180 needs it, then ',' or (last)
 * '\n'. */
void csv_put(FILE *f, const char *s, int last);

/* A JSON string literal (quotes, backslashes and control characters
 * escaped); UTF-8 passes through. */
void json_put_str(FILE *f, const char *s);

/* When a CSV field is quoted. */
enum csv_quoting {
    CSV_QUOTE_NEEDED,   /* RFC 4180: a comma, quote, CR or LF inside */
    CSV_QUOTE_EDGES,    /* also a space or tab at either end */
    CSV_QUOTE_ALWAYS    /* every field ("" is an empty string, not NULL) */
};

/* Does s[0..n) need quotes under how? */
int csv_needs_quotes(const char *s, size_t n, enum csv_quoting how);

/* A growable string, always NUL-terminated once anything was put.  Out of
 * memory is sticky: later puts do nothing and strbuf_check() reports it
 * once, where the caller can say what it was doing.  Start from
 * `struct strbuf b = {0}`. */
struct strbuf {
    char *p;
    size_t n, cap;
    int oom;
};

void strbuf_put(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty again, keeping the memory. */
void strbuf_reset(struct strbuf *b);
void strbuf_free(struct strbuf *b);
/* s[0..n) as a CSV field without its separator, quoted as how says. */
void strbuf_csv(struct strbuf *b, const char *s, size_t n, enum csv_quoting how);
/* E_OK, or E_NOMEM "out of memory while WHAT" if a put failed. */
int strbuf_check(const struct strbuf *b, const char *what, struct err *e);

#endif
