/* snapshot.c - open, verify and read the pre-approval snapshot: the
 * public face of snapshot/ (snapshot.h has the guarantees, snap_format.h
 * the layout; snap_write.c writes the file, snap_materialise.c builds a
 * dataset from it).
 *
 * Owns: the checks on opening (magic, byte order, format and engine
 * version, header, block table, section bounds), the lazy verification of
 * body blocks on first touch, and the checked readers every other reader
 * goes through (snap_rows, snap_str, the three hash lookups).
 * Never: writes a snapshot, evaluates a rule, trusts an offset or index
 * read from the file before checking it, prints or exits.
 */
#include "snapshot/snapshot.h"
#include "snapshot/snap_format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/date.h"
#include "pipeline.h"   /* HEDUI_VERSION */

_Static_assert(SNAP_INPUTS == N_INPUT && N_INPUT == 14, "format: one sp_input per input file");

const char *const snap_sec_names[N_SEC] = {
    "persons", "person_hash", "hukou", "hukou_hash", "vehicles", "property",
    "social_insurance", "business", "public_servants", "staff_relatives", "financial_assets",
    "funeral", "memberships", "households", "household_hash", "standards", "holidays", "policy",
    "inputs", "policy_src", "strings"};

const uint32_t snap_sec_elem[N_SEC] = {
    [SEC_PERSONS] = sizeof(struct sp_person), [SEC_PERSON_HASH] = 4,
    [SEC_HUKOU] = sizeof(struct sp_hukou), [SEC_HUKOU_HASH] = 4,
    [SEC_VEHICLES] = sizeof(struct sp_vehicle), [SEC_PROPERTY] = sizeof(struct sp_property),
    [SEC_SI] = sizeof(struct sp_si), [SEC_BUSINESS] = sizeof(struct sp_business),
    [SEC_PUBSERV] = sizeof(struct sp_pubserv), [SEC_STAFFREL] = sizeof(struct sp_staffrel),
    [SEC_FINASSETS] = sizeof(struct sp_finasset), [SEC_FUNERAL] = sizeof(struct sp_funeral),
    [SEC_MEMBERSHIPS] = 4, [SEC_HOUSEHOLDS] = sizeof(struct sp_household),
    [SEC_HH_HASH] = 4, [SEC_STANDARDS] = sizeof(struct sp_standard),
    [SEC_HOLIDAYS] = sizeof(struct sp_holiday), [SEC_POLICY] = 1, [SEC_POLICY_SRC] = 1,
    [SEC_INPUTS] = sizeof(struct sp_input), [SEC_STRINGS] = 1};

_Static_assert(N_SEC <= SNAP_INFO_MAX_SEC, "struct snap_info has room for every section");

const int snap_pf_sec[N_PF] = {SEC_VEHICLES, SEC_PROPERTY, SEC_SI, SEC_BUSINESS, SEC_PUBSERV,
                               SEC_STAFFREL, SEC_FINASSETS, SEC_FUNERAL, SEC_MEMBERSHIPS};

/* ---------- opening ---------- */

int snap_damaged(const struct snap *s, struct err *e, const char *fmt, ...)
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
        int st = snap_damaged(s, e, "truncated: %zu bytes, shorter than the %u-byte header",
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
    if (h->endian != SNAP_ENDIAN_MARK) {
        st = ERR(e, E_PARSE, "snapshot %s was written on a machine of another byte order; "
                             "build it again here with 'hedui index build'", path);
        goto bad;
    }
    if (h->format_version != SNAP_FORMAT_VERSION) {
        /* Versions 1 to 3 are not read: 1 and 2 carry neither the
         * financial-assets nor the funeral feed, 3 not the rules judged,
         * so a check from them could not judge as the run does. */
        st = ERR(e, E_PARSE, "snapshot %s has format version %u; this hedui (%s) reads "
                             "version %u only: build it again with 'hedui index build'%s",
                 path, h->format_version, HEDUI_VERSION, SNAP_FORMAT_VERSION,
                 h->format_version < 4 ? " (format 4 carries financial_assets.csv, "
                                         "funeral.csv and the rules it was built with)" : "");
        goto bad;
    }
    if (h->header_bytes != SNAP_HEADER_BYTES || h->block_size != SNAP_BLOCK ||
        XXH3_64bits(h, offsetof(struct snap_header, header_hash)) != h->header_hash) {
        st = snap_damaged(s, e, "header checksum mismatch");
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
        st = snap_damaged(s, e, "%s: %zu bytes, the header says %llu",
                     s->size < h->file_bytes ? "truncated" : "extended", s->size,
                     (unsigned long long)h->file_bytes);
        goto bad;
    }
    uint64_t body_end = h->body_offset + h->body_bytes;
    if (h->body_offset != SNAP_HEADER_BYTES || h->body_bytes > s->size ||
        body_end > s->size || h->n_blocks != (h->body_bytes + SNAP_BLOCK - 1) / SNAP_BLOCK ||
        h->blocks_offset < body_end || h->blocks_offset % 8 ||
        h->blocks_offset > s->size || (s->size - h->blocks_offset) / 8 < h->n_blocks) {
        st = snap_damaged(s, e, "body or block table outside the file");
        goto bad;
    }
    s->block_hash = (const uint64_t *)(s->base + h->blocks_offset);
    if (XXH3_64bits(s->block_hash, h->n_blocks * 8) != h->blocks_hash) {
        st = snap_damaged(s, e, "block table checksum mismatch");
        goto bad;
    }
    for (int i = 0; i < N_SEC; i++) {
        const struct snap_section *c = &h->sec[i];
        if (c->elem_size != snap_sec_elem[i] || c->offset < h->body_offset || c->offset % 8 ||
            c->offset > body_end || c->bytes > body_end - c->offset ||
            c->count != c->bytes / snap_sec_elem[i] || c->bytes % snap_sec_elem[i]) {
            st = snap_damaged(s, e, "section %s out of range", snap_sec_names[i]);
            goto bad;
        }
    }
    const struct snap_section *sc = h->sec;
    if (sc[SEC_PERSONS].count != h->n_persons + 1 || h->n_persons >= SNAP_NONE ||
        sc[SEC_HOUSEHOLDS].count != h->n_households || sc[SEC_INPUTS].count != SNAP_INPUTS ||
        sc[SEC_STRINGS].count < 1) {
        st = snap_damaged(s, e, "section counts disagree with the header");
        goto bad;
    }
    static const int hashes[] = {SEC_PERSON_HASH, SEC_HUKOU_HASH, SEC_HH_HASH};
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        uint64_t n = sc[hashes[i]].count;
        if (n < 16 || (n & (n - 1))) {
            st = snap_damaged(s, e, "section %s is not a hash table", snap_sec_names[hashes[i]]);
            goto bad;
        }
    }
    if ((h->si_last_month == SNAP_NO_MONTH) != (h->si_first_month == SNAP_NO_MONTH) ||
        h->si_first_month > h->si_last_month) {
        st = snap_damaged(s, e, "social-insurance months out of order");
        goto bad;
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
    free(s->ptexts);
    s->base = NULL;
    s->fd = -1;
    s->verified = NULL;
    s->ptexts = NULL;
    s->n_ptexts = 0;
    s->cat = (struct policy_text){NULL, NULL, 0};
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
            return snap_damaged(s, e, "checksum mismatch in block %llu, bytes %llu-%llu",
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
        return snap_damaged(s, e, "body checksum mismatch");
    return E_OK;
}

/* ---------- what the header says ---------- */

void snap_get_info(const struct snap *s, struct snap_info *o)
{
    const struct snap_header *h = s->h;
    memset(o, 0, sizeof *o);
    o->file_bytes = s->size;
    o->format_version = h->format_version;
    snprintf(o->engine_version, sizeof o->engine_version, "%.*s",
             (int)sizeof h->engine_version, h->engine_version);
    o->as_of = h->as_of;
    o->built_unix = (long long)h->built_unix;
    snprintf(o->policy_version, sizeof o->policy_version, "%.*s",
             (int)sizeof h->policy_version, h->policy_version);
    snprintf(o->policy_hash, sizeof o->policy_hash, "%.*s", (int)sizeof h->policy_hash,
             h->policy_hash);
    snprintf(o->policy_pack, sizeof o->policy_pack, "%.*s", (int)sizeof h->policy_pack,
             h->policy_pack);
    snprintf(o->policy_compiled, sizeof o->policy_compiled, "%.*s",
             (int)sizeof h->policy_compiled, h->policy_compiled);
    o->n_persons = h->n_persons;
    o->n_households = h->n_households;
    o->n_members = h->n_members;
    o->n_blocks = h->n_blocks;
    o->n_verified = s->n_verified;
    o->block_size = h->block_size;
    o->body_hash_hi = h->body_hash_hi;
    o->body_hash_lo = h->body_hash_lo;
    o->si_first_month = h->si_first_month;
    o->si_last_month = h->si_last_month;
    memcpy(o->si_months, h->si_months, sizeof o->si_months);
    o->n_sec = N_SEC;
    for (int i = 0; i < N_SEC; i++)
        o->sec[i] = (struct snap_sec_info){snap_sec_names[i], h->sec[i].offset,
                                           h->sec[i].bytes, h->sec[i].count};
}

_Static_assert(sizeof ((struct snap_info *)0)->si_months == SNAP_SI_MONTHS / 8,
               "snap_info holds the header's month bits");

/* Month m has an accepted social-insurance row? */
static int si_has(const struct snap_info *si, int m)
{
    if (si->si_last_month == SNAP_NO_MONTH || m > si->si_last_month || m < si->si_first_month)
        return 0;
    long long i = (long long)si->si_last_month - m;
    if (i >= (long long)SNAP_SI_MONTHS)
        return 0;   /* older than the header remembers: treated as not covered */
    return (si->si_months[i / 8] >> (i % 8)) & 1;
}

int snap_si_uncovered(const struct snap_info *si, int first, int last, int *out, int max)
{
    int open_month = date_month(si->as_of);   /* not over when the feeds were read */
    int n = 0;
    for (int m = first; m <= last; m++)
        if (m >= open_month || !si_has(si, m)) {
            if (n < max)
                out[n] = m;
            n++;
        }
    return n;
}

int snap_si_through(const struct snap_info *si)
{
    if (si->si_last_month == SNAP_NO_MONTH)
        return SNAP_NO_MONTH;
    int m = date_month(si->as_of) - 1;
    if (m > si->si_last_month)
        m = si->si_last_month;
    for (; m >= si->si_first_month && (long long)si->si_last_month - m < SNAP_SI_MONTHS; m--)
        if (si_has(si, m))
            return m;
    return SNAP_NO_MONTH;
}

/* ---------- the checked readers ---------- */

/* Rows [first, first+n) of a section, verified; NULL with e set on error. */
const void *snap_rows(struct snap *s, int sec, uint64_t first, uint64_t n, struct err *e)
{
    const struct snap_section *c = &s->h->sec[sec];
    if (first > c->count || n > c->count - first) {
        snap_damaged(s, e, "row %llu+%llu of section %s out of range (%llu rows)",
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
const char *snap_str(struct snap *s, uint32_t off, struct err *e)
{
    const struct snap_section *c = &s->h->sec[SEC_STRINGS];
    if (off >= c->bytes) {
        snap_damaged(s, e, "string offset %u out of range", off);
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
    snap_damaged(s, e, "string at offset %u is not terminated", off);
    return NULL;
}

int snap_policy_text(struct snap *s, const char **text, size_t *len, struct err *e)
{
    const struct snap_section *c = &s->h->sec[SEC_POLICY];
    const char *t = c->count ? snap_rows(s, SEC_POLICY, 0, c->count, e) : "";
    if (!t)
        return e->code;
    *text = t;
    *len = (size_t)c->count;
    return E_OK;
}

static uint32_t get_u32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The .policy files of SEC_POLICY_SRC (snap_format.h) into s->ptexts. */
static int policy_src(struct snap *s, struct err *e)
{
    const struct snap_section *c = &s->h->sec[SEC_POLICY_SRC];
    const unsigned char *t = c->count ? snap_rows(s, SEC_POLICY_SRC, 0, c->count, e) : NULL;
    if (c->count && !t)
        return e->code;
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t at = 0;
        n = 0;
        while (at < c->count) {
            if (c->count - at < 4)
                return snap_damaged(s, e, "its stored rules are cut short");
            uint32_t pl = get_u32le(t + at);
            if (pl < 2 || c->count - at - 4 < (uint64_t)pl + 4 || t[at + 4 + pl - 1] != '\0')
                return snap_damaged(s, e, "a path of its stored rules is out of range");
            const char *path = (const char *)t + at + 4;
            at += 4 + pl;
            uint32_t tl = get_u32le(t + at);
            if (c->count - at - 4 < tl)
                return snap_damaged(s, e, "a text of its stored rules is out of range");
            const char *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            if (strcmp(base, "catalogue.rules") == 0)   /* the catalogue, last */
                s->cat = (struct policy_text){path, (const char *)t + at + 4, tl};
            else if (pass == 1)
                s->ptexts[n] = (struct policy_text){path, (const char *)t + at + 4, tl};
            at += 4 + (size_t)tl;
            n += strcmp(base, "catalogue.rules") != 0;
        }
        if (pass == 0) {
            if (n == 0 || !s->cat.len)
                return snap_damaged(s, e, "it holds no rules or no rule catalogue");
            s->ptexts = calloc((size_t)n, sizeof *s->ptexts);
            if (!s->ptexts)
                return ERR(e, E_NOMEM, "out of memory while reading the snapshot's rules");
        }
    }
    s->n_ptexts = n;
    return E_OK;
}

/* policy.rules as stored in the snapshot, through an in-memory file, and
 * the rules stored beside it. */
int snap_policy_load(struct snap *s, struct policy *pol, struct err *e)
{
    const char *text = NULL;
    size_t len = 0;
    int st = snap_policy_text(s, &text, &len, e);
    if (st != E_OK)
        return st;
    char path[4200];
    int fd = memfd_create("policy.rules", MFD_CLOEXEC);
    int tmp = 0;
    if (fd >= 0) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (access(path, R_OK) != 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        const char *td = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/hedui-policy.XXXXXX", td && *td ? td : "/tmp");
        fd = mkstemp(path);
        tmp = 1;
        if (fd < 0)
            return ERR(e, E_IO, "cannot make a temporary copy of the snapshot's policy: %s",
                       strerror(errno));
    }
    size_t done = 0;
    while (done < len) {
        ssize_t k = write(fd, text + done, len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    if (done == len)
        st = policy_load(pol, path, e);
    else
        st = ERR(e, E_IO, "cannot make a copy of the snapshot's policy: %s", strerror(errno));
    if (tmp)
        unlink(path);
    close(fd);
    if (st != E_OK)
        return st;
    snprintf(pol->path, sizeof pol->path, "%.400s (policy.rules stored at build)", s->path);
    if (strncmp(pol->hash, s->h->policy_hash, sizeof s->h->policy_hash) != 0)
        return ERR(e, E_PARSE, "snapshot %s is damaged (its policy does not match its "
                               "recorded hash); build it again with 'hedui index build'",
                   s->path);
    if (!s->ptexts && (st = policy_src(s, e)) != E_OK)
        return st;
    if ((st = catalogue_accept_text(s->cat.path, s->cat.text, s->cat.len, e)) != E_OK)
        return st;
    pol->texts = s->ptexts;
    pol->n_texts = s->n_ptexts;
    return E_OK;
}

int snap_input_rows(struct snap *s, const struct sp_input **in, struct err *e)
{
    *in = snap_rows(s, SEC_INPUTS, 0, SNAP_INPUTS, e);
    return *in ? E_OK : e->code;
}

int snap_inputs(struct snap *s, struct snap_input out[N_INPUT], struct err *e)
{
    const struct sp_input *in;
    int st = snap_input_rows(s, &in, e);
    if (st != E_OK)
        return st;
    for (int f = 0; f < N_INPUT; f++) {
        struct snap_input *o = &out[f];
        memset(o, 0, sizeof *o);
        snprintf(o->checksum, sizeof o->checksum, "%.*s", (int)sizeof in[f].checksum,
                 in[f].checksum);
        snprintf(o->encoding, sizeof o->encoding, "%.*s", (int)sizeof in[f].encoding,
                 in[f].encoding);
        o->bytes = in[f].bytes;
        o->data_rows = in[f].data_rows;
        o->accepted = in[f].accepted;
        o->rejected = in[f].rejected;
        o->merged = in[f].merged;
        o->present = in[f].present != 0;
        o->from_rules = in[f].from_rules != 0;
    }
    return E_OK;
}

int snap_find_person(struct snap *s, uint64_t key, uint32_t *out, struct err *e)
{
    uint64_t cap = s->h->sec[SEC_PERSON_HASH].count;
    uint64_t j = snap_key_hash(key) & (cap - 1);
    *out = SNAP_NONE;
    for (uint64_t probe = 0; probe < cap; probe++) {
        const uint32_t *slot = snap_rows(s, SEC_PERSON_HASH, j, 1, e);
        if (!slot)
            return e->code;
        if (*slot == SNAP_NONE)
            return E_OK;
        if (*slot >= s->h->n_persons)
            return snap_damaged(s, e, "person index %u out of range", *slot);
        const struct sp_person *p = snap_rows(s, SEC_PERSONS, *slot, 1, e);
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
    uint64_t j = snap_str_hash(id) & (cap - 1);
    *out = SNAP_NONE;
    for (uint64_t probe = 0; probe < cap; probe++) {
        const uint32_t *slot = snap_rows(s, SEC_HH_HASH, j, 1, e);
        if (!slot)
            return e->code;
        if (*slot == SNAP_NONE)
            return E_OK;
        const struct sp_household *hh = snap_rows(s, SEC_HOUSEHOLDS, *slot, 1, e);
        if (!hh)
            return e->code;
        const char *hid = snap_str(s, hh->id, e);
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
int snap_find_hukou_group(struct snap *s, const char *no, uint32_t no_off, uint32_t *out,
                          struct err *e)
{
    uint64_t cap = s->h->sec[SEC_HUKOU_HASH].count;
    uint64_t j = snap_str_hash(no) & (cap - 1);
    *out = SNAP_NONE;
    for (uint64_t probe = 0; probe < cap; probe++) {
        const uint32_t *slot = snap_rows(s, SEC_HUKOU_HASH, j, 1, e);
        if (!slot)
            return e->code;
        if (*slot == SNAP_NONE)
            return E_OK;
        const struct sp_hukou *r = snap_rows(s, SEC_HUKOU, *slot, 1, e);
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
int snap_person_range(struct snap *s, uint32_t pi, int f, uint32_t *first, uint32_t *n,
                      struct err *e)
{
    const struct sp_person *p = snap_rows(s, SEC_PERSONS, pi, 2, e);
    if (!p)
        return e->code;
    uint32_t a = p[0].first[f], b = p[1].first[f];
    if (a > b || b > s->h->sec[snap_pf_sec[f]].count)
        return snap_damaged(s, e, "person %u: rows of %s out of range", pi,
                       snap_sec_names[snap_pf_sec[f]]);
    *first = a;
    *n = b - a;
    return E_OK;
}
