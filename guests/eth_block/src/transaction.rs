//! Transaction encodings (EIP-2718 typed envelopes and legacy), the hash each signature
//! covers, and the sender it recovers to.

use alloc::vec::Vec;
use revm::primitives::{Address, B256};

use crate::{
    hash::keccak256,
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

    /// The list fields common to signing and to the signed encoding, in consensus order:
    /// typed transactions lead with the chain id and put EIP-1559's priority fee before the
    /// fee cap, and carry an access list (and, for blobs, their fee cap and hashes) after
    /// the input.
    fn unsigned_fields(&self) -> List {
        let (chain_id, priority_fee) = match &self.kind {
            TxKindFields::Legacy { .. } => (None, None),
            TxKindFields::Eip2930 { chain_id } => (Some(chain_id), None),
            TxKindFields::Eip1559 {
                chain_id,
                max_priority_fee_per_gas,
            }
            | TxKindFields::Eip4844 {
                chain_id,
                max_priority_fee_per_gas,
                ..
            } => (Some(chain_id), Some(max_priority_fee_per_gas)),
        };
        let to: &[u8] = match &self.to {
            Some(address) => address.as_slice(),
            None => &[],
        };
        let mut list = List::new();
        if let Some(chain_id) = chain_id {
            list = list.field(chain_id);
        }
        list = list.field(&self.nonce);
        if let Some(priority_fee) = priority_fee {
            list = list.field(priority_fee);
        }
        list = list
            .field(&self.max_fee_per_gas)
            .field(&self.gas_limit)
            .field(to)
            .field(&self.value)
            .field(&self.input[..]);
        if chain_id.is_some() {
            list = list.raw(&access_list_rlp(&self.access_list));
        }
        if let TxKindFields::Eip4844 {
            blob_versioned_hashes,
            max_fee_per_blob_gas,
            ..
        } = &self.kind
        {
            let mut hashes = List::new();
            for hash in blob_versioned_hashes {
                hashes = hashes.field(hash);
            }
            list = list.field(max_fee_per_blob_gas).raw(&hashes.finish());
        }
        list
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
