/* routes.c - the answers of `hedui serve` (routes.h).
 *
 * Owns: POST /v1/check (request -> precheck_run on a referenced snapshot
 * -> the check's JSON -> the access-log line, written before the answer
 * goes out), GET /v1/snapshot, /healthz, /, and the error replies.
 * Never: touches a socket or the snapshot outside a reference.
 */
#include "serve/routes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "base/date.h"
#include "base/encoding.h"
#include "base/idmask.h"
#include "contract/idcard.h"
#include "out/lists.h"
#include "pipeline.h"
#include "snapshot/precheck.h"

/* ---------- small helpers ---------- */

int serve_today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void serve_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    idmask_text(line, line, sizeof line);
    fprintf(stderr, "hedui: serve: %s\n", line);
}

void serve_reply_free(struct serve_reply *r)
{
    if (!r->body_static)
        free(r->body);
    r->body = NULL;
}

static void reply_static(struct serve_reply *r, int status, const char *ctype, const char *s)
{
    r->status = status;
    r->ctype = ctype;
    r->body = (char *)s;
    r->len = strlen(s);
    r->body_static = 1;
}

void serve_reply_error(struct serve_reply *r, int status, const char *error, const char *field,
                       const char *reason)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) {
        reply_static(r, status, "application/json; charset=utf-8",
                     "{\"error\":\"out_of_memory\"}\n");
        return;
    }
    fputs("{\"error\":", f);
    json_put_str(f, error);
    fprintf(f, ",\"status\":%d", status);
    if (field) {
        fputs(",\"field\":", f);
        json_put_str(f, field);
    }
    if (reason) {
        fputs(",\"reason\":", f);
        json_put_str(f, reason);
    }
    fputs("}\n", f);
    if (fclose(f) != 0) {
        free(buf);
        reply_static(r, status, "application/json; charset=utf-8",
                     "{\"error\":\"out_of_memory\"}\n");
        return;
    }
    r->status = status;
    r->ctype = "application/json; charset=utf-8";
    r->body = buf;
    r->len = n;
    r->body_static = 0;
}

/* The text, masked (idmask_text), as a JSON string. */
static void put_masked(FILE *f, const char *s)
{
    char buf[1024];
    idmask_text(s ? s : "", buf, sizeof buf);
    json_put_str(f, buf);
}

/* ---------- the access-log line ---------- */

static const char *header_reason(const char *h);
static const char *header_reason_of(const struct serve_call *q)
{
    return header_reason(q->reason_hdr);
}

struct look_up {
    const struct serve_call *q;
    const struct serve_request *rq;
    const char *reason;
    int status;
    int as_of;
    const struct snapref *snap;
    const struct precheck_result *res;   /* NULL unless judged */
    const char *field;                   /* a refusal's field, or NULL */
};

/* The verdict of the request's household k, or a word for why there is none. */
static const char *verdict_of(const struct look_up *lu, size_t k, size_t *walk)
{
    if (!lu->res)
        return lu->status == 200 ? "-" : "not_judged";
    const char *id = lu->rq->hh[k].household_id;
    const struct precheck_result *r = lu->res;
    /* the result keeps the request's order, less households not used */
    for (size_t i = *walk; i < r->n_hh; i++)
        if (strcmp(VEC_AT(r->gd.households, struct household, i).id, id) == 0) {
            *walk = i + 1;
            return precheck_verdict_id[r->hh[i].verdict];
        }
    return "household_row_not_used";
}

/* One line (accesslog.h), or 0 with *line NULL when out of memory. */
static size_t log_line(struct serve_ctx *c, const struct look_up *lu, char **line)
{
    size_t n = 0;
    FILE *f = open_memstream(line, &n);
    if (!f) {
        *line = NULL;
        return 0;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[40], asof[11];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(f, "{\"time\":\"%s.%03ldZ\",\"caller\":", ts, (long)(tv.tv_usec / 1000));
    put_masked(f, lu->q->caller);
    fputs(",\"peer\":", f);
    put_masked(f, lu->q->peer);
    fputs(",\"reason\":", f);
    put_masked(f, lu->reason ? lu->reason : "");
    fprintf(f, ",\"status\":%d", lu->status);
    if (lu->field) {
        fputs(",\"refused\":", f);
        put_masked(f, lu->field);
    }
    if (lu->as_of) {
        date_format(lu->as_of, asof);
        fprintf(f, ",\"as_of\":\"%s\"", asof);
    }
    if (lu->snap) {
        char fa[11];
        date_format(lu->snap->b.info.as_of, fa);
        fprintf(f, ",\"snapshot\":\"%s %s #%u\"", fa, lu->snap->b.pol.hash,
                lu->snap->generation);
    }
    fputs(",\"households\":[", f);
    size_t walk = 0;
    int ymd = date_to_ymd_int(lu->as_of ? lu->as_of : serve_today());
    for (size_t k = 0; lu->rq && k < lu->rq->n_hh; k++) {
        const struct serve_hh_ids *h = &lu->rq->hh[k];
        fputs(k ? ",{\"id\":" : "{\"id\":", f);
        put_masked(f, h->household_id);
        fputs(",\"verdict\":", f);
        json_put_str(f, verdict_of(lu, k, &walk));
        fputs(",\"ids\":[", f);
        for (size_t j = 0; j < h->n_ids; j++) {
            /* the normalised ID when it is one, so that every spelling of
             * a person hashes the same; else the text as given */
            const char *raw = lu->rq->ids[h->first_id + j];
            struct id_norm nm;
            char hx[35];
            if (id_normalise(raw, strlen(raw), ymd, &nm) == ID_OK)
                accesslog_id_hash(c->log, nm.id, 18, hx);
            else
                accesslog_id_hash(c->log, raw, strlen(raw), hx);
            fprintf(f, "%s\"%s\"", j ? "," : "", hx);
        }
        fputs("]}", f);
    }
    fprintf(f, "],\"ms\":%.2f}\n", pipeline_now_ms() - lu->q->t_start_ms);
    if (fclose(f) != 0) {
        free(*line);
        *line = NULL;
        return 0;
    }
    return n;
}

/* Append the look-up's line; 0, or -1 (the answer must not go out). */
static int record(struct serve_ctx *c, const struct look_up *lu)
{
    char *line;
    size_t n = log_line(c, lu, &line);
    if (!line) {
        serve_log("cannot make an access-log line: out of memory");
        return -1;
    }
    int rc = accesslog_append(c->log, line, n);
    free(line);
    if (rc != 0) {
        serve_log("cannot write the access log: %s; the look-up was refused (503)",
                  strerror(rc));
        return -1;
    }
    return 0;
}

int serve_record_refusal(struct serve_ctx *c, const struct serve_call *q, int status,
                         const char *field)
{
    struct look_up lu = {q, NULL, header_reason_of(q), status, 0, NULL, NULL, field};
    if (status == 503)
        atomic_fetch_add(&c->n_failed, 1);
    else
        atomic_fetch_add(&c->n_bad, 1);
    return record(c, &lu);
}

/* ---------- POST /v1/check ---------- */

/* X-Hedui-Reason as a reason: 1-200 bytes of UTF-8 without control
 * characters; NULL otherwise. */
static const char *header_reason(const char *h)
{
    if (!h)
        return NULL;
    size_t n = strlen(h);
    if (n == 0 || n > 200 || utf8_valid_prefix((const unsigned char *)h, n) != n)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f)
            return NULL;
    return h;
}

static void post_check(struct serve_ctx *c, const struct serve_call *q, struct serve_reply *r)
{
    struct serve_request rq;
    struct serve_bad bad;
    struct look_up lu = {q, &rq, NULL, 0, 0, NULL, NULL, NULL};
    if (!q->authed) {
        memset(&rq, 0, sizeof rq);
        lu.status = 401;
        lu.field = "authorization";
        if (record(c, &lu) != 0)
            return serve_reply_error(r, 503, "access_log_unwritable", NULL, NULL);
        r->www_auth = 1;
        return serve_reply_error(r, 401, "unauthorized", "authorization",
                                 "a valid bearer token or client certificate is needed");
    }
    int st = serve_request_parse(q->body, q->body_len, &c->lim, &rq, &bad);
    lu.reason = rq.reason ? rq.reason : header_reason(q->reason_hdr);
    lu.as_of = rq.has_as_of ? rq.as_of : serve_today();
    if (st == 0 && !lu.reason) {
        st = bad.status = 400;
        snprintf(bad.field, sizeof bad.field, "reason");
        snprintf(bad.reason, sizeof bad.reason,
                 "missing: say why you look these people up (a case or application number), "
                 "in \"reason\" or the header X-Hedui-Reason (1-200 bytes of UTF-8)");
    }
    if (st != 0) {
        atomic_fetch_add(&c->n_bad, 1);
        lu.status = st;
        lu.field = bad.field;
        int logged = record(c, &lu);
        serve_request_free(&rq);
        if (logged != 0)
            return serve_reply_error(r, 503, "access_log_unwritable", NULL, NULL);
        return serve_reply_error(r, st, st == 413 ? "too_large" : st == 500 ? "internal"
                                                                           : "bad_request",
                                 bad.field, bad.reason);
    }

    struct snapref *snap = snaps_get(c->snaps);
    struct precheck_in in = {NULL, NULL, (const unsigned char *)rq.hh_csv,
                             (const unsigned char *)rq.mem_csv, rq.hh_len, rq.mem_len,
                             "households", "members", lu.as_of, 1, 0};
    struct precheck_result res;
    struct err e;
    err_init(&e);
    st = precheck_run(&snap->b, &in, &res, &e);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = st == E_OK ? open_memstream(&buf, &n) : NULL;
    if (f) {
        precheck_print_json(f, &snap->b, &res, c->index_label);
        if (fclose(f) != 0) {
            free(buf);
            buf = NULL;
        }
    }
    lu.snap = snap;
    if (st == E_OK && buf) {
        lu.status = 200;
        lu.res = &res;
    } else {
        /* malformed text cannot reach here (the CSV is ours); out of
         * memory or a damaged snapshot can */
        lu.status = st == E_NOMEM || (st == E_OK && !buf) ? 503 : 500;
        serve_log("a check failed (%d): %s", lu.status, st == E_OK ? "out of memory" : e.msg);
    }
    int logged = record(c, &lu);
    precheck_result_free(&res);
    snapref_put(snap);
    serve_request_free(&rq);
    if (lu.status != 200 || logged != 0) {
        free(buf);
        atomic_fetch_add(&c->n_failed, 1);
        if (logged != 0)
            return serve_reply_error(r, 503, "access_log_unwritable", NULL,
                                     "the look-up could not be recorded; try again later");
        return serve_reply_error(r, lu.status, lu.status == 503 ? "overloaded" : "internal",
                                 NULL, lu.status == 503 ? "out of memory; try again later"
                                                        : "the check failed; see the server log");
    }
    atomic_fetch_add(&c->n_checks, 1);
    r->status = 200;
    r->ctype = "application/json; charset=utf-8";
    r->body = buf;
    r->len = n;
    r->body_static = 0;
}

/* ---------- GET ---------- */

static void get_snapshot(struct serve_ctx *c, const struct serve_call *q, struct serve_reply *r)
{
    if (!q->authed) {
        r->www_auth = 1;
        return serve_reply_error(r, 401, "unauthorized", "authorization",
                                 "a valid bearer token or client certificate is needed");
    }
    struct snapref *s = snaps_get(c->snaps);
    const struct snap_info *si = &s->b.info;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) {
        snapref_put(s);
        return serve_reply_error(r, 503, "overloaded", NULL, "out of memory");
    }
    char fa[11], built[32], loaded[32], m[8];
    date_format(si->as_of, fa);
    time_t bt = (time_t)si->built_unix, lt = (time_t)s->loaded_unix;
    struct tm tm;
    gmtime_r(&bt, &tm);
    strftime(built, sizeof built, "%Y-%m-%dT%H:%M:%SZ", &tm);
    gmtime_r(&lt, &tm);
    strftime(loaded, sizeof loaded, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fputs("{\"path\":", f);
    json_put_str(f, c->index_label);
    fprintf(f, ",\"format_version\":%u,\"engine_version\":", si->format_version);
    json_put_str(f, si->engine_version);
    fprintf(f, ",\"feeds_as_of\":\"%s\",\"built\":\"%s\",\"built_unix\":%lld,\"policy\":{"
               "\"version\":", fa, built, si->built_unix);
    json_put_str(f, s->b.pol.version);
    fputs(",\"xxh64\":", f);
    json_put_str(f, s->b.pol.hash);
    fputs(",\"source\":", f);
    json_put_str(f, s->b.rules_src);
    if (si->policy_compiled[0]) {   /* the rules language's policy it was built with */
        fputs(",\"pack\":", f);
        json_put_str(f, si->policy_pack);
        fputs(",\"policy_hash\":", f);
        json_put_str(f, si->policy_compiled);
    }
    fputs("},\"social_insurance_through\":", f);
    int thr = snap_si_through(si);
    if (thr == SNAP_NO_MONTH) {
        fputs("null", f);
    } else {
        month_format(thr, m);
        fprintf(f, "\"%s\"", m);
    }
    fprintf(f, ",\"age_days\":%d,\"max_age_days\":%d,\"households\":%llu,\"persons\":%llu,"
               "\"loaded\":\"%s\",\"generation\":%u}\n",
            serve_today() - si->as_of, s->b.pol.snapshot_max_age_days, si->n_households,
            si->n_persons, loaded, s->generation);
    snapref_put(s);
    if (fclose(f) != 0) {
        free(buf);
        return serve_reply_error(r, 503, "overloaded", NULL, "out of memory");
    }
    r->status = 200;
    r->ctype = "application/json; charset=utf-8";
    r->body = buf;
    r->len = n;
    r->body_static = 0;
}

void serve_route(struct serve_ctx *c, const struct serve_call *q, struct serve_reply *r)
{
    memset(r, 0, sizeof *r);
    int get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
    int post = strcmp(q->method, "POST") == 0;
    if (strcmp(q->path, "/v1/check") == 0) {
        if (post)
            return post_check(c, q, r);
        r->allow = "POST";
        return serve_reply_error(r, 405, "method_not_allowed", NULL, "POST a JSON body");
    }
    const char *allow = "GET, HEAD";
    if (strcmp(q->path, "/v1/snapshot") == 0) {
        if (get)
            return get_snapshot(c, q, r);
    } else if (strcmp(q->path, "/healthz") == 0) {
        if (get)
            return reply_static(r, 200, "text/plain; charset=utf-8", "ok\n");
    } else if (strcmp(q->path, "/") == 0 || strcmp(q->path, "/index.html") == 0) {
        if (get) {
            r->status = 200;
            r->ctype = "text/html; charset=utf-8";
            r->body = c->page.html;
            r->len = c->page.len;
            r->body_static = 1;
            r->is_page = 1;
            return;
        }
    } else {
        return serve_reply_error(r, 404, "not_found", NULL,
                                 "POST /v1/check, GET /v1/snapshot, /healthz or /");
    }
    r->allow = allow;
    serve_reply_error(r, 405, "method_not_allowed", NULL, allow);
}
