/* textout.c - CSV fields, JSON strings and the growable string of
 * textout.h.
 *
 * Owns: the quoting rules.  Never: opens a file, allocates except for a
 * strbuf.
 */
#include "base/textout.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---------- CSV and JSON ---------- */

/* A byte that makes RFC 4180 quote a field. */
static inline int csv_special(unsigned char c)
{
    return c == ',' || c == '"' || c == '\r' || c == '\n';
}

int csv_needs_quotes(const char *s, size_t n, enum csv_quoting how)
{
    if (how == CSV_QUOTE_ALWAYS)
        return 1;
    if (how == CSV_QUOTE_EDGES && n > 0 &&
        (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        return 1;
    for (size_t i = 0; i < n; i++)
        if (csv_special((unsigned char)s[i]))
            return 1;
    return 0;
}

void csv_put_value(FILE *f, const char *s, int formula_guard)
{
    /* the bytes up to the first that needs quotes (strcspn looks at 16
     * bytes a step: evidence is most of flags.csv), then its length */
    size_t n = strcspn(s, ",\"\r\n");
    int quote = formula_guard || s[n] != '\0';
    if (s[n] != '\0')
        n += strlen(s + n);
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    putc('"', f);
    if (formula_guard)
        putc('\'', f);
    /* runs up to each '"', which is doubled */
    const char *p = s, *end = s + n;
    for (const char *q; (q = memchr(p, '"', (size_t)(end - p))) != NULL; p = q + 1) {
        fwrite(p, 1, (size_t)(q - p) + 1, f);
        putc('"', f);
    }
    fwrite(p, 1, (size_t)(end - p), f);
    putc('"', f);
}

void csv_put(FILE *f, const char *s, int last)
{
    csv_put_value(f, s, 0);
    fputc(last ? '\n' : ',', f);
}

void json_put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* ---------- growable string ---------- */

void strbuf_put(struct strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n >= (size_t)-1 / 2 - b->n) {
        b->oom = 1;
        return;
    }
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
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
    strbuf_put(b, s, strlen(s));
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->oom = 1;   /* an encoding error: nothing sensible to add */
        return;
    }
    if ((size_t)k < sizeof tmp) {
        strbuf_put(b, tmp, (size_t)k);
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
    strbuf_put(b, big, (size_t)k);
    free(big);
}

void strbuf_reset(struct strbuf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

void strbuf_free(struct strbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void strbuf_csv(struct strbuf *b, const char *s, size_t n, enum csv_quoting how)
{
    if (!csv_needs_quotes(s, n, how)) {
        strbuf_put(b, s, n);
        return;
    }
    strbuf_put(b, "\"", 1);
    /* runs up to each '"', which is doubled */
    for (const char *q; n > 0 && (q = memchr(s, '"', n)) != NULL; s = q + 1) {
        strbuf_put(b, s, (size_t)(q - s) + 1);
        strbuf_put(b, "\"", 1);
        n -= (size_t)(q - s) + 1;
    }
    strbuf_put(b, s, n);
    strbuf_put(b, "\"", 1);
}

int strbuf_check(const struct strbuf *b, const char *what, struct err *e)
{
    return b->oom ? ERR(e, E_NOMEM, "out of memory while %s", what) : E_OK;
}
