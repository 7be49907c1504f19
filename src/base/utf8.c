/* utf8.c - the strict UTF-8 decoder, white space and trim of utf8.h.
 *
 * Owns: the one definition of a valid character and of white space for
 * ID numbers and names.  Never: allocates, prints.
 */
#include "base/utf8.h"

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0;          /* overlong */
        else if (c == 0xED)
            hi = 0x9F;          /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90;          /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;          /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    *cp = v;
    return len;
}

size_t utf8_step(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t k = utf8_decode(s, n, &cp);
    return k ? k : 1;
}

int utf8_is_space(uint32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F))
        return 1;
    switch (cp) {
    case 0x0085: case 0x00A0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* 1 if c may be the first byte of a white-space character above: ASCII
 * up to the space, C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000..205F),
 * E3 (U+3000).  Any other byte starts a character that is not white
 * space, or no character: the trim stops there without decoding. */
static inline int may_start_space(unsigned char c)
{
    return c <= 0x20 || c == 0xC2 || (c >= 0xE1 && c <= 0xE3);
}

const char *utf8_trim(const char *s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = *len, i = 0;
    while (i < n && may_start_space(p[i])) {
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        if (k == 0 || !utf8_is_space(cp))
            break;
        i += k;
    }
    size_t end = n;
    while (end > i) {
        /* step back one character: to its lead byte */
        size_t j = end - 1;
        while (j > i && (p[j] & 0xC0) == 0x80)
            j--;
        if (!may_start_space(p[j]))
            break;
        uint32_t cp;
        size_t k = utf8_decode(p + j, end - j, &cp);
        if (k != end - j || !utf8_is_space(cp))
            break;
        end = j;
    }
    *len = end - i;
    return s + i;
}
