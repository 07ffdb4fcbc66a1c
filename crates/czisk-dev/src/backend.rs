//! The tools' way to compile: czisk's library, with the ROM at hand for running it on
//! ziskemu directly (the tools read the emulator's figures themselves).

use anyhow::Result;
use czisk_zisk::ZiskRom;

pub use czisk::{default_threads, Backend};

/// A compiled guest.
pub struct Compiled {
    pub rom: ZiskRom,
    pub compile_ms: f64,
}

impl From<czisk::Program> for Compiled {
    fn from(program: czisk::Program) -> Compiled {
        Compiled {
            compile_ms: program.compile_ms(),
            rom: program.into_rom(),
        }
    }
}

/// Compiles `wasm` through `backend` with every optimization.
pub fn compile(backend: Backend, wasm: &[u8]) -> Result<Compiled> {
    Ok(czisk::compile(wasm, &czisk::Options::for_backend(backend))?.into())
}

/// Loads a prebuilt ELF (RISC-V or ziskbin) the way `ziskemu -e` does.
pub fn load_elf(elf: &[u8]) -> Result<Compiled> {
    let program = czisk::Program::from_elf(elf, czisk::Limits::default())?;
    eprint!("{}", program.loader_messages());
    Ok(program.into())
}
