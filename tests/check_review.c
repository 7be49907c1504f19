/* check_review.c - unit tests for audit/review.c, review_import.c and
 * statedir.c: checking an auditors' file, the state directory's files read
 * back as written, importing into a state, and marking a run's flags
 * new/persisting/resolved/held.
 *
 * Owns: the review suite.  Files only in a private temporary directory per
 * test; stderr (the listed bad rows) goes to a file there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/review.h"
#include "base/date.h"
#include "base/fileio.h"
#include "tests.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hedui-check-review-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char *slurp(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *b = NULL;
    size_t n;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(fileio_read_all(path, &b, &n, &e), E_OK);
    return b;
}

static int today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static const uint64_t KNOWN[] = {0x1111111111111111ull, 0x2222222222222222ull,
                                 0x00c0ffee12345678ull};

static int known(const void *ctx, uint64_t fp)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++)
        if (KNOWN[i] == fp)
            return 1;
    return 0;
}

START_TEST(test_import_read_good)
{
    /* a BOM, CRLF, columns in another order, an extra column, a quoted
     * note, a spreadsheet's ="..." and '..., YYYY/M/D, upper-case hex, a
     * row with no verdict yet */
    put("v.csv", "\xEF\xBB\xBFnote,reviewed_on,outcome,fingerprint,reviewer,extra\r\n"
                 "\"sold, see \"\"r\"\"\",2026-01-02,cleared,=\"1111111111111111\",王审计,x\r\n"
                 ",2026/1/3, confirmed ,'2222222222222222, 李 ,\r\n"
                 ",,,00C0FFEE12345678,,\r\n"
                 ",2026-01-04,referred,00C0FFEE12345678,赵,\r\n");
    char path[128];
    snprintf(path, sizeof path, "%s/v.csv", dir);
    struct import_check chk = {"S", known, NULL, today(), NULL, NULL, "no keys"};
    struct arena a;
    arena_init(&a, 4096);
    struct review_verdict *v = NULL;
    size_t n = 0, skipped = 0;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(review_import_read(path, &chk, &a, &v, &n, &skipped, &e), E_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(skipped, 1);
    ck_assert_uint_eq(v[0].fp, 0x1111111111111111ull);
    ck_assert_int_eq(v[0].outcome, OC_CLEARED);
    ck_assert_str_eq(v[0].reviewer, "王审计");
    ck_assert_str_eq(v[0].note, "sold, see \"r\"");
    ck_assert_str_eq(v[0].reviewed_on, "2026-01-02");
    ck_assert_int_eq(v[0].line, 2);
    ck_assert_uint_eq(v[1].fp, 0x2222222222222222ull);
    ck_assert_int_eq(v[1].outcome, OC_CONFIRMED);
    ck_assert_str_eq(v[1].reviewer, "李");
    ck_assert_str_eq(v[1].reviewed_on, "2026-01-03");
    ck_assert_int_eq(v[2].outcome, OC_REFERRED);
    ck_assert_int_eq(v[2].line, 5);
    free(v);
    arena_free(&a);
}
END_TEST

START_TEST(test_import_read_bad)
{
    put("v.csv", "fingerprint,outcome,reviewer,reviewed_on\n"
                 "1111111111111111,cleared,w,2026-01-02\n"        /* 2: good */
                 "2222222222222222,approved,w,2026-01-02\n"       /* 3: outcome */
                 "3333333333333333,cleared,w,2026-01-02\n"        /* 4: not a finding */
                 "1.23457E+15,cleared,w,2026-01-02\n"             /* 5: a number */
                 "xyz,cleared,w,2026-01-02\n"                     /* 6: not hex */
                 "1111111111111111,confirmed,w,2026-01-03\n"      /* 7: twice */
                 "2222222222222222,cleared,,2026-01-02\n"         /* 8: no reviewer */
                 "2222222222222222,cleared,w,2026-13-01\n"        /* 9: date */
                 "2222222222222222,cleared,w,2999-01-01\n"        /* 10: future */
                 "2222222222222222,cleared,w\n"                   /* 11: fields */
                 ",cleared,w,2026-01-02\n");                      /* 12: empty fp */
    char path[128], errpath[128];
    snprintf(path, sizeof path, "%s/v.csv", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    ck_assert_ptr_nonnull(freopen(errpath, "w", stderr));
    struct import_check chk = {"the state", known, NULL, today(), NULL, NULL, "no keys"};
    struct arena a;
    arena_init(&a, 4096);
    struct review_verdict *v = (struct review_verdict *)1;
    size_t n = 9, skipped = 9;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(review_import_read(path, &chk, &a, &v, &n, &skipped, &e), E_DATA);
    fflush(stderr);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(e.msg, "10 bad rows (listed above); nothing was imported: fix them and "
                            "import it again");
    char *err = slurp("stderr.txt");
    static const char *const want[] = {
        ":3: outcome 'approved' is not confirmed",
        ":4: fingerprint 3333333333333333 is not a finding of any run recorded in the state",
        ":5: fingerprint '1.23457E+15' looks converted to a number",
        ":6: 'xyz' is not a fingerprint",
        ":7: fingerprint 1111111111111111 is also on line 2",
        ":8: reviewer is empty",
        ":9: reviewed_on '2026-13-01' is not a date",
        ":10: reviewed_on 2999-01-01 is after today",
        ":11: has 3 fields, the header has 4",
        ":12: fingerprint is empty",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(err, want[i]), "stderr lacks [%s]: %s", want[i], err);
    ck_assert_ptr_null(strstr(err, ":2:"));
    free(err);
    /* without recorded runs a fingerprint is checked for form only */
    chk.known = NULL;
    put("v.csv", "fingerprint,outcome,reviewer,reviewed_on\n3333333333333333,cleared,w,2026-01-02\n");
    err_init(&e);
    ck_assert_int_eq(review_import_read(path, &chk, &a, &v, &n, &skipped, &e), E_OK);
    ck_assert_uint_eq(n, 1);
    free(v);
    /* a missing column is the file's error, not a bad row */
    put("v.csv", "fingerprint,outcome,reviewer\n");
    err_init(&e);
    ck_assert_int_eq(review_import_read(path, &chk, &a, &v, &n, &skipped, &e), E_PARSE);
    ck_assert_str_eq(e.msg, "missing column(s): reviewed_on (a township pack has 核查键, "
                            "核查结论, 核查人, 核查日期 instead)");
    arena_free(&a);
}
END_TEST

START_TEST(test_statedir_roundtrip)
{
    char sd[128];
    snprintf(sd, sizeof sd, "%s/S", dir);
    struct err e;
    err_init(&e);
    ck_assert_int_eq(statedir_exists(sd, &e), E_NOINPUT);
    int fd = -1;
    err_init(&e);
    ck_assert_int_eq(statedir_lock(sd, &fd, &e), E_OK);   /* creates it, mode 0700 */
    statedir_unlock(fd);
    struct stat sb;
    ck_assert_int_eq(stat(sd, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0700);
    ck_assert_int_eq(statedir_exists(sd, &e), E_OK);
    /* nothing recorded yet: empty, not an error */
    struct arena a;
    arena_init(&a, 4096);
    struct prev_flag *pf = NULL;
    struct history_row *h = NULL;
    struct disp_row *d = NULL;
    size_t n = 9;
    ck_assert_int_eq(statedir_read_findings(sd, &a, &pf, &n, &e), E_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(statedir_read_history(sd, &h, &n, &e), E_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(statedir_read_dispositions(sd, &a, &d, &n, &e), E_OK);
    ck_assert_uint_eq(n, 0);
    /* dispositions: two imports, read back in order */
    struct review_verdict v1[] = {{0x1111111111111111ull, OC_CLEARED, "2026-01-02", "王", "a,b", 2}};
    struct review_verdict v2[] = {{0x1111111111111111ull, OC_REFERRED, "2026-01-05", "li", "", 7}};
    ck_assert_int_eq(statedir_write_dispositions(sd, NULL, 0, v1, 1, "T1", "f1.csv", &e), E_OK);
    ck_assert_int_eq(statedir_read_dispositions(sd, &a, &d, &n, &e), E_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(statedir_write_dispositions(sd, d, n, v2, 1, "T2", "f2.csv", &e), E_OK);
    free(d);
    ck_assert_int_eq(statedir_read_dispositions(sd, &a, &d, &n, &e), E_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(d[0].outcome, OC_CLEARED);
    ck_assert_str_eq(d[0].fields[4], "a,b");
    ck_assert_str_eq(d[0].fields[6], "f1.csv:2");
    ck_assert_int_eq(d[1].outcome, OC_REFERRED);
    ck_assert_str_eq(d[1].fields[5], "T2");
    ck_assert_uint_eq(d[1].seq, 1);
    free(d);
    char *text = slurp("S/dispositions.csv");
    ck_assert_str_eq(text, "fingerprint,outcome,reviewer,reviewed_on,note,imported_at,source\n"
                           "1111111111111111,cleared,王,2026-01-02,\"a,b\",T1,f1.csv:2\n"
                           "1111111111111111,referred,li,2026-01-05,,T2,f2.csv:7\n");
    free(text);
    /* history: unknown counts stay unknown */
    struct history_row hw[2];
    memset(hw, 0, sizeof hw);
    for (int i = 0; i < 2; i++) {
        hw[i].run = i + 1;
        memcpy(hw[i].as_of, i ? "2026-06-11" : "2026-06-10", 11);
        hw[i].flags = 10 + i;
        hw[i].new_ = i ? 3 : -1;
        hw[i].persisting = hw[i].resolved = i ? 1 : -1;
        hw[i].queue = 4;
        hw[i].held = -1;
        for (int r = 0; r < n_rules; r++)
            hw[i].rule_count[r] = r;
    }
    ck_assert_int_eq(statedir_write_history(sd, hw, 2, &e), E_OK);
    text = slurp("S/history.csv");
    ck_assert_ptr_nonnull(strstr(text, "\n1,2026-06-10,,10,,,,4,,0,1,2,"));   /* -1: empty */
    ck_assert_ptr_nonnull(strstr(text, "\n2,2026-06-11,,11,3,1,1,4,,0,1,2,"));
    free(text);
    ck_assert_int_eq(statedir_read_history(sd, &h, &n, &e), E_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(h[1].run, 2);
    ck_assert_str_eq(h[1].as_of, "2026-06-11");
    ck_assert_int_eq(h[1].flags, 11);
    ck_assert_int_eq(h[1].new_, 3);
    ck_assert_int_eq(h[1].queue, 4);
    ck_assert_int_eq(h[1].rule_count[n_rules - 1], n_rules - 1);
    ck_assert_int_eq(statedir_last_run(NULL, 0, h, n), 2);
    free(h);
    arena_free(&a);
    ck_assert_int_eq(sb.st_mode & 0777, 0700);
}
END_TEST

static struct flag mkflag(int rule, const char *hh, const char *id, const char *key)
{
    struct flag f;
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.severity = SEV_HIGH;
    f.household_id = hh;
    f.hukou_no = "HK1";
    f.id_no = id;
    f.region = "610102001001";
    f.unit_hukou_no = "HK1";
    f.evidence = "e";
    f.evkey = key;
    return f;
}

START_TEST(test_mark)
{
    /* three flags now; the previous run had the first and one more */
    struct flag fl[3] = {mkflag(RID("E03_VEHICLE"), "HH1", "A", "car\x1e"), mkflag(RID("E03_VEHICLE"), "HH2", "B", "car\x1e"),
                         mkflag(RID("E05_COMMERCIAL_PROPERTY"), "HH3", "C", "")};
    struct eval_result er;
    memset(&er, 0, sizeof er);
    er.flags = fl;
    er.n_flags = 3;
    char hex0[17], hex_gone[17];
    review_fp_hex(review_fingerprint(&fl[0]), hex0);
    struct flag gone = mkflag(RID("E03_VEHICLE"), "HH0", "Z", "old\x1e");
    review_fp_hex(review_fingerprint(&gone), hex_gone);
    char hex1[17];
    review_fp_hex(review_fingerprint(&fl[1]), hex1);
    struct review *rv = NULL;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(review_open(&rv, NULL, NULL, &e), E_OK);
    const char *c0[7] = {"E03_VEHICLE", "high", "HH1", "HK1", "A", "610102001001", "e"};
    const char *cg[7] = {"E03_VEHICLE", "high", "HH0", "HK1", "Z", "610102001001", "old"};
    ck_assert_int_eq(review_add_prev(rv, 0, hex0, c0, &e), E_OK);
    ck_assert_int_eq(review_add_prev(rv, 0, hex_gone, cg, &e), E_OK);
    ck_assert_int_eq(review_add_disp(rv, hex1, "cleared", "w", "2026-01-02", "", &e), E_OK);
    ck_assert_int_eq(review_add_disp(rv, "xyz", "cleared", "w", "2026-01-02", "", &e), E_PARSE);
    err_init(&e);
    review_sort_added(rv, 1);
    ck_assert_int_eq(review_mark(rv, &er, &e), E_OK);
    ck_assert_uint_eq(fl[0].fp, review_fingerprint(&fl[0]));
    ck_assert_int_eq(rv->change[0], CH_PERSISTING);
    ck_assert_int_eq(rv->change[1], CH_NEW);
    ck_assert_int_eq(rv->change[2], CH_NEW);
    ck_assert_int_eq(rv->n_new, 2);
    ck_assert_int_eq(rv->n_persisting, 1);
    ck_assert_uint_eq(rv->n_resolved, 1);
    ck_assert_str_eq(rv->prev[rv->resolved[0]].household_id, "HH0");
    /* the verdict holds the second flag out of the queue */
    ck_assert_int_eq(fl[0].held, 0);
    ck_assert_int_eq(fl[1].held, 1);
    ck_assert_int_eq(rv->outcome[1], OC_CLEARED);
    ck_assert_int_eq(rv->n_held[OC_CLEARED], 1);
    ck_assert_int_eq(rv->n_held[OC_NONE], 2);
    review_free(rv);
}
END_TEST

START_TEST(test_import_into_state)
{
    /* a state with one recorded finding; two imports; the later verdict is
     * in force, and a bad file changes nothing */
    char sd[128], path[128];
    snprintf(sd, sizeof sd, "%s/S", dir);
    mkdir(sd, 0700);
    put("S/findings.csv", "fingerprint,rule_id,severity,household_id,hukou_no,id_no,"
                          "region_code,first_run,last_run,first_seen,last_seen,evidence\n"
                          "1111111111111111,E03_VEHICLE,high,HH1,HK1,A,610102001001,1,1,"
                          "2026-06-15,2026-06-15,e\n");
    put("a.csv", "fingerprint,outcome,reviewer,reviewed_on\n1111111111111111,cleared,w,2026-01-02\n");
    put("b.csv", "fingerprint,outcome,reviewer,reviewed_on\n1111111111111111,confirmed,v,2026-01-03\n");
    put("bad.csv", "fingerprint,outcome,reviewer,reviewed_on\n2222222222222222,confirmed,v,2026-01-03\n");
    char outpath[128];
    snprintf(outpath, sizeof outpath, "%s/stdout.txt", dir);
    ck_assert_ptr_nonnull(freopen(outpath, "w", stdout));
    snprintf(outpath, sizeof outpath, "%s/stderr.txt", dir);
    ck_assert_ptr_nonnull(freopen(outpath, "w", stderr));
    struct err e;
    err_init(&e);
    snprintf(path, sizeof path, "%s/a.csv", dir);
    ck_assert_int_eq(review_import(path, sd, NULL, 0, 0, &e), E_OK);
    snprintf(path, sizeof path, "%s/b.csv", dir);
    ck_assert_int_eq(review_import(path, sd, NULL, 1, 0, &e), E_OK);   /* dry run */
    ck_assert_int_eq(review_import(path, sd, NULL, 0, 0, &e), E_OK);
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    ck_assert_int_eq(review_import(path, sd, NULL, 0, 0, &e), E_DATA);
    fflush(stdout);
    char *out = slurp("stdout.txt");
    ck_assert_ptr_nonnull(strstr(out, "imported 1 verdict from"));
    ck_assert_ptr_nonnull(strstr(out, "checked 1 verdict from"));
    free(out);
    struct review *rv = NULL;
    err_init(&e);
    ck_assert_int_eq(review_open(&rv, NULL, sd, &e), E_OK);
    ck_assert_uint_eq(rv->n_disp, 1);
    ck_assert_int_eq(rv->disp[0].outcome, OC_CONFIRMED);
    ck_assert_str_eq(rv->disp[0].reviewer, "v");
    ck_assert_uint_eq(rv->n_known, 1);
    ck_assert_ptr_nonnull(review_known(rv, 0x1111111111111111ull));
    ck_assert_ptr_null(review_known(rv, 0x2222222222222222ull));
    ck_assert_int_eq(rv->compare, 1);
    ck_assert_int_eq(rv->prev_run, 1);
    ck_assert_uint_eq(rv->n_prev, 1);
    review_free(rv);
    char *text = slurp("S/dispositions.csv");
    int lines = 0;
    for (const char *q = text; *q; q++)
        lines += *q == '\n';
    ck_assert_int_eq(lines, 3);   /* header + 2 rows */
    free(text);
}
END_TEST

START_TEST(test_in_force_by_reviewed_on)
{
    /* the verdict reviewed last is in force, not the one imported last;
     * on the same day the one imported last */
    char sd[128];
    snprintf(sd, sizeof sd, "%s/S", dir);
    mkdir(sd, 0700);
    put("S/dispositions.csv",
        "fingerprint,outcome,reviewer,reviewed_on,note,imported_at,source\n"
        "1111111111111111,confirmed,a,2026-01-05,,2026-01-06T00:00:00Z,x.csv:2\n"
        "1111111111111111,cleared,b,2026-01-03,,2026-01-07T00:00:00Z,y.csv:2\n"
        "2222222222222222,cleared,c,2026-01-04,,2026-01-06T00:00:00Z,x.csv:3\n"
        "2222222222222222,referred,d,2026-01-04,,2026-01-07T00:00:00Z,y.csv:3\n");
    struct err e;
    err_init(&e);
    struct review *rv = NULL;
    ck_assert_int_eq(review_open(&rv, NULL, sd, &e), E_OK);
    ck_assert_uint_eq(rv->n_disp, 2);
    ck_assert_uint_eq(rv->n_stored, 4);
    ck_assert_int_eq(rv->disp[0].outcome, OC_CONFIRMED);
    ck_assert_str_eq(rv->disp[0].reviewer, "a");
    ck_assert_int_eq(rv->disp[1].outcome, OC_REFERRED);
    ck_assert_str_eq(rv->disp[1].reviewer, "d");
    review_free(rv);
}
END_TEST

Suite *review_suite(void)
{
    Suite *s = suite_create("review");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_import_read_good);
    tcase_add_test(tc, test_import_read_bad);
    tcase_add_test(tc, test_statedir_roundtrip);
    tcase_add_test(tc, test_mark);
    tcase_add_test(tc, test_import_into_state);
    tcase_add_test(tc, test_in_force_by_reviewed_on);
    suite_add_tcase(s, tc);
    return s;
}
