/* export.c - township packs: the review list for people outside the bureau.
 *
 *   hedui export --out DIR --township CODE|all [--from RUN_DIR]
 *
 * One CSV per township (DIR/township_CODE_ASOF.csv, mode 0600) with the
 * township's review queue and, per queued household, every flag with its
 * evidence.  For Excel and WPS: UTF-8 with a BOM, CRLF line ends, RFC 4180
 * quoting; ID numbers masked (first 6 and last 4 characters), also inside
 * evidence text; and no cell a spreadsheet would run as a formula: a text
 * cell that begins with = + - @ TAB or CR gets a leading apostrophe (CWE-1236;
 * the numeric rank and score columns are written as plain numbers).
 * Fingerprints are not exported: with the rest of a row they would give
 * back the masked digits.
 *
 * Owns: the pack's columns and their spreadsheet safety.  Never: shows a
 * full ID number or a fingerprint; reads a run's files itself (rundir.c).
 */
#include "audit/export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/fingerprint.h"
#include "base/idmask.h"
#include "base/fileio.h"
#include "base/textout.h"

/* ---------- spreadsheet-safe CSV ---------- */

void xl_put(FILE *f, const char *s, int text, int last)
{
    int guard = text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                         s[0] == '\t' || s[0] == '\r');
    csv_put_value(f, s, guard);
    fputs(last ? "\r\n" : ",", f);
}

/* ---------- the run's rows for the packs ---------- */

/* A flag of the townships exported, by the unit it belongs to. */
struct xflag {
    const char *key;   /* "H" household_id, or "K" hukou_no for L01 */
    const struct run_flag *f;
    size_t seq;        /* row in flags.csv: the order within a unit */
};

struct xqueue {
    char township[10];
    const struct run_queue_row *q;
};

struct xverdict {
    uint64_t fp;
    const char *outcome;
};

static int cmp_xflag(const void *a, const void *b)
{
    const struct xflag *x = a, *y = b;
    int r = strcmp(x->key, y->key);
    if (r)
        return r;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_xverdict(const void *a, const void *b)
{
    const struct xverdict *x = a, *y = b;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

/* "H" + household_id, or "K" + hukou_no for a unit without a household
 * (L01), into b. */
static void unit_key(struct strbuf *b, const char *household_id, const char *hukou_no)
{
    strbuf_reset(b);
    strbuf_puts(b, household_id[0] ? "H" : "K");
    strbuf_puts(b, household_id[0] ? household_id : hukou_no);
}

int township_code_ok(const char *s)
{
    if (strlen(s) != 9)
        return 0;
    for (int i = 0; i < 9; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

struct pack_ctx {
    const struct xqueue *q;      /* this township's queue rows */
    size_t nq;
    const struct xflag *fl;      /* sorted by key */
    size_t nf;
    const struct xverdict *vd;
    size_t nv;
    int have_change, have_verdict;
    struct err *e;
};

static int fill_pack(FILE *f, void *vctx)
{
    const struct pack_ctx *c = vctx;
    fputs("\xEF\xBB\xBF", f);
    static const char *const hdr[] = {"township_code", "rank", "household_id", "hukou_no",
                                      "score", "rule_ids", "rule_id", "severity", "id_no",
                                      "region_code", "evidence", "change", "verdict"};
    for (int i = 0; i < 13; i++)
        xl_put(f, hdr[i], 1, i == 12);
    char masked[256];
    struct strbuf key = {0};
    for (size_t i = 0; i < c->nq; i++) {
        const struct run_queue_row *q = c->q[i].q;
        /* the flags of this unit */
        unit_key(&key, q->household_id, q->hukou_no);
        if (key.oom)
            break;   /* strbuf_check below */
        struct xflag probe = {key.p, NULL, 0};
        size_t lo = 0, hi = c->nf;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_xflag(&c->fl[mid], &probe) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < c->nf && strcmp(c->fl[k].key, key.p) == 0; k++) {
            const struct run_flag *g = c->fl[k].f;
            xl_put(f, c->q[i].township, 1, 0);
            xl_put(f, q->rank, 0, 0);
            xl_put(f, q->household_id, 1, 0);
            xl_put(f, q->hukou_no, 1, 0);
            xl_put(f, q->score, 0, 0);
            xl_put(f, q->rule_ids, 1, 0);
            xl_put(f, g->rule_id, 1, 0);
            xl_put(f, g->severity, 1, 0);
            idmask_value(g->id_no, masked, sizeof masked);
            xl_put(f, masked, 1, 0);
            xl_put(f, g->region, 1, 0);
            char ev[8192];   /* evidence is at most ~2 KiB */
            idmask_text(g->evidence, ev, sizeof ev);
            xl_put(f, ev, 1, 0);
            xl_put(f, c->have_change ? g->change : "", 1, 0);
            const char *verdict = "";
            if (c->have_verdict && g->fp && c->nv) {
                struct xverdict pv = {g->fp, NULL};
                const struct xverdict *v =
                    bsearch(&pv, c->vd, c->nv, sizeof *c->vd, cmp_xverdict);
                if (v)
                    verdict = v->outcome;
            }
            xl_put(f, verdict, 1, 1);
        }
    }
    int st = strbuf_check(&key, "writing a township pack", c->e);
    strbuf_free(&key);
    return st;
}

int export_packs(const struct rundir *rd, const char *out, const char *town,
                 void (*done)(void *ctx, const char *path, size_t households), void *ctx,
                 size_t *n_packs_out, struct err *e)
{
    int all = strcmp(town, "all") == 0;
    *n_packs_out = 0;
    if (!rd->m.as_of[0]) {
        char path[4200];
        snprintf(path, sizeof path, "%s/manifest.json", rd->dir);
        err_where(e, path, 0, 0);
        return ERR(e, E_PARSE, "no as_of: not a manifest of hedui");
    }
    struct xqueue *q = malloc((rd->n_queue ? rd->n_queue : 1) * sizeof *q);
    struct xflag *fl = malloc((rd->n_flags ? rd->n_flags : 1) * sizeof *fl);
    struct xverdict *vd = malloc((rd->n_changes ? rd->n_changes : 1) * sizeof *vd);
    struct arena keys;
    arena_init(&keys, (size_t)1 << 16);
    size_t nq = 0, nf = 0, nv = 0;
    int st = E_OK;
    if (!q || !fl || !vd)
        st = ERR(e, E_NOMEM, "out of memory while reading %s", rd->dir);
    /* the queue of the townships asked for (it is sorted by township) */
    for (size_t i = 0; st == E_OK && i < rd->n_queue; i++) {
        if (!all && strcmp(rd->queue[i].township, town) != 0)
            continue;
        snprintf(q[nq].township, sizeof q[nq].township, "%.9s", rd->queue[i].township);
        q[nq++].q = &rd->queue[i];
    }
    /* their flags, by unit */
    struct strbuf key = {0};
    for (size_t i = 0; st == E_OK && i < rd->n_flags; i++) {
        const struct run_flag *g = &rd->flags[i];
        if (!all && strncmp(g->region, town, 9) != 0)
            continue;
        unit_key(&key, g->household_id, g->hukou_no);
        char *k = key.oom ? NULL : arena_strndup(&keys, key.p, key.n);
        if (!k) {
            st = ERR(e, E_NOMEM, "out of memory while reading %s", rd->dir);
            break;
        }
        fl[nf] = (struct xflag){k, g, nf};
        nf++;
    }
    strbuf_free(&key);
    /* verdicts in force (changes.csv of a run with --state) */
    for (size_t i = 0; st == E_OK && i < rd->n_changes; i++)
        if (rd->changes[i].disposition[0])
            vd[nv++] = (struct xverdict){rd->changes[i].fp, rd->changes[i].disposition};
    if (st == E_OK) {
        if (nf > 1)
            qsort(fl, nf, sizeof *fl, cmp_xflag);
        if (nv > 1)
            qsort(vd, nv, sizeof *vd, cmp_xverdict);
        struct stat sb;
        if (stat(out, &sb) != 0 && mkdir(out, 0700) != 0)
            st = ERR(e, E_WRITE, "cannot create %s: %s", out, strerror(errno));
    }
    /* one pack per township */
    size_t n_packs = 0;
    char path[4200];
    for (size_t i = 0; st == E_OK && (i < nq || (!all && n_packs == 0));) {
        size_t j = i;
        while (j < nq && strcmp(q[j].township, q[i].township) == 0)
            j++;
        const char *code = i < nq ? q[i].township : town;
        struct pack_ctx pc = {q + i, j - i, fl, nf, vd, nv, rd->flags_have_change,
                              rd->have_changes, e};
        snprintf(path, sizeof path, "%s/township_%s_%s.csv", out, code, rd->m.as_of);
        st = fileio_replace(path, fill_pack, &pc, e);
        if (st == E_OK) {
            if (done)
                done(ctx, path, j - i);
            n_packs++;
        }
        if (j == i)
            break;
        i = j;
    }
    *n_packs_out = n_packs;
    free(q);
    free(fl);
    free(vd);
    arena_free(&keys);
    return st;
}
