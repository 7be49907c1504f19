/* rank.h - stage 6: the monthly review list and the spot-check sample.
 *
 * review_queue: every household (or, for a candidate, hukou household) with at
 * least one high or medium flag, scored by the weights of the distinct
 * rules that fired for it (all severities), ranked within its township.
 * spotcheck: active/suspended households approved in the as-of month on or
 * before the as-of date, ceil(ratio x approved) per township and program,
 * chosen by a seeded hash of the household_id, independent of the flags.
 */
#ifndef ENGINE_RANK_H
#define ENGINE_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "engine/evaluate.h"
#include "contract/model.h"
#include "contract/policy.h"

struct queue_row {
    char township[10];
    long rank;
    const char *household_id;
    const char *hukou_no;
    int score;
    const char *rule_ids;   /* the rule ids joined by ';', in struct ranked's text */
};

struct spot_row {
    char township[10];
    int program;
    const char *household_id;
    char reason[160];
};

struct ranked {
    struct queue_row *queue;
    size_t n_queue;
    char *queue_text;       /* the queue rows' rule_ids, one after another */
    struct spot_row *spot;
    size_t n_spot;
};

int rank_build(const struct dataset *d, const struct policy *p, const struct eval_result *er,
               int as_of, uint64_t seed, struct ranked *out, struct err *e);
void ranked_free(struct ranked *r);

/* The seeded draw order of a household id (exposed for tests). */
uint64_t rank_draw_key(const char *household_id, uint64_t seed);

#endif
