//! Block header hashing: Keccak-256 of the header's RLP, in consensus field order (which is
//! not the order of the input's serialization).

use revm::primitives::B256;

use crate::{hash::keccak256, input::Header, rlp::List};

impl Header {
    pub fn hash(&self) -> B256 {
        let mut list = List::new()
            .field(&self.parent_hash)
            .field(&self.ommers_hash)
            .field(&self.beneficiary)
            .field(&self.state_root)
            .field(&self.transactions_root)
            .field(&self.receipts_root)
            .field(&self.logs_bloom[..])
            .field(&self.difficulty)
            .field(&self.number)
            .field(&self.gas_limit)
            .field(&self.gas_used)
            .field(&self.timestamp)
            .field(&self.extra_data[..])
            .field(&self.mix_hash)
            // The nonce is an 8-byte string, not an integer.
            .field(&self.nonce.to_be_bytes()[..]);
        // The optional fields of later forks follow in order; each needs the ones before it.
        if let Some(base_fee) = self.base_fee_per_gas {
            list = list.field(&base_fee);
        }
        if let Some(root) = &self.withdrawals_root {
            list = list.field(root);
        }
        if let Some(gas) = self.blob_gas_used {
            list = list.field(&gas);
        }
        if let Some(gas) = self.excess_blob_gas {
            list = list.field(&gas);
        }
        if let Some(root) = &self.parent_beacon_block_root {
            list = list.field(root);
        }
        if let Some(root) = &self.requests_root {
            list = list.field(root);
        }
        keccak256(list.finish())
    }
}
