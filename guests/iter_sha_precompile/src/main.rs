//! iter_sha on ZisK's precompile: Sha256 applied 10,000 times to its own 32-byte output,
//! starting from zeros, through zisk-guest (the `zisk` wasm namespace, or ziskos natively).
#![cfg_attr(target_os = "none", no_std, no_main)]

use guest_io::println;
use zisk_guest::Sha256;

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

fn main() {
    let n: u64 = core::hint::black_box(10_000);
    let mut state = [0u8; 32];
    for _ in 0..n {
        state = Sha256::digest(&state);
    }
    println!("n:{} {:?}", n, state);
}
