/* check_pipeline.c - the whole pipeline in-process on fixtures/ (as of
 * 2026-06-15): the flags equal the hand-made list, the rejects equal the
 * hand-made list, and the result does not depend on the thread count.
 *
 * Owns: the pipeline suite.  Reads fixtures/expected-by-hand.csv and
 * fixtures/expected-rejects-by-hand.csv (written by hand from the
 * contract, see fixtures/README.md).  OpenMP regions start only inside the
 * tests (check forks each one), never in the runner process.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "testkit.h"
#include "tests.h"

#define SEED 20260615

static struct tk *run_fixtures(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fixtures", test_root());
    struct tk_opts o = {0};
    o.as_of = "2026-06-15";
    o.seed_set = 1;
    o.seed = SEED;
    struct tk *tk = tk_run(dir, &o);
    ck_assert_msg(tk->st == E_OK, "pipeline on %s failed%s", dir, tk_flags_text(tk));
    return tk;
}

/* ---------- a small CSV reader for the expected lists (no quoting) ---------- */

struct table {
    char *buf;
    char **cell;      /* rows x cols, header excluded */
    size_t rows;
    int cols;
};

static void table_read(struct table *t, const char *path, int cols)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    t->buf = malloc(cap);
    ck_assert_ptr_nonnull(t->buf);
    size_t k;
    while ((k = fread(t->buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 >= cap) {
            cap *= 2;
            t->buf = realloc(t->buf, cap);
            ck_assert_ptr_nonnull(t->buf);
        }
    }
    fclose(f);
    t->buf[n] = '\0';
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += t->buf[i] == '\n';
    t->cell = calloc((lines + 1) * (size_t)cols, sizeof *t->cell);
    ck_assert_ptr_nonnull(t->cell);
    char *p = t->buf;
    int header = 1;
    while (*p) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = '\0';
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[--len] = '\0';
        if (len && !header) {
            char **row = &t->cell[t->rows * (size_t)cols];
            char *c = p;
            for (int i = 0; i < cols; i++) {
                char *comma = i < cols - 1 ? strchr(c, ',') : NULL;
                ck_assert_msg(i == cols - 1 || comma, "%s: short row '%s'", path, p);
                if (comma)
                    *comma = '\0';
                row[i] = c;
                c = comma ? comma + 1 : c + strlen(c);
            }
            ck_assert_msg(strchr(row[cols - 1], ',') == NULL, "%s: long row", path);
            t->rows++;
        }
        header = 0;
        if (!eol)
            break;
        p = eol + 1;
    }
}

static void table_free(struct table *t)
{
    free(t->cell);
    free(t->buf);
}

/* ---------- flags vs expected-by-hand.csv ---------- */

/* Sorted by (household_id, hukou_no, rule_id, id_no) bytes, each key once. */
static void assert_sorted_unique(const struct tk *tk, const char *what)
{
    for (size_t i = 1; i < tk->er.n_flags; i++) {
        const struct flag *x = &tk->er.flags[i - 1], *y = &tk->er.flags[i];
        int r = strcmp(x->household_id, y->household_id);
        if (!r)
            r = strcmp(x->hukou_no, y->hukou_no);
        if (!r)
            r = strcmp(rule_names[x->rule], rule_names[y->rule]);
        if (!r)
            r = strcmp(x->id_no, y->id_no);
        ck_assert_msg(r < 0, "%s: flags %zu and %zu are %s (%s|%s|%s|%s, %s|%s|%s|%s)", what,
                      i - 1, i, r ? "out of order" : "the same key", x->household_id,
                      x->hukou_no, rule_names[x->rule], x->id_no, y->household_id, y->hukou_no,
                      rule_names[y->rule], y->id_no);
    }
}


START_TEST(test_fixture_flags)
{
    struct tk *tk = run_fixtures();
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/expected-by-hand.csv", test_root());
    struct table t;
    table_read(&t, path, 4);
    ck_assert_uint_gt(t.rows, 0);

    char *used = calloc(tk->er.n_flags + 1, 1);
    ck_assert_ptr_nonnull(used);
    char msg[8192] = "";
    size_t ml = 0;
    int bad = 0;
    /* every expected row is produced exactly once */
    for (size_t r = 0; r < t.rows; r++) {
        char **row = &t.cell[r * 4];
        ck_assert_msg(tk_rule(row[0]) >= 0, "unknown rule %s in %s", row[0], path);
        size_t hits = 0;
        for (size_t i = 0; i < tk->er.n_flags; i++) {
            const struct flag *f = &tk->er.flags[i];
            if (strcmp(rule_names[f->rule], row[0]) == 0 &&
                strcmp(f->household_id, row[1]) == 0 && strcmp(f->hukou_no, row[2]) == 0 &&
                strcmp(f->id_no, row[3]) == 0) {
                hits++;
                used[i] = 1;
            }
        }
        if (hits != 1) {
            bad++;
            if (ml < sizeof msg - 200)
                ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "\n  %s: %s,%s,%s,%s",
                                       hits ? "repeated" : "missing", row[0], row[1], row[2],
                                       row[3]);
        }
    }
    /* and nothing else */
    for (size_t i = 0; i < tk->er.n_flags; i++) {
        if (used[i])
            continue;
        const struct flag *f = &tk->er.flags[i];
        bad++;
        if (ml < sizeof msg - 200)
            ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "\n  unexpected: %s,%s,%s,%s",
                                   rule_names[f->rule], f->household_id, f->hukou_no, f->id_no);
    }
    ck_assert_msg(bad == 0, "flags differ from expected-by-hand.csv:%s", msg);
    ck_assert_uint_eq(tk->er.n_flags, t.rows);
    assert_sorted_unique(tk, "fixtures");
    free(used);
    table_free(&t);
    tk_free(tk);
}
END_TEST

START_TEST(test_fixture_rejects)
{
    struct tk *tk = run_fixtures();
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/expected-rejects-by-hand.csv", test_root());
    struct table t;
    table_read(&t, path, 2);
    char msg[4096] = "";
    size_t ml = 0;
    int bad = 0;
    size_t total = 0;
    for (int fi = 0; fi < N_INPUT; fi++) {
        const struct filestat *fs = &tk->d.files[fi];
        for (size_t k = 0; k < fs->rejects.n; k++) {
            const struct reject *rj = &VEC_AT(fs->rejects, struct reject, k);
            total++;
            int found = 0;
            for (size_t r = 0; r < t.rows; r++)
                if (strcmp(t.cell[r * 2], input_file_names[fi]) == 0 &&
                    atoll(t.cell[r * 2 + 1]) == rj->line)
                    found = 1;
            if (!found) {
                bad++;
                if (ml < sizeof msg - 200)
                    ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "\n  unexpected: %s,%lld: %s",
                                           input_file_names[fi], rj->line, rj->reason);
            }
        }
    }
    for (size_t r = 0; r < t.rows; r++) {
        int found = 0;
        for (int fi = 0; fi < N_INPUT; fi++) {
            if (strcmp(t.cell[r * 2], input_file_names[fi]) != 0)
                continue;
            const struct filestat *fs = &tk->d.files[fi];
            for (size_t k = 0; k < fs->rejects.n; k++)
                if (VEC_AT(fs->rejects, struct reject, k).line == atoll(t.cell[r * 2 + 1]))
                    found = 1;
        }
        if (!found) {
            bad++;
            if (ml < sizeof msg - 200)
                ml += (size_t)snprintf(msg + ml, sizeof msg - ml, "\n  missing: %s,%s",
                                       t.cell[r * 2], t.cell[r * 2 + 1]);
        }
    }
    ck_assert_msg(bad == 0, "rejects differ from expected-rejects-by-hand.csv:%s", msg);
    ck_assert_uint_eq(total, t.rows);
    table_free(&t);
    tk_free(tk);
}
END_TEST

/* The manifest's no-standard lists and the spot-check population. */
START_TEST(test_fixture_no_standard_and_sample)
{
    struct tk *tk = run_fixtures();
    ck_assert_uint_eq(tk->er.n_no_std_households, 2);
    ck_assert(tk_no_std_household(tk, "HH040"));
    ck_assert(tk_no_std_household(tk, "HH041"));
    ck_assert_uint_eq(tk->er.n_no_std_candidates, 1);
    ck_assert(tk_no_std_candidate(tk, "610104199009091013"));

    static const struct {
        const char *township;
        int program;
        size_t n;
        const char *population;
    } want[] = {
        {"610102001", PROG_DIBAO, 2,
         "HH002 HH003 HH005 HH006 HH010 HH011 HH012 HH013 HH014 HH028 HH034"},
        {"610102001", PROG_DISHOURU, 1, "HH021 HH022"},
        {"610102002", PROG_DIBAO, 1, "HH016 HH037 HH042"},
        {"610102002", PROG_TEKUN, 1, "HH044"},
        {"610104001", PROG_DIBAO, 1, "HH041"},
    };
    size_t total = 0;
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        size_t n = 0;
        for (size_t i = 0; i < tk->rk.n_spot; i++) {
            const struct spot_row *s = &tk->rk.spot[i];
            if (strcmp(s->township, want[w].township) != 0 || s->program != want[w].program)
                continue;
            n++;
            ck_assert_msg(strstr(want[w].population, s->household_id) != NULL,
                          "%s drawn for %s %s but not in its population", s->household_id,
                          want[w].township, program_names[want[w].program]);
        }
        ck_assert_msg(n == want[w].n, "%s %s: %zu drawn, want %zu", want[w].township,
                      program_names[want[w].program], n, want[w].n);
        total += n;
    }
    ck_assert_uint_eq(tk->rk.n_spot, total);
    tk_free(tk);
}
END_TEST

/* ---------- pipeline_judge: the optional feeds it is told to use ---------- */

/* Judged again without business.csv and staff_relatives.csv (as a check
 * on a snapshot built without them would be): the same flags less E07
 * and E12, and an L01 candidate blocked only by E07 would now fire. */
START_TEST(test_judge_have)
{
    struct tk *tk = run_fixtures();
    size_t n_e07 = tk_count(tk, "E07_BUSINESS", NULL), n_e12 = tk_count(tk, "E12_STAFF_RELATIVE", NULL);
    ck_assert_uint_eq(n_e07, 1);
    ck_assert_uint_eq(n_e12, 1);
    struct join jn;
    struct calendar cal;
    struct eval_result er;
    struct judge jg;
    memset(&jg, 0, sizeof jg);
    jg.d = &tk->d;
    jg.pol = &tk->pol;
    jg.as_of = tk->as_of;
    jg.jn = &jn;
    jg.cal = &cal;
    jg.er = &er;
    for (int f = 0; f < N_INPUT; f++)
        jg.have[f] = tk->d.files[f].present && f != IN_BUSINESS && f != IN_STAFFREL;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(pipeline_judge(&jg, &e), E_OK);
    ck_assert_int_eq(jg.ec.have[IN_BUSINESS], 0);
    ck_assert_int_eq(jg.ec.have[IN_PUBSERV], 1);
    ck_assert_uint_eq(er.rule_count[RID("E07_BUSINESS")], 0);
    ck_assert_uint_eq(er.rule_count[RID("E12_STAFF_RELATIVE")], 0);
    /* C11 于海 (HK0509): only his wife's active company blocked L01 */
    ck_assert_uint_eq(er.rule_count[RID("L01_CANDIDATE_ELIGIBLE")], tk->er.rule_count[RID("L01_CANDIDATE_ELIGIBLE")] + 1);
    int hk0509 = 0;
    for (size_t i = 0; i < er.n_flags; i++)
        hk0509 += er.flags[i].rule == RID("L01_CANDIDATE_ELIGIBLE") && strcmp(er.flags[i].hukou_no, "HK0509") == 0;
    ck_assert_int_eq(hk0509, 1);
    size_t k = 0;
    for (size_t i = 0; i < tk->er.n_flags; i++) {
        const struct flag *x = &tk->er.flags[i];
        if (x->rule == RID("E07_BUSINESS") || x->rule == RID("E12_STAFF_RELATIVE"))
            continue;
        while (k < er.n_flags && er.flags[k].rule == RID("L01_CANDIDATE_ELIGIBLE") &&
               strcmp(er.flags[k].hukou_no, "HK0509") == 0)
            k++;
        ck_assert_msg(k < er.n_flags, "flag %s %s missing", rule_names[x->rule], x->household_id);
        const struct flag *y = &er.flags[k++];
        ck_assert_msg(x->rule == y->rule && strcmp(x->household_id, y->household_id) == 0 &&
                          strcmp(x->id_no, y->id_no) == 0 && strcmp(x->evidence, y->evidence) == 0,
                      "flag %zu: %s|%s|%s vs %s|%s|%s", i, rule_names[x->rule], x->household_id,
                      x->evidence, rule_names[y->rule], y->household_id, y->evidence);
    }
    eval_result_free(&er);
    calendar_free(&cal);
    join_free(&jn);
    tk_free(tk);
}
END_TEST

/* ---------- thread count ---------- */

static int str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "(null)", b ? b : "(null)") == 0;
}

static void assert_same_result(const struct tk *a, const struct tk *b, const char *what)
{
    ck_assert_msg(a->er.n_flags == b->er.n_flags, "%s: %zu vs %zu flags", what, a->er.n_flags,
                  b->er.n_flags);
    for (size_t i = 0; i < a->er.n_flags; i++) {
        const struct flag *x = &a->er.flags[i], *y = &b->er.flags[i];
        ck_assert_msg(x->rule == y->rule && x->severity == y->severity && x->hh == y->hh &&
                          str_eq(x->household_id, y->household_id) &&
                          str_eq(x->hukou_no, y->hukou_no) && str_eq(x->id_no, y->id_no) &&
                          str_eq(x->region, y->region) &&
                          str_eq(x->unit_hukou_no, y->unit_hukou_no) &&
                          str_eq(x->evidence, y->evidence),
                      "%s: flag %zu differs: %s|%s|%s|%s|%s vs %s|%s|%s|%s|%s", what, i,
                      rule_names[x->rule], x->household_id, x->hukou_no, x->id_no, x->evidence,
                      rule_names[y->rule], y->household_id, y->hukou_no, y->id_no, y->evidence);
    }
    for (int r = 0; r < n_rules; r++)
        ck_assert_uint_eq(a->er.rule_count[r], b->er.rule_count[r]);
    ck_assert_uint_eq(a->er.n_no_std_households, b->er.n_no_std_households);
    for (size_t i = 0; i < a->er.n_no_std_households; i++)
        ck_assert_uint_eq(a->er.no_std_households[i], b->er.no_std_households[i]);
    ck_assert_uint_eq(a->er.n_no_std_candidates, b->er.n_no_std_candidates);
    for (size_t i = 0; i < a->er.n_no_std_candidates; i++)
        ck_assert_uint_eq(a->er.no_std_candidates[i], b->er.no_std_candidates[i]);
    ck_assert_int_eq(a->er.candidates_skipped_not_in_hukou, b->er.candidates_skipped_not_in_hukou);

    ck_assert_uint_eq(a->rk.n_queue, b->rk.n_queue);
    for (size_t i = 0; i < a->rk.n_queue; i++) {
        const struct queue_row *x = &a->rk.queue[i], *y = &b->rk.queue[i];
        ck_assert_str_eq(x->township, y->township);
        ck_assert_int_eq(x->rank, y->rank);
        ck_assert_str_eq(x->household_id, y->household_id);
        ck_assert_str_eq(x->hukou_no, y->hukou_no);
        ck_assert_int_eq(x->score, y->score);
        ck_assert_str_eq(x->rule_ids, y->rule_ids);
    }
    ck_assert_uint_eq(a->rk.n_spot, b->rk.n_spot);
    for (size_t i = 0; i < a->rk.n_spot; i++) {
        ck_assert_str_eq(a->rk.spot[i].township, b->rk.spot[i].township);
        ck_assert_int_eq(a->rk.spot[i].program, b->rk.spot[i].program);
        ck_assert_str_eq(a->rk.spot[i].household_id, b->rk.spot[i].household_id);
        ck_assert_str_eq(a->rk.spot[i].reason, b->rk.spot[i].reason);
    }
}

START_TEST(test_fixture_threads)
{
    omp_set_num_threads(1);
    struct tk *one = run_fixtures();
    ck_assert_int_eq(one->er.n_arenas, 1);
    omp_set_num_threads(2);
    struct tk *two = run_fixtures();
    ck_assert_int_eq(two->er.n_arenas, 2);
    assert_same_result(one, two, "fixtures, 1 vs 2 threads");
    omp_set_num_threads(4);
    struct tk *four = run_fixtures();
    assert_same_result(one, four, "fixtures, 1 vs 4 threads");
    tk_free(one);
    tk_free(two);
    tk_free(four);
}
END_TEST

/* A larger generated dataset, so that several threads really share the
 * households (vm_run.c hands them out in chunks of 256). */
static char *gen_big(void)
{
    char *dir = tk_tmpdir();
    ck_assert_ptr_nonnull(dir);
    char *hb, *mb, *kb, *vb, *pb, *sb, *cb, *bb, *gb, *fb, *ub;
    size_t hn, mn, kn, vn, pn, sn, cn, bn, gn, fn, un;
    FILE *h = open_memstream(&hb, &hn), *m = open_memstream(&mb, &mn),
         *k = open_memstream(&kb, &kn), *v = open_memstream(&vb, &vn),
         *p = open_memstream(&pb, &pn), *s = open_memstream(&sb, &sn),
         *c = open_memstream(&cb, &cn), *b = open_memstream(&bb, &bn),
         *g = open_memstream(&gb, &gn), *fa = open_memstream(&fb, &fn),
         *fu = open_memstream(&ub, &un);
    ck_assert(h && m && k && v && p && s && c && b && g && fa && fu);
    static const char *const progs[] = {"dibao", "tekun", "dishouru"};
    static const char *const stats[] = {"active", "active", "suspended", "cancelled", "applying"};
    const int N = 3000;
    for (int i = 0; i < N; i++) {
        char region[13];
        snprintf(region, sizeof region, "610102%03d%03d", 1 + i % 4, 1 + i % 3);
        if (i % 40 == 7)   /* a county with no standard (Q04) */
            snprintf(region, sizeof region, "610105001001");
        const char *st = stats[i % 5];
        int day = 1 + i % 28;
        fprintf(h, "HB%05d,%s,%s,%s,%s,2026-05-%02d,", i, region, progs[i % 3],
                i % 2 ? "urban" : "rural", st, day);
        if (strcmp(st, "applying") != 0)
            fprintf(h, "2026-06-%02d", 1 + (i * 7) % 20);
        fprintf(h, ",500.00,CW%02d\n", i % 9);
        char head[19], spouse[19], child[19];
        tk_make_id(head, "610102", 19600101 + (i % 30) * 10000, i % 997 + 1);
        tk_make_id(spouse, "610102", 19620202 + (i % 30) * 10000, i % 997 + 1);
        tk_make_id(child, "610102", 20080616 + (i % 3) * 10000 - (i % 2), i % 997 + 1);
        fprintf(m, "HB%05d,%s,头%d,head,%d.%02d,full,0\n", i, head, i, (i * 37) % 1400, i % 100);
        if (i % 4 != 3)
            fprintf(m, "HB%05d,%s,%s%d,spouse,0.00,%s,0\n", i, spouse,
                    i % 13 ? "妻" : "错", i, i % 15 == 1 ? "unknown" : "partial"); /* Q05 */
        if (i % 10 == 0)   /* an invalid ID */
            fprintf(m, "HB%05d,%.17s%c,坏%d,child,100.00,none,1\n", i, child,
                    child[17] == '1' ? '2' : '1', i);
        if (i % 11 == 0 && i > 0) {   /* the previous household's head again (E10) */
            char prev[19];
            tk_make_id(prev, "610102", 19600101 + ((i - 1) % 30) * 10000, (i - 1) % 997 + 1);
            fprintf(m, "HB%05d,%s,头%d,other,0.00,full,0\n", i, prev, i - 1);
        }
        const char *hst = i % 17 == 0 ? "deceased" : i % 19 == 0 ? "moved_out" : "normal";
        fprintf(k, "%s,头%d,HKB%05d,head,%s,%s,%s\n", head, i, i, region, hst,
                strcmp(hst, "normal") ? "2026-03-01" : "");
        if (i % 23 != 0)
            fprintf(k, "%s,妻%d,HKB%05d,spouse,%s,normal,\n", spouse, i, i, region);
        if (i % 6 == 0)
            fprintf(k, "%s,孩%d,HKB%05d,child,%s,normal,\n", child, i, i, region);
        if (i % 8 == 0)
            fprintf(v, "%s,陕B%05d,%s,%s,2020-01-01,%d.%02d,valid\n", head, i,
                    i % 16 ? "car" : "truck", i % 3 ? "commercial" : "private",
                    29990 + i % 20, i % 3);
        if (i % 9 == 0)
            fprintf(p, "%s,RB%05d,residential,%d.00,0.5,2010-01-01,held\n", spouse, i,
                    40 + i % 60);
        if (i % 27 == 0)
            fprintf(p, "%s,RH%05d,residential,30.00,1,2010-01-01,held\n", head, i);
        if (i % 50 == 0)
            fprintf(b, "%s,公司%d,%s,1000.00,%s\n", head, i, i % 100 ? "legal_rep" : "shareholder",
                    i % 150 ? "active" : "revoked");
        if (i % 70 == 0)
            fprintf(g, "%s,某局%d,2001-01-01\n", spouse, i);
        if (i % 25 == 0)   /* E13 for most; two rows of one account, one later */
            fprintf(fa, "%s,银行%d,%d,deposit,%d.00,2026-05-31\n%s,银行%d, %d ,wealth,%d.00,"
                        "2026-06-30\n", head, i % 3, i, 20000 + 100 * (i % 400), head, i % 3, i,
                    900000);
        if (i % 31 == 0)   /* E14 */
            fprintf(fu, "%s,妻%d,2026-0%d-01,%s\n", spouse, i, 1 + i % 9,
                    i % 2 ? "burial" : "cremation");
        if (i % 12 == 0)
            fprintf(p, "%s,CB%05d,office,30.00,1,2010-01-01,held\n", head, i + 100000);
        for (int mo = 0; mo < 8; mo++)
            if ((i + mo) % 5 == 0)
                fprintf(s, "%s,%s,%s,,%d.%02d\n", head, mo < 1 ? "2025-11" : mo < 2 ? "2025-12" :
                        mo < 7 ? "2026-03" : "2026-06", mo % 2 ? "employment" : "pension_benefit",
                        300 + (i * mo) % 1500, mo);
        if (i % 14 == 0) {
            char cand[19];
            tk_make_id(cand, "610102", 19700303 + (i % 20) * 10000, i % 991 + 1);
            fprintf(c, "%s,监测,%s,%s\n", cand, region, i % 2 ? "urban" : "rural");
            fprintf(k, "%s,候%d,HKC%05d,head,%s,normal,\n", cand, i, i, region);
            fprintf(c, "%s,监测,%s,rural\n", spouse, region);
        }
    }
    fclose(h);
    fclose(m);
    fclose(k);
    fclose(v);
    fclose(p);
    fclose(s);
    fclose(c);
    fclose(b);
    fclose(g);
    fclose(fa);
    fclose(fu);
    ck_assert_int_eq(tk_put(dir, "financial_assets.csv", fb), 0);
    ck_assert_int_eq(tk_put(dir, "funeral.csv", ub), 0);
    ck_assert_int_eq(tk_put(dir, "business.csv", bb), 0);
    ck_assert_int_eq(tk_put(dir, "public_servants.csv", gb), 0);
    ck_assert_int_eq(tk_put(dir, "households.csv", hb), 0);
    ck_assert_int_eq(tk_put(dir, "members.csv", mb), 0);
    ck_assert_int_eq(tk_put(dir, "hukou.csv", kb), 0);
    ck_assert_int_eq(tk_put(dir, "vehicles.csv", vb), 0);
    ck_assert_int_eq(tk_put(dir, "property.csv", pb), 0);
    ck_assert_int_eq(tk_put(dir, "social_insurance.csv", sb), 0);
    ck_assert_int_eq(tk_put(dir, "candidates.csv", cb), 0);
    ck_assert_int_eq(tk_put(dir, "standards.csv",
                            "610102,urban,2026-01-01,1000.00\n610102,rural,2026-01-01,800.00\n"
                            "610102002,urban,2026-01-01,1050.00\n"),
                     0);
    char rel[19], rows[128];
    tk_make_id(rel, "610102", 19620202 + 5 * 10000, 5 + 1);   /* the spouse of HB00005 */
    snprintf(rows, sizeof rows, "CW05,%s,兄弟\nCW04,%s,兄弟\n", rel, rel);
    ck_assert_int_eq(tk_put(dir, "staff_relatives.csv", rows), 0);
    free(hb);
    free(mb);
    free(kb);
    free(vb);
    free(pb);
    free(sb);
    free(cb);
    free(bb);
    free(gb);
    free(fb);
    free(ub);
    return dir;
}

START_TEST(test_generated_threads)
{
    char *dir = gen_big();
    struct tk_opts o = {0};
    o.seed_set = 1;
    o.seed = 5;
    omp_set_num_threads(1);
    struct tk *one = tk_run(dir, &o);
    ck_assert_msg(one->st == E_OK, "run failed: %s", one->e.msg);
    /* the generated data exercises many rules */
    int rules_seen = 0;
    for (int r = 0; r < n_rules; r++)
        rules_seen += one->er.rule_count[r] > 0;
    /* every rule of the reference policy (all but huaiyuan's E15) */
    ck_assert_msg(rules_seen == n_rules - 1, "only %d rules fired on the generated data",
                  rules_seen);
    ck_assert_uint_eq(tk_n_rejects(one), 0);
    assert_sorted_unique(one, "generated");
    ck_assert_uint_gt(one->er.n_flags, 1000);
    omp_set_num_threads(2);
    struct tk *two = tk_run(dir, &o);
    ck_assert_int_eq(two->st, E_OK);
    assert_same_result(one, two, "generated, 1 vs 2 threads");
    omp_set_num_threads(3);
    struct tk *three = tk_run(dir, &o);
    ck_assert_int_eq(three->st, E_OK);
    assert_same_result(one, three, "generated, 1 vs 3 threads");
    tk_free(one);
    tk_free(two);
    tk_free(three);
    tk_rmdir(dir);
}
END_TEST

Suite *pipeline_suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("fixtures");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fixture_flags);
    tcase_add_test(tc, test_fixture_rejects);
    tcase_add_test(tc, test_fixture_no_standard_and_sample);
    tcase_add_test(tc, test_judge_have);
    tcase_add_test(tc, test_fixture_threads);
    tcase_add_test(tc, test_generated_threads);
    suite_add_tcase(s, tc);
    return s;
}
