/* faultinj.c - the counters behind faultinj.h (fault build only).
 *
 * Owns: a process-wide allocation counter.  Must never be linked into a
 * release binary with effect: without HEDUI_FAULT_BUILD it compiles to
 * nothing.
 */
#define HEDUI_FAULTINJ_IMPL
#include "base/faultinj.h"

#ifdef HEDUI_FAULT_BUILD
/* the build force-includes faultinj.h before this file: use the real ones */
#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef aligned_alloc
#include <stdatomic.h>
#include <stdio.h>

static atomic_long n_calls;
static long fail_at = -1;    /* -1: not read yet; 0: never fail */
static int persist;

static void report(void)
{
    fprintf(stderr, "faultinj: %ld allocations\n", (long)atomic_load(&n_calls));
}

static int should_fail(void)
{
    if (fail_at < 0) {
        const char *v = getenv("HEDUI_FAIL_ALLOC");
        fail_at = v ? atol(v) : 0;
        persist = getenv("HEDUI_FAIL_PERSIST") != NULL;
        if (getenv("HEDUI_FAULT_REPORT"))
            atexit(report);
    }
    long k = atomic_fetch_add(&n_calls, 1) + 1;
    if (fail_at <= 0)
        return 0;
    return persist ? k >= fail_at : k == fail_at;
}

void *hedui_fault_malloc(size_t n)
{
    return should_fail() ? NULL : malloc(n);
}

void *hedui_fault_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : calloc(n, size);
}

void *hedui_fault_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : realloc(p, n);
}

char *hedui_fault_strdup(const char *s)
{
    return should_fail() ? NULL : strdup(s);
}

void *hedui_fault_aligned_alloc(size_t align, size_t n)
{
    return should_fail() ? NULL : aligned_alloc(align, n);
}
#else
typedef int faultinj_unused;   /* ISO C forbids an empty translation unit */
#endif
