/* check_normalise.c - unit tests for engine/normalise.c: records to typed
 * rows and rejects.
 *
 * Owns: the normalise suite.  Every test writes its input under a fresh
 * directory in /tmp (created and removed by the fixture) and reads it
 * through normalise_file() into a struct dataset.  Expected values follow
 * the data contract (doc/data-contract.md): lines are physical lines where
 * a record starts, the header is line 1.
 */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/num.h"
#include "contract/idcard.h"
#include "engine/normalise.h"
#include "engine/personset.h"
#include "testkit.h"
#include "tests.h"

/* Each test writes its files into testkit's scratch directory. */
#define tmp_write tk_scratch_write
#define tmpdir tk_scratch

#define assert_reject tk_assert_reject

static void chunked(int i)
{
    if (i == 1)
        ck_assert_int_eq(setenv("HEDUI_CHUNK_BYTES", "16", 1), 0);
}

static int as_of(void)
{
    return date_from_ymd(2026, 6, 15);
}

static uint64_t key_of(const char *id)
{
    struct id_norm nm;
    ck_assert_int_eq(id_normalise(id, strlen(id), 20260615, &nm), ID_OK);
    return nm.key;
}

/* An empty dataset and a normaliser for it, as of as_of(). */
static void begin(struct dataset *d, struct normaliser *n)
{
    struct err e;
    dataset_init(d);
    err_init(&e);
    ck_assert_msg(normaliser_init(n, d, as_of(), &e) == E_OK, "normaliser_init: %s", e.msg);
}

/* begin(), then the income window 2026-01..05 (normaliser_keep_months):
 * its first and last month numbers into *first and *last. */
static void begin_window(struct dataset *d, struct normaliser *n, int *first, int *last)
{
    begin(d, n);
    ck_assert_int_eq(month_parse("2026-01", 7, first), 0);
    ck_assert_int_eq(month_parse("2026-05", 7, last), 0);
    normaliser_keep_months(n, *first, *last);
}

static int norm(struct normaliser *n, enum input_file f, const char *name, const char *text)
{
    const char *path = tmp_write(name, text, strlen(text));
    struct err e;
    err_init(&e);
    int rc = normalise_file(n, f, path, ENC_AUTO, &e);
    ck_assert_msg(rc == E_OK, "%s: %s", name, e.msg);
    return rc;
}

/* valid IDs (computed independently; see check_idcard.c) */
#define ID_A "11010519491231002X"
#define ID_B "360426199101010071"
#define ID_C "440301198506071238"

START_TEST(test_norm_vehicles)
{
    chunked(_i);
    struct dataset d;
    struct normaliser n;
    begin(&d, &n);

    /* a valid ID born after the as-of date */
    char future[19] = "11010520260701001";
    future[17] = id_check_char(future);
    future[18] = '\0';

    char text[2048];
    snprintf(text, sizeof text,
             "id_no,plate_no,vehicle_class,use,registered_on,value_yuan,status\n"
             ID_B ",陕A12345,car,private,2020-01-01,86000,valid\n"         /* 2 ok */
             ID_C ",陕A00001,car,private,2020-01-01,-5,valid\n"            /* 3 negative */
             ID_C ",陕A00002,truck,commercial,,1000.005,valid\n"           /* 4 3 decimals */
             ID_C ",陕A00003,boat,private,,100,valid\n"                    /* 5 enum */
             "360426199101010072,陕A00004,bus,private,,100,valid\n"        /* 6 checksum */
             "11010519491231002x,陕A00005,truck,commercial,,25000.5,scrapped\n" /* 7 ok */
             "%s,陕A00006,car,private,,1,valid\n"                          /* 8 born later */
             ID_C ",陕A00007,car,private,2020-02-30,1,valid\n"             /* 9 bad date */
             ID_C ",陕A00008,car,Private,,1,valid\n"                       /* 10 case */
             ID_C ",陕A00009,car,private,,,valid\n",                       /* 11 empty value */
             future);
    norm(&n, IN_VEHICLES, "vehicles.csv", text);

    ck_assert_uint_eq(d.vehicles.n, 2);
    const struct vehicle *v = d.vehicles.v;
    ck_assert(v[0].key == key_of(ID_B));
    ck_assert_str_eq(v[0].plate, "陕A12345");
    ck_assert_int_eq(v[0].vclass, VC_CAR);
    ck_assert_int_eq(v[0].use, VU_PRIVATE);
    ck_assert_int_eq(v[0].registered_on, date_from_ymd(2020, 1, 1));
    ck_assert(v[0].value_fen == 8600000);
    ck_assert_int_eq(v[0].status, VS_VALID);
    ck_assert_int_eq(v[0].line, 2);

    ck_assert(v[1].key == key_of(ID_A));   /* lower-case x folds to X */
    ck_assert(v[1].key != 0);
    ck_assert_int_eq(v[1].vclass, VC_TRUCK);
    ck_assert_int_eq(v[1].use, VU_COMMERCIAL);
    ck_assert_int_eq(v[1].registered_on, DATE_NONE);
    ck_assert(v[1].value_fen == 2500050);
    ck_assert_int_eq(v[1].status, VS_SCRAPPED);
    ck_assert_int_eq(v[1].line, 7);

    const struct filestat *fs = &d.files[IN_VEHICLES];
    ck_assert_int_eq(fs->data_rows, 10);
    ck_assert_int_eq(fs->data_rows - (long long)fs->rejects.n, (long long)d.vehicles.n);
    ck_assert_uint_eq(fs->rejects.n, 8);
    assert_reject(&d, IN_VEHICLES, 0, 3, "value_yuan");
    assert_reject(&d, IN_VEHICLES, 0, 3, num_status_text(NUM_NEGATIVE));
    assert_reject(&d, IN_VEHICLES, 1, 4, "value_yuan");
    assert_reject(&d, IN_VEHICLES, 1, 4, num_status_text(NUM_TOO_PRECISE));
    assert_reject(&d, IN_VEHICLES, 2, 5, "vehicle_class");
    assert_reject(&d, IN_VEHICLES, 2, 5, "boat");
    assert_reject(&d, IN_VEHICLES, 3, 6, "id_no");
    assert_reject(&d, IN_VEHICLES, 3, 6, id_status_text(ID_BAD_CHECKSUM));
    assert_reject(&d, IN_VEHICLES, 4, 8, "id_no");
    assert_reject(&d, IN_VEHICLES, 4, 8, id_status_text(ID_FUTURE_DATE));
    assert_reject(&d, IN_VEHICLES, 5, 9, "registered_on");
    assert_reject(&d, IN_VEHICLES, 6, 10, "use");
    assert_reject(&d, IN_VEHICLES, 7, 11, "value_yuan");
    ck_assert_uint_eq(fs->id_flags_seen[2], 1);   /* one lower-case x folded */
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_norm_property)
{
    chunked(_i);
    struct dataset d;
    struct normaliser n;
    begin(&d, &n);
    norm(&n, IN_PROPERTY, "property.csv",
         "id_no,property_id,usage,area_m2,share,registered_on,status\n"
         ID_B ",P1,residential,80,0,,held\n"                    /* 2 share 0 */
         ID_B ",P2,residential,80,1.5,,held\n"                  /* 3 share > 1 */
         ID_B ",P3,residential,120.5,1,2019-05-01,held\n"       /* 4 ok */
         ID_C ",P4,commercial,90.25,0.333333333,,sold\n"        /* 5 ok */
         ID_C ",P5,residential,80,0.3333333333,,held\n"         /* 6 10 decimals */
         ID_C ",P6,parking,-1,0.5,,held\n"                      /* 7 negative area */
         ID_C ",P7,residential,80,,,held\n"                     /* 8 empty share */
         ID_C ",P8,residential,80.001,1,,held\n"                /* 9 area 3 decimals */
         ID_C ",P9,residential,80,1.000000000,,held\n");        /* 10 ok */

    ck_assert_uint_eq(d.property.n, 3);
    const struct property *p = d.property.v;
    ck_assert_str_eq(p[0].property_id, "P3");
    ck_assert(p[0].share_nano == SHARE_ONE);
    ck_assert(p[0].area_h == 12050);
    ck_assert_int_eq(p[0].usage, US_RESIDENTIAL);
    ck_assert_int_eq(p[0].status, PS_HELD);
    ck_assert_int_eq(p[0].registered_on, date_from_ymd(2019, 5, 1));
    ck_assert(p[0].key == key_of(ID_B));
    ck_assert_int_eq(p[0].line, 4);
    ck_assert_str_eq(p[1].property_id, "P4");
    ck_assert(p[1].share_nano == 333333333);
    ck_assert(p[1].area_h == 9025);
    ck_assert_int_eq(p[1].usage, US_COMMERCIAL);
    ck_assert_int_eq(p[1].status, PS_SOLD);
    ck_assert_int_eq(p[1].line, 5);
    ck_assert(p[2].share_nano == SHARE_ONE);
    ck_assert_int_eq(p[2].line, 10);

    ck_assert_uint_eq(d.files[IN_PROPERTY].rejects.n, 6);
    assert_reject(&d, IN_PROPERTY, 0, 2, "share");
    assert_reject(&d, IN_PROPERTY, 1, 3, "share");
    assert_reject(&d, IN_PROPERTY, 2, 6, "share");
    assert_reject(&d, IN_PROPERTY, 3, 7, "area_m2");
    assert_reject(&d, IN_PROPERTY, 4, 8, "share");
    assert_reject(&d, IN_PROPERTY, 5, 9, "area_m2");
    ck_assert_int_eq(d.files[IN_PROPERTY].data_rows, 9);
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

/* "\u3000" (ideographic space) around a name is trimmed */
#define IDSP "\xE3\x80\x80"

static void load_registry(struct normaliser *n)
{
    norm(n, IN_HOUSEHOLDS, "households.csv",
         "household_id,region_code,program,area_type,status,applied_on,approved_on,"
         "monthly_benefit,caseworker_id\n"
         "H1,610102001002,dibao,urban,active,2026-01-05,2026-01-20,500,CW1\n"
         "H2,610102001003,tekun,rural,applying,2026-06-01,,0,\n");
    norm(n, IN_MEMBERS, "members.csv",
         "household_id,id_no,name,relation,declared_monthly_income,work_ability,"
         "disability_grade\n"
         "H1," ID_B "," IDSP "张三" IDSP ",head,0,full,0\n"     /* 2 */
         "H1,12345,李四,spouse,100.5,partial,0\n"               /* 3 invalid id: kept */
         "H9," ID_C ",王五,child,0,none,0\n"                    /* 4 no such household */
         "H1,\"360426 199101010071\",张三,other,0,full,0\n"     /* 5 repeat of line 2 */
         "H2," ID_B ",张三,head,0,full,0\n"                     /* 6 other household: kept */
         "H1,,无名,child,0,none,0\n"                            /* 7 empty id: kept */
         "H1,,无名二,child,0,none,0\n"                          /* 8 another empty id: kept */
         "H2," ID_C ",赵六,spouse,0,full,5\n");                 /* 9 grade 5: kept (Q05) */
}

START_TEST(test_norm_members)
{
    chunked(_i);
    struct dataset d;
    struct normaliser n;
    begin(&d, &n);
    load_registry(&n);

    ck_assert_uint_eq(d.households.n, 2);
    const struct household *h = d.households.v;
    ck_assert_str_eq(h[0].id, "H1");
    ck_assert_str_eq(h[0].region, "610102001002");
    ck_assert_int_eq(h[0].program, PROG_DIBAO);
    ck_assert_int_eq(h[0].area, AREA_URBAN);
    ck_assert_int_eq(h[0].status, HS_ACTIVE);
    ck_assert_int_eq(h[0].applied_on, date_from_ymd(2026, 1, 5));
    ck_assert_int_eq(h[0].approved_on, date_from_ymd(2026, 1, 20));
    ck_assert(h[0].benefit_fen == 50000);
    ck_assert_str_eq(h[0].caseworker, "CW1");
    ck_assert_int_eq(h[1].program, PROG_TEKUN);
    ck_assert_int_eq(h[1].status, HS_APPLYING);
    ck_assert_int_eq(h[1].approved_on, DATE_NONE);
    ck_assert_str_eq(h[1].caseworker, "");

    /* before the merge: 7 rows kept, 1 rejected while loading; the bad
     * disability_grade of line 9 is not a reject (contract: member rows
     * are kept, with Q05) */
    ck_assert_uint_eq(d.members.n, 7);
    ck_assert_uint_eq(d.files[IN_MEMBERS].rejects.n, 1);
    assert_reject(&d, IN_MEMBERS, 0, 4, "household_id");

    const struct member *m = d.members.v;
    /* the invalid id_no is not a reject: the member stays with key 0 */
    const struct member *li = NULL;
    for (size_t i = 0; i < d.members.n; i++)
        if (m[i].line == 3)
            li = &m[i];
    ck_assert_ptr_nonnull(li);
    ck_assert(li->key == 0);
    ck_assert_str_eq(li->id, "12345");
    ck_assert_int_ne(li->id_status, ID_OK);
    ck_assert_str_eq(li->name, "李四");
    ck_assert_int_eq(li->relation, REL_SPOUSE);
    ck_assert_int_eq(li->work_ability, WA_PARTIAL);
    ck_assert(li->declared_fen == 10050);
    ck_assert_uint_eq(li->hh, 0);

    struct err e;
    err_init(&e);
    ck_assert_int_eq(normalise_finish(&n, &e), E_OK);

    /* after: the repeat on line 5 is rejected, everything else kept */
    ck_assert_uint_eq(d.members.n, 6);
    ck_assert_uint_eq(d.files[IN_MEMBERS].rejects.n, 2);
    assert_reject(&d, IN_MEMBERS, 1, 5, "repeated");
    assert_reject(&d, IN_MEMBERS, 1, 5, "H1");
    assert_reject(&d, IN_MEMBERS, 1, 5, "line 2");

    m = d.members.v;
    h = d.households.v;
    ck_assert_uint_eq(h[0].n_members, 4);
    ck_assert_uint_eq(h[1].n_members, 2);
    static const long long h1_lines[] = {2, 3, 7, 8};
    for (uint32_t i = 0; i < 4; i++) {
        const struct member *x = &m[h[0].first_member + i];
        ck_assert_uint_eq(x->hh, 0);
        ck_assert_int_eq(x->line, h1_lines[i]);   /* file order within the household */
    }
    const struct member *head = &m[h[0].first_member];
    ck_assert(head->key == key_of(ID_B));
    ck_assert_str_eq(head->id, ID_B);
    ck_assert_str_eq(head->name, "张三");   /* U+3000 trimmed */
    ck_assert_int_eq(head->relation, REL_HEAD);
    ck_assert(m[h[0].first_member + 2].key == 0);
    ck_assert_str_eq(m[h[0].first_member + 2].id, "");
    ck_assert_str_eq(m[h[0].first_member + 3].name, "无名二");
    const struct member *other = &m[h[1].first_member];
    ck_assert_int_eq(other->line, 6);
    ck_assert(other->key == key_of(ID_B));   /* same person, other household: kept (E10) */
    ck_assert_uint_eq(other->bad_cols, 0);
    ck_assert_ptr_null(other->bad_text);
    /* grade 5: kept as grade 0, the column and value recorded for Q05 */
    const struct member *g5 = &m[h[1].first_member + 1];
    ck_assert_int_eq(g5->line, 9);
    ck_assert(g5->key == key_of(ID_C));
    ck_assert_int_eq(g5->disability_grade, 0);
    ck_assert_int_eq(g5->relation, REL_SPOUSE);
    ck_assert_uint_eq(g5->bad_cols, MB_GRADE);
    ck_assert_str_eq(g5->bad_text, "disability_grade '5': not 0-4, taken as 0");
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_norm_households)
{
    chunked(_i);
    struct dataset d;
    struct normaliser n;
    begin(&d, &n);
    norm(&n, IN_HOUSEHOLDS, "households.csv",
         "caseworker_id,household_id,region_code,program,area_type,status,applied_on,"
         "approved_on,monthly_benefit\n"
         "CW1,H1,610102001002,dishouru,rural,suspended,2025-12-01,2025-12-20,300.5\n" /* 2 ok */
         "CW1,H1,610102001002,dibao,urban,active,2026-01-05,,0\n"           /* 3 duplicate */
         "CW1,H3,61010200100,dibao,urban,active,2026-01-05,,0\n"            /* 4 11 digits */
         "CW1,H4,610102001002,dibao,urban,active,,,0\n"                     /* 5 no applied_on */
         "CW1,H5,610102001002,wubao,urban,active,2026-01-05,,0\n"           /* 6 program */
         "CW1,,610102001002,dibao,urban,active,2026-01-05,,0\n"             /* 7 empty id */
         "CW1,H7,610102001002,dibao,urban,closed,2026-01-05,,0\n"           /* 8 status */
         "CW1,H8,610102001002,dibao,urban,active,2026-01-05,2026-02-30,0\n" /* 9 approved_on */
         ",H9,610102001002,tekun,urban,cancelled,2026-01-05,,0\n");         /* 10 ok */
    ck_assert_uint_eq(d.households.n, 2);
    const struct household *h = d.households.v;
    ck_assert_str_eq(h[0].id, "H1");
    ck_assert_int_eq(h[0].program, PROG_DISHOURU);
    ck_assert_int_eq(h[0].area, AREA_RURAL);
    ck_assert_int_eq(h[0].status, HS_SUSPENDED);
    ck_assert(h[0].benefit_fen == 30050);
    ck_assert_int_eq(h[0].line, 2);
    ck_assert_str_eq(h[1].id, "H9");
    ck_assert_int_eq(h[1].status, HS_CANCELLED);
    ck_assert_str_eq(h[1].caseworker, "");
    ck_assert_uint_eq(d.files[IN_HOUSEHOLDS].rejects.n, 7);
    assert_reject(&d, IN_HOUSEHOLDS, 0, 3, "household_id");
    assert_reject(&d, IN_HOUSEHOLDS, 0, 3, "line 2");
    assert_reject(&d, IN_HOUSEHOLDS, 1, 4, "region_code");
    assert_reject(&d, IN_HOUSEHOLDS, 2, 5, "applied_on");
    assert_reject(&d, IN_HOUSEHOLDS, 3, 6, "program");
    assert_reject(&d, IN_HOUSEHOLDS, 4, 7, "household_id");
    assert_reject(&d, IN_HOUSEHOLDS, 5, 8, "status");
    assert_reject(&d, IN_HOUSEHOLDS, 6, 9, "approved_on");
    /* members join the kept rows by their final positions */
    norm(&n, IN_MEMBERS, "members.csv",
         "household_id,id_no,name,relation,declared_monthly_income,work_ability,disability_grade\n"
         "H9," ID_A ",A,head,0,none,0\n"
         "H1," ID_B ",B,head,0,none,0\n"
         "H3," ID_C ",C,head,0,none,0\n");   /* H3 was rejected: unknown */
    ck_assert_uint_eq(d.members.n, 2);
    const struct member *m = d.members.v;
    ck_assert_uint_eq(m[0].hh, 1);
    ck_assert_uint_eq(m[1].hh, 0);
    ck_assert_uint_eq(d.files[IN_MEMBERS].rejects.n, 1);
    assert_reject(&d, IN_MEMBERS, 0, 4, "household_id");
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

START_TEST(test_norm_holidays_gb_and_limits)
{
    chunked(_i);
    /* a GB18030 households.csv: the decoded name survives normalisation */
    struct dataset d;
    struct normaliser n;
    begin(&d, &n);
    norm(&n, IN_HOUSEHOLDS, "households.csv",
         "household_id,region_code,program,area_type,status,applied_on,approved_on,"
         "monthly_benefit,caseworker_id\n"
         "\xD5\xC5\xC8\xFD-1,610102001002,dibao,urban,active,2026-01-05,2026-01-20,500,CW1\n");
    ck_assert_str_eq(d.files[IN_HOUSEHOLDS].encoding, "gb18030");
    ck_assert_uint_eq(d.households.n, 1);
    ck_assert_str_eq(((const struct household *)d.households.v)[0].id, "张三-1");

    norm(&n, IN_HOLIDAYS, "holidays.csv",
         "date,kind\n2026-05-01,holiday\n2026-05-09,workday\n2026-05-10,weekend\n2026-5-1,holiday\n");
    ck_assert_uint_eq(d.holidays.n, 2);
    const struct holiday *hl = d.holidays.v;
    ck_assert_int_eq(hl[0].date, date_from_ymd(2026, 5, 1));
    ck_assert_int_eq(hl[0].kind, HOL_HOLIDAY);
    ck_assert_int_eq(hl[1].kind, HOL_WORKDAY);
    ck_assert_uint_eq(d.files[IN_HOLIDAYS].rejects.n, 2);
    assert_reject(&d, IN_HOLIDAYS, 0, 4, "kind");
    assert_reject(&d, IN_HOLIDAYS, 1, 5, "date");
    normaliser_free(&n);
    dataset_free(&d);
}
END_TEST

/* A larger generated vehicles.csv mixing every structural case: the result
 * must be the same whether the loader works in one piece or (loop index 1)
 * in small chunks (HEDUI_CHUNK_BYTES; check forks each test, so setenv here
 * does not leak into other tests). */
enum { GEN_ROWS = 400 };

enum gen_kind { G_OK, G_MULTILINE, G_NEGATIVE, G_RAGGED, G_STRAY, G_BADBYTES };

static enum gen_kind gen_kind(int i)
{
    if (i % 23 == 9)
        return G_BADBYTES;
    if (i % 19 == 5)
        return G_STRAY;
    if (i % 17 == 3)
        return G_RAGGED;
    if (i % 11 == 7)
        return G_NEGATIVE;
    if (i % 7 == 2)
        return G_MULTILINE;
    return G_OK;
}

START_TEST(test_norm_generated)
{
    if (_i == 1)
        ck_assert_int_eq(setenv("HEDUI_CHUNK_BYTES", "200", 1), 0);   /* ~100 chunks */
    static const char *const ids[] = {ID_A, ID_B, ID_C};
    size_t cap = (size_t)GEN_ROWS * 160 + 256;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    static long long line_of[GEN_ROWS];
    size_t n = (size_t)snprintf(text, cap,
                                "status,id_no,plate_no,vehicle_class,use,registered_on,value_yuan\n");
    long long line = 2;
    for (int i = 0; i < GEN_ROWS; i++) {
        if (i % 13 == 0) {   /* a blank line before this record */
            n += (size_t)snprintf(text + n, cap - n, i % 2 ? "\r\n" : "\n");
            line++;
        }
        line_of[i] = line;
        const char *eol = i % 5 == 0 ? "\r\n" : "\n";
        const char *id = ids[i % 3];
        switch (gen_kind(i)) {
        case G_OK:
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P%05d,car,private,,%d.%02d%s", id,
                                  i, i, i % 100, eol);
            break;
        case G_MULTILINE:
            n += (size_t)snprintf(text + n, cap - n,
                                  "valid,%s,\"P\n%05d, \"\"x\"\"\",truck,private,,%d.%02d%s", id, i,
                                  i, i % 100, eol);
            line++;
            break;
        case G_NEGATIVE:
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P%05d,car,private,,-%d%s", id, i, i,
                                  eol);
            break;
        case G_RAGGED:
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P%05d,car,private,%d%s", id, i, i,
                                  eol);
            break;
        case G_STRAY:
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P\"%05d,car,private,,1%s", id, i,
                                  eol);
            break;
        case G_BADBYTES:   /* 0xFF: neither UTF-8 nor GB18030 */
            n += (size_t)snprintf(text + n, cap - n, "valid,%s,P\xFF%05d,car,private,,1%s", id, i,
                                  eol);
            break;
        }
        line++;
        ck_assert_uint_lt(n, cap - 200);
    }

    struct dataset d;
    struct normaliser nz;
    begin(&d, &nz);
    norm(&nz, IN_VEHICLES, "vehicles.csv", text);
    free(text);

    const struct vehicle *v = d.vehicles.v;
    const struct filestat *fs = &d.files[IN_VEHICLES];
    size_t nv = 0, nr = 0;
    for (int i = 0; i < GEN_ROWS; i++) {
        enum gen_kind k = gen_kind(i);
        if (k == G_OK || k == G_MULTILINE) {
            ck_assert_uint_lt(nv, d.vehicles.n);
            const struct vehicle *x = &v[nv++];
            ck_assert_msg(x->line == line_of[i], "row %d at line %lld, want %lld", i, x->line,
                          line_of[i]);
            char plate[32];
            if (k == G_OK)
                snprintf(plate, sizeof plate, "P%05d", i);
            else
                snprintf(plate, sizeof plate, "P\n%05d, \"x\"", i);
            ck_assert_str_eq(x->plate, plate);
            ck_assert(x->key == key_of(ids[i % 3]));
            ck_assert(x->value_fen == (int64_t)i * 100 + i % 100);
            ck_assert_int_eq(x->vclass, k == G_OK ? VC_CAR : VC_TRUCK);
            ck_assert_int_eq(x->status, VS_VALID);
        } else {
            ck_assert_uint_lt(nr, fs->rejects.n);
            const char *want = k == G_NEGATIVE ? "value_yuan"
                               : k == G_RAGGED ? "wrong column count"
                               : k == G_BADBYTES ? "encoding"
                                                 : "quot";
            assert_reject(&d, IN_VEHICLES, nr++, line_of[i], want);
        }
    }
    ck_assert_uint_eq(d.vehicles.n, nv);
    ck_assert_uint_eq(fs->rejects.n, nr);
    ck_assert_int_eq(fs->data_rows, GEN_ROWS);
    ck_assert_str_eq(fs->encoding, "utf-8");
    normaliser_free(&nz);
    dataset_free(&d);
}
END_TEST

/* social_insurance.csv keeps only the rows of the run's income window
 * (normaliser_keep_months), so its chunks' slices are left with gaps that
 * the single read closes wave by wave (chunks_settle) while it parses the
 * next: the rows must come out the same, in file order, in one piece and
 * in ~100 chunks at 2 and 3 threads. */
enum { SI_ROWS = 900 };

START_TEST(test_norm_si_window)
{
    if (_i > 0) {
        ck_assert_int_eq(setenv("HEDUI_CHUNK_BYTES", "200", 1), 0);
        omp_set_num_threads(_i + 1);
    }
    static const char *const ids[] = {ID_A, ID_B, ID_C};
    size_t cap = (size_t)SI_ROWS * 96 + 128;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)snprintf(text, cap, "id_no,period,kind,employer,amount\n");
    for (int i = 0; i < SI_ROWS; i++) {
        /* in the window (2026-01..05) two rows in five, a bad month one in 41 */
        const char *year = i % 41 == 40 ? NULL : i % 5 < 2 ? "2026" : "2024";
        char month[16];
        if (year)
            snprintf(month, sizeof month, "%s-0%d", year, 1 + i % 5);
        else
            snprintf(month, sizeof month, "2026-13");
        n += (size_t)snprintf(text + n, cap - n, "%s,%s,%s,E%d,%d.%02d\n", ids[i % 3], month,
                              si_kind_names[i % N_SI], i, i, i % 100);
        ck_assert_uint_lt(n, cap - 96);
    }
    struct dataset d;
    struct normaliser nz;
    int first, last;
    begin_window(&d, &nz, &first, &last);
    norm(&nz, IN_SI, "social_insurance.csv", text);
    free(text);

    const struct si_row *r = d.si.v;
    size_t nk = 0, nr = 0;
    for (int i = 0; i < SI_ROWS; i++) {
        long long line = i + 2;
        if (i % 41 == 40) {
            assert_reject(&d, IN_SI, nr++, line, "period");
            continue;
        }
        if (i % 5 >= 2)
            continue;
        ck_assert_uint_lt(nk, d.si.n);
        const struct si_row *x = &r[nk++];
        ck_assert_msg(x->line == line, "row %zu at line %lld, want %lld", nk - 1, x->line, line);
        ck_assert(x->key == key_of(ids[i % 3]));
        ck_assert_int_eq(x->kind, i % N_SI);
        ck_assert(x->amount_fen == (int64_t)i * 100 + i % 100);
    }
    ck_assert_uint_eq(d.si.n, nk);
    ck_assert_uint_eq(d.files[IN_SI].rejects.n, nr);
    ck_assert_int_eq(d.files[IN_SI].data_rows, SI_ROWS);
    normaliser_free(&nz);
    dataset_free(&d);
}
END_TEST

/* normaliser_keep_persons: a feed's rows of a person the set does not hold
 * are checked (a bad one is rejected, with its reason) and counted, but not
 * kept; social insurance still marks the months its rows were seen in (the
 * feed checks read them), kept or not.  In one piece and in chunks. */
START_TEST(test_norm_keep_persons)
{
    if (_i > 0) {
        ck_assert_int_eq(setenv("HEDUI_CHUNK_BYTES", "64", 1), 0);
        omp_set_num_threads(_i + 1);
    }
    /* the set: ID_A, a registry member */
    struct dataset pd;
    dataset_init(&pd);
    struct member *pm = vec_push(&pd.members, sizeof *pm);
    ck_assert_ptr_nonnull(pm);
    pm->key = key_of(ID_A);
    struct personset ps;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(personset_build(&ps, &pd, &e), E_OK);
    ck_assert(personset_may_have(&ps, key_of(ID_A)));
    ck_assert(!personset_may_have(&ps, key_of(ID_B)));   /* not a false yes */

    struct dataset d;
    struct normaliser n;
    int first, last;
    begin_window(&d, &n, &first, &last);
    normaliser_keep_persons(&n, &ps);
    norm(&n, IN_VEHICLES, "vehicles.csv",
         "id_no,plate_no,vehicle_class,use,registered_on,value_yuan,status\n"
         ID_B ",陕A00001,car,private,2020-01-01,86000,valid\n"    /* 2 not kept */
         ID_A ",陕A00002,car,private,2020-01-01,1000,valid\n"     /* 3 kept */
         ID_B ",陕A00003,car,private,2020-02-30,1,valid\n"        /* 4 bad date */
         ID_B ",陕A00004,boat,private,,1,valid\n");               /* 5 bad class */
    ck_assert_uint_eq(d.vehicles.n, 1);
    const struct vehicle *v = d.vehicles.v;
    ck_assert(v[0].key == key_of(ID_A));
    ck_assert_str_eq(v[0].plate, "陕A00002");
    ck_assert_int_eq(v[0].line, 3);
    const struct filestat *fs = &d.files[IN_VEHICLES];
    ck_assert_int_eq(fs->data_rows, 4);
    ck_assert_uint_eq(fs->rejects.n, 2);
    assert_reject(&d, IN_VEHICLES, 0, 4, "registered_on");
    assert_reject(&d, IN_VEHICLES, 1, 5, "vehicle_class");

    /* ID_B in every month of the window, ID_A in February only */
    norm(&n, IN_SI, "social_insurance.csv",
         "id_no,period,kind,employer,amount\n"
         ID_B ",2026-01,employment,E,100\n" ID_B ",2026-02,employment,E,100\n"
         ID_B ",2026-03,employment,E,100\n" ID_B ",2026-04,employment,E,100\n"
         ID_B ",2026-05,employment,E,100\n" ID_A ",2026-02,pension_benefit,E,250\n"
         ID_A ",2025-12,pension_benefit,E,250\n" ID_B ",2026-13,employment,E,1\n");
    ck_assert_uint_eq(d.si.n, 1);
    const struct si_row *r = d.si.v;
    ck_assert(r[0].key == key_of(ID_A));
    ck_assert_int_eq(r[0].line, 7);
    ck_assert_int_eq(d.files[IN_SI].data_rows, 8);
    ck_assert_uint_eq(d.files[IN_SI].rejects.n, 1);
    assert_reject(&d, IN_SI, 0, 9, "period");
    for (int m = 0; m <= last - first; m++)
        ck_assert_msg(n.si_seen[m] == 1, "month %d of the window not seen", m);
    for (int m = last - first + 1; m < NORMALISE_MAX_MONTHS; m++)
        ck_assert_int_eq(n.si_seen[m], 0);
    normaliser_free(&n);
    dataset_free(&d);
    personset_free(&ps);
    dataset_free(&pd);
}
END_TEST

/* feed_id reuses what it made of the row before's ID when the text is the
 * same (the feeds list a person's rows together): each row must still count
 * its normalisations and get its own reject, in one piece and in chunks. */
START_TEST(test_norm_si_repeated_ids)
{
    chunked(_i);
    static const char csv[] = "id_no,period,kind,employer,amount\n"
                              "11010519491231002x,2026-01,employment,E,1.00\n"
                              "11010519491231002x,2026-02,employment,E,2.00\n"
                              "110105194912310021,2026-03,employment,E,3.00\n"
                              "110105194912310021,2026-04,employment,E,4.00\n"
                              ID_B ",2026-05,employment,E,5.00\n"
                              "11010519491231002x,2026-06,employment,E,6.00\n"
                              "11010519491231002x,2026-07,employment,E,7.00\n";
    struct dataset d;
    struct normaliser nz;
    begin(&d, &nz);
    norm(&nz, IN_SI, "social_insurance.csv", csv);
    const struct si_row *r = d.si.v;
    ck_assert_uint_eq(d.si.n, 5);
    static const long long lines[] = {2, 3, 6, 7, 8};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(r[i].line, lines[i]);
        ck_assert(r[i].key == key_of(i == 2 ? ID_B : ID_A));
    }
    const struct filestat *fs = &d.files[IN_SI];
    ck_assert_uint_eq(fs->rejects.n, 2);
    assert_reject(&d, IN_SI, 0, 4, "id_no");
    assert_reject(&d, IN_SI, 1, 5, "id_no");
    ck_assert_uint_eq(fs->id_flags_seen[2], 4);   /* every lower-case x row counted */
    normaliser_free(&nz);
    dataset_free(&d);
}
END_TEST

Suite *normalise_suite(void)
{
    Suite *s = suite_create("normalise");
    TCase *tn = tcase_create("normalise");
    tcase_add_checked_fixture(tn, tk_scratch_setup, tk_scratch_teardown);
    tcase_add_loop_test(tn, test_norm_vehicles, 0, 2);
    tcase_add_loop_test(tn, test_norm_property, 0, 2);
    tcase_add_loop_test(tn, test_norm_members, 0, 2);
    tcase_add_loop_test(tn, test_norm_households, 0, 2);
    tcase_add_loop_test(tn, test_norm_holidays_gb_and_limits, 0, 2);
    tcase_add_loop_test(tn, test_norm_generated, 0, 2);
    tcase_add_loop_test(tn, test_norm_si_window, 0, 3);
    tcase_add_loop_test(tn, test_norm_keep_persons, 0, 3);
    tcase_add_loop_test(tn, test_norm_si_repeated_ids, 0, 2);
    suite_add_tcase(s, tn);
    return s;
}
