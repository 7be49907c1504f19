/* mpirun.h - `hedui-mpi run` (make mpi): the nightly run spread over the
 * ranks of an MPI job, with the command line and the outputs of
 * `hedui run`:
 *
 *     mpirun -np N ./hedui-mpi run --data DIR --out DIR [run's options]
 *
 * Rank r judges partition r of the plan (engine/partition.h); the input
 * files are split by byte ranges across the ranks (mpiread.h) and each
 * row is sent to the rank that owns its key (MPI_Alltoallv, mpiwire.h);
 * the flags are gathered to rank 0, which ranks and publishes them exactly
 * as `hedui run` does.  The steps, collective, each ending with every
 * rank's status (a failing rank fails the run on every rank, before rank 0
 * publishes anything):
 *   1. every rank: the options; rank 0 alone prepares and locks --out and
 *      --state and reads the auditors' previous run;
 *   2. every rank: households, candidates, standards and holidays, whole
 *      (the registry: small, and every rank needs its indexes);
 *   3. members.csv by ranges: each rank's (key, household, head?) list
 *      gathered to every rank, the repeats (normalise.c's rule; rank 0
 *      keeps the rejects) and the needs of the plan;
 *   4. hukou.csv by ranges, each row sent to its key's owner rank (a hash
 *      of the key), merged there by the contract's rule; what the merged
 *      rows say of heads and candidates gathered to every rank, which all
 *      make the same plan, one bucket per rank;
 *   5. the merged hukou rows and the member rows sent to their partitions;
 *      every other feed read by ranges and sent the same way;
 *   6. the ranks' row counts, rejects and months of social insurance
 *      gathered to rank 0, which applies the reject limit and the feed
 *      checks as a run does;
 *   7. every rank judges its partition (pipeline_judge); the flags are
 *      gathered to rank 0, sorted, ranked and published.
 * Threads: --threads N per rank, else the cores over the ranks on the node.
 *
 * Owns: the steps and the state of one rank.  Never prints an error
 * (main.c does, on rank 0 only).
 */
#ifndef HEDUI_MPIRUN_H
#define HEDUI_MPIRUN_H

#include "base/err.h"

/* MPI_Init (threads funnelled); other ranks' stdout goes to /dev/null.
 * 0, or -1 when MPI cannot start. */
int mpirun_init(int *argc, char ***argv);
/* 1 on rank 0 (the rank that prints). */
int mpirun_is_root(void);
void mpirun_finalize(void);

/* `hedui-mpi run`: the options of `hedui run` (but --pg and
 * --memory-limit, refused). */
int cmd_run_mpi(int argc, char **argv, struct err *e);

#endif
