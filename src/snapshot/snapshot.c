/* snapshot.c - write, open, verify and read the pre-approval snapshot
 * (see snapshot.h for the file layout and the guarantees).
 *
 * Owns: the on-disk format.  Never evaluates a rule: snap_materialise()
 * only rebuilds typed rows (struct dataset) from the file, and the caller
 * runs join.c and evaluate.c on them.  Never prints and never exits.
 */
#include "snapshot/snapshot.h"

#include "out/write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "contract/idcard.h"
#include "base/num.h"
#include "base/sort.h"

const char *const snap_sec_names[N_SEC] = {
    "persons", "person_hash", "hukou", "hukou_hash", "vehicles", "property",
    "social_insurance", "business", "public_servants", "staff_relatives", "memberships",
    "households", "household_hash", "standards", "holidays", "policy", "inputs", "strings"};

/* Element size of each section: a change here is a new format version. */
static const uint32_t sec_elem[N_SEC] = {
    [SEC_PERSONS] = sizeof(struct sp_person), [SEC_PERSON_HASH] = 4,
    [SEC_HUKOU] = sizeof(struct sp_hukou), [SEC_HUKOU_HASH] = 4,
    [SEC_VEHICLES] = sizeof(struct sp_vehicle), [SEC_PROPERTY] = sizeof(struct sp_property),
    [SEC_SI] = sizeof(struct sp_si), [SEC_BUSINESS] = sizeof(struct sp_business),
    [SEC_PUBSERV] = sizeof(struct sp_pubserv), [SEC_STAFFREL] = sizeof(struct sp_staffrel),
    [SEC_MEMBERSHIPS] = 4, [SEC_HOUSEHOLDS] = sizeof(struct sp_household),
    [SEC_HH_HASH] = 4, [SEC_STANDARDS] = sizeof(struct sp_standard),
    [SEC_HOLIDAYS] = sizeof(struct sp_holiday), [SEC_POLICY] = 1,
    [SEC_INPUTS] = sizeof(struct sp_input), [SEC_STRINGS] = 1};

static const int pf_sec[N_PF] = {SEC_VEHICLES, SEC_PROPERTY, SEC_SI, SEC_BUSINESS,
                                 SEC_PUBSERV, SEC_STAFFREL, SEC_MEMBERSHIPS};

_Static_assert(sizeof(struct snap_header) <= SNAP_HEADER_BYTES, "header fits its page");
_Static_assert(sizeof(struct sp_person) == 40, "format: sp_person");
_Static_assert(sizeof(struct sp_hukou) == 28, "format: sp_hukou");
_Static_assert(sizeof(struct sp_vehicle) == 24, "format: sp_vehicle");
_Static_assert(sizeof(struct sp_property) == 32, "format: sp_property");
_Static_assert(sizeof(struct sp_si) == 24, "format: sp_si");
_Static_assert(sizeof(struct sp_business) == 24, "format: sp_business");
_Static_assert(sizeof(struct sp_pubserv) == 12, "format: sp_pubserv");
_Static_assert(sizeof(struct sp_staffrel) == 12, "format: sp_staffrel");
_Static_assert(sizeof(struct sp_household) == 8, "format: sp_household");
_Static_assert(sizeof(struct sp_standard) == 32, "format: sp_standard");
_Static_assert(sizeof(struct sp_holiday) == 8, "format: sp_holiday");
_Static_assert(sizeof(struct sp_input) == 136, "format: sp_input");
_Static_assert(SNAP_INPUTS == 12 && IN_HOLIDAYS == 11, "format: one sp_input per input file");

#define ENDIAN_MARK 0x01020304u

/* Person keys: the murmur3 finaliser (fixed by the format). */
static inline uint64_t key_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb3f99fa3dc53ULL;
    k ^= k >> 33;
    return k;
}

static inline uint64_t str_hash(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

static uint64_t pow2_at_least(uint64_t n)
{
    uint64_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

/* =====================================================================
 * Writing
 * ===================================================================== */

/* Interned strings: the pool of the STRINGS section.  Offset 0 is "". */
struct strtab {
    char *pool;
    size_t n, cap;
    struct strslot { uint64_t h; uint32_t off1; } *slots;   /* off1 = offset + 1 */
    size_t mask, count;
};

static int st_init(struct strtab *t)
{
    memset(t, 0, sizeof *t);
    t->cap = (size_t)1 << 20;
    t->pool = malloc(t->cap);
    t->mask = ((size_t)1 << 16) - 1;
    t->slots = calloc(t->mask + 1, sizeof *t->slots);
    if (!t->pool || !t->slots)
        return -1;
    t->pool[0] = '\0';
    t->n = 1;
    return 0;
}

static void st_free(struct strtab *t)
{
    free(t->pool);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static int st_grow_slots(struct strtab *t)
{
    size_t ncap = (t->mask + 1) * 2;
    struct strslot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i <= t->mask; i++) {
        if (!t->slots[i].off1)
            continue;
        size_t j = (size_t)t->slots[i].h & (ncap - 1);
        while (ns[j].off1)
            j = (j + 1) & (ncap - 1);
        ns[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = ns;
    t->mask = ncap - 1;
    return 0;
}

/* Offset of s in the pool (added if new); E_OK, E_NOMEM or E_DATA. */
static int st_intern(struct strtab *t, const char *s, uint32_t *off, struct err *e)
{
    if (!s || !*s) {
        *off = 0;
        return E_OK;
    }
    size_t len = strlen(s);
    uint64_t h = XXH3_64bits(s, len);
    size_t i = (size_t)h & t->mask;
    for (;;) {
        const struct strslot *sl = &t->slots[i];
        if (!sl->off1)
            break;
        if (sl->h == h && strcmp(t->pool + sl->off1 - 1, s) == 0) {
            *off = sl->off1 - 1;
            return E_OK;
        }
        i = (i + 1) & t->mask;
    }
    if (t->n + len + 1 > (size_t)UINT32_MAX - 1)
        return ERR(e, E_DATA, "the feeds hold more than 4 GiB of distinct text; the snapshot "
                              "format cannot hold it");
    if (t->n + len + 1 > t->cap) {
        size_t nc = t->cap * 2;
        while (nc < t->n + len + 1)
            nc *= 2;
        char *np = realloc(t->pool, nc);
        if (!np)
            return ERR(e, E_NOMEM, "out of memory while building the snapshot's strings");
        t->pool = np;
        t->cap = nc;
    }
    uint32_t o = (uint32_t)t->n;
    memcpy(t->pool + t->n, s, len + 1);
    t->n += len + 1;
    t->slots[i].h = h;
    t->slots[i].off1 = o + 1;
    t->count++;
    if (t->count * 2 > t->mask + 1 && st_grow_slots(t) != 0)
        return ERR(e, E_NOMEM, "out of memory while building the snapshot's strings");
    *off = o;
    return E_OK;
}

/* Streaming writer: hashes the body per block and whole. */
struct sw {
    int fd;
    const char *path;
    unsigned char *buf;
    size_t bn, bcap;
    uint64_t off;              /* file offset of the next byte */
    int in_body;
    unsigned char *blk;
    size_t blk_n;
    uint64_t *bh;
    size_t n_bh, cap_bh;
    XXH3_state_t *body;
    struct snap_header *h;
    uint64_t sec_start;
    int st;
    struct err *e;
};

static int sw_flush(struct sw *w)
{
    size_t done = 0;
    while (done < w->bn) {
        ssize_t k = write(w->fd, w->buf + done, w->bn - done);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return w->st = ERR(w->e, E_WRITE, "cannot write snapshot %s: %s", w->path,
                               strerror(errno));
        }
        done += (size_t)k;
    }
    w->bn = 0;
    return E_OK;
}

static int sw_block_done(struct sw *w)
{
    if (w->n_bh == w->cap_bh) {
        size_t nc = w->cap_bh ? w->cap_bh * 2 : 1024;
        uint64_t *nb = realloc(w->bh, nc * sizeof *nb);
        if (!nb)
            return w->st = ERR(w->e, E_NOMEM, "out of memory while writing the snapshot");
        w->bh = nb;
        w->cap_bh = nc;
    }
    w->bh[w->n_bh++] = XXH3_64bits(w->blk, w->blk_n);
    w->blk_n = 0;
    return E_OK;
}

static int sw_put(struct sw *w, const void *data, size_t n)
{
    if (w->st != E_OK)
        return w->st;
    const unsigned char *p = data;
    if (w->in_body) {
        XXH3_128bits_update(w->body, p, n);
        size_t left = n;
        const unsigned char *q = p;
        while (left) {
            size_t take = SNAP_BLOCK - w->blk_n;
            if (take > left)
                take = left;
            memcpy(w->blk + w->blk_n, q, take);
            w->blk_n += take;
            q += take;
            left -= take;
            if (w->blk_n == SNAP_BLOCK && sw_block_done(w) != E_OK)
                return w->st;
        }
    }
    while (n) {
        size_t take = w->bcap - w->bn;
        if (take > n)
            take = n;
        memcpy(w->buf + w->bn, p, take);
        w->bn += take;
        p += take;
        n -= take;
        w->off += take;
        if (w->bn == w->bcap && sw_flush(w) != E_OK)
            return w->st;
    }
    return E_OK;
}

static int sw_pad(struct sw *w, uint64_t align)
{
    static const unsigned char zero[64];
    while (w->st == E_OK && w->off % align) {
        size_t k = (size_t)(align - w->off % align);
        sw_put(w, zero, k > sizeof zero ? sizeof zero : k);
    }
    return w->st;
}

static void sec_begin(struct sw *w)
{
    sw_pad(w, 64);
    w->sec_start = w->off;
}

static int sec_end(struct sw *w, int sec, uint64_t count)
{
    if (w->st != E_OK)
        return w->st;
    struct snap_section *s = &w->h->sec[sec];
    s->offset = w->sec_start;
    s->bytes = w->off - w->sec_start;
    s->count = count;
    s->elem_size = sec_elem[sec];
    if (s->bytes != count * sec_elem[sec])
        return w->st = ERR(w->e, E_INTERNAL, "snapshot section %s: %llu bytes for %llu rows",
                           snap_sec_names[sec], (unsigned long long)s->bytes,
                           (unsigned long long)count);
    return E_OK;
}

static int line32(long long line, uint32_t *out, const char *what, struct err *e)
{
    if (line < 0 || line > (long long)UINT32_MAX)
        return ERR(e, E_DATA, "%s: line %lld is beyond what the snapshot format holds "
                              "(4294967295)", what, line);
    *out = (uint32_t)line;
    return E_OK;
}

/* One stream of person keys, sorted ascending. */
struct kstream {
    const unsigned char *base;    /* the first row's key */
    size_t stride, n, pos;
};

static inline uint64_t ks_key(const struct kstream *s)
{
    if (s->pos >= s->n)
        return UINT64_MAX;
    uint64_t k;
    memcpy(&k, s->base + s->pos * s->stride, sizeof k);
    return k;
}

static int read_whole(const char *path, char **text, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ERR(e, E_IO, "cannot read %s: %s", path, strerror(errno));
    size_t cap = 8192, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b)
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    if (bad) {
        free(b);
        return ERR(e, E_IO, "cannot read %s", path);
    }
    *text = b;
    *len = n;
    return E_OK;
}

/* fsync the directory holding path (the rename into it must be durable). */
static int fsync_dir_of(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return out_fsync_dir(dir);
}

/* The body, section by section.  All row sets of p->d are already sorted
 * by person key (join_build). */
static int write_body(struct sw *w, const struct pipeline *p, struct strtab *st,
                      struct err *e)
{
    const struct dataset *d = &p->d;
    const struct join *jn = &p->jn;
    struct snap_header *h = w->h;
    int r = E_OK;
    uint32_t *inv = NULL, *pidx_of_hukou = NULL, *slots = NULL;
    struct sp_person *persons = NULL;
    size_t n_persons = 0, cap_persons = 0;

    const size_t nh = d->hukou.n;
    const struct hukou *hk = d->hukou.v;
    if (nh >= SNAP_NONE || d->households.n >= SNAP_NONE || d->members.n >= SNAP_NONE)
        return ERR(e, E_DATA, "more than 4294967294 rows in one file: the snapshot format "
                              "cannot hold them");
    inv = malloc((nh ? nh : 1) * sizeof *inv);
    pidx_of_hukou = malloc((nh ? nh : 1) * sizeof *pidx_of_hukou);
    if (!inv || !pidx_of_hukou) {
        r = ERR(e, E_NOMEM, "out of memory while building the snapshot");
        goto out;
    }
    for (size_t pos = 0; pos < jn->n_hukou_by_no; pos++)
        inv[jn->hukou_by_no[pos]] = (uint32_t)pos;

    /* ---- persons: a merge of every key-sorted row set ---- */
    struct kstream ks[1 + N_PF];
    memset(ks, 0, sizeof ks);
#define KEY0(vecname, type) \
    (d->vecname.v ? (const unsigned char *)d->vecname.v + offsetof(type, key) : NULL)
    ks[0] = (struct kstream){KEY0(hukou, struct hukou), sizeof(struct hukou), nh, 0};
#define KS(i, vecname, type) \
    ks[1 + (i)] = (struct kstream){KEY0(vecname, type), sizeof(type), d->vecname.n, 0}
    KS(PF_VEHICLES, vehicles, struct vehicle);
    KS(PF_PROPERTY, property, struct property);
    KS(PF_SI, si, struct si_row);
    KS(PF_BUSINESS, business, struct business);
    KS(PF_PUBSERV, pubservants, struct pubservant);
    KS(PF_STAFFREL, staffrels, struct staffrel);
#undef KS
#undef KEY0
    /* registry members with a valid ID (key 0 sorts first) */
    size_t m0 = 0;
    while (m0 < d->members.n && jn->members_by_key[m0].key == 0)
        m0++;
    ks[1 + PF_MEMBERSHIPS] = (struct kstream){(const unsigned char *)(jn->members_by_key + m0) +
                                                  offsetof(struct member_ref, key),
                                              sizeof(struct member_ref), d->members.n - m0, 0};
    for (int i = 0; i < 1 + N_PF; i++)
        if (ks[i].n >= SNAP_NONE) {
            r = ERR(e, E_DATA, "more than 4294967294 rows in one feed: the snapshot format "
                               "cannot hold them");
            goto out;
        }
    for (;;) {
        uint64_t k = UINT64_MAX;
        for (int i = 0; i < 1 + N_PF; i++) {
            uint64_t x = ks_key(&ks[i]);
            if (x < k)
                k = x;
        }
        if (n_persons == cap_persons) {
            size_t nc = cap_persons ? cap_persons * 2 : 65536;
            struct sp_person *np = realloc(persons, nc * sizeof *np);
            if (!np) {
                r = ERR(e, E_NOMEM, "out of memory while building the snapshot's persons");
                goto out;
            }
            persons = np;
            cap_persons = nc;
        }
        struct sp_person *ps = &persons[n_persons];
        memset(ps, 0, sizeof *ps);
        for (int f = 0; f < N_PF; f++)
            ps->first[f] = (uint32_t)ks[1 + f].pos;
        if (k == UINT64_MAX)
            break;              /* the sentinel: key 0, firsts = totals */
        if (n_persons >= SNAP_NONE - 1) {
            r = ERR(e, E_DATA, "more than 4294967293 persons: the snapshot format cannot "
                               "hold them");
            goto out;
        }
        ps->key = k;
        ps->hukou = SNAP_NONE;
        if (ks_key(&ks[0]) == k) {
            ps->hukou = inv[ks[0].pos];
            pidx_of_hukou[ks[0].pos] = (uint32_t)n_persons;
        }
        for (int i = 0; i < 1 + N_PF; i++)
            while (ks_key(&ks[i]) == k)
                ks[i].pos++;
        n_persons++;
    }
    h->n_persons = n_persons;
    sec_begin(w);
    sw_put(w, persons, (n_persons + 1) * sizeof *persons);
    if ((r = sec_end(w, SEC_PERSONS, n_persons + 1)) != E_OK)
        goto out;

    /* ---- person hash ---- */
    uint64_t cap = pow2_at_least((uint64_t)n_persons * 2 + 1);
    slots = malloc(cap * sizeof *slots);
    if (!slots) {
        r = ERR(e, E_NOMEM, "out of memory while building the snapshot's person index");
        goto out;
    }
    memset(slots, 0xff, cap * sizeof *slots);
    for (size_t i = 0; i < n_persons; i++) {
        size_t j = (size_t)(key_hash(persons[i].key) & (cap - 1));
        while (slots[j] != SNAP_NONE)
            j = (j + 1) & (cap - 1);
        slots[j] = (uint32_t)i;
    }
    sec_begin(w);
    sw_put(w, slots, cap * sizeof *slots);
    if ((r = sec_end(w, SEC_PERSON_HASH, cap)) != E_OK)
        goto out;
    free(slots);
    slots = NULL;

    /* ---- hukou, grouped by hukou_no ---- */
    sec_begin(w);
    for (size_t pos = 0; pos < nh && w->st == E_OK; pos++) {
        const struct hukou *x = &hk[jn->hukou_by_no[pos]];
        struct sp_hukou o;
        memset(&o, 0, sizeof o);
        o.person = pidx_of_hukou[jn->hukou_by_no[pos]];
        if ((r = st_intern(st, x->name, &o.name, e)) != E_OK ||
            (r = st_intern(st, x->hukou_no, &o.hukou_no, e)) != E_OK ||
            (r = st_intern(st, x->region, &o.region, e)) != E_OK ||
            (r = line32(x->line, &o.line, "hukou.csv", e)) != E_OK)
            goto out;
        o.status_date = x->status_date;
        o.relation = (uint8_t)x->relation;
        o.status = (uint8_t)x->status;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_HUKOU, nh)) != E_OK)
        goto out;

    /* ---- hukou_no -> first row of its group ---- */
    cap = pow2_at_least((uint64_t)nh + 1);
    slots = malloc(cap * sizeof *slots);
    if (!slots) {
        r = ERR(e, E_NOMEM, "out of memory while building the snapshot's hukou index");
        goto out;
    }
    memset(slots, 0xff, cap * sizeof *slots);
    for (size_t pos = 0; pos < nh; pos++) {
        const char *no = hk[jn->hukou_by_no[pos]].hukou_no;
        if (pos > 0 && strcmp(no, hk[jn->hukou_by_no[pos - 1]].hukou_no) == 0)
            continue;
        size_t j = (size_t)(str_hash(no) & (cap - 1));
        while (slots[j] != SNAP_NONE)
            j = (j + 1) & (cap - 1);
        slots[j] = (uint32_t)pos;
    }
    sec_begin(w);
    sw_put(w, slots, cap * sizeof *slots);
    if ((r = sec_end(w, SEC_HUKOU_HASH, cap)) != E_OK)
        goto out;
    free(slots);
    slots = NULL;

    /* ---- person-keyed feeds, in (key, file line) order ---- */
    sec_begin(w);
    for (size_t i = 0; i < d->vehicles.n && w->st == E_OK; i++) {
        const struct vehicle *x = &VEC_AT(d->vehicles, struct vehicle, i);
        struct sp_vehicle o;
        memset(&o, 0, sizeof o);
        if ((r = st_intern(st, x->plate, &o.plate, e)) != E_OK ||
            (r = line32(x->line, &o.line, "vehicles.csv", e)) != E_OK)
            goto out;
        o.value_fen = x->value_fen;
        o.registered_on = x->registered_on;
        o.vclass = (uint8_t)x->vclass;
        o.use = (uint8_t)x->use;
        o.status = (uint8_t)x->status;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_VEHICLES, d->vehicles.n)) != E_OK)
        goto out;

    sec_begin(w);
    for (size_t i = 0; i < d->property.n && w->st == E_OK; i++) {
        const struct property *x = &VEC_AT(d->property, struct property, i);
        struct sp_property o;
        memset(&o, 0, sizeof o);
        if ((r = st_intern(st, x->property_id, &o.property_id, e)) != E_OK ||
            (r = line32(x->line, &o.line, "property.csv", e)) != E_OK)
            goto out;
        o.area_h = x->area_h;
        o.share_nano = (uint32_t)x->share_nano;
        o.registered_on = x->registered_on;
        o.usage = (uint8_t)x->usage;
        o.status = (uint8_t)x->status;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_PROPERTY, d->property.n)) != E_OK)
        goto out;

    sec_begin(w);
    for (size_t i = 0; i < d->si.n && w->st == E_OK; i++) {
        const struct si_row *x = &VEC_AT(d->si, struct si_row, i);
        struct sp_si o;
        memset(&o, 0, sizeof o);
        if ((r = line32(x->line, &o.line, "social_insurance.csv", e)) != E_OK)
            goto out;
        o.amount_fen = x->amount_fen;
        o.month = x->month;
        o.kind = (uint8_t)x->kind;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_SI, d->si.n)) != E_OK)
        goto out;

    sec_begin(w);
    for (size_t i = 0; i < d->business.n && w->st == E_OK; i++) {
        const struct business *x = &VEC_AT(d->business, struct business, i);
        struct sp_business o;
        memset(&o, 0, sizeof o);
        if ((r = st_intern(st, x->entity, &o.entity, e)) != E_OK ||
            (r = line32(x->line, &o.line, "business.csv", e)) != E_OK)
            goto out;
        o.capital_fen = x->capital_fen;
        o.role = (uint8_t)x->role;
        o.status = (uint8_t)x->status;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_BUSINESS, d->business.n)) != E_OK)
        goto out;

    sec_begin(w);
    for (size_t i = 0; i < d->pubservants.n && w->st == E_OK; i++) {
        const struct pubservant *x = &VEC_AT(d->pubservants, struct pubservant, i);
        struct sp_pubserv o;
        memset(&o, 0, sizeof o);
        if ((r = st_intern(st, x->employer, &o.employer, e)) != E_OK ||
            (r = line32(x->line, &o.line, "public_servants.csv", e)) != E_OK)
            goto out;
        o.since = x->since;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_PUBSERV, d->pubservants.n)) != E_OK)
        goto out;

    sec_begin(w);
    for (size_t i = 0; i < d->staffrels.n && w->st == E_OK; i++) {
        const struct staffrel *x = &VEC_AT(d->staffrels, struct staffrel, i);
        struct sp_staffrel o;
        memset(&o, 0, sizeof o);
        if ((r = st_intern(st, x->caseworker, &o.caseworker, e)) != E_OK ||
            (r = st_intern(st, x->relation, &o.relation, e)) != E_OK ||
            (r = line32(x->line, &o.line, "staff_relatives.csv", e)) != E_OK)
            goto out;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_STAFFREL, d->staffrels.n)) != E_OK)
        goto out;

    /* ---- registry: memberships per person, households, their index ---- */
    sec_begin(w);
    for (size_t i = m0; i < d->members.n && w->st == E_OK; i++) {
        uint32_t hh = VEC_AT(d->members, struct member, jn->members_by_key[i].member).hh;
        sw_put(w, &hh, sizeof hh);
    }
    if ((r = sec_end(w, SEC_MEMBERSHIPS, d->members.n - m0)) != E_OK)
        goto out;
    h->n_members = d->members.n;

    sec_begin(w);
    for (size_t i = 0; i < d->households.n && w->st == E_OK; i++) {
        const struct household *x = &VEC_AT(d->households, struct household, i);
        struct sp_household o;
        memset(&o, 0, sizeof o);
        if ((r = st_intern(st, x->id, &o.id, e)) != E_OK)
            goto out;
        o.status = (uint8_t)x->status;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_HOUSEHOLDS, d->households.n)) != E_OK)
        goto out;
    h->n_households = d->households.n;

    cap = pow2_at_least((uint64_t)d->households.n * 2 + 1);
    slots = malloc(cap * sizeof *slots);
    if (!slots) {
        r = ERR(e, E_NOMEM, "out of memory while building the snapshot's household index");
        goto out;
    }
    memset(slots, 0xff, cap * sizeof *slots);
    for (size_t i = 0; i < d->households.n; i++) {
        size_t j = (size_t)(str_hash(VEC_AT(d->households, struct household, i).id) & (cap - 1));
        while (slots[j] != SNAP_NONE)
            j = (j + 1) & (cap - 1);
        slots[j] = (uint32_t)i;
    }
    sec_begin(w);
    sw_put(w, slots, cap * sizeof *slots);
    if ((r = sec_end(w, SEC_HH_HASH, cap)) != E_OK)
        goto out;

    /* ---- policy tables ---- */
    sec_begin(w);
    for (size_t i = 0; i < d->standards.n && w->st == E_OK; i++) {
        const struct standard *x = &VEC_AT(d->standards, struct standard, i);
        struct sp_standard o;
        memset(&o, 0, sizeof o);
        if ((r = st_intern(st, x->prefix, &o.prefix, e)) != E_OK ||
            (r = line32(x->line, &o.line, "standards.csv", e)) != E_OK)
            goto out;
        o.monthly_fen = x->monthly_fen;
        o.prefix_len = x->prefix_len;
        o.area = x->area;
        o.effective_from = x->effective_from;
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_STANDARDS, d->standards.n)) != E_OK)
        goto out;

    sec_begin(w);
    for (size_t i = 0; i < d->holidays.n && w->st == E_OK; i++) {
        const struct holiday *x = &VEC_AT(d->holidays, struct holiday, i);
        struct sp_holiday o = {x->date, x->kind};
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_HOLIDAYS, d->holidays.n)) != E_OK)
        goto out;

    /* the policy file itself, so a check uses exactly the nightly policy */
    char *ptext = NULL;
    size_t plen = 0;
    if ((r = read_whole(p->pol.path, &ptext, &plen, e)) != E_OK)
        goto out;
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)XXH64(ptext, plen, 0));
    if (strcmp(hex, p->pol.hash) != 0) {
        free(ptext);
        r = ERR(e, E_CONFIG, "%s changed while the snapshot was being built; build it again",
                p->pol.path);
        goto out;
    }
    sec_begin(w);
    sw_put(w, ptext, plen);
    free(ptext);
    if ((r = sec_end(w, SEC_POLICY, plen)) != E_OK)
        goto out;

    sec_begin(w);
    for (int f = 0; f < SNAP_INPUTS && w->st == E_OK; f++) {
        const struct filestat *fs = &d->files[f];
        struct sp_input o;
        memset(&o, 0, sizeof o);
        snprintf(o.name, sizeof o.name, "%s", input_file_names[f]);
        snprintf(o.checksum, sizeof o.checksum, "%s", fs->checksum);
        snprintf(o.encoding, sizeof o.encoding, "%s", fs->encoding ? fs->encoding : "");
        o.bytes = fs->bytes;
        o.data_rows = fs->data_rows;
        o.accepted = fs->accepted;
        o.rejected = (int64_t)fs->rejects.n;
        o.merged = fs->dropped_dupes;
        o.present = (uint8_t)(fs->present != 0);
        o.from_rules = (uint8_t)(fs->from_rules != 0);
        sw_put(w, &o, sizeof o);
    }
    if ((r = sec_end(w, SEC_INPUTS, SNAP_INPUTS)) != E_OK)
        goto out;

    /* ---- strings last: every row above has interned its text ---- */
    sec_begin(w);
    sw_put(w, st->pool, st->n);
    r = sec_end(w, SEC_STRINGS, st->n);
out:
    free(inv);
    free(pidx_of_hukou);
    free(persons);
    free(slots);
    if (r == E_OK)
        r = w->st;
    return r;
}

int snapshot_write(const struct pipeline *p, const char *path, struct err *e)
{
    char tmp[4200];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(tmp, sizeof tmp, "%.*s/.%s.tmp.XXXXXX", (int)(slash - path), path, slash + 1);
    else
        snprintf(tmp, sizeof tmp, ".%s.tmp.XXXXXX", path);
    if (slash == path)
        snprintf(tmp, sizeof tmp, "/.%s.tmp.XXXXXX", path + 1);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return ERR(e, E_WRITE, "cannot create a temporary file beside %s: %s", path,
                   strerror(errno));
    fchmod(fd, 0600);   /* it carries full ID numbers: for the bureau only */

    struct snap_header *h = calloc(1, SNAP_HEADER_BYTES);
    struct sw w;
    memset(&w, 0, sizeof w);
    w.fd = fd;
    w.path = tmp;
    w.bcap = (size_t)4 << 20;
    w.buf = malloc(w.bcap);
    w.blk = malloc(SNAP_BLOCK);
    w.body = XXH3_createState();
    w.h = h;
    w.e = e;
    struct strtab st;
    int r = E_OK;
    if (st_init(&st) != 0 || !h || !w.buf || !w.blk || !w.body) {
        r = ERR(e, E_NOMEM, "out of memory while writing the snapshot");
        goto fail;
    }
    XXH3_128bits_reset(w.body);

    /* header page (written again at the end), then the body */
    unsigned char *zero = calloc(1, SNAP_HEADER_BYTES);
    if (!zero) {
        r = ERR(e, E_NOMEM, "out of memory while writing the snapshot");
        goto fail;
    }
    sw_put(&w, zero, SNAP_HEADER_BYTES);
    free(zero);
    w.in_body = 1;
    if ((r = write_body(&w, p, &st, e)) != E_OK)
        goto fail;
    if (w.blk_n && sw_block_done(&w) != E_OK) {
        r = w.st;
        goto fail;
    }
    w.in_body = 0;
    h->body_offset = SNAP_HEADER_BYTES;
    h->body_bytes = w.off - SNAP_HEADER_BYTES;
    XXH128_hash_t bh = XXH3_128bits_digest(w.body);
    h->body_hash_lo = bh.low64;
    h->body_hash_hi = bh.high64;
    sw_pad(&w, 8);
    h->blocks_offset = w.off;
    h->n_blocks = w.n_bh;
    h->blocks_hash = XXH3_64bits(w.bh, w.n_bh * sizeof *w.bh);
    sw_put(&w, w.bh, w.n_bh * sizeof *w.bh);
    if (w.st == E_OK)
        sw_flush(&w);
    if ((r = w.st) != E_OK)
        goto fail;

    memcpy(h->magic, SNAP_MAGIC, 8);
    h->format_version = SNAP_FORMAT_VERSION;
    h->endian = ENDIAN_MARK;
    h->header_bytes = SNAP_HEADER_BYTES;
    h->block_size = SNAP_BLOCK;
    snprintf(h->engine_version, sizeof h->engine_version, "%s", HEDUI_VERSION);
    h->file_bytes = w.off;
    h->as_of = p->cfg.as_of;
    h->built_unix = (int64_t)time(NULL);
    snprintf(h->policy_version, sizeof h->policy_version, "%s", p->pol.version);
    snprintf(h->policy_hash, sizeof h->policy_hash, "%s", p->pol.hash);
    h->header_hash = XXH3_64bits(h, offsetof(struct snap_header, header_hash));
    for (size_t done = 0; done < SNAP_HEADER_BYTES;) {
        ssize_t k = pwrite(fd, (const char *)h + done, SNAP_HEADER_BYTES - done, (off_t)done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            r = ERR(e, E_WRITE, "cannot write snapshot %s: %s", tmp, strerror(errno));
            goto fail;
        }
        done += (size_t)k;
    }
    if (fsync(fd) != 0) {
        r = ERR(e, E_WRITE, "cannot flush snapshot %s to disk: %s", tmp, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;

    /* read it back whole before it replaces the old one */
    struct snap s;
    if ((r = snap_open(&s, tmp, e)) == E_OK) {
        r = snap_verify_all(&s, e);
        snap_close(&s);
    }
    if (r != E_OK)
        goto fail;
    if (rename(tmp, path) != 0) {
        r = ERR(e, E_WRITE, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto fail;
    }
    if (fsync_dir_of(path) != 0) {
        r = ERR(e, E_WRITE, "cannot flush the directory of %s: %s", path, strerror(errno));
        goto done;
    }
    goto done;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
done:
    st_free(&st);
    free(w.buf);
    free(w.blk);
    free(w.bh);
    if (w.body)
        XXH3_freeState(w.body);
    free(h);
    return r;
}

/* =====================================================================
 * Reading
 * ===================================================================== */

__attribute__((format(printf, 3, 4))) static int damaged(const struct snap *s, struct err *e,
                                                         const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return ERR(e, E_PARSE, "snapshot %s is damaged (%s); it was not used: build it again "
                           "with 'hedui index build'", s->path, why);
}

int snap_open(struct snap *s, const char *path, struct err *e)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    snprintf(s->path, sizeof s->path, "%s", path);
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
        int en = errno;
        return ERR(e, en == ENOENT ? E_NOINPUT : E_IO,
                   "cannot open snapshot %s: %s%s", path, strerror(en),
                   en == ENOENT ? " (build one with 'hedui index build')" : "");
    }
    struct stat sb;
    if (fstat(s->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snap_close(s);
        return ERR(e, E_IO, "cannot read snapshot %s: not a regular file", path);
    }
    s->size = (size_t)sb.st_size;
    if (s->size < SNAP_HEADER_BYTES) {
        char magic[8] = {0};
        if (s->size >= 8 && pread(s->fd, magic, 8, 0) == 8 && memcmp(magic, SNAP_MAGIC, 8) != 0) {
            snap_close(s);
            return ERR(e, E_PARSE, "%s is not a hedui snapshot (no %s header)", path, SNAP_MAGIC);
        }
        int st = damaged(s, e, "truncated: %zu bytes, shorter than the %u-byte header",
                         s->size, SNAP_HEADER_BYTES);
        snap_close(s);
        return st;
    }
    void *m = mmap(NULL, s->size, PROT_READ, MAP_SHARED, s->fd, 0);
    if (m == MAP_FAILED) {
        int en = errno;
        snap_close(s);
        return ERR(e, E_IO, "cannot map snapshot %s: %s", path, strerror(en));
    }
    s->base = m;
    const struct snap_header *h = (const struct snap_header *)s->base;
    s->h = h;
    int st = E_OK;
    if (memcmp(h->magic, SNAP_MAGIC, 8) != 0) {
        st = ERR(e, E_PARSE, "%s is not a hedui snapshot (no %s header)", path, SNAP_MAGIC);
        goto bad;
    }
    if (h->endian != ENDIAN_MARK) {
        st = ERR(e, E_PARSE, "snapshot %s was written on a machine of another byte order; "
                             "build it again here with 'hedui index build'", path);
        goto bad;
    }
    if (h->format_version != SNAP_FORMAT_VERSION) {
        st = ERR(e, E_PARSE, "snapshot %s has format version %u; this hedui (%s) reads "
                             "version %u only: build it again with 'hedui index build'",
                 path, h->format_version, HEDUI_VERSION, SNAP_FORMAT_VERSION);
        goto bad;
    }
    if (h->header_bytes != SNAP_HEADER_BYTES || h->block_size != SNAP_BLOCK ||
        XXH3_64bits(h, offsetof(struct snap_header, header_hash)) != h->header_hash) {
        st = damaged(s, e, "header checksum mismatch");
        goto bad;
    }
    char ev[17];
    snprintf(ev, sizeof ev, "%.*s", (int)sizeof h->engine_version, h->engine_version);
    if (strcmp(ev, HEDUI_VERSION) != 0) {
        st = ERR(e, E_PARSE, "snapshot %s was built by hedui %s; this is hedui %s: build it "
                             "again with 'hedui index build'", path, ev, HEDUI_VERSION);
        goto bad;
    }
    if (h->file_bytes != s->size) {
        st = damaged(s, e, "%s: %zu bytes, the header says %llu",
                     s->size < h->file_bytes ? "truncated" : "extended", s->size,
                     (unsigned long long)h->file_bytes);
        goto bad;
    }
    uint64_t body_end = h->body_offset + h->body_bytes;
    if (h->body_offset != SNAP_HEADER_BYTES || h->body_bytes > s->size ||
        body_end > s->size || h->n_blocks != (h->body_bytes + SNAP_BLOCK - 1) / SNAP_BLOCK ||
        h->blocks_offset < body_end || h->blocks_offset % 8 ||
        h->blocks_offset > s->size || (s->size - h->blocks_offset) / 8 < h->n_blocks) {
        st = damaged(s, e, "body or block table outside the file");
        goto bad;
    }
    s->block_hash = (const uint64_t *)(s->base + h->blocks_offset);
    if (XXH3_64bits(s->block_hash, h->n_blocks * 8) != h->blocks_hash) {
        st = damaged(s, e, "block table checksum mismatch");
        goto bad;
    }
    for (int i = 0; i < N_SEC; i++) {
        const struct snap_section *c = &h->sec[i];
        if (c->elem_size != sec_elem[i] || c->offset < h->body_offset || c->offset % 8 ||
            c->offset > body_end || c->bytes > body_end - c->offset ||
            c->count != c->bytes / sec_elem[i] || c->bytes % sec_elem[i]) {
            st = damaged(s, e, "section %s out of range", snap_sec_names[i]);
            goto bad;
        }
    }
    const struct snap_section *sc = h->sec;
    if (sc[SEC_PERSONS].count != h->n_persons + 1 || h->n_persons >= SNAP_NONE ||
        sc[SEC_HOUSEHOLDS].count != h->n_households || sc[SEC_INPUTS].count != SNAP_INPUTS ||
        sc[SEC_STRINGS].count < 1) {
        st = damaged(s, e, "section counts disagree with the header");
        goto bad;
    }
    static const int hashes[] = {SEC_PERSON_HASH, SEC_HUKOU_HASH, SEC_HH_HASH};
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        uint64_t n = sc[hashes[i]].count;
        if (n < 16 || (n & (n - 1))) {
            st = damaged(s, e, "section %s is not a hash table", snap_sec_names[hashes[i]]);
            goto bad;
        }
    }
    s->verified = calloc(h->n_blocks ? h->n_blocks : 1, 1);
    if (!s->verified) {
        st = ERR(e, E_NOMEM, "out of memory while opening snapshot %s", path);
        goto bad;
    }
    return E_OK;
bad:
    snap_close(s);
    return st;
}

void snap_close(struct snap *s)
{
    if (s->base)
        munmap((void *)s->base, s->size);
    if (s->fd >= 0)
        close(s->fd);
    free(s->verified);
    s->base = NULL;
    s->fd = -1;
    s->verified = NULL;
}

/* Make sure bytes [off, off+len) of the file (inside the body) have been
 * checked against the block table. */
static int touch(struct snap *s, uint64_t off, uint64_t len, struct err *e)
{
    if (len == 0)
        return E_OK;
    const struct snap_header *h = s->h;
    uint64_t rel = off - h->body_offset;
    uint64_t b0 = rel / SNAP_BLOCK, b1 = (rel + len - 1) / SNAP_BLOCK;
    for (uint64_t b = b0; b <= b1; b++) {
        if (s->verified[b])
            continue;
        uint64_t start = b * SNAP_BLOCK;
        uint64_t n = h->body_bytes - start < SNAP_BLOCK ? h->body_bytes - start : SNAP_BLOCK;
        if (XXH3_64bits(s->base + h->body_offset + start, n) != s->block_hash[b])
            return damaged(s, e, "checksum mismatch in block %llu, bytes %llu-%llu",
                           (unsigned long long)b,
                           (unsigned long long)(h->body_offset + start),
                           (unsigned long long)(h->body_offset + start + n - 1));
        s->verified[b] = 1;
        s->n_verified++;
    }
    return E_OK;
}

int snap_verify_all(struct snap *s, struct err *e)
{
    const struct snap_header *h = s->h;
    int r = touch(s, h->body_offset, h->body_bytes, e);
    if (r != E_OK)
        return r;
    XXH128_hash_t bh = XXH3_128bits(s->base + h->body_offset, h->body_bytes);
    if (bh.low64 != h->body_hash_lo || bh.high64 != h->body_hash_hi)
        return damaged(s, e, "body checksum mismatch");
    return E_OK;
}

/* Rows [first, first+n) of a section, verified; NULL with e set on error. */
static const void *rows(struct snap *s, int sec, uint64_t first, uint64_t n, struct err *e)
{
    const struct snap_section *c = &s->h->sec[sec];
    if (first > c->count || n > c->count - first) {
        damaged(s, e, "row %llu+%llu of section %s out of range (%llu rows)",
                (unsigned long long)first, (unsigned long long)n, snap_sec_names[sec],
                (unsigned long long)c->count);
        return NULL;
    }
    uint64_t off = c->offset + first * c->elem_size;
    if (touch(s, off, n * c->elem_size, e) != E_OK)
        return NULL;
    return s->base + off;
}

/* A string of the pool, verified and NUL-terminated; NULL on error. */
static const char *sstr(struct snap *s, uint32_t off, struct err *e)
{
    const struct snap_section *c = &s->h->sec[SEC_STRINGS];
    if (off >= c->bytes) {
        damaged(s, e, "string offset %u out of range", off);
        return NULL;
    }
    uint64_t pos = c->offset + off, end = c->offset + c->bytes;
    while (pos < end) {
        uint64_t rel = pos - s->h->body_offset;
        uint64_t seg_end = s->h->body_offset + (rel / SNAP_BLOCK + 1) * SNAP_BLOCK;
        if (seg_end > end)
            seg_end = end;
        if (touch(s, pos, seg_end - pos, e) != E_OK)
            return NULL;
        if (memchr(s->base + pos, '\0', (size_t)(seg_end - pos)))
            return (const char *)(s->base + c->offset + off);
        pos = seg_end;
    }
    damaged(s, e, "string at offset %u is not terminated", off);
    return NULL;
}

int snap_policy_text(struct snap *s, const char **text, size_t *len, struct err *e)
{
    const struct snap_section *c = &s->h->sec[SEC_POLICY];
    const char *t = c->count ? rows(s, SEC_POLICY, 0, c->count, e) : "";
    if (!t)
        return e->code;
    *text = t;
    *len = (size_t)c->count;
    return E_OK;
}

int snap_inputs(struct snap *s, const struct sp_input **in, struct err *e)
{
    *in = rows(s, SEC_INPUTS, 0, SNAP_INPUTS, e);
    return *in ? E_OK : e->code;
}

static int find_person(struct snap *s, uint64_t key, uint32_t *out, struct err *e)
{
    uint64_t cap = s->h->sec[SEC_PERSON_HASH].count;
    uint64_t j = key_hash(key) & (cap - 1);
    *out = SNAP_NONE;
    for (uint64_t probe = 0; probe < cap; probe++) {
        const uint32_t *slot = rows(s, SEC_PERSON_HASH, j, 1, e);
        if (!slot)
            return e->code;
        if (*slot == SNAP_NONE)
            return E_OK;
        if (*slot >= s->h->n_persons)
            return damaged(s, e, "person index %u out of range", *slot);
        const struct sp_person *p = rows(s, SEC_PERSONS, *slot, 1, e);
        if (!p)
            return e->code;
        if (p->key == key) {
            *out = *slot;
            return E_OK;
        }
        j = (j + 1) & (cap - 1);
    }
    return E_OK;
}

/* Registry household index of a household_id, or SNAP_NONE. */
int snap_find_household(struct snap *s, const char *id, uint32_t *out, struct err *e)
{
    uint64_t cap = s->h->sec[SEC_HH_HASH].count;
    uint64_t j = str_hash(id) & (cap - 1);
    *out = SNAP_NONE;
    for (uint64_t probe = 0; probe < cap; probe++) {
        const uint32_t *slot = rows(s, SEC_HH_HASH, j, 1, e);
        if (!slot)
            return e->code;
        if (*slot == SNAP_NONE)
            return E_OK;
        const struct sp_household *hh = rows(s, SEC_HOUSEHOLDS, *slot, 1, e);
        if (!hh)
            return e->code;
        const char *hid = sstr(s, hh->id, e);
        if (!hid)
            return e->code;
        if (strcmp(hid, id) == 0) {
            *out = *slot;
            return E_OK;
        }
        j = (j + 1) & (cap - 1);
    }
    return E_OK;
}

/* First row of the group of hukou_no (pool offset `no`), or SNAP_NONE. */
static int find_hukou_group(struct snap *s, const char *no, uint32_t no_off, uint32_t *out,
                            struct err *e)
{
    uint64_t cap = s->h->sec[SEC_HUKOU_HASH].count;
    uint64_t j = str_hash(no) & (cap - 1);
    *out = SNAP_NONE;
    for (uint64_t probe = 0; probe < cap; probe++) {
        const uint32_t *slot = rows(s, SEC_HUKOU_HASH, j, 1, e);
        if (!slot)
            return e->code;
        if (*slot == SNAP_NONE)
            return E_OK;
        const struct sp_hukou *r = rows(s, SEC_HUKOU, *slot, 1, e);
        if (!r)
            return e->code;
        if (r->hukou_no == no_off) {
            *out = *slot;
            return E_OK;
        }
        j = (j + 1) & (cap - 1);
    }
    return E_OK;
}

/* The rows of person-keyed set f of person pi: [*first, *first + *n). */
static int person_range(struct snap *s, uint32_t pi, int f, uint32_t *first, uint32_t *n,
                        struct err *e)
{
    const struct sp_person *p = rows(s, SEC_PERSONS, pi, 2, e);
    if (!p)
        return e->code;
    uint32_t a = p[0].first[f], b = p[1].first[f];
    if (a > b || b > s->h->sec[pf_sec[f]].count)
        return damaged(s, e, "person %u: rows of %s out of range", pi,
                       snap_sec_names[pf_sec[f]]);
    *first = a;
    *n = b - a;
    return E_OK;
}

/* ---------- materialising a dataset ---------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

struct other {                 /* a registry household (not replaced) of a given member */
    uint32_t hh;
    uint64_t key;
};

static int cmp_other(const void *a, const void *b)
{
    const struct other *x = a, *y = b;
    if (x->hh != y->hh)
        return x->hh < y->hh ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

struct hent {                  /* a household of the materialised dataset */
    uint64_t ord;              /* registry position, or after the registry */
    int32_t given;             /* index in the given dataset, or -1 */
    uint32_t reg;
    size_t o_first, o_n;       /* range in the others array */
};

static int cmp_hent(const void *a, const void *b)
{
    const struct hent *x = a, *y = b;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

#define PUSH(vecname, type, var)                                                         \
    type *var = vec_push(&out->vecname, sizeof(type));                                   \
    if (!var) {                                                                          \
        r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");                 \
        goto done;                                                                       \
    }

#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            r = damaged(s, e, __VA_ARGS__);                                              \
            goto done;                                                                   \
        }                                                                                \
    } while (0)

#define STR(dst, off)                                                                    \
    do {                                                                                 \
        if (!((dst) = sstr(s, (off), e))) {                                              \
            r = e->code;                                                                 \
            goto done;                                                                   \
        }                                                                                \
    } while (0)

#define ROWS(dst, sec, first, n)                                                         \
    do {                                                                                 \
        if (!((dst) = rows(s, (sec), (first), (n), e))) {                                \
            r = e->code;                                                                 \
            goto done;                                                                   \
        }                                                                                \
    } while (0)

/* Room for `more` rows beyond v->n, so the pushes below never move rows. */
static int reserve(struct vec *v, size_t more, size_t size)
{
    if (v->borrowed || v->n + more <= v->cap)
        return 0;
    void *p = realloc(v->v, (v->n + more) * size);
    if (!p)
        return -1;
    v->v = p;
    v->cap = v->n + more;
    return 0;
}

static char *id_text(struct dataset *out, uint64_t key)
{
    char *id = arena_alloc(&out->arena, 19);
    if (id)
        id_from_key(key, id);
    return id;
}

int snap_materialise(struct snap *s, const struct dataset *g, struct dataset *out,
                     int32_t **given_of_out, int have[N_INPUT], struct err *e)
{
    int r = E_OK;
    const size_t ng = g->households.n, ngm = g->members.n;
    const struct household *gh = g->households.v;
    const struct member *gm = g->members.v;
    const uint64_t nreg = s->h->n_households;
    uint32_t *replaced = NULL, *mp = NULL, *persons = NULL, *hrows = NULL;
    struct other *others = NULL;
    struct hent *ents = NULL;
    int32_t *given_of = NULL;
    size_t n_rep = 0, n_oth = 0, cap_oth = 0, n_ent = 0, n_pers = 0, n_hrows = 0,
           cap_hrows = 0;
    *given_of_out = NULL;

    replaced = malloc((ng ? ng : 1) * sizeof *replaced);
    mp = malloc((ngm ? ngm : 1) * sizeof *mp);
    persons = malloc((ngm ? ngm : 1) * sizeof *persons);
    ents = malloc((ng + ngm + 1) * sizeof *ents);
    if (!replaced || !mp || !persons || !ents) {
        r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
        goto done;
    }

    /* 1. given households: their place in the registry */
    for (size_t i = 0; i < ng; i++) {
        uint32_t reg;
        if ((r = snap_find_household(s, gh[i].id, &reg, e)) != E_OK)
            goto done;
        CHECK(reg == SNAP_NONE || reg < nreg, "household index %u out of range", reg);
        ents[n_ent++] = (struct hent){reg != SNAP_NONE ? reg : nreg + i, (int32_t)i, reg, 0, 0};
        if (reg != SNAP_NONE)
            replaced[n_rep++] = reg;
    }
    qsort(replaced, n_rep, sizeof *replaced, cmp_u32);

    /* 2. given members: their person in the snapshot, and the registry
     * households (other than those replaced) they belong to */
    for (size_t j = 0; j < ngm; j++) {
        mp[j] = SNAP_NONE;
        if (!gm[j].key)
            continue;
        if ((r = find_person(s, gm[j].key, &mp[j], e)) != E_OK)
            goto done;
        if (mp[j] == SNAP_NONE)
            continue;
        persons[n_pers++] = mp[j];
        uint32_t first, n;
        if ((r = person_range(s, mp[j], PF_MEMBERSHIPS, &first, &n, e)) != E_OK)
            goto done;
        const uint32_t *hhs;
        ROWS(hhs, SEC_MEMBERSHIPS, first, n);
        for (uint32_t k = 0; k < n; k++) {
            CHECK(hhs[k] < nreg, "membership of household %u out of range", hhs[k]);
            if (bsearch(&hhs[k], replaced, n_rep, sizeof *replaced, cmp_u32))
                continue;
            if (n_oth == cap_oth) {
                size_t nc = cap_oth ? cap_oth * 2 : 64;
                struct other *no = realloc(others, nc * sizeof *no);
                if (!no) {
                    r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
                    goto done;
                }
                others = no;
                cap_oth = nc;
            }
            others[n_oth++] = (struct other){hhs[k], gm[j].key};
        }
    }
    if (n_oth)
        qsort(others, n_oth, sizeof *others, cmp_other);
    {
        size_t w = 0;
        for (size_t i = 0; i < n_oth; i++)
            if (w == 0 || cmp_other(&others[w - 1], &others[i]) != 0)
                others[w++] = others[i];
        n_oth = w;
    }
    if (n_oth) {
        struct hent *ne = realloc(ents, (ng + n_oth + 1) * sizeof *ne);
        if (!ne) {
            r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
            goto done;
        }
        ents = ne;
    }
    for (size_t i = 0; i < n_oth;) {
        size_t k = i;
        while (k < n_oth && others[k].hh == others[i].hh)
            k++;
        ents[n_ent++] = (struct hent){others[i].hh, -1, others[i].hh, i, k - i};
        i = k;
    }
    qsort(ents, n_ent, sizeof *ents, cmp_hent);

    /* 3. households and members, in registry order */
    if (reserve(&out->households, n_ent, sizeof(struct household)) ||
        reserve(&out->members, ngm + n_oth, sizeof(struct member))) {
        r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
        goto done;
    }
    given_of = malloc((n_ent ? n_ent : 1) * sizeof *given_of);
    if (!given_of) {
        r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
        goto done;
    }
    for (size_t k = 0; k < n_ent; k++) {
        const struct hent *en = &ents[k];
        size_t first_member = out->members.n;
        given_of[k] = en->given;
        if (en->given >= 0) {
            const struct household *src = &gh[en->given];
            PUSH(households, struct household, hh);
            *hh = *src;
            for (uint32_t q = 0; q < src->n_members; q++) {
                PUSH(members, struct member, m);
                *m = gm[src->first_member + q];
                m->hh = (uint32_t)k;
            }
        } else {
            const struct sp_household *sh;
            const char *hid;
            ROWS(sh, SEC_HOUSEHOLDS, en->reg, 1);
            CHECK(sh->status < N_HS, "household %u: status out of range", en->reg);
            STR(hid, sh->id);
            PUSH(households, struct household, hh);
            hh->id = hid;
            hh->region = "000000000000";   /* not judged: only here for E10 */
            hh->status = sh->status;
            hh->approved_on = DATE_NONE;
            hh->caseworker = "";
            for (size_t q = 0; q < en->o_n; q++) {
                const struct other *o = &others[en->o_first + q];
                char *id = id_text(out, o->key);
                if (!id) {
                    r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
                    goto done;
                }
                PUSH(members, struct member, m);
                m->hh = (uint32_t)k;
                m->key = o->key;
                m->id = id;
                m->name = "";
                m->relation = REL_OTHER;
                m->work_ability = WA_NONE;
                m->id_status = ID_OK;
            }
        }
        struct household *hh = &VEC_AT(out->households, struct household, k);
        hh->first_member = (uint32_t)first_member;
        hh->n_members = (uint32_t)(out->members.n - first_member);
    }

    /* 4. the feed rows of the members' persons */
    qsort(persons, n_pers, sizeof *persons, cmp_u32);
    {
        size_t w = 0;
        for (size_t i = 0; i < n_pers; i++)
            if (w == 0 || persons[w - 1] != persons[i])
                persons[w++] = persons[i];
        n_pers = w;
    }
    {
        /* size the row arrays once */
        size_t need[N_PF] = {0};
        for (size_t i = 0; i < n_pers; i++)
            for (int f = 0; f < PF_MEMBERSHIPS; f++) {
                uint32_t first, n;
                if ((r = person_range(s, persons[i], f, &first, &n, e)) != E_OK)
                    goto done;
                need[f] += n;
            }
        if (reserve(&out->vehicles, need[PF_VEHICLES], sizeof(struct vehicle)) ||
            reserve(&out->property, need[PF_PROPERTY], sizeof(struct property)) ||
            reserve(&out->si, need[PF_SI], sizeof(struct si_row)) ||
            reserve(&out->business, need[PF_BUSINESS], sizeof(struct business)) ||
            reserve(&out->pubservants, need[PF_PUBSERV], sizeof(struct pubservant)) ||
            reserve(&out->staffrels, need[PF_STAFFREL], sizeof(struct staffrel))) {
            r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
            goto done;
        }
    }
    cap_hrows = n_pers + 16;
    hrows = malloc(cap_hrows * sizeof *hrows);
    if (!hrows) {
        r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
        goto done;
    }
    for (size_t i = 0; i < n_pers; i++) {
        uint32_t pi = persons[i], first, n;
        const struct sp_person *sp;
        ROWS(sp, SEC_PERSONS, pi, 1);
        const uint64_t key = sp->key;
        CHECK(key != 0, "person %u has no key", pi);
        if (sp->hukou != SNAP_NONE) {
            CHECK(sp->hukou < s->h->sec[SEC_HUKOU].count, "person %u: hukou row out of range",
                  pi);
            hrows[n_hrows++] = sp->hukou;
        }

        if ((r = person_range(s, pi, PF_VEHICLES, &first, &n, e)) != E_OK)
            goto done;
        const struct sp_vehicle *v;
        ROWS(v, SEC_VEHICLES, first, n);
        for (uint32_t k = 0; k < n; k++) {
            CHECK(v[k].vclass < N_VC && v[k].use < N_VU && v[k].status < N_VS,
                  "vehicle row %u: value out of range", first + k);
            PUSH(vehicles, struct vehicle, o);
            o->key = key;
            STR(o->plate, v[k].plate);
            o->vclass = v[k].vclass;
            o->use = v[k].use;
            o->status = v[k].status;
            o->registered_on = v[k].registered_on;
            o->value_fen = v[k].value_fen;
            o->line = v[k].line;
        }

        if ((r = person_range(s, pi, PF_PROPERTY, &first, &n, e)) != E_OK)
            goto done;
        const struct sp_property *pr;
        ROWS(pr, SEC_PROPERTY, first, n);
        for (uint32_t k = 0; k < n; k++) {
            CHECK(pr[k].usage < N_US && pr[k].status < N_PS && pr[k].share_nano > 0 &&
                      pr[k].share_nano <= SHARE_ONE && pr[k].area_h >= 0,
                  "property row %u: value out of range", first + k);
            PUSH(property, struct property, o);
            o->key = key;
            STR(o->property_id, pr[k].property_id);
            o->usage = pr[k].usage;
            o->status = pr[k].status;
            o->registered_on = pr[k].registered_on;
            o->area_h = pr[k].area_h;
            o->share_nano = pr[k].share_nano;
            o->line = pr[k].line;
        }

        if ((r = person_range(s, pi, PF_SI, &first, &n, e)) != E_OK)
            goto done;
        const struct sp_si *si;
        ROWS(si, SEC_SI, first, n);
        for (uint32_t k = 0; k < n; k++) {
            CHECK(si[k].kind < N_SI, "social insurance row %u: kind out of range", first + k);
            PUSH(si, struct si_row, o);
            o->key = key;
            o->month = si[k].month;
            o->kind = si[k].kind;
            o->amount_fen = si[k].amount_fen;
            o->line = si[k].line;
        }

        if ((r = person_range(s, pi, PF_BUSINESS, &first, &n, e)) != E_OK)
            goto done;
        const struct sp_business *b;
        ROWS(b, SEC_BUSINESS, first, n);
        for (uint32_t k = 0; k < n; k++) {
            CHECK(b[k].role < N_BR && b[k].status < N_BS, "business row %u: value out of range",
                  first + k);
            PUSH(business, struct business, o);
            o->key = key;
            STR(o->entity, b[k].entity);
            o->role = b[k].role;
            o->status = b[k].status;
            o->capital_fen = b[k].capital_fen;
            o->line = b[k].line;
        }

        if ((r = person_range(s, pi, PF_PUBSERV, &first, &n, e)) != E_OK)
            goto done;
        const struct sp_pubserv *ps;
        ROWS(ps, SEC_PUBSERV, first, n);
        for (uint32_t k = 0; k < n; k++) {
            PUSH(pubservants, struct pubservant, o);
            o->key = key;
            STR(o->employer, ps[k].employer);
            o->since = ps[k].since;
            o->line = ps[k].line;
        }

        if ((r = person_range(s, pi, PF_STAFFREL, &first, &n, e)) != E_OK)
            goto done;
        const struct sp_staffrel *sr;
        ROWS(sr, SEC_STAFFREL, first, n);
        for (uint32_t k = 0; k < n; k++) {
            PUSH(staffrels, struct staffrel, o);
            o->key = key;
            STR(o->caseworker, sr[k].caseworker);
            STR(o->relation, sr[k].relation);
            o->line = sr[k].line;
        }
    }

    /* 5. E11: every person of each head's hukou_no */
    for (size_t i = 0; i < ng; i++) {
        const struct member *head = NULL;
        uint32_t hp = SNAP_NONE;
        for (uint32_t q = 0; q < gh[i].n_members; q++)
            if (gm[gh[i].first_member + q].relation == REL_HEAD) {
                head = &gm[gh[i].first_member + q];
                hp = mp[gh[i].first_member + q];
                break;
            }
        if (!head || hp == SNAP_NONE)
            continue;
        const struct sp_person *sp;
        ROWS(sp, SEC_PERSONS, hp, 1);
        if (sp->hukou == SNAP_NONE)
            continue;
        const struct sp_hukou *hr;
        ROWS(hr, SEC_HUKOU, sp->hukou, 1);
        const uint32_t no_off = hr->hukou_no;
        const char *no;
        STR(no, no_off);
        uint32_t pos;
        if ((r = find_hukou_group(s, no, no_off, &pos, e)) != E_OK)
            goto done;
        CHECK(pos != SNAP_NONE, "hukou_no index is missing a hukou household");
        const uint64_t nh = s->h->sec[SEC_HUKOU].count;
        for (uint64_t k = pos; k < nh; k++) {
            ROWS(hr, SEC_HUKOU, k, 1);
            if (hr->hukou_no != no_off)
                break;
            if (n_hrows == cap_hrows) {
                size_t nc = cap_hrows * 2;
                uint32_t *nr = realloc(hrows, nc * sizeof *nr);
                if (!nr) {
                    r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
                    goto done;
                }
                hrows = nr;
                cap_hrows = nc;
            }
            hrows[n_hrows++] = (uint32_t)k;
        }
    }

    /* 6. the hukou rows, one per person, sorted by key (as normalise_finish leaves them) */
    qsort(hrows, n_hrows, sizeof *hrows, cmp_u32);
    for (size_t i = 0; i < n_hrows; i++) {
        if (i > 0 && hrows[i] == hrows[i - 1])
            continue;
        const struct sp_hukou *hr;
        ROWS(hr, SEC_HUKOU, hrows[i], 1);
        CHECK(hr->person < s->h->n_persons && hr->relation < N_REL && hr->status < N_HK,
              "hukou row %u: value out of range", hrows[i]);
        const struct sp_person *sp;
        ROWS(sp, SEC_PERSONS, hr->person, 1);
        CHECK(sp->key != 0 && sp->hukou == hrows[i], "hukou row %u: person mismatch",
              hrows[i]);
        char *id = id_text(out, sp->key);
        if (!id) {
            r = ERR(e, E_NOMEM, "out of memory while reading the snapshot");
            goto done;
        }
        PUSH(hukou, struct hukou, o);
        o->key = sp->key;
        o->id = id;
        STR(o->name, hr->name);
        STR(o->hukou_no, hr->hukou_no);
        o->no_code = hukou_no_code(o->hukou_no);
        STR(o->region, hr->region);
        CHECK(strlen(o->region) == 12, "hukou row %u: region out of range", hrows[i]);
        o->relation = hr->relation;
        o->status = hr->status;
        o->status_date = hr->status_date;
        o->line = hr->line;
    }
    if ((r = radix_sort_u64(out->hukou.v, out->hukou.n, sizeof(struct hukou),
                            offsetof(struct hukou, key), e)) != E_OK)
        goto done;

    /* 7. policy tables, whole */
    const uint64_t nstd = s->h->sec[SEC_STANDARDS].count;
    const struct sp_standard *sd;
    ROWS(sd, SEC_STANDARDS, 0, nstd);
    for (uint64_t k = 0; k < nstd; k++) {
        PUSH(standards, struct standard, o);
        STR(o->prefix, sd[k].prefix);
        CHECK((sd[k].prefix_len == 6 || sd[k].prefix_len == 9 || sd[k].prefix_len == 12) &&
                  strlen(o->prefix) == (size_t)sd[k].prefix_len && sd[k].area >= 0 &&
                  sd[k].area < N_AREA,
              "standards row %llu: value out of range", (unsigned long long)k);
        o->prefix_len = sd[k].prefix_len;
        o->area = sd[k].area;
        o->effective_from = sd[k].effective_from;
        o->monthly_fen = sd[k].monthly_fen;
        o->line = sd[k].line;
    }
    const uint64_t nhol = s->h->sec[SEC_HOLIDAYS].count;
    const struct sp_holiday *hd;
    ROWS(hd, SEC_HOLIDAYS, 0, nhol);
    for (uint64_t k = 0; k < nhol; k++) {
        CHECK(hd[k].kind >= 0 && hd[k].kind < N_HOL, "holidays row %llu: kind out of range",
              (unsigned long long)k);
        PUSH(holidays, struct holiday, o);
        o->date = hd[k].date;
        o->kind = hd[k].kind;
    }

    const struct sp_input *in;
    if ((r = snap_inputs(s, &in, e)) != E_OK)
        goto done;
    for (int f = 0; f < N_INPUT; f++) {
        have[f] = f < SNAP_INPUTS && in[f].present != 0;
        out->files[f].present = have[f];
    }
    *given_of_out = given_of;
    given_of = NULL;
done:
    free(replaced);
    free(mp);
    free(persons);
    free(hrows);
    free(others);
    free(ents);
    free(given_of);
    return r;
}
