//! Public-key recovery for transaction senders: k256 in software, or ZisK's secp256k1
//! precompiles through zisk-guest in the precompile variant.

use revm::primitives::{Address, B256, U256};

use crate::hash::keccak256;

/// The address whose key made the signature `(r, s)` with y parity `odd_y` over `prehash`;
/// `None` for an invalid signature, including a high `s` (EIP-2).
pub fn recover_signer(prehash: &B256, r: U256, s: U256, odd_y: bool) -> Option<Address> {
    if s > SECP256K1_HALF_ORDER {
        return None;
    }
    let public = public_key(prehash, r, s, odd_y)?;
    Some(Address::from_slice(&keccak256(public)[12..]))
}

/// The uncompressed public key, x then y, big-endian.
#[cfg(not(feature = "zisk-precompiles"))]
fn public_key(prehash: &B256, r: U256, s: U256, odd_y: bool) -> Option<[u8; 64]> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    let signature = Signature::from_scalars(r.to_be_bytes::<32>(), s.to_be_bytes::<32>()).ok()?;
    let key = VerifyingKey::recover_from_prehash(
        prehash.as_slice(),
        &signature,
        RecoveryId::new(odd_y, false),
    )
    .ok()?;
    key.to_sec1_point(false).as_bytes()[1..].try_into().ok()
}

#[cfg(feature = "zisk-precompiles")]
fn public_key(prehash: &B256, r: U256, s: U256, odd_y: bool) -> Option<[u8; 64]> {
    let point =
        zisk_guest::secp256k1_recover(&prehash.0, &r.to_be_bytes(), &s.to_be_bytes(), odd_y)?;
    let mut public = [0u8; 64];
    public[..32].copy_from_slice(&zisk_guest::to_be_bytes(&point.x));
    public[32..].copy_from_slice(&zisk_guest::to_be_bytes(&point.y));
    Some(public)
}

/// Half the secp256k1 group order: EIP-2 rejects signatures with a larger `s`.
const SECP256K1_HALF_ORDER: U256 = U256::from_be_bytes([
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);
