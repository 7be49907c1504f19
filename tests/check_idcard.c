/* check_idcard.c - unit tests for idcard.c (GB 11643-1999 ID numbers).
 *
 * Owns: the idcard suite.  Tests only through the idcard.h API; never
 * touches files or global state.  Expected check characters were computed
 * independently of idcard.c; 11010519491231002X is the standard's example.
 */
#include <stdint.h>
#include <string.h>

#include "contract/idcard.h"
#include "tests.h"

#define AS_OF 20260615

struct id_vec {
    const char *in;
    enum id_status st;
    const char *id;     /* expected out->id */
    unsigned flags;
    int birth;          /* expected birth_ymd (0 when invalid) */
};

/* "１１０１０５１９４９１２３１００２Ｘ" */
#define FW_EXAMPLE                                                            \
    "\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95" \
    "\xef\xbc\x91\xef\xbc\x99\xef\xbc\x94\xef\xbc\x99\xef\xbc\x91\xef\xbc\x92" \
    "\xef\xbc\x93\xef\xbc\x91\xef\xbc\x90\xef\xbc\x90\xef\xbc\x92\xef\xbc\xb8"

static const struct id_vec vecs[] = {
    /* valid */
    { "11010519491231002X", ID_OK, "11010519491231002X", 0, 19491231 },
    { "360426199101010071", ID_OK, "360426199101010071", 0, 19910101 },
    { "440301198506071238", ID_OK, "440301198506071238", 0, 19850607 },
    { "130503670401001", ID_OK, "130503196704010016", ID_F_15_TO_18, 19670401 },
    { "11010519491231002x", ID_OK, "11010519491231002X", ID_F_LOWER_X, 19491231 },
    { FW_EXAMPLE, ID_OK, "11010519491231002X", ID_F_FULLWIDTH, 19491231 },
    { "1101051949123100\xef\xbc\x92\xef\xbd\x98", /* ...２ｘ (full-width x) */
      ID_OK, "11010519491231002X", ID_F_FULLWIDTH | ID_F_LOWER_X, 19491231 },
    { " 110105 19491231 002X ", ID_OK, "11010519491231002X", ID_F_SPACE, 19491231 },
    { "\t110105\t19491231\t002X\r\n", ID_OK, "11010519491231002X", ID_F_SPACE, 19491231 },
    { "110105\xc2\xa0" "19491231\xc2\xa0" "002X", /* NBSP */
      ID_OK, "11010519491231002X", ID_F_SPACE, 19491231 },
    { "\xe3\x80\x80" "110105\xe3\x80\x80" "19491231002X\xe3\x80\x80", /* U+3000 */
      ID_OK, "11010519491231002X", ID_F_SPACE, 19491231 },
    { "110105\xe2\x80\x83" "19491231\xe2\x80\xaf" "002\xe1\x9a\x80X\xc2\x85",
      /* U+2003, U+202F, U+1680, U+0085 */
      ID_OK, "11010519491231002X", ID_F_SPACE, 19491231 },
    { " 1305 0367 0401 001 ", ID_OK, "130503196704010016",
      ID_F_SPACE | ID_F_15_TO_18, 19670401 },
    { "110105200002290021", ID_OK, "110105200002290021", 0, 20000229 }, /* 2000 leap */
    { "110105190001010028", ID_OK, "110105190001010028", 0, 19000101 }, /* first day */
    { "110105202606150029", ID_OK, "110105202606150029", 0, 20260615 }, /* = as-of */
    { "710105194912310021", ID_OK, "710105194912310021", 0, 19491231 }, /* Taiwan */
    { "810105194912310025", ID_OK, "810105194912310025", 0, 19491231 }, /* Hong Kong */
    { "650105194912310025", ID_OK, "650105194912310025", 0, 19491231 },

    /* empty */
    { "", ID_EMPTY, "", 0, 0 },
    { " \t\r\n\xc2\xa0\xe3\x80\x80", ID_EMPTY, "", ID_F_SPACE, 0 },

    /* bad characters */
    { "1101051949A231002X", ID_BAD_CHAR, "1101051949A231002X", 0, 0 },
    { "1.10105E+17", ID_BAD_CHAR, "1.10105E+17", 0, 0 },
    { "11010519491231002Y", ID_BAD_CHAR, "11010519491231002Y", 0, 0 },
    { "-11010519491231002X", ID_BAD_CHAR, "-11010519491231002", 0, 0 },
    { "\xff" "1101051949123100X", ID_BAD_CHAR, "?1101051949123100X", 0, 0 },
    { "110105\xe4\xb8\x80" "19491231002X", ID_BAD_CHAR, "110105?19491231002", 0, 0 },
    { "110105\xe4\xb8", ID_BAD_CHAR, "110105??", 0, 0 }, /* truncated UTF-8 */
    { "X1.0", ID_BAD_CHAR, "X1.0", 0, 0 },            /* BAD_CHAR before BAD_X */

    /* misplaced X */
    { "1101051949X2310021", ID_BAD_X, "1101051949X2310021", 0, 0 },
    { "X10105194912310021", ID_BAD_X, "X10105194912310021", 0, 0 },
    { "1101051949123100XX", ID_BAD_X, "1101051949123100XX", 0, 0 },
    { "13050367040100X", ID_BAD_X, "13050367040100X", 0, 0 },  /* 15 chars, X */
    { "11010519491231002X1", ID_BAD_X, "11010519491231002X", 0, 0 },
    { "x10105194912310021", ID_BAD_X, "X10105194912310021", ID_F_LOWER_X, 0 },

    /* length */
    { "11010519491231002", ID_BAD_LENGTH, "11010519491231002", 0, 0 },      /* 17 */
    { "1101051949123100210", ID_BAD_LENGTH, "110105194912310021", 0, 0 },   /* 19 */
    { "1101051949123100X", ID_BAD_LENGTH, "1101051949123100X", 0, 0 },      /* 17, X last */
    { "1305036704010", ID_BAD_LENGTH, "1305036704010", 0, 0 },
    { "1", ID_BAD_LENGTH, "1", 0, 0 },
    { "0000000000000000000000000", ID_BAD_LENGTH, "000000000000000000", 0, 0 },

    /* province */
    { "100105194912310028", ID_BAD_PROVINCE, "100105194912310028", 0, 0 },
    { "160105194912310029", ID_BAD_PROVINCE, "160105194912310029", 0, 0 },
    { "240105194912310029", ID_BAD_PROVINCE, "240105194912310029", 0, 0 },
    { "720105194912310023", ID_BAD_PROVINCE, "720105194912310023", 0, 0 },
    { "840105194912310020", ID_BAD_PROVINCE, "840105194912310020", 0, 0 },
    { "990105194912310023", ID_BAD_PROVINCE, "990105194912310023", 0, 0 },
    { "000105194912310023", ID_BAD_PROVINCE, "000105194912310023", 0, 0 },
    { "100503670401001", ID_BAD_PROVINCE, "100503670401001", 0, 0 }, /* 15, not converted */

    /* dates */
    { "110105199902290021", ID_BAD_DATE, "110105199902290021", 0, 0 }, /* 1999-02-29 */
    { "110105190002290025", ID_BAD_DATE, "110105190002290025", 0, 0 }, /* 1900 not leap */
    { "110105189912310023", ID_BAD_DATE, "110105189912310023", 0, 0 }, /* 1899 */
    { "110105194913010029", ID_BAD_DATE, "110105194913010029", 0, 0 }, /* month 13 */
    { "110105194901000026", ID_BAD_DATE, "110105194901000026", 0, 0 }, /* day 0 */
    { "130503670231001", ID_BAD_DATE, "130503670231001", 0, 0 },       /* 15: Feb 31 */
    { "110105202606160024", ID_FUTURE_DATE, "110105202606160024", 0, 0 }, /* as-of + 1 */

    /* check character */
    { "110105194912310021", ID_BAD_CHECKSUM, "110105194912310021", 0, 0 },
    { "360426199101010070", ID_BAD_CHECKSUM, "360426199101010070", 0, 0 },
    { "36042619910101007X", ID_BAD_CHECKSUM, "36042619910101007X", 0, 0 },
    { "1101051949123100\xef\xbc\x92\xef\xbc\x91", ID_BAD_CHECKSUM, "110105194912310021",
      ID_F_FULLWIDTH, 0 },
};

START_TEST(test_vectors)
{
    const struct id_vec *v = &vecs[_i];
    struct id_norm n;
    memset(&n, 0xA5, sizeof n);
    enum id_status st = id_normalise(v->in, strlen(v->in), AS_OF, &n);
    ck_assert_msg(st == v->st, "vector %d: status %d (%s), want %d (%s)", _i, (int)st,
                  id_status_text(st), (int)v->st, id_status_text(v->st));
    ck_assert_str_eq(n.id, v->id);
    ck_assert_uint_eq(n.flags, v->flags);
    ck_assert_int_eq(n.birth_ymd, v->birth);
    if (st == ID_OK) {
        ck_assert_uint_eq(strlen(n.id), 18);
        ck_assert(n.key != 0);
        char back[19];
        id_from_key(n.key, back);
        ck_assert_str_eq(back, n.id);
    } else {
        ck_assert(n.key == 0);
    }
}
END_TEST

START_TEST(test_gb11643_example)
{
    struct id_norm n;
    ck_assert_int_eq(id_normalise("11010519491231002X", 18, AS_OF, &n), ID_OK);
    /* key = 17 digits * 11 + check value (X = 10) */
    ck_assert(n.key == UINT64_C(11010519491231002) * 11 + 10);
    ck_assert_int_eq(id_check_char("11010519491231002"), 'X');
    ck_assert_int_eq(id_check_char("36042619910101007"), '1');
    ck_assert_int_eq(id_check_char("13050319670401001"), '6');
    ck_assert_int_eq(id_check_char("44030119850607123"), '8');
}
END_TEST

START_TEST(test_len_is_respected)
{
    /* Only s[0..len) is read: the tail must not be seen. */
    struct id_norm n;
    const char *s = "11010519491231002X99999";
    ck_assert_int_eq(id_normalise(s, 18, AS_OF, &n), ID_OK);
    ck_assert_str_eq(n.id, "11010519491231002X");
    ck_assert_int_eq(id_normalise(s, 17, AS_OF, &n), ID_BAD_LENGTH);
    /* An embedded NUL is a bad character, not the end. */
    ck_assert_int_eq(id_normalise("110105\0" "19491231002X", 18, AS_OF, &n), ID_BAD_CHAR);
    ck_assert_int_eq(id_normalise(NULL, 0, AS_OF, &n), ID_EMPTY);
}
END_TEST

START_TEST(test_as_of_boundary)
{
    struct id_norm n;
    ck_assert_int_eq(id_normalise("110105202606150029", 18, 20260615, &n), ID_OK);
    ck_assert_int_eq(id_normalise("110105202606150029", 18, 20260614, &n), ID_FUTURE_DATE);
    ck_assert_int_eq(n.birth_ymd, 0);
    ck_assert_int_eq(id_normalise("11010519491231002X", 18, 19491231, &n), ID_OK);
    ck_assert_int_eq(id_normalise("11010519491231002X", 18, 19491230, &n), ID_FUTURE_DATE);
}
END_TEST

START_TEST(test_key_roundtrip_and_distinct)
{
    static const char *ids[] = {
        "11010519491231002X", "360426199101010071", "130503196704010016",
        "440301198506071238", "440301198506071246", "110105200002290021",
        "110105190001010028", "710105194912310021", "810105194912310025",
        "650105194912310025",
    };
    enum { N = sizeof ids / sizeof ids[0] };
    uint64_t keys[N];
    for (int i = 0; i < N; i++) {
        struct id_norm n;
        ck_assert_int_eq(id_normalise(ids[i], strlen(ids[i]), AS_OF, &n), ID_OK);
        char back[19];
        id_from_key(n.key, back);
        ck_assert_str_eq(back, ids[i]);
        keys[i] = n.key;
        for (int j = 0; j < i; j++)
            ck_assert_msg(keys[j] != keys[i], "%s and %s share a key", ids[j], ids[i]);
    }
    /* Dirty spellings of one number share its key. */
    struct id_norm a, b, c;
    ck_assert_int_eq(id_normalise("11010519491231002X", 18, AS_OF, &a), ID_OK);
    ck_assert_int_eq(id_normalise(FW_EXAMPLE, strlen(FW_EXAMPLE), AS_OF, &b), ID_OK);
    ck_assert_int_eq(id_normalise(" 11010519491231002x", 19, AS_OF, &c), ID_OK);
    ck_assert(a.key == b.key && a.key == c.key);
    /* The 15-digit form and its 18-digit form share a key. */
    ck_assert_int_eq(id_normalise("130503670401001", 15, AS_OF, &a), ID_OK);
    ck_assert_int_eq(id_normalise("130503196704010016", 18, AS_OF, &b), ID_OK);
    ck_assert(a.key == b.key);
    ck_assert_uint_eq(a.flags, ID_F_15_TO_18);
    ck_assert_uint_eq(b.flags, 0);

    /* Extremes of the key space. */
    char buf[19];
    id_from_key(UINT64_C(99999999999999999) * 11 + 10, buf);
    ck_assert_str_eq(buf, "99999999999999999X");
    id_from_key(UINT64_C(11000019000101000) * 11 + 0, buf);
    ck_assert_str_eq(buf, "110000190001010000");
}
END_TEST

START_TEST(test_status_text)
{
    for (int a = ID_OK; a <= ID_BAD_CHECKSUM; a++) {
        const char *ta = id_status_text((enum id_status)a);
        ck_assert_ptr_nonnull(ta);
        ck_assert(ta[0] != '\0');
        for (int b = ID_OK; b < a; b++)
            ck_assert_str_ne(ta, id_status_text((enum id_status)b));
    }
    ck_assert_str_eq(id_status_text(ID_BAD_CHECKSUM), "bad check character");
}
END_TEST

/* Every byte value at every position of a valid number: the 18-byte fast
 * path must take only digits (and X last), and give what the checks say:
 * a digit elsewhere changes the check sum (or the date), anything else is
 * invalid with no key.  The key is always the number's own, and status
 * and key equal those of the folding path (taken by the same text after a
 * leading space, which is only trimmed). */
START_TEST(test_every_byte_every_position)
{
    const char *base = "11010519491231002X";
    char buf[19], spaced[20];
    for (int pos = 0; pos < 18; pos++)
        for (int b = 1; b < 256; b++) {
            memcpy(buf, base, 19);
            buf[pos] = (char)b;
            struct id_norm nm;
            enum id_status st = id_normalise(buf, 18, 20260615, &nm);
            int digit = b >= '0' && b <= '9';
            spaced[0] = ' ';
            memcpy(spaced + 1, buf, 18);
            struct id_norm slow;
            enum id_status st_slow = id_normalise(spaced, 19, 20260615, &slow);
            ck_assert_msg(st == st_slow && nm.key == slow.key,
                          "byte %02X at %d: status %d key %llu, folding path %d key %llu", b,
                          pos, st, (unsigned long long)nm.key, st_slow,
                          (unsigned long long)slow.key);
            if (st == ID_OK) {
                ck_assert_msg(digit || (pos == 17 && b == 'X') || (pos == 17 && b == 'x'),
                              "byte %02X at %d accepted", b, pos);
                char d17[18];
                memcpy(d17, nm.id, 17);
                d17[17] = '\0';
                ck_assert_int_eq(id_check_char(d17), nm.id[17]);
                uint64_t body = 0;
                for (int i = 0; i < 17; i++)
                    body = body * 10 + (uint64_t)(nm.id[i] - '0');
                ck_assert_uint_eq(nm.key,
                                  body * 11 + (nm.id[17] == 'X' ? 10 : (uint64_t)(nm.id[17] - '0')));
            } else {
                ck_assert_uint_eq(nm.key, 0);
                if (pos < 17 && digit && b != base[pos])
                    ck_assert_msg(st == ID_BAD_CHECKSUM || st == ID_BAD_DATE ||
                                      st == ID_BAD_PROVINCE || st == ID_FUTURE_DATE,
                                  "digit %c at %d: status %d", b, pos, st);
            }
        }
}
END_TEST

Suite *idcard_suite(void)
{
    Suite *s = suite_create("idcard");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_vectors, 0, (int)(sizeof vecs / sizeof vecs[0]));
    tcase_add_test(tc, test_gb11643_example);
    tcase_add_test(tc, test_len_is_respected);
    tcase_add_test(tc, test_as_of_boundary);
    tcase_add_test(tc, test_key_roundtrip_and_distinct);
    tcase_add_test(tc, test_status_text);
    tcase_add_test(tc, test_every_byte_every_position);
    suite_add_tcase(s, tc);
    return s;
}
