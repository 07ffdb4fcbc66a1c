//! `czisk run`: compile, execute on ziskemu, report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use czisk_zisk::{run_rom, Execution, RunOptions};
use serde_json::json;

use crate::backend::{self, Backend, Compiled};
use crate::guest::{read_guest, read_input, GuestFormat};

pub struct RunArgs {
    pub guest: PathBuf,
    pub backend: Backend,
    pub input: Option<PathBuf>,
    pub stats: bool,
    pub json: bool,
    pub max_steps: u64,
    /// Instructions to list in the execution profile (0: none).
    pub profile: usize,
}

/// Exit code for a guest that ran and failed.
pub const GUEST_FAILED: u8 = 3;

/// Reads and compiles a guest: a wasm module through `backend`, an ELF as ZisK loads it.
pub fn compile_guest(path: &Path, backend: Backend) -> Result<Compiled> {
    let guest = read_guest(path)?;
    match guest.format {
        GuestFormat::Wasm => backend::compile(backend, &guest.bytes),
        GuestFormat::Elf => backend::load_elf(&guest.bytes),
    }
}

pub fn run(args: &RunArgs) -> Result<ExitCode> {
    let input = read_input(args.input.as_deref())?;
    let compiled = compile_guest(&args.guest, args.backend)?;
    // In text mode the console streams live; JSON needs it captured.
    let options = RunOptions {
        max_steps: args.max_steps,
        capture_console: args.json,
        profile_top: args.profile,
    };
    let execution = run_rom(&compiled.rom, &input, &options)?;
    if let Some(profile) = &execution.profile {
        eprint!("{}", annotate_profile(profile, &compiled));
    }

    if args.json {
        let report = json_report(&compiled, &execution);
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        std::io::stdout().flush()?;
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

pub fn json_report(compiled: &Compiled, execution: &Execution) -> serde_json::Value {
    let cost = &execution.cost;
    json!({
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
        "output_hex": hex::encode(&execution.output),
        "console": String::from_utf8_lossy(&execution.console),
        "rom_instructions": compiled.rom.insts.len(),
        "compile_ms": compiled.compile_ms,
    })
}

fn print_text_report(compiled: &Compiled, execution: &Execution, full: bool) {
    let cost = &execution.cost;
    eprintln!("steps: {}", execution.steps);
    eprintln!(
        "cost:  {} (cost model version {})",
        cost.total, cost.version
    );
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
