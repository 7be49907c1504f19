/* spill.h - typed rows in temporary files and back: the record format, the
 * spill directory, files appended to by several threads, and a sequential
 * reader.  For runs under --memory-limit (engine/partition.h), which keep
 * most rows on disk between reading them and judging them.
 *
 * A record is self-delimiting, little-endian and unaligned (memcpy), for
 * this machine only (a spill file never outlives its run):
 *
 *   OFFSET SIZE DESCRIPTION
 *   0      4    len: the whole record, header included
 *   4      1    file: enum input_file of the row
 *   5      1    gen: the file's load attempt (load.h may start a file over
 *               as one chunk; rows of an earlier attempt are ignored)
 *   6      1    ndest: destination buckets listed below (partition files)
 *   7      1    flags: SPILL_TAG = a 64-bit tag follows
 *   8      8    tag (only with SPILL_TAG)
 *   ..     2n   dest[ndest]: u16 bucket numbers, ascending
 *   ..     ..   payload: the row's kept columns in declaration order
 *               (contract/model.h feed_decls): an ID is its u64 key (then
 *               its text, if kept); a string is u32 length + bytes
 *               (0xFFFFFFFF: NULL); enums, dates, months, grades i32;
 *               money and shares i64; then the i64 line; a member row
 *               adds u32 hh, i32 id_status, u32 bad_cols, string bad_text.
 *               Derived fields are made again when decoded (hukou no_code,
 *               standards prefix_len).
 *
 * The spill directory is OUT/.hedui-tmp-spill-XXXXXX (mode 0700) inside
 * the output directory, so a run killed on the way leaves it where the next
 * run's out_prepare removes it (out/outdir.h removes every .hedui-tmp-*);
 * files in it are mode 0600 (they hold full ID numbers).  The run removes
 * it on every other exit path (spill_dir_remove).
 *
 * Owns: the format, the files' descriptors and buffers.  Never interprets
 * a value: rows are encoded and decoded as the declarations say.
 */
#ifndef ENGINE_SPILL_H
#define ENGINE_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "contract/model.h"

#define SPILL_TAG 1u
#define SPILL_HEADER 8
#define SPILL_DIR_PREFIX ".hedui-tmp-spill-"

/* ---------- records ---------- */

/* Bytes of the record of `row` (a typed row of file f). */
size_t spill_rec_size(enum input_file f, const void *row, int ndest, int has_tag);
/* Write that record to out (exactly spill_rec_size bytes). */
void spill_rec_write(unsigned char *out, size_t len, enum input_file f, unsigned gen,
                     const uint16_t *dest, int ndest, const uint64_t *tag, const void *row);

/* A record seen in a buffer; pointers into the buffer. */
struct spill_rec {
    enum input_file f;
    unsigned gen;
    int ndest;
    const unsigned char *dest;   /* ndest u16, unaligned: spill_rec_dest() */
    int has_tag;
    uint64_t tag;
    const unsigned char *payload, *end;
    size_t len;
};

/* The record at b (avail bytes): 1 and *r, 0 when b holds less than a
 * whole record, -1 when the bytes are not a record (damage: a bug). */
int spill_rec_parse(const unsigned char *b, size_t avail, struct spill_rec *r);
static inline unsigned spill_rec_dest(const struct spill_rec *r, int i)
{
    return (unsigned)r->dest[2 * i] | (unsigned)r->dest[2 * i + 1] << 8;
}
/* Fill the typed row (feed_decls[r->f].row_size bytes, zeroed here) from
 * r; strings are copied into a.  E_OK, E_NOMEM, or E_INTERNAL for a
 * damaged record. */
int spill_rec_decode(const struct spill_rec *r, void *row, struct arena *a, struct err *e);
/* Just the person key of r's row (the first column of a feed joined to
 * people, or a hukou row), without decoding the rest; 0 if none. */
uint64_t spill_rec_key(const struct spill_rec *r);

/* ---------- the directory ---------- */

/* Create parent/.hedui-tmp-spill-XXXXXX (mode 0700) into dir (PATH_MAX).
 * E_WRITE when it cannot be made. */
int spill_dir_create(char *dir, size_t cap, const char *parent, struct err *e);
/* Remove it and the files in it (a flat directory); "" does nothing. */
void spill_dir_remove(char *dir);

/* ---------- a set of files written by several threads ---------- */

struct spill_set {
    char dir[1100];
    char prefix[32];
    int n;                       /* files prefix.0 .. prefix.(n-1) */
    int nt;                      /* writing threads */
    int *fd;
    void *locks;                 /* omp_lock_t[n] */
    size_t bufsz;
    unsigned char **buf;         /* [t * n + i], made on first use */
    size_t *used;                /* [t * n + i] */
    long long *rows, *bytes;     /* [(t * n + i) * N_INPUT + f]: records, bytes */
    long long written;           /* bytes written to disk, all files */
};

/* Create the n files (mode 0600, O_EXCL) for nt threads with bufsz-byte
 * buffers.  E_WRITE or E_NOMEM. */
int spill_set_open(struct spill_set *s, const char *dir, const char *prefix, int n, int nt,
                   size_t bufsz, struct err *e);
/* Append the record of `row` to file i from thread t (t's own buffer; a
 * full buffer is written under the file's lock, so the records a thread
 * puts in one file stay in the order it put them).  E_WRITE, E_NOMEM. */
int spill_set_put(struct spill_set *s, int t, int i, enum input_file f, unsigned gen,
                  const uint16_t *dest, int ndest, const uint64_t *tag, const void *row,
                  struct err *e);
/* Write every buffer out (outside any parallel region). */
int spill_set_flush(struct spill_set *s, struct err *e);
/* Records / bytes put into file i for input f, all threads. */
long long spill_set_rows(const struct spill_set *s, int i, enum input_file f);
long long spill_set_bytes(const struct spill_set *s, int i, enum input_file f);
/* Close the files and free the buffers (the files stay; so do the counts). */
void spill_set_close(struct spill_set *s);
/* Close, and free the counts too (safe on a zeroed or released set). */
void spill_set_release(struct spill_set *s);
/* Remove the files of a set (closed or not). */
void spill_set_unlink(const char *dir, const char *prefix, int n);

/* ---------- reading one file back ---------- */

struct spill_reader {
    int fd;
    unsigned char *buf;
    size_t cap, len, pos;
    int eof;
    char path[1200];
};

int spill_reader_open(struct spill_reader *r, const char *dir, const char *prefix, int i,
                      struct err *e);
/* 1 and *rec (valid until the next call), 0 at the end, -1 on an error
 * (e: E_IO, E_NOMEM, or E_INTERNAL for a damaged file). */
int spill_reader_next(struct spill_reader *r, struct spill_rec *rec, struct err *e);
void spill_reader_close(struct spill_reader *r);

#endif
