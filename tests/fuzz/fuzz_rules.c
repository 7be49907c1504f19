/* fuzz_rules.c - libFuzzer target: policy_load() (contract/policy.c) on arbitrary bytes
 * taken as rules/policy.rules.
 *
 * The input is written to policy.rules in a directory of this process's own
 * under /tmp (removed at exit) and loaded.  Invariants (abort() when
 * broken):
 *   - the result is E_OK, or E_CONFIG / E_IO with e set: the code, the path,
 *     and a line within the file's line count (at least 1 unless the file is
 *     empty: a missing key names the last line);
 *   - on E_OK every value is in range: version set and NUL-terminated,
 *     rationals with den > 0 and reject_limit at most 1, window_months
 *     1..120, severities high/medium/low/off, sets within their value sets;
 *   - the hash is 16 hex digits, and the same bytes load the same way twice.
 */
#define FUZZ_TARGET "fuzz_rules"
#include "fuzz_main.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract/policy.h"

static char dir[64];
static char path[128];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/hedui-fuzz-rules-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/policy.rules", dir);
    atexit(cleanup);
    return 0;
}

static int load(struct policy *p, struct err *e)
{
    err_init(e);
    return policy_load(p, path, e);
}

static void check_rational(struct rational r)
{
    CHECK(r.den > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);

    long long lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (size > 0 && data[size - 1] != '\n')
        lines++;

    static struct policy p, q;
    struct err e, e2;
    int st = load(&p, &e);
    CHECK(st == E_OK || st == E_CONFIG || st == E_IO);
    CHECK(memchr(p.hash, '\0', sizeof p.hash) == p.hash + 16);
    for (int i = 0; i < 16; i++)
        CHECK((p.hash[i] >= '0' && p.hash[i] <= '9') || (p.hash[i] >= 'a' && p.hash[i] <= 'f'));
    if (st != E_OK) {
        CHECK((int)e.code == st);
        CHECK(e.msg[0] != '\0');
        if (st == E_CONFIG) {
            CHECK(strcmp(e.in_path, path) == 0);
            CHECK(e.in_line >= 0 && e.in_line <= lines);
            CHECK(lines == 0 || e.in_line >= 1);
        }
    } else {
        CHECK(memchr(p.version, '\0', sizeof p.version) != NULL && p.version[0] != '\0');
        check_rational(p.reject_limit);
        CHECK(p.reject_limit.num <= p.reject_limit.den);
        CHECK(p.income_months >= 1 && p.income_months <= 120);
        check_rational(p.feed_drop_limit);
        for (int i = 0; i < N_PROG; i++)
            check_rational(p.spot_ratio[i]);
        for (int i = 0; i < N_SEV; i++)
            CHECK(p.weight[i] >= 0);
        CHECK(p.rules_dir[0] == '\0' && p.n_texts == 0);
    }

    /* deterministic */
    int st2 = load(&q, &e2);
    CHECK(st2 == st);
    CHECK(memcmp(&p, &q, sizeof p) == 0);
    if (st != E_OK)
        CHECK(e.in_line == e2.in_line && strcmp(e.msg, e2.msg) == 0);
    return 0;
}
