//! RLP lists of mixed fields, on top of alloy-rlp's encoding of each field.

use alloc::vec::Vec;
use alloy_rlp::Encodable;

/// Appends fields to a list payload; `finish` puts the list header in front.
#[derive(Default)]
pub struct List {
    payload: Vec<u8>,
}

impl List {
    pub fn new() -> List {
        List::default()
    }

    pub fn field<T: Encodable + ?Sized>(mut self, value: &T) -> List {
        value.encode(&mut self.payload);
        self
    }

    /// Appends bytes that are already RLP (a nested list, an embedded node).
    pub fn raw(mut self, rlp: &[u8]) -> List {
        self.payload.extend_from_slice(rlp);
        self
    }

    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.payload.len() + 9);
        alloy_rlp::Header {
            list: true,
            payload_length: self.payload.len(),
        }
        .encode(&mut out);
        out.extend_from_slice(&self.payload);
        out
    }
}
