/* mask.c - ID numbers masked for people outside the bureau (see mask.h).
 *
 * Owns: which characters of an ID stay visible.  Never: allocates, or
 * shows more than the first 6 and last 4 characters of a run of 15 or more
 * ID characters.
 */
#include "audit/mask.h"

#include <string.h>

#include "base/utf8.h"

void mask_id(const char *id, char *out, size_t n)
{
    const unsigned char *u = (const unsigned char *)id;
    size_t chars = 0, len = strlen(id);
    for (size_t i = 0; i < len; i += utf8_step(u + i, len - i))
        chars++;
    size_t o = 0, k = 0;
    for (size_t i = 0; i < len && o + 5 < n; k++) {
        size_t cl = utf8_step(u + i, len - i);
        int keep = chars >= 15 && (k < 6 || k >= chars - 4);
        if (keep) {
            memcpy(out + o, id + i, cl);
            o += cl;
        } else {
            out[o++] = '*';
        }
        i += cl;
    }
    out[o] = '\0';
}

/* ASCII or full-width digit at s: its byte length, else 0. */
static size_t id_digit(const unsigned char *s)
{
    if (*s >= '0' && *s <= '9')
        return 1;
    if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99)
        return 3;
    return 0;
}

static size_t id_x(const unsigned char *s)
{
    if (*s == 'X' || *s == 'x')
        return 1;
    if (s[0] == 0xEF && ((s[1] == 0xBC && s[2] == 0xB8) || (s[1] == 0xBD && s[2] == 0x98)))
        return 3;
    return 0;
}

void mask_ids_in_text(const char *s, char *out, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    while (*p && o + 1 < n) {
        size_t k = id_digit(p);
        if (!k) {
            out[o++] = (char)*p++;
            continue;
        }
        /* a run of digits, optionally ended by an X */
        const unsigned char *q = p;
        size_t chars = 0;
        while ((k = id_digit(q)) != 0) {
            q += k;
            chars++;
        }
        if ((k = id_x(q)) != 0) {
            q += k;
            chars++;
        }
        if (chars >= 15) {
            char run[256], masked[256];
            size_t len = (size_t)(q - p);
            if (len >= sizeof run)
                len = sizeof run - 1;
            memcpy(run, p, len);
            run[len] = '\0';
            mask_id(run, masked, sizeof masked);
            for (size_t i = 0; masked[i] && o + 1 < n; i++)
                out[o++] = masked[i];
        } else {
            while (p < q && o + 1 < n)
                out[o++] = (char)*p++;
        }
        p = q;
    }
    out[o] = '\0';
}
