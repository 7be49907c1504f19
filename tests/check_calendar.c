/* check_calendar.c - unit tests for calendar.c (working days, standards).
 *
 * Owns: the calendar suite.  Tests through the calendar.h API, with the
 * shipped rules/holidays.csv and rules/standards.csv loaded through
 * normalise_file() (as the engine does) and with hand-built arrays.
 */
#include <stdio.h>
#include <string.h>

#include "engine/calendar.h"
#include "base/date.h"
#include "engine/normalise.h"
#include "tests.h"

#define D(y, m, d) date_from_ymd((y), (m), (d))

/* Load one shipped rules/ CSV into d. */
static void load_shipped(struct dataset *d, enum input_file f, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/rules/%s", test_root(), name);
    struct normaliser n;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(normaliser_init(&n, d, D(2026, 6, 15), &e), E_OK);
    int rc = normalise_file(&n, f, path, ENC_AUTO, &e);
    ck_assert_msg(rc == E_OK, "loading %s: %s", path, e.msg);
    ck_assert_msg(d->files[f].rejects.n == 0, "%s has %zu rejects", name, d->files[f].rejects.n);
    normaliser_free(&n);
}

/* The calendar of the shipped holidays.csv. */
static void shipped_calendar(struct dataset *d, struct calendar *c)
{
    dataset_init(d);
    load_shipped(d, IN_HOLIDAYS, "holidays.csv");
    ck_assert_uint_gt(d->holidays.n, 100);
    struct err e;
    err_init(&e);
    ck_assert_int_eq(calendar_build(c, d->holidays.v, d->holidays.n, &e), E_OK);
    ck_assert_uint_eq(c->n, d->holidays.n);   /* one entry per date in the shipped file */
}

/* ---------- working days ---------- */

START_TEST(test_may_day_2026)
{
    struct dataset d;
    struct calendar c;
    shipped_calendar(&d, &c);
    /* Thu 30 Apr -> Mon 11 May: 1-5 May off, 6-8 working, Sat 9 May worked,
     * Sun 10 off, Mon 11 working = 5 */
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 4, 30), D(2026, 5, 11)), 5);
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 4, 30), D(2026, 5, 5)), 0);
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 4, 30), D(2026, 5, 6)), 1);
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 5, 8), D(2026, 5, 9)), 1);   /* workday Sat */
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 5, 9), D(2026, 5, 10)), 0);  /* Sunday */
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 5, 3), D(2026, 5, 4)), 0);   /* holiday Mon */

    ck_assert_int_eq(calendar_is_working(&c, D(2026, 5, 1)), 0);
    ck_assert_int_eq(calendar_is_working(&c, D(2026, 5, 5)), 0);
    ck_assert_int_eq(calendar_is_working(&c, D(2026, 5, 9)), 1);
    ck_assert_int_eq(calendar_is_working(&c, D(2026, 5, 10)), 0);
    ck_assert_int_eq(calendar_is_working(&c, D(2026, 6, 15)), 1);
    ck_assert_int_eq(calendar_is_working(&c, D(2026, 6, 19)), 0);   /* Dragon Boat, a Friday */
    ck_assert_int_eq(calendar_is_working(&c, D(2026, 2, 14)), 1);   /* Saturday workday */
    ck_assert_int_eq(calendar_is_working(&c, D(2026, 2, 16)), 0);   /* Spring Festival */
    ck_assert_int_eq(calendar_is_working(&c, D(2030, 1, 5)), 0);    /* unlisted Saturday */
    ck_assert_int_eq(calendar_is_working(&c, D(2030, 1, 7)), 1);    /* unlisted Monday */
    calendar_free(&c);
    ck_assert_ptr_null(c.days);
    dataset_free(&d);
}
END_TEST

START_TEST(test_fifteen_vs_sixteen)
{
    struct dataset d;
    struct calendar c;
    shipped_calendar(&d, &c);
    /* From Mon 1 June 2026: 2-5 (4), 8-12 (9), 15-18 (13), Fri 19 June is
     * the Dragon Boat holiday, 20-21 weekend, 22 (14), 23 (15), 24 (16). */
    int from = D(2026, 6, 1);
    ck_assert_int_eq(calendar_working_days(&c, from, D(2026, 6, 18)), 13);
    ck_assert_int_eq(calendar_working_days(&c, from, D(2026, 6, 19)), 13);
    ck_assert_int_eq(calendar_working_days(&c, from, D(2026, 6, 22)), 14);
    ck_assert_int_eq(calendar_working_days(&c, from, D(2026, 6, 23)), 15);
    ck_assert_int_eq(calendar_working_days(&c, from, D(2026, 6, 24)), 16);

    /* Across New Year: 1-3 Jan 2026 off, Sun 4 Jan worked, Mon 5 Jan. */
    ck_assert_int_eq(calendar_working_days(&c, D(2025, 12, 31), D(2026, 1, 5)), 2);
    /* Across the Spring Festival 2026 (14 Feb Sat worked, 15-23 off,
     * 28 Feb Sat worked): Fri 13 Feb -> Fri 27 Feb = 14, 24, 25, 26, 27. */
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 2, 13), D(2026, 2, 27)), 5);
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 2, 13), D(2026, 2, 28)), 6);

    /* empty and reversed spans */
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 6, 15), D(2026, 6, 15)), 0);
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 6, 16), D(2026, 6, 15)), 0);
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 6, 24), D(2026, 6, 1)), 0);
    /* the first day is excluded, the last included */
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 6, 15), D(2026, 6, 16)), 1);
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 6, 14), D(2026, 6, 15)), 1);
    calendar_free(&c);
    dataset_free(&d);
}
END_TEST

START_TEST(test_hand_built)
{
    /* 2030: Sat 5 Jan a workday, Wed 9 Jan a holiday, listed out of order */
    struct holiday rows[] = {
        {D(2030, 1, 9), HOL_HOLIDAY},
        {D(2030, 1, 5), HOL_WORKDAY},
        {D(2030, 1, 1), HOL_HOLIDAY},
    };
    struct calendar c;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(calendar_build(&c, rows, 3, &e), E_OK);
    ck_assert_uint_eq(c.n, 3);
    for (size_t i = 1; i < c.n; i++)
        ck_assert_int_lt(c.days[i - 1].date, c.days[i].date);
    ck_assert_int_eq(calendar_is_working(&c, D(2030, 1, 5)), 1);
    ck_assert_int_eq(calendar_is_working(&c, D(2030, 1, 6)), 0);
    ck_assert_int_eq(calendar_is_working(&c, D(2030, 1, 9)), 0);
    ck_assert_int_eq(calendar_is_working(&c, D(2030, 1, 1)), 0);
    /* Mon 31 Dec 2029 -> Fri 11 Jan 2030: 2, 3, 4, 5 (Sat), 7, 8, 10, 11 */
    ck_assert_int_eq(calendar_working_days(&c, D(2029, 12, 31), D(2030, 1, 11)), 8);
    calendar_free(&c);

    /* An empty calendar is plain Mon-Fri. */
    ck_assert_int_eq(calendar_build(&c, NULL, 0, &e), E_OK);
    ck_assert_uint_eq(c.n, 0);
    ck_assert_int_eq(calendar_working_days(&c, D(2029, 12, 31), D(2030, 1, 11)), 9);
    ck_assert_int_eq(calendar_working_days(&c, D(2026, 4, 30), D(2026, 5, 11)), 7);
    /* a long span: 52 full weeks */
    ck_assert_int_eq(calendar_working_days(&c, D(2029, 12, 30), D(2029, 12, 30) + 364), 260);
    calendar_free(&c);
}
END_TEST

START_TEST(test_duplicate_date_first_wins)
{
    int sat = D(2030, 1, 5), wed = D(2030, 1, 9);
    struct holiday rows[] = {
        {wed, HOL_WORKDAY},   /* first row for Wed: workday (no change) */
        {sat, HOL_WORKDAY},   /* first row for Sat: workday */
        {wed, HOL_HOLIDAY},
        {sat, HOL_HOLIDAY},
        {sat, HOL_HOLIDAY},
        {D(2030, 1, 1), HOL_HOLIDAY},
    };
    struct calendar c;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(calendar_build(&c, rows, 6, &e), E_OK);
    ck_assert_uint_eq(c.n, 3);
    ck_assert_int_eq(calendar_is_working(&c, sat), 1);
    ck_assert_int_eq(calendar_is_working(&c, wed), 1);
    calendar_free(&c);

    struct holiday rev[] = {
        {sat, HOL_HOLIDAY},
        {wed, HOL_HOLIDAY},
        {sat, HOL_WORKDAY},
        {wed, HOL_WORKDAY},
    };
    ck_assert_int_eq(calendar_build(&c, rev, 4, &e), E_OK);
    ck_assert_uint_eq(c.n, 2);
    ck_assert_int_eq(calendar_is_working(&c, sat), 0);
    ck_assert_int_eq(calendar_is_working(&c, wed), 0);
    calendar_free(&c);
}
END_TEST

/* ---------- standards ---------- */

static const struct standard *find(const struct standard *rows, size_t n, const char *region,
                                   int area, int on)
{
    return standard_lookup(rows, n, region, area, on);
}

#define ST(p, a, eff, fen) {p, (int)sizeof(p) - 1, a, eff, fen, 0}

START_TEST(test_standard_lookup)
{
    struct standard rows[] = {
        ST("610102", AREA_URBAN, D(2025, 1, 1), 98000),
        ST("610102", AREA_URBAN, D(2026, 1, 1), 100000),
        ST("610102001", AREA_URBAN, D(2025, 6, 1), 110000),
        ST("610102001002", AREA_URBAN, D(2024, 1, 1), 120000),
        ST("610102", AREA_RURAL, D(2026, 1, 1), 80000),
        ST("610102001", AREA_URBAN, D(2027, 1, 1), 115000),   /* not yet in force */
        ST("610102", AREA_URBAN, D(2026, 7, 1), 105000),      /* not yet in force */
    };
    size_t n = sizeof rows / sizeof rows[0];
    int on = D(2026, 6, 15);
    const struct standard *s;

    /* 12 digits beat 9 and 6, even with an older effective_from */
    s = find(rows, n, "610102001002", AREA_URBAN, on);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 120000);
    /* 9 digits beat 6; the 2027 row is ignored */
    s = find(rows, n, "610102001003", AREA_URBAN, on);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 110000);
    /* 6 digits: the latest effective_from <= as-of, not the July row */
    s = find(rows, n, "610102002001", AREA_URBAN, on);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 100000);
    ck_assert_int_eq(s->effective_from, D(2026, 1, 1));
    /* earlier as-of: the 2025 row */
    s = find(rows, n, "610102002001", AREA_URBAN, D(2025, 7, 1));
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 98000);
    /* on the effective date itself */
    s = find(rows, n, "610102002001", AREA_URBAN, D(2026, 7, 1));
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 105000);
    s = find(rows, n, "610102001003", AREA_URBAN, D(2027, 1, 1));
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 115000);
    /* 9-digit row not in force yet at the time: falls back to 6 digits */
    s = find(rows, n, "610102001003", AREA_URBAN, D(2025, 5, 31));
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 98000);
    /* area_type must match: only the 6-digit rural row applies */
    s = find(rows, n, "610102001002", AREA_RURAL, on);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 80000);
    ck_assert_int_eq(s->area, AREA_RURAL);
    /* nothing in force yet */
    ck_assert_ptr_null(find(rows, n, "610102002001", AREA_URBAN, D(2024, 12, 31)));
    ck_assert_ptr_null(find(rows, n, "610102002001", AREA_RURAL, D(2025, 12, 31)));
    /* no matching prefix */
    ck_assert_ptr_null(find(rows, n, "610103000000", AREA_URBAN, on));
    ck_assert_ptr_null(find(rows, n, "510102001002", AREA_URBAN, on));
    ck_assert_ptr_null(find(rows, 0, "610102001002", AREA_URBAN, on));
    /* the 12-digit row matches only its own village */
    s = find(rows, n, "610102001012", AREA_URBAN, on);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 110000);
}
END_TEST

START_TEST(test_standard_order_independent)
{
    struct standard rows[] = {
        ST("610102001", AREA_URBAN, D(2026, 3, 1), 3),
        ST("610102", AREA_URBAN, D(2026, 5, 1), 1),
        ST("610102001", AREA_URBAN, D(2025, 3, 1), 2),
        ST("610102001", AREA_URBAN, D(2026, 4, 1), 4),
        ST("610102001", AREA_URBAN, D(2026, 9, 1), 5),
    };
    size_t n = sizeof rows / sizeof rows[0];
    int on = D(2026, 6, 15);
    for (size_t rot = 0; rot < n; rot++) {
        struct standard r2[5];
        for (size_t i = 0; i < n; i++)
            r2[i] = rows[(i + rot) % n];
        const struct standard *s = find(r2, n, "610102001001", AREA_URBAN, on);
        ck_assert_ptr_nonnull(s);
        ck_assert_msg(s->monthly_fen == 4, "rotation %zu picked %lld", rot,
                      (long long)s->monthly_fen);
        s = find(r2, n, "610102999001", AREA_URBAN, on);
        ck_assert_ptr_nonnull(s);
        ck_assert(s->monthly_fen == 1);
    }
}
END_TEST

START_TEST(test_shipped_standards)
{
    struct dataset d;
    dataset_init(&d);
    load_shipped(&d, IN_STANDARDS, "standards.csv");
    const struct standard *rows = d.standards.v;
    size_t n = d.standards.n;
    ck_assert_uint_gt(n, 0);
    const struct standard *s = standard_lookup(rows, n, "610102001001", AREA_URBAN, D(2026, 6, 15));
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 100000);
    s = standard_lookup(rows, n, "610102001001", AREA_RURAL, D(2026, 6, 15));
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 80000);
    s = standard_lookup(rows, n, "610102001001", AREA_URBAN, D(2025, 6, 15));
    ck_assert_ptr_nonnull(s);
    ck_assert(s->monthly_fen == 98000);
    ck_assert_ptr_null(standard_lookup(rows, n, "999999000000", AREA_URBAN, D(2026, 6, 15)));
    dataset_free(&d);
}
END_TEST

Suite *calendar_suite(void)
{
    Suite *s = suite_create("calendar");
    TCase *tw = tcase_create("working_days");
    tcase_add_test(tw, test_may_day_2026);
    tcase_add_test(tw, test_fifteen_vs_sixteen);
    tcase_add_test(tw, test_hand_built);
    tcase_add_test(tw, test_duplicate_date_first_wins);
    suite_add_tcase(s, tw);
    TCase *ts = tcase_create("standards");
    tcase_add_test(ts, test_standard_lookup);
    tcase_add_test(ts, test_standard_order_independent);
    tcase_add_test(ts, test_shipped_standards);
    suite_add_tcase(s, ts);
    return s;
}
