/* load.h - read one CSV input file and hand its records to a callback.
 *
 * Stage 1 of the pipeline.  The whole file is read, decoded to UTF-8
 * (encoding.h), parsed with libcsv in strict mode one physical line at a
 * time (so every record knows the line where it starts), and its header is
 * matched against the columns the caller needs, in any order.  Records with
 * structural faults (wrong field count, bad quoting, undecodable bytes, an
 * oversized field) are rejected here; the rest go to `row` with the needed
 * fields in the caller's column order.
 */
#ifndef ENGINE_LOAD_H
#define ENGINE_LOAD_H

#include <stddef.h>

#include "base/encoding.h"
#include "base/err.h"
#include "contract/model.h"

/* Largest field accepted; a longer one rejects its record. */
#define LOAD_MAX_FIELD (64 * 1024)
/* Longest physical line accepted; a longer one rejects its record before
 * any parser buffers it. */
#define LOAD_MAX_LINE (1024 * 1024)

/* Called once per structurally sound record.  vals[i]/lens[i] is the field
 * for cols[i] (NUL-terminated, valid only during the call).  Returns E_OK
 * (whether or not it rejected the row) or an error code with e set. */
typedef int (*load_row_fn)(void *ctx, const char *const *vals, const size_t *lens,
                           long long line, struct err *e);

struct load_spec {
    enum input_file file;
    const char *const *cols;   /* needed columns */
    int n_cols;
    load_row_fn row;
    void *ctx;

    /* Optional: parallel loading.  When chunk_ctx is set, the data rows are
     * split at record boundaries into chunks (at most max_chunks) that are
     * parsed at the same time.  chunks_begin(ctx, first, n, max_rows)
     * prepares the per-chunk states of chunks first..first+n-1; chunk
     * first+i will deliver at most max_rows[i] rows (its line count), so the
     * caller can size its arrays for them at once.  first = 0 starts the
     * file over (the chunks begun before are dropped: a file read again
     * after all, see load.c); first > 0 adds chunks after the ones begun (a
     * file read once begins its chunks a few at a time, none being parsed
     * during the call).  Rows of chunk i go to row(chunk_ctx(ctx, i), ...)
     * and its structural rejects to chunk_reject(chunk_ctx(ctx, i), ...).
     * The caller merges the chunks in order, so the result is the same for
     * any n.  Without chunk_ctx, rows go to row(ctx, ...) and rejects to the
     * dataset.  Records on the header's own line (a CR without LF ended the
     * header) are rejected to the dataset before any chunk begins. */
    int max_chunks;
    int (*chunks_begin)(void *ctx, int first, int n_chunks, const size_t *max_rows,
                        struct err *e);
    void *(*chunk_ctx)(void *ctx, int i);
    int (*chunk_reject)(void *chunk_ctx, long long line, const char *reason, struct err *e);

    /* Optional: where the buffers a file is read into are kept for the next
     * file (*bufs is NULL at first; free with load_bufs_free() once the
     * files are loaded), so that memory is made resident once per run
     * rather than once per file.  NULL: they are freed with each file. */
    struct load_bufs **bufs;

    /* Optional: chunks_settle(ctx, upto) may move the rows of chunks
     * 0..upto-1, all parsed, to their final place while later chunks are
     * parsed (it must touch nothing of chunk upto or later; the single
     * read calls it once per wave, on one thread). */
    void (*chunks_settle)(void *ctx, int upto);
};

struct load_bufs;
/* Free buffers kept by load_spec.bufs (NULL is fine). */
void load_bufs_free(struct load_bufs *lb);

/* Split one physical line (no LF; a final CR allowed) the way libcsv does
 * when the line holds no quote and no other CR: fields at commas, spaces
 * and tabs trimmed at both ends.  Returns the number of fields (at most
 * max), 0 for a blank line, or -1 if the line needs the full parser.
 * starts/lens receive each field's position within line. */
int load_split_simple(const char *line, size_t len, size_t *starts, size_t *lens, int max);

/* The quotes, LFs and CRs in s[0..n) (for tests: the loader counts them to
 * place chunks; AVX2 or SSE2 blocks when the CPU has them, then bytes). */
void load_count_qlc(const char *s, size_t n, long long *q, long long *lf, long long *cr);

/* The number of threads / chunks used for a file of n bytes (for tests:
 * HEDUI_CHUNK_BYTES in the environment forces small chunks). */
size_t load_chunk_bytes(void);

/* Load `path` into d->files[spec->file] statistics and rejects, calling
 * spec->row for each good record.  Fills size, checksum, encoding, row
 * counts.  Errors: E_NOINPUT (missing), E_IO, E_PARSE (no header, missing
 * columns, unterminated quote), E_NOMEM. */
int load_csv(struct dataset *d, const char *path, enum enc want,
             const struct load_spec *spec, struct err *e);

/* The same for bytes already in memory (e.g. fetched from PostgreSQL with
 * COPY TO STDOUT); `label` stands for the path in statistics and messages.
 * The buffer is borrowed and not modified. */
int load_csv_mem(struct dataset *d, const char *label, const unsigned char *buf, size_t n,
                 enum enc want, const struct load_spec *spec, struct err *e);

#endif
