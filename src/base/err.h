/* err.h - errors that stop a run, carried up to the one place that prints them.
 *
 * A function that can fail returns int: 0 (E_OK) or an enum ecode, and takes
 * `struct err *` as its last argument.  The first error set wins, so a
 * cleanup path cannot overwrite the cause.  Only main.c prints an err and
 * only main.c calls exit().
 *
 * A rejected input row is NOT an err: it is data, written to rejects.csv.
 * An err means the run cannot go on.
 */
#ifndef ENGINE_ERR_H
#define ENGINE_ERR_H

#include <stddef.h>

enum ecode {
    E_OK = 0,
    E_NOMEM,    /* allocation failed or an arena cap was hit */
    E_IO,       /* an input file could not be read */
    E_WRITE,    /* an output could not be written, synced or published */
    E_NOINPUT,  /* a required input file is missing */
    E_PARSE,    /* malformed file: CSV structure, header, rules syntax */
    E_DATA,     /* data that stops the run: reject limit exceeded, ... */
    E_CONFIG,   /* bad rules / policy values */
    E_PG,       /* database error */
    E_USAGE,    /* bad command line */
    E_INTERNAL  /* a bug: an invariant did not hold */
};

struct err {
    enum ecode code;
    const char *src_file;     /* where in our code (set by ERR()) */
    int src_line;
    char in_path[256];        /* where in the input, "" if none */
    long long in_line;        /* 1-based physical line, 0 if none */
    int in_col;               /* 1-based column, 0 if none */
    char msg[512];            /* what happened and what to do */
};

void err_init(struct err *e);

/* Record an error.  Does nothing if one is already recorded (first wins).
 * Returns `code`, so `return ERR(e, E_IO, "...")` reads naturally. */
int err_set(struct err *e, enum ecode code, const char *src_file, int src_line,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Attach the input location to the recorded error (if not yet set). */
void err_where(struct err *e, const char *path, long long line, int col);

#define ERR(e, code, ...) err_set((e), (code), __FILE__, __LINE__, __VA_ARGS__)

/* Human text for an error code ("out of memory", "input/output error"...). */
const char *err_code_text(enum ecode code);

#endif
