/* mask.h - ID numbers for people outside the bureau (export packs,
 * report.html): the first 6 and the last 4 characters kept, '*' between.
 *
 * Characters are UTF-8 characters (a full-width digit is one); a byte that
 * is not valid UTF-8 counts as one character.  Output is cut to fit n bytes
 * (never past a kept character: a cut only loses the tail).
 *
 * Owns: what an outsider may see of an ID.  Never: allocates; shows more
 * than the first 6 and last 4 characters of an ID.
 */
#ifndef ENGINE_MASK_H
#define ENGINE_MASK_H

#include <stddef.h>

/* Mask an ID number: keep the first 6 and last 4 characters, '*' between;
 * shorter than 15 characters: every character masked. */
void mask_id(const char *id, char *out, size_t n);
/* Mask every run of 15 or more ID characters (digits, ASCII or full-width,
 * then an optional X) inside free text; the rest is copied. */
void mask_ids_in_text(const char *s, char *out, size_t n);

#endif
