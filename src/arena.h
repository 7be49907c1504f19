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

struct arena_chunk;

struct arena {
    struct arena_chunk *head;   /* newest chunk; list owns all chunks */
    size_t chunk_size;          /* default chunk payload, bytes */
    size_t used_bytes;          /* total handed out (for the manifest) */
};

void arena_init(struct arena *a, size_t chunk_size);
void arena_free(struct arena *a);

/* n bytes aligned to 16, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t count, size_t size);
/* Copy of s[0..len) plus a NUL, or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* Ask for transparent huge pages under a large buffer that is about to be
 * filled (the whole 2 MiB pages inside p[0..n)): hash tables probed at
 * random and sort buffers, where 4 KiB pages cost a TLB miss per access
 * and a fault per page.  Only a hint: nothing changes if the kernel says
 * no.  Not for memory filled while files load, where it was slower. */
void mem_hugepages(void *p, size_t n);

#endif
