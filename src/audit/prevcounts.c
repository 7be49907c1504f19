/* prevcounts.c - the previous run's per-feed data-row counts (see
 * prevcounts.h).
 *
 * Owns: taking the counts out of a published run's manifest (read by
 * audit/rundir.c) and out of a state's history rows (review.c reads and
 * writes history.csv).  Never decides whether a drop stops the run
 * (engine/feedcheck.c does), parses a file itself, or prints: a missing
 * count becomes a note the caller prints.
 */
#include "audit/prevcounts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/review.h"
#include "audit/rundir.h"

int prevcounts_from_dir(const char *dir, struct feed_rows *out, struct err *e)
{
    feed_rows_init(out);
    snprintf(out->from, sizeof out->from, "the run in %s", dir);
    struct arena a;
    arena_init(&a, (size_t)1 << 12);
    struct rundir rd;
    struct err re;
    err_init(&re);
    int st = rundir_read(&rd, dir, RUN_MANIFEST, &a, &re);
    if (st == E_NOMEM) {
        *e = re;
    } else if (st != E_OK) {
        /* no manifest, or not hedui's: the run goes on without the check */
        snprintf(out->note, sizeof out->note, "--previous %s: cannot read manifest.json (%.200s), "
                 "so feed sizes are not compared with that run", dir,
                 st == E_NOINPUT ? strerror(ENOENT) : re.msg);
        st = E_OK;
    } else {
        for (int f = 0; f < N_INPUT; f++)
            if (feedcheck_is_feed(f) && rd.m.data_rows[f] >= 0) {
                out->data_rows[f] = rd.m.data_rows[f];
                out->known = 1;
            }
        if (!out->known)
            snprintf(out->note, sizeof out->note, "--previous %s: manifest.json has no "
                     "data-row counts of the feeds (a run of an older hedui?), so feed sizes "
                     "are not compared with that run", dir);
    }
    rundir_free(&rd);
    arena_free(&a);
    return st;
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
