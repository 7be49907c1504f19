/* idcard.h - resident ID numbers (GB 11643-1999): normalise and validate.
 *
 * Pure functions: no allocation, no I/O, thread-safe.
 *
 * Normalisation (the data contract, "Conventions" and "Edge cases"):
 *   - white space anywhere is removed: ASCII (\t \n \v \f \r, space, 0x1C-0x1F)
 *     and Unicode White_Space (U+0085, U+00A0, U+1680, U+2000-U+200A,
 *     U+2028, U+2029, U+202F, U+205F, U+3000);
 *   - full-width digits U+FF10-U+FF19 fold to 0-9, full-width X/x
 *     (U+FF38, U+FF58) to X, and ASCII x is upper-cased;
 *   - a 15-digit number becomes 18 digits by inserting "19" after the
 *     6-digit address code and appending the MOD 11-2 check character.
 * A number is valid when it then has 17 digits and a correct check
 * character, a real birth date between 1900-01-01 and the as-of date
 * (inclusive), and a province code (first two digits) in GB 2260:
 * 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81-83.
 */
#ifndef ENGINE_IDCARD_H
#define ENGINE_IDCARD_H

#include <stddef.h>
#include <stdint.h>

enum id_status {
    ID_OK = 0,
    ID_EMPTY,          /* nothing left after removing white space */
    ID_BAD_CHAR,       /* a character other than a digit or X (after folding) */
    ID_BAD_LENGTH,     /* not 18 (or 15) characters */
    ID_BAD_X,          /* X somewhere other than the check position */
    ID_BAD_PROVINCE,   /* first two digits not a GB 2260 province */
    ID_BAD_DATE,       /* birth date not a real calendar date, or before 1900-01-01 */
    ID_FUTURE_DATE,    /* birth date after the as-of date */
    ID_BAD_CHECKSUM    /* check character does not match MOD 11-2 */
};

/* What normalisation did, for the manifest (bit flags). */
#define ID_F_SPACE     1u   /* white space removed */
#define ID_F_FULLWIDTH 2u   /* full-width characters folded */
#define ID_F_LOWER_X   4u   /* lower-case x upper-cased */
#define ID_F_15_TO_18  8u   /* 15-digit number converted */

struct id_norm {
    char id[19];      /* the normalised number, NUL-terminated.  When valid,
                         exactly 18 chars.  When invalid, the folded text
                         truncated to 18 chars (for messages only). */
    uint64_t key;     /* valid only: the 17 leading digits as an integer
                         times 11 plus the check value (X = 10).  Non-zero
                         for every valid number; 0 when invalid. */
    int birth_ymd;    /* valid only: yyyymmdd from the number, else 0 */
    unsigned flags;   /* ID_F_* */
};

/* Normalise and validate s[0..len) (UTF-8) as of as_of_ymd (yyyymmdd).
 * Always fills *out.  Returns ID_OK or the first reason it is invalid, in
 * the order: EMPTY, BAD_CHAR, BAD_X, BAD_LENGTH, BAD_PROVINCE, BAD_DATE,
 * FUTURE_DATE, BAD_CHECKSUM.  This function can't fail otherwise. */
enum id_status id_normalise(const char *s, size_t len, int as_of_ymd,
                            struct id_norm *out);

/* The MOD 11-2 check character ('0'-'9' or 'X') for 17 ASCII digits. */
char id_check_char(const char *digits17);

/* Short reason text for a status, e.g. "bad check character". */
const char *id_status_text(enum id_status st);

/* Rebuild the 18-character number from a key produced by id_normalise.
 * buf must hold 19 bytes. */
void id_from_key(uint64_t key, char buf[19]);

#endif
