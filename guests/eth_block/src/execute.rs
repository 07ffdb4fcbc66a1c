//! Stateless block execution: check the block against its parent, run its transactions
//! with revm on the witness, apply the withdrawals, write the changes into the tries and
//! compare the post-state root with the header's.

use alloc::{format, string::String, vec::Vec};
use revm::{
    db::{states::bundle_state::BundleRetention, BundleState, State},
    primitives::{AccessListItem, HashMap, SpecId, TxEnv, TxKind, B256, U256},
    Evm,
};

use crate::{
    hash::keccak256,
    input::{Block, ClientInput, Header, TxKindFields},
    mpt::{nibbles, Node, EMPTY_ROOT},
    rlp::List,
    witness_db::{TrieAccount, WitnessDb},
};

/// Ethereum mainnet, the only chain whose fork schedule this guest knows.
const CHAIN_ID: u64 = 1;
/// Mainnet activation timestamps of the forks around the supported range.
const SHANGHAI_TIMESTAMP: u64 = 1_681_338_455;
const CANCUN_TIMESTAMP: u64 = 1_710_338_135;
const GWEI_TO_WEI: u128 = 1_000_000_000;

pub struct ExecutedBlock {
    pub number: u64,
    pub transactions: usize,
    pub gas_used: u64,
    pub state_root: B256,
}

pub fn execute_block(input: ClientInput) -> Result<ExecutedBlock, String> {
    let ClientInput {
        block,
        ancestor_headers,
        parent_state,
        bytecodes,
        ..
    } = input;
    let header = &block.header;
    let spec = fork_at(header)?;
    let block_hashes = check_ancestry(header, &ancestor_headers)?;
    check_body(&block)?;

    let mut db = WitnessDb::new(
        parent_state.state_trie,
        parent_state.storage_tries,
        ancestor_headers[0].state_root,
        bytecodes,
        block_hashes,
    )?;

    let mut state = State::builder()
        .with_database(&mut db)
        .with_bundle_update()
        .build();
    let gas_used = run_transactions(&block, spec, &mut state)?;
    if gas_used != header.gas_used {
        return Err(format!(
            "the transactions used {gas_used} gas, the header says {}",
            header.gas_used
        ));
    }
    // EIP-4895: withdrawals credit their amount (in gwei) after the transactions, with no
    // gas and no touching of empty accounts when the amount is zero.
    let withdrawals = block.withdrawals.iter().flatten();
    state
        .increment_balances(withdrawals.map(|w| (w.address, w.amount as u128 * GWEI_TO_WEI)))
        .map_err(|e| format!("withdrawals: {e:?}"))?;
    state.merge_transitions(BundleRetention::PlainState);
    let bundle = state.take_bundle();

    let state_root = post_state_root(&mut db, bundle)?;
    if state_root != header.state_root {
        return Err(format!(
            "computed state root {state_root}, the header says {}",
            header.state_root
        ));
    }
    Ok(ExecutedBlock {
        number: header.number,
        transactions: block.transactions.len(),
        gas_used,
        state_root,
    })
}

/// The supported range: Paris (the merge, no block rewards) with Shanghai's withdrawals,
/// up to Cancun (which needs the beacon-root system call and blob gas).
fn fork_at(header: &Header) -> Result<SpecId, String> {
    if header.timestamp < SHANGHAI_TIMESTAMP || header.timestamp >= CANCUN_TIMESTAMP {
        return Err(format!(
            "block {} is outside the Shanghai fork, the only one supported",
            header.number
        ));
    }
    if header.base_fee_per_gas.is_none() || header.withdrawals_root.is_none() {
        return Err("a Shanghai header needs a base fee and a withdrawals root".into());
    }
    Ok(SpecId::SHANGHAI)
}

/// The ancestors must be this block's parent, its parent, and so on, each bound to the next
/// by its hash. Their hashes are what BLOCKHASH sees.
fn check_ancestry(header: &Header, ancestors: &[Header]) -> Result<HashMap<u64, B256>, String> {
    let mut block_hashes = HashMap::default();
    let mut child = header;
    for ancestor in ancestors {
        let hash = ancestor.hash();
        if hash != child.parent_hash || ancestor.number + 1 != child.number {
            return Err(format!(
                "ancestor header {} is not the parent of block {}",
                ancestor.number, child.number
            ));
        }
        block_hashes.insert(ancestor.number, hash);
        child = ancestor;
    }
    if ancestors.is_empty() {
        return Err("the input has no parent header".into());
    }
    Ok(block_hashes)
}

/// The body must be the one the header commits to: transactions, withdrawals and ommers.
fn check_body(block: &Block) -> Result<(), String> {
    let header = &block.header;
    let mut transactions = Node::Null;
    for (index, tx) in block.transactions.iter().enumerate() {
        let encoded = tx.encoded();
        if keccak256(&encoded) != tx.hash {
            return Err(format!(
                "transaction {index}: its hash does not match its contents"
            ));
        }
        transactions
            .insert(&ordered_key(index), encoded)
            .map_err(|e| format!("{e:?}"))?;
    }
    if transactions.hash() != header.transactions_root {
        return Err("the transactions do not match the header's transactions root".into());
    }
    let mut withdrawals = Node::Null;
    for (index, w) in block.withdrawals.iter().flatten().enumerate() {
        let rlp = List::new()
            .field(&w.index)
            .field(&w.validator_index)
            .field(&w.address)
            .field(&w.amount)
            .finish();
        withdrawals
            .insert(&ordered_key(index), rlp)
            .map_err(|e| format!("{e:?}"))?;
    }
    if Some(withdrawals.hash()) != header.withdrawals_root {
        return Err("the withdrawals do not match the header's withdrawals root".into());
    }
    if !block.ommers.is_empty() || header.ommers_hash != keccak256(List::new().finish()) {
        return Err("a post-merge block has no ommers".into());
    }
    Ok(())
}

/// Key of the `index`th item in a transactions or withdrawals trie: RLP of the index.
fn ordered_key(index: usize) -> Vec<u8> {
    nibbles(&alloy_rlp::encode(index))
}

/// Executes every transaction in order, committing each; returns the block's gas used.
fn run_transactions(
    block: &Block,
    spec: SpecId,
    state: &mut State<&mut WitnessDb>,
) -> Result<u64, String> {
    let header = &block.header;
    let evm = Evm::builder()
        .with_db(state)
        .with_spec_id(spec)
        .modify_cfg_env(|cfg| cfg.chain_id = CHAIN_ID)
        .modify_block_env(|env| {
            env.number = U256::from(header.number);
            env.coinbase = header.beneficiary;
            env.timestamp = U256::from(header.timestamp);
            env.gas_limit = U256::from(header.gas_limit);
            env.basefee = U256::from(header.base_fee_per_gas.unwrap_or_default());
            env.difficulty = header.difficulty;
            // After the merge, the mix hash field carries RANDAO's output (EIP-4399).
            env.prevrandao = Some(header.mix_hash);
            env.blob_excess_gas_and_price = None;
        });
    #[cfg(feature = "zisk-precompiles")]
    let evm = evm.append_handler_register(|handler| {
        handler
            .instruction_table
            .insert(0x20, crate::hash::keccak256_opcode)
    });
    let mut evm = evm.build();
    let mut gas_used = 0u64;
    for (index, signed) in block.transactions.iter().enumerate() {
        let tx = &signed.transaction;
        let sender = signed
            .recover_sender()
            .ok_or(format!("transaction {index}: invalid signature"))?;
        if tx.chain_id().is_some_and(|id| id != CHAIN_ID) {
            return Err(format!(
                "transaction {index}: chain id {:?} is not mainnet's",
                tx.chain_id()
            ));
        }
        if gas_used + tx.gas_limit > header.gas_limit {
            return Err(format!(
                "transaction {index}: its gas limit exceeds what is left of the block's"
            ));
        }
        let priority_fee = match &tx.kind {
            TxKindFields::Legacy { .. } | TxKindFields::Eip2930 { .. } => None,
            TxKindFields::Eip1559 {
                max_priority_fee_per_gas,
                ..
            } => Some(U256::from(*max_priority_fee_per_gas)),
            TxKindFields::Eip4844 { .. } => {
                return Err(format!(
                    "transaction {index}: blob transactions need Cancun"
                ))
            }
        };
        *evm.tx_mut() = TxEnv {
            caller: sender,
            gas_limit: tx.gas_limit,
            gas_price: U256::from(tx.max_fee_per_gas),
            transact_to: match tx.to {
                Some(address) => TxKind::Call(address),
                None => TxKind::Create,
            },
            value: tx.value,
            data: tx.input.clone(),
            nonce: Some(tx.nonce),
            chain_id: tx.chain_id(),
            access_list: tx
                .access_list
                .iter()
                .map(|e| AccessListItem {
                    address: e.address,
                    storage_keys: e.storage_keys.clone(),
                })
                .collect(),
            gas_priority_fee: priority_fee,
            blob_hashes: Vec::new(),
            max_fee_per_blob_gas: None,
            authorization_list: None,
        };
        let result = evm
            .transact_commit()
            .map_err(|e| format!("transaction {index}: {e:?}"))?;
        gas_used += result.gas_used();
    }
    Ok(gas_used)
}

/// Writes every changed account and slot into the witness tries and hashes the result.
fn post_state_root(db: &mut WitnessDb, bundle: BundleState) -> Result<B256, String> {
    fn missing(what: &str, e: impl core::fmt::Debug) -> String {
        format!("updating {what}: the witness is incomplete: {e:?}")
    }
    for (address, account) in bundle.state {
        let hashed = keccak256(address);
        let key = nibbles(hashed.as_slice());
        let Some(info) = account.info else {
            // Self-destructed, or empty and touched (EIP-161): the account goes.
            db.state_trie
                .delete(&key)
                .map_err(|e| missing("the state trie", e))?;
            db.storage_tries.remove(&hashed);
            continue;
        };
        let original_root = db
            .account(address)
            .map_err(|e| missing("an account", e))?
            .map_or(EMPTY_ROOT, |original| original.storage_root);
        let destroyed = account.status.was_destroyed();
        let storage_root = if !db.storage_tries.contains_key(&hashed)
            && !destroyed
            && account.storage.is_empty()
        {
            // Untouched storage the witness did not need to reveal.
            original_root
        } else {
            if !db.storage_tries.contains_key(&hashed) && !destroyed && original_root != EMPTY_ROOT
            {
                return Err(format!(
                    "account {address} changed storage the witness does not reveal"
                ));
            }
            let storage = db.storage_tries.entry(hashed).or_insert(Node::Null);
            if destroyed {
                *storage = Node::Null;
            }
            for (slot, value) in &account.storage {
                let slot_key = nibbles(keccak256(slot.to_be_bytes::<32>()).as_slice());
                let result = if value.present_value.is_zero() {
                    storage.delete(&slot_key).map(drop)
                } else {
                    storage.insert(&slot_key, alloy_rlp::encode(value.present_value))
                };
                result.map_err(|e| missing("a storage trie", e))?;
            }
            storage.hash()
        };
        let account = TrieAccount {
            nonce: info.nonce,
            balance: info.balance,
            storage_root,
            code_hash: info.code_hash,
        };
        db.state_trie
            .insert(&key, account.encode())
            .map_err(|e| missing("the state trie", e))?;
    }
    Ok(db.state_trie.hash())
}
