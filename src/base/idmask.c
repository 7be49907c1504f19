/* idmask.c - ID runs in free text masked 6+4; the stderr filter; CONNINFO
 * passwords overwritten (see idmask.h for the rules).
 *
 * Owns: the byte-level recognition of ID characters and separators, the
 * masking of one run, and the line-holding stderr stream.  Never: decides
 * whether an ID is valid, allocates while masking, or drops text (what is
 * not an ID run is copied byte for byte).
 */
#include "base/idmask.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MASK_MIN 15      /* ID characters that make a run an ID number */
#define SEP_MAX_RUN 3    /* separators in a row inside one run (" - ") */
#define MAX_GROUPS 32

/* ---------- characters ---------- */

/* ASCII or full-width digit at s: its byte length, else 0. */
static size_t id_digit(const unsigned char *s)
{
    if (*s >= '0' && *s <= '9')
        return 1;
    if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99)
        return 3;
    return 0;
}

/* X or x, ASCII or full-width (U+FF38, U+FF58). */
static size_t id_x(const unsigned char *s)
{
    if (*s == 'X' || *s == 'x')
        return 1;
    if (s[0] == 0xEF && ((s[1] == 0xBC && s[2] == 0xB8) || (s[1] == 0xBD && s[2] == 0x98)))
        return 3;
    return 0;
}

/* A separator allowed inside a run: its byte length, else 0. */
static size_t id_sep(const unsigned char *s)
{
    if (*s == ' ' || *s == '\t' || *s == '-')
        return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0)                           /* U+00A0 */
        return 2;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)           /* U+3000 */
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x90 && s[2] <= 0x93)   /* U+2010..2013 */
        return 3;
    if (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8D)           /* U+FF0D */
        return 3;
    return 0;
}

/* Length of the UTF-8 sequence led by c (a stray byte counts as one). */
static size_t u8len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* ---------- one run ---------- */

struct run {
    const unsigned char *end;  /* one past the run */
    size_t n_id;               /* ID characters (digits and a final X) */
    int n_groups;              /* digit groups between separators */
    size_t group[MAX_GROUPS];  /* ID characters per group */
    int overflow;              /* more groups than recorded */
};

/* The run starting at the digit p: digits, up to SEP_MAX_RUN separators
 * between two digits, an X ending it. */
static void scan_run(const unsigned char *p, struct run *r)
{
    memset(r, 0, sizeof *r);
    r->n_groups = 1;
    size_t k;
    for (;;) {
        while ((k = id_digit(p)) != 0) {
            p += k;
            r->n_id++;
            r->group[r->n_groups - 1]++;
        }
        if ((k = id_x(p)) != 0) {
            p += k;
            r->n_id++;
            r->group[r->n_groups - 1]++;
            break;
        }
        /* separators, then a digit: the run goes on */
        const unsigned char *q = p;
        int seps = 0;
        while (seps < SEP_MAX_RUN && (k = id_sep(q)) != 0) {
            q += k;
            seps++;
        }
        if (seps == 0 || !id_digit(q))
            break;
        if (r->n_groups == MAX_GROUPS) {
            r->overflow = 1;
            break;
        }
        p = q;
        r->n_groups++;
    }
    r->end = p;
}

/* Groups that read as dates and months joined by separators (4-2-2 or
 * 4-2, repeated: "2026-01-01 2026-06-30", "2026-05 2026-06"), not an ID. */
static int is_date_chain(const struct run *r)
{
    int g = 0;
    while (g < r->n_groups) {
        if (r->group[g] != 4 || g + 1 >= r->n_groups || r->group[g + 1] != 2)
            return 0;
        g += 2;
        if (g < r->n_groups && r->group[g] == 2)
            g++;
    }
    return 1;
}

/* Is the run (with no group of 15 or more: see has_long_group) an ID?
 * Over-masking is the safe side: a list of numbers that adds up to 15
 * digits or more, one separator apart, is masked as well. */
static int run_is_id(const struct run *r)
{
    if (r->n_groups == 1)
        return r->n_id >= MASK_MIN;
    return r->n_id >= MASK_MIN && (r->overflow || !is_date_chain(r));
}

static int has_long_group(const struct run *r)
{
    for (int g = 0; g < r->n_groups && g < MAX_GROUPS; g++)
        if (r->group[g] >= MASK_MIN)
            return 1;
    return 0;
}

/* Copy [p, end) to out at *o, masking ID characters 7 .. n_id-4 when mask
 * is set.  Never writes past n - 1.  Returns 0 when out is full. */
static int emit(const unsigned char *p, const unsigned char *end, size_t n_id, int mask,
                char *out, size_t n, size_t *o)
{
    size_t idx = 0, k;
    while (p < end) {
        int is_id = (k = id_digit(p)) != 0 || (k = id_x(p)) != 0;
        if (!is_id)
            k = id_sep(p);
        if (!k)
            k = 1;
        if (is_id && mask && idx >= 6 && idx + 4 < n_id) {
            if (*o + 1 >= n)
                return 0;
            out[(*o)++] = '*';
        } else {
            if (*o + k >= n)
                return 0;
            memmove(out + *o, p, k);
            *o += k;
        }
        if (is_id)
            idx++;
        p += k;
    }
    return 1;
}

size_t idmask_text(const char *s, char *out, size_t n)
{
    if (n == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    /* in place (out == s) is safe: o never passes p, as a masked run is
     * never longer than the run */
    while (*p) {
        if (!id_digit(p)) {
            /* the characters up to the next ID character, copied at once
             * (evidence is mostly such text: one memmove per character
             * cost a third of report.html); cut at a character boundary
             * when out is full, as one character at a time would be */
            const unsigned char *q = p;
            int full = 0;
            while (*q && !id_digit(q)) {
                size_t k = u8len(*q), avail = 1;
                while (avail < k && q[avail])
                    avail++;
                if (o + (size_t)(q - p) + avail >= n) {
                    full = 1;
                    break;
                }
                q += avail;
            }
            memmove(out + o, p, (size_t)(q - p));
            o += (size_t)(q - p);
            p = q;
            if (full)
                break;
            continue;
        }
        struct run r;
        scan_run(p, &r);
        if (r.n_groups > 1 && has_long_group(&r)) {
            /* "line 12 110105..." : each group decides on its own */
            struct run first;
            memset(&first, 0, sizeof first);
            const unsigned char *q = p;
            size_t k;
            while ((k = id_digit(q)) != 0) {
                q += k;
                first.n_id++;
            }
            if ((k = id_x(q)) != 0) {
                q += k;
                first.n_id++;
            }
            if (!emit(p, q, first.n_id, first.n_id >= MASK_MIN, out, n, &o))
                break;
            p = q;
            continue;
        }
        if (!emit(p, r.end, r.n_id, run_is_id(&r), out, n, &o))
            break;
        p = r.end;
    }
    out[o] = '\0';
    return o;
}

int idmask_has_id(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (!id_digit(p)) {
            p++;
            continue;
        }
        struct run r;
        scan_run(p, &r);
        if (r.n_groups > 1 && has_long_group(&r))
            return 1;
        if (run_is_id(&r))
            return 1;
        p = r.end;
    }
    return 0;
}

size_t idmask_value(const char *id, char *out, size_t n)
{
    if (n == 0)
        return 0;
    size_t chars = 0, len = strlen(id);
    for (size_t i = 0; i < len; i += u8len((unsigned char)id[i]))
        chars++;
    size_t o = 0, k = 0;
    for (size_t i = 0; i < len; k++) {
        size_t cl = u8len((unsigned char)id[i]);
        if (i + cl > len)
            cl = len - i;
        int keep = chars >= MASK_MIN && (k < 6 || k >= chars - 4);
        size_t w = keep ? cl : 1;
        if (o + w >= n)
            break;
        if (keep)
            memmove(out + o, id + i, cl);
        else
            out[o] = '*';
        o += w;
        i += cl;
    }
    out[o] = '\0';
    return o;
}

/* ---------- the stderr filter ---------- */

/* Bytes are held until a line ends; a line longer than the buffer is let
 * out in pieces, but never inside a run of ID characters and separators
 * (the tail that could still grow into an ID stays behind). */
#define FILTER_BUF 8192

struct filter {
    int fd;
    size_t len;
    char buf[FILTER_BUF + 1];
    char masked[FILTER_BUF + 1];
};

static struct filter *g_filter;
static FILE *g_filter_stream;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Mask and write buf[0..upto), keep the rest. */
static int filter_flush(struct filter *f, size_t upto)
{
    char keep = f->buf[upto];
    f->buf[upto] = '\0';
    size_t m = idmask_text(f->buf, f->masked, sizeof f->masked);
    f->buf[upto] = keep;
    int rc = write_all(f->fd, f->masked, m);
    memmove(f->buf, f->buf + upto, f->len - upto);
    f->len -= upto;
    return rc;
}

/* Where a run of ID characters and separators at the end of buf[0..len)
 * starts (len if the buffer does not end inside one). */
static size_t tail_start(const struct filter *f)
{
    size_t i = f->len;
    while (i > 0) {
        unsigned char c = (unsigned char)f->buf[i - 1];
        if ((c >= '0' && c <= '9') || c == ' ' || c == '\t' || c == '-' || c >= 0x80)
            i--;
        else
            break;
    }
    return i;
}

static ssize_t filter_write(void *cookie, const char *p, size_t n)
{
    struct filter *f = cookie;
    size_t done = 0;
    while (done < n) {
        size_t room = FILTER_BUF - f->len;
        size_t take = n - done < room ? n - done : room;
        memcpy(f->buf + f->len, p + done, take);
        f->len += take;
        done += take;
        /* whole lines out */
        char *nl = memrchr(f->buf, '\n', f->len);
        if (nl && filter_flush(f, (size_t)(nl - f->buf) + 1) != 0)
            return -1;
        if (f->len == FILTER_BUF) {
            size_t t = tail_start(f);
            if (t < FILTER_BUF / 2)
                t = FILTER_BUF / 2;   /* a pathological run: let half out */
            if (filter_flush(f, t) != 0)
                return -1;
        }
    }
    return (ssize_t)n;
}

static int filter_close(void *cookie)
{
    struct filter *f = cookie;
    int rc = f->len ? filter_flush(f, f->len) : 0;
    free(f);
    return rc;
}

static void filter_at_exit(void)
{
    if (!g_filter_stream)
        return;
    fflush(g_filter_stream);
    if (g_filter && g_filter->len)
        filter_flush(g_filter, g_filter->len);
}

int idmask_filter_stderr(void)
{
    if (g_filter_stream)
        return 0;
    struct filter *f = malloc(sizeof *f);
    if (!f)
        return -1;
    f->fd = STDERR_FILENO;
    f->len = 0;
    cookie_io_functions_t io = {NULL, filter_write, NULL, filter_close};
    FILE *s = fopencookie(f, "w", io);
    if (!s) {
        free(f);
        return -1;
    }
    setvbuf(s, NULL, _IOLBF, 0);
    g_filter = f;
    g_filter_stream = s;
    stderr = s;
    atexit(filter_at_exit);
    return 0;
}

/* ---------- CONNINFO passwords ---------- */

static void stars(char *p, size_t n)
{
    memset(p, '*', n);
}

/* "password = value" pairs of the keyword form: value is unquoted up to
 * white space, or quoted with '...' and \ escapes. */
static size_t scrub_keywords(char *s)
{
    size_t done = 0;
    for (char *p = s; (p = strstr(p, "password")) != NULL;) {
        /* sslpassword (a client key's pass phrase) is a secret too */
        char *w = (p - s >= 3 && strncmp(p - 3, "ssl", 3) == 0) ? p - 3 : p;
        int at_word = w == s || w[-1] == ' ' || w[-1] == '\t' || w[-1] == '?' || w[-1] == '&';
        char *q = p + 8;
        p = q;
        if (!at_word)
            continue;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q != '=')
            continue;
        q++;
        while (*q == ' ' || *q == '\t')
            q++;
        char *v = q;
        if (*q == '\'') {
            v = ++q;   /* the quotes stay */
            while (*q && *q != '\'') {
                if (*q == '\\' && q[1])
                    q++;
                q++;
            }
        } else {
            /* unquoted: to white space, or to & in a URI's parameters */
            while (*q && *q != ' ' && *q != '\t' && *q != '&')
                q++;
        }
        stars(v, (size_t)(q - v));
        done += (size_t)(q - v);
        p = q;
    }
    return done;
}

/* postgres[ql]://user:password@host...: the password of the user info. */
static size_t scrub_uri(char *s)
{
    size_t done = 0;
    for (char *p = s; (p = strstr(p, "://")) != NULL; p += 3) {
        int pg = (p - s >= 8 && strncmp(p - 8, "postgres", 8) == 0) ||
                 (p - s >= 10 && strncmp(p - 10, "postgresql", 10) == 0);
        if (!pg)
            continue;
        char *auth = p + 3;
        size_t alen = strcspn(auth, "/?# \t");
        char *at = NULL;
        for (size_t i = 0; i < alen; i++)
            if (auth[i] == '@')
                at = auth + i;   /* the last @ of the authority ends the user info */
        if (!at)
            continue;
        char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (!colon)
            continue;
        stars(colon + 1, (size_t)(at - colon - 1));
        done += (size_t)(at - colon - 1);
    }
    return done;
}

size_t conninfo_scrub_password(char *s)
{
    return scrub_uri(s) + scrub_keywords(s);
}
