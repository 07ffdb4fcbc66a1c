//! iter_keccak on ZisK's precompile: Keccak256 applied 10,000 times to its own 32-byte output,
//! starting from zeros, through zisk-guest (the `zisk` wasm namespace, or ziskos natively).
#![cfg_attr(target_os = "none", no_std, no_main)]

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

fn main() {
    guest_io::print_hash_chain(core::hint::black_box(10_000), |s| {
        zisk_guest::Keccak256::digest(s)
    });
}
