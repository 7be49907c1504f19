/* partrun_int.h - the state of a run under --memory-limit, shared by
 * partrun.c (reading, the plan, routing) and partbatch.c (batches,
 * reading them back, the flags).  Only those two include it.
 */
#ifndef ENGINE_PARTRUN_INT_H
#define ENGINE_PARTRUN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "contract/model.h"
#include "engine/normalise.h"
#include "engine/partdata.h"
#include "engine/partition.h"
#include "engine/spill.h"

#define MiB ((size_t)1 << 20)
#define SPILL_BUF ((size_t)32 << 10)
#define ORD_BITS 40

/* The memory model's figures (partrun.c, "memory model"): a gathered flag
 * with its evidence, per registry household (SF 1: 0.4 flags of ~330
 * bytes); each thread's scratch while judging; what is always left free;
 * a batch's bytes per byte of its feeds' CSV (rows, strings, indexes, the
 * largest sort's scratch: 0.45 measured at SF 1). */
#define PR_FLAG_BYTES 200.0
#define PR_THREAD_SCRATCH (8.0 * (double)MiB)
#define PR_MARGIN (16.0 * (double)MiB)
#define PR_FEED_BYTES 1.2

struct partrun {
    struct normaliser *nz;
    struct dataset *d;
    size_t limit;
    int nt;
    char dir[1100];
    int nb, hb;                  /* partition buckets, hukou key buckets */
    int force_batch;             /* HEDUI_PART_BATCH_BUCKETS: buckets per batch (tests) */
    unsigned gen[N_INPUT];       /* each streamed file's last load attempt */
    /* members.csv, while it is read and until the plan */
    struct mrec *mc;
    long long *mline;
    size_t n_mc;
    int m_chunks, m_chunks_final;
    size_t m_total;              /* rows the chunks begun may hold (their slices) */
    size_t *mslice, *mcount;     /* per chunk: slice start, rows */
    struct vec *mbad;            /* per chunk: struct badid */
    struct arena *mbad_arena;    /* per chunk */
    size_t *mbase;               /* per chunk: first compact position */
    unsigned char *repeat;       /* per compact position: a repeat, rejected */
    struct badid *bad;
    size_t n_bad;
    struct spill_set ms, hs, gs, bs;
    struct part_plan plan;
    /* social insurance: months of the income window seen, per thread */
    int si_first, si_last;
    unsigned char *si_seen;      /* [nt * 120] */
    /* batches */
    int n_batches;
    int *batch_first;            /* [n_batches + 1] buckets */
    double *bucket_est;
    double budget, max_bucket;
    uint32_t *loc;               /* household index -> its place in the batch */
    uint32_t *glob_hh, *glob_cand;
    struct flagstore fs;         /* the flags gathered */
};

/* "1.5G" or "740M" (rounded up) into buf. */
void partrun_fmt_size(double b, char *buf, size_t cap);
/* A limit as the user wrote it: "4G", "512M", or bytes. */
void partrun_fmt_limit(size_t b, char *buf, size_t cap);

#endif
