/* fuzz_encoding.c - libFuzzer target: enc_decode() (encoding.c) on arbitrary
 * bytes taken as a whole input file, with ENC_AUTO, ENC_UTF8 and
 * ENC_GB18030.
 *
 * Invariants (abort() when broken):
 *   - E_OK always (undecodable bytes are data, not an error); data is
 *     NUL-terminated at len; used is UTF-8 or GB18030 as asked (auto: one of
 *     them); had_bom only when the input starts with a BOM;
 *   - read as UTF-8, the bytes after a UTF-8 BOM are copied unchanged, and
 *     bad_lines are exactly the lines that are not valid UTF-8, first_bad_byte
 *     the first invalid byte; auto gives that unless it gives GB18030 with
 *     no bad line (the input is then not valid UTF-8);
 *   - decoded as GB18030, the text has the input's line count; each line
 *     listed in bad_lines is copied unchanged, every other line is valid
 *     UTF-8 (so with no bad lines the whole output is), an ASCII line is
 *     copied unchanged, and encoding it back to GB18030 gives the input line;
 *   - bad_lines strictly ascending within 1..line count; n_bad == 0 exactly
 *     when first_bad_byte == -1;
 *   - decoded_free() frees everything (LeakSanitizer at exit of each run).
 */
#define FUZZ_TARGET "fuzz_encoding"
#include "fuzz_main.h"

#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/encoding.h"

static iconv_t to_gb;   /* UTF-8 -> GB18030, for the round trip */

static size_t count_lf(const unsigned char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += s[i] == '\n';
    return c;
}

/* Next line of s[*pos..n) including its LF; returns its length. */
static size_t next_line(const unsigned char *s, size_t n, size_t *pos, const unsigned char **ln)
{
    *ln = s + *pos;
    const unsigned char *nl = memchr(s + *pos, '\n', n - *pos);
    size_t end = nl ? (size_t)(nl - s) + 1 : n;
    size_t len = end - *pos;
    *pos = end;
    return len;
}

static int is_bad(const struct decoded *d, long long line)
{
    for (size_t i = 0; i < d->n_bad; i++)
        if (d->bad_lines[i] == line)
            return 1;
    return 0;
}

static void check_common(const struct decoded *d, size_t lines)
{
    CHECK(d->data != NULL);
    CHECK(d->data[d->len] == '\0');
    CHECK(d->used == ENC_UTF8 || d->used == ENC_GB18030);
    CHECK((d->n_bad == 0) == (d->first_bad_byte == -1));
    CHECK(d->n_bad == 0 || d->bad_lines != NULL);
    for (size_t i = 0; i < d->n_bad; i++) {
        CHECK(d->bad_lines[i] >= 1 && (size_t)d->bad_lines[i] <= lines);
        if (i)
            CHECK(d->bad_lines[i] > d->bad_lines[i - 1]);
    }
}

/* Read as UTF-8: copied, and the bad lines are the invalid ones. */
static void check_utf8(const struct decoded *d, const uint8_t *in, size_t n)
{
    size_t start = (n >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF) ? 3 : 0;
    CHECK(d->used == ENC_UTF8);
    CHECK(d->had_bom == (start == 3));
    CHECK(d->len == n - start);
    CHECK(d->len == 0 || memcmp(d->data, in + start, d->len) == 0);
    size_t v = utf8_valid_prefix(in + start, n - start);
    CHECK(v <= n - start);
    if (v == n - start)
        CHECK(d->first_bad_byte == -1);
    else
        CHECK(d->first_bad_byte == (long long)(start + v));
    size_t pos = start, k = 0;
    long long line = 0;
    while (pos < n) {
        const unsigned char *ln;
        size_t len = next_line(in, n, &pos, &ln);
        line++;
        int bad = utf8_valid_prefix(ln, len) != len;
        if (bad) {
            CHECK(k < d->n_bad && d->bad_lines[k] == line);
            k++;
        }
    }
    CHECK(k == d->n_bad);
}

/* Decoded as GB18030: line by line. */
static void check_gb(const struct decoded *d, const uint8_t *in, size_t n)
{
    CHECK(d->used == ENC_GB18030);
    size_t start = 0;
    if (n >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF)
        start = 3;   /* a UTF-8 BOM is dropped whatever the encoding */
    else if (n >= 4 && memcmp(in, "\x84\x31\x95\x33", 4) == 0)
        start = 4;
    CHECK(d->had_bom == (start > 0));
    if (d->n_bad == 0)
        CHECK(utf8_valid_prefix((const unsigned char *)d->data, d->len) == d->len);
    CHECK(count_lf((const unsigned char *)d->data, d->len) == count_lf(in + start, n - start));
    size_t ip = start, op = 0;
    long long line = 0;
    const unsigned char *out = (const unsigned char *)d->data;
    while (ip < n) {
        const unsigned char *il, *ol;
        size_t ilen = next_line(in, n, &ip, &il);
        size_t olen = next_line(out, d->len, &op, &ol);
        line++;
        int ascii = 1;
        for (size_t i = 0; i < ilen && ascii; i++)
            ascii = il[i] < 0x80;
        if (is_bad(d, line) || ascii) {
            CHECK(olen == ilen && memcmp(ol, il, ilen) == 0);
            continue;
        }
        CHECK(utf8_valid_prefix(ol, olen) == olen);
        /* back to GB18030: the input line again */
        iconv(to_gb, NULL, NULL, NULL, NULL);
        size_t cap = olen * 4 + 16;
        char *back = malloc(cap);
        CHECK(back != NULL);
        char *src = (char *)ol, *dst = back;
        size_t sl = olen, dl = cap;
        size_t r = iconv(to_gb, &src, &sl, &dst, &dl);
        CHECK(r != (size_t)-1);
        CHECK((size_t)(dst - back) == ilen && memcmp(back, il, ilen) == 0);
        free(back);
    }
    CHECK(op == d->len);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    to_gb = iconv_open("GB18030", "UTF-8");
    CHECK(to_gb != (iconv_t)-1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum enc wants[3] = {ENC_AUTO, ENC_UTF8, ENC_GB18030};
    size_t lines = count_lf(data, size) + 1;
    for (int w = 0; w < 3; w++) {
        struct decoded d;
        struct err e;
        err_init(&e);
        int st = enc_decode("fuzz.csv", data, size, wants[w], &d, &e);
        CHECK(st == E_OK);
        check_common(&d, lines);
        if (wants[w] == ENC_UTF8 || (wants[w] == ENC_AUTO && d.used == ENC_UTF8)) {
            check_utf8(&d, data, size);
        } else {
            check_gb(&d, data, size);
            if (wants[w] == ENC_AUTO) {
                /* chosen only when the input is not UTF-8 and all of it decodes */
                size_t s = (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) ? 3 : 0;
                CHECK(utf8_valid_prefix(data + s, size - s) != size - s);
                CHECK(d.n_bad == 0);
            }
        }
        decoded_free(&d);
        CHECK(d.data == NULL && d.bad_lines == NULL && d.n_bad == 0 && d.len == 0);
    }
    return 0;
}
