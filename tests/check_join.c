/* check_join.c - unit tests for engine/join.c: feeds joined to people.
 *
 * Owns: the join suite.  Each test writes a small dataset, runs the
 * pipeline in-process through testkit (which builds the join with
 * JOIN_GROUPED, as a run does) and looks at struct join directly: registry
 * members and candidates joined to their hukou row by key, the members
 * index (a person in two households), a feed indexed where it lies when it
 * arrives grouped by person and sorted by (key, line) when it does not,
 * and the hukou households (E11's co-residents: everyone with the head's
 * hukou_no, digits or text), and the hukou rows a run lets go before the
 * join (hukou_prune: the households of members and candidates stay, the
 * flags do not change).  Expected values come from the files written
 * here, not from the engine.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract/idcard.h"
#include "engine/join.h"
#include "engine/personset.h"
#include "testkit.h"
#include "tests.h"

#define R1 "610102001001"
#define HH(id) id "," R1 ",dibao,urban,active,2024-03-04,2024-03-12,500.00,CW01\n"
#define M(hh, p, rel) hh "," p "," #p "," rel ",0.00,full,0\n"
#define K(p, hno, rel) p "," #p "," hno "," rel "," R1 ",normal,\n"
#define CAR(p, plate) p "," plate ",car,private,2020-01-01,50000.00,valid\n"

static uint64_t key_of(const char *id)
{
    struct id_norm nm;
    ck_assert_int_eq(id_normalise(id, strlen(id), 20260615, &nm), ID_OK);
    return nm.key;
}

static struct tk *run(const struct tk_file *files)
{
    struct tk *tk = tk_run_files(files, NULL);
    ck_assert_msg(tk->st == E_OK, "pipeline failed%s", tk_flags_text(tk));
    ck_assert_msg(tk_n_rejects(tk) == 0, "test data has rejected rows%s", tk_flags_text(tk));
    return tk;
}

/* The member row of person id in household hh. */
static const struct member *member_of(const struct tk *tk, const char *hh, const char *id)
{
    const struct household *h = tk_household(tk, hh, NULL);
    ck_assert_msg(h != NULL, "no household %s", hh);
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct member *m = &VEC_AT(tk->d.members, struct member, h->first_member + i);
        if (strcmp(m->id, id) == 0)
            return m;
    }
    ck_abort_msg("%s is not a member of %s", id, hh);
    return NULL;
}

/* ---------- members and candidates to hukou ---------- */

START_TEST(test_members_to_hukou_by_key)
{
    static const struct tk_file files[] = {
        {"households.csv", HH("H1") HH("H2"), 0},
        {"members.csv", M("H1", P01, "head") M("H1", P02, "spouse") M("H1", P03, "child")
                            M("H2", P04, "head") M("H2", P03, "other"), 0},
        /* P03 has no hukou row; P05 is in hukou only; the file is not in
         * key order, the join must not care */
        {"hukou.csv", K(P04, "610102000002", "head") K(P02, "610102000001", "spouse")
                          K(P05, "610102000003", "head") K(P01, "610102000001", "head"), 0},
        {"candidates.csv", P05 ",civil," R1 ",urban\n" P06 ",civil," R1 ",urban\n", 0},
        {NULL, NULL, 0}};
    struct tk *tk = run(files);
    static const struct {
        const char *hh, *id, *hukou_no;   /* NULL: no hukou row */
    } want[] = {{"H1", P01, "610102000001"}, {"H1", P02, "610102000001"}, {"H1", P03, NULL},
                {"H2", P04, "610102000002"}, {"H2", P03, NULL}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct member *m = member_of(tk, want[i].hh, want[i].id);
        const struct hukou *hk = join_member_hukou(&tk->jn, &tk->d, m);
        if (!want[i].hukou_no) {
            ck_assert_msg(hk == NULL, "%s %s: joined to hukou %s", want[i].hh, want[i].id,
                          hk ? hk->id : "");
            continue;
        }
        ck_assert_msg(hk != NULL, "%s %s: no hukou row", want[i].hh, want[i].id);
        ck_assert_str_eq(hk->id, want[i].id);
        ck_assert_uint_eq(hk->key, m->key);
        ck_assert_str_eq(hk->hukou_no, want[i].hukou_no);
    }
    /* candidates: P05 is in hukou, P06 is not */
    ck_assert_uint_eq(tk->d.candidates.n, 2);
    for (uint32_t ci = 0; ci < 2; ci++) {
        const struct candidate *c = &VEC_AT(tk->d.candidates, struct candidate, ci);
        const struct hukou *hk = join_candidate_hukou(&tk->jn, &tk->d, ci);
        if (strcmp(c->id, P05) == 0) {
            ck_assert_ptr_nonnull(hk);
            ck_assert_str_eq(hk->id, P05);
        } else {
            ck_assert_str_eq(c->id, P06);
            ck_assert_ptr_null(hk);
        }
    }
    tk_free(tk);
}
END_TEST

/* The members index: one probe gives every household a person is in. */
START_TEST(test_members_index_two_households)
{
    static const struct tk_file files[] = {
        {"households.csv", HH("H1") HH("H2") HH("H3"), 0},
        {"members.csv", M("H1", P01, "head") M("H2", P02, "head") M("H2", P01, "other")
                            M("H3", P03, "head"), 0},
        {"hukou.csv", K(P01, "610102000001", "head") K(P02, "610102000002", "head")
                          K(P03, "610102000003", "head"), 0},
        {NULL, NULL, 0}};
    struct tk *tk = run(files);
    struct keyidx_slot s = keyidx_get(&tk->jn.members, key_of(P01));
    ck_assert_uint_eq(s.count, 2);
    const char *hh[2];
    for (uint32_t k = 0; k < 2; k++) {
        const struct member_ref *r = &tk->jn.members_by_key[s.first + k];
        ck_assert_uint_eq(r->key, key_of(P01));
        const struct member *m = &VEC_AT(tk->d.members, struct member, r->member);
        ck_assert_str_eq(m->id, P01);
        hh[k] = VEC_AT(tk->d.households, struct household, m->hh).id;
    }
    /* by household index: H1 before H2 */
    ck_assert_str_eq(hh[0], "H1");
    ck_assert_str_eq(hh[1], "H2");
    s = keyidx_get(&tk->jn.members, key_of(P03));
    ck_assert_uint_eq(s.count, 1);
    s = keyidx_get(&tk->jn.members, key_of(P04));   /* not a member anywhere */
    ck_assert_uint_eq(s.count, 0);
    tk_free(tk);
}
END_TEST

/* ---------- a feed joined to people ---------- */

/* Every person's rows of vehicles form one run of the index, in file order
 * (line ascending), and the runs cover want[] exactly. */
static void assert_vehicle_runs(const struct tk *tk, const struct join *jn)
{
    static const struct {
        const char *id;
        int n;
    } want[] = {{P01, 3}, {P02, 1}, {P03, 2}, {P04, 0}};
    size_t covered = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct keyidx_slot s = keyidx_get(&jn->feed[IN_VEHICLES], key_of(want[i].id));
        ck_assert_msg((int)s.count == want[i].n, "%s: %u vehicles, want %d", want[i].id,
                      s.count, want[i].n);
        long long prev = 0;
        for (uint32_t k = 0; k < s.count; k++) {
            const struct vehicle *v = &VEC_AT(tk->d.vehicles, struct vehicle, s.first + k);
            ck_assert_uint_eq(v->key, key_of(want[i].id));
            ck_assert_msg(v->line > prev, "%s: line %lld after %lld", want[i].id, v->line,
                          prev);
            prev = v->line;
        }
        covered += s.count;
    }
    ck_assert_uint_eq(covered, tk->d.vehicles.n);
}

static const char *const plates[] = {"P01-a", "P01-b", "P01-c", "P02-a", "P03-a", "P03-b"};

START_TEST(test_grouped_feed_indexed_in_place)
{
    /* grouped by person, persons not in key order: indexed where it lies */
    static const struct tk_file files[] = {
        {"vehicles.csv", CAR(P03, "P03-a") CAR(P03, "P03-b") CAR(P01, "P01-a")
                             CAR(P01, "P01-b") CAR(P01, "P01-c") CAR(P02, "P02-a"), 0},
        {NULL, NULL, 0}};
    struct tk *tk = run(files);
    ck_assert_uint_eq(tk->d.vehicles.n, 6);
    for (size_t i = 0; i < 6; i++) {   /* not one row moved */
        const struct vehicle *v = &VEC_AT(tk->d.vehicles, struct vehicle, i);
        ck_assert_int_eq(v->line, (long long)i + 2);
    }
    assert_vehicle_runs(tk, &tk->jn);
    /* JOIN_SORTED (the snapshot's order) sorts the same rows by (key, line) */
    struct join sorted;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(join_build(&sorted, &tk->d, JOIN_SORTED, &e), E_OK);
    for (size_t i = 1; i < 6; i++) {
        const struct vehicle *a = &VEC_AT(tk->d.vehicles, struct vehicle, i - 1);
        const struct vehicle *b = &VEC_AT(tk->d.vehicles, struct vehicle, i);
        ck_assert(a->key < b->key || (a->key == b->key && a->line < b->line));
    }
    assert_vehicle_runs(tk, &sorted);
    join_free(&sorted);
    tk_free(tk);
}
END_TEST

START_TEST(test_ungrouped_feed_sorted)
{
    /* P01's and P03's rows apart: JOIN_GROUPED brings each person's rows
     * together where they lie (keyidx_group), in file order */
    static const struct tk_file files[] = {
        {"vehicles.csv", CAR(P01, "P01-a") CAR(P03, "P03-a") CAR(P01, "P01-b")
                             CAR(P02, "P02-a") CAR(P03, "P03-b") CAR(P01, "P01-c"), 0},
        {NULL, NULL, 0}};
    struct tk *tk = run(files);
    assert_vehicle_runs(tk, &tk->jn);
    /* each person's rows in file order: the plates say which row is which */
    struct keyidx_slot s = keyidx_get(&tk->jn.feed[IN_VEHICLES], key_of(P01));
    for (uint32_t k = 0; k < 3; k++)
        ck_assert_str_eq(VEC_AT(tk->d.vehicles, struct vehicle, s.first + k).plate, plates[k]);
    tk_free(tk);
}
END_TEST

/* ---------- hukou households (E11's co-residents) ---------- */

/* The ids of the hukou household of person id, in the group's order. */
static int group_of(const struct tk *tk, const char *id, const char **out, int max)
{
    const struct hukou *hk = NULL;
    for (size_t i = 0; i < tk->d.hukou.n && !hk; i++)
        if (strcmp(VEC_AT(tk->d.hukou, struct hukou, i).id, id) == 0)
            hk = &VEC_AT(tk->d.hukou, struct hukou, i);
    ck_assert_msg(hk != NULL, "%s not in hukou", id);
    size_t pos;
    ck_assert_msg(join_hukou_group(&tk->jn, hk, &pos), "%s: hukou_no %s not indexed", id,
                  hk->hukou_no);
    int n = 0;
    for (size_t k = pos; k < tk->jn.n_hukou_by_no; k++) {
        const struct hukou *p = &VEC_AT(tk->d.hukou, struct hukou, tk->jn.hukou_by_no[k]);
        if (!hukou_same_no(p, hk))
            break;
        ck_assert_int_lt(n, max);
        out[n++] = p->id;
    }
    return n;
}

START_TEST(test_hukou_groups)
{
    /* a digit hukou_no (kept as a number), two text ones that differ only
     * after the digits, and "012" beside "12"; rows interleaved; the
     * deceased spouse is still a co-resident for the join (the rule looks
     * at the status) */
    static const struct tk_file files[] = {
        {"hukou.csv", K(P01, "610102000001", "head") K(P04, "HK-A7", "head")
                          K(P02, "610102000001", "spouse") K(P05, "HK-A7", "child")
                          K(P06, "HK-A8", "head") K(P07, "012", "head") K(P08, "12", "head")
                          P03 ",P03,610102000001,child," R1 ",deceased,2026-01-05\n",
         0},
        {NULL, NULL, 0}};
    struct tk *tk = run(files);
    const char *g[8];
    /* in key order, which is the order of the IDs (same county, birth
     * dates rising with the number) */
    int n = group_of(tk, P02, g, 8);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(g[0], P01);
    ck_assert_str_eq(g[1], P02);
    ck_assert_str_eq(g[2], P03);
    n = group_of(tk, P05, g, 8);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(g[0], P04);
    ck_assert_str_eq(g[1], P05);
    n = group_of(tk, P06, g, 8);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(g[0], P06);
    n = group_of(tk, P07, g, 8);   /* "012" is not "12" */
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(g[0], P07);
    n = group_of(tk, P08, g, 8);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(g[0], P08);
    ck_assert_uint_eq(tk->jn.n_hukou_by_no, 8);   /* every hukou row in one group */
    tk_free(tk);
}
END_TEST

/* E11 reads the head's group: a spouse there who is not a member of the
 * household is flagged, one who is a member is not. */
START_TEST(test_hukou_group_drives_e11)
{
    static const struct tk_file files[] = {
        {"households.csv", HH("H1") HH("H2"), 0},
        {"members.csv", M("H1", P01, "head") M("H2", P04, "head") M("H2", P05, "spouse"), 0},
        {"hukou.csv", K(P01, "610102000001", "head") K(P02, "610102000001", "spouse")
                          K(P04, "HK-B", "head") K(P05, "HK-B", "spouse"), 0},
        {NULL, NULL, 0}};
    struct tk *tk = run(files);
    ck_assert_msg(tk_has_flag(tk, "E11_UNDECLARED_SPOUSE", "H1", P02), "%s", tk_flags_text(tk));
    ck_assert_uint_eq(tk_count(tk, "E11_UNDECLARED_SPOUSE", NULL), 1);
    tk_free(tk);
}
END_TEST

/* ---------- hukou rows no rule reads (hukou_prune) ---------- */

/* Kept: the hukou households holding a member's or a candidate's row,
 * whole (a co-resident who is neither stays), by digits or by text ("12"
 * is a member's, "012" is not); the others go (none of them shares a bit
 * of the 64-bit map with a kept one here); the order stays by key. */
START_TEST(test_hukou_prune_keeps_reachable)
{
    static const struct tk_file files[] = {
        {"households.csv", HH("H1") HH("H2"), 0},
        {"members.csv", M("H1", P01, "head") M("H2", P07, "head"), 0},
        {"hukou.csv", K(P04, "HK-A8", "head") K(P02, "610102000001", "spouse")
                          K(P06, "012", "head") K(P03, "HK-A7", "head")
                          K(P01, "610102000001", "head") K(P05, "HK-A8", "child")
                          K(P07, "12", "head"), 0},
        {"candidates.csv", P03 ",civil," R1 ",urban\n", 0},
        {NULL, NULL, 0}};
    struct tk_opts o = {0};
    o.prune_hukou = 1;
    struct tk *tk = tk_run_files(files, &o);
    ck_assert_msg(tk->st == E_OK, "pipeline failed%s", tk_flags_text(tk));
    ck_assert_uint_eq(tk->pruned.before, 7);
    ck_assert_uint_eq(tk->pruned.after, 4);
    static const char *const want[] = {P01, P02, P03, P07};
    ck_assert_uint_eq(tk->d.hukou.n, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_str_eq(VEC_AT(tk->d.hukou, struct hukou, i).id, want[i]);
    /* the join sees only them, and the member's household whole */
    ck_assert_uint_eq(tk->jn.n_hukou_by_no, 4);
    const char *g[8];
    int n = group_of(tk, P01, g, 8);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(g[0], P01);
    ck_assert_str_eq(g[1], P02);
    tk_free(tk);
}
END_TEST

/* The bundled fixtures judged with and without the rows no rule reads
 * (hukou rows, and feed rows of the persons left out): the same flags,
 * rejects and evidence, and rows were left out. */
START_TEST(test_hukou_prune_same_flags)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fixtures", test_root());
    struct tk *all = tk_run(dir, NULL);
    ck_assert_msg(all->st == E_OK, "pipeline failed%s", tk_flags_text(all));
    char *want = strdup(tk_flags_text(all));
    ck_assert_ptr_nonnull(want);
    ck_assert_uint_gt(all->er.n_flags, 0);
    size_t nh = all->d.hukou.n, nfeed = all->d.vehicles.n + all->d.property.n + all->d.si.n;
    tk_free(all);
    struct tk_opts o = {0};
    o.prune_hukou = 1;
    struct tk *some = tk_run(dir, &o);
    ck_assert_msg(some->st == E_OK, "pipeline failed%s", tk_flags_text(some));
    ck_assert_uint_eq(some->pruned.before, nh);
    ck_assert_uint_lt(some->pruned.after, some->pruned.before);
    ck_assert_uint_lt(some->d.vehicles.n + some->d.property.n + some->d.si.n, nfeed);
    ck_assert_str_eq(tk_flags_text(some), want);
    free(want);
    tk_free(some);
}
END_TEST

/* The persons the rules read: every key put in answers yes; of keys not
 * put in, at most 1 in 16 or so do (the map has 16 to 32 bits per key). */
START_TEST(test_personset_answers)
{
    struct dataset d;
    dataset_init(&d);
    uint64_t s = 12345, x;
    enum { NM = 3000, NC = 200, NH = 5000, NO = 200000 };
    for (int i = 0; i < NM + NC + NH; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        x = (s & 0x0FFFFFFFFFFFFFFFu) | 1;
        if (i < NM) {
            struct member *m = vec_push(&d.members, sizeof *m);
            ck_assert_ptr_nonnull(m);
            m->key = x;
        } else if (i < NM + NC) {
            struct candidate *c = vec_push(&d.candidates, sizeof *c);
            ck_assert_ptr_nonnull(c);
            c->key = x;
        } else {
            struct hukou *h = vec_push(&d.hukou, sizeof *h);
            ck_assert_ptr_nonnull(h);
            h->key = x;
        }
    }
    struct personset ps;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(personset_build(&ps, &d, &e), E_OK);
    ck_assert_uint_eq(ps.n, NM + NC + NH);
    size_t missed = 0;
    for (size_t i = 0; i < d.members.n; i++)
        missed += !personset_may_have(&ps, VEC_AT(d.members, struct member, i).key);
    for (size_t i = 0; i < d.candidates.n; i++)
        missed += !personset_may_have(&ps, VEC_AT(d.candidates, struct candidate, i).key);
    for (size_t i = 0; i < d.hukou.n; i++)
        missed += !personset_may_have(&ps, VEC_AT(d.hukou, struct hukou, i).key);
    ck_assert_uint_eq(missed, 0);
    size_t yes = 0;
    for (int i = 0; i < NO; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        yes += (size_t)personset_may_have(&ps, (s & 0x0FFFFFFFFFFFFFFFu) | 1);
    }
    ck_assert_msg(yes < NO / 12, "%zu of %d other keys answer yes", yes, NO);
    personset_free(&ps);
    ck_assert(personset_may_have(&ps, 42));   /* freed: no set, every key may be read */
    dataset_free(&d);
}
END_TEST

Suite *join_suite(void)
{
    Suite *s = suite_create("join");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_members_to_hukou_by_key);
    tcase_add_test(tc, test_members_index_two_households);
    tcase_add_test(tc, test_grouped_feed_indexed_in_place);
    tcase_add_test(tc, test_ungrouped_feed_sorted);
    tcase_add_test(tc, test_hukou_groups);
    tcase_add_test(tc, test_hukou_group_drives_e11);
    tcase_add_test(tc, test_hukou_prune_keeps_reachable);
    tcase_add_test(tc, test_hukou_prune_same_flags);
    tcase_add_test(tc, test_personset_answers);
    suite_add_tcase(s, tc);
    return s;
}
