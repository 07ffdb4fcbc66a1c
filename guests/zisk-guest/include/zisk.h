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

/* d = (a * b + c) mod m on 384-bit numbers (six little-endian 64-bit words). */
__attribute__((import_module("zisk"), import_name("arith384_mod")))
void zisk_arith384_mod(const uint64_t a[6], const uint64_t b[6], const uint64_t c[6], const uint64_t m[6], uint64_t d[6]);

/* c = a + b + cin on 256-bit numbers (any non-zero cin counts as 1); returns the carry out
 * (0 or 1). */
__attribute__((import_module("zisk"), import_name("add256")))
uint32_t zisk_add256(const uint64_t a[4], const uint64_t b[4], uint32_t cin, uint64_t c[4]);

/* secp256r1 (P-256), points as for secp256k1: p1 = p1 + p2. */
__attribute__((import_module("zisk"), import_name("secp256r1_add")))
void zisk_secp256r1_add(uint64_t p1[8], const uint64_t p2[8]);

/* p = 2p on secp256r1. */
__attribute__((import_module("zisk"), import_name("secp256r1_dbl")))
void zisk_secp256r1_dbl(uint64_t p[8]);

/* BN254 G1, points as for secp256k1: p1 = p1 + p2. */
__attribute__((import_module("zisk"), import_name("bn254_curve_add")))
void zisk_bn254_curve_add(uint64_t p1[8], const uint64_t p2[8]);

/* p = 2p on BN254 G1. */
__attribute__((import_module("zisk"), import_name("bn254_curve_dbl")))
void zisk_bn254_curve_dbl(uint64_t p[8]);

/* BN254 Fp2 (c0 then c1, four words each, u^2 = -1): f1 = f1 + f2. */
__attribute__((import_module("zisk"), import_name("bn254_complex_add")))
void zisk_bn254_complex_add(uint64_t f1[8], const uint64_t f2[8]);

/* BN254 Fp2 (c0 then c1, four words each, u^2 = -1): f1 = f1 - f2. */
__attribute__((import_module("zisk"), import_name("bn254_complex_sub")))
void zisk_bn254_complex_sub(uint64_t f1[8], const uint64_t f2[8]);

/* BN254 Fp2 (c0 then c1, four words each, u^2 = -1): f1 = f1 * f2. */
__attribute__((import_module("zisk"), import_name("bn254_complex_mul")))
void zisk_bn254_complex_mul(uint64_t f1[8], const uint64_t f2[8]);

/* BLS12-381 G1, x then y, six little-endian 64-bit words each: p1 = p1 + p2. */
__attribute__((import_module("zisk"), import_name("bls12_381_curve_add")))
void zisk_bls12_381_curve_add(uint64_t p1[12], const uint64_t p2[12]);

/* p = 2p on BLS12-381 G1. */
__attribute__((import_module("zisk"), import_name("bls12_381_curve_dbl")))
void zisk_bls12_381_curve_dbl(uint64_t p[12]);

/* BLS12-381 Fp2 (c0 then c1, six words each, u^2 = -1): f1 = f1 + f2. */
__attribute__((import_module("zisk"), import_name("bls12_381_complex_add")))
void zisk_bls12_381_complex_add(uint64_t f1[12], const uint64_t f2[12]);

/* BLS12-381 Fp2 (c0 then c1, six words each, u^2 = -1): f1 = f1 - f2. */
__attribute__((import_module("zisk"), import_name("bls12_381_complex_sub")))
void zisk_bls12_381_complex_sub(uint64_t f1[12], const uint64_t f2[12]);

/* BLS12-381 Fp2 (c0 then c1, six words each, u^2 = -1): f1 = f1 * f2. */
__attribute__((import_module("zisk"), import_name("bls12_381_complex_mul")))
void zisk_bls12_381_complex_mul(uint64_t f1[12], const uint64_t f2[12]);

/* One round of BLAKE2b's compression on the working vector (sixteen 64-bit words), in place,
 * with the message block's words in the order of row `round` (0..9) of the message
 * schedule; any other round traps. */
__attribute__((import_module("zisk"), import_name("blake2b_round")))
void zisk_blake2b_round(uint32_t round, uint64_t state[16], const uint64_t input[16]);

/* BLAKE2s's ten rounds on the working vector (sixteen 32-bit words), in place, with the
 * 64-byte message block (no set-up, no feed-forward). */
__attribute__((import_module("zisk"), import_name("blake2sf")))
void zisk_blake2sf(uint32_t state[16], const uint32_t input[16]);

/* BLAKE3's seven rounds, likewise. */
__attribute__((import_module("zisk"), import_name("blake3f")))
void zisk_blake3f(uint32_t state[16], const uint32_t input[16]);

/* ZisK's Poseidon2 permutation over Goldilocks, width 16: sixteen 64-bit elements below
 * p = 2^64 - 2^32 + 1, in place. */
__attribute__((import_module("zisk"), import_name("poseidon2")))
void zisk_poseidon2(uint64_t state[16]);

/* ZisK's Poseidon permutation over Goldilocks, width 16, likewise. */
__attribute__((import_module("zisk"), import_name("poseidon1")))
void zisk_poseidon1(uint64_t state[16]);

/* ZisK's Poseidon2 permutation over KoalaBear, width 16: sixteen 32-bit elements in
 * Montgomery form (x * 2^32 mod p, p = 2^31 - 2^24 + 1), each below p, in place. */
__attribute__((import_module("zisk"), import_name("poseidon2_koalabear")))
void zisk_poseidon2_koalabear(uint32_t state[16]);

/* ed25519 (twisted Edwards, complete addition; identity (0, 1)): points x then y, four
 * little-endian 64-bit words each. p1 = p1 + p2. */
__attribute__((import_module("zisk"), import_name("ed25519_add")))
void zisk_ed25519_add(uint64_t p1[8], const uint64_t p2[8]);

/* BabyJubJub (circomlib's: 168700 x^2 + y^2 = 1 + 168696 x^2 y^2), points as for ed25519.
 * p1 = p1 + p2. */
__attribute__((import_module("zisk"), import_name("babyjubjub_add")))
void zisk_babyjubjub_add(uint64_t p1[8], const uint64_t p2[8]);

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
