/* num.c - exact decimal parsing and formatting (see num.h).
 *
 * Pure: no allocation, no locale, no floating point.
 */
#include "base/num.h"

#include <stdio.h>
#include <string.h>

/* The common form in one pass: digits, then optionally '.' and 1 to
 * max_dec digits, at most 18 digits once scaled (so nothing can
 * overflow).  1 with *out set, or 0: the general parser decides (same
 * value wherever this one says 1). */
static int parse_plain(const char *s, size_t len, int max_dec, int scale, int64_t *out)
{
    static const int64_t pow10[19] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                      100000000, 1000000000, 10000000000, 100000000000,
                                      1000000000000, 10000000000000, 100000000000000,
                                      1000000000000000, 10000000000000000,
                                      100000000000000000, 1000000000000000000};
    if (len > 18 || scale < 0 || scale > 18 || max_dec > scale)
        return 0;
    int64_t v = 0;
    size_t i = 0;
    while (i < len && (unsigned)(s[i] - '0') < 10)
        v = v * 10 + (s[i++] - '0');
    size_t n_int = i;
    int n_dec = 0;
    if (n_int == 0)
        return 0;
    if (i < len) {
        if (s[i] != '.')
            return 0;
        for (i++; i < len && (unsigned)(s[i] - '0') < 10; i++, n_dec++)
            v = v * 10 + (s[i] - '0');
        if (i != len || n_dec == 0 || n_dec > max_dec)
            return 0;
    }
    if (n_int + (size_t)scale > 18)
        return 0;   /* might not fit once scaled */
    *out = v * pow10[scale - n_dec];
    return 1;
}

enum num_status num_parse_fixed(const char *s, size_t len, int max_dec, int scale,
                                int64_t *out)
{
    if (parse_plain(s, len, max_dec, scale, out))
        return NUM_OK;
    if (len == 0)
        return NUM_EMPTY;
    if (s[0] == '-')
        return NUM_NEGATIVE;
    size_t i = 0;
    if (s[0] == '+')
        i = 1;
    int64_t v = 0;
    size_t n_int = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_int++) {
        if (v > (INT64_MAX - 9) / 10)
            return NUM_TOO_BIG;
        v = v * 10 + (s[i] - '0');
    }
    if (n_int == 0)
        return NUM_BAD;
    int n_dec = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t start = i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (n_dec >= max_dec) {
                if (s[i] != '0')
                    return NUM_TOO_PRECISE;
                continue;   /* trailing zeros beyond the precision are harmless */
            }
            if (v > (INT64_MAX - 9) / 10)
                return NUM_TOO_BIG;
            v = v * 10 + (s[i] - '0');
            n_dec++;
        }
        if (i == start)
            return NUM_BAD;
    }
    if (i != len)
        return NUM_BAD;
    for (; n_dec < scale; n_dec++) {
        if (v > INT64_MAX / 10)
            return NUM_TOO_BIG;
        v *= 10;
    }
    *out = v;
    return NUM_OK;
}

const char *num_status_text(enum num_status st)
{
    switch (st) {
    case NUM_OK: return "ok";
    case NUM_EMPTY: return "empty";
    case NUM_BAD: return "not a number";
    case NUM_NEGATIVE: return "negative";
    case NUM_TOO_PRECISE: return "too many decimals";
    case NUM_TOO_BIG: return "too large";
    }
    return "?";
}

void num_format(int64_t v, int scale, char buf[48])
{
    int64_t p = 1;
    for (int k = 0; k < scale; k++)
        p *= 10;
    int neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t ip = u / (uint64_t)p, fp = u % (uint64_t)p;
    if (fp == 0) {
        snprintf(buf, 48, "%s%llu", neg ? "-" : "", (unsigned long long)ip);
        return;
    }
    /* scale <= 18 (int64_t), so the fraction has at most 18 digits */
    char frac[24];
    int n_dig = scale > 18 ? 18 : scale;
    for (int k = n_dig - 1; k >= 0; k--, fp /= 10)
        frac[k] = (char)('0' + fp % 10);
    frac[n_dig] = '\0';
    size_t n = (size_t)n_dig;
    while (n > 0 && frac[n - 1] == '0')
        frac[--n] = '\0';
    snprintf(buf, 48, "%s%llu.%s", neg ? "-" : "", (unsigned long long)ip, frac);
}

void num_format_yuan(__int128 num, __int128 den, char buf[64])
{
    if (den < 0)
        num = -num, den = -den;
    int neg = num < 0;
    unsigned __int128 u = neg ? (unsigned __int128)0 - (unsigned __int128)num
                              : (unsigned __int128)num;
    unsigned __int128 d = den > 0 ? (unsigned __int128)den : 1;
    unsigned __int128 fen = u / d, rest = u % d;
    char dig[48];
    int n = 0;
    do {
        dig[n++] = (char)('0' + (int)(fen % 10));
        fen /= 10;
    } while (fen || n < 3);   /* at least "0.0F" */
    int k = 0;
    if (neg)
        buf[k++] = '-';
    for (int i = n - 1; i >= 2; i--)
        buf[k++] = dig[i];
    buf[k++] = '.';
    buf[k++] = dig[1];
    buf[k++] = dig[0];
    if (rest)
        memcpy(buf + k, "...", 3), k += 3;
    buf[k] = '\0';
}
