//! Test guest for zisk-guest's ECDSA: reads 161-byte records (prehash, r, s: 32 bytes each,
//! big-endian; y parity: 1 byte; a public key x || y: 64 bytes) and prints, for each, the
//! key `secp256k1_recover` finds (hex, or `none`) and whether `secp256k1_verify` accepts
//! the signature for the given key (1 or 0). crates/cli/tests/precompiles.rs makes the
//! vectors with k256 and checks the lines.
#![cfg_attr(target_os = "none", no_std, no_main)]

use guest_io::println;
use zisk_guest::{from_be_bytes, secp256k1_recover, secp256k1_verify, to_be_bytes, Point256};

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

const RECORD: usize = 161;

fn main() {
    let input = guest_io::input();
    for record in input.chunks_exact(RECORD) {
        let field = |at: usize| -> [u8; 32] { record[at..at + 32].try_into().unwrap() };
        let (prehash, r, s) = (field(0), field(32), field(64));
        let odd_y = record[96] == 1;
        let key = Point256 {
            x: from_be_bytes(&field(97)),
            y: from_be_bytes(&field(129)),
        };
        match secp256k1_recover(&prehash, &r, &s, odd_y) {
            Some(point) => print_hex(&point),
            None => guest_io::print!("none"),
        }
        println!(" {}", secp256k1_verify(&prehash, &r, &s, &key) as u8);
    }
}

fn print_hex(point: &Point256) {
    for byte in to_be_bytes(&point.x)
        .iter()
        .chain(to_be_bytes(&point.y).iter())
    {
        guest_io::print!("{byte:02x}");
    }
}
