/* testkit.h - run the hedui pipeline in-process for unit tests.
 *
 * Owns: nothing of the engine.  A test writes small CSV files into a fresh
 * temporary directory (tk_tmpdir / tk_put, or tk_run_files in one step, or
 * row by row with tk_csv_row and tk_csv_run), then tk_run() wires the
 * stages the way pipeline.c does for a run:
 *   policy_load -> normaliser_init -> normalise_file (households before
 *   members; standards.csv and holidays.csv from the data directory, else
 *   from the rules directory; with prune_hukou the candidates before
 *   hukou.csv, then hukou_prune) -> normalise_finish -> pipeline_judge
 *   (join, calendar and rules, the run's own entry point) -> rank_build
 * and keeps every stage's result in struct tk for the test to inspect.
 * tk_free() releases everything (the suites also run under ASan).
 *
 * tk_run() starts OpenMP regions: call it only inside a test, never in the
 * runner process before srunner_run_all() (check forks each test).
 */
#ifndef HEDUI_TESTKIT_H
#define HEDUI_TESTKIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/calendar.h"
#include "base/err.h"
#include "engine/evaluate.h"
#include "engine/hukou_prune.h"
#include "engine/personset.h"
#include "engine/join.h"
#include "contract/model.h"
#include "engine/normalise.h"
#include "engine/rank.h"
#include "contract/policy.h"

#define TK_AS_OF "2026-06-15"

/* ---------- files ---------- */

/* The contract's header row of an input file (no newline), e.g.
 * "household_id,region_code,...", or NULL for an unknown name. */
const char *tk_header(const char *name);

/* Write text (or n bytes) to dir/name (created or truncated).  0, or -1
 * with errno. */
int tk_write_file(const char *dir, const char *name, const char *text);
int tk_write_bytes(const char *dir, const char *name, const void *bytes, size_t n);

/* Write dir/name as its header row, a newline, then rows (which end in
 * newlines, or are "" for a header-only file).  0 or -1. */
int tk_put(const char *dir, const char *name, const char *rows);

/* A new directory /tmp/hedui-tk.XXXXXX holding header-only copies of the
 * six required inputs.  malloc'd path; NULL on failure. */
char *tk_tmpdir(void);

/* tk_write_bytes, failing the test if it cannot; returns the path (one of
 * eight static slots: the last eight stay valid). */
const char *tk_write_tmp(const char *dir, const char *name, const void *bytes, size_t n);

/* A fresh empty directory for each test of a suite whose fixture is
 * tcase_add_checked_fixture(tc, tk_scratch_setup, tk_scratch_teardown):
 * tk_scratch is its path, tk_scratch_write(name, bytes, n) writes a file
 * there and returns its path (as tk_write_tmp). */
extern char *tk_scratch;
void tk_scratch_setup(void);
void tk_scratch_teardown(void);
const char *tk_scratch_write(const char *name, const void *bytes, size_t n);

/* A new empty directory /tmp/hedui-tk.XXXXXX.  malloc'd path; NULL on
 * failure. */
char *tk_emptydir(void);

/* Remove the regular files in dir, then dir itself; frees dir. */
void tk_rmdir(char *dir);

/* ---------- ID numbers ---------- */

/* People: valid GB 11643 numbers of county 610102, born 1961-1986 (one
 * a year), their check characters computed by hand, not by idcard.c. */
#define P01 "610102196102021013"
#define P02 "610102196203031026"
#define P03 "610102196304041039"
#define P04 "610102196405051041"
#define P05 "610102196506061054"
#define P06 "610102196607071067"
#define P07 "61010219670808107X"
#define P08 "610102196809091082"
#define P09 "610102196910101097"
#define P10 "610102197011111106"
#define P11 "610102197112121119"
#define P12 "610102197201131124"
#define P13 "610102197302141137"
#define P14 "61010219740315114X"
#define P15 "610102197504161152"
#define P16 "610102197605171165"
#define P17 "610102197706181178"
#define P18 "610102197807191180"
#define P19 "61010219790820119X"
#define P20 "610102198009211209"
#define P21 "610102198110221217"
#define P22 "61010219821123122X"
#define P23 "610102198312241232"
#define P24 "610102198401251248"
#define P25 "610102198502261250"
#define P26 "610102198603271263"

/* MOD 11-2 check character of 17 digits (independent of idcard.c). */
char tk_check_char(const char *digits17);
/* out = area6 + yyyymmdd + 3-digit seq + check character, NUL-terminated. */
void tk_make_id(char out[19], const char *area6, int ymd, int seq);

/* ---------- running the pipeline ---------- */

struct tk_opts {
    const char *as_of;          /* "YYYY-MM-DD"; NULL: TK_AS_OF */
    int seed_set;               /* else the seed is the as-of date as YYYYMMDD */
    uint64_t seed;
    const char *rules_dir;      /* NULL: <test_root()>/rules */
    /* Changes to policy.rules (the run settings) before loading it: lines
     * of the form "section.key = value" (e.g. "weights.high = 10"); each
     * must replace an existing setting, else the run fails with E_CONFIG. */
    const char *policy_edit;
    /* Changes to the rules: the run judges a copy of the rules directory
     * whose .policy file has each text from[i] (which must occur) replaced
     * by to[i]; pairs {from, to, ..., NULL}, e.g. {"param exempt_max: money
     * = 30000", "param exempt_max: money = 30000.01", NULL}. */
    const char *const *rules_edit;
    /* Called on the loaded policy before evaluation (may be NULL). */
    void (*policy_fn)(struct policy *p, void *arg);
    void *policy_arg;
    /* Leave out the rows no rule reads as a run in memory does: the
     * candidates are read before hukou.csv, then the hukou rows in no
     * household of a member or candidate go (engine/hukou_prune.h;
     * tk->pruned gets the counts), and the feeds read after it keep the
     * rows of the persons left (engine/personset.h, tk->persons). */
    int prune_hukou;
};

struct tk {
    int st;                     /* E_OK, or the code of the stage that failed */
    const char *stage;          /* "policy", "load <file>", "join", ... */
    struct err e;
    int as_of;                  /* day number */
    uint64_t seed;
    struct policy pol;
    struct dataset d;
    struct normaliser nz;
    struct join jn;
    struct calendar cal;
    struct eval_ctx ec;
    struct eval_result er;
    struct ranked rk;
    struct hukou_pruned pruned; /* prune_hukou: hukou rows before and after */
    struct personset persons;   /* prune_hukou: the persons whose feed rows are kept */
    char *text;                 /* tk_flags_text() buffer */
    int inited_nz;
};

/* Run the pipeline on the CSV files in dir.  Never NULL (aborts when out
 * of memory); check tk->st.  o may be NULL. */
struct tk *tk_run(const char *dir, const struct tk_opts *o);
void tk_free(struct tk *tk);

struct tk_file {
    const char *name;           /* "members.csv"; NULL ends the list */
    const char *rows;           /* data rows (header added), or the whole text if raw */
    int raw;
};
/* tk_tmpdir + tk_put of every file + tk_run + tk_rmdir. */
struct tk *tk_run_files(const struct tk_file *files, const struct tk_opts *o);

/* Input files built row by row in memory (open_memstream), then run:
 *     struct tk_csv c = {0};
 *     tk_csv_row(&c, "households.csv", "%s,610102001001,dibao,...", id);
 *     struct tk *tk = tk_csv_run(&c, NULL, NULL);
 *     ... tk_free(tk); tk_csv_free(&c);
 * Each row is printf'd and ends in a newline; a file's header row is
 * added when it is written (tk_put).  Rows may be added after a run. */
#define TK_CSV_FILES 16
struct tk_csv_file {
    const char *name;
    FILE *f;
    char *buf;
    size_t len;
};
struct tk_csv {
    struct tk_csv_file file[TK_CSV_FILES];
    int n;
};
void tk_csv_row(struct tk_csv *c, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* tk_run_files on the files built so far plus extra (NULL-ended; may be
 * NULL). */
struct tk *tk_csv_run(struct tk_csv *c, const struct tk_file *extra, const struct tk_opts *o);
void tk_csv_free(struct tk_csv *c);

/* ---------- looking at the result ---------- */

/* enum rule_id of "E03_VEHICLE", or -1. */
int tk_rule(const char *name);

/* The first flag with this rule, household_id and id_no; hh and id_no
 * NULL match anything ("" matches only empty).  NULL if none. */
const struct flag *tk_find(const struct tk *tk, const char *rule, const char *hh,
                           const char *id_no);
int tk_has_flag(const struct tk *tk, const char *rule, const char *hh, const char *id_no);
/* Number of flags of a rule (NULL: all rules) for a household (NULL: any). */
size_t tk_count(const struct tk *tk, const char *rule, const char *hh);

/* Reject i of file f in d is at line and its reason contains needle
 * (fails the test otherwise). */
void tk_assert_reject(const struct dataset *d, enum input_file f, size_t i, long long line,
                      const char *needle);

/* Rejected rows, all files. */
size_t tk_n_rejects(const struct tk *tk);

/* The household with this id, its index, or NULL / HH_NONE. */
const struct household *tk_household(const struct tk *tk, const char *id, uint32_t *index);
/* Is household `id` (candidate with normalised `id_no`) listed as lacking a standard? */
int tk_no_std_household(const struct tk *tk, const char *id);
int tk_no_std_candidate(const struct tk *tk, const char *id_no);

/* What the rules language computes for one member of a run: the text of
 * expr (over the member m, in the reference policy's words, e.g.
 * "{evidenced_income(m)}"), printed as evidence is, for the registry
 * member with normalised id_no (its first household).  malloc'd; NULL
 * when no such member.  Fails the test when the probe does not compile. */
char *tk_lang_value(struct tk *tk, const char *expr, const char *id_no);

/* The flags (and stage error and rejects) as text, for failure messages.
 * Owned by tk, valid until the next call or tk_free. */
const char *tk_flags_text(struct tk *tk);

#endif
