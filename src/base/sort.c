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
 * (radix_passes_par).  Keys found in order by the first pass end the sort
 * there.  The array of pairs not holding the result is freed before the
 * records are gathered, so a sort of wide records needs the records, one
 * array of pairs and the gathered copy at most; the _owned variants keep
 * that copy instead of copying it back.
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

static int radix_sort(void **basep, int owned, size_t n, size_t size, size_t key_off, int wide,
                      struct err *e);

int radix_sort_u64(void *base, size_t n, size_t size, size_t key_off, struct err *e)
{
    return radix_sort(&base, 0, n, size, key_off, 1, e);
}

int radix_sort_u32(void *base, size_t n, size_t size, size_t key_off, struct err *e)
{
    return radix_sort(&base, 0, n, size, key_off, 0, e);
}

int radix_sort_u64_owned(void **base, size_t n, size_t size, size_t key_off, struct err *e)
{
    return radix_sort(base, 1, n, size, key_off, 1, e);
}

int radix_sort_u32_owned(void **base, size_t n, size_t size, size_t key_off, struct err *e)
{
    return radix_sort(base, 1, n, size, key_off, 0, e);
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
 * and the result is the stable order, the same at any thread count.  Wide
 * records: each thread first fills its slice of the pairs (key, index) in
 * src.  Returns the array holding the sorted records or pairs: src or dst. */
static unsigned char *radix_passes_par(const unsigned char *a, size_t n, size_t size,
                                       size_t key_off, int wide, uint64_t varies, int direct,
                                       unsigned char *src, unsigned char *dst, size_t *count,
                                       int T)
{
    size_t rec = direct ? size : sizeof(struct kv);
    unsigned char *fin = NULL;
#pragma omp parallel num_threads(T)
    {
        int t = omp_get_thread_num();
        size_t lo = n * (size_t)t / (size_t)T, hi = n * (size_t)(t + 1) / (size_t)T;
        size_t *c = count + (size_t)t * N_BUCKETS;
        unsigned char *s = src, *d_ = dst;
        if (!direct) {
            struct kv *kv = (struct kv *)s;
            for (size_t i = lo; i < hi; i++) {
                kv[i].key = key_at(a + i * size, key_off, wide);
                kv[i].idx = i;
            }
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
                c[(key_at(s + i * rec, koff, kwide) >> shift) & (N_BUCKETS - 1)]++;
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
            scatter_any(s + lo * rec, d_, hi - lo, rec, koff, kwide, shift, c);
            unsigned char *sw = s;
            s = d_;
            d_ = sw;
        }
#pragma omp single
        fin = s;
    }
    return fin;
}

/* The passes on one thread (counts: the four histograms of the first
 * pass).  Returns src or dst, as radix_passes_par(). */
static unsigned char *radix_passes(const unsigned char *a, size_t n, size_t size, size_t key_off,
                                   int wide, uint64_t varies, int direct, unsigned char *src,
                                   unsigned char *dst, size_t *count)
{
    if (!direct) {
        struct kv *kv = (struct kv *)src;
        for (size_t i = 0; i < n; i++) {
            kv[i].key = key_at(a + i * size, key_off, wide);
            kv[i].idx = i;
        }
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
    return src;
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

/* n * size bytes from malloc, to be written end to end; NULL if out of
 * memory. */
static unsigned char *scratch(size_t n, size_t size)
{
    unsigned char *p = malloc(n * size);
    if (p)
        mem_populate(p, n * size);
    return p;
}

/* Long because the first pass, the choice of passes and the two ways of
 * ending (records sorted where they lie, or gathered by the sorted pairs;
 * the result left in a new array or copied back) share their buffers;
 * split, each part would take most of the locals. */
static int radix_sort(void **basep, int owned, size_t n, size_t size, size_t key_off, int wide,
                      struct err *e)
{
    if (n < 2)
        return E_OK;
    unsigned char *a = *basep;
    if (n <= SMALL_SORT && size <= SMALL_REC) {
        insertion_sort(a, n, size, key_off, wide);
        return E_OK;
    }
    int T = sort_threads(n);
    size_t *count = calloc((size_t)(T > N_DIGITS ? T : N_DIGITS) * N_BUCKETS, sizeof *count);
    if (!count)
        return ERR(e, E_NOMEM, "out of memory while sorting %zu records", n);
    /* the first pass: the bits that vary, and whether the keys are in
     * order already (members arrive by household, many feeds by person):
     * then the stable sort changes nothing and needs no scratch */
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    int sorted = 1;
    if (T > 1) {
#pragma omp parallel for num_threads(T) reduction(| : all_or) reduction(& : all_and) \
    reduction(&& : sorted)
        for (size_t i = 0; i < n; i++) {
            uint64_t k = key_at(a + i * size, key_off, wide);
            all_or |= k;
            all_and &= k;
            sorted = sorted && (i == 0 || key_at(a + (i - 1) * size, key_off, wide) <= k);
        }
    } else {
        uint64_t prev = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t k = key_at(a + i * size, key_off, wide);
            all_or |= k;
            all_and &= k;
            sorted &= k >= prev;
            prev = k;
            for (int d = 0; d < N_DIGITS; d++)
                count[(size_t)d * N_BUCKETS + ((k >> (d * DIGIT_BITS)) & (N_BUCKETS - 1))]++;
        }
    }
    uint64_t varies = all_or ^ all_and;
    if (varies == 0 || sorted) {
        free(count);
        return E_OK;
    }
    int direct = size <= 32;
    size_t rec = direct ? size : sizeof(struct kv);
    if (n > SIZE_MAX / 2 / (rec > size ? rec : size)) {
        free(count);
        return ERR(e, E_NOMEM, "sort of %zu records is too large", n);
    }
    /* direct: the records and one scratch copy; else two arrays of pairs */
    unsigned char *s0 = direct ? a : scratch(n, rec), *s1 = scratch(n, rec), *out = NULL;
    int st = E_OK;
    if (!s0 || !s1) {
        st = ERR(e, E_NOMEM, "out of memory while sorting %zu records", n);
        goto done;
    }
    unsigned char *res = T > 1 ? radix_passes_par(a, n, size, key_off, wide, varies, direct, s0,
                                                  s1, count, T)
                               : radix_passes(a, n, size, key_off, wide, varies, direct, s0, s1,
                                              count);
    if (direct) {
        out = res == a ? NULL : res;   /* the sorted records, unless in a */
    } else {
        /* the pairs that are not the result go before the records are
         * gathered in their final order into an array of their own */
        unsigned char *spare = res == s0 ? s1 : s0;
        free(spare);
        if (spare == s0)
            s0 = NULL;
        else
            s1 = NULL;
        out = scratch(n, size);
        if (!out) {
            st = ERR(e, E_NOMEM, "out of memory while sorting %zu records", n);
            goto done;
        }
        const struct kv *kv = (const struct kv *)res;
        if (T > 1) {
#pragma omp parallel num_threads(T)
            {
                int t = omp_get_thread_num();
                size_t lo = n * (size_t)t / (size_t)T, hi = n * (size_t)(t + 1) / (size_t)T;
                gather(a, out + lo * size, kv + lo, hi - lo, size);
            }
        } else {
            gather(a, out, kv, n, size);
        }
    }
    if (out && owned) {
        /* the sorted array is the caller's now, the first one goes */
        *basep = out;
        free(a);
    } else if (out) {
        if (T > 1) {
#pragma omp parallel for num_threads(T) schedule(static)
            for (int t = 0; t < T; t++) {
                size_t lo = n * (size_t)t / (size_t)T, hi = n * (size_t)(t + 1) / (size_t)T;
                memcpy(a + lo * size, out + lo * size, (hi - lo) * size);
            }
        } else {
            memcpy(a, out, n * size);
        }
        free(out);
    }
    if (direct && out)
        s1 = NULL;   /* it was out */
done:
    if (!direct)
        free(s0);
    free(s1);
    free(count);
    return st;
}
