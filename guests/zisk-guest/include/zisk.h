/* The `zisk` import namespace for C guests compiled to wasm32 (clang --target=wasm32-wasi).
 * See docs/zisk-namespace.md: pointers into linear memory, 8-byte aligned, checked by the
 * compiler's runtime (out-of-bounds and misaligned pointers trap). */
#ifndef ZISK_H
#define ZISK_H

#include <stdint.h>

/* Keccak-f[1600] on 25 little-endian 64-bit lanes, in place. */
__attribute__((import_module("zisk"), import_name("keccakf")))
void zisk_keccakf(uint64_t state[25]);

/* One SHA-256 compression of the 64-byte block into the eight state words, in place. */
__attribute__((import_module("zisk"), import_name("sha256f")))
void zisk_sha256f(uint32_t state[8], const uint8_t block[64]);

#endif
