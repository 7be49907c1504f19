/* sort.c - stable LSD radix sort by a 64-bit key (see sort.h).
 *
 * Owns: its scratch buffer for the duration of one call.  Skips the 16-bit
 * digits that are the same in every key (ID keys use 60 bits; small test
 * data often fewer), so sorting costs one pass per digit that varies.
 */
#include "sort.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DIGIT_BITS 16
#define N_BUCKETS (1u << DIGIT_BITS)

static inline uint64_t key_at(const unsigned char *p, size_t key_off, int wide)
{
    if (wide) {
        uint64_t k;
        memcpy(&k, p + key_off, sizeof k);
        return k;
    }
    uint32_t k;
    memcpy(&k, p + key_off, sizeof k);
    return k;
}

static int radix_sort(void *base, size_t n, size_t size, size_t key_off, int wide,
                      struct err *e);

int radix_sort_u64(void *base, size_t n, size_t size, size_t key_off, struct err *e)
{
    return radix_sort(base, n, size, key_off, 1, e);
}

int radix_sort_u32(void *base, size_t n, size_t size, size_t key_off, struct err *e)
{
    return radix_sort(base, n, size, key_off, 0, e);
}

static int radix_sort(void *base, size_t n, size_t size, size_t key_off, int wide,
                      struct err *e)
{
    if (n < 2)
        return E_OK;
    unsigned char *a = base;
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_at(a + i * size, key_off, wide);
        all_or |= k;
        all_and &= k;
    }
    uint64_t varies = all_or ^ all_and;
    if (varies == 0)
        return E_OK;
    if (n > SIZE_MAX / size)
        return ERR(e, E_NOMEM, "sort of %zu records is too large", n);
    unsigned char *tmp = malloc(n * size);
    size_t *count = malloc(N_BUCKETS * sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return ERR(e, E_NOMEM, "out of memory while sorting %zu records", n);
    }
    unsigned char *src = a, *dst = tmp;
    for (int shift = 0; shift < 64; shift += DIGIT_BITS) {
        if (((varies >> shift) & (N_BUCKETS - 1)) == 0)
            continue;
        memset(count, 0, N_BUCKETS * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(key_at(src + i * size, key_off, wide) >> shift) & (N_BUCKETS - 1)]++;
        size_t sum = 0;
        for (size_t b = 0; b < N_BUCKETS; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            const unsigned char *r = src + i * size;
            size_t b = (key_at(r, key_off, wide) >> shift) & (N_BUCKETS - 1);
            memcpy(dst + count[b]++ * size, r, size);
        }
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * size);
    free(tmp);
    free(count);
    return E_OK;
}
