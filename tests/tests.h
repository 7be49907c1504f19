/* tests.h - one check Suite per module; check_main.c runs them all.
 * CK_RUN_SUITE=<name> runs one suite (check's own variable). */
#ifndef HEDUI_TESTS_H
#define HEDUI_TESTS_H

#include <check.h>
#include <string.h>

#include "contract/catalogue.h"

/* Each suite lives in tests/check_<module>.c.  Declared weak so a module
 * whose suite is not written yet does not break the build; check_main.c
 * fails the run if an expected suite is missing. */
#define HEDUI_SUITES(X) \
    X(idcard) X(encoding) X(arena) X(date) X(load) X(normalise) X(policy) \
    X(calendar) X(evaluate) X(rank) X(join) X(pipeline) X(snapshot) \
    X(review) X(sort) X(index) X(lists) X(outdir) X(idmask) X(feedcheck) \
    X(fileio) X(csvread) X(utf8) X(textout) X(fingerprint) X(mask) X(export) X(rundir) \
    X(policy_parse) X(policy_check) X(policy_vm) X(explain) \
    X(cli_parse) X(sha256) X(serve) \
    X(partition) X(report_queue)

#define DECL_SUITE(name) Suite *name##_suite(void) __attribute__((weak));
HEDUI_SUITES(DECL_SUITE)
#undef DECL_SUITE

/* Path to the repository root (for fixtures); from HEDUI_TEST_ROOT or ".". */
const char *test_root(void);

/* The catalogue's index of a rule id (check_main.c loads rules/catalogue.rules). */
static inline int RID(const char *name)
{
    int r = rule_find(name, strlen(name));
    ck_assert_msg(r >= 0, "rule %s not in the catalogue", name);
    return r;
}

#endif
