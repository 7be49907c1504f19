/* check_snapshot.c - unit tests for snapshot/ (issue 5).
 *
 * Owns: the snapshot suite.  Each test builds the snapshot of fixtures/
 * into a mkdtemp directory, then damages it in one way.  Damage that the
 * checksums catch (a flipped byte) must be refused when the byte is read;
 * damage written with valid checksums ("resealed": a bug or a forged file
 * with out-of-range offsets, indexes or values) must be refused by the
 * bounds checks, with E_PARSE, never read past.  tests/check_cli.sh covers
 * the commands end to end.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/date.h"
#include "pipeline.h"
#include "snapshot/snapshot.h"
#include "snapshot/snap_format.h"
#include "tests.h"

static char dir[64];
static char idx[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hedui-snap-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(idx, sizeof idx, "%s/fx.idx", dir);
    char data[1024], rules[1024];
    snprintf(data, sizeof data, "%s/fixtures", test_root());
    snprintf(rules, sizeof rules, "%s/rules", test_root());
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = data;
    cfg.rules_dir = rules;
    cfg.as_of = date_from_ymd(2026, 6, 15);
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
        st = snapshot_write(&p.d, &p.jn, &p.pol, cfg.as_of, idx, &e);
    pipeline_free(&p);
    ck_assert_msg(st == E_OK, "building the fixture snapshot: %s", e.msg);
}

static void teardown(void)
{
    unlink(idx);
    rmdir(dir);
}

/* The snapshot mapped read-write, for damaging it. */
struct rw {
    unsigned char *m;
    size_t n;
    struct snap_header *h;
};

static struct rw rw_open(void)
{
    struct rw r;
    int fd = open(idx, O_RDWR);
    ck_assert_int_ge(fd, 0);
    struct stat sb;
    ck_assert_int_eq(fstat(fd, &sb), 0);
    r.n = (size_t)sb.st_size;
    r.m = mmap(NULL, r.n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ck_assert_ptr_ne(r.m, MAP_FAILED);
    close(fd);
    r.h = (struct snap_header *)r.m;
    return r;
}

static void *sec(struct rw *r, int s)
{
    return r->m + r->h->sec[s].offset;
}

/* Recompute every checksum, so only the bounds checks can catch the damage. */
static void reseal(struct rw *r)
{
    struct snap_header *h = r->h;
    uint64_t *bt = (uint64_t *)(r->m + h->blocks_offset);
    for (uint64_t b = 0; b < h->n_blocks; b++) {
        uint64_t start = b * SNAP_BLOCK;
        uint64_t n = h->body_bytes - start < SNAP_BLOCK ? h->body_bytes - start : SNAP_BLOCK;
        bt[b] = XXH3_64bits(r->m + h->body_offset + start, n);
    }
    h->blocks_hash = XXH3_64bits(bt, h->n_blocks * 8);
    XXH128_hash_t bh = XXH3_128bits(r->m + h->body_offset, h->body_bytes);
    h->body_hash_lo = bh.low64;
    h->body_hash_hi = bh.high64;
    h->header_hash = XXH3_64bits(h, offsetof(struct snap_header, header_hash));
}

/* Only the header's own checksum (for damage to the header's fields). */
static void reseal_header(struct rw *r)
{
    r->h->header_hash = XXH3_64bits(r->h, offsetof(struct snap_header, header_hash));
}

static void rw_close(struct rw *r)
{
    msync(r->m, r->n, MS_SYNC);
    munmap(r->m, r->n);
}

/* What the last materialise_all() found of the feeds of E13 and E14: rows,
 * the rows dated after the snapshot's as-of date (2026-06-15), have[]. */
static size_t got_fin, got_fun, got_fin_later, got_fun_later;
static int got_have[N_INPUT];

/* Open the snapshot and materialise every fixture household; returns the
 * status and leaves the message in *e. */
static int materialise_all(struct err *e, size_t *n_households)
{
    struct snap s;
    err_init(e);
    int st = snap_open(&s, idx, e);
    if (st != E_OK)
        return st;
    struct dataset gd, fd;
    struct normaliser nz;
    dataset_init(&gd);
    dataset_init(&fd);
    char path[1024];
    st = normaliser_init(&nz, &gd, date_from_ymd(2026, 6, 15), e);
    snprintf(path, sizeof path, "%s/fixtures/households.csv", test_root());
    if (st == E_OK)
        st = normalise_file(&nz, IN_HOUSEHOLDS, path, ENC_AUTO, e);
    snprintf(path, sizeof path, "%s/fixtures/members.csv", test_root());
    if (st == E_OK)
        st = normalise_file(&nz, IN_MEMBERS, path, ENC_AUTO, e);
    if (st == E_OK)
        st = normalise_finish(&nz, e);
    int32_t *given_of = NULL;
    int have[N_INPUT];
    if (st == E_OK)
        st = snap_materialise(&s, &gd, &fd, &given_of, have, e);
    if (n_households)
        *n_households = fd.households.n;
    got_fin = fd.finassets.n;
    got_fun = fd.funerals.n;
    got_fin_later = got_fun_later = 0;
    for (size_t i = 0; i < fd.finassets.n; i++)
        got_fin_later += VEC_AT(fd.finassets, struct finasset, i).balance_date >
                         date_from_ymd(2026, 6, 15);
    for (size_t i = 0; i < fd.funerals.n; i++)
        got_fun_later += VEC_AT(fd.funerals, struct funeral, i).event_date >
                         date_from_ymd(2026, 6, 15);
    if (st == E_OK)
        memcpy(got_have, have, sizeof got_have);
    free(given_of);
    normaliser_free(&nz);
    dataset_free(&fd);
    dataset_free(&gd);
    snap_close(&s);
    return st;
}

#define ASSERT_REFUSED(st, e, text)                                                    \
    do {                                                                               \
        ck_assert_int_eq((st), E_PARSE);                                               \
        ck_assert_msg(strstr((e).msg, (text)) != NULL, "message '%s' lacks '%s'",      \
                      (e).msg, (text));                                                \
    } while (0)

START_TEST(test_whole)
{
    struct err e;
    size_t n = 0;
    int st = materialise_all(&e, &n);
    ck_assert_msg(st == E_OK, "%s", e.msg);
    ck_assert_uint_ge(n, 47);
    struct snap s;
    ck_assert_int_eq(snap_open(&s, idx, &e), E_OK);
    ck_assert_int_eq(snap_verify_all(&s, &e), E_OK);
    const char *text;
    size_t len;
    ck_assert_int_eq(snap_policy_text(&s, &text, &len, &e), E_OK);
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)XXH64(text, len, 0));
    ck_assert_str_eq(hex, s.h->policy_hash);
    uint32_t reg;
    ck_assert_int_eq(snap_find_household(&s, "HH023", &reg, &e), E_OK);
    ck_assert_uint_eq(reg, 22);
    ck_assert_int_eq(snap_find_household(&s, "NOPE", &reg, &e), E_OK);
    ck_assert_uint_eq(reg, SNAP_NONE);
    snap_close(&s);
}
END_TEST

/* Format 3: financial assets and funeral records, dated rows after the
 * build's as-of date too (a later check judges them), both feeds present. */
START_TEST(test_dated_feeds)
{
    struct err e;
    int st = materialise_all(&e, NULL);
    ck_assert_msg(st == E_OK, "%s", e.msg);
    ck_assert_int_eq(got_have[IN_FINASSETS], 1);
    ck_assert_int_eq(got_have[IN_FUNERAL], 1);
    /* fixtures: 21 accepted financial rows, all of members; 5 funeral
     * rows, 路人's of no household */
    ck_assert_uint_eq(got_fin, 21);
    ck_assert_uint_eq(got_fun, 4);   /* 柯老太 (two), 焦红, 彭一 */
    ck_assert_uint_eq(got_fin_later, 2);   /* 2026-06-30 and 2026-07-01 */
    ck_assert_uint_eq(got_fun_later, 2);   /* 2026-06-16 and 2026-06-18 */
    struct snap s;
    ck_assert_int_eq(snap_open(&s, idx, &e), E_OK);
    ck_assert_uint_eq(s.h->sec[SEC_FINASSETS].count, 21);
    ck_assert_uint_eq(s.h->sec[SEC_FUNERAL].count, 5);
    struct snap_input in[N_INPUT];
    ck_assert_int_eq(snap_inputs(&s, in, &e), E_OK);
    ck_assert_int_eq(in[IN_FUNERAL].present, 1);
    ck_assert_int_eq(in[IN_FINASSETS].rejected, 1);
    snap_close(&s);
}
END_TEST

START_TEST(test_dated_values_out_of_range)
{
    struct rw r = rw_open();
    struct sp_finasset *f = sec(&r, SEC_FINASSETS);
    for (uint64_t i = 0; i < r.h->sec[SEC_FINASSETS].count; i++)
        f[i].asset_type = 200;
    reseal(&r);
    rw_close(&r);
    struct err e;
    ASSERT_REFUSED(materialise_all(&e, NULL), e, "financial assets row");

    r = rw_open();
    for (uint64_t i = 0; i < r.h->sec[SEC_FINASSETS].count; i++)
        f = sec(&r, SEC_FINASSETS), f[i].asset_type = 0;
    struct sp_funeral *u = sec(&r, SEC_FUNERAL);
    for (uint64_t i = 0; i < r.h->sec[SEC_FUNERAL].count; i++)
        u[i].kind = 9;
    reseal(&r);
    rw_close(&r);
    ASSERT_REFUSED(materialise_all(&e, NULL), e, "funeral row");
}
END_TEST

START_TEST(test_flipped_byte_refused_when_read)
{
    struct rw r = rw_open();
    /* a byte of the first hukou row: read by any check with a member in hukou */
    ((unsigned char *)sec(&r, SEC_HUKOU))[5] ^= 0x40;
    rw_close(&r);
    struct err e;
    struct snap s;
    err_init(&e);
    ck_assert_int_eq(snap_open(&s, idx, &e), E_OK);   /* the header is whole */
    snap_close(&s);
    int st = materialise_all(&e, NULL);
    ASSERT_REFUSED(st, e, "checksum mismatch in block");
    ck_assert_int_eq(snap_open(&s, idx, &e), E_OK);
    err_init(&e);
    ASSERT_REFUSED(snap_verify_all(&s, &e), e, "checksum mismatch");
    snap_close(&s);
}
END_TEST

START_TEST(test_person_rows_out_of_range)
{
    struct rw r = rw_open();
    struct sp_person *p = sec(&r, SEC_PERSONS);
    for (uint64_t i = 0; i < r.h->sec[SEC_PERSONS].count; i++)
        p[i].first[PF_SI] = 0xfffffff0u;
    reseal(&r);
    rw_close(&r);
    struct err e;
    ASSERT_REFUSED(materialise_all(&e, NULL), e, "out of range");
}
END_TEST

START_TEST(test_string_offset_out_of_range)
{
    struct rw r = rw_open();
    struct sp_hukou *h = sec(&r, SEC_HUKOU);
    for (uint64_t i = 0; i < r.h->sec[SEC_HUKOU].count; i++)
        h[i].name = 0xfffffff0u;
    reseal(&r);
    rw_close(&r);
    struct err e;
    ASSERT_REFUSED(materialise_all(&e, NULL), e, "string offset");
}
END_TEST

START_TEST(test_unterminated_string)
{
    struct rw r = rw_open();
    unsigned char *pool = sec(&r, SEC_STRINGS);
    uint64_t n = r.h->sec[SEC_STRINGS].count;
    memset(pool, 'x', n);   /* no NUL anywhere */
    reseal(&r);
    rw_close(&r);
    struct err e;
    ASSERT_REFUSED(materialise_all(&e, NULL), e, "not terminated");
}
END_TEST

START_TEST(test_person_index_out_of_range)
{
    struct rw r = rw_open();
    uint32_t *slot = sec(&r, SEC_PERSON_HASH);
    for (uint64_t i = 0; i < r.h->sec[SEC_PERSON_HASH].count; i++)
        if (slot[i] != SNAP_NONE)
            slot[i] = (uint32_t)r.h->n_persons + 5;
    reseal(&r);
    rw_close(&r);
    struct err e;
    ASSERT_REFUSED(materialise_all(&e, NULL), e, "person index");
}
END_TEST

START_TEST(test_value_out_of_range)
{
    struct rw r = rw_open();
    struct sp_vehicle *v = sec(&r, SEC_VEHICLES);
    for (uint64_t i = 0; i < r.h->sec[SEC_VEHICLES].count; i++)
        v[i].vclass = 200;
    reseal(&r);
    rw_close(&r);
    struct err e;
    ASSERT_REFUSED(materialise_all(&e, NULL), e, "vehicle row");
}
END_TEST

START_TEST(test_membership_out_of_range)
{
    struct rw r = rw_open();
    uint32_t *m = sec(&r, SEC_MEMBERSHIPS);
    for (uint64_t i = 0; i < r.h->sec[SEC_MEMBERSHIPS].count; i++)
        m[i] = 1000000;
    reseal(&r);
    rw_close(&r);
    struct err e;
    ASSERT_REFUSED(materialise_all(&e, NULL), e, "membership");
}
END_TEST

/* The rules are stored beside policy.rules: the one .policy file of the
 * rules directory (reference.policy, nothing extended), byte for byte. */
START_TEST(test_stored_rules)
{
    struct snap s;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(snap_open(&s, idx, &e), E_OK);
    struct policy pol;
    ck_assert_msg(snap_policy_load(&s, &pol, &e) == E_OK, "%s", e.msg);
    ck_assert_int_eq(pol.n_texts, 1);
    ck_assert_msg(strstr(pol.texts[0].path, "/rules/reference.policy") != NULL, "%s",
                  pol.texts[0].path);
    char path[1024];
    snprintf(path, sizeof path, "%s/rules/reference.policy", test_root());
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char want[1 << 17];
    size_t n = fread(want, 1, sizeof want, f);
    fclose(f);
    ck_assert_uint_eq(pol.texts[0].len, n);
    ck_assert(memcmp(pol.texts[0].text, want, n) == 0);
    snap_close(&s);
}
END_TEST

/* A stored text whose length runs past its section: refused, never read
 * past (checksums resealed). */
START_TEST(test_stored_rules_out_of_range)
{
    struct rw r = rw_open();
    unsigned char *b = sec(&r, SEC_POLICY_SRC);
    uint32_t pl = (uint32_t)b[0] | (uint32_t)b[1] << 8;
    unsigned char *tl = b + 4 + pl;
    tl[0] = tl[1] = tl[2] = 0xff;
    tl[3] = 0x7f;
    reseal(&r);
    rw_close(&r);
    struct err e;
    struct snap s;
    err_init(&e);
    ck_assert_int_eq(snap_open(&s, idx, &e), E_OK);
    struct policy pol;
    ASSERT_REFUSED(snap_policy_load(&s, &pol, &e), e, "a text of its stored rules is out of range");
    snap_close(&s);
}
END_TEST

START_TEST(test_section_out_of_range)
{
    struct rw r = rw_open();
    r.h->sec[SEC_SI].offset = r.h->file_bytes + 4096;
    reseal_header(&r);
    rw_close(&r);
    struct err e;
    struct snap s;
    err_init(&e);
    ASSERT_REFUSED(snap_open(&s, idx, &e), e, "section social_insurance out of range");
}
END_TEST

START_TEST(test_block_table_outside_file)
{
    struct rw r = rw_open();
    r.h->n_blocks += 1000;
    reseal_header(&r);
    rw_close(&r);
    struct err e;
    struct snap s;
    err_init(&e);
    ASSERT_REFUSED(snap_open(&s, idx, &e), e, "outside the file");
}
END_TEST

START_TEST(test_other_versions)
{
    struct rw r = rw_open();
    r.h->format_version = 7;
    rw_close(&r);
    struct err e;
    struct snap s;
    err_init(&e);
    ASSERT_REFUSED(snap_open(&s, idx, &e), e, "format version 7");

    r = rw_open();
    r.h->format_version = 2;   /* before financial assets and funerals */
    rw_close(&r);
    err_init(&e);
    ASSERT_REFUSED(snap_open(&s, idx, &e), e,
                   "format version 2; this hedui (" HEDUI_VERSION ") reads version 4 only: "
                   "build it again with 'hedui index build' (format 4 carries "
                   "financial_assets.csv, funeral.csv and the rules it was built with)");

    r = rw_open();
    r.h->format_version = 3;   /* before the rules were stored */
    rw_close(&r);
    err_init(&e);
    ASSERT_REFUSED(snap_open(&s, idx, &e), e,
                   "format version 3; this hedui (" HEDUI_VERSION ") reads version 4 only: "
                   "build it again with 'hedui index build' (format 4 carries");

    r = rw_open();
    r.h->format_version = SNAP_FORMAT_VERSION;
    snprintf(r.h->engine_version, sizeof r.h->engine_version, "9.9.9");
    reseal_header(&r);
    rw_close(&r);
    err_init(&e);
    ASSERT_REFUSED(snap_open(&s, idx, &e), e, "built by hedui 9.9.9");
}
END_TEST

START_TEST(test_truncated)
{
    struct stat sb;
    ck_assert_int_eq(stat(idx, &sb), 0);
    ck_assert_int_eq(truncate(idx, sb.st_size - 1), 0);
    struct err e;
    struct snap s;
    err_init(&e);
    ASSERT_REFUSED(snap_open(&s, idx, &e), e, "truncated");
    ck_assert_int_eq(truncate(idx, 10), 0);
    err_init(&e);
    ASSERT_REFUSED(snap_open(&s, idx, &e), e, "truncated");
}
END_TEST

Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *tc = tcase_create("damage");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_whole);
    tcase_add_test(tc, test_dated_feeds);
    tcase_add_test(tc, test_dated_values_out_of_range);
    tcase_add_test(tc, test_flipped_byte_refused_when_read);
    tcase_add_test(tc, test_person_rows_out_of_range);
    tcase_add_test(tc, test_string_offset_out_of_range);
    tcase_add_test(tc, test_unterminated_string);
    tcase_add_test(tc, test_person_index_out_of_range);
    tcase_add_test(tc, test_value_out_of_range);
    tcase_add_test(tc, test_membership_out_of_range);
    tcase_add_test(tc, test_section_out_of_range);
    tcase_add_test(tc, test_stored_rules);
    tcase_add_test(tc, test_stored_rules_out_of_range);
    tcase_add_test(tc, test_block_table_outside_file);
    tcase_add_test(tc, test_other_versions);
    tcase_add_test(tc, test_truncated);
    suite_add_tcase(s, tc);
    return s;
}
