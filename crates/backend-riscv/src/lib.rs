//! The RISC-V path: wasm -> CLIF (czisk-frontend, czisk-runtime) -> Cranelift's riscv64
//! backend -> an ELF we link for ZisK's memory map -> ZisK's RISC-V transpiler.
//!
//! It is the baseline the direct ZisK backend is measured against, built from the same CLIF.
//!
//! Linking (see `link.rs`): all code goes in one text segment at ZisK's `ROM_ADDR`, starting
//! with an entry stub (stack pointer at the top of ZisK's stack, call to the guest's main)
//! and the exit intrinsic (ZisK's exit system call, `a7 = 93`), then every function.
//! Cranelift emits a trap as an all-zero instruction recorded in its trap table; the linker
//! replaces each with a jump to a stub after its function that loads (trap kind, function,
//! wasm offset) and calls the runtime's trap reporter, which prints them and exits with a
//! non-zero code. Active data segments become RAM segments of the ELF.

mod encode;
mod float_fixes;
mod link;

use std::collections::BTreeMap;

use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use czisk_frontend::{translate_module_with, CompileError, LayoutConfig, Optimizations};
use czisk_runtime::RuntimeError;
use czisk_zisk::ZiskRom;
use thiserror::Error;

pub use czisk_runtime::program::{NS_BACKEND, TRAP_REPORTER};

#[derive(Debug, Clone, Default)]
pub struct RiscvOptions {
    /// Let Cranelift use Zba and Zbb, which ZisK's transpiler accepts.
    pub zba_zbb: bool,
    /// The optimizations to run: those of the frontend and the runtime, and Cranelift's
    /// mid-end (`mid_end`: opt level `speed`, else `none`); the zisk backend's own are not
    /// on this path.
    pub optimizations: Optimizations,
}

pub struct RiscvProgram {
    pub elf: Vec<u8>,
    pub rom: ZiskRom,
    /// Start address of every function, by name.
    pub symbols: BTreeMap<u64, String>,
}

#[derive(Debug, Error)]
pub enum BackendError {
    #[error(transparent)]
    Frontend(#[from] CompileError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("Cranelift failed on {function}: {message}")]
    Codegen { function: String, message: String },
    #[error("linking: {0}")]
    Link(String),
    #[error("the RISC-V path cannot run ZisK precompile imports ({0}); the zisk backend can")]
    ZiskImport(String),
    #[error("ZisK's RISC-V transpiler rejected the ELF: {0}")]
    Transpiler(String),
}

pub fn riscv64_isa(options: &RiscvOptions) -> OwnedTargetIsa {
    let mut flags = settings::builder();
    let level = if options.optimizations.mid_end {
        "speed"
    } else {
        "none"
    };
    flags.set("opt_level", level).expect("known setting");
    // Multi-value: results beyond the return registers go through a hidden return area.
    flags
        .set("enable_multi_ret_implicit_sret", "true")
        .expect("known setting");
    let mut isa = isa::lookup_by_name("riscv64").expect("riscv64 is built in");
    // ZisK's transpiler takes rv64ima(fd) with Zba/Zbb, without compressed instructions.
    for flag in ["has_zca", "has_zcd", "has_zcb"] {
        isa.set(flag, "false").expect("known riscv64 setting");
    }
    for flag in ["has_zba", "has_zbb"] {
        isa.set(flag, if options.zba_zbb { "true" } else { "false" })
            .expect("known riscv64 setting");
    }
    isa.finish(settings::Flags::new(flags))
        .expect("valid riscv64 settings")
}

pub(crate) use czisk_runtime::program::ProgramUnit as Unit;

/// Compiles a wasm module for ZisK through Cranelift's riscv64 backend.
pub fn compile_wasm(wasm: &[u8], options: &RiscvOptions) -> Result<RiscvProgram, BackendError> {
    let mut module = translate_module_with(wasm, &LayoutConfig::zisk(), options.optimizations)?;
    if let Some(import) = module
        .imports
        .iter()
        .find(|i| i.module == "zisk" && czisk_runtime::is_precompile(&i.field))
    {
        return Err(BackendError::ZiskImport(format!(
            "{}::{}",
            import.module, import.field
        )));
    }
    let units = czisk_runtime::program::program_units(&mut module)?;

    let isa = riscv64_isa(options);
    let linked = link::link(&*isa, units, &module.data)?;
    // The loader's only message for our ELFs is its note that a readable text segment is
    // slower to emulate natively; the text must be readable (see link.rs).
    let (rom, _messages) =
        czisk_zisk::load_program(&linked.elf).map_err(BackendError::Transpiler)?;
    Ok(RiscvProgram {
        elf: linked.elf,
        rom,
        symbols: linked.symbols,
    })
}
