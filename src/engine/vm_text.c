/* vm_text.c - evidence and key text of the rules VM (vm.c).
 *
 * Owns: how a value prints (the formats of flags.csv's evidence, byte for
 * byte: num_format's trailing-zero rule for money, areas and shares, exact
 * fractions up to 18 decimals, dates YYYY-MM-DD, enumerations by their
 * contract spelling; yuan() as base/num.c's num_format_yuan, masked() as
 * base/idmask.c's idmask_value) and the 2 KiB rules of the evidence (a
 * piece is kept whole or the text ends with "; ...") and of the key (a key
 * item that does not fit is dropped).  Never: allocates.
 */
#include <string.h>

#include "base/date.h"
#include "base/idmask.h"
#include "base/num.h"
#include "engine/vm_int.h"
#include "policy/ir.h"

void vm_put(struct frame *f, const char *s, size_t n)
{
    if (f->tover)
        return;
    if (f->tn + n >= EV_MAX) {
        f->tover = 1;
        return;
    }
    memcpy(f->tmp + f->tn, s, n);
    f->tn += n;
}

static void put_i128(struct frame *f, i128 v)
{
    char buf[48];
    int i = 47;
    buf[i] = '\0';
    int neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    do {
        buf[--i] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (neg)
        buf[--i] = '-';
    vm_put(f, buf + i, (size_t)(47 - i));
}

/* n/d exactly when it has at most 18 decimals, else truncated to `dec`;
 * trailing zeros of the fraction dropped (num_format's manner). */
static void put_rat(struct frame *f, i128 n, i128 d, int dec)
{
    if (d == 1) {
        put_i128(f, n);
        return;
    }
    int neg = n < 0;
    if (neg)
        n = -n;
    i128 p = 1;
    int k = 0;
    while (k <= 18 && p % d != 0) {
        p *= 10;
        k++;
    }
    i128 scaled;
    if (k > 18 || __builtin_mul_overflow(n, p / d, &scaled)) {
        k = dec;
        p = 1;
        for (int i = 0; i < k; i++)
            p *= 10;
        if (__builtin_mul_overflow(n, p, &scaled)) {
            vm_put(f, "?", 1);
            return;
        }
        scaled /= d;
    }
    i128 ip = scaled / p, fp = scaled % p;
    if (neg && (ip || fp))
        vm_put(f, "-", 1);
    put_i128(f, ip);
    if (fp == 0)
        return;
    char frac[24];
    for (int i = k - 1; i >= 0; i--, fp /= 10)
        frac[i] = (char)('0' + (int)(fp % 10));
    int m = k;
    while (m > 0 && frac[m - 1] == '0')
        m--;
    vm_put(f, ".", 1);
    vm_put(f, frac, (size_t)m);
}

void vm_put_val(struct frame *f, const struct vval *v, int fmt, int en)
{
    if (v->miss)
        return;
    char buf[16];
    switch (fmt) {
    case FMT_TEXT: vm_put(f, v->p, v->n >= 0 ? (size_t)v->n : strlen(v->p)); return;
    case FMT_ENUM:
        if (v->n >= 0 && v->n < enum_defs[en].n)
            vm_put(f, enum_defs[en].names[(int)v->n], strlen(enum_defs[en].names[(int)v->n]));
        return;
    case FMT_DATE: date_format((int)v->n, buf); vm_put(f, buf, 10); return;
    case FMT_MONTH: month_format((int)v->n, buf); vm_put(f, buf, 7); return;
    case FMT_BOOL: vm_put(f, v->n ? "true" : "false", v->n ? 4 : 5); return;
    case FMT_MONEY: put_rat(f, v->n, v->d, 2); return;
    case FMT_YUAN: {   /* n/d yuan = n*100/d fen, two decimals */
        char y[64];
        i128 fen;
        if (__builtin_mul_overflow(v->n, (i128)100, &fen)) {
            vm_put(f, "?", 1);
            return;
        }
        num_format_yuan(fen, v->d, y);
        vm_put(f, y, strlen(y));
        return;
    }
    case FMT_MASKED: {   /* the whole text as one ID value; a longer one is cut */
        char in[128], out[128];
        size_t len = v->n >= 0 ? (size_t)v->n : strlen(v->p);
        if (len >= sizeof in)
            len = sizeof in - 1;
        memcpy(in, v->p, len);
        in[len] = '\0';
        size_t m = idmask_value(in, out, sizeof out);
        vm_put(f, out, m);
        return;
    }
    default: put_rat(f, v->n, v->d, 6); return;
    }
}

/* a piece is kept whole, or "; ..." ends the text */
void vm_piece_end(struct frame *f)
{
    if (f->truncated)
        return;
    if (f->tover || f->tn >= EV_MAX - f->n) {
        f->b[f->n] = '\0';
        if (f->n + 8 < EV_MAX)
            memcpy(f->b + f->n, "; ...", 6), f->n += 5;
        f->truncated = 1;
        return;
    }
    memcpy(f->b + f->n, f->tmp, f->tn);
    f->n += f->tn;
}

/* a key item that does not fit is dropped */
void vm_key_end(struct frame *f)
{
    if (f->tover || f->tn + 1 >= EV_MAX - f->kn)
        return;
    memcpy(f->k + f->kn, f->tmp, f->tn);
    f->kn += f->tn;
    f->k[f->kn++] = '\x1e';
}

