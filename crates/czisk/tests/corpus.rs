//! The .wat corpus (tests/wat, see its README) through both Cranelift backends (the direct
//! ZisK backend, and the riscv path with and without Zba/Zbb): each module ends normally or
//! with exactly the trap it expects.

use czisk_backend_riscv::RiscvOptions;
use czisk_frontend::WasmTrap;
use czisk_zisk::{frame_input, run_rom, Failure, RunOptions, ZiskRom};

enum Expect {
    Ok,
    Trap(WasmTrap),
}

fn expectation(path: &std::path::Path, text: &str) -> Expect {
    let first = text.lines().next().unwrap_or_default();
    let spec = first
        .strip_prefix(";; expect: ")
        .unwrap_or_else(|| panic!("{}: no expect line", path.display()));
    if spec == "ok" {
        return Expect::Ok;
    }
    let message = spec
        .strip_prefix("trap ")
        .unwrap_or_else(|| panic!("{}: bad expect line", path.display()));
    Expect::Trap(
        WasmTrap::ALL
            .into_iter()
            .find(|t| t.message() == message)
            .unwrap_or_else(|| panic!("unknown trap {message}")),
    )
}

fn run_corpus(compile: impl Fn(&[u8]) -> Result<ZiskRom, String>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/wat");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "wat"));
    files.sort();
    assert!(files.len() >= 15, "the corpus is in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let wasm = wat::parse_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let rom = match compile(&wasm) {
            Ok(rom) => rom,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let run_options = RunOptions {
            max_steps: 50_000_000,
            capture_console: false,
            profile_top: 0,
            window: None,
        };
        let execution = run_rom(&rom, &frame_input(b"").unwrap(), &run_options).unwrap();
        let ok = match (expectation(path, &text), &execution.failure) {
            (Expect::Ok, None) => true,
            (Expect::Trap(trap), Some(Failure::ExitCode { code, .. })) => {
                let kind = WasmTrap::ALL.iter().position(|t| *t == trap).unwrap() as i64;
                *code == czisk_runtime::TRAP_EXIT_BASE as i64 + kind
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: {:?}",
                path.file_name().unwrap().to_string_lossy(),
                execution.failure
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn riscv(zba_zbb: bool) -> impl Fn(&[u8]) -> Result<ZiskRom, String> {
    move |wasm| {
        czisk_backend_riscv::compile_wasm(
            wasm,
            &RiscvOptions {
                zba_zbb,
                ..Default::default()
            },
        )
        .map(|p| p.rom)
        .map_err(|e| e.to_string())
    }
}

#[test]
fn corpus_zisk() {
    run_corpus(|wasm| {
        czisk_backend_zisk::compile_wasm(wasm)
            .map(|p| p.rom)
            .map_err(|e| e.to_string())
    });
}

/// The direct backend with every low-half-only i32 given a garbage high half where it is
/// defined (`lower::with_low32_poisoned`): the same outcomes, unless a rule reads bits the
/// low-half table says it does not.
#[test]
fn corpus_zisk_with_low_halves_poisoned() {
    run_corpus(|wasm| {
        czisk_backend_zisk::lower::with_low32_poisoned(|| czisk_backend_zisk::compile_wasm(wasm))
            .map(|p| p.rom)
            .map_err(|e| e.to_string())
    });
}

#[test]
fn corpus_riscv_with_zba_zbb() {
    run_corpus(riscv(true));
}

#[test]
fn corpus_riscv_rv64ima() {
    run_corpus(riscv(false));
}
