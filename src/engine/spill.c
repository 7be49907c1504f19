/* spill.c - typed rows in temporary files and back (see spill.h).
 *
 * Owns: the record format, the spill directory and the descriptors and
 * buffers of its files.  Never interprets a value and never decides where
 * a row goes (partition.c does).
 */
#include "engine/spill.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"

/* ---------- records ---------- */

#define NULL_STR 0xFFFFFFFFu

static size_t str_size(const char *s)
{
    return 4 + (s ? strlen(s) : 0);
}

static const char *col_str(const void *row, int off)
{
    const char *s;
    memcpy(&s, (const char *)row + off, sizeof s);
    return s;
}

size_t spill_rec_size(enum input_file f, const void *row, int ndest, int has_tag)
{
    const struct feed_decl *fd = &feed_decls[f];
    size_t n = SPILL_HEADER + (has_tag ? 8 : 0) + 2 * (size_t)ndest;
    for (int i = 0; i < fd->n_cols; i++) {
        const struct col_decl *cd = &fd->cols[i];
        if (cd->off < 0)
            continue;
        switch (cd->type) {
        case COL_ID:
            n += 8;
            if (cd->off2 >= 0)
                n += str_size(col_str(row, cd->off2));
            break;
        case COL_TEXT:
        case COL_REGION:
        case COL_PREFIX:
            n += str_size(col_str(row, cd->off));
            break;
        case COL_MONEY:
        case COL_SHARE:
            n += 8;
            break;
        case COL_SKIP:
            break;
        default:
            n += 4;
            break;
        }
    }
    if (fd->line_off >= 0)
        n += 8;
    if (f == IN_MEMBERS)
        n += 12 + str_size(((const struct member *)row)->bad_text);
    return n;
}

static unsigned char *put(unsigned char *p, const void *v, size_t n)
{
    memcpy(p, v, n);
    return p + n;
}

static unsigned char *put_str(unsigned char *p, const char *s)
{
    uint32_t len = s ? (uint32_t)strlen(s) : NULL_STR;
    p = put(p, &len, 4);
    return s ? put(p, s, len) : p;
}

void spill_rec_write(unsigned char *out, size_t len, enum input_file f, unsigned gen,
                     const uint16_t *dest, int ndest, const uint64_t *tag, const void *row)
{
    const struct feed_decl *fd = &feed_decls[f];
    const char *r = row;
    uint32_t l32 = (uint32_t)len;
    unsigned char *p = put(out, &l32, 4);
    *p++ = (unsigned char)f;
    *p++ = (unsigned char)gen;
    *p++ = (unsigned char)ndest;
    *p++ = tag ? SPILL_TAG : 0;
    if (tag)
        p = put(p, tag, 8);
    for (int i = 0; i < ndest; i++) {
        *p++ = (unsigned char)(dest[i] & 0xFF);
        *p++ = (unsigned char)(dest[i] >> 8);
    }
    for (int i = 0; i < fd->n_cols; i++) {
        const struct col_decl *cd = &fd->cols[i];
        if (cd->off < 0)
            continue;
        switch (cd->type) {
        case COL_ID:
            p = put(p, r + cd->off, 8);
            if (cd->off2 >= 0)
                p = put_str(p, col_str(row, cd->off2));
            break;
        case COL_TEXT:
        case COL_REGION:
        case COL_PREFIX:
            p = put_str(p, col_str(row, cd->off));
            break;
        case COL_MONEY:
        case COL_SHARE:
            p = put(p, r + cd->off, 8);
            break;
        case COL_SKIP:
            break;
        default:
            p = put(p, r + cd->off, 4);
            break;
        }
    }
    if (fd->line_off >= 0)
        p = put(p, r + fd->line_off, 8);
    if (f == IN_MEMBERS) {
        const struct member *m = row;
        int32_t ids = m->id_status;
        uint32_t bc = m->bad_cols;
        p = put(p, &m->hh, 4);
        p = put(p, &ids, 4);
        p = put(p, &bc, 4);
        p = put_str(p, m->bad_text);
    }
}

int spill_rec_parse(const unsigned char *b, size_t avail, struct spill_rec *r)
{
    if (avail < SPILL_HEADER)
        return 0;
    uint32_t len;
    memcpy(&len, b, 4);
    if (len < SPILL_HEADER || b[4] >= N_INPUT)
        return -1;
    if (avail < len)
        return 0;
    r->len = len;
    r->f = (enum input_file)b[4];
    r->gen = b[5];
    r->ndest = b[6];
    r->has_tag = (b[7] & SPILL_TAG) != 0;
    size_t at = SPILL_HEADER;
    r->tag = 0;
    if (r->has_tag) {
        if (len < at + 8)
            return -1;
        memcpy(&r->tag, b + at, 8);
        at += 8;
    }
    if (len < at + 2 * (size_t)r->ndest)
        return -1;
    r->dest = b + at;
    at += 2 * (size_t)r->ndest;
    r->payload = b + at;
    r->end = b + len;
    return 1;
}

struct cursor {
    const unsigned char *p, *end;
    int bad;
};

static void get(struct cursor *c, void *v, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = 1;
        memset(v, 0, n);
        return;
    }
    memcpy(v, c->p, n);
    c->p += n;
}

/* A string into the arena; NULL when NULL was written (or on damage). */
static const char *get_str(struct cursor *c, struct arena *a, int *nomem)
{
    uint32_t len;
    get(c, &len, 4);
    if (c->bad || len == NULL_STR)
        return NULL;
    if ((size_t)(c->end - c->p) < len) {
        c->bad = 1;
        return NULL;
    }
    char *s = arena_strndup(a, (const char *)c->p, len);
    if (!s)
        *nomem = 1;
    c->p += len;
    return s;
}

static void set_str(void *row, int off, const char *s)
{
    memcpy((char *)row + off, &s, sizeof s);
}

int spill_rec_decode(const struct spill_rec *r, void *row, struct arena *a, struct err *e)
{
    const struct feed_decl *fd = &feed_decls[r->f];
    char *w = row;
    memset(row, 0, fd->row_size);
    struct cursor c = {r->payload, r->end, 0};
    int nomem = 0;
    for (int i = 0; i < fd->n_cols; i++) {
        const struct col_decl *cd = &fd->cols[i];
        if (cd->off < 0)
            continue;
        switch (cd->type) {
        case COL_ID:
            get(&c, w + cd->off, 8);
            if (cd->off2 >= 0)
                set_str(row, cd->off2, get_str(&c, a, &nomem));
            break;
        case COL_TEXT:
        case COL_REGION:
        case COL_PREFIX:
            set_str(row, cd->off, get_str(&c, a, &nomem));
            break;
        case COL_MONEY:
        case COL_SHARE:
            get(&c, w + cd->off, 8);
            break;
        case COL_SKIP:
            break;
        default:
            get(&c, w + cd->off, 4);
            break;
        }
    }
    if (fd->line_off >= 0)
        get(&c, w + fd->line_off, 8);
    if (r->f == IN_MEMBERS) {
        struct member *m = row;
        int32_t ids;
        uint32_t bc;
        get(&c, &m->hh, 4);
        get(&c, &ids, 4);
        get(&c, &bc, 4);
        m->id_status = ids;
        m->bad_cols = bc;
        m->bad_text = get_str(&c, a, &nomem);
    } else if (r->f == IN_HUKOU) {
        struct hukou *h = row;
        h->no_code = h->hukou_no ? hukou_no_code(h->hukou_no) : 0;
    } else if (r->f == IN_STANDARDS) {
        struct standard *s = row;
        s->prefix_len = s->prefix ? (int)strlen(s->prefix) : 0;
    }
    if (nomem)
        return ERR(e, E_NOMEM, "out of memory while reading back %s rows",
                   input_file_names[r->f]);
    if (c.bad || c.p != c.end)
        return ERR(e, E_INTERNAL, "a spilled %s record is damaged (%zu bytes)",
                   input_file_names[r->f], r->len);
    return E_OK;
}

uint64_t spill_rec_key(const struct spill_rec *r)
{
    const struct feed_decl *fd = &feed_decls[r->f];
    if (fd->n_cols == 0)
        return 0;
    /* the declarations of feeds joined to people and of hukou keep the ID
     * first, but staff_relatives (caseworker_id first): walk to it */
    struct cursor c = {r->payload, r->end, 0};
    for (int i = 0; i < fd->n_cols; i++) {
        const struct col_decl *cd = &fd->cols[i];
        if (cd->off < 0)
            continue;
        if (cd->type == COL_ID) {
            uint64_t k;
            get(&c, &k, 8);
            return c.bad ? 0 : k;
        }
        if (cd->type == COL_TEXT || cd->type == COL_REGION || cd->type == COL_PREFIX) {
            uint32_t len;
            get(&c, &len, 4);
            if (len != NULL_STR) {
                if ((size_t)(c.end - c.p) < len)
                    return 0;
                c.p += len;
            }
        } else if (cd->type == COL_MONEY || cd->type == COL_SHARE) {
            c.p += 8;
        } else if (cd->type != COL_SKIP) {
            c.p += 4;
        }
        if (c.p > c.end)
            return 0;
    }
    return 0;
}

/* ---------- the directory ---------- */

int spill_dir_create(char *dir, size_t cap, const char *parent, struct err *e)
{
    int n = snprintf(dir, cap, "%s/%sXXXXXX", parent, SPILL_DIR_PREFIX);
    if (n < 0 || (size_t)n >= cap) {
        dir[0] = '\0';
        return ERR(e, E_WRITE, "the temporary directory's path is too long (in %s)", parent);
    }
    if (!mkdtemp(dir)) {
        int er = errno;
        dir[0] = '\0';
        return ERR(e, E_WRITE, "cannot create a temporary directory in %s: %s", parent,
                   strerror(er));
    }
    return E_OK;
}

void spill_dir_remove(char *dir)
{
    if (dir[0])
        fileio_remove_flat_dir(dir);
    dir[0] = '\0';
}

/* ---------- a set of files ---------- */

static void file_path(char *out, size_t cap, const char *dir, const char *prefix, int i)
{
    snprintf(out, cap, "%s/%s.%d", dir, prefix, i);
}

int spill_set_open(struct spill_set *s, const char *dir, const char *prefix, int n, int nt,
                   size_t bufsz, struct err *e)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    snprintf(s->prefix, sizeof s->prefix, "%s", prefix);
    s->n = n;
    s->nt = nt;
    s->bufsz = bufsz;
    size_t cells = (size_t)n * (size_t)nt;
    s->fd = malloc((size_t)n * sizeof *s->fd);
    s->locks = malloc((size_t)n * sizeof(omp_lock_t));
    s->buf = calloc(cells, sizeof *s->buf);
    s->used = calloc(cells, sizeof *s->used);
    s->rows = calloc(cells * N_INPUT, sizeof *s->rows);
    s->bytes = calloc(cells * N_INPUT, sizeof *s->bytes);
    if (!s->fd || !s->locks || !s->buf || !s->used || !s->rows || !s->bytes) {
        free(s->fd);
        free(s->locks);
        free(s->buf);
        free(s->used);
        free(s->rows);
        free(s->bytes);
        memset(s, 0, sizeof *s);
        return ERR(e, E_NOMEM, "out of memory while opening temporary files");
    }
    omp_lock_t *lk = s->locks;
    for (int i = 0; i < n; i++) {
        char path[1200];
        file_path(path, sizeof path, dir, prefix, i);
        s->fd[i] = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        omp_init_lock(&lk[i]);
        if (s->fd[i] < 0) {
            int er = errno;
            for (int k = i + 1; k < n; k++) {
                s->fd[k] = -1;
                omp_init_lock(&lk[k]);
            }
            spill_set_close(s);
            return ERR(e, E_WRITE, "cannot create the temporary file %s: %s", path,
                       strerror(er));
        }
    }
    return E_OK;
}

static int write_all(struct spill_set *s, int i, const unsigned char *b, size_t n, struct err *e)
{
    while (n > 0) {
        ssize_t w = write(s->fd[i], b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int er = w < 0 ? errno : EIO;
            return ERR(e, E_WRITE, "cannot write the temporary file %s/%s.%d: %s (the run "
                                   "keeps rows there under --memory-limit; free some space "
                                   "in the output directory's file system)",
                       s->dir, s->prefix, i, strerror(er));
        }
        s->written += w;
        b += w;
        n -= (size_t)w;
    }
    return E_OK;
}

static int flush_cell(struct spill_set *s, int t, int i, struct err *e)
{
    size_t c = (size_t)t * (size_t)s->n + (size_t)i;
    if (!s->used[c])
        return E_OK;
    omp_lock_t *lk = s->locks;
    omp_set_lock(&lk[i]);
    int st = write_all(s, i, s->buf[c], s->used[c], e);
    omp_unset_lock(&lk[i]);
    s->used[c] = 0;
    return st;
}

int spill_set_put(struct spill_set *s, int t, int i, enum input_file f, unsigned gen,
                  const uint16_t *dest, int ndest, const uint64_t *tag, const void *row,
                  struct err *e)
{
    size_t c = (size_t)t * (size_t)s->n + (size_t)i;
    size_t len = spill_rec_size(f, row, ndest, tag != NULL);
    s->rows[c * N_INPUT + f]++;
    s->bytes[c * N_INPUT + f] += (long long)len;
    if (!s->buf[c]) {
        s->buf[c] = malloc(s->bufsz);
        if (!s->buf[c])
            return ERR(e, E_NOMEM, "out of memory while writing temporary files");
    }
    if (s->used[c] + len > s->bufsz) {
        int st = flush_cell(s, t, i, e);
        if (st != E_OK)
            return st;
    }
    if (len > s->bufsz) {
        /* a record larger than the buffer (very long fields): on its own */
        unsigned char *tmp = malloc(len);
        if (!tmp)
            return ERR(e, E_NOMEM, "out of memory while writing temporary files");
        spill_rec_write(tmp, len, f, gen, dest, ndest, tag, row);
        omp_lock_t *lk = s->locks;
        omp_set_lock(&lk[i]);
        int st = write_all(s, i, tmp, len, e);
        omp_unset_lock(&lk[i]);
        free(tmp);
        return st;
    }
    spill_rec_write(s->buf[c] + s->used[c], len, f, gen, dest, ndest, tag, row);
    s->used[c] += len;
    return E_OK;
}

int spill_set_flush(struct spill_set *s, struct err *e)
{
    for (int t = 0; t < s->nt; t++)
        for (int i = 0; i < s->n; i++) {
            int st = flush_cell(s, t, i, e);
            if (st != E_OK)
                return st;
        }
    return E_OK;
}

long long spill_set_rows(const struct spill_set *s, int i, enum input_file f)
{
    long long n = 0;
    for (int t = 0; t < s->nt; t++)
        n += s->rows[((size_t)t * (size_t)s->n + (size_t)i) * N_INPUT + f];
    return n;
}

long long spill_set_bytes(const struct spill_set *s, int i, enum input_file f)
{
    long long n = 0;
    for (int t = 0; t < s->nt; t++)
        n += s->bytes[((size_t)t * (size_t)s->n + (size_t)i) * N_INPUT + f];
    return n;
}

void spill_set_close(struct spill_set *s)
{
    if (!s->fd)
        return;
    omp_lock_t *lk = s->locks;
    for (int i = 0; i < s->n; i++) {
        if (s->fd[i] >= 0)
            close(s->fd[i]);
        omp_destroy_lock(&lk[i]);
    }
    for (size_t c = 0; c < (size_t)s->n * (size_t)s->nt; c++)
        free(s->buf[c]);
    free(s->fd);
    free(s->locks);
    free(s->buf);
    free(s->used);
    /* the counts stay readable after close: spill_set_rows() */
    s->fd = NULL;
    s->locks = NULL;
    s->buf = NULL;
    s->used = NULL;
}

void spill_set_release(struct spill_set *s)
{
    spill_set_close(s);
    free(s->rows);
    free(s->bytes);
    s->rows = s->bytes = NULL;
}

void spill_set_unlink(const char *dir, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        char path[1200];
        file_path(path, sizeof path, dir, prefix, i);
        unlink(path);
    }
}

/* ---------- reading back ---------- */

#define READ_BUF ((size_t)4 << 20)

int spill_reader_open(struct spill_reader *r, const char *dir, const char *prefix, int i,
                      struct err *e)
{
    memset(r, 0, sizeof *r);
    file_path(r->path, sizeof r->path, dir, prefix, i);
    r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return ERR(e, E_IO, "cannot open the temporary file %s: %s", r->path, strerror(errno));
    r->cap = READ_BUF;
    r->buf = malloc(r->cap);
    if (!r->buf) {
        close(r->fd);
        r->fd = -1;
        return ERR(e, E_NOMEM, "out of memory while reading temporary files");
    }
    return E_OK;
}

int spill_reader_next(struct spill_reader *r, struct spill_rec *rec, struct err *e)
{
    for (;;) {
        int got = spill_rec_parse(r->buf + r->pos, r->len - r->pos, rec);
        if (got > 0) {
            r->pos += rec->len;
            return 1;
        }
        if (got < 0) {
            ERR(e, E_INTERNAL, "the temporary file %s is damaged", r->path);
            return -1;
        }
        if (r->eof) {
            if (r->pos == r->len)
                return 0;
            ERR(e, E_INTERNAL, "the temporary file %s ends inside a record", r->path);
            return -1;
        }
        /* move the partial record to the front; grow for a long one */
        size_t rest = r->len - r->pos;
        memmove(r->buf, r->buf + r->pos, rest);
        r->len = rest;
        r->pos = 0;
        if (rest >= 4) {
            uint32_t need;
            memcpy(&need, r->buf, 4);
            if (need > r->cap) {
                unsigned char *nb = realloc(r->buf, need);
                if (!nb) {
                    ERR(e, E_NOMEM, "out of memory while reading temporary files");
                    return -1;
                }
                r->buf = nb;
                r->cap = need;
            }
        }
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ERR(e, E_IO, "cannot read the temporary file %s: %s", r->path, strerror(errno));
            return -1;
        }
        if (n == 0)
            r->eof = 1;
        r->len += (size_t)n;
    }
}

void spill_reader_close(struct spill_reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    free(r->buf);
    r->buf = NULL;
}
