//! One floating-point operation in a loop, for `czisk float-ops`'s native column: the same
//! operations as the table's wasm modules, written in Rust and compiled natively for ZisK
//! (soft-float from compiler-builtins, sqrt/floor/nearest from libm).
//!
//! Input: `<operation> <iterations>` as text, e.g. `f64.add 1000`. `same.<type>` runs the
//! loop with the operation replaced by reading a value of that type, the baseline.
//! Operands come through `black_box` every iteration, so nothing folds or hoists; each
//! result is folded into a sink that is printed, so nothing is dropped.
#![cfg_attr(target_os = "none", no_std, no_main)]

use core::hint::black_box;
use guest_io::println;

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

/// The table's operands: ordinary normal numbers.
const X: f64 = 1234.5678;
const Y: f64 = -0.0314159;
const I32: i32 = -123456789;
const I64: i64 = 1234567890123;

/// A result as the 64 bits folded into the sink.
trait Bits {
    fn bits(self) -> u64;
}
impl Bits for f32 {
    fn bits(self) -> u64 {
        self.to_bits().into()
    }
}
impl Bits for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
}
impl Bits for i32 {
    fn bits(self) -> u64 {
        self as u32 as u64
    }
}
impl Bits for i64 {
    fn bits(self) -> u64 {
        self as u64
    }
}
impl Bits for u64 {
    fn bits(self) -> u64 {
        self
    }
}
impl Bits for bool {
    fn bits(self) -> u64 {
        self as u64
    }
}

/// Runs `op` `n` times on fresh (black-boxed) operands; the xor of the results.
#[inline(always)]
fn repeat<A: Copy, R: Bits>(n: u32, operands: A, op: impl Fn(A) -> R) -> u64 {
    let mut sink = 0u64;
    for _ in 0..n {
        sink ^= op(black_box(operands)).bits();
    }
    sink
}

fn run(name: &str, n: u32) -> Option<u64> {
    let (x32, y32) = (X as f32, Y as f32);
    Some(match name {
        "same.f32" => repeat(n, x32, |a| a),
        "same.f64" => repeat(n, X, |a| a),
        "same.i32" => repeat(n, I32, |a| a),
        "same.i64" => repeat(n, I64, |a| a),
        "f32.add" => repeat(n, (x32, y32), |(a, b)| a + b),
        "f32.sub" => repeat(n, (x32, y32), |(a, b)| a - b),
        "f32.mul" => repeat(n, (x32, y32), |(a, b)| a * b),
        "f32.div" => repeat(n, (x32, y32), |(a, b)| a / b),
        "f32.sqrt" => repeat(n, x32, libm::sqrtf),
        "f32.min" => repeat(n, (x32, y32), |(a, b)| a.min(b)),
        "f32.max" => repeat(n, (x32, y32), |(a, b)| a.max(b)),
        "f32.eq" => repeat(n, (x32, y32), |(a, b)| a == b),
        "f32.lt" => repeat(n, (x32, y32), |(a, b)| a < b),
        "f32.nearest" => repeat(n, x32, libm::rintf),
        "f32.floor" => repeat(n, x32, libm::floorf),
        "f32.neg" => repeat(n, x32, |a| -a),
        "f32.copysign" => repeat(n, (x32, y32), |(a, b)| libm::copysignf(a, b)),
        "f64.add" => repeat(n, (X, Y), |(a, b)| a + b),
        "f64.sub" => repeat(n, (X, Y), |(a, b)| a - b),
        "f64.mul" => repeat(n, (X, Y), |(a, b)| a * b),
        "f64.div" => repeat(n, (X, Y), |(a, b)| a / b),
        "f64.sqrt" => repeat(n, X, libm::sqrt),
        "f64.min" => repeat(n, (X, Y), |(a, b)| a.min(b)),
        "f64.max" => repeat(n, (X, Y), |(a, b)| a.max(b)),
        "f64.eq" => repeat(n, (X, Y), |(a, b)| a == b),
        "f64.lt" => repeat(n, (X, Y), |(a, b)| a < b),
        "f64.nearest" => repeat(n, X, libm::rint),
        "f64.floor" => repeat(n, X, libm::floor),
        "f64.neg" => repeat(n, X, |a| -a),
        "f64.copysign" => repeat(n, (X, Y), |(a, b)| libm::copysign(a, b)),
        "f64.promote_f32" => repeat(n, x32, |a| a as f64),
        "f32.demote_f64" => repeat(n, X, |a| a as f32),
        "f64.convert_i32_s" => repeat(n, I32, |a| a as f64),
        "f64.convert_i64_u" => repeat(n, I64 as u64, |a| a as f64),
        "f32.convert_i32_s" => repeat(n, I32, |a| a as f32),
        // wasm's trapping truncations: Rust's nearest is the unchecked conversion (the
        // operand is in range); `as` is the saturating one.
        // SAFETY: X is in range of both integer types.
        "i32.trunc_f64_s" => repeat(n, X, |a| unsafe { a.to_int_unchecked::<i32>() }),
        "i64.trunc_f64_u" => repeat(n, X, |a| unsafe { a.to_int_unchecked::<u64>() }),
        "i32.trunc_sat_f32_s" => repeat(n, x32, |a| a as i32),
        "i64.trunc_sat_f64_s" => repeat(n, X, |a| a as i64),
        _ => return None,
    })
}

fn main() {
    let input = guest_io::input();
    let text = core::str::from_utf8(&input).unwrap_or("");
    let mut words = text.split_ascii_whitespace();
    let name = words.next().unwrap_or("");
    let n: u32 = match words.next().and_then(|w| w.parse().ok()) {
        Some(n) => n,
        None => panic!("input: `<operation> <iterations>`, got {text:?}"),
    };
    match run(name, n) {
        Some(sink) => println!("{name} x{n}: {sink:016x}"),
        None => panic!("unknown operation {name:?}"),
    }
}
