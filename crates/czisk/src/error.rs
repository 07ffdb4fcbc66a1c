//! What can go wrong, by kind: each variant is a different thing for the caller to do
//! (fix the module, choose another backend, shrink the input, look at the file system).

use std::path::PathBuf;

use thiserror::Error;

/// Why a compile, a load or a run did not give its result.
#[derive(Debug, Error)]
pub enum Error {
    /// The bytes are not a valid WebAssembly module (or WebAssembly text, or an ELF ZisK
    /// loads).
    #[error("{0}")]
    BadWasm(String),
    /// A valid module uses something the chosen backend does not provide: a proposal out of
    /// scope, an import it does not have (e.g. the `zisk` precompiles on the RISC-V path),
    /// WASI on wasm2zisk.
    #[error("the {backend} backend cannot compile this module: {message}")]
    Unsupported {
        /// The backend's name (`zisk`, `riscv`, `riscv-ima`, `wasm2zisk`).
        backend: &'static str,
        /// What it lacks, naming the feature or import.
        message: String,
    },
    /// More than ZisK's machine holds: linear memory or tables past its RAM, static frames
    /// past the stack region, an input or WASI image past the input region.
    #[error("{0}")]
    LimitExceeded(String),
    /// The backend failed on a module in its scope: a compiler bug to report.
    #[error("the {backend} backend cannot compile this module: {message}")]
    Compile {
        /// The backend's name.
        backend: &'static str,
        /// What failed, naming the function.
        message: String,
    },
    /// An optimization name that is not one of [`crate::OPTIMIZATIONS`].
    #[error("unknown optimization '{name}' (known: {})", known.join(", "))]
    UnknownOptimization {
        /// The name given.
        name: String,
        /// Every name [`crate::Optimizations`] can switch off, and `all`.
        known: Vec<&'static str>,
    },
    /// A malformed part of the guest's world: an environment variable without `=`, a
    /// pre-opened directory that is not one, WASI for a backend without czisk's runtime.
    #[error("{0}")]
    Input(String),
    /// Reading or writing a file.
    #[error("cannot {action} '{}': {source}", path.display())]
    Io {
        /// `read`, `write`, ...
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The program was compiled to an ELF alone ([`crate::Output::ElfOnly`]): it cannot be
    /// run or listed.
    #[error("this program was compiled to a ziskbin ELF alone; compile it with Output::Runnable to {0} it")]
    NotRunnable(&'static str),
    /// The emulator could not start the run (capturing the console, reading its figures).
    #[error("{0}")]
    Run(String),
    /// The guest ran and failed (trap, non-zero exit, step limit, memory fault): from
    /// [`crate::Report::check`], which keeps the report's figures in the error.
    #[error("{failure}")]
    GuestFailed {
        /// How and where it failed.
        failure: crate::Failure,
        /// Steps executed until then.
        steps: u64,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
