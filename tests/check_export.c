/* check_export.c - unit tests for audit/export.c: spreadsheet-safe cells.
 *
 * Owns: the export suite.  (The packs end to end: tests/review_test.sh.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/export.h"
#include "tests.h"

static char *render(void (*fn)(FILE *), size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    fn(f);
    fclose(f);
    return buf;
}

static void cells(FILE *f)
{
    xl_put(f, "=HYPERLINK(\"x\")", 1, 0);
    xl_put(f, "+1", 1, 0);
    xl_put(f, "-2", 1, 0);
    xl_put(f, "@SUM(A1)", 1, 0);
    xl_put(f, "\tx", 1, 0);
    xl_put(f, "\rx", 1, 0);
    xl_put(f, "a,b", 1, 0);
    xl_put(f, "plain", 1, 0);
    xl_put(f, "-5", 0, 1);
}

START_TEST(test_xl_put)
{
    size_t n;
    char *s = render(cells, &n);
    ck_assert_str_eq(s, "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-2\",\"'@SUM(A1)\",\"'\tx\","
                        "\"'\rx\",\"a,b\",plain,-5\r\n");
    free(s);
}
END_TEST

Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_xl_put);
    suite_add_tcase(s, tc);
    return s;
}
