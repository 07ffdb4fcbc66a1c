//! `czisk-dev`: czisk's development tools, kept out of the user's `czisk` (which links no
//! wasm-smith, wasmi or wast): the benchmarks, the WebAssembly spec suite, the
//! differential fuzzer and the steps of each float operation.
//!
//! Exit codes: 0 success; 1 an error or a failed check; 2 a usage error.

mod backend;
mod bench;
mod compile_bench;
mod float_ops;
mod fuzz;
mod sightglass;
mod spec;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "czisk-dev",
    version,
    about = "czisk's development tools: benchmarks, spec suite, fuzzer, float costs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile and run every benchmark guest on every path; write bench/results.{md,json}.
    Bench(bench::BenchArgs),
    /// Measure the steps one floating-point operation takes on each path; write bench/float_ops.md.
    FloatOps(float_ops::FloatOpsArgs),
    /// Differential testing: random modules (wasm-smith) on wasmi and inside ZisK.
    Fuzz(fuzz::FuzzArgs),
    /// Run the WebAssembly spec test suite inside ZisK on each backend.
    Spec(spec::SpecArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<ExitCode> = match cli.command {
        Command::Bench(args) => bench::bench(&args),
        Command::Spec(args) => spec::spec(&args),
        Command::Fuzz(args) => fuzz::fuzz(&args),
        Command::FloatOps(args) => float_ops::float_ops(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
