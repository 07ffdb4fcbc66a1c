//! The .wat corpus (tests/wat, see its README) through the riscv backend, with and without
//! Zba/Zbb: each module ends normally or with exactly the trap it expects.

use czisk_backend_riscv::{compile_wasm, RiscvOptions};
use czisk_frontend::WasmTrap;
use czisk_zisk::{frame_input, run_rom, Failure, RunOptions};

enum Expect {
    Ok,
    Trap(WasmTrap),
}

fn expectation(path: &std::path::Path, text: &str) -> Expect {
    let first = text.lines().next().unwrap_or_default();
    let spec = first.strip_prefix(";; expect: ").unwrap_or_else(|| panic!("{}: no expect line", path.display()));
    if spec == "ok" {
        return Expect::Ok;
    }
    let message = spec.strip_prefix("trap ").unwrap_or_else(|| panic!("{}: bad expect line", path.display()));
    Expect::Trap(
        WasmTrap::ALL.into_iter().find(|t| t.message() == message).unwrap_or_else(|| panic!("unknown trap {message}")),
    )
}

fn run_corpus(options: &RiscvOptions) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/wat");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "wat"));
    files.sort();
    assert!(files.len() >= 15, "the corpus is in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let wasm = wat::parse_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let program = compile_wasm(&wasm, options).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let run_options = RunOptions { max_steps: 50_000_000, capture_console: false };
        let execution = run_rom(&program.rom, &frame_input(b"").unwrap(), &run_options).unwrap();
        let ok = match (expectation(path, &text), &execution.failure) {
            (Expect::Ok, None) => true,
            (Expect::Trap(trap), Some(Failure::ExitCode { code, .. })) => {
                let kind = WasmTrap::ALL.iter().position(|t| *t == trap).unwrap() as i64;
                *code == czisk_runtime::TRAP_EXIT_BASE as i64 + kind
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{}: {:?}", path.file_name().unwrap().to_string_lossy(), execution.failure));
        }
    }
    assert!(failures.is_empty(), "{} failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn corpus_with_zba_zbb() {
    run_corpus(&RiscvOptions { zba_zbb: true });
}

#[test]
fn corpus_rv64ima() {
    run_corpus(&RiscvOptions { zba_zbb: false });
}
