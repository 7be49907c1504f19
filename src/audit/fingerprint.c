/* fingerprint.c - the fingerprint of a finding (see fingerprint.h).
 *
 * Owns: the hash input (tag, rule, key, sorted evidence key items) and the
 * hex spelling.  Never: reads or writes files; changes no flag.
 */
#include "audit/fingerprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "contract/policy.h"

struct item {
    const char *p;
    size_t n;
};

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int r = memcmp(x->p, y->p, n);
    if (r)
        return r;
    return x->n < y->n ? -1 : x->n > y->n;
}

uint64_t review_fingerprint(const struct flag *f)
{
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_64bits_reset(&st);
    static const char tag[] = "hedui-fp-1";
    XXH3_64bits_update(&st, tag, sizeof tag);
    const char *parts[4] = {rule_names[f->rule], f->household_id, f->hukou_no, f->id_no};
    for (int i = 0; i < 4; i++)
        XXH3_64bits_update(&st, parts[i], strlen(parts[i]) + 1);
    /* key items, sorted: the order of rows in a feed does not matter */
    struct item it[128];
    int n = 0;
    const char *k = f->evkey ? f->evkey : "";
    while (*k) {
        const char *end = strchr(k, '\x1e');
        size_t len = end ? (size_t)(end - k) : strlen(k);
        if (n < 128) {
            it[n].p = k;
            it[n].n = len;
            n++;
        } else {
            /* beyond 128 items (never in practice): hashed in order */
            XXH3_64bits_update(&st, k, len);
            XXH3_64bits_update(&st, "\x1e", 1);
        }
        k += len + (end ? 1 : 0);
    }
    if ((size_t)n > 1)
        qsort(it, (size_t)n, sizeof it[0], cmp_item);
    for (int i = 0; i < n; i++) {
        XXH3_64bits_update(&st, it[i].p, it[i].n);
        XXH3_64bits_update(&st, "\x1e", 1);
    }
    uint64_t h = XXH3_64bits_digest(&st);
    return h ? h : 1;   /* 0 means "not computed" */
}

void review_fp_hex(uint64_t fp, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)fp);
}

int review_fp_parse(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int i;
    for (i = 0; s[i]; i++) {
        int c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        if (i >= 16)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    if (i != 16 || v == 0)
        return -1;
    *out = v;
    return 0;
}
