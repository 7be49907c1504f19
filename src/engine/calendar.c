/* calendar.c - holidays, working days and standards lookup (calendar.h).
 *
 * Owns: its sorted copy of the holiday list.  Pure lookups otherwise; never
 * reads files (the rows come from normalise.c).
 */
#include "engine/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "base/date.h"

static int cmp_hol(const void *a, const void *b)
{
    const struct holiday *x = a, *y = b;
    return x->date < y->date ? -1 : x->date > y->date;
}

int calendar_build(struct calendar *c, const struct holiday *rows, size_t n, struct err *e)
{
    c->days = NULL;
    c->n = 0;
    if (n == 0)
        return E_OK;
    c->days = malloc(n * sizeof *c->days);
    if (!c->days)
        return ERR(e, E_NOMEM, "out of memory while building the holiday calendar");
    memcpy(c->days, rows, n * sizeof *rows);
    struct holiday *tmp = c->days;
    qsort(tmp, n, sizeof *tmp, cmp_hol);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out > 0 && tmp[out - 1].date == tmp[i].date) {
            /* a date listed twice: the first row in the file wins */
            for (size_t k = 0; k < n; k++)
                if (rows[k].date == tmp[i].date) {
                    tmp[out - 1] = rows[k];
                    break;
                }
            continue;
        }
        tmp[out++] = tmp[i];
    }
    c->n = out;
    return E_OK;
}

void calendar_free(struct calendar *c)
{
    free(c->days);
    c->days = NULL;
    c->n = 0;
}

int calendar_is_working(const struct calendar *c, int day)
{
    struct holiday key = {day, 0};
    const struct holiday *h =
        c->n ? bsearch(&key, c->days, c->n, sizeof *c->days, cmp_hol) : NULL;
    if (h)
        return h->kind == HOL_WORKDAY;
    return date_weekday(day) < 5;
}

/* Mon-Fri days d <= t, counted from a fixed origin (floor division, so
 * negative days count too): weekdays(b) - weekdays(a) is the number of
 * Mon-Fri days in (a, b]. */
static long long weekdays(long long t)
{
    long long m = t + 4;   /* date_weekday(t) = (t + 3) mod 7: Monday 0 */
    long long q = m >= 0 ? m / 7 : -((-m + 6) / 7);
    long long r = m - q * 7;
    return 5 * q + (r < 5 ? r : 5);
}

/* Without a day-by-day walk (the rules call this per household): the Mon-Fri
 * days, corrected by the calendar's entries inside (from, to]. */
int calendar_working_days(const struct calendar *c, int from, int to)
{
    if (to <= from)
        return 0;
    long long n = weekdays(to) - weekdays(from);
    size_t lo = 0, hi = c->n;   /* the first entry after `from` */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->days[mid].date <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < c->n && c->days[i].date <= to; i++)
        n += (c->days[i].kind == HOL_WORKDAY) - (date_weekday(c->days[i].date) < 5);
    return (int)n;
}

const struct standard *standard_lookup(const struct standard *rows, size_t n,
                                       const char *region, int area, int on)
{
    const struct standard *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct standard *s = &rows[i];
        if (s->area != area || s->effective_from > on)
            continue;
        if (strncmp(s->prefix, region, (size_t)s->prefix_len) != 0)
            continue;
        if (!best || s->prefix_len > best->prefix_len ||
            (s->prefix_len == best->prefix_len && s->effective_from > best->effective_from))
            best = s;
    }
    return best;
}
