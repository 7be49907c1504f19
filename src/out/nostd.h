/* nostd.h - the households and candidates of a run that have no standard
 * in force on the as-of date, grouped by region and area type.
 *
 * A region whose row is missing from standards.csv (or whose year has not
 * begun) silently loses the income and asset tests for every household in
 * it; the run says so (pipeline.c's count line, the no-standard quality
 * flags) and this table
 * says where: the manifest carries it ("no_standard": "by_region") and
 * report.html shows it, so staff see which standard to add.
 *
 * Owns: the grouping (region code, area type; sorted by both).  Never:
 * decides which households lack a standard (the evaluator does, in
 * struct eval_result) and never prints.
 */
#ifndef OUT_NOSTD_H
#define OUT_NOSTD_H

#include <stddef.h>

struct dataset;
struct eval_result;

/* How many households without a standard (and, apart, candidates) a page
 * names one by one; the counts and the groups by region are whole. */
#define NOSTD_SHOWN 200

struct nostd_region {
    const char *region;          /* the household's or candidate's region code */
    const char *area;            /* area type name ("urban", "rural", ...) */
    long long households, candidates;
};

/* The groups of er's households and candidates without a standard, into
 * *out (malloc'd; the caller frees it; NULL when there are none) and *n.
 * Returns 0, or -1 when out of memory (then *out is NULL, *n 0). */
int nostd_by_region(const struct dataset *d, const struct eval_result *er,
                    struct nostd_region **out, size_t *n);

#endif
