/* mpiread.c - one input file read by every rank, each its own byte range
 * (see mpiread.h for the ranges, the encoding and the fallback).
 *
 * Owns: the ranges, the pieces, the line numbers moved back to the file's,
 * and the whole-file read by rank 0 when a range cannot be read alone.
 * Never decides where a row goes (the sink does).
 */
#include "mpi/mpiread.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "engine/partscan.h"
#include "engine/spill.h"

#define BLOCK ((size_t)4 << 20)
#define MAX_HEADER ((size_t)1 << 20)

/* ---------- bytes ---------- */

static int read_at(int fd, unsigned char *buf, size_t n, long long at)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)at + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? errno : EIO;
        got += (size_t)r;
    }
    return 0;
}

/* ---------- a piece's rows, chunk by chunk, as records ---------- */

struct pieces {
    enum input_file f;
    long long line_off;       /* added to every line of the piece */
    struct vec *chunk;        /* per load chunk: records */
    int n_chunks;
    struct vec out;           /* the piece's records in file order */
};

static void chunks_drop(struct pieces *pc)
{
    for (int i = 0; i < pc->n_chunks; i++)
        vec_free(&pc->chunk[i]);
    free(pc->chunk);
    pc->chunk = NULL;
    pc->n_chunks = 0;
}

/* first = 0: a new attempt, the chunks start over; first > 0: more chunks
 * (load.c's single read, a wave at a time) */
static int pc_begin(void *ctx, int first, int n_chunks, const size_t *max_rows, unsigned gen,
                    struct err *e)
{
    (void)max_rows;
    (void)gen;
    struct pieces *pc = ctx;
    if (first == 0)
        chunks_drop(pc);
    else if (first != pc->n_chunks)
        return ERR(e, E_INTERNAL, "chunks of %s begun out of order (%d after %d)",
                   input_file_names[pc->f], first, pc->n_chunks);
    struct vec *ch = realloc(pc->chunk, (size_t)(first + n_chunks) * sizeof *ch);
    if (!ch)
        return ERR(e, E_NOMEM, "out of memory while reading %s", input_file_names[pc->f]);
    memset(ch + first, 0, (size_t)n_chunks * sizeof *ch);
    pc->chunk = ch;
    pc->n_chunks = first + n_chunks;
    return E_OK;
}

static int pc_row(void *ctx, int t, int chunk, long long ord, unsigned gen, const void *row,
                  struct err *e)
{
    (void)t;
    (void)ord;
    (void)gen;
    struct pieces *pc = ctx;
    const struct feed_decl *fd = &feed_decls[pc->f];
    _Alignas(16) unsigned char copy[256];
    if (fd->row_size > sizeof copy)
        return ERR(e, E_INTERNAL, "a %s row is larger than %zu bytes", fd->file, sizeof copy);
    memcpy(copy, row, fd->row_size);
    if (fd->line_off >= 0) {
        long long line;
        memcpy(&line, copy + fd->line_off, sizeof line);
        line += pc->line_off;
        memcpy(copy + fd->line_off, &line, sizeof line);
    }
    size_t len = spill_rec_size(pc->f, copy, 0, 0);
    struct vec *v = &pc->chunk[chunk];
    /* grow, then write in place */
    if (v->n + len > v->cap) {
        size_t cap = v->cap ? v->cap : 65536;
        while (cap < v->n + len)
            cap *= 2;
        void *q = realloc(v->v, cap);
        if (!q)
            return ERR(e, E_NOMEM, "out of memory while reading %s", input_file_names[pc->f]);
        v->v = q;
        v->cap = cap;
    }
    spill_rec_write((unsigned char *)v->v + v->n, len, pc->f, 0, NULL, 0, NULL, copy);
    v->n += len;
    return E_OK;
}

/* The chunks' records after one another into pc->out. */
static int pc_collect(struct pieces *pc, struct err *e)
{
    pc->out.n = 0;
    int st = E_OK;
    for (int i = 0; i < pc->n_chunks && st == E_OK; i++)
        st = mpiw_put(&pc->out, pc->chunk[i].v, pc->chunk[i].n, e);
    chunks_drop(pc);
    return st;
}

/* The reasons load.c writes with a line number in them ("bad encoding at
 * line N byte B", "line N longer than", "malformed quoting at line N
 * column C"): N moved by off.  Other reasons are left as they are. */
static const char *move_reason(struct dataset *d, const char *r, long long off, int *nomem)
{
    static const char *const with_line[] = {"bad encoding at line ", "line ",
                                            "malformed quoting at line "};
    for (size_t i = 0; i < sizeof with_line / sizeof *with_line; i++) {
        size_t k = strlen(with_line[i]);
        if (strncmp(r, with_line[i], k) != 0 || r[k] < '0' || r[k] > '9')
            continue;
        char *end;
        long long n = strtoll(r + k, &end, 10);
        char buf[1024];
        int w = snprintf(buf, sizeof buf, "%.*s%lld%s", (int)k, r, n + off, end);
        if (w < 0 || (size_t)w >= sizeof buf)
            return r;
        char *s = arena_strndup(&d->arena, buf, (size_t)w);
        if (!s)
            *nomem = 1;
        return s ? s : r;
    }
    return r;
}

static int move_rejects(struct dataset *d, enum input_file f, size_t from, long long off,
                        struct err *e)
{
    if (!off)
        return E_OK;
    int nomem = 0;
    struct filestat *fs = &d->files[f];
    for (size_t i = from; i < fs->rejects.n; i++) {
        struct reject *rj = &VEC_AT(fs->rejects, struct reject, i);
        rj->line += off;
        rj->reason = move_reason(d, rj->reason, off, &nomem);
    }
    return nomem ? ERR(e, E_NOMEM, "out of memory while reading %s", input_file_names[f]) : E_OK;
}

/* ---------- ranges ---------- */

struct range {
    long long start, end;     /* bytes of the file */
    long long line;           /* the physical line at start */
};

/* Quotes and LFs in [a, b). */
static int count_ql(int fd, long long a, long long b, unsigned char *buf, long long *q,
                    long long *lf)
{
    *q = *lf = 0;
    for (long long at = a; at < b;) {
        size_t n = (size_t)(b - at) < BLOCK ? (size_t)(b - at) : BLOCK;
        int er = read_at(fd, buf, n, at);
        if (er)
            return er;
        for (size_t i = 0; i < n; i++) {
            *q += buf[i] == '"';
            *lf += buf[i] == '\n';
        }
        at += (long long)n;
    }
    return 0;
}

/* The first LF outside quotes at or after `a` (par: quotes before a,
 * modulo 2; lines: LFs before a), before b: 1 and *at just after it with
 * its line, else 0. */
static int first_record(int fd, long long a, long long b, int par, long long lines,
                        unsigned char *buf, long long *at, long long *line, int *er)
{
    for (long long p = a; p < b;) {
        size_t n = (size_t)(b - p) < BLOCK ? (size_t)(b - p) : BLOCK;
        if ((*er = read_at(fd, buf, n, p)) != 0)
            return 0;
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '"') {
                par ^= 1;
            } else if (buf[i] == '\n') {
                lines++;
                if (!par) {
                    *at = p + (long long)i + 1;
                    *line = lines + 1;
                    return 1;
                }
            }
        }
        p += (long long)n;
    }
    return 0;
}

static int plan_ranges(const struct mpictx *m, const char *path, int fd, long long size,
                       unsigned char *buf, struct range *r, struct err *e)
{
    long long a = (long long)((__int128)size * m->rank / m->size);
    long long b = (long long)((__int128)size * (m->rank + 1) / m->size);
    long long q, lf, qb = 0, lb = 0;
    int er = count_ql(fd, a, b, buf, &q, &lf);
    long long mine[2] = {q, lf}, before[2] = {0, 0};
    MPI_Exscan(mine, before, 2, MPI_LONG_LONG, MPI_SUM, m->comm);
    if (m->rank > 0) {
        qb = before[0];
        lb = before[1];
    }
    long long here[2] = {LLONG_MAX, 0};
    if (m->rank == 0) {
        here[0] = 0;
        here[1] = 1;
    } else if (!er) {
        first_record(fd, a, b, (int)(qb & 1), lb, buf, &here[0], &here[1], &er);
    }
    int st = mpiw_sync(m, er ? ERR(e, E_IO, "cannot read %s: %s", path, strerror(er)) : E_OK,
                       e);
    if (st != E_OK)
        return st;
    long long *all = malloc((size_t)m->size * 2 * sizeof *all);
    int ok = all != NULL, all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, m->comm);
    if (!all_ok) {
        free(all);
        return ERR(e, E_NOMEM, "out of memory while splitting an input");
    }
    MPI_Allgather(here, 2, MPI_LONG_LONG, all, 2, MPI_LONG_LONG, m->comm);
    /* a rank with no record start takes nothing: its neighbour reads on */
    long long next = size, next_line = 0;
    for (int k = m->size - 1; k >= 0; k--) {
        if (all[2 * k] > next) {
            all[2 * k] = next;
            all[2 * k + 1] = next_line;
        }
        if (k == m->rank) {
            r->start = all[2 * k];
            r->end = next;
            r->line = all[2 * k + 1];
        }
        next = all[2 * k];
        next_line = all[2 * k + 1];
    }
    free(all);
    return E_OK;
}

/* The file's header line (after a BOM), for the pieces that do not start
 * the file: 1 when it is one plain line (an LF within MAX_HEADER bytes, an
 * even number of quotes, no CR but before the LF), else 0. */
static int header_line(int fd, long long size, unsigned char *buf, size_t *len, size_t *skip)
{
    size_t n = size < (long long)MAX_HEADER ? (size_t)size : MAX_HEADER;
    if (n == 0 || read_at(fd, buf, n, 0))
        return 0;
    *skip = 0;
    if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
        *skip = 3;
    else if (n >= 4 && buf[0] == 0x84 && buf[1] == 0x31 && buf[2] == 0x95 && buf[3] == 0x33)
        *skip = 4;
    const unsigned char *lf = memchr(buf, '\n', n);
    if (!lf)
        return 0;
    size_t end = (size_t)(lf - buf) + 1, quotes = 0;
    for (size_t i = *skip; i < end; i++) {
        quotes += buf[i] == '"';
        if (buf[i] == '\r' && i + 2 != end)
            return 0;
    }
    *len = end;
    return quotes % 2 == 0;
}

/* ---------- the encoding ---------- */

/* Is [a, b) valid UTF-8 (checked in LF-aligned blocks: an LF is never
 * inside a character)?  With gb, instead: does it decode wholly as
 * GB18030?  1, 0, or -1 with er set. */
static int range_is(int fd, long long a, long long b, int gb, unsigned char *buf, int *er)
{
    for (long long p = a; p < b;) {
        size_t n = (size_t)(b - p) < BLOCK ? (size_t)(b - p) : BLOCK;
        if ((*er = read_at(fd, buf, n, p)) != 0)
            return -1;
        size_t use = n;
        if (p + (long long)n < b) {
            const unsigned char *lf = memrchr(buf, '\n', n);
            if (lf)
                use = (size_t)(lf - buf) + 1;
        }
        if (!gb) {
            if (utf8_valid_prefix(buf, use) != use)
                return 0;
        } else {
            struct decoded d;
            struct err e;
            err_init(&e);
            if (enc_decode("", buf, use, ENC_GB18030, &d, &e) != E_OK) {
                *er = ENOMEM;
                return -1;
            }
            size_t bad = d.n_bad;
            decoded_free(&d);
            if (bad)
                return 0;
        }
        p += (long long)use;
    }
    return 1;
}

static int decide_encoding(const struct mpictx *m, int fd, const struct range *r, size_t bom,
                           enum enc want, unsigned char *buf, enum enc *out, struct err *e)
{
    if (want != ENC_AUTO) {
        *out = want;
        return E_OK;
    }
    int er = 0;
    long long a = m->rank == 0 ? r->start + (long long)bom : r->start;
    int mine = a < r->end ? range_is(fd, a, r->end, 0, buf, &er) : 1, all = 0;
    int st = mpiw_sync(m, mine < 0 ? ERR(e, E_IO, "cannot read an input: %s", strerror(er))
                                   : E_OK, e);
    if (st != E_OK)
        return st;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, m->comm);
    if (all) {
        *out = ENC_UTF8;
        return E_OK;
    }
    mine = r->start < r->end ? range_is(fd, r->start, r->end, 1, buf, &er) : 1;
    st = mpiw_sync(m, mine < 0 ? ERR(e, E_NOMEM, "out of memory while decoding an input")
                               : E_OK, e);
    if (st != E_OK)
        return st;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, m->comm);
    *out = all ? ENC_GB18030 : ENC_UTF8;
    return E_OK;
}

/* ---------- the pieces ---------- */

/* Bytes of a piece: MPIREAD_PIECE, or HEDUI_MPI_PIECE_BYTES (a test hook,
 * as load.c's HEDUI_CHUNK_BYTES: many pieces of a small file). */
static long long piece_bytes(void)
{
    const char *v = getenv("HEDUI_MPI_PIECE_BYTES");
    long long x = v ? atoll(v) : 0;
    return x >= 16 ? x : (long long)MPIREAD_PIECE;
}

/* The end of the piece starting at `at` (a record start): the first LF
 * outside quotes at or after at + piece_bytes(), or `end`; its LFs too. */
static int piece_end(int fd, long long at, long long end, unsigned char *buf, long long *cut,
                     long long *lfs)
{
    int par = 0;
    long long want = piece_bytes();
    *lfs = 0;
    for (long long p = at; p < end;) {
        size_t n = (size_t)(end - p) < BLOCK ? (size_t)(end - p) : BLOCK;
        int er = read_at(fd, buf, n, p);
        if (er)
            return er;
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '"') {
                par ^= 1;
            } else if (buf[i] == '\n') {
                (*lfs)++;
                if (!par && p + (long long)i + 1 - at >= want) {
                    *cut = p + (long long)i + 1;
                    return 0;
                }
            }
        }
        p += (long long)n;
    }
    *cut = end;
    return 0;
}

static void set_checksum(struct filestat *fs, XXH128_hash_t h)
{
    snprintf(fs->checksum, sizeof fs->checksum, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);
}

/* Rank 0: what a run records of the whole file. */
static int whole_file_stats(int fd, long long size, const char *path, enum enc used,
                            int had_bom, struct filestat *fs, unsigned char *buf, struct err *e)
{
    XXH3_state_t *x = XXH3_createState();
    if (!x)
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    XXH3_128bits_reset(x);
    int er = 0;
    for (long long p = 0; p < size && !er;) {
        size_t n = (size_t)(size - p) < BLOCK ? (size_t)(size - p) : BLOCK;
        if ((er = read_at(fd, buf, n, p)) == 0)
            XXH3_128bits_update(x, buf, n);
        p += (long long)n;
    }
    XXH128_hash_t h = XXH3_128bits_digest(x);
    XXH3_freeState(x);
    if (er)
        return ERR(e, E_IO, "cannot read %s: %s", path, strerror(er));
    set_checksum(fs, h);
    fs->bytes = size;
    fs->encoding = enc_name(used);
    fs->had_bom = had_bom;
    snprintf(fs->path, sizeof fs->path, "%s", path);
    fs->present = 1;
    return E_OK;
}

struct file_state {
    int fd;
    long long size;
    unsigned char *buf;       /* BLOCK bytes */
    unsigned char *hdr;       /* the header line */
    size_t hdr_len, bom;
    int plain;                /* the ranges can be read on their own */
};

/* The file's rows read by rank 0 alone, as a run reads it. */
static int read_whole(const struct mpictx *m, struct normaliser *nz, enum input_file f,
                      const char *path, enum enc want, const struct mpiread_sink *sink,
                      struct pieces *pc, struct err *e)
{
    int st = E_OK;
    pc->out.n = 0;
    if (m->rank == 0) {
        struct scan_sink ss = {pc, pc_begin, pc_row};
        pc->line_off = 0;
        st = partscan_file(nz, f, path, want, &ss, e);
        if (st == E_OK)
            st = pc_collect(pc, e);
        chunks_drop(pc);
    }
    st = mpiw_sync(m, st, e);
    if (st == E_OK)
        st = mpiw_sync(m, sink->take(sink->ctx, pc->out.v, m->rank == 0 ? pc->out.n : 0, e), e);
    return st;
}

int mpiread_file(const struct mpictx *m, struct normaliser *nz, enum input_file f,
                 const char *path, enum enc want, const struct mpiread_sink *sink,
                 struct err *e)
{
    struct dataset *d = nz->d;
    struct filestat *fs = &d->files[f];
    struct pieces pc;
    memset(&pc, 0, sizeof pc);
    pc.f = f;
    struct file_state fsx = {-1, 0, NULL, NULL, 0, 0, 0};
    fsx.buf = malloc(BLOCK);
    fsx.hdr = malloc(MAX_HEADER);
    int st = fsx.buf && fsx.hdr ? E_OK : ERR(e, E_NOMEM, "out of memory while reading %s", path);
    st = mpiw_sync(m, st, e);
    size_t rejects_before = fs->rejects.n;
    struct stat sb;
    if (st == E_OK) {
        fsx.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        int ok = fsx.fd >= 0 && fstat(fsx.fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
        if (ok) {
            fsx.size = (long long)sb.st_size;
            ok = header_line(fsx.fd, fsx.size, fsx.hdr, &fsx.hdr_len, &fsx.bom);
        }
        int all = 0;
        MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, m->comm);
        fsx.plain = all;
    }
    struct range r = {0, 0, 1};
    enum enc used = want;
    if (st == E_OK && fsx.plain)
        st = plan_ranges(m, path, fsx.fd, fsx.size, fsx.buf, &r, e);
    if (st == E_OK && fsx.plain)
        st = decide_encoding(m, fsx.fd, &r, fsx.bom, want, fsx.buf, &used, e);
    int had_bom = 0, fallback = !fsx.plain;
    long long at = r.start, line = r.line;
    while (st == E_OK && !fallback) {
        int have = at < r.end, any = 0;
        MPI_Allreduce(&have, &any, 1, MPI_INT, MPI_MAX, m->comm);
        if (!any)
            break;
        int lst = E_OK;
        pc.out.n = 0;
        if (have) {
            long long cut = r.end, lfs = 0;
            int er = piece_end(fsx.fd, at, r.end, fsx.buf, &cut, &lfs);
            size_t head = at == 0 ? 0 : fsx.hdr_len - fsx.bom;
            size_t len = head + (size_t)(cut - at);
            unsigned char *p = er ? NULL : malloc(len ? len : 1);
            if (er)
                lst = ERR(e, E_IO, "cannot read %s: %s", path, strerror(er));
            else if (!p)
                lst = ERR(e, E_NOMEM, "out of memory while reading %s", path);
            else {
                memcpy(p, fsx.hdr + fsx.bom, head);
                if ((er = read_at(fsx.fd, p + head, (size_t)(cut - at), at)) != 0)
                    lst = ERR(e, E_IO, "cannot read %s: %s", path, strerror(er));
            }
            size_t before = fs->rejects.n;
            pc.line_off = at == 0 ? 0 : line - 2;
            struct scan_sink ss = {&pc, pc_begin, pc_row};
            if (lst == E_OK)
                lst = partscan_buffer(nz, f, path, p, len, used, &ss, e);
            free(p);
            if (at == 0)
                had_bom = fs->had_bom;
            if (lst == E_OK)
                lst = move_rejects(d, f, before, pc.line_off, e);
            if (lst == E_OK)
                lst = pc_collect(&pc, e);
            chunks_drop(&pc);
            at = cut;
            line += lfs;
        }
        /* a piece that cannot be read alone sends the file to rank 0 */
        int fb = lst == E_PARSE, any_fb = 0;
        MPI_Allreduce(&fb, &any_fb, 1, MPI_INT, MPI_MAX, m->comm);
        if (any_fb) {
            err_init(e);   /* not the file's error: the piece's boundary, probably */
            fallback = 1;
            break;
        }
        st = mpiw_sync(m, lst, e);
        if (st == E_OK)
            st = mpiw_sync(m, sink->take(sink->ctx, pc.out.v, pc.out.n, e), e);
    }
    if (st == E_OK && fallback) {
        int rst = sink->reset(sink->ctx, e);
        /* the ranks' counts of the file start over */
        fs->rejects.n = rejects_before;
        fs->data_rows = 0;
        memset(fs->id_flags_seen, 0, sizeof fs->id_flags_seen);
        st = mpiw_sync(m, rst, e);
        if (st == E_OK)
            st = read_whole(m, nz, f, path, want, sink, &pc, e);
    } else if (st == E_OK && m->rank == 0) {
        st = whole_file_stats(fsx.fd, fsx.size, path, used, had_bom, fs, fsx.buf, e);
    }
    if (!fallback)
        st = mpiw_sync(m, st, e);
    if (fsx.fd >= 0)
        close(fsx.fd);
    free(fsx.buf);
    free(fsx.hdr);
    chunks_drop(&pc);
    vec_free(&pc.out);
    return st;
}
