/* fuzz_policy.c - libFuzzer target: the rules language's lexer, parser,
 * checker and compiler (src/policy/) on arbitrary bytes taken as a
 * *.policy file.
 *
 * The input is a policy at DIR/p/q/fuzz.policy, where DIR (this process's
 * own, under /tmp, removed at exit) holds a copy of rules/reference.policy,
 * so `extends reference` finds it and nothing else can be found; the rule
 * catalogue is rules/catalogue.rules (run from the repository root).
 * Invariants (abort() when broken):
 *   - the result is E_OK, or E_CONFIG with at least one error, e naming a
 *     file, and every diagnostic inside its file (offset, line);
 *   - the rendered diagnostics exist and every one has "file:line:col: ";
 *   - on E_OK the program passes prog_verify() (registers, constants, memo
 *     slots, rule indexes in range; jumps forward and inside their loop
 *     body; loop bodies nested; BREAK within its loops), and no error was
 *     recorded;
 *   - the same bytes compile to the same program twice (ops and constants,
 *     text constants compared by content);
 *   - compiled for explain (trace points, lang_opts.trace), the same bytes
 *     give the same status and diagnostics count, a program that passes the
 *     verifier (TRACE ops naming trace points of existing rules), labels
 *     that are NUL-terminated text of at most 250 bytes;
 *   - the compiled policy's hash (lang.h policy_hash) is 16 hex digits and
 *     the same for the three compiles.
 * Seeds (tests/fuzz/corpus/fuzz_policy): the reference, the three shipped
 * packs, and small policies for each construct.
 */
#if defined(HEDUI_FAULT_BUILD) || defined(ENGINE_FAULTINJ_H)
#error "fuzz targets are built without fault injection (src/base/faultinj.h)"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "contract/catalogue.h"
#include "policy/compile.h"
#include "policy/lang.h"

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz_policy: invariant broken at %s:%d: %s\n", __FILE__,   \
                    __LINE__, #cond);                                                  \
            abort();                                                                   \
        }                                                                              \
    } while (0)

static char dir[64];
static char path[128];
static int as_of;

static void cleanup(void)
{
    char p[160];
    snprintf(p, sizeof p, "%s/reference.policy", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/p/q", dir);
    rmdir(p);
    snprintf(p, sizeof p, "%s/p", dir);
    rmdir(p);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/hedui-fuzz-policy-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    atexit(cleanup);
    char p[160];
    snprintf(p, sizeof p, "%s/p", dir);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof p, "%s/p/q", dir);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(path, sizeof path, "%s/p/q/fuzz.policy", dir);
    /* the reference policy, for `extends reference` (run from the repository root) */
    FILE *in = fopen("rules/reference.policy", "rb");
    if (in) {
        snprintf(p, sizeof p, "%s/reference.policy", dir);
        FILE *out = fopen(p, "wb");
        CHECK(out != NULL);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            CHECK(fwrite(buf, 1, n, out) == n);
        fclose(in);
        CHECK(fclose(out) == 0);
    }
    CHECK(date_parse("2026-06-15", 10, &as_of) == 0);
    /* the rule catalogue the checker accepts rule ids from */
    struct err e;
    err_init(&e);
    if (catalogue_load_file("rules/catalogue.rules", 1, &e) != E_OK)
        fprintf(stderr, "fuzz_policy: %s: no rule id is known\n", e.msg);
    return 0;
}

static int same_text(const struct vval *a, const struct vval *b)
{
    if ((a->p == NULL) != (b->p == NULL))
        return 0;
    if (!a->p)
        return a->n == b->n && a->d == b->d && a->miss == b->miss;
    return a->n == b->n && memcmp(a->p, b->p, (size_t)a->n) == 0;
}

static void check_one(const struct lang_prog *lp, int st, const struct err *e)
{
    CHECK(st == E_OK || st == E_CONFIG);
    if (st == E_CONFIG) {
        CHECK(lp->nerrors >= 1 || e->msg[0]);
        CHECK(e->msg[0] != '\0');
    } else {
        CHECK(lp->nerrors == 0);
        CHECK(lp->compiled);
        char why[200];
        if (prog_verify(&lp->P, why, sizeof why) != 0) {
            fprintf(stderr, "fuzz_policy: %s\n", why);
            CHECK(!"the program passes the verifier");
        }
    }
    for (int i = 0; i < lp->L.ndiags; i++) {
        const struct ldiag *d = &lp->L.diags[i];
        CHECK(d->pos.file < lp->L.nfiles);
        CHECK(d->pos.off <= lp->L.files[d->pos.file].len);
        long long lines = 1;
        for (size_t k = 0; k < lp->L.files[d->pos.file].len; k++)
            lines += lp->L.files[d->pos.file].text[k] == '\n';
        CHECK(d->pos.line >= 1 && d->pos.line <= lines);
    }
    if (lp->L.ndiags) {
        CHECK(lp->diagnostics != NULL);
        CHECK(strstr(lp->diagnostics, ": error: ") || strstr(lp->diagnostics, ": warning: "));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lang_opts o = {as_of, 6, NULL, 0};
    struct lang_prog *a = NULL, *b = NULL;
    struct err ea, eb;
    err_init(&ea);
    err_init(&eb);
    int sa = lang_load_text(&a, path, (const char *)data, size, &o, &ea);
    int sb = lang_load_text(&b, path, (const char *)data, size, &o, &eb);
    CHECK(a && b);
    check_one(a, sa, &ea);
    CHECK(sa == sb);
    CHECK(a->nerrors == b->nerrors && a->nwarnings == b->nwarnings);
    if (sa == E_OK) {
        CHECK(a->P.nops == b->P.nops && a->P.nconsts == b->P.nconsts);
        CHECK(a->P.nregs == b->P.nregs && a->P.nrules == b->P.nrules);
        CHECK(a->P.nops == 0 || memcmp(a->P.ops, b->P.ops, (size_t)a->P.nops * sizeof *a->P.ops) == 0);
        CHECK(a->P.ncregs == b->P.ncregs);
        for (int i = 0; i < a->P.nconsts; i++)
            CHECK(same_text(&a->P.consts[i], &b->P.consts[i]));
        for (int i = 0; i < a->P.ncregs; i++)
            CHECK(same_text(&a->P.cregs[i], &b->P.cregs[i]));
    }
    /* the same policy compiled for explain */
    struct lang_opts ot = o;
    ot.trace = 1;
    struct lang_prog *t = NULL;
    struct err et;
    err_init(&et);
    int stt = lang_load_text(&t, path, (const char *)data, size, &ot, &et);
    CHECK(t);
    check_one(t, stt, &et);
    CHECK(stt == sa && t->nerrors == a->nerrors);
    if (sa == E_OK) {
        CHECK(strlen(a->policy_hash) == 16 && strspn(a->policy_hash, "0123456789abcdef") == 16);
        CHECK(strcmp(a->policy_hash, b->policy_hash) == 0);
        CHECK(strcmp(a->policy_hash, t->policy_hash) == 0);
        CHECK(a->P.ntp == 0);
        for (int i = 0; i < t->P.ntp; i++)
            CHECK(!t->P.tp[i].label || strlen(t->P.tp[i].label) <= 250);
    }
    lang_prog_free(t);
    lang_prog_free(a);
    lang_prog_free(b);
    return 0;
}
