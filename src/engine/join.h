/* join.h - stage 4: every feed joined to people by ID key.
 *
 * join_build() puts each feed the contract joins to people (declared
 * by_person in model.c) in an order where every person's rows are
 * contiguous and in file order, and builds a keyidx over it, so "all
 * vehicles of this person" is one probe and a contiguous run in file
 * order.  JOIN_GROUPED (a run) groups the rows where they lie
 * (keyidx_group, index.h): a feed that arrives grouped by person (every
 * person's rows contiguous, as most departments export them) is indexed
 * without moving a row, one that does not moves only the rows of the
 * persons it splits, through scratch of their size: no sort and no
 * scratch as large as the feed.  Which person's rows come first is no
 * part of the promise (nothing reads a feed but by person).  Only the
 * snapshot, which merges the feeds by key, needs JOIN_SORTED: a stable
 * sort by key, so (key, line).  It also indexes registry members by key
 * (a person's households) and hukou persons by hukou_no (a hukou
 * household), and joins each registry member and candidate to their hukou
 * row by merging the two key-sorted lists (no hash table over the 3 M
 * hukou persons).  After build the struct is read-only and shared by all
 * threads of the rules VM (vm.c).
 *
 * The feeds are independent and run as parallel OpenMP iterations; each
 * is put in an order fixed by its rows alone, so the result is the same
 * at any thread count.
 */
#ifndef ENGINE_JOIN_H
#define ENGINE_JOIN_H

#include <stdint.h>

#include "base/err.h"
#include "base/index.h"
#include "contract/model.h"

struct member_ref {
    uint64_t key;
    uint32_t member;     /* index into dataset.members */
};

struct join {
    struct keyidx feed[N_INPUT];        /* each feed joined to people (feed_decls[f].by_person):
                                           its rows of a person key */
    uint32_t *member_hukou;             /* per member: its hukou row or JOIN_NONE */
    uint32_t *candidate_hukou;          /* per candidate: the same */
    struct member_ref *members_by_key;  /* sorted by (key, household index) */
    struct keyidx members;              /* over members_by_key */
    uint32_t *hukou_by_no;              /* hukou rows grouped by hukou_no, each
                                           group in key order */
    size_t n_hukou_by_no;
    struct u64map hukou_code;           /* no_code -> first position in hukou_by_no */
    struct stridx hukou_no;             /* the same for hukou_nos without a code */
};

enum join_order {
    JOIN_SORTED,    /* every feed sorted by (key, line) */
    JOIN_GROUPED    /* every feed grouped by key, in file order within */
};

int join_build(struct join *j, struct dataset *d, enum join_order order, struct err *e);

/* Each key of rows[0..n) (ascending, `stride` bytes apart, zeros first)
 * looked up in d's hukou rows (ascending by key, normalise_finish() and
 * the snapshot leave them so): out[i], or out[pos of row i] when pos
 * points into the rows, = its hukou row, or JOIN_NONE (a zero key has
 * none). */
void join_merge_hukou(const struct dataset *d, const uint64_t *keys, size_t stride, size_t n,
                      const uint32_t *pos, uint32_t *out);
void join_free(struct join *j);

/* The first position in hukou_by_no of hk's hukou household: 1 and *pos,
 * or 0 if hk's hukou_no was not indexed.  The group runs on while
 * hukou_same_no() holds. */
int join_hukou_group(const struct join *j, const struct hukou *hk, size_t *pos);

#define JOIN_NONE UINT32_MAX

static inline const struct hukou *join_hukou_at(const struct dataset *d, uint32_t at)
{
    return at == JOIN_NONE ? NULL : &((const struct hukou *)d->hukou.v)[at];
}

/* The hukou row of member m (a row of d->members), or NULL. */
static inline const struct hukou *join_member_hukou(const struct join *j,
                                                    const struct dataset *d,
                                                    const struct member *m)
{
    return join_hukou_at(d, j->member_hukou[m - (const struct member *)d->members.v]);
}

/* The hukou row of candidate ci, or NULL. */
static inline const struct hukou *join_candidate_hukou(const struct join *j,
                                                       const struct dataset *d, uint32_t ci)
{
    return join_hukou_at(d, j->candidate_hukou[ci]);
}

#endif
