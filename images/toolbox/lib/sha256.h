/* SHA-256 (FIPS 180-4) for sha256sum: incremental, no dependencies. */

#ifndef TB_SHA256_H
#define TB_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t state[8];
  uint64_t length;
  uint8_t block[64];
  size_t used;
} tb_sha256;

void tb_sha256_init(tb_sha256 *h);
void tb_sha256_update(tb_sha256 *h, const void *data, size_t len);
void tb_sha256_final(tb_sha256 *h, uint8_t digest[32]);

#endif
