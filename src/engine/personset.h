/* personset.h - the persons a run's rules can read: a bitmap over the
 * hashes of their ID keys.
 *
 * A rule reads a feed row (vehicles, property, social insurance, ...) only
 * through a person: a registry member, a candidate or a hukou row (the
 * feed columns of policy/schema.c belong to those three), so a row whose
 * person is none of them is read by no rule.  A run that has let go of the
 * hukou rows no rule reads (hukou_prune.h) builds the set from the
 * members, the candidates and the hukou rows kept, and the feeds read
 * after it keep the rows of its persons only (normaliser_keep_persons):
 * at SF 1, 2.9 M of 10.4 M social-insurance lines are of such persons,
 * 48 K of 1.0 M vehicles.
 *
 * One bit per hash (base/hashbits.h), 16 to 32 bits per person: a person
 * in the set always answers yes; one who is not answers no but for 1 in
 * 16 to 32.  A wrong
 * yes keeps a row no rule reads, as every row was kept before, so the
 * flags cannot change; only memory does.  Built once, then read by any
 * number of threads.
 */
#ifndef ENGINE_PERSONSET_H
#define ENGINE_PERSONSET_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/hashbits.h"
#include "base/index.h"
#include "contract/model.h"

struct personset {
    struct hashbits bits;   /* of idx_hash64(key); bits.w NULL: every key answers yes */
    size_t n;               /* keys put in */
};

/* The keys of d's members, candidates and hukou rows.  E_OK or E_NOMEM
 * (ps then answers yes to every key). */
int personset_build(struct personset *ps, const struct dataset *d, struct err *e);
void personset_free(struct personset *ps);

/* 0 if no rule can read key's rows; 1 if one may (always for a key in the
 * set, and for 1 in 16 to 32 others). */
static inline int personset_may_have(const struct personset *ps, uint64_t key)
{
    return hashbits_may_have(&ps->bits, idx_hash64(key));
}

#endif
