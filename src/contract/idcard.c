/* idcard.c - resident ID numbers (GB 11643-1999): normalise and validate.
 *
 * Owns: folding of dirty id_no text (white space, full-width forms, lower-case
 * x, 15-digit numbers) and the validity rules of the data contract.
 * Pure: no allocation, no I/O, no locale, no mutable globals; never exits.
 *
 * Readings the header leaves open, settled here:
 *   - A byte sequence that is not valid UTF-8, or any character other than
 *     white space, a digit or X/x (ASCII or full-width), is ID_BAD_CHAR.
 *     In out->id such a character shows as itself when it is printable ASCII
 *     and as '?' otherwise, so the text is always plain ASCII.
 *   - ID_BAD_X: an X that is not the last character, or any X in a
 *     15-character number (a 15-digit number has no check position).
 *   - When the number is invalid, out->id is the folded text as read (a
 *     15-digit number is not converted) and flags hold only the folding flags
 *     (ID_F_SPACE, ID_F_FULLWIDTH, ID_F_LOWER_X); ID_F_15_TO_18 is set only on
 *     a valid converted number.
 *   - Full-width lower-case x (U+FF58) sets both ID_F_FULLWIDTH and
 *     ID_F_LOWER_X.
 */
#include "contract/idcard.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/utf8.h"

/* GB 11643-1999, MOD 11-2: weight of each of the 17 body digits
 * (2^(18-i) mod 11) and the check character for (sum of digit*weight) mod 11. */
static const int id_weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char id_check_map[] = "10X98765432";

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* 1 if y-m-d is a real calendar date with year >= 1900. */
static int real_ymd(int y, int m, int d)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return 0;
    int dim = mdays[m - 1] + (m == 2 && is_leap(y));
    return d <= dim;
}

/* 1 if yyyymmdd is a real calendar date with year >= 1900. */
static int real_date(int ymd)
{
    return real_ymd(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static int province_ok(int p)
{
    return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
           (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65) ||
           p == 71 || (p >= 81 && p <= 83);
}

static int digits_value(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

char id_check_char(const char *digits17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        char c = digits17[i];
        if (c < '0' || c > '9')
            return '?';
        sum += (c - '0') * id_weight[i];
    }
    return id_check_map[sum % 11];
}

/* Eight ASCII digits at p as their value, SWAR: byte pairs, then 16-bit
 * pairs, then 32-bit pairs combined by one multiply each.  p must be
 * digits (all_digits8 below). */
static inline uint64_t parse8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    v -= UINT64_C(0x3030303030303030);
    v = (v * 10) + (v >> 8);
    v = ((v & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x000F424000000064) +
         (((v >> 16) & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x0000271000000001))) >> 32;
    return v;
}

/* 1 if the eight bytes at p are all ASCII digits. */
static inline int all_digits8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    /* each byte in '0'..'9': high nibble 3, and adding 6 keeps it there
     * (a carry out of a byte only comes from one that already failed) */
    const uint64_t hi = UINT64_C(0xF0F0F0F0F0F0F0F0), three = UINT64_C(0x3030303030303030);
    return (v & hi) == three && ((v + UINT64_C(0x0606060606060606)) & hi) == three;
}

/* The sum of the 17 body digits at p times their weights.  With SSE2:
 * the first 16 as 16-bit lanes, multiplied and added in pairs by one
 * pmaddwd each half (the scalar loop was a fifth of id_normalise). */
static inline unsigned id_weighted_sum(const unsigned char *p)
{
#ifdef __SSE2__
    const __m128i zero = _mm_setzero_si128(), z = _mm_set1_epi8('0');
    const __m128i w_lo = _mm_setr_epi16(7, 9, 10, 5, 8, 4, 2, 1),
                  w_hi = _mm_setr_epi16(6, 3, 7, 9, 10, 5, 8, 4);
    __m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), z);
    __m128i s4 = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(d, zero), w_lo),
                               _mm_madd_epi16(_mm_unpackhi_epi8(d, zero), w_hi));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(1, 0, 3, 2)));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
    return (unsigned)_mm_cvtsi128_si32(s4) + (unsigned)(p[16] - '0') * (unsigned)id_weight[16];
#else
    unsigned sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (unsigned)(p[i] - '0') * (unsigned)id_weight[i];
    return sum;
#endif
}

/* id_normalise() for s[0..18): 17 ASCII digits and check character c17
 * (a digit or 'X'); out is already zeroed. */
static enum id_status id_clean18(const char *s, unsigned c17, int as_of_ymd,
                                 struct id_norm *out)
{
    const unsigned char *p = (const unsigned char *)s;
    memcpy(out->id, s, 18);
    out->id[18] = '\0';
    if (!province_ok((int)((p[0] - '0') * 10 + (p[1] - '0'))))
        return ID_BAD_PROVINCE;
    /* year, month and day from their digits: no division (the compiler's
     * idiv for ymd / 100 was a third of this function's time at SF 1) */
    int y = (p[6] - '0') * 1000 + (p[7] - '0') * 100 + (p[8] - '0') * 10 + (p[9] - '0');
    int m = (p[10] - '0') * 10 + (p[11] - '0'), d = (p[12] - '0') * 10 + (p[13] - '0');
    int ymd = y * 10000 + m * 100 + d;
    if (!real_ymd(y, m, d))
        return ID_BAD_DATE;
    if (ymd > as_of_ymd)
        return ID_FUTURE_DATE;
    unsigned sum = id_weighted_sum(p);
    if ((unsigned char)id_check_map[sum % 11] != c17)
        return ID_BAD_CHECKSUM;
    uint64_t body = (parse8(p) * 100000000u + parse8(p + 8)) * 10 + (unsigned)(p[16] - '0');
    out->key = body * 11 + (c17 == 'X' ? 10 : c17 - '0');
    out->birth_ymd = ymd;
    return ID_OK;
}

enum id_status id_normalise(const char *s, size_t len, int as_of_ymd,
                            struct id_norm *out)
{
    const unsigned char *p = (const unsigned char *)s;
    char buf[19];          /* folded text, first 18 characters */
    size_t nch = 0;        /* folded characters seen (may exceed 18) */
    size_t first_x = (size_t)-1;
    int bad_char = 0;
    unsigned flags = 0;

    memset(out, 0, sizeof *out);
    if (s == NULL)
        len = 0;

    /* Fast path: the clean form (17 ASCII digits and a digit or X) needs
     * no decoding or folding, and one pass gives the checksum and the key;
     * the checks are the same as below, in the same order. */
    if (len == 18) {
        unsigned c17 = p[17];
        if (all_digits8(p) && all_digits8(p + 8) && p[16] >= '0' && p[16] <= '9' &&
            ((c17 >= '0' && c17 <= '9') || c17 == 'X'))
            return id_clean18(s, c17, as_of_ymd, out);
    }

    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode(p + i, len - i, &cp);
        char c;
        if (k == 0) {
            bad_char = 1;
            c = '?';
            k = 1;
        } else if (utf8_is_space(cp)) {
            flags |= ID_F_SPACE;
            i += k;
            continue;
        } else if (cp >= '0' && cp <= '9') {
            c = (char)cp;
        } else if (cp == 'X') {
            c = 'X';
        } else if (cp == 'x') {
            c = 'X';
            flags |= ID_F_LOWER_X;
        } else if (cp >= 0xFF10 && cp <= 0xFF19) {
            c = (char)('0' + (cp - 0xFF10));
            flags |= ID_F_FULLWIDTH;
        } else if (cp == 0xFF38) {
            c = 'X';
            flags |= ID_F_FULLWIDTH;
        } else if (cp == 0xFF58) {
            c = 'X';
            flags |= ID_F_FULLWIDTH | ID_F_LOWER_X;
        } else {
            bad_char = 1;
            c = (cp > 0x20 && cp < 0x7F) ? (char)cp : '?';
        }
        if (c == 'X' && first_x == (size_t)-1)
            first_x = nch;
        if (nch < 18)
            buf[nch] = c;
        nch++;
        i += k;
    }
    size_t shown = nch < 18 ? nch : 18;
    memcpy(out->id, buf, shown);
    out->id[shown] = '\0';
    out->flags = flags;

    if (nch == 0)
        return ID_EMPTY;
    if (bad_char)
        return ID_BAD_CHAR;
    if (first_x != (size_t)-1 && (first_x != nch - 1 || nch == 15))
        return ID_BAD_X;
    if (nch != 18 && nch != 15)
        return ID_BAD_LENGTH;

    /* Now buf holds 15 digits, or 17 digits and a check character. */
    char id[19];
    if (nch == 15) {
        memcpy(id, buf, 6);
        id[6] = '1';
        id[7] = '9';
        memcpy(id + 8, buf + 6, 9);
        id[17] = id_check_char(id);
    } else {
        memcpy(id, buf, 18);
    }
    id[18] = '\0';

    if (!province_ok(digits_value(id, 2)))
        return ID_BAD_PROVINCE;
    int ymd = digits_value(id + 6, 8);
    if (!real_date(ymd))
        return ID_BAD_DATE;
    if (ymd > as_of_ymd)
        return ID_FUTURE_DATE;
    if (id_check_char(id) != id[17])
        return ID_BAD_CHECKSUM;

    uint64_t body = 0;
    for (int i = 0; i < 17; i++)
        body = body * 10 + (uint64_t)(id[i] - '0');
    uint64_t check = id[17] == 'X' ? 10 : (uint64_t)(id[17] - '0');

    memcpy(out->id, id, sizeof id);
    out->key = body * 11 + check;
    out->birth_ymd = ymd;
    if (nch == 15)
        out->flags |= ID_F_15_TO_18;
    return ID_OK;
}

const char *id_status_text(enum id_status st)
{
    switch (st) {
    case ID_OK: return "ok";
    case ID_EMPTY: return "empty ID number";
    case ID_BAD_CHAR: return "character other than a digit or X";
    case ID_BAD_LENGTH: return "not 18 (or 15) characters";
    case ID_BAD_X: return "X outside the check position";
    case ID_BAD_PROVINCE: return "unknown province code";
    case ID_BAD_DATE: return "birth date not a real date from 1900-01-01";
    case ID_FUTURE_DATE: return "birth date after the as-of date";
    case ID_BAD_CHECKSUM: return "bad check character";
    }
    return "unknown ID status";
}

void id_from_key(uint64_t key, char buf[19])
{
    uint64_t body = key / 11;
    unsigned check = (unsigned)(key % 11);
    for (int i = 16; i >= 0; i--) {
        buf[i] = (char)('0' + body % 10);
        body /= 10;
    }
    buf[17] = check == 10 ? 'X' : (char)('0' + check);
    buf[18] = '\0';
}
