/* export.c - township packs: the review list for people outside the bureau.
 *
 *   hedui export --out DIR --township CODE|COUNTY|all [--format xlsx|csv]
 *                [--from RUN_DIR] [--state DIR [--create-state]]
 *
 * One pack per township (DIR/township_CODE_ASOF.xlsx or .csv, mode 0600,
 * replaced atomically) holding the township's review queue in rank order
 * and, per queued household, every flag: the rule's Chinese name and
 * severity (高/中/低), its evidence, whether it is new since the previous
 * run, the verdict in force, and the columns a reviewer fills in (核查结论,
 * 核查人, 核查日期, 备注); with a pack key (packkey.h) each row carries the
 * finding's opaque key so that the filled pack can be imported again.  The
 * workbook (pack_xlsx.c) adds the spot-check sample and a legend.  ID
 * numbers are masked (first 6 and last 4 characters), also inside
 * evidence.  The CSV, for Excel and WPS: UTF-8 with a BOM, CRLF line ends,
 * RFC 4180 quoting, and no cell a spreadsheet would run as a formula: a
 * text cell that begins with = + - @ TAB or CR gets a leading apostrophe
 * (CWE-1236; rank and score are plain numbers).  Fingerprints are not
 * exported: with the rest of a row they would give back the masked digits;
 * the key is an HMAC of one, useless without the bureau's secret.
 *
 * Owns: what a pack row says, which townships a code selects, the CSV
 * form.  Never: shows a full ID number or a fingerprint; reads a run's
 * files itself (rundir.c); lays out a workbook (pack_xlsx.c).
 */
#include "audit/export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/fingerprint.h"
#include "audit/pack.h"
#include "base/arena.h"
#include "base/fileio.h"
#include "base/idmask.h"
#include "base/textout.h"
#include "contract/catalogue.h"

/* ---------- spreadsheet-safe CSV ---------- */

void xl_put(FILE *f, const char *s, int text, int last)
{
    int guard = text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                         s[0] == '\t' || s[0] == '\r');
    csv_put_value(f, s, guard);
    fputs(last ? "\r\n" : ",", f);
}

static int all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int township_code_ok(const char *s)
{
    return all_digits(s, 9);
}

int export_area_ok(const char *s)
{
    return strcmp(s, "all") == 0 || all_digits(s, 6) || all_digits(s, 9);
}

/* 1 if township (9 digits) is in area ("all", a county or a township). */
static int in_area(const char *township, const char *area)
{
    if (strcmp(area, "all") == 0)
        return 1;
    return strncmp(township, area, strlen(area)) == 0;
}

/* ---------- the run's rows for the packs ---------- */

/* A flag of the townships exported, by the unit it belongs to. */
struct xflag {
    const char *key;   /* "H" household_id, or "K" hukou_no for a candidate */
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
 * (a candidate), into b. */
static void unit_key(struct strbuf *b, const char *household_id, const char *hukou_no)
{
    strbuf_reset(b);
    strbuf_puts(b, household_id[0] ? "H" : "K");
    strbuf_puts(b, household_id[0] ? household_id : hukou_no);
}

/* What the packs are made from: the selected queue, flags and verdicts. */
struct xrun {
    const struct rundir *rd;
    const struct export_opts *o;
    struct xqueue *q;
    size_t nq;
    struct xflag *fl;      /* sorted by unit key */
    size_t nf;
    struct xverdict *vd;   /* sorted by fp */
    size_t nv;
    char policy_pack[520];
};

static const char *in_force(const struct xrun *x, uint64_t fp)
{
    if (!fp || !x->nv)
        return "";
    struct xverdict pv = {fp, NULL};
    const struct xverdict *v = bsearch(&pv, x->vd, x->nv, sizeof *x->vd, cmp_xverdict);
    return v ? pack_outcome_zh(v->outcome) : "";
}

static char *keep(struct arena *a, const char *s, struct err *e)
{
    char *p = arena_strndup(a, s, strlen(s));
    if (!p)
        ERR(e, E_NOMEM, "out of memory while making a township pack");
    return p;
}

/* The rows of the queue entries q[0..nq) of one township into *rows
 * (malloc'd; strings in a). */
static int pack_rows(const struct xrun *x, const struct xqueue *q, size_t nq, struct arena *a,
                     struct pack_row **rows_out, size_t *n_out, struct err *e)
{
    size_t n = 0, cap = 64;
    struct pack_row *rows = malloc(cap * sizeof *rows);
    struct strbuf key = {0};
    int st = rows ? E_OK : ERR(e, E_NOMEM, "out of memory while making a township pack");
    char masked[256], ev[8192];   /* evidence is at most ~2 KiB */
    for (size_t i = 0; st == E_OK && i < nq; i++) {
        const struct run_queue_row *qr = q[i].q;
        unit_key(&key, qr->household_id, qr->hukou_no);
        if ((st = strbuf_check(&key, "making a township pack", e)) != E_OK)
            break;
        struct xflag probe = {key.p, NULL, 0};
        size_t lo = 0, hi = x->nf;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_xflag(&x->fl[mid], &probe) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; st == E_OK && k < x->nf && strcmp(x->fl[k].key, key.p) == 0; k++) {
            const struct run_flag *g = x->fl[k].f;
            if (n == cap) {
                struct pack_row *nr = realloc(rows, 2 * cap * sizeof *rows);
                if (!nr) {
                    st = ERR(e, E_NOMEM, "out of memory while making a township pack");
                    break;
                }
                rows = nr;
                cap *= 2;
            }
            struct pack_row *r = &rows[n++];
            for (int c = 0; c < N_PACK_COLS; c++)
                r->v[c] = "";
            int rule = -1;
            for (int j = 0; j < n_rules; j++)
                if (strcmp(rule_names[j], g->rule_id) == 0)
                    rule = j;
            idmask_value(g->id_no, masked, sizeof masked);
            idmask_text(g->evidence, ev, sizeof ev);
            r->v[PC_TOWNSHIP] = q[i].township;
            r->v[PC_RANK] = qr->rank;
            r->v[PC_HOUSEHOLD] = qr->household_id;
            r->v[PC_HUKOU] = qr->hukou_no;
            r->v[PC_SCORE] = qr->score;
            r->v[PC_RULE_IDS] = qr->rule_ids;
            r->v[PC_RULE_ID] = g->rule_id;
            r->v[PC_RULE_ZH] = rule >= 0 ? rule_label_zh(rule) : "";
            r->v[PC_SEVERITY] = pack_severity_zh(g->severity);
            r->v[PC_REGION] = g->region;
            r->v[PC_CHANGE] = x->rd->flags_have_change ? pack_change_zh(g->change) : "";
            r->v[PC_IN_FORCE] = x->rd->have_changes ? in_force(x, g->fp) : "";
            if (x->o->key && g->fp) {
                char kt[PACKKEY_CHARS + 1];
                packkey_of(x->o->key, g->fp, kt);
                if (!(r->v[PC_KEY] = keep(a, kt, e)))
                    st = e->code;
            }
            if (!(r->v[PC_ID] = keep(a, masked, e)) || !(r->v[PC_EVIDENCE] = keep(a, ev, e)))
                st = e->code;
        }
    }
    strbuf_free(&key);
    if (st != E_OK) {
        free(rows);
        return st;
    }
    *rows_out = rows;
    *n_out = n;
    return E_OK;
}

/* ---------- writing one pack ---------- */

struct pack_job {
    const struct pack *p;
    const char *tmpdir;
    int xlsx;
    struct err *e;
};

static int fill_csv(FILE *f, const struct pack *p)
{
    fputs("\xEF\xBB\xBF", f);
    int last = N_PACK_COLS - 1;
    for (int c = 0; c < N_PACK_COLS; c++)
        if (c != PC_KEY || p->have_keys)
            xl_put(f, pack_cols[c].zh, 1, c == last);
    for (size_t i = 0; i < p->n_rows; i++)
        for (int c = 0; c < N_PACK_COLS; c++)
            if (c != PC_KEY || p->have_keys)
                xl_put(f, p->rows[i].v[c], pack_cols[c].kind != PK_NUMBER, c == last);
    return E_OK;
}

static int fill_pack(FILE *f, void *vctx)
{
    const struct pack_job *j = vctx;
    return j->xlsx ? pack_xlsx_write(f, j->p, j->tmpdir, j->e) : fill_csv(f, j->p);
}

/* The policy's name for the legend: the manifest's rules.pack, else the
 * rules directory's last part ("rules" is the shipped reference policy). */
static void policy_pack_name(const struct run_manifest *m, char *out, size_t n)
{
    if (m->rules_pack[0]) {
        snprintf(out, n, "%s", m->rules_pack);
        return;
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s", m->rules_dir);
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        dir[--len] = '\0';
    const char *b = strrchr(dir, '/');
    b = b ? b + 1 : dir;
    if (!*b)
        snprintf(out, n, "（未知）");
    else if (strcmp(b, "rules") == 0)
        snprintf(out, n, "参考政策（rules）");
    else
        snprintf(out, n, "%s", b);
}

/* One township's pack: its queue rows q[0..nq). */
static int write_pack(struct xrun *x, const char *code, const struct xqueue *q, size_t nq,
                      char *path, size_t path_n, struct err *e)
{
    const struct rundir *rd = x->rd;
    struct arena a;
    arena_init(&a, (size_t)1 << 16);
    struct pack_row *rows = NULL;
    size_t n_rows = 0;
    struct pack_spot *spot = malloc((rd->n_spot ? rd->n_spot : 1) * sizeof *spot);
    int st = spot ? pack_rows(x, q, nq, &a, &rows, &n_rows, e)
                  : ERR(e, E_NOMEM, "out of memory while making a township pack");
    size_t n_spot = 0;
    char reason[512];
    for (size_t i = 0; st == E_OK && i < rd->n_spot; i++) {
        const struct run_spot_row *s = &rd->spot[i];
        if (strcmp(s->township, code) != 0)
            continue;
        pack_spot_reason_zh(s->reason, reason, sizeof reason);
        spot[n_spot] = (struct pack_spot){s->township, pack_program_zh(s->program),
                                          s->household_id, keep(&a, reason, e)};
        if (!spot[n_spot++].reason)
            st = e->code;
    }
    struct pack p = {code, rd->m.as_of, rd->m.rules_version, x->policy_pack, rows, n_rows,
                     nq, spot, n_spot, x->o->key != NULL};
    struct pack_job job = {&p, x->o->out, x->o->format == PACK_XLSX, e};
    snprintf(path, path_n, "%s/township_%s_%s.%s", x->o->out, code, rd->m.as_of,
             job.xlsx ? "xlsx" : "csv");
    if (st == E_OK)
        st = fileio_replace(path, fill_pack, &job, e);
    free(rows);
    free(spot);
    arena_free(&a);
    return st;
}

int export_packs(const struct rundir *rd, const struct export_opts *o,
                 void (*done)(void *ctx, const char *path, size_t households), void *ctx,
                 size_t *n_packs_out, struct err *e)
{
    int one = township_code_ok(o->area);
    *n_packs_out = 0;
    if (!rd->m.as_of[0]) {
        char path[4200];
        snprintf(path, sizeof path, "%s/manifest.json", rd->dir);
        err_where(e, path, 0, 0);
        return ERR(e, E_PARSE, "no as_of: not a manifest of hedui");
    }
    struct xrun x = {rd, o, NULL, 0, NULL, 0, NULL, 0, ""};
    policy_pack_name(&rd->m, x.policy_pack, sizeof x.policy_pack);
    x.q = malloc((rd->n_queue ? rd->n_queue : 1) * sizeof *x.q);
    x.fl = malloc((rd->n_flags ? rd->n_flags : 1) * sizeof *x.fl);
    x.vd = malloc((rd->n_changes ? rd->n_changes : 1) * sizeof *x.vd);
    struct arena keys;
    arena_init(&keys, (size_t)1 << 16);
    int st = E_OK;
    if (!x.q || !x.fl || !x.vd)
        st = ERR(e, E_NOMEM, "out of memory while reading %s", rd->dir);
    /* the queue of the townships asked for (it is sorted by township) */
    for (size_t i = 0; st == E_OK && i < rd->n_queue; i++) {
        if (!in_area(rd->queue[i].township, o->area))
            continue;
        snprintf(x.q[x.nq].township, sizeof x.q[x.nq].township, "%.9s", rd->queue[i].township);
        x.q[x.nq++].q = &rd->queue[i];
    }
    /* their flags, by unit */
    struct strbuf key = {0};
    for (size_t i = 0; st == E_OK && i < rd->n_flags; i++) {
        const struct run_flag *g = &rd->flags[i];
        if (strcmp(o->area, "all") != 0 && strncmp(g->region, o->area, strlen(o->area)) != 0)
            continue;
        unit_key(&key, g->household_id, g->hukou_no);
        char *k = key.oom ? NULL : arena_strndup(&keys, key.p, key.n);
        if (!k) {
            st = ERR(e, E_NOMEM, "out of memory while reading %s", rd->dir);
            break;
        }
        x.fl[x.nf] = (struct xflag){k, g, x.nf};
        x.nf++;
    }
    strbuf_free(&key);
    /* verdicts in force (changes.csv of a run with --state) */
    for (size_t i = 0; st == E_OK && i < rd->n_changes; i++)
        if (rd->changes[i].disposition[0])
            x.vd[x.nv++] = (struct xverdict){rd->changes[i].fp, rd->changes[i].disposition};
    if (st == E_OK) {
        if (x.nf > 1)
            qsort(x.fl, x.nf, sizeof *x.fl, cmp_xflag);
        if (x.nv > 1)
            qsort(x.vd, x.nv, sizeof *x.vd, cmp_xverdict);
        struct stat sb;
        if (stat(o->out, &sb) != 0 && mkdir(o->out, 0700) != 0)
            st = ERR(e, E_WRITE, "cannot create %s: %s", o->out, strerror(errno));
    }
    /* one pack per township; a single township asked for gets one even
     * with nothing queued (the review list then has its header only) */
    size_t n_packs = 0;
    char path[4200];
    for (size_t i = 0; st == E_OK && (i < x.nq || (one && n_packs == 0));) {
        size_t j = i;
        while (j < x.nq && strcmp(x.q[j].township, x.q[i].township) == 0)
            j++;
        const char *code = i < x.nq ? x.q[i].township : o->area;
        st = write_pack(&x, code, x.q + i, j - i, path, sizeof path, e);
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
    free(x.q);
    free(x.fl);
    free(x.vd);
    arena_free(&keys);
    return st;
}
