/* review.c - fingerprints, changes since the previous run, dispositions
 * (see review.h).
 *
 * Owns: the fingerprint, the formats of fingerprints.csv, changes.csv and
 * the state directory, and `hedui review import|list`.  Never changes a
 * flag except its fp and held fields; never decides a rule.
 */
#include "audit/review.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "pg/cmd_pg.h"
#include "base/date.h"
#include "base/encoding.h"
#include "base/fileio.h"
#include "base/utf8.h"
#include "pipeline.h"
#include "out/write.h"

#define E_OUT E_WRITE   /* an output of ours could not be written (exit 6) */

const char *const change_names[3] = {"new", "persisting", "resolved"};
const char *const outcome_names[N_OUTCOMES] = {"", "confirmed", "cleared", "referred"};

/* ---------- fingerprints ---------- */

struct item {
    const char *p;
    size_t n;
};

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int r = memcmp(x->p, y->p, n);
    if (r)
        return r;
    return x->n < y->n ? -1 : x->n > y->n;
}

uint64_t review_fingerprint(const struct flag *f)
{
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_64bits_reset(&st);
    static const char tag[] = "hedui-fp-1";
    XXH3_64bits_update(&st, tag, sizeof tag);
    const char *parts[4] = {rule_names[f->rule], f->household_id, f->hukou_no, f->id_no};
    for (int i = 0; i < 4; i++)
        XXH3_64bits_update(&st, parts[i], strlen(parts[i]) + 1);
    /* key items, sorted: the order of rows in a feed does not matter */
    struct item it[128];
    int n = 0;
    const char *k = f->evkey ? f->evkey : "";
    while (*k) {
        const char *end = strchr(k, '\x1e');
        size_t len = end ? (size_t)(end - k) : strlen(k);
        if (n < 128) {
            it[n].p = k;
            it[n].n = len;
            n++;
        } else {
            /* beyond 128 items (never in practice): hashed in order */
            XXH3_64bits_update(&st, k, len);
            XXH3_64bits_update(&st, "\x1e", 1);
        }
        k += len + (end ? 1 : 0);
    }
    if ((size_t)n > 1)
        qsort(it, (size_t)n, sizeof it[0], cmp_item);
    for (int i = 0; i < n; i++) {
        XXH3_64bits_update(&st, it[i].p, it[i].n);
        XXH3_64bits_update(&st, "\x1e", 1);
    }
    uint64_t h = XXH3_64bits_digest(&st);
    return h ? h : 1;   /* 0 means "not computed" */
}

void review_fp_hex(uint64_t fp, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)fp);
}

int review_fp_parse(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int i;
    for (i = 0; s[i]; i++) {
        int c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        if (i >= 16)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    if (i != 16 || v == 0)
        return -1;
    *out = v;
    return 0;
}

/* ---------- files of the state directory ---------- */

/* Create the state directory if needed and lock it (exclusive flock). */
static int state_lock(const char *dir, int *fd, struct err *e)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || mkdir(dir, 0700) != 0)
            return ERR(e, E_OUT, "cannot create the state directory %s: %s", dir,
                       strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        return ERR(e, E_USAGE, "state path %s is not a directory", dir);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/.lock", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0)
        return ERR(e, E_OUT, "cannot open %s: %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX) != 0) {
        close(*fd);
        *fd = -1;
        return ERR(e, E_OUT, "cannot lock %s: %s", path, strerror(errno));
    }
    return E_OK;
}

static void state_unlock(int fd)
{
    if (fd >= 0)
        close(fd);   /* releases the flock */
}

static const char *dup_field(struct review *rv, const char *s, struct err *e)
{
    char *p = arena_strndup(&rv->arena, s, strlen(s));
    if (!p)
        ERR(e, E_NOMEM, "out of memory while reading the review state");
    return p;
}

static int cmp_prev_fp(const void *a, const void *b)
{
    const struct prev_flag *x = a, *y = b;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static const char *const prev_cols[] = {"rule_id", "severity", "household_id", "hukou_no",
                                        "id_no", "region_code", "evidence", "fingerprint",
                                        "first_run", "last_run", "first_seen", "last_seen"};
enum { PC_RULE, PC_SEV, PC_HH, PC_HK, PC_ID, PC_REGION, PC_EV, PC_FP, PC_FIRST_RUN,
       PC_LAST_RUN, PC_FIRST_SEEN, PC_LAST_SEEN, N_PC };

/* Flags of a file (flags.csv of a run, or the state's findings.csv). */
static int read_flag_file(struct review *rv, const char *path, int need_fp,
                          struct prev_flag **out, size_t *n_out, int *has_fp, struct err *e)
{
    struct csvr r;
    int st = csvr_open(&r, path, e);
    if (st != E_OK)
        return st;
    int col[N_PC];
    st = csvr_header(&r, prev_cols, N_PC, need_fp ? PC_FP + 1 : PC_EV + 1, col, e);
    struct vec rows = {NULL, 0, 0, 0};
    while (st == E_OK) {
        int k = csvr_next(&r, e);
        if (k < 0) {
            st = e->code;
            break;
        }
        if (k == 0)
            break;
        struct prev_flag *p = vec_push(&rows, sizeof *p);
        if (!p) {
            st = ERR(e, E_NOMEM, "out of memory while reading %s", path);
            break;
        }
        if (col[PC_FP] >= 0 && review_fp_parse(csvr_field(&r, col[PC_FP]), &p->fp) != 0) {
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
            if (!(*dst[i] = dup_field(rv, csvr_field(&r, col[src[i]]), e)))
                st = e->code;
        p->first_run = atoi(csvr_field(&r, col[PC_FIRST_RUN]));
        p->last_run = atoi(csvr_field(&r, col[PC_LAST_RUN]));
    }
    if (has_fp)
        *has_fp = col[PC_FP] >= 0;
    csvr_close(&r);
    if (st != E_OK) {
        vec_free(&rows);
        return st;
    }
    *out = rows.v;
    *n_out = rows.n;
    return E_OK;
}

/* --previous DIR: its flags.csv, fingerprints from the flags' own column
 * or from fingerprints.csv (same rows, same order). */
static int load_previous_dir(struct review *rv, const char *dir, struct err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/flags.csv", dir);
    int has_fp = 0;
    int st = read_flag_file(rv, path, 0, &rv->prev, &rv->n_prev, &has_fp, e);
    if (st == E_NOINPUT) {
        err_init(e);
        return ERR(e, E_NOINPUT, "--previous %s: no flags.csv there; give the output "
                                 "directory of an earlier 'hedui run' (or leave out "
                                 "--previous on a first run)", dir);
    }
    if (st != E_OK || has_fp)
        goto sorted;
    snprintf(path, sizeof path, "%s/fingerprints.csv", dir);
    struct csvr r;
    st = csvr_open(&r, path, e);
    if (st == E_NOINPUT) {
        err_init(e);
        return ERR(e, E_NOINPUT, "--previous %s: flags.csv has no fingerprints and there is "
                                 "no fingerprints.csv (a run of an older hedui?)", dir);
    }
    if (st != E_OK)
        return st;
    static const char *const names[] = {"fingerprint", "rule_id", "household_id", "hukou_no",
                                        "id_no"};
    int col[5];
    st = csvr_header(&r, names, 5, 5, col, e);
    size_t i = 0;
    while (st == E_OK) {
        int k = csvr_next(&r, e);
        if (k < 0) {
            st = e->code;
            break;
        }
        if (k == 0)
            break;
        struct prev_flag *p = i < rv->n_prev ? &rv->prev[i] : NULL;
        if (!p || strcmp(p->rule_id, csvr_field(&r, col[1])) != 0 ||
            strcmp(p->household_id, csvr_field(&r, col[2])) != 0 ||
            strcmp(p->hukou_no, csvr_field(&r, col[3])) != 0 || strcmp(p->id_no, csvr_field(&r, col[4])) != 0) {
            err_where(e, path, r.rec_line, 0);
            st = ERR(e, E_PARSE, "does not match row %zu of flags.csv: the two files are not "
                                 "from the same run", i + 1);
            break;
        }
        if (review_fp_parse(csvr_field(&r, col[0]), &p->fp) != 0) {
            err_where(e, path, r.rec_line, 0);
            st = ERR(e, E_PARSE, "'%s' is not a fingerprint (16 hex digits)", csvr_field(&r, col[0]));
            break;
        }
        i++;
    }
    if (st == E_OK && i != rv->n_prev) {
        err_where(e, path, 0, 0);
        st = ERR(e, E_PARSE, "has %zu rows, flags.csv %zu: the two files are not from the "
                             "same run", i, rv->n_prev);
    }
    csvr_close(&r);
sorted:
    if (st == E_OK && rv->n_prev > 1)
        qsort(rv->prev, rv->n_prev, sizeof *rv->prev, cmp_prev_fp);
    return st;
}

/* ---------- dispositions ---------- */

struct disp_row {
    uint64_t fp;
    int outcome;
    const char *fields[7];   /* fingerprint outcome reviewer reviewed_on note imported_at source */
    size_t seq;
};

static const char *const disp_cols[7] = {"fingerprint", "outcome", "reviewer", "reviewed_on",
                                         "note", "imported_at", "source"};

static int outcome_parse(const char *s)
{
    for (int i = 1; i < N_OUTCOMES; i++)
        if (strcmp(s, outcome_names[i]) == 0)
            return i;
    return -1;
}

/* Every row of dir/dispositions.csv, in file order. */
static int read_dispositions(struct review *rv, const char *dir, struct disp_row **out,
                             size_t *n_out, struct err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/dispositions.csv", dir);
    *out = NULL;
    *n_out = 0;
    struct csvr r;
    int st = csvr_open(&r, path, e);
    if (st == E_NOINPUT) {
        err_init(e);
        return E_OK;
    }
    if (st != E_OK)
        return st;
    int col[7];
    st = csvr_header(&r, disp_cols, 7, 4, col, e);
    struct vec rows = {NULL, 0, 0, 0};
    while (st == E_OK) {
        int k = csvr_next(&r, e);
        if (k < 0) {
            st = e->code;
            break;
        }
        if (k == 0)
            break;
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
            if (!(d->fields[i] = dup_field(rv, csvr_field(&r, col[i]), e)))
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

static int cmp_disp_fp_seq(const void *a, const void *b)
{
    const struct disp_row *x = a, *y = b;
    if (x->fp != y->fp)
        return x->fp < y->fp ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The verdict in force for each fingerprint: the last one imported. */
static int dispositions_in_force(struct review *rv, struct disp_row *v, size_t n,
                                 struct err *e)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_disp_fp_seq);
    rv->disp = malloc((n ? n : 1) * sizeof *rv->disp);
    if (!rv->disp)
        return ERR(e, E_NOMEM, "out of memory while reading dispositions");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && v[i + 1].fp == v[i].fp)
            continue;
        struct disposition *d = &rv->disp[m++];
        d->fp = v[i].fp;
        d->outcome = v[i].outcome;
        d->reviewer = v[i].fields[2];
        d->reviewed_on = v[i].fields[3];
        d->note = v[i].fields[4];
    }
    rv->n_disp = m;
    return E_OK;
}

static const struct disposition *find_disp(const struct review *rv, uint64_t fp)
{
    size_t lo = 0, hi = rv->n_disp;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rv->disp[mid].fp < fp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < rv->n_disp && rv->disp[lo].fp == fp ? &rv->disp[lo] : NULL;
}

static const struct prev_flag *find_prev(const struct prev_flag *v, size_t n, uint64_t fp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].fp < fp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].fp == fp ? &v[lo] : NULL;
}

/* ---------- history ---------- */

static const char *const hist_cols[] = {"run", "as_of", "finished_at", "flags", "new",
                                        "persisting", "resolved", "queue", "held"};

static int read_history(const char *dir, struct history_row **out, size_t *n_out,
                        struct err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/history.csv", dir);
    *out = NULL;
    *n_out = 0;
    struct csvr r;
    int st = csvr_open(&r, path, e);
    if (st == E_NOINPUT) {
        err_init(e);
        return E_OK;
    }
    if (st != E_OK)
        return st;
    int col[9], rcol[N_RULES];
    st = csvr_header(&r, hist_cols, 9, 2, col, e);
    for (int i = 0; i < N_RULES; i++)
        rcol[i] = st == E_OK ? csvr_col(&r, rule_names[i]) : -1;
    struct vec rows = {NULL, 0, 0, 0};
    while (st == E_OK) {
        int k = csvr_next(&r, e);
        if (k < 0) {
            st = e->code;
            break;
        }
        if (k == 0)
            break;
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
        for (int i = 0; i < N_RULES; i++)
            h->rule_count[i] = rcol[i] >= 0 ? atoll(csvr_field(&r, rcol[i])) : -1;
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

/* Run number of the last recorded run: findings are written before the
 * history row, so a crash between the two still names the right run. */
static int last_run_of(const struct prev_flag *known, size_t n_known,
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

static int load_state(struct review *rv, const char *dir, struct err *e)
{
    int fd = -1;
    int st = state_lock(dir, &fd, e);
    struct disp_row *dv = NULL;
    size_t dn = 0;
    if (st == E_OK)
        st = read_dispositions(rv, dir, &dv, &dn, e);
    if (st == E_OK)
        st = dispositions_in_force(rv, dv, dn, e);
    free(dv);
    char path[4200];
    snprintf(path, sizeof path, "%s/findings.csv", dir);
    if (st == E_OK) {
        st = read_flag_file(rv, path, 1, &rv->known, &rv->n_known, NULL, e);
        if (st == E_NOINPUT) {
            err_init(e);
            st = E_OK;
        }
    }
    if (st == E_OK)
        st = read_history(dir, &rv->hist, &rv->n_hist, e);
    state_unlock(fd);
    if (st != E_OK)
        return st;
    if (rv->n_known > 1)
        qsort(rv->known, rv->n_known, sizeof *rv->known, cmp_prev_fp);
    rv->prev_run = last_run_of(rv->known, rv->n_known, rv->hist, rv->n_hist);
    return E_OK;
}

/* ---------- the run ---------- */

int review_open(struct review **out, const char *previous_dir, const char *state_dir,
                struct err *e)
{
    struct review *rv = calloc(1, sizeof *rv);
    if (!rv)
        return ERR(e, E_NOMEM, "out of memory while opening the review state");
    arena_init(&rv->arena, (size_t)1 << 20);
    rv->previous_dir = previous_dir;
    rv->state_dir = state_dir;
    *out = rv;
    int st = E_OK;
    if (state_dir)
        st = load_state(rv, state_dir, e);
    if (st == E_OK && previous_dir) {
        st = load_previous_dir(rv, previous_dir, e);
        rv->compare = 1;
    } else if (st == E_OK && state_dir) {
        /* the previous run is the last run recorded in the state */
        rv->compare = 1;
        rv->prev = malloc((rv->n_known ? rv->n_known : 1) * sizeof *rv->prev);
        if (!rv->prev)
            return ERR(e, E_NOMEM, "out of memory while reading the review state");
        for (size_t i = 0; i < rv->n_known; i++)
            if (rv->known[i].last_run == rv->prev_run)
                rv->prev[rv->n_prev++] = rv->known[i];
    }
    return st;
}

static int cmp_flag_keys(const char *h1, const char *k1, const char *r1, const char *i1,
                         const char *h2, const char *k2, const char *r2, const char *i2)
{
    int r = strcmp(h1, h2);
    if (r)
        return r;
    if ((r = strcmp(k1, k2)))
        return r;
    if ((r = strcmp(r1, r2)))
        return r;
    return strcmp(i1, i2);
}

static const struct prev_flag *g_sort_prev;
static int cmp_resolved(const void *a, const void *b)
{
    const struct prev_flag *x = &g_sort_prev[*(const size_t *)a];
    const struct prev_flag *y = &g_sort_prev[*(const size_t *)b];
    int r = cmp_flag_keys(x->household_id, x->hukou_no, x->rule_id, x->id_no, y->household_id,
                          y->hukou_no, y->rule_id, y->id_no);
    if (r)
        return r;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int review_mark(struct review *rv, struct eval_result *er, struct err *e)
{
    size_t n = er->n_flags;
    struct flag *fl = er->flags;
#pragma omp parallel for schedule(static)
    for (long long i = 0; i < (long long)n; i++)
        fl[i].fp = review_fingerprint(&fl[i]);
    rv->n_flags = n;
    rv->change = calloc(n ? n : 1, 1);
    rv->outcome = calloc(n ? n : 1, 1);
    uint64_t *cur = malloc((n ? n : 1) * sizeof *cur);
    rv->resolved = malloc((rv->n_prev ? rv->n_prev : 1) * sizeof *rv->resolved);
    if (!rv->change || !rv->outcome || !cur || !rv->resolved) {
        free(cur);
        return ERR(e, E_NOMEM, "out of memory while comparing with the previous run");
    }
    for (size_t i = 0; i < n; i++) {
        cur[i] = fl[i].fp;
        rv->change[i] = find_prev(rv->prev, rv->n_prev, fl[i].fp) ? CH_PERSISTING : CH_NEW;
        if (rv->change[i] == CH_NEW)
            rv->n_new++;
        else
            rv->n_persisting++;
        const struct disposition *d = find_disp(rv, fl[i].fp);
        rv->outcome[i] = d ? (unsigned char)d->outcome : OC_NONE;
        fl[i].held = d != NULL;
        rv->n_held[rv->outcome[i]]++;
    }
    if (n > 1)
        qsort(cur, n, sizeof *cur, cmp_u64);
    rv->n_resolved = 0;
    for (size_t i = 0; i < rv->n_prev; i++)
        if (!n || !bsearch(&rv->prev[i].fp, cur, n, sizeof *cur, cmp_u64))
            rv->resolved[rv->n_resolved++] = i;
    free(cur);
    g_sort_prev = rv->prev;
    if (rv->n_resolved > 1)
        qsort(rv->resolved, rv->n_resolved, sizeof *rv->resolved, cmp_resolved);
    return E_OK;
}

struct extra_ctx {
    const struct review *rv;
    const struct eval_result *er;
};

/* flags.csv's two extra columns */
static void flag_extra_cols(FILE *f, size_t i, void *ctx)
{
    const struct extra_ctx *x = ctx;
    char hex[17];
    review_fp_hex(x->er->flags[i].fp, hex);
    csv_put(f, hex, 0);
    csv_put(f, change_names[x->rv->change[i]], 1);
}

static int write_fingerprints(struct outdir *od, const struct eval_result *er, struct err *e)
{
    FILE *f = out_open(od, "fingerprints.csv", e);
    if (!f)
        return e->code;
    fputs("fingerprint,rule_id,household_id,hukou_no,id_no\n", f);
    char hex[17];
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        review_fp_hex(g->fp, hex);
        csv_put(f, hex, 0);
        csv_put(f, rule_names[g->rule], 0);
        csv_put(f, g->household_id, 0);
        csv_put(f, g->hukou_no, 0);
        csv_put(f, g->id_no, 1);
    }
    return out_close(f, od, "fingerprints.csv", e);
}

static void change_row(FILE *f, const char *change, uint64_t fp, const char *rule,
                       const char *sev, const char *hh, const char *hk, const char *id,
                       const char *region, int outcome, const char *evidence)
{
    char hex[17];
    review_fp_hex(fp, hex);
    csv_put(f, change, 0);
    csv_put(f, hex, 0);
    csv_put(f, rule, 0);
    csv_put(f, sev, 0);
    csv_put(f, hh, 0);
    csv_put(f, hk, 0);
    csv_put(f, id, 0);
    csv_put(f, region, 0);
    csv_put(f, outcome_names[outcome], 0);
    csv_put(f, evidence, 1);
}

static int write_changes(struct review *rv, struct outdir *od, const struct eval_result *er,
                         struct err *e)
{
    FILE *f = out_open(od, "changes.csv", e);
    if (!f)
        return e->code;
    fputs("change,fingerprint,rule_id,severity,household_id,hukou_no,id_no,region_code,"
          "disposition,evidence\n", f);
    /* merge the current flags (sorted) with the resolved ones (sorted the
     * same way); a resolved finding comes before a current one of the same
     * key (the old evidence, then the new) */
    size_t i = 0, j = 0;
    while (i < er->n_flags || j < rv->n_resolved) {
        const struct flag *g = i < er->n_flags ? &er->flags[i] : NULL;
        const struct prev_flag *p = j < rv->n_resolved ? &rv->prev[rv->resolved[j]] : NULL;
        int take_prev = !g;
        if (g && p)
            take_prev = cmp_flag_keys(p->household_id, p->hukou_no, p->rule_id, p->id_no,
                                      g->household_id, g->hukou_no, rule_names[g->rule],
                                      g->id_no) <= 0;
        if (take_prev) {
            const struct disposition *d = find_disp(rv, p->fp);
            change_row(f, "resolved", p->fp, p->rule_id, p->severity, p->household_id,
                       p->hukou_no, p->id_no, p->region, d ? d->outcome : OC_NONE, p->evidence);
            j++;
        } else {
            change_row(f, change_names[rv->change[i]], g->fp, rule_names[g->rule],
                       severity_names[g->severity], g->household_id, g->hukou_no, g->id_no,
                       g->region, rv->outcome[i], g->evidence);
            i++;
        }
    }
    return out_close(f, od, "changes.csv", e);
}

int review_write(struct review *rv, struct outdir *od, const struct eval_result *er,
                 struct err *e)
{
    struct extra_ctx x = {rv, er};
    int st = rv->compare ? write_flags_ext(od, er, ",fingerprint,change", flag_extra_cols, &x, e)
                         : write_flags(od, er, e);
    if (st == E_OK)
        st = write_fingerprints(od, er, e);
    if (st == E_OK && rv->compare)
        st = write_changes(rv, od, er, e);
    return st;
}

void review_current_row(const struct review *rv, const struct pipeline *p,
                        struct history_row *h)
{
    memset(h, 0, sizeof *h);
    h->run = rv->state_dir ? rv->prev_run + 1 : 0;   /* numbered by the state only */
    date_format(p->cfg.as_of, h->as_of);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(h->finished_at, sizeof h->finished_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    h->flags = (long long)p->er.n_flags;
    h->new_ = rv->compare ? rv->n_new : -1;
    h->persisting = rv->compare ? rv->n_persisting : -1;
    h->resolved = rv->compare ? (long long)rv->n_resolved : -1;
    h->queue = (long long)p->rk.n_queue;
    h->held = rv->state_dir ? 0 : -1;
    for (int i = 1; i < N_OUTCOMES && rv->state_dir; i++)
        h->held += rv->n_held[i];
    for (int i = 0; i < N_RULES; i++)
        h->rule_count[i] = (long long)p->er.rule_count[i];
}

/* ---------- recording a run in the state ---------- */

struct findings_ctx {
    const struct prev_flag *old;
    size_t n_old;
    const struct eval_result *er;
    const size_t *order;      /* current flags by fp */
    int run;
    const char *as_of;
};

static const struct flag *g_sort_flags;
static int cmp_flag_idx_fp(const void *a, const void *b)
{
    uint64_t x = g_sort_flags[*(const size_t *)a].fp, y = g_sort_flags[*(const size_t *)b].fp;
    return x < y ? -1 : x > y;
}

static void finding_row(FILE *f, uint64_t fp, const char *rule, const char *sev, const char *hh,
                        const char *hk, const char *id, const char *region, int first_run,
                        int last_run, const char *first_seen, const char *last_seen,
                        const char *evidence)
{
    char hex[17], n1[16], n2[16];
    review_fp_hex(fp, hex);
    snprintf(n1, sizeof n1, "%d", first_run);
    snprintf(n2, sizeof n2, "%d", last_run);
    csv_put(f, hex, 0);
    csv_put(f, rule, 0);
    csv_put(f, sev, 0);
    csv_put(f, hh, 0);
    csv_put(f, hk, 0);
    csv_put(f, id, 0);
    csv_put(f, region, 0);
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
    for (int r = 0; r < N_RULES; r++)
        fprintf(f, ",%s", rule_names[r]);
    fputc('\n', f);
    for (size_t i = 0; i < c->n; i++) {
        const struct history_row *h = &c->rows[i];
        fprintf(f, "%d,", h->run);
        csv_put(f, h->as_of, 0);
        csv_put(f, h->finished_at, 0);
        const long long v[] = {h->flags, h->new_, h->persisting, h->resolved, h->queue, h->held};
        for (int k = 0; k < 6; k++)
            put_count(f, v[k], 0);
        for (int r = 0; r < N_RULES; r++)
            put_count(f, h->rule_count[r], r == N_RULES - 1);
    }
    return E_OK;
}

int review_record_run(struct review *rv, const struct pipeline *p, const char *out_dir,
                      struct err *e)
{
    if (!rv->state_dir)
        return E_OK;
    int fd = -1;
    int st = state_lock(rv->state_dir, &fd, e);
    if (st != E_OK)
        return st;
    /* re-read under the lock: the state as it is now */
    struct review now;
    memset(&now, 0, sizeof now);
    arena_init(&now.arena, (size_t)1 << 20);
    char path[4200];
    snprintf(path, sizeof path, "%s/findings.csv", rv->state_dir);
    st = read_flag_file(&now, path, 1, &now.known, &now.n_known, NULL, e);
    if (st == E_NOINPUT) {
        err_init(e);
        st = E_OK;
    }
    if (st == E_OK)
        st = read_history(rv->state_dir, &now.hist, &now.n_hist, e);
    size_t *order = NULL;
    struct history_row *rows = NULL;
    if (st == E_OK) {
        if (now.n_known > 1)
            qsort(now.known, now.n_known, sizeof *now.known, cmp_prev_fp);
        int run = last_run_of(now.known, now.n_known, now.hist, now.n_hist) + 1;
        size_t n = p->er.n_flags;
        order = malloc((n ? n : 1) * sizeof *order);
        rows = malloc((now.n_hist + 1) * sizeof *rows);
        if (!order || !rows) {
            st = ERR(e, E_NOMEM, "out of memory while recording the run");
        } else {
            for (size_t i = 0; i < n; i++)
                order[i] = i;
            g_sort_flags = p->er.flags;
            if (n > 1)
                qsort(order, n, sizeof *order, cmp_flag_idx_fp);
            char as_of[11];
            date_format(p->cfg.as_of, as_of);
            struct findings_ctx fc = {now.known, now.n_known, &p->er, order, run, as_of};
            snprintf(path, sizeof path, "%s/findings.csv", rv->state_dir);
            st = fileio_replace(path, fill_findings, &fc, e);
            if (st == E_OK) {
                if (now.n_hist)
                    memcpy(rows, now.hist, now.n_hist * sizeof *rows);
                review_current_row(rv, p, &rows[now.n_hist]);
                rows[now.n_hist].run = run;
                struct history_ctx hc = {rows, now.n_hist + 1};
                snprintf(path, sizeof path, "%s/history.csv", rv->state_dir);
                st = fileio_replace(path, fill_history, &hc, e);
            }
        }
    }
    free(order);
    free(rows);
    free(now.known);
    free(now.hist);
    arena_free(&now.arena);
    state_unlock(fd);
    if (st != E_OK) {
        size_t m = strlen(e->msg);
        snprintf(e->msg + m, sizeof e->msg - m, " (the run's outputs are published in %s; "
                 "the state %s was not updated)", out_dir, rv->state_dir);
    }
    return st;
}

void review_free(struct review *rv)
{
    if (!rv)
        return;
    free(rv->prev);
    free(rv->known);
    free(rv->disp);
    free(rv->hist);
    free(rv->change);
    free(rv->outcome);
    free(rv->resolved);
    arena_free(&rv->arena);
    free(rv);
}

/* ---------- masking ---------- */

void mask_id(const char *id, char *out, size_t n)
{
    const unsigned char *u = (const unsigned char *)id;
    size_t chars = 0, len = strlen(id);
    for (size_t i = 0; i < len; i += utf8_step(u + i, len - i))
        chars++;
    size_t o = 0, k = 0;
    for (size_t i = 0; i < len && o + 5 < n; k++) {
        size_t cl = utf8_step(u + i, len - i);
        int keep = chars >= 15 && (k < 6 || k >= chars - 4);
        if (keep) {
            memcpy(out + o, id + i, cl);
            o += cl;
        } else {
            out[o++] = '*';
        }
        i += cl;
    }
    out[o] = '\0';
}

/* ASCII or full-width digit at s: its byte length, else 0. */
static size_t id_digit(const unsigned char *s)
{
    if (*s >= '0' && *s <= '9')
        return 1;
    if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99)
        return 3;
    return 0;
}

static size_t id_x(const unsigned char *s)
{
    if (*s == 'X' || *s == 'x')
        return 1;
    if (s[0] == 0xEF && ((s[1] == 0xBC && s[2] == 0xB8) || (s[1] == 0xBD && s[2] == 0x98)))
        return 3;
    return 0;
}

void mask_ids_in_text(const char *s, char *out, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    while (*p && o + 1 < n) {
        size_t k = id_digit(p);
        if (!k) {
            out[o++] = (char)*p++;
            continue;
        }
        /* a run of digits, optionally ended by an X */
        const unsigned char *q = p;
        size_t chars = 0;
        while ((k = id_digit(q)) != 0) {
            q += k;
            chars++;
        }
        if ((k = id_x(q)) != 0) {
            q += k;
            chars++;
        }
        if (chars >= 15) {
            char run[256], masked[256];
            size_t len = (size_t)(q - p);
            if (len >= sizeof run)
                len = sizeof run - 1;
            memcpy(run, p, len);
            run[len] = '\0';
            mask_id(run, masked, sizeof masked);
            for (size_t i = 0; masked[i] && o + 1 < n; i++)
                out[o++] = masked[i];
        } else {
            while (p < q && o + 1 < n)
                out[o++] = (char)*p++;
        }
        p = q;
    }
    out[o] = '\0';
}

/* ---------- hedui review import|list ---------- */

static const char usage_review[] =
    "Usage: hedui review import FILE --state DIR [--dry-run]\n"
    "       hedui review import FILE --pg CONNINFO [--schema S] [--dry-run]\n"
    "       hedui review list --state DIR\n"
    "\n"
    "With --pg the verdicts go, validated the same way and in one\n"
    "transaction, into the table S.dispositions (S defaults to hedui).\n"
    "\n"
    "import: reads the auditors' verdicts from FILE, a CSV with the columns\n"
    "  fingerprint, outcome, reviewer, reviewed_on[, note] (any order; other\n"
    "  columns, e.g. those of an export pack, are ignored), UTF-8 (a BOM is\n"
    "  fine) or GB18030, and adds them to DIR/dispositions.csv.\n"
    "  outcome: confirmed, cleared or referred.  reviewed_on: YYYY-MM-DD (or\n"
    "  YYYY/M/D), not after today.  A row whose outcome, reviewer and\n"
    "  reviewed_on are all empty is skipped (no verdict yet).  Every other\n"
    "  row must be valid: a bad row is listed with FILE:LINE and the reason,\n"
    "  and then nothing at all is imported (exit status 1).\n"
    "  The latest verdict on a fingerprint is in force.  'hedui run --state\n"
    "  DIR' leaves findings with a verdict in force out of the review queue\n"
    "  while their fingerprint is unchanged.\n"
    "  --dry-run  check FILE, change nothing\n"
    "\n"
    "list: prints the verdicts in force as CSV.\n";

static int today_days(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* YYYY-MM-DD, YYYY-M-D or YYYY/M/D -> day number */
static int parse_review_date(const char *s, int *out)
{
    int y, m, d;
    char s1, s2, tail;
    if (sscanf(s, "%4d%c%2d%c%2d%c", &y, &s1, &m, &s2, &d, &tail) != 5)
        return -1;
    if (s1 != s2 || (s1 != '-' && s1 != '/'))
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != s1)
            return -1;
    char norm[16];
    snprintf(norm, sizeof norm, "%04d-%02d-%02d", y, m, d);
    return date_parse(norm, 10, out);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* A fingerprint cell as a spreadsheet may have saved it: '…, ="…". */
static char *unwrap_fp(char *s)
{
    s = trim(s);
    if (s[0] == '\'')
        s++;
    size_t n = strlen(s);
    if (n >= 3 && s[0] == '=' && s[1] == '"' && s[n - 1] == '"') {
        s[n - 1] = '\0';
        s += 2;
    }
    return s;
}

static int looks_numeric(const char *s)
{
    int digits = 0;
    for (; *s; s++) {
        if (isdigit((unsigned char)*s))
            digits++;
        else if (!strchr(".eE+-,", *s))
            return 0;
    }
    return digits > 0;
}

/* Fingerprints of an import file -> the line where each was first seen. */
struct fpset {
    uint64_t *k;
    long long *line;
    size_t n, cap;    /* cap a power of two */
};

/* The line fp was first seen on (line itself when new); -1 when out of memory. */
static long long fpset_add(struct fpset *s, uint64_t fp, long long line)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        uint64_t *k = calloc(nc, sizeof *k);
        long long *l = calloc(nc, sizeof *l);
        if (!k || !l) {
            free(k);
            free(l);
            return -1;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->k[i])
                continue;
            size_t h = (size_t)(s->k[i] * 0x9E3779B97F4A7C15ull) & (nc - 1);
            while (k[h])
                h = (h + 1) & (nc - 1);
            k[h] = s->k[i];
            l[h] = s->line[i];
        }
        free(s->k);
        free(s->line);
        s->k = k;
        s->line = l;
        s->cap = nc;
    }
    size_t h = (size_t)(fp * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    while (s->k[h] && s->k[h] != fp)
        h = (h + 1) & (s->cap - 1);
    if (s->k[h])
        return s->line[h];
    s->k[h] = fp;   /* fingerprints are never 0 */
    s->line[h] = line;
    s->n++;
    return line;
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

static int cmp_disp_seq(const void *a, const void *b)
{
    const struct disp_row *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int review_import(const char *file, const char *state, const struct review_store *store,
                  int dry_run, struct err *e)
{
    struct review *rv = NULL;
    const char *where = store ? store->name : state;
    int st = review_open(&rv, NULL, store ? NULL : state, e);
    if (st == E_OK && store)
        st = store->open(store->ctx, rv, e);
    if (st != E_OK) {
        review_free(rv);
        return st;
    }
    struct csvr r;
    st = csvr_open(&r, file, e);
    if (st != E_OK) {
        review_free(rv);
        return st;
    }
    static const char *const names[] = {"fingerprint", "outcome", "reviewer", "reviewed_on",
                                        "note"};
    int col[5];
    st = csvr_header(&r, names, 5, 4, col, e);
    int n_header = r.n_field;
    struct review_verdict *rows = NULL;
    size_t n = 0, cap = 0, n_bad = 0, n_skipped = 0;
    struct fpset seen = {0};
    int today = today_days();
    const char *b = strrchr(file, '/');
    const char *base = b ? b + 1 : file;
    while (st == E_OK) {
        int k = csvr_next(&r, e);
        if (k < 0) {
            st = e->code;
            break;
        }
        if (k == 0)
            break;
        char why[600] = "";
        if (r.n_field != n_header) {
            snprintf(why, sizeof why, "has %d fields, the header has %d", r.n_field, n_header);
        } else {
            for (int i = 0; i < r.n_field; i++)
                if (utf8_valid_prefix((const unsigned char *)r.field[i], strlen(r.field[i])) !=
                    strlen(r.field[i]))
                    snprintf(why, sizeof why, "field %d is neither UTF-8 nor GB18030", i + 1);
        }
        char *fp_s = "", *oc_s = "", *who = "", *on_s = "", *note = "";
        if (!why[0]) {
            fp_s = unwrap_fp(r.field[col[0]]);
            oc_s = trim(r.field[col[1]]);
            who = trim(r.field[col[2]]);
            on_s = trim(r.field[col[3]]);
            note = col[4] >= 0 ? trim(r.field[col[4]]) : "";
            if (!*oc_s && !*who && !*on_s) {
                n_skipped++;   /* no verdict yet (an export pack row) */
                continue;
            }
        }
        uint64_t fp = 0;
        int oc = -1, on = 0;
        if (why[0]) {
        } else if (!*fp_s) {
            snprintf(why, sizeof why, "fingerprint is empty");
        } else if (review_fp_parse(fp_s, &fp) != 0) {
            if (looks_numeric(fp_s))
                snprintf(why, sizeof why, "fingerprint '%.40s' looks converted to a number by "
                                          "a spreadsheet: format that column as text and "
                                          "copy the fingerprint again", fp_s);
            else
                snprintf(why, sizeof why, "'%.40s' is not a fingerprint (16 hex digits)", fp_s);
        } else if (rv->n_known && !find_prev(rv->known, rv->n_known, fp)) {
            snprintf(why, sizeof why, "fingerprint %.16s is not a finding of any run recorded "
                                      "in %s", fp_s, where);
        } else if ((oc = outcome_parse(oc_s)) < 0) {
            snprintf(why, sizeof why, "outcome '%.40s' is not confirmed, cleared or referred",
                     oc_s);
        } else if (!*who) {
            snprintf(why, sizeof why, "reviewer is empty");
        } else if (parse_review_date(on_s, &on) != 0) {
            snprintf(why, sizeof why, "reviewed_on '%.40s' is not a date (YYYY-MM-DD)", on_s);
        } else if (on > today) {
            snprintf(why, sizeof why, "reviewed_on %s is after today", on_s);
        } else {
            long long first = fpset_add(&seen, fp, r.rec_line);
            if (first < 0)
                st = ERR(e, E_NOMEM, "out of memory while reading the verdicts");
            else if (first != r.rec_line)
                snprintf(why, sizeof why, "fingerprint %.16s is also on line %lld", fp_s, first);
        }
        if (why[0]) {
            n_bad++;
            if (n_bad <= 200)
                fprintf(stderr, "hedui: %s:%lld: %s\n", file, r.rec_line, why);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct review_verdict *nr = realloc(rows, cap * sizeof *rows);
            if (!nr) {
                st = ERR(e, E_NOMEM, "out of memory while reading the verdicts");
                break;
            }
            rows = nr;
        }
        struct review_verdict *a = &rows[n++];
        a->fp = fp;
        a->outcome = oc;
        date_format(on, a->reviewed_on);
        a->reviewer = (char *)dup_field(rv, who, e);
        a->note = (char *)dup_field(rv, note, e);
        a->line = r.rec_line;
        if (!a->reviewer || !a->note)
            st = e->code;
    }
    csvr_close(&r);
    free(seen.k);
    free(seen.line);
    if (st == E_OK && n_bad) {
        if (n_bad > 200)
            fprintf(stderr, "hedui: ... and %zu more bad rows\n", n_bad - 200);
        err_where(e, file, 0, 0);
        st = ERR(e, E_DATA, "%zu bad row%s (listed above); nothing was imported: fix %s and "
                            "import it again", n_bad, n_bad == 1 ? "" : "s",
                 n_bad == 1 ? "it" : "them");
    }
    if (st == E_OK && !dry_run && n && store)
        st = store->write(store->ctx, rows, n, base, e);
    if (st == E_OK && !dry_run && n && !store) {
        int fd = -1;
        st = state_lock(state, &fd, e);
        struct disp_row *old = NULL;
        size_t n_old = 0;
        if (st == E_OK)
            st = read_dispositions(rv, state, &old, &n_old, e);
        if (st == E_OK) {
            if (n_old > 1)
                qsort(old, n_old, sizeof *old, cmp_disp_seq);
            time_t t = time(NULL);
            struct tm tm;
            gmtime_r(&t, &tm);
            char at[32];
            strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
            struct disp_file_ctx c = {old, n_old, rows, n, at, base};
            char path[4200];
            snprintf(path, sizeof path, "%s/dispositions.csv", state);
            st = fileio_replace(path, fill_dispositions, &c, e);
        }
        free(old);
        state_unlock(fd);
    }
    if (st == E_OK) {
        size_t by[N_OUTCOMES] = {0};
        for (size_t i = 0; i < n; i++)
            by[rows[i].outcome]++;
        printf("hedui: %s %zu verdict%s from %s (%zu cleared, %zu confirmed, %zu referred)%s%s"
               "; %zu row%s without a verdict skipped\n",
               dry_run ? "checked" : "imported", n, n == 1 ? "" : "s", file, by[OC_CLEARED],
               by[OC_CONFIRMED], by[OC_REFERRED], dry_run ? "" : " into ",
               dry_run ? "" : where, n_skipped, n_skipped == 1 ? "" : "s");
        if (!rv->n_known)
            fprintf(stderr, "hedui: note: %s has no recorded run yet, so fingerprints were "
                            "checked for form only\n", where);
    }
    free(rows);
    review_free(rv);
    return st;
}

/* ---------- a review state kept elsewhere (PostgreSQL, cmd_pg.c) ---------- */

static int grow_prev(struct prev_flag **v, size_t n, struct err *e)
{
    if (n & (n - 1) || (n && n < 64))
        return E_OK;   /* room left: capacities are 64, 128, 256, ... */
    struct prev_flag *nv = realloc(*v, (n ? 2 * n : 64) * sizeof **v);
    if (!nv)
        return ERR(e, E_NOMEM, "out of memory while reading the previous run");
    *v = nv;
    return E_OK;
}

int review_add_prev(struct review *rv, int known, const char *fp_hex,
                    const char *const cols[7], struct err *e)
{
    struct prev_flag **v = known ? &rv->known : &rv->prev;
    size_t *n = known ? &rv->n_known : &rv->n_prev;
    int st = grow_prev(v, *n, e);
    if (st != E_OK)
        return st;
    struct prev_flag *p = &(*v)[*n];
    memset(p, 0, sizeof *p);
    if (review_fp_parse(fp_hex, &p->fp) != 0)
        return ERR(e, E_PARSE, "'%s' in the previous run is not a fingerprint", fp_hex);
    const char **f[7] = {&p->rule_id, &p->severity, &p->household_id, &p->hukou_no, &p->id_no,
                         &p->region, &p->evidence};
    for (int i = 0; i < 7; i++)
        if (!(*f[i] = dup_field(rv, cols ? cols[i] : "", e)))
            return e->code;
    (*n)++;
    return E_OK;
}

int review_add_disp(struct review *rv, const char *fp_hex, const char *outcome,
                    const char *reviewer, const char *reviewed_on, const char *note,
                    struct err *e)
{
    if ((rv->n_disp & (rv->n_disp - 1)) == 0 && (rv->n_disp == 0 || rv->n_disp >= 64)) {
        struct disposition *nv = realloc(rv->disp, (rv->n_disp ? 2 * rv->n_disp : 64) *
                                                       sizeof *nv);
        if (!nv)
            return ERR(e, E_NOMEM, "out of memory while reading the dispositions");
        rv->disp = nv;
    }
    struct disposition *d = &rv->disp[rv->n_disp];
    if (review_fp_parse(fp_hex, &d->fp) != 0 || (d->outcome = outcome_parse(outcome)) < 0)
        return ERR(e, E_PARSE, "not a disposition (fingerprint '%s', outcome '%s')", fp_hex,
                   outcome);
    if (!(d->reviewer = dup_field(rv, reviewer, e)) ||
        !(d->reviewed_on = dup_field(rv, reviewed_on, e)) || !(d->note = dup_field(rv, note, e)))
        return e->code;
    rv->n_disp++;
    return E_OK;
}

static int cmp_disp_fp(const void *a, const void *b)
{
    const struct disposition *x = a, *y = b;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

void review_sort_added(struct review *rv, int compare)
{
    if (rv->n_prev > 1)
        qsort(rv->prev, rv->n_prev, sizeof *rv->prev, cmp_prev_fp);
    if (rv->n_known > 1)
        qsort(rv->known, rv->n_known, sizeof *rv->known, cmp_prev_fp);
    if (rv->n_disp > 1)
        qsort(rv->disp, rv->n_disp, sizeof *rv->disp, cmp_disp_fp);
    if (compare)
        rv->compare = 1;
}

int review_state_exists(const char *state, struct err *e)
{
    struct stat sb;
    if (stat(state, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ERR(e, E_NOINPUT, "state directory %s does not exist (a 'hedui run --state' or "
                                 "'hedui review import' creates it)", state);
    return E_OK;
}

static int review_list(const char *state, struct err *e)
{
    struct review *rv = NULL;
    int st = review_state_exists(state, e);
    if (st != E_OK)
        return st;
    st = review_open(&rv, NULL, state, e);
    if (st == E_OK) {
        fputs("fingerprint,outcome,reviewer,reviewed_on,note,rule_id,household_id,hukou_no,"
              "id_no\n", stdout);
        char hex[17];
        for (size_t i = 0; i < rv->n_disp; i++) {
            const struct disposition *d = &rv->disp[i];
            const struct prev_flag *k = find_prev(rv->known, rv->n_known, d->fp);
            review_fp_hex(d->fp, hex);
            csv_put(stdout, hex, 0);
            csv_put(stdout, outcome_names[d->outcome], 0);
            csv_put(stdout, d->reviewer, 0);
            csv_put(stdout, d->reviewed_on, 0);
            csv_put(stdout, d->note, 0);
            csv_put(stdout, k ? k->rule_id : "", 0);
            csv_put(stdout, k ? k->household_id : "", 0);
            csv_put(stdout, k ? k->hukou_no : "", 0);
            csv_put(stdout, k ? k->id_no : "", 1);
        }
        if (fflush(stdout) != 0)
            st = ERR(e, E_OUT, "cannot write to standard output: %s", strerror(errno));
    }
    review_free(rv);
    return st;
}

int cmd_review(int argc, char **argv, struct err *e)
{
    const char *sub = NULL, *file = NULL, *state = NULL, *pg = NULL, *schema = "hedui";
    int dry_run = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_review, stdout);
            return E_OK;
        } else if (strcmp(a, "--dry-run") == 0) {
            dry_run = 1;
        } else if (strncmp(a, "--state=", 8) == 0) {
            state = a + 8;
        } else if (strcmp(a, "--state") == 0) {
            if (i + 1 >= argc)
                return ERR(e, E_USAGE, "option --state needs a value");
            state = argv[++i];
        } else if (strcmp(a, "--pg") == 0 || strcmp(a, "--schema") == 0) {
            if (i + 1 >= argc)
                return ERR(e, E_USAGE, "option %s needs a value", a);
            *(a[2] == 'p' ? &pg : &schema) = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return ERR(e, E_USAGE, "unknown option '%s' for 'review'", a);
        } else if (!sub) {
            sub = a;
        } else if (!file) {
            file = a;
        } else {
            return ERR(e, E_USAGE, "unexpected argument '%s' for 'review'", a);
        }
    }
    if (!sub)
        return ERR(e, E_USAGE, "'review' needs a subcommand: import or list");
    if (pg && state)
        return ERR(e, E_USAGE, "'review %s': give --state DIR or --pg CONNINFO, not both", sub);
    if (pg && strcmp(sub, "import") != 0)
        return ERR(e, E_USAGE, "'review %s' works with --state DIR; with --pg query the "
                               "dispositions table", sub);
    if (!state && !pg)
        return ERR(e, E_USAGE, "'review %s' needs --state DIR (or --pg CONNINFO)", sub);
    if (strcmp(sub, "import") == 0) {
        if (!file)
            return ERR(e, E_USAGE, "'review import' needs the auditors' CSV file");
        if (pg)
            return pg_review_import(file, pg, schema, dry_run, e);
        return review_import(file, state, NULL, dry_run, e);
    }
    if (strcmp(sub, "list") == 0) {
        if (file)
            return ERR(e, E_USAGE, "unexpected argument '%s' for 'review list'", file);
        return review_list(state, e);
    }
    return ERR(e, E_USAGE, "unknown 'review' subcommand '%s' (import, list)", sub);
}
