/* fuzz_serve.c - libFuzzer target: POST /v1/check of `hedui serve` with
 * arbitrary bytes as the body, through the request path (serve/routes.c:
 * the JSON parser of serve/request.c, the CSV it becomes, the normaliser,
 * snapshot/precheck.c on the fixture snapshot, the JSON answer, the
 * access-log line).
 *
 * LLVMFuzzerInitialize builds the snapshot of fixtures/ (from the current
 * directory, tests/fuzz.sh runs from the repository's root; or
 * $HEDUI_TEST_ROOT/fixtures) and opens an access log, both in a directory
 * of this process under /tmp (removed at exit).  Invariants (abort() when
 * broken):
 *   - the status is 200, 400 or 413 (500 would be a bug: the CSV the
 *     checker reads is made by serve itself; 503 only when out of memory);
 *   - 200: the body is a JSON object whose "households" are at most those
 *     sent, each with a known verdict; 400/413: a JSON object with "field"
 *     and "reason";
 *   - exactly one access-log line per call, and it holds no run of 17
 *     digits (an ID number in clear);
 *   - the same body answers the same way twice (status and length; the
 *     answer's "ms" is not in it).
 */
#if defined(HEDUI_FAULT_BUILD) || defined(ENGINE_FAULTINJ_H)
#error "fuzz targets are built without fault injection (src/base/faultinj.h)"
#endif

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "engine/join.h"
#include "pipeline.h"
#include "serve/routes.h"
#include "snapshot/snapshot.h"

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz_serve: invariant broken at %s:%d: %s\n", __FILE__,    \
                    __LINE__, #cond);                                                  \
            abort();                                                                   \
        }                                                                              \
    } while (0)

static char dir[64], idx[128], logp[128], keyp[140];
static struct snaps snaps;
static struct serve_ctx ctx;

static void cleanup(void)
{
    accesslog_close(ctx.log);
    snaps_free(&snaps);
    unlink(idx);
    unlink(logp);
    unlink(keyp);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/hedui-fuzz-serve-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(idx, sizeof idx, "%s/fx.idx", dir);
    snprintf(logp, sizeof logp, "%s/access.log", dir);
    snprintf(keyp, sizeof keyp, "%s/access.log.key", dir);
    const char *root = getenv("HEDUI_TEST_ROOT");
    char data[1024], rules[1024];
    snprintf(data, sizeof data, "%s/fixtures", root ? root : ".");
    snprintf(rules, sizeof rules, "%s/rules", root ? root : ".");
    struct run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = data;
    cfg.rules_dir = rules;
    cfg.as_of = date_from_ymd(2026, 6, 15);
    cfg.threads = 1;
    struct pipeline p;
    struct err e;
    err_init(&e);
    int st = pipeline_init(&p, &cfg, &e);
    if (st == E_OK)
        st = pipeline_load_dir(&p, &e);
    if (st == E_OK)
        st = join_build(&p.jn, &p.d, JOIN_SORTED, &e);
    if (st == E_OK)
        st = snapshot_write(&p.d, &p.jn, &p.pol, cfg.as_of, idx, &e);
    pipeline_free(&p);
    if (st == E_OK)
        st = snaps_init(&snaps, idx, NULL, &e);
    if (st == E_OK)
        st = accesslog_open(&ctx.log, logp, &e);
    if (st != E_OK)
        fprintf(stderr, "fuzz_serve: setting up: %s\n", e.msg);
    CHECK(st == E_OK);
    ctx.snaps = &snaps;
    ctx.index_label = "fx.idx";
    ctx.lim = (struct serve_limits){1 << 20, 50, 20, 100, 10, 512};
    json_object_seed(1);
    atexit(cleanup);
    return 0;
}

/* A run of 17 digits outside the keyed hashes ("h:" + 32 hex digits). */
static int has_id_run(const char *s, size_t n)
{
    int run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' && i + 36 <= n && s[i + 1] == 'h' && s[i + 2] == ':' && s[i + 35] == '"') {
            i += 35;
            run = 0;
            continue;
        }
        run = s[i] >= '0' && s[i] <= '9' ? run + 1 : 0;
        if (run >= 17)
            return 1;
    }
    return 0;
}

/* The last line of the access log, checked for ID numbers. */
static void check_last_line(void)
{
    FILE *f = fopen(logp, "rb");
    CHECK(f != NULL);
    CHECK(fseek(f, 0, SEEK_END) == 0);
    long end = ftell(f);
    long from = end > 65536 ? end - 65536 : 0;
    CHECK(fseek(f, from, SEEK_SET) == 0);
    static char buf[65537];
    size_t n = fread(buf, 1, (size_t)(end - from), f);
    fclose(f);
    CHECK(n > 0 && buf[n - 1] == '\n');
    size_t start = n - 1;
    while (start > 0 && buf[start - 1] != '\n')
        start--;
    CHECK(!has_id_run(buf + start, n - start));
}

static void one(const uint8_t *data, size_t size, int *status, size_t *len)
{
    unsigned long long before, after, syncs;
    accesslog_stats(ctx.log, &before, &syncs);
    struct serve_call q = {"POST", "/v1/check", (const char *)data, size, 1, "fuzz", "-",
                           NULL, pipeline_now_ms()};
    struct serve_reply r;
    serve_route(&ctx, &q, &r);
    CHECK(r.status == 200 || r.status == 400 || r.status == 413 || r.status == 503);
    accesslog_stats(ctx.log, &after, &syncs);
    CHECK(after == before + 1);
    json_error_t je;
    json_t *root = json_loadb(r.body, r.len, 0, &je);
    CHECK(root && json_is_object(root));
    if (r.status == 200) {
        json_t *hh = json_object_get(root, "households");
        CHECK(json_is_array(hh));
        json_t *sent = json_loadb((const char *)data, size, 0, &je);
        CHECK(sent && json_array_size(hh) <= json_array_size(json_object_get(sent, "households")));
        json_decref(sent);
        size_t i;
        json_t *h;
        json_array_foreach(hh, i, h) {
            const char *v = json_string_value(json_object_get(h, "verdict"));
            CHECK(v && (!strcmp(v, "no_finding") || !strcmp(v, "needs_review") ||
                        !strcmp(v, "looks_ineligible")));
        }
    } else if (r.status != 503) {
        CHECK(json_is_string(json_object_get(root, "field")));
        CHECK(json_is_string(json_object_get(root, "reason")));
    }
    json_decref(root);
    check_last_line();
    *status = r.status;
    *len = r.len;
    serve_reply_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int s1, s2;
    size_t l1, l2;
    one(data, size, &s1, &l1);
    one(data, size, &s2, &l2);
    CHECK(s1 == s2 && (s1 == 503 || l1 == l2));
    return 0;
}
