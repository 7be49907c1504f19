/* pg.h - the libpq layer: connect safely, run statements, bulk COPY in/out.
 *
 * Owns: connection set-up (conninfo / PG* environment / service file,
 * the TLS policy, session timeouts), error reporting with SQLSTATE, the
 * COPY protocol, identifier quoting.  Knows nothing about the contract's
 * tables (pg_schema.c does).
 *
 * Secrets.  A conninfo string or a libpq message is never printed as is:
 * a conninfo libpq cannot parse is reported without its text (the parse
 * error quotes the string, which may hold a password), and any message
 * is scrubbed of the password given in the conninfo or PGPASSWORD before
 * it is stored in struct err.  libpq itself never puts a password in a
 * message; the scrubbing is a second line of defence.
 *
 * TLS.  A connection to a host that is not this machine (not a Unix
 * socket, localhost, 127.0.0.0/8 or ::1) is refused before any password
 * is sent unless its sslmode is verify-full: the weaker modes do not
 * check who the server is.  HEDUI_PG_ALLOW_UNVERIFIED=1 accepts the risk.
 *
 * Every error is E_PG (exit status 4) with "SQLSTATE xxxxx" in the
 * message; a lost connection says that nothing was committed.
 */
#ifndef ENGINE_PG_H
#define ENGINE_PG_H

#include <stddef.h>

#include <libpq-fe.h>

#include "base/err.h"

struct pg {
    PGconn *conn;
    char *secret;        /* the password, only to scrub messages; never printed */
    char *secret_env;    /* PGPASSWORD, idem */
    int in_tx;
};

/* Connect with conninfo (key=value or URI; "" = PG* environment and
 * service file only).  appname is the fallback_application_name. */
int pg_open(struct pg *db, const char *conninfo, const char *appname, struct err *e);
void pg_close(struct pg *db);

/* A statement without parameters whose result is discarded. */
int pg_exec(struct pg *db, const char *sql, const char *what, struct err *e);
/* PQexecParams with text parameters; *out (if non-NULL) receives the
 * result (PQclear it).  `what` says what we were doing, for the message. */
int pg_query(struct pg *db, const char *sql, int n, const char *const *params,
             PGresult **out, const char *what, struct err *e);

int pg_begin(struct pg *db, const char *mode, struct err *e);   /* mode: "" or e.g. "ISOLATION LEVEL REPEATABLE READ READ ONLY" */
int pg_commit(struct pg *db, struct err *e);
/* ROLLBACK if a transaction is open and the connection alive (errors ignored). */
void pg_rollback(struct pg *db);

/* COPY ... FROM STDIN: begin, put data (buffered), end.  pg_copy_end
 * checks PQputCopyEnd and every PQgetResult and returns the rows the
 * server stored in *rows. */
struct pg_copy {
    struct pg *db;
    char *buf;
    size_t len, cap;
    const char *what;
    long long sent_bytes;
    int pause_done;
};
int pg_copy_begin(struct pg *db, struct pg_copy *c, const char *sql, const char *what,
                  struct err *e);
int pg_copy_put(struct pg_copy *c, const char *s, size_t n, struct err *e);
int pg_copy_end(struct pg_copy *c, long long *rows, struct err *e);
/* Abandon a COPY in progress (PQputCopyEnd with an error message). */
void pg_copy_abort(struct pg_copy *c, const char *why);

/* COPY ... TO STDOUT: `row` gets each data row (one CopyData message,
 * the row's bytes including its line end). */
typedef int (*pg_row_fn)(void *ctx, const char *row, size_t len, struct err *e);
int pg_copy_out(struct pg *db, const char *sql, pg_row_fn row, void *ctx, const char *what,
                struct err *e);

/* "name" quoted as an SQL identifier (malloc'd; free()). */
char *pg_ident(struct pg *db, const char *name, struct err *e);

/* Sleep for the seconds in environment variable `var`, if set (test hooks
 * HEDUI_TEST_PAUSE_IN_COPY, HEDUI_TEST_PAUSE_BEFORE_COMMIT). */
void pg_test_pause(const char *var);

/* "user@host:port/dbname" of an open connection, for messages (never the
 * conninfo, which may hold a password). */
void pg_describe(const struct pg *db, char *buf, size_t n);

#endif
