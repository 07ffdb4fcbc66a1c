//! eth_block: executes Ethereum mainnet block 18,884,864 statelessly and checks its
//! post-state root. The input (rsp's `ClientExecutorInput`, see
//! docs/eth-block-input-layout.md) comes on stdin under WASI and on the host, and as the
//! ZisK input natively; every path prints the same line.
#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate alloc;

mod ecrecover;
mod execute;
mod hash;
mod header;
mod input;
mod mpt;
mod rlp;
mod transaction;
mod witness_db;

#[cfg(target_os = "none")]
ziskos::entrypoint!(main);

fn main() {
    let bytes = guest_io::input();
    let input = match input::ClientInput::parse(&bytes) {
        Ok(input) => input,
        Err(e) => fail(format_args!(
            "malformed input at byte {}: {}",
            e.offset, e.message
        )),
    };
    match execute::execute_block(input) {
        Ok(block) => guest_io::println!(
            "block {}: {} transactions, gas used {}, state root {}",
            block.number,
            block.transactions,
            block.gas_used,
            block.state_root
        ),
        Err(message) => fail(format_args!("block rejected: {message}")),
    }
}

/// Says why and ends the run with a failure on every path (a panic is an error exit both
/// under WASI and natively).
fn fail(why: core::fmt::Arguments) -> ! {
    panic!("{why}")
}
