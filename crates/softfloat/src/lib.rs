//! IEEE 754 binary64 and binary32 arithmetic on bit patterns, in integer code, with
//! WebAssembly's semantics: round to nearest, ties to even; subnormals; signed zeros;
//! infinities; every NaN result is the canonical NaN (positive, quiet bit only), which
//! WebAssembly accepts wherever it allows a NaN.
//!
//! These are the float routines of the zisk backend: `czisk-runtime`'s build script
//! compiles this file to wasm32 (with the wide-arithmetic proposal, so that a 64x64-bit
//! product is one `i64.mul_wide_u`), czisk's own frontend translates the exported functions
//! to CLIF, and the backend calls them for `fadd`, `fmul`, ... Nothing here may touch
//! memory (no tables, no stack): the translated routines are pure functions of their
//! arguments. The host tests (`tests/ieee.rs`) compare every routine with the host's IEEE
//! operations.
//!
//! The f32 routines take and return binary32 bits in the low half of a u64 and ignore
//! the high half of their operands (a zisk register holding an f32 has anything there);
//! their results' high halves are zero or garbage, never read.
//!
//! Representation inside: a significand `sig` in a u64 with its leading one at bit 62,
//! standing for `sig / 2^62 * 2^(exp - bias)` with `exp` the biased exponent; the bits below
//! the format's mantissa are rounding bits, bit 0 a sticky bit. Both formats use the same
//! code with their mantissa width `M` and exponent width `E` as constants.

#![cfg_attr(not(test), no_std)]

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

const fn sign_bit<const M: u32, const E: u32>() -> u64 {
    1 << (M + E)
}
const fn exp_max<const E: u32>() -> i64 {
    (1 << E) - 1
}
const fn bias<const E: u32>() -> i64 {
    (1 << (E - 1)) - 1
}
const fn inf<const M: u32, const E: u32>() -> u64 {
    (exp_max::<E>() as u64) << M
}
const fn canonical_nan<const M: u32, const E: u32>() -> u64 {
    inf::<M, E>() | 1 << (M - 1)
}

#[inline(always)]
fn mul_wide(a: u64, b: u64) -> (u64, u64) {
    let p = a as u128 * b as u128;
    (p as u64, (p >> 64) as u64)
}

/// Divisions whose divisor is known non-zero (no panic path in the wasm).
#[inline(always)]
fn udiv(a: u64, b: u64) -> u64 {
    // SAFETY: every caller divides by a normalized significand or a square root estimate,
    // both at least 2^23.
    unsafe { core::hint::assert_unchecked(b != 0) };
    a / b
}
#[inline(always)]
fn urem(a: u64, b: u64) -> u64 {
    // SAFETY: as for `udiv`.
    unsafe { core::hint::assert_unchecked(b != 0) };
    a % b
}

/// `v >> d`, with a set bit 0 when any bit shifted out was set.
#[inline(always)]
fn shift_right_sticky(v: u64, d: i64) -> u64 {
    if d >= 63 {
        (v != 0) as u64
    } else {
        (v >> d) | ((v & ((1u64 << d) - 1)) != 0) as u64
    }
}

/// Rounds `sig / 2^62 * 2^(exp - bias)` to nearest-even and packs it with `sign` (the sign
/// bit in place). `sig` has its leading one at bit 62, or is smaller with `exp` <= 1.
#[inline(always)]
fn round_pack<const M: u32, const E: u32>(sign: u64, exp: i64, sig: u64) -> u64 {
    let round_bits = 62 - M;
    if exp >= exp_max::<E>() {
        return sign | inf::<M, E>();
    }
    let (exp, sig) = if exp <= 0 {
        (1, shift_right_sticky(sig, 1 - exp))
    } else {
        (exp, sig)
    };
    let half = 1u64 << (round_bits - 1);
    let rounded = (sig + (half - 1) + ((sig >> round_bits) & 1)) >> round_bits;
    // A carry out of the mantissa increments the exponent (up to infinity), as it should.
    sign | ((((exp - 1) as u64) << M) + rounded)
}

/// The significand with its implicit bit (leading one at bit `M`) and the exponent of a
/// finite non-zero value, subnormals normalized (their exponent then below 1).
#[inline(always)]
fn unpack_normalized<const M: u32, const E: u32>(x: u64) -> (u64, i64) {
    let mant = x & ((1 << M) - 1);
    let e = ((x >> M) as i64) & exp_max::<E>();
    if e == 0 {
        let n = mant.leading_zeros() as i64 - (63 - M as i64);
        (mant << n, 1 - n)
    } else {
        (mant | 1 << M, e)
    }
}

#[inline(always)]
fn add<const M: u32, const E: u32>(a: u64, b: u64) -> u64 {
    let sign = sign_bit::<M, E>();
    let abs = sign - 1;
    // x is the operand of larger magnitude; its sign is the result's (unless it is zero).
    let (aa, ab) = (a & abs, b & abs);
    let (xa, ya) = (aa.max(ab), aa.min(ab));
    let sx = (if aa < ab { b } else { a }) & sign;
    let subtract = (a ^ b) & sign != 0;
    let emax = exp_max::<E>();
    let ex = (xa >> M) as i64;
    let ey = (ya >> M) as i64;
    if ex == emax {
        if xa > inf::<M, E>() || (ya == inf::<M, E>() && subtract) {
            return canonical_nan::<M, E>();
        }
        return sx | xa;
    }
    if ya == 0 {
        return if xa == 0 { a & b & sign } else { sx | xa };
    }
    // Significands with the leading one at bit 61 (subnormals have exponent 1 and none).
    let mant = (1u64 << M) - 1;
    let mx = ((xa & mant) | ((ex != 0) as u64) << M) << (61 - M);
    let my = ((ya & mant) | ((ey != 0) as u64) << M) << (61 - M);
    let ex = ex.max(1);
    let ey = ey.max(1);
    let my = shift_right_sticky(my, ex - ey);
    let m = if subtract {
        let d = mx - my;
        if d == 0 {
            return 0;
        }
        d
    } else {
        mx + my
    };
    let n = m.leading_zeros() as i64 - 1;
    round_pack::<M, E>(sx, ex + 1 - n, m << n)
}

#[inline(always)]
fn mul<const M: u32, const E: u32>(a: u64, b: u64) -> u64 {
    let signb = sign_bit::<M, E>();
    let abs = signb - 1;
    let sign = (a ^ b) & signb;
    let emax = exp_max::<E>();
    let ea = ((a >> M) as i64) & emax;
    let eb = ((b >> M) as i64) & emax;
    if ea == emax || eb == emax {
        if a & abs > inf::<M, E>() || b & abs > inf::<M, E>() {
            return canonical_nan::<M, E>();
        }
        if a & abs == 0 || b & abs == 0 {
            return canonical_nan::<M, E>();
        }
        return sign | inf::<M, E>();
    }
    if a & abs == 0 || b & abs == 0 {
        return sign;
    }
    let (ma, ea) = unpack_normalized::<M, E>(a);
    let (mb, eb) = unpack_normalized::<M, E>(b);
    let (lo, hi) = mul_wide(ma << (62 - M), mb << (63 - M));
    let mut exp = ea + eb - bias::<E>() + 1;
    let (hi, lo) = if hi < 1 << 62 {
        exp -= 1;
        ((hi << 1) | (lo >> 63), lo << 1)
    } else {
        (hi, lo)
    };
    round_pack::<M, E>(sign, exp, hi | (lo != 0) as u64)
}

#[inline(always)]
fn div<const M: u32, const E: u32>(a: u64, b: u64) -> u64 {
    let signb = sign_bit::<M, E>();
    let abs = signb - 1;
    let sign = (a ^ b) & signb;
    let emax = exp_max::<E>();
    let ea = ((a >> M) as i64) & emax;
    let eb = ((b >> M) as i64) & emax;
    if ea == emax {
        if a & abs > inf::<M, E>() || eb == emax {
            return canonical_nan::<M, E>();
        }
        return sign | inf::<M, E>();
    }
    if eb == emax {
        if b & abs > inf::<M, E>() {
            return canonical_nan::<M, E>();
        }
        return sign;
    }
    if b & abs == 0 {
        if a & abs == 0 {
            return canonical_nan::<M, E>();
        }
        return sign | inf::<M, E>();
    }
    if a & abs == 0 {
        return sign;
    }
    let (mut ma, ea) = unpack_normalized::<M, E>(a);
    let (mb, eb) = unpack_normalized::<M, E>(b);
    let mut exp = ea - eb + bias::<E>();
    if ma < mb {
        ma <<= 1;
        exp -= 1;
    }
    // Long division, `chunk` quotient bits at a time (the remainder stays below mb <
    // 2^(M+1), so shifting it by 63 - M bits cannot overflow).
    let chunk = 63 - M;
    let steps = (M + 2).div_ceil(chunk);
    let mut q = 1u64;
    let mut r = ma - mb;
    let mut i = 0;
    while i < steps {
        r <<= chunk;
        q = (q << chunk) | udiv(r, mb);
        r = urem(r, mb);
        i += 1;
    }
    let sig = (q << (62 - chunk * steps)) | (r != 0) as u64;
    round_pack::<M, E>(sign, exp, sig)
}

/// floor(sqrt(n)) for n in [2^62, 2^64).
#[inline(always)]
fn isqrt_top(n: u64) -> u64 {
    // A line through [1, 2) or [2, 4) (n / 2^62), within 0.9%, then Newton from above.
    let t = n >> 32;
    let mut y = if n < 1 << 63 {
        1_277_102_000 + ((t * 54_292) >> 16)
    } else {
        1_806_036_000 + ((t * 38_390) >> 16)
    };
    y = (y + udiv(n, y)) >> 1;
    y = (y + udiv(n, y)) >> 1;
    y = (y + udiv(n, y)) >> 1;
    loop {
        let (lo, hi) = mul_wide(y, y);
        if hi == 0 && lo <= n {
            break;
        }
        y -= 1;
    }
    y
}

#[inline(always)]
fn sqrt<const M: u32, const E: u32>(a: u64) -> u64 {
    let signb = sign_bit::<M, E>();
    let abs = signb - 1;
    if a & abs == 0 {
        return a;
    }
    if a & signb != 0 || a & abs > inf::<M, E>() {
        return canonical_nan::<M, E>();
    }
    if a & abs == inf::<M, E>() {
        return a;
    }
    let (mut m, e) = unpack_normalized::<M, E>(a);
    let mut e = e - bias::<E>();
    if e & 1 != 0 {
        m <<= 1;
        e -= 1;
    }
    // s = floor(sqrt(N)) with N = m * 2^(124 - M) = n1 * 2^62, in [2^62, 2^63).
    let n1 = m << (62 - M);
    let s1 = isqrt_top(n1);
    let r1 = n1 - s1 * s1;
    let mut s = (s1 << 31) + udiv(r1 << 30, s1);
    let (n_lo, n_hi) = (n1 << 62, n1 >> 2);
    let below = |s: u64| {
        // s^2 <= N
        let (lo, hi) = mul_wide(s, s);
        hi < n_hi || (hi == n_hi && lo <= n_lo)
    };
    while !below(s) {
        s -= 1;
    }
    while below(s + 1) {
        s += 1;
    }
    let (lo, hi) = mul_wide(s, s);
    let exact = hi == n_hi && lo == n_lo;
    round_pack::<M, E>(0, (e >> 1) + bias::<E>(), s | (!exact) as u64)
}

/// The order of non-NaN values as signed integers (-0 below +0).
#[inline(always)]
fn order_key<const M: u32, const E: u32>(x: u64) -> i64 {
    let shift = 63 - (M + E);
    let v = ((x << shift) as i64) >> shift;
    v ^ (((v >> 63) as u64) >> 1) as i64
}

#[inline(always)]
fn min_max<const M: u32, const E: u32>(a: u64, b: u64, max: bool) -> u64 {
    let abs = sign_bit::<M, E>() - 1;
    if a & abs > inf::<M, E>() || b & abs > inf::<M, E>() {
        return canonical_nan::<M, E>();
    }
    let a_first = order_key::<M, E>(a) < order_key::<M, E>(b);
    if a_first != max {
        a
    } else {
        b
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rounding {
    Nearest,
    Floor,
    Ceil,
    Trunc,
}

#[inline(always)]
fn round_integral<const M: u32, const E: u32>(a: u64, mode: Rounding) -> u64 {
    let signb = sign_bit::<M, E>();
    let abs = signb - 1;
    let e = ((a >> M) as i64) & exp_max::<E>();
    let negative = a & signb != 0;
    if e >= bias::<E>() + M as i64 {
        // Already integral, infinite or NaN.
        if a & abs > inf::<M, E>() {
            return canonical_nan::<M, E>();
        }
        return a;
    }
    let one = (bias::<E>() as u64) << M;
    if e < bias::<E>() {
        // |a| < 1.
        if a & abs == 0 {
            return a;
        }
        let sign = a & signb;
        let up = match mode {
            Rounding::Trunc => false,
            Rounding::Floor => negative,
            Rounding::Ceil => !negative,
            // Above one half (a half rounds to the even 0).
            Rounding::Nearest => e == bias::<E>() - 1 && a & ((1 << M) - 1) != 0,
        };
        return sign | if up { one } else { 0 };
    }
    let frac_bits = (bias::<E>() + M as i64 - e) as u32;
    let mask = (1u64 << frac_bits) - 1;
    if a & mask == 0 {
        return a;
    }
    let bumped = match mode {
        Rounding::Trunc => a,
        Rounding::Floor => {
            if negative {
                a + mask
            } else {
                a
            }
        }
        Rounding::Ceil => {
            if negative {
                a
            } else {
                a + mask
            }
        }
        Rounding::Nearest => a + (mask >> 1) + ((a >> frac_bits) & 1),
    };
    // A carry into the exponent field is the right next integer.
    bumped & !mask
}

/// Rounds `sign * u` (u an unsigned integer) to the format.
#[inline(always)]
fn from_int<const M: u32, const E: u32>(sign: u64, u: u64) -> u64 {
    if u == 0 {
        return 0;
    }
    let n = u.leading_zeros();
    let top = u << n;
    let sig = (top >> 1) | (top & 1);
    round_pack::<M, E>(sign, bias::<E>() + 63 - n as i64, sig)
}

/// Truncates a value of magnitude below 2^64 towards zero, as the two's complement bits
/// of the integer (negative values negated).
#[inline(always)]
fn to_int<const M: u32, const E: u32>(a: u64) -> u64 {
    let e = ((a >> M) as i64) & exp_max::<E>();
    if e < bias::<E>() {
        return 0;
    }
    let m = (a & ((1 << M) - 1)) | 1 << M;
    let shift = e - bias::<E>() - M as i64;
    let u = if shift >= 0 { m << shift } else { m >> -shift };
    if a & sign_bit::<M, E>() != 0 {
        u.wrapping_neg()
    } else {
        u
    }
}

const D: (u32, u32) = (52, 11);
const S: (u32, u32) = (23, 8);

macro_rules! both {
    ($f64name:ident, $f32name:ident, |$a:ident, $b:ident| $body:ident) => {
        #[no_mangle]
        pub extern "C" fn $f64name($a: u64, $b: u64) -> u64 {
            $body::<{ D.0 }, { D.1 }>($a, $b)
        }
        #[no_mangle]
        pub extern "C" fn $f32name($a: u64, $b: u64) -> u64 {
            $body::<{ S.0 }, { S.1 }>($a, $b)
        }
    };
}

both!(f64_add, f32_add, |a, b| add);
both!(f64_mul, f32_mul, |a, b| mul);
both!(f64_div, f32_div, |a, b| div);

#[no_mangle]
pub extern "C" fn f64_sub(a: u64, b: u64) -> u64 {
    add::<{ D.0 }, { D.1 }>(a, b ^ 1 << 63)
}
#[no_mangle]
pub extern "C" fn f32_sub(a: u64, b: u64) -> u64 {
    add::<{ S.0 }, { S.1 }>(a, b ^ 1 << 31)
}
#[no_mangle]
pub extern "C" fn f64_sqrt(a: u64) -> u64 {
    sqrt::<{ D.0 }, { D.1 }>(a)
}
#[no_mangle]
pub extern "C" fn f32_sqrt(a: u64) -> u64 {
    sqrt::<{ S.0 }, { S.1 }>(a)
}
#[no_mangle]
pub extern "C" fn f64_min(a: u64, b: u64) -> u64 {
    min_max::<{ D.0 }, { D.1 }>(a, b, false)
}
#[no_mangle]
pub extern "C" fn f64_max(a: u64, b: u64) -> u64 {
    min_max::<{ D.0 }, { D.1 }>(a, b, true)
}
#[no_mangle]
pub extern "C" fn f32_min(a: u64, b: u64) -> u64 {
    min_max::<{ S.0 }, { S.1 }>(a, b, false)
}
#[no_mangle]
pub extern "C" fn f32_max(a: u64, b: u64) -> u64 {
    min_max::<{ S.0 }, { S.1 }>(a, b, true)
}

macro_rules! rounding {
    ($f64name:ident, $f32name:ident, $mode:ident) => {
        #[no_mangle]
        pub extern "C" fn $f64name(a: u64) -> u64 {
            round_integral::<{ D.0 }, { D.1 }>(a, Rounding::$mode)
        }
        #[no_mangle]
        pub extern "C" fn $f32name(a: u64) -> u64 {
            round_integral::<{ S.0 }, { S.1 }>(a, Rounding::$mode)
        }
    };
}
rounding!(f64_nearest, f32_nearest, Nearest);
rounding!(f64_floor, f32_floor, Floor);
rounding!(f64_ceil, f32_ceil, Ceil);
rounding!(f64_trunc, f32_trunc, Trunc);

#[no_mangle]
pub extern "C" fn f64_from_i64(x: i64) -> u64 {
    from_int::<{ D.0 }, { D.1 }>(((x < 0) as u64) << 63, x.unsigned_abs())
}
#[no_mangle]
pub extern "C" fn f64_from_u64(x: u64) -> u64 {
    from_int::<{ D.0 }, { D.1 }>(0, x)
}
#[no_mangle]
pub extern "C" fn f32_from_i64(x: i64) -> u64 {
    from_int::<{ S.0 }, { S.1 }>(((x < 0) as u64) << 31, x.unsigned_abs())
}
#[no_mangle]
pub extern "C" fn f32_from_u64(x: u64) -> u64 {
    from_int::<{ S.0 }, { S.1 }>(0, x)
}
/// Truncation towards zero of a value whose magnitude is below 2^64 (the caller has ruled
/// out NaNs and values out of the integer type's range): the integer's bits.
#[no_mangle]
pub extern "C" fn f64_to_int(a: u64) -> u64 {
    to_int::<{ D.0 }, { D.1 }>(a)
}
#[no_mangle]
pub extern "C" fn f32_to_int(a: u64) -> u64 {
    to_int::<{ S.0 }, { S.1 }>(a)
}

/// f32.demote_f64.
#[no_mangle]
pub extern "C" fn f32_demote(a: u64) -> u64 {
    let sign = (a >> 32) & 0x8000_0000;
    let e = ((a >> 52) & 0x7ff) as i64;
    let mant = a & ((1 << 52) - 1);
    if e == 0x7ff {
        return if mant != 0 {
            canonical_nan::<{ S.0 }, { S.1 }>()
        } else {
            sign | 0x7f80_0000
        };
    }
    if e == 0 && mant == 0 {
        return sign;
    }
    // A binary64 subnormal is far below binary32's range: only its stickiness matters.
    let sig = if e == 0 { 1 } else { (mant | 1 << 52) << 10 };
    round_pack::<{ S.0 }, { S.1 }>(sign, e - 1023 + 127, sig)
}

/// f64.promote_f32 (exact).
#[no_mangle]
pub extern "C" fn f64_promote(a: u64) -> u64 {
    let sign = (a & 0x8000_0000) << 32;
    let e = ((a >> 23) & 0xff) as i64;
    let mant = a & 0x7f_ffff;
    if e == 0xff {
        return if mant != 0 {
            canonical_nan::<{ D.0 }, { D.1 }>()
        } else {
            sign | inf::<{ D.0 }, { D.1 }>()
        };
    }
    if e == 0 && mant == 0 {
        return sign;
    }
    let (m, e) = unpack_normalized::<{ S.0 }, { S.1 }>(a);
    sign | ((e - 127 + 1023) as u64) << 52 | (m & ((1 << 23) - 1)) << 29
}
