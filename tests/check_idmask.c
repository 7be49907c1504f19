/* check_idmask.c - unit tests for base/idmask.c.
 *
 * Owns: the idmask suite: ID runs in free text (plain, spaced, hyphenated,
 * full-width, 15 and 18 characters, x/X check characters), text that must
 * stay as it is (dates, short numbers, property ids), one-value masking,
 * the stderr filter (a run cut across two writes), and CONNINFO password
 * scrubbing in both forms.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/idmask.h"
#include "tests.h"

static const struct {
    const char *in, *out;
} text_cases[] = {
    /* the 18- and 15-character forms, plain */
    {"110105194912310021", "110105********0021"},
    {"id 11010519491231002X here", "id 110105********002X here"},
    {"11010519491231002x", "110105********002x"},
    {"130503670401001", "130503*****1001"},
    /* longer runs (bank cards, a digit too many) are masked too */
    {"1101051949123100211", "110105*********0211"},
    /* separators inside: spaces, hyphens, two in a row, full-width space */
    {"110105 19491231 002X", "110105 ******** 002X"},
    {"110105-1949-1231-0021", "110105-****-****-0021"},
    {"'110105 - 19491231 0021'", "'110105 - ******** 0021'"},
    {"110105\xe3\x80\x80" "19491231\xe3\x80\x80" "0021",
     "110105\xe3\x80\x80" "********\xe3\x80\x80" "0021"},
    {"130503 670401 001", "130503 *****1 001"},
    /* full-width digits and check character */
    {"\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95"
     "19491231002\xef\xbc\xb8",
     "\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95"
     "********002\xef\xbc\xb8"},
    /* a short number beside an ID: each decided alone */
    {"line 12 110105194912310021", "line 12 110105********0021"},
    {"HH001,610102196504121017,张建国", "HH001,610102********1017,张建国"},
    /* not IDs: stay as written */
    {"", ""},
    {"14 digits: 12345678901234", "14 digits: 12345678901234"},
    {"2026-01-01 2026-06-30", "2026-01-01 2026-06-30"},
    {"from 2026-01-01 to 2026-06-30, line 1042", "from 2026-01-01 to 2026-06-30, line 1042"},
    {"P-001 P-002 P-003", "P-001 P-002 P-003"},
    {"per month 1234.56 / 3 / 2", "per month 1234.56 / 3 / 2"},
    {"2026-05 2026-06 2026-07-01", "2026-05 2026-06 2026-07-01"},
    /* an ID and a number one space apart: masked as one (over, not under) */
    {"110105 19491231 0021 999", "110105 ******** ***1 999"},
    {"张三 610102", "张三 610102"},
};

START_TEST(test_text)
{
    char out[256];
    size_t n = idmask_text(text_cases[_i].in, out, sizeof out);
    ck_assert_msg(strcmp(out, text_cases[_i].out) == 0, "case %d: [%s] -> [%s], want [%s]", _i,
                  text_cases[_i].in, out, text_cases[_i].out);
    ck_assert_uint_eq(n, strlen(out));
    ck_assert_uint_le(n, strlen(text_cases[_i].in));
    /* in place gives the same */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text_cases[_i].in);
    idmask_text(buf, buf, sizeof buf);
    ck_assert_str_eq(buf, text_cases[_i].out);
    ck_assert_int_eq(idmask_has_id(text_cases[_i].in),
                     strcmp(text_cases[_i].in, text_cases[_i].out) != 0);
}
END_TEST

/* The rule that matters: no birth date of an 18-digit run survives. */
START_TEST(test_no_run_survives)
{
    const char *texts[] = {"a110105194912310021b", "110105194912310021110105194912310021",
                           "x 110105194912310021\n", "\"110105194912310021\""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char out[128];
        idmask_text(texts[i], out, sizeof out);
        ck_assert_msg(strstr(out, "19491231") == NULL, "[%s] -> [%s]", texts[i], out);
    }
}
END_TEST

START_TEST(test_small_buffer)
{
    char out[8];
    size_t n = idmask_text("abc 110105194912310021", out, sizeof out);
    ck_assert_uint_lt(n, sizeof out);
    ck_assert_uint_eq(strlen(out), n);
    ck_assert_ptr_null(strstr(out, "1949"));
    ck_assert_uint_eq(idmask_text("x", out, 0), 0);
}
END_TEST

/* Every buffer size cuts the masked text at a character boundary, never
 * shows more of an ID than the whole text would, and wastes less than one
 * character of the buffer: the output for size n is a prefix of the full
 * output, shorter than n, and at least n - 4 long when the full output
 * does not fit. */
START_TEST(test_every_cut)
{
    const char *texts[] = {
        "张三 家庭人均收入 1234.56 元，成员 110105194912310021 与 610102 19650412 1017",
        "车辆 陕A12345 价值 30000.01 元 (2026-01-01 起)",
        "\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95"
        "19491231002\xef\xbc\xb8 尾",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        char full[512], out[512];
        size_t nf = idmask_text(texts[t], full, sizeof full);
        for (size_t n = 1; n <= nf + 1; n++) {
            size_t k = idmask_text(texts[t], out, n);
            ck_assert_uint_lt(k, n);
            ck_assert_uint_eq(strlen(out), k);
            ck_assert_msg(memcmp(out, full, k) == 0, "text %zu, size %zu: [%s] not a prefix of [%s]",
                          t, n, out, full);
            /* a boundary: the next byte of the full text does not continue a character */
            ck_assert_msg(k == nf || ((unsigned char)full[k] & 0xC0) != 0x80,
                          "text %zu, size %zu: cut inside a character", t, n);
            if (n <= nf)
                ck_assert_msg(k + 4 >= n, "text %zu, size %zu: only %zu bytes", t, n, k);
            else
                ck_assert_uint_eq(k, nf);
        }
    }
}
END_TEST

START_TEST(test_value)
{
    char out[64];
    idmask_value("610102196504121017", out, sizeof out);
    ck_assert_str_eq(out, "610102********1017");
    idmask_value("610102 19650412 1017", out, sizeof out);
    ck_assert_str_eq(out, "610102**********1017");
    idmask_value("61010219650", out, sizeof out);
    ck_assert_str_eq(out, "***********");
    idmask_value("", out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

static const struct {
    const char *in, *out;
} conn_cases[] = {
    {"host=db password=secret dbname=x", "host=db password=****** dbname=x"},
    {"password = 'se cr\\'et' host=db", "password = '*********' host=db"},
    {"host=db sslpassword=k3y", "host=db sslpassword=***"},
    {"postgresql://alice:secret@db.example/hedui", "postgresql://alice:******@db.example/hedui"},
    {"postgres://alice:s3@x@db/hedui?sslmode=verify-full",
     "postgres://alice:****@db/hedui?sslmode=verify-full"},
    {"postgresql://alice@db/hedui?password=secret&sslmode=require",
     "postgresql://alice@db/hedui?password=******&sslmode=require"},
    {"host=db user=alice", "host=db user=alice"},
    {"postgresql://alice@db/hedui", "postgresql://alice@db/hedui"},
    {"/data/passwords/feed", "/data/passwords/feed"},
};

START_TEST(test_conninfo)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", conn_cases[_i].in);
    size_t n = conninfo_scrub_password(buf);
    ck_assert_msg(strcmp(buf, conn_cases[_i].out) == 0, "case %d: [%s], want [%s]", _i, buf,
                  conn_cases[_i].out);
    ck_assert_uint_eq(strlen(buf), strlen(conn_cases[_i].in));
    ck_assert_int_eq(n > 0, strcmp(conn_cases[_i].in, conn_cases[_i].out) != 0);
}
END_TEST

/* stderr through the filter into a file: lines masked, an ID cut across
 * two writes (and two fflush calls) still masked, a last line without a
 * newline written at the end. */
START_TEST(test_filter_stderr)
{
    char path[] = "/tmp/hedui-idmask.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    int saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    ck_assert_int_eq(idmask_filter_stderr(), 0);
    fprintf(stderr, "hedui: a 110105194912310021 b\n");
    fputs("hedui: cut 1101051949", stderr);
    fflush(stderr);
    fputs("12310021 end\n", stderr);
    fputs("tail 130503670401001", stderr);
    fflush(stderr);
    /* what is still held is written when the process ends; here: by hand */
    fputs("\n", stderr);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char got[512] = "";
    ssize_t r = pread(fd, got, sizeof got - 1, 0);
    ck_assert_int_gt(r, 0);
    got[r] = '\0';
    close(fd);
    unlink(path);
    ck_assert_str_eq(got, "hedui: a 110105********0021 b\n"
                          "hedui: cut 110105********0021 end\n"
                          "tail 130503*****1001\n");
}
END_TEST

Suite *idmask_suite(void)
{
    Suite *s = suite_create("idmask");
    TCase *tc = tcase_create("idmask");
    tcase_add_loop_test(tc, test_text, 0, (int)(sizeof text_cases / sizeof text_cases[0]));
    tcase_add_test(tc, test_no_run_survives);
    tcase_add_test(tc, test_small_buffer);
    tcase_add_test(tc, test_every_cut);
    tcase_add_test(tc, test_value);
    tcase_add_loop_test(tc, test_conninfo, 0, (int)(sizeof conn_cases / sizeof conn_cases[0]));
    tcase_add_test(tc, test_filter_stderr);
    suite_add_tcase(s, tc);
    return s;
}
