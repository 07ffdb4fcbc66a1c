//! Test guest for zisk-guest's hashers: for every prefix of its input (length 0 to all of
//! it), prints one line of four hex digests: `Keccak256::digest`, `Keccak256` fed in two
//! uneven parts, `Sha256::digest`, `Sha256` fed in two uneven parts. The parts cross lane
//! and block boundaries at different places for different lengths, so the padding and the
//! partial-lane paths all run. crates/cli/tests/precompiles.rs checks the lines against
//! the host's sha3 and sha2.
#![cfg_attr(target_os = "none", no_std, no_main)]

use guest_io::{print, println};
use zisk_guest::{Keccak256, Sha256};

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

fn main() {
    let input = guest_io::input();
    for len in 0..=input.len() {
        let data = &input[..len];
        let (first, second) = data.split_at(len / 3);
        let mut keccak = Keccak256::new();
        keccak.update(first);
        keccak.update(second);
        let mut sha = Sha256::new();
        sha.update(first);
        sha.update(second);
        let digests = [
            Keccak256::digest(data),
            keccak.finalize(),
            Sha256::digest(data),
            sha.finalize(),
        ];
        for (i, digest) in digests.iter().enumerate() {
            if i > 0 {
                print!(" ");
            }
            for byte in digest {
                print!("{byte:02x}");
            }
        }
        println!();
    }
}
