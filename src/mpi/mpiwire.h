/* mpiwire.h - the collectives of an MPI run (mpirun.h): a step's status
 * made every rank's, bytes gathered, and rows exchanged between ranks.
 *
 * Every function here is collective: all ranks of the communicator call
 * it, in the same order.  Counts and offsets of MPI calls are int, so a
 * buffer is sent in rounds of at most MPIW_ROUND bytes a rank.
 *
 * Owns: nothing beyond one call; the caller owns the buffers.  Never
 * prints (main.c prints rank 0's error).
 */
#ifndef HEDUI_MPIWIRE_H
#define HEDUI_MPIWIRE_H

#include <mpi.h>
#include <stddef.h>

#include "base/err.h"
#include "contract/model.h"

#define MPIW_ROUND ((size_t)256 << 20)

struct mpictx {
    MPI_Comm comm;
    int rank, size;
};

/* Every rank's status at one step.  When some rank failed, every rank
 * gets the error of the lowest failing rank (code, place and message) in
 * e and returns its code; else E_OK. */
int mpiw_sync(const struct mpictx *m, int st, struct err *e);

/* Every rank's n bytes, concatenated in rank order, on every rank: *all
 * (malloc'd) of *total bytes; off (malloc'd, size + 1 entries) where each
 * rank's part starts. */
int mpiw_allgather(const struct mpictx *m, const void *mine, size_t n, unsigned char **all,
                   size_t *total, size_t **off, struct err *e);
/* The same, on rank 0 only (NULLs and 0 elsewhere). */
int mpiw_gather(const struct mpictx *m, const void *mine, size_t n, unsigned char **all,
                size_t *total, size_t **off, struct err *e);

/* send[r] (a vec of bytes per rank) to rank r; recv gets what every rank
 * sent this one, in rank order (replacing its contents).  The send vecs
 * are emptied.  Each send[r] must hold at most MPIW_ROUND bytes. */
int mpiw_exchange(const struct mpictx *m, struct vec *send, struct vec *recv, struct err *e);

/* Append n bytes to a byte vec. */
int mpiw_put(struct vec *v, const void *p, size_t n, struct err *e);

/* Sum / max / or of values over the ranks, on every rank. */
long long mpiw_sum(const struct mpictx *m, long long x);
long long mpiw_max(const struct mpictx *m, long long x);

#endif
