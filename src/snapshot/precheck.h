/* precheck.h - the pre-approval check: households judged now against a
 * snapshot, the one module behind `hedui check` (cmd/cmd_check.c) and
 * `hedui serve` (serve/).
 *
 * A check takes the contract's households.csv and members.csv columns
 * (from files or from bytes in memory), normalises them as a run would,
 * builds from the snapshot the small dataset of those households
 * (snap_materialise), and judges it as the nightly run does
 * (pipeline_judge) with the snapshot's policy and rules: its findings are
 * the nightly run's by construction.  Then it gives each household a
 * verdict:
 *
 *   疑似不符合条件 looks_ineligible - a cuobao finding of severity high;
 *   需复核 needs_review             - any other finding, or one of the
 *                                    review reasons below;
 *   无发现 no_finding               - nothing fired and no review reason.
 *
 * Review reasons (each keeps a household from "no finding", with its why):
 *   no_standard     no standard in force for the region (the rules that need one not judged);
 *   no_members      no usable member row for the household;
 *   member_row      a member row of the household has an unusable value
 *                   (declared_monthly_income, relation, work_ability,
 *                   disability_grade: the columns the contract keeps) or was
 *                   not used (rejected, a repeat): whatever the engine
 *                   does with such a row, the check never passes it;
 *   member_row_unread  a members row could not be read at all (wrong
 *                   field count, bad quoting or bytes): it may belong to
 *                   any household of the check, so every one gets it;
 *   feeds_short     the snapshot's social insurance does not cover the
 *                   income window of the as-of date (its feeds end before
 *                   the window does, or a month of it has no row): the
 *                   months past the feed would count as no income (the data
 *                   contract: a check that meets the conditions that stop a
 *                   run answers "needs review" and says why).
 * A household with a high cuobao finding stays looks_ineligible whatever
 * its review reasons (they are still listed).  The check also warns, for
 * the whole answer, when the snapshot's feeds are older than the policy's
 * [check] snapshot_max_age_days at the as-of date.
 *
 * Threads: a struct precheck_base is read-only once opened and may be
 * shared by any number of threads running precheck_run at once, provided
 * it was opened with PRECHECK_VERIFY_ALL (every block of the snapshot
 * verified up front, so the lazy verification of snapshot.c never writes).
 * precheck_run sets the calling thread's OpenMP thread count.
 *
 * With precheck_in.explain (`hedui check --explain`) the same judge also
 * explains every given household (engine/explain.h) with the rules that
 * judge it; the text is kept in the result.
 *
 * Owns: the wiring of a check (normalise, materialise, join, calendar,
 * evaluate), the verdicts and review reasons, and the renderings of a
 * result (text for a caseworker, JSON for other systems and `serve`,
 * flags.csv rows) with their Chinese labels.  Never: parses options,
 * opens sockets, prints an error or exits.
 */
#ifndef ENGINE_PRECHECK_H
#define ENGINE_PRECHECK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "contract/model.h"
#include "contract/policy.h"
#include "engine/calendar.h"
#include "engine/evaluate.h"
#include "engine/join.h"
#include "engine/normalise.h"
#include "snapshot/snapshot.h"

struct lang_prog;              /* policy/lang.h */

/* ---------- the snapshot and policy a check judges with ---------- */

enum {
    PRECHECK_VERIFY_ALL = 1,   /* verify every block on opening (serve; thread-safe reads) */
};

/* The rules' programs of a base, compiled from its policy (the snapshot's
 * stored rules, or --rules') once per as-of date (a compile costs several times a check):
 * up to PRECHECK_LANG_PROGS dates, the least recently used one not in use
 * replaced when a new date comes; a check finding them all in use compiles
 * its own.  Shared by the threads of serve under mu. */
#define PRECHECK_LANG_PROGS 8
struct precheck_lang {
    pthread_mutex_t mu;
    int on;                    /* opened (mu initialised) */
    int have[N_INPUT];         /* the optional feeds it is compiled for */
    unsigned long long tick;
    struct precheck_lang_prog {
        struct lang_prog *lp;  /* NULL: a free slot */
        int as_of, refs;
        unsigned long long used;
    } p[PRECHECK_LANG_PROGS];
};

struct precheck_base {
    struct snap s;
    struct policy pol;
    struct snap_info info;
    char rules_src[512];       /* "snapshot", or the --rules directory */
    struct precheck_lang lang;
    int opened;
};

/* Open the snapshot at `index` and load the policy it judges with: the
 * snapshot's own copy (policy.rules, the .policy files and the catalogue
 * stored at build), or rules_dir's (policy.rules, catalogue.rules and its
 * .policy file) when rules_dir is set.  The rules' program of the
 * snapshot's date is compiled here, so a bad policy is refused on opening,
 * not on each check.
 * Errors: snap_open's (E_NOINPUT, E_IO, E_PARSE), snap_verify_all's,
 * policy_load's and the language's (E_CONFIG), E_NOMEM.  On error nothing
 * stays open. */
int precheck_open(struct precheck_base *b, const char *index, const char *rules_dir, int flags,
                  struct err *e);
void precheck_close(struct precheck_base *b);

/* ---------- one check ---------- */

struct precheck_in {
    /* the households and members: files (paths set), or CSV bytes in
     * memory (paths NULL); labels name them in rejects and reasons */
    const char *hh_path, *mem_path;
    const unsigned char *hh_buf, *mem_buf;
    size_t hh_len, mem_len;
    const char *hh_label, *mem_label;
    int as_of;                 /* day number */
    int threads;               /* 0: 1, or every core from 20000 households on */
    int explain;               /* check --explain: explain every given household with
                                  the rules that judge (engine/explain.h) */
};

enum precheck_verdict { PV_NONE, PV_REVIEW, PV_INELIGIBLE, N_PV };
extern const char *const precheck_verdict_id[N_PV];   /* "no_finding", ... */
extern const char *const precheck_verdict_zh[N_PV];   /* "无发现", ... */

enum precheck_reason {
    PR_NO_STANDARD, PR_NO_MEMBERS, PR_MEMBER_ROW, PR_MEMBER_ROW_UNREAD, PR_FEEDS_SHORT,
    N_PR
};
extern const char *const precheck_reason_id[N_PR];    /* "no_standard", ... */

/* A member row that keeps its household from "no finding". */
struct precheck_row_note {
    uint32_t given;            /* household (index in the given order) */
    long long line;            /* line of the members input */
    const char *text;          /* "declared_monthly_income: not a number '1,200'" */
    int rejected;              /* the row was not used (else kept with the value) */
};

struct precheck_hh {
    uint32_t fd_index;         /* in the materialised dataset */
    size_t first_flag, n_flags;/* range in result.fl */
    size_t first_note, n_notes;/* range in result.notes (member_row) */
    unsigned reasons;          /* bit (1u << enum precheck_reason) */
    int verdict;               /* enum precheck_verdict */
    int n_sev[N_SEV];
    const char *head_hukou_no;
    int in_registry;
};

struct precheck_result {
    int as_of;
    const char *hh_label, *mem_label;
    /* the income window of as_of and what the snapshot lacks of it */
    int window_first, window_last;   /* month numbers */
    int si_through;                  /* snap_si_through, or SNAP_NO_MONTH */
    int n_uncovered;                 /* months of the window not covered */
    int uncovered[120];              /* window_months is at most 120 */
    int age_days;                    /* as_of - the snapshot's feeds date */
    int age_warn;                    /* age_days > the policy's limit */
    struct skip_notes skip;          /* rules not judged (contract/catalogue.h) */
    const char *const *skipped;      /* = skip.list, NULL-terminated */
    struct dataset gd, fd;           /* given; materialised */
    size_t n_hh;                     /* = gd.households.n */
    struct precheck_hh *hh;          /* [n_hh], in the given order */
    const struct flag **fl;          /* flags grouped by household */
    struct precheck_row_note *notes; /* member_row notes grouped by household */
    size_t n_notes;
    long long *unread_lines;         /* members lines that could not be read */
    size_t n_unread;
    struct eval_result er;
    char *explain;                   /* check --explain: the text (malloc'd), or NULL */
    size_t explain_len;
    double ms[5];                    /* read input, lookups, evaluate, verdicts, total */
    /* private */
    struct normaliser nz;
    struct join jn;
    struct calendar cal;
    int32_t *given_of;
    struct arena arena;
    int inited;
};

/* Check the households of `in` against b.  E_OK with r filled (whatever
 * was found; rows that cannot be used are rejects of r->gd), or an error:
 * E_NOINPUT (a file missing), E_PARSE (a malformed input: missing column,
 * unterminated quote), E_PARSE (the snapshot damaged), E_NOMEM.  Always
 * call precheck_result_free afterwards. */
int precheck_run(struct precheck_base *b, const struct precheck_in *in, struct precheck_result *r,
                 struct err *e);
void precheck_result_free(struct precheck_result *r);

/* ---------- renderings (precheck_out.c) ---------- */

/* The answer for a caseworker: each household, its verdict and why, each
 * finding with its Chinese label and evidence. */
void precheck_print_text(FILE *f, const struct precheck_base *b, const struct precheck_result *r,
                         const char *index_label);
/* The same as JSON (the shape of `hedui check --json` and of serve's POST
 * /v1/check).  index_label names the snapshot ("path"). */
void precheck_print_json(FILE *f, const struct precheck_base *b, const struct precheck_result *r,
                         const char *index_label);
/* The findings as flags.csv rows (the contract's columns). */
void precheck_print_csv(FILE *f, const struct precheck_result *r);
/* The warnings of a result (snapshot age), one line each, for stderr. */
void precheck_print_warnings(FILE *f, const struct precheck_base *b,
                             const struct precheck_result *r);

/* Chinese label of a rule, and of kinds and severities. */
const char *precheck_rule_zh(int rule);
extern const char *const precheck_kind_zh[4];
extern const char *const precheck_sev_zh[N_SEV];

#endif
