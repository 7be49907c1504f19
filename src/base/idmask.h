/* idmask.h - the one place that hides ID numbers (and connection passwords)
 * in text that leaves the bureau or reaches a terminal.
 *
 * Owns: what "could be an ID number" means inside free text, how such a run
 * is masked (first 6 and last 4 ID characters kept, '*' for the others, the
 * PIPL practice of reliability.md section 2.7), a stderr filter that applies
 * it to every message line, and the password spans of a libpq CONNINFO.
 * Never: validates an ID (contract/idcard.c does), allocates in the masking
 * functions, or reads anything but its arguments.
 *
 * An ID run in free text (idmask_text):
 *   ID characters   ASCII digits 0-9 and full-width digits U+FF10..U+FF19;
 *                   one check character X, x, U+FF38 or U+FF58 may end a run
 *   separators      inside a run only, each between two ID characters: at
 *                   most 2 of ' ', TAB, '-', U+00A0, U+3000 (ideographic
 *                   space), U+2010..U+2013 (hyphens, dashes), U+FF0D
 *                   (full-width hyphen) in a row
 *   masked when     the run holds 15 or more ID characters (the 15- and
 *                   18-character forms, and anything longer or mistyped
 *                   around them: bank cards, an ID with a digit too many,
 *                   an ID and a number one space apart); a run with
 *                   separators whose digit groups read as dates or months
 *                   (4-2-2 or 4-2, repeated: "2026-01-01 2026-06-30") is
 *                   not an ID; a run holding a group of 15 or more is
 *                   decided group by group ("line 12 110105...")
 *   how             ID characters 7 .. n-4 become '*', one byte each; the
 *                   first 6, the last 4 and every separator stay as written
 *   e.g.            "110105 19491231 002X" -> "110105 ******** 002X"
 *                   "11010519491231002x"   -> "110105********002x"
 * The masked text is never longer than the input (a '*' replaces 1 or 3
 * bytes), so a buffer of strlen(s) + 1 bytes always holds it, and the
 * function may be given out == s (in place).
 */
#ifndef ENGINE_IDMASK_H
#define ENGINE_IDMASK_H

#include <stddef.h>
#include <stdio.h>

/* Mask every ID run of s (see above) into out[0..n), NUL-terminated; text
 * that does not fit is cut at a character boundary.  Returns the length
 * written.  out may equal s.  Thread-safe; cannot fail. */
size_t idmask_text(const char *s, char *out, size_t n);

/* Mask one ID value (a whole field known to hold an ID number, valid or
 * not): with 15 or more characters (UTF-8 characters, separators included)
 * the first 6 and last 4 are kept and every other character becomes '*';
 * shorter values are masked whole.  The rule of the export packs and of
 * report.html.  out[0..n), NUL-terminated; returns the length written. */
size_t idmask_value(const char *id, char *out, size_t n);

/* 1 if s holds an ID run that idmask_text would mask. */
int idmask_has_id(const char *s);

/* Make the process's stderr mask every line written to it (idmask_text),
 * whoever prints: stderr is replaced by a line-buffered stream that masks
 * and writes to file descriptor 2.  A run of ID characters cut by a write
 * is held back until the run ends.  Call once, first thing in main().
 * Returns 0, or -1 (stderr is left as it was). */
int idmask_filter_stderr(void);

/* Overwrite, in place, the password of a libpq connection string with '*'
 * (same length, so the process's argv keeps its layout): the value of a
 * password keyword ("host=h password=secret", quoted values and \' escapes
 * included) and the password of a URI ("postgresql://user:secret@host/db",
 * "postgres://...", and a ?password=... or &password=... parameter).
 * Returns the number of characters overwritten (0: none found). */
size_t conninfo_scrub_password(char *s);

#endif
