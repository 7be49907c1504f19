/* feedcheck.c - feeds that look incomplete (see feedcheck.h).
 *
 * Owns: the three checks (required feed empty, social-insurance months of
 * the income window, drop since the previous run), their messages, and the
 * names --accept-drop takes.  Never reads a file, never prints, never
 * allocates; the previous counts come in as numbers.
 *
 * Drops are compared exactly: (prev - now) / prev > num / den, cross-
 * multiplied in 128 bits.  The percentages in the messages are for people
 * and are the only floating point here.
 */
#include "engine/feedcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"

const char feedcheck_feed_list[] = "households, members, hukou, vehicles, property, "
                                   "social_insurance, business, public_servants, "
                                   "staff_relatives, candidates, financial_assets, funeral";

void feed_rows_init(struct feed_rows *r)
{
    memset(r, 0, sizeof *r);
    for (int f = 0; f < N_INPUT; f++)
        r->data_rows[f] = -1;
}

int feedcheck_is_feed(int f)
{
    /* standards, holidays: policy tables, never compared */
    return f >= 0 && f < N_INPUT && feed_decls[f].need != IN_POLICY_TABLE;
}

int feedcheck_feed_index(const char *name)
{
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".csv") == 0)
        n -= 4;
    for (int f = 0; f < N_INPUT; f++) {
        if (!feedcheck_is_feed(f))
            continue;
        const char *s = input_file_names[f];
        if (strlen(s) == n + 4 && strncmp(s, name, n) == 0)
            return f;
    }
    return -1;
}

void feedcheck_si_months(const struct si_row *rows, size_t n, int first, int last,
                         unsigned char *seen)
{
    if (last < first)
        return;
    int want = last - first + 1, got = 0;
    memset(seen, 0, (size_t)want);
    for (size_t i = 0; i < n && got < want; i++) {
        int m = rows[i].month;
        if (m >= first && m <= last && !seen[m - first]) {
            seen[m - first] = 1;
            got++;
        }
    }
}

/* ---------- bounded message text ---------- */

struct text {
    char *s;
    size_t cap, n;
};

/* Append, or leave t as it was and return -1 when it does not fit whole. */
__attribute__((format(printf, 2, 3))) static int put(struct text *t, const char *fmt, ...)
{
    if (t->n >= t->cap)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= t->cap - t->n) {
        t->s[t->n] = '\0';
        return -1;
    }
    t->n += (size_t)k;
    return 0;
}

/* 100 * num / den as "20%" or "12.5%" (at most 4 decimals, trailing zeros cut). */
static void pct_text(struct rational r, char *out, size_t n)
{
    __int128 v = (__int128)r.num * 1000000 / r.den;   /* millionths of a percent */
    long long whole = (long long)(v / 10000), frac = (long long)(v % 10000);
    if (frac == 0) {
        snprintf(out, n, "%lld%%", whole);
        return;
    }
    int digits = 4;
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    snprintf(out, n, "%lld.%0*lld%%", whole, digits, frac);
}

/* The fall from prev to now as "-32.6%", with enough decimals that it does
 * not read as equal to the limit it exceeds. */
static void fall_text(long long now, long long prev, struct rational lim, char *out, size_t n)
{
    double fall = 100.0 * (double)(prev - now) / (double)prev;
    double limit = 100.0 * (double)lim.num / (double)lim.den;
    for (int prec = 1; prec <= 4; prec++) {
        snprintf(out, n, "-%.*f%%", prec, fall);
        double shown;
        if (sscanf(out + 1, "%lf", &shown) == 1 && shown > limit)
            return;
    }
}

/* The message: items joined by "; ", " (and N more)" when some did not
 * fit, then the tail.  Into e as E_DATA. */
static int fail(struct err *e, const char *items, int more, const char *tail)
{
    char more_s[48] = "";
    if (more)
        snprintf(more_s, sizeof more_s, " (and %d more)", more);
    return ERR(e, E_DATA, "%s%s%s", items, more_s, tail);
}

/* ---------- the checks ---------- */

static int check_required(const struct feedcheck_in *in, struct err *e)
{
    char buf[360];
    struct text t = {buf, sizeof buf, 0};
    buf[0] = '\0';
    int n = 0, more = 0;
    for (int f = 0; f < N_INPUT; f++) {
        const struct filestat *fs = &in->files[f];
        if (feed_decls[f].need != IN_REQUIRED || !fs->present || fs->accepted > 0)
            continue;
        int ok;
        if (fs->data_rows == 0)
            ok = put(&t, "%s%s: 0 accepted data rows (required feed; the file has no data "
                         "rows, only its header)",
                     n ? "; " : "", input_file_names[f]);
        else
            ok = put(&t, "%s%s: 0 accepted data rows (required feed; all %lld data rows "
                         "rejected)",
                     n ? "; " : "", input_file_names[f], fs->data_rows);
        if (ok == 0)
            n++;
        else
            more++;
    }
    if (n + more == 0)
        return E_OK;
    return fail(e, buf, more,
                ": an empty feed would turn into false 漏保 leads and missed 错保; get a "
                "complete export and run again. Nothing was published");
}

static int check_si_months(const struct feedcheck_in *in, struct err *e)
{
    const struct filestat *fs = &in->files[IN_SI];
    if (!fs->present || in->window_last < in->window_first || !in->si_month_seen)
        return E_OK;
    char buf[300];
    struct text t = {buf, sizeof buf, 0};
    buf[0] = '\0';
    int n = 0, more = 0;
    for (int m = in->window_first; m <= in->window_last; m++) {
        if (in->si_month_seen[m - in->window_first])
            continue;
        char ms[8];
        month_format(m, ms);
        if (put(&t, "%s%s", n ? ", " : "", ms) == 0)
            n++;
        else
            more++;
    }
    if (n + more == 0)
        return E_OK;
    char first[8], last[8];
    month_format(in->window_first, first);
    month_format(in->window_last, last);
    char head[64], tail[200];
    snprintf(head, sizeof head, "%s has no accepted row for ", input_file_names[IN_SI]);
    snprintf(tail, sizeof tail, " (income window %s..%s): judge an earlier --as-of or get a "
                                "fresh feed. Nothing was published", first, last);
    char items[sizeof head + sizeof buf];
    snprintf(items, sizeof items, "%s%s", head, buf);
    return fail(e, items, more, tail);
}

static int check_drops(const struct feedcheck_in *in, struct feedcheck_out *out, struct err *e)
{
    const struct feed_rows *pr = in->prev;
    if (!pr || !pr->known)
        return E_OK;
    char buf[300], abuf[170];
    struct text t = {buf, sizeof buf, 0}, a = {abuf, sizeof abuf, 0};
    buf[0] = abuf[0] = '\0';
    int n = 0, more = 0;
    char lim[32];
    pct_text(in->drop_limit, lim, sizeof lim);
    for (int f = 0; f < N_INPUT; f++) {
        const struct filestat *fs = &in->files[f];
        /* an optional feed that came last time and is absent now fell to 0
         * rows: a missed export, not a policy change (accept it by name) */
        long long now = fs->present ? fs->data_rows : 0, prev = pr->data_rows[f];
        if (!feedcheck_is_feed(f) || fs->from_rules || prev <= 0 || now >= prev)
            continue;
        if ((__int128)(prev - now) * in->drop_limit.den <= (__int128)in->drop_limit.num * prev)
            continue;
        if (in->accept_drop & (1u << f)) {
            out->accepted[out->n_accepted++] = (struct feed_drop){f, now, prev};
            continue;
        }
        char fall[32], name[32];
        fall_text(now, prev, in->drop_limit, fall, sizeof fall);
        snprintf(name, sizeof name, "%.*s", (int)(strlen(input_file_names[f]) - 4),
                 input_file_names[f]);
        size_t tn = t.n, an = a.n;
        if (put(&t, "%s%s: %s%lld data rows, %lld in the previous run (%s > %s)",
                n ? "; " : "", input_file_names[f], fs->present ? "" : "absent, so ", now,
                prev, fall, lim) == 0 &&
            put(&a, "%s--accept-drop %s", n ? " " : "", name) == 0) {
            n++;
        } else {
            t.n = tn;
            a.n = an;
            buf[tn] = abuf[an] = '\0';
            more++;
        }
    }
    if (n + more == 0)
        return E_OK;
    char tail[128 + sizeof abuf + sizeof pr->from];   /* room for both: nothing cut */
    snprintf(tail, sizeof tail, ": check the export%s, or accept with %s for this run. Nothing "
                                "was published. Previous run: %s",
             n + more > 1 ? "s" : "", abuf, pr->from[0] ? pr->from : "(unnamed)");
    return fail(e, buf, more, tail);
}

int feedcheck_run(const struct feedcheck_in *in, struct feedcheck_out *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    int st = check_required(in, e);
    if (st == E_OK)
        st = check_si_months(in, e);
    if (st == E_OK)
        st = check_drops(in, out, e);
    return st;
}
