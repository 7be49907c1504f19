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
#define BIT_SET(b, i) ((b)[(i) / 64] |= (uint64_t)1 << ((i) % 64))

/* Every run into the table: a key's first run makes its slot, a later one
 * adds its rows and marks the slot in *multi (made on the first such
 * key).  *moved = the rows of the marked keys.  E_OK or E_NOMEM. */
static int group_insert(struct keyidx *ix, const struct group_pass *g, uint64_t **multi,
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
            if (!*multi) {
                *multi = calloc((ix->cap + 63) / 64, sizeof **multi);
                if (!*multi)
                    return ERR(e, E_NOMEM, "out of memory while grouping %zu rows", g->n);
            }
            if (!BIT_GET(*multi, s)) {
                BIT_SET(*multi, s);
                *moved += sl->count;
            }
            *moved += len;
            sl->count += len;
        }
    }
    return E_OK;
}

/* The move: rows of unmarked keys (and zero keys) slide down over the
 * rows taken out, in one memmove per stretch between two taken runs; the
 * runs of marked keys are copied to their group's place in side, the
 * group's slot counting the rows it has so far. */
static void group_move(struct keyidx *ix, const struct group_pass *g, const uint64_t *multi,
                       unsigned char *side)
{
    uint32_t start[KEYIDX_BLOCK + 1];
    size_t size = g->size, w = 0, seg = 0;   /* rows [seg, run) go to w */
    for (size_t i = 0; i < g->n;) {
        size_t nr = next_runs(g, &i, start);
        for (size_t r = 0; r < nr; r++) {
            if (r + KEYIDX_PREFETCH < nr)
                __builtin_prefetch(
                    &ix->slots[keyidx_home(ix, row_key(g, start[r + KEYIDX_PREFETCH]))], 1);
            size_t a = start[r], len = start[r + 1] - start[r];
            uint64_t k = row_key(g, a);
            if (k == 0)
                continue;
            size_t s = slot_of(ix, k);
            struct keyidx_slot *sl = &ix->slots[s];
            if (!BIT_GET(multi, s)) {
                sl->first = (uint32_t)(w + (a - seg));
                continue;
            }
            if (a > seg && w != seg)
                memmove(g->rows + w * size, g->rows + seg * size, (a - seg) * size);
            w += a - seg;
            memcpy(side + ((size_t)sl->first + sl->count) * size, g->rows + a * size, len * size);
            sl->count += (uint32_t)len;
            seg = a + len;
        }
    }
    if (g->n > seg && w != seg)
        memmove(g->rows + w * size, g->rows + seg * size, (g->n - seg) * size);
}

/* Count the runs (the table is sized by them), insert them (keys with two
 * runs or more are marked), place the marked groups, move. */
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
    uint64_t *multi = NULL;
    unsigned char *side = NULL;
    size_t moved;
    int st = group_insert(ix, &g, &multi, &moved, e);
    if (st != E_OK || moved == 0)
        goto done;
    /* the marked groups, in slot order, after the rows that stay: first
     * is the group's place in side until the move is done, count its
     * rows moved so far */
    side = malloc(moved * size);
    if (!side) {
        st = ERR(e, E_NOMEM, "out of memory while grouping %zu rows", n);
        goto done;
    }
    mem_populate(side, moved * size);
    size_t off = 0;
    for (size_t s = 0; s < cap; s++)
        if (BIT_GET(multi, s)) {
            ix->slots[s].first = (uint32_t)off;
            off += ix->slots[s].count;
            ix->slots[s].count = 0;
        }
    group_move(ix, &g, multi, side);
    memcpy(g.rows + (n - moved) * size, side, moved * size);
    for (size_t s = 0; s < cap; s++)
        if (BIT_GET(multi, s))
            ix->slots[s].first += (uint32_t)(n - moved);
done:
    free(side);
    free(multi);
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
