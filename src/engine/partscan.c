/* partscan.c - one input file, row by row, into a sink (see partscan.h).
 *
 * Owns: the chunk states that stand between load.c and normalise.c's row
 * readers.  A chunk state holds a struct nchunk for the reader (its rows,
 * rejects and strings), drained after every row: the row to the sink, a
 * reject into the chunk's own list with its reason copied to the chunk's
 * own arena.  Never keeps a row.
 */
#include "engine/partscan.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "engine/load.h"

/* a chunk's scratch strings are given back once they pass this */
#define SCRATCH_MAX ((size_t)1 << 20)

struct pchunk {
    struct nchunk nk;        /* what normalise.c's reader fills */
    struct vec rejects;      /* struct reject, reasons in ra */
    struct arena ra;
    int idx;
    long long ord;           /* rows handed to the sink */
    struct scan *sc;
};

struct scan {
    struct normaliser *n;
    enum input_file f;
    load_row_fn reader;
    const struct scan_sink *sink;
    struct pchunk *chunks;
    int n_chunks;
    unsigned gen;
    int begun;
};

static void chunks_free(struct scan *s)
{
    for (int i = 0; i < s->n_chunks; i++) {
        struct pchunk *c = &s->chunks[i];
        nchunk_forget_texts(&c->nk);
        vec_free(&c->nk.rows);
        vec_free(&c->nk.rejects);
        arena_free(&c->nk.arena);
        vec_free(&c->rejects);
        arena_free(&c->ra);   /* zeroed once it moved to the dataset */
    }
    free(s->chunks);
    s->chunks = NULL;
    s->n_chunks = 0;
}

/* load.h's chunks_begin: first = 0 (re)starts the file (a new attempt
 * when one was begun: the sink's gen tells their rows apart); first > 0
 * adds chunks after those begun (the single read begins a file's chunks a
 * wave at a time, none being parsed during the call, so the array may
 * move). */
static int begin_cb(void *ctx, int first, int n_chunks, const size_t *max_rows,
                    struct err *e)
{
    struct scan *s = ctx;
    if (first == 0) {
        chunks_free(s);
        if (s->begun)
            s->gen++;
        s->begun = 1;
    } else if (first != s->n_chunks) {
        return ERR(e, E_INTERNAL, "chunks of %s begun out of order (%d after %d)",
                   input_file_names[s->f], first, s->n_chunks);
    }
    struct pchunk *ch = realloc(s->chunks, (size_t)(first + n_chunks) * sizeof *ch);
    if (!ch)
        return ERR(e, E_NOMEM, "out of memory while reading %s", input_file_names[s->f]);
    s->chunks = ch;
    memset(ch + first, 0, (size_t)n_chunks * sizeof *ch);
    s->n_chunks = first + n_chunks;
    for (int i = first; i < first + n_chunks; i++) {
        struct pchunk *c = &s->chunks[i];
        c->nk.n = s->n;
        arena_init_growing(&c->nk.arena, (size_t)64 << 10, (size_t)1 << 20);
        arena_init_growing(&c->ra, (size_t)4 << 10, (size_t)1 << 20);
        c->idx = i;
        c->sc = s;
    }
    return s->sink->begin ? s->sink->begin(s->sink->ctx, first, n_chunks, max_rows, s->gen, e)
                          : E_OK;
}

static void *chunk_ctx_cb(void *ctx, int i)
{
    return &((struct scan *)ctx)->chunks[i];
}

static int keep_reject(struct pchunk *c, long long line, const char *reason, struct err *e)
{
    struct reject *r = vec_push(&c->rejects, sizeof *r);
    char *txt = arena_strndup(&c->ra, reason, strlen(reason));
    if (!r || !txt)
        return ERR(e, E_NOMEM, "out of memory while recording a reject of %s",
                   input_file_names[c->sc->f]);
    r->line = line;
    r->reason = txt;
    return E_OK;
}

static int reject_cb(void *cctx, long long line, const char *reason, struct err *e)
{
    return keep_reject(cctx, line, reason, e);
}

static int row_cb(void *cctx, const char *const *vals, const size_t *lens, long long line,
                  struct err *e)
{
    struct pchunk *c = cctx;
    struct scan *s = c->sc;
    int st = s->reader(&c->nk, vals, lens, line, e);
    for (size_t i = 0; st == E_OK && i < c->nk.rejects.n; i++) {
        const struct reject *r = &VEC_AT(c->nk.rejects, struct reject, i);
        st = keep_reject(c, r->line, r->reason, e);
    }
    c->nk.rejects.n = 0;
    size_t size = feed_decls[s->f].row_size;
    int t = omp_get_thread_num();
    for (size_t i = 0; st == E_OK && i < c->nk.rows.n; i++)
        st = s->sink->row(s->sink->ctx, t, c->idx, c->ord++, s->gen,
                          (const char *)c->nk.rows.v + i * size, e);
    c->nk.rows.n = 0;
    if (c->nk.arena.used_bytes > SCRATCH_MAX) {
        nchunk_forget_texts(&c->nk);   /* they are in the arena */
        arena_free(&c->nk.arena);
        arena_init_growing(&c->nk.arena, (size_t)64 << 10, (size_t)1 << 20);
    }
    return st;
}

/* The chunks' rejects after the file's own (those of its header line), in
 * chunk order, as normalise.c's merge appends them; their reasons' arenas
 * go to the dataset. */
static int merge_rejects(struct scan *s, struct err *e)
{
    struct dataset *d = s->n->d;
    struct filestat *fs = &d->files[s->f];
    size_t total = fs->rejects.n;
    for (int i = 0; i < s->n_chunks; i++)
        total += s->chunks[i].rejects.n;
    if (total > fs->rejects.cap) {
        void *p = realloc(fs->rejects.v, total * sizeof(struct reject));
        if (!p)
            return ERR(e, E_NOMEM, "out of memory while reading %s", input_file_names[s->f]);
        fs->rejects.v = p;
        fs->rejects.cap = total;
    }
    for (int i = 0; i < s->n_chunks; i++) {
        struct pchunk *c = &s->chunks[i];
        if (c->rejects.n)
            memcpy((struct reject *)fs->rejects.v + fs->rejects.n, c->rejects.v,
                   c->rejects.n * sizeof(struct reject));
        fs->rejects.n += c->rejects.n;
        for (int b = 0; b < 4; b++)
            fs->id_flags_seen[b] += c->nk.idf[b];
        struct arena *a = vec_push(&d->arenas, sizeof *a);
        if (!a)
            return ERR(e, E_NOMEM, "out of memory while reading %s", input_file_names[s->f]);
        *a = c->ra;   /* ownership moves to the dataset */
        arena_trim(a);
        memset(&c->ra, 0, sizeof c->ra);
    }
    return E_OK;
}

/* One file from path (buf NULL) or from memory. */
static int scan(struct normaliser *n, enum input_file f, const char *path,
                const unsigned char *buf, size_t len, enum enc want,
                const struct scan_sink *sink, struct err *e)
{
    struct load_spec sp;
    const char *names[NORMALISE_MAX_COLS];
    int st = normalise_reader(n, f, names, &sp, e);
    if (st != E_OK)
        return st;
    struct scan s;
    memset(&s, 0, sizeof s);
    s.n = n;
    s.f = f;
    s.reader = sp.row;
    s.sink = sink;
    sp.ctx = &s;
    sp.row = row_cb;
    sp.max_chunks = 256;
    sp.chunks_begin = begin_cb;
    sp.chunk_ctx = chunk_ctx_cb;
    sp.chunk_reject = reject_cb;
    st = buf ? load_csv_mem(n->d, path, buf, len, want, &sp, e)
             : load_csv(n->d, path, want, &sp, e);
    if (st == E_OK)
        st = merge_rejects(&s, e);
    chunks_free(&s);
    return st;
}

int partscan_file(struct normaliser *n, enum input_file f, const char *path, enum enc want,
                  const struct scan_sink *sink, struct err *e)
{
    return scan(n, f, path, NULL, 0, want, sink, e);
}

int partscan_buffer(struct normaliser *n, enum input_file f, const char *label,
                    const unsigned char *buf, size_t len, enum enc want,
                    const struct scan_sink *sink, struct err *e)
{
    return scan(n, f, label, buf, len, want, sink, e);
}
