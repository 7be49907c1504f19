/* statedir.c - reading and replacing the files of a state directory (see
 * statedir.h).
 *
 * Owns: the columns of dispositions.csv, findings.csv and history.csv, and
 * the lock.  Never: decides what a finding or verdict means for a run
 * (review.c); writes a file except through fileio_replace().
 */
#include "audit/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/feedcheck.h"
#include "audit/fingerprint.h"
#include "base/csvread.h"
#include "base/fileio.h"
#include "base/textout.h"
#include "contract/model.h"

#define PATH_BYTES 4200

/* ---------- the directory ---------- */

int statedir_exists(const char *state, struct err *e)
{
    struct stat sb;
    if (stat(state, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ERR(e, E_NOINPUT, "state directory %s does not exist (a 'hedui run --state' or "
                                 "'hedui review import' creates it)", state);
    return E_OK;
}

/* Create the state directory if needed and lock it (exclusive flock). */
int statedir_lock(const char *dir, int *fd, struct err *e)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || mkdir(dir, 0700) != 0)
            return ERR(e, E_WRITE, "cannot create the state directory %s: %s", dir,
                       strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        return ERR(e, E_USAGE, "state path %s is not a directory", dir);
    }
    char path[PATH_BYTES];
    snprintf(path, sizeof path, "%s/.lock", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0)
        return ERR(e, E_WRITE, "cannot open %s: %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX) != 0) {
        close(*fd);
        *fd = -1;
        return ERR(e, E_WRITE, "cannot lock %s: %s", path, strerror(errno));
    }
    return E_OK;
}

void statedir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);   /* releases the flock */
}

#define STATE_WHAT "reading the review state"

static int cmp_prev_fp(const void *a, const void *b)
{
    const struct prev_flag *x = a, *y = b;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

/* ---------- findings.csv ---------- */

static const char *const prev_cols[] = {"rule_id", "severity", "household_id", "hukou_no",
                                        "id_no", "region_code", "evidence", "fingerprint",
                                        "first_run", "last_run", "first_seen", "last_seen"};
enum { PC_RULE, PC_SEV, PC_HH, PC_HK, PC_ID, PC_REGION, PC_EV, PC_FP, PC_FIRST_RUN,
       PC_LAST_RUN, PC_FIRST_SEEN, PC_LAST_SEEN, N_PC };

/* The rows of findings.csv at path, in file order. */
static int read_findings_file(const char *path, struct arena *a, struct prev_flag **out,
                              size_t *n_out, struct err *e)
{
    struct csvr r;
    int st = csvr_open(&r, path, e);
    if (st != E_OK)
        return st;
    int col[N_PC];
    st = csvr_header(&r, prev_cols, N_PC, PC_FP + 1, col, e);
    struct vec rows = {NULL, 0, 0, 0};
    while (csvr_more(&r, &st, e)) {
        struct prev_flag *p = vec_push(&rows, sizeof *p);
        if (!p) {
            st = ERR(e, E_NOMEM, "out of memory while reading %s", path);
            break;
        }
        if (review_fp_parse(csvr_field(&r, col[PC_FP]), &p->fp) != 0) {
            err_where(e, path, r.rec_line, 0);
            st = ERR(e, E_PARSE, "'%s' is not a fingerprint (16 hex digits)",
                     csvr_field(&r, col[PC_FP]));
            break;
        }
        const char **dst[] = {&p->rule_id, &p->severity, &p->household_id, &p->hukou_no,
                              &p->id_no, &p->region, &p->evidence, &p->first_seen,
                              &p->last_seen};
        const int src[] = {PC_RULE, PC_SEV, PC_HH, PC_HK, PC_ID, PC_REGION, PC_EV,
                           PC_FIRST_SEEN, PC_LAST_SEEN};
        for (int i = 0; i < 9 && st == E_OK; i++)
            if (!(*dst[i] = arena_keep(a, csvr_field(&r, col[src[i]]), STATE_WHAT, e)))
                st = e->code;
        p->first_run = atoi(csvr_field(&r, col[PC_FIRST_RUN]));
        p->last_run = atoi(csvr_field(&r, col[PC_LAST_RUN]));
    }
    csvr_close(&r);
    if (st != E_OK) {
        vec_free(&rows);
        return st;
    }
    *out = rows.v;
    *n_out = rows.n;
    return E_OK;
}

int statedir_read_findings(const char *dir, struct arena *a, struct prev_flag **out,
                           size_t *n, struct err *e)
{
    char path[PATH_BYTES];
    snprintf(path, sizeof path, "%s/findings.csv", dir);
    *out = NULL;
    *n = 0;
    int st = read_findings_file(path, a, out, n, e);
    if (st == E_NOINPUT) {
        err_init(e);
        return E_OK;
    }
    if (st == E_OK && *n > 1)
        qsort(*out, *n, sizeof **out, cmp_prev_fp);
    return st;
}

/* ---------- history.csv ---------- */

static const char *const hist_cols[] = {"run", "as_of", "finished_at", "flags", "new",
                                        "persisting", "resolved", "queue", "held"};

/* The column of feed f's data rows, "rows_vehicles" (audit/prevcounts.h). */
/* dir/name (into path) for reading: E_OK with *absent 0, E_OK with
 * *absent 1 when there is no such file (a state without it yet), or the
 * error. */
static int open_optional(struct csvr *r, char path[PATH_BYTES], const char *dir,
                         const char *name, int *absent, struct err *e)
{
    snprintf(path, PATH_BYTES, "%s/%s", dir, name);
    int st = csvr_open(r, path, e);
    *absent = st == E_NOINPUT;
    if (*absent) {
        err_init(e);
        st = E_OK;
    }
    return st;
}

static void rows_col(int f, char out[40])
{
    snprintf(out, 40, "rows_%.*s", (int)strlen(input_file_names[f]) - 4, input_file_names[f]);
}

int statedir_read_history(const char *dir, struct history_row **out, size_t *n_out,
                          struct err *e)
{
    *out = NULL;
    *n_out = 0;
    struct csvr r;
    char path[PATH_BYTES];
    int absent;
    int st = open_optional(&r, path, dir, "history.csv", &absent, e);
    if (st != E_OK || absent)
        return st;
    int col[9], rcol[RULES_MAX];
    st = csvr_header(&r, hist_cols, 9, 2, col, e);
    for (int i = 0; i < n_rules; i++)
        rcol[i] = st == E_OK ? csvr_col(&r, rule_names[i]) : -1;
    int dcol[N_INPUT];   /* the feeds' data rows (prevcounts.h); absent: -1 */
    for (int i = 0; i < N_INPUT; i++) {
        char c[40];
        rows_col(i, c);
        dcol[i] = st == E_OK && feedcheck_is_feed(i) ? csvr_col(&r, c) : -1;
    }
    struct vec rows = {NULL, 0, 0, 0};
    while (csvr_more(&r, &st, e)) {
        struct history_row *h = vec_push(&rows, sizeof *h);
        if (!h) {
            st = ERR(e, E_NOMEM, "out of memory while reading %s", path);
            break;
        }
        h->run = atoi(csvr_field(&r, col[0]));
        snprintf(h->as_of, sizeof h->as_of, "%s", csvr_field(&r, col[1]));
        snprintf(h->finished_at, sizeof h->finished_at, "%s", csvr_field(&r, col[2]));
        long long *dst[] = {&h->flags, &h->new_, &h->persisting, &h->resolved, &h->queue,
                            &h->held};
        for (int i = 0; i < 6; i++)
            *dst[i] = col[3 + i] >= 0 ? atoll(csvr_field(&r, col[3 + i])) : -1;
        for (int i = 0; i < n_rules; i++)
            h->rule_count[i] = rcol[i] >= 0 ? atoll(csvr_field(&r, rcol[i])) : -1;
        for (int i = 0; i < N_INPUT; i++)
            h->data_rows[i] = dcol[i] >= 0 && *csvr_field(&r, dcol[i])
                                  ? atoll(csvr_field(&r, dcol[i])) : -1;
    }
    csvr_close(&r);
    if (st != E_OK) {
        vec_free(&rows);
        return st;
    }
    *out = rows.v;
    *n_out = rows.n;
    return E_OK;
}

int statedir_last_run(const struct prev_flag *known, size_t n_known,
                      const struct history_row *h, size_t n_h)
{
    int m = 0;
    for (size_t i = 0; i < n_known; i++)
        if (known[i].last_run > m)
            m = known[i].last_run;
    for (size_t i = 0; i < n_h; i++)
        if (h[i].run > m)
            m = h[i].run;
    return m;
}

/* ---------- dispositions.csv ---------- */

static const char *const disp_cols[7] = {"fingerprint", "outcome", "reviewer", "reviewed_on",
                                         "note", "imported_at", "source"};

int statedir_read_dispositions(const char *dir, struct arena *a, struct disp_row **out,
                               size_t *n_out, struct err *e)
{
    *out = NULL;
    *n_out = 0;
    struct csvr r;
    char path[PATH_BYTES];
    int absent;
    int st = open_optional(&r, path, dir, "dispositions.csv", &absent, e);
    if (st != E_OK || absent)
        return st;
    int col[7];
    st = csvr_header(&r, disp_cols, 7, 4, col, e);
    struct vec rows = {NULL, 0, 0, 0};
    while (csvr_more(&r, &st, e)) {
        struct disp_row *d = vec_push(&rows, sizeof *d);
        if (!d) {
            st = ERR(e, E_NOMEM, "out of memory while reading %s", path);
            break;
        }
        d->seq = rows.n - 1;
        if (review_fp_parse(csvr_field(&r, col[0]), &d->fp) != 0 ||
            (d->outcome = outcome_parse(csvr_field(&r, col[1]))) < 0) {
            err_where(e, path, r.rec_line, 0);
            st = ERR(e, E_PARSE, "not a disposition (fingerprint '%s', outcome '%s'); the "
                                 "state file was edited by hand?",
                     csvr_field(&r, col[0]), csvr_field(&r, col[1]));
            break;
        }
        for (int i = 0; i < 7 && st == E_OK; i++)
            if (!(d->fields[i] = arena_keep(a, csvr_field(&r, col[i]), STATE_WHAT, e)))
                st = e->code;
    }
    csvr_close(&r);
    if (st != E_OK) {
        vec_free(&rows);
        return st;
    }
    *out = rows.v;
    *n_out = rows.n;
    return E_OK;
}

struct disp_file_ctx {
    const struct disp_row *old;
    size_t n_old;
    const struct review_verdict *add;
    size_t n_add;
    const char *imported_at;
    const char *source;
};

static int fill_dispositions(FILE *f, void *vctx)
{
    const struct disp_file_ctx *c = vctx;
    fputs("fingerprint,outcome,reviewer,reviewed_on,note,imported_at,source\n", f);
    for (size_t i = 0; i < c->n_old; i++)
        for (int k = 0; k < 7; k++)
            csv_put(f, c->old[i].fields[k] ? c->old[i].fields[k] : "", k == 6);
    char hex[17], src[4200];
    for (size_t i = 0; i < c->n_add; i++) {
        const struct review_verdict *a = &c->add[i];
        review_fp_hex(a->fp, hex);
        snprintf(src, sizeof src, "%s:%lld", c->source, a->line);
        csv_put(f, hex, 0);
        csv_put(f, outcome_names[a->outcome], 0);
        csv_put(f, a->reviewer, 0);
        csv_put(f, a->reviewed_on, 0);
        csv_put(f, a->note, 0);
        csv_put(f, c->imported_at, 0);
        csv_put(f, src, 1);
    }
    return E_OK;
}

int statedir_write_dispositions(const char *dir, const struct disp_row *old, size_t n_old,
                                const struct review_verdict *add, size_t n_add,
                                const char *imported_at, const char *source, struct err *e)
{
    char path[PATH_BYTES];
    snprintf(path, sizeof path, "%s/dispositions.csv", dir);
    struct disp_file_ctx c = {old, n_old, add, n_add, imported_at, source};
    return fileio_replace(path, fill_dispositions, &c, e);
}

/* ---------- writing findings.csv and history.csv ---------- */

struct findings_ctx {
    const struct prev_flag *old;
    size_t n_old;
    const struct eval_result *er;
    const size_t *order;      /* current flags by fp */
    int run;
    const char *as_of;
};

void statedir_put_finding(FILE *f, uint64_t fp, const char *rule, const char *sev,
                          const char *hh, const char *hk, const char *id, const char *region)
{
    char hex[17];
    review_fp_hex(fp, hex);
    csv_put(f, hex, 0);
    csv_put(f, rule, 0);
    csv_put(f, sev, 0);
    csv_put(f, hh, 0);
    csv_put(f, hk, 0);
    csv_put(f, id, 0);
    csv_put(f, region, 0);
}

static void finding_row(FILE *f, uint64_t fp, const char *rule, const char *sev, const char *hh,
                        const char *hk, const char *id, const char *region, int first_run,
                        int last_run, const char *first_seen, const char *last_seen,
                        const char *evidence)
{
    char n1[16], n2[16];
    snprintf(n1, sizeof n1, "%d", first_run);
    snprintf(n2, sizeof n2, "%d", last_run);
    statedir_put_finding(f, fp, rule, sev, hh, hk, id, region);
    csv_put(f, n1, 0);
    csv_put(f, n2, 0);
    csv_put(f, first_seen, 0);
    csv_put(f, last_seen, 0);
    csv_put(f, evidence, 1);
}

static int fill_findings(FILE *f, void *vctx)
{
    const struct findings_ctx *c = vctx;
    fputs("fingerprint,rule_id,severity,household_id,hukou_no,id_no,region_code,first_run,"
          "last_run,first_seen,last_seen,evidence\n", f);
    size_t i = 0, j = 0, n = c->er->n_flags;
    while (i < c->n_old || j < n) {
        const struct prev_flag *o = i < c->n_old ? &c->old[i] : NULL;
        const struct flag *g = j < n ? &c->er->flags[c->order[j]] : NULL;
        if (g && j > 0 && c->er->flags[c->order[j - 1]].fp == g->fp) {
            j++;   /* a fingerprint collision within the run: keep one row */
            continue;
        }
        if (o && (!g || o->fp < g->fp)) {
            finding_row(f, o->fp, o->rule_id, o->severity, o->household_id, o->hukou_no,
                        o->id_no, o->region, o->first_run, o->last_run, o->first_seen,
                        o->last_seen, o->evidence);
            i++;
            continue;
        }
        int same = o && o->fp == g->fp;
        finding_row(f, g->fp, rule_names[g->rule], severity_names[g->severity], g->household_id,
                    g->hukou_no, g->id_no, g->region, same ? o->first_run : c->run, c->run,
                    same ? o->first_seen : c->as_of, c->as_of, g->evidence);
        if (same)
            i++;
        j++;
    }
    return E_OK;
}

struct history_ctx {
    const struct history_row *rows;
    size_t n;
};

static void put_count(FILE *f, long long v, int last)
{
    char b[32] = "";
    if (v >= 0)
        snprintf(b, sizeof b, "%lld", v);
    csv_put(f, b, last);
}

static int fill_history(FILE *f, void *vctx)
{
    const struct history_ctx *c = vctx;
    fputs("run,as_of,finished_at,flags,new,persisting,resolved,queue,held", f);
    for (int r = 0; r < n_rules; r++)
        fprintf(f, ",%s", rule_names[r]);
    char col[40];
    for (int k = 0; k < N_INPUT; k++) {
        if (!feedcheck_is_feed(k))
            continue;
        rows_col(k, col);
        fprintf(f, ",%s", col);
    }
    fputc('\n', f);
    for (size_t i = 0; i < c->n; i++) {
        const struct history_row *h = &c->rows[i];
        fprintf(f, "%d,", h->run);
        csv_put(f, h->as_of, 0);
        csv_put(f, h->finished_at, 0);
        const long long v[] = {h->flags, h->new_, h->persisting, h->resolved, h->queue, h->held};
        for (int k = 0; k < 6; k++)
            put_count(f, v[k], 0);
        for (int r = 0; r < n_rules; r++)
            put_count(f, h->rule_count[r], 0);
        int last = N_INPUT - 1;
        while (last > 0 && !feedcheck_is_feed(last))
            last--;
        for (int k = 0; k < N_INPUT; k++)
            if (feedcheck_is_feed(k))
                put_count(f, h->data_rows[k], k == last);
    }
    return E_OK;
}

int statedir_write_findings(const char *dir, const struct prev_flag *old, size_t n_old,
                            const struct eval_result *er, const size_t *order, int run,
                            const char *as_of, struct err *e)
{
    char path[PATH_BYTES];
    snprintf(path, sizeof path, "%s/findings.csv", dir);
    struct findings_ctx fc = {old, n_old, er, order, run, as_of};
    return fileio_replace(path, fill_findings, &fc, e);
}

int statedir_write_history(const char *dir, const struct history_row *rows, size_t n,
                           struct err *e)
{
    char path[PATH_BYTES];
    snprintf(path, sizeof path, "%s/history.csv", dir);
    struct history_ctx hc = {rows, n};
    return fileio_replace(path, fill_history, &hc, e);
}

