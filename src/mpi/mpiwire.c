/* mpiwire.c - the collectives of an MPI run (see mpiwire.h).
 *
 * Owns: the wire form of an error and the rounds that keep MPI's int
 * counts in range.  Never prints.
 */
#include "mpi/mpiwire.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mpiw_put(struct vec *v, const void *p, size_t n, struct err *e)
{
    if (v->n + n > v->cap) {
        size_t cap = v->cap ? v->cap : 65536;
        while (cap < v->n + n)
            cap *= 2;
        void *q = realloc(v->v, cap);
        if (!q)
            return ERR(e, E_NOMEM, "out of memory while sending rows between ranks");
        v->v = q;
        v->cap = cap;
    }
    if (n)
        memcpy((char *)v->v + v->n, p, n);
    v->n += n;
    return E_OK;
}

long long mpiw_sum(const struct mpictx *m, long long x)
{
    long long y = 0;
    MPI_Allreduce(&x, &y, 1, MPI_LONG_LONG, MPI_SUM, m->comm);
    return y;
}

long long mpiw_max(const struct mpictx *m, long long x)
{
    long long y = 0;
    MPI_Allreduce(&x, &y, 1, MPI_LONG_LONG, MPI_MAX, m->comm);
    return y;
}

/* An error as it travels; src_file points into the receiving process. */
struct wire_err {
    int code, col, src_line;
    long long line;
    char path[256];
    char msg[512];
    char src[128];
};

int mpiw_sync(const struct mpictx *m, int st, struct err *e)
{
    int mine = st != E_OK ? m->rank : m->size, lowest = m->size;
    MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, m->comm);
    if (lowest == m->size)
        return E_OK;
    static char src_copy[128];
    struct wire_err w;
    memset(&w, 0, sizeof w);
    if (m->rank == lowest) {
        w.code = e->code ? (int)e->code : st;
        w.col = e->in_col;
        w.src_line = e->src_line;
        w.line = e->in_line;
        snprintf(w.path, sizeof w.path, "%s", e->in_path);
        snprintf(w.msg, sizeof w.msg, "%s", e->msg);
        snprintf(w.src, sizeof w.src, "%s", e->src_file ? e->src_file : "?");
    }
    MPI_Bcast(&w, (int)sizeof w, MPI_BYTE, lowest, m->comm);
    if (m->rank != lowest) {
        err_init(e);
        e->code = (enum ecode)w.code;
        e->in_col = w.col;
        e->in_line = w.line;
        e->src_line = w.src_line;
        snprintf(e->in_path, sizeof e->in_path, "%s", w.path);
        snprintf(e->msg, sizeof e->msg, "%s", w.msg);
        snprintf(src_copy, sizeof src_copy, "%s", w.src);
        e->src_file = src_copy;
    }
    return w.code ? w.code : E_INTERNAL;
}

/* Gather in rounds of at most MPIW_ROUND bytes a rank, to every rank
 * (root < 0) or to root. */
static int gather_rounds(const struct mpictx *m, int root, const void *mine, size_t n,
                         unsigned char **all, size_t *total, size_t **off_out, struct err *e)
{
    int P = m->size, me_gets = root < 0 || root == m->rank;
    *all = NULL;
    *total = 0;
    *off_out = NULL;
    long long nn = (long long)n;
    long long *counts = malloc((size_t)P * sizeof *counts);
    size_t *off = calloc((size_t)P + 1, sizeof *off);
    int *rc = malloc((size_t)P * sizeof *rc), *rd = malloc((size_t)P * sizeof *rd);
    size_t *done = calloc((size_t)P, sizeof *done);
    int st = counts && off && rc && rd && done ? E_OK : ERR(e, E_NOMEM, "out of memory "
                                                                        "while gathering");
    int ok = st == E_OK, all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, m->comm);
    if (!all_ok) {
        st = st == E_OK ? ERR(e, E_NOMEM, "another rank ran out of memory while gathering") : st;
        goto out;
    }
    MPI_Allgather(&nn, 1, MPI_LONG_LONG, counts, 1, MPI_LONG_LONG, m->comm);
    for (int r = 0; r < P; r++)
        off[r + 1] = off[r] + (size_t)counts[r];
    unsigned char *buf = NULL;
    if (me_gets) {
        buf = malloc(off[P] ? off[P] : 1);
        ok = buf != NULL;
    }
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, m->comm);
    if (!all_ok) {
        free(buf);
        st = ERR(e, E_NOMEM, "out of memory while gathering %zu bytes", off[P]);
        goto out;
    }
    /* rounds: each rank sends up to MPIW_ROUND of what it has left */
    for (;;) {
        int more = 0;
        for (int r = 0; r < P; r++) {
            size_t k = (size_t)counts[r] - done[r];
            if (k > MPIW_ROUND)
                k = MPIW_ROUND;
            rc[r] = (int)k;
            rd[r] = 0;
            more |= k > 0;
        }
        if (!more)
            break;
        /* a round lands in a scratch place, then each part is copied to
         * its offset (displacements are int too) */
        size_t round_total = 0;
        for (int r = 0; r < P; r++) {
            rd[r] = (int)round_total;
            round_total += (size_t)rc[r];
        }
        unsigned char *tmp = me_gets ? malloc(round_total ? round_total : 1) : NULL;
        ok = !me_gets || tmp != NULL;
        MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, m->comm);
        if (!all_ok) {
            free(tmp);
            free(buf);
            st = ERR(e, E_NOMEM, "out of memory while gathering");
            goto out;
        }
        const unsigned char *from = (const unsigned char *)mine + done[m->rank];
        if (root < 0)
            MPI_Allgatherv(from, rc[m->rank], MPI_BYTE, tmp, rc, rd, MPI_BYTE, m->comm);
        else
            MPI_Gatherv(from, rc[m->rank], MPI_BYTE, tmp, rc, rd, MPI_BYTE, root, m->comm);
        for (int r = 0; r < P; r++) {
            if (me_gets && rc[r])
                memcpy(buf + off[r] + done[r], tmp + rd[r], (size_t)rc[r]);
            done[r] += (size_t)rc[r];
        }
        free(tmp);
    }
    if (me_gets) {
        *all = buf;
        *total = off[P];
        *off_out = off;
        off = NULL;
    }
out:
    free(counts);
    free(off);
    free(rc);
    free(rd);
    free(done);
    return st;
}

int mpiw_allgather(const struct mpictx *m, const void *mine, size_t n, unsigned char **all,
                   size_t *total, size_t **off, struct err *e)
{
    return gather_rounds(m, -1, mine, n, all, total, off, e);
}

int mpiw_gather(const struct mpictx *m, const void *mine, size_t n, unsigned char **all,
                size_t *total, size_t **off, struct err *e)
{
    return gather_rounds(m, 0, mine, n, all, total, off, e);
}

int mpiw_exchange(const struct mpictx *m, struct vec *send, struct vec *recv, struct err *e)
{
    int P = m->size;
    int *sc = calloc((size_t)P, sizeof *sc), *rc = calloc((size_t)P, sizeof *rc);
    int *sd = calloc((size_t)P, sizeof *sd), *rd = calloc((size_t)P, sizeof *rd);
    unsigned char *packed = NULL;
    size_t stot = 0, rtot = 0;
    int st = sc && rc && sd && rd ? E_OK : ERR(e, E_NOMEM, "out of memory while exchanging rows");
    for (int r = 0; r < P && st == E_OK; r++) {
        if (send[r].n > MPIW_ROUND)
            st = ERR(e, E_INTERNAL, "%zu bytes for one rank in one round", send[r].n);
        sd[r] = (int)stot;
        sc[r] = (int)send[r].n;
        stot += send[r].n;
    }
    if (st == E_OK && !(packed = malloc(stot ? stot : 1)))
        st = ERR(e, E_NOMEM, "out of memory while exchanging rows");
    int ok = st == E_OK, all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, m->comm);
    if (!all_ok) {
        if (st == E_OK)
            st = ERR(e, E_NOMEM, "another rank ran out of memory while exchanging rows");
        goto out;
    }
    for (int r = 0; r < P; r++) {
        if (send[r].n)
            memcpy(packed + sd[r], send[r].v, send[r].n);
        send[r].n = 0;
    }
    MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, m->comm);
    for (int r = 0; r < P; r++) {
        rd[r] = (int)rtot;
        rtot += (size_t)rc[r];
    }
    recv->n = 0;
    if (rtot > INT_MAX) {
        st = ERR(e, E_INTERNAL, "%zu bytes received in one round", rtot);
    } else if (rtot > recv->cap) {
        void *q = realloc(recv->v, rtot);
        if (!q)
            st = ERR(e, E_NOMEM, "out of memory while receiving %zu bytes of rows", rtot);
        else {
            recv->v = q;
            recv->cap = rtot;
        }
    }
    ok = st == E_OK;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, m->comm);
    if (!all_ok) {
        if (st == E_OK)
            st = ERR(e, E_NOMEM, "another rank ran out of memory while exchanging rows");
        goto out;
    }
    MPI_Alltoallv(packed, sc, sd, MPI_BYTE, recv->v, rc, rd, MPI_BYTE, m->comm);
    recv->n = rtot;
out:
    free(packed);
    free(sc);
    free(rc);
    free(sd);
    free(rd);
    return st;
}
