//! Public-key recovery for transaction senders, with k256.

use revm::primitives::{keccak256, Address, B256, U256};

use crate::transaction::SECP256K1_HALF_ORDER;

/// The address whose key made the signature `(r, s)` with y parity `odd_y` over `prehash`;
/// `None` for an invalid signature, including a high `s` (EIP-2).
pub fn recover_signer(prehash: &B256, r: U256, s: U256, odd_y: bool) -> Option<Address> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    if s > SECP256K1_HALF_ORDER {
        return None;
    }
    let signature = Signature::from_scalars(r.to_be_bytes::<32>(), s.to_be_bytes::<32>()).ok()?;
    let key = VerifyingKey::recover_from_prehash(
        prehash.as_slice(),
        &signature,
        RecoveryId::new(odd_y, false),
    )
    .ok()?;
    let point = key.to_encoded_point(false);
    Some(Address::from_slice(
        &keccak256(&point.as_bytes()[1..])[12..],
    ))
}
