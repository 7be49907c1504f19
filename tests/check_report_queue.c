/* check_report_queue.c - unit tests for audit/report_queue.c.
 *
 * Owns: the report_queue suite: the data block of report.html for a queue
 * large enough to be rendered in parts (town indices carried across the
 * parts, rows in queue order, IDs masked), the same bytes at one and at
 * two threads, and the rows of a small queue (one pass) equal to the first
 * rows of a large one.
 */
#include <jansson.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/report_queue.h"
#include "tests.h"

#define NQ 5000
#define PER_TOWN 37   /* rows per township: part boundaries fall inside towns */

static struct rep_queue_row rows[NQ];
static struct rep_flag flags[2 * NQ];
static char hh[NQ][16];

static void make_queue(struct rep_queue *q, size_t n)
{
    for (size_t i = 0; i < NQ; i++) {
        snprintf(rows[i].township, sizeof rows[i].township, "61010%04zu", i / PER_TOWN);
        rows[i].rank = (long)(i % PER_TOWN) + 1;
        rows[i].score = (int)(1000 - i % PER_TOWN);
        snprintf(hh[i], sizeof hh[i], "HH%06zu", i);
        rows[i].household_id = hh[i];
        rows[i].hukou_no = "HK-1";
        rows[i].flag0 = 2 * i;
        rows[i].n_flag = 2;
        for (int k = 0; k < 2; k++) {
            struct rep_flag *g = &flags[2 * i + (size_t)k];
            memset(g, 0, sizeof *g);
            g->rule = k == 0 ? 0 : -1;
            g->rule_id = k == 0 ? rule_names[0] : "Z99_LOCAL";
            g->severity = k;
            g->change = -1;
            g->id_no = "110105194912310021";
            g->hukou_no = "HK-1";
            g->evidence = "成员 110105194912310021 人均收入 1234.56 元 <b>&";
        }
    }
    *q = (struct rep_queue){.n_total = (long long)n, .rows = rows, .n_rows = n,
                            .flags = flags, .n_flags = 2 * n};
}

static char *render(const struct rep_queue *q, int threads, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    ck_assert_ptr_nonnull(f);
    omp_set_num_threads(threads);
    report_queue_section(f, q);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

/* The text of the q array: from after "\"q\":[\n" to before "\n]}". */
static char *q_text(const char *page, size_t *n)
{
    const char *a = strstr(page, "\"q\":[\n");
    ck_assert_ptr_nonnull(a);
    a += 6;
    const char *b = strstr(a, "\n]}</script>");
    ck_assert_ptr_nonnull(b);
    *n = (size_t)(b - a);
    return (char *)a;
}

START_TEST(test_parts_parse)
{
    struct rep_queue q;
    make_queue(&q, NQ);
    size_t len;
    char *page = render(&q, 2, &len);
    ck_assert_ptr_null(strstr(page, "19491231"));
    const char *a = strstr(page, "id=\"hedui-data\">");
    ck_assert_ptr_nonnull(a);
    a += strlen("id=\"hedui-data\">");
    const char *b = strstr(a, "</script>");
    json_error_t je;
    json_t *d = json_loadb(a, (size_t)(b - a), 0, &je);
    ck_assert_msg(d != NULL, "data block is not JSON: %s (line %d)", je.text, je.line);
    json_t *qa = json_object_get(d, "q"), *towns = json_object_get(d, "towns");
    ck_assert_uint_eq(json_array_size(qa), NQ);
    ck_assert_uint_eq(json_array_size(towns), (NQ + PER_TOWN - 1) / PER_TOWN);
    for (size_t i = 0; i < NQ; i++) {
        json_t *r = json_array_get(qa, i);
        long town = (long)json_integer_value(json_array_get(r, 0));
        ck_assert_int_eq(town, (long)(i / PER_TOWN));
        ck_assert_str_eq(json_string_value(json_array_get(towns, (size_t)town)),
                         rows[i].township);
        ck_assert_int_eq(json_integer_value(json_array_get(r, 1)), rows[i].rank);
        ck_assert_str_eq(json_string_value(json_array_get(r, 2)), hh[i]);
        json_t *f1 = json_array_get(json_array_get(r, 5), 1);
        ck_assert_str_eq(json_string_value(json_array_get(f1, 0)), "Z99_LOCAL");
        ck_assert_str_eq(json_string_value(json_array_get(f1, 4)), "110105********0021");
        ck_assert_str_eq(json_string_value(json_array_get(f1, 6)),
                         "成员 110105********0021 人均收入 1234.56 元 <b>&");
    }
    json_decref(d);
    free(page);
}
END_TEST

START_TEST(test_threads_same_bytes)
{
    struct rep_queue q;
    make_queue(&q, NQ);
    size_t l1, l2;
    char *p1 = render(&q, 1, &l1), *p2 = render(&q, 2, &l2);
    ck_assert_uint_eq(l1, l2);
    ck_assert(memcmp(p1, p2, l1) == 0);
    free(p1);
    free(p2);
}
END_TEST

/* A queue below the parts' minimum is written in one pass: its rows are
 * the first rows of the large queue's, byte for byte. */
START_TEST(test_small_is_prefix)
{
    struct rep_queue big, small;
    make_queue(&big, NQ);
    size_t lb, ls, nb, ns;
    char *pb = render(&big, 2, &lb);
    make_queue(&small, 1000);
    char *ps = render(&small, 2, &ls);
    const char *qb = q_text(pb, &nb), *qs = q_text(ps, &ns);
    ck_assert_uint_lt(ns, nb);
    ck_assert(memcmp(qb, qs, ns) == 0);
    ck_assert(qb[ns] == ',' && qb[ns + 1] == '\n');
    free(pb);
    free(ps);
}
END_TEST

Suite *report_queue_suite(void)
{
    Suite *s = suite_create("report_queue");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parts_parse);
    tcase_add_test(tc, test_threads_same_bytes);
    tcase_add_test(tc, test_small_is_prefix);
    suite_add_tcase(s, tc);
    return s;
}
