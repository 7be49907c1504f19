/* sort.c - stable LSD radix sort by a 64-bit key (see sort.h).
 *
 * Owns: its scratch buffers for the duration of one call.  Skips the 16-bit
 * digits that are the same in every key (ID keys use 60 bits; small test
 * data often fewer), so sorting costs one pass per digit that varies.
 *
 * Design.  One first pass reads every key once: it finds the digits that
 * vary and counts all four digit histograms at the same time.  Records of
 * up to 32 bytes are then scattered directly, digit by digit, with a copy
 * of a size fixed at compile time (a memcpy of a run-time size is a call
 * per record, and was most of the cost).  Wider records (hukou rows are
 * 72 bytes) are not moved on every pass: (key, index) pairs of 16 bytes
 * are sorted instead, and the records are gathered once in their final
 * order.  Either way equal keys keep their input order.  Outside a
 * parallel region a large table is sorted by the whole team
 * (radix_passes_par).
 */
#include "base/sort.h"

#include <omp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#define MAX_SORT_THREADS 64

#define DIGIT_BITS 16
#define N_BUCKETS (1u << DIGIT_BITS)
#define N_DIGITS 4

struct kv {
    uint64_t key;
    uint64_t idx;
};

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

/* Copy one record; `size` is a constant wherever this is inlined below. */
static inline __attribute__((always_inline)) void copy_rec(unsigned char *dst,
                                                           const unsigned char *src,
                                                           size_t size)
{
    memcpy(dst, src, size);
}

/* Exclusive prefix sums of one histogram: count[b] becomes the first slot
 * of bucket b. */
static void prefix(size_t *count)
{
    size_t sum = 0;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        size_t c = count[b];
        count[b] = sum;
        sum += c;
    }
}

/* Scatter records src -> dst by digit `shift`; inlined per record size. */
static inline __attribute__((always_inline)) void scatter(const unsigned char *src,
                                                          unsigned char *dst, size_t n,
                                                          size_t size, size_t key_off,
                                                          int wide, int shift, size_t *count)
{
    for (size_t i = 0; i < n; i++) {
        const unsigned char *r = src + i * size;
        size_t b = (key_at(r, key_off, wide) >> shift) & (N_BUCKETS - 1);
        copy_rec(dst + count[b]++ * size, r, size);
    }
}

static void scatter_any(const unsigned char *src, unsigned char *dst, size_t n, size_t size,
                        size_t key_off, int wide, int shift, size_t *count)
{
    switch (size) {
    case 8: scatter(src, dst, n, 8, key_off, wide, shift, count); break;
    case 16: scatter(src, dst, n, 16, key_off, wide, shift, count); break;
    case 24: scatter(src, dst, n, 24, key_off, wide, shift, count); break;
    case 32: scatter(src, dst, n, 32, key_off, wide, shift, count); break;
    default: scatter(src, dst, n, size, key_off, wide, shift, count); break;
    }
}

/* Move record kv[j].idx of src to slot j of dst, for every j.  The reads
 * are random: each record's lines are prefetched GATHER_AHEAD slots early. */
#define GATHER_AHEAD 16
static void gather(const unsigned char *src, unsigned char *dst, const struct kv *kv, size_t n,
                   size_t size)
{
#define GATHER(SZ)                                                                 \
    for (size_t j = 0; j < n; j++) {                                               \
        if (j + GATHER_AHEAD < n) {                                                \
            const unsigned char *p = src + kv[j + GATHER_AHEAD].idx * (SZ);        \
            __builtin_prefetch(p);                                                 \
            __builtin_prefetch(p + (SZ) - 1);                                      \
        }                                                                          \
        copy_rec(dst + j * (SZ), src + kv[j].idx * (SZ), (SZ));                    \
    }                                                                              \
    break
    switch (size) {
    case 40: GATHER(40);
    case 48: GATHER(48);
    case 56: GATHER(56);
    case 64: GATHER(64);
    case 72: GATHER(72);
    case 80: GATHER(80);
    case 88: GATHER(88);
    case 96: GATHER(96);
    default: GATHER(size);
    }
#undef GATHER
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

/* Threads for one sort: all of the team for a large table sorted outside a
 * parallel region, else one (a sort inside a parallel job stays on its
 * thread). */
#define PAR_MIN_RECORDS (1u << 18)
static int sort_threads(size_t n)
{
    if (n < PAR_MIN_RECORDS || omp_in_parallel())
        return 1;
    int t = omp_get_max_threads();
    return t < 1 ? 1 : t > MAX_SORT_THREADS ? MAX_SORT_THREADS : t;
}

/* The parallel passes.  Thread t owns the slice [n*t/T, n*(t+1)/T) of the
 * source of every pass: it counts the digit in its slice, and after a
 * barrier the slots of bucket b are handed out in thread order (thread 0's
 * records of b first), so each thread scatters its slice to disjoint slots
 * and the result is the stable order, the same at any thread count.  The
 * gather splits the output range. */
static void radix_passes_par(unsigned char *a, size_t n, size_t size, size_t key_off, int wide,
                             uint64_t varies, int direct, unsigned char *tmp, size_t *count,
                             unsigned char *out, int T)
{
    size_t rec = direct ? size : sizeof(struct kv);
    unsigned char *fin = NULL;
#pragma omp parallel num_threads(T)
    {
        int t = omp_get_thread_num();
        size_t lo = n * (size_t)t / (size_t)T, hi = n * (size_t)(t + 1) / (size_t)T;
        size_t *c = count + (size_t)t * N_BUCKETS;
        unsigned char *src, *dst;
        if (direct) {
            src = a;
            dst = tmp;
        } else {
            struct kv *kv = (struct kv *)tmp;
            for (size_t i = lo; i < hi; i++) {
                kv[i].key = key_at(a + i * size, key_off, wide);
                kv[i].idx = i;
            }
            src = tmp;
            dst = tmp + n * rec;
        }
        size_t koff = direct ? key_off : offsetof(struct kv, key);
        int kwide = direct ? wide : 1;
        for (int d = 0; d < N_DIGITS; d++) {
            int shift = d * DIGIT_BITS;
            if (((varies >> shift) & (N_BUCKETS - 1)) == 0)
                continue;
#pragma omp barrier
            memset(c, 0, N_BUCKETS * sizeof *c);
            for (size_t i = lo; i < hi; i++)
                c[(key_at(src + i * rec, koff, kwide) >> shift) & (N_BUCKETS - 1)]++;
#pragma omp barrier
#pragma omp single
            {
                size_t sum = 0;
                for (size_t b = 0; b < N_BUCKETS; b++)
                    for (int u = 0; u < T; u++) {
                        size_t *cu = count + (size_t)u * N_BUCKETS;
                        size_t x = cu[b];
                        cu[b] = sum;
                        sum += x;
                    }
            }   /* implied barrier: every thread's slots are known */
            scatter_any(src + lo * rec, dst, hi - lo, rec, koff, kwide, shift, c);
            unsigned char *sw = src;
            src = dst;
            dst = sw;
        }
#pragma omp barrier
        if (direct) {
#pragma omp single
            fin = src;
        } else {
            gather(a, out + lo * size, (const struct kv *)src + lo, hi - lo, size);
#pragma omp barrier
            memcpy(a + lo * size, out + lo * size, (hi - lo) * size);
        }
    }
    if (direct && fin != a)
        memcpy(a, fin, n * size);
}

/* Few records: a stable insertion sort.  The radix passes clear and scan
 * four histograms of 64 Ki counters (2 MB) whatever n is, which is most of
 * the time of a check of one household (snapshot/precheck.c sorts a few
 * rows at a time, thousands of times a second in `hedui serve`). */
#define SMALL_SORT 48
#define SMALL_REC 256
static void insertion_sort(unsigned char *a, size_t n, size_t size, size_t key_off, int wide)
{
    unsigned char tmp[SMALL_REC];
    for (size_t i = 1; i < n; i++) {
        uint64_t k = key_at(a + i * size, key_off, wide);
        size_t j = i;
        while (j > 0 && key_at(a + (j - 1) * size, key_off, wide) > k)
            j--;
        if (j == i)
            continue;
        memcpy(tmp, a + i * size, size);
        memmove(a + (j + 1) * size, a + j * size, (i - j) * size);
        memcpy(a + j * size, tmp, size);
    }
}

static int radix_sort(void *base, size_t n, size_t size, size_t key_off, int wide,
                      struct err *e)
{
    if (n < 2)
        return E_OK;
    unsigned char *a = base;
    if (n <= SMALL_SORT && size <= SMALL_REC) {
        insertion_sort(a, n, size, key_off, wide);
        return E_OK;
    }
    int T = sort_threads(n);
    size_t *count = calloc((size_t)(T > N_DIGITS ? T : N_DIGITS) * N_BUCKETS, sizeof *count);
    if (!count)
        return ERR(e, E_NOMEM, "out of memory while sorting %zu records", n);
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    if (T > 1) {
#pragma omp parallel for num_threads(T) reduction(| : all_or) reduction(& : all_and)
        for (size_t i = 0; i < n; i++) {
            uint64_t k = key_at(a + i * size, key_off, wide);
            all_or |= k;
            all_and &= k;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint64_t k = key_at(a + i * size, key_off, wide);
            all_or |= k;
            all_and &= k;
            for (int d = 0; d < N_DIGITS; d++)
                count[(size_t)d * N_BUCKETS + ((k >> (d * DIGIT_BITS)) & (N_BUCKETS - 1))]++;
        }
    }
    uint64_t varies = all_or ^ all_and;
    if (varies == 0) {
        free(count);
        return E_OK;
    }
    int direct = size <= 32;
    size_t rec = direct ? size : sizeof(struct kv);
    if (n > SIZE_MAX / 2 / (rec > size ? rec : size)) {
        free(count);
        return ERR(e, E_NOMEM, "sort of %zu records is too large", n);
    }
    /* direct: one scratch copy of the records; else two arrays of pairs */
    unsigned char *tmp = malloc(n * rec * (direct ? 1 : 2));
    if (!tmp) {
        free(count);
        return ERR(e, E_NOMEM, "out of memory while sorting %zu records", n);
    }
    mem_populate(tmp, n * rec * (direct ? 1 : 2));
    unsigned char *out = NULL;
    if (!direct) {
        /* the records gathered in their final order, then copied back */
        out = malloc(n * size);
        if (!out) {
            free(tmp);
            free(count);
            return ERR(e, E_NOMEM, "out of memory while sorting %zu records", n);
        }
        mem_populate(out, n * size);
    }
    if (T > 1) {
        radix_passes_par(a, n, size, key_off, wide, varies, direct, tmp, count, out, T);
        free(out);
        free(tmp);
        free(count);
        return E_OK;
    }
    unsigned char *src, *dst;
    if (direct) {
        src = a;
        dst = tmp;
    } else {
        struct kv *kv = (struct kv *)tmp;
        for (size_t i = 0; i < n; i++) {
            kv[i].key = key_at(a + i * size, key_off, wide);
            kv[i].idx = i;
        }
        src = tmp;
        dst = tmp + n * rec;
    }
    for (int d = 0; d < N_DIGITS; d++) {
        int shift = d * DIGIT_BITS;
        if (((varies >> shift) & (N_BUCKETS - 1)) == 0)
            continue;
        size_t *c = count + (size_t)d * N_BUCKETS;
        prefix(c);
        if (direct)
            scatter_any(src, dst, n, size, key_off, wide, shift, c);
        else
            scatter_any(src, dst, n, sizeof(struct kv), offsetof(struct kv, key), 1, shift, c);
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    int st = E_OK;
    if (direct) {
        if (src != a)
            memcpy(a, src, n * size);
    } else {
        /* src holds the sorted pairs */
        gather(a, out, (const struct kv *)src, n, size);
        memcpy(a, out, n * size);
        free(out);
    }
    free(tmp);
    free(count);
    return st;
}
