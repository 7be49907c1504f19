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

int calendar_working_days(const struct calendar *c, int from, int to)
{
    int n = 0;
    for (int d = from + 1; d <= to; d++)
        n += calendar_is_working(c, d);
    return n;
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
