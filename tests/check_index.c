/* check_index.c - unit tests for index.c and the hukou_no code (model.c).
 *
 * Owns: the index suite.  Tests only through index.h and model.h:
 * keyidx over sorted keys with zeros and runs (against a direct count),
 * over grouped unsorted keys, and the report of a key split in two runs,
 * keyidx_group moving rows into groups (against the input, and by hand),
 * u64map and stridx put/get across growth, and hukou_no_code's promise
 * that distinct strings get distinct codes and non-digit strings none.
 */
#include <stddef.h>
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

/* keyidx_group() on rows of 24 bytes (key, input position, filler) whose
 * keys come in runs, some keys split over two or more runs, some zero:
 * every key's rows end up as its indexed run, in input order; the rows
 * are a permutation of the input (filler intact); the keys of one run
 * keep their order of runs and come first, each ahead of every split key;
 * zero rows are in no run; grouped input is not moved at all. */
struct grow {
    uint64_t key;
    uint32_t pos, fill;
    uint64_t check;
};

/* Row-by-row checks: ck_assert marks a point (a write to the runner)
 * on every call, too slow for 200 000 rows; these call it on failure. */
#define REQUIRE(c)                                                                   \
    do {                                                                             \
        if (!(c))                                                                    \
            ck_assert_msg(0, "%s", #c);                                              \
    } while (0)
#define REQUIRE_EQ(a, b) REQUIRE((uint64_t)(a) == (uint64_t)(b))
#define REQUIRE_LT(a, b) REQUIRE((uint64_t)(a) < (uint64_t)(b))

static void check_grouped(const struct grow *in, const struct grow *out, size_t n,
                          const struct keyidx *ix, int none_split)
{
    char *seen = calloc(n ? n : 1, 1);
    ck_assert_ptr_nonnull(seen);
    size_t indexed = 0, first_split = n;
    for (size_t i = 0; i < n; i++) {
        uint32_t p = out[i].pos;
        REQUIRE_LT(p, n);
        REQUIRE(!seen[p]);   /* a permutation */
        seen[p] = 1;
        REQUIRE_EQ(out[i].key, in[p].key);
        REQUIRE_EQ(out[i].fill, in[p].fill);
        REQUIRE_EQ(out[i].check, in[p].check);
        if (none_split)
            REQUIRE_EQ(p, i);
    }
    /* each key: one run, as indexed, in input order; split keys last */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && out[j].key == out[i].key)
            j++;
        struct keyidx_slot sl = keyidx_get(ix, out[i].key);
        if (out[i].key == 0) {
            REQUIRE_EQ(sl.count, 0);
            REQUIRE(first_split == n);   /* zero rows stay with the unsplit */
        } else {
            REQUIRE_EQ(sl.first, i);
            REQUIRE_EQ(sl.count, j - i);
            indexed += j - i;
            for (size_t k = i + 1; k < j; k++)
                REQUIRE_LT(out[k - 1].pos, out[k].pos);
            /* split in the input: a row of another key between two of its */
            int split = out[j - 1].pos - out[i].pos != j - 1 - i;
            if (split && first_split == n)
                first_split = i;
            if (!split)
                REQUIRE(first_split == n);   /* no unsplit key after a split one */
        }
        i = j;
    }
    /* the rows that stay (zero keys too) keep their input order */
    for (size_t i = 1; i < first_split; i++)
        REQUIRE_LT(out[i - 1].pos, out[i].pos);
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i++)
        nonzero += in[i].key != 0;
    REQUIRE_EQ(indexed, nonzero);
    free(seen);
}

START_TEST(test_keyidx_group)
{
    static const size_t sizes[] = {0, 1, 2, 3, 50, 5000, 200000};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        size_t n = sizes[t];
        for (int split = 0; split <= 1; split++) {
            struct grow *in = malloc((n ? n : 1) * sizeof *in);
            struct grow *rows = malloc((n ? n : 1) * sizeof *rows);
            ck_assert(in && rows);
            uint64_t s = 0xBADC0DEu + t * 2 + (uint64_t)split;
            /* keys from a pool of about n/3; unsplit: each run a new key */
            size_t pool = n / 3 + 1;
            for (size_t i = 0; i < n;) {
                uint64_t v;
                if (rng(&s) % 9 == 0)
                    v = 0;
                else if (split)
                    v = ((rng(&s) % pool) * UINT64_C(0x9E3779B97F4A7C15)) | 1;
                else
                    v = (((uint64_t)i << 20) * UINT64_C(0x9E3779B97F4A7C15)) | 1;
                size_t run = 1 + (size_t)(rng(&s) % 4);
                for (size_t r = 0; r < run && i < n; r++, i++) {
                    in[i].key = v;
                    in[i].pos = (uint32_t)i;
                    in[i].fill = (uint32_t)rng(&s);
                    in[i].check = rng(&s);
                }
            }
            memcpy(rows, in, n * sizeof *in);
            struct keyidx ix;
            struct err e;
            err_init(&e);
            ck_assert_int_eq(keyidx_group(&ix, rows, sizeof *rows, offsetof(struct grow, key), n,
                                          &e),
                             E_OK);
            check_grouped(in, rows, n, &ix, !split);
            keyidx_free(&ix);
            free(in);
            free(rows);
        }
    }
}
END_TEST

/* Two runs of one key with the other rows between them, by hand: the
 * order the header promises, exactly. */
START_TEST(test_keyidx_group_small)
{
    /* keys A B A C 0 B D, positions 0..6: A and B are split */
    enum { A = 11, B = 13, C = 15, D = 17 };
    static const uint64_t keys[] = {A, B, A, C, 0, B, D};
    struct grow rows[7];
    for (uint32_t i = 0; i < 7; i++)
        rows[i] = (struct grow){keys[i], i, 0, 0};
    struct keyidx ix;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(keyidx_group(&ix, rows, sizeof *rows, offsetof(struct grow, key), 7, &e),
                     E_OK);
    /* C 0 D slide to the front, then A's and B's groups in table order */
    ck_assert_uint_eq(rows[0].pos, 3);
    ck_assert_uint_eq(rows[1].pos, 4);
    ck_assert_uint_eq(rows[2].pos, 6);
    struct keyidx_slot a = keyidx_get(&ix, A), b = keyidx_get(&ix, B);
    ck_assert_uint_eq(a.count, 2);
    ck_assert_uint_eq(b.count, 2);
    ck_assert(a.first == 3 || a.first == 5);
    ck_assert_uint_eq(b.first, a.first == 3 ? 5 : 3);
    ck_assert_uint_eq(rows[a.first].pos, 0);
    ck_assert_uint_eq(rows[a.first + 1].pos, 2);
    ck_assert_uint_eq(rows[b.first].pos, 1);
    ck_assert_uint_eq(rows[b.first + 1].pos, 5);
    ck_assert_uint_eq(keyidx_get(&ix, C).first, 0);
    ck_assert_uint_eq(keyidx_get(&ix, D).first, 2);
    ck_assert_uint_eq(ix.n, 4);
    keyidx_free(&ix);
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
    tcase_add_test(tc, test_keyidx_group);
    tcase_add_test(tc, test_keyidx_group_small);
    tcase_add_test(tc, test_u64map_put_get_grow);
    tcase_add_test(tc, test_stridx_put_get_grow);
    tcase_add_test(tc, test_hukou_no_code);
    suite_add_tcase(s, tc);
    return s;
}
