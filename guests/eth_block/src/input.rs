//! The guest's input: rsp's `ClientExecutorInput` as bincode 1.x (fixed-width integers,
//! little-endian) wrote it. docs/eth-block-input-layout.md gives the layout field by field
//! and where it comes from; these are our own types, read by hand so that every byte is
//! accounted for and the whole input must be consumed.

use alloc::{format, string::String, vec::Vec};
use revm::primitives::{Address, Bytes, B256, U256};

use crate::mpt::Node;

/// What a malformed input looks like to the caller: where, and what was expected.
#[derive(Debug)]
pub struct InputError {
    pub offset: usize,
    pub message: String,
}

type Result<T> = core::result::Result<T, InputError>;

pub struct ClientInput {
    pub block: Block,
    /// Index 0 is the parent of `block`, then its parent, and so on.
    pub ancestor_headers: Vec<Header>,
    pub parent_state: EthereumState,
    /// The accounts and slots the host fetched witnesses for; the guest does not need them
    /// (every read goes through the tries), but they are part of the layout.
    #[allow(dead_code)]
    pub state_requests: Vec<(Address, Vec<U256>)>,
    /// Contract code; each is looked up by its Keccak-256 hash.
    pub bytecodes: Vec<Bytes>,
}

pub struct Block {
    pub header: Header,
    pub transactions: Vec<SignedTransaction>,
    pub ommers: Vec<Header>,
    pub withdrawals: Option<Vec<Withdrawal>>,
}

#[derive(Clone)]
pub struct Header {
    pub parent_hash: B256,
    pub ommers_hash: B256,
    pub beneficiary: Address,
    pub state_root: B256,
    pub transactions_root: B256,
    pub receipts_root: B256,
    pub withdrawals_root: Option<B256>,
    pub logs_bloom: [u8; 256],
    pub difficulty: U256,
    pub number: u64,
    pub gas_limit: u64,
    pub gas_used: u64,
    pub timestamp: u64,
    pub mix_hash: B256,
    pub nonce: u64,
    pub base_fee_per_gas: Option<u64>,
    pub blob_gas_used: Option<u64>,
    pub excess_blob_gas: Option<u64>,
    pub parent_beacon_block_root: Option<B256>,
    pub requests_root: Option<B256>,
    pub extra_data: Bytes,
}

pub struct SignedTransaction {
    /// The hash the input claims; checked against the transaction's encoding.
    pub hash: B256,
    pub r: U256,
    pub s: U256,
    pub odd_y_parity: bool,
    pub transaction: Transaction,
}

/// The fields of every transaction type this guest executes, with the type in `kind`.
pub struct Transaction {
    pub kind: TxKindFields,
    pub nonce: u64,
    pub gas_limit: u64,
    /// `gas_price` for legacy and EIP-2930 transactions, `max_fee_per_gas` otherwise.
    pub max_fee_per_gas: u128,
    pub to: Option<Address>,
    pub value: U256,
    pub access_list: Vec<AccessListEntry>,
    pub input: Bytes,
}

pub enum TxKindFields {
    Legacy {
        chain_id: Option<u64>,
    },
    Eip2930 {
        chain_id: u64,
    },
    Eip1559 {
        chain_id: u64,
        max_priority_fee_per_gas: u128,
    },
    Eip4844 {
        chain_id: u64,
        max_priority_fee_per_gas: u128,
        blob_versioned_hashes: Vec<B256>,
        max_fee_per_blob_gas: u128,
    },
}

pub struct AccessListEntry {
    pub address: Address,
    pub storage_keys: Vec<B256>,
}

pub struct Withdrawal {
    pub index: u64,
    pub validator_index: u64,
    pub address: Address,
    /// In gwei.
    pub amount: u64,
}

pub struct EthereumState {
    pub state_trie: Node,
    /// Keyed by Keccak-256 of the account's address.
    pub storage_tries: Vec<(B256, Node)>,
}

impl ClientInput {
    /// Reads the whole input; trailing bytes are an error, like any other mismatch.
    pub fn parse(bytes: &[u8]) -> Result<ClientInput> {
        let mut r = Reader { bytes, pos: 0 };
        let input = ClientInput {
            block: r.block()?,
            ancestor_headers: r.seq(Reader::header)?,
            parent_state: EthereumState {
                state_trie: r.mpt_node()?,
                storage_tries: r.seq(|r| Ok((r.b256()?, r.mpt_node()?)))?,
            },
            state_requests: r.seq(|r| Ok((r.address()?, r.seq(Reader::u256)?)))?,
            bytecodes: r.seq(Reader::bytecode)?,
        };
        if r.pos != bytes.len() {
            return Err(r.error(format!(
                "{} bytes left after the input",
                bytes.len() - r.pos
            )));
        }
        Ok(input)
    }
}

/// A cursor with bincode 1.x's fixint primitives and the serde shapes of the alloy types.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn error(&self, message: String) -> InputError {
        InputError {
            offset: self.pos,
            message,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end =
            end.ok_or_else(|| self.error(format!("{n} bytes needed, the input ends first")))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("take returns N bytes"))
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn u128(&mut self) -> Result<u128> {
        Ok(u128::from_le_bytes(self.array()?))
    }

    fn bool(&mut self) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.error(format!("bool byte {other}"))),
        }
    }

    /// A sequence or byte-string length (a u64), bounded by what is left to read so that a
    /// corrupt length fails here instead of in an allocation.
    fn len(&mut self) -> Result<usize> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err(self.error(format!("length {n} exceeds the {left} bytes left")));
        }
        Ok(n as usize)
    }

    fn variant(&mut self, what: &str, count: u32) -> Result<u32> {
        let index = self.u32()?;
        if index >= count {
            return Err(self.error(format!("{what} variant {index} (expected < {count})")));
        }
        Ok(index)
    }

    fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            other => Err(self.error(format!("Option tag {other}"))),
        }
    }

    fn seq<T>(&mut self, mut read: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let n = self.len()?;
        (0..n).map(|_| read(self)).collect()
    }

    /// `serialize_bytes`: a u64 length, then the bytes.
    fn byte_buf(&mut self) -> Result<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }

    /// alloy's fixed-size types keep the length prefix even though the size is fixed.
    fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.byte_buf()?;
        bytes
            .try_into()
            .map_err(|_| self.error(format!("{} bytes where {N} belong", bytes.len())))
    }

    fn b256(&mut self) -> Result<B256> {
        self.fixed::<32>().map(B256::from)
    }

    fn address(&mut self) -> Result<Address> {
        self.fixed::<20>().map(Address::from)
    }

    /// ruint writes its big-endian bytes.
    fn u256(&mut self) -> Result<U256> {
        self.fixed::<32>().map(|b| U256::from_be_bytes(b))
    }

    /// `alloy_serde::quantity` goes through ruint's U64: 8 big-endian bytes.
    fn quantity(&mut self) -> Result<u64> {
        self.fixed::<8>().map(u64::from_be_bytes)
    }

    fn bytes(&mut self) -> Result<Bytes> {
        Ok(Bytes::copy_from_slice(self.byte_buf()?))
    }

    fn header(&mut self) -> Result<Header> {
        Ok(Header {
            parent_hash: self.b256()?,
            ommers_hash: self.b256()?,
            beneficiary: self.address()?,
            state_root: self.b256()?,
            transactions_root: self.b256()?,
            receipts_root: self.b256()?,
            withdrawals_root: self.option(Self::b256)?,
            logs_bloom: self.fixed::<256>()?,
            difficulty: self.u256()?,
            number: self.u64()?,
            gas_limit: self.u64()?,
            gas_used: self.u64()?,
            timestamp: self.u64()?,
            mix_hash: self.b256()?,
            nonce: self.u64()?,
            base_fee_per_gas: self.option(Self::u64)?,
            blob_gas_used: self.option(Self::u64)?,
            excess_blob_gas: self.option(Self::u64)?,
            parent_beacon_block_root: self.option(Self::b256)?,
            requests_root: self.option(Self::b256)?,
            extra_data: self.bytes()?,
        })
    }

    fn block(&mut self) -> Result<Block> {
        let header = self.header()?;
        let transactions = self.seq(Self::signed_transaction)?;
        let ommers = self.seq(Self::header)?;
        let withdrawals = self.option(|r| r.seq(Self::withdrawal))?;
        if self.u8()? != 0 {
            return Err(self.error("EIP-7685 requests (Prague) are not supported".into()));
        }
        Ok(Block {
            header,
            transactions,
            ommers,
            withdrawals,
        })
    }

    fn withdrawal(&mut self) -> Result<Withdrawal> {
        Ok(Withdrawal {
            index: self.quantity()?,
            validator_index: self.quantity()?,
            address: self.address()?,
            amount: self.quantity()?,
        })
    }

    fn signed_transaction(&mut self) -> Result<SignedTransaction> {
        Ok(SignedTransaction {
            hash: self.b256()?,
            r: self.u256()?,
            s: self.u256()?,
            odd_y_parity: self.bool()?,
            transaction: self.transaction()?,
        })
    }

    /// `TxKind` is serialized as `Option<Address>`: None creates a contract.
    fn to(&mut self) -> Result<Option<Address>> {
        self.option(Self::address)
    }

    fn access_list(&mut self) -> Result<Vec<AccessListEntry>> {
        self.seq(|r| {
            Ok(AccessListEntry {
                address: r.address()?,
                storage_keys: r.seq(Self::b256)?,
            })
        })
    }

    /// reth's transaction enum; each variant's fields in declaration order (note that
    /// EIP-1559 and EIP-4844 put `gas_limit` before the fees, unlike their RLP).
    fn transaction(&mut self) -> Result<Transaction> {
        let at = self.pos;
        match self.variant("Transaction", 5)? {
            0 => {
                let chain_id = self.option(Self::u64)?;
                let nonce = self.u64()?;
                let gas_price = self.u128()?;
                let gas_limit = self.u64()?;
                Ok(Transaction {
                    kind: TxKindFields::Legacy { chain_id },
                    nonce,
                    gas_limit,
                    max_fee_per_gas: gas_price,
                    to: self.to()?,
                    value: self.u256()?,
                    access_list: Vec::new(),
                    input: self.bytes()?,
                })
            }
            1 => {
                let chain_id = self.u64()?;
                let nonce = self.u64()?;
                let gas_price = self.u128()?;
                let gas_limit = self.u64()?;
                Ok(Transaction {
                    kind: TxKindFields::Eip2930 { chain_id },
                    nonce,
                    gas_limit,
                    max_fee_per_gas: gas_price,
                    to: self.to()?,
                    value: self.u256()?,
                    access_list: self.access_list()?,
                    input: self.bytes()?,
                })
            }
            2 => {
                let chain_id = self.u64()?;
                let nonce = self.u64()?;
                let gas_limit = self.u64()?;
                let max_fee_per_gas = self.u128()?;
                let max_priority_fee_per_gas = self.u128()?;
                Ok(Transaction {
                    kind: TxKindFields::Eip1559 {
                        chain_id,
                        max_priority_fee_per_gas,
                    },
                    nonce,
                    gas_limit,
                    max_fee_per_gas,
                    to: self.to()?,
                    value: self.u256()?,
                    access_list: self.access_list()?,
                    input: self.bytes()?,
                })
            }
            3 => {
                let chain_id = self.u64()?;
                let nonce = self.u64()?;
                let gas_limit = self.u64()?;
                let max_fee_per_gas = self.u128()?;
                let max_priority_fee_per_gas = self.u128()?;
                // reth's `placeholder: Option<()>`: only its tag is written.
                self.option(|_| Ok(()))?;
                let to = Some(self.address()?);
                let value = self.u256()?;
                let access_list = self.access_list()?;
                let blob_versioned_hashes = self.seq(Self::b256)?;
                let max_fee_per_blob_gas = self.u128()?;
                Ok(Transaction {
                    kind: TxKindFields::Eip4844 {
                        chain_id,
                        max_priority_fee_per_gas,
                        blob_versioned_hashes,
                        max_fee_per_blob_gas,
                    },
                    nonce,
                    gas_limit,
                    max_fee_per_gas,
                    to,
                    value,
                    access_list,
                    input: self.bytes()?,
                })
            }
            _ => Err(InputError {
                offset: at,
                message: "EIP-7702 transactions (Prague) are not supported".into(),
            }),
        }
    }

    /// rsp's `MptNode`: a u32 variant, then its payload; branches hold 16 optional children
    /// with no length prefix.
    fn mpt_node(&mut self) -> Result<Node> {
        match self.variant("MptNodeData", 5)? {
            0 => Ok(Node::Null),
            1 => {
                let mut children: [Node; 16] = Default::default();
                for child in children.iter_mut() {
                    if let Some(node) = self.option(Self::mpt_node)? {
                        *child = node;
                    }
                }
                Ok(Node::branch(children))
            }
            2 => {
                let path = self.hex_prefix_path(true)?;
                Ok(Node::leaf(path, self.byte_buf()?.to_vec()))
            }
            3 => {
                let path = self.hex_prefix_path(false)?;
                Ok(Node::extension(path, self.mpt_node()?))
            }
            _ => Ok(Node::Digest(self.b256()?)),
        }
    }

    fn hex_prefix_path(&mut self, leaf: bool) -> Result<Vec<u8>> {
        let encoded = self.byte_buf()?;
        crate::mpt::decode_hex_prefix(encoded, leaf)
            .ok_or_else(|| self.error(format!("bad hex-prefix path {encoded:02x?}")))
    }

    /// revm's `Bytecode`: only raw legacy code can appear in a pre-Prague witness, and the
    /// guest analyses it itself anyway.
    fn bytecode(&mut self) -> Result<Bytes> {
        match self.variant("Bytecode", 4)? {
            0 => self.bytes(),
            other => Err(self.error(format!(
                "Bytecode variant {other}: only LegacyRaw is supported"
            ))),
        }
    }
}
