/* utf8.h - UTF-8 characters: one strict decoder, the Unicode white-space
 * set, and trimming by it.
 *
 * Strict means Unicode Table 3-7 (the same as encoding.c's validator): no
 * overlong forms, no surrogates, nothing above U+10FFFF, no truncated
 * sequence.  White space is ASCII's (TAB, LF, VT, FF, CR, the information
 * separators 0x1C-0x1F and SPACE) plus Unicode's White_Space characters
 * (NEL, NO-BREAK SPACE, OGHAM SPACE MARK, U+2000-U+200A, LINE and PARAGRAPH
 * SEPARATOR, NARROW NO-BREAK SPACE, MEDIUM MATHEMATICAL SPACE, IDEOGRAPHIC
 * SPACE); it is the set ID numbers and names are trimmed by (idcard.c,
 * normalise.c).
 *
 * Owns: nothing; pure functions.  Never: allocates, reads a locale.
 */
#ifndef ENGINE_UTF8_H
#define ENGINE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode the character at s[0..n) (n >= 1): its length (1-4) with *cp set,
 * or 0 when the bytes there do not begin a valid character. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* The length of the character at s[0..n) (n >= 1) for walking text one
 * character at a time: utf8_decode's, or 1 for a byte that does not begin
 * a valid character (each such byte counts as one character). */
size_t utf8_step(const unsigned char *s, size_t n);

/* 1 if cp is white space (see above). */
int utf8_is_space(uint32_t cp);

/* Trim white space from both ends of s[0..*len): returns the new start and
 * sets *len.  A byte that is not valid UTF-8 is not white space. */
const char *utf8_trim(const char *s, size_t *len);

#endif
