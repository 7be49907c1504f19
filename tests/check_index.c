/* check_index.c - unit tests for index.c and the hukou_no code (model.c).
 *
 * Owns: the index suite.  Tests only through index.h and model.h:
 * keyidx over sorted keys with zeros and runs (against a direct count),
 * over grouped unsorted keys, and the report of a key split in two runs,
 * u64map and stridx put/get across growth, and hukou_no_code's promise
 * that distinct strings get distinct codes and non-digit strings none.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/index.h"
#include "contract/model.h"
#include "tests.h"

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted keys with leading zeros and runs of 1..5; every key's run found
 * exactly, absent keys and 0 not found.  Large enough that the prefetch
 * distance and the table wrap-around both matter. */
START_TEST(test_keyidx_runs)
{
    static const size_t sizes[] = {0, 1, 2, 17, 1000, 100000};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        size_t n = sizes[t];
        uint64_t *k = malloc((n ? n : 1) * sizeof *k);
        ck_assert_ptr_nonnull(k);
        uint64_t s = 0x9E3779B97F4A7C15u + t;
        for (size_t i = 0; i < n;) {
            uint64_t v = i < n / 10 ? 0 : (rng(&s) >> 4) | 1;
            size_t run = 1 + (size_t)(rng(&s) % 5);
            for (size_t r = 0; r < run && i < n; r++)
                k[i++] = v;
        }
        qsort(k, n, sizeof *k, cmp_u64);
        struct keyidx ix;
        struct err e;
        err_init(&e);
        ck_assert_int_eq(keyidx_build(&ix, k, sizeof *k, n, &e), E_OK);
        size_t distinct = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && k[j] == k[i])
                j++;
            struct keyidx_slot sl = keyidx_get(&ix, k[i]);
            if (k[i] == 0) {
                ck_assert_uint_eq(sl.count, 0);
            } else {
                distinct++;
                ck_assert_uint_eq(sl.key, k[i]);
                ck_assert_uint_eq(sl.first, i);
                ck_assert_uint_eq(sl.count, j - i);
            }
            i = j;
        }
        ck_assert_uint_eq(ix.n, distinct);
        /* keys not in the table: even numbers never occur above */
        for (int q = 0; q < 100; q++)
            ck_assert_uint_eq(keyidx_get(&ix, (rng(&s) | 2) & ~(uint64_t)1).count, 0);
        keyidx_free(&ix);
        free(k);
    }
}
END_TEST

/* u64map: first put inserts, a second returns the stored value; it grows
 * from a tiny start without losing an entry. */
/* Grouped but unsorted keys (runs in random key order, zero runs between
 * them): keyidx_build_runs() finds every run where it lies, zero rows are
 * in no run; the same keys with one key split in two runs are reported
 * not grouped (and keyidx_build() refuses them). */
START_TEST(test_keyidx_grouped)
{
    static const size_t sizes[] = {1, 2, 50, 5000, 100000};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        size_t n = sizes[t];
        uint64_t *k = malloc(n * sizeof *k);
        ck_assert_ptr_nonnull(k);
        uint64_t s = 0xC0FFEEu + t;
        for (size_t i = 0; i < n;) {
            /* distinct odd keys (i is strictly increasing), some zero runs */
            uint64_t v = rng(&s) % 7 == 0 ? 0 : ((uint64_t)i << 20 | (rng(&s) & 0xFFFFF)) | 1;
            size_t run = 1 + (size_t)(rng(&s) % 4);
            for (size_t r = 0; r < run && i < n; r++)
                k[i++] = v;
        }
        /* shuffle the order of the key values without splitting runs:
         * reverse the bits' order of significance is enough to unsort */
        for (size_t i = 0; i < n; i++)
            if (k[i])
                k[i] = (k[i] * UINT64_C(0x9E3779B97F4A7C15)) | 1;
        struct keyidx ix;
        struct err e;
        err_init(&e);
        int grouped = -1;
        ck_assert_int_eq(keyidx_build_runs(&ix, k, sizeof *k, n, &grouped, &e), E_OK);
        ck_assert_int_eq(grouped, 1);
        size_t runs = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && k[j] == k[i])
                j++;
            struct keyidx_slot sl = keyidx_get(&ix, k[i]);
            if (k[i] == 0) {
                ck_assert_uint_eq(sl.count, 0);
            } else {
                ck_assert_uint_eq(sl.first, i);
                ck_assert_uint_eq(sl.count, j - i);
                runs++;
            }
            i = j;
        }
        ck_assert_uint_eq(ix.n, runs);
        keyidx_free(&ix);
        /* split the first non-zero run's key: put it again at the end,
         * after a row of another key */
        size_t f = 0;
        while (f < n && k[f] == 0)
            f++;
        if (f < n && n >= 3 && k[n - 2] != k[f]) {
            k[n - 1] = k[f];
            grouped = -1;
            ck_assert_int_eq(keyidx_build_runs(&ix, k, sizeof *k, n, &grouped, &e), E_OK);
            ck_assert_int_eq(grouped, 0);
            ck_assert_ptr_null(ix.slots);
            ck_assert_int_eq(keyidx_build(&ix, k, sizeof *k, n, &e), E_INTERNAL);
        }
        free(k);
    }
}
END_TEST

START_TEST(test_u64map_put_get_grow)
{
    struct u64map m;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(u64map_init(&m, 1, &e), E_OK);
    enum { N = 50000 };
    for (uint32_t i = 0; i < N; i++) {
        uint64_t key = (uint64_t)i * 1000003u + 1;
        u64map_prefetch(&m, key);
        uint32_t ex = 0;
        ck_assert_int_eq(u64map_put(&m, key, i, &ex), 0);
        ck_assert_int_eq(u64map_put(&m, key, i + 7, &ex), 1);
        ck_assert_uint_eq(ex, i);
    }
    ck_assert_uint_eq(m.n, N);
    ck_assert_uint_ge(m.mask + 1, 2 * N);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t v = 0;
        ck_assert_int_eq(u64map_get(&m, (uint64_t)i * 1000003u + 1, &v), 1);
        ck_assert_uint_eq(v, i);
        ck_assert_int_eq(u64map_get(&m, (uint64_t)i * 1000003u + 2, &v), 0);
    }
    uint32_t v;
    ck_assert_int_eq(u64map_get(&m, 0, &v), 0);
    u64map_free(&m);
    ck_assert_int_eq(u64map_get(&m, 1, &v), 0);   /* freed map: empty */
}
END_TEST

START_TEST(test_stridx_put_get_grow)
{
    struct stridx ix;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(stridx_init(&ix, 1, &e), E_OK);
    enum { N = 5000 };
    static char buf[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(buf[i], sizeof buf[i], "HK%d", i);
        uint32_t ex;
        ck_assert_int_eq(stridx_put(&ix, buf[i], (uint32_t)i, &ex), 0);
    }
    for (int i = 0; i < N; i++) {
        char probe[16];
        snprintf(probe, sizeof probe, "HK%d", i);   /* a different pointer */
        uint32_t v = 0, ex = 0;
        ck_assert_int_eq(stridx_get(&ix, probe, &v), 1);
        ck_assert_uint_eq(v, (uint32_t)i);
        ck_assert_int_eq(stridx_put(&ix, probe, 1, &ex), 1);
        ck_assert_uint_eq(ex, (uint32_t)i);
    }
    uint32_t v;
    ck_assert_int_eq(stridx_get(&ix, "HK-1", &v), 0);
    stridx_free(&ix);
}
END_TEST

/* Every digit string up to 4 long gets a distinct non-zero code; the
 * ranges of lengths 17, 18 do not meet; no code beyond 18 digits or with
 * anything but a digit. */
START_TEST(test_hukou_no_code)
{
    enum { MAXC = 11110 };   /* 10 + 100 + 1000 + 10000 strings */
    uint64_t *seen = malloc(MAXC * sizeof *seen);
    ck_assert_ptr_nonnull(seen);
    size_t n = 0;
    char s[16];
    for (int len = 1; len <= 4; len++) {
        int lim = 1;
        for (int i = 0; i < len; i++)
            lim *= 10;
        for (int v = 0; v < lim; v++) {
            snprintf(s, sizeof s, "%0*d", len, v);
            uint64_t c = hukou_no_code(s);
            ck_assert_uint_ne(c, 0);
            seen[n++] = c;
        }
    }
    ck_assert_uint_eq(n, MAXC);
    qsort(seen, n, sizeof *seen, cmp_u64);
    for (size_t i = 1; i < n; i++)
        ck_assert_uint_ne(seen[i], seen[i - 1]);
    free(seen);

    ck_assert_uint_ne(hukou_no_code("012"), hukou_no_code("12"));
    ck_assert_uint_ne(hukou_no_code("0"), hukou_no_code("00"));
    uint64_t max17 = hukou_no_code("99999999999999999");
    uint64_t min18 = hukou_no_code("000000000000000000");
    uint64_t max18 = hukou_no_code("999999999999999999");
    ck_assert_uint_eq(min18, max17 + 1);
    ck_assert_uint_lt(max18, UINT64_C(1) << 61);
    ck_assert_uint_eq(hukou_no_code("1234567890123456789"), 0);
    ck_assert_uint_eq(hukou_no_code(""), 0);
    ck_assert_uint_eq(hukou_no_code("HK12"), 0);
    ck_assert_uint_eq(hukou_no_code("12 "), 0);
    ck_assert_uint_eq(hukou_no_code("1-2"), 0);
    ck_assert_uint_eq(hukou_no_code("\xef\xbc\x91"), 0);   /* fullwidth 1 */

    /* hukou_same_no: by code when either has one, by text otherwise */
    struct hukou a = {0}, b = {0};
    a.hukou_no = "012";
    b.hukou_no = "12";
    a.no_code = hukou_no_code(a.hukou_no);
    b.no_code = hukou_no_code(b.hukou_no);
    ck_assert(!hukou_same_no(&a, &b));
    b.hukou_no = "012";
    b.no_code = hukou_no_code(b.hukou_no);
    ck_assert(hukou_same_no(&a, &b));
    a.hukou_no = "HK1";
    a.no_code = 0;
    ck_assert(!hukou_same_no(&a, &b));
    b.hukou_no = "HK1";
    b.no_code = 0;
    ck_assert(hukou_same_no(&a, &b));
}
END_TEST

Suite *index_suite(void)
{
    Suite *s = suite_create("index");
    TCase *tc = tcase_create("index");
    tcase_add_test(tc, test_keyidx_runs);
    tcase_add_test(tc, test_keyidx_grouped);
    tcase_add_test(tc, test_u64map_put_get_grow);
    tcase_add_test(tc, test_stridx_put_get_grow);
    tcase_add_test(tc, test_hukou_no_code);
    suite_add_tcase(s, tc);
    return s;
}
