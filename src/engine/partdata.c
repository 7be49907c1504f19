/* partdata.c - the member list, a partition's dataset and the gathered
 * flags (see partdata.h).
 *
 * Owns: the member repeat rule on the compact list (the same rule and
 * reason as normalise.c's finish_members), the order rows are put back in,
 * and the flags' byte form between MPI ranks.  Never reads a file, never
 * judges a rule.
 */
#include "engine/partdata.h"

#include <stdlib.h>
#include <string.h>

#include "base/sort.h"
#include "engine/normalise.h"

/* ---------- the compact member list ---------- */

static const char *bad_id_at(const struct member_list *ml, size_t pos)
{
    size_t lo = 0, hi = ml->n_bad;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ml->bad[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ml->n_bad && ml->bad[lo].pos == pos ? ml->bad[lo].id : "";
}

int partdata_member_repeats(const struct member_list *ml, struct dataset *d, int record,
                            unsigned char **repeat_out, struct err *e)
{
    size_t nh = d->households.n, n = ml->n;
    const struct mrec *mc = ml->mc;
    uint32_t *start = calloc(nh + 1, sizeof *start);
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    unsigned char *repeat = calloc(n ? n : 1, 1);
    *repeat_out = repeat;
    int st = E_OK;
    if (!start || !order || !repeat) {
        st = ERR(e, E_NOMEM, "out of memory while grouping members by household");
        goto out;
    }
    /* a stable counting sort by household: file order within each */
    for (size_t i = 0; i < n; i++)
        start[mc[i].hh + 1]++;
    for (size_t h = 0; h < nh; h++)
        start[h + 1] += start[h];
    for (size_t i = 0; i < n; i++)
        order[start[mc[i].hh]++] = (uint32_t)i;   /* start[h]: the end of group h now */
    size_t a = 0;
    for (size_t h = 0; h < nh && st == E_OK; h++) {
        size_t b = start[h], kept = a;
        for (size_t k = a; k < b && st == E_OK; k++) {
            uint32_t pk = order[k];
            long long dup_of = 0;
            const char *idk = mc[pk].key ? NULL : bad_id_at(ml, pk);
            for (size_t q = a; q < kept; q++) {
                uint32_t pq = order[q];
                int same = mc[pk].key ? mc[pk].key == mc[pq].key
                                      : (mc[pq].key == 0 && idk[0] != '\0' &&
                                         strcmp(idk, bad_id_at(ml, pq)) == 0);
                if (same) {
                    dup_of = ml->line[pq];
                    break;
                }
            }
            if (dup_of) {
                repeat[pk] = 1;
                if (record)
                    st = dataset_reject(d, IN_MEMBERS, ml->line[pk], e,
                                        "id_no: person repeated in household %s (first on line "
                                        "%lld)",
                                        VEC_AT(d->households, struct household, h).id, dup_of);
                continue;
            }
            order[kept++] = pk;
        }
        a = b;
    }
out:
    free(start);
    free(order);
    return st;
}

int partdata_needs(const struct member_list *ml, const unsigned char *repeat,
                   const struct dataset *d, struct part_plan *pl, struct err *e)
{
    uint32_t nh = (uint32_t)d->households.n, nc = (uint32_t)d->candidates.n;
    int st = E_OK;
    for (size_t i = 0; i < ml->n && st == E_OK; i++)
        if (ml->mc[i].key && !repeat[i])
            st = part_plan_need(pl, ml->mc[i].key, ml->mc[i].hh,
                                ml->mc[i].head ? NEED_HEAD : NEED_MEMBER, e);
    for (uint32_t c = 0; c < nc && st == E_OK; c++)
        st = part_plan_need(pl, VEC_AT(d->candidates, struct candidate, c).key, nh + c,
                            NEED_CANDIDATE, e);
    if (st == E_OK)
        st = part_plan_need_done(pl, e);
    return st;
}

/* ---------- a partition's dataset ---------- */

int partdata_reserve(struct dataset *dp, enum input_file f, size_t n, struct err *e)
{
    size_t size;
    struct vec *v = dataset_rows(dp, f, &size);
    if (v->n + n <= v->cap)
        return E_OK;
    void *p = realloc(v->v, (v->n + n) * size);
    if (!p)
        return ERR(e, E_NOMEM, "out of memory while reading back %s", input_file_names[f]);
    v->v = p;
    v->cap = v->n + n;
    return E_OK;
}

static int in_range(const struct part_plan *pl, uint32_t u, int b0, int b1)
{
    int b = part_unit_bucket(pl, u);
    return b >= b0 && b < b1;
}

int partdata_units(const struct dataset *d, const struct part_plan *pl, int b0, int b1,
                   struct dataset *dp, uint32_t *loc, uint32_t **glob_hh, uint32_t **glob_cand,
                   struct err *e)
{
    uint32_t nh = (uint32_t)d->households.n, nc = (uint32_t)d->candidates.n, n = 0, m = 0;
    for (uint32_t g = 0; g < nh; g++)
        n += (uint32_t)in_range(pl, g, b0, b1);
    for (uint32_t c = 0; c < nc; c++)
        m += (uint32_t)in_range(pl, nh + c, b0, b1);
    free(*glob_hh);
    free(*glob_cand);
    *glob_hh = malloc((n ? n : 1) * sizeof **glob_hh);
    *glob_cand = malloc((m ? m : 1) * sizeof **glob_cand);
    if (!*glob_hh || !*glob_cand || partdata_reserve(dp, IN_HOUSEHOLDS, n, e) != E_OK ||
        partdata_reserve(dp, IN_CANDIDATES, m, e) != E_OK)
        return ERR(e, E_NOMEM, "out of memory while reading back the registry");
    for (uint32_t g = 0; g < nh; g++) {
        if (!in_range(pl, g, b0, b1))
            continue;
        loc[g] = (uint32_t)dp->households.n;
        (*glob_hh)[dp->households.n] = g;
        VEC_AT(dp->households, struct household, dp->households.n++) =
            VEC_AT(d->households, struct household, g);
    }
    for (uint32_t c = 0; c < nc; c++) {
        if (!in_range(pl, nh + c, b0, b1))
            continue;
        (*glob_cand)[dp->candidates.n] = c;
        VEC_AT(dp->candidates, struct candidate, dp->candidates.n++) =
            VEC_AT(d->candidates, struct candidate, c);
    }
    return E_OK;
}

int partdata_add(struct dataset *dp, const struct spill_rec *rec, const uint32_t *loc,
                 struct err *e)
{
    size_t size;
    struct vec *v = dataset_rows(dp, rec->f, &size);
    void *row = vec_push(v, size);
    if (!row)
        return ERR(e, E_NOMEM, "out of memory while reading back %s", input_file_names[rec->f]);
    int st = spill_rec_decode(rec, row, &dp->arena, e);
    if (st == E_OK && rec->f == IN_MEMBERS)
        ((struct member *)row)->hh = loc[((struct member *)row)->hh];
    return st;
}

int partdata_finish(struct dataset *dp, const struct dataset *d, int as_of, struct err *e)
{
    int st = E_OK;
    /* file order again (partition.h), hukou by person as its merge left it */
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        size_t size;
        struct vec *v = dataset_rows(dp, (enum input_file)f, &size);
        if (f == IN_HUKOU)
            st = radix_sort_u64(v->v, v->n, size, offsetof(struct hukou, key), e);
        else if (f == IN_MEMBERS || feed_decls[f].by_person)
            st = radix_sort_u64(v->v, v->n, size, (size_t)feed_decls[f].line_off, e);
    }
    dp->standards = (struct vec){d->standards.v, d->standards.n, d->standards.n, 1};
    dp->holidays = (struct vec){d->holidays.v, d->holidays.n, d->holidays.n, 1};
    for (int f = 0; f < N_INPUT; f++)
        dp->files[f].present = d->files[f].present;
    if (st == E_OK) {
        struct normaliser tn;
        st = normaliser_init(&tn, dp, as_of, e);
        tn.hukou_merged = 1;
        if (st == E_OK)
            st = normalise_finish(&tn, e);
        normaliser_free(&tn);
    }
    if (st == E_OK && dp->files[IN_MEMBERS].rejects.n)
        st = ERR(e, E_INTERNAL, "a member repeat was found in a partition after the plan");
    return st;
}

/* ---------- the flags ---------- */

void flagstore_init(struct flagstore *fs)
{
    memset(fs, 0, sizeof *fs);
    arena_init_growing(&fs->arena, (size_t)1 << 20, (size_t)4 << 20);
}

void flagstore_free(struct flagstore *fs)
{
    vec_free(&fs->flags);
    arena_free(&fs->arena);
    vec_free(&fs->nsh);
    vec_free(&fs->nsc);
    memset(fs, 0, sizeof *fs);
}

static const char *keep_str(struct flagstore *fs, const char *s, size_t n, int *nomem)
{
    if (!s || !n)
        return "";
    char *c = arena_strndup(&fs->arena, s, n);
    if (!c)
        *nomem = 1;
    return c ? c : "";
}

static const char *keep(struct flagstore *fs, const char *s, int *nomem)
{
    return keep_str(fs, s, s ? strlen(s) : 0, nomem);
}

static int push_u32(struct vec *v, uint32_t x, struct err *e)
{
    uint32_t *p = vec_push(v, sizeof *p);
    if (!p)
        return ERR(e, E_NOMEM, "out of memory while keeping the flags");
    *p = x;
    return E_OK;
}

int flagstore_add(struct flagstore *fs, const struct eval_result *er, const uint32_t *glob_hh,
                  const uint32_t *glob_cand, struct err *e)
{
    int nomem = 0, st = E_OK;
    for (size_t i = 0; i < er->n_flags; i++) {
        const struct flag *f = &er->flags[i];
        struct flag *g = vec_push(&fs->flags, sizeof *g);
        if (!g)
            return ERR(e, E_NOMEM, "out of memory while keeping the flags");
        *g = *f;
        /* household_id and region point into the run's households and
         * candidates, which outlive the partition; the rest is its own */
        if (f->hh != HH_NONE)
            g->hh = glob_hh[f->hh];
        g->hukou_no = keep(fs, f->hukou_no, &nomem);
        g->unit_hukou_no = f->unit_hukou_no == f->hukou_no ? g->hukou_no
                                                           : keep(fs, f->unit_hukou_no, &nomem);
        g->id_no = keep(fs, f->id_no, &nomem);
        g->evidence = keep(fs, f->evidence, &nomem);
        g->evkey = keep(fs, f->evkey, &nomem);
    }
    for (size_t i = 0; i < er->n_no_std_households && st == E_OK; i++)
        st = push_u32(&fs->nsh, glob_hh[er->no_std_households[i]], e);
    for (size_t i = 0; i < er->n_no_std_candidates && st == E_OK; i++)
        st = push_u32(&fs->nsc, glob_cand[er->no_std_candidates[i]], e);
    fs->cand_skipped += er->candidates_skipped_not_in_hukou;
    if (st == E_OK && nomem)
        st = ERR(e, E_NOMEM, "out of memory while keeping the flags");
    return st;
}

/* The byte form: u64 counts of flags, no-standard households and
 * candidates, the skipped candidates; per flag i32 rule, i32 severity, u32
 * hh and seven strings (u32 length + bytes: household_id, hukou_no, id_no,
 * region, unit_hukou_no, evidence, evkey); then the two index lists. */
static int out_put(struct vec *out, const void *p, size_t n, struct err *e)
{
    if (out->n + n > out->cap) {
        size_t cap = out->cap ? out->cap : 4096;
        while (cap < out->n + n)
            cap *= 2;
        void *q = realloc(out->v, cap);
        if (!q)
            return ERR(e, E_NOMEM, "out of memory while sending the flags");
        out->v = q;
        out->cap = cap;
    }
    memcpy((char *)out->v + out->n, p, n);
    out->n += n;
    return E_OK;
}

static int out_str(struct vec *out, const char *s, struct err *e)
{
    uint32_t n = s ? (uint32_t)strlen(s) : 0;
    int st = out_put(out, &n, 4, e);
    return st == E_OK && n ? out_put(out, s, n, e) : st;
}

int flagstore_encode(const struct flagstore *fs, struct vec *out, struct err *e)
{
    uint64_t head[4] = {fs->flags.n, fs->nsh.n, fs->nsc.n, (uint64_t)fs->cand_skipped};
    int st = out_put(out, head, sizeof head, e);
    for (size_t i = 0; i < fs->flags.n && st == E_OK; i++) {
        const struct flag *f = &VEC_AT(fs->flags, struct flag, i);
        int32_t rs[2] = {f->rule, f->severity};
        st = out_put(out, rs, sizeof rs, e);
        if (st == E_OK)
            st = out_put(out, &f->hh, 4, e);
        const char *s[7] = {f->household_id, f->hukou_no, f->id_no,   f->region,
                            f->unit_hukou_no, f->evidence, f->evkey};
        for (int k = 0; k < 7 && st == E_OK; k++)
            st = out_str(out, s[k], e);
    }
    if (st == E_OK && fs->nsh.n)
        st = out_put(out, fs->nsh.v, fs->nsh.n * sizeof(uint32_t), e);
    if (st == E_OK && fs->nsc.n)
        st = out_put(out, fs->nsc.v, fs->nsc.n * sizeof(uint32_t), e);
    return st;
}

struct rd {
    const unsigned char *p, *end;
    int bad;
};

static void rd_get(struct rd *r, void *v, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        memset(v, 0, n);
        return;
    }
    memcpy(v, r->p, n);
    r->p += n;
}

int flagstore_decode(struct flagstore *fs, const unsigned char *b, size_t n, struct err *e)
{
    struct rd r = {b, b + n, 0};
    uint64_t head[4];
    rd_get(&r, head, sizeof head);
    int nomem = 0, st = E_OK;
    for (uint64_t i = 0; i < head[0] && !r.bad && st == E_OK; i++) {
        struct flag *f = vec_push(&fs->flags, sizeof *f);
        if (!f)
            return ERR(e, E_NOMEM, "out of memory while receiving the flags");
        memset(f, 0, sizeof *f);
        int32_t rs[2];
        rd_get(&r, rs, sizeof rs);
        rd_get(&r, &f->hh, 4);
        f->rule = rs[0];
        f->severity = rs[1];
        const char **s[7] = {&f->household_id, &f->hukou_no, &f->id_no,   &f->region,
                             &f->unit_hukou_no, &f->evidence, &f->evkey};
        for (int k = 0; k < 7; k++) {
            uint32_t len;
            rd_get(&r, &len, 4);
            if (r.bad || (size_t)(r.end - r.p) < len) {
                r.bad = 1;
                break;
            }
            *s[k] = keep_str(fs, (const char *)r.p, len, &nomem);
            r.p += len;
        }
        if (f->rule < 0 || f->rule >= n_rules)
            r.bad = 1;
    }
    for (uint64_t i = 0; i < head[1] && !r.bad && st == E_OK; i++) {
        uint32_t x;
        rd_get(&r, &x, 4);
        st = push_u32(&fs->nsh, x, e);
    }
    for (uint64_t i = 0; i < head[2] && !r.bad && st == E_OK; i++) {
        uint32_t x;
        rd_get(&r, &x, 4);
        st = push_u32(&fs->nsc, x, e);
    }
    fs->cand_skipped += (long long)head[3];
    if (st == E_OK && nomem)
        st = ERR(e, E_NOMEM, "out of memory while receiving the flags");
    if (st == E_OK && (r.bad || r.p != r.end))
        st = ERR(e, E_INTERNAL, "the flags received are damaged (%zu bytes)", n);
    return st;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int flagstore_result(struct flagstore *fs, struct eval_result *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    r->arenas = malloc(sizeof *r->arenas);
    if (!r->arenas)
        return ERR(e, E_NOMEM, "out of memory while collecting flags");
    r->arenas[0] = fs->arena;   /* ownership moves to the result */
    r->n_arenas = 1;
    memset(&fs->arena, 0, sizeof fs->arena);
    r->flags = fs->flags.v;
    r->n_flags = fs->flags.n;
    r->no_std_households = fs->nsh.v;
    r->n_no_std_households = fs->nsh.n;
    r->no_std_candidates = fs->nsc.v;
    r->n_no_std_candidates = fs->nsc.n;
    r->candidates_skipped_not_in_hukou = fs->cand_skipped;
    memset(&fs->flags, 0, sizeof fs->flags);
    memset(&fs->nsh, 0, sizeof fs->nsh);
    memset(&fs->nsc, 0, sizeof fs->nsc);
    if ((!r->flags && !(r->flags = malloc(sizeof *r->flags))) ||
        (!r->no_std_households && !(r->no_std_households = malloc(sizeof(uint32_t)))) ||
        (!r->no_std_candidates && !(r->no_std_candidates = malloc(sizeof(uint32_t)))))
        return ERR(e, E_NOMEM, "out of memory while collecting flags");
    qsort(r->flags, r->n_flags, sizeof *r->flags, flag_cmp);
    for (size_t i = 0; i < r->n_flags; i++)
        r->rule_count[r->flags[i].rule]++;
    qsort(r->no_std_households, r->n_no_std_households, sizeof(uint32_t), cmp_u32);
    qsort(r->no_std_candidates, r->n_no_std_candidates, sizeof(uint32_t), cmp_u32);
    return E_OK;
}
