//! `czisk run`: compile, execute on ziskemu, report.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use czisk_zisk::{run_rom, run_rom_live, Execution, RunOptions};
use serde_json::json;

use crate::backend::{self, Backend, Compiled};
use crate::guest::{read_guest, read_stdin, GuestFormat};
use crate::world::{framed_image, WorldArgs};
use czisk_runtime::console::{self, Streams};

pub struct RunArgs {
    pub guest: PathBuf,
    pub backend: Backend,
    pub input: Option<PathBuf>,
    pub stats: bool,
    pub json: bool,
    pub max_steps: u64,
    /// Instructions to list in the execution profile (0: none).
    pub profile: usize,
    /// Pre-opened directories, environment and arguments.
    pub world: WorldArgs,
}

/// Exit code for a guest that ran and failed.
pub const GUEST_FAILED: u8 = 3;

pub fn run(args: &RunArgs) -> Result<ExitCode> {
    let stdin = read_stdin(args.input.as_deref())?;
    let guest = read_guest(&args.guest)?;
    let compiled = match guest.format {
        GuestFormat::Wasm => backend::compile(args.backend, &guest.bytes)?,
        GuestFormat::Elf => backend::load_elf(&guest.bytes)?,
    };
    // With pre-opened directories, an environment or arguments, the input is a WASI image
    // for czisk's runtime; otherwise it is stdin alone, the raw layout ZisK's tools pass,
    // so the figures are those of `ziskemu` / `cargo-zisk` given the same file.
    let czisk_runtime = !(guest.format == GuestFormat::Wasm && args.backend == Backend::Wasm2zisk);
    let input = if args.world.is_empty() {
        czisk_zisk::frame_input(&stdin)?
    } else if czisk_runtime {
        framed_image(stdin, Some(&args.guest.to_string_lossy()), &args.world)?
    } else {
        anyhow::bail!(
            "--dir, --env and guest arguments need czisk's runtime: the wasm2zisk backend reads only stdin"
        );
    };
    let window = window_addresses(&compiled);
    let options = RunOptions {
        max_steps: args.max_steps,
        capture_console: args.json,
        profile_top: args.profile,
        window,
    };
    // Known framed (czisk's runtime), known raw, or (an ELF) told by its first bytes.
    let framing = match guest.format {
        GuestFormat::Wasm if czisk_runtime => Framing::Framed(console::Decoder::default()),
        GuestFormat::Wasm => Framing::Raw,
        GuestFormat::Elf => Framing::Undecided(Vec::new()),
    };
    let execution = if args.json {
        run_rom(&compiled.rom, &input, &options)?
    } else {
        // Text mode: the guest's streams reach ours as it writes them.
        let mut live = LiveStreams {
            framing,
            messages: Vec::new(),
        };
        let execution = run_rom_live(&compiled.rom, &input, &options, &mut |bytes, out| {
            live.feed(bytes, out)
        })?;
        live.finish();
        std::io::stderr().write_all(&live.messages)?;
        execution
    };
    if let Some(profile) = &execution.profile {
        eprint!("{}", annotate_profile(profile, &compiled));
    }

    if args.json {
        let framed = match guest.format {
            GuestFormat::Wasm => czisk_runtime,
            // A ziskbin from czisk, or a program from elsewhere.
            GuestFormat::Elf => console::is_framed(&execution.console),
        };
        let streams = if framed {
            console::decode(&execution.console)
        } else {
            console::unframed(&execution.console)
        };
        let report = json_report(&compiled, &execution, &streams);
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text_report(&compiled, &execution, args.stats);
    }
    Ok(match &execution.failure {
        None => ExitCode::SUCCESS,
        Some(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(GUEST_FAILED)
        }
    })
}

/// How a live console is split.
enum Framing {
    Framed(console::Decoder),
    Raw,
    /// An ELF's console: framed if it starts as czisk's runtime starts every console.
    Undecided(Vec<u8>),
}

/// The guest's streams written to ours as they arrive; the runtime's messages kept for the
/// end (after the guest's own output).
struct LiveStreams {
    framing: Framing,
    messages: Vec<u8>,
}

impl LiveStreams {
    fn feed(&mut self, bytes: &[u8], out: &mut czisk_zisk::LiveConsole) {
        if let Framing::Undecided(seen) = &mut self.framing {
            seen.extend_from_slice(bytes);
            if seen.len() < 2 {
                return;
            }
            let seen = std::mem::take(seen);
            self.framing = if console::is_framed(&seen) {
                Framing::Framed(console::Decoder::default())
            } else {
                Framing::Raw
            };
            return self.feed(&seen, out);
        }
        let messages = &mut self.messages;
        // A closed stream (a pipe to `head`) must not stop the run: errors are dropped.
        match &mut self.framing {
            Framing::Raw => {
                let _ = out.stdout.write_all(bytes);
            }
            Framing::Framed(decoder) => decoder.feed(bytes, |stream, run| match stream {
                console::STREAM_STDOUT => {
                    let _ = out.stdout.write_all(run);
                }
                console::STREAM_STDERR => {
                    let _ = out.stderr.write_all(run);
                }
                _ => messages.extend_from_slice(run),
            }),
            Framing::Undecided(_) => unreachable!(),
        }
    }

    /// A console shorter than a stream switch is raw.
    fn finish(&mut self) {
        if let Framing::Undecided(seen) = &self.framing {
            let _ = std::io::stdout().write_all(seen);
        }
    }
}

/// The entry addresses of `bench.start` and `bench.end`, when the program has both.
pub fn window_addresses(compiled: &Compiled) -> Option<(u64, u64)> {
    let find = |name: &str| {
        compiled
            .symbols
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(&pc, _)| pc)
    };
    Some((
        find(czisk_runtime::BENCH_START_SYMBOL)?,
        find(czisk_runtime::BENCH_END_SYMBOL)?,
    ))
}

/// Names the function of every program address in ziskemu's profile.
fn annotate_profile(profile: &str, compiled: &Compiled) -> String {
    let mut out = String::new();
    for line in profile.lines() {
        out += line;
        let pc = line
            .split_whitespace()
            .find_map(|w| {
                w.strip_prefix("0x")?
                    .trim_end_matches(':')
                    .parse::<String>()
                    .ok()
            })
            .and_then(|h| u64::from_str_radix(&h, 16).ok());
        if let Some((_, name)) = pc.and_then(|pc| compiled.symbols.range(..=pc).next_back()) {
            out += &format!("   [{name}]");
        }
        out += "\n";
    }
    out
}

/// A stream as JSON text, and base64 of its bytes beside it when they are not UTF-8.
fn stream_fields(report: &mut serde_json::Value, name: &str, bytes: &[u8]) {
    use base64::Engine;
    report[name] = String::from_utf8_lossy(bytes).into();
    if std::str::from_utf8(bytes).is_err() {
        report[format!("{name}_base64")] = base64::engine::general_purpose::STANDARD
            .encode(bytes)
            .into();
    }
}

pub fn json_report(
    compiled: &Compiled,
    execution: &Execution,
    streams: &Streams,
) -> serde_json::Value {
    let cost = &execution.cost;
    let mut report = json!({
        "backend": compiled.path,
        "status": if execution.failure.is_none() { "ok" } else { "failed" },
        "failure": execution.failure.as_ref().map(|f| f.to_string()),
        "steps": execution.steps,
        "cost": {
            "total": cost.total,
            "main": cost.main,
            "opcodes": cost.opcodes,
            "precompiles": cost.precompiles,
            "memory": cost.memory,
            "base": cost.base,
            "per_opcode": cost.per_opcode,
            "memory_by_region": cost.memory_by_region,
            "memory_by_width": cost.memory_by_width,
        },
        "window": execution.window.as_ref().map(|w| json!({
            "steps": w.steps,
            "cost": {
                "total": w.total,
                "main": w.main,
                "opcodes": w.opcodes,
                "precompiles": w.precompiles,
                "memory": w.memory,
            },
        })),
        "output_hex": hex::encode(&execution.output),
        "messages": String::from_utf8_lossy(&streams.messages),
        "rom_instructions": compiled.rom.insts.len(),
        "compile_ms": compiled.compile_ms,
    });
    stream_fields(&mut report, "stdout", &streams.stdout);
    stream_fields(&mut report, "stderr", &streams.stderr);
    stream_fields(&mut report, "console", &streams.interleaved);
    report
}

fn print_text_report(compiled: &Compiled, execution: &Execution, full: bool) {
    let cost = &execution.cost;
    eprintln!("steps: {}", execution.steps);
    eprintln!(
        "cost:  {} (cost model version {})",
        cost.total, cost.version
    );
    if let Some(w) = &execution.window {
        eprintln!(
            "window (bench.start to bench.end): {} steps, cost {}",
            w.steps, w.total
        );
    }
    if full {
        eprintln!("  main:        {:>16}", cost.main);
        eprintln!("  opcodes:     {:>16}", cost.opcodes);
        eprintln!("  precompiles: {:>16}", cost.precompiles);
        eprintln!("  memory:      {:>16}", cost.memory);
        eprintln!("  base:        {:>16}", cost.base);
        eprintln!(
            "  rom instructions: {}, compile time: {:.1} ms",
            compiled.rom.insts.len(),
            compiled.compile_ms
        );
        eprintln!("  {:<24} {:>14} {:>16}", "opcode", "count", "cost");
        for op in &cost.per_opcode {
            eprintln!("  {:<24} {:>14} {:>16}", op.opcode, op.count, op.cost);
        }
        for (title, rows) in [
            ("memory by region", &cost.memory_by_region),
            ("memory by width", &cost.memory_by_width),
        ] {
            eprintln!("  {:<54} {:>14} {:>16}", title, "count", "cost");
            for row in rows {
                eprintln!("  {:<54} {:>14} {:>16}", row.kind, row.count, row.cost);
            }
        }
        if !execution.output.is_empty() {
            eprintln!("public output: {}", hex::encode(&execution.output));
        }
    }
}
