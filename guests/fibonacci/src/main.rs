//! The n-th Fibonacci number modulo 2^64, n = 1,000,000 (DESIGN.md §4).
#![cfg_attr(target_os = "none", no_std, no_main)]

use guest_io::println;

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

fn main() {
    // black_box keeps the compiler from folding the loop away.
    let n: u64 = core::hint::black_box(1_000_000);
    let (mut a, mut b) = (1u64, 1u64);
    for _ in 1..n {
        let next = a.wrapping_add(b);
        a = b;
        b = next;
    }
    println!("n:{} {}", n, b);
}
