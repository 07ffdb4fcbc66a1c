//! czisk: WebAssembly to the ZisK zkVM.
//!
//! Compile a `.wasm` guest into a ZisK program, write it as a ziskbin ELF (what
//! `cargo-zisk prove` and `ziskemu -e` take) or as a `.zisk` listing, and run it on ZisK's
//! emulator for its output and what proving it costs:
//!
//! ```no_run
//! # fn main() -> Result<(), czisk::Error> {
//! let wasm = std::fs::read("guest.wasm").expect("a guest");
//! let program = czisk::compile(&wasm, &czisk::Options::default())?;
//! program.write_elf("guest.elf".as_ref())?;
//! let report = czisk::run(&program, &czisk::Input::stdin(b"input".to_vec()))?.check()?;
//! println!("{} steps, cost {}", report.steps, report.cost.total);
//! print!("{}", String::from_utf8_lossy(&report.streams.stdout));
//! # Ok(())
//! # }
//! ```
//!
//! Every optimization can be switched off alone ([`Options::disable_optimizations`],
//! [`OPTIMIZATIONS`]), to bisect a suspected miscompile to one of them.
//!
//! The `czisk` command (feature `cli`, on by default) is a thin layer over this library.

#![deny(missing_docs)]

mod backend;
mod error;
mod guest;
mod optimizations;
mod run;
mod stub_imports;
mod world;

pub use backend::{
    compile, compile_file, default_threads, peak_rss, Backend, Limits, Options, Output, Program,
    Timings,
};
pub use czisk_frontend::Optimizations;
pub use czisk_zisk::cost::{CostReport, MemoryCost, OpcodeCost};
pub use czisk_zisk::{Failure, Window};
pub use error::Error;
pub use guest::read_input;
pub use optimizations::{optimization, OptimizationInfo, ALL as ALL_OPTIMIZATIONS, OPTIMIZATIONS};
pub use run::{run, run_with, Report, RunOptions, Status, Streams};
pub use world::{Dir, Input};
