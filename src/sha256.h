/* sha256.h - SHA-256 (FIPS 180-4) for the manifest's input checksums.
 * Pure, thread-safe. */
#ifndef ENGINE_SHA256_H
#define ENGINE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t n_bytes;
    unsigned char buf[64];
    size_t n_buf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Lower-case hex digest, NUL-terminated. */
void sha256_hex(struct sha256 *s, char out[65]);

#endif
