/* date.h - calendar dates as day numbers; strict parsing of feed dates.
 *
 * A date is an int: days since 1970-01-01 (proleptic Gregorian).  A month is
 * an int: year*12 + (month-1).  Pure functions, thread-safe.
 */
#ifndef ENGINE_DATE_H
#define ENGINE_DATE_H

#include <stddef.h>

#define DATE_INVALID (-2147483647 - 1)

/* Days since 1970-01-01 for a real y-m-d; DATE_INVALID if not a real date. */
int date_from_ymd(int y, int m, int d);
void date_to_ymd(int days, int *y, int *m, int *d);
/* 0 = Monday ... 6 = Sunday. */
int date_weekday(int days);
/* yyyymmdd as an int (for idcard). */
int date_to_ymd_int(int days);

/* Strict YYYY-MM-DD (exactly 10 chars).  Returns 0 and sets *out, or -1. */
int date_parse(const char *s, size_t len, int *out);
/* Strict YYYY-MM.  Returns 0 and sets *out (year*12+month-1), or -1. */
int month_parse(const char *s, size_t len, int *out);
/* The month index of a date. */
int date_month(int days);

/* Write "YYYY-MM-DD" (11 bytes with NUL). */
void date_format(int days, char buf[11]);
/* Write "YYYY-MM" (8 bytes with NUL). */
void month_format(int month, char buf[8]);

/* Age in whole years on `on` for someone born on `birth`. */
int date_age_years(int birth, int on);

#endif
