/* inifile.h - the small INI-like grammar of the rules' text files
 * (rules/policy.rules, rules/catalogue.rules; rules/README.md):
 *
 *     # comment                 (also after a value: "key = 5  # note")
 *     [section]
 *     key = value
 *
 * Owns: reading lines (whole lines, a UTF-8 BOM on the first, CR LF, a NUL
 * byte or an overlong line refused), comments, section headers and
 * `key = value` lines, and the XXH64 of the bytes read.  What the sections
 * and keys mean is the caller's (policy.c, catalogue.c): it is called back
 * for each header and each setting and refuses what it does not know.
 * Never: keeps a line after its callback returns.
 */
#ifndef CONTRACT_INIFILE_H
#define CONTRACT_INIFILE_H

#include <stddef.h>

#include "base/err.h"

#define INI_LINE_MAX 1022   /* bytes of a line, without its line end */

struct ini_cb {
    /* A [name] header (name trimmed).  E_OK, or an error with e set
     * (file:line is set by the reader unless the callback set it; never
     * for E_NOMEM, whose message names no place). */
    int (*section)(void *ctx, const char *name, int line, struct err *e);
    /* A key = value line inside a section (key and value trimmed; value
     * may be changed by the callback). */
    int (*setting)(void *ctx, const char *section, const char *key, char *value, int line,
                   struct err *e);
};

/* Read text[0..len) (path names it in messages) line by line, calling cb.
 * hash gets the XXH64 of all its bytes (hex) whatever the outcome.  E_OK,
 * or E_CONFIG (file:line set), E_NOMEM, or a callback's error.  *lines gets
 * the number of lines read. */
int ini_parse(const char *path, const char *text, size_t len, const struct ini_cb *cb,
              void *ctx, char hash[17], int *lines, struct err *e);

#endif
