//! The compilation paths from a WebAssembly module to a ZisK ROM, behind `--backend`.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{anyhow, Result};
use clap::ValueEnum;
use czisk_zisk::ZiskRom;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// ZisK's own WebAssembly transpiler, unchanged (the peer, for comparison).
    Wasm2zisk,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Wasm2zisk => "wasm2zisk",
        }
    }

    pub const ALL: &'static [Backend] = &[Backend::Wasm2zisk];
}

/// A compiled guest.
pub struct Compiled {
    /// The path that produced it: a backend name, or "elf" for a prebuilt program.
    pub path: &'static str,
    pub rom: ZiskRom,
    /// Names of instruction addresses (functions), for listings.
    pub symbols: BTreeMap<u64, String>,
    pub compile_ms: f64,
}

pub fn compile(backend: Backend, wasm: &[u8]) -> Result<Compiled> {
    let start = Instant::now();
    let rom = match backend {
        Backend::Wasm2zisk => czisk_zisk::wasm2zisk(wasm)
            .map_err(|e| anyhow!("the wasm2zisk backend cannot compile this module: {e}"))?,
    };
    Ok(Compiled {
        path: backend.name(),
        rom,
        symbols: BTreeMap::new(),
        compile_ms: start.elapsed().as_secs_f64() * 1e3,
    })
}

/// Loads a prebuilt ELF (RISC-V or ziskbin) the way `ziskemu -e` does.
pub fn load_elf(elf: &[u8]) -> Result<Compiled> {
    let start = Instant::now();
    let rom = czisk_zisk::load_program(elf).map_err(|e| anyhow!("ZisK cannot load this ELF: {e}"))?;
    Ok(Compiled { path: "elf", rom, symbols: BTreeMap::new(), compile_ms: start.elapsed().as_secs_f64() * 1e3 })
}
