/* report.h - report.html: one self-contained page per run for auditors.
 *
 * Inline CSS, SVG charts and a small script; no network access at all (a
 * Content-Security-Policy forbids it).  It shows the flags per rule and per
 * township, new/persisting/resolved counts and verdicts, the trend over
 * past runs, the spot-check sample, a list of findings and the manifest.
 * ID numbers are masked (first 6 and last 4 characters kept), also inside
 * evidence text.
 *
 * Written by `hedui run` into the output directory, or by
 * `hedui report --from RUN_DIR [--history DIR...] [--state DIR] [--out FILE]`
 * from a published run's files; both fill a struct report_input
 * (report_input.h) and report_html() renders it.
 */
#ifndef ENGINE_REPORT_H
#define ENGINE_REPORT_H

#include <stdio.h>

#include "audit/review_import.h"
#include "audit/statedir.h"
#include "base/err.h"
#include "contract/policy.h"

struct rep_town {
    char code[10];
    long long flags, serious, queue;
};

struct rep_spot {
    const char *township, *program, *household_id, *reason;
};

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
    long long rule_count[N_RULES];
    long long rule_new[N_RULES];   /* -1 unknown */
    const char *rule_severity[N_RULES];
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
    const struct rep_finding *findings;   /* a sample, already chosen */
    size_t n_findings;
    long long findings_total;             /* of the kind listed */
    const char *findings_title;
};

/* The page; ID numbers in findings and evidence are masked here.  Reads
 * nothing but ri; always E_OK (write errors show in f's error flag). */
int report_html(FILE *f, const struct report_input *ri);

#endif
