/* check_cli_parse.c - unit tests for cli.c: the one option loop of every
 * command (cli_parse) and the value parsers the commands share.
 *
 * Owns: the cli_parse suite.  Tests only through cli.h; no files, no
 * process state but cli_verbose.  Each test parses a literal argv against
 * a table like the commands' and checks what landed where, or the status
 * and the exact message of the usage error.
 */
#include <string.h>

#include "base/date.h"
#include "cmd/cli.h"
#include "tests.h"

/* A table like a command's: a flag with an alias, two strings, a list. */
struct opts {
    int help, quiet;
    const char *data, *out;
    struct cli_list enc;
    const char *pos[2];
    int npos;
};

static int parse(struct opts *o, int max_pos, int argc, char **argv, struct err *e)
{
    memset(o, 0, sizeof *o);
    err_init(e);
    const struct cli_opt t[] = {
        {"--help", "-h", CLI_FLAG, &o->help},
        {"--quiet", "-q", CLI_FLAG, &o->quiet},
        {"--data", NULL, CLI_STR, &o->data},
        {"--out", NULL, CLI_STR, &o->out},
        {"--encoding", NULL, CLI_LIST, &o->enc},
    };
    return cli_parse("demo", argc, argv, t, sizeof t / sizeof t[0], o->pos, max_pos, &o->npos,
                     e);
}

#define ARGV(...) (char *[]){__VA_ARGS__}
#define NARGS(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, max_pos, e, ...) parse((o), (max_pos), NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), (e))

START_TEST(test_both_spellings)
{
    struct opts o;
    struct err e;
    ck_assert_int_eq(PARSE(&o, 0, &e, "--data", "d1", "--out=o1"), E_OK);
    ck_assert_str_eq(o.data, "d1");
    ck_assert_str_eq(o.out, "o1");
    ck_assert_int_eq(PARSE(&o, 0, &e, "--data=d2", "--out", "o2"), E_OK);
    ck_assert_str_eq(o.data, "d2");
    ck_assert_str_eq(o.out, "o2");
    /* "--x=V" keeps everything after the first '=', and may be empty */
    ck_assert_int_eq(PARSE(&o, 0, &e, "--data=a=b", "--out="), E_OK);
    ck_assert_str_eq(o.data, "a=b");
    ck_assert_str_eq(o.out, "");
    /* a separate value is taken as is, even when it starts with '-' */
    ck_assert_int_eq(PARSE(&o, 0, &e, "--data", "-x", "--out", ""), E_OK);
    ck_assert_str_eq(o.data, "-x");
    ck_assert_str_eq(o.out, "");
}
END_TEST

START_TEST(test_last_wins_and_lists)
{
    struct opts o;
    struct err e;
    ck_assert_int_eq(PARSE(&o, 0, &e, "--data", "a", "--encoding=utf-8", "--data=b",
                           "--encoding", "hukou.csv=gb18030"), E_OK);
    ck_assert_str_eq(o.data, "b");
    ck_assert_int_eq(o.enc.n, 2);
    ck_assert_str_eq(o.enc.v[0], "utf-8");
    ck_assert_str_eq(o.enc.v[1], "hukou.csv=gb18030");
}
END_TEST

START_TEST(test_flags_and_aliases)
{
    struct opts o;
    struct err e;
    ck_assert_int_eq(PARSE(&o, 0, &e, "-q", "--help"), E_OK);
    ck_assert_int_eq(o.quiet, 1);
    ck_assert_int_eq(o.help, 1);
    ck_assert_int_eq(PARSE(&o, 0, &e, "--quiet"), E_OK);
    ck_assert_int_eq(o.quiet, 1);
    ck_assert_int_eq(o.help, 0);
}
END_TEST

START_TEST(test_flag_with_value_refused)
{
    struct opts o;
    struct err e;
    ck_assert_int_eq(PARSE(&o, 0, &e, "--quiet=1"), E_USAGE);
    ck_assert_str_eq(e.msg, "option --quiet takes no value");
    ck_assert_int_eq(PARSE(&o, 0, &e, "--help="), E_USAGE);
    ck_assert_str_eq(e.msg, "option --help takes no value");
    ck_assert_int_eq(o.help, 0);
}
END_TEST

START_TEST(test_missing_value)
{
    struct opts o;
    struct err e;
    ck_assert_int_eq(PARSE(&o, 0, &e, "--out", "o", "--data"), E_USAGE);
    ck_assert_str_eq(e.msg, "option --data needs a value");
    ck_assert_int_eq(PARSE(&o, 0, &e, "--encoding"), E_USAGE);
    ck_assert_str_eq(e.msg, "option --encoding needs a value");
}
END_TEST

START_TEST(test_unknown_option)
{
    struct opts o;
    struct err e;
    ck_assert_int_eq(PARSE(&o, 0, &e, "--data", "d", "--bogus"), E_USAGE);
    ck_assert_str_eq(e.msg, "unknown option '--bogus' for 'demo'");
    /* a prefix of an option is not the option, nor is an option with more */
    ck_assert_int_eq(PARSE(&o, 0, &e, "--dat=x"), E_USAGE);
    ck_assert_str_eq(e.msg, "unknown option '--dat=x' for 'demo'");
    ck_assert_int_eq(PARSE(&o, 0, &e, "--database"), E_USAGE);
    ck_assert_str_eq(e.msg, "unknown option '--database' for 'demo'");
    ck_assert_int_eq(PARSE(&o, 0, &e, "-x"), E_USAGE);
    ck_assert_str_eq(e.msg, "unknown option '-x' for 'demo'");
    /* an alias has no "=VALUE" spelling */
    ck_assert_int_eq(PARSE(&o, 0, &e, "-q=1"), E_USAGE);
    ck_assert_str_eq(e.msg, "unknown option '-q=1' for 'demo'");
}
END_TEST

START_TEST(test_positional_limit)
{
    struct opts o;
    struct err e;
    ck_assert_int_eq(PARSE(&o, 0, &e, "--quiet", "stray"), E_USAGE);
    ck_assert_str_eq(e.msg, "'demo' takes no arguments: unexpected argument 'stray'");
    ck_assert_int_eq(PARSE(&o, 1, &e, "file", "--quiet"), E_OK);
    ck_assert_int_eq(o.npos, 1);
    ck_assert_str_eq(o.pos[0], "file");
    ck_assert_int_eq(PARSE(&o, 1, &e, "a", "b"), E_USAGE);
    ck_assert_str_eq(e.msg, "'demo' takes fewer arguments: unexpected argument 'b'");
    ck_assert_int_eq(PARSE(&o, 2, &e, "a", "--data", "d", "b"), E_OK);
    ck_assert_int_eq(o.npos, 2);
    ck_assert_str_eq(o.pos[1], "b");
    ck_assert_str_eq(o.data, "d");
    /* "-" is an argument; after "--" everything is */
    ck_assert_int_eq(PARSE(&o, 2, &e, "-", "--", "--quiet"), E_OK);
    ck_assert_int_eq(o.npos, 2);
    ck_assert_str_eq(o.pos[0], "-");
    ck_assert_str_eq(o.pos[1], "--quiet");
    ck_assert_int_eq(o.quiet, 0);
}
END_TEST

START_TEST(test_value_parsers)
{
    struct err e;
    err_init(&e);
    int d = 0;
    ck_assert_int_eq(cli_parse_as_of("2026-06-15", &d, &e), E_OK);
    ck_assert_int_eq(d, date_from_ymd(2026, 6, 15));
    ck_assert_int_eq(cli_parse_as_of("2026-02-30", &d, &e), E_USAGE);
    ck_assert_str_eq(e.msg, "--as-of '2026-02-30' is not a date (want YYYY-MM-DD)");
    int t = 0;
    err_init(&e);
    ck_assert_int_eq(cli_parse_threads("8", &t, &e), E_OK);
    ck_assert_int_eq(t, 8);
    ck_assert_int_eq(cli_parse_threads("0", &t, &e), E_USAGE);
    ck_assert_int_eq(cli_parse_threads("1025", &t, &e), E_USAGE);
    unsigned long long u;
    ck_assert_int_eq(cli_parse_uint("-1", 100, &u), -1);
    ck_assert_int_eq(cli_parse_uint("7x", 100, &u), -1);
    ck_assert_int_eq(cli_parse_uint("100", 100, &u), 0);
    ck_assert_uint_eq(u, 100);
    enum enc all = ENC_AUTO, per[N_INPUT] = {0};
    err_init(&e);
    ck_assert_int_eq(cli_parse_encoding("hukou.csv=gb18030", &all, per, &e), E_OK);
    ck_assert_int_eq(per[IN_HUKOU], ENC_GB18030);
    ck_assert_int_eq(all, ENC_AUTO);
    ck_assert_int_eq(cli_parse_encoding("nosuch.csv=utf-8", &all, per, &e), E_USAGE);
    ck_assert_str_eq(e.msg, "--encoding 'nosuch.csv=utf-8': unknown input file");
}
END_TEST

Suite *cli_parse_suite(void)
{
    Suite *s = suite_create("cli_parse");
    TCase *tc = tcase_create("cli_parse");
    tcase_add_test(tc, test_both_spellings);
    tcase_add_test(tc, test_last_wins_and_lists);
    tcase_add_test(tc, test_flags_and_aliases);
    tcase_add_test(tc, test_flag_with_value_refused);
    tcase_add_test(tc, test_missing_value);
    tcase_add_test(tc, test_unknown_option);
    tcase_add_test(tc, test_positional_limit);
    tcase_add_test(tc, test_value_parsers);
    suite_add_tcase(s, tc);
    return s;
}
