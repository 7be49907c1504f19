/* normalise.c - stage 2: validate and type every field (see normalise.h).
 *
 * Owns: the value checks of every column type, the readers of the files
 * whose rules span columns or rows, and the merge rules for repeated rows
 * (the column lists are contract/model.c's declarations).  Every row it does not keep gets a reject
 * with a reason naming the column; it must never drop a row silently and
 * never judges eligibility (that is the policy's rules, vm.c).
 *
 * Value policy where the contract is silent (documented in README.md):
 *   - enumerated values are matched exactly (libcsv has already trimmed
 *     spaces and tabs around unquoted fields);
 *   - required columns may not be empty; optional ones are approved_on,
 *     status_date (required unless status is `normal`), registered_on,
 *     since (evidence only), caseworker_id, employer, name, plate_no,
 *     entity_name, source and relation (staff_relatives);
 *   - financial_assets.csv: institution and account_no are required and
 *     kept trimmed of white space (an account is id_no + both, compared
 *     after trimming); funeral.csv: name is free text;
 *   - a hukou row whose status is not `normal` needs a status_date;
 *   - a member row is rejected only for an unknown household or as a
 *     repeat (contract, "Edge cases, settled"): its other bad values are
 *     replaced (income 0, relation other, work ability none, grade 0) and
 *     recorded for the member-row quality rule, its bad ID is the ID rule's.
 */
#include "engine/normalise.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "contract/idcard.h"
#include "engine/load.h"
#include "engine/personset.h"
#include "base/num.h"
#include "base/utf8.h"


/* ---------- per-chunk state (load.h, parallel loading) ---------- */

/* A loading chunk's strings (in the arena of the chunk a wave back, so
 * one arena per thread of a file: chunks_begin_cb): chunks of 2 MiB, then
 * 4 MiB, each a whole huge page or two made resident up front (arena.c
 * new_chunk), the unused tail given back at the merge.  (From 256 KiB,
 * the first three chunks were faulted in page by page: ~30 K page faults
 * at SF 1.)  A feed that keeps no strings (social insurance) never fills
 * one; a small file never gets one. */
#define CHUNK_ARENA_FIRST ((size_t)2 << 20)
#define CHUNK_ARENA_MAX ((size_t)4 << 20)
/* glibc's DEFAULT_MMAP_THRESHOLD_MAX (32 MiB on 64 bits) and some: a
 * block this large is always mmapped */
#define ROWS_MAPPED_MIN ((size_t)40 << 20)
/* chunks of one file (the specs' max_chunks, and what chunks_begin_cb can
 * move at once) */
#define MAX_CHUNKS_BEGUN 64

static int chunk_add_reject(struct nchunk *k, long long line, const char *reason,
                            struct err *e)
{
    struct reject *r = vec_push(&k->rejects, sizeof *r);
    char *txt = arena_strndup(&k->arena, reason, strlen(reason));
    if (!r || !txt)
        return ERR(e, E_NOMEM, "out of memory while recording a reject of %s",
                   input_file_names[k->n->cur]);
    r->line = line;
    r->reason = txt;
    return E_OK;
}

static int chunk_reject_cb(void *cctx, long long line, const char *reason, struct err *e)
{
    return chunk_add_reject(cctx, line, reason, e);
}

static void chunks_free(struct normaliser *n)
{
    for (int i = 0; i < n->n_chunks; i++) {
        nchunk_forget_texts(&n->chunks[i]);
        vec_free(&n->chunks[i].rows);
        vec_free(&n->chunks[i].rejects);
        arena_free(&n->chunks[i].arena);
    }
    free(n->chunks);
    n->chunks = NULL;
    n->n_chunks = 0;
}

/* Size the file's row array for the chunks first..first+n_chunks-1 (their
 * line counts) and let chunk i fill its own slice of it; chunks_merge()
 * closes the gaps.  first = 0 starts the file over (the chunks begun before
 * are dropped); first > 0 adds chunks after the ones begun, as load.c's
 * single read begins a file's chunks a few at a time: the array may then
 * move, and the earlier chunks' slices move with it (none is being filled
 * during the call).  No row is copied twice and no array grows while a
 * chunk fills its slice. */
static int chunks_begin_cb(void *ctx, int first, int n_chunks, const size_t *max_rows,
                           struct err *e)
{
    struct normaliser *n = ctx;
    if (first == 0)
        chunks_free(n);
    else if (first != n->n_chunks)
        return ERR(e, E_INTERNAL, "chunks of %s begun out of order (%d after %d)",
                   input_file_names[n->cur], first, n->n_chunks);
    size_t size;
    struct vec *dst = dataset_rows(n->d, n->cur, &size);
    size_t used = dst->n;   /* merged rows, then the slices of the chunks begun */
    for (int i = 0; i < n->n_chunks; i++)
        used += n->chunks[i].rows.cap;
    size_t total = used;
    for (int i = 0; i < n_chunks; i++)
        total += max_rows[i];
    if (total > dst->cap) {
        /* where the begun chunks' slices and prefaulted ends lie, as offsets */
        size_t at[2 * MAX_CHUNKS_BEGUN];
        if (n->n_chunks > MAX_CHUNKS_BEGUN)
            return ERR(e, E_INTERNAL, "%s in more than %d chunks", input_file_names[n->cur],
                       MAX_CHUNKS_BEGUN);
        for (int i = 0; i < n->n_chunks; i++) {
            at[2 * i] = (size_t)((char *)n->chunks[i].rows.v - (char *)dst->v);
            at[2 * i + 1] = (size_t)(n->chunks[i].ready - (char *)dst->v);
        }
        /* appending, the array at least doubles: a large one grows where it
         * is mapped (realloc moves the pages, copies none), a small one is
         * copied a few times; only the slices' rows are ever made resident,
         * and chunks_merge() gives the unused end back */
        size_t cap = total;
        if (first > 0 && cap / 2 < dst->cap)
            cap = dst->cap > SIZE_MAX / 2 ? total : 2 * dst->cap;
        /* an array that will grow starts above glibc's largest mmap
         * threshold: then it is mapped of its own and grows by mremap,
         * where one in the heap is copied into a new mapping once (only
         * address space: the pages are made resident slice by slice) */
        if (total * size >= ((size_t)1 << 20) && cap * size < ROWS_MAPPED_MIN)
            cap = ROWS_MAPPED_MIN / size;
        void *p = cap > SIZE_MAX / size ? NULL : realloc(dst->v, cap * size);
        if (!p)
            return ERR(e, E_NOMEM, "out of memory while loading %s (%zu rows)",
                       input_file_names[n->cur], cap);
        dst->v = p;
        dst->cap = cap;
        for (int i = 0; i < n->n_chunks; i++) {
            n->chunks[i].rows.v = (char *)p + at[2 * i];
            n->chunks[i].ready = (char *)p + at[2 * i + 1];
        }
        /* huge pages, made resident as each chunk fills its slice
         * (chunk_rows_ready): the slices are sized by lines, and a feed
         * that keeps only some rows (social insurance: the income window,
         * about half) would otherwise make the rest resident for nothing */
        mem_hugepages_block(p);   /* the whole block: realloc moves it by mremap */
    }
    struct nchunk *ch = realloc(n->chunks, (size_t)(n->n_chunks + n_chunks) * sizeof *ch);
    if (!ch)
        return ERR(e, E_NOMEM, "out of memory while loading %s", input_file_names[n->cur]);
    n->chunks = ch;
    memset(ch + n->n_chunks, 0, (size_t)n_chunks * sizeof *ch);
    size_t off = used;
    for (int i = 0; i < n_chunks; i++) {
        struct nchunk *k = &ch[n->n_chunks + i];
        k->n = n;
        k->rows.v = (char *)dst->v + off * size;
        k->rows.cap = max_rows[i];
        k->rows.borrowed = 1;
        k->ready = k->rows.v;
        off += max_rows[i];
        /* the strings go on in the arena of the chunk as many places
         * back, parsed in the wave before (first > 0: none is being parsed
         * now): one arena per thread of the file rather than one per
         * chunk, and one partly used chunk of memory to give back at the
         * merge rather than one per chunk */
        int donor = first - n_chunks + i;
        if (first > 0 && donor >= 0 && ch[donor].arena.head) {
            k->arena = ch[donor].arena;
            arena_init_growing(&ch[donor].arena, CHUNK_ARENA_FIRST, CHUNK_ARENA_MAX);
        } else {
            arena_init_growing(&k->arena, CHUNK_ARENA_FIRST, CHUNK_ARENA_MAX);
        }
    }
    n->n_chunks += n_chunks;
    return E_OK;
}

static void *chunk_ctx_cb(void *ctx, int i)
{
    return &((struct normaliser *)ctx)->chunks[i];
}

/* Move the rows of chunks 0..upto-1 (parsed) next to each other after the
 * merged rows, in chunk order, while load.c parses the chunks after them
 * (their slices lie after these, and no row moves past its own slice's
 * start, so nothing being filled is touched): the merge below then finds
 * them in place, and the one large serial copy of a feed that keeps only
 * some of its rows (social insurance) is spread over the waves. */
static void chunks_settle_cb(void *ctx, int upto)
{
    struct normaliser *n = ctx;
    size_t size;
    struct vec *dst = dataset_rows(n->d, n->cur, &size);
    char *to = (char *)dst->v + dst->n * size;
    for (int i = 0; i < upto && i < n->n_chunks; i++) {
        struct nchunk *k = &n->chunks[i];
        if (k->rows.n && (char *)k->rows.v != to)
            memmove(to, k->rows.v, k->rows.n * size);
        k->rows.v = to;   /* still inside the array: chunks_begin_cb moves it with it */
        to += k->rows.n * size;
    }
}

/* Close the gaps between the chunks' slices (in chunk order), append their
 * rejects to the file's, and hand their arenas over to the dataset. */
static int chunks_merge(struct normaliser *n, enum input_file f, struct err *e)
{
    struct dataset *d = n->d;
    size_t size;
    struct vec *dst = dataset_rows(d, f, &size);
    struct filestat *fs = &d->files[f];
    size_t total_rej = fs->rejects.n;
    for (int i = 0; i < n->n_chunks; i++)
        total_rej += n->chunks[i].rejects.n;
    if (total_rej > fs->rejects.cap) {
        void *p = realloc(fs->rejects.v, (total_rej ? total_rej : 1) * sizeof(struct reject));
        if (!p)
            return ERR(e, E_NOMEM, "out of memory while loading %s", input_file_names[f]);
        fs->rejects.v = p;
        fs->rejects.cap = total_rej;
    }
    for (int i = 0; i < n->n_chunks; i++) {
        struct nchunk *k = &n->chunks[i];
        char *to = (char *)dst->v + dst->n * size;
        if (k->rows.n && (char *)k->rows.v != to)
            memmove(to, k->rows.v, k->rows.n * size);
        dst->n += k->rows.n;
        vec_free(&k->rows);
        if (k->rejects.n)
            memcpy((struct reject *)fs->rejects.v + fs->rejects.n, k->rejects.v,
                   k->rejects.n * sizeof(struct reject));
        fs->rejects.n += k->rejects.n;
        vec_free(&k->rejects);
        for (int b = 0; b < 4; b++)
            fs->id_flags_seen[b] += k->idf[b];
        for (int m = 0; m < NORMALISE_MAX_MONTHS; m++)
            if ((k->si_months[m >> 6] >> (m & 63)) & 1)
                n->si_seen[m] = 1;
        if (!k->arena.head)
            continue;                        /* passed on to a later chunk */
        struct arena *a = vec_push(&d->arenas, sizeof *a);
        if (!a)
            return ERR(e, E_NOMEM, "out of memory while loading %s", input_file_names[f]);
        *a = k->arena;                       /* ownership moves to the dataset */
        arena_trim(a);
        arena_init_growing(&k->arena, CHUNK_ARENA_FIRST, CHUNK_ARENA_MAX);
    }
    /* give back the unused tail (blank lines, rejects, multi-line records) */
    if (dst->n && dst->n < dst->cap) {
        void *p = realloc(dst->v, dst->n * size);
        if (p) {
            dst->v = p;
            dst->cap = dst->n;
        }
    }
    chunks_free(n);
    return E_OK;
}

struct rowctx {
    struct normaliser *n;
    struct nchunk *k;
    struct err *e;
    long long line;
    int rejected;              /* set by reject(); stops further checks */
    int status;                /* E_OK or an error */
    int drop;                  /* a row no rule reads (keep_persons): checked, not kept,
                                  so its texts are not copied */
};

static void reject(struct rowctx *c, const char *col, const char *why, const char *val,
                   size_t vlen)
{
    if (c->rejected || c->status != E_OK)
        return;
    c->rejected = 1;
    if (val && vlen > 40)
        vlen = 40;
    char buf[320];
    if (val)
        snprintf(buf, sizeof buf, "%s: %s '%.*s'", col, why, (int)vlen, val);
    else
        snprintf(buf, sizeof buf, "%s: %s", col, why);
    c->status = chunk_add_reject(c->k, c->line, buf, c->e);
}

static const char *str(struct rowctx *c, const char *v, size_t len)
{
    if (c->rejected || c->drop || c->status != E_OK)
        return "";
    const char *p = arena_strndup(&c->k->arena, v, len);
    if (!p) {
        c->status = ERR(c->e, E_NOMEM, "out of memory while loading %s",
                        input_file_names[c->n->cur]);
        return "";
    }
    return p;
}

static const char *req_str(struct rowctx *c, const char *col, const char *v, size_t len)
{
    if (len == 0) {
        reject(c, col, "empty value", NULL, 0);
        return "";
    }
    return str(c, v, len);
}

/* Texts of few distinct values (region codes, institutions, caseworker
 * IDs) are kept once per chunk rather than once per row: a chunk's table
 * of the ones it kept, open addressing over FEW_SLOTS slots, filled up to
 * FEW_MAX (past that, or for a long text, or if the table cannot be had,
 * a text is kept per row as str() keeps it: only memory differs).  At SF 1
 * this spares 38 MB of hukou region codes, 20 MB of institutions and the
 * copying.  Nothing writes to a kept text, so rows may share one. */
#define FEW_SLOTS 4096
#define FEW_MAX 3072
#define FEW_LEN 64
struct few_slot {
    const char *s;
    uint32_t len, hash;
};
struct few {
    struct few_slot slot[FEW_SLOTS];
    int n;
};

static inline uint32_t few_hash(const char *v, size_t len)
{
    uint64_t h = (uint64_t)len * UINT64_C(0x9E3779B97F4A7C15);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, v + i, 8);
        h = (h ^ w) * UINT64_C(0xFF51AFD7ED558CCD);
        h ^= h >> 32;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, v + i, len - i);
        h = (h ^ w) * UINT64_C(0xFF51AFD7ED558CCD);
        h ^= h >> 32;
    }
    return (uint32_t)(h ^ (h >> 29));
}

void nchunk_forget_texts(struct nchunk *k)
{
    free(k->few);
    k->few = NULL;
    k->prev_no = NULL;
    k->prev_no_len = 0;
}

static const char *str_few(struct rowctx *c, const char *v, size_t len)
{
    if (c->rejected || c->drop || c->status != E_OK)
        return "";
    struct nchunk *k = c->k;
    if (len > FEW_LEN)
        return str(c, v, len);
    if (!k->few) {
        k->few = calloc(1, sizeof *k->few);
        if (!k->few)
            return str(c, v, len);   /* no table: kept per row */
    }
    uint32_t h = few_hash(v, len);
    size_t i = h & (FEW_SLOTS - 1);
    struct few_slot *sl;
    for (;; i = (i + 1) & (FEW_SLOTS - 1)) {
        sl = &k->few->slot[i];
        if (!sl->s)
            break;
        if (sl->hash == h && sl->len == len && memcmp(sl->s, v, len) == 0)
            return sl->s;
    }
    const char *p = str(c, v, len);
    if (c->status == E_OK && k->few->n < FEW_MAX) {
        sl->s = p;
        sl->len = (uint32_t)len;
        sl->hash = h;
        k->few->n++;
    }
    return p;
}

static int en(struct rowctx *c, const char *col, const char *const *names, int n,
              const char *v, size_t len)
{
    if (c->rejected)
        return 0;
    int i = enum_lookup(names, n, v, len);
    if (i < 0) {
        reject(c, col, len ? "value not in its set" : "empty value", len ? v : NULL, len);
        return 0;
    }
    return i;
}

static int date_req(struct rowctx *c, const char *col, const char *v, size_t len, int opt)
{
    int d;
    if (c->rejected)
        return DATE_NONE;
    if (len == 0) {
        if (!opt)
            reject(c, col, "empty date", NULL, 0);
        return DATE_NONE;
    }
    if (date_parse(v, len, &d) != 0) {
        reject(c, col, "bad date (want YYYY-MM-DD)", v, len);
        return DATE_NONE;
    }
    return d;
}

static int64_t money(struct rowctx *c, const char *col, const char *v, size_t len)
{
    int64_t x = 0;
    if (c->rejected)
        return 0;
    enum num_status st = num_parse_money(v, len, &x);
    if (st != NUM_OK)
        reject(c, col, num_status_text(st), len ? v : NULL, len);
    return x;
}

static int is_digits(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return 1;
}

static const char *region(struct rowctx *c, const char *col, const char *v, size_t len)
{
    if (!c->rejected && (len != 12 || !is_digits(v, len))) {
        reject(c, col, "not a 12-digit region code", len ? v : NULL, len);
        return "";
    }
    return str_few(c, v, len);
}

/* The reject reason for an invalid ID, with a hint where the form shows
 * what went wrong upstream (the value itself is not repeated: rejects are
 * read by more people than the feeds). */
static const char *id_reject_reason(enum id_status st, const char *v, size_t len)
{
    int sci = 0, digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] >= '0' && v[i] <= '9')
            digits++;
        else if ((v[i] == 'E' || v[i] == 'e') && i + 1 < len && (v[i + 1] == '+' || v[i + 1] == '-'))
            sci = 1;
    }
    if (st == ID_BAD_CHAR && sci)
        return "a number in scientific notation (a spreadsheet turned the ID into a number; "
               "export the column as text)";
    if (st == ID_BAD_CHECKSUM && len >= 18 && digits == (int)len &&
        memcmp(v + len - 3, "000", 3) == 0)
        return "bad check character (the last digits are 000: probably rounded by a "
               "spreadsheet; export the column as text)";
    if (st == ID_BAD_CHAR && len > 0 && (v[0] == '\'' || v[0] == '='))
        return "character other than a digit or X (a spreadsheet text marker ' or =\"...\" "
               "was left in)";
    return id_status_text(st);
}

/* A feed's person ID: normalised and valid, or the row is rejected. */
static uint64_t feed_id(struct rowctx *c, const char *col, const char *v, size_t len,
                        const char **id_out)
{
    if (c->rejected)
        return 0;
    struct id_norm nm;
    enum id_status st = id_normalise(v, len, c->n->as_of_ymd, &nm);
    for (int b = 0; b < 4; b++)
        if (nm.flags & (1u << b))
            c->k->idf[b]++;
    if (st != ID_OK) {
        reject(c, col, id_reject_reason(st, v, len), NULL, 0);
        return 0;
    }
    if (id_out)
        *id_out = str(c, nm.id, 18);
    return nm.key;
}

/* keep_persons: may a rule read the rows of the person with this key?
 * The last answer is kept: a feed lists a person's rows together (social
 * insurance, a dozen to a person), and the set is a bitmap of megabytes,
 * a cache miss a probe. */
static int person_kept(struct rowctx *c, uint64_t key)
{
    struct nchunk *k = c->k;
    if (key != k->last_person || !key) {
        k->last_person = key;
        k->last_person_kept = personset_may_have(c->n->keep_persons, key);
    }
    return k->last_person_kept;
}

/* Make the chunk's row slice resident a step ahead of its next row, in
 * one madvise per step (arena.h mem_prefault) rather than a fault per page.
 * A step ends at the next huge page boundary, so that a chunk makes at
 * most the huge page it ends in resident beyond its rows (the slices are
 * sized by lines: a feed that keeps half its rows, social insurance, used
 * to leave up to a 4 MiB step untouched in each of its 64 chunks). */
#define ROWS_STEP ((uintptr_t)2 << 20)
static inline void chunk_rows_ready(struct nchunk *k, size_t size)
{
    char *next = (char *)k->rows.v + (k->rows.n + 1) * size;
    if (!k->rows.borrowed || next <= k->ready || k->rows.n >= k->rows.cap)
        return;
    char *end = (char *)k->rows.v + k->rows.cap * size;
    char *to = k->ready + (ROWS_STEP - ((uintptr_t)k->ready & (ROWS_STEP - 1)));
    if (to > end)
        to = end;
    mem_prefault(k->ready, (size_t)(to - k->ready));
    k->ready = to;
}

#define PUSH(vecname, type)                                                         \
    chunk_rows_ready(c.k, sizeof(type));                                             \
    type *row = vec_push(&c.k->rows, sizeof(type));                                  \
    if (!row)                                                                       \
        return ERR(e, E_NOMEM, "out of memory while loading %s", input_file_names[c.n->cur])

#define BEGIN                                                                       \
    struct nchunk *k_ = ctx;                                                        \
    struct rowctx c = {k_->n, k_, e, line, 0, E_OK, 0};                             \
    (void)lens

#define END_CHECKS                                                                  \
    if (c.status != E_OK)                                                           \
        return c.status;                                                            \
    if (c.rejected)                                                                 \
        return E_OK

/* ---------- per-file row callbacks ---------- */

static int row_households(void *ctx, const char *const *v, const size_t *lens,
                          long long line, struct err *e)
{
    BEGIN;
    const char *id = req_str(&c, "household_id", v[0], lens[0]);
    const char *reg = region(&c, "region_code", v[1], lens[1]);
    int prog = en(&c, "program", program_names, N_PROG, v[2], lens[2]);
    int area = en(&c, "area_type", area_names, N_AREA, v[3], lens[3]);
    int status = en(&c, "status", hh_status_names, N_HS, v[4], lens[4]);
    int applied = date_req(&c, "applied_on", v[5], lens[5], 0);
    int approved = date_req(&c, "approved_on", v[6], lens[6], 1);
    int64_t benefit = money(&c, "monthly_benefit", v[7], lens[7]);
    const char *cw = str_few(&c, v[8], lens[8]);
    END_CHECKS;
    /* repeated household_ids: index_households(), after the chunks */
    PUSH(households, struct household);
    row->id = id;
    row->region = reg;
    row->program = prog;
    row->area = area;
    row->status = status;
    row->applied_on = applied;
    row->approved_on = approved;
    row->benefit_fen = benefit;
    row->caseworker = cw;
    row->line = line;
    return E_OK;
}

/* A member value that cannot be used (the contract keeps the row and flags
 * it): remember the column, the value
 * and the replacement for the evidence, and keep the row. */
struct member_bad {
    unsigned cols;             /* MB_* */
    char text[600];
    size_t n;
};

static void member_bad(struct member_bad *b, unsigned bit, const char *col, const char *why,
                       const char *val, size_t vlen, const char *kept)
{
    b->cols |= bit;
    /* at most 40 bytes of the value, cut at a character boundary */
    if (vlen > 40) {
        vlen = 40;
        while (vlen > 0 && ((unsigned char)val[vlen] & 0xC0) == 0x80)
            vlen--;
    }
    int k = vlen ? snprintf(b->text + b->n, sizeof b->text - b->n, "%s%s '%.*s': %s, taken as %s",
                            b->n ? "; " : "", col, (int)vlen, val, why, kept)
                 : snprintf(b->text + b->n, sizeof b->text - b->n, "%s%s: empty, taken as %s",
                            b->n ? "; " : "", col, kept);
    if (k > 0)
        b->n += (size_t)k < sizeof b->text - b->n ? (size_t)k : sizeof b->text - b->n - 1;
}

static int member_enum(struct member_bad *b, unsigned bit, const char *col,
                       const char *const *names, int n, const char *v, size_t len, int kept)
{
    int i = enum_lookup(names, n, v, len);
    if (i >= 0)
        return i;
    member_bad(b, bit, col, "not in its set", v, len, names[kept]);
    return kept;
}

static int row_members(void *ctx, const char *const *v, const size_t *lens,
                       long long line, struct err *e)
{
    BEGIN;
    struct normaliser *n = c.n;
    uint32_t hh = 0;
    /* The only reasons to reject a member row that could be read: its
     * household is unknown (here) or it repeats a person of its household
     * (finish_members). */
    if (lens[0] == 0)
        reject(&c, "household_id", "empty value", NULL, 0);
    else if (!stridx_get(&n->hh_by_id, v[0], &hh))
        reject(&c, "household_id", "not in households.csv", v[0], lens[0]);
    /* Nor is it dropped for a bad value in another column: dropping a
     * member would hide their assets and invent an undeclared spouse.  An
     * unusable (or empty) relation, income, work ability or disability
     * grade is replaced as the contract says and the row is flagged. */
    struct member_bad bad = {0, "", 0};
    int rel = member_enum(&bad, MB_RELATION, "relation", relation_names, N_REL, v[3], lens[3],
                          REL_OTHER);
    int64_t declared = 0;
    enum num_status ns = num_parse_money(v[4], lens[4], &declared);
    if (ns != NUM_OK) {
        declared = 0;
        member_bad(&bad, MB_INCOME, "declared_monthly_income", num_status_text(ns), v[4],
                   lens[4], "0");
    }
    int wa = member_enum(&bad, MB_WORK_ABILITY, "work_ability", work_ability_names, N_WA, v[5],
                         lens[5], WA_NONE);
    int grade = 0;
    if (lens[6] == 1 && v[6][0] >= '0' && v[6][0] <= '4')
        grade = v[6][0] - '0';
    else
        member_bad(&bad, MB_GRADE, "disability_grade", "not 0-4", v[6], lens[6], "0");
    /* Registry rows are never rejected for their ID (flagged instead). */
    struct id_norm nm;
    enum id_status ist = id_normalise(v[1], lens[1], n->as_of_ymd, &nm);
    for (int b = 0; b < 4; b++)
        if (nm.flags & (1u << b))
            c.k->idf[b]++;
    const char *id;
    if (ist == ID_OK) {
        id = str(&c, nm.id, 18);
    } else {
        size_t tl = lens[1];
        const char *t = utf8_trim(v[1], &tl);
        id = str(&c, t, tl);
    }
    size_t nl = lens[2];
    const char *nt = utf8_trim(v[2], &nl);
    const char *name = str(&c, nt, nl);
    const char *bad_text = bad.cols ? str(&c, bad.text, bad.n) : NULL;
    END_CHECKS;
    PUSH(members, struct member);
    row->hh = hh;
    row->key = ist == ID_OK ? nm.key : 0;
    row->id = id;
    row->name = name;
    row->relation = rel;
    row->work_ability = wa;
    row->disability_grade = grade;
    row->declared_fen = declared;
    row->id_status = (int)ist;
    row->line = line;
    row->bad_cols = bad.cols;
    row->bad_text = bad_text;
    return E_OK;
}

static int row_hukou(void *ctx, const char *const *v, const size_t *lens,
                     long long line, struct err *e)
{
    BEGIN;
    const char *id = "";
    uint64_t key = feed_id(&c, "id_no", v[0], lens[0], &id);
    size_t nl = lens[1];
    const char *nt = utf8_trim(v[1], &nl);
    const char *name = str(&c, nt, nl);
    /* the rows of one hukou come one after another: they share its number */
    const char *hno;
    if (c.k->prev_no && lens[2] == c.k->prev_no_len && !c.rejected &&
        memcmp(v[2], c.k->prev_no, lens[2]) == 0) {
        hno = c.k->prev_no;
    } else {
        hno = req_str(&c, "hukou_no", v[2], lens[2]);
        if (!c.rejected && c.status == E_OK) {
            c.k->prev_no = hno;
            c.k->prev_no_len = lens[2];
        }
    }
    int rel = en(&c, "relation_to_head", relation_names, N_REL, v[3], lens[3]);
    const char *reg = region(&c, "region_code", v[4], lens[4]);
    int status = en(&c, "status", hk_status_names, N_HK, v[5], lens[5]);
    int sd = date_req(&c, "status_date", v[6], lens[6], 1);
    if (!c.rejected && status != HK_NORMAL && sd == DATE_NONE)
        reject(&c, "status_date", "empty, but the status is not normal", NULL, 0);
    END_CHECKS;
    PUSH(hukou, struct hukou);
    row->key = key;
    row->id = id;
    row->name = name;
    row->hukou_no = hno;
    row->no_code = hukou_no_code(hno);
    row->relation = rel;
    row->region = reg;
    row->status = status;
    row->status_date = sd;
    row->line = line;
    return E_OK;
}

static int row_si(void *ctx, const char *const *v, const size_t *lens,
                  long long line, struct err *e)
{
    BEGIN;
    uint64_t key = feed_id(&c, "id_no", v[0], lens[0], NULL);
    int month = 0;
    if (!c.rejected && month_parse(v[1], lens[1], &month) != 0)
        reject(&c, "period", "bad month (want YYYY-MM)", lens[1] ? v[1] : NULL, lens[1]);
    int kind = en(&c, "kind", si_kind_names, N_SI, v[2], lens[2]);
    /* employer: read (the column must exist) but not kept: no rule or
     * evidence uses it, and it is the largest text of the largest feed */
    int64_t amt = money(&c, "amount", v[4], lens[4]);
    END_CHECKS;
    if (c.n->keep_months) {
        if (month < c.n->keep_first || month > c.n->keep_last)
            return E_OK;   /* valid, accepted, outside the run's income window */
        int m = month - c.n->keep_first;
        c.k->si_months[m >> 6] |= (uint64_t)1 << (m & 63);
    }
    if (c.n->keep_persons && !person_kept(&c, key))
        return E_OK;   /* valid, accepted, of a person no rule reads */
    PUSH(si, struct si_row);
    row->key = key;
    row->month = month;
    row->kind = kind;
    row->amount_fen = amt;
    row->line = line;
    return E_OK;
}

static int row_standards(void *ctx, const char *const *v, const size_t *lens,
                         long long line, struct err *e)
{
    BEGIN;
    if (!(lens[0] == 6 || lens[0] == 9 || lens[0] == 12) || !is_digits(v[0], lens[0]))
        reject(&c, "region_prefix", "not 6, 9 or 12 digits", lens[0] ? v[0] : NULL, lens[0]);
    const char *pre = str(&c, v[0], lens[0]);
    int area = en(&c, "area_type", area_names, N_AREA, v[1], lens[1]);
    int eff = date_req(&c, "effective_from", v[2], lens[2], 0);
    int64_t m = money(&c, "monthly_yuan", v[3], lens[3]);
    END_CHECKS;
    PUSH(standards, struct standard);
    row->prefix = pre;
    row->prefix_len = (int)lens[0];
    row->area = area;
    row->effective_from = eff;
    row->monthly_fen = m;
    row->line = line;
    return E_OK;
}

/* ---------- declared feeds ---------- */

/* A feed declared in model.c (feed_decls[f].declared) needs no reader of
 * its own: each column is checked by its type, in column order, the first
 * failure rejects the row naming the column (the same checks and reasons
 * as the readers above), and the values go where the declaration says. */
#define MAX_COLS NORMALISE_MAX_COLS

union cell {
    uint64_t key;
    const char *s;
    int i;
    int64_t n;
};

static int row_declared(void *ctx, const char *const *v, const size_t *lens, long long line,
                        struct err *e)
{
    BEGIN;
    const struct feed_decl *fd = &feed_decls[c.n->cur];
    union cell val[MAX_COLS], text[MAX_COLS];
    for (int i = 0; i < fd->n_cols; i++) {
        const struct col_decl *cd = &fd->cols[i];
        const char *x = v[i];
        size_t len = lens[i];
        int opt = (cd->flags & COL_OPT) != 0;
        if (cd->flags & COL_TRIM)
            x = utf8_trim(x, &len);
        val[i].n = 0;
        text[i].s = NULL;
        switch (cd->type) {
        case COL_ID:
            val[i].key = feed_id(&c, cd->name, x, len, cd->off2 >= 0 ? &text[i].s : NULL);
            /* the person's key: a row no rule reads is still checked,
             * column by column, but its texts are not copied */
            if (c.n->keep_persons && fd->by_person && cd->off >= 0 &&
                (size_t)cd->off == fd->key_off && !c.rejected && !person_kept(&c, val[i].key))
                c.drop = 1;
            break;
        case COL_TEXT:
            if (!opt && len == 0)
                val[i].s = req_str(&c, cd->name, x, len);
            else
                val[i].s = (cd->flags & COL_FEW) ? str_few(&c, x, len) : str(&c, x, len);
            break;
        case COL_SKIP:
            break;
        case COL_ENUM:
            val[i].i = en(&c, cd->name, cd->set, cd->n_set, x, len);
            break;
        case COL_DATE:
            val[i].i = date_req(&c, cd->name, x, len, opt);
            break;
        case COL_MONTH:
            if (!c.rejected && month_parse(x, len, &val[i].i) != 0)
                reject(&c, cd->name, "bad month (want YYYY-MM)", len ? x : NULL, len);
            break;
        case COL_MONEY:
            val[i].n = money(&c, cd->name, x, len);
            break;
        case COL_SHARE:
            if (!c.rejected) {
                enum num_status ns = num_parse_share(x, len, &val[i].n);
                if (ns != NUM_OK)
                    reject(&c, cd->name, num_status_text(ns), len ? x : NULL, len);
                else if (val[i].n <= 0 || val[i].n > SHARE_ONE)
                    reject(&c, cd->name, "not in 0 < share <= 1", x, len);
            }
            break;
        case COL_REGION:
            val[i].s = region(&c, cd->name, x, len);
            break;
        case COL_PREFIX:
            if (!(len == 6 || len == 9 || len == 12) || !is_digits(x, len))
                reject(&c, cd->name, "not 6, 9 or 12 digits", len ? x : NULL, len);
            val[i].s = str(&c, x, len);
            break;
        case COL_GRADE:
            if (!c.rejected && (len != 1 || x[0] < '0' || x[0] > '4'))
                reject(&c, cd->name, "not 0-4", len ? x : NULL, len);
            val[i].i = len == 1 ? x[0] - '0' : 0;
            break;
        }
    }
    END_CHECKS;
    if (c.drop)
        return E_OK;   /* valid, accepted, of a person no rule reads */
    chunk_rows_ready(c.k, fd->row_size);
    char *row = vec_push(&c.k->rows, fd->row_size);
    if (!row)
        return ERR(e, E_NOMEM, "out of memory while loading %s", input_file_names[c.n->cur]);
    for (int i = 0; i < fd->n_cols; i++) {
        const struct col_decl *cd = &fd->cols[i];
        if (cd->off < 0)
            continue;
        switch (cd->type) {
        case COL_ID:
            memcpy(row + cd->off, &val[i].key, sizeof val[i].key);
            if (cd->off2 >= 0)
                memcpy(row + cd->off2, &text[i].s, sizeof text[i].s);
            break;
        case COL_TEXT:
        case COL_REGION:
        case COL_PREFIX:
            memcpy(row + cd->off, &val[i].s, sizeof val[i].s);
            break;
        case COL_ENUM:
        case COL_DATE:
        case COL_MONTH:
        case COL_GRADE:
            memcpy(row + cd->off, &val[i].i, sizeof val[i].i);
            break;
        case COL_MONEY:
        case COL_SHARE:
            memcpy(row + cd->off, &val[i].n, sizeof val[i].n);
            break;
        case COL_SKIP:
            break;
        }
    }
    if (fd->line_off >= 0)
        memcpy(row + fd->line_off, &line, sizeof line);
    return E_OK;
}

/* Files whose rules span columns or rows have a reader of their own. */
static const load_row_fn own_reader[N_INPUT] = {
    [IN_HOUSEHOLDS] = row_households, [IN_MEMBERS] = row_members, [IN_HUKOU] = row_hukou,
    [IN_SI] = row_si, [IN_STANDARDS] = row_standards};

/* The load_spec of file f: its declared column names (into names[]) and
 * its reader. */
static int spec_of(struct normaliser *n, enum input_file f, const char *names[MAX_COLS],
                   struct load_spec *sp, struct err *e)
{
    const struct feed_decl *fd = &feed_decls[f];
    if (fd->n_cols > MAX_COLS || (!fd->declared && !own_reader[f]))
        return ERR(e, E_INTERNAL, "%s: bad declaration (%d columns, %s reader)",
                   input_file_names[f], fd->n_cols, fd->declared ? "declared" : "no");
    for (int i = 0; i < fd->n_cols; i++)
        names[i] = fd->cols[i].name;
    memset(sp, 0, sizeof *sp);
    sp->file = f;
    sp->cols = names;
    sp->n_cols = fd->n_cols;
    sp->row = fd->declared ? row_declared : own_reader[f];
    sp->ctx = n;
    sp->max_chunks = MAX_CHUNKS_BEGUN;
    sp->chunks_begin = chunks_begin_cb;
    sp->chunk_ctx = chunk_ctx_cb;
    sp->chunk_reject = chunk_reject_cb;
    n->cur = f;
    return E_OK;
}

int normalise_reader(struct normaliser *n, enum input_file f,
                     const char *names[NORMALISE_MAX_COLS], struct load_spec *sp, struct err *e)
{
    return spec_of(n, f, names, sp, e);
}

int normaliser_init(struct normaliser *n, struct dataset *d, int as_of, struct err *e)
{
    memset(n, 0, sizeof *n);
    n->d = d;
    n->as_of = as_of;
    n->as_of_ymd = date_to_ymd_int(as_of);
    return stridx_init(&n->hh_by_id, 1024, e);
}

void normaliser_keep_months(struct normaliser *n, int first, int last)
{
    n->keep_months = 1;
    n->keep_first = first;
    n->keep_last = last;
}

void normaliser_keep_persons(struct normaliser *n, const struct personset *ps)
{
    n->keep_persons = ps;
}

void normaliser_free(struct normaliser *n)
{
    chunks_free(n);
    load_bufs_free(n->bufs);
    n->bufs = NULL;
    stridx_free(&n->hh_by_id);
}

/* Households: household_id is unique.  The chunks are parsed in parallel
 * and the repeats found afterwards, in file order, so the first row of an
 * id stays (the index maps it to its final position, which members.csv is
 * joined by) and every later row is rejected naming the first's line. */
static int index_households(struct normaliser *n, size_t from, struct err *e)
{
    struct dataset *d = n->d;
    struct household *h = d->households.v;
    size_t nh = d->households.n, out = from;
    struct vec *rj = &d->files[IN_HOUSEHOLDS].rejects;
    size_t rejects_before = rj->n;
    for (size_t i = from; i < nh; i++) {
        uint32_t first;
        int r = stridx_put(&n->hh_by_id, h[i].id, (uint32_t)out, &first);
        if (r < 0)
            return ERR(e, E_NOMEM, "out of memory while indexing households");
        if (r == 1) {
            int st = dataset_reject(d, IN_HOUSEHOLDS, h[i].line, e,
                                    "household_id: duplicate of line %lld", h[first].line);
            if (st != E_OK)
                return st;
            continue;
        }
        h[out++] = h[i];
    }
    d->households.n = out;
    /* keep the rejects in line order, as every file's are (one reject per
     * row, so no two share a line): the first is the one quoted when there
     * are too many */
    if (rj->n > rejects_before)
        qsort(rj->v, rj->n, sizeof(struct reject), reject_cmp);
    return E_OK;
}

/* After a file's chunks are parsed: merge them, then any rule that needs
 * the whole file in order. */
static int finish_hukou(struct dataset *d, struct err *e);

static int after_load(struct normaliser *n, enum input_file f, size_t rows_before,
                      struct err *e)
{
    int st = chunks_merge(n, f, e);
    if (st == E_OK && f == IN_HOUSEHOLDS)
        st = index_households(n, rows_before, e);
    /* hukou.csv is merged as soon as it is loaded, while the larger feeds
     * are not yet in memory: its sort needs scratch as large as the rows */
    if (st == E_OK && f == IN_HUKOU) {
        if (n->hukou_merged)
            return ERR(e, E_INTERNAL, "hukou.csv loaded twice in one run");
        st = finish_hukou(n->d, e);
        n->hukou_merged = st == E_OK;
    }
    return st;
}

int normalise_file(struct normaliser *n, enum input_file f, const char *path,
                   enum enc want, struct err *e)
{
    struct load_spec sp;
    const char *names[MAX_COLS];
    int st = spec_of(n, f, names, &sp, e);
    if (st != E_OK)
        return st;
    sp.bufs = &n->bufs;   /* kept for the next file (a streamed file frees its own) */
    sp.chunks_settle = chunks_settle_cb;
    size_t row_size, before = dataset_rows(n->d, f, &row_size)->n;
    st = load_csv(n->d, path, want, &sp, e);
    if (st == E_OK)
        st = after_load(n, f, before, e);
    chunks_free(n);
    return st;
}

int normalise_buffer(struct normaliser *n, enum input_file f, const char *label,
                     const unsigned char *buf, size_t len, enum enc want, struct err *e)
{
    struct load_spec sp;
    const char *names[MAX_COLS];
    int st = spec_of(n, f, names, &sp, e);
    if (st != E_OK)
        return st;
    size_t row_size, before = dataset_rows(n->d, f, &row_size)->n;
    st = load_csv_mem(n->d, label, buf, len, want, &sp, e);
    if (st == E_OK)
        st = after_load(n, f, before, e);
    chunks_free(n);
    return st;
}

/* ---------- merge rules ---------- */

static int cmp_candidate_key(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Members: group by household (file order within), reject repeats. */
static int finish_members(struct dataset *d, struct err *e)
{
    /* rows are in file order: a stable sort by household keeps file order
     * within each household */
    int rs = vec_sort(&d->members, sizeof(struct member), offsetof(struct member, hh), 0, e);
    if (rs != E_OK)
        return rs;
    struct member *m = d->members.v;
    size_t nm = d->members.n;
    size_t out = 0;
    for (size_t i = 0; i < nm;) {
        size_t j = i;
        while (j < nm && m[j].hh == m[i].hh)
            j++;
        size_t start = out;
        for (size_t k = i; k < j; k++) {
            long long dup_of = 0;
            for (size_t q = start; q < out; q++) {
                int same = m[k].key ? m[k].key == m[q].key
                                    : (m[q].key == 0 && strcmp(m[k].id, m[q].id) == 0 &&
                                       m[k].id[0] != '\0');
                if (same) {
                    dup_of = m[q].line;
                    break;
                }
            }
            if (dup_of) {
                int st = dataset_reject(d, IN_MEMBERS, m[k].line, e,
                                        "id_no: person repeated in household %s (first on line %lld)",
                                        VEC_AT(d->households, struct household, m[k].hh).id, dup_of);
                if (st != E_OK)
                    return st;
                continue;
            }
            m[out++] = m[k];
        }
        struct household *h = &VEC_AT(d->households, struct household, m[i].hh);
        h->first_member = (uint32_t)start;
        h->n_members = (uint32_t)(out - start);
        i = j;
    }
    d->members.n = out;
    return E_OK;
}

/* Hukou: one row per person: the first `normal` row, else the latest
 * status_date (the first such row on a tie).  Identical repeats and
 * superseded rows are counted, not rejected. */
static int finish_hukou(struct dataset *d, struct err *e)
{
    size_t out;
    /* rows are in file order: a stable sort by key gives (key, line) */
    int st = vec_sort(&d->hukou, sizeof(struct hukou), offsetof(struct hukou, key), 1, e);
    if (st != E_OK)
        return st;
    struct hukou *hk = d->hukou.v;
    size_t nh = d->hukou.n;
    out = 0;
    for (size_t i = 0; i < nh;) {
        size_t j = i;
        while (j < nh && hk[j].key == hk[i].key)
            j++;
        size_t best = i;
        for (size_t k = i + 1; k < j; k++) {
            const struct hukou *b = &hk[best], *c = &hk[k];
            if (b->status == HK_NORMAL)
                break;
            if (c->status == HK_NORMAL || c->status_date > b->status_date)
                best = k;
        }
        d->files[IN_HUKOU].dropped_dupes += (long long)(j - i - 1);
        hk[out++] = hk[best];
        i = j;
    }
    d->hukou.n = out;
    return E_OK;
}

/* Candidates: one row per person. */
static int finish_candidates(struct dataset *d, struct err *e)
{
    size_t out;
    (void)e;
    struct candidate *cd = d->candidates.v;
    size_t nc = d->candidates.n;
    if (nc)
        qsort(cd, nc, sizeof *cd, cmp_candidate_key);
    out = 0;
    for (size_t i = 0; i < nc; i++) {
        if (out > 0 && cd[out - 1].key == cd[i].key) {
            d->files[IN_CANDIDATES].dropped_dupes++;
            continue;
        }
        cd[out++] = cd[i];
    }
    d->candidates.n = out;
    return E_OK;
}

int normalise_finish(struct normaliser *n, struct err *e)
{
    /* one after the other: the sorts use every thread themselves */
    struct dataset *d = n->d;
    load_bufs_free(n->bufs);   /* every file is loaded */
    n->bufs = NULL;
    int st = n->hukou_merged ? E_OK : finish_hukou(d, e);
    if (st == E_OK)
        st = finish_members(d, e);
    if (st == E_OK)
        st = finish_candidates(d, e);
    n->hukou_merged = 0;
    return st;
}
