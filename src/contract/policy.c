/* policy.c - reads rules/policy.rules into struct policy.
 *
 * Owns: the settings of policy.rules (the rules, their numbers and
 * severities are the rules language's, policy/; the grammar, comments and
 * sections are inifile.c's):
 * Every (section, key) the engine knows is in the table `keys` below with
 * its type; an unknown section or key, a repeated key, a value of the wrong
 * type and a missing key are all refused with file:line and the reason, so
 * a typo can never silently fall back to a default.  Never reads feeds.
 */
#include "contract/policy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/fileio.h"
#include "base/num.h"
#include "contract/inifile.h"

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


struct loading {
    struct policy *p;
    const char *path;
    int seen[N_KEYS];
};

static int on_section(void *ctx, const char *name, int line, struct err *e)
{
    struct loading *ld = ctx;
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].section, name) == 0)
            return E_OK;
    err_where(e, ld->path, line, 1);
    return ERR(e, E_CONFIG, "unknown section [%s]: policy.rules holds the run settings "
                            "([policy] [input] [income] [weights] [spotcheck] [check]); a "
                            "rule's numbers and severity are written in the .policy file "
                            "(rules/README.md)", name);
}

static int on_setting(void *ctx, const char *section, const char *key, char *val, int line,
                      struct err *e)
{
    struct loading *ld = ctx;
    size_t ki = N_KEYS;
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(key_name(&keys[i]), key) == 0)
            ki = i;
    if (ki == N_KEYS) {
        err_where(e, ld->path, line, 1);
        return ERR(e, E_CONFIG, "unknown key '%s' in [%s]", key, section);
    }
    if (ld->seen[ki]) {
        err_where(e, ld->path, line, 1);
        return ERR(e, E_CONFIG, "'%s' in [%s] is set twice (first on line %d)", key, section,
                   ld->seen[ki]);
    }
    ld->seen[ki] = line;
    return parse_value(ld->p, &keys[ki], val, ld->path, line, e);
}

int policy_load(struct policy *p, const char *path, struct err *e)
{
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s", path);
    snprintf(p->hash, sizeof p->hash, "%016llx", (unsigned long long)XXH64("", 0, 0));
    char *text = NULL;
    size_t len = 0;
    int st = fileio_read_all(path, &text, &len, e);
    if (st != E_OK)
        return st;
    struct loading ld;
    memset(&ld, 0, sizeof ld);
    ld.p = p;
    ld.path = path;
    static const struct ini_cb cb = {on_section, on_setting};
    int line = 0;
    st = ini_parse(path, text, len, &cb, &ld, p->hash, &line, e);
    free(text);
    if (st != E_OK)
        return st;
    const int *seen = ld.seen;
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
