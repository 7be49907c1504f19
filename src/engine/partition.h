/* partition.h - the partition plan: which rows go where so that every rule
 * is judged with all of its inputs in one partition.  Used by a run under
 * --memory-limit (partrun.h: partitions judged one batch at a time, rows
 * kept in temporary files between) and by the MPI run (a partition per
 * rank, rows sent between ranks).
 *
 * UNITS.  A unit is what the rules judge: a registry household (the
 * person, household and cancelled scopes of rules/catalogue.rules) or a
 * candidate (the candidate scope).  Every unit is put in exactly one
 * bucket; what is judged in memory at once (a batch, or a rank's share) is
 * a set of whole buckets, so each flag is made once, by the partition that
 * holds its unit, and none is filtered away afterwards.
 *
 * WHAT A UNIT READS (the rules language's units, policy/ast.h), AND HOW IT
 * GETS THERE:
 *   household  its row and its member rows ................ by household
 *              each member's hukou row (death, moves, names, who is
 *              counted) and feed rows (vehicles, property, social
 *              insurance, business, public servants, staff relatives,
 *              financial assets, funeral) ................. by person key
 *              every household each member belongs to
 *              (m.households: a person in two households) .. union (1)
 *              the hukou rows of the head's hukou_no (the head's
 *              hukou household) .............................. by hukou_no (2)
 *   candidate  its row and its own hukou row .................. by person key
 *              the hukou rows of its hukou_no (its hukou
 *              household) ..................................... by hukou_no (2)
 *              those persons' feed rows (the findings and
 *              income tests the candidate rule asks of them) .. by person key
 *              the registry households those persons are
 *              members of (none on the rolls) ................. union (1)
 *   both       standards.csv, holidays.csv: every partition has them all.
 *
 * (1) UNION.  Every need of a unit for a person is listed as a pair
 * (person key, unit): a member with its household, a candidate with
 * itself, each `normal` person of a candidate's hukou_no with the
 * candidate.  Units that share a person key are joined (union-find, the
 * smallest unit id the root) and a component goes to one bucket, whole.
 * So all the households of a person are judged together (a rule that
 * counts them names the same other household, exactly as on the whole
 * registry), a candidate is judged beside the households of its hukou
 * household's members (whether any of them is on the rolls), and each person's feed rows are needed
 * by exactly one bucket.  A component is as large as the registry makes it
 * (a person in many households joins them all); a bucket is never split.
 *
 * (2) HUKOU_NO.  A hukou row goes to its person's bucket (when a unit
 * needs the person) and to the bucket of every unit whose head or whose
 * candidate has the row's hukou_no: the only rows that may go
 * to several buckets.  A row lists its buckets, and a batch that holds two
 * of them keeps it once, from the lowest.  Heads are over-approximated
 * (every member row with relation head, not only the first one kept), and
 * a hukou_no without a numeric code (model.h) is looked up by a 64-bit
 * hash: either way a bucket may get a hukou row it does not need, which no
 * unit there reads (the head's and the candidate's hukou household are
 * read only through their own head or candidate; members and candidates are joined to hukou by key).
 *
 * REGISTRY-WIDE FACTS come first, before any feed is read (partrun.c):
 * households and candidates stay in memory; members are read once, each
 * kept as (key, household, head?) in 16 bytes while its row is spilled;
 * hukou.csv is spilled into key buckets, each merged on its own by the
 * contract's rule (one row per person: normalise.c's finish_hukou), which
 * gives each head's and candidate's hukou_no; one more look at the merged
 * rows lists the persons of the candidates' hukou_nos.  Then the
 * union-find, the assignment (a component's bucket is a hash of its root,
 * modulo the number of buckets) and two lookup tables: person key ->
 * bucket, hukou_no -> buckets.  Only then are the large feeds read, each
 * row straight into its bucket's file; rows of persons no unit needs are
 * dropped, as join.c would never look them up.
 *
 * THE SAME OUTPUT AT ANY LIMIT AND THREAD COUNT.  A partition's rows are
 * read back in file order (a stable sort by line: rows that share a line
 * come from one chunk, parsed by one thread, and keep their order through
 * the files), so every feed reaches join.c and the rules as the rows of
 * its units would in a run that keeps everything.  The flags of all
 * partitions are sorted by the contract's total order (evaluate.h) before
 * the review queue and the sample are built from all of them (rank.c) on
 * the whole registry.  Rejects are the load's, in the load's order; member
 * repeats (normalise.c's rule) are found on the compact member list before
 * anything is judged, so the reject limit stops such a run at the same
 * place, with the same message.
 *
 * Owns: the pairs, the union-find, the assignment and the lookup tables.
 * Never reads a file (the callers feed it) and never judges a rule.
 */
#ifndef ENGINE_PARTITION_H
#define ENGINE_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "contract/model.h"

/* ---------- a table sorted by a 64-bit hash ---------- */

/* Several values per hash allowed, in the order they were given.  The
 * hashes are idx_hash64 of person keys or of hukou_no codes: a bijection,
 * so equal hashes mean equal keys.  A directory over the top bits makes a
 * lookup two cache misses. */
struct keytab {
    uint64_t *h;
    uint32_t *val;
    size_t n;
    uint32_t *dir;          /* [2^bits + 1]: first entry with those top bits */
    int bits;
};

/* An entry while a table is being made. */
struct kv {
    uint64_t h;
    uint32_t val;
    uint32_t aux;
};

/* Sort kv[0..n) by h (stable) and make t of it; with dedupe, an (h, val)
 * entry equal to the one before it (after the sort) is dropped.  kv is consumed (freed here, also on
 * error).  E_OK or E_NOMEM. */
int keytab_build(struct keytab *t, struct kv *kv, size_t n, int dedupe, struct err *e);
/* The entries of h: [*first, return value). */
size_t keytab_find(const struct keytab *t, uint64_t h, size_t *first);
void keytab_free(struct keytab *t);

/* The code of a hukou_no for the tables: its numeric code (model.h), or
 * 2^63 | XXH3-64 of the text. */
uint64_t part_hukou_no_code(const struct hukou *hk);

/* ---------- the plan ---------- */

/* What a pair says of its unit's need for the person. */
enum { NEED_MEMBER, NEED_HEAD, NEED_CANDIDATE, NEED_GROUP };

struct part_plan {
    uint32_t n_hh, n_cand;      /* units: households 0.., then candidates n_hh.. */
    int n_buckets;
    struct vec pairs;           /* struct kv: h = idx_hash64(key), val = unit, aux = NEED_* */
    struct keytab need;         /* the member and candidate pairs, for the hukou merge */
    struct vec facts;           /* struct kv: h = hukou_no code, val = unit (heads, candidates) */
    struct keytab cand_groups;  /* idx_hash64(hukou_no code) -> candidate unit */
    struct vec unions;          /* struct kv: units val and aux to join (the second
                                   look at hukou); applied by part_plan_assign */
    uint32_t *parent;           /* union-find over units */
    uint16_t *bucket;           /* per unit, after part_plan_assign */
    struct keytab keys;         /* idx_hash64(person key) -> bucket */
    struct keytab groups;       /* idx_hash64(hukou_no code) -> bucket, several */
    long long units_per_bucket_max;
};

/* At most this many buckets (a record lists its buckets in one byte). */
#define PART_MAX_BUCKETS 255

/* An empty plan for these units and buckets (1..PART_MAX_BUCKETS).  E_OK,
 * E_NOMEM. */
int part_plan_init(struct part_plan *pl, uint32_t n_hh, uint32_t n_cand, int n_buckets,
                   struct err *e);
void part_plan_free(struct part_plan *pl);

/* A need of unit for the person with key (not 0).  E_OK or E_NOMEM. */
int part_plan_need(struct part_plan *pl, uint64_t key, uint32_t unit, int need, struct err *e);
/* After the member and candidate needs: the table the hukou merge looks
 * them up in. */
int part_plan_need_done(struct part_plan *pl, struct err *e);

/* A merged hukou row (one per person): what its person's needs say of it
 * (a head's hukou_no, a candidate's when the candidate's row is
 * `normal`).  Call for every merged row, in any order, one thread
 * at a time. */
int part_plan_hukou(struct part_plan *pl, const struct hukou *hk, struct err *e);
/* After every merged row: the candidates' hukou_nos, for the next look. */
int part_plan_groups_done(struct part_plan *pl, struct err *e);
/* A merged hukou row again: a `normal` person of a candidate's hukou_no
 * is a need of that candidate (the joins it implies are kept in unions,
 * the person in pairs: an MPI run gathers both from every rank before
 * part_plan_assign). */
int part_plan_hukou_again(struct part_plan *pl, const struct hukou *hk, struct err *e);

/* Join the units, assign the buckets, make the lookup tables; the pairs
 * and facts are freed.  E_OK or E_NOMEM. */
int part_plan_assign(struct part_plan *pl, struct err *e);

/* The bucket of unit u. */
static inline int part_unit_bucket(const struct part_plan *pl, uint32_t u)
{
    return pl->bucket[u];
}
/* The bucket that needs the person, or -1. */
int part_key_bucket(const struct part_plan *pl, uint64_t key);
/* The buckets a merged hukou row goes to, ascending, into dest (room for
 * PART_MAX_BUCKETS); their number (0: no unit needs it). */
int part_hukou_dests(const struct part_plan *pl, const struct hukou *hk, uint16_t *dest);

#endif
