//! The direct backend: CLIF to ZisK instructions, without going through RISC-V.
//!
//! Pipeline per function (see DESIGN.md §2):
//! 1. Cranelift's mid-end (`Context::optimize`: egraph rewrites, GVN, LICM, alias analysis);
//! 2. `lower`: instruction selection by the ISLE rules in `src/isle/lower.isle` onto
//!    virtual registers, blocks in reverse post-order with critical edges split;
//! 3. `regalloc`: regalloc2 over the 37 allocatable main-trace registers (r3..r39);
//! 4. `emit`: frames, moves, trap stubs, branch tables, jump folding;
//!
//! and for the program, `link`: ZisK's BIOS, our `_start`, every function, preloaded RAM,
//! into a `ZiskRom`.

pub mod emit;
pub mod float;
pub mod inst;
pub mod link;
pub mod lower;
pub mod machine;
pub mod regalloc;

use std::collections::BTreeMap;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use czisk_frontend::{translate_module, CompileError, LayoutConfig};
use czisk_runtime::program::{program_units, ProgramUnit, NS_BACKEND, TRAP_REPORTER};
use czisk_runtime::RuntimeError;
use thiserror::Error;
use zisk_core::zisk_rom::ZiskRom;

/// Where trap stubs report to.
pub const TRAP_REPORTER_KEY: (u32, u32) = (NS_BACKEND, TRAP_REPORTER);

pub struct ZiskProgram {
    pub rom: ZiskRom,
    /// Start address of every function, by address.
    pub symbols: BTreeMap<u64, String>,
    /// ZisK instructions in the program (BIOS excluded).
    pub instructions: usize,
}

#[derive(Debug, Error)]
pub enum BackendError {
    #[error(transparent)]
    Frontend(#[from] CompileError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("optimizing {function}: {message}")]
    Optimize { function: String, message: String },
    #[error("lowering {function}: {error}")]
    Lower { function: String, error: lower::LowerError },
    #[error("register allocation failed in {function}: {message}")]
    Regalloc { function: String, message: String },
    #[error("linking: {0}")]
    Link(String),
}

/// The ISA whose flags drive Cranelift's (target-independent) mid-end.
fn optimizer_isa() -> OwnedTargetIsa {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").expect("known setting");
    isa::lookup_by_name("riscv64")
        .expect("riscv64 is built in")
        .finish(settings::Flags::new(flags))
        .expect("valid settings")
}

fn compile_unit(isa: &dyn isa::TargetIsa, unit: ProgramUnit) -> Result<link::LinkedFunction, BackendError> {
    let mut ctx = Context::for_function(unit.func);
    ctx.optimize(isa, &mut ControlPlane::default())
        .map_err(|e| BackendError::Optimize { function: unit.name.clone(), message: format!("{e:?}") })?;
    let mut vcode = lower::lower_function(&ctx.func)
        .map_err(|error| BackendError::Lower { function: unit.name.clone(), error })?;
    let out = regalloc::allocate(&vcode)
        .map_err(|e| BackendError::Regalloc { function: unit.name.clone(), message: format!("{e:?}") })?;
    let emitted = emit::emit_function(&ctx.func, &mut vcode, &out, unit.trap_func_index);
    Ok(link::LinkedFunction { key: unit.key, name: unit.name, emitted })
}

/// Compiles a wasm module to a ZisK ROM.
pub fn compile_wasm(wasm: &[u8]) -> Result<ZiskProgram, BackendError> {
    let mut module = translate_module(wasm, &LayoutConfig::zisk())?;
    let units = program_units(&mut module)?;
    let isa = optimizer_isa();
    let functions = units.into_iter().map(|u| compile_unit(&*isa, u)).collect::<Result<Vec<_>, _>>()?;
    let linked = link::link(functions, &module.data).map_err(BackendError::Link)?;
    Ok(ZiskProgram { rom: linked.rom, symbols: linked.symbols, instructions: linked.instructions })
}
