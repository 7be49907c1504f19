/* report_queue.h - the review-queue section of report.html and the page's
 * one script (report.h says what the page is).
 *
 * Owns: the queue's JSON data block, its filters and pager, the script that
 * renders them, and the script's CSP hash.  Never: the rest of the page
 * (report.c, which includes this) or what is listed (report_input.c).
 */
#ifndef ENGINE_REPORT_QUEUE_H
#define ENGINE_REPORT_QUEUE_H

#include <stddef.h>
#include <stdio.h>

/* A flag of a queued household, as the page shows it. */
struct rep_flag {
    int rule;                /* enum rule_id; -1 a rule this hedui does not know */
    const char *rule_id;     /* as written in flags.csv */
    int severity;            /* enum severity; -1 unknown */
    int change;              /* 0 new, 1 persisting (enum change, review.h); -1 the run
                              * did not compare */
    int outcome;             /* enum outcome of the verdict in force (OC_NONE: none) */
    const char *household_id, *hukou_no, *id_no, *evidence;
    size_t seq;              /* its place among the run's flags (flags.csv order) */
};

/* A household (or, for a candidate, a hukou household) of the review queue. */
struct rep_queue_row {
    char township[10];
    long rank;
    int score;
    const char *household_id, *hukou_no;
    size_t flag0, n_flag;    /* its flags: rep_queue.flags[flag0 .. flag0 + n_flag) */
};

/* The review queue as the page lists it. */
struct rep_queue {
    long long n_total;                /* households in review_queue.csv */
    const struct rep_queue_row *rows; /* the listed ones, in queue order (township, rank) */
    size_t n_rows;
    long rank_cap;                    /* 0: all listed; else ranks 1..rank_cap of each township */
    size_t max;                       /* the cap on listed households (0: none) */
    const struct rep_flag *flags;     /* the flags rows point into */
    size_t n_flags;
};

/* The <section id="queue">: its controls, a <noscript> note, and the data
 * block (<script type="application/json" id="hedui-data">) with every
 * listed household and its flags, IDs masked.  The script that renders it
 * is report_page_js, written once at the end of the page. */
void report_queue_section(FILE *f, const struct rep_queue *q);

/* The page's one script, and its CSP hash source "'sha256-BASE64'". */
extern const char report_page_js[];
void report_script_hash(char out[64]);

#endif
