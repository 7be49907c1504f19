/* check_rank.c - unit tests for engine/rank.c: the spot-check sample (抽查)
 * and the monthly review queue (每月核查).
 *
 * Owns: the rank suite.  Datasets are built row by row with testkit's CSV
 * builder and run in-process through testkit (as of 2026-06-15).
 * Expected sizes, ranks and scores were worked out by hand from
 * doc/data-contract.md ("spotcheck.csv", "review_queue.csv").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"
#include "tests.h"

#define STD_ROWS "610102,urban,2026-01-01,1000.00\n610102,rural,2026-01-01,800.00\n"

/* ---------- generated households ---------- */

/* Households built row by row with testkit's CSV builder; seq numbers the
 * heads (their IDs and names). */
struct gen {
    struct tk_csv c;
    int seq;
};

static void gen_open(struct gen *g)
{
    memset(g, 0, sizeof *g);
}

static void gen_free(struct gen *g)
{
    tk_csv_free(&g->c);
}

/* The ID of head number seq. */
static void head_id(char pid[19], int seq)
{
    tk_make_id(pid, "610102", 19500101 + (seq / 900) * 10000, seq % 900 + 1);
}

/* One household with one head (in hukou, same name); approved may be "". */
static void gen_hh(struct gen *g, const char *id, const char *region, const char *prog,
                   const char *status, const char *approved, int with_member)
{
    tk_csv_row(&g->c, "households.csv", "%s,%s,%s,urban,%s,%s,%s,500.00,CW01", id, region,
               prog, status, approved[0] ? "2026-05-01" : "2026-06-01", approved);
    if (!with_member)
        return;
    char pid[19];
    head_id(pid, ++g->seq);
    tk_csv_row(&g->c, "members.csv", "%s,%s,N%d,head,0.00,full,0", id, pid, g->seq);
    tk_csv_row(&g->c, "hukou.csv", "%s,N%d,HK%s,head,%s,normal,", pid, g->seq, id, region);
}

/* Give the head of the last household a car (an E03 flag). */
static void gen_car(struct gen *g)
{
    char pid[19];
    head_id(pid, g->seq);
    tk_csv_row(&g->c, "vehicles.csv", "%s,陕A%05d,car,private,2020-01-01,50000.00,valid", pid,
               g->seq);
}

static struct tk *gen_run(struct gen *g, const struct tk_opts *o)
{
    static const struct tk_file std[] = {{"standards.csv", STD_ROWS, 0}, {NULL, NULL, 0}};
    struct tk *tk = tk_csv_run(&g->c, std, o);
    ck_assert_msg(tk->st == E_OK, "pipeline failed%s", tk_flags_text(tk));
    ck_assert_msg(tk_n_rejects(tk) == 0, "test data has rejected rows%s", tk_flags_text(tk));
    return tk;
}

static int in_spot(const struct ranked *rk, const char *hh)
{
    for (size_t i = 0; i < rk->n_spot; i++)
        if (strcmp(rk->spot[i].household_id, hh) == 0)
            return 1;
    return 0;
}

static size_t spot_count(const struct ranked *rk, const char *township, int program)
{
    size_t n = 0;
    for (size_t i = 0; i < rk->n_spot; i++)
        if (strcmp(rk->spot[i].township, township) == 0 && rk->spot[i].program == program)
            n++;
    return n;
}

static int spot_row_cmp(const struct spot_row *x, const struct spot_row *y)
{
    int r = strcmp(x->township, y->township);
    if (!r)
        r = strcmp(program_names[x->program], program_names[y->program]);
    if (!r)
        r = strcmp(x->household_id, y->household_id);
    return r;
}

static int same_spot(const struct ranked *a, const struct ranked *b)
{
    if (a->n_spot != b->n_spot)
        return 0;
    for (size_t i = 0; i < a->n_spot; i++)
        if (spot_row_cmp(&a->spot[i], &b->spot[i]) != 0)
            return 0;
    return 1;
}

/* ---------- sample sizes and population ---------- */

START_TEST(test_spot_sizes)
{
    struct gen g;
    gen_open(&g);
    char id[32];
    /* 610102001 dibao: one approval, plus households outside the population */
    gen_hh(&g, "A-in", "610102001001", "dibao", "active", "2026-06-10", 1);
    gen_hh(&g, "A-after", "610102001001", "dibao", "active", "2026-06-16", 1);
    gen_hh(&g, "A-may", "610102001001", "dibao", "active", "2026-05-31", 1);
    gen_hh(&g, "A-lastyear", "610102001001", "dibao", "active", "2025-06-10", 1);
    gen_hh(&g, "A-cancelled", "610102001001", "dibao", "cancelled", "2026-06-05", 1);
    gen_hh(&g, "A-applying", "610102001001", "dibao", "applying", "", 1);
    gen_hh(&g, "A-applying2", "610102001001", "dibao", "applying", "2026-06-05", 1);
    gen_hh(&g, "A-july", "610102001001", "dibao", "active", "2026-07-01", 1);
    /* 610102002 dibao: 10 (the first and the as-of date included) -> 1 */
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "B%02d", i);
        gen_hh(&g, id, "610102002001", "dibao", "active",
               i == 0 ? "2026-06-01" : i == 1 ? "2026-06-15" : "2026-06-08", 1);
    }
    /* 610102003 dibao: 11 -> 2 (one suspended) */
    for (int i = 0; i < 11; i++) {
        snprintf(id, sizeof id, "C%02d", i);
        gen_hh(&g, id, "610102003001", "dibao", i == 5 ? "suspended" : "active", "2026-06-03",
               1);
    }
    /* 610102004 tekun: 4 -> ceil(1.2) = 2 */
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "D%02d", i);
        gen_hh(&g, id, "610102004001", "tekun", "active", "2026-06-02", 1);
    }
    /* 610102005: dishouru 10 -> 1, dibao 20 -> 2, tekun 10 -> 3; villages differ */
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "E-shr-%02d", i);
        gen_hh(&g, id, i % 2 ? "610102005001" : "610102005002", "dishouru", "active",
               "2026-06-04", 1);
    }
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "E-db-%02d", i);
        gen_hh(&g, id, i % 3 ? "610102005003" : "610102005001", "dibao", "active", "2026-06-04",
               1);
    }
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "E-tk-%02d", i);
        gen_hh(&g, id, "610102005001", "tekun", "suspended", "2026-06-04", 1);
    }
    /* 610102006 dibao: 21 -> 3 */
    for (int i = 0; i < 21; i++) {
        snprintf(id, sizeof id, "F%02d", i);
        gen_hh(&g, id, "610102006001", "dibao", "active", "2026-06-05", 1);
    }
    /* 610102007 dibao: a single suspended approval -> 1 */
    gen_hh(&g, "G-susp", "610102007001", "dibao", "suspended", "2026-06-15", 1);
    struct tk *tk = gen_run(&g, NULL);
    const struct ranked *rk = &tk->rk;

    ck_assert_uint_eq(spot_count(rk, "610102001", PROG_DIBAO), 1);
    ck_assert(in_spot(rk, "A-in"));
    static const char *const outside[] = {"A-after", "A-may", "A-lastyear", "A-cancelled",
                                          "A-applying", "A-applying2", "A-july"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        ck_assert_msg(!in_spot(rk, outside[i]), "%s is outside the population", outside[i]);
    ck_assert_uint_eq(spot_count(rk, "610102002", PROG_DIBAO), 1);
    ck_assert_uint_eq(spot_count(rk, "610102003", PROG_DIBAO), 2);
    ck_assert_uint_eq(spot_count(rk, "610102004", PROG_TEKUN), 2);
    ck_assert_uint_eq(spot_count(rk, "610102005", PROG_DISHOURU), 1);
    ck_assert_uint_eq(spot_count(rk, "610102005", PROG_DIBAO), 2);
    ck_assert_uint_eq(spot_count(rk, "610102005", PROG_TEKUN), 3);
    ck_assert_uint_eq(spot_count(rk, "610102006", PROG_DIBAO), 3);
    ck_assert_uint_eq(spot_count(rk, "610102007", PROG_DIBAO), 1);
    ck_assert(in_spot(rk, "G-susp"));
    ck_assert_uint_eq(rk->n_spot, 1 + 1 + 2 + 2 + 1 + 2 + 3 + 3 + 1);

    for (size_t i = 0; i < rk->n_spot; i++) {
        const struct spot_row *s = &rk->spot[i];
        /* the row's township and program are the household's */
        const struct household *h = tk_household(tk, s->household_id, NULL);
        ck_assert_ptr_nonnull(h);
        ck_assert_int_eq(strncmp(h->region, s->township, 9), 0);
        ck_assert_uint_eq(strlen(s->township), 9);
        ck_assert_int_eq(h->program, s->program);
        ck_assert_msg(s->reason[0] != '\0', "row %zu has no reason", i);
        /* sorted by township, program, household_id; no household twice */
        if (i > 0)
            ck_assert_msg(spot_row_cmp(&rk->spot[i - 1], s) < 0, "spot rows %zu, %zu out of order",
                          i - 1, i);
    }
    tk_free(tk);
    gen_free(&g);
}
END_TEST

/* ---------- the draw ---------- */

/* 40 approvals in one township and program: 4 drawn. */
static void gen_forty(struct gen *g, int reverse, int cars)
{
    char id[32];
    for (int k = 0; k < 40; k++) {
        int i = reverse ? (k * 17) % 40 : k;   /* a permutation of 0..39 */
        snprintf(id, sizeof id, "H%03d", i);
        gen_hh(g, id, "610102001001", "dibao", "active", "2026-06-09", 1);
        if (cars && i % 3 == 0)
            gen_car(g);
    }
    /* and 7 tekun approvals elsewhere: 3 drawn */
    for (int k = 0; k < 7; k++) {
        int i = reverse ? 6 - k : k;
        snprintf(id, sizeof id, "T%03d", i);
        gen_hh(g, id, "610102002001", "tekun", "active", "2026-06-09", 1);
        if (cars && i % 2 == 0)
            gen_car(g);
    }
}

START_TEST(test_spot_seed)
{
    struct gen g;
    gen_open(&g);
    gen_forty(&g, 0, 0);
    struct tk_opts o = {0};
    o.seed_set = 1;
    o.seed = 20260615;
    struct tk *tk = gen_run(&g, &o);
    ck_assert_uint_eq(tk->rk.n_spot, 4 + 3);

    /* the same seed gives the same households, run after run */
    struct err e;
    err_init(&e);
    struct ranked again;
    ck_assert_int_eq(rank_build(&tk->d, &tk->pol, &tk->er, tk->as_of, 20260615, &again, &e),
                     E_OK);
    ck_assert(same_spot(&tk->rk, &again));
    ranked_free(&again);

    /* other seeds: the same sizes, and at least one a different choice */
    int differ = 0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        struct ranked other;
        ck_assert_int_eq(rank_build(&tk->d, &tk->pol, &tk->er, tk->as_of, seed, &other, &e),
                         E_OK);
        ck_assert_uint_eq(other.n_spot, 7);
        ck_assert_uint_eq(spot_count(&other, "610102001", PROG_DIBAO), 4);
        ck_assert_uint_eq(spot_count(&other, "610102002", PROG_TEKUN), 3);
        if (!same_spot(&tk->rk, &other))
            differ++;
        ranked_free(&other);
    }
    ck_assert_msg(differ > 0, "12 other seeds all drew the same sample");
    tk_free(tk);
    gen_free(&g);

    /* a separate run with the same seed and data: the same sample */
    struct gen g2;
    gen_open(&g2);
    gen_forty(&g2, 0, 0);
    struct tk *tk2 = gen_run(&g2, &o);
    struct gen g3;
    gen_open(&g3);
    gen_forty(&g3, 0, 0);
    struct tk_opts o3 = o;
    o3.seed = 7;
    struct tk *tk3 = gen_run(&g3, &o3);
    struct ranked r7;
    ck_assert_int_eq(rank_build(&tk2->d, &tk2->pol, &tk2->er, tk2->as_of, 7, &r7, &e), E_OK);
    ck_assert(same_spot(&tk3->rk, &r7));
    ranked_free(&r7);
    tk_free(tk2);
    tk_free(tk3);
    gen_free(&g2);
    gen_free(&g3);
}
END_TEST

/* The sample does not depend on the flags. */
START_TEST(test_spot_independent_of_flags)
{
    struct tk_opts o = {0};
    o.seed_set = 1;
    o.seed = 99;
    struct gen a, b;
    gen_open(&a);
    gen_forty(&a, 0, 0);
    gen_open(&b);
    gen_forty(&b, 0, 1);
    struct tk *ta = gen_run(&a, &o);
    struct tk *tb = gen_run(&b, &o);
    ck_assert_uint_eq(tk_count(ta, "E03_VEHICLE", NULL), 0);
    ck_assert_uint_eq(tk_count(tb, "E03_VEHICLE", NULL), 14 + 4);
    ck_assert(same_spot(&ta->rk, &tb->rk));

    /* and with no flags at all handed to rank_build */
    struct eval_result none;
    memset(&none, 0, sizeof none);
    struct ranked r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(rank_build(&tb->d, &tb->pol, &none, tb->as_of, 99, &r, &e), E_OK);
    ck_assert(same_spot(&tb->rk, &r));
    ck_assert_uint_eq(r.n_queue, 0);
    ranked_free(&r);
    tk_free(ta);
    tk_free(tb);
    gen_free(&a);
    gen_free(&b);
}
END_TEST

/* The sample does not depend on the order of households.csv. */
START_TEST(test_spot_independent_of_order)
{
    struct tk_opts o = {0};
    o.seed_set = 1;
    o.seed = 424242;
    struct gen a, b;
    gen_open(&a);
    gen_forty(&a, 0, 1);
    gen_open(&b);
    gen_forty(&b, 1, 1);
    struct tk *ta = gen_run(&a, &o);
    struct tk *tb = gen_run(&b, &o);
    /* really shuffled */
    ck_assert_str_ne(VEC_AT(ta->d.households, struct household, 1).id,
                     VEC_AT(tb->d.households, struct household, 1).id);
    ck_assert_uint_eq(ta->rk.n_spot, 7);
    ck_assert(same_spot(&ta->rk, &tb->rk));
    for (uint64_t seed = 1; seed <= 5; seed++) {
        struct ranked ra, rb;
        struct err e;
        err_init(&e);
        ck_assert_int_eq(rank_build(&ta->d, &ta->pol, &ta->er, ta->as_of, seed, &ra, &e), E_OK);
        ck_assert_int_eq(rank_build(&tb->d, &tb->pol, &tb->er, tb->as_of, seed, &rb, &e), E_OK);
        ck_assert_msg(same_spot(&ra, &rb), "seed %llu: order of households.csv changed the sample",
                      (unsigned long long)seed);
        ranked_free(&ra);
        ranked_free(&rb);
    }
    tk_free(ta);
    tk_free(tb);
    gen_free(&a);
    gen_free(&b);
}
END_TEST

/* ---------- review queue ---------- */


#define T1 "610102001001"
#define T2 "610102002001"
#define HHROW(id, reg, st, app, apr) id "," reg ",dibao,urban," st "," app "," apr ",500.00,CW01\n"
#define M(hh, p, name, rel, inc) hh "," p "," name "," rel "," inc ",full,0\n"
#define K(p, name, hno, rel, reg, st, sd) p "," name "," hno "," rel "," reg "," st "," sd "\n"

static const struct tk_file queue_files[] = {
    {"households.csv",
     HHROW("HA", T1, "active", "2024-03-04", "2024-03-12")
     HHROW("HB", T1, "active", "2026-04-28", "2026-05-22")
     HHROW("HC", T1, "active", "2024-03-04", "2024-03-12")
     HHROW("HD", T1, "active", "2024-03-04", "2024-03-12")
     HHROW("HE", T1, "active", "2024-03-04", "2024-03-12")
     HHROW("HG", T1, "active", "2024-03-04", "2024-03-12")
     HHROW("HF", T2, "active", "2024-03-04", "2024-03-12")
     HHROW("HL2", T1, "cancelled", "2023-03-06", "2023-03-14"),
     0},
    {"members.csv",
     M("HA", P01, "甲", "head", "0.00") M("HA", P02, "乙二", "spouse", "0.00")
     M("HB", P03, "丙", "head", "0.00")
     M("HC", P04, "丁二", "head", "0.00")
     M("HD", P05, "戊", "head", "0.00") M("HD", P06, "己", "spouse", "0.00")
     M("HE", P07, "庚", "head", "0.00")
     M("HG", P08, "辛", "head", "0.00")
     M("HF", P09, "壬", "head", "1000.01")
     M("HL2", P11, "子", "head", "0.00"),
     0},
    {"hukou.csv",
     K(P01, "甲", "HKA", "head", T1, "normal", "") K(P02, "乙", "HKA2", "head", T1, "normal", "")
     K(P03, "丙", "HKB", "head", T1, "normal", "") K(P04, "丁", "HKC", "head", T1, "normal", "")
     K(P05, "戊", "HKD", "head", T1, "normal", "")
     K(P06, "己", "HKD", "spouse", T1, "moved_out", "2025-01-01")
     K(P07, "庚", "HKE", "head", T1, "normal", "") K(P08, "辛", "HKG", "head", T1, "normal", "")
     K(P09, "壬", "HKF", "head", T2, "normal", "") K(P10, "癸", "HKF", "spouse", T2, "normal", "")
     K(P11, "子", "HKL2", "head", T1, "normal", "")
     K(P12, "丑", "HKQa", "head", T1, "normal", "") K(P13, "寅", "HKQb", "head", T1, "normal", "")
     K(P14, "卯", "HKQc", "head", T2, "normal", ""),
     0},
    {"vehicles.csv", P01 ",A1,car,private,2020-01-01,50000.00,valid\n"
                     P02 ",A2,car,private,2020-01-01,50000.00,valid\n"
                     P08 ",A8,car,private,2020-01-01,50000.00,valid\n",
     0},
    {"property.csv", P07 ",R-7,residential,50.00,1,2010-01-01,held\n", 0},
    {"staff_relatives.csv", "CW01," P01 ",兄弟\n", 0},
    {"candidates.csv", P12 ",低收入人口监测,610102001002,rural\n"
                       P13 ",低收入人口监测,610102001003,urban\n"
                       P14 ",临时救助,610102002002,rural\n",
     0},
    {"standards.csv", STD_ROWS, 0},
    {NULL, NULL, 0}};

struct qwant {
    const char *township;
    long rank;
    const char *household_id, *hukou_no;
    int score;
    const char *rule_ids;
};

static void check_queue(struct tk *tk, const struct qwant *want, size_t n)
{
    const struct ranked *rk = &tk->rk;
    ck_assert_msg(rk->n_queue == n, "%zu queue rows, want %zu%s", rk->n_queue, n,
                  tk_flags_text(tk));
    for (size_t i = 0; i < n; i++) {
        const struct queue_row *q = &rk->queue[i];
        ck_assert_msg(strcmp(q->township, want[i].township) == 0 && q->rank == want[i].rank &&
                          strcmp(q->household_id, want[i].household_id) == 0 &&
                          strcmp(q->hukou_no, want[i].hukou_no) == 0 &&
                          q->score == want[i].score &&
                          strcmp(q->rule_ids, want[i].rule_ids) == 0,
                      "queue row %zu is %s,%ld,%s,%s,%d,%s; want %s,%ld,%s,%s,%d,%s%s", i,
                      q->township, q->rank, q->household_id, q->hukou_no, q->score, q->rule_ids,
                      want[i].township, want[i].rank, want[i].household_id, want[i].hukou_no,
                      want[i].score, want[i].rule_ids, tk_flags_text(tk));
    }
}

START_TEST(test_review_queue)
{
    struct tk *tk = tk_run_files(queue_files, NULL);
    ck_assert_msg(tk->st == E_OK && tk_n_rejects(tk) == 0, "run failed%s", tk_flags_text(tk));
    static const struct qwant want[] = {
        /* E03 x2 members (counted once) + E12 + Q03 = 3 + 1 + 1; head's hukou_no */
        {"610102001", 1, "HA", "HKA", 5, "E03_VEHICLE;E12_STAFF_RELATIVE;Q03_NAME_MISMATCH"},
        /* L01 units: empty household_id, the candidate's hukou_no; ties by
         * household_id ("" first), then hukou_no */
        {"610102001", 2, "", "HKQa", 3, "L01_CANDIDATE_ELIGIBLE"},
        {"610102001", 3, "", "HKQb", 3, "L01_CANDIDATE_ELIGIBLE"},
        {"610102001", 4, "HG", "HKG", 3, "E03_VEHICLE"},
        {"610102001", 5, "HD", "HKD", 2, "E02_MOVED_OUT"},
        {"610102001", 6, "HE", "HKE", 2, "E06_HOUSING_AREA"},
        {"610102001", 7, "HL2", "HKL2", 2, "L02_CANCELLED_ELIGIBLE"},
        /* HB (P01 only) and HC (Q03 only) are low: not in the queue */
        {"610102002", 1, "HF", "HKF", 5, "E09_INCOME;E11_UNDECLARED_SPOUSE"},
        {"610102002", 2, "", "HKQc", 3, "L01_CANDIDATE_ELIGIBLE"},
    };
    check_queue(tk, want, sizeof want / sizeof want[0]);
    ck_assert(tk_has_flag(tk, "P01_OVERDUE", "HB", ""));
    ck_assert(tk_has_flag(tk, "Q03_NAME_MISMATCH", "HC", P04));
    tk_free(tk);
}
END_TEST

/* Weights and severities come from the rules. */
START_TEST(test_review_queue_weights)
{
    struct tk_opts o = {0};
    o.policy_edit = "weights.high = 10\nweights.low = 4";
    static const char *const sev[] = {"rule Q03_NAME_MISMATCH quality low",
                                      "rule Q03_NAME_MISMATCH quality medium",
                                      "rule E02_MOVED_OUT cuobao medium",
                                      "rule E02_MOVED_OUT cuobao low", NULL};
    o.rules_edit = sev;
    struct tk *tk = tk_run_files(queue_files, &o);
    ck_assert_msg(tk->st == E_OK && tk_n_rejects(tk) == 0, "run failed%s", tk_flags_text(tk));
    static const struct qwant want[] = {
        {"610102001", 1, "HA", "HKA", 16, "E03_VEHICLE;E12_STAFF_RELATIVE;Q03_NAME_MISMATCH"},
        {"610102001", 2, "", "HKQa", 10, "L01_CANDIDATE_ELIGIBLE"},
        {"610102001", 3, "", "HKQb", 10, "L01_CANDIDATE_ELIGIBLE"},
        {"610102001", 4, "HG", "HKG", 10, "E03_VEHICLE"},
        /* Q03 is medium now: HC enters; HD's E02 is low and leaves */
        {"610102001", 5, "HC", "HKC", 2, "Q03_NAME_MISMATCH"},
        {"610102001", 6, "HE", "HKE", 2, "E06_HOUSING_AREA"},
        {"610102001", 7, "HL2", "HKL2", 2, "L02_CANCELLED_ELIGIBLE"},
        {"610102002", 1, "HF", "HKF", 12, "E09_INCOME;E11_UNDECLARED_SPOUSE"},
        {"610102002", 2, "", "HKQc", 10, "L01_CANDIDATE_ELIGIBLE"},
    };
    check_queue(tk, want, sizeof want / sizeof want[0]);
    tk_free(tk);
}
END_TEST

Suite *rank_suite(void)
{
    Suite *s = suite_create("rank");
    TCase *tc = tcase_create("spotcheck");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_spot_sizes);
    tcase_add_test(tc, test_spot_seed);
    tcase_add_test(tc, test_spot_independent_of_flags);
    tcase_add_test(tc, test_spot_independent_of_order);
    suite_add_tcase(s, tc);
    TCase *tq = tcase_create("review_queue");
    tcase_set_timeout(tq, 60);
    tcase_add_test(tq, test_review_queue);
    tcase_add_test(tq, test_review_queue_weights);
    suite_add_tcase(s, tq);
    return s;
}
