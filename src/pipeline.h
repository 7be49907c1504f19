/* pipeline.h - one run of the nightly cross-check, stage by stage.
 *
 * The stages, one file each:
 *   load.c (bytes -> records) -> normalise.c (records -> typed rows, rejects)
 *   -> index.c + join.c (person and hukou indexes) -> vm.c (the policy's
 *   rules, rules/ *.policy compiled by policy/)
 *   -> rank.c (review queue, spot check) -> out/lists.c + out/outdir.c
 *   (the lists, published atomically inside the output directory)
 * struct pipeline owns everything a run allocates; pipeline_free() releases
 * it all.  Inputs can come from a directory (pipeline_load_dir) or from any
 * source that yields CSV bytes (pipeline_load_buffer, e.g. PostgreSQL COPY).
 */
#ifndef ENGINE_PIPELINE_H
#define ENGINE_PIPELINE_H

#include "engine/calendar.h"
#include "base/encoding.h"
#include "base/err.h"
#include "engine/evaluate.h"
#include "engine/explain.h"
#include "engine/feedcheck.h"
#include "engine/join.h"
#include "contract/model.h"
#include "engine/normalise.h"
#include "engine/personset.h"
#include "engine/rank.h"
#include "contract/policy.h"

struct review;
struct outdir;
struct partrun;
struct run_lock;
struct nostd_region;

#define HEDUI_VERSION "0.1.0"

struct run_config {
    const char *data_dir;       /* NULL when inputs come from elsewhere */
    const char *out_dir;        /* --out: checked and locked by pipeline_init, or NULL */
    const char *rules_dir;
    int as_of;                  /* day number */
    unsigned long long seed;
    int threads;                /* 0 = all cores */
    enum enc enc_all;
    enum enc enc_file[N_INPUT];
    int progress;               /* print stage lines to stderr */
    /* the auditors' side (review.h, report.h): fingerprints.csv and
     * report.html; with previous_dir or state_dir also the change columns
     * of flags.csv, changes.csv, verdicts out of the queue, the state */
    int auditor_outputs;
    const char *previous_dir;   /* --previous DIR, or NULL */
    const char *state_dir;      /* --state DIR, or NULL */
    /* Keep only the social-insurance rows inside the income window of this
     * as-of date (every row is still read, checked and counted).  For runs,
     * which judge one date; a snapshot, checked at other dates, keeps all. */
    int si_window_only;
    /* Keep only the hukou rows a rule can read: the hukou households of
     * registry members and candidates (engine/hukou_prune.h; every row is
     * still read, checked and counted).  For runs; a snapshot, which
     * answers for applicants on no list, keeps all. */
    int hukou_reached_only;
    unsigned accept_drop;       /* --accept-drop FEED: bit (1u << f) per feed (feedcheck.h) */
    /* --memory-limit: bytes, 0 = every row in memory.  Otherwise the rows
     * wait in temporary files inside out_dir and are judged a batch at a
     * time (engine/partrun.h); the outputs are the same. */
    size_t memory_limit;
};

enum stage { ST_LOAD, ST_JOIN, ST_EVAL, ST_RANK, ST_WRITE, ST_TOTAL, N_STAGES };
extern const char *const stage_names[N_STAGES];

struct pipeline {
    struct run_config cfg;
    struct policy pol;
    char settings_dir[4200];    /* where policy.rules, standards.csv and holidays.csv
                                   are: cfg.rules_dir, or for a pack directory (no
                                   policy.rules of its own) the directory above it
                                   that has them; the rules are always those of
                                   cfg.rules_dir's .policy file (pol.rules_dir) */
    int pack;
    struct dataset d;
    struct normaliser nz;
    struct join jn;
    struct calendar cal;
    struct eval_result er;
    struct ranked rk;
    struct skip_notes skip;     /* rules skipped for an absent feed (skip.list) */
    double stage_ms[N_STAGES];
    double t_start;
    struct review *rv;          /* cfg.auditor_outputs: see review.h */
    struct outdir *out;         /* cfg.out_dir prepared and locked (outdir.h), or NULL */
    struct run_lock *state_lock; /* cfg.state_dir locked for the run, or NULL */
    struct feed_rows prev_rows; /* the previous run's feed sizes (pipeline_init, or pg) */
    struct feedcheck_out fc;    /* drops accepted this run (the manifest lists them) */
    struct nostd_region *nostd; /* households and candidates without a standard, by
                                   region (out/nostd.h; the manifest and report) */
    size_t n_nostd;
    struct partrun *pr;         /* cfg.memory_limit: the rows on disk, until judged */
    int hukou_pruned;           /* cfg.hukou_reached_only: done (pipeline.c) */
    struct personset persons;   /* ... and the persons the rules read, whose rows of
                                   the feeds read after hukou.csv are kept */
};

/* Check and lock cfg->out_dir and cfg->state_dir (outdir.h: before any
 * other work; a second run on either exits naming the holder), load the
 * policy and prepare an empty dataset. */
int pipeline_init(struct pipeline *p, const struct run_config *cfg, struct err *e);
/* Every input file from cfg->data_dir (policy tables from rules_dir when
 * absent), then pipeline_finish_load(). */
int pipeline_load_dir(struct pipeline *p, struct err *e);
/* One input from memory (households before members). */
int pipeline_load_buffer(struct pipeline *p, enum input_file f, const char *label,
                         const unsigned char *buf, size_t len, struct err *e);
/* One input from a file (from_rules: a policy table from the rules
 * directory, which must have no rejects). */
int pipeline_load_file(struct pipeline *p, enum input_file f, const char *path, int from_rules,
                       struct err *e);
/* Merge rules, row accounting, reject limit. */
int pipeline_finish_load(struct pipeline *p, struct err *e);
/* Feeds that look incomplete (feedcheck.h), then join, evaluate, rank. */
int pipeline_evaluate(struct pipeline *p, struct err *e);

/* The parts of a run for a driver that judges elsewhere (the MPI run,
 * src/mpi/): where input f is read from (0: an optional feed that is
 * absent), the feed checks (si_seen: the income window's months with a
 * social-insurance row, or NULL to take them from the dataset), and, once
 * p->er holds every flag sorted, the skip notes, the review marks and the
 * review queue and sample (what pipeline_evaluate does after judging). */
int pipeline_input_path(const struct pipeline *p, int f, char *path, size_t cap,
                        int *from_rules);
/* E_NOINPUT with a run's message for required input f missing at path. */
int pipeline_input_missing(int f, const char *path, struct err *e);
int pipeline_check_feeds(struct pipeline *p, const unsigned char *si_seen, struct err *e);
int pipeline_rank(struct pipeline *p, struct err *e);
struct prog;                    /* policy/prog.h */

/* The judging part of a run, one entry point for the nightly run
 * (pipeline_evaluate), `hedui check` (on the dataset a snapshot yields) and
 * the unit tests (tests/testkit.c): on a loaded dataset (normalise_finish
 * done) build the person and hukou indexes (join_build, JOIN_GROUPED), the
 * working-day calendar, then read, check and compile the policy (its
 * parameters in force on as_of, its `requires feed` against have) and run
 * it over every household and candidate (engine/vm.h).  The caller sets
 * the inputs and owns the three result structs (join_free, calendar_free,
 * eval_result_free, also after an error). */
struct judge {
    struct dataset *d;          /* in: feeds reordered by person (join.h) */
    const struct policy *pol;   /* in: run settings, and where the rules are */
    const char *rules_dir;      /* in: the rules of this directory's .policy file;
                                   NULL: pol's (policy.h) */
    int as_of;                  /* in: day number */
    const struct prog *prog;    /* in: this program, compiled from the same rules for
                                   as_of and have[] (snapshot/precheck.c keeps them),
                                   instead of compiling them; NULL: compile */
    int have[N_INPUT];          /* in: optional feeds to use; a rule whose feed
                                   is not used neither fires nor blocks */
    struct join *jn;            /* out */
    struct calendar *cal;       /* out */
    struct eval_result *er;     /* out */
    struct eval_ctx ec;         /* out: the context the rules were judged in */
    double join_ms, eval_ms;    /* out: time of the two parts */
    struct explain_req *ex;     /* in: explain these units too (engine/explain.h; its
                                   rules_dir NULL: rules_dir's policy), or NULL; with
                                   ex->only nothing else is judged */
};
int pipeline_judge(struct judge *jg, struct err *e);
/* What the run was, for the manifest, report.html and the state's history
 * (out/summary.h); it borrows from p. */
struct run_summary;
void pipeline_summary(const struct pipeline *p, struct run_summary *s);
/* Write the lists and manifest into dir, atomically. */
int pipeline_publish_dir(struct pipeline *p, const char *dir, struct err *e);
void pipeline_free(struct pipeline *p);

double pipeline_now_ms(void);
long long pipeline_peak_rss_kb(void);

#endif
