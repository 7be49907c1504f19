/* gen.c - seeded synthetic input data for hedui (see bench/README.md).
 *
 *   gen --out DIR --sf SCALE [--seed N] [--as-of YYYY-MM-DD] [--dirty RATE]
 *       [--gb18030 FILE,FILE...] [--jobs 1|2] [--truth 1]
 *
 * Writes every input file of the data contract into DIR, plus
 * gen-summary.txt.  SF 1 is about 300k assistance households (1M members),
 * 3M hukou persons, 1M vehicles, 1.5M property rows and 10M social-insurance
 * rows.  Single file, libc only (fork for a second process).
 *
 * Determinism: every registry household and every non-assisted hukou
 * household ("general unit") draws from its own xoshiro256** stream seeded
 * from (seed, kind, index).  ID numbers come from per-(origin, birth year)
 * counters, so they are unique by construction; because of the counters the
 * units are generated in a fixed order.  Dirt uses one separate stream per
 * file, so the dirty data set is the clean one with some rows altered.
 * With --jobs 2 (default) a child process writes social_insurance.csv while
 * the parent writes the rest; both walk the same units, so the output does
 * not depend on --jobs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* ------------------------------------------------------------------ PRNG */

typedef struct { uint64_t s[4]; } rng_t;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t splitmix64(uint64_t *x)
{
    return mix64(*x += 0x9e3779b97f4a7c15ULL);
}

static void rng_init(rng_t *r, uint64_t seed, uint64_t kind, uint64_t idx)
{
    uint64_t x = mix64(seed ^ 0x243f6a8885a308d3ULL) ^ mix64(kind * 0x9e3779b97f4a7c15ULL + 0x13198a2e03707344ULL)
                 ^ mix64(idx + 0xa4093822299f31d0ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

/* uniform in [0, n) */
static inline uint32_t rnd(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}
/* uniform in [lo, hi] */
static inline int rr(rng_t *r, int lo, int hi) { return lo + (int)rnd(r, (uint32_t)(hi - lo + 1)); }
static inline int64_t rr64(rng_t *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}
/* true with probability ppm / 1e6 */
static inline int chance(rng_t *r, uint32_t ppm) { return rnd(r, 1000000) < ppm; }

static int pick_w(rng_t *r, const int *w, int n)
{
    int tot = 0;
    for (int i = 0; i < n; i++)
        tot += w[i];
    int x = (int)rnd(r, (uint32_t)tot);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ----------------------------------------------------------------- dates */

static int32_t dfc(int y, int m, int d) /* days since 1970-01-01 */
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

static void cfd(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)yoe + era * 400 + (mm <= 2);
    *m = (int)mm;
    *d = (int)dd;
}

static int dow(int32_t z) { return (int)(((z % 7) + 7 + 3) % 7); } /* 0 = Monday */

static void put2(char *b, int v) { b[0] = (char)('0' + v / 10 % 10); b[1] = (char)('0' + v % 10); }
static void put4(char *b, int v) { put2(b, v / 100); put2(b + 2, v % 100); }

static int fmt_date(char *b, int32_t z)
{
    int y, m, d;
    cfd(z, &y, &m, &d);
    put4(b, y);
    b[4] = '-';
    put2(b + 5, m);
    b[7] = '-';
    put2(b + 8, d);
    b[10] = 0;
    return 10;
}

static int parse_date(const char *s, int32_t *out)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    int32_t z = dfc(y, m, d);
    int yy, mm, dd;
    cfd(z, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d)
        return -1;
    *out = z;
    return 0;
}

/* ------------------------------------------------------------- holidays */

/* The shipped 2023-2026 calendar (rules/holidays.csv), written verbatim to
 * holidays.csv and used for the P01 working-day arithmetic. */
static const char HOLIDAYS_CSV[] =
/* HOLIDAYS-BEGIN */
    "date,kind\n"
    "2023-01-02,holiday\n"
    "2023-01-21,holiday\n"
    "2023-01-22,holiday\n"
    "2023-01-23,holiday\n"
    "2023-01-24,holiday\n"
    "2023-01-25,holiday\n"
    "2023-01-26,holiday\n"
    "2023-01-27,holiday\n"
    "2023-01-28,workday\n"
    "2023-01-29,workday\n"
    "2023-04-05,holiday\n"
    "2023-04-23,workday\n"
    "2023-04-29,holiday\n"
    "2023-04-30,holiday\n"
    "2023-05-01,holiday\n"
    "2023-05-02,holiday\n"
    "2023-05-03,holiday\n"
    "2023-05-06,workday\n"
    "2023-06-22,holiday\n"
    "2023-06-23,holiday\n"
    "2023-06-24,holiday\n"
    "2023-06-25,workday\n"
    "2023-09-29,holiday\n"
    "2023-09-30,holiday\n"
    "2023-10-01,holiday\n"
    "2023-10-02,holiday\n"
    "2023-10-03,holiday\n"
    "2023-10-04,holiday\n"
    "2023-10-05,holiday\n"
    "2023-10-06,holiday\n"
    "2023-10-07,workday\n"
    "2023-10-08,workday\n"
    "2023-12-30,holiday\n"
    "2023-12-31,holiday\n"
    "2024-01-01,holiday\n"
    "2024-02-04,workday\n"
    "2024-02-10,holiday\n"
    "2024-02-11,holiday\n"
    "2024-02-12,holiday\n"
    "2024-02-13,holiday\n"
    "2024-02-14,holiday\n"
    "2024-02-15,holiday\n"
    "2024-02-16,holiday\n"
    "2024-02-17,holiday\n"
    "2024-02-18,workday\n"
    "2024-04-04,holiday\n"
    "2024-04-05,holiday\n"
    "2024-04-06,holiday\n"
    "2024-04-07,workday\n"
    "2024-04-28,workday\n"
    "2024-05-01,holiday\n"
    "2024-05-02,holiday\n"
    "2024-05-03,holiday\n"
    "2024-05-04,holiday\n"
    "2024-05-05,holiday\n"
    "2024-05-11,workday\n"
    "2024-06-08,holiday\n"
    "2024-06-09,holiday\n"
    "2024-06-10,holiday\n"
    "2024-09-14,workday\n"
    "2024-09-15,holiday\n"
    "2024-09-16,holiday\n"
    "2024-09-17,holiday\n"
    "2024-09-29,workday\n"
    "2024-10-01,holiday\n"
    "2024-10-02,holiday\n"
    "2024-10-03,holiday\n"
    "2024-10-04,holiday\n"
    "2024-10-05,holiday\n"
    "2024-10-06,holiday\n"
    "2024-10-07,holiday\n"
    "2024-10-12,workday\n"
    "2025-01-01,holiday\n"
    "2025-01-26,workday\n"
    "2025-01-28,holiday\n"
    "2025-01-29,holiday\n"
    "2025-01-30,holiday\n"
    "2025-01-31,holiday\n"
    "2025-02-01,holiday\n"
    "2025-02-02,holiday\n"
    "2025-02-03,holiday\n"
    "2025-02-04,holiday\n"
    "2025-02-08,workday\n"
    "2025-04-04,holiday\n"
    "2025-04-05,holiday\n"
    "2025-04-06,holiday\n"
    "2025-04-27,workday\n"
    "2025-05-01,holiday\n"
    "2025-05-02,holiday\n"
    "2025-05-03,holiday\n"
    "2025-05-04,holiday\n"
    "2025-05-05,holiday\n"
    "2025-05-31,holiday\n"
    "2025-06-01,holiday\n"
    "2025-06-02,holiday\n"
    "2025-09-28,workday\n"
    "2025-10-01,holiday\n"
    "2025-10-02,holiday\n"
    "2025-10-03,holiday\n"
    "2025-10-04,holiday\n"
    "2025-10-05,holiday\n"
    "2025-10-06,holiday\n"
    "2025-10-07,holiday\n"
    "2025-10-08,holiday\n"
    "2025-10-11,workday\n"
    "2026-01-01,holiday\n"
    "2026-01-02,holiday\n"
    "2026-01-03,holiday\n"
    "2026-01-04,workday\n"
    "2026-02-14,workday\n"
    "2026-02-15,holiday\n"
    "2026-02-16,holiday\n"
    "2026-02-17,holiday\n"
    "2026-02-18,holiday\n"
    "2026-02-19,holiday\n"
    "2026-02-20,holiday\n"
    "2026-02-21,holiday\n"
    "2026-02-22,holiday\n"
    "2026-02-23,holiday\n"
    "2026-02-28,workday\n"
    "2026-04-04,holiday\n"
    "2026-04-05,holiday\n"
    "2026-04-06,holiday\n"
    "2026-05-01,holiday\n"
    "2026-05-02,holiday\n"
    "2026-05-03,holiday\n"
    "2026-05-04,holiday\n"
    "2026-05-05,holiday\n"
    "2026-05-09,workday\n"
    "2026-06-19,holiday\n"
    "2026-06-20,holiday\n"
    "2026-06-21,holiday\n"
    "2026-09-20,workday\n"
    "2026-09-25,holiday\n"
    "2026-09-26,holiday\n"
    "2026-09-27,holiday\n"
    "2026-10-01,holiday\n"
    "2026-10-02,holiday\n"
    "2026-10-03,holiday\n"
    "2026-10-04,holiday\n"
    "2026-10-05,holiday\n"
    "2026-10-06,holiday\n"
    "2026-10-07,holiday\n"
    "2026-10-10,workday\n"
/* HOLIDAYS-END */
    ;

#define MAXHOL 512
static int32_t g_hol_day[MAXHOL];
static char g_hol_kind[MAXHOL]; /* 'h' holiday, 'w' workday */
static int g_nhol;

static void holidays_load(void)
{
    const char *p = strchr(HOLIDAYS_CSV, '\n');
    while (p && *++p) {
        char date[11];
        memcpy(date, p, 10);
        date[10] = 0;
        if (g_nhol >= MAXHOL || parse_date(date, &g_hol_day[g_nhol]) != 0)
            die("bad embedded holiday row");
        g_hol_kind[g_nhol++] = p[11] == 'h' ? 'h' : 'w';
        p = strchr(p, '\n');
    }
}

static int is_work(int32_t z)
{
    int lo = 0, hi = g_nhol - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (g_hol_day[mid] == z)
            return g_hol_kind[mid] == 'w';
        if (g_hol_day[mid] < z)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return dow(z) < 5;
}

/* the k-th working day after z (k >= 1) */
static int32_t add_work(int32_t z, int k)
{
    while (k > 0) {
        z++;
        if (is_work(z))
            k--;
    }
    return z;
}

/* a working day a with exactly k working days in (a, z]; a is itself a
 * working day */
static int32_t sub_work(int32_t z, int k)
{
    int32_t d = z;
    int cnt = 0;
    for (;;) {
        if (is_work(d) && ++cnt == k)
            break;
        d--;
    }
    d--;
    while (!is_work(d))
        d--;
    return d;
}

static int32_t prev_work(int32_t z)
{
    while (!is_work(z))
        z--;
    return z;
}

/* ------------------------------------------------------------ GB18030 */

/* Every non-ASCII character this program can write, with its GB18030 bytes
 * (computed with Python's gb18030 codec; regenerate with the script in
 * bench/README.md when the word lists change). */
typedef struct { uint32_t cp; uint8_t n; uint8_t b[4]; } gbent_t;
static const gbent_t GBTAB[] = {
/* GBTAB-BEGIN */
    { 0x00A0, 4, { 0x81, 0x30, 0x84, 0x32 } },
    { 0x3000, 2, { 0xA1, 0xA1 } },
    { 0x4DAE, 2, { 0xFE, 0x9F } },
    { 0x4E00, 2, { 0xD2, 0xBB } },
    { 0x4E01, 2, { 0xB6, 0xA1 } },
    { 0x4E07, 2, { 0xCD, 0xF2 } },
    { 0x4E0A, 2, { 0xC9, 0xCF } },
    { 0x4E0D, 2, { 0xB2, 0xBB } },
    { 0x4E13, 2, { 0xD7, 0xA8 } },
    { 0x4E1A, 2, { 0xD2, 0xB5 } },
    { 0x4E1C, 2, { 0xB6, 0xAB } },
    { 0x4E1D, 2, { 0xCB, 0xBF } },
    { 0x4E25, 2, { 0xD1, 0xCF } },
    { 0x4E2D, 2, { 0xD6, 0xD0 } },
    { 0x4E34, 2, { 0xC1, 0xD9 } },
    { 0x4E3B, 2, { 0xD6, 0xF7 } },
    { 0x4E3D, 2, { 0xC0, 0xF6 } },
    { 0x4E8E, 2, { 0xD3, 0xDA } },
    { 0x4E91, 2, { 0xD4, 0xC6 } },
    { 0x4E94, 2, { 0xCE, 0xE5 } },
    { 0x4EA4, 2, { 0xBD, 0xBB } },
    { 0x4EAE, 2, { 0xC1, 0xC1 } },
    { 0x4EBA, 2, { 0xC8, 0xCB } },
    { 0x4ED6, 2, { 0xCB, 0xFB } },
    { 0x4ED8, 2, { 0xB8, 0xB6 } },
    { 0x4EE4, 2, { 0xC1, 0xEE } },
    { 0x4EFB, 2, { 0xC8, 0xCE } },
    { 0x4EFD, 2, { 0xB7, 0xDD } },
    { 0x4F1A, 2, { 0xBB, 0xE1 } },
    { 0x4F1F, 2, { 0xCE, 0xB0 } },
    { 0x4F55, 2, { 0xBA, 0xCE } },
    { 0x4F59, 2, { 0xD3, 0xE0 } },
    { 0x4F5C, 2, { 0xD7, 0xF7 } },
    { 0x4F73, 2, { 0xBC, 0xD1 } },
    { 0x4FAF, 2, { 0xBA, 0xEE } },
    { 0x4FBF, 2, { 0xB1, 0xE3 } },
    { 0x4FCA, 2, { 0xBF, 0xA1 } },
    { 0x4FDD, 2, { 0xB1, 0xA3 } },
    { 0x4FE1, 2, { 0xD0, 0xC5 } },
    { 0x4FED, 2, { 0xBC, 0xF3 } },
    { 0x4FEE, 2, { 0xD0, 0xDE } },
    { 0x5029, 2, { 0xD9, 0xBB } },
    { 0x5065, 2, { 0xBD, 0xA1 } },
    { 0x50A8, 2, { 0xB4, 0xA2 } },
    { 0x50FB, 2, { 0xC6, 0xA7 } },
    { 0x5143, 2, { 0xD4, 0xAA } },
    { 0x515A, 2, { 0xB5, 0xB3 } },
    { 0x5168, 2, { 0xC8, 0xAB } },
    { 0x516C, 2, { 0xB9, 0xAB } },
    { 0x5170, 2, { 0xC0, 0xBC } },
    { 0x5171, 2, { 0xB9, 0xB2 } },
    { 0x5173, 2, { 0xB9, 0xD8 } },
    { 0x5174, 2, { 0xD0, 0xCB } },
    { 0x5175, 2, { 0xB1, 0xF8 } },
    { 0x5176, 2, { 0xC6, 0xE4 } },
    { 0x517B, 2, { 0xD1, 0xF8 } },
    { 0x519B, 2, { 0xBE, 0xFC } },
    { 0x519C, 2, { 0xC5, 0xA9 } },
    { 0x51AC, 2, { 0xB6, 0xAC } },
    { 0x51AF, 2, { 0xB7, 0xEB } },
    { 0x51E4, 2, { 0xB7, 0xEF } },
    { 0x51EF, 2, { 0xBF, 0xAD } },
    { 0x5206, 2, { 0xB7, 0xD6 } },
    { 0x5218, 2, { 0xC1, 0xF5 } },
    { 0x521A, 2, { 0xB8, 0xD5 } },
    { 0x5229, 2, { 0xC0, 0xFB } },
    { 0x5238, 2, { 0xC8, 0xAF } },
    { 0x529B, 2, { 0xC1, 0xA6 } },
    { 0x529E, 2, { 0xB0, 0xEC } },
    { 0x52A1, 2, { 0xCE, 0xF1 } },
    { 0x52C7, 2, { 0xD3, 0xC2 } },
    { 0x52C9, 2, { 0xC3, 0xE3 } },
    { 0x52E4, 2, { 0xC7, 0xDA } },
    { 0x5316, 2, { 0xBB, 0xAF } },
    { 0x533A, 2, { 0xC7, 0xF8 } },
    { 0x533B, 2, { 0xD2, 0xBD } },
    { 0x534E, 2, { 0xBB, 0xAA } },
    { 0x5357, 2, { 0xC4, 0xCF } },
    { 0x535A, 2, { 0xB2, 0xA9 } },
    { 0x5362, 2, { 0xC2, 0xAC } },
    { 0x536B, 2, { 0xCE, 0xC0 } },
    { 0x5382, 2, { 0xB3, 0xA7 } },
    { 0x53BF, 2, { 0xCF, 0xD8 } },
    { 0x53D1, 2, { 0xB7, 0xA2 } },
    { 0x53F0, 2, { 0xCC, 0xA8 } },
    { 0x53F2, 2, { 0xCA, 0xB7 } },
    { 0x53F6, 2, { 0xD2, 0xB6 } },
    { 0x53F8, 2, { 0xCB, 0xBE } },
    { 0x5403, 2, { 0xB3, 0xD4 } },
    { 0x5408, 2, { 0xBA, 0xCF } },
    { 0x5411, 2, { 0xCF, 0xF2 } },
    { 0x5415, 2, { 0xC2, 0xC0 } },
    { 0x5434, 2, { 0xCE, 0xE2 } },
    { 0x5468, 2, { 0xD6, 0xDC } },
    { 0x547C, 2, { 0xBA, 0xF4 } },
    { 0x548C, 2, { 0xBA, 0xCD } },
    { 0x54B8, 2, { 0xCF, 0xCC } },
    { 0x54C1, 2, { 0xC6, 0xB7 } },
    { 0x5510, 2, { 0xCC, 0xC6 } },
    { 0x5546, 2, { 0xC9, 0xCC } },
    { 0x5586, 2, { 0x86, 0xB4 } },
    { 0x559C, 2, { 0xCF, 0xB2 } },
    { 0x5609, 2, { 0xBC, 0xCE } },
    { 0x56FD, 2, { 0xB9, 0xFA } },
    { 0x573A, 2, { 0xB3, 0xA1 } },
    { 0x579A, 2, { 0x88, 0x90 } },
    { 0x57CE, 2, { 0xB3, 0xC7 } },
    { 0x57FA, 2, { 0xBB, 0xF9 } },
    { 0x5803, 2, { 0x88, 0xD2 } },
    { 0x5854, 2, { 0xCB, 0xFE } },
    { 0x590F, 2, { 0xCF, 0xC4 } },
    { 0x5927, 2, { 0xB4, 0xF3 } },
    { 0x592E, 2, { 0xD1, 0xEB } },
    { 0x599E, 2, { 0xE6, 0xA4 } },
    { 0x59AE, 2, { 0xC4, 0xDD } },
    { 0x59DA, 2, { 0xD2, 0xA6 } },
    { 0x59DC, 2, { 0xBD, 0xAA } },
    { 0x5A03, 2, { 0xCD, 0xDE } },
    { 0x5A1C, 2, { 0xC4, 0xC8 } },
    { 0x5A1F, 2, { 0xBE, 0xEA } },
    { 0x5A25, 2, { 0xB6, 0xF0 } },
    { 0x5A77, 2, { 0xE6, 0xC3 } },
    { 0x5B50, 2, { 0xD7, 0xD3 } },
    { 0x5B54, 2, { 0xBF, 0xD7 } },
    { 0x5B57, 2, { 0xD7, 0xD6 } },
    { 0x5B59, 2, { 0xCB, 0xEF } },
    { 0x5B5D, 2, { 0xD0, 0xA2 } },
    { 0x5B5F, 2, { 0xC3, 0xCF } },
    { 0x5B66, 2, { 0xD1, 0xA7 } },
    { 0x5B81, 2, { 0xC4, 0xFE } },
    { 0x5B87, 2, { 0xD3, 0xEE } },
    { 0x5B89, 2, { 0xB0, 0xB2 } },
    { 0x5B8B, 2, { 0xCB, 0xCE } },
    { 0x5B8F, 2, { 0xBA, 0xEA } },
    { 0x5B98, 2, { 0xB9, 0xD9 } },
    { 0x5B9D, 2, { 0xB1, 0xA6 } },
    { 0x5BA4, 2, { 0xCA, 0xD2 } },
    { 0x5BB6, 2, { 0xBC, 0xD2 } },
    { 0x5BC7, 2, { 0xBF, 0xDC } },
    { 0x5BCC, 2, { 0xB8, 0xBB } },
    { 0x5BFF, 2, { 0xCA, 0xD9 } },
    { 0x5C0F, 2, { 0xD0, 0xA1 } },
    { 0x5C31, 2, { 0xBE, 0xCD } },
    { 0x5C39, 2, { 0xD2, 0xFC } },
    { 0x5C40, 2, { 0xBE, 0xD6 } },
    { 0x5C48, 2, { 0xC7, 0xFC } },
    { 0x5C71, 2, { 0xC9, 0xBD } },
    { 0x5C90, 2, { 0xE1, 0xAA } },
    { 0x5CAD, 2, { 0xC1, 0xEB } },
    { 0x5CF0, 2, { 0xB7, 0xE5 } },
    { 0x5D14, 2, { 0xB4, 0xDE } },
    { 0x5DDD, 2, { 0xB4, 0xA8 } },
    { 0x5DDE, 2, { 0xD6, 0xDD } },
    { 0x5DE5, 2, { 0xB9, 0xA4 } },
    { 0x5DF2, 2, { 0xD2, 0xD1 } },
    { 0x5E02, 2, { 0xCA, 0xD0 } },
    { 0x5E05, 2, { 0xCB, 0xA7 } },
    { 0x5E06, 2, { 0xB7, 0xAB } },
    { 0x5E73, 2, { 0xC6, 0xBD } },
    { 0x5E74, 2, { 0xC4, 0xEA } },
    { 0x5E97, 2, { 0xB5, 0xEA } },
    { 0x5E9C, 2, { 0xB8, 0xAE } },
    { 0x5EB7, 2, { 0xBF, 0xB5 } },
    { 0x5ED6, 2, { 0xC1, 0xCE } },
    { 0x5EF6, 2, { 0xD1, 0xD3 } },
    { 0x5EFA, 2, { 0xBD, 0xA8 } },
    { 0x5F20, 2, { 0xD5, 0xC5 } },
    { 0x5F3A, 2, { 0xC7, 0xBF } },
    { 0x5F69, 2, { 0xB2, 0xCA } },
    { 0x5F6C, 2, { 0xB1, 0xF2 } },
    { 0x5F6D, 2, { 0xC5, 0xED } },
    { 0x5F90, 2, { 0xD0, 0xEC } },
    { 0x5F92, 2, { 0xCD, 0xBD } },
    { 0x5FB7, 2, { 0xB5, 0xC2 } },
    { 0x5FC3, 2, { 0xD0, 0xC4 } },
    { 0x5FD7, 2, { 0xD6, 0xBE } },
    { 0x5FE0, 2, { 0xD6, 0xD2 } },
    { 0x601D, 2, { 0xCB, 0xBC } },
    { 0x6021, 2, { 0xE2, 0xF9 } },
    { 0x606F, 2, { 0xCF, 0xA2 } },
    { 0x60E0, 2, { 0xBB, 0xDD } },
    { 0x6167, 2, { 0xBB, 0xDB } },
    { 0x6210, 2, { 0xB3, 0xC9 } },
    { 0x6234, 2, { 0xB4, 0xF7 } },
    { 0x6237, 2, { 0xBB, 0xA7 } },
    { 0x624D, 2, { 0xB2, 0xC5 } },
    { 0x62A5, 2, { 0xB1, 0xA8 } },
    { 0x62D3, 2, { 0xCD, 0xD8 } },
    { 0x653F, 2, { 0xD5, 0xFE } },
    { 0x654F, 2, { 0xC3, 0xF4 } },
    { 0x6559, 2, { 0xBD, 0xCC } },
    { 0x6587, 2, { 0xCE, 0xC4 } },
    { 0x658C, 2, { 0xB1, 0xF3 } },
    { 0x65B0, 2, { 0xD0, 0xC2 } },
    { 0x65B9, 2, { 0xB7, 0xBD } },
    { 0x65ED, 2, { 0xD0, 0xF1 } },
    { 0x65FA, 2, { 0xCD, 0xFA } },
    { 0x65FB, 2, { 0x95, 0x46 } },
    { 0x660A, 2, { 0xEA, 0xBB } },
    { 0x660E, 2, { 0xC3, 0xF7 } },
    { 0x6625, 2, { 0xB4, 0xBA } },
    { 0x6668, 2, { 0xB3, 0xBF } },
    { 0x6676, 2, { 0xBE, 0xA7 } },
    { 0x66F9, 2, { 0xB2, 0xDC } },
    { 0x66FE, 2, { 0xD4, 0xF8 } },
    { 0x6709, 2, { 0xD3, 0xD0 } },
    { 0x670D, 2, { 0xB7, 0xFE } },
    { 0x672A, 2, { 0xCE, 0xB4 } },
    { 0x6731, 2, { 0xD6, 0xEC } },
    { 0x673A, 2, { 0xBB, 0xFA } },
    { 0x674E, 2, { 0xC0, 0xEE } },
    { 0x6750, 2, { 0xB2, 0xC4 } },
    { 0x675C, 2, { 0xB6, 0xC5 } },
    { 0x6768, 2, { 0xD1, 0xEE } },
    { 0x6770, 2, { 0xBD, 0xDC } },
    { 0x6797, 2, { 0xC1, 0xD6 } },
    { 0x679C, 2, { 0xB9, 0xFB } },
    { 0x67F1, 2, { 0xD6, 0xF9 } },
    { 0x6839, 2, { 0xB8, 0xF9 } },
    { 0x6842, 2, { 0xB9, 0xF0 } },
    { 0x6865, 2, { 0xC7, 0xC5 } },
    { 0x6881, 2, { 0xC1, 0xBA } },
    { 0x6885, 2, { 0xC3, 0xB7 } },
    { 0x6893, 2, { 0xE8, 0xF7 } },
    { 0x68B0, 2, { 0xD0, 0xB5 } },
    { 0x6986, 2, { 0xD3, 0xDC } },
    { 0x6A0A, 2, { 0xB7, 0xAE } },
    { 0x6B23, 2, { 0xD0, 0xC0 } },
    { 0x6B27, 2, { 0xC5, 0xB7 } },
    { 0x6B63, 2, { 0xD5, 0xFD } },
    { 0x6B66, 2, { 0xCE, 0xE4 } },
    { 0x6B96, 2, { 0xD6, 0xB3 } },
    { 0x6BB5, 2, { 0xB6, 0xCE } },
    { 0x6BDB, 2, { 0xC3, 0xAB } },
    { 0x6C11, 2, { 0xC3, 0xF1 } },
    { 0x6C34, 2, { 0xCB, 0xAE } },
    { 0x6C49, 2, { 0xBA, 0xBA } },
    { 0x6C5F, 2, { 0xBD, 0xAD } },
    { 0x6C64, 2, { 0xCC, 0xC0 } },
    { 0x6C6A, 2, { 0xCD, 0xF4 } },
    { 0x6C7D, 2, { 0xC6, 0xFB } },
    { 0x6C88, 2, { 0xC9, 0xF2 } },
    { 0x6CB3, 2, { 0xBA, 0xD3 } },
    { 0x6CE2, 2, { 0xB2, 0xA8 } },
    { 0x6CFD, 2, { 0xD4, 0xF3 } },
    { 0x6CFE, 2, { 0xE3, 0xFE } },
    { 0x6D0B, 2, { 0xD1, 0xF3 } },
    { 0x6D1B, 2, { 0xC2, 0xE5 } },
    { 0x6D41, 2, { 0xC1, 0xF7 } },
    { 0x6D69, 2, { 0xBA, 0xC6 } },
    { 0x6D77, 2, { 0xBA, 0xA3 } },
    { 0x6D9B, 2, { 0xCC, 0xCE } },
    { 0x6DB5, 2, { 0xBA, 0xAD } },
    { 0x6DFC, 2, { 0xED, 0xB5 } },
    { 0x6E2D, 2, { 0xCE, 0xBC } },
    { 0x6E90, 2, { 0xD4, 0xB4 } },
    { 0x6EE8, 2, { 0xB1, 0xF5 } },
    { 0x6F58, 2, { 0xC5, 0xCB } },
    { 0x705E, 2, { 0xE5, 0xB1 } },
    { 0x7136, 2, { 0xC8, 0xBB } },
    { 0x718A, 2, { 0xD0, 0xDC } },
    { 0x71D5, 2, { 0xD1, 0xE0 } },
    { 0x71DA, 2, { 0xA0, 0x44 } },
    { 0x7269, 2, { 0xCE, 0xEF } },
    { 0x7287, 2, { 0xA0, 0xC4 } },
    { 0x72D0, 2, { 0xBA, 0xFC } },
    { 0x7389, 2, { 0xD3, 0xF1 } },
    { 0x738B, 2, { 0xCD, 0xF5 } },
    { 0x73A5, 2, { 0xAB, 0x68 } },
    { 0x73AF, 2, { 0xBB, 0xB7 } },
    { 0x73CD, 2, { 0xD5, 0xE4 } },
    { 0x7406, 2, { 0xC0, 0xED } },
    { 0x7433, 2, { 0xC1, 0xD5 } },
    { 0x7434, 2, { 0xC7, 0xD9 } },
    { 0x7476, 2, { 0xD1, 0xFE } },
    { 0x751F, 2, { 0xC9, 0xFA } },
    { 0x7530, 2, { 0xCC, 0xEF } },
    { 0x7535, 2, { 0xB5, 0xE7 } },
    { 0x767D, 2, { 0xB0, 0xD7 } },
    { 0x76D1, 2, { 0xBC, 0xE0 } },
    { 0x7763, 2, { 0xB6, 0xBD } },
    { 0x777F, 2, { 0xEE, 0xA3 } },
    { 0x77F3, 2, { 0xCA, 0xAF } },
    { 0x78CA, 2, { 0xC0, 0xDA } },
    { 0x793E, 2, { 0xC9, 0xE7 } },
    { 0x798F, 2, { 0xB8, 0xA3 } },
    { 0x79C0, 2, { 0xD0, 0xE3 } },
    { 0x79CB, 2, { 0xC7, 0xEF } },
    { 0x79E6, 2, { 0xC7, 0xD8 } },
    { 0x7A0B, 2, { 0xB3, 0xCC } },
    { 0x7A0E, 2, { 0xCB, 0xB0 } },
    { 0x7B2C, 2, { 0xB5, 0xDA } },
    { 0x7B51, 2, { 0xD6, 0xFE } },
    { 0x7BA1, 2, { 0xB9, 0xDC } },
    { 0x7EA2, 2, { 0xBA, 0xEC } },
    { 0x7EA7, 2, { 0xBC, 0xB6 } },
    { 0x7EBA, 2, { 0xB7, 0xC4 } },
    { 0x7EC7, 2, { 0xD6, 0xAF } },
    { 0x7EC8, 2, { 0xD6, 0xD5 } },
    { 0x7ECF, 2, { 0xBE, 0xAD } },
    { 0x7F57, 2, { 0xC2, 0xDE } },
    { 0x7FE0, 2, { 0xB4, 0xE4 } },
    { 0x8096, 2, { 0xD0, 0xA4 } },
    { 0x80A1, 2, { 0xB9, 0xC9 } },
    { 0x80B2, 2, { 0xD3, 0xFD } },
    { 0x80E1, 2, { 0xBA, 0xFA } },
    { 0x80FD, 2, { 0xC4, 0xDC } },
    { 0x81EA, 2, { 0xD7, 0xD4 } },
    { 0x81F3, 2, { 0xD6, 0xC1 } },
    { 0x826F, 2, { 0xC1, 0xBC } },
    { 0x8273, 2, { 0xD1, 0xDE } },
    { 0x82AC, 2, { 0xB7, 0xD2 } },
    { 0x82B1, 2, { 0xBB, 0xA8 } },
    { 0x82B3, 2, { 0xB7, 0xBC } },
    { 0x82CF, 2, { 0xCB, 0xD5 } },
    { 0x82F1, 2, { 0xD3, 0xA2 } },
    { 0x8303, 2, { 0xB7, 0xB6 } },
    { 0x8349, 2, { 0xB2, 0xDD } },
    { 0x8363, 2, { 0xC8, 0xD9 } },
    { 0x836F, 2, { 0xD2, 0xA9 } },
    { 0x8389, 2, { 0xC0, 0xF2 } },
    { 0x83AB, 2, { 0xC4, 0xAA } },
    { 0x840D, 2, { 0xC6, 0xBC } },
    { 0x8425, 2, { 0xD3, 0xAA } },
    { 0x8463, 2, { 0xB6, 0xAD } },
    { 0x848B, 2, { 0xBD, 0xAF } },
    { 0x84C4, 2, { 0xD0, 0xEE } },
    { 0x8521, 2, { 0xB2, 0xCC } },
    { 0x859B, 2, { 0xD1, 0xA6 } },
    { 0x86CB, 2, { 0xB5, 0xB0 } },
    { 0x884C, 2, { 0xD0, 0xD0 } },
    { 0x8881, 2, { 0xD4, 0xAC } },
    { 0x88C5, 2, { 0xD7, 0xB0 } },
    { 0x897F, 2, { 0xCE, 0xF7 } },
    { 0x8BB0, 2, { 0xBC, 0xC7 } },
    { 0x8BB8, 2, { 0xD0, 0xED } },
    { 0x8BBE, 2, { 0xC9, 0xE8 } },
    { 0x8BC1, 2, { 0xD6, 0xA4 } },
    { 0x8BD7, 2, { 0xCA, 0xAB } },
    { 0x8BE6, 2, { 0xCF, 0xEA } },
    { 0x8C22, 2, { 0xD0, 0xBB } },
    { 0x8C2D, 2, { 0xCC, 0xB7 } },
    { 0x8C37, 2, { 0xB9, 0xC8 } },
    { 0x8D22, 2, { 0xB2, 0xC6 } },
    { 0x8D23, 2, { 0xD4, 0xF0 } },
    { 0x8D35, 2, { 0xB9, 0xF3 } },
    { 0x8D38, 2, { 0xC3, 0xB3 } },
    { 0x8D3A, 2, { 0xBA, 0xD8 } },
    { 0x8D3E, 2, { 0xBC, 0xD6 } },
    { 0x8D44, 2, { 0xD7, 0xCA } },
    { 0x8D75, 2, { 0xD5, 0xD4 } },
    { 0x8D85, 2, { 0xB3, 0xAC } },
    { 0x8DEF, 2, { 0xC2, 0xB7 } },
    { 0x8F66, 2, { 0xB3, 0xB5 } },
    { 0x8F69, 2, { 0xD0, 0xF9 } },
    { 0x8F89, 2, { 0xBB, 0xD4 } },
    { 0x8F93, 2, { 0xCA, 0xE4 } },
    { 0x8FD0, 2, { 0xD4, 0xCB } },
    { 0x901A, 2, { 0xCD, 0xA8 } },
    { 0x9093, 2, { 0xB5, 0xCB } },
    { 0x90AE, 2, { 0xD3, 0xCA } },
    { 0x90B1, 2, { 0xC7, 0xF1 } },
    { 0x90B5, 2, { 0xC9, 0xDB } },
    { 0x90B9, 2, { 0xD7, 0xDE } },
    { 0x90D1, 2, { 0xD6, 0xA3 } },
    { 0x90DD, 2, { 0xBA, 0xC2 } },
    { 0x90E8, 2, { 0xB2, 0xBF } },
    { 0x90ED, 2, { 0xB9, 0xF9 } },
    { 0x91D1, 2, { 0xBD, 0xF0 } },
    { 0x946B, 2, { 0xF6, 0xCE } },
    { 0x949F, 2, { 0xD6, 0xD3 } },
    { 0x94B1, 2, { 0xC7, 0xAE } },
    { 0x94C1, 2, { 0xCC, 0xFA } },
    { 0x94F6, 2, { 0xD2, 0xF8 } },
    { 0x9501, 2, { 0xCB, 0xF8 } },
    { 0x957F, 2, { 0xB3, 0xA4 } },
    { 0x95EB, 2, { 0xE3, 0xC6 } },
    { 0x9633, 2, { 0xD1, 0xF4 } },
    { 0x9646, 2, { 0xC2, 0xBD } },
    { 0x9648, 2, { 0xB3, 0xC2 } },
    { 0x9650, 2, { 0xCF, 0xDE } },
    { 0x9655, 2, { 0xC9, 0xC2 } },
    { 0x9662, 2, { 0xD4, 0xBA } },
    { 0x9669, 2, { 0xCF, 0xD5 } },
    { 0x9676, 2, { 0xCC, 0xD5 } },
    { 0x969C, 2, { 0xD5, 0xCF } },
    { 0x96C1, 2, { 0xD1, 0xE3 } },
    { 0x96D2, 2, { 0xF6, 0xC3 } },
    { 0x96E8, 2, { 0xD3, 0xEA } },
    { 0x96EA, 2, { 0xD1, 0xA9 } },
    { 0x96F7, 2, { 0xC0, 0xD7 } },
    { 0x971E, 2, { 0xCF, 0xBC } },
    { 0x9759, 2, { 0xBE, 0xB2 } },
    { 0x9762, 2, { 0xC3, 0xE6 } },
    { 0x97E6, 2, { 0xCE, 0xA4 } },
    { 0x97E9, 2, { 0xBA, 0xAB } },
    { 0x987A, 2, { 0xCB, 0xB3 } },
    { 0x987E, 2, { 0xB9, 0xCB } },
    { 0x9896, 2, { 0xD3, 0xB1 } },
    { 0x98DE, 2, { 0xB7, 0xC9 } },
    { 0x98DF, 2, { 0xCA, 0xB3 } },
    { 0x9910, 2, { 0xB2, 0xCD } },
    { 0x996E, 2, { 0xD2, 0xFB } },
    { 0x9986, 2, { 0xB9, 0xDD } },
    { 0x9A6C, 2, { 0xC2, 0xED } },
    { 0x9AD8, 2, { 0xB8, 0xDF } },
    { 0x9B4F, 2, { 0xCE, 0xBA } },
    { 0x9E21, 2, { 0xBC, 0xA6 } },
    { 0x9E4F, 2, { 0xC5, 0xF4 } },
    { 0x9EC4, 2, { 0xBB, 0xC6 } },
    { 0x9ECE, 2, { 0xC0, 0xE8 } },
    { 0x9F99, 2, { 0xC1, 0xFA } },
    { 0x9F9A, 2, { 0xB9, 0xA8 } },
    { 0xFF08, 2, { 0xA3, 0xA8 } },
    { 0xFF09, 2, { 0xA3, 0xA9 } },
    { 0xFF10, 2, { 0xA3, 0xB0 } },
    { 0xFF11, 2, { 0xA3, 0xB1 } },
    { 0xFF12, 2, { 0xA3, 0xB2 } },
    { 0xFF13, 2, { 0xA3, 0xB3 } },
    { 0xFF14, 2, { 0xA3, 0xB4 } },
    { 0xFF15, 2, { 0xA3, 0xB5 } },
    { 0xFF16, 2, { 0xA3, 0xB6 } },
    { 0xFF17, 2, { 0xA3, 0xB7 } },
    { 0xFF18, 2, { 0xA3, 0xB8 } },
    { 0xFF19, 2, { 0xA3, 0xB9 } },
    { 0xFF38, 2, { 0xA3, 0xD8 } },
    { 0x20BB7, 4, { 0x95, 0x34, 0xB2, 0x35 } },
/* GBTAB-END */
};
#define NGBTAB ((int)(sizeof GBTAB / sizeof GBTAB[0]))

static const gbent_t *gb_find(uint32_t cp)
{
    int lo = 0, hi = NGBTAB - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (GBTAB[mid].cp == cp)
            return &GBTAB[mid];
        if (GBTAB[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* ------------------------------------------------------------ word lists */

static const char *const SURN[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "莫",
    "孔", "向", "汤", "党", "屈", "惠", "樊", "寇", "强", "雒", "拓", "呼",
};
static const char *const SURN2[] = { "欧阳", "司马", "上官", "令狐", "司徒" };
static const char *const GIVEN[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "飞", "建", "国", "文", "辉",
    "力", "鹏", "斌", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "欣",
    "佳", "雪", "琳", "晶", "倩", "婷", "慧", "颖", "梅", "兰", "凤", "琴", "云", "莉", "燕", "荣",
    "海", "峰", "亮", "成", "志", "新", "利", "春", "生", "福", "贵", "宝", "安", "德", "有", "金",
    "兵", "东", "喜", "民", "富", "顺", "发", "财", "正", "忠", "孝", "良", "全", "才", "山", "水",
    "子", "梓", "涵", "轩", "泽", "睿", "博", "雨", "思", "怡", "诗", "瑶", "嘉", "鑫", "宏", "彬",
    "昊", "晨", "阳", "娥", "翠", "芬", "彩", "花", "草", "秋", "冬", "珍", "银", "铁", "锁", "柱",
    "根", "旺", "江", "河", "保", "社", "党", "卫", "红", "兴", "勤", "俭", "娃", "妮", "蛋", "妞",
};
/* rare characters (生僻字); two of them are outside GBK (4-byte GB18030) */
static const char *const RARE[] = { "堃", "䶮", "𠮷", "淼", "喆", "玥", "旻", "犇", "垚", "燚" };

static const char *const PLACE[] = {
    "陕西", "西安", "宝鸡", "咸阳", "渭南", "汉中", "榆林", "商洛", "安康", "延安",
    "秦川", "长安", "关中", "华山", "终南", "秦岭", "大唐", "丝路", "汉江", "黄河",
};
static const char *const TRADE[] = {
    "机械", "建材", "商贸", "农业", "物流", "电子", "餐饮", "食品", "建筑", "纺织",
    "果业", "医药", "信息", "环保", "汽车", "服装", "家政", "养殖", "能源", "化工",
};
static const char *const SUFFIX[] = {
    "有限公司", "有限责任公司", "股份有限公司", "专业合作社", "经营部", "商行", "厂", "（西安）有限公司",
};
static const char *const SHOP[] = {
    "便利店", "小吃店", "五金店", "理发店", "农资店", "修理部", "面馆", "超市", "水果店", "建材店",
};
static const char *const DEPT[] = {
    "人民政府办公室", "教育局", "财政局", "民政局", "公安局", "人民医院", "第一中学", "中心小学",
    "自然资源局", "交通运输局", "卫生健康局", "市场监督管理局", "税务局", "人力资源和社会保障局",
};
static const char *const SI_CENTER = "社会保险经办中心";
static const char *const JOB_CENTER = "公共就业服务中心";
static const char *const PLATE_PROV = "陕";
static const char *const EXTRA_TEXT[] = { "西安分公司", "其他", "已年报" };
/* dirt: full-width digits, X, x and the ideographic space (U+3000) */
static const char FW_DIGITS[10][4] = { "０", "１", "２", "３", "４", "５", "６", "７", "８", "９" };
static const char FW_X[] = "Ｘ";
static const char IDEO_SPACE[] = "　";
static const char NBSP[] = "\xc2\xa0";

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------ geography */

#define NOURS 8   /* counties with households */
#define NGEO 16   /* plus other Shaanxi counties (E02, ID origins) */
#define NOSTD 7   /* the county with no standard at all */
typedef struct {
    const char *code, *name, *plate;
    int weight, ntown;
    int towns[6];
} county_t;
static const county_t GEO[NGEO] = {
    { "610112", "未央区", "A", 13, 6, { 1, 2, 3, 4, 5, 6 } },
    { "610124", "周至县", "A", 14, 6, { 1, 100, 101, 102, 200, 201 } },
    { "610323", "岐山县", "C", 12, 5, { 100, 101, 102, 103, 200 } },
    { "610423", "泾阳县", "D", 13, 5, { 1, 100, 101, 102, 200 } },
    { "610524", "合阳县", "E", 12, 5, { 100, 101, 102, 103, 104 } },
    { "610725", "勉县", "F", 13, 6, { 1, 100, 101, 102, 200, 201 } },
    { "610822", "府谷县", "K", 11, 5, { 1, 100, 101, 102, 200 } },
    { "611024", "山阳县", "H", 3, 3, { 100, 101, 200 } },
    { "610113", "雁塔区", "A", 0, 1, { 1 } },
    { "610111", "灞桥区", "A", 0, 1, { 1 } },
    { "610404", "渭城区", "D", 0, 1, { 1 } },
    { "610502", "临渭区", "E", 0, 1, { 1 } },
    { "610702", "汉台区", "F", 0, 1, { 1 } },
    { "610802", "榆阳区", "K", 0, 1, { 1 } },
    { "610902", "汉滨区", "G", 0, 1, { 1 } },
    { "611002", "商州区", "H", 0, 1, { 1 } },
};
/* ID origins: the 16 counties above, then other provinces */
#define NORIG 24
static const char *const OTHER_PROV[8] = { "410102", "140105", "620102", "510104", "130104", "370102", "640104", "650102" };
static const char *orig_code(int o) { return o < NGEO ? GEO[o].code : OTHER_PROV[o - NGEO]; }

static int county_pick(rng_t *r, int need_std)
{
    int w[NOURS];
    for (int i = 0; i < NOURS; i++)
        w[i] = (need_std && i == NOSTD) ? 0 : GEO[i].weight;
    return pick_w(r, w, NOURS);
}

static void region_code(char out[13], int county, int town_suffix, int village)
{
    memcpy(out, GEO[county].code, 6);
    out[6] = (char)('0' + town_suffix / 100);
    put2(out + 7, town_suffix % 100);
    out[9] = (char)('0' + village / 100);
    put2(out + 10, village % 100);
    out[12] = 0;
}

/* pick township and village; returns 1 when urban (village code < 200) */
static int place_pick(rng_t *r, int county, int *town, int *village)
{
    *town = (int)rnd(r, (uint32_t)GEO[county].ntown);
    int ts = GEO[county].towns[*town];
    uint32_t upp = ts < 100 ? 800000 : ts < 200 ? 300000 : 50000;
    if (chance(r, upp)) {
        *village = rr(r, 1, 12);
        return 1;
    }
    *village = rr(r, 201, 225);
    return 0;
}

/* ------------------------------------------------------------ globals */

static uint64_t g_seed = 1;
static double g_sf = 0.01;
static int32_t g_asof;
static int g_asof_y, g_asof_m, g_asof_d, g_asof_month; /* month index y*12+m-1 */
static double g_dirty;
static uint32_t g_dirty_ppm, g_broken_ppm;
static uint64_t g_nhh, g_ngen;

/* ------------------------------------------------------------ standards */

typedef struct {
    char prefix[13];
    int plen, urban;
    int32_t eff;
    int64_t fen;
} stdrow_t;
static stdrow_t g_std[96];
static int g_nstd;

static void std_add(const char *prefix, int urban, int32_t eff, int64_t fen)
{
    stdrow_t *s = &g_std[g_nstd++];
    memset(s, 0, sizeof *s);
    s->plen = (int)strlen(prefix);
    memcpy(s->prefix, prefix, (size_t)s->plen);
    s->urban = urban;
    s->eff = eff;
    s->fen = fen;
}

static void std_build(void)
{
    rng_t r;
    rng_init(&r, g_seed, 9, 0);
    int32_t y0 = dfc(g_asof_y - 1, 1, 1), y1 = dfc(g_asof_y, 1, 1);
    for (int c = 0; c < NOURS; c++) {
        if (c == NOSTD)
            continue;
        int64_t urb = (int64_t)rr(&r, 190, 230) * 500, rur = (int64_t)rr(&r, 164, 188) * 500;
        for (int u = 1; u >= 0; u--) {
            int64_t v = u ? urb : rur;
            std_add(GEO[c].code, u, y0, v - (int64_t)rr(&r, 3, 6) * 1000);
            std_add(GEO[c].code, u, y1, v);
            if (c == 1) /* published, not yet in force */
                std_add(GEO[c].code, u, g_asof + 1, v + 5000);
            if (c == 2 && !u) /* in force exactly on the as-of date */
                std_add(GEO[c].code, u, g_asof, v + 2000);
        }
    }
    char p[13];
    /* 9-digit overrides */
    region_code(p, 0, 1, 0);
    p[9] = 0; /* 610112001 urban, two dates */
    std_add(p, 1, y0, g_std[0].fen + 4000);
    std_add(p, 1, y1, g_std[1].fen + 6000);
    region_code(p, 3, 100, 0);
    p[9] = 0; /* 610423100 rural only, with cents */
    std_add(p, 0, y1, 88550);
    region_code(p, 5, 200, 0);
    p[9] = 0; /* 610725200 urban, future only: falls back to the county */
    std_add(p, 1, g_asof + 30, 123400);
    region_code(p, 6, 100, 0);
    p[9] = 0; /* 610822100 both area types */
    std_add(p, 1, y0, 101000);
    std_add(p, 1, y1, 105000);
    std_add(p, 0, y0, 86000);
    std_add(p, 0, y1, 90000);
    /* a 12-digit override for one community */
    region_code(p, 4, 100, 1);
    std_add(p, 1, y1, 115000);
}

/* the standard in force on the as-of date (fen per month), -1 if none */
static int64_t std_lookup(const char *region, int urban)
{
    static const int lens[3] = { 12, 9, 6 };
    for (int li = 0; li < 3; li++) {
        int best = -1;
        for (int i = 0; i < g_nstd; i++) {
            const stdrow_t *s = &g_std[i];
            if (s->plen != lens[li] || s->urban != urban || s->eff > g_asof || memcmp(s->prefix, region, (size_t)s->plen))
                continue;
            if (best < 0 || s->eff > g_std[best].eff)
                best = i;
        }
        if (best >= 0)
            return g_std[best].fen;
    }
    return -1;
}

/* ------------------------------------------------------------ output */

enum { O_HH, O_MEM, O_HK, O_VEH, O_PROP, O_SI, O_BIZ, O_PS, O_SR, O_CAND, O_FIN, O_FUN, O_STD, O_HOL, NOUT };
static const char *const ONAME[NOUT] = {
    "households.csv", "members.csv", "hukou.csv", "vehicles.csv", "property.csv", "social_insurance.csv",
    "business.csv", "public_servants.csv", "staff_relatives.csv", "candidates.csv", "financial_assets.csv",
    "funeral.csv", "standards.csv", "holidays.csv",
};
static const char *const OHEAD[NOUT] = {
    "household_id,region_code,program,area_type,status,applied_on,approved_on,monthly_benefit,caseworker_id",
    "household_id,id_no,name,relation,declared_monthly_income,work_ability,disability_grade",
    "id_no,name,hukou_no,relation_to_head,region_code,status,status_date",
    "id_no,plate_no,vehicle_class,use,registered_on,value_yuan,status",
    "id_no,property_id,usage,area_m2,share,registered_on,status",
    "id_no,period,kind,employer,amount",
    "id_no,entity_name,role,registered_capital_yuan,status",
    "id_no,employer,since",
    "caseworker_id,relative_id_no,relation",
    "id_no,source,region_code,area_type",
    "id_no,institution,account_no,asset_type,balance_yuan,balance_date",
    "id_no,name,event_date,kind",
    "region_prefix,area_type,effective_from,monthly_yuan",
    NULL,
};
/* dirty mode: business.csv comes with its columns in another order and an
 * extra column the engine must ignore */
static const char BIZ_DIRTY_HEAD[] = "entity_name,id_no,status,role,registered_capital_yuan,note";
static const int BIZ_DIRTY_PERM[6] = { 1, 0, 4, 2, 3, 5 };

enum { FT_CODE, FT_ID, FT_NAME, FT_TEXT, FT_DATE, FT_MONTH, FT_MONEY, FT_AREA, FT_SHARE, FT_ENUM, FT_INT };

#define DIRT(X) \
    X(U_LOWER_X, "id_no: lower-case x") \
    X(U_ID_SPACE, "id_no: white space (ASCII, U+3000, U+00A0)") \
    X(U_ID_FULLWIDTH, "id_no: full-width digits") \
    X(U_ID_15, "id_no: 15-digit legacy form (born 19xx)") \
    X(U_NAME_SPACE, "name: leading/trailing spaces") \
    X(U_NAME_QUOTE, "name: needlessly quoted") \
    X(U_TEXT_COMMA, "text: comma inside a quoted field") \
    X(U_TEXT_QUOTE, "text: double quotes inside a quoted field") \
    X(U_TEXT_NEWLINE, "text: newline inside a quoted field") \
    X(U_MONEY_1DEC, "money: one decimal") \
    X(U_HUKOU_REPEAT, "hukou: identical repeat row") \
    X(B_BAD_CHECK, "broken: id_no with a wrong check character") \
    X(B_BAD_DATE, "broken: bad date") \
    X(B_BAD_MONTH, "broken: bad period") \
    X(B_NEGATIVE, "broken: negative amount/area") \
    X(B_3DEC, "broken: amount with three decimals") \
    X(B_ENUM, "broken: unknown enum value") \
    X(B_SHARE, "broken: share 0 or > 1") \
    X(B_FEW_FIELDS, "broken: too few fields") \
    X(B_MANY_FIELDS, "broken: too many fields") \
    X(B_INT_RANGE, "broken: disability_grade out of range") \
    X(B_MEMBER_REPEAT, "broken: member repeated within a household")
enum {
#define X(n, d) n,
    DIRT(X)
#undef X
    NDIRT
};
static const char *const DIRT_NAME[NDIRT] = {
#define X(n, d) #n,
    DIRT(X)
#undef X
};
static const char *const DIRT_DESC[NDIRT] = {
#define X(n, d) d,
    DIRT(X)
#undef X
};
#define FIRST_BROKEN B_BAD_CHECK

typedef struct {
    long long rows, usable, broken;
    long long kind[NDIRT];
    long long q05; /* members.csv: rows kept with an unusable value (Q05) */
} ostat_t;

typedef struct {
    int idx, active, gb, crlf, registry, dirtyable;
    FILE *f;
    char *buf;
    size_t len, cap;
    const int *perm;
    int ncols;
    rng_t dr;
    ostat_t st;
} out_t;
static out_t O[NOUT];

#define MAXF 12
typedef struct {
    int n;
    const char *p[MAXF];
    int len[MAXF];
    uint8_t ty[MAXF], q[MAXF];
    int64_t num[MAXF];
    int su;
    char sc[2048];
} row_t;

static inline void row_reset(row_t *r) { r->n = 0; r->su = 0; }
static char *row_alloc(row_t *r, int n)
{
    if (r->su + n > (int)sizeof r->sc)
        die("row scratch overflow");
    char *p = r->sc + r->su;
    r->su += n;
    return p;
}
static inline void fld(row_t *r, int ty, const char *s, int len)
{
    int i = r->n++;
    r->p[i] = s;
    r->len[i] = len;
    r->ty[i] = (uint8_t)ty;
    r->q[i] = 0;
    r->num[i] = 0;
}
static inline void fs(row_t *r, int ty, const char *s) { fld(r, ty, s, (int)strlen(s)); }

static int fmt_money(char *b, int64_t fen, int always2)
{
    char t[32];
    int n = 0, neg = fen < 0;
    uint64_t v = (uint64_t)(neg ? -fen : fen);
    uint64_t y = v / 100, c = v % 100;
    if (always2 || c) {
        t[n++] = (char)('0' + c % 10);
        t[n++] = (char)('0' + c / 10);
        t[n++] = '.';
    }
    do {
        t[n++] = (char)('0' + y % 10);
        y /= 10;
    } while (y);
    if (neg)
        t[n++] = '-';
    for (int i = 0; i < n; i++)
        b[i] = t[n - 1 - i];
    b[n] = 0;
    return n;
}
static void fmoney(row_t *r, int ty, int64_t v, int always2)
{
    char *b = row_alloc(r, 32);
    int n = fmt_money(b, v, always2);
    fld(r, ty, b, n);
    r->num[r->n - 1] = v;
}
static void fdate(row_t *r, int32_t z)
{
    char *b = row_alloc(r, 11);
    fmt_date(b, z);
    fld(r, FT_DATE, b, 10);
}
static void fdate_opt(row_t *r, int32_t z, int present)
{
    if (present)
        fdate(r, z);
    else
        fld(r, FT_DATE, "", 0);
}
static void fint(row_t *r, int ty, long long v)
{
    char *b = row_alloc(r, 24);
    int n = snprintf(b, 24, "%lld", v);
    fld(r, ty, b, n);
    r->num[r->n - 1] = v;
}

static void out_flush(out_t *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        die("write %s: %s", ONAME[o->idx], strerror(errno));
    o->len = 0;
}

static inline void out_raw(out_t *o, const char *s, size_t n)
{
    if (o->len + n > o->cap)
        out_flush(o);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static const char GB_BAD[] = "no GB18030 code for U+%04X in %s (add it to GBTAB)";

/* append s[0..n) converted for the file (UTF-8 or GB18030), doubling
 * quotes when quoted */
static void out_text(out_t *o, const char *s, int n, int quoted)
{
    if (!o->gb && !quoted) {
        memcpy(o->buf + o->len, s, (size_t)n);
        o->len += (size_t)n;
        return;
    }
    const unsigned char *u = (const unsigned char *)s;
    for (int i = 0; i < n;) {
        unsigned c = u[i];
        if (c < 0x80) {
            if (c == '"' && quoted)
                o->buf[o->len++] = '"';
            o->buf[o->len++] = (char)c;
            i++;
            continue;
        }
        int l = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (!o->gb) {
            memcpy(o->buf + o->len, s + i, (size_t)l);
            o->len += (size_t)l;
            i += l;
            continue;
        }
        uint32_t cp = l == 2 ? (c & 0x1F) : l == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < l; k++)
            cp = (cp << 6) | (u[i + k] & 0x3F);
        const gbent_t *g = gb_find(cp);
        if (!g)
            die(GB_BAD, (unsigned)cp, ONAME[o->idx]);
        memcpy(o->buf + o->len, g->b, g->n);
        o->len += g->n;
        i += l;
    }
}

static void out_field(out_t *o, const char *s, int n, int force_q)
{
    if (o->len + (size_t)n * 2 + 8 > o->cap)
        out_flush(o);
    int q = force_q;
    for (int i = 0; i < n && !q; i++)
        q = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (q)
        o->buf[o->len++] = '"';
    out_text(o, s, n, q);
    if (q)
        o->buf[o->len++] = '"';
}

static void out_eol(out_t *o)
{
    if (o->crlf)
        o->buf[o->len++] = '\r';
    o->buf[o->len++] = '\n';
}

static void out_serialize(out_t *o, const row_t *r)
{
    int first = 1;
    int nc = o->perm ? o->ncols : r->n;
    for (int j = 0; j < nc; j++) {
        int k = o->perm ? o->perm[j] : j;
        if (k >= r->n)
            continue;
        if (!first)
            out_raw(o, ",", 1);
        first = 0;
        out_field(o, r->p[k], r->len[k], r->q[k]);
    }
    for (int k = nc; k < r->n; k++) {
        if (!first)
            out_raw(o, ",", 1);
        first = 0;
        out_field(o, r->p[k], r->len[k], r->q[k]);
    }
    if (o->len + 4 > o->cap)
        out_flush(o);
    out_eol(o);
}

/* ------------------------------------------------------------ dirt */

static char id_check(const char *d17)
{
    static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (d17[i] - '0') * w[i];
    return "10X98765432"[s % 11];
}

static int id_valid18(const char *s, int n)
{
    if (n != 18)
        return 0;
    for (int i = 0; i < 17; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return id_check(s) == s[17];
}

/* index of a random field of type ty satisfying the kind's condition, -1 */
static int dirt_field(rng_t *dr, const row_t *r, int kind, int registry)
{
    int cand[MAXF], nc = 0;
    for (int i = 0; i < r->n; i++) {
        const char *p = r->p[i];
        int n = r->len[i], t = r->ty[i], ok = 0;
        switch (kind) {
        case U_LOWER_X: ok = t == FT_ID && n == 18 && p[17] == 'X'; break;
        case U_ID_SPACE:
        case U_ID_FULLWIDTH: ok = t == FT_ID && n > 0; break;
        case U_ID_15: ok = t == FT_ID && id_valid18(p, n) && p[6] == '1' && p[7] == '9'; break;
        case U_NAME_SPACE:
        case U_NAME_QUOTE: ok = t == FT_NAME && n > 0; break;
        case U_TEXT_COMMA:
        case U_TEXT_QUOTE:
        case U_TEXT_NEWLINE: ok = t == FT_TEXT && n > 0; break;
        case U_MONEY_1DEC: ok = t == FT_MONEY && r->num[i] % 10 == 0 && r->num[i] >= 0; break;
        case B_BAD_CHECK: ok = t == FT_ID && !registry && id_valid18(p, n); break;
        case B_BAD_DATE: ok = t == FT_DATE && n == 10; break;
        case B_BAD_MONTH: ok = t == FT_MONTH; break;
        case B_NEGATIVE: ok = t == FT_MONEY || t == FT_AREA; break;
        case B_3DEC: ok = t == FT_MONEY; break;
        case B_ENUM: ok = t == FT_ENUM; break;
        case B_SHARE: ok = t == FT_SHARE; break;
        case B_INT_RANGE: ok = t == FT_INT; break;
        default: break;
        }
        if (ok)
            cand[nc++] = i;
    }
    return nc ? cand[rnd(dr, (uint32_t)nc)] : -1;
}

/* Apply dirt of class broken (1) or usable (0) to r.  Returns the kind, or
 * -1 when nothing applies.  *repeat is set when the row must be written
 * twice. */
static int dirt_apply(out_t *o, row_t *r, int broken, int *repeat)
{
    rng_t *dr = &o->dr;
    int lo = broken ? FIRST_BROKEN : 0, hi = broken ? NDIRT : FIRST_BROKEN;
    int kinds[NDIRT], fields[NDIRT], nk = 0;
    for (int k = lo; k < hi; k++) {
        int f = -2;
        if (k == U_HUKOU_REPEAT)
            f = o->idx == O_HK ? 0 : -1;
        else if (k == B_MEMBER_REPEAT)
            f = o->idx == O_MEM ? 0 : -1;
        else if (k == B_FEW_FIELDS)
            f = r->n >= 2 ? 0 : -1;
        else if (k == B_MANY_FIELDS)
            f = r->n < MAXF ? 0 : -1;
        else
            f = dirt_field(dr, r, k, o->registry);
        if (f >= 0) {
            kinds[nk] = k;
            fields[nk++] = f;
        }
    }
    if (!nk)
        return -1;
    int j = (int)rnd(dr, (uint32_t)nk), k = kinds[j], f = fields[j];
    const char *p = r->p[f];
    int n = r->len[f];
    char *b;
    int bl = 0;
    switch (k) {
    case U_LOWER_X:
        b = row_alloc(r, 20);
        memcpy(b, p, 18);
        b[17] = 'x';
        r->p[f] = b;
        break;
    case U_ID_SPACE: {
        b = row_alloc(r, 40);
        int v = (int)rnd(dr, 5);
        if (v == 0) {
            b[bl++] = ' ';
            memcpy(b + bl, p, (size_t)n);
            bl += n;
        } else if (v == 1) {
            memcpy(b, p, (size_t)n);
            bl = n;
            b[bl++] = ' ';
        } else {
            int cut = n > 6 ? 6 : n;
            memcpy(b, p, (size_t)cut);
            bl = cut;
            const char *sp = v == 2 ? " " : v == 3 ? IDEO_SPACE : NBSP;
            memcpy(b + bl, sp, strlen(sp));
            bl += (int)strlen(sp);
            memcpy(b + bl, p + cut, (size_t)(n - cut));
            bl += n - cut;
        }
        r->p[f] = b;
        r->len[f] = bl;
        break;
    }
    case U_ID_FULLWIDTH: {
        b = row_alloc(r, 3 * n + 1);
        int all = chance(dr, 500000);
        for (int i = 0; i < n; i++) {
            if (p[i] >= '0' && p[i] <= '9' && (all || i >= 14)) {
                memcpy(b + bl, FW_DIGITS[p[i] - '0'], 3);
                bl += 3;
            } else if ((p[i] == 'X' || p[i] == 'x') && (all || i >= 14)) {
                memcpy(b + bl, FW_X, 3);
                bl += 3;
            } else
                b[bl++] = p[i];
        }
        r->p[f] = b;
        r->len[f] = bl;
        break;
    }
    case U_ID_15:
        b = row_alloc(r, 16);
        memcpy(b, p, 6);
        memcpy(b + 6, p + 8, 9);
        r->p[f] = b;
        r->len[f] = 15;
        break;
    case U_NAME_SPACE: {
        b = row_alloc(r, n + 4);
        int v = (int)rnd(dr, 3);
        if (v != 1)
            b[bl++] = ' ';
        memcpy(b + bl, p, (size_t)n);
        bl += n;
        if (v != 0)
            b[bl++] = ' ';
        r->p[f] = b;
        r->len[f] = bl;
        break;
    }
    case U_NAME_QUOTE: r->q[f] = 1; break;
    case U_TEXT_COMMA:
    case U_TEXT_QUOTE:
    case U_TEXT_NEWLINE: {
        b = row_alloc(r, n + 32);
        if (k == U_TEXT_QUOTE)
            b[bl++] = '"';
        memcpy(b + bl, p, (size_t)n);
        bl += n;
        if (k == U_TEXT_QUOTE)
            b[bl++] = '"';
        else {
            b[bl++] = k == U_TEXT_COMMA ? ',' : '\n';
            memcpy(b + bl, EXTRA_TEXT[0], strlen(EXTRA_TEXT[0]));
            bl += (int)strlen(EXTRA_TEXT[0]);
        }
        r->p[f] = b;
        r->len[f] = bl;
        break;
    }
    case U_MONEY_1DEC: {
        b = row_alloc(r, 32);
        int64_t v = r->num[f];
        bl = snprintf(b, 32, "%lld.%lld", (long long)(v / 100), (long long)(v % 100 / 10));
        r->p[f] = b;
        r->len[f] = bl;
        break;
    }
    case U_HUKOU_REPEAT: *repeat = 1; break;
    case B_BAD_CHECK: {
        b = row_alloc(r, 20);
        memcpy(b, p, 18);
        const char *alt = "0123456789X";
        char c;
        do
            c = alt[rnd(dr, 11)];
        while (c == p[17]);
        b[17] = c;
        r->p[f] = b;
        break;
    }
    case B_BAD_DATE: {
        b = row_alloc(r, 12);
        memcpy(b, p, 10);
        int v = (int)rnd(dr, 3);
        if (v == 0) { /* 2025-02-30 */
            memcpy(b + 5, "02-30", 5);
            bl = 10;
        } else if (v == 1) { /* 2025-13-05 */
            memcpy(b + 5, "13", 2);
            bl = 10;
        } else { /* 2025/03/05 */
            b[4] = b[7] = '/';
            bl = 10;
        }
        r->p[f] = b;
        r->len[f] = bl;
        break;
    }
    case B_BAD_MONTH: {
        b = row_alloc(r, 8);
        memcpy(b, p, 7);
        if (chance(dr, 500000))
            memcpy(b + 5, rnd(dr, 2) ? "13" : "00", 2);
        else
            b[4] = '/';
        r->p[f] = b;
        break;
    }
    case B_NEGATIVE: {
        b = row_alloc(r, 32);
        b[0] = '-';
        if (r->num[f] <= 0 || (r->ty[f] == FT_AREA && n == 0)) {
            memcpy(b + 1, "5.00", 4);
            bl = 5;
        } else {
            memcpy(b + 1, p, (size_t)n);
            bl = n + 1;
        }
        r->p[f] = b;
        r->len[f] = bl;
        break;
    }
    case B_3DEC: {
        b = row_alloc(r, 32);
        int64_t v = r->num[f] < 0 ? 0 : r->num[f];
        bl = snprintf(b, 32, "%lld.%02lld%d", (long long)(v / 100), (long long)(v % 100), 1 + (int)rnd(dr, 9));
        r->p[f] = b;
        r->len[f] = bl;
        break;
    }
    case B_ENUM: {
        static const char *const bad[] = { "unknown", "n/a", "其他", "NULL", "2" };
        r->p[f] = bad[rnd(dr, NELEM(bad))];
        r->len[f] = (int)strlen(r->p[f]);
        break;
    }
    case B_SHARE: {
        static const char *const bad[] = { "0", "0.00", "1.5", "1.01", "2" };
        r->p[f] = bad[rnd(dr, NELEM(bad))];
        r->len[f] = (int)strlen(r->p[f]);
        break;
    }
    case B_FEW_FIELDS: r->n--; break;
    case B_MANY_FIELDS: fs(r, FT_CODE, rnd(dr, 2) ? "" : "x"); break;
    case B_INT_RANGE: {
        static const char *const bad[] = { "5", "-1", "9" };
        r->p[f] = bad[rnd(dr, NELEM(bad))];
        r->len[f] = (int)strlen(r->p[f]);
        break;
    }
    case B_MEMBER_REPEAT: *repeat = 1; break;
    default: break;
    }
    return k;
}

/* members.csv in dirty mode: a row kept with an unusable value in relation,
 * declared_monthly_income, work_ability or disability_grade (Q05 since the
 * contract of 2026-12; such a row is no reject).  Drawn from a stream of its
 * own after the row's other dirt, so every other row is as before. */
static rng_t g_q05r;
static uint32_t g_q05_ppm;

static void q05_value(row_t *r, int f)
{
    static const char *const rel[] = { "", "户主", "wife", "unknown", "99" };
    static const char *const work[] = { "", "yes", "有", "N/A", "ful" };
    static const char *const grade[] = { "7", "", "abc", "5", "一级", "-2" };
    rng_t *q = &g_q05r;
    const char *v = "";
    char *b;
    switch (f) {
    case 3: v = rel[rnd(q, NELEM(rel))]; break;
    case 4: {
        int64_t fen = r->num[4] > 0 ? r->num[4] : 0, y = fen / 100;
        b = row_alloc(r, 40);
        switch (rnd(q, 5)) {
        case 0: /* a thousands separator: "1,200" */
            if (y >= 1000)
                snprintf(b, 40, "%lld,%03lld", (long long)(y / 1000), (long long)(y % 1000));
            else
                snprintf(b, 40, "%lld,000", (long long)y + 1);
            break;
        case 1: b[0] = 0; break;
        case 2: snprintf(b, 40, "abc"); break;
        case 3: snprintf(b, 40, "不详"); break;
        default: snprintf(b, 40, "%lld元", (long long)y); break;
        }
        v = b;
        break;
    }
    case 5: v = work[rnd(q, NELEM(work))]; break;
    default: v = grade[rnd(q, NELEM(grade))]; break;
    }
    r->p[f] = v;
    r->len[f] = (int)strlen(v);
    r->q[f] = 0;
}

static void q05_apply(row_t *r)
{
    if (r->n < 7)
        return;
    int f = 3 + (int)rnd(&g_q05r, 4);
    q05_value(r, f);
    if (chance(&g_q05r, 150000)) /* a second bad value: still one Q05 */
        q05_value(r, 3 + (f - 3 + 1 + (int)rnd(&g_q05r, 3)) % 4);
}

static void out_row(int oi, row_t *r)
{
    out_t *o = &O[oi];
    if (!o->active)
        return;
    o->st.rows++;
    int repeat = 0;
    if (g_dirty_ppm && o->dirtyable) {
        uint32_t u = rnd(&o->dr, 1000000);
        int kind = -1;
        /* broken rows are kept under 2% of the rows written so far */
        if (u < g_broken_ppm && (o->st.broken + 1) * 50 <= o->st.rows) {
            if (o->idx == O_MEM && chance(&o->dr, 250000)) {
                kind = B_MEMBER_REPEAT;
                repeat = 1;
            } else
                kind = dirt_apply(o, r, 1, &repeat);
            if (kind >= 0)
                o->st.broken++;
        }
        if (kind < 0 && u < g_dirty_ppm) {
            kind = dirt_apply(o, r, 0, &repeat);
            if (kind >= 0)
                o->st.usable++;
        }
        if (kind >= 0)
            o->st.kind[kind]++;
        if (o->idx == O_MEM && g_q05_ppm) {
            int hit = chance(&g_q05r, g_q05_ppm);
            if (kind == B_ENUM || kind == B_NEGATIVE || kind == B_3DEC || kind == B_INT_RANGE)
                o->st.q05++; /* broken before 2026-12, kept with Q05 now */
            else if (hit && kind < FIRST_BROKEN) {
                q05_apply(r);
                o->st.q05++;
            }
        }
    }
    out_serialize(o, r);
    if (repeat) {
        o->st.rows++;
        out_serialize(o, r);
    }
}

static void out_open(int oi, const char *dir)
{
    out_t *o = &O[oi];
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, ONAME[oi]);
    o->f = fopen(path, "wb");
    if (!o->f)
        die("cannot create %s: %s", path, strerror(errno));
    o->cap = 2u << 20;
    o->buf = malloc(o->cap + 65536);
    if (!o->buf)
        die("out of memory");
    o->len = 0;
}

static void out_header(int oi)
{
    out_t *o = &O[oi];
    const char *h = OHEAD[oi];
    if (oi == O_BIZ && o->perm)
        h = BIZ_DIRTY_HEAD;
    if (oi == O_VEH && g_dirty_ppm && !o->gb)
        out_raw(o, "\xEF\xBB\xBF", 3); /* a UTF-8 BOM */
    if (h) {
        out_raw(o, h, strlen(h));
        out_eol(o);
    }
}

static void out_close(int oi)
{
    out_t *o = &O[oi];
    out_flush(o);
    if (fclose(o->f) != 0)
        die("close %s: %s", ONAME[oi], strerror(errno));
    free(o->buf);
    o->f = NULL;
}

/* ------------------------------------------------------------ scenarios */

#define SCEN(X) \
    X(E01_DEAD, 18000, "E01 member deceased before the as-of date") \
    X(E01_ASOF, 2000, "E01 member deceased exactly on the as-of date (fires)") \
    X(E01_FUTURE, 2000, "near miss: deceased, status_date the day after as-of (no E01)") \
    X(E02_MOVED, 15000, "E02 member moved_out") \
    X(E02_CANC, 5000, "E02 member's hukou cancelled") \
    X(E02_OTHER, 15000, "E02 member registered (normal) in another county") \
    X(E02_SAMECTY, 6000, "near miss: member registered in another township of the same county (no E02)") \
    X(E02_MULTIROW, 5000, "near miss: old moved_out row in another county + normal row here (no E02)") \
    X(E03_PRIVATE, 15000, "E03 valid private car") \
    X(E03_COMM_OVER, 5000, "E03 valid commercial car valued 30000.01 or more") \
    X(E03_COMM_EXACT, 5000, "near miss: valid commercial car valued exactly 30000 or less (no E03)") \
    X(E03_TRUCK, 5000, "E03 valid truck or bus") \
    X(E03_NEAR, 15000, "near miss: motorcycle/tricycle/low-speed/mobility, or car scrapped/transferred") \
    X(E04_TWO, 15000, "E04 two held residential flats") \
    X(E04_SOLD, 5000, "near miss: second flat sold (no E04)") \
    X(E04_SAMEID, 5000, "near miss: one flat co-owned by two members (no E04)") \
    X(E05_COMM, 12000, "E05 held commercial/office/industrial property") \
    X(E05_NEAR, 8000, "near miss: held parking/other, or shop sold (no E05)") \
    X(E06_AREA, 15000, "E06 residential area per counted member > 40") \
    X(E06_EXACT, 3000, "near miss: area per counted member exactly 40.00 (no E06)") \
    X(E06_OVER1, 3000, "E06 area per counted member 40 + 0.01/n (fires)") \
    X(E07_BIZ, 12000, "E07 legal_rep/shareholder of an active entity") \
    X(E07_NEAR, 8000, "near miss: sole_proprietor, or role in a revoked/cancelled entity (no E07)") \
    X(E08_PS, 8000, "E08 member is a public servant") \
    X(E08_NEAR, 3000, "near miss: a non-member adult in the head's hukou is a public servant") \
    X(E09_INC, 25000, "E09 per-capita income above standard x factor") \
    X(E09_EXACT, 3000, "near miss: per-capita income exactly standard x factor (no E09)") \
    X(E09_OVER1, 3000, "E09 six-month evidence 1 fen above the limit (fires)") \
    X(E09_OUTSIDE, 5000, "near miss: high wage only outside the six-month window (no E09)") \
    X(E10_DUP, 8000, "E10 member also in another non-cancelled household (both flagged)") \
    X(E10_NEAR, 3000, "near miss: member also in a cancelled household (no E10)") \
    X(E11_SPOUSE, 10000, "E11 undeclared spouse in the head's hukou") \
    X(E11_CHILD, 10000, "E11 undeclared child under 18") \
    X(E11_ALMOST18, 2000, "E11 undeclared child turning 18 the day after as-of (fires)") \
    X(E11_EXACT18, 2000, "near miss: undeclared child turning 18 on the as-of date (no E11)") \
    X(E11_NEAR, 8000, "near miss: undeclared adult child, or deceased/moved spouse or child") \
    X(E11_HEADNOT, 3000, "E11 registry head is a child of the hukou head; the hukou head's spouse undeclared") \
    X(E12_REL, 4000, "E12 member is a recorded relative of the household's caseworker") \
    X(E12_NEAR, 1200, "near miss: member is a recorded relative of another caseworker (no E12)") \
    X(P01_SLOW, 25000, "P01 approval after 16-60 working days") \
    X(P01_15, 8000, "near miss: approval after exactly 15 working days, often across a holiday") \
    X(P01_16, 4000, "P01 approval after exactly 16 working days (fires)") \
    X(Q01_BADID, 10000, "Q01 invalid registry id_no") \
    X(Q02_NOHUKOU, 12000, "Q02 member missing from hukou") \
    X(Q03_NAME, 12000, "Q03 registry name differs from hukou") \
    X(Q03_NEAR, 4000, "near miss: registry name with surrounding spaces (no Q03)") \
    X(TWO_HEADS, 1000, "data: two head rows (the first counts)") \
    X(NO_HEAD, 1000, "data: no head row (E11 not evaluated, empty hukou_no keys)") \
    X(SPOT, 40000, "approved in the as-of month, on or before as-of (spot-check population)") \
    X(CAND, 15000, "a member listed in candidates.csv")
enum {
#define X(n, p, d) S_##n,
    SCEN(X)
#undef X
    NSCEN
};
static const uint32_t SC_PPM[NSCEN] = {
#define X(n, p, d) p,
    SCEN(X)
#undef X
};
static const char *const SC_NAME[NSCEN] = {
#define X(n, p, d) #n,
    SCEN(X)
#undef X
};
static const char *const SC_DESC[NSCEN] = {
#define X(n, p, d) d,
    SCEN(X)
#undef X
};
#define B(s) (1ULL << S_##s)
static long long g_inj[NSCEN];
static uint64_t g_applied; /* scenarios applied to the current household */
#define INJ(s) (g_inj[s]++, g_applied |= 1ULL << (s))
static FILE *g_truth;      /* --truth: gen-truth.csv */
static char g_truth_dup[24];
static long long g_l02_clean, g_canc_reason, g_canc_nostd, g_hh_nostd;

#define CCAT(X) \
    X(C_ELIG, 380, "eligible: low income, no blocking assets (L01 fires)") \
    X(C_ELIG_EXACT, 20, "per-capita evidenced income exactly the standard (fires)") \
    X(C_OVER1, 20, "near miss: six-month evidence 1 fen above the standard (no L01)") \
    X(C_INCOME, 150, "income above the standard (no L01)") \
    X(C_VEH, 70, "blocked: valid private car") \
    X(C_VEH_COMM, 20, "commercial car valued exactly 30000 (not blocked, fires)") \
    X(C_BIZ, 50, "blocked: legal_rep/shareholder of an active entity") \
    X(C_SOLEPROP, 20, "sole_proprietor only (not blocked, fires)") \
    X(C_PS, 30, "blocked: a public servant in the hukou household") \
    X(C_COMMPROP, 30, "blocked: held shop/office") \
    X(C_MULTI, 30, "blocked: two held flats") \
    X(C_AREA, 30, "blocked: residential area per person > 40") \
    X(C_AREA_EXACT, 10, "area per person exactly 40 (not blocked, fires)") \
    X(C_NOHUKOU, 10, "candidate absent from hukou (skipped)") \
    X(C_NOTNORMAL, 10, "candidate moved_out or deceased (skipped)") \
    X(C_TWOSRC, 10, "listed twice under two sources (one output row, fires)") \
    X(C_NOSTD, 20, "region without a standard (no L01; manifest)") \
    X(C_NONNORMAL_ASSET, 20, "car/company of a moved_out or deceased person (not blocked, fires)")
enum {
#define X(n, w, d) n,
    CCAT(X)
#undef X
    NCCAT
};
static const int CC_W[NCCAT] = {
#define X(n, w, d) w,
    CCAT(X)
#undef X
};
static const char *const CC_NAME[NCCAT] = {
#define X(n, w, d) #n,
    CCAT(X)
#undef X
};
static const char *const CC_DESC[NCCAT] = {
#define X(n, w, d) d,
    CCAT(X)
#undef X
};
static long long g_cinj[NCCAT];
static long long g_cand_reg, g_cand_sec;

/* ------------------------------------------------------------ persons */

enum { R_HEAD, R_SPOUSE, R_CHILD, R_PARENT, R_SIBLING, R_GRANDCHILD, R_OTHER };
static const char *const REL[] = { "head", "spouse", "child", "parent", "sibling", "grandchild", "other" };
enum { ST_NORMAL, ST_DECEASED, ST_MOVED, ST_CANCELLED };
static const char *const HKST[] = { "normal", "deceased", "moved_out", "cancelled" };
enum { SI_EMP, SI_EPC, SI_PEN, SI_UNEMP, SI_RPC };
enum { P_DIBAO, P_TEKUN, P_DISHOURU };
static const char *const PROG[] = { "dibao", "tekun", "dishouru" };
enum { HS_ACTIVE, HS_SUSPENDED, HS_CANCELLED, HS_APPLYING };
static const char *const HSTAT[] = { "active", "suspended", "cancelled", "applying" };
static const char *const WORK[] = { "full", "partial", "none" };

#define MAXP 40
#define MAXSI 4
#define MAXHK 8
#define NMON 13
#define WIN_MASK 0x7E0u  /* bits 5..10: the six months before the as-of month */
#define ALL12 0xFFFu     /* as-of month - 11 .. as-of month */

typedef struct {
    uint8_t kind, two, jitter;
    uint16_t mask;
    int64_t amt, base, adj;
    const char *emp, *emp2;
} si_t;

typedef struct {
    char id[20], name[48];
    char rid[64], rname[64];
    int32_t birth, st_date, old_date;
    uint8_t male, rel, hrel, st, inhk, member, ext, used, assets, counted, bad_rid, old_row, old_st;
    int hk, old_hk;
    int64_t declared;
    uint8_t work, dis, nsi;
    si_t si[MAXSI];
    uint64_t serial;
    int64_t fin; /* financial assets as of the as-of date (fen), from fin_* below */
} person_t;

typedef struct { char no[24], region[13]; } hkh_t;

typedef struct {
    rng_t r;
    int county, town, village, urban;
    char region[13];
    hkh_t hk[MAXHK];
    int nhk;
    person_t p[MAXP];
    int np;
} unit_t;
static unit_t U;

static uint32_t g_idctr[NORIG][200];
static uint32_t g_forced_ctr;
static uint64_t g_serial;
static uint32_t g_hkctr[NGEO][6];
static uint64_t g_propctr, g_platectr[26];

static void id_build(char *out, const char *code6, int32_t birth, unsigned seq)
{
    int y, m, d;
    cfd(birth, &y, &m, &d);
    memcpy(out, code6, 6);
    put4(out + 6, y);
    put2(out + 10, m);
    put2(out + 12, d);
    out[14] = (char)('0' + seq / 100 % 10);
    put2(out + 15, (int)(seq % 100));
    out[17] = id_check(out);
    out[18] = 0;
}

/* a unique ID for a person born in `year`: the n-th person of an (origin,
 * year) gets a day of the year, a sequence number and, past 182500 people,
 * a spare address code of that origin (619oo<level>) */
static int32_t alloc_id(char *out, int origin, int year, int male)
{
    uint32_t idx = g_idctr[origin][year - 1900]++;
    uint32_t day = (uint32_t)(((uint64_t)(idx % 365) * 97 + 13) % 365);
    uint32_t rest = idx / 365;
    uint32_t half = (uint32_t)(((uint64_t)(rest % 500) * 173 + 41) % 500);
    uint32_t level = rest / 500;
    char code[7];
    if (level == 0)
        memcpy(code, orig_code(origin), 6);
    else {
        if (level > 9)
            die("ID space exhausted (scale factor too large)");
        memcpy(code, "619", 3);
        put2(code + 3, origin);
        code[5] = (char)('0' + level);
    }
    int32_t birth = dfc(year, 1, 1) + (int32_t)day;
    id_build(out, code, birth, half * 2 + (male ? 1u : 0u));
    return birth;
}

/* an ID for a fixed birth date: a reserved address-code range (618xxx) */
static void alloc_forced(char *out, int32_t birth, int male)
{
    uint32_t c = g_forced_ctr++;
    if (c >= 500000)
        die("forced ID space exhausted");
    char code[7] = "618";
    unsigned a = c / 500;
    code[3] = (char)('0' + a / 100);
    put2(code + 4, (int)(a % 100));
    id_build(out, code, birth, (c % 500) * 2 + (male ? 1u : 0u));
}

static int age_at(int32_t birth, int32_t when)
{
    int by, bm, bd, y, m, d;
    cfd(birth, &by, &bm, &bd);
    cfd(when, &y, &m, &d);
    int a = y - by;
    if (m < bm || (m == bm && d < bd))
        a--;
    return a;
}

static int p_age(const person_t *p) { return age_at(p->birth, g_asof); }

static const char *pick_surname(rng_t *r)
{
    if (chance(r, 3000))
        return SURN2[rnd(r, NELEM(SURN2))];
    uint32_t a = rnd(r, NELEM(SURN)), b = rnd(r, NELEM(SURN));
    return SURN[a < b ? a : b];
}

static void make_name(rng_t *r, char *out, const char *surname)
{
    size_t l = strlen(surname);
    memcpy(out, surname, l);
    int k = chance(r, 720000) ? 2 : 1;
    for (int i = 0; i < k; i++) {
        const char *c = chance(r, 1500) ? RARE[rnd(r, NELEM(RARE))] : GIVEN[rnd(r, NELEM(GIVEN))];
        size_t cl = strlen(c);
        memcpy(out + l, c, cl);
        l += cl;
    }
    out[l] = 0;
}

/* the surname of a name (the first character, or a known two-character one) */
static void surname_of(const char *name, char *out)
{
    for (int i = 0; i < NELEM(SURN2); i++) {
        size_t l = strlen(SURN2[i]);
        if (!strncmp(name, SURN2[i], l)) {
            memcpy(out, name, l);
            out[l] = 0;
            return;
        }
    }
    memcpy(out, name, 3);
    out[3] = 0;
}

static void unit_reset(unit_t *u)
{
    u->np = 0;
    u->nhk = 0;
}

static int hk_new(unit_t *u, int county, int town, int village)
{
    if (u->nhk >= MAXHK)
        die("too many hukou households in a unit");
    hkh_t *h = &u->hk[u->nhk];
    int ts = GEO[county].towns[town];
    region_code(h->region, county, ts, village);
    uint32_t c = ++g_hkctr[county][town];
    memcpy(h->no, h->region, 9);
    snprintf(h->no + 9, sizeof h->no - 9, "%06u", c % 1000000u);
    if (c >= 1000000u) /* keep it unique past a million per township */
        snprintf(h->no + 9, sizeof h->no - 9, "%07u", c);
    return u->nhk++;
}

static int origin_pick(rng_t *r, int county)
{
    uint32_t x = rnd(r, 100);
    if (x < 85)
        return county;
    if (x < 95)
        return NOURS + (int)rnd(r, NGEO - NOURS);
    return NGEO + (int)rnd(r, NORIG - NGEO);
}

static person_t *pnew(unit_t *u, int age, int male, const char *surname, int rel)
{
    if (u->np >= MAXP)
        die("too many persons in a unit");
    rng_t *r = &u->r;
    person_t *p = &u->p[u->np++];
    memset(p, 0, sizeof *p);
    p->male = (uint8_t)male;
    p->rel = p->hrel = (uint8_t)rel;
    p->member = 1;
    p->inhk = 1;
    if (age < 0)
        age = 0;
    if (age > 100)
        age = 100;
    int year = g_asof_y - age - (int)rnd(r, 2);
    if (year > g_asof_y - 1)
        year = g_asof_y - 1;
    p->birth = alloc_id(p->id, origin_pick(r, u->county), year, male);
    make_name(r, p->name, surname ? surname : pick_surname(r));
    p->serial = g_serial++;
    return p;
}

static person_t *pnew_forced(unit_t *u, int32_t birth, int male, const char *surname, int rel)
{
    person_t *p = pnew(u, 0, male, surname, rel);
    alloc_forced(p->id, birth, male);
    p->birth = birth;
    return p;
}

/* ------------------------------------------------------------ SI */

static si_t *si_add(person_t *p, int kind, uint16_t mask, int64_t amt)
{
    if (p->nsi >= MAXSI)
        return NULL;
    si_t *s = &p->si[p->nsi++];
    memset(s, 0, sizeof *s);
    s->kind = (uint8_t)kind;
    s->mask = mask;
    s->amt = amt;
    return s;
}

/* six times the evidenced monthly income (exact, fen); jittered items are
 * never used where this matters */
static int64_t win6(const person_t *p)
{
    int64_t tot = 0;
    for (int k = 5; k <= 10; k++) {
        int64_t emp = 0, epc = 0, oth = 0;
        for (int i = 0; i < p->nsi; i++) {
            const si_t *s = &p->si[i];
            if (!(s->mask >> k & 1))
                continue;
            int64_t a = s->amt + (k == 10 ? s->adj : 0);
            switch (s->kind) {
            case SI_EMP: emp += a; epc += s->base; break;
            case SI_EPC: epc += a; break;
            case SI_PEN:
            case SI_UNEMP: oth += a; break;
            default: break;
            }
        }
        tot += (emp > epc ? emp : epc) + oth;
    }
    return tot;
}

/* remove income evidence from the window months */
static void si_clear_window(person_t *p)
{
    int j = 0;
    for (int i = 0; i < p->nsi; i++) {
        si_t s = p->si[i];
        if (s.kind != SI_RPC) {
            s.mask &= (uint16_t)~WIN_MASK;
            s.adj = 0;
        }
        if (s.mask)
            p->si[j++] = s;
    }
    p->nsi = (uint8_t)j;
}

/* employer name pool, built once from the seed */
#define NEMP 3000
static char g_emp[NEMP][72];
static char g_county_si[NOURS][48], g_county_job[NOURS][48];

static void employers_build(void)
{
    rng_t r;
    rng_init(&r, g_seed, 8, 0);
    for (int i = 0; i < NEMP; i++)
        snprintf(g_emp[i], sizeof g_emp[i], "%s%s%s%s", PLACE[rnd(&r, NELEM(PLACE))],
                 chance(&r, 300000) ? GIVEN[rnd(&r, NELEM(GIVEN))] : "", TRADE[rnd(&r, NELEM(TRADE))],
                 SUFFIX[rnd(&r, NELEM(SUFFIX))]);
    for (int c = 0; c < NOURS; c++) {
        snprintf(g_county_si[c], sizeof g_county_si[c], "%s%s", GEO[c].name, SI_CENTER);
        snprintf(g_county_job[c], sizeof g_county_job[c], "%s%s", GEO[c].name, JOB_CENTER);
    }
}
static const char *emp_pick(rng_t *r) { return g_emp[rnd(r, NEMP)]; }

static void month_str(char *b, int mi)
{
    put4(b, mi / 12);
    b[4] = '-';
    put2(b + 5, mi % 12 + 1);
    b[7] = 0;
}

static void si_row(const char *id, const char *period, const char *kind, const char *emp, int64_t amt)
{
    row_t r;
    row_reset(&r);
    fld(&r, FT_ID, id, 18);
    fld(&r, FT_MONTH, period, 7);
    fs(&r, FT_ENUM, kind);
    fs(&r, FT_TEXT, emp ? emp : "");
    fmoney(&r, FT_MONEY, amt, 1);
    out_row(O_SI, &r);
}

static void emit_si(const person_t *p)
{
    if (!O[O_SI].active || !p->nsi)
        return;
    rng_t jr;
    int jinit = 0;
    char per[8];
    for (int k = 0; k < NMON; k++) {
        month_str(per, g_asof_month - 11 + k);
        for (int i = 0; i < p->nsi; i++) {
            const si_t *s = &p->si[i];
            if (!(s->mask >> k & 1))
                continue;
            int64_t a = s->amt + (k == 10 ? s->adj : 0);
            if (s->jitter) {
                if (!jinit) {
                    rng_init(&jr, g_seed, 3, p->serial);
                    jinit = 1;
                }
                a += ((int64_t)rnd(&jr, 20001) - 10000) * a / 100000;
            }
            switch (s->kind) {
            case SI_EMP:
                if (s->two) {
                    int64_t a1 = a * 6 / 10;
                    si_row(p->id, per, "employment", s->emp, a1);
                    si_row(p->id, per, "employment", s->emp2, a - a1);
                } else
                    si_row(p->id, per, "employment", s->emp, a);
                if (s->base)
                    si_row(p->id, per, "employee_pension_contrib", s->emp, s->base);
                break;
            case SI_EPC: si_row(p->id, per, "employee_pension_contrib", s->emp, a); break;
            case SI_PEN: si_row(p->id, per, "pension_benefit", s->emp, a); break;
            case SI_UNEMP: si_row(p->id, per, "unemployment_benefit", s->emp, a); break;
            case SI_RPC: si_row(p->id, per, "resident_pension_contrib", s->emp, a); break;
            default: break;
            }
        }
    }
}

/* ------------------------------------------------------------ asset rows */

static const char *const VCLASS[] = { "car", "truck", "bus", "motorcycle", "tricycle", "disabled_mobility", "low_speed" };
enum { V_CAR, V_TRUCK, V_BUS, V_MOTO, V_TRI, V_DIS, V_LOW };
static const char *const VSTAT[] = { "valid", "scrapped", "transferred" };
static const char *const USAGE[] = { "residential", "commercial", "office", "industrial", "parking", "other" };
enum { U_RES, U_COMM, U_OFFICE, U_IND, U_PARK, U_OTHER };

static void emit_vehicle(unit_t *u, person_t *p, int vc, int commercial, int64_t value_fen, int vstat)
{
    rng_t *r = &u->r;
    static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    char plate[24];
    const char *letter = GEO[u->county].plate;
    uint64_t c = g_platectr[letter[0] - 'A']++;
    uint64_t v = (c * 7919 + 12345) % 45435424ULL; /* 34^5: a bijection */
    size_t pl = strlen(PLATE_PROV);
    memcpy(plate, PLATE_PROV, pl);
    plate[pl++] = letter[0];
    if (rnd(r, 100) < 4) /* new-energy plate */
        plate[pl++] = 'D';
    for (int i = 0; i < 5; i++) {
        plate[pl + 4 - i] = alpha[v % 34];
        v /= 34;
    }
    pl += 5;
    plate[pl] = 0;
    int32_t reg = g_asof - rr(r, 20, 6000);
    p->assets = 1;
    if (!O[O_VEH].active)
        return;
    row_t w;
    row_reset(&w);
    fld(&w, FT_ID, p->id, 18);
    fs(&w, FT_CODE, plate);
    fs(&w, FT_ENUM, VCLASS[vc]);
    fs(&w, FT_ENUM, commercial ? "commercial" : "private");
    fdate(&w, reg);
    fmoney(&w, FT_MONEY, value_fen, 0);
    fs(&w, FT_ENUM, VSTAT[vstat]);
    out_row(O_VEH, &w);
}

static void new_pid(unit_t *u, char *out, int year)
{
    uint64_t c = g_propctr++;
    snprintf(out, 32, "%s-%04d-%08llu", GEO[u->county].code, year, (unsigned long long)c);
}

static void emit_prop1(person_t *p, const char *pid, int usage, int64_t area, int share_pct, int32_t reg, int held)
{
    p->assets = 1;
    if (!O[O_PROP].active)
        return;
    row_t w;
    row_reset(&w);
    fld(&w, FT_ID, p->id, 18);
    fs(&w, FT_CODE, pid);
    fs(&w, FT_ENUM, USAGE[usage]);
    char *b = row_alloc(&w, 24);
    int n = snprintf(b, 24, "%lld.%02lld", (long long)(area / 100), (long long)(area % 100));
    fld(&w, FT_AREA, b, n);
    w.num[w.n - 1] = area;
    static const char *const SH[] = { "0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1" };
    if (share_pct % 10 == 0)
        fs(&w, FT_SHARE, SH[share_pct / 10]);
    else {
        char *s = row_alloc(&w, 8);
        int sn = snprintf(s, 8, "0.%02d", share_pct);
        fld(&w, FT_SHARE, s, sn);
    }
    fdate(&w, reg);
    fs(&w, FT_ENUM, held ? "held" : "sold");
    out_row(O_PROP, &w);
}

/* a property owned by a (share a) and optionally b (share 100 - a) */
static void emit_prop(unit_t *u, person_t *a, person_t *b, int share_a, int usage, int64_t area, int held)
{
    char pid[32];
    int32_t reg = g_asof - rr(&u->r, 60, 7000);
    int y, m, d;
    cfd(reg, &y, &m, &d);
    new_pid(u, pid, y);
    emit_prop1(a, pid, usage, area, b ? share_a : 100, reg, held);
    if (b)
        emit_prop1(b, pid, usage, area, 100 - share_a, reg, held);
}

static const char *const ROLE[] = { "legal_rep", "shareholder", "sole_proprietor" };
static const char *const ESTAT[] = { "active", "revoked", "cancelled" };

static void emit_business(unit_t *u, person_t *p, int role, int estat)
{
    p->assets = 1;
    rng_t *r = &u->r;
    char name[128];
    if (role == 2) {
        char sn[8];
        surname_of(p->name, sn);
        snprintf(name, sizeof name, "%s%s%s记%s", GEO[u->county].name, sn, GIVEN[rnd(r, NELEM(GIVEN))],
                 SHOP[rnd(r, NELEM(SHOP))]);
    } else
        snprintf(name, sizeof name, "%s", emp_pick(r));
    int64_t cap = role == 2 ? (int64_t)rr(r, 1, 20) * 1000000 : (int64_t)rr(r, 10, 500) * 1000000;
    if (!O[O_BIZ].active)
        return;
    row_t w;
    row_reset(&w);
    fld(&w, FT_ID, p->id, 18);
    fs(&w, FT_TEXT, name);
    fs(&w, FT_ENUM, ROLE[role]);
    fmoney(&w, FT_MONEY, cap, 0);
    fs(&w, FT_ENUM, ESTAT[estat]);
    if (O[O_BIZ].perm)
        fs(&w, FT_CODE, chance(&O[O_BIZ].dr, 50000) ? EXTRA_TEXT[2] : "");
    out_row(O_BIZ, &w);
}

static void emit_ps(unit_t *u, person_t *p)
{
    p->assets = 1;
    rng_t *r = &u->r;
    char emp[96];
    snprintf(emp, sizeof emp, "%s%s", GEO[u->county < NOURS ? u->county : 0].name, DEPT[rnd(r, NELEM(DEPT))]);
    int a = p_age(p);
    int maxback = a > 22 ? (a - 21) * 365 : 30;
    int32_t since = g_asof - rr(r, 30, maxback);
    if (!O[O_PS].active)
        return;
    row_t w;
    row_reset(&w);
    fld(&w, FT_ID, p->id, 18);
    fs(&w, FT_TEXT, emp);
    fdate(&w, since);
    out_row(O_PS, &w);
}

static void cw_id(char *out, const char *region, int k)
{
    memcpy(out, "CW", 2);
    memcpy(out + 2, region, 9);
    put2(out + 11, k + 1);
    out[13] = 0;
}

static void emit_rel(const char *cw, const char *id, rng_t *r)
{
    static const char *const SR[] = { "spouse", "parent", "child", "sibling", "other" };
    const char *rel = SR[rnd(r, NELEM(SR))];
    if (!O[O_SR].active)
        return;
    row_t w;
    row_reset(&w);
    fs(&w, FT_CODE, cw);
    fld(&w, FT_ID, id, 18);
    fs(&w, FT_CODE, rel);
    out_row(O_SR, &w);
}

static const char *const SRC[] = { "low_income_monitoring", "severe_disability", "benefit_stopped", "temporary_assistance" };

static void emit_cand(const char *id, const char *src, const char *region, int urban)
{
    if (!O[O_CAND].active)
        return;
    row_t w;
    row_reset(&w);
    fs(&w, FT_ID, id);
    fs(&w, FT_CODE, src);
    fld(&w, FT_CODE, region, 12);
    fs(&w, FT_ENUM, urban ? "urban" : "rural");
    out_row(O_CAND, &w);
}

static void emit_hukou_row(const person_t *p, const hkh_t *h, int hrel, int st, int32_t date)
{
    if (!O[O_HK].active)
        return;
    row_t w;
    row_reset(&w);
    fld(&w, FT_ID, p->id, 18);
    fs(&w, FT_NAME, p->name);
    fs(&w, FT_CODE, h->no);
    fs(&w, FT_ENUM, REL[hrel]);
    fld(&w, FT_CODE, h->region, 12);
    fs(&w, FT_ENUM, HKST[st]);
    fdate_opt(&w, date, st != ST_NORMAL);
    out_row(O_HK, &w);
}

static void emit_hukou(unit_t *u)
{
    for (int i = 0; i < u->np; i++) {
        person_t *p = &u->p[i];
        if (!p->inhk || p->ext)
            continue;
        if (p->old_row)
            emit_hukou_row(p, &u->hk[p->old_hk], R_CHILD, p->old_st, p->old_date);
        emit_hukou_row(p, &u->hk[p->hk], p->hrel, p->st, p->st_date);
    }
}

/* ------------------------------------------------------------ families */

/* head + spouse + parents + children (+ grandchildren); n persons at most */
static void build_family(unit_t *u, int n, int head_age, int head_male, int allow_parents)
{
    rng_t *r = &u->r;
    const char *sn = pick_surname(r);
    person_t *h = pnew(u, head_age, head_male, sn, R_HEAD);
    char hs[8];
    surname_of(h->name, hs);
    int slots = n - 1;
    int sp_idx = -1;
    if (slots > 0 && head_age >= 20 && chance(r, 780000)) {
        int a = head_age + rr(r, -6, 6);
        pnew(u, a < 18 ? 18 : a, !head_male, NULL, R_SPOUSE);
        sp_idx = u->np - 1;
        slots--;
    }
    char ks[8];
    if (head_male || sp_idx < 0)
        memcpy(ks, hs, sizeof ks);
    else
        surname_of(u->p[sp_idx].name, ks);
    if (allow_parents && slots > 0 && head_age <= 62 && chance(r, 220000)) {
        int a = head_age + rr(r, 22, 32);
        int male = (int)rnd(r, 2);
        pnew(u, a > 99 ? 99 : a, male, male ? hs : NULL, R_PARENT);
        slots--;
        if (slots > 0 && chance(r, 400000)) {
            a = head_age + rr(r, 22, 32);
            pnew(u, a > 99 ? 99 : a, !male, male ? NULL : hs, R_PARENT);
            slots--;
        }
    }
    if (head_age >= 50 && slots >= 2 && chance(r, 350000)) {
        int ca = head_age - rr(r, 22, 30);
        if (ca >= 21) {
            int male = (int)rnd(r, 2);
            person_t *c = pnew(u, ca, male, ks, R_CHILD);
            char gs[8];
            surname_of(c->name, gs);
            slots--;
            while (slots > 0 && ca - 20 >= 0) {
                pnew(u, rr(r, 0, ca - 20 < 15 ? ca - 20 : 15), (int)rnd(r, 2), male ? gs : NULL, R_GRANDCHILD);
                slots--;
                if (chance(r, 400000))
                    break;
            }
        }
    }
    while (slots > 0 && head_age >= 20) {
        int hi = head_age - 20, lo = head_age - 45;
        if (lo < 0)
            lo = 0;
        if (hi > 40)
            hi = 40;
        if (lo > hi)
            lo = hi;
        pnew(u, rr(r, lo, hi), (int)rnd(r, 2), ks, R_CHILD);
        slots--;
    }
    while (slots > 0) {
        int rel = chance(r, 600000) ? R_SIBLING : R_OTHER;
        pnew(u, head_age + rr(r, -8, 8), (int)rnd(r, 2), rel == R_SIBLING ? hs : NULL, rel);
        slots--;
    }
}

static void member_attrs(rng_t *r, person_t *p)
{
    int a = p_age(p);
    p->dis = chance(r, 120000) ? (uint8_t)rr(r, 1, 4) : 0;
    if (a < 16)
        p->work = 2;
    else if (a >= 70)
        p->work = chance(r, 600000) ? 2 : 1;
    else
        p->work = (uint8_t)pick_w(r, (const int[]){ 60, 30, 10 }, 3);
    if (p->dis && p->dis <= 2)
        p->work = 2;
    p->declared = 0;
    if (a >= 18 && p->work == 0 && chance(r, 550000))
        p->declared = (int64_t)rr(r, 1, 40) * 1000;
    else if (a >= 18 && p->work == 1 && chance(r, 350000))
        p->declared = (int64_t)rr(r, 1, 20) * 1000;
    if (p->declared && chance(r, 100000))
        p->declared += rr(r, 1, 99);
}

/* ------------------------------------------------------------ pickers */

enum { PK_ADULT = 1, PK_COUNTED = 2, PK_HEAD_OK = 4, PK_NO_SPOUSE_MINOR = 8, PK_VALID = 16, PK_WORKAGE = 32,
       PK_ELDER = 64, PK_REUSE = 128, PK_NONORMAL_OK = 256 };

static int pick(unit_t *u, int flags)
{
    int cand[MAXP], nc = 0, head = -1, nmem = 0;
    for (int i = 0; i < u->np; i++) {
        person_t *p = &u->p[i];
        if (!p->member)
            continue;
        nmem++;
        if (p->ext || (p->used && !(flags & PK_REUSE)))
            continue;
        int a = p_age(p);
        if ((flags & PK_ADULT) && a < 18)
            continue;
        if ((flags & PK_WORKAGE) && (a < 18 || a > 64))
            continue;
        if ((flags & PK_ELDER) && a < 60)
            continue;
        if ((flags & PK_COUNTED) && !(p->inhk == 0 || p->st == ST_NORMAL))
            continue;
        if ((flags & PK_VALID) && p->bad_rid)
            continue;
        if ((flags & PK_NO_SPOUSE_MINOR) && (p->hrel == R_SPOUSE || (p->hrel == R_CHILD && a < 19)))
            continue;
        if (p->rel == R_HEAD && i == 0)
            head = i;
        else
            cand[nc++] = i;
    }
    if (nc)
        return cand[rnd(&u->r, (uint32_t)nc)];
    if (head >= 0 && (flags & PK_HEAD_OK))
        return head;
    return -1;
}

/* ------------------------------------------------------------ dup ring */

#define RING 256
typedef struct {
    int used, cancelled, n, county;
    char hid[24];
    struct { char id[20], name[48]; int32_t birth; uint8_t male; int64_t fin; } p[4];
} ringent_t;
static ringent_t g_ring[RING];
static uint64_t g_ring_pos;

/* ------------------------------------------------------------ registry */

typedef struct {
    int program, status, county;
    int64_t std; /* fen, -1 none */
    int fnum, fden;
} hhctx_t;

static int counted_n(unit_t *u)
{
    int n = 0;
    for (int i = 0; i < u->np; i++) {
        person_t *p = &u->p[i];
        p->counted = p->member && (p->ext || !p->inhk || p->bad_rid || p->st == ST_NORMAL);
        n += p->counted;
    }
    return n;
}

static int64_t inc6(const person_t *p)
{
    int64_t d6 = p->declared * 6, w = (p->bad_rid || p->ext) ? 0 : win6(p);
    return d6 > w ? d6 : w;
}

static int64_t sum_inc6(unit_t *u, int except)
{
    int64_t s = 0;
    for (int i = 0; i < u->np; i++)
        if (u->p[i].counted && i != except)
            s += inc6(&u->p[i]);
    return s;
}

/* per-capita income > standard x factor, in exact integers */
static int e09_fires(unit_t *u, const hhctx_t *c, int n)
{
    return sum_inc6(u, -1) * c->fden > 6 * c->std * c->fnum * n;
}

static void keep_one(rng_t *r, uint64_t *sc, uint64_t group, uint64_t forced)
{
    uint64_t g = *sc & group;
    if (!(g & (g - 1)))
        return;
    if (forced & group) {
        *sc = (*sc & ~group) | (forced & group);
        return;
    }
    int bits[64], nb = 0;
    for (int i = 0; i < 64; i++)
        if (g >> i & 1)
            bits[nb++] = i;
    *sc = (*sc & ~group) | (1ULL << bits[rnd(r, (uint32_t)nb)]);
}

static int64_t money_cents(rng_t *r, int lo_yuan, int hi_yuan)
{
    return (int64_t)rr(r, lo_yuan, hi_yuan) * 100 + (chance(r, 600000) ? rr(r, 0, 99) : 0);
}

static int64_t vehicle_value(rng_t *r, int vc, int commercial)
{
    switch (vc) {
    case V_CAR: return (int64_t)(commercial ? rr(r, 35, 200) : rr(r, 30, 350)) * 100000;
    case V_TRUCK: return (int64_t)rr(r, 40, 400) * 100000;
    case V_BUS: return (int64_t)rr(r, 100, 800) * 100000;
    case V_MOTO: return (int64_t)rr(r, 20, 200) * 10000;
    case V_TRI: return (int64_t)rr(r, 30, 150) * 10000;
    case V_DIS: return (int64_t)rr(r, 30, 100) * 10000;
    default: return (int64_t)rr(r, 50, 300) * 10000;
    }
}

/* registry (and candidate-unit) SI for a poor person: small rural pension,
 * resident contributions, short spells of work, rare unemployment benefit */
static void si_poor(unit_t *u, person_t *p)
{
    rng_t *r = &u->r;
    int a = p_age(p);
    int c = u->county < NOURS ? u->county : 0;
    if (a >= 60 && chance(r, 620000)) {
        si_t *s = si_add(p, SI_PEN, chance(r, 200000) ? 0x1FFF : ALL12, (int64_t)rr(r, 150, 260) * 100);
        if (s)
            s->emp = chance(r, 700000) ? g_county_si[c] : "";
    }
    if (a >= 18 && a < 60 && chance(r, 380000)) {
        si_t *s = si_add(p, SI_RPC, (uint16_t)(1u << rnd(r, 12)), (int64_t)rr(r, 2, 20) * 10000);
        if (s)
            s->emp = "";
    }
    if (a >= 18 && a < 60 && p->work != 2 && chance(r, 70000)) {
        int m0 = rr(r, 0, 10), len = rr(r, 1, 3);
        uint16_t mask = 0;
        for (int k = m0; k < m0 + len && k < NMON; k++)
            mask |= (uint16_t)(1u << k);
        si_t *s = si_add(p, SI_EMP, mask, money_cents(r, 1200, 2600));
        if (s)
            s->emp = emp_pick(r);
    }
    if (a >= 20 && a < 60 && chance(r, 8000)) {
        int m0 = rr(r, 0, 9);
        si_t *s = si_add(p, SI_UNEMP, (uint16_t)(7u << m0), (int64_t)rr(r, 1100, 1400) * 100);
        if (s)
            s->emp = g_county_job[c];
    }
}

/* an employment item worth `total6` fen over the six window months
 * (floor(total6/6) each, the remainder in the last window month), plus
 * unrelated months outside the window */
static void si_exact(unit_t *u, person_t *p, int64_t total6, int pension)
{
    rng_t *r = &u->r;
    si_clear_window(p);
    p->nsi = 0; /* keep it simple: only this evidence */
    int64_t a = total6 / 6;
    si_t *s = si_add(p, pension ? SI_PEN : SI_EMP, WIN_MASK, a);
    s->adj = total6 - 6 * a;
    s->emp = pension ? g_county_si[u->county] : emp_pick(r);
    if (!pension && chance(r, 500000) && a > 100000)
        s->base = a - (int64_t)rr(r, 1, 500) * 100; /* a contribution base below the wage */
    if (chance(r, 600000)) { /* also paid outside the window: irrelevant */
        si_t *o = si_add(p, pension ? SI_PEN : SI_EMP, (uint16_t)(ALL12 & ~WIN_MASK), a + (int64_t)rr(r, 1, 900) * 100);
        if (o)
            o->emp = s->emp;
    }
}

/* an earner whose income pushes the household over the limit */
static void design_e09_fire(unit_t *u, const hhctx_t *c, int n)
{
    rng_t *r = &u->r;
    int e = pick(u, PK_COUNTED | PK_VALID | PK_WORKAGE | PK_HEAD_OK | PK_REUSE);
    int variant = (int)rnd(r, 5);
    if (e < 0) {
        e = pick(u, PK_COUNTED | PK_VALID | PK_ADULT | PK_HEAD_OK | PK_REUSE);
        if (e < 0)
            e = pick(u, PK_COUNTED | PK_HEAD_OK | PK_REUSE);
        if (e < 0)
            return;
        variant = p_age(&u->p[e]) >= 55 ? 4 : 3;
    }
    person_t *p = &u->p[e];
    int64_t lim = 6 * c->std * c->fnum * n;            /* compare against sum6 * fden */
    int64_t others = sum_inc6(u, e) * c->fden;
    int64_t need6 = (lim - others) / c->fden + 1;      /* earner's six-month evidence must exceed this - 1 */
    if (need6 < 0)
        need6 = 0;
    int64_t monthly = need6 / 6 + 1;
    int64_t extra = (int64_t)rr(r, 50, 2500) * 100 + rr(r, 0, 99);
    p->used = 1;
    switch (variant) {
    case 0: /* plain wage, with contribution base */
    case 1: { /* the wage is below the limit, the contribution base above it */
        si_clear_window(p);
        si_t *s = si_add(p, SI_EMP, chance(r, 200000) ? 0x1FFF : ALL12, monthly + extra);
        if (!s)
            break;
        s->emp = emp_pick(r);
        if (variant == 1) {
            s->amt = monthly > 40000 ? monthly - 30000 : monthly / 2;
            s->base = monthly + extra;
        } else
            s->base = chance(r, 700000) ? (s->amt / 100) * 100 : 0;
        break;
    }
    case 2: { /* two employers in the same months */
        si_clear_window(p);
        si_t *s = si_add(p, SI_EMP, ALL12, monthly + extra);
        if (!s)
            break;
        s->two = 1;
        s->emp = emp_pick(r);
        s->emp2 = emp_pick(r);
        break;
    }
    case 3: /* declared by the household */
        p->declared = need6 / 6 + 1 + extra;
        break;
    default: { /* an employee pension */
        si_clear_window(p);
        si_t *s = si_add(p, SI_PEN, ALL12, monthly + extra);
        if (s)
            s->emp = g_county_si[u->county];
        break;
    }
    }
    for (int guard = 0; guard < 8 && !e09_fires(u, c, n); guard++)
        p->declared = p->declared * 2 + need6 / 6 + 100000;
}

/* sum6 of the household == limit (+ plus1 fen) */
static int design_e09_exact(unit_t *u, const hhctx_t *c, int n, int plus1)
{
    rng_t *r = &u->r;
    int e = pick(u, PK_COUNTED | PK_VALID | PK_ADULT | PK_HEAD_OK | PK_REUSE);
    if (e < 0)
        return 0;
    for (int i = 0; i < u->np; i++) {
        person_t *q = &u->p[i];
        if (!q->counted)
            continue;
        q->declared = 0;
        if (!q->ext)
            si_clear_window(q);
    }
    person_t *p = &u->p[e];
    p->used = 1;
    int64_t total6 = 6 * c->std * c->fnum * n / c->fden; /* exact: fden is 1 or 2 */
    if (!plus1 && total6 % 6 == 0 && chance(r, 400000)) {
        p->declared = total6 / 6; /* exact via the declared income */
        return 1;
    }
    si_exact(u, p, total6 + (plus1 ? 1 : 0), p_age(p) >= 60 && chance(r, 500000));
    return 1;
}

static void baseline_income_guard(unit_t *u, const hhctx_t *c, int n)
{
    if (c->std < 0 || n == 0 || !e09_fires(u, c, n))
        return;
    for (int i = 0; i < u->np; i++)
        if (u->p[i].counted)
            u->p[i].declared = 0;
    if (!e09_fires(u, c, n))
        return;
    for (int i = 0; i < u->np; i++)
        if (u->p[i].counted && !u->p[i].ext)
            si_clear_window(&u->p[i]);
}

/* residential area per counted member <= 38 m2 */
static void baseline_home(unit_t *u, int n)
{
    rng_t *r = &u->r;
    int o = pick(u, PK_COUNTED | PK_VALID | PK_HEAD_OK | PK_REUSE);
    if (o < 0 || n == 0)
        return;
    int64_t area = (int64_t)n * rr(r, 1200, 3800);
    person_t *p = &u->p[o], *q = NULL;
    if (chance(r, 350000)) {
        int o2 = pick(u, PK_COUNTED | PK_VALID | PK_ADULT | PK_REUSE);
        if (o2 >= 0 && o2 != o)
            q = &u->p[o2];
    }
    emit_prop(u, p, q, 50, U_RES, area, 1);
    if (chance(r, 100000)) /* an old flat, sold */
        emit_prop(u, p, NULL, 100, U_RES, (int64_t)rr(r, 4000, 9000) * 100, 0);
}

static int vclass_small(rng_t *r) { return (int)(V_MOTO + rnd(r, 4)); }

static void make_invalid_id(rng_t *r, const char *id, char *out)
{
    memcpy(out, id, 19);
    switch (rnd(r, 6)) {
    case 0: { /* wrong check character */
        const char *alt = "0123456789X";
        char ch;
        do
            ch = alt[rnd(r, 11)];
        while (ch == id[17]);
        out[17] = ch;
        break;
    }
    case 1: /* impossible date, consistent check character */
        memcpy(out + 10, rnd(r, 2) ? "0230" : "1332", 4);
        out[17] = id_check(out);
        break;
    case 2: /* 17 characters */
        out[17] = 0;
        break;
    case 3: /* unknown province */
        memcpy(out, rnd(r, 2) ? "99" : "00", 2);
        out[17] = id_check(out);
        break;
    case 4: /* born after the as-of date */
        put4(out + 6, g_asof_y + 1);
        out[17] = id_check(out);
        break;
    default: /* letter O for zero */
        for (int i = 16; i >= 6; i--)
            if (out[i] == '0') {
                out[i] = 'O';
                break;
            }
        if (!strchr(out, 'O'))
            out[9] = 'O';
        break;
    }
}

/* the registry's spelling of a name: its last (given-name) character
 * replaced by another one */
static void mismatch_name(rng_t *r, const char *name, char *out)
{
    size_t l = strlen(name), last = l;
    do
        last--;
    while (last > 0 && ((unsigned char)name[last] & 0xC0) == 0x80);
    const char *g;
    do
        g = GIVEN[rnd(r, NELEM(GIVEN))];
    while (!strcmp(name + last, g));
    memcpy(out, name, last);
    memcpy(out + last, g, strlen(g) + 1);
}

/* ------------------------------------------------------------ financial assets, funerals, E15 */

/* Since the contract of 2026-12: financial_assets.csv (E13 and the E13 block
 * of L01) and funeral.csv (E14), plus sold flats registered around three
 * years before applied_on (the huaiyuan pack's E15), written at the end of
 * property.csv.  Everything here draws from streams of its own (kind 10:
 * registry household h, kind 11: general unit g) after the rest of the unit
 * is drawn, and changes no person field but ->fin, so every row of the other
 * files (and the order of property.csv's rows before the appended ones) is
 * what it was before these feeds existed. */

#define FSCEN(X) \
    X(F_BASE, "a few small accounts (far below the limit)") \
    X(F_UNDER, "counted members' assets 70-99% of 24 x standard x size (no E13)") \
    X(F_OVER, "counted members' assets above 24 x standard x size (E13)") \
    X(F_EXACT, "assets exactly months x standard x size (24/36/48/12 months, own or urban standard)") \
    X(F_OVER1, "assets 1 fen above months x standard x size (E13 at that many months)") \
    X(F_NONCOUNTED, "near miss: a member not counted (moved_out/deceased/cancelled) holds a lot (no E13)") \
    X(F_NONMEMBER, "near miss: a non-member of the head's hukou holds a lot (no E13)") \
    X(F_LATER, "near miss: a large balance only in rows dated after as-of (no E13)") \
    X(F_L02_OVER, "clean cancelled household with assets above 24 x standard x size (no L02)") \
    X(F_L02_EXACT, "clean cancelled household with assets exactly 24 x standard x size (L02)") \
    X(D_DECEASED, "funeral record of a person deceased in hukou (E14 where a member, dated <= as-of)") \
    X(D_NORMAL, "E14: a member still normal in hukou (or absent) has a funeral record before as-of") \
    X(D_NOTCOUNTED, "E14: a moved_out/cancelled member has a funeral record (counted or not)") \
    X(D_ASOF, "E14: funeral record dated exactly the as-of date") \
    X(D_FUTURE, "near miss: funeral record dated after the as-of date (no E14)") \
    X(D_BADID, "near miss: funeral under the true ID of a member whose registry id_no is invalid (no E14)") \
    X(D_L02, "clean cancelled household, a member has a funeral record (no L02)") \
    X(R_E15, "sold flat registered around three years before applied_on (huaiyuan E15; appended to property.csv)") \
    X(CF_OVER, "candidate's hukou household: assets above months x standard x persons (L01 blocked)") \
    X(CF_EXACT, "candidate's hukou household: assets exactly months x standard x persons (not blocked)") \
    X(CF_OVER1, "candidate's hukou household: assets 1 fen above (blocked at that many months)") \
    X(CF_GONE, "candidate: a moved_out/deceased relative holds a lot (not blocked)") \
    X(CF_BASE, "candidate's hukou household: small accounts") \
    X(CD_FUNERAL, "candidate still normal in hukou with a funeral record (L01 is not blocked by E14)") \
    X(G_ACCOUNTS, "general population unit with accounts") \
    X(G_FUNERAL, "general population: funeral record of a person deceased in hukou")
enum {
#define X(n, d) n,
    FSCEN(X)
#undef X
    NFSCEN
};
static const char *const FS_NAME[NFSCEN] = {
#define X(n, d) #n,
    FSCEN(X)
#undef X
};
static const char *const FS_DESC[NFSCEN] = {
#define X(n, d) d,
    FSCEN(X)
#undef X
};
static long long g_finj[NFSCEN];
static uint32_t g_fapplied;
#define FINJ(s) (g_finj[s]++, g_fapplied |= 1u << (s))
/* registry households forced to one scenario each (coverage at any scale) */
#define FFORCE_FIRST (6 + NSCEN)
#define FFORCE_N (R_E15 + 1)

static const char *const INST[] = { "中国农业银行", "中国工商银行", "中国建设银行", "中国银行", "中国邮政储蓄银行",
                                    "陕西信合", "长安银行", "西安银行", "华夏基金", "中信证券",
                                    "中国人寿保险", "中国平安保险" };
static const char *const ATYPE[] = { "deposit", "wealth", "securities", "fund", "insurance", "other" };
enum { A_DEP, A_WEALTH, A_SEC, A_FUND, A_INS, A_OTHER };
static uint64_t g_acctr, g_e15ctr;
static long long g_fin_accounts, g_fin_later, g_fin_samedate, g_fin_spaces;

/* institution or account number, sometimes with stray spaces (the engine
 * compares them trimmed) */
static void fin_text(rng_t *r, row_t *w, const char *s)
{
    int v = chance(r, 80000) ? (int)rnd(r, 4) : -1;
    if (v < 0) {
        fs(w, FT_CODE, s);
        return;
    }
    int n = (int)strlen(s), bl = 0;
    char *b = row_alloc(w, n + 4);
    if (v != 1)
        b[bl++] = ' ';
    if (v == 3)
        b[bl++] = ' ';
    memcpy(b + bl, s, (size_t)n);
    bl += n;
    if (v != 0)
        b[bl++] = ' ';
    fld(w, FT_CODE, b, bl);
    if (v == 2)
        w->q[w->n - 1] = 1; /* the spaces inside quotes */
    g_fin_spaces++;
}

typedef struct {
    int inst, type;
    char no[24];
} acct_t;

static void fin_row(rng_t *r, const char *id, const acct_t *a, int64_t fen, int32_t date)
{
    row_t w;
    row_reset(&w);
    fld(&w, FT_ID, id, 18);
    fin_text(r, &w, INST[a->inst]);
    fin_text(r, &w, a->no);
    fs(&w, FT_ENUM, ATYPE[a->type]);
    fmoney(&w, FT_MONEY, fen, chance(r, 500000));
    fdate(&w, date);
    out_row(O_FIN, &w);
}

/* One account of `id` whose balance as of the as-of date is `bal` fen: its
 * latest row on or before as-of (on as-of, the last month end, or earlier),
 * maybe older rows, maybe a second row on that date with a smaller balance
 * (the larger counts), maybe a row after as-of (ignored; `later` >= 0 forces
 * one with that balance).  bal < 0: the account has rows after as-of only. */
static void fin_account(rng_t *r, const char *id, int64_t bal, int64_t later)
{
    acct_t a;
    a.inst = pick_w(r, (const int[]){ 20, 18, 15, 12, 14, 10, 4, 4, 1, 1, 1, 1 }, NELEM(INST));
    static const int bank_type[3] = { A_DEP, A_WEALTH, A_OTHER };
    if (a.inst < 8)
        a.type = bank_type[pick_w(r, (const int[]){ 80, 15, 5 }, 3)];
    else
        a.type = a.inst == 8 ? A_FUND : a.inst == 9 ? A_SEC : A_INS;
    uint64_t c = g_acctr++;
    unsigned long long v = (unsigned long long)((c * 7919 + 104729) % 1000000000000ULL);
    snprintf(a.no, sizeof a.no, "%s%012llu", a.inst < 8 ? "6228" : a.inst < 10 ? "30" : "P", v);
    g_fin_accounts++;
    struct { int32_t d; int64_t v; } row[8];
    int nr = 0;
    int32_t dl;
    uint32_t x = rnd(r, 100);
    int y, m, d;
    cfd(g_asof + 1, &y, &m, &d);
    if (x < 15 || (x < 55 && d == 1)) /* on as-of (or as-of is a month end) */
        dl = g_asof;
    else if (x < 55) { /* the last month end before as-of */
        cfd(g_asof, &y, &m, &d);
        dl = dfc(y, m, 1) - 1;
    } else
        dl = g_asof - rr(r, 1, 150);
    if (bal >= 0) {
        int ne = rr(r, 0, 3);
        int32_t od[3], dd = dl;
        for (int i = 0; i < ne; i++)
            od[i] = dd -= rr(r, 20, 120);
        for (int i = ne - 1; i >= 0; i--) { /* older rows, oldest first */
            row[nr].d = od[i];
            row[nr++].v = bal / 100 * rr(r, 40, 160) + rr(r, 0, 99);
        }
        row[nr].d = dl;
        row[nr++].v = bal;
        if (bal > 0 && chance(r, 150000)) { /* the same date twice: the larger counts */
            row[nr].d = dl;
            row[nr++].v = rr64(r, 0, bal - 1);
            if (rnd(r, 2)) {
                int64_t t = row[nr - 1].v;
                row[nr - 1].v = row[nr - 2].v;
                row[nr - 2].v = t;
            }
            g_fin_samedate++;
        }
    }
    if (later >= 0 || bal < 0 || chance(r, 200000)) {
        row[nr].d = g_asof + (chance(r, 400000) ? 1 : rr(r, 2, 90));
        row[nr++].v = later >= 0 ? later : (bal > 0 ? bal : 0) + rr64(r, 1, (bal > 0 ? bal : 0) / 2 + 100000);
        g_fin_later++;
    }
    if (nr > 1 && chance(r, 250000)) /* not in date order */
        for (int i = nr - 1; i > 0; i--) {
            int j = (int)rnd(r, (uint32_t)(i + 1));
            int32_t td = row[i].d;
            int64_t tv = row[i].v;
            row[i] = row[j];
            row[j].d = td;
            row[j].v = tv;
        }
    for (int i = 0; i < nr; i++)
        fin_row(r, id, &a, row[i].v, row[i].d);
}

/* `total` fen over 1..kmax accounts of the persons h[0..nh) */
static void fin_spread(rng_t *r, unit_t *u, const int *h, int nh, int64_t total, int kmax)
{
    int k = rr(r, 1, kmax);
    int64_t left = total;
    for (int i = 0; i < k; i++) {
        int64_t part = i == k - 1 ? left : left / 100 * rr(r, 20, 80);
        left -= part;
        person_t *p = &u->p[h[rnd(r, (uint32_t)nh)]];
        fin_account(r, p->id, part, -1);
        p->fin += part;
    }
}

/* months x standard for a design: mostly the reference (24, own standard),
 * else the packs' boundaries (sixian 36/48, huaiyuan 12, guangdong_edge 24 of
 * the urban standard) */
static char g_flimit[8]; /* the design's months (u: urban standard), for gen-truth.csv */
static char g_fe15[8];
static int64_t fin_limit1(rng_t *r, const char *region, int urban, int64_t own, int disabled, int cand)
{
    int v = pick_w(r, cand ? (const int[]){ 50, 20, 0, 15, 15 } : (const int[]){ 45, 14, disabled ? 16 : 0, 10, 15 }, 5);
    int64_t s = own;
    if (v == 4) {
        int64_t us = urban ? own : std_lookup(region, 1);
        if (us >= 0)
            s = us;
        else
            v = 0;
    }
    static const int months[5] = { 24, 36, 48, 12, 24 };
    snprintf(g_flimit, sizeof g_flimit, "@%d%s", months[v], v == 4 ? "u" : "");
    return months[v] * s;
}

typedef struct {
    char id[20], pid[40];
    int32_t reg;
    int64_t area;
} e15_t;
static e15_t *g_e15;
static size_t g_ne15, g_ce15;

static void e15_add(const person_t *p, const char *region, int32_t reg, int64_t area)
{
    if (!O[O_PROP].active)
        return;
    if (g_ne15 == g_ce15) {
        g_ce15 = g_ce15 ? 2 * g_ce15 : 1024;
        g_e15 = realloc(g_e15, g_ce15 * sizeof *g_e15);
        if (!g_e15)
            die("out of memory");
    }
    e15_t *e = &g_e15[g_ne15++];
    memcpy(e->id, p->id, 20);
    int y, m, d;
    cfd(reg, &y, &m, &d);
    snprintf(e->pid, sizeof e->pid, "%.6s-%04d-R%07llu", region, y, (unsigned long long)g_e15ctr++);
    e->reg = reg;
    e->area = area;
}

static void e15_flush(void)
{
    for (size_t i = 0; i < g_ne15; i++) {
        const e15_t *e = &g_e15[i];
        row_t w;
        row_reset(&w);
        fld(&w, FT_ID, e->id, 18);
        fs(&w, FT_CODE, e->pid);
        fs(&w, FT_ENUM, USAGE[U_RES]);
        char *b = row_alloc(&w, 24);
        int n = snprintf(b, 24, "%lld.%02lld", (long long)(e->area / 100), (long long)(e->area % 100));
        fld(&w, FT_AREA, b, n);
        w.num[w.n - 1] = e->area;
        fs(&w, FT_SHARE, "1");
        fdate(&w, e->reg);
        fs(&w, FT_ENUM, "sold");
        out_row(O_PROP, &w);
    }
    free(g_e15);
    g_e15 = NULL;
    g_ne15 = g_ce15 = 0;
}

static const char *const FKIND[] = { "cremation", "burial" };

static void fun_row(rng_t *r, const person_t *p, int32_t date)
{
    row_t w;
    row_reset(&w);
    fld(&w, FT_ID, p->id, 18);
    fs(&w, FT_NAME, p->name);
    fdate(&w, date);
    fs(&w, FT_ENUM, FKIND[chance(r, 800000) ? 0 : 1]);
    out_row(O_FUN, &w);
}

/* index of a random person matching `want` (a predicate code), -1 */
enum { W_HOLDER, W_NONCOUNTED, W_NONMEMBER, W_NORMAL_MEMBER, W_BADID };
static int fpick(rng_t *r, unit_t *u, int want)
{
    int cand[MAXP], nc = 0;
    for (int i = 0; i < u->np; i++) {
        const person_t *p = &u->p[i];
        int ok = 0;
        switch (want) {
        case W_HOLDER: ok = p->member && p->counted && !p->ext && !p->bad_rid; break;
        case W_NONCOUNTED: ok = p->member && !p->counted && !p->ext && !p->bad_rid; break;
        case W_NONMEMBER: ok = !p->member && p->inhk && !p->ext && p->hk == u->p[0].hk && p->st == ST_NORMAL; break;
        case W_NORMAL_MEMBER: ok = p->member && !p->ext && !p->bad_rid && (!p->inhk || p->st == ST_NORMAL); break;
        default: ok = p->member && !p->ext && p->bad_rid; break;
        }
        if (ok)
            cand[nc++] = i;
    }
    return nc ? cand[rnd(r, (uint32_t)nc)] : -1;
}

/* the accounts, funeral records and E15 flats of registry household h */
static void extras_household(unit_t *u, const hhctx_t *c, int n, uint64_t h, int clean_cancelled, int32_t applied)
{
    rng_t fr;
    rng_t *r = &fr;
    rng_init(r, g_seed, 10, h);
    g_fapplied = 0;
    g_flimit[0] = 0;
    int forced = -1;
    if (h == 0)
        forced = F_L02_OVER;
    else if (h == 1)
        forced = D_L02;
    else if (h >= FFORCE_FIRST && h < FFORCE_FIRST + FFORCE_N)
        forced = (int)(h - FFORCE_FIRST);
    int64_t S = c->std;
    int disabled = 0;
    int64_t ext_sum = 0;
    for (int i = 0; i < u->np; i++) {
        const person_t *p = &u->p[i];
        if (p->member && p->counted && p->dis >= 1 && p->dis <= 2)
            disabled = 1;
        if (p->member && p->counted && p->ext)
            ext_sum += p->fin;
    }
    int hold[MAXP], nh = 0;
    for (int i = 0; i < u->np; i++)
        if (u->p[i].member && u->p[i].counted && !u->p[i].ext && !u->p[i].bad_rid)
            hold[nh++] = i;

    /* what this household can carry */
    int ok[NFSCEN];
    int lim_ok = S >= 0 && n > 0 && nh > 0;
    int has_nc = fpick(r, u, W_NONCOUNTED) >= 0, has_nm = fpick(r, u, W_NONMEMBER) >= 0;
    int has_bad = fpick(r, u, W_BADID) >= 0, has_nmem = fpick(r, u, W_NORMAL_MEMBER) >= 0;
    for (int k = 0; k < NFSCEN; k++)
        ok[k] = 0;
    ok[F_BASE] = 1;
    ok[F_UNDER] = ok[F_OVER] = ok[F_EXACT] = ok[F_OVER1] = ok[F_LATER] = lim_ok && !clean_cancelled;
    ok[F_NONCOUNTED] = lim_ok && has_nc;
    ok[F_NONMEMBER] = lim_ok && has_nm;
    ok[F_L02_OVER] = ok[F_L02_EXACT] = lim_ok && clean_cancelled;
    ok[D_NORMAL] = ok[D_ASOF] = ok[D_FUTURE] = has_nmem;
    ok[D_DECEASED] = 1; /* automatic (below): forcing it designs nothing more */
    ok[D_NOTCOUNTED] = has_nc;
    ok[D_BADID] = has_bad;
    ok[D_L02] = has_nmem && clean_cancelled;
    ok[R_E15] = nh > 0;
    /* a forced scenario this household cannot carry waits for the next one
     * that can, so every scenario occurs at any scale */
    static uint32_t pending;
    if (forced >= 0 && !ok[forced]) {
        pending |= 1u << forced;
        forced = -1;
    }
    if (forced < 0)
        for (int k = 0; k < FFORCE_N && forced < 0; k++)
            if ((pending >> k & 1) && ok[k]) {
                forced = k;
                pending &= ~(1u << k);
            }

    /* financial assets */
    int fs_ = -1;
    if (forced >= F_BASE && forced <= F_L02_EXACT)
        fs_ = forced;
    else if (forced < 0) {
        if (ok[F_L02_OVER] && chance(r, 200000))
            fs_ = rnd(r, 3) ? F_L02_OVER : F_L02_EXACT;
        else if (ok[F_NONCOUNTED] && chance(r, 80000))
            fs_ = F_NONCOUNTED;
        else if (ok[F_NONMEMBER] && chance(r, 50000))
            fs_ = F_NONMEMBER;
        else {
            int w[] = { 300000, 10000, 15000, 6000, 6000, 4000, 663000 };
            static const int fk[] = { F_BASE, F_UNDER, F_OVER, F_EXACT, F_OVER1, F_LATER, -1 };
            fs_ = fk[pick_w(r, w, NELEM(w))];
            if (fs_ >= 0 && !ok[fs_])
                fs_ = F_BASE;
        }
    }
    int64_t L24 = 24 * S * n;
    switch (fs_) {
    case F_BASE: {
        int k = rr(r, 1, 3);
        int64_t unit = S >= 0 ? S : 80000;
        for (int i = 0; i < k; i++) {
            int j = (int)rnd(r, (uint32_t)u->np);
            person_t *p = &u->p[j];
            if (p->ext)
                continue;
            int64_t b = chance(r, 50000) ? 0 : rr64(r, 0, 2 * unit);
            fin_account(r, p->id, b, -1);
            p->fin += b; /* (a member with an invalid registry ID: not linked) */
        }
        FINJ(F_BASE);
        break;
    }
    case F_UNDER:
    case F_OVER:
    case F_L02_OVER: {
        int64_t t = fs_ == F_UNDER ? L24 / 100 * rr(r, 70, 99) : L24 + rr64(r, 1, L24 / 3 + 1);
        t -= ext_sum;
        if (t >= 0) {
            fin_spread(r, u, hold, nh, t, 4);
            FINJ(fs_);
        }
        break;
    }
    case F_EXACT:
    case F_OVER1:
    case F_L02_EXACT: {
        int64_t lim = fs_ == F_L02_EXACT ? L24 : fin_limit1(r, u->region, u->urban, S, disabled, 0) * n;
        int64_t t = lim + (fs_ == F_OVER1 ? 1 : 0) - ext_sum;
        if (t >= 0) {
            fin_spread(r, u, hold, nh, t, 4);
            FINJ(fs_);
        }
        break;
    }
    case F_NONCOUNTED:
    case F_NONMEMBER: {
        int j = fpick(r, u, fs_ == F_NONCOUNTED ? W_NONCOUNTED : W_NONMEMBER);
        if (j >= 0) {
            int64_t b = 2 * L24 + rr64(r, 0, L24);
            fin_account(r, u->p[j].id, b, -1);
            u->p[j].fin += b;
            FINJ(fs_);
        }
        break;
    }
    case F_LATER: {
        person_t *p = &u->p[hold[rnd(r, (uint32_t)nh)]];
        int64_t small = L24 / 100 * rr(r, 5, 40);
        if (small + ext_sum <= L24) {
            fin_account(r, p->id, small, 3 * L24);
            p->fin += small;
            if (rnd(r, 2))
                fin_account(r, p->id, -1, 2 * L24); /* opened after as-of */
            FINJ(F_LATER);
        }
        break;
    }
    default: break;
    }

    /* funeral records */
    for (int i = 0; i < u->np; i++) {
        const person_t *p = &u->p[i];
        if (!p->ext && p->inhk && p->st == ST_DECEASED && chance(r, 600000)) {
            fun_row(r, p, p->st_date - rr(r, 0, 6));
            FINJ(D_DECEASED);
        }
    }
    int ds = -1;
    if (forced >= D_DECEASED && forced <= D_L02)
        ds = forced;
    else if (forced < 0) {
        if (ok[D_L02] && chance(r, 120000))
            ds = D_L02;
        else if (ok[D_BADID] && chance(r, 150000))
            ds = D_BADID;
        else if (ok[D_NOTCOUNTED] && chance(r, 60000))
            ds = D_NOTCOUNTED;
        else {
            int w[] = { 8000, 1500, 1500, 989000 };
            static const int dk[] = { D_NORMAL, D_ASOF, D_FUTURE, -1 };
            ds = dk[pick_w(r, w, NELEM(w))];
            if (ds >= 0 && !ok[ds])
                ds = -1;
        }
    }
    if (ds == D_DECEASED)
        ds = -1;
    if (ds >= 0) {
        int j = fpick(r, u, ds == D_BADID ? W_BADID : ds == D_NOTCOUNTED ? W_NONCOUNTED : W_NORMAL_MEMBER);
        if (j >= 0) {
            const person_t *p = &u->p[j];
            int32_t d = ds == D_ASOF ? g_asof : ds == D_FUTURE ? g_asof + (chance(r, 600000) ? 1 : rr(r, 2, 30))
                                                             : g_asof - rr(r, 1, 400);
            fun_row(r, p, d);
            FINJ(ds);
        }
    }

    /* E15 (huaiyuan): a sold flat registered near three years before applied_on */
    int ay, am, ad;
    cfd(applied, &ay, &am, &ad);
    int feb29 = am == 2 && ad == 29;
    if (forced == R_E15 || feb29 || chance(r, 20000)) {
        int j = chance(r, 800000) ? fpick(r, u, W_HOLDER) : fpick(r, u, W_NONCOUNTED);
        if (j < 0)
            j = fpick(r, u, W_HOLDER);
        if (j >= 0) {
            int v = feb29 ? (int)rnd(r, 2) : (int)rnd(r, 6);
            int32_t B = dfc(ay - 3, am, feb29 ? 28 : ad); /* the same day three years before */
            int32_t reg;
            switch (v) {
            case 0: reg = B; break;       /* not after: no E15 */
            case 1: reg = B + 1; break;   /* fires */
            case 2: reg = applied; break; /* fires */
            case 3: reg = applied + 1; break;
            case 4: reg = B + 1 + rr(r, 0, applied - B - 1); break;
            default: reg = B - rr(r, 1, 400); break;
            }
            e15_add(&u->p[j], u->region, reg, (int64_t)rr(r, 40, 120) * 100 + rr(r, 0, 99));
            /* gen-truth.csv: y = this flat makes E15 fire (a counted member, in the window) */
            snprintf(g_fe15, sizeof g_fe15, "@%s%s", u->p[j].counted && (v == 1 || v == 2 || v == 4) ? "y" : "n",
                     feb29 ? "29" : "");
            FINJ(R_E15);
        }
    }
}

/* the accounts and funeral records of general unit g (cat: its candidate
 * category, -1 for the ordinary population; std: the candidate's standard) */
static void extras_general(unit_t *u, uint64_t g, int cat, int64_t std)
{
    rng_t fr;
    rng_t *r = &fr;
    rng_init(r, g_seed, 11, g);
    g_fapplied = 0;
    g_flimit[0] = 0;
    for (int i = 0; i < u->np; i++) {
        const person_t *p = &u->p[i];
        if (p->inhk && p->st == ST_DECEASED && chance(r, 700000)) {
            fun_row(r, p, p->st_date - rr(r, 0, 6));
            FINJ(G_FUNERAL);
        }
    }
    if (cat < 0) {
        if (chance(r, 100000)) {
            int k = rr(r, 1, 3);
            for (int i = 0; i < k; i++) {
                person_t *p = &u->p[rnd(r, (uint32_t)u->np)];
                fin_account(r, p->id, money_cents(r, 0, 300000), -1);
            }
            FINJ(G_ACCOUNTS);
        }
        return;
    }
    int hold[MAXP], nh = 0;
    for (int i = 0; i < u->np; i++)
        if (u->p[i].inhk && u->p[i].st == ST_NORMAL)
            hold[nh++] = i;
    int n = nh;
    int gone = -1;
    for (int i = 0; i < u->np; i++)
        if (u->p[i].inhk && u->p[i].st != ST_NORMAL)
            gone = i;
    int cs;
    if (g < NCCAT)
        cs = (int)(g % 5);
    else
        cs = pick_w(r, (const int[]){ 100, 50, 50, 0, 250, 550 }, 6);
    if (gone >= 0 && (g == C_NONNORMAL_ASSET || chance(r, 300000)))
        cs = 3;
    cs = cs < 5 ? CF_OVER + cs : -1;
    if (cs >= 0 && cs != CF_BASE && (std < 0 || n == 0))
        cs = CF_BASE;
    int64_t L24 = 24 * (std >= 0 ? std : 80000) * (n ? n : 1);
    switch (cs) {
    case CF_OVER:
        fin_spread(r, u, hold, nh, L24 + rr64(r, 1, L24 / 3 + 1), 4);
        FINJ(cs);
        break;
    case CF_EXACT:
    case CF_OVER1:
        fin_spread(r, u, hold, nh, fin_limit1(r, u->region, u->urban, std, 0, 1) * n + (cs == CF_OVER1), 4);
        FINJ(cs);
        break;
    case CF_GONE:
        if (gone >= 0) {
            fin_account(r, u->p[gone].id, 2 * L24, -1);
            FINJ(cs);
        }
        break;
    case CF_BASE:
        if (nh) {
            int k = rr(r, 1, 2);
            for (int i = 0; i < k; i++)
                fin_account(r, u->p[hold[rnd(r, (uint32_t)nh)]].id, rr64(r, 0, L24 / 4), -1);
            FINJ(cs);
        }
        break;
    default: break;
    }
    const person_t *c0 = &u->p[0];
    if (c0->inhk && c0->st == ST_NORMAL && (g == C_ELIG || chance(r, 20000))) {
        fun_row(r, c0, g_asof - rr(r, 1, 200));
        FINJ(CD_FUNERAL);
    }
}

static void gen_household(uint64_t h)
{
    unit_t *u = &U;
    unit_reset(u);
    rng_init(&u->r, g_seed, 1, h);
    rng_t *r = &u->r;
    uint64_t sc = 0, forced = 0;
    g_applied = 0;
    g_truth_dup[0] = 0;
    for (int s = 0; s < NSCEN; s++)
        if (chance(r, SC_PPM[s]))
            sc |= 1ULL << s;
    int fstatus = -1;
    /* coverage at any scale: the first households are forced, six statuses
     * (cancelled with and without a reason first, so the E10 near miss
     * finds one), then one household per scenario */
    if (h < 6) {
        static const int fs_[6] = { HS_CANCELLED, HS_CANCELLED, HS_CANCELLED, HS_CANCELLED, HS_APPLYING, HS_SUSPENDED };
        fstatus = fs_[h];
    } else if (h < 6 + NSCEN) {
        forced = 1ULL << (h - 6);
        sc |= forced;
        fstatus = HS_ACTIVE;
    }
    const uint64_t G_E01 = B(E01_DEAD) | B(E01_ASOF) | B(E01_FUTURE);
    const uint64_t G_E02 = B(E02_MOVED) | B(E02_CANC) | B(E02_OTHER) | B(E02_SAMECTY) | B(E02_MULTIROW);
    const uint64_t G_E03 = B(E03_PRIVATE) | B(E03_COMM_OVER) | B(E03_COMM_EXACT) | B(E03_TRUCK) | B(E03_NEAR);
    const uint64_t G_HOUSE = B(E04_TWO) | B(E04_SOLD) | B(E04_SAMEID) | B(E06_AREA) | B(E06_EXACT) | B(E06_OVER1);
    const uint64_t G_E05 = B(E05_COMM) | B(E05_NEAR), G_E07 = B(E07_BIZ) | B(E07_NEAR), G_E08 = B(E08_PS) | B(E08_NEAR);
    const uint64_t G_E09 = B(E09_INC) | B(E09_EXACT) | B(E09_OVER1) | B(E09_OUTSIDE);
    const uint64_t G_E10 = B(E10_DUP) | B(E10_NEAR);
    const uint64_t G_E11 = B(E11_SPOUSE) | B(E11_CHILD) | B(E11_ALMOST18) | B(E11_EXACT18) | B(E11_NEAR) |
                           B(E11_HEADNOT) | B(NO_HEAD);
    const uint64_t G_E12 = B(E12_REL) | B(E12_NEAR), G_P01 = B(P01_SLOW) | B(P01_15) | B(P01_16);
    const uint64_t G_Q03 = B(Q03_NAME) | B(Q03_NEAR);
    const uint64_t groups[] = { G_E01, G_E02, G_E03, G_HOUSE, G_E05, G_E07, G_E08, G_E09, G_E10, G_E11, G_E12, G_P01, G_Q03 };
    for (int i = 0; i < NELEM(groups); i++)
        keep_one(r, &sc, groups[i], forced);

    hhctx_t c;
    c.status = pick_w(r, (const int[]){ 790, 40, 100, 70 }, 4);
    if (fstatus >= 0)
        c.status = fstatus;
    c.program = pick_w(r, (const int[]){ 68, 12, 20 }, 3);
    const uint64_t FIRE = B(E01_DEAD) | B(E01_ASOF) | B(E02_MOVED) | B(E02_CANC) | B(E02_OTHER) | B(E03_PRIVATE) |
                          B(E03_COMM_OVER) | B(E03_TRUCK) | B(E04_TWO) | B(E05_COMM) | B(E06_AREA) | B(E06_OVER1) |
                          B(E07_BIZ) | B(E08_PS) | B(E09_INC) | B(E09_OVER1);
    if (c.status == HS_CANCELLED) {
        sc &= ~FIRE;
        int clean = (fstatus >= 0) ? (h < 2) : chance(r, 350000);
        if (!clean) {
            static const int reason_bit[7] = { S_E09_INC, S_E01_DEAD, S_E02_MOVED, S_E03_PRIVATE, S_E06_AREA, S_E07_BIZ, S_E08_PS };
            int k = pick_w(r, (const int[]){ 40, 15, 15, 10, 10, 5, 5 }, 7);
            uint64_t rb = 1ULL << reason_bit[k];
            /* the reason replaces anything else in its group */
            for (int i = 0; i < NELEM(groups); i++)
                if (groups[i] & rb)
                    sc &= ~groups[i];
            sc |= rb;
        }
    }
    if (c.status == HS_CANCELLED && (sc & B(E10_DUP))) /* a cancelled household can only be the near miss */
        sc = (sc & ~B(E10_DUP)) | B(E10_NEAR);

    /* place */
    int need_std = (sc & (G_E09 | G_HOUSE)) || c.status == HS_CANCELLED || h < 6 + NSCEN;
    u->county = county_pick(r, need_std);
    u->urban = place_pick(r, u->county, &u->town, &u->village);
    int main_hk = hk_new(u, u->county, u->town, u->village);
    memcpy(u->region, u->hk[main_hk].region, 13);
    c.std = std_lookup(u->region, u->urban);
    c.fnum = c.program == P_DISHOURU ? 3 : 1;
    c.fden = c.program == P_DISHOURU ? 2 : 1;
    if (c.std < 0)
        g_hh_nostd++;

    /* family */
    int n0;
    int head_age, head_male = chance(r, 600000);
    if (c.program == P_TEKUN) {
        n0 = chance(r, 880000) ? 1 : 2;
        head_age = chance(r, 850000) ? rr(r, 60, 95) : rr(r, 25, 59);
    } else {
        n0 = 1 + pick_w(r, (const int[]){ 80, 150, 220, 270, 170, 80, 30 }, 7);
        head_age = rr(r, 25, 85);
    }
    if (sc & (B(E11_EXACT18) | B(E11_ALMOST18) | B(E11_CHILD)))
        if (head_age < 38)
            head_age = rr(r, 38, 55);
    build_family(u, n0, head_age, head_male, !(sc & B(E11_HEADNOT)));
    person_t *head = &u->p[0];
    char hs[8];
    surname_of(head->name, hs);
    int32_t asof = g_asof;

    /* E11 designs: non-members in the head's hukou */
    if (sc & B(E11_SPOUSE)) {
        int sp = -1;
        for (int i = 1; i < u->np; i++)
            if (u->p[i].rel == R_SPOUSE)
                sp = i;
        if (sp >= 0)
            u->p[sp].member = 0;
        else
            pnew(u, head_age + rr(r, -5, 5), !head->male, NULL, R_SPOUSE)->member = 0;
        INJ(S_E11_SPOUSE);
    }
    if (sc & B(E11_CHILD)) {
        pnew(u, rr(r, 2, 16), (int)rnd(r, 2), head->male ? hs : NULL, R_CHILD)->member = 0;
        INJ(S_E11_CHILD);
    }
    if (sc & (B(E11_EXACT18) | B(E11_ALMOST18))) {
        int y, m, d;
        cfd(asof, &y, &m, &d);
        if (m == 2 && d == 29)
            d = 28;
        int32_t b = dfc(y - 18, m, d) + ((sc & B(E11_ALMOST18)) ? 1 : 0);
        pnew_forced(u, b, (int)rnd(r, 2), head->male ? hs : NULL, R_CHILD)->member = 0;
        INJ((sc & B(E11_ALMOST18)) ? S_E11_ALMOST18 : S_E11_EXACT18);
    }
    if (sc & B(E11_NEAR)) {
        int has_sp = 0;
        for (int i = 1; i < u->np; i++)
            has_sp |= u->p[i].rel == R_SPOUSE;
        int v = (int)rnd(r, 3);
        if (v == 0 && !has_sp) {
            person_t *q = pnew(u, head_age + rr(r, -5, 5), !head->male, NULL, R_SPOUSE);
            q->member = 0;
            q->st = chance(r, 500000) ? ST_DECEASED : ST_MOVED;
            q->st_date = asof - rr(r, 30, 900);
        } else if (v == 1 && head_age >= 30) {
            person_t *q = pnew(u, rr(r, 8, 16), (int)rnd(r, 2), head->male ? hs : NULL, R_CHILD);
            q->member = 0;
            q->st = ST_MOVED;
            q->st_date = asof - rr(r, 30, 900);
        } else if (head_age >= 38) {
            pnew(u, rr(r, 19, head_age - 19 < 30 ? head_age - 19 : 30), (int)rnd(r, 2), head->male ? hs : NULL,
                 R_CHILD)->member = 0;
        } else {
            person_t *q = pnew(u, head_age + rr(r, -5, 5), !head->male, NULL, R_SPOUSE);
            q->member = 0;
            q->st = ST_DECEASED;
            q->st_date = asof - rr(r, 30, 900);
        }
        INJ(S_E11_NEAR);
    }
    if (sc & B(E11_HEADNOT)) {
        /* the registry family lives in the hukou of the head's parents */
        for (int i = 0; i < u->np; i++) {
            person_t *q = &u->p[i];
            q->hrel = q->rel == R_HEAD ? R_CHILD : q->rel == R_CHILD ? R_GRANDCHILD : R_OTHER;
        }
        int pa = head_age + rr(r, 22, 30);
        person_t *f = pnew(u, pa > 99 ? 99 : pa, 1, hs, R_OTHER);
        f->hrel = R_HEAD;
        f->member = 0;
        person_t *m = pnew(u, pa - rr(r, 0, 4), 0, NULL, R_OTHER);
        m->hrel = R_SPOUSE;
        m->member = 0;
        INJ(S_E11_HEADNOT);
    }
    /* baseline: an adult child who is not a member (no E11) */
    if (head_age >= 45 && chance(r, 30000))
        pnew(u, rr(r, 19, 25), (int)rnd(r, 2), head->male ? hs : NULL, R_CHILD)->member = 0;
    /* E08 near miss: a non-member adult relative who is a public servant */
    person_t *ps_near = NULL;
    if (sc & B(E08_NEAR)) {
        ps_near = pnew(u, head_age >= 45 ? rr(r, 23, 30) : head_age + rr(r, -5, 5),
                       (int)rnd(r, 2), hs, head_age >= 45 ? R_CHILD : R_SIBLING);
        ps_near->member = 0;
        if (u->p[0].hrel != R_HEAD)
            ps_near->hrel = R_OTHER;
    }

    /* registry attributes */
    for (int i = 0; i < u->np; i++)
        member_attrs(r, &u->p[i]);

    /* secondary hukou: a member registered with relatives elsewhere in the county */
    person_t *sec_head = NULL;
    int want_sec = chance(r, 50000) || (sc & B(E02_SAMECTY));
    if (want_sec) {
        int m = pick(u, 0);
        if (m >= 0) {
            person_t *p = &u->p[m];
            int town = u->town, village;
            if (sc & B(E02_SAMECTY)) { /* another township of the same county */
                town = (u->town + 1 + (int)rnd(r, (uint32_t)(GEO[u->county].ntown - 1))) % GEO[u->county].ntown;
                INJ(S_E02_SAMECTY);
                p->used = 1;
            }
            int ts = GEO[u->county].towns[town];
            village = ts < 100 ? rr(r, 1, 12) : rr(r, 201, 225);
            int hk = hk_new(u, u->county, town, village);
            int sa = p_age(p) - rr(r, 22, 30);
            if (p->rel != R_PARENT || sa < 20)
                sa = p_age(p) + rr(r, -6, 6);
            if (sa < 18)
                sa = 18;
            sec_head = pnew(u, sa, (int)rnd(r, 2), hs, R_HEAD);
            sec_head->member = 0;
            sec_head->hk = hk;
            person_t *ss = pnew(u, sa + rr(r, -4, 4), !sec_head->male, NULL, R_SPOUSE);
            ss->member = 0;
            ss->hk = hk;
            int nk = (int)rnd(r, 3);
            for (int k = 0; k < nk && sa >= 22; k++) {
                person_t *kd = pnew(u, rr(r, 0, sa - 21 < 20 ? sa - 21 : 20), (int)rnd(r, 2), hs, R_CHILD);
                kd->member = 0;
                kd->hk = hk;
            }
            p->hk = hk;
            p->hrel = p->rel == R_PARENT ? R_PARENT : R_SIBLING;
            p->used = 1;
        }
    }

    /* dup from a recent household */
    if (sc & G_E10) {
        int want_canc = (sc & B(E10_NEAR)) && c.status != HS_CANCELLED;
        for (int t = 0; t < 12; t++) {
            if (g_ring_pos == 0)
                break;
            uint64_t back = 1 + rnd(r, (uint32_t)(g_ring_pos < RING ? g_ring_pos : RING));
            ringent_t *e = &g_ring[(g_ring_pos - back) % RING];
            if (!e->used || !e->n || e->county != u->county) /* same county: no E02 */
                continue;
            if ((sc & B(E10_DUP)) && e->cancelled)
                continue;
            if (want_canc && !e->cancelled)
                continue;
            int k = (int)rnd(r, (uint32_t)e->n);
            if (u->np >= MAXP)
                break;
            person_t *q = &u->p[u->np++];
            memset(q, 0, sizeof *q);
            memcpy(q->id, e->p[k].id, 20);
            memcpy(q->name, e->p[k].name, 48);
            q->birth = e->p[k].birth;
            q->male = e->p[k].male;
            q->fin = e->p[k].fin;
            q->member = 1;
            q->ext = 1;
            q->used = 1;
            q->rel = p_age(head) - p_age(q) >= 18 ? R_CHILD : R_OTHER;
            member_attrs(r, q);
            q->declared = 0;
            memcpy(g_truth_dup, e->hid, sizeof g_truth_dup);
            INJ((sc & B(E10_DUP)) ? S_E10_DUP : S_E10_NEAR);
            break;
        }
    }

    /* statuses */
    if (sc & G_E01) {
        int m = pick(u, PK_ADULT | PK_HEAD_OK);
        if (m < 0)
            m = pick(u, PK_HEAD_OK);
        if (m >= 0) {
            person_t *p = &u->p[m];
            p->used = 1;
            p->st = ST_DECEASED;
            if (sc & B(E01_DEAD)) {
                p->st_date = asof - rr(r, 1, 500);
                if (chance(r, 200000)) { /* moved_out earlier elsewhere, then deceased here */
                    int oc = NOURS + (int)rnd(r, NGEO - NOURS);
                    p->old_row = 1;
                    p->old_hk = hk_new(u, oc, 0, 1);
                    p->old_st = ST_MOVED;
                    p->old_date = p->st_date - rr(r, 100, 2000);
                }
                INJ(S_E01_DEAD);
            } else if (sc & B(E01_ASOF)) {
                p->st_date = asof;
                INJ(S_E01_ASOF);
            } else {
                p->st_date = asof + rr(r, 1, 3);
                if (!chance(r, 300000))
                    p->st_date = asof + 1;
                INJ(S_E01_FUTURE);
            }
        }
    }
    if (sc & (B(E02_MOVED) | B(E02_CANC) | B(E02_OTHER) | B(E02_MULTIROW))) {
        /* the head keeps the E11 household's hukou_no */
        int m = pick(u, ((sc & G_E11) ? 0 : PK_HEAD_OK) | ((sc & B(E02_MULTIROW)) ? PK_ADULT : 0));
        if (m >= 0 && (m != 0 || u->p[0].member)) {
            person_t *p = &u->p[m];
            p->used = 1;
            if (sc & B(E02_MOVED)) {
                p->st = ST_MOVED;
                p->st_date = asof - rr(r, 5, 800);
                INJ(S_E02_MOVED);
            } else if (sc & B(E02_CANC)) {
                p->st = ST_CANCELLED;
                p->st_date = asof - rr(r, 5, 800);
                INJ(S_E02_CANC);
            } else if (sc & B(E02_OTHER)) {
                int oc = chance(r, 500000) ? NOURS + (int)rnd(r, NGEO - NOURS) : (u->county + 1 + (int)rnd(r, NOURS - 1)) % NOURS;
                int town = (int)rnd(r, (uint32_t)GEO[oc].ntown);
                int hk = hk_new(u, oc, town, GEO[oc].towns[town] < 100 ? rr(r, 1, 12) : rr(r, 201, 225));
                p->hk = hk;
                p->hrel = R_HEAD;
                INJ(S_E02_OTHER);
            } else {
                int oc = NOURS + (int)rnd(r, NGEO - NOURS);
                p->old_row = 1;
                p->old_hk = hk_new(u, oc, 0, rr(r, 1, 12));
                p->old_st = ST_MOVED;
                p->old_date = asof - rr(r, 200, 3000);
                INJ(S_E02_MULTIROW);
            }
        }
    }
    if (sc & B(Q02_NOHUKOU)) {
        int m = pick(u, (n0 == 1 && !(sc & G_E11)) ? PK_HEAD_OK : 0);
        if (m >= 0) {
            u->p[m].inhk = 0;
            u->p[m].used = 1;
            INJ(S_Q02_NOHUKOU);
        }
    }
    if (sc & B(Q01_BADID)) {
        int m = pick(u, PK_NO_SPOUSE_MINOR | ((n0 == 1 && !(sc & G_E11)) ? PK_HEAD_OK : 0));
        if (m >= 0) {
            person_t *p = &u->p[m];
            p->used = 1;
            p->bad_rid = 1;
            make_invalid_id(r, p->id, p->rid);
            INJ(S_Q01_BADID);
        }
    }
    if (sc & G_Q03) {
        int m = pick(u, PK_HEAD_OK);
        if (m >= 0) {
            person_t *p = &u->p[m];
            p->used = 1;
            if (sc & B(Q03_NAME)) {
                mismatch_name(r, p->name, p->rname);
                INJ(S_Q03_NAME);
            } else {
                int v = (int)rnd(r, 3);
                char nm[sizeof p->name];
                memcpy(nm, p->name, sizeof nm);
                snprintf(p->rname, sizeof p->rname, "%s%s%s", v != 1 ? " " : "", nm, v != 0 ? "  " : "");
                INJ(S_Q03_NEAR);
            }
        }
    }
    for (int i = 0; i < u->np; i++) {
        person_t *p = &u->p[i];
        if (!p->bad_rid)
            memcpy(p->rid, p->id, 19);
        if (!p->rname[0])
            memcpy(p->rname, p->name, sizeof p->name);
    }
    int n = counted_n(u);

    /* assets: vehicles */
    if (sc & G_E03) {
        int m = pick(u, PK_ADULT | PK_VALID | PK_HEAD_OK | PK_REUSE);
        if (m >= 0) {
            person_t *p = &u->p[m];
            if (sc & B(E03_PRIVATE)) {
                emit_vehicle(u, p, V_CAR, 0, chance(r, 200000) ? (int64_t)rr(r, 5, 29) * 100000 : vehicle_value(r, V_CAR, 0), 0);
                INJ(S_E03_PRIVATE);
            } else if (sc & B(E03_COMM_OVER)) {
                emit_vehicle(u, p, V_CAR, 1, chance(r, 500000) ? 3000001 : (int64_t)rr(r, 30001, 90000) * 100, 0);
                INJ(S_E03_COMM_OVER);
            } else if (sc & B(E03_COMM_EXACT)) {
                int v = (int)rnd(r, 4);
                int64_t val = v <= 1 ? 3000000 : v == 2 ? 2999999 : (int64_t)rr(r, 80, 299) * 10000;
                emit_vehicle(u, p, rnd(r, 4) ? V_CAR : V_TRUCK, 1, val, 0);
                INJ(S_E03_COMM_EXACT);
            } else if (sc & B(E03_TRUCK)) {
                int vc = rnd(r, 3) ? V_TRUCK : V_BUS;
                emit_vehicle(u, p, vc, (int)rnd(r, 2), vehicle_value(r, vc, 1), 0);
                INJ(S_E03_TRUCK);
            } else {
                if (rnd(r, 2)) {
                    int vc = vclass_small(r);
                    emit_vehicle(u, p, vc, 0, vehicle_value(r, vc, 0), 0);
                } else
                    emit_vehicle(u, p, V_CAR, (int)rnd(r, 2), vehicle_value(r, V_CAR, 0), 1 + (int)rnd(r, 2));
                INJ(S_E03_NEAR);
            }
        }
    }
    if (chance(r, 80000)) { /* baseline: a motorcycle or tricycle */
        int m = pick(u, PK_ADULT | PK_VALID | PK_HEAD_OK | PK_REUSE);
        if (m >= 0) {
            int vc = vclass_small(r);
            emit_vehicle(u, &u->p[m], vc, 0, vehicle_value(r, vc, 0), chance(r, 850000) ? 0 : 1);
        }
    }
    /* housing */
    int housing_done = 0;
    if (n > 0 && (sc & G_HOUSE)) {
        int o = pick(u, PK_COUNTED | PK_VALID | PK_HEAD_OK | PK_REUSE);
        int o2 = pick(u, PK_COUNTED | PK_VALID | PK_REUSE);
        if (o2 == o)
            o2 = -1;
        if (o >= 0) {
            person_t *p = &u->p[o], *q = o2 >= 0 ? &u->p[o2] : NULL;
            housing_done = 1;
            if (sc & B(E04_TWO)) {
                emit_prop(u, p, NULL, 100, U_RES, (int64_t)n * rr(r, 1000, 2000), 1);
                emit_prop(u, q ? q : p, NULL, 100, U_RES, (int64_t)n * rr(r, 800, 1800), 1);
                INJ(S_E04_TWO);
            } else if (sc & B(E04_SOLD)) {
                emit_prop(u, p, NULL, 100, U_RES, (int64_t)n * rr(r, 1000, 2000), 1);
                emit_prop(u, q ? q : p, NULL, 100, U_RES, (int64_t)n * rr(r, 800, 1800), 0);
                INJ(S_E04_SOLD);
            } else if (sc & B(E04_SAMEID)) {
                if (q) {
                    emit_prop(u, p, q, 50, U_RES, (int64_t)n * rr(r, 1500, 3800), 1);
                    INJ(S_E04_SAMEID);
                } else
                    housing_done = 0;
            } else if (sc & B(E06_AREA)) {
                if (chance(r, 300000)) { /* half of a big flat, the other half outside the family */
                    person_t *co = pnew(u, 40, 1, NULL, R_OTHER);
                    co->member = 0;
                    co->inhk = 0;
                    emit_prop(u, p, co, 50, U_RES, 2 * (int64_t)n * rr(r, 4100, 6000), 1);
                } else
                    emit_prop(u, p, NULL, 100, U_RES, (int64_t)n * rr(r, 4100, 7000), 1);
                INJ(S_E06_AREA);
            } else { /* exactly 40 per counted member, or 40 + 0.01/n */
                int plus = (sc & B(E06_OVER1)) ? 1 : 0;
                int64_t total = (int64_t)n * 4000 + plus;
                if (q && chance(r, 400000))
                    emit_prop(u, p, q, 50, U_RES, total, 1); /* co-owned: shares sum to 1 */
                else if (chance(r, 300000)) {
                    person_t *co = pnew(u, 40, 1, NULL, R_OTHER);
                    co->member = 0;
                    co->inhk = 0;
                    emit_prop(u, p, co, 50, U_RES, 2 * total, 1);
                } else
                    emit_prop(u, p, NULL, 100, U_RES, total, 1);
                INJ(plus ? S_E06_OVER1 : S_E06_EXACT);
            }
        }
    }
    if (!housing_done && chance(r, 400000))
        baseline_home(u, n);
    if (sc & G_E05) {
        int m = pick(u, PK_VALID | PK_HEAD_OK | PK_REUSE);
        if (m >= 0) {
            person_t *p = &u->p[m];
            if (sc & B(E05_COMM)) {
                int us = pick_w(r, (const int[]){ 70, 15, 15 }, 3) + U_COMM;
                emit_prop(u, p, NULL, 100, us, (int64_t)rr(r, 1500, 30000), 1);
                INJ(S_E05_COMM);
            } else {
                int v = (int)rnd(r, 3);
                if (v == 0)
                    emit_prop(u, p, NULL, 100, U_PARK, (int64_t)rr(r, 1200, 3500), 1);
                else if (v == 1)
                    emit_prop(u, p, NULL, 100, U_OTHER, (int64_t)rr(r, 500, 4000), 1);
                else
                    emit_prop(u, p, NULL, 100, U_COMM, (int64_t)rr(r, 1500, 9000), 0);
                INJ(S_E05_NEAR);
            }
        }
    }
    if (sc & G_E07) {
        int m = pick(u, PK_ADULT | PK_VALID | PK_HEAD_OK | PK_REUSE);
        if (m >= 0) {
            person_t *p = &u->p[m];
            if (sc & B(E07_BIZ)) {
                emit_business(u, p, (int)rnd(r, 2), 0);
                INJ(S_E07_BIZ);
            } else {
                if (rnd(r, 2))
                    emit_business(u, p, 2, (int)rnd(r, 3));
                else
                    emit_business(u, p, (int)rnd(r, 2), 1 + (int)rnd(r, 2));
                INJ(S_E07_NEAR);
            }
        }
    }
    if (sc & B(E08_PS)) {
        int m = pick(u, PK_ADULT | PK_VALID | PK_HEAD_OK | PK_REUSE);
        if (m >= 0 && p_age(&u->p[m]) < 62) {
            emit_ps(u, &u->p[m]);
            INJ(S_E08_PS);
        }
    }
    if (ps_near) {
        emit_ps(u, ps_near);
        INJ(S_E08_NEAR);
    }

    /* incomes */
    for (int i = 0; i < u->np; i++)
        if (u->p[i].member && !u->p[i].ext)
            si_poor(u, &u->p[i]);
    if (c.std >= 0 && n > 0 && (sc & G_E09)) {
        if (sc & B(E09_INC)) {
            baseline_income_guard(u, &c, n);
            design_e09_fire(u, &c, n);
            if (e09_fires(u, &c, n))
                INJ(S_E09_INC);
        } else if (sc & (B(E09_EXACT) | B(E09_OVER1))) {
            if (design_e09_exact(u, &c, n, (sc & B(E09_OVER1)) != 0))
                INJ((sc & B(E09_OVER1)) ? S_E09_OVER1 : S_E09_EXACT);
        } else {
            int e = pick(u, PK_COUNTED | PK_VALID | PK_WORKAGE | PK_HEAD_OK | PK_REUSE);
            if (e >= 0) {
                si_t *s = si_add(&u->p[e], SI_EMP, (uint16_t)(0x1FFF & ~WIN_MASK), money_cents(r, 4000, 9000));
                if (s) {
                    s->emp = emp_pick(r);
                    s->base = s->amt;
                    INJ(S_E09_OUTSIDE);
                }
            }
            baseline_income_guard(u, &c, n);
        }
    } else
        baseline_income_guard(u, &c, n);
    /* a reason that could not be applied (no suitable member) leaves the
     * cancelled household clean */
    int clean_cancelled = c.status == HS_CANCELLED && !(g_applied & FIRE);
    if (clean_cancelled) {
        if (c.std >= 0)
            g_l02_clean++;
        else
            g_canc_nostd++;
    } else if (c.status == HS_CANCELLED)
        g_canc_reason++;

    /* dates */
    int32_t applied, approved = 0;
    int has_approved = c.status != HS_APPLYING;
    int k = rr(r, 2, 14);
    if (sc & B(P01_SLOW))
        k = rr(r, 16, 60);
    else if (sc & B(P01_15))
        k = 15;
    else if (sc & B(P01_16))
        k = 16;
    if (!has_approved) {
        applied = prev_work(asof - rr(r, 0, 45));
    } else if ((sc & B(SPOT)) && (c.status == HS_ACTIVE || c.status == HS_SUSPENDED)) {
        approved = asof - rr(r, 0, g_asof_d - 1);
        while (!is_work(approved) && approved > asof - (g_asof_d - 1))
            approved--;
        applied = sub_work(approved, k);
        INJ(S_SPOT);
    } else {
        int32_t lo = asof - 1100, hi = asof - 40;
        if ((sc & B(P01_15)) && chance(r, 600000)) {
            /* start just before a holiday block */
            int cand[MAXHOL], nc = 0;
            for (int i = 0; i < g_nhol; i++)
                if (g_hol_kind[i] == 'h' && g_hol_day[i] >= lo && g_hol_day[i] <= hi - 40 &&
                    (i == 0 || g_hol_day[i - 1] != g_hol_day[i] - 1))
                    cand[nc++] = i;
            applied = nc ? prev_work(g_hol_day[cand[rnd(r, (uint32_t)nc)]] - 1) : prev_work(asof - rr(r, 60, 1100));
        } else
            applied = prev_work(asof - rr(r, 60, 1100));
        approved = add_work(applied, k);
        if (chance(r, 50000) && !(sc & G_P01)) /* approved on a weekend: no extra working day */
            approved += 1;
        if (approved > asof) {
            applied -= 200;
            applied = prev_work(applied);
            approved = add_work(applied, k);
        }
    }
    if (has_approved && (sc & G_P01)) {
        if (sc & B(P01_SLOW))
            INJ(S_P01_SLOW);
        else if (sc & B(P01_15))
            INJ(S_P01_15);
        else
            INJ(S_P01_16);
    }

    /* benefit */
    int64_t std = c.std >= 0 ? c.std : 80000;
    int64_t benefit = 0;
    if (c.status == HS_ACTIVE || c.status == HS_SUSPENDED) {
        int nn = n ? n : 1;
        int64_t inc = sum_inc6(u, -1) / 6;
        if (c.program == P_TEKUN)
            benefit = std * 13 / 10 * nn + (chance(r, 300000) ? (int64_t)rr(r, 1, 3) * 10000 : 0);
        else if (c.program == P_DIBAO) {
            benefit = std * nn - inc;
            if (benefit < 3000 * nn)
                benefit = 3000 * nn;
        } else
            benefit = chance(r, 500000) ? 0 : (int64_t)rr(r, 10, 30) * 1000;
    }

    /* caseworker */
    int cwk = (int)rnd(r, 3);
    char cw[16];
    cw_id(cw, u->region, cwk);

    /* rows: households */
    char hid[24];
    snprintf(hid, sizeof hid, "H%09llu", (unsigned long long)(h + 1));
    if (O[O_HH].active) {
        row_t w;
        row_reset(&w);
        fs(&w, FT_CODE, hid);
        fld(&w, FT_CODE, u->region, 12);
        fs(&w, FT_ENUM, PROG[c.program]);
        fs(&w, FT_ENUM, u->urban ? "urban" : "rural");
        fs(&w, FT_ENUM, HSTAT[c.status]);
        fdate(&w, applied);
        fdate_opt(&w, approved, has_approved);
        fmoney(&w, FT_MONEY, benefit, 1);
        fs(&w, FT_CODE, cw);
        out_row(O_HH, &w);
    }
    /* members: family order, then the duplicated person */
    int second_head = -1;
    if (sc & B(TWO_HEADS)) {
        for (int i = 1; i < u->np; i++)
            if (u->p[i].member && !u->p[i].ext && p_age(&u->p[i]) >= 18) {
                second_head = i;
                break;
            }
        if (second_head >= 0)
            INJ(S_TWO_HEADS);
    }
    if ((sc & B(NO_HEAD)) && u->p[0].member)
        INJ(S_NO_HEAD);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < u->np; i++) {
            person_t *p = &u->p[i];
            if (!p->member || (pass == 0) == (p->ext != 0))
                continue;
            if (!O[O_MEM].active)
                continue;
            int rel = p->rel;
            if (i == second_head)
                rel = R_HEAD;
            if (i == 0 && (sc & B(NO_HEAD)))
                rel = R_OTHER;
            row_t w;
            row_reset(&w);
            fs(&w, FT_CODE, hid);
            fs(&w, FT_ID, p->rid);
            fs(&w, FT_NAME, p->rname);
            fs(&w, FT_ENUM, REL[rel]);
            fmoney(&w, FT_MONEY, p->declared, 0);
            fs(&w, FT_ENUM, WORK[p->work]);
            fint(&w, FT_INT, p->dis);
            out_row(O_MEM, &w);
        }
    emit_hukou(u);
    for (int i = 0; i < u->np; i++)
        if (!u->p[i].ext)
            emit_si(&u->p[i]);

    /* staff relatives */
    if (sc & G_E12) {
        int m = pick(u, PK_VALID | PK_HEAD_OK | PK_REUSE);
        if (m >= 0) {
            int kk = cwk;
            if (sc & B(E12_NEAR))
                kk = (cwk + 1 + (int)rnd(r, 2)) % 3;
            char cw2[16];
            cw_id(cw2, u->region, kk);
            emit_rel(cw2, u->p[m].id, r);
            INJ((sc & B(E12_REL)) ? S_E12_REL : S_E12_NEAR);
        }
    }
    /* candidates */
    if (sc & B(CAND)) {
        int m = pick(u, PK_VALID | PK_ADULT | PK_HEAD_OK | PK_REUSE);
        if (m >= 0 && u->p[m].inhk && u->p[m].hk == 0) {
            const char *src = c.status == HS_CANCELLED ? SRC[2] : u->p[m].dis && u->p[m].dis <= 2 ? SRC[1] : SRC[0];
            emit_cand(u->p[m].id, src, u->region, u->urban);
            if (g_truth && O[O_HH].active)
                fprintf(g_truth, "candidate,%s,%s,%s,REG_MEMBER,%s\n", u->p[m].id, HSTAT[c.status], c.std >= 0 ? "std" : "nostd", hid);
            INJ(S_CAND);
            g_cand_reg++;
        }
    }
    if (sec_head && chance(r, 250000)) { /* blocked: a relative in their hukou is on the rolls */
        emit_cand(sec_head->id, SRC[0], u->hk[sec_head->hk].region, u->hk[sec_head->hk].region[9] < '2');
        if (g_truth && O[O_HH].active)
            fprintf(g_truth, "candidate,%s,%s,-,REG_RELATIVE,%s\n", sec_head->id, HSTAT[c.status], hid);
        g_cand_sec++;
    }

    extras_household(u, &c, n, h, clean_cancelled, applied);

    /* ring entry for later duplicates */
    ringent_t *e = &g_ring[g_ring_pos++ % RING];
    memset(e, 0, sizeof *e);
    e->used = 1;
    e->cancelled = c.status == HS_CANCELLED;
    e->county = u->county;
    memcpy(e->hid, hid, sizeof e->hid);
    if (g_truth && O[O_HH].active) {
        fprintf(g_truth, "household,%s,%s,%s,", hid, HSTAT[c.status], c.std >= 0 ? "std" : "nostd");
        int first = 1;
        for (int s = 0; s < NSCEN; s++)
            if (g_applied >> s & 1) {
                fprintf(g_truth, "%s%s", first ? "" : ";", SC_NAME[s]);
                first = 0;
            }
        if (clean_cancelled)
            fprintf(g_truth, "%sL02_CLEAN", first ? "" : ";");
        for (int s = 0; s < NFSCEN; s++)
            if (g_fapplied >> s & 1) {
                fprintf(g_truth, "%s%s%s", first && !clean_cancelled ? "" : ";", FS_NAME[s],
                        s == F_EXACT || s == F_OVER1 ? g_flimit : s == R_E15 ? g_fe15 : "");
                first = 0;
            }
        fprintf(g_truth, ",%s\n", g_truth_dup);
    }
    for (int i = 0; i < u->np && e->n < 4; i++) {
        person_t *p = &u->p[i];
        if (!p->member || p->ext || p->used || p->assets || !p->inhk || p->hk != 0 || p->st != ST_NORMAL ||
            p->bad_rid || win6(p) != 0 || strcmp(p->rname, p->name) || p->declared)
            continue;
        memcpy(e->p[e->n].id, p->id, 20);
        memcpy(e->p[e->n].name, p->name, 48);
        e->p[e->n].birth = p->birth;
        e->p[e->n].male = p->male;
        e->p[e->n].fin = p->fin;
        e->n++;
    }
}

/* ------------------------------------------------------------ general units */

static void si_ordinary(unit_t *u, person_t *p)
{
    rng_t *r = &u->r;
    int a = p_age(p);
    int c = u->county;
    if (a >= 20 && a < 60 && chance(r, 215000)) {
        uint16_t mask = chance(r, 250000) ? 0x1FFF : ALL12;
        if (chance(r, 100000)) { /* changed jobs: a gap */
            int g0 = rr(r, 0, 11);
            mask &= (uint16_t)~(3u << g0);
        }
        si_t *s = si_add(p, SI_EMP, mask, money_cents(r, 2500, 12000));
        if (s) {
            s->jitter = 1;
            s->emp = emp_pick(r);
            if (chance(r, 850000))
                s->base = chance(r, 300000) ? 420000 : (s->amt / 100) * 100;
            if (chance(r, 30000)) {
                s->two = 1;
                s->emp2 = emp_pick(r);
            }
        }
    } else if (a >= 18 && a < 60 && chance(r, 200000)) {
        si_t *s = si_add(p, SI_RPC, (uint16_t)(1u << rnd(r, 12)), (int64_t)rr(r, 2, 30) * 10000);
        if (s)
            s->emp = "";
    }
    if (a >= 60) {
        if (chance(r, 250000)) {
            si_t *s = si_add(p, SI_PEN, chance(r, 250000) ? 0x1FFF : ALL12, money_cents(r, 2000, 5200));
            if (s)
                s->emp = g_county_si[c];
        } else if (chance(r, 330000)) {
            si_t *s = si_add(p, SI_PEN, ALL12, (int64_t)rr(r, 150, 300) * 100);
            if (s)
                s->emp = chance(r, 700000) ? g_county_si[c] : "";
        }
    }
    if (a >= 20 && a < 60 && chance(r, 8000)) {
        si_t *s = si_add(p, SI_UNEMP, (uint16_t)(7u << rr(r, 0, 9)), (int64_t)rr(r, 1100, 1600) * 100);
        if (s)
            s->emp = g_county_job[c];
    }
}

static void assets_ordinary(unit_t *u)
{
    rng_t *r = &u->r;
    person_t *head = &u->p[0], *sp = NULL;
    for (int i = 1; i < u->np; i++)
        if (u->p[i].rel == R_SPOUSE && u->p[i].inhk)
            sp = &u->p[i];
    /* housing */
    if (chance(r, 800000)) {
        emit_prop(u, head, sp && chance(r, 800000) ? sp : NULL, rnd(r, 3) ? 50 : 60, U_RES, money_cents(r, 55, 160), 1);
        if (chance(r, 300000))
            emit_prop(u, head, sp && chance(r, 500000) ? sp : NULL, 50, U_RES, money_cents(r, 40, 140), 1);
        if (chance(r, 450000))
            emit_prop(u, head, NULL, 100, U_PARK, money_cents(r, 12, 35), 1);
        if (chance(r, 250000))
            emit_prop(u, head, NULL, 100, U_RES, money_cents(r, 40, 120), 0);
    }
    if (chance(r, 50000))
        emit_prop(u, head, NULL, 100, pick_w(r, (const int[]){ 60, 20, 10, 10 }, 4) + U_COMM, money_cents(r, 20, 400), chance(r, 850000));
    for (int i = 0; i < u->np; i++) {
        person_t *p = &u->p[i];
        int a = p_age(p);
        if (a >= 18 && a <= 75) {
            int nv = pick_w(r, (const int[]){ 440, 380, 130, 50 }, 4);
            for (int v = 0; v < nv; v++) {
                int vc = pick_w(r, (const int[]){ 650, 50, 10, 120, 80, 20, 70 }, 7);
                int comm = (vc == V_TRUCK || vc == V_BUS) ? chance(r, 600000) : vc == V_CAR ? chance(r, 60000) : 0;
                int vs = pick_w(r, (const int[]){ 78, 12, 10 }, 3);
                emit_vehicle(u, p, vc, comm, vehicle_value(r, vc, comm), vs);
            }
        }
        if (a >= 25 && a <= 65 && chance(r, 92000)) {
            int role = pick_w(r, (const int[]){ 30, 20, 50 }, 3);
            emit_business(u, p, role, pick_w(r, (const int[]){ 80, 10, 10 }, 3));
        }
        if (a >= 22 && a <= 60 && chance(r, 17000))
            emit_ps(u, p);
        if (a >= 20 && chance(r, 250)) {
            char cw[16];
            cw_id(cw, u->region, (int)rnd(r, 3));
            emit_rel(cw, p->id, r);
        }
    }
}

/* evidenced-only per-capita income of the unit's normal persons <= standard */
static int64_t unit_win6(unit_t *u, int *n)
{
    int64_t s = 0;
    *n = 0;
    for (int i = 0; i < u->np; i++) {
        person_t *p = &u->p[i];
        if (p->inhk && p->st == ST_NORMAL) {
            (*n)++;
            s += win6(p);
        }
    }
    return s;
}

static void gen_general(uint64_t g)
{
    unit_t *u = &U;
    unit_reset(u);
    rng_init(&u->r, g_seed, 2, g);
    rng_t *r = &u->r;
    int cat = -1;
    if (g < NCCAT)
        cat = (int)g;
    else if (chance(r, 70000))
        cat = pick_w(r, CC_W, NCCAT);
    if (cat == C_NOSTD)
        u->county = NOSTD;
    else
        u->county = county_pick(r, cat >= 0);
    u->urban = place_pick(r, u->county, &u->town, &u->village);
    hk_new(u, u->county, u->town, u->village);
    memcpy(u->region, u->hk[0].region, 13);

    int n0 = 1 + pick_w(r, (const int[]){ 140, 240, 260, 200, 110, 50 }, 6);
    int head_age = cat >= 0 ? rr(r, 28, 80) : rr(r, 22, 88);
    build_family(u, n0, head_age, chance(r, 700000), 1);
    for (int i = 0; i < u->np; i++) {
        person_t *p = &u->p[i];
        p->member = 0;
        member_attrs(r, p); /* for the work-ability used by SI */
        if (cat < 0) {
            int a = p_age(p);
            if (a >= 60 && chance(r, 6000)) {
                p->st = ST_DECEASED;
                p->st_date = g_asof - rr(r, 1, 900);
            } else if (i > 0 && chance(r, 12000)) {
                p->st = ST_MOVED;
                p->st_date = g_asof - rr(r, 1, 1500);
            } else if (i > 0 && chance(r, 1000)) {
                p->st = ST_CANCELLED;
                p->st_date = g_asof - rr(r, 1, 1500);
            }
        }
    }
    if (cat < 0) {
        for (int i = 0; i < u->np; i++)
            si_ordinary(u, &u->p[i]);
        assets_ordinary(u);
        emit_hukou(u);
        for (int i = 0; i < u->np; i++)
            emit_si(&u->p[i]);
        extras_general(u, g, -1, -1);
        return;
    }

    /* a candidate household */
    g_cinj[cat]++;
    person_t *cand = &u->p[0];
    int64_t std = std_lookup(u->region, u->urban);
    if (cat == C_NOHUKOU)
        cand->inhk = 0;
    if (cat == C_NOTNORMAL) {
        cand->st = chance(r, 500000) ? ST_MOVED : ST_DECEASED;
        cand->st_date = g_asof - rr(r, 10, 700);
    }
    person_t *gone = NULL;
    if (cat == C_NONNORMAL_ASSET) {
        if (u->np < 2 || p_age(&u->p[1]) < 18) {
            gone = pnew(u, head_age + rr(r, -3, 3), (int)rnd(r, 2), NULL, R_SIBLING);
            gone->member = 0;
        } else
            gone = &u->p[1];
        gone->st = chance(r, 500000) ? ST_MOVED : ST_DECEASED;
        gone->st_date = g_asof - rr(r, 10, 900);
    }
    for (int i = 0; i < u->np; i++)
        si_poor(u, &u->p[i]);
    int n;
    int64_t w6 = unit_win6(u, &n);
    if (std >= 0 && n > 0 && w6 > 6 * std * n)
        for (int i = 0; i < u->np; i++)
            si_clear_window(&u->p[i]);
    /* an adult normal person other than the candidate, or the candidate */
    person_t *other = NULL;
    for (int i = 1; i < u->np; i++)
        if (u->p[i].inhk && u->p[i].st == ST_NORMAL && p_age(&u->p[i]) >= 18 && &u->p[i] != gone)
            other = &u->p[i];
    person_t *actor = (other && rnd(r, 2)) ? other : (cand->inhk && cand->st == ST_NORMAL ? cand : other ? other : cand);
    if (n > 0 && std >= 0 && (cat == C_ELIG_EXACT || cat == C_OVER1)) {
        for (int i = 0; i < u->np; i++)
            si_clear_window(&u->p[i]);
        si_exact(u, actor, 6 * std * n + (cat == C_OVER1 ? 1 : 0), p_age(actor) >= 60);
    } else if (cat == C_INCOME && std >= 0 && n > 0) {
        int64_t others = 0;
        for (int i = 0; i < u->np; i++)
            if (&u->p[i] != actor && u->p[i].inhk && u->p[i].st == ST_NORMAL)
                others += win6(&u->p[i]);
        int64_t need = (6 * std * n - others) / 6 + 1;
        si_clear_window(actor);
        si_t *s = si_add(actor, p_age(actor) >= 60 ? SI_PEN : SI_EMP, ALL12, (need > 0 ? need : 0) + money_cents(r, 100, 3000));
        if (s) {
            s->emp = s->kind == SI_PEN ? g_county_si[u->county] : emp_pick(r);
            if (s->kind == SI_EMP && chance(r, 600000))
                s->base = (s->amt / 100) * 100;
        }
    }
    /* housing: area per normal person <= 38, or the designs */
    person_t *own = (cand->inhk && cand->st == ST_NORMAL) ? cand : actor;
    int nn = n > 0 ? n : 1;
    if (cat == C_MULTI) {
        emit_prop(u, own, NULL, 100, U_RES, (int64_t)nn * rr(r, 1000, 1800), 1);
        emit_prop(u, actor, NULL, 100, U_RES, (int64_t)nn * rr(r, 800, 1800), 1);
    } else if (cat == C_AREA)
        emit_prop(u, own, NULL, 100, U_RES, (int64_t)nn * rr(r, 4100, 7000), 1);
    else if (cat == C_AREA_EXACT)
        emit_prop(u, own, NULL, 100, U_RES, (int64_t)nn * 4000, 1);
    else if (chance(r, 550000))
        emit_prop(u, own, NULL, 100, U_RES, (int64_t)nn * rr(r, 1200, 3800), 1);
    if (cat == C_COMMPROP)
        emit_prop(u, actor, NULL, 100, U_COMM + (int)rnd(r, 2), (int64_t)rr(r, 1500, 20000), 1);
    if (chance(r, 120000))
        emit_vehicle(u, actor, vclass_small(r), 0, vehicle_value(r, V_MOTO, 0), 0);
    if (cat == C_VEH)
        emit_vehicle(u, actor, V_CAR, 0, vehicle_value(r, V_CAR, 0), 0);
    if (cat == C_VEH_COMM)
        emit_vehicle(u, actor, V_CAR, 1, 3000000, 0);
    if (cat == C_BIZ)
        emit_business(u, actor, (int)rnd(r, 2), 0);
    if (cat == C_SOLEPROP)
        emit_business(u, actor, 2, 0);
    if (cat == C_PS)
        emit_ps(u, actor);
    if (gone) {
        if (rnd(r, 2))
            emit_vehicle(u, gone, V_CAR, 0, vehicle_value(r, V_CAR, 0), 0);
        else
            emit_business(u, gone, 0, 0);
    }
    extras_general(u, g, cat, std);
    emit_hukou(u);
    for (int i = 0; i < u->np; i++)
        emit_si(&u->p[i]);
    int srci = cand->dis && cand->dis <= 2 ? 1 : (int)rnd(r, 2) ? 0 : 3;
    emit_cand(cand->id, SRC[srci], u->region, u->urban);
    if (g_truth && O[O_HH].active)
    {
        fprintf(g_truth, "candidate,%s,-,%s,%s", cand->id, std >= 0 ? "std" : "nostd", CC_NAME[cat]);
        for (int s = 0; s < NFSCEN; s++)
            if (g_fapplied >> s & 1)
                fprintf(g_truth, ";%s%s", FS_NAME[s], s == CF_EXACT || s == CF_OVER1 ? g_flimit : "");
        fputs(",\n", g_truth);
    }
    if (cat == C_TWOSRC)
        emit_cand(cand->id, SRC[srci == 0 ? 3 : 0], u->region, u->urban);
}

/* ------------------------------------------------------------ driver */

static void write_static(void)
{
    if (O[O_STD].active) {
        for (int i = 0; i < g_nstd; i++) {
            row_t w;
            row_reset(&w);
            fs(&w, FT_CODE, g_std[i].prefix);
            fs(&w, FT_ENUM, g_std[i].urban ? "urban" : "rural");
            fdate(&w, g_std[i].eff);
            fmoney(&w, FT_MONEY, g_std[i].fen, 0);
            out_row(O_STD, &w);
        }
    }
    if (O[O_HOL].active)
        out_raw(&O[O_HOL], HOLIDAYS_CSV, strlen(HOLIDAYS_CSV));
}

static const char *g_outdir;

static void generate(const int *which)
{
    for (int i = 0; i < NOUT; i++) {
        O[i].active = which[i];
        memset(&O[i].st, 0, sizeof O[i].st);
        if (which[i]) {
            out_open(i, g_outdir);
            out_header(i);
        }
    }
    write_static();
    for (uint64_t h = 0; h < g_nhh; h++)
        gen_household(h);
    for (uint64_t g = 0; g < g_ngen; g++)
        gen_general(g);
    e15_flush(); /* appended: the rows above stay as they were */
    for (int i = 0; i < NOUT; i++)
        if (which[i])
            out_close(i);
}

static void mkdir_p(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *c = p + 1; *c; c++)
        if (*c == '/') {
            *c = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                die("cannot create %s: %s", p, strerror(errno));
            *c = '/';
        }
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        die("cannot create %s: %s", p, strerror(errno));
}

static void usage(void)
{
    fputs("usage: gen --out DIR --sf SCALE [--seed N] [--as-of YYYY-MM-DD] [--dirty RATE]\n"
          "           [--gb18030 FILE,FILE...] [--jobs 1|2] [--truth 1]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *asof = "2026-06-15", *gbl = NULL;
    int jobs = 2, truth = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            usage();
        if (!v)
            usage();
        char *end;
        if (!strcmp(a, "--out"))
            g_outdir = v;
        else if (!strcmp(a, "--sf")) {
            g_sf = strtod(v, &end);
            if (*end || !(g_sf > 0) || g_sf > 50)
                die("bad --sf %s", v);
        } else if (!strcmp(a, "--seed")) {
            g_seed = strtoull(v, &end, 10);
            if (*end)
                die("bad --seed %s", v);
        } else if (!strcmp(a, "--as-of"))
            asof = v;
        else if (!strcmp(a, "--dirty")) {
            g_dirty = strtod(v, &end);
            if (*end || g_dirty < 0 || g_dirty > 1)
                die("bad --dirty %s", v);
        } else if (!strcmp(a, "--gb18030"))
            gbl = v;
        else if (!strcmp(a, "--truth"))
            truth = atoi(v);
        else if (!strcmp(a, "--jobs")) {
            jobs = atoi(v);
            if (jobs < 1)
                die("bad --jobs %s", v);
        } else
            usage();
        i++;
    }
    if (!g_outdir)
        usage();
    if (parse_date(asof, &g_asof) != 0)
        die("bad --as-of %s", asof);
    cfd(g_asof, &g_asof_y, &g_asof_m, &g_asof_d);
    if (g_asof_y < 1990 || g_asof_y > 2090)
        die("--as-of out of range");
    g_asof_month = g_asof_y * 12 + g_asof_m - 1;
    g_dirty_ppm = (uint32_t)(g_dirty * 1e6 + 0.5);
    double pb = 0.3 * g_dirty;
    if (pb > 0.015)
        pb = 0.015;
    g_broken_ppm = (uint32_t)(pb * 1e6 + 0.5);
    g_nhh = (uint64_t)(300000.0 * g_sf + 0.5);
    g_ngen = (uint64_t)(620000.0 * g_sf + 0.5);
    if (g_nhh < 1)
        g_nhh = 1;
    mkdir_p(g_outdir);

    for (int i = 0; i < NOUT; i++) {
        O[i].idx = i;
        O[i].registry = i == O_HH || i == O_MEM;
        O[i].dirtyable = i != O_STD && i != O_HOL;
        O[i].crlf = g_dirty_ppm && i == O_PROP;
        if (g_dirty_ppm && i == O_BIZ) {
            O[i].perm = BIZ_DIRTY_PERM;
            O[i].ncols = 6;
        }
        rng_init(&O[i].dr, g_seed, 4, (uint64_t)i);
    }
    rng_init(&g_q05r, g_seed, 12, 0);
    {
        double q = 0.25 * g_dirty;
        g_q05_ppm = (uint32_t)((q > 0.01 ? 0.01 : q) * 1e6 + 0.5);
    }
    if (gbl) {
        char *dup = strdup(gbl), *save = NULL;
        for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int found = 0;
            for (int i = 0; i < NOUT; i++)
                if (!strcmp(t, ONAME[i])) {
                    O[i].gb = 1;
                    found = 1;
                }
            if (!found)
                die("--gb18030: unknown file %s", t);
        }
        free(dup);
    }
    holidays_load();
    std_build();
    employers_build();

    if (truth) {
        char tp[4096];
        snprintf(tp, sizeof tp, "%s/gen-truth.csv", g_outdir);
        g_truth = fopen(tp, "w");
        if (!g_truth)
            die("cannot create %s", tp);
        fputs("kind,key,status,standard,labels,ref\n", g_truth);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int all[NOUT], par[NOUT], chi[NOUT];
    for (int i = 0; i < NOUT; i++) {
        all[i] = 1;
        par[i] = i != O_SI;
        chi[i] = i == O_SI;
    }
    if (jobs >= 2) {
        int pfd[2];
        if (pipe(pfd) != 0)
            die("pipe: %s", strerror(errno));
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
            die("fork: %s", strerror(errno));
        if (pid == 0) {
            close(pfd[0]);
            generate(chi);
            ssize_t wn = write(pfd[1], &O[O_SI].st, sizeof O[O_SI].st);
            _exit(wn == (ssize_t)sizeof O[O_SI].st ? 0 : 3);
        }
        close(pfd[1]);
        generate(par);
        ostat_t st;
        ssize_t rn = read(pfd[0], &st, sizeof st);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || rn != (ssize_t)sizeof st)
            die("the social_insurance.csv writer failed");
        O[O_SI].st = st;
        close(pfd[0]);
    } else
        generate(all);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (g_truth)
        fclose(g_truth);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    /* summary */
    char path[4096];
    snprintf(path, sizeof path, "%s/gen-summary.txt", g_outdir);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot create %s", path);
    fprintf(f, "hedui gen: sf=%g seed=%llu as_of=%s dirty=%g gb18030=%s\n", g_sf, (unsigned long long)g_seed, asof,
            g_dirty, gbl ? gbl : "-");
    fprintf(f, "registry households %llu, general hukou households %llu\n\n", (unsigned long long)g_nhh,
            (unsigned long long)g_ngen);
    fprintf(f, "%-22s %10s %8s %8s %7s\n", "file", "rows", "usable", "broken", "broken%");
    fprintf(stderr, "gen: broken rows per file (of data rows):\n");
    for (int i = 0; i < NOUT; i++) {
        ostat_t *s = &O[i].st;
        long long rows = i == O_HOL ? g_nhol : s->rows;
        double pct = rows ? 100.0 * (double)s->broken / (double)rows : 0;
        fprintf(f, "%-22s %10lld %8lld %8lld %6.2f%%\n", ONAME[i], rows, s->usable, s->broken, pct);
        fprintf(stderr, "  %-22s %10lld rows %8lld broken (%.2f%%) %8lld usable-dirty\n", ONAME[i], rows, s->broken,
                pct, s->usable);
    }
    if (g_dirty_ppm) {
        fprintf(f, "\ndirt kinds (all files):\n");
        for (int k = 0; k < NDIRT; k++) {
            long long t = 0;
            for (int i = 0; i < NOUT; i++)
                t += O[i].st.kind[k];
            fprintf(f, "  %-16s %9lld  %s\n", DIRT_NAME[k], t, DIRT_DESC[k]);
        }
        fprintf(f, "  also: UTF-8 BOM on vehicles.csv (unless GB18030), CRLF line ends in property.csv,\n"
                   "  business.csv columns reordered with an extra 'note' column\n");
    }
    fprintf(f, "\ninjected registry scenarios (households; other rules may also fire by overlap):\n");
    for (int s = 0; s < NSCEN; s++)
        fprintf(f, "  %-15s %8lld  %5.2f%%  %s\n", SC_NAME[s], g_inj[s], 100.0 * (double)g_inj[s] / (double)g_nhh,
                SC_DESC[s]);
    fprintf(f, "  cancelled households with no E01-E09 reason (L02 expected): %lld\n", g_l02_clean);
    fprintf(f, "  cancelled households with one E01-E09 reason: %lld\n", g_canc_reason);
    fprintf(f, "  clean cancelled households without a standard: %lld\n", g_canc_nostd);
    fprintf(f, "  households in a region without a standard: %lld\n", g_hh_nostd);
    fprintf(f, "\ncandidate households (general population):\n");
    for (int k = 0; k < NCCAT; k++)
        fprintf(f, "  %-17s %8lld  %s\n", CC_NAME[k], g_cinj[k], CC_DESC[k]);
    fprintf(f, "  registry members listed as candidates: %lld; relatives sharing a member's hukou: %lld\n", g_cand_reg,
            g_cand_sec);
    fprintf(f, "\nfinancial assets, funeral records, E15 flats (streams of their own):\n");
    for (int k = 0; k < NFSCEN; k++)
        fprintf(f, "  %-13s %8lld  %s\n", FS_NAME[k], g_finj[k], FS_DESC[k]);
    fprintf(f, "  accounts %lld; accounts with a row after as-of %lld; with two rows on their latest date %lld;\n"
               "  institution/account_no values with stray spaces %lld\n",
            g_fin_accounts, g_fin_later, g_fin_samedate, g_fin_spaces);
    if (g_dirty_ppm)
        fprintf(f, "  members.csv rows kept with an unusable relation/declared_monthly_income/work_ability/\n"
                   "  disability_grade (Q05, no reject; counted as broken above where the value is old dirt): %lld\n",
                O[O_MEM].st.q05);
    fclose(f);
    fprintf(stderr, "gen: %s written in %.2f s\n", g_outdir, secs);
    return 0;
}
