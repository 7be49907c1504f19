/* check_policy_vm.c - compiled policies run by engine/vm.c.
 *
 * Owns: the policy_vm suite.  On fixtures/ the VM's flags (rule, severity,
 * keys, region, evidence and the fingerprint's key values), the counts per
 * rule, the households and candidates without a standard and the skipped
 * candidates are the same at 1 and 3 threads (the run's own judging, at 1
 * thread, against vm_run_dir at 3; golden.sh holds the expected lists).
 * Then what only a policy can do: a dated parameter changes the result on
 * its date, a pack that turns E03 off no longer blocks L01 with a car, an
 * overflow stops the run naming the policy line and the household, the
 * shipped packs' own rules (huaiyuan's E15).  Every other suite judges
 * through the language too (pipeline_judge).
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
    for (int r = 0; r < n_rules; r++)
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
    char dir[600], rules[600];
    snprintf(dir, sizeof dir, "%s/fixtures", test_root());
    snprintf(rules, sizeof rules, "%s/rules", test_root());
    struct tk_opts o = {0};
    o.as_of = "2026-06-15";
    omp_set_num_threads(1);
    struct tk *tk = tk_run(dir, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    ck_assert_uint_gt(tk->er.n_flags, 40);
    int threads[2] = {2, 3};
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
    struct tk *tk = tk_run_files(car_files, &o);   /* judged by rdir's policy */
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
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
    ck_assert_int_eq(tk->st, E_DATA);
    ck_assert_msg(strstr(tk->e.msg, "arithmetic overflow while judging H1") != NULL, "%s",
                  tk->e.msg);
    ck_assert_msg(strstr(tk->e.msg, "policy line ") != NULL, "%s", tk->e.msg);
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
    struct tk *tk = tk_run_files(files, NULL);   /* the reference */
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    ck_assert(tk_has_flag(tk, "E05_COMMERCIAL_PROPERTY", "H1", P1));
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
        ck_assert(tk_has_flag(tk, "E03_VEHICLE", "HH009", NULL));    /* the reference */
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
    struct tk *tk = tk_run_files(files, NULL);
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

/* The shipped huaiyuan pack's E15_RECENT_HOUSING (contract, "Local policy
 * packs"): a counted member's residential title, held or sold, registered
 * after the same day three years before applied_on (28 February for 29
 * February) and on or before applied_on; keyed like E04; one of the rules
 * L02 is judged on.  Each household holds one boundary case. */
START_TEST(test_huaiyuan_recent_housing)
{
#define HH(id, st, ap) id "," R1 ",dibao,urban," st "," ap ",2024-03-20,500.00,CW01\n"
#define HK(p, k, st, sd) p ",某," k ",head," R1 "," st "," sd "\n"
    const struct tk_file files[] = {
        {"households.csv",
         HH("H1", "active", "2024-03-04") HH("H2", "active", "2024-03-04")
         HH("H3", "active", "2024-02-29") HH("H4", "applying", "2024-02-29")
         HH("H5", "active", "2024-03-04") HH("H6", "active", "2024-03-04")
         HH("H7", "cancelled", "2024-03-04") HH("H8", "cancelled", "2024-03-04"), 0},
        {"members.csv", "H1," P03 ",某,head,0.00,full,0\nH2," P04 ",某,head,0.00,full,0\n"
                        "H3," P05 ",某,head,0.00,full,0\nH4," P06 ",某,head,0.00,full,0\n"
                        "H5," P07 ",某,head,0.00,full,0\nH6," P08 ",某,head,0.00,full,0\n"
                        "H6," P09 ",某,spouse,0.00,full,0\nH7," P10 ",某,head,0.00,full,0\n"
                        "H8," P11 ",某,head,0.00,full,0\n", 0},
        {"hukou.csv", HK(P03, "K3", "normal", "") HK(P04, "K4", "normal", "")
                      HK(P05, "K5", "normal", "") HK(P06, "K6", "normal", "")
                      HK(P07, "K7", "normal", "") HK(P08, "K8", "normal", "")
                      HK(P09, "K9", "deceased", "2025-01-01") HK(P10, "K10", "normal", "")
                      HK(P11, "K11", "normal", ""), 0},
        {"property.csv",
         P03 ",T1,residential,90,1,2021-03-04,held\n"     /* H1: on the day three years before */
         P04 ",T2,residential,60,0.5,2021-03-05,sold\n"   /* H2: the day after, sold: fires */
         P05 ",T3,residential,70,1,2021-02-28,held\n"     /* H3: 29 Feb -> 28 Feb: not after */
         P06 ",T4,residential,80,1,2021-03-01,held\n"     /* H4: fires */
         P06 ",T5,commercial,30,1,2023-01-01,held\n"      /*     not residential */
         P06 ",T6,residential,40,1,2024-02-29,sold\n"     /*     on applied_on: fires */
         P07 ",T7,residential,50,1,2024-03-05,held\n"     /* H5: after applying */
         P09 ",T8,residential,50,1,2023-01-01,held\n"     /* H6: a member not counted */
         P10 ",T9,residential,50,1,2023-01-01,sold\n",    /* H7: cancelled, blocks L02 */
         0},
        {"standards.csv", "610102,urban,2026-01-01,1000.00\n", 0},
        {NULL, NULL, 0}};
#undef HH
#undef HK
    struct tk *tk = tk_run_files(files, NULL);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    /* the reference has no E15: H7 and H8 both look wrongly cancelled */
    eval_result_free(&tk->er);
    char ref[600], pack[600];
    snprintf(ref, sizeof ref, "%s/rules", test_root());
    snprintf(pack, sizeof pack, "%s/rules/packs/huaiyuan", test_root());
    struct err e;
    err_init(&e);
    int st = vm_run_dir(&tk->ec, ref, &tk->er, &e);
    ck_assert_msg(st == E_OK, "%s", e.msg);
    ck_assert_uint_eq(tk_count(tk, "E15_RECENT_HOUSING", NULL), 0);
    ck_assert_msg(tk_has_flag(tk, "L02_CANCELLED_ELIGIBLE", "H7", ""), "%s", tk_flags_text(tk));
    ck_assert_msg(tk_has_flag(tk, "L02_CANCELLED_ELIGIBLE", "H8", ""), "%s", tk_flags_text(tk));
    eval_result_free(&tk->er);
    st = vm_run_dir(&tk->ec, pack, &tk->er, &e);
    ck_assert_msg(st == E_OK, "%s", e.msg);
    const char *text = tk_flags_text(tk);
    ck_assert_msg(!tk_has_flag(tk, "E15_RECENT_HOUSING", "H1", NULL), "%s", text);
    const struct flag *f = tk_find(tk, "E15_RECENT_HOUSING", "H2", "");
    ck_assert_msg(f != NULL, "%s", text);
    ck_assert_int_eq(f->severity, SEV_HIGH);
    ck_assert_str_eq(f->hukou_no, "K4");   /* the head's: keyed like E04 */
    ck_assert_str_eq(f->evidence, "property: counted members registered 1 residential titles "
                                  "after 2021-03-04 and on or before applying 2024-03-04: T2 "
                                  "sold, registered 2021-03-05, 60 m2 x share 0.5 (line 3)");
    ck_assert_msg(!tk_has_flag(tk, "E15_RECENT_HOUSING", "H3", NULL), "%s", text);
    f = tk_find(tk, "E15_RECENT_HOUSING", "H4", "");
    ck_assert_msg(f != NULL, "%s", text);
    ck_assert_str_eq(f->evidence, "property: counted members registered 2 residential titles "
                                  "after 2021-02-28 and on or before applying 2024-02-29: T4 "
                                  "held, registered 2021-03-01, 80 m2 x share 1 (line 5); T6 "
                                  "sold, registered 2024-02-29, 40 m2 x share 1 (line 7)");
    ck_assert_msg(!tk_has_flag(tk, "E15_RECENT_HOUSING", "H5", NULL), "%s", text);
    ck_assert_msg(!tk_has_flag(tk, "E15_RECENT_HOUSING", "H6", NULL), "%s", text);
    ck_assert_msg(tk_has_flag(tk, "E01_DECEASED", "H6", P09), "%s", text);
    /* E15 is judged for a cancelled household only inside L02 */
    ck_assert_msg(!tk_has_flag(tk, "E15_RECENT_HOUSING", "H7", NULL), "%s", text);
    ck_assert_msg(!tk_has_flag(tk, "L02_CANCELLED_ELIGIBLE", "H7", NULL), "%s", text);
    f = tk_find(tk, "L02_CANCELLED_ELIGIBLE", "H8", "");
    ck_assert_msg(f != NULL, "%s", text);
    ck_assert_msg(strstr(f->evidence, "fires none of E01-E09, E15 as of") != NULL, "%s",
                  f->evidence);
    ck_assert_uint_eq(tk_count(tk, "E15_RECENT_HOUSING", NULL), 2);
    tk_free(tk);
}
END_TEST

/* A policy that does not check stops the run with the first error's place. */
START_TEST(test_bad_policy_is_a_config_error)
{
    edit_reference("{plate_no}", "{plat_no}");
    struct tk *tk = tk_run_files(car_files, &(struct tk_opts){.rules_dir = rdir});
    ck_assert_int_eq(tk->st, E_CONFIG);
    ck_assert_msg(strstr(tk->e.in_path, "reference.policy") != NULL, "%s", tk->e.in_path);
    ck_assert_int_gt(tk->e.in_col, 0);
    ck_assert_msg(strstr(tk->e.msg, "unknown name 'plat_no'") != NULL, "%s", tk->e.msg);
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
    tcase_add_test(tp, test_huaiyuan_recent_housing);
    suite_add_tcase(s, tp);
    return s;
}
