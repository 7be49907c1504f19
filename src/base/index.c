/* index.c - stage 3: hash indexes (see index.h for the design).
 *
 * Owns: the slot arrays.  Never reads row data beyond the keys it is
 * given, never changes a row (keyidx_group moves whole rows), never does
 * I/O.  String hashes are XXH3-64, person keys fmix64
 * (index.h); the slot is the low bits.
 */
#include "base/index.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#define XXH_INLINE_ALL   /* string hashes inline: one per put and get */
#include <xxhash.h>

/* A zeroed slot array, made resident up front: calloc's fresh pages would
 * be the shared zero page until written, so the probe that reads a slot
 * before it is written would cost a second fault and a TLB flush on every
 * CPU of the process.  calloc clears only memory that is not fresh from
 * the kernel, and MADV_POPULATE_WRITE (arena.h mem_populate) faults the
 * rest in as private zeroed pages: the table is zeroed once, not twice. */
static void *zeroed(size_t n, size_t size)
{
    if (n > SIZE_MAX / size)
        return NULL;
    void *p = calloc(n, size);
    if (p)
        mem_populate(p, n * size);
    return p;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

/* How many runs ahead keyidx_build() prefetches the home slot: the
 * inserts are random writes into a table far larger than the cache, and a
 * miss costs more than a dozen inserts' work. */
#define KEYIDX_PREFETCH 16
/* Runs found at a time before they are inserted (their starts on the
 * stack, so no array as long as the rows is made resident for them). */
#define KEYIDX_BLOCK 1024

/* Two passes over the keys: the runs are counted (the table is sized by
 * them), then found again a block at a time and inserted. */
int keyidx_build_runs(struct keyidx *ix, const uint64_t *keys, size_t stride, size_t n,
                      int *grouped, struct err *e)
{
    memset(ix, 0, sizeof *ix);
    *grouped = 1;
#define KEY_AT(i) (*(const uint64_t *)((const char *)keys + (size_t)(i) * stride))
    if (n > UINT32_MAX)
        return ERR(e, E_INTERNAL, "index too large (%zu rows)", n);
    /* a run of one key ends where the key changes; zero keys are runs that
     * are not indexed */
    size_t runs = 0;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = KEY_AT(i);
        runs += k != 0 && (i == 0 || k != prev);
        prev = k;
    }
    size_t cap = runs + runs / 2 + 16;   /* load <= 2/3 */
    ix->slots = zeroed(cap, sizeof *ix->slots);
    if (!ix->slots)
        return ERR(e, E_NOMEM, "out of memory while building an index of %zu keys", runs);
    ix->cap = cap;
    uint32_t start[KEYIDX_BLOCK + 1];
    for (size_t i = 0; i < n;) {
        size_t nr = 0;
        while (i < n && nr < KEYIDX_BLOCK) {
            uint64_t k = KEY_AT(i);
            start[nr++] = (uint32_t)i;
            do
                i++;
            while (i < n && KEY_AT(i) == k);
        }
        start[nr] = (uint32_t)i;
        for (size_t r = 0; r < nr; r++) {
            if (r + KEYIDX_PREFETCH < nr)
                __builtin_prefetch(
                    &ix->slots[keyidx_home(ix, KEY_AT(start[r + KEYIDX_PREFETCH]))], 1);
            uint64_t k = KEY_AT(start[r]);
            if (k == 0)
                continue;
            size_t s = keyidx_home(ix, k);
            while (ix->slots[s].key != 0) {
                if (ix->slots[s].key == k) {
                    /* a second run of this key: not grouped */
                    keyidx_free(ix);
                    *grouped = 0;
                    return E_OK;
                }
                s = s + 1 == cap ? 0 : s + 1;
            }
            ix->slots[s].key = k;
            ix->slots[s].first = start[r];
            ix->slots[s].count = start[r + 1] - start[r];
            ix->n++;
        }
    }
#undef KEY_AT
    return E_OK;
}

/* keyidx_group: the runs of rows[0..n) in blocks of KEYIDX_BLOCK, as
 * keyidx_build_runs() finds them: a run ends where the key changes. */
struct group_pass {
    unsigned char *rows;
    size_t size, key_off, n;
};

static inline uint64_t row_key(const struct group_pass *g, size_t i)
{
    uint64_t k;
    memcpy(&k, g->rows + i * g->size + g->key_off, sizeof k);
    return k;
}

/* The next block of runs from *i: their starts in start[0..nr), start[nr]
 * the end of the last.  Returns nr. */
static size_t next_runs(const struct group_pass *g, size_t *i, uint32_t *start)
{
    size_t nr = 0, at = *i;
    while (at < g->n && nr < KEYIDX_BLOCK) {
        uint64_t k = row_key(g, at);
        start[nr++] = (uint32_t)at;
        do
            at++;
        while (at < g->n && row_key(g, at) == k);
    }
    start[nr] = (uint32_t)at;
    *i = at;
    return nr;
}

/* The slot of key k (!= 0), which is in the table. */
static inline size_t slot_of(const struct keyidx *ix, uint64_t k)
{
    size_t s = keyidx_home(ix, k);
    while (ix->slots[s].key != k)
        s = s + 1 == ix->cap ? 0 : s + 1;
    return s;
}

#define BIT_GET(b, i) (((b)[(i) / 64] >> ((i) % 64)) & 1)

/* Set bits [from, from + len) of b. */
static void set_bits(uint64_t *b, size_t from, size_t len)
{
    for (size_t i = from; i < from + len; i++)
        b[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Every run into the table: a key's first run makes its slot, a later one
 * adds its rows.  The rows of a key with two runs or more are marked in
 * *out (a bit per row, made on the first such key): its earlier run when
 * the second is found, each later run as it comes.  *moved = the marked
 * rows.  E_OK or E_NOMEM. */
static int group_insert(struct keyidx *ix, const struct group_pass *g, uint64_t **out,
                        size_t *moved, struct err *e)
{
    uint32_t start[KEYIDX_BLOCK + 1];
    *moved = 0;
    for (size_t i = 0; i < g->n;) {
        size_t nr = next_runs(g, &i, start);
        for (size_t r = 0; r < nr; r++) {
            if (r + KEYIDX_PREFETCH < nr)
                __builtin_prefetch(
                    &ix->slots[keyidx_home(ix, row_key(g, start[r + KEYIDX_PREFETCH]))], 1);
            uint64_t k = row_key(g, start[r]);
            if (k == 0)
                continue;
            uint32_t len = start[r + 1] - start[r];
            size_t s = keyidx_home(ix, k);
            while (ix->slots[s].key != 0 && ix->slots[s].key != k)
                s = s + 1 == ix->cap ? 0 : s + 1;
            struct keyidx_slot *sl = &ix->slots[s];
            if (sl->key == 0) {
                sl->key = k;
                sl->first = start[r];
                sl->count = len;
                ix->n++;
                continue;
            }
            if (!*out) {
                *out = calloc((g->n + 63) / 64, sizeof **out);
                if (!*out)
                    return ERR(e, E_NOMEM, "out of memory while grouping %zu rows", g->n);
            }
            if (!BIT_GET(*out, sl->first)) {   /* its one run so far */
                set_bits(*out, sl->first, sl->count);
                *moved += sl->count;
            }
            set_bits(*out, start[r], len);
            *moved += len;
            sl->count += len;
        }
    }
    return E_OK;
}

/* The first i >= from (or n) whose bit in b is `want`. */
static size_t next_bit(const uint64_t *b, size_t from, size_t n, int want)
{
    if (from >= n)
        return n;
    size_t w = from / 64;
    uint64_t x = (want ? b[w] : ~b[w]) & (~(uint64_t)0 << (from % 64));
    while (!x) {
        if (++w * 64 >= n)
            return n;
        x = want ? b[w] : ~b[w];
    }
    size_t i = w * 64 + (size_t)__builtin_ctzll(x);
    return i < n ? i : n;
}

/* The move: each stretch of unmarked rows slides down in one memmove; the
 * runs of marked rows are copied to their group's place, kept (less base)
 * in the slot's first, in side, the slot's count the rows it has so far.
 * The marked runs are found a block at a time, so each one's slot can be
 * prefetched a few runs ahead; the stretches in between slide in order
 * (a slide writes only below the next marked run, which is read first). */
static void group_move(struct keyidx *ix, const struct group_pass *g, const uint64_t *out,
                       unsigned char *side, size_t base)
{
    uint32_t from[KEYIDX_BLOCK], to[KEYIDX_BLOCK];
    size_t size = g->size, w = 0, i = 0, scan = 0;   /* rows [i, next run) stay */
    while (i < g->n) {
        size_t nr = 0;
        while (nr < KEYIDX_BLOCK && (scan = next_bit(out, scan, g->n, 1)) < g->n) {
            uint64_t key = row_key(g, scan);
            size_t r = scan + 1;
            while (r < g->n && row_key(g, r) == key)   /* a run: all marked */
                r++;
            from[nr] = (uint32_t)scan;
            to[nr++] = (uint32_t)r;
            scan = r;
        }
        for (size_t q = 0; q < nr; q++) {
            if (q + KEYIDX_PREFETCH < nr)
                __builtin_prefetch(&ix->slots[keyidx_home(ix, row_key(g, from[q + KEYIDX_PREFETCH]))]);
            size_t j = from[q], len = to[q] - from[q];
            if (j > i && w != i)
                memmove(g->rows + w * size, g->rows + i * size, (j - i) * size);
            w += j - i;
            struct keyidx_slot *sl = &ix->slots[slot_of(ix, row_key(g, j))];
            memcpy(side + ((size_t)sl->first - base + sl->count) * size, g->rows + j * size,
                   len * size);
            sl->count += (uint32_t)len;
            i = to[q];
        }
        if (nr == 0) {   /* no marked row left: the rest stays */
            if (g->n > i && w != i)
                memmove(g->rows + w * size, g->rows + i * size, (g->n - i) * size);
            break;
        }
    }
}

/* Count the runs (the table is sized by them), insert them (the rows of
 * keys with two runs or more are marked), place every key's rows (the
 * unmarked where they will slide to, the marked after them), move. */
int keyidx_group(struct keyidx *ix, void *rows, size_t size, size_t key_off, size_t n,
                 struct err *e)
{
    struct group_pass g = {rows, size, key_off, n};
    memset(ix, 0, sizeof *ix);
    if (n > UINT32_MAX)
        return ERR(e, E_INTERNAL, "index too large (%zu rows)", n);
    size_t runs = 0;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = row_key(&g, i);
        runs += k != 0 && (i == 0 || k != prev);
        prev = k;
    }
    size_t cap = runs + runs / 2 + 16;
    ix->slots = zeroed(cap, sizeof *ix->slots);
    if (!ix->slots)
        return ERR(e, E_NOMEM, "out of memory while building an index of %zu keys", runs);
    ix->cap = cap;
    uint64_t *out = NULL;
    uint32_t *before = NULL;
    unsigned char *side = NULL;
    size_t moved;
    int st = group_insert(ix, &g, &out, &moved, e);
    if (st != E_OK || moved == 0)
        goto done;
    size_t words = (n + 63) / 64;
    before = malloc(words * sizeof *before);
    side = malloc(moved * size);
    if (!before || !side) {
        st = ERR(e, E_NOMEM, "out of memory while grouping %zu rows", n);
        goto done;
    }
    mem_populate(side, moved * size);
    /* before[w]: the marked rows ahead of word w */
    uint32_t sum = 0;
    for (size_t w = 0; w < words; w++) {
        before[w] = sum;
        sum += (uint32_t)__builtin_popcountll(out[w]);
    }
    /* an unmarked key's run slides down by the marked rows ahead of it; a
     * marked key's group goes after the unmarked rows, in table order,
     * its count the rows moved so far */
    size_t base = n - moved, off = base;
    for (size_t s = 0; s < cap; s++) {
        struct keyidx_slot *sl = &ix->slots[s];
        if (sl->key == 0)
            continue;
        size_t f = sl->first;
        if (BIT_GET(out, f)) {
            sl->first = (uint32_t)off;
            off += sl->count;
            sl->count = 0;
        } else {
            uint64_t ahead = out[f / 64] & (((uint64_t)1 << (f % 64)) - 1);
            sl->first = (uint32_t)(f - before[f / 64] - (size_t)__builtin_popcountll(ahead));
        }
    }
    group_move(ix, &g, out, side, base);
    memcpy(g.rows + base * size, side, moved * size);
done:
    free(side);
    free(before);
    free(out);
    if (st != E_OK)
        keyidx_free(ix);
    return st;
}

int keyidx_build(struct keyidx *ix, const uint64_t *keys, size_t stride, size_t n,
                 struct err *e)
{
    int grouped;
    int st = keyidx_build_runs(ix, keys, stride, n, &grouped, e);
    if (st == E_OK && !grouped)
        return ERR(e, E_INTERNAL, "keyidx_build: keys of %zu rows are not sorted", n);
    return st;
}

void keyidx_free(struct keyidx *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}

int stridx_init(struct stridx *ix, size_t expect, struct err *e)
{
    memset(ix, 0, sizeof *ix);
    size_t cap = pow2_at_least(expect * 2 + 1);
    if (cap > ((size_t)1 << 32))
        return ERR(e, E_NOMEM, "a string index of %zu keys is too large", expect);
    ix->slots = zeroed(cap, sizeof *ix->slots);
    if (!ix->slots)
        return ERR(e, E_NOMEM, "out of memory while building a string index");
    ix->mask = cap - 1;
    return E_OK;
}

static int grow(struct stridx *ix)
{
    size_t cap = (ix->mask + 1) * 2;
    if (cap > ((size_t)1 << 32))
        return -1;   /* the 32-bit hash in a slot no longer picks it */
    struct stridx_slot *ns = zeroed(cap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i <= ix->mask; i++) {
        if (!ix->slots[i].s)
            continue;
        size_t s = (size_t)ix->slots[i].h & (cap - 1);
        while (ns[s].s)
            s = (s + 1) & (cap - 1);
        ns[s] = ix->slots[i];
    }
    free(ix->slots);
    ix->slots = ns;
    ix->mask = cap - 1;
    return 0;
}

int stridx_put(struct stridx *ix, const char *str, uint32_t val, uint32_t *existing)
{
    if ((ix->n + 1) * 2 > ix->mask + 1 && grow(ix) != 0)
        return -1;
    size_t len = strlen(str);
    uint32_t h = (uint32_t)XXH3_64bits(str, len);
    size_t s = (size_t)h & ix->mask;
    while (ix->slots[s].s) {
        if (ix->slots[s].h == h && strcmp(ix->slots[s].s, str) == 0) {
            if (existing)
                *existing = ix->slots[s].val;
            return 1;
        }
        s = (s + 1) & ix->mask;
    }
    ix->slots[s].s = str;
    ix->slots[s].h = h;
    ix->slots[s].val = val;
    ix->n++;
    return 0;
}

int stridx_get(const struct stridx *ix, const char *str, uint32_t *val)
{
    if (!ix->slots)
        return 0;
    uint32_t h = (uint32_t)XXH3_64bits(str, strlen(str));
    size_t s = (size_t)h & ix->mask;
    while (ix->slots[s].s) {
        if (ix->slots[s].h == h && strcmp(ix->slots[s].s, str) == 0) {
            *val = ix->slots[s].val;
            return 1;
        }
        s = (s + 1) & ix->mask;
    }
    return 0;
}

void stridx_free(struct stridx *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}

int u64map_init(struct u64map *m, size_t expect, struct err *e)
{
    memset(m, 0, sizeof *m);
    size_t cap = pow2_at_least(expect * 2 + 1);
    m->slots = zeroed(cap, sizeof *m->slots);
    if (!m->slots)
        return ERR(e, E_NOMEM, "out of memory while building an index of %zu codes", expect);
    m->mask = cap - 1;
    return E_OK;
}

static int u64map_grow(struct u64map *m)
{
    size_t cap = (m->mask + 1) * 2;
    struct u64map_slot *ns = zeroed(cap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i <= m->mask; i++) {
        if (!m->slots[i].key)
            continue;
        size_t s = (size_t)idx_hash64(m->slots[i].key) & (cap - 1);
        while (ns[s].key)
            s = (s + 1) & (cap - 1);
        ns[s] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->mask = cap - 1;
    return 0;
}

int u64map_put(struct u64map *m, uint64_t key, uint32_t val, uint32_t *existing)
{
    if ((m->n + 1) * 2 > m->mask + 1 && u64map_grow(m) != 0)
        return -1;
    size_t s = (size_t)idx_hash64(key) & m->mask;
    while (m->slots[s].key) {
        if (m->slots[s].key == key) {
            if (existing)
                *existing = m->slots[s].val;
            return 1;
        }
        s = (s + 1) & m->mask;
    }
    m->slots[s].key = key;
    m->slots[s].val = val;
    m->n++;
    return 0;
}

int u64map_get(const struct u64map *m, uint64_t key, uint32_t *val)
{
    if (!m->slots || key == 0)
        return 0;
    size_t s = (size_t)idx_hash64(key) & m->mask;
    while (m->slots[s].key) {
        if (m->slots[s].key == key) {
            *val = m->slots[s].val;
            return 1;
        }
        s = (s + 1) & m->mask;
    }
    return 0;
}

void u64map_free(struct u64map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
