/* snap_stream.c - the snapshot writer's string table and streaming
 * section writer (snap_stream.h).
 *
 * Owns: interning (an open-addressing table over one growing pool) and
 * the byte stream of the file: buffering, the per-block XXH3-64 and the
 * whole-body XXH3-128 as the bytes go by, section alignment and the
 * section table.  Never: knows what a section holds (snap_write.c does),
 * prints or exits.
 */
#include "snapshot/snap_stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot/snap_format.h"

/* ---------- interned strings: the pool of the STRINGS section ---------- */

int snap_st_init(struct snap_strtab *t)
{
    memset(t, 0, sizeof *t);
    t->cap = (size_t)1 << 20;
    t->pool = malloc(t->cap);
    t->mask = ((size_t)1 << 16) - 1;
    t->slots = calloc(t->mask + 1, sizeof *t->slots);
    if (!t->pool || !t->slots)
        return -1;
    t->pool[0] = '\0';
    t->n = 1;
    return 0;
}

void snap_st_free(struct snap_strtab *t)
{
    free(t->pool);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static int st_grow_slots(struct snap_strtab *t)
{
    size_t ncap = (t->mask + 1) * 2;
    struct strslot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i <= t->mask; i++) {
        if (!t->slots[i].off1)
            continue;
        size_t j = (size_t)t->slots[i].h & (ncap - 1);
        while (ns[j].off1)
            j = (j + 1) & (ncap - 1);
        ns[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = ns;
    t->mask = ncap - 1;
    return 0;
}

/* Offset of s in the pool (added if new); E_OK, E_NOMEM or E_DATA. */
int snap_st_intern(struct snap_strtab *t, const char *s, uint32_t *off, struct err *e)
{
    if (!s || !*s) {
        *off = 0;
        return E_OK;
    }
    size_t len = strlen(s);
    uint64_t h = XXH3_64bits(s, len);
    size_t i = (size_t)h & t->mask;
    for (;;) {
        const struct strslot *sl = &t->slots[i];
        if (!sl->off1)
            break;
        if (sl->h == h && strcmp(t->pool + sl->off1 - 1, s) == 0) {
            *off = sl->off1 - 1;
            return E_OK;
        }
        i = (i + 1) & t->mask;
    }
    if (t->n + len + 1 > (size_t)UINT32_MAX - 1)
        return ERR(e, E_DATA, "the feeds hold more than 4 GiB of distinct text; the snapshot "
                              "format cannot hold it");
    if (t->n + len + 1 > t->cap) {
        size_t nc = t->cap * 2;
        while (nc < t->n + len + 1)
            nc *= 2;
        char *np = realloc(t->pool, nc);
        if (!np)
            return ERR(e, E_NOMEM, "out of memory while building the snapshot's strings");
        t->pool = np;
        t->cap = nc;
    }
    uint32_t o = (uint32_t)t->n;
    memcpy(t->pool + t->n, s, len + 1);
    t->n += len + 1;
    t->slots[i].h = h;
    t->slots[i].off1 = o + 1;
    t->count++;
    if (t->count * 2 > t->mask + 1 && st_grow_slots(t) != 0)
        return ERR(e, E_NOMEM, "out of memory while building the snapshot's strings");
    *off = o;
    return E_OK;
}

/* ---------- the streaming writer ---------- */

int snap_sw_flush(struct snap_sw *w)
{
    size_t done = 0;
    while (done < w->bn) {
        ssize_t k = write(w->fd, w->buf + done, w->bn - done);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return w->st = ERR(w->e, E_WRITE, "cannot write snapshot %s: %s", w->path,
                               strerror(errno));
        }
        done += (size_t)k;
    }
    w->bn = 0;
    return E_OK;
}

int snap_sw_block_done(struct snap_sw *w)
{
    if (w->n_bh == w->cap_bh) {
        size_t nc = w->cap_bh ? w->cap_bh * 2 : 1024;
        uint64_t *nb = realloc(w->bh, nc * sizeof *nb);
        if (!nb)
            return w->st = ERR(w->e, E_NOMEM, "out of memory while writing the snapshot");
        w->bh = nb;
        w->cap_bh = nc;
    }
    w->bh[w->n_bh++] = XXH3_64bits(w->blk, w->blk_n);
    w->blk_n = 0;
    return E_OK;
}

int snap_sw_put(struct snap_sw *w, const void *data, size_t n)
{
    if (w->st != E_OK)
        return w->st;
    const unsigned char *p = data;
    if (w->in_body) {
        XXH3_128bits_update(w->body, p, n);
        size_t left = n;
        const unsigned char *q = p;
        while (left) {
            size_t take = SNAP_BLOCK - w->blk_n;
            if (take > left)
                take = left;
            memcpy(w->blk + w->blk_n, q, take);
            w->blk_n += take;
            q += take;
            left -= take;
            if (w->blk_n == SNAP_BLOCK && snap_sw_block_done(w) != E_OK)
                return w->st;
        }
    }
    while (n) {
        size_t take = w->bcap - w->bn;
        if (take > n)
            take = n;
        memcpy(w->buf + w->bn, p, take);
        w->bn += take;
        p += take;
        n -= take;
        w->off += take;
        if (w->bn == w->bcap && snap_sw_flush(w) != E_OK)
            return w->st;
    }
    return E_OK;
}

int snap_sw_pad(struct snap_sw *w, uint64_t align)
{
    static const unsigned char zero[64];
    while (w->st == E_OK && w->off % align) {
        size_t k = (size_t)(align - w->off % align);
        snap_sw_put(w, zero, k > sizeof zero ? sizeof zero : k);
    }
    return w->st;
}

void snap_sec_begin(struct snap_sw *w)
{
    snap_sw_pad(w, 64);
    w->sec_start = w->off;
}

int snap_sec_end(struct snap_sw *w, int sec, uint64_t count)
{
    if (w->st != E_OK)
        return w->st;
    struct snap_section *s = &w->h->sec[sec];
    s->offset = w->sec_start;
    s->bytes = w->off - w->sec_start;
    s->count = count;
    s->elem_size = snap_sec_elem[sec];
    if (s->bytes != count * snap_sec_elem[sec])
        return w->st = ERR(w->e, E_INTERNAL, "snapshot section %s: %llu bytes for %llu rows",
                           snap_sec_names[sec], (unsigned long long)s->bytes,
                           (unsigned long long)count);
    return E_OK;
}

/* One whole section from memory. */
int snap_sec_put(struct snap_sw *w, int sec, const void *rows, uint64_t count)
{
    snap_sec_begin(w);
    snap_sw_put(w, rows, count * snap_sec_elem[sec]);
    return snap_sec_end(w, sec, count);
}
