/* request.h - the body of POST /v1/check: JSON in, the contract's CSV out.
 *
 * The body is one JSON object:
 *
 *   {"as_of": "YYYY-MM-DD",            optional (default: today)
 *    "reason": "申请编号 2026-118",     why this look-up (or the header
 *                                       X-Hedui-Reason; one is required)
 *    "households": [                    1 .. max_households
 *      {"household_id": "...", "region_code": "...", "program": "...",
 *       "area_type": "...", "status": "...", "applied_on": "...",
 *       "approved_on": "...", "monthly_benefit": "...",
 *       "caseworker_id": "...",
 *       "members": [                    0 .. max_members
 *         {"id_no": "...", "name": "...", "relation": "...",
 *          "declared_monthly_income": "...", "work_ability": "...",
 *          "disability_grade": "...", "household_id": "..."}]}]}
 *
 * Every column of households.csv and members.csv is a key whose value is a
 * string, as it would be written in the CSV; approved_on, caseworker_id and
 * name may be left out (empty), a member's household_id too (it must then
 * name its household if given).  The values are not judged here: they go
 * into households.csv/members.csv text exactly as a caseworker's files
 * would, and the check (snapshot/precheck.h) answers a household with an
 * unusable value as `hedui check` answers it.  Line N of households is
 * households[N-2]; line N of members is the (N-2)th member counting
 * through the households in order (a value may not hold a line break).
 *
 * What this refuses with 400 (or 413), naming the field and the reason: a
 * body that is not a JSON object, an unknown or repeated key, a value of
 * the wrong type, a missing column, a control character or more than 256
 * bytes in a value, a malformed as_of, a household_id twice, more
 * households or members than the limits.
 *
 * Owns: the request's JSON grammar and limits, and the CSV it becomes.
 * Never: judges a value, allocates outside the request, prints.
 */
#ifndef ENGINE_SERVE_REQUEST_H
#define ENGINE_SERVE_REQUEST_H

#include <stddef.h>

struct serve_limits {
    size_t max_body;           /* bytes of a request body (413 beyond) */
    size_t max_households;     /* households per request (413 beyond) */
    size_t max_members;        /* members per household (400 beyond) */
    size_t max_headers;        /* header lines per request (431 beyond) */
    int request_timeout_s;     /* a connection must finish a request within this */
    size_t max_connections;    /* 503 beyond */
};

/* A request refused: HTTP status, the field ("households[0].members[1].
 * id_no", "body", "as_of") and why. */
struct serve_bad {
    int status;
    char field[160];
    char reason[300];
};

struct serve_hh_ids {          /* for the access log */
    const char *household_id;
    size_t first_id, n_ids;    /* range in serve_request.ids */
};

struct serve_request {
    void *root;                /* json_t *, owns every borrowed string below */
    int has_as_of, as_of;      /* day number when given */
    const char *reason;        /* the JSON "reason", or NULL */
    char *hh_csv, *mem_csv;    /* households.csv / members.csv text, malloc'd */
    size_t hh_len, mem_len;
    size_t n_hh;
    struct serve_hh_ids *hh;   /* [n_hh] */
    const char **ids;          /* members' id_no as given */
    size_t n_ids;
};

/* Parse body[0..len) into *rq.  Returns 0, or the HTTP status (400, 413,
 * 500 when out of memory) with *bad filled; rq is then partly filled
 * (household ids and ID numbers read so far, for the access log).  Call
 * serve_request_free in both cases. */
int serve_request_parse(const char *body, size_t len, const struct serve_limits *lim,
                        struct serve_request *rq, struct serve_bad *bad);
void serve_request_free(struct serve_request *rq);

#endif
