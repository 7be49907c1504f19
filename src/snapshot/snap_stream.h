/* snap_stream.h - the snapshot writer's two tools: the string table and
 * the streaming section writer (snap_stream.c), for snap_write.c only.
 *
 * Owns: nothing beyond the declarations.  Never: included outside
 * src/snapshot/.
 */
#ifndef ENGINE_SNAP_STREAM_H
#define ENGINE_SNAP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <xxhash.h>

#include "base/err.h"
#include "snapshot/snap_format.h"

/* Interned strings: the pool of the STRINGS section.  Offset 0 is "". */
struct snap_strtab {
    char *pool;
    size_t n, cap;
    struct strslot { uint64_t h; uint32_t off1; } *slots;   /* off1 = offset + 1 */
    size_t mask, count;
};

/* 0, or -1 when out of memory (then snap_st_free it all the same). */
int snap_st_init(struct snap_strtab *t);
void snap_st_free(struct snap_strtab *t);
/* Offset of s in the pool (added if new; NULL and "" are 0); E_OK,
 * E_NOMEM or E_DATA (the pool would pass 4 GiB). */
int snap_st_intern(struct snap_strtab *t, const char *s, uint32_t *off, struct err *e);

/* Buffered writes to fd; while in_body, every byte also goes into the
 * block checksums (bh) and the whole-body XXH3-128 (body).  The first
 * error is kept in st (and e) and makes every later call a no-op, so a
 * writer may check once at the end of a section. */
struct snap_sw {
    int fd;
    const char *path;
    unsigned char *buf;
    size_t bn, bcap;
    uint64_t off;              /* file offset of the next byte */
    int in_body;
    unsigned char *blk;        /* the body block being filled */
    size_t blk_n;
    uint64_t *bh;              /* XXH3-64 of each full body block */
    size_t n_bh, cap_bh;
    XXH3_state_t *body;
    struct snap_header *h;     /* the section table is filled in here */
    uint64_t sec_start;
    int st;                    /* first error; every later put is a no-op */
    struct err *e;
};

int snap_sw_put(struct snap_sw *w, const void *data, size_t n);
/* Zeros up to the next multiple of align. */
int snap_sw_pad(struct snap_sw *w, uint64_t align);
/* Write out the buffer. */
int snap_sw_flush(struct snap_sw *w);
/* Close the body block being filled (also a short last one). */
int snap_sw_block_done(struct snap_sw *w);

/* A section: begin (64-byte aligned), put its rows, end (records offset,
 * bytes and count in h->sec[sec]; E_INTERNAL if bytes != count * element
 * size).  snap_sec_put does all three for rows already in memory. */
void snap_sec_begin(struct snap_sw *w);
int snap_sec_end(struct snap_sw *w, int sec, uint64_t count);
int snap_sec_put(struct snap_sw *w, int sec, const void *rows, uint64_t count);

#endif
