/* diag.c - the compile context of the rules language and its diagnostics.
 *
 * Owns: struct lang's memory (one arena, the diagnostics array), the
 * message format and the caret.  A diagnostic is rendered as
 *
 *     rules/x.policy:12:31: error: unknown column 'plat_no' of vehicles
 *        12 |   evidence each v: "车辆 {plat_no}"
 *           |                          ^^^^^^^
 *        = did you mean 'plate_no'?
 *
 * The column counts code points; the caret is placed by display width, a
 * CJK character (and any East Asian wide or full-width one) taking two
 * cells, a tab copied as a tab, so it stands under the word in a terminal.
 * Never prints (lang_render returns the text).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ast.h"

void lang_init(struct lang *L)
{
    memset(L, 0, sizeof *L);
    arena_init(&L->ar, (size_t)64 << 10);
}

void lang_free(struct lang *L)
{
    arena_free(&L->ar);
    free(L->diags);
    memset(L, 0, sizeof *L);
}

void *lang_alloc(struct lang *L, size_t n)
{
    void *p = arena_calloc(&L->ar, 1, n ? n : 1);
    if (!p)
        L->oom = 1;
    return p;
}

void *lang_grow(struct lang *L, void *v, int n, size_t size)
{
    /* capacity is the next power of two >= n+1 (at least 4): grow when n is
     * a power of two at or above 4, or when v is new */
    if (v && (n < 4 || (n & (n - 1)) != 0))
        return v;
    size_t cap = n < 4 ? 4 : (size_t)n * 2;
    void *nv = lang_alloc(L, cap * size);
    if (!nv)
        return NULL;
    if (v && n)
        memcpy(nv, v, (size_t)n * size);
    return nv;
}

int lang_add_source(struct lang *L, const char *path, const char *text, size_t len)
{
    if (L->nfiles >= LANG_MAX_FILES)
        return -1;
    char *t = lang_alloc(L, len + 1);
    if (!t)
        return -1;
    memcpy(t, text, len);
    t[len] = '\0';
    struct lsrc *s = &L->files[L->nfiles];
    snprintf(s->path, sizeof s->path, "%s", path);
    s->text = t;
    s->len = len;
    return L->nfiles++;
}

static void add(struct lang *L, int warning, struct pos pos, uint32_t span, const char *fmt,
                va_list ap)
{
    /* the same message at the same place once (an expanded define or fires
     * body is checked once per use) */
    char msg[384];
    L->mute = 0;
    vsnprintf(msg, sizeof msg, fmt, ap);
    for (int i = 0; i < L->ndiags; i++)
        if (L->diags[i].pos.file == pos.file && L->diags[i].pos.off == pos.off &&
            strcmp(L->diags[i].msg, msg) == 0) {
            /* later hints go nowhere */
            L->diags[i].span = L->diags[i].span ? L->diags[i].span : span;
            if (i != L->ndiags - 1) {
                struct ldiag d = L->diags[i];
                memmove(&L->diags[i], &L->diags[i + 1],
                        (size_t)(L->ndiags - 1 - i) * sizeof d);
                L->diags[L->ndiags - 1] = d;
            }
            L->diags[L->ndiags - 1].hint[0] = '\0';
            return;
        }
    if (L->ndiags == L->capdiags) {
        int cap = L->capdiags ? L->capdiags * 2 : 16;
        struct ldiag *d = realloc(L->diags, (size_t)cap * sizeof *d);
        if (!d) {
            L->oom = 1;
            return;
        }
        L->diags = d;
        L->capdiags = cap;
    }
    struct ldiag *d = &L->diags[L->ndiags++];
    memset(d, 0, sizeof *d);
    d->pos = pos;
    d->span = span ? span : 1;
    d->warning = warning;
    memcpy(d->msg, msg, sizeof d->msg);
    if (!warning)
        L->nerrors++;
}

void lang_error(struct lang *L, struct pos pos, uint32_t span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(L, 0, pos, span, fmt, ap);
    va_end(ap);
}

void lang_warning(struct lang *L, struct pos pos, uint32_t span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(L, 1, pos, span, fmt, ap);
    va_end(ap);
}

void lang_hint(struct lang *L, const char *fmt, ...)
{
    if (L->ndiags == 0 || L->mute)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->diags[L->ndiags - 1].hint, sizeof L->diags[0].hint, fmt, ap);
    va_end(ap);
}

/* Optimal string alignment distance, capped. */
static int edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    if (n > 40 || m > 40)
        return 99;
    int d[41][41];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* Spelling without '_' and case: "lowspeed" and "low_speed" are the same. */
static int same_loosely(const char *a, size_t n, const char *b)
{
    size_t j = 0, m = strlen(b);
    for (size_t i = 0; i < n; i++) {
        if (a[i] == '_')
            continue;
        while (j < m && b[j] == '_')
            j++;
        if (j >= m)
            return 0;
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        char y = b[j] >= 'A' && b[j] <= 'Z' ? (char)(b[j] + 32) : b[j];
        if (x != y)
            return 0;
        j++;
    }
    while (j < m && b[j] == '_')
        j++;
    return j == m;
}

void lang_suggest(struct lang *L, const char *s, size_t len, const char *const *names, int n)
{
    if (L->ndiags == 0 || len == 0 || L->mute)
        return;
    int best = -1, bd = 99;
    for (int i = 0; i < n; i++) {
        if (!names[i])
            continue;
        size_t m = strlen(names[i]);
        if (m == len && memcmp(names[i], s, len) == 0)
            continue;
        int d = same_loosely(s, len, names[i]) ? 0 : edit_distance(s, len, names[i], m);
        /* a prefix of a long name counts too: "evidence" for "evidenced_income" */
        if (d > 2 && len >= 4 && m > len && memcmp(names[i], s, len) == 0)
            d = 2;
        if (d < bd) {
            bd = d;
            best = i;
        }
    }
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : (int)(len / 3 > 3 ? 3 : len / 3 + 1);
    if (best >= 0 && bd <= limit)
        lang_hint(L, "did you mean '%s'?", names[best]);
}

/* ---------- columns and rendering ---------- */

static unsigned decode(const unsigned char *s, size_t n, int *len)
{
    unsigned c = s[0];
    int k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if ((size_t)k > n)
        k = 1;
    unsigned v = k == 1 ? c : k == 2 ? (c & 0x1f) : k == 3 ? (c & 0x0f) : (c & 0x07);
    for (int i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *len = 1;
            return c;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    *len = k;
    return v;
}

/* Display cells of a code point: 2 for East Asian wide and full-width. */
static int cells(unsigned cp)
{
    if (cp < 0x1100)
        return 1;
    if ((cp >= 0x0300 && cp <= 0x036F) || cp == 0x200B || (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
        (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
        (cp >= 0xA000 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
        (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
        (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
        (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

static uint32_t line_start(const struct lsrc *s, uint32_t off)
{
    if (off > s->len)
        off = (uint32_t)s->len;
    while (off > 0 && s->text[off - 1] != '\n')
        off--;
    return off;
}

int lang_column(const struct lang *L, struct pos pos, int *width_before)
{
    const struct lsrc *s = &L->files[pos.file];
    uint32_t i = line_start(s, pos.off);
    int col = 1, w = 0;
    while (i < pos.off && i < s->len) {
        int len;
        unsigned cp = decode((const unsigned char *)s->text + i, s->len - i, &len);
        w += cp == '\t' ? 1 : cells(cp);
        col++;
        i += (uint32_t)len;
    }
    if (width_before)
        *width_before = w;
    return col;
}

struct buf {
    char *p;
    size_t n, cap;
    int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (b->n + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0)
        put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

static int diag_cmp(const void *x, const void *y)
{
    const struct ldiag *a = x, *b = y;
    if (a->pos.file != b->pos.file)
        return a->pos.file < b->pos.file ? -1 : 1;
    if (a->pos.off != b->pos.off)
        return a->pos.off < b->pos.off ? -1 : 1;
    return 0;
}

char *lang_render(const struct lang *L)
{
    struct buf b = {0};
    struct ldiag *sorted = malloc((size_t)(L->ndiags ? L->ndiags : 1) * sizeof *sorted);
    if (!sorted)
        return NULL;
    if (L->ndiags)
        memcpy(sorted, L->diags, (size_t)L->ndiags * sizeof *sorted);
    /* stable: insertion sort keeps the order of diagnostics at one place */
    for (int i = 1; i < L->ndiags; i++) {
        struct ldiag d = sorted[i];
        int j = i;
        while (j > 0 && diag_cmp(&sorted[j - 1], &d) > 0) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = d;
    }
    put(&b, "", 0);
    for (int i = 0; i < L->ndiags; i++) {
        const struct ldiag *d = &sorted[i];
        const struct lsrc *s = &L->files[d->pos.file];
        int wb;
        int col = lang_column(L, d->pos, &wb);
        putf(&b, "%s:%u:%d: %s: %s\n", s->path, d->pos.line, col,
             d->warning ? "warning" : "error", d->msg);
        uint32_t ls = line_start(s, d->pos.off);
        uint32_t le = ls;
        while (le < s->len && s->text[le] != '\n' && s->text[le] != '\r')
            le++;
        char num[16];
        int nw = snprintf(num, sizeof num, "%u", d->pos.line);
        putf(&b, " %s | ", num);
        put(&b, s->text + ls, le - ls);
        putf(&b, "\n %*s | ", nw, "");
        /* padding: tabs stay tabs, everything else by display width */
        for (uint32_t k = ls; k < d->pos.off && k < le;) {
            int len;
            unsigned cp = decode((const unsigned char *)s->text + k, s->len - k, &len);
            if (cp == '\t')
                put(&b, "\t", 1);
            else
                for (int c = cells(cp); c > 0; c--)
                    put(&b, " ", 1);
            k += (uint32_t)len;
        }
        /* carets under the span, by display width, within the line */
        int carets = 0;
        for (uint32_t k = d->pos.off; k < d->pos.off + d->span && k < le;) {
            int len;
            unsigned cp = decode((const unsigned char *)s->text + k, s->len - k, &len);
            carets += cp == '\t' ? 1 : cells(cp);
            k += (uint32_t)len;
        }
        if (carets < 1)
            carets = 1;
        for (int c = 0; c < carets; c++)
            put(&b, "^", 1);
        put(&b, "\n", 1);
        if (d->hint[0])
            putf(&b, " %*s = %s\n", nw, "", d->hint);
    }
    free(sorted);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
