/* faultinj.h - allocation failure injection for the `fault` build only.
 *
 * `make BUILD=fault` compiles every source with -include src/faultinj.h and
 * -DHEDUI_FAULT_BUILD, so each malloc/calloc/realloc/strdup/aligned_alloc
 * in OUR code goes through a counter (libraries keep the real allocator).  With
 * HEDUI_FAIL_ALLOC=k the k-th allocation fails (and every later one too if
 * HEDUI_FAIL_PERSIST=1); HEDUI_FAULT_REPORT=1 prints the number of
 * allocations at exit.  tests/fault.sh loops k over a run, as SQLite's OOM
 * tests do, and expects a clean "out of memory while ..." every time.
 * In other builds this header is never included and faultinj.c is empty.
 */
#ifndef ENGINE_FAULTINJ_H
#define ENGINE_FAULTINJ_H
#ifdef HEDUI_FAULT_BUILD

#include <malloc.h>   /* its prototypes before the macros below (mallopt users) */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void *hedui_fault_malloc(size_t n);
void *hedui_fault_calloc(size_t n, size_t size);
void *hedui_fault_realloc(void *p, size_t n);
char *hedui_fault_strdup(const char *s);
void *hedui_fault_aligned_alloc(size_t align, size_t n);

#ifndef HEDUI_FAULTINJ_IMPL
#define malloc(n) hedui_fault_malloc(n)
#define calloc(n, s) hedui_fault_calloc((n), (s))
#define realloc(p, n) hedui_fault_realloc((p), (n))
#define strdup(s) hedui_fault_strdup(s)
#define aligned_alloc(a, n) hedui_fault_aligned_alloc((a), (n))
#endif

#endif
#endif
