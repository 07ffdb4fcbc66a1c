//! The runtime a WebAssembly guest needs inside ZisK, written once as CLIF.
//!
//! Both Cranelift backends (the riscv64 path and the direct ZisK backend) compile these
//! functions like any other: the runtime is ordinary CLIF that reads and writes ZisK's
//! memory map at absolute addresses (the input region, the UART, the public output), plus
//! one backend intrinsic, [`RuntimeEnv::exit`], that ends the run with an exit code.
//!
//! The WASI conventions are those of ZisK's own wasm transpiler, so one `.wasm` gives the
//! same console and public output under every backend:
//! - the ZisK input (8-byte length at `INPUT_ADDR + 8`, bytes from `INPUT_ADDR + 16`) is
//!   either all stdin, or a WASI image (`wasi::image`) holding stdin, the arguments, the
//!   environment and the pre-opened directories' files, all inside what the proof commits to;
//! - `fd_read` reads stdin through a cursor, or a file; `path_open` and the other file
//!   functions give read-only access to the image's directories;
//! - `fd_write` on stdout/stderr sends every byte to the UART console on its stream (the
//!   console protocol, [`console`]) and mirrors the first [`PUBLIC_OUTPUT_BYTES`] bytes of
//!   both into the public output region;
//! - `proc_exit` ends the run with its code;
//! - `random_get` is a fixed-seed splitmix64 stream (with a note on the runtime's message
//!   stream) and `clock_time_get` a counter advancing 1 ms per call: both deterministic, as
//!   a proof requires;
//! - every other `wasi_snapshot_preview1` function returns `ENOSYS`;
//! - `bench.start` / `bench.end` (Sightglass's measurement window) do nothing: the host
//!   finds them by address to measure between them.
//!
//! Guest pointers are untrusted: a range outside the current linear memory makes the call
//! fail with `EFAULT` before any byte moves.

pub mod console;
mod emit;
mod memory;
pub mod program;
pub mod softfloat;
mod traps;
pub mod wasi;
mod zisk;

use cranelift_codegen::ir::{self, UserExternalName};
use cranelift_codegen::isa::CallConv;
use thiserror::Error;

pub use memory::{memmove_function, memset_function};
pub use traps::{trap_reporter, TRAP_EXIT_BASE};
pub use wasi::wasi_function;
pub use zisk::is_precompile;

/// ZisK's memory map (zisk-core `mem.rs`), as the runtime uses it.
pub mod zisk_map {
    /// The 8-byte length of the guest input; its bytes follow.
    pub const INPUT_LEN_ADDR: u64 = 0x1000_0008;
    pub const INPUT_DATA_ADDR: u64 = 0x1000_0010;
    /// Largest input the region can hold (2 GiB less the length words).
    pub const MAX_INPUT_DATA: u64 = 0x8000_0000 - 16;
    /// A one-byte store here goes to the console.
    pub const UART_ADDR: u64 = 0xa040_0200;
    /// The public output region.
    pub const OUTPUT_ADDR: u64 = 0xa041_0000;
}

/// How many bytes of stdout/stderr are mirrored into the public output (as ZisK's wasm
/// transpiler does; the console receives everything).
pub const PUBLIC_OUTPUT_BYTES: u64 = 256;

/// Bytes of RAM the runtime keeps its own state in (see [`RuntimeEnv::state_addr`]): the
/// layout reserves them.
pub use czisk_frontend::layout::RUNTIME_STATE_BYTES;
const _: () = assert!(wasi::STATE_BYTES <= RUNTIME_STATE_BYTES);

/// Where the runtime finds the guest's machine environment.
#[derive(Debug, Clone)]
pub struct RuntimeEnv {
    pub call_conv: CallConv,
    /// Absolute address of linear memory byte 0.
    pub memory_base: u64,
    /// Absolute address of the u64 word holding the current linear-memory size in bytes.
    pub memory_size_addr: u64,
    /// Absolute address of [`RUNTIME_STATE_BYTES`] zero-initialized bytes for the runtime.
    pub state_addr: u64,
    /// The backend intrinsic `exit(code: i32)`: ends the run (publishing the output when the
    /// code is 0, failing it otherwise) and never returns.
    pub exit: UserExternalName,
    /// The backend intrinsic `putc(byte: i32)`: one byte to the console. Straight-line
    /// stores to the UART address would be merged by Cranelift's store elimination (only
    /// the last would remain); a call is never removed.
    pub putc: UserExternalName,
    /// Move overlapping ranges at least 8 bytes apart in disjoint chunks (`memory.rs`),
    /// the `memmove-chunks` optimization; off, byte by byte.
    pub memmove_chunks: bool,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RuntimeError {
    #[error("import from unknown module '{module}' (field '{field}'): only wasi_snapshot_preview1, zisk and bench are provided")]
    UnknownModule { module: String, field: String },
    #[error("import {module}::{field} is not provided (the {module} namespace has: {known})")]
    UnknownImport {
        module: String,
        field: String,
        known: String,
    },
    #[error("import {module}::{field} has signature {found}, expected {expected}")]
    Signature {
        module: String,
        field: String,
        found: String,
        expected: String,
    },
}

/// Builds the body of an imported function, `name` being the CLIF name callers use.
pub fn import_function(
    module: &str,
    field: &str,
    signature: &ir::Signature,
    name: UserExternalName,
    env: &RuntimeEnv,
) -> Result<ir::Function, RuntimeError> {
    match module {
        "wasi_snapshot_preview1" => wasi_function(field, signature, name, env),
        "zisk" => zisk::zisk_function(field, signature, name, env),
        "bench" => bench_function(field, signature, name, env),
        _ => Err(RuntimeError::UnknownModule {
            module: module.into(),
            field: field.into(),
        }),
    }
}

/// `bench.start` and `bench.end`, `[] -> []`: empty functions, found by address by a host
/// that measures the window between them.
fn bench_function(
    field: &str,
    signature: &ir::Signature,
    name: UserExternalName,
    env: &RuntimeEnv,
) -> Result<ir::Function, RuntimeError> {
    if field != "start" && field != "end" {
        return Err(RuntimeError::UnknownImport {
            module: "bench".into(),
            field: field.into(),
            known: "start, end".into(),
        });
    }
    if !signature.params.is_empty() || !signature.returns.is_empty() {
        return Err(RuntimeError::Signature {
            module: "bench".into(),
            field: field.into(),
            found: format!("{:?} -> {:?}", signature.params, signature.returns),
            expected: "[] -> []".into(),
        });
    }
    Ok(emit::build(name, signature.clone(), env, |e| {
        use cranelift_codegen::ir::InstBuilder;
        e.b.ins().return_(&[]);
    }))
}

/// The symbol names of the measurement window's ends in a compiled program.
pub const BENCH_START_SYMBOL: &str = "bench::start";
pub const BENCH_END_SYMBOL: &str = "bench::end";

/// Calls the intrinsic `name(arg: i32)`.
pub(crate) fn call_intrinsic(e: &mut emit::Emitter, name: UserExternalName, arg: ir::Value) {
    use cranelift_codegen::ir::InstBuilder;
    let arg = match e.b.func.dfg.value_type(arg) {
        ir::types::I32 => arg,
        ir::types::I64 => e.b.ins().ireduce(ir::types::I32, arg),
        _ => e.b.ins().uextend(ir::types::I32, arg),
    };
    e.call_program_function(name, &[arg]);
}

/// Calls the exit intrinsic with `code`; it does not return, so the block ends in an
/// (unreachable) trap.
pub(crate) fn call_exit(e: &mut emit::Emitter, code: ir::Value) {
    use cranelift_codegen::ir::InstBuilder;
    call_intrinsic(e, e.env.exit.clone(), code);
    e.b.ins().trap(ir::TrapCode::unwrap_user(1));
}

/// Calls the `memmove(dst, src, len)` intrinsic on absolute addresses (the zisk backend
/// makes it a DMA copy when the ranges do not overlap).
pub(crate) fn call_memmove(e: &mut emit::Emitter, dst: ir::Value, src: ir::Value, len: ir::Value) {
    let name = UserExternalName::new(
        czisk_frontend::NS_INTRINSIC,
        czisk_frontend::INTRINSIC_MEMMOVE,
    );
    e.call_program_function(name, &[dst, src, len]);
}

/// Writes `text` to the console through the putc intrinsic.
pub(crate) fn put_str(e: &mut emit::Emitter, text: &str) {
    use cranelift_codegen::ir::InstBuilder;
    for byte in text.bytes() {
        let v = e.b.ins().iconst(ir::types::I32, byte as i64);
        call_intrinsic(e, e.env.putc.clone(), v);
    }
}
