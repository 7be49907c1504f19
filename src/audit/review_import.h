/* review_import.h - auditors' verdicts: what a verdict is, how a file of
 * them is checked, and where verdicts may be kept besides a state
 * directory.
 *
 * An auditors' file is a CSV with the columns fingerprint, outcome,
 * reviewer, reviewed_on[, note] (any order; other columns are ignored),
 * UTF-8 or GB18030; or a filled township pack (pack.h), as the .xlsx
 * workbook (its sheet 核查清单, else its first sheet; xlsx_read.h: also one
 * re-saved by Excel, WPS or LibreOffice) or the CSV, whose columns are
 * 核查键 (the opaque key of a finding, packkey.h, instead of the
 * fingerprint), 核查结论, 核查人, 核查日期[, 备注].  Outcomes: confirmed,
 * cleared, referred, or 确认, 排除, 移交.  Dates: YYYY-MM-DD, YYYY/M/D,
 * YYYY年M月D日, or a spreadsheet's date serial.  A row whose outcome,
 * reviewer and date are all empty is skipped (no verdict yet); every other
 * row must be valid, else nothing of the file is taken.
 *
 * `review_import()` itself (open the state or the store, check the file
 * with review_import_read(), store the rows not stored yet) is in
 * verdicts.c, declared in review.h: it needs the state, which includes
 * this header.
 *
 * Owns: the outcome values, struct review_verdict, the store seam.  Never:
 * stores a verdict itself.
 */
#ifndef ENGINE_REVIEW_IMPORT_H
#define ENGINE_REVIEW_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

enum outcome { OC_NONE = 0, OC_CONFIRMED, OC_CLEARED, OC_REFERRED, N_OUTCOMES };
extern const char *const outcome_names[N_OUTCOMES];   /* "", "confirmed", ... */
/* "confirmed", "cleared" or "referred" (or 确认, 排除, 移交) -> its enum
 * outcome; -1 otherwise. */
int outcome_parse(const char *s);

/* One validated row of an auditors' import. */
struct review_verdict {
    uint64_t fp;
    int outcome;
    char reviewed_on[11];
    char *reviewer, *note;
    long long line;   /* in the import file */
};

struct review;   /* review.h */
struct packkey;  /* packkey.h */

/* Where `review import` puts verdicts instead of a state directory
 * (PostgreSQL: pg/): open() fills rv->known (review_add_prev(rv, 1, ...),
 * review_sort_added) with the findings of the recorded runs; write() stores
 * the validated rows, all or nothing.  name is used in messages. */
struct review_store {
    const char *name;
    int (*open)(void *ctx, struct review *rv, struct err *e);
    int (*write)(void *ctx, const struct review_verdict *v, size_t n, const char *source,
                 struct err *e);
    void *ctx;
    /* the township packs' secret (packkey.h), after open(): E_OK, or
     * E_NOINPUT (no error set) when the store keeps none; NULL: never */
    int (*secret)(void *ctx, struct packkey *k, struct err *e);
};

/* What a fingerprint is checked against. */
struct import_check {
    const char *where;   /* the state directory or store, for messages */
    /* 1 if fp is a finding of a recorded run; NULL: no run is recorded
     * yet, fingerprints are checked for form only */
    int (*known)(const void *ctx, uint64_t fp);
    const void *ctx;
    int today;           /* day number: reviewed_on may not be later */
    /* a pack's 核查键 -> fingerprint (1, or 0 when it is none of the
     * recorded findings'); NULL: keys cannot be traced, no_keys says why */
    int (*from_key)(const void *key_ctx, const char *key, uint64_t *fp);
    const void *key_ctx;
    const char *no_keys;
};

/* Read and check FILE.  Each bad row is listed on stderr as FILE:LINE: why
 * (the first 200), and then the result is E_DATA naming the count: nothing
 * may be taken from a file with a bad row.  On E_OK *rows (malloc'd, the
 * caller frees; strings in a) holds the *n verdicts in file order and
 * *n_skipped the rows without a verdict.  Other errors: the file's (E_NOINPUT,
 * E_PARSE for its CSV or workbook structure or header, E_NOMEM). */
int review_import_read(const char *file, const struct import_check *chk, struct arena *a,
                       struct review_verdict **rows, size_t *n, size_t *n_skipped,
                       struct err *e);

#endif
