/* lang.c - read, check and compile a policy (lang.h).
 *
 * Owns: where policy files come from.  A rules directory holds exactly one
 * *.policy file; `extends NAME` names NAME.policy in the extending file's
 * directory or one of the two above it (rules/packs/x/pack.policy extends
 * rules/reference.policy).  A file is UTF-8 (a BOM is skipped), without NUL
 * bytes, at most 1 MiB; a chain of at most LANG_MAX_FILES files without a
 * circle.  The hash covers every file read, in order.  A policy can also
 * come as texts held in memory (a snapshot's copy, lang_load_texts): then
 * `extends NAME` names the text whose file name is NAME.policy.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "base/date.h"
#include "policy/compile.h"
#include "policy/lang.h"

#define MAX_POLICY_BYTES ((size_t)1 << 20)

/* Is s[0..n) valid UTF-8?  Returns the offset of the first bad byte or n. */
static size_t utf8_bad(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        int k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (k == 0 || i + (size_t)k > n)
            return i;
        for (int j = 1; j < k; j++)
            if ((s[i + (size_t)j] & 0xc0) != 0x80)
                return i;
        if ((k == 2 && c < 0xc2) || (k == 3 && c == 0xe0 && s[i + 1] < 0xa0) ||
            (k == 4 && (c > 0xf4 || (c == 0xf0 && s[i + 1] < 0x90))))
            return i;
        i += (size_t)k;
    }
    return n;
}

/* Add a file's text to L; its index, or -1 with e set. */
static int add_text(struct lang_prog *lp, const char *path, const char *text, size_t len,
                    struct err *e)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (len > MAX_POLICY_BYTES)
        return ERR(e, E_CONFIG, "%s is larger than 1 MiB: is it a policy?", path), -1;
    const char *nul = memchr(text, '\0', len);
    size_t bad = utf8_bad((const unsigned char *)text, len);
    if (nul || bad < len) {
        size_t at = nul ? (size_t)(nul - text) : bad;
        long long line = 1;
        for (size_t i = 0; i < at; i++)
            line += text[i] == '\n';
        err_where(e, path, line, 0);
        return ERR(e, E_CONFIG, "%s; save the file as UTF-8 text",
                   nul ? "a NUL byte" : "bytes that are not UTF-8"), -1;
    }
    int f = lang_add_source(&lp->L, path, text, len);
    if (f < 0) {
        if (lp->L.nfiles >= LANG_MAX_FILES)
            return ERR(e, E_CONFIG, "%s: more than %d policies extend each other", path,
                       LANG_MAX_FILES), -1;
        return ERR(e, E_NOMEM, "out of memory while reading %s", path), -1;
    }
    return f;
}

static int read_file(const char *path, char **text, size_t *len, struct err *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ERR(e, errno == ENOENT ? E_NOINPUT : E_IO, "cannot open %s: %s", path,
                   strerror(errno));
    char *buf = malloc(MAX_POLICY_BYTES + 4);
    if (!buf) {
        fclose(fp);
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    }
    size_t n = fread(buf, 1, MAX_POLICY_BYTES + 4, fp);
    int rerr = ferror(fp);
    fclose(fp);
    if (rerr) {
        free(buf);
        return ERR(e, E_IO, "cannot read %s", path);
    }
    *text = buf;
    *len = n;
    return E_OK;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The base policy NAME for a file at path: NAME.policy beside it or up to
 * two directories above. */
static int find_base(const char *path, const char *name, size_t nlen, char *out, size_t n)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    for (int up = 0; up < 3; up++) {
        int k = snprintf(out, n, "%s/%.*s.policy", dir, (int)nlen, name);
        if (k > 0 && (size_t)k < n && file_exists(out))
            return 0;
        size_t dl = strlen(dir);
        if (dl + 4 >= sizeof dir)
            break;
        memcpy(dir + dl, "/..", 4);
    }
    return -1;
}

static void first_error(struct lang_prog *lp, struct err *e)
{
    const struct ldiag *d = NULL;
    for (int i = 0; i < lp->L.ndiags; i++)
        if (!lp->L.diags[i].warning && (!d || lp->L.diags[i].pos.file < d->pos.file ||
                                        (lp->L.diags[i].pos.file == d->pos.file &&
                                         lp->L.diags[i].pos.off < d->pos.off)))
            d = &lp->L.diags[i];
    if (!d) {
        ERR(e, E_CONFIG, "the policy could not be compiled");
        return;
    }
    err_where(e, lp->L.files[d->pos.file].path, d->pos.line, lang_column(&lp->L, d->pos, NULL));
    if (lp->nerrors > 1)
        ERR(e, E_CONFIG, "%s (and %d more errors: run 'hedui rules check' to see them all)",
            d->msg, lp->nerrors - 1);
    else
        ERR(e, E_CONFIG, "%s", d->msg);
}

/* The given text (lang_load_texts) whose file name is NAME.policy, or -1. */
static int find_given(const struct policy_text *t, int n, const char *name, size_t nlen)
{
    for (int i = 0; i < n; i++) {
        const char *b = strrchr(t[i].path, '/');
        b = b ? b + 1 : t[i].path;
        if (strncmp(b, name, nlen) == 0 && strcmp(b + nlen, ".policy") == 0)
            return i;
    }
    return -1;
}

/* Add the base NAME of file f: from the given texts, else from the disk.
 * E_OK also when an error about the policy was recorded in L. */
static int add_base(struct lang_prog *lp, int f, const struct policy_ast *a,
                    const struct policy_text *given, int ngiven, struct err *e)
{
    struct lang *L = &lp->L;
    if (given) {
        int g = find_given(given, ngiven, a->extends, a->extlen);
        if (g < 0) {
            lang_error(L, a->extpos, a->extlen, "extends %.*s: no %.*s.policy among the policy "
                       "files stored with it", (int)a->extlen, a->extends, (int)a->extlen,
                       a->extends);
            return E_OK;
        }
        for (int h = 0; h <= f; h++)
            if (strcmp(L->files[h].path, given[g].path) == 0) {
                lang_error(L, a->extpos, a->extlen, "extends %.*s: the policies extend each "
                           "other in a circle", (int)a->extlen, a->extends);
                return E_OK;
            }
        return add_text(lp, given[g].path, given[g].text, given[g].len, e) < 0 ? e->code : E_OK;
    }
    char base[1024];
    if (find_base(L->files[f].path, a->extends, a->extlen, base, sizeof base) != 0) {
        lang_error(L, a->extpos, a->extlen, "extends %.*s: no %.*s.policy beside this file "
                   "or in the two directories above it", (int)a->extlen, a->extends,
                   (int)a->extlen, a->extends);
        return E_OK;
    }
    for (int g = 0; g <= f; g++) {
        char r1[PATH_MAX], r2[PATH_MAX];
        if (realpath(L->files[g].path, r1) && realpath(base, r2) && strcmp(r1, r2) == 0) {
            lang_error(L, a->extpos, a->extlen, "extends %.*s: the policies extend each "
                       "other in a circle", (int)a->extlen, a->extends);
            return E_OK;
        }
    }
    char *text;
    size_t len;
    int st = read_file(base, &text, &len, e);
    if (st != E_OK)
        return st;
    int nfi = add_text(lp, base, text, len, e);
    free(text);
    return nfi < 0 ? e->code : E_OK;
}

/* Parse files[0] (already added), follow its extends (among given[0..ngiven)
 * when given, else on the disk), check, compile. */
static int build(struct lang_prog *lp, const struct lang_opts *o, const struct policy_text *given,
                 int ngiven, struct err *e)
{
    struct lang *L = &lp->L;
    struct policy_ast *files[LANG_MAX_FILES];
    int nf = 0;
    XXH64_state_t *hs = XXH64_createState();
    if (!hs)
        return ERR(e, E_NOMEM, "out of memory while reading the policy");
    XXH64_reset(hs, 0);
    int st = E_OK;
    for (int f = 0; f < L->nfiles && st == E_OK; f++) {
        XXH64_update(hs, L->files[f].text, L->files[f].len);
        struct policy_ast *a = parse_file(L, f);
        if (!a) {
            st = ERR(e, E_NOMEM, "out of memory while reading the policy");
            break;
        }
        files[nf++] = a;
        if (!a->extends || L->nerrors)
            continue;
        st = add_base(lp, f, a, given, ngiven, e);
    }
    snprintf(lp->hash, sizeof lp->hash, "%016llx", (unsigned long long)XXH64_digest(hs));
    XXH64_freeState(hs);
    if (st != E_OK)
        return st;
    if (L->nerrors == 0 && !L->oom) {
        int last = date_month(o->as_of) - 1;
        int first = last - o->window_months + 1;
        if (check_policy(L, files, nf, o->as_of, o->window_months, &lp->cp) == 0 &&
            L->nerrors == 0) {
            if (compile_policy(L, &lp->cp, first, last, o->have, o->trace, &lp->P) == 0)
                lp->compiled = 1;
        }
    }
    for (int i = 0; i < L->ndiags; i++) {
        if (L->diags[i].warning)
            lp->nwarnings++;
        else
            lp->nerrors++;
    }
    if (L->ndiags)
        lp->diagnostics = lang_render(L);
    if (L->oom)
        return ERR(e, E_NOMEM, "out of memory while compiling the policy");
    if (lp->nerrors) {
        first_error(lp, e);
        return E_CONFIG;
    }
    if (!lp->compiled)
        return ERR(e, E_INTERNAL, "the policy checked but did not compile");
    return E_OK;
}

static struct lang_prog *new_prog(void)
{
    struct lang_prog *lp = calloc(1, sizeof *lp);
    if (lp)
        lang_init(&lp->L);
    return lp;
}

/* The policy's name: its file's, without the directory and ".policy". */
static void set_name(struct lang_prog *lp, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 7 && strcmp(b + n - 7, ".policy") == 0)
        n -= 7;
    snprintf(lp->cp.name, sizeof lp->cp.name, "%.*s", (int)n, b);
}

static int load_text(struct lang_prog **out, const char *path, const char *text, size_t len,
                     const struct policy_text *given, int ngiven, const struct lang_opts *o,
                     int hash, struct err *e);

/* policy_hash (lang.h) of lp: the same text compiled once more the
 * canonical way (a fixed day, no feed decided, no trace), its bases from
 * the same place (given texts, else the disk).  The canonical compile
 * cannot fail where lp's succeeded (every parameter has a value with no
 * date); if it does, the hash says so rather than stop the run. */
static int canonical_hash(struct lang_prog *lp, const struct policy_text *given, int ngiven,
                          const struct lang_opts *o, struct err *e)
{
    struct lang_opts co = {date_from_ymd(2000, 1, 1), o->window_months, NULL, 0};
    struct lang_prog *cl = NULL;
    struct err ce;
    err_init(&ce);
    int st = load_text(&cl, lp->entry, lp->L.files[0].text, lp->L.files[0].len, given, ngiven,
                       &co, 0, &ce);
    if (st == E_NOMEM) {
        lang_prog_free(cl);
        return ERR(e, E_NOMEM, "out of memory while compiling the policy");
    }
    if (st != E_OK || policy_hash(&cl->L, &cl->cp, &cl->P, lp->policy_hash) != 0)
        snprintf(lp->policy_hash, sizeof lp->policy_hash, "unknown");
    lang_prog_free(cl);
    return E_OK;
}

static int load_text(struct lang_prog **out, const char *path, const char *text, size_t len,
                     const struct policy_text *given, int ngiven, const struct lang_opts *o,
                     int hash, struct err *e)
{
    struct lang_prog *lp = *out = new_prog();
    if (!lp)
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    snprintf(lp->entry, sizeof lp->entry, "%s", path);
    if (add_text(lp, path, text, len, e) < 0)
        return e->code;
    int st = build(lp, o, given, ngiven, e);
    set_name(lp, path);   /* after check_policy, which clears lp->cp */
    if (st == E_OK && hash)
        st = canonical_hash(lp, given, ngiven, o, e);
    return st;
}

int lang_load_text(struct lang_prog **out, const char *path, const char *text, size_t len,
                   const struct lang_opts *o, struct err *e)
{
    return load_text(out, path, text, len, NULL, 0, o, 1, e);
}

int lang_load_texts(struct lang_prog **out, const struct policy_text *t, int n,
                    const struct lang_opts *o, struct err *e)
{
    *out = NULL;
    if (n < 1)
        return ERR(e, E_NOINPUT, "no policy file was stored");
    return load_text(out, t[0].path, t[0].text, t[0].len, t, n, o, 1, e);
}

int lang_load_dir(struct lang_prog **out, const char *dir, const struct lang_opts *o,
                  struct err *e)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return ERR(e, errno == ENOENT ? E_NOINPUT : E_IO, "cannot open the rules directory "
                   "%s: %s", dir, strerror(errno));
    char found[2][256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l > 7 && strcmp(de->d_name + l - 7, ".policy") == 0 && de->d_name[0] != '.') {
            if (n < 2)
                snprintf(found[n], sizeof found[n], "%s", de->d_name);
            n++;
        }
    }
    closedir(d);
    if (n == 0)
        return ERR(e, E_NOINPUT, "no *.policy file in %s (the rules language: "
                   "rules/README.md)", dir);
    if (n > 1)
        return ERR(e, E_CONFIG, "%s holds %d .policy files (%s, %s%s): keep one; a pack names "
                   "its base with 'extends'", dir, n, found[0], found[1], n > 2 ? ", ..." : "");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, found[0]);
    char *text;
    size_t len;
    int st = read_file(path, &text, &len, e);
    if (st != E_OK)
        return st;
    st = lang_load_text(out, path, text, len, o, e);
    free(text);
    return st;
}

void lang_prog_free(struct lang_prog *lp)
{
    if (!lp)
        return;
    prog_free(&lp->P);
    free(lp->diagnostics);
    lang_free(&lp->L);
    free(lp);
}
