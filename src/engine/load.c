/* load.c - stage 1: bytes of one CSV file -> records with their line numbers.
 *
 * Owns: reading the file (pread, once where it can; mmap for the header,
 * decoding and a file parsed as one large chunk), its checksum, decoding
 * (via encoding.c), splitting into chunks, parsing, header matching and the
 * structural rejects.  Must never interpret a value (that is normalise.c) and never
 * drop a record without a reject.
 *
 * Parsing.  libcsv is the reference parser.  It is a push parser without
 * positions, so we feed it one physical (LF-terminated) line at a time;
 * before each line we note whether a record is in progress (libcsv's
 * pstate, or fields already delivered); if not, the record starts on this
 * line.  That gives the contract's "line where the record starts" even for
 * quoted fields spanning lines.  Strict mode is on: a stray quote makes
 * libcsv stop; we reject the record, drop the rest of that physical line,
 * restart the parser on the next line and go on.  A quote never closed by
 * the end of the file stops the run and names the line where it opened.
 *
 * Fast path.  A line that starts a record and holds no quote and no CR
 * (other than a final one) is split directly (load_split_simple), exactly
 * as libcsv would split it; tests/check_load.c (case "fastpath") compares
 * the two on random lines.  Everything else goes through libcsv.
 *
 * Chunks (the PARALLELISM of this stage).  Phase 1 parses the header.
 * Phase 2 cuts the data into segments and counts quotes and LFs in each
 * (in parallel); the prefix parity of quotes tells where a segment's first
 * LF outside quotes is, and that is a chunk start; the prefix LF count
 * gives its line number.  Phase 3 parses the chunks in parallel, each with
 * its own libcsv parser, handing rows and rejects to per-chunk contexts
 * that the caller merges in chunk order.  Doubled quotes keep the parity
 * right; a stray quote does not, so every chunk but the last must end
 * outside a record: if one does not, the boundaries were wrong and the
 * file is parsed again as one chunk.  Either way the result is the one a
 * sequential parse gives, at any thread count.
 *
 * Reading.  A file is read once (single_read): phases 2 and 3 and the
 * checksum take turns on each wave of segments, in a buffer per segment,
 * so every byte is brought in by one pread and looked at while it is
 * cached.  What a wave cannot settle (bytes that are not UTF-8, a quoted
 * field across a whole segment, a stray quote) sends the file back, from
 * the start, to the classic path (load_classic), which bytes in memory
 * take too: the prescan with the checksum beside it, then the parse, each
 * reading the file.
 */
#include "engine/load.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH3_state_t on the stack */
#include <xxhash.h>
#if defined(__x86_64__) && defined(__has_include)
#if __has_include(<xxh_x86dispatch.h>)
/* the checksum through libxxhash's run-time dispatch (AVX2 or AVX-512 where
 * the CPU has them, SSE2 else): the same hash in half the instructions */
#include <xxh_x86dispatch.h>
#endif
#endif
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LOAD_AVX2 1   /* scan_line and count_qlc have AVX2 versions, picked at run time */
#endif

#define MAX_COLS 256
#define MAX_CHUNKS 256
#define LOAD_PARSE_BUF_MAX ((size_t)64 << 20)   /* per thread; larger chunks stay mapped */

struct rec {
    char *buf;                 /* field bytes, each NUL-terminated */
    size_t len, cap;
    size_t off[MAX_COLS];
    size_t flen[MAX_COLS];
    int nf;                    /* fields delivered so far */
    int overflow;              /* more than MAX_COLS fields */
    int too_long;              /* a field over LOAD_MAX_FIELD */
};

/* The header, shared read-only by all chunks. */
struct header {
    int n_header;
    int colmap[MAX_COLS];      /* spec col i -> field index */
};

/* One parser over one range of lines. */
struct parser {
    struct dataset *d;
    const struct load_spec *spec;
    const char *path;
    void *ctx;                 /* row context */
    int use_chunk_reject;
    struct err e;
    int status;
    struct rec r;
    long long rec_start;       /* line where the current record started */
    long long cur_line;
    struct header *hdr;
    int header_mode;           /* the first record is the header */
    int header_done;
    const long long *bad_lines;
    size_t n_bad, bad_i;
    long long data_rows;
    int in_record;             /* at the end of the range */
    long long bad_line;        /* first undecodable line of the current record, 0 if none */
    size_t bad_byte;           /* 1-based byte within that line */
    int text_is_utf8;          /* bad lines hold UTF-8-invalid bytes (not GB18030 ones) */
    long long first_line;      /* of the range */
};

static void rec_clear(struct rec *r)
{
    r->len = 0;
    r->nf = 0;
    r->overflow = 0;
    r->too_long = 0;
}

static void rec_add(struct parser *P, const char *s, size_t len)
{
    struct rec *r = &P->r;
    if (P->status != E_OK)
        return;
    if (r->nf >= MAX_COLS) {
        r->overflow = 1;
        r->nf++;
        return;
    }
    if (len > LOAD_MAX_FIELD) {
        r->too_long = 1;
        len = 0;   /* keep the count, not the bytes: memory stays bounded */
    }
    if (r->len + len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + len + 1)
            cap *= 2;
        char *p = realloc(r->buf, cap);
        if (!p) {
            P->status = ERR(&P->e, E_NOMEM, "out of memory while reading %s", P->path);
            return;
        }
        r->buf = p;
        r->cap = cap;
    }
    if (len)
        memcpy(r->buf + r->len, s, len);
    r->buf[r->len + len] = '\0';
    r->off[r->nf] = r->len;
    r->flen[r->nf] = len;
    r->len += len + 1;
    r->nf++;
}

static void on_field(void *s, size_t len, void *data)
{
    rec_add(data, s, len);
}

/* Does any line in [from, to] fail to decode? */
static int has_bad_line(struct parser *P, long long from, long long to)
{
    while (P->bad_i < P->n_bad && P->bad_lines[P->bad_i] < from)
        P->bad_i++;
    return P->bad_i < P->n_bad && P->bad_lines[P->bad_i] <= to;
}

static int reject(struct parser *P, long long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int reject(struct parser *P, long long line, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (P->use_chunk_reject)
        return P->spec->chunk_reject(P->ctx, line, buf, &P->e);
    return dataset_reject(P->d, P->spec->file, line, &P->e, "%s", buf);
}

/* A record after the header on the header's own physical line (a CR
 * without LF ended the header): the data is parsed from the next line on,
 * so such a record is rejected here. */
#define HEADER_LINE_REJECT                                                          \
    "record on the header's line (a CR without LF ends a record); "                \
    "save the file with LF or CRLF line endings"

/* ---------- the header row, and what the first line is if not one ----------
 *
 * Nothing of a first line that is not a header of ours is ever put into a
 * message: a feed without its header row would show a full ID number, a
 * file that is not one of our CSVs (a symbolic link to a system file) a
 * line of it.  A header that is ours but drifted (a column renamed) is
 * shown, each field only if it looks like a column name. */

/* Is one header field column-name-like: ASCII letters, digits, '_', ' ',
 * '-', '.', starting with a letter or '_', at most 64 bytes? */
static int name_like(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == ' ' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

static int is_column(const struct load_spec *sp, const char *s, size_t len)
{
    for (int i = 0; i < sp->n_cols; i++)
        if (strlen(sp->cols[i]) == len && memcmp(sp->cols[i], s, len) == 0)
            return 1;
    return 0;
}

/* The contract's columns of this file, "a, b, c" (cut with "..."). */
static void expected_cols(const struct load_spec *sp, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < sp->n_cols && len + 4 < n; i++) {
        int w = snprintf(out + len, n - len, "%s%s", i ? ", " : "", sp->cols[i]);
        if (w < 0 || (size_t)w >= n - len) {
            snprintf(out + (n > 4 ? n - 4 : 0), 4, "...");
            break;
        }
        len += (size_t)w;
    }
}

/* The header record came out as one field: is it our header with another
 * separator?  The separator's name, or NULL. */
static const char *other_separator(const struct load_spec *sp, const char *f)
{
    static const struct {
        char c;
        const char *name;
    } seps[] = {{';', "';' (semicolon)"}, {'\t', "TAB"}, {'|', "'|'"}};
    for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
        if (!strchr(f, seps[k].c))
            continue;
        int hits = 0;
        for (const char *p = f;;) {
            const char *q = strchr(p, seps[k].c);
            size_t len = q ? (size_t)(q - p) : strlen(p);
            while (len && (p[len - 1] == ' ' || p[len - 1] == '\r'))
                len--;
            while (len && *p == ' ') {
                p++;
                len--;
            }
            hits += is_column(sp, p, len);
            if (!q)
                break;
            p = q + 1;
        }
        if (hits > 0)
            return seps[k].name;
    }
    return NULL;
}

/* Does a record that names no column look like data (digits, letters
 * outside ASCII: IDs, dates, amounts, names)? */
static int looks_like_data(const struct rec *r)
{
    for (int j = 0; j < r->nf && j < MAX_COLS; j++)
        for (const unsigned char *p = (const unsigned char *)r->buf + r->off[j]; *p; p++)
            if ((*p >= '0' && *p <= '9') || *p >= 0x80)
                return 1;
    return 0;
}

static int do_header(struct parser *P)
{
    struct rec *r = &P->r;
    const struct load_spec *sp = P->spec;
    struct header *h = P->hdr;
    if (r->overflow)
        return ERR(&P->e, E_PARSE, "%s has more than %d columns in its header", P->path,
                   MAX_COLS);
    h->n_header = r->nf;
    char missing[400] = "";
    size_t mlen = 0;
    for (int i = 0; i < sp->n_cols; i++) {
        h->colmap[i] = -1;
        for (int j = 0; j < r->nf; j++) {
            if (strcmp(r->buf + r->off[j], sp->cols[i]) == 0) {
                h->colmap[i] = j;
                break;
            }
        }
        if (h->colmap[i] < 0 && mlen < sizeof missing - 1)
            mlen += (size_t)snprintf(missing + mlen, sizeof missing - mlen, "%s%s",
                                     mlen ? ", " : "", sp->cols[i]);
    }
    if (mlen) {
        int named = 0;
        for (int j = 0; j < r->nf; j++)
            named += is_column(sp, r->buf + r->off[j], r->flen[j]);
        char want[400];
        expected_cols(sp, want, sizeof want);
        const char *fname = input_file_names[sp->file];
        err_where(&P->e, P->path, P->rec_start, 0);
        const char *sep = r->nf == 1 ? other_separator(sp, r->buf + r->off[0]) : NULL;
        if (sep)
            return ERR(&P->e, E_PARSE,
                       "the header row is separated by %s, not by commas: save %s as "
                       "comma-separated CSV (in Excel or WPS: \"CSV UTF-8 (comma delimited)\")",
                       sep, fname);
        if (named == 0 && looks_like_data(r))
            return ERR(&P->e, E_PARSE,
                       "line %lld looks like a data row, not the header row of %s (no header "
                       "row?); the file must start with the header: %s",
                       P->rec_start, fname, want);
        if (named == 0)
            return ERR(&P->e, E_PARSE,
                       "line %lld is not a header row of %s: none of its %d field(s) is a "
                       "column of the data contract (is this the right file?); the file must "
                       "start with the header: %s",
                       P->rec_start, fname, r->nf, want);
        char found[400] = "";
        size_t flen = 0;
        for (int j = 0; j < r->nf && flen < sizeof found - 1; j++) {
            const char *f = r->buf + r->off[j];
            flen += (size_t)snprintf(found + flen, sizeof found - flen, "%s%s",
                                     j ? ", " : "", name_like(f) ? f : "?");
        }
        return ERR(&P->e, E_PARSE,
                   "missing column(s): %s; the header has: %s; "
                   "see the data contract for the expected columns", missing, found);
    }
    P->header_done = 1;
    return E_OK;
}

static void on_row(int c, void *data)
{
    struct parser *P = data;
    struct rec *r = &P->r;
    (void)c;
    if (P->status != E_OK) {
        rec_clear(r);
        return;
    }
    if (P->header_mode && !P->header_done) {
        P->status = do_header(P);
        rec_clear(r);
        return;
    }
    const struct load_spec *sp = P->spec;
    P->data_rows++;
    int st = E_OK;
    if (P->header_mode) {
        st = reject(P, P->rec_start, HEADER_LINE_REJECT);
    } else if (has_bad_line(P, P->rec_start, P->cur_line)) {
        if (P->bad_line && P->text_is_utf8)
            st = reject(P, P->rec_start, "bad encoding at line %lld byte %zu: bytes that are "
                        "neither UTF-8 nor GB18030", P->bad_line, P->bad_byte);
        else
            st = reject(P, P->rec_start, "bad encoding: bytes that are neither UTF-8 nor GB18030");
    } else if (r->overflow || r->nf != P->hdr->n_header) {
        st = reject(P, P->rec_start, "wrong column count: %d fields, header has %d", r->nf,
                    P->hdr->n_header);
    } else if (r->too_long) {
        st = reject(P, P->rec_start, "field longer than %d bytes", LOAD_MAX_FIELD);
    } else {
        const char *vals[MAX_COLS];
        size_t lens[MAX_COLS];
        for (int i = 0; i < sp->n_cols; i++) {
            vals[i] = r->buf + r->off[P->hdr->colmap[i]];
            lens[i] = r->flen[P->hdr->colmap[i]];
        }
        st = sp->row(P->ctx, vals, lens, P->rec_start, &P->e);
    }
    if (st != E_OK)
        P->status = st;
    rec_clear(r);
}

/* ---- the fast path's line scanner ----
 *
 * scan_line() looks at a line once, 32 bytes at a time in one register
 * where the CPU has AVX2 (else two of SSE2, every x86-64), then 16, for
 * the bytes that matter to a quote-free line:
 * LF (its end), commas (field ends), quotes and CRs (which send the line
 * to libcsv), spaces and tabs (which libcsv trims at the ends of a field:
 * a line without any needs no trimming).  It never reads past s + avail. */
struct linescan {
    size_t len;          /* bytes before the LF (all of avail if none) */
    int has_lf;
    int has_ws;          /* a space or tab before the LF */
    size_t special;      /* offset of the first quote or CR, or SIZE_MAX */
    int n_commas;        /* all of them; the first `max` are in commas[] */
};

#define SCAN_NONE ((size_t)-1)

static inline void scan_byte(char ch, size_t k, struct linescan *ls, size_t *commas, int max)
{
    if (ch == ',') {
        if (ls->n_commas < max)
            commas[ls->n_commas] = k;
        ls->n_commas++;
    } else if (ch == ' ' || ch == '\t') {
        ls->has_ws = 1;
    } else if ((ch == '"' || ch == '\r') && ls->special == SCAN_NONE) {
        ls->special = k;
    }
}

#ifdef __SSE2__
/* The masks of one 16-byte block: LF, comma, quote or CR, space or tab. */
static inline void scan16(const char *p, unsigned *lf, unsigned *comma, unsigned *sp,
                          unsigned *ws)
{
    const __m128i v_lf = _mm_set1_epi8('\n'), v_comma = _mm_set1_epi8(','),
                  v_quote = _mm_set1_epi8('"'), v_cr = _mm_set1_epi8('\r'),
                  v_space = _mm_set1_epi8(' '), v_tab = _mm_set1_epi8('\t');
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
    *lf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, v_lf));
    *comma = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, v_comma));
    *sp = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(b, v_quote), _mm_cmpeq_epi8(b, v_cr)));
    *ws = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(b, v_space), _mm_cmpeq_epi8(b, v_tab)));
}

/* Take in the masks of the `width` bytes at offset k; 1 when they hold the
 * line's LF (ls->len set). */
static inline int scan_masks(uint32_t m_lf, uint32_t m_comma, uint32_t m_sp, uint32_t m_ws,
                             size_t k, struct linescan *ls, size_t *commas, int max)
{
    uint32_t below = m_lf ? (m_lf & (0u - m_lf)) - 1 : 0xFFFFFFFFu;   /* bytes before the LF */
    m_comma &= below;
    m_sp &= below;
    if (m_sp && ls->special == SCAN_NONE)
        ls->special = k + (size_t)__builtin_ctz(m_sp);
    if (m_ws & below)
        ls->has_ws = 1;
    while (m_comma) {
        if (ls->n_commas < max)
            commas[ls->n_commas] = k + (size_t)__builtin_ctz(m_comma);
        ls->n_commas++;
        m_comma &= m_comma - 1;
    }
    if (m_lf) {
        ls->len = k + (size_t)__builtin_ctz(m_lf);
        ls->has_lf = 1;
        return 1;
    }
    return 0;
}
#endif

/* scan_line from byte k on: 16 bytes at a time, then one. */
static inline void scan_rest(const char *s, size_t avail, size_t k, size_t *commas, int max,
                             struct linescan *ls)
{
#ifdef __SSE2__
    unsigned lf0, co0, sp0, ws0;
    for (; k + 16 <= avail; k += 16) {
        scan16(s + k, &lf0, &co0, &sp0, &ws0);
        if (scan_masks(lf0, co0, sp0, ws0, k, ls, commas, max))
            return;
    }
#endif
    for (; k < avail; k++) {
        if (s[k] == '\n') {
            ls->len = k;
            ls->has_lf = 1;
            return;
        }
        scan_byte(s[k], k, ls, commas, max);
    }
    ls->len = avail;
}

#ifdef LOAD_AVX2
/* scan_line's 32-byte blocks in one AVX2 register each */
__attribute__((target("avx2"))) static void scan_line_avx2(const char *s, size_t avail,
                                                             size_t *commas, int max,
                                                             struct linescan *ls)
{
    const __m256i v_lf = _mm256_set1_epi8('\n'), v_comma = _mm256_set1_epi8(','),
                  v_quote = _mm256_set1_epi8('"'), v_cr = _mm256_set1_epi8('\r'),
                  v_space = _mm256_set1_epi8(' '), v_tab = _mm256_set1_epi8('\t');
    size_t k = 0;
    for (; k + 32 <= avail; k += 32) {
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(s + k));
        uint32_t lf = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, v_lf));
        uint32_t co = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, v_comma));
        uint32_t sp = (uint32_t)_mm256_movemask_epi8(
            _mm256_or_si256(_mm256_cmpeq_epi8(b, v_quote), _mm256_cmpeq_epi8(b, v_cr)));
        uint32_t ws = (uint32_t)_mm256_movemask_epi8(
            _mm256_or_si256(_mm256_cmpeq_epi8(b, v_space), _mm256_cmpeq_epi8(b, v_tab)));
        if (scan_masks(lf, co, sp, ws, k, ls, commas, max))
            return;
    }
    scan_rest(s, avail, k, commas, max, ls);
}
#endif

static void scan_line(const char *s, size_t avail, size_t *commas, int max, struct linescan *ls)
{
    ls->has_lf = 0;
    ls->has_ws = 0;
    ls->special = SCAN_NONE;
    ls->n_commas = 0;
#ifdef LOAD_AVX2
    if (__builtin_cpu_supports("avx2")) {
        scan_line_avx2(s, avail, commas, max, ls);
        return;
    }
#endif
    size_t k = 0;
#ifdef __SSE2__
    unsigned lf0, co0, sp0, ws0, lf1, co1, sp1, ws1;
    for (; k + 32 <= avail; k += 32) {
        scan16(s + k, &lf0, &co0, &sp0, &ws0);
        scan16(s + k + 16, &lf1, &co1, &sp1, &ws1);
        if (scan_masks(lf0 | lf1 << 16, co0 | co1 << 16, sp0 | sp1 << 16, ws0 | ws1 << 16, k,
                       ls, commas, max))
            return;
    }
#endif
    scan_rest(s, avail, k, commas, max, ls);
}

/* Fields of a scanned line of `len` bytes (final CR already removed):
 * n_commas commas, of which commas[] holds at least the first max.  Fills
 * the first max fields, trimmed of spaces and tabs at both ends as libcsv
 * trims them, and returns the field count (0 for a blank line).  has_ws 0
 * says the line holds no space or tab: then nothing is trimmed and the
 * fields are just the bytes between the commas. */
static int split_at_commas(const char *line, size_t len, const size_t *commas, int n_commas,
                           int has_ws, size_t *starts, size_t *lens, int max)
{
    if (!has_ws) {
        if (n_commas == 0 && len == 0)
            return 0;   /* blank: libcsv reports no row */
        size_t fs = 0;
        int f = 0;
        for (; f < n_commas && f < max; f++) {
            starts[f] = fs;
            lens[f] = commas[f] - fs;
            fs = commas[f] + 1;
        }
        if (f < max) {
            starts[f] = fs;
            lens[f] = len - fs;
        }
        return n_commas + 1;
    }
    if (n_commas == 0) {
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            return 0;   /* blank: libcsv reports no row */
    }
    size_t fs = 0;
    for (int f = 0; f <= n_commas && f < max; f++) {
        size_t fe = f < n_commas ? commas[f] : len;
        size_t a = fs, b = fe;
        while (a < b && (line[a] == ' ' || line[a] == '\t'))
            a++;
        while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
            b--;
        starts[f] = a;
        lens[f] = b - a;
        fs = fe + 1;
    }
    return n_commas + 1;
}

int load_split_simple(const char *line, size_t len, size_t *starts, size_t *lens, int max)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    size_t commas[MAX_COLS + 1];
    if (max > MAX_COLS + 1)
        max = MAX_COLS + 1;
    struct linescan ls;
    scan_line(line, len, commas, max, &ls);
    if (ls.special != SCAN_NONE || ls.has_lf)
        return -1;
    return split_at_commas(line, len, commas, ls.n_commas, ls.has_ws, starts, lens, max);
}

/* Hand a quote-free line straight to on_row(): one copy of the line into
 * the record buffer, with a NUL written after each (trimmed) field.
 * Returns 0 when the line needs libcsv after all (a quote or an inner CR). */
static int fast_line(struct parser *P, const char *s, const struct linescan *ls,
                     const size_t *commas)
{
    size_t len = ls->len;
    if (ls->special != SCAN_NONE) {
        if (s[ls->special] != '\r' || ls->special != len - 1)
            return 0;
        len--;   /* one CR, the line's last byte: CRLF */
    }
    struct rec *r = &P->r;
    int nc = ls->n_commas;
    if (nc + 1 > MAX_COLS) {
        /* more fields than a record may have: rejected by on_row() */
        r->overflow = 1;
        r->nf = nc + 1;
        on_row(0, P);
        return 1;
    }
    /* the fields straight into the record's offsets and lengths */
    int k = split_at_commas(s, len, commas, nc, ls->has_ws, r->off, r->flen, MAX_COLS);
    if (k == 0)
        return 1;   /* blank line: no record */
    if (len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < len + 1)
            cap *= 2;
        char *p = realloc(r->buf, cap);
        if (!p) {
            P->status = ERR(&P->e, E_NOMEM, "out of memory while reading %s", P->path);
            return 1;
        }
        r->buf = p;
        r->cap = cap;
    }
    memcpy(r->buf, s, len);
    if (len > LOAD_MAX_FIELD) {   /* else no field of the line can be too long */
        for (int i = 0; i < k; i++) {
            if (r->flen[i] > LOAD_MAX_FIELD) {
                r->too_long = 1;   /* rejected by on_row() */
                r->flen[i] = 0;
            }
        }
    }
    for (int i = 0; i < k; i++)
        r->buf[r->off[i] + r->flen[i]] = '\0';
    r->buf[len] = '\0';
    r->len = len + 1;
    r->nf = k;
    on_row(0, P);
    return 1;
}

/* Parse the lines of [s, end), the first being line `line0`.  In header
 * mode stop after the first record and return where the data starts. */
static void parse_range(struct parser *P, const char *s, const char *end, long long line0,
                        const char **data_start, long long *data_line)
{
    struct csv_parser p;
    const unsigned char opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;
    if (csv_init(&p, opts) != 0) {
        P->status = ERR(&P->e, E_NOMEM, "out of memory while starting the CSV parser");
        return;
    }
    size_t commas[MAX_COLS];
    struct linescan ls;
    long long line = line0 - 1;
    int in_record = 0;
    while (s < end && P->status == E_OK) {
        if (P->header_mode && P->header_done) {
            if (in_record) {
                P->data_rows++;
                P->status = reject(P, P->rec_start, HEADER_LINE_REJECT);
            }
            *data_start = s;
            *data_line = line + 1;
            break;
        }
        const char *nl;
        size_t n;
        if (!in_record) {
            /* a record starts here: find the line's end, its commas and
             * whether it can take the fast path, in one look */
            scan_line(s, (size_t)(end - s), commas, MAX_COLS, &ls);
            nl = ls.has_lf ? s + ls.len : NULL;
            n = ls.len + (size_t)ls.has_lf;
        } else {
            nl = memchr(s, '\n', (size_t)(end - s));
            n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        }
        line++;
        P->cur_line = line;
        if (!in_record)
            P->rec_start = line;
        if (n > LOAD_MAX_LINE && !(P->header_mode && !P->header_done)) {
            /* Never hand libcsv a line it would buffer whole: reject the
             * record now, so memory stays bounded whatever the input. */
            P->data_rows++;
            P->status = reject(P, P->rec_start, "line %lld longer than %d bytes", line,
                               LOAD_MAX_LINE);
            if (in_record) {
                csv_free(&p);
                if (csv_init(&p, opts) != 0) {
                    P->status = ERR(&P->e, E_NOMEM, "out of memory while restarting the CSV parser");
                    break;
                }
                rec_clear(&P->r);
                in_record = 0;
            }
            s += n;
            continue;
        }
        if (!in_record)
            P->bad_line = 0;
        if (P->n_bad && P->bad_line == 0 && has_bad_line(P, line, line)) {
            /* where in the line: the first byte that is not UTF-8 */
            P->bad_line = line;
            P->bad_byte = utf8_valid_prefix((const unsigned char *)s, n) + 1;
        }
        if (!in_record && fast_line(P, s, &ls, commas)) {
            s += n;
            continue;
        }
        size_t used = csv_parse(&p, s, n, on_field, on_row, P);
        if (P->status != E_OK)
            break;
        if (used != n) {
            int perr = csv_error(&p);
            if (perr != CSV_EPARSE) {
                P->status = ERR(&P->e, E_NOMEM, "CSV parser failed on %s line %lld: %s",
                                P->path, line, csv_strerror(perr));
                break;
            }
            if (P->header_mode && !P->header_done) {
                err_where(&P->e, P->path, line, (int)used + 1);
                P->status = ERR(&P->e, E_PARSE, "malformed quoting in the header row");
                break;
            }
            /* A malformed quote: reject the record, skip to the next line. */
            P->data_rows++;
            P->status = reject(P, P->rec_start,
                               "malformed quoting at line %lld column %zu "
                               "(a quote inside an unquoted field or after a closing quote)",
                               line, used + 1);
            csv_free(&p);
            if (csv_init(&p, opts) != 0) {
                P->status = ERR(&P->e, E_NOMEM, "out of memory while restarting the CSV parser");
                break;
            }
            rec_clear(&P->r);
            in_record = 0;
            s += n;
            continue;
        }
        in_record = p.pstate != 0 || P->r.nf > 0;
        s += n;
    }
    if (P->header_mode && P->header_done && s >= end && P->status == E_OK) {
        *data_start = end;
        *data_line = line + 1;
        if (in_record) {
            P->data_rows++;
            P->status = reject(P, P->rec_start, HEADER_LINE_REJECT);
            in_record = 0;
        }
    }
    P->in_record = in_record;
    if (P->status == E_OK && in_record && s >= end) {
        /* end of the range inside a record: only the last range may end so,
         * and only libcsv's fini can tell a final unterminated line (fine)
         * from an open quote (fatal). */
        if (csv_fini(&p, on_field, on_row, P) != 0) {
            P->in_record = 2;  /* open quote */
        } else {
            P->in_record = 0;
        }
    }
    csv_free(&p);
}

size_t load_chunk_bytes(void)
{
    const char *v = getenv("HEDUI_CHUNK_BYTES");
    if (v && *v) {
        long long x = atoll(v);
        if (x >= 16)
            return (size_t)x;
    }
    return (size_t)8 << 20;
}

static void drop_pages(const void *p, size_t n, int is_map);

/* Occurrences of byte c in s[0..n): eight bytes at a time.  For each byte
 * of x = word ^ (c repeated), the high bit of ~(((x & 0x7f..) + 0x7f..) |
 * x | 0x7f..) is set exactly when that byte is zero. */
static long long count_byte(const char *s, size_t n, char c)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
    const uint64_t rep = 0x0101010101010101ULL * (unsigned char)c;
    long long total = 0;
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t w;
        memcpy(&w, s + k, 8);
        uint64_t x = w ^ rep;
        uint64_t t = ~(((x & lo7) + lo7) | x | lo7);
        /* one bit per byte at most: sum the bytes with a multiply */
        total += (long long)(((t >> 7) * 0x0101010101010101ULL) >> 56);
    }
    for (; k < n; k++)
        total += s[k] == c;
    return total;
}

/* ---- the prescan: one look at the bytes before they are parsed ----
 *
 * The text is cut just after LFs into segments (an LF is never inside a
 * UTF-8 sequence).  Each segment is read once, in parallel, in blocks small
 * enough to stay in the core's cache (pread into a buffer of the thread,
 * struct bytes below) while they are checked for UTF-8 and their quotes,
 * LFs and bare CRs counted.  The counts, summed in order, give every
 * segment start's quote parity, line number and bare-CR count, which is
 * all the chunking below needs.  On the classic path the file is read
 * three times in all: the checksum, this look and the parse (each chunk
 * into a buffer of its thread); the single read below does all three on
 * one read. */
#define PRESCAN_BLOCK ((size_t)64 << 10)

struct prescan {
    int ns;                         /* segments */
    size_t at[MAX_CHUNKS + 1];      /* segment i is [at[i], at[i+1]) */
    long long quotes[MAX_CHUNKS], lfs[MAX_CHUNKS], bare_crs[MAX_CHUNKS];
    int utf8_ok;                    /* the whole text is valid UTF-8 (when checked) */
};

#ifdef LOAD_AVX2
/* count_qlc's blocks of 32 bytes; returns the bytes counted (a multiple of 32) */
__attribute__((target("avx2"))) static size_t count_qlc_avx2(const char *s, size_t n,
                                                               long long *q, long long *lf,
                                                               long long *cr)
{
    const __m256i v_q = _mm256_set1_epi8('"'), v_lf = _mm256_set1_epi8('\n'),
                  v_cr = _mm256_set1_epi8('\r'), zero = _mm256_setzero_si256();
    long long nq = 0, nl = 0, nr = 0;
    size_t k = 0;
    while (n - k >= 32) {
        __m256i aq = zero, al = zero, ar = zero;
        size_t steps = (n - k) / 32;
        if (steps > 255)
            steps = 255;
        for (size_t i = 0; i < steps; i++, k += 32) {
            __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(s + k));
            aq = _mm256_sub_epi8(aq, _mm256_cmpeq_epi8(b, v_q));
            al = _mm256_sub_epi8(al, _mm256_cmpeq_epi8(b, v_lf));
            ar = _mm256_sub_epi8(ar, _mm256_cmpeq_epi8(b, v_cr));
        }
        /* four 64-bit sums in each */
        __m256i sq = _mm256_sad_epu8(aq, zero), sl = _mm256_sad_epu8(al, zero),
                sr = _mm256_sad_epu8(ar, zero);
        __m256i t = _mm256_add_epi64(_mm256_add_epi64(sq, _mm256_slli_epi64(sl, 21)),
                                     _mm256_slli_epi64(sr, 42));
        uint64_t u[4];
        _mm256_storeu_si256((__m256i *)(void *)u, t);
        uint64_t all = u[0] + u[1] + u[2] + u[3];   /* each sum < 2^21: 255 * 32 */
        nq += (long long)(all & 0x1FFFFF);
        nl += (long long)((all >> 21) & 0x1FFFFF);
        nr += (long long)(all >> 42);
    }
    *q = nq;
    *lf = nl;
    *cr = nr;
    return k;
}
#endif

/* Quotes, LFs and CRs in s[0..n). */
static void count_qlc(const char *s, size_t n, long long *q, long long *lf, long long *cr)
{
    long long nq = 0, nl = 0, nr = 0;
    size_t k = 0;
#ifdef LOAD_AVX2
    if (n >= 32 && __builtin_cpu_supports("avx2")) {
        k = count_qlc_avx2(s, n, &nq, &nl, &nr);
        s += k;
        n -= k;
        k = 0;
    }
#endif
#ifdef __SSE2__
    const __m128i v_q = _mm_set1_epi8('"'), v_lf = _mm_set1_epi8('\n'),
                  v_cr = _mm_set1_epi8('\r'), zero = _mm_setzero_si128();
    while (n - k >= 16) {
        /* byte counters, at most 255 steps before they are summed */
        __m128i aq = zero, al = zero, ar = zero;
        size_t steps = (n - k) / 16;
        if (steps > 255)
            steps = 255;
        for (size_t i = 0; i < steps; i++, k += 16) {
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
            aq = _mm_sub_epi8(aq, _mm_cmpeq_epi8(b, v_q));
            al = _mm_sub_epi8(al, _mm_cmpeq_epi8(b, v_lf));
            ar = _mm_sub_epi8(ar, _mm_cmpeq_epi8(b, v_cr));
        }
        __m128i sq = _mm_sad_epu8(aq, zero), sl = _mm_sad_epu8(al, zero),
                sr = _mm_sad_epu8(ar, zero);
        nq += _mm_cvtsi128_si32(sq) + _mm_extract_epi16(sq, 4);
        nl += _mm_cvtsi128_si32(sl) + _mm_extract_epi16(sl, 4);
        nr += _mm_cvtsi128_si32(sr) + _mm_extract_epi16(sr, 4);
    }
#endif
    for (; k < n; k++) {
        nq += s[k] == '"';
        nl += s[k] == '\n';
        nr += s[k] == '\r';
    }
    *q = nq;
    *lf = nl;
    *cr = nr;
}

void load_count_qlc(const char *s, size_t n, long long *q, long long *lf, long long *cr)
{
    count_qlc(s, n, q, lf, cr);
}

/* Bare CRs (not followed by LF) in s[a..b) of a text of n bytes: a CR may
 * be followed by the next segment's first byte, or end the text. */
static long long bare_crs_in(const char *s, size_t a, size_t b, size_t n)
{
    long long total = 0;
    for (const char *p = s + a, *e = s + b; p < e && (p = memchr(p, '\r', (size_t)(e - p))); p++)
        total += (size_t)(p - s) + 1 == n || p[1] != '\n';
    return total;
}

/* Where the prescan and the checksum read the bytes: memory (converted
 * text, load_csv_mem), or a file read with pread() into a small buffer of
 * the reading thread.  The first looks at a file never touch its mapping:
 * on a VM a first touch of a mapped page costs about four times the copy
 * (XXH3 over the 804 MB social_insurance.csv: 0.51-0.65 s through a fresh
 * mapping, 0.13-0.15 s in 1 MiB preads), and the pages the prescan would
 * map had to be dropped again before the parse anyway. */
struct bytes {
    const char *mem;   /* the bytes, or NULL: read fd */
    int fd;
    off_t base;        /* file offset of byte 0 (after a BOM) */
    size_t n;
};

/* b->bytes [a, a + len) into buf (or a pointer into memory); 0, or an errno. */
static int bytes_get(const struct bytes *b, size_t a, size_t len, char *buf, const char **out)
{
    if (b->mem) {
        *out = b->mem + a;
        return 0;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(b->fd, buf + got, len - got, b->base + (off_t)(a + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0)
            return EIO;   /* the file shrank while being read */
        got += (size_t)r;
    }
    *out = buf;
    return 0;
}

/* The first LF at or after a, plus one, or n (reads a few KiB). */
static int bytes_after_lf(const struct bytes *b, size_t a, char *buf, size_t *at)
{
    const size_t step = 4096;
    for (; a < b->n; a += step) {
        size_t k = b->n - a < step ? b->n - a : step;
        const char *p = NULL;
        int er = bytes_get(b, a, k, buf, &p);
        if (er)
            return er;
        const char *q = memchr(p, '\n', k);
        if (q) {
            *at = a + (size_t)(q - p) + 1;
            return 0;
        }
    }
    *at = b->n;
    return 0;
}

/* XXH3-128 of the whole of b (the file from offset 0), streamed. */
static int checksum_bytes(const struct bytes *b, XXH128_hash_t *h)
{
    const size_t piece = (size_t)1 << 20;
    if (b->mem) {
        *h = XXH3_128bits(b->mem, b->n);
        return 0;
    }
    char *buf = malloc(piece);
    if (!buf)
        return ENOMEM;
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_128bits_reset(&st);
    int er = 0;
    for (size_t a = 0; a < b->n && !er; a += piece) {
        size_t k = b->n - a < piece ? b->n - a : piece;
        const char *p = NULL;
        er = bytes_get(b, a, k, buf, &p);
        if (!er)
            XXH3_128bits_update(&st, p, k);
    }
    free(buf);
    *h = XXH3_128bits_digest(&st);
    return er;
}

/* The prescan of the bytes s (n of them), segment by segment in parallel.
 * With hash set, one thread first computes the checksum of `whole` (a
 * sequential stream, the same bytes at any thread count) while the others
 * start on the segments, then joins them.  0, or an errno (ENOMEM, or the
 * file's read error). */
static int prescan_run(const struct bytes *s, int check_utf8, struct prescan *ps,
                       const struct bytes *whole, XXH128_hash_t *hash)
{
    size_t n = s->n;
    size_t seg = load_chunk_bytes();
    if (n / seg >= MAX_CHUNKS)
        seg = n / MAX_CHUNKS + 1;
    int T = omp_get_max_threads();
    /* a block, the up to 3 bytes of a UTF-8 sequence cut by the block
     * before it, and the byte after it (a CR's neighbour) */
    size_t bsz = PRESCAN_BLOCK + 8;
    char *bufs = s->mem ? NULL : malloc((size_t)T * bsz);
    if (!s->mem && !bufs)
        return ENOMEM;
    int io = 0;
    ps->ns = 0;
    ps->at[0] = 0;
    for (size_t a = seg; a < n && ps->ns + 1 < MAX_CHUNKS; a = ps->at[ps->ns] + seg) {
        size_t b;
        if ((io = bytes_after_lf(s, a, bufs, &b)) != 0)
            break;
        if (b >= n)
            break;
        ps->at[++ps->ns] = b;
    }
    ps->at[++ps->ns] = n;
    int ok = 1, hash_err = 0;
    int seg_err[MAX_CHUNKS] = {0};   /* each segment's read error */
    if (!io) {
#pragma omp parallel reduction(&& : ok) if (ps->ns > 1)
        {
            char *buf = bufs ? bufs + (size_t)omp_get_thread_num() * bsz : NULL;
            if (hash) {
#pragma omp single nowait
                hash_err = checksum_bytes(whole, hash);
            }
#pragma omp for schedule(dynamic, 1) nowait
            for (int i = 0; i < ps->ns; i++) {
                size_t a = ps->at[i], e = ps->at[i + 1], pos = a;
                long long q = 0, lf = 0, bare = 0;
                int seg_ok = 1;
                for (size_t b = a; b < e; b += PRESCAN_BLOCK) {
                    size_t be = e - b < PRESCAN_BLOCK ? e : b + PRESCAN_BLOCK;
                    size_t lo = check_utf8 && seg_ok && pos < b ? pos : b;
                    size_t hi = be < n ? be + 1 : n;
                    const char *w = NULL;   /* bytes [lo, hi) */
                    if ((seg_err[i] = bytes_get(s, lo, hi - lo, buf, &w)) != 0)
                        break;
                    if (check_utf8 && seg_ok) {
                        /* a sequence cut by the block's end is taken up again in
                         * the next block; the segment's end is after an LF */
                        pos += utf8_valid_prefix((const unsigned char *)w + (pos - lo), be - pos);
                        if (pos < be && (be == e || be - pos >= 4))
                            seg_ok = 0;
                    }
                    long long bq, bl, bc;
                    count_qlc(w + (b - lo), be - b, &bq, &bl, &bc);
                    q += bq;
                    lf += bl;
                    if (bc)
                        bare += bare_crs_in(w + (b - lo), 0, be - b, n - b);
                }
                ps->quotes[i] = q;
                ps->lfs[i] = lf;
                ps->bare_crs[i] = bare;
                ok = ok && seg_ok;
            }
        }
    }
    free(bufs);
    ps->utf8_ok = ok;
    for (int i = 0; i < ps->ns && !io; i++)
        io = seg_err[i];
    return io ? io : hash_err;
}

/* Bare CRs in text[0..x), x just after an LF or the end: from the sums of
 * the segments before x's and a look at the start of x's own. */
static long long prescan_bare_before(const struct prescan *ps, const char *text, size_t x)
{
    long long total = 0;
    int i = 0;
    while (i + 1 < ps->ns && ps->at[i + 1] <= x)
        total += ps->bare_crs[i++];
    if (x == ps->at[ps->ns])
        return total + (i + 1 == ps->ns && x > ps->at[i] ? ps->bare_crs[i] : 0);
    return total + bare_crs_in(text, ps->at[i], x, ps->at[ps->ns]);
}

/* Chunk starts for the data text[off..n) from the prescan: at most `want`
 * chunks, each starting at the first record start at or after a segment
 * start, with line numbers, row bounds and the data's LF and bare-CR
 * totals.  Rows per chunk are at most its lines (+1 for a last line without
 * LF) plus its bare CRs: libcsv also ends a record at a CR not followed by
 * LF, so one line can hold several records.  Reads the text only near the
 * chosen boundaries. */
static int prescan_chunks(const struct prescan *ps, const char *text, size_t off,
                          long long line0, int want, size_t *start, long long *line,
                          size_t *max_rows, long long *total_lf, long long *total_bare_cr)
{
    size_t n = ps->at[ps->ns], n_data = n - off;
    long long q_hdr = count_byte(text, off, '"'), l_hdr = count_byte(text, off, '\n');
    int nc = 1;
    start[0] = 0;
    line[0] = line0;
    long long qp = 0, lp = 0;   /* quotes and LFs before segment i */
    size_t spacing = want > 1 ? n_data / (size_t)want : n_data + 1;
    for (int i = 0; i < ps->ns; i++) {
        size_t a = ps->at[i];
        if (i > 0 && a > off && nc < want && a - off >= (size_t)nc * spacing) {
            int par = (int)((qp - q_hdr) & 1);
            long long l = lp - l_hdr;
            size_t k = a;
            if (par) {
                /* inside a quoted field: the first LF outside one */
                for (; k < ps->at[i + 1]; k++) {
                    if (text[k] == '"') {
                        par ^= 1;
                    } else if (text[k] == '\n') {
                        l++;
                        if (!par) {
                            k++;
                            break;
                        }
                    }
                }
                if (par)
                    k = n;   /* none in this segment */
            }
            if (k < n && k - off > start[nc - 1]) {
                start[nc] = k - off;
                line[nc] = line0 + l;
                nc++;
            }
        }
        qp += ps->quotes[i];
        lp += ps->lfs[i];
    }
    *total_lf = lp - l_hdr;
    start[nc] = n_data;
    line[nc] = line0 + *total_lf + 1;
    long long bare_hdr = prescan_bare_before(ps, text, off), bare_prev = bare_hdr;
    for (int c = 0; c < nc; c++) {
        long long bare_next = prescan_bare_before(ps, text, off + start[c + 1]);
        max_rows[c] = (size_t)(line[c + 1] - line[c] + bare_next - bare_prev);
        bare_prev = bare_next;
    }
    *total_bare_cr = bare_prev - bare_hdr;
    return nc;
}

/* enc_decode() over LF-aligned segments at once.  Both encodings keep LF a
 * single byte outside any character, so segments decode independently; the
 * contract's rule for detection (wholly GB18030, else UTF-8 with bad rows)
 * is applied to the file as a whole. */
static int decode_parallel(const char *path, const unsigned char *raw, size_t n, enum enc want,
                           struct decoded *out, struct err *e)
{
    const size_t seg = (size_t)16 << 20;
    if (n <= 2 * seg)
        return enc_decode(path, raw, n, want, out, e);
    size_t bounds[MAX_CHUNKS + 1];
    int ns = 0;
    bounds[0] = 0;
    for (size_t a = seg; a < n && ns + 1 < MAX_CHUNKS; a += seg) {
        const unsigned char *q = memchr(raw + a, '\n', n - a);
        size_t b = q ? (size_t)(q - raw) + 1 : n;
        /* a segment must not start with what enc_decode takes for a BOM */
        while (b < n && ((n - b >= 3 && raw[b] == 0xEF && raw[b + 1] == 0xBB && raw[b + 2] == 0xBF) ||
                         (n - b >= 4 && raw[b] == 0x84 && raw[b + 1] == 0x31 &&
                          raw[b + 2] == 0x95 && raw[b + 3] == 0x33))) {
            q = memchr(raw + b, '\n', n - b);
            b = q ? (size_t)(q - raw) + 1 : n;
        }
        if (b >= n || b <= bounds[ns])
            continue;
        bounds[++ns] = b;
        a = b;
    }
    bounds[++ns] = n;
    struct decoded part[MAX_CHUNKS];
    int pst[MAX_CHUNKS];
    struct err perr[MAX_CHUNKS];
    long long lines[MAX_CHUNKS];
    memset(part, 0, sizeof part);
    enum enc tries[2] = {want == ENC_UTF8 ? ENC_UTF8 : ENC_GB18030, ENC_UTF8};
    int n_tries = want == ENC_AUTO ? 2 : 1;
    int st = E_OK;
    for (int t = 0; t < n_tries; t++) {
#pragma omp parallel for schedule(dynamic, 1)
        for (int i = 0; i < ns; i++) {
            err_init(&perr[i]);
            pst[i] = enc_decode(path, raw + bounds[i], bounds[i + 1] - bounds[i], tries[t],
                                &part[i], &perr[i]);
            lines[i] = count_byte((const char *)raw + bounds[i], bounds[i + 1] - bounds[i], '\n');
        }
        size_t bad = 0;
        for (int i = 0; i < ns; i++) {
            if (pst[i] != E_OK && st == E_OK) {
                st = pst[i];
                *e = perr[i];
            }
            bad += part[i].n_bad;
        }
        if (st != E_OK || bad == 0 || t == n_tries - 1)
            break;
        for (int i = 0; i < ns; i++)
            decoded_free(&part[i]);   /* not wholly GB18030: read as UTF-8 */
    }
    size_t total = 0, total_bad = 0;
    for (int i = 0; st == E_OK && i < ns; i++) {
        total += part[i].len;
        total_bad += part[i].n_bad;
    }
    if (st == E_OK) {
        memset(out, 0, sizeof *out);
        out->data = malloc(total + 1);
        out->bad_lines = total_bad ? malloc(total_bad * sizeof *out->bad_lines) : NULL;
        if (!out->data || (total_bad && !out->bad_lines)) {
            decoded_free(out);
            st = ERR(e, E_NOMEM, "out of memory while decoding %s", path);
        }
    }
    if (st == E_OK) {
        long long line_off = 0;
        out->used = part[0].used;
        out->had_bom = part[0].had_bom;
        out->first_bad_byte = -1;
        for (int i = 0; i < ns; i++) {
            memcpy(out->data + out->len, part[i].data, part[i].len);
            out->len += part[i].len;
            for (size_t k = 0; k < part[i].n_bad; k++)
                out->bad_lines[out->n_bad++] = part[i].bad_lines[k] + line_off;
            if (out->first_bad_byte < 0 && part[i].first_bad_byte >= 0)
                out->first_bad_byte = (long long)bounds[i] + part[i].first_bad_byte;
            line_off += lines[i];
        }
        out->data[out->len] = '\0';
    }
    for (int i = 0; i < ns; i++)
        decoded_free(&part[i]);
    return st;
}

static void parser_init(struct parser *P, struct dataset *d, const struct load_spec *spec,
                        const char *path, struct header *h, const struct decoded *dec)
{
    memset(P, 0, sizeof *P);
    P->d = d;
    P->spec = spec;
    P->path = path;
    P->ctx = spec->ctx;
    P->hdr = h;
    err_init(&P->e);
    P->text_is_utf8 = !dec || dec->used != ENC_GB18030;
    if (dec) {
        P->bad_lines = dec->bad_lines;
        P->n_bad = dec->n_bad;
    }
}

/* Give the pages of a read-only file mapping back to the page cache once
 * they are read, so a large file never sits in the process's memory as a
 * whole.  Only for mappings of files (for anonymous memory MADV_DONTNEED
 * would zero the bytes). */
static void drop_pages(const void *p, size_t n, int is_map)
{
    if (!is_map || n == 0)
        return;
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)p + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
    uintptr_t b = ((uintptr_t)p + n) & ~((uintptr_t)pg - 1);
    if (b > a)
        madvise((void *)a, b - a, MADV_DONTNEED);
}

static int load_any(struct dataset *d, const char *path, const unsigned char *raw, size_t n_raw,
                    int fd, enum enc want, const struct load_spec *spec, struct err *e);

/* What the first block of a file says it is not: UTF-16 (or UTF-32) with
 * a byte-order mark, or text with NUL bytes (UTF-16 without one, or no
 * text at all).  Only the first LOAD_SNIFF_BYTES are looked at (they are
 * read for the header anyway), so the fast paths keep their speed. */
#define LOAD_SNIFF_BYTES 65536
static int first_block_check(const char *path, const unsigned char *raw, size_t n,
                             struct err *e)
{
    size_t m = n < LOAD_SNIFF_BYTES ? n : LOAD_SNIFF_BYTES;
    if (m >= 2 && ((raw[0] == 0xFF && raw[1] == 0xFE) || (raw[0] == 0xFE && raw[1] == 0xFF)))
        return ERR(e, E_PARSE, "%s is UTF-16 (it starts with the byte-order mark %02X %02X): "
                               "save it as UTF-8 or GB18030 CSV (e.g. iconv -f UTF-16 -t UTF-8)",
                   path, raw[0], raw[1]);
    size_t nul = 0;
    for (size_t i = 0; i < m; i++)
        nul += raw[i] == 0;
    if (nul > 0 && nul * 8 >= m)
        return ERR(e, E_PARSE, "%s holds NUL bytes (%zu of its first %zu): UTF-16 without a "
                               "byte-order mark, or not a text file at all; save it as UTF-8 "
                               "or GB18030 CSV", path, nul, m);
    return E_OK;
}

int load_csv_mem(struct dataset *d, const char *path, const unsigned char *raw, size_t n_raw,
                 enum enc want, const struct load_spec *spec, struct err *e)
{
    return load_any(d, path, raw, n_raw, -1, want, spec, e);
}

static void set_checksum(struct filestat *fs, XXH128_hash_t h)
{
    snprintf(fs->checksum, sizeof fs->checksum, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);
}

/* ---- the single read: a file read once ----
 *
 * A file (not a buffer in memory) is read once, in file order, a wave of
 * segments at a time, and every byte is looked at while it is in the
 * core's cache just after its pread(): checked for UTF-8, its quotes, LFs
 * and bare CRs counted, then (the wave's segments in order, by one thread
 * while the others parse) fed to the XXH3-128 checksum, and parsed from the
 * same buffer.  The classic path below (load_classic) reads a file three
 * times: the checksum, the prescan and the parse.
 *
 *   segments  the data cut just after LFs near every S bytes (S = the chunk
 *             size, or more so that there are at most max_chunks); a few
 *             KiB are read at each cut to find its LF.
 *   wave      as many segments as threads.  (A) In parallel, each segment
 *             is read into a buffer of its own, in 64 KiB blocks that are
 *             checked and counted as they arrive.  (B) One thread then
 *             finds the chunk of each segment: it starts at the first
 *             record start (an LF outside quotes, from the quote parity of
 *             everything before) in the segment, and ends at the next
 *             chunk's start; the bytes from the next segment's start to
 *             there (none when the parity is even there, as in any file
 *             whose quoted fields hold no LF at a cut) are copied, or read,
 *             after the segment in its buffer.  Its line number and row
 *             bound are exact, so spec->chunks_begin(first = its index)
 *             sizes its rows before it is parsed.  (C) In parallel, the
 *             chunks are parsed and the checksum takes in the segments.
 *
 * Anything the waves cannot know early enough sends the file back to the
 * classic path, from scratch (SR_AGAIN; the chunks begun are dropped by its
 * chunks_begin(first = 0), the header's rejects taken back): bytes that are
 * not UTF-8 (the whole file decides its encoding), a record start not found
 * inside a segment (a quoted field running across a cut and on through
 * the next segment), a chunk that ends inside a record (a stray quote upset
 * the parity: the classic path parses the file as one chunk), a header
 * that is not read at once.  The result is the classic path's in every
 * case, at any thread count: rows and rejects go to the chunks in file
 * order, and the checksum is XXH3-128 of the file's bytes in order. */
#define SR_AGAIN (-1)

struct sr_seg {
    size_t a;                 /* the segment is data bytes [a, next segment's a) */
    size_t c;                 /* its chunk starts here (a <= c < next a) */
    long long q, lf, bare;    /* quotes, LFs, bare CRs in the segment */
    long long head_lf, head_bare;   /* LFs and bare CRs in [a, c) */
    int utf8_ok;
    int rerr;                 /* errno of a read that failed, or 0 */
};

/* A buffer of a wave: one segment's bytes, then the tail of its chunk. */
struct sr_buf {
    char *p;
    size_t cap;
};

/* The buffers of the waves (two sets: one wave is parsed while the next is
 * read), kept from one file to the next when the caller keeps them
 * (load_spec.bufs): memory made resident once per run, not once per file. */
struct load_bufs {
    int n;
    struct sr_buf b[];
};

void load_bufs_free(struct load_bufs *lb)
{
    if (!lb)
        return;
    for (int i = 0; i < lb->n; i++)
        free(lb->b[i].p);
    free(lb);
}

static int sr_grow(struct sr_buf *b, size_t need)
{
    if (need <= b->cap)
        return 0;
    char *p = realloc(b->p, need);
    if (!p)
        return ENOMEM;
    b->p = p;
    b->cap = need;
    return 0;
}

/* n buffers of at least `size` bytes, made resident: *keep's if the
 * caller keeps them (grown if need be), else new ones in *mine. */
static int sr_bufs(struct load_bufs **keep, struct load_bufs **mine, int n, size_t size,
                   struct load_bufs **out)
{
    struct load_bufs *lb = keep ? *keep : NULL;
    if (!lb || lb->n < n) {
        struct load_bufs *nb = calloc(1, sizeof *nb + (size_t)n * sizeof nb->b[0]);
        if (!nb)
            return ENOMEM;
        nb->n = n;
        if (lb)
            memcpy(nb->b, lb->b, (size_t)lb->n * sizeof lb->b[0]);
        free(lb);
        lb = nb;
        if (keep)
            *keep = lb;
        else
            *mine = lb;
    }
    for (int i = 0; i < n; i++) {
        if (lb->b[i].cap >= size)
            continue;
        /* a new buffer, not realloc: nothing in it is kept, and the old
         * one's hint (mem_populate) split its mapping, so realloc could
         * not mremap it and would copy it */
        free(lb->b[i].p);
        lb->b[i].p = NULL;
        lb->b[i].cap = 0;
        if (sr_grow(&lb->b[i], size))
            return ENOMEM;
        mem_populate(lb->b[i].p, lb->b[i].cap);
    }
    *out = lb;
    return 0;
}

/* (A) Read segment g, data bytes [g->a, e) of n, into buf: block by block,
 * each checked for UTF-8 and counted while it is in the cache.  One byte
 * more is read after each block (a CR's neighbour), so buf holds e - a + 1
 * bytes. */
static void sr_read(const struct bytes *f, struct sr_seg *g, size_t e, char *buf)
{
    size_t a = g->a, n = f->n, pos = a;   /* UTF-8 checked up to pos */
    long long q = 0, lf = 0, bare = 0;
    int ok = 1;
    for (size_t b = a; b < e; b += PRESCAN_BLOCK) {
        size_t be = e - b < PRESCAN_BLOCK ? e : b + PRESCAN_BLOCK;
        size_t hi = be < n ? be + 1 : n;
        const char *w = NULL;
        if ((g->rerr = bytes_get(f, b, hi - b, buf + (b - a), &w)) != 0)
            return;
        if (ok) {
            /* a sequence cut by the block's end is taken up again with the
             * next block; the segment's end is after an LF */
            pos += utf8_valid_prefix((const unsigned char *)buf + (pos - a), be - pos);
            if (pos < be && (be == e || be - pos >= 4))
                ok = 0;
        }
        long long bq, bl, bc;
        count_qlc(w, be - b, &bq, &bl, &bc);
        q += bq;
        lf += bl;
        if (bc)
            bare += bare_crs_in(w, 0, be - b, n - b);
    }
    g->q = q;
    g->lf = lf;
    g->bare = bare;
    g->utf8_ok = ok;
}

/* (B) The start of segment k's chunk: the first record start at or after
 * its start a, where the quote parity is par; and the LFs and bare CRs
 * before it.  The bytes [a, c) are appended to `to` at offset at (from
 * `from`, segment k's buffer when it is read already, else from the file).
 * SR_AGAIN when there is none before the segment's end e; 0, or an errno. */
static int sr_chunk_start(const struct bytes *f, struct sr_seg *g, size_t e, int par,
                          const char *from, struct sr_buf *to, size_t at)
{
    size_t a = g->a;
    g->c = a;
    g->head_lf = g->head_bare = 0;
    if (!par)
        return 0;
    const size_t step = 4096;
    for (size_t x = a; x < e; x += step) {
        size_t k = e - x < step ? e - x : step;
        /* room for these bytes, and for the one after them (bare CRs) */
        if (sr_grow(to, at + (x - a) + k + 1))
            return ENOMEM;
        char *w = to->p + at + (x - a);
        if (from) {
            memcpy(w, from + (x - a), k + (x + k < f->n));
        } else {
            const char *got = NULL;
            int er = bytes_get(f, x, k + (x + k < f->n), w, &got);
            if (er)
                return er;
        }
        for (size_t i = 0; i < k; i++) {
            if (w[i] == '"') {
                par ^= 1;
            } else if (w[i] == '\n') {
                g->head_lf++;
                if (!par) {
                    g->c = x + i + 1;
                    g->head_bare = bare_crs_in(to->p + at, 0, g->c - a, f->n - a);
                    return g->c < e ? 0 : SR_AGAIN;
                }
            }
        }
    }
    return SR_AGAIN;
}

/* (A) for the segments [j0, j1): read into the buffers b[0..) */
static void sr_read_wave(const struct bytes *f, struct sr_seg *seg, int j0, int j1,
                         struct sr_buf *b)
{
#pragma omp parallel for schedule(dynamic, 1) if (j1 - j0 > 1)
    for (int j = j0; j < j1; j++)
        sr_read(f, &seg[j], seg[j + 1].a, b[j - j0].p);
}

/* Read, check, hash and parse the data [data_off, n_raw) of a file whose
 * header is parsed (hdr, data_line) and hashed into hs.  E_OK (*rows counts
 * the rows), an error (e set), or SR_AGAIN.  Waves of K segments, K the
 * threads: wave w is in buffer set w % 2; (A) reads wave 0, then for each
 * wave (B) finds its chunks and begins them, and (C) parses them, hashes
 * them and reads the next wave into the other set, all as one list of
 * tasks, the long ones (parses) first.  Long because the three steps of a
 * wave share the segments, both buffer sets, the parsers and one exit path
 * that frees them: split, each part would take most of its locals. */
static int sr_data(struct dataset *d, const char *path, int fd, size_t data_off, size_t n_raw,
                   long long data_line, struct header *hdr, const struct load_spec *spec,
                   XXH3_state_t *hs, long long *rows, struct err *e)
{
    struct bytes f = {NULL, fd, (off_t)data_off, n_raw - data_off};
    size_t n = f.n;
    size_t S = load_chunk_bytes();
    size_t most = (size_t)(spec->max_chunks < MAX_CHUNKS ? spec->max_chunks : MAX_CHUNKS);
    if (most < 1)
        most = 1;
    if (n / S >= most)
        S = n / most + 1;
    struct sr_seg *seg = calloc(MAX_CHUNKS + 1, sizeof *seg);
    char *probe = malloc(4096);
    int T = omp_get_max_threads();
    struct parser *P = calloc((size_t)T, sizeof *P);
    size_t *max_rows = malloc((size_t)T * sizeof *max_rows);
    struct load_bufs *mine = NULL, *lb = NULL;
    int st = E_OK, ns = 0, er = 0;
    if (!seg || !probe || !P || !max_rows) {
        st = ERR(e, E_NOMEM, "out of memory while reading %s", path);
        goto out;
    }
    /* the segments: cut just after the first LF at or after every S bytes */
    for (size_t x = S; x < n && (size_t)ns + 1 < most; x = seg[ns].a + S) {
        size_t b;
        if ((er = bytes_after_lf(&f, x, probe, &b)) != 0)
            goto io;
        if (b >= n)
            break;
        seg[++ns].a = b;
    }
    seg[++ns].a = n;   /* the end, as the start of a segment that is not */
    size_t longest = 0;
    for (int j = 0; j < ns; j++)
        if (seg[j + 1].a - seg[j].a > longest)
            longest = seg[j + 1].a - seg[j].a;
    int K = T < ns ? T : ns;   /* segments per wave */
    int sets = ns > K ? 2 : 1;
    if ((er = sr_bufs(spec->bufs, &mine, sets * K, longest + ((size_t)64 << 10), &lb)) != 0)
        goto io;
    sr_read_wave(&f, seg, 0, K, lb->b);
    long long q_before = 0, lf_before = 0;   /* in the segments before the wave */
    for (int j0 = 0, w = 0; j0 < ns; j0 += K, w++) {
        int j1 = j0 + K < ns ? j0 + K : ns;
        int n2 = j1 + K < ns ? j1 + K : ns;   /* the next wave is [j1, n2) */
        struct sr_buf *b = lb->b + (w % 2) * K, *b2 = lb->b + ((w + 1) % 2) * K;
        for (int j = j0; j < j1; j++) {
            if ((er = seg[j].rerr) != 0)
                goto io;
            if (!seg[j].utf8_ok) {
                st = SR_AGAIN;
                goto out;
            }
        }
        /* (B) the chunks: each segment's ends where the next one's starts */
        long long q = q_before;
        for (int j = j0; j < j1; j++) {
            q += seg[j].q;
            struct sr_seg *nx = &seg[j + 1];
            size_t seg_len = nx->a - seg[j].a;
            if (j + 1 < ns) {
                er = sr_chunk_start(&f, nx, seg[j + 2].a, (int)(q & 1),
                                    j + 1 < j1 ? b[j + 1 - j0].p : NULL, &b[j - j0], seg_len);
            } else {
                nx->c = n;
                nx->head_lf = nx->head_bare = 0;
                er = 0;
            }
            if (er == SR_AGAIN) {
                st = SR_AGAIN;
                goto out;
            }
            if (er)
                goto io;
            max_rows[j - j0] = (size_t)(seg[j].lf - seg[j].head_lf + nx->head_lf + seg[j].bare -
                                        seg[j].head_bare + nx->head_bare) + (j + 1 == ns);
        }
        if ((st = spec->chunks_begin(spec->ctx, j0, j1 - j0, max_rows, e)) != E_OK)
            goto out;
        /* (C) tasks [0, k) parse the chunks, k settles the chunks of the
         * waves before and hashes the wave's bytes in order, (k, k + 1 +
         * next) read the next wave */
        int k = j1 - j0;
#pragma omp parallel for schedule(dynamic, 1) if (k + (n2 - j1) > 0)
        for (int t = 0; t <= k + (n2 - j1); t++) {
            if (t > k) {
                int j = j1 + t - k - 1;
                sr_read(&f, &seg[j], seg[j + 1].a, b2[j - j1].p);
                continue;
            }
            if (t == k) {
                if (spec->chunks_settle && j0 > 0)
                    spec->chunks_settle(spec->ctx, j0);   /* the waves before */
                for (int i = j0; i < j1; i++)
                    XXH3_128bits_update(hs, b[i - j0].p, seg[i + 1].a - seg[i].a);
                continue;
            }
            int j = j0 + t;
            struct parser *p = &P[t];
            parser_init(p, d, spec, path, hdr, NULL);
            p->header_done = 1;
            p->ctx = spec->chunk_ctx(spec->ctx, j);
            p->use_chunk_reject = spec->chunk_reject != NULL;
            const char *bj = b[t].p;
            long long line = data_line + lf_before + seg[j].head_lf;
            for (int i = j0; i < j; i++)
                line += seg[i].lf;
            parse_range(p, bj + (seg[j].c - seg[j].a), bj + (seg[j + 1].c - seg[j].a), line,
                        NULL, NULL);
        }
        int again = 0;
        for (int j = j0; j < j1; j++) {
            struct parser *p = &P[j - j0];
            if (p->status != E_OK && st == E_OK) {
                st = p->status;
                *e = p->e;
            }
            if (j + 1 < ns && p->in_record)
                again = 1;   /* a chunk boundary inside a record */
            *rows += p->data_rows;
            free(p->r.buf);
            p->r.buf = NULL;
        }
        if (st != E_OK)
            goto out;
        if (again) {
            st = SR_AGAIN;
            goto out;
        }
        if (j1 == ns && P[j1 - 1 - j0].in_record == 2) {
            err_where(e, path, P[j1 - 1 - j0].rec_start, 0);
            st = ERR(e, E_PARSE,
                     "quoted field opened on line %lld is never closed; "
                     "fix the quote or export the file again", P[j1 - 1 - j0].rec_start);
            goto out;
        }
        for (int j = j0; j < j1; j++) {
            q_before += seg[j].q;
            lf_before += seg[j].lf;
        }
    }
    goto out;
io:
    st = er == ENOMEM ? ERR(e, E_NOMEM, "out of memory while reading %s", path)
                      : ERR(e, E_IO, "cannot read %s: %s", path, strerror(er));
out:
    load_bufs_free(mine);
    free(P);
    free(max_rows);
    free(probe);
    free(seg);
    return st;
}

/* The single read of a file (see above): the header from the mapping raw,
 * then sr_data().  E_OK, an error, or SR_AGAIN with nothing of the file
 * kept but the chunks begun (dropped by the next chunks_begin(first = 0)). */
static int single_read(struct dataset *d, const char *path, const unsigned char *raw,
                       size_t n_raw, size_t bom, int fd, const struct load_spec *spec,
                       struct err *e)
{
    struct filestat *fs = &d->files[spec->file];
    size_t rejects_before = fs->rejects.n;
    const char *text = (const char *)raw + bom, *end = (const char *)raw + n_raw;
    static struct header hdr_zero;
    struct header hdr = hdr_zero;
    struct parser H;
    parser_init(&H, d, spec, path, &hdr, NULL);
    H.header_mode = 1;
    const char *data = end;
    long long data_line = 1;
    parse_range(&H, text, end, 1, &data, &data_line);
    free(H.r.buf);
    size_t data_off = (size_t)(data - (const char *)raw);
    int st = SR_AGAIN;
    if (H.status == E_OK && H.header_done &&
        utf8_valid_prefix((const unsigned char *)text, data_off - bom) == data_off - bom) {
        XXH3_state_t hs;
        XXH3_INITSTATE(&hs);
        XXH3_128bits_reset(&hs);
        XXH3_128bits_update(&hs, raw, data_off);
        long long rows = H.data_rows;
        st = sr_data(d, path, fd, data_off, n_raw, data_line, &hdr, spec, &hs, &rows, e);
        if (st == E_OK) {
            set_checksum(fs, XXH3_128bits_digest(&hs));
            fs->encoding = enc_name(ENC_UTF8);
            fs->had_bom = bom > 0;
            fs->data_rows += rows;
        }
    }
    if (st == SR_AGAIN)
        fs->rejects.n = rejects_before;   /* the classic path parses the header again */
    return st;
}

static int load_classic(struct dataset *d, const char *path, const unsigned char *raw,
                        size_t n_raw, size_t bom, int fd, enum enc want,
                        const struct load_spec *spec, struct err *e);

/* raw[0..n_raw): the file's bytes, mapped from fd, or in memory when fd is
 * -1.  A file is read once (single_read) where it can be, else, like bytes
 * in memory, the classic way (load_classic). */
static int load_any(struct dataset *d, const char *path, const unsigned char *raw, size_t n_raw,
                    int fd, enum enc want, const struct load_spec *spec, struct err *e)
{
    struct filestat *fs = &d->files[spec->file];
    snprintf(fs->path, sizeof fs->path, "%s", path);
    fs->present = 1;
    fs->bytes = (long long)n_raw;
    /* XXH3-128: verifiable with `xxhsum -H2` (Debian package xxhash) and
     * fast enough (>10 GB/s) to cost nothing next to parsing. */
    if (n_raw == 0) {
        set_checksum(fs, XXH3_128bits(raw, 0));
        err_where(e, path, 1, 0);
        return ERR(e, E_PARSE, "empty file: expected a header row");
    }

    int fst = first_block_check(path, raw, n_raw, e);
    if (fst != E_OK)
        return fst;
    size_t bom = (n_raw >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF) ? 3 : 0;
    /* the single read parses in chunks of its own (rows and rejects to
     * per-chunk contexts) and takes the file for UTF-8 until it is not */
    if (fd >= 0 && want != ENC_GB18030 && spec->chunks_begin && spec->chunk_ctx &&
        spec->chunk_reject) {
        int st = single_read(d, path, raw, n_raw, bom, fd, spec, e);
        if (st != SR_AGAIN)
            return st;
    }
    return load_classic(d, path, raw, n_raw, bom, fd, want, spec, e);
}

/* The classic way: the prescan of the raw bytes (with, in parallel, the
 * checksum of the whole) decides the encoding and the chunks, the header
 * is parsed, then the chunks (each read again into a buffer of its thread
 * when raw is a mapping of fd).  Long because its three phases share one
 * parallel region and the per-chunk contexts it merges in order: split, the
 * phases would pass a dozen locals between them for no reader's gain. */
static int load_classic(struct dataset *d, const char *path, const unsigned char *raw,
                        size_t n_raw, size_t bom, int fd, enum enc want,
                        const struct load_spec *spec, struct err *e)
{
    int is_map = fd >= 0;
    struct bytes whole = {is_map ? NULL : (const char *)raw, fd, 0, n_raw};
    struct filestat *fs = &d->files[spec->file];

    /* ---- decode: valid UTF-8 is used in place, anything else converted ---- */
    struct decoded dec;
    memset(&dec, 0, sizeof dec);
    const char *text;
    size_t tlen;
    /* the prescan of the raw bytes decides; converted text gets its own */
    struct prescan *ps = malloc(sizeof *ps);
    if (!ps)
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    int utf8 = 0;
    XXH128_hash_t hh;   /* during the prescan of the raw bytes if there is one */
    int er;
    if (want != ENC_GB18030) {
        struct bytes after_bom = whole;
        if (after_bom.mem)
            after_bom.mem += bom;
        after_bom.base = (off_t)bom;
        after_bom.n = n_raw - bom;
        er = prescan_run(&after_bom, 1, ps, &whole, &hh);
        utf8 = ps->utf8_ok;
    } else {
        er = checksum_bytes(&whole, &hh);
    }
    if (er) {
        free(ps);
        if (er == ENOMEM)
            return ERR(e, E_NOMEM, "out of memory while reading %s", path);
        return ERR(e, E_IO, "cannot read %s: %s", path, strerror(er));
    }
    set_checksum(fs, hh);
    if (utf8) {
        text = (const char *)raw + bom;
        tlen = n_raw - bom;
        fs->encoding = enc_name(ENC_UTF8);
        fs->had_bom = bom > 0;
    } else {
        int st = decode_parallel(path, raw, n_raw, want, &dec, e);
        if (st != E_OK) {
            free(ps);
            return st;
        }
        text = dec.data;
        tlen = dec.len;
        drop_pages(raw, n_raw, is_map);
        is_map = 0;   /* text is now a private copy */
        fs->encoding = enc_name(dec.used);
        fs->had_bom = dec.had_bom;
        struct bytes conv = {text, -1, 0, tlen};
        if (prescan_run(&conv, 0, ps, NULL, NULL) != 0) {   /* memory: ENOMEM only */
            decoded_free(&dec);
            free(ps);
            return ERR(e, E_NOMEM, "out of memory while reading %s", path);
        }
    }
    const char *end = text + tlen;

    /* ---- phase 1: header ---- */
    static struct header hdr_zero;
    struct header hdr = hdr_zero;
    struct parser H;
    parser_init(&H, d, spec, path, &hdr, &dec);
    H.header_mode = 1;
    const char *data = end;
    long long data_line = 1;
    parse_range(&H, text, end, 1, &data, &data_line);
    int st = H.status;
    if (st == E_OK && !H.header_done) {
        err_where(&H.e, path, 1, 0);
        st = ERR(&H.e, E_PARSE, "no header row");
    }
    free(H.r.buf);
    long long header_line_rows = H.data_rows;
    if (st != E_OK) {
        *e = H.e;
        decoded_free(&dec);
        free(ps);
        return st;
    }

    /* ---- phase 2: chunks ---- */
    size_t n_data = (size_t)(end - data);
    int want_chunks = 1;
    size_t cb = load_chunk_bytes();
    if (spec->chunk_ctx && spec->max_chunks > 1 && n_data > cb) {
        size_t k = n_data / cb + 1;
        want_chunks = (int)(k < (size_t)spec->max_chunks ? k : (size_t)spec->max_chunks);
        if (want_chunks > MAX_CHUNKS)
            want_chunks = MAX_CHUNKS;
    }
    size_t cstart[MAX_CHUNKS + 1];
    long long cline[MAX_CHUNKS + 1];
    size_t max_rows[MAX_CHUNKS];
    long long total_lf, total_bare_cr;
    int nc = prescan_chunks(ps, text, (size_t)(data - text), data_line, want_chunks, cstart, cline,
                            max_rows, &total_lf, &total_bare_cr);
    free(ps);
    long long total_lines = total_lf + 1;

    /* ---- phase 3: parse ---- */
    struct parser *P = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (spec->chunks_begin &&
            (st = spec->chunks_begin(spec->ctx, 0, nc, max_rows, e)) != E_OK)
            break;
        P = calloc((size_t)nc, sizeof *P);
        if (!P) {
            st = ERR(e, E_NOMEM, "out of memory while reading %s", path);
            break;
        }
        /* A file's chunks are read into a buffer of the parsing thread
         * (pread, as the prescan reads) rather than faulted in through the
         * mapping; one too large for that (a file parsed as one chunk) is
         * parsed where it is mapped. */
        size_t cmax = 0;
        for (int i = 0; i < nc; i++)
            if (cstart[i + 1] - cstart[i] > cmax)
                cmax = cstart[i + 1] - cstart[i];
        int T = omp_get_max_threads();
        char *cbuf = NULL;
        if (is_map && cmax <= LOAD_PARSE_BUF_MAX) {
            cbuf = malloc((size_t)T * cmax);
            if (!cbuf) {
                free(P);
                st = ERR(e, E_NOMEM, "out of memory while reading %s", path);
                break;
            }
            mem_populate(cbuf, (size_t)T * cmax);
        }
        off_t data_off = (off_t)(data - (const char *)raw);
#pragma omp parallel for schedule(dynamic, 1) if (nc > 1)
        for (int i = 0; i < nc; i++) {
            parser_init(&P[i], d, spec, path, &hdr, &dec);
            P[i].header_done = 1;
            if (spec->chunk_ctx) {
                P[i].ctx = spec->chunk_ctx(spec->ctx, i);
                P[i].use_chunk_reject = spec->chunk_reject != NULL;
            }
            size_t len = cstart[i + 1] - cstart[i];
            const char *at = data + cstart[i];
            if (cbuf) {
                struct bytes f = {NULL, fd, data_off, n_data};
                char *mine = cbuf + (size_t)omp_get_thread_num() * cmax;
                int rer = bytes_get(&f, cstart[i], len, mine, &at);
                if (rer) {
                    P[i].status = ERR(&P[i].e, E_IO, "cannot read %s: %s", path, strerror(rer));
                    continue;
                }
            }
            parse_range(&P[i], at, at + len, cline[i], NULL, NULL);
            if (!cbuf)
                drop_pages(at, len, is_map);
        }
        free(cbuf);
        st = E_OK;
        int resplit = 0;
        for (int i = 0; i < nc; i++) {
            if (P[i].status != E_OK && st == E_OK) {
                st = P[i].status;
                *e = P[i].e;
            }
            if (i < nc - 1 && P[i].in_record)
                resplit = 1;
        }
        if (st == E_OK && !resplit && P[nc - 1].in_record == 2) {
            err_where(e, path, P[nc - 1].rec_start, 0);
            st = ERR(e, E_PARSE,
                     "quoted field opened on line %lld is never closed; "
                     "fix the quote or export the file again", P[nc - 1].rec_start);
        }
        if (st == E_OK && !resplit) {
            fs->data_rows += header_line_rows;
            for (int i = 0; i < nc; i++)
                fs->data_rows += P[i].data_rows;
        }
        for (int i = 0; i < nc; i++)
            free(P[i].r.buf);
        free(P);
        P = NULL;
        if (st != E_OK || !resplit)
            break;
        /* a chunk boundary fell inside a record (a stray quote upset the
         * parity): parse the whole file as one chunk */
        nc = 1;
        cstart[1] = n_data;
        cline[0] = data_line;
        max_rows[0] = (size_t)(total_lines + total_bare_cr);
    }
    decoded_free(&dec);
    return st;
}

int load_csv(struct dataset *d, const char *path, enum enc want,
             const struct load_spec *spec, struct err *e)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; regular
     * files ignore the flag */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return ERR(e, E_NOINPUT, "cannot open %s: %s", path, strerror(errno));
        return ERR(e, E_IO, "cannot open %s: %s", path, strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int er = errno;
        close(fd);
        return ERR(e, E_IO, "cannot stat %s: %s", path, strerror(er));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return ERR(e, E_IO, "%s is %s, not a regular file: hedui reads each feed as a whole "
                            "file (copy it to one first)",
                   path, S_ISFIFO(sb.st_mode) ? "a FIFO (named pipe)"
                         : S_ISDIR(sb.st_mode) ? "a directory"
                         : S_ISSOCK(sb.st_mode) ? "a socket" : "a device");
    }
    size_t n = (size_t)sb.st_size;
    const unsigned char *raw = (const unsigned char *)"";
    void *map = NULL;
    if (n > 0) {
        map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            int er = errno;
            close(fd);
            return ERR(e, er == ENOMEM ? E_NOMEM : E_IO, "cannot map %s: %s", path,
                       strerror(er));
        }
        raw = map;
    }
    if (map)
        madvise(map, n, MADV_SEQUENTIAL);
    int st = load_any(d, path, raw, n, map ? fd : -1, want, spec, e);
    if (map)
        munmap(map, n);
    close(fd);
    return st;
}
