/* index.h - hash indexes over loaded rows (stage 3 of the pipeline).
 *
 * Two shapes, both open addressing with linear probing on XXH3 hashes:
 *   - struct keyidx: 64-bit person keys (idcard.h) -> a run [first, first+count)
 *     of rows in an array where each person's rows are contiguous (sorted
 *     by key, or grouped as a feed arrived).  Built once, then read-only, so
 *     any number of threads may probe it at once.
 *   - struct stridx: strings (household_id, hukou_no) -> uint32 value.
 *   - struct u64map: non-zero 64-bit codes (hukou_no as digits) -> uint32
 *     value, power-of-two, at most half full, fmix64 hash.
 * A keyidx has exactly 1.5 slots per key and maps a hash to a slot by
 * multiply-shift (h * cap / 2^64), so no table is rounded up to a power of
 * two (which left the 3 M-person hukou table a third full, 134 MB); a
 * stridx is a power of two at least twice its keys.  Probe sequences stay
 * short at either load.  Memory is malloc'd by the index and freed
 * by *_free(); the index never owns the rows or strings it points at.
 */
#ifndef ENGINE_INDEX_H
#define ENGINE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct keyidx_slot {
    uint64_t key;      /* 0 = empty (0 is never a valid person key) */
    uint32_t first;
    uint32_t count;
};

struct keyidx {
    struct keyidx_slot *slots;
    size_t cap;        /* slots */
    size_t n;
};

/* Build from keys[0..n) where every non-zero key's rows form one run
 * (zero keys are not indexed).  If some key has two runs, *grouped = 0 and
 * ix is left empty; else *grouped = 1.  E_OK or E_NOMEM. */
int keyidx_build_runs(struct keyidx *ix, const uint64_t *keys, size_t stride_bytes,
                      size_t n, int *grouped, struct err *e);
/* The same for keys that are sorted (so grouped): E_INTERNAL if not. */
int keyidx_build(struct keyidx *ix, const uint64_t *keys, size_t stride_bytes,
                 size_t n, struct err *e);
/* Group rows[0..n) (each `size` bytes, a uint64_t key at byte offset
 * key_off) by key where they lie, and index them as keyidx_build_runs().
 * Each key's rows keep their order.  Keys with one run keep the order of
 * their runs and slide down over the rows taken out; the rows of keys with
 * two runs or more go, group by group, after them (the groups in table
 * order: fixed by the keys and the number of runs).  Copies only the rows
 * of split keys, through scratch of their size and a bit per row (none
 * when the rows are grouped already), the others slide in stretches: no
 * sort, no copy of the whole array.  Zero keys are
 * not indexed and stay among the rows that slide.  E_OK or E_NOMEM. */
int keyidx_group(struct keyidx *ix, void *rows, size_t size, size_t key_off, size_t n,
                 struct err *e);
/* The run for key, or count 0.  Thread-safe after build. */
static inline struct keyidx_slot keyidx_get(const struct keyidx *ix, uint64_t key);
void keyidx_free(struct keyidx *ix);

/* The slot hash of a person key: the finaliser of MurmurHash3 (fmix64),
 * inline because every probe takes one.  Keys are ID numbers whose low
 * digits move together; fmix64 spreads any bit change over all 64 bits. */
static inline uint64_t idx_hash64(uint64_t key)
{
    key ^= key >> 33;
    key *= UINT64_C(0xff51afd7ed558ccd);
    key ^= key >> 33;
    key *= UINT64_C(0xc4ceb9fe1a85ec53);
    key ^= key >> 33;
    return key;
}

/* The first slot to probe for key: the hash's high bits scaled to cap. */
static inline size_t keyidx_home(const struct keyidx *ix, uint64_t key)
{
    return (size_t)(((unsigned __int128)idx_hash64(key) * ix->cap) >> 64);
}

static inline struct keyidx_slot keyidx_get(const struct keyidx *ix, uint64_t key)
{
    struct keyidx_slot none = {0, 0, 0};
    if (!ix->slots || key == 0)
        return none;
    size_t i = keyidx_home(ix, key);
    for (;;) {
        const struct keyidx_slot *s = &ix->slots[i];
        if (s->key == key)
            return *s;
        if (s->key == 0)
            return none;
        i = i + 1 == ix->cap ? 0 : i + 1;
    }
}

struct stridx_slot {
    const char *s;     /* NULL = empty; borrowed */
    uint32_t h;        /* low 32 bits of the hash: the slot, and a quick
                          compare before strcmp (tables stay below 2^32) */
    uint32_t val;
};

struct stridx {
    struct stridx_slot *slots;
    size_t mask;
    size_t n;
};

struct u64map_slot {
    uint64_t key;      /* 0 = empty */
    uint32_t val;
};

struct u64map {
    struct u64map_slot *slots;
    size_t mask;
    size_t n;
};

/* An empty map sized for about `expect` entries.  E_OK or E_NOMEM. */
int u64map_init(struct u64map *m, size_t expect, struct err *e);
/* Insert key (!= 0) -> val unless present: as stridx_put(). */
int u64map_put(struct u64map *m, uint64_t key, uint32_t val, uint32_t *existing);
/* 1 and *val if present, else 0.  Thread-safe once built. */
int u64map_get(const struct u64map *m, uint64_t key, uint32_t *val);
void u64map_free(struct u64map *m);

/* Start loading key's first slot; for loops that put or get keys known a
 * few iterations ahead. */
static inline void u64map_prefetch(const struct u64map *m, uint64_t key)
{
    if (m->slots)
        __builtin_prefetch(&m->slots[idx_hash64(key) & m->mask]);
}

/* An empty index sized for about `expect` entries.  E_OK or E_NOMEM. */
int stridx_init(struct stridx *ix, size_t expect, struct err *e);
/* Insert s -> val unless s is present.  *existing gets the stored value
 * and the return is 1 if s was already there; 0 if inserted; -1 on
 * out of memory (grows as needed).  s is borrowed and must outlive ix. */
int stridx_put(struct stridx *ix, const char *s, uint32_t val, uint32_t *existing);
/* 1 and *val if present, else 0. */
int stridx_get(const struct stridx *ix, const char *s, uint32_t *val);
void stridx_free(struct stridx *ix);

#endif
