//! The curve and quadratic-extension precompiles: secp256k1, secp256r1 and BN254 on
//! 256-bit coordinates, BLS12-381 on 384-bit ones, and the twisted Edwards curves ed25519 and
//! BabyJubJub. Each add-like operation writes its result over its first operand, each
//! doubling in place, as ZisK's instructions do; coordinates are little-endian words, in
//! canonical (not Montgomery) form. As ZisK's instructions, the short Weierstrass additions
//! need two points with different x coordinates (double with the `_dbl` operation; `p + (-p)`
//! has no affine result); the twisted Edwards additions are complete (`p + p` doubles, the
//! identity is `(0, 1)`).

#[cfg(target_arch = "wasm32")]
use crate::raw;
use crate::Point256;

/// A point with 384-bit coordinates (BLS12-381 G1).
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point384 {
    pub x: [u64; 6],
    pub y: [u64; 6],
}

/// An element `c0 + c1·u` of a quadratic extension with `u² = -1` (BN254's Fp2), 256-bit
/// parts.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Complex256 {
    pub c0: [u64; 4],
    pub c1: [u64; 4],
}

/// The same with 384-bit parts (BLS12-381's Fp2).
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Complex384 {
    pub c0: [u64; 6],
    pub c1: [u64; 6],
}

/// `a = a op b` through the import of that name, or natively through ziskos's syscall on its
/// struct of the same layout.
macro_rules! binary {
    ($(#[$doc:meta])* $name:ident, $ty:ty, $syscall:ident, $native:ident) => {
        $(#[$doc])*
        pub fn $name(a: &mut $ty, b: &$ty) {
            #[cfg(target_arch = "wasm32")]
            // SAFETY: two valid, 8-byte aligned operands of the size the import reads.
            unsafe {
                raw::$name(a as *mut $ty as *mut u64, b as *const $ty as *const u64)
            };
            #[cfg(target_os = "none")]
            // SAFETY: ziskos's struct is two word arrays, the same layout as ours.
            unsafe {
                ziskos::syscalls::$syscall(
                    &mut *(a as *mut $ty as *mut ziskos::syscalls::$native),
                    &*(b as *const $ty as *const ziskos::syscalls::$native),
                )
            };
        }
    };
}

/// `p = 2p` through the import of that name, or ziskos's syscall natively.
macro_rules! unary {
    ($(#[$doc:meta])* $name:ident, $ty:ty, $syscall:ident, $native:ident) => {
        $(#[$doc])*
        pub fn $name(p: &mut $ty) {
            #[cfg(target_arch = "wasm32")]
            // SAFETY: a valid, 8-byte aligned point.
            unsafe {
                raw::$name(p as *mut $ty as *mut u64)
            };
            #[cfg(target_os = "none")]
            // SAFETY: as in `binary!`.
            unsafe {
                ziskos::syscalls::$syscall(&mut *(p as *mut $ty as *mut ziskos::syscalls::$native))
            };
        }
    };
}

binary!(/// `p1 = p1 + p2` on secp256k1.
    secp256k1_add, Point256, syscall_secp256k1_add, SyscallPoint256);
unary!(/// `p = 2p` on secp256k1.
    secp256k1_dbl, Point256, syscall_secp256k1_dbl, SyscallPoint256);
binary!(/// `p1 = p1 + p2` on secp256r1 (P-256).
    secp256r1_add, Point256, syscall_secp256r1_add, SyscallPoint256);
unary!(/// `p = 2p` on secp256r1.
    secp256r1_dbl, Point256, syscall_secp256r1_dbl, SyscallPoint256);
binary!(/// `p1 = p1 + p2` on BN254's G1.
    bn254_curve_add, Point256, syscall_bn254_curve_add, SyscallPoint256);
unary!(/// `p = 2p` on BN254's G1.
    bn254_curve_dbl, Point256, syscall_bn254_curve_dbl, SyscallPoint256);
binary!(/// `a = a + b` in BN254's Fp2.
    bn254_complex_add, Complex256, syscall_bn254_complex_add, SyscallComplex256);
binary!(/// `a = a - b` in BN254's Fp2.
    bn254_complex_sub, Complex256, syscall_bn254_complex_sub, SyscallComplex256);
binary!(/// `a = a · b` in BN254's Fp2.
    bn254_complex_mul, Complex256, syscall_bn254_complex_mul, SyscallComplex256);
binary!(/// `p1 = p1 + p2` on BLS12-381's G1.
    bls12_381_curve_add, Point384, syscall_bls12_381_curve_add, SyscallPoint384);
unary!(/// `p = 2p` on BLS12-381's G1.
    bls12_381_curve_dbl, Point384, syscall_bls12_381_curve_dbl, SyscallPoint384);
binary!(/// `a = a + b` in BLS12-381's Fp2.
    bls12_381_complex_add, Complex384, syscall_bls12_381_complex_add, SyscallComplex384);
binary!(/// `a = a - b` in BLS12-381's Fp2.
    bls12_381_complex_sub, Complex384, syscall_bls12_381_complex_sub, SyscallComplex384);
binary!(/// `a = a · b` in BLS12-381's Fp2.
    bls12_381_complex_mul, Complex384, syscall_bls12_381_complex_mul, SyscallComplex384);
binary!(/// `p1 = p1 + p2` on ed25519 (edwards25519: `-x² + y² = 1 + d·x²·y²` over 2^255 - 19).
    ed25519_add, Point256, syscall_ed25519_add, SyscallPoint256);
binary!(/// `p1 = p1 + p2` on BabyJubJub (`168700·x² + y² = 1 + 168696·x²·y²` over BN254's
    /// scalar field, as circomlib's).
    babyjubjub_add, Point256, syscall_babyjubjub_add, SyscallPoint256);
