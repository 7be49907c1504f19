/* pg_sbuf.c - the growable string of pg/ (pg_sbuf.h; a stop-gap until
 * base/textout.h).
 *
 * Owns: the buffer's memory.  Never: prints, exits or sets an error
 * except in sb_check().
 */
#include "pg/pg_sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void sb_puts(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if ((size_t)k < sizeof tmp) {
        sb_put(b, tmp, (size_t)k);
        return;
    }
    char *big = malloc((size_t)k + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)k + 1, fmt, ap);
    va_end(ap);
    sb_put(b, big, (size_t)k);
    free(big);
}

void sb_reset(struct sbuf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

void sb_free(struct sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void sb_csv(struct sbuf *b, const char *s, size_t n)
{
    sb_put(b, "\"", 1);
    const char *q;
    while (n > 0 && (q = memchr(s, '"', n)) != NULL) {
        sb_put(b, s, (size_t)(q - s) + 1);
        sb_put(b, "\"", 1);
        n -= (size_t)(q - s) + 1;
        s = q + 1;
    }
    sb_put(b, s, n);
    sb_put(b, "\"", 1);
}

int sb_check(const struct sbuf *b, struct err *e)
{
    return b->oom ? ERR(e, E_NOMEM, "out of memory") : E_OK;
}
