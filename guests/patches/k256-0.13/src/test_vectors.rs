//! secp256k1 test vectors

#[cfg(test)]
pub mod ecdsa;
pub mod field;
pub mod group;
