/* csvread.c - the RFC 4180 reader of csvread.h.
 *
 * Owns: record splitting, quote handling, the decode of a whole file.
 * Never: interprets a field, prints.
 */
#include "base/csvread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/encoding.h"
#include "base/fileio.h"

int csvr_open(struct csvr *r, const char *path, struct err *e)
{
    memset(r, 0, sizeof *r);
    r->line = 1;
    snprintf(r->path, sizeof r->path, "%s", path);
    char *raw = NULL;
    size_t n = 0;
    int st = fileio_read_all(path, &raw, &n, e);
    if (st != E_OK)
        return st;
    unsigned char *b = (unsigned char *)raw;
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        memmove(b, b + 3, n - 3);
        n -= 3;
        r->had_bom = 1;
    }
    b[n] = '\0';
    if (utf8_valid_prefix(b, n) != n) {
        struct decoded d;
        memset(&d, 0, sizeof d);
        if (enc_decode(path, b, n, ENC_GB18030, &d, e) == E_OK && d.n_bad == 0) {
            free(b);
            b = (unsigned char *)d.data;
            n = d.len;
            d.data = NULL;
            r->encoding_gb18030 = 1;
        } else {
            err_init(e);
        }
        decoded_free(&d);
    }
    r->buf = (char *)b;
    r->len = n;
    return E_OK;
}

static int rec_put(struct csvr *r, size_t *used, char c)
{
    if (*used + 1 >= r->cap_rec) {
        size_t nc = r->cap_rec ? r->cap_rec * 2 : 256;
        char *p = realloc(r->rec, nc);
        if (!p)
            return -1;
        r->rec = p;
        r->cap_rec = nc;
    }
    r->rec[(*used)++] = c;
    return 0;
}

int csvr_more(struct csvr *r, int *st, struct err *e)
{
    if (*st != E_OK)
        return 0;
    int k = csvr_next(r, e);
    if (k < 0)
        *st = e->code;
    return k > 0;
}

int csvr_next(struct csvr *r, struct err *e)
{
    /* blank lines are not records */
    while (r->pos < r->len) {
        if (r->buf[r->pos] == '\n') {
            r->pos++;
            r->line++;
        } else if (r->buf[r->pos] == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n') {
            r->pos += 2;
            r->line++;
        } else {
            break;
        }
    }
    if (r->pos >= r->len)
        return 0;
    r->rec_line = r->line;
    size_t used = 0;
    size_t offs[1024];
    int nf = 0;
    for (;;) {
        if (nf < 1024)
            offs[nf] = used;
        nf++;
        if (r->pos < r->len && r->buf[r->pos] == '"') {
            r->pos++;
            for (;;) {
                if (r->pos >= r->len) {
                    err_where(e, r->path, r->rec_line, 0);
                    ERR(e, E_PARSE, "a quote opened on line %lld is never closed", r->rec_line);
                    return -1;
                }
                char c = r->buf[r->pos];
                if (c == '"') {
                    if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '"') {
                        if (rec_put(r, &used, '"'))
                            goto nomem;
                        r->pos += 2;
                        continue;
                    }
                    r->pos++;
                    break;
                }
                if (c == '\n')
                    r->line++;
                if (rec_put(r, &used, c))
                    goto nomem;
                r->pos++;
            }
        }
        /* unquoted part (or what follows a closing quote) */
        while (r->pos < r->len) {
            char c = r->buf[r->pos];
            if (c == ',' || c == '\n')
                break;
            if (c == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n')
                break;
            if (rec_put(r, &used, c))
                goto nomem;
            r->pos++;
        }
        if (rec_put(r, &used, '\0'))
            goto nomem;
        if (r->pos < r->len && r->buf[r->pos] == ',') {
            r->pos++;
            continue;
        }
        if (r->pos < r->len && r->buf[r->pos] == '\r')
            r->pos++;
        if (r->pos < r->len && r->buf[r->pos] == '\n') {
            r->pos++;
            r->line++;
        }
        break;
    }
    if (nf > 1024)
        nf = 1024;
    if (nf > r->cap_field) {
        char **p = realloc(r->field, (size_t)nf * sizeof *p);
        if (!p)
            goto nomem;
        r->field = p;
        r->cap_field = nf;
    }
    for (int i = 0; i < nf; i++)
        r->field[i] = r->rec + offs[i];
    r->n_field = nf;
    return 1;
nomem:
    ERR(e, E_NOMEM, "out of memory while reading a CSV file");
    return -1;
}

void csvr_close(struct csvr *r)
{
    free(r->buf);
    free(r->rec);
    free(r->field);
    memset(r, 0, sizeof *r);
}

int csvr_col(const struct csvr *r, const char *name)
{
    for (int i = 0; i < r->n_field; i++) {
        const char *f = r->field[i];
        while (*f == ' ')
            f++;
        size_t n = strlen(f);
        while (n && f[n - 1] == ' ')
            n--;
        if (n == strlen(name) && strncmp(f, name, n) == 0)
            return i;
    }
    return -1;
}

/* ---------- files of the state directory ---------- */

const char *csvr_field(const struct csvr *r, int col)
{
    return col >= 0 && col < r->n_field ? r->field[col] : "";
}

int csvr_header(struct csvr *r, const char *const *names, int n, int n_required, int *col,
                struct err *e)
{
    int st = csvr_next(r, e);
    if (st < 0)
        return e->code;
    if (st == 0) {
        err_where(e, r->path, 1, 0);
        return ERR(e, E_PARSE, "empty file: no header row");
    }
    char missing[512] = "";
    for (int i = 0; i < n; i++) {
        col[i] = csvr_col(r, names[i]);
        if (col[i] < 0 && i < n_required) {
            size_t m = strlen(missing);
            snprintf(missing + m, sizeof missing - m, "%s%s", m ? ", " : "", names[i]);
        }
    }
    if (missing[0]) {
        err_where(e, r->path, 1, 0);
        return ERR(e, E_PARSE, "missing column(s): %s", missing);
    }
    return E_OK;
}
