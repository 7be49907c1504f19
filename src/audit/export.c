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
 */
#include "audit/export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/review.h"
#include "audit/mask.h"
#include "base/csvread.h"
#include "base/fileio.h"
#include "base/textout.h"
#include "out/write.h"

#define E_OUT E_WRITE   /* an output of ours could not be written (exit 6) */

/* ---------- spreadsheet-safe CSV ---------- */

void xl_put(FILE *f, const char *s, int text, int last)
{
    int guard = text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                         s[0] == '\t' || s[0] == '\r');
    csv_put_value(f, s, guard);
    fputs(last ? "\r\n" : ",", f);
}

/* ---------- reading the run ---------- */

struct xflag {
    const char *key;   /* "H" household_id, or "K" hukou_no for L01 */
    const char *f[8];  /* rule_id severity household_id hukou_no id_no region evidence change */
    uint64_t fp;
    size_t seq;
};

struct xqueue {
    char township[10];
    const char *rank, *household_id, *hukou_no, *score, *rule_ids;
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

static const char *keep(struct arena *a, const char *s, int *oom)
{
    char *p = arena_strndup(a, s, strlen(s));
    if (!p)
        *oom = 1;
    return p ? p : "";
}

static const char *make_key(struct arena *a, const char *household_id, const char *hukou_no,
                            int *oom)
{
    const char *v = household_id[0] ? household_id : hukou_no;
    size_t n = strlen(v);
    char *p = arena_alloc(a, n + 2);
    if (!p) {
        *oom = 1;
        return "";
    }
    p[0] = household_id[0] ? 'H' : 'K';
    memcpy(p + 1, v, n + 1);
    return p;
}

static int township_ok(const char *s)
{
    if (strlen(s) != 9)
        return 0;
    for (int i = 0; i < 9; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* as_of of DIR/manifest.json: 0, -1 when there is none (E_NOINPUT), or
 * another error code. */
static int json_as_of(const char *dir, char out[11], struct err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *buf = NULL;
    size_t n;
    int st = fileio_read_all(path, &buf, &n, e);
    if (st == E_NOINPUT) {
        err_init(e);
        return -1;
    }
    if (st != E_OK)
        return st;
    const char *p = strstr(buf, "\"as_of\": \"");
    int r = -1;
    if (p) {
        snprintf(out, 11, "%.10s", p + 10);
        r = 0;
    }
    free(buf);
    return r;
}

struct pack_ctx {
    const struct xqueue *q;      /* this township's queue rows */
    size_t nq;
    const struct xflag *fl;      /* sorted by key */
    size_t nf;
    const struct xverdict *vd;
    size_t nv;
    int have_change, have_verdict;
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
    for (size_t i = 0; i < c->nq; i++) {
        const struct xqueue *q = &c->q[i];
        /* the flags of this unit */
        struct xflag probe;
        char keybuf[1024];
        snprintf(keybuf, sizeof keybuf, "%c%s", q->household_id[0] ? 'H' : 'K',
                 q->household_id[0] ? q->household_id : q->hukou_no);
        probe.key = keybuf;
        probe.seq = 0;
        size_t lo = 0, hi = c->nf;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_xflag(&c->fl[mid], &probe) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < c->nf && strcmp(c->fl[k].key, keybuf) == 0; k++) {
            const struct xflag *g = &c->fl[k];
            xl_put(f, q->township, 1, 0);
            xl_put(f, q->rank, 0, 0);
            xl_put(f, q->household_id, 1, 0);
            xl_put(f, q->hukou_no, 1, 0);
            xl_put(f, q->score, 0, 0);
            xl_put(f, q->rule_ids, 1, 0);
            xl_put(f, g->f[0], 1, 0);
            xl_put(f, g->f[1], 1, 0);
            mask_id(g->f[4], masked, sizeof masked);
            xl_put(f, masked, 1, 0);
            xl_put(f, g->f[5], 1, 0);
            char ev[8192];   /* evidence is at most ~2 KiB */
            mask_ids_in_text(g->f[6], ev, sizeof ev);
            xl_put(f, ev, 1, 0);
            xl_put(f, c->have_change ? g->f[7] : "", 1, 0);
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
    return E_OK;
}

static const char usage_export[] =
    "Usage: hedui export --out DIR --township CODE|all [--from RUN_DIR]\n"
    "\n"
    "Writes the review list of a township (9-digit code) or of every township\n"
    "with households in the review queue, one file each:\n"
    "DIR/township_CODE_ASOF.csv, for people outside the bureau.  Per queued\n"
    "household (in queue order) every flag with its evidence; ID numbers are\n"
    "masked (first 6 and last 4 characters kept); UTF-8 with a BOM and CRLF\n"
    "line ends so Excel and WPS open it; text cells that a spreadsheet would\n"
    "run as a formula (= + - @ TAB CR first) start with an apostrophe.\n"
    "\n"
    "Options:\n"
    "  --out DIR         where the packs go (created if missing, mode 0700)\n"
    "  --township CODE   a 9-digit township code, or 'all'\n"
    "  --from RUN_DIR    the run to export (default: the current directory)\n";

int cmd_export(int argc, char **argv, struct err *e)
{
    const char *out = NULL, *town = NULL, *from = ".";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_export, stdout);
            return E_OK;
        }
        if (strcmp(a, "--out") == 0)
            dst = &out;
        else if (strcmp(a, "--township") == 0)
            dst = &town;
        else if (strcmp(a, "--from") == 0)
            dst = &from;
        else
            return ERR(e, E_USAGE, "unknown option '%s' for 'export'", a);
        if (i + 1 >= argc)
            return ERR(e, E_USAGE, "option %s needs a value", a);
        *dst = argv[++i];
    }
    if (!out)
        return ERR(e, E_USAGE, "'export' needs --out DIR");
    if (!town)
        return ERR(e, E_USAGE, "'export' needs --township CODE (9 digits) or --township all");
    int all = strcmp(town, "all") == 0;
    if (!all && !township_ok(town))
        return ERR(e, E_USAGE, "--township '%s' is not a 9-digit township code (or 'all')",
                   town);
    char as_of[11];
    int ja = json_as_of(from, as_of, e);
    if (ja > 0)
        return ja;
    if (ja != 0)
        return ERR(e, E_NOINPUT, "--from %s: no manifest.json there; give the output "
                                 "directory of a 'hedui run'", from);

    struct arena ar;
    arena_init(&ar, (size_t)1 << 20);
    int oom = 0, st = E_OK;
    struct xqueue *q = NULL;
    struct xflag *fl = NULL;
    struct xverdict *vd = NULL;
    size_t nq = 0, cq = 0, nf = 0, cf = 0, nv = 0, cv = 0;
    int have_change = 0, have_verdict = 0;
    char path[4200];
    struct csvr r;

    /* the queue */
    snprintf(path, sizeof path, "%s/review_queue.csv", from);
    st = csvr_open(&r, path, e);
    if (st == E_OK && csvr_next(&r, e) == 1) {
        int c[6];
        static const char *const names[6] = {"township_code", "rank", "household_id",
                                             "hukou_no", "score", "rule_ids"};
        for (int i = 0; i < 6; i++)
            if ((c[i] = csvr_col(&r, names[i])) < 0) {
                err_where(e, path, 1, 0);
                st = ERR(e, E_PARSE, "missing column %s: not a review_queue.csv of hedui",
                         names[i]);
            }
        while (st == E_OK && csvr_next(&r, e) == 1) {
            if (r.n_field < 6)
                continue;
            if (!all && strcmp(r.field[c[0]], town) != 0)
                continue;
            if (nq == cq) {
                cq = cq ? cq * 2 : 256;
                struct xqueue *nqv = realloc(q, cq * sizeof *q);
                if (!nqv) {
                    oom = 1;
                    break;
                }
                q = nqv;
            }
            struct xqueue *x = &q[nq++];
            snprintf(x->township, sizeof x->township, "%.9s", r.field[c[0]]);
            x->rank = keep(&ar, r.field[c[1]], &oom);
            x->household_id = keep(&ar, r.field[c[2]], &oom);
            x->hukou_no = keep(&ar, r.field[c[3]], &oom);
            x->score = keep(&ar, r.field[c[4]], &oom);
            x->rule_ids = keep(&ar, r.field[c[5]], &oom);
        }
    }
    csvr_close(&r);
    if (st == E_OK && e->code)
        st = e->code;

    /* the flags of the queued units' townships */
    if (st == E_OK && !oom) {
        snprintf(path, sizeof path, "%s/flags.csv", from);
        st = csvr_open(&r, path, e);
        if (st == E_OK && csvr_next(&r, e) == 1) {
            static const char *const names[8] = {"rule_id", "severity", "household_id",
                                                 "hukou_no", "id_no", "region_code",
                                                 "evidence", "change"};
            int c[8];
            for (int i = 0; i < 8; i++)
                if ((c[i] = csvr_col(&r, names[i])) < 0 && i < 7) {
                    err_where(e, path, 1, 0);
                    st = ERR(e, E_PARSE, "missing column %s: not a flags.csv of hedui",
                             names[i]);
                }
            int c_fp = csvr_col(&r, "fingerprint");
            have_change = c[7] >= 0;
            while (st == E_OK && !oom && csvr_next(&r, e) == 1) {
                if (r.n_field < 8)
                    continue;
                const char *reg = r.field[c[5]];
                if (!all && strncmp(reg, town, 9) != 0)
                    continue;
                if (nf == cf) {
                    cf = cf ? cf * 2 : 1024;
                    struct xflag *nfv = realloc(fl, cf * sizeof *fl);
                    if (!nfv) {
                        oom = 1;
                        break;
                    }
                    fl = nfv;
                }
                struct xflag *x = &fl[nf];
                x->seq = nf++;
                for (int i = 0; i < 8; i++)
                    x->f[i] = c[i] >= 0 && c[i] < r.n_field ? keep(&ar, r.field[c[i]], &oom) : "";
                x->key = make_key(&ar, x->f[2], x->f[3], &oom);
                x->fp = 0;
                if (c_fp >= 0 && c_fp < r.n_field)
                    review_fp_parse(r.field[c_fp], &x->fp);
            }
        }
        csvr_close(&r);
        if (st == E_OK && e->code)
            st = e->code;
    }
    /* verdicts in force (changes.csv of a run with --state) */
    if (st == E_OK && !oom) {
        snprintf(path, sizeof path, "%s/changes.csv", from);
        if (csvr_open(&r, path, e) != E_OK) {
            err_init(e);
        } else if (csvr_next(&r, e) == 1) {
            int c_fp = csvr_col(&r, "fingerprint"), c_d = csvr_col(&r, "disposition");
            have_verdict = c_fp >= 0 && c_d >= 0;
            while (have_verdict && !oom && csvr_next(&r, e) == 1) {
                if (r.n_field <= c_fp || r.n_field <= c_d || !r.field[c_d][0])
                    continue;
                if (nv == cv) {
                    cv = cv ? cv * 2 : 256;
                    struct xverdict *nvv = realloc(vd, cv * sizeof *vd);
                    if (!nvv) {
                        oom = 1;
                        break;
                    }
                    vd = nvv;
                }
                if (review_fp_parse(r.field[c_fp], &vd[nv].fp) == 0)
                    vd[nv++].outcome = keep(&ar, r.field[c_d], &oom);
            }
        }
        csvr_close(&r);
        if (e->code && st == E_OK)
            st = e->code;
    }
    if (st == E_OK && oom)
        st = ERR(e, E_NOMEM, "out of memory while reading %s", from);
    if (st == E_OK) {
        if (nf > 1)
            qsort(fl, nf, sizeof *fl, cmp_xflag);
        if (nv > 1)
            qsort(vd, nv, sizeof *vd, cmp_xverdict);
        struct stat sb;
        if (stat(out, &sb) != 0 && mkdir(out, 0700) != 0)
            st = ERR(e, E_OUT, "cannot create %s: %s", out, strerror(errno));
    }
    /* one pack per township (the queue is sorted by township) */
    size_t n_packs = 0;
    for (size_t i = 0; st == E_OK && (i < nq || (!all && n_packs == 0));) {
        size_t j = i;
        while (j < nq && strcmp(q[j].township, q[i].township) == 0)
            j++;
        const char *code = i < nq ? q[i].township : town;
        struct pack_ctx pc = {q + i, j - i, fl, nf, vd, nv, have_change, have_verdict};
        snprintf(path, sizeof path, "%s/township_%s_%s.csv", out, code, as_of);
        st = fileio_replace(path, fill_pack, &pc, e);
        if (st == E_OK) {
            printf("hedui: %s: %zu households%s\n", path, j - i,
                   j == i ? " (none in the review queue: header only)" : "");
            n_packs++;
        }
        if (j == i)
            break;
        i = j;
    }
    if (st == E_OK && all && n_packs == 0)
        printf("hedui: the review queue of %s is empty: no packs written\n", from);
    free(q);
    free(fl);
    free(vd);
    arena_free(&ar);
    return st;
}
