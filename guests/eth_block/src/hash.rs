//! Keccak-256 for the guest's own hashing (tries, headers, transactions, addresses, code)
//! and, in the precompile variant, for the EVM's KECCAK256 opcode: alloy's software
//! Keccak, or ZisK's keccak-f precompile through zisk-guest.

use revm::primitives::B256;

#[cfg(not(feature = "zisk-precompiles"))]
pub fn keccak256(data: impl AsRef<[u8]>) -> B256 {
    revm::primitives::keccak256(data)
}

#[cfg(feature = "zisk-precompiles")]
pub fn keccak256(data: impl AsRef<[u8]>) -> B256 {
    B256::from(zisk_guest::Keccak256::digest(data.as_ref()))
}

/// The KECCAK256 opcode (0x20) as revm 14 implements it (same gas, memory expansion and
/// empty-input shortcut), hashing with [`keccak256`].
/// (revm's `resize_memory!` checks a `memory_limit` feature in the calling crate; we have
/// none, as revm here is built without it.)
#[cfg(feature = "zisk-precompiles")]
#[allow(unexpected_cfgs)]
pub fn keccak256_opcode<H: revm::interpreter::Host + ?Sized>(
    interpreter: &mut revm::interpreter::Interpreter,
    _host: &mut H,
) {
    use revm::interpreter::{as_usize_or_fail, gas, gas_or_fail, pop_top, resize_memory};
    pop_top!(interpreter, offset, len_ptr);
    let len = as_usize_or_fail!(interpreter, len_ptr);
    gas_or_fail!(interpreter, gas::keccak256_cost(len as u64));
    let hash = if len == 0 {
        revm::primitives::KECCAK_EMPTY
    } else {
        let from = as_usize_or_fail!(interpreter, offset);
        resize_memory!(interpreter, from, len);
        keccak256(interpreter.shared_memory.slice(from, len))
    };
    *len_ptr = hash.into();
}
