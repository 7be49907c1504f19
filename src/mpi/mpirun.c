/* mpirun.c - `hedui-mpi run` (see mpirun.h for the steps).
 *
 * Owns: one rank's state through the steps 1-5 - its share of the member
 * rows, the hukou rows of the keys it owns, its partition's dataset - the
 * routing of rows between ranks, and the test hooks HEDUI_TEST_MPI_FAIL /
 * _KILL ("RANK:STEP": that rank fails, or is killed, at that step); steps
 * 6 and 7 (counts and flags to rank 0) are mpigather.c's.  Never
 * judges a rule (pipeline_judge does), never writes an output but through
 * pipeline_publish_dir on rank 0, never prints an error.
 */
#include "mpi/mpirun.h"

#include <mpi.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/index.h"
#include "base/sort.h"
#include "cmd/cmd_run.h"
#include "engine/partdata.h"
#include "engine/partition.h"
#include "engine/spill.h"
#include "mpi/mpiread.h"
#include "mpi/mpirank.h"
#include "mpi/mpiwire.h"
#include "pipeline.h"

static int g_rank, g_inited;

void mpirun_finalize(void)
{
    int done = 1;
    if (g_inited && MPI_Finalized(&done) == MPI_SUCCESS && !done)
        MPI_Finalize();
}

int mpirun_init(int *argc, char ***argv)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return -1;
    g_inited = 1;
    atexit(mpirun_finalize);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    if (g_rank != 0 && !freopen("/dev/null", "w", stdout))
        return -1;
    return 0;
}

int mpirun_is_root(void)
{
    return g_rank == 0;
}

/* A test hook: rank R fails (HEDUI_TEST_MPI_FAIL) or is killed
 * (HEDUI_TEST_MPI_KILL) at step S, given as "R:S". */
int mrank_hook(const struct mrank *r, const char *step, int st, struct err *e)
{
    char want[64];
    snprintf(want, sizeof want, "%d:%s", r->m.rank, step);
    const char *k = getenv("HEDUI_TEST_MPI_KILL");
    if (k && strcmp(k, want) == 0)
        raise(SIGKILL);
    const char *f = getenv("HEDUI_TEST_MPI_FAIL");
    if (st == E_OK && f && strcmp(f, want) == 0)
        return ERR(e, E_INTERNAL, "test hook: rank %d fails at %s", r->m.rank, step);
    return st;
}

static void progress(const struct mrank *r, const char *what, double t0)
{
    if (r->m.rank == 0 && r->p->cfg.progress)
        fprintf(stderr, "hedui: %-36s %8.0f ms (%d ranks)\n", what, pipeline_now_ms() - t0,
                r->m.size);
}

static void scratch_reset(struct mrank *r)
{
    arena_free(&r->scratch);
    arena_init_growing(&r->scratch, (size_t)64 << 10, (size_t)1 << 20);
}

/* ---------- routing rows between ranks ---------- */

/* The ranks a record goes to (into dest), or 0 to drop it; idx counts the
 * records already consumed. */
typedef int (*dest_fn)(struct mrank *r, const struct spill_rec *rec, size_t idx, int *dest,
                       struct err *e);
/* A record that arrived. */
typedef int (*got_fn)(struct mrank *r, const struct spill_rec *rec, struct err *e);

#define SEND_LIMIT (MPIW_ROUND / 4)

/* Every record of recs[0..n) to its ranks, in rounds of MPI_Alltoallv;
 * collective: loops until every rank has sent all it has. */
static int route(struct mrank *r, const unsigned char *recs, size_t n, dest_fn dest,
                 got_fn got, struct err *e)
{
    size_t pos = 0, idx = 0;
    int st = E_OK;
    int *d = malloc((size_t)r->m.size * sizeof *d);
    if (!d)
        st = ERR(e, E_NOMEM, "out of memory while sending rows");
    for (;;) {
        while (st == E_OK && pos < n) {
            struct spill_rec rec;
            if (spill_rec_parse(recs + pos, n - pos, &rec) != 1) {
                st = ERR(e, E_INTERNAL, "a row to send is damaged");
                break;
            }
            int nd = dest(r, &rec, idx, d, e);
            if (nd < 0) {
                st = e->code;
                break;
            }
            int full = 0;
            for (int i = 0; i < nd; i++)
                full |= r->send[d[i]].n + rec.len > SEND_LIMIT;
            if (full)
                break;
            for (int i = 0; i < nd && st == E_OK; i++)
                st = mpiw_put(&r->send[d[i]], recs + pos, rec.len, e);
            pos += rec.len;
            idx++;
        }
        st = mpiw_sync(&r->m, st, e);
        if (st == E_OK)
            st = mpiw_sync(&r->m, mpiw_exchange(&r->m, r->send, &r->recv, e), e);
        if (st != E_OK)
            break;
        const unsigned char *b = r->recv.v;
        for (size_t at = 0; at < r->recv.n && st == E_OK;) {
            struct spill_rec rec;
            if (spill_rec_parse(b + at, r->recv.n - at, &rec) != 1) {
                st = ERR(e, E_INTERNAL, "a row received is damaged");
                break;
            }
            st = got(r, &rec, e);
            at += rec.len;
        }
        st = mpiw_sync(&r->m, st, e);
        if (st != E_OK || !mpiw_max(&r->m, pos < n))
            break;
    }
    for (int k = 0; k < r->m.size; k++)
        r->send[k].n = 0;
    free(d);
    return st;
}

static int got_partition(struct mrank *r, const struct spill_rec *rec, struct err *e)
{
    return partdata_add(&r->dp, rec, r->loc, e);
}

/* ---------- step 3: members.csv ---------- */

static int take_members(void *ctx, const unsigned char *recs, size_t n, struct err *e)
{
    struct mrank *r = ctx;
    int st = mpiw_put(&r->mrows, recs, n, e);
    for (size_t at = 0; at < n && st == E_OK;) {
        struct spill_rec rec;
        struct member m;
        if (spill_rec_parse(recs + at, n - at, &rec) != 1)
            return ERR(e, E_INTERNAL, "a member row read is damaged");
        st = spill_rec_decode(&rec, &m, &r->scratch, e);
        struct mrec c = {m.key, m.hh, m.relation == REL_HEAD};
        if (st == E_OK)
            st = mpiw_put(&r->mrec, &c, sizeof c, e);
        if (st == E_OK)
            st = mpiw_put(&r->mline, &m.line, sizeof m.line, e);
        if (st == E_OK && !m.key) {
            struct badid b = {r->mrec.n / sizeof c - 1, arena_strndup(&r->bad_arena, m.id,
                                                                     strlen(m.id))};
            st = b.id ? mpiw_put(&r->mbad, &b, sizeof b, e)
                      : ERR(e, E_NOMEM, "out of memory while reading members.csv");
        }
        at += rec.len;
    }
    scratch_reset(r);
    return st;
}

static int reset_members(void *ctx, struct err *e)
{
    (void)e;
    struct mrank *r = ctx;
    r->mrows.n = r->mrec.n = r->mline.n = r->mbad.n = 0;
    return E_OK;
}

/* Every rank's member list, whole on every rank: the repeats (rejected on
 * rank 0, after every rank's load rejects: see mpigather.c) and the
 * plan's needs. */
static int plan_members(struct mrank *r, struct err *e)
{
    size_t *off = NULL, *off2 = NULL, *off3 = NULL, tot, tot2, tot3;
    unsigned char *all = NULL, *lines = NULL, *bad = NULL, *mine = NULL;
    struct badid *gbad = NULL;
    int st = mpiw_allgather(&r->m, r->mrec.v, r->mrec.n, &all, &tot, &off, e);
    if (st == E_OK)
        st = mpiw_allgather(&r->m, r->mline.v, r->mline.n, &lines, &tot2, &off2, e);
    if (st == E_OK)
        r->m_off = off[r->m.rank] / sizeof(struct mrec);
    /* invalid IDs as (global place, length, text) */
    struct vec v = {0};
    for (size_t i = 0; st == E_OK && i < r->mbad.n / sizeof(struct badid); i++) {
        const struct badid *b = (const struct badid *)r->mbad.v + i;
        uint64_t pos = b->pos + r->m_off;
        uint32_t len = (uint32_t)strlen(b->id);
        st = mpiw_put(&v, &pos, 8, e);
        if (st == E_OK)
            st = mpiw_put(&v, &len, 4, e);
        if (st == E_OK)
            st = mpiw_put(&v, b->id, len, e);
    }
    st = mpiw_sync(&r->m, st, e);
    if (st == E_OK)
        st = mpiw_allgather(&r->m, v.v, v.n, &bad, &tot3, &off3, e);
    vec_free(&v);
    size_t nbad = 0;
    for (size_t at = 0; st == E_OK && at + 12 <= tot3; nbad++) {
        uint32_t len;
        memcpy(&len, bad + at + 8, 4);
        at += 12 + len;
    }
    if (st == E_OK && !(gbad = malloc((nbad ? nbad : 1) * sizeof *gbad)))
        st = ERR(e, E_NOMEM, "out of memory while gathering the members");
    for (size_t at = 0, i = 0; st == E_OK && i < nbad; i++) {
        uint32_t len;
        memcpy(&gbad[i].pos, bad + at, 8);
        memcpy(&len, bad + at + 8, 4);
        /* the text in place: its bytes are followed by the next entry, so
         * each is copied with its NUL into the scratch arena */
        gbad[i].id = arena_strndup(&r->bad_arena, (const char *)bad + at + 12, len);
        if (!gbad[i].id)
            st = ERR(e, E_NOMEM, "out of memory while gathering the members");
        at += 12 + len;
    }
    st = mpiw_sync(&r->m, st, e);
    if (st == E_OK) {
        struct member_list ml = {(const struct mrec *)all, (const long long *)lines,
                                 tot / sizeof(struct mrec), gbad, nbad};
        r->repeats_at = r->d->files[IN_MEMBERS].rejects.n;
        st = partdata_member_repeats(&ml, r->d, r->m.rank == 0, &r->repeat, e);
        if (st == E_OK)
            st = part_plan_init(&r->plan, (uint32_t)r->d->households.n,
                                (uint32_t)r->d->candidates.n, r->m.size, e);
        r->plan_made = st == E_OK;
        if (st == E_OK)
            st = partdata_needs(&ml, r->repeat, r->d, &r->plan, e);
    }
    free(all);
    free(lines);
    free(bad);
    free(off);
    free(off2);
    free(off3);
    free(gbad);
    free(mine);
    vec_free(&r->mrec);
    vec_free(&r->mline);
    vec_free(&r->mbad);
    return mpiw_sync(&r->m, st, e);
}

/* ---------- step 4: hukou.csv ---------- */

static int owner_of(const struct mrank *r, uint64_t key)
{
    return (int)((idx_hash64(key) >> 32) % (uint64_t)r->m.size);
}

static int dest_owner(struct mrank *r, const struct spill_rec *rec, size_t idx, int *dest,
                      struct err *e)
{
    (void)idx;
    (void)e;
    dest[0] = owner_of(r, spill_rec_key(rec));
    return 1;
}

static int got_owned(struct mrank *r, const struct spill_rec *rec, struct err *e)
{
    struct hukou *h = vec_push(&r->t.hukou, sizeof *h);
    if (!h)
        return ERR(e, E_NOMEM, "out of memory while receiving hukou rows");
    return spill_rec_decode(rec, h, &r->t.arena, e);
}

static int take_hukou(void *ctx, const unsigned char *recs, size_t n, struct err *e)
{
    return route(ctx, recs, n, dest_owner, got_owned, e);
}

static int reset_hukou(void *ctx, struct err *e)
{
    (void)e;
    ((struct mrank *)ctx)->t.hukou.n = 0;
    return E_OK;
}

/* Gather a vec of struct kv from every rank into it, on every rank. */
static int gather_kv(struct mrank *r, struct vec *v, struct err *e)
{
    unsigned char *all = NULL;
    size_t tot = 0, *off = NULL;
    int st = mpiw_allgather(&r->m, v->v, v->n * sizeof(struct kv), &all, &tot, &off, e);
    free(off);
    if (st != E_OK)
        return st;
    vec_free(v);
    v->v = all;
    v->n = v->cap = tot / sizeof(struct kv);
    return E_OK;
}

/* My keys' rows merged by the contract's rule; what they say of heads and
 * candidates gathered; the second look's joins gathered; the same plan
 * made on every rank. */
static int plan_hukou(struct mrank *r, struct err *e)
{
    struct normaliser tn;
    int st = radix_sort_u64(r->t.hukou.v, r->t.hukou.n, sizeof(struct hukou),
                            offsetof(struct hukou, line), e);
    if (st == E_OK && (st = normaliser_init(&tn, &r->t, r->p->cfg.as_of, e)) == E_OK) {
        st = normalise_finish(&tn, e);
        normaliser_free(&tn);
    }
    r->hukou_dropped = r->t.files[IN_HUKOU].dropped_dupes;
    for (size_t i = 0; st == E_OK && i < r->t.hukou.n; i++)
        st = part_plan_hukou(&r->plan, &VEC_AT(r->t.hukou, struct hukou, i), e);
    st = mpiw_sync(&r->m, st, e);
    if (st == E_OK)
        st = gather_kv(r, &r->plan.facts, e);
    if (st == E_OK)
        st = part_plan_groups_done(&r->plan, e);
    for (size_t i = 0; st == E_OK && i < r->t.hukou.n; i++)
        st = part_plan_hukou_again(&r->plan, &VEC_AT(r->t.hukou, struct hukou, i), e);
    st = mpiw_sync(&r->m, st, e);
    if (st == E_OK)
        st = gather_kv(r, &r->plan.unions, e);
    if (st == E_OK)
        st = gather_kv(r, &r->plan.pairs, e);
    if (st == E_OK)
        st = part_plan_assign(&r->plan, e);
    return mpiw_sync(&r->m, st, e);
}

/* ---------- step 5: my partition ---------- */

/* The record of a typed row appended to a byte vec. */
static int put_rec(struct vec *v, enum input_file f, const void *row, struct err *e)
{
    size_t len = spill_rec_size(f, row, 0, 0);
    if (v->n + len > v->cap) {
        size_t cap = v->cap ? v->cap : 65536;
        while (cap < v->n + len)
            cap *= 2;
        void *q = realloc(v->v, cap);
        if (!q)
            return ERR(e, E_NOMEM, "out of memory while sending %s rows", input_file_names[f]);
        v->v = q;
        v->cap = cap;
    }
    spill_rec_write((unsigned char *)v->v + v->n, len, f, 0, NULL, 0, NULL, row);
    v->n += len;
    return E_OK;
}

static int dest_hukou(struct mrank *r, const struct spill_rec *rec, size_t idx, int *dest,
                      struct err *e)
{
    (void)idx;
    struct hukou h;
    if (spill_rec_decode(rec, &h, &r->scratch, e) != E_OK)
        return -1;
    uint16_t d[PART_MAX_BUCKETS + 1];
    int n = part_hukou_dests(&r->plan, &h, d);
    for (int i = 0; i < n; i++)
        dest[i] = d[i];
    return n;
}

/* The merged rows of my keys to the partitions that read them, a slice
 * at a time (the same number of slices on every rank). */
static int route_hukou(struct mrank *r, struct err *e)
{
    const size_t slice = 1 << 18;
    long long mine = (long long)((r->t.hukou.n + slice - 1) / slice);
    long long rounds = mpiw_max(&r->m, mine);
    struct vec buf = {0};
    int st = E_OK;
    for (long long k = 0; k < rounds; k++) {
        buf.n = 0;
        size_t a = (size_t)k * slice, b = a + slice < r->t.hukou.n ? a + slice : r->t.hukou.n;
        for (size_t i = a; i < b && st == E_OK; i++)
            st = put_rec(&buf, IN_HUKOU, &VEC_AT(r->t.hukou, struct hukou, i), e);
        st = mpiw_sync(&r->m, st, e);
        if (st == E_OK)
            st = route(r, buf.v, buf.n, dest_hukou, got_partition, e);
        scratch_reset(r);
        if (st != E_OK)
            break;
    }
    vec_free(&buf);
    return st;
}

static int dest_member(struct mrank *r, const struct spill_rec *rec, size_t idx, int *dest,
                       struct err *e)
{
    if (r->repeat[r->m_off + idx])
        return 0;   /* a repeat: rejected, not judged */
    struct member m;
    if (spill_rec_decode(rec, &m, &r->scratch, e) != E_OK)
        return -1;
    dest[0] = part_unit_bucket(&r->plan, m.hh);
    return 1;
}

static int dest_feed(struct mrank *r, const struct spill_rec *rec, size_t idx, int *dest,
                     struct err *e)
{
    (void)idx;
    if (rec->f == IN_SI) {
        struct si_row s;
        if (spill_rec_decode(rec, &s, &r->scratch, e) != E_OK)
            return -1;
        if (s.month >= r->si_first && s.month <= r->si_last && s.month - r->si_first < 120)
            r->si_seen[s.month - r->si_first] = 1;
    }
    int b = part_key_bucket(&r->plan, spill_rec_key(rec));
    if (b < 0)
        return 0;   /* a person no unit reads */
    dest[0] = b;
    return 1;
}

static int take_feed(void *ctx, const unsigned char *recs, size_t n, struct err *e)
{
    struct mrank *r = ctx;
    int st = route(r, recs, n, dest_feed, got_partition, e);
    scratch_reset(r);
    return st;
}

static int reset_feed(void *ctx, struct err *e)
{
    (void)e;
    struct mrank *r = ctx;
    size_t size;
    dataset_rows(&r->dp, r->cur, &size)->n = r->rows_before;
    if (r->cur == IN_SI)
        memset(r->si_seen, 0, sizeof r->si_seen);   /* read again, whole, by rank 0 */
    return E_OK;
}

/* One split file read by every rank (mpiread.h), rows to the sink. */
static int read_split(struct mrank *r, enum input_file f, const char *path,
                      const struct mpiread_sink *sink, struct err *e)
{
    const struct run_config *cfg = &r->p->cfg;
    enum enc want = cfg->enc_file[f] ? cfg->enc_file[f] : cfg->enc_all;
    double t = pipeline_now_ms();
    r->cur = f;
    if (r->dp_made) {
        size_t size;
        r->rows_before = dataset_rows(&r->dp, f, &size)->n;
    }
    int st = mpiread_file(&r->m, &r->p->nz, f, path, want, sink, e);
    if (st == E_NOINPUT)
        st = pipeline_input_missing(f, path, e);
    st = mpiw_sync(&r->m, mrank_hook(r, input_file_names[f], st, e), e);
    char what[64];
    snprintf(what, sizeof what, "read %s", input_file_names[f]);
    progress(r, what, t);
    return st;
}

/* ---------- the run ---------- */

/* The cores of this node over the ranks on it. */
static int threads_per_rank(const struct mpictx *m)
{
    MPI_Comm node;
    int local = 1;
    if (MPI_Comm_split_type(m->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Comm_free(&node);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int t = cores > 0 ? (int)(cores / (local ? local : 1)) : 1;
    return t >= 1 ? t : 1;
}

static void mrank_free(struct mrank *r)
{
    vec_free(&r->mrec);
    vec_free(&r->mline);
    vec_free(&r->mbad);
    vec_free(&r->mrows);
    arena_free(&r->bad_arena);
    arena_free(&r->scratch);
    free(r->repeat);
    dataset_free(&r->t);
    if (r->plan_made)
        part_plan_free(&r->plan);
    if (r->dp_made)
        dataset_free(&r->dp);
    free(r->loc);
    free(r->glob_hh);
    free(r->glob_cand);
    for (int k = 0; r->send && k < r->m.size; k++)
        vec_free(&r->send[k]);
    free(r->send);
    vec_free(&r->recv);
}

/* Steps 2-5: the registry whole, the split files read and sent to their
 * partitions. */
static int load_and_route(struct mrank *r, struct err *e)
{
    struct pipeline *p = r->p;
    char path[4600];
    int from_rules, st = E_OK;
    double t = pipeline_now_ms();
    static const int whole[] = {IN_HOUSEHOLDS, IN_CANDIDATES, IN_STANDARDS, IN_HOLIDAYS};
    for (size_t i = 0; i < sizeof whole / sizeof *whole && st == E_OK; i++)
        if (pipeline_input_path(p, whole[i], path, sizeof path, &from_rules))
            st = mpiw_sync(&r->m, pipeline_load_file(p, whole[i], path, from_rules, e), e);
    if (st == E_OK)
        st = mpiw_sync(&r->m, normalise_finish(&p->nz, e), e);   /* the candidates, once each */
    progress(r, "read the registry (every rank)", t);
    struct mpiread_sink members = {r, take_members, reset_members};
    struct mpiread_sink hukou = {r, take_hukou, reset_hukou};
    struct mpiread_sink feed = {r, take_feed, reset_feed};
    if (st == E_OK) {
        pipeline_input_path(p, IN_MEMBERS, path, sizeof path, &from_rules);
        st = read_split(r, IN_MEMBERS, path, &members, e);
    }
    t = pipeline_now_ms();
    if (st == E_OK)
        st = plan_members(r, e);
    if (st == E_OK) {
        pipeline_input_path(p, IN_HUKOU, path, sizeof path, &from_rules);
        st = read_split(r, IN_HUKOU, path, &hukou, e);
    }
    if (st == E_OK)
        st = mpiw_sync(&r->m, mrank_hook(r, "plan", plan_hukou(r, e), e), e);
    progress(r, "plan the partitions", t);
    t = pipeline_now_ms();
    if (st == E_OK) {
        dataset_init(&r->dp);
        r->dp_made = 1;
        r->loc = malloc((r->d->households.n ? r->d->households.n : 1) * sizeof *r->loc);
        st = r->loc ? partdata_units(r->d, &r->plan, r->m.rank, r->m.rank + 1, &r->dp, r->loc,
                                     &r->glob_hh, &r->glob_cand, e)
                    : ERR(e, E_NOMEM, "out of memory while making the partition");
        st = mpiw_sync(&r->m, st, e);
    }
    if (st == E_OK)
        st = route_hukou(r, e);
    dataset_free(&r->t);
    dataset_init(&r->t);
    if (st == E_OK)
        st = route(r, r->mrows.v, r->mrows.n, dest_member, got_partition, e);
    vec_free(&r->mrows);
    free(r->repeat);
    r->repeat = NULL;
    progress(r, "send hukou and members to their ranks", t);
    for (int f = 0; f < N_INPUT && st == E_OK; f++)
        if (feed_decls[f].by_person && pipeline_input_path(p, f, path, sizeof path, &from_rules))
            st = read_split(r, (enum input_file)f, path, &feed, e);
    return st;
}

int cmd_run_mpi(int argc, char **argv, struct err *e)
{
    struct run_cmdline rc;
    int st = cmd_run_parse(argc, argv, &rc, e);
    if (st == -1)
        return E_OK;   /* --help */
    if (st != E_OK)
        return st;
    if (rc.pg)
        return ERR(e, E_USAGE, "hedui-mpi reads CSV feeds (--data DIR); a --pg run is one "
                               "process: use hedui run --pg");
    if (rc.cfg.memory_limit)
        return ERR(e, E_USAGE, "--memory-limit is for hedui run on one machine; hedui-mpi "
                               "keeps each rank's part in memory (add ranks instead)");
    struct mrank r;
    memset(&r, 0, sizeof r);
    r.m.comm = MPI_COMM_WORLD;
    MPI_Comm_rank(r.m.comm, &r.m.rank);
    MPI_Comm_size(r.m.comm, &r.m.size);
    if (r.m.size > PART_MAX_BUCKETS)
        return ERR(e, E_USAGE, "hedui-mpi runs on at most %d ranks, not %d", PART_MAX_BUCKETS,
                   r.m.size);
    struct run_config cfg = rc.cfg;
    if (!cfg.threads)
        cfg.threads = threads_per_rank(&r.m);
    /* mpirun hands rank 0's stderr on through a pipe: progress unless -q */
    cfg.progress = !rc.quiet;
    if (r.m.rank != 0) {
        /* --out, --state and --previous are rank 0's alone */
        cfg.out_dir = NULL;
        cfg.state_dir = cfg.previous_dir = NULL;
        cfg.auditor_outputs = 0;
        cfg.progress = 0;
    }
    struct pipeline p;
    r.p = &p;
    r.d = &p.d;
    dataset_init(&r.t);
    arena_init_growing(&r.scratch, (size_t)64 << 10, (size_t)1 << 20);
    arena_init_growing(&r.bad_arena, (size_t)4 << 10, (size_t)1 << 20);
    r.send = calloc((size_t)r.m.size, sizeof *r.send);
    st = pipeline_init(&p, &cfg, e);
    if (st == E_OK && !r.send)
        st = ERR(e, E_NOMEM, "out of memory while starting");
    st = mpiw_sync(&r.m, mrank_hook(&r, "init", st, e), e);
    int last = date_month(cfg.as_of) - 1;   /* the rules' income window */
    r.si_first = last - p.pol.income_months + 1;
    r.si_last = last;
    double t = pipeline_now_ms();
    if (st == E_OK)
        st = load_and_route(&r, e);
    if (st == E_OK)
        st = mpi_gather_counts(&r, e);
    p.stage_ms[ST_LOAD] = pipeline_now_ms() - t;
    /* rank 0: the reject limit and the feed checks, as a run applies them */
    if (st == E_OK)
        st = mpiw_sync(&r.m, r.m.rank == 0 ? pipeline_finish_load(&p, e) : E_OK, e);
    if (st == E_OK)
        st = mpiw_sync(&r.m, r.m.rank == 0 ? pipeline_check_feeds(&p, r.si_seen, e) : E_OK, e);
    for (int f = 0; f < N_INPUT; f++)
        r.present[f] = p.d.files[f].present;
    if (st == E_OK)
        MPI_Bcast(r.present, N_INPUT, MPI_INT, 0, r.m.comm);
    if (st == E_OK)
        st = mpi_judge_and_gather(&r, e);
    /* rank 0 alone ranks and publishes; every rank ends with its status */
    if (st == E_OK && r.m.rank == 0) {
        st = pipeline_rank(&p, e);
        if (st == E_OK)
            st = pipeline_publish_dir(&p, rc.out, e);
        if (st == E_OK && !rc.quiet)
            cmd_run_summary(&p, rc.out, r.m.size);
    }
    st = mpiw_sync(&r.m, st, e);
    mrank_free(&r);
    pipeline_free(&p);
    return st;
}
