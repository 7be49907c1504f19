/* testkit.c - run the hedui pipeline in-process for unit tests (testkit.h).
 *
 * Wires the stages as pipeline.c does for a run (the judging through
 * pipeline_judge itself), without writing outputs and without the
 * reject-limit check (tests look at the rejects instead).  Built once by
 * the Makefile (TEST_SRC) and linked into check_all with the suites.
 *
 * Owns: the contract's header rows as the tests know them (typed here on
 * purpose, independent of src/, so a renamed column in contract/model.c
 * fails the tests), the shared CSV builder, the harness.
 */
#include "testkit.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/textout.h"
#include "engine/vm.h"
#include "pipeline.h"
#include "policy/lang.h"
#include "tests.h"

/* ---------- files ---------- */

static const struct {
    const char *name, *header;
} headers[] = {
    {"households.csv", "household_id,region_code,program,area_type,status,applied_on,"
                       "approved_on,monthly_benefit,caseworker_id"},
    {"members.csv", "household_id,id_no,name,relation,declared_monthly_income,work_ability,"
                    "disability_grade"},
    {"hukou.csv", "id_no,name,hukou_no,relation_to_head,region_code,status,status_date"},
    {"vehicles.csv", "id_no,plate_no,vehicle_class,use,registered_on,value_yuan,status"},
    {"property.csv", "id_no,property_id,usage,area_m2,share,registered_on,status"},
    {"social_insurance.csv", "id_no,period,kind,employer,amount"},
    {"business.csv", "id_no,entity_name,role,registered_capital_yuan,status"},
    {"public_servants.csv", "id_no,employer,since"},
    {"staff_relatives.csv", "caseworker_id,relative_id_no,relation"},
    {"candidates.csv", "id_no,source,region_code,area_type"},
    {"standards.csv", "region_prefix,area_type,effective_from,monthly_yuan"},
    {"holidays.csv", "date,kind"},
    {"financial_assets.csv", "id_no,institution,account_no,asset_type,balance_yuan,balance_date"},
    {"funeral.csv", "id_no,name,event_date,kind"},
};

static const char *const required[] = {"households.csv", "members.csv",  "hukou.csv",
                                       "vehicles.csv",   "property.csv", "social_insurance.csv"};

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("testkit: out of memory\n", stderr);
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

const char *tk_header(const char *name)
{
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
        if (strcmp(headers[i].name, name) == 0)
            return headers[i].header;
    return NULL;
}

int tk_write_bytes(const char *dir, const char *name, const void *bytes, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = n == 0 || fwrite(bytes, 1, n, f) == n;
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

int tk_write_file(const char *dir, const char *name, const char *text)
{
    return tk_write_bytes(dir, name, text, strlen(text));
}

int tk_put(const char *dir, const char *name, const char *rows)
{
    const char *h = tk_header(name);
    if (!h) {
        errno = EINVAL;
        return -1;
    }
    size_t n = strlen(h) + 1 + strlen(rows) + 1;
    char *text = xmalloc(n);
    snprintf(text, n, "%s\n%s", h, rows);
    int r = tk_write_file(dir, name, text);
    free(text);
    return r;
}

const char *tk_write_tmp(const char *dir, const char *name, const void *bytes, size_t n)
{
    static char paths[8][600];
    static int slot;
    char *p = paths[slot++ % 8];
    snprintf(p, 600, "%s/%s", dir, name);
    ck_assert_msg(tk_write_bytes(dir, name, bytes, n) == 0, "cannot write %s: %s", p,
                  strerror(errno));
    return p;
}

char *tk_emptydir(void)
{
    char tmpl[] = "/tmp/hedui-tk.XXXXXX";
    return mkdtemp(tmpl) ? xstrdup(tmpl) : NULL;
}

char *tk_scratch;

void tk_scratch_setup(void)
{
    tk_scratch = tk_emptydir();
    ck_assert_ptr_nonnull(tk_scratch);
}

void tk_scratch_teardown(void)
{
    tk_rmdir(tk_scratch);
    tk_scratch = NULL;
}

const char *tk_scratch_write(const char *name, const void *bytes, size_t n)
{
    return tk_write_tmp(tk_scratch, name, bytes, n);
}

char *tk_tmpdir(void)
{
    char *dir = tk_emptydir();
    if (!dir)
        return NULL;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (tk_put(dir, required[i], "") != 0) {
            tk_rmdir(dir);
            return NULL;
        }
    return dir;
}

void tk_rmdir(char *dir)
{
    if (!dir)
        return;
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *de;
        while ((de = readdir(dp)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            unlink(path);
        }
        closedir(dp);
    }
    rmdir(dir);
    free(dir);
}

/* ---------- ID numbers ---------- */

char tk_check_char(const char *d)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char c[] = "10X98765432";
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (d[i] - '0') * w[i];
    return c[s % 11];
}

void tk_make_id(char out[19], const char *area6, int ymd, int seq)
{
    snprintf(out, 19, "%.6s%08d%03d", area6, ymd, seq % 1000);
    out[17] = tk_check_char(out);
    out[18] = '\0';
}

/* ---------- policy edits ---------- */

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            char *q = realloc(b, cap * 2);
            if (!q)
                abort();
            b = q;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - n - 1, f);
        if (k == 0)
            break;
        n += k;
    }
    fclose(f);
    b[n] = '\0';
    return b;
}

static void trim_span(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

struct edit {
    char section[64], key[64], value[128];
    int used;
};

static int parse_edits(const char *text, struct edit *ed, int max, struct err *e)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *s = p;
        size_t sl = len;
        trim_span(&s, &sl);
        if (sl) {
            const char *dot = memchr(s, '.', sl), *eq = memchr(s, '=', sl);
            if (!dot || !eq || dot > eq || n == max) {
                ERR(e, E_CONFIG, "testkit: bad policy edit '%.*s'", (int)sl, s);
                return -1;
            }
            const char *k = dot + 1, *v = eq + 1;
            size_t secl = (size_t)(dot - s), kl = (size_t)(eq - k), vl = sl - (size_t)(v - s);
            trim_span(&k, &kl);
            trim_span(&v, &vl);
            snprintf(ed[n].section, sizeof ed[n].section, "%.*s", (int)secl, s);
            snprintf(ed[n].key, sizeof ed[n].key, "%.*s", (int)kl, k);
            snprintf(ed[n].value, sizeof ed[n].value, "%.*s", (int)vl, v);
            ed[n].used = 0;
            n++;
        }
        p += len + (eol ? 1 : 0);
    }
    return n;
}

/* Write an edited copy of `src` to a temporary file; its path in out. */
static int edit_policy(const char *src, const char *edits, char *out, size_t outn, struct err *e)
{
    struct edit ed[32];
    int ne = parse_edits(edits, ed, 32, e);
    if (ne < 0)
        return e->code;
    char *text = slurp(src);
    if (!text)
        return ERR(e, E_NOINPUT, "testkit: cannot read %s", src);
    snprintf(out, outn, "/tmp/hedui-tk-policy.XXXXXX");
    int fd = mkstemp(out);
    if (fd < 0) {
        free(text);
        return ERR(e, E_IO, "testkit: mkstemp: %s", strerror(errno));
    }
    FILE *f = fdopen(fd, "w");
    char section[64] = "";
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *s = p;
        size_t sl = len;
        trim_span(&s, &sl);
        int replaced = 0;
        if (sl > 1 && s[0] == '[' && s[sl - 1] == ']') {
            snprintf(section, sizeof section, "%.*s", (int)(sl - 2), s + 1);
        } else if (sl && s[0] != '#') {
            const char *eq = memchr(s, '=', sl);
            if (eq) {
                const char *k = s;
                size_t kl = (size_t)(eq - s);
                trim_span(&k, &kl);
                for (int i = 0; i < ne; i++)
                    if (strcmp(ed[i].section, section) == 0 && strlen(ed[i].key) == kl &&
                        strncmp(ed[i].key, k, kl) == 0) {
                        fprintf(f, "%s = %s\n", ed[i].key, ed[i].value);
                        ed[i].used = 1;
                        replaced = 1;
                        break;
                    }
            }
        }
        if (!replaced)
            fprintf(f, "%.*s\n", (int)len, p);
        p += len + (eol ? 1 : 0);
    }
    fclose(f);
    free(text);
    for (int i = 0; i < ne; i++)
        if (!ed[i].used) {
            unlink(out);
            return ERR(e, E_CONFIG, "testkit: policy edit %s.%s matches no setting",
                       ed[i].section, ed[i].key);
        }
    return E_OK;
}

/* A copy of the rules directory `rules` in a new temporary directory
 * (malloc'd path in *out) whose .policy file has the edits applied. */
static int edit_rules(const char *rules, const char *const *edits, char **out, struct err *e)
{
    char *dir = *out = tk_emptydir();
    if (!dir)
        return ERR(e, E_IO, "testkit: cannot make a temporary rules directory");
    DIR *dp = opendir(rules);
    if (!dp)
        return ERR(e, E_IO, "testkit: cannot open %s", rules);
    struct dirent *de;
    int st = E_OK, found = 0;
    while (st == E_OK && (de = readdir(dp)) != NULL) {
        char from[1400], to[1400];
        snprintf(from, sizeof from, "%s/%s", rules, de->d_name);
        snprintf(to, sizeof to, "%s/%s", dir, de->d_name);
        if (!file_exists(from))
            continue;
        char *text = slurp(from);
        size_t l = strlen(de->d_name);
        if (l > 7 && strcmp(de->d_name + l - 7, ".policy") == 0) {
            found = 1;
            for (int i = 0; edits[i] && st == E_OK; i += 2) {
                char *at = strstr(text, edits[i]);
                if (!at || !edits[i + 1]) {
                    st = ERR(e, E_CONFIG, "testkit: rules edit '%s' matches nothing in %s",
                             edits[i], from);
                    break;
                }
                size_t fl = strlen(edits[i]), tl = strlen(edits[i + 1]), n = strlen(text);
                char *t2 = xmalloc(n - fl + tl + 1);
                memcpy(t2, text, (size_t)(at - text));
                memcpy(t2 + (at - text), edits[i + 1], tl);
                memcpy(t2 + (at - text) + tl, at + fl, n - (size_t)(at - text) - fl + 1);
                free(text);
                text = t2;
            }
        }
        if (st == E_OK && tk_write_file(dir, de->d_name, text) != 0)
            st = ERR(e, E_IO, "testkit: cannot write %s", to);
        free(text);
    }
    closedir(dp);
    if (st == E_OK && !found)
        st = ERR(e, E_CONFIG, "testkit: no .policy file in %s to edit", rules);
    return st;
}

/* ---------- running ---------- */

static struct tk *tk_judge(struct tk *tk, const char *dir, const char *rules,
                           const struct tk_opts *o);

struct tk *tk_run(const char *dir, const struct tk_opts *o)
{
    static const struct tk_opts none = {0};
    if (!o)
        o = &none;
    struct tk *tk = xmalloc(sizeof *tk);
    memset(tk, 0, sizeof *tk);
    err_init(&tk->e);
    dataset_init(&tk->d);

    const char *as_of = o->as_of ? o->as_of : TK_AS_OF;
    if (date_parse(as_of, strlen(as_of), &tk->as_of) != 0) {
        tk->stage = "as-of";
        tk->st = ERR(&tk->e, E_USAGE, "testkit: bad as-of '%s'", as_of);
        return tk;
    }
    tk->seed = o->seed_set ? o->seed : (uint64_t)date_to_ymd_int(tk->as_of);

    char rules[1024], path[2048];
    if (o->rules_dir)
        snprintf(rules, sizeof rules, "%s", o->rules_dir);
    else
        snprintf(rules, sizeof rules, "%s/rules", test_root());
    char *edited_rules = NULL;
    if (o->rules_edit) {
        tk->stage = "rules edit";
        tk->st = edit_rules(rules, o->rules_edit, &edited_rules, &tk->e);
        if (edited_rules)
            snprintf(rules, sizeof rules, "%s", edited_rules);
        if (tk->st != E_OK) {
            tk_rmdir(edited_rules);
            return tk;
        }
    }

    /* policy */
    tk->stage = "policy";
    snprintf(path, sizeof path, "%s/policy.rules", rules);
    if (o->policy_edit) {
        char edited[64];
        tk->st = edit_policy(path, o->policy_edit, edited, sizeof edited, &tk->e);
        if (tk->st != E_OK)
            return tk;
        tk->st = policy_load(&tk->pol, edited, &tk->e);
        unlink(edited);
    } else {
        tk->st = policy_load(&tk->pol, path, &tk->e);
    }
    snprintf(tk->pol.rules_dir, sizeof tk->pol.rules_dir, "%.500s", rules);
    if (tk->st != E_OK || !edited_rules)
        return tk_judge(tk, dir, rules, o);
    tk_judge(tk, dir, rules, o);
    tk_rmdir(edited_rules);   /* the policy was compiled and run */
    tk->pol.rules_dir[0] = '\0';
    return tk;
}

/* The stages after the policy (tk_run). */
static struct tk *tk_judge(struct tk *tk, const char *dir, const char *rules,
                           const struct tk_opts *o)
{
    char path[2048];
    if (tk->st != E_OK)
        return tk;
    if (o->policy_fn)
        o->policy_fn(&tk->pol, o->policy_arg);

    /* load and normalise, in enum input_file order (households first) */
    tk->stage = "normaliser_init";
    tk->st = normaliser_init(&tk->nz, &tk->d, tk->as_of, &tk->e);
    if (tk->st != E_OK)
        return tk;
    tk->inited_nz = 1;
    /* prune_hukou: as pipeline.c reads them, the candidates before
     * hukou.csv, and after it the hukou rows and feed rows no rule reads
     * left out */
    int order[N_INPUT], n_order = 0;
    if (o->prune_hukou)
        n_order = hukou_prune_order(order);
    else
        for (int f = 0; f < N_INPUT; f++)
            order[n_order++] = f;
    for (int oi = 0; oi < n_order; oi++) {
        int f = order[oi];
        int optional = feed_decls[f].need == IN_OPTIONAL_FEED;
        int shipped = feed_decls[f].need == IN_POLICY_TABLE;
        snprintf(path, sizeof path, "%s/%s", dir, input_file_names[f]);
        int from_rules = 0;
        if (!file_exists(path)) {
            if (optional)
                continue;
            if (shipped) {
                snprintf(path, sizeof path, "%s/%s", rules, input_file_names[f]);
                from_rules = 1;
            }
        }
        tk->stage = input_file_names[f];
        tk->st = normalise_file(&tk->nz, (enum input_file)f, path, ENC_AUTO, &tk->e);
        tk->d.files[f].from_rules = from_rules;
        if (tk->st == E_OK && o->prune_hukou && f == IN_HUKOU) {
            tk->stage = "hukou_prune";
            tk->st = hukou_prune_keep_persons(&tk->nz, &tk->persons, &tk->pruned, &tk->e);
        }
        if (tk->st != E_OK)
            return tk;
    }
    tk->stage = "normalise_finish";
    tk->st = normalise_finish(&tk->nz, &tk->e);
    if (tk->st != E_OK)
        return tk;
    for (int f = 0; f < N_INPUT; f++) {
        struct filestat *fs = &tk->d.files[f];
        fs->accepted = fs->data_rows - (long long)fs->rejects.n - fs->dropped_dupes;
    }

    /* index, join and evaluate: the run's own entry point */
    tk->stage = "judge";
    struct judge jg;
    memset(&jg, 0, sizeof jg);
    jg.d = &tk->d;
    jg.pol = &tk->pol;
    jg.as_of = tk->as_of;
    jg.jn = &tk->jn;
    jg.cal = &tk->cal;
    jg.er = &tk->er;
    for (int f = 0; f < N_INPUT; f++)
        jg.have[f] = tk->d.files[f].present;
    jg.rules_dir = rules;   /* the policy's rules are read there */
    tk->st = pipeline_judge(&jg, &tk->e);
    tk->ec = jg.ec;
    if (tk->st != E_OK)
        return tk;

    /* rank and sample */
    tk->stage = "rank";
    tk->st = rank_build(&tk->d, &tk->pol, &tk->er, tk->as_of, tk->seed, &tk->rk, &tk->e);
    if (tk->st != E_OK)
        return tk;
    tk->stage = "done";
    return tk;
}

void tk_free(struct tk *tk)
{
    if (!tk)
        return;
    ranked_free(&tk->rk);
    eval_result_free(&tk->er);
    calendar_free(&tk->cal);
    join_free(&tk->jn);
    if (tk->inited_nz)
        normaliser_free(&tk->nz);
    personset_free(&tk->persons);
    dataset_free(&tk->d);
    free(tk->text);
    free(tk);
}

struct tk *tk_run_files(const struct tk_file *files, const struct tk_opts *o)
{
    char *dir = tk_tmpdir();
    if (!dir) {
        fprintf(stderr, "testkit: cannot make a temporary directory: %s\n", strerror(errno));
        abort();
    }
    for (const struct tk_file *f = files; f && f->name; f++) {
        int r = f->raw ? tk_write_file(dir, f->name, f->rows) : tk_put(dir, f->name, f->rows);
        if (r != 0) {
            fprintf(stderr, "testkit: cannot write %s/%s\n", dir, f->name);
            abort();
        }
    }
    struct tk *tk = tk_run(dir, o);
    tk_rmdir(dir);
    return tk;
}

/* ---------- building input files row by row ---------- */

static struct tk_csv_file *csv_file(struct tk_csv *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->file[i].name, name) == 0)
            return &c->file[i];
    if (c->n == TK_CSV_FILES || !tk_header(name)) {
        fprintf(stderr, "testkit: tk_csv_row: unknown or too many files (%s)\n", name);
        abort();
    }
    struct tk_csv_file *f = &c->file[c->n++];
    f->name = name;
    f->f = open_memstream(&f->buf, &f->len);
    if (!f->f)
        abort();
    return f;
}

void tk_csv_row(struct tk_csv *c, const char *name, const char *fmt, ...)
{
    struct tk_csv_file *f = csv_file(c, name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f->f, fmt, ap);
    va_end(ap);
    fputc('\n', f->f);
}

struct tk *tk_csv_run(struct tk_csv *c, const struct tk_file *extra, const struct tk_opts *o)
{
    struct tk_file files[TK_CSV_FILES + 16];
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        if (fflush(c->file[i].f) != 0)
            abort();
        files[n++] = (struct tk_file){c->file[i].name, c->file[i].buf, 0};
    }
    for (const struct tk_file *x = extra; x && x->name && n < TK_CSV_FILES + 15; x++)
        files[n++] = *x;
    files[n] = (struct tk_file){NULL, NULL, 0};
    return tk_run_files(files, o);
}

void tk_csv_free(struct tk_csv *c)
{
    for (int i = 0; i < c->n; i++) {
        fclose(c->file[i].f);
        free(c->file[i].buf);
    }
    memset(c, 0, sizeof *c);
}

/* ---------- lookups ---------- */

void tk_assert_reject(const struct dataset *d, enum input_file f, size_t i, long long line,
                      const char *needle)
{
    ck_assert_msg(i < d->files[f].rejects.n, "%s: reject %zu of %zu", input_file_names[f], i,
                  d->files[f].rejects.n);
    const struct reject *r = &VEC_AT(d->files[f].rejects, struct reject, i);
    ck_assert_msg(r->line == line, "reject %zu at line %lld, want %lld (%s)", i, r->line, line,
                  r->reason);
    ck_assert_msg(strstr(r->reason, needle) != NULL, "reject %zu reason '%s' lacks '%s'", i,
                  r->reason, needle);
}

int tk_rule(const char *name)
{
    for (int r = 0; r < n_rules; r++)
        if (strcmp(rule_names[r], name) == 0)
            return r;
    return -1;
}

const struct flag *tk_find(const struct tk *tk, const char *rule, const char *hh,
                           const char *id_no)
{
    int r = rule ? tk_rule(rule) : -1;
    if (rule && r < 0) {
        fprintf(stderr, "testkit: unknown rule '%s'\n", rule);
        abort();
    }
    for (size_t i = 0; i < tk->er.n_flags; i++) {
        const struct flag *f = &tk->er.flags[i];
        if (rule && f->rule != r)
            continue;
        if (hh && strcmp(f->household_id, hh) != 0)
            continue;
        if (id_no && strcmp(f->id_no, id_no) != 0)
            continue;
        return f;
    }
    return NULL;
}

int tk_has_flag(const struct tk *tk, const char *rule, const char *hh, const char *id_no)
{
    return tk_find(tk, rule, hh, id_no) != NULL;
}

size_t tk_count(const struct tk *tk, const char *rule, const char *hh)
{
    int r = rule ? tk_rule(rule) : -1;
    if (rule && r < 0) {
        fprintf(stderr, "testkit: unknown rule '%s'\n", rule);
        abort();
    }
    size_t n = 0;
    for (size_t i = 0; i < tk->er.n_flags; i++) {
        const struct flag *f = &tk->er.flags[i];
        if ((!rule || f->rule == r) && (!hh || strcmp(f->household_id, hh) == 0))
            n++;
    }
    return n;
}

size_t tk_n_rejects(const struct tk *tk)
{
    size_t n = 0;
    for (int f = 0; f < N_INPUT; f++)
        n += tk->d.files[f].rejects.n;
    return n;
}

const struct household *tk_household(const struct tk *tk, const char *id, uint32_t *index)
{
    for (size_t i = 0; i < tk->d.households.n; i++) {
        const struct household *h = &VEC_AT(tk->d.households, struct household, i);
        if (strcmp(h->id, id) == 0) {
            if (index)
                *index = (uint32_t)i;
            return h;
        }
    }
    if (index)
        *index = HH_NONE;
    return NULL;
}

int tk_no_std_household(const struct tk *tk, const char *id)
{
    uint32_t hi;
    if (!tk_household(tk, id, &hi))
        return 0;
    for (size_t i = 0; i < tk->er.n_no_std_households; i++)
        if (tk->er.no_std_households[i] == hi)
            return 1;
    return 0;
}

int tk_no_std_candidate(const struct tk *tk, const char *id_no)
{
    for (size_t i = 0; i < tk->er.n_no_std_candidates; i++) {
        uint32_t ci = tk->er.no_std_candidates[i];
        if (ci < tk->d.candidates.n &&
            strcmp(VEC_AT(tk->d.candidates, struct candidate, ci).id, id_no) == 0)
            return 1;
    }
    return 0;
}

/* ---------- text for failure messages ---------- */

const char *tk_flags_text(struct tk *tk)
{
    struct strbuf s = {0};
    strbuf_puts(&s, "");
    if (tk->st != E_OK)
        strbuf_printf(&s, "\n[stage %s failed: %s: %s]", tk->stage ? tk->stage : "?",
                  tk->e.in_path, tk->e.msg);
    strbuf_printf(&s, "\n%zu flags:", tk->er.n_flags);
    for (size_t i = 0; i < tk->er.n_flags; i++) {
        const struct flag *f = &tk->er.flags[i];
        strbuf_printf(&s, "\n  %s|%s|%s|%s|%s", rule_names[f->rule], f->household_id, f->hukou_no,
                  f->id_no, f->evidence);
    }
    for (int fi = 0; fi < N_INPUT; fi++) {
        const struct filestat *fs = &tk->d.files[fi];
        for (size_t k = 0; k < fs->rejects.n; k++) {
            const struct reject *r = &VEC_AT(fs->rejects, struct reject, k);
            strbuf_printf(&s, "\n  reject %s:%lld: %s", input_file_names[fi], r->line, r->reason);
        }
    }
    if (s.oom)
        abort();
    free(tk->text);
    tk->text = s.p;
    return tk->text;
}

/* A probe pack of the reference policy: a member rule made to fire for
 * every member with a valid ID, its evidence the expression asked for. */
char *tk_lang_value(struct tk *tk, const char *expr, const char *id_no)
{
    char path[1200], text[2048];
    snprintf(path, sizeof path, "%s/rules/probe.policy", test_root());
    snprintf(text, sizeof text,
             "extends reference\n"
             "override Q03_NAME_MISMATCH.when = true\n"
             "override Q03_NAME_MISMATCH.evidence = \"%s\"\n"
             "override Q03_NAME_MISMATCH.key = m.id_no\n", expr);
    struct lang_opts lo = {tk->as_of, tk->pol.income_months, tk->ec.have, 0};
    struct lang_prog *lp = NULL;
    struct err e;
    err_init(&e);
    int st = lang_load_text(&lp, path, text, strlen(text), &lo, &e);
    ck_assert_msg(st == E_OK, "probe %s: %s\n%s", expr, e.msg,
                  lp && lp->diagnostics ? lp->diagnostics : "");
    struct eval_result r;
    st = vm_run(&tk->ec, &lp->P, &r, &e);
    ck_assert_msg(st == E_OK, "probe %s: %s", expr, e.msg);
    char *out = NULL;
    for (size_t i = 0; i < r.n_flags && !out; i++)
        if (strcmp(rule_names[r.flags[i].rule], "Q03_NAME_MISMATCH") == 0 &&
            strcmp(r.flags[i].id_no, id_no) == 0)
            out = xstrdup(r.flags[i].evidence);
    eval_result_free(&r);
    lang_prog_free(lp);
    return out;
}
