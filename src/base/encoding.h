/* encoding.h - bring a whole input file to UTF-8.
 *
 * The data contract: a file that is valid UTF-8 is UTF-8; otherwise, if it
 * decodes wholly as GB18030 it is GB18030; otherwise it is read as UTF-8 and
 * its undecodable rows are rejected.  A caller may also declare the
 * encoding (per file or per run).
 *
 * Both encodings keep 0x0A (LF) as a single byte that never occurs inside a
 * multi-byte character, so decoding works line by line and physical line
 * numbers are the same before and after.  A line that does not decode is
 * copied through unchanged and reported in bad_lines, so the loader rejects
 * the record(s) on it with the file and line.
 *
 * No global state; thread-safe (iconv handles are per call).
 */
#ifndef ENGINE_ENCODING_H
#define ENGINE_ENCODING_H

#include <stddef.h>

#include "base/err.h"

enum enc { ENC_AUTO = 0, ENC_UTF8, ENC_GB18030 };

struct decoded {
    char *data;            /* UTF-8 text, malloc'd, owned by the caller
                              (free with decoded_free); a leading UTF-8 BOM
                              is removed; NUL-terminated (len excludes it) */
    size_t len;
    enum enc used;         /* ENC_UTF8 or ENC_GB18030 */
    int had_bom;           /* 1 if a UTF-8 BOM was removed */
    long long *bad_lines;  /* ascending 1-based physical line numbers that
                              did not decode; malloc'd, may be NULL */
    size_t n_bad;
    long long first_bad_byte; /* byte offset (0-based, in the input) of the
                                 first undecodable byte, -1 if none */
};

/* Decode in[0..n) as `want` (ENC_AUTO detects as described above).
 * path is used only in error messages.  Returns E_OK or E_NOMEM / E_INTERNAL
 * (iconv unavailable) with e set.  Undecodable bytes are not an error. */
int enc_decode(const char *path, const unsigned char *in, size_t n,
               enum enc want, struct decoded *out, struct err *e);

void decoded_free(struct decoded *d);

/* Length of the longest valid UTF-8 prefix of s[0..n) (n when all valid).
 * Rejects overlongs, surrogates and code points above U+10FFFF.  Uses AVX2
 * where the CPU has it (32 bytes a step, the Keiser-Lemire lookup method);
 * the answer is always the byte-at-a-time one's. */
size_t utf8_valid_prefix(const unsigned char *s, size_t n);
/* The byte-at-a-time reference (tests compare the two). */
size_t utf8_valid_prefix_scalar(const unsigned char *s, size_t n);

/* "utf-8", "gb18030" or "auto". */
const char *enc_name(enum enc e);
/* Parse "utf-8"/"utf8", "gb18030"/"gbk"/"gb2312" (case-insensitive), "auto".
 * Returns 0 on success, -1 if unknown. */
int enc_parse(const char *s, enum enc *out);

#endif
