/* packkey.c - pack keys: HMAC-SHA256 of a fingerprint under the state's
 * secret (see packkey.h).
 *
 * Owns: STATE/pack.key and the key's spelling.  Never: prints, shows a
 * secret in a message.
 */
#include "audit/packkey.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/fingerprint.h"
#include "audit/statedir.h"
#include "base/fileio.h"

static const char hexd[] = "0123456789abcdef";

/* ---------- the secret ---------- */

static int hexval(int c)
{
    c = tolower(c);
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void packkey_hex(const struct packkey *k, char out[2 * PACKKEY_SECRET_BYTES + 1])
{
    for (int i = 0; i < PACKKEY_SECRET_BYTES; i++) {
        out[2 * i] = hexd[k->secret[i] >> 4];
        out[2 * i + 1] = hexd[k->secret[i] & 15];
    }
    out[2 * PACKKEY_SECRET_BYTES] = '\0';
}

int packkey_parse_hex(const char *s, struct packkey *k)
{
    for (int i = 0; i < PACKKEY_SECRET_BYTES; i++) {
        int hi = hexval(s[2 * i]), lo = hi >= 0 ? hexval(s[2 * i + 1]) : -1;
        if (hi < 0 || lo < 0)
            return -1;
        k->secret[i] = (unsigned char)(hi * 16 + lo);
    }
    for (s += 2 * PACKKEY_SECRET_BYTES; *s; s++)
        if (!isspace((unsigned char)*s))
            return -1;
    return 0;
}

int packkey_random(struct packkey *k)
{
    size_t got = 0;
    while (got < sizeof k->secret) {
        ssize_t r = getrandom(k->secret + got, sizeof k->secret - got, 0);
        if (r < 0 && errno != EINTR)
            return -1;
        got += r > 0 ? (size_t)r : 0;
    }
    return 0;
}

static int read_secret(const char *path, struct packkey *k, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return ERR(e, E_NOINPUT, "%s does not exist", path);
        return ERR(e, E_CONFIG, "cannot open %s: %s", path, strerror(errno));
    }
    struct stat sb;
    char buf[2 * PACKKEY_SECRET_BYTES + 8];
    ssize_t n = -1;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && !(sb.st_mode & 077))
        n = read(fd, buf, sizeof buf);
    int mode_bad = fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 077);
    close(fd);
    if (mode_bad)
        return ERR(e, E_CONFIG, "%s is not a plain file of mode 0600 (the pack secret must "
                                "be readable by its owner only): chmod 600 it", path);
    if (n < 0 || (size_t)n >= sizeof buf || (buf[n] = '\0', packkey_parse_hex(buf, k) != 0))
        return ERR(e, E_CONFIG, "%s is not a pack secret (64 hex digits)", path);
    return E_OK;
}

static int fill_secret(FILE *f, void *ctx)
{
    char hex[2 * PACKKEY_SECRET_BYTES + 1];
    packkey_hex(ctx, hex);
    fprintf(f, "%s\n", hex);
    return E_OK;
}

int packkey_from_state(const char *state, int create, struct packkey *k, struct err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/pack.key", state);
    int st = statedir_exists(state, e);
    if (st != E_OK)
        return st;
    st = read_secret(path, k, e);
    if (st != E_NOINPUT || !create)
        return st;
    err_init(e);
    int fd = -1;
    st = statedir_lock(state, &fd, e);
    if (st == E_OK) {
        st = read_secret(path, k, e);   /* made meanwhile? */
        if (st == E_NOINPUT) {
            err_init(e);
            st = packkey_random(k) == 0
                     ? fileio_replace(path, fill_secret, k, e)
                     : ERR(e, E_WRITE, "cannot draw a random pack secret: %s", strerror(errno));
        }
    }
    statedir_unlock(fd);
    return st;
}

/* ---------- keys ---------- */

void packkey_of(const struct packkey *k, uint64_t fp, char out[PACKKEY_CHARS + 1])
{
    char msg[64], hex[17];
    review_fp_hex(fp, hex);
    int len = snprintf(msg, sizeof msg, "hedui-pack-key-v1:%s", hex);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    HMAC(EVP_sha256(), k->secret, PACKKEY_SECRET_BYTES, (const unsigned char *)msg,
         (size_t)len, md, &md_len);
    out[0] = 'K';
    for (int i = 0; i < 12; i++) {
        out[1 + 2 * i] = hexd[md[i] >> 4];
        out[2 + 2 * i] = hexd[md[i] & 15];
    }
    out[PACKKEY_CHARS] = '\0';
}

/* The first 64 bits of a key's digits, or 0 when s is not a key. */
static uint64_t key_bits(const char *s)
{
    if ((s[0] != 'K' && s[0] != 'k') || strlen(s) != PACKKEY_CHARS)
        return 0;
    uint64_t v = 0;
    for (int i = 1; i < PACKKEY_CHARS; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return 0;
        if (i <= 16)
            v = v << 4 | (uint64_t)h;
    }
    return v ? v : 1;
}

static size_t slot(uint64_t v, size_t cap)
{
    return (size_t)(v * 0x9E3779B97F4A7C15ull >> 7) & (cap - 1);
}

int packkey_map_build(struct packkey_map *m, const struct packkey *k, const uint64_t *fps,
                      size_t n, struct err *e)
{
    m->cap = 64;
    while (m->cap < 2 * n)
        m->cap *= 2;
    m->keyval = calloc(m->cap, sizeof *m->keyval);
    m->fp = calloc(m->cap, sizeof *m->fp);
    if (!m->keyval || !m->fp) {
        packkey_map_free(m);
        return ERR(e, E_NOMEM, "out of memory while tracing pack keys");
    }
    char key[PACKKEY_CHARS + 1];
    for (size_t i = 0; i < n; i++) {
        packkey_of(k, fps[i], key);
        uint64_t v = key_bits(key);
        size_t h = slot(v, m->cap);
        while (m->keyval[h])
            h = (h + 1) & (m->cap - 1);
        m->keyval[h] = v;
        m->fp[h] = fps[i];
    }
    return E_OK;
}

int packkey_map_find(const struct packkey_map *m, const struct packkey *k, const char *s,
                     uint64_t *fp)
{
    while (*s == ' ' || *s == '\t' || *s == '\'')
        s++;
    char want[PACKKEY_CHARS + 1];
    size_t n = 0;
    for (; *s && *s != ' ' && *s != '\t' && n < PACKKEY_CHARS; s++)
        want[n++] = (char)tolower((unsigned char)*s);
    want[n] = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s || !m->cap)
        return 0;
    want[0] = 'K';
    uint64_t v = key_bits(want);
    if (!v)
        return 0;
    char key[PACKKEY_CHARS + 1];
    for (size_t h = slot(v, m->cap); m->keyval[h]; h = (h + 1) & (m->cap - 1)) {
        if (m->keyval[h] != v)
            continue;
        packkey_of(k, m->fp[h], key);   /* all 96 bits, not only the 64 hashed */
        if (strcmp(key, want) == 0) {
            *fp = m->fp[h];
            return 1;
        }
    }
    return 0;
}

void packkey_map_free(struct packkey_map *m)
{
    free(m->keyval);
    free(m->fp);
    m->keyval = NULL;
    m->fp = NULL;
    m->cap = 0;
}
