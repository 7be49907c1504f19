/* check_rundir.c - unit tests for audit/rundir.c.
 *
 * Owns: the rundir suite.  A real run of the pipeline on fixtures/ (with
 * a state directory, so flags carry fingerprints and changes) is published
 * by out/ and read back: every flag, queue and spot row and the manifest's
 * fields equal what the run held in memory.  Then hand-written run
 * directories: fingerprints from fingerprints.csv, and what rundir refuses
 * (a manifest that is not JSON or not an object, a record with the wrong
 * number of fields, a missing column, a bad fingerprint), what it says is
 * missing, and what it tolerates (no changes.csv, a path in a legacy
 * encoding, a seed above 2^63).  OpenMP regions start only inside tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/rundir.h"
#include "base/date.h"
#include "pipeline.h"
#include "tests.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hedui-check-rundir-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_reads_back_a_published_run)
{
    char data[1024], rules[1024], out[160], state[160];
    snprintf(data, sizeof data, "%s/fixtures", test_root());
    snprintf(rules, sizeof rules, "%s/rules", test_root());
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(state, sizeof state, "%s/S", dir);
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = data;
    cfg.rules_dir = rules;
    ck_assert_int_eq(date_parse("2026-06-15", 10, &cfg.as_of), 0);
    cfg.seed = 20260615;
    cfg.threads = 2;
    cfg.si_window_only = 1;
    cfg.auditor_outputs = 1;
    cfg.state_dir = state;
    struct pipeline p;
    struct err e;
    err_init(&e);
    int st = pipeline_init(&p, &cfg, &e);
    if (st == E_OK)
        st = pipeline_load_dir(&p, &e);
    if (st == E_OK)
        st = pipeline_evaluate(&p, &e);
    if (st == E_OK)
        st = pipeline_publish_dir(&p, out, &e);
    ck_assert_msg(st == E_OK, "run: %s", e.msg);
    ck_assert_uint_gt(p.er.n_flags, 10);
    ck_assert_uint_gt(p.rk.n_queue, 5);
    ck_assert_uint_gt(p.rk.n_spot, 0);

    struct arena a;
    arena_init(&a, 1 << 16);
    struct rundir rd;
    st = rundir_read(&rd, out,
                     RUN_MANIFEST | RUN_FLAG_FPS | RUN_CHANGES | RUN_QUEUE | RUN_SPOT, &a, &e);
    ck_assert_msg(st == E_OK, "rundir: %s", e.msg);
    /* the manifest */
    ck_assert_str_eq(rd.m.as_of, "2026-06-15");
    ck_assert_str_eq(rd.m.seed, "20260615");
    ck_assert_str_eq(rd.m.rules_version, p.pol.version);
    ck_assert_int_eq(rd.m.n_flags, (long long)p.er.n_flags);
    ck_assert_int_eq(rd.m.n_queue, (long long)p.rk.n_queue);
    ck_assert_int_eq(rd.m.n_spot, (long long)p.rk.n_spot);
    for (int r = 0; r < n_rules; r++)
        ck_assert_int_eq(rd.m.rule_count[r], (long long)p.er.rule_count[r]);
    /* the inputs' data rows: those read from the data, not the policy
     * tables taken from the rules directory */
    for (int f = 0; f < N_INPUT; f++) {
        const struct filestat *fs = &p.d.files[f];
        long long want = fs->present && !fs->from_rules ? fs->data_rows : -1;
        ck_assert_msg(rd.m.data_rows[f] == want, "%s: %lld, want %lld", input_file_names[f],
                      rd.m.data_rows[f], want);
    }
    ck_assert(rd.m.data_rows[IN_HOUSEHOLDS] > 0);
    ck_assert_ptr_nonnull(strstr(rd.m.text, "\"policy_xxh64\""));
    /* every flag, with its fingerprint and change */
    ck_assert(rd.flags_have_fp);
    ck_assert(rd.flags_have_change);
    ck_assert_uint_eq(rd.n_flags, p.er.n_flags);
    for (size_t i = 0; i < rd.n_flags; i++) {
        const struct flag *g = &p.er.flags[i];
        const struct run_flag *f = &rd.flags[i];
        ck_assert_str_eq(f->rule_id, rule_names[g->rule]);
        ck_assert_str_eq(f->severity, severity_names[g->severity]);
        ck_assert_str_eq(f->household_id, g->household_id);
        ck_assert_str_eq(f->hukou_no, g->hukou_no);
        ck_assert_str_eq(f->id_no, g->id_no);
        ck_assert_str_eq(f->region, g->region);
        ck_assert_str_eq(f->evidence, g->evidence);
        ck_assert_str_eq(f->change, "new");   /* the state's first run */
        ck_assert_uint_eq(f->fp, g->fp);
        ck_assert_int_eq(f->line, (long long)i + 2);
    }
    /* the first run compared with an empty state: changes.csv, all new */
    ck_assert(rd.have_changes);
    ck_assert_uint_eq(rd.n_changes, p.er.n_flags);
    ck_assert_str_eq(rd.changes[0].change, "new");
    ck_assert_uint_eq(rd.changes[0].fp, p.er.flags[0].fp);
    /* queue and spot check */
    ck_assert_uint_eq(rd.n_queue, p.rk.n_queue);
    for (size_t i = 0; i < rd.n_queue; i++) {
        ck_assert_str_eq(rd.queue[i].township, p.rk.queue[i].township);
        ck_assert_str_eq(rd.queue[i].household_id, p.rk.queue[i].household_id);
        ck_assert_str_eq(rd.queue[i].hukou_no, p.rk.queue[i].hukou_no);
        ck_assert_str_eq(rd.queue[i].rule_ids, p.rk.queue[i].rule_ids);
        ck_assert_int_eq(atol(rd.queue[i].rank), p.rk.queue[i].rank);
        ck_assert_int_eq(atoi(rd.queue[i].score), p.rk.queue[i].score);
    }
    ck_assert_uint_eq(rd.n_spot, p.rk.n_spot);
    for (size_t i = 0; i < rd.n_spot; i++) {
        ck_assert_str_eq(rd.spot[i].township, p.rk.spot[i].township);
        ck_assert_str_eq(rd.spot[i].program, program_names[p.rk.spot[i].program]);
        ck_assert_str_eq(rd.spot[i].household_id, p.rk.spot[i].household_id);
        ck_assert_str_eq(rd.spot[i].reason, p.rk.spot[i].reason);
    }
    rundir_free(&rd);
    arena_free(&a);
    pipeline_free(&p);
}
END_TEST

static const char manifest[] =
    "{\n  \"tool\": \"hedui\",\n  \"as_of\": \"2026-06-15\",\n  \"seed\": 7,\n"
    "  \"rules\": {\"dir\": \"r\", \"version\": \"2026.1\"},\n"
    "  \"counts\": {\"E03_VEHICLE\": 2},\n  \"outputs\": {\"flags.csv\": 2}\n}\n";
static const char flags_nofp[] =
    "rule_id,kind,severity,household_id,hukou_no,id_no,region_code,evidence\n"
    "E03_VEHICLE,cuobao,high,HH1,HK1,A,610102001001,\"car, dear\"\n"
    "E03_VEHICLE,cuobao,high,HH2,HK2,B,610102001002,car\n";

START_TEST(test_fingerprints_csv)
{
    put("manifest.json", manifest);
    put("flags.csv", flags_nofp);
    put("fingerprints.csv", "fingerprint,rule_id,household_id,hukou_no,id_no\n"
                            "00000000000000a1,E03_VEHICLE,HH1,HK1,A\n"
                            "00000000000000A2,E03_VEHICLE,HH2,HK2,B\n");
    struct arena a;
    arena_init(&a, 4096);
    struct rundir rd;
    struct err e;
    err_init(&e);
    /* flags alone: no fingerprints, no change column */
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_MANIFEST | RUN_FLAGS, &a, &e), E_OK);
    ck_assert_uint_eq(rd.n_flags, 2);
    ck_assert(!rd.flags_have_fp);
    ck_assert(!rd.flags_have_change);
    ck_assert_uint_eq(rd.flags[0].fp, 0);
    ck_assert_str_eq(rd.flags[0].change, "");
    ck_assert_str_eq(rd.flags[0].evidence, "car, dear");
    ck_assert_str_eq(rd.m.seed, "7");
    ck_assert_int_eq(rd.m.rule_count[RID("E03_VEHICLE")], 2);
    ck_assert_int_eq(rd.m.rule_count[RID("E01_DECEASED")], -1);   /* not in the manifest */
    ck_assert_int_eq(rd.m.n_queue, -1);
    rundir_free(&rd);
    /* with fingerprints: from fingerprints.csv, row by row */
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAG_FPS | RUN_CHANGES, &a, &e), E_OK);
    ck_assert(rd.flags_have_fp);
    ck_assert_uint_eq(rd.flags[0].fp, 0xa1);
    ck_assert_uint_eq(rd.flags[1].fp, 0xa2);
    ck_assert(!rd.have_changes);   /* no changes.csv: the run did not compare */
    ck_assert_uint_eq(rd.n_changes, 0);
    rundir_free(&rd);
    /* rows that do not match flags.csv */
    put("fingerprints.csv", "fingerprint,rule_id,household_id,hukou_no,id_no\n"
                            "00000000000000a1,E03_VEHICLE,HH1,HK1,A\n"
                            "00000000000000a2,E03_VEHICLE,HH9,HK2,B\n");
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAG_FPS, &a, &e), E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "does not match row 2 of flags.csv"));
    ck_assert_int_eq(e.in_line, 3);
    rundir_free(&rd);
    put("fingerprints.csv", "fingerprint,rule_id,household_id,hukou_no,id_no\n"
                            "00000000000000a1,E03_VEHICLE,HH1,HK1,A\n");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAG_FPS, &a, &e), E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "has 1 rows, flags.csv 2"));
    rundir_free(&rd);
    /* no fingerprints.csv: missing, and which part says so */
    char path[160];
    snprintf(path, sizeof path, "%s/fingerprints.csv", dir);
    unlink(path);
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAG_FPS, &a, &e), E_NOINPUT);
    ck_assert_uint_eq(rd.missing, RUN_FLAG_FPS);
    rundir_free(&rd);
    arena_free(&a);
}
END_TEST

START_TEST(test_refuses_and_missing)
{
    struct arena a;
    arena_init(&a, 4096);
    struct rundir rd;
    struct err e;
    err_init(&e);
    /* nothing there: the manifest is the first part missing */
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_MANIFEST | RUN_FLAGS, &a, &e), E_NOINPUT);
    ck_assert_uint_eq(rd.missing, RUN_MANIFEST);
    rundir_free(&rd);
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAGS, &a, &e), E_NOINPUT);
    ck_assert_uint_eq(rd.missing, RUN_FLAGS);
    rundir_free(&rd);
    /* a manifest that is not JSON: refused, with the line */
    put("manifest.json", "{\n  \"as_of\": \"2026-06-15\",\n  \"seed\": 7,,\n}\n");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_MANIFEST, &a, &e), E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "not JSON"));
    ck_assert_int_eq(e.in_line, 3);
    rundir_free(&rd);
    /* ... which strstr would have read happily */
    put("manifest.json", "\"as_of\": \"2026-06-15\"");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_MANIFEST, &a, &e), E_PARSE);
    rundir_free(&rd);
    put("manifest.json", "[\"as_of\", \"2026-06-15\"]");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_MANIFEST, &a, &e), E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "not a JSON object"));
    rundir_free(&rd);
    /* tolerated: a path in GB18030 and a seed above 2^63 - 1 */
    put("manifest.json", "{\"as_of\": \"2026-06-15\", \"seed\": 18446744073709551615, "
                         "\"rules\": {\"dir\": \"/\xca\xfd\xbe\xdd\", \"version\": \"v\"}}");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_MANIFEST, &a, &e), E_OK);
    ck_assert_str_eq(rd.m.as_of, "2026-06-15");
    ck_assert_str_eq(rd.m.rules_version, "v");
    ck_assert_str_eq(rd.m.seed, "18446744073709551616");   /* as a real: the nearest */
    ck_assert_ptr_nonnull(strstr(rd.m.text, "\xca\xfd\xbe\xdd"));   /* the text as read */
    rundir_free(&rd);
    /* a flags.csv record with a field too few or too many */
    put("flags.csv", "rule_id,kind,severity,household_id,hukou_no,id_no,region_code,evidence\n"
                     "E03_VEHICLE,cuobao,high,HH1,HK1,A,610102001001,car\n"
                     "E03_VEHICLE,cuobao,high,HH2,HK2,B,610102001002\n");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAGS, &a, &e), E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "has 7 fields, the header has 8"));
    ck_assert_int_eq(e.in_line, 3);
    rundir_free(&rd);
    /* a missing column */
    put("flags.csv", "rule_id,kind,severity,household_id,hukou_no,id_no,evidence\n");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAGS, &a, &e), E_PARSE);
    ck_assert_str_eq(e.msg, "missing column(s): region_code");
    rundir_free(&rd);
    /* a bad fingerprint in changes.csv */
    put("flags.csv", flags_nofp);
    put("changes.csv", "change,fingerprint,rule_id,severity,household_id,hukou_no,id_no,"
                       "region_code,disposition,evidence\n"
                       "resolved,12345,E03_VEHICLE,high,HH1,HK1,A,610102001001,cleared,car\n");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAGS | RUN_CHANGES, &a, &e), E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "'12345' is not a fingerprint"));
    rundir_free(&rd);
    put("changes.csv", "change,fingerprint,rule_id,severity,household_id,hukou_no,id_no,"
                       "region_code,disposition,evidence\n"
                       "resolved,00000000000000a1,E03_VEHICLE,high,HH1,HK1,A,610102001001,"
                       "cleared,car\n");
    err_init(&e);
    ck_assert_int_eq(rundir_read(&rd, dir, RUN_FLAGS | RUN_CHANGES, &a, &e), E_OK);
    ck_assert(rd.have_changes);
    ck_assert_uint_eq(rd.n_changes, 1);
    ck_assert_str_eq(rd.changes[0].disposition, "cleared");
    ck_assert_uint_eq(rd.changes[0].fp, 0xa1);
    rundir_free(&rd);
    arena_free(&a);
}
END_TEST

Suite *rundir_suite(void)
{
    Suite *s = suite_create("rundir");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_reads_back_a_published_run);
    tcase_add_test(tc, test_fingerprints_csv);
    tcase_add_test(tc, test_refuses_and_missing);
    suite_add_tcase(s, tc);
    return s;
}
