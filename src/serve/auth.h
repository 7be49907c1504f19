/* auth.h - who may call `hedui serve`, and the hashes it keeps of secrets.
 *
 * Callers are named three ways: a client certificate's subject (TLS with
 * --client-ca, checked in http.c), a bearer token (--tokens FILE), or, on
 * loopback and Unix sockets without tokens, "local" with the peer.  The
 * tokens file holds no token, only its SHA-256:
 *
 *   # name            hash of the token (hedui serve --hash-token < token)
 *   caseworker-0107   sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *
 * A request's "Authorization: Bearer TOKEN" is hashed and compared with
 * every line in constant time; the name of the matching line is the
 * caller.  The file may not be writable by group or others.
 *
 * Owns: the tokens file, SHA-256 and HMAC-SHA-256 (GnuTLS), hex.
 * Never: logs or keeps a token in clear, prints.
 */
#ifndef ENGINE_SERVE_AUTH_H
#define ENGINE_SERVE_AUTH_H

#include <stddef.h>

#include "base/err.h"

#define AUTH_NAME_MAX 64

struct auth_token {
    char name[AUTH_NAME_MAX];
    unsigned char hash[32];
};

struct serve_auth {
    struct auth_token *tokens;   /* malloc'd */
    size_t n_tokens;
    int have_tokens;             /* --tokens given: /v1/ needs a bearer token */
    int client_certs;            /* --client-ca given: a verified certificate names the caller */
};

/* Read a tokens file (format above).  E_NOINPUT, E_IO, E_CONFIG (file:line
 * and the reason; also a file writable by group or others), E_NOMEM. */
int auth_load_tokens(struct serve_auth *a, const char *path, struct err *e);
void auth_free(struct serve_auth *a);

/* The caller's name when `authorization` (the header's value, or NULL) is
 * "Bearer TOKEN" for a token of the file; NULL otherwise. */
const char *auth_bearer(const struct serve_auth *a, const char *authorization);

/* "sha256:<64 hex>" of token[0..n) into out (at least 72 bytes). */
void auth_token_line(const char *token, size_t n, char *out, size_t out_n);

/* SHA-256 and HMAC-SHA-256; 0, or -1 when GnuTLS fails. */
int auth_sha256(const void *data, size_t n, unsigned char out[32]);
int auth_hmac_sha256(const unsigned char *key, size_t key_n, const void *data, size_t n,
                     unsigned char out[32]);
/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void auth_hex(const unsigned char *b, size_t n, char *out);

#endif
