//! `czisk`: compile WebAssembly guests for the ZisK zkVM, run them on ZisK's emulator and
//! measure what proving them costs.
//!
//! Exit codes: 0 success; 1 an error (bad input, compile error, I/O); 2 a usage error;
//! 3 the guest ran but failed (trap, non-zero exit, step limit, memory fault).

mod backend;
mod bench;
mod compile_bench;
mod float_ops;
mod fuzz;
mod guest;
mod run;
mod sightglass;
mod spec;
mod stub_imports;
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
        /// Print the time and peak memory of each compile phase on stderr.
        #[arg(long)]
        timings: bool,
        /// Print one JSON object on stdout: compile time, peak memory, and each phase's
        /// time and peak memory.
        #[arg(long)]
        json: bool,
        /// Threads compiling functions (default: the machine's cores, or CZISK_THREADS);
        /// the output is the same whatever the number.
        #[arg(long)]
        threads: Option<usize>,
        /// Define the function imports from MODULE as functions that do nothing and return
        /// zeros (e.g. `bench`, Sightglass's timing markers); repeatable.
        #[arg(long = "stub-imports", value_name = "MODULE")]
        stub_imports: Vec<String>,
    },
    /// Compile GUEST and write the ROM as ZisK assembly text.
    Asm {
        guest: PathBuf,
        #[arg(long, short)]
        output: PathBuf,
        #[arg(long, value_enum, default_value = "zisk")]
        backend: Backend,
        /// Threads compiling functions (default: the machine's cores, or CZISK_THREADS).
        #[arg(long)]
        threads: Option<usize>,
        /// Define the function imports from MODULE as functions that do nothing and return
        /// zeros (e.g. `bench`, Sightglass's timing markers); repeatable.
        #[arg(long = "stub-imports", value_name = "MODULE")]
        stub_imports: Vec<String>,
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
            timings,
            json,
            threads,
            stub_imports,
        } => build(&BuildArgs {
            guest,
            output,
            backend,
            peak_memory,
            timings,
            json,
            threads,
            stub_imports,
        }),
        Command::Asm {
            guest,
            output,
            backend,
            threads,
            stub_imports,
        } => {
            let settings = backend::Settings {
                threads: threads.unwrap_or_else(backend::default_threads),
                timings: false,
                output: czisk_backend_zisk::link::LinkOutput::Rom,
            };
            let compiled = backend::compile_file(&guest, backend, settings, &stub_imports)?;
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

struct BuildArgs {
    guest: PathBuf,
    output: PathBuf,
    backend: Backend,
    peak_memory: bool,
    timings: bool,
    json: bool,
    threads: Option<usize>,
    stub_imports: Vec<String>,
}

/// `czisk build`: the ELF, and what the compile took when asked.
fn build(args: &BuildArgs) -> Result<ExitCode> {
    let start = std::time::Instant::now();
    let settings = backend::Settings {
        threads: args.threads.unwrap_or_else(backend::default_threads),
        timings: args.timings || args.json,
        output: czisk_backend_zisk::link::LinkOutput::Elf,
    };
    let mut compiled =
        backend::compile_file(&args.guest, args.backend, settings, &args.stub_imports)?;
    let mut timings = compiled.timings.take();
    // The zisk backend encodes the ELF as it links; the others give a ROM.
    let elf = match compiled.elf.take() {
        Some(elf) => elf,
        None => {
            let encode = || czisk_zisk::rom_to_ziskbin(&compiled.rom);
            match &mut timings {
                Some(t) => t.stage("encode ELF", encode),
                None => encode(),
            }
        }
    };
    let elf_bytes = elf.len();
    std::fs::write(&args.output, elf)
        .with_context(|| format!("cannot write '{}'", args.output.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    // VmHWM belongs to this process image alone (unlike getrusage's maxrss, which exec
    // carries over from the parent); the timings reset it at each stage, so the peak is
    // the largest of theirs.
    let peak =
        czisk_backend_zisk::timings::peak_rss().max(timings.as_ref().and_then(|t| t.peak_rss()));
    if args.peak_memory {
        if let Some(bytes) = peak {
            eprintln!("peak memory: {} kB", bytes / 1024);
        }
    }
    if args.timings {
        if let Some(t) = &timings {
            eprint!("{}", t.report());
        }
    }
    if args.json {
        let phases: Vec<serde_json::Value> = timings
            .iter()
            .flat_map(|t| &t.phases)
            .map(|p| {
                serde_json::json!({
                    "name": p.name,
                    "seconds": p.seconds,
                    "peak_rss_bytes": p.peak_rss,
                    "per_function": p.per_function,
                })
            })
            .collect();
        let report = serde_json::json!({
            "guest": args.guest.display().to_string(),
            "output": args.output.display().to_string(),
            "backend": args.backend.name(),
            "threads": settings.threads,
            "functions": timings.as_ref().map(|t| t.functions),
            "compile_ms": compiled.compile_ms,
            "seconds": seconds,
            "peak_rss_bytes": peak,
            "elf_bytes": elf_bytes,
            "phases": phases,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(ExitCode::SUCCESS)
}
