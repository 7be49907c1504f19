/* normalise.h - stage 2: text fields -> typed, validated rows.
 *
 * Each input file is read by its declaration (contract/model.h
 * feed_decls): the columns the contract names, each with its type and its
 * place in the typed row.  A declared feed needs no code here: every value
 * (IDs, dates, months, money, areas, shares, value sets, region codes) is
 * checked by its column's type, and the row is either appended to the
 * dataset or rejected naming the column and the reason.  Files with rules
 * across columns or rows (households, members, hukou, social insurance,
 * standards) have a reader of their own over the same declared columns.
 * normalise_finish() then applies the contract's merge rules: a person
 * repeated within one household (reject), several hukou rows per person
 * (keep one), duplicate candidates (keep the first).
 */
#ifndef ENGINE_NORMALISE_H
#define ENGINE_NORMALISE_H

#include "base/encoding.h"
#include "base/err.h"
#include "base/index.h"
#include "contract/model.h"

/* The longest income window (policy.c: window_months is 1..120). */
#define NORMALISE_MAX_MONTHS 120

struct personset;   /* engine/personset.h */

/* What one chunk of one file produced; merged into the dataset in chunk
 * order after the file is parsed (load.h, "parallel loading"). */
struct nchunk {
    struct normaliser *n;
    struct vec rows;           /* typed rows of the file being loaded */
    struct vec rejects;        /* struct reject */
    struct arena arena;        /* strings of these rows and rejects (few and prev_no point
                                  into it: nchunk_forget_texts when it is freed or reset) */
    unsigned idf[4];           /* ID normalisations seen (ID_F_* bits) */
    char *ready;               /* rows.v is resident up to here (chunk_rows_ready) */
    struct few *few;           /* texts of few values kept once (normalise.c str_few), or NULL */
    const char *prev_no;       /* the last hukou_no kept, shared by the rows after it that repeat it */
    size_t prev_no_len;
    uint64_t si_months[2];     /* keep_months: bit m, month keep_first + m seen (valid rows) */
    uint64_t last_person;      /* keep_persons: the last key asked, and the answer (a */
    int last_person_kept;      /* feed lists a person's rows together) */
};

struct normaliser {
    struct dataset *d;
    int as_of;                 /* day number */
    int as_of_ymd;             /* yyyymmdd for idcard */
    struct stridx hh_by_id;    /* household_id -> index, built while loading */
    enum input_file cur;
    struct nchunk *chunks;     /* per-chunk state of the file being loaded */
    int n_chunks;
    /* normaliser_keep_months(): social-insurance rows outside
     * [keep_first, keep_last] (month numbers) are checked, then not kept */
    int keep_months, keep_first, keep_last;
    /* keep_months: the window's months seen in valid social-insurance
     * rows, kept or not (seen[m] for month keep_first + m; what the feed
     * checks read, feedcheck.h) */
    unsigned char si_seen[NORMALISE_MAX_MONTHS];
    /* normaliser_keep_persons(): rows of the feeds joined to people
     * (feed_decls[f].by_person) whose person no rule reads are checked
     * and counted, then not kept; NULL keeps them */
    const struct personset *keep_persons;
    int hukou_merged;          /* finish_hukou() ran after hukou.csv */
    struct load_bufs *bufs;    /* load.c's read buffers, kept from file to file */
};

int normaliser_init(struct normaliser *n, struct dataset *d, int as_of, struct err *e);
void normaliser_free(struct normaliser *n);
/* Keep only social-insurance rows of the months [first, last] (date_month
 * numbers); the others are still checked and counted as accepted. */
void normaliser_keep_months(struct normaliser *n, int first, int last);
/* Keep only the rows of the feeds joined to people read after this call
 * whose person ps may hold (personset.h); the others are still checked
 * and counted as accepted.  ps must outlive the loads. */
void normaliser_keep_persons(struct normaliser *n, const struct personset *ps);

/* Load and normalise one input file.  households.csv must come before
 * members.csv.  Errors as load_csv(). */
int normalise_file(struct normaliser *n, enum input_file f, const char *path,
                   enum enc want, struct err *e);

/* The same for a CSV already in memory (load_csv_mem). */
int normalise_buffer(struct normaliser *n, enum input_file f, const char *label,
                     const unsigned char *buf, size_t len, enum enc want, struct err *e);

/* For a reader that keeps the rows its own way (engine/partscan.c streams
 * them to disk under --memory-limit): the load_spec of file f, with this
 * normaliser's row reader for it and the declared column names (into
 * names).  spec->ctx is n and spec's chunk callbacks are the normaliser's;
 * a caller that replaces them must hand spec->row a struct nchunk of n as
 * its ctx: the row goes to that chunk's rows, its reject to its rejects,
 * their strings to its arena.  E_OK or E_INTERNAL (a bad declaration). */
#define NORMALISE_MAX_COLS 16
struct load_spec;
int normalise_reader(struct normaliser *n, enum input_file f,
                     const char *names[NORMALISE_MAX_COLS], struct load_spec *sp, struct err *e);
/* Forget the texts chunk k keeps once for its rows (normalise.c str_few,
 * the last hukou_no) and free their table: a caller that frees or resets
 * k->arena must call this first, or later rows would share freed text. */
void nchunk_forget_texts(struct nchunk *k);

/* Merge rules after every file is loaded (see above).  E_OK or E_NOMEM. */
int normalise_finish(struct normaliser *n, struct err *e);

#endif
