/* http.c - `hedui serve` on libmicrohttpd (http.h has the policy).
 *
 * Owns: the listening socket (bound here, handed to libmicrohttpd with
 * MHD_OPTION_LISTEN_SOCKET so that its address can be checked and
 * reported), the per-request context (body accumulation, early refusals),
 * caller identification, the connection table and its deadlines, and the
 * response headers.  Never: judges, logs a look-up, or prints an ID number.
 *
 * One request, as libmicrohttpd calls on_request:
 *   1st call (headers read)  allocate struct req; decide early refusals:
 *                            431 too many headers, 503 too many connections,
 *                            413 Content-Length over the limit (queued at
 *                            once: the body is then never read);
 *   nth calls (body bytes)   append up to max_body (past it: 413);
 *   last call                identify the caller, serve_route, queue the
 *                            reply with its headers.
 * The connection table: NOTIFY_CONNECTION adds and removes a struct conn
 * (fd, deadline) under `mu`; a completed request moves the deadline on;
 * http_sweep, from the main thread, shutdown()s the sockets past their
 * deadline.  libmicrohttpd reports a connection closed before it closes
 * the descriptor, and the sweep holds `mu` while it calls shutdown, so it
 * never touches a descriptor number that has been reused.
 */
#include "serve/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pipeline.h"

#define MAX_HEADER_BYTES (32 * 1024)   /* + 16 KiB: the connection buffer (431 beyond) */
#define HARD_EXTRA_CONNECTIONS 64

struct conn {
    struct conn *prev, *next;
    int fd;
    int linked;                /* in the table */
    double deadline_ms;
};

struct http_server {
    struct MHD_Daemon *d;
    struct serve_ctx *c;
    const struct serve_auth *auth;
    int tls, unix_sock;
    char where[300];
    char *cert_pem, *key_pem, *ca_pem;
    pthread_mutex_t mu;
    struct conn *conns;        /* the table, a list under mu */
    atomic_uint n_conns;
};

struct req {
    char *body;
    size_t len, cap;
    int early;                 /* an HTTP status decided before the body */
    double t0;
};

/* ---------- replies ---------- */

static enum MHD_Result queue(struct http_server *h, struct MHD_Connection *conn,
                             struct serve_reply *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->len, r->body, r->body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        serve_reply_free(r);
        return MHD_NO;   /* libmicrohttpd closes the connection */
    }
    r->body = NULL;      /* the response owns it now */
    MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "text/plain");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (r->is_page) {
        MHD_add_response_header(resp, "Content-Security-Policy", h->c->page.csp);
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    }
    if (r->allow)
        MHD_add_response_header(resp, "Allow", r->allow);
    if (r->www_auth)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"hedui\"");
    if (r->status == 503) {
        MHD_add_response_header(resp, "Retry-After", "1");
        MHD_add_response_header(resp, "Connection", "close");
    }
    if (h->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result refuse(struct http_server *h, struct MHD_Connection *conn, int status)
{
    struct serve_reply r;
    memset(&r, 0, sizeof r);
    switch (status) {
    case 413:
        serve_reply_error(&r, 413, "too_large", "body", "the body is over the size limit");
        break;
    case 431:
        serve_reply_error(&r, 431, "headers_too_large", "headers", "too many header lines");
        break;
    default:
        serve_reply_error(&r, 503, "overloaded", NULL, "too many connections; try again");
    }
    return queue(h, conn, &r);
}

/* ---------- callers ---------- */

/* The subject of a verified client certificate into out, or 0. */
static int client_subject(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return 0;
    gnutls_session_t s = (gnutls_session_t)ci->tls_session;
    unsigned status = 1;
    if (gnutls_certificate_verify_peers2(s, &status) != 0 || status != 0)
        return 0;
    unsigned nc = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &nc);
    if (!certs || nc == 0)
        return 0;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) != 0)
        return 0;
    int ok = 0;
    size_t len = n;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0 &&
        gnutls_x509_crt_get_dn(crt, out, &len) == 0)
        ok = 1;
    gnutls_x509_crt_deinit(crt);
    return ok;
}

/* The peer, "127.0.0.1:40112", "[::1]:40112" or "unix:uid=1000,pid=42". */
static void peer_of(struct http_server *h, struct MHD_Connection *conn, char *out, size_t n)
{
    snprintf(out, n, "-");
    if (h->unix_sock) {
        const union MHD_ConnectionInfo *fi =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct ucred uc;
        socklen_t ul = sizeof uc;
        if (fi && getsockopt(fi->connect_fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0)
            snprintf(out, n, "unix:uid=%u,pid=%d", (unsigned)uc.uid, (int)uc.pid);
        else
            snprintf(out, n, "unix");
        return;
    }
    const union MHD_ConnectionInfo *ai =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ai || !ai->client_addr)
        return;
    char ip[INET6_ADDRSTRLEN];
    if (ai->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ai->client_addr;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        snprintf(out, n, "%s:%u", ip, ntohs(a->sin_port));
    } else if (ai->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ai->client_addr;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        snprintf(out, n, "[%s]:%u", ip, ntohs(a->sin6_port));
    }
}

/* Who calls, and whether they may call /v1/. */
static int identify(struct http_server *h, struct MHD_Connection *conn, char *caller, size_t n)
{
    const struct serve_auth *a = h->auth;
    if (a->client_certs) {
        char dn[400];
        if (client_subject(conn, dn, sizeof dn)) {
            snprintf(caller, n, "cert:%s", dn);
            return 1;
        }
    }
    if (a->have_tokens) {
        const char *who = auth_bearer(
            a, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"));
        if (who) {
            snprintf(caller, n, "token:%s", who);
            return 1;
        }
    }
    if (!a->client_certs && !a->have_tokens) {
        snprintf(caller, n, "local");   /* loopback or a Unix socket (http_start) */
        return 1;
    }
    snprintf(caller, n, "-");
    return 0;
}

/* ---------- the request ---------- */

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    (void)key;
    (void)value;
    (*(size_t *)cls)++;
    return MHD_YES;
}

/* The access-log line of a /v1/check refused before its body (routes.h). */
static void early_record(struct http_server *h, struct MHD_Connection *conn, const char *url,
                         const char *method, const struct req *rq)
{
    if (strcmp(url, "/v1/check") != 0)
        return;
    char caller[420], peer[80];
    int authed = identify(h, conn, caller, sizeof caller);
    peer_of(h, conn, peer, sizeof peer);
    struct serve_call q = {method, url, "", 0, authed, caller, peer,
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Hedui-Reason"),
                           rq->t0};
    serve_record_refusal(h->c, &q, rq->early,
                         rq->early == 413 ? "body" : rq->early == 431 ? "headers"
                                                                       : "connections");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct http_server *h = cls;
    const struct serve_limits *lim = &h->c->lim;
    struct req *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        rq->t0 = pipeline_now_ms();
        *con_cls = rq;
        size_t nh = 0;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &nh);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (nh > lim->max_headers)
            rq->early = 431;
        else if (atomic_load(&h->n_conns) > lim->max_connections)
            rq->early = 503;
        else if (cl && strtoull(cl, NULL, 10) > lim->max_body)
            rq->early = 413;
        if (rq->early) {
            early_record(h, conn, url, method, rq);
            return refuse(h, conn, rq->early);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rq->early)
            return MHD_YES;
        if (rq->len + n > lim->max_body) {
            rq->early = 413;
            free(rq->body);
            rq->body = NULL;
            early_record(h, conn, url, method, rq);
            return refuse(h, conn, 413);
        }
        if (rq->len + n + 1 > rq->cap) {
            size_t cap = rq->cap ? rq->cap : 4096;
            while (cap < rq->len + n + 1)
                cap *= 2;
            char *b = realloc(rq->body, cap);
            if (!b) {
                rq->early = 503;
                return refuse(h, conn, 503);
            }
            rq->body = b;
            rq->cap = cap;
        }
        memcpy(rq->body + rq->len, upload_data, n);
        rq->len += n;
        return MHD_YES;
    }
    if (rq->early)
        return MHD_YES;   /* answered at the first call */
    char caller[420], peer[80];
    int authed = identify(h, conn, caller, sizeof caller);
    peer_of(h, conn, peer, sizeof peer);
    struct serve_call q = {method, url, rq->body ? rq->body : "", rq->len, authed, caller, peer,
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Hedui-Reason"),
                           rq->t0};
    struct serve_reply r;
    serve_route(h->c, &q, &r);
    return queue(h, conn, &r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    struct http_server *h = cls;
    struct req *rq = *con_cls;
    if (rq) {
        free(rq->body);
        free(rq);
        *con_cls = NULL;
    }
    const union MHD_ConnectionInfo *si =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (si && si->socket_context) {
        struct conn *cn = si->socket_context;
        pthread_mutex_lock(&h->mu);
        cn->deadline_ms = pipeline_now_ms() + 1000.0 * h->c->lim.request_timeout_s;
        pthread_mutex_unlock(&h->mu);
    }
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *h = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fi =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn *cn = calloc(1, sizeof *cn);
        atomic_fetch_add(&h->n_conns, 1);
        *socket_context = cn;
        if (!cn || !fi)
            return;   /* untracked: libmicrohttpd's idle timeout still applies */
        cn->fd = fi->connect_fd;
        cn->linked = 1;
        cn->deadline_ms = pipeline_now_ms() + 1000.0 * h->c->lim.request_timeout_s;
        pthread_mutex_lock(&h->mu);
        cn->next = h->conns;
        if (h->conns)
            h->conns->prev = cn;
        h->conns = cn;
        pthread_mutex_unlock(&h->mu);
        return;
    }
    atomic_fetch_sub(&h->n_conns, 1);
    struct conn *cn = *socket_context;
    *socket_context = NULL;
    if (!cn)
        return;
    pthread_mutex_lock(&h->mu);
    if (cn->linked) {
        if (cn->prev)
            cn->prev->next = cn->next;
        else
            h->conns = cn->next;
        if (cn->next)
            cn->next->prev = cn->prev;
    }
    pthread_mutex_unlock(&h->mu);
    free(cn);
}

int http_sweep(struct http_server *h)
{
    double now = pipeline_now_ms();
    int n = 0;
    pthread_mutex_lock(&h->mu);
    for (struct conn *cn = h->conns; cn; cn = cn->next)
        if (cn->deadline_ms < now) {
            shutdown(cn->fd, SHUT_RDWR);
            cn->deadline_ms = now + 1e9;   /* once */
            n++;
        }
    pthread_mutex_unlock(&h->mu);
    return n;
}

unsigned http_connections(const struct http_server *h)
{
    return atomic_load(&h->n_conns);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[600];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    serve_log("libmicrohttpd: %s", line);
}

/* ---------- listening ---------- */

/* Parse HOST:PORT (IPv6 in brackets) into a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, int *loopback,
                        struct err *e)
{
    char host[128];
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            return ERR(e, E_USAGE, "--listen '%s': write HOST:PORT, [IPV6]:PORT", s);
        snprintf(host, sizeof host, "%.*s", (int)(close - s - 1), s + 1);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host)
            return ERR(e, E_USAGE, "--listen '%s': write HOST:PORT (e.g. 127.0.0.1:8321)", s);
        snprintf(host, sizeof host, "%.*s", (int)(colon - s), s);
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || port > 65535)
        return ERR(e, E_USAGE, "--listen '%s': the port is not a number 0-65535", s);
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
        *loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        *loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
    } else {
        return ERR(e, E_USAGE, "--listen '%s': '%s' is not a numeric IPv4 or IPv6 address", s,
                   host);
    }
    return E_OK;
}

static int bind_tcp(struct http_server *h, const char *listen_s, int *fd_out, int *loopback,
                    struct err *e)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int st = parse_listen(listen_s, &ss, &len, loopback, e);
    if (st != E_OK)
        return st;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0) {
        int en = errno;
        if (fd >= 0)
            close(fd);
        return ERR(e, E_IO, "cannot listen on %s: %s", listen_s, strerror(en));
    }
    len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    char ip[INET6_ADDRSTRLEN];
    unsigned port;
    if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof ip);
        port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        snprintf(h->where, sizeof h->where, "%s://%s:%u", h->tls ? "https" : "http", ip, port);
    } else {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof ip);
        port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        snprintf(h->where, sizeof h->where, "%s://[%s]:%u", h->tls ? "https" : "http", ip, port);
    }
    *fd_out = fd;
    return E_OK;
}

static int bind_unix(struct http_server *h, const char *path, int *fd_out, struct err *e)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path)
        return ERR(e, E_USAGE, "--socket %s: longer than %zu bytes", path, sizeof sa.sun_path - 1);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (!S_ISSOCK(sb.st_mode))
            return ERR(e, E_IO, "--socket %s exists and is not a socket", path);
        unlink(path);   /* a socket left by an earlier server */
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    mode_t old = umask(077);   /* the socket is the owner's: mode 0600 */
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
             chmod(path, 0600) == 0 && listen(fd, 1024) == 0;
    int en = errno;
    umask(old);
    if (!ok) {
        if (fd >= 0)
            close(fd);
        return ERR(e, E_IO, "cannot listen on the socket %s: %s", path, strerror(en));
    }
    snprintf(h->where, sizeof h->where, "unix:%s", path);
    *fd_out = fd;
    return E_OK;
}

/* A PEM file into memory (private: the key must not be readable by others). */
static int read_pem(const char *path, int private_key, char **out, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR(e, E_CONFIG, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
        sb.st_size > 1 << 20) {
        close(fd);
        return ERR(e, E_CONFIG, "%s is not a PEM file of a sensible size", path);
    }
    if (private_key && (sb.st_mode & 077)) {
        close(fd);
        return ERR(e, E_CONFIG, "the TLS key %s may be read by group or others: chmod 600 it",
                   path);
    }
    char *b = malloc((size_t)sb.st_size + 1);
    ssize_t n = b ? read(fd, b, (size_t)sb.st_size) : -1;
    close(fd);
    if (n != sb.st_size) {
        free(b);
        return ERR(e, E_CONFIG, "cannot read %s", path);
    }
    b[n] = '\0';
    *out = b;
    return E_OK;
}

static void free_server(struct http_server *h)
{
    free(h->cert_pem);
    if (h->key_pem) {
        memset(h->key_pem, 0, strlen(h->key_pem));
        free(h->key_pem);
    }
    free(h->ca_pem);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

int http_start(struct http_server **out, struct serve_ctx *c, const struct serve_auth *auth,
               const struct http_opts *o, struct err *e)
{
    *out = NULL;
    struct http_server *h = calloc(1, sizeof *h);
    if (!h)
        return ERR(e, E_NOMEM, "out of memory while starting the server");
    pthread_mutex_init(&h->mu, NULL);
    h->c = c;
    h->auth = auth;
    h->tls = o->tls_cert || o->tls_key;
    int st = E_OK, fd = -1, loopback = 1;
    if (h->tls && !(o->tls_cert && o->tls_key))
        st = ERR(e, E_USAGE, "TLS needs both --tls-cert FILE and --tls-key FILE");
    if (st == E_OK && o->client_ca && !h->tls)
        st = ERR(e, E_USAGE, "--client-ca needs TLS (--tls-cert and --tls-key)");
    if (st == E_OK && h->tls && !MHD_is_feature_supported(MHD_FEATURE_TLS))
        st = ERR(e, E_CONFIG, "this libmicrohttpd was built without TLS");
    if (st == E_OK && h->tls)
        st = read_pem(o->tls_cert, 0, &h->cert_pem, e);
    if (st == E_OK && h->tls)
        st = read_pem(o->tls_key, 1, &h->key_pem, e);
    if (st == E_OK && o->client_ca)
        st = read_pem(o->client_ca, 0, &h->ca_pem, e);
    if (st == E_OK) {
        h->unix_sock = o->socket_path != NULL;
        st = o->socket_path ? bind_unix(h, o->socket_path, &fd, e)
                            : bind_tcp(h, o->listen, &fd, &loopback, e);
    }
    if (st == E_OK && !loopback && !(h->tls && (o->client_ca || auth->have_tokens))) {
        st = ERR(e, E_USAGE,
                 "--listen %s is not a loopback address: a remote listener needs TLS "
                 "(--tls-cert FILE --tls-key FILE) and callers identified by client "
                 "certificates (--client-ca FILE) or bearer tokens (--tokens FILE)",
                 o->listen);
    }
    if (st != E_OK) {
        if (fd >= 0)
            close(fd);
        if (o->socket_path && fd >= 0)
            unlink(o->socket_path);
        free_server(h);
        return st;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                     (h->tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem opts[16];
    int k = 0;
#define OPT(o_, v_, p_) opts[k++] = (struct MHD_OptionItem){o_, (intptr_t)(v_), (void *)(p_)}
    OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL);   /* first, or it misses messages */
    OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
    OPT(MHD_OPTION_THREAD_POOL_SIZE, o->workers, NULL);
    OPT(MHD_OPTION_CONNECTION_LIMIT, c->lim.max_connections + HARD_EXTRA_CONNECTIONS, NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, c->lim.request_timeout_s, NULL);
    OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, MAX_HEADER_BYTES + 16 * 1024, NULL);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, h);
    OPT(MHD_OPTION_NOTIFY_CONNECTION, on_connection, h);
    if (h->tls) {
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, h->key_pem);
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert_pem);
        if (h->ca_pem)
            OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, h->ca_pem);
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
    h->d = MHD_start_daemon(flags | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
                            MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!h->d) {
        close(fd);
        if (o->socket_path)
            unlink(o->socket_path);
        free_server(h);
        return ERR(e, E_CONFIG, "cannot start the HTTP server (libmicrohttpd refused the "
                                "options; with TLS: is the certificate or the key bad?)");
    }
    *out = h;
    return E_OK;
}

const char *http_where(const struct http_server *h)
{
    return h->where;
}

void http_stop(struct http_server *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);   /* closes the listening socket too */
    if (h->unix_sock && strncmp(h->where, "unix:", 5) == 0)
        unlink(h->where + 5);
    free_server(h);
}
