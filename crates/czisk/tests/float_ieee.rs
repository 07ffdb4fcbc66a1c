//! Every float operation compiled by the zisk backend, run inside ZisK on special operands
//! (zeros, subnormals, normal limits, halfway cases, infinities, NaNs with payloads) and
//! seeded random ones, against the host's IEEE 754 results. A NaN result may be any
//! arithmetic NaN (quiet bit set), as WebAssembly allows; everything else must match to
//! the bit. (The routines themselves are tested against the host on millions of operands
//! in `crates/softfloat/tests/ieee.rs`; this checks what the compiler makes of them:
//! lowering, calls, inline compares and promotion, conversions' range handling.)
//!
//! One guest holds every case as a record (operation, a, b, expected, NaN mask) in a data
//! segment, calls the operation through a table and exits with 1 + the index of the first
//! mismatch.

use czisk_zisk::{frame_input, run_rom, Failure, RunOptions};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn f64(&mut self) -> u64 {
        let x = self.next();
        match self.next() % 5 {
            0 | 1 => x,
            2 => (x & 0x800f_ffff_ffff_ffff) | ((0x3fc + self.next() % 8) << 52),
            3 => x & 0x801f_ffff_ffff_ffff,
            _ => (x & 0xfff0_0000_0000_0000) | (self.next() & 0xf) << (self.next() % 52),
        }
    }
    fn f32(&mut self) -> u64 {
        let x = self.next() as u32;
        (match self.next() % 5 {
            0 | 1 => x,
            2 => (x & 0x807f_ffff) | ((0x7c + (self.next() % 8) as u32) << 23),
            3 => x & 0x80ff_ffff,
            _ => (x & 0xff80_0000) | ((self.next() & 0xf) as u32) << (self.next() % 23),
        }) as u64
    }
    fn int(&mut self) -> u64 {
        let x = self.next();
        match self.next() % 3 {
            0 => x,
            1 => x >> (self.next() % 64),
            _ => (x as i64 >> (self.next() % 64)) as u64,
        }
    }
}

fn specials64() -> Vec<u64> {
    let mut v: Vec<u64> = [
        0.0f64,
        1.0,
        0.5,
        1.5,
        2.5,
        3.5,
        0.1,
        1.0 / 3.0,
        0.49999999999999994,
        4503599627370496.0,
        4503599627370497.0,
        4503599627370495.5,
        9007199254740993.0,
        f64::MIN_POSITIVE,
        f64::MAX,
        1.0 + f64::EPSILON,
        9.223372036854775e18,
        9223372036854775808.0,
        1.8446744073709552e19,
        2147483647.0,
        2147483648.0,
        2147483648.5,
        4294967295.5,
        4294967296.0,
        1e300,
        1234.5678,
        0.0314159,
        f64::INFINITY,
    ]
    .iter()
    .map(|x| x.to_bits())
    .collect();
    v.extend([
        1,
        0x000f_ffff_ffff_ffff,
        0x0008_0000_0000_0000,
        0x7ff8_0000_0000_0000,
        0x7ff8_0000_0000_0001,
        0x7ff0_0000_0000_0001,
        0x7ff4_0000_0000_0000,
        0x3ff0_0000_0000_0001,
        0x3fef_ffff_ffff_ffff,
    ]);
    let neg: Vec<u64> = v.iter().map(|x| x ^ 1 << 63).collect();
    v.extend(neg);
    v
}

fn specials32() -> Vec<u64> {
    let mut v: Vec<u32> = [
        0.0f32,
        1.0,
        0.5,
        1.5,
        2.5,
        3.5,
        0.1,
        1.0 / 3.0,
        0.49999997,
        8388608.0,
        8388609.0,
        8388607.5,
        16777217.0,
        f32::MIN_POSITIVE,
        f32::MAX,
        1.0 + f32::EPSILON,
        2147483648.0,
        4294967296.0,
        9.223372e18,
        1.8446744e19,
        1e38,
        1234.5678,
        0.0314159,
        f32::INFINITY,
    ]
    .iter()
    .map(|x| x.to_bits())
    .collect();
    v.extend([
        1,
        0x007f_ffff,
        0x0040_0000,
        0x7fc0_0000,
        0x7fc0_0001,
        0x7f80_0001,
        0x7fa0_0000,
    ]);
    let neg: Vec<u32> = v.iter().map(|x| x ^ 1 << 31).collect();
    v.extend(neg);
    v.into_iter().map(|x| x as u64).collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Operands {
    F64,
    F32,
    Int,
}

/// A host result: the expected bits, or a NaN of the given width.
enum Want {
    Bits(u64),
    Nan64,
    Nan32,
}

fn w64(x: f64) -> Want {
    if x.is_nan() {
        Want::Nan64
    } else {
        Want::Bits(x.to_bits())
    }
}
fn w32(x: f32) -> Want {
    if x.is_nan() {
        Want::Nan32
    } else {
        Want::Bits(x.to_bits() as u64)
    }
}
fn wb(b: bool) -> Want {
    Want::Bits(b as u64)
}
fn d(x: u64) -> f64 {
    f64::from_bits(x)
}
fn s(x: u64) -> f32 {
    f32::from_bits(x as u32)
}

struct Op {
    name: &'static str,
    operands: Operands,
    binary: bool,
    wat: String,
    host: fn(u64, u64) -> Option<Want>,
}

fn ops() -> Vec<Op> {
    let a64 = "(f64.reinterpret_i64 (local.get 0))";
    let b64 = "(f64.reinterpret_i64 (local.get 1))";
    let a32 = "(f32.reinterpret_i32 (i32.wrap_i64 (local.get 0)))";
    let b32 = "(f32.reinterpret_i32 (i32.wrap_i64 (local.get 1)))";
    let r64 = |x: String| format!("(i64.reinterpret_f64 {x})");
    let r32 = |x: String| format!("(i64.extend_i32_u (i32.reinterpret_f32 {x}))");
    let ri32 = |x: String| format!("(i64.extend_i32_u {x})");
    let mut ops = Vec::new();
    let mut op = |name, operands, binary, wat, host| {
        ops.push(Op {
            name,
            operands,
            binary,
            wat,
            host,
        })
    };
    use Operands::*;
    op(
        "f64.add",
        F64,
        true,
        r64(format!("(f64.add {a64} {b64})")),
        |a, b| Some(w64(d(a) + d(b))),
    );
    op(
        "f64.sub",
        F64,
        true,
        r64(format!("(f64.sub {a64} {b64})")),
        |a, b| Some(w64(d(a) - d(b))),
    );
    op(
        "f64.mul",
        F64,
        true,
        r64(format!("(f64.mul {a64} {b64})")),
        |a, b| Some(w64(d(a) * d(b))),
    );
    op(
        "f64.div",
        F64,
        true,
        r64(format!("(f64.div {a64} {b64})")),
        |a, b| Some(w64(d(a) / d(b))),
    );
    op(
        "f64.min",
        F64,
        true,
        r64(format!("(f64.min {a64} {b64})")),
        |a, b| {
            Some(if d(a).is_nan() || d(b).is_nan() {
                Want::Nan64
            } else if d(a) == d(b) {
                w64(f64::from_bits(a | b))
            } else {
                w64(d(a).min(d(b)))
            })
        },
    );
    op(
        "f64.max",
        F64,
        true,
        r64(format!("(f64.max {a64} {b64})")),
        |a, b| {
            Some(if d(a).is_nan() || d(b).is_nan() {
                Want::Nan64
            } else if d(a) == d(b) {
                w64(f64::from_bits(a & b))
            } else {
                w64(d(a).max(d(b)))
            })
        },
    );
    op(
        "f64.sqrt",
        F64,
        false,
        r64(format!("(f64.sqrt {a64})")),
        |a, _| Some(w64(d(a).sqrt())),
    );
    op(
        "f64.nearest",
        F64,
        false,
        r64(format!("(f64.nearest {a64})")),
        |a, _| Some(w64(d(a).round_ties_even())),
    );
    op(
        "f64.floor",
        F64,
        false,
        r64(format!("(f64.floor {a64})")),
        |a, _| Some(w64(d(a).floor())),
    );
    op(
        "f64.ceil",
        F64,
        false,
        r64(format!("(f64.ceil {a64})")),
        |a, _| Some(w64(d(a).ceil())),
    );
    op(
        "f64.trunc",
        F64,
        false,
        r64(format!("(f64.trunc {a64})")),
        |a, _| Some(w64(d(a).trunc())),
    );
    op(
        "f64.eq",
        F64,
        true,
        ri32(format!("(f64.eq {a64} {b64})")),
        |a, b| Some(wb(d(a) == d(b))),
    );
    op(
        "f64.ne",
        F64,
        true,
        ri32(format!("(f64.ne {a64} {b64})")),
        |a, b| Some(wb(d(a) != d(b))),
    );
    op(
        "f64.lt",
        F64,
        true,
        ri32(format!("(f64.lt {a64} {b64})")),
        |a, b| Some(wb(d(a) < d(b))),
    );
    op(
        "f64.le",
        F64,
        true,
        ri32(format!("(f64.le {a64} {b64})")),
        |a, b| Some(wb(d(a) <= d(b))),
    );
    op(
        "f64.gt",
        F64,
        true,
        ri32(format!("(f64.gt {a64} {b64})")),
        |a, b| Some(wb(d(a) > d(b))),
    );
    op(
        "f64.ge",
        F64,
        true,
        ri32(format!("(f64.ge {a64} {b64})")),
        |a, b| Some(wb(d(a) >= d(b))),
    );
    op(
        "f32.add",
        F32,
        true,
        r32(format!("(f32.add {a32} {b32})")),
        |a, b| Some(w32(s(a) + s(b))),
    );
    op(
        "f32.sub",
        F32,
        true,
        r32(format!("(f32.sub {a32} {b32})")),
        |a, b| Some(w32(s(a) - s(b))),
    );
    op(
        "f32.mul",
        F32,
        true,
        r32(format!("(f32.mul {a32} {b32})")),
        |a, b| Some(w32(s(a) * s(b))),
    );
    op(
        "f32.div",
        F32,
        true,
        r32(format!("(f32.div {a32} {b32})")),
        |a, b| Some(w32(s(a) / s(b))),
    );
    op(
        "f32.min",
        F32,
        true,
        r32(format!("(f32.min {a32} {b32})")),
        |a, b| {
            Some(if s(a).is_nan() || s(b).is_nan() {
                Want::Nan32
            } else if s(a) == s(b) {
                w32(f32::from_bits((a | b) as u32))
            } else {
                w32(s(a).min(s(b)))
            })
        },
    );
    op(
        "f32.max",
        F32,
        true,
        r32(format!("(f32.max {a32} {b32})")),
        |a, b| {
            Some(if s(a).is_nan() || s(b).is_nan() {
                Want::Nan32
            } else if s(a) == s(b) {
                w32(f32::from_bits((a & b) as u32))
            } else {
                w32(s(a).max(s(b)))
            })
        },
    );
    op(
        "f32.sqrt",
        F32,
        false,
        r32(format!("(f32.sqrt {a32})")),
        |a, _| Some(w32(s(a).sqrt())),
    );
    op(
        "f32.nearest",
        F32,
        false,
        r32(format!("(f32.nearest {a32})")),
        |a, _| Some(w32(s(a).round_ties_even())),
    );
    op(
        "f32.floor",
        F32,
        false,
        r32(format!("(f32.floor {a32})")),
        |a, _| Some(w32(s(a).floor())),
    );
    op(
        "f32.ceil",
        F32,
        false,
        r32(format!("(f32.ceil {a32})")),
        |a, _| Some(w32(s(a).ceil())),
    );
    op(
        "f32.trunc",
        F32,
        false,
        r32(format!("(f32.trunc {a32})")),
        |a, _| Some(w32(s(a).trunc())),
    );
    op(
        "f32.eq",
        F32,
        true,
        ri32(format!("(f32.eq {a32} {b32})")),
        |a, b| Some(wb(s(a) == s(b))),
    );
    op(
        "f32.ne",
        F32,
        true,
        ri32(format!("(f32.ne {a32} {b32})")),
        |a, b| Some(wb(s(a) != s(b))),
    );
    op(
        "f32.lt",
        F32,
        true,
        ri32(format!("(f32.lt {a32} {b32})")),
        |a, b| Some(wb(s(a) < s(b))),
    );
    op(
        "f32.le",
        F32,
        true,
        ri32(format!("(f32.le {a32} {b32})")),
        |a, b| Some(wb(s(a) <= s(b))),
    );
    op(
        "f32.gt",
        F32,
        true,
        ri32(format!("(f32.gt {a32} {b32})")),
        |a, b| Some(wb(s(a) > s(b))),
    );
    op(
        "f32.ge",
        F32,
        true,
        ri32(format!("(f32.ge {a32} {b32})")),
        |a, b| Some(wb(s(a) >= s(b))),
    );
    op(
        "f32.demote_f64",
        F64,
        false,
        r32(format!("(f32.demote_f64 {a64})")),
        |a, _| Some(w32(d(a) as f32)),
    );
    op(
        "f64.promote_f32",
        F32,
        false,
        r64(format!("(f64.promote_f32 {a32})")),
        |a, _| Some(w64(s(a) as f64)),
    );
    let ia = "(local.get 0)";
    let ia32 = "(i32.wrap_i64 (local.get 0))";
    op(
        "f64.convert_i64_s",
        Int,
        false,
        r64(format!("(f64.convert_i64_s {ia})")),
        |a, _| Some(w64(a as i64 as f64)),
    );
    op(
        "f64.convert_i64_u",
        Int,
        false,
        r64(format!("(f64.convert_i64_u {ia})")),
        |a, _| Some(w64(a as f64)),
    );
    op(
        "f64.convert_i32_s",
        Int,
        false,
        r64(format!("(f64.convert_i32_s {ia32})")),
        |a, _| Some(w64(a as i32 as f64)),
    );
    op(
        "f64.convert_i32_u",
        Int,
        false,
        r64(format!("(f64.convert_i32_u {ia32})")),
        |a, _| Some(w64(a as u32 as f64)),
    );
    op(
        "f32.convert_i64_s",
        Int,
        false,
        r32(format!("(f32.convert_i64_s {ia})")),
        |a, _| Some(w32(a as i64 as f32)),
    );
    op(
        "f32.convert_i64_u",
        Int,
        false,
        r32(format!("(f32.convert_i64_u {ia})")),
        |a, _| Some(w32(a as f32)),
    );
    op(
        "f32.convert_i32_s",
        Int,
        false,
        r32(format!("(f32.convert_i32_s {ia32})")),
        |a, _| Some(w32(a as i32 as f32)),
    );
    op(
        "f32.convert_i32_u",
        Int,
        false,
        r32(format!("(f32.convert_i32_u {ia32})")),
        |a, _| Some(w32(a as u32 as f32)),
    );
    op(
        "i64.trunc_sat_f64_s",
        F64,
        false,
        format!("(i64.trunc_sat_f64_s {a64})"),
        |a, _| Some(Want::Bits(d(a) as i64 as u64)),
    );
    op(
        "i64.trunc_sat_f64_u",
        F64,
        false,
        format!("(i64.trunc_sat_f64_u {a64})"),
        |a, _| Some(Want::Bits(d(a) as u64)),
    );
    op(
        "i32.trunc_sat_f64_s",
        F64,
        false,
        ri32(format!("(i32.trunc_sat_f64_s {a64})")),
        |a, _| Some(Want::Bits(d(a) as i32 as u32 as u64)),
    );
    op(
        "i32.trunc_sat_f64_u",
        F64,
        false,
        ri32(format!("(i32.trunc_sat_f64_u {a64})")),
        |a, _| Some(Want::Bits(d(a) as u32 as u64)),
    );
    op(
        "i64.trunc_sat_f32_s",
        F32,
        false,
        format!("(i64.trunc_sat_f32_s {a32})"),
        |a, _| Some(Want::Bits(s(a) as i64 as u64)),
    );
    op(
        "i64.trunc_sat_f32_u",
        F32,
        false,
        format!("(i64.trunc_sat_f32_u {a32})"),
        |a, _| Some(Want::Bits(s(a) as u64)),
    );
    op(
        "i32.trunc_sat_f32_s",
        F32,
        false,
        ri32(format!("(i32.trunc_sat_f32_s {a32})")),
        |a, _| Some(Want::Bits(s(a) as i32 as u32 as u64)),
    );
    op(
        "i32.trunc_sat_f32_u",
        F32,
        false,
        ri32(format!("(i32.trunc_sat_f32_u {a32})")),
        |a, _| Some(Want::Bits(s(a) as u32 as u64)),
    );
    // The trapping truncations on operands in range (the spec suite checks their traps).
    op(
        "i64.trunc_f64_s",
        F64,
        false,
        format!("(i64.trunc_f64_s {a64})"),
        |a, _| {
            let x = d(a);
            (x > -9223372036854777856.0 && x < 9223372036854775808.0)
                .then(|| Want::Bits(x as i64 as u64))
        },
    );
    op(
        "i64.trunc_f64_u",
        F64,
        false,
        format!("(i64.trunc_f64_u {a64})"),
        |a, _| {
            let x = d(a);
            (x > -1.0 && x < 18446744073709551616.0).then(|| Want::Bits(x as u64))
        },
    );
    op(
        "i32.trunc_f64_s",
        F64,
        false,
        ri32(format!("(i32.trunc_f64_s {a64})")),
        |a, _| {
            let x = d(a);
            (x > -2147483649.0 && x < 2147483648.0).then(|| Want::Bits(x as i32 as u32 as u64))
        },
    );
    op(
        "i32.trunc_f64_u",
        F64,
        false,
        ri32(format!("(i32.trunc_f64_u {a64})")),
        |a, _| {
            let x = d(a);
            (x > -1.0 && x < 4294967296.0).then(|| Want::Bits(x as u32 as u64))
        },
    );
    op(
        "i32.trunc_f32_s",
        F32,
        false,
        ri32(format!("(i32.trunc_f32_s {a32})")),
        |a, _| {
            let x = s(a);
            (x >= -2147483648.0 && x < 2147483648.0).then(|| Want::Bits(x as i32 as u32 as u64))
        },
    );
    op(
        "i64.trunc_f32_u",
        F32,
        false,
        format!("(i64.trunc_f32_u {a32})"),
        |a, _| {
            let x = s(a);
            (x > -1.0 && x < 18446744073709551616.0).then(|| Want::Bits(x as u64))
        },
    );
    ops
}

#[test]
fn float_operations_match_the_host() {
    let cases: u64 = std::env::var("FLOAT_IEEE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    let ops = ops();
    let mut rng = Rng(0xf10a7);
    let (s64, s32) = (specials64(), specials32());
    let ints: Vec<u64> = {
        let mut v = vec![
            0,
            1,
            2,
            3,
            u64::MAX,
            i64::MAX as u64,
            i64::MIN as u64,
            (1 << 53) + 1,
        ];
        v.extend([
            (1 << 24) + 1,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0000,
            0x7fff_ffff,
        ]);
        let neg: Vec<u64> = v.iter().map(|x| x.wrapping_neg()).collect();
        v.extend(neg);
        v
    };
    // (op, a, b, expected, NaN mask)
    let mut records: Vec<[u64; 5]> = Vec::new();
    let mut names = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let specials = match op.operands {
            Operands::F64 => &s64,
            Operands::F32 => &s32,
            Operands::Int => &ints,
        };
        let mut pairs: Vec<(u64, u64)> = Vec::new();
        for &a in specials {
            if op.binary {
                pairs.extend(specials.iter().map(|&b| (a, b)));
            } else {
                pairs.push((a, 0));
            }
        }
        for _ in 0..cases {
            let mut random = || match op.operands {
                Operands::F64 => rng.f64(),
                Operands::F32 => rng.f32(),
                Operands::Int => rng.int(),
            };
            let a = random();
            let b = random();
            pairs.push((a, b));
        }
        for (a, b) in pairs {
            let Some(want) = (op.host)(a, b) else {
                continue;
            };
            let (expected, mask) = match want {
                Want::Bits(x) => (x, 0),
                Want::Nan64 => (0x7ff8_0000_0000_0000, 0x7ff8_0000_0000_0000),
                Want::Nan32 => (0x7fc0_0000, 0x7fc0_0000),
            };
            records.push([index as u64, a, b, expected, mask]);
            names.push(op.name);
        }
    }

    let mut data = String::new();
    for r in &records {
        for w in r {
            for byte in w.to_le_bytes() {
                data.push_str(&format!("\\{byte:02x}"));
            }
        }
    }
    let bytes = records.len() * 40;
    let pages = bytes.div_ceil(65536);
    let mut wat = String::new();
    wat.push_str("(module\n");
    wat.push_str("  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n");
    wat.push_str("  (type $op (func (param i64 i64) (result i64)))\n");
    wat.push_str(&format!("  (memory {pages})\n"));
    wat.push_str(&format!("  (data (i32.const 0) \"{data}\")\n"));
    let elems: Vec<String> = (0..ops.len()).map(|i| format!("$o{i}")).collect();
    wat.push_str(&format!("  (table funcref (elem {}))\n", elems.join(" ")));
    for (i, op) in ops.iter().enumerate() {
        wat.push_str(&format!("  (func $o{i} (type $op) {})\n", op.wat));
    }
    wat.push_str(&format!(
        r#"  (func (export "_start") (local $p i32) (local $r i64) (local $m i64)
    (loop $l
      (if (i32.lt_u (local.get $p) (i32.const {bytes}))
        (then
          (local.set $r (call_indirect (type $op)
            (i64.load offset=8 (local.get $p)) (i64.load offset=16 (local.get $p))
            (i32.wrap_i64 (i64.load (local.get $p)))))
          (local.set $m (i64.load offset=32 (local.get $p)))
          (if (i32.eqz (i32.or
                (i64.eq (local.get $r) (i64.load offset=24 (local.get $p)))
                (i32.and (i64.ne (local.get $m) (i64.const 0))
                         (i64.eq (i64.and (local.get $r) (local.get $m)) (local.get $m)))))
            (then (call $exit (i32.add (i32.const 1) (i32.div_u (local.get $p) (i32.const 40))))))
          (local.set $p (i32.add (local.get $p) (i32.const 40)))
          (br $l)))))
)
"#
    ));
    let wasm = wat::parse_str(&wat).expect("the test module parses");
    let rom = czisk_backend_zisk::compile_wasm(&wasm)
        .expect("compiles")
        .rom;
    let options = RunOptions {
        max_steps: 2_000_000_000,
        capture_console: false,
        profile_top: 0,
        window: None,
    };
    let execution = run_rom(&rom, &frame_input(b"").unwrap(), &options).unwrap();
    match execution.failure {
        None => eprintln!(
            "{} cases of {} operations matched the host in ZisK ({} steps)",
            records.len(),
            ops.len(),
            execution.steps
        ),
        Some(Failure::ExitCode { code, .. }) if code >= 1 && (code as usize) <= records.len() => {
            let r = records[code as usize - 1];
            panic!(
                "{}({:#x}, {:#x}): expected {:#x} (NaN mask {:#x})",
                names[code as usize - 1],
                r[1],
                r[2],
                r[3],
                r[4]
            );
        }
        Some(other) => panic!("the guest failed: {other:?}"),
    }
}
