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

/* secp256k1: points are x then y, each four little-endian 64-bit words. p1 = p1 + p2. */
__attribute__((import_module("zisk"), import_name("secp256k1_add")))
void zisk_secp256k1_add(uint64_t p1[8], const uint64_t p2[8]);

/* p = 2p on secp256k1. */
__attribute__((import_module("zisk"), import_name("secp256k1_dbl")))
void zisk_secp256k1_dbl(uint64_t p[8]);

/* dh:dl = a * b + c on 256-bit numbers (four little-endian 64-bit words). */
__attribute__((import_module("zisk"), import_name("arith256")))
void zisk_arith256(const uint64_t a[4], const uint64_t b[4], const uint64_t c[4], uint64_t dl[4], uint64_t dh[4]);

/* d = (a * b + c) mod m on 256-bit numbers. */
__attribute__((import_module("zisk"), import_name("arith256_mod")))
void zisk_arith256_mod(const uint64_t a[4], const uint64_t b[4], const uint64_t c[4], const uint64_t m[4], uint64_t d[4]);

/* The guest input's length in bytes. */
__attribute__((import_module("zisk"), import_name("input_len")))
uint64_t zisk_input_len(void);

/* Copies input bytes [offset, offset + len) to dst (fewer if the input ends first);
 * returns how many. */
__attribute__((import_module("zisk"), import_name("read_input")))
uint32_t zisk_read_input(void *dst, uint64_t offset, uint32_t len);

/* Sets word `index` (0..63) of the public output. */
__attribute__((import_module("zisk"), import_name("set_output")))
void zisk_set_output(uint32_t index, uint32_t value);

#endif
