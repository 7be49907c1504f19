/* check_policy.c - unit tests for contract/policy.c (policy.rules, the run
 * settings, and rational_parse) and the rule catalogue.
 *
 * Owns: the policy suite.  Reads the shipped rules/policy.rules under
 * test_root(); every faulty variant is a copy with one line changed, written
 * under a mkdtemp directory in /tmp and removed by the fixture's teardown.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract/policy.h"
#include "tests.h"

/* ---------- helpers ---------- */

static char tmpdir[64];
static char tmpfile_path[128];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hedui-rules-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(tmpfile_path, sizeof tmpfile_path, "%s/policy.rules", tmpdir);
}

static void teardown(void)
{
    unlink(tmpfile_path);
    rmdir(tmpdir);
}

static void shipped_path(char *buf, size_t n)
{
    snprintf(buf, n, "%s/rules/policy.rules", test_root());
}

/* The shipped file's text (malloc'd). */
static char *shipped_text(void)
{
    char path[600];
    shipped_path(path, sizeof path);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (set HEDUI_TEST_ROOT)", path);
    char *buf = malloc(1 << 16);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void write_file(const char *text)
{
    FILE *f = fopen(tmpfile_path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
}

/* Write a copy of the shipped file in which the first line that begins with
 * `prefix` is replaced by `repl` (may hold several lines, or be "" to
 * delete it).  Returns the 1-based number of the replaced line. */
static int write_variant(const char *prefix, const char *repl)
{
    char *src = shipped_text();
    size_t plen = strlen(prefix);
    int line = 1;
    char *p = src;
    for (;;) {
        if (strncmp(p, prefix, plen) == 0)
            break;
        char *nl = strchr(p, '\n');
        ck_assert_msg(nl != NULL, "no line starts with '%s' in policy.rules", prefix);
        p = nl + 1;
        line++;
    }
    char *eol = strchr(p, '\n');
    size_t head = (size_t)(p - src);
    const char *tail = eol ? eol + 1 : "";
    size_t cap = strlen(src) + strlen(repl) + 8;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    snprintf(out, cap, "%.*s%s%s%s", (int)head, src, repl, *repl ? "\n" : "", tail);
    write_file(out);
    free(out);
    free(src);
    return line;
}

/* Load the temp file expecting failure `code` at `line`. */
static struct err load_fail(int code, long long line)
{
    struct policy p;
    struct err e;
    err_init(&e);
    int rc = policy_load(&p, tmpfile_path, &e);
    ck_assert_msg(rc == code, "policy_load returned %d (%s), want %d", rc, e.msg, code);
    ck_assert_int_eq(e.code, code);
    ck_assert_str_eq(e.in_path, tmpfile_path);
    ck_assert_msg(e.in_line == line, "error at line %lld, want %lld (%s)", e.in_line, line,
                  e.msg);
    ck_assert_int_gt((int)strlen(e.msg), 0);
    return e;
}

static void assert_rat(struct rational r, int64_t num, int64_t den)
{
    ck_assert_msg(r.den > 0, "denominator %lld", (long long)r.den);
    ck_assert_msg(r.num * den == num * r.den, "%lld/%lld != %lld/%lld", (long long)r.num,
                  (long long)r.den, (long long)num, (long long)den);
}

static int rule_index(const char *name)
{
    for (int i = 0; i < n_rules; i++)
        if (strcmp(rule_names[i], name) == 0)
            return i;
    return -1;
}

/* ---------- the shipped policy ---------- */

START_TEST(test_shipped_policy)
{
    char path[600];
    shipped_path(path, sizeof path);
    struct policy p;
    struct err e;
    err_init(&e);
    int rc = policy_load(&p, path, &e);
    ck_assert_msg(rc == E_OK, "policy_load(%s): %s", path, e.msg);
    ck_assert_int_eq(e.code, E_OK);

    ck_assert_str_eq(p.version, "2026.1");
    ck_assert_str_eq(p.path, path);
    ck_assert_uint_eq(strlen(p.hash), 16);
    ck_assert_uint_eq(strspn(p.hash, "0123456789abcdef"), 16);

    assert_rat(p.reject_limit, 5, 100);
    ck_assert_int_eq(p.income_months, 6);
    assert_rat(p.feed_drop_limit, 1, 5);
    ck_assert_int_eq(p.snapshot_max_age_days, 35);
    ck_assert_str_eq(p.rules_dir, "");   /* the caller says where the rules are */
    ck_assert_int_eq(p.n_texts, 0);

    ck_assert_int_eq(p.weight[SEV_HIGH], 3);
    ck_assert_int_eq(p.weight[SEV_MEDIUM], 2);
    ck_assert_int_eq(p.weight[SEV_LOW], 1);
    assert_rat(p.spot_ratio[PROG_DIBAO], 1, 10);
    assert_rat(p.spot_ratio[PROG_TEKUN], 3, 10);
    assert_rat(p.spot_ratio[PROG_DISHOURU], 1, 10);
}
END_TEST

START_TEST(test_catalogue)
{
    /* the shipped catalogue (check_main.c loaded rules/catalogue.rules), in
     * the contract's order: the manifest's counts */
    ck_assert_int_eq(n_rules, 23);
    ck_assert_str_eq(rule_names[0], "E01_DECEASED");
    ck_assert_str_eq(rule_names[15], "L01_CANDIDATE_ELIGIBLE");
    ck_assert_str_eq(rule_names[22], "Q05_MEMBER_ROW");
    ck_assert_int_eq(rule_find("Q03_NAME_MISMATCH", 17), 20);
    ck_assert_int_eq(rule_find("Q03_NAME_MISMATCH", 3), -1);
    ck_assert_int_eq(rule_find("E99_NOTHING", 11), -1);
    for (int i = 0; i < n_rules; i++) {
        char c = rule_names[i][0];
        enum rule_kind want = c == 'E' ? KIND_CUOBAO
                              : c == 'L' ? KIND_LOUBAO
                              : c == 'Q' ? KIND_QUALITY
                                         : KIND_PROCESS;
        ck_assert_msg(rule_kinds[i] == want, "%s has kind %d", rule_names[i], rule_kinds[i]);
    }
    /* one row per rule: its name, kind and scope (the contract's key
     * table), its optional feed, its label, the contract's severity */
    static const struct {
        const char *rule;
        enum rule_scope scope;
        int feed;
        const char *zh;
    } row[] = {
        {"E01_DECEASED", SCOPE_PERSON, RULE_NO_FEED, "成员已死亡"},
        {"E02_MOVED_OUT", SCOPE_PERSON, RULE_NO_FEED, "户籍已迁出或登记在外县"},
        {"E03_VEHICLE", SCOPE_PERSON, RULE_NO_FEED, "名下有机动车"},
        {"E04_MULTI_HOUSING", SCOPE_HOUSEHOLD, RULE_NO_FEED, "拥有多套住房"},
        {"E05_COMMERCIAL_PROPERTY", SCOPE_PERSON, RULE_NO_FEED, "拥有商业、办公或工业用房"},
        {"E06_HOUSING_AREA", SCOPE_HOUSEHOLD, RULE_NO_FEED, "人均住房面积超标"},
        {"E07_BUSINESS", SCOPE_PERSON, IN_BUSINESS, "担任企业法定代表人或股东"},
        {"E08_PUBLIC_SERVANT", SCOPE_PERSON, IN_PUBSERV, "财政供养人员"},
        {"E09_INCOME", SCOPE_HOUSEHOLD, RULE_NO_FEED, "人均收入高于标准"},
        {"E10_DUPLICATE", SCOPE_PERSON, RULE_NO_FEED, "同一人在多个救助户中"},
        {"E11_UNDECLARED_SPOUSE", SCOPE_HOUSEHOLD, RULE_NO_FEED, "配偶或未成年子女未申报"},
        {"E12_STAFF_RELATIVE", SCOPE_PERSON, IN_STAFFREL, "经办人员近亲属"},
        {"E13_FINANCIAL_ASSETS", SCOPE_HOUSEHOLD, IN_FINASSETS, "家庭金融资产超过标准"},
        {"E14_FUNERAL_RECORD", SCOPE_PERSON, IN_FUNERAL, "成员有火化或安葬记录"},
        {"E15_RECENT_HOUSING", SCOPE_HOUSEHOLD, RULE_NO_FEED, "申请前三年内购置住房"},
        {"L01_CANDIDATE_ELIGIBLE", SCOPE_CANDIDATE, IN_CANDIDATES, "疑似漏保"},
        {"L02_CANCELLED_ELIGIBLE", SCOPE_CANCELLED, RULE_NO_FEED, "注销户可能仍符合条件"},
        {"P01_OVERDUE", SCOPE_HOUSEHOLD, RULE_NO_FEED, "审批超过时限"},
        {"Q01_INVALID_ID", SCOPE_PERSON, RULE_NO_FEED, "身份证号码无效"},
        {"Q02_NOT_IN_HUKOU", SCOPE_PERSON, RULE_NO_FEED, "户籍中查无此人"},
        {"Q03_NAME_MISMATCH", SCOPE_PERSON, RULE_NO_FEED, "姓名与户籍不一致"},
        {"Q04_NO_STANDARD", SCOPE_HOUSEHOLD, RULE_NO_FEED, "区划无适用的低保标准"},
        {"Q05_MEMBER_ROW", SCOPE_PERSON, RULE_NO_FEED, "成员登记信息无法使用"},
    };
    ck_assert_int_eq((int)(sizeof row / sizeof row[0]), n_rules);
    for (size_t i = 0; i < sizeof row / sizeof row[0]; i++) {
        int r = rule_index(row[i].rule);
        ck_assert_msg(r >= 0, "rule %s not in the catalogue", row[i].rule);
        ck_assert_str_eq(rule_catalogue[r].name, row[i].rule);
        ck_assert_int_eq(rule_catalogue[r].kind, rule_kinds[r]);
        ck_assert_msg(rule_catalogue[r].scope == row[i].scope, "%s: scope %d", row[i].rule,
                      rule_catalogue[r].scope);
        ck_assert_msg(rule_catalogue[r].feed == row[i].feed, "%s: feed %d", row[i].rule,
                      rule_catalogue[r].feed);
        if (row[i].feed != RULE_NO_FEED)
            ck_assert_int_eq(feed_decls[row[i].feed].need, IN_OPTIONAL_FEED);
        ck_assert_str_eq(rule_label_zh(r), row[i].zh);
        ck_assert_msg(rule_catalogue[r].check_zh && rule_catalogue[r].check_zh[0] &&
                          rule_catalogue[r].basis_zh && rule_catalogue[r].basis_zh[0],
                      "%s: no legend", row[i].rule);
    }
    static const struct { const char *rule; int sev; } sev[] = {
        {"E02_MOVED_OUT", SEV_MEDIUM}, {"E06_HOUSING_AREA", SEV_MEDIUM},
        {"E11_UNDECLARED_SPOUSE", SEV_MEDIUM}, {"E12_STAFF_RELATIVE", SEV_LOW},
        {"E15_RECENT_HOUSING", SEV_HIGH}, {"L02_CANCELLED_ELIGIBLE", SEV_MEDIUM},
        {"P01_OVERDUE", SEV_LOW}, {"Q01_INVALID_ID", SEV_MEDIUM}, {"Q03_NAME_MISMATCH", SEV_LOW},
        {"E01_DECEASED", SEV_HIGH}, {"L01_CANDIDATE_ELIGIBLE", SEV_HIGH}};
    for (size_t i = 0; i < sizeof sev / sizeof sev[0]; i++)
        ck_assert_int_eq(rule_catalogue[rule_index(sev[i].rule)].severity, sev[i].sev);
    ck_assert_str_eq(rule_catalogue[rule_index("E03_VEHICLE")].check_zh,
                     "成员名下有在用的机动车（车辆类别、用途和价值限额见所用政策）");
    ck_assert_str_eq(rule_catalogue[rule_index("E12_STAFF_RELATIVE")].basis_zh,
                     "《国务院关于进一步加强和改进最低生活保障工作的意见》"
                     "（国发〔2012〕45号）近亲属备案制度");
    ck_assert_str_eq(rule_label_zh(-1), "");
    ck_assert_str_eq(rule_label_zh(n_rules), "");
    ck_assert_str_eq(kind_names[KIND_CUOBAO], "cuobao");
    ck_assert_str_eq(kind_names[KIND_LOUBAO], "loubao");
    ck_assert_str_eq(kind_names[KIND_QUALITY], "quality");
    ck_assert_str_eq(kind_names[KIND_PROCESS], "process");
    ck_assert_str_eq(severity_names[SEV_HIGH], "high");
    ck_assert_str_eq(severity_names[SEV_MEDIUM], "medium");
    ck_assert_str_eq(severity_names[SEV_LOW], "low");
}
END_TEST

/* The shipped catalogue's text with `from` (which must occur) replaced by
 * `to`, loaded as a new catalogue at tmpfile_path: its status; the
 * process's catalogue is the shipped one again afterwards. */
static int load_variant(const char *from, const char *to, struct err *e)
{
    char path[600];
    snprintf(path, sizeof path, "%s/rules/catalogue.rules", test_root());
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 16], out[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "'%s' not in catalogue.rules", from);
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    write_file(out);
    err_init(e);
    int st = catalogue_load_file(tmpfile_path, 1, e);
    struct err e2;
    err_init(&e2);
    ck_assert_int_eq(catalogue_load_file(path, 1, &e2), E_OK);
    return st;
}

/* A faulty catalogue is refused with file:line and the reason, and the
 * installed one stays. */
START_TEST(test_catalogue_faults)
{
    static const struct { const char *from, *to, *msg; } bad[] = {
        {"kind = loubao", "kind = lobao", "'lobao' is not cuobao, loubao, quality or process"},
        {"scope = candidate", "scope = candidates", "scope: 'candidates' is not person"},
        {"severity = low", "severity = off", "severity: 'off' is not high, medium or low"},
        {"feed = funeral.csv", "feed = hukou.csv", "feed: 'hukou.csv' is not an optional feed"},
        {"[E02_MOVED_OUT]", "[E01_DECEASED]", "rule E01_DECEASED is listed twice"},
        {"[E02_MOVED_OUT]", "[e02_moved_out]", "a rule id is 1 to 47 capital letters"},
        {"label = 审批超过时限", "labl = 审批超过时限", "unknown key 'labl' in [P01_OVERDUE]"},
        {"label = 审批超过时限", "label = 审批超过时限\nlabel = x", "'label' in [P01_OVERDUE] is set twice"},
        {"label = 审批超过时限\n", "", "[P01_OVERDUE] has no 'label'"},
        {"check = 救助名册中的姓名与户籍姓名不一致", "check =", "[Q03_NAME_MISMATCH] check: empty"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct err e;
        int st = load_variant(bad[i].from, bad[i].to, &e);
        ck_assert_msg(st == E_CONFIG, "'%s': %d", bad[i].to, st);
        ck_assert_msg(strstr(e.msg, bad[i].msg) != NULL, "'%s': %s", bad[i].to, e.msg);
        ck_assert_str_eq(e.in_path, tmpfile_path);
        ck_assert_int_gt(e.in_line, 0);
        ck_assert_int_eq(n_rules, 23);   /* the installed one stays */
        ck_assert_str_eq(rule_names[0], "E01_DECEASED");
    }
    /* a good variant replaces the installed one; another cannot be accepted */
    struct err e;
    write_file("[X01_ONE]\nkind = quality\nscope = person\nseverity = low\nfeed =\n"
               "label = 一\ncheck = 一\nbasis = 一\n");
    err_init(&e);
    ck_assert_int_eq(catalogue_accept_text("other", "[X01_ONE]\n", 10, &e), E_CONFIG);
    ck_assert_msg(strstr(e.msg, "another rule catalogue") != NULL, "%s", e.msg);
    err_init(&e);
    ck_assert_int_eq(catalogue_load_file(tmpfile_path, 1, &e), E_OK);
    ck_assert_int_eq(n_rules, 1);
    ck_assert_str_eq(rule_names[0], "X01_ONE");
    ck_assert_int_eq(rule_catalogue[0].kind, KIND_QUALITY);
    /* a pack's directory finds its base's catalogue */
    char dir[600];
    snprintf(dir, sizeof dir, "%s/rules/packs/sixian", test_root());
    err_init(&e);
    ck_assert_msg(catalogue_load_dir(dir, 1, &e) == E_OK, "%s", e.msg);
    ck_assert_int_eq(n_rules, 23);
    err_init(&e);
    ck_assert_int_eq(catalogue_load_dir("/tmp/hedui-no-such-dir", 1, &e), E_CONFIG);
    ck_assert_msg(strstr(e.msg, "no rule catalogue") != NULL, "%s", e.msg);
}
END_TEST

/* Skip notes name every rule whose feed has a reason, in catalogue order,
 * and nothing else. */
START_TEST(test_skip_notes)
{
    struct skip_notes s;
    const char *why[N_INPUT] = {0};
    rule_skip_notes(&s, why);
    ck_assert_int_eq(s.n, 0);
    ck_assert_ptr_null(s.list[0]);

    why[IN_BUSINESS] = "absent";
    why[IN_CANDIDATES] = "absent";
    why[IN_HUKOU] = "absent";   /* no rule needs hukou as an optional feed */
    rule_skip_notes(&s, why);
    ck_assert_int_eq(s.n, 2);
    ck_assert_str_eq(s.list[0], "E07_BUSINESS: business.csv absent");
    ck_assert_str_eq(s.list[1], "L01_CANDIDATE_ELIGIBLE: candidates.csv absent");
    ck_assert_ptr_null(s.list[2]);

    /* every optional feed missing: one note per rule that needs one */
    int want = 0;
    for (int f = 0; f < N_INPUT; f++)
        why[f] = feed_decls[f].need == IN_OPTIONAL_FEED ? "absent when the snapshot was built" : NULL;
    for (int r = 0; r < n_rules; r++)
        want += rule_catalogue[r].feed != RULE_NO_FEED;
    rule_skip_notes(&s, why);
    ck_assert_int_eq(s.n, want);
    ck_assert_str_eq(s.list[1], "E08_PUBLIC_SERVANT: public_servants.csv absent when the "
                                "snapshot was built");
    ck_assert_ptr_null(s.list[want]);
}
END_TEST

/* A copy of the shipped file unchanged loads; a changed value changes the
 * policy (no recompiling); CRLF line ends and trailing comments are fine. */
START_TEST(test_variant_values)
{
    struct policy p;
    struct err e;

    write_variant("dishouru = 10%", "dishouru = 17.5%   # trailing comment");
    err_init(&e);
    ck_assert_int_eq(policy_load(&p, tmpfile_path, &e), E_OK);
    assert_rat(p.spot_ratio[PROG_DISHOURU], 7, 40);
    assert_rat(p.spot_ratio[PROG_DIBAO], 1, 10);   /* dibao untouched */

    write_variant("snapshot_max_age_days = 35", "  snapshot_max_age_days   =   20  ");
    err_init(&e);
    ck_assert_int_eq(policy_load(&p, tmpfile_path, &e), E_OK);
    ck_assert_int_eq(p.snapshot_max_age_days, 20);

    write_variant("feed_drop_limit", "feed_drop_limit = 12.5%");
    err_init(&e);
    ck_assert_int_eq(policy_load(&p, tmpfile_path, &e), E_OK);
    assert_rat(p.feed_drop_limit, 1, 8);

    write_variant("reject_limit", "reject_limit = 0.02");
    err_init(&e);
    ck_assert_int_eq(policy_load(&p, tmpfile_path, &e), E_OK);
    assert_rat(p.reject_limit, 1, 50);

    /* CRLF line ends throughout */
    char *src = shipped_text();
    size_t n = strlen(src);
    char *crlf = malloc(2 * n + 1);
    ck_assert_ptr_nonnull(crlf);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '\n')
            crlf[k++] = '\r';
        crlf[k++] = src[i];
    }
    crlf[k] = '\0';
    write_file(crlf);
    free(crlf);
    free(src);
    err_init(&e);
    ck_assert_msg(policy_load(&p, tmpfile_path, &e) == E_OK, "CRLF: %s", e.msg);
    ck_assert_str_eq(p.version, "2026.1");
    ck_assert_int_eq(p.weight[SEV_LOW], 1);
    ck_assert_int_eq(p.snapshot_max_age_days, 35);
    assert_rat(p.spot_ratio[PROG_TEKUN], 3, 10);
}
END_TEST

/* The sections of the rules' numbers and severities, which policy.rules
 * once held, are refused with a pointer to the .policy file: a number
 * changed there would silently change nothing. */
START_TEST(test_rule_sections_refused)
{
    int line = write_variant("[weights]", "[severity]\nE12_STAFF_RELATIVE = off\n[weights]");
    struct err e = load_fail(E_CONFIG, line);
    ck_assert_ptr_nonnull(strstr(e.msg, "[severity]"));
    ck_assert_ptr_nonnull(strstr(e.msg, ".policy file"));
    line = write_variant("[weights]", "[E03_VEHICLE]\nexempt_max_value_yuan = 30000\n[weights]");
    e = load_fail(E_CONFIG, line);
    ck_assert_ptr_nonnull(strstr(e.msg, "[E03_VEHICLE]"));
    line = write_variant("[weights]", "[factor]\ndibao = 1.0\n[weights]");
    load_fail(E_CONFIG, line);
}
END_TEST

/* ---------- one fault per copy ---------- */

START_TEST(test_unknown_key)
{
    int line = write_variant("window_months", "window_months = 6\nwindow_month = 6");
    struct err e = load_fail(E_CONFIG, line + 1);
    ck_assert_ptr_nonnull(strstr(e.msg, "window_month"));
    ck_assert_ptr_nonnull(strstr(e.msg, "income"));
}
END_TEST

START_TEST(test_key_of_other_section)
{
    /* window_months exists, but not in [weights] */
    int line = write_variant("low = 1", "low = 1\nwindow_months = 6");
    struct err e = load_fail(E_CONFIG, line + 1);
    ck_assert_ptr_nonnull(strstr(e.msg, "window_months"));
}
END_TEST

START_TEST(test_unknown_section)
{
    int line = write_variant("[income]", "[incme]");
    struct err e = load_fail(E_CONFIG, line);
    ck_assert_ptr_nonnull(strstr(e.msg, "incme"));
}
END_TEST

START_TEST(test_repeated_key)
{
    int line = write_variant("low = 1", "low = 1\nlow = 2");
    struct err e = load_fail(E_CONFIG, line + 1);
    ck_assert_ptr_nonnull(strstr(e.msg, "low"));
}
END_TEST

START_TEST(test_repeated_ratio_key)
{
    int line = write_variant("tekun = 30%", "tekun = 30%\ntekun = 20%");
    struct err e = load_fail(E_CONFIG, line + 1);
    ck_assert_ptr_nonnull(strstr(e.msg, "tekun"));
}
END_TEST

START_TEST(test_bad_number)
{
    static const struct { const char *prefix, *repl; } bad[] = {
        {"snapshot_max_age_days", "snapshot_max_age_days = 15x"},
        {"snapshot_max_age_days", "snapshot_max_age_days = "},
        {"snapshot_max_age_days", "snapshot_max_age_days = 1.5"},
        {"snapshot_max_age_days", "snapshot_max_age_days = -18"},
        {"window_months", "window_months = six"},
        {"feed_drop_limit", "feed_drop_limit = 3e4"},
        {"dishouru = 10%", "dishouru = 1.5.0"},
        {"reject_limit", "reject_limit = five percent"},
        {"high = 3", "high = 3 3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int line = write_variant(bad[i].prefix, bad[i].repl);
        struct policy p;
        struct err e;
        err_init(&e);
        int rc = policy_load(&p, tmpfile_path, &e);
        ck_assert_msg(rc == E_CONFIG, "'%s' gave %d", bad[i].repl, rc);
        ck_assert_msg(e.in_line == line, "'%s': line %lld, want %d", bad[i].repl, e.in_line,
                      line);
        ck_assert_str_eq(e.in_path, tmpfile_path);
    }
}
END_TEST

START_TEST(test_out_of_range)
{
    int line = write_variant("window_months", "window_months = 0");
    load_fail(E_CONFIG, line);
    line = write_variant("reject_limit", "reject_limit = 101%");
    load_fail(E_CONFIG, line);
}
END_TEST

START_TEST(test_missing_key)
{
    write_variant("snapshot_max_age_days", "");
    struct policy p;
    struct err e;
    err_init(&e);
    int rc = policy_load(&p, tmpfile_path, &e);
    ck_assert_int_eq(rc, E_CONFIG);
    ck_assert_str_eq(e.in_path, tmpfile_path);
    ck_assert_ptr_nonnull(strstr(e.msg, "snapshot_max_age_days"));

    write_variant("tekun = 30%", "");
    err_init(&e);
    ck_assert_int_eq(policy_load(&p, tmpfile_path, &e), E_CONFIG);
    ck_assert_str_eq(e.in_path, tmpfile_path);
    ck_assert_ptr_nonnull(strstr(e.msg, "tekun"));

    /* a whole section missing */
    write_file("[policy]\nversion = 1\n");
    err_init(&e);
    ck_assert_int_eq(policy_load(&p, tmpfile_path, &e), E_CONFIG);
    ck_assert_str_eq(e.in_path, tmpfile_path);
    ck_assert_ptr_nonnull(strstr(e.msg, "missing"));

    /* an empty file */
    write_file("");
    err_init(&e);
    ck_assert_int_eq(policy_load(&p, tmpfile_path, &e), E_CONFIG);
    ck_assert_str_eq(e.in_path, tmpfile_path);
}
END_TEST

START_TEST(test_key_before_section)
{
    char *src = shipped_text();
    size_t cap = strlen(src) + 64;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    snprintf(out, cap, "# header comment\nhigh = 3\n%s", src);
    write_file(out);
    free(out);
    free(src);
    struct err e = load_fail(E_CONFIG, 2);
    ck_assert_ptr_nonnull(strstr(e.msg, "high"));
}
END_TEST

START_TEST(test_malformed_section)
{
    int line = write_variant("[income]", "[income");
    load_fail(E_CONFIG, line);
    line = write_variant("[income]", "[income] window_months = 6");
    load_fail(E_CONFIG, line);
    line = write_variant("[weights]", "weights]");
    load_fail(E_CONFIG, line);
    /* not key = value */
    line = write_variant("window_months", "window_months 6");
    load_fail(E_CONFIG, line);
}
END_TEST

START_TEST(test_missing_file)
{
    struct policy p;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(policy_load(&p, "/tmp/hedui-no-such-dir/policy.rules", &e), E_NOINPUT);
    ck_assert_int_eq(e.code, E_NOINPUT);
}
END_TEST

/* ---------- rational_parse ---------- */

START_TEST(test_rational_parse)
{
    struct rational r;
    ck_assert_int_eq(rational_parse("1.5", &r), 0);
    assert_rat(r, 3, 2);
    ck_assert_int_eq(rational_parse("10%", &r), 0);
    assert_rat(r, 1, 10);
    ck_assert_int_eq(rational_parse("0.05", &r), 0);
    assert_rat(r, 1, 20);
    ck_assert_int_eq(rational_parse("5%", &r), 0);
    assert_rat(r, 1, 20);
    ck_assert_int_eq(rational_parse("1", &r), 0);
    assert_rat(r, 1, 1);
    ck_assert_int_eq(rational_parse("0", &r), 0);
    assert_rat(r, 0, 1);
    ck_assert_int_eq(rational_parse("100%", &r), 0);
    assert_rat(r, 1, 1);
    ck_assert_int_eq(rational_parse("12.5%", &r), 0);
    assert_rat(r, 1, 8);
    ck_assert_int_eq(rational_parse("0.333333", &r), 0);
    assert_rat(r, 333333, 1000000);
    ck_assert_int_eq(rational_parse("10 %", &r), 0);
    assert_rat(r, 1, 10);

    static const char *const bad[] = {"", "%", "abc", "-1", "-5%", "1.2.3", "1e3", "0.1234567",
                                      "10%%", "1/2", " 1", "1 ", "%10", "0x1", ".5", "5.",
                                      "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rational z = {7, 9};
        ck_assert_msg(rational_parse(bad[i], &z) == -1, "'%s' parsed", bad[i]);
        ck_assert_msg(z.num == 7 && z.den == 9, "'%s' wrote *out on failure", bad[i]);
    }
}
END_TEST

Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("policy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_shipped_policy);
    tcase_add_test(tc, test_catalogue);
    tcase_add_test(tc, test_catalogue_faults);
    tcase_add_test(tc, test_skip_notes);
    tcase_add_test(tc, test_variant_values);
    tcase_add_test(tc, test_rule_sections_refused);
    tcase_add_test(tc, test_unknown_key);
    tcase_add_test(tc, test_key_of_other_section);
    tcase_add_test(tc, test_unknown_section);
    tcase_add_test(tc, test_repeated_key);
    tcase_add_test(tc, test_repeated_ratio_key);
    tcase_add_test(tc, test_bad_number);
    tcase_add_test(tc, test_out_of_range);
    tcase_add_test(tc, test_missing_key);
    tcase_add_test(tc, test_key_before_section);
    tcase_add_test(tc, test_malformed_section);
    tcase_add_test(tc, test_missing_file);
    suite_add_tcase(s, tc);
    TCase *tr = tcase_create("rational");
    tcase_add_test(tr, test_rational_parse);
    suite_add_tcase(s, tr);
    return s;
}
