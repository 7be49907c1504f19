/* check_sort.c - unit tests for sort.c (stable LSD radix sort).
 *
 * Owns: the sort suite.  Tests through sort.h and contract/model.h's
 * vec_sort (an array of the vec's own may be replaced by the sorted copy,
 * a borrowed one sorted where it lies): records of every size
 * class (the direct scatter up to 32 bytes, key-index pairs and the gather
 * above), keys with many ties and digits that do or do not
 * vary, against a reference order computed here by insertion sort on
 * (key, original position).
 */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sort.h"
#include "contract/model.h"
#include "tests.h"

/* A record of `size` bytes: key at key_off (8 or 4 bytes), its original
 * position as uint32 at pos_off, every other byte derived from the position
 * so that a record torn apart or mixed with another is noticed. */
static void make_rec(unsigned char *r, size_t size, size_t key_off, int wide, uint64_t key,
                     uint32_t pos, size_t pos_off)
{
    for (size_t b = 0; b < size; b++)
        r[b] = (unsigned char)(pos * 31u + b * 7u);
    if (wide)
        memcpy(r + key_off, &key, 8);
    else {
        uint32_t k = (uint32_t)key;
        memcpy(r + key_off, &k, 4);
    }
    memcpy(r + pos_off, &pos, 4);
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* How check_one sorts: radix_sort_u64/u32, or vec_sort of a vec owning
 * the array, or of a borrowed one. */
enum via { VIA_SORT, VIA_VEC_OWNED, VIA_VEC_BORROWED };

/* Sort n records of `size` bytes and compare with the reference. */
static void check_one_via(size_t n, size_t size, int wide, uint64_t key_mask, uint64_t seed,
                          enum via via)
{
    size_t key_off = size >= 16 ? 8 : 0, pos_off = size >= 16 ? 0 : (wide ? 8 : 4);
    ck_assert_uint_ge(size, pos_off + 4);
    /* room for 8 more: a vec's capacity beyond its rows (vec_sort) */
    unsigned char *a = malloc((n + 8) * size), *want = malloc(n * size);
    uint64_t *keys = malloc(n * sizeof *keys);
    uint32_t *order = malloc(n * sizeof *order);
    ck_assert(a && want && keys && order);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        keys[i] = rng(&s) & key_mask;
        if (!wide)
            keys[i] &= 0xFFFFFFFFu;
        make_rec(a + i * size, size, key_off, wide, keys[i], (uint32_t)i, pos_off);
    }
    /* reference: positions ordered by (key, position), insertion sort */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && keys[order[j - 1]] > keys[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = (uint32_t)i;
    }
    for (size_t j = 0; j < n; j++)
        make_rec(want + j * size, size, key_off, wide, keys[order[j]], order[j], pos_off);
    struct err e;
    err_init(&e);
    int rc;
    if (via == VIA_SORT) {
        rc = wide ? radix_sort_u64(a, n, size, key_off, &e)
                  : radix_sort_u32(a, n, size, key_off, &e);
    } else {
        struct vec v = {a, n, n + 8, via == VIA_VEC_BORROWED};
        rc = vec_sort(&v, size, key_off, wide, &e);
        ck_assert_uint_eq(v.n, n);
        if (via == VIA_VEC_BORROWED)
            ck_assert_ptr_eq(v.v, a);   /* never replaced */
        else if (v.v != a)
            ck_assert_uint_eq(v.cap, n);   /* the sort's copy, exactly n records */
        a = v.v;
    }
    ck_assert_msg(rc == E_OK, "%s", e.msg);
    for (size_t j = 0; j < n; j++)
        ck_assert_msg(memcmp(a + j * size, want + j * size, size) == 0,
                      "n %zu size %zu wide %d mask %llx: slot %zu differs", n, size, wide,
                      (unsigned long long)key_mask, j);
    free(a);
    free(want);
    free(keys);
    free(order);
}

static void check_one(size_t n, size_t size, int wide, uint64_t key_mask, uint64_t seed)
{
    for (int via = VIA_SORT; via <= VIA_VEC_BORROWED; via++)
        check_one_via(n, size, wide, key_mask, seed, (enum via)via);
}

static const size_t sizes[] = {8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 12};

START_TEST(test_sizes_and_ties)
{
    size_t size = sizes[_i];
    for (int wide = 0; wide <= 1; wide++) {
        if (size < (size_t)(wide ? 12 : 8))
            continue;
        /* many ties (3 bits), one varying digit, all four digits, none */
        check_one(2000, size, wide, 0x7, 11 + (uint64_t)_i);
        check_one(2000, size, wide, 0xFFFF0000u, 12 + (uint64_t)_i);
        check_one(3000, size, wide, ~(uint64_t)0, 13 + (uint64_t)_i);
        check_one(500, size, wide, 0, 14 + (uint64_t)_i);
        check_one(1, size, wide, ~(uint64_t)0, 15);
        check_one(2, size, wide, ~(uint64_t)0, 16);
        /* the insertion sort of few records (sort.c SMALL_SORT) and just past it */
        check_one(7, size, wide, 0x3, 17);
        check_one(48, size, wide, 0x7, 18);
        check_one(49, size, wide, 0x7, 19);
    }
}
END_TEST

/* Already sorted and reversed inputs of wide records. */
START_TEST(test_sorted_and_reversed)
{
    for (int rev = 0; rev < 2; rev++) {
        size_t n = 1001, size = 72;
        unsigned char *a = malloc(n * size);
        ck_assert_ptr_nonnull(a);
        for (size_t i = 0; i < n; i++)
            make_rec(a + i * size, size, 8, 1, rev ? n - i : i, (uint32_t)i, 0);
        struct err e;
        err_init(&e);
        ck_assert_int_eq(radix_sort_u64(a, n, size, 8, &e), E_OK);
        for (size_t j = 0; j < n; j++) {
            size_t from = rev ? n - 1 - j : j;
            unsigned char r[72];
            make_rec(r, size, 8, 1, rev ? n - from : from, (uint32_t)from, 0);
            ck_assert_msg(memcmp(a + j * size, r, size) == 0, "rev %d slot %zu", rev, j);
        }
        free(a);
    }
}
END_TEST

/* Tables large enough for the parallel passes (sorted outside a parallel
 * region): the same bytes at 1, 2 and 3 threads, sorted by key, stable,
 * and every record still there once.  72-byte records take the pairs and
 * the gather, 24-byte ones the direct scatter; one run has a key with few
 * bits (long runs of ties across the threads' slices). */
START_TEST(test_parallel_same_as_serial)
{
    static const size_t sizes_p[] = {24, 72};
    for (size_t si = 0; si < 2; si++)
        for (int few = 0; few <= 1; few++) {
            size_t size = sizes_p[si], n = 300001;
            unsigned char *a[3];
            uint64_t s = 77 + si * 2 + (uint64_t)few;
            a[0] = malloc(n * size);
            ck_assert_ptr_nonnull(a[0]);
            for (size_t i = 0; i < n; i++) {
                uint64_t k = rng(&s) & (few ? 0x30003u : 0x0FFFFFFFFFFFFFFFu);
                make_rec(a[0] + i * size, size, 8, 1, k, (uint32_t)i, 0);
            }
            for (int t = 1; t < 3; t++) {
                a[t] = malloc(n * size);
                ck_assert_ptr_nonnull(a[t]);
                memcpy(a[t], a[0], n * size);
            }
            int saved = omp_get_max_threads();
            for (int t = 0; t < 3; t++) {
                omp_set_num_threads(t + 1);
                struct err e;
                err_init(&e);
                ck_assert_int_eq(radix_sort_u64(a[t], n, size, 8, &e), E_OK);
            }
            omp_set_num_threads(saved);
            ck_assert(memcmp(a[0], a[1], n * size) == 0);
            ck_assert(memcmp(a[0], a[2], n * size) == 0);
            /* one assertion at the end: check logs every passing one */
            unsigned char *seen = calloc(n, 1);
            ck_assert_ptr_nonnull(seen);
            size_t bad = 0, first_bad = 0;
            for (size_t j = 0; j < n; j++) {
                const unsigned char *r = a[0] + j * size;
                uint64_t k;
                uint32_t pos;
                memcpy(&k, r + 8, 8);
                memcpy(&pos, r, 4);
                int ok = pos < n && !seen[pos];
                if (ok) {
                    seen[pos] = 1;
                    unsigned char want[72];
                    make_rec(want, size, 8, 1, k, pos, 0);
                    ok = memcmp(r, want, size) == 0;
                }
                if (ok && j > 0) {
                    uint64_t k0;
                    uint32_t p0;
                    memcpy(&k0, r - size + 8, 8);
                    memcpy(&p0, r - size, 4);
                    ok = k0 < k || (k0 == k && p0 < pos);
                }
                if (!ok && bad++ == 0)
                    first_bad = j;
            }
            ck_assert_msg(bad == 0, "size %zu few %d: %zu slots wrong, first %zu", size, few,
                          bad, first_bad);
            free(seen);
            for (int t = 0; t < 3; t++)
                free(a[t]);
        }
}
END_TEST

Suite *sort_suite(void)
{
    Suite *s = suite_create("sort");
    TCase *tc = tcase_create("radix");
    tcase_add_loop_test(tc, test_sizes_and_ties, 0, (int)(sizeof sizes / sizeof *sizes));
    tcase_add_test(tc, test_sorted_and_reversed);
    tcase_add_test(tc, test_parallel_same_as_serial);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
