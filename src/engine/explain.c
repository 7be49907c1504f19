/* explain.c - `hedui explain`'s text: a traced judgement of one unit,
 * rendered for a caseworker (explain.h has the contract and the outcomes).
 *
 * Owns: the order and wording of the explanation.  The program records,
 * per rule block, what it tested in the order it tested it (vm.h struct
 * vm_trec; policy/prog.h enum tp_kind): a record that belongs to a later
 * one (the rows of a set before the set's count, a sum's elements before
 * the let, the two sides before the comparison) waits in `pending` until
 * its owner is printed, then follows it indented.  The outcome of a block
 * is its TP_FIRED record, else its last condition, which is the false one
 * (the block stops there).
 * Never: judges (the ops of the program do, as in a run), prints to a
 * stream it did not open.
 */
#include "engine/explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/idmask.h"
#include "contract/catalogue.h"
#include "engine/vm.h"
#include "policy/compile.h"
#include "policy/lang.h"

static const char *const kind_zh[4] = {"错保", "漏保", "数据质量", "办理流程"};

struct ren {
    FILE *o;
    const struct eval_ctx *c;
    const struct lang_prog *lp;
    const struct prog *P;
    const struct vm_trec *rec;
    size_t nrec;
    int oom;               /* an allocation failed while rendering */
};

/* ---------- pieces ---------- */

static const char *file_base(const struct lang_prog *lp, int f)
{
    if (f < 0 || f >= lp->L.nfiles)
        return "?";
    const char *p = lp->L.files[f].path, *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static const struct crule *crule_of(const struct lang_prog *lp, int cat)
{
    for (int i = 0; i < lp->cp.nrules; i++)
        if (lp->cp.rules[i].cat == cat)
            return &lp->cp.rules[i];
    return NULL;
}

/* A parameter's value in force, as written in a policy. */
static void put_const(FILE *o, const struct ir *x, struct ty t)
{
    char buf[96];
    if (!x) {
        fputs("?", o);
        return;
    }
    if (t.b == TY_ENUMSET) {
        fputs("{", o);
        int first = 1;
        for (int i = 0; i < enum_defs[t.e].n && i < 62; i++)
            if ((x->num >> i) & 1) {
                fprintf(o, "%s%s", first ? "" : ", ", enum_defs[t.e].names[i]);
                first = 0;
            }
        fputs("}", o);
        return;
    }
    if (t.b == TY_TEXT) {
        fprintf(o, "'%.*s'", (int)x->len, x->s);
        return;
    }
    if (t.b == TY_DATE) {
        date_format((int)x->num, buf);
        fputs(buf, o);
        return;
    }
    if (t.b == TY_ENUM) {
        fputs(x->num >= 0 && x->num < enum_defs[t.e].n ? enum_defs[t.e].names[x->num] : "?", o);
        return;
    }
    struct vval v = {x->num, x->den ? x->den : 1, NULL, 0};
    vm_format_value(&v, prog_value_format(t), t.e, buf, sizeof buf);
    fputs(buf, o);
}

/* The source line at pos, trimmed, without its comment. */
static void put_source_line(FILE *o, const struct lang_prog *lp, struct pos at)
{
    const struct lsrc *s = &lp->L.files[at.file];
    size_t b = at.off, e = at.off;
    while (b > 0 && s->text[b - 1] != '\n')
        b--;
    while (e < s->len && s->text[e] != '\n' && s->text[e] != '#')
        e++;
    while (b < e && (s->text[b] == ' ' || s->text[b] == '\t'))
        b++;
    while (e > b && (s->text[e - 1] == ' ' || s->text[e - 1] == '\t' || s->text[e - 1] == '\r'))
        e--;
    fprintf(o, "%.*s", (int)(e - b), s->text + b);
}

static void put_params(struct ren *r, const struct crule *cr)
{
    if (!cr || cr->nparams == 0)
        return;
    char day[11];
    date_format(r->c->as_of, day);
    for (int i = 0; i < cr->nparams; i++) {
        const struct cparam *p = &r->lp->cp.params[cr->params[i]];
        fprintf(r->o, "  %s %.*s = ", i ? "          " : "parameters:", (int)p->nlen, p->name);
        if (p->by_enum >= 0 && p->vals) {
            const struct enum_def *ed = &enum_defs[p->by_enum];
            fputs("{", r->o);
            for (int k = 0; k < ed->n; k++) {
                fprintf(r->o, "%s%s: ", k ? ", " : "", ed->names[k]);
                put_const(r->o, p->vals[k], p->t);
            }
            fputs("}", r->o);
        } else {
            put_const(r->o, p->value, p->t);
        }
        const struct param_ast *v = p->val;
        fprintf(r->o, "  (%s:%u", file_base(r->lp, v->pos.file), v->pos.line);
        if (v->nvalues > 1) {   /* dated: say which value is in force */
            fprintf(r->o, "; in force on %s: ", day);
            put_source_line(r->o, r->lp, v->pos);
        }
        fputs(")\n", r->o);
    }
}

/* ---------- one rule block ---------- */

static const struct tpoint *tp_of(const struct ren *r, size_t i)
{
    return &r->P->tp[r->rec[i].tp];
}

/* A record's value as text. */
static void put_value(struct ren *r, const struct vm_trec *t, const struct tpoint *tp)
{
    char buf[1200];
    if (tp->fmt == TF_ROW || tp->kind == TP_UNIT || tp->kind == TP_ROW || tp->kind == TP_ELEM) {
        if (t->row) {
            fputs(vm_describe_row(r->c, tp->en, t->row, tp->kind != TP_ROW, buf, sizeof buf),
                  r->o);
            return;
        }
        if (t->text) {   /* an element that is a value (a month of the window) */
            fputs(t->text, r->o);
            return;
        }
        fputs("missing", r->o);
        return;
    }
    if (t->miss || !t->text)
        fputs("missing", r->o);
    else
        fputs(t->text, r->o);
}

static int is_false(const struct vm_trec *t)
{
    return t->miss || !t->text || strcmp(t->text, "true") != 0;
}

static void put_line(struct ren *r, size_t i, int indent)
{
    const struct tpoint *tp = tp_of(r, i);
    fprintf(r->o, "%*s", indent, "");
    if (tp->label)
        fprintf(r->o, "%s = ", tp->label);
    put_value(r, &r->rec[i], tp);
    fputs("\n", r->o);
}

#define SHOW_MAX 50   /* rows or elements shown under one owner; the rest counted */

/* Records waiting for their owner, under it: those of pend[0..*np) whose
 * kind is in `kinds` (bits of enum tp_kind), which leave pend.  A sum's
 * element comes with its parts: the part it adds (depth 3) first, then
 * what that part took the larger or smaller of (depth 4), recorded before
 * it.  At most SHOW_MAX rows or elements; the count of the others is said. */
static void put_pending(struct ren *r, size_t *pend, size_t *np, unsigned kinds, int indent)
{
    size_t keep = 0, shown = 0, more = 0;
    for (size_t k = 0; k < *np; k++) {
        const struct tpoint *tp = tp_of(r, pend[k]);
        if (!((kinds >> tp->kind) & 1)) {
            pend[keep++] = pend[k];
            continue;
        }
        if (tp->kind == TP_PART)
            continue;   /* with its element */
        if (tp->kind != TP_SIDE && shown++ >= SHOW_MAX) {
            more++;
            continue;
        }
        put_line(r, pend[k], indent);
        if (tp->kind != TP_ELEM)
            continue;
        size_t g = k + 1;
        while (g < *np && tp_of(r, pend[g])->kind == TP_PART)
            g++;
        for (int depth = 3; depth <= 4; depth++)
            for (size_t q = k + 1; q < g; q++)
                if (tp_of(r, pend[q])->depth == depth)
                    put_line(r, pend[q], indent + 2 * (depth - 2));
    }
    if (more)
        fprintf(r->o, "%*s... and %zu more (not shown)\n", indent, "", more);
    *np = keep;
}

static const char *const cond_word[N_TP] = {
    [TP_FILTER] = "where", [TP_REQUIRE] = "requires", [TP_WHEN] = "when"};

/* Records [from, to) of one block (one unit of one rule); ind: indent. */
static void render_block(struct ren *r, size_t from, size_t to, int show_unit, int ind)
{
    /* pending records: at most the block's own, so to - from */
    size_t *pend = malloc((to - from + 1) * sizeof *pend), np = 0;
    if (!pend) {
        r->oom = 1;
        return;
    }
    const struct vm_trec *fired = NULL;
    size_t last_cond = SIZE_MAX;
    if (show_unit) {
        fprintf(r->o, "%*s", ind, "");
        put_value(r, &r->rec[from], tp_of(r, from));
        fputs("\n", r->o);
        ind += 2;
    }
    for (size_t i = from + 1; i < to; i++) {
        const struct vm_trec *t = &r->rec[i];
        const struct tpoint *tp = tp_of(r, i);
        switch (tp->kind) {
        case TP_SIDE:
        case TP_ROW:
        case TP_ELEM:
        case TP_PART:
            pend[np++] = i;
            break;
        case TP_SET:
        case TP_LET: {
            fprintf(r->o, "%*s%s %s = ", ind, "", tp->kind == TP_SET ? "set" : "let",
                    tp->label ? tp->label : "?");
            put_value(r, t, tp);
            fputs(tp->kind == TP_SET ? (t->text && strcmp(t->text, "1") == 0 ? " row\n"
                                                                            : " rows\n")
                                     : "\n",
                  r->o);
            /* its rows or elements: those pending of its own kinds */
            put_pending(r, pend, &np, tp->kind == TP_SET ? 1u << TP_ROW
                                                         : 1u << TP_ELEM | 1u << TP_PART,
                        ind + 4);
            break;
        }
        case TP_FILTER:
        case TP_REQUIRE:
        case TP_WHEN:
            fprintf(r->o, "%*s%s %s: ", ind, "", cond_word[tp->kind], tp->label ? tp->label : "?");
            if (tp->bare)
                fputs(is_false(t) ? "missing" : "present", r->o);
            else
                fputs(t->miss ? "missing (counts as false)" : t->text ? t->text : "?", r->o);
            fputs("\n", r->o);
            put_pending(r, pend, &np, ~0u, ind + 4);
            last_cond = i;
            break;
        case TP_FIRED:
            fired = t;
            break;
        }
    }
    free(pend);
    fprintf(r->o, "%*s=> ", ind, "");
    if (fired) {
        const char *sep = strchr(fired->text, '\x1d');
        fprintf(r->o, "命中 fires: %.*s\n", (int)(sep ? sep - fired->text : 0), fired->text);
        if (sep && sep[1]) {
            fprintf(r->o, "%*s   key: ", ind, "");
            for (const char *k = sep + 1; *k; k++)
                fputs(*k == '\x1f' ? ", " : *k == '\x1e' ? (k[1] ? "; " : "") : (char[2]){*k, 0},
                      r->o);
            fputs("\n", r->o);
        }
        return;
    }
    if (last_cond == SIZE_MAX || !is_false(&r->rec[last_cond])) {
        fputs("未命中 does not fire\n", r->o);
        return;
    }
    const struct tpoint *tp = tp_of(r, last_cond);
    const char *what = r->rec[last_cond].miss || tp->bare ? "missing" : "false";
    if (tp->kind == TP_FILTER)
        fprintf(r->o, "不适用 not applicable: %s is %s\n", tp->label ? tp->label : "?", what);
    else if (tp->kind == TP_REQUIRE)
        fprintf(r->o, "未评估 not evaluated: requires %s is %s%s\n", tp->label ? tp->label : "?",
                what, tp->label && strncmp(tp->label, "feed ", 5) == 0
                          ? " (the feed is not in the data judged)" : "");
    else
        fprintf(r->o, "未命中 does not fire: %s is %s\n", tp->label ? tp->label : "?", what);
}

/* ---------- one unit ---------- */

static int rule_applies(const struct crule *cr, int candidate, int cancelled)
{
    if (!cr)
        return 0;
    if (candidate)
        return cr->unit == U_CANDIDATE;
    if (cancelled)
        return cr->unit == U_CANCELLED;
    return cr->unit == U_HOUSEHOLD || cr->unit == U_MEMBER;
}

static void put_std(struct ren *r, const char *region, int area)
{
    char buf[600];
    const struct standard *sd = standard_lookup(r->c->d->standards.v, r->c->d->standards.n,
                                                region, area, r->c->as_of);
    if (sd)
        fprintf(r->o, "  standard in force: %s\n",
                vm_describe_row(r->c, RK_STANDARD, sd, 0, buf, sizeof buf));
    else
        fprintf(r->o, "  standard in force: none for region %s, %s (rules needing it are not "
                      "evaluated)\n", region, area_names[area]);
}

static void household_header(struct ren *r, uint32_t hi)
{
    const struct dataset *d = r->c->d;
    const struct household *h = &VEC_AT(d->households, struct household, hi);
    const struct member *ms = &VEC_AT(d->members, struct member, h->first_member);
    char buf[1200];
    fprintf(r->o, "household %s\n  %s\n", h->id,
            vm_describe_row(r->c, RK_HOUSEHOLD, h, 0, buf, sizeof buf));
    int counted = 0;
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct hukou *hk = join_member_hukou(r->c->j, d, &ms[i]);
        counted += !hk || hk->status == HK_NORMAL;
    }
    fprintf(r->o, "  members: %u (%d counted)\n", h->n_members, counted);
    for (uint32_t i = 0; i < h->n_members; i++) {
        const struct hukou *hk = join_member_hukou(r->c->j, d, &ms[i]);
        fprintf(r->o, "    %s", vm_describe_row(r->c, RK_MEMBER, &ms[i], 1, buf, sizeof buf));
        if (!ms[i].key)
            fputs(" [ID not valid]", r->o);
        else if (!hk)
            fputs(" [not in hukou; counted]", r->o);
        else if (hk->status != HK_NORMAL)
            fprintf(r->o, " [hukou %s: not counted]", hk_status_names[hk->status]);
        fputs("\n", r->o);
    }
    put_std(r, h->region, h->area);
}

static void candidate_header(struct ren *r, uint32_t ci, int skipped)
{
    const struct dataset *d = r->c->d;
    const struct candidate *cd = &VEC_AT(d->candidates, struct candidate, ci);
    char buf[1200];
    fprintf(r->o, "%s\n", vm_describe_row(r->c, RK_CANDIDATE, cd, 0, buf, sizeof buf));
    const struct hukou *hk = join_candidate_hukou(r->c->j, d, ci);
    fprintf(r->o, "  hukou: %s\n",
            hk ? vm_describe_row(r->c, RK_HUKOU, hk, 0, buf, sizeof buf) : "none");
    put_std(r, cd->region, cd->area);
    if (skipped == 1)
        fputs("  not judged: the candidate is absent from hukou or not normal there (the run "
              "counts it in candidates_skipped_not_normal_in_hukou)\n", r->o);
    else if (skipped == 2)
        fputs("  not judged: no standard in force (the run lists it in the manifest's "
              "no_standard)\n", r->o);
}

static void render_rules(struct ren *r, int candidate, int cancelled)
{
    /* the blocks: each TP_UNIT starts one; no block holds another's records */
    for (int ri = 0; ri < r->P->nrules; ri++) {
        const struct prule *pr = &r->P->rules[ri];
        const struct crule *cr = crule_of(r->lp, pr->cat);
        if (!rule_applies(cr, candidate, cancelled))
            continue;
        fprintf(r->o, "\n%s %s - %s %s, %s %s - %s:%u", pr->name, rule_label_zh(pr->cat),
                kind_zh[rule_kinds[pr->cat]], kind_names[rule_kinds[pr->cat]],
                severity_names_zh[pr->severity], severity_names[pr->severity],
                file_base(r->lp, cr->pos.file), cr->pos.line);
        for (int k = 0; cr->ast && k < cr->ast->nov; k++)   /* a pack's changes to it */
            fprintf(r->o, "%s%s:%u", k ? ", " : ", changed at ",
                    file_base(r->lp, cr->ast->ov[k].file), cr->ast->ov[k].line);
        fputs("\n", r->o);
        put_params(r, cr);
        int blocks = 0;
        for (size_t i = 0; i < r->nrec; i++) {
            const struct tpoint *tp = tp_of(r, i);
            if (tp->kind != TP_UNIT || tp->rule != ri)
                continue;
            size_t j = i + 1;
            while (j < r->nrec && tp_of(r, j)->kind != TP_UNIT)
                j++;
            render_block(r, i, j, cr->unit == U_MEMBER || cr->each, 2);
            blocks++;
        }
        if (!blocks)
            fprintf(r->o, "  (nothing to judge: %s)\n",
                    cr->unit == U_MEMBER ? "no member" : cr->each ? "the set is empty"
                                                                  : "the unit was not judged");
    }
    int off = 0;
    for (int i = 0; i < r->lp->cp.nrules; i++) {
        const struct crule *cr = &r->lp->cp.rules[i];
        if (cr->severity != SEV_OFF || cr->cat < 0 || !rule_applies(cr, candidate, cancelled))
            continue;
        fprintf(r->o, "%s%s %s - 关闭 off in %s: not judged\n", off++ ? "" : "\n",
                rule_names[cr->cat], rule_label_zh(cr->cat), r->lp->cp.name);
    }
}

static void render_flags(struct ren *r, const struct eval_result *er)
{
    fprintf(r->o, "\nflags for this %s, as 'hedui run' lists them: %zu\n",
            er->n_flags && er->flags[0].hh == HH_NONE ? "candidate" : "unit", er->n_flags);
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        char id[96];
        idmask_value(g->id_no, id, sizeof id);
        fprintf(r->o, "  %s %s%s%s: %s\n", rule_names[g->rule], g->hukou_no,
                g->id_no[0] ? " " : "", g->id_no[0] ? id : "", g->evidence);
    }
}

/* One unit: traced judgement, then its text. */
static int explain_unit(struct ren *r, int candidate, uint32_t index, struct explain_req *x,
                        struct err *e)
{
    struct vm_trace tr;
    struct eval_result er;
    int skipped = 0;
    vm_trace_init(&tr);
    int st = vm_judge_one(r->c, r->P, candidate, index, &tr, &er, &skipped, e);
    if (st == E_OK) {
        r->rec = tr.recs.v;
        r->nrec = tr.recs.n;
        char day[11];
        date_format(r->c->as_of, day);
        fputs("========================================================================\n",
              r->o);
        int cancelled = 0;
        if (candidate) {
            candidate_header(r, index, skipped);
        } else {
            household_header(r, index);
            cancelled = VEC_AT(r->c->d->households, struct household, index).status ==
                        HS_CANCELLED;
        }
        fprintf(r->o, "  judged as of %s by policy %s (%s), policy hash %s\n", day,
                r->lp->cp.name, r->lp->entry, r->lp->policy_hash);
        if (!skipped)
            render_rules(r, candidate, cancelled);
        render_flags(r, &er);
        x->n_fired += er.n_flags;
    }
    eval_result_free(&er);
    vm_trace_free(&tr);
    return st;
}

int explain_run(const struct eval_ctx *c, struct explain_req *x, struct err *e)
{
    x->text = NULL;
    x->len = 0;
    x->n_fired = 0;
    struct lang_prog *lp = NULL;
    int st = vm_load_policy(c, x->rules_dir, 1, &lp, e);
    if (st != E_OK) {
        lang_prog_free(lp);
        return st;
    }
    FILE *out = open_memstream(&x->text, &x->len);
    if (!out) {
        lang_prog_free(lp);
        return ERR(e, E_NOMEM, "out of memory while explaining");
    }
    struct ren r = {out, c, lp, &lp->P, NULL, 0, 0};
    for (size_t i = 0; i < x->n_households && st == E_OK; i++)
        st = explain_unit(&r, 0, x->households[i], x, e);
    for (size_t i = 0; i < x->n_candidates && st == E_OK; i++)
        st = explain_unit(&r, 1, x->candidates[i], x, e);
    int bad = ferror(out) || r.oom;
    if (fclose(out) != 0 || bad) {
        if (st == E_OK)
            st = ERR(e, E_NOMEM, "out of memory while explaining");
    }
    lang_prog_free(lp);
    if (st != E_OK) {
        explain_free(x);
        return st;
    }
    /* full ID numbers wherever they were printed: masked 6+4 */
    x->len = idmask_text(x->text, x->text, x->len + 1);
    return E_OK;
}

void explain_free(struct explain_req *x)
{
    free(x->text);
    x->text = NULL;
    x->len = 0;
}
