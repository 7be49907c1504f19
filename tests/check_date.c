/* check_date.c - unit tests for date.c and num.c (dates, months, exact decimals).
 *
 * Owns: the date suite.  Tests only through the date.h and num.h APIs; pure
 * functions, no files.  Expected day numbers and weekdays were computed
 * independently (Python's datetime: days since 1970-01-01, Monday = 0).
 */
#include <stdint.h>
#include <string.h>

#include "base/date.h"
#include "base/num.h"
#include "tests.h"

/* date_parse on a NUL-terminated literal (its full length). */
static int dparse(const char *s, int *out)
{
    return date_parse(s, strlen(s), out);
}

static int mparse(const char *s, int *out)
{
    return month_parse(s, strlen(s), out);
}

static enum num_status money(const char *s, int64_t *out)
{
    return num_parse_money(s, strlen(s), out);
}

static enum num_status share(const char *s, int64_t *out)
{
    return num_parse_share(s, strlen(s), out);
}

/* ---------- dates ---------- */

START_TEST(test_known_day_numbers)
{
    ck_assert_int_eq(date_from_ymd(1970, 1, 1), 0);
    ck_assert_int_eq(date_from_ymd(1969, 12, 31), -1);
    ck_assert_int_eq(date_from_ymd(2000, 3, 1), 11017);
    ck_assert_int_eq(date_from_ymd(2024, 2, 29), 19782);
    ck_assert_int_eq(date_from_ymd(2026, 6, 15), 20619);
    ck_assert_int_eq(date_from_ymd(1900, 1, 1), -25567);
    ck_assert_int_eq(date_from_ymd(1600, 3, 1), -135080);
    ck_assert_int_eq(date_from_ymd(1, 1, 1), -719162);
    ck_assert_int_eq(date_from_ymd(9999, 12, 31), 2932896);

    /* not real dates */
    ck_assert_int_eq(date_from_ymd(2023, 2, 29), DATE_INVALID);
    ck_assert_int_eq(date_from_ymd(1900, 2, 29), DATE_INVALID);   /* century, not leap */
    ck_assert_int_ne(date_from_ymd(2000, 2, 29), DATE_INVALID);   /* 400-year leap */
    ck_assert_int_eq(date_from_ymd(2026, 4, 31), DATE_INVALID);
    ck_assert_int_eq(date_from_ymd(2026, 13, 1), DATE_INVALID);
    ck_assert_int_eq(date_from_ymd(2026, 0, 1), DATE_INVALID);
    ck_assert_int_eq(date_from_ymd(2026, 1, 0), DATE_INVALID);
    ck_assert_int_eq(date_from_ymd(2026, 1, 32), DATE_INVALID);
    ck_assert_int_eq(date_from_ymd(0, 1, 1), DATE_INVALID);
    ck_assert_int_eq(date_from_ymd(10000, 1, 1), DATE_INVALID);
}
END_TEST

START_TEST(test_date_parse_strict)
{
    int d = 12345;
    ck_assert_int_eq(dparse("2024-02-29", &d), 0);
    ck_assert_int_eq(d, 19782);
    ck_assert_int_eq(dparse("2026-06-15", &d), 0);
    ck_assert_int_eq(d, 20619);
    ck_assert_int_eq(dparse("1970-01-01", &d), 0);
    ck_assert_int_eq(d, 0);

    static const char *const bad[] = {
        "2023-02-29",   /* not a leap year */
        "2026-13-01",   /* month 13 */
        "2026-00-10",
        "2026-06-00",
        "2026-06-31",
        "2026-6-1",     /* not zero-padded */
        "2026-06-1",
        "2026-06-15x",  /* trailing characters */
        "2026-06-15 ",
        " 2026-06-15",
        "2026/06/15",
        "20260615",
        "2026-06",
        "0000-01-01",
        "２０２６-06-15",
        "2026-0a-15",
        "+026-06-15",
        "2026--6-15",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = 777;
        ck_assert_msg(dparse(bad[i], &d) == -1, "'%s' parsed", bad[i]);
        ck_assert_msg(d == 777, "'%s' wrote *out on failure", bad[i]);
    }

    /* The length is respected: a valid prefix of a longer buffer. */
    ck_assert_int_eq(date_parse("2026-06-15T00:00", 10, &d), 0);
    ck_assert_int_eq(d, 20619);
    ck_assert_int_eq(date_parse("2026-06-15", 9, &d), -1);
}
END_TEST

START_TEST(test_month_parse)
{
    int m = 0;
    ck_assert_int_eq(mparse("2026-06", &m), 0);
    ck_assert_int_eq(m, 2026 * 12 + 5);
    ck_assert_int_eq(mparse("2026-01", &m), 0);
    ck_assert_int_eq(m, 2026 * 12);
    ck_assert_int_eq(mparse("2025-12", &m), 0);
    ck_assert_int_eq(m, 2026 * 12 - 1);

    static const char *const bad[] = {"2026-13", "2026-00", "2026-6", "0000-01",
                                      "2026-06-", "2026-06-15", "202606", "2026/06",
                                      "2026-0x", " 2026-06", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = 99;
        ck_assert_msg(mparse(bad[i], &m) == -1, "'%s' parsed", bad[i]);
        ck_assert_msg(m == 99, "'%s' wrote *out on failure", bad[i]);
    }

    char buf[8];
    month_format(2026 * 12 + 5, buf);
    ck_assert_str_eq(buf, "2026-06");
    month_format(1999 * 12 + 11, buf);
    ck_assert_str_eq(buf, "1999-12");
    ck_assert_int_eq(date_month(date_from_ymd(2026, 6, 30)), 2026 * 12 + 5);
    ck_assert_int_eq(date_month(date_from_ymd(2026, 7, 1)), 2026 * 12 + 6);
    ck_assert_int_eq(date_month(date_from_ymd(1969, 12, 31)), 1969 * 12 + 11);
}
END_TEST

START_TEST(test_weekday)
{
    ck_assert_int_eq(date_weekday(date_from_ymd(2026, 6, 15)), 0);   /* Monday */
    ck_assert_int_eq(date_weekday(date_from_ymd(2026, 6, 14)), 6);   /* Sunday */
    ck_assert_int_eq(date_weekday(date_from_ymd(2026, 5, 9)), 5);    /* Saturday */
    ck_assert_int_eq(date_weekday(0), 3);                            /* 1970-01-01 Thursday */
    ck_assert_int_eq(date_weekday(-1), 2);                           /* 1969-12-31 Wednesday */
    ck_assert_int_eq(date_weekday(date_from_ymd(1900, 1, 1)), 0);    /* Monday */
    ck_assert_int_eq(date_weekday(date_from_ymd(2000, 3, 1)), 2);    /* Wednesday */
    ck_assert_int_eq(date_weekday(date_from_ymd(2024, 2, 29)), 3);   /* Thursday */
    ck_assert_int_eq(date_weekday(date_from_ymd(1, 1, 1)), 0);       /* Monday */
    ck_assert_int_eq(date_weekday(date_from_ymd(9999, 12, 31)), 4);  /* Friday */
}
END_TEST

START_TEST(test_age_years)
{
    int b = date_from_ymd(2008, 6, 15);
    ck_assert_int_eq(date_age_years(b, date_from_ymd(2026, 6, 14)), 17);
    ck_assert_int_eq(date_age_years(b, date_from_ymd(2026, 6, 15)), 18);
    ck_assert_int_eq(date_age_years(b, date_from_ymd(2026, 6, 16)), 18);
    ck_assert_int_eq(date_age_years(b, date_from_ymd(2026, 5, 31)), 17);
    ck_assert_int_eq(date_age_years(b, date_from_ymd(2026, 7, 1)), 18);
    ck_assert_int_eq(date_age_years(b, b), 0);
    ck_assert_int_eq(date_age_years(b, b + 1), 0);
    ck_assert_int_eq(date_age_years(date_from_ymd(2007, 12, 31), date_from_ymd(2026, 1, 1)), 18);
    ck_assert_int_eq(date_age_years(date_from_ymd(2008, 1, 1), date_from_ymd(2025, 12, 31)), 17);

    /* Born on 29 February: in a common year the birthday is passed on 1 March. */
    int leap = date_from_ymd(2008, 2, 29);
    ck_assert_int_eq(date_age_years(leap, date_from_ymd(2026, 2, 28)), 17);
    ck_assert_int_eq(date_age_years(leap, date_from_ymd(2026, 3, 1)), 18);
    ck_assert_int_eq(date_age_years(leap, date_from_ymd(2028, 2, 28)), 19);
    ck_assert_int_eq(date_age_years(leap, date_from_ymd(2028, 2, 29)), 20);
    ck_assert_int_eq(date_age_years(leap, date_from_ymd(2009, 2, 28)), 0);
    ck_assert_int_eq(date_age_years(leap, date_from_ymd(2009, 3, 1)), 1);

    /* Before 1970 (negative day numbers). */
    ck_assert_int_eq(date_age_years(date_from_ymd(1949, 12, 31), date_from_ymd(2026, 6, 15)), 76);
    ck_assert_int_eq(date_age_years(date_from_ymd(1950, 6, 16), date_from_ymd(2026, 6, 15)), 75);
}
END_TEST

START_TEST(test_round_trip)
{
    int from = date_from_ymd(1899, 1, 1), to = date_from_ymd(2101, 12, 31);
    int py = 1898, pm = 12, pd = 31;
    int pw = date_weekday(from - 1);
    for (int day = from; day <= to; day++) {
        int y, m, d;
        date_to_ymd(day, &y, &m, &d);
        /* consecutive: the next calendar day */
        int next = d == 1 ? (m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1)
                          : (y == py && m == pm && d == pd + 1);
        if (!next)
            ck_abort_msg("day %d: %04d-%02d-%02d after %04d-%02d-%02d", day, y, m, d, py, pm, pd);
        if (date_from_ymd(y, m, d) != day)
            ck_abort_msg("day %d: date_from_ymd(%d, %d, %d) = %d", day, y, m, d,
                         date_from_ymd(y, m, d));
        if (date_to_ymd_int(day) != y * 10000 + m * 100 + d)
            ck_abort_msg("day %d: date_to_ymd_int %d", day, date_to_ymd_int(day));
        if (date_weekday(day) != (pw + 1) % 7)
            ck_abort_msg("day %d: weekday %d after %d", day, date_weekday(day), pw);
        if (date_month(day) != y * 12 + m - 1)
            ck_abort_msg("day %d: date_month %d", day, date_month(day));
        char buf[11];
        date_format(day, buf);
        int back = DATE_INVALID;
        if (date_parse(buf, strlen(buf), &back) != 0 || back != day)
            ck_abort_msg("day %d: '%s' parses to %d", day, buf, back);
        py = y;
        pm = m;
        pd = d;
        pw = date_weekday(day);
    }
    ck_assert_int_eq(py, 2101);
    ck_assert_int_eq(pm, 12);
    ck_assert_int_eq(pd, 31);
}
END_TEST

/* Every day from 0001-01-01 to 9999-12-31 converts both ways. */
START_TEST(test_full_range)
{
    int from = date_from_ymd(1, 1, 1), to = date_from_ymd(9999, 12, 31);
    ck_assert_int_eq(to - from + 1, 3652059);   /* 10000 years minus year 0 */
    int w = date_weekday(from);
    for (int day = from; day <= to; day++) {
        int y, m, d;
        date_to_ymd(day, &y, &m, &d);
        if (date_from_ymd(y, m, d) != day || date_weekday(day) != w)
            ck_abort_msg("day %d -> %04d-%02d-%02d -> %d, weekday %d want %d", day, y, m, d,
                         date_from_ymd(y, m, d), date_weekday(day), w);
        w = (w + 1) % 7;
    }
}
END_TEST

START_TEST(test_date_format)
{
    char buf[11];
    date_format(20619, buf);
    ck_assert_str_eq(buf, "2026-06-15");
    date_format(-25567, buf);
    ck_assert_str_eq(buf, "1900-01-01");
    date_format(date_from_ymd(5, 3, 7), buf);
    ck_assert_str_eq(buf, "0005-03-07");
    ck_assert_int_eq(date_to_ymd_int(date_from_ymd(1980, 1, 1)), 19800101);
}
END_TEST

/* ---------- exact decimals ---------- */

START_TEST(test_money)
{
    int64_t v = -1;
    ck_assert_int_eq(money("12", &v), NUM_OK);
    ck_assert_int_eq(v, 1200);
    ck_assert_int_eq(money("12.5", &v), NUM_OK);
    ck_assert_int_eq(v, 1250);
    ck_assert_int_eq(money("12.50", &v), NUM_OK);
    ck_assert_int_eq(v, 1250);
    ck_assert_int_eq(money("0.05", &v), NUM_OK);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(money("0", &v), NUM_OK);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(money("30000.01", &v), NUM_OK);
    ck_assert_int_eq(v, 3000001);
    ck_assert_int_eq(money("007.10", &v), NUM_OK);
    ck_assert_int_eq(v, 710);
    ck_assert_int_eq(money("1.000", &v), NUM_OK);   /* zeros past the cent are exact */
    ck_assert_int_eq(v, 100);
    ck_assert_int_eq(money("92233720368547757.99", &v), NUM_OK);
    ck_assert(v == INT64_C(9223372036854775799));

    v = 4242;
    ck_assert_int_eq(money("-1", &v), NUM_NEGATIVE);
    ck_assert_int_eq(money("-0.01", &v), NUM_NEGATIVE);
    ck_assert_int_eq(money("1.005", &v), NUM_TOO_PRECISE);
    ck_assert_int_eq(money("0.001", &v), NUM_TOO_PRECISE);
    ck_assert_int_eq(money("1e5", &v), NUM_BAD);
    ck_assert_int_eq(money("", &v), NUM_EMPTY);
    ck_assert_int_eq(money("99999999999999999999", &v), NUM_TOO_BIG);
    ck_assert_int_eq(money("100000000000000000", &v), NUM_TOO_BIG);   /* 1e17 yuan = 1e19 fen */
    ck_assert_int_eq(money("92233720368547758.08", &v), NUM_TOO_BIG);
    ck_assert_int_eq(money(".5", &v), NUM_BAD);
    ck_assert_int_eq(money("12.", &v), NUM_BAD);
    ck_assert_int_eq(money("1,000", &v), NUM_BAD);
    ck_assert_int_eq(money(" 12", &v), NUM_BAD);
    ck_assert_int_eq(money("12 ", &v), NUM_BAD);
    ck_assert_int_eq(money("12.5.0", &v), NUM_BAD);
    ck_assert_int_eq(money("abc", &v), NUM_BAD);
    ck_assert_int_eq(money("１２", &v), NUM_BAD);
    ck_assert_int_eq(money("NaN", &v), NUM_BAD);
    ck_assert_int_eq(money("0x10", &v), NUM_BAD);
    ck_assert_int_eq(v, 4242);   /* untouched on failure */

    /* the length is respected */
    ck_assert_int_eq(num_parse_money("12.345", 4, &v), NUM_OK);
    ck_assert_int_eq(v, 1230);
    ck_assert_int_eq(num_parse_money("7", 0, &v), NUM_EMPTY);

    /* other precisions: areas have 2 decimals, a scale above max_dec pads */
    ck_assert_int_eq(num_parse_fixed("1.5", 3, 1, 3, &v), NUM_OK);
    ck_assert_int_eq(v, 1500);
    ck_assert_int_eq(num_parse_fixed("1.55", 4, 1, 3, &v), NUM_TOO_PRECISE);
    ck_assert_int_eq(num_parse_fixed("42", 2, 0, 0, &v), NUM_OK);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(num_parse_fixed("42.1", 4, 0, 0, &v), NUM_TOO_PRECISE);
}
END_TEST

START_TEST(test_share)
{
    int64_t v = -1;
    ck_assert_int_eq(share("1", &v), NUM_OK);
    ck_assert(v == SHARE_ONE);
    ck_assert_int_eq(share("0.5", &v), NUM_OK);
    ck_assert(v == 500000000);
    ck_assert_int_eq(share("0.333333333", &v), NUM_OK);
    ck_assert(v == 333333333);
    ck_assert_int_eq(share("0.3333333330", &v), NUM_OK);
    ck_assert(v == 333333333);
    ck_assert_int_eq(share("0.000000001", &v), NUM_OK);
    ck_assert(v == 1);
    ck_assert_int_eq(share("0", &v), NUM_OK);   /* range is the caller's business */
    ck_assert(v == 0);
    ck_assert_int_eq(share("1.5", &v), NUM_OK);
    ck_assert(v == 1500000000);
    ck_assert_int_eq(share("0.3333333333", &v), NUM_TOO_PRECISE);
    ck_assert_int_eq(share("-0.5", &v), NUM_NEGATIVE);
    ck_assert_int_eq(share("1/3", &v), NUM_BAD);
    ck_assert_int_eq(share("", &v), NUM_EMPTY);
    ck_assert_int_eq(share("50%", &v), NUM_BAD);
}
END_TEST

START_TEST(test_format)
{
    char buf[48];
    num_format(8600000, 2, buf);
    ck_assert_str_eq(buf, "86000");
    num_format(3000001, 2, buf);
    ck_assert_str_eq(buf, "30000.01");
    num_format(50, 2, buf);
    ck_assert_str_eq(buf, "0.5");
    num_format(5, 2, buf);
    ck_assert_str_eq(buf, "0.05");
    num_format(0, 2, buf);
    ck_assert_str_eq(buf, "0");
    num_format(-150, 2, buf);
    ck_assert_str_eq(buf, "-1.5");
    num_format(-5, 2, buf);
    ck_assert_str_eq(buf, "-0.05");
    num_format(42, 0, buf);
    ck_assert_str_eq(buf, "42");
    num_format(333333333, 9, buf);
    ck_assert_str_eq(buf, "0.333333333");
    num_format(1, 9, buf);
    ck_assert_str_eq(buf, "0.000000001");
    num_format(SHARE_ONE, 9, buf);
    ck_assert_str_eq(buf, "1");
    num_format(INT64_MAX, 2, buf);
    ck_assert_str_eq(buf, "92233720368547758.07");
    num_format(INT64_MIN, 2, buf);
    ck_assert_str_eq(buf, "-92233720368547758.08");

    /* format then parse gives the number back */
    static const int64_t vals[] = {0, 1, 9, 10, 99, 100, 101, 12345, 3000000, 3000001,
                                   123456789012};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        int64_t back = -1;
        num_format(vals[i], 2, buf);
        ck_assert_int_eq(num_parse_money(buf, strlen(buf), &back), NUM_OK);
        ck_assert(back == vals[i]);
    }
}
END_TEST

/* two decimals always; a fraction of a fen cut toward zero, "..." after */
START_TEST(test_format_yuan)
{
    char buf[64];
    num_format_yuan(1449900, 1, buf);
    ck_assert_str_eq(buf, "14499.00");
    num_format_yuan(50, 1, buf);
    ck_assert_str_eq(buf, "0.50");
    num_format_yuan(0, 1, buf);
    ck_assert_str_eq(buf, "0.00");
    num_format_yuan(1449900, 12, buf);           /* 14499.00 / 2 / 6 */
    ck_assert_str_eq(buf, "1208.25");
    num_format_yuan(720001, 6, buf);             /* 7200.01 / 6 = 1200.0016... */
    ck_assert_str_eq(buf, "1200.00...");
    num_format_yuan(105001 * 3, 2, buf);         /* 1050.01 x 1.5 = 1575.015 */
    ck_assert_str_eq(buf, "1575.01...");
    num_format_yuan(-150, 1, buf);
    ck_assert_str_eq(buf, "-1.50");
    num_format_yuan(-1, 3, buf);
    ck_assert_str_eq(buf, "-0.00...");
    num_format_yuan(7, -2, buf);                 /* the sign of a negative denominator */
    ck_assert_str_eq(buf, "-0.03...");
    __int128 big = (__int128)INT64_MAX * 1000;
    num_format_yuan(big, 1, buf);
    ck_assert_str_eq(buf, "92233720368547758070.00");
}
END_TEST

START_TEST(test_status_text)
{
    static const enum num_status all[] = {NUM_OK, NUM_EMPTY, NUM_BAD, NUM_NEGATIVE,
                                          NUM_TOO_PRECISE, NUM_TOO_BIG};
    size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        const char *t = num_status_text(all[i]);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_gt((int)strlen(t), 0);
        ck_assert_str_ne(t, "?");
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(t, num_status_text(all[j]));
    }
    ck_assert_str_eq(num_status_text(NUM_NEGATIVE), "negative");
}
END_TEST

/* num_parse_fixed against a plain reference on random short strings: OK
 * exactly when the form is digits,
 * optionally '.' and digits (those past max_dec all zeros), with the
 * value scaled; -1 for a value from 10^17 up (where "too large" starts,
 * not compared).  Covers the one-pass form (parse_plain) and its fall
 * back to the general parser. */
static int ref_fixed(const char *s, size_t len, int max_dec, int scale, int64_t *out)
{
    size_t i = 0;
    if (len && s[0] == '+')
        i = 1;
    size_t a = i;
    __int128 v = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (s[i] - '0');
    if (i == a)
        return 0;
    int nd = 0;
    if (i < len && s[i] == '.') {
        size_t b = ++i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (nd < max_dec)
                v = v * 10 + (s[i] - '0'), nd++;
            else if (s[i] != '0')
                return 0;
        }
        if (i == b)
            return 0;
    }
    if (i != len)
        return 0;
    for (; nd < scale; nd++)
        v *= 10;
    if (v >= (__int128)100000000000000000)
        return -1;
    *out = (int64_t)v;
    return 1;
}

START_TEST(test_fixed_matches_reference)
{
    static const char abc[] = "0123456789012345678900.+-x ";
    uint64_t x = 0x243F6A8885A308D3ULL;
    int ok = 0;
    for (int iter = 0; iter < 300000; iter++) {
        char buf[20];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 18);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* mostly digits and dots, now and then anything */
            buf[i] = abc[x % (x % 8 ? sizeof abc - 6 : sizeof abc - 1)];
        }
        int max_dec = iter % 3 ? 2 : 9, scale = max_dec;
        int64_t got = -1, want = -1;
        enum num_status st = num_parse_fixed(buf, n, max_dec, scale, &got);
        int r = ref_fixed(buf, n, max_dec, scale, &want);
        if (r < 0)
            continue;
        ck_assert_msg((st == NUM_OK) == r, "'%.*s': status %d, reference %d", (int)n, buf, st, r);
        if (r) {
            ck_assert_msg(got == want, "'%.*s': %lld, reference %lld", (int)n, buf,
                          (long long)got, (long long)want);
            ok++;
        }
    }
    ck_assert_int_gt(ok, 30000);
}
END_TEST

Suite *date_suite(void)
{
    Suite *s = suite_create("date");
    TCase *tc = tcase_create("date");
    tcase_add_test(tc, test_known_day_numbers);
    tcase_add_test(tc, test_date_parse_strict);
    tcase_add_test(tc, test_month_parse);
    tcase_add_test(tc, test_weekday);
    tcase_add_test(tc, test_age_years);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_full_range);
    tcase_add_test(tc, test_date_format);
    suite_add_tcase(s, tc);
    TCase *tn = tcase_create("num");
    tcase_add_test(tn, test_money);
    tcase_add_test(tn, test_share);
    tcase_add_test(tn, test_format);
    tcase_add_test(tn, test_format_yuan);
    tcase_add_test(tn, test_status_text);
    tcase_add_test(tn, test_fixed_matches_reference);
    suite_add_tcase(s, tn);
    return s;
}
