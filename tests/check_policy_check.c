/* check_policy_check.c - the rules language's checker and compiler.
 *
 * Owns: the policy_check suite.  Most tests take the shipped
 * rules/reference.policy, change one thing (a column name, a unit, a
 * parameter...) and compile it with lang_load_text(): the change must give
 * exactly the error it should, at its place, with its suggestion; the
 * shipped text must give none.  Packs are written into a temporary rules
 * tree beside a copy of reference.policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "contract/policy.h"
#include "policy/compile.h"
#include "policy/lang.h"
#include "tests.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (set HEDUI_TEST_ROOT)", path);
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static char *reference(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/rules/reference.policy", test_root());
    return slurp(path);
}

/* src with the first occurrence of `from` replaced by `to` (must occur). */
static char *edit(const char *src, const char *from, const char *to)
{
    const char *at = strstr(src, from);
    ck_assert_msg(at != NULL, "'%s' is not in the policy", from);
    size_t n = strlen(src) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    ck_assert_ptr_nonnull(out);
    size_t pre = (size_t)(at - src);
    memcpy(out, src, pre);
    memcpy(out + pre, to, strlen(to));
    strcpy(out + pre + strlen(to), at + strlen(from));
    return out;
}

/* the 1-based line of the first occurrence of `what` in src (must occur) */
static int line_of(const char *src, const char *what)
{
    const char *at = strstr(src, what);
    ck_assert_msg(at != NULL, "'%s' is not in the policy", what);
    int line = 1;
    for (const char *q = src; q < at; q++)
        line += *q == '\n';
    return line;
}

static int as_of(const char *s)
{
    int d;
    ck_assert_int_eq(date_parse(s, strlen(s), &d), 0);
    return d;
}

struct compiled {
    struct lang_prog *lp;
    int st;
    struct err e;
    const char *diag;
};

static struct compiled compile_at(const char *src, const char *day)
{
    struct compiled c;
    memset(&c, 0, sizeof c);
    err_init(&c.e);
    struct lang_opts o = {as_of(day), 6, NULL, 0};
    c.st = lang_load_text(&c.lp, "t.policy", src, strlen(src), &o, &c.e);
    ck_assert_ptr_nonnull(c.lp);
    c.diag = c.lp->diagnostics ? c.lp->diagnostics : "";
    return c;
}

static struct compiled compile(const char *src)
{
    return compile_at(src, "2026-06-15");
}

#define HAS_TEXT(c, s) \
    ck_assert_msg(strstr((c).diag, (s)) != NULL, "want '%s' in:\n%s", (s), (c).diag)
#define ONE_ERROR(c)                                                                     \
    do {                                                                                 \
        ck_assert_int_eq((c).st, E_CONFIG);                                              \
        ck_assert_msg((c).lp->nerrors == 1, "want one error, got %d:\n%s", (c).lp->nerrors, \
                      (c).diag);                                                         \
    } while (0)

/* The reference policy with one edit: exactly one error, with this text. */
static void one_error(const char *from, const char *to, const char *want, const char *hint)
{
    char *ref = reference();
    char *src = edit(ref, from, to);
    struct compiled c = compile(src);
    ONE_ERROR(c);
    HAS_TEXT(c, want);
    if (hint)
        HAS_TEXT(c, hint);
    /* the first error, for `hedui run`, names the place */
    ck_assert_str_eq(c.e.in_path, "t.policy");
    ck_assert_int_gt((int)c.e.in_line, 0);
    ck_assert_int_gt(c.e.in_col, 0);
    lang_prog_free(c.lp);
    free(src);
    free(ref);
}

START_TEST(test_reference_compiles)
{
    char *ref = reference();
    struct compiled c = compile(ref);
    ck_assert_msg(c.st == E_OK, "%s\n%s", c.e.msg, c.diag);
    ck_assert_int_eq(c.lp->nerrors, 0);
    ck_assert_int_eq(c.lp->nwarnings, 0);
    /* every rule of the catalogue but huaiyuan's E15 */
    ck_assert_int_eq(c.lp->cp.nrules, n_rules - 1);
    ck_assert_int_eq(c.lp->P.nrules, n_rules - 1);
    /* every catalogue rule but E15, with the contract's severity */
    for (int r = 0; r < n_rules; r++)
        ck_assert_int_eq(c.lp->P.severity[r], strcmp(rule_names[r], "E15_RECENT_HOUSING") == 0
                                                  ? SEV_OFF
                                                  : (int)rule_catalogue[r].severity);
    /* forward jumps only, inside their bodies; operands in range */
    char why[200];
    ck_assert_msg(prog_verify(&c.lp->P, why, sizeof why) == 0, "%s", why);
    /* and the verifier does refuse a backward jump and a stray BREAK */
    struct op save = c.lp->P.ops[5];
    c.lp->P.ops[5].code = OP_JMP;
    c.lp->P.ops[5].d = -3;
    ck_assert_int_ne(prog_verify(&c.lp->P, why, sizeof why), 0);
    c.lp->P.ops[5].code = OP_BREAK;
    c.lp->P.ops[5].a = 9;
    ck_assert_int_ne(prog_verify(&c.lp->P, why, sizeof why), 0);
    c.lp->P.ops[5] = save;
    lang_prog_free(c.lp);
    free(ref);
}
END_TEST

START_TEST(test_unknown_column)
{
    one_error("{vehicle_class} {plate_no}", "{vehicle_class} {plat_no}",
              "error: unknown name 'plat_no'", "did you mean 'plate_no'?");
    one_error("m.hukou.status = deceased", "m.hukou.statsu = deceased",
              "error: unknown column 'statsu' of hukou row", "did you mean 'status'?");
    /* a column the contract has but a set does not: take it of each element */
    one_error("count(h.members where not valid and id_no = m.id_no)",
              "count(h.members.id_no)", "error: 'id_no' of a set (of member): take it of each", NULL);
}
END_TEST

START_TEST(test_type_mismatch)
{
    one_error("held_area / h.size > max_area", "held_area / h.size > exempt_max",
              "error: cannot compare area with money", NULL);
    one_error("area_m2 * share", "area_m2 + value_yuan",
              "error: unknown name 'value_yuan'", NULL);
    one_error("m.declared_monthly_income * window_months",
              "m.declared_monthly_income * window_months + m.line * max_area",
              "error: money + area does not compile: the units differ", NULL);
    one_error("area_m2 * share", "area_m2 * area_m2",
              "error: area * area has no unit here", NULL);
    one_error("when days > max_working_days", "when days > h.applied_on",
              "error: cannot compare count with date", NULL);
    one_error("when any(v)", "when v", "error: 'when' must be a condition (true/false), not "
              "a set of vehicles", NULL);
}
END_TEST

START_TEST(test_standard_of_errors)
{
    one_error("h.standard.monthly_yuan * factor[h.program]",
              "standard_of(h.region_code, urbn).monthly_yuan * factor[h.program]",
              "error: 'urbn' is not a area_type (urban, rural)", "did you mean 'urban'?");
    one_error("h.standard.monthly_yuan * factor[h.program]",
              "standard_of(h.applied_on, urban).monthly_yuan * factor[h.program]",
              "standard_of(date, area_type): expected standard_of(region_code, urban or rural)",
              NULL);
}
END_TEST

START_TEST(test_unknown_parameter)
{
    one_error("value_yuan <= exempt_max)", "value_yuan <= exempt_maxx)",
              "error: unknown name 'exempt_maxx'", "did you mean 'exempt_max'?");
    one_error("factor[h.program]", "factr[h.program]", "error: unknown name 'factr'",
              "did you mean 'factor'?");
}
END_TEST

START_TEST(test_unused_parameter)
{
    /* the line after adult_age's, column 7 (where the name starts) */
    char *ref = reference();
    char want[100];
    snprintf(want, sizeof want, "t.policy:%d:7: error: parameter spare is never used",
             line_of(ref, "param adult_age: count = 18") + 1);
    free(ref);
    one_error("param adult_age: count = 18", "param adult_age: count = 18\nparam spare: count = 3",
              want, NULL);
}
END_TEST

START_TEST(test_rule_id_twice)
{
    char *ref = reference();
    char *src = malloc(strlen(ref) + 200);
    ck_assert_ptr_nonnull(src);
    sprintf(src, "%s\nrule Q02_NOT_IN_HUKOU quality medium\n  for member m\n  when false\n"
                 "  evidence \"again\"\n", ref);
    struct compiled c = compile(src);
    ONE_ERROR(c);
    HAS_TEXT(c, "error: rule Q02_NOT_IN_HUKOU is written twice (first on line");
    lang_prog_free(c.lp);
    free(src);
    free(ref);
}
END_TEST

START_TEST(test_catalogue)
{
    one_error("rule E07_BUSINESS cuobao high", "rule E07_BUSNESS cuobao high",
              "error: unknown rule id 'E07_BUSNESS'", "did you mean 'E07_BUSINESS'?");
    one_error("rule E07_BUSINESS cuobao high", "rule E07_BUSINESS loubao high",
              "error: E07_BUSINESS is a cuobao rule in the catalogue, not loubao", NULL);
    /* the catalogue's scope decides the unit (and so the key columns) */
    one_error("for household h where exists h.approved_on",
              "for cancelled household h where exists h.approved_on",
              "error: P01_OVERDUE is about a household in the catalogue (scope household): "
              "write 'for household h'", NULL);
}
END_TEST

START_TEST(test_enum_values)
{
    one_error("{car, truck, bus}", "{car, truck, bus, lowspeed}",
              "error: 'lowspeed' is not a vehicle_class", "did you mean 'low_speed'?");
    one_error("status = held and usage in commercial_usages",
              "status = hold and usage in commercial_usages",
              "error: 'hold' is not a property_status (held, sold)", "did you mean 'held'?");
    /* (and commercial_usages is then unused: two errors) */
    char *ref = reference();
    char *src = edit(ref, "usage in commercial_usages", "usage in business_roles");
    struct compiled c = compile(src);
    ck_assert_msg(c.lp->nerrors == 2, "%s", c.diag);
    HAS_TEXT(c, "error: this is a set of business_role; the value is a usage");
    HAS_TEXT(c, "error: parameter commercial_usages is never used");
    lang_prog_free(c.lp);
    free(src);
    free(ref);
}
END_TEST

/* on(RULE): a rule of this policy, named by its id */
START_TEST(test_rule_on)
{
    one_error("and not (on(E13_FINANCIAL_ASSETS) and", "and not (on(E13_FINANCIAL_ASSET) and",
              "error: on: no rule 'E13_FINANCIAL_ASSET' in this policy",
              "did you mean 'E13_FINANCIAL_ASSETS'?");
    one_error("and not (on(E13_FINANCIAL_ASSETS) and", "and not (on(c) and",
              "error: on: no rule 'c' in this policy", NULL);
    one_error("and not (on(E13_FINANCIAL_ASSETS) and", "and not (on(E13_FINANCIAL_ASSETS, c) and",
              "error: on(RULE) takes one rule id", NULL);
}
END_TEST

START_TEST(test_fires)
{
    /* a unit without what the rule reads: a hukou household has no program */
    char *ref = reference();
    char want[120];
    snprintf(want, sizeof want,
             "error: unknown column 'standard' of hukou household (as used at line %d)",
             line_of(ref, "and not fires E04_MULTI_HOUSING(g) and"));
    free(ref);
    one_error("and not fires E04_MULTI_HOUSING(g) and", "and not fires E09_INCOME(g) and", want,
              NULL);
    /* a rule that flags each element of a set cannot be asked */
    one_error("fires E04_MULTI_HOUSING(h) and", "fires E11_UNDECLARED_SPOUSE(h) and",
              "E11_UNDECLARED_SPOUSE flags each element of a set; fires cannot ask it", NULL);
    one_error("fires E04_MULTI_HOUSING(g)", "fires E04_MULTI_HOUSIN(g)",
              "error: fires: no rule 'E04_MULTI_HOUSIN' in this policy",
              "did you mean 'E04_MULTI_HOUSING'?");
}
END_TEST

START_TEST(test_fires_circle)
{
    char *ref = reference();
    char *a = edit(ref, "when any(m.public_servants)",
                   "when any(m.public_servants) or fires E07_BUSINESS(m)");
    char *b = edit(a, "when any(b)", "when any(b) or fires E08_PUBLIC_SERVANT(m)");
    struct compiled c = compile(b);
    ck_assert_int_eq(c.st, E_CONFIG);
    HAS_TEXT(c, "leads back to itself");
    lang_prog_free(c.lp);
    free(a);
    free(b);
    free(ref);
}
END_TEST

START_TEST(test_latest)
{
    /* a title's latest row: fine; text as the order: refused; no order: refused */
    char *ref = reference();
    char *ok = edit(ref, "let p = m.property where status = held",
                    "let p = latest(m.property by property_id, usage: registered_on, area_m2)\n"
                    "      where status = held");
    struct compiled c = compile(ok);
    ck_assert_msg(c.st == E_OK, "%s", c.diag);
    lang_prog_free(c.lp);
    free(ok);
    free(ref);
    one_error("let p = m.property where status = held",
              "let p = latest(m.property by property_id: usage, property_id) where status = held",
              "error: latest(): text cannot be an order (a date or a number)", NULL);
    one_error("let p = m.property where status = held",
              "let p = latest(m.property by property_id) where status = held",
              "error: expected ':' and the order (a date first)", NULL);
}
END_TEST

/* sorted(), yuan(), masked(): the reference uses them; their mistakes */
START_TEST(test_sorted_and_print_formats)
{
    one_error("sorted(q in h.counted by member_income(q) desc",
              "sorted(q in h.counted by q.valid desc",
              "error: sorted(): a condition (true/false) cannot be a key", NULL);
    one_error("sorted(q in h.counted by member_income(q) desc, q.id_no, q.line)",
              "sorted(q in h.counted)", "error: expected 'by' and the order", NULL);
    one_error("sorted(q in h.counted by member_income(q) desc",
              "sorted(q in window by q desc", "error: sorted() takes a set of rows", NULL);
    one_error("when count(ids) >= min_residential", "when yuan(count(ids)) >= min_residential",
              "error: yuan() only prints a value in evidence or a key", NULL);
    one_error("{yuan(income)} / {h.size}", "{yuan(h.region_code)} / {h.size}",
              "error: yuan(text): expected an amount of money", NULL);
    one_error("{masked(m.id_no)} max(", "{masked(m.line)} max(",
              "error: masked(count): expected a text", NULL);
}
END_TEST

START_TEST(test_key_refuses_line_and_params)
{
    one_error("key each v: vehicle_class, plate_no, use, value_yuan",
              "key each v: vehicle_class, plate_no, use, value_yuan, line",
              "error: a key holds the finding's own values, never a line number", NULL);
    one_error("key each v: vehicle_class, plate_no, use, value_yuan",
              "key each v: vehicle_class, plate_no, use, value_yuan, exempt_max",
              "error: a key holds the finding's own values", NULL);
}
END_TEST

/* A dated parameter is the value in force on the as-of date. */
START_TEST(test_dated_parameter)
{
    char *ref = reference();
    char *src = edit(ref, "param exempt_max: money = 30000",
                     "param exempt_max: money = 30000 from 2026-07-01: 40000.5");
    int seen[2] = {0, 0};
    const char *days[2] = {"2026-06-30", "2026-07-01"};
    for (int k = 0; k < 2; k++) {
        struct compiled c = compile_at(src, days[k]);
        ck_assert_msg(c.st == E_OK, "%s", c.diag);
        for (int i = 0; i < c.lp->P.nconsts + c.lp->P.ncregs; i++) {
            const struct vval *v = i < c.lp->P.nconsts ? &c.lp->P.consts[i]
                                                       : &c.lp->P.cregs[i - c.lp->P.nconsts];
            if (!v->p && v->n == 30000 && v->d == 1)
                seen[0] |= 1 << k;
            if (!v->p && v->n == 400005 && v->d == 10)
                seen[1] |= 1 << k;
        }
        lang_prog_free(c.lp);
    }
    ck_assert_int_eq(seen[0], 1);   /* 30000 on 2026-06-30 only */
    ck_assert_int_eq(seen[1], 2);   /* 40000.5 from 2026-07-01 */
    free(src);
    char *bad = edit(ref, "param exempt_max: money = 30000",
                     "param exempt_max: money = 30000 from 2026-07-01: 40000 from 2026-01-01: 1");
    struct compiled c = compile(bad);
    ONE_ERROR(c);
    HAS_TEXT(c, "error: dates of a parameter must increase");
    lang_prog_free(c.lp);
    free(bad);
    free(ref);
}
END_TEST

START_TEST(test_many_errors_one_pass)
{
    char *ref = reference();
    char *a = edit(ref, "{vehicle_class} {plate_no}", "{vehicle_class} {plat_no}");
    char *b = edit(a, "usage = residential: property_id", "usage = residental: property_id");
    char *c2 = edit(b, "rule E07_BUSINESS cuobao high", "rule E07_BUSINESS loubao high");
    struct compiled c = compile(c2);
    ck_assert_int_eq(c.st, E_CONFIG);
    ck_assert_msg(c.lp->nerrors == 3, "%s", c.diag);
    HAS_TEXT(c, "did you mean 'plate_no'?");
    HAS_TEXT(c, "did you mean 'residential'?");
    HAS_TEXT(c, "is a cuobao rule in the catalogue");
    ck_assert_msg(strstr(c.e.msg, "and 2 more errors") != NULL, "%s", c.e.msg);
    lang_prog_free(c.lp);
    free(a);
    free(b);
    free(c2);
    free(ref);
}
END_TEST

/* ---------- packs ---------- */

static char packdir[64];

static void pack_setup(void)
{
    snprintf(packdir, sizeof packdir, "/tmp/hedui-pack-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(packdir));
    char p[200];
    snprintf(p, sizeof p, "%s/packs", packdir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/packs/x", packdir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    char *ref = reference();
    snprintf(p, sizeof p, "%s/reference.policy", packdir);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(ref, f);
    fclose(f);
    free(ref);
}

static void pack_teardown(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", packdir);
    ck_assert_int_eq(system(cmd), 0);
}

static struct compiled pack(const char *text)
{
    char p[200];
    snprintf(p, sizeof p, "%s/packs/x/pack.policy", packdir);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    snprintf(p, sizeof p, "%s/packs/x", packdir);
    struct compiled c;
    memset(&c, 0, sizeof c);
    err_init(&c.e);
    struct lang_opts o = {as_of("2026-06-15"), 6, NULL, 0};
    c.st = lang_load_dir(&c.lp, p, &o, &c.e);
    ck_assert_ptr_nonnull(c.lp);
    c.diag = c.lp->diagnostics ? c.lp->diagnostics : "";
    return c;
}

START_TEST(test_pack_states_differences)
{
    struct compiled c = pack(
        "extends reference\n"
        "param limit: money = 80000 from 2026-07-01: 100000\n"
        "override param business_roles = {legal_rep}\n"
        "override E03_VEHICLE.v = m.vehicles where status = valid\n"
        "    and vehicle_class in vehicle_classes and use = private and value_yuan > limit\n"
        "override E03_VEHICLE.evidence = each v: \"vehicles: {vehicle_class} {plate_no} {use} "
        "value {value_yuan} > {limit} (line {line})\"\n"
        "off E06_HOUSING_AREA\n");
    ck_assert_msg(c.st == E_OK, "%s %s", c.e.msg, c.diag);
    ck_assert_int_eq(c.lp->cp.files, 2);
    ck_assert_int_eq(c.lp->P.severity[RID("E06_HOUSING_AREA")], SEV_OFF);
    ck_assert_int_eq(c.lp->P.severity[RID("E03_VEHICLE")], SEV_HIGH);
    ck_assert_int_eq(c.lp->P.nrules, n_rules - 2);   /* less E06 (and huaiyuan's E15) */
    /* exempt_uses and exempt_max of the base are no longer used: warnings */
    ck_assert_int_eq(c.lp->nwarnings, 2);
    HAS_TEXT(c, "warning: parameter exempt_uses is no longer used");
    lang_prog_free(c.lp);
}
END_TEST

/* The contract's huaiyuan and guangdong_edge packs, the parts today's
 * catalogue has: they check (warnings for the base's parameters they no
 * longer use) and turn what they should on and off. */
START_TEST(test_local_packs_check)
{
    struct compiled h = pack(
        "extends reference\n"
        "# 怀远: any valid vehicle but a disabled-mobility one, whatever its use and value\n"
        "override E03_VEHICLE.v = m.vehicles where status = valid\n"
        "    and vehicle_class != disabled_mobility\n"
        "override E03_VEHICLE.evidence = each v: \"vehicles: {vehicle_class} {plate_no} {use} "
        "value {value_yuan} (line {line})\"\n"
        "override param business_roles = {legal_rep, sole_proprietor}\n"
        "off E06_HOUSING_AREA\n");
    ck_assert_msg(h.st == E_OK, "%s %s", h.e.msg, h.diag);
    ck_assert_int_eq(h.lp->nwarnings, 3);   /* vehicle_classes, exempt_uses, exempt_max */
    ck_assert_int_eq(h.lp->P.severity[RID("E06_HOUSING_AREA")], SEV_OFF);
    lang_prog_free(h.lp);
    char p[200];
    snprintf(p, sizeof p, "%s/packs/x/pack.policy", packdir);
    unlink(p);
    struct compiled g = pack(
        "extends reference\n"
        "# 广东低保边缘: cars, trucks, buses and low-speed vehicles, whatever their use and value\n"
        "override param vehicle_classes = {car, truck, bus, low_speed}\n"
        "override E03_VEHICLE.v = m.vehicles where status = valid\n"
        "    and vehicle_class in vehicle_classes\n"
        "override E03_VEHICLE.evidence = each v: \"vehicles: {vehicle_class} {plate_no} {use} "
        "value {value_yuan} (line {line})\"\n"
        "override param commercial_usages = {commercial, office, industrial, parking}\n"
        "override param business_roles = {legal_rep, shareholder, sole_proprietor}\n");
    ck_assert_msg(g.st == E_OK, "%s %s", g.e.msg, g.diag);
    ck_assert_int_eq(g.lp->nwarnings, 2);   /* exempt_uses, exempt_max */
    ck_assert_int_eq(g.lp->P.nrules, n_rules - 1);   /* all but huaiyuan's E15 */
    lang_prog_free(g.lp);
}
END_TEST

START_TEST(test_pack_errors)
{
    struct compiled c = pack("extends reference\n"
                             "param exempt_max: money = 1\n"
                             "override param exempt_mx = 2\n"
                             "override E03_VEHICLE.w = m.vehicles\n"
                             "rule E05_COMMERCIAL_PROPERTY cuobao high\n"
                             "  for member m\n  when true\n  evidence \"x\"\n"
                             "off E66_NOTHING\n");
    ck_assert_int_eq(c.st, E_CONFIG);
    ck_assert_msg(c.lp->nerrors == 5, "%s", c.diag);
    HAS_TEXT(c, "pack.policy:2:7: error: parameter exempt_max is already declared at "
                "reference.policy:");
    HAS_TEXT(c, "write 'override param exempt_max = ...'");
    HAS_TEXT(c, "pack.policy:3:16: error: override param exempt_mx: no such parameter");
    HAS_TEXT(c, "pack.policy:4:10: error: override E03_VEHICLE.w: the rule has no let w");
    HAS_TEXT(c, "did you mean 'v'?");
    HAS_TEXT(c, "pack.policy:5:6: error: rule E05_COMMERCIAL_PROPERTY is already in "
                "reference.policy:");
    HAS_TEXT(c, "pack.policy:9:5: error: off E66_NOTHING: no such rule");
    lang_prog_free(c.lp);
}
END_TEST

START_TEST(test_pack_extends_missing)
{
    struct compiled c = pack("extends referense\n");
    ck_assert_int_eq(c.st, E_CONFIG);
    HAS_TEXT(c, "extends referense: no referense.policy beside this file");
    lang_prog_free(c.lp);
}
END_TEST

/* The compiled policy's hash (lang.h policy_hash): layout and comments
 * keep it, the as-of date and the feeds present keep it; a changed value,
 * a dated value not yet in force, a set, an evidence text change it. */
static const char *hash_of(const char *src, const char *day, char out[17])
{
    struct compiled c = compile_at(src, day);
    ck_assert_msg(c.st == E_OK, "does not compile: %s", c.diag);
    ck_assert_int_eq((int)strlen(c.lp->policy_hash), 16);
    snprintf(out, 17, "%s", c.lp->policy_hash);
    lang_prog_free(c.lp);
    return out;
}

START_TEST(test_policy_hash)
{
    char *ref = reference();
    char h0[17], h[17];
    hash_of(ref, "2026-06-15", h0);
    ck_assert_str_eq(hash_of(ref, "2026-06-15", h), h0);
    ck_assert_str_eq(hash_of(ref, "2024-02-29", h), h0);   /* another day: the same */
    /* comments, blank lines, spaces, line breaks: the same */
    char *a = edit(ref, "# ---------- parameters ----------",
                   "# ---------- parameters (a longer comment) ----------\n\n\n# 政策说明");
    char *b = edit(a, "param exempt_max: money = 30000", "param   exempt_max :  money=30000");
    char *c2 = edit(b, "  when any(v)", "\n\n      when\n  any(v)   # a comment here");
    ck_assert_str_eq(hash_of(c2, "2026-06-15", h), h0);
    /* a value, a set, a date, a text: another hash */
    char *v = edit(ref, "param exempt_max: money = 30000", "param exempt_max: money = 30000.01");
    ck_assert_str_ne(hash_of(v, "2026-06-15", h), h0);
    char *st = edit(ref, "{car, truck, bus}", "{car, truck}");
    ck_assert_str_ne(hash_of(st, "2026-06-15", h), h0);
    char *dt = edit(ref, "param exempt_max: money = 30000",
                    "param exempt_max: money = 30000 from 2030-01-01: 40000");
    char hd[17];
    hash_of(dt, "2026-06-15", hd);   /* not in force until 2030: still another policy */
    ck_assert_str_ne(hd, h0);
    ck_assert_str_eq(hash_of(dt, "2031-01-01", h), hd);
    char *tx = edit(ref, "\"hukou: no registration for this id_no", "\"hukou: no row for this id_no");
    ck_assert_str_ne(hash_of(tx, "2026-06-15", h), h0);
    char *sv = edit(ref, "rule P01_OVERDUE process low", "rule P01_OVERDUE process medium");
    ck_assert_str_ne(hash_of(sv, "2026-06-15", h), h0);
    free(ref);
    free(a);
    free(b);
    free(c2);
    free(v);
    free(st);
    free(dt);
    free(tx);
    free(sv);
}
END_TEST

/* A program for explain has trace points and verifies; one for a run has
 * none, and its ops are those of the same policy compiled without. */
START_TEST(test_trace_program)
{
    char *ref = reference();
    struct lang_opts o = {as_of("2026-06-15"), 6, NULL, 0};
    struct lang_prog *run = NULL, *tr = NULL;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(lang_load_text(&run, "t.policy", ref, strlen(ref), &o, &e), E_OK);
    o.trace = 1;
    ck_assert_int_eq(lang_load_text(&tr, "t.policy", ref, strlen(ref), &o, &e), E_OK);
    ck_assert_int_eq(run->P.ntp, 0);
    for (int i = 0; i < run->P.nops; i++)
        ck_assert_int_ne(run->P.ops[i].code, OP_TRACE);
    ck_assert_int_gt(tr->P.ntp, 100);
    int ntrace = 0;
    for (int i = 0; i < tr->P.nops; i++)
        ntrace += tr->P.ops[i].code == OP_TRACE;
    ck_assert_int_eq(ntrace, tr->P.ntp);
    char why[200];
    ck_assert_msg(prog_verify(&tr->P, why, sizeof why) == 0, "%s", why);
    /* the same policy: the same hash, traced or not */
    ck_assert_str_eq(run->policy_hash, tr->policy_hash);
    /* every condition of a when has its text as written */
    int found = 0;
    for (int i = 0; i < tr->P.ntp; i++)
        if (tr->P.tp[i].kind == TP_WHEN && tr->P.tp[i].label &&
            strcmp(tr->P.tp[i].label, "income / (window_months * h.size) > "
                                      "h.standard.monthly_yuan * factor[h.program]") == 0)
            found = 1;
    ck_assert_msg(found, "E09's when has no trace point with its text");
    lang_prog_free(run);
    lang_prog_free(tr);
    free(ref);
}
END_TEST

Suite *policy_check_suite(void)
{
    Suite *s = suite_create("policy_check");
    TCase *tc = tcase_create("check");
    tcase_add_test(tc, test_reference_compiles);
    tcase_add_test(tc, test_unknown_column);
    tcase_add_test(tc, test_type_mismatch);
    tcase_add_test(tc, test_unknown_parameter);
    tcase_add_test(tc, test_standard_of_errors);
    tcase_add_test(tc, test_unused_parameter);
    tcase_add_test(tc, test_rule_id_twice);
    tcase_add_test(tc, test_catalogue);
    tcase_add_test(tc, test_enum_values);
    tcase_add_test(tc, test_fires);
    tcase_add_test(tc, test_rule_on);
    tcase_add_test(tc, test_fires_circle);
    tcase_add_test(tc, test_key_refuses_line_and_params);
    tcase_add_test(tc, test_latest);
    tcase_add_test(tc, test_sorted_and_print_formats);
    tcase_add_test(tc, test_dated_parameter);
    tcase_add_test(tc, test_many_errors_one_pass);
    tcase_add_test(tc, test_policy_hash);
    tcase_add_test(tc, test_trace_program);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("packs");
    tcase_add_checked_fixture(tp, pack_setup, pack_teardown);
    tcase_add_test(tp, test_pack_states_differences);
    tcase_add_test(tp, test_pack_errors);
    tcase_add_test(tp, test_local_packs_check);
    tcase_add_test(tp, test_pack_extends_missing);
    suite_add_tcase(s, tp);
    return s;
}
