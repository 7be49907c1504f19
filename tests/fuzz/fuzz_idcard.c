/* fuzz_idcard.c - libFuzzer target: id_normalise() (idcard.c) on arbitrary
 * bytes taken as one id_no value.
 *
 * The input is read in place (libFuzzer hands over a heap copy of exactly
 * `size` bytes, so AddressSanitizer catches a read past len), as of
 * 2026-06-15 and as of 9999-12-31.  Invariants (abort() when broken):
 *   - out.id is NUL-terminated within its 19 bytes and plain printable ASCII;
 *   - valid: 18 characters, key != 0, id_from_key(key) == id, the check
 *     character matches, the birth date is real and within 1900..as-of, and
 *     the id re-normalises to itself (same key, no folding flags);
 *   - invalid: key == 0, birth_ymd == 0, no ID_F_15_TO_18; when the folded
 *     text was not cut short it re-normalises to the same status;
 *   - white space in front changes nothing but ID_F_SPACE (this also
 *     compares the clean 18-character fast path with the general loop);
 *   - the result does not depend on the bytes after len.
 */
#define FUZZ_TARGET "fuzz_idcard"
#include "fuzz_main.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract/idcard.h"

static int real_ymd(int ymd)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

static void check_id_text(const struct id_norm *nm)
{
    const char *z = memchr(nm->id, '\0', sizeof nm->id);
    CHECK(z != NULL);
    for (const char *p = nm->id; p < z; p++)
        CHECK(*p > 0x20 && *p < 0x7F);
}

static void one(const uint8_t *s, size_t len, int as_of)
{
    struct id_norm nm;
    memset(&nm, 0xA5, sizeof nm);   /* every field must be written */
    enum id_status st = id_normalise((const char *)s, len, as_of, &nm);
    CHECK(st >= ID_OK && st <= ID_BAD_CHECKSUM);
    CHECK(id_status_text(st) != NULL);
    check_id_text(&nm);
    CHECK((nm.flags & ~15u) == 0);
    size_t idlen = strlen(nm.id);

    if (st == ID_OK) {
        CHECK(idlen == 18);
        CHECK(nm.key != 0);
        char back[19];
        id_from_key(nm.key, back);
        CHECK(memcmp(back, nm.id, 19) == 0);
        CHECK(id_check_char(nm.id) == nm.id[17]);
        CHECK(real_ymd(nm.birth_ymd) && nm.birth_ymd <= as_of);
        char b8[9];
        memcpy(b8, nm.id + 6, 8);
        b8[8] = '\0';
        CHECK(atoi(b8) == nm.birth_ymd);
        if (nm.flags & ID_F_15_TO_18)
            CHECK(nm.id[6] == '1' && nm.id[7] == '9');
        /* idempotent */
        struct id_norm again;
        CHECK(id_normalise(nm.id, 18, as_of, &again) == ID_OK);
        CHECK(again.key == nm.key && again.birth_ymd == nm.birth_ymd && again.flags == 0);
        CHECK(memcmp(again.id, nm.id, 19) == 0);
    } else {
        CHECK(nm.key == 0);
        CHECK(nm.birth_ymd == 0);
        CHECK((nm.flags & ID_F_15_TO_18) == 0);
        CHECK((st == ID_EMPTY) == (idlen == 0));
        if (st == ID_BAD_PROVINCE || st == ID_BAD_DATE || st == ID_FUTURE_DATE ||
            st == ID_BAD_CHECKSUM)
            CHECK(idlen == 18 || idlen == 15);
        if (idlen < 18 || st >= ID_BAD_PROVINCE) {
            /* the folded text was not cut short: it says the same */
            struct id_norm again;
            enum id_status st2 = id_normalise(nm.id, idlen, as_of, &again);
            CHECK(st2 == st);
        }
    }

    /* white space in front: the same result, plus ID_F_SPACE */
    static const char *const pre[] = {" ", "\t", "\xe3\x80\x80", "\xc2\xa0"};
    const char *p = pre[len % 4];
    size_t pl = strlen(p);
    char *buf = malloc(pl + len + 1);
    CHECK(buf != NULL);
    memcpy(buf, p, pl);
    if (len)
        memcpy(buf + pl, s, len);
    buf[pl + len] = 'Z';   /* past len: must not be read */
    struct id_norm sp;
    enum id_status st3 = id_normalise(buf, pl + len, as_of, &sp);
    CHECK(st3 == st);
    CHECK(sp.key == nm.key && sp.birth_ymd == nm.birth_ymd);
    CHECK(sp.flags == (nm.flags | ID_F_SPACE));
    CHECK(strcmp(sp.id, nm.id) == 0);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, 20260615);
    one(data, size, 99991231);
    if (size == 0) {
        struct id_norm nm;
        CHECK(id_normalise(NULL, 0, 20260615, &nm) == ID_EMPTY);
        CHECK(nm.id[0] == '\0');
    }
    return 0;
}
