/* report.h - report.html: one self-contained page per run for auditors.
 *
 * In Chinese, for the township and county auditors who work the review
 * queue: summary cards, the review queue itself (every household of it, up
 * to a cap stated on the page), filtered by township, rule, severity,
 * change and kind, each household's findings and evidence one click away
 * (a <details> row), flags per rule and per township as inline SVG, the
 * trend over past runs, the findings resolved since the previous run, the
 * spot-check sample and the manifest.  ID numbers are masked (first 6 and
 * last 4 characters kept): idmask_value for ID fields, idmask_text inside
 * evidence.
 *
 * Self-contained and offline: inline CSS, SVG and one inline script, and a
 * Content-Security-Policy of default-src 'none' that lets only that script
 * run, by its SHA-256 hash (script-src 'sha256-...'), so nothing can be
 * fetched and no injected script could run.  The queue is a JSON data
 * block (<script type="application/json">, never executed) that the script
 * renders a page (100 households) at a time, so the page stays usable at
 * 100k queued households: the DOM holds one page, filters run over arrays.
 * The filters live in the address's #fragment (t=TOWNSHIP&r=RULE&s=SEV
 * &c=CHANGE&k=KIND&q=TEXT&p=PAGE&open=HOUSEHOLD), so a filtered view can
 * be bookmarked or sent, and tests drive the page through it.
 *
 * Written by `hedui run` into the output directory, or by
 * `hedui report --from RUN_DIR [--history DIR...] [--state DIR] [--out FILE]`
 * from a published run's files; both fill a struct report_input
 * (report_input.h) and report_html() renders it.
 */
#ifndef ENGINE_REPORT_H
#define ENGINE_REPORT_H

#include <stdio.h>

#include "audit/report_queue.h"
#include "audit/review_import.h"
#include "audit/statedir.h"
#include "base/err.h"
#include "contract/policy.h"
#include "out/nostd.h"

struct rep_town {
    char code[10];
    long long flags, serious, queue;
};

struct rep_spot {
    const char *township, *program, *household_id, *reason;
};

/* A resolved finding (of the previous run, no longer firing). */
struct rep_finding {
    const char *change;      /* "new", "persisting", "resolved" or "" */
    const char *rule_id, *severity, *household_id, *hukou_no, *id_no, *region, *evidence;
    const char *disposition; /* "" when none */
};

struct report_input {
    const char *tool_version;      /* hedui's, shown in the header and footer */
    char as_of[11];
    char seed[24];
    const char *rules_version;
    const char *manifest_json;     /* the run's manifest text, or NULL */
    long long n_flags, n_queue, n_spot;
    long long rule_count[RULES_MAX];
    long long rule_new[RULES_MAX];   /* -1 unknown */
    const char *rule_severity[RULES_MAX];
    int compare;                   /* the counts below are known */
    long long n_new, n_persisting, n_resolved;
    long long held[N_OUTCOMES];    /* current flags by verdict in force */
    int have_held;
    struct rep_town *towns;
    size_t n_towns;
    const struct history_row *hist;
    size_t n_hist;
    const struct rep_spot *spot;
    size_t n_spot_rows;
    struct rep_queue queue;               /* the households listed (report_queue.h) */
    const struct rep_finding *findings;   /* resolved findings, the first ones */
    size_t n_findings;
    long long findings_total;             /* resolved findings in all */
    /* households and candidates without a standard in force (the manifest's
     * no_standard): counts (-1 unknown: an older manifest), the first ids
     * and candidate lines, and the groups by region and area type */
    long long n_no_std_hh, n_no_std_cand;
    const char *const *no_std_hh;         /* household ids, the first n_no_std_hh_shown */
    size_t n_no_std_hh_shown;
    const long long *no_std_cand_lines;   /* candidates.csv lines, the first ..._shown */
    size_t n_no_std_cand_shown;
    const struct nostd_region *no_std_regions;
    size_t n_no_std_regions;
};

/* The page; ID numbers in findings and evidence are masked here.  Reads
 * nothing but ri; always E_OK (write errors show in f's error flag). */
int report_html(FILE *f, const struct report_input *ri);


#endif
