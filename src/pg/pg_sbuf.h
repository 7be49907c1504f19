/* pg_sbuf.h - a growable string for building SQL and COPY rows in pg/.
 *
 * A stop-gap: base/textout.h (another branch) brings the project's one
 * growable string; when it is merged, this file goes and pg/ uses that.
 * Until then it is the only copy (it was private to the old cmd_pg.c).
 *
 * Owns: nothing beyond the buffer.  Never: reports an error itself: an
 * allocation failure sets `oom`, every later call is a no-op, and
 * sb_check() turns it into E_NOMEM once, where the caller is ready to.
 */
#ifndef ENGINE_PG_SBUF_H
#define ENGINE_PG_SBUF_H

#include <stddef.h>

#include "base/err.h"

struct sbuf {
    char *p;            /* NUL-terminated once anything was put; NULL before */
    size_t n, cap;
    int oom;
};

void sb_put(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty again, keeping the memory. */
void sb_reset(struct sbuf *b);
void sb_free(struct sbuf *b);
/* s[0..n) as a quoted CSV field (always quoted: empty is '' not NULL). */
void sb_csv(struct sbuf *b, const char *s, size_t n);
/* E_NOMEM if an allocation failed since the buffer was made, else E_OK. */
int sb_check(const struct sbuf *b, struct err *e);

#endif
