/* mpiread.h - one input file read by every rank of an MPI run, each its
 * own byte range (mpirun.h).
 *
 * RANGES.  Rank r looks at bytes [r*size/N, (r+1)*size/N) of the file
 * and counts their quotes and LFs; the sums over the ranks before it
 * (MPI_Exscan) give the quote parity and the line number where its bytes
 * begin, and its range starts just after the first LF outside quotes from
 * there (rank 0 at the file's start, header included).  A rank whose bytes
 * hold no such LF takes nothing; its neighbour reads on.  Each rank then
 * reads its range in pieces of MPIREAD_PIECE bytes (cut the same way),
 * each parsed as a CSV of its own - the file's header line, then the
 * piece - by load.c and normalise.c through partscan_buffer, so every row
 * is checked exactly as a run reads it; the rows' and rejects' line
 * numbers (and the few reasons that quote a line) are moved by the lines
 * before the piece.  Each round (one piece a rank), the rows go to the
 * sink as spill records in file order, and the sink may exchange them.
 *
 * ENCODING is decided for the whole file, as load.c does: forced by the
 * caller, else UTF-8 if every rank's range is valid UTF-8, else GB18030 if
 * every range decodes wholly, else UTF-8 with the undecodable rows
 * rejected; every piece is then read in it.
 *
 * WHEN A RANGE CANNOT BE READ ON ITS OWN - a stray quote upset the parity
 * (a piece then ends inside a quoted field, which load.c reports as an
 * unterminated quote), any other parse error, a header line that is not
 * one plain line, a file that is missing, empty or not a regular file -
 * every rank forgets the file's rows (sink->reset) and rank 0 reads it
 * whole with partscan_file, exactly as a run does (so a real error gets
 * its message and line from load.c); its rows are handed to the sink in
 * one round.  That round holds the whole file's rows in rank 0's memory.
 *
 * STATISTICS.  Each rank's rows and rejects count in its own dataset; on
 * rank 0 the file's size, XXH3-128 (read once more, whole), encoding and
 * BOM are set as a run sets them.  Summing the ranks' counts is the
 * caller's (mpirun.c).
 */
#ifndef HEDUI_MPIREAD_H
#define HEDUI_MPIREAD_H

#include "base/encoding.h"
#include "base/err.h"
#include "contract/model.h"
#include "engine/normalise.h"
#include "mpi/mpiwire.h"

#define MPIREAD_PIECE ((size_t)64 << 20)

struct mpiread_sink {
    void *ctx;
    /* One round: this rank's rows read in it (spill records, file order,
     * the file's line numbers; n may be 0).  Called the same number of
     * times on every rank; may exchange (collective). */
    int (*take)(void *ctx, const unsigned char *recs, size_t n, struct err *e);
    /* The file is read again whole by rank 0: forget its rows taken so
     * far.  Not collective. */
    int (*reset)(void *ctx, struct err *e);
};

/* Read input f (want: the encoding asked for, or ENC_AUTO) into nz's
 * dataset's statistics and rejects, rows to the sink.  Collective; the
 * status returned is every rank's (mpiw_sync). */
int mpiread_file(const struct mpictx *m, struct normaliser *nz, enum input_file f,
                 const char *path, enum enc want, const struct mpiread_sink *sink,
                 struct err *e);

#endif
