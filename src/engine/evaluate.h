/* evaluate.h - stage 5's result: the flags a policy raised, and what the
 * rules read.
 *
 * The rules are written in the rules language (rules/ *.policy,
 * rules/README.md) and run by engine/vm.h; pipeline_judge (pipeline.h)
 * is the one entry point.  This header holds what the judging hands on:
 * struct eval_result, every flag sorted by the contract's order
 * (household_id, hukou_no, rule_id, id_no), each with its evidence (the
 * feed, the record and the values compared) and the key values of its
 * fingerprint; and struct eval_ctx, the data a policy is judged on.
 */
#ifndef ENGINE_EVALUATE_H
#define ENGINE_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "contract/model.h"
#include "contract/policy.h"
#include "engine/calendar.h"
#include "engine/join.h"

/* "no household": a flag about a candidate has none. */
#define HH_NONE UINT32_MAX

/* What the rules read: the dataset, its indexes, the run settings, the
 * calendar, the as-of day and which optional feeds are present. */
struct eval_ctx {
    const struct dataset *d;
    const struct join *j;
    const struct policy *p;
    const struct calendar *cal;
    int as_of;
    int have[N_INPUT];        /* optional feed present? */
};

struct flag {
    int rule;                 /* the catalogue's index of the rule */
    int severity;             /* enum severity, from the policy */
    uint32_t hh;              /* household index, HH_NONE for a candidate */
    const char *household_id; /* "" for a candidate */
    const char *hukou_no;     /* per the contract's key table */
    const char *id_no;        /* "" for household-level rules */
    const char *region;       /* household's, or the candidate's */
    const char *unit_hukou_no;/* the head's (the candidate's): review queue */
    const char *evidence;
    const char *evkey;        /* the evidence's key values, for the fingerprint:
                                 items ended by 0x1e, fields split by 0x1f */
    uint64_t fp;              /* fingerprint (review.c), 0 until computed */
    unsigned char held;       /* an auditor's verdict keeps it out of the queue */
};


/* Which policy judged: the same for every batch of a --memory-limit run
 * and every rank of hedui-mpi, so a gathered result copies it whole from
 * one judged part (pipeline.c judge_partitioned, mpi/mpigather.c). */
struct judged_by {
    /* the rules language's policy (engine/vm.h vm_run_dir): its name
     * ("reference", a pack's) and compiled hash (policy/lang.h
     * policy_hash); "" when not recorded */
    char policy_name[64];
    char policy_hash[17];
    int severity[RULES_MAX];   /* each rule's severity in it, SEV_OFF when it is
                                  off or not written (report.html) */
};

struct eval_result {
    struct flag *flags;       /* sorted; malloc'd */
    size_t n_flags;
    struct arena *arenas;     /* per-thread arenas holding evidence text */
    int n_arenas;
    size_t rule_count[RULES_MAX];
    /* households and candidates with no standard (indexes), for the manifest */
    uint32_t *no_std_households;
    size_t n_no_std_households;
    uint32_t *no_std_candidates;
    size_t n_no_std_candidates;
    long long candidates_skipped_not_in_hukou;
    struct judged_by by;
};

void eval_result_free(struct eval_result *r);

/* Byte order of the contract's flag sort. */
int flag_cmp(const void *a, const void *b);

#endif
