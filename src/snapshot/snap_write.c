/* snap_write.c - write a snapshot (`hedui index build`): the body, section
 * by section, and the file around it (the format is in snap_format.h, the
 * guarantees in snapshot.h; the string table and the streaming section
 * writer, which checksums as it goes, are snap_stream.c).
 *
 * Owns: what each section holds and in which order, the header, the
 * temporary file, its verification and the rename over the old snapshot.
 * Never: reads a snapshot other than the one just written (snapshot.c
 * verifies it), interprets a value (the rows are the normaliser's), prints
 * or exits.
 *
 * The body, in the order written (write_body): persons (a merge of every
 * key-sorted row set), the person index, hukou grouped by hukou_no and its
 * index, the eight person-keyed feeds (write_feeds, write_dated_feeds),
 * the registry (memberships per person,
 * households, their index), the policy tables, the policy file, the
 * inputs' accounting, and the strings last, since every row above interns
 * its text on the way.
 */
#include "snapshot/snapshot.h"
#include "snapshot/snap_format.h"
#include "snapshot/snap_stream.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/fileio.h"
#include "pipeline.h"   /* HEDUI_VERSION */
#include "policy/lang.h"

static uint64_t pow2_at_least(uint64_t n)
{
    uint64_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

static int line32(long long line, uint32_t *out, const char *what, struct err *e)
{
    if (line < 0 || line > (long long)UINT32_MAX)
        return ERR(e, E_DATA, "%s: line %lld is beyond what the snapshot format holds "
                              "(4294967295)", what, line);
    *out = (uint32_t)line;
    return E_OK;
}

/* An empty open-addressing table of cap slots (SNAP_NONE = empty). */
static uint32_t *slots_new(uint64_t cap, const char *what, struct err *e)
{
    uint32_t *slots = malloc(cap * sizeof *slots);
    if (!slots) {
        ERR(e, E_NOMEM, "out of memory while building the snapshot's %s index", what);
        return NULL;
    }
    memset(slots, 0xff, cap * sizeof *slots);
    return slots;
}

static void slot_insert(uint32_t *slots, uint64_t cap, uint64_t hash, uint32_t v)
{
    size_t j = (size_t)(hash & (cap - 1));
    while (slots[j] != SNAP_NONE)
        j = (j + 1) & (cap - 1);
    slots[j] = v;
}

/* ---------- the body, step by step ---------- */

/* What the steps share. */
struct body {
    struct snap_sw *w;
    struct snap_strtab *st;
    const struct dataset *d;
    const struct join *jn;
    struct err *e;
    uint32_t *pidx_of_hukou;   /* hukou row -> person index */
    size_t m0;                 /* first registry member (by key) with a valid ID */
    struct sp_person *persons; /* n_persons + the sentinel */
    size_t n_persons;
};

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

/* Persons: a merge of every key-sorted row set; each person gets the first
 * row of each set and its hukou row.  Also fills b->pidx_of_hukou. */
static int build_persons(struct body *b, const uint32_t *inv)
{
    const struct dataset *d = b->d;
    const struct join *jn = b->jn;
    struct err *e = b->e;
    size_t cap_persons = 0;
    struct kstream ks[1 + N_PF];
    memset(ks, 0, sizeof ks);
#define KEY0(vecname, type) \
    (d->vecname.v ? (const unsigned char *)d->vecname.v + offsetof(type, key) : NULL)
    ks[0] = (struct kstream){KEY0(hukou, struct hukou), sizeof(struct hukou), d->hukou.n, 0};
#define KS(i, vecname, type) \
    ks[1 + (i)] = (struct kstream){KEY0(vecname, type), sizeof(type), d->vecname.n, 0}
    KS(PF_VEHICLES, vehicles, struct vehicle);
    KS(PF_PROPERTY, property, struct property);
    KS(PF_SI, si, struct si_row);
    KS(PF_BUSINESS, business, struct business);
    KS(PF_PUBSERV, pubservants, struct pubservant);
    KS(PF_STAFFREL, staffrels, struct staffrel);
    KS(PF_FINASSETS, finassets, struct finasset);
    KS(PF_FUNERAL, funerals, struct funeral);
#undef KS
#undef KEY0
    /* registry members with a valid ID (key 0 sorts first) */
    size_t m0 = 0;
    while (m0 < d->members.n && jn->members_by_key[m0].key == 0)
        m0++;
    b->m0 = m0;
    ks[1 + PF_MEMBERSHIPS] = (struct kstream){(const unsigned char *)(jn->members_by_key + m0) +
                                                  offsetof(struct member_ref, key),
                                              sizeof(struct member_ref), d->members.n - m0, 0};
    for (int i = 0; i < 1 + N_PF; i++)
        if (ks[i].n >= SNAP_NONE)
            return ERR(e, E_DATA, "more than 4294967294 rows in one feed: the snapshot format "
                                  "cannot hold them");
    for (;;) {
        uint64_t k = UINT64_MAX;
        for (int i = 0; i < 1 + N_PF; i++) {
            uint64_t x = ks_key(&ks[i]);
            if (x < k)
                k = x;
        }
        if (b->n_persons == cap_persons) {
            size_t nc = cap_persons ? cap_persons * 2 : 65536;
            struct sp_person *np = realloc(b->persons, nc * sizeof *np);
            if (!np)
                return ERR(e, E_NOMEM, "out of memory while building the snapshot's persons");
            b->persons = np;
            cap_persons = nc;
        }
        struct sp_person *ps = &b->persons[b->n_persons];
        memset(ps, 0, sizeof *ps);
        for (int f = 0; f < N_PF; f++)
            ps->first[f] = (uint32_t)ks[1 + f].pos;
        if (k == UINT64_MAX)
            break;              /* the sentinel: key 0, firsts = totals */
        if (b->n_persons >= SNAP_NONE - 1)
            return ERR(e, E_DATA, "more than 4294967293 persons: the snapshot format cannot "
                                  "hold them");
        ps->key = k;
        ps->hukou = SNAP_NONE;
        if (ks_key(&ks[0]) == k) {
            ps->hukou = inv[ks[0].pos];
            b->pidx_of_hukou[ks[0].pos] = (uint32_t)b->n_persons;
        }
        for (int i = 0; i < 1 + N_PF; i++)
            while (ks_key(&ks[i]) == k)
                ks[i].pos++;
        b->n_persons++;
    }
    return E_OK;
}

static int write_person_index(struct body *b)
{
    uint64_t cap = pow2_at_least((uint64_t)b->n_persons * 2 + 1);
    uint32_t *slots = slots_new(cap, "person", b->e);
    if (!slots)
        return b->e->code;
    for (size_t i = 0; i < b->n_persons; i++)
        slot_insert(slots, cap, snap_key_hash(b->persons[i].key), (uint32_t)i);
    int r = snap_sec_put(b->w, SEC_PERSON_HASH, slots, cap);
    free(slots);
    return r;
}

/* Hukou rows grouped by hukou_no (join's hukou_by_no order), then the
 * index hukou_no -> first row of its group. */
static int write_hukou(struct body *b)
{
    const struct dataset *d = b->d;
    const struct join *jn = b->jn;
    const struct hukou *hk = d->hukou.v;
    const size_t nh = d->hukou.n;
    struct snap_sw *w = b->w;
    struct err *e = b->e;
    int r;
    snap_sec_begin(w);
    for (size_t pos = 0; pos < nh && w->st == E_OK; pos++) {
        const struct hukou *x = &hk[jn->hukou_by_no[pos]];
        struct sp_hukou o;
        memset(&o, 0, sizeof o);
        o.person = b->pidx_of_hukou[jn->hukou_by_no[pos]];
        if ((r = snap_st_intern(b->st, x->name, &o.name, e)) != E_OK ||
            (r = snap_st_intern(b->st, x->hukou_no, &o.hukou_no, e)) != E_OK ||
            (r = snap_st_intern(b->st, x->region, &o.region, e)) != E_OK ||
            (r = line32(x->line, &o.line, "hukou.csv", e)) != E_OK)
            return r;
        o.status_date = x->status_date;
        o.relation = (uint8_t)x->relation;
        o.status = (uint8_t)x->status;
        snap_sw_put(w, &o, sizeof o);
    }
    if ((r = snap_sec_end(w, SEC_HUKOU, nh)) != E_OK)
        return r;

    uint64_t cap = pow2_at_least((uint64_t)nh + 1);
    uint32_t *slots = slots_new(cap, "hukou", e);
    if (!slots)
        return e->code;
    for (size_t pos = 0; pos < nh; pos++) {
        const char *no = hk[jn->hukou_by_no[pos]].hukou_no;
        if (pos > 0 && strcmp(no, hk[jn->hukou_by_no[pos - 1]].hukou_no) == 0)
            continue;
        slot_insert(slots, cap, snap_str_hash(no), (uint32_t)pos);
    }
    r = snap_sec_put(w, SEC_HUKOU_HASH, slots, cap);
    free(slots);
    return r;
}

/* The person-keyed feeds, in (key, file line) order as join_build left
 * them: one loop per feed, each row converted to its stored form. */
#define FEED_LOOP(vecname, type, otype)                                                  \
    for (size_t i = 0; i < d->vecname.n && w->st == E_OK; i++) {                         \
        const type *x = &VEC_AT(d->vecname, type, i);                                    \
        otype o;                                                                         \
        memset(&o, 0, sizeof o);
#define FEED_END                                                                         \
        snap_sw_put(w, &o, sizeof o);                                                    \
    }

static int write_feeds(struct body *b)
{
    const struct dataset *d = b->d;
    struct snap_sw *w = b->w;
    struct snap_strtab *st = b->st;
    struct err *e = b->e;
    int r;

    snap_sec_begin(w);
    FEED_LOOP(vehicles, struct vehicle, struct sp_vehicle)
        if ((r = snap_st_intern(st, x->plate, &o.plate, e)) != E_OK ||
            (r = line32(x->line, &o.line, "vehicles.csv", e)) != E_OK)
            return r;
        o.value_fen = x->value_fen;
        o.registered_on = x->registered_on;
        o.vclass = (uint8_t)x->vclass;
        o.use = (uint8_t)x->use;
        o.status = (uint8_t)x->status;
    FEED_END
    if ((r = snap_sec_end(w, SEC_VEHICLES, d->vehicles.n)) != E_OK)
        return r;

    snap_sec_begin(w);
    FEED_LOOP(property, struct property, struct sp_property)
        if ((r = snap_st_intern(st, x->property_id, &o.property_id, e)) != E_OK ||
            (r = line32(x->line, &o.line, "property.csv", e)) != E_OK)
            return r;
        o.area_h = x->area_h;
        o.share_nano = (uint32_t)x->share_nano;
        o.registered_on = x->registered_on;
        o.usage = (uint8_t)x->usage;
        o.status = (uint8_t)x->status;
    FEED_END
    if ((r = snap_sec_end(w, SEC_PROPERTY, d->property.n)) != E_OK)
        return r;

    snap_sec_begin(w);
    FEED_LOOP(si, struct si_row, struct sp_si)
        if ((r = line32(x->line, &o.line, "social_insurance.csv", e)) != E_OK)
            return r;
        o.amount_fen = x->amount_fen;
        o.month = x->month;
        o.kind = (uint8_t)x->kind;
    FEED_END
    if ((r = snap_sec_end(w, SEC_SI, d->si.n)) != E_OK)
        return r;

    snap_sec_begin(w);
    FEED_LOOP(business, struct business, struct sp_business)
        if ((r = snap_st_intern(st, x->entity, &o.entity, e)) != E_OK ||
            (r = line32(x->line, &o.line, "business.csv", e)) != E_OK)
            return r;
        o.capital_fen = x->capital_fen;
        o.role = (uint8_t)x->role;
        o.status = (uint8_t)x->status;
    FEED_END
    if ((r = snap_sec_end(w, SEC_BUSINESS, d->business.n)) != E_OK)
        return r;

    snap_sec_begin(w);
    FEED_LOOP(pubservants, struct pubservant, struct sp_pubserv)
        if ((r = snap_st_intern(st, x->employer, &o.employer, e)) != E_OK ||
            (r = line32(x->line, &o.line, "public_servants.csv", e)) != E_OK)
            return r;
        o.since = x->since;
    FEED_END
    if ((r = snap_sec_end(w, SEC_PUBSERV, d->pubservants.n)) != E_OK)
        return r;

    snap_sec_begin(w);
    FEED_LOOP(staffrels, struct staffrel, struct sp_staffrel)
        if ((r = snap_st_intern(st, x->caseworker, &o.caseworker, e)) != E_OK ||
            (r = snap_st_intern(st, x->relation, &o.relation, e)) != E_OK ||
            (r = line32(x->line, &o.line, "staff_relatives.csv", e)) != E_OK)
            return r;
    FEED_END
    return snap_sec_end(w, SEC_STAFFREL, d->staffrels.n);
}

/* The dated feeds, financial_assets and funeral (format 3 on): every
 * accepted row, those dated after the build's as-of date too, since a
 * check judges as of its own date.  An absent feed is an empty section (sp_input says absent). */
static int write_dated_feeds(struct body *b)
{
    const struct dataset *d = b->d;
    struct snap_sw *w = b->w;
    struct snap_strtab *st = b->st;
    struct err *e = b->e;
    int r;

    snap_sec_begin(w);
    FEED_LOOP(finassets, struct finasset, struct sp_finasset)
        if ((r = snap_st_intern(st, x->institution, &o.institution, e)) != E_OK ||
            (r = snap_st_intern(st, x->account_no, &o.account_no, e)) != E_OK ||
            (r = line32(x->line, &o.line, "financial_assets.csv", e)) != E_OK)
            return r;
        o.balance_fen = x->balance_fen;
        o.balance_date = x->balance_date;
        o.asset_type = (uint8_t)x->asset_type;
    FEED_END
    if ((r = snap_sec_end(w, SEC_FINASSETS, d->finassets.n)) != E_OK)
        return r;

    snap_sec_begin(w);
    FEED_LOOP(funerals, struct funeral, struct sp_funeral)
        if ((r = snap_st_intern(st, x->name, &o.name, e)) != E_OK ||
            (r = line32(x->line, &o.line, "funeral.csv", e)) != E_OK)
            return r;
        o.event_date = x->event_date;
        o.kind = (uint8_t)x->kind;
    FEED_END
    return snap_sec_end(w, SEC_FUNERAL, d->funerals.n);
}
#undef FEED_LOOP
#undef FEED_END

/* The registry: memberships per person (households of each person, in
 * key order), the households, and household_id -> household. */
static int write_registry(struct body *b)
{
    const struct dataset *d = b->d;
    const struct join *jn = b->jn;
    struct snap_sw *w = b->w;
    struct err *e = b->e;
    struct snap_header *h = w->h;
    int r;

    snap_sec_begin(w);
    for (size_t i = b->m0; i < d->members.n && w->st == E_OK; i++) {
        uint32_t hh = VEC_AT(d->members, struct member, jn->members_by_key[i].member).hh;
        snap_sw_put(w, &hh, sizeof hh);
    }
    if ((r = snap_sec_end(w, SEC_MEMBERSHIPS, d->members.n - b->m0)) != E_OK)
        return r;
    h->n_members = d->members.n;

    snap_sec_begin(w);
    for (size_t i = 0; i < d->households.n && w->st == E_OK; i++) {
        const struct household *x = &VEC_AT(d->households, struct household, i);
        struct sp_household o;
        memset(&o, 0, sizeof o);
        if ((r = snap_st_intern(b->st, x->id, &o.id, e)) != E_OK)
            return r;
        o.status = (uint8_t)x->status;
        snap_sw_put(w, &o, sizeof o);
    }
    if ((r = snap_sec_end(w, SEC_HOUSEHOLDS, d->households.n)) != E_OK)
        return r;
    h->n_households = d->households.n;

    uint64_t cap = pow2_at_least((uint64_t)d->households.n * 2 + 1);
    uint32_t *slots = slots_new(cap, "household", e);
    if (!slots)
        return e->code;
    for (size_t i = 0; i < d->households.n; i++)
        slot_insert(slots, cap, snap_str_hash(VEC_AT(d->households, struct household, i).id),
                    (uint32_t)i);
    r = snap_sec_put(w, SEC_HH_HASH, slots, cap);
    free(slots);
    return r;
}

static int write_policy_tables(struct body *b)
{
    const struct dataset *d = b->d;
    struct snap_sw *w = b->w;
    struct err *e = b->e;
    int r;
    snap_sec_begin(w);
    for (size_t i = 0; i < d->standards.n && w->st == E_OK; i++) {
        const struct standard *x = &VEC_AT(d->standards, struct standard, i);
        struct sp_standard o;
        memset(&o, 0, sizeof o);
        if ((r = snap_st_intern(b->st, x->prefix, &o.prefix, e)) != E_OK ||
            (r = line32(x->line, &o.line, "standards.csv", e)) != E_OK)
            return r;
        o.monthly_fen = x->monthly_fen;
        o.prefix_len = x->prefix_len;
        o.area = x->area;
        o.effective_from = x->effective_from;
        snap_sw_put(w, &o, sizeof o);
    }
    if ((r = snap_sec_end(w, SEC_STANDARDS, d->standards.n)) != E_OK)
        return r;

    snap_sec_begin(w);
    for (size_t i = 0; i < d->holidays.n && w->st == E_OK; i++) {
        const struct holiday *x = &VEC_AT(d->holidays, struct holiday, i);
        struct sp_holiday o = {x->date, x->kind};
        snap_sw_put(w, &o, sizeof o);
    }
    return snap_sec_end(w, SEC_HOLIDAYS, d->holidays.n);
}


/* The policy file itself, so a check uses exactly the nightly policy. */
static int write_policy_file(struct body *b, const struct policy *pol)
{
    char *ptext = NULL;
    size_t plen = 0;
    int r = fileio_read_all(pol->path, &ptext, &plen, b->e);
    if (r != E_OK)
        return r;
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)XXH64(ptext, plen, 0));
    if (strcmp(hex, pol->hash) != 0) {
        free(ptext);
        return ERR(b->e, E_CONFIG, "%s changed while the snapshot was being built; build it "
                                   "again", pol->path);
    }
    r = snap_sec_put(b->w, SEC_POLICY, ptext, plen);
    free(ptext);
    return r;
}

static void put_u32le(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The policy's rules (its .policy file and those it extends), checked and
 * compiled first: a snapshot never carries rules a check could not run;
 * then the rule catalogue they were checked against. */
static int write_policy_src(struct body *b, const struct policy *pol)
{
    struct lang_opts o = {b->w->h->as_of, pol->income_months, NULL, 0};
    struct lang_prog *lp = NULL;
    char dir[600];
    const char *slash = strrchr(pol->path, '/');
    if (pol->rules_dir[0])
        snprintf(dir, sizeof dir, "%s", pol->rules_dir);
    else
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - pol->path) : 1,
                 slash ? pol->path : ".");
    int r = lang_load_dir(&lp, dir, &o, b->e);
    size_t n = 0, clen = 0;
    unsigned char *blob = NULL;
    const char *ctext = catalogue_text(&clen), *cpath = catalogue_path();
    if (r == E_OK && !ctext)
        r = ERR(b->e, E_CONFIG, "no rule catalogue is loaded");
    if (r == E_OK) {
        for (int f = 0; f < lp->L.nfiles; f++)
            n += 8 + strlen(lp->L.files[f].path) + 1 + lp->L.files[f].len;
        n += 8 + strlen(cpath) + 1 + clen;
        blob = malloc(n ? n : 1);
        if (!blob)
            r = ERR(b->e, E_NOMEM, "out of memory while writing the snapshot");
    }
    if (r == E_OK) {
        size_t at = 0;
        for (int f = 0; f < lp->L.nfiles; f++) {
            const struct lsrc *s = &lp->L.files[f];
            size_t pl = strlen(s->path) + 1;
            put_u32le(blob + at, (uint32_t)pl);
            memcpy(blob + at + 4, s->path, pl);
            at += 4 + pl;
            put_u32le(blob + at, (uint32_t)s->len);
            memcpy(blob + at + 4, s->text, s->len);
            at += 4 + s->len;
        }
        size_t pl = strlen(cpath) + 1;
        put_u32le(blob + at, (uint32_t)pl);
        memcpy(blob + at + 4, cpath, pl);
        at += 4 + pl;
        put_u32le(blob + at, (uint32_t)clen);
        memcpy(blob + at + 4, ctext, clen);
        r = snap_sec_put(b->w, SEC_POLICY_SRC, blob, n);
    }
    free(blob);
    lang_prog_free(lp);
    return r;
}

static int write_inputs(struct body *b)
{
    struct snap_sw *w = b->w;
    snap_sec_begin(w);
    for (int f = 0; f < SNAP_INPUTS && w->st == E_OK; f++) {
        const struct filestat *fs = &b->d->files[f];
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
        snap_sw_put(w, &o, sizeof o);
    }
    return snap_sec_end(w, SEC_INPUTS, SNAP_INPUTS);
}

/* The body, section by section (the order is the format's).  All row
 * sets of d are already sorted by person key (join_build). */
static int write_body(struct snap_sw *w, const struct dataset *d, const struct join *jn,
                      const struct policy *pol, struct snap_strtab *st, struct err *e)
{
    struct body b = {w, st, d, jn, e, NULL, 0, NULL, 0};
    uint32_t *inv = NULL;
    int r = E_OK;

    const size_t nh = d->hukou.n;
    if (nh >= SNAP_NONE || d->households.n >= SNAP_NONE || d->members.n >= SNAP_NONE)
        return ERR(e, E_DATA, "more than 4294967294 rows in one file: the snapshot format "
                              "cannot hold them");
    inv = malloc((nh ? nh : 1) * sizeof *inv);
    b.pidx_of_hukou = malloc((nh ? nh : 1) * sizeof *b.pidx_of_hukou);
    if (!inv || !b.pidx_of_hukou) {
        r = ERR(e, E_NOMEM, "out of memory while building the snapshot");
        goto out;
    }
    for (size_t pos = 0; pos < jn->n_hukou_by_no; pos++)
        inv[jn->hukou_by_no[pos]] = (uint32_t)pos;

    if ((r = build_persons(&b, inv)) != E_OK)
        goto out;
    w->h->n_persons = b.n_persons;
    if ((r = snap_sec_put(w, SEC_PERSONS, b.persons, b.n_persons + 1)) != E_OK ||
        (r = write_person_index(&b)) != E_OK || (r = write_hukou(&b)) != E_OK ||
        (r = write_feeds(&b)) != E_OK || (r = write_dated_feeds(&b)) != E_OK ||
        (r = write_registry(&b)) != E_OK ||
        (r = write_policy_tables(&b)) != E_OK || (r = write_policy_file(&b, pol)) != E_OK ||
        (r = write_inputs(&b)) != E_OK || (r = write_policy_src(&b, pol)) != E_OK)
        goto out;
    /* strings last: every row above has interned its text */
    r = snap_sec_put(w, SEC_STRINGS, st->pool, st->n);
out:
    free(inv);
    free(b.pidx_of_hukou);
    free(b.persons);
    if (r == E_OK)
        r = w->st;
    return r;
}

/* ---------- the file: temporary, header, verify, rename ---------- */


/* Which months social insurance covers (the header's si_* fields): every
 * accepted row of d->si counts (a snapshot keeps all months). */
static void si_coverage(struct snap_header *h, const struct dataset *d)
{
    const struct si_row *r = d->si.v;
    h->si_first_month = h->si_last_month = SNAP_NO_MONTH;
    memset(h->si_months, 0, sizeof h->si_months);
    if (d->si.n == 0)
        return;
    int lo = r[0].month, hi = r[0].month;
    for (size_t i = 1; i < d->si.n; i++) {
        if (r[i].month < lo)
            lo = r[i].month;
        if (r[i].month > hi)
            hi = r[i].month;
    }
    h->si_first_month = lo;
    h->si_last_month = hi;
    for (size_t i = 0; i < d->si.n; i++) {
        long long b = (long long)hi - r[i].month;
        if (b < (long long)SNAP_SI_MONTHS)
            h->si_months[b / 8] |= (uint8_t)(1u << (b % 8));
    }
}

/* The header page, written last (at offset 0) once the body is known. */
static int write_header(int fd, const char *tmp, struct snap_header *h, uint64_t file_bytes,
                        const struct policy *pol, int as_of, struct err *e)
{
    memcpy(h->magic, SNAP_MAGIC, 8);
    h->format_version = SNAP_FORMAT_VERSION;
    h->endian = SNAP_ENDIAN_MARK;
    h->header_bytes = SNAP_HEADER_BYTES;
    h->block_size = SNAP_BLOCK;
    snprintf(h->engine_version, sizeof h->engine_version, "%s", HEDUI_VERSION);
    h->file_bytes = file_bytes;
    h->as_of = as_of;
    h->built_unix = (int64_t)time(NULL);
    snprintf(h->policy_version, sizeof h->policy_version, "%s", pol->version);
    snprintf(h->policy_hash, sizeof h->policy_hash, "%s", pol->hash);
    snprintf(h->policy_pack, sizeof h->policy_pack, "%s", pol->lang_name);
    snprintf(h->policy_compiled, sizeof h->policy_compiled, "%s", pol->lang_hash);
    h->header_hash = XXH3_64bits(h, offsetof(struct snap_header, header_hash));
    for (size_t done = 0; done < SNAP_HEADER_BYTES;) {
        ssize_t k = pwrite(fd, (const char *)h + done, SNAP_HEADER_BYTES - done, (off_t)done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return ERR(e, E_WRITE, "cannot write snapshot %s: %s", tmp, strerror(errno));
        done += (size_t)k;
    }
    if (fsync(fd) != 0)
        return ERR(e, E_WRITE, "cannot flush snapshot %s to disk: %s", tmp, strerror(errno));
    return E_OK;
}

/* A zero header page, the body, the block table; h gets what the header
 * needs of them. */
static int write_file(struct snap_sw *w, const struct dataset *d, const struct join *jn,
                      const struct policy *pol, struct snap_strtab *st, struct err *e)
{
    struct snap_header *h = w->h;
    unsigned char *zero = calloc(1, SNAP_HEADER_BYTES);
    if (!zero)
        return ERR(e, E_NOMEM, "out of memory while writing the snapshot");
    snap_sw_put(w, zero, SNAP_HEADER_BYTES);
    free(zero);
    w->in_body = 1;
    int r = write_body(w, d, jn, pol, st, e);
    if (r != E_OK)
        return r;
    if (w->blk_n && snap_sw_block_done(w) != E_OK)
        return w->st;
    w->in_body = 0;
    h->body_offset = SNAP_HEADER_BYTES;
    h->body_bytes = w->off - SNAP_HEADER_BYTES;
    XXH128_hash_t bh = XXH3_128bits_digest(w->body);
    h->body_hash_lo = bh.low64;
    h->body_hash_hi = bh.high64;
    snap_sw_pad(w, 8);
    h->blocks_offset = w->off;
    h->n_blocks = w->n_bh;
    h->blocks_hash = XXH3_64bits(w->bh, w->n_bh * sizeof *w->bh);
    snap_sw_put(w, w->bh, w->n_bh * sizeof *w->bh);
    if (w->st == E_OK)
        snap_sw_flush(w);
    return w->st;
}

int snapshot_write(const struct dataset *d, const struct join *jn, const struct policy *pol,
                   int as_of, const char *path, struct err *e)
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
    struct snap_sw w;
    memset(&w, 0, sizeof w);
    w.fd = fd;
    w.path = tmp;
    w.bcap = (size_t)4 << 20;
    w.buf = malloc(w.bcap);
    w.blk = malloc(SNAP_BLOCK);
    w.body = XXH3_createState();
    w.h = h;
    w.e = e;
    struct snap_strtab st;
    int r = E_OK;
    if (snap_st_init(&st) != 0 || !h || !w.buf || !w.blk || !w.body) {
        r = ERR(e, E_NOMEM, "out of memory while writing the snapshot");
        goto fail;
    }
    XXH3_128bits_reset(w.body);
    si_coverage(h, d);
    h->as_of = as_of;   /* the day the rules' dated parameters are checked on */
    if ((r = write_file(&w, d, jn, pol, &st, e)) != E_OK ||
        (r = write_header(fd, tmp, h, w.off, pol, as_of, e)) != E_OK)
        goto fail;
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
    if (fileio_fsync_parent(path) != 0)
        r = ERR(e, E_WRITE, "cannot flush the directory of %s: %s", path, strerror(errno));
    goto done;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
done:
    snap_st_free(&st);
    free(w.buf);
    free(w.blk);
    free(w.bh);
    if (w.body)
        XXH3_freeState(w.body);
    free(h);
    return r;
}
