/* verdicts.c - `hedui review import`'s steps (review_import, review.h):
 * open the state directory or the store, check the file, leave out the
 * verdicts already stored, store the rest, say what was done.
 *
 * "The same file again": a verdict is already stored when a stored row has
 * the same fingerprint, outcome, reviewer, reviewed_on and note.  Such rows
 * are not stored twice, so a file imported again changes nothing (and a
 * note says so), whatever its bytes: a pack re-saved by a spreadsheet, or
 * the same verdicts pasted into another file, are recognised as well.  A
 * file's checksum would miss both.
 *
 * Owns: those steps and the import's stdout lines.  Never: checks a row
 * (review_import.c), touches a state file but through statedir.h.
 */
#include "audit/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/packkey.h"
#include "base/date.h"

static int today_days(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int known_fp(const void *ctx, uint64_t fp)
{
    return review_known(ctx, fp) != NULL;
}

static int cmp_disp_fp(const void *a, const void *b)
{
    const struct disposition *x = a, *y = b;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

/* 1 if v is among the stored verdicts s[0..n) (sorted by fp). */
static int stored(const struct disposition *s, size_t n, const struct review_verdict *v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].fp < v->fp)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && s[lo].fp == v->fp; lo++)
        if (s[lo].outcome == v->outcome && strcmp(s[lo].reviewer, v->reviewer) == 0 &&
            strcmp(s[lo].reviewed_on, v->reviewed_on) == 0 && strcmp(s[lo].note, v->note) == 0)
            return 1;
    return 0;
}

/* Keep, in order, the rows of v[0..*n) not stored yet; the count left out. */
static size_t drop_stored(struct review_verdict *v, size_t *n, const struct disposition *s,
                          size_t n_s)
{
    size_t m = 0;
    for (size_t i = 0; i < *n; i++)
        if (!stored(s, n_s, &v[i]))
            v[m++] = v[i];
    size_t dropped = *n - m;
    *n = m;
    return dropped;
}

/* ---------- township packs: 核查键 -> fingerprint ---------- */

struct keys {
    struct packkey key;
    struct packkey_map map;   /* of every recorded finding; cap 0: none */
};

static int from_key(const void *ctx, const char *s, uint64_t *fp)
{
    const struct keys *k = ctx;
    return packkey_map_find(&k->map, &k->key, s, fp);
}

/* The keys of the recorded findings (rv->known) under the state's secret;
 * when there can be none, why into no_keys.  E_OK, or a secret file's
 * error (E_CONFIG), or E_NOMEM. */
static int pack_keys(struct keys *k, const struct review *rv, const char *state,
                     const struct review_store *store, char *no_keys, size_t n, struct err *e)
{
    int st;
    if (store) {
        st = store->secret ? store->secret(store->ctx, &k->key, e) : E_NOINPUT;
        if (st == E_NOINPUT) {
            snprintf(no_keys, n, "%s keeps no pack secret: no pack was exported with it",
                     store->name);
            return E_OK;
        }
    } else if (!state) {
        snprintf(no_keys, n, "the state directory does not exist yet");
        return E_OK;
    } else if ((st = packkey_from_state(state, 0, &k->key, e)) == E_NOINPUT) {
        err_init(e);
        snprintf(no_keys, n, "%s has no pack.key: no pack was exported with --state %s",
                 state, state);
        return E_OK;
    }
    if (st != E_OK)
        return st;
    if (!rv->n_known) {
        snprintf(no_keys, n, "%s has no recorded run", store ? store->name : state);
        return E_OK;
    }
    uint64_t *fps = malloc(rv->n_known * sizeof *fps);
    if (!fps)
        return ERR(e, E_NOMEM, "out of memory while tracing pack keys");
    for (size_t i = 0; i < rv->n_known; i++)
        fps[i] = rv->known[i].fp;
    st = packkey_map_build(&k->map, &k->key, fps, rv->n_known, e);
    free(fps);
    return st;
}

/* Store rows into the state directory: re-read dispositions.csv under the
 * lock (verdicts imported meanwhile are kept and count as stored). */
static int store_in_state(const char *state, struct review_verdict *rows, size_t *n,
                          size_t *n_dup, const char *base, struct arena *a, struct err *e)
{
    int fd = -1;
    int st = statedir_lock(state, &fd, e);
    struct disp_row *old = NULL;
    size_t n_old = 0;
    struct disposition *s = NULL;
    if (st == E_OK)
        st = statedir_read_dispositions(state, a, &old, &n_old, e);
    if (st == E_OK && !(s = malloc((n_old ? n_old : 1) * sizeof *s)))
        st = ERR(e, E_NOMEM, "out of memory while reading %s", state);
    if (st == E_OK) {
        for (size_t i = 0; i < n_old; i++)
            s[i] = (struct disposition){old[i].fp, old[i].outcome, old[i].fields[2],
                                        old[i].fields[3], old[i].fields[4]};
        if (n_old > 1)
            qsort(s, n_old, sizeof *s, cmp_disp_fp);
        *n_dup = drop_stored(rows, n, s, n_old);
    }
    if (st == E_OK && *n) {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        char at[32];
        strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
        st = statedir_write_dispositions(state, old, n_old, rows, *n, at, base, e);
    }
    free(s);
    free(old);
    statedir_unlock(fd);
    return st;
}

int review_import(const char *file, const char *state, const struct review_store *store,
                  int dry_run, int create_state, struct err *e)
{
    struct review *rv = NULL;
    const char *where = store ? store->name : state;
    int have_state = 1;
    if (!store && statedir_exists(state, e) != E_OK) {
        err_init(e);
        if (!create_state)
            return ERR(e, E_NOINPUT, "state directory %s does not exist: check the path (a "
                                     "mistyped one would start a new, empty state), or give "
                                     "--create-state to start one there", state);
        have_state = !dry_run;   /* a dry run creates nothing: check as against an empty state */
    }
    int st = review_open(&rv, NULL, store || !have_state ? NULL : state, e);
    if (st == E_OK && store)
        st = store->open(store->ctx, rv, e);
    if (st != E_OK) {
        review_free(rv);
        return st;
    }
    const char *b = strrchr(file, '/');
    const char *base = b ? b + 1 : file;
    struct import_check chk = {where, rv->n_known ? known_fp : NULL, rv, today_days(),
                               NULL, NULL, ""};
    struct keys keys;
    memset(&keys, 0, sizeof keys);
    char no_keys[600];
    st = pack_keys(&keys, rv, store ? NULL : state, store, no_keys, sizeof no_keys, e);
    if (st != E_OK) {
        review_free(rv);
        return st;
    }
    if (keys.map.cap) {
        chk.from_key = from_key;
        chk.key_ctx = &keys;
    }
    chk.no_keys = no_keys;
    struct review_verdict *rows = NULL;
    size_t n = 0, n_skipped = 0, n_dup = 0;
    st = review_import_read(file, &chk, &rv->arena, &rows, &n, &n_skipped, e);
    if (st == E_OK && (store || dry_run))
        n_dup = drop_stored(rows, &n, rv->stored, rv->n_stored);
    if (st == E_OK && !dry_run && n && store)
        st = store->write(store->ctx, rows, n, base, e);
    if (st == E_OK && !dry_run && !store && (n || create_state))
        st = store_in_state(state, rows, &n, &n_dup, base, &rv->arena, e);
    if (st == E_OK) {
        size_t by[N_OUTCOMES] = {0};
        for (size_t i = 0; i < n; i++)
            by[rows[i].outcome]++;
        printf("hedui: %s %zu verdict%s from %s (%zu cleared, %zu confirmed, %zu referred)%s%s"
               "; %zu row%s without a verdict skipped; %zu already there\n",
               dry_run ? "checked" : "imported", n, n == 1 ? "" : "s", file, by[OC_CLEARED],
               by[OC_CONFIRMED], by[OC_REFERRED], dry_run ? "" : " into ",
               dry_run ? "" : where, n_skipped, n_skipped == 1 ? "" : "s", n_dup);
        if (n_dup && !n)
            fprintf(stderr, "hedui: note: every verdict in %s is already in %s (the file was "
                            "imported before): nothing %s\n", file, where,
                    dry_run ? "would change" : "changed");
        else if (n_dup)
            fprintf(stderr, "hedui: note: %zu verdict%s of %s %s already in %s and %s left "
                            "as %s\n", n_dup, n_dup == 1 ? "" : "s", file,
                    n_dup == 1 ? "was" : "were", where, n_dup == 1 ? "was" : "were",
                    n_dup == 1 ? "it was" : "they were");
        if (!rv->n_known)
            fprintf(stderr, "hedui: note: %s has no recorded run yet, so fingerprints were "
                            "checked for form only\n", where);
    }
    free(rows);
    packkey_map_free(&keys.map);
    review_free(rv);
    return st;
}
