/* check_partition.c - unit tests for the parts of a run under
 * --memory-limit: partition.c (the hash-sorted table, the plan: which
 * units share a bucket, where a person's and a hukou row's rows go),
 * spill.c (the record format round trip, files written by two threads
 * and read back) and partrun.c's size parser.
 *
 * Owns: the partition suite.  The end-to-end promise (the same outputs as
 * a run that keeps everything, at any limit and thread count) is
 * tests/partition_test.sh's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/index.h"
#include "contract/model.h"
#include "engine/partition.h"
#include "engine/partrun.h"
#include "engine/spill.h"
#include "tests.h"

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ---------- keytab ---------- */

/* Every hash's values found in the order given, with and without repeats
 * kept; absent hashes not found; the empty table and one entry. */
START_TEST(test_keytab_find)
{
    static const size_t sizes[] = {0, 1, 2, 3, 100, 50000};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        for (int dedupe = 0; dedupe < 2; dedupe++) {
            size_t n = sizes[t];
            struct kv *kv = malloc((n ? n : 1) * sizeof *kv);
            struct kv *copy = malloc((n ? n : 1) * sizeof *copy);
            ck_assert(kv && copy);
            uint64_t s = 88172645463325252u + t;
            for (size_t i = 0; i < n; i++) {
                /* few distinct hashes so runs form, high bits spread */
                uint64_t h = idx_hash64(1 + rng(&s) % (n / 3 + 1));
                kv[i] = (struct kv){h, (uint32_t)(rng(&s) % 4), 0};
            }
            memcpy(copy, kv, (n ? n : 1) * sizeof *kv);
            struct keytab tab;
            struct err e;
            err_init(&e);
            ck_assert_int_eq(keytab_build(&tab, kv, n, dedupe, &e), E_OK);
            for (size_t i = 0; i < n; i += n > 3000 ? 97 : 1) {
                /* the values of copy[i].h, in input order (repeats dropped) */
                uint32_t want[64];
                int nw = 0;
                for (size_t j = 0; j < n && nw < 64; j++) {
                    if (copy[j].h != copy[i].h)
                        continue;
                    if (dedupe && nw > 0 && want[nw - 1] == copy[j].val)
                        continue;   /* a repeat next to its like is kept once */
                    want[nw++] = copy[j].val;
                }
                size_t first, end = keytab_find(&tab, copy[i].h, &first);
                if (nw < 64) {
                    ck_assert_uint_eq(end - first, (size_t)nw);
                    for (int q = 0; q < nw; q++)
                        ck_assert_uint_eq(tab.val[first + (size_t)q], want[q]);
                }
            }
            size_t first;
            ck_assert_uint_eq(keytab_find(&tab, idx_hash64(UINT64_C(1) << 62), &first) - first, 0);
            keytab_free(&tab);
            free(copy);
        }
    }
}
END_TEST

/* ---------- the plan ---------- */

static struct hukou hk_row(uint64_t key, const char *no, int status)
{
    struct hukou h;
    memset(&h, 0, sizeof h);
    h.key = key;
    h.hukou_no = no;
    h.no_code = hukou_no_code(no);
    h.status = status;
    h.id = "";
    h.name = "";
    h.region = "610102001001";
    return h;
}

/* Households 0-5, candidates 0-2 (units 6-8).  Person 101 is in
 * households 0 and 3 (E10); 102 heads household 1 (hukou_no "H1"); 103 is
 * in household 2 and in candidate 0's hukou household "G" (L01's
 * membership block); 104 is only in that hukou household; candidate 1 is
 * not `normal` (no hukou household read); 105 heads household 4 with a
 * hukou_no without a numeric code.  Needs are added in the given order;
 * the buckets must not depend on it. */
static void make_plan(struct part_plan *pl, int reverse)
{
    struct err e;
    err_init(&e);
    ck_assert_int_eq(part_plan_init(pl, 6, 3, 255, &e), E_OK);
    struct {
        uint64_t key;
        uint32_t unit;
        int need;
    } needs[] = {{101, 0, NEED_MEMBER}, {101, 3, NEED_HEAD},     {102, 1, NEED_HEAD},
                 {103, 2, NEED_HEAD},   {105, 4, NEED_HEAD},     {106, 5, NEED_HEAD},
                 {201, 6, NEED_CANDIDATE}, {202, 7, NEED_CANDIDATE}, {203, 8, NEED_CANDIDATE}};
    int n = (int)(sizeof needs / sizeof needs[0]);
    for (int i = 0; i < n; i++) {
        int k = reverse ? n - 1 - i : i;
        ck_assert_int_eq(part_plan_need(pl, needs[k].key, needs[k].unit, needs[k].need, &e),
                         E_OK);
    }
    ck_assert_int_eq(part_plan_need_done(pl, &e), E_OK);
    struct hukou rows[] = {hk_row(101, "H0", HK_NORMAL),  hk_row(102, "H1", HK_NORMAL),
                           hk_row(103, "G", HK_NORMAL),   hk_row(104, "G", HK_NORMAL),
                           hk_row(107, "H1", HK_NORMAL),  hk_row(201, "G", HK_NORMAL),
                           hk_row(202, "G", HK_DECEASED), hk_row(105, "H-X", HK_NORMAL),
                           hk_row(108, "H-X", HK_NORMAL)};
    int nr = (int)(sizeof rows / sizeof rows[0]);
    for (int i = 0; i < nr; i++)
        ck_assert_int_eq(part_plan_hukou(pl, &rows[reverse ? nr - 1 - i : i], &e), E_OK);
    ck_assert_int_eq(part_plan_groups_done(pl, &e), E_OK);
    for (int i = 0; i < nr; i++)
        ck_assert_int_eq(part_plan_hukou_again(pl, &rows[reverse ? nr - 1 - i : i], &e), E_OK);
    ck_assert_int_eq(part_plan_assign(pl, &e), E_OK);
}

START_TEST(test_plan_units)
{
    struct part_plan a, b;
    make_plan(&a, 0);
    make_plan(&b, 1);
    for (uint32_t u = 0; u < 9; u++)
        ck_assert_int_eq(part_unit_bucket(&a, u), part_unit_bucket(&b, u));
    /* E10: the two households of person 101 */
    ck_assert_int_eq(part_unit_bucket(&a, 0), part_unit_bucket(&a, 3));
    /* L01: candidate 0 with household 2 (103 is in its hukou household) */
    ck_assert_int_eq(part_unit_bucket(&a, 6), part_unit_bucket(&a, 2));
    /* each person's rows go to the bucket of the units that read them */
    ck_assert_int_eq(part_key_bucket(&a, 101), part_unit_bucket(&a, 0));
    ck_assert_int_eq(part_key_bucket(&a, 103), part_unit_bucket(&a, 2));
    ck_assert_int_eq(part_key_bucket(&a, 104), part_unit_bucket(&a, 6));   /* group only */
    ck_assert_int_eq(part_key_bucket(&a, 202), part_unit_bucket(&a, 7));
    ck_assert_int_eq(part_key_bucket(&a, 107), -1);   /* read by no unit as a person */
    ck_assert_int_eq(part_key_bucket(&a, 999), -1);
    /* a household of its own, with 255 buckets: somewhere valid */
    ck_assert_int_lt(part_unit_bucket(&a, 5), 255);
    part_plan_free(&a);
    part_plan_free(&b);
}
END_TEST

static int has(const uint16_t *d, int n, int b)
{
    for (int i = 0; i < n; i++)
        if (d[i] == b)
            return 1;
    return 0;
}

START_TEST(test_plan_hukou_dests)
{
    struct part_plan pl;
    make_plan(&pl, 0);
    uint16_t d[PART_MAX_BUCKETS + 1];
    /* 107 shares household 1's head's hukou_no: E11 reads it there */
    struct hukou h107 = hk_row(107, "H1", HK_NORMAL);
    int n = part_hukou_dests(&pl, &h107, d);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(d[0], part_unit_bucket(&pl, 1));
    /* 104: its person's bucket (candidate 0's) and its hukou_no's */
    struct hukou h104 = hk_row(104, "G", HK_NORMAL);
    n = part_hukou_dests(&pl, &h104, d);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(d[0], part_unit_bucket(&pl, 6));
    /* 101 heads household 3 (H0) and is a member of 0: one bucket */
    struct hukou h101 = hk_row(101, "H0", HK_NORMAL);
    n = part_hukou_dests(&pl, &h101, d);
    ck_assert(has(d, n, part_unit_bucket(&pl, 0)));
    /* a hukou_no without a numeric code is found by its hash */
    struct hukou h108 = hk_row(108, "H-X", HK_NORMAL);
    n = part_hukou_dests(&pl, &h108, d);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(d[0], part_unit_bucket(&pl, 4));
    /* a row nobody reads goes nowhere */
    struct hukou h300 = hk_row(300, "ELSE", HK_NORMAL);
    ck_assert_int_eq(part_hukou_dests(&pl, &h300, d), 0);
    /* 103: its own bucket and candidate 0's hukou_no: the same bucket, once */
    struct hukou h103 = hk_row(103, "G", HK_NORMAL);
    n = part_hukou_dests(&pl, &h103, d);
    ck_assert_int_eq(n, 1);
    for (int i = 1; i < n; i++)
        ck_assert_int_lt(d[i - 1], d[i]);
    part_plan_free(&pl);
}
END_TEST

/* ---------- records ---------- */

static void round_trip(enum input_file f, const void *row, void *out, struct arena *a)
{
    uint16_t dest[3] = {2, 7, 200};
    uint64_t tag = UINT64_C(0x123456789ab);
    size_t len = spill_rec_size(f, row, 3, 1);
    unsigned char *buf = malloc(len + 5);
    ck_assert_ptr_nonnull(buf);
    spill_rec_write(buf, len, f, 1, dest, 3, &tag, row);
    struct spill_rec r;
    ck_assert_int_eq(spill_rec_parse(buf, len - 1, &r), 0);   /* short: not yet */
    ck_assert_int_eq(spill_rec_parse(buf, len + 5, &r), 1);
    ck_assert_uint_eq(r.len, len);
    ck_assert_int_eq(r.f, f);
    ck_assert_uint_eq(r.gen, 1);
    ck_assert_int_eq(r.ndest, 3);
    ck_assert_uint_eq(spill_rec_dest(&r, 2), 200);
    ck_assert_uint_eq(r.tag, tag);
    struct err e;
    err_init(&e);
    ck_assert_int_eq(spill_rec_decode(&r, out, a, &e), E_OK);
    free(buf);
}

START_TEST(test_spill_records)
{
    struct arena a;
    arena_init(&a, 4096);
    struct member m, m2;
    memset(&m, 0, sizeof m);
    m.hh = 77;
    m.key = 6101021990;
    m.id = "610102199001011234";
    m.name = "张三";
    m.relation = REL_SPOUSE;
    m.work_ability = WA_PARTIAL;
    m.disability_grade = 3;
    m.declared_fen = 123456;
    m.id_status = 0;
    m.line = 42;
    for (int bad = 0; bad < 2; bad++) {
        m.bad_cols = bad ? MB_INCOME : 0;
        m.bad_text = bad ? "declared_monthly_income '1,200': taken as 0" : NULL;
        round_trip(IN_MEMBERS, &m, &m2, &a);
        ck_assert_uint_eq(m2.hh, 77);
        ck_assert_uint_eq(m2.key, m.key);
        ck_assert_str_eq(m2.id, m.id);
        ck_assert_str_eq(m2.name, m.name);
        ck_assert_int_eq(m2.relation, REL_SPOUSE);
        ck_assert_int_eq(m2.work_ability, WA_PARTIAL);
        ck_assert_int_eq(m2.disability_grade, 3);
        ck_assert_int_eq(m2.declared_fen, 123456);
        ck_assert_int_eq(m2.line, 42);
        ck_assert_uint_eq(m2.bad_cols, m.bad_cols);
        if (bad)
            ck_assert_str_eq(m2.bad_text, m.bad_text);
        else
            ck_assert_ptr_null(m2.bad_text);
    }
    struct hukou h = hk_row(5, "012", HK_DECEASED), h2;
    h.status_date = 20000;
    h.line = 9;
    h.name = "";
    round_trip(IN_HUKOU, &h, &h2, &a);
    ck_assert_str_eq(h2.hukou_no, "012");
    ck_assert_uint_eq(h2.no_code, hukou_no_code("012"));
    ck_assert_int_eq(h2.status_date, 20000);
    ck_assert_str_eq(h2.name, "");
    struct staffrel s = {"CW9", 88, "spouse", 3}, s2;
    round_trip(IN_STAFFREL, &s, &s2, &a);
    ck_assert_str_eq(s2.caseworker, "CW9");
    ck_assert_uint_eq(s2.key, 88);
    ck_assert_str_eq(s2.relation, "spouse");
    struct si_row si = {99, 24000, SI_PENSION_BENEFIT, 310000, 1234567}, si2;
    round_trip(IN_SI, &si, &si2, &a);
    ck_assert_int_eq(memcmp(&si, &si2, sizeof si), 0);
    /* the key without decoding, whichever column holds it */
    size_t len = spill_rec_size(IN_STAFFREL, &s, 0, 0);
    unsigned char buf[256];
    spill_rec_write(buf, len, IN_STAFFREL, 0, NULL, 0, NULL, &s);
    struct spill_rec r;
    ck_assert_int_eq(spill_rec_parse(buf, len, &r), 1);
    ck_assert_uint_eq(spill_rec_key(&r), 88);
    ck_assert_int_eq(r.has_tag, 0);
    /* damage is refused, not read */
    buf[4] = 200;
    ck_assert_int_eq(spill_rec_parse(buf, len, &r), -1);
    arena_free(&a);
}
END_TEST

/* Two writers, a record longer than the buffer, every record read back,
 * each writer's in the order it put them; the files are mode 0600. */
START_TEST(test_spill_files)
{
    char parent[] = "/tmp/hedui-spill-test.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(parent));
    char dir[1100];
    struct err e;
    err_init(&e);
    ck_assert_int_eq(spill_dir_create(dir, sizeof dir, parent, &e), E_OK);
    struct stat sb;
    ck_assert_int_eq(stat(dir, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0700);
    struct spill_set s;
    ck_assert_int_eq(spill_set_open(&s, dir, "t", 2, 2, 256, &e), E_OK);
    char *big = malloc(5000);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 4999);
    big[4999] = '\0';
    for (int i = 0; i < 300; i++) {
        struct vehicle v;
        memset(&v, 0, sizeof v);
        v.key = (uint64_t)(1000 + i);
        v.plate = i == 150 ? big : "陕A12345";
        v.line = i;
        ck_assert_int_eq(spill_set_put(&s, i % 2, i % 3 == 0, IN_VEHICLES, 0, NULL, 0, NULL, &v,
                                       &e), E_OK);
    }
    ck_assert_int_eq(spill_set_flush(&s, &e), E_OK);
    ck_assert_int_eq(spill_set_rows(&s, 1, IN_VEHICLES), 100);
    ck_assert_int_eq(spill_set_rows(&s, 0, IN_VEHICLES), 200);
    spill_set_close(&s);
    char path[1200];
    snprintf(path, sizeof path, "%s/t.1", dir);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);
    int seen[300] = {0};
    long long last[2][2] = {{-1, -1}, {-1, -1}};
    struct arena a;
    arena_init(&a, 4096);
    for (int f = 0; f < 2; f++) {
        struct spill_reader r;
        ck_assert_int_eq(spill_reader_open(&r, dir, "t", f, &e), E_OK);
        struct spill_rec rec;
        int got;
        while ((got = spill_reader_next(&r, &rec, &e)) == 1) {
            struct vehicle v;
            ck_assert_int_eq(spill_rec_decode(&rec, &v, &a, &e), E_OK);
            int i = (int)v.line;
            ck_assert_int_eq(f, i % 3 == 0);
            ck_assert_int_gt(i, last[f][i % 2]);   /* a writer's order kept */
            last[f][i % 2] = i;
            seen[i]++;
            ck_assert_str_eq(v.plate, i == 150 ? big : "陕A12345");
        }
        ck_assert_int_eq(got, 0);
        spill_reader_close(&r);
    }
    for (int i = 0; i < 300; i++)
        ck_assert_int_eq(seen[i], 1);
    arena_free(&a);
    spill_set_release(&s);
    free(big);
    spill_dir_remove(dir);
    ck_assert_int_ne(stat(dir, &sb), 0);
    ck_assert_int_eq(rmdir(parent), 0);
}
END_TEST

/* ---------- sizes ---------- */

START_TEST(test_parse_size)
{
    size_t b;
    ck_assert_int_eq(partrun_parse_size("4G", &b), 0);
    ck_assert_uint_eq(b, (size_t)4 << 30);
    ck_assert_int_eq(partrun_parse_size("512M", &b), 0);
    ck_assert_uint_eq(b, (size_t)512 << 20);
    ck_assert_int_eq(partrun_parse_size("2048MiB", &b), 0);
    ck_assert_uint_eq(b, (size_t)2 << 30);
    ck_assert_int_eq(partrun_parse_size("12kb", &b), 0);
    ck_assert_uint_eq(b, (size_t)12 << 10);
    ck_assert_int_eq(partrun_parse_size("1T", &b), 0);
    ck_assert_uint_eq(b, (size_t)1 << 40);
    ck_assert_int_eq(partrun_parse_size("1048576", &b), 0);
    ck_assert_uint_eq(b, (size_t)1 << 20);
    static const char *bad[] = {"", "G", "0", "0G", "-1G", "1.5G", "4X", "4GG", "4 G",
                                "99999999999999999999", "17179869184G"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(partrun_parse_size(bad[i], &b) == -1, "'%s' accepted", bad[i]);
}
END_TEST

Suite *partition_suite(void)
{
    Suite *s = suite_create("partition");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, test_keytab_find);
    tcase_add_test(tc, test_plan_units);
    tcase_add_test(tc, test_plan_hukou_dests);
    suite_add_tcase(s, tc);
    tc = tcase_create("spill");
    tcase_add_test(tc, test_spill_records);
    tcase_add_test(tc, test_spill_files);
    tcase_add_test(tc, test_parse_size);
    suite_add_tcase(s, tc);
    return s;
}
