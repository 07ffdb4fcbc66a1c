//! `czisk`: compile WebAssembly guests for the ZisK zkVM, run them on ZisK's emulator and
//! measure what proving them costs.
//!
//! Exit codes: 0 success; 1 an error (bad input, compile error, I/O); 2 a usage error;
//! 3 the guest ran but failed (trap, non-zero exit, step limit, memory fault).

mod backend;
mod bench;
mod float_ops;
mod fuzz;
mod guest;
mod run;
mod sightglass;
mod spec;
mod world;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use backend::Backend;

#[derive(Parser)]
#[command(
    name = "czisk",
    version,
    about = "WebAssembly to ZisK: compile, run and measure guests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile GUEST and run it on the ZisK emulator; print its console, steps and cost.
    Run {
        /// A WebAssembly module, or a RISC-V / ziskbin ELF (run as ZisK loads it).
        guest: PathBuf,
        #[arg(long, value_enum, default_value = "zisk")]
        backend: Backend,
        /// File whose bytes are the guest's input (its stdin under WASI).
        #[arg(long, short)]
        input: Option<PathBuf>,
        /// Print the full cost breakdown, per opcode.
        #[arg(long)]
        stats: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Fail the run after this many steps.
        #[arg(long, default_value_t = 10_000_000_000)]
        max_steps: u64,
        /// Print the N most executed instructions, with their functions, on stderr.
        #[arg(long, value_name = "N")]
        profile: Option<usize>,
        /// Pre-open host directory HOST for the guest as GUEST (default: HOST); its files
        /// are packed into the ZisK input, read-only. Repeatable.
        #[arg(long, value_name = "HOST[::GUEST]")]
        dir: Vec<String>,
        /// An environment variable for the guest. Repeatable.
        #[arg(long, value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// The guest's arguments (after `--`); its argv[0] is GUEST as given.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Compile GUEST into a ziskbin ELF that ZisK's tools (`ziskemu -e`, `cargo-zisk`) load.
    Build {
        guest: PathBuf,
        #[arg(long, short)]
        output: PathBuf,
        #[arg(long, value_enum, default_value = "zisk")]
        backend: Backend,
        /// Print this process's peak resident memory (VmHWM) on stderr when done.
        #[arg(long)]
        peak_memory: bool,
    },
    /// Compile GUEST and write the ROM as ZisK assembly text.
    Asm {
        guest: PathBuf,
        #[arg(long, short)]
        output: PathBuf,
        #[arg(long, value_enum, default_value = "zisk")]
        backend: Backend,
    },
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
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(command: Command) -> Result<ExitCode> {
    match command {
        Command::Run {
            guest,
            backend,
            input,
            stats,
            json,
            max_steps,
            profile,
            dir,
            env,
            args,
        } => run::run(&run::RunArgs {
            guest,
            backend,
            input,
            stats,
            json,
            max_steps,
            profile: profile.unwrap_or(0),
            world: world::WorldArgs {
                dirs: dir,
                env,
                args,
            },
        }),
        Command::Build {
            guest,
            output,
            backend,
            peak_memory,
        } => {
            let compiled = run::compile_guest(&guest, backend)?;
            let elf = czisk_zisk::rom_to_ziskbin(&compiled.rom);
            std::fs::write(&output, elf)
                .with_context(|| format!("cannot write '{}'", output.display()))?;
            if peak_memory {
                // VmHWM belongs to this process image alone (unlike getrusage's maxrss,
                // which exec carries over from the parent).
                let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
                if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
                    eprintln!("peak memory: {}", line.trim_start_matches("VmHWM:").trim());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Asm {
            guest,
            output,
            backend,
        } => {
            let compiled = run::compile_guest(&guest, backend)?;
            let title = format!(
                "{} compiled by czisk --backend {}",
                guest.display(),
                backend.name()
            );
            let text = czisk_zisk::asm_text::rom_to_asm(&compiled.rom, &title, &compiled.symbols);
            std::fs::write(&output, text)
                .with_context(|| format!("cannot write '{}'", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => bench::bench(&args),
        Command::Spec(args) => spec::spec(&args),
        Command::Fuzz(args) => fuzz::fuzz(&args),
        Command::FloatOps(args) => float_ops::float_ops(&args),
    }
}
