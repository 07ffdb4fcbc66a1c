//! Test guest for zisk-guest's hashers: for every prefix of its input (length 0 to all of
//! it), prints one line of four hex digests: `Keccak256::digest`, `Keccak256` fed in two
//! uneven parts, `Sha256::digest`, `Sha256` fed in two uneven parts. The parts cross lane
//! and block boundaries at different places for different lengths, so the padding and the
//! partial-lane paths all run. The input is read with zisk-guest's `read_input` in uneven
//! pieces, and the Keccak-256 of all of it goes to the public output's first eight words
//! through `set_output`. crates/cli/tests/precompiles.rs checks the lines and the output
//! against the host's sha3 and sha2.
#![cfg_attr(target_os = "none", no_std, no_main)]

use guest_io::{print, println};
use zisk_guest::{Keccak256, Sha256};

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

fn main() {
    let mut buffer = [0u8; 512];
    let input = &mut buffer[..zisk_guest::input_len().min(512)];
    let mut read = 0;
    while read < input.len() {
        let end = (read + 97).min(input.len());
        read += zisk_guest::read_input(&mut input[read..end], read);
    }
    let input = &*input;
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
        println!("");
    }
    // After the console, which WASI mirrors into the same output words.
    for (i, word) in Keccak256::digest(input).chunks_exact(4).enumerate() {
        zisk_guest::set_output(i, u32::from_le_bytes(word.try_into().unwrap()));
    }
}
