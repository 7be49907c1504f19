/* mpigather.c - steps 6 and 7 of `hedui-mpi run` (mpirun.h): every
 * rank's counts, rejects and social-insurance months to rank 0, which adds
 * them to the run's dataset as one process's load would have them; then
 * every rank judges its partition and rank 0 gathers the flags.
 *
 * Owns: the wire form of the counts (pack_counts/unpack_counts) and the
 * judging of one rank's partition.  Never judges a rule itself
 * (pipeline_judge does), never writes an output, never prints an error.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"
#include "engine/join.h"
#include "engine/partdata.h"
#include "mpi/mpirank.h"

/* ---------- step 6: counts, rejects and months to rank 0 ---------- */

static int is_split(int f)
{
    return f == IN_MEMBERS || f == IN_HUKOU || feed_decls[f].by_person;
}

static int pack_counts(const struct mrank *r, struct vec *v, struct err *e)
{
    int st = E_OK;
    for (int f = 0; f < N_INPUT && st == E_OK; f++) {
        if (!is_split(f))
            continue;
        const struct filestat *fs = &r->d->files[f];
        uint64_t n = fs->rejects.n;
        st = mpiw_put(v, &fs->data_rows, 8, e);
        if (st == E_OK)
            st = mpiw_put(v, fs->id_flags_seen, sizeof fs->id_flags_seen, e);
        if (st == E_OK)
            st = mpiw_put(v, &n, 8, e);
        /* rank 0's member repeats are its own, not load rejects */
        size_t upto = f == IN_MEMBERS && r->m.rank == 0 ? r->repeats_at : fs->rejects.n;
        for (size_t i = 0; i < upto && st == E_OK; i++) {
            const struct reject *rj = &VEC_AT(fs->rejects, struct reject, i);
            uint32_t len = (uint32_t)strlen(rj->reason);
            st = mpiw_put(v, &rj->line, 8, e);
            if (st == E_OK)
                st = mpiw_put(v, &len, 4, e);
            if (st == E_OK)
                st = mpiw_put(v, rj->reason, len, e);
        }
    }
    if (st == E_OK)
        st = mpiw_put(v, &r->hukou_dropped, 8, e);
    if (st == E_OK)
        st = mpiw_put(v, r->si_seen, sizeof r->si_seen, e);
    return st;
}

/* Rank 0: another rank's part added to the run's counts; its member
 * rejects go before the repeats (a run rejects those after every row is
 * loaded). */
static int unpack_counts(struct mrank *r, const unsigned char *b, size_t n, struct err *e)
{
    struct dataset *d = r->d;
    const unsigned char *p = b, *end = b + n;
#define TAKE(dst, len)                                                                  \
    do {                                                                                \
        if ((size_t)(end - p) < (size_t)(len))                                          \
            return ERR(e, E_INTERNAL, "the counts received are damaged");               \
        memcpy((dst), p, (len));                                                        \
        p += (len);                                                                     \
    } while (0)
    for (int f = 0; f < N_INPUT; f++) {
        if (!is_split(f))
            continue;
        struct filestat *fs = &d->files[f];
        long long rows;
        unsigned idf[4];
        uint64_t nrej;
        TAKE(&rows, 8);
        TAKE(idf, sizeof idf);
        TAKE(&nrej, 8);
        fs->data_rows += rows;
        for (int k = 0; k < 4; k++)
            fs->id_flags_seen[k] += idf[k];
        size_t at = f == IN_MEMBERS ? r->repeats_at : fs->rejects.n;
        for (uint64_t i = 0; i < nrej; i++) {
            long long line;
            uint32_t len;
            TAKE(&line, 8);
            TAKE(&len, 4);
            if ((size_t)(end - p) < len)
                return ERR(e, E_INTERNAL, "the rejects received are damaged");
            char *reason = arena_strndup(&d->arena, (const char *)p, len);
            struct reject *rj = vec_push(&fs->rejects, sizeof *rj);
            if (!reason || !rj)
                return ERR(e, E_NOMEM, "out of memory while gathering the rejects");
            p += len;
            /* into place: after the rejects already there, before the repeats */
            memmove((struct reject *)fs->rejects.v + at + 1, (struct reject *)fs->rejects.v + at,
                    (fs->rejects.n - 1 - at) * sizeof *rj);
            ((struct reject *)fs->rejects.v)[at++] = (struct reject){line, reason};
        }
        if (f == IN_MEMBERS)
            r->repeats_at = at;
    }
    long long dropped;
    unsigned char seen[120];
    TAKE(&dropped, 8);
    TAKE(seen, sizeof seen);
#undef TAKE
    d->files[IN_HUKOU].dropped_dupes += dropped;
    for (int i = 0; i < 120; i++)
        r->si_seen[i] |= seen[i];
    return p == end ? E_OK : ERR(e, E_INTERNAL, "the counts received are damaged");
}

int mpi_gather_counts(struct mrank *r, struct err *e)
{
    struct vec v = {0};
    unsigned char *all = NULL;
    size_t tot = 0, *off = NULL;
    int st = mpiw_sync(&r->m, pack_counts(r, &v, e), e);
    if (st == E_OK)
        st = mpiw_gather(&r->m, v.v, v.n, &all, &tot, &off, e);
    if (st == E_OK && r->m.rank == 0) {
        r->d->files[IN_HUKOU].dropped_dupes += r->hukou_dropped;
        for (int k = 1; k < r->m.size && st == E_OK; k++)
            st = unpack_counts(r, all + off[k], off[k + 1] - off[k], e);
    }
    vec_free(&v);
    free(all);
    free(off);
    return mpiw_sync(&r->m, st, e);
}

/* ---------- step 7: judge, gather, publish ---------- */

int mpi_judge_and_gather(struct mrank *r, struct err *e)
{
    struct pipeline *p = r->p;
    struct join jn;
    struct calendar cal;
    struct eval_result er;
    struct flagstore fs;
    struct vec bytes = {0};
    memset(&jn, 0, sizeof jn);
    memset(&cal, 0, sizeof cal);
    memset(&er, 0, sizeof er);
    flagstore_init(&fs);
    int st = partdata_finish(&r->dp, r->d, p->cfg.as_of, e);
    struct judge jg;
    memset(&jg, 0, sizeof jg);
    jg.d = &r->dp;
    jg.pol = &p->pol;
    jg.rules_dir = p->cfg.rules_dir;   /* the rules of the run's directory */
    jg.as_of = p->cfg.as_of;
    memcpy(jg.have, r->present, sizeof jg.have);
    jg.jn = &jn;
    jg.cal = &cal;
    jg.er = &er;
    if (st == E_OK)
        st = pipeline_judge(&jg, e);
    p->stage_ms[ST_JOIN] = jg.join_ms;
    p->stage_ms[ST_EVAL] = jg.eval_ms;
    if (st == E_OK)
        st = flagstore_add(&fs, &er, r->glob_hh, r->glob_cand, e);
    if (st == E_OK)
        st = flagstore_encode(&fs, &bytes, e);
    /* which policy judged, the same on every rank: rank 0's, for the
     * manifest (pack, policy_hash) and report.html (severities) */
    struct judged_by by = er.by;
    eval_result_free(&er);
    calendar_free(&cal);
    join_free(&jn);
    flagstore_free(&fs);
    dataset_free(&r->dp);
    r->dp_made = 0;
    st = mpiw_sync(&r->m, mrank_hook(r, "judge", st, e), e);
    unsigned char *all = NULL;
    size_t tot = 0, *off = NULL;
    if (st == E_OK)
        st = mpiw_gather(&r->m, bytes.v, bytes.n, &all, &tot, &off, e);
    vec_free(&bytes);
    if (st == E_OK && r->m.rank == 0) {
        flagstore_init(&fs);
        for (int k = 0; k < r->m.size && st == E_OK; k++)
            st = flagstore_decode(&fs, all + off[k], off[k + 1] - off[k], e);
        if (st == E_OK)
            st = flagstore_result(&fs, &p->er, e);
        if (st == E_OK)
            p->er.by = by;
        flagstore_free(&fs);
    }
    free(all);
    free(off);
    return mpiw_sync(&r->m, mrank_hook(r, "gather", st, e), e);
}

