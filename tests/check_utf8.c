/* check_utf8.c - unit tests for base/utf8.c.
 *
 * Owns: the utf8 suite: the strict decoder on every class of Unicode Table
 * 3-7 (and what it refuses), the white-space set member by member, trim,
 * and the character step that masking walks with.
 */
#include <string.h>

#include "base/utf8.h"
#include "tests.h"

static const struct {
    const char *s;
    size_t n;        /* bytes given to the decoder */
    size_t len;      /* expected length, 0 = invalid */
    uint32_t cp;
} dec[] = {
    {"A", 1, 1, 0x41},
    {"\x7f", 1, 1, 0x7f},
    {"\xc2\x80", 2, 2, 0x80},
    {"\xdf\xbf", 2, 2, 0x7ff},
    {"\xe0\xa0\x80", 3, 3, 0x800},
    {"\xe5\xbc\xa0", 3, 3, 0x5f20},          /* 张 */
    {"\xed\x9f\xbf", 3, 3, 0xd7ff},
    {"\xef\xbc\x96", 3, 3, 0xff16},          /* full-width 6 */
    {"\xf0\x90\x80\x80", 4, 4, 0x10000},
    {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
    {"\xe5\xbc\xa0Z", 4, 3, 0x5f20},         /* only its own bytes */
    {"\x80", 1, 0, 0},                       /* a lone continuation byte */
    {"\xc0\x80", 2, 0, 0},                   /* overlong NUL */
    {"\xc1\xbf", 2, 0, 0},                   /* overlong */
    {"\xe0\x80\xa0", 3, 0, 0},               /* overlong SPACE */
    {"\xf0\x8f\xbf\xbf", 4, 0, 0},           /* overlong */
    {"\xed\xa0\x80", 3, 0, 0},               /* a surrogate */
    {"\xf4\x90\x80\x80", 4, 0, 0},           /* above U+10FFFF */
    {"\xf5\x80\x80\x80", 4, 0, 0},
    {"\xff", 1, 0, 0},
    {"\xe5\xbc", 2, 0, 0},                   /* truncated at the end */
    {"\xe5\xbcZ", 3, 0, 0},                  /* truncated by ASCII */
    {"\xc2", 1, 0, 0},
};

START_TEST(test_decode)
{
    uint32_t cp = 0xdead;
    size_t k = utf8_decode((const unsigned char *)dec[_i].s, dec[_i].n, &cp);
    ck_assert_msg(k == dec[_i].len, "case %d: length %zu, want %zu", _i, k, dec[_i].len);
    if (k)
        ck_assert_msg(cp == dec[_i].cp, "case %d: U+%04X, want U+%04X", _i, (unsigned)cp,
                      (unsigned)dec[_i].cp);
    /* the step: the character's length, or one byte */
    size_t step = utf8_step((const unsigned char *)dec[_i].s, dec[_i].n);
    ck_assert_uint_eq(step, k ? k : 1);
}
END_TEST

START_TEST(test_space_set)
{
    static const uint32_t yes[] = {0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
                                   0x85, 0xa0, 0x1680, 0x2000, 0x2005, 0x200a, 0x2028,
                                   0x2029, 0x202f, 0x205f, 0x3000};
    static const uint32_t no[] = {0x00, 0x08, 0x0e, 0x1b, 0x21, 'a', 0x7f, 0x84, 0x86, 0x9f,
                                  0xa1, 0x180e, 0x200b, 0x200c, 0x2027, 0x202a, 0x2060,
                                  0x3001, 0xfeff, 0xff10};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ck_assert_msg(utf8_is_space(yes[i]), "U+%04X is white space", (unsigned)yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(!utf8_is_space(no[i]), "U+%04X is not white space", (unsigned)no[i]);
}
END_TEST

static const struct {
    const char *in, *out;
} trims[] = {
    {"", ""},
    {"abc", "abc"},
    {"  a b  ", "a b"},
    {"\t\r\nx\x0b\x0c", "x"},
    {"\xe3\x80\x80张三\xe3\x80\x80", "张三"},                /* ideographic space */
    {"\xc2\xa0" "a" "\xc2\xa0", "a"},                        /* no-break space */
    {"\xe2\x80\x83" "a\xe2\x80\xaf", "a"},                    /* em space, narrow nbsp */
    {"\xe3\x80\x80 \xc2\xa0", ""},                           /* nothing but spaces */
    {"a\xe2\x80\x8b", "a\xe2\x80\x8b"},                      /* zero width space stays */
    {"\xc0\xa0x\xe0\x80\xa0", "\xc0\xa0x\xe0\x80\xa0"},      /* overlong spaces are not */
    {" \xa0x\x85 ", "\xa0x\x85"},                            /* nor stray bytes A0, 85 */
    {"x\xe3\x80", "x\xe3\x80"},                              /* a truncated tail stays */
};

START_TEST(test_trim)
{
    size_t n = strlen(trims[_i].in);
    const char *t = utf8_trim(trims[_i].in, &n);
    ck_assert_msg(n == strlen(trims[_i].out) && memcmp(t, trims[_i].out, n) == 0,
                  "case %d: got [%.*s]", _i, (int)n, t);
}
END_TEST

Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_decode, 0, (int)(sizeof dec / sizeof dec[0]));
    tcase_add_test(tc, test_space_set);
    tcase_add_loop_test(tc, test_trim, 0, (int)(sizeof trims / sizeof trims[0]));
    suite_add_tcase(s, tc);
    return s;
}
