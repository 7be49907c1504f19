/* arena.h - bump allocation by lifetime.
 *
 * Everything loaded for a run lives in the run arena and is freed at once by
 * arena_free().  An arena is used by one thread at a time; parallel regions
 * give each thread its own.  Allocation failure returns NULL and the caller
 * turns it into E_NOMEM; nothing here aborts.
 *
 * With HEDUI_ARENA_DEBUG defined at build time every allocation is its own
 * malloc, so AddressSanitizer sees overflows between objects.
 */
#ifndef ENGINE_ARENA_H
#define ENGINE_ARENA_H

#include <stddef.h>

#include "base/err.h"

struct arena_chunk;

struct arena {
    struct arena_chunk *head;   /* newest chunk; list owns all chunks */
    size_t chunk_size;          /* default chunk payload, bytes */
    size_t chunk_max;           /* chunk_size doubles per new chunk up to this */
    size_t used_bytes;          /* total handed out (for the manifest) */
};

void arena_init(struct arena *a, size_t chunk_size);
/* An arena whose chunks start at `first` bytes and double up to `max`:
 * a small input stays in small chunks, a large one reaches chunks of whole
 * huge pages (made resident up front, see new_chunk in arena.c). */
void arena_init_growing(struct arena *a, size_t first, size_t max);
void arena_free(struct arena *a);

/* n bytes aligned to 16, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t count, size_t size);
/* Copy of s[0..len) plus a NUL, or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* Copy of the string s, or NULL with E_NOMEM "out of memory while WHAT"
 * in e (for strings read from files, kept as long as a). */
char *arena_keep(struct arena *a, const char *s, const char *what, struct err *e);

/* Hand the unused tails of a's chunks back to the kernel.  For an arena
 * that takes no more allocations (a loading chunk's strings, once they
 * belong to the dataset); its objects stay where they are. */
void arena_trim(struct arena *a);

/* Ask for transparent huge pages under a large buffer that is about to be
 * filled (the whole 2 MiB pages inside p[0..n)): hash tables probed at
 * random and sort buffers, where 4 KiB pages cost a TLB miss per access
 * and a fault per page.  Only a hint: nothing changes if the kernel says
 * no.  Alone, for memory filled while files load, it was slower (huge
 * pages faulted one by one as rows arrive); the row arrays take it with
 * mem_prefault() a step ahead of the rows (normalise.c). */
void mem_hugepages(void *p, size_t n);

/* mem_hugepages() for the whole of p, a block from malloc or realloc that
 * will grow by realloc.  The advice covers every page of the block (its
 * malloc_usable_size, rounded out to pages), not only the whole 2 MiB
 * pages inside: advice on a part of a mapping splits it in two, and glibc's
 * realloc of a large block, which moves its pages with mremap(), can only
 * move one mapping: it then allocates, copies and frees instead (every page
 * of the copy faulted in one by one). */
void mem_hugepages_block(void *p);

/* Make p[0..n), a buffer about to be written end to end, resident now:
 * huge pages where whole 2 MiB pages fit (mem_hugepages), then every page
 * faulted in by one madvise(MADV_POPULATE_WRITE) instead of one page fault
 * per first touch.  On a virtual machine with shadow page tables a first
 * touch costs ~12 us a 4 KiB page: writing 1 GiB of fresh memory measured
 * 3.1-4.1 s touched page by page, 1.7 s on huge pages faulted one by one,
 * 0.13-0.19 s populated this way.  Only for memory that will be used (it
 * is all counted as resident at once).  Only a hint: a kernel before 5.14
 * or one short of memory leaves the pages to be faulted as before. */
void mem_populate(void *p, size_t n);

/* The populate step of mem_populate alone, for a part of a buffer that
 * was given mem_hugepages() as a whole and is made resident piece by
 * piece as it fills. */
void mem_prefault(void *p, size_t n);

#endif
