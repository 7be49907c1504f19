/* partrun.c - a run under --memory-limit on one machine, up to the rows
 * in their partition buckets (see partrun.h; the plan and why it is exact:
 * partition.h; the batches: partbatch.c; the state: partrun_int.h).
 *
 * Owns: the spill directory (SPILL_DIR_PREFIX inside the output
 * directory) and its sets of files - "m" the member rows, "h.I" the hukou
 * rows by person key, "g.I" the same merged, "b.I" the rows of partition
 * bucket I - the compact member list, the member repeats, the plan, the
 * memory model and the refusal of a limit too small.  Never judges a rule,
 * never writes an output.
 *
 * Memory: see "the memory model" below; every phase frees what the next
 * does not read (the compact members once the plan has its pairs, each
 * hukou bucket once merged, "h", "g" and "m" once routed, the routing
 * tables before the batches), and glibc is told to map large blocks on
 * their own, so what is freed leaves the process.
 */
#include "engine/partrun.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/index.h"
#include "base/sort.h"
#include "engine/partrun_int.h"
#include "engine/partscan.h"

/* ---------- sizes ---------- */

int partrun_parse_size(const char *s, size_t *bytes)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (shift && *end == 'i')
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v == 0 || v > (SIZE_MAX >> shift))
        return -1;
    *bytes = (size_t)(v << shift);
    return 0;
}

static long long file_bytes(const char *path)
{
    struct stat sb;
    return path && stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* Resident memory now, in bytes (after giving freed memory back). */
size_t partrun_rss_now(void)
{
    malloc_trim(0);
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long long pages = 0, res = 0;
    int n = fscanf(f, "%llu %llu", &pages, &res);
    fclose(f);
    return n == 2 ? (size_t)res * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

void partrun_fmt_size(double b, char *buf, size_t cap)
{
    double g = (double)(1 << 30), m = (double)MiB;
    if (b >= g)
        snprintf(buf, cap, "%.1fG", ceil(b / g * 10) / 10);
    else
        snprintf(buf, cap, "%.0fM", ceil(b / m));
}

/* A limit as the user would have written it: whole G or M, else bytes. */
void partrun_fmt_limit(size_t b, char *buf, size_t cap)
{
    if (b % ((size_t)1 << 30) == 0)
        snprintf(buf, cap, "%zuG", b >> 30);
    else if (b % MiB == 0)
        snprintf(buf, cap, "%zuM", b >> 20);
    else
        snprintf(buf, cap, "%zu", b);
}

/* The memory model (bytes; coefficients per CSV byte measured at SF 1,
 * 4 and 10 and rounded up).  Three moments are the highest:
 *   plan   the registry kept whole (households with their index,
 *          candidates), the compact members and the need pairs being
 *          sorted (partition.c);
 *   scan   the registry, the plan's tables, each thread's parse buffer
 *          (load.c reads a chunk of up to a 256th of the file) and its
 *          buffers of the temporary files;
 *   batch  the registry, the flags gathered by the end (PR_FLAG_BYTES a
 *          household), the threads' scratch, and the batch itself (the
 *          feeds' rows of its buckets, PR_FEED_BYTES per CSV byte).
 * The least limit is the highest of the three with batches of one bucket
 * when the buckets are as many as can be. */
struct need {
    double plan, scan, batch_fixed, least;
};

static void estimate(const long long *bytes, int nt, int nb, struct need *n)
{
    long long largest = 0, feeds = 0;
    for (int f = 0; f < N_INPUT; f++) {
        if (bytes[f] > largest)
            largest = bytes[f];
        if (f != IN_HOUSEHOLDS && f != IN_CANDIDATES && f != IN_STANDARDS && f != IN_HOLIDAYS)
            feeds += bytes[f];
    }
    double chunk = (double)largest / 256 > 8.0 * (double)MiB ? (double)largest / 256
                                                             : 8.0 * (double)MiB;
    double base = 16.0 * (double)MiB + (double)nt * 4.0 * (double)MiB;
    double reg = 1.6 * (double)(bytes[IN_HOUSEHOLDS] + bytes[IN_CANDIDATES]);
    double households = (double)bytes[IN_HOUSEHOLDS] / 80.0;
    n->plan = base + reg + 1.4 * (double)bytes[IN_MEMBERS];
    n->scan = base + reg + 0.35 * (double)bytes[IN_MEMBERS] +
              (double)nt * (2 * chunk + (double)nb * (double)SPILL_BUF);
    n->batch_fixed = base + reg + households * PR_FLAG_BYTES + (double)nt * PR_THREAD_SCRATCH +
                     PR_MARGIN;
    double one = n->batch_fixed + 2.0 * PR_FEED_BYTES * (double)feeds / PART_MAX_BUCKETS;
    n->least = n->plan > n->scan ? n->plan : n->scan;
    if (one > n->least)
        n->least = one;
}

/* ---------- open, free ---------- */

int partrun_open(struct partrun **out, struct normaliser *nz, size_t limit, const char *out_dir,
                 const struct partrun_inputs *in, int si_first, int si_last, struct err *e)
{
    *out = NULL;
    long long bytes[N_INPUT], feeds = 0;
    for (int f = 0; f < N_INPUT; f++) {
        bytes[f] = file_bytes(in->path[f]);
        if (f != IN_HOUSEHOLDS && f != IN_CANDIDATES && f != IN_STANDARDS && f != IN_HOLIDAYS)
            feeds += bytes[f];
    }
    int nt = omp_get_max_threads();
    struct need nd;
    estimate(bytes, nt, PART_MAX_BUCKETS, &nd);
    if ((double)limit < nd.least) {
        char want[32], have[32];
        partrun_fmt_size(nd.least, want, sizeof want);
        partrun_fmt_limit(limit, have, sizeof have);
        return ERR(e, E_USAGE, "--memory-limit %s is too small for these inputs: the run needs "
                               "at least %s (the registry, households.csv and members.csv, is "
                               "kept in memory, and a part of the feeds at a time); give "
                               "--memory-limit %s or more",
                   have, want, want);
    }
    struct partrun *pr = calloc(1, sizeof *pr);
    if (!pr)
        return ERR(e, E_NOMEM, "out of memory while preparing a run under --memory-limit");
    /* memory given back must leave the process: a fixed threshold puts
     * every block of 256 KiB or more in a mapping of its own (glibc would
     * otherwise raise it to the largest block freed, and keep later ones
     * on a heap that a batch leaves fragmented) */
    mallopt(M_MMAP_THRESHOLD, 256 << 10);
    pr->nz = nz;
    pr->d = nz->d;
    pr->limit = limit;
    pr->nt = nt;
    pr->si_first = si_first;
    pr->si_last = si_last;
    flagstore_init(&pr->fs);
    /* buckets: a quarter of what the limit leaves for a batch each (so
     * batches can be packed), as many as the test hook says */
    double room = (double)limit - nd.batch_fixed;
    double nb = 4.0 * PR_FEED_BYTES * (double)feeds / room;
    pr->nb = nb < 1 ? 1 : nb >= PART_MAX_BUCKETS ? PART_MAX_BUCKETS : (int)nb + 1;
    double hb = 8.0 * 2.0 * (double)bytes[IN_HUKOU] / room;
    pr->hb = hb < 1 ? 1 : hb >= PART_MAX_BUCKETS ? PART_MAX_BUCKETS : (int)hb + 1;
    const char *v = getenv("HEDUI_PART_BUCKETS");
    if (v && atoi(v) >= 1 && atoi(v) <= PART_MAX_BUCKETS)
        pr->nb = pr->hb = atoi(v);
    v = getenv("HEDUI_PART_BATCH_BUCKETS");
    if (v && atoi(v) >= 1)
        pr->force_batch = atoi(v);
    pr->si_seen = calloc((size_t)nt * 120, 1);
    if (!pr->si_seen) {
        partrun_free(pr);
        return ERR(e, E_NOMEM, "out of memory while preparing a run under --memory-limit");
    }
    int st = spill_dir_create(pr->dir, sizeof pr->dir, out_dir, e);
    if (st == E_OK)
        st = spill_set_open(&pr->ms, pr->dir, "m", 1, nt, SPILL_BUF * 8, e);
    if (st == E_OK)
        st = spill_set_open(&pr->hs, pr->dir, "h", pr->hb, nt, SPILL_BUF, e);
    if (st != E_OK) {
        partrun_free(pr);
        return st;
    }
    *out = pr;
    return E_OK;
}

static void members_free(struct partrun *pr)
{
    for (int c = 0; c < pr->m_chunks; c++) {
        vec_free(&pr->mbad[c]);
        arena_free(&pr->mbad_arena[c]);
    }
    free(pr->mbad);
    free(pr->mbad_arena);
    free(pr->mslice);
    free(pr->mcount);
    free(pr->mc);
    free(pr->mline);
    free(pr->bad);
    pr->mbad = NULL;
    pr->mbad_arena = NULL;
    pr->mslice = pr->mcount = NULL;
    pr->mc = NULL;
    pr->mline = NULL;
    pr->bad = NULL;
    pr->m_chunks = 0;
}

void partrun_free(struct partrun *pr)
{
    if (!pr)
        return;
    members_free(pr);
    free(pr->mbase);
    free(pr->repeat);
    spill_set_release(&pr->ms);
    spill_set_release(&pr->hs);
    spill_set_release(&pr->gs);
    spill_set_release(&pr->bs);
    spill_dir_remove(pr->dir);
    part_plan_free(&pr->plan);
    free(pr->si_seen);
    free(pr->batch_first);
    free(pr->bucket_est);
    free(pr->loc);
    free(pr->glob_hh);
    free(pr->glob_cand);
    flagstore_free(&pr->fs);
    free(pr);
}

/* ---------- members.csv ---------- */

/* Chunks first.. of members.csv: each gets a slice of the compact arrays
 * (its line count); first = 0 starts the file over, first > 0 adds chunks
 * (the arrays may move: no chunk is being read during the call). */
static void *grow(void *p, size_t n, size_t size, int *ok)
{
    void *q = realloc(p, (n ? n : 1) * size);
    if (!q)
        *ok = 0;
    return q ? q : p;
}

static int members_begin(void *ctx, int first, int n_chunks, const size_t *max_rows,
                         unsigned gen, struct err *e)
{
    struct partrun *pr = ctx;
    pr->gen[IN_MEMBERS] = gen;
    if (first == 0) {
        members_free(pr);
        pr->m_total = 0;
    } else if (first != pr->m_chunks) {
        return ERR(e, E_INTERNAL, "chunks of members.csv begun out of order (%d after %d)",
                   first, pr->m_chunks);
    }
    size_t total = pr->m_total;
    for (int c = 0; c < n_chunks; c++)
        total += max_rows[c];
    size_t nc = (size_t)first + (size_t)n_chunks;
    int ok = 1;
    pr->mc = grow(pr->mc, total, sizeof *pr->mc, &ok);
    pr->mline = grow(pr->mline, total, sizeof *pr->mline, &ok);
    pr->mslice = grow(pr->mslice, nc, sizeof *pr->mslice, &ok);
    pr->mcount = grow(pr->mcount, nc, sizeof *pr->mcount, &ok);
    pr->mbad = grow(pr->mbad, nc, sizeof *pr->mbad, &ok);
    pr->mbad_arena = grow(pr->mbad_arena, nc, sizeof *pr->mbad_arena, &ok);
    if (!ok)
        return ERR(e, E_NOMEM, "out of memory while reading members.csv");
    for (int c = first; c < first + n_chunks; c++) {
        pr->mslice[c] = pr->m_total;
        pr->m_total += max_rows[c - first];
        pr->mcount[c] = 0;
        memset(&pr->mbad[c], 0, sizeof pr->mbad[c]);
        arena_init_growing(&pr->mbad_arena[c], (size_t)4 << 10, (size_t)1 << 20);
    }
    pr->m_chunks = first + n_chunks;
    return E_OK;
}

static int members_row(void *ctx, int t, int chunk, long long ord, unsigned gen,
                       const void *row, struct err *e)
{
    struct partrun *pr = ctx;
    const struct member *m = row;
    size_t pos = pr->mslice[chunk] + pr->mcount[chunk]++;
    pr->mc[pos] = (struct mrec){m->key, m->hh, m->relation == REL_HEAD};
    pr->mline[pos] = m->line;
    if (!m->key) {
        struct badid *b = vec_push(&pr->mbad[chunk], sizeof *b);
        char *id = arena_strndup(&pr->mbad_arena[chunk], m->id, strlen(m->id));
        if (!b || !id)
            return ERR(e, E_NOMEM, "out of memory while reading members.csv");
        b->pos = (uint64_t)ord;
        b->id = id;
    }
    uint64_t tag = (uint64_t)chunk << ORD_BITS | (uint64_t)ord;
    return spill_set_put(&pr->ms, t, 0, IN_MEMBERS, gen, NULL, 0, &tag, row, e);
}

/* Close the chunks' slices up, in chunk order: compact position = file
 * order. */
static int members_compact(struct partrun *pr, struct err *e)
{
    pr->mbase = malloc(((size_t)pr->m_chunks + 1) * sizeof *pr->mbase);
    if (!pr->mbase)
        return ERR(e, E_NOMEM, "out of memory while reading members.csv");
    size_t n = 0, nbad = 0;
    for (int c = 0; c < pr->m_chunks; c++) {
        pr->mbase[c] = n;
        if (pr->mcount[c] && pr->mslice[c] != n) {
            memmove(pr->mc + n, pr->mc + pr->mslice[c], pr->mcount[c] * sizeof *pr->mc);
            memmove(pr->mline + n, pr->mline + pr->mslice[c], pr->mcount[c] * sizeof *pr->mline);
        }
        n += pr->mcount[c];
        nbad += pr->mbad[c].n;
    }
    pr->mbase[pr->m_chunks] = n;
    pr->n_mc = n;
    pr->bad = malloc((nbad ? nbad : 1) * sizeof *pr->bad);
    if (!pr->bad)
        return ERR(e, E_NOMEM, "out of memory while reading members.csv");
    pr->n_bad = 0;
    for (int c = 0; c < pr->m_chunks; c++)
        for (size_t i = 0; i < pr->mbad[c].n; i++) {
            struct badid b = VEC_AT(pr->mbad[c], struct badid, i);
            b.pos += pr->mbase[c];
            pr->bad[pr->n_bad++] = b;
        }
    return E_OK;
}

int partrun_members(struct partrun *pr, const char *path, enum enc want, struct err *e)
{
    struct scan_sink sink = {pr, members_begin, members_row};
    int st = partscan_file(pr->nz, IN_MEMBERS, path, want, &sink, e);
    if (st == E_OK)
        st = members_compact(pr, e);
    if (st == E_OK)
        st = spill_set_flush(&pr->ms, e);
    return st;
}

/* ---------- hukou.csv ---------- */

static int gen_begin(void *ctx, int first, int n_chunks, const size_t *max_rows,
                     unsigned gen, struct err *e)
{
    (void)first;
    (void)n_chunks;
    (void)max_rows;
    (void)e;
    unsigned *g = ctx;
    *g = gen;
    return E_OK;
}

static int hukou_row(void *ctx, int t, int chunk, long long ord, unsigned gen, const void *row,
                     struct err *e)
{
    struct partrun *pr = ctx;
    (void)chunk;
    (void)ord;
    const struct hukou *hk = row;
    int b = (int)((idx_hash64(hk->key) >> 32) % (uint64_t)pr->hb);
    return spill_set_put(&pr->hs, t, b, IN_HUKOU, gen, NULL, 0, NULL, row, e);
}

static int hukou_begin(void *ctx, int first, int n_chunks, const size_t *max_rows,
                       unsigned gen, struct err *e)
{
    struct partrun *pr = ctx;
    return gen_begin(&pr->gen[IN_HUKOU], first, n_chunks, max_rows, gen, e);
}

int partrun_hukou(struct partrun *pr, const char *path, enum enc want, struct err *e)
{
    struct scan_sink sink = {pr, hukou_begin, hukou_row};
    int st = partscan_file(pr->nz, IN_HUKOU, path, want, &sink, e);
    if (st == E_OK)
        st = spill_set_flush(&pr->hs, e);
    return st;
}

/* ---------- the plan ---------- */

/* The compact list as partdata.h takes it. */
static struct member_list member_list_of(const struct partrun *pr)
{
    return (struct member_list){pr->mc, pr->mline, pr->n_mc, pr->bad, pr->n_bad};
}

/* Every need of a member and of a candidate for a person. */
static int plan_needs(struct partrun *pr, struct err *e)
{
    const struct dataset *d = pr->d;
    int st = part_plan_init(&pr->plan, (uint32_t)d->households.n, (uint32_t)d->candidates.n,
                            pr->nb, e);
    struct member_list ml = member_list_of(pr);
    return st == E_OK ? partdata_needs(&ml, pr->repeat, d, &pr->plan, e) : st;
}

/* Every row of file i of a set (of this file's last attempt) into d's
 * rows, strings in d's arena. */
static int read_into(struct partrun *pr, const char *prefix, int i, struct dataset *d,
                     struct err *e)
{
    struct spill_reader r;
    int st = spill_reader_open(&r, pr->dir, prefix, i, e);
    if (st != E_OK)
        return st;
    struct spill_rec rec;
    int got;
    while ((got = spill_reader_next(&r, &rec, e)) == 1) {
        if (rec.gen != pr->gen[rec.f])
            continue;
        size_t size;
        struct vec *v = dataset_rows(d, rec.f, &size);
        void *row = vec_push(v, size);
        if (!row) {
            st = ERR(e, E_NOMEM, "out of memory while reading back %s", input_file_names[rec.f]);
            break;
        }
        if ((st = spill_rec_decode(&rec, row, &d->arena, e)) != E_OK)
            break;
    }
    if (got < 0)
        st = e->code;
    spill_reader_close(&r);
    return st;
}

/* hukou.csv bucket by bucket: the contract's merge (normalise.c, on the
 * bucket's rows in file order: every row of a person is in its bucket),
 * each merged row shown to the plan and kept in "g.I". */
static int merge_hukou(struct partrun *pr, struct err *e)
{
    spill_set_close(&pr->hs);
    int st = spill_set_open(&pr->gs, pr->dir, "g", pr->hb, 1, SPILL_BUF * 8, e);
    for (int i = 0; i < pr->hb && st == E_OK; i++) {
        struct dataset t;
        struct normaliser tn;
        dataset_init(&t);
        st = normaliser_init(&tn, &t, pr->nz->as_of, e);
        if (st == E_OK)
            st = read_into(pr, "h", i, &t, e);
        if (st == E_OK)
            st = radix_sort_u64(t.hukou.v, t.hukou.n, sizeof(struct hukou),
                                offsetof(struct hukou, line), e);
        if (st == E_OK)
            st = normalise_finish(&tn, e);
        if (st == E_OK)
            pr->d->files[IN_HUKOU].dropped_dupes += t.files[IN_HUKOU].dropped_dupes;
        for (size_t k = 0; k < t.hukou.n && st == E_OK; k++) {
            const struct hukou *hk = &VEC_AT(t.hukou, struct hukou, k);
            st = part_plan_hukou(&pr->plan, hk, e);
            if (st == E_OK)
                st = spill_set_put(&pr->gs, 0, i, IN_HUKOU, pr->gen[IN_HUKOU], NULL, 0, NULL, hk,
                                   e);
        }
        normaliser_free(&tn);
        dataset_free(&t);
        char path[1200];
        snprintf(path, sizeof path, "%s/h.%d", pr->dir, i);
        unlink(path);
    }
    if (st == E_OK)
        st = spill_set_flush(&pr->gs, e);
    spill_set_close(&pr->gs);
    if (st == E_OK)
        st = part_plan_groups_done(&pr->plan, e);
    return st;
}

/* Each merged hukou row of "g.*" decoded in turn, to fn. */
static int each_merged(struct partrun *pr, int (*fn)(struct partrun *, const struct hukou *,
                                                      struct err *),
                       int unlink_after, struct err *e)
{
    int st = E_OK;
    struct arena scratch;
    for (int i = 0; i < pr->hb && st == E_OK; i++) {
        struct spill_reader r;
        arena_init_growing(&scratch, (size_t)256 << 10, (size_t)4 << 20);
        st = spill_reader_open(&r, pr->dir, "g", i, e);
        struct spill_rec rec;
        int got = 0;
        while (st == E_OK && (got = spill_reader_next(&r, &rec, e)) == 1) {
            struct hukou hk;
            st = spill_rec_decode(&rec, &hk, &scratch, e);
            if (st == E_OK)
                st = fn(pr, &hk, e);
        }
        if (st == E_OK && got < 0)
            st = e->code;
        spill_reader_close(&r);
        arena_free(&scratch);
        if (unlink_after) {
            char path[1200];
            snprintf(path, sizeof path, "%s/g.%d", pr->dir, i);
            unlink(path);
        }
    }
    return st;
}

static int again_fn(struct partrun *pr, const struct hukou *hk, struct err *e)
{
    return part_plan_hukou_again(&pr->plan, hk, e);
}

static int route_hukou_fn(struct partrun *pr, const struct hukou *hk, struct err *e)
{
    uint16_t dest[PART_MAX_BUCKETS + 1];
    int n = part_hukou_dests(&pr->plan, hk, dest);
    int st = E_OK;
    for (int k = 0; k < n && st == E_OK; k++)
        st = spill_set_put(&pr->bs, 0, dest[k], IN_HUKOU, pr->gen[IN_HUKOU], dest, n, NULL, hk, e);
    return st;
}

/* Member rows from "m" into their household's bucket, repeats left out. */
static int route_members(struct partrun *pr, struct err *e)
{
    struct spill_reader r;
    int st = spill_reader_open(&r, pr->dir, "m", 0, e);
    if (st != E_OK)
        return st;
    struct arena scratch;
    arena_init_growing(&scratch, (size_t)256 << 10, (size_t)4 << 20);
    struct spill_rec rec;
    int got = 0;
    long long n = 0;
    while (st == E_OK && (got = spill_reader_next(&r, &rec, e)) == 1) {
        if (rec.gen != pr->gen[IN_MEMBERS])
            continue;
        int chunk = (int)(rec.tag >> ORD_BITS);
        size_t pos = pr->mbase[chunk] + (size_t)(rec.tag & ((UINT64_C(1) << ORD_BITS) - 1));
        if (chunk >= pr->m_chunks_final || pos >= pr->n_mc) {
            st = ERR(e, E_INTERNAL, "a spilled member row is out of place");
            break;
        }
        if (pr->repeat[pos])
            continue;
        struct member m;
        st = spill_rec_decode(&rec, &m, &scratch, e);
        if (st == E_OK)
            st = spill_set_put(&pr->bs, 0, part_unit_bucket(&pr->plan, m.hh), IN_MEMBERS,
                               pr->gen[IN_MEMBERS], NULL, 0, NULL, &m, e);
        if (++n % 65536 == 0) {
            arena_free(&scratch);
            arena_init_growing(&scratch, (size_t)256 << 10, (size_t)4 << 20);
        }
    }
    if (st == E_OK && got < 0)
        st = e->code;
    spill_reader_close(&r);
    arena_free(&scratch);
    return st;
}

int partrun_plan(struct partrun *pr, struct err *e)
{
    struct member_list ml = member_list_of(pr);
    int st = partdata_member_repeats(&ml, pr->d, 1, &pr->repeat, e);
    if (st == E_OK)
        st = plan_needs(pr, e);
    pr->m_chunks_final = pr->m_chunks;
    members_free(pr);   /* the repeats and the chunk starts stay, for routing */
    if (st == E_OK)
        st = merge_hukou(pr, e);
    if (st == E_OK)
        st = each_merged(pr, again_fn, 0, e);
    if (st == E_OK)
        st = part_plan_assign(&pr->plan, e);
    if (st == E_OK)
        st = spill_set_open(&pr->bs, pr->dir, "b", pr->nb, pr->nt, SPILL_BUF, e);
    if (st == E_OK)
        st = each_merged(pr, route_hukou_fn, 1, e);
    if (st == E_OK)
        st = route_members(pr, e);
    spill_set_close(&pr->ms);
    spill_set_unlink(pr->dir, "m", 1);
    free(pr->repeat);
    pr->repeat = NULL;
    /* test hook (tests/partition_test.sh): the temporary files exist now */
    const char *pause = getenv("HEDUI_TEST_PART_PAUSE");
    if (st == E_OK && pause && atoi(pause) > 0)
        sleep((unsigned)atoi(pause));
    return st;
}

/* ---------- the other feeds ---------- */

struct fsink {
    struct partrun *pr;
    enum input_file f;
};

static int feed_begin(void *ctx, int first, int n_chunks, const size_t *max_rows,
                      unsigned gen, struct err *e)
{
    struct fsink *fs = ctx;
    return gen_begin(&fs->pr->gen[fs->f], first, n_chunks, max_rows, gen, e);
}

static int feed_row(void *ctx, int t, int chunk, long long ord, unsigned gen, const void *row,
                    struct err *e)
{
    (void)chunk;
    (void)ord;
    struct fsink *fs = ctx;
    struct partrun *pr = fs->pr;
    if (fs->f == IN_SI) {
        int m = ((const struct si_row *)row)->month;
        if (m >= pr->si_first && m <= pr->si_last && m - pr->si_first < 120)
            pr->si_seen[(size_t)t * 120 + (size_t)(m - pr->si_first)] = 1;
    }
    uint64_t key;
    memcpy(&key, (const char *)row + feed_decls[fs->f].key_off, sizeof key);
    int b = part_key_bucket(&pr->plan, key);
    if (b < 0)
        return E_OK;   /* a person no unit reads */
    return spill_set_put(&pr->bs, t, b, fs->f, gen, NULL, 0, NULL, row, e);
}

int partrun_feed(struct partrun *pr, enum input_file f, const char *path, enum enc want,
                 struct err *e)
{
    if (!feed_decls[f].by_person && f != IN_SI)
        return ERR(e, E_INTERNAL, "%s is not a feed joined to people", input_file_names[f]);
    struct fsink fs = {pr, f};
    struct scan_sink sink = {&fs, feed_begin, feed_row};
    return partscan_file(pr->nz, f, path, want, &sink, e);
}

void partrun_si_months(const struct partrun *pr, unsigned char *seen)
{
    int n = pr->si_last - pr->si_first + 1;
    for (int m = 0; m < n && m < 120; m++) {
        seen[m] = 0;
        for (int t = 0; t < pr->nt; t++)
            seen[m] |= pr->si_seen[(size_t)t * 120 + (size_t)m];
    }
}

