/* load.c - stage 1: bytes of one CSV file -> records with their line numbers.
 *
 * Owns: reading the file, its checksum, decoding (via encoding.c), libcsv
 * parsing, header matching and the structural rejects.  Must never interpret
 * a value (that is normalise.c) and never drop a record without a reject.
 *
 * Design.  libcsv is a push parser without positions, so we feed it one
 * physical (LF-terminated) line at a time.  Before each line we note whether
 * a record is in progress (libcsv's pstate, or fields already delivered); if
 * not, the record starts on this line.  That gives the contract's "line where
 * the record starts" even for quoted fields that span lines.  Strict mode is
 * on: a stray quote makes libcsv stop; we reject the record, drop the rest
 * of that physical line, restart the parser on the next line and go on.  An
 * opening quote never closed by the end of the file cannot be resynchronised
 * safely (it would swallow every later record), so it stops the run and
 * names the line where the quote opened.
 */
#include "load.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#define MAX_COLS 256

struct rec {
    char *buf;                 /* field bytes, each NUL-terminated */
    size_t len, cap;
    size_t off[MAX_COLS];
    size_t flen[MAX_COLS];
    int nf;                    /* fields delivered so far */
    int overflow;              /* more than MAX_COLS fields */
    int too_long;              /* a field over LOAD_MAX_FIELD */
};

struct loader {
    struct dataset *d;
    const struct load_spec *spec;
    struct err *e;
    int status;                /* first error from a callback */
    struct rec r;
    long long rec_start;       /* line where the current record started */
    long long cur_line;
    int n_rows_done;           /* records completed during the current feed */
    int header_done;
    int n_header;
    int colmap[MAX_COLS];      /* spec col i -> field index */
    const struct decoded *dec;
    size_t bad_i;              /* next index into dec->bad_lines */
};

static void rec_clear(struct rec *r)
{
    r->len = 0;
    r->nf = 0;
    r->overflow = 0;
    r->too_long = 0;
}

static void on_field(void *s, size_t len, void *data)
{
    struct loader *L = data;
    struct rec *r = &L->r;
    if (L->status != E_OK)
        return;
    if (r->nf >= MAX_COLS) {
        r->overflow = 1;
        r->nf++;
        return;
    }
    if (len > LOAD_MAX_FIELD) {
        r->too_long = 1;
        len = 0;   /* keep the count, not the bytes: memory stays bounded */
    }
    if (r->len + len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + len + 1)
            cap *= 2;
        char *p = realloc(r->buf, cap);
        if (!p) {
            L->status = ERR(L->e, E_NOMEM, "out of memory while reading %s",
                            L->d->files[L->spec->file].name);
            return;
        }
        r->buf = p;
        r->cap = cap;
    }
    if (len)
        memcpy(r->buf + r->len, s, len);
    r->buf[r->len + len] = '\0';
    r->off[r->nf] = r->len;
    r->flen[r->nf] = len;
    r->len += len + 1;
    r->nf++;
}

/* Does any line in [from, to] fail to decode? */
static int has_bad_line(struct loader *L, long long from, long long to)
{
    const struct decoded *dec = L->dec;
    while (L->bad_i < dec->n_bad && dec->bad_lines[L->bad_i] < from)
        L->bad_i++;
    return L->bad_i < dec->n_bad && dec->bad_lines[L->bad_i] <= to;
}

static int do_header(struct loader *L)
{
    struct rec *r = &L->r;
    const struct load_spec *sp = L->spec;
    struct filestat *fs = &L->d->files[sp->file];
    if (r->overflow)
        return ERR(L->e, E_PARSE, "%s has more than %d columns in its header", fs->name, MAX_COLS);
    L->n_header = r->nf;
    char missing[400] = "";
    size_t mlen = 0;
    for (int i = 0; i < sp->n_cols; i++) {
        L->colmap[i] = -1;
        for (int j = 0; j < r->nf; j++) {
            if (strcmp(r->buf + r->off[j], sp->cols[i]) == 0) {
                L->colmap[i] = j;
                break;
            }
        }
        if (L->colmap[i] < 0 && mlen < sizeof missing - 1)
            mlen += (size_t)snprintf(missing + mlen, sizeof missing - mlen, "%s%s",
                                     mlen ? ", " : "", sp->cols[i]);
    }
    if (mlen) {
        char found[400] = "";
        size_t flen = 0;
        for (int j = 0; j < r->nf && flen < sizeof found - 1; j++)
            flen += (size_t)snprintf(found + flen, sizeof found - flen, "%s%s",
                                     j ? ", " : "", r->buf + r->off[j]);
        err_where(L->e, fs->path, L->rec_start, 0);
        return ERR(L->e, E_PARSE,
                   "missing column(s): %s; the header has: %s; "
                   "see the data contract for the expected columns", missing, found);
    }
    L->header_done = 1;
    return E_OK;
}

static void on_row(int c, void *data)
{
    struct loader *L = data;
    struct rec *r = &L->r;
    (void)c;
    L->n_rows_done++;
    if (L->status != E_OK) {
        rec_clear(r);
        return;
    }
    if (!L->header_done) {
        L->status = do_header(L);
        rec_clear(r);
        return;
    }
    const struct load_spec *sp = L->spec;
    struct filestat *fs = &L->d->files[sp->file];
    fs->data_rows++;
    int st = E_OK;
    if (has_bad_line(L, L->rec_start, L->cur_line)) {
        st = dataset_reject(L->d, sp->file, L->rec_start, L->e,
                            "bad encoding: bytes that are neither UTF-8 nor GB18030");
    } else if (r->overflow || r->nf != L->n_header) {
        st = dataset_reject(L->d, sp->file, L->rec_start, L->e,
                            "wrong column count: %d fields, header has %d", r->nf, L->n_header);
    } else if (r->too_long) {
        st = dataset_reject(L->d, sp->file, L->rec_start, L->e,
                            "field longer than %d bytes", LOAD_MAX_FIELD);
    } else {
        const char *vals[MAX_COLS];
        size_t lens[MAX_COLS];
        for (int i = 0; i < sp->n_cols; i++) {
            vals[i] = r->buf + r->off[L->colmap[i]];
            lens[i] = r->flen[L->colmap[i]];
        }
        st = sp->row(sp->ctx, vals, lens, L->rec_start, L->e);
    }
    if (st != E_OK)
        L->status = st;
    rec_clear(r);
}

static int read_file(const char *path, unsigned char **buf, size_t *len, struct err *e)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return ERR(e, E_NOINPUT, "cannot open %s: %s", path, strerror(errno));
        return ERR(e, E_IO, "cannot open %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int er = errno;
        close(fd);
        return ERR(e, E_IO, "cannot stat %s: %s", path, strerror(er));
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    unsigned char *p = malloc(cap);
    if (!p) {
        close(fd);
        return ERR(e, E_NOMEM, "out of memory while reading %s (%lld bytes)", path,
                   (long long)st.st_size);
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            unsigned char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                close(fd);
                return ERR(e, E_NOMEM, "out of memory while reading %s", path);
            }
            p = q;
            cap *= 2;
        }
        ssize_t k = read(fd, p + n, cap - n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            int er = errno;
            free(p);
            close(fd);
            return ERR(e, E_IO, "cannot read %s: %s", path, strerror(er));
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    *buf = p;
    *len = n;
    return E_OK;
}

int load_csv(struct dataset *d, const char *path, enum enc want,
             const struct load_spec *spec, struct err *e)
{
    unsigned char *raw = NULL;
    size_t n_raw = 0;
    int st = read_file(path, &raw, &n_raw, e);
    if (st != E_OK)
        return st;
    st = load_csv_mem(d, path, raw, n_raw, want, spec, e);
    free(raw);
    return st;
}

int load_csv_mem(struct dataset *d, const char *path, const unsigned char *raw, size_t n_raw,
                 enum enc want, const struct load_spec *spec, struct err *e)
{
    struct filestat *fs = &d->files[spec->file];
    snprintf(fs->path, sizeof fs->path, "%s", path);
    int st;
    fs->present = 1;
    fs->bytes = (long long)n_raw;
    /* XXH3-128: verifiable with `xxhsum -H2` (Debian package xxhash) and
     * fast enough (>10 GB/s) to cost nothing next to parsing. */
    XXH128_hash_t h = XXH3_128bits(raw, n_raw);
    snprintf(fs->checksum, sizeof fs->checksum, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);

    if (n_raw == 0) {
        err_where(e, path, 1, 0);
        return ERR(e, E_PARSE, "empty file: expected a header row");
    }

    struct decoded dec;
    memset(&dec, 0, sizeof dec);
    st = enc_decode(path, raw, n_raw, want, &dec, e);
    if (st != E_OK)
        return st;
    fs->encoding = enc_name(dec.used);
    fs->had_bom = dec.had_bom;

    struct loader L;
    memset(&L, 0, sizeof L);
    L.d = d;
    L.spec = spec;
    L.e = e;
    L.dec = &dec;

    struct csv_parser p;
    const unsigned char opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;
    if (csv_init(&p, opts) != 0) {
        decoded_free(&dec);
        return ERR(e, E_NOMEM, "out of memory while starting the CSV parser for %s", path);
    }

    const char *s = dec.data, *end = dec.data + dec.len;
    long long line = 0;
    int in_record = 0;
    while (s < end && L.status == E_OK) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        line++;
        L.cur_line = line;
        if (!in_record)
            L.rec_start = line;
        L.n_rows_done = 0;
        size_t used = csv_parse(&p, s, n, on_field, on_row, &L);
        if (L.status != E_OK)
            break;
        if (used != n) {
            int perr = csv_error(&p);
            if (perr != CSV_EPARSE) {
                L.status = ERR(e, E_NOMEM, "CSV parser failed on %s line %lld: %s", path,
                               line, csv_strerror(perr));
                break;
            }
            /* A malformed quote: reject the record, skip to the next line. */
            if (!L.header_done) {
                err_where(e, path, line, (int)used + 1);
                L.status = ERR(e, E_PARSE, "malformed quoting in the header row");
                break;
            }
            d->files[spec->file].data_rows++;
            L.status = dataset_reject(d, spec->file, L.rec_start, e,
                                      "malformed quoting at line %lld column %zu "
                                      "(a quote inside an unquoted field or after a closing quote)",
                                      line, used + 1);
            csv_free(&p);
            if (csv_init(&p, opts) != 0) {
                L.status = ERR(e, E_NOMEM, "out of memory while restarting the CSV parser");
                break;
            }
            rec_clear(&L.r);
            in_record = 0;
            s += n;
            continue;
        }
        in_record = p.pstate != 0 || L.r.nf > 0;
        s += n;
    }
    if (L.status == E_OK) {
        if (csv_fini(&p, on_field, on_row, &L) != 0) {
            err_where(e, path, L.rec_start, 0);
            L.status = ERR(e, E_PARSE,
                           "quoted field opened on line %lld is never closed; "
                           "fix the quote or export the file again", L.rec_start);
        }
    }
    if (L.status == E_OK && !L.header_done) {
        err_where(e, path, 1, 0);
        L.status = ERR(e, E_PARSE, "no header row");
    }
    csv_free(&p);
    free(L.r.buf);
    decoded_free(&dec);
    if (L.status == E_OK)
        fs->accepted = fs->data_rows - (long long)fs->rejects.n - fs->dropped_dupes;
    return L.status;
}
