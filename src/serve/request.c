/* request.c - POST /v1/check's body: the JSON grammar of request.h, parsed
 * with libjansson, turned into households.csv and members.csv text.
 *
 * Owns: the key tables (which keys, which may be left out), the checks of
 * request.h and the CSV quoting (a value is quoted only where RFC 4180
 * needs it, so spaces around it are trimmed as in a file).  Never judges a
 * value: that is the normaliser's work, through snapshot/precheck.c.
 */
#include "serve/request.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/textout.h"
#include "base/utf8.h"

#define MAX_VALUE 256   /* bytes of one value */

struct col {
    const char *key;
    int optional;               /* may be left out: empty */
};

static const struct col hh_cols[] = {
    {"household_id", 0}, {"region_code", 0}, {"program", 0},      {"area_type", 0},
    {"status", 0},       {"applied_on", 0},  {"approved_on", 1},  {"monthly_benefit", 0},
    {"caseworker_id", 1},
};
#define N_HH_COLS (sizeof hh_cols / sizeof hh_cols[0])

/* members.csv's columns after household_id */
static const struct col mem_cols[] = {
    {"id_no", 0},        {"name", 1},         {"relation", 0},  {"declared_monthly_income", 0},
    {"work_ability", 0}, {"disability_grade", 0},
};
#define N_MEM_COLS (sizeof mem_cols / sizeof mem_cols[0])

/* One CSV field of the rows handed to the loader, then its separator. */
static void put_field(struct strbuf *t, const char *s, int last)
{
    strbuf_csv(t, s, strlen(s), CSV_QUOTE_NEEDED);
    strbuf_put(t, last ? "\n" : ",", 1);
}

/* ---------- refusals ---------- */

/* Every byte of s that is not part of a valid UTF-8 character becomes '?':
 * a refusal quotes the request (jansson's "near '...'" shows the bytes of
 * a bad body as they are) and is cut at a byte limit, and the answer must
 * stay JSON (fuzz_serve's regression refusal_quotes_cut_utf8.json). */
static void utf8_clean(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0)
            s[i++] = '?';
        else
            i += k;
    }
}

__attribute__((format(printf, 4, 5))) static int refuse(struct serve_bad *bad, int status,
                                                      const char *field, const char *fmt, ...)
{
    bad->status = status;
    snprintf(bad->field, sizeof bad->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(bad->reason, sizeof bad->reason, fmt, ap);
    va_end(ap);
    utf8_clean(bad->field);
    utf8_clean(bad->reason);
    return status;
}

/* A value of the request: a string, short, without control characters. */
static int value_of(json_t *v, const char *field, struct serve_bad *bad, const char **out)
{
    if (!json_is_string(v))
        return refuse(bad, 400, field, "must be a string (the value as written in the CSV)");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n > MAX_VALUE)
        return refuse(bad, 400, field, "longer than %d bytes", MAX_VALUE);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return refuse(bad, 400, field, "holds a control character (byte %zu)", i + 1);
    *out = s;
    return 0;
}

/* Every key of obj is one of cols (or extra); each col present unless
 * optional.  vals[i] gets the value of cols[i] ("" when left out). */
static int columns(json_t *obj, const struct col *cols, size_t n, const char *extra,
                   const char *where, struct serve_bad *bad, const char **vals)
{
    char field[400];
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int known = extra && strcmp(key, extra) == 0;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(key, cols[i].key) == 0;
        if (!known) {
            snprintf(field, sizeof field, "%s.%.60s", where, key);
            return refuse(bad, 400, field, "unknown key (a typo of a column name?)");
        }
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(field, sizeof field, "%s.%s", where, cols[i].key);
        v = json_object_get(obj, cols[i].key);
        vals[i] = "";
        if (!v) {
            if (!cols[i].optional)
                return refuse(bad, 400, field, "missing (every column of the contract is "
                                               "required)");
            continue;
        }
        int st = value_of(v, field, bad, &vals[i]);
        if (st)
            return st;
    }
    return 0;
}

/* ---------- the body ---------- */

static int top_level(json_t *root, const struct serve_limits *lim, struct serve_request *rq,
                     struct serve_bad *bad, json_t **hhs)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "as_of") && strcmp(key, "reason") && strcmp(key, "households"))
            return refuse(bad, 400, key, "unknown key (as_of, reason and households are known)");
    }
    if ((v = json_object_get(root, "as_of"))) {
        const char *s;
        int st = value_of(v, "as_of", bad, &s);
        if (st)
            return st;
        if (date_parse(s, strlen(s), &rq->as_of) != 0)
            return refuse(bad, 400, "as_of", "not a date YYYY-MM-DD: '%.40s'", s);
        rq->has_as_of = 1;
    }
    if ((v = json_object_get(root, "reason"))) {
        int st = value_of(v, "reason", bad, &rq->reason);
        if (st)
            return st;
        if (strlen(rq->reason) > 200)
            return refuse(bad, 400, "reason", "longer than 200 bytes");
    }
    *hhs = json_object_get(root, "households");
    if (!*hhs)
        return refuse(bad, 400, "households", "missing");
    if (!json_is_array(*hhs))
        return refuse(bad, 400, "households", "must be an array of households");
    size_t n = json_array_size(*hhs);
    if (n == 0)
        return refuse(bad, 400, "households", "empty: give at least one household");
    if (n > lim->max_households)
        return refuse(bad, 413, "households", "%zu households; at most %zu per request", n,
                      lim->max_households);
    return 0;
}

int serve_request_parse(const char *body, size_t len, const struct serve_limits *lim,
                        struct serve_request *rq, struct serve_bad *bad)
{
    memset(rq, 0, sizeof *rq);
    memset(bad, 0, sizeof *bad);
    if (len > lim->max_body)
        return refuse(bad, 413, "body", "%zu bytes; at most %zu", len, lim->max_body);
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return refuse(bad, 400, "body", "not JSON: %.160s (line %d, column %d)", je.text,
                      je.line, je.column);
    rq->root = root;
    if (!json_is_object(root))
        return refuse(bad, 400, "body", "must be a JSON object with \"households\"");
    json_t *hhs = NULL;
    int st = top_level(root, lim, rq, bad, &hhs);
    if (st)
        return st;
    size_t n = json_array_size(hhs), n_ids = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *ms = json_is_object(json_array_get(hhs, i))
                         ? json_object_get(json_array_get(hhs, i), "members") : NULL;
        n_ids += json_is_array(ms) ? json_array_size(ms) : 0;
    }
    rq->hh = calloc(n, sizeof *rq->hh);
    rq->ids = calloc(n_ids ? n_ids : 1, sizeof *rq->ids);
    struct strbuf th = {0}, tm = {0};
    if (!rq->hh || !rq->ids)
        return refuse(bad, 500, "body", "out of memory");
    static const char hh_head[] = "household_id,region_code,program,area_type,status,"
                                  "applied_on,approved_on,monthly_benefit,caseworker_id\n";
    static const char mem_head[] = "household_id,id_no,name,relation,declared_monthly_income,"
                                   "work_ability,disability_grade\n";
    strbuf_put(&th, hh_head, sizeof hh_head - 1);
    strbuf_put(&tm, mem_head, sizeof mem_head - 1);
    char where[64], field[300];
    for (size_t i = 0; i < n && !st; i++) {
        json_t *h = json_array_get(hhs, i);
        snprintf(where, sizeof where, "households[%zu]", i);
        if (!json_is_object(h)) {
            st = refuse(bad, 400, where, "must be an object with the households.csv columns "
                                         "and \"members\"");
            break;
        }
        const char *hv[N_HH_COLS];
        if ((st = columns(h, hh_cols, N_HH_COLS, "members", where, bad, hv)))
            break;
        for (size_t k = 0; k < rq->n_hh && !st; k++)
            if (strcmp(rq->hh[k].household_id, hv[0]) == 0) {
                snprintf(field, sizeof field, "%s.household_id", where);
                st = refuse(bad, 400, field, "the same household_id as households[%zu]", k);
            }
        if (st)
            break;
        struct serve_hh_ids *hx = &rq->hh[rq->n_hh++];
        hx->household_id = hv[0];
        hx->first_id = rq->n_ids;
        for (size_t c = 0; c < N_HH_COLS; c++)
            put_field(&th, hv[c], c + 1 == N_HH_COLS);
        json_t *ms = json_object_get(h, "members");
        snprintf(field, sizeof field, "%s.members", where);
        if (!ms) {
            st = refuse(bad, 400, field, "missing (an array of members, may be empty)");
            break;
        }
        if (!json_is_array(ms)) {
            st = refuse(bad, 400, field, "must be an array of members");
            break;
        }
        if (json_array_size(ms) > lim->max_members) {
            st = refuse(bad, 400, field, "%zu members; at most %zu per household",
                        json_array_size(ms), lim->max_members);
            break;
        }
        for (size_t j = 0; j < json_array_size(ms) && !st; j++) {
            json_t *m = json_array_get(ms, j);
            char mwhere[200];
            snprintf(mwhere, sizeof mwhere, "%s.members[%zu]", where, j);
            if (!json_is_object(m)) {
                st = refuse(bad, 400, mwhere, "must be an object with the members.csv columns");
                break;
            }
            const char *mv[N_MEM_COLS];
            if ((st = columns(m, mem_cols, N_MEM_COLS, "household_id", mwhere, bad, mv)))
                break;
            json_t *own = json_object_get(m, "household_id");
            if (own) {
                const char *s;
                snprintf(field, sizeof field, "%s.household_id", mwhere);
                if ((st = value_of(own, field, bad, &s)))
                    break;
                if (strcmp(s, hv[0]) != 0) {
                    st = refuse(bad, 400, field, "not the household it is listed in");
                    break;
                }
            }
            rq->ids[rq->n_ids++] = mv[0];
            hx->n_ids++;
            put_field(&tm, hv[0], 0);
            for (size_t c = 0; c < N_MEM_COLS; c++)
                put_field(&tm, mv[c], c + 1 == N_MEM_COLS);
        }
    }
    if (!st && (th.oom || tm.oom))
        st = refuse(bad, 500, "body", "out of memory");
    if (st) {
        free(th.p);
        free(tm.p);
        return st;
    }
    rq->hh_csv = th.p;
    rq->hh_len = th.n;
    rq->mem_csv = tm.p;
    rq->mem_len = tm.n;
    return 0;
}

void serve_request_free(struct serve_request *rq)
{
    free(rq->hh_csv);
    free(rq->mem_csv);
    free(rq->hh);
    free(rq->ids);
    if (rq->root)
        json_decref((json_t *)rq->root);
    memset(rq, 0, sizeof *rq);
}
