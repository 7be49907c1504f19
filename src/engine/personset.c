/* personset.c - the persons a run's rules can read (see personset.h).
 *
 * Owns: the bitmap, from personset_build() to personset_free().  Never
 * answers no for a key it was given; never reads a file.
 */
#include "engine/personset.h"

#include <stdlib.h>

/* Set the bit of every non-zero key of rows[0..n) (`size` bytes apart,
 * the key at key_off). */
static void put_keys(struct personset *ps, const void *rows, size_t n, size_t size,
                     size_t key_off)
{
    const unsigned char *r = rows;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = *(const uint64_t *)(const void *)(r + i * size + key_off);
        if (!key)
            continue;
        uint64_t h = idx_hash64(key) >> ps->shift;
        ps->bits[h >> 6] |= (uint64_t)1 << (h & 63);
        ps->n++;
    }
}

int personset_build(struct personset *ps, const struct dataset *d, struct err *e)
{
    ps->bits = NULL;
    ps->n = 0;
    size_t n = d->members.n + d->candidates.n + d->hukou.n;
    /* a power of two of 16 to 32 bits per key (4 MB at SF 1), at least
     * one word */
    int lg = 6;
    while (lg < 62 && ((size_t)1 << lg) < n * 16)
        lg++;
    uint64_t *bits = calloc((size_t)1 << (lg - 6), sizeof *bits);
    if (!bits)
        return ERR(e, E_NOMEM, "out of memory while listing the persons the rules read");
    ps->bits = bits;
    ps->shift = 64 - lg;
    put_keys(ps, d->members.v, d->members.n, sizeof(struct member),
             offsetof(struct member, key));
    put_keys(ps, d->candidates.v, d->candidates.n, sizeof(struct candidate),
             offsetof(struct candidate, key));
    put_keys(ps, d->hukou.v, d->hukou.n, sizeof(struct hukou), offsetof(struct hukou, key));
    return E_OK;
}

void personset_free(struct personset *ps)
{
    free(ps->bits);
    ps->bits = NULL;
    ps->n = 0;
}
