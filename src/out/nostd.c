/* nostd.c - households and candidates without a standard, by region and
 * area type (see nostd.h).
 *
 * Owns: one sorted table built from the evaluator's lists.  Never: judges,
 * prints or writes a file.
 */
#include "out/nostd.h"

#include <stdlib.h>
#include <string.h>

#include "contract/model.h"
#include "engine/evaluate.h"

static int cmp_group(const void *a, const void *b)
{
    const struct nostd_region *x = a, *y = b;
    int c = strcmp(x->region, y->region);
    return c ? c : strcmp(x->area, y->area);
}

int nostd_by_region(const struct dataset *d, const struct eval_result *er,
                    struct nostd_region **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t total = er->n_no_std_households + er->n_no_std_candidates;
    if (total == 0)
        return 0;
    struct nostd_region *v = malloc(total * sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < er->n_no_std_households; i++) {
        const struct household *h =
            &VEC_AT(d->households, struct household, er->no_std_households[i]);
        v[k++] = (struct nostd_region){h->region, area_names[h->area], 1, 0};
    }
    for (size_t i = 0; i < er->n_no_std_candidates; i++) {
        const struct candidate *c =
            &VEC_AT(d->candidates, struct candidate, er->no_std_candidates[i]);
        v[k++] = (struct nostd_region){c->region, area_names[c->area], 0, 1};
    }
    qsort(v, k, sizeof *v, cmp_group);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m && cmp_group(&v[m - 1], &v[i]) == 0) {
            v[m - 1].households += v[i].households;
            v[m - 1].candidates += v[i].candidates;
        } else
            v[m++] = v[i];
    }
    *out = v;
    *n = m;
    return 0;
}
