/* date.c - civil dates (see date.h).
 *
 * Owns: conversions between y-m-d and day numbers (Howard Hinnant's
 * days_from_civil algorithm) and the strict text forms the contract uses.
 * Pure: no allocation, no I/O, no locale.
 */
#include "base/date.h"

#include <stdio.h>

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap(y)) ? 29 : dim[m - 1];
}

int date_from_ymd(int y, int m, int d)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return DATE_INVALID;
    y -= m <= 2;
    int era = y / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_to_ymd(int z, int *yp, int *mp, int *dp)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp0 = (5 * doy + 2) / 153;
    int d = doy - (153 * mp0 + 2) / 5 + 1;
    int m = mp0 < 10 ? mp0 + 3 : mp0 - 9;
    *yp = y + (m <= 2);
    *mp = m;
    *dp = d;
}

int date_weekday(int days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int w = (days + 3) % 7;
    return w < 0 ? w + 7 : w;
}

int date_to_ymd_int(int days)
{
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int date_parse(const char *s, size_t len, int *out)
{
    int y, m, d;
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
        return -1;
    int v = date_from_ymd(y, m, d);
    if (v == DATE_INVALID)
        return -1;
    *out = v;
    return 0;
}

int month_parse(const char *s, size_t len, int *out)
{
    int y, m;
    if (len != 7 || s[4] != '-')
        return -1;
    if (digits(s, 4, &y) || digits(s + 5, 2, &m) || y < 1 || m < 1 || m > 12)
        return -1;
    *out = y * 12 + (m - 1);
    return 0;
}

int date_month(int days)
{
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    return y * 12 + (m - 1);
}

void date_format(int days, char buf[11])
{
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

void month_format(int month, char buf[8])
{
    snprintf(buf, 8, "%04u-%02u", (unsigned)(month / 12) % 10000u,
             (unsigned)(month % 12 + 1) % 100u);
}

int date_age_years(int birth, int on)
{
    int by, bm, bd, oy, om, od;
    date_to_ymd(birth, &by, &bm, &bd);
    date_to_ymd(on, &oy, &om, &od);
    int age = oy - by;
    if (om < bm || (om == bm && od < bd))
        age--;
    return age;
}
