/* check_fastpath.c - the loader's fast path splits lines exactly as libcsv.
 *
 * load_split_simple() handles lines without quotes; libcsv is the
 * reference.  Random lines over an alphabet rich in separators, spaces,
 * tabs, CRs and quotes are split both ways; whenever the fast path accepts
 * a line, the fields must be byte-identical to libcsv's (strict mode, the
 * options the loader uses).  Deterministic: a fixed xorshift seed. */
#include <csv.h>
#include <stdint.h>
#include <string.h>

#include "engine/load.h"
#include "tests.h"

struct ref {
    char f[64][64];
    size_t len[64];
    int nf, rows;
};

static void cb1(void *s, size_t len, void *data)
{
    struct ref *r = data;
    if (r->nf < 64 && len < 64) {
        memcpy(r->f[r->nf], s, len);
        r->len[r->nf] = len;
    }
    r->nf++;
}

static void cb2(int c, void *data)
{
    (void)c;
    ((struct ref *)data)->rows++;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)rng;
}

START_TEST(test_fastpath_matches_libcsv)
{
    static const char alphabet[] = "ab,, \t\t\r\"x9张";
    int accepted = 0, compared = 0;
    for (int iter = 0; iter < 200000; iter++) {
        char line[48];
        size_t n = next() % 24;
        for (size_t i = 0; i < n; i++)
            line[i] = alphabet[next() % (sizeof alphabet - 1)];
        size_t starts[64], lens[64];
        int k = load_split_simple(line, n, starts, lens, 64);
        if (k < 0)
            continue;
        accepted++;
        struct csv_parser p;
        ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
        struct ref r;
        memset(&r, 0, sizeof r);
        char buf[50];
        memcpy(buf, line, n);
        buf[n] = '\n';
        size_t used = csv_parse(&p, buf, n + 1, cb1, cb2, &r);
        ck_assert_uint_eq(used, n + 1);
        csv_fini(&p, cb1, cb2, &r);
        csv_free(&p);
        if (k == 0) {
            ck_assert_msg(r.rows == 0, "blank line '%.*s': libcsv made %d rows", (int)n, line,
                          r.rows);
            continue;
        }
        ck_assert_msg(r.rows == 1, "line '%.*s': libcsv made %d rows", (int)n, line, r.rows);
        ck_assert_int_eq(r.nf, k);
        for (int i = 0; i < k; i++) {
            ck_assert_uint_eq(r.len[i], lens[i]);
            ck_assert_msg(memcmp(r.f[i], line + starts[i], lens[i]) == 0,
                          "line '%.*s' field %d differs", (int)n, line, i);
        }
        compared++;
    }
    /* the alphabet must exercise both outcomes */
    ck_assert_int_gt(accepted, 10000);
    ck_assert_int_gt(compared, 10000);
}
END_TEST

START_TEST(test_fastpath_declines_quotes_and_inner_cr)
{
    size_t s[8], l[8];
    ck_assert_int_eq(load_split_simple("a,\"b\"", 5, s, l, 8), -1);
    ck_assert_int_eq(load_split_simple("a\rb", 3, s, l, 8), -1);
    ck_assert_int_eq(load_split_simple("a,b\r", 4, s, l, 8), 2);
    ck_assert_int_eq(load_split_simple(" \t ", 3, s, l, 8), 0);
    ck_assert_int_eq(load_split_simple(" a , b ,", 8, s, l, 8), 3);
    ck_assert_uint_eq(l[0], 1);
    ck_assert_uint_eq(l[2], 0);
}
END_TEST

Suite *fastpath_suite(void)
{
    Suite *s = suite_create("fastpath");
    TCase *tc = tcase_create("Core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fastpath_matches_libcsv);
    tcase_add_test(tc, test_fastpath_declines_quotes_and_inner_cr);
    suite_add_tcase(s, tc);
    return s;
}
