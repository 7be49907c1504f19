/* check_policy_parse.c - the rules language's lexer, parser and messages.
 *
 * Owns: the policy_parse suite.  Each test parses a small text (or the
 * shipped rules/reference.policy) with parse_file() and looks at the syntax
 * tree or at the rendered diagnostics: every error of a file in one pass,
 * file:line:col, the caret under the word by display width when Chinese
 * text comes before it on the line, hints for full-width punctuation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ast.h"
#include "tests.h"

struct parsed {
    struct lang L;
    struct policy_ast *a;
    char *text;   /* rendered diagnostics */
};

static struct parsed *parse(const char *src)
{
    struct parsed *p = calloc(1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    lang_init(&p->L);
    int f = lang_add_source(&p->L, "t.policy", src, strlen(src));
    ck_assert_int_eq(f, 0);
    p->a = parse_file(&p->L, f);
    ck_assert_ptr_nonnull(p->a);
    p->text = lang_render(&p->L);
    ck_assert_ptr_nonnull(p->text);
    return p;
}

static void done(struct parsed *p)
{
    free(p->text);
    lang_free(&p->L);
    free(p);
}

static char *slurp(const char *rel)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", test_root(), rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (set HEDUI_TEST_ROOT)", path);
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

#define HAS_TEXT(p, s) \
    ck_assert_msg(strstr((p)->text, (s)) != NULL, "want '%s' in:\n%s", (s), (p)->text)

START_TEST(test_reference_parses)
{
    char *src = slurp("rules/reference.policy");
    struct parsed *p = parse(src);
    ck_assert_msg(p->L.nerrors == 0, "%s", p->text);
    ck_assert_int_eq(p->a->nrules, 22);
    ck_assert_int_ge(p->a->nparams, 10);
    ck_assert_int_ge(p->a->ndefines, 3);
    /* E03: a let, a when, one each-piece of evidence, one each-key */
    const struct rule_ast *r = NULL;
    for (int i = 0; i < p->a->nrules; i++)
        if (p->a->rules[i]->idlen == 11 && memcmp(p->a->rules[i]->id, "E03_VEHICLE", 11) == 0)
            r = p->a->rules[i];
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->unit, U_MEMBER);
    ck_assert_int_eq(r->nlets, 1);
    ck_assert_int_eq(r->nev, 1);
    ck_assert_int_eq(r->evidence[0]->kind, N_EACH);
    ck_assert_int_eq(r->nkey, 1);
    ck_assert_int_eq(r->key[0]->kind, N_EACH);
    ck_assert_int_eq(r->key[0]->nv, 4);
    done(p);
    free(src);
}
END_TEST

START_TEST(test_every_error_in_one_pass)
{
    const char *src =
        "param a: money = 30000\n"
        "rule E01_DECEASED cuobao high\n"
        "  for member m where m.valid\n"
        "  when m.hukou.status = = deceased\n"          /* line 4: a value expected */
        "  evidence \"x\"\n"
        "rule E02_MOVED_OUT cuobao medium\n"
        "  for member m\n"
        "  whn m.valid\n"                               /* line 8: not a clause */
        "  evidence \"x\"\n"
        "rule E03_VEHICLE cuobao hihg\n"                /* line 10: severity */
        "  for member m\n"
        "  when any(m.vehicles\n"                       /* line 12: ')' missing */
        "  evidence \"x\"\n";
    struct parsed *p = parse(src);
    ck_assert_int_eq(p->L.nerrors, 4);
    HAS_TEXT(p, "t.policy:4:25: error: expected a value, found '='");
    HAS_TEXT(p, "t.policy:8:3: error: 'whn' is not a clause of a rule");
    HAS_TEXT(p, "did you mean 'when'?");
    HAS_TEXT(p, "t.policy:10:25: error: expected a severity: high, medium, low or off, found 'hihg'");
    HAS_TEXT(p, "did you mean 'high'?");
    HAS_TEXT(p, "t.policy:13:3: error: expected ')' to close the aggregate, found 'evidence'");
    /* and the rules after each error were still read */
    ck_assert_int_eq(p->a->nrules, 3);
    done(p);
}
END_TEST

/* The caret stands under the word in a terminal: a CJK character is two
 * cells wide, so the padding is wider than the column number. */
START_TEST(test_caret_after_chinese)
{
    const char *src = "rule E01_DECEASED cuobao high\n"
                      "  for member m\n"
                      "  when \"户籍\" = \"户籍\" andd m.valid\n"
                      "  evidence \"死亡\"\n";
    struct parsed *p = parse(src);
    ck_assert_int_eq(p->L.nerrors, 1);
    /* 'andd' is the 20th code point of the line: column 20 */
    HAS_TEXT(p, "t.policy:3:20: error:");
    /* 19 code points before it, four of them CJK: 23 cells, then 4 carets */
    const char *caret = strstr(p->text, "\n   | ");
    ck_assert_ptr_nonnull(caret);
    caret += 6;
    int spaces = 0;
    while (caret[spaces] == ' ')
        spaces++;
    ck_assert_int_eq(spaces, 23);
    ck_assert_int_eq(strncmp(caret + spaces, "^^^^\n", 5), 0);
    done(p);
}
END_TEST

START_TEST(test_fullwidth_punctuation)
{
    const char *src = "param s: set of usage = {commercial， office}\n";
    struct parsed *p = parse(src);
    ck_assert_int_ge(p->L.nerrors, 1);
    HAS_TEXT(p, "t.policy:1:36: error: full-width '，' is not part of the language");
    HAS_TEXT(p, "type the ASCII ',' instead");
    done(p);
}
END_TEST

START_TEST(test_strings_and_holes)
{
    const char *src =
        "rule E01_DECEASED cuobao high\n"
        "  for member m\n"
        "  when true\n"
        "  evidence \"a {{b}} {m.name} {if m.valid then 'x {m.line}' else \"y\"} c\",\n"
        "           \"not closed\n";
    struct parsed *p = parse(src);
    ck_assert_int_eq(p->L.nerrors, 1);
    HAS_TEXT(p, "t.policy:5:12: error: this string is not closed on its line");
    const struct rule_ast *r = p->a->rules[0];
    ck_assert_int_ge(r->nev, 1);
    const struct node *t = r->evidence[0];
    ck_assert_int_eq(t->kind, N_TEMPLATE);
    /* "a {b} ", m.name, " ", if, " c" */
    ck_assert_int_eq(t->nv, 5);
    ck_assert_int_eq(t->v[0]->kind, N_TEXT);
    ck_assert_int_eq((int)t->v[0]->slen, 6);
    ck_assert_int_eq(memcmp(t->v[0]->s, "a {b} ", 6), 0);
    ck_assert_int_eq(t->v[1]->kind, N_FIELD);
    ck_assert_int_eq(t->v[3]->kind, N_IF);
    ck_assert_int_eq(t->v[3]->b->kind, N_TEMPLATE);   /* 'x {m.line}' */
    ck_assert_int_eq(t->v[3]->b->nv, 2);
    /* a hole's position is exact: the column name of m.name is on line 4,
     * column 24 (where "unknown column" points) */
    ck_assert_int_eq((int)t->v[1]->pos.line, 4);
    ck_assert_int_eq(lang_column(&p->L, t->v[1]->pos, NULL), 24);
    done(p);
}
END_TEST

START_TEST(test_numbers_dates_params)
{
    const char *src = "param f: ratio by program = {dibao: 1.0, tekun: 10%, dishouru: 1.5}\n"
                      "param lim: money = 80000 from 2026-07-01: 100000 from 2027-01-01: 120000.5\n"
                      "param bad: date = 2026-02-30\n";
    struct parsed *p = parse(src);
    ck_assert_int_eq(p->L.nerrors, 1);
    HAS_TEXT(p, "t.policy:3:19: error: 2026-02-30 is not a real date");
    ck_assert_int_eq(p->a->nparams, 3);
    const struct param_ast *f = p->a->params[0];
    ck_assert_ptr_nonnull(f->by);
    ck_assert_int_eq(f->values[0]->kind, N_MAPLIT);
    ck_assert_int_eq(f->values[0]->nv, 3);
    const struct node *tekun = f->values[0]->v[1]->a;
    ck_assert_int_eq((int)tekun->num, 10);
    ck_assert_int_eq((int)tekun->den, 100);
    const struct param_ast *l = p->a->params[1];
    ck_assert_int_eq(l->nvalues, 3);
    ck_assert_int_eq((int)l->values[2]->num, 1200005);
    ck_assert_int_eq((int)l->values[2]->den, 10);
    ck_assert_int_lt(l->dates[1], l->dates[2]);
    done(p);
}
END_TEST

START_TEST(test_pack_items)
{
    const char *src = "extends reference\n"
                      "param limit: money = 80000\n"
                      "override param business_roles = {legal_rep}\n"
                      "override E03_VEHICLE.v = m.vehicles where use = private\n"
                      "override E03_VEHICLE.evidence = each v: \"{plate_no}\"\n"
                      "override E07_BUSINESS.severity = low\n"
                      "off E06_HOUSING_AREA\n";
    struct parsed *p = parse(src);
    ck_assert_msg(p->L.nerrors == 0, "%s", p->text);
    ck_assert_ptr_nonnull(p->a->extends);
    ck_assert_int_eq(p->a->nparams, 2);
    ck_assert_int_eq(p->a->params[1]->is_override, 1);
    ck_assert_int_eq(p->a->noverrides, 3);
    ck_assert_int_eq(p->a->overrides[0]->what, OV_LET);
    ck_assert_int_eq(p->a->overrides[1]->what, OV_EVIDENCE);
    ck_assert_int_eq(p->a->overrides[2]->what, OV_SEVERITY);
    ck_assert_int_eq(p->a->noffs, 1);
    done(p);
}
END_TEST

/* A string left open inside a hole at the very end of the file (a fuzz
 * find, kept in tests/fuzz/regressions): the hole's tokens stay inside the
 * file, every error too. */
START_TEST(test_open_string_in_hole_at_eof)
{
    char *src = slurp("tests/fuzz/regressions/fuzz_policy/unclosed_string_in_hole_at_eof");
    struct parsed *p = parse(src);
    ck_assert_int_ge(p->L.nerrors, 1);
    for (int i = 0; i < p->L.ndiags; i++)
        ck_assert_uint_le(p->L.diags[i].pos.off, strlen(src));
    done(p);
    free(src);
}
END_TEST

/* Comparisons do not chain, and an aggregate with where takes what follows. */
START_TEST(test_chained_comparison)
{
    const char *src = "rule E01_DECEASED cuobao high\n"
                      "  for member m\n"
                      "  when 1 < m.line < 3\n"
                      "  evidence \"x\"\n";
    struct parsed *p = parse(src);
    ck_assert_int_eq(p->L.nerrors, 1);
    HAS_TEXT(p, "t.policy:3:19: error: comparisons do not chain");
    done(p);
}
END_TEST

Suite *policy_parse_suite(void)
{
    Suite *s = suite_create("policy_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_reference_parses);
    tcase_add_test(tc, test_every_error_in_one_pass);
    tcase_add_test(tc, test_caret_after_chinese);
    tcase_add_test(tc, test_fullwidth_punctuation);
    tcase_add_test(tc, test_strings_and_holes);
    tcase_add_test(tc, test_numbers_dates_params);
    tcase_add_test(tc, test_pack_items);
    tcase_add_test(tc, test_chained_comparison);
    tcase_add_test(tc, test_open_string_in_hole_at_eof);
    suite_add_tcase(s, tc);
    return s;
}
