/* mpirank.h - one rank's state in `hedui-mpi run` (mpirun.h has the
 * steps), shared by mpirun.c (steps 1-5 and the run) and mpigather.c
 * (steps 6 and 7: counts, rejects and flags to rank 0).
 *
 * Owns: struct mrank's layout.  Never: used outside src/mpi/.
 */
#ifndef HEDUI_MPIRANK_H
#define HEDUI_MPIRANK_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "contract/model.h"
#include "engine/partition.h"
#include "mpi/mpiwire.h"
#include "pipeline.h"

struct mrank {
    struct mpictx m;
    struct pipeline *p;
    struct dataset *d;          /* the run's dataset: registry whole; counts */
    struct arena scratch;       /* decoded rows' strings, given back often */
    /* step 3: my share of members.csv */
    struct vec mrec, mline;     /* struct mrec, long long */
    struct vec mbad;            /* struct badid, local positions */
    struct arena bad_arena;
    struct vec mrows;           /* their records */
    size_t m_off;               /* my first place in the whole list */
    unsigned char *repeat;      /* the whole list's repeats */
    size_t repeats_at;          /* rank 0: where the repeats' rejects start */
    /* step 4: the hukou rows of the keys I own */
    struct dataset t;
    long long hukou_dropped;
    struct part_plan plan;
    int plan_made;
    /* step 5: my partition */
    struct dataset dp;
    int dp_made;
    uint32_t *loc, *glob_hh, *glob_cand;
    size_t rows_before;         /* dp's rows of the file being read, before it */
    enum input_file cur;
    /* exchange */
    struct vec *send;           /* [size] */
    struct vec recv;
    unsigned char si_seen[120];
    int si_first, si_last;
    int present[N_INPUT];       /* rank 0's, for every rank's judging */
};

/* A test hook: rank R fails (HEDUI_TEST_MPI_FAIL) or is killed
 * (HEDUI_TEST_MPI_KILL) at step S, given as "R:S"; else st. */
int mrank_hook(const struct mrank *r, const char *step, int st, struct err *e);

/* Step 6: every rank's row counts, rejects, dropped hukou duplicates and
 * months of social insurance added into rank 0's dataset (collective). */
int mpi_gather_counts(struct mrank *r, struct err *e);
/* Step 7: every rank judges its partition (pipeline_judge); rank 0 gets
 * the flags of all, sorted as a run sorts them, in r->p->er (collective). */
int mpi_judge_and_gather(struct mrank *r, struct err *e);

#endif
