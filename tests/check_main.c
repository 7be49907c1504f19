/* check_main.c - runs every module's check suite in one SRunner.
 *
 * No OpenMP region may start in this process before srunner_run_all():
 * check forks each test and libgomp is not fork-safe. */
#include <stdio.h>
#include <stdlib.h>

#include "contract/catalogue.h"
#include "tests.h"

const char *test_root(void)
{
    const char *r = getenv("HEDUI_TEST_ROOT");
    return (r && *r) ? r : ".";
}

int main(void)
{
    /* the rule catalogue every suite names rules by (each test inherits it) */
    char path[1024];
    snprintf(path, sizeof path, "%s/rules/catalogue.rules", test_root());
    struct err e;
    err_init(&e);
    if (catalogue_load_file(path, 1, &e) != E_OK) {
        fprintf(stderr, "check_all: %s (set HEDUI_TEST_ROOT)\n", e.msg);
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(NULL);
    int missing = 0;
#define ADD_SUITE(name)                                               \
    if (name##_suite)                                                 \
        srunner_add_suite(sr, name##_suite());                        \
    else {                                                            \
        fprintf(stderr, "check_all: suite '%s' is missing\n", #name); \
        missing++;                                                    \
    }
    HEDUI_SUITES(ADD_SUITE)
#undef ADD_SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 && missing == 0) ? EXIT_SUCCESS : EXIT_FAILURE;
}
