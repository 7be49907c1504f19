/* calendar.h - working days (the policy's working_days) and the standard in
 * force (a household's or candidate's standard, standard_of).
 *
 * Built once from holidays.csv and standards.csv rows, then read-only and
 * safe to share between threads.
 */
#ifndef ENGINE_CALENDAR_H
#define ENGINE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "contract/model.h"

struct calendar {
    struct holiday *days;   /* sorted by date, one entry per date; malloc'd */
    size_t n;
};

/* Copy and sort the holiday rows (the first row for a date wins). */
int calendar_build(struct calendar *c, const struct holiday *rows, size_t n, struct err *e);
void calendar_free(struct calendar *c);
/* 1 if `day` is a working day: a `workday` entry, or Mon-Fri without a
 * `holiday` entry. */
int calendar_is_working(const struct calendar *c, int day);
/* Working days d with from < d <= to (0 when to <= from). */
int calendar_working_days(const struct calendar *c, int from, int to);

/* The standard for a region and area type on `on`: among rows whose
 * prefix is a prefix of region, with that area type and effective_from <=
 * on, the longest prefix wins and within it the latest effective_from.
 * Returns the row or NULL when none applies. */
const struct standard *standard_lookup(const struct standard *rows, size_t n,
                                       const char *region, int area, int on);

#endif
