/* encoding.c - bring a whole input file to UTF-8 (UTF-8 or GB18030 input).
 *
 * Owns: UTF-8 validation, GB18030 -> UTF-8 conversion through glibc iconv(3)
 * (strict: never //TRANSLIT or //IGNORE), and the per-line bad-line report.
 * Never does I/O, never prints, never exits, keeps no global state: the
 * iconv handle is opened and closed within each call.  Undecodable bytes are
 * data (reported in bad_lines), not an error; only allocation failure
 * (E_NOMEM) and a missing converter (E_INTERNAL) are errors.
 *
 * Beyond the header: a GB18030-encoded BOM (84 31 95 33, U+FEFF) at the very
 * start of input that is converted from GB18030 is removed like a UTF-8 BOM
 * and sets had_bom, so it cannot end up glued to the first header name.
 */
#include "base/encoding.h"

#include "base/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char utf8_bom[3] = { 0xEF, 0xBB, 0xBF };
static const unsigned char gb18030_bom[4] = { 0x84, 0x31, 0x95, 0x33 };

static const char *pname(const char *path)
{
    return path ? path : "(input)";
}

size_t utf8_valid_prefix_scalar(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII runs a word at a time. */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Most CJK text: a lead byte E1-EC or EE-EF takes any two
         * continuation bytes (what utf8_decode allows for them). */
        if (((c >= 0xE1 && c <= 0xEC) || c >= 0xEE) && c <= 0xEF && n - i >= 3) {
            if ((s[i + 1] & 0xC0u) != 0x80u || (s[i + 2] & 0xC0u) != 0x80u)
                return i;
            i += 3;
            continue;
        }
        /* any other sequence: Unicode Table 3-7, as utf8.h decodes it */
        uint32_t cp;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (len == 0)
            return i;
        i += len;
    }
    return n;
}

/* ---- AVX2 validation ----
 *
 * The method of J. Keiser and D. Lemire, "Validating UTF-8 in less than
 * one instruction per byte" (2021), as in simdjson and simdutf.  Every
 * error in well-formed UTF-8 (Unicode Table 3-7) shows in two adjacent
 * bytes, except a missing or extra third or fourth byte: three 16-entry
 * tables, indexed by the high and low nibble of the first byte and the high
 * nibble of the second, each give a bit mask of the errors that byte could
 * be part of; a pair is bad when the three masks share a bit.  The
 * remaining length errors come from comparing "must be a continuation"
 * (two or three bytes after a 3- or 4-byte lead) with "is one".  A block
 * of ASCII only checks that the block before did not end mid-sequence.
 *
 * The vector code answers only "all valid or not"; utf8_valid_prefix()
 * below turns that into the prefix length, falling back to the scalar code
 * whenever there is any error, so both always agree. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define U8_TOO_SHORT 0x01
#define U8_TOO_LONG 0x02
#define U8_OVERLONG_3 0x04
#define U8_TOO_LARGE 0x08
#define U8_SURROGATE 0x10
#define U8_OVERLONG_2 0x20
#define U8_TOO_LARGE_1000 0x40
#define U8_OVERLONG_4 0x40
#define U8_TWO_CONTS 0x80
#define U8_CARRY (U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS)

#define C8(x) ((char)(unsigned char)(x))
#define TBL16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15)       \
    _mm256_setr_epi8(C8(a0), C8(a1), C8(a2), C8(a3), C8(a4), C8(a5), C8(a6), C8(a7),       \
                     C8(a8), C8(a9), C8(a10), C8(a11), C8(a12), C8(a13), C8(a14), C8(a15), \
                     C8(a0), C8(a1), C8(a2), C8(a3), C8(a4), C8(a5), C8(a6), C8(a7),       \
                     C8(a8), C8(a9), C8(a10), C8(a11), C8(a12), C8(a13), C8(a14), C8(a15))

/* input shifted right by k bytes with the last k bytes of prev coming in */
#define PREV_N(in, prev, k) \
    _mm256_alignr_epi8((in), _mm256_permute2x128_si256((prev), (in), 0x21), 16 - (k))

__attribute__((target("avx2"))) static inline __m256i u8_block_errors(__m256i in,
                                                                      __m256i prev)
{
    const __m256i lo4 = _mm256_set1_epi8(0x0F);
    const __m256i b1h_t = TBL16(
        U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
        U8_TOO_LONG, U8_TOO_LONG, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS,
        U8_TOO_SHORT | U8_OVERLONG_2, U8_TOO_SHORT, U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,
        U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4);
    const __m256i b1l_t = TBL16(
        U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4, U8_CARRY | U8_OVERLONG_2,
        U8_CARRY, U8_CARRY, U8_CARRY | U8_TOO_LARGE, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_SURROGATE,
        U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000, U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000);
    const __m256i b2h_t = TBL16(
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
        U8_TOO_SHORT, U8_TOO_SHORT,
        U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE_1000 |
            U8_OVERLONG_4,
        U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE,
        U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE,
        U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE,
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT);
    __m256i prev1 = PREV_N(in, prev, 1);
    __m256i b1h = _mm256_shuffle_epi8(b1h_t, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), lo4));
    __m256i b1l = _mm256_shuffle_epi8(b1l_t, _mm256_and_si256(prev1, lo4));
    __m256i b2h = _mm256_shuffle_epi8(b2h_t, _mm256_and_si256(_mm256_srli_epi16(in, 4), lo4));
    __m256i sc = _mm256_and_si256(_mm256_and_si256(b1h, b1l), b2h);
    __m256i prev2 = PREV_N(in, prev, 2), prev3 = PREV_N(in, prev, 3);
    __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i must23 = _mm256_and_si256(_mm256_or_si256(third, fourth),
                                      _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must23, sc);
}

/* 1 if s[0..n) is all valid UTF-8 and does not end inside a sequence. */
__attribute__((target("avx2"))) static int utf8_valid_avx2(const unsigned char *s, size_t n)
{
    /* nonzero where the last bytes start a sequence longer than what is left */
    const __m256i max_ok = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    __m256i err = _mm256_setzero_si256(), prev = _mm256_setzero_si256();
    __m256i incomplete = _mm256_setzero_si256();
    size_t i = 0;
    for (;; i += 32) {
        __m256i in;
        if (n - i >= 32) {
            in = _mm256_loadu_si256((const __m256i *)(s + i));
        } else {
            if (i == n)
                break;
            unsigned char tail[32] = {0};   /* zeros are ASCII */
            memcpy(tail, s + i, n - i);
            in = _mm256_loadu_si256((const __m256i *)tail);
        }
        if (_mm256_movemask_epi8(in) == 0) {
            err = _mm256_or_si256(err, incomplete);
        } else {
            err = _mm256_or_si256(err, u8_block_errors(in, prev));
            incomplete = _mm256_subs_epu8(in, max_ok);
        }
        prev = in;
        if (n - i <= 32)
            break;
        /* look at the errors now and then, not on every block */
        if ((i & 4095) == 4064 && !_mm256_testz_si256(err, err))
            return 0;
    }
    err = _mm256_or_si256(err, incomplete);
    return _mm256_testz_si256(err, err);
}
#endif

size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (n >= 64 && __builtin_cpu_supports("avx2")) {
        /* a sequence cut by the end of s is not an error of s[0..m): m is
         * where that sequence starts; the scalar code stops at its lead too */
        size_t m = n;
        for (size_t k = 1; k <= 3; k++) {
            unsigned char c = s[n - k];
            if (c < 0x80)
                break;
            if (c >= 0xC0) {
                size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                if (need > k)
                    m = n - k;
                break;
            }
        }
        if (utf8_valid_avx2(s, m))
            return m;
    }
#endif
    return utf8_valid_prefix_scalar(s, n);
}

/* Append a line number to d->bad_lines. */
static int push_bad(struct decoded *d, size_t *cap, long long line,
                    const char *path, struct err *e)
{
    if (d->n_bad == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        if (ncap > SIZE_MAX / sizeof *d->bad_lines)
            return ERR(e, E_NOMEM, "%s: too many undecodable lines", pname(path));
        long long *v = realloc(d->bad_lines, ncap * sizeof *v);
        if (v == NULL)
            return ERR(e, E_NOMEM, "out of memory while listing the undecodable lines of %s",
                       pname(path));
        d->bad_lines = v;
        *cap = ncap;
    }
    d->bad_lines[d->n_bad++] = line;
    return E_OK;
}

/* List the lines of in[start..n) that are not valid UTF-8. */
static int scan_utf8(const unsigned char *in, size_t n, size_t start,
                     struct decoded *d, const char *path, struct err *e)
{
    size_t cap = 0;
    size_t pos = start, line_start = start;
    long long line = 1;
    while (pos < n) {
        size_t v = utf8_valid_prefix(in + pos, n - pos);
        if (v == n - pos)
            break;
        size_t bad = pos + v;
        /* No valid sequence spans an LF: count the LFs before the bad byte. */
        const unsigned char *q = in + line_start, *stop = in + bad, *nl;
        while (q < stop && (nl = memchr(q, '\n', (size_t)(stop - q))) != NULL) {
            line++;
            q = nl + 1;
        }
        if (d->first_bad_byte < 0)
            d->first_bad_byte = (long long)bad;
        int rc = push_bad(d, &cap, line, path, e);
        if (rc)
            return rc;
        nl = memchr(in + bad, '\n', n - bad);
        if (nl == NULL)
            break;
        pos = line_start = (size_t)(nl - in) + 1;
        line++;
    }
    return E_OK;
}

static int copy_bytes(const unsigned char *in, size_t n, size_t start,
                      struct decoded *d, const char *path, struct err *e)
{
    size_t len = n - start;
    if (len == SIZE_MAX)
        return ERR(e, E_NOMEM, "%s: input too large", pname(path));
    d->data = malloc(len + 1);
    if (d->data == NULL)
        return ERR(e, E_NOMEM, "out of memory while copying %s (%zu bytes)", pname(path), len);
    if (len)
        memcpy(d->data, in + start, len);
    d->data[len] = '\0';
    d->len = len;
    return E_OK;
}

/* Make room for `more` bytes plus the final NUL after d->len. */
static int reserve(struct decoded *d, size_t *cap, size_t more,
                   const char *path, struct err *e)
{
    if (more > SIZE_MAX - 1 - d->len)
        return ERR(e, E_NOMEM, "%s: decoded text too large", pname(path));
    size_t need = d->len + more + 1;
    if (need <= *cap)
        return E_OK;
    size_t ncap = *cap > SIZE_MAX / 2 ? SIZE_MAX : *cap * 2;
    if (ncap < need)
        ncap = need;
    char *p = realloc(d->data, ncap);
    if (p == NULL)
        return ERR(e, E_NOMEM, "out of memory while decoding %s (%zu bytes)",
                   pname(path), ncap);
    d->data = p;
    *cap = ncap;
    return E_OK;
}

/* Convert in[start..n) from GB18030 line by line into d.  A line that does
 * not decode is copied unchanged and listed, or, when strict, the
 * conversion stops there with *failed = 1 (d->data is then freed). */
static int convert_gb18030(const unsigned char *in, size_t n, size_t start,
                           int strict, struct decoded *d, int *failed,
                           const char *path, struct err *e)
{
    *failed = 0;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) {
        if (errno == ENOMEM)
            return ERR(e, E_NOMEM, "out of memory while opening the GB18030 converter for %s",
                       pname(path));
        return ERR(e, E_INTERNAL,
                   "%s: iconv cannot convert GB18030 to UTF-8 (glibc gconv modules missing?)",
                   pname(path));
    }

    int rc = E_OK;
    size_t cap = 0, bad_cap = 0;
    size_t len = n - start;
    /* GB18030 -> UTF-8 grows at most 3/2 (2 -> 3 bytes); 4-byte codes give
     * at most 4.  Start at that bound; reserve() copes if it is ever wrong. */
    size_t guess = len > SIZE_MAX / 3 ? len : len + len / 2;
    rc = reserve(d, &cap, guess, path, e);

    size_t pos = start;
    long long line = 1;
    while (rc == E_OK && pos < n) {
        const unsigned char *nl = memchr(in + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - in) + 1 : n;
        size_t mark = d->len;
        long long bad_at = -1;

        size_t k = pos;
        while (k < end && in[k] < 0x80)
            k++;
        if (k == end) {                     /* plain ASCII line */
            rc = reserve(d, &cap, end - pos, path, e);
            if (rc)
                break;
            memcpy(d->data + d->len, in + pos, end - pos);
            d->len += end - pos;
        } else {
            iconv(cd, NULL, NULL, NULL, NULL);
            char *ip = (char *)(in + pos);
            size_t il = end - pos;
            for (;;) {
                char *op = d->data + d->len;
                size_t ol = cap - d->len - 1;
                size_t r = iconv(cd, &ip, &il, &op, &ol);
                int err_no = errno;
                d->len = (size_t)(op - d->data);
                if (r != (size_t)-1)
                    break;
                if (err_no == E2BIG) {
                    rc = reserve(d, &cap, il * 4 + 16, path, e);
                    if (rc)
                        break;
                    continue;
                }
                /* EILSEQ: invalid sequence; EINVAL: incomplete at line end. */
                bad_at = (long long)((const unsigned char *)ip - in);
                break;
            }
            if (rc)
                break;
            /* Belt and braces: what iconv wrote must be valid UTF-8. */
            if (bad_at < 0 &&
                utf8_valid_prefix((unsigned char *)d->data + mark, d->len - mark) !=
                    d->len - mark)
                bad_at = (long long)pos;
        }

        if (bad_at >= 0) {
            if (strict) {
                *failed = 1;
                break;
            }
            d->len = mark;
            rc = reserve(d, &cap, end - pos, path, e);
            if (rc)
                break;
            memcpy(d->data + d->len, in + pos, end - pos);
            d->len += end - pos;
            if (d->first_bad_byte < 0)
                d->first_bad_byte = bad_at;
            rc = push_bad(d, &bad_cap, line, path, e);
        }
        pos = end;
        line++;
    }
    iconv_close(cd);

    if (rc != E_OK || *failed) {
        free(d->data);
        d->data = NULL;
        d->len = 0;
        return rc;
    }
    d->data[d->len] = '\0';
    if (cap - d->len > 4096) {              /* give back the slack */
        char *p = realloc(d->data, d->len + 1);
        if (p)
            d->data = p;
    }
    return E_OK;
}

static void decoded_reset(struct decoded *d)
{
    memset(d, 0, sizeof *d);
    d->used = ENC_UTF8;
    d->first_bad_byte = -1;
}

int enc_decode(const char *path, const unsigned char *in, size_t n,
               enum enc want, struct decoded *out, struct err *e)
{
    decoded_reset(out);
    if (in == NULL && n > 0)
        return ERR(e, E_INTERNAL, "%s: enc_decode given no buffer", pname(path));

    size_t start = 0;
    if (n >= sizeof utf8_bom && memcmp(in, utf8_bom, sizeof utf8_bom) == 0) {
        start = sizeof utf8_bom;
        out->had_bom = 1;
    }
    /* Where GB18030 text starts: after its own BOM if there is one. */
    size_t gb_start = start;
    int gb_bom = 0;
    if (!out->had_bom && n >= sizeof gb18030_bom &&
        memcmp(in, gb18030_bom, sizeof gb18030_bom) == 0) {
        gb_start = sizeof gb18030_bom;
        gb_bom = 1;
    }

    int rc, failed = 0;
    switch (want) {
    case ENC_UTF8:
        rc = scan_utf8(in, n, start, out, path, e);
        if (rc == E_OK)
            rc = copy_bytes(in, n, start, out, path, e);
        break;
    case ENC_GB18030:
        out->used = ENC_GB18030;
        out->had_bom |= gb_bom;
        rc = convert_gb18030(in, n, gb_start, 0, out, &failed, path, e);
        break;
    case ENC_AUTO:
        rc = scan_utf8(in, n, start, out, path, e);
        if (rc == E_OK && out->n_bad > 0) {
            struct decoded gb;
            decoded_reset(&gb);
            gb.used = ENC_GB18030;
            gb.had_bom = out->had_bom | gb_bom;
            rc = convert_gb18030(in, n, gb_start, 1, &gb, &failed, path, e);
            if (rc == E_OK && !failed) {
                decoded_free(out);
                *out = gb;
                return E_OK;
            }
        }
        if (rc == E_OK)
            rc = copy_bytes(in, n, start, out, path, e);
        break;
    default:
        rc = ERR(e, E_INTERNAL, "%s: unknown encoding %d", pname(path), (int)want);
        break;
    }
    if (rc != E_OK)
        decoded_free(out);
    return rc;
}

void decoded_free(struct decoded *d)
{
    if (d == NULL)
        return;
    free(d->data);
    free(d->bad_lines);
    decoded_reset(d);
}

const char *enc_name(enum enc e)
{
    switch (e) {
    case ENC_AUTO: return "auto";
    case ENC_UTF8: return "utf-8";
    case ENC_GB18030: return "gb18030";
    }
    return "unknown";
}

/* ASCII-only case-insensitive equality (no locale). */
static int ascii_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
        if (x == '\0')
            return 1;
    }
}

int enc_parse(const char *s, enum enc *out)
{
    static const struct { const char *name; enum enc enc; } names[] = {
        { "utf-8", ENC_UTF8 }, { "utf8", ENC_UTF8 },
        { "gb18030", ENC_GB18030 }, { "gbk", ENC_GB18030 }, { "gb2312", ENC_GB18030 },
        { "auto", ENC_AUTO },
    };
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (ascii_ieq(s, names[i].name)) {
            *out = names[i].enc;
            return 0;
        }
    }
    return -1;
}
