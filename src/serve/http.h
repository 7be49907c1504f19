/* http.h - the HTTP/1.1 side of `hedui serve`, on libmicrohttpd.
 *
 * Listening.  On a TCP address (--listen HOST:PORT, numeric only) or a Unix
 * socket (--socket PATH, mode 0600).  Loopback (127.0.0.0/8, ::1) and Unix
 * sockets are allowed as they are; any other address is refused unless the
 * server speaks TLS (--tls-cert, --tls-key: PEM; libmicrohttpd with GnuTLS)
 * and knows its callers by client certificates (--client-ca: PEM of the CA
 * whose certificates are accepted; the caller is the certificate's
 * subject) or bearer tokens (--tokens, auth.h).
 *
 * Workers.  A pool of --workers threads, each with its own epoll loop: a
 * request is read, judged and answered by the thread that owns its
 * connection, and a slow client holds no thread (its connection waits in
 * the loop).
 *
 * Limits (request.h struct serve_limits).  A body over max_body is refused
 * with 413 as soon as its Content-Length says so, or when it grows past
 * the limit; more than max_headers header lines, or headers that do
 * not fit the connection's 48 KiB buffer (libmicrohttpd's answer), are 431; more connections than max_connections get 503 with
 * Retry-After (and libmicrohttpd refuses to accept beyond 64 more); each
 * connection must complete a request within request_timeout_s of being
 * opened or of its previous answer, else http_sweep shuts its socket down
 * (a slow-loris client cannot keep a connection slot, let alone a thread).
 * Out of memory anywhere in a request is a 503, never a crash.
 *
 * Owns: the daemon, the listening socket, the connection table the sweep
 * reads, TLS client verification, the response headers (no caching,
 * nosniff, the page's CSP).  Never: judges a household or writes the
 * access log (routes.c does both).
 */
#ifndef ENGINE_SERVE_HTTP_H
#define ENGINE_SERVE_HTTP_H

#include "base/err.h"
#include "serve/auth.h"
#include "serve/routes.h"

struct http_opts {
    const char *listen;        /* "127.0.0.1:8321", "[::1]:8321", "0.0.0.0:8443"; or NULL */
    const char *socket_path;   /* a Unix socket instead of listen, or NULL */
    const char *tls_cert, *tls_key, *client_ca;   /* PEM files, or NULL */
    int workers;               /* threads */
};

struct http_server;

/* Check the listening policy, bind, and start the workers.  E_USAGE (an
 * address that is not numeric, or remote without TLS and caller
 * identification), E_CONFIG (TLS files unreadable, a key readable by
 * others, libmicrohttpd without TLS), E_IO (cannot bind), E_NOMEM. */
int http_start(struct http_server **out, struct serve_ctx *c, const struct serve_auth *auth,
               const struct http_opts *o, struct err *e);
/* Where it listens, for the start-up line ("http://127.0.0.1:41237"). */
const char *http_where(const struct http_server *h);
/* Shut down connections past their deadline; returns how many.  Call
 * every few hundred milliseconds. */
int http_sweep(struct http_server *h);
/* Connections open now. */
unsigned http_connections(const struct http_server *h);
/* Stop accepting, finish the requests in progress, close everything. */
void http_stop(struct http_server *h);

#endif
