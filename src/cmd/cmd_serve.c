/* cmd_serve.c - `hedui serve`: pre-approval checks as a service (issue 21;
 * the server is src/serve/).
 *
 * Owns: the options and usage of `serve`, the wiring (snapshot, access
 * log, tokens, page, HTTP server), and the main thread's loop: signals
 * (SIGHUP: reload the snapshot; SIGUSR1: reopen the access log after a
 * rename; SIGINT, SIGTERM: stop), a check every second whether the
 * snapshot file was replaced, and the sweep of connections past their
 * deadline every quarter second.  Never prints an error (main.c does) or
 * exits; its own lines on stderr say what the server does, masked.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "pipeline.h"
#include "serve/auth.h"
#include "serve/http.h"
#include "serve/routes.h"
#include "serve/snapref.h"

static const char usage_serve[] =
    "Usage: hedui serve --index FILE [--listen HOST:PORT | --socket PATH] [OPTIONS]\n"
    "       hedui serve --hash-token < TOKEN_FILE\n"
    "\n"
    "Answers pre-approval checks over HTTP/1.1 from a snapshot of 'hedui index\n"
    "build', with the answers of 'hedui check --json':\n"
    "  POST /v1/check     {\"reason\": \"...\", \"as_of\": \"YYYY-MM-DD\", \"households\":\n"
    "                     [{households.csv columns..., \"members\": [{members.csv\n"
    "                     columns...}]}]} (values as strings); 400 names the field\n"
    "  GET  /v1/snapshot  feeds date, policy version and hash, built time\n"
    "  GET  /healthz      ok\n"
    "  GET  /             a page for caseworkers (Chinese)\n"
    "Every POST /v1/check is recorded in the access log (one JSON line: time,\n"
    "caller, reason, households, ID numbers as keyed hashes, verdicts) before\n"
    "it is answered.  A new snapshot (SIGHUP, or the file replaced) is verified\n"
    "and swapped in without a gap; a bad one is refused and the old one serves on.\n"
    "\n"
    "Options:\n"
    "  --index FILE          the snapshot (required)\n"
    "  --listen HOST:PORT    numeric address (default 127.0.0.1:8321; port 0: any\n"
    "                        free port). Other than loopback needs TLS and\n"
    "                        --client-ca or --tokens\n"
    "  --socket PATH         a Unix socket (mode 0600) instead of --listen\n"
    "  --rules DIR           judge with DIR/policy.rules, not the snapshot's copy\n"
    "  --log FILE            the access log (default: hedui-access.log beside the\n"
    "                        snapshot); its key is FILE.key. SIGUSR1 reopens it\n"
    "  --tls-cert FILE       TLS certificate (PEM)\n"
    "  --tls-key FILE        its private key (PEM, mode 0600)\n"
    "  --client-ca FILE      accept client certificates of this CA (PEM); the\n"
    "                        caller is the certificate's subject\n"
    "  --tokens FILE         bearer tokens: lines 'NAME sha256:HEX' (--hash-token)\n"
    "  --workers N           threads answering requests (default: the CPUs)\n"
    "  --max-body BYTES      largest request body (default 1048576)\n"
    "  --max-households N    households per request (default 1000)\n"
    "  --max-members N       members per household (default 100)\n"
    "  --max-connections N   open connections before 503 (default 512)\n"
    "  --request-timeout S   a connection must finish a request within S seconds\n"
    "                        of opening or of its last answer (default 10)\n"
    "  --hash-token          read a token on stdin, print its 'sha256:HEX' line\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 stopped by SIGINT/SIGTERM; 2 usage (a remote --listen without\n"
    "TLS); 3 the snapshot is missing or damaged, or cannot listen; 5 bad rules or\n"
    "configuration (TLS files, tokens file, a log readable by others); 6 the\n"
    "access log cannot be written; 7 out of memory.\n";

struct serve_opts {
    const char *index, *listen, *socket, *rules, *log, *tls_cert, *tls_key, *client_ca, *tokens;
    int hash_token;
    unsigned long long workers, max_body, max_hh, max_mem, max_conn, timeout;
};

static int num_opt(const char *name, const char *v, unsigned long long lo, unsigned long long hi,
                   unsigned long long *out, struct err *e)
{
    if (!v)
        return E_OK;
    if (cli_parse_uint(v, hi, out) != 0 || *out < lo)
        return ERR(e, E_USAGE, "%s '%s' is not a number from %llu to %llu", name, v, lo, hi);
    return E_OK;
}

/* E_OK, E_USAGE, or -1 when --help was printed. */
static int parse_serve(int argc, char **argv, struct serve_opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    const char *workers = NULL, *max_body = NULL, *max_hh = NULL, *max_mem = NULL,
               *max_conn = NULL, *timeout = NULL;
    int help = 0;
    const struct cli_opt opts[] = {
        {"--help", "-h", CLI_FLAG, &help},
        {"--hash-token", NULL, CLI_FLAG, &o->hash_token},
        {"--index", NULL, CLI_STR, &o->index},
        {"--listen", NULL, CLI_STR, &o->listen},
        {"--socket", NULL, CLI_STR, &o->socket},
        {"--rules", NULL, CLI_STR, &o->rules},
        {"--log", NULL, CLI_STR, &o->log},
        {"--tls-cert", NULL, CLI_STR, &o->tls_cert},
        {"--tls-key", NULL, CLI_STR, &o->tls_key},
        {"--client-ca", NULL, CLI_STR, &o->client_ca},
        {"--tokens", NULL, CLI_STR, &o->tokens},
        {"--workers", NULL, CLI_STR, &workers},
        {"--max-body", NULL, CLI_STR, &max_body},
        {"--max-households", NULL, CLI_STR, &max_hh},
        {"--max-members", NULL, CLI_STR, &max_mem},
        {"--max-connections", NULL, CLI_STR, &max_conn},
        {"--request-timeout", NULL, CLI_STR, &timeout},
    };
    int st = cli_parse("serve", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL,
                       e);
    if (st != E_OK)
        return st;
    if (help) {
        fputs(usage_serve, stdout);
        return -1;
    }
    long procs = sysconf(_SC_NPROCESSORS_ONLN);
    o->workers = procs > 0 ? (unsigned long long)procs : 2;
    o->max_body = 1 << 20;
    o->max_hh = 1000;
    o->max_mem = 100;
    o->max_conn = 512;
    o->timeout = 10;
    if ((st = num_opt("--workers", workers, 1, 256, &o->workers, e)) != E_OK ||
        (st = num_opt("--max-body", max_body, 1024, 1ULL << 30, &o->max_body, e)) != E_OK ||
        (st = num_opt("--max-households", max_hh, 1, 100000, &o->max_hh, e)) != E_OK ||
        (st = num_opt("--max-members", max_mem, 1, 10000, &o->max_mem, e)) != E_OK ||
        (st = num_opt("--max-connections", max_conn, 1, 100000, &o->max_conn, e)) != E_OK ||
        (st = num_opt("--request-timeout", timeout, 1, 3600, &o->timeout, e)) != E_OK)
        return st;
    if (o->hash_token)
        return E_OK;
    if (!o->index)
        return ERR(e, E_USAGE, "'serve' needs --index FILE (from 'hedui index build')");
    if (o->listen && o->socket)
        return ERR(e, E_USAGE, "--listen and --socket exclude each other");
    if (!o->listen && !o->socket)
        o->listen = "127.0.0.1:8321";
    return E_OK;
}

/* --hash-token: the line for a tokens file, from a token on stdin. */
static int hash_token(struct err *e)
{
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, stdin);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    if (n < 16)
        return ERR(e, E_USAGE, "--hash-token: give a token of 16 characters or more on stdin");
    char line[80];
    auth_token_line(buf, n, line, sizeof line);
    memset(buf, 0, sizeof buf);
    printf("%s\n", line);
    return E_OK;
}

/* --log's default: hedui-access.log in the snapshot's directory. */
static void default_log(const char *index, char *out, size_t n)
{
    const char *slash = strrchr(index, '/');
    if (slash)
        snprintf(out, n, "%.*s/hedui-access.log", (int)(slash - index), index);
    else
        snprintf(out, n, "hedui-access.log");
}

static void say_snapshot(const char *what, const struct snapref *r)
{
    char fa[11];
    date_format(r->b.info.as_of, fa);
    serve_log("%s %s: feeds as of %s, policy %s (%s), generation %u", what, r->b.s.path, fa,
              r->b.pol.version, r->b.pol.hash, r->generation);
}

/* The main thread: signals, the snapshot file, the sweep.  Returns when
 * SIGINT or SIGTERM comes. */
static void main_loop(struct serve_ctx *c, struct http_server *h, const sigset_t *set)
{
    double last_poll = pipeline_now_ms();
    for (;;) {
        struct timespec tick = {0, 250 * 1000 * 1000};
        int sig = sigtimedwait(set, NULL, &tick);
        int reload = 0, force = 0;
        if (sig == SIGINT || sig == SIGTERM) {
            serve_log("stopping (signal %d): finishing the requests in progress", sig);
            return;
        }
        if (sig == SIGHUP)
            reload = force = 1;
        if (sig == SIGUSR1) {
            struct err e;
            err_init(&e);
            if (accesslog_reopen(c->log, &e) == E_OK)
                serve_log("access log reopened");
            else
                serve_log("cannot reopen the access log (%s); still writing the old one", e.msg);
        }
        if (pipeline_now_ms() - last_poll >= 1000) {
            reload = 1;
            last_poll = pipeline_now_ms();
        }
        if (reload) {
            struct err e;
            err_init(&e);
            int r = snaps_reload(c->snaps, force, &e);
            if (r > 0) {
                struct snapref *s = snaps_get(c->snaps);
                say_snapshot("now serving", s);
                snapref_put(s);
            } else if (r < 0) {
                struct snapref *s = snaps_get(c->snaps);
                serve_log("refused the new snapshot (%s); still serving generation %u", e.msg,
                          s->generation);
                snapref_put(s);
            }
        }
        int n = http_sweep(h);
        if (n)
            serve_log("closed %d connection(s) that did not finish a request in %d s", n,
                      c->lim.request_timeout_s);
    }
}

int cmd_serve(int argc, char **argv, struct err *e)
{
    struct serve_opts o;
    int st = parse_serve(argc, argv, &o, e);
    if (st == -1)
        return E_OK;
    if (st != E_OK)
        return st;
    if (o.hash_token)
        return hash_token(e);

    /* signals are taken by the main thread only: block them before any
     * thread starts (the flusher, the workers inherit the mask) */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    json_object_seed(0);   /* jansson's hash seed, once, before any thread parses */

    struct serve_auth auth;
    memset(&auth, 0, sizeof auth);
    auth.client_certs = o.client_ca != NULL;
    struct snaps snaps;
    memset(&snaps, 0, sizeof snaps);
    struct serve_ctx c;
    memset(&c, 0, sizeof c);
    struct http_server *h = NULL;
    char logbuf[4200];
    if (!o.log) {
        default_log(o.index, logbuf, sizeof logbuf);
        o.log = logbuf;
    }
    c.snaps = &snaps;
    c.index_label = o.index;
    c.started_unix = (long long)time(NULL);
    c.lim = (struct serve_limits){o.max_body, o.max_hh, o.max_mem, 100, (int)o.timeout,
                                  o.max_conn};
    if (o.tokens)
        st = auth_load_tokens(&auth, o.tokens, e);
    if (st == E_OK)
        st = snaps_init(&snaps, o.index, o.rules, e);
    if (st == E_OK)
        st = accesslog_open(&c.log, o.log, e);
    if (st == E_OK)
        st = page_build(&c.page, e);
    if (st == E_OK) {
        struct http_opts ho = {o.listen, o.socket, o.tls_cert, o.tls_key, o.client_ca,
                               (int)o.workers};
        st = http_start(&h, &c, &auth, &ho, e);
    }
    if (st == E_OK) {
        say_snapshot("serving", snaps.cur);
        serve_log("listening on %s (%llu workers; access log %s; callers: %s)", http_where(h),
                  o.workers, o.log,
                  o.client_ca ? (o.tokens ? "client certificates or tokens" : "client certificates")
                              : o.tokens ? "bearer tokens" : "local, unauthenticated");
        main_loop(&c, h, &set);
        http_stop(h);
        unsigned long long lines = 0, syncs = 0;
        accesslog_stats(c.log, &lines, &syncs);
        serve_log("stopped: %llu checks answered, %llu refused, %llu failed; %llu access-log "
                  "lines, %llu syncs", (unsigned long long)c.n_checks,
                  (unsigned long long)c.n_bad, (unsigned long long)c.n_failed, lines, syncs);
    }
    accesslog_close(c.log);
    page_free(&c.page);
    snaps_free(&snaps);
    auth_free(&auth);
    return st;
}
