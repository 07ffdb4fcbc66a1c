//! Compiling: the backends, the options, and the compiled [`Program`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use czisk_frontend::CompileError;
use czisk_zisk::ZiskRom;

use crate::{Error, Optimizations};

/// The compilation paths from a WebAssembly module to a ZisK ROM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Backend {
    /// The direct backend: CLIF to ZisK instructions (the product).
    #[default]
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
    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Zisk => "zisk",
            Backend::Riscv => "riscv",
            Backend::RiscvIma => "riscv-ima",
            Backend::Wasm2zisk => "wasm2zisk",
        }
    }

    /// Every backend.
    pub const ALL: &'static [Backend] = &[
        Backend::Zisk,
        Backend::Riscv,
        Backend::RiscvIma,
        Backend::Wasm2zisk,
    ];

    /// Whether the program it makes runs czisk's runtime (WASI world, framed console):
    /// every backend but ZisK's own transpiler.
    pub fn has_czisk_runtime(self) -> bool {
        self != Backend::Wasm2zisk
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a run may use. ZisK's memory map fixes the rest: linear memory up to about
/// 507 MiB (or the module's maximum), a native stack of 3.75 MiB, and an input of at most
/// [`Limits::INPUT_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The run fails with a step-limit failure after this many ZisK steps.
    pub max_steps: u64,
}

impl Limits {
    /// The most bytes the guest's input (stdin, or its whole WASI image) can have: what
    /// ZisK's input region holds.
    pub const INPUT_BYTES: usize = czisk_zisk::program::MAX_GUEST_INPUT;
}

impl Default for Limits {
    /// Ten billion steps.
    fn default() -> Limits {
        Limits {
            max_steps: 10_000_000_000,
        }
    }
}

/// What [`compile`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// A program to run, list and write as an ELF.
    #[default]
    Runnable,
    /// The ziskbin ELF alone, encoded function by function as the zisk backend links, so
    /// the whole program's ROM is never in memory (some 250 bytes an instruction); for
    /// big modules. Such a program can be written ([`Program::write_elf`]) but not run or
    /// listed.
    ElfOnly,
}

/// How to compile.
#[derive(Debug, Clone)]
pub struct Options {
    /// The compilation path.
    pub backend: Backend,
    /// The optimizations to run (all by default); see [`crate::OPTIMIZATIONS`] for their
    /// names and [`Options::disable_optimizations`].
    pub optimizations: Optimizations,
    /// What a run of the program may use.
    pub limits: Limits,
    /// Threads compiling functions (the zisk backend); the program is the same whatever
    /// the number. Default: `CZISK_THREADS`, else the machine's cores (at most 16).
    pub threads: usize,
    /// Modules whose function imports become functions that do nothing and return zeros
    /// (for host modules czisk does not provide).
    pub stub_imports: Vec<String>,
    /// A program to run, or the ELF alone.
    pub output: Output,
    /// Record each compile phase's time and peak memory ([`Program::timings`]; the zisk
    /// backend).
    pub timings: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            backend: Backend::Zisk,
            optimizations: Optimizations::ALL,
            limits: Limits::default(),
            threads: default_threads(),
            stub_imports: Vec::new(),
            output: Output::Runnable,
            timings: false,
        }
    }
}

impl Options {
    /// The default options for `backend`.
    pub fn for_backend(backend: Backend) -> Options {
        Options {
            backend,
            ..Options::default()
        }
    }

    /// Switches off the optimizations named in `names`, comma-separated
    /// (`loop-invariants,low32`; `all` for every one). An unknown name is an
    /// [`Error::UnknownOptimization`] listing the known ones.
    pub fn disable_optimizations(&mut self, names: &str) -> Result<(), Error> {
        crate::optimizations::disable(&mut self.optimizations, names)
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

/// Where a compile's time and memory went, phase by phase (the zisk backend).
pub use czisk_backend_zisk::timings::Timings;

/// This process's peak resident memory (Linux's VmHWM) in bytes, where the system tells.
pub fn peak_rss() -> Option<u64> {
    czisk_backend_zisk::timings::peak_rss()
}

/// How the program's console is to be read: czisk's runtime frames its three streams on
/// ZisK's one UART, a program from elsewhere writes raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Console {
    Framed,
    Raw,
    /// An ELF: framed if it starts as czisk's runtime starts every console.
    Detect,
}

/// A compiled guest: a ZisK ROM (or its ziskbin ELF), ready to run with [`crate::run`].
#[derive(Debug)]
pub struct Program {
    pub(crate) path: &'static str,
    pub(crate) rom: ZiskRom,
    pub(crate) elf: Option<Vec<u8>>,
    pub(crate) symbols: BTreeMap<u64, String>,
    pub(crate) compile_ms: f64,
    pub(crate) timings: Option<Timings>,
    pub(crate) console: Console,
    pub(crate) limits: Limits,
    pub(crate) loader_messages: String,
}

impl Program {
    /// Loads a prebuilt ELF (a RISC-V guest, or a ziskbin ROM) the way `ziskemu -e` and
    /// `cargo-zisk` do, to run it with `limits`.
    pub fn from_elf(elf: &[u8], limits: Limits) -> Result<Program, Error> {
        let start = Instant::now();
        let (rom, messages) = czisk_zisk::load_program(elf)
            .map_err(|e| Error::BadWasm(format!("ZisK cannot load this ELF: {e}")))?;
        Ok(Program {
            path: "elf",
            rom,
            elf: None,
            symbols: BTreeMap::new(),
            compile_ms: start.elapsed().as_secs_f64() * 1e3,
            timings: None,
            console: Console::Detect,
            limits,
            loader_messages: messages,
        })
    }

    /// The path that made it: a backend's name, or `elf` for a loaded ELF.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// Whether it can be run and listed (see [`Output::ElfOnly`]).
    pub fn is_runnable(&self) -> bool {
        self.elf.is_none() || !self.rom.insts.is_empty()
    }

    /// ZisK instructions in its ROM (ZisK's BIOS included).
    pub fn rom_size(&self) -> usize {
        match &self.elf {
            Some(elf) if self.rom.insts.is_empty() => ziskbin_instructions(elf).unwrap_or(0),
            _ => self.rom.insts.len(),
        }
    }

    /// The ziskbin ELF: what `cargo-zisk prove` and `ziskemu -e` take.
    pub fn elf(&self) -> Vec<u8> {
        match &self.elf {
            Some(elf) => elf.clone(),
            None => czisk_zisk::rom_to_ziskbin(&self.rom),
        }
    }

    /// The ziskbin ELF, taken out of the program (no copy of an [`Output::ElfOnly`] one).
    pub fn into_elf(self) -> Vec<u8> {
        match self.elf {
            Some(elf) => elf,
            None => czisk_zisk::rom_to_ziskbin(&self.rom),
        }
    }

    /// Writes the ziskbin ELF to `path`.
    pub fn write_elf(&self, path: &Path) -> Result<(), Error> {
        let write =
            |bytes: &[u8]| std::fs::write(path, bytes).map_err(|e| Error::io("write", path, e));
        match &self.elf {
            Some(elf) => write(elf),
            None => write(&czisk_zisk::rom_to_ziskbin(&self.rom)),
        }
    }

    /// The ROM as ZisK assembly text (`.zisk` syntax), one instruction a line with its
    /// address and every function labelled, under the comment `title`.
    pub fn listing(&self, title: &str) -> Result<String, Error> {
        if !self.is_runnable() {
            return Err(Error::NotRunnable("list"));
        }
        Ok(czisk_zisk::asm_text::rom_to_asm(
            &self.rom,
            title,
            &self.symbols,
        ))
    }

    /// Writes [`Program::listing`] to `path`.
    pub fn write_listing(&self, path: &Path, title: &str) -> Result<(), Error> {
        std::fs::write(path, self.listing(title)?).map_err(|e| Error::io("write", path, e))
    }

    /// The start address of every function, by address (empty for a loaded ELF and for
    /// wasm2zisk).
    pub fn symbols(&self) -> &BTreeMap<u64, String> {
        &self.symbols
    }

    /// The function `pc` lies in, if the program names its functions.
    pub fn function_at(&self, pc: u64) -> Option<&str> {
        self.symbols
            .range(..=pc)
            .next_back()
            .map(|(_, n)| n.as_str())
    }

    /// How long the compile (or load) took, in milliseconds.
    pub fn compile_ms(&self) -> f64 {
        self.compile_ms
    }

    /// Each compile phase's time and peak memory, when [`Options::timings`] asked for
    /// them (the zisk backend).
    pub fn timings(&self) -> Option<&Timings> {
        self.timings.as_ref()
    }

    /// What ZisK's loader said about a loaded ELF (empty otherwise).
    pub fn loader_messages(&self) -> &str {
        &self.loader_messages
    }

    /// The limits its runs have.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The ZisK ROM (empty for an [`Output::ElfOnly`] program).
    pub fn rom(&self) -> &ZiskRom {
        &self.rom
    }

    /// The ZisK ROM, taken out of the program.
    pub fn into_rom(self) -> ZiskRom {
        self.rom
    }
}

/// The instruction count a ziskbin ELF's header states: the `.ziskrom` blob starts at
/// byte 64 (zisk-core's `rom_to_elf`) with its magic, version, profile and count.
fn ziskbin_instructions(elf: &[u8]) -> Option<usize> {
    let blob = elf.get(64..)?;
    if !blob.starts_with(b"ZKRM") {
        return None;
    }
    let (mut value, mut shift) = (0u64, 0);
    for &byte in blob.get(6..16)? {
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value as usize);
        }
        shift += 7;
    }
    None
}

/// Compiles the WebAssembly module `wasm` (binary) with `options`.
pub fn compile(wasm: &[u8], options: &Options) -> Result<Program, Error> {
    compile_checked(wasm, options, &|e| {
        format!("not a valid WebAssembly module: {e}")
    })
}

/// Compiles a guest file: a `.wasm` module, WebAssembly text (`.wat`, `.wast`), or an ELF
/// (a RISC-V guest or a ziskbin), which is loaded as ZisK loads it.
pub fn compile_file(path: &Path, options: &Options) -> Result<Program, Error> {
    let guest = crate::guest::read_guest(path)?;
    match guest.format {
        crate::guest::GuestFormat::Wasm => compile_checked(&guest.bytes, options, &|e| {
            format!(
                "'{}' is not a valid WebAssembly module: {e}",
                path.display()
            )
        }),
        crate::guest::GuestFormat::Elf => Program::from_elf(&guest.bytes, options.limits),
    }
}

/// Compiles `wasm` if it is valid under any proposal wasmparser knows, so that a malformed
/// module is reported the same way whatever the backend (as `invalid` says); whether a
/// backend supports what it uses is the backend's to say. The zisk backend's frontend
/// validates the module it is given before anything else, so without stubbed imports the
/// module is validated here only when that compile fails (a valid module once, not twice).
fn compile_checked(
    wasm: &[u8],
    options: &Options,
    invalid: &dyn Fn(wasmparser::BinaryReaderError) -> String,
) -> Result<Program, Error> {
    let check = || crate::guest::validate(wasm).map_err(|e| Error::BadWasm(invalid(e)));
    if options.backend != Backend::Zisk || !options.stub_imports.is_empty() {
        check()?;
        return compile_valid(wasm, options);
    }
    compile_valid(wasm, options).or_else(|error| {
        check()?;
        Err(error)
    })
}

/// [`compile`] for a module known to be valid (or, on the zisk backend, that its frontend
/// validates).
fn compile_valid(wasm: &[u8], options: &Options) -> Result<Program, Error> {
    let stubbed;
    let wasm = if options.stub_imports.is_empty() {
        wasm
    } else {
        stubbed = crate::stub_imports::stub_imports(wasm, &options.stub_imports)?;
        &stubbed
    };
    let start = Instant::now();
    let backend = options.backend;
    let mut timings = None;
    let mut elf = None;
    let (rom, symbols) = match backend {
        Backend::Zisk => {
            let zisk_options = czisk_backend_zisk::CompileOptions {
                threads: options.threads.max(1),
                timings: options.timings,
                output: match options.output {
                    Output::Runnable => czisk_backend_zisk::link::LinkOutput::Execute,
                    Output::ElfOnly => czisk_backend_zisk::link::LinkOutput::Elf,
                },
                optimizations: options.optimizations,
            };
            let (program, t) = czisk_backend_zisk::compile_wasm_with(wasm, &zisk_options)
                .map_err(|e| zisk_error(backend, e))?;
            timings = options.timings.then_some(t);
            elf = program.elf;
            (program.rom, program.symbols)
        }
        Backend::Riscv | Backend::RiscvIma => {
            let riscv_options = czisk_backend_riscv::RiscvOptions {
                zba_zbb: backend == Backend::Riscv,
                optimizations: options.optimizations,
            };
            let program = czisk_backend_riscv::compile_wasm(wasm, &riscv_options)
                .map_err(|e| riscv_error(backend, e))?;
            (program.rom, program.symbols)
        }
        Backend::Wasm2zisk => (
            czisk_zisk::wasm2zisk(wasm).map_err(|message| Error::Unsupported {
                backend: backend.name(),
                message,
            })?,
            BTreeMap::new(),
        ),
    };
    Ok(Program {
        path: backend.name(),
        rom,
        elf,
        symbols,
        compile_ms: start.elapsed().as_secs_f64() * 1e3,
        timings,
        console: if backend.has_czisk_runtime() {
            Console::Framed
        } else {
            Console::Raw
        },
        limits: options.limits,
        loader_messages: String::new(),
    })
}

/// The frontend's errors by kind; `message` is the whole error's text.
fn frontend_error(backend: Backend, error: &CompileError, message: String) -> Error {
    let backend_name = backend.name();
    match error {
        CompileError::Invalid(_) => Error::BadWasm(format!(
            "the {backend_name} backend cannot compile this module: {message}"
        )),
        CompileError::TooLarge(_) => Error::LimitExceeded(format!(
            "the {backend_name} backend cannot compile this module: {message}"
        )),
        CompileError::UnsupportedFeature { .. }
        | CompileError::UnsupportedImport { .. }
        | CompileError::NotYetSupported { .. } => Error::Unsupported {
            backend: backend_name,
            message,
        },
    }
}

fn zisk_error(backend: Backend, error: czisk_backend_zisk::BackendError) -> Error {
    use czisk_backend_zisk::BackendError as E;
    let message = error.to_string();
    match &error {
        E::Frontend(e) => frontend_error(backend, e, message),
        E::Runtime(_) => Error::Unsupported {
            backend: backend.name(),
            message,
        },
        E::StaticFrames { .. } => Error::LimitExceeded(format!(
            "the {} backend cannot compile this module: {message}",
            backend.name()
        )),
        _ => Error::Compile {
            backend: backend.name(),
            message,
        },
    }
}

fn riscv_error(backend: Backend, error: czisk_backend_riscv::BackendError) -> Error {
    use czisk_backend_riscv::BackendError as E;
    let message = error.to_string();
    match &error {
        E::Frontend(e) => frontend_error(backend, e, message),
        E::Runtime(_) | E::ZiskImport(_) => Error::Unsupported {
            backend: backend.name(),
            message,
        },
        _ => Error::Compile {
            backend: backend.name(),
            message,
        },
    }
}
