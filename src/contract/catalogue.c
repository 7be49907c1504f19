/* catalogue.c - the rule catalogue: rules/catalogue.rules read into the
 * process's table (see catalogue.h).
 *
 * Owns: the catalogue file's sections and keys (one section per rule:
 * kind, scope, severity, feed, label, check, basis; each exactly once, a
 * rule id at most once, at most RULES_MAX rules), the installed table and
 * its columns, and the skip notes.  The grammar is inifile.c's.  Never
 * judges a rule and never reads policy.rules.
 *
 * Installing: a catalogue is parsed into a table of its own first and
 * copied over the process's only when whole, so a bad file leaves the
 * installed one as it was.  Its strings live in one arena, released when
 * another catalogue replaces it.
 */
#include "contract/catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/fileio.h"
#include "contract/inifile.h"

struct rule_def rule_catalogue[RULES_MAX];
const char *rule_names[RULES_MAX];
enum rule_kind rule_kinds[RULES_MAX];
int n_rules;

const char *const kind_names[N_KINDS] = {"cuobao", "loubao", "quality", "process"};
const char *const scope_names[N_SCOPES] = {"person", "household", "candidate", "cancelled"};
const char *const severity_names[N_SEV] = {"high", "medium", "low"};
const char *const severity_names_zh[N_SEV] = {"高", "中", "低"};

/* the installed catalogue's storage */
static struct arena cat_arena;
static int cat_have_arena;
static char *cat_text;
static size_t cat_len;
static char cat_path[512];
static char cat_hash[17];

int rule_find(const char *s, size_t len)
{
    for (int r = 0; r < n_rules; r++)
        if (strlen(rule_names[r]) == len && memcmp(rule_names[r], s, len) == 0)
            return r;
    return -1;
}

const char *rule_label_zh(int rule)
{
    return rule >= 0 && rule < n_rules ? rule_catalogue[rule].label_zh : "";
}

/* ---------- reading ---------- */

enum ckey { CK_KIND, CK_SCOPE, CK_SEVERITY, CK_FEED, CK_LABEL, CK_CHECK, CK_BASIS, N_CKEYS };
static const char *const ckey_names[N_CKEYS] = {"kind", "scope", "severity", "feed",
                                                 "label", "check", "basis"};

struct reading {
    const char *path;
    struct arena *ar;
    struct rule_def rules[RULES_MAX];
    int seen[RULES_MAX][N_CKEYS];   /* line of each key of each rule, 0 unseen */
    int line[RULES_MAX];            /* line of each rule's header */
    int n;
};

static int lookup(const char *const *names, int n, const char *v)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], v) == 0)
            return i;
    return -1;
}

static int on_section(void *ctx, const char *name, int line, struct err *e)
{
    struct reading *rd = ctx;
    size_t len = strlen(name);
    int ok = len > 0 && len < 48;
    for (size_t i = 0; i < len && ok; i++)
        ok = (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
             name[i] == '_';
    err_where(e, rd->path, line, 1);
    if (!ok)
        return ERR(e, E_CONFIG, "[%s]: a rule id is 1 to 47 capital letters, digits and '_'",
                   name);
    for (int r = 0; r < rd->n; r++)
        if (strcmp(rd->rules[r].name, name) == 0)
            return ERR(e, E_CONFIG, "rule %s is listed twice (first on line %d)", name,
                       rd->line[r]);
    if (rd->n == RULES_MAX)
        return ERR(e, E_CONFIG, "more than %d rules: the engine holds %d", RULES_MAX,
                   RULES_MAX);
    const char *copy = arena_strndup(rd->ar, name, len);
    if (!copy) {
        err_init(e);   /* out of memory names no place */
        return ERR(e, E_NOMEM, "out of memory while reading %s", rd->path);
    }
    memset(&rd->rules[rd->n], 0, sizeof rd->rules[rd->n]);
    rd->rules[rd->n].name = copy;
    rd->line[rd->n] = line;
    rd->n++;
    err_init(e);
    return E_OK;
}

static int set_value(struct reading *rd, struct rule_def *d, int k, const char *v, int line,
                     struct err *e)
{
    int i;
    switch (k) {
    case CK_KIND:
        if ((i = lookup(kind_names, N_KINDS, v)) < 0)
            return ERR(e, E_CONFIG, "[%s] kind: '%s' is not cuobao, loubao, quality or process",
                       d->name, v);
        d->kind = (enum rule_kind)i;
        return E_OK;
    case CK_SCOPE:
        if ((i = lookup(scope_names, N_SCOPES, v)) < 0)
            return ERR(e, E_CONFIG, "[%s] scope: '%s' is not person, household, candidate or "
                       "cancelled", d->name, v);
        d->scope = (enum rule_scope)i;
        return E_OK;
    case CK_SEVERITY:
        if ((i = lookup(severity_names, N_SEV, v)) < 0)
            return ERR(e, E_CONFIG, "[%s] severity: '%s' is not high, medium or low", d->name,
                       v);
        d->severity = (enum severity)i;
        return E_OK;
    case CK_FEED:
        d->feed = RULE_NO_FEED;
        if (!*v)
            return E_OK;
        i = lookup(input_file_names, N_INPUT, v);
        if (i < 0 || feed_decls[i].need != IN_OPTIONAL_FEED)
            return ERR(e, E_CONFIG, "[%s] feed: '%s' is not an optional feed (business.csv, "
                       "public_servants.csv, staff_relatives.csv, candidates.csv, "
                       "financial_assets.csv, funeral.csv) or empty", d->name, v);
        d->feed = i;
        return E_OK;
    default: {
        if (!*v)
            return ERR(e, E_CONFIG, "[%s] %s: empty", d->name, ckey_names[k]);
        const char *copy = arena_strndup(rd->ar, v, strlen(v));
        if (!copy) {
            err_init(e);   /* out of memory names no place */
            return ERR(e, E_NOMEM, "out of memory while reading %s", rd->path);
        }
        *(k == CK_LABEL ? &d->label_zh : k == CK_CHECK ? &d->check_zh : &d->basis_zh) = copy;
        (void)line;
        return E_OK;
    }
    }
}

static int on_setting(void *ctx, const char *section, const char *key, char *val, int line,
                      struct err *e)
{
    struct reading *rd = ctx;
    (void)section;   /* always the last rule's */
    struct rule_def *d = &rd->rules[rd->n - 1];
    int k = lookup(ckey_names, N_CKEYS, key);
    err_where(e, rd->path, line, 1);
    if (k < 0)
        return ERR(e, E_CONFIG, "unknown key '%s' in [%s] (kind, scope, severity, feed, "
                   "label, check, basis)", key, d->name);
    if (rd->seen[rd->n - 1][k])
        return ERR(e, E_CONFIG, "'%s' in [%s] is set twice (first on line %d)", key, d->name,
                   rd->seen[rd->n - 1][k]);
    rd->seen[rd->n - 1][k] = line;
    int st = set_value(rd, d, k, val, line, e);
    if (st == E_OK)
        err_init(e);
    return st;
}

/* Install rd's table as the process's, taking over its arena. */
static void install(struct reading *rd, struct arena *ar, char *text, size_t len,
                    const char *path, const char *hash)
{
    if (cat_have_arena)
        arena_free(&cat_arena);
    free(cat_text);
    cat_arena = *ar;
    cat_have_arena = 1;
    cat_text = text;
    cat_len = len;
    snprintf(cat_path, sizeof cat_path, "%s", path);
    snprintf(cat_hash, sizeof cat_hash, "%s", hash);
    memset(rule_catalogue, 0, sizeof rule_catalogue);
    memset(rule_names, 0, sizeof rule_names);
    memset(rule_kinds, 0, sizeof rule_kinds);
    for (int r = 0; r < rd->n; r++) {
        rule_catalogue[r] = rd->rules[r];
        rule_names[r] = rd->rules[r].name;
        rule_kinds[r] = rd->rules[r].kind;
    }
    n_rules = rd->n;
}

int catalogue_load_text(const char *path, const char *text, size_t len, struct err *e)
{
    struct reading *rd = calloc(1, sizeof *rd);
    char *copy = malloc(len + 1);
    if (!rd || !copy) {
        free(rd);
        free(copy);
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    struct arena ar;
    arena_init(&ar, (size_t)8 << 10);
    rd->path = path;
    rd->ar = &ar;
    static const struct ini_cb cb = {on_section, on_setting};
    char hash[17];
    int lines = 0;
    int st = ini_parse(path, text, len, &cb, rd, hash, &lines, e);
    if (st == E_OK && n_rules > 0 && cat_text && strcmp(hash, cat_hash) == 0 &&
        cat_len == len && memcmp(cat_text, text, len) == 0) {
        free(copy);   /* the one installed */
        arena_free(&ar);
        free(rd);
        return E_OK;
    }
    for (int r = 0; r < rd->n && st == E_OK; r++)
        for (int k = 0; k < N_CKEYS; k++)
            if (!rd->seen[r][k]) {
                err_where(e, path, rd->line[r], 0);
                st = ERR(e, E_CONFIG, "[%s] has no '%s'; every rule of the catalogue states "
                         "kind, scope, severity, feed, label, check and basis", rd->rules[r].name,
                         ckey_names[k]);
                break;
            }
    if (st == E_OK && rd->n == 0) {
        err_where(e, path, lines, 0);
        st = ERR(e, E_CONFIG, "no rule in the catalogue");
    }
    if (st == E_OK) {
        install(rd, &ar, copy, len, path, hash);
    } else {
        free(copy);
        arena_free(&ar);
    }
    free(rd);
    return st;
}

int catalogue_load_file(const char *path, int replace, struct err *e)
{
    char *b = NULL;
    size_t n = 0;
    int st = fileio_read_all(path, &b, &n, e);
    if (st != E_OK)
        return st;
    st = replace ? catalogue_load_text(path, b, n, e) : catalogue_accept_text(path, b, n, e);
    free(b);
    return st;
}

int catalogue_load_dir(const char *dir, int replace, struct err *e)
{
    static const char *const up[3] = {"", "/..", "/../.."};
    char path[1200];
    struct stat sb;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s/catalogue.rules", dir, up[i]);
        if (stat(path, &sb) == 0)
            return catalogue_load_file(path, replace, e);
    }
    return ERR(e, E_CONFIG, "no rule catalogue (catalogue.rules) in %s or the two directories "
               "above it", dir);
}

int catalogue_accept_text(const char *path, const char *text, size_t len, struct err *e)
{
    if (n_rules > 0 && !(cat_len == len && memcmp(cat_text, text, len) == 0))
        return ERR(e, E_CONFIG, "%s holds another rule catalogue than the one this process "
                   "judges with (%s): rebuild it, or give the same rules directory",
                   path, cat_path);
    return catalogue_load_text(path, text, len, e);
}

const char *catalogue_text(size_t *len)
{
    *len = cat_len;
    return n_rules > 0 ? cat_text : NULL;
}

const char *catalogue_path(void)
{
    return cat_path;
}

void rule_skip_notes(struct skip_notes *s, const char *const why[N_INPUT])
{
    s->n = 0;
    for (int r = 0; r < n_rules; r++) {
        int f = rule_catalogue[r].feed;
        if (f == RULE_NO_FEED || !why[f])
            continue;
        snprintf(s->text[s->n], sizeof s->text[s->n], "%s: %s %s", rule_names[r],
                 input_file_names[f], why[f]);
        s->list[s->n] = s->text[s->n];
        s->n++;
    }
    s->list[s->n] = NULL;
}
