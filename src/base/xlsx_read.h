/* xlsx_read.h - one worksheet of an .xlsx workbook read into rows of text,
 * for auditors' files that come back from Excel, WPS or LibreOffice.
 *
 * An .xlsx is a zip (libzip) of XML parts (expat, namespace-aware: element
 * and attribute names are matched by their local part, so prefixed and
 * "strict" workbooks read the same):
 *   xl/workbook.xml             the sheets in order (name, r:id) and
 *                               workbookPr date1904
 *   xl/_rels/workbook.xml.rels  r:id -> the sheet's part, and the shared
 *                               strings' part
 *   xl/sharedStrings.xml        <si> strings, plain (<t>) or rich (<r><t>);
 *                               phonetic runs (<rPh>) are not text
 *   the sheet                   <row r=N><c r="B2" t=...><v>...</v> or
 *                               <is><t>...</t></is></c>
 * Cell types: t="s" shared string, "inlineStr" inline, "str" a formula's
 * text, "b" boolean (0/1), "e" error (#N/A...), "d" ISO date text, none or
 * "n" a number as written in the XML (e.g. "46185" for a date: the caller
 * knows its column and converts with xlsx_serial_date).  Formulas count by
 * their cached value.
 *
 * Limits against a hostile file: each part at most 256 MiB uncompressed,
 * 1024 columns, 2^20 rows, 2^24 shared strings.
 *
 * Owns: the parts' names and the cell types.  Never: knows a column's
 * meaning, prints.
 */
#ifndef ENGINE_XLSX_READ_H
#define ENGINE_XLSX_READ_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

struct xlsx_row {
    long long r;      /* the row's number in the sheet, from 1 */
    int n;            /* cells up to the last one present */
    const char **v;   /* v[i] the text of column i (A = 0), "" when empty */
    char *kind;       /* kind[i]: 's' text, 'n' number, 'b', 'e', 'd', 0 empty */
};

struct xlsx_sheet {
    char name[256];       /* the sheet read */
    int date1904;         /* the workbook counts days from 1904-01-01 */
    struct xlsx_row *rows;   /* rows with at least one cell, in order */
    size_t n_rows;
    struct arena a;       /* the rows' strings */
};

/* Read the sheet called want (NULL, or none of that name: the first sheet)
 * of the workbook at path.  E_NOINPUT when the file does not exist, E_PARSE
 * (with the part's name) when it is not a workbook or a part is not XML
 * or breaks a limit, E_NOMEM.  xlsx_sheet_free() afterwards in every case. */
int xlsx_read_sheet(const char *path, const char *want, struct xlsx_sheet *s, struct err *e);
void xlsx_sheet_free(struct xlsx_sheet *s);

/* 1 if the file at path starts like a zip archive (PK\3\4). */
int xlsx_looks_like(const char *path);

/* A spreadsheet date serial ("46185", "46185.5": the time is dropped) ->
 * day number of base/date.h; -1 when s is not one (0 or negative, not a
 * number).  date1904 as in the sheet. */
int xlsx_serial_date(const char *s, int date1904);

#endif
