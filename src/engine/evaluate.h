/* evaluate.h - stage 5: the rule catalogue applied to joined data.
 *
 * evaluate_run() judges every registry household (E, P and Q rules for
 * active/suspended/applying ones, L02 for cancelled ones) and every
 * candidate (L01), in parallel, and returns the flags sorted by the
 * contract's order (household_id, hukou_no, rule_id, id_no).  Each flag
 * carries its evidence: the feed, the record and the values compared.
 */
#ifndef ENGINE_EVALUATE_H
#define ENGINE_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/calendar.h"
#include "engine/join.h"
#include "engine/person.h"   /* struct eval_ctx */
#include "contract/model.h"
#include "contract/policy.h"


struct flag {
    int rule;                 /* enum rule_id */
    int severity;             /* enum severity, from the policy */
    uint32_t hh;              /* household index, HH_NONE for L01 */
    const char *household_id; /* "" for L01 */
    const char *hukou_no;     /* per the contract's key table */
    const char *id_no;        /* "" for household-level rules */
    const char *region;       /* household's, or candidate's for L01 */
    const char *unit_hukou_no;/* the head's (the candidate's for L01): review queue */
    const char *evidence;
    const char *evkey;        /* the evidence's key values, for the fingerprint:
                                 items ended by 0x1e, fields split by 0x1f */
    uint64_t fp;              /* fingerprint (review.c), 0 until computed */
    unsigned char held;       /* an auditor's verdict keeps it out of the queue */
};


struct eval_result {
    struct flag *flags;       /* sorted; malloc'd */
    size_t n_flags;
    struct arena *arenas;     /* per-thread arenas holding evidence text */
    int n_arenas;
    size_t rule_count[N_RULES];
    /* households and candidates with no standard (indexes), for the manifest */
    uint32_t *no_std_households;
    size_t n_no_std_households;
    uint32_t *no_std_candidates;
    size_t n_no_std_candidates;
    long long candidates_skipped_not_in_hukou;
    /* the rules language's policy that judged (engine/vm.h vm_run_dir): its
     * name ("reference", a pack's) and compiled hash (policy/lang.h
     * policy_hash); "" when evaluate.c judged */
    char policy_name[64];
    char policy_hash[17];
};

int evaluate_run(const struct eval_ctx *c, struct eval_result *r, struct err *e);
void eval_result_free(struct eval_result *r);

/* Evidenced income of a person: the sum over the policy's window of months
 * before the as-of month of max(employment, employee_pension_contrib) +
 * pension_benefit + unemployment_benefit, in fen (NOT divided by the window). */
int64_t evaluate_evidenced_sum(const struct eval_ctx *c, uint64_t key);

/* Financial assets of a person on the as-of date (financial_assets.csv):
 * for each account (institution and account_no, trimmed), the balance of
 * its row with the latest balance_date on or before the as-of date; two
 * such rows on that date: the larger.  Rows dated later are ignored; a
 * rejected row was never loaded, so an account's latest usable row is its
 * balance.  *sum in fen, *n_accounts the accounts counted.  E_OK or
 * E_NOMEM (a person with very many rows needs scratch memory). */
int evaluate_assets(const struct eval_ctx *c, uint64_t key, int64_t *sum, int *n_accounts,
                    struct err *e);

/* Byte order of the contract's flag sort. */
int flag_cmp(const void *a, const void *b);

#endif
