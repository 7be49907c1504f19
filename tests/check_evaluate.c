/* check_evaluate.c - unit tests for the reference policy's rules
 * (rules/reference.policy, judged by the rules language through
 * pipeline_judge): every rule on both sides of its limit, the key columns,
 * the flag order and policy switches.
 *
 * Owns: the evaluate suite.  Each test writes a small synthetic dataset
 * (as of 2026-06-15; standards 610102 urban 1000.00 / rural 800.00 unless
 * the test says otherwise) and runs the pipeline in-process through
 * testkit.  Expected values were worked out by hand from
 * doc/data-contract.md, not from the engine's output.  A policy switch is
 * an edit of a copy of reference.policy (testkit's rules_edit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "testkit.h"
#include "tests.h"

/* ---------- people (P01-P26 in testkit.h; these valid GB 11643 numbers
 * computed independently too) ---------- */

#define CHILD_18_TOMORROW "610102200806162016" /* born 2008-06-16: 17 on the as-of date */
#define CHILD_18_TODAY "610102200806152029"    /* born 2008-06-15: 18 on the as-of date */
#define CHILD_YOUNG "610102201503032032"
#define CHILD_YOUNG2 "610102201604042045"
#define P15_18 "610102198002021234"            /* 15-digit form 610102800202123 */
#define BAD_CHECK "610102198003031240"         /* check character should be X */

/* ---------- rows ---------- */

#define R1 "610102001001"      /* township 610102001, county 610102 */
#define R2 "610102002001"      /* township 610102002, same county */
#define ROTHER "610103001001"  /* another county */
#define RNOSTD "610104001001"  /* a county with no standard */

#define STD_ROWS "610102,urban,2026-01-01,1000.00\n610102,rural,2026-01-01,800.00\n" \
                 "610102,urban,2025-01-01,900.00\n"

#define HHROW(id, reg, prog, area, st, app, apr, cw) \
    id "," reg "," prog "," area "," st "," app "," apr ",500.00," cw "\n"
/* an active dibao urban household approved after 6 working days */
#define HHA(id) HHROW(id, R1, "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW01")
#define HHC(id) HHROW(id, R1, "dibao", "urban", "cancelled", "2023-03-06", "2023-03-14", "CW01")

/* member: the name is the person's macro name (#p), matching K() */
#define M(hh, p, rel, inc) hh "," p "," #p "," rel "," inc ",full,0\n"
#define MH(hh, p) hh "," p "," #p ",head,0.00,full,0\n"   /* not via M(): #p */
/* hukou rows */
#define K(p, hno, rel) p "," #p "," hno "," rel "," R1 ",normal,\n"
#define KS(p, hno, rel, reg, st, sd) p "," #p "," hno "," rel "," reg "," st "," sd "\n"

#define FILES(...) ((const struct tk_file[]){__VA_ARGS__, {NULL, NULL, 0}})

static struct tk *run_o(const struct tk_file *files, const struct tk_opts *o)
{
    struct tk_file all[24];
    int n = 0, have_std = 0;
    for (; files[n].name; n++) {
        ck_assert_int_lt(n, 22);
        all[n] = files[n];
        if (strcmp(files[n].name, "standards.csv") == 0)
            have_std = 1;
    }
    if (!have_std)
        all[n++] = (struct tk_file){"standards.csv", STD_ROWS, 0};
    all[n] = (struct tk_file){NULL, NULL, 0};
    struct tk *tk = tk_run_files(all, o);
    ck_assert_msg(tk->st == E_OK, "pipeline failed%s", tk_flags_text(tk));
    ck_assert_msg(tk_n_rejects(tk) == 0, "test data has rejected rows%s", tk_flags_text(tk));
    return tk;
}

#define RUN(...) run_o(FILES(__VA_ARGS__), NULL)
#define RUN_O(o, ...) run_o(FILES(__VA_ARGS__), (o))

#define HAS(tk, rule, hh, id)                                                             \
    ck_assert_msg(tk_has_flag((tk), (rule), (hh), (id)), "expected %s %s %s%s", (rule),   \
                  (hh) ? (const char *)(hh) : "*", (id) ? (const char *)(id) : "*",       \
                  tk_flags_text(tk))
#define HASNT(tk, rule, hh, id)                                                           \
    ck_assert_msg(!tk_has_flag((tk), (rule), (hh), (id)), "unexpected %s %s %s%s", (rule), \
                  (hh) ? (const char *)(hh) : "*", (id) ? (const char *)(id) : "*",       \
                  tk_flags_text(tk))
#define COUNT(tk, rule, hh, n)                                                            \
    ck_assert_msg(tk_count((tk), (rule), (hh)) == (size_t)(n), "want %d x %s for %s%s",   \
                  (int)(n), (rule) ? (const char *)(rule) : "any rule",                   \
                  (hh) ? (const char *)(hh) : "*", tk_flags_text(tk))
#define NOTHING(tk, hh) COUNT(tk, NULL, hh, 0)

/* The flag exists with these key columns and the reference severity. */
static void key_is(struct tk *tk, const char *rule, const char *hh, const char *id,
                   const char *hukou_no, int severity)
{
    const struct flag *f = tk_find(tk, rule, hh, id);
    ck_assert_msg(f != NULL, "expected %s %s %s%s", rule, hh, id, tk_flags_text(tk));
    ck_assert_msg(strcmp(f->hukou_no, hukou_no) == 0, "%s %s %s: hukou_no '%s', want '%s'",
                  rule, hh, id, f->hukou_no, hukou_no);
    ck_assert_str_eq(f->household_id, hh);
    ck_assert_str_eq(f->id_no, id);
    ck_assert_msg(f->severity == severity, "%s: severity %d, want %d", rule, f->severity,
                  severity);
    if (hh[0]) {
        const struct household *h = tk_household(tk, hh, NULL);
        ck_assert_ptr_nonnull(h);
        ck_assert_str_eq(f->region, h->region);
    }
    ck_assert_ptr_nonnull(f->evidence);
    ck_assert_msg(f->evidence[0] != '\0', "%s %s: empty evidence", rule, hh);
}

/* ---------- E01 ---------- */

START_TEST(test_e01_deceased)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3"), 0},
        {"members.csv", MH("HH1", P01) M("HH1", P02, "spouse", "0.00")
                        MH("HH2", P03) M("HH2", P04, "spouse", "0.00")
                        MH("HH3", P05) M("HH3", P06, "spouse", "0.00"), 0},
        {"hukou.csv", K(P01, "HKA1", "head") KS(P02, "HKA9", "spouse", R1, "deceased", "2026-06-15")
                      K(P03, "HKA2", "head") KS(P04, "HKA2", "spouse", R1, "deceased", "2026-06-16")
                      K(P05, "HKA3", "head") KS(P06, "HKA3", "spouse", R1, "deceased", "2020-01-31"),
         0});
    /* status_date = as-of fires, keyed by the member's own hukou_no */
    key_is(tk, "E01_DECEASED", "HH1", P02, "HKA9", SEV_HIGH);
    COUNT(tk, NULL, "HH1", 1);
    /* as-of + 1 does not (and the member is not counted, not moved out) */
    NOTHING(tk, "HH2");
    HAS(tk, "E01_DECEASED", "HH3", P06);
    HASNT(tk, "E01_DECEASED", "HH3", P05);
    COUNT(tk, "E01_DECEASED", NULL, 2);
    tk_free(tk);
}
END_TEST

/* ---------- E02 ---------- */

START_TEST(test_e02_moved_out)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2"), 0},
        {"members.csv", MH("HH1", P01) M("HH1", P02, "spouse", "0.00")
                        M("HH1", P03, "child", "0.00") M("HH1", P04, "parent", "0.00")
                        M("HH1", P05, "sibling", "0.00") M("HH1", P06, "other", "0.00")
                        MH("HH2", P07), 0},
        {"hukou.csv", K(P01, "HKB1", "head")
                      KS(P02, "HKB2", "head", R1, "moved_out", "2025-01-01")
                      KS(P03, "HKB3", "head", R1, "cancelled", "2025-02-02")
                      KS(P04, "HKB4", "head", ROTHER, "normal", "")
                      KS(P05, "HKB5", "head", R2, "normal", "")
                      KS(P06, "HKB6", "head", ROTHER, "moved_out", "2024-04-04")
                      KS(P07, "HKB7", "head", R2, "normal", ""), 0});
    key_is(tk, "E02_MOVED_OUT", "HH1", P02, "HKB2", SEV_MEDIUM);
    key_is(tk, "E02_MOVED_OUT", "HH1", P03, "HKB3", SEV_MEDIUM);
    key_is(tk, "E02_MOVED_OUT", "HH1", P04, "HKB4", SEV_MEDIUM);
    key_is(tk, "E02_MOVED_OUT", "HH1", P06, "HKB6", SEV_MEDIUM);
    /* same county, other township: normal */
    HASNT(tk, "E02_MOVED_OUT", "HH1", P05);
    HASNT(tk, "E02_MOVED_OUT", "HH1", P01);
    COUNT(tk, NULL, "HH1", 4);
    /* the head registered in another township of the same county */
    NOTHING(tk, "HH2");
    tk_free(tk);
}
END_TEST

/* ---------- E03 ---------- */

#define VEH(p, plate, cls, use, value, st) p "," plate "," cls "," use ",2020-01-01," value "," st "\n"

static const struct tk_file e03_files[] = {
    {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3") HHA("HH4") HHA("HH5") HHA("HH6")
                       HHA("HH7") HHA("HH8") HHA("HH9"), 0},
    {"members.csv", MH("HH1", P01) MH("HH2", P02) MH("HH3", P03) MH("HH4", P04) MH("HH5", P05)
                    MH("HH6", P06) M("HH6", P07, "spouse", "0.00") MH("HH7", P08)
                    MH("HH8", P09) MH("HH9", P11) M("HH9", P10, "child", "0.00"), 0},
    {"hukou.csv", K(P01, "HKC1", "head") K(P02, "HKC2", "head") K(P03, "HKC3", "head")
                  K(P04, "HKC4", "head") K(P05, "HKC5", "head") K(P06, "HKC6", "head")
                  KS(P07, "HKC7", "head", R1, "moved_out", "2025-05-05") K(P08, "HKC8", "head")
                  K(P09, "HKC9", "head") K(P11, "HKC11", "head"), 0},
    {"vehicles.csv",
     VEH(P01, "陕A12345", "car", "private", "86000.00", "valid")
     VEH(P01, "陕A67890", "truck", "private", "12000.00", "valid")
     VEH(P02, "陕A20000", "truck", "commercial", "30000.00", "valid")
     VEH(P03, "陕A30001", "truck", "commercial", "30000.01", "valid")
     VEH(P04, "陕A40001", "car", "private", "90000.00", "scrapped")
     VEH(P04, "陕A40002", "car", "private", "90000.00", "transferred")
     VEH(P05, "陕A50001", "motorcycle", "private", "80000.00", "valid")
     VEH(P05, "陕A50002", "tricycle", "private", "40000.00", "valid")
     VEH(P05, "陕A50003", "low_speed", "private", "40000.00", "valid")
     VEH(P05, "陕A50004", "disabled_mobility", "private", "40000.00", "valid")
     VEH(P07, "陕A70001", "car", "private", "50000.00", "valid")
     VEH(P08, "陕A80001", "bus", "commercial", "30000.01", "valid")
     VEH(P08, "陕A80002", "car", "commercial", "25000.00", "valid")
     VEH(P09, "陕A90001", "car", "private", "0.00", "valid")
     VEH(P10, "陕A10001", "car", "private", "3000.00", "valid"),
     0},
    {NULL, NULL, 0}};

START_TEST(test_e03_vehicle)
{
    struct tk *tk = run_o(e03_files, NULL);
    key_is(tk, "E03_VEHICLE", "HH1", P01, "HKC1", SEV_HIGH);
    const struct flag *f = tk_find(tk, "E03_VEHICLE", "HH1", P01);
    ck_assert_msg(strstr(f->evidence, "陕A12345") && strstr(f->evidence, "86000"),
                  "E03 evidence must name the plate and the value: %s", f->evidence);
    ck_assert_msg(strstr(f->evidence, "vehicles"), "evidence names the feed: %s", f->evidence);
    /* two vehicles of one member: one row per distinct key, both in the evidence */
    COUNT(tk, "E03_VEHICLE", "HH1", 1);
    ck_assert_msg(strstr(f->evidence, "陕A67890"), "evidence: %s", f->evidence);
    /* commercial at exactly 30000.00 is exempt, one fen more is not */
    NOTHING(tk, "HH2");
    key_is(tk, "E03_VEHICLE", "HH3", P03, "HKC3", SEV_HIGH);
    f = tk_find(tk, "E03_VEHICLE", "HH3", P03);
    ck_assert_msg(strstr(f->evidence, "陕A30001") && strstr(f->evidence, "30000.01"),
                  "evidence: %s", f->evidence);
    /* scrapped, transferred; motorcycle and other classes never */
    NOTHING(tk, "HH4");
    NOTHING(tk, "HH5");
    /* a member who is not counted (moved out) still fires */
    key_is(tk, "E03_VEHICLE", "HH6", P07, "HKC7", SEV_HIGH);
    HASNT(tk, "E03_VEHICLE", "HH6", P06);
    /* bus over the exemption fires; a cheap commercial car does not add one */
    key_is(tk, "E03_VEHICLE", "HH7", P08, "HKC8", SEV_HIGH);
    f = tk_find(tk, "E03_VEHICLE", "HH7", P08);
    ck_assert_msg(strstr(f->evidence, "陕A80001") && !strstr(f->evidence, "陕A80002"),
                  "evidence lists only the vehicles that count: %s", f->evidence);
    COUNT(tk, NULL, "HH7", 1);
    /* a private car of any value */
    key_is(tk, "E03_VEHICLE", "HH8", P09, "HKC9", SEV_HIGH);
    /* a member absent from hukou: empty hukou_no */
    key_is(tk, "E03_VEHICLE", "HH9", P10, "", SEV_HIGH);
    key_is(tk, "Q02_NOT_IN_HUKOU", "HH9", P10, "", SEV_MEDIUM);
    COUNT(tk, "E03_VEHICLE", NULL, 6);
    tk_free(tk);
}
END_TEST

/* A policy value changes the result without recompiling; `off` disables. */
START_TEST(test_policy_changes)
{
    struct tk_opts o = {0};
    static const char *const exempt[] = {"param exempt_max: money = 30000",
                                         "param exempt_max: money = 30000.01", NULL};
    o.rules_edit = exempt;
    struct tk *tk = run_o(e03_files, &o);
    HASNT(tk, "E03_VEHICLE", "HH3", P03);
    HASNT(tk, "E03_VEHICLE", "HH7", P08);
    HAS(tk, "E03_VEHICLE", "HH1", P01);
    tk_free(tk);

    static const char *const sev[] = {"rule E03_VEHICLE cuobao high", "rule E03_VEHICLE cuobao off",
                                      "rule Q02_NOT_IN_HUKOU quality medium",
                                      "rule Q02_NOT_IN_HUKOU quality low", NULL};
    o.rules_edit = sev;
    tk = run_o(e03_files, &o);
    COUNT(tk, "E03_VEHICLE", NULL, 0);
    key_is(tk, "Q02_NOT_IN_HUKOU", "HH9", P10, "", SEV_LOW);
    HAS(tk, "E02_MOVED_OUT", "HH6", P07);
    ck_assert_uint_eq(tk->er.rule_count[tk_rule("E03_VEHICLE")], 0);
    ck_assert_int_eq(tk->er.by.severity[tk_rule("E03_VEHICLE")], SEV_OFF);
    ck_assert_int_eq(tk->er.by.severity[tk_rule("Q02_NOT_IN_HUKOU")], SEV_LOW);
    tk_free(tk);
}
END_TEST

/* ---------- E04, E05, E06 ---------- */

#define PROP(p, pid, usage, area, share, st) p "," pid "," usage "," area "," share ",2010-01-01," st "\n"

START_TEST(test_e04_multi_housing)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3") HHA("HH4") HHA("HH5"), 0},
        {"members.csv", MH("HH1", P01) M("HH1", P02, "spouse", "0.00")
                        MH("HH2", P03) M("HH2", P04, "spouse", "0.00")
                        MH("HH3", P05) MH("HH4", P06)
                        MH("HH5", P07) M("HH5", P08, "spouse", "0.00"), 0},
        {"hukou.csv", K(P01, "HKD1", "head") K(P02, "HKD2", "head") K(P03, "HKD3", "head")
                      K(P04, "HKD3", "spouse") K(P05, "HKD5", "head") K(P06, "HKD6", "head")
                      K(P07, "HKD7", "head") KS(P08, "HKD8", "head", R1, "moved_out", "2025-01-01"),
         0},
        {"property.csv", PROP(P01, "R-1", "residential", "30.00", "1", "held")
                         PROP(P02, "R-2", "residential", "20.00", "1", "held")
                         /* one title co-owned by two members counts once */
                         PROP(P03, "R-3", "residential", "60.00", "0.5", "held")
                         PROP(P04, "R-3", "residential", "60.00", "0.5", "held")
                         /* sold and parking do not count */
                         PROP(P05, "R-4", "residential", "30.00", "1", "held")
                         PROP(P05, "R-5", "residential", "30.00", "1", "sold")
                         PROP(P06, "R-6", "residential", "30.00", "1", "held")
                         PROP(P06, "R-7", "parking", "12.00", "1", "held")
                         /* a member who is not counted does not add a title */
                         PROP(P07, "R-8", "residential", "30.00", "1", "held")
                         PROP(P08, "R-9", "residential", "30.00", "1", "held"),
         0});
    /* household rule: the head's hukou_no, empty id_no */
    key_is(tk, "E04_MULTI_HOUSING", "HH1", "", "HKD1", SEV_HIGH);
    COUNT(tk, NULL, "HH1", 1);
    NOTHING(tk, "HH2");
    NOTHING(tk, "HH3");
    NOTHING(tk, "HH4");
    HASNT(tk, "E04_MULTI_HOUSING", "HH5", NULL);
    HAS(tk, "E02_MOVED_OUT", "HH5", P08);
    COUNT(tk, NULL, "HH5", 1);
    tk_free(tk);
}
END_TEST

START_TEST(test_e05_commercial_property)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3") HHA("HH4") HHA("HH5"), 0},
        {"members.csv", MH("HH1", P01) MH("HH2", P02) MH("HH3", P03) MH("HH4", P04)
                        MH("HH5", P05) M("HH5", P06, "spouse", "0.00"), 0},
        {"hukou.csv", K(P01, "HKE1", "head") K(P02, "HKE2", "head") K(P03, "HKE3", "head")
                      K(P04, "HKE4", "head") K(P05, "HKE5", "head")
                      KS(P06, "HKE6", "head", R1, "moved_out", "2025-01-01"), 0},
        {"property.csv", PROP(P01, "C-1", "commercial", "50.00", "1", "held")
                         PROP(P02, "C-2", "office", "50.00", "0.1", "held")
                         PROP(P03, "C-3", "industrial", "500.00", "0.25", "held")
                         PROP(P04, "C-4", "commercial", "50.00", "1", "sold")
                         PROP(P04, "C-5", "other", "50.00", "1", "held")
                         PROP(P04, "C-6", "parking", "15.00", "1", "held")
                         PROP(P06, "C-7", "office", "80.00", "1", "held"),
         0});
    key_is(tk, "E05_COMMERCIAL_PROPERTY", "HH1", P01, "HKE1", SEV_HIGH);
    key_is(tk, "E05_COMMERCIAL_PROPERTY", "HH2", P02, "HKE2", SEV_HIGH);
    key_is(tk, "E05_COMMERCIAL_PROPERTY", "HH3", P03, "HKE3", SEV_HIGH);
    NOTHING(tk, "HH4");
    /* not counted, still looked at */
    key_is(tk, "E05_COMMERCIAL_PROPERTY", "HH5", P06, "HKE6", SEV_HIGH);
    COUNT(tk, "E05_COMMERCIAL_PROPERTY", NULL, 4);
    tk_free(tk);
}
END_TEST

START_TEST(test_e06_housing_area)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3") HHA("HH4") HHA("HH5") HHA("HH6"),
         0},
        {"members.csv", MH("HH1", P01) MH("HH2", P02)
                        MH("HH3", P03) M("HH3", P04, "spouse", "0.00")
                        MH("HH4", P05) MH("HH5", P06) M("HH5", P07, "spouse", "0.00")
                        MH("HH6", P08) M("HH6", P09, "spouse", "0.00"), 0},
        {"hukou.csv", K(P01, "HKF1", "head") K(P02, "HKF2", "head") K(P03, "HKF3", "head")
                      K(P04, "HKF3", "spouse")
                      KS(P05, "HKF5", "head", R1, "deceased", "2026-01-01")
                      K(P06, "HKF6", "head") KS(P07, "HKF7", "head", R1, "moved_out", "2025-01-01")
                      K(P08, "HKF8", "head") K(P09, "HKF8", "spouse"), 0},
        {"property.csv", /* 80.01 x 0.5 = 40.005 m2 for 1 person */
                         PROP(P01, "R-1", "residential", "80.01", "0.5", "held")
                         /* 80.00 x 0.5 = 40.00: not more than 40 */
                         PROP(P02, "R-2", "residential", "80.00", "0.5", "held")
                         /* 160.01 x 0.5 / 2 persons = 40.0025 */
                         PROP(P03, "R-3", "residential", "160.01", "0.5", "held")
                         /* size 0: not evaluated */
                         PROP(P05, "R-5", "residential", "500.00", "1", "held")
                         /* only counted members' area: 40 / 1 */
                         PROP(P06, "R-6", "residential", "40.00", "1", "held")
                         PROP(P07, "R-7", "residential", "500.00", "1", "held")
                         /* 2 x (80 x 0.5) / 2 = 40, commercial area does not count */
                         PROP(P08, "R-8", "residential", "80.00", "0.5", "held")
                         PROP(P09, "R-8", "residential", "80.00", "0.5", "held")
                         PROP(P09, "C-8", "commercial", "500.00", "1", "sold")
                         PROP(P09, "R-9", "residential", "300.00", "1", "sold"),
         0});
    key_is(tk, "E06_HOUSING_AREA", "HH1", "", "HKF1", SEV_MEDIUM);
    COUNT(tk, NULL, "HH1", 1);
    NOTHING(tk, "HH2");
    key_is(tk, "E06_HOUSING_AREA", "HH3", "", "HKF3", SEV_MEDIUM);
    HASNT(tk, "E06_HOUSING_AREA", "HH4", NULL);
    HAS(tk, "E01_DECEASED", "HH4", P05);
    COUNT(tk, NULL, "HH4", 1);
    HASNT(tk, "E06_HOUSING_AREA", "HH5", NULL);
    NOTHING(tk, "HH6");
    tk_free(tk);
}
END_TEST

/* ---------- E07, E08 ---------- */

static const struct tk_file e07_base[] = {
    {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3") HHA("HH4") HHA("HH5"), 0},
    {"members.csv", MH("HH1", P01) MH("HH2", P02) MH("HH3", P03) MH("HH4", P04)
                    MH("HH5", P05) M("HH5", P06, "spouse", "0.00"), 0},
    {"hukou.csv", K(P01, "HKG1", "head") K(P02, "HKG2", "head") K(P03, "HKG3", "head")
                  K(P04, "HKG4", "head") K(P05, "HKG5", "head")
                  KS(P06, "HKG6", "head", R1, "moved_out", "2025-01-01"), 0},
    {NULL, NULL, 0}};

#define BIZ_ROWS                                                   \
    P01 ",\"西安\"\"惠民\"\"商贸有限公司\",legal_rep,500000.00,active\n" \
    P02 ",碑林区某某公司,shareholder,100000.00,active\n"             \
    P03 ",碑林区甲公司,legal_rep,100000.00,revoked\n"                 \
    P03 ",碑林区乙公司,shareholder,100000.00,cancelled\n"             \
    P04 ",碑林区个体户,sole_proprietor,10000.00,active\n"             \
    P06 ",碑林区丙公司,legal_rep,0.00,active\n"

static struct tk *run_with(const struct tk_file *base, const struct tk_file *extra)
{
    struct tk_file all[24];
    int n = 0;
    for (const struct tk_file *f = base; f->name; f++)
        all[n++] = *f;
    for (const struct tk_file *f = extra; f && f->name; f++)
        all[n++] = *f;
    all[n] = (struct tk_file){NULL, NULL, 0};
    return run_o(all, NULL);
}

START_TEST(test_e07_business)
{
    struct tk *tk = run_with(e07_base, FILES({"business.csv", BIZ_ROWS, 0}));
    ck_assert_int_eq(tk->ec.have[IN_BUSINESS], 1);
    key_is(tk, "E07_BUSINESS", "HH1", P01, "HKG1", SEV_HIGH);
    key_is(tk, "E07_BUSINESS", "HH2", P02, "HKG2", SEV_HIGH);
    NOTHING(tk, "HH3");   /* revoked, cancelled */
    NOTHING(tk, "HH4");   /* sole proprietor */
    key_is(tk, "E07_BUSINESS", "HH5", P06, "HKG6", SEV_HIGH);
    COUNT(tk, "E07_BUSINESS", NULL, 3);
    tk_free(tk);

    /* business.csv absent: E07 skipped */
    tk = run_with(e07_base, NULL);
    ck_assert_int_eq(tk->ec.have[IN_BUSINESS], 0);
    COUNT(tk, "E07_BUSINESS", NULL, 0);
    tk_free(tk);
}
END_TEST

START_TEST(test_e08_public_servant)
{
    struct tk *tk = run_with(e07_base, FILES({"public_servants.csv",
                                              "\"6101 0219 6102 0210 13\",\"碑林区教育局,第三中学\",2001-09-01\n"
                                              P06 ",碑林区城管局,2030-01-01\n"
                                              P04 ",碑林区财政局,\n", 0}));
    /* spaces inside the feed's ID normalise */
    key_is(tk, "E08_PUBLIC_SERVANT", "HH1", P01, "HKG1", SEV_HIGH);
    const struct flag *f = tk_find(tk, "E08_PUBLIC_SERVANT", "HH1", P01);
    ck_assert_msg(strstr(f->evidence, "public_servants"), "evidence: %s", f->evidence);
    /* a future `since` is evidence, not a filter; not counted still fires */
    key_is(tk, "E08_PUBLIC_SERVANT", "HH5", P06, "HKG6", SEV_HIGH);
    key_is(tk, "E08_PUBLIC_SERVANT", "HH4", P04, "HKG4", SEV_HIGH);
    NOTHING(tk, "HH2");
    NOTHING(tk, "HH3");
    COUNT(tk, "E08_PUBLIC_SERVANT", NULL, 3);
    tk_free(tk);

    tk = run_with(e07_base, NULL);
    ck_assert_int_eq(tk->ec.have[IN_PUBSERV], 0);
    COUNT(tk, "E08_PUBLIC_SERVANT", NULL, 0);
    tk_free(tk);
}
END_TEST

/* ---------- E09 ---------- */

#define SI(p, month, kind, amount) p "," month "," kind ",某单位," amount "\n"
/* 6000.00 over 2025-12..2026-05 (6 months before June 2026), with the
 * amount of April as a parameter.  Rows outside the window and the
 * resident contribution must be ignored; employment and the employee
 * pension base are max'ed per month; benefits add. */
#define SI_6000(p, april)                                    \
    SI(p, "2025-11", "employment", "5000.00")                \
    SI(p, "2025-12", "employment", "1000.00")                \
    SI(p, "2025-12", "employee_pension_contrib", "1200.00")  \
    SI(p, "2026-01", "employment", "800.00")                 \
    SI(p, "2026-01", "employment", "200.00")                 \
    SI(p, "2026-01", "employee_pension_contrib", "900.00")   \
    SI(p, "2026-02", "pension_benefit", "400.00")            \
    SI(p, "2026-02", "unemployment_benefit", "300.00")       \
    SI(p, "2026-02", "employee_pension_contrib", "300.00")   \
    SI(p, "2026-03", "unemployment_benefit", "600.00")       \
    SI(p, "2026-03", "employment", "400.00")                 \
    SI(p, "2026-04", "employment", april)                    \
    SI(p, "2026-05", "employment", "1000.00")                \
    SI(p, "2026-05", "resident_pension_contrib", "5000.00")  \
    SI(p, "2026-06", "employment", "5000.00")                \
    SI(p, "2027-01", "employment", "5000.00")

/* 1000.00 every month of the window */
#define SI_1000(p)                                          \
    SI(p, "2025-12", "employment", "1000.00")               \
    SI(p, "2026-01", "employment", "1000.00")               \
    SI(p, "2026-02", "employment", "1000.00")               \
    SI(p, "2026-03", "employment", "1000.00")               \
    SI(p, "2026-04", "employment", "1000.00")               \
    SI(p, "2026-05", "employment", "1000.00")

static uint64_t member_key(const struct tk *tk, const char *id)
{
    for (size_t i = 0; i < tk->d.members.n; i++) {
        const struct member *m = &VEC_AT(tk->d.members, struct member, i);
        if (strcmp(m->id, id) == 0)
            return m->key;
    }
    return 0;
}

/* The reference policy's evidenced income of a member over the window
 * (NOT divided by it), as the language computes it. */
static void income_is(struct tk *tk, const char *id, const char *want)
{
    char *v = tk_lang_value(tk, "{evidenced_income(m)}", id);
    ck_assert_msg(v != NULL, "no member %s", id);
    ck_assert_str_eq(v, want);
    free(v);
}

START_TEST(test_e09_income)
{
    struct tk *tk = RUN(
        {"households.csv",
         HHA("HH01") HHA("HH02")
         HHROW("HH03", R1, "dishouru", "urban", "active", "2024-03-04", "2024-03-12", "CW01")
         HHROW("HH04", R1, "dishouru", "urban", "active", "2024-03-04", "2024-03-12", "CW01")
         HHROW("HH05", R1, "tekun", "rural", "active", "2024-03-04", "2024-03-12", "CW01")
         HHROW("HH06", R1, "tekun", "rural", "active", "2024-03-04", "2024-03-12", "CW01")
         HHA("HH07") HHA("HH08") HHA("HH09") HHA("HH10") HHA("HH11") HHA("HH12")
         HHROW("HH13", RNOSTD, "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW01")
         HHA("HH14") HHA("HH15"),
         0},
        {"members.csv",
         M("HH01", P01, "head", "1000.00") M("HH02", P02, "head", "1000.01")
         M("HH03", P03, "head", "1500.00") M("HH04", P04, "head", "1500.01")
         M("HH05", P05, "head", "800.00") M("HH06", P06, "head", "800.01")
         M("HH07", P07, "head", "1000.00") M("HH07", P08, "spouse", "1000.01")
         M("HH08", P09, "head", "0.00") M("HH09", P10, "head", "999.99")
         M("HH10", P11, "head", "1000.01") M("HH11", P12, "head", "900.00")
         M("HH11", P13, "spouse", "1000.00")
         M("HH12", P14, "head", "500.00")
         M("HH13", P15, "head", "5000.00")
         /* the moved-out spouse's income and person are not counted */
         M("HH14", P16, "head", "1000.00") M("HH14", P17, "spouse", "0.00")
         M("HH15", P19, "head", "1000.01") M("HH15", P18, "spouse", "1000.01"),
         0},
        {"hukou.csv",
         K(P01, "HKH01", "head") K(P02, "HKH02", "head") K(P03, "HKH03", "head")
         K(P04, "HKH04", "head") K(P05, "HKH05", "head") K(P06, "HKH06", "head")
         K(P07, "HKH07", "head") K(P08, "HKH07", "spouse") K(P09, "HKH08", "head")
         K(P10, "HKH09", "head") K(P11, "HKH10", "head") K(P12, "HKH11", "head")
         K(P13, "HKH11", "spouse") K(P14, "HKH12", "head")
         KS(P15, "HKH13", "head", RNOSTD, "normal", "")
         K(P16, "HKH14", "head") KS(P17, "HKH14", "spouse", R1, "moved_out", "2025-01-01")
         K(P19, "HKH15", "head") K(P18, "HKH15", "spouse"),
         0},
        {"social_insurance.csv",
         SI_6000(P09, "800.00") SI_6000(P10, "800.01")
         SI_1000(P11) SI_1000(P12)
         SI_6000(P14, "800.06")
         SI_1000(P17) SI_1000(P17),
         0});
    /* declared, at the standard and one fen above */
    NOTHING(tk, "HH01");
    key_is(tk, "E09_INCOME", "HH02", "", "HKH02", SEV_HIGH);
    const struct flag *f = tk_find(tk, "E09_INCOME", "HH02", "");
    ck_assert_msg(strstr(f->evidence, "6000.06") && strstr(f->evidence, "standard 1000"),
                  "E09 evidence shows the income and the standard: %s", f->evidence);
    /* dishouru: factor 1.5 */
    NOTHING(tk, "HH03");
    key_is(tk, "E09_INCOME", "HH04", "", "HKH04", SEV_HIGH);
    /* tekun rural: factor 1.0 of 800.00 */
    NOTHING(tk, "HH05");
    key_is(tk, "E09_INCOME", "HH06", "", "HKH06", SEV_HIGH);
    /* per capita 1000.005: exact rationals; the evidence shows it cut to the
     * fen with "...", and each member's part, largest first */
    key_is(tk, "E09_INCOME", "HH07", "", "HKH07", SEV_HIGH);
    f = tk_find(tk, "E09_INCOME", "HH07", "");
    ck_assert_str_eq(f->evidence,
                     "income: 6-month total 12000.06 / 2 counted members / 6 months = "
                     "1000.00... per person per month > standard 1000.00 x factor 1 = 1000.00 "
                     "(urban dibao from prefix 610102, standards line 2); members, largest "
                     "first: 610102********1082 max(declared 1000.01 x 6, social_insurance "
                     "0.00) = 6000.06; 610102********107X max(declared 1000.00 x 6, "
                     "social_insurance 0.00) = 6000.00");
    /* evidenced 6000.00 / 6 = 1000.00 vs 6000.01 / 6 */
    income_is(tk, P09, "6000");
    income_is(tk, P10, "6000.01");
    income_is(tk, P01, "0");
    NOTHING(tk, "HH08");
    key_is(tk, "E09_INCOME", "HH09", "", "HKH09", SEV_HIGH);
    /* declared wins when higher (evidenced 1000.00) */
    key_is(tk, "E09_INCOME", "HH10", "", "HKH10", SEV_HIGH);
    /* max, not sum: (max(900, 1000) + 1000) / 2 = 1000.00 */
    NOTHING(tk, "HH11");
    /* evidenced 6000.06 / 6 = 1000.01 beats declared 500 */
    income_is(tk, P14, "6000.06");
    key_is(tk, "E09_INCOME", "HH12", "", "HKH12", SEV_HIGH);
    f = tk_find(tk, "E09_INCOME", "HH12", "");
    ck_assert_msg(strstr(f->evidence, "= 1000.01 per person per month > standard 1000.00") &&
                  strstr(f->evidence, "largest first: 610102********114X max(declared 500.00 "
                                      "x 6, social_insurance 6000.06) = 6000.06"),
                  "%s", f->evidence);
    /* equal parts: by id_no, whatever the file order */
    key_is(tk, "E09_INCOME", "HH15", "", "HKH15", SEV_HIGH);
    f = tk_find(tk, "E09_INCOME", "HH15", "");
    ck_assert_msg(strstr(f->evidence, "first: 610102********1180 max(declared 1000.01 x 6, "
                                      "social_insurance 0.00) = 6000.06; 610102********119X "),
                  "%s", f->evidence);
    /* no standard: no E09 but Q04, listed */
    key_is(tk, "Q04_NO_STANDARD", "HH13", "", "HKH13", SEV_MEDIUM);
    COUNT(tk, NULL, "HH13", 1);
    ck_assert(tk_no_std_household(tk, "HH13"));
    ck_assert_uint_eq(tk->er.n_no_std_households, 1);
    /* a moved-out member (2000/month evidenced) is neither income nor size */
    HAS(tk, "E02_MOVED_OUT", "HH14", P17);
    COUNT(tk, NULL, "HH14", 1);
    tk_free(tk);
}
END_TEST

/* max(declared, evidenced) per member, not the sum */
START_TEST(test_e09_max_not_sum)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2"), 0},
        {"members.csv", M("HH1", P01, "head", "900.00") M("HH2", P02, "head", "1000.00"), 0},
        {"hukou.csv", K(P01, "HKI1", "head") K(P02, "HKI2", "head"), 0},
        {"social_insurance.csv", SI_1000(P01) SI_1000(P02), 0});
    NOTHING(tk, "HH1");
    NOTHING(tk, "HH2");
    tk_free(tk);
}
END_TEST

/* The standard in force on the as-of date, longest prefix first. */
START_TEST(test_e09_standard_lookup)
{
    struct tk *tk = RUN(
        {"households.csv",
         HHROW("HH1", "610102002001", "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW01")
         HHROW("HH2", "610102002001", "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW01")
         HHROW("HH3", "610102001001", "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW01")
         HHROW("HH4", "610102002001", "dibao", "rural", "active", "2024-03-04", "2024-03-12", "CW01"),
         0},
        {"members.csv", M("HH1", P01, "head", "1050.00") M("HH2", P02, "head", "1050.01")
                        M("HH3", P03, "head", "1000.01") M("HH4", P04, "head", "800.01"), 0},
        {"hukou.csv", KS(P01, "HKJ1", "head", "610102002001", "normal", "")
                      KS(P02, "HKJ2", "head", "610102002001", "normal", "")
                      K(P03, "HKJ3", "head")
                      KS(P04, "HKJ4", "head", "610102002001", "normal", ""), 0},
        {"standards.csv", "610102,urban,2026-01-01,1000.00\n"
                          "610102,urban,2026-07-01,2000.00\n"
                          "610102,rural,2026-01-01,800.00\n"
                          "610102002,urban,2025-07-01,1020.00\n"
                          "610102002,urban,2026-06-15,1050.00\n"
                          "610102002,urban,2026-06-16,5000.00\n", 0});
    NOTHING(tk, "HH1");                       /* 1050.00 from 2026-06-15 */
    HAS(tk, "E09_INCOME", "HH2", "");
    HAS(tk, "E09_INCOME", "HH3", "");         /* county 1000.00; July's 2000 not yet */
    HAS(tk, "E09_INCOME", "HH4", "");         /* township override is urban only */
    tk_free(tk);
}
END_TEST

/* ---------- E10 ---------- */

START_TEST(test_e10_duplicate)
{
    struct tk *tk = RUN(
        {"households.csv",
         HHA("HH1") HHA("HH2") HHA("HH3") HHC("HH4")
         HHROW("HH5", R1, "dibao", "urban", "suspended", "2024-03-04", "2024-03-12", "CW01")
         HHROW("HH6", R2, "dibao", "urban", "applying", "2026-06-01", "", "CW01"),
         0},
        {"members.csv", MH("HH1", P01) M("HH1", P03, "child", "0.00")
                        MH("HH2", P02) M("HH2", P03, "child", "0.00")
                        MH("HH3", P04) M("HH3", P06, "child", "0.00")
                        MH("HH4", P05) M("HH4", P06, "child", "0.00")
                        MH("HH5", P07) M("HH5", P19, "child", "0.00")
                        /* same person: lower-case x and spaces */
                        MH("HH6", P08) "HH6,\" 610102 19790820119x\",P19,child,0.00,full,0\n",
         0},
        {"hukou.csv", K(P01, "HKK1", "head") K(P02, "HKK2", "head") K(P03, "HKK3", "head")
                      K(P04, "HKK4", "head") K(P05, "HKK5", "head") K(P06, "HKK6", "head")
                      K(P07, "HKK7", "head") K(P08, "HKK8", "head") K(P19, "HKK9", "head"),
         0});
    key_is(tk, "E10_DUPLICATE", "HH1", P03, "HKK3", SEV_HIGH);
    key_is(tk, "E10_DUPLICATE", "HH2", P03, "HKK3", SEV_HIGH);
    COUNT(tk, NULL, "HH1", 1);
    COUNT(tk, NULL, "HH2", 1);
    /* one of the two is cancelled: neither */
    NOTHING(tk, "HH3");
    HASNT(tk, "E10_DUPLICATE", "HH4", NULL);
    /* suspended and applying are not cancelled */
    key_is(tk, "E10_DUPLICATE", "HH5", P19, "HKK9", SEV_HIGH);
    key_is(tk, "E10_DUPLICATE", "HH6", P19, "HKK9", SEV_HIGH);
    COUNT(tk, "E10_DUPLICATE", NULL, 4);
    tk_free(tk);
}
END_TEST

/* ---------- E11 ---------- */

START_TEST(test_e11_undeclared_spouse)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3") HHA("HH4") HHA("HH5"), 0},
        {"members.csv", MH("HH1", P01)
                        MH("HH2", P04) M("HH2", P05, "spouse", "0.00")
                        M("HH2", CHILD_YOUNG2, "child", "0.00")
                        MH("HH3", P06)
                        MH("HH4", P08)
                        MH("HH5", P09) M("HH5", P10, "child", "0.00"),
         0},
        {"hukou.csv",
         K(P01, "HKL1", "head") K(P02, "HKL1", "spouse")
         K(CHILD_18_TOMORROW, "HKL1", "child") K(CHILD_18_TODAY, "HKL1", "child")
         KS(CHILD_YOUNG, "HKL1", "child", R1, "moved_out", "2025-01-01")
         K(P03, "HKL1", "parent") KS(P11, "HKL1", "spouse", R1, "deceased", "2020-01-01")
         K(P04, "HKL2", "head") K(P05, "HKL2", "spouse") K(CHILD_YOUNG2, "HKL2", "child")
         /* P06 (head of HH3) is not in hukou; P07 is a spouse in a hukou of no member */
         K(P07, "HKL3", "spouse")
         /* split household: P09 is the hukou spouse of P08 but heads HH5 */
         K(P08, "HKL4", "head") K(P09, "HKL4", "spouse") K(P10, "HKL4", "child"),
         0});
    key_is(tk, "E11_UNDECLARED_SPOUSE", "HH1", P02, "HKL1", SEV_MEDIUM);
    key_is(tk, "E11_UNDECLARED_SPOUSE", "HH1", CHILD_18_TOMORROW, "HKL1", SEV_MEDIUM);
    HASNT(tk, "E11_UNDECLARED_SPOUSE", "HH1", CHILD_18_TODAY);
    HASNT(tk, "E11_UNDECLARED_SPOUSE", "HH1", CHILD_YOUNG);
    HASNT(tk, "E11_UNDECLARED_SPOUSE", "HH1", P03);
    HASNT(tk, "E11_UNDECLARED_SPOUSE", "HH1", P11);
    COUNT(tk, NULL, "HH1", 2);
    NOTHING(tk, "HH2");
    /* head absent from hukou: E11 not evaluated, household keys empty */
    COUNT(tk, "E11_UNDECLARED_SPOUSE", "HH3", 0);
    key_is(tk, "Q02_NOT_IN_HUKOU", "HH3", P06, "", SEV_MEDIUM);
    COUNT(tk, NULL, "HH3", 1);
    /* not a member of *this* household; P10 is an adult child */
    key_is(tk, "E11_UNDECLARED_SPOUSE", "HH4", P09, "HKL4", SEV_MEDIUM);
    COUNT(tk, NULL, "HH4", 1);
    /* relation is relative to the hukou head: nothing for HH5 */
    NOTHING(tk, "HH5");
    tk_free(tk);
}
END_TEST

/* hukou_nos of digits are grouped by their integer code, others by text:
 * "012" and "12" are different households, as are 18 digits and the same
 * 18 followed by one more (no code, compared as text) */
START_TEST(test_e11_digit_hukou_nos)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3"), 0},
        {"members.csv", MH("HH1", P01) MH("HH2", P04) MH("HH3", P08), 0},
        {"hukou.csv",
         K(P01, "012", "head") K(P02, "012", "spouse") K(P03, "12", "spouse")
         K(P04, "123456789012345678", "head") K(P05, "1234567890123456789", "spouse")
         K(P06, "123456789012345678", "spouse")
         K(P08, "1234567890123456789", "head") K(P09, "12345678901234567890", "spouse"),
         0});
    key_is(tk, "E11_UNDECLARED_SPOUSE", "HH1", P02, "012", SEV_MEDIUM);
    HASNT(tk, "E11_UNDECLARED_SPOUSE", "HH1", P03);
    COUNT(tk, NULL, "HH1", 1);
    key_is(tk, "E11_UNDECLARED_SPOUSE", "HH2", P06, "123456789012345678", SEV_MEDIUM);
    COUNT(tk, NULL, "HH2", 1);
    /* P05 shares the 19-digit hukou_no of HH3's head; P09's has 20 digits */
    key_is(tk, "E11_UNDECLARED_SPOUSE", "HH3", P05, "1234567890123456789", SEV_MEDIUM);
    COUNT(tk, NULL, "HH3", 1);
    tk_free(tk);
}
END_TEST

/* ---------- E12 ---------- */

START_TEST(test_e12_staff_relative)
{
    struct tk *tk = RUN(
        {"households.csv",
         HHA("HH1") HHROW("HH2", R1, "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW02")
         HHROW("HH3", R1, "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW09"),
         0},
        {"members.csv", MH("HH1", P01) M("HH1", P02, "spouse", "0.00")
                        MH("HH2", P03) MH("HH3", P04) M("HH3", P05, "spouse", "0.00"), 0},
        {"hukou.csv", K(P01, "HKM1", "head") K(P02, "HKM2", "spouse") K(P03, "HKM3", "head")
                      K(P04, "HKM4", "head") KS(P05, "HKM5", "head", R1, "moved_out", "2025-01-01"),
         0},
        {"staff_relatives.csv", "CW01," P02 ",兄弟\nCW09," P03 ",表姐妹\nCW09," P05 ",配偶\n", 0});
    key_is(tk, "E12_STAFF_RELATIVE", "HH1", P02, "HKM2", SEV_LOW);
    COUNT(tk, NULL, "HH1", 1);
    /* a relative of another caseworker */
    NOTHING(tk, "HH2");
    /* every member with a valid ID, counted or not */
    key_is(tk, "E12_STAFF_RELATIVE", "HH3", P05, "HKM5", SEV_LOW);
    tk_free(tk);
}
END_TEST

/* ---------- P01 ---------- */

static const struct tk_file p01_files[] = {
    {"households.csv",
     /* Tue 2026-04-28: 04-29, 04-30, [05-01..05-05 off], 05-06..05-08,
      * Sat 05-09 (workday), 05-11..05-15, 05-18..05-21 = 15 working days */
     HHROW("HH1", R1, "dibao", "urban", "active", "2026-04-28", "2026-05-21", "CW01")
     HHROW("HH2", R1, "dibao", "urban", "active", "2026-04-28", "2026-05-22", "CW01")
     HHROW("HH3", R1, "dibao", "urban", "applying", "2026-01-05", "", "CW01")
     HHROW("HH4", R1, "dibao", "urban", "active", "2026-06-10", "2026-06-10", "CW01")
     HHROW("HH5", R1, "dibao", "urban", "cancelled", "2023-01-03", "2023-12-29", "CW01"),
     0},
    {"members.csv", MH("HH1", P01) MH("HH2", P02) MH("HH3", P03) MH("HH4", P04) MH("HH5", P05),
     0},
    {"hukou.csv", K(P01, "HKN1", "head") K(P02, "HKN2", "head") K(P03, "HKN3", "head")
                  K(P04, "HKN4", "head") K(P05, "HKN5", "head"), 0},
    {NULL, NULL, 0}};

START_TEST(test_p01_overdue)
{
    struct tk *tk = run_o(p01_files, NULL);
    ck_assert_int_eq(tk->d.files[IN_HOLIDAYS].from_rules, 1);
    NOTHING(tk, "HH1");
    key_is(tk, "P01_OVERDUE", "HH2", "", "HKN2", SEV_LOW);
    const struct flag *f = tk_find(tk, "P01_OVERDUE", "HH2", "");
    ck_assert_msg(strstr(f->evidence, "16"), "evidence gives the count: %s", f->evidence);
    NOTHING(tk, "HH3");   /* no approved_on */
    NOTHING(tk, "HH4");
    HASNT(tk, "P01_OVERDUE", "HH5", NULL);   /* cancelled: L02 only */
    tk_free(tk);
}
END_TEST

/* A holidays.csv in the data directory replaces the shipped one. */
START_TEST(test_p01_data_holidays)
{
    struct tk_file all[8];
    int n = 0;
    for (const struct tk_file *f = p01_files; f->name; f++)
        all[n++] = *f;
    all[n++] = (struct tk_file){"holidays.csv", "2026-05-20,holiday\n", 0};
    all[n] = (struct tk_file){NULL, NULL, 0};
    struct tk *tk = run_o(all, NULL);
    ck_assert_int_eq(tk->d.files[IN_HOLIDAYS].from_rules, 0);
    /* without the May Day break: 17 and 18 working days, minus 05-20 */
    HAS(tk, "P01_OVERDUE", "HH1", "");
    HAS(tk, "P01_OVERDUE", "HH2", "");
    tk_free(tk);
}
END_TEST

/* ---------- Q01, Q02, Q03 ---------- */

START_TEST(test_q01_invalid_id)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2"), 0},
        {"members.csv",
         MH("HH1", P01)
         "HH1,\" " BAD_CHECK "  \",坏号,spouse,900.00,full,0\n"
         "HH1,610102199002300012,坏日期,child,0.00,full,0\n"
         "HH1,990102199001010012,坏省份,child,0.00,full,0\n"
         /* the same invalid number in another household: no E10 */
         MH("HH2", P02) "HH2," BAD_CHECK ",坏号,spouse,0.00,full,0\n",
         0},
        {"hukou.csv", K(P01, "HKQ1", "head") K(P02, "HKQ2", "head"), 0});
    /* kept, keyed as given (trimmed), empty hukou_no, never Q02 */
    key_is(tk, "Q01_INVALID_ID", "HH1", BAD_CHECK, "", SEV_MEDIUM);
    key_is(tk, "Q01_INVALID_ID", "HH1", "610102199002300012", "", SEV_MEDIUM);
    key_is(tk, "Q01_INVALID_ID", "HH1", "990102199001010012", "", SEV_MEDIUM);
    COUNT(tk, "Q02_NOT_IN_HUKOU", NULL, 0);
    /* counted: (0 + 900 + 0 + 0) / 4 */
    COUNT(tk, NULL, "HH1", 3);
    key_is(tk, "Q01_INVALID_ID", "HH2", BAD_CHECK, "", SEV_MEDIUM);
    COUNT(tk, NULL, "HH2", 1);
    COUNT(tk, "E10_DUPLICATE", NULL, 0);
    tk_free(tk);
}
END_TEST

START_TEST(test_q01_counted_and_15_digit)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3"), 0},
        {"members.csv",
         MH("HH1", P01)
         "HH1,\" " BAD_CHECK "  \",坏号,spouse,2000.02,full,0\n"
         "HH2,610102800202123,P15_18,head,0.00,full,0\n"
         MH("HH3", P03),
         0},
        {"hukou.csv", K(P01, "HKQ1", "head") K(P15_18, "HKQ2", "head"), 0},
        {"vehicles.csv", VEH(P15_18, "陕A15018", "car", "private", "10000.00", "valid"), 0});
    key_is(tk, "Q01_INVALID_ID", "HH1", BAD_CHECK, "", SEV_MEDIUM);
    /* counted: (0 + 2000.02) / 2 = 1000.01 > 1000.00 */
    key_is(tk, "E09_INCOME", "HH1", "", "HKQ1", SEV_HIGH);
    COUNT(tk, NULL, "HH1", 2);
    /* valid 15-digit: no Q01/Q02; E03 keyed by the 18-digit ID */
    key_is(tk, "E03_VEHICLE", "HH2", P15_18, "HKQ2", SEV_HIGH);
    COUNT(tk, NULL, "HH2", 1);
    /* Q02 */
    key_is(tk, "Q02_NOT_IN_HUKOU", "HH3", P03, "", SEV_MEDIUM);
    COUNT(tk, NULL, "HH3", 1);
    tk_free(tk);
}
END_TEST

START_TEST(test_q03_name_mismatch)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1"), 0},
        {"members.csv",
         "HH1," P04 ",\"  王五 \",head,0.00,full,0\n"
         "HH1," P05 ",柳明,spouse,0.00,full,0\n"
         "HH1," P06 ",李四,child,0.00,full,0\n",
         0},
        {"hukou.csv", P04 ",王五,HKQ4,head," R1 ",normal,\n"
                      P05 ",柳鸣,HKQ5,spouse," R1 ",normal,\n"
                      P06 ",\" 李四 \",HKQ4,child," R1 ",normal,\n",
         0});
    HASNT(tk, "Q03_NAME_MISMATCH", "HH1", P04);
    HASNT(tk, "Q03_NAME_MISMATCH", "HH1", P06);
    key_is(tk, "Q03_NAME_MISMATCH", "HH1", P05, "HKQ5", SEV_LOW);
    COUNT(tk, NULL, "HH1", 1);
    tk_free(tk);
}
END_TEST

/* ---------- L01 ---------- */

#define RC "610102002001"   /* candidates' region: rural 800.00 */
#define CAND(p) p ",低收入人口监测," RC ",rural\n"
#define KC(p, hno, rel) p "," #p "," hno "," rel "," RC ",normal,\n"
#define SI_800(p, may)                                  \
    SI(p, "2025-12", "employment", "800.00")            \
    SI(p, "2026-01", "employment", "800.00")            \
    SI(p, "2026-02", "employment", "800.00")            \
    SI(p, "2026-03", "employment", "800.00")            \
    SI(p, "2026-04", "employment", "800.00")            \
    SI(p, "2026-05", "employment", may)

START_TEST(test_l01_candidate)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHC("HH2"), 0},
        {"members.csv", MH("HH1", P03) MH("HH2", P05), 0},
        {"hukou.csv",
         KC(P01, "HKR01", "head")
         KC(P02, "HKR02", "head") K(P03, "HKR02", "spouse")
         KC(P04, "HKR03", "head") K(P05, "HKR03", "spouse")
         KC(P06, "HKR04", "head") KC(P07, "HKR04", "spouse")
         KC(P08, "HKR05", "head")
         KC(P09, "HKR06", "head") KC(P10, "HKR06", "spouse")
         KC(P11, "HKR07", "head") KC(P12, "HKR07", "spouse")
         KC(P13, "HKR08", "head")
         KS(P14, "HKR09", "head", RC, "moved_out", "2025-01-01")
         /* P15 absent from hukou */
         KC(P16, "HKR11", "head")
         KC(P17, "HKR12", "head") KS(P18, "HKR12", "child", RC, "moved_out", "2025-01-01")
         KC(P20, "HKR13", "head") KC(P21, "HKR13", "spouse")
         KC(P22, "HKR14", "head") KC(P23, "HKR14", "spouse")
         KC(P24, "HKR15", "head") KC(P25, "HKR15", "spouse")
         KC(P26, "HKR16", "head"),
         0},
        {"candidates.csv",
         CAND(P01) CAND(P02) CAND(P04) CAND(P06) CAND(P08) CAND(P09) CAND(P11) CAND(P13)
         CAND(P14) CAND(P15) P16 ",重度残疾," RNOSTD ",rural\n" CAND(P17) CAND(P20)
         CAND(P22) CAND(P24) CAND(P26) "\" 6101021986 03271263 \",临时救助," RC ",rural\n",
         0},
        {"vehicles.csv", VEH(P07, "陕A00007", "car", "private", "20000.00", "valid"), 0},
        {"property.csv", PROP(P08, "R-81", "residential", "10.00", "1", "held")
                         PROP(P08, "R-82", "residential", "10.00", "1", "held")
                         PROP(P10, "R-10", "residential", "80.01", "1", "held")
                         PROP(P12, "R-12", "residential", "80.00", "1", "held")
                         PROP(P25, "C-25", "commercial", "10.00", "1", "held"),
         0},
        {"social_insurance.csv", SI_800(P01, "800.00") SI_800(P13, "800.01")
                                 SI(P18, "2026-01", "employment", "10000.00"), 0},
        {"business.csv", P21 ",某公司,legal_rep,10000.00,active\n", 0},
        {"public_servants.csv", P23 ",某局,2010-01-01\n", 0});
    /* fires at exactly the standard: keys and region are the candidate's */
    key_is(tk, "L01_CANDIDATE_ELIGIBLE", "", P01, "HKR01", SEV_HIGH);
    const struct flag *f = tk_find(tk, "L01_CANDIDATE_ELIGIBLE", "", P01);
    ck_assert_str_eq(f->region, RC);
    ck_assert_str_eq(f->unit_hukou_no, "HKR01");
    ck_assert_uint_eq(f->hh, HH_NONE);
    /* a hukou-mate in a non-cancelled household blocks; a cancelled one does not */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P02);
    key_is(tk, "L01_CANDIDATE_ELIGIBLE", "", P04, "HKR03", SEV_HIGH);
    /* a car (E03) */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P06);
    /* two flats (E04) */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P08);
    /* area: 80.01 / 2 > 40 blocks, 80.00 / 2 does not */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P09);
    key_is(tk, "L01_CANDIDATE_ELIGIBLE", "", P11, "HKR07", SEV_HIGH);
    /* income one fen over */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P13);
    /* not normal, not in hukou: skipped */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P14);
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P15);
    ck_assert_int_eq(tk->er.candidates_skipped_not_in_hukou, 2);
    /* no standard: listed */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P16);
    ck_assert(tk_no_std_candidate(tk, P16));
    ck_assert_uint_eq(tk->er.n_no_std_candidates, 1);
    /* a moved-out hukou-mate's wage neither counts nor blocks */
    key_is(tk, "L01_CANDIDATE_ELIGIBLE", "", P17, "HKR12", SEV_HIGH);
    /* business (E07), public servant (E08), commercial property (E05) */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P20);
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P22);
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, P24);
    /* listed twice: one row */
    key_is(tk, "L01_CANDIDATE_ELIGIBLE", "", P26, "HKR16", SEV_HIGH);
    COUNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, 5);
    tk_free(tk);
}
END_TEST

/* ---------- L02 ---------- */

START_TEST(test_l02_cancelled)
{
    struct tk *tk = RUN(
        {"households.csv", HHC("HH1") HHC("HH2") HHC("HH3") HHC("HH4")
                           HHROW("HH5", RNOSTD, "dibao", "urban", "cancelled", "2023-03-06",
                                 "2023-03-14", "CW01")
                           HHC("HH6") HHA("HH7"),
         0},
        {"members.csv",
         M("HH1", P01, "head", "500.00") M("HH1", P11, "spouse", "500.00")
         MH("HH2", P02)
         M("HH3", P03, "head", "1000.01")
         MH("HH4", P05) M("HH4", P04, "spouse", "0.00")
         MH("HH5", P06)
         MH("HH6", P07)
         MH("HH7", P08) M("HH7", P07, "child", "0.00"),
         0},
        {"hukou.csv", K(P01, "HKS1", "head") KS(P11, "HKS1", "spouse", R1, "normal", "")
                      K(P02, "HKS2", "head") K(P03, "HKS3", "head")
                      K(P05, "HKS4", "head") KS(P04, "HKS4", "spouse", R1, "deceased", "2026-01-01")
                      KS(P06, "HKS5", "head", RNOSTD, "normal", "")
                      K(P07, "HKS6", "head") K(P08, "HKS7", "head"),
         0},
        {"vehicles.csv", VEH(P02, "陕A00002", "car", "private", "60000.00", "valid"), 0});
    key_is(tk, "L02_CANCELLED_ELIGIBLE", "HH1", "", "HKS1", SEV_MEDIUM);
    COUNT(tk, NULL, "HH1", 1);
    /* would fire E03: no L02, and no E03 either (cancelled is not evaluated) */
    NOTHING(tk, "HH2");
    /* would fire E09 */
    NOTHING(tk, "HH3");
    /* would fire E01 */
    NOTHING(tk, "HH4");
    /* no standard */
    NOTHING(tk, "HH5");
    ck_assert(tk_no_std_household(tk, "HH5"));
    /* judged on E01-E09 only: a member also on an active household does not block */
    key_is(tk, "L02_CANCELLED_ELIGIBLE", "HH6", "", "HKS6", SEV_MEDIUM);
    HASNT(tk, "E10_DUPLICATE", "HH7", NULL);
    tk_free(tk);
}
END_TEST

/* "The key columns, one row per distinct key."  Two members of one
 * household without an ID number (empty, or white space only) both get
 * Q01 with the same key (Q01_INVALID_ID, HH1, "", ""): that key must
 * appear once.  (Both members stay and are counted.) */
START_TEST(test_q01_one_row_per_key)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1"), 0},
        {"members.csv", MH("HH1", P01) "HH1,,无号甲,spouse,0.00,full,0\n"
                        "HH1,\"  \",无号乙,child,1500.00,full,0\n", 0},
        {"hukou.csv", K(P01, "HKQ1", "head"), 0});
    /* both counted: 1500 / 3 */
    HASNT(tk, "E09_INCOME", "HH1", NULL);
    key_is(tk, "Q01_INVALID_ID", "HH1", "", "", SEV_MEDIUM);
    COUNT(tk, "Q01_INVALID_ID", "HH1", 1);
    tk_free(tk);
}
END_TEST

/* ---------- financial_assets.csv and funeral.csv: typed rows, rejects,
 * the latest balance per account ---------- */

#define FA(p, inst, acct, type, bal, date) p "," inst "," acct "," type "," bal "," date "\n"

static const struct tk_file feeds_base[] = {
    {"households.csv", HHA("HH1"), 0},
    {"members.csv", MH("HH1", P01) M("HH1", P02, "spouse", "0.00") M("HH1", P03, "child", "0.00"),
     0},
    {"hukou.csv", K(P01, "HKF1", "head") K(P02, "HKF1", "spouse") K(P03, "HKF1", "child"), 0},
    {"standards.csv", STD_ROWS, 0},
    {NULL, NULL, 0}};

static struct tk *run_feeds(const struct tk_file *extra)
{
    struct tk_file all[16];
    int n = 0;
    for (const struct tk_file *f = feeds_base; f->name; f++)
        all[n++] = *f;
    for (const struct tk_file *f = extra; f && f->name; f++)
        all[n++] = *f;
    all[n] = (struct tk_file){NULL, NULL, 0};
    struct tk *tk = tk_run_files(all, NULL);
    ck_assert_msg(tk->st == E_OK, "pipeline failed%s", tk_flags_text(tk));
    return tk;
}

static const struct reject *reject_at(const struct tk *tk, enum input_file f, long long line)
{
    const struct filestat *fs = &tk->d.files[f];
    for (size_t i = 0; i < fs->rejects.n; i++)
        if (VEC_AT(fs->rejects, struct reject, i).line == line)
            return &VEC_AT(fs->rejects, struct reject, i);
    return NULL;
}

#define REJECTED(tk, f, line, what)                                                          \
    do {                                                                                     \
        const struct reject *r_ = reject_at((tk), (f), (line));                              \
        ck_assert_msg(r_ != NULL, "%s line %d not rejected%s", input_file_names[f], (line),  \
                      tk_flags_text(tk));                                                    \
        ck_assert_msg(strstr(r_->reason, (what)) != NULL, "%s line %d: '%s', want '%s'",     \
                      input_file_names[f], (line), r_->reason, (what));                      \
    } while (0)

/* A member's financial assets as the reference policy counts them
 * (accounts(m): the latest balance per account): "SUM ACCOUNTS". */
static void assets_are(struct tk *tk, const char *id, const char *want)
{
    char *v = tk_lang_value(tk, "{sum(a in accounts(m): a.balance_yuan)} {count(accounts(m))}",
                            id);
    ck_assert_msg(v != NULL, "no member %s", id);
    ck_assert_str_eq(v, want);
    free(v);
}

START_TEST(test_financial_assets_feed)
{
    struct tk *tk = run_feeds(FILES(
        {"financial_assets.csv",
         /* 2 */ FA(P01, "工商银行", "6222-0001", "deposit", "10000.00", "2026-03-31")
         /* 3 */ FA(P01, "工商银行", "6222-0001", "deposit", "12000.00", "2026-05-31")
         /* 4 */ FA(P01, "工商银行", "6222-0001", "deposit", "99999.00", "2026-06-16")
         /* 5 */ FA(P01, "\" 建设银行 \"", "\"  0002 \"", "wealth", "5000.00", "2026-06-15")
         /* 6 */ FA(P01, "建设银行", "0002", "wealth", "7000.00", "2026-06-15")
         /* 7 */ FA(P01, "建设银行", "0002", "wealth", "6000.00", "2026-06-15")
         /* 8 */ FA(P01, "工商银行", "6222-0003", "fund", "300.00", "2026-01-31")
         /* 9 */ FA(P01, "工商银行", "6222-0003", "fund", "abc", "2026-04-30")
         /* 10 */ FA(P01, "农业银行", "6222-0001", "insurance", "100.00", "2026-02-01")
         /* 11 */ FA(P01, "农业银行", "6222-0009", "bond", "50000.00", "2026-02-01")
         /* 12 */ FA(P01, "农业银行", "\" \"", "deposit", "50000.00", "2026-02-01")
         /* 13 */ FA(BAD_CHECK, "农业银行", "6222-0010", "deposit", "50000.00", "2026-02-01")
         /* 14 */ FA(P01, "农业银行", "6222-0011", "deposit", "-1.00", "2026-02-01")
         /* 15 */ FA(P01, "农业银行", "6222-0012", "deposit", "1.00", "2026-02-30")
         /* 16 */ FA(P03, "工商银行", "6222-0100", "securities", "800.00", "2026-07-01")
         /* 17 */ FA(P01, "工商银行", "6222-0004", "other", "0.01", "2026-06-15"),
         0},
        {"funeral.csv",
         /* 2 */ P02 ",\" 王某 \",2026-03-02,cremation\n"
         /* 3 */ P02 ",王某,2026-03-05,sea\n"
         /* 4 */ P03 ",,2026-13-01,burial\n"
         /* 5 */ P03 ",,2026-06-16,burial\n",
         0}));
    ck_assert_int_eq(tk->ec.have[IN_FINASSETS], 1);
    ck_assert_int_eq(tk->ec.have[IN_FUNERAL], 1);
    /* rejected rows name the column; the rest are typed */
    const struct filestat *fs = &tk->d.files[IN_FINASSETS];
    ck_assert_int_eq(fs->data_rows, 16);
    ck_assert_uint_eq(fs->rejects.n, 6);
    REJECTED(tk, IN_FINASSETS, 9, "balance_yuan: not a number 'abc'");
    REJECTED(tk, IN_FINASSETS, 11, "asset_type: value not in its set 'bond'");
    REJECTED(tk, IN_FINASSETS, 12, "account_no: empty value");
    REJECTED(tk, IN_FINASSETS, 13, "id_no: bad check character");
    REJECTED(tk, IN_FINASSETS, 14, "balance_yuan: negative '-1.00'");
    REJECTED(tk, IN_FINASSETS, 15, "balance_date: bad date");
    ck_assert_uint_eq(tk->d.finassets.n, 10);
    const struct finasset *fa = NULL;
    for (size_t i = 0; i < tk->d.finassets.n; i++)
        if (VEC_AT(tk->d.finassets, struct finasset, i).line == 5)
            fa = &VEC_AT(tk->d.finassets, struct finasset, i);
    ck_assert_ptr_nonnull(fa);
    ck_assert_str_eq(fa->institution, "建设银行");   /* trimmed */
    ck_assert_str_eq(fa->account_no, "0002");
    ck_assert_int_eq(fa->asset_type, AT_WEALTH);
    ck_assert(fa->balance_fen == 500000);
    ck_assert_int_eq(fa->balance_date, date_from_ymd(2026, 6, 15));
    ck_assert(fa->key == member_key(tk, P01));

    /* the latest row on or before 2026-06-15 of each account:
     *   工商银行/6222-0001  12000.00 (05-31; 06-16 is later, ignored)
     *   建设银行/0002        7000.00 (three rows on 06-15 once trimmed: the largest)
     *   工商银行/6222-0003    300.00 (the later row was rejected)
     *   农业银行/6222-0001    100.00 (another institution: another account)
     *   工商银行/6222-0004      0.01 (dated the as-of day itself) */
    assets_are(tk, P01, "19400.01 5");
    assets_are(tk, P02, "0 0");
    assets_are(tk, P03, "0 0");   /* dated after the as-of date */

    fs = &tk->d.files[IN_FUNERAL];
    ck_assert_int_eq(fs->data_rows, 4);
    ck_assert_uint_eq(fs->rejects.n, 2);
    REJECTED(tk, IN_FUNERAL, 3, "kind: value not in its set 'sea'");
    REJECTED(tk, IN_FUNERAL, 4, "event_date: bad date");
    ck_assert_uint_eq(tk->d.funerals.n, 2);
    const struct funeral *fu = &VEC_AT(tk->d.funerals, struct funeral, 0);
    if (fu->line != 2)
        fu = &VEC_AT(tk->d.funerals, struct funeral, 1);
    ck_assert_int_eq(fu->line, 2);
    ck_assert_str_eq(fu->name, "王某");
    ck_assert_int_eq(fu->kind, FK_CREMATION);
    ck_assert_int_eq(fu->event_date, date_from_ymd(2026, 3, 2));
    ck_assert(fu->key == member_key(tk, P02));
    tk_free(tk);

    /* header only: present and empty; absent: not present */
    tk = run_feeds(FILES({"financial_assets.csv", "", 0}));
    ck_assert_int_eq(tk->ec.have[IN_FINASSETS], 1);
    ck_assert_int_eq(tk->ec.have[IN_FUNERAL], 0);
    ck_assert_uint_eq(tk->d.finassets.n, 0);
    assets_are(tk, P01, "0 0");
    tk_free(tk);
}
END_TEST

/* ---------- E13 ---------- */

/* limit: 24 months x 1000.00 x size (urban R1) */
#define E13_HH HHA("HH1") HHA("HH2") HHA("HH3") HHA("HH4") HHA("HH5") HHA("HH6")           \
    HHROW("HH7", RNOSTD, "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW01")     \
    HHC("HH8") HHC("HH9") HHA("HH10")
#define E13_MEMBERS MH("HH1", P01) M("HH1", P02, "spouse", "0.00") MH("HH2", P03)           \
    M("HH2", P04, "spouse", "0.00") MH("HH3", P05) MH("HH4", P06) MH("HH5", P07)             \
    M("HH5", P08, "spouse", "0.00") MH("HH6", P09) MH("HH7", P10) MH("HH8", P11) MH("HH9", P12) \
    MH("HH10", P13) M("HH10", P14, "spouse", "0.00")
#define E13_HUKOU K(P01, "HKA1", "head") K(P02, "HKA1", "spouse") K(P03, "HKA2", "head")    \
    K(P04, "HKA2", "spouse") K(P05, "HKA3", "head") K(P06, "HKA4", "head")                  \
    K(P07, "HKA5", "head") KS(P08, "HKA5", "spouse", R1, "moved_out", "2025-01-01")          \
    KS(P09, "HKA6", "head", R1, "deceased", "2026-01-01")                                    \
    KS(P10, "HKA7", "head", RNOSTD, "normal", "") K(P11, "HKA8", "head") K(P12, "HKA9", "head") \
    K(P13, "HKA10", "head") K(P14, "HKA10", "spouse")
#define E13_ASSETS                                                                           \
    /* 2 */ FA(P01, "工商银行", "A-1", "deposit", "30000.00", "2026-05-31")                  \
    /* 3 */ FA(P02, "工商银行", "A-2", "deposit", "18000.00", "2026-05-31")                  \
    /* 4 */ FA(P03, "工商银行", "A-3", "deposit", "30000.00", "2026-05-31")                  \
    /* 5 */ FA(P04, "建设银行", "A-4", "wealth", "18000.01", "2026-06-15")                   \
    /* 6 */ FA(P05, "工商银行", "A-5", "deposit", "90000.00", "2026-01-01")                  \
    /* 7 */ FA(P05, "工商银行", "A-5", "deposit", "24000.00", "2026-05-31")                  \
    /* 8 */ FA(P05, "工商银行", "A-5", "deposit", "99999.00", "2026-06-16")                  \
    /* 9 */ FA(P06, "工商银行", "A-6", "deposit", "10.00", "2026-06-10")                     \
    /* 10 */ FA(P06, "工商银行", "A-6", "deposit", "24000.01", "2026-06-10")                 \
    /* 11 */ FA(P08, "工商银行", "A-8", "deposit", "1000000.00", "2026-05-31")               \
    /* 12 */ FA(P09, "工商银行", "A-9", "deposit", "1000000.00", "2026-05-31")               \
    /* 13 */ FA(P10, "工商银行", "A-10", "deposit", "1000000.00", "2026-05-31")              \
    /* 14 */ FA(P11, "工商银行", "A-11", "deposit", "24000.01", "2026-05-31")                \
    /* 15 */ FA(P12, "工商银行", "A-12", "deposit", "24000.00", "2026-05-31")               \
    /* 16 */ FA(P13, "工商银行", "6222020000000131", "deposit", "10000.00", "2026-05-31")    \
    /* 17 */ FA(P13, "工商银行", "6222020000000132", "deposit", "30000.00", "2026-05-31")    \
    /* 18 */ FA(P14, "建设银行", "6222020000000141", "fund", "24000.00", "2026-05-31")
#define E13_FILES {"households.csv", E13_HH, 0}, {"members.csv", E13_MEMBERS, 0},          \
    {"hukou.csv", E13_HUKOU, 0}

START_TEST(test_e13_financial_assets)
{
    struct tk *tk = RUN(E13_FILES, {"financial_assets.csv", E13_ASSETS, 0});
    /* 30000 + 18000 = 48000.00 = 24 x 1000 x 2: not above */
    NOTHING(tk, "HH1");
    /* 48000.01: one fen above, keyed by the household and the head's hukou_no */
    key_is(tk, "E13_FINANCIAL_ASSETS", "HH2", "", "HKA2", SEV_HIGH);
    COUNT(tk, NULL, "HH2", 1);
    const struct flag *f = tk_find(tk, "E13_FINANCIAL_ASSETS", "HH2", "");
    /* owners by their sum, ids masked, an account number under 15
     * characters masked whole (base/idmask.h) */
    ck_assert_str_eq(f->evidence,
                     "financial_assets: 2 accounts of counted members total 48000.01 > 24 months "
                     "x standard 1000.00 x 2 counted members = 48000.00; by owner, largest "
                     "first: 610102********1039: 工商银行 *** deposit 30000.00 on 2026-05-31 "
                     "(line 4); 610102********1041: 建设银行 *** wealth 18000.01 on 2026-06-15 "
                     "(line 5)");
    /* an owner's accounts by balance, before the next owner's */
    f = tk_find(tk, "E13_FINANCIAL_ASSETS", "HH10", "");
    ck_assert_str_eq(f->evidence,
                     "financial_assets: 3 accounts of counted members total 64000.00 > 24 months "
                     "x standard 1000.00 x 2 counted members = 48000.00; by owner, largest "
                     "first: 610102********1137: 工商银行 622202******0132 deposit 30000.00 on "
                     "2026-05-31 (line 17); 610102********1137: 工商银行 622202******0131 "
                     "deposit 10000.00 on 2026-05-31 (line 16); 610102********114X: 建设银行 "
                     "622202******0141 fund 24000.00 on 2026-05-31 (line 18)");
    /* the latest balance on or before the as-of date (24000.00), not the
     * older 90000.00 nor the later 99999.00, nor their sum */
    NOTHING(tk, "HH3");
    /* two rows of one account on its latest date: the larger (24000.01) */
    key_is(tk, "E13_FINANCIAL_ASSETS", "HH4", "", "HKA4", SEV_HIGH);
    /* a member not counted (moved out) brings no assets */
    HASNT(tk, "E13_FINANCIAL_ASSETS", "HH5", NULL);
    HAS(tk, "E02_MOVED_OUT", "HH5", P08);
    COUNT(tk, NULL, "HH5", 1);
    /* size 0: not judged */
    HAS(tk, "E01_DECEASED", "HH6", P09);
    COUNT(tk, NULL, "HH6", 1);
    /* no standard: Q04 instead */
    HAS(tk, "Q04_NO_STANDARD", "HH7", "");
    COUNT(tk, NULL, "HH7", 1);
    /* cancelled: E13 would fire, so no L02; at the limit, L02 judged on E13 too */
    NOTHING(tk, "HH8");
    key_is(tk, "L02_CANCELLED_ELIGIBLE", "HH9", "", "HKA9", SEV_MEDIUM);
    f = tk_find(tk, "L02_CANCELLED_ELIGIBLE", "HH9", "");
    ck_assert_msg(strstr(f->evidence, "fires none of E01-E09, E13 as of 2026-06-15"), "%s",
                  f->evidence);
    COUNT(tk, "E13_FINANCIAL_ASSETS", NULL, 3);   /* HH2, HH4, HH10 */
    tk_free(tk);

    /* header only: present and empty, the rule runs and finds nothing */
    tk = RUN(E13_FILES, {"financial_assets.csv", "", 0});
    ck_assert_int_eq(tk->ec.have[IN_FINASSETS], 1);
    COUNT(tk, "E13_FINANCIAL_ASSETS", NULL, 0);
    f = tk_find(tk, "L02_CANCELLED_ELIGIBLE", "HH8", "");
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->evidence, "none of E01-E09, E13 as of"), "%s", f->evidence);
    tk_free(tk);

    /* absent: skipped, neither fires nor blocks L02 */
    tk = RUN(E13_FILES);
    ck_assert_int_eq(tk->ec.have[IN_FINASSETS], 0);
    COUNT(tk, "E13_FINANCIAL_ASSETS", NULL, 0);
    f = tk_find(tk, "L02_CANCELLED_ELIGIBLE", "HH8", "");
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->evidence, "none of E01-E09 as of"), "%s", f->evidence);
    tk_free(tk);

    /* off: the same */
    static const char *const off[] = {"rule E13_FINANCIAL_ASSETS cuobao high",
                                      "rule E13_FINANCIAL_ASSETS cuobao off", NULL};
    struct tk_opts o = {.rules_edit = off};
    tk = RUN_O(&o, E13_FILES, {"financial_assets.csv", E13_ASSETS, 0});
    COUNT(tk, "E13_FINANCIAL_ASSETS", NULL, 0);
    HAS(tk, "L02_CANCELLED_ELIGIBLE", "HH8", "");
    tk_free(tk);

    /* months is policy: 12 months puts HH1's 48000 above 24000 */
    static const char *const m12[] = {"param asset_months: count = 24",
                                      "param asset_months: count = 12", NULL};
    struct tk_opts o12 = {.rules_edit = m12};
    tk = RUN_O(&o12, E13_FILES, {"financial_assets.csv", E13_ASSETS, 0});
    HAS(tk, "E13_FINANCIAL_ASSETS", "HH1", "");
    NOTHING(tk, "HH9");
    tk_free(tk);
}
END_TEST

/* ---------- E14 ---------- */

#define E14_FILES                                                                            \
    {"households.csv", HHA("HH1") HHA("HH2") HHA("HH3") HHC("HH4") HHC("HH5"), 0},           \
    {"members.csv", MH("HH1", P01) M("HH1", P02, "spouse", "0.00") MH("HH2", P03)            \
                    MH("HH3", P04) M("HH3", P05, "child", "0.00") MH("HH4", P07)             \
                    MH("HH5", P08), 0},                                                      \
    {"hukou.csv", K(P01, "HKE1", "head") K(P02, "HKE2", "spouse") K(P03, "HKE3", "head")     \
                  K(P04, "HKE4", "head") KS(P05, "HKE4", "child", R1, "moved_out",            \
                                            "2025-01-01")                                    \
                  K(P07, "HKE7", "head") K(P08, "HKE8", "head"), 0}
#define E14_ROWS                                                                             \
    /* 2 */ P02 ",王某,2026-06-15,cremation\n"                                               \
    /* 3 */ P02 ",王某,2026-06-20,burial\n"                                                  \
    /* 4 */ P03 ",,2026-06-16,cremation\n"                                                   \
    /* 5 */ P05 ",孙某,2026-01-01,burial\n"                                                  \
    /* 6 */ P07 ",,2026-02-01,cremation\n"

START_TEST(test_e14_funeral_record)
{
    struct tk *tk = RUN(E14_FILES, {"funeral.csv", E14_ROWS, 0});
    /* event_date = as-of fires (the hukou feed still says normal); the
     * later burial record is not evidence; keyed by the member's own
     * hukou_no */
    key_is(tk, "E14_FUNERAL_RECORD", "HH1", P02, "HKE2", SEV_HIGH);
    const struct flag *f = tk_find(tk, "E14_FUNERAL_RECORD", "HH1", P02);
    ck_assert_str_eq(f->evidence, "funeral: cremation of 王某 on 2026-06-15 <= as-of 2026-06-15 "
                                  "(line 2)");
    COUNT(tk, NULL, "HH1", 1);
    /* the day after the as-of date: nothing */
    NOTHING(tk, "HH2");
    /* a member not counted (moved out) is looked at too */
    key_is(tk, "E14_FUNERAL_RECORD", "HH3", P05, "HKE4", SEV_HIGH);
    HAS(tk, "E02_MOVED_OUT", "HH3", P05);
    COUNT(tk, NULL, "HH3", 2);
    /* cancelled: E14 would fire, no L02; without a record, L02 judged on E14 */
    NOTHING(tk, "HH4");
    f = tk_find(tk, "L02_CANCELLED_ELIGIBLE", "HH5", "");
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->evidence, "none of E01-E09, E14 as of"), "%s", f->evidence);
    COUNT(tk, "E14_FUNERAL_RECORD", NULL, 2);
    tk_free(tk);

    /* absent: skipped; HH4 is then eligible for L02 */
    tk = RUN(E14_FILES);
    COUNT(tk, "E14_FUNERAL_RECORD", NULL, 0);
    HAS(tk, "L02_CANCELLED_ELIGIBLE", "HH4", "");
    tk_free(tk);
}
END_TEST

/* ---------- L01 and financial assets ---------- */

#define L01A_FILES                                                                           \
    {"households.csv", HHA("HH1"), 0}, {"members.csv", MH("HH1", P01), 0},                   \
    {"hukou.csv", K(P01, "HKZ1", "head") KC(P13, "HKL1", "head") KC(P14, "HKL1", "spouse")   \
                  KC(P15, "HKL2", "head") KC(P16, "HKL3", "head"), 0},                       \
    {"candidates.csv", CAND(P13) CAND(P15) CAND(P16), 0}
/* limit: 24 months x 800.00 (rural) x persons */
#define L01A_ASSETS FA(P14, "工商银行", "B-14", "deposit", "38400.00", "2026-05-31")          \
    FA(P15, "工商银行", "B-15", "fund", "19200.01", "2026-05-31")

START_TEST(test_l01_financial_assets)
{
    struct tk *tk = RUN(L01A_FILES, {"financial_assets.csv", L01A_ASSETS, 0});
    /* at the limit: fires, and says what it compared */
    key_is(tk, "L01_CANDIDATE_ELIGIBLE", "", P13, "HKL1", SEV_HIGH);
    const struct flag *f = tk_find(tk, "L01_CANDIDATE_ELIGIBLE", "", P13);
    ck_assert_str_eq(f->evidence,
                     "candidates: 低收入人口监测; hukou household HKL1 has 2 normal persons, none on "
                     "the rolls, no vehicle/commercial property/business/public-servant finding; "
                     "6-month evidenced income 0.00 / 2 persons / 6 months = 0.00 per person per "
                     "month <= standard 800.00 (rural, prefix 610102); financial assets 38400.00 "
                     "in 1 accounts <= 24 months x 800.00 x 2 persons = 38400.00 (candidates line "
                     "2); persons, largest first: 610102********1137 social_insurance 0.00; "
                     "610102********114X social_insurance 0.00");
    /* one fen above: blocked */
    HASNT(tk, "L01_CANDIDATE_ELIGIBLE", "", P15);
    HAS(tk, "L01_CANDIDATE_ELIGIBLE", "", P16);
    COUNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, 2);
    tk_free(tk);

    /* absent feed: cannot block, and the evidence does not claim a check */
    tk = RUN(L01A_FILES);
    HAS(tk, "L01_CANDIDATE_ELIGIBLE", "", P15);
    f = tk_find(tk, "L01_CANDIDATE_ELIGIBLE", "", P15);
    ck_assert_msg(!strstr(f->evidence, "financial assets"), "%s", f->evidence);
    tk_free(tk);

    /* E13 off: it does not block */
    static const char *const off[] = {"rule E13_FINANCIAL_ASSETS cuobao high",
                                      "rule E13_FINANCIAL_ASSETS cuobao off", NULL};
    struct tk_opts o = {.rules_edit = off};
    tk = RUN_O(&o, L01A_FILES, {"financial_assets.csv", L01A_ASSETS, 0});
    HAS(tk, "L01_CANDIDATE_ELIGIBLE", "", P15);
    tk_free(tk);
}
END_TEST

/* ---------- Q04 ---------- */

/* Standards here: urban 1000.00 in force, rural only from 2026-07-01. */
#define Q04_STD "610102,urban,2026-01-01,1000.00\n610102,rural,2026-07-01,800.00\n"
#define Q04_FILES                                                                             \
    {"households.csv",                                                                       \
     HHROW("HH1", RNOSTD, "dibao", "urban", "active", "2024-03-04", "2024-03-12", "CW01")     \
     HHROW("HH2", RNOSTD, "tekun", "urban", "suspended", "2024-03-04", "2024-03-12", "CW01")  \
     HHROW("HH3", RNOSTD, "dibao", "urban", "cancelled", "2023-03-06", "2023-03-14", "CW01")  \
     HHROW("HH4", R1, "dibao", "rural", "applying", "2026-06-01", "", "CW01")                 \
     HHA("HH5"), 0},                                                                          \
    {"members.csv", M("HH1", P01, "head", "5000.00") M("HH2", P02, "head", "0.00")            \
                    M("HH3", P03, "head", "0.00") M("HH4", P04, "head", "5000.00")            \
                    M("HH5", P05, "head", "5000.00"), 0},                                     \
    {"hukou.csv", KS(P01, "HKN1", "head", RNOSTD, "normal", "")                               \
                  KS(P02, "HKN2", "head", RNOSTD, "deceased", "2026-01-01")                   \
                  KS(P03, "HKN3", "head", RNOSTD, "normal", "") K(P04, "HKN4", "head")        \
                  K(P05, "HKN5", "head") KS(P06, "HKN6", "head", RNOSTD, "normal", ""), 0},   \
    {"candidates.csv", P06 ",重度残疾," RNOSTD ",urban\n", 0},                                 \
    {"standards.csv", Q04_STD, 0}

START_TEST(test_q04_no_standard)
{
    struct tk *tk = RUN(Q04_FILES);
    /* no standard for the region: Q04 keyed by the head's hukou_no, no E09
     * (5000.00 declared would fire it) */
    key_is(tk, "Q04_NO_STANDARD", "HH1", "", "HKN1", SEV_MEDIUM);
    COUNT(tk, NULL, "HH1", 1);
    const struct flag *f = tk_find(tk, "Q04_NO_STANDARD", "HH1", "");
    ck_assert_str_eq(f->evidence, "standards: no urban row for region " RNOSTD " (prefix 610104, "
                                  "610104001 or " RNOSTD ") in force on 2026-06-15; E09 and E13 "
                                  "cannot be judged (households line 2)");
    /* whatever its size: the only member is deceased (size 0) */
    key_is(tk, "Q04_NO_STANDARD", "HH2", "", "HKN2", SEV_MEDIUM);
    HAS(tk, "E01_DECEASED", "HH2", P02);
    COUNT(tk, NULL, "HH2", 2);
    /* cancelled: no Q04 and no L02, listed all the same */
    NOTHING(tk, "HH3");
    /* a rural standard exists but is not yet in force on the as-of date */
    key_is(tk, "Q04_NO_STANDARD", "HH4", "", "HKN4", SEV_MEDIUM);
    HASNT(tk, "E09_INCOME", "HH4", NULL);
    /* urban is in force: E09, no Q04 */
    HAS(tk, "E09_INCOME", "HH5", "");
    HASNT(tk, "Q04_NO_STANDARD", "HH5", NULL);
    COUNT(tk, "Q04_NO_STANDARD", NULL, 3);
    /* every household and candidate without a standard is listed */
    ck_assert_uint_eq(tk->er.n_no_std_households, 4);
    ck_assert(tk_no_std_household(tk, "HH1") && tk_no_std_household(tk, "HH2") &&
              tk_no_std_household(tk, "HH3") && tk_no_std_household(tk, "HH4"));
    ck_assert(!tk_no_std_household(tk, "HH5"));
    ck_assert_uint_eq(tk->er.n_no_std_candidates, 1);
    ck_assert(tk_no_std_candidate(tk, P06));
    COUNT(tk, "L01_CANDIDATE_ELIGIBLE", NULL, 0);
    tk_free(tk);

    /* off in the policy: no Q04, still listed, still no E09 */
    static const char *const off[] = {"rule Q04_NO_STANDARD quality medium",
                                      "rule Q04_NO_STANDARD quality off", NULL};
    struct tk_opts o = {.rules_edit = off};
    tk = RUN_O(&o, Q04_FILES);
    COUNT(tk, "Q04_NO_STANDARD", NULL, 0);
    NOTHING(tk, "HH1");
    ck_assert_uint_eq(tk->er.n_no_std_households, 4);
    tk_free(tk);
}
END_TEST

/* ---------- Q05 ---------- */

#define Q05_HH HHA("HH1") HHA("HH2") HHA("HH4") HHA("HH5") HHC("HH3")
#define Q05_MEMBERS                                                                         \
    MH("HH1", P01) "HH1," P02 ",P02,wife,0.00,full,0\n"              /* 3 relation */      \
    "HH2," P03 ",P03,head,-5000.00,,7\n"                             /* 4 three values */  \
    "HH2," P04 ",P04,spouse,1800.00,full,0\n"                                              \
    "HH3," P05 ",P05,head,300.00,full,9\n"                           /* 6 cancelled */     \
    MH("HH4", P06) "HH4,,甲,child,x,full,0\n"                        /* 8 no id, income */ \
    "HH4,,乙,child,0.00,able,0\n"                                    /* 9 no id, ability */ \
    MH("HH5", P07) "HH5, " BAD_CHECK " ,坏号,spouse,0.00,full,-1\n"  /* 11 bad id, grade */
#define Q05_HUKOU                                                                           \
    K(P01, "HKQ1", "head") K(P02, "HKQ1", "spouse") K(P03, "HKQ2", "head")                  \
    K(P04, "HKQ2", "spouse") K(P05, "HKQ3", "head") K(P06, "HKQ4", "head")                  \
    K(P07, "HKQ5", "head")
#define Q05_CARS VEH(P02, "陕AQ0502", "car", "private", "50000.00", "valid")                \
                 VEH(P05, "陕AQ0505", "car", "private", "50000.00", "valid")

START_TEST(test_q05_member_row)
{
    struct tk *tk = RUN({"households.csv", Q05_HH, 0}, {"members.csv", Q05_MEMBERS, 0},
                        {"hukou.csv", Q05_HUKOU, 0}, {"vehicles.csv", Q05_CARS, 0});
    /* an unusable relation: kept as `other`, keyed like any member rule */
    key_is(tk, "Q05_MEMBER_ROW", "HH1", P02, "HKQ1", SEV_MEDIUM);
    const struct flag *f = tk_find(tk, "Q05_MEMBER_ROW", "HH1", P02);
    ck_assert_str_eq(f->evidence,
                     "members: relation 'wife': not in its set, taken as other (members line 3)");
    /* the kept member's car is found: the row was not dropped */
    HAS(tk, "E03_VEHICLE", "HH1", P02);
    COUNT(tk, NULL, "HH1", 2);
    uint32_t hi;
    const struct household *h = tk_household(tk, "HH1", &hi);
    ck_assert_int_eq(VEC_AT(tk->d.members, struct member, h->first_member + 1).relation,
                     REL_OTHER);

    /* three bad values in one row: one flag naming all three; the income
     * counts as 0 and the member is counted: (0 + 1800) / 2 = 900 <= 1000
     * (dropping the row would give 1800 / 1 > 1000, E09) */
    key_is(tk, "Q05_MEMBER_ROW", "HH2", P03, "HKQ2", SEV_MEDIUM);
    f = tk_find(tk, "Q05_MEMBER_ROW", "HH2", P03);
    ck_assert_str_eq(f->evidence,
                     "members: declared_monthly_income '-5000.00': negative, taken as 0; "
                     "work_ability: empty, taken as none; disability_grade '7': not 0-4, "
                     "taken as 0 (members line 4)");
    HASNT(tk, "E09_INCOME", "HH2", NULL);
    COUNT(tk, NULL, "HH2", 1);
    h = tk_household(tk, "HH2", NULL);
    const struct member *m3 = &VEC_AT(tk->d.members, struct member, h->first_member);
    ck_assert(m3->declared_fen == 0);
    ck_assert_int_eq(m3->work_ability, WA_NONE);
    ck_assert_int_eq(m3->disability_grade, 0);
    ck_assert_uint_eq(m3->bad_cols, MB_INCOME | MB_WORK_ABILITY | MB_GRADE);

    /* cancelled: no Q05, but the row is kept, so its car blocks L02 */
    NOTHING(tk, "HH3");

    /* two members with no id_no: one Q05 (one row per key) naming both
     * rows, beside the one Q01 */
    key_is(tk, "Q05_MEMBER_ROW", "HH4", "", "", SEV_MEDIUM);
    COUNT(tk, "Q05_MEMBER_ROW", "HH4", 1);
    f = tk_find(tk, "Q05_MEMBER_ROW", "HH4", "");
    ck_assert_str_eq(f->evidence,
                     "members: declared_monthly_income 'x': not a number, taken as 0 (members "
                     "line 8); work_ability 'able': not in its set, taken as none (members line 9)");
    COUNT(tk, "Q01_INVALID_ID", "HH4", 1);
    COUNT(tk, NULL, "HH4", 2);

    /* an invalid id_no: keyed as given, trimmed, with an empty hukou_no */
    key_is(tk, "Q05_MEMBER_ROW", "HH5", BAD_CHECK, "", SEV_MEDIUM);
    f = tk_find(tk, "Q05_MEMBER_ROW", "HH5", BAD_CHECK);
    ck_assert_str_eq(f->evidence,
                     "members: disability_grade '-1': not 0-4, taken as 0 (members line 11)");
    HAS(tk, "Q01_INVALID_ID", "HH5", BAD_CHECK);
    COUNT(tk, NULL, "HH5", 2);
    COUNT(tk, "Q05_MEMBER_ROW", NULL, 4);
    tk_free(tk);

    /* off in the policy: no Q05, the rows still kept (E03, no rejects) */
    static const char *const off[] = {"rule Q05_MEMBER_ROW quality medium",
                                      "rule Q05_MEMBER_ROW quality off", NULL};
    struct tk_opts o = {.rules_edit = off};
    tk = RUN_O(&o, {"households.csv", Q05_HH, 0}, {"members.csv", Q05_MEMBERS, 0},
               {"hukou.csv", Q05_HUKOU, 0}, {"vehicles.csv", Q05_CARS, 0});
    COUNT(tk, "Q05_MEMBER_ROW", NULL, 0);
    HAS(tk, "E03_VEHICLE", "HH1", P02);
    NOTHING(tk, "HH3");
    tk_free(tk);
}
END_TEST

/* Rows that are still rejected whatever their other values: an unknown
 * household, a repeat, a row with the wrong column count. */
START_TEST(test_q05_still_rejected)
{
    struct tk *tk = tk_run_files(
        FILES({"households.csv", HHA("HH1"), 0},
              {"members.csv", MH("HH1", P01) M("HH1", P02, "spouse", "0.00")
                              "HH9," P03 ",P03,wife,x,,9\n"            /* 4 unknown household */
                              "HH1," P02 ",P02,wife,x,full,0\n"        /* 5 repeat of line 3 */
                              "HH1," P04 ",P04,wife,x,full\n",         /* 6 six fields */
               0},
              {"hukou.csv", K(P01, "HKQ1", "head") K(P02, "HKQ1", "spouse"), 0},
              {"standards.csv", STD_ROWS, 0}),
        NULL);
    ck_assert_msg(tk->st == E_OK, "%s", tk_flags_text(tk));
    const struct filestat *fs = &tk->d.files[IN_MEMBERS];
    ck_assert_uint_eq(fs->rejects.n, 3);
    static const struct {
        long long line;
        const char *reason;
    } want[] = {{4, "household_id"}, {5, "repeated"}, {6, "column count"}};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        const struct reject *r = NULL;
        for (size_t i = 0; i < fs->rejects.n; i++)
            if (VEC_AT(fs->rejects, struct reject, i).line == want[w].line)
                r = &VEC_AT(fs->rejects, struct reject, i);
        ck_assert_msg(r != NULL, "no reject for members line %lld", want[w].line);
        ck_assert_msg(strstr(r->reason, want[w].reason), "line %lld: %s", r->line, r->reason);
    }
    COUNT(tk, "Q05_MEMBER_ROW", NULL, 0);
    NOTHING(tk, "HH1");
    tk_free(tk);
}
END_TEST

/* ---------- hukou repeats, the head, one row per key ---------- */

START_TEST(test_hukou_repeats_and_head)
{
    struct tk *tk = RUN(
        {"households.csv", HHA("HH1") HHA("HH2"), 0},
        {"members.csv",
         /* the head is the first `head` row, not the first row */
         M("HH1", P02, "spouse", "0.00") M("HH1", P01, "head", "3000.00")
         M("HH1", P03, "head", "0.00") M("HH1", P04, "child", "0.00")
         MH("HH2", P05),
         0},
        {"hukou.csv",
         /* P01: an old moved_out row in another county, then the normal row */
         KS(P01, "HKX0", "head", ROTHER, "moved_out", "2020-01-01") K(P01, "HKX1", "head")
         /* P02: normal */
         K(P02, "HKX2", "head")
         /* P03: moved_out, later deceased (file order reversed): deceased wins */
         KS(P03, "HKX3", "head", R1, "deceased", "2026-01-10")
         KS(P03, "HKX9", "head", ROTHER, "moved_out", "2025-01-01")
         /* P04: identical repeats */
         K(P04, "HKX1", "child") K(P04, "HKX1", "child")
         K(P05, "HKX5", "head"),
         0},
        {"staff_relatives.csv", "CW01," P05 ",兄弟\nCW01," P05 ",配偶\n", 0},
        {"public_servants.csv", P05 ",某局,2010-01-01\n" P05 ",某局二,2012-01-01\n", 0});
    HASNT(tk, "E02_MOVED_OUT", "HH1", P01);
    key_is(tk, "E01_DECEASED", "HH1", P03, "HKX3", SEV_HIGH);
    HASNT(tk, "E02_MOVED_OUT", "HH1", P03);
    /* size 3 (P03 not counted): 3000 / 3 = 1000.00, not above */
    HASNT(tk, "E09_INCOME", "HH1", NULL);
    COUNT(tk, NULL, "HH1", 1);
    /* one row per distinct key, however many records back it */
    key_is(tk, "E12_STAFF_RELATIVE", "HH2", P05, "HKX5", SEV_LOW);
    key_is(tk, "E08_PUBLIC_SERVANT", "HH2", P05, "HKX5", SEV_HIGH);
    COUNT(tk, NULL, "HH2", 2);
    tk_free(tk);

    /* E09 (3000.03 / 3) is keyed by the first head's hukou_no */
    tk = RUN(
        {"households.csv", HHA("HH1"), 0},
        {"members.csv", M("HH1", P02, "spouse", "0.00") M("HH1", P01, "head", "3000.03")
                        M("HH1", P03, "head", "0.00"), 0},
        {"hukou.csv", K(P01, "HKX1", "head") K(P02, "HKX2", "head") K(P03, "HKX3", "head"), 0});
    key_is(tk, "E09_INCOME", "HH1", "", "HKX1", SEV_HIGH);
    tk_free(tk);
}
END_TEST

/* ---------- order of the flags ---------- */

static int key_cmp(const struct flag *x, const struct flag *y)
{
    int r = strcmp(x->household_id, y->household_id);
    if (!r)
        r = strcmp(x->hukou_no, y->hukou_no);
    if (!r)
        r = strcmp(rule_names[x->rule], rule_names[y->rule]);
    if (!r)
        r = strcmp(x->id_no, y->id_no);
    return r;
}

#define ORDER_FILES                                                                          \
    {"households.csv", HHA("HH9") HHA("HH10") HHA("hh1") HHA("HH1")                          \
                       HHROW("HH2", R1, "dibao", "urban", "active", "2026-04-28", "2026-05-22", \
                             "CW01"),                                                        \
     0},                                                                                     \
    {"members.csv", M("HH9", P09, "head", "2000.00") MH("HH10", P10) MH("hh1", P11)         \
                    M("HH1", P01, "head", "5000.00") M("HH1", P03, "spouse", "0.00")         \
                    M("HH1", P02, "child", "0.00") M("HH1", P04, "child", "0.00")            \
                    MH("HH2", P05),                                                          \
     0},                                                                                     \
    {"hukou.csv", K(P09, "HKZ", "head") K(P10, "HKZ1", "head") K(P11, "HKZ2", "head")        \
                  K(P01, "HK9", "head") K(P02, "HK10", "child") K(P03, "HK10", "spouse"),    \
     0},                                                                                     \
    {"vehicles.csv", VEH(P01, "A1", "car", "private", "1.00", "valid")                       \
                     VEH(P02, "A2", "car", "private", "1.00", "valid")                       \
                     VEH(P03, "A3", "car", "private", "1.00", "valid")                       \
                     VEH(P04, "A4", "car", "private", "1.00", "valid")                       \
                     VEH(P10, "A5", "car", "private", "1.00", "valid")                       \
                     VEH(P11, "A6", "car", "private", "1.00", "valid"),                      \
     0},                                                                                     \
    {"public_servants.csv", P03 ",某局,2010-01-01\n" P02 ",某局,2010-01-01\n", 0}

START_TEST(test_flag_order_bytes)
{
    struct tk *tk = RUN(ORDER_FILES);
    static const char *const want[][4] = {
        /* household_id, hukou_no, rule, id_no -- byte order */
        {"HH1", "", "E03_VEHICLE", P04},
        {"HH1", "", "Q02_NOT_IN_HUKOU", P04},
        {"HH1", "HK10", "E03_VEHICLE", P02},
        {"HH1", "HK10", "E03_VEHICLE", P03},
        {"HH1", "HK10", "E08_PUBLIC_SERVANT", P02},
        {"HH1", "HK10", "E08_PUBLIC_SERVANT", P03},
        {"HH1", "HK9", "E03_VEHICLE", P01},
        {"HH1", "HK9", "E09_INCOME", ""},
        {"HH10", "HKZ1", "E03_VEHICLE", P10},
        {"HH2", "", "P01_OVERDUE", ""},
        {"HH2", "", "Q02_NOT_IN_HUKOU", P05},
        {"HH9", "HKZ", "E09_INCOME", ""},
        {"hh1", "HKZ2", "E03_VEHICLE", P11},
    };
    size_t n = sizeof want / sizeof want[0];
    ck_assert_msg(tk->er.n_flags == n, "%zu flags, want %zu%s", tk->er.n_flags, n,
                  tk_flags_text(tk));
    for (size_t i = 0; i < n; i++) {
        const struct flag *f = &tk->er.flags[i];
        ck_assert_msg(strcmp(f->household_id, want[i][0]) == 0 &&
                          strcmp(f->hukou_no, want[i][1]) == 0 &&
                          strcmp(rule_names[f->rule], want[i][2]) == 0 &&
                          strcmp(f->id_no, want[i][3]) == 0,
                      "flag %zu is %s|%s|%s|%s, want %s|%s|%s|%s", i, f->household_id,
                      f->hukou_no, rule_names[f->rule], f->id_no, want[i][0], want[i][1],
                      want[i][2], want[i][3]);
        if (i > 0)   /* strictly increasing: sorted, and one row per key */
            ck_assert_int_lt(key_cmp(&tk->er.flags[i - 1], f), 0);
    }
    /* per-rule counts agree with the flags */
    size_t sum = 0;
    for (int r = 0; r < n_rules; r++)
        sum += tk->er.rule_count[r];
    ck_assert_uint_eq(sum, n);
    ck_assert_uint_eq(tk->er.rule_count[tk_rule("E03_VEHICLE")], 6);
    tk_free(tk);
}
END_TEST

Suite *evaluate_suite(void)
{
    Suite *s = suite_create("evaluate");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_e01_deceased);
    tcase_add_test(tc, test_e02_moved_out);
    tcase_add_test(tc, test_e03_vehicle);
    tcase_add_test(tc, test_policy_changes);
    tcase_add_test(tc, test_e04_multi_housing);
    tcase_add_test(tc, test_e05_commercial_property);
    tcase_add_test(tc, test_e06_housing_area);
    tcase_add_test(tc, test_e07_business);
    tcase_add_test(tc, test_e08_public_servant);
    tcase_add_test(tc, test_e09_income);
    tcase_add_test(tc, test_e09_max_not_sum);
    tcase_add_test(tc, test_e09_standard_lookup);
    tcase_add_test(tc, test_e10_duplicate);
    tcase_add_test(tc, test_e11_undeclared_spouse);
    tcase_add_test(tc, test_e11_digit_hukou_nos);
    tcase_add_test(tc, test_e12_staff_relative);
    tcase_add_test(tc, test_p01_overdue);
    tcase_add_test(tc, test_p01_data_holidays);
    tcase_add_test(tc, test_q01_invalid_id);
    tcase_add_test(tc, test_q01_counted_and_15_digit);
    tcase_add_test(tc, test_q01_one_row_per_key);
    tcase_add_test(tc, test_q03_name_mismatch);
    tcase_add_test(tc, test_financial_assets_feed);
    tcase_add_test(tc, test_e13_financial_assets);
    tcase_add_test(tc, test_e14_funeral_record);
    tcase_add_test(tc, test_l01_financial_assets);
    tcase_add_test(tc, test_q04_no_standard);
    tcase_add_test(tc, test_q05_member_row);
    tcase_add_test(tc, test_q05_still_rejected);
    tcase_add_test(tc, test_l01_candidate);
    tcase_add_test(tc, test_l02_cancelled);
    tcase_add_test(tc, test_hukou_repeats_and_head);
    tcase_add_test(tc, test_flag_order_bytes);
    suite_add_tcase(s, tc);
    return s;
}
