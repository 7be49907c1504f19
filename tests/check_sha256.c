/* check_sha256.c - unit tests for base/sha256.c: the FIPS 180-4 example
 * vectors, every padding boundary, and the base64 form a CSP hash takes.
 *
 * Owns: the sha256 suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "tests.h"

static void hex(const uint8_t d[SHA256_LEN], char out[65])
{
    for (int i = 0; i < SHA256_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

START_TEST(test_vectors)
{
    static const struct {
        const char *in, *hex;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",   /* 56 bytes */
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
         "klmnopqrlmnopqrsmnopqrstnopqrstu",   /* 112 bytes */
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t d[SHA256_LEN];
        char h[65];
        sha256(cases[i].in, strlen(cases[i].in), d);
        hex(d, h);
        ck_assert_str_eq(h, cases[i].hex);
    }
    /* a million 'a' (FIPS 180-4's long example) */
    char *m = malloc(1000000);
    ck_assert_ptr_nonnull(m);
    memset(m, 'a', 1000000);
    uint8_t d[SHA256_LEN];
    char h[65];
    sha256(m, 1000000, d);
    hex(d, h);
    ck_assert_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}
END_TEST

/* Lengths around the padding boundaries (55, 56, 63, 64, 119, 120 bytes),
 * against digests computed with coreutils' sha256sum. */
START_TEST(test_padding_boundaries)
{
    static const struct {
        size_t n;
        const char *hex;
    } cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    char buf[128];
    memset(buf, 'a', sizeof buf);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t d[SHA256_LEN];
        char h[65];
        sha256(buf, cases[i].n, d);
        hex(d, h);
        ck_assert_msg(strcmp(h, cases[i].hex) == 0, "%zu bytes: %s", cases[i].n, h);
    }
}
END_TEST

START_TEST(test_base64)
{
    char b[SHA256_B64_LEN];
    sha256_base64("", 0, b);
    ck_assert_str_eq(b, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    sha256_base64("abc", 3, b);
    ck_assert_str_eq(b, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    ck_assert_uint_eq(strlen(b), SHA256_B64_LEN - 1);
}
END_TEST

Suite *sha256_suite(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_padding_boundaries);
    tcase_add_test(tc, test_base64);
    suite_add_tcase(s, tc);
    return s;
}
