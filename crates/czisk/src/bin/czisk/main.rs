//! `czisk`: compile WebAssembly guests for the ZisK zkVM, run them on ZisK's emulator and
//! measure what proving them costs. A thin layer over the `czisk` library: arguments in,
//! reports out. The development tools (benchmarks, spec suite, fuzzer) are `czisk-dev`.
//!
//! Exit codes: 0 success; 1 an error (bad input, compile error, I/O); 2 a usage error;
//! 3 the guest ran but failed (trap, non-zero exit, step limit, memory fault).

mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use czisk::{Backend, Error, Options, Output};

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

/// What every command that compiles takes.
#[derive(Args)]
struct CompileArgs {
    /// A WebAssembly module (`.wasm`, or `.wat` text), or a RISC-V / ziskbin ELF (loaded as
    /// ZisK loads it).
    guest: PathBuf,
    #[arg(long, value_enum, default_value = "zisk")]
    backend: Backend,
    /// Switch off these optimizations (comma-separated, or `all`), to bisect a suspected
    /// miscompile; `--no-opt help` lists them.
    #[arg(long = "no-opt", value_name = "NAME,...")]
    no_opt: Vec<String>,
    /// Define the function imports from MODULE as functions that do nothing and return
    /// zeros (e.g. `bench`, Sightglass's timing markers); repeatable.
    #[arg(long = "stub-imports", value_name = "MODULE")]
    stub_imports: Vec<String>,
    /// Threads compiling functions (default: the machine's cores, or CZISK_THREADS); the
    /// output is the same whatever the number.
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Subcommand)]
enum Command {
    /// Compile GUEST and run it on the ZisK emulator; print its console, steps and cost.
    Run {
        #[command(flatten)]
        compile: CompileArgs,
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
        #[arg(long, default_value_t = czisk::Limits::default().max_steps)]
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
        #[command(flatten)]
        compile: CompileArgs,
        #[arg(long, short)]
        output: PathBuf,
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
    },
    /// Compile GUEST and write the ROM as ZisK assembly text.
    Asm {
        #[command(flatten)]
        compile: CompileArgs,
        #[arg(long, short)]
        output: PathBuf,
    },
}

/// Exit code for a guest that ran and failed.
const GUEST_FAILED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            // A name `--no-opt` does not know is a usage error, as clap's are.
            let usage = matches!(error, Error::UnknownOptimization { .. });
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

impl CompileArgs {
    fn options(&self) -> Result<Options, Error> {
        let mut options = Options::for_backend(self.backend);
        for names in &self.no_opt {
            options.disable_optimizations(names)?;
        }
        if let Some(threads) = self.threads {
            options.threads = threads;
        }
        options.stub_imports = self.stub_imports.clone();
        Ok(options)
    }

    /// `--no-opt help`: the optimizations, and the backends that run each.
    fn wants_optimization_list(&self) -> bool {
        self.no_opt.iter().any(|n| n == "help")
    }
}

fn print_optimizations() {
    println!("Optimizations --no-opt switches off (comma-separated, or `all`):");
    for o in czisk::OPTIMIZATIONS {
        let backends: Vec<&str> = o.backends.iter().map(|b| b.name()).collect();
        println!(
            "  {:<22} {} [{}]",
            o.name,
            o.description,
            backends.join(", ")
        );
    }
}

fn dispatch(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Run {
            compile,
            input,
            stats,
            json,
            max_steps,
            profile,
            dir,
            env,
            args,
        } => {
            if compile.wants_optimization_list() {
                print_optimizations();
                return Ok(ExitCode::SUCCESS);
            }
            let mut options = compile.options()?;
            options.limits.max_steps = max_steps;
            let mut guest_input = czisk::Input {
                stdin: match &input {
                    Some(path) => czisk::read_input(path)?,
                    None => Vec::new(),
                },
                ..czisk::Input::default()
            };
            guest_input.dirs = dir.iter().map(|spec| parse_dir(spec)).collect();
            guest_input.env = env
                .iter()
                .map(|var| {
                    var.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .ok_or_else(|| Error::Input(format!("--env {var}: expected KEY=VALUE")))
                })
                .collect::<Result<_, _>>()?;
            // With a world, argv[0] is the guest as given (as wasmtime has it); without one,
            // argv is empty and the input is stdin alone.
            if !(dir.is_empty() && env.is_empty() && args.is_empty()) {
                guest_input.args = std::iter::once(compile.guest.display().to_string())
                    .chain(args)
                    .collect();
            }
            let program = czisk::compile_file(&compile.guest, &options)?;
            eprint!("{}", program.loader_messages());
            let run_options = czisk::RunOptions {
                // Text mode: the guest's streams reach ours as it writes them.
                forward_streams: !json,
                profile: profile.unwrap_or(0),
            };
            let report = czisk::run_with(&program, &guest_input, &run_options)?;
            if !json {
                // The runtime's messages come after the guest's own output.
                use std::io::Write;
                let _ = std::io::stderr().write_all(&report.streams.messages);
            }
            if let Some(profile) = &report.profile {
                eprint!("{profile}");
            }
            if json {
                let value = report::json(&program, &report);
                println!("{}", serde_json::to_string_pretty(&value).expect("JSON"));
            } else {
                report::print_text(&program, &report, stats);
            }
            Ok(match report.failure() {
                None => ExitCode::SUCCESS,
                Some(failure) => {
                    eprintln!("error: {failure}");
                    ExitCode::from(GUEST_FAILED)
                }
            })
        }
        Command::Build {
            compile,
            output,
            peak_memory,
            timings,
            json,
        } => {
            if compile.wants_optimization_list() {
                print_optimizations();
                return Ok(ExitCode::SUCCESS);
            }
            build(&compile, &output, peak_memory, timings, json)
        }
        Command::Asm { compile, output } => {
            if compile.wants_optimization_list() {
                print_optimizations();
                return Ok(ExitCode::SUCCESS);
            }
            let options = compile.options()?;
            let program = czisk::compile_file(&compile.guest, &options)?;
            eprint!("{}", program.loader_messages());
            let title = format!(
                "{} compiled by czisk --backend {}",
                compile.guest.display(),
                compile.backend.name()
            );
            program.write_listing(&output, &title)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `HOST[::GUEST]`, wasmtime's syntax.
fn parse_dir(spec: &str) -> czisk::Dir {
    let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
    czisk::Dir {
        host: host.into(),
        guest: guest.to_string(),
    }
}

/// `czisk build`: the ELF, and what the compile took when asked.
fn build(
    compile: &CompileArgs,
    output: &std::path::Path,
    peak_memory: bool,
    print_timings: bool,
    json: bool,
) -> Result<ExitCode, Error> {
    let start = std::time::Instant::now();
    let mut options = compile.options()?;
    options.timings = print_timings || json;
    // The zisk backend encodes the ELF as it links, never holding the whole ROM.
    options.output = Output::ElfOnly;
    let program = czisk::compile_file(&compile.guest, &options)?;
    eprint!("{}", program.loader_messages());
    let timings = program.timings().cloned();
    let compile_ms = program.compile_ms();
    let elf = program.into_elf();
    let elf_bytes = elf.len();
    std::fs::write(output, elf).map_err(|e| Error::Io {
        action: "write",
        path: output.to_path_buf(),
        source: e,
    })?;
    let seconds = start.elapsed().as_secs_f64();
    // VmHWM belongs to this process image alone (unlike getrusage's maxrss, which exec
    // carries over from the parent); the timings reset it at each stage, so the peak is
    // the largest of theirs.
    let peak = czisk::peak_rss().max(timings.as_ref().and_then(|t| t.peak_rss()));
    if peak_memory {
        if let Some(bytes) = peak {
            eprintln!("peak memory: {} kB", bytes / 1024);
        }
    }
    if print_timings {
        if let Some(t) = &timings {
            eprint!("{}", t.report());
        }
    }
    if json {
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
            "guest": compile.guest.display().to_string(),
            "output": output.display().to_string(),
            "backend": compile.backend.name(),
            "threads": compile.threads.unwrap_or_else(czisk::default_threads),
            "functions": timings.as_ref().map(|t| t.functions),
            "compile_ms": compile_ms,
            "seconds": seconds,
            "peak_rss_bytes": peak,
            "elf_bytes": elf_bytes,
            "phases": phases,
        });
        println!("{}", serde_json::to_string_pretty(&report).expect("JSON"));
    }
    Ok(ExitCode::SUCCESS)
}
