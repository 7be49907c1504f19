/* precheck.c - the pre-approval check against a snapshot: opening the
 * snapshot with its policy, one check's stages, and the verdicts with
 * their review reasons (precheck.h has the contract; precheck_out.c
 * renders a result).
 *
 * Owns: precheck_open/close, precheck_run (normaliser -> snap_materialise
 * -> pipeline_judge: join, calendar and the policy's rules, as a run
 * judges, with the program of the check's date kept per base), the
 * grouping of flags by given household, the income-window and
 * snapshot-age checks, and the audit of the given member rows.
 * Never: prints, exits, or keeps state between checks outside the result
 * (serve runs many at once on one base).
 *
 * The audit of member rows reads the members input a second time with the
 * loader (load.h), asking for household_id and the four columns whose
 * unusable values the contract keeps (flagged, not rejected).  The normaliser decides what
 * is used; the audit only finds which given household each unusable or
 * unused row belongs to, so the verdict does not depend on what the engine
 * does with such a row.  A row the loader cannot read at all never reaches
 * the audit: its household is unknown, and every household gets a reason.
 */
#include "snapshot/precheck.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/num.h"
#include "engine/load.h"
#include "pipeline.h"
#include "policy/lang.h"

const char *const precheck_verdict_id[N_PV] = {"no_finding", "needs_review", "looks_ineligible"};
const char *const precheck_verdict_zh[N_PV] = {"无发现", "需复核", "疑似不符合条件"};
const char *const precheck_reason_id[N_PR] = {"no_standard", "no_members", "member_row",
                                              "member_row_unread", "feeds_short"};

/* ---------- the rules' programs, one per as-of date ---------- */

/* The program of as_of, compiled under the lock (a thread wanting the same
 * new date waits for it rather than compiling it twice): *slot >= 0, a
 * cached one with a reference, given back by lang_put; *slot -1, every
 * slot in use, compiled for this check alone.  E_CONFIG and the language's
 * other errors. */
static int lang_get(struct precheck_base *b, int as_of, struct lang_prog **out, int *slot,
                    struct err *e)
{
    struct precheck_lang *L = &b->lang;
    pthread_mutex_lock(&L->mu);
    int free_i = -1, lru = -1;
    for (int i = 0; i < PRECHECK_LANG_PROGS; i++) {
        struct precheck_lang_prog *x = &L->p[i];
        if (!x->lp) {
            if (free_i < 0)
                free_i = i;
        } else if (x->as_of == as_of) {
            x->refs++;
            x->used = ++L->tick;
            *out = x->lp;
            *slot = i;
            pthread_mutex_unlock(&L->mu);
            return E_OK;
        } else if (x->refs == 0 && (lru < 0 || x->used < L->p[lru].used)) {
            lru = i;
        }
    }
    struct lang_opts o = {.as_of = as_of, .window_months = b->pol.income_months, .have = L->have};
    struct lang_prog *lp = NULL;
    /* the rules the base judges with: the snapshot's copy, or --rules' */
    int st = b->pol.n_texts > 0 ? lang_load_texts(&lp, b->pol.texts, b->pol.n_texts, &o, e)
                                : lang_load_dir(&lp, b->pol.rules_dir, &o, e);
    if (st != E_OK) {
        lang_prog_free(lp);
        pthread_mutex_unlock(&L->mu);
        return st;
    }
    *slot = free_i >= 0 ? free_i : lru;
    if (*slot >= 0) {
        struct precheck_lang_prog *x = &L->p[*slot];
        lang_prog_free(x->lp);
        *x = (struct precheck_lang_prog){lp, as_of, 1, ++L->tick};
    }
    *out = lp;
    pthread_mutex_unlock(&L->mu);
    return E_OK;
}

static void lang_put(struct precheck_base *b, struct lang_prog *lp, int slot)
{
    if (slot < 0) {
        lang_prog_free(lp);
        return;
    }
    pthread_mutex_lock(&b->lang.mu);
    b->lang.p[slot].refs--;
    pthread_mutex_unlock(&b->lang.mu);
}

/* The program of the snapshot's own date is compiled now, so a bad policy
 * (--rules) is refused on opening. */
static int lang_open(struct precheck_base *b, struct err *e)
{
    struct snap_input in[N_INPUT];
    int st = snap_inputs(&b->s, in, e);
    if (st != E_OK)
        return st;
    struct precheck_lang *L = &b->lang;
    for (int f = 0; f < N_INPUT; f++)   /* as precheck_run judges: no candidates */
        L->have[f] = in[f].present && f != IN_CANDIDATES;
    pthread_mutex_init(&L->mu, NULL);
    L->on = 1;
    struct lang_prog *lp;
    int slot;
    if ((st = lang_get(b, b->info.as_of, &lp, &slot, e)) == E_OK)
        lang_put(b, lp, slot);
    return st;
}

static void lang_close(struct precheck_base *b)
{
    if (!b->lang.on)
        return;
    for (int i = 0; i < PRECHECK_LANG_PROGS; i++)
        lang_prog_free(b->lang.p[i].lp);
    pthread_mutex_destroy(&b->lang.mu);
    b->lang.on = 0;
}

/* ---------- the base ---------- */

int precheck_open(struct precheck_base *b, const char *index, const char *rules_dir, int flags,
                  struct err *e)
{
    memset(b, 0, sizeof *b);
    int st = snap_open(&b->s, index, e);
    if (st != E_OK)
        return st;
    if (flags & PRECHECK_VERIFY_ALL)
        st = snap_verify_all(&b->s, e);
    if (st == E_OK && rules_dir) {
        char path[4600];
        snprintf(path, sizeof path, "%s/policy.rules", rules_dir);
        st = policy_load(&b->pol, path, e);
        if (st == E_OK)   /* the one the process judges with (serve: every snapshot's) */
            st = catalogue_load_dir(rules_dir, 0, e);
        snprintf(b->pol.rules_dir, sizeof b->pol.rules_dir, "%s", rules_dir);
        snprintf(b->rules_src, sizeof b->rules_src, "%s", rules_dir);
    } else if (st == E_OK) {
        st = snap_policy_load(&b->s, &b->pol, e);
        snprintf(b->rules_src, sizeof b->rules_src, "snapshot");
    }
    snap_get_info(&b->s, &b->info);
    if (st == E_OK && rules_dir && strlen(rules_dir) >= sizeof b->pol.rules_dir)
        st = ERR(e, E_CONFIG, "rules directory name too long: %.80s...", rules_dir);
    if (st == E_OK)
        st = lang_open(b, e);
    if (st != E_OK) {
        lang_close(b);
        snap_close(&b->s);
        return st;
    }
    b->opened = 1;
    return E_OK;
}

void precheck_close(struct precheck_base *b)
{
    if (b->opened) {
        lang_close(b);
        snap_close(&b->s);
    }
    b->opened = 0;
}

/* ---------- grouping ---------- */

static const char *unit_hukou(const struct dataset *d, const struct join *jn,
                              const struct household *h)
{
    const struct member *ms = d->members.v;
    for (uint32_t i = 0; i < h->n_members; i++)
        if (ms[h->first_member + i].relation == REL_HEAD) {
            const struct hukou *hk = join_member_hukou(jn, d, &ms[h->first_member + i]);
            return hk ? hk->hukou_no : "";
        }
    return "";
}

static void raise_to(struct precheck_hh *x, int v)
{
    if (x->verdict < v)
        x->verdict = v;
}

/* Each given household's flags (in the given order, r->fl), verdict from
 * the findings, no_standard, no_members and in_registry. */
static int group_by_household(struct snap *s, struct precheck_result *r, struct err *e)
{
    const struct dataset *gd = &r->gd, *fd = &r->fd;
    const size_t n_given = gd->households.n, nfd = fd->households.n;
    const struct eval_result *er = &r->er;
    r->hh = calloc(n_given ? n_given : 1, sizeof *r->hh);
    r->fl = malloc((er->n_flags ? er->n_flags : 1) * sizeof *r->fl);
    if (!r->hh || !r->fl)
        return ERR(e, E_NOMEM, "out of memory while judging the check");
    r->n_hh = n_given;
    for (size_t k = 0; k < nfd; k++)
        if (r->given_of[k] >= 0) {
            struct precheck_hh *x = &r->hh[r->given_of[k]];
            x->fd_index = (uint32_t)k;
            x->head_hukou_no =
                unit_hukou(fd, &r->jn, &VEC_AT(fd->households, struct household, k));
        }
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        if (g->hh != HH_NONE && g->hh < nfd && r->given_of[g->hh] >= 0)
            r->hh[r->given_of[g->hh]].n_flags++;
    }
    size_t acc = 0;
    for (size_t i = 0; i < n_given; i++) {
        r->hh[i].first_flag = acc;
        acc += r->hh[i].n_flags;
        r->hh[i].n_flags = 0;
    }
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        if (g->hh == HH_NONE || g->hh >= nfd || r->given_of[g->hh] < 0)
            continue;
        struct precheck_hh *x = &r->hh[r->given_of[g->hh]];
        r->fl[x->first_flag + x->n_flags++] = g;
        x->n_sev[g->severity]++;
        raise_to(x, rule_kinds[g->rule] == KIND_CUOBAO && g->severity == SEV_HIGH
                        ? PV_INELIGIBLE : PV_REVIEW);
    }
    for (size_t i = 0; i < er->n_no_std_households; i++) {
        uint32_t k = er->no_std_households[i];
        if (k < nfd && r->given_of[k] >= 0)
            r->hh[r->given_of[k]].reasons |= 1u << PR_NO_STANDARD;
    }
    for (size_t i = 0; i < n_given; i++) {
        const struct household *h = &VEC_AT(gd->households, struct household, i);
        if (h->n_members == 0)
            r->hh[i].reasons |= 1u << PR_NO_MEMBERS;   /* nothing to judge */
        uint32_t reg;
        int st = snap_find_household(s, h->id, &reg, e);
        if (st != E_OK)
            return st;
        r->hh[i].in_registry = reg != SNAP_NONE;
    }
    return E_OK;
}

/* ---------- the audit of member rows ---------- */

struct seen_row {
    long long line;
    uint32_t given;            /* UINT32_MAX: a household not given */
    const char *bad;           /* what is unusable in it, or NULL */
};

struct line_reason {           /* a members reject, by line */
    long long line;
    const char *reason;
};

struct audit {
    struct precheck_result *r;
    const struct line_reason *rej;   /* sorted by line */
    size_t n_rej;
    struct vec seen;           /* struct seen_row: rows rejected or with an unusable value */
};

/* The first reject of `line`, or NULL. */
static const struct line_reason *find_rej(const struct line_reason *v, size_t n, long long line)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].line == line ? &v[lo] : NULL;
}

/* household_id, then the member columns whose unusable values the contract keeps. */
static const char *const audit_cols[] = {"household_id", "relation", "declared_monthly_income",
                                         "work_ability", "disability_grade"};

/* The first unusable column of a row (as the normaliser judges it): its
 * index in audit_cols and why, or 0. */
static int row_problem(const char *const *v, const size_t *lens, const char **why)
{
    int64_t fen;
    enum num_status ns;
    if (lens[1] == 0 || enum_lookup(relation_names, N_REL, v[1], lens[1]) < 0)
        return *why = "not a relation of the contract", 1;
    if ((ns = num_parse_money(v[2], lens[2], &fen)) != NUM_OK)
        return *why = num_status_text(ns), 2;
    if (lens[3] == 0 || enum_lookup(work_ability_names, N_WA, v[3], lens[3]) < 0)
        return *why = "not full, partial or none", 3;
    if (lens[4] != 1 || v[4][0] < '0' || v[4][0] > '4')
        return *why = "not 0-4", 4;
    return 0;
}

static int audit_row(void *ctx, const char *const *v, const size_t *lens, long long line,
                     struct err *e)
{
    struct audit *au = ctx;
    uint32_t idx = UINT32_MAX;
    if (lens[0] == 0 || !stridx_get(&au->r->nz.hh_by_id, v[0], &idx))
        idx = UINT32_MAX;
    const char *why = NULL;
    int c = idx != UINT32_MAX ? row_problem(v, lens, &why) : 0;
    if (!c && !find_rej(au->rej, au->n_rej, line))
        return E_OK;
    const char *bad = NULL;
    if (c) {
        char buf[200];
        int n = lens[c] > 60 ? 60 : (int)lens[c];
        if (n)
            snprintf(buf, sizeof buf, "%s: %s '%.*s'", audit_cols[c], why, n, v[c]);
        else
            snprintf(buf, sizeof buf, "%s: empty value", audit_cols[c]);
        if (!(bad = arena_strndup(&au->r->arena, buf, strlen(buf))))
            return ERR(e, E_NOMEM, "out of memory while reading the members rows");
    }
    struct seen_row *sr = vec_push(&au->seen, sizeof *sr);
    if (!sr)
        return ERR(e, E_NOMEM, "out of memory while reading the members rows");
    *sr = (struct seen_row){line, idx, bad};
    return E_OK;
}

static int cmp_line_reason(const void *a, const void *b)
{
    const struct line_reason *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_seen(const void *a, const void *b)
{
    const struct seen_row *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_note(const void *a, const void *b)
{
    const struct precheck_row_note *x = a, *y = b;
    if (x->given != y->given)
        return x->given < y->given ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Line `line` among the seen rows (sorted)? */
static int seen_has(const struct seen_row *v, size_t n, long long line)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].line == line;
}

/* Notes and unread lines from the audit's rows (see precheck.h). */
static int audit_notes(struct precheck_result *r, struct audit *au, struct err *e)
{
    struct seen_row *sv = au->seen.v;
    size_t nseen = au->seen.n, nn = 0;
    if (nseen)
        qsort(sv, nseen, sizeof *sv, cmp_seen);   /* sv is NULL when nothing was seen */
    r->notes = malloc((nseen ? nseen : 1) * sizeof *r->notes);
    r->unread_lines = malloc((au->n_rej ? au->n_rej : 1) * sizeof *r->unread_lines);
    if (!r->notes || !r->unread_lines)
        return ERR(e, E_NOMEM, "out of memory while reading the members rows");
    for (size_t i = 0; i < nseen; i++) {
        if (sv[i].given == UINT32_MAX)
            continue;   /* a household not given: listed as a reject, nobody's reason */
        const struct line_reason *rj = find_rej(au->rej, au->n_rej, sv[i].line);
        r->notes[nn++] = (struct precheck_row_note){sv[i].given, sv[i].line,
                                                    rj ? rj->reason : sv[i].bad, rj != NULL};
    }
    /* a rejected line the audit never saw could not be read at all */
    for (size_t k = 0; k < au->n_rej; k++)
        if ((k == 0 || au->rej[k].line != au->rej[k - 1].line) &&
            !seen_has(sv, nseen, au->rej[k].line))
            r->unread_lines[r->n_unread++] = au->rej[k].line;
    r->n_notes = nn;
    qsort(r->notes, nn, sizeof *r->notes, cmp_note);
    for (size_t i = 0; i < nn; i++) {
        struct precheck_hh *x = &r->hh[r->notes[i].given];
        if (x->n_notes++ == 0)
            x->first_note = i;
        x->reasons |= 1u << PR_MEMBER_ROW;
    }
    for (size_t i = 0; r->n_unread && i < r->n_hh; i++)
        r->hh[i].reasons |= 1u << PR_MEMBER_ROW_UNREAD;
    return E_OK;
}

/* Find each member row that keeps its household from "no finding":
 * r->notes (grouped by household, ranges in r->hh), r->unread_lines. */
static int audit_members(const struct precheck_in *in, struct precheck_result *r, struct err *e)
{
    const struct filestat *fs = &r->gd.files[IN_MEMBERS];
    size_t nrej = fs->rejects.n;
    struct line_reason *rej = malloc((nrej ? nrej : 1) * sizeof *rej);
    if (!rej)
        return ERR(e, E_NOMEM, "out of memory while reading the members rows");
    for (size_t i = 0; i < nrej; i++) {
        const struct reject *rj = &VEC_AT(fs->rejects, struct reject, i);
        rej[i] = (struct line_reason){rj->line, rj->reason};
    }
    qsort(rej, nrej, sizeof *rej, cmp_line_reason);
    struct audit au = {r, rej, nrej, {0}};

    struct load_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.file = IN_MEMBERS;
    spec.cols = audit_cols;
    spec.n_cols = (int)(sizeof audit_cols / sizeof audit_cols[0]);
    spec.row = audit_row;
    spec.ctx = &au;
    struct dataset scratch;
    dataset_init(&scratch);
    int st = in->mem_path ? load_csv(&scratch, in->mem_path, ENC_AUTO, &spec, e)
                          : load_csv_mem(&scratch, in->mem_label, in->mem_buf, in->mem_len,
                                         ENC_AUTO, &spec, e);
    dataset_free(&scratch);
    if (st == E_OK)
        st = audit_notes(r, &au, e);
    vec_free(&au.seen);
    free(rej);
    return st;
}

/* ---------- the stages ---------- */

static int load_given(struct precheck_result *r, const struct precheck_in *in, enum input_file f,
                      struct err *e)
{
    const char *path = f == IN_HOUSEHOLDS ? in->hh_path : in->mem_path;
    const char *label = f == IN_HOUSEHOLDS ? in->hh_label : in->mem_label;
    int st;
    if (path) {
        st = normalise_file(&r->nz, f, path, ENC_AUTO, e);
        if (st == E_NOINPUT) {
            err_init(e);
            st = ERR(e, E_NOINPUT, "%s file %s: no such file",
                     f == IN_HOUSEHOLDS ? "households" : "members", path);
        }
    } else {
        st = normalise_buffer(&r->nz, f, label, f == IN_HOUSEHOLDS ? in->hh_buf : in->mem_buf,
                              f == IN_HOUSEHOLDS ? in->hh_len : in->mem_len, ENC_AUTO, e);
    }
    return st;
}

/* The notes on rules not judged (the catalogue's wording): the optional
 * feeds absent at build time, the rules the run skips on the same data. */
static void skipped_notes(struct precheck_result *r, const int have[N_INPUT])
{
    const char *why[N_INPUT];
    for (int f = 0; f < N_INPUT; f++)
        why[f] = have[f] || f == IN_CANDIDATES ? NULL : "absent when the snapshot was built";
    rule_skip_notes(&r->skip, why);
    r->skipped = r->skip.list;
}

/* The income window of as_of and the months of it the snapshot lacks;
 * the snapshot's age against the policy's limit. */
static void window_and_age(const struct precheck_base *b, struct precheck_result *r)
{
    r->window_last = date_month(r->as_of) - 1;   /* the rules' income window */
    r->window_first = r->window_last - b->pol.income_months + 1;
    r->si_through = snap_si_through(&b->info);
    int max = (int)(sizeof r->uncovered / sizeof r->uncovered[0]);
    r->n_uncovered = snap_si_uncovered(&b->info, r->window_first, r->window_last, r->uncovered,
                                       max);
    if (r->n_uncovered > max)
        r->n_uncovered = max;   /* cannot happen: window_months <= 120 */
    r->age_days = r->as_of - b->info.as_of;
    r->age_warn = r->age_days > b->pol.snapshot_max_age_days;
}

int precheck_run(struct precheck_base *b, const struct precheck_in *in, struct precheck_result *r,
                 struct err *e)
{
    double t0 = pipeline_now_ms(), t = t0;
    memset(r, 0, sizeof *r);
    r->as_of = in->as_of;
    r->hh_label = in->hh_label;
    r->mem_label = in->mem_label;
    /* one thread unless the batch is large: a check is mostly lookups, and
     * idle OpenMP workers would only spin */
    omp_set_num_threads(in->threads ? in->threads : 1);
    dataset_init(&r->gd);
    dataset_init(&r->fd);
    arena_init(&r->arena, (size_t)16 << 10);
    r->inited = 1;
    int st = normaliser_init(&r->nz, &r->gd, in->as_of, e);
    if (st == E_OK)
        st = load_given(r, in, IN_HOUSEHOLDS, e);
    if (st == E_OK)
        st = load_given(r, in, IN_MEMBERS, e);
    if (st == E_OK)
        st = normalise_finish(&r->nz, e);
    r->ms[0] = pipeline_now_ms() - t;
    t = pipeline_now_ms();

    int have[N_INPUT];
    if (st == E_OK)
        st = snap_materialise(&b->s, &r->gd, &r->fd, &r->given_of, have, e);
    r->ms[1] = pipeline_now_ms() - t;
    t = pipeline_now_ms();

    if (!in->threads && r->gd.households.n >= 20000)
        omp_set_num_threads(omp_get_num_procs());
    struct lang_prog *lp = NULL;
    int lp_slot = -1;
    if (st == E_OK)
        st = lang_get(b, in->as_of, &lp, &lp_slot, e);
    if (st == E_OK) {
        /* the run's one entry point (pipeline.h): join, calendar, rules */
        skipped_notes(r, have);
        have[IN_CANDIDATES] = 0;   /* the candidates' search is the nightly run's, not a check's */
        struct judge jg = {.d = &r->fd, .pol = &b->pol, .as_of = in->as_of, .jn = &r->jn,
                           .cal = &r->cal, .er = &r->er};
        jg.prog = &lp->P;   /* the program of this date (compiled for have[]) */
        memcpy(jg.have, have, sizeof jg.have);
        struct explain_req ex;
        uint32_t *units = NULL;
        memset(&ex, 0, sizeof ex);
        if (in->explain) {   /* check --explain: every given household, given order */
            size_t nfd = r->fd.households.n, ng = r->gd.households.n, n = 0;
            units = malloc((ng ? ng : 1) * sizeof *units);
            if (!units)
                st = ERR(e, E_NOMEM, "out of memory while explaining");
            for (size_t g = 0; units && g < ng; g++)
                units[g] = UINT32_MAX;
            for (size_t k = 0; units && k < nfd; k++)
                if (r->given_of[k] >= 0 && (size_t)r->given_of[k] < ng)
                    units[r->given_of[k]] = (uint32_t)k;
            for (size_t g = 0; units && g < ng; g++)
                if (units[g] != UINT32_MAX)
                    units[n++] = units[g];
            ex.rules_dir = NULL;   /* the rules that judge: b->pol's */
            ex.households = units;
            ex.n_households = n;
            jg.ex = &ex;
        }
        if (st == E_OK)
            st = pipeline_judge(&jg, e);
        if (st == E_OK) {   /* which policy judged (vm_run of a kept program leaves it) */
            snprintf(r->er.by.policy_name, sizeof r->er.by.policy_name, "%s", lp->cp.name);
            snprintf(r->er.by.policy_hash, sizeof r->er.by.policy_hash, "%s", lp->policy_hash);
        }
        r->explain = ex.text;
        r->explain_len = ex.len;
        free(units);
    }
    if (lp)
        lang_put(b, lp, lp_slot);
    r->ms[2] = pipeline_now_ms() - t;
    t = pipeline_now_ms();

    if (st == E_OK)
        st = group_by_household(&b->s, r, e);
    if (st == E_OK)
        st = audit_members(in, r, e);
    if (st == E_OK) {
        window_and_age(b, r);
        for (size_t i = 0; i < r->n_hh; i++) {
            if (r->n_uncovered)
                r->hh[i].reasons |= 1u << PR_FEEDS_SHORT;
            if (r->hh[i].reasons)
                raise_to(&r->hh[i], PV_REVIEW);   /* never a silent pass */
        }
    }
    r->ms[3] = pipeline_now_ms() - t;
    r->ms[4] = pipeline_now_ms() - t0;
    return st;
}

void precheck_result_free(struct precheck_result *r)
{
    if (!r->inited)
        return;
    free(r->hh);
    free(r->fl);
    free(r->notes);
    free(r->unread_lines);
    free(r->given_of);
    free(r->explain);
    eval_result_free(&r->er);
    calendar_free(&r->cal);
    join_free(&r->jn);
    normaliser_free(&r->nz);
    dataset_free(&r->fd);
    dataset_free(&r->gd);
    arena_free(&r->arena);
    r->inited = 0;
}
