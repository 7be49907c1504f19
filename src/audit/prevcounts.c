/* prevcounts.c - the previous run's per-feed data-row counts (see
 * prevcounts.h).
 *
 * Owns: reading the counts out of a published run's manifest.json and out
 * of a state's history rows (review.c reads and writes history.csv).  Never decides
 * whether a drop stops the run (engine/feedcheck.c does) and never prints:
 * a missing count becomes a note the caller prints.
 *
 * The manifest is hedui's own (out/write.c): its "inputs" array comes
 * before any long list, one object per file in input order, keys in a
 * fixed order.  Inside JSON strings every '"' is escaped, so a key written
 * with its quotes ("data_rows": ) can only match a key, never a path.  Only
 * the head of the file is read: the inputs end long before 1 MiB.
 */
#include "audit/prevcounts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/review.h"

#define MANIFEST_HEAD_MAX ((size_t)1 << 20)

/* The non-negative integer after `key` in [s, end), or -1. */
static long long num_after(const char *s, const char *end, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = s; p + kl <= end; p++) {
        if (memcmp(p, key, kl) != 0)
            continue;
        p += kl;
        long long v = 0;
        int digits = 0;
        while (p < end && *p >= '0' && *p <= '9' && digits < 18) {
            v = v * 10 + (*p++ - '0');
            digits++;
        }
        return digits ? v : -1;
    }
    return -1;
}

static const char *find_in(const char *s, const char *end, const char *needle)
{
    size_t nl = strlen(needle);
    for (const char *p = s; p + nl <= end; p++)
        if (memcmp(p, needle, nl) == 0)
            return p;
    return NULL;
}

int prevcounts_from_dir(const char *dir, struct feed_rows *out, struct err *e)
{
    feed_rows_init(out);
    snprintf(out->from, sizeof out->from, "the run in %s", dir);
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(out->note, sizeof out->note, "--previous %s: cannot read manifest.json (%s), "
                 "so feed sizes are not compared with that run", dir, strerror(errno));
        return E_OK;
    }
    char *buf = malloc(MANIFEST_HEAD_MAX + 1);
    if (!buf) {
        fclose(f);
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    }
    size_t n = fread(buf, 1, MANIFEST_HEAD_MAX, f);
    fclose(f);
    buf[n] = '\0';
    const char *end = buf + n;
    const char *in = find_in(buf, end, "\"inputs\": [");
    const char *stop = in ? find_in(in, end, "\"rules_skipped\"") : NULL;
    int found = 0;
    for (int i = 0; in && stop && i < N_INPUT; i++) {
        if (!feedcheck_is_feed(i))
            continue;   /* a policy table */
        char key[64];
        snprintf(key, sizeof key, "{\"file\": \"%s\"", input_file_names[i]);
        const char *o = find_in(in, stop, key);
        if (!o)
            continue;
        const char *oend = find_in(o + 1, stop, "{\"file\": \"");
        if (!oend)
            oend = stop;
        if (!find_in(o, oend, "\"present\": true") || find_in(o, oend, "\"from_rules_dir\": true"))
            continue;
        long long v = num_after(o, oend, "\"data_rows\": ");
        if (v >= 0) {
            out->data_rows[i] = v;
            found = 1;
        }
    }
    free(buf);
    if (found)
        out->known = 1;
    else
        snprintf(out->note, sizeof out->note, "--previous %s: manifest.json has no data-row "
                 "counts of the feeds (a run of an older hedui?), so feed sizes are not "
                 "compared with that run", dir);
    return E_OK;
}

void prevcounts_from_history(const struct history_row *h, size_t n, const char *state_dir,
                             struct feed_rows *out)
{
    feed_rows_init(out);
    const struct history_row *last = NULL;
    for (size_t i = 0; i < n; i++)
        if (!last || h[i].run > last->run)
            last = &h[i];
    if (!last)
        return;   /* a first run: nothing to compare with */
    snprintf(out->from, sizeof out->from, "run %d (as of %s) of the state %s", last->run,
             last->as_of, state_dir);
    for (int f = 0; f < N_INPUT; f++) {
        if (!feedcheck_is_feed(f) || last->data_rows[f] < 0)
            continue;
        out->data_rows[f] = last->data_rows[f];
        out->known = 1;
    }
    if (!out->known)
        snprintf(out->note, sizeof out->note, "--state %s: run %d recorded no data-row counts "
                 "of the feeds (an older hedui), so feed sizes are not compared with it",
                 state_dir, last->run);
}

int prevcounts_read(const char *previous_dir, const struct review *rv, struct feed_rows *out,
                    struct err *e)
{
    if (previous_dir)
        return prevcounts_from_dir(previous_dir, out, e);
    if (rv && rv->state_dir)
        prevcounts_from_history(rv->hist, rv->n_hist, rv->state_dir, out);
    else
        feed_rows_init(out);
    return E_OK;
}
