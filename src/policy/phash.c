/* phash.c - the compiled policy's hash (lang.h policy_hash): what a
 * manifest, a snapshot, a check and the runs table of PostgreSQL record to
 * say which policy judged.
 *
 * Owns: the canonical serialisation.  Every number is written as 8 or 16
 * little-endian bytes, every text as its length and bytes, in this order:
 *   "hedui policy 1"; the program (ops: code x y a b c d, never the source
 *   line; constants and constant registers: n, d, missing, and a text's
 *   bytes; rules: catalogue id and severity; entries; registers, lets,
 *   lists; the unit register; the window's length; the severities by
 *   catalogue id); then each effective parameter, in the policy's order:
 *   its declaration's tokens (kind and bytes, from the name to the next
 *   item), and the override's when one is in force.
 * Never: reads files, allocates outside L's arena.
 */
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "policy/compile.h"
#include "policy/lang.h"

static void put_u64(XXH3_state_t *h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    XXH3_64bits_update(h, b, 8);
}

static void put_i128(XXH3_state_t *h, __int128 v)
{
    unsigned __int128 u = (unsigned __int128)v;
    put_u64(h, (uint64_t)u);
    put_u64(h, (uint64_t)(u >> 64));
}

static void put_text(XXH3_state_t *h, const char *s, size_t n)
{
    put_u64(h, n);
    XXH3_64bits_update(h, s, n);
}

static void put_val(XXH3_state_t *h, const struct vval *v)
{
    put_i128(h, v->n);
    put_i128(h, v->d);
    put_u64(h, v->miss);
    put_u64(h, v->p != NULL);
    if (v->p)   /* at compile time only texts have a pointer: n is their length */
        put_text(h, v->p, v->n > 0 ? (size_t)v->n : 0);
}

/* The tokens of a declaration: from its name to the next item. */
static int put_decl(XXH3_state_t *h, struct lang *L, struct token **cache, int *ncache,
                    struct pos at)
{
    int f = at.file;
    if (f < 0 || f >= L->nfiles)
        return -1;
    if (!cache[f]) {
        int nd = L->ndiags, ne = L->nerrors;
        cache[f] = lex_range(L, f, 0, (uint32_t)L->files[f].len, 1, &ncache[f]);
        L->ndiags = nd;
        L->nerrors = ne;
        if (!cache[f])
            return -1;
    }
    const struct token *t = cache[f];
    int n = ncache[f], i = 0;
    while (i < n && t[i].off < at.off)
        i++;
    for (; i < n; i++) {
        int k = t[i].kind;
        if (k == T_EOF || k == K_PARAM || k == K_RULE || k == K_DEFINE || k == K_OVERRIDE ||
            k == K_OFF || k == K_EXTENDS)
            break;
        put_u64(h, (uint64_t)k);
        put_text(h, L->files[f].text + t[i].off, t[i].len);
    }
    return 0;
}

int policy_hash(struct lang *L, const struct cpolicy *cp, const struct prog *P, char hex[17])
{
    XXH3_state_t *h = XXH3_createState();
    if (!h)
        return -1;
    XXH3_64bits_reset(h);
    const char magic[] = "hedui policy 1";
    put_text(h, magic, sizeof magic - 1);
    put_u64(h, (uint64_t)P->nops);
    for (int i = 0; i < P->nops; i++) {
        const struct op *o = &P->ops[i];
        const int32_t f[7] = {o->code, o->x, o->y, o->a, o->b, o->c, o->d};
        for (int k = 0; k < 7; k++)
            put_u64(h, (uint64_t)(int64_t)f[k]);
    }
    put_u64(h, (uint64_t)P->nconsts);
    for (int i = 0; i < P->nconsts; i++)
        put_val(h, &P->consts[i]);
    put_u64(h, (uint64_t)P->ncregs);
    for (int i = 0; i < P->ncregs; i++)
        put_val(h, &P->cregs[i]);
    put_u64(h, (uint64_t)P->nrules);
    for (int i = 0; i < P->nrules; i++) {
        put_u64(h, (uint64_t)P->rules[i].cat);
        put_u64(h, (uint64_t)P->rules[i].severity);
    }
    for (int e = 0; e < N_ENTRIES; e++) {
        put_u64(h, (uint64_t)P->entry[e][0]);
        put_u64(h, (uint64_t)P->entry[e][1]);
    }
    put_u64(h, (uint64_t)P->nregs);
    put_u64(h, (uint64_t)P->nmemo);
    put_u64(h, (uint64_t)P->nlists);
    put_u64(h, (uint64_t)P->reg_unit);
    put_u64(h, (uint64_t)(P->window_last - P->window_first));
    for (int i = 0; i < 32; i++)
        put_u64(h, (uint64_t)P->severity[i]);
    struct token *cache[LANG_MAX_FILES] = {0};
    int ncache[LANG_MAX_FILES] = {0};
    int st = 0;
    put_u64(h, (uint64_t)cp->nparams);
    for (int i = 0; i < cp->nparams && st == 0; i++) {
        const struct cparam *p = &cp->params[i];
        put_text(h, p->name, p->nlen);
        st = put_decl(h, L, cache, ncache, p->decl->pos);
        if (st == 0 && p->val && p->val != p->decl)
            st = put_decl(h, L, cache, ncache, p->val->pos);
    }
    XXH64_hash_t v = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    snprintf(hex, 17, "%016llx", (unsigned long long)v);
    return st;
}
