/* catalogue.c - the rule catalogue's table and its columns (see catalogue.h).
 *
 * Owns: the rule ids, kinds, scopes, optional feeds, reference severities
 * and labels, all written once in RULE_CATALOGUE.  Never judges a rule and
 * never reads the policy.
 */
#include "contract/catalogue.h"

#include <stdio.h>

const struct rule_def rule_catalogue[N_RULES] = {
#define RULE_ROW(id, name, kind, scope, feed, sev, zh) [R_##id] = {name, kind, scope, feed, sev, zh},
    RULE_CATALOGUE(RULE_ROW)
#undef RULE_ROW
};

/* Columns of the table as plain arrays, for the many readers that only
 * want a rule's name or kind. */
const char *const rule_names[N_RULES] = {
#define RULE_NAME(id, name, kind, scope, feed, sev, zh) [R_##id] = name,
    RULE_CATALOGUE(RULE_NAME)
#undef RULE_NAME
};

const enum rule_kind rule_kinds[N_RULES] = {
#define RULE_KIND(id, name, kind, scope, feed, sev, zh) [R_##id] = kind,
    RULE_CATALOGUE(RULE_KIND)
#undef RULE_KIND
};

const char *const kind_names[4] = {"cuobao", "loubao", "quality", "process"};
const char *const severity_names[N_SEV] = {"high", "medium", "low"};
const char *const severity_names_zh[N_SEV] = {"高", "中", "低"};

const char *rule_label_zh(int rule)
{
    return rule >= 0 && rule < N_RULES ? rule_catalogue[rule].label_zh : "";
}

void rule_skip_notes(struct skip_notes *s, const char *const why[N_INPUT])
{
    s->n = 0;
    for (int r = 0; r < N_RULES; r++) {
        int f = rule_catalogue[r].feed;
        if (f == RULE_NO_FEED || !why[f])
            continue;
        snprintf(s->text[s->n], sizeof s->text[s->n], "%s: %s %s", rule_names[r],
                 input_file_names[f], why[f]);
        s->list[s->n] = s->text[s->n];
        s->n++;
    }
    s->list[s->n] = NULL;
}
