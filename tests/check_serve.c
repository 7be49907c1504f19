/* check_serve.c - the modules of src/serve/ without a socket (issue 21):
 * request.c (JSON to the contract's CSV, refusals naming the field),
 * auth.c (the tokens file, bearer tokens), accesslog.c (mode, key, keyed
 * hash, reopen, a cut line), snapref.c (a reference survives a swap; a
 * damaged snapshot is refused and the old one stays).  The HTTP side and
 * the page are tests/serve_test.sh's. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/utf8.h"
#include "engine/join.h"
#include "pipeline.h"
#include "serve/accesslog.h"
#include "serve/auth.h"
#include "serve/request.h"
#include "serve/snapref.h"
#include "snapshot/snapshot.h"
#include "tests.h"

static const struct serve_limits lim = {1 << 20, 3, 4, 100, 10, 512};

#define HH "\"household_id\":\"A1\",\"region_code\":\"610102001001\",\"program\":\"dibao\"," \
           "\"area_type\":\"urban\",\"status\":\"applying\",\"applied_on\":\"2026-06-01\","   \
           "\"monthly_benefit\":\"0\""
#define MEM(id, name, inc)                                                              \
    "{\"id_no\":\"" id "\",\"name\":\"" name "\",\"relation\":\"head\","              \
    "\"declared_monthly_income\":\"" inc "\",\"work_ability\":\"full\",\"disability_grade\":\"0\"}"

static int parse(const char *body, struct serve_request *rq, struct serve_bad *bad)
{
    return serve_request_parse(body, strlen(body), &lim, rq, bad);
}

START_TEST(test_request_csv)
{
    struct serve_request rq;
    struct serve_bad bad;
    const char *body = "{\"reason\":\"case 7\",\"as_of\":\"2026-06-15\",\"households\":[{" HH
                       ",\"members\":[" MEM("610102196504121017", "张,\\\"三\\\"", "1,200") "]}]}";
    ck_assert_int_eq(parse(body, &rq, &bad), 0);
    ck_assert_str_eq(rq.reason, "case 7");
    ck_assert_int_eq(rq.has_as_of, 1);
    ck_assert_int_eq(rq.as_of, date_from_ymd(2026, 6, 15));
    ck_assert_str_eq(rq.hh_csv, "household_id,region_code,program,area_type,status,applied_on,"
                                "approved_on,monthly_benefit,caseworker_id\n"
                                "A1,610102001001,dibao,urban,applying,2026-06-01,,0,\n");
    /* quoted only where RFC 4180 needs it, quotes doubled; the bad income
     * goes through as written (the check judges it) */
    ck_assert_str_eq(rq.mem_csv, "household_id,id_no,name,relation,declared_monthly_income,"
                                 "work_ability,disability_grade\n"
                                 "A1,610102196504121017,\"张,\"\"三\"\"\",head,\"1,200\",full,0\n");
    ck_assert_int_eq(rq.n_hh, 1);
    ck_assert_int_eq(rq.n_ids, 1);
    ck_assert_str_eq(rq.ids[0], "610102196504121017");
    serve_request_free(&rq);
}
END_TEST

static const struct {
    const char *body;
    int status;
    const char *field;
} refusals[] = {
    {"", 400, "body"},
    {"[1]", 400, "body"},
    {"{\"reason\":\"r\"}", 400, "households"},
    {"{\"reason\":\"r\",\"households\":{}}", 400, "households"},
    {"{\"reason\":\"r\",\"households\":[]}", 400, "households"},
    {"{\"reason\":\"r\",\"households\":[1]}", 400, "households[0]"},
    {"{\"reason\":\"r\",\"households\":[{" HH "}]}", 400, "households[0].members"},
    {"{\"reason\":\"r\",\"households\":[{" HH ",\"members\":[],\"x\":\"1\"}]}", 400,
     "households[0].x"},
    {"{\"reason\":\"r\",\"households\":[{" HH ",\"members\":[{\"id_no\":\"1\"}]}]}", 400,
     "households[0].members[0].relation"},
    {"{\"reason\":\"r\",\"households\":[{" HH ",\"members\":[" MEM("1", "a", "1") "," MEM(
         "2", "b", "1") "," MEM("3", "c", "1") "," MEM("4", "d", "1") "," MEM("5", "e", "1") "]}]}",
     400, "households[0].members"},
    {"{\"reason\":\"r\",\"households\":[{" HH ",\"members\":[]},{" HH ",\"members\":[]}]}", 400,
     "households[1].household_id"},
    {"{\"reason\":\"r\",\"households\":[{},{},{},{}]}", 413, "households"},
    {"{\"reason\":\"r\",\"as_of\":\"2026-02-30\",\"households\":[{" HH ",\"members\":[]}]}", 400,
     "as_of"},
    {"{\"reason\":\"r\",\"reason\":\"s\",\"households\":[]}", 400, "body"},
    {"{\"reason\":7,\"households\":[]}", 400, "reason"},
    {"{\"reason\":\"r\",\"households\":[{" HH ",\"members\":[{\"household_id\":\"B2\",\"id_no\":"
     "\"1\",\"relation\":\"head\",\"declared_monthly_income\":\"1\",\"work_ability\":\"full\","
     "\"disability_grade\":\"0\"}]}]}",
     400, "households[0].members[0].household_id"},
    {"{\"reason\":\"r\",\"households\":[{" HH ",\"members\":[{\"id_no\":\"1\\t2\",\"relation\":"
     "\"head\",\"declared_monthly_income\":\"1\",\"work_ability\":\"full\",\"disability_grade\":"
     "\"0\"}]}]}",
     400, "households[0].members[0].id_no"},
};

START_TEST(test_request_refusals)
{
    struct serve_request rq;
    struct serve_bad bad;
    int st = parse(refusals[_i].body, &rq, &bad);
    ck_assert_msg(st == refusals[_i].status, "case %d: status %d, want %d (%s: %s)", _i, st,
                  refusals[_i].status, bad.field, bad.reason);
    ck_assert_str_eq(bad.field, refusals[_i].field);
    ck_assert(bad.reason[0] != '\0');
    serve_request_free(&rq);
}
END_TEST

/* A body that is not JSON, quoted back in the refusal: jansson shows the
 * bytes near the error as they are, here the first byte of a two-byte
 * character; the refusal must still be valid UTF-8 (the answer is JSON). */
START_TEST(test_request_refusal_utf8)
{
    struct serve_request rq;
    struct serve_bad bad;
    const char body[] = "{\"reason\":\"a\\u00\xd0\x9a" "0\",\"households\":[]}";
    ck_assert_int_eq(serve_request_parse(body, sizeof body - 1, &lim, &rq, &bad), 400);
    ck_assert_str_eq(bad.field, "body");
    ck_assert_msg(strstr(bad.reason, "invalid escape") != NULL, "%s", bad.reason);
    for (size_t i = 0, n = strlen(bad.reason); i < n;) {
        uint32_t cp;
        size_t k = utf8_decode((const unsigned char *)bad.reason + i, n - i, &cp);
        ck_assert_msg(k > 0, "byte %zu of the reason is not UTF-8: %s", i, bad.reason);
        i += k;
    }
    serve_request_free(&rq);
}
END_TEST

START_TEST(test_request_body_limit)
{
    struct serve_limits small = lim;
    small.max_body = 10;
    struct serve_request rq;
    struct serve_bad bad;
    const char *body = "{\"reason\":\"r\",\"households\":[]}";
    ck_assert_int_eq(serve_request_parse(body, strlen(body), &small, &rq, &bad), 413);
    ck_assert_str_eq(bad.field, "body");
    serve_request_free(&rq);
}
END_TEST

/* ---------- auth ---------- */

static char tdir[64];

static void tmp_setup(void)
{
    snprintf(tdir, sizeof tdir, "/tmp/hedui-chserve-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tdir));
}

static void tmp_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

START_TEST(test_tokens)
{
    char path[128], line[80], text[300];
    snprintf(path, sizeof path, "%s/tokens", tdir);
    auth_token_line("correct horse battery", 21, line, sizeof line);
    ck_assert_int_eq((int)strlen(line), 7 + 64);
    snprintf(text, sizeof text, "# comment\n\ncw-01 %s\n", line);
    write_file(path, text, 0600);
    struct serve_auth a;
    memset(&a, 0, sizeof a);
    struct err e;
    err_init(&e);
    ck_assert_int_eq(auth_load_tokens(&a, path, &e), E_OK);
    ck_assert_int_eq(a.have_tokens, 1);
    ck_assert_str_eq(auth_bearer(&a, "Bearer correct horse battery"), "cw-01");
    ck_assert_str_eq(auth_bearer(&a, "bearer  correct horse battery "), "cw-01");
    ck_assert_ptr_null(auth_bearer(&a, "Bearer correct horse batter"));
    ck_assert_ptr_null(auth_bearer(&a, "Basic Y29ycmVjdA=="));
    ck_assert_ptr_null(auth_bearer(&a, NULL));
    auth_free(&a);
    /* a file others may write is refused; a bad line names its line */
    chmod(path, 0666);
    memset(&a, 0, sizeof a);
    err_init(&e);
    ck_assert_int_eq(auth_load_tokens(&a, path, &e), E_CONFIG);
    ck_assert_ptr_nonnull(strstr(e.msg, "chmod 600"));
    write_file(path, "cw-01 sha256:abc\n", 0600);
    err_init(&e);
    ck_assert_int_eq(auth_load_tokens(&a, path, &e), E_CONFIG);
    ck_assert_int_eq((int)e.in_line, 1);
    auth_free(&a);
}
END_TEST

/* ---------- access log ---------- */

START_TEST(test_accesslog)
{
    char path[128], key[140];
    snprintf(path, sizeof path, "%s/access.log", tdir);
    snprintf(key, sizeof key, "%s/access.log.key", tdir);
    write_file(path, "{\"cut\":", 0600);   /* a line cut by a power loss */
    struct accesslog *l;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(accesslog_open(&l, path, &e), E_OK);
    struct stat sb;
    ck_assert_int_eq(stat(key, &sb), 0);
    ck_assert_int_eq((int)(sb.st_mode & 0777), 0600);
    ck_assert_int_eq((int)sb.st_size, 32);
    ck_assert_int_eq(accesslog_append(l, "{\"a\":1}\n", 8), 0);
    char h1[35], h2[35];
    accesslog_id_hash(l, "610102196504121017", 18, h1);
    accesslog_id_hash(l, "610102196504121017", 18, h2);
    ck_assert_str_eq(h1, h2);
    ck_assert_int_eq((int)strlen(h1), 34);
    ck_assert(strncmp(h1, "h:", 2) == 0);
    /* the keyed hash is HMAC-SHA-256 under the key file's bytes */
    unsigned char k[32], mac[32];
    FILE *kf = fopen(key, "rb");
    ck_assert_int_eq((int)fread(k, 1, 32, kf), 32);
    fclose(kf);
    ck_assert_int_eq(auth_hmac_sha256(k, 32, "610102196504121017", 18, mac), 0);
    char hex[65];
    auth_hex(mac, 16, hex);
    ck_assert_str_eq(h1 + 2, hex);
    accesslog_close(l);
    FILE *f = fopen(path, "r");
    char buf[200];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "{\"cut\":\n{\"a\":1}\n");
    /* the same key next time; a log others may read is refused */
    err_init(&e);
    ck_assert_int_eq(accesslog_open(&l, path, &e), E_OK);
    accesslog_id_hash(l, "610102196504121017", 18, h2);
    ck_assert_str_eq(h1, h2);
    char moved[140];
    snprintf(moved, sizeof moved, "%s.1", path);
    ck_assert_int_eq(rename(path, moved), 0);
    ck_assert_int_eq(accesslog_reopen(l, &e), E_OK);
    ck_assert_int_eq(accesslog_append(l, "{\"b\":2}\n", 8), 0);
    accesslog_close(l);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq((int)sb.st_size, 8);
    ck_assert_int_eq((int)(sb.st_mode & 0777), 0600);
    chmod(path, 0644);
    err_init(&e);
    ck_assert_int_eq(accesslog_open(&l, path, &e), E_CONFIG);
}
END_TEST

/* ---------- snapshot references ---------- */

static int build(const char *out, int d)
{
    char data[1024], rules[1024];
    snprintf(data, sizeof data, "%s/fixtures", test_root());
    snprintf(rules, sizeof rules, "%s/rules", test_root());
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = data;
    cfg.rules_dir = rules;
    cfg.as_of = date_from_ymd(2026, 6, d);
    cfg.threads = 1;
    struct pipeline p;
    struct err e;
    err_init(&e);
    int st = pipeline_init(&p, &cfg, &e);
    if (st == E_OK)
        st = pipeline_load_dir(&p, &e);
    if (st == E_OK)
        st = join_build(&p.jn, &p.d, JOIN_SORTED, &e);
    if (st == E_OK)
        st = snapshot_write(&p.d, &p.jn, &p.pol, cfg.as_of, out, &e);
    pipeline_free(&p);
    return st;
}

START_TEST(test_snapref_swap)
{
    char idx[128], next[128];
    snprintf(idx, sizeof idx, "%s/fx.idx", tdir);
    snprintf(next, sizeof next, "%s/next.idx", tdir);
    ck_assert_int_eq(build(idx, 15), E_OK);
    struct snaps s;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(snaps_init(&s, idx, NULL, &e), E_OK);
    ck_assert_int_eq(snaps_reload(&s, 0, &e), 0);   /* unchanged: nothing to do */
    struct snapref *old = snaps_get(&s);             /* a request in flight */
    ck_assert_int_eq(old->generation, 1);
    ck_assert_int_eq(build(next, 16), E_OK);
    ck_assert_int_eq(rename(next, idx), 0);
    ck_assert_int_eq(snaps_reload(&s, 0, &e), 1);
    struct snapref *cur = snaps_get(&s);
    ck_assert_int_eq(cur->generation, 2);
    ck_assert_int_eq(cur->b.info.as_of, date_from_ymd(2026, 6, 16));
    /* the request in flight still reads its snapshot */
    ck_assert_int_eq(old->b.info.as_of, date_from_ymd(2026, 6, 15));
    uint32_t reg;
    ck_assert_int_eq(snap_find_household(&old->b.s, "HH006", &reg, &e), E_OK);
    ck_assert_uint_ne(reg, SNAP_NONE);
    snapref_put(old);
    /* a damaged file is refused; the current one serves on */
    ck_assert_int_eq(build(next, 17), E_OK);
    int fd = open(next, O_WRONLY);
    ck_assert_int_eq((int)pwrite(fd, "X", 1, 5000), 1);
    close(fd);
    ck_assert_int_eq(rename(next, idx), 0);
    ck_assert_int_eq(snaps_reload(&s, 0, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "is damaged"));
    err_init(&e);
    ck_assert_int_eq(snaps_reload(&s, 0, &e), 0);   /* not tried again until it changes */
    struct snapref *still = snaps_get(&s);
    ck_assert_ptr_eq(still, cur);
    snapref_put(still);
    snapref_put(cur);
    ck_assert_int_eq(s.swaps, 1);
    ck_assert_int_eq(s.refusals, 1);
    snaps_free(&s);
}
END_TEST

Suite *serve_suite(void)
{
    Suite *s = suite_create("serve");
    TCase *tc = tcase_create("request");
    tcase_add_test(tc, test_request_csv);
    tcase_add_loop_test(tc, test_request_refusals, 0,
                        (int)(sizeof refusals / sizeof refusals[0]));
    tcase_add_test(tc, test_request_refusal_utf8);
    tcase_add_test(tc, test_request_body_limit);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_tokens);
    tcase_add_test(tc, test_accesslog);
    tcase_add_test(tc, test_snapref_swap);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
