/* policy.h - the policy: thresholds, factors, weights and ratios from rules/.
 *
 * Policy lives in data, not code.  rules/policy.rules is a small INI-like
 * text (grammar in rules/README.md) that policy staff review; every value
 * of the reference policy is a key there, and a bad file is refused with
 * file:line and the reason.  standards.csv and holidays.csv sit beside it
 * and are loaded like any input (normalise.c).
 */
#ifndef ENGINE_RULES_H
#define ENGINE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "contract/catalogue.h"
#include "contract/model.h"

struct rational {
    int64_t num, den;   /* den > 0 */
};

struct policy {
    char version[64];
    char hash[17];                 /* XXH64 of the policy file, hex */
    char path[512];
    /* the rules language's policy judged with (its name and compiled hash,
     * policy/lang.h policy_hash), set by whoever compiled it ("" if none:
     * `hedui index build` stores them in the snapshot) */
    char lang_name[64];
    char lang_hash[17];

    struct rational reject_limit;  /* rejected rows / data rows, per file */
    struct rational feed_drop_limit; /* a feed whose data rows fell by more than this
                                    * share since the previous run stops it */
    int income_months;             /* months before the as-of month */
    struct rational factor[N_PROG];

    unsigned vehicle_classes;      /* bit per enum vclass: E03 looks at these */
    unsigned vehicle_exempt_uses;  /* bit per enum vuse */
    int64_t vehicle_exempt_max_fen;
    int min_residential;           /* E04: this many distinct held residential titles */
    unsigned commercial_usages;    /* E05: bit per enum usage */
    int64_t max_area_h;            /* E06: hundredths of m2 per person */
    unsigned business_roles;       /* E07: bit per enum brole */
    unsigned business_statuses;    /* E07: bit per enum bstatus */
    int max_working_days;          /* P01 */
    int snapshot_max_age_days;     /* check: warn when the snapshot's feeds are older */
    int adult_age;                 /* E11 */
    int assets_months;             /* E13, L01: months of the standard per person */

    int severity[N_RULES];         /* enum severity, or SEV_OFF */
    int weight[N_SEV];
    struct rational spot_ratio[N_PROG];
};

/* Parse `path` into *p.  Every key must be present exactly once.
 * Errors: E_NOINPUT, E_IO, E_CONFIG with e's place set to file:line. */
int policy_load(struct policy *p, const char *path, struct err *e);

/* Parse a decimal ("1.5", "10%") into a rational; 0 or -1. */
int rational_parse(const char *s, struct rational *out);

#endif
