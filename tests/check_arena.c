/* check_arena.c - unit tests for arena.c (bump allocation by lifetime).
 *
 * Owns: the arena suite.  Tests only through the arena.h API.  Layout
 * checks that only hold for the chunked allocator are skipped when the
 * build defines HEDUI_ARENA_DEBUG (every object its own malloc).
 */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/arena.h"
#include "tests.h"

#define ALIGNED16(p) ((((uintptr_t)(p)) & 15u) == 0)

static unsigned char **sort_ptr;

static int cmp_by_addr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)sort_ptr[*(const int *)a], y = (uintptr_t)sort_ptr[*(const int *)b];
    return x < y ? -1 : x > y;
}

START_TEST(test_many_small)
{
    struct arena a;
    arena_init(&a, 1024);
    enum { N = 2000 };
    static unsigned char *ptr[N];
    static size_t len[N];
    size_t expect_used = 0;
    for (int i = 0; i < N; i++) {
        len[i] = (size_t)(i % 41) + 1;   /* 1..41 bytes */
        ptr[i] = arena_alloc(&a, len[i]);
        ck_assert_ptr_nonnull(ptr[i]);
        ck_assert_msg(ALIGNED16(ptr[i]), "allocation %d at %p not 16-aligned", i, (void *)ptr[i]);
        memset(ptr[i], i & 0xFF, len[i]);
        expect_used += (len[i] + 15) / 16 * 16;
    }
    ck_assert_uint_eq(a.used_bytes, expect_used);
    /* Every object kept its bytes: no two allocations overlap. */
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < len[i]; k++)
            ck_assert_msg(ptr[i][k] == (unsigned char)(i & 0xFF),
                          "allocation %d byte %zu overwritten", i, k);
    /* Distinct addresses, and no object's range reaches into the next one's
     * (sorted by address). */
    static int order[N];
    for (int i = 0; i < N; i++)
        order[i] = i;
    sort_ptr = ptr;
    qsort(order, N, sizeof order[0], cmp_by_addr);
    for (int k = 1; k < N; k++) {
        int i = order[k - 1], j = order[k];
        ck_assert_msg((uintptr_t)ptr[i] + len[i] <= (uintptr_t)ptr[j],
                      "allocations %d and %d overlap", i, j);
    }
    arena_free(&a);
    ck_assert_ptr_null(a.head);
    ck_assert_uint_eq(a.used_bytes, 0);
}
END_TEST

START_TEST(test_zero_and_rounding)
{
    struct arena a;
    arena_init(&a, 4096);
    void *z = arena_alloc(&a, 0);
    ck_assert_ptr_nonnull(z);
    ck_assert(ALIGNED16(z));
    ck_assert_uint_eq(a.used_bytes, 16);
    void *p = arena_alloc(&a, 17);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(a.used_bytes, 16 + 32);
#ifndef HEDUI_ARENA_DEBUG
    /* bump allocation: the next object follows the rounded-up previous one */
    ck_assert_ptr_eq(p, (char *)z + 16);
    void *q = arena_alloc(&a, 1);
    ck_assert_ptr_eq(q, (char *)p + 32);
#endif
    /* impossible sizes fail with NULL, never abort */
    ck_assert_ptr_null(arena_alloc(&a, SIZE_MAX));
    ck_assert_ptr_null(arena_alloc(&a, SIZE_MAX - 15));
    ck_assert_ptr_null(arena_alloc(&a, SIZE_MAX - 20));
    ck_assert_ptr_null(arena_calloc(&a, SIZE_MAX / 2 + 1, 2));
    ck_assert_ptr_null(arena_calloc(&a, 2, SIZE_MAX / 2 + 1));
    ck_assert_ptr_null(arena_strndup(&a, "x", SIZE_MAX));
    /* the arena is still usable after a failure */
    char *s = arena_strndup(&a, "ok", 2);
    ck_assert_str_eq(s, "ok");
    arena_free(&a);
}
END_TEST

START_TEST(test_default_chunk)
{
    struct arena a;
    arena_init(&a, 0);
    ck_assert_uint_eq(a.chunk_size, (size_t)1 << 20);
    ck_assert_ptr_null(a.head);
    ck_assert_uint_eq(a.used_bytes, 0);
    void *p = arena_alloc(&a, 100);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(a.head);
    arena_free(&a);
}
END_TEST

START_TEST(test_big)
{
    struct arena a;
    arena_init(&a, 1024);
    unsigned char *small1 = arena_alloc(&a, 16);
    ck_assert_ptr_nonnull(small1);
    memset(small1, 0x11, 16);
    /* > chunk/4 but it fits in the current chunk */
    unsigned char *mid = arena_alloc(&a, 800);
    ck_assert_ptr_nonnull(mid);
    ck_assert(ALIGNED16(mid));
    memset(mid, 0x77, 800);

    /* > chunk/4 and no longer fits (208 bytes left): its own chunk */
    size_t big_n = 300;
    unsigned char *big = arena_alloc(&a, big_n);
    ck_assert_ptr_nonnull(big);
    ck_assert(ALIGNED16(big));
    memset(big, 0x22, big_n);

    /* much bigger than a chunk */
    size_t huge_n = 100000;
    unsigned char *huge = arena_alloc(&a, huge_n);
    ck_assert_ptr_nonnull(huge);
    ck_assert(ALIGNED16(huge));
    memset(huge, 0x33, huge_n);

    unsigned char *small2 = arena_alloc(&a, 16);
    ck_assert_ptr_nonnull(small2);
    memset(small2, 0x44, 16);
#ifndef HEDUI_ARENA_DEBUG
    /* the big objects did not waste the current chunk's free tail */
    ck_assert_ptr_eq(mid, small1 + 16);
    ck_assert_ptr_eq(small2, mid + 800);
    ck_assert(big < small1 || big >= small1 + 1024);
    ck_assert(huge + huge_n <= small1 || huge >= small1 + 1024);
#endif
    ck_assert_uint_eq(a.used_bytes, 16 + 800 + 304 + 100000 + 16);

    for (size_t i = 0; i < 16; i++) {
        ck_assert_uint_eq(small1[i], 0x11);
        ck_assert_uint_eq(small2[i], 0x44);
    }
    for (size_t i = 0; i < 800; i++)
        ck_assert_uint_eq(mid[i], 0x77);
    for (size_t i = 0; i < big_n; i++)
        ck_assert_uint_eq(big[i], 0x22);
    for (size_t i = 0; i < huge_n; i++)
        ck_assert_uint_eq(huge[i], 0x33);

    /* exactly a chunk and exactly a quarter chunk */
    unsigned char *whole = arena_alloc(&a, 1024);
    ck_assert_ptr_nonnull(whole);
    memset(whole, 0x55, 1024);
    unsigned char *quarter = arena_alloc(&a, 256);
    ck_assert_ptr_nonnull(quarter);
    memset(quarter, 0x66, 256);
    for (size_t i = 0; i < 1024; i++)
        ck_assert_uint_eq(whole[i], 0x55);
    ck_assert_uint_eq(big[0], 0x22);
    ck_assert_uint_eq(mid[799], 0x77);
    arena_free(&a);
}
END_TEST

START_TEST(test_calloc)
{
    struct arena a;
    /* Dirty the heap first so a fresh chunk is unlikely to be zero by luck. */
    arena_init(&a, 8192);
    for (int i = 0; i < 8; i++) {
        unsigned char *p = arena_alloc(&a, 1000);
        ck_assert_ptr_nonnull(p);
        memset(p, 0xA5, 1000);
    }
    arena_free(&a);

    arena_init(&a, 8192);
    unsigned char *d = arena_alloc(&a, 64);
    memset(d, 0xFF, 64);
    for (int round = 0; round < 8; round++) {
        size_t count = 37 + (size_t)round * 50, size = 3;
        unsigned char *z = arena_calloc(&a, count, size);
        ck_assert_ptr_nonnull(z);
        ck_assert(ALIGNED16(z));
        for (size_t i = 0; i < count * size; i++)
            ck_assert_msg(z[i] == 0, "round %d byte %zu is %u", round, i, z[i]);
        memset(z, 0xEE, count * size);   /* dirty for whatever comes next */
    }
    /* a big zeroed object */
    unsigned char *bz = arena_calloc(&a, 5000, 4);
    ck_assert_ptr_nonnull(bz);
    for (size_t i = 0; i < 20000; i++)
        ck_assert_uint_eq(bz[i], 0);
    /* zero elements still gives a usable pointer */
    ck_assert_ptr_nonnull(arena_calloc(&a, 0, 8));
    for (size_t i = 0; i < 64; i++)
        ck_assert_uint_eq(d[i], 0xFF);
    arena_free(&a);
}
END_TEST

START_TEST(test_strndup)
{
    struct arena a;
    arena_init(&a, 256);
    const char src[] = {'h', 'e', 'd', 'u', 'i', '-', 'x'};   /* not NUL-terminated */
    char *s = arena_strndup(&a, src, 5);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "hedui");
    ck_assert_ptr_ne(s, src);
    char *e = arena_strndup(&a, src, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, "");
    char *u = arena_strndup(&a, "张三,李四", 6);   /* two 3-byte characters */
    ck_assert_str_eq(u, "张三");
    /* embedded NUL is copied, and the terminator follows len */
    char *z = arena_strndup(&a, "a\0b", 3);
    ck_assert_int_eq(z[0], 'a');
    ck_assert_int_eq(z[1], '\0');
    ck_assert_int_eq(z[2], 'b');
    ck_assert_int_eq(z[3], '\0');
    /* longer than a chunk */
    char longsrc[1000];
    memset(longsrc, 'q', sizeof longsrc);
    char *l = arena_strndup(&a, longsrc, sizeof longsrc);
    ck_assert_ptr_nonnull(l);
    ck_assert_uint_eq(strlen(l), sizeof longsrc);
    ck_assert_int_eq(memcmp(l, longsrc, sizeof longsrc), 0);
    /* earlier strings unharmed */
    ck_assert_str_eq(s, "hedui");
    ck_assert_str_eq(u, "张三");
    arena_free(&a);
}
END_TEST

/* arena_keep: a copy that lives in the arena (its E_NOMEM "out of memory
 * while WHAT" is reached only by the fault build's loop, tests/fault.sh). */
START_TEST(test_keep)
{
    struct arena a;
    arena_init(&a, 64);
    struct err e;
    err_init(&e);
    char src[] = "kept";
    char *p = arena_keep(&a, src, "testing", &e);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_ne(p, src);
    src[0] = 'X';
    ck_assert_str_eq(p, "kept");
    ck_assert_int_eq(e.code, E_OK);
    arena_free(&a);
}
END_TEST

START_TEST(test_free_reuse)
{
    struct arena a;
    arena_init(&a, 512);
    arena_free(&a);   /* freeing an empty arena is fine */
    ck_assert_ptr_null(a.head);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 200; i++) {
            char *p = arena_alloc(&a, (size_t)(i % 70) + 1);
            ck_assert_ptr_nonnull(p);
            ck_assert(ALIGNED16(p));
            memset(p, 'a' + round, (size_t)(i % 70) + 1);
        }
        ck_assert_ptr_nonnull(arena_alloc(&a, 5000));
        ck_assert_uint_gt(a.used_bytes, 0);
        arena_free(&a);
        ck_assert_ptr_null(a.head);
        ck_assert_uint_eq(a.used_bytes, 0);
        ck_assert_uint_eq(a.chunk_size, 512);   /* the chunk size survives */
    }
    arena_free(&a);   /* twice is harmless */
    char *s = arena_strndup(&a, "again", 5);
    ck_assert_str_eq(s, "again");
    ck_assert_uint_eq(a.used_bytes, 6);   /* strings take only their bytes */
    arena_free(&a);
}
END_TEST

/* Strings are packed byte to byte; an object after them is still 16-aligned
 * and the padding before it is counted as used. */
START_TEST(test_strings_packed)
{
    struct arena a;
    arena_init(&a, 4096);
    char *s1 = arena_strndup(&a, "abc", 3);
    char *s2 = arena_strndup(&a, "defgh", 5);
    ck_assert_str_eq(s1, "abc");
    ck_assert_str_eq(s2, "defgh");
    ck_assert_uint_eq(a.used_bytes, 10);
    void *o = arena_alloc(&a, 1);
    ck_assert(ALIGNED16(o));
    char *s3 = arena_strndup(&a, "", 0);
    ck_assert_str_eq(s3, "");
#ifndef HEDUI_ARENA_DEBUG
    /* The layout itself; the debug build (ASan) gives every object its own
     * block so the sanitizer sees each overrun, and has no layout. */
    ck_assert_ptr_eq(s2, s1 + 4);
    ck_assert_ptr_eq(o, s1 + 16);
    ck_assert_uint_eq(a.used_bytes, 33);
    ck_assert_ptr_eq(s3, s1 + 32);
#else
    ck_assert_uint_eq(a.used_bytes, 10 + 16 + 1);   /* own blocks, no padding */
#endif
    arena_free(&a);
}
END_TEST

/* A growing arena (chunks from 256 KiB doubling to 4 MiB, the large ones
 * whole huge pages made resident up front) keeps every string intact, and
 * arena_trim() hands back only the unused tails: strings written across
 * every chunk size read back byte for byte after the trim, as do those of
 * a mem_populate()d and a mem_prefault()ed buffer. */
START_TEST(test_growing_and_trim)
{
    struct arena a;
    arena_init_growing(&a, (size_t)256 << 10, (size_t)4 << 20);
    enum { N = 12000 };
    static char *ptr[N];
    static size_t len[N];
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        len[i] = 1 + (size_t)(i * 7919) % 1500;
        char buf[1600];
        for (size_t k = 0; k < len[i]; k++)
            buf[k] = (char)('a' + (i + (int)k) % 26);
        ptr[i] = arena_strndup(&a, buf, len[i]);
        ck_assert_ptr_nonnull(ptr[i]);
        total += len[i] + 1;
    }
    ck_assert_uint_ge(total, (size_t)8 << 20);   /* reaches the 4 MiB chunks */
    ck_assert_uint_eq(a.used_bytes, total);
    arena_trim(&a);
    /* one assertion per string, not per byte: in check's fork mode every
     * passed assertion is a write(2), and 9 M of them timed the test out
     * on a loaded machine */
    for (int i = 0; i < N; i++) {
        ck_assert_uint_eq(strlen(ptr[i]), len[i]);
        size_t bad = len[i];
        for (size_t k = 0; k < len[i] && bad == len[i]; k++)
            if (ptr[i][k] != 'a' + (i + (int)k) % 26)
                bad = k;
        ck_assert_msg(bad == len[i], "string %d differs at byte %zu", i, bad);
    }
    arena_free(&a);

    size_t n = (size_t)6 << 20;
    unsigned char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    for (size_t k = 0; k < n; k++)
        b[k] = (unsigned char)(k * 31);
    mem_populate(b, n);
    mem_prefault(b + 4096, n - 8192);
    size_t bad = n;
    for (size_t k = 0; k < n && bad == n; k++)
        if (b[k] != (unsigned char)(k * 31))
            bad = k;
    ck_assert_msg(bad == n, "populated buffer differs at byte %zu", bad);
    free(b);
}
END_TEST

/* Pages of p[0..n) not resident (mincore), or -1 if it cannot tell. */
static long not_resident(const void *p, size_t n)
{
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)(pg - 1);
    size_t len = (uintptr_t)p + n - a, np = (len + (size_t)pg - 1) / (size_t)pg;
    unsigned char *v = malloc(np);
    if (!v || mincore((void *)a, len, v) != 0) {
        free(v);
        return -1;
    }
    long miss = 0;
    for (size_t i = 0; i < np; i++)
        miss += !(v[i] & 1);
    free(v);
    return miss;
}

/* mem_prefault() of a large buffer outside a parallel region splits it
 * among the team, on huge page boundaries: with 1, 2 and 3 threads (3: a
 * split that does not fall evenly) every page of a fresh, odd-sized
 * buffer is resident afterwards, none past its end is touched, and what
 * is written reads back. */
START_TEST(test_prefault_split)
{
    int saved = omp_get_max_threads();
    for (int T = 1; T <= 3; T++) {
        size_t n = ((size_t)72 << 20) + 12345;
        unsigned char *b = malloc(n);
        ck_assert_ptr_nonnull(b);
        long before = not_resident(b, n);
        if (before <= 0) {   /* no mincore, or malloc gave touched memory */
            free(b);
            continue;
        }
        omp_set_num_threads(T);
        mem_populate(b, n);
        long after = not_resident(b, n);
        if (T == 1 && after == before) {   /* kernel before 5.14: no populate */
            free(b);
            break;
        }
        /* the whole pages inside the buffer (a hint never touches the
         * pages it shares with other memory) */
        long pg = sysconf(_SC_PAGESIZE);
        uintptr_t in_a = ((uintptr_t)b + (uintptr_t)pg - 1) & ~(uintptr_t)(pg - 1);
        uintptr_t in_b = ((uintptr_t)b + n) & ~(uintptr_t)(pg - 1);
        long inner = not_resident((void *)in_a, in_b - in_a);
        ck_assert_msg(inner == 0, "%d threads: %ld of the pages not resident", T, inner);
        for (size_t k = 0; k < n; k += 4093)
            b[k] = (unsigned char)(k * 7);
        size_t bad = n;
        for (size_t k = 0; k < n && bad == n; k += 4093)
            if (b[k] != (unsigned char)(k * 7))
                bad = k;
        ck_assert_msg(bad == n, "byte %zu", bad);
        free(b);
    }
    omp_set_num_threads(saved);
}
END_TEST

Suite *arena_suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_many_small);
    tcase_add_test(tc, test_zero_and_rounding);
    tcase_add_test(tc, test_default_chunk);
    tcase_add_test(tc, test_big);
    tcase_add_test(tc, test_calloc);
    tcase_add_test(tc, test_strndup);
    tcase_add_test(tc, test_free_reuse);
    tcase_add_test(tc, test_keep);
    tcase_add_test(tc, test_strings_packed);
    tcase_add_test(tc, test_growing_and_trim);
    tcase_add_test(tc, test_prefault_split);
    suite_add_tcase(s, tc);
    return s;
}
