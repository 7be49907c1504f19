/* auth.c - the tokens file and the hashes of auth.h (GnuTLS's SHA-256 and
 * HMAC).
 *
 * Owns: the tokens file's grammar and checks, the constant-time compare.
 * Never: keeps a token in clear beyond the call that hashes it.
 */
#include "serve/auth.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int auth_sha256(const void *data, size_t n, unsigned char out[32])
{
    return gnutls_hash_fast(GNUTLS_DIG_SHA256, data, n, out) == 0 ? 0 : -1;
}

int auth_hmac_sha256(const unsigned char *key, size_t key_n, const void *data, size_t n,
                     unsigned char out[32])
{
    return gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_n, data, n, out) == 0 ? 0 : -1;
}

void auth_hex(const unsigned char *b, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void auth_token_line(const char *token, size_t n, char *out, size_t out_n)
{
    unsigned char h[32];
    char hex[65];
    if (auth_sha256(token, n, h) != 0) {
        snprintf(out, out_n, "(hash failed)");
        return;
    }
    auth_hex(h, 32, hex);
    snprintf(out, out_n, "sha256:%s", hex);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= AUTH_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@'))
            return 0;
    }
    return 1;
}

/* One line "NAME sha256:HEX" into t; 0 or -1 with why. */
static int parse_line(char *s, struct auth_token *t, const char **why)
{
    char *sp = s + strcspn(s, " \t");
    if (*sp == '\0')
        return *why = "expected 'NAME sha256:HEX'", -1;
    *sp++ = '\0';
    sp += strspn(sp, " \t");
    size_t hl = strcspn(sp, " \t\r\n");
    if (sp[hl + strspn(sp + hl, " \t\r\n")] != '\0')
        return *why = "text after the hash", -1;
    if (!name_ok(s, strlen(s)))
        return *why = "the name must be 1-63 of A-Z a-z 0-9 . _ - @", -1;
    if (hl != 7 + 64 || strncmp(sp, "sha256:", 7) != 0)
        return *why = "the hash must be sha256: and 64 hex digits (hedui serve --hash-token)",
               -1;
    for (int i = 0; i < 32; i++) {
        int a = hexval(sp[7 + 2 * i]), b = hexval(sp[8 + 2 * i]);
        if (a < 0 || b < 0)
            return *why = "the hash must be sha256: and 64 hex digits", -1;
        t->hash[i] = (unsigned char)(a << 4 | b);
    }
    snprintf(t->name, sizeof t->name, "%s", s);
    return 0;
}

int auth_load_tokens(struct serve_auth *a, const char *path, struct err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ERR(e, errno == ENOENT ? E_NOINPUT : E_IO, "cannot open the tokens file %s: %s",
                   path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & (S_IWGRP | S_IWOTH))) {
        fclose(f);
        return ERR(e, E_CONFIG, "the tokens file %s is writable by group or others "
                                "(mode %03o): chmod 600 it", path, (unsigned)(sb.st_mode & 0777));
    }
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t got;
    int ln = 0, st = E_OK;
    while (st == E_OK && (got = getline(&line, &cap, f)) >= 0) {
        ln++;
        char *s = line + strspn(line, " \t");
        if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0')
            continue;
        if (a->n_tokens == alloc) {
            size_t nc = alloc ? alloc * 2 : 8;
            struct auth_token *nt = realloc(a->tokens, nc * sizeof *nt);
            if (!nt) {
                st = ERR(e, E_NOMEM, "out of memory while reading %s", path);
                break;
            }
            a->tokens = nt;
            alloc = nc;
        }
        const char *why = NULL;
        if (parse_line(s, &a->tokens[a->n_tokens], &why) != 0) {
            err_where(e, path, ln, 0);
            st = ERR(e, E_CONFIG, "%s", why);
            break;
        }
        a->n_tokens++;
    }
    free(line);
    fclose(f);
    if (st == E_OK && a->n_tokens == 0)
        st = ERR(e, E_CONFIG, "the tokens file %s has no token line", path);
    if (st == E_OK)
        a->have_tokens = 1;
    return st;
}

void auth_free(struct serve_auth *a)
{
    free(a->tokens);
    a->tokens = NULL;
    a->n_tokens = 0;
}

const char *auth_bearer(const struct serve_auth *a, const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    const char *tok = authorization + 7;
    tok += strspn(tok, " ");
    size_t n = strlen(tok);
    while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
        n--;
    if (n == 0)
        return NULL;
    unsigned char h[32];
    if (auth_sha256(tok, n, h) != 0)
        return NULL;
    const char *who = NULL;
    for (size_t i = 0; i < a->n_tokens; i++) {
        unsigned diff = 0;
        for (int k = 0; k < 32; k++)
            diff |= (unsigned)(h[k] ^ a->tokens[i].hash[k]);
        if (diff == 0 && !who)
            who = a->tokens[i].name;   /* keep looping: the same time for every line */
    }
    return who;
}
