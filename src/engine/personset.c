/* personset.c - the persons a run's rules can read (see personset.h).
 *
 * Owns: the bitmap, from personset_build() to personset_free().  Never
 * answers no for a key it was given; never reads a file.
 */
#include "engine/personset.h"

/* Put every non-zero key of rows[0..n) (`size` bytes apart, the key at
 * key_off). */
static void put_keys(struct personset *ps, const void *rows, size_t n, size_t size,
                     size_t key_off)
{
    const unsigned char *r = rows;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = *(const uint64_t *)(const void *)(r + i * size + key_off);
        if (!key)
            continue;
        hashbits_put(&ps->bits, idx_hash64(key));
        ps->n++;
    }
}

int personset_build(struct personset *ps, const struct dataset *d, struct err *e)
{
    ps->n = 0;
    /* 4 MB at SF 1 */
    int st = hashbits_init(&ps->bits, d->members.n + d->candidates.n + d->hukou.n,
                           "listing the persons the rules read", e);
    if (st != E_OK)
        return st;
    put_keys(ps, d->members.v, d->members.n, sizeof(struct member),
             offsetof(struct member, key));
    put_keys(ps, d->candidates.v, d->candidates.n, sizeof(struct candidate),
             offsetof(struct candidate, key));
    put_keys(ps, d->hukou.v, d->hukou.n, sizeof(struct hukou), offsetof(struct hukou, key));
    return E_OK;
}

void personset_free(struct personset *ps)
{
    hashbits_free(&ps->bits);
    ps->n = 0;
}
