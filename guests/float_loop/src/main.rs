//! Floating point in a loop (issue 15's measure): per iteration one integer-to-f64
//! conversion, one multiply, one add and one compare, n = 100,000. The result is printed
//! as bits, so every path must agree to the bit.
#![cfg_attr(target_os = "none", no_std, no_main)]

use guest_io::println;

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

fn main() {
    // black_box keeps the compiler from folding the loop away.
    let n: u64 = core::hint::black_box(100_000);
    let scale: f64 = core::hint::black_box(1.000_001);
    let limit: f64 = core::hint::black_box(1e9);
    let mut acc = 0.0f64;
    let mut wraps = 0u64;
    for i in 0..n {
        acc += i as f64 * scale;
        if acc > limit {
            acc = 0.0;
            wraps += 1;
        }
    }
    println!("n:{} acc:{:#018x} wraps:{}", n, acc.to_bits(), wraps);
}
