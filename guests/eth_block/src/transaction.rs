//! Transaction encodings (EIP-2718 typed envelopes and legacy), the hash each signature
//! covers, and the sender it recovers to.

use crate::hash::keccak256;
use alloc::vec::Vec;
use revm::primitives::{Address, B256, U256};

use crate::{
    input::{AccessListEntry, SignedTransaction, Transaction, TxKindFields},
    rlp::List,
};

impl Transaction {
    /// The EIP-2718 type byte; legacy transactions have none.
    fn type_byte(&self) -> Option<u8> {
        match self.kind {
            TxKindFields::Legacy { .. } => None,
            TxKindFields::Eip2930 { .. } => Some(1),
            TxKindFields::Eip1559 { .. } => Some(2),
            TxKindFields::Eip4844 { .. } => Some(3),
        }
    }

    /// The list fields common to signing and to the signed encoding, in consensus order.
    fn unsigned_fields(&self) -> List {
        let to: &[u8] = match &self.to {
            Some(address) => address.as_slice(),
            None => &[],
        };
        let common = |list: List| list.field(to).field(&self.value).field(&self.input[..]);
        match &self.kind {
            TxKindFields::Legacy { .. } => common(
                List::new()
                    .field(&self.nonce)
                    .field(&self.max_fee_per_gas)
                    .field(&self.gas_limit),
            ),
            TxKindFields::Eip2930 { chain_id } => common(
                List::new()
                    .field(chain_id)
                    .field(&self.nonce)
                    .field(&self.max_fee_per_gas)
                    .field(&self.gas_limit),
            )
            .raw(&access_list_rlp(&self.access_list)),
            TxKindFields::Eip1559 {
                chain_id,
                max_priority_fee_per_gas,
            } => common(
                List::new()
                    .field(chain_id)
                    .field(&self.nonce)
                    .field(max_priority_fee_per_gas)
                    .field(&self.max_fee_per_gas)
                    .field(&self.gas_limit),
            )
            .raw(&access_list_rlp(&self.access_list)),
            TxKindFields::Eip4844 {
                chain_id,
                max_priority_fee_per_gas,
                blob_versioned_hashes,
                max_fee_per_blob_gas,
            } => {
                let mut hashes = List::new();
                for hash in blob_versioned_hashes {
                    hashes = hashes.field(hash);
                }
                common(
                    List::new()
                        .field(chain_id)
                        .field(&self.nonce)
                        .field(max_priority_fee_per_gas)
                        .field(&self.max_fee_per_gas)
                        .field(&self.gas_limit),
                )
                .raw(&access_list_rlp(&self.access_list))
                .field(max_fee_per_blob_gas)
                .raw(&hashes.finish())
            }
        }
    }

    /// The hash the sender signed (EIP-155 replay protection for legacy with a chain id).
    pub fn signing_hash(&self) -> B256 {
        let mut fields = self.unsigned_fields();
        if let TxKindFields::Legacy {
            chain_id: Some(chain_id),
        } = self.kind
        {
            fields = fields.field(&chain_id).field(&0u8).field(&0u8);
        }
        keccak256(self.envelope(fields))
    }

    fn envelope(&self, fields: List) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(self.type_byte());
        out.extend_from_slice(&fields.finish());
        out
    }

    pub fn chain_id(&self) -> Option<u64> {
        match self.kind {
            TxKindFields::Legacy { chain_id } => chain_id,
            TxKindFields::Eip2930 { chain_id }
            | TxKindFields::Eip1559 { chain_id, .. }
            | TxKindFields::Eip4844 { chain_id, .. } => Some(chain_id),
        }
    }
}

impl SignedTransaction {
    /// The encoding that is hashed for the transaction's hash and stored in the
    /// transactions trie.
    pub fn encoded(&self) -> Vec<u8> {
        let tx = &self.transaction;
        let parity = self.odd_y_parity as u64;
        let v = match tx.kind {
            TxKindFields::Legacy {
                chain_id: Some(chain_id),
            } => chain_id * 2 + 35 + parity,
            TxKindFields::Legacy { chain_id: None } => 27 + parity,
            _ => parity,
        };
        tx.envelope(tx.unsigned_fields().field(&v).field(&self.r).field(&self.s))
    }

    /// The sender, from the signature over `signing_hash`.
    pub fn recover_sender(&self) -> Option<Address> {
        crate::ecrecover::recover_signer(
            &self.transaction.signing_hash(),
            self.r,
            self.s,
            self.odd_y_parity,
        )
    }
}

fn access_list_rlp(entries: &[AccessListEntry]) -> Vec<u8> {
    let mut list = List::new();
    for entry in entries {
        let mut keys = List::new();
        for key in &entry.storage_keys {
            keys = keys.field(key);
        }
        list = list.raw(
            &List::new()
                .field(&entry.address)
                .raw(&keys.finish())
                .finish(),
        );
    }
    list.finish()
}

/// Half the secp256k1 group order: EIP-2 rejects signatures with a larger `s`.
pub const SECP256K1_HALF_ORDER: U256 = U256::from_be_bytes([
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);
