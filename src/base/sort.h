/* sort.h - stable LSD radix sort of fixed-size records by a 64-bit key.
 *
 * Stable: records with equal keys keep their order, so feeds that arrive in
 * file order stay in file order within one person.  O(n) passes of 16 bits
 * over the bits the keys actually use; keys already in order cost one
 * read and nothing else.  Needs scratch as large as the records (allocated
 * and freed here); the _owned variants leave the sorted records in that
 * scratch and free the caller's array instead of copying them back.  A large table sorted outside a
 * parallel region is sorted by all threads of the team (each counts and
 * scatters its slice; slots are handed out in thread order, so the result
 * is the same at any thread count); inside a parallel region, by the
 * calling thread alone.
 */
#ifndef ENGINE_SORT_H
#define ENGINE_SORT_H

#include <stddef.h>

#include "base/err.h"

/* Sort base[0..n) (each `size` bytes, key a uint64_t at byte offset
 * key_off) ascending by key.  E_OK or E_NOMEM. */
int radix_sort_u64(void *base, size_t n, size_t size, size_t key_off, struct err *e);
/* The same with a uint32_t key. */
int radix_sort_u32(void *base, size_t n, size_t size, size_t key_off, struct err *e);

/* The same for an array *base from malloc (or realloc) that the sort may
 * replace: on E_OK *base is either the same array, sorted, or a new one of
 * exactly n * size bytes from malloc holding the sorted records, the old
 * one freed.  On an error *base is unchanged and unsorted. */
int radix_sort_u64_owned(void **base, size_t n, size_t size, size_t key_off, struct err *e);
int radix_sort_u32_owned(void **base, size_t n, size_t size, size_t key_off, struct err *e);

#endif
