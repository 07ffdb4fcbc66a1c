//! Keccak-256 applied 10,000 times to its own 32-byte output, starting from zeros (software
//! Keccak from the `sha3` crate; DESIGN.md §4).
#![cfg_attr(target_os = "none", no_std, no_main)]

use guest_io::println;
use sha3::{Digest, Keccak256};

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

fn main() {
    let n: u64 = core::hint::black_box(10_000);
    let mut state = [0u8; 32];
    for _ in 0..n {
        state = Keccak256::digest(state).into();
    }
    println!("n:{} {:?}", n, state);
}
