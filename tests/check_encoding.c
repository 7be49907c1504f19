/* check_encoding.c - unit tests for encoding.c (UTF-8 / GB18030 input).
 *
 * Owns: the encoding suite.  Tests only through the encoding.h API (plus
 * iconv(3) to cross-check GB18030 bytes); in-memory buffers only, no files.
 */
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/encoding.h"
#include "tests.h"

/* Decode s[0..n) and check nothing was an error. */
static struct decoded dec(const char *s, size_t n, enum enc want)
{
    struct decoded d;
    struct err e;
    err_init(&e);
    int rc = enc_decode("test.csv", (const unsigned char *)s, n, want, &d, &e);
    ck_assert_msg(rc == E_OK, "enc_decode: %d %s", rc, e.msg);
    ck_assert_ptr_nonnull(d.data);
    ck_assert_int_eq(d.data[d.len], '\0');
    return d;
}

#define DEC(lit, want) dec((lit), sizeof(lit) - 1, (want))

static void assert_bytes(const struct decoded *d, const char *want, size_t n)
{
    ck_assert_msg(d->len == n, "length %zu, want %zu", d->len, n);
    ck_assert_msg(memcmp(d->data, want, n) == 0, "decoded bytes differ");
}

#define ASSERT_BYTES(d, lit) assert_bytes((d), (lit), sizeof(lit) - 1)

static void assert_clean(const struct decoded *d)
{
    ck_assert_uint_eq(d->n_bad, 0);
    ck_assert_ptr_null(d->bad_lines);
    ck_assert(d->first_bad_byte == -1);
}

START_TEST(test_bom_stripped)
{
    struct decoded d = DEC("\xEF\xBB\xBF" "a,b\n1,2\n", ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_UTF8);
    ck_assert_int_eq(d.had_bom, 1);
    ASSERT_BYTES(&d, "a,b\n1,2\n");
    assert_clean(&d);
    decoded_free(&d);

    d = DEC("\xEF\xBB\xBF" "a,b\n", ENC_UTF8);
    ck_assert_int_eq(d.had_bom, 1);
    ASSERT_BYTES(&d, "a,b\n");
    decoded_free(&d);

    /* Declared GB18030: a UTF-8 BOM is still removed, not read as 锘. */
    d = DEC("\xEF\xBB\xBF" "a,\xD5\xC5\n", ENC_GB18030);
    ck_assert_int_eq(d.had_bom, 1);
    ASSERT_BYTES(&d, "a,张\n");
    assert_clean(&d);
    decoded_free(&d);

    /* Only at the very start. */
    d = DEC("a\n\xEF\xBB\xBF" "b\n", ENC_AUTO);
    ck_assert_int_eq(d.had_bom, 0);
    ASSERT_BYTES(&d, "a\n\xEF\xBB\xBF" "b\n");
    decoded_free(&d);

    /* A BOM alone. */
    d = DEC("\xEF\xBB\xBF", ENC_AUTO);
    ck_assert_int_eq(d.had_bom, 1);
    ck_assert_uint_eq(d.len, 0);
    decoded_free(&d);

    /* A GB18030 BOM (U+FEFF = 84 31 95 33) on GB18030 text is removed too. */
    d = DEC("\x84\x31\x95\x33" "\xD5\xC5\n", ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_int_eq(d.had_bom, 1);
    ASSERT_BYTES(&d, "张\n");
    decoded_free(&d);
}
END_TEST

START_TEST(test_utf8_passes)
{
    static const char text[] = "姓名,身份证号,金额\n张三,11010519491231002X,1234.50\r\n"
                               "𠀀,\xEF\xBC\x91,\t\n\0nul\nno final newline";
    struct decoded d = dec(text, sizeof text - 1, ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_UTF8);
    ck_assert_int_eq(d.had_bom, 0);
    assert_bytes(&d, text, sizeof text - 1);
    assert_clean(&d);
    decoded_free(&d);

    d = dec(text, sizeof text - 1, ENC_UTF8);
    ck_assert_int_eq(d.used, ENC_UTF8);
    assert_bytes(&d, text, sizeof text - 1);
    assert_clean(&d);
    decoded_free(&d);
}
END_TEST

START_TEST(test_empty)
{
    struct decoded d;
    struct err e;
    err_init(&e);
    for (int w = ENC_AUTO; w <= ENC_GB18030; w++) {
        ck_assert_int_eq(enc_decode("empty.csv", NULL, 0, (enum enc)w, &d, &e), E_OK);
        ck_assert_ptr_nonnull(d.data);
        ck_assert_uint_eq(d.len, 0);
        ck_assert_str_eq(d.data, "");
        ck_assert_int_eq(d.used, w == ENC_GB18030 ? ENC_GB18030 : ENC_UTF8);
        assert_clean(&d);
        decoded_free(&d);
    }
}
END_TEST

START_TEST(test_gbk_detected)
{
    /* GBK 张三 = D5 C5 C8 FD */
    struct decoded d = DEC("\xD5\xC5\xC8\xFD", ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_int_eq(d.had_bom, 0);
    ck_assert_str_eq(d.data, "张三");
    assert_clean(&d);
    decoded_free(&d);

    /* Several lines, ASCII lines among them, CRLF kept. */
    d = DEC("name,id\r\n\xD5\xC5\xC8\xFD,1\r\n\xC0\xEE\xCB\xC4,2\r\nplain\n", ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_str_eq(d.data, "name,id\r\n张三,1\r\n李四,2\r\nplain\n");
    assert_clean(&d);
    decoded_free(&d);

    /* Declared GB18030 gives the same. */
    d = DEC("\xD5\xC5\xC8\xFD\n", ENC_GB18030);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_str_eq(d.data, "张三\n");
    assert_clean(&d);
    decoded_free(&d);
}
END_TEST

/* Convert UTF-8 to GB18030 with iconv, independently of encoding.c. */
static size_t to_gb18030(const char *utf8, unsigned char *out, size_t cap)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    ck_assert(cd != (iconv_t)-1);
    char *ip = (char *)utf8, *op = (char *)out;
    size_t il = strlen(utf8), ol = cap;
    ck_assert(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    return cap - ol;
}

START_TEST(test_gb18030_four_byte)
{
    /* U+3F06 㼆 (BMP, 4-byte in GB18030) and U+20000 𠀀 (supplementary). */
    unsigned char gb[32];
    size_t n = to_gb18030("㼆", gb, sizeof gb);
    ck_assert_uint_eq(n, 4);
    ck_assert(memcmp(gb, "\x82\x32\x8D\x37", 4) == 0); /* as computed by iconv */

    struct decoded d = dec((const char *)gb, n, ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_str_eq(d.data, "㼆");
    decoded_free(&d);

    const char *text = "a,㼆𠀀€,张\n";
    n = to_gb18030(text, gb, sizeof gb);
    d = dec((const char *)gb, n, ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_str_eq(d.data, text);
    assert_clean(&d);
    decoded_free(&d);

    d = DEC("\x90\x30\x81\x30", ENC_GB18030); /* U+10000 */
    ck_assert_str_eq(d.data, "\xF0\x90\x80\x80");
    decoded_free(&d);
}
END_TEST

START_TEST(test_gb_bytes_valid_utf8_stay_utf8)
{
    /* C4 A3 is GBK 模 but also valid UTF-8 (U+0123): AUTO says UTF-8. */
    struct decoded d = DEC("\xC4\xA3\n", ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_UTF8);
    ck_assert_str_eq(d.data, "\xC4\xA3\n");
    assert_clean(&d);
    decoded_free(&d);

    d = DEC("\xC4\xA3\n", ENC_GB18030);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_str_eq(d.data, "模\n");
    decoded_free(&d);
}
END_TEST

START_TEST(test_mixed_not_gb18030)
{
    /* Line 3 is a lone FF: invalid UTF-8 and invalid GB18030. */
    static const char text[] = "a,b\n张三,1\n\xFF\nc,d\n";
    struct decoded d = DEC(text, ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_UTF8);
    assert_bytes(&d, text, sizeof text - 1);   /* copied through unchanged */
    ck_assert_uint_eq(d.n_bad, 1);
    ck_assert(d.bad_lines[0] == 3);
    ck_assert(d.first_bad_byte == 13);         /* 4 + 9 bytes before it */
    decoded_free(&d);

    /* GBK lines plus an FF line: not wholly GB18030 either, so UTF-8 with
     * every line that is not UTF-8 listed. */
    d = DEC("ok\n\xD5\xC5\n\xFF\nok\n\xC8\xFD\xC8\xFD\xC8\xFD", ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_UTF8);
    ck_assert_uint_eq(d.n_bad, 3);
    ck_assert(d.bad_lines[0] == 2 && d.bad_lines[1] == 3 && d.bad_lines[2] == 5);
    ck_assert(d.first_bad_byte == 3);
    decoded_free(&d);

    /* CRLF, bad byte in the middle of a line, last line unterminated. */
    d = DEC("h1,h2\r\nx\xC0\x80y,1\r\nfine\r\n\xE4\xB8", ENC_UTF8);
    ck_assert_int_eq(d.used, ENC_UTF8);
    ck_assert_uint_eq(d.n_bad, 2);
    ck_assert(d.bad_lines[0] == 2 && d.bad_lines[1] == 4);
    ck_assert(d.first_bad_byte == 8);
    decoded_free(&d);
}
END_TEST

START_TEST(test_declared_utf8_with_gbk)
{
    struct decoded d = DEC("id\n\xD5\xC5\xC8\xFD\n", ENC_UTF8);
    ck_assert_int_eq(d.used, ENC_UTF8);
    ASSERT_BYTES(&d, "id\n\xD5\xC5\xC8\xFD\n");
    ck_assert_uint_eq(d.n_bad, 1);
    ck_assert(d.bad_lines[0] == 2);
    ck_assert(d.first_bad_byte == 3);
    decoded_free(&d);
}
END_TEST

START_TEST(test_declared_gb18030_bad_line)
{
    /* Line 2 holds 0x80, which is not GB18030. */
    struct decoded d = DEC("\xD5\xC5\xC8\xFD\n\x80,x\n\xC0\xEE\xCB\xC4\n", ENC_GB18030);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ASSERT_BYTES(&d, "张三\n\x80,x\n李四\n");
    ck_assert_uint_eq(d.n_bad, 1);
    ck_assert(d.bad_lines[0] == 2);
    ck_assert(d.first_bad_byte == 5);
    decoded_free(&d);

    /* A lead byte cut off by the end of its line (incomplete), a bad trail
     * byte (A1 7F), and a lead byte followed by LF. */
    d = DEC("\xD5\xC5\xC8\n" "ab\xA1\x7F\n" "\xD5\n" "\xD5\xC5", ENC_GB18030);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ASSERT_BYTES(&d, "\xD5\xC5\xC8\n" "ab\xA1\x7F\n" "\xD5\n" "张");
    ck_assert_uint_eq(d.n_bad, 3);
    ck_assert(d.bad_lines[0] == 1 && d.bad_lines[1] == 2 && d.bad_lines[2] == 3);
    ck_assert(d.first_bad_byte == 2);
    decoded_free(&d);

    /* first_bad_byte counts the BOM: it is an offset in the input. */
    d = DEC("\xEF\xBB\xBF" "ok\n" "\xD5\xC5\xFF\n", ENC_GB18030);
    ck_assert_uint_eq(d.n_bad, 1);
    ck_assert(d.bad_lines[0] == 2);
    ck_assert(d.first_bad_byte == 8);
    decoded_free(&d);
}
END_TEST

START_TEST(test_first_bad_byte_utf8)
{
    struct decoded d = DEC("\xEF\xBB\xBF" "ab\n\xC0\x80\n", ENC_UTF8);
    ck_assert_int_eq(d.used, ENC_UTF8);
    ck_assert_int_eq(d.had_bom, 1);
    ASSERT_BYTES(&d, "ab\n\xC0\x80\n");
    ck_assert_uint_eq(d.n_bad, 1);
    ck_assert(d.bad_lines[0] == 2);
    ck_assert(d.first_bad_byte == 6);
    decoded_free(&d);

    /* In AUTO mode the same bytes are GB18030 (C0 80 is GBK U+7EAE), so
     * nothing is bad. */
    d = DEC("\xEF\xBB\xBF" "ab\n\xC0\x80\n", ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_str_eq(d.data, "ab\n\xE7\xBA\xAE\n");
    assert_clean(&d);
    decoded_free(&d);

    /* After a long valid run (exercises the word-at-a-time path). */
    d = DEC("0123456789abcdefghij\nklmnopqrstuvwxyz 0123\xED\xA0\x80\n", ENC_UTF8);
    ck_assert_uint_eq(d.n_bad, 1);
    ck_assert(d.bad_lines[0] == 2);
    ck_assert(d.first_bad_byte == 42);
    decoded_free(&d);
}
END_TEST

START_TEST(test_many_lines)
{
    /* 3000 lines of GBK; every 97th line is a lone FF. */
    enum { LINES = 3000 };
    size_t cap = (size_t)LINES * 32, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (int i = 1; i <= LINES; i++) {
        if (i % 97 == 0)
            n += (size_t)snprintf(buf + n, cap - n, "\xFF\n");
        else
            n += (size_t)snprintf(buf + n, cap - n, "\xD5\xC5\xC8\xFD,%d\n", i);
    }
    struct decoded d = dec(buf, n, ENC_GB18030);
    ck_assert_int_eq(d.used, ENC_GB18030);
    ck_assert_uint_eq(d.n_bad, LINES / 97);
    for (size_t k = 0; k < d.n_bad; k++)
        ck_assert(d.bad_lines[k] == (long long)(k + 1) * 97);
    ck_assert(strncmp(d.data, "张三,1\n张三,2\n", strlen("张三,1\n张三,2\n")) == 0);
    decoded_free(&d);

    d = dec(buf, n, ENC_AUTO);           /* not wholly GB18030 */
    ck_assert_int_eq(d.used, ENC_UTF8);
    ck_assert_uint_eq(d.n_bad, LINES);   /* every line is invalid UTF-8 */
    assert_bytes(&d, buf, n);
    decoded_free(&d);

    /* Without the FF lines the whole file is GB18030. */
    n = 0;
    for (int i = 1; i <= LINES; i++)
        n += (size_t)snprintf(buf + n, cap - n, "\xD5\xC5\xC8\xFD,%d\n", i);
    d = dec(buf, n, ENC_AUTO);
    ck_assert_int_eq(d.used, ENC_GB18030);
    assert_clean(&d);
    ck_assert_uint_eq(d.len, n + (size_t)LINES * 2); /* 4 GBK bytes -> 6 UTF-8 */
    decoded_free(&d);
    free(buf);
}
END_TEST

START_TEST(test_free_twice)
{
    struct decoded d = DEC("\xFF\n", ENC_AUTO);
    decoded_free(&d);
    ck_assert_ptr_null(d.data);
    ck_assert_ptr_null(d.bad_lines);
    decoded_free(&d);
    decoded_free(NULL);
}
END_TEST

struct prefix_vec {
    const char *s;
    size_t n;
    size_t want;
};

#define PV(lit, want) { (lit), sizeof(lit) - 1, (want) }

static const struct prefix_vec prefix_vecs[] = {
    PV("", 0),
    PV("plain ascii", 11),
    PV("\xC0\x80", 0),                 /* overlong NUL */
    PV("\xC1\xBF", 0),                 /* overlong */
    PV("\xE0\x9F\xBF", 0),             /* overlong 3-byte */
    PV("\xF0\x8F\xBF\xBF", 0),         /* overlong 4-byte */
    PV("\xED\xA0\x80", 0),             /* U+D800 surrogate */
    PV("\xED\xBF\xBF", 0),             /* U+DFFF surrogate */
    PV("\xF4\x90\x80\x80", 0),         /* U+110000 */
    PV("\xF5\x80\x80\x80", 0),
    PV("\xE4\xB8", 0),                 /* truncated 张-like sequence */
    PV("ab\xE4\xB8", 2),
    PV("\xE4\x41\x80", 0),             /* continuation missing */
    PV("\x80", 0),                     /* lone continuation */
    PV("\xFF", 0),
    PV("\xFE", 0),
    PV("\xC2\x80", 2),                 /* U+0080 */
    PV("\xE0\xA0\x80", 3),             /* U+0800 */
    PV("\xED\x9F\xBF", 3),             /* U+D7FF */
    PV("\xEE\x80\x80", 3),             /* U+E000 */
    PV("\xEF\xBF\xBF", 3),             /* U+FFFF */
    PV("\xF0\x90\x80\x80", 4),         /* U+10000 */
    PV("\xF4\x8F\xBF\xBF", 4),         /* U+10FFFF */
    PV("abc\xE4\xB8\xAD" "d", 7),
    PV("0123456789abcdef\xC0\x80", 16),
    PV("0123456789abcdefg\xE4\xB8\xAD", 20),
    PV("0123456789abcdefg\xE4\xB8\xAD\xFF", 20),
    PV("nul\0inside", 10),
};

START_TEST(test_utf8_valid_prefix)
{
    const struct prefix_vec *v = &prefix_vecs[_i];
    size_t got = utf8_valid_prefix((const unsigned char *)v->s, v->n);
    ck_assert_msg(got == v->want, "vector %d: %zu, want %zu", _i, got, v->want);
}
END_TEST

/* The vector path (AVX2, used from 64 bytes on) must give the scalar
 * answer.  Each vector above inside longer text: after p bytes of ASCII or
 * of 3-byte CJK, so its bytes fall on every position of a 32-byte block,
 * with the end of input right after it or after more text. */
START_TEST(test_utf8_vectors_in_context)
{
    const struct prefix_vec *v = &prefix_vecs[_i];
    unsigned char buf[400];
    for (int cjk = 0; cjk < 2; cjk++)
        for (size_t p = 0; p < 100; p++)
            for (int tail = 0; tail < 3; tail++) {
                size_t n = 0;
                while (n < p) {
                    if (cjk && p - n >= 3) {
                        memcpy(buf + n, "\xE4\xB8\xAD", 3);
                        n += 3;
                    } else {
                        buf[n++] = 'x';
                    }
                }
                size_t at = n;
                memcpy(buf + n, v->s, v->n);
                n += v->n;
                /* more text: ASCII, or ASCII then CJK (a block of ASCII
                 * between a cut sequence and more non-ASCII blocks) */
                if (tail)
                    for (int k = 0; k < 70; k++)
                        buf[n++] = 'y';
                if (tail == 2)
                    for (int k = 0; k < 30; k++, n += 3)
                        memcpy(buf + n, "\xE4\xB8\xAD", 3);
                size_t want = utf8_valid_prefix_scalar(buf, n);
                size_t got = utf8_valid_prefix(buf, n);
                ck_assert_msg(got == want, "vector %d after %zu (%s), tail %d: %zu, scalar %zu",
                              _i, p, cjk ? "cjk" : "ascii", tail, got, want);
                /* and the scalar one agrees with the table above */
                if (v->want < v->n)
                    ck_assert_uint_eq(want, at + v->want);
                else if (!tail)
                    ck_assert_uint_eq(want, n);
            }
}
END_TEST

/* Every lead byte 80-FF with every second byte, a choice of third and
 * fourth bytes, at the end of a block, across a block's edge and at the
 * very end of the input. */
START_TEST(test_utf8_vector_exhaustive_pairs)
{
    static const unsigned char third[] = {0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xE4};
    static const unsigned char fourth[] = {0x80, 0xBF, 0x41};
    static const size_t at[] = {30, 31, 32, 33, 62, 63, 64, 95};
    unsigned char buf[200];
    long long compared = 0;
    for (int b1 = 0x80; b1 <= 0xFF; b1++)
        for (int b2 = 0; b2 <= 0xFF; b2++)
            for (size_t t = 0; t < sizeof third; t++)
                for (size_t f = 0; f < sizeof fourth; f++)
                    for (size_t a = 0; a < sizeof at / sizeof *at; a++) {
                        memset(buf, 'z', sizeof buf);
                        size_t p = at[a];
                        buf[p] = (unsigned char)b1;
                        buf[p + 1] = (unsigned char)b2;
                        buf[p + 2] = third[t];
                        buf[p + 3] = fourth[f];
                        /* whole, and cut after each of the 4 bytes */
                        for (size_t n = p + 1; n <= p + 5; n++) {
                            size_t len = n == p + 5 ? sizeof buf : n;
                            size_t want = utf8_valid_prefix_scalar(buf, len);
                            size_t got = utf8_valid_prefix(buf, len);
                            if (got != want)
                                ck_abort_msg("%02X %02X %02X %02X at %zu, n %zu: %zu, scalar %zu",
                                             b1, b2, third[t], fourth[f], p, len, got, want);
                            compared++;
                        }
                    }
    ck_assert_int_gt(compared, 1000000);
}
END_TEST

/* Random text of every sequence length, then one random change: a byte
 * replaced, removed or inserted. */
START_TEST(test_utf8_vector_random)
{
    static const char *const pieces[] = {"a", ",", "\n", "\xC3\xA9", "\xE4\xB8\xAD",
                                         "\xE5\xBC\xA0", "\xF0\x9F\x98\x80",
                                         "\xEF\xBB\xBF", "\xF4\x8F\xBF\xBF"};
    uint64_t s = 0x243F6A8885A308D3u;
    unsigned char buf[700];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0, target = 64 + (size_t)(s % 500);
        while (n < target) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            const char *pc = pieces[s % (sizeof pieces / sizeof *pieces)];
            size_t k = strlen(pc);
            memcpy(buf + n, pc, k);
            n += k;
        }
        ck_assert_uint_eq(utf8_valid_prefix(buf, n), n);
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        size_t pos = (size_t)(s >> 8) % n;
        unsigned char byte = (unsigned char)s;
        switch (iter % 3) {
        case 0: buf[pos] = byte; break;
        case 1: memmove(buf + pos, buf + pos + 1, n - pos - 1); n--; break;
        default: memmove(buf + pos + 1, buf + pos, n - pos); buf[pos] = byte; n++; break;
        }
        size_t want = utf8_valid_prefix_scalar(buf, n);
        size_t got = utf8_valid_prefix(buf, n);
        ck_assert_msg(got == want, "iteration %d: %zu, scalar %zu", iter, got, want);
    }
}
END_TEST

START_TEST(test_names)
{
    enum enc e = ENC_UTF8;
    ck_assert_int_eq(enc_parse("UTF-8", &e), 0);
    ck_assert_int_eq(e, ENC_UTF8);
    ck_assert_int_eq(enc_parse("utf8", &e), 0);
    ck_assert_int_eq(e, ENC_UTF8);
    ck_assert_int_eq(enc_parse("GB18030", &e), 0);
    ck_assert_int_eq(e, ENC_GB18030);
    ck_assert_int_eq(enc_parse("gbk", &e), 0);
    ck_assert_int_eq(e, ENC_GB18030);
    e = ENC_UTF8;
    ck_assert_int_eq(enc_parse("Gb2312", &e), 0);
    ck_assert_int_eq(e, ENC_GB18030);
    ck_assert_int_eq(enc_parse("AUTO", &e), 0);
    ck_assert_int_eq(e, ENC_AUTO);
    e = ENC_UTF8;
    ck_assert_int_eq(enc_parse("latin1", &e), -1);
    ck_assert_int_eq(enc_parse("", &e), -1);
    ck_assert_int_eq(enc_parse("utf-8 ", &e), -1);
    ck_assert_int_eq(enc_parse(NULL, &e), -1);
    ck_assert_int_eq(e, ENC_UTF8);   /* untouched on failure */
    ck_assert_str_eq(enc_name(ENC_AUTO), "auto");
    ck_assert_str_eq(enc_name(ENC_UTF8), "utf-8");
    ck_assert_str_eq(enc_name(ENC_GB18030), "gb18030");
}
END_TEST

Suite *encoding_suite(void)
{
    Suite *s = suite_create("encoding");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_bom_stripped);
    tcase_add_test(tc, test_utf8_passes);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_gbk_detected);
    tcase_add_test(tc, test_gb18030_four_byte);
    tcase_add_test(tc, test_gb_bytes_valid_utf8_stay_utf8);
    tcase_add_test(tc, test_mixed_not_gb18030);
    tcase_add_test(tc, test_declared_utf8_with_gbk);
    tcase_add_test(tc, test_declared_gb18030_bad_line);
    tcase_add_test(tc, test_first_bad_byte_utf8);
    tcase_add_test(tc, test_many_lines);
    tcase_add_test(tc, test_free_twice);
    tcase_add_loop_test(tc, test_utf8_valid_prefix, 0,
                        (int)(sizeof prefix_vecs / sizeof prefix_vecs[0]));
    tcase_add_loop_test(tc, test_utf8_vectors_in_context, 0,
                        (int)(sizeof prefix_vecs / sizeof prefix_vecs[0]));
    tcase_add_test(tc, test_utf8_vector_exhaustive_pairs);
    tcase_add_test(tc, test_utf8_vector_random);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}
