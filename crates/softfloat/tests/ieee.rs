//! Every routine against the host's IEEE 754 operations, with WebAssembly's rule for NaN
//! results (any NaN result must be the canonical NaN, which is what the routines return):
//! all pairs of special operands (zeros, subnormals, normal limits, halfway cases,
//! infinities, NaNs with payloads), then seeded random operands of several shapes.
//! `SOFTFLOAT_CASES` sets the random cases per operation (default 1,000,000; the seed is
//! `SOFTFLOAT_SEED`, default 0x5eed). f32 operands carry garbage in their high halves.

use czisk_softfloat::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn cases() -> usize {
    std::env::var("SOFTFLOAT_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}
fn rng() -> Rng {
    Rng(std::env::var("SOFTFLOAT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed))
}

fn specials64() -> Vec<u64> {
    let mut v: Vec<f64> = vec![
        0.0,
        1.0,
        0.5,
        1.5,
        2.0,
        3.0,
        0.1,
        1.0 / 3.0,
        2.5,
        -2.5,
        3.5,
        0.49999999999999994,
        4503599627370496.0, // 2^52
        4503599627370497.0, // 2^52 + 1
        4503599627370495.5, // 2^52 - 0.5
        9007199254740992.0, // 2^53
        9007199254740993.0, // (rounds)
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::EPSILON,
        1.0 + f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        9.223372036854775e18,
        1.8446744073709552e19,
        2147483648.0,
        4294967296.0,
        1e300,
        1e-300,
        1234.5678,
        -0.0314159,
        f64::INFINITY,
    ];
    v.extend(v.clone().iter().map(|x| -x));
    let mut bits: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
    for b in [
        1u64,
        2,
        3,
        0x000f_ffff_ffff_ffff,
        0x0008_0000_0000_0000,
        0x0010_0000_0000_0001,
        0x7fef_ffff_ffff_ffff,
        0x7ff8_0000_0000_0000,
        0x7ff8_0000_0000_0001,
        0x7ff0_0000_0000_0001,
        0x7ff4_0000_0000_0000,
        0xfff8_0000_0000_0000,
        0xffff_ffff_ffff_ffff,
        0x3ff0_0000_0000_0001,
        0x3fef_ffff_ffff_ffff,
        0x4340_0000_0000_0001,
        0x3cb0_0000_0000_0000,
    ] {
        bits.push(b);
        bits.push(b ^ 1 << 63);
    }
    bits
}

fn specials32() -> Vec<u32> {
    let mut v: Vec<f32> = vec![
        0.0,
        1.0,
        0.5,
        1.5,
        2.0,
        3.0,
        0.1,
        1.0 / 3.0,
        2.5,
        3.5,
        0.49999997,
        8388608.0,
        8388609.0,
        8388607.5,
        16777216.0,
        16777217.0,
        f32::MIN_POSITIVE,
        f32::MAX,
        f32::EPSILON,
        1.0 + f32::EPSILON,
        2147483648.0,
        4294967296.0,
        9.223372e18,
        1.8446744e19,
        1e38,
        1e-38,
        1234.5678,
        -0.0314159,
        f32::INFINITY,
    ];
    v.extend(v.clone().iter().map(|x| -x));
    let mut bits: Vec<u32> = v.iter().map(|x| x.to_bits()).collect();
    for b in [
        1u32,
        2,
        3,
        0x007f_ffff,
        0x0040_0000,
        0x0080_0001,
        0x7f7f_ffff,
        0x7fc0_0000,
        0x7fc0_0001,
        0x7f80_0001,
        0x7fa0_0000,
        0x3f80_0001,
        0x3f7f_ffff,
        0x4b80_0001,
    ] {
        bits.push(b);
        bits.push(b ^ 1 << 31);
    }
    bits
}

/// Random operands: uniform bits; around 1 (close exponents, cancellation); small
/// (subnormal) ones; and ones with few mantissa bits (exact and halfway results).
fn random64(r: &mut Rng) -> u64 {
    let x = r.next();
    match r.next() % 6 {
        0 | 1 => x,
        2 => (x & 0x800f_ffff_ffff_ffff) | ((0x3fc + r.next() % 8) << 52),
        3 => x & 0x801f_ffff_ffff_ffff,
        4 => (x & 0xfff0_0000_0000_0000) | (r.next() & 0xf) << (r.next() % 52),
        _ => (x & 0x800f_ffff_ffff_ffff) | ((r.next() % 0x7ff) << 52),
    }
}
fn random32(r: &mut Rng) -> u32 {
    let x = r.next() as u32;
    match r.next() % 6 {
        0 | 1 => x,
        2 => (x & 0x807f_ffff) | ((0x7c + (r.next() % 8) as u32) << 23),
        3 => x & 0x80ff_ffff,
        4 => (x & 0xff80_0000) | ((r.next() & 0xf) as u32) << (r.next() % 23),
        _ => (x & 0x807f_ffff) | (((r.next() % 0xff) as u32) << 23),
    }
}

/// An f32's bits with anything in the high half, as a zisk register may hold them (the
/// routines must ignore it).
fn junk(x: u32) -> u64 {
    (x as u64) | (x as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) << 32
}

fn canon64(x: f64) -> u64 {
    if x.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        x.to_bits()
    }
}
fn canon32(x: f32) -> u32 {
    if x.is_nan() {
        0x7fc0_0000
    } else {
        x.to_bits()
    }
}

fn wasm_min64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b {
        f64::from_bits(a.to_bits() | b.to_bits())
    } else {
        a.min(b)
    }
}
fn wasm_max64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b {
        f64::from_bits(a.to_bits() & b.to_bits())
    } else {
        a.max(b)
    }
}
fn wasm_min32(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a == b {
        f32::from_bits(a.to_bits() | b.to_bits())
    } else {
        a.min(b)
    }
}
fn wasm_max32(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a == b {
        f32::from_bits(a.to_bits() & b.to_bits())
    } else {
        a.max(b)
    }
}

type Bin64 = (
    &'static str,
    extern "C" fn(u64, u64) -> u64,
    fn(f64, f64) -> f64,
);
type Bin32 = (
    &'static str,
    extern "C" fn(u64, u64) -> u64,
    fn(f32, f32) -> f32,
);

fn binary64() -> Vec<Bin64> {
    vec![
        ("f64_add", f64_add, |a, b| a + b),
        ("f64_sub", f64_sub, |a, b| a - b),
        ("f64_mul", f64_mul, |a, b| a * b),
        ("f64_div", f64_div, |a, b| a / b),
        ("f64_min", f64_min, wasm_min64),
        ("f64_max", f64_max, wasm_max64),
    ]
}
fn binary32() -> Vec<Bin32> {
    vec![
        ("f32_add", f32_add, |a, b| a + b),
        ("f32_sub", f32_sub, |a, b| a - b),
        ("f32_mul", f32_mul, |a, b| a * b),
        ("f32_div", f32_div, |a, b| a / b),
        ("f32_min", f32_min, wasm_min32),
        ("f32_max", f32_max, wasm_max32),
    ]
}
type Un64 = (&'static str, extern "C" fn(u64) -> u64, fn(f64) -> f64);
type Un32 = (&'static str, extern "C" fn(u64) -> u64, fn(f32) -> f32);
fn unary64() -> Vec<Un64> {
    vec![
        ("f64_sqrt", f64_sqrt, f64::sqrt),
        ("f64_nearest", f64_nearest, f64::round_ties_even),
        ("f64_floor", f64_floor, f64::floor),
        ("f64_ceil", f64_ceil, f64::ceil),
        ("f64_trunc", f64_trunc, f64::trunc),
    ]
}
fn unary32() -> Vec<Un32> {
    vec![
        ("f32_sqrt", f32_sqrt, f32::sqrt),
        ("f32_nearest", f32_nearest, f32::round_ties_even),
        ("f32_floor", f32_floor, f32::floor),
        ("f32_ceil", f32_ceil, f32::ceil),
        ("f32_trunc", f32_trunc, f32::trunc),
    ]
}

fn check64(name: &str, a: u64, b: u64, got: u64, want: f64) {
    assert_eq!(
        got,
        canon64(want),
        "{name}({a:#018x}, {b:#018x}) = {got:#018x}, expected {:#018x} ({want:e})",
        canon64(want)
    );
}
fn check32(name: &str, a: u32, b: u32, got: u32, want: f32) {
    assert_eq!(
        got,
        canon32(want),
        "{name}({a:#010x}, {b:#010x}) = {got:#010x}, expected {:#010x} ({want:e})",
        canon32(want)
    );
}

#[test]
fn binary_f64_specials() {
    let s = specials64();
    for (name, ours, host) in binary64() {
        for &a in &s {
            for &b in &s {
                check64(
                    name,
                    a,
                    b,
                    ours(a, b),
                    host(f64::from_bits(a), f64::from_bits(b)),
                );
            }
        }
    }
}

#[test]
fn binary_f32_specials() {
    let s = specials32();
    for (name, ours, host) in binary32() {
        for &a in &s {
            for &b in &s {
                check32(
                    name,
                    a,
                    b,
                    ours(junk(a), junk(b)) as u32,
                    host(f32::from_bits(a), f32::from_bits(b)),
                );
            }
        }
    }
}

#[test]
fn binary_f64_random() {
    for (name, ours, host) in binary64() {
        let mut r = rng();
        for _ in 0..cases() {
            let (a, b) = (random64(&mut r), random64(&mut r));
            check64(
                name,
                a,
                b,
                ours(a, b),
                host(f64::from_bits(a), f64::from_bits(b)),
            );
        }
    }
}

#[test]
fn binary_f32_random() {
    for (name, ours, host) in binary32() {
        let mut r = rng();
        for _ in 0..cases() {
            let (a, b) = (random32(&mut r), random32(&mut r));
            check32(
                name,
                a,
                b,
                ours(junk(a), junk(b)) as u32,
                host(f32::from_bits(a), f32::from_bits(b)),
            );
        }
    }
}

#[test]
fn unary_f64() {
    let mut r = rng();
    let mut inputs = specials64();
    inputs.extend((0..cases()).map(|_| random64(&mut r)));
    for (name, ours, host) in unary64() {
        for &a in &inputs {
            check64(name, a, 0, ours(a), host(f64::from_bits(a)));
        }
    }
}

#[test]
fn unary_f32() {
    let mut r = rng();
    let mut inputs = specials32();
    inputs.extend((0..cases()).map(|_| random32(&mut r)));
    for (name, ours, host) in unary32() {
        for &a in &inputs {
            check32(name, a, 0, ours(junk(a)) as u32, host(f32::from_bits(a)));
        }
    }
}

#[test]
fn conversions() {
    let mut r = rng();
    let mut ints: Vec<u64> = vec![
        0,
        1,
        2,
        3,
        u64::MAX,
        i64::MAX as u64,
        i64::MIN as u64,
        (1 << 53) + 1,
        (1 << 53) - 1,
        (1 << 24) + 1,
        (1 << 54) + 3,
        0x8000_0000,
        0xffff_ffff,
        u32::MAX as u64 + 1,
    ];
    ints.extend(ints.clone().iter().map(|x| x.wrapping_neg()));
    ints.extend((0..cases()).map(|_| {
        let x = r.next();
        match r.next() % 3 {
            0 => x,
            1 => x >> (r.next() % 64),
            _ => (x as i64 >> (r.next() % 64)) as u64,
        }
    }));
    for &x in &ints {
        assert_eq!(
            f64_from_i64(x as i64),
            (x as i64 as f64).to_bits(),
            "f64_from_i64({x:#x})"
        );
        assert_eq!(
            f64_from_u64(x),
            (x as f64).to_bits(),
            "f64_from_u64({x:#x})"
        );
        assert_eq!(
            f32_from_i64(x as i64) as u32,
            (x as i64 as f32).to_bits(),
            "f32_from_i64({x:#x})"
        );
        assert_eq!(
            f32_from_u64(x) as u32,
            (x as f32).to_bits(),
            "f32_from_u64({x:#x})"
        );
    }

    let mut f64s = specials64();
    f64s.extend((0..cases()).map(|_| random64(&mut r)));
    for &a in &f64s {
        let f = f64::from_bits(a);
        assert_eq!(
            f32_demote(a) as u32,
            canon32(f as f32),
            "f32_demote({a:#018x})"
        );
        if !f.is_nan() && f.abs() < 18446744073709551616.0 && f >= -9223372036854775808.0 {
            let want = if f < 0.0 { (f as i64) as u64 } else { f as u64 };
            assert_eq!(f64_to_int(a), want, "f64_to_int({a:#018x})");
        }
    }
    let mut f32s = specials32();
    f32s.extend((0..cases()).map(|_| random32(&mut r)));
    for &a in &f32s {
        let f = f32::from_bits(a);
        assert_eq!(
            f64_promote(junk(a)),
            canon64(f as f64),
            "f64_promote({a:#010x})"
        );
        if !f.is_nan() && f.abs() < 18446744073709551616.0 && f >= -9223372036854775808.0 {
            let want = if f < 0.0 { (f as i64) as u64 } else { f as u64 };
            assert_eq!(f32_to_int(junk(a)), want, "f32_to_int({a:#010x})");
        }
    }
}
