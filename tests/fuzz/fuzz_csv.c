/* fuzz_csv.c - libFuzzer target: the CSV loader (load.c) and the value checks
 * (normalise.c) on arbitrary bytes taken as one input file.
 *
 * Each input is loaded
 *   1. through load_csv_mem() with vehicles.csv's columns and a plain spec
 *      (one sequential parse; rows to our callback, rejects to the dataset),
 *      once per encoding (auto, utf-8, gb18030), and once more with a row
 *      callback that fails part-way (the error path must not leak);
 *   2. through load_csv_mem() with our own per-chunk callbacks, once with
 *      HEDUI_CHUNK_BYTES unset (one chunk) and once with it small (many
 *      chunks, the parallel path): both must give the plain parse's rows and
 *      rejects in the same order;
 *   3. through normalise_buffer() for every input file of the contract
 *      (households first, as the pipeline does; the one(s) whose header
 *      matches run the value checks), then normalise_finish(), again with
 *      and without small chunks: the datasets must be the same.
 * Invariants (abort() when broken): for every load, data rows = rows
 * delivered + rejects (after normalise_finish: + merged duplicates); each
 * value is NUL-terminated at its length and at most LOAD_MAX_FIELD long;
 * record lines never decrease and stay within the input's line count
 * (several records may start on one line: libcsv also ends a record at a
 * CR without LF); chunk i delivers at most max_rows[i] records.
 *
 * Build and run: tests/fuzz.sh (never with src/base/faultinj.h force-included).
 */
#define FUZZ_TARGET "fuzz_csv"
#include "fuzz_main.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "engine/load.h"
#include "contract/model.h"
#include "engine/normalise.h"

static const char *const vcols[] = {"id_no",         "plate_no",   "vehicle_class", "use",
                                    "registered_on", "value_yuan", "status"};
#define N_VCOLS ((int)(sizeof vcols / sizeof vcols[0]))

static long long g_max_line;       /* physical lines of the current input */
static char g_small_chunks[16];    /* HEDUI_CHUNK_BYTES for the chunked runs */

/* FNV-1a, 64 bit. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define FNV0 0xcbf29ce484222325ULL

/* ---------- one record or reject, as seen by a callback ---------- */

struct ev {
    long long line;
    uint64_t h;     /* hash of the values, or of the reject reason */
    int is_reject;
};

struct evlist {
    struct ev *v;
    size_t n, cap;
};

static void ev_push(struct evlist *l, long long line, uint64_t h, int is_reject)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        CHECK(l->v != NULL);
    }
    l->v[l->n++] = (struct ev){line, h, is_reject};
}

/* Touch every byte of every value; check the callback contract. */
static uint64_t hash_row(const char *const *vals, const size_t *lens, long long line)
{
    CHECK(line >= 1 && line <= g_max_line);
    uint64_t h = FNV0;
    for (int i = 0; i < N_VCOLS; i++) {
        CHECK(vals[i] != NULL);
        CHECK(lens[i] <= LOAD_MAX_FIELD);
        CHECK(vals[i][lens[i]] == '\0');
        h = fnv(h, &lens[i], sizeof lens[i]);
        h = fnv(h, vals[i], lens[i]);
    }
    return h;
}

/* ---------- 1. plain spec ---------- */

struct plain {
    struct evlist rows;
    long long last_line;
    long long fail_at;   /* return an error on this row (1-based), 0 never */
};

static int plain_row(void *ctx, const char *const *vals, const size_t *lens, long long line,
                     struct err *e)
{
    struct plain *p = ctx;
    uint64_t h = hash_row(vals, lens, line);
    CHECK(line >= p->last_line);   /* several records may start on one line (bare CR) */
    p->last_line = line;
    ev_push(&p->rows, line, h, 0);
    if (p->fail_at && (long long)p->rows.n == p->fail_at)
        return ERR(e, E_DATA, "fuzz: stop at row %lld", p->fail_at);
    return E_OK;
}

struct result {
    int st;
    long long data_rows;
    struct evlist rows, rejects;
};

static void result_free(struct result *r)
{
    free(r->rows.v);
    free(r->rejects.v);
    memset(r, 0, sizeof *r);
}

static void load_plain(const uint8_t *data, size_t size, enum enc want, struct result *out)
{
    struct dataset d;
    dataset_init(&d);
    struct plain p;
    memset(&p, 0, sizeof p);
    struct load_spec sp = {IN_VEHICLES, vcols, N_VCOLS, plain_row, &p, 0, NULL, NULL, NULL, NULL, NULL};
    struct err e;
    err_init(&e);
    memset(out, 0, sizeof *out);
    out->st = load_csv_mem(&d, "vehicles.csv", data, size, want, &sp, &e);
    CHECK(out->st == E_OK || out->st == E_PARSE);
    CHECK(out->st == E_OK || (int)e.code == out->st);
    const struct filestat *fs = &d.files[IN_VEHICLES];
    if (out->st == E_OK) {
        CHECK(fs->data_rows == (long long)p.rows.n + (long long)fs->rejects.n);
        long long last = 0;
        for (size_t i = 0; i < fs->rejects.n; i++) {
            const struct reject *r = &VEC_AT(fs->rejects, struct reject, i);
            CHECK(r->line >= last && r->line >= 1 && r->line <= g_max_line);
            last = r->line;
            ev_push(&out->rejects, r->line, fnv(FNV0, r->reason, strlen(r->reason)), 1);
        }
        out->data_rows = fs->data_rows;
    }
    out->rows = p.rows;
    dataset_free(&d);
}

/* The error path: a row callback that fails at row k. */
static void load_failing(const uint8_t *data, size_t size, long long k)
{
    struct dataset d;
    dataset_init(&d);
    struct plain p;
    memset(&p, 0, sizeof p);
    p.fail_at = k;
    struct load_spec sp = {IN_VEHICLES, vcols, N_VCOLS, plain_row, &p, 0, NULL, NULL, NULL, NULL, NULL};
    struct err e;
    err_init(&e);
    int st = load_csv_mem(&d, "vehicles.csv", data, size, ENC_AUTO, &sp, &e);
    CHECK(st == E_DATA);
    CHECK(e.code == E_DATA);
    free(p.rows.v);
    dataset_free(&d);
}

/* ---------- 2. chunked spec with our own per-chunk state ---------- */

struct cstate {
    struct evlist evs;   /* rows and rejects in delivery order */
    size_t max_rows;
    long long last_line;
};

struct chunked {
    struct cstate *c;
    int n;
    int begins;
};

static void chunked_free(struct chunked *k)
{
    for (int i = 0; i < k->n; i++)
        free(k->c[i].evs.v);
    free(k->c);
    k->c = NULL;
    k->n = 0;
}

static int ck_begin(void *ctx, int first, int n, const size_t *max_rows, struct err *e)
{
    struct chunked *k = ctx;
    CHECK(n >= 1 && n <= 256);
    CHECK(first == 0);                 /* a buffer in memory begins its chunks at once */
    CHECK(k->begins == 0 || n == 1);   /* called again only to start over */
    k->begins++;
    chunked_free(k);
    k->c = calloc((size_t)n, sizeof *k->c);
    CHECK(k->c != NULL);
    k->n = n;
    for (int i = 0; i < n; i++)
        k->c[i].max_rows = max_rows[i];
    return E_OK;
}

static void *ck_ctx(void *ctx, int i)
{
    struct chunked *k = ctx;
    CHECK(i >= 0 && i < k->n);
    return &k->c[i];
}

static int ck_row(void *cctx, const char *const *vals, const size_t *lens, long long line,
                  struct err *e)
{
    struct cstate *c = cctx;
    uint64_t h = hash_row(vals, lens, line);
    CHECK(line >= c->last_line);
    c->last_line = line;
    ev_push(&c->evs, line, h, 0);
    CHECK(c->evs.n <= c->max_rows);
    return E_OK;
}

static int ck_reject(void *cctx, long long line, const char *reason, struct err *e)
{
    struct cstate *c = cctx;
    CHECK(line >= 1 && line <= g_max_line);
    CHECK(line >= c->last_line);
    CHECK(reason != NULL && reason[0] != '\0');
    c->last_line = line;
    ev_push(&c->evs, line, fnv(FNV0, reason, strlen(reason)), 1);
    CHECK(c->evs.n <= c->max_rows);
    return E_OK;
}

static void load_chunked(const uint8_t *data, size_t size, struct result *out)
{
    struct dataset d;
    dataset_init(&d);
    struct chunked k;
    memset(&k, 0, sizeof k);
    struct load_spec sp = {IN_VEHICLES, vcols, N_VCOLS, ck_row, &k, 256,
                           ck_begin,    ck_ctx, ck_reject, NULL, NULL};
    struct err e;
    err_init(&e);
    memset(out, 0, sizeof *out);
    out->st = load_csv_mem(&d, "vehicles.csv", data, size, ENC_AUTO, &sp, &e);
    CHECK(out->st == E_OK || out->st == E_PARSE);
    if (out->st == E_OK) {
        const struct filestat *fs = &d.files[IN_VEHICLES];
        /* Rejects go to ck_reject, except those of records on the header's
         * own line (after a bare CR), found before any chunk exists: those
         * go to the dataset, and come first. */
        long long last = 0, n = 0;
        for (size_t i = 0; i < fs->rejects.n; i++) {
            const struct reject *r = &VEC_AT(fs->rejects, struct reject, i);
            CHECK(r->line >= last && r->line >= 1 && r->line <= g_max_line);
            last = r->line;
            ev_push(&out->rejects, r->line, fnv(FNV0, r->reason, strlen(r->reason)), 1);
            n++;
        }
        for (int i = 0; i < k.n; i++) {
            for (size_t j = 0; j < k.c[i].evs.n; j++) {
                const struct ev *v = &k.c[i].evs.v[j];
                CHECK(v->line >= last);   /* chunks merge in line order */
                last = v->line;
                ev_push(v->is_reject ? &out->rejects : &out->rows, v->line, v->h,
                        v->is_reject);
                n++;
            }
        }
        CHECK(fs->data_rows == n);
        out->data_rows = fs->data_rows;
    }
    chunked_free(&k);
    dataset_free(&d);
}

static int evlist_eq(const struct evlist *a, const struct evlist *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].line != b->v[i].line || a->v[i].h != b->v[i].h)
            return 0;
    return 1;
}

static void same_result(const struct result *a, const struct result *b)
{
    CHECK(a->st == b->st);
    if (a->st != E_OK)
        return;
    CHECK(a->data_rows == b->data_rows);
    CHECK(evlist_eq(&a->rows, &b->rows));
    CHECK(evlist_eq(&a->rejects, &b->rejects));
}

/* ---------- 3. normalise_buffer over every input file ---------- */

static int g_as_of;

static uint64_t hstr(uint64_t h, const char *s)
{
    return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\xff", 1);
}

/* A digest of the typed rows of file f (values, not pointers). */
static uint64_t rows_digest(const struct dataset *d, enum input_file f)
{
    uint64_t h = FNV0;
#define H(x) (h = fnv(h, &(x), sizeof(x)))
#define HS(x) (h = hstr(h, (x)))
    switch (f) {
    case IN_HOUSEHOLDS:
        for (size_t i = 0; i < d->households.n; i++) {
            const struct household *r = &VEC_AT(d->households, struct household, i);
            HS(r->id); HS(r->region); HS(r->caseworker);
            H(r->program); H(r->area); H(r->status); H(r->applied_on); H(r->approved_on);
            H(r->benefit_fen); H(r->line); H(r->first_member); H(r->n_members);
        }
        break;
    case IN_MEMBERS:
        for (size_t i = 0; i < d->members.n; i++) {
            const struct member *r = &VEC_AT(d->members, struct member, i);
            HS(r->id); HS(r->name);
            H(r->hh); H(r->key); H(r->relation); H(r->work_ability); H(r->disability_grade);
            H(r->declared_fen); H(r->id_status); H(r->line); H(r->bad_cols); HS(r->bad_text);
        }
        break;
    case IN_HUKOU:
        for (size_t i = 0; i < d->hukou.n; i++) {
            const struct hukou *r = &VEC_AT(d->hukou, struct hukou, i);
            HS(r->id); HS(r->name); HS(r->hukou_no); HS(r->region);
            H(r->key); H(r->relation); H(r->status); H(r->status_date); H(r->line);
        }
        break;
    case IN_VEHICLES:
        for (size_t i = 0; i < d->vehicles.n; i++) {
            const struct vehicle *r = &VEC_AT(d->vehicles, struct vehicle, i);
            HS(r->plate);
            H(r->key); H(r->vclass); H(r->use); H(r->status); H(r->registered_on);
            H(r->value_fen); H(r->line);
        }
        break;
    case IN_PROPERTY:
        for (size_t i = 0; i < d->property.n; i++) {
            const struct property *r = &VEC_AT(d->property, struct property, i);
            HS(r->property_id);
            H(r->key); H(r->usage); H(r->status); H(r->registered_on); H(r->area_h);
            H(r->share_nano); H(r->line);
        }
        break;
    case IN_SI:
        for (size_t i = 0; i < d->si.n; i++) {
            const struct si_row *r = &VEC_AT(d->si, struct si_row, i);
            H(r->key); H(r->month); H(r->kind); H(r->amount_fen); H(r->line);
        }
        break;
    case IN_BUSINESS:
        for (size_t i = 0; i < d->business.n; i++) {
            const struct business *r = &VEC_AT(d->business, struct business, i);
            HS(r->entity);
            H(r->key); H(r->role); H(r->status); H(r->capital_fen); H(r->line);
        }
        break;
    case IN_PUBSERV:
        for (size_t i = 0; i < d->pubservants.n; i++) {
            const struct pubservant *r = &VEC_AT(d->pubservants, struct pubservant, i);
            HS(r->employer);
            H(r->key); H(r->since); H(r->line);
        }
        break;
    case IN_STAFFREL:
        for (size_t i = 0; i < d->staffrels.n; i++) {
            const struct staffrel *r = &VEC_AT(d->staffrels, struct staffrel, i);
            HS(r->caseworker); HS(r->relation);
            H(r->key); H(r->line);
        }
        break;
    case IN_CANDIDATES:
        for (size_t i = 0; i < d->candidates.n; i++) {
            const struct candidate *r = &VEC_AT(d->candidates, struct candidate, i);
            HS(r->id); HS(r->source); HS(r->region);
            H(r->key); H(r->area); H(r->line);
        }
        break;
    case IN_STANDARDS:
        for (size_t i = 0; i < d->standards.n; i++) {
            const struct standard *r = &VEC_AT(d->standards, struct standard, i);
            HS(r->prefix);
            H(r->prefix_len); H(r->area); H(r->effective_from); H(r->monthly_fen); H(r->line);
        }
        break;
    case IN_HOLIDAYS:
        for (size_t i = 0; i < d->holidays.n; i++) {
            const struct holiday *r = &VEC_AT(d->holidays, struct holiday, i);
            H(r->date); H(r->kind);
        }
        break;
    case IN_FINASSETS:
        for (size_t i = 0; i < d->finassets.n; i++) {
            const struct finasset *r = &VEC_AT(d->finassets, struct finasset, i);
            HS(r->institution); HS(r->account_no);
            H(r->key); H(r->asset_type); H(r->balance_date); H(r->balance_fen); H(r->line);
        }
        break;
    case IN_FUNERAL:
        for (size_t i = 0; i < d->funerals.n; i++) {
            const struct funeral *r = &VEC_AT(d->funerals, struct funeral, i);
            HS(r->name);
            H(r->key); H(r->event_date); H(r->kind); H(r->line);
        }
        break;
    case N_INPUT:
        break;
    }
#undef H
#undef HS
    return h;
}

struct nresult {
    int st[N_INPUT];
    char msg[N_INPUT][512];
    long long in_line[N_INPUT];
    long long data_rows[N_INPUT], rows[N_INPUT], dropped[N_INPUT];
    uint64_t rej[N_INPUT], digest[N_INPUT];
    unsigned idf[N_INPUT][4];
    int finish_st;
};

static void digest_files(struct dataset *d, struct nresult *r, int after_finish)
{
    for (int f = 0; f < N_INPUT; f++) {
        struct filestat *fs = &d->files[f];
        size_t rs;
        struct vec *rows = dataset_rows(d, (enum input_file)f, &rs);
        if (r->st[f] != E_OK) {
            /* a failed file leaves no typed rows */
            CHECK(rows->n == 0);
            continue;
        }
        /* rows read = accepted + rejected + merged; hukou.csv is merged as
         * soon as it is loaded, the others by normalise_finish() */
        CHECK(fs->data_rows ==
              (long long)rows->n + (long long)fs->rejects.n + fs->dropped_dupes);
        CHECK(after_finish || f == IN_HUKOU || fs->dropped_dupes == 0);
        uint64_t h = FNV0;
        for (size_t i = 0; i < fs->rejects.n; i++) {
            const struct reject *rj = &VEC_AT(fs->rejects, struct reject, i);
            CHECK(rj->line >= 1 && rj->line <= g_max_line);
            h = fnv(h, &rj->line, sizeof rj->line);
            h = hstr(h, rj->reason);
        }
        r->data_rows[f] = fs->data_rows;
        r->rows[f] = (long long)rows->n;
        r->dropped[f] = fs->dropped_dupes;
        r->rej[f] = h;
        r->digest[f] = rows_digest(d, (enum input_file)f);
        memcpy(r->idf[f], fs->id_flags_seen, sizeof r->idf[f]);
    }
}

/* prev: an earlier run's results; a file whose header lacked columns then
 * is not loaded again (the header is parsed before any chunking). */
static void normalise_all(const uint8_t *data, size_t size, struct nresult *r,
                          const struct nresult *prev)
{
    memset(r, 0, sizeof *r);
    struct dataset d;
    dataset_init(&d);
    struct normaliser n;
    struct err e;
    err_init(&e);
    CHECK(normaliser_init(&n, &d, g_as_of, &e) == E_OK);
    for (int f = 0; f < N_INPUT; f++) {
        if (f == IN_MEMBERS && r->st[IN_HOUSEHOLDS] != E_OK && n.hh_by_id.n > 0) {
            /* a run stops when households.csv fails; a households.csv that
             * failed after some rows left household_ids in the index that
             * point into freed chunk memory, so members.csv is not loaded */
            r->st[f] = -1;
            continue;
        }
        if (prev && prev->st[f] == E_PARSE && strncmp(prev->msg[f], "missing column", 14) == 0) {
            r->st[f] = prev->st[f];
            r->in_line[f] = prev->in_line[f];
            memcpy(r->msg[f], prev->msg[f], sizeof r->msg[f]);
            continue;
        }
        err_init(&e);
        int st = normalise_buffer(&n, (enum input_file)f, input_file_names[f], data, size,
                                  ENC_AUTO, &e);
        CHECK(st == E_OK || st == E_PARSE);
        CHECK(st == E_OK || (int)e.code == st);
        r->st[f] = st;
        if (st != E_OK) {
            CHECK(e.in_line >= 0 && e.in_line <= g_max_line);
            r->in_line[f] = e.in_line;
            snprintf(r->msg[f], sizeof r->msg[f], "%s", e.msg);
        }
    }
    digest_files(&d, r, 0);
    err_init(&e);
    r->finish_st = normalise_finish(&n, &e);
    CHECK(r->finish_st == E_OK);
    struct nresult after;
    memset(&after, 0, sizeof after);
    memcpy(after.st, r->st, sizeof after.st);
    digest_files(&d, &after, 1);
    /* keep both views: before and after the merge rules */
    for (int f = 0; f < N_INPUT; f++) {
        r->digest[f] = fnv(r->digest[f], &after.digest[f], sizeof after.digest[f]);
        r->rej[f] = fnv(r->rej[f], &after.rej[f], sizeof after.rej[f]);
        r->dropped[f] = after.dropped[f];
    }
    normaliser_free(&n);
    dataset_free(&d);
}

static void same_nresult(const struct nresult *a, const struct nresult *b)
{
    for (int f = 0; f < N_INPUT; f++) {
        CHECK(a->st[f] == b->st[f]);
        CHECK(a->in_line[f] == b->in_line[f]);
        CHECK(strcmp(a->msg[f], b->msg[f]) == 0);
        CHECK(a->data_rows[f] == b->data_rows[f]);
        CHECK(a->rows[f] == b->rows[f]);
        CHECK(a->dropped[f] == b->dropped[f]);
        CHECK(a->rej[f] == b->rej[f]);
        CHECK(a->digest[f] == b->digest[f]);
        CHECK(memcmp(a->idf[f], b->idf[f], sizeof a->idf[f]) == 0);
    }
}

/* ---------- the target ---------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* small chunks: the parallel chunk splitting runs on every input */
    setenv("HEDUI_CHUNK_BYTES", "64", 1);
    g_as_of = date_from_ymd(2026, 6, 15);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_max_line = 1;
    for (size_t i = 0; i < size; i++)
        g_max_line += data[i] == '\n';

    /* chunk size from the input, so boundaries fall everywhere: 16..143 */
    snprintf(g_small_chunks, sizeof g_small_chunks, "%u",
             16u + (unsigned)(fnv(FNV0, data, size) % 128));

    struct result plain[3], one, many;
    static const enum enc encs[3] = {ENC_AUTO, ENC_UTF8, ENC_GB18030};
    for (int i = 0; i < 3; i++)
        load_plain(data, size, encs[i], &plain[i]);

    /* the error path, part-way through */
    if (plain[0].st == E_OK && plain[0].rows.n > 0)
        load_failing(data, size, (long long)(plain[0].rows.n + 1) / 2);

    unsetenv("HEDUI_CHUNK_BYTES");
    load_chunked(data, size, &one);
    setenv("HEDUI_CHUNK_BYTES", g_small_chunks, 1);
    load_chunked(data, size, &many);
    same_result(&plain[0], &one);
    same_result(&plain[0], &many);

    static struct nresult n_one, n_many;
    unsetenv("HEDUI_CHUNK_BYTES");
    normalise_all(data, size, &n_one, NULL);
    setenv("HEDUI_CHUNK_BYTES", g_small_chunks, 1);
    normalise_all(data, size, &n_many, &n_one);
    same_nresult(&n_one, &n_many);

    for (int i = 0; i < 3; i++)
        result_free(&plain[i]);
    result_free(&one);
    result_free(&many);
    return 0;
}
