/* partscan.h - read one input file as a run does, handing each typed row
 * to a sink instead of keeping it (--memory-limit runs, partition.h).
 *
 * The file is read by load_csv() with the normaliser's own reader for it
 * (normalise_reader), so every row is checked, typed and rejected exactly
 * as in a run that keeps everything: the same rows, the same rejects and
 * reasons, the same file statistics (bytes, checksum, encoding, data rows,
 * ID normalisations, all in d->files[f]).  Chunks are parsed in parallel
 * as usual (load.h); each chunk's rows go to the sink on the thread that
 * parses it, in file order within the chunk, and are forgotten once the
 * sink returns: memory stays at the parser's buffers and a chunk's worth
 * of strings, whatever the file's size.  The rejects are kept (they go to
 * rejects.csv) and appended to d->files[f].rejects in chunk order, as
 * normalise.c's merge does.
 *
 * load.c may begin a file's chunks a few at a time (its single read, a
 * wave at a time: begin() with first > 0 adds chunks), and may start a
 * file over (a stray quote upset its chunking): begin() with first = 0
 * again, and rows the sink got before belong to an attempt that no longer
 * counts (gen tells them apart; the rejects are those of the last attempt
 * only).
 *
 * Owns: the chunk wrappers around normalise.c's row readers.  Never keeps
 * a row; never decides where one goes (the sink does).
 */
#ifndef ENGINE_PARTSCAN_H
#define ENGINE_PARTSCAN_H

#include "base/encoding.h"
#include "base/err.h"
#include "contract/model.h"
#include "engine/normalise.h"

struct scan_sink {
    void *ctx;
    /* Chunks first..first+n_chunks-1 begin, chunk first+i yielding at most
     * max_rows[i] rows.  first = 0: the file's load (re)starts, gen is the
     * attempt (0, then 1, ... each time load.c starts over); first > 0:
     * more chunks of the same attempt (none is being read during the
     * call).  May be NULL. */
    int (*begin)(void *ctx, int first, int n_chunks, const size_t *max_rows, unsigned gen,
                 struct err *e);
    /* One typed row of the file (a struct of feed_decls[f].row_size whose
     * strings live until the call returns), from chunk `chunk`, on OpenMP
     * thread `thread`; `ord` counts the chunk's rows from 0. */
    int (*row)(void *ctx, int thread, int chunk, long long ord, unsigned gen, const void *row,
               struct err *e);
};

/* Read path as input f into n's dataset (statistics and rejects only),
 * rows to sink.  Errors as load_csv(), or the sink's. */
int partscan_file(struct normaliser *n, enum input_file f, const char *path, enum enc want,
                  const struct scan_sink *sink, struct err *e);
/* The same for CSV bytes in memory (load_csv_mem: a piece of a file with
 * its header, read by an MPI rank); `label` names it in statistics and
 * messages. */
int partscan_buffer(struct normaliser *n, enum input_file f, const char *label,
                    const unsigned char *buf, size_t len, enum enc want,
                    const struct scan_sink *sink, struct err *e);

#endif
