/* packkey.h - the opaque key a township pack row carries, so that a filled
 * pack can be traced back to its findings without showing anyone outside
 * the bureau a fingerprint.
 *
 *   key     "K" + 24 lower-case hex digits: the first 96 bits of
 *           HMAC-SHA256(secret, "hedui-pack-key-v1:" + the fingerprint's
 *           16 hex digits).  A fingerprint with the rest of a row would
 *           give the masked birth date back by trial; the key cannot be
 *           computed without the secret, and says nothing of the finding.
 *           The leading letter keeps a spreadsheet from reading it as a
 *           number.
 *   secret  32 random bytes (getrandom), kept in the state directory as
 *           STATE/pack.key (64 hex digits and a newline, mode 0600), made
 *           by the first export that names the state.  A pack.key that
 *           group or others can read is refused.  With PostgreSQL the
 *           secret is the row of S.pack_secret (pg/pg_packkey.c).
 *   back    review import computes the key of every finding the state has
 *           recorded (findings.csv) and looks each pack row's key up.
 *
 * HMAC-SHA256 is OpenSSL's libcrypto (HMAC(), EVP_sha256()): libpq, which
 * hedui links already, is built on it, so it is in every hedui process and
 * its -dev package comes with libpq-dev; GnuTLS/nettle would be a second
 * crypto library for one function.
 *
 * Owns: the key's form, the secret's file.  Never: writes a pack, decides
 * a verdict.
 */
#ifndef ENGINE_PACKKEY_H
#define ENGINE_PACKKEY_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define PACKKEY_SECRET_BYTES 32
#define PACKKEY_CHARS 25   /* "K" + 24 hex digits */

struct packkey {
    unsigned char secret[PACKKEY_SECRET_BYTES];
};

/* The secret of the state directory state (which must exist): read
 * STATE/pack.key, or, when there is none and create is set, make one
 * (under the state's lock, so two exports make one secret).  E_NOINPUT when
 * there is none and !create; E_CONFIG for a malformed or too open file;
 * E_WRITE when it cannot be made. */
int packkey_from_state(const char *state, int create, struct packkey *k, struct err *e);

/* The secret as 64 hex digits (and a NUL), and back (0, or -1 when s is
 * not 64 hex digits, optionally followed by white space); a fresh random
 * one (0, or -1 with errno).  For a secret kept elsewhere (PostgreSQL). */
void packkey_hex(const struct packkey *k, char out[2 * PACKKEY_SECRET_BYTES + 1]);
int packkey_parse_hex(const char *s, struct packkey *k);
int packkey_random(struct packkey *k);

/* The key of fingerprint fp, NUL-terminated.  Can't fail. */
void packkey_of(const struct packkey *k, uint64_t fp, char out[PACKKEY_CHARS + 1]);

/* key -> fingerprint, over a set of fingerprints (the recorded findings). */
struct packkey_map {
    uint64_t *keyval;   /* the key's 96 bits folded to 64, 0 = empty slot */
    uint64_t *fp;
    size_t cap;         /* a power of two */
};
/* Build the map of fps[0..n).  E_OK or E_NOMEM. */
int packkey_map_build(struct packkey_map *m, const struct packkey *k, const uint64_t *fps,
                      size_t n, struct err *e);
/* 1 and *fp when s is the key of one of the map's fingerprints (case and
 * spaces around ignored); 0 otherwise. */
int packkey_map_find(const struct packkey_map *m, const struct packkey *k, const char *s,
                     uint64_t *fp);
void packkey_map_free(struct packkey_map *m);

#endif
