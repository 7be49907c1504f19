/* policy.h - the policy: the run settings of rules/policy.rules, and where
 * the rules themselves are.
 *
 * Policy lives in data, not code.  rules/policy.rules is a small INI-like
 * text (grammar in rules/README.md) that policy staff review: the run's
 * settings (reject and feed-drop limits, income window, review-queue
 * weights, spot-check ratios, the check's snapshot age); a bad file is
 * refused with file:line and the reason.  The rules, with their numbers
 * and severities, are written in the rules language (the *.policy file of
 * the rules directory, rules/README.md); struct policy says where that
 * file is, or holds its text (a snapshot's copy).  standards.csv and
 * holidays.csv sit beside policy.rules and are loaded like any input
 * (normalise.c).
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

/* A policy file's text held in memory (a snapshot's copy of the rules). */
struct policy_text {
    const char *path;   /* as it was read, for messages; its file name
                           answers `extends NAME` (NAME.policy) */
    const char *text;
    size_t len;
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
    int snapshot_max_age_days;     /* check: warn when the snapshot's feeds are older */
    int weight[N_SEV];
    struct rational spot_ratio[N_PROG];

    /* The rules: the one *.policy file of rules_dir (a pack's own
     * directory), or, when n_texts > 0, the files of texts[] (texts[0] the
     * one judged; a snapshot's copy, owned by the snapshot).  Empty
     * rules_dir and no texts: the directory of policy.rules. */
    char rules_dir[512];
    const struct policy_text *texts;
    int n_texts;
};

/* Parse `path` into *p.  Every key must be present exactly once.
 * Errors: E_NOINPUT, E_IO, E_CONFIG with e's place set to file:line.
 * p->rules_dir is left empty (the caller says where the rules are). */
int policy_load(struct policy *p, const char *path, struct err *e);

/* Parse a decimal ("1.5", "10%") into a rational; 0 or -1. */
int rational_parse(const char *s, struct rational *out);

#endif
