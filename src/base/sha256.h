/* sha256.h - SHA-256 (FIPS 180-4) of a byte string, and its base64 form.
 *
 * For a Content-Security-Policy that allows one inline script by its hash
 * ("script-src 'sha256-BASE64'", CSP level 2): the browser hashes the
 * script element's text and runs it only when the hash is listed, so the
 * page can forbid every other script, inline or fetched.  Not for secrets
 * or anything that needs a constant-time compare.
 *
 * Owns: the digest and the standard base64 alphabet (with '=' padding).
 * Never: allocates, reads a file or fails.
 */
#ifndef ENGINE_SHA256_H
#define ENGINE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
/* base64 of 32 bytes: 44 characters and a NUL. */
#define SHA256_B64_LEN 45

/* out = SHA-256 of p[0..n).  Cannot fail. */
void sha256(const void *p, size_t n, uint8_t out[SHA256_LEN]);

/* out = base64 (RFC 4648, padded) of SHA-256 of p[0..n), NUL-terminated:
 * the form a CSP hash source takes.  Cannot fail. */
void sha256_base64(const void *p, size_t n, char out[SHA256_B64_LEN]);

#endif
