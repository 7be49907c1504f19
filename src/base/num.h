/* num.h - exact decimal numbers from feed text: money, areas, shares.
 *
 * The contract forbids binary floating point for money and areas: money is
 * integer fen, areas integer hundredths of a square metre, shares integer
 * billionths.  Pure functions, thread-safe.
 */
#ifndef ENGINE_NUM_H
#define ENGINE_NUM_H

#include <stddef.h>
#include <stdint.h>

enum num_status {
    NUM_OK = 0,
    NUM_EMPTY,        /* empty text */
    NUM_BAD,          /* not a plain decimal number */
    NUM_NEGATIVE,     /* a minus sign */
    NUM_TOO_PRECISE,  /* more decimals than the column allows */
    NUM_TOO_BIG       /* would overflow */
};

/* Parse a non-negative decimal with at most `max_dec` decimals into an
 * integer scaled by 10^scale (scale >= max_dec), e.g. money: max_dec 2,
 * scale 2 -> fen.  Accepts "12", "12.5", "12.50", "0.05", ".5" is NUM_BAD. */
enum num_status num_parse_fixed(const char *s, size_t len, int max_dec, int scale,
                                int64_t *out);

/* Money in fen (yuan with up to two decimals). */
static inline enum num_status num_parse_money(const char *s, size_t len, int64_t *fen)
{
    return num_parse_fixed(s, len, 2, 2, fen);
}

/* Share in billionths (up to 9 decimals). Range is the caller's business. */
#define SHARE_ONE 1000000000LL
static inline enum num_status num_parse_share(const char *s, size_t len, int64_t *nano)
{
    return num_parse_fixed(s, len, 9, 9, nano);
}

/* Short reason text for a status. */
const char *num_status_text(enum num_status st);

/* Format an integer scaled by 10^scale without trailing zeros in the
 * fraction ("86000", "30000.01", "0.5").  buf must hold 48 bytes. */
void num_format(int64_t v, int scale, char buf[48]);

/* Format num/den fen (den > 0) as yuan with exactly two decimals, for
 * evidence a reader checks by hand ("14499.00", "0.50"): a value that is
 * not a whole number of fen is cut toward zero to the fen and followed by
 * "..." ("1200.00..." for 7200.01 / 6), so the figure shown never claims
 * more than it is and the text says more digits follow.  No floating point
 * and no multiplication (cannot overflow).  buf must hold 64 bytes. */
void num_format_yuan(__int128 num, __int128 den, char buf[64]);

#endif
