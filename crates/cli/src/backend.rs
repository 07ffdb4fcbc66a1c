//! The compilation paths from a WebAssembly module to a ZisK ROM, behind `--backend`.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{anyhow, Result};
use clap::ValueEnum;
use czisk_zisk::ZiskRom;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The direct backend: CLIF to ZisK instructions (the product).
    Zisk,
    /// Cranelift's riscv64 backend (with Zba and Zbb), linked for ZisK and transpiled by
    /// ZisK's RISC-V transpiler: the baseline.
    Riscv,
    /// The same without Zba and Zbb (plain rv64ima).
    RiscvIma,
    /// ZisK's own WebAssembly transpiler, unchanged (the peer, for comparison).
    Wasm2zisk,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Zisk => "zisk",
            Backend::Riscv => "riscv",
            Backend::RiscvIma => "riscv-ima",
            Backend::Wasm2zisk => "wasm2zisk",
        }
    }

    pub const ALL: &'static [Backend] = &[
        Backend::Zisk,
        Backend::Riscv,
        Backend::RiscvIma,
        Backend::Wasm2zisk,
    ];
}

/// A compiled guest.
pub struct Compiled {
    /// The path that produced it: a backend name, or "elf" for a prebuilt program.
    pub path: &'static str,
    pub rom: ZiskRom,
    /// Names of instruction addresses (functions), for listings.
    pub symbols: BTreeMap<u64, String>,
    pub compile_ms: f64,
    /// Where the compile's time and memory went (the zisk backend, when asked for).
    pub timings: Option<czisk_backend_zisk::timings::Timings>,
    /// The ziskbin ELF, when the backend encoded it as it linked (then `rom` is empty).
    pub elf: Option<Vec<u8>>,
}

/// How to compile.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Threads compiling functions (the zisk backend); the output is the same whatever the
    /// number.
    pub threads: usize,
    /// Record per-phase times and peak memory (the zisk backend).
    pub timings: bool,
    /// What the zisk backend makes: a ROM to execute, one to list, or the ELF alone.
    pub output: czisk_backend_zisk::link::LinkOutput,
}

impl Default for Settings {
    /// As many threads as the machine offers (at most 16), or `CZISK_THREADS`.
    fn default() -> Settings {
        Settings {
            threads: default_threads(),
            timings: false,
            output: czisk_backend_zisk::link::LinkOutput::Execute,
        }
    }
}

/// `CZISK_THREADS` if set, else the machine's parallelism (at most 16).
pub fn default_threads() -> usize {
    std::env::var("CZISK_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(16)
        })
}

pub fn compile(backend: Backend, wasm: &[u8]) -> Result<Compiled> {
    compile_with(backend, wasm, Settings::default())
}

pub fn compile_with(backend: Backend, wasm: &[u8], settings: Settings) -> Result<Compiled> {
    let start = Instant::now();
    let mut timings = None;
    let mut elf = None;
    let (rom, symbols) = match backend {
        Backend::Zisk => {
            let options = czisk_backend_zisk::CompileOptions {
                threads: settings.threads,
                timings: settings.timings,
                output: settings.output,
                ..Default::default()
            };
            let (program, t) = czisk_backend_zisk::compile_wasm_with(wasm, &options)
                .map_err(|e| anyhow!("the zisk backend cannot compile this module: {e}"))?;
            timings = settings.timings.then_some(t);
            elf = program.elf;
            (program.rom, program.symbols)
        }
        Backend::Riscv | Backend::RiscvIma => {
            let options = czisk_backend_riscv::RiscvOptions {
                zba_zbb: backend == Backend::Riscv,
                ..Default::default()
            };
            let program = czisk_backend_riscv::compile_wasm(wasm, &options).map_err(|e| {
                anyhow!(
                    "the {} backend cannot compile this module: {e}",
                    backend.name()
                )
            })?;
            (program.rom, program.symbols)
        }
        Backend::Wasm2zisk => (
            czisk_zisk::wasm2zisk(wasm)
                .map_err(|e| anyhow!("the wasm2zisk backend cannot compile this module: {e}"))?,
            BTreeMap::new(),
        ),
    };
    Ok(Compiled {
        path: backend.name(),
        rom,
        symbols,
        compile_ms: start.elapsed().as_secs_f64() * 1e3,
        timings,
        elf,
    })
}

/// Reads and compiles a guest file with `settings`: a wasm module through `backend`, an
/// ELF as ZisK loads it.
/// Function imports from the modules in `stub` become functions that do nothing
/// (`--stub-imports`).
pub fn compile_file(
    path: &std::path::Path,
    backend: Backend,
    settings: Settings,
    stub: &[String],
) -> Result<Compiled> {
    let guest = crate::guest::read_guest(path)?;
    match guest.format {
        crate::guest::GuestFormat::Wasm => {
            let wasm = crate::stub_imports::stub_imports(&guest.bytes, stub)?;
            compile_with(backend, &wasm, settings)
        }
        crate::guest::GuestFormat::Elf => load_elf(&guest.bytes),
    }
}

/// Loads a prebuilt ELF (RISC-V or ziskbin) the way `ziskemu -e` does.
pub fn load_elf(elf: &[u8]) -> Result<Compiled> {
    let start = Instant::now();
    let (rom, messages) =
        czisk_zisk::load_program(elf).map_err(|e| anyhow!("ZisK cannot load this ELF: {e}"))?;
    eprint!("{messages}");
    Ok(Compiled {
        path: "elf",
        rom,
        symbols: BTreeMap::new(),
        compile_ms: start.elapsed().as_secs_f64() * 1e3,
        timings: None,
        elf: None,
    })
}
