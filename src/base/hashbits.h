/* hashbits.h - a set of 64-bit hashes, one bit each, that never answers a
 * wrong "no".
 *
 * A power of two of 16 to 32 bits for each item expected; an item put in
 * always answers yes, one not put in answers no but for 1 in 16 to 32
 * (the bits set over the bits).  For a set whose wrong yes only costs
 * memory (engine/personset.c, engine/hukou_prune.c: rows kept that no rule
 * reads), where an exact table would cost more than the rows it spares.
 * Built once, then read by any number of threads; hashbits_put_atomic()
 * lets a team build it.
 */
#ifndef BASE_HASHBITS_H
#define BASE_HASHBITS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct hashbits {
    uint64_t *w;       /* NULL: every hash answers yes */
    int shift;         /* 64 - log2(bits in the map): a hash's high bits pick its bit */
};

/* An empty set sized for about n items.  E_OK or E_NOMEM (with `what` in
 * the message: "out of memory while <what>"). */
int hashbits_init(struct hashbits *b, size_t n, const char *what, struct err *e);
void hashbits_free(struct hashbits *b);

static inline void hashbits_put(struct hashbits *b, uint64_t h)
{
    h >>= b->shift;
    b->w[h >> 6] |= (uint64_t)1 << (h & 63);
}

/* The same from many threads at once. */
static inline void hashbits_put_atomic(struct hashbits *b, uint64_t h)
{
    h >>= b->shift;
    __atomic_fetch_or(&b->w[h >> 6], (uint64_t)1 << (h & 63), __ATOMIC_RELAXED);
}

static inline int hashbits_may_have(const struct hashbits *b, uint64_t h)
{
    if (!b->w)
        return 1;
    h >>= b->shift;
    return (int)((b->w[h >> 6] >> (h & 63)) & 1);
}

#endif
