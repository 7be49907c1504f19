/* routes.h - what `hedui serve` answers, apart from the HTTP machinery.
 *
 *   POST /v1/check     households in (request.h), the answer of `hedui
 *                      check --json` out (snapshot/precheck_out.c), one
 *                      access-log line (accesslog.h); 400/413 name the
 *                      field and the reason
 *   GET  /v1/snapshot  the snapshot answering: feeds date, policy version
 *                      and hash, built time, social-insurance months
 *   GET  /healthz      "ok" while a snapshot is loaded
 *   GET  /             the caseworker's page (page.h)
 * /v1/ needs an authenticated caller (http.c decides, routes refuse with
 * 401); anything else is 404, or 405 for a known path with another method.
 * Every answer is JSON except the page and /healthz; none is cached.
 *
 * The handlers take a plain struct serve_call and fill a struct
 * serve_reply, so they run the same under libmicrohttpd (http.c), in the
 * fuzz target (tests/fuzz/fuzz_serve.c) and in unit tests.
 *
 * Owns: the routes, the reply bodies of errors, the access-log line's
 * fields.  Never: touches a socket, prints an ID number (server log lines
 * go through idmask_text).
 */
#ifndef ENGINE_SERVE_ROUTES_H
#define ENGINE_SERVE_ROUTES_H

#include <stdatomic.h>
#include <stddef.h>

#include "serve/accesslog.h"
#include "serve/page.h"
#include "serve/request.h"
#include "serve/snapref.h"

struct serve_ctx {
    struct snaps *snaps;
    struct accesslog *log;
    struct serve_limits lim;
    struct serve_page page;
    const char *index_label;       /* the snapshot as named in answers */
    long long started_unix;
    atomic_ullong n_checks, n_bad, n_failed;
};

struct serve_call {
    const char *method, *path;
    const char *body;
    size_t body_len;
    int authed;                    /* may call /v1/ */
    const char *caller;            /* "token:NAME", "cert:SUBJECT", "local", or "-" */
    const char *peer;              /* "127.0.0.1:40112", "unix:uid=1000", ... */
    const char *reason_hdr;        /* X-Hedui-Reason, or NULL */
    double t_start_ms;             /* when the request began (pipeline_now_ms) */
};

struct serve_reply {
    int status;
    const char *ctype;
    char *body;                    /* malloc'd, or static when body_static */
    size_t len;
    int body_static;
    int is_page;                   /* send the page's CSP */
    const char *allow;             /* 405: the Allow header */
    int www_auth;                  /* 401: WWW-Authenticate: Bearer */
};

void serve_route(struct serve_ctx *c, const struct serve_call *q, struct serve_reply *r);
/* A request to /v1/check refused before its body was read (413 by its
 * Content-Length, 431, 503): its access-log line.  0, or -1 when the line
 * could not be written. */
int serve_record_refusal(struct serve_ctx *c, const struct serve_call *q, int status,
                         const char *field);
/* Free a reply's body (unless static). */
void serve_reply_free(struct serve_reply *r);
/* A short JSON error reply: {"error": ..., "status": ..., "field", "reason"}. */
void serve_reply_error(struct serve_reply *r, int status, const char *error, const char *field,
                       const char *reason);
/* Today's date as a day number (local time): the default as_of. */
int serve_today(void);
/* A line on stderr, "hedui: serve: ...", ID numbers masked. */
void serve_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
