/* hukou_prune.h - a run lets go of the hukou rows no rule can read.
 *
 * Between load and join, in a run judged in memory (pipeline.c): a hukou
 * row is kept when its hukou household (its hukou_no) holds the row of a
 * registry member or of a candidate, the only rows a rule can reach a
 * hukou household from (a few more may stay, never fewer).  Every flag is
 * the same with or without it; only the memory and time of the join and
 * the rules change (hukou_prune.c says why).  Not for a dataset that is
 * kept (a snapshot) or that answers about a person who may be on no list
 * (a pre-approval check).
 */
#ifndef ENGINE_HUKOU_PRUNE_H
#define ENGINE_HUKOU_PRUNE_H

#include <stddef.h>

#include "base/err.h"
#include "contract/model.h"
#include "engine/normalise.h"
#include "engine/personset.h"

/* How many hukou rows there were and are. */
struct hukou_pruned {
    size_t before, after;
};

/* Keep the hukou rows of d whose hukou household holds a member's or a
 * candidate's row, and those of a few households that share a bit of the
 * bitmap with one (hukou_prune.c: never fewer), in their order; the array
 * is shrunk to them.  The hukou rows sorted by key, as normalise_file()
 * leaves them once hukou.csv is read; the members and candidates in any
 * order.  *out (if not NULL) gets the counts.  E_OK, or E_NOMEM with d
 * unchanged (the rows move only once every set is built). */
int hukou_prune(struct dataset *d, struct hukou_pruned *out, struct err *e);

/* The order a run reads its inputs in (n of them into order[]): that of
 * enum input_file, but the candidates before hukou.csv, so that the step
 * below can follow hukou.csv before the large feeds are read. */
int hukou_prune_order(int order[N_INPUT]);

/* A run's step right after hukou.csv (the members and candidates read):
 * hukou_prune() on nz's dataset, then the persons left (personset_build)
 * whose rows the feeds read afterwards keep (normaliser_keep_persons).
 * ps must outlive those loads.  E_OK or E_NOMEM. */
int hukou_prune_keep_persons(struct normaliser *nz, struct personset *ps,
                             struct hukou_pruned *out, struct err *e);

#endif
