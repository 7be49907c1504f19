/* hashbits.c - a set of hashes as a bitmap (see hashbits.h).
 *
 * Owns: the bitmap, from hashbits_init() to hashbits_free().  Never
 * answers no for a hash put in.
 */
#include "base/hashbits.h"

#include <stdlib.h>

int hashbits_init(struct hashbits *b, size_t n, const char *what, struct err *e)
{
    int lg = 6;   /* at least one word */
    while (lg < 62 && ((size_t)1 << lg) < (n ? n : 1) * 16)
        lg++;
    b->w = calloc((size_t)1 << (lg - 6), sizeof *b->w);
    b->shift = 64 - lg;
    if (!b->w)
        return ERR(e, E_NOMEM, "out of memory while %s", what);
    return E_OK;
}

void hashbits_free(struct hashbits *b)
{
    free(b->w);
    b->w = NULL;
}
