/* policy.c - reads rules/policy.rules into struct policy.
 *
 * Owns: the grammar of policy.rules, the run settings (the rules, their
 * numbers and severities are the rules language's, policy/):
 *
 *     # comment                 (also after a value: "key = 5  # note")
 *     [section]
 *     key = value
 *
 * Every (section, key) the engine knows is in the table `keys` below with
 * its type; an unknown section or key, a repeated key, a value of the wrong
 * type and a missing key are all refused with file:line and the reason, so
 * a typo can never silently fall back to a default.  Never reads feeds.
 */
#include "contract/policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/num.h"

enum ktype { K_TEXT, K_RATIO, K_INT };

struct keydef {
    const char *section, *key;
    enum ktype type;
    size_t off;                       /* offset in struct policy */
};

#define OFF(f) offsetof(struct policy, f)

static const struct keydef keys[] = {
    {"policy", "version", K_TEXT, OFF(version)},
    {"input", "reject_limit", K_RATIO, OFF(reject_limit)},
    {"income", "window_months", K_INT, OFF(income_months)},
    {"weights", "high", K_INT, OFF(weight[SEV_HIGH])},
    {"weights", "medium", K_INT, OFF(weight[SEV_MEDIUM])},
    {"weights", "low", K_INT, OFF(weight[SEV_LOW])},
    {"spotcheck", "dibao", K_RATIO, OFF(spot_ratio[PROG_DIBAO])},
    {"spotcheck", "tekun", K_RATIO, OFF(spot_ratio[PROG_TEKUN])},
    {"spotcheck", "dishouru", K_RATIO, OFF(spot_ratio[PROG_DISHOURU])},
    {"input", "feed_drop_limit", K_RATIO, OFF(feed_drop_limit)},
    {"check", "snapshot_max_age_days", K_INT, OFF(snapshot_max_age_days)},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *key_name(const struct keydef *k)
{
    return k->key;
}

int rational_parse(const char *s, struct rational *out)
{
    size_t len = strlen(s);
    int pct = 0;
    if (len > 0 && s[len - 1] == '%') {
        pct = 1;
        len--;
        while (len > 0 && s[len - 1] == ' ')
            len--;
    }
    int64_t v;
    /* up to 6 decimals, scaled by 10^6 */
    if (num_parse_fixed(s, len, 6, 6, &v) != NUM_OK)
        return -1;
    out->num = v;
    out->den = pct ? 100000000LL : 1000000LL;
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int parse_int(const char *v, int lo, int hi, int *out)
{
    errno = 0;
    char *end;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

static int parse_value(struct policy *p, const struct keydef *k, char *v,
                       const char *path, int line, struct err *e)
{
    void *dst = (char *)p + k->off;
    switch (k->type) {
    case K_TEXT:
        if (*v == '\0' || strlen(v) >= sizeof p->version)
            goto bad;
        snprintf(p->version, sizeof p->version, "%s", v);
        return E_OK;
    case K_RATIO: {
        struct rational r;
        if (rational_parse(v, &r) != 0)
            goto bad;
        *(struct rational *)dst = r;
        return E_OK;
    }
    case K_INT:
        if (parse_int(v, 0, 1000000, (int *)dst) != 0)
            goto bad;
        return E_OK;
    }
bad:
    err_where(e, path, line, 0);
    return ERR(e, E_CONFIG, "[%s] %s: bad value '%s'", k->section, key_name(k), v);
}

int policy_load(struct policy *p, const char *path, struct err *e)
{
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ERR(e, errno == ENOENT ? E_NOINPUT : E_IO, "cannot open rules file %s: %s",
                   path, strerror(errno));
    int seen[N_KEYS];
    memset(seen, 0, sizeof seen);
    char section[64] = "";
    char buf[1024];
    int line = 0;
    int st = E_OK;
    XXH64_state_t *hs = XXH64_createState();
    if (!hs) {
        fclose(f);
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    }
    XXH64_reset(hs, 0);
    /* whole lines (getline, not fgets: a NUL byte must not cut a line in
     * two and put the line numbers off) */
    char *lbuf = NULL;
    size_t lcap = 0;
    ssize_t got;
    while (st == E_OK && (got = getline(&lbuf, &lcap, f)) > 0) {
        line++;
        size_t blen = (size_t)got;
        XXH64_update(hs, lbuf, blen);
        if (blen - (lbuf[blen - 1] == '\n') > sizeof buf - 2) {
            err_where(e, path, line, 0);
            st = ERR(e, E_CONFIG, "line longer than %zu bytes", sizeof buf - 2);
            break;
        }
        if (memchr(lbuf, '\0', blen)) {
            err_where(e, path, line, 0);
            st = ERR(e, E_CONFIG, "NUL byte in the line; save the file as UTF-8 text");
            break;
        }
        memcpy(buf, lbuf, blen + 1);
        if (line == 1 && blen >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            memmove(buf, buf + 3, blen - 2);   /* a UTF-8 BOM from a Windows editor */
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(buf);
        size_t n = strlen(s);
        if (n && s[n - 1] == '\n')
            s[--n] = '\0';
        s = trim(s);
        if (*s == '\0')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || trim(close + 1)[0] != '\0') {
                err_where(e, path, line, 1);
                st = ERR(e, E_CONFIG, "malformed section header '%s' (write [name])", s);
                break;
            }
            *close = '\0';
            char *name = trim(s + 1);
            int known = 0;
            for (size_t i = 0; i < N_KEYS; i++)
                if (strcmp(keys[i].section, name) == 0)
                    known = 1;
            if (!known) {
                err_where(e, path, line, 1);
                st = ERR(e, E_CONFIG, "unknown section [%s]: policy.rules holds the run "
                                      "settings ([policy] [input] [income] [weights] "
                                      "[spotcheck] [check]); a rule's numbers and severity "
                                      "are written in the .policy file (rules/LANGUAGE.md)",
                         name);
                break;
            }
            snprintf(section, sizeof section, "%s", name);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            err_where(e, path, line, 1);
            st = ERR(e, E_CONFIG, "expected 'key = value', found '%s'", s);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (section[0] == '\0') {
            err_where(e, path, line, 1);
            st = ERR(e, E_CONFIG, "'%s' appears before any [section]", key);
            break;
        }
        size_t ki = N_KEYS;
        for (size_t i = 0; i < N_KEYS; i++)
            if (strcmp(keys[i].section, section) == 0 && strcmp(key_name(&keys[i]), key) == 0)
                ki = i;
        if (ki == N_KEYS) {
            err_where(e, path, line, 1);
            st = ERR(e, E_CONFIG, "unknown key '%s' in [%s]", key, section);
            break;
        }
        if (seen[ki]) {
            err_where(e, path, line, 1);
            st = ERR(e, E_CONFIG, "'%s' in [%s] is set twice (first on line %d)", key,
                     section, seen[ki]);
            break;
        }
        seen[ki] = line;
        st = parse_value(p, &keys[ki], val, path, line, e);
    }
    free(lbuf);
    if (st == E_OK && ferror(f))
        st = ERR(e, E_IO, "cannot read rules file %s", path);
    fclose(f);
    snprintf(p->hash, sizeof p->hash, "%016llx", (unsigned long long)XXH64_digest(hs));
    XXH64_freeState(hs);
    if (st != E_OK)
        return st;
    for (size_t i = 0; i < N_KEYS; i++) {
        if (!seen[i]) {
            err_where(e, path, line, 0);
            return ERR(e, E_CONFIG, "missing key '%s' in [%s]; every policy value must be set",
                       key_name(&keys[i]), keys[i].section);
        }
    }
    /* value ranges that the types cannot express */
    if (p->income_months < 1 || p->income_months > 120) {
        err_where(e, path, seen[2], 0);
        return ERR(e, E_CONFIG, "[income] window_months must be 1..120");
    }
    if (p->reject_limit.num > p->reject_limit.den) {
        err_where(e, path, seen[1], 0);
        return ERR(e, E_CONFIG, "[input] reject_limit must be at most 100%%");
    }
    return E_OK;
}
