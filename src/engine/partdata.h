/* partdata.h - what a run under --memory-limit (partrun.h) and an MPI
 * rank (src/mpi/) share around the partition plan (partition.h): the
 * compact member list and its repeats, a partition's dataset made from
 * its units and the rows sent to it, and the flags of all partitions
 * gathered and sorted as one run would have them.
 *
 * Owns: the helpers only; the caller owns every array and dataset.
 * Never reads a file, never judges a rule.
 */
#ifndef ENGINE_PARTDATA_H
#define ENGINE_PARTDATA_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "contract/model.h"
#include "engine/evaluate.h"
#include "engine/partition.h"
#include "engine/spill.h"

/* ---------- the compact member list ---------- */

/* A member as the plan needs it (16 bytes); its line and, for an invalid
 * ID, its text are kept beside it until the repeats are found. */
struct mrec {
    uint64_t key;
    uint32_t hh;             /* index in the run's households */
    uint32_t head;           /* relation head */
};

struct badid {
    uint64_t pos;            /* place in the list */
    const char *id;          /* the ID as given, trimmed */
};

/* Every member row in file order. */
struct member_list {
    const struct mrec *mc;
    const long long *line;
    size_t n;
    const struct badid *bad; /* the rows with key 0, by pos */
    size_t n_bad;
};

/* normalise.c's finish_members on the list: a person repeated within one
 * household is a repeat (*repeat[pos] = 1, malloc'd); with `record`, each
 * is rejected into d (households order, then file order, the same
 * reason) as a run that keeps everything rejects them.  E_OK, E_NOMEM. */
int partdata_member_repeats(const struct member_list *ml, struct dataset *d, int record,
                            unsigned char **repeat, struct err *e);
/* The needs of the members (but repeats) and of d's candidates, then
 * part_plan_need_done (pl initialised for d's units). */
int partdata_needs(const struct member_list *ml, const unsigned char *repeat,
                   const struct dataset *d, struct part_plan *pl, struct err *e);

/* ---------- a partition's dataset ---------- */

/* Into dp (dataset_init'd): copies of d's households and candidates whose
 * bucket is in [b0, b1), in d's order (their strings stay in d); loc[g]
 * = the place of household g in dp; *glob_hh, *glob_cand (malloc'd, freed
 * first) map dp's places back. */
int partdata_units(const struct dataset *d, const struct part_plan *pl, int b0, int b1,
                   struct dataset *dp, uint32_t *loc, uint32_t **glob_hh, uint32_t **glob_cand,
                   struct err *e);
/* Room for n more rows of file f. */
int partdata_reserve(struct dataset *dp, enum input_file f, size_t n, struct err *e);
/* A row sent to the partition, decoded into dp (strings in dp's arena; a
 * member's household made dp's by loc). */
int partdata_add(struct dataset *dp, const struct spill_rec *rec, const uint32_t *loc,
                 struct err *e);
/* The rows back in the order a whole run has them (each feed in file
 * order, hukou by person), the policy tables borrowed from d, present
 * flags as d's, normalise_finish (members grouped by household).
 * E_INTERNAL if a member repeat turns up (the plan rejected them all). */
int partdata_finish(struct dataset *dp, const struct dataset *d, int as_of, struct err *e);

/* ---------- the flags ---------- */

struct flagstore {
    struct vec flags;        /* struct flag, strings in arena or in the run's dataset */
    struct arena arena;
    struct vec nsh, nsc;     /* uint32_t: no standard, the run's indexes */
    long long cand_skipped;
};

void flagstore_init(struct flagstore *fs);
void flagstore_free(struct flagstore *fs);
/* A partition's result: its flags with their households made the run's
 * (glob_hh, glob_cand), their strings copied (household_id and region
 * point into the run's dataset and stay). */
int flagstore_add(struct flagstore *fs, const struct eval_result *er, const uint32_t *glob_hh,
                  const uint32_t *glob_cand, struct err *e);
/* The store as bytes (appended to out, a vec of char), and back (added
 * to fs): for flags sent between MPI ranks.  Every string travels. */
int flagstore_encode(const struct flagstore *fs, struct vec *out, struct err *e);
int flagstore_decode(struct flagstore *fs, const unsigned char *b, size_t n, struct err *e);
/* Everything added, as vm_run() returns it for the whole registry:
 * sorted by the contract's order, counted, no-standard lists sorted.  The
 * store is emptied (its arena moves to r). */
int flagstore_result(struct flagstore *fs, struct eval_result *r, struct err *e);

#endif
