//! The parent state as revm sees it: accounts and storage read out of the witness tries,
//! code by hash, and the ancestors' block hashes. Every trie is checked against its root
//! when the database is made, so every read is bound to the parent header's state root.

use alloc::{format, string::String, vec::Vec};
use alloy_rlp::Decodable;
use revm::{
    interpreter::analysis::to_analysed,
    primitives::{AccountInfo, Address, Bytecode, Bytes, HashMap, B256, KECCAK_EMPTY, U256},
    Database,
};

use crate::{
    hash::keccak256,
    mpt::{nibbles, Node, TrieError, EMPTY_ROOT},
    rlp::List,
};

pub struct WitnessDb {
    pub state_trie: Node,
    /// Keyed by Keccak-256 of the address.
    pub storage_tries: HashMap<B256, Node>,
    /// Raw code by hash; analysed (jump destinations) on first use and kept analysed.
    code: HashMap<B256, Bytecode>,
    block_hashes: HashMap<u64, B256>,
}

/// An account as the state trie stores it.
pub struct TrieAccount {
    pub nonce: u64,
    pub balance: U256,
    pub storage_root: B256,
    pub code_hash: B256,
}

impl TrieAccount {
    pub fn decode(mut rlp: &[u8]) -> Option<TrieAccount> {
        let header = alloy_rlp::Header::decode(&mut rlp).ok()?;
        if !header.list || header.payload_length != rlp.len() {
            return None;
        }
        let account = TrieAccount {
            nonce: u64::decode(&mut rlp).ok()?,
            balance: U256::decode(&mut rlp).ok()?,
            storage_root: B256::decode(&mut rlp).ok()?,
            code_hash: B256::decode(&mut rlp).ok()?,
        };
        rlp.is_empty().then_some(account)
    }

    pub fn encode(&self) -> Vec<u8> {
        List::new()
            .field(&self.nonce)
            .field(&self.balance)
            .field(&self.storage_root)
            .field(&self.code_hash)
            .finish()
    }
}

/// Reported through `Debug` in the guest's failure message.
#[derive(Debug)]
#[allow(dead_code)]
pub enum WitnessError {
    Trie(TrieError),
    BadAccount(Address),
    BadStorageValue(Address, U256),
    /// An account with storage was read without its storage trie in the witness.
    MissingStorageTrie(Address),
    MissingCode(B256),
    MissingBlockHash(u64),
}

impl From<TrieError> for WitnessError {
    fn from(error: TrieError) -> Self {
        WitnessError::Trie(error)
    }
}

impl WitnessDb {
    /// Checks the state trie against `state_root` and every storage trie against its
    /// account's storage root; keeps the code and block hashes for lookups.
    pub fn new(
        state_trie: Node,
        storage_tries: Vec<(B256, Node)>,
        state_root: B256,
        bytecodes: Vec<Bytes>,
        block_hashes: HashMap<u64, B256>,
    ) -> Result<WitnessDb, String> {
        if state_trie.hash() != state_root {
            return Err(format!(
                "the witness state trie hashes to {}, not the parent's state root {state_root}",
                state_trie.hash()
            ));
        }
        let mut tries = HashMap::default();
        for (hashed_address, trie) in storage_tries {
            let account = state_trie
                .get(&nibbles(hashed_address.as_slice()))
                .map_err(|e| format!("storage trie for {hashed_address}: its account is not in the witness: {e:?}"))?;
            let expected = match account {
                Some(rlp) => {
                    TrieAccount::decode(rlp)
                        .ok_or(format!("undecodable account {hashed_address}"))?
                        .storage_root
                }
                None => EMPTY_ROOT,
            };
            if trie.hash() != expected {
                return Err(format!(
                    "storage trie for account {hashed_address} does not match its storage root"
                ));
            }
            tries.insert(hashed_address, trie);
        }
        let code = bytecodes
            .into_iter()
            .map(|code| (keccak256(&code), Bytecode::new_raw(code)))
            .collect();
        Ok(WitnessDb {
            state_trie,
            storage_tries: tries,
            code,
            block_hashes,
        })
    }

    pub fn account(&self, address: Address) -> Result<Option<TrieAccount>, WitnessError> {
        match self
            .state_trie
            .get(&nibbles(keccak256(address).as_slice()))?
        {
            None => Ok(None),
            Some(rlp) => TrieAccount::decode(rlp)
                .map(Some)
                .ok_or(WitnessError::BadAccount(address)),
        }
    }

    fn analysed_code(&mut self, code_hash: B256) -> Result<Bytecode, WitnessError> {
        let code = self
            .code
            .get_mut(&code_hash)
            .ok_or(WitnessError::MissingCode(code_hash))?;
        if !code.is_execution_ready() {
            *code = to_analysed(core::mem::take(code));
        }
        Ok(code.clone())
    }
}

impl Database for WitnessDb {
    type Error = WitnessError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, WitnessError> {
        let Some(account) = self.account(address)? else {
            return Ok(None);
        };
        let code = if account.code_hash == KECCAK_EMPTY {
            Bytecode::default()
        } else {
            self.analysed_code(account.code_hash)?
        };
        Ok(Some(AccountInfo {
            balance: account.balance,
            nonce: account.nonce,
            code_hash: account.code_hash,
            code: Some(code),
        }))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, WitnessError> {
        self.analysed_code(code_hash)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, WitnessError> {
        let hashed_address = keccak256(address);
        let Some(trie) = self.storage_tries.get(&hashed_address) else {
            // Without a trie, only an account with no storage can be read.
            return match self.account(address)? {
                Some(account) if account.storage_root != EMPTY_ROOT => {
                    Err(WitnessError::MissingStorageTrie(address))
                }
                _ => Ok(U256::ZERO),
            };
        };
        match trie.get(&nibbles(keccak256(index.to_be_bytes::<32>()).as_slice()))? {
            None => Ok(U256::ZERO),
            Some(mut rlp) => {
                U256::decode(&mut rlp).map_err(|_| WitnessError::BadStorageValue(address, index))
            }
        }
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, WitnessError> {
        self.block_hashes
            .get(&number)
            .copied()
            .ok_or(WitnessError::MissingBlockHash(number))
    }
}
