/* check_policy_vm.c - the compiled reference policy run by engine/vm.c.
 *
 * Owns: the policy_vm suite.  The gate: on fixtures/ the VM's flags (rule,
 * severity, keys, region, evidence and the fingerprint's key values), the
 * counts per rule, the households and candidates without a standard and
 * the skipped candidates equal evaluate.c's, field by field, at 1 and 3
 * threads.  Then what only a policy can do: a dated parameter changes the
 * result on its date, a pack that turns E03 off no longer blocks L01 with a
 * car, an overflow stops the run naming the policy line and the household.
 * (The whole unit suite also runs under the VM: HEDUI_EVAL=lang make unit.)
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/vm.h"
#include "tests.h"

#include "testkit.h"

/* Every flag of a result, in order (the reference policy states every
 * rule of the catalogue: nothing is left out of the comparison). */
static size_t stated(const struct eval_result *r, const struct flag **out)
{
    for (size_t i = 0; i < r->n_flags; i++)
        out[i] = &r->flags[i];
    return r->n_flags;
}

static void same_result(const struct eval_result *a, const struct eval_result *b)
{
    const struct flag **fa = malloc((a->n_flags + 1) * sizeof *fa);
    const struct flag **fb = malloc((b->n_flags + 1) * sizeof *fb);
    ck_assert(fa && fb);
    size_t na = stated(a, fa), nb = stated(b, fb);
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        const struct flag *x = fa[i], *y = fb[i];
        ck_assert_int_eq(x->rule, y->rule);
        ck_assert_int_eq(x->severity, y->severity);
        ck_assert_uint_eq(x->hh, y->hh);
        ck_assert_str_eq(x->household_id, y->household_id);
        ck_assert_str_eq(x->hukou_no, y->hukou_no);
        ck_assert_str_eq(x->id_no, y->id_no);
        ck_assert_str_eq(x->region, y->region);
        ck_assert_str_eq(x->unit_hukou_no, y->unit_hukou_no);
        ck_assert_str_eq(x->evidence, y->evidence);
        ck_assert_str_eq(x->evkey, y->evkey);
    }
    free(fa);
    free(fb);
    for (int r = 0; r < N_RULES; r++)
        ck_assert_uint_eq(a->rule_count[r], b->rule_count[r]);
    ck_assert_uint_eq(a->n_no_std_households, b->n_no_std_households);
    for (size_t i = 0; i < a->n_no_std_households; i++)
        ck_assert_uint_eq(a->no_std_households[i], b->no_std_households[i]);
    ck_assert_uint_eq(a->n_no_std_candidates, b->n_no_std_candidates);
    for (size_t i = 0; i < a->n_no_std_candidates; i++)
        ck_assert_uint_eq(a->no_std_candidates[i], b->no_std_candidates[i]);
    ck_assert_int_eq(a->candidates_skipped_not_in_hukou, b->candidates_skipped_not_in_hukou);
}

START_TEST(test_fixtures_identical)
{
    unsetenv("HEDUI_EVAL");
    char dir[600], rules[600];
    snprintf(dir, sizeof dir, "%s/fixtures", test_root());
    snprintf(rules, sizeof rules, "%s/rules", test_root());
    struct tk_opts o = {0};
    o.as_of = "2026-06-15";
    struct tk *tk = tk_run(dir, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    ck_assert_uint_gt(tk->er.n_flags, 40);
    int threads[2] = {1, 3};
    for (int k = 0; k < 2; k++) {
        omp_set_num_threads(threads[k]);
        struct eval_result r;
        struct err e;
        err_init(&e);
        int st = vm_run_dir(&tk->ec, rules, &r, &e);
        ck_assert_msg(st == E_OK, "%s", e.msg);
        same_result(&tk->er, &r);
        eval_result_free(&r);
    }
    tk_free(tk);
}
END_TEST

/* ---------- a rules directory of the test's own ---------- */

static char rdir[64];

static void copy_file(const char *from, const char *to)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    ck_assert_int_eq(system(cmd), 0);
}

static void rules_setup(void)
{
    unsetenv("HEDUI_EVAL");   /* testkit's evaluator is the hand-written one here */
    snprintf(rdir, sizeof rdir, "/tmp/hedui-vm-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(rdir));
    const char *files[] = {"policy.rules", "standards.csv", "holidays.csv", "reference.policy"};
    for (int i = 0; i < 4; i++) {
        char a[700], b[200];
        snprintf(a, sizeof a, "%s/rules/%s", test_root(), files[i]);
        snprintf(b, sizeof b, "%s/%s", rdir, files[i]);
        copy_file(a, b);
    }
}

static void rules_teardown(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Replace `from` by `to` in rdir/reference.policy (once, must occur). */
static void edit_reference(const char *from, const char *to)
{
    char p[200];
    snprintf(p, sizeof p, "%s/reference.policy", rdir);
    FILE *f = fopen(p, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16], out[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *at = strstr(buf, from);
    ck_assert_msg(at != NULL, "'%s' not in reference.policy", from);
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(out, f);
    fclose(f);
}

#define P1 "610102196102021013"
#define P2 "610102196203031026"
#define R1 "610102001001"

/* a household with a commercial car of 35000 (E03 under the reference's
 * 30000), and a candidate whose hukou household owns a private car */
static const struct tk_file car_files[] = {
    {"households.csv", "H1," R1 ",dibao,urban,active,2024-03-04,2024-03-12,500.00,CW01\n", 0},
    {"members.csv", "H1," P1 ",甲,head,0.00,full,0\n", 0},
    {"hukou.csv", P1 ",甲,K1,head," R1 ",normal,\n" P2 ",乙,K2,head," R1 ",normal,\n", 0},
    {"vehicles.csv", P1 ",陕A1,car,commercial,2020-01-01,35000,valid\n"
                     P2 ",陕A2,car,private,2020-01-01,5000,valid\n", 0},
    {"candidates.csv", P2 ",低收入人口监测," R1 ",urban\n", 0},
    {"standards.csv", "610102,urban,2026-01-01,1000.00\n", 0},
    {NULL, NULL, 0}};

static struct tk *run_vm(const char *as_of)
{
    struct tk_opts o = {0};
    o.as_of = as_of;
    o.rules_dir = rdir;
    struct tk *tk = tk_run_files(car_files, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    eval_result_free(&tk->er);
    struct err e;
    err_init(&e);
    int st = vm_run_dir(&tk->ec, rdir, &tk->er, &e);
    ck_assert_msg(st == E_OK, "%s", e.msg);
    return tk;
}

START_TEST(test_dated_parameter_on_its_date)
{
    edit_reference("param exempt_max: money = 30000",
                   "param exempt_max: money = 30000 from 2026-07-01: 40000");
    struct tk *a = run_vm("2026-06-30");
    const struct flag *f = tk_find(a, "E03_VEHICLE", "H1", P1);
    ck_assert_msg(f != NULL, "%s", tk_flags_text(a));
    ck_assert_str_eq(f->evidence, "vehicles: car 陕A1 commercial value 35000 > 30000 (line 2)");
    tk_free(a);
    struct tk *b = run_vm("2026-07-01");
    ck_assert_msg(!tk_has_flag(b, "E03_VEHICLE", "H1", P1), "%s", tk_flags_text(b));
    tk_free(b);
}
END_TEST

START_TEST(test_off_rule_does_not_block)
{
    struct tk *a = run_vm("2026-06-15");
    ck_assert_msg(!tk_has_flag(a, "L01_CANDIDATE_ELIGIBLE", "", P2), "%s", tk_flags_text(a));
    tk_free(a);
    /* a pack with E03 off: L01 for the candidate with a car, no E03 at all */
    char p[400];
    snprintf(p, sizeof p, "%s/packs", rdir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    char pack[200];
    snprintf(pack, sizeof pack, "%s/packs/nocar", rdir);
    ck_assert_int_eq(mkdir(pack, 0700), 0);
    const char *files[] = {"policy.rules", "standards.csv", "holidays.csv"};
    for (int i = 0; i < 3; i++) {
        char a1[200], b1[300];
        snprintf(a1, sizeof a1, "%s/%s", rdir, files[i]);
        snprintf(b1, sizeof b1, "%s/%s", pack, files[i]);
        copy_file(a1, b1);
    }
    snprintf(p, sizeof p, "%s/pack.policy", pack);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("extends reference\noff E03_VEHICLE\n", f);
    fclose(f);
    snprintf(rdir + strlen(rdir), sizeof rdir - strlen(rdir), "/packs/nocar");
    struct tk *b = run_vm("2026-06-15");
    *strstr(rdir, "/packs/nocar") = '\0';
    ck_assert_msg(tk_has_flag(b, "L01_CANDIDATE_ELIGIBLE", "", P2), "%s", tk_flags_text(b));
    ck_assert_uint_eq(tk_count(b, "E03_VEHICLE", NULL), 0);
    tk_free(b);
}
END_TEST

START_TEST(test_overflow_stops_the_run)
{
    edit_reference("area_m2 * share)", "area_m2 * share * share * share * share * share)");
    struct tk_opts o = {0};
    o.rules_dir = rdir;
    const struct tk_file files[] = {
        {"households.csv", "H1," R1 ",dibao,urban,active,2024-03-04,2024-03-12,500.00,CW01\n", 0},
        {"members.csv", "H1," P1 ",甲,head,0.00,full,0\n", 0},
        {"hukou.csv", P1 ",甲,K1,head," R1 ",normal,\n", 0},
        {"property.csv", P1 ",T1,residential,90,0.5,2020-01-01,held\n", 0},
        {"standards.csv", "610102,urban,2026-01-01,1000.00\n", 0},
        {NULL, NULL, 0}};
    struct tk *tk = tk_run_files(files, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    eval_result_free(&tk->er);
    struct err e;
    err_init(&e);
    int st = vm_run_dir(&tk->ec, rdir, &tk->er, &e);
    ck_assert_int_eq(st, E_DATA);
    ck_assert_msg(strstr(e.msg, "arithmetic overflow while judging H1") != NULL, "%s", e.msg);
    ck_assert_msg(strstr(e.msg, "policy line ") != NULL, "%s", e.msg);
    tk_free(tk);
}
END_TEST

/* latest(S by KEY: ORDER): per title, the row with the latest registered_on
 * (the first on a tie) decides; E05 made to read only those. */
START_TEST(test_latest_per_key)
{
    edit_reference("let p = m.property where status = held and usage in commercial_usages",
                   "let p = latest(m.property by property_id: registered_on)\n"
                   "          where status = held and usage in commercial_usages");
    struct tk_opts o = {0};
    o.rules_dir = rdir;
    const struct tk_file files[] = {
        {"households.csv", "H1," R1 ",dibao,urban,active,2024-03-04,2024-03-12,500.00,CW01\n"
                           "H2," R1 ",dibao,urban,active,2024-03-04,2024-03-12,500.00,CW01\n", 0},
        {"members.csv", "H1," P1 ",甲,head,0.00,full,0\nH2," P2 ",乙,head,0.00,full,0\n", 0},
        {"hukou.csv", P1 ",甲,K1,head," R1 ",normal,\n" P2 ",乙,K2,head," R1 ",normal,\n", 0},
        {"property.csv", P1 ",T1,commercial,50,1,2020-01-01,held\n"    /* superseded: sold */
                         P1 ",T1,commercial,50,1,2022-01-01,sold\n"
                         P1 ",T2,office,30,1,2021-01-01,sold\n"        /* a tie: the first */
                         P1 ",T2,office,30,1,2021-01-01,held\n"
                         P2 ",T3,commercial,20,0.5,2019-01-01,sold\n"
                         P2 ",T3,commercial,20,0.5,2023-05-01,held\n"  /* latest: held */
                         P2 ",T4,office,10,1,2020-01-01,held\n", 0},
        {"standards.csv", "610102,urban,2026-01-01,1000.00\n", 0},
        {NULL, NULL, 0}};
    struct tk *tk = tk_run_files(files, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    ck_assert(tk_has_flag(tk, "E05_COMMERCIAL_PROPERTY", "H1", P1));   /* the C engine */
    eval_result_free(&tk->er);
    struct err e;
    err_init(&e);
    int st = vm_run_dir(&tk->ec, rdir, &tk->er, &e);
    ck_assert_msg(st == E_OK, "%s", e.msg);
    ck_assert_msg(!tk_has_flag(tk, "E05_COMMERCIAL_PROPERTY", "H1", P1), "%s", tk_flags_text(tk));
    const struct flag *f = tk_find(tk, "E05_COMMERCIAL_PROPERTY", "H2", P2);
    ck_assert_msg(f != NULL, "%s", tk_flags_text(tk));
    ck_assert_str_eq(f->evidence, "property: commercial T3 held, 20 m2 x share 0.5 (line 7); "
                                  "property: office T4 held, 10 m2 x share 1 (line 8)");
    tk_free(tk);
}
END_TEST

/* A pack directory under rdir/packs/NAME: the run settings and tables
 * copied, the pack's text as pack.policy.  Returns its path (static). */
static const char *make_pack(const char *name, const char *text)
{
    static char pack[200];
    char p[300];
    snprintf(p, sizeof p, "%s/packs", rdir);
    mkdir(p, 0700);
    snprintf(pack, sizeof pack, "%s/packs/%s", rdir, name);
    ck_assert_int_eq(mkdir(pack, 0700), 0);
    const char *files[] = {"policy.rules", "standards.csv", "holidays.csv"};
    for (int i = 0; i < 3; i++) {
        char a1[200], b1[300];
        snprintf(a1, sizeof a1, "%s/%s", rdir, files[i]);
        snprintf(b1, sizeof b1, "%s/%s", pack, files[i]);
        copy_file(a1, b1);
    }
    snprintf(p, sizeof p, "%s/pack.policy", pack);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return pack;
}

/* The contract's sixian pack, the parts today's catalogue has (E03 with a
 * dated limit on private cars, E07 legal_rep only; E13 waits for its feed):
 * on fixtures, the 86000 private car fires before 2026-07-01 and not from
 * it, the 45000 one never, the 30000.01 commercial truck no longer. */
START_TEST(test_sixian_pack_on_fixtures)
{
    const char *pack = make_pack(
        "sixian",
        "extends reference\n"
        "# 泗县: private cars above a dated limit\n"
        "param private_limit: money = 80000 from 2026-07-01: 100000\n"
        "override E03_VEHICLE.v = m.vehicles where status = valid\n"
        "    and vehicle_class in vehicle_classes and use = private and value_yuan > private_limit\n"
        "override E03_VEHICLE.evidence = each v: \"vehicles: {vehicle_class} {plate_no} {use} "
        "value {value_yuan} > {private_limit} (line {line})\"\n"
        "override param business_roles = {legal_rep}\n");
    char dir[600];
    snprintf(dir, sizeof dir, "%s/fixtures", test_root());
    const char *days[2] = {"2026-06-15", "2026-07-01"};
    for (int k = 0; k < 2; k++) {
        struct tk_opts o = {0};
        o.as_of = days[k];
        struct tk *tk = tk_run(dir, &o);
        ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
        ck_assert(tk_has_flag(tk, "E03_VEHICLE", "HH009", NULL));    /* the C reference */
        eval_result_free(&tk->er);
        struct err e;
        err_init(&e);
        int st = vm_run_dir(&tk->ec, pack, &tk->er, &e);
        ck_assert_msg(st == E_OK, "%s", e.msg);
        const struct flag *f = tk_find(tk, "E03_VEHICLE", "HH006", "61010219800105101X");
        if (k == 0) {
            ck_assert_msg(f != NULL, "%s", tk_flags_text(tk));
            ck_assert_str_eq(f->evidence, "vehicles: car 陕A12345 private value 86000 > 80000 "
                                          "(line 3)");
        } else {
            ck_assert_msg(f == NULL, "%s", tk_flags_text(tk));
        }
        ck_assert(!tk_has_flag(tk, "E03_VEHICLE", "HH004", NULL));   /* 45000 */
        ck_assert(!tk_has_flag(tk, "E03_VEHICLE", "HH009", NULL));   /* commercial truck */
        tk_free(tk);
    }
}
END_TEST

/* sorted(): numbers descending and text ascending, a full tie in the set's
 * order; yuan() of a fraction of a fen cut with "..."; masked() of an
 * 18-character ID and of a value under 15 characters (masked whole). */
START_TEST(test_sorted_yuan_masked)
{
    const char *pack = make_pack(
        "fmt", "extends reference\n"
               "override E03_VEHICLE.evidence = \"desc: \",\n"
               "  each x in sorted(y in v by y.value_yuan desc) joined \", \": \"{x.plate_no}\",\n"
               "  \"; asc: \", each x in sorted(y in v by y.plate_no) joined \", \": \"{x.plate_no}\",\n"
               "  \"; thirds: \", each x in sorted(y in v by y.value_yuan) joined \", \":\n"
               "    \"{yuan(x.value_yuan / 3)}\",\n"
               "  \"; {yuan(sum(x in v: x.value_yuan))} {masked(m.id_no)} "
               "{masked(first(v).plate_no)}\"\n");
    const struct tk_file files[] = {
        {"households.csv", "H1," R1 ",dibao,urban,active,2024-03-04,2024-03-12,500.00,CW01\n", 0},
        {"members.csv", "H1," P1 ",甲,head,0.00,full,0\n", 0},
        {"hukou.csv", P1 ",甲,K1,head," R1 ",normal,\n", 0},
        {"vehicles.csv", P1 ",陕A4,car,private,2020-01-01,35000,valid\n"
                         P1 ",陕A1,car,commercial,2020-01-01,35000,valid\n"
                         P1 ",陕A3,car,private,2020-01-01,35000,valid\n"
                         P1 ",陕A2,car,private,2020-01-01,5000,valid\n", 0},
        {"standards.csv", "610102,urban,2026-01-01,1000.00\n", 0},
        {NULL, NULL, 0}};
    struct tk *tk = tk_run_files(files, &(struct tk_opts){.rules_dir = rdir});
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    eval_result_free(&tk->er);
    struct err e;
    err_init(&e);
    int st = vm_run_dir(&tk->ec, pack, &tk->er, &e);
    ck_assert_msg(st == E_OK, "%s", e.msg);
    const struct flag *f = tk_find(tk, "E03_VEHICLE", "H1", P1);
    ck_assert_msg(f != NULL, "%s", tk_flags_text(tk));
    ck_assert_str_eq(f->evidence,
                     "desc: 陕A4, 陕A1, 陕A3, 陕A2; asc: 陕A1, 陕A2, 陕A3, 陕A4; thirds: "
                     "1666.66..., 11666.66..., 11666.66..., 11666.66...; 110000.00 "
                     "610102********1013 ***");
    tk_free(tk);
}
END_TEST

/* standard_of(region, urban): E09 judged against the urban standard of the
 * household's region, whatever its area_type (guangdong_edge's manner). */
START_TEST(test_standard_of)
{
    edit_reference("h.standard.monthly_yuan * factor[h.program]",
                   "standard_of(h.region_code, urban).monthly_yuan * factor[h.program]");
    const struct tk_file files[] = {
        /* a rural household: 900 a month, over rural 800, under urban 1000 */
        {"households.csv", "H1," R1 ",dibao,rural,active,2024-03-04,2024-03-12,500.00,CW01\n", 0},
        {"members.csv", "H1," P1 ",甲,head,900.00,full,0\n", 0},
        {"hukou.csv", P1 ",甲,K1,head," R1 ",normal,\n", 0},
        {"standards.csv", "610102,urban,2026-01-01,1000.00\n610102,rural,2026-01-01,800.00\n", 0},
        {NULL, NULL, 0}};
    struct tk_opts o = {0};
    o.rules_dir = rdir;
    struct tk *tk = tk_run_files(files, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    ck_assert(tk_has_flag(tk, "E09_INCOME", "H1", ""));   /* the reference: rural 800 */
    eval_result_free(&tk->er);
    struct err e;
    err_init(&e);
    int st = vm_run_dir(&tk->ec, rdir, &tk->er, &e);
    ck_assert_msg(st == E_OK, "%s", e.msg);
    ck_assert_msg(!tk_has_flag(tk, "E09_INCOME", "H1", ""), "%s", tk_flags_text(tk));
    tk_free(tk);
}
END_TEST

/* A policy that does not check stops the run with the first error's place. */
START_TEST(test_bad_policy_is_a_config_error)
{
    edit_reference("{plate_no}", "{plat_no}");
    struct tk *tk = tk_run_files(car_files, &(struct tk_opts){.rules_dir = rdir});
    ck_assert_int_eq(tk->st, E_OK);
    eval_result_free(&tk->er);
    struct err e;
    err_init(&e);
    int st = vm_run_dir(&tk->ec, rdir, &tk->er, &e);
    ck_assert_int_eq(st, E_CONFIG);
    ck_assert_msg(strstr(e.in_path, "reference.policy") != NULL, "%s", e.in_path);
    ck_assert_int_gt(e.in_col, 0);
    ck_assert_msg(strstr(e.msg, "unknown name 'plat_no'") != NULL, "%s", e.msg);
    tk_free(tk);
}
END_TEST

Suite *policy_vm_suite(void)
{
    Suite *s = suite_create("policy_vm");
    TCase *tc = tcase_create("reference");
    tcase_add_test(tc, test_fixtures_identical);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("policies");
    tcase_add_checked_fixture(tp, rules_setup, rules_teardown);
    tcase_add_test(tp, test_dated_parameter_on_its_date);
    tcase_add_test(tp, test_off_rule_does_not_block);
    tcase_add_test(tp, test_overflow_stops_the_run);
    tcase_add_test(tp, test_bad_policy_is_a_config_error);
    tcase_add_test(tp, test_latest_per_key);
    tcase_add_test(tp, test_sixian_pack_on_fixtures);
    tcase_add_test(tp, test_standard_of);
    tcase_add_test(tp, test_sorted_yuan_masked);
    suite_add_tcase(s, tp);
    return s;
}
