/* check_explain.c - explain's traced judgement (engine/explain.h, vm.h
 * vm_judge_one, policy/trace.c).
 *
 * Owns: the explain suite.  The invariant explain stands on: a program
 * compiled with trace points decides exactly what the run's program
 * decides.  On fixtures/, every household judged alone by the traced
 * program gives the run's flags for it (keys, evidence, fingerprint values),
 * and the candidates together give the run's L01 flags; the traced program
 * records a unit for every rule block it runs.  Then explain_run's text for
 * a household with E09 and one without.  tests/explain_test.sh tests the
 * command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/explain.h"
#include "engine/vm.h"
#include "policy/lang.h"
#include "tests.h"

#include "testkit.h"

static int flag_eq(const struct flag *x, const struct flag *y)
{
    return x->rule == y->rule && x->severity == y->severity && x->hh == y->hh &&
           strcmp(x->household_id, y->household_id) == 0 &&
           strcmp(x->hukou_no, y->hukou_no) == 0 && strcmp(x->id_no, y->id_no) == 0 &&
           strcmp(x->region, y->region) == 0 && strcmp(x->evidence, y->evidence) == 0 &&
           strcmp(x->evkey, y->evkey) == 0;
}

static struct tk *fixtures(void)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/fixtures", test_root());
    struct tk_opts o = {0};
    o.as_of = "2026-06-15";
    struct tk *tk = tk_run(dir, &o);
    ck_assert_msg(tk->st == E_OK, "%s", tk->e.msg);
    return tk;
}

START_TEST(test_traced_program_decides_as_the_run)
{
    struct tk *tk = fixtures();
    char rules[600];
    snprintf(rules, sizeof rules, "%s/rules", test_root());
    struct eval_result run;
    struct err e;
    err_init(&e);
    ck_assert_msg(vm_run_dir(&tk->ec, rules, &run, &e) == E_OK, "%s", e.msg);
    ck_assert_uint_gt(run.n_flags, 40);
    struct lang_opts lo = {tk->ec.as_of, tk->ec.p->income_months, tk->ec.have, 1};
    struct lang_prog *lp = NULL;
    ck_assert_msg(lang_load_dir(&lp, rules, &lo, &e) == E_OK, "%s", e.msg);
    ck_assert_int_gt(lp->P.ntp, 0);
    size_t seen = 0;
    const struct dataset *d = tk->ec.d;
    for (uint32_t h = 0; h < d->households.n; h++) {
        struct vm_trace tr;
        struct eval_result one;
        int skipped;
        vm_trace_init(&tr);
        ck_assert_int_eq(vm_judge_one(&tk->ec, &lp->P, 0, h, &tr, &one, &skipped, &e), E_OK);
        size_t want = 0;
        for (size_t i = 0; i < run.n_flags; i++)
            if (run.flags[i].hh == h) {
                ck_assert_msg(want < one.n_flags, "household %s: a flag of the run is missing",
                              VEC_AT(d->households, struct household, h).id);
                ck_assert_msg(flag_eq(&run.flags[i], &one.flags[want]),
                              "household %s: flag %zu differs (%s / %s)",
                              VEC_AT(d->households, struct household, h).id, want,
                              run.flags[i].evidence, one.flags[want].evidence);
                want++;
            }
        ck_assert_uint_eq(want, one.n_flags);
        seen += want;
        /* a record for every rule block run: a unit first, and a fired one
         * for every flag */
        ck_assert_uint_gt(tr.recs.n, 0);
        const struct vm_trec *rec = tr.recs.v;
        ck_assert_int_eq(lp->P.tp[rec[0].tp].kind, TP_UNIT);
        size_t fired = 0;
        for (size_t i = 0; i < tr.recs.n; i++)
            fired += lp->P.tp[rec[i].tp].kind == TP_FIRED;
        ck_assert_uint_ge(fired, one.n_flags);
        eval_result_free(&one);
        vm_trace_free(&tr);
    }
    /* the candidates, one at a time, give the run's L01 flags */
    for (uint32_t c = 0; c < d->candidates.n; c++) {
        struct vm_trace tr;
        struct eval_result one;
        int skipped;
        vm_trace_init(&tr);
        ck_assert_int_eq(vm_judge_one(&tk->ec, &lp->P, 1, c, &tr, &one, &skipped, &e), E_OK);
        for (size_t k = 0; k < one.n_flags; k++) {
            int found = 0;
            for (size_t i = 0; i < run.n_flags && !found; i++)
                found = run.flags[i].hh == HH_NONE && flag_eq(&run.flags[i], &one.flags[k]);
            ck_assert_msg(found, "candidate %u: an L01 the run does not have", c);
        }
        seen += one.n_flags;
        eval_result_free(&one);
        vm_trace_free(&tr);
    }
    ck_assert_uint_ge(seen, run.n_flags);   /* a candidate listed twice fires twice */
    lang_prog_free(lp);
    eval_result_free(&run);
    tk_free(tk);
}
END_TEST

static uint32_t household(const struct dataset *d, const char *id)
{
    for (uint32_t h = 0; h < d->households.n; h++)
        if (strcmp(VEC_AT(d->households, struct household, h).id, id) == 0)
            return h;
    ck_abort_msg("no household %s in fixtures", id);
    return 0;
}

START_TEST(test_explain_text)
{
    struct tk *tk = fixtures();
    char rules[600];
    snprintf(rules, sizeof rules, "%s/rules", test_root());
    uint32_t units[2] = {household(tk->ec.d, "HH020"), household(tk->ec.d, "HH019")};
    struct explain_req x;
    memset(&x, 0, sizeof x);
    x.rules_dir = rules;
    x.households = units;
    x.n_households = 2;
    struct err e;
    err_init(&e);
    ck_assert_msg(explain_run(&tk->ec, &x, &e) == E_OK, "%s", e.msg);
    ck_assert_uint_eq(x.len, strlen(x.text));
    ck_assert_uint_eq(x.n_fired, 1);   /* HH020's E09; HH019 is one fen short */
    const char *hh19 = strstr(x.text, "household HH019");
    ck_assert_ptr_nonnull(strstr(x.text, "household HH020"));
    ck_assert_ptr_nonnull(hh19);
    const char *fire = strstr(x.text, "=> 命中 fires: income: 6-month total 12600.12");
    ck_assert_ptr_nonnull(fire);
    ck_assert(fire < hh19);
    ck_assert_ptr_nonnull(strstr(hh19, "=> 未命中 does not fire: income / (window_months * "
                                       "h.size) > h.standard.monthly_yuan * factor[h.program] "
                                       "is false"));
    /* no full ID number: a run of 15 digits would be one */
    for (const char *p = x.text; *p; p++) {
        int run = 0;
        while (p[run] >= '0' && p[run] <= '9')
            run++;
        ck_assert_msg(run < 15, "a full ID in the text: %.20s", p);
        p += run ? run - 1 : 0;
    }
    explain_free(&x);
    ck_assert_ptr_null(x.text);
    tk_free(tk);
}
END_TEST

Suite *explain_suite(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("explain");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_traced_program_decides_as_the_run);
    tcase_add_test(tc, test_explain_text);
    suite_add_tcase(s, tc);
    return s;
}
