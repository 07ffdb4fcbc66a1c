//! secp256k1 ECDSA public-key recovery and verification on ZisK's curve and 256-bit
//! modular arithmetic precompiles: field and scalar operations are `arith256_mod` calls,
//! point operations `secp256k1_add`/`_dbl` on affine points, and the two scalar
//! multiplications of ECDSA are one interleaved pass (Shamir's trick).

use crate::{arith256_mod, secp256k1_add, secp256k1_dbl, Point256, U256};

/// The field prime p.
const P: U256 = [0xFFFF_FFFE_FFFF_FC2F, u64::MAX, u64::MAX, u64::MAX];
/// The group order n.
const N: U256 = [
    0xBFD2_5E8C_D036_4141,
    0xBAAE_DCE6_AF48_A03B,
    0xFFFF_FFFF_FFFF_FFFE,
    u64::MAX,
];
/// The generator.
const G: Point256 = Point256 {
    x: [
        0x59F2_815B_16F8_1798,
        0x029B_FCDB_2DCE_28D9,
        0x55A0_6295_CE87_0B07,
        0x79BE_667E_F9DC_BBAC,
    ],
    y: [
        0x9C47_D08F_FB10_D4B8,
        0xFD17_B448_A685_5419,
        0x5DA4_FBFC_0E11_08A8,
        0x483A_DA77_26A3_C465,
    ],
};
const ZERO: U256 = [0; 4];
const ONE: U256 = [1, 0, 0, 0];

/// The public key that signed `prehash` with `(r, s)` and the given y parity of the
/// signature's R point; `None` for an invalid signature. Scalars are big-endian bytes, as
/// Ethereum carries them. High `s` values are accepted (EIP-2 is the caller's rule).
pub fn secp256k1_recover(
    prehash: &[u8; 32],
    r: &[u8; 32],
    s: &[u8; 32],
    odd_y: bool,
) -> Option<Point256> {
    let (r, s, z) = (from_be_bytes(r), from_be_bytes(s), from_be_bytes(prehash));
    if !is_scalar(&r) || !is_scalar(&s) {
        return None;
    }
    // R is the curve point with x = r (r < n < p) and the given parity.
    let y = curve_y(&r)?;
    let y = if (y[0] & 1 == 1) == odd_y {
        y
    } else {
        sub(&P, &y)
    };
    let big_r = Point256 { x: r, y };
    // Q = r⁻¹ (s R - z G) = (-z r⁻¹) G + (s r⁻¹) R.
    let r_inv = invert(&r, &N);
    let z = reduce(&z, &N);
    let u1 = mul(&negate(&z, &N), &r_inv, &N);
    let u2 = mul(&s, &r_inv, &N);
    double_scalar_mul(&u1, &G, &u2, &big_r)
}

/// Whether `(r, s)` is a valid signature of `prehash` by `public` (any `s` in range).
pub fn secp256k1_verify(prehash: &[u8; 32], r: &[u8; 32], s: &[u8; 32], public: &Point256) -> bool {
    let (r, s, z) = (from_be_bytes(r), from_be_bytes(s), from_be_bytes(prehash));
    if !is_scalar(&r) || !is_scalar(&s) || !on_curve(public) {
        return false;
    }
    let s_inv = invert(&s, &N);
    let u1 = mul(&reduce(&z, &N), &s_inv, &N);
    let u2 = mul(&r, &s_inv, &N);
    match double_scalar_mul(&u1, &G, &u2, public) {
        Some(point) => reduce(&point.x, &N) == r,
        None => false,
    }
}

/// `u1 A + u2 B`, `None` for the point at infinity.
fn double_scalar_mul(u1: &U256, a: &Point256, u2: &U256, b: &Point256) -> Option<Point256> {
    let mut sum = Some(*a);
    add_into(&mut sum, b);
    let mut acc: Option<Point256> = None;
    for bit in (0..256).rev() {
        if let Some(point) = acc.as_mut() {
            // secp256k1 has no point of order 2, so doubling never reaches infinity.
            secp256k1_dbl(point);
        }
        let addend = match (bit_of(u1, bit), bit_of(u2, bit)) {
            (false, false) => continue,
            (true, false) => Some(a),
            (false, true) => Some(b),
            (true, true) => sum.as_ref(),
        };
        if let Some(addend) = addend {
            add_into(&mut acc, addend);
        }
    }
    acc
}

/// `acc += q`, covering what the add instruction cannot: infinity, equal and opposite points.
fn add_into(acc: &mut Option<Point256>, q: &Point256) {
    match acc {
        None => *acc = Some(*q),
        Some(p) if p.x == q.x => {
            if p.y == q.y {
                secp256k1_dbl(p);
            } else {
                *acc = None;
            }
        }
        Some(p) => secp256k1_add(p, q),
    }
}

/// The y coordinate of the curve point with this x (y² = x³ + 7), either root.
fn curve_y(x: &U256) -> Option<U256> {
    let y2 = y_squared(x);
    // p ≡ 3 (mod 4): a square root of a is a^((p+1)/4).
    let y = pow(&y2, &shr2(&add_small(&P, 1)), &P);
    (mul(&y, &y, &P) == y2).then_some(y)
}

fn y_squared(x: &U256) -> U256 {
    let x2 = mul(x, x, &P);
    arith256_mod(&x2, x, &[7, 0, 0, 0], &P)
}

fn on_curve(point: &Point256) -> bool {
    lt(&point.x, &P) && lt(&point.y, &P) && mul(&point.y, &point.y, &P) == y_squared(&point.x)
}

fn is_scalar(v: &U256) -> bool {
    *v != ZERO && lt(v, &N)
}

fn mul(a: &U256, b: &U256, m: &U256) -> U256 {
    arith256_mod(a, b, &ZERO, m)
}

fn reduce(a: &U256, m: &U256) -> U256 {
    arith256_mod(a, &ONE, &ZERO, m)
}

/// `m - a` for `a` in `[0, m)`.
fn negate(a: &U256, m: &U256) -> U256 {
    if *a == ZERO {
        ZERO
    } else {
        sub(m, a)
    }
}

/// Fermat: a^(m-2) for prime m.
fn invert(a: &U256, m: &U256) -> U256 {
    pow(a, &sub(m, &[2, 0, 0, 0]), m)
}

fn pow(base: &U256, exponent: &U256, m: &U256) -> U256 {
    let mut result = ONE;
    for bit in (0..256).rev() {
        result = mul(&result, &result, m);
        if bit_of(exponent, bit) {
            result = mul(&result, base, m);
        }
    }
    result
}

fn bit_of(v: &U256, bit: usize) -> bool {
    v[bit / 64] >> (bit % 64) & 1 == 1
}

/// `a - b` for `a >= b`.
fn sub(a: &U256, b: &U256) -> U256 {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(borrow as u64);
        out[i] = d;
        borrow = b1 || b2;
    }
    out
}

fn add_small(a: &U256, k: u64) -> U256 {
    let mut out = *a;
    let mut carry = k;
    for limb in out.iter_mut() {
        let (sum, overflow) = limb.overflowing_add(carry);
        *limb = sum;
        carry = overflow as u64;
    }
    out
}

fn shr2(a: &U256) -> U256 {
    core::array::from_fn(|i| a[i] >> 2 | a.get(i + 1).map_or(0, |next| next << 62))
}

fn lt(a: &U256, b: &U256) -> bool {
    for i in (0..4).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// A 256-bit number from its big-endian bytes.
#[inline]
pub fn from_be_bytes(bytes: &[u8; 32]) -> U256 {
    core::array::from_fn(|i| {
        u64::from_be_bytes(bytes[32 - 8 * (i + 1)..32 - 8 * i].try_into().unwrap())
    })
}

/// Big-endian bytes of a 256-bit number (a point's coordinate, for hashing or output).
pub fn to_be_bytes(v: &U256) -> [u8; 32] {
    let mut out = [0u8; 32];
    for i in 0..4 {
        out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&v[i].to_be_bytes());
    }
    out
}
