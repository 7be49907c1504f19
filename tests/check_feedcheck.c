/* check_feedcheck.c - unit tests for engine/feedcheck.c (feeds that look
 * incomplete: required feed empty, social-insurance months of the income
 * window, drop since the previous run) and audit/prevcounts.c (the previous
 * run's counts from a manifest and from a state's history).
 *
 * Owns: the feedcheck suite.  The checks are pure: every case builds the
 * file accounting by hand.  The prevcounts cases write manifests into a
 * mkdtemp directory under /tmp, removed by the fixture's teardown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/prevcounts.h"
#include "audit/review.h"
#include "base/date.h"
#include "engine/feedcheck.h"
#include "tests.h"

/* ---------- helpers ---------- */

/* A run in which every feed is present with `rows` accepted data rows. */
struct world {
    struct filestat files[N_INPUT];
    unsigned char seen[120];
    struct feed_rows prev;
    struct feedcheck_in in;
    struct feedcheck_out out;
    struct err e;
};

static void world_init(struct world *w, long long rows)
{
    memset(w, 0, sizeof *w);
    for (int f = 0; f < N_INPUT; f++) {
        w->files[f].name = input_file_names[f];
        w->files[f].present = 1;
        w->files[f].data_rows = rows;
        w->files[f].accepted = rows;
    }
    feed_rows_init(&w->prev);
    snprintf(w->prev.from, sizeof w->prev.from, "the run in /runs/prev");
    /* as of 2026-06-15: the window is 2025-12 .. 2026-05, every month seen */
    int last = date_month(date_from_ymd(2026, 6, 15)) - 1;
    w->in.files = w->files;
    w->in.window_first = last - 5;
    w->in.window_last = last;
    memset(w->seen, 1, 6);
    w->in.si_month_seen = w->seen;
    w->in.prev = &w->prev;
    w->in.drop_limit = (struct rational){20, 100};
    err_init(&w->e);
}

static int run(struct world *w)
{
    err_init(&w->e);
    return feedcheck_run(&w->in, &w->out, &w->e);
}

static void set_prev(struct world *w, enum input_file f, long long rows)
{
    w->prev.known = 1;
    w->prev.data_rows[f] = rows;
}

static void set_now(struct world *w, enum input_file f, long long rows)
{
    w->files[f].data_rows = rows;
    w->files[f].accepted = rows;
}

/* No run of 15 or more digits (an ID number) in a message. */
static int has_id_like(const char *s)
{
    int run = 0;
    for (; *s; s++) {
        run = (*s >= '0' && *s <= '9') ? run + 1 : 0;
        if (run >= 15)
            return 1;
    }
    return 0;
}

#define ASSERT_IN(msg, needle) \
    ck_assert_msg(strstr((msg), (needle)) != NULL, "'%s' not in: %s", (needle), (msg))

/* ---------- required feeds ---------- */

START_TEST(test_all_fine)
{
    struct world w;
    world_init(&w, 100);
    set_prev(&w, IN_PROPERTY, 100);
    ck_assert_int_eq(run(&w), E_OK);
    ck_assert_int_eq(w.out.n_accepted, 0);
    ck_assert_str_eq(w.e.msg, "");
}
END_TEST

START_TEST(test_header_only_vehicles)
{
    struct world w;
    world_init(&w, 100);
    set_now(&w, IN_VEHICLES, 0);
    ck_assert_int_eq(run(&w), E_DATA);
    ck_assert_msg(strncmp(w.e.msg, "vehicles.csv: 0 accepted data rows (required feed", 49) == 0,
                  "%s", w.e.msg);
    ASSERT_IN(w.e.msg, "only its header");
    ASSERT_IN(w.e.msg, "get a complete export");
    ASSERT_IN(w.e.msg, "Nothing was published");
}
END_TEST

START_TEST(test_every_row_rejected)
{
    struct world w;
    world_init(&w, 100);
    w.files[IN_HUKOU].data_rows = 7;
    w.files[IN_HUKOU].accepted = 0;
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, "hukou.csv: 0 accepted data rows (required feed; all 7 data rows "
                       "rejected)");
}
END_TEST

START_TEST(test_two_required_empty_both_named)
{
    struct world w;
    world_init(&w, 100);
    set_now(&w, IN_VEHICLES, 0);
    set_now(&w, IN_SI, 0);
    memset(w.seen, 0, sizeof w.seen);   /* an empty feed has no month either */
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, "vehicles.csv: 0 accepted");
    ASSERT_IN(w.e.msg, "; social_insurance.csv: 0 accepted");
    ck_assert_ptr_null(strstr(w.e.msg, "income window"));   /* the first check wins */
}
END_TEST

START_TEST(test_each_required_feed)
{
    for (int f = 0; f < N_INPUT; f++) {
        struct world w;
        world_init(&w, 10);
        set_now(&w, (enum input_file)f, 0);
        int want = f <= IN_SI ? E_DATA : E_OK;   /* the contract's six required feeds */
        ck_assert_msg(run(&w) == want, "%s empty: want %d, got %s", input_file_names[f], want,
                      w.e.msg);
    }
}
END_TEST

START_TEST(test_optional_header_only_or_absent)
{
    struct world w;
    world_init(&w, 100);
    set_now(&w, IN_BUSINESS, 0);              /* present and empty */
    w.files[IN_CANDIDATES].present = 0;       /* absent */
    set_now(&w, IN_CANDIDATES, 0);
    ck_assert_int_eq(run(&w), E_OK);
    /* absent after a run that had it: a fall to 0 rows (a missed export
     * would skip its rules and unblock L01), stopped unless accepted */
    set_prev(&w, IN_CANDIDATES, 500);
    ck_assert_int_eq(run(&w), E_DATA);
    ck_assert_msg(strstr(w.e.msg, "candidates.csv: absent, so 0 data rows, 500 in the previous run"),
                  "%s", w.e.msg);
    w.in.accept_drop |= 1u << IN_CANDIDATES;
    ck_assert_int_eq(run(&w), E_OK);
}
END_TEST

/* ---------- social insurance months ---------- */

START_TEST(test_si_months_missing)
{
    struct world w;
    world_init(&w, 100);
    w.seen[3] = w.seen[4] = 0;   /* 2026-03, 2026-04 */
    ck_assert_int_eq(run(&w), E_DATA);
    ck_assert_str_eq(w.e.msg, "social_insurance.csv has no accepted row for 2026-03, 2026-04 "
                              "(income window 2025-12..2026-05): judge an earlier --as-of or "
                              "get a fresh feed. Nothing was published");
}
END_TEST

START_TEST(test_si_last_month_missing)
{
    struct world w;
    world_init(&w, 100);
    w.seen[5] = 0;   /* a feed lagging one month */
    ck_assert_int_eq(run(&w), E_DATA);
    ck_assert(strncmp(w.e.msg, "social_insurance.csv has no accepted row for 2026-05 (", 53) == 0);
}
END_TEST

START_TEST(test_si_long_window_bounded)
{
    struct world w;
    world_init(&w, 100);
    int last = w.in.window_last;
    w.in.window_first = last - 119;   /* 120 months, none seen */
    memset(w.seen, 0, sizeof w.seen);
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, " more)");
    ASSERT_IN(w.e.msg, "judge an earlier --as-of or get a fresh feed. Nothing was published");
    ck_assert_uint_lt(strlen(w.e.msg), sizeof w.e.msg - 1);   /* nothing cut off */
}
END_TEST

START_TEST(test_si_months_helper)
{
    int m0 = date_month(date_from_ymd(2025, 12, 1));
    struct si_row rows[5];
    memset(rows, 0, sizeof rows);
    rows[0].month = m0 - 1;   /* before the window */
    rows[1].month = m0 + 2;
    rows[2].month = m0;
    rows[3].month = m0 + 2;
    rows[4].month = m0 + 6;   /* after it */
    unsigned char buf[8];   /* the 6 months between two guard bytes */
    unsigned char *seen = buf + 1;
    memset(buf, 0, sizeof buf);
    memset(seen, 7, 6);
    feedcheck_si_months(rows, 5, m0, m0 + 5, seen);
    const unsigned char want[8] = {0, 1, 0, 1, 0, 0, 0, 0};
    ck_assert(memcmp(buf, want, 8) == 0);
    memset(seen, 7, 6);
    feedcheck_si_months(rows, 0, m0, m0 + 5, seen);
    ck_assert(memcmp(buf, (unsigned char[8]){0}, 8) == 0);
}
END_TEST

/* ---------- drops since the previous run ---------- */

START_TEST(test_drop_message)
{
    struct world w;
    world_init(&w, 100);
    set_prev(&w, IN_PROPERTY, 1204);
    set_now(&w, IN_PROPERTY, 812);
    ck_assert_int_eq(run(&w), E_DATA);
    ck_assert_str_eq(w.e.msg, "property.csv: 812 data rows, 1204 in the previous run (-32.6% > "
                              "20%): check the export, or accept with --accept-drop property "
                              "for this run. Nothing was published. Previous run: the run in "
                              "/runs/prev");
}
END_TEST

START_TEST(test_drop_limits)
{
    struct world w;
    world_init(&w, 100);
    set_prev(&w, IN_PROPERTY, 1000);
    set_now(&w, IN_PROPERTY, 800);   /* exactly 20%: not more */
    ck_assert_int_eq(run(&w), E_OK);
    set_now(&w, IN_PROPERTY, 900);   /* 10% */
    ck_assert_int_eq(run(&w), E_OK);
    set_now(&w, IN_PROPERTY, 1300);  /* grew */
    ck_assert_int_eq(run(&w), E_OK);
    set_now(&w, IN_PROPERTY, 799);   /* 20.1% */
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, "(-20.1% > 20%)");
    set_prev(&w, IN_PROPERTY, 100000);
    set_now(&w, IN_PROPERTY, 79999); /* 20.001%: shown so that it reads as more */
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, "(-20.001% > 20%)");
    w.in.drop_limit = (struct rational){125, 1000};   /* 12.5% */
    set_now(&w, IN_PROPERTY, 87000);
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, "(-13.0% > 12.5%)");
}
END_TEST

START_TEST(test_drop_accepted)
{
    struct world w;
    world_init(&w, 100);
    set_prev(&w, IN_PROPERTY, 60);
    set_now(&w, IN_PROPERTY, 42);
    w.in.accept_drop = 1u << IN_VEHICLES;   /* another feed's: no help */
    ck_assert_int_eq(run(&w), E_DATA);
    w.in.accept_drop |= 1u << IN_PROPERTY;
    ck_assert_int_eq(run(&w), E_OK);
    ck_assert_int_eq(w.out.n_accepted, 1);
    ck_assert_int_eq(w.out.accepted[0].file, IN_PROPERTY);
    ck_assert(w.out.accepted[0].data_rows == 42 && w.out.accepted[0].prev_rows == 60);
}
END_TEST

START_TEST(test_drop_accept_unused)
{
    struct world w;
    world_init(&w, 100);
    set_prev(&w, IN_PROPERTY, 100);
    w.in.accept_drop = 1u << IN_PROPERTY;   /* nothing fell: nothing recorded */
    ck_assert_int_eq(run(&w), E_OK);
    ck_assert_int_eq(w.out.n_accepted, 0);
}
END_TEST

START_TEST(test_drop_two_feeds)
{
    struct world w;
    world_init(&w, 100);
    set_prev(&w, IN_VEHICLES, 200);
    set_prev(&w, IN_PROPERTY, 200);
    set_now(&w, IN_VEHICLES, 100);
    set_now(&w, IN_PROPERTY, 100);
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, "vehicles.csv: 100 data rows, 200 in the previous run (-50.0% > 20%); "
                       "property.csv: 100 data rows");
    ASSERT_IN(w.e.msg, "check the exports, or accept with --accept-drop vehicles --accept-drop "
                       "property for this run");
    w.in.accept_drop = 1u << IN_VEHICLES;   /* one accepted, the other still stops */
    ck_assert_int_eq(run(&w), E_DATA);
    ck_assert_ptr_null(strstr(w.e.msg, "vehicles.csv"));
    ASSERT_IN(w.e.msg, "property.csv: 100 data rows");
}
END_TEST

START_TEST(test_drop_every_feed_bounded)
{
    struct world w;
    world_init(&w, 1);
    for (int f = 0; f < N_INPUT; f++) {
        set_prev(&w, (enum input_file)f, 123456789012LL);
        set_now(&w, (enum input_file)f, 12345678901LL);
    }
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, " more)");
    ASSERT_IN(w.e.msg, "Nothing was published");
    ck_assert_ptr_null(strstr(w.e.msg, "standards.csv"));   /* policy tables are no feeds */
}
END_TEST

START_TEST(test_drop_optional_feed)
{
    struct world w;
    world_init(&w, 100);
    set_prev(&w, IN_BUSINESS, 100);
    set_now(&w, IN_BUSINESS, 0);   /* present, header only, after a run with rows */
    ck_assert_int_eq(run(&w), E_DATA);
    ASSERT_IN(w.e.msg, "business.csv: 0 data rows, 100 in the previous run (-100.0% > 20%)");
    ASSERT_IN(w.e.msg, "--accept-drop business");
}
END_TEST

START_TEST(test_drop_skipped)
{
    struct world w;
    world_init(&w, 10);
    /* no previous counts at all */
    w.in.prev = NULL;
    ck_assert_int_eq(run(&w), E_OK);
    w.in.prev = &w.prev;
    w.prev.data_rows[IN_PROPERTY] = 1000;   /* known = 0: not compared */
    ck_assert_int_eq(run(&w), E_OK);
    /* known, but not for this feed */
    feed_rows_init(&w.prev);
    set_prev(&w, IN_HUKOU, 10);
    ck_assert_int_eq(run(&w), E_OK);
    /* policy tables, and a copy from the rules directory */
    set_prev(&w, IN_STANDARDS, 1000);
    set_prev(&w, IN_HOLIDAYS, 1000);
    ck_assert_int_eq(run(&w), E_OK);
    /* previous 0 rows */
    set_prev(&w, IN_PROPERTY, 0);
    ck_assert_int_eq(run(&w), E_OK);
}
END_TEST

START_TEST(test_messages_never_show_an_id)
{
    struct world w;
    world_init(&w, 100);
    set_now(&w, IN_MEMBERS, 0);
    run(&w);
    ck_assert(!has_id_like(w.e.msg));
    world_init(&w, 100);
    w.seen[0] = 0;
    run(&w);
    ck_assert(!has_id_like(w.e.msg));
    world_init(&w, 100);
    set_prev(&w, IN_SI, 900);
    set_now(&w, IN_SI, 100);
    run(&w);
    ck_assert(!has_id_like(w.e.msg));
}
END_TEST

/* ---------- feed names (--accept-drop) ---------- */

START_TEST(test_feed_names)
{
    ck_assert_int_eq(feedcheck_feed_index("property"), IN_PROPERTY);
    ck_assert_int_eq(feedcheck_feed_index("property.csv"), IN_PROPERTY);
    ck_assert_int_eq(feedcheck_feed_index("social_insurance"), IN_SI);
    ck_assert_int_eq(feedcheck_feed_index("candidates"), IN_CANDIDATES);
    ck_assert_int_eq(feedcheck_feed_index("standards"), -1);
    ck_assert_int_eq(feedcheck_feed_index("holidays.csv"), -1);
    ck_assert_int_eq(feedcheck_feed_index("prop"), -1);
    ck_assert_int_eq(feedcheck_feed_index("propertyx"), -1);
    ck_assert_int_eq(feedcheck_feed_index("Property"), -1);
    ck_assert_int_eq(feedcheck_feed_index(""), -1);
    ck_assert_int_eq(feedcheck_feed_index(".csv"), -1);
    /* every name of the usage list is a feed, and every feed is listed */
    char list[256];
    snprintf(list, sizeof list, "%s", feedcheck_feed_list);
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int f = feedcheck_feed_index(t);
        ck_assert_msg(f >= 0 && feedcheck_is_feed(f), "'%s' is listed but no feed", t);
        n++;
    }
    int feeds = 0;
    for (int f = 0; f < N_INPUT; f++)
        feeds += feedcheck_is_feed(f);
    ck_assert_int_eq(n, feeds);
    ck_assert_int_eq(feeds, 12);   /* the contract's feeds, optional ones included */
}
END_TEST

/* ---------- the previous counts (audit/prevcounts.c) ---------- */

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hedui-feedcheck-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/manifest.json", tmpdir);
    unlink(path);
    rmdir(tmpdir);
}

static void write_manifest(const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/manifest.json", tmpdir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_prev_from_manifest)
{
    /* as out/lists.c writes it; a path holding the key names must not fool
     * the reader */
    write_manifest(
        "{\n  \"tool\": \"hedui\",\n  \"inputs\": [\n"
        "    {\"file\": \"households.csv\", \"present\": true, \"path\": \"/d/\\\"data_rows\\\": "
        "9/households.csv\", \"from_rules_dir\": false, \"data_rows\": 48, \"accepted\": 47, "
        "\"id_normalised\": {\"white_space\": 0}},\n"
        "    {\"file\": \"property.csv\", \"present\": true, \"path\": \"/d/property.csv\", "
        "\"from_rules_dir\": false, \"data_rows\": 1204, \"accepted\": 1200},\n"
        "    {\"file\": \"business.csv\", \"present\": false},\n"
        "    {\"file\": \"standards.csv\", \"present\": true, \"from_rules_dir\": true, "
        "\"data_rows\": 30}\n  ],\n  \"rules_skipped\": [],\n  \"counts\": {}\n}\n");
    struct feed_rows r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(prevcounts_from_dir(tmpdir, &r, &e), E_OK);
    ck_assert_int_eq(r.known, 1);
    ck_assert_str_eq(r.note, "");
    ck_assert(r.data_rows[IN_HOUSEHOLDS] == 48);
    ck_assert(r.data_rows[IN_PROPERTY] == 1204);
    ck_assert(r.data_rows[IN_BUSINESS] == -1);
    ck_assert(r.data_rows[IN_MEMBERS] == -1);
    ck_assert(r.data_rows[IN_STANDARDS] == -1);
    ASSERT_IN(r.from, tmpdir);
}
END_TEST

START_TEST(test_prev_manifest_without_counts)
{
    write_manifest("{\n  \"inputs\": [\n    {\"file\": \"property.csv\", \"present\": true, "
                   "\"bytes\": 10}\n  ],\n  \"rules_skipped\": []\n}\n");
    struct feed_rows r;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(prevcounts_from_dir(tmpdir, &r, &e), E_OK);
    ck_assert_int_eq(r.known, 0);
    ASSERT_IN(r.note, "no data-row counts");
    write_manifest("{\"inputs\": [{\"file\": \"property.csv\", \"data_rows\": 9");
    ck_assert_int_eq(prevcounts_from_dir(tmpdir, &r, &e), E_OK);   /* not JSON: a note */
    ck_assert_int_eq(r.known, 0);
    ASSERT_IN(r.note, "cannot read manifest.json (not JSON");
    teardown();   /* no manifest at all */
    setup();
    ck_assert_int_eq(prevcounts_from_dir(tmpdir, &r, &e), E_OK);
    ck_assert_int_eq(r.known, 0);
    ASSERT_IN(r.note, "cannot read manifest.json");
}
END_TEST

START_TEST(test_prev_from_history)
{
    struct history_row h[3];
    memset(h, 0, sizeof h);
    for (int i = 0; i < 3; i++)
        for (int f = 0; f < N_INPUT; f++)
            h[i].data_rows[f] = -1;
    h[0].run = 1;
    h[1].run = 3;   /* the last run, not the last row */
    h[2].run = 2;
    snprintf(h[1].as_of, sizeof h[1].as_of, "2026-05-15");
    h[1].data_rows[IN_PROPERTY] = 77;
    h[2].data_rows[IN_PROPERTY] = 99;
    struct feed_rows r;
    prevcounts_from_history(h, 3, "/st", &r);
    ck_assert_int_eq(r.known, 1);
    ck_assert(r.data_rows[IN_PROPERTY] == 77);
    ck_assert_str_eq(r.from, "run 3 (as of 2026-05-15) of the state /st");
    h[1].data_rows[IN_PROPERTY] = -1;   /* a history of an older hedui */
    prevcounts_from_history(h, 3, "/st", &r);
    ck_assert_int_eq(r.known, 0);
    ASSERT_IN(r.note, "run 3 recorded no data-row counts");
    prevcounts_from_history(h, 0, "/st", &r);   /* first run: silent */
    ck_assert_int_eq(r.known, 0);
    ck_assert_str_eq(r.note, "");
}
END_TEST

Suite *feedcheck_suite(void)
{
    Suite *s = suite_create("feedcheck");
    TCase *tr = tcase_create("required");
    tcase_add_test(tr, test_all_fine);
    tcase_add_test(tr, test_header_only_vehicles);
    tcase_add_test(tr, test_every_row_rejected);
    tcase_add_test(tr, test_two_required_empty_both_named);
    tcase_add_test(tr, test_each_required_feed);
    tcase_add_test(tr, test_optional_header_only_or_absent);
    suite_add_tcase(s, tr);
    TCase *tm = tcase_create("si_months");
    tcase_add_test(tm, test_si_months_missing);
    tcase_add_test(tm, test_si_last_month_missing);
    tcase_add_test(tm, test_si_long_window_bounded);
    tcase_add_test(tm, test_si_months_helper);
    suite_add_tcase(s, tm);
    TCase *td = tcase_create("drops");
    tcase_add_test(td, test_drop_message);
    tcase_add_test(td, test_drop_limits);
    tcase_add_test(td, test_drop_accepted);
    tcase_add_test(td, test_drop_accept_unused);
    tcase_add_test(td, test_drop_two_feeds);
    tcase_add_test(td, test_drop_every_feed_bounded);
    tcase_add_test(td, test_drop_optional_feed);
    tcase_add_test(td, test_drop_skipped);
    tcase_add_test(td, test_messages_never_show_an_id);
    tcase_add_test(td, test_feed_names);
    suite_add_tcase(s, td);
    TCase *tp = tcase_create("prevcounts");
    tcase_add_checked_fixture(tp, setup, teardown);
    tcase_add_test(tp, test_prev_from_manifest);
    tcase_add_test(tp, test_prev_manifest_without_counts);
    tcase_add_test(tp, test_prev_from_history);
    suite_add_tcase(s, tp);
    return s;
}
