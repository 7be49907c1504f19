/* arena.c - chunked bump allocator (see arena.h for the contract).
 *
 * Owns: its chunks.  Never frees single objects; never aborts on failure.
 * Objects larger than a quarter of a chunk get a chunk of their own, so a
 * big object never wastes the tail of a nearly fresh chunk.
 */
#include "base/arena.h"

#include <malloc.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct arena_chunk {
    struct arena_chunk *next;
    size_t cap;     /* payload bytes */
    size_t used;    /* payload bytes handed out */
    _Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : (size_t)1 << 20;
    a->chunk_max = a->chunk_size;
    a->used_bytes = 0;
}

void arena_init_growing(struct arena *a, size_t first, size_t max)
{
    arena_init(a, first);
    if (max > a->chunk_size)
        a->chunk_max = max;
}

void arena_free(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
    a->used_bytes = 0;
}

#define HUGE_PAGE ((size_t)2 << 20)
#define PAGE ((size_t)4096)
static void advise_inside(const void *p, size_t n, uintptr_t align, int advice);

/* A chunk with at least cap payload bytes.  A regular chunk (exact = 0)
 * of 2 MiB or more is whole 2 MiB pages, 2 MiB-aligned, cap rounded up to
 * them (the payload is that less the header: a regular chunk only serves
 * objects of a quarter of it), and made resident up front (mem_populate): load
 * fills these chunks end to end, and first touches page by page were the
 * largest single cost of a run on a VM.  exact = 1 (a big object's own
 * chunk, or HEDUI_ARENA_DEBUG's chunk per object) keeps the size asked
 * for, so AddressSanitizer sees its end. */
static struct arena_chunk *new_chunk(size_t cap, int exact)
{
    struct arena_chunk *c;
    if (cap > SIZE_MAX - sizeof(struct arena_chunk) - HUGE_PAGE)
        return NULL;
    size_t total = sizeof *c + cap;
    if (!exact && cap >= HUGE_PAGE) {
        total = (cap + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        c = aligned_alloc(HUGE_PAGE, total);
        if (!c)
            return NULL;
        cap = total - sizeof *c;
        mem_populate(c, total);
    } else {
        c = malloc(total);
        if (!c)
            return NULL;
    }
    c->cap = cap;
    c->used = 0;
    c->next = NULL;
    return c;
}

/* Chunks below 1 MiB are left whole: their tail is small, and handing it
 * back costs an madvise now and a page fault per page when the memory is
 * reused (a check of one household in `hedui serve` loads a few rows, many
 * times a second: the trim was 15% of its time). */
#define TRIM_MIN_CHUNK ((size_t)1 << 20)
void arena_trim(struct arena *a)
{
    for (struct arena_chunk *c = a->head; c; c = c->next)
        if (c->cap >= TRIM_MIN_CHUNK &&
            c->cap - c->used >= 17 * PAGE)   /* 16 whole pages at least */
            advise_inside(c->data + c->used, c->cap - c->used, PAGE, MADV_DONTNEED);
}

/* n bytes at a multiple of align (1 or 16) from a's chunks.  Objects are
 * 16-aligned; strings take only their bytes, so short ones (most fields)
 * do not each waste up to 15 bytes of padding. */
static void *bump(struct arena *a, size_t n, size_t align)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - 15)
        return NULL;
    if (align > 1)
        n = (n + 15) & ~(size_t)15;
#ifdef HEDUI_ARENA_DEBUG
    struct arena_chunk *own = new_chunk(n, 1);
    if (!own)
        return NULL;
    own->used = n;
    own->next = a->head;
    a->head = own;
    a->used_bytes += n;
    return own->data;
#else
    struct arena_chunk *c = a->head;
    if (c) {
        size_t at = align > 1 ? (c->used + 15) & ~(size_t)15 : c->used;
        if (at <= c->cap && c->cap - at >= n) {
            void *p = c->data + at;
            a->used_bytes += at + n - c->used;
            c->used = at + n;
            return p;
        }
    }
    if (n > a->chunk_size / 4) {
        /* Big object: own chunk, linked behind the current head so the
         * head's free tail stays usable. */
        struct arena_chunk *own = new_chunk(n, 1);
        if (!own)
            return NULL;
        own->used = n;
        if (c) {
            own->next = c->next;
            c->next = own;
        } else {
            a->head = own;
        }
        a->used_bytes += n;
        return own->data;
    }
    struct arena_chunk *fresh = new_chunk(a->chunk_size, 0);
    if (!fresh)
        return NULL;
    if (a->chunk_size < a->chunk_max)
        a->chunk_size = a->chunk_size * 2 < a->chunk_max ? a->chunk_size * 2 : a->chunk_max;
    fresh->next = a->head;
    a->head = fresh;
    fresh->used = n;
    a->used_bytes += n;
    return fresh->data;
#endif
}

void *arena_alloc(struct arena *a, size_t n)
{
    return bump(a, n, 16);
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = bump(a, len + 1, 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_keep(struct arena *a, const char *s, const char *what, struct err *e)
{
    char *p = arena_strndup(a, s, strlen(s));
    if (!p)
        ERR(e, E_NOMEM, "out of memory while %s", what);
    return p;
}

/* madvise(advice) over the whole `align` units inside p[0..n); a hint,
 * its result ignored. */
static void advise_inside(const void *p, size_t n, uintptr_t align, int advice)
{
    uintptr_t a = ((uintptr_t)p + align - 1) & ~(align - 1);
    uintptr_t b = ((uintptr_t)p + n) & ~(align - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, advice);
}

void mem_hugepages(void *p, size_t n)
{
    if (p && n >= 2 * HUGE_PAGE)
        advise_inside(p, n, HUGE_PAGE, MADV_HUGEPAGE);
}

void mem_hugepages_block(void *p)
{
    size_t n = p ? malloc_usable_size(p) : 0;
    if (n >= 2 * HUGE_PAGE) {
        uintptr_t a = (uintptr_t)p & ~(uintptr_t)(PAGE - 1);
        uintptr_t b = ((uintptr_t)p + n + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
        (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
    }
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14; older headers lack it */
#endif

void mem_populate(void *p, size_t n)
{
    mem_hugepages(p, n);
    mem_prefault(p, n);
}

/* A large buffer made resident outside a parallel region is split among
 * the team, one slice of whole huge pages per thread: on a virtual machine
 * whose host backs guest memory lazily, a page first touched since the
 * host took it back costs ~2.2 s/GiB of CPU (measured here, 2026-12-07;
 * 0.05-0.1 s/GiB for a page the guest used moments ago), and two threads
 * fault their halves in half the time.  Inside a parallel region the
 * caller's thread does it all (the team is busy with slices of its own). */
#define POPULATE_PAR_MIN ((size_t)32 << 20)

/* Where slice k of T of [a, b) starts (k = T: b), on a huge page boundary
 * but never before a: slice k ends where slice k + 1 starts, so the slices
 * cover [a, b) once. */
static uintptr_t slice_cut(uintptr_t a, uintptr_t b, int k, int T)
{
    if (k == 0)
        return a;
    if (k == T)
        return b;
    uintptr_t x = (a + (b - a) / (uintptr_t)T * (uintptr_t)k) & ~(uintptr_t)(HUGE_PAGE - 1);
    return x < a ? a : x;
}

void mem_prefault(void *p, size_t n)
{
    if (!p || n < 64 * PAGE)
        return;
    int T = omp_in_parallel() ? 1 : omp_get_max_threads();
    if (T < 2 || n < POPULATE_PAR_MIN) {
        advise_inside(p, n, PAGE, MADV_POPULATE_WRITE);
        return;
    }
    uintptr_t a = (uintptr_t)p, b = a + n;
#pragma omp parallel num_threads(T)
    {
        int t = omp_get_thread_num();
        uintptr_t lo = slice_cut(a, b, t, T), hi = slice_cut(a, b, t + 1, T);
        if (hi > lo)
            advise_inside((void *)lo, (size_t)(hi - lo), PAGE, MADV_POPULATE_WRITE);
    }
}
